"""SydiumClient: every REST operation, against a real loopback server that checks the contract."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from sydium_cli.api import errors as E
from sydium_cli.api import models as M
from sydium_cli.api.client import RetryPolicy, SydiumClient, parse_retry_after
from sydium_cli.api.secret import SecretKey
from tests.contract import validate_request, validate_response

KEY = SecretKey("sk_test_" + "c" * 24)
OP = {
    "id": "op_6d28cc8ebc8dde89f1f3fa19",
    "status": "processing",
    "targets": [
        {"platform": "x", "status": "processing", "postId": None, "url": None, "error": None},
        {"platform": "mastodon", "status": "queued_somewhere", "novelField": {"a": 1}},
    ],
    "futureField": True,
}


def ok(data: Any, status: int = 200) -> Response:
    return Response(json.dumps({"success": True, "data": data, "meta": {}}), status, content_type="application/json")


def fail(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = {"success": False, "error": {"code": code, "message": message}, "meta": {}}
    return Response(json.dumps(body), status, headers=headers, content_type="application/json")


class ContractServer:
    """Wraps pytest-httpserver: every request is validated against the contract; answers too."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.seen: list[tuple[str, str, Any]] = []

    def route(self, method: str, path: str, response: Response | list[Response]) -> None:
        queue = response if isinstance(response, list) else None

        def handler(request: Request) -> Response:
            body = json.loads(request.data) if request.data else None
            self.seen.append((request.method, request.path, body))
            validate_request(
                request.method, request.path, query=dict(request.args), body=body, headers=dict(request.headers)
            )
            answer = queue.pop(0) if queue else response
            assert isinstance(answer, Response)
            if answer.status_code in (200, 201) or answer.status_code < 500:
                payload = json.loads(answer.get_data())
                if "success" in payload:
                    validate_response(request.method, request.path, answer.status_code, payload)
            return answer

        self.server.expect_request(path, method=method).respond_with_handler(handler)

    def client(self, **kwargs: Any) -> SydiumClient:
        kwargs.setdefault("key_provider", lambda: KEY)
        kwargs.setdefault("retry", RetryPolicy(attempts=3, base_delay=0, max_delay=0))
        kwargs.setdefault("sleep", lambda _s: None)
        return SydiumClient(self.server.url_for("").rstrip("/"), **kwargs)


@pytest.fixture
def api(httpserver: HTTPServer) -> Iterator[ContractServer]:
    yield ContractServer(httpserver)


def test_every_read_operation_returns_models(api: ContractServer) -> None:
    account = {"platform": "x", "username": "acme", "displayName": "Acme", "profilePicture": None}
    cap = {"platform": "x", "captionLimit": 280, "maxMediaItems": 4, "mediaTypes": ["image"], "media": None}
    api.route("GET", "/v1/health", ok({"status": "ok", "version": "1.2.3"}))
    api.route("GET", "/v1/accounts", ok({"accounts": [account]}))
    api.route("GET", "/v1/platforms", ok({"platforms": [cap]}))
    api.route("GET", "/v1/platforms/x", ok(cap))
    api.route("GET", "/v1/posts", ok({"posts": []}))
    api.route("GET", "/v1/ideas/today", ok({"idea": None}))
    api.route("GET", "/v1/analytics", ok({"range": {"from": "2026-11-01", "to": "2026-11-30"}, "days": []}))
    with api.client() as client:
        assert client.health() == M.Health(status="ok", version="1.2.3")
        assert client.list_accounts()[0].display_name == "Acme"
        assert client.list_platforms()[0].caption_limit == 280
        assert client.get_platform("x").max_media_items == 4
        assert client.list_posts("2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z") == []
        assert client.idea_today() is None
        assert client.analytics("2026-11-01", "2026-11-30").range.from_ == "2026-11-01"
    paths = [(m, p) for m, p, _ in api.seen]
    assert ("GET", "/v1/analytics") in paths and len(paths) == 7


def test_health_sends_no_key_and_reads_send_user_agent(api: ContractServer, httpserver: HTTPServer) -> None:
    api.route("GET", "/v1/health", ok({"status": "ok", "version": "1"}))
    with api.client() as client:
        client.health()
    request, _ = httpserver.log[0]
    assert "Authorization" not in request.headers
    assert request.headers["User-Agent"].startswith("sydium-cli/")


def test_operations_keep_unknown_fields_and_statuses(api: ContractServer, httpserver: HTTPServer) -> None:
    # A newer server: an enum value and fields the contract does not list yet (so not contract-checked).
    httpserver.expect_request("/v1/posts/op_6d28cc8ebc8dde89f1f3fa19").respond_with_json({"success": True, "data": OP})
    with api.client() as client:
        op = client.get_post("op_6d28cc8ebc8dde89f1f3fa19")
    assert op.targets[1].status == "queued_somewhere"
    assert op.wire() == OP  # passed through unchanged, unknown fields and nulls included


def test_writes_send_contract_bodies(api: ContractServer) -> None:
    media = {"uploadUrl": "https://u.example/put", "publicUrl": "https://cdn.sydium.com/m/1", "key": "m/1"}
    api.route("POST", "/v1/media/upload-url", ok(media, 201))
    api.route("POST", "/v1/media/from-url", ok({"publicUrl": "https://cdn.sydium.com/m/2", "key": "m/2"}, 201))
    api.route("POST", "/v1/generate", ok({"text": "Hello", "tokensUsed": 12}))
    scheduled = {"id": "op_2", "status": "scheduled", "targets": [{"platform": "youtube", "status": "scheduled"}]}
    api.route("POST", "/v1/posts", ok(scheduled, 201))
    api.route("DELETE", "/v1/posts/op_1", ok({"id": "op_1", "status": "cancelled", "targets": []}))
    request = M.CreatePostRequest(
        caption="Shipping > talking.",
        schedule_at="2027-01-01T09:00:00+01:00",
        targets=[M.PostTarget(platform="youtube", post_type="short", options={"privacy": "public"})],
    )
    with api.client() as client:
        assert client.create_upload_url("image/png", 10).upload_url == "https://u.example/put"
        assert client.media_from_url("https://example.org/a.png").key == "m/2"
        assert client.generate(M.GenerateRequest(topic="launch", tone="bold")).tokens_used == 12
        assert client.create_post(request).status == "scheduled"
        assert client.cancel_post("op_1").status == "cancelled"
    bodies = {p: b for _m, p, b in api.seen}
    assert bodies["/v1/posts"] == {
        "caption": "Shipping > talking.",
        "scheduleAt": "2027-01-01T09:00:00+01:00",
        "targets": [{"platform": "youtube", "postType": "short", "options": {"privacy": "public"}}],
    }
    assert bodies["/v1/media/upload-url"] == {"contentType": "image/png", "fileSize": 10}


def test_path_ids_are_escaped() -> None:
    seen: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path)
        return httpx.Response(200, json={"success": True, "data": {"id": "x", "status": "scheduled", "targets": []}})

    client = SydiumClient("https://api.sydium.com", key_provider=lambda: KEY, transport=httpx.MockTransport(answer))
    client.get_post("a/../b?c")
    assert seen == [b"/v1/posts/a%2F..%2Fb%3Fc"]


@pytest.mark.parametrize(
    ("status", "code", "cls", "exit_code"),
    [
        (400, "bad_request", E.BadRequestError, 2),
        (401, "unauthorized", E.AuthenticationError, 4),
        (403, "insufficient_permissions", E.PermissionDeniedError, 4),
        (404, "not_found", E.NotFoundError, 1),
        (413, "payload_too_large", E.PayloadTooLargeError, 2),
        (422, "unprocessable", E.ValidationFailedError, 2),
        (409, "invalid_state", E.ValidationFailedError, 2),
        (418, "brand_new_code", E.BadRequestError, 2),
        (500, "internal_error", E.ServerError, 1),
    ],
)
def test_error_envelopes_map_by_status_then_code(
    httpserver: HTTPServer, status: int, code: str, cls: type[E.APIError], exit_code: int
) -> None:
    httpserver.expect_request("/v1/accounts").respond_with_response(fail(status, code, "nope"))
    client = SydiumClient(httpserver.url_for(""), key_provider=lambda: KEY, retry=RetryPolicy(attempts=1))
    with pytest.raises(cls) as info:
        client.list_accounts()
    assert info.value.exit_code == exit_code
    assert "nope" in info.value.message and code in info.value.message


@pytest.mark.parametrize(
    ("body", "ctype", "expected"),
    [
        ("<html><body>502 Bad Gateway</body></html>", "text/html", "HTML page"),
        ('{"success": true, "data": {"accou', "application/json", "not valid JSON"),
        ('{"hello": 1}', "application/json", "envelope"),
        ('{"success": true, "data": {"accounts": [{"platform": 3}]}}', "application/json", "accounts"),
        ("", "application/json", "empty body"),
    ],
)
def test_malformed_success_answers_become_response_errors(
    httpserver: HTTPServer, body: str, ctype: str, expected: str
) -> None:
    httpserver.expect_request("/v1/accounts").respond_with_data(body, status=200, content_type=ctype)
    client = SydiumClient(httpserver.url_for(""), key_provider=lambda: KEY)
    with pytest.raises(E.ResponseError) as info:
        client.list_accounts()
    assert expected in info.value.message
    assert info.value.exit_code == 1


def test_html_502_on_read_is_retried_then_reported(httpserver: HTTPServer) -> None:
    page = "<html><title>502 Bad Gateway</title></html>"
    httpserver.expect_request("/v1/accounts").respond_with_data(page, status=502, content_type="text/html")
    client = SydiumClient(
        httpserver.url_for(""), key_provider=lambda: KEY, retry=RetryPolicy(attempts=3), sleep=lambda _s: None
    )
    with pytest.raises(E.ServerError) as info:
        client.list_accounts()
    assert "HTML page" in info.value.message and "502" in info.value.message
    assert len(httpserver.log) == 3


def test_publish_5xx_is_unknown_outcome_and_never_resent(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/posts", method="POST").respond_with_response(fail(500, "internal_error", "boom"))
    client = SydiumClient(httpserver.url_for(""), key_provider=lambda: KEY, sleep=lambda _s: None)
    request = M.CreatePostRequest(caption="hi", targets=[M.PostTarget(platform="x")])
    with pytest.raises(E.UnknownOutcomeError) as info:
        client.create_post(request)
    assert info.value.exit_code == 3
    assert len(httpserver.log) == 1


def test_publish_read_timeout_is_unknown_outcome_and_never_resent(httpserver: HTTPServer) -> None:
    import time

    received: list[int] = []

    def slow(_request: Request) -> Response:
        received.append(1)
        time.sleep(1.0)
        return ok(OP, 201)

    httpserver.expect_request("/v1/posts", method="POST").respond_with_handler(slow)
    client = SydiumClient(httpserver.url_for(""), key_provider=lambda: KEY, timeout=0.3, sleep=lambda _s: None)
    with pytest.raises(E.UnknownOutcomeError) as info:
        client.create_post(M.CreatePostRequest(caption="hi", targets=[M.PostTarget(platform="x")]))
    assert "may have reached" in info.value.message
    assert info.value.hint and "posts list" in info.value.hint
    assert received == [1]


def test_publish_429_with_retry_after_is_retried_without_it_is_not(httpserver: HTTPServer) -> None:
    sleeps: list[float] = []
    httpserver.expect_ordered_request("/v1/posts", method="POST").respond_with_response(
        fail(429, "rate_limited", "slow down", {"Retry-After": "2"})
    )
    httpserver.expect_ordered_request("/v1/posts", method="POST").respond_with_response(ok(OP, 201))
    client = SydiumClient(httpserver.url_for(""), key_provider=lambda: KEY, sleep=sleeps.append)
    request = M.CreatePostRequest(caption="hi", targets=[M.PostTarget(platform="x")])
    assert client.create_post(request).id == OP["id"]
    assert sleeps == [2.0]

    httpserver.clear()
    httpserver.expect_request("/v1/posts", method="POST").respond_with_response(
        fail(429, "rate_limited", "out of tokens")
    )
    with pytest.raises(E.RateLimitedError) as info:
        client.create_post(request)
    assert info.value.exit_code == 5
    assert info.value.hint and "out of tokens" in info.value.hint
    assert len(httpserver.log) == 1


def test_retry_after_beyond_cap_is_not_waited(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/accounts").respond_with_response(
        fail(429, "rate_limited", "later", {"Retry-After": "3600"})
    )
    client = SydiumClient(httpserver.url_for(""), key_provider=lambda: KEY, sleep=lambda s: pytest.fail(f"slept {s}"))
    with pytest.raises(E.RateLimitedError):
        client.list_accounts()
    assert len(httpserver.log) == 1


def test_connection_refused_is_network_error_and_publish_may_retry() -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    attempts: list[float] = []
    client = SydiumClient(
        f"http://127.0.0.1:{port}", key_provider=lambda: KEY, retry=RetryPolicy(attempts=2), sleep=attempts.append
    )
    with pytest.raises(E.NetworkError) as info:
        client.create_post(M.CreatePostRequest(caption="hi", targets=[M.PostTarget(platform="x")]))
    assert info.value.exit_code == 1 and "connection refused" in info.value.message.lower()
    assert len(attempts) == 1  # nothing was sent, so one retry was allowed


def test_key_never_sent_over_plain_http_to_a_remote_host() -> None:
    seen: list[httpx.Request] = []
    transport = httpx.HTTPTransport()
    client = SydiumClient("http://api.example.com", key_provider=lambda: KEY, transport=transport)
    client._http._transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200))
    with pytest.raises(E.UsageError) as info:
        client.list_accounts()
    assert "plain HTTP" in info.value.message and not seen


def test_debug_log_redacts_the_key(api: ContractServer) -> None:
    lines: list[str] = []
    api.route("GET", "/v1/accounts", ok({"accounts": []}))
    with api.client(debug_log=lines.append) as client:
        client.list_accounts()
    text = "\n".join(lines)
    assert "GET" in text and KEY.reveal() not in text and "[REDACTED]" in text


def test_upload_streams_without_authorization(httpserver: HTTPServer, tmp_path: Path) -> None:
    path = tmp_path / "clip.bin"
    path.write_bytes(b"x" * 700_000)
    received: dict[str, Any] = {}

    def put(request: Request) -> Response:
        received["len"] = len(request.get_data())
        received["auth"] = request.headers.get("Authorization")
        return Response("", 200)

    httpserver.expect_request("/upload/abc", method="PUT").respond_with_handler(put)
    progress: list[int] = []
    client = SydiumClient("https://api.sydium.com", key_provider=lambda: KEY)
    client.upload_file(
        httpserver.url_for("/upload/abc"), path, content_type="video/mp4", size=700_000, progress=progress.append
    )
    assert received == {"len": 700_000, "auth": None}
    assert sum(progress) == 700_000 and len(progress) >= 3


@pytest.mark.parametrize(("value", "expected"), [("5", 5.0), ("0", 0.0), ("soon", None), (None, None)])
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected
