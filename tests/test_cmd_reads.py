"""accounts, platforms, health, idea, generate, analytics: JSON when piped, tables on a terminal."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from tests.api_fake import CAPS, ContractApi, cli, fail, ok, start_api, sydium


@pytest.fixture
def api(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> ContractApi:
    return start_api(httpserver, monkeypatch)


ACCOUNT = {"platform": "x", "username": "acme", "displayName": "Acme [red]Inc[/red]", "profilePicture": None}
IDEA = {
    "date": "2026-12-04", "grounded": True, "language": "en", "topic": "Myth vs reality", "angle": "Data",
    "format": "thread", "hashtags": ["#myth", "data"], "whyItFits": "Because", "citation": {"source": "Blog"},
}  # fmt: skip
DAYS = {
    "range": {"from": "2026-11-01", "to": "2026-11-03"},
    "days": [
        {"date": "2026-11-01", "totals": {"reach": 10, "engagement": 1, "label": "n/a"}},
        {"date": "2026-11-02", "totals": {"reach": 30, "engagement": 3}},
        {"date": "2026-11-03", "totals": {"reach": 20, "engagement": 2}},
    ],
}


def test_accounts_json_and_table(api: ContractApi, monkeypatch: pytest.MonkeyPatch) -> None:
    api.route("GET", "/v1/accounts", ok({"accounts": [ACCOUNT]}))
    piped = sydium("accounts")
    assert piped.code == 0 and piped.json() == {"accounts": [ACCOUNT]}
    table = cli("accounts", tty=True, monkeypatch=monkeypatch)
    assert "@acme" in table.stdout and "Acme [red]Inc[/red]" in table.stdout


def test_accounts_forbidden_exits_4(api: ContractApi) -> None:
    api.route("GET", "/v1/accounts", fail(403, "insufficient_permissions", "Missing scope accounts:read"))
    result = cli("accounts")
    assert result.code == 4 and "accounts:read" in result.stderr and result.stdout == ""


def test_platforms_lists_and_caches(api: ContractApi, monkeypatch: pytest.MonkeyPatch) -> None:
    api.route("GET", "/v1/platforms", ok({"platforms": CAPS}))
    assert [p["platform"] for p in cli("platforms").json()["platforms"]] == ["linkedin", "x", "youtube"]
    table = cli("platforms", tty=True, monkeypatch=monkeypatch)
    assert "video, short" in table.stdout and "cached" in table.stderr
    assert api.paths().count(("GET", "/v1/platforms")) == 1
    cli("platforms", "--refresh")
    assert api.paths().count(("GET", "/v1/platforms")) == 2


def test_platform_by_name_and_unknown_name_suggests(api: ContractApi) -> None:
    api.route("GET", "/v1/platforms/x", ok(CAPS[0]))
    api.route("GET", "/v1/platforms/twiter", fail(404, "not_found", "Unknown platform"))
    api.route("GET", "/v1/platforms", ok({"platforms": CAPS}))
    assert cli("platforms", "x").json() == CAPS[0]
    result = cli("platforms", "twiter")
    assert result.code == 1 and "Did you mean 'x'?" in result.stderr


def test_health_needs_no_key_and_sends_none(api: ContractApi, monkeypatch: pytest.MonkeyPatch, httpserver) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SYDIUM_API_KEY")
    api.route("GET", "/v1/health", ok({"status": "ok", "version": "1.4.0"}))
    result = sydium("health")
    assert result.code == 0 and result.json() == {"status": "ok", "version": "1.4.0"}
    assert "Authorization" not in httpserver.log[0][0].headers
    assert "1.4.0" in cli("health", tty=True, monkeypatch=monkeypatch).stdout


def test_idea_and_no_idea(api: ContractApi, monkeypatch: pytest.MonkeyPatch) -> None:
    api.route("GET", "/v1/ideas/today", [ok({"idea": IDEA}), ok({"idea": None})])
    assert cli("idea").json() == {"idea": IDEA}
    none = cli("idea")
    assert none.json() == {"idea": None} and "No idea in today's window" in none.stderr


def test_no_idea_on_a_terminal_is_said_clearly(api: ContractApi, monkeypatch: pytest.MonkeyPatch) -> None:
    api.route("GET", "/v1/ideas/today", ok({"idea": None}))
    assert "No idea in today's window" in cli("idea", tty=True, monkeypatch=monkeypatch).stdout


def test_idea_table(api: ContractApi, monkeypatch: pytest.MonkeyPatch) -> None:
    api.route("GET", "/v1/ideas/today", ok({"idea": IDEA}))
    out = cli("idea", tty=True, monkeypatch=monkeypatch).stdout
    assert "Myth vs reality" in out and "#myth #data" in out and "Blog" in out


def test_generate_piped_prints_text_alone_tokens_on_stderr(api: ContractApi) -> None:
    api.route("POST", "/v1/generate", ok({"text": "Big news [b]today[/b]", "tokensUsed": 42}))
    result = sydium("generate", "launch", "--platform", "x", "--tone", "friendly", "--language", "en")
    assert result.code == 0
    assert result.stdout == "Big news [b]today[/b]\n"
    assert "Tokens used: 42" in result.stderr
    assert api.seen[0][3] == {"topic": "launch", "platform": "x", "tone": "friendly", "language": "en"}


def test_generate_json_flag_gives_the_api_data(api: ContractApi) -> None:
    api.route("POST", "/v1/generate", ok({"text": "hi"}))
    assert cli("generate", "t", "--json").json() == {"text": "hi"}


def test_generate_rejects_empty_and_too_long_topics_offline(api: ContractApi) -> None:
    assert cli("generate", " ").code == 2
    assert cli("generate", "x" * 2001).code == 2
    assert api.seen == []


def test_generate_out_of_tokens_exits_5(api: ContractApi) -> None:
    api.route("POST", "/v1/generate", fail(429, "rate_limited", "Out of tokens"))
    result = cli("generate", "t")
    assert result.code == 5 and "Out of tokens" in result.stderr
    assert len(api.seen) == 1  # a spending call is not re-sent


def test_analytics_json_sends_dates(api: ContractApi) -> None:
    api.route("GET", "/v1/analytics", ok(DAYS))
    result = cli("analytics", "--from", "2026-11-01", "--to", "2026-11-03")
    assert result.code == 0 and result.json() == DAYS
    assert api.seen[0][2] == {"from": "2026-11-01", "to": "2026-11-03"}


def test_analytics_metric_filter_and_unknown_metric(api: ContractApi) -> None:
    api.route("GET", "/v1/analytics", ok(DAYS))
    data = cli("analytics", "--metric", "reach").json()
    assert [d["totals"] for d in data["days"]] == [{"reach": 10}, {"reach": 30}, {"reach": 20}]
    bad = cli("analytics", "--metric", "clicks")
    assert bad.code == 2 and "reach, engagement" in bad.stderr


def test_analytics_terminal_shows_table_and_trend_chart(api: ContractApi, monkeypatch: pytest.MonkeyPatch) -> None:
    api.route("GET", "/v1/analytics", ok(DAYS))
    out = cli("analytics", "--from", "-7d", tty=True, monkeypatch=monkeypatch).stdout
    assert "2026-11-02" in out and "Trend" in out
    assert "▁█▄" in out  # reach 10, 30, 20
    assert "+10" in out  # first -> last change


def test_analytics_rejects_bad_dates_offline(api: ContractApi) -> None:
    assert cli("analytics", "--from", "someday").code == 2
    assert cli("analytics", "--from", "2026-11-05", "--to", "2026-11-01").code == 2
    assert cli("analytics", "--from", "2026-02-30").code == 2
    assert api.seen == []
