-- SPDX-License-Identifier: MIT
-- Tenant payment orders through a payment channel; a paid notify credits the household through the
-- idempotent recharge (request key 'pay:<order_no>'), so duplicate notifies credit once.
CREATE TABLE pay_orders (order_no TEXT PRIMARY KEY, household_id BIGINT NOT NULL REFERENCES households (id),
    amount_fen BIGINT NOT NULL, state TEXT NOT NULL, created_at BIGINT NOT NULL, created_by TEXT NOT NULL,
    paid_at BIGINT, notifies INTEGER NOT NULL DEFAULT 0);
