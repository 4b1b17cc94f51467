"""A raw HTTP server on a free loopback port that answers every request with scripted
bytes: a misbehaving peer (dripping, garbage, endless) for client tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

Script = Callable[[socket.socket], None]


class ScriptedServer:
    """Answers every connection on a free loopback port with ``script(sock)``, or with
    ``routes[request_line]`` when the request line (``b"GET /path"``) is one of those."""

    def __init__(self, script: Script, routes: dict[bytes, Script] | None = None) -> None:
        self.script = script
        self.routes = routes or {}
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.sent = 0  # body bytes the scripts wrote
        self.connections = 0  # connections accepted (a client that never called: 0)
        self._closing = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._closing.is_set():
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(sock,), daemon=True).start()

    def _answer(self, sock: socket.socket) -> None:
        with sock:
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += sock.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                while len(body) < length:
                    body += sock.recv(65536)
                request_line = b" ".join(head.split(b"\r\n", 1)[0].split(b" ")[:2])
                self.routes.get(request_line, self.script)(sock)
            except OSError:  # the client gave up: what the tests want
                pass

    def close(self) -> None:
        self._closing.set()
        self.listener.close()


def head(status: str = "200 OK", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", "Content-Type: application/json"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def answer(body: bytes, status: str = "200 OK", **headers: str) -> Script:
    def script(sock: socket.socket) -> None:
        sock.sendall(head(status, Content_Length=str(len(body)), **headers) + body)

    return script


def drip(prefix: bytes, byte: bytes, every: float) -> Script:
    """``prefix``, then one ``byte`` every ``every`` seconds until the client hangs up."""

    def script(sock: socket.socket) -> None:
        sock.sendall(prefix)
        for _ in range(600):
            time.sleep(every)
            sock.sendall(byte)

    return script
