"""Safe file writes: atomic replace, restrictive modes, never following a symlink planted in place."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from sydium_cli.api.errors import ConfigError


def ensure_private_dir(path: Path) -> None:
    """Create `path` (mode 0700) if needed; refuse when it is a symlink or not a directory."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ConfigError(f"Cannot create the directory {path}: {exc.strerror}.") from None
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise ConfigError(f"Refusing to use {path}: it is not a plain directory.")


def refuse_symlink(path: Path) -> None:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise ConfigError(
            f"Refusing to write {path}: it is a symbolic link.",
            hint="Remove the link; sydium writes its own files only as plain files.",
        )


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write `data` to a temp file beside `path`, fsync, then rename over it (never half-written)."""
    ensure_private_dir(path.parent)
    refuse_symlink(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_text(path: Path, text: str, *, mode: int = 0o600) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)
