-- CJ/T 188 and Modbus RTU on the C vectors (tests/vectors/cjt188_frames.txt,
-- modbus_frames.txt): every valid frame decodes to its header fields, every
-- 901F water reply to its litres, every register read response to its words.
\getenv abs_srcdir PG_ABS_SRCDIR
\set data :abs_srcdir '/data'

-- ---- CJ/T 188
CREATE TEMP TABLE cj AS
SELECT n, rec, decode(replace(rec->>'hex', ' ', ''), 'hex') AS bytes
FROM test_vectors(:'data' || '/vectors/cjt188_frames.txt', 'frame');
CREATE TEMP TABLE cj_decoded AS
SELECT n, rec, bytes, prepay_cjt188_decode(bytes, coalesce(nullif(rec->>'di_order', ''), 'auto')) AS d
FROM cj WHERE rec->>'valid' = 'yes' AND rec->>'di_order' IN ('high', 'low', '');
SELECT count(*) AS frames,
       count(*) FILTER (WHERE d->>'address' = rec->>'address') AS address_ok,
       count(*) FILTER (WHERE d->>'meter_type' = upper(substr(rec->>'meter_type', 3))) AS meter_type_ok,
       count(*) FILTER (WHERE d->>'control' = upper(substr(rec->>'control', 3))) AS control_ok,
       count(*) FILTER (WHERE (d->>'length')::int = (rec->>'length')::int) AS length_ok,
       count(*) FILTER (WHERE d->>'data' = upper(replace(rec->>'data', ' ', ''))) AS data_ok,
       count(*) FILTER (WHERE d->>'direction' = rec->>'direction') AS direction_ok,
       count(*) FILTER (WHERE rec->>'di' <> '') AS with_di,
       count(*) FILTER (WHERE rec->>'di' <> '' AND d->>'di' = upper(rec->>'di')) AS di_ok
FROM cj_decoded;
-- the same frames with the DI order found by the decoder ('auto')
SELECT count(*) AS auto_order_ok FROM cj_decoded
WHERE rec->>'di' <> '' AND prepay_cjt188_decode(bytes)->>'di' = upper(rec->>'di');
-- 901F water replies: cumulative volume in litres (NULL when absent)
SELECT rec->>'name' AS frame, prepay_cjt188_value(bytes, rec->>'di_order') AS litres, rec->>'current_litres' AS expected,
       coalesce(prepay_cjt188_value(bytes, rec->>'di_order')::text, 'absent') = rec->>'current_litres' AS ok,
       d->'current'->>'settlement_litres' AS settlement, d->'current'->>'clock' AS clock
FROM cj_decoded WHERE rec ? 'current_litres' ORDER BY n;
-- frames that are not: refused with the library's reason
SELECT rec->>'name' AS frame, rec->>'expect_error' AS expect, test_error(format('SELECT prepay_cjt188_decode(%L::bytea)', bytes)) AS result
FROM cj WHERE rec->>'valid' = 'no' ORDER BY n;

-- ---- Modbus RTU
CREATE TEMP TABLE mb AS
SELECT n, rec, decode(replace(rec->>'hex', ' ', ''), 'hex') AS bytes
FROM test_vectors(:'data' || '/vectors/modbus_frames.txt', 'frame');
SELECT count(*) AS frames,
       count(*) FILTER (WHERE (d->>'unit')::int = ('x' || lpad(substr(rec->>'unit', 3), 8, '0'))::bit(32)::int) AS unit_ok,
       count(*) FILTER (WHERE (d->>'function')::int = ('x' || lpad(substr(rec->>'function', 3), 8, '0'))::bit(32)::int & 127) AS function_ok,
       count(*) FILTER (WHERE d->>'data' = upper(replace(rec->>'data', ' ', ''))) AS data_ok
FROM mb, LATERAL (SELECT prepay_modbus_decode(bytes, rec->>'direction') AS d) AS x WHERE rec->>'valid' = 'yes';
SELECT rec->>'name' AS frame, prepay_modbus_decode(bytes, 'response')->'registers' AS registers,
       prepay_modbus_decode(bytes, 'response')->'registers' =
           (SELECT jsonb_agg(('x' || lpad(w, 8, '0'))::bit(32)::int ORDER BY i)
            FROM unnest(string_to_array(rec->>'registers', ' ')) WITH ORDINALITY AS u(w, i)) AS ok
FROM mb WHERE rec ? 'registers' ORDER BY n;
SELECT rec->>'name' AS frame, rec->>'expect_error' AS expect,
       test_error(format('SELECT prepay_modbus_decode(%L::bytea, %L)', bytes, rec->>'direction')) AS result
FROM mb WHERE rec->>'valid' = 'no' ORDER BY n;
-- CRC of the reference pair [S2]: 01 03 00 00 00 02 -> C4 0B
SELECT prepay_modbus_crc('\x010300000002') AS crc;
-- a register map: the Xintai water meter's flow (register 5, float DCBA; [S7]: 1E 85 0B 3F = 0.545 m3/h = 545 L/h)
-- in a response of unit 1 to a read of registers 5..6, its CRC computed by the library
SELECT * FROM prepay_modbus_values('xintai-water', 5, '\x0103041e850b3f' || prepay_modbus_crc('\x0103041e850b3f'));
SELECT test_error($$SELECT * FROM prepay_modbus_values('no-such-meter', 0, '\x010300000002c40b')$$);
