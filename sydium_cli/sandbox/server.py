"""Serve the sandbox over real HTTP: a threading wsgiref server that can drop or stall a connection."""

from __future__ import annotations

import socket
import sys
import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from sydium_cli.sandbox.faults import DroppedConnection

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback_host(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


class _Handler(ServerHandler):
    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], DroppedConnection):
            # Write nothing: the client sees the connection closed without an answer.
            environ: dict[str, Any] = getattr(self, "environ", {})
            sys.stderr.write(f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')} -> dropped\n")
            return
        super().handle_error()


class _RequestHandler(WSGIRequestHandler):
    server_version = "sydium-sandbox"

    def handle(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536 or not self.parse_request():
            return
        environ = self.get_environ()
        environ["sydium.sandbox.hang"] = self._hang
        handler = _Handler(
            self.rfile,
            self.wfile,  # type: ignore[arg-type]
            self.get_stderr(),
            environ,
            multithread=True,
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(self.server.get_app())  # type: ignore[attr-defined]

    def _hang(self, seconds: float) -> None:
        stop: threading.Event = self.server.stopping  # type: ignore[attr-defined]
        stop.wait(seconds)

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else '?'}\n")


class SandboxServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: Any) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.stopping = threading.Event()
        super().__init__(address, _RequestHandler)
        self.set_app(app)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def server_close(self) -> None:
        self.stopping.set()
        super().server_close()


def make_server(host: str, port: int, app: Any) -> SandboxServer:
    return SandboxServer((host, port), app)
