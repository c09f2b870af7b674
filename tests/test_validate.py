"""`sydium validate`: offline checks of post files, exit 0 or 2, GitHub annotations with GITHUB_ACTIONS=true."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sydium_cli.validation import expand_paths, finding_from_text

GOOD = "caption: Hello world\ntargets:\n  - x\n  - linkedin\n"
BAD = "caption: Bad\nat: yesterday-ish\nmedia: [missing.png]\ntargets:\n  - platform: x\n    bogus: 1\n"


def _sydium(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sydium_cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    (tmp_path / "posts" / "sub").mkdir(parents=True)
    (tmp_path / "posts" / "a.yaml").write_text(GOOD)
    (tmp_path / "posts" / "sub" / "b.yml").write_text(BAD)
    (tmp_path / "posts" / "notes.txt").write_text("not a post")
    return tmp_path


def _cache_caps(caption_limit: int = 280) -> None:
    cache = Path(os.environ["SYDIUM_CACHE_DIR"])
    cache.mkdir(parents=True, exist_ok=True)
    platforms = [
        {"platform": name, "captionLimit": caption_limit, "maxMediaItems": 4, "mediaTypes": ["image", "video"]}
        for name in ("x", "linkedin")
    ]
    payload = {"fetchedAt": "2026-12-04T00:00:00+00:00", "platforms": platforms}
    (cache / "platforms-api.sydium.com.json").write_text(json.dumps(payload))


def test_valid_file_exits_0_without_a_key_or_network(posts: Path) -> None:
    result = _sydium("validate", "--json", "posts/a.yaml", cwd=posts)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == [{"file": "posts/a.yaml", "valid": True, "posts": 1, "operations": 1, "problems": []}]
    assert "No platform capabilities are cached" in result.stderr


def test_directory_means_every_yaml_inside_sorted_and_errors_exit_2(posts: Path) -> None:
    result = _sydium("validate", "--json", "posts", cwd=posts)
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert [r["file"] for r in report] == ["posts/a.yaml", "posts/sub/b.yml"]
    problems = report[1]["problems"]
    assert [(p["line"], p["column"]) for p in problems] == [(2, 5), (3, 9), (6, 5)]
    assert "unknown key 'bogus'" in problems[2]["message"]
    assert "no such file" in problems[1]["message"]
    assert "3 problems in 1 of 2 file(s)" in result.stderr
    assert "posts/sub/b.yml:6:5" in result.stderr
    assert "Hint:" in result.stderr
    assert "Traceback" not in result.stderr


def test_cached_capabilities_are_checked(posts: Path) -> None:
    _cache_caps(caption_limit=5)
    result = _sydium("validate", "--json", "posts/a.yaml", cwd=posts)
    assert result.returncode == 2
    messages = [p["message"] for p in json.loads(result.stdout)[0]["problems"]]
    assert any("over its limit of 5" in m for m in messages)
    assert "No platform capabilities" not in result.stderr


def test_unknown_platform_from_the_cache_points_at_its_line(posts: Path) -> None:
    _cache_caps()
    (posts / "typo.yaml").write_text("caption: hi\ntargets:\n  - x\n  - linkedn\n")
    result = _sydium("validate", "--json", "typo.yaml", cwd=posts)
    assert result.returncode == 2
    (problem,) = json.loads(result.stdout)[0]["problems"]
    assert (problem["line"], problem["message"]) == (4, "unknown platform 'linkedn'")
    assert "linkedin" in problem["hint"]


def test_missing_path_and_empty_directory_exit_2(posts: Path) -> None:
    (posts / "empty").mkdir()
    result = _sydium("validate", "nope.yaml", "empty", cwd=posts)
    assert result.returncode == 2
    assert "nope.yaml: no such file or directory" in result.stderr
    assert "empty: the directory holds no *.yaml or *.yml post files" in result.stderr


def test_quiet_prints_the_valid_files(posts: Path) -> None:
    result = _sydium("validate", "-q", "posts", cwd=posts)
    assert result.returncode == 2
    assert result.stdout == "posts/a.yaml\n"


def test_no_annotations_outside_github_actions(posts: Path) -> None:
    result = _sydium("validate", "--json", "posts", cwd=posts)
    assert "::error" not in result.stdout + result.stderr


def test_expand_paths_deduplicates_and_sorts(posts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(posts)
    files, missing = expand_paths(["posts", "posts/a.yaml"])
    assert files == ["posts/a.yaml", "posts/sub/b.yml"]
    assert missing == []


def test_finding_from_text_reads_positions() -> None:
    f = finding_from_text("a:b.yaml:3:7: targets[0]: oops", "a:b.yaml")
    assert (f.file, f.line, f.col, f.message) == ("a:b.yaml", 3, 7, "targets[0]: oops")
    g = finding_from_text("a.yaml: the post file is empty", "a.yaml")
    assert (g.line, g.message) == (None, "the post file is empty")
