"""PostSpecs -> a PostPlan: time parsing, per-post validation and grouping into API operations.

The API takes one caption and one media list per call, so a post's targets are grouped by their
effective (caption, media); groups keep the order in which their first target appears.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from sydium_cli.api.models import MAX_MEDIA, MAX_TARGETS
from sydium_cli.compose import timeparse
from sydium_cli.compose.plan import MediaRef, PlannedOperation, PlannedTarget, PostPlan, PostSpec, Problems, TargetSpec

PLATFORM_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def build_plan(
    posts: list[PostSpec], *, now: datetime, local: tzinfo, problems: Problems, allow_past: bool = False
) -> PostPlan:
    """Every operation of every post, in order; problems are appended, never raised. With `allow_past`,
    a time already gone is planned as written (the caller decides what to do with it)."""
    plan = PostPlan()
    for post in posts:
        plan.operations.extend(_operations(post, now=now, local=local, problems=problems, allow_past=allow_past))
    return plan


def _operations(
    post: PostSpec, *, now: datetime, local: tzinfo, problems: Problems, allow_past: bool
) -> list[PlannedOperation]:
    targets = _check_targets(post, problems)
    when, zone_label = _schedule(post, now=now, local=local, problems=problems, allow_past=allow_past)
    groups: dict[tuple[str, tuple[str, ...]], PlannedOperation] = {}
    for target in targets:
        caption = target.caption if target.caption is not None else (post.caption or "")
        media = target.media if target.media is not None else post.media
        key = (caption, tuple(m.raw for m in media))
        if key not in groups:
            groups[key] = PlannedOperation(
                caption=caption,
                media=list(media),
                schedule_at=when,
                targets=[],
                source=post.where,
                timezone=zone_label,
            )
            _check_content(groups[key], target, post, problems)
        groups[key].targets.append(
            PlannedTarget(
                platform=target.platform, post_type=target.post_type, options=target.options, where=target.where
            )
        )
    return list(groups.values())


def _check_targets(post: PostSpec, problems: Problems) -> list[TargetSpec]:
    kept: list[TargetSpec] = []
    seen: dict[str, TargetSpec] = {}
    for index, target in enumerate(post.targets):
        path = _path(post, f"targets[{index}]") if target.where.line is not None else ""
        if not PLATFORM_NAME.match(target.platform):
            problems.at(target.where, path, f"{target.platform!r} is not a platform name")
            continue
        first = seen.get(target.platform)
        if first is not None:
            if _is_plain(first) and _is_plain(target):
                continue  # `- x` twice (or --to x,x): one target
            problems.at(target.where, path, f"platform {target.platform!r} is targeted twice in this post")
            continue
        seen[target.platform] = target
        kept.append(target)
    if not post.targets:
        where = "list them under 'targets:' or give --to" if post.where.line is not None else "give --to"
        problems.at(post.where, post.path, f"no targets: {where} PLATFORM (e.g. --to x,linkedin)")
    elif len(kept) > MAX_TARGETS:
        problems.at(post.where, post.path, f"{len(kept)} targets; a post may have at most {MAX_TARGETS}")
    return kept


def _is_plain(target: TargetSpec) -> bool:
    return target.post_type is None and not target.options and target.caption is None and target.media is None


def _schedule(
    post: PostSpec, *, now: datetime, local: tzinfo, problems: Problems, allow_past: bool
) -> tuple[datetime | None, str | None]:
    zone = local
    if post.timezone is not None:
        try:
            zone = timeparse.zone_named(post.timezone)
        except timeparse.TimeParseError as exc:
            _time_problem(post, post.timezone_where, "timezone", exc, problems)
            return None, None
    if post.at is None:
        return None, None
    try:
        when = timeparse.parse_when(post.at, now=now, zone=zone, allow_past=allow_past)
    except timeparse.TimeParseError as exc:
        _time_problem(post, post.at_where, "at", exc, problems)
        return None, None
    return when, str(getattr(zone, "key", None) or zone)


def _time_problem(post: PostSpec, where: object, field: str, exc: timeparse.TimeParseError, problems: Problems) -> None:
    from sydium_cli.compose.plan import SourceLocation

    location = where if isinstance(where, SourceLocation) else post.where
    path = _path(post, field) if location.line is not None else ""
    problems.at(location, path, exc.message + (f" ({exc.hint})" if exc.hint else ""))


def _check_content(op: PlannedOperation, target: TargetSpec, post: PostSpec, problems: Problems) -> None:
    if not op.caption.strip() and not op.media:
        who = "this post" if target.caption is None and target.media is None else f"target {target.platform!r}"
        problems.at(post.where, post.path, f"the caption for {who} is empty and there is no media")
    if len(op.media) > MAX_MEDIA:
        problems.at(post.where, post.path, f"{len(op.media)} media items; at most {MAX_MEDIA} per post")
    for ref in op.media:
        _check_media_ref(ref, problems)


def _check_media_ref(ref: MediaRef, problems: Problems) -> None:
    if not ref.raw:
        problems.at(ref.where, "", "a media item is empty")


def _path(post: PostSpec, field: str) -> str:
    return f"{post.path}.{field}" if post.path else field
