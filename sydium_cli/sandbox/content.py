"""Deterministic content: analytics derived from what was published, today's idea, generated captions."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sydium_cli.sandbox.platforms import PLATFORMS
from sydium_cli.sandbox.store import Op

BASE_FOLLOWERS = 1200
DAY_WEIGHTS = (1.0, 0.45, 0.2, 0.1, 0.05)  # how a post's reach fades over the days after it went out


def _noise(seed: str, low: int, high: int) -> int:
    value = int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16)
    return low + value % (high - low + 1)


def _post_impressions(platform: str, seed: str) -> int:
    scale = {"x": 900, "linkedin": 1400, "instagram": 2200, "tiktok": 4000, "youtube": 3000}.get(platform, 800)
    return scale + _noise(seed, 0, scale)


def analytics(ops: list[Op], start: date, end: date, now: float) -> list[dict[str, Any]]:
    """Per-day totals: a small organic baseline plus every published target's decaying reach."""
    boost: dict[date, int] = {}
    posts: dict[date, int] = {}
    for op in ops:
        for target in op.targets:
            if target.status(now) != "published":
                continue
            day = datetime.fromtimestamp(target.ready_at, timezone.utc).date()
            posts[day] = posts.get(day, 0) + 1
            total = _post_impressions(target.platform, f"{op.id}/{target.platform}")
            for offset, weight in enumerate(DAY_WEIGHTS):
                when = day + timedelta(days=offset)
                boost[when] = boost.get(when, 0) + int(total * weight)
    days = []
    followers = BASE_FOLLOWERS
    origin = start - timedelta(days=1)
    for past in sorted(d for d in boost if d <= origin):  # growth earned before the window
        followers += boost[past] // 150
    current = start
    while current <= end:
        impressions = _noise(current.isoformat(), 40, 160) + boost.get(current, 0)
        reach = int(impressions * 0.62)
        engagement = int(reach * 0.045) + _noise("e" + current.isoformat(), 0, 4)
        growth = impressions // 150 + _noise("f" + current.isoformat(), 0, 2)
        followers += growth
        totals = {
            "impressions": impressions,
            "reach": min(reach, impressions),
            "engagement": min(engagement, reach),
            "followers": followers,
            "followerGrowth": growth,
            "posts": posts.get(current, 0),
        }
        days.append({"date": current.isoformat(), "totals": totals})
        current += timedelta(days=1)
    return days


IDEAS = (
    ("Behind the scenes of a release", "Show the one decision that almost did not make it", "carousel"),
    ("A customer question answered", "Turn this week's most-asked question into a 30-second answer", "short video"),
    ("A lesson from a mistake", "What broke, how you noticed, what you changed", "text post"),
    ("Tools you actually use", "Three tools, one sentence each on why they stay", "list"),
    ("A number that surprised you", "One metric, the story behind it, what it changes", "image with caption"),
    ("Myth versus reality", "A belief in your field that your data contradicts", "thread"),
    ("A tiny how-to", "One task people get wrong, fixed in three steps", "carousel"),
)


def idea_for(day: date) -> dict[str, Any]:
    topic, angle, fmt = IDEAS[day.toordinal() % len(IDEAS)]
    tag = "".join(w.capitalize() for w in topic.split()[:2])
    return {
        "date": day.isoformat(),
        "grounded": False,
        "language": "en",
        "topic": topic,
        "angle": angle,
        "format": fmt,
        "hashtags": [f"#{tag}", "#BuildInPublic", "#SydiumSandbox"],
        "whyItFits": "Sandbox idea: rotates daily and is the same for everyone, so rehearsals are repeatable.",
    }


TONES = {
    "professional": "Here is what we learned about {topic}, and why it matters for your team.",
    "casual": "Okay, real talk about {topic} — this one surprised us.",
    "funny": "We tried to explain {topic} to our cat. The cat is now a consultant.",
    "inspirational": "Every big change starts small. Today: {topic}.",
}


def generate(topic: str, platform: str | None, tone: str | None, language: str | None) -> dict[str, Any]:
    """A deterministic caption for the topic, cut to the platform's caption limit."""
    template = TONES.get((tone or "professional").lower(), TONES["professional"])
    text = template.format(topic=topic.strip())
    tag = "".join(w.capitalize() for w in topic.split()[:3] if w.isalnum())
    if tag:
        text += f"\n\n#{tag}"
    if language and language.lower() not in ("en", "english"):
        text = f"[{language}] {text}"
    if platform in PLATFORMS:
        limit = PLATFORMS[platform].caption_limit
        if len(text) > limit:
            text = text[: limit - 1].rstrip() + "…"
    return {"text": text, "tokensUsed": 40 + len(topic) // 4 + len(text) // 4}
