"""Duplicate protection: a local SQLite ledger of every post sent, keyed by a content fingerprint.

The Sydium API has no idempotency key, so this ledger is what stops a flaky network or a re-run CI
job from publishing the same post twice. A row is written ("sending") BEFORE the request goes out and
finished with the outcome afterwards; each write is its own transaction, so an interrupt never leaves
a half-written record (a row left in "sending" is treated like an unknown outcome).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sydium_cli.api import errors as E
from sydium_cli.api.models import CreatePostRequest
from sydium_cli.fsutil import ensure_private_dir

if TYPE_CHECKING:
    from sydium_cli.config import Settings

LEDGER_FILE = "ledger.sqlite3"
FINGERPRINT_VERSION = 1

SENDING = "sending"
PUBLISHED = "published"
SCHEDULED = "scheduled"
FAILED = "failed"
UNKNOWN = "unknown"
REJECTED = "rejected"  # the API refused it (4xx): provably not published
NOT_SENT = "not_sent"  # nothing reached the API (connection refused, refused locally)
CANCELLED = "cancelled"
STATES = frozenset({SENDING, PUBLISHED, SCHEDULED, FAILED, UNKNOWN, REJECTED, NOT_SENT, CANCELLED})
BLOCKING = frozenset({PUBLISHED, SCHEDULED})  # refused as a duplicate without --force
UNCERTAIN = frozenset({SENDING, UNKNOWN})  # may have gone out: needs --force

# Writers in this process take turns here instead of in SQLite's busy handler, which sleeps up to
# 100 ms per retry: a batch's worker threads would otherwise spend most of their time asleep.
_WRITERS = threading.Lock()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    operation_id TEXT,
    summary TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sends_fingerprint ON sends (fingerprint, id);
CREATE INDEX IF NOT EXISTS sends_operation ON sends (operation_id);
"""


@dataclass(frozen=True)
class Entry:
    """One send attempt as recorded."""

    id: int
    fingerprint: str
    state: str
    operation_id: str | None
    summary: str
    created_at: str
    updated_at: str


# ---- fingerprints ---------------------------------------------------------------------------------


def fingerprint(request: CreatePostRequest, *, media_digests: dict[str, str], host: str, profile: str) -> str:
    """sha256 over a canonical JSON of what makes two posts "the same post".

    Media count by content digest (a re-upload gets a new URL but the same bytes); `media_digests`
    maps each URL in the request to its digest, and a URL without one counts by itself. Target order
    does not matter; the schedule is compared in UTC; host and profile keep accounts apart.
    """
    canonical = {
        "v": FINGERPRINT_VERSION,
        "caption": normalize_text(request.caption),
        "media": [media_digests.get(url) or f"url:{url}" for url in request.media or []],
        "targets": sorted(
            (
                {"platform": t.platform.strip().lower(), "postType": t.post_type, "options": t.options or {}}
                for t in request.targets
            ),
            key=lambda t: json.dumps(t, sort_keys=True, default=str),
        ),
        "scheduleAt": normalize_time(request.schedule_at),
        "host": _norm_host(host),
        "profile": profile,
    }
    blob = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def file_digest(path: Path) -> str:
    """The content digest of a local media file, for `fingerprint(media_digests=...)`."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def normalize_time(value: str | None) -> str | None:
    """An ISO 8601 timestamp with offset -> UTC `YYYY-MM-DDTHH:MM:SSZ` (None stays None)."""
    parsed = parse_time(value)
    if parsed is None:
        return value
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).replace(microsecond=0)


def summarize(request: CreatePostRequest, limit: int = 60) -> str:
    """A short human label for a ledger row: `x, linkedin: Hello wor…`."""
    caption = " ".join((request.caption or "").split())
    if len(caption) > limit:
        caption = caption[: limit - 1] + "…"
    platforms = ", ".join(t.platform for t in request.targets)
    return f"{platforms}: {caption}" if caption else platforms


def normalize_text(value: str | None) -> str:
    return unicodedata.normalize("NFC", (value or "").replace("\r\n", "\n")).strip()


def _norm_host(host: str) -> str:
    host = host.strip().lower()
    if "://" in host:
        return (urlsplit(host).netloc or host).lower()
    return host.rstrip("/")


# ---- the ledger -----------------------------------------------------------------------------------


def default_path(settings: Settings | None = None) -> Path:
    """--ledger / SYDIUM_LEDGER when given, else <state dir>/ledger.sqlite3."""
    if settings is not None and settings.ledger_path is not None:
        return Path(settings.ledger_path).expanduser()
    from sydium_cli.config import state_dir

    return state_dir() / LEDGER_FILE


class Ledger:
    """The SQLite ledger. Open with `Ledger.open(path)`; every write is one short transaction."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path, *, default_location: bool = False) -> Ledger:
        _prepare_file(path, strict_parent=default_location)
        try:
            conn = sqlite3.connect(str(path), timeout=5.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")  # one fsync per commit; readers never block the writer
            conn.execute("PRAGMA synchronous=FULL")
            conn.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise _db_error(path, exc) from None
        return cls(conn, path)

    @classmethod
    def for_settings(cls, settings: Settings) -> Ledger:
        return cls.open(default_path(settings), default_location=settings.ledger_path is None)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- reads ------------------------------------------------------------------------------

    def find(self, fp: str) -> Entry | None:
        """The most recent attempt with this fingerprint, or None."""
        row = self._query("SELECT * FROM sends WHERE fingerprint = ? ORDER BY id DESC LIMIT 1", (fp,))
        return row[0] if row else None

    def entries(self, fp: str | None = None) -> list[Entry]:
        if fp is None:
            return self._query("SELECT * FROM sends ORDER BY id", ())
        return self._query("SELECT * FROM sends WHERE fingerprint = ? ORDER BY id", (fp,))

    def check(self, fp: str, force: bool) -> None:
        """Raise DuplicateError (exit 7) when this post already went out or may have; --force skips."""
        if force:
            return
        entry = self.find(fp)
        if entry is not None:
            raise_for(entry)

    # ---- writes (each its own transaction) ----------------------------------------------------

    def begin(self, fp: str, summary: str) -> int:
        """Record an attempt as "sending" before the request goes out; returns the row id."""
        with self._transaction() as conn:
            return _insert(conn, fp, summary)

    def claim(self, fp: str, summary: str, *, force: bool) -> int:
        """check + begin in one locked transaction, so two parallel runs cannot both send."""
        with self._transaction() as conn:
            if not force:
                rows = conn.execute(
                    "SELECT * FROM sends WHERE fingerprint = ? ORDER BY id DESC LIMIT 1", (fp,)
                ).fetchall()
                if rows:
                    raise_for(Entry(*rows[0]))
            return _insert(conn, fp, summary)

    def finish(self, fp: str, operation_id: str | None, state: str, *, entry_id: int | None = None) -> None:
        """Record the outcome of the latest "sending" attempt of `fp` (or of row `entry_id`)."""
        if state not in STATES:
            raise ValueError(f"unknown ledger state {state!r}")
        with self._transaction() as conn:
            if entry_id is None:
                found = conn.execute(
                    "SELECT id FROM sends WHERE fingerprint = ? ORDER BY id DESC LIMIT 1", (fp,)
                ).fetchone()
                entry_id = _insert(conn, fp, "") if found is None else int(found[0])
            conn.execute(
                "UPDATE sends SET state = ?, operation_id = COALESCE(?, operation_id), updated_at = ? WHERE id = ?",
                (state, operation_id, _now(), entry_id),
            )

    def update_operation(self, operation_id: str, state: str) -> int:
        """Set the state of every row of an operation (after a wait, a cancel); returns rows changed."""
        if state not in STATES:
            raise ValueError(f"unknown ledger state {state!r}")
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE sends SET state = ?, updated_at = ? WHERE operation_id = ?", (state, _now(), operation_id)
            )
            return cursor.rowcount

    # ---- plumbing -----------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with _WRITERS:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _db_error(self.path, exc) from None
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise _db_error(self.path, exc) from None

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[Entry]:
        try:
            return [Entry(*row) for row in self._conn.execute(sql, params).fetchall()]
        except sqlite3.Error as exc:
            raise _db_error(self.path, exc) from None


def raise_for(entry: Entry) -> None:
    """The DuplicateError an earlier attempt calls for (nothing when it provably did not go out)."""
    when = entry.created_at.replace("T", " ").replace("Z", " UTC")
    op = entry.operation_id
    if entry.state in BLOCKING:
        did = "scheduled" if entry.state == SCHEDULED else "published"
        raise E.DuplicateError(
            f"This post was already {did} (operation {op or 'id not recorded'}, sent {when}).",
            hint=(f"`sydium posts show {op}` shows it. " if op else "")
            + "To send it again anyway, re-run with --force.",
        )
    if entry.state in UNCERTAIN:
        raise E.DuplicateError(
            f"An earlier attempt to send this post ({when}) ended with an unknown outcome: it may have been published.",
            hint="Check `sydium posts list` (scheduled posts) or the platform itself (publish-now). "
            "If it did not go out, re-run with --force.",
        )


def _insert(conn: sqlite3.Connection, fp: str, summary: str) -> int:
    now = _now()
    cursor = conn.execute(
        "INSERT INTO sends (fingerprint, state, operation_id, summary, created_at, updated_at) "
        "VALUES (?, ?, NULL, ?, ?, ?)",
        (fp, SENDING, summary, now, now),
    )
    return int(cursor.lastrowid or 0)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _prepare_file(path: Path, *, strict_parent: bool) -> None:
    """Create the ledger 0600 without following a planted symlink; refuse anything but a plain file."""
    parent = path.parent
    if strict_parent or not parent.exists():
        ensure_private_dir(parent)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | os.O_NONBLOCK, 0o600)
    except OSError as exc:
        if os.path.islink(path):
            raise E.ConfigError(
                f"Refusing to use the ledger {path}: it is a symbolic link.",
                hint="Remove the link; sydium writes its ledger only as a plain file.",
            ) from None
        raise E.ConfigError(
            f"Cannot open the ledger {path}: {exc.strerror}.",
            hint="Give another path with --ledger or SYDIUM_LEDGER.",
        ) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise E.ConfigError(f"Refusing to use the ledger {path}: it is not a regular file.")
    finally:
        os.close(fd)


def _db_error(path: Path, exc: sqlite3.Error) -> E.ConfigError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return E.ConfigError(
            f"The ledger {path} is locked by another sydium run.", hint="Wait for it to finish and try again."
        )
    return E.ConfigError(
        f"The ledger {path} cannot be used ({text}).",
        hint="Move the file aside (it only holds duplicate protection) or point --ledger elsewhere.",
    )
