"""Flags and post files to the exact request bodies, and every bad input to its message."""

from __future__ import annotations

import io
import textwrap
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sydium_cli.api.errors import ExitCode
from sydium_cli.compose.flags import PlanError, PostFlags, plan_from_flags

NOW = datetime(2026, 12, 4, 20, 0, tzinfo=timezone.utc)
PARIS = ZoneInfo("Europe/Paris")
MEDIA = "https://media.sydium.com/u/a.png"


class NoStdin(io.BytesIO):
    def read(self, *args: Any) -> bytes:
        raise AssertionError("stdin must not be read")


def bodies(stdin: io.BytesIO | None = None, **kwargs: Any) -> list[dict[str, Any]]:
    plan = plan_from_flags(PostFlags(**kwargs), now=NOW, stdin=stdin or NoStdin(), local=PARIS)
    return [op.to_request().wire() for op in plan.operations]


def problems(stdin: io.BytesIO | None = None, **kwargs: Any) -> list[str]:
    with pytest.raises(PlanError) as info:
        plan_from_flags(PostFlags(**kwargs), now=NOW, stdin=stdin or NoStdin(), local=PARIS)
    assert info.value.exit_code == ExitCode.USAGE
    return info.value.problems


def write(tmp_path: Path, text: str, name: str = "post.yaml") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


# ---- flags --------------------------------------------------------------------------------------


def test_to_is_repeatable_comma_separated_lowercased_and_deduplicated() -> None:
    assert bodies(caption="Hi", to=["X,LinkedIn", " x ", "youtube"]) == [
        {"caption": "Hi", "targets": [{"platform": "x"}, {"platform": "linkedin"}, {"platform": "youtube"}]}
    ]


def test_per_target_type_option_and_json_values() -> None:
    result = bodies(
        caption="Hi",
        to=["youtube", "x"],
        types=["YouTube=short"],
        options=["youtube.privacy=public", 'youtube.tags=["a","b"]', "youtube.notify=false", "x.n=3", "x.t=NaN"],
    )
    assert result == [
        {
            "caption": "Hi",
            "targets": [
                {
                    "platform": "youtube",
                    "postType": "short",
                    "options": {"privacy": "public", "tags": ["a", "b"], "notify": False},
                },
                {"platform": "x", "options": {"n": 3, "t": "NaN"}},
            ],
        }
    ]


def test_differing_captions_become_separate_operations_in_first_appearance_order() -> None:
    result = bodies(caption="Long", to=["x,linkedin,youtube"], captions_for=["linkedin=Short"], at="in 2h")
    assert result == [
        {
            "caption": "Long",
            "scheduleAt": "2026-12-04T23:00:00+01:00",
            "targets": [{"platform": "x"}, {"platform": "youtube"}],
        },
        {"caption": "Short", "scheduleAt": "2026-12-04T23:00:00+01:00", "targets": [{"platform": "linkedin"}]},
    ]


def test_caption_may_be_empty_only_with_media() -> None:
    assert bodies(caption="", to=["x"], media=[MEDIA]) == [{"media": [MEDIA], "targets": [{"platform": "x"}]}]
    assert problems(caption="  ", to=["x"]) == [
        "command line: the caption for this post is empty and there is no media"
    ]
    assert problems(to=["x"]) == ["command line: the caption for this post is empty and there is no media"]


def test_caption_from_stdin_only_with_dash() -> None:
    assert bodies(stdin=io.BytesIO("From stdin ✓\n".encode()), caption="-", to=["x"])[0]["caption"] == "From stdin ✓"
    assert bodies(caption="literal", to=["x"])[0]["caption"] == "literal"  # NoStdin proves it was not read


def test_caption_file(tmp_path: Path) -> None:
    path = write(tmp_path, "Line one\nLine two\n\n", "caption.txt")
    assert bodies(caption_file=path, to=["x"])[0]["caption"] == "Line one\nLine two"
    assert problems(caption="x", caption_file=path, to=["x"]) == [
        "give the caption either as an argument or with --caption-file, not both"
    ]
    assert problems(caption_file=str(tmp_path), to=["x"]) == [
        f"--caption-file {tmp_path}: is a directory; give the path of a caption file"
    ]


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-12-05T09:00:00Z", "2026-12-05T09:00:00+00:00"),
        ("2026-12-05T09:00", "2026-12-05T09:00:00+01:00"),
        ("in 90m", "2026-12-04T22:30:00+01:00"),
        ("+1d2h", "2026-12-05T23:00:00+01:00"),
        ("today 23:00", "2026-12-04T23:00:00+01:00"),
        ("tomorrow 09:00", "2026-12-05T09:00:00+01:00"),
        ("mon 09:00", "2026-12-07T09:00:00+01:00"),
    ],
)
def test_every_time_form_is_sent_with_an_offset(at: str, expected: str) -> None:
    assert bodies(caption="Hi", to=["x"], at=at)[0]["scheduleAt"] == expected


def test_tz_flag_reads_times_in_that_zone() -> None:
    result = bodies(caption="Hi", to=["x"], at="tomorrow 09:00", tz="America/New_York")
    assert result[0]["scheduleAt"] == "2026-12-05T09:00:00-05:00"


def test_now_sends_no_schedule() -> None:
    assert "scheduleAt" not in bodies(caption="Hi", to=["x"], at="now")[0]


def test_all_flag_problems_are_collected() -> None:
    found = problems(
        caption="Hi",
        to=["x", ","],
        at="yesterday",
        tz="Mars/Olympus",
        types=["linkedin=article", "youtube"],
        options=["x=1", "tiktok.a=1"],
        captions_for=["youtube=hey"],
        media=[MEDIA] * 36,
    )
    assert found[0].startswith("--tz: unknown time zone 'Mars/Olympus'")
    assert "--to ',': an empty platform name" in found
    assert "--type 'linkedin=article': 'linkedin' is not a target of this post (targets: x)" in found
    assert "--type 'youtube': expected PLATFORM=POSTTYPE (e.g. youtube=short)" in found
    assert "--option 'x=1': expected PLATFORM.KEY=VALUE (e.g. youtube.privacy=public)" in found
    assert "--option 'tiktok.a=1': 'tiktok' is not a target of this post (targets: x)" in found
    assert "--caption-for 'youtube=hey': 'youtube' is not a target of this post (targets: x)" in found
    assert any(p.startswith("--at: cannot read 'yesterday'") for p in found)
    assert "command line: 36 media items; at most 35 per post" in found


def test_target_limits() -> None:
    assert problems(caption="Hi") == ["command line: no targets: give --to PLATFORM (e.g. --to x,linkedin)"]
    eleven = ",".join(f"p{i}" for i in range(11))
    assert problems(caption="Hi", to=[eleven]) == ["command line: 11 targets; a post may have at most 10"]
    assert problems(caption="Hi", to=["x y"]) == ["--to: 'x y' is not a platform name"]


def test_plan_error_message_lists_each_problem_on_its_own_line() -> None:
    with pytest.raises(PlanError) as info:
        plan_from_flags(PostFlags(caption="", to=["x"], types=["q=r"]), now=NOW, stdin=None, local=PARIS)
    lines = info.value.message.splitlines()
    assert lines[0] == "2 problems; nothing was sent:"
    assert len(lines) == 3 and all(line.startswith("  ") for line in lines[1:])


# ---- post files ---------------------------------------------------------------------------------

LAUNCH = """\
caption: Launch day
media: [https://media.sydium.com/u/a.png]
at: tomorrow 09:00
timezone: America/New_York
targets:
  - x
  - linkedin
  - platform: youtube
    postType: short
    caption: Launch (short)
  - platform: instagram
    media: []
    caption: Launch day
"""


def test_a_post_file_groups_targets_by_caption_and_media(tmp_path: Path) -> None:
    media = ["https://media.sydium.com/u/a.png"]
    at = "2026-12-05T09:00:00-05:00"
    assert bodies(files=[write(tmp_path, LAUNCH)]) == [
        {
            "caption": "Launch day",
            "media": media,
            "scheduleAt": at,
            "targets": [{"platform": "x"}, {"platform": "linkedin"}],
        },
        {
            "caption": "Launch (short)",
            "media": media,
            "scheduleAt": at,
            "targets": [{"platform": "youtube", "postType": "short"}],
        },
        {"caption": "Launch day", "scheduleAt": at, "targets": [{"platform": "instagram"}]},
    ]


def test_flags_override_a_post_file(tmp_path: Path) -> None:
    result = bodies(
        files=[write(tmp_path, LAUNCH)],
        at="in 1h",
        tz="Asia/Tokyo",
        types=["x=thread"],
        options=["youtube.privacy=unlisted"],
        captions_for=["linkedin=Professional"],
    )
    assert [b["scheduleAt"] for b in result] == ["2026-12-05T06:00:00+09:00"] * 4
    assert result[0]["targets"] == [{"platform": "x", "postType": "thread"}]
    assert result[1]["caption"] == "Professional"
    assert result[2]["targets"] == [{"platform": "youtube", "postType": "short", "options": {"privacy": "unlisted"}}]


def test_to_fills_posts_without_targets_and_conflicts_with_listed_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "caption: one\n---\ncaption: two\n")
    result = bodies(files=[path], to=["x,linkedin"])
    assert [b["targets"] for b in result] == [[{"platform": "x"}, {"platform": "linkedin"}]] * 2
    listed = write(tmp_path, "caption: one\ntargets: [x]\n", "listed.yaml")
    assert problems(files=[listed], to=["x"]) == [
        f"{listed}:1:1: targets are listed in the file and with --to; use one or the other"
    ]


def test_flags_that_cannot_combine_with_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, "caption: one\ntargets: [x]\n")
    found = problems(files=[path, "-", "-"], caption="Hi", caption_file="c.txt", media=[MEDIA], stdin=io.BytesIO(b""))
    assert found[:4] == [
        "CAPTION cannot be combined with -f; put the caption in the post file",
        "--caption-file cannot be combined with -f; put the caption in the post file",
        "--media cannot be combined with -f; list media in the post file",
        "-f - is given more than once; stdin can be read only once",
    ]


def test_post_file_from_stdin() -> None:
    stdin = io.BytesIO(b"posts:\n  - caption: a\n    targets: [x]\n  - caption: b\n    targets: [x]\n")
    assert [b["caption"] for b in bodies(files=["-"], stdin=stdin)] == ["a", "b"]


def test_nothing_is_planned_when_any_post_in_any_file_is_invalid(tmp_path: Path) -> None:
    good = write(tmp_path, "caption: fine\ntargets: [x]\n", "good.yaml")
    bad = write(
        tmp_path,
        """\
        caption: a
        at: in 1h
        timezone: Europe/Pariss
        targets: [x, x, {platform: x, postType: reel}]
        ---
        caption: ''
        at: 2020-01-01T00:00:00Z
        targets: [linkedin]
        """,
        "bad.yaml",
    )
    found = problems(files=[good, bad, str(tmp_path / "missing.yaml")])
    assert found[0] == f"{tmp_path / 'missing.yaml'}: no such post file"
    assert f"{bad}:4:17: targets[2]: platform 'x' is targeted twice in this post" in found
    assert any(p.startswith(f"{bad}:3:11: timezone: unknown time zone 'Europe/Pariss'") for p in found)
    assert any(p.startswith(f"{bad}:7:5: at: '2020-01-01T00:00:00Z' is in the past") for p in found)
    assert f"{bad}:6:1: the caption for this post is empty and there is no media" in found
