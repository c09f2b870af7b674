"""Time windows for reads: `posts list --from/--to` (instants) and `analytics --from/--to` (dates).

`--from/--to` accept the same forms as `post --at` (past times allowed here), plus bare dates and
`today` / `tomorrow` / `yesterday`, which mean whole local days: `--from 2026-12-05 --to 2026-12-06`
covers both days completely.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from sydium_cli.api.errors import UsageError
from sydium_cli.compose import timeparse

_DAY_WORDS = {"yesterday": -1, "today": 0, "tomorrow": 1}
_DAYS_AGO = re.compile(r"^(?:-(\d{1,4})d|(\d{1,4})\s*d(?:ays?)?\s+ago)$")


def _day(text: str, today: date) -> date | None:
    lowered = text.strip().lower()
    if lowered in _DAY_WORDS:
        return today + timedelta(days=_DAY_WORDS[lowered])
    match = _DAYS_AGO.match(lowered)
    if match:
        return today - timedelta(days=int(match.group(1) or match.group(2)))
    try:
        return date.fromisoformat(lowered) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", lowered) else None
    except ValueError:
        raise UsageError(f"{text!r} is not a real date.", hint="Use YYYY-MM-DD, e.g. 2026-12-05.") from None


def parse_instant(text: str, *, end: bool, now: datetime, zone: tzinfo) -> datetime:
    """An aware instant; a whole day (bare date or day word) gives its start, or with `end` its end."""
    day = _day(text, now.astimezone(zone).date())
    if day is not None:
        if end:
            day += timedelta(days=1)
        return timeparse.localize(datetime.combine(day, time()), zone, text)
    raw = " ".join(text.strip().split())
    if raw.lower() == "now":
        return now
    try:
        return timeparse._parse(raw, raw.lower(), now=now, zone=zone)
    except timeparse.TimeParseError as exc:
        raise UsageError(f"Cannot read {text!r} as a time: {exc.message}.", hint=exc.hint) from None


def instant_window(
    from_text: str | None, to_text: str | None, *, now: datetime, zone: tzinfo
) -> tuple[datetime | None, datetime | None]:
    start = parse_instant(from_text, end=False, now=now, zone=zone) if from_text else None
    stop = parse_instant(to_text, end=True, now=now, zone=zone) if to_text else None
    if start and stop and stop <= start:
        raise UsageError("--to must be after --from.", hint="Swap them, or widen the window.")
    return start, stop


def wire_instant(when: datetime | None) -> str | None:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if when else None


def date_window(from_text: str | None, to_text: str | None, *, today: date) -> tuple[date | None, date | None]:
    """Dates for analytics: YYYY-MM-DD, today/yesterday, `-7d` or `7 days ago`."""
    bounds: list[date | None] = []
    for flag, text in (("--from", from_text), ("--to", to_text)):
        if not text:
            bounds.append(None)
            continue
        day = _day(text, today)
        if day is None:
            raise UsageError(
                f"{flag} {text!r} is not a date.", hint="Use YYYY-MM-DD, today, yesterday, -7d or '7 days ago'."
            )
        bounds.append(day)
    start, stop = bounds
    if start and stop and stop < start:
        raise UsageError("--to is before --from.", hint="Swap them.")
    return start, stop
