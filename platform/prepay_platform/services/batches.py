# SPDX-License-Identifier: MIT
"""Batch tasks of the platform over plat-field's BatchRunner (field/batch.py, persistent and
resumable). The handlers here go through the platform's services so that money and relay
decisions stay with the settlement Site and its input log:

- ``tariff``   target a meter; payload ``{"tariff_id": N}``: the scheme's document pushed by the
               station (written, read back, verified);
- ``relay``    target a household; payload ``{"action": "trip"|"close"|"keep"|"unkeep"}`` as the
               room page's controls (wallet commands in force, the Site decides the relay);
- ``recharge`` target a household; payload ``{"amount": "50.00"}``: the idempotent recharge keyed
               by the item's idempotency key, so an item re-run after a restart never credits twice.
"""
from __future__ import annotations

from . import controls, recharge
from .errors import InputError, NotFound


def handlers(platform) -> dict:
    def tariff(item):
        if platform.station is None:
            return False, "offline: no field station"
        row = platform.db.one("SELECT document FROM tariffs WHERE id = ?", (int(item["payload"]["tariff_id"]),))
        if row is None:
            return False, f"tariff scheme {item['payload']['tariff_id']} does not exist"
        r = platform.station.push_tariff(int(item["target"]), row["document"])
        return (True, "pushed and verified") if r.ok else (False, r.error)

    def relay(item):
        try:
            out = controls.relay_action(platform, int(item["target"]), item["payload"].get("action"),
                                        f"batch {item['task_id']}")
        except (InputError, NotFound) as e:
            return False, str(e)
        failed = [s for s in out["sent"] if not s["ok"]]
        if failed:
            return False, failed[0]["message"]
        return True, f"{out['action']}: relay {'open' if out['relay_open'] else 'closed'}"

    def credit(item):
        try:
            o = recharge.recharge(platform, int(item["target"]), item["payload"].get("amount"),
                                  item["idempotency_key"], f"batch {item['task_id']}", "batch")
        except (InputError, NotFound) as e:
            return False, str(e)
        return True, f"recharge {o['sequence']}" + (" (repeat: already credited)" if o["repeat"] else "")

    return {"tariff": tariff, "relay": relay, "recharge": credit}


def runner(platform):
    """plat-field's BatchRunner over the platform's handlers, or None when the adapter is absent."""
    try:
        from ..field.batch import BatchRunner
    except ImportError:
        return None
    return BatchRunner(platform.db, handlers(platform))
