-- Bad input is an ERROR with a SQLSTATE and the library's message, never a crash.
\getenv abs_srcdir PG_ABS_SRCDIR
\set data :abs_srcdir '/data'
\set guangzhou :data '/tariffs/guangzhou_residential_tou.json'
\set beijing :data '/tariffs/beijing_ci_tou_sharp.json'
CREATE TEMP TABLE p AS SELECT prepay_tariff_compile(pg_read_file(:'guangzhou')::jsonb) AS plan,
                              prepay_tariff_compile(pg_read_file(:'beijing')::jsonb) AS flat_plan;
CREATE TEMP TABLE doc AS SELECT pg_read_file(:'guangzhou')::jsonb AS d;

-- ---- tariff documents: the loader's JSON path and what is wrong
SELECT test_error(format('SELECT prepay_tariff_compile(%L)', jsonb_set(d, '{schedule,seasons,0,start}', '"13-01"'))) FROM doc;
SELECT test_error(format('SELECT prepay_tariff_compile(%L)', d - 'bands')) FROM doc;
SELECT test_error(format('SELECT prepay_tariff_compile(%L)', jsonb_set(d, '{prices,base}', '"-0.5"'))) FROM doc;
SELECT test_error(format('SELECT prepay_tariff_compile(%L)', jsonb_set(d, '{prices,base}', '0.5'))) FROM doc;
SELECT test_error(format('SELECT prepay_tariff_compile(%L)', d || '{"colour": "red"}')) FROM doc;
SELECT test_error($$SELECT prepay_tariff_compile('[1, 2]')$$);
SELECT test_error($$SELECT prepay_tariff_compile_urdb('{"energyratestructure": [[{"rate": 0.1}]], "energyweekdayschedule": [[0]]}')$$);
SELECT test_error($$SELECT prepay_tariff_compile_urdb('{"energyratestructure": ')$$);
-- ---- plans and states: bytes that are not what they claim
SELECT test_error($$SELECT prepay_tariff_info('\x00'::bytea)$$);
SELECT test_error(format('SELECT prepay_tariff_info(%L::bytea)', overlay(plan placing '\x58'::bytea from 40 for 1))) FROM p;
SELECT test_error(format('SELECT prepay_tariff_info(%L::bytea)', substr(plan, 1, 16))) FROM p;
SELECT test_error($$SELECT prepay_tariff_feed((SELECT plan FROM p), '\x1234'::bytea, '2025-01-01', '2025-01-01 01:00', 1)$$);
-- a state whose cycle energy (bytes 37..44: header 12, then the struct at offset 24) is negative: the library refuses it
SELECT test_error(format('SELECT prepay_tariff_feed(%L::bytea, %L::bytea, %L, %L, 1)', plan,
                         overlay(prepay_tariff_state() placing '\xffffffffffffffff'::bytea
                                 from 37 for 8),
                         '2025-01-01', '2025-01-01 01:00')) FROM p;
-- ---- intervals
SELECT test_error($$SELECT prepay_tariff_price_interval((SELECT plan FROM p), '2025-01-01 00:00:00.5', '2025-01-01 01:00', 1)$$);
SELECT test_error($$SELECT prepay_tariff_price_interval((SELECT plan FROM p), '-infinity', '2025-01-01 01:00', 1)$$);
SELECT test_error($$SELECT prepay_tariff_price_interval((SELECT plan FROM p), '2025-01-01 02:00', '2025-01-01 01:00', 1)$$);
SELECT test_error($$SELECT prepay_tariff_price_interval((SELECT plan FROM p), '2025-01-01 00:00', '2025-01-01 01:00', -1)$$);
SELECT test_error($$SELECT prepay_bill(plan, s, s + interval '1 hour', 1000) FROM p,
                    (VALUES ('2025-01-01 00:00'::timestamp), ('2025-01-01 00:30')) AS v(s)$$);
SELECT test_error($$SELECT prepay_bill_stream(plan, s, s + interval '1 hour', 1000 ORDER BY s DESC) FROM p,
                    (VALUES ('2025-01-01 00:00'::timestamp), ('2025-01-01 05:00')) AS v(s)$$);
SELECT test_error($$SELECT prepay_bill(CASE WHEN s < '2025-01-01 03:00' THEN plan ELSE flat_plan END, s, s + interval '1 hour', 1000)
                    FROM p, (VALUES ('2025-01-01 00:00'::timestamp), ('2025-01-01 05:00')) AS v(s)$$);
SELECT test_error($$SELECT prepay_tariff_interval_amount((SELECT plan FROM p), '2025-01-01 00:00', '2025-01-01 01:00', 1)$$);
SELECT test_error($$SELECT prepay_tariff_price((SELECT plan FROM p), 9, 1)$$);
SELECT test_error($$SELECT prepay_tariff_vend((SELECT plan FROM p), '2025-01-01 00:00', -1, 10)$$);
SELECT test_error($$SELECT prepay_decimal('12.3.4', 3)$$);
SELECT test_error($$SELECT prepay_decimal('99999999999999999999', 3)$$);
SELECT test_error($$SELECT prepay_decimal('1', 17)$$);
SELECT test_error($$SELECT prepay_decimal('1.5', 0, 'sideways')$$);
-- ---- DL/T 645
SELECT test_error($$SELECT prepay_dlt645_decode('\x6800'::bytea)$$);
SELECT test_error($$SELECT prepay_dlt645_decode(''::bytea)$$);
SELECT test_error($$SELECT prepay_dlt645_decode('\x1122334455'::bytea)$$);
SELECT test_error($$SELECT prepay_dlt645_value('0001000G', '\x00000000'::bytea)$$);
SELECT test_error($$SELECT prepay_dlt645_value('0A000000', '\x00000000'::bytea)$$);
SELECT test_error($$SELECT prepay_dlt645_value('04000101', '\x01010101'::bytea)$$);
SELECT test_error($$SELECT * FROM prepay_dlt645_readings('\x68AAAA'::bytea)$$);
-- ---- allocation, wallet
SELECT test_error($$SELECT prepay_alloc_split(10, '{1,NULL}')$$);
SELECT test_error($$SELECT prepay_alloc_split(10, '{{1,2},{3,4}}')$$);
SELECT test_error($$SELECT prepay_alloc_split(10, '{}')$$);
SELECT test_error($$SELECT prepay_alloc_residual(10, '{5}', 0, 'sometimes')$$);
SELECT test_error($$SELECT prepay_alloc_allocate(10, 10, '{1,2}', '{1}', '{0,0}', '{f,f}')$$);
SELECT test_error($$SELECT prepay_wallet_decide('{"thresholds": "many"}', 0, '2025-01-01')$$);
SELECT test_error($$SELECT prepay_wallet_decide('{"windows": [{"start": "22:00"}]}', 0, '2025-01-01')$$);
SELECT test_error($$SELECT prepay_wallet_decide('{"no_disconnect_days": ["caturday"]}', 0, '2025-01-01')$$);
SELECT test_error($$SELECT prepay_wallet_decide('{}', 0, '2025-01-01', 70000)$$);
SELECT test_error($$SELECT prepay_wallet_decide('{}', 0, '2025-01-01', 255)$$);
SELECT test_error($$SELECT prepay_wallet_decide('{}', 0, '2025-01-01', NULL, '{dance}')$$);
-- ---- ledger arguments
SELECT test_error($$SELECT prepay_ledger_create_account(1, 'piggy_bank')$$);
SELECT test_error($$SELECT prepay_ledger_create_account(1, 'wallet', '{debits_must_not_exceed_credits,credits_must_not_exceed_debits}')$$);
SELECT test_error($$SELECT prepay_ledger_create_account(1, 'wallet', overdraft_limit => -1)$$);
SELECT test_error($$SELECT prepay_ledger_post(NULL, 1, 2, 3, 4)$$);
SELECT test_error($$SELECT prepay_ledger_post(1, 1, 2, 3, 4, '{linked}')$$);
SELECT test_error($$SELECT prepay_ledger_post(1, 1, 2, 3, 4, '{sideways}')$$);
-- ---- reports
SELECT test_error($$SELECT prepay_report('{"period": "fortnight", "from": "2025-01-01", "to": "2025-02-01"}', 1, '2025-01-01', '2025-01-01 01:00', 0, 1, NULL)$$);
SELECT test_error($$SELECT prepay_report('{"period": "day", "from": "2025-02-01", "to": "2025-01-01"}', 1, '2025-01-01', '2025-01-01 01:00', 0, 1, NULL)$$);
SELECT test_error($$SELECT prepay_report('{"period": "day", "from": "2025-01-01", "to": "2025-02-01"}', 1, s, s + interval '1 hour', 0, 1, NULL)
                    FROM (VALUES ('2025-01-01 00:00'::timestamp), ('2025-01-01 00:30')) AS v(s)$$);
SELECT test_error($$SELECT prepay_report('{"period": "day", "from": "2025-01-01", "to": "2025-02-01"}', 1, '2025-01-01', '2025-01-01 01:00', 9, 1, NULL)$$);
SELECT test_error($$SELECT prepay_report('{"period": "day", "from": "2025-01-01", "to": "2025-02-01"}', 1, '2025-01-01', '2025-01-01 01:00', 0, 1, 0.0000000001)$$);

-- ---- hostile bytes: thousands of random inputs to every decoder; every one an ERROR or a value, the backend stays up
CREATE TEMP TABLE noise AS
SELECT i, decode(md5(i::text) || md5((i * 7)::text) || md5((i * 13)::text), 'hex') AS b FROM generate_series(1, 3000) AS i;
-- read replies (C = 91, L = 8) with a correct checksum, DI 00010000 (wire 33 33 34 33) and random data:
-- the value decoders see them all
INSERT INTO noise
SELECT 10000 + i, f || set_byte('\x0016'::bytea, 0, (SELECT sum(get_byte(f, k)) % 256 FROM generate_series(0, length(f) - 1) AS k)::int)
FROM (SELECT i, '\x68'::bytea || substr(b, 1, 6) || '\x68910833333433'::bytea || substr(b, 7, 4) AS f
      FROM noise WHERE i <= 2000) AS x;
CREATE FUNCTION test_noise(q text) RETURNS TABLE (outcome text, n bigint) LANGUAGE plpgsql AS $$
DECLARE
    r record;
    res text;
    counts jsonb := '{}';
BEGIN
    FOR r IN SELECT b FROM noise ORDER BY i LOOP
        BEGIN
            EXECUTE q USING r.b;
            res := 'ok';
        EXCEPTION WHEN OTHERS THEN
            res := SQLSTATE;
        END;
        counts := jsonb_set(counts, ARRAY[res], to_jsonb(coalesce((counts->>res)::bigint, 0) + 1));
    END LOOP;
    RETURN QUERY SELECT key, value::bigint FROM jsonb_each_text(counts) ORDER BY key;
END $$;
SELECT * FROM test_noise('SELECT prepay_dlt645_decode($1)');
SELECT * FROM test_noise('SELECT prepay_dlt645_value($1)');
SELECT * FROM test_noise('SELECT count(*) FROM prepay_dlt645_readings($1)');
SELECT * FROM test_noise($$SELECT prepay_dlt645_decode_value('00010000', substr($1, 1, 4))$$);
SELECT * FROM test_noise('SELECT prepay_tariff_info($1)');
SELECT * FROM test_noise($$SELECT prepay_tariff_feed((SELECT plan FROM p), $1, '2025-01-01', '2025-01-01 01:00', 1)$$);
SELECT * FROM test_noise($$SELECT prepay_tariff_feed((SELECT plan FROM p), overlay(prepay_tariff_state() placing substr($1, 1, 16) from 13 for 16), '2025-01-01', '2025-01-01 01:00', 1)$$);
SELECT 'the backend is still up' AS alive;
