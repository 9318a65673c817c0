-- SPDX-License-Identifier: MIT
-- Notification deliveries as the platform sent them (plat-field): one row per (event, channel) key.
-- The library's outbox in the journal is the source of truth for what is due; this table records
-- what a channel accepted, so a delivery handed out again after a crash is acknowledged, not resent.
-- state: sent | acked | failed
CREATE TABLE notify_deliveries (
    idem_key TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    channel INTEGER NOT NULL,
    channel_name TEXT NOT NULL,
    account_id BIGINT NOT NULL,
    event_type INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_at BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX notify_deliveries_account ON notify_deliveries (account_id, last_at);
