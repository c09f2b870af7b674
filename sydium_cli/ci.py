"""GitHub Actions integration: workflow-command annotations and the job step summary.

Pure helpers (no typer, no rich): `in_github_actions()`, `annotation(...)` builds an
`::error file=...,line=...,col=...::message` line escaped per GitHub's rules, `step_summary(...)`
renders operations and their targets as a Markdown table, and `append_step_summary(text)` appends it
to the file named by $GITHUB_STEP_SUMMARY when that variable is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ENV_GITHUB_ACTIONS = "GITHUB_ACTIONS"
ENV_STEP_SUMMARY = "GITHUB_STEP_SUMMARY"
ENV_WORKSPACE = "GITHUB_WORKSPACE"


def in_github_actions() -> bool:
    return os.environ.get(ENV_GITHUB_ACTIONS, "").strip().lower() == "true"


def escape_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's toolkit: % CR LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value (also : and , which delimit properties)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_path(path: str) -> str:
    """The file path as GitHub wants it: relative to the workspace when it lies inside it."""
    workspace = os.environ.get(ENV_WORKSPACE) or os.getcwd()
    try:
        return Path(path).resolve().relative_to(Path(workspace).resolve()).as_posix()
    except (ValueError, OSError):
        return path


def annotation(
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    col: int | None = None,
    level: str = "error",
    title: str | None = None,
) -> str:
    """One workflow command line, e.g. `::error file=a.yaml,line=3,col=5::caption too long`."""
    props: list[str] = []
    if file:
        props.append(f"file={escape_property(annotation_path(file))}")
    if line is not None:
        props.append(f"line={line}")
    if col is not None:
        props.append(f"col={col}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


# ---- step summary -----------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A Markdown table cell: no pipes or newlines can break the row, no HTML is interpreted."""
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.split())


def _get(obj: Any, *names: str) -> Any:
    """A field from a dict (camelCase as on the wire) or a model (snake_case attribute)."""
    for name in names:
        if isinstance(obj, Mapping):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            return getattr(obj, name)
    return None


def _error_text(value: Any) -> str | None:
    if isinstance(value, Mapping):
        message, code = value.get("message"), value.get("code")
        return f"{code}: {message}" if code and message else str(message or code or "") or None
    return None if value is None else str(value)


def step_summary(operations: Iterable[Any], *, title: str = "Sydium posts") -> str:
    """Markdown: one row per target of each operation (dicts as the API spells them, or models)."""
    rows: list[str] = []
    for op in operations:
        op_id = _get(op, "id")
        for target in _get(op, "targets") or [{}]:
            cells = [
                op_id,
                _get(target, "platform"),
                _get(target, "status") or _get(op, "status"),
                _get(target, "postId", "post_id"),
                _get(target, "url"),
                _error_text(_get(target, "error")),
            ]
            rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    if not rows:
        return f"### {title}\n\nNo operations.\n"
    header = "| Operation | Platform | Status | Post | URL | Error |\n|---|---|---|---|---|---|"
    return f"### {title}\n\n{header}\n" + "\n".join(rows) + "\n"


def summarize_operations(operations: Iterable[Any]) -> None:
    """In GitHub Actions, add the operations and their targets to the job's step summary."""
    if in_github_actions():
        append_step_summary(step_summary(operations))


def append_step_summary(text: str) -> bool:
    """Append `text` to $GITHUB_STEP_SUMMARY; False (and nothing written) when it is not set or not writable."""
    target = os.environ.get(ENV_STEP_SUMMARY)
    if not target:
        return False
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    except OSError:
        return False  # a summary is a nicety; it must never fail the publish that produced it
    return True
