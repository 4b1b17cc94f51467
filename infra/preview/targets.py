"""What a preview covers: the stacks a change deploys (the default, ``affected.py``), named
stacks (``--stacks S,...``) or bare phase profiles, only on request (``--phases 1,2``)."""

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
        """A stack by its name; a bare profile so that it cannot pass for the stack ``phaseN``."""
        return f"profile phase {self.value}" if self.kind == "phase" else self.value

    @property
    def arg(self) -> str:
        """How the base ref's planner subprocess is told about it (``phase=2``)."""
        return f"{self.kind}={self.value}"


def parse_targets(phases: str | None, stacks: str | None) -> list[Target] | None:
    """The targets in the order given; None (the stacks the change deploys) when neither
    option is set. ``--phases all`` is the four bare profiles."""
    if phases is not None and stacks is not None:
        raise BadInputError("give --phases or --stacks, not both", "e.g. --phases 2,3")
    if stacks is not None:
        names = _items(stacks, "--stacks")
        return [Target("stack", name) for name in names]
    if phases is None:
        return None
    found: list[Target] = []
    wanted = ",".join(str(p) for p in PHASES) if phases == "all" else phases
    for item in _items(wanted, "--phases"):
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
