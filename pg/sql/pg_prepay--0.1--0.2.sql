-- SPDX-License-Identifier: MIT
-- pg_prepay 0.1 -> 0.2: reports (calendar buckets by band with exact fees,
-- year-on-year and period-on-period growth with null reasons), views in
-- currency units for people (the tables stay in minor units), and the CJ/T 188
-- and Modbus codecs.
\echo Use "ALTER EXTENSION pg_prepay UPDATE TO '0.2'" to load this file. \quit

-- prepay_report(options, meter, start_at, end_at, band, energy, fee): one key's
-- (GROUP BY account) report; options {"period": "month", "from": "2024-01-01",
-- "to": "2026-01-01", "basis": "total"}; band slot 0 (none) .. 5; fee exact
-- minor units (numeric) or NULL when unpriced. Combinable.
CREATE FUNCTION prepay_report_transfn(internal, jsonb, bigint, timestamp, timestamp, integer, bigint, numeric)
    RETURNS internal AS 'MODULE_PATHNAME', 'pgp_report_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION prepay_report_finalfn(internal) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pgp_report_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION prepay_report_combinefn(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'pgp_report_combinefn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION prepay_report_serialfn(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pgp_report_serialfn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_report_deserialfn(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'pgp_report_deserialfn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE prepay_report(options jsonb, meter bigint, start_at timestamp, end_at timestamp, band integer,
    energy bigint, fee numeric) (
    SFUNC = prepay_report_transfn,
    STYPE = internal,
    SSPACE = 65536,
    FINALFUNC = prepay_report_finalfn,
    FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = prepay_report_combinefn,
    SERIALFUNC = prepay_report_serialfn,
    DESERIALFUNC = prepay_report_deserialfn,
    PARALLEL = SAFE
);

-- (current - base) / base as an exact fraction (0.125 = +12.5 %), NULL where
-- the library says a growth is meaningless (zero or negative base).
CREATE FUNCTION prepay_report_growth(current bigint, base bigint) RETURNS numeric
    AS 'MODULE_PATHNAME', 'pgp_report_growth' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_report_growth_null_reason(current bigint, base bigint) RETURNS text
    AS 'MODULE_PATHNAME', 'pgp_report_growth_null_reason' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The lines of a bill (jsonb from prepay_bill / prepay_bill_stream) as rows.
CREATE FUNCTION prepay_bill_lines(bill jsonb) RETURNS TABLE (kind text, cycle date, price_set text, band integer,
    band_name text, tier integer, quantity bigint, price bigint, amount numeric, money bigint, item integer, name text)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT l.kind, l.cycle::date, l.set, l.band, l.band_name, l.tier, l.quantity, l.price, l.amount, l.money,
           l.item, l.name
    FROM jsonb_to_recordset(bill -> 'lines') AS l(kind text, cycle text, set text, band integer, band_name text,
        tier integer, quantity bigint, price bigint, amount numeric, money bigint, item integer, name text)
$$;

-- Minor units to currency units, for people (exact numeric).
CREATE FUNCTION prepay_money_numeric(money bigint) RETURNS numeric
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT round(money::numeric / 100, 2) $$;

CREATE VIEW prepay_account_view AS
    SELECT a.id,
           (ARRAY['wallet', 'revenue', 'payment_clearing', 'refunds_payable', 'emergency_credit', 'common_area',
                  'adjustments', 'debt'])[a.kind] AS kind,
           round((a.credits_posted - a.debits_posted)::numeric / 100, 2) AS balance,
           round((a.credits_posted - a.debits_posted - a.debits_pending)::numeric / 100, 2) AS available,
           round(a.debits_posted::numeric / 100, 2) AS debits, round(a.credits_posted::numeric / 100, 2) AS credits,
           (a.flags & 4) <> 0 AS closed
    FROM prepay_account a;

-- CJ/T 188-2004 (water, heat, gas meters) and Modbus RTU, as the library gained them:
-- the same shape as DL/T 645, a frame to jsonb and a reply's value in library units.
-- di_order: 'auto' (find it from the 2004 DI set), 'high' (90 1F) or 'low' (1F 90).
CREATE FUNCTION prepay_cjt188_decode(frame bytea, di_order text DEFAULT 'auto') RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pgp_cjt188_decode' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- The cumulative volume in litres of a reply to a 901F (current data) read; NULL when the meter sent FF.
CREATE FUNCTION prepay_cjt188_value(frame bytea, di_order text DEFAULT 'auto') RETURNS bigint
    AS 'MODULE_PATHNAME', 'pgp_cjt188_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- direction: 'any' (bus sniffing), 'request' or 'response'.
CREATE FUNCTION prepay_modbus_decode(adu bytea, direction text DEFAULT 'any') RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pgp_modbus_decode' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- The registers of a shipped map ('ddsy1352', 'xintai-water') that a read response from `start` covers.
CREATE FUNCTION prepay_modbus_values(map text, start integer, response bytea,
    OUT name text, OUT address integer, OUT unit text, OUT value bigint, OUT status text) RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'pgp_modbus_values' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- CRC-16/MODBUS of some bytes, as sent (low byte first): to build or check frames in SQL.
CREATE FUNCTION prepay_modbus_crc(bytes bytea) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pgp_modbus_crc' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The ledger's transfer codes by name, with the settlement's sale to a meter purse (12) that the library gained.
CREATE OR REPLACE FUNCTION prepay_ledger_code(name text) RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE name
        WHEN 'recharge' THEN 1 WHEN 'refund' THEN 2 WHEN 'deduction' THEN 3 WHEN 'fee' THEN 4
        WHEN 'emergency_credit' THEN 5 WHEN 'repay_emergency' THEN 6 WHEN 'repay_debt' THEN 7
        WHEN 'debt' THEN 8 WHEN 'adjustment' THEN 9 WHEN 'allocation' THEN 10 WHEN 'reversal' THEN 11
        WHEN 'sale' THEN 12
    END
$$;
