"""The sandbox's state in SQLite: operations, their targets and media records.

Target status is never stored as such: each target keeps the times it starts and finishes publishing
(and when it was cancelled), so its status is evaluated lazily against the clock on every read.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY, created_at REAL NOT NULL, schedule_at REAL, caption TEXT NOT NULL,
    media TEXT NOT NULL, display TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS targets (
    op_id TEXT NOT NULL, idx INTEGER NOT NULL, platform TEXT NOT NULL, post_type TEXT NOT NULL,
    start_at REAL NOT NULL, ready_at REAL NOT NULL, cancelled_at REAL,
    post_id TEXT, url TEXT, error TEXT, PRIMARY KEY (op_id, idx)
);
CREATE TABLE IF NOT EXISTS media (
    key TEXT PRIMARY KEY, content_type TEXT, file_size INTEGER, source_url TEXT,
    uploaded INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL
);
"""


@dataclass
class Target:
    platform: str
    post_type: str
    start_at: float
    ready_at: float
    cancelled_at: float | None = None
    post_id: str | None = None
    url: str | None = None
    error: dict[str, Any] | None = None

    def status(self, now: float) -> str:
        if self.cancelled_at is not None:
            return "cancelled"
        if now < self.start_at:
            return "scheduled"
        if now < self.ready_at:
            return "processing"
        return "failed" if self.error else "published"


@dataclass
class Op:
    id: str
    created_at: float
    schedule_at: float | None
    caption: str
    media: list[str]
    display: str
    targets: list[Target]


def rollup(statuses: list[str]) -> str:
    """The operation's status from its targets' statuses."""
    kinds = set(statuses)
    if kinds == {"scheduled"}:
        return "scheduled"
    if "processing" in kinds:
        return "processing"
    if "scheduled" in kinds:
        return "scheduled"
    if len(kinds) == 1:
        return {"published": "completed", "failed": "failed", "cancelled": "cancelled"}[kinds.pop()]
    if "cancelled" in kinds:
        return "partially_cancelled"
    return "partially_failed"


class Store:
    """One SQLite connection shared by the app's threads, serialised by a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            from sydium_cli.fsutil import ensure_private_dir

            ensure_private_dir(self.path.parent)
            conn = sqlite3.connect(str(self.path), timeout=10.0, check_same_thread=False)
            conn.executescript(SCHEMA)
            self.path.chmod(0o600)
            self._conn = conn
        return self._conn

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connection()
            with conn:
                yield conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # ---- operations -------------------------------------------------------------------------

    def add_op(self, op: Op) -> None:
        with self.tx() as conn:
            conn.execute(
                "INSERT INTO operations VALUES (?, ?, ?, ?, ?, ?)",
                (op.id, op.created_at, op.schedule_at, op.caption, json.dumps(op.media), op.display),
            )
            conn.executemany(
                "INSERT INTO targets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        op.id,
                        i,
                        t.platform,
                        t.post_type,
                        t.start_at,
                        t.ready_at,
                        t.cancelled_at,
                        t.post_id,
                        t.url,
                        json.dumps(t.error) if t.error else None,
                    )
                    for i, t in enumerate(op.targets)
                ],
            )

    def get_op(self, op_id: str) -> Op | None:
        with self.tx() as conn:
            row = conn.execute("SELECT * FROM operations WHERE id = ?", (op_id,)).fetchone()
            if row is None:
                return None
            return self._load(conn, row)

    def all_ops(self) -> list[Op]:
        with self.tx() as conn:
            rows = conn.execute("SELECT * FROM operations ORDER BY created_at, id").fetchall()
            return [self._load(conn, row) for row in rows]

    def cancel_scheduled(self, op_id: str, now: float) -> None:
        """Cancel the targets still scheduled at `now` (never one that started publishing)."""
        with self.tx() as conn:
            conn.execute(
                "UPDATE targets SET cancelled_at = ? WHERE op_id = ? AND cancelled_at IS NULL AND start_at > ?",
                (now, op_id, now),
            )

    @staticmethod
    def _load(conn: sqlite3.Connection, row: tuple[Any, ...]) -> Op:
        targets = [
            Target(r[2], r[3], r[4], r[5], r[6], r[7], r[8], json.loads(r[9]) if r[9] else None)
            for r in conn.execute("SELECT * FROM targets WHERE op_id = ? ORDER BY idx", (row[0],))
        ]
        return Op(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], targets)

    # ---- media ------------------------------------------------------------------------------

    def add_media(
        self, key: str, now: float, *, content_type: str | None, file_size: int | None, source_url: str | None
    ) -> None:
        with self.tx() as conn:
            conn.execute(
                "INSERT INTO media VALUES (?, ?, ?, ?, ?, ?)",
                (key, content_type, file_size, source_url, 0, now),
            )

    def get_media(self, key: str) -> dict[str, Any] | None:
        with self.tx() as conn:
            row = conn.execute(
                "SELECT key, content_type, file_size, source_url, uploaded FROM media WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        return {
            "key": row[0],
            "content_type": row[1],
            "file_size": row[2],
            "source_url": row[3],
            "uploaded": bool(row[4]),
        }

    def mark_uploaded(self, key: str) -> None:
        with self.tx() as conn:
            conn.execute("UPDATE media SET uploaded = 1 WHERE key = ?", (key,))

    def media_count(self) -> dict[str, int]:
        with self.tx() as conn:
            uploaded, from_url, pending = conn.execute(
                "SELECT COALESCE(SUM(uploaded = 1), 0), COALESCE(SUM(source_url IS NOT NULL), 0),"
                " COALESCE(SUM(uploaded = 0 AND source_url IS NULL), 0) FROM media"
            ).fetchone()
        return {"uploaded": int(uploaded), "fromUrl": int(from_url), "awaitingUpload": int(pending)}
