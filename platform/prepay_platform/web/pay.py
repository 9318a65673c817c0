# SPDX-License-Identifier: MIT
"""Tenant payment routes: /my/rooms/<id>/pay creates an order at the channel; /pay/notify takes the
channel's signed notify (no session, no CSRF: the signature authenticates it). A bad signature is
refused with 401 and logged; a good one is acknowledged after the credit, so the channel's retries
and duplicates are harmless."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, request, url_for

from ..services import audit, payments, site
from .auth import tenant_only, who

bp = Blueprint("pay", __name__)


@bp.route("/my/rooms/<int:room_id>/pay", methods=["POST"])
@tenant_only
def pay(room_id):
    channel = current_app.pay_channel
    if channel is None:
        abort(404)
    room = site.room(current_app.platform.db, room_id)
    if room["tenant_id"] != g.user["tenant_id"] or not room["household_id"]:
        abort(404)
    out = payments.create_order(current_app.platform, channel, room["household_id"], request.form.get("amount"), who(),
                                url_for("pay.notify", _external=True))
    return jsonify(out)


@bp.route("/pay/notify", methods=["POST"])
def notify():
    channel = current_app.pay_channel
    if channel is None:
        abort(404)
    body = request.get_data()
    try:
        verified = channel.verify_notify(dict(request.headers), body)
    except Exception as e:  # BadSignature or a malformed notify: refused, logged, nothing changed
        audit.record(current_app.platform.db, "pay-notify", "pay.notify.rejected", "pay",
                     {"error": type(e).__name__, "message": str(e)[:200]})
        return jsonify(code="FAIL", message="bad signature"), 401
    out = payments.notified(current_app.platform, verified)
    return jsonify(code="SUCCESS", message="OK", **out)
