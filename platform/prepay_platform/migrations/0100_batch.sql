-- SPDX-License-Identifier: MIT
-- Batch tasks (set tariff, relay control, recharge, parameters) and the scheduler's runs (plat-field).
-- Common subset of SQLite and PostgreSQL: times are BIGINT seconds since the epoch (UTC).
-- task state: scheduled | running | done | failed | cancelled
CREATE TABLE batch_tasks (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    run_at BIGINT NOT NULL,
    max_attempts INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    finished_at BIGINT,
    cancelled_at BIGINT,
    cancelled_by TEXT
);
-- item state: pending | running | ok | failed | retry | cancelled
CREATE TABLE batch_items (
    task_id BIGINT NOT NULL REFERENCES batch_tasks (id),
    item_id INTEGER NOT NULL,
    target BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_at BIGINT NOT NULL,
    message TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (task_id, item_id)
);
CREATE INDEX batch_items_state ON batch_items (state, next_at);
-- the Site recharge sequence chosen for an idempotency key, before the Site is called
CREATE TABLE batch_recharge_keys (
    idem_key TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    sequence BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL
);
-- one row per scheduled job and slot (hour or day): a slot is run once, also across restarts
CREATE TABLE schedule_runs (
    job TEXT NOT NULL,
    slot BIGINT NOT NULL,
    state TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    ok_count INTEGER NOT NULL,
    failed_count INTEGER NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (job, slot)
);
