# SPDX-License-Identifier: MIT
"""Billing pages and JSON API: charge items, common-area groups, postpaid accounts, period close,
statements (confirm, issue, CSV), arrears; tenants see their own statements only.

Changes need the admin or finance role; viewing needs any operator role (services/billing.py does
the validation: bad input is refused with a message and changes nothing). CSRF is checked for every
POST by web/auth.check_csrf."""
from __future__ import annotations

import functools

from flask import Blueprint, Response, abort, current_app, flash, g, jsonify, redirect, render_template, request, \
    url_for

from ..services import billing, clock, site
from ..services.errors import InputError, NotFound
from .auth import requires, tenant_only, who

bp = Blueprint("billing", __name__)
BILLERS = {"admin", "finance"}


def _p():
    return current_app.platform


def _json() -> bool:
    return request.path.startswith("/api/")


def _body() -> dict:
    if request.is_json:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}
    return request.form.to_dict()


def bills(view):
    """Admin or finance (checked server-side, after sign-in). A view serving a page and an API path
    lists the API route first: the page's route, registered first, is the one url_for builds."""
    @requires("view")
    @functools.wraps(view)
    def inner(*args, **kwargs):
        if g.user["role"] not in BILLERS:
            abort(403)
        return view(*args, **kwargs)
    return inner


def _answer(message: str, data: dict, endpoint: str = "billing.overview", **kw):
    if _json():
        return jsonify(ok=True, message=message, **data)
    flash(message, "ok")
    return redirect(url_for(endpoint, **kw))


def _refused(e: InputError, endpoint: str = "billing.overview", **kw):
    if _json():
        return jsonify(error=str(e), field=e.field), 400
    flash(str(e), "error")
    return redirect(url_for(endpoint, **kw))


def _statement_json(r: dict) -> dict:
    keys = ("statement_id", "household_id", "period_start", "period_end", "state", "opening_fen", "charges_fen",
            "payments_fen", "closing_fen", "issue_date", "due_date")
    out = {k: r.get(k) for k in keys}
    if "line_list" in r:
        out["lines"] = r["line_list"]
    return out


# ---- overview ----

@bp.route("/billing")
@requires("view")
def overview():
    p = _p()
    return render_template("billing.html", period=billing.period(p), items=billing.items(p.db),
                           masters=billing.masters(p.db), groups=billing.groups(p.db),
                           statements=billing.statements(p.db), schedule=billing.setting(p.db, "schedule", "off"),
                           tariffs=p.db.query("SELECT id, name FROM tariffs WHERE commodity = 'electricity'"),
                           households=p.db.query("SELECT h.id, r.name AS room FROM households h JOIN rooms r "
                                                 "ON r.id = h.room_id ORDER BY h.id"),
                           kinds={r["household_id"]: r["kind"] for r in p.db.query("SELECT * FROM billing_accounts")},
                           can_bill=g.user["role"] in BILLERS, today=clock.local(clock.now()).date().isoformat())


@bp.route("/api/billing")
@requires("view")
def api_overview():
    p = _p()
    return jsonify(period=billing.period(p), items=billing.items(p.db), masters=billing.masters(p.db),
                   groups=billing.groups(p.db), schedule=billing.setting(p.db, "schedule", "off"))


# ---- charge items ----

@bp.route("/api/billing/items", methods=["POST"])
@bp.route("/billing/items/new", methods=["GET", "POST"])
@bills
def new_item():
    if request.method == "GET":
        return render_template("billing_item.html", item=None, households=site.rooms(_p().db))
    try:
        iid = billing.add_item(_p(), _body(), who())
    except InputError as e:
        return _refused(e, "billing.new_item") if not _json() else _refused(e)
    return _answer(f"charge item {iid} added", {"id": iid})


@bp.route("/api/billing/items/<int:item_id>", methods=["POST"])
@bp.route("/billing/items/<int:item_id>", methods=["GET", "POST"])
@bills
def edit_item(item_id):
    if request.method == "GET":
        return render_template("billing_item.html", item=billing.item(_p().db, item_id),
                               households=site.rooms(_p().db))
    try:
        billing.edit_item(_p(), item_id, _body(), who())
    except InputError as e:
        return _refused(e, "billing.edit_item", item_id=item_id)
    return _answer(f"charge item {item_id} saved", {"id": item_id})


@bp.route("/api/billing/items")
@requires("view")
def api_items():
    return jsonify(billing.items(_p().db))


# ---- accounts, master meters, groups ----

@bp.route("/api/billing/accounts/<int:hid>/kind", methods=["POST"])
@bp.route("/billing/accounts/<int:hid>/kind", methods=["POST"])
@bills
def account_kind(hid):
    try:
        billing.set_account_kind(_p(), hid, _body().get("kind"), who())
    except InputError as e:
        return _refused(e)
    return _answer(f"account {hid} is {billing.account_kind(_p().db, hid)}", {"household_id": hid})


@bp.route("/api/billing/masters", methods=["POST"])
@bp.route("/billing/masters", methods=["POST"])
@bills
def add_master():
    try:
        mid = billing.add_master(_p(), _body(), who())
    except InputError as e:
        return _refused(e)
    return _answer(f"master meter {mid} added", {"id": mid})


@bp.route("/api/billing/masters/<int:meter_id>/reading", methods=["POST"])
@bp.route("/billing/masters/<int:meter_id>/reading", methods=["POST"])
@bills
def master_reading(meter_id):
    b = _body()
    try:
        billing.read_master(_p(), meter_id, b.get("at") or clock.now(), b.get("value"), who())
    except InputError as e:
        return _refused(e)
    return _answer(f"reading of master meter {meter_id} settled", {"id": meter_id})


@bp.route("/api/billing/groups", methods=["POST"])
@bp.route("/billing/groups", methods=["POST"])
@bills
def add_group():
    try:
        n = billing.add_group(_p(), _body(), who())
    except InputError as e:
        return _refused(e)
    return _answer(f"common-area group {n} added", {"number": n})


@bp.route("/api/billing/households/<int:hid>/shares")
@requires("view")
def api_shares(hid):
    return jsonify(billing.shares(_p().db, hid))


@bp.route("/billing/households/<int:hid>")
@requires("view")
def household(hid):
    p = _p()
    if not p.db.one("SELECT id FROM households WHERE id = ?", (hid,)):
        raise NotFound(f"account {hid}")
    return render_template("billing_household.html", hid=hid, kind=billing.account_kind(p.db, hid),
                           shares=billing.shares(p.db, hid), statements=billing.statements(p.db, hid),
                           view=p.money.account(hid))


# ---- period close ----

@bp.route("/api/billing/close", methods=["POST"])
@bp.route("/billing/close", methods=["POST"])
@bills
def close():
    try:
        r = billing.close(_p(), _body().get("end"), who())
    except InputError as e:
        return _refused(e)
    return _answer(f"period closed: {len(r.statements)} statements, {len(r.events)} events",
                   {"statements": len(r.statements), "events": len(r.events), "period": billing.period(_p())})


@bp.route("/api/billing/schedule", methods=["POST"])
@bp.route("/billing/schedule", methods=["POST"])
@bills
def schedule():
    try:
        billing.set_schedule(_p(), _body().get("schedule"), who())
    except InputError as e:
        return _refused(e)
    return _answer("close schedule saved", {"schedule": billing.setting(_p().db, "schedule")})


# ---- statements ----

@bp.route("/api/billing/statements")
@requires("view")
def api_statements():
    return jsonify([_statement_json(r) for r in billing.statements(_p().db)])


@bp.route("/billing/statements/<int:sid>")
@requires("view")
def statement_page(sid):
    return render_template("billing_statement.html", s=billing.statement(_p().db, sid),
                           can_bill=g.user["role"] in BILLERS, today=clock.local(clock.now()).date().isoformat())


@bp.route("/api/billing/statements/<int:sid>")
@requires("view")
def api_statement(sid):
    return jsonify(_statement_json(billing.statement(_p().db, sid)))


@bp.route("/api/billing/statements/<int:sid>/confirm", methods=["POST"])
@bp.route("/billing/statements/<int:sid>/confirm", methods=["POST"])
@bills
def confirm(sid):
    try:
        billing.confirm(_p(), sid, who())
    except InputError as e:
        return _refused(e, "billing.statement_page", sid=sid)
    return _answer(f"statement {sid} confirmed", {"statement_id": sid}, "billing.statement_page", sid=sid)


@bp.route("/api/billing/statements/<int:sid>/issue", methods=["POST"])
@bp.route("/billing/statements/<int:sid>/issue", methods=["POST"])
@bills
def issue(sid):
    b = _body()
    try:
        billing.issue(_p(), sid, b.get("issue_date"), b.get("due_date"), who())
    except InputError as e:
        return _refused(e, "billing.statement_page", sid=sid)
    return _answer(f"statement {sid} issued", {"statement_id": sid}, "billing.statement_page", sid=sid)


@bp.route("/api/billing/statements.csv")
@bp.route("/billing/statements.csv")
@requires("finance")
def statements_csv():
    return Response(billing.statements_csv(_p().db), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=statements.csv"})


@bp.route("/api/billing/arrears")
@bp.route("/billing/arrears")
@requires("finance")
def arrears():
    as_of = request.args.get("as_of") or clock.local(clock.now()).date().isoformat()
    try:
        rows = billing.arrears(_p(), as_of)
    except InputError as e:
        if _json():
            return jsonify(error=str(e), field=e.field), 400
        raise
    if _json():
        return jsonify(as_of=as_of, rows=rows)
    return render_template("billing_arrears.html", as_of=as_of, rows=rows)


# ---- tenants: their own statements ----

def _tenant_households() -> set:
    return {r["id"] for r in _p().db.query("SELECT id FROM households WHERE tenant_id = ?", (g.user["tenant_id"],))}


@bp.route("/api/my/statements")
@bp.route("/my/statements")
@tenant_only
def my_statements():
    rows = [r for hid in sorted(_tenant_households()) for r in billing.statements(_p().db, hid)
            if r["state"] == "issued"]
    if _json():
        return jsonify([_statement_json(r) for r in rows])
    return render_template("my_statements.html", statements=rows)


@bp.route("/api/my/statements/<int:sid>")
@bp.route("/my/statements/<int:sid>")
@tenant_only
def my_statement(sid):
    try:
        r = billing.statement(_p().db, sid)
    except NotFound:
        abort(404)
    if r["household_id"] not in _tenant_households() or r["state"] != "issued":
        abort(404)  # another tenant's statement does not exist for this tenant
    if _json():
        return jsonify(_statement_json(r))
    return render_template("billing_statement.html", s=r, can_bill=False, today="")
