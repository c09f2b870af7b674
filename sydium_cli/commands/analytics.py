"""sydium analytics: per-day totals, with a trend chart per metric on a terminal."""

from typing import Annotated, Optional

import typer

from sydium_cli.commands._common import CONTEXT, JsonOpt, QuietOpt, examples
from sydium_cli.runtime import Runtime, run

HELP = (
    "Per-day analytics totals (the API's default range is the last 30 days).\n\n"
    "On a terminal: a table per day and a trend line per metric with min, max, total and change. "
    "Dates: YYYY-MM-DD, today, yesterday, -7d or '7 days ago'."
    + examples(
        "sydium analytics",
        "sydium analytics --from -7d --metric reach",
        "sydium analytics --from 2026-11-01 --to 2026-11-30 --json | jq '.days[].totals'",
    )
)


def analytics_impl(rt: Runtime, from_text: Optional[str], to_text: Optional[str], metrics: list[str]) -> int:
    from datetime import date

    from sydium_cli.api.errors import UsageError
    from sydium_cli.compose.window import date_window
    from sydium_cli.views_api import analytics_chart, analytics_table, metric_names

    start, stop = date_window(from_text, to_text, today=date.today())
    data = rt.client().analytics(start.isoformat() if start else None, stop.isoformat() if stop else None)
    known = metric_names(data)
    unknown = [m for m in metrics if m not in known and data.days]
    if unknown:
        raise UsageError(
            f"No metric named {', '.join(map(repr, unknown))} in this data.",
            hint=f"Metrics here: {', '.join(known) or 'none'}.",
        )
    chosen = metrics or known
    payload = data.wire()
    if metrics:
        for day in payload.get("days", []):
            day["totals"] = {k: v for k, v in day.get("totals", {}).items() if k in metrics}
    if rt.out.interactive:
        from rich.console import Group

        rt.out.render(Group(analytics_table(data, chosen), "", analytics_chart(data, chosen)))
    elif rt.out.mode.value == "quiet":
        rt.out.lines([d.date for d in data.days])
    else:
        rt.out.json(payload)
    return 0


def register(app: typer.Typer) -> None:
    @app.command("analytics", help=HELP, context_settings=CONTEXT)
    def analytics(
        ctx: typer.Context,
        from_: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="First day.")] = None,
        to: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Last day.")] = None,
        metric: Annotated[
            Optional[list[str]], typer.Option("--metric", "-m", metavar="NAME", help="Only this metric (repeatable).")
        ] = None,
        json: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        run(ctx.obj, lambda rt: analytics_impl(rt, from_, to, metric or []), json_flag=json, quiet=quiet)
