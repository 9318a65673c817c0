-- Helpers shared by the suites: the libprepay vector files (tests/vectors,
-- copied under data/ by scripts/test-postgresql.sh) read as records, and
-- errors caught as "SQLSTATE: message".
CREATE EXTENSION IF NOT EXISTS pg_prepay;
SELECT extversion FROM pg_extension WHERE extname = 'pg_prepay';

-- Every record of a vector file, in file order: (n, kind, fields as jsonb).
-- A record is "[kind]" then "key = value" lines; '#' lines are comments.
CREATE FUNCTION test_vector_records(path text) RETURNS TABLE (n integer, kind text, rec jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    line text;
    cur text := NULL;
    fields jsonb;
    k integer := 0;
BEGIN
    FOR line IN SELECT btrim(l, E' \t\r') FROM regexp_split_to_table(pg_read_file(path), E'\n') WITH ORDINALITY AS t(l, i)
                ORDER BY i
    LOOP
        CONTINUE WHEN line = '' OR left(line, 1) = '#';
        IF line ~ '^\[[a-z_0-9]+\]$' THEN
            IF cur IS NOT NULL THEN
                n := k; kind := cur; rec := fields; RETURN NEXT;
            END IF;
            k := k + 1;
            cur := substr(line, 2, length(line) - 2);
            fields := '{}';
        ELSIF cur IS NOT NULL AND position('=' IN line) > 0 THEN
            fields := fields || jsonb_build_object(btrim(split_part(line, '=', 1)),
                                                   btrim(substr(line, position('=' IN line) + 1)));
        END IF;
    END LOOP;
    IF cur IS NOT NULL THEN
        n := k; kind := cur; rec := fields; RETURN NEXT;
    END IF;
END $$;

CREATE FUNCTION test_vectors(path text, want text) RETURNS TABLE (n integer, rec jsonb)
LANGUAGE sql AS $$ SELECT n, rec FROM test_vector_records(path) WHERE kind = want ORDER BY n $$;

-- Runs a statement; returns 'ok' or "SQLSTATE: message".
CREATE FUNCTION test_error(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- Feeds rows one by one through a stored streaming state (what a billing
-- server does per reading) and returns the sums of the exact amounts and of
-- the whole minor units due, after closing the last cycle.
CREATE FUNCTION test_stream_rows(plan bytea, q text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    st bytea := prepay_tariff_state();
    r record;
    f prepay_feed_result;
    exact numeric := 0;
    due bigint := 0;
    steps integer := 0;
BEGIN
    FOR r IN EXECUTE q LOOP
        f := prepay_tariff_feed(plan, st, r.start_at, r.end_at, r.energy);
        st := f.state;
        exact := exact + f.exact;
        due := due + f.due;
        steps := steps + 1;
    END LOOP;
    f := prepay_tariff_close_cycle(plan, st);
    exact := exact + f.exact;
    due := due + f.due;
    RETURN jsonb_build_object('exact', exact, 'due', due, 'steps', steps);
END $$;


-- Whether the plan of a query contains a text (plans differ in details from run to run; their shape does not).
CREATE FUNCTION test_plan_has(q text, pattern text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || q LOOP
        IF line LIKE '%' || pattern || '%' THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END $$;
