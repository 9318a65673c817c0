-- prepay_bill() under plans that split a group's rows: parallel workers with
-- partial aggregation, and partitionwise aggregation over monthly partitions
-- (partial per month, combined in any order). Tiers need the whole cycle in
-- time order; the partial state keeps the intervals and the final function
-- prices them in one batch, so every split gives the serial bill exactly.
\getenv abs_srcdir PG_ABS_SRCDIR
\set data :abs_srcdir '/data'
\set nrel_csv :data '/vectors/nrel/pvsamv1_residential_load.csv'
CREATE TEMP TABLE load_kw (hour serial, kw text);
COPY load_kw (kw) FROM :'nrel_csv';
-- 6 meters: the NREL year, each meter's hours scaled differently (deterministic)
CREATE TABLE readings (meter integer, start_at timestamp, end_at timestamp, energy bigint);
INSERT INTO readings
SELECT m, '2001-01-01'::timestamp + (hour - 1) * interval '1 hour', '2001-01-01'::timestamp + hour * interval '1 hour',
       prepay_decimal(kw, 3) * (50 + m) / 60 + (hour * m) % 13
FROM load_kw, generate_series(1, 6) AS m;
ANALYZE readings;
CREATE TABLE plans AS
SELECT 'sam_tiers' AS name, prepay_tariff_compile_urdb(pg_read_file(:'data' || '/vectors/nrel/sam_residential_tou_tiers.json')::json) AS plan
UNION ALL
SELECT 'guangzhou', prepay_tariff_compile(pg_read_file(:'data' || '/tariffs/guangzhou_residential_tou.json')::jsonb);

-- the serial bills
SET max_parallel_workers_per_gather = 0;
CREATE TABLE serial_bills AS
SELECT p.name, r.meter, prepay_bill(p.plan, r.start_at, r.end_at, r.energy) AS bill
FROM plans p CROSS JOIN readings r GROUP BY p.name, r.meter;
SELECT name, count(*) AS meters, sum((bill->>'total')::bigint) AS total FROM serial_bills GROUP BY name ORDER BY name;

-- parallel: workers aggregate parts of each group, the leader combines them
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
-- (the plan as a scalar subquery: evaluated once, passed to the workers)
SELECT test_plan_has('SELECT meter, prepay_bill((SELECT plan FROM plans WHERE name = ''guangzhou''), start_at, end_at, energy)
                      FROM readings GROUP BY meter', 'Partial') AS partial_aggregate;
SELECT test_plan_has('SELECT meter, prepay_bill((SELECT plan FROM plans WHERE name = ''guangzhou''), start_at, end_at, energy)
                      FROM readings GROUP BY meter', 'Gather') AS parallel;
CREATE TABLE parallel_bills AS
SELECT 'guangzhou' AS name, meter, prepay_bill((SELECT plan FROM plans WHERE name = 'guangzhou'), start_at, end_at, energy) AS bill
FROM readings GROUP BY meter
UNION ALL
SELECT 'sam_tiers', meter, prepay_bill((SELECT plan FROM plans WHERE name = 'sam_tiers'), start_at, end_at, energy)
FROM readings GROUP BY meter;
SELECT count(*) AS rows, (SELECT count(*) FROM (SELECT * FROM parallel_bills EXCEPT SELECT * FROM serial_bills) d) AS differ
FROM parallel_bills;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- partitionwise: monthly partitions, each aggregated on its own (partial), then combined
CREATE TABLE readings_by_month (meter integer, start_at timestamp, end_at timestamp, energy bigint)
    PARTITION BY RANGE (start_at);
DO $$
BEGIN
    FOR m IN 0..11 LOOP
        EXECUTE format('CREATE TABLE readings_m%s PARTITION OF readings_by_month FOR VALUES FROM (%L) TO (%L)', m,
                       '2001-01-01'::timestamp + m * interval '1 month', '2001-01-01'::timestamp + (m + 1) * interval '1 month');
    END LOOP;
END $$;
INSERT INTO readings_by_month SELECT * FROM readings;
ANALYZE readings_by_month;
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
SELECT test_plan_has('SELECT meter, prepay_bill((SELECT plan FROM plans WHERE name = ''sam_tiers''), start_at, end_at, energy)
                      FROM readings_by_month GROUP BY meter', 'Partial') AS partial_per_partition;
CREATE TABLE partitionwise_bills AS
SELECT 'sam_tiers' AS name, meter, prepay_bill((SELECT plan FROM plans WHERE name = 'sam_tiers'), start_at, end_at, energy) AS bill
FROM readings_by_month GROUP BY meter
UNION ALL
SELECT 'guangzhou', meter, prepay_bill((SELECT plan FROM plans WHERE name = 'guangzhou'), start_at, end_at, energy)
FROM readings_by_month GROUP BY meter;
SELECT count(*) AS rows,
       (SELECT count(*) FROM (SELECT * FROM partitionwise_bills EXCEPT SELECT * FROM serial_bills) d) AS differ
FROM partitionwise_bills;
-- the streaming aggregate gives the same bills (it needs the rows in order: ORDER BY)
SELECT count(*) AS differ FROM (
    SELECT p.name, r.meter, prepay_bill_stream(p.plan, r.start_at, r.end_at, r.energy ORDER BY r.start_at) AS bill
    FROM readings r, plans p GROUP BY p.name, r.meter
    EXCEPT SELECT * FROM serial_bills) d;
RESET enable_partitionwise_aggregate;
RESET max_parallel_workers_per_gather;
DROP TABLE readings, readings_by_month, plans, serial_bills, parallel_bills, partitionwise_bills;
