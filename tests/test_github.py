"""GitHub Actions: ::error annotations from `validate`, step summary Markdown and $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sydium_cli import ci
from sydium_cli.api.models import Operation

GH = {"GITHUB_ACTIONS": "true"}


def test_validate_prints_an_error_annotation_on_the_exact_line(tmp_path: Path) -> None:
    (tmp_path / "post.yaml").write_text("caption: hi\ntargets:\n  - platform: x\n    bogus: 1\n")
    result = subprocess.run(
        [sys.executable, "-m", "sydium_cli", "validate", "post.yaml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **GH, "GITHUB_WORKSPACE": str(tmp_path)},
        timeout=60,
    )
    assert result.returncode == 2
    lines = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert lines == [
        "::error file=post.yaml,line=4,col=5::targets[0]: unknown key 'bogus' "
        "(expected one of: platform, postType, options, caption, media)"
    ]


def test_annotation_escapes_per_github_rules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    text = ci.annotation("50% off\r\nline two", file=str(tmp_path / "a,b:c.yaml"), line=3, col=1, title="t:1")
    assert text == "::error file=a%2Cb%3Ac.yaml,line=3,col=1,title=t%3A1::50%25 off%0D%0Aline two"
    assert ci.annotation("plain") == "::error::plain"
    assert ci.annotation("w", level="warning", line=2) == "::warning line=2::w"


def test_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert not ci.in_github_actions()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert ci.in_github_actions()


def test_step_summary_has_one_row_per_target_from_wire_dicts_or_models() -> None:
    wire = {
        "id": "op_1",
        "status": "partial",
        "targets": [
            {"platform": "x", "status": "published", "postId": "p1", "url": "https://x.example/1"},
            {"platform": "linkedin", "status": "failed", "error": {"code": "auth", "message": "token | expired"}},
        ],
    }
    md = ci.step_summary([wire, Operation.from_wire({**wire, "id": "op_2"})])
    lines = md.splitlines()
    assert lines[0] == "### Sydium posts"
    assert lines[2] == "| Operation | Platform | Status | Post | URL | Error |"
    assert lines[4] == "| op_1 | x | published | p1 | https://x.example/1 |  |"
    assert lines[5] == "| op_1 | linkedin | failed |  |  | auth: token \\| expired |"
    assert lines[6:] == [lines[4].replace("op_1", "op_2"), lines[5].replace("op_1", "op_2")]


def test_step_summary_without_operations() -> None:
    assert "No operations." in ci.step_summary([])


def test_append_step_summary_appends_only_when_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert ci.append_step_summary("x") is False
    target = tmp_path / "summary.md"
    target.write_text("before\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    assert ci.append_step_summary("one") is True
    assert ci.append_step_summary("two\n") is True
    assert target.read_text() == "before\none\ntwo\n"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing-dir" / "s.md"))
    assert ci.append_step_summary("x") is False
