# SPDX-License-Identifier: MIT
"""HTML pages for operators and tenants (Jinja2 templates, plain CSS, no external assets)."""
from __future__ import annotations

import secrets

from flask import (Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from markupsafe import Markup

from ..services import refunds as refund_service
from ..services import audit, controls, payments, recharge, reports, site, suspicions, users
from ..services.errors import InputError, NotFound
from .auth import requires, tenant_only, who
from . import refunds as refund_web

bp = Blueprint("pages", __name__)


def _p():
    return current_app.platform


def _done(message: str, endpoint: str, **kw):
    flash(message, "ok")
    return redirect(url_for(endpoint, **kw))


def _refused(e: InputError, endpoint: str, **kw):
    flash(str(e), "error")
    return redirect(url_for(endpoint, **kw))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        user = users.authenticate(_p().db, request.form.get("login"), request.form.get("password"))
        if user is None:
            flash("wrong login or password", "error")
            return render_template("login.html"), 401
        session.clear()
        session["uid"] = user["id"]
        session["csrf"] = secrets.token_urlsafe(32)
        return redirect(url_for("pages.my" if user["role"] == "tenant" else "pages.rooms"))
    return render_template("login.html")


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("pages.login"))


@bp.route("/")
def index():
    if g.user is None:
        return redirect(url_for("pages.login"))
    return redirect(url_for("pages.my" if g.user["role"] == "tenant" else "pages.rooms"))


@bp.route("/rooms")
@requires("view")
def rooms():
    tree = {}
    for r in site.rooms(_p().db):
        tree.setdefault(r["building"], {}).setdefault(r["floor"], []).append(r)
    return render_template("rooms.html", tree=tree)


def _room_context(room_id: int):
    p = _p()
    room = site.room(p.db, room_id)
    ctx = {"room": room, "events": [], "commands": [], "orders": [], "today": None, "curve": ""}
    if room["household_id"]:
        hid = room["household_id"]
        ctx["today"] = reports.today(p, hid)
        ctx["curve"] = Markup(reports.curve_svg(ctx["today"]["hours"]))
        ctx["events"] = p.db.query("SELECT * FROM events WHERE household_id = ? ORDER BY at DESC, id LIMIT 50", (hid,))
        ctx["orders"] = recharge.orders(p.db, hid, 20)
        ctx.update(refund_web.room_context(p.db, hid))
        ctx["commands"] = p.db.query("SELECT c.* FROM relay_commands c JOIN meters m ON m.id = c.meter_id "
                                     "WHERE m.household_id = ? ORDER BY c.id DESC LIMIT 20", (hid,))
    return ctx


@bp.route("/rooms/<int:room_id>")
@requires("view")
def room(room_id):
    p = _p()
    return render_template("room.html", tariffs=site.tariffs(p.db),
                           tenants=p.db.query("SELECT * FROM tenants ORDER BY name"),
                           request_key=secrets.token_hex(8), **_room_context(room_id))


@bp.route("/rooms/<int:room_id>/open", methods=["POST"])
@requires("configure")
def open_account(room_id):
    f = request.form
    meters = [(f.get("electricity"), "electricity")] + ([(f.get("water"), "water")] if f.get("water") else [])
    try:
        site.open_account(_p(), room_id, f.get("tariff"), meters, who(), tenant_id=f.get("tenant") or None,
                          water_tariff_id=f.get("water_tariff") or None, alarm1=f.get("alarm1", "20.00"),
                          alarm2=f.get("alarm2", "10.00"))
    except InputError as e:
        return _refused(e, "pages.room", room_id=room_id)
    return _done("account opened", "pages.room", room_id=room_id)


def _household(room_id: int) -> int:
    r = _p().db.one("SELECT id FROM households WHERE room_id = ?", (room_id,))
    if r is None:
        raise NotFound(f"no account on room {room_id}")
    return r["id"]


@bp.route("/rooms/<int:room_id>/recharge", methods=["POST"])
@requires("recharge")
def do_recharge(room_id):
    try:
        o = recharge.recharge(_p(), _household(room_id), request.form.get("amount"), request.form.get("request_key"),
                              who(), "counter")
    except InputError as e:
        return _refused(e, "pages.room", room_id=room_id)
    return _done("this recharge was already credited" if o["repeat"] else "recharge credited", "pages.room",
                 room_id=room_id)


@bp.route("/rooms/<int:room_id>/control", methods=["POST"])
@requires("control")
def control(room_id):
    try:
        controls.relay_action(_p(), _household(room_id), request.form.get("action"), who())
    except InputError as e:
        return _refused(e, "pages.room", room_id=room_id)
    return _done(f"{request.form.get('action')} sent", "pages.room", room_id=room_id)


@bp.route("/rooms/<int:room_id>/thresholds", methods=["POST"])
@requires("control")
def thresholds(room_id):
    try:
        controls.set_thresholds(_p(), _household(room_id), request.form.get("alarm1"), request.form.get("alarm2"), who())
    except InputError as e:
        return _refused(e, "pages.room", room_id=room_id)
    return _done("alarm thresholds saved", "pages.room", room_id=room_id)


@bp.route("/tariffs", methods=["GET", "POST"])
@requires("view")
def tariffs():
    if request.method == "POST":
        if not g.user["role"] in ("admin", "operator"):
            abort(403)
        upload = request.files.get("file")
        document = upload.read() if upload and upload.filename else request.form.get("document", "")
        try:
            site.add_tariff(_p(), request.form.get("name"), document, who())
        except InputError as e:
            return _refused(e, "pages.tariffs")
        return _done("tariff scheme created", "pages.tariffs")
    return render_template("tariffs.html", tariffs=site.tariffs(_p().db),
                           batches_enabled=getattr(current_app, "batch_runner", None) is not None)


@bp.route("/finance")
@requires("finance")
def finance():
    period = request.args.get("period", "day")
    if period not in reports.PERIODS:
        period = "day"
    rows = reports.income(_p(), period)
    if request.args.get("format") == "csv":
        return _csv(rows, ["period", "recharge", "energy", "common area", "charge items"], f"income-{period}.csv")
    return render_template("finance.html", rows=rows, period=period, orders=recharge.orders(_p().db, None, 200),
                           pay_orders=payments.orders(_p().db), refunds=refund_service.refunds(_p().db, None, 200))


@bp.route("/reports")
@requires("view")
def energy_report():
    period = request.args.get("period", "day")
    if period not in reports.PERIODS:
        period = "day"
    rows = reports.energy(_p().db, period)
    if request.args.get("format") == "csv":
        return _csv(rows, ["period", "electricity_wh", "water_l"], f"energy-{period}.csv")
    return render_template("reports.html", rows=rows, period=period)


@bp.route("/reports/shops")
@requires("view")
def shop_report():
    period = request.args.get("period", "month")
    if period not in ("day", "week", "month", "year"):
        period = "month"
    rows = reports.shops(_p(), period)
    columns = ["period", "shop", "energy_kwh", "fee", "days", "partial", "yoy_pct", "mom_pct"]
    if request.args.get("format") == "csv":
        return _csv(rows, columns, f"shops-{period}.csv")
    return render_template("shops.html", rows=rows, period=period, columns=columns)


def _csv(rows, columns, name):
    return Response(reports.to_csv(rows, columns), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/events")
@requires("view")
def events():
    rows = _p().db.query("SELECT e.*, r.name AS room FROM events e JOIN households h ON h.id = e.household_id "
                         "JOIN rooms r ON r.id = h.room_id ORDER BY e.at DESC LIMIT 300")
    return render_template("events.html", events=rows)


@bp.route("/suspicions")
@requires("view")
def suspicion_list():
    return render_template("suspicions.html", rows=suspicions.find(_p().db))


@bp.route("/audit")
@requires("view")
def audit_log():
    return render_template("audit.html", rows=audit.recent(_p().db, 300))


@bp.route("/setup", methods=["GET", "POST"])
@requires("configure")
def setup():
    db = _p().db
    if request.method == "POST":
        f, kind = request.form, request.form.get("kind")
        try:
            if kind == "building":
                site.add_building(db, f.get("name"), who())
            elif kind == "floor":
                site.add_floor(db, f.get("building"), f.get("name"), who())
            elif kind == "room":
                site.add_room(db, f.get("floor"), f.get("name"), f.get("area") or "0", who())
            elif kind == "tenant":
                site.add_tenant(db, f.get("name"), f.get("phone"), who())
            elif kind == "user" and g.user["role"] == "admin":
                users.add_user(db, f.get("login"), f.get("password"), f.get("role"), who(),
                               int(f["tenant"]) if f.get("role") == "tenant" and f.get("tenant", "").isdigit() else None)
            else:
                abort(400, description="unknown setup item")
        except InputError as e:
            return _refused(e, "pages.setup")
        return _done(f"{kind} added", "pages.setup")
    return render_template("setup.html", buildings=db.query("SELECT * FROM buildings ORDER BY name"),
                           floors=db.query("SELECT f.*, b.name AS building FROM floors f JOIN buildings b "
                                           "ON b.id = f.building_id ORDER BY b.name, f.name"),
                           tenants=db.query("SELECT * FROM tenants ORDER BY name"),
                           users=db.query("SELECT id, login, role, tenant_id FROM users ORDER BY login"))


# ---- tenant self-service ----
@bp.route("/my")
@tenant_only
def my():
    return render_template("my.html", rooms=site.rooms(_p().db, g.user["tenant_id"]))


@bp.route("/my/rooms/<int:room_id>")
@tenant_only
def my_room(room_id):
    ctx = _room_context(room_id)
    if ctx["room"]["tenant_id"] != g.user["tenant_id"]:
        abort(404)  # another tenant's room does not exist for this tenant
    return render_template("my_room.html", request_key=secrets.token_hex(8),
                           pay_enabled=current_app.pay_channel is not None, **ctx)
