# SPDX-License-Identifier: MIT
"""Readings ingestion: station readings -> meter online/offline state, usage rows for curves and
reports, and one Site.settle call per batch (which raises alarms, cut-offs and restores)."""
from __future__ import annotations

from . import clock


def _get(r, name, default=None):
    return r.get(name, default) if isinstance(r, dict) else getattr(r, name, default)


def ingest(platform, readings, who: str = "station") -> dict:
    """``readings``: plat-field ``Reading`` objects or dicts (meter_id, ok, at, energy_wh | litres or
    value, relay_closed). Failed reads mark the meter offline; good ones are settled as one batch."""
    db = platform.db
    good, offline = [], 0
    for r in readings:
        mid = int(_get(r, "meter_id"))
        at = _get(r, "at") or clock.now()
        at = int(at.timestamp()) if hasattr(at, "timestamp") else int(at)
        if not _get(r, "ok", True):
            db.execute("UPDATE meters SET online = 0 WHERE id = ?", (mid,))
            offline += 1
            continue
        value = _get(r, "value")
        if value is None:
            value = _get(r, "energy_wh")
        if value is None:
            value = _get(r, "litres")
        good.append((mid, at, int(value), _get(r, "relay_closed")))
    result = None
    if good:
        result = platform.money.run("settle", {"readings": [[m, t, v] for m, t, v, _ in good]}, clock.now(), who)
        last = {r["id"]: r for r in db.query("SELECT id, last_value, last_read_at FROM meters")}
        usage, state = [], []
        for m, t, v, relay in sorted(good, key=lambda g: (g[0], g[1])):
            prev = last.get(m)
            if prev and prev["last_read_at"] is not None and prev["last_read_at"] >= t:
                continue  # a late or repeated reading: the Site has it, the curve keeps its order
            delta = 0 if not prev or prev["last_value"] is None else max(0, v - prev["last_value"])
            usage.append((m, t, v, delta))
            state.append((t, v, relay, m))
            last[m] = {"id": m, "last_value": v, "last_read_at": t}
        with db.transaction():
            db.execute_many("INSERT INTO usage (meter_id, at, value, delta) VALUES (?, ?, ?, ?) "
                            "ON CONFLICT DO NOTHING", usage)
            db.execute_many("UPDATE meters SET online = 1, last_read_at = ?, last_value = ?, "
                            "relay_closed = COALESCE(?, relay_closed) WHERE id = ?",
                            [(t, v, None if relay is None else int(bool(relay)), m) for t, v, relay, m in state])
    return {"settled": len(good), "offline": offline,
            "events": [e.type.name for e in result.events] if result is not None else []}


def poll(platform, who: str = "station") -> dict:
    """Reads every meter through the station once and ingests the readings."""
    if platform.station is None:
        return {"settled": 0, "offline": 0, "events": []}
    ids = [m["id"] for m in platform.db.query("SELECT id FROM meters ORDER BY id")]
    return ingest(platform, platform.station.read_many(ids), who)
