"""`sydium post` orchestration: plan -> checks -> media -> send -> results. No typer code here.

A post written with flags (split into a few operations at most) is sent one operation after another;
when one fails, the operations already sent are still shown, and the error says exactly which were sent,
which may or may not have been, and which were not. Post files (`-f`) holding more than one operation
are a batch: validated as a whole, then sent concurrently by `batching` and summarized in one table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, BinaryIO

from sydium_cli.api.errors import ExitCode, SydiumError, UnknownOutcomeError, UsageError
from sydium_cli.compose import timeparse
from sydium_cli.compose.flags import PostFlags, plan_from_flags
from sydium_cli.compose.plan import PlannedOperation, PostPlan
from sydium_cli.output import Mode, Output

if TYPE_CHECKING:
    from sydium_cli.api.client import SydiumClient
    from sydium_cli.api.models import CreatePostRequest, Operation
    from sydium_cli.batching import Outcome
    from sydium_cli.runtime import Runtime
    from sydium_cli.send_guard import Duplicate


@dataclass
class Sent:
    planned: PlannedOperation
    operation: Operation


def post(
    rt: Runtime,
    flags: PostFlags,
    *,
    dry_run: bool,
    stdin: BinaryIO | None,
    now: datetime | None = None,
    force: bool = False,
    skip_sent: bool = False,
    wait: bool = False,
    wait_timeout: float | None = None,
    refresh: bool = False,
) -> int:
    """The whole `sydium post` command; returns the exit code (6 when any target failed)."""
    if force and skip_sent:
        raise UsageError(
            "--force and --skip-sent contradict each other: one sends every post again, the other leaves out "
            "what was sent.",
            hint="Use --skip-sent to send only what is new.",
        )
    now = now or datetime.now(timezone.utc)
    plan = plan_from_flags(flags, now=now, stdin=stdin)
    base_url = rt.api_base_url
    if dry_run:
        run_checks(plan, None, rt.out, base_url=base_url)
        show_dry_run(plan, requests_for(plan, resolve_media(plan, None, rt.out, base_url=base_url)), rt.out)
        return int(ExitCode.OK)
    client = rt.client()
    run_checks(plan, client, rt.out, base_url=base_url, refresh=refresh)
    hosted = resolve_media(plan, client, rt.out, base_url=base_url)
    requests = requests_for(plan, hosted)
    from sydium_cli import send_guard  # duplicate protection: every send goes through it

    skipped: dict[int, Duplicate] = {}
    refused: dict[int, SydiumError] = {}
    if skip_sent:
        skipped, refused = _left_out(plan, send_guard.find_duplicates(client, requests, rt.settings), now)
    else:
        send_guard.preflight(client, requests, rt.settings, force=force)
    send = send_guard.sender_for(client, rt.settings, force=force)
    if skipped or refused or (flags.files and len(requests) > 1):  # a batch: every operation reported
        return post_batch(
            rt, plan, requests, send, wait=wait, wait_timeout=wait_timeout, now=now, skipped=skipped, refused=refused
        )
    sent = send_all(plan, requests, client, on_error=lambda done: show_results(rt, done), send=send)
    if wait:
        sent = follow(rt, sent, timeout=wait_timeout, now=now)
    show_results(rt, sent)
    return int(exit_code_for(sent))


def _left_out(
    plan: PostPlan, duplicates: Iterable[Duplicate], now: datetime
) -> tuple[dict[int, Duplicate], dict[int, SydiumError]]:
    """--skip-sent: what is not sent. Skipped: posts that surely went out before. Refused: posts whose earlier
    attempt had an unknown outcome (exit 7), and posts whose time has passed without them being sent (exit 2)."""
    skipped: dict[int, Duplicate] = {}
    refused: dict[int, SydiumError] = {}
    for duplicate in duplicates:
        if duplicate.certain:
            skipped[duplicate.index] = duplicate
        else:
            refused[duplicate.index] = duplicate.error
    for index, op in enumerate(plan.operations):
        if index not in skipped and index not in refused and op.schedule_at is not None and op.schedule_at <= now:
            refused[index] = UsageError(
                f"Its time ({timeparse.describe(op.schedule_at, op.schedule_at.tzinfo)}) has passed and it was "
                "never sent.",
                hint="Give it a future time to schedule it, or remove it from the calendar.",
            )
    return skipped, refused


def exit_code_for(sent: list[Sent]) -> ExitCode:
    if any(s.operation.failed_targets() for s in sent):
        return ExitCode.TARGET_FAILED
    return ExitCode.OK


# ---- checks and media ---------------------------------------------------------------------------


def run_checks(
    plan: PostPlan, client: SydiumClient | None, out: Output, *, base_url: str, refresh: bool = False
) -> None:
    """Check every target against the platforms' capabilities before anything is uploaded or sent.

    With `client` None (--dry-run) only the capability cache is used; without one, only the checks that
    need no capabilities run (local media files), and the output says so.
    """
    from sydium_cli.api.errors import NetworkError
    from sydium_cli.compose.capabilities import load_capabilities
    from sydium_cli.compose.checks import check_local_files, check_plan, raise_for_problems

    try:
        caps = load_capabilities((lambda: client) if client else None, base_url=base_url, refresh=refresh)
    except NetworkError:
        if client is not None:
            raise
        out.info("Platform limits not checked: none are cached yet (`sydium platforms` caches them).")
        raise_for_problems(check_local_files(plan, base_url))
        return
    for warning in caps.warnings:
        out.warn(warning)
    raise_for_problems(check_plan(plan, caps, base_url=base_url))


def resolve_media(plan: PostPlan, client: SydiumClient | None, out: Output, *, base_url: str) -> dict[str, str]:
    """Map every MediaRef.raw to a Sydium-hosted URL: local files uploaded, public URLs imported.

    `client` is None on --dry-run: nothing touches the network; local files and public URLs appear as
    `<upload PATH>` / `<import URL>` placeholders in the request body shown.
    """
    refs = plan.all_media()
    if not refs:
        return {}
    from sydium_cli.compose import media

    if client is None:
        media.validate_refs(refs, base_url)
        return {ref.raw: media.placeholder(ref.raw, base_url) for ref in refs}
    return media.resolve_media(refs, client, base_url=base_url, progress=media.progress_for(out))


def follow(rt: Runtime, sent: list[Sent], *, timeout: float | None, now: datetime) -> list[Sent]:
    """`post --wait`: poll each operation until every target is terminal (a schedule too far is skipped)."""
    from sydium_cli import views, waiting

    limit = timeout if timeout is not None else waiting.DEFAULT_WAIT_TIMEOUT
    label = rt.mode_label
    followed: list[Sent] = []
    for item in sent:
        due = item.planned.schedule_at
        if due is not None and (due - now).total_seconds() > limit:
            rt.out.warn(
                f"Not waiting for {item.operation.id}: it is scheduled for {views.format_instant(due)}, after the "
                f"wait timeout ({waiting.format_duration(limit)})."
            )
            followed.append(item)
            continue
        try:
            op = waiting.wait_with_display(
                rt.out,
                rt.client(),
                item.operation.id,
                timeout=limit,
                renderable=lambda o: views.operation_renderable(o, mode_label=label),
            )
        except waiting.OperationWaitTimeout as exc:
            show_results(rt, [*followed, Sent(item.planned, exc.operation)])
            raise
        followed.append(Sent(item.planned, op))
    return followed


# ---- sending --------------------------------------------------------------------------------------


def requests_for(plan: PostPlan, hosted: dict[str, str]) -> list[CreatePostRequest]:
    requests = []
    for index, op in enumerate(plan.operations):
        try:
            requests.append(op.to_request(hosted))
        except ValueError as exc:  # a request model's own limits
            raise UsageError(f"{op.source}: operation {index + 1} is not a valid request: {exc}") from None
    return requests


def send_all(
    plan: PostPlan,
    requests: list[CreatePostRequest],
    client: SydiumClient,
    *,
    on_error: Any = None,
    send: Callable[[CreatePostRequest], Operation] | None = None,
) -> list[Sent]:
    """Send each operation once, in order; on failure show what was sent, then re-raise with a summary."""
    sent: list[Sent] = []
    for index, (planned, request) in enumerate(zip(plan.operations, requests, strict=True)):
        try:
            sent.append(Sent(planned, (send or client.create_post)(request)))
        except SydiumError as error:
            if len(plan.operations) > 1:
                if sent and on_error is not None:
                    on_error(sent)
                error.message = f"{error.message}\n{_progress(plan, sent, index, error)}"
            raise
    return sent


def _progress(plan: PostPlan, sent: list[Sent], failed: int, error: SydiumError) -> str:
    lines = [
        f"Operation {failed + 1} of {len(plan.operations)} ({_platforms(plan.operations[failed])}) "
        + ("may or may not have been sent." if isinstance(error, UnknownOutcomeError) else "was not sent.")
    ]
    for index, item in enumerate(sent):
        lines.append(f"Sent: operation {index + 1} ({_platforms(item.planned)}) as {item.operation.id}.")
    for index in range(failed + 1, len(plan.operations)):
        lines.append(f"Not sent: operation {index + 1} ({_platforms(plan.operations[index])}).")
    return "\n".join(lines)


def _platforms(op: PlannedOperation) -> str:
    return ", ".join(t.platform for t in op.targets)


# ---- batches -----------------------------------------------------------------------------------------


def post_batch(
    rt: Runtime,
    plan: PostPlan,
    requests: list[CreatePostRequest],
    send: Callable[[CreatePostRequest], Operation],
    *,
    wait: bool,
    wait_timeout: float | None,
    now: datetime,
    skipped: dict[int, Duplicate] | None = None,
    refused: dict[int, SydiumError] | None = None,
) -> int:
    """Send a validated batch concurrently, show every operation in one summary, return the exit code.

    `skipped` and `refused` (from --skip-sent, by operation index) are settled up front and not sent."""
    from sydium_cli import batching

    gate = batching.RateGate()
    outcomes = batching.outcomes_for(plan.operations, skipped=skipped, refused=refused)
    try:
        with batching.shared_backoff(rt.client(), gate), _progress_bar(rt.out, len(outcomes)) as tick:
            batching.send_batch(outcomes, requests, send, gate=gate, on_done=tick)
    except KeyboardInterrupt:
        show_batch(rt, outcomes)
        raise
    if wait:
        _follow_batch(rt, outcomes, timeout=wait_timeout, now=now)
    show_batch(rt, outcomes)
    return int(batching.exit_code(outcomes))


def _follow_batch(rt: Runtime, outcomes: list[Outcome], *, timeout: float | None, now: datetime) -> None:
    sent = [o for o in outcomes if o.operation is not None]
    followed = follow(
        rt, [Sent(o.planned, o.operation) for o in sent if o.operation is not None], timeout=timeout, now=now
    )
    for outcome, item in zip(sent, followed, strict=True):
        outcome.operation = item.operation


@contextmanager
def _progress_bar(out: Output, total: int) -> Iterator[Callable[[Outcome], None]]:
    """A progress bar on stderr when it is a terminal; otherwise nothing."""
    if not out.stderr_is_tty:
        yield lambda outcome: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("Sending"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=out.err_console(), transient=True) as progress:
        task = progress.add_task("send", total=total)
        yield lambda outcome: progress.advance(task)


def show_batch(rt: Runtime, outcomes: list[Outcome]) -> None:
    """Every operation of a batch: one JSON array, ids, or one table; then the problems on stderr."""
    from sydium_cli import batching, ci

    operations = [o.operation for o in outcomes if o.operation is not None]
    ci.summarize_operations([batching.wire(o) for o in outcomes])  # the skipped and the failed too
    out = rt.out
    if out.mode is Mode.QUIET:
        out.lines([op.id for op in operations])
    elif out.mode is Mode.JSON:
        out.json([batching.wire(o) for o in outcomes])
    else:
        from sydium_cli import views

        title = f"{len(outcomes)} operations"
        out.render(views.batch_table(batch_rows(outcomes), mode_label=rt.mode_label, title=title))
    _report_batch(out, outcomes)


def batch_rows(outcomes: list[Outcome]) -> list[Any]:
    from sydium_cli import views

    rows: list[views.BatchRow] = []
    for outcome in outcomes:
        source = str(outcome.planned.source)
        if outcome.operation is not None:
            op = outcome.operation
            rows.extend(
                views.BatchRow(op.id, source, t.platform, t.status, t.url or "", views.target_error_text(t.error))
                for t in op.targets
            )
            continue
        problem = outcome.skipped.error if outcome.skipped is not None else outcome.error
        message = problem.message.splitlines()[0] if problem is not None else ""
        op_id = (outcome.skipped.operation_id if outcome.skipped is not None else None) or ""
        for number, target in enumerate(outcome.planned.targets):
            rows.append(
                views.BatchRow(op_id, source, target.platform, outcome.state, "", message if number == 0 else "")
            )
    return rows


def _report_batch(out: Output, outcomes: list[Outcome]) -> None:
    """Each failed send, then one line of counts (and why sending stopped, when it did)."""
    from sydium_cli import batching

    hints: list[str] = []
    for outcome in outcomes:
        error = outcome.error
        if error is None:
            continue
        out.error(f"{outcome.planned.source} ({_platforms(outcome.planned)}): {error.message}")
        if error.hint and error.hint not in hints:
            hints.append(error.hint)
    for hint in hints:
        out.info(f"Hint: {hint}")
    tally = batching.counts(outcomes)
    parts = [f"{tally[batching.SENT]} of {len(outcomes)} operations sent"]
    if tally[batching.SKIPPED]:
        parts.append(f"{tally[batching.SKIPPED]} skipped (sent before)")
    if tally[batching.ERROR]:
        parts.append(f"{tally[batching.ERROR]} failed or refused (not published by this run)")
    if tally[batching.UNKNOWN]:
        parts.append(f"{tally[batching.UNKNOWN]} with an unknown outcome (may have been published)")
    if tally[batching.NOT_SENT]:
        parts.append(f"{tally[batching.NOT_SENT]} not sent")
    out.info("; ".join(parts) + ".")
    if tally[batching.NOT_SENT]:
        out.warn(
            "Sending stopped at the first unknown outcome, authentication failure or rate limit, so nothing more "
            "could be published twice or in vain. Re-run with --skip-sent to send only what is left (posts "
            "already sent are left out)."
        )


# ---- showing ----------------------------------------------------------------------------------------


def show_results(rt: Runtime, sent: list[Sent]) -> None:
    from sydium_cli import ci

    ci.summarize_operations([s.operation for s in sent])
    out = rt.out
    if out.mode is Mode.QUIET:
        out.lines([s.operation.id for s in sent])
        return
    if out.mode is Mode.JSON:
        data = [s.operation.wire() for s in sent]
        out.json(data[0] if len(data) == 1 else data)
        return
    from sydium_cli import views

    for item in sent:
        out.render(
            views.operation_renderable(item.operation, mode_label=rt.mode_label, schedule_at=item.planned.schedule_at)
        )
        steps = views.next_steps(item.operation)
        if steps:
            out.info("Next: " + "  |  ".join(steps))


def show_dry_run(plan: PostPlan, requests: list[CreatePostRequest], out: Output) -> None:
    bodies = [r.wire() for r in requests]
    total = len(plan.operations)
    headers = [f"Operation {i + 1} of {total} ({_platforms(op)}): {_when(op)}" for i, op in enumerate(plan.operations)]
    if out.mode is Mode.TABLE:
        for header, body in zip(headers, bodies, strict=True):
            out.text(header)
            out.json(body)
    else:
        for header in headers:
            out.info(header)
        if out.mode is Mode.JSON:
            out.json(bodies[0] if total == 1 else bodies)
    out.info(f"Dry run: nothing was sent ({total} operation{'s' if total != 1 else ''} would be).")


def _when(op: PlannedOperation) -> str:
    if op.schedule_at is None:
        return "publish now"
    return "scheduled for " + timeparse.describe(op.schedule_at, op.schedule_at.tzinfo)
