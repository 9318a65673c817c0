-- Tariffs: every example tariff compiles; the hand-worked bills of
-- tests/vectors/tariff_examples.txt and the NREL SAM bills of
-- tests/vectors/nrel_sam_bills.txt (load file loaded with COPY) come out of
-- SQL exactly as the C tests expect them; batch == streaming aggregate ==
-- row-by-row streaming state, to the fen.
\getenv abs_srcdir PG_ABS_SRCDIR
\set data :abs_srcdir '/data'

-- ---- every example tariff compiles, and the plan is stable
CREATE TEMP TABLE tariff_files AS
SELECT f AS file, prepay_tariff_compile(pg_read_file(:'data' || '/tariffs/' || f)::jsonb) AS plan
FROM unnest(ARRAY['beijing_ci_tou_sharp.json', 'beijing_residential_annual.json', 'beijing_water_residential.json',
                  'guangdong_ci_tou_sharp.json', 'guangzhou_residential_tou.json',
                  'shanghai_residential_per_band.json', 'zhejiang_residential_tou.json']) AS f;
SELECT file, i->>'unit' AS unit, i->>'tou_tier_mode' AS mode, (i->>'tiers')::int AS tiers, i->'bands' AS bands,
       (i->>'order_independent')::boolean AS order_independent
FROM tariff_files, prepay_tariff_info(plan) AS i ORDER BY file;
SELECT count(DISTINCT plan) = 7 AS distinct_plans,
       bool_and(plan = prepay_tariff_compile(pg_read_file(:'data' || '/tariffs/' || file)::jsonb)) AS deterministic
FROM tariff_files;

-- ---- tests/vectors/tariff_examples.txt
CREATE TEMP TABLE ex AS
SELECT v.n, regexp_replace(v.rec->>'tariff', '^.*/', '') AS file, v.rec
FROM test_vectors(:'data' || '/vectors/tariff_examples.txt', 'bill') AS v;
CREATE TEMP TABLE ex_iv AS
SELECT ex.n, p[1]::timestamp AS start_at, p[2]::timestamp AS end_at, prepay_decimal(p[3], 3) AS energy
FROM ex, jsonb_each_text(ex.rec) AS kv(k, v), regexp_split_to_array(kv.v, '\s*,\s*') AS p
WHERE kv.k LIKE 'interval_%';
CREATE TEMP TABLE ex_bill AS
SELECT ex.n, ex.file, ex.rec, t.plan,
       prepay_bill(t.plan, i.start_at, i.end_at, i.energy) AS batch,
       prepay_bill_stream(t.plan, i.start_at, i.end_at, i.energy ORDER BY i.start_at) AS stream
FROM ex JOIN tariff_files t USING (file) JOIN ex_iv i USING (n)
GROUP BY ex.n, ex.file, ex.rec, t.plan;
-- totals (yuan in the vectors, fen in SQL)
SELECT n, file, (batch->>'total')::bigint AS total, prepay_decimal(rec->>'total', 2) AS expected,
       (batch->>'total')::bigint = prepay_decimal(rec->>'total', 2) AS ok,
       batch = stream AS stream_equals_batch
FROM ex_bill ORDER BY n;
-- lines: "band tier kWh amount" summed over cycles
SELECT b.n, kv.k, p[1] AS band, p[2]::int AS tier,
       sum((l->>'quantity')::bigint) = prepay_decimal(p[3], 3) AS quantity_ok,
       sum((l->>'amount')::numeric) = p[4]::numeric * 100 AS amount_ok
FROM ex_bill b, jsonb_each_text(b.rec) AS kv(k, v), regexp_split_to_array(kv.v, '\s+') AS p,
     jsonb_array_elements(b.batch->'lines') AS l
WHERE kv.k LIKE 'line_%' AND l->>'band_name' = p[1] AND (l->>'tier')::int = p[2]::int
GROUP BY b.n, kv.k, p ORDER BY b.n, kv.k;
-- the same intervals through a stored state, one call per row
SELECT b.n, s->>'steps' AS steps, (s->>'exact')::numeric = (b.batch->>'exact')::numeric AS exact_equal,
       (s->>'due')::bigint = round((b.batch->>'exact')::numeric) AS dues_sum_to_rounded_exact
FROM ex_bill b,
     test_stream_rows(b.plan, format('SELECT start_at, end_at, energy FROM ex_iv WHERE n = %s ORDER BY start_at', b.n)) AS s
ORDER BY b.n;

-- ---- NREL SAM utilityrate5 (tests/vectors/nrel_sam_bills.txt): 8760 hourly kW, COPY
CREATE TEMP TABLE nrel_load (hour serial, kw text);
\set nrel_csv :data '/vectors/nrel/pvsamv1_residential_load.csv'
COPY nrel_load (kw) FROM :'nrel_csv';
CREATE TEMP TABLE nrel AS
SELECT '2001-01-01'::timestamp + (hour - 1) * interval '1 hour' AS start_at,
       '2001-01-01'::timestamp + hour * interval '1 hour' AS end_at,
       prepay_decimal(kw, 3) AS energy
FROM nrel_load;
-- 8760 hours; the year's Wh as the C test checks it (6019809)
SELECT count(*) AS hours, sum(energy) AS wh FROM nrel;
CREATE TEMP TABLE nrel_case AS
SELECT v.n, v.rec, prepay_tariff_compile_urdb(pg_read_file(:'data' || '/vectors/nrel/' || (v.rec->>'tariff'))::json,
                                              v.rec->>'rate_scale') AS plan
FROM test_vectors(:'data' || '/vectors/nrel_sam_bills.txt', 'bill') AS v;
CREATE TEMP TABLE nrel_bill AS
SELECT c.n, c.rec, c.plan, prepay_bill(c.plan, r.start_at, r.end_at, r.energy) AS batch,
       prepay_bill_stream(c.plan, r.start_at, r.end_at, r.energy ORDER BY r.start_at) AS stream
FROM nrel_case c CROSS JOIN nrel r GROUP BY c.n, c.rec, c.plan;
SELECT n, rec->>'tariff' AS tariff, rec->>'rate_scale' AS scale, (batch->>'total')::bigint AS total,
       prepay_decimal(rec->>'total_wh', 2) AS expected_wh,
       (batch->>'total')::bigint = prepay_decimal(rec->>'total_wh', 2) AS ok,
       abs((batch->>'total')::bigint - prepay_decimal(rec->>'sam_assert', 2)) <= prepay_decimal(rec->>'sam_tol', 2)
           AS within_sam_tolerance,
       batch = stream AS stream_equals_batch, (batch->>'energy')::bigint AS energy
FROM nrel_bill ORDER BY n;
-- the proportional-tier tariff hour by hour through a stored state
SELECT (s->>'exact')::numeric = (b.batch->>'exact')::numeric AS exact_equal,
       (s->>'due')::bigint = (b.batch->>'total')::bigint AS dues_equal_bill_total, s->>'steps' AS steps
FROM nrel_bill b,
     test_stream_rows(b.plan, 'SELECT start_at, end_at, energy FROM nrel ORDER BY start_at') AS s
WHERE b.rec->>'tariff' = 'sam_residential_tou_tiers.json';
-- January alone under the tiered tariff: 84.86 by hand (test_nrel_sam.c)
SELECT prepay_bill(plan, start_at, end_at, energy)->>'total' AS january
FROM nrel_case, nrel WHERE rec->>'tariff' = 'sam_residential_tou_tiers.json' AND start_at < '2001-02-01'
GROUP BY plan;

-- ---- the other plan functions
SELECT prepay_tariff_band_at(plan, '2025-06-02 09:00') AS band_09, prepay_tariff_band_at(plan, '2025-06-02 11:00') AS band_11,
       prepay_tariff_price(plan, 2, 1) AS flat_tier1, prepay_tariff_price(plan, 2, 2) AS flat_tier2,
       prepay_tariff_cycle_start(plan, '2025-06-17 12:00') AS cycle_start, prepay_tariff_cycle_end(plan, '2025-06-17 12:00') AS cycle_end
FROM tariff_files WHERE file = 'guangzhou_residential_tou.json';
-- 100 yuan at 0.58886875 (flat, tier 1, summer): floor(100 / 0.58886875 kWh) to 10 Wh = 169.81 kWh
SELECT prepay_tariff_vend(plan, '2025-06-02 09:00', 10000, 10) AS wh FROM tariff_files
WHERE file = 'guangzhou_residential_tou.json';
-- one interval alone, and the per-row amount of a plan without tiers (Beijing C&I: 100 kWh sharp at 1.344)
SELECT prepay_tariff_price_interval(plan, '2025-07-15 16:00', '2025-07-15 17:00', 100000)->>'total' AS total,
       prepay_tariff_interval_amount(plan, '2025-07-15 16:00', '2025-07-15 17:00', 100000) AS exact
FROM tariff_files WHERE file = 'beijing_ci_tou_sharp.json';
-- per-row amounts summed = the bill's exact total, for a plan whose pieces price alone
SELECT sum(prepay_tariff_interval_amount(t.plan, i.start_at, i.end_at, i.energy)) = (b.batch->>'exact')::numeric AS per_row_sum_equals_bill
FROM ex_bill b JOIN tariff_files t USING (file) JOIN ex_iv i USING (n)
WHERE b.file = 'beijing_ci_tou_sharp.json' GROUP BY b.batch;
-- a stored state's streaming step and its bookkeeping
SELECT f.due, f.exact, jsonb_array_length(f.lines) AS lines, prepay_tariff_state_info(f.state) AS state
FROM tariff_files, prepay_tariff_feed(plan, prepay_tariff_state(), '2025-06-02 08:00', '2025-06-02 10:00', 100000) AS f
WHERE file = 'guangzhou_residential_tou.json';
-- register readings: the first primes, the second prices the difference
WITH p AS (SELECT plan FROM tariff_files WHERE file = 'guangzhou_residential_tou.json'),
     r1 AS (SELECT (prepay_tariff_feed_reading(plan, prepay_tariff_state(), '2025-06-02 08:00', 1000000)).* FROM p)
SELECT r1.due AS first_due, r2.due, r2.exact
FROM p, r1, prepay_tariff_feed_reading(p.plan, r1.state, '2025-06-02 10:00', 1100000) AS r2;
-- bill lines as rows (0.2)
SELECT kind, cycle, band_name, tier, quantity, amount, money FROM ex_bill, prepay_bill_lines(batch) WHERE n = 1;
