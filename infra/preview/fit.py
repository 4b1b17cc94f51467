"""Fit the comment under GitHub's limit by leaving out whole blocks, and say which."""

from __future__ import annotations

from infra.preview.blocks import DROP_ORDER, Block

LIMIT = 65_000  # GitHub refuses comments over 65,536 characters; keep a margin


def join(blocks: list[Block]) -> str:
    return "\n".join(block.text.rstrip("\n") + "\n" for block in blocks)


def fit(blocks: list[Block], limit: int = LIMIT) -> str:
    """The blocks joined; when too long, drop whole blocks in ``DROP_ORDER`` (largest first).

    A note at the end names every block left out. Nothing is cut inside a block, so no
    ``<details>`` or code fence is ever left open.
    """
    kept = list(blocks)
    dropped: list[Block] = []
    order = sorted(
        (b for b in blocks if b.droppable),
        key=lambda b: (DROP_ORDER.index(b.kind), -len(b.text)),
    )
    while len(join(kept)) + len(_note(dropped)) > limit and order:
        block = order.pop(0)
        kept.remove(block)
        dropped.append(block)
    return join(kept) + _note(dropped)


def _note(dropped: list[Block]) -> str:
    if not dropped:
        return ""
    by_kind: dict[str, list[str]] = {}
    for block in dropped:
        by_kind.setdefault(block.kind, []).append(block.target)
    parts = [f"{kind} ({', '.join(targets)})" for kind, targets in by_kind.items()]
    return (
        "\n> [!NOTE]\n> Left out to stay under GitHub's comment limit: "
        + "; ".join(parts)
        + ". Run `gm-infra preview` locally for the whole preview.\n"
    )
