"""A comment is a list of whole blocks; only whole blocks are ever left out."""

from __future__ import annotations

from dataclasses import dataclass

# What goes first when the comment is too long, most expendable first. Kinds not listed
# (headlines, stateful warnings, summaries) are always kept.
DROP_ORDER = (
    "diagram",
    "cost details",
    "user-data diff",
    "added resources",
    "removed resources",
    "changed resources",
    "policy details",
)


@dataclass(frozen=True)
class Block:
    kind: str
    target: str  # the phase or stack it belongs to ("" for the comment's own lines)
    text: str  # whole markdown: every <details> and code fence it opens, it closes

    @property
    def droppable(self) -> bool:
        return self.kind in DROP_ORDER


def fence(text: str) -> str:
    """A code fence longer than any run of backticks inside ``text``."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def details(summary: str, body: str) -> str:
    return f"<details><summary>{summary}</summary>\n\n{body.rstrip()}\n\n</details>\n"


def code(language: str, body: str) -> str:
    mark = fence(body)
    return f"{mark}{language}\n{body.rstrip()}\n{mark}\n"
