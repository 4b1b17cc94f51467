"""How the suite is spread over pytest-xdist's workers (``--dist loadgroup``, pyproject).

Each test module is one unit of work: a module's tests run on one worker, one after
another, so a module-scoped server or stack is started once, not once per worker that
happens to receive one of its tests (that cost about 100 s of the run). A module marked
``xdist_group("name")`` shares its unit with the other modules of that name. The marked
groups are collected first: they are the longest units, and a long unit handed out last
would leave the other worker idle at the end.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # pytest-xdist registers it; so does this file, for runs with -p no:xdist
    config.addinivalue_line("markers", "xdist_group(name): run on the worker of that group")


def _group(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("xdist_group")
    if marker is None:
        return None
    return str(marker.args[0] if marker.args else marker.kwargs.get("name", "default"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    explicit = {item.nodeid for item in items if _group(item) is not None}
    for item in items:
        if item.nodeid not in explicit:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
    # stable: the modules' own order, with the explicitly grouped ones first
    items.sort(key=lambda item: item.nodeid not in explicit)
