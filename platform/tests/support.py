# SPDX-License-Identifier: MIT
"""Test support: a fresh platform over a temporary SQLite database, or over the PostgreSQL
instance named by PREPAY_PLATFORM_PG (a DSN; each test gets an empty schema)."""
from __future__ import annotations

import os
import shutil
import tempfile

from prepay_platform.platform import Platform
from prepay_platform.services import site, users

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TARIFF = os.path.join(ROOT, "examples", "tariffs", "zhejiang_residential_tou.json")
WATER = os.path.join(ROOT, "examples", "tariffs", "beijing_water_residential.json")


def database_url(tmp: str) -> str:
    dsn = os.environ.get("PREPAY_PLATFORM_PG")
    if not dsn:
        return "sqlite:///" + os.path.join(tmp, "platform.db")
    import psycopg2
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS public CASCADE")
        cur.execute("CREATE SCHEMA public")
    conn.close()
    return dsn


class Fixture:
    """A platform with one building, floor, two rooms, two tenants, an electricity and a water tariff."""

    def __init__(self, station=None) -> None:
        self.tmp = tempfile.mkdtemp(prefix="prepay_platform_")
        self.url = database_url(self.tmp)
        self.station = station
        self.p = Platform(self.url, os.path.join(self.tmp, "data"), station)
        db = self.p.db
        b = site.add_building(db, "A", "test")
        f = site.add_floor(db, b, "1F", "test")
        self.room1 = site.add_room(db, f, "101", "35.50", "test")
        self.room2 = site.add_room(db, f, "102", "20", "test")
        self.tenant1 = site.add_tenant(db, "Tenant One", "13800000001", "test")
        self.tenant2 = site.add_tenant(db, "Tenant Two", "", "test")
        with open(TARIFF, encoding="utf-8") as fh:
            self.tariff = site.add_tariff(self.p, "Zhejiang TOU", fh.read(), "test")
        with open(WATER, encoding="utf-8") as fh:
            self.water = site.add_tariff(self.p, "Beijing water", fh.read(), "test")
        self.passwords = {}
        for login, role, tenant in (("admin", "admin", None), ("op", "operator", None), ("fin", "finance", None),
                                    ("ro", "readonly", None), ("t1", "tenant", self.tenant1),
                                    ("t2", "tenant", self.tenant2)):
            self.passwords[login] = f"{login}-password-123"
            users.add_user(db, login, self.passwords[login], role, "test", tenant)

    def open_two(self):
        self.h1 = site.open_account(self.p, self.room1, self.tariff, [("000000000101", "electricity"),
                                                                      ("000000000901", "water")], "test",
                                    tenant_id=self.tenant1, water_tariff_id=self.water)
        self.h2 = site.open_account(self.p, self.room2, self.tariff, [("000000000102", "electricity")], "test",
                                    tenant_id=self.tenant2)
        return self.h1, self.h2

    def restart(self):
        self.p.close()
        self.p = Platform(self.url, os.path.join(self.tmp, "data"), self.station)
        return self.p

    def close(self):
        self.p.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class ApiClient:
    """Mixin for tests with ``self.app`` and ``self.f`` (a Fixture): signed-in JSON API clients."""

    def api(self, login):
        """A test client signed in as ``login`` through /api/login, its CSRF token in ``.token``."""
        c = self.app.test_client()
        r = c.post("/api/login", json={"login": login, "password": self.f.passwords[login]})
        self.assertEqual(r.status_code, 200, r.get_json())
        c.token = r.get_json()["csrf_token"]
        return c

    def post(self, c, url, body):
        """A JSON POST with the client's CSRF token."""
        return c.post(url, json=body, headers={"X-CSRF-Token": c.token})
