-- ColumnarAggregate: grouping and aggregation inside the columnar scan
SET timezone = 'UTC';
SET datestyle = 'ISO, MDY';
SET extra_float_digits = 0;
SET client_min_messages = warning;
-- one process, so the executor accumulates rows in the same order as the scan
SET max_parallel_workers_per_gather = 0;
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- the rows a query returns with and without ColumnarAggregate, compared both ways
CREATE FUNCTION pg_temp.same(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    plan text := '';
    line text;
    n bigint;
    diff bigint;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        plan := plan || line;
    END LOOP;
    SET LOCAL datalayer.columnar_aggregate = on;
    EXECUTE 'CREATE TEMP TABLE agg_on AS ' || q;
    SET LOCAL datalayer.columnar_aggregate = off;
    EXECUTE 'CREATE TEMP TABLE agg_off AS ' || q;
    SET LOCAL datalayer.columnar_aggregate = on;
    SELECT count(*) INTO n FROM agg_on;
    SELECT count(*) INTO diff FROM ((SELECT * FROM agg_on EXCEPT ALL SELECT * FROM agg_off)
                                    UNION ALL (SELECT * FROM agg_off EXCEPT ALL SELECT * FROM agg_on)) d;
    DROP TABLE agg_on, agg_off;
    RETURN CASE WHEN plan LIKE '%ColumnarAggregate%' THEN 'vectorised' ELSE 'executor' END
        || ', ' || n || ' rows, ' || diff || ' differ';
END $$;

CREATE TABLE agg_cpu (
    time timestamptz NOT NULL,
    day date,
    host text,
    cpu int,
    usage float8,
    temp float4,
    small int2,
    flag bool,
    note numeric
) USING datalayer_columnar;
SELECT datalayer.columnar_set('agg_cpu', row_group_size => 5000);
INSERT INTO agg_cpu
SELECT timestamptz '2024-03-01' + i * interval '37 seconds',
       date '2024-03-01' + (i / 2000),
       'host_' || h,
       CASE WHEN i % 97 = 0 THEN NULL ELSE (i * 7 + h) % 1000 END,
       CASE WHEN i % 89 = 0 THEN NULL ELSE round((h * 10 + 20 * sin(i / 50.0))::numeric, 2) END,
       (i % 50) / 4.0,
       (i % 300 - 150)::int2,
       i % 3 = 0,
       i % 11
FROM generate_series(0, 9999) i, generate_series(1, 4) h;

-- the TSBS shapes: everything, a filter, and per host per hour
EXPLAIN (COSTS OFF) SELECT avg(usage), count(*) FROM agg_cpu;
SELECT avg(usage), count(*) FROM agg_cpu;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM agg_cpu WHERE usage > 40;
SELECT count(*) FROM agg_cpu WHERE usage > 40;
EXPLAIN (COSTS OFF)
SELECT date_trunc('hour', time) AS hour, host, avg(usage) FROM agg_cpu GROUP BY 1, 2;
SELECT pg_temp.same($$SELECT date_trunc('hour', time) AS hour, host, avg(usage) FROM agg_cpu GROUP BY 1, 2$$);

-- every aggregate on every type, with NULLs
SELECT pg_temp.same($$SELECT count(*) c1, count(cpu) c2, count(note) c3, count(flag) c4,
    sum(cpu) s1, avg(cpu) a1, min(cpu) n1, max(cpu) x1, sum(usage) s2, avg(usage) a2, min(usage) n2, max(usage) x2,
    sum(temp) s3, avg(temp) a3, min(temp) n3, max(temp) x3, sum(small) s4, avg(small) a4, min(small) n4, max(small) x4,
    min(time) n5, max(time) x5, min(day) n6, max(day) x6 FROM agg_cpu$$);
SELECT count(*), count(cpu), sum(cpu), avg(cpu), min(small), max(small), sum(temp), avg(temp),
       min(time), max(day) FROM agg_cpu;
-- grouping by columns of every supported type, NULL keys included, and by expressions
SELECT pg_temp.same($$SELECT host, count(*), sum(usage) FROM agg_cpu GROUP BY host$$);
SELECT pg_temp.same($$SELECT cpu, count(*) FROM agg_cpu GROUP BY cpu$$);
SELECT pg_temp.same($$SELECT flag, small, max(usage) FROM agg_cpu GROUP BY flag, small$$);
SELECT pg_temp.same($$SELECT day, host, min(temp), max(time) FROM agg_cpu GROUP BY day, host$$);
SELECT pg_temp.same($$SELECT date_trunc('day', time), avg(temp) FROM agg_cpu GROUP BY 1$$);
SELECT pg_temp.same($$SELECT datalayer.time_bucket('15 minutes', time), host, max(usage) FROM agg_cpu GROUP BY 1, 2$$);
SELECT pg_temp.same($$SELECT cpu / 100, count(*) FROM agg_cpu GROUP BY 1$$);
SELECT cpu IS NULL AS no_cpu, count(*) FROM agg_cpu GROUP BY 1 ORDER BY 1;
-- expressions over the aggregates and keys, ORDER BY and LIMIT above
SELECT pg_temp.same($$SELECT upper(host), round(avg(usage)::numeric, 3) AS a, max(usage) - min(usage) AS spread FROM agg_cpu GROUP BY host$$);
SELECT host, round(avg(usage)::numeric, 3), count(*) FROM agg_cpu GROUP BY host ORDER BY 3 DESC, 1 LIMIT 2;
-- filters on every comparison, on integers, floats, dates and timestamps
SELECT pg_temp.same($$SELECT count(*), sum(cpu) FROM agg_cpu WHERE cpu >= 500 AND cpu < 700$$);
SELECT pg_temp.same($$SELECT count(*) FROM agg_cpu WHERE usage = 40$$);
SELECT pg_temp.same($$SELECT host, count(*) FROM agg_cpu WHERE usage <= 10.5 GROUP BY host$$);
SELECT pg_temp.same($$SELECT count(*) FROM agg_cpu WHERE time BETWEEN '2024-03-02' AND '2024-03-03'$$);
SELECT pg_temp.same($$SELECT count(*) FROM agg_cpu WHERE day > '2024-03-03' AND temp > 5$$);
SELECT pg_temp.same($$SELECT count(*) FROM agg_cpu WHERE 100 > cpu$$);
SELECT pg_temp.same($$SELECT count(*) FROM agg_cpu WHERE small < -100$$);
SELECT pg_temp.same($$SELECT count(*) FROM agg_cpu WHERE cpu > 500::int8 AND small >= 10::int8$$);
SELECT pg_temp.same($$SELECT count(*) FROM agg_cpu WHERE time > '2024-03-03'::date$$);
-- row groups are skipped by min/max; a filter no row passes; a NULL comparison
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*), max(usage) FROM agg_cpu WHERE time >= '2024-03-04 12:00';
SELECT count(*), max(usage) FROM agg_cpu WHERE time >= '2024-03-05';
SELECT count(*), max(usage) FROM agg_cpu WHERE cpu > 1000;
SELECT host, count(*) FROM agg_cpu WHERE cpu > 1000 GROUP BY host;
SELECT count(*), max(usage) FROM agg_cpu WHERE cpu > NULL::int;
-- parameters of a prepared statement, custom and generic plans
PREPARE per_host(float8) AS SELECT host, count(*) FROM agg_cpu WHERE usage > $1 GROUP BY host ORDER BY host;
EXECUTE per_host(30);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE per_host(30);
EXECUTE per_host(30);
EXECUTE per_host(NULL);
RESET plan_cache_mode;
-- deleted and updated rows are left out
BEGIN;
DELETE FROM agg_cpu WHERE host = 'host_2';
UPDATE agg_cpu SET usage = usage + 1000 WHERE cpu = 7;
SELECT pg_temp.same($$SELECT host, count(*), sum(usage), max(usage) FROM agg_cpu GROUP BY host$$);
ROLLBACK;
-- NaN and infinities, as PostgreSQL orders and adds them
CREATE TABLE agg_special (g int, x float8, y float4) USING datalayer_columnar;
INSERT INTO agg_special VALUES (1, 'NaN', 1), (1, 1, 'NaN'), (2, 'Infinity', '-Infinity'), (2, 5, 2),
    (3, '-Infinity', 3), (3, 'Infinity', 4), (4, NULL, NULL), (5, '-0', '-0'), (5, 0, 0);
SELECT pg_temp.same($$SELECT g, count(x), sum(x) s1, avg(x) a1, min(x) n1, max(x) x1, sum(y) s2, avg(y) a2, min(y) n2, max(y) x2,
    (sum(x) = 0 AND sum(x)::text = '0') AS zero_sign FROM agg_special GROUP BY g$$);
SELECT g, sum(x), avg(x), min(x), max(x), min(y), max(y) FROM agg_special GROUP BY g ORDER BY g;
SELECT pg_temp.same($$SELECT count(*) FROM agg_special WHERE x > 1000$$);
SELECT count(*) FROM agg_special WHERE x > 1000;
-- overflow is an error, as in the executor
CREATE TABLE agg_big (x float8, y float4) USING datalayer_columnar;
INSERT INTO agg_big VALUES (1e308, 3e38), (1e308, 3e38);
SELECT pg_temp.err($$SELECT sum(x) FROM agg_big$$);
SELECT pg_temp.err($$SELECT sum(y) FROM agg_big$$);
SET datalayer.columnar_aggregate = off;
SELECT pg_temp.err($$SELECT sum(x) FROM agg_big$$);
SELECT pg_temp.err($$SELECT sum(y) FROM agg_big$$);
RESET datalayer.columnar_aggregate;
TRUNCATE agg_big;
INSERT INTO agg_big VALUES (1e200, 1), (-1e200, 1), (1e200, 1);
SELECT pg_temp.err($$SELECT avg(x) FROM agg_big$$);
SET datalayer.columnar_aggregate = off;
SELECT pg_temp.err($$SELECT avg(x) FROM agg_big$$);
RESET datalayer.columnar_aggregate;
-- an empty table: one row without GROUP BY, none with it
CREATE TABLE agg_empty (k int, v float8) USING datalayer_columnar;
SELECT count(*), sum(v), avg(v), min(k) FROM agg_empty;
SELECT k, count(*) FROM agg_empty GROUP BY k;
-- rows added by the same transaction are seen
BEGIN;
INSERT INTO agg_empty VALUES (1, 2.5), (1, 3.5), (2, NULL);
SELECT k, count(*), count(v), avg(v) FROM agg_empty GROUP BY k ORDER BY k;
ROLLBACK;
-- inside a subquery, a join and a lateral reference
SELECT pg_temp.same($$SELECT s.host, s.n, h.x FROM (SELECT host, count(*) AS n FROM agg_cpu GROUP BY host) s
                     CROSS JOIN (VALUES (1), (2)) h(x)$$);
SELECT pg_temp.same($$SELECT h, (SELECT count(*) FROM agg_cpu WHERE cpu > h) AS n FROM generate_series(990, 1000, 5) h$$);
SELECT h, (SELECT count(*) FROM agg_cpu WHERE cpu > h) FROM generate_series(990, 1000, 5) h;
-- what it leaves to the executor: HAVING, DISTINCT, FILTER, ORDER BY in the aggregate, other
-- aggregates and types, quals it cannot evaluate, text keys with a nondeterministic collation
SELECT pg_temp.same($$SELECT host, count(*) FROM agg_cpu GROUP BY host HAVING count(*) > 1$$);
SELECT pg_temp.same($$SELECT count(DISTINCT cpu) FROM agg_cpu$$);
SELECT pg_temp.same($$SELECT count(*) FILTER (WHERE cpu > 5) FROM agg_cpu$$);
SELECT pg_temp.same($$SELECT string_agg(host, ',' ORDER BY host) IS NOT NULL FROM agg_cpu$$);
SELECT pg_temp.same($$SELECT sum(note), stddev(usage) FROM agg_cpu$$);
SELECT pg_temp.same($$SELECT count(*) FROM agg_cpu WHERE host = 'host_1'$$);
SELECT pg_temp.same($$SELECT count(*) FROM agg_cpu WHERE cpu + 1 > 5$$);
SELECT pg_temp.same($$SELECT usage, count(*) FROM agg_cpu GROUP BY usage$$);
SELECT pg_temp.same($$SELECT sum(cpu::int8) FROM agg_cpu$$);
CREATE COLLATION agg_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SELECT pg_temp.same($$SELECT host COLLATE agg_ci, count(*) FROM agg_cpu GROUP BY 1$$);
SELECT pg_temp.same($$SELECT 1 AS one, count(*) FROM agg_cpu GROUP BY GROUPING SETS ((host), ())$$);
DROP COLLATION agg_ci;
CREATE TABLE agg_pk (id int PRIMARY KEY, v float8) USING datalayer_columnar;
INSERT INTO agg_pk SELECT g, g / 2.0 FROM generate_series(1, 100) g;
SELECT pg_temp.same($$SELECT id, v, count(*) FROM agg_pk GROUP BY id$$);
DROP TABLE agg_pk;

DROP TABLE agg_cpu, agg_special, agg_big, agg_empty;

-- a subplan rescans ColumnarAggregate once per outer row: its per-scan
-- memory is given back each time (it grew by 3 kB a rescan, 16 MB here)
CREATE TABLE agg_tiny (a int, b float8) USING datalayer_columnar;
INSERT INTO agg_tiny VALUES (1, 1.5), (2, 2.5);
CREATE FUNCTION pg_temp.backend_bytes(int) RETURNS bigint LANGUAGE sql VOLATILE
    AS 'SELECT sum(total_bytes)::bigint FROM pg_backend_memory_contexts';
SELECT max(mem) - min(mem) < 1000000 AS memory_bounded, sum(s)
FROM (SELECT (SELECT sum(b) FROM agg_tiny WHERE a <= g % 3) s, pg_temp.backend_bytes(g) mem
      FROM generate_series(1, 5000) g) x;
DROP TABLE agg_tiny;
