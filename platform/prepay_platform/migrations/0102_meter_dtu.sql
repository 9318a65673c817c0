-- SPDX-License-Identifier: MIT
-- The dial-in DTU a meter is behind (docs/platform.md "Dial-in DTUs"): the id the DTU registers
-- with, or NULL for a meter on the station's TCP bus or serial port. Common subset of SQLite and
-- PostgreSQL.
ALTER TABLE meters ADD COLUMN dtu_id TEXT;
