"""Entry point of the background emulator: ``python -m infra.emulator.serve --port N``."""

from __future__ import annotations

import argparse
import signal
import threading

from infra.emulator.server import LOOPBACK, start


def main() -> None:
    parser = argparse.ArgumentParser(description="moto server on loopback for gm-infra")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    emulator = start(port=args.port, host=LOOPBACK)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    emulator.stop()


if __name__ == "__main__":
    main()
