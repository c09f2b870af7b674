"""Following an operation after it was sent: how `posts show` ends, when waiting is pointless, cancelling.

No typer and no rendering here: the `posts` commands call these and hand the results to the output.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from sydium_cli.api.errors import ExitCode
from sydium_cli.waiting import exit_code_for

if TYPE_CHECKING:
    from sydium_cli.api.client import SydiumClient
    from sydium_cli.api.models import Operation
    from sydium_cli.config import Settings


def show_exit_status(op: Operation) -> ExitCode:
    """`posts show --exit-status`: 8 while targets are pending, 6 when any failed, else 0."""
    if op.pending_targets():
        return ExitCode.WAIT_TIMEOUT
    return exit_code_for(op)


def due_beyond(client: SydiumClient, op: Operation, timeout: float, *, now: datetime | None = None) -> datetime | None:
    """When `op` only waits for its schedule and that is later than `timeout` from now: the due time."""
    pending = op.pending_targets()
    if not pending or any(t.status == "processing" for t in pending):
        return None
    match = [p for p in client.list_posts() if p.id == op.id]
    if not match:
        return None
    try:
        due = datetime.fromisoformat(match[0].scheduled_for.replace("Z", "+00:00"))
    except ValueError:
        return None
    now = now or datetime.now(timezone.utc)
    if due.tzinfo is None or due - now <= timedelta(seconds=timeout):
        return None
    return due


def cancel(client: SydiumClient, settings: Settings, op_id: str) -> tuple[Operation, Operation]:
    """Cancel what is still scheduled; returns (before, after) so the caller can say what changed."""
    from sydium_cli.send_guard import record_cancellation

    before = client.get_post(op_id)
    after = client.cancel_post(op_id)
    record_cancellation(settings, after)
    return before, after
