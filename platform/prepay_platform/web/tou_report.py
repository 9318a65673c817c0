# SPDX-License-Identifier: MIT
"""The per-shop report split by TOU band (services/tou_report.py): page and CSV at /reports/shops/bands,
JSON at /api/reports/shops/bands. Readable by every operator role."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from ..services import reports, tou_report
from ..services.errors import InputError
from .auth import requires

bp = Blueprint("tou_report", __name__)


def _period() -> str:
    period = request.args.get("period", "month")
    if period not in tou_report.PERIODS:
        raise InputError(f"period: one of {', '.join(tou_report.PERIODS)}", "period")
    return period


@bp.route("/reports/shops/bands")
@requires("view")
def page():
    period = _period()
    rows = tou_report.shops_by_band(current_app.platform, period)
    columns = tou_report.columns()
    if request.args.get("format") == "csv":
        return Response(reports.to_csv(rows, columns), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename=shops-bands-{period}.csv"})
    return render_template("shops_bands.html", rows=rows, period=period, columns=columns, bands=tou_report.BANDS)


@bp.route("/api/reports/shops/bands")
@requires("view")
def api():
    rows = tou_report.shops_by_band(current_app.platform, _period())
    return jsonify([{k: (str(v) if v is not None and not isinstance(v, (int, bool, str)) else v)
                     for k, v in r.items()} for r in rows])
