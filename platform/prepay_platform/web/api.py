# SPDX-License-Identifier: MIT
"""The JSON API: the pages' main actions for programs. Sign in with POST /api/login (JSON login
and password; the answer carries the CSRF token to send as X-CSRF-Token on every POST)."""
from __future__ import annotations

import secrets

from flask import Blueprint, current_app, g, jsonify, request, session

from ..services import audit, controls, readings, recharge, reports, site, users
from ..services.errors import NotFound
from .auth import requires, tenant_only, who

bp = Blueprint("api", __name__, url_prefix="/api")


def _p():
    return current_app.platform


def _body() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


@bp.route("/login", methods=["POST"])
def login():
    b = _body()
    user = users.authenticate(_p().db, b.get("login"), b.get("password"))
    if user is None:
        return jsonify(error="wrong login or password"), 401
    session.clear()
    session["uid"] = user["id"]
    session["csrf"] = token = secrets.token_urlsafe(32)
    return jsonify(login=user["login"], role=user["role"], csrf_token=token)




def _room_json(r: dict) -> dict:
    keys = ("id", "name", "building", "floor", "household_id", "tenant", "balance_fen", "debt_fen", "level",
            "relay_open", "keep_power", "meters", "online")
    return {k: r.get(k) for k in keys}


@bp.route("/rooms")
@requires("view")
def rooms():
    return jsonify([_room_json(r) for r in site.rooms(_p().db)])


@bp.route("/rooms/<int:room_id>")
@requires("view")
def room(room_id):
    r = site.room(_p().db, room_id)
    out = _room_json(r)
    out["meters"] = [{k: m[k] for k in ("id", "commodity", "address", "online", "relay_closed", "last_read_at",
                                        "last_value")} for m in r["meter_list"]]
    if r["household_id"]:
        out["today"] = reports.today(_p(), r["household_id"])
    return jsonify(out)


@bp.route("/rooms/<int:room_id>/open", methods=["POST"])
@requires("configure")
def open_account(room_id):
    b = _body()
    meters = [(m.get("address"), m.get("commodity", "electricity")) for m in b.get("meters") or []
              if isinstance(m, dict)]
    hid = site.open_account(_p(), room_id, b.get("tariff"), meters, who(), tenant_id=b.get("tenant"),
                            water_tariff_id=b.get("water_tariff"), alarm1=b.get("alarm1", "20.00"),
                            alarm2=b.get("alarm2", "10.00"))
    return jsonify(household_id=hid), 201


@bp.route("/households/<int:hid>/recharge", methods=["POST"])
@requires("recharge")
def do_recharge(hid):
    b = _body()
    o = recharge.recharge(_p(), hid, b.get("amount"), b.get("request_key"), who(), "api")
    return jsonify(order_id=o["id"], sequence=o["sequence"], amount_fen=o["amount_fen"], repeat=o["repeat"],
                   balance=str(_p().money.account(hid).balance))


@bp.route("/households/<int:hid>/relay", methods=["POST"])
@requires("control")
def relay(hid):
    return jsonify(controls.relay_action(_p(), hid, _body().get("action"), who()))


@bp.route("/households/<int:hid>/thresholds", methods=["POST"])
@requires("control")
def thresholds(hid):
    b = _body()
    controls.set_thresholds(_p(), hid, b.get("alarm1"), b.get("alarm2"), who())
    return jsonify(ok=True)


@bp.route("/households/<int:hid>")
@requires("view")
def household(hid):
    v = _p().money.account(hid)
    return jsonify(id=v.id, balance=str(v.balance), debt=str(v.debt), level=v.level, relay=v.relay.name,
                   recharged=str(v.recharged), energy_charged=str(v.energy), meters=list(v.meter_ids))


@bp.route("/readings", methods=["POST"])
@requires("control")
def post_readings():
    rows = _body().get("readings")
    if not isinstance(rows, list) or not rows:
        return jsonify(error="readings: a non-empty list of {meter_id, at, value}"), 400
    for r in rows:
        if not isinstance(r, dict) or not all(isinstance(r.get(k), int) for k in ("meter_id", "at", "value")):
            return jsonify(error="each reading: integer meter_id, at (epoch seconds) and value (Wh or L)"), 400
    return jsonify(readings.ingest(_p(), rows, who()))


@bp.route("/tariffs", methods=["GET", "POST"])
@requires("view")
def tariffs():
    if request.method == "POST":
        if g.user["role"] not in ("admin", "operator"):
            return jsonify(error="not allowed for your account"), 403
        b = _body()
        return jsonify(id=site.add_tariff(_p(), b.get("name"), b.get("document", ""), who())), 201
    return jsonify(site.tariffs(_p().db))


@bp.route("/finance/income")
@requires("finance")
def income():
    period = request.args.get("period", "day")
    if period not in reports.PERIODS:
        return jsonify(error="period: day, month or year"), 400
    return jsonify(reports.income(_p(), period))


@bp.route("/audit")
@requires("view")
def audit_log():
    return jsonify(audit.recent(_p().db, 200))


@bp.route("/my/rooms")
@tenant_only
def my_rooms():
    return jsonify([_room_json(r) for r in site.rooms(_p().db, g.user["tenant_id"])])


@bp.route("/my/rooms/<int:room_id>")
@tenant_only
def my_room(room_id):
    r = site.room(_p().db, room_id)
    if r["tenant_id"] != g.user["tenant_id"]:
        raise NotFound(f"room {room_id}")
    out = _room_json(r)
    if r["household_id"]:
        out["today"] = reports.today(_p(), r["household_id"])
        out["orders"] = [{k: o[k] for k in ("id", "amount_fen", "channel", "created_at")}
                         for o in recharge.orders(_p().db, r["household_id"], 50)]
    return jsonify(out)
