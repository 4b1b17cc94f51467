"""What a preview covers: phases (``--phases 1,2,3,4``) or stacks (``--stacks S,...``)."""

from __future__ import annotations

from dataclasses import dataclass

from infra.errors import BadInputError

PHASES = (1, 2, 3, 4)


@dataclass(frozen=True)
class Target:
    kind: str  # "phase" | "stack"
    value: str

    @property
    def label(self) -> str:
        return f"phase{self.value}" if self.kind == "phase" else self.value

    @property
    def arg(self) -> str:
        """How the base ref's planner subprocess is told about it (``phase=2``)."""
        return f"{self.kind}={self.value}"


def parse_targets(phases: str | None, stacks: str | None) -> list[Target]:
    """The targets in the order given; all four phases when neither option is set."""
    if phases is not None and stacks is not None:
        raise BadInputError("give --phases or --stacks, not both", "e.g. --phases 2,3")
    if stacks is not None:
        names = _items(stacks, "--stacks")
        return [Target("stack", name) for name in names]
    found: list[Target] = []
    for item in _items(phases or ",".join(str(p) for p in PHASES), "--phases"):
        if not item.isdigit() or int(item) not in PHASES:
            raise BadInputError(
                f"--phases item {item!r} is not a phase", "phases are 1, 2, 3 and 4: --phases 1,2"
            )
        found.append(Target("phase", str(int(item))))
    return found


def _items(text: str, option: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise BadInputError(f"{option} {text!r} has an empty item", f"e.g. {option} a,b")
    if len(set(items)) != len(items):
        raise BadInputError(f"{option} {text!r} names an item twice")
    return items
