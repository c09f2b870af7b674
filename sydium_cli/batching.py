"""Sending many operations at once (`post -f DIR`): bounded concurrency, a shared rate-limit backoff,
a safety stop, and the aggregated exit code. No typer or rich code here.

Rules (documented in `sydium post -h` and the README):
- the first operation is sent alone; only when it was accepted do the rest go out, at most WORKERS at
  a time, over the client's one connection pool (an expired key or a dead API costs one request, not four);
- when a worker is told to wait (a 429 with Retry-After, or a retry backoff), every worker waits: the
  RateGate holds a shared "not before" instant that each send passes before it starts;
- once a send has an unknown outcome, or fails on authentication or a rate limit the client could not
  wait out, no new send starts: the rest are reported as "not sent" (those in flight still finish);
- with --skip-sent, posts that provably went out before are left out ("skipped", exit 0), posts whose
  earlier attempt had an unknown outcome are refused ("error", exit 7), and so are posts whose time has
  passed without them being sent ("error", exit 2); the rest are sent;
- exit code: 3 if any outcome is unknown; else the code of the first failed send in file order;
  else 6 if any target failed; else 0.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sydium_cli.api.errors import ExitCode, SydiumError, UnknownOutcomeError

if TYPE_CHECKING:
    from sydium_cli.api.client import SydiumClient
    from sydium_cli.api.models import CreatePostRequest, Operation
    from sydium_cli.compose.plan import PlannedOperation
    from sydium_cli.send_guard import Duplicate

WORKERS = 4
SENT, ERROR, UNKNOWN, NOT_SENT, SKIPPED = "sent", "error", "unknown", "not_sent", "skipped"
STOPPING_CODES = frozenset({ExitCode.AUTH, ExitCode.RATE_LIMITED})


@dataclass
class Outcome:
    """What became of one planned operation."""

    index: int
    planned: PlannedOperation
    operation: Operation | None = None
    error: SydiumError | None = None
    skipped: Duplicate | None = None  # --skip-sent: it went out before, so it is not sent again

    @property
    def decided(self) -> bool:
        """Settled before sending began (skipped, or refused as a possible duplicate)."""
        return self.operation is None and (self.skipped is not None or self.error is not None)

    @property
    def state(self) -> str:
        if self.skipped is not None:
            return SKIPPED
        if self.operation is not None:
            return SENT
        if isinstance(self.error, UnknownOutcomeError):
            return UNKNOWN
        return ERROR if self.error is not None else NOT_SENT


class RateGate:
    """A "not before" instant shared by every worker: one worker told to wait makes them all wait."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._not_before = 0.0

    def hold(self, seconds: float) -> None:
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + max(0.0, seconds))

    def wait(self) -> None:
        """Block until the shared instant has passed (it may move later while waiting)."""
        while True:
            with self._lock:
                delay = self._not_before - self._clock()
            if delay <= 0:
                return
            self._sleep(delay)

    def backoff(self, seconds: float) -> None:
        """The client's retry sleep, shared: hold everyone for `seconds`, then wait like everyone else."""
        self.hold(seconds)
        self.wait()


@contextmanager
def shared_backoff(client: SydiumClient, gate: RateGate) -> Iterator[None]:
    """Route the client's retry sleeps (429 Retry-After, backoff) through the gate for the batch."""
    with client.retry_sleep(gate.backoff) as original:
        gate._sleep = original  # the gate sleeps the way the client would (tests inject a fake)
        yield


def stops_batch(error: SydiumError) -> bool:
    """After this error no new send starts: it may have gone out, or every other send would fail too."""
    return isinstance(error, UnknownOutcomeError) or error.exit_code in STOPPING_CODES


def outcomes_for(
    planned: list[PlannedOperation],
    *,
    skipped: dict[int, Duplicate] | None = None,
    refused: dict[int, SydiumError] | None = None,
) -> list[Outcome]:
    """One Outcome per operation, in plan order; `send_batch` fills them in as sends finish. With
    --skip-sent some are settled up front (by index): skipped (sent before) or refused (never sent)."""
    outcomes = [Outcome(i, p) for i, p in enumerate(planned)]
    for index, duplicate in (skipped or {}).items():
        outcomes[index].skipped = duplicate
    for index, error in (refused or {}).items():
        outcomes[index].error = error
    return outcomes


def send_batch(
    outcomes: list[Outcome],
    requests: list[CreatePostRequest],
    send: Callable[[CreatePostRequest], Operation],
    *,
    gate: RateGate,
    workers: int = WORKERS,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Send each operation at most once, filling in `outcomes` (so they are complete even after Ctrl-C)."""
    stop = threading.Event()

    def work(outcome: Outcome) -> Outcome:
        if not stop.is_set():
            gate.wait()
        if stop.is_set():
            return outcome  # not sent
        try:
            outcome.operation = send(requests[outcome.index])
        except SydiumError as error:
            outcome.error = error
            if stops_batch(error):
                stop.set()
        return outcome

    done = on_done or (lambda outcome: None)
    for outcome in outcomes:
        if outcome.decided:
            done(outcome)
    pending = [o for o in outcomes if not o.decided]
    if pending:
        done(work(pending[0]))  # alone first: a bad key or a dead API costs one request
    rest = pending[1:]
    if rest and not stop.is_set():
        _fan_out(rest, work, done, stop, workers)
    elif rest:
        for outcome in rest:
            done(outcome)
    return outcomes


def _fan_out(
    outcomes: list[Outcome],
    work: Callable[[Outcome], Outcome],
    done: Callable[[Outcome], None],
    stop: threading.Event,
    workers: int,
) -> None:
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(outcomes))), thread_name_prefix="sydium-send")
    try:
        futures: list[Future[Outcome]] = [pool.submit(work, o) for o in outcomes]
        for future in as_completed(futures):
            done(future.result())
    except BaseException:  # Ctrl-C or a bug: start nothing new, let the sends in flight finish
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def exit_code(outcomes: list[Outcome]) -> ExitCode:
    """3 if any outcome is unknown; else the first failed send's code (file order); else 6 if a target
    failed; else 0. Operations not sent because of a stop add nothing: their cause is already counted."""
    errors = [o.error for o in outcomes if o.error is not None]
    if any(isinstance(e, UnknownOutcomeError) for e in errors):
        return ExitCode.UNKNOWN_OUTCOME
    if errors:
        return ExitCode(int(errors[0].exit_code))
    if any(o.operation is not None and o.operation.failed_targets() for o in outcomes):
        return ExitCode.TARGET_FAILED
    return ExitCode.OK


def wire(outcome: Outcome) -> dict[str, Any]:
    """One element of the `--json` array: the API's operation (plus `source`), or what happened instead."""
    source = str(outcome.planned.source)
    if outcome.operation is not None:
        data = outcome.operation.wire()
        data.setdefault("source", source)
        return data
    error = outcome.error
    data = {
        "id": outcome.skipped.operation_id if outcome.skipped is not None else None,
        "status": outcome.state,
        "source": source,
        "targets": [{"platform": t.platform} for t in outcome.planned.targets],
        "error": None
        if error is None
        else {"message": error.message, "hint": error.hint, "exitCode": int(error.exit_code)},
    }
    if outcome.skipped is not None:
        data["skipped"] = outcome.skipped.error.message
    return data


def counts(outcomes: list[Outcome]) -> dict[str, int]:
    tally = {SENT: 0, ERROR: 0, UNKNOWN: 0, NOT_SENT: 0, SKIPPED: 0}
    for outcome in outcomes:
        tally[outcome.state] += 1
    return tally
