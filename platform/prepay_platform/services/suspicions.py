# SPDX-License-Identifier: MIT
"""Anti-theft suspicions: the library's deterministic rules (prepay.analysis, docs/events.md) over
the electricity meters' stored readings; each suspicion with the rule, its interval and the two
numbers it compared, and each meter's total score."""
from __future__ import annotations

from prepay import analysis

from . import clock


def find(db, since=None) -> list:
    """Suspicions of every electricity meter, highest meter score first."""
    meters = db.query("SELECT m.id, m.address, r.name AS room FROM meters m JOIN households h ON h.id = m.household_id "
                      "JOIN rooms r ON r.id = h.room_id WHERE m.commodity = 'electricity' ORDER BY m.id")
    if not meters:
        return []
    sql = "SELECT u.meter_id, u.at, u.value FROM usage u JOIN meters m ON m.id = u.meter_id WHERE m.commodity = 'electricity'"
    rows = db.query(sql + (" AND u.at >= ?" if since else "") + " ORDER BY u.meter_id, u.at", (since,) if since else ())
    readings = [analysis.Reading(r["meter_id"], clock.local(r["at"]), r["value"]) for r in rows]
    found = analysis.run([analysis.Meter(m["id"]) for m in meters], readings)
    by_id = {m["id"]: m for m in meters}
    out = [{"meter_id": s.meter, "address": by_id[s.meter]["address"], "room": by_id[s.meter]["room"],
            "rule": s.rule.name, "score": s.score, "start": s.start, "end": s.end, "observed": s.observed,
            "expected": s.expected, "meter_score": analysis.score(found, s.meter)} for s in found]
    return sorted(out, key=lambda s: (-s["meter_score"], s["meter_id"], s["start"]))
