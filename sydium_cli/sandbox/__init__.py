"""The local Sydium API simulator: a WSGI app over SQLite state, embedded in-process or served over HTTP.

Importing this package is cheap (standard library and our own light modules); httpx is imported only by
`embedded_transport`.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sydium_cli.api.errors import UsageError
from sydium_cli.config import ENV_SANDBOX_FAULT, ENV_SANDBOX_PUBLISH_DELAY, data_dir

if TYPE_CHECKING:
    import httpx

    from sydium_cli.sandbox.app import SandboxApp
    from sydium_cli.sandbox.faults import Fault

DEFAULT_PUBLISH_DELAY = 2.0
STATE_FILE = "sandbox.sqlite3"

__all__ = ["default_state_path", "embedded_transport", "make_app", "reset_state", "summary"]


def default_state_path() -> Path:
    return data_dir() / STATE_FILE


def publish_delay_from_env() -> float:
    raw = os.environ.get(ENV_SANDBOX_PUBLISH_DELAY, "").strip()
    if not raw:
        return DEFAULT_PUBLISH_DELAY
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86400:
        raise UsageError(
            f"Invalid {ENV_SANDBOX_PUBLISH_DELAY}={raw!r}: expected seconds between 0 and 86400.",
            hint=f"For example {ENV_SANDBOX_PUBLISH_DELAY}=0 publishes at once.",
        )
    return value


def load_faults(spec: str | None) -> list[Fault]:
    """Parse fault switches, turning a bad one into a UsageError (exit 2) with the grammar as hint."""
    from sydium_cli.sandbox.faults import FaultSpecError, parse_faults

    try:
        return parse_faults(spec)
    except FaultSpecError as exc:
        raise UsageError(str(exc), hint="See `sydium sandbox serve --help` for the fault switches.") from None


def make_app(
    state_path: Path | None = None,
    *,
    publish_delay: float | None = None,
    faults: str | list[Fault] | None = None,
    clock: Callable[[], float] | None = None,
) -> SandboxApp:
    """The WSGI app. Unset options come from SYDIUM_SANDBOX_PUBLISH_DELAY / SYDIUM_SANDBOX_FAULT."""
    from sydium_cli.sandbox.app import SandboxApp
    from sydium_cli.sandbox.store import Store

    if faults is None:
        faults = os.environ.get(ENV_SANDBOX_FAULT)
    fault_list = load_faults(faults) if isinstance(faults, str) or faults is None else faults
    return SandboxApp(
        Store(state_path or default_state_path()),
        publish_delay=publish_delay_from_env() if publish_delay is None else publish_delay,
        faults=fault_list,
        clock=clock or time.time,
    )


def embedded_transport(state_path: Path | None) -> httpx.BaseTransport:
    """An in-process httpx transport over the sandbox (no port opened); faults that need a real socket
    (dropped connection, hang) surface as the httpx errors a real network would give."""
    import httpx

    from sydium_cli.sandbox.faults import DroppedConnection, HungResponse

    class _Embedded(httpx.WSGITransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            try:
                return super().handle_request(request)
            except DroppedConnection:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.") from None
            except HungResponse:
                raise httpx.ReadTimeout("The sandbox never answered (hang fault).", request=request) from None

    return _Embedded(app=make_app(state_path))


def reset_state(state_path: Path | None = None) -> list[Path]:
    """Delete the state file, its SQLite side files and uploaded media; returns what was removed."""
    path = state_path or default_state_path()
    removed = []
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if candidate.is_file() and not candidate.is_symlink():
            candidate.unlink()
            removed.append(candidate)
    media = path.parent / (path.stem + "-media")
    if media.is_dir() and not media.is_symlink():
        shutil.rmtree(media)
        removed.append(media)
    return removed


def summary(state_path: Path | None = None) -> dict[str, Any]:
    """What the sandbox holds: operations by status (as of now), media, the state file."""
    from sydium_cli.sandbox.store import Store, rollup

    path = state_path or default_state_path()
    info: dict[str, Any] = {"stateFile": str(path), "exists": path.is_file(), "operations": {}, "media": {}}
    if not path.is_file():
        return info
    store = Store(path)
    try:
        now = time.time()
        counts: dict[str, int] = {}
        for op in store.all_ops():
            status = rollup([t.status(now) for t in op.targets])
            counts[status] = counts.get(status, 0) + 1
        info["operations"] = dict(sorted(counts.items()))
        info["media"] = store.media_count()
    finally:
        store.close()
    info["sizeBytes"] = path.stat().st_size
    return info
