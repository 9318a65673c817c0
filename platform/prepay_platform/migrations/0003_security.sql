-- SPDX-License-Identifier: MIT
-- Operators (roles admin, operator, finance, readonly) and tenant logins; the audit log of every
-- money-moving or relay action (who, when, what).
CREATE TABLE users (id BIGINT PRIMARY KEY, login TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
    tenant_id BIGINT REFERENCES tenants (id), password_hash TEXT NOT NULL, created_at BIGINT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE audit (id BIGINT PRIMARY KEY, at BIGINT NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,
    subject TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX audit_at ON audit (at);
