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
-- also flags the two ends of the series, where its decomposition is weakest
SELECT method, count(*) FILTER (WHERE is_anomaly) AS flagged,
       array_agg(extract(epoch FROM time - '2024-05-01')::int / 3600 ORDER BY time) FILTER (WHERE is_onset) AS onsets
FROM unnest(ARRAY['auto', 'holt_winters', 'seasonal_esd', 'robust_z']) method,
     LATERAL datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), method, 0.5,
                                        CASE method WHEN 'robust_z' THEN '{"window": 24}'::jsonb END) d
GROUP BY method ORDER BY method;

-- the band holds the expected value, and an anomalous point lies outside it
SELECT bool_and(lower <= expected AND expected <= upper) AS band_ordered,
       bool_and(is_anomaly = (value < lower OR value > upper)) FILTER (WHERE time >= '2024-05-03') AS outside_band
FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM an_latency), 'holt_winters');

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

DROP TABLE an_latency;
