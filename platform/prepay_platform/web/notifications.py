# SPDX-License-Identifier: MIT
"""The notifications page (admin and operator): the outbox delivery log, the deliveries still due,
the channel settings (log / webhook / SMTP, stored in the database), a test send per channel and a
"deliver now" round (the schedule runs the same round in the background)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for

from ..services import notifications as N
from ..services.errors import InputError
from .auth import requires, who

bp = Blueprint("notifications", __name__)


@bp.route("/notifications")
@requires("configure")
def page():
    p = current_app.platform
    return render_template("notifications.html", settings=N.settings(p.db), log=N.log(p.db),
                           pending=N.pending(p), recent=list(reversed(N.LOG.sent[-20:])))


@bp.route("/notifications/settings", methods=["POST"])
@requires("configure")
def save():
    try:
        N.save_settings(current_app.platform.db, request.form, who())
    except InputError as e:
        flash(str(e), "error")
    else:
        flash("notification settings saved", "ok")
    return redirect(url_for("notifications.page"))


@bp.route("/notifications/test", methods=["POST"])
@requires("configure")
def test():
    try:
        result = N.test_send(current_app.platform, request.form.get("channel", ""), who())
    except InputError as e:
        flash(str(e), "error")
    else:
        flash(f"test message {result}", "ok" if result == "sent" else "error")
    return redirect(url_for("notifications.page"))


@bp.route("/notifications/deliver", methods=["POST"])
@requires("configure")
def deliver():
    c = N.deliver(current_app.platform)
    flash(f"delivery round: {c['taken']} due, {c['sent']} sent, {c['failed']} failed, "
          f"{c['resent_skipped']} already sent", "ok")
    return redirect(url_for("notifications.page"))


@bp.route("/api/notifications")
@requires("configure")
def api_log():
    return jsonify(N.log(current_app.platform.db))
