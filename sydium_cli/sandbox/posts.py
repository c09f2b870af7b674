"""Posts and operations: validating a create request, building the operation, rendering it on the wire."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from sydium_cli.sandbox.platforms import PLATFORMS, check_target, media_kind, published_ref, youtube_title
from sydium_cli.sandbox.store import Op, Store, Target, rollup

MAX_TARGETS = 10
MAX_MEDIA = 35
HOSTED_SUFFIXES = ("sydium.com", "sydium.invalid")
_MEDIA_PATH = re.compile(r"^/media/(?P<key>[A-Za-z0-9._-]+)$")


class Invalid(Exception):
    """A request the API refuses with 422 unprocessable (the message says why)."""


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(value: object, what: str, *, date_end: bool = False) -> float:
    """An ISO 8601 timestamp with an offset (a bare date means that day, UTC) as epoch seconds."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{what} must be an ISO 8601 timestamp with an offset, e.g. 2026-07-01T09:00:00Z.")
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        text += "T23:59:59+00:00" if date_end else "T00:00:00+00:00"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise Invalid(f"{what} {value!r} is not an ISO 8601 timestamp.") from None
    if parsed.tzinfo is None:
        raise Invalid(f"{what} {value!r} has no UTC offset; add one, e.g. Z or +02:00.")
    return parsed.timestamp()


def is_hosted(url: str, request_host: str) -> bool:
    """Media must live on Sydium: the sandbox itself (the request's host) or *.sydium.com/.invalid."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == request_host.lower():
        return True
    return any(host == s or host.endswith("." + s) for s in HOSTED_SUFFIXES)


def _targets(body: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    raw = body.get("targets")
    if not isinstance(raw, list) or not raw:
        raise Invalid('targets must be a list of 1 to 10 targets, e.g. [{"platform": "x"}].')
    if len(raw) > MAX_TARGETS:
        raise Invalid(f"An operation takes at most {MAX_TARGETS} targets; got {len(raw)}.")
    out: list[tuple[str, str, dict[str, Any]]] = []
    for item in raw:
        platform = item.get("platform") if isinstance(item, dict) else None
        if not isinstance(platform, str) or not platform:
            raise Invalid("Every target needs a platform name.")
        if platform not in PLATFORMS:
            raise Invalid(f"Unknown platform {platform!r}; supported: {', '.join(PLATFORMS)}.")
        if any(p == platform for p, _, _ in out):
            raise Invalid(f"Platform {platform!r} is targeted twice in one operation.")
        spec = PLATFORMS[platform]
        post_type = item.get("postType") or spec.post_types[0]
        if post_type not in spec.post_types:
            raise Invalid(f"postType {post_type!r} is not valid for {platform}; use {' or '.join(spec.post_types)}.")
        options = item.get("options")
        options = {} if options is None else options
        if not isinstance(options, dict):
            raise Invalid(f"options for {platform} must be an object.")
        out.append((platform, str(post_type), options))
    return out


def _media(body: dict[str, Any], store: Store, host: str) -> tuple[list[str], list[str]]:
    media = body.get("media") or []
    if not isinstance(media, list) or not all(isinstance(m, str) for m in media):
        raise Invalid("media must be a list of URLs.")
    if len(media) > MAX_MEDIA:
        raise Invalid(f"A post takes at most {MAX_MEDIA} media URLs; got {len(media)}.")
    kinds = []
    for url in media:
        if not is_hosted(url, host):
            raise Invalid(
                f"Media URL {url!r} is not hosted by Sydium. Upload it first (POST /v1/media/upload-url) "
                "or import it (POST /v1/media/from-url) and use the publicUrl."
            )
        match = _MEDIA_PATH.match(urlsplit(url).path)
        record = store.get_media(match.group("key")) if match else None
        kinds.append(media_kind(url, record["content_type"] if record else None))
    return media, kinds


def create(store: Store, body: object, *, now: float, delay: float, host: str) -> Op:
    """Validate a create-post body (422 on anything the API refuses) and record the operation."""
    if not isinstance(body, dict):
        raise Invalid("The request body must be a JSON object.")
    caption = body.get("caption") or ""
    if not isinstance(caption, str):
        raise Invalid("caption must be a string.")
    targets = _targets(body)
    media, kinds = _media(body, store, host)
    if not caption.strip() and not media:
        raise Invalid("A post needs a caption or at least one media URL.")
    schedule_at = None
    if body.get("scheduleAt") is not None:
        schedule_at = parse_instant(body["scheduleAt"], "scheduleAt")
        if schedule_at <= now:
            raise Invalid(f"scheduleAt {body['scheduleAt']!r} is in the past; give a future time.")
    start = schedule_at if schedule_at is not None else now
    op_id = "op_" + secrets.token_hex(12)
    built = []
    for platform, post_type, options in targets:
        error = check_target(PLATFORMS[platform], post_type, caption, kinds, options)
        post_id, url = (None, None) if error else published_ref(platform, post_type, f"{op_id}/{platform}")
        built.append(Target(platform, post_type, start, start + delay, None, post_id, url, error))
    display = caption
    if all(p == "youtube" for p, _, _ in targets):
        display = youtube_title(caption, targets[0][2])
    op = Op(op_id, now, schedule_at, caption, media, display, built)
    store.add_op(op)
    return op


def wire(op: Op, now: float) -> dict[str, Any]:
    """The operation as the API spells it, with each target's status evaluated at `now`."""
    targets: list[dict[str, Any]] = []
    for t in op.targets:
        status = t.status(now)
        targets.append(
            {
                "platform": t.platform,
                "postType": t.post_type,
                "status": status,
                "postId": t.post_id if status == "published" else None,
                "url": t.url if status == "published" else None,
                "error": t.error if status == "failed" else None,
            }
        )
    return {
        "id": op.id,
        "status": rollup([str(t["status"]) for t in targets]),
        "targets": targets,
        "caption": op.caption,
        "media": op.media,
        "scheduledFor": iso(op.schedule_at) if op.schedule_at is not None else None,
        "createdAt": iso(op.created_at),
    }


def scheduled(ops: list[Op], now: float, start: float | None, end: float | None) -> list[dict[str, Any]]:
    """Upcoming scheduled operations in the window, sorted by time (published/failed never listed)."""
    rows = []
    for op in ops:
        if op.schedule_at is None:
            continue
        statuses = [t.status(now) for t in op.targets]
        if rollup(statuses) != "scheduled":
            continue
        if (start is not None and op.schedule_at < start) or (end is not None and op.schedule_at > end):
            continue
        platforms = [t.platform for t, s in zip(op.targets, statuses, strict=True) if s == "scheduled"]
        rows.append((op.schedule_at, op.id, op.display, platforms))
    rows.sort()
    return [
        {"id": op_id, "scheduledFor": iso(when), "caption": display, "platforms": platforms, "status": "scheduled"}
        for when, op_id, display, platforms in rows
    ]
