"""`sydium posts list/show/cancel` against a contract-checking loopback API."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pytest_httpserver import HTTPServer

from tests.api_fake import OP_ID, ContractApi, cli, fail, ok, operation, start_api, sydium, target


@pytest.fixture
def api(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> ContractApi:
    return start_api(httpserver, monkeypatch)


SCHEDULED = {
    "id": OP_ID,
    "scheduledFor": "2026-12-05T09:00:00Z",
    "caption": "Launch [bold]day[/bold] :fire:",
    "platforms": ["x", "linkedin"],
    "status": "scheduled",
}


def test_posts_list_pipes_the_api_data_as_json(api: ContractApi) -> None:
    api.route("GET", "/v1/posts", ok({"posts": [SCHEDULED]}))
    result = sydium("posts", "list")
    assert result.code == 0, result.stderr
    assert result.json() == {"posts": [SCHEDULED]}
    assert api.seen[0][2] == {}


def test_posts_list_bare_dates_cover_whole_local_days(api: ContractApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Paris")
    api.route("GET", "/v1/posts", ok({"posts": []}))
    result = cli("posts", "list", "--from", "2026-12-05", "--to", "2026-12-06")
    assert result.code == 0, result.stderr
    assert api.seen[0][2] == {"from": "2026-12-04T23:00:00Z", "to": "2026-12-06T23:00:00Z"}


def test_posts_list_relative_window_uses_the_same_forms_as_at(api: ContractApi) -> None:
    api.route("GET", "/v1/posts", ok({"posts": []}))
    before = datetime.now(timezone.utc)
    assert cli("posts", "list", "--to", "in 2h").code == 0
    sent = datetime.fromisoformat(api.seen[0][2]["to"].replace("Z", "+00:00"))
    assert timedelta(hours=1, minutes=59) < sent - before < timedelta(hours=2, minutes=1)


def test_posts_list_rejects_a_reversed_window_before_any_request(api: ContractApi) -> None:
    result = cli("posts", "list", "--from", "2026-12-06", "--to", "2026-12-05")
    assert result.code == 2
    assert "--to must be after --from" in result.stderr
    assert api.seen == []


def test_posts_list_table_shows_local_and_utc_and_literal_captions(
    api: ContractApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    api.route("GET", "/v1/posts", ok({"posts": [SCHEDULED]}))
    result = cli("posts", "list", tty=True, monkeypatch=monkeypatch)
    assert result.code == 0
    assert "2026-12-05 04:00 EST (2026-12-05 09:00 UTC)" in result.stdout
    assert "[bold]day[/bold]" in result.stdout and ":fire:" in result.stdout  # literal, not markup
    assert OP_ID in result.stdout


def test_posts_list_quiet_prints_ids(api: ContractApi) -> None:
    api.route("GET", "/v1/posts", ok({"posts": [SCHEDULED]}))
    assert cli("posts", "list", "-q").stdout == OP_ID + "\n"


def test_posts_show_exits_0_whatever_the_state_without_exit_status(api: ContractApi) -> None:
    failed = operation("failed", target("x", "failed", error={"code": "rejected", "message": "Duplicate content"}))
    api.route("GET", f"/v1/posts/{OP_ID}", ok(failed))
    result = cli("posts", "show", OP_ID)
    assert result.code == 0
    assert result.json() == failed


@pytest.mark.parametrize(
    ("status", "targets", "code"),
    [
        ("completed", [target("x", "published", url="https://x.com/a/1")], 0),
        ("partially_failed", [target("x", "published"), target("linkedin", "failed")], 6),
        ("processing", [target("x", "processing")], 8),
        ("cancelled", [target("x", "cancelled")], 0),
    ],
)
def test_posts_show_exit_status(api: ContractApi, status: str, targets: list[dict[str, object]], code: int) -> None:
    api.route("GET", f"/v1/posts/{OP_ID}", ok(operation(status, *targets)))
    assert cli("posts", "show", OP_ID, "--exit-status").code == code


def test_posts_show_table_lists_every_target_with_url_and_error(
    api: ContractApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    op = operation(
        "partially_failed",
        target("x", "published", url="https://x.com/acme/status/1"),
        target("linkedin", "failed", error={"code": "token_expired", "message": "Reconnect LinkedIn"}),
        target("mastodon", "teleported"),
    )
    api.route("GET", f"/v1/posts/{OP_ID}", ok(op), newer=True)
    result = cli("posts", "show", OP_ID, tty=True, monkeypatch=monkeypatch)
    assert result.code == 0
    for text in ("https://x.com/acme/status/1", "Reconnect LinkedIn (token_expired)", "teleported", "TEST"):
        assert text in result.stdout


def test_posts_show_unknown_id_exits_1_with_hint(api: ContractApi) -> None:
    api.route("GET", "/v1/posts/op_missing", fail(404, "not_found", "No such operation"))
    result = sydium("posts", "show", "op_missing")
    assert result.code == 1
    assert result.stdout == ""
    assert "No such operation" in result.stderr and "Hint:" in result.stderr


def test_posts_show_without_a_key_exits_4_before_any_request(api: ContractApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYDIUM_API_KEY")
    result = cli("posts", "show", OP_ID)
    assert result.code == 4
    assert api.seen == []


def test_posts_cancel_says_what_was_cancelled_and_what_was_left_alone(api: ContractApi) -> None:
    before = operation(
        "scheduled", target("x", "scheduled"), target("linkedin", "published"), target("youtube", "processing")
    )
    after = operation(
        "partially_cancelled",
        target("x", "cancelled"),
        target("linkedin", "published"),
        target("youtube", "processing"),
    )
    api.route("GET", f"/v1/posts/{OP_ID}", ok(before))
    api.route("DELETE", f"/v1/posts/{OP_ID}", ok(after))
    result = cli("posts", "cancel", OP_ID)
    assert result.code == 0
    assert result.json() == after
    assert "Cancelled: x." in result.stderr
    assert "linkedin (already published)" in result.stderr
    assert "youtube (already being published)" in result.stderr
    assert api.paths() == [("GET", f"/v1/posts/{OP_ID}"), ("DELETE", f"/v1/posts/{OP_ID}")]


def test_posts_cancel_table_on_a_terminal(api: ContractApi, monkeypatch: pytest.MonkeyPatch) -> None:
    before = operation("scheduled", target("x", "scheduled"))
    after = operation("cancelled", target("x", "cancelled"))
    api.route("GET", f"/v1/posts/{OP_ID}", ok(before))
    api.route("DELETE", f"/v1/posts/{OP_ID}", ok(after))
    result = cli("posts", "cancel", OP_ID, tty=True, monkeypatch=monkeypatch)
    assert result.code == 0
    assert "cancelled" in result.stdout and "Result" in result.stdout


def test_posts_cancel_invalid_state_exits_2(api: ContractApi) -> None:
    api.route("GET", f"/v1/posts/{OP_ID}", ok(operation("completed", target("x", "published"))))
    api.route("DELETE", f"/v1/posts/{OP_ID}", fail(422, "invalid_state", "Nothing left to cancel"))
    result = cli("posts", "cancel", OP_ID)
    assert result.code == 2
    assert "Nothing left to cancel" in result.stderr


def test_wait_timeout_without_wait_is_a_usage_error(api: ContractApi) -> None:
    result = cli("posts", "show", OP_ID, "--wait-timeout", "5m")
    assert result.code == 2
    assert api.seen == []
