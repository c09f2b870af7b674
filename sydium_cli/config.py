"""Non-secret settings and paths. Every SYDIUM_* environment variable is named here and only here."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sydium_cli.api.errors import ConfigError, UsageError

DEFAULT_BASE_URL = "https://api.sydium.com"
DEFAULT_TIMEOUT = 30.0
DEFAULT_PROFILE = "default"
APP_NAME = "sydium"

# Environment variables (documented in the README's table).
ENV_API_KEY = "SYDIUM_API_KEY"
ENV_BASE_URL = "SYDIUM_BASE_URL"
ENV_PROFILE = "SYDIUM_PROFILE"
ENV_TIMEOUT = "SYDIUM_TIMEOUT"
ENV_DEBUG = "SYDIUM_DEBUG"
ENV_SANDBOX = "SYDIUM_SANDBOX"
ENV_SANDBOX_STATE = "SYDIUM_SANDBOX_STATE"
ENV_SANDBOX_PUBLISH_DELAY = "SYDIUM_SANDBOX_PUBLISH_DELAY"
ENV_SANDBOX_FAULT = "SYDIUM_SANDBOX_FAULT"
ENV_CONFIG_DIR = "SYDIUM_CONFIG_DIR"
ENV_DATA_DIR = "SYDIUM_DATA_DIR"
ENV_CACHE_DIR = "SYDIUM_CACHE_DIR"
ENV_STATE_DIR = "SYDIUM_STATE_DIR"
ENV_LEDGER = "SYDIUM_LEDGER"
ENV_KEYRING_TIMEOUT = "SYDIUM_KEYRING_TIMEOUT"

ALL_ENV_VARS = (
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_PROFILE,
    ENV_TIMEOUT,
    ENV_DEBUG,
    ENV_SANDBOX,
    ENV_SANDBOX_STATE,
    ENV_SANDBOX_PUBLISH_DELAY,
    ENV_SANDBOX_FAULT,
    ENV_CONFIG_DIR,
    ENV_DATA_DIR,
    ENV_CACHE_DIR,
    ENV_STATE_DIR,
    ENV_LEDGER,
    ENV_KEYRING_TIMEOUT,
)

TRUTHY = frozenset({"1", "true", "yes", "on"})


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in TRUTHY


def _dir(env: str, kind: str) -> Path:
    override = os.environ.get(env)
    if override:
        return Path(override).expanduser()
    import platformdirs  # deferred: only paths that need a directory pay for it

    getter = getattr(platformdirs, f"user_{kind}_dir")
    return Path(getter(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return _dir(ENV_CONFIG_DIR, "config")


def data_dir() -> Path:
    return _dir(ENV_DATA_DIR, "data")


def cache_dir() -> Path:
    return _dir(ENV_CACHE_DIR, "cache")


def state_dir() -> Path:
    return _dir(ENV_STATE_DIR, "state")


def config_file() -> Path:
    return config_dir() / "config.json"


def parse_timeout(raw: str | float | None) -> float:
    if raw is None or raw == "":
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise UsageError(
            f"Invalid timeout {raw!r}: expected a number of seconds.",
            hint=f"Use --timeout 30 or {ENV_TIMEOUT}=30.",
        ) from None
    if not (0 < value <= 3600):
        raise UsageError(f"Invalid timeout {raw!r}: must be between 0 and 3600 seconds.", hint="Use --timeout 30.")
    return value


def check_profile_name(name: str) -> str:
    """Profile names become part of keyring entries (`<profile>@<host>`): keep them plain."""
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name):
        raise UsageError(
            f"Invalid profile name {name!r}: use letters, digits, '.', '_' or '-' (up to 64).",
            hint="For example: --profile work",
        )
    return name


def normalize_base_url(raw: str) -> str:
    from urllib.parse import urlsplit

    value = raw.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"Invalid base URL {raw!r}: expected http(s)://host[:port].",
            hint=f"Use --base-url https://api.sydium.com or {ENV_BASE_URL}.",
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UsageError(f"Invalid base URL {raw!r}: give only scheme, host and port (paths start at /v1/).")
    return value


@dataclass
class ConfigFile:
    """The user's config file: default profile, per-profile base URLs and default output. Never a key."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> ConfigFile:
        path = path or config_file()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except OSError as exc:
            raise ConfigError(f"Cannot read the config file {path}: {exc.strerror}.") from None
        try:
            data = json.loads(text) if text.strip() else {}
        except ValueError as exc:
            raise ConfigError(
                f"The config file {path} is not valid JSON ({exc}).",
                hint="Fix or delete it; it holds only settings (no keys).",
            ) from None
        if not isinstance(data, dict):
            raise ConfigError(f"The config file {path} must hold a JSON object.", hint="Fix or delete it.")
        return cls(path, data)

    @property
    def default_profile(self) -> str:
        value = self.data.get("default_profile")
        return value if isinstance(value, str) and value else DEFAULT_PROFILE

    def profiles(self) -> dict[str, dict[str, Any]]:
        raw = self.data.get("profiles")
        if not isinstance(raw, dict):
            return {}
        return {str(k): v for k, v in raw.items() if isinstance(v, dict)}

    def profile(self, name: str) -> dict[str, Any]:
        return self.profiles().get(name, {})

    def set_profile_value(self, name: str, key: str, value: Any) -> None:
        profiles = self.data.setdefault("profiles", {})
        if not isinstance(profiles, dict):
            profiles = self.data["profiles"] = {}
        entry = profiles.setdefault(name, {})
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value

    def save(self) -> None:
        from sydium_cli.fsutil import atomic_write_text

        atomic_write_text(self.path, json.dumps(self.data, indent=2, sort_keys=True) + "\n", mode=0o600)


@dataclass
class Settings:
    """Everything a command needs to know about where and how to talk to the API."""

    base_url: str = DEFAULT_BASE_URL
    base_url_source: str = "default"
    profile: str = DEFAULT_PROFILE
    timeout: float = DEFAULT_TIMEOUT
    debug: bool = False
    sandbox: bool = False
    sandbox_state: Path | None = None
    api_key_flag: str | None = None
    ledger_path: Path | None = None
    config: ConfigFile | None = None
