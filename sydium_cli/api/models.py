"""pydantic v2 wire models for the Sydium Public API (sydium-openapi.yaml).

Response models keep unknown fields (`extra="allow"`) and accept enum values the client does not
know yet (`Literal[...] | str`), so a newer server never crashes an older CLI. Request models enforce
the documented limits so bad input fails before any network call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Union

from pydantic import AliasGenerator, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

MAX_TARGETS = 10
MAX_MEDIA = 35

OperationStatus = Union[
    Literal[
        "scheduled",
        "processing",
        "completed",
        "partially_failed",
        "partially_cancelled",
        "failed",
        "cancelled",
    ],
    str,
]
TargetStatus = Union[Literal["scheduled", "processing", "published", "failed", "cancelled"], str]

TERMINAL_TARGET_STATUSES = frozenset({"published", "failed", "cancelled"})
PENDING_TARGET_STATUSES = frozenset({"scheduled", "processing"})


class WireModel(BaseModel):
    """Base for every wire model: camelCase on the wire, snake_case in Python, unknown fields kept."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        alias_generator=AliasGenerator(alias=to_camel),
    )

    def wire(self) -> dict[str, Any]:
        """The JSON-ready dict as the API spells it: what was received, unknown fields and nulls kept."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


# ---- requests ---------------------------------------------------------------------------------


class RequestModel(WireModel):
    """Requests leave out what the user did not set, so the body holds only meaningful fields."""

    def wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class PostTarget(RequestModel):
    platform: str = Field(min_length=1)
    post_type: str | None = None
    options: dict[str, Any] | None = None


class CreatePostRequest(RequestModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=AliasGenerator(alias=to_camel))

    caption: str | None = None
    media: list[str] | None = Field(default=None, max_length=MAX_MEDIA)
    schedule_at: str | None = None
    targets: list[PostTarget] = Field(min_length=1, max_length=MAX_TARGETS)

    @field_validator("schedule_at")
    @classmethod
    def _schedule_has_offset(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"scheduleAt is not an ISO 8601 timestamp: {value!r}") from exc
        if parsed.tzinfo is None:
            raise ValueError("scheduleAt must carry a UTC offset")
        return value

    @field_validator("targets")
    @classmethod
    def _unique_platforms(cls, value: list[PostTarget]) -> list[PostTarget]:
        seen: set[str] = set()
        for target in value:
            if target.platform in seen:
                raise ValueError(f"platform {target.platform!r} is targeted twice in one operation")
            seen.add(target.platform)
        return value


class MediaUploadUrlRequest(RequestModel):
    content_type: str
    file_size: int = Field(ge=0)


class MediaFromUrlRequest(RequestModel):
    url: str


class GenerateRequest(RequestModel):
    topic: str = Field(min_length=1, max_length=2000)
    platform: str | None = None
    tone: str | None = None
    language: str | None = None


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
    status: TargetStatus
    post_id: str | None = None
    url: str | None = None
    error: dict[str, Any] | None = None


class Operation(WireModel):
    id: str
    status: OperationStatus
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
    from_: str | None = Field(default=None, alias="from")
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
