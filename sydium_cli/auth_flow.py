"""The logic behind `sydium auth`: read a key, check it, verify it with the API, store it; status, logout, profiles.

No typer and no rendering here: commands/auth.py parses flags and hands the results below to the output,
views_auth.py turns them into lines. Heavy modules (the API client, the keyring) are imported only inside
the functions that need them, so importing this module stays cheap.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sydium_cli import credentials as C
from sydium_cli.api.errors import CredentialsError, SydiumError, UsageError
from sydium_cli.config import DEFAULT_BASE_URL, DEFAULT_PROFILE, ENV_API_KEY, Settings, check_profile_name

if TYPE_CHECKING:
    from sydium_cli.api.models import Account
    from sydium_cli.api.secret import SecretKey
    from sydium_cli.runtime import Runtime

MAX_KEY_INPUT = 4096
KEY_FLAG_WARNING = (
    "--key puts the key in the process list (visible to other users) and in shell history; "
    'prefer `sydium auth login` (prompt) or `echo "$KEY" | sydium auth login`.'
)
PROMPT = "Sydium API key (input hidden): "


# ---- reading and checking a candidate key --------------------------------------------------------


def read_key(settings: Settings, key_value: str | None, key_file: str | None, *, warn: Callable[[str], None]) -> str:
    """The raw key from --key, --key-file, the global --api-key, stdin (piped or '-') or a hidden prompt."""
    if key_value:
        warn(KEY_FLAG_WARNING)
        return key_value
    if key_file and key_file != "-":
        return _read_key_file(key_file)
    if settings.api_key_flag and not key_file:
        return settings.api_key_flag
    if key_file == "-" or not sys.stdin.isatty():
        return one_key(sys.stdin.read(MAX_KEY_INPUT + 1), "stdin")
    import getpass

    try:
        return getpass.getpass(PROMPT)
    except EOFError:
        raise UsageError("No key was entered.") from None


def _read_key_file(key_file: str) -> str:
    try:
        with open(key_file, encoding="utf-8") as handle:
            text = handle.read(MAX_KEY_INPUT + 1)
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not readable text"
        raise UsageError(f"Cannot read the key file {key_file}: {reason}.") from None
    return one_key(text, f"the key file {key_file}")


def one_key(text: str, where: str) -> str:
    """Exactly one non-empty line of at most MAX_KEY_INPUT characters, stripped."""
    if len(text) > MAX_KEY_INPUT:
        raise UsageError(f"Too much input in {where}: expected one API key.")
    value = text.strip()
    if not value:
        raise UsageError(f"No key found in {where}.", hint='Pipe the key in: echo "$KEY" | sydium auth login')
    if "\n" in value:
        raise UsageError(f"{where.capitalize()} holds more than one line: expected one API key.")
    return value


def candidate(raw: str) -> SecretKey:
    """The key's shape checked; bad input at login is a usage error (exit 2), not a credentials one."""
    try:
        return C.check_key_shape(raw)
    except CredentialsError as error:
        raise UsageError(error.message, hint=error.hint) from None


def verify(rt: Runtime, settings: Settings, key: SecretKey) -> list[Account]:
    """Ask the API whether it accepts `key` (lists the accounts); on failure say the key was not stored."""
    from sydium_cli.api.client import SydiumClient

    client = SydiumClient(
        settings.base_url,
        key_provider=lambda: key,
        timeout=settings.timeout,
        debug_log=rt.debug if settings.debug else None,
    )
    try:
        return client.list_accounts()
    except SydiumError as error:
        error.message = f"{error.message.rstrip('.')}. The key was not stored."
        error.hint = (error.hint + " " if error.hint else "") + "(--no-verify stores a key without checking it.)"
        raise
    finally:
        client.close()


# ---- login ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    result: dict[str, Any]  # the --json shape
    accounts: list[Account] | None  # None when not verified
    where: str  # human description of where the key went
    remember: bool  # the profile now records the base URL given on the command line


def login(
    rt: Runtime,
    *,
    profile: str | None,
    key_value: str | None,
    key_file: str | None,
    no_verify: bool,
    insecure: bool,
) -> LoginOutcome:
    """Read, check, verify (unless no_verify) and store a key for the profile and the API host."""
    from sydium_cli.settings import BASE_URL_FLAG_SOURCE, settings_for_profile

    settings = settings_for_profile(rt.settings, profile or rt.settings.profile)
    if settings.sandbox:
        raise UsageError("The sandbox needs no key; log in without --sandbox.")
    key = candidate(read_key(rt.settings, key_value, key_file, warn=rt.out.warn))
    accounts = None if no_verify else verify(rt, settings, key)
    remember = settings.base_url_source == BASE_URL_FLAG_SOURCE
    storage = C.store_key(settings, key, insecure=insecure, remember_base_url=remember)
    host = C.host_of(settings)
    where = (
        f"a plain 0600 file ({credentials_file_path()}) — insecure; prefer the OS keyring"
        if storage == C.STORAGE_FILE
        else f"the OS keyring (service sydium, account {settings.profile}@{host})"
    )
    result: dict[str, Any] = {
        "profile": settings.profile,
        "base_url": settings.base_url,
        "host": host,
        "key": key.masked,
        "mode": key.mode,
        "storage": storage,
        "verified": accounts is not None,
        "accounts": [a.wire() for a in accounts] if accounts is not None else None,
    }
    return LoginOutcome(result=result, accounts=accounts, where=where, remember=remember)


def credentials_file_path() -> str:
    from sydium_cli.keystore import credentials_file

    return str(credentials_file())


def env_shadow_warning() -> str | None:
    """The warning due when SYDIUM_API_KEY will be used instead of the key just stored."""
    if os.environ.get(ENV_API_KEY):
        return f"{ENV_API_KEY} is set in this environment and is used instead of the stored key."
    return None


# ---- status --------------------------------------------------------------------------------------


def status_report(rt: Runtime, profile: str | None, verify_key: bool) -> tuple[dict[str, Any], SydiumError | None]:
    """The status report (the --json shape) and the error to exit with afterwards, if any.

    Switches `rt` to `profile` when one is given, so the key is resolved for that profile.
    """
    from sydium_cli.settings import settings_for_profile

    if profile:
        rt.settings = settings_for_profile(rt.settings, profile)
        rt._key = None
    s = rt.settings
    report: dict[str, Any] = {
        "profile": s.profile,
        "base_url": "sandbox (embedded)" if s.sandbox else s.base_url,
        "base_url_source": s.base_url_source,
        "host": C.host_of(s),
        "key": None,
        "mode": None,
        "source": None,
        "source_detail": None,
        "insecure": False,
        "verified": False,
        "accepted": None,
        "accounts": None,
        "warnings": [],
        "error": None,
    }
    try:
        resolved = rt.key()
    except CredentialsError as error:
        report["error"] = error.message
        return report, error
    describe_key(s, resolved, report)
    failure = check_with_api(rt, report) if verify_key else None
    return report, failure


def describe_key(s: Settings, resolved: C.ResolvedKey, report: dict[str, Any]) -> None:
    """Fill in the key, its mode and source, and the warnings about where it lives or what it hides."""
    kind = C.SOURCE_KINDS.get(resolved.source, resolved.source)
    detail = resolved.source
    if kind == "keyring":
        detail = f"OS keyring (service sydium, account {s.profile}@{report['host']})"
    elif kind == "file":
        detail = f"plain file {credentials_file_path()} (insecure)"
        report["insecure"] = True
        report["warnings"].append(
            "The key is stored in a plain file, readable by anything running as you. "
            "Move it into the OS keyring: sydium auth login"
        )
    report.update(key=resolved.key.masked, mode=resolved.key.mode, source=kind, source_detail=detail)
    if kind in ("flag", "env"):
        hidden = shadowed(s)
        if hidden:
            report["warnings"].append(
                f"{resolved.source} shadows the key stored for profile {s.profile!r} ({hidden}); "
                "unset it to use the stored key."
            )


def shadowed(settings: Settings) -> str | None:
    """The stored key the flag or env var hides (checked only where login recorded one: no keyring wait)."""
    if not C.stored_storage(settings.config, settings.profile, C.host_of(settings)):
        return None
    try:
        found = C.find_stored_key(settings)
    except CredentialsError:
        return "unreadable"
    return f"{found.source}, {found.key.masked}" if found else None


def check_with_api(rt: Runtime, report: dict[str, Any]) -> SydiumError | None:
    """Ask the API about the key; record the answer in `report` and return the error to exit with."""
    from sydium_cli.api.errors import AuthenticationError, PermissionDeniedError

    try:
        accounts = rt.client().list_accounts()
    except (AuthenticationError, PermissionDeniedError) as error:
        report.update(verified=True, accepted=False, error=error.message)
        return error
    except SydiumError as error:
        report["error"] = f"Could not check the key with the API: {error.message}"
        return error
    report.update(verified=True, accepted=True, accounts=[a.wire() for a in accounts])
    report["platforms"] = sorted({a.platform for a in accounts})
    return None


# ---- logout, list, switch ------------------------------------------------------------------------


def logout(settings: Settings, profile: str | None, everything: bool) -> tuple[list[C.Removed], list[str]]:
    """Remove the stored keys of one profile (or of all); returns what was removed and the profiles tried."""
    from sydium_cli.settings import settings_for_profile

    if everything and profile:
        raise UsageError("Give either --profile or --all, not both.")
    config = settings.config
    assert config is not None
    names = sorted(set(config.profiles()) | {settings.profile}) if everything else [profile or settings.profile]
    removed: list[C.Removed] = []
    for name in names:
        removed += C.remove_stored(config, name, {C.host_of(settings_for_profile(settings, name))})
    return removed, names


def profile_rows(settings: Settings) -> list[dict[str, Any]]:
    """Every known profile with its base URL and stored keys (the `auth list --json` shape)."""
    config = settings.config
    assert config is not None
    rows: list[dict[str, Any]] = []
    for name in sorted(set(config.profiles()) | {config.default_profile, settings.profile}):
        entry = config.profile(name)
        keys = C.stored_hosts(config, name)
        rows.append(
            {
                "profile": name,
                "default": name == config.default_profile,
                "active": name == settings.profile,
                "base_url": entry.get("base_url") or DEFAULT_BASE_URL,
                "keys": [
                    {"host": h, "storage": v.get("storage"), "mode": v.get("mode")} for h, v in sorted(keys.items())
                ],
            }
        )
    return rows


def switch(settings: Settings, name: str) -> None:
    """Make `name` the default profile (it must exist, or be the built-in default)."""
    config = settings.config
    assert config is not None
    check_profile_name(name)
    if name not in config.profiles() and name != DEFAULT_PROFILE:
        raise UsageError(
            f"No profile named {name!r}.",
            hint=f"Create it by logging in: sydium --profile {name} auth login  (see: sydium auth list)",
        )
    config.data["default_profile"] = name
    config.save()
