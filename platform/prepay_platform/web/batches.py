# SPDX-License-Identifier: MIT
"""Batch task pages: push a tariff scheme to every meter of its commodity, list tasks with their
progress and per-meter results, run due items now, cancel. Needs plat-field's BatchRunner."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from ..services import audit, clock, validate
from ..services.errors import InputError
from .auth import requires, who

bp = Blueprint("batches", __name__)


def _runner():
    r = getattr(current_app, "batch_runner", None)
    if r is None:
        abort(404, description="batch tasks need the field adapter (prepay_platform.field)")
    return r


@bp.route("/batches")
@requires("view")
def batches():
    r = getattr(current_app, "batch_runner", None)
    return render_template("batches.html", tasks=r.list() if r else [], enabled=r is not None)


@bp.route("/batches/<int:task_id>")
@requires("view")
def batch(task_id):
    try:
        task = _runner().get(task_id)
    except KeyError:
        abort(404)
    return render_template("batch.html", task=task)


@bp.route("/tariffs/<int:tariff_id>/push", methods=["POST"])
@requires("configure")
def push(tariff_id):
    db = current_app.platform.db
    t = db.one("SELECT * FROM tariffs WHERE id = ?", (tariff_id,))
    if t is None:
        abort(404)
    meters = [m["id"] for m in db.query("SELECT id FROM meters WHERE commodity = ? ORDER BY id", (t["commodity"],))]
    if not meters:
        flash("no meter of this commodity to push to", "error")
        return redirect(url_for("pages.tariffs"))
    at = request.form.get("run_at", "").strip()
    run_at = None
    if at:
        try:
            run_at = int(at)
        except ValueError:
            flash(str(InputError("run at: epoch seconds, or empty for now")), "error")
            return redirect(url_for("pages.tariffs"))
    task_id = _runner().create("tariff", meters, {"tariff_id": tariff_id}, run_at, who())
    audit.record(db, who(), "batch.tariff", f"tariff:{tariff_id}", {"task": task_id, "meters": len(meters)})
    return redirect(url_for("batches.batch", task_id=task_id))


@bp.route("/batches/<int:task_id>/run", methods=["POST"])
@requires("configure")
def run(task_id):
    _runner().run_due(clock.now())
    return redirect(url_for("batches.batch", task_id=validate.ident(task_id, "task")))


@bp.route("/batches/<int:task_id>/cancel", methods=["POST"])
@requires("configure")
def cancel(task_id):
    try:
        _runner().cancel(task_id, who())
    except KeyError:
        abort(404)
    audit.record(current_app.platform.db, who(), "batch.cancel", f"batch:{task_id}", {})
    return redirect(url_for("batches.batch", task_id=task_id))
