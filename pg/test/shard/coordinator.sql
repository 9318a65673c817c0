-- The coordinator: readings hash-partitioned by meter (remainder 0 here,
-- 1 and 2 on the shards through postgres_fdw), the bills of every meter
-- computed across the shards and on one instance, compared row for row.
\set ON_ERROR_STOP 1
CREATE EXTENSION pg_prepay;
CREATE EXTENSION postgres_fdw;
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port :'shard1_port', dbname 'postgres',
    extensions 'pg_prepay', fetch_size '10000', batch_size '1000', async_capable 'true');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port :'shard2_port', dbname 'postgres',
    extensions 'pg_prepay', fetch_size '10000', batch_size '1000', async_capable 'true');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1 OPTIONS (user :'user');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2 OPTIONS (user :'user');
CREATE TABLE readings (meter_id bigint NOT NULL, start_at timestamp NOT NULL, end_at timestamp NOT NULL, energy bigint NOT NULL)
    PARTITION BY HASH (meter_id);
CREATE TABLE readings_p0 PARTITION OF readings FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE FOREIGN TABLE readings_p1 PARTITION OF readings FOR VALUES WITH (MODULUS 3, REMAINDER 1)
    SERVER shard1 OPTIONS (table_name 'readings_p1');
CREATE FOREIGN TABLE readings_p2 PARTITION OF readings FOR VALUES WITH (MODULUS 3, REMAINDER 2)
    SERVER shard2 OPTIONS (table_name 'readings_p2');

-- :meters meters (90 by default) x 31 days x 96 quarter hours: the NREL hourly
-- load spread over its quarters, scaled differently per meter (deterministic)
\if :{?meters}
\else
\set meters 90
\endif
CREATE TEMP TABLE load_kw (hour serial, kw text);
COPY load_kw (kw) FROM :'load_csv';
CREATE TABLE readings_single (meter_id bigint NOT NULL, start_at timestamp NOT NULL, end_at timestamp NOT NULL, energy bigint NOT NULL);
INSERT INTO readings_single
SELECT m, t, t + interval '15 minutes', (prepay_decimal(kw, 3) * (40 + m % 37) / 160) + (m * q) % 7
FROM load_kw, generate_series(0, 3) AS q, generate_series(1, :meters) AS m,
     LATERAL (SELECT '2025-07-01'::timestamp + (hour - 1) * interval '1 hour' + q * interval '15 minutes' AS t) AS x
WHERE hour <= 31 * 24;
VACUUM ANALYZE readings_single;
SELECT count(*) AS rows, count(DISTINCT meter_id) AS meters FROM readings_single \gset
\echo readings: :rows rows of :meters meters
-- ingest across the shards (batched inserts through postgres_fdw), timed
SELECT clock_timestamp() AS t0 \gset
INSERT INTO readings SELECT * FROM readings_single;
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) AS ingest_s \gset
-- statistics of every partition, the foreign ones too (postgres_fdw samples the shards): with them the planner
-- sees what pushing the aggregate down saves
ANALYZE readings;
SELECT count(*) AS p0 FROM readings_p0 \gset
SELECT count(*) AS p1 FROM readings_p1 \gset
SELECT count(*) AS p2 FROM readings_p2 \gset
\echo partitions: local :p0, shard1 :p1, shard2 :p2 rows; ingest :ingest_s s
DO $$
BEGIN
    IF (SELECT count(*) FROM readings_p1) = 0 OR (SELECT count(*) FROM readings_p2) = 0 OR
       (SELECT count(*) FROM readings) <> (SELECT count(*) FROM readings_single) THEN
        RAISE EXCEPTION 'the readings did not spread over the shards';
    END IF;
END $$;

CREATE TABLE plan AS SELECT prepay_tariff_compile(pg_read_file(:'tariff')::jsonb) AS plan;
SELECT plan AS plan_literal FROM plan \gset
SET enable_partitionwise_aggregate = on;

-- The plan of the sharded query: the aggregate runs on the shards.
CREATE FUNCTION explain_text(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    out text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || q LOOP
        out := out || line || E'\n';
    END LOOP;
    RETURN out;
END $$;
SELECT format('SELECT meter_id, prepay_bill(%L::bytea, start_at, end_at, energy) AS bill FROM %%s GROUP BY meter_id',
              :'plan_literal') AS q_batch,
       format('SELECT meter_id, prepay_bill_stream(%L::bytea, start_at, end_at, energy ORDER BY start_at) AS bill FROM %%s GROUP BY meter_id',
              :'plan_literal') AS q_stream \gset
SELECT regexp_replace(explain_text(format(:'q_batch', 'readings')), '\\x[0-9a-f]{40,}', '\\x...', 'g') AS plan_text \gset
\echo :plan_text
SELECT (position('Foreign Scan' IN :'plan_text') > 0
        AND position('Relations: Aggregate on (public.readings_p1' IN :'plan_text') > 0
        AND position('Relations: Aggregate on (public.readings_p2' IN :'plan_text') > 0
        AND position('Remote SQL: SELECT meter_id, public.prepay_bill(' IN :'plan_text') > 0) AS pushed_down \gset
\if :pushed_down
\echo the bill aggregate runs on the shards (Remote SQL carries public.prepay_bill)
\else
\echo the bill aggregate was NOT pushed down to the shards
SELECT 1 / 0 AS failed;
\endif
SELECT regexp_replace(explain_text(format(:'q_stream', 'readings')), '\\x[0-9a-f]{40,}', '\\x...', 'g') AS plan_text \gset
SELECT position('Remote SQL: SELECT meter_id, public.prepay_bill_stream(' IN :'plan_text') > 0 AS stream_pushed_down \gset
\if :stream_pushed_down
\echo the streaming aggregate (ORDER BY start_at) runs on the shards too
\else
\echo the streaming aggregate was NOT pushed down
SELECT 1 / 0 AS failed;
\endif

-- The bills, sharded and on one instance, timed.
SELECT clock_timestamp() AS t0 \gset
SELECT format('CREATE TABLE bills_sharded AS ' || :'q_batch', 'readings') \gexec
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) AS sharded_s \gset
SELECT clock_timestamp() AS t0 \gset
SELECT format('CREATE TABLE bills_single AS ' || :'q_batch', 'readings_single') \gexec
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) AS single_s \gset
SELECT format('CREATE TABLE bills_stream AS ' || :'q_stream', 'readings') \gexec
SELECT count(*) AS meters,
       (SELECT count(*) FROM (SELECT * FROM bills_sharded EXCEPT SELECT * FROM bills_single) a) AS sharded_not_single,
       (SELECT count(*) FROM (SELECT * FROM bills_single EXCEPT SELECT * FROM bills_sharded) a) AS single_not_sharded,
       (SELECT count(*) FROM (SELECT * FROM bills_stream EXCEPT SELECT * FROM bills_single) a) AS stream_not_single,
       (SELECT sum((bill->>'total')::bigint) FROM bills_single) AS total_fen
FROM bills_single \gset
\echo bills: :meters meters; differing rows: :sharded_not_single sharded, :single_not_sharded single, :stream_not_single stream; total :total_fen fen
SELECT :sharded_not_single = 0 AND :single_not_sharded = 0 AND :stream_not_single = 0
       AND :meters = (SELECT count(DISTINCT meter_id) FROM readings_single) AS bills_equal \gset
\if :bills_equal
\echo per-meter bills across the shards equal the single-instance bills, row for row
\else
SELECT 1 / 0 AS failed;
\endif
SELECT round(:rows / :sharded_s) AS sharded_rows_s, round(:rows / :single_s) AS single_rows_s,
       round(:rows / :ingest_s) AS ingest_rows_s \gset
\echo rows priced per second: sharded :sharded_rows_s (:sharded_s s), single instance :single_rows_s (:single_s s); ingest through postgres_fdw :ingest_rows_s rows/s
\echo RESULT rows :rows
\echo RESULT meters :meters
\echo RESULT bill_sharded_rows_s :sharded_rows_s
\echo RESULT bill_single_rows_s :single_rows_s
\echo RESULT insert_fdw_rows_s :ingest_rows_s
