"""`sydium validate`: offline checks of post files, without a key and without the network.

Reuses the post pipeline's pieces (compose.postfile loader, compose.build plan builder, compose.checks
capability rules, compose.media local-file checks); this module only finds the files, runs those pieces
file by file, and turns every problem into a `Finding` with a file, line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any

from sydium_cli.compose.plan import PostPlan, SourceLocation

_POSITION = re.compile(r"^:(\d+)(?::(\d+))?: ?(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Finding:
    file: str
    message: str
    line: int | None = None
    col: int | None = None
    hint: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}:{self.col or 1}"
        return f"{where}: {self.message}"

    def wire(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.col,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class FileReport:
    file: str
    posts: int = 0
    operations: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def wire(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "valid": not self.errors,
            "posts": self.posts,
            "operations": self.operations,
            "problems": [f.wire() for f in self.findings],
        }


def expand_paths(paths: list[str]) -> tuple[list[str], list[Finding]]:
    """Files as given, directories as every *.yaml/*.yml inside (recursively, sorted); missing ones reported."""
    from sydium_cli.compose.postfile import expand_post_paths

    expanded, empty = expand_post_paths(paths)
    missing = [Finding(path, problem) for path, problem in empty]
    files: list[str] = []
    for path in expanded:
        if Path(path).exists():
            files.append(path)
        else:
            missing.append(Finding(path, "no such file or directory"))
    return files, missing


def finding_from_text(text: str, label: str) -> Finding:
    """A problem line from the loader (`label:line:col: message`) as a Finding with its position."""
    if text.startswith(label):
        match = _POSITION.match(text[len(label) :])
        if match:
            line, col, message = match.groups()
            return Finding(label, message, int(line), int(col) if col else None)
        if text[len(label) :].startswith(": "):
            return Finding(label, text[len(label) + 2 :])
    return Finding(label, text)


def _finding_at(where: SourceLocation | None, label: str, message: str, hint: str | None, severity: str) -> Finding:
    if where is None or where.line is None:
        return Finding(label, message, hint=hint, severity=severity)
    return Finding(where.label, message, where.line, where.column, hint, severity)


def validate_file(
    path: str, *, caps: Any | None, base_url: str | None, now: datetime, local: tzinfo, allow_past: bool = False
) -> FileReport:
    """Every problem in one post file: parse, schema, times, targets, local media, capabilities.

    With `allow_past` a time already gone is a warning, not an error: a content calendar keeps the posts
    it published, and `post --skip-sent` leaves those out."""
    from sydium_cli.compose.build import build_plan
    from sydium_cli.compose.plan import Problems
    from sydium_cli.compose.postfile import load_posts, read_capped

    report = FileReport(path)
    problems = Problems()
    try:
        text, label = read_capped(path, what="post file", stdin=None)
    except ValueError as exc:
        report.findings.append(finding_from_text(str(exc), path))
        return report
    posts = load_posts(text, label, problems)
    plan = build_plan(posts, now=now, local=local, problems=problems, allow_past=allow_past)
    report.posts, report.operations = len(posts), len(plan.operations)
    report.findings.extend(finding_from_text(p, label) for p in problems)
    report.findings.extend(
        _finding_at(
            op.source,
            label,
            f"the time {op.schedule_at.isoformat()} has passed",
            "`post --skip-sent` leaves it out if it was sent, and refuses it otherwise.",
            "warning",
        )
        for op in plan.operations
        if op.schedule_at is not None and op.schedule_at <= now
    )
    report.findings.extend(_plan_findings(plan, caps, label, base_url))
    report.findings.sort(key=lambda f: (f.line or 0, f.col or 0))
    return report


def _plan_findings(plan: PostPlan, caps: Any | None, label: str, base_url: str | None) -> list[Finding]:
    if caps is not None:
        from sydium_cli.compose.checks import check_plan

        return [
            _finding_at(p.where, label, p.message, p.hint, p.severity)
            for p in check_plan(plan, caps, base_url=base_url)
        ]
    from sydium_cli.api.errors import UsageError
    from sydium_cli.compose.media import MediaKind, classify, validate_local

    found: list[Finding] = []
    for ref in dict((m.raw, m) for m in plan.all_media()).values():
        if classify(ref.raw, base_url) is MediaKind.LOCAL:
            try:
                validate_local(ref.raw, None)
            except UsageError as exc:
                found.append(_finding_at(ref.where, label, exc.message, exc.hint, "error"))
    return found


def offline_capabilities(base_url: str) -> tuple[Any | None, str | None]:
    """(capabilities from the cache, even if stale; or None) and a note for the user when they are missing."""
    from sydium_cli.api.errors import SydiumError
    from sydium_cli.compose.capabilities import load_capabilities

    try:
        return load_capabilities(None, base_url=base_url), None
    except SydiumError:
        return None, (
            "No platform capabilities are cached, so caption lengths and media limits were not checked; "
            "run `sydium platforms` once while online to cache them."
        )


def validate_paths(
    paths: list[str], *, caps: Any | None, base_url: str | None, now: datetime | None = None, allow_past: bool = False
) -> list[FileReport]:
    """Reports for every post file under `paths` (missing paths become reports with one finding)."""
    from sydium_cli.compose.timeparse import local_zone

    files, missing = expand_paths(paths)
    reports = [FileReport(f.file, findings=[f]) for f in missing]
    when = now or datetime.now(timezone.utc)
    zone = local_zone()
    reports.extend(
        validate_file(f, caps=caps, base_url=base_url, now=when, local=zone, allow_past=allow_past) for f in files
    )
    return reports
