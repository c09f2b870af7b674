"""The post plan: what the user asked for, resolved and grouped into API operations.

The API takes one caption and one media list per operation, so targets whose caption or media differ
become separate `PlannedOperation`s (grouped in a stable order). Media stay as the user wrote them
(`MediaRef`) until the media step maps each to a Sydium-hosted URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sydium_cli.api.models import CreatePostRequest, PostTarget


@dataclass(frozen=True)
class SourceLocation:
    """Where a value came from, for error messages: `post.yaml:7:5` or `--media`."""

    label: str  # a file path, "<stdin>", or a flag name such as "--media"
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        if self.line is None:
            return self.label
        return f"{self.label}:{self.line}:{self.column or 1}"


class Problems(list[str]):
    """Every problem found in one invocation, one line each."""

    def at(self, where: SourceLocation, path: str, message: str) -> None:
        self.append(f"{where}: {path}: {message}" if path else f"{where}: {message}")


@dataclass(frozen=True)
class MediaRef:
    """One media item as written: a local path, a public URL or a Sydium-hosted URL."""

    raw: str
    where: SourceLocation


@dataclass
class PlannedTarget:
    platform: str
    post_type: str | None = None
    options: dict[str, Any] | None = None
    where: SourceLocation | None = None

    def to_wire(self) -> PostTarget:
        return PostTarget(platform=self.platform, post_type=self.post_type, options=self.options)


@dataclass
class PlannedOperation:
    """One API call: a caption, a media list, an optional schedule, 1-10 targets."""

    caption: str
    media: list[MediaRef]
    schedule_at: datetime | None  # timezone-aware
    targets: list[PlannedTarget]
    source: SourceLocation  # the post this operation came from (file:line of the post, or "flags")
    timezone: str | None = None  # the zone the schedule was read in, for echoing local time

    def to_request(self, hosted: dict[str, str] | None = None) -> CreatePostRequest:
        """The request body; `hosted` maps each MediaRef.raw to its Sydium-hosted URL (default: as-is)."""
        hosted = hosted or {}
        media = [hosted.get(m.raw, m.raw) for m in self.media]
        return CreatePostRequest(
            caption=self.caption if self.caption or not media else None,
            media=media or None,
            schedule_at=self.schedule_at.replace(microsecond=0).isoformat() if self.schedule_at else None,
            targets=[t.to_wire() for t in self.targets],
        )


@dataclass
class TargetSpec:
    """One target as written (flags or a post file), before grouping; None = inherit from the post."""

    platform: str
    where: SourceLocation
    post_type: str | None = None
    options: dict[str, Any] | None = None
    caption: str | None = None
    media: list[MediaRef] | None = None


@dataclass
class PostSpec:
    """One post as written: flags or one post of a file, before time parsing and grouping."""

    where: SourceLocation
    caption: str | None = None
    media: list[MediaRef] = field(default_factory=list)
    at: str | None = None
    at_where: SourceLocation | None = None
    timezone: str | None = None
    timezone_where: SourceLocation | None = None
    targets: list[TargetSpec] = field(default_factory=list)
    path: str = ""  # "posts[2]" inside a `posts:` list, for error messages


@dataclass
class PostPlan:
    """Everything one invocation will send, in order."""

    operations: list[PlannedOperation] = field(default_factory=list)

    def all_media(self) -> list[MediaRef]:
        return [m for op in self.operations for m in op.media]
