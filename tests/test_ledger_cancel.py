"""A cancelled schedule no longer blocks scheduling the same post again (sandbox, real CLI process)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path


def sydium(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sydium_cli", "--sandbox", *args], capture_output=True, text=True)


def test_cancel_releases_the_ledger_entry(tmp_path: Path) -> None:
    when = (datetime.now(timezone.utc) + timedelta(hours=3)).replace(microsecond=0).isoformat()
    first = sydium("post", "Cancel me", "--to", "x", "--at", when, "-q")
    assert first.returncode == 0, first.stderr
    op_id = first.stdout.strip()

    again = sydium("post", "Cancel me", "--to", "x", "--at", when, "-q")
    assert again.returncode == 7 and op_id in again.stderr

    cancel = sydium("posts", "cancel", op_id, "-q")
    assert cancel.returncode == 0, cancel.stderr

    after = sydium("post", "Cancel me", "--to", "x", "--at", when, "-q")
    assert after.returncode == 0, after.stderr
    assert after.stdout.strip() != op_id
