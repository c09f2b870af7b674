"""Models -> rich renderables for the read commands (accounts, platforms, schedule, analytics, idea...).

No I/O here. Every server string becomes a `rich.text.Text` via `safe()`, so markup-looking text prints
literally; statuses this client does not know render in a neutral style.
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING, Any

from sydium_cli.views import safe, status_text

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

    from sydium_cli.api.models import Account, Analytics, Operation, PlatformCapability, ScheduledPost, TodayIdea

SPARK = "▁▂▃▄▅▆▇█"


def _t(value: object, style: str = "") -> Text:
    from rich.text import Text

    return Text("" if value is None else safe(value), style=style)


def _table(*columns: str, title: str | None = None) -> Table:
    from rich.table import Table

    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, title=title, title_justify="left")
    for name in columns:
        table.add_column(name, overflow="fold")
    return table


# ---- accounts / platforms / health ------------------------------------------------------------


def accounts_table(accounts: list[Account]) -> RenderableType:
    if not accounts:
        return _t("No connected accounts. Connect one in Sydium's dashboard.", "yellow")
    table = _table("Platform", "Handle", "Display name")
    for account in accounts:
        handle = f"@{account.username}" if account.username else ""
        table.add_row(_t(account.platform, "bold"), _t(handle), _t(account.display_name))
    return table


def _limit(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def platforms_table(platforms: list[PlatformCapability]) -> RenderableType:
    table = _table("Platform", "Caption", "Title", "Description", "Media", "Types", "Post types")
    for cap in sorted(platforms, key=lambda p: p.platform):
        table.add_row(
            _t(cap.platform, "bold"),
            _t(_limit(cap.caption_limit)),
            _t(_limit(cap.title_limit)),
            _t(_limit(cap.description_limit)),
            _t(cap.max_media_items),
            _t(", ".join(cap.media_types)),
            _t(", ".join(post_types(cap))),
        )
    return table


def post_types(cap: PlatformCapability) -> list[str]:
    from sydium_cli.compose.checks import offered_post_types

    return offered_post_types(cap)


def platform_detail(cap: PlatformCapability) -> RenderableType:
    table = _table("Limit", "Value", title=f"{safe(cap.platform)}")
    rows: list[tuple[str, object]] = [
        ("Caption", _limit(cap.caption_limit)),
        ("Title", _limit(cap.title_limit)),
        ("Description", _limit(cap.description_limit)),
        ("Media items", cap.max_media_items),
        ("Media types", ", ".join(cap.media_types) or "-"),
    ]
    for key, value in sorted((cap.media or {}).items()):
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        rows.append((f"media.{key}", shown))
    for name, value in rows:
        table.add_row(_t(name, "bold"), _t(value))
    return table


def health_table(status: str, version: str, base_url: str) -> RenderableType:
    from rich.text import Text

    table = _table("API", "Status", "Version")
    style = "green" if status.lower() in ("ok", "healthy", "up") else "bold"
    table.add_row(_t(base_url), Text(safe(status), style=style), _t(version))
    return table


# ---- scheduled posts --------------------------------------------------------------------------


def _when(value: str, zone: tzinfo | None) -> str:
    from sydium_cli.views import format_instant

    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return safe(value)
    if parsed.tzinfo is None:
        return safe(value)
    if zone is None:
        return format_instant(parsed)
    local = parsed.astimezone(zone)
    utc = parsed.astimezone(timezone.utc)
    return f"{local:%a %Y-%m-%d %H:%M} {local.tzname() or local.strftime('%z')} ({utc:%Y-%m-%d %H:%M} UTC)"


def scheduled_table(posts: list[ScheduledPost], zone: tzinfo | None = None) -> RenderableType:
    if not posts:
        return _t("Nothing scheduled in this window.", "yellow")
    table = _table("When (local, UTC)", "Id", "Platforms", "Status", "Caption")
    for column in table.columns[:2]:
        column.no_wrap = True
    for post in posts:
        caption = post.caption if len(post.caption) <= 60 else post.caption[:59] + "…"
        table.add_row(
            _t(_when(post.scheduled_for, zone)),
            _t(post.id, "bold"),
            _t(", ".join(post.platforms)),
            status_text(post.status),
            _t(caption.replace("\n", " ")),
        )
    return table


# ---- cancel -----------------------------------------------------------------------------------

_LEFT_ALONE = {
    "processing": "already being published",
    "published": "already published",
    "failed": "already failed",
    "scheduled": "still scheduled (the API did not cancel it)",
}


def cancel_outcome(before: Operation | None, after: Operation) -> list[tuple[str, str, str]]:
    """(platform, outcome, why) per target: cancelled now, already cancelled, or left alone and why."""
    previous = {t.platform: t.status for t in before.targets} if before else {}
    rows = []
    for target in after.targets:
        if target.status == "cancelled":
            was = previous.get(target.platform)
            rows.append((target.platform, "cancelled", "already cancelled" if was == "cancelled" else ""))
        else:
            why = _LEFT_ALONE.get(target.status, f"status {target.status}")
            rows.append((target.platform, "left alone", why))
    return rows


def cancel_table(rows: list[tuple[str, str, str]]) -> RenderableType:
    table = _table("Platform", "Result", "Why")
    for platform, outcome, why in rows:
        table.add_row(_t(platform, "bold"), _t(outcome, "magenta" if outcome == "cancelled" else "yellow"), _t(why))
    return table


# ---- analytics --------------------------------------------------------------------------------


def metric_names(analytics: Analytics) -> list[str]:
    """Numeric metrics in first-seen order (names are not documented, so they come from the data)."""
    names: list[str] = []
    for day in analytics.days:
        for name, value in day.totals.items():
            if name not in names and isinstance(value, (int, float)) and not isinstance(value, bool):
                names.append(name)
    return names


def _num(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "-" if value is None else str(value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return safe(value)


def analytics_table(analytics: Analytics, metrics: list[str]) -> RenderableType:
    if not analytics.days:
        return _t("No analytics for this range.", "yellow")
    table = _table("Date", *metrics)
    for day in analytics.days:
        table.add_row(_t(day.date, "bold"), *(_t(_num(day.totals.get(m))) for m in metrics))
    return table


def sparkline(values: list[float | None]) -> str:
    numbers = [v for v in values if v is not None]
    if not numbers:
        return ""
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    return "".join(" " if v is None else SPARK[int((v - low) / span * (len(SPARK) - 1))] for v in values)


def analytics_chart(analytics: Analytics, metrics: list[str]) -> RenderableType:
    """One row per metric: a sparkline over the range, then min, max, total and first->last change."""
    table = _table("Metric", "Trend", "Min", "Max", "Total", "Change")
    for metric in metrics:
        values: list[float | None] = []
        for day in analytics.days:
            raw = day.totals.get(metric)
            values.append(float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else None)
        numbers = [v for v in values if v is not None]
        if not numbers:
            continue
        change = numbers[-1] - numbers[0]
        style = "green" if change > 0 else "red" if change < 0 else ""
        table.add_row(
            _t(metric, "bold"),
            _t(sparkline(values), "cyan"),
            _t(_num(_intish(min(numbers)))),
            _t(_num(_intish(max(numbers)))),
            _t(_num(_intish(sum(numbers)))),
            _t(f"{'+' if change > 0 else ''}{_num(_intish(change))}", style),
        )
    return table


def _intish(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


# ---- idea -------------------------------------------------------------------------------------


def idea_renderable(idea: TodayIdea | None) -> RenderableType:
    if idea is None:
        return _t("No idea in today's window yet: Sydium has not prepared one. Try again later.", "yellow")
    table = _table("", "", title=f"Idea for {safe(idea.date)}")
    table.show_header = False
    rows: list[tuple[str, object]] = [
        ("Topic", idea.topic),
        ("Angle", idea.angle),
        ("Format", idea.format),
        ("Why it fits", idea.why_it_fits),
        ("Hashtags", " ".join(h if h.startswith("#") else f"#{h}" for h in idea.hashtags)),
        ("Language", idea.language),
        ("Grounded", "yes" if idea.grounded else "no"),
    ]
    if idea.anchor:
        rows.append(("Anchor", idea.anchor))
    if idea.citation:
        rows.append(("Source", f"{idea.citation.source} {idea.citation.url or ''}".strip()))
    for name, value in rows:
        table.add_row(_t(name, "bold"), _t(value))
    return table


# ---- media ------------------------------------------------------------------------------------


def media_table(rows: list[dict[str, Any]]) -> RenderableType:
    table = _table("Source", "Type", "Size", "Sydium URL", "Note")
    for row in rows:
        table.add_row(
            _t(row.get("source")),
            _t(row.get("contentType") or ""),
            _t(row.get("sizeText") or ""),
            _t(row.get("publicUrl"), "bold"),
            _t("cached" if row.get("cached") else ""),
        )
    return table
