"""Platform capabilities, fetched once and cached for a day under the cache dir (usable offline).

The cache is keyed by API host, so the sandbox and the real API never share limits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sydium_cli.api.errors import NetworkError, SydiumError
from sydium_cli.api.models import PlatformCapability
from sydium_cli.config import cache_dir
from sydium_cli.fsutil import atomic_write_text

if TYPE_CHECKING:
    from sydium_cli.api.client import SydiumClient

MAX_AGE = timedelta(days=1)
Now = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Capabilities:
    platforms: dict[str, PlatformCapability]
    fetched_at: datetime
    source: str = "api"  # "api", "cache" or "stale-cache"
    warnings: list[str] = field(default_factory=list)

    def get(self, name: str) -> PlatformCapability | None:
        return self.platforms.get(name) or self.platforms.get(name.lower())

    @property
    def names(self) -> list[str]:
        return sorted(self.platforms)


def cache_path(base_url: str) -> Path:
    host = (urlsplit(base_url).netloc or base_url).lower()
    safe = re.sub(r"[^a-z0-9.-]+", "_", host) or "default"
    return cache_dir() / f"platforms-{safe}.json"


def _read_cache(path: Path) -> Capabilities | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        fetched = datetime.fromisoformat(data["fetchedAt"])
        items = [PlatformCapability.from_wire(p) for p in data["platforms"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or damaged: fetch again
    if fetched.tzinfo is None:
        fetched = fetched.replace(tzinfo=timezone.utc)
    return Capabilities({p.platform: p for p in items}, fetched, source="cache")


def _write_cache(path: Path, items: list[PlatformCapability], fetched: datetime) -> None:
    payload: dict[str, Any] = {"fetchedAt": fetched.isoformat(), "platforms": [p.wire() for p in items]}
    try:
        atomic_write_text(path, json.dumps(payload, indent=2) + "\n")
    except (OSError, SydiumError):
        pass  # a cache that cannot be written only costs a fetch next time


def load_capabilities(
    client: Callable[[], SydiumClient] | None,
    *,
    base_url: str,
    refresh: bool = False,
    now: Now = _utcnow,
) -> Capabilities:
    """Fresh cache > API (then cached) > stale cache when the API cannot be reached.

    `client` is a factory (e.g. `rt.client`) so a fresh cache never builds a client or resolves a key.
    With `client=None` only the cache is used (offline); a missing cache then raises NetworkError.
    """
    path = cache_path(base_url)
    cached = _read_cache(path)
    if cached and not refresh and now() - cached.fetched_at < MAX_AGE:
        return cached
    if client is None:
        if cached:
            return _stale(cached)
        raise NetworkError(
            "No platform capabilities are cached yet and no API is available to fetch them.",
            hint="Run `sydium platforms` once while online.",
        )
    try:
        items = client().list_platforms()
    except NetworkError:
        if cached:
            return _stale(cached)
        raise
    fetched = now()
    _write_cache(path, items, fetched)
    return Capabilities({p.platform: p for p in items}, fetched, source="api")


def _stale(cached: Capabilities) -> Capabilities:
    cached.source = "stale-cache"
    cached.warnings.append(
        f"Using platform limits cached {cached.fetched_at:%Y-%m-%d %H:%M} UTC (the API could not be reached)."
    )
    return cached
