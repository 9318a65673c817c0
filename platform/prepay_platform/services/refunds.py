# SPDX-License-Identifier: MIT
"""Refunds: money paid back from a household's wallet to the payer (docs/settlement.md "Refunds").

The Site books the refund (wallet -> the site's REFUNDS payable, bounded by the refundable
balance: the balance less emergency credit owed) as an input of the platform's input log, so a
restart re-runs it and the journal finds it already booked. Refunds carry the account's refund
sequence, written in ``refunds`` with the caller's request key before the Site is called: a
repeated request re-runs the same sequence (the library's harmless repeat), never a second refund.

A refund of a paid payment order (``order_no``) goes back through the payment channel once the
Site booked it: the channel's ``refund(order_no)`` (the mock WeChat Pay refunds the whole payment,
so the amount must be the order's). A channel that refuses or is down leaves the refund 'booked'
(owed to the payer in REFUNDS payable); the same request key retries the channel only. A refund
without an order is paid out at the counter ('paid' at once)."""
from __future__ import annotations

from . import audit, clock, validate
from .errors import InputError, NotFound
from .money import yuan

REASON_MAX = 200


def _next_sequence(db, money, household_id: int) -> int:
    return max((db.scalar("SELECT MAX(sequence) FROM refunds WHERE household_id = ?", (household_id,)) or 0),
               money.account(household_id).refunds) + 1


def _pay_order(db, household_id: int, order_no: str, amount_fen: int, key: str) -> dict:
    order = db.one("SELECT * FROM pay_orders WHERE order_no = ?", (order_no,))
    if order is None or order["household_id"] != household_id:
        raise InputError(f"order: no payment order {order_no!r} of this account", "order_no")
    if order["state"] not in ("paid", "refunded"):
        raise InputError(f"order: payment order {order_no} is {order['state']}, only a paid order can be refunded",
                         "order_no")
    if amount_fen != order["amount_fen"]:
        raise InputError(f"amount: the channel refunds whole payments: order {order_no} is "
                         f"{yuan(order['amount_fen'])}", "amount")
    other = db.one("SELECT request_key FROM refunds WHERE order_no = ? AND request_key <> ?", (order_no, key))
    if other is not None:
        raise InputError(f"order: payment order {order_no} is already refunded (request {other['request_key']})",
                         "order_no")
    return order


def refund(platform, household_id, amount, request_key, who: str, order_no=None, channel=None,
           reason: str = "") -> dict:
    """Refunds ``amount`` (yuan text) of the household's balance; returns the refund row with ``repeat``.
    ``order_no``: a paid payment order refunded through ``channel`` (an object with ``refund(order_no)``)."""
    db, money = platform.db, platform.money
    household_id = validate.ident(household_id, "household")
    amount_fen = validate.money_fen(amount)
    key = str(request_key or "").strip()
    if not 0 < len(key) <= 64:
        raise InputError("request key: 1 to 64 characters (it makes a repeated request harmless)", "request_key")
    reason = str(reason or "").strip()
    if len(reason) > REASON_MAX:
        raise InputError(f"reason: at most {REASON_MAX} characters", "reason")
    order_no = str(order_no).strip() if order_no not in (None, "") else None
    if db.one("SELECT id FROM households WHERE id = ?", (household_id,)) is None:
        raise NotFound(f"household {household_id}")
    money.require()
    with money._lock:
        row = db.one("SELECT * FROM refunds WHERE household_id = ? AND request_key = ?", (household_id, key))
        if row is not None and (row["amount_fen"] != amount_fen or row["order_no"] != order_no):
            raise InputError(f"request key {key!r} was already used for a refund of {yuan(row['amount_fen'])}",
                             "request_key")
        if row is not None and row["state"] == "paid":
            return dict(row, repeat=True)
        if order_no is not None:
            _pay_order(db, household_id, order_no, amount_fen, key)
            if channel is None or not hasattr(channel, "refund"):
                raise InputError("order: no payment channel that refunds is configured", "order_no")
        if row is None:
            view = money.account(household_id)
            if amount_fen > int(view.balance.scaleb(2)):
                raise InputError(f"amount: more than the refundable balance ({view.balance}); debt and emergency "
                                 "credit are never refunded", "amount")
            with db.transaction():
                rid = db.next_id("refunds")
                db.execute("INSERT INTO refunds (id, household_id, request_key, sequence, amount_fen, order_no, channel, "
                           "state, reason, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                           (rid, household_id, key, _next_sequence(db, money, household_id), amount_fen, order_no,
                            "channel" if order_no else "counter", reason, clock.now(), who))
            row = db.one("SELECT * FROM refunds WHERE id = ?", (rid,))
        order_id = int(order_no) if order_no and order_no.isdigit() and int(order_no) < 1 << 64 else row["id"]
        try:
            result = money.run("refund", {"household": household_id, "sequence": row["sequence"], "fen": amount_fen,
                                          "at": row["created_at"], "order": order_id}, row["created_at"], who)
        except InputError as e:
            db.execute("DELETE FROM refunds WHERE id = ? AND state = 'pending'", (row["id"],))
            if "refundable" in str(e).lower():
                raise InputError(f"amount: more than the refundable balance ({money.account(household_id).balance}); "
                                 "debt and emergency credit are never refunded", "amount") from None
            raise
        state, message = "paid", "paid out at the counter"
        if order_no is not None:
            try:
                answer = channel.refund(order_no)
                message = f"channel: {answer.get('status', 'SUCCESS') if isinstance(answer, dict) else 'ok'}"
            except Exception as e:  # the money stays owed in REFUNDS payable; retry with the same key
                state, message = "booked", f"channel refused or unreachable: {e}"[:300]
        now = clock.now()
        with db.transaction():
            db.execute("UPDATE refunds SET state = ?, message = ?, paid_at = ? WHERE id = ?",
                       (state, message, now if state == "paid" else None, row["id"]))
            if order_no is not None and state == "paid":
                db.execute("UPDATE pay_orders SET state = 'refunded' WHERE order_no = ?", (order_no,))
            audit.record(db, who, "refund" if state == "paid" else "refund.booked", f"household:{household_id}",
                         {"amount": str(yuan(amount_fen)), "sequence": row["sequence"], "order_no": order_no,
                          "request_key": key, "reason": row["reason"], "repeat": bool(result.repeat),
                          "message": message}, now)
        return dict(db.one("SELECT * FROM refunds WHERE id = ?", (row["id"],)), repeat=bool(result.repeat))


def refunds(db, household_id=None, limit: int = 500) -> list:
    """Refunds, newest first."""
    if household_id is None:
        return db.query("SELECT * FROM refunds ORDER BY id DESC LIMIT ?", (limit,))
    return db.query("SELECT * FROM refunds WHERE household_id = ? ORDER BY id DESC LIMIT ?", (household_id, limit))
