"""``python -m app.seed``: demo data into an empty database, then embed what lacks a vector.

The same work the embedded default does at start-up (``prepare``), run once by a tool that
starts several app processes on one database (``gm-infra app stack``), so they do not race.
"""

from __future__ import annotations

import logging
import sys

from app.core.settings import Settings
from app.services.demo_data import seed_if_empty
from app.state import AppState


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    state = AppState.build(Settings())
    try:
        seed_if_empty(state=state)
    finally:
        state.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
