"""`post --skip-sent`: re-running a content calendar sends only what is new (sandbox, real CLI process).

Without it a re-run is refused as a whole (exit 7, nothing sent); with it, posts that surely went out are
left out and reported as skipped, a post whose earlier attempt had an unknown outcome is still refused
(exit 7) while the others go out, and a fresh runner finds earlier posts in the API's scheduled list.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any


def sydium(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sydium_cli", "--sandbox", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def add_post(folder: Path, name: str, days: int) -> None:
    when = (datetime.now(timezone.utc) + timedelta(days=days)).replace(microsecond=0, second=0)
    (folder / f"{name}.yaml").write_text(f"caption: Calendar {name}\nat: {when.isoformat()}\ntargets: [x, linkedin]\n")


def by_file(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {Path(item["source"].split(":")[0]).stem: item for item in items}


def scheduled_count() -> int:
    listed = sydium("posts", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    return len(json.loads(listed.stdout)["posts"])


def test_a_calendar_rerun_sends_only_what_is_new(tmp_path: Path) -> None:
    calendar = tmp_path / "calendar"
    calendar.mkdir()
    add_post(calendar, "a", 3)
    add_post(calendar, "b", 4)
    first = sydium("post", "-f", str(calendar), "-q")
    assert first.returncode == 0, first.stderr
    first_ids = first.stdout.split()
    assert len(first_ids) == 2

    add_post(calendar, "c", 5)
    refused = sydium("post", "-f", str(calendar), "-q")
    assert refused.returncode == 7 and refused.stdout == ""
    assert "already scheduled" in refused.stderr and "--skip-sent" not in refused.stdout
    assert scheduled_count() == 2  # the refusal sent nothing, not even the new post

    rerun = sydium("post", "-f", str(calendar), "--skip-sent", "--json")
    assert rerun.returncode == 0, rerun.stderr
    items = by_file(json.loads(rerun.stdout))
    assert {items["a"]["status"], items["b"]["status"]} == {"skipped"}
    assert [items["a"]["id"], items["b"]["id"]] == first_ids  # the earlier operations, by id
    assert "already scheduled" in items["a"]["skipped"] and items["a"]["error"] is None
    assert items["c"]["status"] == "scheduled" and items["c"]["id"] not in first_ids
    assert "1 of 3 operations sent; 2 skipped (sent before)." in rerun.stderr
    assert scheduled_count() == 3

    again = sydium("post", "-f", str(calendar), "--skip-sent", "-q")
    assert again.returncode == 0 and again.stdout == ""  # nothing new: nothing sent, no ids
    assert "0 of 3 operations sent; 3 skipped (sent before)." in again.stderr
    assert scheduled_count() == 3


def test_an_unknown_outcome_is_still_refused_while_the_rest_goes_out(tmp_path: Path) -> None:
    calendar = tmp_path / "calendar"
    calendar.mkdir()
    add_post(calendar, "d", 3)
    lost = sydium("post", "-f", str(calendar / "d.yaml"), "-q", env={"SYDIUM_SANDBOX_FAULT": "drop@POST/v1/posts#1"})
    assert lost.returncode == 3, lost.stderr

    add_post(calendar, "e", 4)
    rerun = sydium("post", "-f", str(calendar), "--skip-sent", "--json")
    assert rerun.returncode == 7, rerun.stderr
    items = by_file(json.loads(rerun.stdout))
    assert items["d"]["status"] == "error" and items["d"]["error"]["exitCode"] == 7
    assert "unknown outcome" in items["d"]["error"]["message"]
    assert items["e"]["status"] == "scheduled"
    assert "1 of 2 operations sent; 1 failed or refused (not published by this run)." in rerun.stderr


def test_a_fresh_ledger_finds_earlier_posts_in_the_scheduled_list(tmp_path: Path) -> None:
    add_post(tmp_path, "a", 3)
    first = sydium("post", "-f", str(tmp_path / "a.yaml"), "-q")
    assert first.returncode == 0, first.stderr
    fresh = {"SYDIUM_LEDGER": str(tmp_path / "fresh-runner" / "ledger.sqlite3")}
    rerun = sydium("post", "-f", str(tmp_path / "a.yaml"), "--skip-sent", "--json", env=fresh)
    assert rerun.returncode == 0, rerun.stderr
    (item,) = json.loads(rerun.stdout)
    assert item["status"] == "skipped" and item["id"] == first.stdout.strip()
    assert scheduled_count() == 1


def test_force_and_skip_sent_together_are_a_usage_error(tmp_path: Path) -> None:
    add_post(tmp_path, "a", 3)
    result = sydium("post", "-f", str(tmp_path / "a.yaml"), "--skip-sent", "--force")
    assert result.returncode == 2
    assert "--force and --skip-sent contradict each other" in result.stderr
    assert scheduled_count() == 0


def test_a_calendar_keeps_its_history_and_an_unsent_past_post_is_refused_alone(tmp_path: Path) -> None:
    calendar = tmp_path / "calendar"
    calendar.mkdir()
    soon = (datetime.now(timezone.utc) + timedelta(seconds=2)).replace(microsecond=0)
    (calendar / "a.yaml").write_text(f"caption: Calendar a\nat: {soon.isoformat()}\ntargets: [x]\n")
    first = sydium("post", "-f", str(calendar), "-q")
    assert first.returncode == 0, first.stderr
    while datetime.now(timezone.utc) <= soon:  # a.yaml is now history
        time.sleep(0.2)
    past = (datetime.now(timezone.utc) - timedelta(days=1)).replace(microsecond=0)
    (calendar / "b.yaml").write_text(f"caption: Calendar b\nat: {past.isoformat()}\ntargets: [x]\n")
    add_post(calendar, "c", 3)

    plain = sydium("validate", str(calendar))
    assert plain.returncode == 2 and "is in the past" in plain.stderr
    history = sydium("validate", "--allow-past", str(calendar), "--json")
    assert history.returncode == 0, history.stderr
    warned = [p for report in json.loads(history.stdout) for p in report["problems"]]
    assert len(warned) == 2 and all(p["severity"] == "warning" and "has passed" in p["message"] for p in warned)

    rerun = sydium("post", "-f", str(calendar), "--skip-sent", "--json")
    assert rerun.returncode == 2, rerun.stderr
    items = by_file(json.loads(rerun.stdout))
    assert items["a"]["status"] == "skipped" and items["a"]["id"] == first.stdout.strip()
    assert items["b"]["status"] == "error" and "has passed and it was never sent" in items["b"]["error"]["message"]
    assert items["c"]["status"] == "scheduled"


def test_the_github_step_summary_lists_skipped_posts_too(tmp_path: Path) -> None:
    calendar = tmp_path / "calendar"
    calendar.mkdir()
    add_post(calendar, "a", 3)
    first = sydium("post", "-f", str(calendar), "-q")
    assert first.returncode == 0, first.stderr
    add_post(calendar, "b", 4)
    summary = tmp_path / "summary.md"
    github = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    rerun = sydium("post", "-f", str(calendar), "--skip-sent", "-q", env=github)
    assert rerun.returncode == 0, rerun.stderr
    rows = [line for line in summary.read_text().splitlines() if line.startswith("| op_")]
    assert len(rows) == 4  # two operations, two targets each
    skipped = [r for r in rows if "| skipped |" in r]
    assert len(skipped) == 2 and all(first.stdout.strip() in r for r in skipped)
    assert sum("| scheduled |" in r for r in rows) == 2
