-- Reports on the C vectors: growth rates and ISO weeks of
-- tests/vectors/report_growth.txt, and the hand-worked monthly report of
-- tests/vectors/report_cli/tiny.csv (figures in tests/report/test_report_cli.sh):
--   A-shop 2025-03: 10 kWh (5 valley + 5 flat), fee 4.6405 yuan; YoY +25 % (8 kWh), MoM +150 % (4 kWh);
--   B-shop 2025-03: two meters, 3 kWh peak, fee 3.4299 yuan; YoY and MoM null (no base), never 0;
--   site 2025-03: 13 kWh, 8.0704 yuan; YoY +62.5 %, MoM +225 %.
\getenv abs_srcdir PG_ABS_SRCDIR
\set data :abs_srcdir '/data'

-- ---- growth
SELECT rec->>'current' AS current, rec->>'base' AS base,
       CASE WHEN rec ? 'rate' THEN prepay_report_growth((rec->>'current')::bigint, (rec->>'base')::bigint) * 1000000
                                   = (rec->>'rate')::numeric
            WHEN rec ? 'null' THEN prepay_report_growth((rec->>'current')::bigint, (rec->>'base')::bigint) IS NULL
                                   AND prepay_report_growth_null_reason((rec->>'current')::bigint, (rec->>'base')::bigint)
                                       = rec->>'null' END AS ok,
       CASE WHEN rec ? 'error' THEN test_error(format('SELECT prepay_report_growth(%s, %s)', rec->>'current', rec->>'base')) END AS error
FROM test_vectors(:'data' || '/vectors/report_growth.txt', 'growth') ORDER BY n;

-- ---- ISO 8601 weeks: the week bucket a day falls in
SELECT rec->>'date' AS date, b->>'label' AS week, b->>'label' = format('%s-W%s', rec->>'year', lpad(rec->>'week', 2, '0')) AS ok
FROM test_vectors(:'data' || '/vectors/report_growth.txt', 'iso_week') AS v,
     LATERAL (SELECT prepay_report(jsonb_build_object('period', 'week', 'from', to_char(day - 14, 'YYYY-MM-DD'), 'to', to_char(day + 14, 'YYYY-MM-DD')),
                                   1, day + interval '12 hours', day + interval '13 hours', 0, 1000, NULL) AS r
              FROM (SELECT (v.rec->>'date')::date AS day) AS d) AS x,
     jsonb_array_elements(x.r->'buckets') AS b
WHERE (b->>'has_data')::boolean ORDER BY n;

-- ---- the monthly report of tiny.csv, fees priced by the tariff
\set tiny :data '/vectors/report_cli/tiny.csv'
\set guangdong :data '/tariffs/guangdong_ci_tou_sharp.json'
CREATE TEMP TABLE tariff AS SELECT prepay_tariff_compile(pg_read_file(:'guangdong')::jsonb) AS plan;
CREATE TEMP TABLE csv AS
SELECT split_part(l, ',', 1) AS meter, split_part(l, ',', 2) AS account, split_part(l, ',', 3)::timestamp AS start_at,
       split_part(l, ',', 4)::timestamp AS end_at, prepay_decimal(split_part(l, ',', 5), 3) AS energy,
       nullif(split_part(l, ',', 6), '') AS band
FROM regexp_split_to_table(pg_read_file(:'tiny'), E'\n') AS l
WHERE l <> '' AND l NOT LIKE '#%' AND l NOT LIKE 'meter,%';
-- rows without a band are spread over the hours they cover (uniformly: the tariff engine's rule) and banded by the tariff
CREATE TEMP TABLE rows AS
SELECT meter, account, s AS start_at, s + interval '1 hour' AS end_at,
       energy / (extract(epoch FROM end_at - start_at)::bigint / 3600) AS energy,
       coalesce(CASE band WHEN 'sharp' THEN 1 WHEN 'peak' THEN 2 WHEN 'flat' THEN 3 WHEN 'valley' THEN 4 END,
                prepay_tariff_band_at(plan, s)) AS band
FROM csv, tariff, generate_series(start_at, end_at - interval '1 hour', interval '1 hour') AS s;
SELECT meter, account, start_at, band, energy, prepay_tariff_interval_amount(plan, start_at, end_at, energy) AS fee
FROM rows, tariff ORDER BY account, meter, start_at;
CREATE TEMP TABLE report AS
SELECT account, prepay_report('{"period": "month", "from": "2024-01-01", "to": "2026-01-01"}', hashtext(meter),
                              start_at, end_at, band, energy, prepay_tariff_interval_amount(plan, start_at, end_at, energy)) AS r
FROM rows, tariff GROUP BY account
UNION ALL
SELECT 'site', prepay_report('{"period": "month", "from": "2024-01-01", "to": "2026-01-01"}', hashtext(meter),
                             start_at, end_at, band, energy, prepay_tariff_interval_amount(plan, start_at, end_at, energy))
FROM rows, tariff;
SELECT account, b->>'label' AS month, b->>'energy' AS wh, b->'bands' AS bands, b->>'fee' AS fee, b->>'fee_money' AS fen,
       b->'yoy'->>'rate' AS yoy, b->'yoy'->>'null_reason' AS yoy_null, b->'mom'->>'rate' AS mom,
       b->'mom'->>'null_reason' AS mom_null
FROM report, jsonb_array_elements(r->'buckets') AS b
WHERE b->>'label' IN ('2024-03', '2025-02', '2025-03') ORDER BY account, month;
-- a month without data is null, not zero, and so are its growths
SELECT b->>'label' AS month, b->>'has_data' AS has_data, b->'energy' AS energy, b->'yoy'->>'null_reason' AS yoy
FROM report, jsonb_array_elements(r->'buckets') AS b WHERE account = 'A-shop' AND b->>'label' = '2025-04';
SELECT jsonb_array_length(r->'buckets') AS months FROM report WHERE account = 'site';
