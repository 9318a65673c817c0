-- Allocation on the C vectors: the largest-remainder split
-- (tests/vectors/allocation_split.txt), master-minus-sub-meter residuals
-- (allocation_residual.txt) and whole allocations with vacancies and day
-- weighting (allocation_participation.txt).
\getenv abs_srcdir PG_ABS_SRCDIR
\set data :abs_srcdir '/data'

-- ---- split
CREATE TEMP TABLE splits AS
SELECT n, rec, (rec->>'total')::bigint AS total, string_to_array(rec->>'weights', ' ')::bigint[] AS weights
FROM test_vectors(:'data' || '/vectors/allocation_split.txt', 'split');
SELECT count(*) AS splits,
       count(*) FILTER (WHERE prepay_alloc_split(total, weights) = string_to_array(rec->>'shares', ' ')::bigint[]) AS shares_ok
FROM splits WHERE rec ? 'shares';
-- the parts always sum to the total
SELECT bool_and((SELECT sum(s) FROM unnest(prepay_alloc_split(total, weights)) s) = total) AS sums_exact
FROM splits WHERE rec ? 'shares';
SELECT rec->>'error' AS expect, test_error(format('SELECT prepay_alloc_split(%s, %L::bigint[])', total, weights)) AS result
FROM splits WHERE rec ? 'error' ORDER BY n;
SELECT prepay_alloc_split(-10, '{1,1,1}') AS credit_mirrors, prepay_alloc_split(100, '{3,0,1}') AS zero_weight_gets_zero;

-- ---- residual: master - sub-meters
CREATE TEMP TABLE residuals AS
SELECT n, rec FROM test_vectors(:'data' || '/vectors/allocation_residual.txt', 'residual');
SELECT count(*) AS residuals,
       count(*) FILTER (WHERE x.common = (rec->>'common')::bigint AND x.carry_out = (rec->>'carry_out')::bigint
                        AND x.clamped = (rec->>'clamped')::bigint AND x.negative = (rec->>'negative' = '1')
                        AND x.loss_bp = (rec->>'loss_bp')::bigint) AS all_fields_ok
FROM residuals,
     prepay_alloc_residual((rec->>'master')::bigint, coalesce(string_to_array(nullif(nullif(rec->>'subs', ''), '-'), ' '), '{}')::bigint[],
                           (rec->>'carried_in')::bigint, rec->>'policy') AS x
WHERE NOT rec ? 'error';
SELECT rec->>'error' AS expect,
       test_error(format('SELECT prepay_alloc_residual(%s, %L::bigint[], %s, %L)', rec->>'master',
                         coalesce(string_to_array(nullif(nullif(rec->>'subs', ''), '-'), ' '), '{}')::bigint[],
                         rec->>'carried_in', rec->>'policy')) AS result
FROM residuals WHERE rec ? 'error' ORDER BY n;

-- ---- whole allocations
CREATE TEMP TABLE allocs AS
SELECT n, rec,
       (SELECT array_agg(split_part(p, ':', 1)::bigint ORDER BY i) FROM unnest(string_to_array(rec->>'parts', ' ')) WITH ORDINALITY AS t(p, i)) AS accounts,
       (SELECT array_agg(split_part(p, ':', 2)::bigint ORDER BY i) FROM unnest(string_to_array(rec->>'parts', ' ')) WITH ORDINALITY AS t(p, i)) AS weights,
       (SELECT array_agg(split_part(p, ':', 3)::int ORDER BY i) FROM unnest(string_to_array(rec->>'parts', ' ')) WITH ORDINALITY AS t(p, i)) AS days,
       (SELECT array_agg(split_part(p, ':', 4) = '1' ORDER BY i) FROM unnest(string_to_array(rec->>'parts', ' ')) WITH ORDINALITY AS t(p, i)) AS vacant
FROM test_vectors(:'data' || '/vectors/allocation_participation.txt', 'allocate');
SELECT n, lines, lines = rec->>'lines' AS ok
FROM allocs, LATERAL (
    SELECT string_agg(format('%s:%s:%s', a.account_id, a.energy_share, a.money_share), ' ' ORDER BY ord) AS lines
    FROM prepay_alloc_allocate((rec->>'energy')::bigint, (rec->>'money')::bigint, accounts, weights, days, vacant,
                               (rec->>'period_days')::int, rec->>'vacancy', (rec->>'owner')::bigint,
                               rec->>'owner_pays_unoccupied' = '1')
         WITH ORDINALITY AS a(part, account_id, weight, energy_share, money_share, ord)) AS l
ORDER BY n;
-- pricing the common energy once: 1234 Wh at 0.58886875 yuan/kWh = 0.72666... yuan -> 73 fen (half-up)
SELECT prepay_alloc_price_energy(1234, 58886875) AS fen, prepay_alloc_price_energy(1234, 58886875, 'down') AS fen_down;
