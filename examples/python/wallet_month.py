#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs a prepaid wallet through a month: a ledger (with a file journal), daily priced consumption
deducted from the wallet, the wallet policy deciding alarms and the relay, and a recharge that
restores supply. Ledger account and transfer ids follow the settlement id scheme
(docs/settlement.md section 4: prepay.settlement.ledger_account_id / transfer_id) instead of ids
invented here: one scheme for every caller, injective on its documented ranges, so these transfers
can share a ledger with any other caller's. settle_building.py shows the whole flow done by the
settlement module itself.

    PYTHONPATH=build/python/bindings/python python3 examples/python/wallet_month.py [journal-file]
"""
import datetime
import os
import pathlib
import sys
import tempfile
from decimal import Decimal

import prepay
from prepay import settlement as st
from prepay import tariff, wallet
from prepay.journal import Journal
from prepay.ledger import Account, Ledger, Transfer

ROOT = pathlib.Path(__file__).resolve().parents[2]
ACCOUNT, METER = 1, 11  # the tenant's account and meter in the site's numbering
WALLET = st.ledger_account_id(ACCOUNT, st.Role.WALLET)
CLEARING = st.ledger_account_id(0, st.SiteRole.CLEARING)
REVENUE = st.ledger_account_id(0, st.SiteRole.ELECTRICITY)


def recharge_id(sequence):
    """The account's n-th recharge (kind RECHARGE, subject the account, period the sequence)."""
    return st.transfer_id(st.IdKind.RECHARGE, ACCOUNT, sequence)


def deduction_id(at):
    """The meter's deduction of the interval ending at ``at`` (kind READING, period the reading time)."""
    return st.transfer_id(st.IdKind.READING, METER, at)


def main():
    tmp = None
    if len(sys.argv) > 1:
        path = sys.argv[1]
    else:
        tmp = tempfile.TemporaryDirectory()
        path = os.path.join(tmp.name, "wallet.journal")
    t = tariff.Tariff.load(ROOT / "examples/tariffs/zhejiang_residential_tou.json")
    stream = t.stream(bill=False)
    led = Ledger(accounts=8, transfers=1024)
    w = wallet.Wallet()
    with Journal.open(path, led) as j:
        j.create_account(Account(WALLET, prepay.AccountKind.WALLET, prepay.AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS,
                                 overdraft_limit=Decimal("50.00")))
        j.create_account(Account(CLEARING, prepay.AccountKind.PAYMENT_CLEARING))
        j.create_account(Account(REVENUE, prepay.AccountKind.REVENUE, item=prepay.Item.ELECTRICITY))
        recharges = 1
        day0 = datetime.datetime(2025, 3, 1)
        j.submit([Transfer(recharge_id(recharges), CLEARING, WALLET, Decimal("60.00"), prepay.TransferCode.RECHARGE,
                           timestamp=day0)])
        supply_on, acknowledge = True, 0
        for d in range(31):
            start = day0 + datetime.timedelta(days=d)
            if d == 20:
                recharges += 1
                j.submit([Transfer(recharge_id(recharges), CLEARING, WALLET, Decimal("100.00"),
                                   prepay.TransferCode.RECHARGE, timestamp=start)])
                print(f"{start:%m-%d}  recharge 100.00")
            # 8 kWh a day (3 in the night valley, 5 in the day peak) while the supply is on
            night, day = (3000, 5000) if supply_on else (0, 0)
            due = stream.feed_interval(start, start + datetime.timedelta(hours=8), night).due
            due += stream.feed_interval(start + datetime.timedelta(hours=8), start + datetime.timedelta(hours=22),
                                        day).due
            due += stream.feed_interval(start + datetime.timedelta(hours=22), start + datetime.timedelta(hours=24),
                                        0).due
            if due > 0:
                read_at = start + datetime.timedelta(hours=23)
                (res,) = j.submit([Transfer(deduction_id(read_at), WALLET, REVENUE, due,
                                            prepay.TransferCode.DEDUCTION, timestamp=read_at, meter_id=METER)])
                if not res.ok:
                    print(f"{start:%m-%d}  deduction {due} refused: {res.error.strerror}")
            bal = led.balance(WALLET).available
            dec = w.decide(bal, start + datetime.timedelta(hours=23), flags=acknowledge)
            supply_on = dec.relay == prepay.WalletRelay.CLOSED
            # the tenant presses the meter's button the day after a pre-trip, to keep the supply on
            acknowledge = prepay.WalletInput.ACKNOWLEDGE if dec.reason == prepay.WalletReason.PRETRIP else 0
            events = "" if not dec.events else f"  events: {dec.events!r}"
            print(f"{start:%m-%d}  due {due:>6}  balance {bal:>8}  level {dec.level}  relay {dec.relay.name}"
                  f" ({dec.reason.name}){events}")
        led.verify()
    print(f"revenue {led.balance(REVENUE).balance}, entries {len(led)}, journal {os.path.getsize(path)} bytes")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
