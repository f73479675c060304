-- detect_anomalies() over a timeseries
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

-- three weeks of hourly latency with a daily cycle and a little noise, and
-- three incidents: spikes at hours 200 and 390, a dip at hour 430
CREATE TABLE an_latency (time timestamptz, latency float8);
INSERT INTO an_latency
SELECT timestamptz '2024-05-01 00:00' + h * interval '1 hour',
       50 + 10 * sin(2 * pi() * (h % 24) / 24) + (hashint4(h) % 1000) / 500.0
       + CASE h WHEN 200 THEN 40 WHEN 390 THEN 35 WHEN 430 THEN -30 ELSE 0 END
FROM generate_series(0, 24 * 21 - 1) h;

-- the documentation's examples
SELECT time, round(value::numeric, 1) AS value, round(expected::numeric, 1) AS expected,
       round(score::numeric, 1) AS score
FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency))
WHERE is_anomaly
ORDER BY time;

-- the seasonal methods find the three incidents; robust z models no season,
-- so over this daily cycle its band is too wide to see them; seasonal ESD
-- also flags the two ends of the series, where its decomposition is weakest.
-- A cool-down of a day keeps the incidents apart as episodes (the default,
-- 300 points, would make them one)
SELECT method, count(*) FILTER (WHERE is_anomaly) AS flagged,
       array_agg(extract(epoch FROM time - '2024-05-01')::int / 3600 ORDER BY time) FILTER (WHERE is_onset) AS onsets
FROM unnest(ARRAY['auto', 'holt_winters', 'seasonal_esd', 'robust_z']) method,
     LATERAL datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), method, 0.5,
                                        CASE method WHEN 'robust_z' THEN '{"window": 24, "cooldown": 24}'::jsonb
                                                    ELSE '{"cooldown": 24}' END) d
GROUP BY method ORDER BY method;

-- the band holds the expected value, and an anomalous point lies outside
-- it; with the plain threshold alarm, every point outside it is anomalous
SELECT bool_and(lower <= expected AND expected <= upper) AS band_ordered,
       bool_and(NOT is_anomaly OR value < lower OR value > upper) AS anomalies_outside
FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'holt_winters');
SELECT bool_and(is_anomaly = (value < lower OR value > upper)) FILTER (WHERE time >= '2024-05-03') AS outside_is_anomaly
FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'holt_winters', 0.5,
                                '{"alarm": "threshold"}');

-- sensitivity: lower flags fewer points
SELECT sensitivity, count(*) FILTER (WHERE is_anomaly) AS flagged
FROM unnest(ARRAY[0.0, 0.5, 1.0]) sensitivity,
     LATERAL datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'holt_winters', sensitivity) d
GROUP BY sensitivity ORDER BY sensitivity;

-- a level shift is a change point
SELECT min(extract(epoch FROM time - '2024-05-01')::int / 3600) AS first_flag
FROM datalayer.detect_anomalies((
    SELECT datalayer.series(timestamptz '2024-05-01' + h * interval '1 hour',
                            CASE WHEN h < 300 THEN 10 ELSE 25 END + (hashint4(h) % 1000) / 1000.0)
    FROM generate_series(0, 499) h), 'changepoint')
WHERE is_anomaly;

-- missing values are never flagged and keep their NULL
SELECT count(*) AS points, count(value) AS with_value, count(*) FILTER (WHERE value IS NULL AND is_anomaly) AS null_flagged
FROM datalayer.detect_anomalies((SELECT datalayer.series(time, CASE WHEN extract(hour FROM time) = 3 THEN NULL ELSE latency END)
                                 FROM an_latency), 'ewma');

-- a constant series has no anomalies; an empty or short one gives its rows
SELECT count(*) AS points, count(*) FILTER (WHERE is_anomaly) AS flagged
FROM datalayer.detect_anomalies((SELECT datalayer.series(time, 5) FROM an_latency), 'robust_z');
SELECT count(*) AS points FROM datalayer.detect_anomalies(datalayer.timeseries('{2024-01-01}', '{1}'), 'ewma');
SELECT count(*) AS points FROM datalayer.detect_anomalies(NULL);

-- errors
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'prophet')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'auto', 1.5)$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'auto', 'NaN')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'auto', 0.5, '{"windw": 3}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'auto', 0.5, '[1]')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'robust_z', 0.5, '{"window": 2}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'robust_z', 0.5, '{"window": 2.5}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'ewma', 0.5, '{"alpha": 1}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'ewma', 0.5, '{"alpha": "x"}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'seasonal_esd', 0.5, '{"max_anomalies": 0.9}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'changepoint', 0.5, '{"hazard": 1}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'changepoint', 0.5, '{"max_run_length": 5000}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'holt_winters', 0.5, '{"period": 5000}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'ewma', 0.5, '{"cooldown": -1}')$$);

-- the likelihood alarm's options, and bad ones
SELECT count(*) FILTER (WHERE is_anomaly) AS flagged
FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'ewma', 0.5,
                                '{"alarm": "likelihood", "score_window": 5, "score_horizon": 500}');
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'ewma', 0.5, '{"alarm": "loud"}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'ewma', 0.5, '{"score_window": 65}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'ewma', 0.5, '{"score_horizon": 3}')$$);

-- forecast residuals: the forecasting engine's one-step-ahead errors
SELECT time, round(value::numeric, 1) AS value, round(expected::numeric, 1) AS expected, is_anomaly
FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'forecast')
WHERE is_anomaly
ORDER BY time;
-- with a chosen model; missing values are interpolated for the fit and never flagged
SELECT count(*) FILTER (WHERE is_anomaly) AS flagged, count(*) FILTER (WHERE value IS NULL) AS missing,
       count(*) FILTER (WHERE value IS NULL AND (is_anomaly OR score IS NOT NULL)) AS missing_scored
FROM datalayer.detect_anomalies((SELECT datalayer.series(time, CASE WHEN extract(hour FROM time) = 3 THEN NULL ELSE latency END)
                                 FROM an_latency), 'forecast', 0.5, '{"model": "ets", "period": 24}');
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'forecast', 0.5, '{"model": "prophet"}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'ewma', 0.5, '{"model": "ets"}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies(datalayer.timeseries('{2024-01-01,2024-01-02}', '{1,2}'), 'forecast')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies(datalayer.timeseries('{2024-01-01,2024-01-02,2024-01-03,2024-01-04}', '{1,2,Infinity,3}'), 'forecast')$$);
SELECT pg_temp.err($$SELECT datalayer.anomaly_state(NULL, 'forecast')$$);

-- several values per point: an isolation forest; two hosts' CPU and memory,
-- where one minute has ordinary CPU and ordinary memory but never together
CREATE TABLE an_hosts (time timestamptz, cpu float8, mem float8);
INSERT INTO an_hosts
SELECT timestamptz '2024-05-01' + i * interval '1 minute',
       50 + 20 * sin(i / 30.0) + (hashint4(i) % 100) / 50.0,
       60 + 20 * sin(i / 30.0) + (hashint4(i + 7) % 100) / 50.0
FROM generate_series(0, 1999) i;
UPDATE an_hosts SET cpu = 70, mem = 40 WHERE time = timestamptz '2024-05-01' + interval '1000 minutes';
SELECT time, "values", round(score::numeric, 2) AS score, is_anomaly
FROM datalayer.detect_anomalies_multi((SELECT array_agg(time ORDER BY time) FROM an_hosts),
                                      (SELECT array_agg(ARRAY[cpu, mem] ORDER BY time) FROM an_hosts))
ORDER BY score DESC LIMIT 3;
-- deterministic for a seed; contamination flags that share of the points
SELECT count(*) FILTER (WHERE is_anomaly) AS flagged,
       (SELECT array_agg(score) FROM datalayer.detect_anomalies_multi((SELECT array_agg(time ORDER BY time) FROM an_hosts),
                  (SELECT array_agg(ARRAY[cpu, mem] ORDER BY time) FROM an_hosts), 0.5,
                  '{"seed": 7, "contamination": 0.01, "n_trees": 200}'))
       = array_agg(score) AS same_scores
FROM datalayer.detect_anomalies_multi((SELECT array_agg(time ORDER BY time) FROM an_hosts),
                                      (SELECT array_agg(ARRAY[cpu, mem] ORDER BY time) FROM an_hosts), 0.5,
                                      '{"seed": 7, "contamination": 0.01, "n_trees": 200}');
-- a point with a missing value is left out and scored NULL
SELECT "values", score, is_anomaly
FROM datalayer.detect_anomalies_multi(ARRAY[timestamptz '2024-01-01', '2024-01-02', '2024-01-03'],
                                      ARRAY[[1, 2], [NULL, 3], [2, 2]]::float8[])
ORDER BY time;
SELECT count(*) FROM datalayer.detect_anomalies_multi('{}', '{}');
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies_multi(ARRAY[now()], ARRAY[1, 2]::float8[])$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies_multi(ARRAY[now()], ARRAY[[1, 2], [3, 4]]::float8[])$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies_multi(ARRAY[now()], ARRAY[[1, 2]]::float8[], 2)$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies_multi(ARRAY[now()], ARRAY[[1, 2]]::float8[], 0.5, '{"n_trees": 0}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies_multi(ARRAY[now()], ARRAY[[1, 2]]::float8[], 0.5, '{"contamination": 0.9}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.detect_anomalies_multi(ARRAY[now()], ARRAY[[1, 2]]::float8[], 0.5, '{"depth": 3}')$$);
SELECT pg_temp.err(format($$SELECT * FROM datalayer.detect_anomalies_multi(ARRAY[now()], %L::float8[])$$,
                          (SELECT array_agg(g) FROM generate_series(1, 65) g)::float8[]::text))
       ~ 'two-dimensional' AS one_dimensional_refused;

DROP TABLE an_latency, an_hosts;
