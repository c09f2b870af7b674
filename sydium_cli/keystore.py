"""Where stored keys live: the OS keyring (every call under a timeout) and the opt-in 0600 file.

`keyring` is imported only inside the worker thread, so commands that never need a key never load it,
and a backend that hangs (a D-Bus that does not answer) or raises becomes one clear CredentialsError.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sydium_cli.api.errors import ConfigError, CredentialsError, UsageError
from sydium_cli.api.secret import redact
from sydium_cli.config import ENV_API_KEY, ENV_KEYRING_TIMEOUT, config_dir

T = TypeVar("T")

SERVICE = "sydium"
DEFAULT_KEYRING_TIMEOUT = 3.0
CREDENTIALS_FILE_NAME = "credentials.json"
MAX_FILE_BYTES = 64 * 1024

KEYRING_HINT = (
    f"Set {ENV_API_KEY} for this shell or CI job, or store the key in a 0600 file instead: "
    "sydium auth login --insecure-storage"
)


class KeyringUnavailable(CredentialsError):
    """The OS keyring could not be used: absent, locked, not answering or failing."""


def api_host(base_url: str) -> str:
    """The host (and non-default port) a key is bound to: `api.sydium.com`, `127.0.0.1:8080`."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def account_name(profile: str, host: str) -> str:
    """The keyring username (and file entry) of a profile's key for one API host."""
    return f"{profile}@{host}"


# ---- the OS keyring ------------------------------------------------------------------------------


def keyring_timeout() -> float:
    raw = os.environ.get(ENV_KEYRING_TIMEOUT, "").strip()
    if not raw:
        return DEFAULT_KEYRING_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 600:
        raise UsageError(
            f"Invalid {ENV_KEYRING_TIMEOUT} {raw!r}: expected seconds between 0 and 600.",
            hint=f"Use {ENV_KEYRING_TIMEOUT}=3.",
        )
    return value


def _in_worker(what: str, call: Callable[[Any], T]) -> T:
    """Run `call(keyring_module)` in a daemon thread; give up after the keyring timeout."""
    timeout = keyring_timeout()
    result: list[T] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            import keyring

            result.append(call(keyring))
        except BaseException as exc:  # handed to the caller's thread, translated there
            failure.append(exc)

    worker = threading.Thread(target=work, name="sydium-keyring", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise KeyringUnavailable(
            f"The OS keyring did not answer within {timeout:g} s while {what} "
            "(is its D-Bus service hung, or waiting for an unlock prompt?).",
            hint=KEYRING_HINT + f" ({ENV_KEYRING_TIMEOUT} sets the wait.)",
        )
    if failure:
        raise _translate(failure[0], what) from None
    return result[0]


def _translate(exc: BaseException, what: str) -> CredentialsError:
    from keyring import errors

    if isinstance(exc, errors.NoKeyringError):
        message = (
            f"No OS keyring is available on this machine while {what} "
            "(no Secret Service, Keychain or Credential Manager backend)."
        )
    elif isinstance(exc, errors.KeyringLocked):
        message = f"The OS keyring is locked while {what}."
        return KeyringUnavailable(message, hint="Unlock it (log in to the desktop session), or " + _lower(KEYRING_HINT))
    elif isinstance(exc, errors.InitError):
        message = f"The OS keyring backend could not start while {what}."
    elif isinstance(exc, KeyboardInterrupt):
        raise exc
    else:
        detail = redact(str(exc)).splitlines()[0][:200] if str(exc) else ""
        message = f"The OS keyring failed while {what} ({type(exc).__name__}{': ' + detail if detail else ''})."
    return KeyringUnavailable(message, hint=KEYRING_HINT)


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _backend(keyring: Any) -> Any:
    from keyring.backends import fail
    from keyring.errors import NoKeyringError

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise NoKeyringError("no backend")
    return backend


def keyring_get(profile: str, host: str) -> str | None:
    name = account_name(profile, host)
    value = _in_worker("reading the key", lambda kr: _backend(kr).get_password(SERVICE, name))
    return value if isinstance(value, str) and value else None


def keyring_set(profile: str, host: str, value: str) -> None:
    name = account_name(profile, host)
    _in_worker("storing the key", lambda kr: _backend(kr).set_password(SERVICE, name, value))


def keyring_delete(profile: str, host: str) -> bool:
    """Remove the entry; False when there was none (logging out of nothing is not an error)."""
    name = account_name(profile, host)

    def delete(kr: Any) -> bool:
        from keyring.errors import PasswordDeleteError

        backend = _backend(kr)
        try:
            backend.delete_password(SERVICE, name)
        except PasswordDeleteError:
            return False
        return True

    return _in_worker("removing the key", delete)


def keyring_backend_name() -> str:
    """The backend's class name (for `auth status`); never raises."""
    try:
        return _in_worker("checking the backend", lambda kr: type(_backend(kr)).__name__)
    except CredentialsError:
        return "unavailable"


# ---- the opt-in plain file (--insecure-storage) --------------------------------------------------


def credentials_file() -> Path:
    return config_dir() / CREDENTIALS_FILE_NAME


def _check_private(path: Path, info: os.stat_result) -> None:
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        raise CredentialsError(
            f"Refusing to read the key file {path}: it is not a plain file.",
            hint="Remove it and log in again: sydium auth login",
        )
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        raise CredentialsError(f"Refusing to read the key file {path}: it belongs to another user.")
    wide = stat.S_IMODE(info.st_mode) & 0o077
    if wide:
        raise CredentialsError(
            f"Refusing to use the key file {path}: its permissions are "
            f"{stat.S_IMODE(info.st_mode):04o}, wider than 0600, so other users may have read the key.",
            hint=f"If nobody else could have read it: chmod 600 {path}. Otherwise revoke the key in "
            "Sydium's dashboard and log in again.",
        )


def _load_file(path: Path, *, strict: bool = True) -> dict[str, str]:
    """The file's entries; `strict=False` (logout) skips the permission check so a leaky file can go."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return {}
    if strict or stat.S_ISLNK(info.st_mode):
        _check_private(path, info)
    try:
        raw = path.read_bytes()[:MAX_FILE_BYTES]
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError):
        raise ConfigError(
            f"The key file {path} cannot be read or is not valid JSON.",
            hint="Delete it and log in again: sydium auth login --insecure-storage",
        ) from None
    keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(keys, dict):
        return {}
    return {str(k): v for k, v in keys.items() if isinstance(v, str)}


def _save_file(path: Path, keys: dict[str, str]) -> None:
    from sydium_cli.fsutil import atomic_write_text

    if not keys:
        path.unlink(missing_ok=True)
        return
    atomic_write_text(path, json.dumps({"version": 1, "keys": keys}, indent=2, sort_keys=True) + "\n", mode=0o600)


def file_get(profile: str, host: str) -> str | None:
    return _load_file(credentials_file()).get(account_name(profile, host)) or None


def file_set(profile: str, host: str, value: str) -> None:
    path = credentials_file()
    keys = _load_file(path)
    keys[account_name(profile, host)] = value
    _save_file(path, keys)


def file_delete(profile: str, host: str) -> bool:
    path = credentials_file()
    keys = _load_file(path, strict=False)
    if keys.pop(account_name(profile, host), None) is None:
        return False
    _save_file(path, keys)
    return True
