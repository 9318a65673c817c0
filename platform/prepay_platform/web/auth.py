# SPDX-License-Identifier: MIT
"""Sessions, CSRF tokens and role checks, all server-side.

Every POST (form or API) must carry the session's CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``), except the payment notify, which is authenticated by the channel's signature.
Roles: admin (everything), operator (site, accounts, controls, recharges), finance (recharges,
finance, reports), readonly (views); tenants see only their own households."""
from __future__ import annotations

import functools
import hmac
import secrets

from flask import abort, current_app, g, jsonify, redirect, request, session, url_for

PERMISSIONS = {
    "view": {"admin", "operator", "finance", "readonly"},
    "recharge": {"admin", "operator", "finance"},
    "control": {"admin", "operator"},
    "configure": {"admin", "operator"},
    "finance": {"admin", "finance", "readonly"},
    "users": {"admin"},
}
# api.login: JSON only (a cross-site form cannot send application/json without a CORS preflight).
CSRF_EXEMPT = {"pay.notify", "api.login"}


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Before every request: a POST without the session's token is refused (400)."""
    if request.method != "POST" or request.endpoint in CSRF_EXEMPT:
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    token = session.get("csrf") or ""
    if not token or not hmac.compare_digest(sent, token):
        abort(400, description="missing or wrong CSRF token: reload the page and try again")


def load_user() -> None:
    g.user = None
    uid = session.get("uid")
    if uid is not None:
        g.user = current_app.platform.db.one("SELECT id, login, role, tenant_id FROM users WHERE id = ? AND active = 1",
                                             (uid,))


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _guard(allowed):
    """Decorator factory: a signed-in user whose role passes ``allowed(role)``; anyone else is sent
    to the sign-in page (401 for JSON callers) or refused (403)."""
    def wrap(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            if g.user is None:
                if _wants_json():
                    return jsonify(error="sign in first"), 401
                return redirect(url_for("pages.login", next=request.path))
            if not allowed(g.user["role"]):
                abort(403)
            return view(*args, **kwargs)
        return inner
    return wrap


def requires(permission: str):
    """Decorator: the signed-in operator must have ``permission`` (tenants never do)."""
    roles = PERMISSIONS[permission]  # an unknown permission fails when the view is declared
    return _guard(lambda role: role in roles)


# Decorator: a signed-in tenant.
tenant_only = _guard(lambda role: role == "tenant")


def who() -> str:
    return g.user["login"] if g.user else "anonymous"


def can(permission: str) -> bool:
    return g.user is not None and g.user["role"] in PERMISSIONS[permission]
