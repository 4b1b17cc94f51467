"""Wall time of the rehearsal phase 1 -> 4 on the local emulator, and of verify on phase 4.

Run: .venv/bin/python benchmarks/bench_rehearsal.py   (goal: rehearsal under 60 s)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    home = tempfile.mkdtemp(prefix="gm-bench-")
    os.environ["GM_INFRA_HOME"] = home
    from infra.checks.verify import VerifyOptions, verify
    from infra.emulator.server import start
    from infra.engines.local import LocalEngine
    from infra.promotion.runner import Promotion, PromotionRequest

    class Quiet:
        def step(self, name: str, status: str, detail: str = "") -> None: ...
        def resource(self, change: object) -> None: ...
        def diff(self, diff: object) -> None: ...
        def checks(self, title: str, results: object) -> None: ...
        def confirm(self, question: str) -> bool | None:
            return True

    emulator = start()
    engine = LocalEngine(emulator.endpoint)
    options = VerifyOptions(target_timeout_s=5, poll_s=0.5)
    steps = {}
    began = time.perf_counter()
    for phase in (1, 2, 3, 4):
        t = time.perf_counter()
        request = PromotionRequest(
            stack="bench",
            phase=phase,
            stacks_dir=Path(home) / "stacks",
            yes=True,
            verify_options=options,
        )
        outcome = Promotion(engine, request, Quiet()).run()
        assert outcome.result == "promoted", outcome.result
        steps[f"phase {phase}"] = round(time.perf_counter() - t, 2)
    rehearsal = time.perf_counter() - began
    t = time.perf_counter()
    results = verify(engine.inventory("bench"), lambda s: engine.client(s, "us-east-1"), options)
    verify_s = time.perf_counter() - t
    emulator.stop()
    print(
        json.dumps(
            {
                "rehearsal_1_to_4_s": round(rehearsal, 2),
                "per_step_s": steps,
                "verify_phase4_s": round(verify_s, 2),
                "verify_checks": len(results),
                "goal_met": rehearsal < 60,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
