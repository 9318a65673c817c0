#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Settles a month of a small building with prepay.settlement: a master meter over four accounts (a
tenant who pays, a tenant who never pays, a household with two meters, a postpaid shop), daily
readings, recharges, the relay commands the wallet decides, and the month-end close with the
common-area shares (master minus sub-meters, split by area) and the shop's statement. The books go
to a journal file; a second run over the same journal finds every transfer and changes nothing.

    PYTHONPATH=build/python/bindings/python python3 examples/python/settle_building.py [journal-file]
"""
import datetime
import os
import pathlib
import sys
import tempfile
from decimal import Decimal

import prepay
from prepay import settlement as st
from prepay.tariff import Tariff

ROOT = pathlib.Path(__file__).resolve().parents[2]
MONTH = datetime.date(2025, 1, 1)
NEXT = datetime.date(2025, 2, 1)
AFTER = datetime.date(2025, 3, 1)  # the end of the period the close opens
MASTER = 1
# account id: (kind, area m2, [meter ids], kWh per day while supplied)
ACCOUNTS = {
    101: (st.AccountKind.PREPAID_REMOTE, "60", [1011], 9),
    102: (st.AccountKind.PREPAID_REMOTE, "45", [1021], 7),           # never pays
    103: (st.AccountKind.PREPAID_REMOTE, "90", [1031, 1032], 6),     # one household, two meters, one wallet
    201: (st.AccountKind.POSTPAID, "120", [2011], 20),               # a shop, billed by statement
}
COMMON_KWH_PER_DAY = 5  # stairs, lifts, pumps: what the master meter sees beyond the sub-meters
RECHARGES = {101: [(1, "100.00"), (15, "100.00")], 103: [(1, "50.00"), (20, "80.00")]}


def build(tariff):
    site = st.Site([tariff], period_start=MONTH, period_end=NEXT, accounts=8, meters=8, groups=1, members=8,
                   postpaid=2, due_days=15)
    for account_id, (kind, area, meters, _) in ACCOUNTS.items():
        site.add_account(st.Account(account_id, kind=kind, area=area))
        for meter_id in meters:
            site.add_meter(st.Meter(meter_id, account_id=account_id))
    site.add_meter(st.Meter(MASTER))  # a site meter: billed to nobody, only allocated
    members = [m for _, _, meters, _ in ACCOUNTS.values() for m in meters]
    site.add_group(st.Group(1, master_meter_id=MASTER, members=members, method=st.Method.AREA))
    return site


def run(site, quiet=False):
    """Feeds the month; returns the events in order."""
    events = []
    registers = {m: 0 for _, _, meters, _ in ACCOUNTS.values() for m in meters}
    registers[MASTER] = 0
    for day in range(32):
        at = datetime.datetime.combine(MONTH, datetime.time()) + datetime.timedelta(days=day)
        for account_id, payments in RECHARGES.items():
            for pay_day, amount in payments:
                if pay_day == day + 1:
                    events += site.recharge(account_id, Decimal(amount), at=at + datetime.timedelta(hours=9),
                                            sequence=payments.index((pay_day, amount)) + 1).events
        if day > 0:  # consumption of the day before, while the relay was closed
            for account_id, (_, _, meters, kwh) in ACCOUNTS.items():
                if site.account(account_id).relay == prepay.WalletRelay.CLOSED:
                    for m in meters:
                        registers[m] += kwh * 1000 // len(meters)
                        registers[MASTER] += kwh * 1000 // len(meters)
            registers[MASTER] += COMMON_KWH_PER_DAY * 1000
        readings = [st.Reading(m, at, value) for m, value in registers.items()]
        events += site.settle(readings).events
    close = site.close_period(AFTER)
    events += close.events
    if not quiet:
        postpaid = {a for a, (kind, _, _, _) in ACCOUNTS.items() if kind == st.AccountKind.POSTPAID}
        for e in events:
            # a postpaid account's charges are owed (DEBT_CREATED each reading): its statement says it all
            if e.type != st.EventType.SHARE and (e.account_id not in postpaid or e.type == st.EventType.STATEMENT):
                print(e)
        for s in close.statements:
            print(f"statement {s.statement_id:#x} account {s.account_id}: opening {s.opening} charges {s.charges}"
                  f" payments {s.payments} closing {s.closing} due {s.due_date}")
    return events, close


def report(site, close):
    shares = {e.account_id: e.amount for e in close.of_type(st.EventType.SHARE)}
    print(f"{'account':>7} {'kind':<15} {'m2':>6} {'recharged':>10} {'energy':>8} {'share':>7} {'debt':>7}"
          f" {'balance':>8}  relay")
    for a in site.accounts():
        print(f"{a.id:>7} {a.kind.name:<15} {a.area:>6} {a.recharged:>10} {a.energy:>8} {shares.get(a.id, 0):>7}"
              f" {a.debt:>7} {a.balance:>8}  {a.relay.name}")
        # the wallet identity: balance = recharged - charges + debt still owed + emergency credit owed
        charges = a.energy + a.shares + a.items
        assert a.balance == a.recharged - charges + a.debt + a.emergency, a
    common = site.ledger_balance(0, st.SiteRole.COMMON_AREA)
    assert common == sum(shares.values())
    print(f"common-area charge {common} = sum of shares; electricity revenue"
          f" {site.ledger_balance(0, st.SiteRole.ELECTRICITY)}; identity ok")


def main():
    tmp = None
    if len(sys.argv) > 1:
        path = sys.argv[1]
    else:
        tmp = tempfile.TemporaryDirectory()
        path = os.path.join(tmp.name, "building.journal")
    tariff = Tariff.load(ROOT / "examples/tariffs/zhejiang_residential_tou.json")
    with build(tariff).open(journal=path) as site:
        events, close = run(site)
        site.verify()
        report(site, close)
        entries = len(site.ledger)
    # Again, as after a crash or a re-delivery: a new site over the recovered journal re-runs every input.
    with build(tariff).open(journal=path) as again:
        again_events, _ = run(again, quiet=True)
        again.verify()
        assert len(again.ledger) == entries
        assert [e.id for e in again_events] == [e.id for e in events]
    print(f"books verified; re-run over the journal: {entries} entries, same {len(events)} event ids, nothing doubled")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
