"""sydium posts: list scheduled operations, show one (optionally waiting), cancel one."""

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from sydium_cli.commands._common import CONTEXT, JsonOpt, QuietOpt, examples
from sydium_cli.runtime import Runtime, run

if TYPE_CHECKING:
    from rich.console import RenderableType

    from sydium_cli.api.models import Operation

FromOpt = Annotated[
    Optional[str],
    typer.Option("--from", help="Start of the window (same forms as post --at; a bare date = that whole day)."),
]
ToOpt = Annotated[Optional[str], typer.Option("--to", help="End of the window (a bare date includes that whole day).")]
WaitOpt = Annotated[bool, typer.Option("--wait", help="Poll until every target is published, failed or cancelled.")]
WaitTimeoutOpt = Annotated[
    Optional[str], typer.Option("--wait-timeout", metavar="DURATION", help="Give up waiting after this (default 10m).")
]
ExitStatusOpt = Annotated[
    bool,
    typer.Option("--exit-status", help="Exit 6 if any target failed, 8 if any is still pending (default: 0)."),
]

LIST_HELP = (
    "List upcoming scheduled operations, in local time with the UTC instant.\n\n"
    "Published and failed posts are not listed (the API keeps only the schedule)."
    + examples(
        "sydium posts list",
        "sydium posts list --from today --to 'in 7d'",
        "sydium posts list --from 2026-12-05 --to 2026-12-06 --json | jq '.posts[].id'",
    )
)
SHOW_HELP = (
    "Show an operation and every target (status, post URL, error).\n\n"
    "With --wait, poll with backoff until every target is terminal: a live table on a terminal, exit 0 when "
    "all published, 6 when any failed, 8 on timeout; Ctrl-C stops waiting (exit 130), the post carries on. "
    "A post scheduled later than the wait timeout is not waited on: waiting hours for a schedule would only "
    "tie up the terminal, so the command says when it is due and exits 8."
    + examples(
        "sydium posts show op_6d28cc8ebc8dde89f1f3fa19",
        "sydium posts show op_6d28cc8ebc8dde89f1f3fa19 --wait --wait-timeout 5m",
        "sydium posts show op_6d28cc8ebc8dde89f1f3fa19 --exit-status --json",
    )
)
CANCEL_HELP = (
    "Cancel the targets of an operation that are still scheduled.\n\n"
    "Targets already processing, published or failed are left alone; the output says which and why."
    + examples("sydium posts cancel op_6d28cc8ebc8dde89f1f3fa19")
)


def list_impl(rt: Runtime, from_text: Optional[str], to_text: Optional[str]) -> int:
    from datetime import datetime, timezone

    from sydium_cli.commands._show import emit
    from sydium_cli.compose.timeparse import local_zone
    from sydium_cli.compose.window import instant_window, wire_instant
    from sydium_cli.views_api import scheduled_table

    zone = local_zone()
    start, stop = instant_window(from_text, to_text, now=datetime.now(timezone.utc), zone=zone)
    posts = rt.client().list_posts(from_=wire_instant(start), to=wire_instant(stop))
    emit(
        rt,
        {"posts": [p.wire() for p in posts]},
        lambda: scheduled_table(posts, zone),
        lambda: [p.id for p in posts],
    )
    return 0


def _render(rt: Runtime, op: "Operation") -> None:
    from sydium_cli.ci import summarize_operations
    from sydium_cli.commands._show import emit
    from sydium_cli.views import next_steps, operation_renderable

    summarize_operations([op])
    emit(rt, op.wire(), lambda: operation_renderable(op, mode_label=rt.mode_label), lambda: [op.id])
    if rt.out.interactive:
        steps = [s for s in next_steps(op) if not s.endswith(op.id)]
        if steps:
            rt.out.info("Next: " + "   ".join(steps))


def show_impl(rt: Runtime, op_id: str, *, wait: bool, wait_timeout: Optional[str], exit_status: bool) -> int:
    from sydium_cli.api.errors import WaitTimeout
    from sydium_cli.following import due_beyond, show_exit_status
    from sydium_cli.views import format_instant, operation_renderable
    from sydium_cli.waiting import (
        DEFAULT_WAIT_TIMEOUT,
        OperationWaitTimeout,
        format_duration,
        wait_timeout_option,
        wait_with_display,
    )

    limit = wait_timeout_option(wait, wait_timeout)
    client = rt.client()
    op = client.get_post(op_id)
    if not wait:
        _render(rt, op)
        return int(show_exit_status(op)) if exit_status else 0
    timeout = limit if limit is not None else DEFAULT_WAIT_TIMEOUT
    due = due_beyond(client, op, timeout)
    if due is not None:  # waiting hours for a schedule would only hold the terminal or the CI job
        _render(rt, op)
        raise WaitTimeout(
            f"{op.id} is scheduled for {format_instant(due)}, after the wait timeout "
            f"({format_duration(timeout)}); not waiting.",
            hint=f"Check it then with `sydium posts show {op.id}`, or raise --wait-timeout.",
        )
    label = rt.mode_label
    try:
        op = wait_with_display(
            rt.out, client, op_id, timeout=timeout, renderable=lambda o: operation_renderable(o, mode_label=label)
        )
    except OperationWaitTimeout as exc:
        _render(rt, exc.operation)
        raise
    _render(rt, op)
    return int(show_exit_status(op))


def cancel_impl(rt: Runtime, op_id: str) -> int:
    from sydium_cli.commands._show import emit
    from sydium_cli.following import cancel
    from sydium_cli.views import operation_renderable
    from sydium_cli.views_api import cancel_outcome, cancel_table

    before, after = cancel(rt.client(), rt.settings, op_id)
    rows = cancel_outcome(before, after)

    def table() -> "RenderableType":
        from rich.console import Group

        return Group(operation_renderable(after, mode_label=rt.mode_label), cancel_table(rows))

    emit(rt, after.wire(), table, lambda: [after.id])
    cancelled = [p for p, outcome, why in rows if outcome == "cancelled" and not why]
    left = [f"{p} ({why})" for p, outcome, why in rows if outcome != "cancelled"]
    if cancelled:
        rt.out.success(f"Cancelled: {', '.join(cancelled)}.")
    else:
        rt.out.warn("No target was cancelled by this request.")
    if left:
        rt.out.info(f"Left alone: {', '.join(left)}.")
    return 0


def register(app: typer.Typer) -> None:
    posts = typer.Typer(
        help="Follow, list and cancel posts (operations).",
        context_settings=CONTEXT,
        no_args_is_help=True,
        rich_markup_mode=None,
    )

    @posts.command("list", help=LIST_HELP)
    def list_cmd(
        ctx: typer.Context, from_: FromOpt = None, to: ToOpt = None, json: JsonOpt = False, quiet: QuietOpt = False
    ) -> None:
        run(ctx.obj, lambda rt: list_impl(rt, from_, to), json_flag=json, quiet=quiet)

    @posts.command("show", help=SHOW_HELP)
    def show_cmd(
        ctx: typer.Context,
        op_id: Annotated[str, typer.Argument(metavar="ID", help="The operation id (op_...).")],
        wait: WaitOpt = False,
        wait_timeout: WaitTimeoutOpt = None,
        exit_status: ExitStatusOpt = False,
        json: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        body = lambda rt: show_impl(rt, op_id, wait=wait, wait_timeout=wait_timeout, exit_status=exit_status)  # noqa: E731
        run(ctx.obj, body, json_flag=json, quiet=quiet)

    @posts.command("cancel", help=CANCEL_HELP)
    def cancel_cmd(
        ctx: typer.Context,
        op_id: Annotated[str, typer.Argument(metavar="ID", help="The operation id (op_...).")],
        json: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        run(ctx.obj, lambda rt: cancel_impl(rt, op_id), json_flag=json, quiet=quiet)

    app.add_typer(posts, name="posts")
