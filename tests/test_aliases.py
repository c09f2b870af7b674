"""The vendor-documented command names (NOTES.md) work as hidden aliases with their documented flags."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pytest_httpserver import HTTPServer

from tests.api_fake import CAPS, OP_ID, ContractApi, cli, ok, operation, start_api, sydium, target


@pytest.fixture
def api(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> ContractApi:
    return start_api(httpserver, monkeypatch)


def test_aliases_are_hidden_from_help() -> None:
    result = cli("--help")
    assert result.code == 0
    assert "posts:get" not in result.stdout and "accounts:list" not in result.stdout


def test_posts_get_list_cancel(api: ContractApi) -> None:
    op = operation("scheduled", target("x", "scheduled"))
    done = operation("cancelled", target("x", "cancelled"))
    api.route("GET", f"/v1/posts/{OP_ID}", ok(op))
    api.route("DELETE", f"/v1/posts/{OP_ID}", ok(done))
    api.route("GET", "/v1/posts", ok({"posts": []}))
    assert sydium("posts:get", OP_ID).json() == op
    listed = cli("posts:list", "--from", "2026-12-01T00:00:00Z", "--to", "2026-12-08T00:00:00Z")
    assert listed.json() == {"posts": []}
    assert api.seen[-1][2] == {"from": "2026-12-01T00:00:00Z", "to": "2026-12-08T00:00:00Z"}
    assert cli("posts:cancel", OP_ID).json() == done


def test_accounts_list_and_platforms_list(api: ContractApi) -> None:
    api.route("GET", "/v1/accounts", ok({"accounts": []}))
    api.route("GET", "/v1/platforms", ok({"platforms": CAPS}))
    assert cli("accounts:list").json() == {"accounts": []}
    assert len(cli("platforms:list").json()["platforms"]) == 3


def test_analytics_get_from_to(api: ContractApi) -> None:
    api.route("GET", "/v1/analytics", ok({"range": {"from": "2026-11-01", "to": "2026-11-02"}, "days": []}))
    assert cli("analytics:get", "--from", "2026-11-01", "--to", "2026-11-02").code == 0
    assert api.seen[0][2] == {"from": "2026-11-01", "to": "2026-11-02"}


def test_idea_and_generate_with_topic_flag(api: ContractApi) -> None:
    api.route("GET", "/v1/ideas/today", ok({"idea": None}))
    api.route("POST", "/v1/generate", ok({"text": "Draft", "tokensUsed": 3}))
    assert cli("idea").json() == {"idea": None}
    result = cli("generate", "--topic", "launch", "--platform", "x", "--tone", "bold", "--language", "fr")
    assert result.stdout == "Draft\n"
    assert api.seen[-1][3] == {"topic": "launch", "platform": "x", "tone": "bold", "language": "fr"}


def test_posts_create_with_the_documented_flags(api: ContractApi) -> None:
    created = operation("scheduled", target("x", "scheduled"), target("linkedin", "scheduled"))
    api.route("POST", "/v1/posts", ok(created, 201))
    api.route("GET", "/v1/platforms", ok({"platforms": CAPS}))
    api.route("GET", "/v1/posts", ok({"posts": []}))  # the duplicate-protection look-up
    when = (datetime.now(timezone.utc) + timedelta(days=2)).replace(microsecond=0)
    media = f"{api.base_url}/media/a.png,{api.base_url}/media/b.png"
    result = sydium(
        "posts:create", "--platforms", "x,linkedin", "--caption", "Hello", "--media", media,
        "--schedule-at", when.isoformat(),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    body = next(b for m, p, _q, b in api.seen if (m, p) == ("POST", "/v1/posts"))
    assert [t["platform"] for t in body["targets"]] == ["x", "linkedin"]
    assert body["caption"] == "Hello"
    assert body["media"] == media.split(",")
    assert datetime.fromisoformat(body["scheduleAt"]) == when
