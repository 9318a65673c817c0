-- SPDX-License-Identifier: MIT
-- pg_prepay 0.1: libprepay in SQL. Money is bigint minor units (fen, cent),
-- energy bigint Wh (water: L), prices bigint 1e-8 currency per kWh, time a
-- timestamp without time zone (local civil time, whole seconds for metered
-- intervals). See docs/postgresql.md.
\echo Use "CREATE EXTENSION pg_prepay" to load this file. \quit

CREATE FUNCTION prepay_version() RETURNS text
    AS 'MODULE_PATHNAME', 'pgp_version' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- numbers -------------------------------------------------------------------------------------

-- A decimal text to a scaled integer, rounded once by the library's rule:
-- prepay_decimal('0.40864765644073486', 3) = 409 (kWh -> Wh, half-up).
CREATE FUNCTION prepay_decimal(value text, decimals integer) RETURNS bigint
    AS 'MODULE_PATHNAME', 'pgp_decimal' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_decimal(value text, decimals integer, rounding text) RETURNS bigint
    AS 'MODULE_PATHNAME', 'pgp_decimal' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- tariffs ---------------------------------------------------------------------------------------

-- A prepay-tariff/1 document (docs/tariff-json.md) to a plan: validated by the
-- library now, and again (once per backend, then cached) wherever it is used.
CREATE FUNCTION prepay_tariff_compile(doc jsonb) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pgp_tariff_compile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- An OpenEI URDB rate or NREL SAM utilityrate5 inputs, as json (the text as
-- written: jsonb would rewrite their binary numbers); rate_scale escalates
-- every energy price exactly ('1.025' for SAM's year 2 at 2.5 %), NULL or '1' for none.
CREATE FUNCTION prepay_tariff_compile_urdb(doc json, rate_scale text DEFAULT NULL) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pgp_tariff_compile_urdb' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION prepay_tariff_info(plan bytea) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pgp_tariff_info' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_tariff_band_at(plan bytea, at timestamp) RETURNS integer
    AS 'MODULE_PATHNAME', 'pgp_tariff_band_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_tariff_price(plan bytea, band integer, tier integer) RETURNS bigint
    AS 'MODULE_PATHNAME', 'pgp_tariff_price' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_tariff_price(plan bytea, band integer, tier integer, price_set integer) RETURNS bigint
    AS 'MODULE_PATHNAME', 'pgp_tariff_price' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_tariff_cycle_start(plan bytea, at timestamp) RETURNS timestamp
    AS 'MODULE_PATHNAME', 'pgp_tariff_cycle_start' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_tariff_cycle_end(plan bytea, at timestamp) RETURNS timestamp
    AS 'MODULE_PATHNAME', 'pgp_tariff_cycle_end' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- The most energy (a multiple of quantum Wh) that money buys at an instant, from an empty cycle.
CREATE FUNCTION prepay_tariff_vend(plan bytea, at timestamp, money bigint, quantum bigint DEFAULT 10) RETURNS bigint
    AS 'MODULE_PATHNAME', 'pgp_tariff_vend' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- One interval priced alone, from an empty cycle: a bill (jsonb).
CREATE FUNCTION prepay_tariff_price_interval(plan bytea, start_at timestamp, end_at timestamp, energy bigint)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'pgp_tariff_price_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- The exact charge of one interval in minor units, for plans whose pieces
-- price alone (one tier, no fixed charges; others are refused): price per row, then sum.
CREATE FUNCTION prepay_tariff_interval_amount(plan bytea, start_at timestamp, end_at timestamp, energy bigint)
    RETURNS numeric AS 'MODULE_PATHNAME', 'pgp_tariff_interval_amount' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- streaming: a state per meter, stored in a row -------------------------------------------------

CREATE TYPE prepay_feed_result AS (state bytea, due bigint, exact numeric, lines jsonb);
CREATE FUNCTION prepay_tariff_state() RETURNS bytea
    AS 'MODULE_PATHNAME', 'pgp_tariff_state' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION prepay_tariff_state_info(state bytea) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pgp_tariff_state_info' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_tariff_feed(plan bytea, state bytea, start_at timestamp, end_at timestamp, energy bigint)
    RETURNS prepay_feed_result AS 'MODULE_PATHNAME', 'pgp_tariff_feed' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_tariff_feed_reading(plan bytea, state bytea, at timestamp, register bigint)
    RETURNS prepay_feed_result AS 'MODULE_PATHNAME', 'pgp_tariff_feed_reading' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_tariff_close_cycle(plan bytea, state bytea)
    RETURNS prepay_feed_result AS 'MODULE_PATHNAME', 'pgp_tariff_close_cycle' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- bills: aggregates ------------------------------------------------------------------------------

-- prepay_bill(plan, start_at, end_at, energy): the bill of a group's
-- intervals, any order, by one batch call of the library. Combinable (its
-- partial state is the intervals): parallel, partitionwise and distributed
-- plans give the same bill. Overlapping intervals are an ERROR; NULL rows are skipped.
CREATE FUNCTION prepay_bill_transfn(internal, bytea, timestamp, timestamp, bigint) RETURNS internal
    AS 'MODULE_PATHNAME', 'pgp_bill_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION prepay_bill_finalfn(internal) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pgp_bill_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION prepay_bill_combinefn(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'pgp_bill_combinefn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION prepay_bill_serialfn(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pgp_bill_serialfn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_bill_deserialfn(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'pgp_bill_deserialfn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE prepay_bill(plan bytea, start_at timestamp, end_at timestamp, energy bigint) (
    SFUNC = prepay_bill_transfn,
    STYPE = internal,
    SSPACE = 65536,
    FINALFUNC = prepay_bill_finalfn,
    FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = prepay_bill_combinefn,
    SERIALFUNC = prepay_bill_serialfn,
    DESERIALFUNC = prepay_bill_deserialfn,
    PARALLEL = SAFE
);

-- prepay_bill_stream(plan, start_at, end_at, energy ORDER BY start_at): the
-- same bill by the streaming engine, interval by interval, in constant memory
-- per group; the rows must come in time order. No combine function: the
-- planner never splits it.
CREATE FUNCTION prepay_bill_stream_transfn(internal, bytea, timestamp, timestamp, bigint) RETURNS internal
    AS 'MODULE_PATHNAME', 'pgp_bill_stream_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION prepay_bill_stream_finalfn(internal) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pgp_bill_stream_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE prepay_bill_stream(plan bytea, start_at timestamp, end_at timestamp, energy bigint) (
    SFUNC = prepay_bill_stream_transfn,
    STYPE = internal,
    SSPACE = 8192,
    FINALFUNC = prepay_bill_stream_finalfn,
    PARALLEL = SAFE
);

-- ---- DL/T 645 -------------------------------------------------------------------------------------------
-- (Other meter protocols, CJ/T 188 and Modbus, follow the same shape:
-- prepay_<codec>_decode(bytea) -> jsonb, prepay_<codec>_value(...) -> bigint.)

CREATE FUNCTION prepay_dlt645_decode(frame bytea) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pgp_dlt645_decode' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- The value of a read reply in library units (Wh, fen, 1e-8 yuan/kWh, 0.1 V, mA, ...); NULL when absent (FF).
CREATE FUNCTION prepay_dlt645_value(frame bytea) RETURNS bigint
    AS 'MODULE_PATHNAME', 'pgp_dlt645_value_frame' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- One item's data field (0x33 removed, DI removed), DI as 8 hex digits ('00010000') or 4 (1997, '9010').
CREATE FUNCTION prepay_dlt645_value(di text, data bytea) RETURNS bigint
    AS 'MODULE_PATHNAME', 'pgp_dlt645_value_data' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_dlt645_decode_value(di text, data bytea) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pgp_dlt645_decode_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_dlt645_item_name(di text) RETURNS text
    AS 'MODULE_PATHNAME', 'pgp_dlt645_item_name' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_dlt645_readings(frames bytea,
    OUT "offset" bigint, OUT size integer, OUT address text, OUT di text, OUT status text, OUT kind text,
    OUT unit text, OUT quantity bigint, OUT number bigint, OUT decimals integer, OUT at timestamp)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'pgp_dlt645_readings' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- allocation ---------------------------------------------------------------------------------------------

-- Largest-remainder split: the shares sum exactly to total.
CREATE FUNCTION prepay_alloc_split(total bigint, weights bigint[]) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'pgp_alloc_split' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE prepay_alloc_residual AS (master bigint, sub_total bigint, carried_in bigint, raw bigint,
    common bigint, carry_out bigint, clamped bigint, negative boolean, loss_bp bigint);
CREATE FUNCTION prepay_alloc_residual(master bigint, subs bigint[], carried_in bigint DEFAULT 0,
    policy text DEFAULT 'fail') RETURNS prepay_alloc_residual
    AS 'MODULE_PATHNAME', 'pgp_alloc_residual' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_alloc_price_energy(energy bigint, price bigint, rounding text DEFAULT 'half_up') RETURNS bigint
    AS 'MODULE_PATHNAME', 'pgp_alloc_price_energy' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_alloc_allocate(energy bigint, money bigint, accounts bigint[], weights bigint[],
    occupied_days integer[], vacant boolean[], period_days integer DEFAULT 0, vacancy text DEFAULT 'owner',
    owner_account bigint DEFAULT 0, owner_pays_unoccupied boolean DEFAULT false,
    OUT part integer, OUT account_id bigint, OUT weight bigint, OUT energy_share bigint, OUT money_share bigint)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'pgp_alloc_allocate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- wallet --------------------------------------------------------------------------------------------------

CREATE TYPE prepay_wallet_decision AS (level integer, from_level integer, relay text, reason text,
    events text[], next_state integer, emergency_grant bigint, no_disconnect boolean);
-- policy: jsonb (docs/postgresql.md); state: NULL for a fresh wallet, else next_state of the last decision.
CREATE FUNCTION prepay_wallet_decide(policy jsonb, balance bigint, now timestamp, state integer DEFAULT NULL,
    inputs text[] DEFAULT '{}', emergency_outstanding bigint DEFAULT 0) RETURNS prepay_wallet_decision
    AS 'MODULE_PATHNAME', 'pgp_wallet_decide' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION prepay_wallet_policy(policy jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pgp_wallet_policy' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_wallet_split_recharge(amount bigint, emergency_owed bigint, debt_owed bigint,
    OUT to_emergency bigint, OUT to_debt bigint, OUT to_balance bigint)
    AS 'MODULE_PATHNAME', 'pgp_wallet_split_recharge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- ledger ---------------------------------------------------------------------------------------------------
-- The books: write them only through the functions below (they lock, apply
-- the library's rules and keep the counters); prepay_ledger_check() and
-- prepay_ledger_verify() find anything written around them.

CREATE TABLE prepay_account (
    id bigint PRIMARY KEY CHECK (id <> 0),
    kind smallint NOT NULL,
    flags integer NOT NULL DEFAULT 0,
    overdraft_limit bigint NOT NULL DEFAULT 0,
    max_balance bigint NOT NULL DEFAULT 0,
    item integer NOT NULL DEFAULT 0,
    emergency_account_id bigint NOT NULL DEFAULT 0,
    debt_account_id bigint NOT NULL DEFAULT 0,
    debits_pending bigint NOT NULL DEFAULT 0,
    debits_posted bigint NOT NULL DEFAULT 0,
    credits_pending bigint NOT NULL DEFAULT 0,
    credits_posted bigint NOT NULL DEFAULT 0
);
CREATE TABLE prepay_transfer (
    seq bigserial NOT NULL UNIQUE,           -- log order
    id bigint PRIMARY KEY,                   -- the idempotency key
    debit_account_id bigint NOT NULL,        -- posts and voids: the pending transfer's
    credit_account_id bigint NOT NULL,
    amount bigint NOT NULL,
    pending_id bigint NOT NULL DEFAULT 0,
    ts timestamp,
    meter_id bigint NOT NULL DEFAULT 0,
    interval_start timestamp,
    interval_end timestamp,
    order_id bigint NOT NULL DEFAULT 0,
    reference_id bigint NOT NULL DEFAULT 0,
    tariff_version integer NOT NULL DEFAULT 0,
    code integer NOT NULL,
    flags integer NOT NULL DEFAULT 0,        -- 1 linked, 2 pending, 4 post_pending, 8 void_pending
    state smallint NOT NULL DEFAULT 0,       -- pending transfers: 1 open, 2 posted, 3 voided
    resolved_by bigint NOT NULL DEFAULT 0    -- the post or void of a pending transfer
);
CREATE INDEX prepay_transfer_debit ON prepay_transfer (debit_account_id);
CREATE INDEX prepay_transfer_credit ON prepay_transfer (credit_account_id);
SELECT pg_catalog.pg_extension_config_dump('prepay_account', '');
SELECT pg_catalog.pg_extension_config_dump('prepay_transfer', '');
SELECT pg_catalog.pg_extension_config_dump('prepay_transfer_seq_seq', '');

CREATE FUNCTION prepay_ledger_code(name text) RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE name
        WHEN 'recharge' THEN 1 WHEN 'refund' THEN 2 WHEN 'deduction' THEN 3 WHEN 'fee' THEN 4
        WHEN 'emergency_credit' THEN 5 WHEN 'repay_emergency' THEN 6 WHEN 'repay_debt' THEN 7
        WHEN 'debt' THEN 8 WHEN 'adjustment' THEN 9 WHEN 'allocation' THEN 10 WHEN 'reversal' THEN 11
    END
$$;

CREATE FUNCTION prepay_ledger_create_account(id bigint, kind text, flags text[] DEFAULT '{}',
    overdraft_limit bigint DEFAULT 0, max_balance bigint DEFAULT 0, item integer DEFAULT 0,
    emergency_account_id bigint DEFAULT 0, debt_account_id bigint DEFAULT 0) RETURNS text
    AS 'MODULE_PATHNAME', 'pgp_ledger_create_account' LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE FUNCTION prepay_ledger_close_account(id bigint) RETURNS text
    AS 'MODULE_PATHNAME', 'pgp_ledger_close_account' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
CREATE TYPE prepay_ledger_balance AS (balance bigint, available bigint, debits_pending bigint,
    debits_posted bigint, credits_pending bigint, credits_posted bigint);
CREATE FUNCTION prepay_ledger_balance(id bigint) RETURNS prepay_ledger_balance
    AS 'MODULE_PATHNAME', 'pgp_ledger_balance' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

-- One transfer, idempotent by id: 'applied' or 'exists'; a refusal is an ERROR.
CREATE FUNCTION prepay_ledger_post(id bigint, debit_account_id bigint, credit_account_id bigint, amount bigint,
    code integer, flags text[] DEFAULT '{}', pending_id bigint DEFAULT 0, ts timestamp DEFAULT NULL,
    meter_id bigint DEFAULT 0, interval_start timestamp DEFAULT NULL, interval_end timestamp DEFAULT NULL,
    order_id bigint DEFAULT 0, reference_id bigint DEFAULT 0, tariff_version integer DEFAULT 0) RETURNS text
    AS 'MODULE_PATHNAME', 'pgp_ledger_post' LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE TYPE prepay_post_result AS (result text, status integer, message text);
-- The same, with a refusal returned as a value (result = the library's name of it).
CREATE FUNCTION prepay_ledger_try_post(id bigint, debit_account_id bigint, credit_account_id bigint, amount bigint,
    code integer, flags text[] DEFAULT '{}', pending_id bigint DEFAULT 0, ts timestamp DEFAULT NULL,
    meter_id bigint DEFAULT 0, interval_start timestamp DEFAULT NULL, interval_end timestamp DEFAULT NULL,
    order_id bigint DEFAULT 0, reference_id bigint DEFAULT 0, tariff_version integer DEFAULT 0)
    RETURNS prepay_post_result
    AS 'MODULE_PATHNAME', 'pgp_ledger_try_post' LANGUAGE C VOLATILE PARALLEL UNSAFE;
-- A top-up and the repayments it pays first (emergency credit, then debt), as one linked chain.
CREATE FUNCTION prepay_ledger_recharge(recharge_id bigint, wallet_id bigint, clearing_id bigint, amount bigint,
    order_id bigint DEFAULT 0, repay_emergency_id bigint DEFAULT 0, repay_debt_id bigint DEFAULT 0,
    ts timestamp DEFAULT NULL) RETURNS text
    AS 'MODULE_PATHNAME', 'pgp_ledger_recharge' LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- The invariants as an aggregate over the transfers and their two accounts:
--   SELECT prepay_ledger_check(t, d, c) FROM prepay_transfer t
--     JOIN prepay_account d ON d.id = t.debit_account_id JOIN prepay_account c ON c.id = t.credit_account_id;
CREATE FUNCTION prepay_ledger_check_transfn(internal, prepay_transfer, prepay_account, prepay_account)
    RETURNS internal AS 'MODULE_PATHNAME', 'pgp_ledger_check_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION prepay_ledger_check_finalfn(internal) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pgp_ledger_check_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION prepay_ledger_check_combinefn(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'pgp_ledger_check_combinefn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION prepay_ledger_check_serialfn(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pgp_ledger_check_serialfn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION prepay_ledger_check_deserialfn(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'pgp_ledger_check_deserialfn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE prepay_ledger_check(transfer prepay_transfer, debit prepay_account, credit prepay_account) (
    SFUNC = prepay_ledger_check_transfn,
    STYPE = internal,
    FINALFUNC = prepay_ledger_check_finalfn,
    COMBINEFUNC = prepay_ledger_check_combinefn,
    SERIALFUNC = prepay_ledger_check_serialfn,
    DESERIALFUNC = prepay_ledger_check_deserialfn,
    PARALLEL = SAFE
);
-- The whole book replayed through the library (holds the log in memory).
CREATE FUNCTION prepay_ledger_verify() RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pgp_ledger_verify' LANGUAGE C STABLE PARALLEL RESTRICTED;
