"""The journal on PostgreSQL, for several relay processes (on several machines) sharing one queue.

Same tables and same statements as the SQLite journal (journal.py); only the plumbing differs:
a small pool of connections instead of one locked connection, `?` placeholders turned into
psycopg's `%s`, and the claim's SELECT locking rows with FOR UPDATE SKIP LOCKED so two forwarders
never take the same item. Transactions run at READ COMMITTED; the counters row a write bumps stays
locked until its commit, so change cursors become visible in order across relays.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from .journal import LATE_COLUMNS, LATE_INDEXES, SCHEMA, Journal, JournalUnavailable, T

SCHEMA_LOCK = 0x6B61736972  # "kasir": one relay at a time creates the tables
PLACEHOLDER = re.compile(r"\?")


def _pg(sql: str) -> str:
    """The journal's `?` placeholders as psycopg's `%s` (its SQL holds no other ? nor %)."""
    return PLACEHOLDER.sub("%s", sql)


class _Session:
    """A connection seen through the sqlite3-like calls the journal's methods make."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._cursor = connection.cursor()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        return self._cursor.execute(_pg(sql), tuple(params) or None, prepare=False)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._cursor.executemany(_pg(sql), list(rows))


class _Pool:
    """A few autocommit connections, made as needed, handed to one thread at a time."""

    def __init__(self, url: str, size: int) -> None:
        self.url, self.size = url, size
        self._idle: queue.LifoQueue[psycopg.Connection[Any]] = queue.LifoQueue()
        self._made = 0
        self._lock = threading.Lock()
        self._all: list[psycopg.Connection[Any]] = []

    def _connect(self) -> psycopg.Connection[Any]:
        connection = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        with self._lock:
            self._all.append(connection)
        return connection

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        connection: psycopg.Connection[Any] | None = None
        try:
            connection = self._idle.get_nowait()
        except queue.Empty:
            with self._lock:
                grow = self._made < self.size
                self._made += grow
            if not grow:
                connection = self._idle.get(timeout=30)
            else:
                try:
                    connection = self._connect()
                except BaseException:
                    with self._lock:
                        self._made -= 1
                    raise
        try:
            yield connection
        finally:
            if connection.closed or connection.broken:  # PostgreSQL restarted: make a new one
                with self._lock:
                    self._made -= 1
                    if connection in self._all:
                        self._all.remove(connection)
            else:
                self._idle.put(connection)

    def close(self) -> None:
        with self._lock:
            connections, self._all = self._all, []
        for connection in connections:
            connection.close()


class PostgresJournal(Journal):
    """The relay's journal in PostgreSQL; thread-safe, and safe to share between relays."""

    shared = True
    LOCK_DUE = " FOR UPDATE SKIP LOCKED"

    def __init__(self, url: str, pool_size: int = 8) -> None:
        self.path = url
        self._pool = _Pool(url, pool_size)
        self._lock = threading.RLock()  # one group commit at a time (journal.Journal._write)
        self._pending = []
        self._pending_lock = threading.Lock()
        try:
            self._create_schema()
        except psycopg.OperationalError as error:
            self.close()
            raise JournalUnavailable(
                f"cannot open the PostgreSQL journal {self!r}: {str(error).strip()}"
            ) from None

    def __repr__(self) -> str:
        return f"<PostgresJournal {re.sub(r'//[^@/]*@', '//***@', self.path)}>"

    def _create_schema(self) -> None:
        with self._tx() as db:
            db.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            for table, column, kind in LATE_COLUMNS:
                db.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")
            for statement in LATE_INDEXES:
                db.execute(statement)
            self._upgrade_states(db)

    @staticmethod
    def _states_check(db: Any) -> str:
        rows = db.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'items'::regclass AND contype = 'c'"
        ).fetchall()
        return " ".join(row[0] for row in rows)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        with self._pool.connection() as connection, connection.transaction():
            yield _Session(connection)

    def _write_apart(self, work: Callable[[Any], T]) -> T:
        with self._tx() as db:
            return work(db)

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._pool.connection() as connection:
            return _Session(connection).execute(sql, tuple(params)).fetchall()
