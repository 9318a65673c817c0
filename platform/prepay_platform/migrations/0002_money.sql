-- SPDX-License-Identifier: MIT
-- The inputs given to the settlement site, in order (re-run after a restart to rebuild the site's
-- state over the recovered journal, docs/settlement.md section 7), the orders shown in finance,
-- the site's events, relay commands sent and the balance cache.
CREATE TABLE site_inputs (seq BIGINT PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, at BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending');
CREATE TABLE recharge_orders (id BIGINT PRIMARY KEY, household_id BIGINT NOT NULL REFERENCES households (id),
    request_key TEXT NOT NULL, sequence INTEGER NOT NULL, amount_fen BIGINT NOT NULL, channel TEXT NOT NULL,
    state TEXT NOT NULL, created_at BIGINT NOT NULL, created_by TEXT NOT NULL,
    UNIQUE (household_id, request_key), UNIQUE (household_id, sequence));
CREATE TABLE events (id TEXT PRIMARY KEY, type TEXT NOT NULL, at BIGINT NOT NULL, household_id BIGINT NOT NULL,
    meter_id BIGINT NOT NULL, balance_fen BIGINT NOT NULL, amount_fen BIGINT NOT NULL, energy BIGINT NOT NULL,
    level INTEGER NOT NULL, detail TEXT NOT NULL DEFAULT '');
CREATE INDEX events_household ON events (household_id, at);
CREATE TABLE relay_commands (id BIGINT PRIMARY KEY, meter_id BIGINT NOT NULL REFERENCES meters (id),
    action TEXT NOT NULL, cause TEXT NOT NULL, ok INTEGER NOT NULL, message TEXT NOT NULL, at BIGINT NOT NULL,
    by_user TEXT NOT NULL);
CREATE TABLE balances (household_id BIGINT PRIMARY KEY REFERENCES households (id), balance_fen BIGINT NOT NULL,
    debt_fen BIGINT NOT NULL, level INTEGER NOT NULL, relay_open INTEGER NOT NULL, keep_power INTEGER NOT NULL,
    updated_at BIGINT NOT NULL);
CREATE TABLE usage (meter_id BIGINT NOT NULL REFERENCES meters (id), at BIGINT NOT NULL, value BIGINT NOT NULL,
    delta BIGINT NOT NULL, PRIMARY KEY (meter_id, at));
