"""Resolve global options, environment and the config file into one Settings object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sydium_cli.config import (
    DEFAULT_BASE_URL,
    ConfigFile,
    Settings,
    check_profile_name,
    normalize_base_url,
    parse_timeout,
)


@dataclass(frozen=True)
class GlobalOptions:
    """The global options as given (flags or their SYDIUM_* variables), before any resolution."""

    base_url: str | None = None
    profile: str | None = None
    sandbox: bool = False
    timeout: str | None = None
    api_key: str | None = None
    ledger: Path | None = None
    sandbox_state: Path | None = None
    debug: bool = False


def resolve_settings(options: GlobalOptions) -> Settings:
    """Precedence for the base URL: --base-url / SYDIUM_BASE_URL > the profile's base URL > default."""
    config = ConfigFile.load()
    profile_name = check_profile_name(options.profile or config.default_profile)
    profile_url = config.profile(profile_name).get("base_url")
    if options.base_url:
        url, source = normalize_base_url(options.base_url), BASE_URL_FLAG_SOURCE
    elif isinstance(profile_url, str) and profile_url:
        url, source = normalize_base_url(profile_url), f"profile {profile_name!r}"
    else:
        url, source = DEFAULT_BASE_URL, "default"
    return Settings(
        base_url=url,
        base_url_source=source,
        profile=profile_name,
        timeout=parse_timeout(options.timeout),
        debug=options.debug,
        sandbox=options.sandbox,
        sandbox_state=options.sandbox_state,
        api_key_flag=options.api_key,
        ledger_path=options.ledger,
        config=config,
    )


BASE_URL_FLAG_SOURCE = "flag or SYDIUM_BASE_URL"


def settings_for_profile(settings: Settings, profile: str) -> Settings:
    """The same settings for another profile (a command's own --profile); its base URL unless one was given."""
    from dataclasses import replace

    name = check_profile_name(profile)
    if name == settings.profile or settings.base_url_source == BASE_URL_FLAG_SOURCE:
        return replace(settings, profile=name)
    config = settings.config or ConfigFile.load()
    profile_url = config.profile(name).get("base_url")
    if isinstance(profile_url, str) and profile_url:
        return replace(
            settings, profile=name, base_url=normalize_base_url(profile_url), base_url_source=f"profile {name!r}"
        )
    return replace(settings, profile=name, base_url=DEFAULT_BASE_URL, base_url_source="default")
