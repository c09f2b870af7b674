"""SydiumClient against real loopback servers answering with each fault: exit codes and publish counts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sydium_cli.api import errors as E
from sydium_cli.api import models as M
from sydium_cli.api.client import RetryPolicy, SydiumClient
from sydium_cli.api.secret import SecretKey
from tests.faults import servers as S

KEY = SecretKey("sk_test_" + "f" * 24)
REQUEST = M.CreatePostRequest(caption="Hello", targets=[M.PostTarget(platform="x")])


def make_client(base_url: str, sleeps: list[float] | None = None, timeout: float = 0.5) -> SydiumClient:
    record = sleeps if sleeps is not None else []
    return SydiumClient(
        base_url,
        key_provider=lambda: KEY,
        timeout=timeout,
        retry=RetryPolicy(attempts=3, base_delay=0, max_delay=0, budget=5),
        sleep=record.append,
    )


def publish(server: S.FaultServer, **kw: float) -> E.SydiumError | M.Operation:
    with make_client(server.url, **kw) as client:  # type: ignore[arg-type]
        try:
            return client.create_post(REQUEST)
        except E.SydiumError as error:
            return error


def assert_error(result: object, cls: type[E.SydiumError], code: E.ExitCode) -> E.SydiumError:
    assert isinstance(result, cls), result
    assert result.exit_code == code
    assert result.message and "Traceback" not in result.message
    assert "f" * 24 not in result.message
    return result


# ---- nothing reached the server ---------------------------------------------------------------


def test_refused_connection_is_network_error_exit_1() -> None:
    sleeps: list[float] = []
    with S.closed_port() as url, make_client(url, sleeps) as client, pytest.raises(E.NetworkError) as info:
        client.create_post(REQUEST)
    assert info.value.exit_code == E.ExitCode.ERROR
    assert "connection refused" in info.value.message
    assert len(sleeps) == 2  # nothing was sent, so the publish may be retried (bounded)


def test_dns_failure_is_network_error_and_not_retried() -> None:
    sleeps: list[float] = []
    with make_client("https://api.sydium.invalid", sleeps) as client, pytest.raises(E.NetworkError) as info:
        client.create_post(REQUEST)
    assert "could not be resolved" in info.value.message
    assert sleeps == []


def test_https_against_plain_http_server_is_tls_error_and_nothing_published() -> None:
    sleeps: list[float] = []
    with S.FaultServer(S.ok(S.operation())) as server:
        with (
            make_client(server.url.replace("http://", "https://"), sleeps) as client,
            pytest.raises(E.NetworkError) as info,
        ):
            client.create_post(REQUEST)
        assert server.publishes == 0
    assert "TLS" in info.value.message or "SSL" in info.value.message
    assert sleeps == []  # a TLS failure is not retried


def test_self_signed_certificate_is_refused(tmp_path: Path) -> None:
    with S.FaultServer(S.ok(S.operation()), tls=S.self_signed_context(tmp_path)) as server:
        with make_client(server.url) as client, pytest.raises(E.NetworkError) as info:
            client.create_post(REQUEST)
        assert server.publishes == 0
    assert "certificate" in info.value.message.lower()


# ---- the request may have arrived: exit 3, never re-sent ----------------------------------------


@pytest.mark.parametrize(
    ("action", "arrived"),
    [
        (S.stall(5), 1),
        (S.drip(0.2), 1),
        (S.hang_up(before_body=True), 0),
        (S.hang_up(before_body=False), 1),
        (S.truncated(), 1),
        (S.huge(201), 1),
        (S.huge(500), 1),
        (S.reply(201, "{not json"), 1),
        (S.reply(200, "<html><body>OK</body></html>", ctype="text/html"), 1),
        (S.ok({"id": "op_1", "targets": "nope"}, check=False), 1),
        (S.ok([1, 2, 3], check=False), 1),
        (S.reply(201, {"success": True}), 1),
        (S.reply(502, "<html><h1>502 Bad Gateway</h1></html>", ctype="text/html"), 1),
        (S.reply(503, ""), 1),
    ],
    ids=repr,
)
def test_publish_outcome_unknown_exits_3_and_is_sent_at_most_once(action: S.Action, arrived: int) -> None:
    with S.FaultServer(action) as server:
        result = publish(server)
        assert S.wait_until(lambda: len(server.requests) >= 1)
        assert server.publishes == arrived
        assert len(server.requests) == 1, "a publish that may have arrived must never be re-sent"
        assert server.violations == []
    error = assert_error(result, E.UnknownOutcomeError, E.ExitCode.UNKNOWN_OUTCOME)
    assert "--force" in (error.hint or "") and "posts list" in (error.hint or "")


@pytest.mark.parametrize("status", [500, 501, 502, 503, 504, 507, 599])
def test_every_5xx_on_publish_is_unknown_outcome(status: int) -> None:
    with S.FaultServer(S.api_error(status, "internal_error")) as server:
        result = publish(server)
        assert server.publishes == 1 and len(server.requests) == 1
    assert_error(result, E.UnknownOutcomeError, E.ExitCode.UNKNOWN_OUTCOME)


# ---- the API refused it: a documented exit code, never re-sent -----------------------------------

FOUR_XX = {
    400: E.ExitCode.USAGE,
    401: E.ExitCode.AUTH,
    402: E.ExitCode.USAGE,
    403: E.ExitCode.AUTH,
    404: E.ExitCode.ERROR,
    405: E.ExitCode.USAGE,
    409: E.ExitCode.USAGE,
    410: E.ExitCode.USAGE,
    413: E.ExitCode.USAGE,
    415: E.ExitCode.USAGE,
    418: E.ExitCode.USAGE,
    422: E.ExitCode.USAGE,
    451: E.ExitCode.USAGE,
}


@pytest.mark.parametrize(("status", "code"), sorted(FOUR_XX.items()))
def test_every_4xx_on_publish_maps_to_its_exit_code(status: int, code: E.ExitCode) -> None:
    with S.FaultServer(S.api_error(status, "some_new_code_" + str(status), "refused", check=False)) as server:
        result = publish(server)
        assert server.publishes == 1 and len(server.requests) == 1
    assert_error(result, E.APIError, code)


def test_4xx_html_page_is_readable() -> None:
    page = "<!doctype html><html><body><h1>Forbidden</h1></body></html>"
    with S.FaultServer(S.reply(403, page, ctype="text/html")) as server:
        result = publish(server)
        assert server.publishes == 1
    error = assert_error(result, E.PermissionDeniedError, E.ExitCode.AUTH)
    assert "HTML" in error.message and "<h1>" not in error.message


def test_429_without_retry_after_is_not_retried_and_says_why() -> None:
    sleeps: list[float] = []
    with S.FaultServer(S.api_error(429, "rate_limited")) as server:
        result = publish(server, sleeps=sleeps)
        assert server.publishes == 1
    error = assert_error(result, E.RateLimitedError, E.ExitCode.RATE_LIMITED)
    assert "out of tokens" in (error.hint or "")
    assert sleeps == []


def test_429_with_retry_after_is_retried_once_the_api_rejected_it() -> None:
    sleeps: list[float] = []
    actions = [S.api_error(429, "rate_limited", headers={"Retry-After": "1"}), S.ok(S.operation())]
    with S.FaultServer(actions) as server:
        result = publish(server, sleeps=sleeps)
        assert server.publishes == 2  # the first was provably refused
    assert isinstance(result, M.Operation)
    assert sleeps == [1.0]


def test_429_retries_are_bounded() -> None:
    sleeps: list[float] = []
    with S.FaultServer(S.api_error(429, "rate_limited", headers={"Retry-After": "0"})) as server:
        result = publish(server, sleeps=sleeps)
        assert server.publishes == 3
    assert_error(result, E.RateLimitedError, E.ExitCode.RATE_LIMITED)


def test_retry_after_beyond_the_cap_is_not_waited() -> None:
    sleeps: list[float] = []
    with S.FaultServer(S.api_error(429, "rate_limited", headers={"Retry-After": "86400"})) as server:
        result = publish(server, sleeps=sleeps)
        assert server.publishes == 1
    assert_error(result, E.RateLimitedError, E.ExitCode.RATE_LIMITED)
    assert sleeps == []


def test_unknown_operation_status_is_accepted() -> None:
    op = S.operation()
    op["status"] = "teleported"
    op["targets"][0]["status"] = "in_orbit"
    with S.FaultServer(S.ok(op, check=False)) as server:
        result = publish(server)
    assert isinstance(result, M.Operation) and result.status == "teleported"


# ---- reads: retried within bounds ------------------------------------------------------------


ReadCall = Callable[[SydiumClient], object]


@pytest.mark.parametrize(
    ("action", "cls"),
    [
        (S.stall(5), E.NetworkError),
        (S.hang_up(before_body=False), E.NetworkError),
        (S.huge(200), E.ResponseError),
        (S.reply(200, "{truncated"), E.ResponseError),
        (S.reply(502, "<html>bad gateway</html>", ctype="text/html"), E.ServerError),
        (S.api_error(503, "external_service_error"), E.ServerError),
    ],
    ids=repr,
)
def test_read_faults_exit_1_after_bounded_retries(action: S.Action, cls: type[E.SydiumError]) -> None:
    sleeps: list[float] = []
    with S.FaultServer(action) as server:
        with make_client(server.url, sleeps, timeout=0.3) as client, pytest.raises(cls) as info:
            client.list_accounts()
        assert len(server.requests) <= 3
    assert info.value.exit_code == E.ExitCode.ERROR
    assert "Traceback" not in info.value.message


def test_read_recovers_after_a_transient_5xx() -> None:
    actions = [S.api_error(503, "internal_error"), S.ok({"accounts": []}, status=200)]
    with S.FaultServer(actions) as server, make_client(server.url) as client:
        assert client.list_accounts() == []
        assert len(server.requests) == 2


def test_temporary_dns_failure_is_described_and_may_be_retried() -> None:
    import httpx

    from sydium_cli.api.client import _describe, _permanent_connect_failure

    temporary = httpx.ConnectError("[Errno -3] Temporary failure in name resolution")
    assert "could not be resolved" in _describe(temporary)
    assert not _permanent_connect_failure(temporary)
    assert _permanent_connect_failure(httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"))
