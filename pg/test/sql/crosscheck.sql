-- SQL == C on every tariff example: the same intervals billed by SQL
-- (prepay_bill, prepay_bill_stream) and by a C program linked from the very
-- objects of pg_prepay.so (bill_c, pg/test/crosscheck/bill_c.c, run with COPY
-- FROM PROGRAM): totals, exact sums and every line, to the nano of a fen.
-- The examples get a year of quarter hours of 2025; the NREL URDB/SAM tariffs
-- the NREL hourly load of 2001.
\getenv abs_srcdir PG_ABS_SRCDIR
\set data :abs_srcdir '/data'
\set bill_c :abs_srcdir '/bill_c'
\set year_csv :abs_srcdir '/crosscheck_year.csv'
\set nrel_csv :abs_srcdir '/crosscheck_nrel.csv'
\set nrel_load :data '/vectors/nrel/pvsamv1_residential_load.csv'

CREATE TEMP TABLE year AS
SELECT t AS start_at, t + interval '15 minutes' AS end_at,
       (abs(hashint4(i)) % 300 + CASE WHEN extract(hour FROM t) BETWEEN 8 AND 21 THEN 200 ELSE 0 END)::bigint AS energy
FROM generate_series(0, 35039) AS i, LATERAL (SELECT '2025-01-01'::timestamp + i * interval '15 minutes' AS t) AS x;
CREATE TEMP TABLE load_kw (hour serial, kw text);
COPY load_kw (kw) FROM :'nrel_load';
CREATE TEMP TABLE nrel AS
SELECT '2001-01-01'::timestamp + (hour - 1) * interval '1 hour' AS start_at,
       '2001-01-01'::timestamp + hour * interval '1 hour' AS end_at, prepay_decimal(kw, 3) AS energy
FROM load_kw;
COPY (SELECT extract(epoch FROM start_at - '2000-01-01')::bigint, extract(epoch FROM end_at - '2000-01-01')::bigint, energy
      FROM year ORDER BY start_at) TO :'year_csv' WITH (FORMAT csv);
COPY (SELECT extract(epoch FROM start_at - '2000-01-01')::bigint, extract(epoch FROM end_at - '2000-01-01')::bigint, energy
      FROM nrel ORDER BY start_at) TO :'nrel_csv' WITH (FORMAT csv);

CREATE TEMP TABLE cases (file text, kind text, dir text, readings text);
INSERT INTO cases
SELECT f, 'prepay', :'data' || '/tariffs/', 'year' FROM unnest(ARRAY['beijing_ci_tou_sharp.json', 'beijing_residential_annual.json',
    'beijing_water_residential.json', 'guangdong_ci_tou_sharp.json', 'guangzhou_residential_tou.json',
    'shanghai_residential_per_band.json', 'zhejiang_residential_tou.json']) AS f
UNION ALL
SELECT f, 'urdb', :'data' || '/vectors/nrel/', 'nrel' FROM unnest(ARRAY['sam_residential_tou.json',
    'sam_residential_tou_36_periods.json', 'sam_residential_tou_tiers.json', 'urdb_residential_tou.json',
    'urdb_residential_tou_tiers.json']) AS f;

-- the C side
CREATE TEMP TABLE c_lines (file text, line text);
CREATE FUNCTION test_run_c(bill_c text, year_csv text, nrel_csv text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    c record;
BEGIN
    CREATE TEMP TABLE c_out (line text);
    FOR c IN SELECT * FROM cases ORDER BY file LOOP
        EXECUTE format('COPY c_out FROM PROGRAM %L', format('%s %s %s %s', bill_c, c.kind, c.dir || c.file,
                                                            CASE c.readings WHEN 'year' THEN year_csv ELSE nrel_csv END));
        INSERT INTO c_lines SELECT c.file, line FROM c_out;
        TRUNCATE c_out;
    END LOOP;
    DROP TABLE c_out;
END $$;
SELECT test_run_c(:'bill_c', :'year_csv', :'nrel_csv');

-- the SQL side, batch and streaming
CREATE TEMP TABLE sql_bills AS
SELECT c.file, prepay_bill(p.plan, r.start_at, r.end_at, r.energy) AS batch,
       prepay_bill_stream(p.plan, r.start_at, r.end_at, r.energy ORDER BY r.start_at) AS stream
FROM cases c
CROSS JOIN LATERAL (SELECT CASE c.kind WHEN 'prepay' THEN prepay_tariff_compile(pg_read_file(c.dir || c.file)::jsonb)
                                       ELSE prepay_tariff_compile_urdb(pg_read_file(c.dir || c.file)::json) END AS plan) AS p
JOIN (SELECT 'year' AS readings, * FROM year UNION ALL SELECT 'nrel', * FROM nrel) AS r USING (readings)
GROUP BY c.file, p.plan;
CREATE TEMP TABLE sql_lines AS
SELECT file, format('total|%s|%s|%s', batch->>'total', batch->>'exact', batch->>'energy') AS line FROM sql_bills
UNION ALL
SELECT file, format('line|%s|%s|%s|%s|%s|%s|%s|%s|%s', l->>'kind', l->>'cycle', l->>'set', coalesce(l->>'band', '0'),
                    coalesce(l->>'tier', '0'), coalesce(l->>'quantity', '0'), coalesce(l->>'price', '0'), l->>'amount', l->>'money')
FROM sql_bills, jsonb_array_elements(batch->'lines') AS l;
-- one normal form for both: the exact amounts as numbers
CREATE FUNCTION test_normal(line text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE split_part(line, '|', 1)
        WHEN 'total' THEN format('total|%s|%s|%s', split_part(line, '|', 2), trim_scale(split_part(line, '|', 3)::numeric),
                                 split_part(line, '|', 4))
        ELSE format('%s|%s', array_to_string((string_to_array(line, '|'))[1:8], '|'),
                    concat_ws('|', trim_scale(split_part(line, '|', 9)::numeric), split_part(line, '|', 10))) END
$$;
SELECT c.file,
       (SELECT count(*) FROM c_lines x WHERE x.file = c.file AND x.line LIKE 'line|%') AS lines,
       (SELECT split_part(line, '|', 2) FROM c_lines x WHERE x.file = c.file AND x.line LIKE 'total|%') AS c_total,
       (SELECT batch->>'total' FROM sql_bills b WHERE b.file = c.file) AS sql_total,
       (SELECT count(*) FROM (SELECT test_normal(line) FROM c_lines x WHERE x.file = c.file
                              EXCEPT ALL SELECT test_normal(line) FROM sql_lines y WHERE y.file = c.file) d) AS only_c,
       (SELECT count(*) FROM (SELECT test_normal(line) FROM sql_lines y WHERE y.file = c.file
                              EXCEPT ALL SELECT test_normal(line) FROM c_lines x WHERE x.file = c.file) d) AS only_sql,
       (SELECT batch = stream FROM sql_bills b WHERE b.file = c.file) AS stream_equals_batch
FROM cases c ORDER BY c.file;
