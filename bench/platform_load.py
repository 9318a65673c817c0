# SPDX-License-Identifier: MIT
"""Load benchmark of the reference platform (docs/platform.md "Load"):

    PYTHONPATH=platform:<build>/bindings/python /usr/bin/python3 bench/platform_load.py [--meters 1000] [--days 30]

Builds a platform on a temporary SQLite database with N rooms (one household and one meter
each, the Zhejiang TOU tariff, 100.00 yuan each), then reads every meter hourly for D simulated
days in accelerated time (readings computed here, one settle batch per hour through the
platform's ingestion: Site.settle, events, usage rows, caches), recharging every room that was
cut off. It checks what the demo checks: the Site verifies against its ledger; every account's
wallet = recharges - charges + debt created - debt repaid (the library's check); the platform's
cached balances equal the Site's; the ledger's energy deductions equal the accounts' charges;
the usage rows add up to the meters' registers. Then it times what it names:

- ingest: wall seconds per hourly batch of N readings (median, 95th percentile);
- rooms page: GET /rooms rendered for an operator (median and 95th percentile of 20 requests);
- restart: rebuilding the Site from the description and re-running every recorded input.

Figures depend on the machine and its load: run on a quiet machine and quote the command."""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

from prepay_platform.app import create_app
from prepay_platform.platform import Platform
from prepay_platform.services import readings, recharge, reports, site, users
from prepay_platform.services.money import fen

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
T0 = 1793462400  # 2026-11-01 00:00 +08:00


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--meters", type=int, default=1000)
    ap.add_argument("--days", type=int, default=30)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="prepay_platform_bench_")
    try:
        p = Platform("sqlite:///" + os.path.join(tmp, "p.db"), os.path.join(tmp, "data"))
        with open(os.path.join(ROOT, "examples", "tariffs", "zhejiang_residential_tou.json"), encoding="utf-8") as f:
            tariff = site.add_tariff(p, "Zhejiang TOU", f.read(), "bench")
        b = site.add_building(p.db, "Bench", "bench")
        floors = [site.add_floor(p.db, b, f"{i + 1}F", "bench") for i in range((args.meters + 49) // 50)]
        t = time.perf_counter()
        # Rooms straight into the description and one Site rebuild (open_account rebuilds per account).
        with p.db.transaction():
            for i in range(args.meters):
                room = site.add_room(p.db, floors[i // 50], f"{i + 1:04d}", "30", "bench")
                hid = p.db.next_id("households")
                p.db.execute("INSERT INTO households (id, room_id, tariff_id, alarm1_fen, alarm2_fen, opened_at, "
                             "opened_by) VALUES (?, ?, ?, 2000, 1000, ?, 'bench')", (hid, room, tariff, T0))
                p.db.execute("INSERT INTO meters (id, household_id, commodity, address) VALUES (?, ?, 'electricity', ?)",
                             (p.db.next_id("meters"), hid, f"{i + 1:012d}"))
        p.money.rebuild()
        households = [h["id"] for h in p.db.query("SELECT id FROM households ORDER BY id")]
        meters = [m["id"] for m in p.db.query("SELECT id FROM meters ORDER BY id")]
        for hid in households:
            recharge.recharge(p, hid, "100.00", "opening", "bench")
        print(f"setup: {args.meters} rooms in {time.perf_counter() - t:.1f} s")
        register = {m: 0 for m in meters}
        owner = {r["id"]: r["household_id"] for r in p.db.query("SELECT id, household_id FROM meters")}
        watts = {m: 100 + (m * 37) % 900 for m in meters}
        times, recharges = [], 0
        for hour in range(args.days * 24 + 1):
            at = T0 + hour * 3600
            if hour:
                for m in meters:
                    if not p.money.account(owner[m]).relay:  # no energy flows while the relay is open
                        register[m] += watts[m]
            t = time.perf_counter()
            out = readings.ingest(p, [{"meter_id": m, "at": at, "value": register[m]} for m in meters], "bench")
            times.append(time.perf_counter() - t)
            if "CUTOFF" in out["events"]:
                for row in p.db.query("SELECT household_id FROM balances WHERE relay_open = 1"):
                    recharge.recharge(p, row["household_id"], "100.00", f"cut-{at}", "bench")
                    recharges += 1
        print(f"ingest: {len(times)} hourly batches of {len(meters)} readings: median {statistics.median(times) * 1000:.0f} ms,"
              f" p95 {pct(times, 0.95) * 1000:.0f} ms, total {sum(times):.1f} s; {recharges} recharges after cut-offs")
        # ---- cross-checks ----
        p.money.verify()
        s = p.money.site
        cache = {r["household_id"]: r["balance_fen"] for r in p.db.query("SELECT household_id, balance_fen FROM balances")}
        bad = [h for h in households if cache.get(h) != fen(s.account(h).balance)]
        assert not bad, f"cached balances differ from the Site: {bad[:5]}"
        charged = sum(fen(s.account(h).energy) for h in households)
        income = reports.income(p, "year")
        assert sum(r["energy"] for r in income) == charged, "ledger energy deductions != accounts' charges"
        recharged = sum(fen(s.account(h).recharged) for h in households)
        assert sum(r["recharge"] for r in income) == recharged, "ledger recharges != accounts' recharges"
        used = p.db.scalar("SELECT SUM(delta) FROM usage")
        assert used == sum(register.values()), "usage rows != registers"
        print(f"cross-checks hold: Site == ledger; caches == Site; energy {charged / 100:.2f} yuan charged; "
              f"{recharged / 100:.2f} yuan recharged; {used / 1000:.1f} kWh")
        # ---- the rooms page ----
        password = "bench-password-1"
        users.add_user(p.db, "bench", password, "operator", "bench")
        app = create_app({"platform": p, "secret_key": "bench"})
        c = app.test_client()
        c.post("/api/login", json={"login": "bench", "password": password})
        page = []
        for _ in range(20):
            t = time.perf_counter()
            r = c.get("/rooms")
            page.append(time.perf_counter() - t)
            assert r.status_code == 200
        print(f"rooms page ({args.meters} rooms, {len(r.data) // 1024} KiB): median {statistics.median(page) * 1000:.0f} ms,"
              f" p95 {pct(page, 0.95) * 1000:.0f} ms")
        # ---- restart ----
        t = time.perf_counter()
        p.money.rebuild()
        print(f"restart: Site rebuilt and {p.db.scalar('SELECT COUNT(*) FROM site_inputs')} inputs re-run in "
              f"{time.perf_counter() - t:.1f} s")
        p.money.verify()
        p.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
