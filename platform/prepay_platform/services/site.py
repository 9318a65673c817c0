# SPDX-License-Identifier: MIT
"""The site's description: buildings, floors, rooms, tenants, tariff schemes (prepay-tariff/1 JSON
loaded by prepay.tariff), households (one settlement account, several meters incl. water)."""
from __future__ import annotations

from prepay.tariff import Tariff

from . import audit, clock, validate
from .errors import InputError, NotFound


def _unique(db, sql, params, message, field):
    if db.one(sql, params) is not None:
        raise InputError(message, field)


def add_building(db, name, who) -> int:
    name = validate.name(name)
    _unique(db, "SELECT id FROM buildings WHERE name = ?", (name,), f"building {name!r} exists", "name")
    with db.transaction():
        bid = db.next_id("buildings")
        db.execute("INSERT INTO buildings (id, name) VALUES (?, ?)", (bid, name))
        audit.record(db, who, "building.add", f"building:{bid}", {"name": name})
    return bid


def add_floor(db, building_id, name, who) -> int:
    building_id, name = validate.ident(building_id, "building"), validate.name(name)
    if db.one("SELECT id FROM buildings WHERE id = ?", (building_id,)) is None:
        raise InputError(f"building {building_id} does not exist", "building")
    _unique(db, "SELECT id FROM floors WHERE building_id = ? AND name = ?", (building_id, name),
            f"floor {name!r} exists in this building", "name")
    with db.transaction():
        fid = db.next_id("floors")
        db.execute("INSERT INTO floors (id, building_id, name) VALUES (?, ?, ?)", (fid, building_id, name))
        audit.record(db, who, "floor.add", f"floor:{fid}", {"name": name, "building": building_id})
    return fid


def add_room(db, floor_id, name, area, who) -> int:
    floor_id, name, area = validate.ident(floor_id, "floor"), validate.name(name), validate.area_centi(area)
    if db.one("SELECT id FROM floors WHERE id = ?", (floor_id,)) is None:
        raise InputError(f"floor {floor_id} does not exist", "floor")
    _unique(db, "SELECT id FROM rooms WHERE floor_id = ? AND name = ?", (floor_id, name),
            f"room {name!r} exists on this floor", "name")
    with db.transaction():
        rid = db.next_id("rooms")
        db.execute("INSERT INTO rooms (id, floor_id, name, area_centi) VALUES (?, ?, ?, ?)", (rid, floor_id, name, area))
        audit.record(db, who, "room.add", f"room:{rid}", {"name": name, "floor": floor_id})
    return rid


def add_tenant(db, name, phone, who) -> int:
    name = validate.name(name)
    phone = str(phone or "").strip()
    if phone and not (phone.replace("+", "", 1).replace("-", "").isdigit() and len(phone) <= 20):
        raise InputError("phone: digits, '+' and '-' only", "phone")
    with db.transaction():
        tid = db.next_id("tenants")
        db.execute("INSERT INTO tenants (id, name, phone) VALUES (?, ?, ?)", (tid, name, phone))
        audit.record(db, who, "tenant.add", f"tenant:{tid}", {"name": name})
    return tid


def add_tariff(platform, name, document, who) -> int:
    """A tariff scheme from a prepay-tariff/1 JSON document (refused with the loader's message)."""
    db = platform.db
    name = validate.name(name)
    text = document.decode("utf-8") if isinstance(document, bytes) else str(document or "")
    try:
        t = Tariff.loads(text, origin=name)
    except (ValueError, KeyError, OSError) as e:
        raise InputError(f"tariff document: {e}", "document") from None
    commodity = "water" if getattr(t.unit, "name", "") == "WATER" else "electricity"
    _unique(db, "SELECT id FROM tariffs WHERE name = ?", (name,), f"tariff scheme {name!r} exists", "name")
    with db.transaction():
        tid = db.next_id("tariffs")
        number = db.scalar("SELECT COUNT(*) FROM tariffs")
        db.execute("INSERT INTO tariffs (id, number, name, commodity, document, created_at, created_by) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", (tid, number, name, commodity, text, clock.now(), who))
        audit.record(db, who, "tariff.add", f"tariff:{tid}", {"name": name, "commodity": commodity})
    platform.money.rebuild()
    return tid


def tariffs(db) -> list:
    return db.query("SELECT id, number, name, commodity, created_at, created_by FROM tariffs ORDER BY number")


def open_account(platform, room_id, tariff_id, meters, who, tenant_id=None, water_tariff_id=None,
                 alarm1="20.00", alarm2="10.00") -> int:
    """Opens a household on a room: one settlement account, ``meters`` a list of (address,
    commodity) with at least one electricity meter. All checked before anything is written."""
    db = platform.db
    room_id, tariff_id = validate.ident(room_id, "room"), validate.ident(tariff_id, "tariff")
    a1, a2 = validate.money_fen(alarm1, "alarm 1"), validate.money_fen(alarm2, "alarm 2")
    if a2 >= a1:
        raise InputError("alarm 2 must be below alarm 1", "alarm2")
    if db.one("SELECT id FROM rooms WHERE id = ?", (room_id,)) is None:
        raise InputError(f"room {room_id} does not exist", "room")
    if db.one("SELECT id FROM households WHERE room_id = ?", (room_id,)) is not None:
        raise InputError("this room already has an open account", "room")
    t = db.one("SELECT * FROM tariffs WHERE id = ?", (tariff_id,))
    if t is None or t["commodity"] != "electricity":
        raise InputError("tariff: choose an electricity tariff scheme", "tariff")
    if water_tariff_id not in (None, ""):
        water_tariff_id = validate.ident(water_tariff_id, "water tariff")
        w = db.one("SELECT * FROM tariffs WHERE id = ?", (water_tariff_id,))
        if w is None or w["commodity"] != "water":
            raise InputError("water tariff: choose a water tariff scheme", "water_tariff")
    else:
        water_tariff_id = None
    if tenant_id not in (None, ""):
        tenant_id = validate.ident(tenant_id, "tenant")
        if db.one("SELECT id FROM tenants WHERE id = ?", (tenant_id,)) is None:
            raise InputError(f"tenant {tenant_id} does not exist", "tenant")
    else:
        tenant_id = None
    checked, seen = [], set()
    for address, commodity in meters:
        address = validate.address(address)
        commodity = validate.choice(commodity, ("electricity", "water"), "commodity")
        if address in seen or db.one("SELECT id FROM meters WHERE address = ?", (address,)) is not None:
            raise InputError(f"meter {address} is already installed", "address")
        if commodity == "water" and water_tariff_id is None:
            raise InputError("a water meter needs a water tariff scheme", "water_tariff")
        seen.add(address)
        checked.append((address, commodity))
    if not any(c == "electricity" for _, c in checked):
        raise InputError("give at least one electricity meter", "address")
    with db.transaction():
        hid = db.next_id("households")
        db.execute("INSERT INTO households (id, room_id, tenant_id, tariff_id, water_tariff_id, alarm1_fen, alarm2_fen, "
                   "opened_at, opened_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (hid, room_id, tenant_id, tariff_id, water_tariff_id, a1, a2, clock.now(), who))
        for address, commodity in checked:
            mid = db.next_id("meters")
            db.execute("INSERT INTO meters (id, household_id, commodity, address) VALUES (?, ?, ?, ?)",
                       (mid, hid, commodity, address))
        audit.record(db, who, "account.open", f"household:{hid}",
                     {"room": room_id, "tariff": tariff_id, "meters": checked, "tenant": tenant_id})
    try:
        platform.money.rebuild()
    except (ValueError, KeyError) as e:  # the library refused the description: take it back
        with db.transaction():
            db.execute("DELETE FROM meters WHERE household_id = ?", (hid,))
            db.execute("DELETE FROM households WHERE id = ?", (hid,))
        platform.money.rebuild()
        raise InputError(f"the settlement site refused the account: {e}") from None
    return hid


def rooms(db, tenant_id=None) -> list:
    """Rooms with building, floor, household, balance cache and meter state (one row per room)."""
    sql = ("SELECT r.id, r.name, r.area_centi, f.name AS floor, f.id AS floor_id, b.name AS building, "
           "b.id AS building_id, h.id AS household_id, h.tenant_id, t.name AS tenant, c.balance_fen, c.debt_fen, "
           "c.level, c.relay_open, c.keep_power, "
           "(SELECT COUNT(*) FROM meters m WHERE m.household_id = h.id) AS meters, "
           "(SELECT COUNT(*) FROM meters m WHERE m.household_id = h.id AND m.online = 1) AS online "
           "FROM rooms r JOIN floors f ON f.id = r.floor_id JOIN buildings b ON b.id = f.building_id "
           "LEFT JOIN households h ON h.room_id = r.id LEFT JOIN tenants t ON t.id = h.tenant_id "
           "LEFT JOIN balances c ON c.household_id = h.id ")
    if tenant_id is not None:
        return db.query(sql + "WHERE h.tenant_id = ? ORDER BY b.name, f.name, r.name", (tenant_id,))
    return db.query(sql + "ORDER BY b.name, f.name, r.name")


def room(db, room_id) -> dict:
    row = next((r for r in rooms(db) if r["id"] == room_id), None)
    if row is None:
        raise NotFound(f"room {room_id}")
    row["meter_list"] = db.query("SELECT * FROM meters WHERE household_id = ? ORDER BY id",
                                 (row["household_id"] or 0,))
    return row
