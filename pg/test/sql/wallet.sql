-- Wallet decisions on tests/vectors/wallet_policy.txt: each [policy] starts a
-- fresh wallet, each [step] is one decision whose state feeds the next; the
-- expected level, relay, reason, events and grants were worked out by hand.
\getenv abs_srcdir PG_ABS_SRCDIR
\set data :abs_srcdir '/data'

-- The vector file's policy keys as the jsonb policy of prepay_wallet_decide().
CREATE FUNCTION test_wallet_policy(rec jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'thresholds', (SELECT jsonb_agg(t::bigint ORDER BY i) FROM unnest(string_to_array(rec->>'thresholds', ',')) WITH ORDINALITY AS u(t, i)),
        'hysteresis', (rec->>'hysteresis')::bigint,
        'overdraft_limit', (rec->>'overdraft')::bigint,
        'close_allowed_amount', (rec->>'close_allowed')::bigint,
        'window_debt_cap', (rec->>'cap')::bigint,
        'emergency_amount', (rec->>'emergency_amount')::bigint,
        'emergency_threshold', (rec->>'emergency_threshold')::bigint,
        'emergency_auto', CASE rec->>'emergency_auto' WHEN '1' THEN true END,
        'pretrip_level', (rec->>'pretrip')::int,
        'cutoff', CASE rec->>'cutoff' WHEN 'overdraft' THEN 'overdraft_limit' WHEN 'zero' THEN 'zero' END,
        'windows', (SELECT jsonb_agg(jsonb_build_object('start', split_part(w, '-', 1), 'end', split_part(w, '-', 2)))
                    FROM unnest(string_to_array(rec->>'windows', ',')) AS w),
        'holidays', (SELECT jsonb_agg(h) FROM unnest(string_to_array(rec->>'holidays', '|')) AS h),
        'no_disconnect_days', (SELECT jsonb_agg(CASE d WHEN 'sun' THEN 'sunday' WHEN 'mon' THEN 'monday'
                                   WHEN 'tue' THEN 'tuesday' WHEN 'wed' THEN 'wednesday' WHEN 'thu' THEN 'thursday'
                                   WHEN 'fri' THEN 'friday' WHEN 'sat' THEN 'saturday' END)
                               FROM unnest(string_to_array(rec->>'weekend', '|')) AS d)))
$$;

CREATE FUNCTION test_wallet_run(path text) RETURNS TABLE (n integer, policy text, balance bigint, ok boolean, got text)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    pol jsonb;
    st integer;
    d prepay_wallet_decision;
    events text;
    want text;
BEGIN
    FOR r IN SELECT * FROM test_vector_records(path) ORDER BY 1 LOOP
        IF r.kind = 'policy' THEN
            pol := test_wallet_policy(r.rec);
            policy := r.rec->>'name';
            st := NULL;
        ELSIF r.kind = 'step' THEN
            d := prepay_wallet_decide(pol, (r.rec->>'balance')::bigint, (r.rec->>'now')::timestamp, st,
                    (SELECT coalesce(array_agg(CASE f WHEN 'ack' THEN 'acknowledge' ELSE f END), '{}')
                     FROM unnest(string_to_array(r.rec->>'flags', '|')) AS f),
                    coalesce((r.rec->>'outstanding')::bigint, 0));
            events := coalesce((SELECT string_agg(CASE e WHEN 'level_changed' THEN 'level' ELSE e END, '|' ORDER BY e)
                                FROM unnest(d.events) AS e), 'none');
            want := (SELECT string_agg(e, '|' ORDER BY e) FROM unnest(string_to_array(r.rec->>'events', '|')) AS e);
            n := r.n;
            balance := (r.rec->>'balance')::bigint;
            ok := (NOT r.rec ? 'level' OR d.level = (r.rec->>'level')::int)
                  AND (NOT r.rec ? 'relay' OR d.relay = r.rec->>'relay')
                  AND (NOT r.rec ? 'reason' OR d.reason = r.rec->>'reason')
                  AND (NOT r.rec ? 'events' OR events = want)
                  AND (NOT r.rec ? 'grant' OR d.emergency_grant = (r.rec->>'grant')::bigint);
            got := format('level %s relay %s reason %s events %s grant %s', d.level, d.relay, d.reason, events,
                          d.emergency_grant);
            st := d.next_state;
            RETURN NEXT;
        END IF;
    END LOOP;
END $$;

SELECT policy, count(*) AS steps, count(*) FILTER (WHERE ok) AS ok
FROM test_wallet_run(:'data' || '/vectors/wallet_policy.txt') GROUP BY policy ORDER BY min(n);
-- any step that disagrees (none)
SELECT * FROM test_wallet_run(:'data' || '/vectors/wallet_policy.txt') WHERE NOT ok;
-- [check]: policies the library refuses, with its reason
SELECT rec->>'expect' AS expect, test_error(format('SELECT prepay_wallet_policy(%L)', test_wallet_policy(rec))) AS result
FROM test_vectors(:'data' || '/vectors/wallet_policy.txt', 'check') ORDER BY n;
-- [split]: a top-up repays emergency credit first, then debt
SELECT rec->>'amount' AS amount, s.*,
       (s.to_emergency, s.to_debt, s.to_balance) = ((rec->>'to_emergency')::bigint, (rec->>'to_debt')::bigint,
                                                     (rec->>'to_balance')::bigint) AS ok
FROM test_vectors(:'data' || '/vectors/wallet_policy.txt', 'split'),
     prepay_wallet_split_recharge((rec->>'amount')::bigint, (rec->>'emergency')::bigint, (rec->>'debt')::bigint) AS s
ORDER BY n;
-- the policy as the library uses it (defaults filled in)
SELECT prepay_wallet_policy('{}');
SELECT prepay_wallet_policy('{"thresholds": [3000, 0], "windows": [{"start": "22:00", "end": "06:00"}],
                              "no_disconnect_days": ["saturday", "sunday"], "cutoff": "overdraft_limit",
                              "overdraft_limit": 500, "pretrip_level": 0}');
