"""`sydium post` flags (and `-f` post files) -> one PostPlan, or every problem at once.

How flags combine with `-f FILE` (documented in the README):
- `--at` / `--tz` override every post's `at` / `timezone`;
- `--to` gives targets to posts that list none (a post with its own `targets:` plus `--to` is an error);
- `--type`, `--option`, `--caption-for` apply to that platform's target in every post (flags win;
  options merge key by key); naming a platform no post targets is an error;
- CAPTION, `--caption-file` and `--media` cannot be combined with `-f` (put them in the file).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import Any, BinaryIO

from sydium_cli.api.errors import UsageError
from sydium_cli.compose import timeparse
from sydium_cli.compose.build import build_plan
from sydium_cli.compose.plan import MediaRef, PostPlan, PostSpec, Problems, SourceLocation, TargetSpec


@dataclass
class PostFlags:
    """What the user typed, unparsed."""

    caption: str | None = None  # the CAPTION argument; "-" reads stdin
    caption_file: str | None = None
    to: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    at: str | None = None
    tz: str | None = None
    types: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    captions_for: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    allow_past: bool = False  # --skip-sent: a calendar keeps its published history


class PlanError(UsageError):
    """Invalid input: every problem, one per line; nothing is sent."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        if len(problems) == 1:
            message = problems[0]
        else:
            message = f"{len(problems)} problems; nothing was sent:\n" + "\n".join(f"  {p}" for p in problems)
        super().__init__(message, hint="Fix these and run again; `--dry-run` shows what would be sent.")


def plan_from_flags(
    flags: PostFlags, *, now: datetime, stdin: BinaryIO | None, local: tzinfo | None = None
) -> PostPlan:
    """The whole invocation as a plan; raises PlanError listing every problem."""
    problems = Problems()
    given_zone = local
    if flags.tz is not None:
        try:
            given_zone = timeparse.zone_named(flags.tz)
        except timeparse.TimeParseError as exc:
            problems.append(f"--tz: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
    from_files = bool(flags.files)
    posts = _posts_from_files(flags, stdin, problems) if from_files else [_post_from_flags(flags, stdin, problems)]
    _apply_overrides(posts, flags, problems)
    # The machine's zone is looked up only when some time has to be read in it.
    needs_zone = given_zone is None and any(post.at is not None for post in posts)
    local_zone = timeparse.local_zone() if needs_zone else (given_zone or timezone.utc)
    plan = build_plan(posts, now=now, local=local_zone, problems=problems, allow_past=flags.allow_past)
    if problems:
        raise PlanError(problems)
    return plan


# ---- sources -----------------------------------------------------------------------------------


def _post_from_flags(flags: PostFlags, stdin: BinaryIO | None, problems: Problems) -> PostSpec:
    post = PostSpec(where=SourceLocation("command line"))
    before = len(problems)
    post.caption = _caption(flags, stdin, problems)
    if len(problems) > before:
        post.caption = "(unreadable)"  # already reported; avoids a second "empty caption" problem
    post.media = [MediaRef(raw=m.strip(), where=SourceLocation("--media")) for m in flags.media]
    return post


def _caption(flags: PostFlags, stdin: BinaryIO | None, problems: Problems) -> str | None:
    if flags.caption is not None and flags.caption_file is not None:
        problems.append("give the caption either as an argument or with --caption-file, not both")
        return None
    source = "-" if flags.caption == "-" else flags.caption_file
    if source is None:
        return flags.caption
    from sydium_cli.compose.postfile import read_capped  # the reader lives with YAML (~15 ms), load on need

    try:
        text, _label = read_capped(source, what="caption file", stdin=stdin)
    except ValueError as exc:
        problems.append(f"--caption-file {exc}" if flags.caption_file else f"caption from {exc}")
        return None
    return text.rstrip("\r\n")


def _posts_from_files(flags: PostFlags, stdin: BinaryIO | None, problems: Problems) -> list[PostSpec]:
    for name, given in (("CAPTION", flags.caption), ("--caption-file", flags.caption_file)):
        if given is not None:
            problems.append(f"{name} cannot be combined with -f; put the caption in the post file")
    if flags.media:
        problems.append("--media cannot be combined with -f; list media in the post file")
    if flags.files.count("-") > 1:
        problems.append("-f - is given more than once; stdin can be read only once")
    from sydium_cli.compose.postfile import expand_post_paths, load_posts, read_capped  # imports yaml

    files, empty = expand_post_paths(flags.files)
    problems.extend(f"{path}: {problem}" for path, problem in empty)
    posts: list[PostSpec] = []
    for path in files:
        try:
            text, label = read_capped(path, what="post file", stdin=stdin)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        posts.extend(load_posts(text, label, problems))
    return posts


# ---- overrides ---------------------------------------------------------------------------------


def _apply_overrides(posts: list[PostSpec], flags: PostFlags, problems: Problems) -> None:
    to = _platform_list(flags.to, problems)
    for post in posts:
        if flags.at is not None:
            post.at, post.at_where = flags.at, SourceLocation("--at")
        if flags.tz is not None:  # --tz is already the fallback zone; it also beats `timezone:`
            post.timezone, post.timezone_where = None, None
        if to and post.targets:
            problems.at(post.where, post.path, "targets are listed in the file and with --to; use one or the other")
        elif to:
            post.targets = [TargetSpec(platform=p, where=SourceLocation("--to")) for p in to]
    by_platform: dict[str, list[TargetSpec]] = {}
    for post in posts:
        for target in post.targets:
            by_platform.setdefault(target.platform, []).append(target)
    for flag, raw in _per_target(flags):
        _apply_one(flag, raw, by_platform, problems)


def _platform_list(values: list[str], problems: Problems) -> list[str]:
    platforms: list[str] = []
    for value in values:
        for part in value.split(","):
            name = part.strip().lower()
            if not name:
                problems.append(f"--to {value!r}: an empty platform name")
            elif name not in platforms:
                platforms.append(name)
    return platforms


def _per_target(flags: PostFlags) -> list[tuple[str, str]]:
    return (
        [("--type", v) for v in flags.types]
        + [("--option", v) for v in flags.options]
        + [("--caption-for", v) for v in flags.captions_for]
    )


def _apply_one(flag: str, raw: str, by_platform: dict[str, list[TargetSpec]], problems: Problems) -> None:
    left, sep, value = raw.partition("=")
    if flag == "--option":
        platform, dot, key = left.partition(".")
        if not sep or not dot or not key.strip():
            problems.append(f"--option {raw!r}: expected PLATFORM.KEY=VALUE (e.g. youtube.privacy=public)")
            return
    else:
        platform, key = left, ""
        example = "youtube=short" if flag == "--type" else "x=Shorter text"
        if not sep:
            problems.append(
                f"{flag} {raw!r}: expected PLATFORM={'POSTTYPE' if flag == '--type' else 'TEXT'} (e.g. {example})"
            )
            return
    if flag == "--type" and not value.strip():
        problems.append(f"--type {raw!r}: the post type is empty")
        return
    platform = platform.strip().lower()
    targets = by_platform.get(platform)
    if not targets:
        known = ", ".join(by_platform) or "none"
        problems.append(f"{flag} {raw!r}: {platform!r} is not a target of this post (targets: {known})")
        return
    for target in targets:
        _set(target, flag, key.strip(), value)


def _set(target: TargetSpec, flag: str, key: str, value: str) -> None:
    if flag == "--type":
        target.post_type = value.strip()
    elif flag == "--caption-for":
        target.caption = value
    else:
        target.options = {**(target.options or {}), key: _json_or_text(value)}


def _json_or_text(value: str) -> Any:
    """`--option` values: JSON when they parse as JSON (`true`, `3`, `["a"]`), otherwise the text."""
    try:
        return json.loads(value, parse_constant=_no_constant)
    except ValueError:
        return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON the API accepts")
