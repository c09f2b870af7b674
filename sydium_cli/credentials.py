"""Which API key to use and where it came from.

Precedence: --api-key > SYDIUM_API_KEY > the OS keyring > the opt-in 0600 file. Stored keys are looked
up by profile AND by the host of the current base URL, so a key saved for one host is never sent to
another. The config file records only which store holds a profile's key for a host (never the key).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from sydium_cli.api.errors import CredentialsError
from sydium_cli.api.secret import KEY_PREFIXES, SecretKey
from sydium_cli.config import ENV_API_KEY, ConfigFile, Settings

SOURCE_FLAG = "--api-key flag"
SOURCE_ENV = f"environment ({ENV_API_KEY})"
SOURCE_SANDBOX = "sandbox"
SOURCE_KEYRING = "OS keyring"
SOURCE_FILE = "plain file (insecure)"

# Short names for JSON output and the config index.
SOURCE_KINDS = {
    SOURCE_FLAG: "flag",
    SOURCE_ENV: "env",
    SOURCE_SANDBOX: "sandbox",
    SOURCE_KEYRING: "keyring",
    SOURCE_FILE: "file",
}
STORAGE_KEYRING = "keyring"
STORAGE_FILE = "file"
SANDBOX_KEY = "sk_test_sandbox" + "0" * 24  # not a secret: the embedded sandbox accepts any test key


@dataclass(frozen=True)
class ResolvedKey:
    key: SecretKey
    source: str


def check_key_shape(value: str) -> SecretKey:
    value = value.strip()
    if not value.startswith(KEY_PREFIXES):
        raise CredentialsError(
            "That does not look like a Sydium API key (it must start with sk_live_ or sk_test_).",
            hint="Copy the key from Sydium's dashboard (Settings → API keys).",
        )
    if len(value) <= len("sk_live_") or any(c.isspace() for c in value):
        raise CredentialsError("The API key is malformed (empty after its prefix, or containing spaces).")
    return SecretKey(value)


def resolve_key(settings: Settings) -> ResolvedKey:
    """The key by precedence: --api-key > SYDIUM_API_KEY > keyring > opt-in file; CredentialsError when none."""
    if settings.api_key_flag:
        return ResolvedKey(check_key_shape(settings.api_key_flag), SOURCE_FLAG)
    env_value = os.environ.get(ENV_API_KEY)
    if env_value and env_value.strip():
        return ResolvedKey(check_key_shape(env_value), SOURCE_ENV)
    found = find_stored_key(settings)
    if found is not None:
        return found
    raise CredentialsError(
        f"No API key found for profile {settings.profile!r} at {host_of(settings)}." + _elsewhere_note(settings),
        hint=f"Run `sydium auth login`, or set {ENV_API_KEY} (CI); "
        "or try everything without a key: sydium --sandbox ...",
    )


def host_of(settings: Settings) -> str:
    from sydium_cli.keystore import api_host

    return api_host(settings.base_url)


def find_stored_key(settings: Settings) -> ResolvedKey | None:
    """The stored key for this profile and host: keyring, then the opt-in file.

    The store recorded at login is read first, so a machine that opted into the file because its
    keyring hangs does not wait for the keyring on every command. A keyring failure is raised only
    when the file has no key either.
    """
    from sydium_cli import keystore

    profile, host = settings.profile, host_of(settings)
    if stored_storage(settings.config, profile, host) == STORAGE_FILE:
        value = keystore.file_get(profile, host)
        if value:
            return ResolvedKey(check_key_shape(value), SOURCE_FILE)
    keyring_error: CredentialsError | None = None
    try:
        value = keystore.keyring_get(profile, host)
    except keystore.KeyringUnavailable as error:
        keyring_error, value = error, None
    if value:
        return ResolvedKey(check_key_shape(value), SOURCE_KEYRING)
    value = keystore.file_get(profile, host)
    if value:
        return ResolvedKey(check_key_shape(value), SOURCE_FILE)
    if keyring_error is not None:
        raise keyring_error
    return None


def _elsewhere_note(settings: Settings) -> str:
    hosts = sorted(stored_hosts(settings.config, settings.profile))
    if not hosts:
        return ""
    return f" (this profile has a key for {', '.join(hosts)}; a key is only ever sent to the host it was saved for)"


# ---- the config index: which store holds a profile's key for a host (never the key itself) ------


def _index(config: ConfigFile | None, profile: str) -> dict[str, Any]:
    if config is None:
        return {}
    keys = config.profile(profile).get("keys")
    return keys if isinstance(keys, dict) else {}


def stored_hosts(config: ConfigFile | None, profile: str) -> dict[str, dict[str, Any]]:
    """host -> {"storage": "keyring"|"file", "mode": "LIVE"|"TEST"} as recorded at login."""
    return {str(h): v for h, v in _index(config, profile).items() if isinstance(v, dict)}


def stored_storage(config: ConfigFile | None, profile: str, host: str) -> str | None:
    value = stored_hosts(config, profile).get(host, {}).get("storage")
    return value if isinstance(value, str) else None


def record_stored(config: ConfigFile, profile: str, host: str, storage: str, mode: str) -> None:
    keys = dict(_index(config, profile))
    keys[host] = {"storage": storage, "mode": mode}
    config.set_profile_value(profile, "keys", keys)


def forget_stored(config: ConfigFile, profile: str, host: str) -> None:
    keys = dict(_index(config, profile))
    keys.pop(host, None)
    config.set_profile_value(profile, "keys", keys or None)


# ---- storing and removing (auth login / logout) ------------------------------------------------


def store_key(settings: Settings, key: SecretKey, *, insecure: bool, remember_base_url: bool) -> str:
    """Save a verified key for the settings' profile and host; returns the storage used."""
    from sydium_cli import keystore

    config = settings.config or ConfigFile.load()
    profile, host = settings.profile, host_of(settings)
    previous = stored_storage(config, profile, host)
    if insecure:
        keystore.file_set(profile, host, key.reveal())
        if previous == STORAGE_KEYRING:
            try:  # best effort: the file is read first from now on anyway
                keystore.keyring_delete(profile, host)
            except keystore.KeyringUnavailable:
                pass
        storage = STORAGE_FILE
    else:
        keystore.keyring_set(profile, host, key.reveal())
        keystore.file_delete(profile, host)
        storage = STORAGE_KEYRING
    record_stored(config, profile, host, storage, key.mode)
    if remember_base_url:
        config.set_profile_value(profile, "base_url", settings.base_url)
    config.save()
    return storage


@dataclass(frozen=True)
class Removed:
    profile: str
    host: str
    storage: str


def remove_stored(config: ConfigFile, profile: str, hosts: set[str]) -> list[Removed]:
    """Delete the profile's keys for `hosts` (plus every host recorded for it); absent keys are fine.

    A keyring failure is raised only when the index says the keyring holds one of our keys.
    """
    from sydium_cli import keystore

    removed: list[Removed] = []
    failure: CredentialsError | None = None
    before = dict(stored_hosts(config, profile))
    for host in sorted(hosts | set(before)):
        try:
            if keystore.keyring_delete(profile, host):
                removed.append(Removed(profile, host, STORAGE_KEYRING))
        except keystore.KeyringUnavailable as error:
            if stored_storage(config, profile, host) == STORAGE_KEYRING:
                failure = failure or error
                continue
        if keystore.file_delete(profile, host):
            removed.append(Removed(profile, host, STORAGE_FILE))
        forget_stored(config, profile, host)
    if before != stored_hosts(config, profile):
        config.save()
    if failure is not None:
        raise failure
    return removed


def sandbox_key() -> ResolvedKey:
    """The fixed test key sent to the embedded sandbox (which needs no real key)."""
    return ResolvedKey(SecretKey(SANDBOX_KEY), SOURCE_SANDBOX)
