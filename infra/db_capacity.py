"""MariaDB connection ceilings on RDS, for alarms that can actually fire."""

from __future__ import annotations

import re

# RDS for MariaDB's default: max_connections = {DBInstanceClassMemory/12582880}.
BYTES_PER_CONNECTION = 12582880
GIB = 1024**3
_SIZE_STEPS = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16}
# Memory of the ``large`` size by family, in GiB; each size up doubles it.
_LARGE_GIB = {
    "t3": 8,
    "t4g": 8,
    "m5": 8,
    "m6i": 8,
    "m6g": 8,
    "m7g": 8,
    "r5": 16,
    "r6i": 16,
    "r6g": 16,
    "r7g": 16,
}


def memory_gib(instance_class: str) -> float:
    """Memory of an RDS instance class such as ``db.r6g.large`` (16 GiB)."""
    match = re.fullmatch(r"db\.([a-z0-9]+)\.(\d*)(micro|small|medium|large|xlarge)", instance_class)
    if not match or match.group(1) not in _LARGE_GIB:
        raise ValueError(f"unknown RDS instance class {instance_class!r}")
    family, multiple, size = match.group(1), match.group(2), match.group(3)
    large = _LARGE_GIB[family]
    if size == "xlarge":
        return large * 2 * (int(multiple) if multiple else 1)
    return large * _SIZE_STEPS[size] / _SIZE_STEPS["large"]


def max_connections(instance_class: str) -> int:
    return int(memory_gib(instance_class) * GIB // BYTES_PER_CONNECTION)


def connections_alarm_threshold(instance_class: str, share: float = 0.8) -> int:
    """Alarm at 80% of the ceiling: time to add the proxy, a replica or a larger class."""
    return int(max_connections(instance_class) * share)
