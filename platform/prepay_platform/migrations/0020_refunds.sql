-- SPDX-License-Identifier: MIT
-- Refunds (docs/settlement.md "Refunds"): the row with its settlement refund sequence is written
-- before the Site is called, so a repeated request (same key) re-runs the same sequence: the
-- Site's harmless repeat. state: pending (before the Site), booked (wallet -> REFUNDS payable,
-- channel not paid yet or refused: retry with the same key), paid (channel or counter paid out).
CREATE TABLE refunds (id BIGINT PRIMARY KEY, household_id BIGINT NOT NULL REFERENCES households (id),
    request_key TEXT NOT NULL, sequence INTEGER NOT NULL, amount_fen BIGINT NOT NULL, order_no TEXT,
    channel TEXT NOT NULL, state TEXT NOT NULL, message TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL, created_by TEXT NOT NULL, paid_at BIGINT,
    UNIQUE (household_id, request_key), UNIQUE (household_id, sequence));
CREATE INDEX refunds_order ON refunds (order_no);
