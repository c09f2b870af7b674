"""Values for shell completion: platform names, profile names, file paths.

Completion runs on every <TAB>, so this module imports nothing heavy (no pydantic, httpx, typer):
the capability cache and the config file are read as plain JSON, and every failure yields the
fallback instead of an error (a completion must never print a traceback into the user's prompt).

Each completer takes the text typed so far and returns matching values; typer accepts a function
with a single `incomplete: str` parameter as `autocompletion=`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

# Shown when no capability cache exists yet (before the first `sydium platforms` or post).
BUILTIN_PLATFORMS: tuple[str, ...] = (
    "x",
    "linkedin",
    "instagram",
    "facebook",
    "threads",
    "bluesky",
    "tiktok",
    "youtube",
    "pinterest",
)


def _matching(values: Iterable[str], incomplete: str) -> list[str]:
    return sorted({v for v in values if v.startswith(incomplete)})


def cached_platforms(cache: Path | None = None) -> list[str]:
    """Platform names from every capability cache file (`platforms-<host>.json`), sorted; [] if none."""
    if cache is None:
        from sydium_cli.config import cache_dir

        cache = cache_dir()
    names: set[str] = set()
    try:
        files = sorted(cache.glob("platforms-*.json"))
    except OSError:
        return []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            items = data["platforms"]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a damaged cache only loses its names
        if isinstance(items, list):
            names.update(p["platform"] for p in items if isinstance(p, dict) and isinstance(p.get("platform"), str))
    return sorted(names)


def platform_names(cache: Path | None = None) -> list[str]:
    """Cached platform names, or the built-in list when nothing is cached."""
    return cached_platforms(cache) or list(BUILTIN_PLATFORMS)


def profile_names(config_path: Path | None = None) -> list[str]:
    """Profiles in the config file plus its default profile (and "default"), sorted."""
    from sydium_cli.config import DEFAULT_PROFILE, config_file

    names = {DEFAULT_PROFILE}
    try:
        data = json.loads((config_path or config_file()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return sorted(names)
    if isinstance(data, dict):
        default = data.get("default_profile")
        if isinstance(default, str) and default:
            names.add(default)
        profiles = data.get("profiles")
        if isinstance(profiles, dict):
            names.update(str(k) for k, v in profiles.items() if isinstance(v, dict))
    return sorted(names)


def complete_platform(incomplete: str) -> list[str]:
    """Completer for `--to`: platform names starting with what was typed."""
    return _matching(platform_names(), incomplete.lower())


def complete_profile(incomplete: str) -> list[str]:
    """Completer for `--profile` and `auth switch`: profile names starting with what was typed."""
    return _matching(profile_names(), incomplete)


def complete_path(incomplete: str) -> list[str]:
    """Completer for file arguments: no values, so every shell script falls back to its file completion.

    (bash `complete -o default`, zsh `_files`, fish's file completion, PowerShell's default completer.)
    """
    return []
