"""Keyring backends for tests: in-memory (optionally file-backed so subprocesses share it), failing ones."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import ClassVar

from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, KeyringLocked, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Stores secrets in a JSON file named by SYDIUM_TEST_KEYRING_FILE (or in memory without it)."""

    priority = 1  # type: ignore[assignment]
    _memory: ClassVar[dict[str, str]] = {}

    def _path(self) -> Path | None:
        value = os.environ.get("SYDIUM_TEST_KEYRING_FILE")
        return Path(value) if value else None

    def _load(self) -> dict[str, str]:
        path = self._path()
        if path is None:
            return self._memory
        try:
            return json.loads(path.read_text())
        except FileNotFoundError:
            return {}

    def _save(self, data: dict[str, str]) -> None:
        path = self._path()
        if path is None:
            type(self)._memory = data
        else:
            path.write_text(json.dumps(data))

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\0{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\0{username}", None) is None:
            raise PasswordDeleteError("not found")
        self._save(data)


class LockedKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("the collection is locked")


class RaisingKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("backend exploded")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("backend exploded")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("backend exploded")


class HangingKeyring(KeyringBackend):
    """A D-Bus that never answers."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        time.sleep(3600)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        time.sleep(3600)

    def delete_password(self, service: str, username: str) -> None:
        time.sleep(3600)
