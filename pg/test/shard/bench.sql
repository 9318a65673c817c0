-- More timings on the coordinator of the sharded test (bench/bench_postgresql.sh):
-- the batch and streaming aggregates, price-per-row-then-sum, and COPY ingest,
-- on one instance and through postgres_fdw. Each query runs twice and the
-- better run counts (the first one also sets hint bits on freshly loaded
-- rows); every figure is rows / wall seconds. "RESULT name value" lines are
-- read by the bench script.
\set ON_ERROR_STOP 1
SET enable_partitionwise_aggregate = on;
SELECT count(*) AS rows FROM readings_single \gset
SELECT plan AS plan_literal FROM plan \gset
SELECT prepay_tariff_compile(pg_read_file(:'flat_tariff')::jsonb) AS flat_literal \gset

CREATE FUNCTION bench_rows_s(q text, rows bigint) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    best numeric := 0;
    n bigint;
BEGIN
    FOR i IN 1..2 LOOP
        t0 := clock_timestamp();
        -- count(b.*) needs every column: the planner may not drop the aggregate
        EXECUTE 'SELECT count(b.*) FROM (' || q || ') AS b' INTO n;
        best := greatest(best, rows / extract(epoch FROM clock_timestamp() - t0));
    END LOOP;
    RETURN round(best);
END $$;
SELECT format('SELECT meter_id, prepay_bill(%L::bytea, start_at, end_at, energy) FROM %%s GROUP BY meter_id', :'plan_literal') AS q_bill,
       format('SELECT meter_id, prepay_bill_stream(%L::bytea, start_at, end_at, energy ORDER BY start_at) FROM %%s GROUP BY meter_id',
              :'plan_literal') AS q_stream,
       format('SELECT meter_id, prepay_bill(%L::bytea, start_at, end_at, energy) FROM %%s GROUP BY meter_id', :'flat_literal') AS q_flat,
       format('SELECT meter_id, sum(prepay_tariff_interval_amount(%L::bytea, start_at, end_at, energy)) FROM %%s GROUP BY meter_id',
              :'flat_literal') AS q_per_row \gset
SELECT bench_rows_s(format(:'q_bill', 'readings_single'), :rows) AS v \gset
\echo RESULT bill_single_rows_s :v
SELECT bench_rows_s(format(:'q_bill', 'readings'), :rows) AS v \gset
\echo RESULT bill_sharded_rows_s :v
SELECT bench_rows_s(format(:'q_stream', 'readings_single'), :rows) AS v \gset
\echo RESULT stream_single_rows_s :v
SELECT bench_rows_s(format(:'q_stream', 'readings'), :rows) AS v \gset
\echo RESULT stream_sharded_rows_s :v
SELECT bench_rows_s(format(:'q_flat', 'readings_single'), :rows) AS v \gset
\echo RESULT bill_flat_single_rows_s :v
SELECT bench_rows_s(format(:'q_per_row', 'readings_single'), :rows) AS v \gset
\echo RESULT per_row_single_rows_s :v
SELECT bench_rows_s(format(:'q_per_row', 'readings'), :rows) AS v \gset
\echo RESULT per_row_sharded_rows_s :v
SELECT bench_rows_s('SELECT meter_id, count(*) FROM readings_single GROUP BY meter_id', :rows) AS v \gset
\echo RESULT count_single_rows_s :v

-- COPY ingest: a CSV of the readings into a plain table; into the partitioned
-- table only 30 000 rows (PostgreSQL 15 sends COPY rows to a foreign partition
-- one by one; batch_size applies to INSERT, and to COPY from PostgreSQL 16 on)
COPY readings_single TO :'dump' WITH (FORMAT csv);
CREATE TABLE readings_copy (LIKE readings_single);
SELECT clock_timestamp() AS t0 \gset
COPY readings_copy FROM :'dump' WITH (FORMAT csv);
SELECT round(:rows / extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)) AS v \gset
\echo RESULT copy_single_rows_s :v
\set dump_small :dump '.small'
COPY (SELECT * FROM readings_single LIMIT 30000) TO :'dump_small' WITH (FORMAT csv);
TRUNCATE readings;
SELECT clock_timestamp() AS t0 \gset
COPY readings FROM :'dump_small' WITH (FORMAT csv);
SELECT round(30000 / extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)) AS v \gset
\echo RESULT copy_sharded_rows_s :v
