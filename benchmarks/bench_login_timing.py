"""Login timing for a known and an unknown e-mail: the enumeration oracle of issue 11.

Measures ``users.authenticate`` (a wrong password) on a fresh SQLite database, in one run:
  * known e-mail (verifies the stored argon2id hash),
  * unknown e-mail, as the app does it now (verifies a dummy hash of the same cost),
  * unknown e-mail, the baseline before (a database miss, no hash verified).
The ratio unknown/known should be near 1 now; the baseline shows the gap it closed.

Run: .venv/bin/python benchmarks/bench_login_timing.py [--rounds 30] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from app.core.db import Database
from app.core.settings import Settings
from app.migrate import upgrade_all
from app.models import Role, User
from app.services import users


def timed(action: Callable[[], object], rounds: int) -> list[float]:
    action()  # warm up
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), database_url="", redis_url="")
        database = Database.from_settings(settings)
        upgrade_all(database)
        with database.write_session() as session:
            users.create_user(
                session=session, email="known@example.org", password="x" * 20, role=Role.candidate
            )
            session.commit()

            def known() -> object:
                return users.authenticate(session=session, email="known@example.org", password="y")

            def unknown() -> object:
                return users.authenticate(session=session, email="ghost@example.org", password="y")

            def unknown_before() -> object:  # the old code path: a miss answers at once
                return session.scalar(select(User).where(User.email == "ghost@example.org"))

            results = {
                name: statistics.median(timed(action, args.rounds))
                for name, action in (
                    ("known", known),
                    ("unknown (now)", unknown),
                    ("unknown (baseline)", unknown_before),
                )
            }
        database.dispose()
    if args.json:
        print(json.dumps({k: round(v, 3) for k, v in results.items()}))
        return
    for name, value in results.items():
        print(f"{name:20} median {value:8.2f} ms   ratio to known {value / results['known']:5.2f}")


if __name__ == "__main__":
    main()
