"""The README is the manual: it documents every command, variable and exit code, and its quick start works."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from sydium_cli.api.errors import ExitCode
from sydium_cli.commands import COMMANDS
from sydium_cli.config import ALL_ENV_VARS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def quick_start_command() -> str:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.+?)\n```", section, re.S)
    assert block, "the quick start has no sh block"
    return block.group(1).strip()


def test_every_command_in_help_is_documented() -> None:
    help_text = subprocess.run(
        [sys.executable, "-m", "sydium_cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    listed = re.findall(r"^  ([a-z][a-z-]*)\s", help_text.split("Commands:", 1)[1], re.M)
    assert set(listed) == set(COMMANDS)
    missing = [name for name in listed if f"`{name}" not in README and f"sydium {name}" not in README]
    assert missing == []


def test_every_environment_variable_is_documented() -> None:
    assert [name for name in ALL_ENV_VARS if f"`{name}`" not in README] == []


def test_exit_code_table_matches_the_code() -> None:
    table = README.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.M)}
    assert documented == {int(code) for code in ExitCode}


def test_quick_start_posts_to_the_sandbox_as_written(tmp_path: Path) -> None:
    command = quick_start_command()
    assert command.startswith("python3 -m venv .venv && .venv/bin/pip install . && ")
    # The install steps run in CI (.ci/run runs the whole line in a fresh clone); here the sydium step runs
    # with the sydium installed for the tests, exactly as written otherwise.
    sydium_step = shlex.split(command.rsplit("&& ", 1)[1])
    assert sydium_step[0] == ".venv/bin/sydium"
    result = subprocess.run(
        [sys.executable, "-m", "sydium_cli", *sydium_step[1:]], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert '"status"' in result.stdout and '"platform": "linkedin"' in result.stdout
