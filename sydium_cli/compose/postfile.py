"""YAML post files -> PostSpecs, with `file:line:column` positions for every problem.

The loader composes the YAML node graph itself (never `yaml.load`), refuses anchors and aliases before
anything is expanded (a "billion laughs" file fails at its first anchor, in bounded memory), rejects
unknown keys with a suggestion, and reports every problem it finds instead of stopping at the first.
"""

from __future__ import annotations

import difflib
import math
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import yaml
from yaml.events import AliasEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sydium_cli.compose.plan import MediaRef, PostSpec, Problems, SourceLocation, TargetSpec

MAX_FILE_BYTES = 1024 * 1024  # post files and caption files
POST_KEYS = ("caption", "media", "at", "timezone", "targets")
TARGET_KEYS = ("platform", "postType", "options", "caption", "media")
ALIASES = {
    "scheduleAt": "at", "schedule_at": "at", "schedule": "at", "when": "at", "tz": "timezone",
    "platforms": "targets", "to": "targets", "post_type": "postType", "type": "postType",
    "posttype": "postType", "text": "caption", "name": "platform", "option": "options",
}  # fmt: skip
STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Refused(yaml.YAMLError):
    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _SafeComposer(yaml.SafeLoader):
    """A SafeLoader whose composer refuses anchors and aliases instead of expanding them."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent):
            raise _Refused(event.start_mark, "YAML aliases (*name) are not allowed in post files")
        if isinstance(event, NodeEvent) and event.anchor is not None:
            raise _Refused(event.start_mark, "YAML anchors (&name) are not allowed in post files")
        return super().compose_node(parent, index)


# ---- reading files -----------------------------------------------------------------------------


POST_FILE_SUFFIXES = (".yaml", ".yml")
EMPTY_DIRECTORY = "the directory holds no *.yaml or *.yml post files"


def expand_post_paths(paths: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Post files for `post -f` and `validate`: a directory becomes every *.yaml/*.yml inside it
    (recursively, sorted); anything else (a file, `-`, a missing path) is kept as given for the reader
    to judge. Returns (files without duplicates, [(path, problem)] for directories holding no post file).
    """
    files: list[str] = []
    problems: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if raw != "-" and path.is_dir():
            found = sorted(
                (p for p in path.rglob("*") if p.suffix.lower() in POST_FILE_SUFFIXES and p.is_file()),
                key=lambda p: p.as_posix(),
            )
            if not found:
                problems.append((raw, EMPTY_DIRECTORY))
            files.extend(str(p) for p in found)
        else:
            files.append(raw)
    return list(dict.fromkeys(files)), problems


def read_capped(path: str, *, what: str, stdin: BinaryIO | None) -> tuple[str, str]:
    """(text, label) of a file or stdin (`-`): at most 1 MiB, UTF-8 (a BOM is fine). Raises ValueError."""
    label = "<stdin>" if path == "-" else path
    if path == "-":
        if stdin is None:
            raise ValueError(f"{label}: stdin is not available")
        data = stdin.read(MAX_FILE_BYTES + 1)
    else:
        data = _read_path(Path(path), what)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{label}: the {what} is larger than 1 MiB, the limit for a {what}")
    try:
        return data.decode("utf-8-sig"), label
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"{label}:{line}: the {what} is not valid UTF-8 (bad byte at offset {exc.start}); save it as UTF-8"
        ) from None


def _read_path(path: Path, what: str) -> bytes:
    if path.is_dir():
        raise ValueError(f"{path}: is a directory; give the path of a {what}")
    try:
        # O_NONBLOCK on open: a FIFO nobody writes to must not hang the CLI (it then reads as empty);
        # blocking again for the read, so `<(command)` process substitution still works.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ValueError(f"{path}: no such {what}") from None
    except PermissionError:
        raise ValueError(f"{path}: permission denied reading the {what}") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None


# ---- YAML -> PostSpecs -------------------------------------------------------------------------


def load_posts(text: str, label: str, problems: Problems) -> list[PostSpec]:
    """Every post in one file's text; problems are appended (nothing raised)."""
    try:
        roots = [node for node in yaml.compose_all(text, Loader=_SafeComposer) if not _is_null(node)]
    except _Refused as exc:
        problems.at(_loc(label, exc.mark), "", exc.message)
        return []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problems.at(_loc(label, mark), "", f"invalid YAML: {exc.problem or exc.context}")
        return []
    except yaml.YAMLError as exc:
        problems.append(f"{label}: invalid YAML: {exc}")
        return []
    except RecursionError:
        problems.append(f"{label}: the YAML is nested too deeply")
        return []
    posts: list[PostSpec] = []
    for root in roots:
        posts.extend(_document(root, label, problems))
    if not posts and not any(p.startswith(label) for p in problems):
        problems.append(f"{label}: the post file is empty; it needs at least one post (see `sydium post -h`)")
    return posts


def _document(root: Node, label: str, problems: Problems) -> list[PostSpec]:
    if isinstance(root, MappingNode) and any(_key(k) == "posts" for k, _ in root.value):
        if len(root.value) != 1:
            problems.at(_loc(label, root.start_mark), "", "a file with 'posts:' holds nothing else at its top")
            return []
        node = root.value[0][1]
        if not isinstance(node, SequenceNode):
            problems.at(_loc(label, node.start_mark), "posts", "must be a list of posts")
            return []
        found = [_post(item, label, f"posts[{i}]", problems) for i, item in enumerate(node.value)]
        if not node.value:
            problems.at(_loc(label, node.start_mark), "posts", "the list is empty")
        return [p for p in found if p is not None]
    post = _post(root, label, "", problems)
    return [post] if post else []


def _post(node: Node, label: str, path: str, problems: Problems) -> PostSpec | None:
    where = _loc(label, node.start_mark)
    if not isinstance(node, MappingNode):
        problems.at(where, path, f"a post must be a mapping with {', '.join(POST_KEYS)}")
        return None
    post = PostSpec(where=where, path=path)
    for key, value in _fields(node, label, path, POST_KEYS, problems):
        sub = _join(path, key)
        if key == "caption":
            post.caption = _string(value, label, sub, problems, allow_empty=True)
        elif key == "media":
            post.media = _media(value, label, sub, problems) or []
        elif key == "at":
            post.at = _string(value, label, sub, problems, tags=(STR_TAG, TIMESTAMP_TAG))
            post.at_where = _loc(label, value.start_mark)
        elif key == "timezone":
            post.timezone = _string(value, label, sub, problems)
            post.timezone_where = _loc(label, value.start_mark)
        elif key == "targets":
            post.targets = _targets(value, label, sub, problems)
    return post


def _targets(node: Node, label: str, path: str, problems: Problems) -> list[TargetSpec]:
    if not isinstance(node, SequenceNode) or not node.value:
        problems.at(_loc(label, node.start_mark), path, "must be a non-empty list of platforms or mappings")
        return []
    targets: list[TargetSpec] = []
    for index, item in enumerate(node.value):
        target = _target(item, label, f"{path}[{index}]", problems)
        if target is not None:
            targets.append(target)
    return targets


def _target(node: Node, label: str, path: str, problems: Problems) -> TargetSpec | None:
    where = _loc(label, node.start_mark)
    if isinstance(node, ScalarNode):
        platform = _string(node, label, path, problems)
        return TargetSpec(platform=platform.strip().lower(), where=where) if platform else None
    if not isinstance(node, MappingNode):
        problems.at(where, path, "a target is a platform name or a mapping with 'platform'")
        return None
    values = dict(_fields(node, label, path, TARGET_KEYS, problems))
    if "platform" not in values:
        problems.at(where, path, "the target has no 'platform'")
        return None
    platform = _string(values["platform"], label, _join(path, "platform"), problems)
    if not platform:
        return None
    target = TargetSpec(platform=platform.strip().lower(), where=where)
    if "postType" in values:
        target.post_type = _string(values["postType"], label, _join(path, "postType"), problems)
    if "options" in values:
        target.options = _options(values["options"], label, _join(path, "options"), problems)
    if "caption" in values:
        target.caption = _string(values["caption"], label, _join(path, "caption"), problems, allow_empty=True)
    if "media" in values:
        target.media = _media(values["media"], label, _join(path, "media"), problems)
    return target


def _fields(
    node: MappingNode, label: str, path: str, allowed: tuple[str, ...], problems: Problems
) -> list[tuple[str, Node]]:
    """The mapping's (key, value) pairs with known keys; unknown or repeated keys become problems."""
    seen: set[str] = set()
    fields: list[tuple[str, Node]] = []
    for key_node, value in node.value:
        key = _key(key_node)
        where = _loc(label, key_node.start_mark)
        if key is None:
            problems.at(where, path, "keys must be plain names")
        elif key not in allowed:
            problems.at(where, path, f"unknown key {key!r}{_suggest(key, allowed)}")
        elif key in seen:
            problems.at(where, path, f"key {key!r} is given twice")
        elif not (isinstance(value, ScalarNode) and value.tag == NULL_TAG and key not in ("caption",)):
            seen.add(key)
            fields.append((key, value))
        else:
            seen.add(key)  # `key:` with nothing after it: treated as not given
    return fields


def _suggest(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    guess = close[0] if close else ALIASES.get(key)
    if guess is None or guess not in allowed:
        return f" (expected one of: {', '.join(allowed)})"
    return f" (did you mean {guess!r}?)"


def _string(
    node: Node,
    label: str,
    path: str,
    problems: Problems,
    *,
    allow_empty: bool = False,
    tags: tuple[str, ...] = (STR_TAG,),
) -> str | None:
    if isinstance(node, ScalarNode) and node.tag == NULL_TAG and allow_empty:
        return ""
    if not isinstance(node, ScalarNode) or node.tag not in tags:
        kind = _kind(node)
        problems.at(_loc(label, node.start_mark), path, f"must be a string, not {kind} (quote it if needed)")
        return None
    if not node.value.strip() and not allow_empty:
        problems.at(_loc(label, node.start_mark), path, "must not be empty")
        return None
    return str(node.value)


def _media(node: Node, label: str, path: str, problems: Problems) -> list[MediaRef] | None:
    items = [node] if isinstance(node, ScalarNode) and node.tag == STR_TAG else None
    if items is None:
        if not isinstance(node, SequenceNode):
            problems.at(_loc(label, node.start_mark), path, "must be a list of media URLs or paths")
            return None
        items = list(node.value)
    refs: list[MediaRef] = []
    for index, item in enumerate(items):
        sub = f"{path}[{index}]" if isinstance(node, SequenceNode) else path
        value = _string(item, label, sub, problems)
        if value is not None:
            refs.append(MediaRef(raw=value.strip(), where=_loc(label, item.start_mark)))
    return refs


def _options(node: Node, label: str, path: str, problems: Problems) -> dict[str, Any] | None:
    if not isinstance(node, MappingNode):
        problems.at(_loc(label, node.start_mark), path, "must be a mapping of option names to values")
        return None
    value = _plain(node, label, path, problems)
    return value if isinstance(value, dict) else None


def _plain(node: Node, label: str, path: str, problems: Problems) -> Any:
    """A node as JSON-ready Python data (options are sent as they are, so they must be JSON)."""
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value in node.value:
            key = _key(key_node)
            if key is None:
                problems.at(_loc(label, key_node.start_mark), path, "option names must be strings")
                continue
            result[key] = _plain(value, label, _join(path, key), problems)
        return result
    if isinstance(node, SequenceNode):
        return [_plain(item, label, f"{path}[{i}]", problems) for i, item in enumerate(node.value)]
    value = yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        problems.at(_loc(label, node.start_mark), path, "must be a finite number")
    elif isinstance(value, (bytes, set)):
        problems.at(_loc(label, node.start_mark), path, "must be plain JSON data")
    return value


def _key(node: Node) -> str | None:
    """A mapping key as written (`on:` and `yes:` stay names, not YAML 1.1 booleans)."""
    return str(node.value) if isinstance(node, ScalarNode) and node.tag != NULL_TAG else None


def _is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == NULL_TAG)


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return {
        "tag:yaml.org,2002:int": "a number",
        "tag:yaml.org,2002:float": "a number",
        "tag:yaml.org,2002:bool": "true/false",
        NULL_TAG: "empty",
        TIMESTAMP_TAG: "a date",
    }.get(str(node.tag), "that value")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _loc(label: str, mark: yaml.Mark | None) -> SourceLocation:
    if mark is None:
        return SourceLocation(label)
    return SourceLocation(label, mark.line + 1, mark.column + 1)
