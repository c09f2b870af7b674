"""The Sydium API client over httpx: envelope, retries, error translation. No terminal code here."""

from __future__ import annotations

import json
import random
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from sydium_cli import __version__
from sydium_cli.api import errors as E
from sydium_cli.api import models as M
from sydium_cli.api.secret import SecretKey, redact
from sydium_cli.api.tls import DeferredTrustContext
from sydium_cli.api.wire import WireError, WireModel

T = TypeVar("T", bound=WireModel)

USER_AGENT = f"sydium-cli/{__version__}"
MAX_BODY_BYTES = 8 * 1024 * 1024  # no documented response is anywhere near this
UPLOAD_CHUNK = 256 * 1024
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})

KeyProvider = Callable[[], SecretKey]
DebugLog = Callable[[str], None]


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: at most `attempts` tries and `budget` seconds in all, `Retry-After` capped."""

    attempts: int = 4
    budget: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 8.0
    retry_after_cap: float = 30.0

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the `attempt`-th retry (1-based)."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _Sent(Exception):
    """Internal: a transport failure after the request may have reached the server."""

    def __init__(self, cause: httpx.HTTPError) -> None:
        super().__init__(str(cause))
        self.cause = cause


class SydiumClient:
    """Every REST operation of sydium-openapi.yaml, returning the wire models of models.py."""

    def __init__(
        self,
        base_url: str,
        *,
        key_provider: KeyProvider | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        debug_log: DebugLog | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._parts = urlsplit(self.base_url)
        self._key_provider = key_provider
        self._retry = retry or RetryPolicy()
        self._debug = debug_log
        self._sleep = sleep
        self._body_deadline = max(timeout * 2, 1.0)  # a slow drip must not keep a read alive forever
        self._in_process = transport is not None and not isinstance(transport, httpx.HTTPTransport)
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=transport,
            follow_redirects=False,
            verify=DeferredTrustContext(),  # CA bundle (SSL_CERT_FILE, SSL_CERT_DIR, certifi) read at first use
            trust_env=True,  # proxies (HTTPS_PROXY, NO_PROXY) from the env
        )

    # ---- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SydiumClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def retry_sleep(self, sleep: Callable[[float], None]) -> Iterator[Callable[[float], None]]:
        """Route retry waits through `sleep` for a while (a batch shares one rate-limit gate).

        Yields the sleep the client used before, so the replacement can still wait the same way.
        """
        original = self._sleep
        self._sleep = sleep
        try:
            yield original
        finally:
            self._sleep = original

    # ---- operations -------------------------------------------------------------------------

    def health(self) -> M.Health:
        return self._call("GET", "/v1/health", M.Health, auth=False)

    def list_accounts(self) -> list[M.Account]:
        return self._call("GET", "/v1/accounts", M.AccountList).accounts

    def list_platforms(self) -> list[M.PlatformCapability]:
        return self._call("GET", "/v1/platforms", M.PlatformList).platforms

    def get_platform(self, platform: str) -> M.PlatformCapability:
        return self._call("GET", f"/v1/platforms/{_segment(platform)}", M.PlatformCapability)

    def create_upload_url(self, content_type: str, file_size: int) -> M.MediaUrl:
        body = M.MediaUploadUrlRequest(content_type=content_type, file_size=file_size)
        # Minting an upload URL changes nothing visible, so it may be retried like a read.
        return self._call("POST", "/v1/media/upload-url", M.MediaUrl, json_body=body.wire(), idempotent=True)

    def media_from_url(self, url: str) -> M.MediaUrl:
        body = M.MediaFromUrlRequest(url=url)
        return self._call("POST", "/v1/media/from-url", M.MediaUrl, json_body=body.wire())

    def list_posts(self, from_: str | None = None, to: str | None = None) -> list[M.ScheduledPost]:
        params = {k: v for k, v in (("from", from_), ("to", to)) if v}
        return self._call("GET", "/v1/posts", M.ScheduledPostList, params=params).posts

    def create_post(self, request: M.CreatePostRequest) -> M.Operation:
        """Publish or schedule. Never re-sent once it may have reached the API (exit 3 instead)."""
        return self._call("POST", "/v1/posts", M.Operation, json_body=request.wire(), publish=True)

    def get_post(self, operation_id: str) -> M.Operation:
        return self._call("GET", f"/v1/posts/{_segment(operation_id)}", M.Operation)

    def cancel_post(self, operation_id: str) -> M.Operation:
        return self._call("DELETE", f"/v1/posts/{_segment(operation_id)}", M.Operation)

    def idea_today(self) -> M.TodayIdea | None:
        return self._call("GET", "/v1/ideas/today", M.IdeaEnvelope).idea

    def analytics(self, from_: str | None = None, to: str | None = None) -> M.Analytics:
        params = {k: v for k, v in (("from", from_), ("to", to)) if v}
        return self._call("GET", "/v1/analytics", M.Analytics, params=params)

    def generate(self, request: M.GenerateRequest) -> M.Generated:
        # Generation spends tokens: like a publish, it is not re-sent once it may have arrived.
        return self._call("POST", "/v1/generate", M.Generated, json_body=request.wire())

    def upload_file(
        self,
        upload_url: str,
        path: Path,
        *,
        content_type: str,
        size: int,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """PUT the file's bytes to a presigned URL, streamed in chunks; the key is never sent there."""

        def chunks() -> Iterator[bytes]:
            sent = 0
            with path.open("rb") as handle:
                while sent < size:
                    chunk = handle.read(min(UPLOAD_CHUNK, size - sent))
                    if not chunk:
                        raise E.UsageError(f"{path} shrank while it was being uploaded.")
                    sent += len(chunk)
                    if progress:
                        progress(len(chunk))
                    yield chunk

        headers = {"Content-Type": content_type, "Content-Length": str(size)}
        url = upload_url if urlsplit(upload_url).scheme else self.base_url + upload_url
        self._log(f"> PUT {url} ({size} bytes)")
        try:
            response = self._http.put(url, content=chunks(), headers=headers)
        except httpx.TimeoutException:
            raise E.NetworkError(
                "The media upload stalled and timed out.", hint="Check the connection, or raise --timeout."
            ) from None
        except httpx.HTTPError as exc:
            raise E.NetworkError(f"The media upload failed: {_describe(exc)}.") from None
        self._log(f"< {response.status_code} from upload URL")
        if not response.is_success:
            raise E.ResponseError(
                f"The upload URL refused the file (HTTP {response.status_code}).", status=response.status_code
            )

    # ---- the one place requests are sent and answers read ------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        model: type[T],
        *,
        params: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        auth: bool = True,
        publish: bool = False,
        idempotent: bool | None = None,
    ) -> T:
        request = self._build(method, path, params=params, json_body=json_body, auth=auth)
        safe_to_resend = idempotent if idempotent is not None else method in ("GET", "DELETE")
        deadline = time.monotonic() + self._retry.budget
        attempt = 0
        while True:
            attempt += 1
            try:
                response, body = self._send(request)
            except _Sent as sent:
                if safe_to_resend and self._may_retry(attempt, deadline, None):
                    continue
                raise self._lost(sent.cause, publish=publish or not safe_to_resend) from None
            except E.NetworkError as unreachable:
                # Nothing reached the server (connect failure): any request may be retried,
                # unless retrying cannot help (a bad certificate, a name that does not exist).
                if unreachable.retryable and self._may_retry(attempt, deadline, None):
                    continue
                raise
            except E.ResponseError as exc:  # an answer too large to read
                if publish:
                    raise E.UnknownOutcomeError(
                        f"The API's answer to the publish could not be read: {exc.message}", hint=_CHECK_PUBLISH_HINT
                    ) from None
                raise
            if response.is_success:
                return self._parse(response, body, model, publish=publish)
            error = self._error(response, body)
            if self._retryable(error, safe_to_resend) and self._may_retry(attempt, deadline, error.retry_after):
                continue
            if publish and isinstance(error, E.ServerError):
                raise E.UnknownOutcomeError(
                    f"The API failed while handling the publish: {error.message}. "
                    "The post may or may not have gone out.",
                    hint=_CHECK_PUBLISH_HINT,
                ) from None
            if isinstance(error, E.RateLimitedError):
                _explain_rate_limit(error, publish=publish or not safe_to_resend)
            raise error

    def _build(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None,
        json_body: dict[str, Any] | None,
        auth: bool,
    ) -> httpx.Request:
        headers: dict[str, str] = {}
        if auth and self._key_provider is not None:
            self._check_transport_security()
            headers["Authorization"] = f"Bearer {self._key_provider().reveal()}"
        content = None
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        return self._http.build_request(method, path, params=params, content=content, headers=headers)

    def _check_transport_security(self) -> None:
        """A key never travels over plain HTTP, except to a loopback host or the in-process sandbox."""
        if self._parts.scheme == "https" or self._in_process or is_loopback(self._parts.hostname):
            return
        raise E.UsageError(
            f"Refusing to send the API key over plain HTTP to {self._parts.hostname}.",
            hint="Use an https:// base URL (plain http is allowed only for 127.0.0.1 / localhost).",
        )

    def _send(self, request: httpx.Request) -> tuple[httpx.Response, bytes]:
        self._log_request(request)
        try:
            response = self._http.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol) as exc:
            raise E.NetworkError(
                f"Could not reach the Sydium API at {self.base_url}: {_describe(exc)}.",
                hint="Check the network, the base URL (--base-url / SYDIUM_BASE_URL), proxies and CA bundle.",
                retryable=not _permanent_connect_failure(exc),
            ) from None
        except httpx.ProxyError as exc:
            raise E.NetworkError(f"The proxy refused the connection: {_describe(exc)}.") from None
        except httpx.HTTPError as exc:  # read/write timeouts, dropped connections: may have arrived
            raise _Sent(exc) from None
        try:
            body = self._read_capped(response, time.monotonic() + self._body_deadline)
        except httpx.HTTPError as exc:
            raise _Sent(exc) from None
        finally:
            response.close()
        self._log_response(response, body)
        return response, body

    @staticmethod
    def _read_capped(response: httpx.Response, deadline: float) -> bytes:
        chunks: list[bytes] = []
        total = 0
        for chunk in response.iter_bytes():
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("the answer trickled in too slowly")
            total += len(chunk)
            if total > MAX_BODY_BYTES:
                raise E.ResponseError(
                    f"The API's answer exceeded {MAX_BODY_BYTES // (1024 * 1024)} MiB and was not read.",
                    status=response.status_code,
                    hint="This is not a documented response; check --base-url points at the Sydium API.",
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _may_retry(self, attempt: int, deadline: float, retry_after: float | None) -> bool:
        if attempt >= self._retry.attempts:
            return False
        delay = self._retry.backoff(attempt) if retry_after is None else retry_after
        if retry_after is not None and retry_after > self._retry.retry_after_cap:
            return False
        if time.monotonic() + delay > deadline:
            return False
        self._log(f"retrying in {delay:.1f}s (attempt {attempt + 1} of {self._retry.attempts})")
        self._sleep(delay)
        return True

    @staticmethod
    def _retryable(error: E.APIError, safe_to_resend: bool) -> bool:
        if isinstance(error, E.RateLimitedError):
            # A 429 means the API rejected the request, so even a publish may be re-sent, but only
            # when the server says when: a bare 429 on a spending call may mean "out of tokens".
            return safe_to_resend or error.retry_after is not None
        return safe_to_resend and isinstance(error, E.ServerError)

    def _lost(self, cause: httpx.HTTPError, *, publish: bool) -> E.SydiumError:
        what = _describe(cause)
        if publish:
            return E.UnknownOutcomeError(
                f"No answer came back from the API ({what}); the request may have reached it.",
                hint=_CHECK_PUBLISH_HINT,
            )
        return E.NetworkError(
            f"The Sydium API did not answer ({what}).",
            hint="Try again, or raise --timeout / SYDIUM_TIMEOUT if the network is slow.",
        )

    # ---- reading answers ----------------------------------------------------------------------

    def _parse(self, response: httpx.Response, body: bytes, model: type[T], *, publish: bool) -> T:
        try:
            data = _envelope_data(response, body)
            return model.from_wire(data)
        except (E.ResponseError, WireError) as exc:
            detail = exc.message if isinstance(exc, E.ResponseError) else _schema_problem(exc)
            if publish:
                raise E.UnknownOutcomeError(
                    f"The API accepted the publish (HTTP {response.status_code}) but its answer could not "
                    f"be read: {detail}",
                    hint=_CHECK_PUBLISH_HINT,
                ) from None
            raise E.ResponseError(
                f"Unexpected answer from the API (HTTP {response.status_code}): {detail}",
                status=response.status_code,
                hint="Check that --base-url points at the Sydium API; run with --debug to see the answer.",
            ) from None

    def _error(self, response: httpx.Response, body: bytes) -> E.APIError:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        payload = _json_or_none(body)
        error = payload.get("error") if isinstance(payload, dict) else None
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            code = error.get("code") if isinstance(error.get("code"), str) else None
            return E.api_error(status, code, error["message"], body=payload, retry_after=retry_after)
        kind = _body_kind(response, body)
        reason = response.reason_phrase or "error"
        return E.api_error(status, None, f"The API answered {reason} with {kind}", retry_after=retry_after)

    # ---- debug log (always redacted) ----------------------------------------------------------

    def _log(self, line: str) -> None:
        if self._debug:
            self._debug(redact(line))

    def _log_request(self, request: httpx.Request) -> None:
        if not self._debug:
            return
        self._log(f"> {request.method} {request.url}")
        for name, value in request.headers.items():
            shown = "[REDACTED]" if name.lower() == "authorization" else value
            self._log(f"> {name}: {shown}")
        if request.content:
            self._log(f"> {request.content.decode('utf-8', 'replace')[:4000]}")

    def _log_response(self, response: httpx.Response, body: bytes) -> None:
        if not self._debug:
            return
        self._log(f"< HTTP {response.status_code} {response.reason_phrase}")
        for name, value in response.headers.items():
            self._log(f"< {name}: {value}")
        self._log(f"< {body[:4000].decode('utf-8', 'replace')}")


_CHECK_PUBLISH_HINT = (
    "Do not simply re-run it. For a scheduled post, check `sydium posts list`; for a publish-now post, "
    "check the platform itself. Re-send with --force only once you know it did not go out."
)


def _segment(value: str) -> str:
    if not value or not value.strip():
        raise E.UsageError("An empty id or name was given.")
    return quote(value, safe="")


def _describe(exc: BaseException) -> str:
    names = {
        httpx.ConnectTimeout: "connection timed out",
        httpx.ReadTimeout: "timed out waiting for the answer",
        httpx.WriteTimeout: "timed out while sending",
        httpx.PoolTimeout: "no free connection",
        httpx.RemoteProtocolError: "the connection was closed without a complete answer",
        httpx.ReadError: "the connection broke while reading the answer",
        httpx.WriteError: "the connection broke while sending",
        httpx.UnsupportedProtocol: "unsupported URL scheme",
    }
    for cls, text in names.items():
        if isinstance(exc, cls):
            return text
    text = redact(str(exc)) or type(exc).__name__
    lowered = text.lower()
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return f"TLS error: {text}"
    if any(m in lowered for m in _DNS_FAILURES):
        return f"the host name could not be resolved ({text})"
    if "refused" in lowered:
        return "connection refused"
    return text


def _permanent_connect_failure(exc: BaseException) -> bool:
    """True for failures a retry cannot fix: TLS certificate/handshake errors, a non-existent host name."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        if isinstance(seen, socket.gaierror) and seen.errno in _PERMANENT_GAI:
            return True
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    return "certificate" in text or "ssl" in text or "name or service not known" in text


_PERMANENT_GAI = frozenset(
    code for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None)) if code is not None
)


_DNS_FAILURES = ("name or service not known", "nodename nor servname", "getaddrinfo", "name resolution")


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _body_kind(response: httpx.Response, body: bytes) -> str:
    if not body.strip():
        return "an empty body"
    ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if "html" in ctype or body.lstrip()[:1] == b"<":
        return "an HTML page instead of JSON"
    if _json_or_none(body) is None:
        return "a body that is not valid JSON"
    return "JSON that is not the documented error envelope"


def _envelope_data(response: httpx.Response, body: bytes) -> Any:
    payload = _json_or_none(body)
    if payload is None:
        raise E.ResponseError(f"{_body_kind(response, body)}.")
    if not isinstance(payload, dict) or "data" not in payload or payload.get("success") is not True:
        raise E.ResponseError("JSON that is not the documented {success, data, meta} envelope.")
    return payload["data"]


def _schema_problem(exc: WireError) -> str:
    return f"field {exc.path or 'data'!r}: {exc.problem}."


def _explain_rate_limit(error: E.APIError, *, publish: bool) -> None:
    if error.retry_after is not None:
        error.hint = f"The API is rate limiting; it asked to wait {error.retry_after:.0f}s. Try again after that."
    elif publish:
        error.hint = (
            "A 429 without Retry-After on a spending call probably means the team is out of tokens "
            "(or over a rate limit). Nothing was published; check the plan's usage before retrying."
        )
