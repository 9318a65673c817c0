# SPDX-License-Identifier: MIT
"""Refund routes (finance and admin only): the room page's refund form and the JSON API
``POST /api/households/<hid>/refund`` {amount, request_key, order_no?, reason?}. A refund of a
paid payment order goes back through the app's payment channel (``pay_channel.refund``)."""
from __future__ import annotations

import functools
import secrets

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, request, url_for

from ..services import payments, refunds
from ..services.errors import InputError, NotFound
from .auth import requires, who

bp = Blueprint("refunds", __name__)
ROLES = {"admin", "finance"}  # readonly may see finance pages, never move money


def refunder(view):
    """Decorator: a signed-in admin or finance user (the 'finance' permission minus readonly)."""
    @functools.wraps(view)
    @requires("finance")
    def inner(*args, **kwargs):
        if g.user["role"] not in ROLES:
            abort(403)
        return view(*args, **kwargs)
    return inner


def can_refund() -> bool:
    return g.user is not None and g.user["role"] in ROLES


def room_context(db, household_id) -> dict:
    """What the room page's refund card shows: paid orders and the household's refunds."""
    if not household_id or not can_refund():
        return {}
    return {"refund_key": secrets.token_hex(8), "refunds": refunds.refunds(db, household_id, 20),
            "paid_orders": [o for o in payments.orders(db, household_id) if o["state"] == "paid"]}


@bp.route("/rooms/<int:room_id>/refund", methods=["POST"])
@refunder
def room_refund(room_id):
    p = current_app.platform
    r = p.db.one("SELECT id FROM households WHERE room_id = ?", (room_id,))
    if r is None:
        raise NotFound(f"no account on room {room_id}")
    f = request.form
    try:
        row = refunds.refund(p, r["id"], f.get("amount"), f.get("request_key"), who(), f.get("order_no") or None,
                             current_app.pay_channel, f.get("reason", ""))
    except InputError as e:
        flash(str(e), "error")
        return redirect(url_for("pages.room", room_id=room_id))
    if row["repeat"] and row["state"] == "paid":
        flash("this refund was already made", "ok")
    elif row["state"] == "paid":
        flash(f"refund of ¥ {row['amount_fen'] / 100:.2f} made", "ok")
    else:
        flash(f"refund booked, the channel has not paid it: {row['message']} (submit again to retry)", "error")
    return redirect(url_for("pages.room", room_id=room_id))


@bp.route("/api/households/<int:hid>/refund", methods=["POST"])
@refunder
def api_refund(hid):
    b = request.get_json(silent=True)
    b = b if isinstance(b, dict) else {}
    row = refunds.refund(current_app.platform, hid, b.get("amount"), b.get("request_key"), who(), b.get("order_no"),
                         current_app.pay_channel, b.get("reason", ""))
    return jsonify(row), (200 if row["repeat"] else 201)


@bp.route("/api/refunds")
@refunder
def api_refunds():
    return jsonify(refunds.refunds(current_app.platform.db))
