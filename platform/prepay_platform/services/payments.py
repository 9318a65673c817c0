# SPDX-License-Identifier: MIT
"""Tenant payments through a payment channel (plat-field's PaymentChannel interface: create,
query, verify_notify). An order is created here and at the channel; the channel's signed notify
marks it paid and credits the household by the idempotent recharge keyed 'pay:<order_no>':
a duplicate or retried notify finds the credit done and changes nothing."""
from __future__ import annotations

import secrets

from . import audit, clock, recharge, validate
from .errors import InputError, NotFound


def create_order(platform, channel, household_id: int, amount, who: str, notify_url: str) -> dict:
    amount_fen = validate.money_fen(amount)
    if amount_fen > 500000:
        raise InputError("amount: at most 5000.00 per payment", "amount")
    order_no = "P" + clock.local(clock.now()).strftime("%Y%m%d") + secrets.token_hex(6)
    with platform.db.transaction():
        platform.db.execute("INSERT INTO pay_orders (order_no, household_id, amount_fen, state, created_at, created_by) "
                            "VALUES (?, ?, ?, 'created', ?, ?)", (order_no, household_id, amount_fen, clock.now(), who))
        audit.record(platform.db, who, "pay.create", f"household:{household_id}",
                     {"order_no": order_no, "amount_fen": amount_fen})
    created = channel.create(order_no, amount_fen, f"recharge household {household_id}", notify_url)
    return {"order_no": order_no, "amount_fen": amount_fen, "channel": created}


def _field(d: dict, *names, default=None):
    for n in names:
        if n in d and d[n] is not None:
            return d[n]
    return default


def notified(platform, verified: dict, who: str = "pay-notify") -> dict:
    """Applies a verified notify: a paid order credits once; anything else is recorded."""
    db = platform.db
    order_no = str(_field(verified, "order_no", "out_trade_no", default=""))
    order = db.one("SELECT * FROM pay_orders WHERE order_no = ?", (order_no,))
    if order is None:
        raise NotFound(f"payment order {order_no!r}")
    state = str(_field(verified, "status", "state", "trade_state", default="")).upper()
    amount = _field(verified, "amount_fen", "total")
    if amount is not None and int(amount) != order["amount_fen"]:
        audit.record(db, who, "pay.mismatch", f"household:{order['household_id']}",
                     {"order_no": order_no, "notified": amount, "ordered": order["amount_fen"]})
        raise InputError(f"order {order_no}: notified amount {amount} is not the ordered {order['amount_fen']}")
    db.execute("UPDATE pay_orders SET notifies = notifies + 1 WHERE order_no = ?", (order_no,))
    if state not in ("SUCCESS", "PAID"):
        return {"order_no": order_no, "state": order["state"], "credited": False}
    amount_text = f"{order['amount_fen'] // 100}.{order['amount_fen'] % 100:02d}"
    o = recharge.recharge(platform, order["household_id"], amount_text, f"pay:{order_no}", who, "wechat")
    db.execute("UPDATE pay_orders SET state = 'paid', paid_at = COALESCE(paid_at, ?) WHERE order_no = ?",
               (clock.now(), order_no))
    return {"order_no": order_no, "state": "paid", "credited": not o["repeat"]}
