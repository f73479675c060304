-- The timeseries type, the series() aggregate, first() and last()
SET timezone = 'UTC';
SET datestyle = 'ISO, MDY';
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE TABLE cpu (time timestamptz, hostname text, usage_user float8);
INSERT INTO cpu
SELECT timestamptz '2024-01-01' + g * interval '10 seconds', 'host_' || h,
       round((50 + 40 * sin(g / 30.0 + h))::numeric, 2)::float8
FROM generate_series(0, 2) h, generate_series(0, 8639) g;

-- one series per host
SELECT hostname, datalayer.length(s), datalayer.first_time(s), datalayer.last_time(s),
       datalayer.first_value(s), datalayer.last_value(s), pg_column_size(s) AS bytes
FROM (SELECT hostname, datalayer.series(time, usage_user) AS s FROM cpu GROUP BY hostname) x
ORDER BY hostname;

-- unnest gives back exactly the rows that went in
WITH s AS (SELECT hostname, datalayer.series(time, usage_user) AS s FROM cpu GROUP BY hostname)
SELECT count(*) AS points,
       count(*) FILTER (WHERE (c.time, c.usage_user) IS DISTINCT FROM (u.time, u.value)) AS differing
FROM s CROSS JOIN LATERAL datalayer.unnest(s.s) u
JOIN cpu c ON c.hostname = s.hostname AND c.time = u.time;

-- text form, and it round-trips
SELECT datalayer.series(time, v)
FROM (VALUES (timestamptz '2024-01-01 00:00:10', 2.5::float8), ('2024-01-01 00:00:00', 1.5),
             ('2024-01-01 00:00:20', NULL), ('2024-01-01 00:00:30', 'NaN'),
             ('2024-01-01 00:00:40', '-Infinity'), ('2024-01-01 00:00:50', 0.1)) t(time, v);
SELECT '{"2024-01-01 00:00:00+00":1.5, "2024-01-01 00:00:10+00" : null}'::datalayer.timeseries;
SELECT '{}'::datalayer.timeseries, datalayer.length('{}'), datalayer.first_time('{}');
SELECT bool_and(s::text::datalayer.timeseries::text = s::text) AS text_round_trip
FROM (SELECT datalayer.series(time, usage_user) s FROM cpu GROUP BY hostname) x;
-- input in any order is sorted
SELECT '{"2024-01-02 00:00:00+00":2,"2024-01-01 00:00:00+00":1}'::datalayer.timeseries;
SELECT datalayer.timeseries(ARRAY[timestamptz '2024-01-01 00:01', '2024-01-01 00:00'], ARRAY[1, NULL]);

-- rows with a NULL time are skipped; no point at all gives NULL
SELECT datalayer.series(t, v) FROM (VALUES (NULL::timestamptz, 1::float8), ('2024-01-01', 2)) x(t, v);
SELECT datalayer.series(time, usage_user) IS NULL AS empty_is_null FROM cpu WHERE false;
SELECT datalayer.series(NULL::timestamptz, v) IS NULL AS all_null_times FROM (VALUES (1.0::float8)) x(v);

-- duplicate times: an error unless on_duplicate says which point to keep
CREATE TABLE dup (t timestamptz, v float8, seq int);
INSERT INTO dup VALUES ('2024-01-01', 1, 1), ('2024-01-01', 2, 2), ('2024-01-02', 3, 3);
SELECT pg_temp.err($$SELECT datalayer.series(t, v) FROM dup$$);
SELECT datalayer.series(t, v, 'first' ORDER BY seq) FROM dup;
SELECT datalayer.series(t, v, 'last' ORDER BY seq) FROM dup;
SELECT pg_temp.err($$SELECT datalayer.series(t, v, 'newest') FROM dup$$);
SELECT pg_temp.err($$SELECT '{"2024-01-01 00:00:00+00":1,"2024-01-01 00:00:00+00":2}'::datalayer.timeseries$$);

-- bad input
SELECT pg_temp.err($$SELECT datalayer.series(t, 1) FROM (VALUES ('infinity'::timestamptz)) x(t)$$);
SELECT pg_temp.err($$SELECT 'garbage'::datalayer.timeseries$$);
SELECT pg_temp.err($$SELECT '{"2024-01-01":1'::datalayer.timeseries$$);
SELECT pg_temp.err($$SELECT '{"2024-01-01":}'::datalayer.timeseries$$);
SELECT pg_temp.err($$SELECT '{"2024-01-01":1} x'::datalayer.timeseries$$);
SELECT pg_temp.err($$SELECT '{"yesterday-ish":1}'::datalayer.timeseries$$);
SELECT pg_temp.err($$SELECT '{"2024-01-01":one}'::datalayer.timeseries$$);
SELECT pg_temp.err($$SELECT '{"infinity":1}'::datalayer.timeseries$$);
SELECT pg_temp.err($$SELECT datalayer.timeseries(ARRAY[now()], ARRAY[1, 2]::float8[])$$);
SELECT pg_temp.err($$SELECT datalayer.timeseries(ARRAY[NULL::timestamptz], ARRAY[1]::float8[])$$);

-- resample onto a regular grid: null, locf and linear fill
CREATE TABLE gappy (t timestamptz, v float8);
INSERT INTO gappy VALUES ('2024-01-01 00:00', 10), ('2024-01-01 00:01', NULL),
                         ('2024-01-01 00:03', 40), ('2024-01-01 00:04:30', 55);
SELECT fill, u.*
FROM unnest(ARRAY['null', 'locf', 'linear']) fill,
     LATERAL (SELECT datalayer.resample(datalayer.series(t, v), interval '1 minute', fill,
                                        finish => '2024-01-01 00:05') s FROM gappy) r,
     LATERAL datalayer.unnest(r.s) u
ORDER BY fill, u.time;
SELECT datalayer.resample(datalayer.series(t, v), '90 seconds', 'linear',
                          '2023-12-31 23:58:30', '2024-01-01 00:03') FROM gappy;
SELECT datalayer.resample('{}', '1 minute');
SELECT pg_temp.err($$SELECT datalayer.resample('{}', '1 month')$$);
SELECT pg_temp.err($$SELECT datalayer.resample('{}', '0 seconds')$$);
SELECT pg_temp.err($$SELECT datalayer.resample('{}', '-1 minute')$$);
SELECT pg_temp.err($$SELECT datalayer.resample('{"2024-01-01":1}', '1 minute', 'cubic')$$);
SELECT pg_temp.err($$SELECT datalayer.resample('{"2024-01-01":1}', '1 minute', 'null', '2024-01-02', '2024-01-01')$$);
SELECT pg_temp.err($$SELECT datalayer.resample('{"2024-01-01":1}', '1 microsecond', 'null', '2024-01-01', '2024-02-01')$$);
SELECT pg_temp.err($$SELECT datalayer.resample('{"2024-01-01":1}', '1 minute', 'null', '-infinity', '2024-02-01')$$);

-- binary send/recv: COPY BINARY carries the type, and recv rejects malformed bytes
CREATE TABLE series_store (host text, s datalayer.timeseries);
INSERT INTO series_store SELECT hostname, datalayer.series(time, usage_user) FROM cpu GROUP BY hostname;
INSERT INTO series_store VALUES ('empty', '{}'), ('odd', '{"2024-01-01":NaN,"2024-01-03":null}');
COPY series_store TO '/tmp/datalayer_regress_series.bin' (FORMAT binary);
CREATE TABLE series_copy (LIKE series_store);
COPY series_copy FROM '/tmp/datalayer_regress_series.bin' (FORMAT binary);
SELECT count(*) AS copied, bool_and(a.s::text = b.s::text) AS identical
FROM series_store a JOIN series_copy b USING (host);
CREATE TABLE raw_bytes (host text, b bytea);
INSERT INTO raw_bytes VALUES ('short', '\x01'), ('bad version', '\x09000000000000000000000000000000000000000000000000000000'),
    ('too many', '\x01000000ffffff0700000000000000000000000000000000000000000000'),
    ('trailing', '\x0100000000000000000000000000000000000000000000000000000000');
CREATE FUNCTION pg_temp.recv(name text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($q$COPY (SELECT host, b FROM raw_bytes WHERE host = %L) TO '/tmp/datalayer_regress_raw.bin' (FORMAT binary)$q$, name);
    RETURN pg_temp.err($q$COPY series_copy FROM '/tmp/datalayer_regress_raw.bin' (FORMAT binary)$q$);
END $$;
SELECT host, pg_temp.recv(host) FROM raw_bytes ORDER BY host;
SELECT count(*) AS still_five FROM series_copy;

-- parallel aggregation gives the same series as a serial one
CREATE TABLE big AS SELECT * FROM cpu;
INSERT INTO big SELECT time + interval '1 day', hostname, usage_user FROM cpu;
ANALYZE big;
CREATE TEMP TABLE serial_result AS
SELECT hostname, datalayer.series(time, usage_user)::text AS s,
       datalayer.first(usage_user, time) AS f, datalayer.last(usage_user, time) AS l
FROM big GROUP BY hostname;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT hostname, datalayer.series(time, usage_user), datalayer.first(usage_user, time)
FROM big GROUP BY hostname;
SELECT count(*) AS hosts, bool_and(p.s = r.s AND p.f = r.f AND p.l = r.l) AS same_as_serial
FROM (SELECT hostname, datalayer.series(time, usage_user)::text AS s,
             datalayer.first(usage_user, time) AS f, datalayer.last(usage_user, time) AS l
      FROM big GROUP BY hostname) p
JOIN serial_result r USING (hostname);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- first() and last(): the value at the smallest and the largest time
SELECT hostname, datalayer.first(usage_user, time), datalayer.last(usage_user, time)
FROM cpu GROUP BY hostname ORDER BY hostname;
-- they agree with ORDER BY ... LIMIT 1
SELECT bool_and(f = (SELECT usage_user FROM cpu c WHERE c.hostname = x.hostname ORDER BY time LIMIT 1)
            AND l = (SELECT usage_user FROM cpu c WHERE c.hostname = x.hostname ORDER BY time DESC LIMIT 1))
       AS agree
FROM (SELECT hostname, datalayer.first(usage_user, time) f, datalayer.last(usage_user, time) l
      FROM cpu GROUP BY hostname) x;
-- any value type and any ordered time type; NULL times are skipped, a NULL value is a result
SELECT datalayer.first(name, n), datalayer.last(name, n), datalayer.first(n, name)
FROM (VALUES ('b', 2), ('a', 3), ('c', 1), ('z', NULL)) x(name, n);
SELECT datalayer.last(v, t) AS last_is_null, datalayer.first(v, t)
FROM (VALUES (1, date '2024-01-01'), (NULL, date '2024-01-03'), (2, NULL)) x(v, t);
SELECT datalayer.first(v, t) IS NULL AS no_rows FROM (VALUES (1, 1)) x(v, t) WHERE false;
SELECT datalayer.first(ARRAY[v], t), datalayer.last(ROW(v, t), t)
FROM (VALUES (1, 10), (2, 20)) x(v, t);
SELECT pg_temp.err($$SELECT datalayer.first(1, p) FROM (VALUES (point '(1,2)')) x(p)$$);
