# SPDX-License-Identifier: MIT
"""Seeds an empty platform from a prepay-site/1 file (the emulator's site, docs/emulator.md):
one building, a floor per leading room digit, a room, tenant and account per meter, the site's
tariff as the first scheme. Does nothing when buildings exist already (a restart)."""
from __future__ import annotations

import json
import os

from . import site


def seed_site(platform, path: str, who: str = "setup") -> list:
    """Returns the created (room name, household id) pairs ([] when the platform was seeded)."""
    db = platform.db
    if db.one("SELECT id FROM buildings") is not None:
        return []
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    with open(os.path.join(os.path.dirname(os.path.abspath(path)), doc["tariff"]), encoding="utf-8") as f:
        tariff = site.add_tariff(platform, os.path.splitext(os.path.basename(doc["tariff"]))[0], f.read(), who)
    building = site.add_building(db, doc.get("name", "Building")[:64], who)
    floors, out = {}, []
    for m in doc["meters"]:
        if m.get("feeds"):
            continue  # an incomer: common-area metering, not a shop
        address = m["address"]
        name = address[-3:].lstrip("0") or address
        floor_name = f"{name[0]}F"
        if floor_name not in floors:
            floors[floor_name] = site.add_floor(db, building, floor_name, who)
        room = site.add_room(db, floors[floor_name], name, "30", who)
        tenant = site.add_tenant(db, f"Shop {name}", "", who)
        defaults = doc.get("defaults", {})
        hid = site.open_account(platform, room, tariff, [(address, "electricity")], who, tenant_id=tenant,
                                alarm1=m.get("alarm1", defaults.get("alarm1", "20.00")),
                                alarm2=m.get("alarm2", defaults.get("alarm2", "10.00")))
        out.append((name, hid, tenant))
    return out


def endpoints(db, port: int = 0, host: str = "127.0.0.1") -> list:
    """(meter id, address, kind, dtu id or None) of every meter, for a station on one bus port and
    a DTU listener (a meter with a DTU id is reached through the DTU that registers with it)."""
    return [(m["id"], m["address"], "dlt645" if m["commodity"] == "electricity" else "cjt188", m["dtu_id"] or None)
            for m in db.query("SELECT id, address, commodity, dtu_id FROM meters ORDER BY id")]


def set_meter_dtu(db, meter: str, dtu_id: str) -> int:
    """Puts a meter (its address, or ``*`` for every meter) behind a dial-in DTU (``""``: none);
    returns the number of meters changed. An unknown address or a DTU id that is not 1..32
    printable ASCII characters (what a registration packet can carry) raises ValueError."""
    if dtu_id and (len(dtu_id) > 32 or not all(0x21 <= ord(c) <= 0x7E for c in dtu_id)):
        raise ValueError(f"DTU id {dtu_id!r}: 1..32 printable ASCII characters")
    value = dtu_id or None
    with db.transaction():
        if meter == "*":
            n = len(db.query("SELECT id FROM meters"))
            db.execute("UPDATE meters SET dtu_id = ?", (value,))
            return n
        if db.one("SELECT id FROM meters WHERE address = ?", (meter,)) is None:
            raise ValueError(f"no meter with the address {meter!r}")
        db.execute("UPDATE meters SET dtu_id = ? WHERE address = ?", (value, meter))
        return 1
