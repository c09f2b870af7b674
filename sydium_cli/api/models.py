"""Wire models for the Sydium Public API (sydium-openapi.yaml), declared on `wire.WireModel`.

Response models keep unknown fields (`wire()`, `extra`) and take status values the client does not
know yet as plain strings (the known ones are listed below), so a newer server never crashes an older
CLI. Request models enforce the documented limits when built, so bad input fails before any network call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sydium_cli.api.wire import WireModel

MAX_TARGETS = 10
MAX_MEDIA = 35

# Statuses are plain strings, so one added to the API later is shown, not refused. Documented: operations
# scheduled, processing, completed, partially_failed, partially_cancelled, failed, cancelled; targets
# scheduled, processing, published, failed, cancelled (the last three are final).
PENDING_TARGET_STATUSES = frozenset({"scheduled", "processing"})


# ---- requests ---------------------------------------------------------------------------------


def _check_length(name: str, value: Any, low: int, high: int | None = None) -> None:
    if value is None:
        return
    if len(value) < low:
        raise ValueError(f"{name} must have at least {low} item{'s' if low != 1 else ''}")
    if high is not None and len(value) > high:
        raise ValueError(f"{name} has {len(value)} items; the API takes at most {high}")


class PostTarget(WireModel):
    platform: str
    post_type: str | None = None
    options: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if not self.platform:
            raise ValueError("a target needs a platform")


class CreatePostRequest(WireModel):
    caption: str | None = None
    media: list[str] | None = None
    schedule_at: str | None = None
    targets: list[PostTarget]

    def __post_init__(self) -> None:
        _check_length("media", self.media, 0, MAX_MEDIA)
        _check_length("targets", self.targets, 1, MAX_TARGETS)
        seen: set[str] = set()
        for target in self.targets:
            if target.platform in seen:
                raise ValueError(f"platform {target.platform!r} is targeted twice in one operation")
            seen.add(target.platform)
        if self.schedule_at is not None:
            try:
                parsed = datetime.fromisoformat(self.schedule_at.replace("Z", "+00:00"))
            except ValueError:
                raise ValueError(f"scheduleAt is not an ISO 8601 timestamp: {self.schedule_at!r}") from None
            if parsed.tzinfo is None:
                raise ValueError("scheduleAt must carry a UTC offset")


class MediaUploadUrlRequest(WireModel):
    content_type: str
    file_size: int

    def __post_init__(self) -> None:
        if self.file_size < 0:
            raise ValueError("fileSize must not be negative")


class MediaFromUrlRequest(WireModel):
    url: str


class GenerateRequest(WireModel):
    topic: str
    platform: str | None = None
    tone: str | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= len(self.topic) <= 2000:
            raise ValueError("topic must be 1 to 2000 characters")


# ---- responses --------------------------------------------------------------------------------


class Account(WireModel):
    platform: str
    username: str | None = None
    display_name: str | None = None
    profile_picture: str | None = None


class AccountList(WireModel):
    accounts: list[Account]


class PlatformCapability(WireModel):
    platform: str
    caption_limit: int
    title_limit: int | None = None
    description_limit: int | None = None
    max_media_items: int
    media_types: list[str]
    media: dict[str, Any] | None = None


class PlatformList(WireModel):
    platforms: list[PlatformCapability]


class Health(WireModel):
    status: str
    version: str


class MediaUrl(WireModel):
    upload_url: str | None = None
    public_url: str
    key: str


class OperationTarget(WireModel):
    platform: str
    status: str
    post_id: str | None = None
    url: str | None = None
    error: dict[str, Any] | None = None


class Operation(WireModel):
    id: str
    status: str
    targets: list[OperationTarget]

    def failed_targets(self) -> list[OperationTarget]:
        return [t for t in self.targets if t.status == "failed"]

    def pending_targets(self) -> list[OperationTarget]:
        return [t for t in self.targets if t.status in PENDING_TARGET_STATUSES]

    def is_settled(self) -> bool:
        """True when no target can change any more without a user action (all terminal).

        A target with a status this client does not know is treated as settled, so a wait loop
        never spins forever on a state it cannot interpret.
        """
        return not self.pending_targets()


class ScheduledPost(WireModel):
    id: str
    scheduled_for: str
    caption: str
    platforms: list[str]
    status: str


class ScheduledPostList(WireModel):
    posts: list[ScheduledPost]


class AnalyticsRange(WireModel):
    WIRE_NAMES: ClassVar[dict[str, str]] = {"from_": "from"}

    from_: str | None = None
    to: str | None = None


class AnalyticsDay(WireModel):
    date: str
    totals: dict[str, Any]


class Analytics(WireModel):
    range: AnalyticsRange
    days: list[AnalyticsDay]


class Citation(WireModel):
    source: str
    url: str | None = None


class TodayIdea(WireModel):
    date: str
    grounded: bool
    language: str
    topic: str
    angle: str
    format: str
    hashtags: list[str]
    why_it_fits: str
    anchor: str | None = None
    citation: Citation | None = None


class IdeaEnvelope(WireModel):
    idea: TodayIdea | None


class Generated(WireModel):
    text: str
    tokens_used: int | None = None
