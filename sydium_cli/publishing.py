"""`sydium post` orchestration: plan -> checks -> media -> send -> results. No typer code here.

Operations are sent one after another. When one fails, the operations already sent are still shown,
and the error says exactly which were sent, which may or may not have been, and which were not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, BinaryIO

from pydantic import ValidationError

from sydium_cli.api.errors import ExitCode, SydiumError, UnknownOutcomeError, UsageError
from sydium_cli.compose import timeparse
from sydium_cli.compose.flags import PostFlags, plan_from_flags
from sydium_cli.compose.plan import PlannedOperation, PostPlan
from sydium_cli.output import Mode, Output

if TYPE_CHECKING:
    from sydium_cli.api.client import SydiumClient
    from sydium_cli.api.models import CreatePostRequest, Operation
    from sydium_cli.runtime import Runtime


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
    wait: bool = False,
    wait_timeout: float | None = None,
    refresh: bool = False,
) -> int:
    """The whole `sydium post` command; returns the exit code (6 when any target failed)."""
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
    from sydium_cli.ledger import preflight, sender_for  # duplicate protection: every send goes through it

    preflight(client, requests, rt.settings, force=force)
    send = sender_for(client, rt.settings, force=force)
    sent = send_all(plan, requests, client, on_error=lambda done: show_results(rt, done), send=send)
    if wait:
        sent = follow(rt, sent, timeout=wait_timeout, now=now)
    show_results(rt, sent)
    return int(exit_code_for(sent))


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
    from sydium_cli.compose import media

    refs = plan.all_media()
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
        except ValidationError as exc:
            detail = "; ".join(str(e.get("msg", e)) for e in exc.errors())
            raise UsageError(f"{op.source}: operation {index + 1} is not a valid request: {detail}") from None
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
