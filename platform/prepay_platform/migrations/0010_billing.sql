-- SPDX-License-Identifier: MIT
-- Billing (plat-bill): charge items, common-area groups, postpaid accounts, period settings and the
-- statements the settlement Site hands out at period close. Money stays in the Site's journal;
-- these rows describe the site (rebuilt from them) and keep the statements' display copies.
CREATE TABLE billing_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE billing_items (id BIGINT PRIMARY KEY, name TEXT NOT NULL, basis TEXT NOT NULL, rate_fen BIGINT NOT NULL,
    schedule TEXT NOT NULL, anchor TEXT NOT NULL, effective_from TEXT NOT NULL, effective_to TEXT NOT NULL,
    household_id BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE billing_accounts (household_id BIGINT PRIMARY KEY REFERENCES households (id), kind TEXT NOT NULL);
CREATE TABLE billing_master_meters (id BIGINT PRIMARY KEY, name TEXT NOT NULL, address TEXT NOT NULL UNIQUE);
CREATE TABLE billing_groups (number INTEGER PRIMARY KEY, name TEXT NOT NULL, master_meter_id BIGINT NOT NULL
    REFERENCES billing_master_meters (id), method TEXT NOT NULL, tariff_number INTEGER NOT NULL,
    created_at BIGINT NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE billing_members (group_number INTEGER NOT NULL REFERENCES billing_groups (number),
    meter_id BIGINT NOT NULL, ratio BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (group_number, meter_id));
CREATE TABLE billing_shares (period_end TEXT NOT NULL, household_id BIGINT NOT NULL, group_number INTEGER NOT NULL,
    amount_fen BIGINT NOT NULL, PRIMARY KEY (period_end, household_id, group_number));
CREATE TABLE billing_statements (statement_id BIGINT PRIMARY KEY, household_id BIGINT NOT NULL,
    period_start TEXT NOT NULL, period_end TEXT NOT NULL, site_issue_date TEXT NOT NULL,
    opening_fen BIGINT NOT NULL, charges_fen BIGINT NOT NULL, payments_fen BIGINT NOT NULL,
    closing_fen BIGINT NOT NULL, lines TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'generated',
    issue_date TEXT, due_date TEXT, seal BIGINT, confirmed_by TEXT, issued_by TEXT, paid_fen BIGINT NOT NULL DEFAULT 0);
CREATE INDEX billing_statements_household ON billing_statements (household_id);
