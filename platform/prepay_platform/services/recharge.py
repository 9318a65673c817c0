# SPDX-License-Identifier: MIT
"""Recharges: idempotent by the caller's request key. The order row with its settlement sequence is
written before the Site is called, so a repeat with the same key (a double click, a retried API
call, a re-delivered payment notify) re-runs the same sequence and the Site finds the recharge
already in its journal: never credited twice."""
from __future__ import annotations

from . import audit, clock, validate
from .errors import InputError, NotFound
from .money import yuan

CHANNELS = ("counter", "api", "wechat", "batch")


def recharge(platform, household_id: int, amount, request_key: str, who: str, channel: str = "counter") -> dict:
    """Credits ``amount`` (yuan text) to the household's account; returns the order with ``repeat``."""
    db, money = platform.db, platform.money
    household_id = validate.ident(household_id, "household")
    amount_fen = validate.money_fen(amount)
    channel = validate.choice(channel, CHANNELS, "channel")
    key = str(request_key or "").strip()
    if not 0 < len(key) <= 64:
        raise InputError("request key: 1 to 64 characters (it makes a repeated request harmless)", "request_key")
    if db.one("SELECT id FROM households WHERE id = ?", (household_id,)) is None:
        raise NotFound(f"household {household_id}")
    money.require()
    with money._lock:
        order = db.one("SELECT * FROM recharge_orders WHERE household_id = ? AND request_key = ?", (household_id, key))
        if order is not None and order["amount_fen"] != amount_fen:
            raise InputError(f"request key {key!r} was already used for {yuan(order['amount_fen'])}", "request_key")
        if order is not None and order["state"] == "done":
            return dict(order, repeat=True)
        at = clock.now()
        if order is None:
            with db.transaction():
                # The Site counts payment-order credits too: the next sequence is past both.
                seq = max((db.scalar("SELECT MAX(sequence) FROM recharge_orders WHERE household_id = ?",
                                     (household_id,)) or 0), money.account(household_id).recharges) + 1
                oid = db.next_id("recharge_orders")
                db.execute("INSERT INTO recharge_orders (id, household_id, request_key, sequence, amount_fen, channel, "
                           "state, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                           (oid, household_id, key, seq, amount_fen, channel, at, who))
            order = db.one("SELECT * FROM recharge_orders WHERE id = ?", (oid,))
        try:
            result = money.run("recharge", {"household": household_id, "sequence": order["sequence"],
                                            "fen": amount_fen, "at": order["created_at"]}, order["created_at"], who)
        except InputError:
            db.execute("DELETE FROM recharge_orders WHERE id = ? AND state = 'pending'", (order["id"],))
            raise
        with db.transaction():
            db.execute("UPDATE recharge_orders SET state = 'done' WHERE id = ?", (order["id"],))
            audit.record(db, who, "recharge", f"household:{household_id}",
                         {"amount": str(yuan(amount_fen)), "sequence": order["sequence"], "channel": channel,
                          "request_key": key, "repeat": result.repeat}, at)
        return dict(order, state="done", repeat=bool(result.repeat))


def resume_pending(platform) -> int:
    """After a restart: finishes orders left 'pending' with their own sequence (no double credit)."""
    n = 0
    for o in platform.db.query("SELECT * FROM recharge_orders WHERE state = 'pending' ORDER BY id"):
        recharge(platform, o["household_id"], str(yuan(o["amount_fen"])), o["request_key"], "recovery", o["channel"])
        n += 1
    return n


def orders(db, household_id=None, limit: int = 500) -> list:
    """Recharge orders, newest first."""
    if household_id is None:
        return db.query("SELECT * FROM recharge_orders ORDER BY id DESC LIMIT ?", (limit,))
    return db.query("SELECT * FROM recharge_orders WHERE household_id = ? ORDER BY id DESC LIMIT ?",
                    (household_id, limit))
