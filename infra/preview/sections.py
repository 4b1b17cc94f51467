"""The parts of one target's section, each a builder from ``Compared`` to whole blocks.

``SECTIONS`` is the one list a new part joins.
"""

from __future__ import annotations

from collections.abc import Callable

from infra.cost.report import comparison_markdown, cost_headline, money
from infra.diagram.graph import build_topology
from infra.diagram.mermaid import to_mermaid
from infra.diff.model import ResourceChange
from infra.diff.report import SYMBOL, headline, property_line, stateful_warning, summary_table
from infra.policy.report import policy_markdown
from infra.preview.blocks import Block, code, details
from infra.preview.compare import Compared
from infra.preview.userdata import USER_DATA
from infra.validate.report import validate_markdown

Section = Callable[[Compared], list[Block]]


def unchanged_line(c: Compared) -> Block:
    """The one line of a target with no resource change."""
    policy = (
        f"policy passed ({c.policy.passed} checks)"
        if c.policy.ok
        else f"❌ policy failed ({len(c.policy.violations)} violations)"
    )
    return Block(
        "unchanged",
        c.target.label,
        f"- **`{c.target.label}`**: no changes · monthly cost {money(c.cost.after.total)} · "
        f"{policy}",
    )


def heading(c: Compared) -> list[Block]:
    title = headline(c.diff) + cost_headline(c.cost)
    lines = [f"### `{c.target.label}`: {title}", "", *stateful_warning(c.diff)]
    lines += summary_table(c.diff)
    return [Block("summary", c.target.label, "\n".join(lines) + "\n")]


def _change_lines(change: ResourceChange, with_properties: bool) -> list[str]:
    lines = [f"- {SYMBOL[change.action]} `{change.name}` ({change.type})"]
    if not with_properties:
        return lines
    for prop in change.properties:
        if prop.path == USER_DATA:
            mark = " **(forces replacement)**" if prop.replaces else ""
            lines.append(f"  - `{USER_DATA}`: the boot script changed (diff below){mark}")
            continue
        lines.append(property_line(prop.path, prop.before, prop.after, prop.replaces))
    return lines


def resources(c: Compared) -> list[Block]:
    blocks = []
    for kind, changes, props in (
        ("changed resources", c.diff.changed, True),
        ("added resources", c.diff.added, False),
        ("removed resources", c.diff.removed, False),
    ):
        if changes:
            body = "\n".join(line for ch in changes for line in _change_lines(ch, props))
            title = f"{kind.capitalize()} ({len(changes)})"
            blocks.append(Block(kind, c.target.label, details(title, body)))
    return blocks


def user_data(c: Compared) -> list[Block]:
    return [
        Block(
            "user-data diff",
            f"{c.target.label}: {script.name}",
            details(f"User data of `{script.name}` (boot script diff)", code("diff", script.diff)),
        )
        for script in c.scripts
    ]


def policy(c: Compared) -> list[Block]:
    text = policy_markdown(c.policy)
    head, _, rest = text.partition("\n")
    blocks = [Block("policy", c.target.label, f"#### Policy\n\n{head}\n")]
    if rest.strip():
        blocks.append(Block("policy details", c.target.label, rest.strip() + "\n"))
    return blocks


def validation(c: Compared) -> list[Block]:
    """cfn-lint, checkov and our AWS limits on the head plan (``gm-infra validate``)."""
    if c.validation is None:
        return []
    return [Block("validation", c.target.label, validate_markdown(c.validation))]


def cost(c: Compared) -> list[Block]:
    if not c.cost.changes:
        return []
    body = details("Per-resource cost changes", comparison_markdown(c.cost))
    return [Block("cost details", c.target.label, f"#### Cost\n\n{body}")]


def diagram(c: Compared) -> list[Block]:
    mermaid = to_mermaid(build_topology(c.after))
    body = details("Topology after the change", code("mermaid", mermaid))
    return [Block("diagram", c.target.label, body)]


# The parts of a changed target, in the order they appear.
SECTIONS: tuple[Section, ...] = (heading, resources, user_data, policy, validation, cost, diagram)


def target_blocks(c: Compared) -> list[Block]:
    """A changed target's blocks; an unchanged one is a single line."""
    if c.diff.empty:
        return [unchanged_line(c)]
    return [block for section in SECTIONS for block in section(c)]
