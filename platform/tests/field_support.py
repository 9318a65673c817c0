# SPDX-License-Identifier: MIT
"""Support of the field and channel tests: a database (the platform's own when present, else a
minimal SQLite shim of the spec's Database interface), prepay-emu on a loopback port, local paths.

Every wait is bounded by a generous budget and ends as soon as the awaited event happens, so the
tests do not depend on the machine's speed (a slow machine only makes them slower).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
MIGRATIONS = os.path.join(HERE, "..", "prepay_platform", "migrations")
START_BUDGET = 60.0


def build_dir() -> str:
    """The build directory holding the prepay package (PREPAY_BUILD, else the PYTHONPATH entry)."""
    if os.environ.get("PREPAY_BUILD"):
        return os.environ["PREPAY_BUILD"]
    for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        if entry.rstrip("/").endswith(os.path.join("bindings", "python")):
            return os.path.dirname(os.path.dirname(os.path.abspath(entry)))
    return os.path.join(ROOT, "build", "rel")


def tool(name: str) -> str:
    """``prepay`` or ``prepay-emu`` of the build (PREPAY_TOOL / PREPAY_EMU override)."""
    env = {"prepay": "PREPAY_TOOL", "prepay-emu": "PREPAY_EMU"}[name]
    if os.environ.get(env):
        return os.environ[env]
    sub = {"prepay": os.path.join("tools", "prepay", "prepay"),
           "prepay-emu": os.path.join("tools", "prepay-emu", "prepay-emu")}[name]
    path = os.path.join(build_dir(), sub)
    return path if os.path.exists(path) else (shutil.which(name) or path)


class ShimDatabase:
    """The spec's Database interface over sqlite3 (used until the platform's db.py is present)."""

    dialect = "sqlite"

    def __init__(self, path: str = ":memory:") -> None:
        self._c = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._depth = 0
        self._lock = threading.RLock()
        self._c.execute("CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)")

    def execute(self, sql, params=()):
        with self._lock:
            return self._c.execute(sql, tuple(params))

    def query(self, sql, params=()):
        with self._lock:
            cur = self._c.execute(sql, tuple(params))
            names = [d[0] for d in cur.description or ()]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    def one(self, sql, params=()):
        rows = self.query(sql, params)
        return rows[0] if rows else None

    @contextlib.contextmanager
    def transaction(self):
        with self._lock:
            self._depth += 1
            try:
                if self._depth == 1:
                    self._c.execute("BEGIN IMMEDIATE")
                yield
            except BaseException:
                if self._depth == 1:
                    self._c.execute("ROLLBACK")
                raise
            else:
                if self._depth == 1:
                    self._c.execute("COMMIT")
            finally:
                self._depth -= 1

    def next_id(self, table):
        with self.transaction():
            row = self.one("SELECT value FROM counters WHERE name = ?", (table,))
            value = 1 if row is None else int(row["value"]) + 1
            if row is None:
                self.execute("INSERT INTO counters (name, value) VALUES (?, ?)", (table, value))
            else:
                self.execute("UPDATE counters SET value = ? WHERE name = ?", (value, table))
            return value

    def migrate(self):
        self.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                     "applied_at BIGINT NOT NULL)")
        done = {r["version"] for r in self.query("SELECT version FROM schema_migrations")}
        for name in sorted(os.listdir(MIGRATIONS)):
            if not name.endswith(".sql") or int(name[:4]) in done:
                continue
            with open(os.path.join(MIGRATIONS, name), encoding="utf-8") as f:
                lines = [ln for ln in f.read().splitlines() if not ln.strip().startswith("--")]
            with self.transaction():
                for statement in "\n".join(lines).split(";\n"):
                    if statement.strip().rstrip(";").strip():
                        self.execute(statement)
                self.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (int(name[:4]), name, int(time.time())))

    def close(self):
        self._c.close()


def open_db(path: str):
    """The platform's database when its db.py is there (so these tests run on it), else the shim.
    With PREPAY_PLATFORM_PG (a DSN, as the platform's own tests) the schema is emptied and used."""
    try:
        from prepay_platform.db import open_database
    except ImportError:
        db = ShimDatabase(path)
    else:
        dsn = os.environ.get("PREPAY_PLATFORM_PG")
        if dsn:
            import psycopg2
            conn = psycopg2.connect(dsn)
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("DROP SCHEMA IF EXISTS public CASCADE")
                cur.execute("CREATE SCHEMA public")
            conn.close()
            db = open_database(dsn)
        else:
            db = open_database("sqlite:///" + os.path.abspath(path))
    db.migrate()
    return db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    """prepay-emu serving a site on a loopback bus port; stop() ends it."""

    def __init__(self, site: str, *options: str, port: int = 0) -> None:
        self.dir = tempfile.mkdtemp(prefix="prepay-platform-emu-")
        ready = os.path.join(self.dir, "ready")
        self.log = open(os.path.join(self.dir, "emu.log"), "w")
        self.process = subprocess.Popen([tool("prepay-emu"), site, "--bus-port", str(port), "--ready-file", ready,
                                         "--exit-with-parent", *options], stdout=self.log, stderr=subprocess.STDOUT)
        self.port = 0
        deadline = time.monotonic() + START_BUDGET
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                text = self.output()
                self.stop()
                raise RuntimeError("prepay-emu exited: " + text)
            if os.path.exists(ready):
                with open(ready) as f:
                    text = f.read()
                if text.endswith("\n") and "bus_port=" in text:
                    self.port = int(text.split("bus_port=")[1].split()[0])
                    return
            time.sleep(0.02)
        text = self.output()
        self.stop()
        raise RuntimeError("prepay-emu did not become ready: " + text)

    def output(self) -> str:
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=START_BUDGET)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.log.closed:
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
