-- time_bucket_gapfill(): GROUP BY time buckets, with rows for the empty ones
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

CREATE TABLE gf_metrics (time timestamptz, host text, v float8);
INSERT INTO gf_metrics VALUES ('2024-01-01 00:10', 'a', 1), ('2024-01-01 03:20', 'a', 4),
    ('2024-01-01 01:05', 'b', 10), ('2024-01-01 01:50', 'b', 20), ('2024-01-02 00:00', 'b', 99);

-- the range comes from the WHERE clause; locf() carries values forward,
-- interpolate() draws a straight line between known values
SELECT host, datalayer.time_bucket_gapfill('1 hour', time) AS hour, avg(v),
       datalayer.locf(avg(v)), datalayer.interpolate(avg(v)), count(*)
FROM gf_metrics
WHERE time >= '2024-01-01 00:00' AND time < '2024-01-01 05:00'
GROUP BY host, hour
ORDER BY host, hour;

EXPLAIN (COSTS OFF)
SELECT host, datalayer.time_bucket_gapfill('1 hour', time) AS hour, avg(v)
FROM gf_metrics
WHERE time >= '2024-01-01 00:00' AND time < '2024-01-01 05:00'
GROUP BY host, hour;

-- explicit start and finish; no other group key; rows outside the range pass through
SELECT datalayer.time_bucket_gapfill('1 hour', time, '2024-01-01 00:00', '2024-01-01 03:00') AS hour,
       sum(v), datalayer.locf(max(v))
FROM gf_metrics GROUP BY 1 ORDER BY 1;

-- BETWEEN, a reversed comparison, any ORDER BY, and a prepared statement
SELECT datalayer.time_bucket_gapfill('30 minutes', time) AS t, count(*)
FROM gf_metrics WHERE time BETWEEN '2024-01-01 01:00' AND '2024-01-01 02:00' AND host = 'b'
GROUP BY t ORDER BY t DESC;
SELECT host, datalayer.time_bucket_gapfill('2 hours', time) AS t, datalayer.locf(datalayer.last(v, time))
FROM gf_metrics WHERE '2024-01-01 06:00' > time AND time > '2024-01-01 00:00'
GROUP BY host, t ORDER BY t, host;
PREPARE gf(timestamptz, timestamptz) AS
SELECT datalayer.time_bucket_gapfill('1 hour', time, $1, $2) AS t, count(v)
FROM gf_metrics GROUP BY t ORDER BY t;
EXECUTE gf('2024-01-01 00:00', '2024-01-01 02:00');
EXECUTE gf('2024-01-01 22:00', '2024-01-02 01:00');

-- on a metric table, many hosts: every host gets every bucket
CREATE TABLE gf_cpu (time timestamptz NOT NULL, hostname text, usage_user float8);
SELECT datalayer.create_metric_table('gf_cpu', 'time', interval '1 day');
INSERT INTO gf_cpu
SELECT timestamptz '2024-01-01' + g * interval '10 minutes', 'host_' || h, g + h
FROM generate_series(0, 143) g, generate_series(1, 50) h
WHERE (g + h) % 7 <> 0 AND g % 12 <> 5;
SELECT count(*) AS rows, count(DISTINCT hostname) AS hosts, count(*) FILTER (WHERE avg IS NULL) AS filled,
       count(*) FILTER (WHERE interpolate IS NULL) AS not_interpolated
FROM (SELECT hostname, datalayer.time_bucket_gapfill('10 minutes', time) AS b, avg(usage_user),
             datalayer.interpolate(avg(usage_user))
      FROM gf_cpu WHERE time >= '2024-01-01' AND time < '2024-01-02'
      GROUP BY hostname, b) x;
-- filled values agree with a generate_series join done by hand
WITH gf AS (SELECT hostname, datalayer.time_bucket_gapfill('10 minutes', time) AS b,
                   datalayer.locf(avg(usage_user)) AS v
            FROM gf_cpu WHERE time >= '2024-01-01' AND time < '2024-01-02' GROUP BY hostname, b),
grid AS (SELECT h.hostname, g AS b FROM (SELECT DISTINCT hostname FROM gf_cpu) h,
         generate_series(timestamptz '2024-01-01', '2024-01-01 23:50', '10 minutes') g),
manual AS (SELECT grid.hostname, grid.b,
                  (SELECT c.usage_user FROM gf_cpu c WHERE c.hostname = grid.hostname AND c.time <= grid.b
                   ORDER BY c.time DESC LIMIT 1) AS v
           FROM grid)
SELECT count(*) AS compared, count(*) FILTER (WHERE gf.v IS DISTINCT FROM manual.v) AS differing
FROM manual LEFT JOIN gf USING (hostname, b);

-- outside a GROUP BY it is time_bucket()
SELECT datalayer.time_bucket_gapfill('1 hour', timestamptz '2024-01-01 05:45') AS plain_bucket;

-- errors
SELECT pg_temp.err($$SELECT datalayer.time_bucket_gapfill('1 hour', time) t, avg(v) FROM gf_metrics GROUP BY t$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket_gapfill('1 hour', time) t, avg(v) FROM gf_metrics WHERE time >= '2024-01-01' GROUP BY t$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket_gapfill('1 month', time, '2024-01-01', '2024-02-01') t, avg(v) FROM gf_metrics GROUP BY t$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket_gapfill('1 second', time, '2000-01-01', '2024-01-01') t, avg(v) FROM gf_metrics GROUP BY t$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket_gapfill('1 hour', time, '2024-01-01', '2024-01-02') t,
                            datalayer.time_bucket_gapfill('2 hours', time, '2024-01-01', '2024-01-02') u FROM gf_metrics GROUP BY t, u$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket_gapfill('1 hour', time, '2024-01-01', '2024-01-02') t, count(*)
                     FROM gf_metrics GROUP BY GROUPING SETS ((t), ())$$);
SELECT pg_temp.err($$EXECUTE gf(NULL, '2024-01-02')$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket_gapfill('1 hour', time, '2024-01-01', '2024-01-02') t,
                            round(datalayer.locf(avg(v))::numeric, 2) FROM gf_metrics GROUP BY t$$);
-- rounding goes in an enclosing query
SELECT t, round(v::numeric, 2) AS v
FROM (SELECT datalayer.time_bucket_gapfill('1 hour', time, '2024-01-01 00:00', '2024-01-01 03:00') AS t,
             datalayer.interpolate(avg(v) / 3) AS v
      FROM gf_metrics GROUP BY t) s
ORDER BY t;
DROP TABLE gf_cpu, gf_metrics;
