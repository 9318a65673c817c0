# SPDX-License-Identifier: MIT
"""create_app(config) -> the Flask application.

config: ``db`` (database url), ``data`` (directory of the settlement journal), ``secret_key``,
``station`` (plat-field Station or None), ``pay_channel`` (a PaymentChannel or None),
``platform`` (an existing Platform, for tests)."""
from __future__ import annotations

import secrets

from flask import Flask, g, jsonify, render_template, request

from .platform import Platform
from .services import clock
from .services.errors import Forbidden, InputError, NotFound
from .services import batches as batch_service
from .web import api, auth, batches, pages, pay
from .web import notifications as notify_routes
from .web import refunds as refund_routes
from .web import tou_report as tou_routes
from .web import billing as billing_web


def create_app(config: dict) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=config.get("secret_key") or secrets.token_hex(32),
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      MAX_CONTENT_LENGTH=1 << 20)
    app.platform = config.get("platform") or Platform(config["db"], config["data"], config.get("station"))
    app.pay_channel = config.get("pay_channel")
    app.batch_runner = config.get("batch_runner", batch_service.runner(app.platform))
    app.before_request(auth.load_user)
    app.before_request(auth.check_csrf)
    app.jinja_env.globals.update(csrf_token=auth.csrf_token, can=auth.can, fmt=clock.fmt)
    app.jinja_env.filters["yuan"] = lambda fen: "" if fen is None else f"{int(fen) / 100:.2f}"
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(pay.bp)
    app.register_blueprint(batches.bp)
    app.register_blueprint(refund_routes.bp)
    app.register_blueprint(notify_routes.bp)
    app.register_blueprint(tou_routes.bp)
    app.register_blueprint(billing_web.bp)

    def error(status, message):
        if request.path.startswith("/api/") or request.path.startswith("/pay/"):
            return jsonify(error=message), status
        return render_template("error.html", status=status, message=message), status

    app.register_error_handler(InputError, lambda e: error(400, str(e)))
    app.register_error_handler(NotFound, lambda e: error(404, str(e)))
    app.register_error_handler(Forbidden, lambda e: error(403, "not allowed"))
    app.register_error_handler(400, lambda e: error(400, getattr(e, "description", "bad request")))
    app.register_error_handler(403, lambda e: error(403, "not allowed for your account"))
    app.register_error_handler(404, lambda e: error(404, "no such page"))
    return app
