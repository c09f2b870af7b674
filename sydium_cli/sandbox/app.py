"""The sandbox WSGI application: routing, keys, the envelope, faults and media bytes (stdlib only)."""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs

from sydium_cli import __version__
from sydium_cli.sandbox import content, posts
from sydium_cli.sandbox.faults import DroppedConnection, Fault, FaultSet, HungResponse
from sydium_cli.sandbox.platforms import PLATFORMS, accounts
from sydium_cli.sandbox.store import Store

StartResponse = Callable[..., Any]
Headers = list[tuple[str, str]]
MAX_UPLOAD = 1024 * 1024 * 1024  # 1 GiB: the sandbox's (undocumented upstream) per-file ceiling
MAX_JSON = 1024 * 1024
CHUNK = 256 * 1024
WRITE_SCOPES = {"posts:write", "generate:write"}
UPLOAD_TYPES = re.compile(r"^(image|video)/[a-z0-9.+-]+$|^application/pdf$")
STATUS_TEXT = {
    200: "OK", 201: "Created", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
    404: "Not Found", 411: "Length Required", 413: "Payload Too Large", 422: "Unprocessable Entity",
    429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
    504: "Gateway Timeout",
}  # fmt: skip


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: Headers | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or []


@dataclass
class Request:
    environ: dict[str, Any]
    method: str
    path: str
    query: dict[str, str]
    scope: str = ""
    params: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        raw = str(self.environ.get("HTTP_HOST") or self.environ.get("SERVER_NAME") or "localhost")
        if raw.startswith("["):  # [::1]:8787
            return raw[1:].split("]", 1)[0]
        return raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw

    @property
    def origin(self) -> str:
        host = self.environ.get("HTTP_HOST") or self.environ.get("SERVER_NAME") or "localhost"
        return f"{self.environ.get('wsgi.url_scheme', 'http')}://{host}"

    def json(self) -> Any:
        length = _content_length(self.environ)
        if length > MAX_JSON:
            raise ApiError(422, "unprocessable", "The request body is too large.")
        raw = self.environ["wsgi.input"].read(length) if length else b""
        try:
            return json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(422, "unprocessable", "The request body is not valid JSON.") from None


Route = tuple[str, "re.Pattern[str]", str | None, Callable[["SandboxApp", Request], tuple[int, Any]]]


class SandboxApp:
    """A stateful simulator of the Sydium REST API. Call it as a WSGI application."""

    def __init__(self, store: Store, *, publish_delay: float, faults: list[Fault], clock: Callable[[], float]):
        self.store = store
        self.publish_delay = publish_delay
        self.faults = FaultSet(faults)
        self.clock = clock
        self.media_dir = store.path.parent / (store.path.stem + "-media")

    # ---- WSGI -----------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = str(environ.get("PATH_INFO") or "/")
        query = {k: v[-1] for k, v in parse_qs(str(environ.get("QUERY_STRING", ""))).items()}
        req = Request(environ, method, path, query)
        try:
            self._apply_faults(req)
            if path.startswith("/_sandbox/upload/") or path.startswith("/media/"):
                return self._raw(req, start_response)
            handler = self._route(req)
            self._authorize(req)
            status, data = handler(self, req)
            body: dict[str, Any] = {"success": True, "data": data, "meta": self._meta()}
            return _send(start_response, status, body, [])
        except ApiError as err:
            payload = {"success": False, "error": {"code": err.code, "message": err.message}, "meta": self._meta()}
            return _send(start_response, err.status, payload, err.headers)

    def _meta(self) -> dict[str, Any]:
        return {"requestId": "req_" + secrets.token_hex(8), "sandbox": True}

    def _apply_faults(self, req: Request) -> None:
        if not self.faults:
            return
        delay, fault = self.faults.pick(req.method, req.path)
        if delay:
            time.sleep(delay)
        if fault is None:
            return
        if fault.kind == "drop":
            raise DroppedConnection(req.path)
        if fault.kind == "hang":
            hook = req.environ.get("sydium.sandbox.hang")
            if hook is None:
                raise HungResponse(req.path)
            hook(fault.value or 600.0)
            raise DroppedConnection(req.path)
        if fault.kind == "429":
            headers = [("Retry-After", f"{fault.value:g}")] if fault.value is not None else []
            raise ApiError(429, "rate_limited", "Too many requests (sandbox fault switch).", headers)
        if fault.kind == "tokens":
            raise ApiError(429, "rate_limited", "Insufficient tokens: the team has no tokens left for this action.")
        raise ApiError(int(fault.kind), "internal_error", f"Simulated server failure (HTTP {fault.kind}).")

    def _route(self, req: Request) -> Callable[[SandboxApp, Request], tuple[int, Any]]:
        known_path = False
        for method, pattern, scope, handler in ROUTES:
            match = pattern.match(req.path)
            if not match:
                continue
            known_path = True
            if method == req.method:
                req.scope, req.params = scope or "", match.groupdict()
                return handler
        what = f"{req.method} {req.path}" if known_path else req.path
        raise ApiError(404, "not_found", f"No such endpoint: {what}.")

    def _authorize(self, req: Request) -> None:
        if not req.scope:
            return
        auth = str(req.environ.get("HTTP_AUTHORIZATION", ""))
        scheme, _, key = auth.partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key.startswith(("sk_test_", "sk_live_")) or len(key) <= 8:
            raise ApiError(401, "unauthorized", "Missing or malformed API key (expected Authorization: Bearer sk_...).")
        if key.startswith("sk_test_unauthorized"):
            raise ApiError(401, "unauthorized", "Invalid API key (sandbox magic key sk_test_unauthorized...).")
        missing = key.startswith("sk_test_noscope") or (
            key.startswith("sk_test_readonly") and req.scope in WRITE_SCOPES
        )
        if missing:
            raise ApiError(403, "insufficient_permissions", f"This API key lacks the {req.scope} scope.")
        if key.startswith("sk_test_notokens") and req.scope in WRITE_SCOPES:
            raise ApiError(429, "rate_limited", "Insufficient tokens: the team has no tokens left for this action.")

    # ---- API handlers ---------------------------------------------------------------------------

    def health(self, req: Request) -> tuple[int, Any]:
        return 200, {"status": "ok", "version": f"sandbox-{__version__}"}

    def list_accounts(self, req: Request) -> tuple[int, Any]:
        return 200, {"accounts": accounts()}

    def list_platforms(self, req: Request) -> tuple[int, Any]:
        return 200, {"platforms": [p.capability() for p in PLATFORMS.values()]}

    def get_platform(self, req: Request) -> tuple[int, Any]:
        name = req.params["platform"]
        if name not in PLATFORMS:
            raise ApiError(404, "not_found", f"Unknown platform {name!r}.")
        return 200, PLATFORMS[name].capability()

    def create_post(self, req: Request) -> tuple[int, Any]:
        now = self.clock()
        try:
            op = posts.create(self.store, req.json(), now=now, delay=self.publish_delay, host=req.host)
        except posts.Invalid as exc:
            raise ApiError(422, "unprocessable", str(exc)) from None
        return 201, posts.wire(op, now)

    def get_post(self, req: Request) -> tuple[int, Any]:
        op = self.store.get_op(req.params["id"])
        if op is None:
            raise ApiError(404, "not_found", f"No operation {req.params['id']!r}.")
        return 200, posts.wire(op, self.clock())

    def cancel_post(self, req: Request) -> tuple[int, Any]:
        now = self.clock()
        if self.store.get_op(req.params["id"]) is None:
            raise ApiError(404, "not_found", f"No operation {req.params['id']!r}.")
        self.store.cancel_scheduled(req.params["id"], now)
        return self.get_post(req)

    def list_posts(self, req: Request) -> tuple[int, Any]:
        try:
            start = posts.parse_instant(req.query["from"], "from") if "from" in req.query else None
            end = posts.parse_instant(req.query["to"], "to", date_end=True) if "to" in req.query else None
        except posts.Invalid as exc:
            raise ApiError(422, "unprocessable", str(exc)) from None
        if start is not None and end is not None and start > end:
            raise ApiError(422, "unprocessable", "from must not be after to.")
        return 200, {"posts": posts.scheduled(self.store.all_ops(), self.clock(), start, end)}

    def analytics(self, req: Request) -> tuple[int, Any]:
        today = datetime.fromtimestamp(self.clock(), timezone.utc).date()
        end = _date(req.query.get("to"), "to", today)
        start = _date(req.query.get("from"), "from", end - timedelta(days=29))
        if start > end:
            raise ApiError(422, "unprocessable", "from must not be after to.")
        if (end - start).days > 365:
            raise ApiError(422, "unprocessable", "The analytics window is at most 366 days.")
        days = content.analytics(self.store.all_ops(), start, end, self.clock())
        return 200, {"range": {"from": start.isoformat(), "to": end.isoformat()}, "days": days}

    def idea_today(self, req: Request) -> tuple[int, Any]:
        return 200, {"idea": content.idea_for(datetime.fromtimestamp(self.clock(), timezone.utc).date())}

    def generate(self, req: Request) -> tuple[int, Any]:
        body = req.json()
        if not isinstance(body, dict):
            raise ApiError(422, "unprocessable", "The request body must be a JSON object.")
        topic = body.get("topic")
        if not isinstance(topic, str) or not 1 <= len(topic) <= 2000 or not topic.strip():
            raise ApiError(422, "unprocessable", "topic must be a string of 1 to 2000 characters.")
        platform = body.get("platform")
        if platform is not None and platform not in PLATFORMS:
            raise ApiError(422, "unprocessable", f"Unknown platform {platform!r}.")
        for name in ("tone", "language"):
            if body.get(name) is not None and not isinstance(body[name], str):
                raise ApiError(422, "unprocessable", f"{name} must be a string.")
        return 200, content.generate(topic, platform, body.get("tone"), body.get("language"))

    def upload_url(self, req: Request) -> tuple[int, Any]:
        body = req.json()
        ctype = body.get("contentType") if isinstance(body, dict) else None
        size = body.get("fileSize") if isinstance(body, dict) else None
        if not isinstance(ctype, str) or not UPLOAD_TYPES.match(ctype.lower()):
            raise ApiError(422, "unprocessable", f"Unsupported contentType {ctype!r}: use image/*, video/* or PDF.")
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ApiError(422, "unprocessable", "fileSize must be a positive number of bytes.")
        if size > MAX_UPLOAD:
            raise ApiError(422, "unprocessable", f"fileSize {size} exceeds the sandbox's 1 GiB per-file limit.")
        key = secrets.token_hex(12) + _extension(ctype)
        self.store.add_media(key, self.clock(), content_type=ctype.lower(), file_size=size, source_url=None)
        return 201, {
            "uploadUrl": f"{req.origin}/_sandbox/upload/{key}",
            "publicUrl": f"{req.origin}/media/{key}",
            "key": key,
        }

    def from_url(self, req: Request) -> tuple[int, Any]:
        body = req.json()
        url = body.get("url") if isinstance(body, dict) else None
        if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
            raise ApiError(422, "unprocessable", f"url must be an absolute http(s) URL; got {url!r}.")
        path = url.split("?", 1)[0].split("#", 1)[0]
        ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
        key = secrets.token_hex(12) + (f".{ext}" if re.fullmatch(r"[a-z0-9]{1,5}", ext) else "")
        self.store.add_media(key, self.clock(), content_type=None, file_size=None, source_url=url)
        return 201, {"publicUrl": f"{req.origin}/media/{key}", "key": key}

    # ---- media bytes (outside the contract: the presigned upload target and the public URL) -----

    def _raw(self, req: Request, start_response: StartResponse) -> Iterable[bytes]:
        from sydium_cli.sandbox.media import serve_media, store_upload

        if req.method == "PUT" and req.path.startswith("/_sandbox/upload/"):
            return store_upload(self, req, start_response)
        if req.method in ("GET", "HEAD") and req.path.startswith("/media/"):
            return serve_media(self, req, start_response)
        raise ApiError(404, "not_found", f"No such endpoint: {req.method} {req.path}.")


def _content_length(environ: dict[str, Any]) -> int:
    try:
        return max(0, int(environ.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _date(value: str | None, what: str, default: date) -> date:
    if value is None:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(422, "unprocessable", f"{what} must be a date YYYY-MM-DD; got {value!r}.") from None


def _extension(content_type: str) -> str:
    minor = content_type.lower().split("/", 1)[-1].split(";")[0]
    ext = {"jpeg": "jpg", "quicktime": "mov", "svg+xml": "svg", "x-matroska": "mkv"}.get(minor, minor)
    return "." + ext if re.fullmatch(r"[a-z0-9]{1,5}", ext) else ""


def _send(start_response: StartResponse, status: int, payload: Any, headers: Headers) -> list[bytes]:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    start_response(
        f"{status} {STATUS_TEXT.get(status, 'Unknown')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body))), ("X-Sydium-Sandbox", "1"), *headers],
    )
    return [body]


def send_raw(start_response: StartResponse, status: int, body: bytes, headers: Headers) -> list[bytes]:
    start_response(f"{status} {STATUS_TEXT.get(status, 'Unknown')}", [("Content-Length", str(len(body))), *headers])
    return [body]


def _r(method: str, path: str, scope: str | None, handler: Callable[[SandboxApp, Request], tuple[int, Any]]) -> Route:
    return (method, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$"), scope, handler)


ROUTES: list[Route] = [
    _r("GET", "/v1/health", None, SandboxApp.health),
    _r("GET", "/v1/accounts", "accounts:read", SandboxApp.list_accounts),
    _r("GET", "/v1/platforms", "capabilities:read", SandboxApp.list_platforms),
    _r("GET", "/v1/platforms/{platform}", "capabilities:read", SandboxApp.get_platform),
    _r("POST", "/v1/media/upload-url", "posts:write", SandboxApp.upload_url),
    _r("POST", "/v1/media/from-url", "posts:write", SandboxApp.from_url),
    _r("GET", "/v1/posts", "posts:read", SandboxApp.list_posts),
    _r("POST", "/v1/posts", "posts:write", SandboxApp.create_post),
    _r("GET", "/v1/posts/{id}", "posts:read", SandboxApp.get_post),
    _r("DELETE", "/v1/posts/{id}", "posts:write", SandboxApp.cancel_post),
    _r("GET", "/v1/ideas/today", "ideas:read", SandboxApp.idea_today),
    _r("GET", "/v1/analytics", "analytics:read", SandboxApp.analytics),
    _r("POST", "/v1/generate", "generate:write", SandboxApp.generate),
]
