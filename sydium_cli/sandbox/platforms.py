"""The sandbox's platform table: capability limits close to the real networks, and the content rules
a target is checked against when it publishes (a broken rule fails that target, not the request)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

IMAGE_EXT = frozenset({"jpg", "jpeg", "png", "webp", "heic", "avif", "bmp", "tiff"})
VIDEO_EXT = frozenset({"mp4", "mov", "m4v", "webm", "avi", "mkv"})
HANDLE = "sydium_sandbox"
NO_VIDEO_MIX = frozenset({"x", "bluesky"})  # a video there is the only media item


@dataclass(frozen=True)
class Platform:
    name: str
    display: str
    caption_limit: int
    max_media: int
    media_types: tuple[str, ...]
    post_types: tuple[str, ...]
    title_limit: int | None = None
    description_limit: int | None = None
    requires_media: bool = False
    # postType -> media kinds it accepts (absent: any of media_types)
    post_type_media: dict[str, tuple[str, ...]] = field(default_factory=dict)
    max_videos: int = 1

    def capability(self) -> dict[str, Any]:
        return {
            "platform": self.name,
            "captionLimit": self.caption_limit,
            "titleLimit": self.title_limit,
            "descriptionLimit": self.description_limit,
            "maxMediaItems": self.max_media,
            "mediaTypes": list(self.media_types),
            "media": {
                "required": self.requires_media,
                "postTypes": list(self.post_types),
                "defaultPostType": self.post_types[0],
                "maxVideos": self.max_videos,
            },
        }


PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform("x", "X", 280, 4, ("image", "video", "gif"), ("post",)),
        Platform("linkedin", "LinkedIn", 3000, 20, ("image", "video", "document"), ("post",)),
        Platform(
            "instagram",
            "Instagram",
            2200,
            10,
            ("image", "video"),
            ("post", "reel", "story"),
            requires_media=True,
            post_type_media={"reel": ("video",)},
        ),
        Platform("facebook", "Facebook", 63206, 10, ("image", "video", "gif"), ("post", "reel", "story")),
        Platform("threads", "Threads", 500, 10, ("image", "video", "gif"), ("post",)),
        Platform("bluesky", "Bluesky", 300, 4, ("image", "video", "gif"), ("post",)),
        Platform("tiktok", "TikTok", 2200, 1, ("video",), ("video",), requires_media=True),
        Platform(
            "youtube",
            "YouTube",
            5000,
            1,
            ("video",),
            ("video", "short"),
            title_limit=100,
            description_limit=5000,
            requires_media=True,
        ),
        Platform(
            "pinterest",
            "Pinterest",
            500,
            1,
            ("image", "video"),
            ("pin", "video_pin"),
            title_limit=100,
            description_limit=500,
            requires_media=True,
            post_type_media={"video_pin": ("video",)},
        ),
    )
}


def media_kind(url: str, content_type: str | None = None) -> str:
    """image, video, gif or document from a stored content type, else from the URL's extension."""
    if content_type:
        major, _, minor = content_type.lower().partition("/")
        if minor == "gif":
            return "gif"
        if major in ("image", "video"):
            return major
        return "document"
    ext = urlsplit(url).path.rsplit(".", 1)[-1].lower() if "." in urlsplit(url).path else ""
    if ext == "gif":
        return "gif"
    if ext in VIDEO_EXT:
        return "video"
    if ext == "pdf":
        return "document"
    return "image"


def _fail(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "message": message}


def youtube_title(caption: str, options: dict[str, Any]) -> str:
    title = options.get("title")
    if isinstance(title, str) and title:
        return title
    return caption.split("\n", 1)[0]


def check_target(
    platform: Platform, post_type: str, caption: str, media_kinds: list[str], options: dict[str, Any]
) -> dict[str, Any] | None:
    """The error object a target fails with on this platform, or None when it would publish."""
    name = platform.display
    if platform.requires_media and not media_kinds:
        return _fail("media_required", f"{name} needs at least one image or video; this post has no media.")
    if not caption and not media_kinds:
        return _fail("empty_post", f"{name} cannot publish a post with neither text nor media.")
    if platform.title_limit is not None and platform.name == "youtube":
        title = youtube_title(caption, options)
        if len(title) > platform.title_limit:
            return _fail(
                "title_too_long", f"{name} titles are limited to {platform.title_limit} characters (got {len(title)})."
            )
    if len(caption) > platform.caption_limit:
        what = "description" if platform.description_limit else "caption"
        return _fail(
            "caption_too_long",
            f"The {what} is {len(caption)} characters; {name} allows {platform.caption_limit}.",
        )
    if len(media_kinds) > platform.max_media:
        return _fail(
            "too_many_media", f"{name} accepts at most {platform.max_media} media item(s); got {len(media_kinds)}."
        )
    allowed = platform.post_type_media.get(post_type, platform.media_types)
    for kind in media_kinds:
        if kind not in allowed:
            shown = " or ".join(allowed)
            return _fail("unsupported_media_type", f"{name} {post_type} accepts {shown} only; got a {kind}.")
    videos = media_kinds.count("video")
    if videos > platform.max_videos or (videos and len(media_kinds) > 1 and platform.name in NO_VIDEO_MIX):
        return _fail("unsupported_media_mix", f"{name} accepts one video per post, without other media.")
    return None


def _digits(seed: str, n: int) -> str:
    value = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return str(value)[:n].rjust(n, "1")


def _code(seed: str, n: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    value = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    out = []
    for _ in range(n):
        value, rem = divmod(value, len(alphabet))
        out.append(alphabet[rem])
    return "".join(out)


def published_ref(platform: str, post_type: str, seed: str) -> tuple[str, str]:
    """A plausible (postId, url) for a target published on `platform`, stable for a given seed."""
    if platform == "x":
        pid = _digits(seed, 19)
        return pid, f"https://x.com/{HANDLE}/status/{pid}"
    if platform == "linkedin":
        pid = f"urn:li:share:{_digits(seed, 19)}"
        return pid, f"https://www.linkedin.com/feed/update/{pid}/"
    if platform == "instagram":
        pid = _code(seed, 11)
        return pid, f"https://www.instagram.com/{'reel' if post_type == 'reel' else 'p'}/{pid}/"
    if platform == "facebook":
        page, post = _digits(seed + "page", 15), _digits(seed, 16)
        return f"{page}_{post}", f"https://www.facebook.com/{page}/posts/{post}"
    if platform == "threads":
        pid = _code(seed, 11)
        return pid, f"https://www.threads.net/@{HANDLE}/post/{pid}"
    if platform == "bluesky":
        rkey = _code(seed, 13).lower().replace("_", "2").replace("-", "3")
        return (
            f"at://did:plc:sydiumsandbox/app.bsky.feed.post/{rkey}",
            f"https://bsky.app/profile/sydium-sandbox.bsky.social/post/{rkey}",
        )
    if platform == "tiktok":
        pid = _digits(seed, 19)
        return pid, f"https://www.tiktok.com/@{HANDLE}/video/{pid}"
    if platform == "youtube":
        pid = _code(seed, 11)
        return pid, f"https://www.youtube.com/{'shorts/' + pid if post_type == 'short' else 'watch?v=' + pid}"
    if platform == "pinterest":
        pid = _digits(seed, 18)
        return pid, f"https://www.pinterest.com/pin/{pid}/"
    pid = _digits(seed, 16)  # pragma: no cover - every table platform is handled above
    return pid, f"https://{platform}.example.invalid/{pid}"


def accounts() -> list[dict[str, Any]]:
    """One connected account per platform of the table."""
    return [
        {
            "platform": p.name,
            "username": "sydium-sandbox.bsky.social" if p.name == "bluesky" else HANDLE,
            "displayName": f"Sydium Sandbox ({p.display})",
            "profilePicture": f"https://sandbox.sydium.invalid/media/avatars/{p.name}.png",
        }
        for p in PLATFORMS.values()
    ]
