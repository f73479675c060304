-- Metric tables: every bad input gives a clear error with the right SQLSTATE
-- and leaves the table as it was.
SET timezone = 'UTC';
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE TABLE plain (ts timestamptz, label text, n int, PRIMARY KEY (label));
INSERT INTO plain VALUES ('2024-01-01', 'a', 1), ('2024-01-02', 'b', 2);
-- the table before: kept in a snapshot to compare with after every failure
CREATE TEMP TABLE snapshot AS SELECT * FROM plain;

SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', 'nope')$$);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', 'label')$$);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', 'ctid')$$);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('no_such_table', 'ts')$$);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table(NULL, 'ts')$$);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', NULL)$$);
-- intervals: zero, negative, calendar, wrong type, garbage
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', 'ts', interval '0 days')$$);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', 'ts', interval '-1 day')$$);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', 'ts', interval '1 month')$$);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', 'ts', 86400)$$);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', 'ts', 'a fortnight')$$);
-- the unique key does not include the time column
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', 'ts', interval '1 day')$$);
ALTER TABLE plain DROP CONSTRAINT plain_pkey;
-- NULL times
INSERT INTO plain VALUES (NULL, 'c', 3);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', 'ts', interval '1 day')$$);
DELETE FROM plain WHERE ts IS NULL;
-- a chunk interval that would create too many chunks
INSERT INTO plain SELECT '2024-01-01'::timestamptz + g * interval '1 second', 'x', g FROM generate_series(1, 30) g;
SET datalayer.max_chunks = 20;
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', 'ts', interval '1 second')$$);
RESET datalayer.max_chunks;
DELETE FROM plain WHERE label = 'x';
-- migrate_data => false on a table with rows
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', 'ts', migrate_data => false)$$);
-- nothing changed by any of the failures above
SELECT relkind FROM pg_class WHERE oid = 'plain'::regclass;
SELECT (SELECT count(*) FROM plain) AS rows_now,
       (SELECT count(*) FROM (SELECT * FROM plain EXCEPT SELECT * FROM snapshot) d) AS differing;
SELECT count(*) AS catalog_rows FROM datalayer.metric_table_catalog;
SELECT count(*) AS stray_tables FROM pg_class WHERE relname LIKE 'plain%' AND relkind IN ('r', 'p');

-- objects that are not plain tables
CREATE VIEW plain_view AS SELECT ts FROM plain;
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain_view', 'ts')$$);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', 'ts')$$);
DROP VIEW plain_view;
CREATE MATERIALIZED VIEW plain_mv AS SELECT ts FROM plain;
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain_mv', 'ts')$$);
DROP MATERIALIZED VIEW plain_mv;
CREATE FOREIGN DATA WRAPPER dummy_fdw;
CREATE SERVER dummy_server FOREIGN DATA WRAPPER dummy_fdw;
CREATE FOREIGN TABLE plain_foreign (ts timestamptz) SERVER dummy_server;
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain_foreign', 'ts')$$);
DROP FOREIGN TABLE plain_foreign;
DROP SERVER dummy_server;
DROP FOREIGN DATA WRAPPER dummy_fdw;
CREATE TABLE parted (ts timestamptz) PARTITION BY RANGE (ts);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('parted', 'ts')$$);
CREATE TABLE parent_t (ts timestamptz);
CREATE TABLE child_t () INHERITS (parent_t);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('parent_t', 'ts')$$);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('child_t', 'ts')$$);
CREATE TEMP TABLE temp_t (ts timestamptz);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('temp_t', 'ts')$$);
CREATE UNLOGGED TABLE unlogged_t (ts timestamptz);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('unlogged_t', 'ts')$$);
CREATE TABLE referenced (ts timestamptz, id int, PRIMARY KEY (id, ts));
CREATE TABLE referencing (id int, ts timestamptz, FOREIGN KEY (id, ts) REFERENCES referenced);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('referenced', 'ts')$$);
-- integer times need an integer width
CREATE TABLE int_t (n int NOT NULL);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('int_t', 'n')$$);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('int_t', 'n', interval '1 day')$$);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('int_t', 'n', -5)$$);

-- already a metric table
SELECT metric_table FROM datalayer.create_metric_table('plain', 'ts');
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('plain', 'ts')$$);

-- the other functions on tables that are not metric tables, and bad cut-offs
SELECT pg_temp.err($$SELECT datalayer.show_chunks('parent_t')$$);
SELECT pg_temp.err($$SELECT datalayer.drop_chunks('parent_t', older_than => interval '1 day')$$);
SELECT pg_temp.err($$SELECT datalayer.drop_chunks('plain')$$);
SELECT pg_temp.err($$SELECT datalayer.drop_chunks('plain', older_than => 5)$$);
SELECT pg_temp.err($$SELECT datalayer.show_chunks('plain', older_than => 'yesterday-ish')$$);
SELECT pg_temp.err($$SELECT datalayer.set_chunk_interval('plain', interval '0 seconds')$$);
SELECT pg_temp.err($$SELECT datalayer.set_chunk_interval('parent_t', interval '1 day')$$);
SELECT pg_temp.err($$SELECT datalayer.set_chunk_interval('plain', NULL::interval)$$);
SELECT pg_temp.err($$SELECT datalayer.run_maintenance('parent_t')$$);
SELECT pg_temp.err($$SELECT datalayer.create_chunks('plain', '2024-02-01'::timestamptz, '2024-01-01'::timestamptz)$$);
SELECT pg_temp.err($$SELECT datalayer.create_chunks('plain', NULL::timestamptz, '2024-01-01'::timestamptz)$$);
SELECT pg_temp.err($$SELECT datalayer.create_chunks('plain', interval '1 day', 5)$$);
SET datalayer.max_chunks = 3;
SELECT pg_temp.err($$SELECT datalayer.create_chunks('plain', '2030-01-01'::timestamptz, '2030-02-01'::timestamptz)$$);
RESET datalayer.max_chunks;
SELECT count(*) AS no_chunks_left_behind FROM datalayer.show_chunks('plain', newer_than => '2030-01-01'::timestamptz);
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('int_t', 'n', 10)$$);
SELECT pg_temp.err($$SELECT datalayer.drop_chunks('int_t', older_than => interval '1 day')$$);
SELECT pg_temp.err($$SELECT datalayer.show_chunks('int_t', older_than => now())$$);

-- privileges: only the owner converts, maintains or drops chunks
CREATE ROLE dl_stranger;
CREATE TABLE owned_t (ts timestamptz NOT NULL);
GRANT SELECT ON owned_t TO dl_stranger;
SET ROLE dl_stranger;
SELECT pg_temp.err($$SELECT datalayer.create_metric_table('owned_t', 'ts')$$);
SELECT pg_temp.err($$SELECT datalayer.drop_chunks('plain', older_than => interval '1 day')$$);
SELECT pg_temp.err($$SELECT datalayer.run_maintenance('plain')$$);
SELECT pg_temp.err($$SELECT datalayer.set_chunk_interval('plain', interval '2 days')$$);
SELECT pg_temp.err($$SELECT datalayer.create_chunks('plain', '2030-01-01'::timestamptz, '2030-01-03'::timestamptz)$$);
SELECT pg_temp.err($$UPDATE datalayer.metric_table_catalog SET chunk_width = 1$$);
SELECT pg_temp.err($$DELETE FROM datalayer.metric_table_catalog$$);
SELECT count(*) AS maintained FROM datalayer.run_maintenance();
RESET ROLE;
SELECT chunk_interval FROM datalayer.metric_tables WHERE metric_table = 'plain'::regclass;

DROP TABLE plain, parted, parent_t, child_t, unlogged_t, referencing, referenced, int_t, owned_t;
DROP ROLE dl_stranger;
