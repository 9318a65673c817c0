-- A shard: the extension, and the table that holds its partition of the readings.
CREATE EXTENSION pg_prepay;
CREATE TABLE :part (meter_id bigint NOT NULL, start_at timestamp NOT NULL, end_at timestamp NOT NULL, energy bigint NOT NULL);
