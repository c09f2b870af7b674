"""Fault-injecting loopback servers: a raw-socket HTTP/1.1 server whose answer is a scripted fault.

Each connection carries one request and is closed afterwards. Every complete request is recorded and
checked against the API contract; `publishes` counts the POST /v1/posts requests that fully arrived.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from tests.contract import ContractViolation, validate_request, validate_response


@dataclass
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    complete: bool

    @property
    def is_publish(self) -> bool:
        return self.method == "POST" and self.path == "/v1/posts"


@dataclass
class Action:
    """What the server does with one request. `reads_body=False` hangs up before reading the body."""

    run: Callable[[Received, socket.socket, threading.Event], None]
    reads_body: bool = True
    name: str = "action"

    def __repr__(self) -> str:
        return self.name


OP_ID = "op_6d28cc8ebc8dde89f1f3fa19"


def operation(status: str = "processing", platforms: tuple[str, ...] = ("x",)) -> dict[str, Any]:
    target = "scheduled" if status == "scheduled" else "processing"
    return {
        "id": OP_ID,
        "status": status,
        "targets": [{"platform": p, "status": target, "postId": None, "url": None, "error": None} for p in platforms],
    }


def _head(status: int, headers: dict[str, str], length: int | None) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Whatever')}"]
    merged = {"Connection": "close", **headers}
    if length is not None:
        merged["Content-Length"] = str(length)
    lines += [f"{k}: {v}" for k, v in merged.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


_REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests", 500: "Error"}


def reply(
    status: int,
    body: bytes | str | dict[str, Any],
    *,
    headers: dict[str, str] | None = None,
    ctype: str | None = None,
    check: bool = False,
) -> Action:
    """Answer verbatim; `check=True` also asserts the answer is what the contract documents."""
    if isinstance(body, dict):
        raw = json.dumps(body).encode()
        ctype = ctype or "application/json"
    else:
        raw = body.encode() if isinstance(body, str) else body
    head = {"Content-Type": ctype or "application/json", **(headers or {})}

    def run(req: Received, conn: socket.socket, stop: threading.Event) -> None:
        if check and isinstance(body, dict):
            _check_documented_response(req, status, body)
        conn.sendall(_head(status, head, len(raw)) + raw)

    return Action(run, name=f"reply {status}")


def ok(data: Any, status: int = 201, *, check: bool = True) -> Action:
    return reply(status, {"success": True, "data": data, "meta": {}}, check=check)


def api_error(
    status: int, code: str, message: str = "nope", headers: dict[str, str] | None = None, *, check: bool = True
) -> Action:
    body = {"success": False, "error": {"code": code, "message": message}, "meta": {}}
    return reply(status, body, headers=headers, check=check)


def hang_up(*, before_body: bool) -> Action:
    def run(req: Received, conn: socket.socket, stop: threading.Event) -> None:
        conn.shutdown(socket.SHUT_RDWR)

    return Action(run, reads_body=not before_body, name="drop before body" if before_body else "drop after body")


def stall(seconds: float = 5.0) -> Action:
    """Read the request, answer nothing for `seconds` (or until the server stops)."""

    def run(req: Received, conn: socket.socket, stop: threading.Event) -> None:
        stop.wait(seconds)

    return Action(run, name="stall")


def slow_headers_then_ok(delay: float, data: Any) -> Action:
    def run(req: Received, conn: socket.socket, stop: threading.Event) -> None:
        stop.wait(delay)
        raw = json.dumps({"success": True, "data": data, "meta": {}}).encode()
        conn.sendall(_head(201, {"Content-Type": "application/json"}, len(raw)) + raw)

    return Action(run, name="slow")


def drip(interval: float = 0.2, total: int = 400) -> Action:
    """Headers, then the body one byte at a time: every read succeeds, the answer never ends in time."""

    def run(req: Received, conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(_head(201, {"Content-Type": "application/json"}, total))
        for _ in range(total):
            if stop.wait(interval):
                return
            conn.sendall(b" ")

    return Action(run, name="drip")


def truncated(status: int = 201) -> Action:
    def run(req: Received, conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(_head(status, {"Content-Type": "application/json"}, 500) + b'{"success": true, "da')

    return Action(run, name="truncated")


def huge(status: int = 201, size: int = 64 * 1024 * 1024) -> Action:
    def run(req: Received, conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(_head(status, {"Content-Type": "application/json"}, size) + b'{"success": true, "data": "')
        block = b"a" * 65536
        sent = 0
        while sent < size and not stop.is_set():
            conn.sendall(block)
            sent += len(block)

    return Action(run, name="huge")


def _check_documented_response(req: Received, status: int, body: dict[str, Any]) -> None:
    try:
        validate_response(req.method, req.path, status, body)
    except ContractViolation as exc:
        if "does not document" not in str(exc):
            raise


class FaultServer:
    """`with FaultServer([action, ...]) as srv:` answers the n-th request with the n-th action (last repeats)."""

    def __init__(
        self,
        actions: Action | list[Action],
        *,
        tls: ssl.SSLContext | None = None,
        routes: dict[tuple[str, str], Action] | None = None,
    ) -> None:
        """`routes` answer fixed (method, path)s (default: GET /v1/platforms) outside the sequence."""
        self._actions = actions if isinstance(actions, list) else [actions]
        self._routes = default_routes() if routes is None else routes
        self._tls = tls
        self.requests: list[Received] = []
        self.violations: list[str] = []
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.05)
        self.port = self._sock.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._count = 0

    @property
    def url(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def publishes(self) -> int:
        """POST /v1/posts requests that fully arrived (headers and the whole body)."""
        return sum(1 for r in self.requests if r.is_publish and r.complete)

    def __enter__(self) -> FaultServer:
        thread = threading.Thread(target=self._serve, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in list(self._threads):
            thread.join(timeout=2)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            worker = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            worker.start()
            self._threads.append(worker)

    def _next_action(self, method: str, path: str) -> Action:
        if (method, path) in self._routes:
            return self._routes[(method, path)]
        with self._lock:
            action = self._actions[min(self._count, len(self._actions) - 1)]
            self._count += 1
        return action

    def _handle(self, conn: socket.socket) -> None:
        try:
            if self._tls is not None:
                conn = self._tls.wrap_socket(conn, server_side=True)
            conn.settimeout(5)
            head = _read_head(conn)
            if head is None:
                return
            action = self._next_action(head[0], head[1])
            req = _read_body(conn, head, read_body=action.reads_body)
            self.requests.append(req)
            if req.complete:
                self._validate(req)
            action.run(req, conn, self._stop)
        except (OSError, ssl.SSLError, ValueError, UnicodeDecodeError):
            pass  # garbage (a TLS hello on the plain server) or a client that went away
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _validate(self, req: Received) -> None:
        from urllib.parse import parse_qsl

        body = json.loads(req.body) if req.body else None
        try:
            validate_request(req.method, req.path, query=dict(parse_qsl(req.query)), body=body, headers=req.headers)
        except ContractViolation as exc:
            self.violations.append(str(exc))


Head = tuple[str, str, str, dict[str, str], bytes]


def _read_head(conn: socket.socket) -> Head | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if data[:1] == b"\x16":  # a TLS ClientHello on the plain server: answer like a plain server does
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return None
        if len(data) > 1 << 20:
            return None
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    path, _, query = target.partition("?")
    return method, path, query, headers, rest


def _read_body(conn: socket.socket, head: Head, *, read_body: bool) -> Received:
    method, path, query, headers, rest = head
    length = int(headers.get("content-length", "0") or 0)
    if not read_body:
        return Received(method, path, query, headers, b"", complete=length == 0)
    body = rest
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return Received(method, path, query, headers, body[:length], complete=len(body) >= length)


PLATFORMS = [
    {"platform": p, "captionLimit": 3000, "maxMediaItems": 10, "mediaTypes": ["image", "video"]}
    for p in ("x", "linkedin", "instagram", "youtube")
]


def default_routes() -> dict[tuple[str, str], Action]:
    """What the post pipeline reads before publishing: the platforms' capabilities."""
    return {("GET", "/v1/platforms"): ok({"platforms": PLATFORMS}, status=200)}


@contextmanager
def closed_port() -> Iterator[str]:
    """A base URL on a loopback port nobody listens on (connection refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    yield f"http://127.0.0.1:{port}"


def self_signed_context(directory: Path) -> ssl.SSLContext:
    """A server-side TLS context with a fresh self-signed certificate for 127.0.0.1 (never trusted)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


def wait_until(predicate: Callable[[], bool], timeout: float = 2.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
