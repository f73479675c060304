-- counter_agg (Prometheus counter functions), time_weight and lttb
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

-- Prometheus's own test (promql/promqltest/testdata/functions.test):
--   load 5m  http_requests{path="/foo"} 0+10x10
--   eval instant at 50m increase(http_requests[50m])  => 100
-- The range (0m, 50m] selects the samples at 5m..50m.
CREATE TABLE http_requests (time timestamptz, path text, total float8);
INSERT INTO http_requests
SELECT timestamptz '2024-01-01' + g * interval '5 minutes', '/foo', 10 * g FROM generate_series(0, 10) g;
SELECT datalayer.extrapolated_delta(c, '2024-01-01 00:00', '2024-01-01 00:50') AS increase,
       round(datalayer.extrapolated_rate(c, '2024-01-01 00:00', '2024-01-01 00:50')::numeric, 6) AS rate,
       datalayer.delta(c), datalayer.rate(c), datalayer.irate(c), datalayer.idelta(c), datalayer.num_vals(c)
FROM (SELECT datalayer.counter_agg(time, total) AS c FROM http_requests
      WHERE time > '2024-01-01 00:00' AND time <= '2024-01-01 00:50') x;

-- a counter that resets: 0 1 2 3 2 3 4 increases by 7, with one reset
SELECT datalayer.delta(c), datalayer.num_resets(c), datalayer.idelta(c)
FROM (SELECT datalayer.counter_agg(t, v) c
      FROM unnest(ARRAY[0, 1, 2, 3, 2, 3, 4]::float8[]) WITH ORDINALITY AS u(v, i),
           LATERAL (SELECT timestamptz '2024-01-01' + i * interval '1 minute') s(t)) x;
-- a reset on the last sample: irate uses the last value alone, as Prometheus does
SELECT datalayer.irate(c), datalayer.idelta(c)
FROM (SELECT datalayer.counter_agg(t, v) c
      FROM (VALUES (timestamptz '2024-01-01 00:00', 50::float8), ('2024-01-01 00:01', 100),
                   ('2024-01-01 00:02', 30)) x(t, v)) y;

-- against exact SQL on a noisy counter with many resets: the delta is the sum
-- of increases, where a drop means the counter restarted from zero
CREATE TABLE ctr (time timestamptz, host text, v float8);
SELECT setseed(0.3);
INSERT INTO ctr
SELECT timestamptz '2024-01-01' + g * interval '15 seconds', 'h' || (g % 3),
       (g / 3 % 97) * 10 + floor(random() * 5)
FROM generate_series(0, 17279) g;
WITH exact AS (
    SELECT host, sum(CASE WHEN v >= prev THEN v - prev ELSE v END) AS delta,
           count(*) FILTER (WHERE v < prev) AS resets
    FROM (SELECT host, v, lag(v) OVER (PARTITION BY host ORDER BY time) AS prev FROM ctr) w
    WHERE prev IS NOT NULL GROUP BY host)
SELECT count(*) AS hosts,
       bool_and(datalayer.delta(c) = exact.delta AND datalayer.num_resets(c) = exact.resets) AS same_as_sql
FROM (SELECT host, datalayer.counter_agg(time, v) c FROM ctr GROUP BY host) a JOIN exact USING (host);

-- hourly summaries roll up to the same counter as the raw rows
WITH hourly AS (SELECT host, datalayer.time_bucket('1 hour', time) h, datalayer.counter_agg(time, v) c
                FROM ctr GROUP BY 1, 2)
SELECT bool_and(datalayer.delta(r.c) = datalayer.delta(w.c) AND datalayer.num_resets(r.c) = datalayer.num_resets(w.c)
                AND datalayer.irate(r.c) = datalayer.irate(w.c)) AS rollup_same
FROM (SELECT host, datalayer.rollup(c) c FROM hourly GROUP BY host) r
JOIN (SELECT host, datalayer.counter_agg(time, v) c FROM ctr GROUP BY host) w USING (host);

-- edge cases and errors
SELECT datalayer.delta(c) IS NULL AS one_sample_no_delta, datalayer.num_vals(c)
FROM (SELECT datalayer.counter_agg(now(), 5)) x(c);
SELECT datalayer.counter_agg(time, NULL) IS NULL AS only_nulls FROM ctr;
SELECT pg_temp.err($$SELECT datalayer.counter_agg(t, v) FROM (VALUES (now(), 1::float8), (now(), 2)) x(t, v)$$);
SELECT pg_temp.err($$SELECT datalayer.counter_agg(t, v) FROM (VALUES (now(), 'NaN'::float8)) x(t, v)$$);
SELECT pg_temp.err($$SELECT datalayer.extrapolated_rate(datalayer.counter_agg(time, total), '2024-01-01 00:10', '2024-01-01 00:50') FROM http_requests$$);
SELECT pg_temp.err($$SELECT datalayer.extrapolated_rate(datalayer.counter_agg(time, total), '2024-01-01 01:00', '2024-01-01 00:00') FROM http_requests$$);
SELECT pg_temp.err($$SELECT datalayer.rollup(c) FROM (SELECT datalayer.counter_agg(time, total) c FROM http_requests
                     UNION ALL SELECT datalayer.counter_agg(time, total) FROM http_requests) x$$);
SELECT pg_temp.err($$SELECT 'AAAA'::datalayer.counter_summary$$);

-- time_weight: a gauge sampled irregularly
CREATE TABLE gauge (time timestamptz, v float8);
INSERT INTO gauge VALUES ('2024-01-01 00:00:00', 10), ('2024-01-01 00:00:10', 20),
                         ('2024-01-01 00:00:30', 20), ('2024-01-01 00:00:40', 0);
SELECT method, datalayer.average(tw), datalayer.integral(tw), datalayer.integral(tw, '1 minute') AS per_minute
FROM (VALUES ('linear'), ('locf')) m(method),
     LATERAL (SELECT datalayer.time_weight(method, time, v) tw FROM gauge) x
ORDER BY method;
-- against exact SQL (trapezoids and steps with lead()) on the counter data
WITH seg AS (SELECT host, v, lead(v) OVER w AS v1,
                    extract(epoch FROM lead(time) OVER w - time) AS dt
             FROM ctr WINDOW w AS (PARTITION BY host ORDER BY time)),
exact AS (SELECT host, sum((v + v1) / 2 * dt) AS lin, sum(v * dt) AS locf FROM seg WHERE v1 IS NOT NULL GROUP BY host)
SELECT bool_and(abs(datalayer.integral(l) - lin) < 1e-9 * lin AND abs(datalayer.integral(s) - locf) < 1e-9 * locf) AS same_as_sql
FROM (SELECT host, datalayer.time_weight('linear', time, v) l, datalayer.time_weight('locf', time, v) s
      FROM ctr GROUP BY host) a JOIN exact USING (host);
-- hourly summaries roll up, including the segments between the hours
WITH hourly AS (SELECT host, datalayer.time_bucket('1 hour', time) h, datalayer.time_weight('linear', time, v) tw
                FROM ctr GROUP BY 1, 2)
SELECT bool_and(abs(datalayer.average(r.tw) - datalayer.average(w.tw)) < 1e-9 * datalayer.average(w.tw)) AS rollup_same
FROM (SELECT host, datalayer.rollup(tw) tw FROM hourly GROUP BY host) r
JOIN (SELECT host, datalayer.time_weight('linear', time, v) tw FROM ctr GROUP BY host) w USING (host);
SELECT datalayer.average(datalayer.time_weight('locf', now(), 42)) AS single_point;
SELECT pg_temp.err($$SELECT datalayer.time_weight('cubic', time, v) FROM gauge$$);
SELECT pg_temp.err($$SELECT datalayer.integral(datalayer.time_weight('linear', time, v), '1 month') FROM gauge$$);
SELECT pg_temp.err($$SELECT datalayer.rollup(tw) FROM (SELECT datalayer.time_weight('linear', time, v) tw FROM gauge
                     UNION ALL SELECT datalayer.time_weight('locf', time + interval '1 hour', v) FROM gauge) x$$);

-- lttb: downsample 100,000 points to 100 for a chart
CREATE TABLE wave AS
SELECT timestamptz '2024-01-01' + g * interval '1 second' AS time,
       sin(g / 1000.0) * 10 + CASE WHEN g = 54321 THEN 500 ELSE 0 END AS v
FROM generate_series(0, 99999) g;
WITH d AS (SELECT datalayer.lttb(time, v, 100) s FROM wave)
SELECT datalayer.length(s), datalayer.first_time(s), datalayer.last_time(s),
       (SELECT max(value) > 400 FROM datalayer.unnest(s)) AS spike_kept,
       (SELECT count(*) FROM datalayer.unnest(s) u JOIN wave w ON w.time = u.time AND w.v = u.value) AS points_from_input
FROM d;
SELECT datalayer.lttb(datalayer.series(time, v), 100)::text = datalayer.lttb(time, v, 100)::text AS same_as_aggregate
FROM wave;
SELECT datalayer.lttb('{"2024-01-01":1,"2024-01-02":2}', 3) AS short_series_unchanged;
SELECT pg_temp.err($$SELECT datalayer.lttb(time, v, 2) FROM wave$$);
SELECT pg_temp.err($$SELECT datalayer.lttb('{"2024-01-01":1}', 0)$$);
