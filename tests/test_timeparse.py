"""The time parser: every accepted form, every refusal, DST, and properties over generated inputs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sydium_cli.compose.timeparse import MAX_AHEAD, TimeParseError, describe, parse_when, to_wire, zone_named

NOW = datetime(2026, 12, 4, 20, 0, tzinfo=timezone.utc)  # a Friday
PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


def when(text: str, zone: ZoneInfo = PARIS, now: datetime = NOW) -> datetime | None:
    return parse_when(text, now=now, zone=zone)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 2h", "2026-12-04T23:00:00+01:00"),
        ("in 90m", "2026-12-04T22:30:00+01:00"),
        ("in 1h 30m", "2026-12-04T22:30:00+01:00"),
        ("in 2 days", "2026-12-06T21:00:00+01:00"),
        ("IN 1 Week", "2026-12-11T21:00:00+01:00"),
        ("+1d2h", "2026-12-05T23:00:00+01:00"),
        ("+45m", "2026-12-04T21:45:00+01:00"),
        ("today 22:30", "2026-12-04T22:30:00+01:00"),
        ("tomorrow 09:00", "2026-12-05T09:00:00+01:00"),
        ("tomorrow 9am", "2026-12-05T09:00:00+01:00"),
        ("tomorrow 6:30pm", "2026-12-05T18:30:00+01:00"),
        ("22:15", "2026-12-04T22:15:00+01:00"),
        ("mon 09:00", "2026-12-07T09:00:00+01:00"),
        ("next monday 09:00", "2026-12-07T09:00:00+01:00"),
        ("fri 21:30", "2026-12-04T21:30:00+01:00"),  # later today is the next Friday 21:30
        ("fri 20:30", "2026-12-11T20:30:00+01:00"),  # already passed today: next week
        ("2026-12-05T09:00", "2026-12-05T09:00:00+01:00"),
        ("2026-12-05 09:00", "2026-12-05T09:00:00+01:00"),
        ("2026-12-05T09:00:00Z", "2026-12-05T09:00:00+00:00"),
        ("2026-12-05T09:00:00+05:30", "2026-12-05T09:00:00+05:30"),
        ("2027-07-01T09:00", "2027-07-01T09:00:00+02:00"),  # summer time in Paris
    ],
)
def test_accepted_forms_give_an_absolute_instant_with_offset(text: str, expected: str) -> None:
    result = when(text)
    assert result is not None
    assert to_wire(result) == expected


def test_now_means_publish_immediately() -> None:
    assert when("now") is None
    assert when("  NOW ") is None


def test_relative_time_is_real_elapsed_time_across_a_dst_change() -> None:
    before_change = datetime(2027, 3, 28, 0, 30, tzinfo=timezone.utc)  # 01:30 CET; clocks jump at 02:00
    result = parse_when("in 2h", now=before_change, zone=PARIS)
    assert result is not None
    assert result - before_change == timedelta(hours=2)
    assert to_wire(result) == "2027-03-28T04:30:00+02:00"


def test_nonexistent_local_time_in_the_dst_gap_is_an_error_with_a_hint() -> None:
    with pytest.raises(TimeParseError) as info:
        when("2027-03-28T02:30")
    assert "does not exist in Europe/Paris" in info.value.message
    assert info.value.hint and "03:30" in info.value.hint


def test_ambiguous_local_time_takes_the_first_occurrence() -> None:
    result = when("2027-10-31T02:30")
    assert result is not None
    assert to_wire(result) == "2027-10-31T02:30:00+02:00"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("yesterday 09:00", "cannot read"),
        ("in 2 fortnights", "relative"),
        ("in 2h 3h", "relative"),
        ("in", "cannot read"),
        ("+", "no amount"),
        ("tomorrow 25:00", "not a clock time"),
        ("tomorrow 9", "not a clock time"),
        ("tomorrow 13pm", "not a clock time"),
        ("mon", "needs a clock time"),
        ("mon 09:00 extra", "needs a clock time"),
        ("2026-12-05", "no time"),
        ("2026-13-05T09:00", "not a valid ISO 8601"),
        ("today 18:30", "in the past"),
        ("2026-12-04T19:59:59Z", "in the past"),
        ("in 0m", "in the past"),
        ("2030-01-01T00:00Z", "more than two years"),
        ("in 800d", "more than two years"),
    ],
)
def test_refused_times_say_why(text: str, needle: str) -> None:
    with pytest.raises(TimeParseError) as info:
        when(text)
    assert needle in info.value.message


def test_unknown_zone_suggests_close_names() -> None:
    with pytest.raises(TimeParseError) as info:
        zone_named("Europe/Pariss")
    assert "unknown time zone" in info.value.message
    assert info.value.hint and "Europe/Paris" in info.value.hint


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/localtime", "", "Not/AZone"])
def test_hostile_or_bogus_zone_names_are_refused(name: str) -> None:
    with pytest.raises(TimeParseError):
        zone_named(name)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("in 1h", now=datetime(2026, 1, 1), zone=UTC)


def test_describe_echoes_local_time_and_utc() -> None:
    instant = datetime(2026, 12, 5, 9, 0, tzinfo=PARIS)
    assert describe(instant, PARIS) == "2026-12-05 09:00 CET (2026-12-05 08:00 UTC)"


# ---- properties -------------------------------------------------------------------------------

ZONES = st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"])
NOWS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(timezone.utc))


@settings(max_examples=200, deadline=None)
@given(now=NOWS, days=st.integers(0, 30), hours=st.integers(0, 48), minutes=st.integers(0, 600), zone=ZONES)
def test_relative_offsets_add_exactly_that_much_time(
    now: datetime, days: int, hours: int, minutes: int, zone: str
) -> None:
    delta = timedelta(days=days, hours=hours, minutes=minutes)
    text = f"+{days}d{hours}h{minutes}m"
    if delta == timedelta(0):
        with pytest.raises(TimeParseError):
            parse_when(text, now=now, zone=ZoneInfo(zone))
        return
    result = parse_when(text, now=now, zone=ZoneInfo(zone))
    assert result is not None and result.utcoffset() is not None
    assert result - now == delta


@settings(max_examples=200, deadline=None)
@given(now=NOWS, hour=st.integers(0, 23), minute=st.integers(0, 59), weekday=st.integers(0, 6), zone=ZONES)
def test_weekday_times_are_the_next_occurrence_within_a_week(
    now: datetime, hour: int, minute: int, weekday: int, zone: str
) -> None:
    name = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][weekday]
    tz = ZoneInfo(zone)
    try:
        result = parse_when(f"{name} {hour:02d}:{minute:02d}", now=now, zone=tz)
    except TimeParseError as exc:  # only a DST gap may refuse a well-formed weekday time
        assert "does not exist" in exc.message
        return
    assert result is not None
    local = result.astimezone(tz)
    assert (local.weekday(), local.hour, local.minute) == (weekday, hour, minute)
    assert now < result <= now + timedelta(days=7, hours=3)


@settings(max_examples=200, deadline=None)
@given(now=NOWS, offset_minutes=st.integers(1, 60 * 24 * 700), zone=ZONES)
def test_iso_round_trips_any_future_instant(now: datetime, offset_minutes: int, zone: str) -> None:
    target = (now + timedelta(minutes=offset_minutes)).replace(second=0, microsecond=0)
    if target <= now:
        return
    local = target.astimezone(ZoneInfo(zone))
    result = parse_when(local.isoformat(), now=now, zone=UTC)
    assert result == target
    wire = to_wire(result)  # type: ignore[arg-type]
    assert datetime.fromisoformat(wire) == target


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40))
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        result = parse_when(text, now=NOW, zone=PARIS)
    except TimeParseError:
        return
    assert result is None or (NOW < result <= NOW + MAX_AHEAD and result.utcoffset() is not None)
