"""Autouse isolation: no SYDIUM_* variables, dirs under tmp_path, an in-memory keyring, NO_COLOR."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sydium_cli.config import ALL_ENV_VARS


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith("SYDIUM_") or name in ALL_ENV_VARS:
            monkeypatch.delenv(name, raising=False)
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "FORCE_COLOR", "CLICOLOR_FORCE"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("SYDIUM_CONFIG_DIR", "config"),
        ("SYDIUM_DATA_DIR", "data"),
        ("SYDIUM_CACHE_DIR", "cache"),
        ("SYDIUM_STATE_DIR", "state"),
        ("XDG_CONFIG_HOME", "xdg-config"),
        ("XDG_DATA_HOME", "xdg-data"),
        ("XDG_CACHE_HOME", "xdg-cache"),
        ("XDG_STATE_HOME", "xdg-state"),
    ):
        monkeypatch.setenv(var, str(tmp_path / sub))
    # An in-memory keyring backend for every in-process test and every `sydium` subprocess.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.fakes.keyring_memory.MemoryKeyring")
    monkeypatch.setenv(
        "PYTHONPATH", str(Path(__file__).resolve().parent.parent) + os.pathsep + os.environ.get("PYTHONPATH", "")
    )
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("TZ", "UTC")
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield tmp_path
