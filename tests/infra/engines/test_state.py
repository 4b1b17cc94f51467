"""Local state made on an emulator run that is gone is set aside, not trusted."""

from __future__ import annotations

from typing import Any

from infra.emulator.server import Emulator


def test_a_restarted_emulator_starts_the_stack_afresh(emu: Emulator, run: Any) -> None:
    first = run("phase", "1", "--stack", "s", "--engine", "local", "--yes", "--no-validate")
    assert first.exit_code == 0, first.output
    emu.reset()  # what a stop and start of the emulator leaves: nothing

    verify = run("verify", "--stack", "s", "--engine", "local", "--target-timeout", "1")
    assert verify.exit_code == 2
    assert "never deployed" in verify.stderr
    assert "earlier emulator run" in verify.stderr
    assert "Traceback" not in verify.output

    again = run("phase", "1", "--stack", "s", "--engine", "local", "--yes", "--no-validate")
    assert again.exit_code == 0, again.output
    assert "earlier emulator run" in again.stderr
