"""An in-process moto server on a free loopback port, with gm-infra's extensions."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from infra.emulator.extensions import install
from infra.extras import require_extra
from infra.ports import LOOPBACK, free_port


@dataclass
class Emulator:
    """A running moto server thread and its endpoint."""

    server: Any
    endpoint: str

    def reset(self) -> None:
        """Clear every emulated resource, as ``POST /moto-api/reset`` does, but called directly:
        the server runs in this process, so a reset waits for no HTTP round trip (and no
        timeout that a loaded machine could exceed)."""
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()

    def stop(self) -> None:
        self.server.stop()


def start(port: int = 0, host: str = LOOPBACK) -> Emulator:
    """Start moto's ThreadedMotoServer on loopback (a free port when ``port`` is 0)."""
    require_extra("local", "the local AWS emulator")
    from moto.server import ThreadedMotoServer

    install()
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    chosen = port or free_port(host)
    server = ThreadedMotoServer(ip_address=host, port=chosen, verbose=False)
    server.start()
    return Emulator(server=server, endpoint=f"http://{host}:{chosen}")


def reachable(endpoint: str, timeout: float = 1.0) -> bool:
    """Something listens there (a TCP connect; cheap even when the emulator holds a lot)."""
    parsed = urlparse(endpoint)
    try:
        with socket.create_connection((parsed.hostname or LOOPBACK, parsed.port or 80), timeout):
            return True
    except OSError:
        return False
