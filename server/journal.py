"""The durable journal: every accepted record, its forwarding state, terminals, and the catalog mirror.

By default one SQLite file in WAL mode with synchronous=FULL, so a commit survives a power cut
before the relay answers "accepted"; with a postgresql:// URL the same tables live in PostgreSQL
(journal_postgres.py) so several relays can share them. Every state transition is one committed
write and bumps a global change counter, which is the cursor terminals poll for news. The SQL is
written once, with `?` placeholders, for both databases; callers never see a cursor or a connection.

Forwarding is claimed, not just read: `claim()` hands a forwarder the due head of each terminal's
queue (and the items right behind it) with a lease, so two relays never send the same item at once
and a crashed relay's claim simply runs out.
"""

from __future__ import annotations

import hashlib
import json
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .phrases import Phrase

T = TypeVar("T")
# Names a record that has none of its own, from its kind and body (None: it stays unnamed).
Namer = Callable[[str, dict[str, Any]], str | None]

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    uuid TEXT PRIMARY KEY,
    terminal TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    state TEXT NOT NULL CHECK (
        state IN ('queued', 'held', 'posted', 'failed', 'rejected', 'discarded')
    ),
    odoo_id BIGINT,
    error TEXT,
    retryable INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DOUBLE PRECISION NOT NULL,
    accepted_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    change_seq BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until DOUBLE PRECISION
);
CREATE INDEX IF NOT EXISTS items_queue ON items (state, terminal, seq);
CREATE INDEX IF NOT EXISTS items_changes ON items (terminal, change_seq);
CREATE INDEX IF NOT EXISTS items_updated ON items (updated_at);
-- A register's days, a few records a day among the sales: a terminal's latest ones are found
-- without reading its sales (see day_records).
CREATE INDEX IF NOT EXISTS items_days ON items (terminal, seq)
    WHERE kind IN ('session', 'cash_move');
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS terminals (
    name TEXT PRIMARY KEY,
    token_sha256 TEXT UNIQUE,
    created_at DOUBLE PRECISION NOT NULL,
    paired_at DOUBLE PRECISION,
    last_seen_at DOUBLE PRECISION
);
CREATE TABLE IF NOT EXISTS pairing_codes (
    code_sha256 TEXT PRIMARY KEY,
    terminal TEXT NOT NULL REFERENCES terminals (name),
    expires_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS catalog (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    active INTEGER NOT NULL,
    cursor BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS catalog_by_cursor ON catalog (cursor);
CREATE TABLE IF NOT EXISTS partners (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    active INTEGER NOT NULL,
    cursor BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS partners_by_cursor ON partners (cursor);
CREATE TABLE IF NOT EXISTS mirror (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bootstraps (
    config_hash TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    stored_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS order_lines (
    uuid TEXT PRIMARY KEY,
    order_uuid TEXT NOT NULL,
    odoo_id BIGINT NOT NULL
);
"""

STATE_FIELDS = "uuid, state, odoo_id, error, retryable, change_seq, odoo_name"
# Every state an item can be in. `held`: stored, not forwarded until the shop's configuration
# arrives (held_for "shop") or a manager approves it (held_for "manager"); `rejected`: a
# malformed record, kept with the reason, never forwarded, replaced when its terminal resends it.
STATES = ("queued", "held", "posted", "failed", "rejected", "discarded")
HELD_FOR_SHOP = "shop"
HELD_FOR_MANAGER = "manager"
ITEM_FIELDS = (
    "uuid, terminal, seq, kind, body, state, odoo_id, error, retryable, attempts, "
    "next_attempt_at, change_seq, in_doubt, sent_at"
)
# A claim still standing when an item is claimed again ran out: its forwarder died or stalled
# mid-call, so the item may be in Odoo (in doubt).
CLAIMED_FIELDS = ITEM_FIELDS.replace(
    ", in_doubt", ", CASE WHEN claimed_by IS NOT NULL THEN 1 ELSE in_doubt END"
)
# Columns added after the first journals were made; (table, column, type) for older files.
LATE_COLUMNS = (
    ("items", "claimed_by", "TEXT"),
    ("items", "claimed_until", "DOUBLE PRECISION"),
    ("items", "discarded_by", "TEXT"),
    ("items", "discarded_at", "DOUBLE PRECISION"),
    ("terminals", "revoked_at", "DOUBLE PRECISION"),
    ("items", "held_for", "TEXT"),
    ("items", "approved_by", "TEXT"),
    ("items", "in_doubt", "INTEGER"),
    # When the last call carrying the item to Odoo started, while it may still be running there
    # (Odoo finishes a request whose client is gone, up to its limit_time_real).
    ("items", "sent_at", "DOUBLE PRECISION"),
    # Odoo's name of a posted order ("Shop/0001"), what the cashier finds it by in Odoo.
    ("items", "odoo_name", "TEXT"),
    # A posted sale's loyalty points on the customer's card in Odoo: NULL (none to book),
    # 'due' (retried at next_attempt_at, the last reason in `error`) or 'booked'.
    ("items", "points", "TEXT"),
    # The terminal's clock less the relay's at its last contact, in seconds (+ when it is ahead):
    # a till whose clock is wrong stamps its sales with a wrong time.
    ("terminals", "clock_skew", "DOUBLE PRECISION"),
)
# Indexes on late columns, made once the columns exist: the posted sales whose points are due.
LATE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS items_points_due ON items (next_attempt_at) WHERE points = 'due'",
)
# `in_doubt` ASIDE: a dead relay's call carrying the item may still run in Odoo, so it waits
# until Odoo holds it or the call's time limit has passed; meanwhile it stands aside and does not
# hold up its terminal (what depends on it, a refund of it, waits when forwarded).
ASIDE = 2
# A terminal's queue in order; `pos` 1 is its head. An item is claimable only while nothing
# before it (itself included) waits for a retry or is held by a live claim. Items standing aside
# leave the lane until they are due. Parameters: now, now, now.
LANES = f"""
SELECT uuid, terminal, pos, next_attempt_at, claimed_until FROM (
    SELECT uuid, terminal, next_attempt_at, claimed_until,
        ROW_NUMBER() OVER lane AS pos,
        MAX(CASE WHEN next_attempt_at > ? OR claimed_until >= ? THEN 1 ELSE 0 END)
            OVER lane AS blocked
    FROM items WHERE state = 'queued'
        AND NOT (COALESCE(in_doubt, 0) = {ASIDE} AND next_attempt_at > ?)
    WINDOW lane AS (PARTITION BY terminal ORDER BY seq, accepted_at, uuid)
) lanes
"""
CHUNK = 500


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def config_version(document: dict[str, Any]) -> str:
    """What identifies a bootstrap's configuration: its catalog_version's last part (see
    `with_config_version`), or a hash of everything but the catalog cursor."""
    version = str(document.get("catalog_version") or "")
    if "-" in version:
        return version.rsplit("-", 1)[1]
    config = {key: value for key, value in document.items() if key != "catalog_version"}
    return hashlib.sha256(_dumps(config).encode("utf-8")).hexdigest()[:16]


def with_config_version(document: dict[str, Any]) -> dict[str, Any]:
    """The bootstrap with catalog_version "<catalog cursor>-<configuration hash>": orders carry
    it, so the relay knows which taxes and roundings a sale was made with."""
    cursor = str(document.get("catalog_version") or "0").split("-", 1)[0]
    plain = {key: value for key, value in document.items() if key != "catalog_version"}
    return {**document, "catalog_version": f"{cursor}-{config_version(plain)}"}


@dataclass(frozen=True)
class Incoming:
    """A record ready to be stored, in the state its checks gave it: queued (forwarded),
    held (with the reason in `error`, `held_for` saying what releases it) or rejected."""

    uuid: str
    terminal: str
    seq: int
    kind: str
    body: str
    body_sha256: str
    state: str = "queued"
    error: str | None = None
    held_for: str | None = None


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
    # An attempt ended without Odoo's answer (timeout, dropped connection, 5xx): Odoo may hold
    # the record. It is looked up by uuid before it is discarded or sent again.
    in_doubt: bool = False
    # When the last call carrying it to Odoo started (None: none may still be running there).
    sent_at: float | None = None

    def record(self) -> dict[str, Any]:
        return json.loads(self.body)


def state_of(row: sqlite3.Row | tuple[Any, ...]) -> dict[str, Any]:
    """What a terminal is told about one item: {uuid, status, odoo_id?, odoo_name?, error?,
    retryable?}; status is queued, held, posted, failed or rejected."""
    uuid, state, odoo_id, error, retryable, _seq, *rest = row
    odoo_name = rest[0] if rest else None
    if state == "discarded":  # terminals know failed items only: a discard is a final failure
        state, retryable = "failed", False
    answer: dict[str, Any] = {"uuid": uuid, "status": state}
    if odoo_id is not None:
        answer["odoo_id"] = odoo_id
    if odoo_name and state == "posted":
        answer["odoo_name"] = odoo_name
    if error:
        answer["error"] = error
    if retryable is not None and state != "posted":
        answer["retryable"] = bool(retryable)
    return answer


class JournalUnavailable(Exception):
    """The journal's database cannot be opened; the message says where and why."""


class _Pending:
    """One caller's share of a group commit: its work, and what came of it."""

    __slots__ = ("done", "error", "result", "work")

    def __init__(self, work: Callable[[Any], Any]) -> None:
        self.work = work
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = False


class Journal:
    """The relay's journal on SQLite: one connection, one writer at a time, one relay process.

    Subclasses (journal_postgres.PostgresJournal) swap the connection handling and the few dialect
    bits (`shared`, `LOCK_DUE`); every statement below serves both databases.
    """

    shared = False  # True when several relay processes may use the journal at once
    LOCK_DUE = ""  # appended to the claim's SELECT; PostgreSQL: FOR UPDATE SKIP LOCKED

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
        self._pending: list[_Pending] = []
        self._pending_lock = threading.Lock()
        self._readers: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._create_schema()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path}>"

    def _create_schema(self) -> None:
        with self._tx() as db:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            for table, column, kind in LATE_COLUMNS:
                if column not in self._columns(db, table):
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            for statement in LATE_INDEXES:
                db.execute(statement)
            self._upgrade_states(db)

    @staticmethod
    def _states_check(db: Any) -> str:
        """The text of the items table's definition, where its CHECK on `state` is."""
        row = db.execute("SELECT sql FROM sqlite_master WHERE name = 'items'").fetchone()
        return row[0] if row else ""

    @staticmethod
    def _columns(db: Any, table: str) -> set[str]:
        return {row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()}

    def close(self) -> None:
        with self._lock:
            self._db.close()
            while not self._readers.empty():
                self._readers.get_nowait().close()

    @contextmanager
    def _tx(self) -> Iterator[Any]:
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

    def _write(self, work: Callable[[Any], T]) -> T:
        """Run `work(db)` in a write transaction shared with whatever other threads queued
        meanwhile (group commit): one commit (one fsync, one hold of the counters row) for all
        of them, each in its own savepoint, so one caller's error undoes only its own work.
        Returns work's result or raises its error."""
        pending = _Pending(work)
        with self._pending_lock:
            self._pending.append(pending)
        with self._lock:
            if not pending.done:
                with self._pending_lock:
                    group, self._pending = self._pending, []
                self._commit(group)
        if pending.error is not None:
            raise pending.error
        return pending.result

    def _write_apart(self, work: Callable[[Any], T]) -> T:
        """Like `_write`, for work that locks item rows before (or without) the counters row:
        claims and releases. SQLite has one writer, so grouping is safe; PostgreSQL runs them in
        a transaction of their own, because mixing both lock orders in one group deadlocks."""
        return self._write(work)

    def _commit(self, group: list[_Pending]) -> None:
        try:
            with self._tx() as db:
                if len(group) == 1:  # alone: no savepoint needed
                    group[0].result = group[0].work(db)
                    return
                for pending in group:
                    db.execute("SAVEPOINT work")
                    try:
                        pending.result = pending.work(db)
                    except Exception as error:
                        db.execute("ROLLBACK TO SAVEPOINT work")
                        pending.error = error
                    db.execute("RELEASE SAVEPOINT work")
        except BaseException as error:  # nothing of the group was committed
            for pending in group:
                pending.error = pending.error or error
            if not isinstance(error, Exception):
                raise
        finally:
            for pending in group:
                pending.done = True

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """A query on a read connection of its own (WAL readers never wait for the writer)."""
        if self.path == ":memory:":
            with self._lock:
                return self._db.execute(sql, tuple(params)).fetchall()
        try:
            reader = self._readers.get_nowait()
        except queue.Empty:
            reader = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=10
            )
            reader.execute("PRAGMA busy_timeout=10000")
        try:
            return reader.execute(sql, tuple(params)).fetchall()
        finally:
            self._readers.put(reader)

    @staticmethod
    def _bump(db: Any, name: str, by: int = 1) -> int:
        """Advance a counter by `by` inside the caller's transaction; returns its new value.

        The counter's row stays locked until the transaction ends, so cursors become visible in
        the order they were handed out (a poller never skips a change committed late)."""
        return db.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value "
            "RETURNING value",
            (name, by),
        ).fetchone()[0]

    def _counter(self, name: str) -> int:
        rows = self._read("SELECT value FROM counters WHERE name = ?", (name,))
        return rows[0][0] if rows else 0

    def ping(self) -> bool:
        return self._read("SELECT 1")[0][0] == 1

    # -- items ------------------------------------------------------------------------------

    def accept(self, incoming: list[Incoming], now: float | None = None) -> list[str]:
        """Store records in ONE transaction, each in its own state; per record "accepted" (new,
        or replacing a rejected one), "duplicate" (same uuid, same body) or "conflict" (same
        uuid, another body: nothing stored). A record refused before is replaced by its resend,
        so a terminal can send a sale again once the cause is fixed."""
        now = time.time() if now is None else now
        return self._write(lambda db: self._accept(db, incoming, now))

    def _accept(self, db: Any, incoming: list[Incoming], now: float) -> list[str]:
        statuses: list[str] = []
        stored = self._stored(db, [r.uuid for r in incoming])
        known = {uuid: (sha, state) for uuid, sha, _, state in stored}
        fresh: list[tuple[int, Incoming]] = []
        again: list[Incoming] = []
        for record in incoming:
            sha, state = known.get(record.uuid, (None, None))
            if sha is not None and state != "rejected":
                statuses.append("duplicate" if sha == record.body_sha256 else "conflict")
                continue
            known[record.uuid] = (record.body_sha256, record.state)
            if state == "rejected":
                again.append((len(statuses), record))
            else:
                fresh.append((len(statuses), record))
            statuses.append("accepted")
        for slot, record in again:
            replaced = db.execute(
                "UPDATE items SET seq = ?, kind = ?, body = ?, body_sha256 = ?, state = ?, "
                "error = ?, held_for = ?, retryable = NULL, attempts = 0, next_attempt_at = ?, "
                "updated_at = ?, change_seq = ? WHERE uuid = ? AND terminal = ? "
                "AND state = 'rejected'",
                (
                    record.seq,
                    record.kind,
                    record.body,
                    record.body_sha256,
                    record.state,
                    record.error,
                    record.held_for,
                    now,
                    now,
                    self._bump(db, "change_seq"),
                    record.uuid,
                    record.terminal,
                ),
            ).rowcount
            if not replaced:  # another terminal's record under this uuid
                statuses[slot] = "conflict"
        if not fresh:
            return statuses
        first = self._bump(db, "change_seq", len(fresh)) - len(fresh) + 1
        db.executemany(
            "INSERT INTO items (uuid, terminal, seq, kind, body, body_sha256, state, error, "
            "held_for, attempts, next_attempt_at, accepted_at, updated_at, change_seq) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) "
            "ON CONFLICT (uuid) DO NOTHING",
            [
                (
                    *(r.uuid, r.terminal, r.seq, r.kind, r.body, r.body_sha256),
                    *(r.state, r.error, r.held_for, now, now, now, n),
                )
                for n, (_, r) in enumerate(fresh, first)
            ],
        )
        if self.shared:  # another relay may have stored one of these since our look-up
            mine = {r.uuid: n for n, (_, r) in enumerate(fresh, first)}
            for uuid, sha, change, _ in self._stored(db, list(mine)):
                if change != mine[uuid]:
                    slot, record = next((s, r) for s, r in fresh if r.uuid == uuid)
                    same = sha == record.body_sha256
                    statuses[slot] = "duplicate" if same else "conflict"
        return statuses

    @staticmethod
    def _stored(db: Any, uuids: list[str]) -> list[tuple[str, str, int, str]]:
        rows: list[tuple[str, str, int, str]] = []
        unique = list(dict.fromkeys(uuids))
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start : start + CHUNK]
            rows.extend(
                db.execute(
                    "SELECT uuid, body_sha256, change_seq, state FROM items "
                    f"WHERE uuid IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            )
        return rows

    def get(self, uuid: str) -> Item | None:
        rows = self._read(f"SELECT {ITEM_FIELDS} FROM items WHERE uuid = ?", (uuid,))
        return self._item(rows[0]) if rows else None

    @staticmethod
    def _item(row: tuple[Any, ...]) -> Item:
        values = list(row)
        values[8] = None if values[8] is None else bool(values[8])
        values[12] = bool(values[12])
        return Item(*values)

    def states(self, terminal: str, uuids: Iterable[str]) -> list[dict[str, Any]]:
        """Current states of this terminal's items among `uuids` (others' items stay hidden)."""
        wanted = list(dict.fromkeys(uuids))
        rows = self._read_in(
            f"SELECT {STATE_FIELDS} FROM items WHERE terminal = ? AND uuid IN ({{}})",
            wanted,
            (terminal,),
        )
        by_uuid = {row[0]: row for row in rows}
        return [state_of(by_uuid[u]) for u in wanted if u in by_uuid]

    def _read_in(
        self, sql: str, values: list[Any], before: tuple[Any, ...] = ()
    ) -> list[tuple[Any, ...]]:
        """`sql` whose `{}` is an IN list, read for `values` a chunk at a time (SQLite and
        PostgreSQL both cap a statement's parameters); `before` are the parameters ahead of it."""
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            rows.extend(self._read(sql.format(",".join("?" * len(chunk))), [*before, *chunk]))
        return rows

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

    def claim(
        self,
        owner: str,
        limit: int = 200,
        *,
        lease: float = 60.0,
        per_terminal: int = 50,
        now: float | None = None,
    ) -> list[Item]:
        """Take the due items a forwarder may send now, for `lease` seconds, in (terminal, seq)
        order: from each terminal's head, up to `per_terminal` items in a row, and only while
        nothing before them waits for a retry or is held by another forwarder."""
        now = time.time() if now is None else now
        # Finding the candidates reads the whole queue: done outside the write transaction so
        # terminals' syncs never wait for it. The transaction then re-checks each row (and, in
        # PostgreSQL, locks it) before claiming.
        lanes = self._read(
            LANES + " WHERE pos <= ? AND blocked = 0 ORDER BY terminal, pos LIMIT ?",
            (now, now, now, per_terminal, limit),
        )
        if not lanes:
            return []
        rows = self._write_apart(lambda db: self._claim(db, owner, lanes, lease, now))
        return [self._item(row) for row in rows]

    def _claim(
        self, db: Any, owner: str, lanes: list[tuple[Any, ...]], lease: float, now: float
    ) -> list[tuple[Any, ...]]:
        candidates = [row[0] for row in lanes]
        rows = db.execute(
            f"SELECT {CLAIMED_FIELDS} FROM items WHERE uuid IN "
            f"({','.join('?' * len(candidates))}) AND state = 'queued' "
            "AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) "
            "ORDER BY terminal, seq, accepted_at, uuid" + self.LOCK_DUE,
            [*candidates, now, now],
        ).fetchall()
        # Keep each terminal's unbroken run from its head: an item whose predecessor was
        # taken meanwhile (or skipped as locked) waits, or it could overtake it.
        got = {row[0]: row for row in rows}
        broken: set[str] = set()
        kept: list[tuple[Any, ...]] = []
        for uuid, terminal, *_ in lanes:
            if terminal in broken:
                continue
            if uuid not in got:
                broken.add(terminal)
                continue
            kept.append(got[uuid])
        for start in range(0, len(kept), CHUNK):
            chunk = [row[0] for row in kept[start : start + CHUNK]]
            db.execute(
                "UPDATE items SET claimed_by = ?, claimed_until = ?, "
                "in_doubt = CASE WHEN claimed_by IS NOT NULL THEN 1 ELSE in_doubt END "
                f"WHERE uuid IN ({','.join('?' * len(chunk))})",
                [owner, now + lease, *chunk],
            )
        return kept

    def release(self, owner: str, uuids: Iterable[str]) -> None:
        """Give back claimed items untouched (the item before them has to be retried first)."""
        wanted = list(uuids)
        if not wanted:
            return

        def work(db: Any) -> None:
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                db.execute(
                    "UPDATE items SET claimed_by = NULL, claimed_until = NULL "
                    f"WHERE claimed_by = ? AND uuid IN ({','.join('?' * len(chunk))})",
                    [owner, *chunk],
                )

        self._write_apart(work)

    def renew(self, owner: str, uuids: Iterable[str], until: float) -> int:
        """Extend `owner`'s claims on these items to `until` (a forwarder still working on
        them); items settled, released or taken by another forwarder meanwhile are left alone.
        Returns how many claims were extended."""
        wanted = list(uuids)

        def work(db: Any) -> int:
            renewed = 0
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                renewed += db.execute(
                    "UPDATE items SET claimed_until = ? "
                    f"WHERE claimed_by = ? AND uuid IN ({','.join('?' * len(chunk))})",
                    [until, owner, *chunk],
                ).rowcount
            return renewed

        return self._write_apart(work) if wanted else 0

    def mark_sent(
        self,
        owner: str,
        uuids: Iterable[str],
        lease: float,
        *,
        unclaimed: bool = False,
        now: float | None = None,
    ) -> list[str]:
        """Right before a call to Odoo: `sent_at` = now on the items it carries, and their claim
        renewed, but only on items `owner` still claims (`unclaimed`: or no one claims; those
        become its own). Returns the uuids so marked: only those may be sent."""
        now = time.time() if now is None else now
        wanted = list(dict.fromkeys(uuids))
        free = " OR claimed_by IS NULL" if unclaimed else ""

        def work(db: Any) -> list[str]:
            return [
                row[0]
                for row in db.execute(
                    "UPDATE items SET sent_at = ?, claimed_by = ?, claimed_until = ? "
                    f"WHERE state = 'queued' AND (claimed_by = ?{free}) "
                    f"AND uuid IN ({','.join('?' * len(wanted))}) RETURNING uuid",
                    [now, owner, now + lease, owner, *wanted],
                ).fetchall()
            ]

        return self._write_apart(work) if wanted else []

    def mark_call_ended(self, uuids: Iterable[str], *, in_doubt: bool, running: bool) -> None:
        """A call carrying these items ended without Odoo's answer. `in_doubt`: Odoo may have
        booked them; `running`: it may even still be running there (timed out, connection
        lost), so `sent_at` stays; else the call is over (Odoo answered) and `sent_at` goes."""
        wanted = list(uuids)
        sets = ", ".join(
            (["in_doubt = 1"] if in_doubt else []) + ([] if running else ["sent_at = NULL"])
        )
        if not wanted or not sets:
            return

        def work(db: Any) -> None:
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                db.execute(
                    f"UPDATE items SET {sets} WHERE uuid IN ({','.join('?' * len(chunk))})", chunk
                )

        self._write(work)

    def release_all(self) -> int:
        """Forget every claim; only for a journal no other relay uses (at the relay's start).
        What a crashed relay held may have reached Odoo: those items are in doubt."""
        return self._write_apart(
            lambda db: (
                db.execute(
                    "UPDATE items SET claimed_by = NULL, claimed_until = NULL, in_doubt = 1 "
                    "WHERE claimed_by IS NOT NULL"
                ).rowcount
            )
        )

    def next_due(self, now: float | None = None) -> float | None:
        """When the forwarder should look again: the soonest moment a terminal's head becomes
        due (its retry time, or the end of another forwarder's claim). None: nothing is queued."""
        now = time.time() if now is None else now
        rows = self._read(LANES + " WHERE pos = 1", (now, now, now))
        moments = [
            until if until is not None and until >= now and until > due else due
            for _, _, _, due, until in rows
        ]
        aside = self._read(
            "SELECT MIN(next_attempt_at) FROM items WHERE state = 'queued' "
            f"AND COALESCE(in_doubt, 0) = {ASIDE}"
        )[0][0]
        moments += [aside] if aside is not None else []
        return min(moments) if moments else None

    def next_attempt_at(self) -> float | None:
        rows = self._read("SELECT MIN(next_attempt_at) FROM items WHERE state = 'queued'")
        return rows[0][0]

    def _transition(self, uuid: str, sets: str, params: list[Any], where: str = "") -> bool:
        def work(db: Any) -> bool:
            change = self._bump(db, "change_seq")
            sql = (
                f"UPDATE items SET {sets}, updated_at = ?, change_seq = ?, "
                f"claimed_by = NULL, claimed_until = NULL WHERE uuid = ?{where}"
            )
            return db.execute(sql, [*params, time.time(), change, uuid]).rowcount == 1

        return self._write(work)

    def mark_posted(self, uuid: str, odoo_id: int, lines: dict[str, int] | None = None) -> None:
        self.mark_posted_many([(uuid, odoo_id, lines or {})])

    def mark_posted_many(
        self,
        posted: list[tuple[str, int, dict[str, int]]],
        names: dict[str, str] | None = None,
        *,
        points: Iterable[str] = (),
    ) -> None:
        """Items Odoo booked (one answer may book several), each with Odoo's id and the Odoo
        ids of its lines by line uuid (what a later refund names), in one transaction.
        `names`: Odoo's order names by uuid, when its answer gave them (the till shows them).
        `points`: the sales among them whose loyalty points are then due on the customer's
        card (in the same transaction, so a crash cannot post a sale and forget its points)."""
        if not posted:
            return

        def work(db: Any) -> None:
            now = time.time()
            lines = [
                (line, uuid, line_id) for uuid, _, ids in posted for line, line_id in ids.items()
            ]
            if lines:  # first: no lock is held yet that a terminal's sync waits for
                db.executemany(
                    "INSERT INTO order_lines (uuid, order_uuid, odoo_id) VALUES (?, ?, ?) "
                    "ON CONFLICT (uuid) DO NOTHING",
                    lines,
                )
            first = self._bump(db, "change_seq", len(posted)) - len(posted) + 1
            known = names or {}
            db.executemany(
                "UPDATE items SET state = 'posted', odoo_id = ?, odoo_name = ?, error = NULL, "
                "retryable = NULL, held_for = NULL, in_doubt = NULL, attempts = attempts + 1, "
                "updated_at = ?, change_seq = ?, claimed_by = NULL, claimed_until = NULL "
                "WHERE uuid = ?",
                [
                    (odoo_id, known.get(uuid), now, n, uuid)
                    for n, (uuid, odoo_id, _) in enumerate(posted, first)
                ],
            )
            due = [(now, uuid) for uuid in dict.fromkeys(points)]
            if due:  # an order found posted again (lost answer) keeps its points' state
                db.executemany(
                    "UPDATE items SET points = 'due', next_attempt_at = ?, sent_at = NULL "
                    "WHERE uuid = ? AND points IS NULL",
                    due,
                )

        self._write(work)

    # -- a posted sale's loyalty points -----------------------------------------------------

    def claim_points(
        self, owner: str, limit: int, *, lease: float, now: float | None = None
    ) -> list[Item]:
        """Posted sales whose points are due now, claimed for `owner` (as queued items are:
        another relay leaves them alone until the lease runs out). An item whose `sent_at` is
        set had a call that ended without Odoo's answer: look in Odoo before booking again."""
        now = time.time() if now is None else now

        def work(db: Any) -> list[Item]:
            rows = db.execute(
                f"SELECT {ITEM_FIELDS} FROM items WHERE points = 'due' AND next_attempt_at <= ? "
                "AND (claimed_until IS NULL OR claimed_until < ?) "
                "ORDER BY next_attempt_at, terminal, seq LIMIT ?" + self.LOCK_DUE,
                (now, now, limit),
            ).fetchall()
            for row in rows:
                db.execute(
                    "UPDATE items SET claimed_by = ?, claimed_until = ? WHERE uuid = ?",
                    (owner, now + lease, row[0]),
                )
            return [self._item(row) for row in rows]

        return self._write_apart(work)

    def points_sending(self, owner: str, uuid: str, lease: float) -> bool:
        """Right before the call that books a sale's points: its `sent_at`, only while `owner`
        still claims it (False: another relay took it over, nothing may be sent)."""
        now = time.time()

        def work(db: Any) -> bool:
            return (
                db.execute(
                    "UPDATE items SET sent_at = ?, claimed_until = ? WHERE uuid = ? "
                    "AND points = 'due' AND claimed_by = ?",
                    (now, now + lease, uuid, owner),
                ).rowcount
                == 1
            )

        return self._write_apart(work)

    def points_booked(self, uuid: str) -> None:
        """The sale's points are on the card in Odoo: never booked again."""
        self._transition(
            uuid, "points = 'booked', error = NULL, sent_at = NULL", [], " AND points = 'due'"
        )

    def points_retry(self, uuid: str, error: str, at: float, *, answered: bool) -> None:
        """Book the sale's points again at `at`; `error` says why (the terminal and `kasir
        queue` see it on the posted sale). `answered`: Odoo answered the last call (it booked
        nothing), else that call may have booked them and may still be running in Odoo."""
        sent = ", sent_at = NULL" if answered else ""
        self._transition(
            uuid,
            f"error = ?, next_attempt_at = ?, attempts = attempts + 1{sent}",
            [error, at],
            " AND points = 'due'",
        )

    def points_next_due(self) -> float | None:
        """The soonest moment a sale's points are due (None: none are)."""
        return self._read("SELECT MIN(next_attempt_at) FROM items WHERE points = 'due'")[0][0]

    def line_orders(self, line_uuids: Iterable[str]) -> dict[str, str]:
        """The posted sale each of these line uuids belongs to (line uuid -> order uuid)."""
        wanted = list(dict.fromkeys(line_uuids))
        return dict(
            self._read_in("SELECT uuid, order_uuid FROM order_lines WHERE uuid IN ({})", wanted)
        )

    def odoo_line_ids(self, line_uuids: Iterable[str]) -> dict[str, int]:
        """Odoo's pos.order.line ids of posted order lines, by the lines' uuids."""
        wanted = list(dict.fromkeys(line_uuids))
        return dict(
            self._read_in("SELECT uuid, odoo_id FROM order_lines WHERE uuid IN ({})", wanted)
        )

    def order_of_line(self, line_uuid: str) -> Item | None:
        """The journal's order holding a line with this uuid (posted or not), if any."""
        rows = self._read(
            f"SELECT {ITEM_FIELDS} FROM items WHERE kind = 'order' AND body LIKE ?",
            (f'%"uuid":"{line_uuid}"%',),
        )
        return self._item(rows[0]) if rows else None

    def unsettled_before(self, terminal: str, seq: int, limit: int = 3) -> list[Item]:
        """The terminal's items before `seq` that Odoo has not booked and no manager discarded,
        oldest first: a session closes only after every one of them."""
        rows = self._read(
            f"SELECT {ITEM_FIELDS} FROM items WHERE terminal = ? AND seq < ? "
            "AND state NOT IN ('posted', 'discarded') ORDER BY seq LIMIT ?",
            (terminal, seq, limit),
        )
        return [self._item(row) for row in rows]

    def session_records(self, odoo_id: int) -> list[Item]:
        """The session opens and closes Odoo booked into its session `odoo_id`, by terminal and
        seq: which terminals share it and which of them have closed."""
        rows = self._read(
            f"SELECT {ITEM_FIELDS} FROM items WHERE kind = 'session' AND state = 'posted' "
            "AND odoo_id = ? ORDER BY terminal, seq",
            (odoo_id,),
        )
        return [self._item(row) for row in rows]

    def find_orders(self, text: str, limit: int = 20) -> list[tuple[str, str, dict[str, Any]]]:
        """Orders of every terminal whose receipt number starts with `text` or whose Odoo name
        contains it (any case), newest first, neither rejected nor discarded (those sold
        nothing): (terminal, body, state as `state_of` tells it) each. What a till refunds
        another till's sale from; the receipt number is what the customer's receipt shows."""
        needle = text.lower()
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._read(
            f"SELECT terminal, body, {STATE_FIELDS} FROM items WHERE kind = 'order' "
            "AND state NOT IN ('rejected', 'discarded') "
            "AND (LOWER(body) LIKE ? ESCAPE '\\' "
            "OR LOWER(COALESCE(odoo_name, '')) LIKE ? ESCAPE '\\') "
            "ORDER BY accepted_at DESC, seq DESC LIMIT ?",
            (f'%"name":"{escaped}%', f"%{escaped}%", 2 * limit),
        )
        found = []
        for terminal, body, *state in rows:
            name = str(json.loads(body).get("name") or "").lower()
            # The body matched on some "name" (a customer's, say): the order's own, or Odoo's.
            if name.startswith(needle) or needle in str(state[6] or "").lower():
                found.append((terminal, body, state_of(tuple(state))))
        return found[:limit]

    def refunds_of(self, line_uuids: Iterable[str], limit: int = 500) -> list[str]:
        """Bodies of the orders, neither rejected nor discarded, that give back any of these
        sold lines (by refunded_line_uuid): what is left to refund of them."""
        wanted = list(dict.fromkeys(line_uuids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 50):
            chunk = wanted[start : start + 50]
            rows = self._read(
                f"SELECT uuid, body FROM items WHERE kind = 'order' "
                "AND state NOT IN ('rejected', 'discarded') "
                f"AND ({' OR '.join(['body LIKE ?'] * len(chunk))}) LIMIT ?",
                [*(f'%"refunded_line_uuid":"{line}"%' for line in chunk), limit],
            )
            found.update(rows)
        return list(found.values())[:limit]

    def held_for_shop(self, limit: int = 500) -> list[Item]:
        """Items stored while the relay had no shop to check them against, oldest first."""
        rows = self._read(
            f"SELECT {ITEM_FIELDS} FROM items WHERE state = 'held' AND held_for = ? "
            "ORDER BY accepted_at, terminal, seq LIMIT ?",
            (HELD_FOR_SHOP, limit),
        )
        return [self._item(row) for row in rows]

    def release_held(self, uuid: str, error: str | None = None) -> bool:
        """A held item checked again: queued when `error` is None, else held for the manager
        with that reason. Only an item still held for the shop moves."""
        if error is None:
            return self._transition(
                uuid,
                "state = 'queued', error = NULL, held_for = NULL, next_attempt_at = ?",
                [time.time()],
                f" AND state = 'held' AND held_for = '{HELD_FOR_SHOP}'",
            )
        return self._transition(
            uuid,
            "error = ?, held_for = ?",
            [error, HELD_FOR_MANAGER],
            f" AND state = 'held' AND held_for = '{HELD_FOR_SHOP}'",
        )

    def approve(self, uuid: str, by: str) -> str | None:
        """A manager approves a held sale: it is forwarded as it was sold. None when done."""
        if self._transition(
            uuid,
            "state = 'queued', error = NULL, held_for = NULL, next_attempt_at = ?, approved_by = ?",
            [time.time(), by],
            " AND state = 'held'",
        ):
            return None
        item = self.get(uuid)
        if item is None:
            return Phrase("no item {uuid}", uuid=uuid)
        return Phrase("{uuid} is {state}, not held", uuid=uuid, state=item.state)

    def mark_failed(
        self, uuid: str, error: str, *, odoo_id: int | None = None, retryable: bool = False
    ) -> None:
        self._transition(
            uuid,
            "state = 'failed', odoo_id = ?, error = ?, retryable = ?, attempts = attempts + 1",
            [odoo_id, error, int(retryable)],
        )

    def mark_retry(
        self, uuid: str, error: str, next_attempt_at: float, *, in_doubt: bool = False
    ) -> None:
        """Still queued after a transient failure; retried at `next_attempt_at`. `in_doubt`:
        the attempt may have reached Odoo (it stays so until Odoo is asked)."""
        self._transition(
            uuid,
            "error = ?, retryable = 1, attempts = attempts + 1, next_attempt_at = ?, "
            "in_doubt = CASE WHEN ? = 1 THEN 1 ELSE in_doubt END",
            [error, next_attempt_at, int(in_doubt)],
        )

    def set_aside(self, uuid: str, error: str, until: float) -> None:
        """An item in doubt whose last call may still run in Odoo: it waits until `until` (its
        claim given up) without holding up its terminal's queue, and without counting as an
        attempt (nothing was sent)."""
        self._transition(
            uuid,
            "error = ?, next_attempt_at = ?, in_doubt = ?",
            [error, until, ASIDE],
            " AND state = 'queued'",
        )

    def mark_in_doubt(self, uuids: Iterable[str]) -> None:
        """Items sent in a call whose outcome is unknown (Odoo may have booked them)."""
        wanted = list(uuids)

        def work(db: Any) -> None:
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                db.execute(
                    f"UPDATE items SET in_doubt = 1 WHERE uuid IN ({','.join('?' * len(chunk))})",
                    chunk,
                )

        if wanted:
            self._write(work)

    def clear_doubt(self, uuid: str) -> None:
        """Odoo was asked and does not hold the item."""
        self._write(
            lambda db: db.execute("UPDATE items SET in_doubt = NULL WHERE uuid = ?", (uuid,))
        )

    def requeue(self, uuid: str) -> bool:
        """Send a failed item again (a manager fixed the cause in Odoo)."""
        return self._transition(
            uuid,
            "state = 'queued', error = NULL, retryable = NULL, next_attempt_at = ?",
            [time.time()],
            " AND state = 'failed'",
        )

    def counts(self) -> dict[str, int]:
        rows = self._read("SELECT state, COUNT(*) FROM items GROUP BY state")
        counts = dict.fromkeys(STATES, 0)
        counts.update({state: n for state, n in rows})
        return counts

    def item_count(self) -> int:
        return self._read("SELECT COUNT(*) FROM items")[0][0]

    def orders_changed_since(self, moment: float) -> list[tuple[str, str]]:
        """(terminal, body) of every order not rejected whose row changed at or after `moment`
        (relay clock), in no order: what the shop's day is counted from.

        A row's updated_at only grows and is at least when the order was accepted, which is at
        most records.MAX_CLOCK_AHEAD before its created_at: with `moment` that much before a
        day's start, every order made that day is here, found through an index instead of
        reading every order ever sold."""
        return self._read(
            "SELECT terminal, body FROM items WHERE updated_at >= ? AND kind = 'order' "
            "AND state <> 'rejected'",
            (moment,),
        )

    def day_records(
        self, closed_before: float
    ) -> list[tuple[str, str, str, str | None, int | None]]:
        """(terminal, body, state, error, odoo_id) of each terminal's day records (session
        opens and closes, cash moves), not rejected, made after its last close accepted before
        `closed_before` (relay clock), in the terminal's order: every day that closed since,
        or is still open whenever it opened, and each one's cash moves.

        Read through a small index of the day records alone, per terminal from its newest
        back to that close, never through the terminal's sales."""
        days = "kind IN ('session', 'cash_move')"  # as the index says it, so it is used
        return self._read(
            # CROSS JOIN: SQLite goes terminal by terminal (PostgreSQL reads it as a plain join)
            "SELECT d.terminal, d.body, d.state, d.error, d.odoo_id "
            f"FROM terminals t CROSS JOIN items d WHERE d.terminal = t.name AND d.{days} "
            "AND d.state <> 'rejected' AND d.seq > COALESCE((SELECT c.seq FROM items c "
            f"WHERE c.terminal = t.name AND c.{days} AND c.state <> 'rejected' "
            "AND c.accepted_at < ? AND c.body LIKE ? ORDER BY c.seq DESC LIMIT 1), -1) "
            "ORDER BY t.name, d.seq",
            (closed_before, '%"op":"close"%'),
        )

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
        """Use a one-time code: the terminal gets this token (replacing an older one). The code
        is deleted and read in one statement, so two relays can never both use it."""
        now = time.time() if now is None else now
        with self._tx() as db:
            row = db.execute(
                "DELETE FROM pairing_codes WHERE code_sha256 = ? RETURNING terminal, expires_at",
                (code_sha256,),
            ).fetchone()
            db.execute("DELETE FROM pairing_codes WHERE expires_at < ?", (now,))
            if row is None or row[1] < now:
                return None
            db.execute(
                "UPDATE terminals SET token_sha256 = ?, paired_at = ? WHERE name = ?",
                (token_sha256, now, row[0]),
            )
            return row[0]

    def terminal_by_token(self, token_sha256: str) -> str | None:
        rows = self._read("SELECT name FROM terminals WHERE token_sha256 = ?", (token_sha256,))
        return rows[0][0] if rows else None

    def terminal_secret(self, name: str) -> str | None:
        """The sha256 of terminal `name`'s token, "" while it is not paired (revoked, or its
        code not used yet), None when there is no such terminal: what seals its recovery files
        (recovery.py)."""
        rows = self._read("SELECT token_sha256 FROM terminals WHERE name = ?", (name,))
        return (rows[0][0] or "") if rows else None

    # -- catalog mirror ---------------------------------------------------------------------

    def put_catalog(self, records: list[dict[str, Any]]) -> int:
        """Store catalog records; only those that changed get a new cursor. Returns that count."""
        return self._put_mirrored("catalog", records)

    def _put_mirrored(self, table: str, records: list[dict[str, Any]]) -> int:
        """Store records of a mirrored table (`catalog`, `partners`; each has a counter of the
        same name); only those that changed get a new cursor. Returns that count."""
        changed = 0
        with self._tx() as db:
            for record in records:
                body = _dumps(record)
                row = db.execute(
                    f"SELECT body FROM {table} WHERE id = ?", (record["id"],)
                ).fetchone()
                if row is not None and row[0] == body:
                    continue
                if row is None and not record.get("active", True):
                    continue  # never seen, already gone: nothing to tell the terminals
                cursor = self._bump(db, table)
                db.execute(
                    f"INSERT INTO {table} (id, body, active, cursor) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET body = excluded.body, "
                    "active = excluded.active, cursor = excluded.cursor",
                    (record["id"], body, int(bool(record.get("active", True))), cursor),
                )
                changed += 1
        return changed

    def catalog_page(self, since: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
        """Records changed after cursor `since`: (items, next cursor, more to fetch)."""
        return self._mirrored_page("catalog", since, limit)

    def _mirrored_page(
        self, table: str, since: int, limit: int
    ) -> tuple[list[dict[str, Any]], int, bool]:
        if since > self._counter(table):
            since = 0  # a cursor from another journal (the relay was reset): start over
        rows = self._read(
            f"SELECT body, cursor FROM {table} WHERE cursor > ? ORDER BY cursor LIMIT ?",
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

    def catalog_known_ids(self) -> set[int]:
        """Ids of every product the mirror ever stored, archived and deleted ones too."""
        return {row[0] for row in self._read("SELECT id FROM catalog")}

    def catalog_size(self) -> int:
        return self._read("SELECT COUNT(*) FROM catalog WHERE active = 1")[0][0]

    # -- customers mirror (res.partner) -----------------------------------------------------

    def put_partners(self, records: list[dict[str, Any]]) -> int:
        """Store customer records from Odoo; only changed ones get a new partners cursor."""
        return self._put_mirrored("partners", records)

    def partners_page(self, since: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
        """Customers changed after cursor `since`: (items, next cursor, more to fetch)."""
        return self._mirrored_page("partners", since, limit)

    def partners_cursor(self) -> int:
        return self._counter("partners")

    def partner_ids(self) -> set[int]:
        """Ids of the customers the terminals currently hold (active in the mirror)."""
        return {row[0] for row in self._read("SELECT id FROM partners WHERE active = 1")}

    def bootstrap_etag(self) -> str | None:
        """Just the bootstrap's ETag: a cheap look to see whether a cached copy is current."""
        rows = self._read("SELECT value FROM mirror WHERE key = 'bootstrap_etag'")
        return rows[0][0] if rows else None

    # -- bootstrap and mirror bookkeeping ---------------------------------------------------

    def put_bootstrap(self, document: dict[str, Any]) -> str:
        """Store the bootstrap document; returns its ETag (changes only when the content does).

        Every configuration served is kept by its hash (`config_version`), so an order made
        offline under an older one (a tax rate changed since) is checked against what the till
        sold with, not against today's taxes."""
        body = _dumps(document)
        etag = '"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32] + '"'
        with self._tx() as db:
            for key, value in (("bootstrap", body), ("bootstrap_etag", etag)):
                db.execute(
                    "INSERT INTO mirror (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )
            db.execute(
                "INSERT INTO bootstraps (config_hash, body, stored_at) VALUES (?, ?, ?) "
                "ON CONFLICT (config_hash) DO NOTHING",
                (config_version(document), body, time.time()),
            )
        return etag

    def bootstrap_of(self, version: str) -> str | None:
        """The bootstrap (JSON text) of a configuration served before, by its config_version."""
        rows = self._read("SELECT body FROM bootstraps WHERE config_hash = ?", (version,))
        return rows[0][0] if rows else None

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

    # -- operations: revoke, queue, retry, discard (the `kasir` commands and /admin) ---------

    def revoke_terminal(self, name: str, now: float | None = None) -> bool:
        """Forget the terminal's token at once (its next request gets 401); its accepted items
        stay and are forwarded. False when no such terminal. `terminal add` pairs it again."""
        now = time.time() if now is None else now
        with self._tx() as db:
            db.execute("DELETE FROM pairing_codes WHERE terminal = ?", (name,))
            return (
                db.execute(
                    "UPDATE terminals SET token_sha256 = NULL, revoked_at = ? WHERE name = ?",
                    (now, name),
                ).rowcount
                == 1
            )

    def touch_terminal(
        self, name: str, now: float | None = None, clock_skew: float | None = None
    ) -> None:
        """Note the terminal's last contact and, when it told its clock, how far that clock is
        from the relay's (callers throttle: this is a write)."""
        now = time.time() if now is None else now
        with self._tx() as db:
            db.execute(
                "UPDATE terminals SET last_seen_at = ?, clock_skew = COALESCE(?, clock_skew) "
                "WHERE name = ?",
                (now, clock_skew, name),
            )

    def last_seq(self, terminal: str) -> int:
        """The highest sequence number the relay holds from `terminal` (0: none): a tablet whose
        storage was cleared goes on after it instead of numbering its sales from 1 again. One
        index probe per state (items_queue leads with state), not a scan of the terminal's items."""
        probes = " UNION ALL ".join(
            "SELECT MAX(seq) AS seq FROM items WHERE state = ? AND terminal = ?" for _ in STATES
        )
        rows = self._read(
            f"SELECT MAX(seq) FROM ({probes}) probes",
            [value for state in STATES for value in (state, terminal)],
        )
        return int(rows[0][0] or 0)

    def terminal_overview(self) -> list[dict[str, Any]]:
        """Terminals as a manager sees them: paired, last contact, revoked, how far its clock
        was from the relay's then (clock_skew, seconds; None: never told), and how many of
        their items are queued, held, failed and rejected."""
        counted = ("queued", "held", "failed", "rejected")
        rows = self._read(
            "SELECT t.name, t.created_at, t.paired_at, t.last_seen_at, t.revoked_at, "
            "t.token_sha256 IS NOT NULL, t.clock_skew, "
            + ", ".join(
                f"(SELECT COUNT(*) FROM items i WHERE i.terminal = t.name AND i.state = '{state}')"
                for state in counted
            )
            + " FROM terminals t ORDER BY t.name"
        )
        return [
            {
                "name": name,
                "created_at": created,
                "paired_at": paired,
                "last_seen_at": seen,
                "revoked_at": revoked if not has_token else None,
                "paired": bool(has_token),
                "clock_skew": skew,
                **dict(zip(counted, counts, strict=True)),
            }
            for name, created, paired, seen, revoked, has_token, skew, *counts in rows
        ]

    def attention_items(
        self,
        limit: int = 500,
        states: tuple[str, ...] = ("failed", "held", "rejected", "queued"),
        *,
        terminal: str | None = None,
        namer: Namer | None = None,
    ) -> list[dict[str, Any]]:
        """Items a manager must see, oldest first: failed, held (with what releases them),
        rejected, and queued items that wait for something, each with its reason; then the
        queued items held up behind a waiting one of their terminal ("behind ..."). Each:
        uuid, state, terminal, seq, kind, name, reason, attempts, odoo_id, failed_at (last
        change), received_at (when the relay accepted it, its own clock) and created_at (the
        record's time by the terminal's clock, ISO-8601; None for a record without one).
        `terminal` keeps one terminal's items; `namer` names the records that carry
        no name of their own (a register's day), from their kind and record."""
        mine = " AND terminal = ?" if terminal is not None else ""
        rows = self._read(
            "SELECT uuid, state, terminal, seq, kind, body, error, attempts, odoo_id, updated_at, "
            f"accepted_at, COALESCE(in_doubt, 0) = {ASIDE} "
            f"FROM items WHERE state IN ({','.join('?' * len(states))}) "
            f"AND (state <> 'queued' OR error IS NOT NULL){mine} "
            "ORDER BY updated_at, terminal, seq LIMIT ?",
            (*states, *([terminal] if terminal is not None else []), limit),
        )
        items = [_attention(*row[:-1], namer=namer) for row in rows]
        aside = {row[0] for row in rows if row[-1]}  # they hold no one up
        heads: dict[str, dict[str, Any]] = {}
        for item in items:
            if (
                item["state"] == "queued"
                and item["uuid"] not in aside
                and (item["terminal"] not in heads or item["seq"] < heads[item["terminal"]]["seq"])
            ):
                heads[item["terminal"]] = item
        for head in heads.values():
            behind = self._read(
                "SELECT uuid, state, terminal, seq, kind, body, error, attempts, odoo_id, "
                "updated_at, accepted_at FROM items WHERE state = 'queued' AND error IS NULL "
                "AND terminal = ? "
                "AND seq > ? ORDER BY seq LIMIT ?",
                (head["terminal"], head["seq"], limit),
            )
            who = head["name"] or head["uuid"]
            items += [
                {
                    **_attention(*row, namer=namer),
                    "reason": f"behind {who}, which is {head['reason']}",
                }
                for row in behind
            ]
        return items

    def requeue_failed(self) -> list[str]:
        """Send every failed item again, same uuids (Odoo deduplicates on them)."""

        def work(db: Any) -> list[str]:
            uuids = [
                row[0]
                for row in db.execute(
                    "SELECT uuid FROM items WHERE state = 'failed' ORDER BY terminal, seq"
                ).fetchall()
            ]
            now = time.time()
            for uuid in uuids:  # one change cursor each, so pollers never skip one
                db.execute(
                    "UPDATE items SET state = 'queued', error = NULL, retryable = NULL, "
                    "next_attempt_at = ?, updated_at = ?, change_seq = ?, claimed_by = NULL, "
                    "claimed_until = NULL WHERE uuid = ? AND state = 'failed'",
                    (now, now, self._bump(db, "change_seq"), uuid),
                )
            return uuids

        return self._write(work)

    def discard(
        self,
        uuid: str,
        reason: str,
        by: str,
        now: float | None = None,
        *,
        odoo_checked: bool = False,
    ) -> str | None:
        """Give up on an item for good: state "discarded" with the reason, who and when; kept,
        never forwarded, shown to its terminal as failed. Only a failed, held or rejected item,
        or a queued one no forwarder holds right now, can be discarded; one whose last attempt
        may have reached Odoo (in doubt) only once Odoo was asked and does not have it
        (`odoo_checked`). Returns None when done, else why not."""
        now = time.time() if now is None else now
        error = f"discarded by the manager: {reason}"
        doubt = "" if odoo_checked else " AND in_doubt IS NULL"

        def update(db: Any) -> int:
            return db.execute(
                "UPDATE items SET state = 'discarded', error = ?, retryable = 0, "
                "discarded_by = ?, discarded_at = ?, updated_at = ?, change_seq = ? "
                "WHERE uuid = ? AND (state IN ('failed', 'held', 'rejected') OR (state = 'queued' "
                f"AND (claimed_until IS NULL OR claimed_until < ?))){doubt}",
                (error, by, now, now, self._bump(db, "change_seq"), uuid, now),
            ).rowcount

        def work(db: Any) -> str | None:
            if update(db):
                return None
            row = db.execute("SELECT state, in_doubt FROM items WHERE uuid = ?", (uuid,)).fetchone()
            if row is None:
                return Phrase("no item {uuid}", uuid=uuid)
            if row[1] and not odoo_checked and row[0] in ("queued", "failed"):
                return Phrase(
                    "{uuid}: its last attempt may have reached Odoo (no answer came back); Odoo "
                    "must be asked whether it holds it before it can be discarded",
                    uuid=uuid,
                )
            if row[0] == "queued":
                return Phrase(
                    "{uuid} is being sent to Odoo right now; try again in a moment", uuid=uuid
                )
            return Phrase(
                "{uuid} is {state}, not failed, held, rejected or queued", uuid=uuid, state=row[0]
            )

        return self._write(work)

    def _upgrade_states(self, db: Any) -> None:
        """Rebuild `items` under the current schema when its CHECK predates a state (journals
        made before "discarded", "held" or "rejected"), keeping every row: the same statements
        for SQLite and PostgreSQL, in the caller's transaction."""
        if all(f"'{state}'" in self._states_check(db) for state in STATES):
            return
        columns = [d[0] for d in db.execute("SELECT * FROM items LIMIT 0").description]
        create, *indexes = [
            s.strip()
            for s in SCHEMA.split(";")
            if "ON items" in s or "TABLE IF NOT EXISTS items " in s
        ]
        db.execute(create.replace("IF NOT EXISTS items ", "items_rebuilt ", 1))
        made = [d[0] for d in db.execute("SELECT * FROM items_rebuilt LIMIT 0").description]
        for table, column, kind in LATE_COLUMNS:
            if table == "items" and column not in made:
                db.execute(f"ALTER TABLE items_rebuilt ADD COLUMN {column} {kind}")
        names = ", ".join(columns)
        db.execute(f"INSERT INTO items_rebuilt ({names}) SELECT {names} FROM items")
        db.execute("DROP TABLE items")
        db.execute("ALTER TABLE items_rebuilt RENAME TO items")
        for statement in indexes:
            db.execute(statement)


def _attention(
    uuid: str,
    state: str,
    terminal: str,
    seq: int,
    kind: str,
    body: str,
    error: str | None,
    attempts: int,
    odoo_id: int | None,
    updated_at: float,
    accepted_at: float,
    *,
    namer: Namer | None = None,
) -> dict[str, Any]:
    """One row of `Journal.attention_items`, the record's name and time read from its body (or
    its name made by `namer`)."""
    try:
        record = json.loads(body)
        name = record.get("name")
        created = record.get("created_at")
        if name is None and namer is not None:
            name = namer(kind, record)
    except (ValueError, AttributeError):
        name = created = None
    return {
        "uuid": uuid,
        "state": state,
        "terminal": terminal,
        "seq": seq,
        "kind": kind,
        "name": name if isinstance(name, str) else None,
        "reason": error,
        "attempts": attempts,
        "odoo_id": odoo_id,
        "failed_at": updated_at,
        "received_at": accepted_at,
        "created_at": created if isinstance(created, str) else None,
    }


def open_journal(database: str | Path) -> Journal:
    """The journal for a setting: a postgresql:// URL, or else the path of a SQLite file."""
    text = str(database)
    if text.startswith(("postgresql://", "postgres://")):
        from .journal_postgres import PostgresJournal

        return PostgresJournal(text)
    return Journal(text)
