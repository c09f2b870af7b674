"""The wait loop: transitions, backoff, timeout (exit 8), failure (exit 6), Ctrl-C (exit 130)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from sydium_cli.api.errors import ExitCode, UsageError
from sydium_cli.api.models import Operation
from sydium_cli.waiting import (
    OperationWaitTimeout,
    WaitInterrupted,
    backoff_delays,
    exit_code_for,
    format_duration,
    parse_duration,
    wait_for_operation,
)
from tests.api_fake import OP_ID, ContractApi, cli, ok, operation, start_api, sydium, target


@pytest.fixture
def api(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> ContractApi:
    return start_api(httpserver, monkeypatch)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class ScriptedClient:
    """get_post answers from a script (the last answer repeats); may raise at a given call."""

    def __init__(self, *answers: dict[str, Any], interrupt_at: int | None = None) -> None:
        self.answers = [Operation.from_wire(a) for a in answers]
        self.calls = 0
        self.interrupt_at = interrupt_at

    def get_post(self, op_id: str) -> Operation:
        self.calls += 1
        if self.interrupt_at == self.calls:
            raise KeyboardInterrupt
        return self.answers[min(self.calls, len(self.answers)) - 1]


PROCESSING = operation("processing", target("x", "processing"), target("linkedin", "scheduled"))
HALF = operation("processing", target("x", "published"), target("linkedin", "processing"))
DONE = operation("completed", target("x", "published"), target("linkedin", "published"))
PARTIAL = operation("partially_failed", target("x", "published"), target("linkedin", "failed"))


def test_polls_until_every_target_is_terminal_reporting_each_state() -> None:
    fake, seen = FakeClock(), []
    client = ScriptedClient(PROCESSING, HALF, DONE)
    op = wait_for_operation(
        client,
        OP_ID,
        timeout=60,
        on_update=seen.append,
        clock=fake.clock,
        sleep=fake.sleep,  # type: ignore[arg-type]
    )
    assert op.status == "completed"
    assert [o.targets[0].status for o in seen] == ["processing", "published", "published"]
    assert client.calls == 3 and len(fake.sleeps) == 2
    assert exit_code_for(op) is ExitCode.OK


def test_any_failed_target_gives_exit_6() -> None:
    fake = FakeClock()
    op = wait_for_operation(
        ScriptedClient(HALF, PARTIAL),
        OP_ID,
        timeout=60,
        clock=fake.clock,
        sleep=fake.sleep,  # type: ignore[arg-type]
    )
    assert exit_code_for(op) is ExitCode.TARGET_FAILED


def test_timeout_raises_exit_8_with_pending_targets_and_resume_hint() -> None:
    fake = FakeClock()
    with pytest.raises(OperationWaitTimeout) as caught:
        wait_for_operation(
            ScriptedClient(PROCESSING),
            OP_ID,
            timeout=30,
            clock=fake.clock,
            sleep=fake.sleep,  # type: ignore[arg-type]
        )
    assert caught.value.exit_code == ExitCode.WAIT_TIMEOUT
    assert "x (processing)" in caught.value.message and "linkedin (scheduled)" in caught.value.message
    assert f"sydium posts show {OP_ID} --wait" in (caught.value.hint or "")
    assert fake.now == pytest.approx(30)  # the last sleep is trimmed to the deadline, never beyond


def test_ctrl_c_becomes_exit_130_with_resume_command() -> None:
    fake = FakeClock()
    with pytest.raises(WaitInterrupted) as caught:
        wait_for_operation(
            ScriptedClient(PROCESSING, interrupt_at=2),
            OP_ID,
            timeout=60,
            clock=fake.clock,
            sleep=fake.sleep,  # type: ignore[arg-type]
        )
    assert caught.value.exit_code == ExitCode.INTERRUPTED
    assert caught.value.hint == f"Resume with: sydium posts show {OP_ID} --wait"


def test_unknown_target_status_counts_as_settled_so_the_loop_ends() -> None:
    fake = FakeClock()
    client = ScriptedClient(operation("processing", target("x", "teleported")))
    assert wait_for_operation(client, OP_ID, timeout=5, clock=fake.clock, sleep=fake.sleep).targets  # type: ignore[arg-type]
    assert client.calls == 1


def test_backoff_grows_from_about_1s_to_at_most_10s_with_jitter() -> None:
    delays = list(itertools.islice(backoff_delays(rng=lambda: 0.5), 10))
    assert delays[0] == pytest.approx(1.0)
    assert delays == sorted(delays) and delays[-1] == pytest.approx(10.0)
    low = list(itertools.islice(backoff_delays(rng=lambda: 0.0), 3))
    high = list(itertools.islice(backoff_delays(rng=lambda: 1.0), 3))
    assert all(lo < hi for lo, hi in zip(low, high, strict=True))


@pytest.mark.parametrize(("raw", "seconds"), [("90", 90), ("90s", 90), ("10m", 600), ("1h30m", 5400), ("1.5h", 5400)])
def test_parse_duration(raw: str, seconds: float) -> None:
    assert parse_duration(raw) == seconds


@pytest.mark.parametrize("raw", ["", "soon", "-5m", "10x", "0"])
def test_parse_duration_rejects_garbage(raw: str) -> None:
    with pytest.raises(UsageError):
        parse_duration(raw)


def test_format_duration() -> None:
    assert [format_duration(s) for s in (5, 60, 90, 3700)] == ["5s", "1m", "1m30s", "1h01m"]


# ---- through the command, against a loopback API ------------------------------------------------


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr("sydium_cli.waiting._sleep", slept.append)
    return slept


def test_show_wait_exits_0_when_all_published(api: ContractApi, no_sleep: list[float]) -> None:
    api.route("GET", f"/v1/posts/{OP_ID}", [ok(HALF), ok(HALF), ok(DONE)])
    result = cli("posts", "show", OP_ID, "--wait")
    assert result.code == 0, result.stderr
    assert result.json() == DONE
    assert "x: published, linkedin: processing" in result.stderr
    assert len(no_sleep) >= 1


def test_show_wait_exits_6_when_a_target_failed(api: ContractApi, no_sleep: list[float]) -> None:
    api.route("GET", f"/v1/posts/{OP_ID}", [ok(HALF), ok(HALF), ok(PARTIAL)])
    result = cli("posts", "show", OP_ID, "--wait")
    assert result.code == 6
    assert result.json() == PARTIAL


def test_show_wait_timeout_exits_8_and_prints_the_last_state(api: ContractApi, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeClock()
    monkeypatch.setattr("sydium_cli.waiting._sleep", fake.sleep)
    monkeypatch.setattr("sydium_cli.waiting._clock", fake.clock)
    api.route("GET", f"/v1/posts/{OP_ID}", ok(HALF))
    result = cli("posts", "show", OP_ID, "--wait", "--wait-timeout", "20s")
    assert result.code == 8
    assert result.json() == HALF
    assert "still pending: linkedin (processing)" in result.stderr
    assert f"sydium posts show {OP_ID} --wait" in result.stderr


def test_show_wait_does_not_sit_through_a_far_schedule(api: ContractApi, no_sleep: list[float]) -> None:
    scheduled = operation("scheduled", target("x", "scheduled"))
    listed = {"id": OP_ID, "scheduledFor": "2099-01-01T09:00:00Z", "caption": "c", "platforms": ["x"],
              "status": "scheduled"}  # fmt: skip
    api.route("GET", f"/v1/posts/{OP_ID}", ok(scheduled))
    api.route("GET", "/v1/posts", ok({"posts": [listed]}))
    result = cli("posts", "show", OP_ID, "--wait", "--wait-timeout", "1m")
    assert result.code == 8
    assert "not waiting" in result.stderr and "2099-01-01" in result.stderr
    assert no_sleep == []


def test_show_wait_ctrl_c_exits_130_with_resume_hint(api: ContractApi, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(_seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("sydium_cli.waiting._sleep", interrupt)
    api.route("GET", f"/v1/posts/{OP_ID}", ok(HALF))
    result = cli("posts", "show", OP_ID, "--wait")
    assert result.code == 130
    assert f"Resume with: sydium posts show {OP_ID} --wait" in result.stderr
    assert "Traceback" not in result.stderr


def test_show_wait_live_table_on_a_terminal(
    api: ContractApi, monkeypatch: pytest.MonkeyPatch, no_sleep: list[float]
) -> None:
    api.route("GET", f"/v1/posts/{OP_ID}", [ok(HALF), ok(DONE)])
    result = cli("posts", "show", OP_ID, "--wait", tty=True, monkeypatch=monkeypatch)
    assert result.code == 0
    assert "published" in result.stdout and "Platform" in result.stdout


def test_show_wait_in_a_real_subprocess(api: ContractApi) -> None:
    api.route("GET", f"/v1/posts/{OP_ID}", [ok(HALF), ok(DONE)])
    result = sydium("posts", "show", OP_ID, "--wait", "--wait-timeout", "30s")
    assert result.code == 0, result.stderr
    assert result.json()["status"] == "completed"
    assert len([p for p in api.paths() if p == ("GET", f"/v1/posts/{OP_ID}")]) == 2
