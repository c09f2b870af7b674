"""Models -> rich renderables for operations. No I/O here: output.py decides where bytes go.

Every server or user string goes through `safe()` (terminal escapes neutralised) into a `rich.text.Text`,
so a caption holding `[/]` or an escape sequence prints literally and cannot rewrite the terminal.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

from sydium_cli.output import neutralize

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from sydium_cli.api.models import Operation, OperationTarget

STATUS_STYLES: dict[str, str] = {
    # operation rollups
    "completed": "bold green",
    "scheduled": "bold cyan",
    "processing": "bold yellow",
    "partially_failed": "bold red",
    "partially_cancelled": "bold magenta",
    "failed": "bold red",
    "cancelled": "magenta",
    # targets
    "published": "green",
}
NEUTRAL = "bold"  # a status this client does not know yet
MODE_STYLES = {"LIVE": "bold white on red", "TEST": "bold black on yellow", "SANDBOX": "bold black on cyan"}


def safe(value: object) -> str:
    return neutralize(str(value))


def status_text(status: str) -> Text:
    from rich.text import Text

    return Text(safe(status), style=STATUS_STYLES.get(status, NEUTRAL))


def mode_badge(mode_label: str) -> Text:
    from rich.text import Text

    return Text(f" {mode_label} ", style=MODE_STYLES.get(mode_label, NEUTRAL))


def format_instant(when: datetime) -> str:
    """`2026-12-05 09:00 CET (2026-12-05 08:00 UTC)`: local time first, then the UTC instant."""
    local = when.astimezone()
    utc = when.astimezone(timezone.utc)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or local.strftime('%z')} ({utc:%Y-%m-%d %H:%M} UTC)"


def target_error_text(error: dict[str, Any] | None) -> str:
    """A target's error: `message (code)` when the API gives those, otherwise compact JSON."""
    if not error:
        return ""
    message, code = error.get("message"), error.get("code")
    if isinstance(message, str) and message:
        return safe(f"{message} ({code})" if isinstance(code, str) and code else message)
    return safe(json.dumps(error, separators=(",", ":"), ensure_ascii=False))


def operation_headline(op: Operation, *, mode_label: str | None, schedule_at: datetime | None) -> Text:
    from rich.text import Text

    line = Text()
    if mode_label:
        line.append_text(mode_badge(mode_label))
        line.append(" ")
    line.append("Operation ", style="bold")
    line.append(safe(op.id), style="bold")
    line.append("  ")
    line.append_text(status_text(op.status))
    if schedule_at is not None:
        line.append(f"  scheduled for {format_instant(schedule_at)}")
    return line


def targets_table(targets: list[OperationTarget]) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, expand=False)
    table.add_column("Platform", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Post URL", overflow="fold")
    table.add_column("Error", overflow="fold")
    for target in targets:
        table.add_row(
            Text(safe(target.platform)),
            status_text(target.status),
            Text(safe(target.url or "")),
            Text(target_error_text(target.error), style="red"),
        )
    return table


def operation_renderable(
    op: Operation, *, mode_label: str | None = None, schedule_at: datetime | None = None
) -> RenderableType:
    """The headline plus the per-target table, as one renderable."""
    from rich.console import Group

    return Group(operation_headline(op, mode_label=mode_label, schedule_at=schedule_at), targets_table(op.targets))


def next_steps(op: Operation) -> list[str]:
    """The commands that follow this operation up (printed on stderr by the caller)."""
    steps = [f"sydium posts show {op.id}"]
    if op.pending_targets():
        steps.append(f"sydium posts show {op.id} --wait")
    if any(t.status == "scheduled" for t in op.targets):
        steps.append(f"sydium posts cancel {op.id}")
    return steps


# ---- batches (`post -f DIR`) ------------------------------------------------------------------------

BATCH_STATE_STYLES = {"error": "bold red", "unknown": "bold yellow", "not_sent": "dim"}


class BatchRow(NamedTuple):
    """One line of the batch summary: a target of a sent operation, or a platform of one that was not sent."""

    operation_id: str
    source: str
    platform: str
    status: str
    url: str = ""
    error: str = ""


def batch_table(rows: list[BatchRow], *, mode_label: str | None = None, title: str = "") -> RenderableType:
    """Every operation of a batch in one compact table (one row per target)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, expand=False)
    table.add_column("Operation", no_wrap=True)
    table.add_column("Source", overflow="fold")
    table.add_column("Platform", no_wrap=True, min_width=8)
    table.add_column("Status", no_wrap=True, min_width=9)
    table.add_column("Post URL", overflow="fold")
    table.add_column("Error", overflow="fold")
    for row in rows:
        status = (
            Text(safe(row.status.replace("_", " ")), style=BATCH_STATE_STYLES[row.status])
            if row.status in BATCH_STATE_STYLES
            else status_text(row.status)
        )
        table.add_row(
            Text(safe(row.operation_id or "-")),
            Text(safe(row.source)),
            Text(safe(row.platform)),
            status,
            Text(safe(row.url)),
            Text(safe(row.error), style="red"),
        )
    headline = Text()
    if mode_label:
        headline.append_text(mode_badge(mode_label))
        headline.append(" ")
    headline.append(safe(title), style="bold")
    return Group(headline, table)
