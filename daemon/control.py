"""The control socket: `rust2go status` and `rust2go stop` talk to the running daemon.

Protocol: the client sends one JSON line `{"cmd": "status"}` or `{"cmd": "stop"}`, the
daemon answers with one JSON line and closes. Version it if it ever grows:
`{"protocol": 1, ...}` is in every answer.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROTOCOL = 1
Handler = Callable[[str], dict[str, Any]]  # command name -> answer


class NotRunning(Exception):
    pass


class _Server(socketserver.UnixStreamServer):
    allow_reuse_address = False
    command_handler: Handler


class _Request(socketserver.StreamRequestHandler):
    timeout = 2.0  # a client that connects and says nothing does not block the daemon

    def handle(self) -> None:
        try:
            request = json.loads(self.rfile.readline(4096) or b"{}")
            cmd = request.get("cmd", "") if isinstance(request, dict) else ""
        except (ValueError, OSError):
            cmd = ""
        answer = self.server.command_handler(str(cmd))  # type: ignore[attr-defined]
        try:
            self.wfile.write(
                json.dumps({"protocol": PROTOCOL, **answer}, default=str).encode() + b"\n"
            )
        except OSError:
            pass


class ControlServer:
    def __init__(self, path: Path, handler: Handler):
        path.unlink(missing_ok=True)  # stale socket of a dead daemon; we hold the lock
        self._server = _Server(str(path), _Request)
        self._server.command_handler = handler
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="rust2go-control", daemon=True)  # fmt: skip

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def send_command(path: Path, cmd: str, timeout: float = 3.0) -> dict[str, Any]:
    """Ask the daemon listening on `path`; NotRunning if nobody answers there."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise NotRunning(str(path)) from None
        s.sendall(json.dumps({"cmd": cmd}).encode() + b"\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        raise NotRunning(f"{path}: no valid answer") from None
