# SPDX-License-Identifier: MIT
"""One database interface over SQLite (sqlite3) and PostgreSQL (psycopg2), same schema.

SQL uses '?' placeholders in both dialects (rewritten to '%s' for psycopg2); rows come back as
dicts; ``transaction()`` nests (inner calls join the outer one); ``migrate()`` applies
``migrations/NNNN_*.sql`` in order and records each in ``schema_migrations``; ``next_id(table)``
hands out ids from a ``counters`` table so neither dialect's auto-increment is needed."""
from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
from typing import Iterator, Optional, Sequence

MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class Database:
    """A connection with the platform's helpers; one per process, serialised by a lock."""

    dialect = ""

    def __init__(self, conn) -> None:
        self._conn = conn
        self._depth = 0
        self._lock = threading.RLock()

    # ---- dialect hooks ----
    def _sql(self, sql: str) -> str:
        return sql

    def _cursor(self):
        return self._conn.cursor()

    # ---- interface ----
    def execute(self, sql: str, params: Sequence = ()):
        """Runs one statement; outside a transaction it commits at once."""
        with self._lock:
            cur = self._cursor()
            try:
                cur.execute(self._sql(sql), tuple(params))
            except Exception:
                if self._depth == 0:
                    self._conn.rollback()
                raise
            if self._depth == 0:
                self._conn.commit()
            return cur

    def execute_many(self, sql: str, rows) -> None:
        """Runs one statement for each parameter tuple (in the caller's transaction, if any)."""
        rows = [tuple(r) for r in rows]
        if not rows:
            return
        with self._lock:
            cur = self._cursor()
            try:
                cur.executemany(self._sql(sql), rows)
            except Exception:
                if self._depth == 0:
                    self._conn.rollback()
                raise
            if self._depth == 0:
                self._conn.commit()

    def query(self, sql: str, params: Sequence = ()) -> list:
        """Rows as dicts."""
        with self._lock:
            cur = self._cursor()
            try:
                cur.execute(self._sql(sql), tuple(params))
                names = [d[0] for d in cur.description or ()]
                rows = [dict(zip(names, r)) for r in cur.fetchall()]
            finally:
                if self._depth == 0:
                    self._conn.commit()  # ends PostgreSQL's implicit read transaction
            return rows

    def one(self, sql: str, params: Sequence = ()) -> Optional[dict]:
        """The first row as a dict, or None."""
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence = ()):
        """The first column of the first row, or None."""
        row = self.one(sql, params)
        return None if row is None else next(iter(row.values()))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing; a nested call joins the outer transaction."""
        with self._lock:
            self._depth += 1
            try:
                if self._depth == 1:
                    self._begin()
                yield
            except BaseException:
                if self._depth == 1:
                    self._conn.rollback()
                raise
            else:
                if self._depth == 1:
                    self._conn.commit()
            finally:
                self._depth -= 1

    def _begin(self) -> None:
        pass

    def next_id(self, table: str) -> int:
        """The next id of ``table`` (1, 2, ...), from the counters table, inside the caller's transaction."""
        with self.transaction():
            row = self.one("SELECT value FROM counters WHERE name = ?", (table,))
            if row is None:
                self.execute("INSERT INTO counters (name, value) VALUES (?, 1)", (table,))
                return 1
            value = int(row["value"]) + 1
            self.execute("UPDATE counters SET value = ? WHERE name = ?", (value, table))
            return value

    def applied(self) -> list:
        """Versions of the applied migrations."""
        return [r["version"] for r in self.query("SELECT version FROM schema_migrations ORDER BY version")]

    def migrate(self, directory: str = MIGRATIONS) -> list:
        """Applies the migrations not yet applied, each in its own transaction; returns their names."""
        self.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                     "applied_at BIGINT NOT NULL)")
        done = set(self.applied())
        ran = []
        for name in sorted(os.listdir(directory)):
            m = _NAME.match(name)
            if not m or int(m.group(1)) in done:
                continue
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                text = f.read()
            with self.transaction():
                for statement in _statements(text):
                    self.execute(statement)
                self.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                             (int(m.group(1)), name, _now()))
            ran.append(name)
        return ran

    def close(self) -> None:
        """Closes the connection."""
        self._conn.close()


def _now() -> int:
    import time
    return int(time.time())


def _statements(text: str) -> list:
    """The statements of a migration file (split on ';' at line ends; '--' comments dropped)."""
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().rstrip(";").strip()]


class SqliteDatabase(Database):
    """SQLite through the standard library; foreign keys on; one connection shared by threads."""

    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        if path != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
        super().__init__(_SqliteAutocommit(conn))

    def _begin(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")


class _SqliteAutocommit:
    """sqlite3 in autocommit mode with explicit BEGIN: commit/rollback only when a transaction is open."""

    def __init__(self, conn) -> None:
        self._c = conn

    def cursor(self):
        return self._c.cursor()

    def execute(self, sql):
        return self._c.execute(sql)

    def commit(self) -> None:
        if self._c.in_transaction:
            self._c.execute("COMMIT")

    def rollback(self) -> None:
        if self._c.in_transaction:
            self._c.execute("ROLLBACK")

    def close(self) -> None:
        self._c.close()


class PostgresDatabase(Database):
    """PostgreSQL through psycopg2; '?' placeholders become '%s'."""

    dialect = "postgresql"

    def __init__(self, dsn: str) -> None:
        import psycopg2  # Debian python3-psycopg2; imported only when PostgreSQL is used
        super().__init__(psycopg2.connect(dsn))

    def _sql(self, sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")


def open_database(url: str) -> Database:
    """``sqlite:///abs/path.db``, ``sqlite://:memory:`` or ``postgresql://...``."""
    if url.startswith("sqlite:///"):
        return SqliteDatabase(url[len("sqlite://"):])
    if url == "sqlite://:memory:":
        return SqliteDatabase(":memory:")
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(url)
    raise ValueError(f"unsupported database url {url!r} (sqlite:///path, sqlite://:memory: or postgresql://...)")
