"""`sydium post -f DIR`: batches validated as a whole, sent concurrently (bounded), one summary, one exit code.

Against a real threaded HTTP server on 127.0.0.1 that checks every request against the contract.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from sydium_cli import batching, ledger, send_guard
from sydium_cli.api.errors import (
    AuthenticationError,
    ExitCode,
    SydiumError,
    UnknownOutcomeError,
    ValidationFailedError,
)
from sydium_cli.compose.plan import PlannedOperation, PlannedTarget, SourceLocation
from tests.contract import validate_response
from tests.test_post_cli import Api, error_response, sydium


class BatchApi(Api):
    """The contract-checking fake, made thread-safe, recording how many publishes were in flight at once."""

    def __init__(self, server: HTTPServer) -> None:
        super().__init__(server)
        self.lock = threading.Lock()
        self.delay = 0.0
        self.in_flight = 0
        self.max_in_flight = 0

    def handle(self, request: Request) -> Response:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.delay)
            with self.lock:  # numbering the operations must not race
                return super().handle(request)
        finally:
            with self.lock:
                self.in_flight -= 1

    def captions(self) -> Counter[str]:
        return Counter(b["caption"] for b in self.bodies)


@pytest.fixture
def api() -> Iterator[BatchApi]:
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    fake = BatchApi(server)
    try:
        yield fake
    finally:
        server.clear()
        server.stop()
    assert fake.violations == []


def write_posts(folder: Path, count: int, *, targets: str = "[x, linkedin]") -> list[str]:
    """`count` post files (a few nested, one .yml) plus a file that is not a post; returns the captions."""
    (folder / "nested").mkdir(parents=True, exist_ok=True)
    (folder / "README.txt").write_text("not a post")
    captions = []
    for i in range(count):
        where = folder / "nested" if i % 10 == 9 else folder
        suffix = ".yml" if i == 3 else ".yaml"
        caption = f"Batch post {i:02d}"
        (where / f"post-{i:02d}{suffix}").write_text(f"caption: {caption}\ntargets: {targets}\n")
        captions.append(caption)
    return captions


def rate_limited(seconds: str) -> Response:
    envelope = {"success": False, "error": {"code": "rate_limited", "message": "Slow down"}, "meta": {}}
    validate_response("POST", "/v1/posts", 429, envelope)
    return Response(json.dumps(envelope), status=429, content_type="application/json", headers={"Retry-After": seconds})


# ---- end to end --------------------------------------------------------------------------------------


def test_a_directory_of_30_posts_is_sent_once_each_and_printed_as_one_array(api: BatchApi, tmp_path: Path) -> None:
    captions = write_posts(tmp_path / "posts", 30)
    result = sydium(api, "post", "--json", "-f", str(tmp_path / "posts"))
    assert result.exit_code == 0, result.stderr
    assert api.captions() == Counter({c: 1 for c in captions})
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == 30
    assert all(item["status"] == "completed" and item["id"].startswith("op_") for item in data)
    assert len({item["id"] for item in data}) == 30
    # plan order: the files sorted by path, whatever order the sends finished in
    sources = [item["source"].rsplit(":", 2)[0] for item in data]
    assert sources == sorted(sources, key=lambda s: Path(s).as_posix())
    assert "README.txt" not in result.stdout
    assert "30 of 30 operations sent." in result.stderr
    with ledger.Ledger.open(ledger.default_path()) as book:
        rows = book.entries()
    assert len(rows) == 30 and {r.state for r in rows} == {ledger.PUBLISHED}


def test_one_invalid_file_exits_2_and_sends_no_request_at_all(api: BatchApi, tmp_path: Path) -> None:
    write_posts(tmp_path / "posts", 30)
    (tmp_path / "posts" / "nested" / "post-19.yaml").write_text("caption: Broken\ntargets: [x]\nwhen: someday\n")
    result = sydium(api, "post", "-f", str(tmp_path / "posts"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "post-19.yaml:3:1" in result.stderr
    assert api.server.log == []


def test_an_empty_directory_is_an_error(api: BatchApi, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = sydium(api, "post", "-f", str(tmp_path / "empty"))
    assert result.exit_code == 2
    assert "the directory holds no *.yaml or *.yml post files" in result.stderr
    assert api.server.log == []


def test_rate_limits_with_retry_after_still_send_everything_exactly_once(api: BatchApi, tmp_path: Path) -> None:
    captions = write_posts(tmp_path / "posts", 12)
    api.fault = lambda n: rate_limited("0.2") if n in (3, 4, 7) else None
    result = sydium(api, "post", "--json", "-f", str(tmp_path / "posts"))
    assert result.exit_code == 0, result.stderr
    assert len(api.bodies) == 15  # the three refused ones were sent again
    accepted = Counter(api.bodies[n - 1]["caption"] for n in range(1, 16) if n not in (3, 4, 7))
    assert accepted == Counter({c: 1 for c in captions})
    assert len(json.loads(result.stdout)) == 12


def test_sends_overlap_but_never_more_than_the_worker_limit(api: BatchApi, tmp_path: Path) -> None:
    write_posts(tmp_path / "posts", 13)
    api.delay = 0.2
    start = time.monotonic()
    result = sydium(api, "post", "--quiet", "-f", str(tmp_path / "posts"))
    elapsed = time.monotonic() - start
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.split()) == 13
    assert 1 < api.max_in_flight <= batching.WORKERS
    assert elapsed < 13 * 0.2  # faster than one after another


def test_a_rejected_post_does_not_stop_the_others_and_sets_the_exit_code(api: BatchApi, tmp_path: Path) -> None:
    write_posts(tmp_path / "posts", 6)
    api.failed = ("linkedin",)  # every operation has a failed target: 6 ...
    api.fault = lambda n: error_response(422, "unprocessable", "x rejects this") if n == 4 else None
    result = sydium(api, "post", "--json", "-f", str(tmp_path / "posts"))
    assert result.exit_code == 2  # ... but a failed send (2) comes before failed targets (6)
    assert len(api.bodies) == 6
    data = json.loads(result.stdout)
    errors = [item for item in data if item["id"] is None]
    assert len(errors) == 1 and errors[0]["status"] == "error"
    assert errors[0]["error"]["exitCode"] == 2 and "x rejects this" in errors[0]["error"]["message"]
    assert "x rejects this" in result.stderr
    assert "5 of 6 operations sent; 1 failed or refused (not published by this run)." in result.stderr


def test_failed_targets_alone_exit_6(api: BatchApi, tmp_path: Path) -> None:
    write_posts(tmp_path / "posts", 3)
    api.failed = ("linkedin",)
    result = sydium(api, "post", "-f", str(tmp_path / "posts"))
    assert result.exit_code == 6
    assert [item["status"] for item in json.loads(result.stdout)] == ["partially_failed"] * 3


@pytest.mark.parametrize(
    ("status", "code", "exit_code"),
    [(500, "internal_error", 3), (401, "unauthorized", 4)],
)
def test_an_unknown_outcome_or_auth_failure_on_the_first_send_stops_the_batch(
    api: BatchApi, tmp_path: Path, status: int, code: str, exit_code: int
) -> None:
    write_posts(tmp_path / "posts", 8)
    api.fault = lambda n: error_response(status, code, "Nope")
    result = sydium(api, "post", "--json", "-f", str(tmp_path / "posts"))
    assert result.exit_code == exit_code, result.stderr
    assert len(api.bodies) == 1  # the first went alone; nothing else was started
    data = json.loads(result.stdout)
    assert [item["status"] for item in data] == [batching.UNKNOWN if status == 500 else batching.ERROR] + [
        batching.NOT_SENT
    ] * 7
    assert "7 not sent" in result.stderr and "Sending stopped" in result.stderr


def test_an_unknown_outcome_mid_batch_wins_the_exit_code(api: BatchApi, tmp_path: Path) -> None:
    write_posts(tmp_path / "posts", 10)
    api.fault = lambda n: (
        error_response(422, "unprocessable", "No")
        if n == 2
        else error_response(500, "internal_error", "Boom")
        if n == 5
        else None
    )
    result = sydium(api, "post", "--json", "-f", str(tmp_path / "posts"))
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert len(data) == 10
    states = Counter(item["status"] if item["id"] is None else "sent" for item in data)
    assert states[batching.UNKNOWN] == 1 and states[batching.ERROR] == 1
    assert len(api.bodies) == 10 - states[batching.NOT_SENT]


def test_terminal_output_is_one_summary_table(api: BatchApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sydium_cli.output._isatty", lambda stream: True)
    monkeypatch.chdir(tmp_path)
    write_posts(tmp_path / "posts", 3, targets="[x]")
    api.fault = lambda n: error_response(422, "unprocessable", "Too long") if n == 3 else None
    result = sydium(api, "post", "-f", "posts")
    assert result.exit_code == 2
    out = result.stdout
    assert "TEST" in out and "3 operations" in out
    for header in ("Operation", "Source", "Platform", "Status", "Post URL", "Error"):
        assert header in out
    assert out.count("https://x.example/p/77") == 2 and "Too long" in out
    assert "post-00.yaml:1:1" in out


def test_flags_with_a_single_file_and_one_operation_still_print_one_object(api: BatchApi, tmp_path: Path) -> None:
    write_posts(tmp_path / "posts", 1)
    result = sydium(api, "post", "-f", str(tmp_path / "posts"))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "completed"


# ---- the engine -----------------------------------------------------------------------------------------


def _planned(n: int) -> list[PlannedOperation]:
    return [
        PlannedOperation(f"c{i}", [], None, [PlannedTarget("x")], SourceLocation(f"p{i}.yaml", 1, 1)) for i in range(n)
    ]


def test_rate_gate_makes_every_worker_wait_for_the_shared_instant() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    gate = batching.RateGate(clock=lambda: now[0], sleep=sleep)
    gate.wait()
    assert slept == []
    gate.hold(2.0)
    gate.hold(0.5)  # a shorter hold never shortens the pause
    gate.wait()
    assert slept == [2.0]
    gate.backoff(1.5)
    assert slept == [2.0, 1.5]


def test_a_backoff_seen_by_one_worker_delays_the_others() -> None:
    gate = batching.RateGate()
    starts: list[float] = []
    lock = threading.Lock()

    def send(request: Any) -> Any:
        with lock:
            starts.append(time.monotonic())
            first = len(starts) == 2
        if first:
            gate.backoff(0.3)  # what the client does on a 429 with Retry-After: 0.3
        raise ValidationFailedError("no", status=422)

    outcomes = batching.outcomes_for(_planned(9))
    t0 = time.monotonic()
    batching.send_batch(outcomes, [None] * 9, send, gate=gate, workers=2)  # type: ignore[list-item]
    assert all(o.state == batching.ERROR for o in outcomes)
    assert sorted(starts)[-1] - t0 >= 0.3  # later sends waited for the shared instant


@pytest.mark.parametrize(
    ("errors", "expected"),
    [
        ({}, ExitCode.OK),
        ({2: ValidationFailedError("no", status=422)}, ExitCode.USAGE),
        ({1: AuthenticationError("no", status=401), 2: ValidationFailedError("no", status=422)}, ExitCode.AUTH),
        ({1: ValidationFailedError("no", status=422), 3: UnknownOutcomeError("lost")}, ExitCode.UNKNOWN_OUTCOME),
        ({0: SydiumError("odd")}, ExitCode.ERROR),
    ],
)
def test_exit_code_precedence(errors: dict[int, SydiumError], expected: ExitCode) -> None:
    outcomes = batching.outcomes_for(_planned(4))
    for index, error in errors.items():
        outcomes[index].error = error
    assert batching.exit_code(outcomes) == expected


def test_every_send_goes_through_its_own_ledger_connection_in_worker_threads(tmp_path: Path) -> None:
    from sydium_cli.api.models import CreatePostRequest, Operation, PostTarget
    from sydium_cli.config import Settings

    class Client:
        base_url = "http://127.0.0.1:9"
        count = 0
        lock = threading.Lock()

        def create_post(self, request: CreatePostRequest) -> Operation:
            with self.lock:
                self.count += 1
                n = self.count
            time.sleep(0.01)
            return Operation(id=f"op_{n}", status="completed", targets=[])

    settings = Settings(ledger_path=tmp_path / "ledger.sqlite3")
    send = send_guard.sender_for(Client(), settings, force=False)  # type: ignore[arg-type]
    requests = [CreatePostRequest(caption=f"c{i}", targets=[PostTarget(platform="x")]) for i in range(20)]
    outcomes = batching.outcomes_for(_planned(20))
    batching.send_batch(outcomes, requests, send, gate=batching.RateGate())
    assert [o.state for o in outcomes] == [batching.SENT] * 20
    with ledger.Ledger.open(tmp_path / "ledger.sqlite3") as book:
        assert len(book.entries()) == 20 and {e.state for e in book.entries()} == {ledger.PUBLISHED}


def test_duplicates_settled_up_front_are_never_sent() -> None:
    from sydium_cli.api.errors import DuplicateError
    from sydium_cli.api.models import CreatePostRequest, Operation, PostTarget

    sent: list[str | None] = []

    def send(request: CreatePostRequest) -> Operation:
        sent.append(request.caption)
        return Operation(id=f"op_{request.caption}", status="completed", targets=[])

    surely = send_guard.Duplicate(0, DuplicateError("already scheduled"), "op_old", certain=True)
    maybe = send_guard.Duplicate(2, DuplicateError("unknown outcome"), None, certain=False)
    outcomes = batching.outcomes_for(_planned(4), skipped={0: surely}, refused={2: maybe.error})
    requests = [CreatePostRequest(caption=f"c{i}", targets=[PostTarget(platform="x")]) for i in range(4)]
    done: list[int] = []
    batching.send_batch(outcomes, requests, send, gate=batching.RateGate(), on_done=lambda o: done.append(o.index))
    assert sorted(sent, key=str) == ["c1", "c3"] and sorted(done) == [0, 1, 2, 3]
    assert [o.state for o in outcomes] == [batching.SKIPPED, batching.SENT, batching.ERROR, batching.SENT]
    assert batching.exit_code(outcomes) == ExitCode.DUPLICATE
    assert batching.wire(outcomes[0]) == {
        "id": "op_old",
        "status": "skipped",
        "source": str(outcomes[0].planned.source),
        "targets": [{"platform": t.platform} for t in outcomes[0].planned.targets],
        "error": None,
        "skipped": "already scheduled",
    }
    assert batching.counts(outcomes)[batching.SKIPPED] == 1
    only_skips = batching.outcomes_for(_planned(1), skipped={0: surely})
    batching.send_batch(only_skips, requests[:1], send, gate=batching.RateGate())
    assert batching.exit_code(only_skips) == ExitCode.OK and len(sent) == 2
