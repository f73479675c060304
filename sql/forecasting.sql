-- forecast(), forecast_model(), decompose() and detect_seasonality()
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

-- two hosts, two weeks of hourly load with a daily cycle, a slow trend and
-- a little deterministic noise; host b is host a doubled
CREATE TABLE fc_load (time timestamptz, host text, load float8);
INSERT INTO fc_load
SELECT timestamptz '2024-03-01 00:00' + h * interval '1 hour', host,
       m * (100 + 20 * sin(2 * pi() * (h % 24) / 24) + 0.05 * h + (hashint4(h) % 1000) / 400.0)
FROM generate_series(0, 24 * 14 - 1) h, (VALUES ('a', 1), ('b', 2)) AS hosts(host, m);

-- the documentation's examples
SELECT step, time, round(forecast::numeric, 1) AS forecast,
       round(lo95::numeric, 1) AS lo95, round(hi95::numeric, 1) AS hi95
FROM datalayer.forecast((SELECT datalayer.series(time, load) FROM fc_load WHERE host = 'a'), 6);

SELECT host, f.step, round(f.forecast::numeric, 1) AS forecast
FROM (SELECT host, datalayer.series(time, load) AS s FROM fc_load GROUP BY host) g,
     LATERAL datalayer.forecast(g.s, 3, 'ets') f
ORDER BY host, f.step;

SELECT m->>'method' AS method, m->>'model' AS model, m->'seasonal_periods'->0->>'period' AS period,
       (m->'seasonal_periods'->0->>'strength')::float8 > 0.9 AS strong, m->>'step' AS step
FROM datalayer.forecast_model((SELECT datalayer.series(time, load) FROM fc_load WHERE host = 'a'), 'ets') m;

SELECT period, period_length, round(strength::numeric, 2) AS strength
FROM datalayer.detect_seasonality((SELECT datalayer.series(time, load) FROM fc_load WHERE host = 'a'));

SELECT time, round(observed::numeric, 2) AS observed, round(trend::numeric, 2) AS trend,
       round(seasonal::numeric, 2) AS seasonal, round(remainder::numeric, 2) AS remainder
FROM datalayer.decompose((SELECT datalayer.series(time, load) FROM fc_load WHERE host = 'a'), 24)
ORDER BY time LIMIT 4;

-- what 'auto' chose: MSTL + ARIMA for a seasonal series, the mean of three
-- for one without seasonality; its intervals checked on a holdout
SELECT m->>'method' AS method, m->>'model' LIKE 'STL(24) + ARIMA(%' AS mstl_arima,
       coalesce((m->>'interval_factor')::float8, 1) BETWEEN 1 AND 3 AS factor
FROM datalayer.forecast_model((SELECT datalayer.series(time, load) FROM fc_load WHERE host = 'a')) m;
SELECT m->>'method' AS method, m->>'model' LIKE 'mean of ETS%, ARIMA%, Theta%' AS three,
       (m->'in_sample'->>'mase')::float8 BETWEEN 0.3 AND 1.5 AS in_sample_mase
FROM datalayer.forecast_model((SELECT datalayer.series(time, (hashint4(h) % 1000) / 10.0)
                               FROM fc_load, LATERAL (SELECT extract(epoch FROM time)::int / 3600 AS h) x
                               WHERE host = 'a')) m;

-- in-sample one-step accuracy of every fitted method: on this series the
-- noise is uniform in +-1.25, so one-step errors are of the order of the
-- seasonal naive's (MASE near 1 or below), never off by a multiple
SELECT method, (m->'in_sample'->>'mase')::float8 BETWEEN 0.3 AND 1.5 AS plausible_mase,
       (m->'in_sample'->>'rmse')::float8 >= (m->'in_sample'->>'mae')::float8 AS rmse_ge_mae
FROM unnest(ARRAY['ets', 'arima', 'theta', 'mstl', 'mstl_arima', 'combined']) method,
     LATERAL datalayer.forecast_model((SELECT datalayer.series(time, load) FROM fc_load WHERE host = 'a'), method) m
ORDER BY method;

-- the methods on series whose answer is known exactly
CREATE TABLE fc_known (name text, s datalayer.timeseries);
INSERT INTO fc_known
SELECT 'line', datalayer.series(timestamptz '2024-01-01' + i * interval '1 day', 10 + 2 * i)
FROM generate_series(0, 29) i;
INSERT INTO fc_known
SELECT 'cycle', datalayer.series(timestamptz '2024-01-01' + i * interval '1 hour', (i % 4) * 10)
FROM generate_series(0, 39) i;
INSERT INTO fc_known
SELECT 'flat', datalayer.series(timestamptz '2024-01-01' + i * interval '1 minute', 7.5)
FROM generate_series(0, 19) i;

-- drift continues a straight line, with no uncertainty left
SELECT step, time, forecast, lo95, hi95 FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'drift');
-- naive repeats the last value; its intervals widen with the square root of the step
SELECT step, forecast, round((hi95 - forecast)::numeric, 3) AS half95,
       round(((hi95 - forecast) / (hi80 - forecast))::numeric, 4) AS ratio_95_80
FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 4, 'naive');
-- seasonal naive repeats the last cycle
SELECT step, forecast, lo80, hi80 FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'cycle'), 6, 'snaive', 4);
-- a constant series forecasts itself, whatever the method, with empty intervals
SELECT method, min(forecast) = 7.5 AND max(forecast) = 7.5 AS constant, bool_and(lo95 = 7.5 AND hi95 = 7.5) AS empty
FROM unnest(ARRAY['auto', 'ets', 'arima', 'theta', 'naive']) method,
     LATERAL datalayer.forecast((SELECT s FROM fc_known WHERE name = 'flat'), 5, method) f
GROUP BY method ORDER BY method;
SELECT datalayer.forecast_model((SELECT s FROM fc_known WHERE name = 'flat'))->>'method' AS method;

-- every level asked for comes back in lower/upper, nested; lo80 and hi80
-- are NULL when 80 was not asked
SELECT step, lo80 IS NULL AS no80, array_length(lower, 1) AS levels,
       lower[1] >= lower[2] AND lower[2] >= lower[3] AND upper[1] <= upper[2] AND upper[2] <= upper[3] AS nested,
       lower[1] <= forecast AND forecast <= upper[1] AS around
FROM datalayer.forecast((SELECT datalayer.series(time, load) FROM fc_load WHERE host = 'a'), 3, 'ets', NULL, '{50, 90, 99}');
SELECT count(*) AS rows, bool_and(lower = '{}' AND lo95 IS NULL) AS no_intervals
FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 2, 'naive', NULL, '{}');

-- R's forecast package on AirPassengers (monthly, Box & Jenkins): ets()
-- chooses ETS(M,Ad,M) and forecasts 441.8 434.1 496.6 for the first three
-- months; auto.arima() chooses ARIMA(2,1,1)(0,1,0)[12] and forecasts 445.6
-- 420.4 449.2; thetaf() forecasts 440.08 428.38 489.71.  datalayer must land
-- within 2% of each.
CREATE TABLE fc_air (time timestamptz, passengers float8);
INSERT INTO fc_air
SELECT timestamptz '1949-01-01' + (i - 1) * interval '1 month', v
FROM unnest('{112,118,132,129,121,135,148,148,136,119,104,118,115,126,141,135,125,149,170,170,158,133,114,140,
145,150,178,163,172,178,199,199,184,162,146,166,171,180,193,181,183,218,230,242,209,191,172,194,196,196,236,235,
229,243,264,272,237,211,180,201,204,188,235,227,234,264,302,293,259,229,203,229,242,233,267,269,270,315,364,347,
312,274,237,278,284,277,317,313,318,374,413,405,355,306,271,306,315,301,356,348,355,422,465,467,404,347,305,336,
340,318,362,348,363,435,491,505,404,359,310,337,360,342,406,396,420,472,548,559,463,407,362,405,417,391,419,461,
472,535,622,606,508,461,390,432}'::float8[]) WITH ORDINALITY AS a(v, i);
-- months are not evenly spaced: the step is given as 30 days, and the
-- series is resampled onto that grid first
CREATE TABLE fc_air_s AS
SELECT datalayer.timeseries(array_agg(timestamptz '1949-01-01' + (i - 1) * interval '30 days' ORDER BY i),
                            array_agg(v ORDER BY i)) AS s
FROM (SELECT row_number() OVER (ORDER BY time) AS i, passengers AS v FROM fc_air) x;
SELECT datalayer.forecast_model(s, 'ets', 12)->>'model' AS ets_model,
       datalayer.forecast_model(s, 'arima', 12)->>'model' AS arima_model
FROM fc_air_s;
SELECT f.step, r.method, abs(f.forecast / r.value - 1) < 0.02 AS within_2pct
FROM fc_air_s,
     LATERAL (VALUES ('ets', 1, 441.8), ('ets', 2, 434.1), ('ets', 3, 496.6),
                     ('arima', 1, 445.6), ('arima', 2, 420.4), ('arima', 3, 449.2),
                     ('theta', 1, 440.08), ('theta', 2, 428.38), ('theta', 3, 489.71)) AS r(method, step, value),
     LATERAL datalayer.forecast(s, 3, r.method, 12) f
WHERE f.step = r.step
ORDER BY r.method, f.step;

-- gaps and NULL/NaN values are interpolated onto the grid, and said so
CREATE TABLE fc_gappy AS
SELECT datalayer.series(time, CASE WHEN h % 10 = 3 THEN NULL WHEN h % 10 = 7 THEN 'NaN' ELSE load END) AS s
FROM fc_load, LATERAL (SELECT extract(epoch FROM time - '2024-03-01')::int / 3600 AS h) x
WHERE host = 'a' AND h % 50 <> 25;
SELECT (m->>'points')::int AS points, (m->>'interpolated')::int AS interpolated, m->>'step' AS step
FROM fc_gappy, LATERAL datalayer.forecast_model(s, 'naive') m;
SELECT count(*) AS rows, bool_and(forecast IS NOT NULL AND lo95 < hi95) AS finite
FROM fc_gappy, LATERAL datalayer.forecast(s, 24) f;

-- huge and tiny magnitudes give the same forecast, scaled
SELECT count(*) AS steps,
       bool_and(abs((big.forecast / 1e250) / (small.forecast / 1e-250) - 1) < 1e-9) AS scale_free
FROM datalayer.forecast((SELECT datalayer.series(time, load * 1e250) FROM fc_load WHERE host = 'a'), 5, 'ets') big
JOIN datalayer.forecast((SELECT datalayer.series(time, load * 1e-250) FROM fc_load WHERE host = 'a'), 5, 'ets') small
USING (step);

-- multiplicative models are never chosen for data with zeros or negatives
SELECT datalayer.forecast_model(datalayer.series(time, load - 100), 'ets')->>'model' NOT LIKE '%M%' AS additive
FROM fc_load WHERE host = 'a';

-- options: the step, the seasons, an ETS model
SELECT m->>'step' AS step, m->>'model' AS model
FROM datalayer.forecast_model((SELECT datalayer.series(time, load) FROM fc_load WHERE host = 'a'), 'ets', NULL,
                              '{"step": "2 hours", "seasons": [12], "model": "AAdA"}') m;
SELECT datalayer.forecast_model((SELECT datalayer.series(time, load) FROM fc_load WHERE host = 'a'), 'ets', 1)->>'model' AS no_season;

-- the shortest series: 3 values.  'auto' and the simpler methods forecast
-- it (combined averages what fits); ETS needs more, and says so
SELECT method, count(*) AS steps, bool_and(lo95 <= forecast AND forecast <= hi95) AS ordered,
       bool_and(forecast IS NOT NULL AND NOT forecast = 'NaN') AS finite
FROM unnest(ARRAY['auto', 'arima', 'theta', 'naive', 'snaive', 'drift', 'combined']) method,
     LATERAL datalayer.forecast(datalayer.timeseries('{2024-01-01, 2024-01-02, 2024-01-03}', '{1, 2, 4}'), 4, method) f
GROUP BY method ORDER BY method;
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast(datalayer.timeseries('{2024-01-01, 2024-01-02, 2024-01-03}', '{1, 2, 4}'), 4, 'ets')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast(datalayer.timeseries('{2024-01-01, 2024-01-02, 2024-01-03}', '{1, 2, 4}'), 4, 'mstl')$$);

-- NULL arguments give no rows (or NULL), as a strict function would
SELECT count(*) FROM datalayer.forecast(NULL, 3);
SELECT count(*) FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), NULL);
SELECT datalayer.forecast_model(NULL) IS NULL AS null_model;

-- every function is parallel safe, so forecasts of many series run in parallel workers
SELECT proname, proparallel FROM pg_proc
WHERE pronamespace = 'datalayer'::regnamespace
  AND proname IN ('forecast', 'forecast_model', 'decompose', 'detect_seasonality')
ORDER BY proname;

-- errors
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 0)$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 100001)$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'prophet')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'auto', 0)$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'auto', NULL, '{100}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'auto', NULL, '{0}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'auto', NULL, '{80,NULL}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'auto', NULL, '{{80},{95}}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'auto', NULL, '{80}', '{"stpe": "1 day"}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'auto', NULL, '{80}', '[1]')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'auto', NULL, '{80}', '{"step": "1 month"}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'auto', NULL, '{80}', '{"step": "-1 day"}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'auto', NULL, '{80}', '{"step": 5}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'auto', NULL, '{80}', '{"step": "1 second"}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'auto', 7, '{80}', '{"seasons": [7]}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'auto', NULL, '{80}', '{"seasons": [1]}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'auto', NULL, '{80}', '{"seasons": [2, 3, 4, 5, 6]}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'ets', NULL, '{80}', '{"model": "XYZ"}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT s FROM fc_known WHERE name = 'line'), 3, 'ets', NULL, '{80}', '{"damped": "yes"}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast((SELECT datalayer.series(time, load - 150) FROM fc_load WHERE host = 'a'), 3, 'ets', NULL, '{80}', '{"model": "MNN"}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast(datalayer.timeseries('{2024-01-01, 2024-01-02}', '{1, 2}'), 3)$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast(datalayer.timeseries('{2024-01-01, 2024-01-02, 2024-01-03, 2024-01-04}', '{1, NULL, NaN, 2}'), 3)$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast(datalayer.timeseries('{2024-01-01, 2024-01-02, 2024-01-03}', '{1, Infinity, 2}'), 3)$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast(datalayer.timeseries('{2024-01-01, 2024-01-02, 2024-01-03}', '{1, 2, 3}'), 3, 'auto', NULL, '{80}', '{"step": "1 microsecond"}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.forecast(datalayer.timeseries('{294276-12-29, 294276-12-30, 294276-12-31}', '{1, 2, 3}'), 3)$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.decompose((SELECT s FROM fc_known WHERE name = 'line'))$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.decompose((SELECT s FROM fc_known WHERE name = 'line'), 1)$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.decompose((SELECT s FROM fc_known WHERE name = 'line'), 20)$$);
SELECT count(*) AS none FROM datalayer.detect_seasonality((SELECT s FROM fc_known WHERE name = 'line'));

DROP TABLE fc_load, fc_known, fc_air, fc_air_s, fc_gappy;
