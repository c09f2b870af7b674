"""`--at WHEN` / `at:`: human and ISO 8601 times to one absolute, timezone-aware instant.

Accepted forms (case-insensitive):
- ISO 8601 with an offset: `2026-12-05T09:00:00+01:00`, `2026-12-05T08:00Z`;
- ISO 8601 without an offset, read in the zone (`--tz`, the post's `timezone`, else the local zone):
  `2026-12-05T09:00`, `2026-12-05 09:00`;
- relative: `in 2h`, `in 90m`, `in 1h 30m`, `in 2 days`, `+1d2h`, `+45m`;
- clock times: `today 18:30`, `tomorrow 09:00`, `mon 09:00` / `monday 9am` (the next such moment,
  possibly later today), a bare `18:30` meaning today;
- `now`: publish immediately (returns None: no `scheduleAt` is sent).

Every function takes `now` so tests can pin the clock. Local wall times that do not exist (the hour
skipped when clocks go forward) are errors with a hint; ambiguous ones (the hour repeated when clocks go
back) resolve to the first occurrence, as most calendars do.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

MAX_AHEAD = timedelta(days=731)  # about two years: anything further is almost surely a typo

WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip

_UNITS = {
    "w": "weeks", "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks",
    "d": "days", "day": "days", "days": "days",
    "h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours",
    "m": "minutes", "min": "minutes", "mins": "minutes", "minute": "minutes", "minutes": "minutes",
}  # fmt: skip

_REL_PART = re.compile(r"\s*(\d{1,6})\s*([a-z]+)")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_HAS_OFFSET = re.compile(r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$")
FORMS_HINT = (
    "Use ISO 8601 (2026-12-05T09:00:00+01:00), 'in 2h', '+1d2h', 'today 18:30', "
    "'tomorrow 09:00', 'mon 09:00', or 'now'."
)


class TimeParseError(ValueError):
    """A time that cannot be used; `hint` says what would work."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def local_zone() -> tzinfo:
    """The machine's zone as a real IANA zone when it can be found (so DST is right), else its offset."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # ~2 ms, only when a time is read or shown

    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    try:
        with open("/etc/localtime", "rb") as handle:
            return ZoneInfo.from_file(handle, key="localtime")
    except (OSError, ValueError):
        pass
    return datetime.now().astimezone().tzinfo or timezone.utc


def zone_named(name: str) -> ZoneInfo:
    """An IANA zone by name (`Europe/Paris`, `UTC`); unknown names raise with close suggestions."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    cleaned = name.strip()
    try:
        if not cleaned or cleaned.startswith(("/", ".")) or ".." in cleaned:
            raise ValueError(cleaned)
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise TimeParseError(f"unknown time zone {name!r}", _zone_hint(cleaned)) from None


def _zone_hint(name: str) -> str:
    import difflib
    import zoneinfo

    close = difflib.get_close_matches(name, sorted(zoneinfo.available_timezones()), n=3, cutoff=0.6)
    if close:
        return "Did you mean " + " or ".join(repr(c) for c in close) + "? Zones are IANA names."
    return "Use an IANA zone name such as 'Europe/Paris', 'America/New_York' or 'UTC'."


def parse_when(text: str, *, now: datetime, zone: tzinfo, allow_past: bool = False) -> datetime | None:
    """The absolute instant for `text` (aware, in `zone`), or None for `now`; must be in the future unless
    `allow_past` (a calendar's history, which `post --skip-sent` and `validate --allow-past` accept)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    raw = " ".join(text.strip().split())
    lowered = raw.lower()
    if not lowered:
        raise TimeParseError("the time is empty", FORMS_HINT)
    if lowered == "now":
        return None
    when = _parse(raw, lowered, now=now, zone=zone)
    check_window(when, now=now, text=raw, allow_past=allow_past)
    return when


def check_window(when: datetime, *, now: datetime, text: str, allow_past: bool = False) -> None:
    if when <= now and not allow_past:
        shown = describe(when, when.tzinfo)
        raise TimeParseError(
            f"{text!r} is in the past ({shown})",
            "Give a future time, or leave the time out to publish now.",
        )
    if when - now > MAX_AHEAD:
        raise TimeParseError(
            f"{text!r} is more than two years away ({when.date().isoformat()})",
            "Check the year; Sydium schedules are meant for the near future.",
        )


def _parse(raw: str, lowered: str, *, now: datetime, zone: tzinfo) -> datetime:
    if lowered.startswith(("in ", "+")):
        # Absolute arithmetic (in UTC): "in 2h" is two real hours, even across a DST change.
        return (now.astimezone(timezone.utc) + _relative(lowered, raw)).astimezone(zone)
    if lowered[:1].isdigit() and ("-" in lowered[:5]):
        return _iso(raw, zone)
    words = lowered.split(" ")
    local_now = now.astimezone(zone)
    if len(words) == 1 and words[0][:1].isdigit():
        return _on_day(local_now.date(), _clock(words[0], raw), zone, raw)
    if len(words) == 2 and words[0] in ("today", "tomorrow"):
        day = local_now.date() + timedelta(days=1 if words[0] == "tomorrow" else 0)
        return _on_day(day, _clock(words[1], raw), zone, raw)
    if words[0] == "next" and len(words) > 1:
        words = words[1:]
    if words[0] in WEEKDAYS:
        if len(words) != 2:
            raise TimeParseError(f"{raw!r} needs a clock time after the day", "For example 'mon 09:00'.")
        return _next_weekday(WEEKDAYS[words[0]], _clock(words[1], raw), local_now, zone, raw)
    raise TimeParseError(f"cannot read {raw!r} as a time", FORMS_HINT)


def _relative(lowered: str, raw: str) -> timedelta:
    body = lowered[3:] if lowered.startswith("in ") else lowered[1:]
    body = body.strip()
    amounts: dict[str, int] = {}
    pos = 0
    while pos < len(body):
        match = _REL_PART.match(body, pos)
        unit = _UNITS.get(match.group(2)) if match else None
        if match is None or unit is None or unit in amounts:
            raise TimeParseError(
                f"cannot read {raw!r} as a relative time",
                "Use units w, d, h, m: 'in 2h', 'in 90m', 'in 1h 30m', '+1d2h'.",
            )
        amounts[unit] = int(match.group(1))
        pos = match.end()
        while pos < len(body) and body[pos] == " ":
            pos += 1
    if not amounts:
        raise TimeParseError(f"{raw!r} gives no amount of time", "For example 'in 2h' or '+1d2h'.")
    return timedelta(**amounts)


def _clock(word: str, raw: str) -> time:
    match = _CLOCK.match(word)
    if match:
        hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), match.group(3)
        if meridiem and 1 <= hour <= 12:
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
            meridiem = None
        if meridiem is None and hour < 24 and minute < 60 and (match.group(2) or match.group(3)):
            return time(hour, minute)
    raise TimeParseError(f"{word!r} in {raw!r} is not a clock time", "Use 24-hour HH:MM (18:30) or 6:30pm.")


def _iso(raw: str, zone: tzinfo) -> datetime:
    text = raw.replace(" ", "T", 1) if " " in raw else raw
    if text[-1:] in ("Z", "z"):  # Python 3.10's fromisoformat does not take "Z"
        text = text[:-1] + "+00:00"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise TimeParseError(f"{raw!r} has a date but no time", f"Add a time: '{text}T09:00'.")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise TimeParseError(f"{raw!r} is not a valid ISO 8601 date and time", FORMS_HINT) from None
    if parsed.tzinfo is not None:
        if not _HAS_OFFSET.search(text):  # pragma: no cover - fromisoformat only sets tz from an offset
            raise TimeParseError(f"{raw!r} has an unreadable offset", FORMS_HINT)
        return parsed
    return localize(parsed, zone, raw)


def _on_day(day: date, clock: time, zone: tzinfo, raw: str) -> datetime:
    return localize(datetime.combine(day, clock), zone, raw)


def _next_weekday(weekday: int, clock: time, local_now: datetime, zone: tzinfo, raw: str) -> datetime:
    ahead = (weekday - local_now.weekday()) % 7
    candidate = localize(datetime.combine(local_now.date() + timedelta(days=ahead), clock), zone, raw)
    if candidate <= local_now:
        candidate = localize(datetime.combine(local_now.date() + timedelta(days=ahead + 7), clock), zone, raw)
    return candidate


def localize(wall: datetime, zone: tzinfo, raw: str) -> datetime:
    """Attach `zone` to a wall-clock time: a skipped (DST gap) time is an error, a repeated one the first."""
    aware = wall.replace(tzinfo=zone, fold=0)
    back = aware.astimezone(timezone.utc).astimezone(zone)
    if back.replace(tzinfo=None) != wall:
        raise TimeParseError(
            f"{raw!r} does not exist in {_zone_label(zone)}: clocks skip that hour (daylight saving)",
            f"Pick a time outside the gap, e.g. {back:%H:%M}, or give an explicit offset.",
        )
    return aware


def _zone_label(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone)


def describe(when: datetime, zone: tzinfo | None = None) -> str:
    """`2026-12-05 10:00 CET (2026-12-05 09:00 UTC)`: the wall time in `zone`, then the UTC instant."""
    local = when.astimezone(zone) if zone else when
    utc = when.astimezone(timezone.utc)
    name = local.tzname() or local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {name} ({utc:%Y-%m-%d %H:%M} UTC)"


def to_wire(when: datetime) -> str:
    """The instant as the API wants it: ISO 8601 with an explicit offset, seconds precision."""
    return when.replace(microsecond=0).isoformat()
