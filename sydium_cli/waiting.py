"""Follow an operation until every target is terminal: polling with jittered backoff, a timeout, Ctrl-C.

No typer here. `wait_for_operation` is pure (injectable clock and sleep); `wait_with_display` adds the
live table on a terminal (rich imported only then) and plain progress lines on stderr otherwise.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from sydium_cli.api.errors import ExitCode, SydiumError, UsageError, WaitTimeout
from sydium_cli.api.models import Operation

if TYPE_CHECKING:
    from rich.console import RenderableType

    from sydium_cli.api.client import SydiumClient
    from sydium_cli.output import Output

DEFAULT_WAIT_TIMEOUT = 600.0
INITIAL_DELAY = 1.0
MAX_DELAY = 10.0

Clock = Callable[[], float]
Sleep = Callable[[float], None]


def _sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up at call time, so tests can replace `waiting._sleep`


def _clock() -> float:
    return time.monotonic()


def resume_hint(op_id: str) -> str:
    return f"Resume with: sydium posts show {op_id} --wait"


class OperationWaitTimeout(WaitTimeout):
    """--wait ran out of time with targets still scheduled or processing (exit 8)."""

    def __init__(self, operation: Operation, timeout: float) -> None:
        pending = ", ".join(f"{t.platform} ({t.status})" for t in operation.pending_targets())
        super().__init__(
            f"Stopped waiting for {operation.id} after {format_duration(timeout)}; still pending: {pending}.",
            hint=f"The post keeps going on Sydium's side. {resume_hint(operation.id)}",
        )
        self.operation = operation


class WaitInterrupted(SydiumError):
    """Ctrl-C while waiting: the operation carries on; say how to pick it up again (exit 130)."""

    exit_code = ExitCode.INTERRUPTED

    def __init__(self, op_id: str) -> None:
        super().__init__(
            f"Stopped waiting for {op_id}; the operation carries on at Sydium.",
            hint=resume_hint(op_id),
        )
        self.op_id = op_id


def backoff_delays(
    initial: float = INITIAL_DELAY,
    maximum: float = MAX_DELAY,
    factor: float = 1.6,
    rng: Callable[[], float] = random.random,
) -> Iterator[float]:
    """1s growing to 10s, each delay jittered by up to ±20% so many waiters do not poll in step."""
    base = initial
    while True:
        yield max(0.1, base * (0.8 + 0.4 * rng()))
        base = min(maximum, base * factor)


def exit_code_for(operation: Operation) -> ExitCode:
    """0 when nothing failed (published, or cancelled by a user), 6 when any target failed."""
    return ExitCode.TARGET_FAILED if operation.failed_targets() else ExitCode.OK


def wait_for_operation(
    client: SydiumClient,
    op_id: str,
    *,
    timeout: float | None = DEFAULT_WAIT_TIMEOUT,
    on_update: Callable[[Operation], None] | None = None,
    clock: Clock | None = None,
    sleep: Sleep | None = None,
    delays: Iterator[float] | None = None,
) -> Operation:
    """Poll GET /v1/posts/{id} until settled; raises OperationWaitTimeout or WaitInterrupted."""
    delays = delays or backoff_delays()
    clock = clock or _clock
    sleep = sleep or _sleep
    deadline = None if timeout is None else clock() + timeout
    try:
        operation = client.get_post(op_id)
        if on_update:
            on_update(operation)
        while not operation.is_settled():
            delay = next(delays)
            if deadline is not None:
                remaining = deadline - clock()
                if remaining <= 0:
                    raise OperationWaitTimeout(operation, timeout or 0.0)
                delay = min(delay, remaining)
            sleep(delay)
            operation = client.get_post(op_id)
            if on_update:
                on_update(operation)
    except KeyboardInterrupt:
        raise WaitInterrupted(op_id) from None
    return operation


def wait_with_display(
    out: Output,
    client: SydiumClient,
    op_id: str,
    *,
    timeout: float | None,
    renderable: Callable[[Operation], RenderableType],
    clock: Clock | None = None,
    sleep: Sleep | None = None,
) -> Operation:
    """Wait, showing a live table on a terminal (stderr) or one line per change when not."""
    if out.stderr_is_tty:
        from rich.live import Live

        with Live(console=out.err_console(), auto_refresh=False, transient=True) as live:

            def show(op: Operation) -> None:
                live.update(renderable(op), refresh=True)

            return wait_for_operation(client, op_id, timeout=timeout, on_update=show, clock=clock, sleep=sleep)

    last: list[str] = []

    def report(op: Operation) -> None:
        line = ", ".join(f"{t.platform}: {t.status}" for t in op.targets)
        if line != (last[0] if last else None):
            out.info(f"{op.id}: {line}")
            last[:] = [line]

    return wait_for_operation(client, op_id, timeout=timeout, on_update=report, clock=clock, sleep=sleep)


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(h|m|s|ms)?", re.IGNORECASE)
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "": 1.0}


def wait_timeout_option(wait: bool, raw: str | None) -> float | None:
    """--wait-timeout as seconds (None when not given); refused without --wait."""
    if raw is None:
        return None
    if not wait:
        raise UsageError("--wait-timeout only makes sense with --wait.", hint="Add --wait.")
    return parse_duration(raw)


def parse_duration(raw: str) -> float:
    """Seconds from `90`, `90s`, `10m`, `1h30m`, `1.5h`; UsageError otherwise."""
    text = raw.strip().lower().replace(" ", "")
    pos, total = 0, 0.0
    while pos < len(text):
        match = _DURATION.match(text, pos)
        if not match or match.end() == pos:
            break
        total += float(match.group(1)) * _UNIT[(match.group(2) or "").lower()]
        pos = match.end()
    if not text or pos != len(text) or total <= 0:
        raise UsageError(
            f"Cannot read {raw!r} as a duration.",
            hint="Use seconds or units, e.g. --wait-timeout 90, 90s, 10m or 1h30m.",
        )
    return total


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, sec = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{sec:02d}s" if sec else f"{minutes}m"
    return f"{sec}s"
