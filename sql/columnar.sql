-- datalayer_columnar: the columnar table access method
SET timezone = 'UTC';
SET datestyle = 'ISO, MDY';
SET extra_float_digits = 0;
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- the documentation's example: a metrics table stored in columns
CREATE TABLE col_cpu (
    time timestamptz NOT NULL,
    host text,
    usage_user float8,
    usage_system float8
) USING datalayer_columnar;

INSERT INTO col_cpu
SELECT timestamptz '2024-01-01' + i * interval '10 seconds', 'host_' || h,
       round((50 + 20 * sin(i / 100.0 + h))::numeric, 2),
       round((10 + 5 * cos(i / 50.0 + h))::numeric, 2)
FROM generate_series(0, 8639) i, generate_series(1, 10) h;

SELECT count(*), count(DISTINCT host), round(avg(usage_user)::numeric, 4) FROM col_cpu;

SELECT column_name, encodings, compressed_bytes < 30000 AS compact
FROM datalayer.columnar_stats('col_cpu');

-- only the columns a query uses are read; row groups outside a range are skipped
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT max(usage_user) FROM col_cpu
WHERE time >= '2024-01-01 20:00' AND time < '2024-01-01 21:00';

SELECT max(usage_user) FROM col_cpu
WHERE time >= '2024-01-01 20:00' AND time < '2024-01-01 21:00';

-- the same answers as a heap table
CREATE TABLE col_cpu_heap (LIKE col_cpu);
INSERT INTO col_cpu_heap SELECT * FROM col_cpu;
SELECT (SELECT array_agg(x ORDER BY x) FROM (SELECT md5(c::text) AS x FROM col_cpu c) a)
     = (SELECT array_agg(x ORDER BY x) FROM (SELECT md5(c::text) AS x FROM col_cpu_heap c) b) AS same_rows;

-- settings per table
SELECT datalayer.columnar_set('col_cpu', row_group_size => 20000, zstd_level => 9);
SELECT relid, row_group_size, zstd_level FROM datalayer.columnar_settings WHERE relid = 'col_cpu'::regclass;
SELECT datalayer.columnar_reset('col_cpu');
SELECT relid, row_group_size, zstd_level FROM datalayer.columnar_settings WHERE relid = 'col_cpu'::regclass;
SELECT pg_temp.err($$SELECT datalayer.columnar_set('col_cpu', row_group_size => 10)$$);
SELECT pg_temp.err($$SELECT datalayer.columnar_set('col_cpu', zstd_level => 40)$$);
SELECT pg_temp.err($$SELECT datalayer.columnar_set('col_cpu_heap', 20000)$$);
SELECT pg_temp.err($$SELECT datalayer.columnar_stats('col_cpu_heap')$$);

-- every type round-trips, with NULLs, special floats, long and toasted values
CREATE TABLE col_types (
    i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, b bool, d date, ts timestamp,
    tstz timestamptz, tm time, iv interval, n numeric, t text, vc varchar(300), c char(3),
    u uuid, j jsonb, a int[], by bytea, nm name, o oid, m money
) USING datalayer_columnar;
INSERT INTO col_types VALUES
  (1, 2, 3, 1.5, 2.25, true, '2024-02-29', '2024-02-29 12:00', '2024-02-29 12:00+00', '12:34:56',
   '1 day 2 hours', 123.456, 'short', repeat('v', 300), 'abc',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": [1, 2]}', ARRAY[1, NULL, 3], '\xdeadbeef', 'nm', 42, 12.34),
  (NULL, NULL, NULL, 'NaN', '-Infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (-32768, -2147483648, -9223372036854775808, '-Infinity', 'NaN', false, '-infinity', 'infinity',
   'infinity', '00:00', '-1 mon', 'NaN', '', '', '', '00000000-0000-0000-0000-000000000000',
   'null', '{}', '\x', '', 4294967295, -1);
INSERT INTO col_types (t) SELECT repeat(md5(g::text), 1000) FROM generate_series(1, 3) g;
SELECT i2, i4, i8, f4, f8, b, d, ts, tstz, tm, iv, n, left(t, 10) AS t, length(vc) AS vc, c, u, j, a, by, nm, o, m
FROM col_types ORDER BY i8 NULLS LAST, length(t);
SELECT sum(length(t)) FROM col_types;
SELECT count(*) FROM col_types WHERE f8 = 'NaN' OR f4 = 'NaN';
SELECT count(*) FROM col_types WHERE i4 IS NULL;

-- skipping with every comparison; NaN sorts above everything, as PostgreSQL does
CREATE TABLE col_skip (k int8, f float8, d date) USING datalayer_columnar;
SELECT datalayer.columnar_set('col_skip', row_group_size => 1000);
INSERT INTO col_skip SELECT g, CASE WHEN g = 4500 THEN 'NaN' ELSE g / 10.0 END, date '2024-01-01' + g / 100
FROM generate_series(1, 10000) g;
-- the row groups a query reads and skips, and its count(*)
CREATE FUNCTION pg_temp.groups(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    plan json;
    n bigint;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, COSTS OFF, TIMING OFF) ' || q INTO plan;
    EXECUTE q INTO n;
    -- ColumnarAggregate at the top, or a ColumnarScan under an Aggregate
    RETURN format('%s read, %s skipped: %s rows',
                  coalesce(plan -> 0 -> 'Plan' ->> 'Row Groups Read', plan -> 0 -> 'Plan' -> 'Plans' -> 0 ->> 'Row Groups Read'),
                  coalesce(plan -> 0 -> 'Plan' ->> 'Row Groups Skipped', plan -> 0 -> 'Plan' -> 'Plans' -> 0 ->> 'Row Groups Skipped'), n);
END $$;
SELECT q, pg_temp.groups(q) AS row_groups
FROM (VALUES ('SELECT count(*) FROM col_skip WHERE k = 2500'),
             ('SELECT count(*) FROM col_skip WHERE k < 1500'),
             ('SELECT count(*) FROM col_skip WHERE k <= 1000'),
             ('SELECT count(*) FROM col_skip WHERE k > 9000'),
             ('SELECT count(*) FROM col_skip WHERE k >= 9001'),
             ('SELECT count(*) FROM col_skip WHERE k BETWEEN 3001 AND 3999'),
             ('SELECT count(*) FROM col_skip WHERE k IN (5, 7005)'),
             ('SELECT count(*) FROM col_skip WHERE 2500 = k'),
             ('SELECT count(*) FROM col_skip WHERE k = 2500::int4'),
             ('SELECT count(*) FROM col_skip WHERE f > 990'),
             ('SELECT count(*) FROM col_skip WHERE f = ''NaN'''),
             ('SELECT count(*) FROM col_skip WHERE d >= ''2024-04-01'''),
             ('SELECT count(*) FROM col_skip WHERE k IS NULL'),
             ('SELECT count(*) FROM col_skip WHERE k IS NOT NULL'),
             ('SELECT count(*) FROM col_skip WHERE k + 0 = 2500')) v(q);
PREPARE col_p(int8) AS SELECT count(*) FROM col_skip WHERE k >= $1;
SELECT pg_temp.groups('EXECUTE col_p(9500)');
EXECUTE col_p(9500);

-- DML: unique keys, ON CONFLICT, UPDATE, DELETE, transactions and savepoints
CREATE TABLE col_kv (id int PRIMARY KEY, v text) USING datalayer_columnar;
INSERT INTO col_kv VALUES (1, 'a'), (2, 'b'), (3, 'c');
SELECT pg_temp.err($$INSERT INTO col_kv VALUES (2, 'dup')$$);
INSERT INTO col_kv VALUES (2, 'x') ON CONFLICT (id) DO NOTHING;
INSERT INTO col_kv VALUES (2, 'b2'), (4, 'd') ON CONFLICT (id) DO UPDATE SET v = excluded.v;
UPDATE col_kv SET v = v || '!' WHERE id = 3 RETURNING *;
DELETE FROM col_kv WHERE id = 1 RETURNING *;
SELECT * FROM col_kv ORDER BY id;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM col_kv WHERE id = 3;
SELECT * FROM col_kv WHERE id = 3;
SELECT * FROM col_kv WHERE id = 1;
RESET enable_seqscan;
BEGIN;
INSERT INTO col_kv VALUES (10, 'rolled back');
SELECT count(*) FROM col_kv;
ROLLBACK;
BEGIN;
INSERT INTO col_kv VALUES (11, 'kept');
SAVEPOINT sp;
INSERT INTO col_kv VALUES (12, 'rolled back to savepoint');
DELETE FROM col_kv WHERE id = 2;
ROLLBACK TO sp;
INSERT INTO col_kv VALUES (13, 'kept too');
SELECT id FROM col_kv ORDER BY id;
COMMIT;
SELECT * FROM col_kv ORDER BY id;
-- rows inserted by an earlier statement of the transaction are visible to the next one
BEGIN;
INSERT INTO col_kv VALUES (20, 'a');
INSERT INTO col_kv SELECT id + 100, v FROM col_kv WHERE id = 20;
SELECT id FROM col_kv WHERE id >= 20 ORDER BY id;
COMMIT;
DO $$
BEGIN
    INSERT INTO col_kv VALUES (30, 'in a block');
    BEGIN
        INSERT INTO col_kv VALUES (31, 'in a failed block');
        PERFORM 1 / 0;
    EXCEPTION WHEN division_by_zero THEN
        NULL;
    END;
END $$;
SELECT id, v FROM col_kv WHERE id >= 30 ORDER BY id;
SELECT id FROM col_kv WHERE id < 4 ORDER BY id FOR UPDATE NOWAIT;
SELECT pg_temp.err($$SELECT * FROM col_kv TABLESAMPLE SYSTEM (10)$$);
CREATE INDEX CONCURRENTLY ON col_kv (v);
DROP INDEX IF EXISTS col_kv_v_idx;
SELECT pg_temp.err($$CREATE UNLOGGED TABLE col_unlogged (a int) USING datalayer_columnar$$);

-- deletes, VACUUM FULL, CLUSTER, ANALYZE, TRUNCATE
CREATE TABLE col_del (id int, grp int) USING datalayer_columnar;
CREATE INDEX ON col_del (grp);
INSERT INTO col_del SELECT g, g % 10 FROM generate_series(1, 5000) g;
DELETE FROM col_del WHERE grp = 3;
SELECT row_groups, rows, deleted_rows FROM datalayer.columnar_stats('col_del') LIMIT 1;
SELECT count(*), sum(id) FROM col_del;
SET enable_seqscan = off;
SELECT count(*) FROM col_del WHERE grp = 3;
SELECT count(*) FROM col_del WHERE grp = 4;
RESET enable_seqscan;
VACUUM FULL col_del;
SELECT row_groups, rows, deleted_rows FROM datalayer.columnar_stats('col_del') LIMIT 1;
SELECT count(*), sum(id) FROM col_del;
CLUSTER col_del USING col_del_grp_idx;
SELECT count(*), sum(id) FROM col_del;
SELECT grp FROM col_del LIMIT 3;
ANALYZE col_del;
SELECT reltuples FROM pg_class WHERE oid = 'col_del'::regclass;
SELECT attname, n_distinct FROM pg_stats WHERE tablename = 'col_del' ORDER BY attname;
TRUNCATE col_del;
SELECT count(*) FROM col_del;
INSERT INTO col_del VALUES (1, 1);
SELECT * FROM col_del;

-- small row groups from many small transactions are merged by columnar_compact,
-- which leaves out deleted rows, gives their space back and writes rows in
-- the sort_by order
CREATE TABLE col_small (host text, time timestamptz, v float8) USING datalayer_columnar;
CREATE UNIQUE INDEX col_small_key ON col_small (host, time);
DO $$
BEGIN
    FOR b IN 0..39 LOOP
        INSERT INTO col_small
        SELECT 'host_' || h, timestamptz '2024-01-01' + (b * 50 + i) * interval '1 minute', round((h * 10 + sin(b * 50 + i))::numeric, 2)
        FROM generate_series(0, 49) i, generate_series(1, 20) h;
        COMMIT;
    END LOOP;
END $$;
DELETE FROM col_small WHERE time < '2024-01-01 05:00';
SELECT row_groups, rows, deleted_rows FROM datalayer.columnar_stats('col_small') LIMIT 1;
CREATE TEMP TABLE col_small_before AS SELECT count(*) AS n, sum(v) AS s, md5(string_agg(host || time || v, ',' ORDER BY host, time)) AS h FROM col_small;
SELECT datalayer.columnar_set('col_small', sort_by => '{host,time}');
SELECT row_group_size, sort_by FROM datalayer.columnar_settings WHERE relid = 'col_small'::regclass;
SELECT row_groups_before, row_groups_after, deleted_rows_removed, bytes_after < bytes_before AS smaller
FROM datalayer.columnar_compact('col_small');
SELECT row_groups, rows, deleted_rows FROM datalayer.columnar_stats('col_small') LIMIT 1;
SELECT (SELECT count(*) FROM col_small) = n AS same_count,
       (SELECT md5(string_agg(host || time || v, ',' ORDER BY host, time)) FROM col_small) = h AS same_rows
FROM col_small_before;
-- in sort_by order: a scan returns host_1's rows first, in time order
SELECT host, min(time), max(time) FROM (SELECT host, time FROM col_small LIMIT 1900) s GROUP BY host ORDER BY host;
-- the unique index was rebuilt and still answers
SET enable_seqscan = off;
SELECT v FROM col_small WHERE host = 'host_7' AND time = '2024-01-01 20:00';
RESET enable_seqscan;
SELECT pg_temp.err($$INSERT INTO col_small VALUES ('host_7', '2024-01-01 20:00', 1)$$);
SELECT pg_temp.err($$SELECT datalayer.columnar_set('col_small', sort_by => '{host,nope}')$$);
SELECT pg_temp.err($$SELECT datalayer.columnar_set('col_small', sort_by => '{host,host}')$$);
SELECT pg_temp.err($$SELECT datalayer.columnar_set('col_small', sort_by => '{host,NULL}')$$);
SELECT pg_temp.err($$SELECT datalayer.columnar_set('col_small', sort_by => '{a,b,c,d,e,f,g,h,i}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.columnar_compact('col_cpu_heap')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.columnar_compact(0)$$);
CREATE TABLE col_nosort (p point) USING datalayer_columnar;
SELECT pg_temp.err($$SELECT datalayer.columnar_set('col_nosort', sort_by => '{p}')$$);
-- an empty array clears sort_by; a dropped column drops out of it
SELECT datalayer.columnar_set('col_small', sort_by => '{}');
SELECT sort_by FROM datalayer.columnar_settings WHERE relid = 'col_small'::regclass;
ALTER TABLE col_small ADD COLUMN extra int;
SELECT datalayer.columnar_set('col_small', sort_by => '{extra,time}');
ALTER TABLE col_small DROP COLUMN extra;
SELECT sort_by FROM datalayer.columnar_settings WHERE relid = 'col_small'::regclass;
-- sort_by is kept by column name (so pg_dump carries it) and follows a rename
ALTER TABLE col_small ADD COLUMN extra2 int;
SELECT datalayer.columnar_set('col_small', sort_by => '{extra2,time}');
ALTER TABLE col_small RENAME COLUMN extra2 TO renamed;
SELECT sort_by FROM datalayer.columnar_settings WHERE relid = 'col_small'::regclass;
BEGIN;
ALTER TABLE col_small RENAME COLUMN renamed TO renamed_again;
SELECT sort_by FROM datalayer.columnar_settings WHERE relid = 'col_small'::regclass;
ROLLBACK;
SELECT relid, sort_by FROM datalayer.columnar_options WHERE relid = 'col_small'::regclass;
ALTER TABLE col_small DROP COLUMN renamed;
SELECT sort_by FROM datalayer.columnar_settings WHERE relid = 'col_small'::regclass;
SELECT row_groups_after FROM datalayer.columnar_compact('col_small');
SELECT count(*) FROM col_small;
-- compaction is refused to a user who does not own the table
CREATE ROLE col_reader;
GRANT SELECT ON col_small TO col_reader;
SET ROLE col_reader;
SELECT pg_temp.err($$SELECT * FROM datalayer.columnar_compact('col_small')$$);
RESET ROLE;
REVOKE SELECT ON col_small FROM col_reader;
DROP ROLE col_reader;
-- nothing is lost when compaction runs in a transaction that rolls back
BEGIN;
DELETE FROM col_small WHERE host = 'host_1';
SELECT deleted_rows_removed FROM datalayer.columnar_compact('col_small');
ROLLBACK;
SELECT count(*) FROM col_small WHERE host = 'host_1';

-- plain VACUUM removes the index entries of deleted rows
CREATE TABLE col_vac (id int PRIMARY KEY, v int) USING datalayer_columnar;
INSERT INTO col_vac SELECT g, g FROM generate_series(1, 20000) g;
DELETE FROM col_vac WHERE id % 4 = 0;
VACUUM col_vac;
SELECT reltuples FROM pg_class WHERE oid = 'col_vac_pkey'::regclass;
SELECT reltuples FROM pg_class WHERE oid = 'col_vac'::regclass;
SET enable_seqscan = off;
SELECT count(*) FROM col_vac WHERE id BETWEEN 1 AND 100;
RESET enable_seqscan;
-- the deleted keys can be inserted again, and VACUUM (INDEX_CLEANUP off) leaves the index alone
INSERT INTO col_vac SELECT g, -g FROM generate_series(4, 400, 4) g;
DELETE FROM col_vac WHERE id <= 1000;
VACUUM (INDEX_CLEANUP off) col_vac;
SELECT reltuples FROM pg_class WHERE oid = 'col_vac_pkey'::regclass;
VACUUM col_vac;
SELECT reltuples FROM pg_class WHERE oid = 'col_vac_pkey'::regclass;
SELECT count(*), sum(v) FROM col_vac;

-- ALTER TABLE: access method both ways, new and dropped columns
CREATE TABLE col_alter (id int, v text);
INSERT INTO col_alter SELECT g, 'v' || g FROM generate_series(1, 3000) g;
ALTER TABLE col_alter SET ACCESS METHOD datalayer_columnar;
SELECT count(*), sum(id), max(v) FROM col_alter;
ALTER TABLE col_alter ADD COLUMN w int DEFAULT 7, ADD COLUMN z text;
INSERT INTO col_alter VALUES (3001, 'new', 8, 'z');
SELECT sum(w), count(z) FROM col_alter;
ALTER TABLE col_alter DROP COLUMN v;
SELECT * FROM col_alter WHERE id IN (1, 3001) ORDER BY id;
ALTER TABLE col_alter SET ACCESS METHOD heap;
SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = 'col_alter'::regclass;
SELECT count(*), sum(id), sum(w) FROM col_alter;

-- a damaged catalog entry is reported, not decoded
CREATE TABLE col_damaged (a int) USING datalayer_columnar;
INSERT INTO col_damaged SELECT generate_series(1, 100);
UPDATE datalayer.columnar_row_group SET column_meta = set_byte(column_meta, 12, get_byte(column_meta, 12) # 1)
WHERE storage_id = (SELECT max(storage_id) FROM datalayer.columnar_row_group);
SELECT pg_temp.err($$SELECT count(*) FROM col_damaged$$);
UPDATE datalayer.columnar_row_group SET column_meta = set_byte(column_meta, 12, get_byte(column_meta, 12) # 1),
       first_block = 1000
WHERE storage_id = (SELECT max(storage_id) FROM datalayer.columnar_row_group);
SELECT pg_temp.err($$SELECT sum(a) FROM col_damaged$$);

-- single-row reads: index scans decode only the columns their plan reads,
-- row versions for UPDATE/DELETE are decoded once per row group and copied out
CREATE TABLE col_fetch (id int PRIMARY KEY, host text, a float8, b int, note text)
    USING datalayer_columnar;
CREATE TABLE col_fetch_heap (id int PRIMARY KEY, host text, a float8, b int, note text);
INSERT INTO col_fetch SELECT g, 'h' || (g % 7), g / 4.0, g % 100, repeat(md5(g::text), 3)
FROM generate_series(1, 60000) g;
INSERT INTO col_fetch_heap SELECT * FROM col_fetch;
CREATE INDEX ON col_fetch (host, id);
CREATE INDEX ON col_fetch_heap (host, id);
ANALYZE col_fetch;
ANALYZE col_fetch_heap;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SET datalayer.columnar_aggregate = off;
EXPLAIN (COSTS OFF) SELECT b, max(a), count(*) FROM col_fetch WHERE host = 'h3' AND id < 30000 GROUP BY b;
CREATE FUNCTION pg_temp.fetch_same(q text) RETURNS boolean LANGUAGE plpgsql AS $f$
DECLARE c text; h text;
BEGIN
  EXECUTE format('SELECT string_agg(x::text, %L ORDER BY x::text) FROM (%s) x', ',', q) INTO c;
  EXECUTE format('SELECT string_agg(x::text, %L ORDER BY x::text) FROM (%s) x', ',',
                 replace(q, 'col_fetch', 'col_fetch_heap')) INTO h;
  RETURN c IS NOT DISTINCT FROM h AND c IS NOT NULL;
END $f$;
SELECT pg_temp.fetch_same($$SELECT b, max(a), count(*) FROM col_fetch WHERE host = 'h3' AND id < 30000 GROUP BY b$$);
SELECT pg_temp.fetch_same($$SELECT id, note, b FROM col_fetch WHERE host = 'h5' AND id BETWEEN 100 AND 59000$$);
SELECT pg_temp.fetch_same($$SELECT * FROM col_fetch WHERE id IN (1, 49999, 50001, 60000)$$);
SELECT pg_temp.fetch_same($$SELECT t FROM col_fetch t WHERE host = 'h1' AND id < 500$$);
SELECT pg_temp.fetch_same($$SELECT host, sum(b) FROM col_fetch WHERE host > 'h4' GROUP BY host$$);
SELECT pg_temp.fetch_same($$SELECT count(*) FROM col_fetch WHERE host = 'h2' AND a > 1000 AND note LIKE '%a%'$$);
RESET enable_seqscan;
RESET enable_bitmapscan;
RESET datalayer.columnar_aggregate;
-- UPDATE of many rows: full row groups of new versions, not one per row
UPDATE col_fetch SET b = b + 1, note = upper(note) WHERE id <= 40000;
UPDATE col_fetch_heap SET b = b + 1, note = upper(note) WHERE id <= 40000;
SELECT row_groups <= 4 AS compact_update, rows, deleted_rows FROM datalayer.columnar_stats('col_fetch') LIMIT 1;
SELECT pg_temp.fetch_same($$SELECT * FROM col_fetch$$);
WITH d AS (DELETE FROM col_fetch WHERE id % 1000 = 0 RETURNING id, host, note)
SELECT count(*), sum(id), count(DISTINCT host), min(note), max(note) FROM d;
DELETE FROM col_fetch_heap WHERE id % 1000 = 0;
SELECT pg_temp.fetch_same($$SELECT * FROM col_fetch$$);
-- a row inserted and changed in one transaction, and one statement
BEGIN;
INSERT INTO col_fetch VALUES (70000, 'new', 1, 1, 'x');
UPDATE col_fetch SET note = 'y' WHERE id = 70000 RETURNING *;
SELECT * FROM col_fetch WHERE id = 70000 FOR UPDATE;
DELETE FROM col_fetch WHERE id = 70000 RETURNING note;
ROLLBACK;
SELECT pg_temp.err($$UPDATE col_fetch SET id = 5 WHERE id IN (1, 2)$$);
SELECT pg_temp.err($$INSERT INTO col_fetch VALUES (80000, 'a', 1, 1, 'x'), (80000, 'b', 2, 2, 'y')$$);
SELECT count(*) FROM col_fetch WHERE id IN (1, 2, 5, 80000);
-- ON CONFLICT DO UPDATE may not change a row its own command inserted (21000), as on heap
SELECT pg_temp.err($$INSERT INTO col_fetch VALUES (90000, 'a', 1, 1, 'x'), (90000, 'b', 2, 2, 'y')
    ON CONFLICT (id) DO UPDATE SET note = 'twice'$$);
INSERT INTO col_fetch VALUES (90000, 'a', 1, 1, 'x'), (90001, 'b', 2, 2, 'y')
    ON CONFLICT (id) DO UPDATE SET note = 'never';
INSERT INTO col_fetch VALUES (90000, 'c', 3, 3, 'z'), (90002, 'd', 4, 4, 'w')
    ON CONFLICT (id) DO UPDATE SET note = excluded.note || ' again' RETURNING id, note;
SELECT id, host, note FROM col_fetch WHERE id >= 90000 ORDER BY id;

-- ANALYZE sees the rows in their stored order (TIDs), so correlations are real
CREATE TABLE col_order (t timestamptz, host text, v float8) USING datalayer_columnar;
INSERT INTO col_order SELECT '2024-01-01'::timestamptz + (g / 50) * interval '10 s', 'host_' || (g % 50), g % 97
FROM generate_series(0, 199999) g;
CREATE INDEX ON col_order (host, t);
ANALYZE col_order;
SELECT attname, correlation > 0.99 AS in_order, abs(correlation) < 0.2 AS unordered FROM pg_stats
WHERE tablename = 'col_order' AND attname IN ('t', 'host') ORDER BY attname;
-- index scans are costed by the row groups they decode: one host over a
-- time range follows the stored order and uses the index; every host in
-- index order would decode each row group once per host, so the table is
-- read once and sorted instead
EXPLAIN (COSTS OFF) SELECT t, v FROM col_order WHERE host = 'host_7' AND t < '2024-01-01 00:10';
EXPLAIN (COSTS OFF) SELECT DISTINCT ON (host) * FROM col_order ORDER BY host, t DESC;
SELECT host, t, v FROM (SELECT DISTINCT ON (host) * FROM col_order ORDER BY host, t DESC) x
ORDER BY host LIMIT 3;
-- parallel ColumnarScan: workers take whole row groups
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET datalayer.columnar_aggregate = off;
EXPLAIN (COSTS OFF) SELECT count(*), sum(v) FROM col_order WHERE t >= '2024-01-01 10:00';
SELECT count(*), sum(v) FROM col_order WHERE t >= '2024-01-01 10:00';
RESET max_parallel_workers_per_gather;
SELECT count(*), sum(v) FROM col_order WHERE t >= '2024-01-01 10:00';
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET datalayer.columnar_aggregate;

-- B-tree bottom-up deletion: entries of rows whose deletion every snapshot
-- sees are removed from a leaf page before it splits, so a primary key does
-- not grow with each UPDATE of the same rows (it would be 3.5x here)
CREATE TABLE col_churn (id int PRIMARY KEY, v int) USING datalayer_columnar;
INSERT INTO col_churn SELECT g, 0 FROM generate_series(1, 20000) g;
CREATE TEMP TABLE churn_size AS SELECT pg_relation_size('col_churn_pkey') AS before;
UPDATE col_churn SET v = v + 1 WHERE id <= 5000;
UPDATE col_churn SET v = v + 1 WHERE id <= 5000;
UPDATE col_churn SET v = v + 1 WHERE id <= 5000;
UPDATE col_churn SET v = v + 1 WHERE id <= 5000;
UPDATE col_churn SET v = v + 1 WHERE id <= 5000;
UPDATE col_churn SET v = v + 1 WHERE id <= 5000;
UPDATE col_churn SET v = v + 1 WHERE id <= 5000;
UPDATE col_churn SET v = v + 1 WHERE id <= 5000;
UPDATE col_churn SET v = v + 1 WHERE id <= 5000;
UPDATE col_churn SET v = v + 1 WHERE id <= 5000;
SELECT pg_relation_size('col_churn_pkey') < 2 * before AS pkey_kept_small FROM churn_size;
SET enable_seqscan = off;
SELECT count(*), sum(v) FROM col_churn WHERE id > 0;
RESET enable_seqscan;
SELECT count(*), sum(v) FROM col_churn;
DROP TABLE col_churn;

-- parallel CREATE INDEX (it failed: the workers cannot take snapshots); a
-- unique index over deleted duplicates of live keys
CREATE TABLE col_pidx (id int, v text) USING datalayer_columnar;
INSERT INTO col_pidx SELECT g, 'v' || g FROM generate_series(1, 200000) g;
DELETE FROM col_pidx WHERE id % 10 = 0;
INSERT INTO col_pidx SELECT g, 'again' FROM generate_series(10, 200000, 10) g;
SET min_parallel_table_scan_size = 0;
SET max_parallel_maintenance_workers = 2;
CREATE UNIQUE INDEX col_pidx_id ON col_pidx (id);
RESET min_parallel_table_scan_size;
RESET max_parallel_maintenance_workers;
SET enable_seqscan = off;
SELECT count(*), count(DISTINCT id), sum(id) FROM col_pidx WHERE id > 0;
SELECT * FROM col_pidx WHERE id IN (10, 11, 200000) ORDER BY id;
RESET enable_seqscan;
SELECT pg_temp.err($$INSERT INTO col_pidx VALUES (20, 'duplicate')$$);
DROP TABLE col_pidx;

-- at most 170 columns: a row group's catalog entry must fit in a page (54011)
SELECT pg_temp.err(format('CREATE TABLE col_wide (%s) USING datalayer_columnar',
    (SELECT string_agg('c' || i || ' int', ', ') FROM generate_series(1, 171) i)));
DO $$ BEGIN
  EXECUTE format('CREATE TABLE col_wide (%s) USING datalayer_columnar',
                 (SELECT string_agg('c' || i || ' bigint', ', ') FROM generate_series(1, 170) i));
  EXECUTE format('INSERT INTO col_wide SELECT %s FROM generate_series(1, 3000) g',
                 (SELECT string_agg('g * ' || i, ', ') FROM generate_series(1, 170) i));
END $$;
SELECT count(*), sum(c1), sum(c170) FROM col_wide;
ALTER TABLE col_wide ADD COLUMN c171 int;
SELECT pg_temp.err($$INSERT INTO col_wide (c1) VALUES (1)$$);
SELECT count(*) FROM col_wide;
-- uncompressed_bytes: the values' size as PostgreSQL keeps them (8 bytes a bigint here)
SELECT column_name, uncompressed_bytes FROM datalayer.columnar_stats('col_wide')
WHERE column_name IN ('c1', 'c170', 'c171') ORDER BY column_name;
DROP TABLE col_wide;
CREATE TABLE col_plain (s text, n int, c "char") USING datalayer_columnar;
INSERT INTO col_plain VALUES ('abc', 1, 'x'), (NULL, NULL, NULL), (repeat('z', 200), 2, 'y');
SELECT column_name, uncompressed_bytes, ratio > 0 AS has_ratio FROM datalayer.columnar_stats('col_plain');
DROP TABLE col_plain;

-- plain VACUUM frees the row groups all of whose rows are deleted (once
-- their index entries are gone) and new row groups reuse their pages
CREATE TABLE col_free (id int PRIMARY KEY, v float8, note text) USING datalayer_columnar;
SELECT datalayer.columnar_set('col_free', row_group_size => 1000);
INSERT INTO col_free SELECT g, g / 4.0, md5(g::text) FROM generate_series(1, 6000) g;
DELETE FROM col_free WHERE id <= 2000 OR id > 5900;
CREATE TEMP TABLE free_size AS SELECT pg_relation_size('col_free') AS before;
-- without index cleanup the entries stay, and so do their row groups
VACUUM (INDEX_CLEANUP off) col_free;
SELECT count(*) FROM datalayer.columnar_row_groups('col_free');
SELECT count(*) FROM datalayer.columnar_free_space('col_free');
VACUUM col_free;
-- groups 1 and 2 are gone with their markers; group 6, a tenth deleted, stays
SELECT first_row, row_count, deleted_rows FROM datalayer.columnar_row_groups('col_free');
SELECT count(*) AS extents, min(first_block) AS first_block FROM datalayer.columnar_free_space('col_free');
SELECT count(*), sum(id) FROM col_free;
SET enable_seqscan = off;
SELECT id, v FROM col_free WHERE id IN (1500, 2001, 5900, 5901) ORDER BY id;
RESET enable_seqscan;
-- the pages are reused once no snapshot can still see the freed groups
DO $$
BEGIN
    FOR i IN 1..300 LOOP
        EXIT WHEN (SELECT bool_and(reusable) FROM datalayer.columnar_free_space('col_free'));
        PERFORM pg_sleep(0.1);
    END LOOP;
END $$;
SELECT bool_and(reusable) FROM datalayer.columnar_free_space('col_free');
-- a writer that rolls back gives the pages back
BEGIN;
INSERT INTO col_free SELECT g, g / 4.0, md5(g::text) FROM generate_series(10001, 11000) g;
SELECT pg_relation_size('col_free') = before AS in_freed_pages FROM free_size;
ROLLBACK;
SELECT bool_and(reusable), sum(blocks) > 0 FROM datalayer.columnar_free_space('col_free');
-- two row groups (the second into the rest of the extent the first took from)
INSERT INTO col_free SELECT g, g / 4.0, md5(g::text) FROM generate_series(10001, 11500) g;
SELECT pg_relation_size('col_free') = before AS no_growth FROM free_size;
SELECT count(*) FROM datalayer.columnar_row_groups('col_free');
SELECT count(*) FROM col_free c
FULL JOIN (SELECT g AS id, g / 4.0 AS v, md5(g::text) AS note
           FROM generate_series(2001, 5900) g UNION ALL
           SELECT g, g / 4.0, md5(g::text) FROM generate_series(10001, 11500) g) e USING (id)
WHERE c.v IS DISTINCT FROM e.v OR c.note IS DISTINCT FROM e.note;
SET enable_seqscan = off;
SELECT id, v, note = md5(id::text) AS note_ok FROM col_free WHERE id IN (1999, 10001, 11500) ORDER BY id;
RESET enable_seqscan;
SELECT pg_temp.err($$SELECT * FROM datalayer.columnar_free_space('col_cpu_heap')$$);
SELECT count(*) FROM datalayer.columnar_free_space(NULL);
-- plain VACUUM writes a row group again without the values of its dead rows
-- once an eighth of its rows are dead; row numbers and markers stay, the old
-- pages are freed like a freed group's, and a second VACUUM leaves it alone
CREATE TABLE col_drop (id int PRIMARY KEY, v float8, note text) USING datalayer_columnar;
SELECT datalayer.columnar_set('col_drop', row_group_size => 2000) IS NOT NULL AS set;
INSERT INTO col_drop SELECT g, g / 4.0, md5(g::text) FROM generate_series(1, 6000) g;
CREATE TABLE col_drop_heap AS SELECT * FROM col_drop;
CREATE FUNCTION pg_temp.drop_same() RETURNS bigint LANGUAGE sql AS $f$
SELECT count(*) FROM col_drop c FULL JOIN col_drop_heap h USING (id)
WHERE c.id IS NULL OR h.id IS NULL OR c.v IS DISTINCT FROM h.v OR c.note IS DISTINCT FROM h.note
$f$;
DELETE FROM col_drop WHERE id % 3 = 0 AND id <= 4000;
DELETE FROM col_drop WHERE id BETWEEN 4001 AND 4100;
DELETE FROM col_drop_heap WHERE (id % 3 = 0 AND id <= 4000) OR id BETWEEN 4001 AND 4100;
CREATE TEMP TABLE drop_before AS
SELECT first_row, data_bytes FROM datalayer.columnar_row_groups('col_drop');
VACUUM col_drop;
SELECT first_row, deleted_rows, dropped_rows FROM datalayer.columnar_row_groups('col_drop');
-- the md5 strings of a third of the rows are gone from the first two groups
SELECT first_row, round(g.data_bytes::numeric / b.data_bytes, 1) AS bytes_kept
FROM datalayer.columnar_row_groups('col_drop') g JOIN drop_before b USING (first_row) ORDER BY 1;
-- the two groups' old pages, next to each other: one extent
SELECT count(*) AS extents FROM datalayer.columnar_free_space('col_drop');
SELECT pg_temp.drop_same() AS differences;
SET enable_seqscan = off;
SELECT id, v, note = md5(id::text) AS note_ok FROM col_drop WHERE id IN (2, 3, 3998, 3999, 4100, 4101) ORDER BY id;
RESET enable_seqscan;
-- nothing new is dead: a second VACUUM rewrites nothing
VACUUM col_drop;
SELECT first_row, dropped_rows FROM datalayer.columnar_row_groups('col_drop');
SELECT count(*) AS extents FROM datalayer.columnar_free_space('col_drop');
-- more rows of the first group die: it is written again for them
DELETE FROM col_drop WHERE id % 3 = 1 AND id <= 2000;
DELETE FROM col_drop_heap WHERE id % 3 = 1 AND id <= 2000;
VACUUM col_drop;
SELECT first_row, deleted_rows, dropped_rows FROM datalayer.columnar_row_groups('col_drop');
SELECT pg_temp.drop_same() AS differences;
-- an index built now leaves the dead rows out, as heap leaves out its dead
-- tuples: their values are gone
CREATE FUNCTION col_drop_len(t text) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
    IF t IS NULL THEN
        RAISE EXCEPTION 'a dropped row reached the index';
    END IF;
    RETURN length(t);
END $f$;
CREATE INDEX col_drop_len_idx ON col_drop (col_drop_len(note));
SET enable_seqscan = off;
SELECT count(*) FROM col_drop WHERE col_drop_len(note) = 32;
RESET enable_seqscan;
SELECT count(*) FROM col_drop_heap;
-- the dead rows' TIDs stay taken: new rows get new ones, unique keys hold
INSERT INTO col_drop SELECT g, -g, 'again' FROM generate_series(3, 12, 3) g;
INSERT INTO col_drop_heap SELECT g, -g, 'again' FROM generate_series(3, 12, 3) g;
SELECT pg_temp.err($$INSERT INTO col_drop VALUES (2, 0, 'duplicate')$$);
SELECT pg_temp.drop_same() AS differences;
DROP TABLE col_drop, col_drop_heap;
DROP FUNCTION col_drop_len(text);

-- listing free space needs SELECT on the table
CREATE ROLE col_nobody;
SET ROLE col_nobody;
SELECT pg_temp.err($$SELECT * FROM datalayer.columnar_free_space('col_free')$$);
RESET ROLE;
DROP ROLE col_nobody;
DROP TABLE col_free;

-- row group skipping compares with values known only when a scan starts: an
-- initplan that the ModifyTable above the scan owns (it skipped every row
-- group, so the DELETE deleted nothing), and a parameter a nested loop sets
-- anew for each rescan
CREATE TABLE col_param (t timestamptz, v int) USING datalayer_columnar;
SELECT datalayer.columnar_set('col_param', row_group_size => 1000);
INSERT INTO col_param SELECT '2020-01-01'::timestamptz + g * interval '1 minute', g
FROM generate_series(1, 5000) g;
DELETE FROM col_param WHERE t < (SELECT min(t) FROM col_param) + interval '1 day';
SELECT count(*), min(v) FROM col_param;
UPDATE col_param SET v = -v WHERE t > (SELECT max(t) FROM col_param) - interval '10 minutes';
SELECT count(*) FROM col_param WHERE v < 0;
SELECT count(*), min(v) FROM (SELECT v FROM col_param
    WHERE t > (SELECT max(t) FROM col_param) - interval '1 hour' OFFSET 0) s;
SELECT b, c.v FROM (VALUES (2000), (4000), (9000)) x(b),
    LATERAL (SELECT v FROM col_param
             WHERE t <= '2020-01-01'::timestamptz + x.b * interval '1 minute' AND v > 0
             ORDER BY t DESC LIMIT 1) c ORDER BY b;
DROP TABLE col_param;

-- VACUUM reports to the statistics that autovacuum reads: the live rows, and
-- as dead only the deleted rows it could not yet act on (0 here unless
-- another session's snapshot is older than the DELETE)
CREATE TABLE col_vstat (id int) USING datalayer_columnar;
INSERT INTO col_vstat SELECT g FROM generate_series(1, 10000) g;
DELETE FROM col_vstat WHERE id % 5 = 0;
SELECT pg_stat_force_next_flush();
SELECT n_live_tup, n_dead_tup, vacuum_count FROM pg_stat_user_tables WHERE relname = 'col_vstat';
VACUUM col_vstat;
SELECT n_live_tup, n_dead_tup <= 2000 AS dead_counted, vacuum_count FROM pg_stat_user_tables
WHERE relname = 'col_vstat';
DROP TABLE col_vstat;

-- an index scan that meets rows every snapshot sees deleted marks their
-- entries dead (LP_DEAD), and later scans pass them by
CREATE TABLE col_kill (id int PRIMARY KEY, v int) USING datalayer_columnar;
INSERT INTO col_kill SELECT g, g FROM generate_series(1, 10000) g;
DELETE FROM col_kill WHERE id BETWEEN 1001 AND 3000;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
CREATE FUNCTION pg_temp.kill_scan() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    before bigint := pg_stat_get_xact_tuples_returned('col_kill_pkey'::regclass);
BEGIN
    PERFORM count(v) FROM col_kill WHERE id BETWEEN 1 AND 5000;
    RETURN pg_stat_get_xact_tuples_returned('col_kill_pkey'::regclass) - before;
END $$;
SELECT pg_temp.kill_scan() AS entries_read;
-- (a snapshot of another session could still hold the deletions back)
DO $$
BEGIN
    FOR i IN 1..100 LOOP
        EXIT WHEN pg_temp.kill_scan() = 3000;
        PERFORM pg_sleep(0.1);
    END LOOP;
END $$;
SELECT pg_temp.kill_scan() AS entries_read;
SELECT count(*), sum(v) FROM col_kill WHERE id BETWEEN 1 AND 5000;
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT count(*), sum(v) FROM col_kill WHERE id BETWEEN 1 AND 5000;
DROP TABLE col_kill;

-- index fetches read single values: one host's rows of a time-major row
-- group, without decoding the group's integer and float columns whole.
-- Every value comes back bit for bit (float exceptions, int8 extremes,
-- columns with NULLs, strings); an index scan that goes on to read most of
-- a group's rows switches to decoding it whole; UPDATE and DELETE read the
-- same way
CREATE TABLE col_single (time timestamptz, host text, f8 float8, f4 float4, i2 int2, i4 int4,
    i8 int8, maybe float8, note text) USING datalayer_columnar;
SELECT datalayer.columnar_set('col_single', row_group_size => 20000) IS NOT NULL AS set;
INSERT INTO col_single
SELECT '2024-01-01'::timestamptz + s * interval '10 s', 'host_' || h,
       CASE WHEN h = 7 AND s % 50 = 3 THEN (ARRAY['NaN', '-0', 'Infinity', '0.333333333333333314829616256247'])[1 + s / 50 % 4]::float8
            ELSE round((50 + 40 * sin(h * 0.7 + s / 9.0))::numeric, 2)::float8 END,
       CASE WHEN h = 7 AND s % 50 = 4 THEN 'NaN'::float4
            ELSE round((h + s / 3.0)::numeric, 1)::float4 END,
       (h * 100 + s % 17)::int2, h * 1000000 + s, 
       CASE WHEN h = 11 AND s % 100 = 5 THEN 9223372036854775807 - s ELSE h::int8 * s * s END,
       CASE WHEN s % 10 = h % 10 THEN NULL ELSE h + s / 4.0 END,
       'n' || (h * s) % 13
FROM generate_series(0, 499) s, generate_series(0, 99) h
ORDER BY s, h;
CREATE TABLE col_single_heap AS SELECT * FROM col_single;
CREATE INDEX ON col_single (host, time);
CREATE INDEX ON col_single_heap (host, time);
ANALYZE col_single;
ANALYZE col_single_heap;
SELECT count(*) AS row_groups FROM datalayer.columnar_row_group
WHERE storage_id = (SELECT max(storage_id) FROM datalayer.columnar_row_group);
-- time-major: each host has rows in every row group
SELECT string_agg(host, ' ') AS first_rows FROM (SELECT host FROM col_single LIMIT 3) f;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SET datalayer.columnar_aggregate = off;
CREATE FUNCTION pg_temp.rows_of(tbl text, cond text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE r text;
BEGIN
  EXECUTE format($q$SELECT md5(string_agg(concat_ws(',', time, host, float8send(f8), float4send(f4), i2, i4, i8,
                                   float8send(maybe), note), ';' ORDER BY host, time))
                   FROM %s WHERE %s$q$, tbl, cond) INTO r;
  RETURN r;
END $f$;
EXPLAIN (COSTS OFF) SELECT * FROM col_single WHERE host = 'host_7';
SELECT pg_temp.rows_of('col_single', $$host = 'host_7'$$) = pg_temp.rows_of('col_single_heap', $$host = 'host_7'$$) AS host_7_same,
       pg_temp.rows_of('col_single', $$host = 'host_11'$$) = pg_temp.rows_of('col_single_heap', $$host = 'host_11'$$) AS host_11_same,
       pg_temp.rows_of('col_single', $$host IN ('host_0', 'host_99', 'host_50') AND time >= '2024-01-01 00:30'$$) =
       pg_temp.rows_of('col_single_heap', $$host IN ('host_0', 'host_99', 'host_50') AND time >= '2024-01-01 00:30'$$) AS three_hosts_same;
-- the float exceptions themselves
SELECT f8::text, count(*) FROM col_single WHERE host = 'host_7' AND (f8 = 'NaN' OR f8 = 'Infinity' OR f8 < 1)
GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM col_single WHERE host = 'host_7' AND f4 = 'NaN';
SELECT float8send(f8) FROM col_single WHERE host = 'host_7' AND time = '2024-01-01'::timestamptz + 53 * interval '10 s';
-- every row through the index: each group's values are read one host after another
EXPLAIN (COSTS OFF) SELECT * FROM col_single WHERE host >= 'host_0' ORDER BY host, time;
SELECT pg_temp.rows_of('col_single', $$host >= 'host_0'$$) = pg_temp.rows_of('col_single_heap', $$host >= 'host_0'$$) AS all_same;
-- rows in stored order through an index on time: each row is another
-- series, so after a group's worth of single values the group is decoded whole
CREATE INDEX ON col_single (time);
CREATE INDEX ON col_single_heap (time);
EXPLAIN (COSTS OFF) SELECT * FROM col_single WHERE time BETWEEN '2024-01-01 00:10' AND '2024-01-01 01:00';
SELECT pg_temp.rows_of('col_single', $$time BETWEEN '2024-01-01 00:10' AND '2024-01-01 01:00'$$) =
       pg_temp.rows_of('col_single_heap', $$time BETWEEN '2024-01-01 00:10' AND '2024-01-01 01:00'$$) AS time_range_same;
-- row versions: UPDATE and DELETE ... RETURNING read the old rows the same way
UPDATE col_single SET i4 = -i4 WHERE host = 'host_23' AND time < '2024-01-01 00:40';
UPDATE col_single_heap SET i4 = -i4 WHERE host = 'host_23' AND time < '2024-01-01 00:40';
CREATE TEMP TABLE col_single_deleted (am text, count bigint, sum numeric);
WITH d AS (DELETE FROM col_single WHERE host = 'host_31' RETURNING f8, i8)
INSERT INTO col_single_deleted SELECT 'columnar', count(*), sum(hashfloat8(f8)::numeric + i8) FROM d;
WITH d AS (DELETE FROM col_single_heap WHERE host = 'host_31' RETURNING f8, i8)
INSERT INTO col_single_deleted SELECT 'heap', count(*), sum(hashfloat8(f8)::numeric + i8) FROM d;
SELECT count(DISTINCT (count, sum)) = 1 AS deleted_same, min(count) AS deleted FROM col_single_deleted;
SELECT pg_temp.rows_of('col_single', $$host >= 'host_0'$$) = pg_temp.rows_of('col_single_heap', $$host >= 'host_0'$$) AS all_same_after_dml;
RESET enable_seqscan;
RESET enable_bitmapscan;
RESET datalayer.columnar_aggregate;
SELECT pg_temp.rows_of('col_single', 'true') = pg_temp.rows_of('col_single_heap', 'true') AS scan_same;
-- a row group whose data starts a page early: the fetch reports it
UPDATE datalayer.columnar_row_group SET first_block = first_block - 1
WHERE storage_id = (SELECT max(storage_id) FROM datalayer.columnar_row_group) AND first_row = 20001;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT pg_temp.err($$SELECT sum(f8) FROM col_single WHERE host = 'host_3'$$);
RESET enable_seqscan;
RESET enable_bitmapscan;
DROP TABLE col_single, col_single_heap, col_single_deleted;

-- dropping a table removes its catalog rows
SELECT count(*) > 0 FROM datalayer.columnar_row_group;
DROP TABLE col_cpu, col_cpu_heap, col_types, col_skip, col_kv, col_del, col_alter, col_damaged,
    col_small, col_nosort, col_vac, col_fetch, col_fetch_heap, col_order;
SELECT count(*) FROM datalayer.columnar_row_group;
SELECT count(*) FROM datalayer.columnar_deleted;
SELECT count(*) FROM datalayer.columnar_free_extent;
SELECT count(*) FROM datalayer.columnar_options;
