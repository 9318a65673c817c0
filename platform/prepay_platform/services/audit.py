# SPDX-License-Identifier: MIT
"""The audit log: every money-moving or relay action, and every change of the site's description,
with who and when. Written in the caller's transaction so an action and its record go together."""
from __future__ import annotations

import json

from . import clock


def record(db, who: str, action: str, subject: str, detail=None, at=None) -> int:
    """Appends one record; returns its id."""
    with db.transaction():
        rid = db.next_id("audit")
        db.execute("INSERT INTO audit (id, at, who, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)",
                   (rid, clock.now() if at is None else at, who, action, subject,
                    json.dumps(detail or {}, sort_keys=True, default=str)))
    return rid


def recent(db, limit: int = 200, subject_prefix: str = "") -> list:
    """The newest records first."""
    return db.query("SELECT * FROM audit WHERE subject LIKE ? ORDER BY id DESC LIMIT ?",
                    (subject_prefix + "%", int(limit)))
