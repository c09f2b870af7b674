"""Offline checks of a post plan against platform capabilities, before anything is uploaded or sent.

Each rule yields a `Problem` pointing at where the value came from (file:line or flag). Counting:
X weighs text the way twitter-text v3 does (URLs count 23, code points outside the Latin/general
punctuation ranges count 2, an emoji sequence counts 2); every other platform is counted in Unicode
code points, since no other platform documents a different unit.
"""

from __future__ import annotations

import difflib
import mimetypes
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from sydium_cli.api.errors import UsageError
from sydium_cli.api.models import PlatformCapability
from sydium_cli.compose.capabilities import Capabilities
from sydium_cli.compose.plan import MediaRef, PlannedOperation, PlannedTarget, PostPlan, SourceLocation

X_PLATFORMS = frozenset({"x", "twitter"})
X_URL_LENGTH = 23
_X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_EMOJI = re.compile(
    "(?:[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff])"
    "(?:[\ufe0f\U0001f3fb-\U0001f3ff]|\u200d(?:[\U0001f000-\U0001faff\u2600-\u27bf\u2640\u2642])\ufe0f?)*"
)
ALIASES = {"twitter": "x"}


@dataclass(frozen=True)
class Problem:
    message: str
    where: SourceLocation | None = None
    platform: str | None = None
    hint: str | None = None
    severity: str = "error"  # "error" stops the run; "warning" is reported only

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


# ---- counting ---------------------------------------------------------------------------------


def _x_weight(char: str) -> int:
    code = ord(char)
    return 1 if any(lo <= code <= hi for lo, hi in _X_LIGHT_RANGES) else 2


def _x_text_weight(text: str) -> int:
    total, pos = 0, 0
    for match in _EMOJI.finditer(text):
        total += sum(_x_weight(c) for c in text[pos : match.start()]) + 2
        pos = match.end()
    return total + sum(_x_weight(c) for c in text[pos:])


def caption_length(text: str, platform: str) -> int:
    """The caption's length as `platform` counts it (X: weighted, URLs 23; others: code points)."""
    text = unicodedata.normalize("NFC", text)
    if platform.lower() not in X_PLATFORMS:
        return len(text)
    total, pos = 0, 0
    for match in _URL.finditer(text):
        total += _x_text_weight(text[pos : match.start()]) + X_URL_LENGTH
        pos = match.end()
    return total + _x_text_weight(text[pos:])


# ---- media types ------------------------------------------------------------------------------


def media_content_type(ref: MediaRef, base_url: str | None = None) -> str | None:
    """Content type of a ref, offline: sniffed for local files, guessed from the URL path otherwise."""
    from sydium_cli.compose.media import MediaKind, classify, validate_local  # only posts with media get here

    if classify(ref.raw, base_url) is MediaKind.LOCAL:
        return validate_local(ref.raw, ref.where).content_type
    guessed, _ = mimetypes.guess_type(PurePosixPath(urlsplit(ref.raw).path).name)
    return guessed


def type_accepted(content_type: str, accepted: list[str]) -> bool:
    """Whether `content_type` fits entries like "image", "video/*", "image/png" or "mp4"."""
    ctype = content_type.lower()
    major, _, sub = ctype.partition("/")
    subs = {sub, {"jpeg": "jpg", "quicktime": "mov"}.get(sub, sub)}
    majors = {major, major + "s"} | ({"photo", "photos"} if major == "image" else set())
    return any(e in (ctype, f"{major}/*") or e in majors or e in subs for e in (a.lower().strip() for a in accepted))


def offered_post_types(cap: PlatformCapability) -> list[str]:
    """Post types the capability lists, if it lists any (the field is not documented)."""
    sources: list[Any] = [cap.extra.get("postTypes"), (cap.media or {}).get("postTypes")]
    for value in sources:
        if isinstance(value, list):
            return [str(v) for v in value]
        if isinstance(value, dict):
            return [str(k) for k in value]
    return []


# ---- rules ------------------------------------------------------------------------------------


def suggest_platform(name: str, names: list[str]) -> str | None:
    """The closest known platform name (`twitter`/`twiter` -> `x`), or None."""
    candidates = list(names) + [a for a, real in ALIASES.items() if real in names]
    close = difflib.get_close_matches(name.lower(), candidates, n=1, cutoff=0.6)
    if not close:
        return None
    return ALIASES.get(close[0], close[0])


def _unknown(target: PlannedTarget, caps: Capabilities, where: SourceLocation) -> Problem:
    suggestion = suggest_platform(target.platform, caps.names)
    hint = f"Did you mean {suggestion!r}? " if suggestion else ""
    return Problem(
        f"unknown platform {target.platform!r}",
        where,
        target.platform,
        hint + f"Known platforms: {', '.join(caps.names)} (see `sydium platforms`).",
    )


def _caption(op: PlannedOperation, cap: PlatformCapability, where: SourceLocation) -> Iterator[Problem]:
    length = caption_length(op.caption or "", cap.platform)
    if length > cap.caption_limit:
        unit = "weighted characters, URLs as 23" if cap.platform.lower() in X_PLATFORMS else "characters"
        yield Problem(
            f"caption is {length} {unit} for {cap.platform}, {length - cap.caption_limit} over its limit of "
            f"{cap.caption_limit}",
            where,
            cap.platform,
            "Shorten the caption, or give this platform its own caption.",
        )


def _options(target: PlannedTarget, cap: PlatformCapability, where: SourceLocation) -> Iterator[Problem]:
    for field, limit in (("title", cap.title_limit), ("description", cap.description_limit)):
        value = (target.options or {}).get(field)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            yield Problem(
                f"{field} is {len(value)} characters for {cap.platform}, "
                f"{len(value) - limit} over its limit of {limit}",
                where,
                cap.platform,
            )


def _media(
    op: PlannedOperation, cap: PlatformCapability, where: SourceLocation, base_url: str | None
) -> Iterator[Problem]:
    if len(op.media) > cap.max_media_items:
        yield Problem(
            f"{len(op.media)} media items for {cap.platform}, which takes at most {cap.max_media_items}",
            where,
            cap.platform,
            "Remove some media, or post them to this platform separately.",
        )
    if not cap.media_types:
        return
    for ref in op.media:
        try:
            ctype = media_content_type(ref, base_url)
        except UsageError:
            continue  # reported once by the media validation rule
        if ctype and not type_accepted(ctype, cap.media_types):
            yield Problem(
                f"{cap.platform} does not take {ctype} media ({ref.raw}); it takes {', '.join(cap.media_types)}",
                ref.where,
                cap.platform,
            )


def _post_type(target: PlannedTarget, cap: PlatformCapability, where: SourceLocation) -> Iterator[Problem]:
    offered = offered_post_types(cap)
    if target.post_type and offered and target.post_type not in offered:
        yield Problem(
            f"{cap.platform} does not offer post type {target.post_type!r}",
            where,
            cap.platform,
            f"It offers: {', '.join(offered)}.",
        )


def _local_files(plan: PostPlan, base_url: str | None) -> Iterator[Problem]:
    from sydium_cli.compose.media import MediaKind, classify, validate_local

    seen: set[str] = set()
    for ref in plan.all_media():
        if ref.raw in seen or classify(ref.raw, base_url) is not MediaKind.LOCAL:
            continue
        seen.add(ref.raw)
        try:
            validate_local(ref.raw, None)
        except UsageError as exc:
            yield Problem(exc.message, ref.where, None, exc.hint)


def check_local_files(plan: PostPlan, base_url: str | None = None) -> list[Problem]:
    """The checks that need no capabilities: every local media file exists and is a readable file."""
    return list(_local_files(plan, base_url))


def check_plan(plan: PostPlan, caps: Capabilities, *, base_url: str | None = None) -> list[Problem]:
    """Every problem the plan has against `caps`, in plan order; empty when it may be sent."""
    problems = list(_local_files(plan, base_url))
    for op in plan.operations:
        for target in op.targets:
            where = target.where or op.source
            cap = caps.get(target.platform)
            if cap is None:
                problems.append(_unknown(target, caps, where))
                continue
            problems.extend(_caption(op, cap, where))
            problems.extend(_options(target, cap, where))
            problems.extend(_media(op, cap, where, base_url))
            problems.extend(_post_type(target, cap, where))
    return problems


def raise_for_problems(problems: list[Problem]) -> None:
    """One UsageError (exit 2) listing every error-severity problem."""
    errors = [p for p in problems if p.severity == "error"]
    if not errors:
        return
    lines = "\n".join(f"  - {p}" for p in errors)
    hints = [p.hint for p in errors if p.hint]
    raise UsageError(
        f"{len(errors)} problem{'s' if len(errors) > 1 else ''} found before sending anything:\n{lines}",
        hint=hints[0] if len(hints) == 1 else "Fix the problems above; nothing was uploaded or published.",
    )
