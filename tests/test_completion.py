"""`sydium completion`, the committed scripts, and the completers (no real shell needed here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sydium_cli import completion_values as cv

ROOT = Path(__file__).resolve().parent.parent


def _sydium(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sydium_cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def _complete_bash(words: str, cword: int) -> list[str]:
    result = _sydium(env={"_SYDIUM_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)})
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_committed_completion_scripts_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_completions.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("shell", "name", "marker"),
    [
        ("bash", "sydium.bash", "complete -o default -F _sydium_completion sydium"),
        ("zsh", "sydium.zsh", "compdef _sydium_completion sydium"),
        ("fish", "sydium.fish", "complete --command sydium"),
        ("powershell", "sydium.ps1", "Register-ArgumentCompleter -Native -CommandName sydium"),
    ],
)
def test_completion_command_prints_the_committed_script(shell: str, name: str, marker: str) -> None:
    result = _sydium("completion", shell)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "completions" / name).read_text(encoding="utf-8")
    assert marker in result.stdout
    assert result.stderr == ""


def test_zsh_script_keeps_compdef_on_its_first_line() -> None:
    assert _sydium("completion", "zsh").stdout.startswith("#compdef sydium\n")


def test_completion_for_an_unknown_shell_is_a_usage_error() -> None:
    result = _sydium("completion", "tcsh")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "tcsh" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_complete_from_a_prefix() -> None:
    assert _complete_bash("sydium po", 1) == ["post", "posts"]


def test_platforms_fall_back_to_the_builtin_list_without_a_cache() -> None:
    assert _complete_bash("sydium post --to", 3) == sorted(cv.BUILTIN_PLATFORMS)


def test_platforms_come_from_the_capability_cache(tmp_path: Path) -> None:
    cache = Path(os.environ["SYDIUM_CACHE_DIR"])
    cache.mkdir(parents=True, exist_ok=True)
    payload = {"fetchedAt": "2026-12-04T00:00:00+00:00", "platforms": [{"platform": "mastodon"}, {"platform": "x"}]}
    (cache / "platforms-api.sydium.com.json").write_text(json.dumps(payload))
    assert _complete_bash("sydium post --to", 3) == ["mastodon", "x"]
    assert _complete_bash("sydium post --to m", 3) == ["mastodon"]


def test_profiles_come_from_the_config_file() -> None:
    config = Path(os.environ["SYDIUM_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    data = {"default_profile": "work", "profiles": {"staging": {"base_url": "https://s.example"}, "bad": 3}}
    (config / "config.json").write_text(json.dumps(data))
    assert _complete_bash("sydium auth switch", 3) == ["default", "staging", "work"]
    assert _complete_bash("sydium --profile st", 2) == ["staging"]


def test_file_options_complete_nothing_so_the_shell_completes_paths() -> None:
    assert _complete_bash("sydium post -f", 3) == []
    assert _complete_bash("sydium validate", 2) == []


def test_damaged_cache_and_config_fall_back_quietly(tmp_path: Path) -> None:
    (tmp_path / "platforms-a.json").write_text("{not json")
    (tmp_path / "platforms-b.json").write_text(json.dumps({"platforms": [{"platform": "x"}, "junk", {}]}))
    assert cv.cached_platforms(tmp_path) == ["x"]
    assert cv.platform_names(tmp_path / "missing") == list(cv.BUILTIN_PLATFORMS)
    bad = tmp_path / "config.json"
    bad.write_text("[1, 2]")
    assert cv.profile_names(bad) == ["default"]


def test_completers_filter_by_prefix() -> None:
    assert cv.complete_platform("LI") == ["linkedin"]
    assert cv.complete_profile("de") == ["default"]
    assert cv.complete_path("any") == []
