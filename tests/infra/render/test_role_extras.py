"""Instances install only their role's extras; only those that embed get torch's CPU index."""

from __future__ import annotations

import pytest

from infra.render.examples import example_context
from infra.render.userdata import extras_for, render_userdata


@pytest.mark.parametrize(
    ("role", "phase", "service", "extras"),
    [
        ("api", 1, None, "app,ai"),
        ("worker", 2, None, "app,ai"),
        ("service", 4, "matching", "app,ai"),
        ("service", 4, "ai-ml", "app,ai"),
        ("service", 4, "auth", "app"),
        ("service", 4, "analytics", "app"),
    ],
)
def test_the_user_data_installs_the_roles_extras(
    role: str, phase: int, service: str | None, extras: str
) -> None:
    script = render_userdata(example_context(role, phase, service))  # type: ignore[arg-type]
    install = [line for line in script.splitlines() if '"$GM/src' in line and "pip" in line]
    assert len(install) == 1
    assert install[0].endswith(f'"$GM/src[{extras}]"')
    assert ("download.pytorch.org/whl/cpu" in install[0]) == ("ai" in extras)


def test_services_without_a_model_skip_torch() -> None:
    assert "ai" not in extras_for("service", "auth")
    assert extras_for("api") == ("app", "ai")
