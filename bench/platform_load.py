# SPDX-License-Identifier: MIT
"""Load benchmark of the reference platform (docs/platform.md "Load"):

    PYTHONPATH=platform:<build>/bindings/python /usr/bin/python3 bench/platform_load.py \
        [--meters 1000] [--days 30] [--emu <build>/tools/prepay-emu/prepay-emu | --computed]

Builds a platform on a temporary SQLite database with N rooms (one household and one meter
each, the Zhejiang TOU tariff, 100.00 yuan each), then reads every meter hourly for D simulated
days in accelerated time, one settle batch per hour through the platform's ingestion
(Site.settle, events, usage rows, caches), recharging every room that was cut off.

Two sources of readings:

- emulated (the default; needs prepay-emu: --emu, $PREPAY_EMU or <build>/tools/prepay-emu next to
  the bindings on PYTHONPATH): prepay-emu serves the N meters on one DL/T 645 bus on 127.0.0.1 in
  sync mode; each simulated hour the station broadcasts a time sync (the emulator simulates every
  meter's load up to it), reads every meter through the platform's field Station (read_many:
  energy, relay state, balance) and the readings are ingested; the Site's relay commands go back
  through the Station (a cut-off trips the emulated relay, a recharge closes it);
- computed (--computed): the readings are computed here (no emulator, no link).

It checks what the demo checks: the Site verifies against its ledger; every account's
wallet = recharges - charges + debt created - debt repaid (the library's check); the platform's
cached balances equal the Site's; the ledger's energy deductions equal the accounts' charges;
the usage rows add up to the meters' registers. Emulated, also: every meter's register read
at the end equals the reading the Site settled for it, and every emulated relay is in the state
of its account (open exactly when the Site has the account cut off). Then it times what it names:

- reads (emulated): wall seconds to read N meters over the link per hour (3 DL/T 645 exchanges
  a meter), as meters read per second; the first reply after the hour's broadcast time sync
  waits for the emulator to simulate every meter's hour, so that is included;
- ingest: wall seconds per hourly batch of N readings (median, 95th percentile);
- rooms page: GET /rooms rendered for an operator (median and 95th percentile of 20 requests);
- restart: rebuilding the Site from the description and re-running every recorded input.

Figures depend on the machine and its load: run on a quiet machine and quote the command."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from prepay import WalletRelay
from prepay_platform.app import create_app
from prepay_platform.platform import Platform
from prepay_platform.services import readings, recharge, reports, site, users
from prepay_platform.services.money import fen

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
T0 = 1793462400  # 2026-11-01 00:00 +08:00
ZONE = dt.timezone(dt.timedelta(hours=8))   # the meters' civil time (the emulator's "start")
START_BUDGET = 120.0  # seconds for prepay-emu to load N meters on a busy machine


def watts_of(i: int) -> int:
    """The constant load of room i (0-based), the same in both modes."""
    return 100 + ((i + 1) * 37) % 900


def find_emu(given):
    if given:
        return given
    if os.environ.get("PREPAY_EMU"):
        return os.environ["PREPAY_EMU"]
    for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        cand = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(entry))) if entry else "",
                            "tools", "prepay-emu", "prepay-emu")
        if entry and os.access(cand, os.X_OK):
            return cand
    return shutil.which("prepay-emu")


class Emulator:
    """prepay-emu serving N meters on one loopback bus (sync clock: time moves with the syncs)."""

    def __init__(self, exe: str, tmp: str, n: int) -> None:
        site = {"format": "prepay-site/1", "name": f"platform load benchmark: {n} meters",
                "start": "2026-11-01 00:00",
                "tariff": os.path.join(ROOT, "examples", "tariffs", "zhejiang_residential_tou.json"),
                "defaults": {"mode": "remote", "alarm1": "20.00", "alarm2": "10.00"},
                "meters": [{"address": f"{i + 1:012d}", "load": {"watts": watts_of(i)}} for i in range(n)]}
        path = os.path.join(tmp, "site.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(site, f)
        ready = os.path.join(tmp, "emu.ready")
        self.log = open(os.path.join(tmp, "emu.log"), "w")
        self.process = subprocess.Popen([exe, path, "--bus-port", "0", "--ready-file", ready, "--exit-with-parent"],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_BUDGET
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("prepay-emu exited: " + open(self.log.name).read())
            if os.path.exists(ready):
                text = open(ready).read()
                if text.endswith("\n") and "bus_port=" in text:
                    self.port = int(text.split("bus_port=")[1].split()[0])
                    return
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("prepay-emu did not become ready: " + open(self.log.name).read())
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=START_BUDGET)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--meters", type=int, default=1000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--emu", help="prepay-emu executable (default: $PREPAY_EMU, the build's, PATH)")
    ap.add_argument("--computed", action="store_true", help="compute the readings here (no emulator)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="prepay_platform_bench_")
    emu = station = None
    now = [T0]  # the simulated time: the station's clock
    try:
        if not args.computed:
            exe = find_emu(args.emu)
            if not exe or not os.access(exe, os.X_OK):
                ap.error(f"prepay-emu not found ({exe or 'none'}): give --emu, set PREPAY_EMU, or use --computed")
            from prepay_platform.field.station import Endpoint, Station
            t = time.perf_counter()
            emu = Emulator(exe, tmp, args.meters)
            print(f"emulator: {args.meters} meters on 127.0.0.1:{emu.port} ready in {time.perf_counter() - t:.1f} s")
            # Meter ids are assigned 1..N in order below, addresses as the site file's.
            station = Station([Endpoint(i + 1, f"{i + 1:012d}", port=emu.port) for i in range(args.meters)],
                              timeout=5.0, retries=2, clock=lambda: now[0], zone=ZONE)
        p = Platform("sqlite:///" + os.path.join(tmp, "p.db"), os.path.join(tmp, "data"), station)
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
        assert meters == list(range(1, args.meters + 1)), "meter ids are not 1..N (the endpoints assume it)"
        register = {m: 0 for m in meters}
        owner = {r["id"]: r["household_id"] for r in p.db.query("SELECT id, household_id FROM meters")}
        meter_of = {h: m for m, h in owner.items()}
        watts = {m: watts_of(m - 1) for m in meters}
        checked = 0
        times, recharges, reads = [], 0, []
        for hour in range(args.days * 24 + 1):
            at = T0 + hour * 3600
            now[0] = at
            if station is None:
                if hour:
                    for m in meters:
                        if not p.money.account(owner[m]).relay:  # no energy flows while the relay is open
                            register[m] += watts[m]
                batch = [{"meter_id": m, "at": at, "value": register[m]} for m in meters]
            else:
                # one bus: the broadcast reaches all; no reply: the emulator simulates the hour before its next reply
                station.sync_time(dt.datetime.fromtimestamp(at, ZONE), meters[:1])
                t = time.perf_counter()
                batch = station.read_many(meters)
                reads.append(time.perf_counter() - t)
                bad = [r for r in batch if not r.ok]
                assert not bad, f"hour {hour}: {len(bad)} reads failed, first: {bad[0].meter_id} {bad[0].error}"
                for r in batch:
                    register[r.meter_id] = r.energy_wh
            t = time.perf_counter()
            out = readings.ingest(p, batch, "bench")
            times.append(time.perf_counter() - t)
            if "CUTOFF" in out["events"]:
                for row in p.db.query("SELECT household_id FROM balances WHERE relay_open = 1"):
                    hid = row["household_id"]
                    if station is not None:  # the cut-off tripped the emulated relay...
                        assert station.read(meter_of[hid]).relay_closed is False, f"meter {meter_of[hid]} not tripped"
                    recharge.recharge(p, hid, "100.00", f"cut-{at}", "bench")
                    recharges += 1
                    if station is not None:  # ...and the recharge closed it again
                        assert station.read(meter_of[hid]).relay_closed is True, f"meter {meter_of[hid]} not closed"
                        checked += 2
        if reads:
            per = [args.meters / x for x in reads]
            print(f"reads over the link (emulated): {len(reads)} hours x {args.meters} meters (3 exchanges each), "
                  f"one bus: per hour median {statistics.median(reads) * 1000:.0f} ms, p95 {pct(reads, 0.95) * 1000:.0f} ms"
                  f" = median {statistics.median(per):.0f} meters/s; total {sum(reads):.1f} s "
                  f"(first read after each time sync includes the emulator simulating {args.meters} meters one hour)")
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
        if station is not None:
            final = station.read_many(meters)
            assert all(r.ok for r in final), "final read failed"
            bad = [r.meter_id for r in final if r.energy_wh != s.meter(r.meter_id).reading]
            assert not bad, f"emulated registers differ from the Site's settled readings: {bad[:5]}"
            bad = [r.meter_id for r in final
                   if r.relay_closed != (s.account(owner[r.meter_id]).relay != WalletRelay.OPEN)]
            assert not bad, f"emulated relays differ from the accounts' state: {bad[:5]}"
            opened = sum(1 for r in final if not r.relay_closed)
            sent = {(row["action"], row["ok"]): row["n"] for row in
                    p.db.query("SELECT action, ok, COUNT(*) AS n FROM relay_commands GROUP BY action, ok")}
            assert not any(not ok for _, ok in sent), f"relay commands failed through the station: {sent}"
            print(f"relay commands through the station: {sent.get(('trip', 1), 0)} trips, "
                  f"{sent.get(('close', 1), 0)} closes; {checked} relay states read back from the emulated meters "
                  f"after a cut-off (open) and after its recharge (closed)")
            print(f"emulated meters: {len(final)} registers == Site's settled readings; "
                  f"{len(final)} relays == account state ({opened} open)")
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
        if station is not None:
            station.close()
        if emu is not None:
            emu.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
