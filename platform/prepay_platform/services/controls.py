# SPDX-License-Identifier: MIT
"""Remote controls of a household: manual trip / close and keep-power as wallet commands in force
(the Site decides the relay and the station carries it out), alarm thresholds. Audited."""
from __future__ import annotations

from prepay._enums import WalletInput

from . import audit, clock, validate
from .errors import InputError, NotFound

ACTIONS = ("trip", "close", "keep", "unkeep")


def relay_action(platform, household_id: int, action: str, who: str) -> dict:
    """trip: REMOTE_TRIP in force; close: released; keep / unkeep: KEEP_POWER in force or released,
    and the keep-power command sent to each electricity meter."""
    db, money = platform.db, platform.money
    action = validate.choice(action, ACTIONS, "action")
    if db.one("SELECT id FROM households WHERE id = ?", (household_id,)) is None:
        raise NotFound(f"household {household_id}")
    flags = money.account(household_id).commands
    if action == "trip":
        flags |= WalletInput.REMOTE_TRIP
    elif action == "close":
        flags &= ~WalletInput.REMOTE_TRIP
    elif action == "keep":
        flags |= WalletInput.KEEP_POWER
    else:
        flags &= ~WalletInput.KEEP_POWER
    at = clock.now()
    audit.record(db, who, f"control.{action}", f"household:{household_id}", {"commands": int(flags)}, at)
    result = money.run("commands", {"household": household_id, "flags": int(flags), "at": at}, at, who)
    sent = []
    if action in ("keep", "unkeep"):
        for m in db.query("SELECT id FROM meters WHERE household_id = ? AND commodity = 'electricity'", (household_id,)):
            sent.append(money.relay(m["id"], action, "operator", who))
    return {"action": action, "events": [e.type.name for e in result.events], "sent": sent,
            "relay_open": bool(money.account(household_id).relay)}


def set_thresholds(platform, household_id: int, alarm1, alarm2, who: str) -> None:
    """Alarm thresholds (yuan): level 1 at alarm1, level 2 (pre-trip) at alarm2 < alarm1."""
    db = platform.db
    a1 = validate.money_fen(alarm1, "alarm 1")
    a2 = validate.money_fen(alarm2, "alarm 2")
    if a2 >= a1:
        raise InputError("alarm 2 must be below alarm 1 (level 2 is the lower balance)", "alarm2")
    if db.one("SELECT id FROM households WHERE id = ?", (household_id,)) is None:
        raise NotFound(f"household {household_id}")
    with db.transaction():
        db.execute("UPDATE households SET alarm1_fen = ?, alarm2_fen = ? WHERE id = ?", (a1, a2, household_id))
        audit.record(db, who, "thresholds", f"household:{household_id}", {"alarm1": a1, "alarm2": a2})
    platform.money.rebuild()
