"""`sydium post` orchestration: plan -> checks -> media -> send -> results. No typer code here.

Operations are sent one after another. When one fails, the operations already sent are still shown,
and the error says exactly which were sent, which may or may not have been, and which were not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit

from pydantic import ValidationError

from sydium_cli.api.errors import ExitCode, SydiumError, UnknownOutcomeError, UsageError
from sydium_cli.compose import timeparse
from sydium_cli.compose.flags import PlanError, PostFlags, plan_from_flags
from sydium_cli.compose.plan import PlannedOperation, PostPlan
from sydium_cli.output import Mode, Output

if TYPE_CHECKING:
    from sydium_cli.api.client import SydiumClient
    from sydium_cli.api.models import CreatePostRequest, Operation
    from sydium_cli.runtime import Runtime

MEDIA_LIMITATION = (
    "only Sydium-hosted media URLs are supported for now; uploading local files and importing other "
    "URLs comes with the media pipeline"
)


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
) -> int:
    """The whole `sydium post` command; returns the exit code (6 when any target failed)."""
    plan = plan_from_flags(flags, now=now or datetime.now(timezone.utc), stdin=stdin)
    if dry_run:
        hosted = resolve_media(plan, None, rt.out, base_url=rt.settings.base_url)
        show_dry_run(plan, requests_for(plan, hosted), rt.out)
        return int(ExitCode.OK)
    client = rt.client()
    run_checks(plan, client, rt.out)
    hosted = resolve_media(plan, client, rt.out)
    requests = requests_for(plan, hosted)
    from sydium_cli.ledger import sender_for  # duplicate protection: every send goes through the ledger

    send = sender_for(client, rt.settings, force=force)
    sent = send_all(plan, requests, client, on_error=lambda done: show_results(rt, done), send=send)
    show_results(rt, sent)
    failed = any(s.operation.failed_targets() for s in sent)
    return int(ExitCode.TARGET_FAILED if failed else ExitCode.OK)


# ---- seams other parts of the tool replace ------------------------------------------------------


def run_checks(plan: PostPlan, client: SydiumClient, out: Output) -> None:
    """Offline checks against platform capabilities (caption limits, media counts): issue 5's seam."""


def resolve_media(
    plan: PostPlan, client: SydiumClient | None, out: Output, *, base_url: str | None = None
) -> dict[str, str]:
    """Map every MediaRef.raw to a Sydium-hosted URL.

    `client` is None on --dry-run: then nothing may touch the network, and only what can be known
    offline is mapped. This version accepts Sydium-hosted URLs only and reports every other item.
    """
    api = base_url or (client.base_url if client is not None else "")
    hosted: dict[str, str] = {}
    problems: list[str] = []
    for ref in plan.all_media():
        if is_sydium_hosted(ref.raw, api):
            hosted[ref.raw] = ref.raw
        else:
            problems.append(f"{ref.where}: {ref.raw!r}: {MEDIA_LIMITATION}")
    if problems:
        error = PlanError(list(dict.fromkeys(problems)))
        error.hint = "Upload the file in Sydium first and pass its media URL (https://…sydium.com/…)."
        raise error
    return hosted


def is_sydium_hosted(url: str, api_base_url: str) -> bool:
    """True for https URLs on sydium.com or a subdomain, *.sydium.invalid, or the API's own host."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if not host or parts.scheme not in ("http", "https"):
        return False
    if host == (urlsplit(api_base_url).hostname or "").lower() or host.endswith(".sydium.invalid"):
        return True
    return parts.scheme == "https" and (host == "sydium.com" or host.endswith(".sydium.com"))


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
