-- SPDX-License-Identifier: MIT
-- Descriptions of the site: buildings, floors, rooms, tariff schemes, households (one settlement
-- account each), their meters and tenants. Money lives in the settlement journal, not here.
CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE buildings (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE floors (id BIGINT PRIMARY KEY, building_id BIGINT NOT NULL REFERENCES buildings (id),
    name TEXT NOT NULL, UNIQUE (building_id, name));
CREATE TABLE rooms (id BIGINT PRIMARY KEY, floor_id BIGINT NOT NULL REFERENCES floors (id), name TEXT NOT NULL,
    area_centi BIGINT NOT NULL DEFAULT 0, UNIQUE (floor_id, name));
CREATE TABLE tariffs (id BIGINT PRIMARY KEY, number INTEGER NOT NULL UNIQUE, name TEXT NOT NULL,
    commodity TEXT NOT NULL, document TEXT NOT NULL, created_at BIGINT NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE tenants (id BIGINT PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL DEFAULT '');
CREATE TABLE households (id BIGINT PRIMARY KEY, room_id BIGINT NOT NULL UNIQUE REFERENCES rooms (id),
    tenant_id BIGINT REFERENCES tenants (id), tariff_id BIGINT NOT NULL REFERENCES tariffs (id),
    water_tariff_id BIGINT REFERENCES tariffs (id), alarm1_fen BIGINT NOT NULL, alarm2_fen BIGINT NOT NULL,
    opened_at BIGINT NOT NULL, opened_by TEXT NOT NULL);
CREATE TABLE meters (id BIGINT PRIMARY KEY, household_id BIGINT NOT NULL REFERENCES households (id),
    commodity TEXT NOT NULL, address TEXT NOT NULL UNIQUE, online INTEGER NOT NULL DEFAULT 0,
    relay_closed INTEGER NOT NULL DEFAULT 1, last_read_at BIGINT, last_value BIGINT);
