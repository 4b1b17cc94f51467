"""Process and instance memory from /proc (Linux); ``None`` elsewhere."""

from __future__ import annotations

from pathlib import Path


def _fields(path: str) -> dict[str, int]:
    values: dict[str, int] = {}
    for line in Path(path).read_text().splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            values[name] = int(parts[0])  # kB
    return values


def process_rss_mb(status: str = "/proc/self/status") -> float | None:
    try:
        return _fields(status)["VmRSS"] / 1024.0
    except (OSError, KeyError):
        return None


def instance_memory_percent(meminfo: str = "/proc/meminfo") -> float | None:
    """Used memory as the kernel sees it: (MemTotal - MemAvailable) / MemTotal."""
    try:
        values = _fields(meminfo)
        total, available = values["MemTotal"], values["MemAvailable"]
    except (OSError, KeyError):
        return None
    return 100.0 * (total - available) / total if total else None
