"""`sydium post` run as a subprocess against each fault: exit code, one readable message, publish count,
ledger state. Then the re-run: refused (exit 7) after an unknown outcome, allowed after a rejection."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults import servers as S

KEY = "sk_test_" + "k" * 24


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def sydium(*args: str, ledger: Path, timeout: str = "0.5", env: dict[str, str] | None = None) -> Result:
    full_env = {**os.environ, "SYDIUM_API_KEY": KEY, "SYDIUM_LEDGER": str(ledger), **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "sydium_cli", "--timeout", timeout, *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    result = Result(proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert KEY not in result.stdout + result.stderr
    return result


def post(url: str, ledger: Path, *extra: str) -> Result:
    return sydium("--base-url", url, "post", "Hello from CI", "--to", "x", *extra, ledger=ledger)


def ledger_states(path: Path) -> list[str]:
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT state FROM sends ORDER BY id")]


def assert_one_error(result: Result) -> None:
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""


FAULTS = [
    pytest.param(S.stall(5), 3, 1, "unknown", id="stall"),
    pytest.param(S.hang_up(before_body=True), 3, 0, "unknown", id="drop-before-body"),
    pytest.param(S.hang_up(before_body=False), 3, 1, "unknown", id="drop-after-body"),
    pytest.param(S.truncated(), 3, 1, "unknown", id="truncated-json"),
    pytest.param(S.reply(201, "{oops"), 3, 1, "unknown", id="invalid-json"),
    pytest.param(S.ok({"id": 7}, check=False), 3, 1, "unknown", id="schema-breaking"),
    pytest.param(S.huge(201), 3, 1, "unknown", id="huge-body"),
    pytest.param(S.api_error(500, "internal_error"), 3, 1, "unknown", id="500"),
    pytest.param(S.reply(502, "<html><h1>Bad gateway</h1></html>", ctype="text/html"), 3, 1, "unknown", id="502-html"),
    pytest.param(S.api_error(401, "unauthorized"), 4, 1, "rejected", id="401"),
    pytest.param(S.api_error(403, "forbidden"), 4, 1, "rejected", id="403"),
    pytest.param(S.api_error(404, "not_found"), 1, 1, "rejected", id="404"),
    pytest.param(S.api_error(422, "unprocessable", "caption too long"), 2, 1, "rejected", id="422"),
    pytest.param(S.api_error(409, "brand_new_code", check=False), 2, 1, "rejected", id="409-unknown-code"),
    pytest.param(S.api_error(429, "rate_limited"), 5, 1, "rejected", id="429-no-retry-after"),
]


@pytest.mark.parametrize(("action", "exit_code", "arrived", "state"), FAULTS)
def test_post_against_fault(tmp_path: Path, action: S.Action, exit_code: int, arrived: int, state: str) -> None:
    ledger = tmp_path / "ledger.sqlite3"
    with S.FaultServer([action, S.ok(S.operation())]) as server:
        result = post(server.url, ledger)
        assert server.publishes == arrived
        assert len([r for r in server.requests if r.is_publish]) == 1, "never re-sent"
        assert server.violations == []
        assert result.code == exit_code, result.stderr
        assert_one_error(result)
        assert ledger_states(ledger) == [state]
        if state == "unknown":
            assert "posts list" in result.stderr and "--force" in result.stderr
        # The re-run (same API host): an unknown outcome needs --force; a rejected one goes through.
        again = post(server.url, ledger)
        assert server.publishes == arrived + (0 if state == "unknown" else 1)
    assert again.code == (7 if state == "unknown" else 0), again.stderr


@pytest.mark.parametrize("where", ["refused", "dns", "tls-plain", "tls-self-signed"])
def test_post_unreachable_exits_1_and_sends_nothing(tmp_path: Path, where: str) -> None:
    ledger = tmp_path / "ledger.sqlite3"
    if where == "refused":
        with S.closed_port() as url:
            result = post(url, ledger)
    elif where == "dns":
        result = post("https://api.sydium.invalid", ledger)
    else:
        tls = S.self_signed_context(tmp_path) if where == "tls-self-signed" else None
        with S.FaultServer(S.ok(S.operation()), tls=tls) as server:
            url = server.url if tls else server.url.replace("http://", "https://")
            result = post(url, ledger)
            assert server.publishes == 0
    assert result.code == 1, result.stderr
    assert_one_error(result)
    assert ledger_states(ledger) in ([], ["not_sent"])  # stopped at the capability read, or at the send


def test_429_with_retry_after_then_success(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite3"
    actions = [S.api_error(429, "rate_limited", headers={"Retry-After": "0"}), S.ok(S.operation())]
    with S.FaultServer(actions) as server:
        result = post(server.url, ledger)
        assert server.publishes == 2
    assert result.code == 0, result.stderr
    assert S.OP_ID in result.stdout
    assert ledger_states(ledger) == ["published"]


def test_success_then_rerun_is_refused_then_force_sends(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite3"
    with S.FaultServer(S.ok(S.operation())) as server:
        first = post(server.url, ledger)
        second = post(server.url, ledger)
        assert server.publishes == 1
        third = post(server.url, ledger, "--force")
        assert server.publishes == 2
    assert first.code == 0 and S.OP_ID in first.stdout
    assert second.code == 7
    assert_one_error(second)
    assert S.OP_ID in second.stderr and "--force" in second.stderr
    assert third.code == 0
    assert ledger_states(ledger) == ["published", "published"]


def test_scheduled_duplicate_found_on_the_api_with_an_empty_ledger(tmp_path: Path) -> None:
    listed = {
        "posts": [
            {
                "id": "op_remote",
                "scheduledFor": "2027-03-01T09:00:00Z",
                "caption": "Hello from CI",
                "platforms": ["x"],
                "status": "scheduled",
            }
        ]
    }
    with S.FaultServer([S.ok(listed, status=200), S.ok(S.operation("scheduled"))]) as server:
        result = post(server.url, tmp_path / "fresh.sqlite3", "--at", "2027-03-01T09:00:00Z")
        assert server.publishes == 0
    assert result.code == 7, result.stderr
    assert "op_remote" in result.stderr


def test_slow_but_in_time_answer_succeeds(tmp_path: Path) -> None:
    with S.FaultServer(S.slow_headers_then_ok(0.2, S.operation())) as server:
        result = sydium("--base-url", server.url, "post", "Hi", "--to", "x", ledger=tmp_path / "l.db", timeout="2")
        assert server.publishes == 1
    assert result.code == 0, result.stderr
