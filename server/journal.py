"""The durable journal: every accepted record, its forwarding state, terminals, and the catalog mirror.

One SQLite file in WAL mode with synchronous=FULL, so a commit survives a power cut before the relay
answers "accepted". Every state transition is one committed write and bumps a global change
counter, which is the cursor terminals poll for news. The SQL stays plain and behind these methods
(a PostgreSQL variant is planned); callers never see a cursor or a connection.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    uuid TEXT PRIMARY KEY,
    terminal TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'posted', 'failed')),
    odoo_id INTEGER,
    error TEXT,
    retryable INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    accepted_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    change_seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS items_queue ON items (state, terminal, seq);
CREATE INDEX IF NOT EXISTS items_changes ON items (terminal, change_seq);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS terminals (
    name TEXT PRIMARY KEY,
    token_sha256 TEXT UNIQUE,
    created_at REAL NOT NULL,
    paired_at REAL,
    last_seen_at REAL
);
CREATE TABLE IF NOT EXISTS pairing_codes (
    code_sha256 TEXT PRIMARY KEY,
    terminal TEXT NOT NULL REFERENCES terminals (name),
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS catalog (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    active INTEGER NOT NULL,
    cursor INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS catalog_by_cursor ON catalog (cursor);
CREATE TABLE IF NOT EXISTS mirror (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

STATE_FIELDS = "uuid, state, odoo_id, error, retryable, change_seq"


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Incoming:
    """A validated record ready to be stored."""

    uuid: str
    terminal: str
    seq: int
    kind: str
    body: str
    body_sha256: str


@dataclass(frozen=True)
class Item:
    """A stored record and where it stands on its way to Odoo."""

    uuid: str
    terminal: str
    seq: int
    kind: str
    body: str
    state: str
    odoo_id: int | None
    error: str | None
    retryable: bool | None
    attempts: int
    next_attempt_at: float
    change_seq: int

    def record(self) -> dict[str, Any]:
        return json.loads(self.body)


def state_of(row: sqlite3.Row | tuple[Any, ...]) -> dict[str, Any]:
    """What a terminal is told about one item: {uuid, status, odoo_id?, error?, retryable?}."""
    uuid, state, odoo_id, error, retryable, _ = row
    answer: dict[str, Any] = {"uuid": uuid, "status": state}
    if odoo_id is not None:
        answer["odoo_id"] = odoo_id
    if error:
        answer["error"] = error
    if retryable is not None and state != "posted":
        answer["retryable"] = bool(retryable)
    return answer


class Journal:
    """The relay's SQLite journal. Thread-safe: one connection, one writer at a time."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=10
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.RLock()
        with self._tx() as db:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed (durably) on success, rolled back on any error."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    @staticmethod
    def _bump(db: sqlite3.Connection, name: str) -> int:
        db.execute(
            "INSERT INTO counters (name, value) VALUES (?, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1",
            (name,),
        )
        return db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0]

    def _counter(self, name: str) -> int:
        rows = self._read("SELECT value FROM counters WHERE name = ?", (name,))
        return rows[0][0] if rows else 0

    def ping(self) -> bool:
        return self._read("SELECT 1")[0][0] == 1

    # -- items ------------------------------------------------------------------------------

    def accept(self, incoming: list[Incoming], now: float | None = None) -> list[str]:
        """Store new records in ONE transaction; per record "accepted", "duplicate" (same uuid,
        same body) or "conflict" (same uuid, another body: nothing stored)."""
        now = time.time() if now is None else now
        statuses: list[str] = []
        with self._tx() as db:
            for record in incoming:
                row = db.execute(
                    "SELECT body_sha256 FROM items WHERE uuid = ?", (record.uuid,)
                ).fetchone()
                if row is not None:
                    statuses.append("duplicate" if row[0] == record.body_sha256 else "conflict")
                    continue
                change = self._bump(db, "change_seq")
                db.execute(
                    "INSERT INTO items (uuid, terminal, seq, kind, body, body_sha256, state, "
                    "attempts, next_attempt_at, accepted_at, updated_at, change_seq) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?)",
                    (
                        record.uuid,
                        record.terminal,
                        record.seq,
                        record.kind,
                        record.body,
                        record.body_sha256,
                        now,
                        now,
                        now,
                        change,
                    ),
                )
                statuses.append("accepted")
        return statuses

    def get(self, uuid: str) -> Item | None:
        rows = self._read(
            "SELECT uuid, terminal, seq, kind, body, state, odoo_id, error, retryable, attempts, "
            "next_attempt_at, change_seq FROM items WHERE uuid = ?",
            (uuid,),
        )
        return self._item(rows[0]) if rows else None

    @staticmethod
    def _item(row: tuple[Any, ...]) -> Item:
        values = list(row)
        values[8] = None if values[8] is None else bool(values[8])
        return Item(*values)

    def states(self, terminal: str, uuids: Iterable[str]) -> list[dict[str, Any]]:
        """Current states of this terminal's items among `uuids` (others' items stay hidden)."""
        wanted = list(dict.fromkeys(uuids))
        answers: list[dict[str, Any]] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self._read(
                f"SELECT {STATE_FIELDS} FROM items WHERE terminal = ? "
                f"AND uuid IN ({','.join('?' * len(chunk))})",
                [terminal, *chunk],
            )
            by_uuid = {row[0]: row for row in rows}
            answers.extend(state_of(by_uuid[u]) for u in chunk if u in by_uuid)
        return answers

    def changes(
        self, terminal: str, since: int, limit: int = 1000
    ) -> tuple[list[dict[str, Any]], int]:
        """This terminal's items whose state changed after `since`, and the next cursor."""
        if since > self._counter("change_seq"):
            since = 0  # a cursor from another journal (the relay was reset): start over
        rows = self._read(
            f"SELECT {STATE_FIELDS} FROM items WHERE terminal = ? AND change_seq > ? "
            "ORDER BY change_seq LIMIT ?",
            (terminal, since, limit),
        )
        if rows:
            return [state_of(row) for row in rows], rows[-1][5]
        return [], max(since, 0)

    def queued(self, limit: int = 200) -> list[Item]:
        """Items waiting for Odoo, in (terminal, seq) order, due or not."""
        rows = self._read(
            "SELECT uuid, terminal, seq, kind, body, state, odoo_id, error, retryable, attempts, "
            "next_attempt_at, change_seq FROM items WHERE state = 'queued' "
            "ORDER BY terminal, seq, accepted_at LIMIT ?",
            (limit,),
        )
        return [self._item(row) for row in rows]

    def next_attempt_at(self) -> float | None:
        rows = self._read("SELECT MIN(next_attempt_at) FROM items WHERE state = 'queued'")
        return rows[0][0]

    def _transition(self, uuid: str, sets: str, params: list[Any]) -> None:
        with self._tx() as db:
            change = self._bump(db, "change_seq")
            db.execute(
                f"UPDATE items SET {sets}, updated_at = ?, change_seq = ? WHERE uuid = ?",
                [*params, time.time(), change, uuid],
            )

    def mark_posted(self, uuid: str, odoo_id: int) -> None:
        self._transition(
            uuid,
            "state = 'posted', odoo_id = ?, error = NULL, retryable = NULL, "
            "attempts = attempts + 1",
            [odoo_id],
        )

    def mark_failed(
        self, uuid: str, error: str, *, odoo_id: int | None = None, retryable: bool = False
    ) -> None:
        self._transition(
            uuid,
            "state = 'failed', odoo_id = ?, error = ?, retryable = ?, attempts = attempts + 1",
            [odoo_id, error, int(retryable)],
        )

    def mark_retry(self, uuid: str, error: str, next_attempt_at: float) -> None:
        """Still queued after a transient failure; retried at `next_attempt_at`."""
        self._transition(
            uuid,
            "error = ?, retryable = 1, attempts = attempts + 1, next_attempt_at = ?",
            [error, next_attempt_at],
        )

    def requeue(self, uuid: str) -> bool:
        """Send a failed item again (a manager fixed the cause in Odoo)."""
        with self._lock:
            item = self.get(uuid)
            if item is None or item.state != "failed":
                return False
            self._transition(
                uuid,
                "state = 'queued', error = NULL, retryable = NULL, next_attempt_at = ?",
                [time.time()],
            )
            return True

    def counts(self) -> dict[str, int]:
        rows = self._read("SELECT state, COUNT(*) FROM items GROUP BY state")
        counts = {"queued": 0, "posted": 0, "failed": 0}
        counts.update({state: n for state, n in rows})
        return counts

    def item_count(self) -> int:
        return self._read("SELECT COUNT(*) FROM items")[0][0]

    # -- terminals --------------------------------------------------------------------------

    def add_terminal(self, name: str) -> bool:
        """Create the terminal if new; True when it was created."""
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO terminals (name, created_at) VALUES (?, ?) "
                "ON CONFLICT (name) DO NOTHING",
                (name, time.time()),
            )
            return cursor.rowcount == 1

    def add_pairing_code(self, terminal: str, code_sha256: str, expires_at: float) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO pairing_codes (code_sha256, terminal, expires_at) VALUES (?, ?, ?)",
                (code_sha256, terminal, expires_at),
            )

    def pair(self, code_sha256: str, token_sha256: str, now: float | None = None) -> str | None:
        """Use a one-time code: the terminal gets this token (replacing an older one)."""
        now = time.time() if now is None else now
        with self._tx() as db:
            row = db.execute(
                "SELECT terminal, expires_at FROM pairing_codes WHERE code_sha256 = ?",
                (code_sha256,),
            ).fetchone()
            db.execute("DELETE FROM pairing_codes WHERE expires_at < ?", (now,))
            if row is None or row[1] < now:
                return None
            db.execute("DELETE FROM pairing_codes WHERE code_sha256 = ?", (code_sha256,))
            db.execute(
                "UPDATE terminals SET token_sha256 = ?, paired_at = ? WHERE name = ?",
                (token_sha256, now, row[0]),
            )
            return row[0]

    def terminal_by_token(self, token_sha256: str) -> str | None:
        rows = self._read("SELECT name FROM terminals WHERE token_sha256 = ?", (token_sha256,))
        return rows[0][0] if rows else None

    def terminals(self) -> list[dict[str, Any]]:
        rows = self._read(
            "SELECT t.name, t.created_at, t.paired_at, "
            "(SELECT COUNT(*) FROM items i WHERE i.terminal = t.name AND i.state = 'queued'), "
            "(SELECT COUNT(*) FROM items i WHERE i.terminal = t.name AND i.state = 'failed') "
            "FROM terminals t ORDER BY t.name"
        )
        return [
            {"name": n, "created_at": c, "paired_at": p, "queued": q, "failed": f}
            for n, c, p, q, f in rows
        ]

    # -- catalog mirror ---------------------------------------------------------------------

    def put_catalog(self, records: list[dict[str, Any]]) -> int:
        """Store catalog records; only those that changed get a new cursor. Returns that count."""
        changed = 0
        with self._tx() as db:
            for record in records:
                body = _dumps(record)
                row = db.execute(
                    "SELECT body FROM catalog WHERE id = ?", (record["id"],)
                ).fetchone()
                if row is not None and row[0] == body:
                    continue
                if row is None and not record.get("active", True):
                    continue  # never seen, already gone: nothing to tell the terminals
                cursor = self._bump(db, "catalog")
                db.execute(
                    "INSERT INTO catalog (id, body, active, cursor) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET body = excluded.body, "
                    "active = excluded.active, cursor = excluded.cursor",
                    (record["id"], body, int(bool(record.get("active", True))), cursor),
                )
                changed += 1
        return changed

    def catalog_page(self, since: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
        """Records changed after cursor `since`: (items, next cursor, more to fetch)."""
        if since > self.catalog_cursor():
            since = 0  # a cursor from another journal (the relay was reset): start over
        rows = self._read(
            "SELECT body, cursor FROM catalog WHERE cursor > ? ORDER BY cursor LIMIT ?",
            (since, limit + 1),
        )
        more = len(rows) > limit
        rows = rows[:limit]
        if not rows:
            return [], max(since, 0), False
        return [json.loads(body) for body, _ in rows], rows[-1][1], more

    def catalog_cursor(self) -> int:
        return self._counter("catalog")

    def catalog_ids(self) -> set[int]:
        """Ids of the products the terminals currently hold (active in the mirror)."""
        return {row[0] for row in self._read("SELECT id FROM catalog WHERE active = 1")}

    def catalog_size(self) -> int:
        return self._read("SELECT COUNT(*) FROM catalog WHERE active = 1")[0][0]

    # -- bootstrap and mirror bookkeeping ---------------------------------------------------

    def put_bootstrap(self, document: dict[str, Any]) -> str:
        """Store the bootstrap document; returns its ETag (changes only when the content does)."""
        body = _dumps(document)
        etag = '"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32] + '"'
        with self._tx() as db:
            for key, value in (("bootstrap", body), ("bootstrap_etag", etag)):
                db.execute(
                    "INSERT INTO mirror (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )
        return etag

    def bootstrap(self) -> tuple[str, str] | None:
        """(document JSON text, ETag) or None before the first successful mirror."""
        rows = dict(
            self._read("SELECT key, value FROM mirror WHERE key IN ('bootstrap', 'bootstrap_etag')")
        )
        if "bootstrap" not in rows:
            return None
        return rows["bootstrap"], rows["bootstrap_etag"]

    def get_meta(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM mirror WHERE key = ?", (f"meta:{key}",))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO mirror (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (f"meta:{key}", value),
            )
