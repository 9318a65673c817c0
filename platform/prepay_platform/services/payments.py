# SPDX-License-Identifier: MIT
"""Tenant payments: payment orders of the settlement module (prepay.payment, docs/payment.md)
through a payment channel (plat-field's PaymentChannel interface: create, query, verify_notify).

An order is a pending ledger transfer with a deadline, created through the Site (recorded in the
platform's input log like every Site call); its number at the channel is the order id, the
ledger key of that transfer. The channel's verified notify is applied by prepay.payment.notify:
PAID credits it as the account's next recharge once (a duplicate or retried notify is the
library's harmless duplicate), FAILED voids it, another amount is refused. ``pay_orders`` keeps
what the pages show."""
from __future__ import annotations

from prepay import payment as P

from . import audit, clock, validate
from .errors import InputError, NotFound

DEADLINE = 2 * 3600  # an order not paid within two hours is released (the channel's own expiry)


def create_order(platform, channel, household_id: int, amount, who: str, notify_url: str) -> dict:
    amount_fen = validate.money_fen(amount)
    if amount_fen > 500000:
        raise InputError("amount: at most 5000.00 per payment", "amount")
    db, money = platform.db, platform.money
    now = clock.now()
    with money._lock:
        number = (db.scalar("SELECT COUNT(*) FROM pay_orders WHERE household_id = ?", (household_id,)) or 0) + 1
        order_id = P.order_id(household_id, number)
        money.run("pay_create", {"household": household_id, "number": number, "fen": amount_fen, "created": now,
                                 "deadline": now + DEADLINE}, now, who)
        order_no = str(order_id)
        with db.transaction():
            db.execute("INSERT INTO pay_orders (order_no, household_id, amount_fen, state, created_at, created_by) "
                       "VALUES (?, ?, ?, 'created', ?, ?)", (order_no, household_id, amount_fen, now, who))
            audit.record(db, who, "pay.create", f"household:{household_id}",
                         {"order_no": order_no, "amount_fen": amount_fen})
    created = channel.create(order_no, amount_fen, f"recharge household {household_id}", notify_url)
    return {"order_no": order_no, "amount_fen": amount_fen, "channel": created}


def _field(d: dict, *names, default=None):
    for n in names:
        if n in d and d[n] is not None:
            return d[n]
    return default


def notified(platform, verified: dict, who: str = "pay-notify") -> dict:
    """Applies a verified notify (dict: order_no, status PAID|FAILED|WAITING, amount_fen)."""
    db = platform.db
    order_no = str(_field(verified, "order_no", "out_trade_no", default=""))
    order = db.one("SELECT * FROM pay_orders WHERE order_no = ?", (order_no,))
    if order is None:
        raise NotFound(f"payment order {order_no!r}")
    status = str(_field(verified, "status", "state", "trade_state", default="")).upper()
    status = {"SUCCESS": "PAID"}.get(status, status)
    if status not in ("PAID", "FAILED", "WAITING"):
        raise InputError(f"order {order_no}: unknown payment status {status!r}")
    amount = int(_field(verified, "amount_fen", "total", default=order["amount_fen"]))
    db.execute("UPDATE pay_orders SET notifies = notifies + 1 WHERE order_no = ?", (order_no,))
    try:
        result = platform.money.run("pay_notify", {"order": order_no, "fen": amount, "at": clock.now(),
                                                   "status": status}, clock.now(), who)
    except InputError as e:
        audit.record(db, who, "pay.refused", f"household:{order['household_id']}",
                     {"order_no": order_no, "status": status, "amount_fen": amount, "error": str(e)})
        raise
    state = {"PAID": "paid", "FAILED": "failed"}.get(status, order["state"])
    credited = status == "PAID" and not result.duplicate
    with db.transaction():
        db.execute("UPDATE pay_orders SET state = ?, paid_at = COALESCE(paid_at, ?) WHERE order_no = ?",
                   (state, clock.now() if status == "PAID" else None, order_no))
        if credited:
            audit.record(db, who, "pay.credit", f"household:{order['household_id']}",
                         {"order_no": order_no, "amount_fen": amount, "split_to_balance": str(result.split.to_balance)})
    return {"order_no": order_no, "state": state, "credited": credited, "duplicate": bool(result.duplicate)}


def orders(db, household_id=None) -> list:
    if household_id is None:
        return db.query("SELECT * FROM pay_orders ORDER BY created_at DESC")
    return db.query("SELECT * FROM pay_orders WHERE household_id = ? ORDER BY created_at DESC", (household_id,))
