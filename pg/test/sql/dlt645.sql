-- DL/T 645 on the C vectors: every published frame of tests/vectors/dlt645_frames.txt
-- decodes to its header fields (or is refused with the library's reason),
-- every value of tests/vectors/dlt645_values.txt decodes to its known answer.
\getenv abs_srcdir PG_ABS_SRCDIR
\set data :abs_srcdir '/data'
CREATE TEMP TABLE frames AS
SELECT n, rec->>'name' AS name, rec, decode(replace(rec->>'hex', ' ', ''), 'hex') AS bytes
FROM test_vectors(:'data' || '/vectors/dlt645_frames.txt', 'frame');
SELECT count(*) AS frames, count(*) FILTER (WHERE rec->>'valid' = 'yes') AS valid FROM frames;
-- valid frames: size, preamble, address, control, function, length, data (0x33 removed), DI, error byte
CREATE TEMP TABLE decoded AS
SELECT f.name, f.rec, f.bytes, prepay_dlt645_decode(f.bytes) AS d FROM frames f WHERE f.rec->>'valid' = 'yes';
SELECT count(*) AS checked,
       count(*) FILTER (WHERE (d->>'preamble')::int = (rec->>'preamble')::int) AS preamble_ok,
       count(*) FILTER (WHERE d->>'address' = upper(rec->>'address')) AS address_ok,
       count(*) FILTER (WHERE d->>'control' = upper(substr(rec->>'control', 3))) AS control_ok,
       count(*) FILTER (WHERE d->>'function' = upper(substr(rec->>'function', 3))) AS function_ok,
       count(*) FILTER (WHERE (d->>'length')::int = (rec->>'length')::int) AS length_ok,
       count(*) FILTER (WHERE d->>'data' = upper(replace(coalesce(rec->>'data', ''), ' ', ''))) AS data_ok,
       count(*) FILTER (WHERE d->>'direction' = rec->>'direction') AS direction_ok,
       count(*) FILTER (WHERE (d->>'size')::int = length(bytes)) AS size_ok,
       count(*) FILTER (WHERE rec ? 'di') AS with_di,
       count(*) FILTER (WHERE rec ? 'di' AND d->>'di' = upper(rec->>'di')) AS di_ok,
       count(*) FILTER (WHERE rec ? 'error') AS with_error,
       count(*) FILTER (WHERE rec ? 'error' AND (d->>'error')::int = ('x' || lpad(substr(rec->>'error', 3), 8, '0'))::bit(32)::int) AS error_ok
FROM decoded;
-- the frames that are not: each refused with the library's reason (SQLSTATE 22P03)
SELECT name, rec->>'expect_error' AS expect, test_error(format('SELECT prepay_dlt645_decode(%L::bytea)', bytes)) AS result
FROM frames WHERE rec->>'valid' = 'no' ORDER BY n;
-- values of read replies, whole frames in, library units out
SELECT name, d->>'di' AS di, d->'value'->>'text' AS text, d->'value'->>'unit' AS unit,
       prepay_dlt645_value(bytes) AS quantity
FROM decoded
WHERE d ? 'value' AND d->'value'->>'kind' IN ('number', 'demand') ORDER BY name;
-- block replies: every item, as the vectors list them ([frame] records)
SELECT v.rec->>'frame' AS frame,
       (SELECT string_agg(coalesce(i->>'text', i->>'kind'), ';') FROM jsonb_array_elements(d.d->'items') AS i) AS items,
       (SELECT string_agg(coalesce(i->>'text', i->>'kind'), ';') FROM jsonb_array_elements(d.d->'items') AS i)
           = v.rec->>'items' AS ok
FROM test_vectors(:'data' || '/vectors/dlt645_values.txt', 'frame') AS v
JOIN decoded d ON d.name = v.rec->>'frame'
WHERE NOT v.rec ? 'di' AND NOT v.rec ? 'format' AND d.d ? 'items' ORDER BY v.n;

-- typed values (prepay_dlt645_value_decode): every known answer
CREATE TEMP TABLE vals AS
SELECT n, rec, decode(replace(rec->>'data', ' ', ''), 'hex') AS bytes
FROM test_vectors(:'data' || '/vectors/dlt645_values.txt', 'value');
SELECT rec->>'status' AS status, count(*) AS records FROM vals GROUP BY 1 ORDER BY 1;
-- numbers and demands: the quantity in library units
SELECT count(*) AS numbers,
       count(*) FILTER (WHERE prepay_dlt645_value(rec->>'di', bytes) = (rec->>'quantity')::bigint) AS quantity_ok
FROM vals WHERE rec->>'status' = 'ok' AND rec->>'kind' IN ('number', 'demand');
-- every value that decodes: its text as the library prints it
SELECT count(*) AS values_ok,
       count(*) FILTER (WHERE prepay_dlt645_decode_value(rec->>'di', bytes)->>'text' = rec->>'text') AS text_ok,
       count(*) FILTER (WHERE prepay_dlt645_decode_value(rec->>'di', bytes)->>'kind' = rec->>'kind') AS kind_ok
FROM vals WHERE rec->>'status' = 'ok';
-- absent items (all FF) are NULL, not an error
SELECT rec->>'di' AS di, prepay_dlt645_value(rec->>'di', bytes) IS NULL AS is_null FROM vals WHERE rec->>'status' = 'absent';
-- refusals: the library's status names the reason (a block DI is not one value;
-- prepay_dlt645_decode_value() decodes blocks into items instead)
SELECT rec->>'status' AS status, rec->>'di' AS di,
       test_error(format('SELECT prepay_dlt645_value(%L, %L::bytea)', rec->>'di', bytes)) AS result
FROM vals WHERE rec->>'status' NOT IN ('ok', 'absent') ORDER BY n;

-- DI names ([name] records)
SELECT rec->>'di' AS di, prepay_dlt645_item_name(rec->>'di') AS name, prepay_dlt645_item_name(rec->>'di') = rec->>'name' AS ok
FROM test_vectors(:'data' || '/vectors/dlt645_values.txt', 'name') WHERE rec ? 'name' ORDER BY n;

-- many frames in one buffer: every valid reply of the vectors, back to back
SELECT count(*) AS readings, count(*) FILTER (WHERE status = 'ok') AS with_value,
       sum(size) = (SELECT sum(length(bytes)) FROM decoded) AS sizes_add_up
FROM prepay_dlt645_readings((SELECT string_agg(bytes, ''::bytea ORDER BY name) FROM decoded));
SELECT di, status, kind, unit, quantity, at FROM prepay_dlt645_readings(
    (SELECT string_agg(bytes, ''::bytea ORDER BY name) FROM decoded WHERE d->>'direction' = 'reply'
        AND d->>'abnormal' = 'false' AND d ? 'value'))
ORDER BY "offset";
