-- anomaly_state() / anomaly_score(): scoring new points from a saved detector state
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

-- three weeks of hourly latency with a daily cycle, and an incident at hour 450
CREATE TABLE st_latency (time timestamptz, latency float8);
INSERT INTO st_latency
SELECT timestamptz '2024-05-01 00:00' + h * interval '1 hour',
       50 + 10 * sin(2 * pi() * (h % 24) / 24) + (hashint4(h) % 1000) / 500.0
       + CASE WHEN h BETWEEN 450 AND 452 THEN 40 ELSE 0 END
FROM generate_series(0, 24 * 21 - 1) h;

-- the documentation's example: learn 400 hours, then score the rest
CREATE TABLE st_state AS
SELECT datalayer.anomaly_state(datalayer.series(time, latency), 'holt_winters') AS state
FROM st_latency WHERE time < timestamptz '2024-05-01 00:00' + interval '400 hours';

SELECT datalayer.anomaly_state_info(state) FROM st_state;

SELECT r.time, round(r.value::numeric, 1) AS value, round(r.expected::numeric, 1) AS expected,
       r.is_anomaly, r.is_onset
FROM st_state,
     datalayer.anomaly_score(state, (SELECT datalayer.series(time, latency) FROM st_latency
                                     WHERE time >= timestamptz '2024-05-01 00:00' + interval '400 hours')) r
WHERE r.is_anomaly;

-- the last row carries the state after the points, the others none
SELECT count(*) AS rows, count(r.state) AS with_state,
       (array_agg(r.time ORDER BY r.time DESC) FILTER (WHERE r.state IS NOT NULL))[1] AS state_row_time
FROM st_state,
     datalayer.anomaly_score(state, (SELECT datalayer.series(time, latency) FROM st_latency
                                     WHERE time >= timestamptz '2024-05-01 00:00' + interval '400 hours')) r;

-- streaming equals batch, point for point, for every causal method (the
-- season is given, so history and whole series resolve the same options)
CREATE FUNCTION pg_temp.mismatches(m text, opts jsonb) RETURNS bigint LANGUAGE sql AS $$
    WITH s AS (SELECT datalayer.anomaly_state(datalayer.series(time, latency), m, 0.5, opts) AS state
                 FROM st_latency WHERE time < timestamptz '2024-05-01 00:00' + interval '300 hours'),
         streamed AS (SELECT r.* FROM s, datalayer.anomaly_score(s.state,
                        (SELECT datalayer.series(time, latency) FROM st_latency
                          WHERE time >= timestamptz '2024-05-01 00:00' + interval '300 hours')) r),
         batch AS (SELECT b.* FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM st_latency),
                                                              m, 0.5, opts) b
                    WHERE b.time >= timestamptz '2024-05-01 00:00' + interval '300 hours')
    SELECT count(*) FROM streamed FULL JOIN batch USING (time)
     WHERE streamed.score IS DISTINCT FROM batch.score OR streamed.expected IS DISTINCT FROM batch.expected
        OR streamed.upper IS DISTINCT FROM batch.upper OR streamed.is_anomaly IS DISTINCT FROM batch.is_anomaly
        OR streamed.is_onset IS DISTINCT FROM batch.is_onset
$$;
SELECT m, pg_temp.mismatches(m, o) AS mismatches,
       (SELECT count(*) FROM datalayer.detect_anomalies((SELECT datalayer.series(time, latency) FROM st_latency), m, 0.5, o)
         WHERE is_anomaly AND time >= timestamptz '2024-05-01 00:00' + interval '300 hours') AS flagged
FROM (VALUES ('robust_z', NULL::jsonb), ('ewma', NULL), ('holt_winters', '{"period": 24}'),
             ('changepoint', NULL), ('auto', '{"period": 24}')) v(m, o);

-- scoring in two pieces, carrying the state, equals scoring in one
WITH s0 AS (SELECT datalayer.anomaly_state(NULL, 'ewma') AS state),
     a AS (SELECT r.* FROM s0, datalayer.anomaly_score(s0.state,
             (SELECT datalayer.series(time, latency) FROM st_latency WHERE time < '2024-05-10')) r),
     b AS (SELECT r.* FROM (SELECT state FROM a WHERE state IS NOT NULL) s1, datalayer.anomaly_score(s1.state,
             (SELECT datalayer.series(time, latency) FROM st_latency WHERE time >= '2024-05-10')) r),
     whole AS (SELECT r.* FROM s0, datalayer.anomaly_score(s0.state,
             (SELECT datalayer.series(time, latency) FROM st_latency)) r)
SELECT count(*) AS points,
       count(*) FILTER (WHERE whole.score IS DISTINCT FROM p.score OR whole.is_anomaly IS DISTINCT FROM p.is_anomaly)
           AS mismatches
FROM whole JOIN (SELECT * FROM a UNION ALL SELECT * FROM b) p USING (time);

-- an empty history: the detector learns from the first points it scores
SELECT datalayer.anomaly_state_info(datalayer.anomaly_state(NULL, 'robust_z'));
SELECT datalayer.anomaly_state_info(datalayer.anomaly_state(NULL));
-- NULL method or sensitivity: NULL; NULL state or series: no rows
SELECT datalayer.anomaly_state(NULL, NULL) IS NULL AS null_method,
       datalayer.anomaly_state(NULL, 'ewma', NULL) IS NULL AS null_sensitivity;
SELECT count(*) FROM datalayer.anomaly_score(NULL, (SELECT datalayer.series(time, latency) FROM st_latency));
SELECT count(*) FROM st_state, datalayer.anomaly_score(state, NULL);

-- errors: a method without a streaming form, bad methods and options, and
-- states that are not states
SELECT pg_temp.err($$SELECT datalayer.anomaly_state(NULL, 'seasonal_esd')$$);
SELECT pg_temp.err($$SELECT datalayer.anomaly_state(NULL, 'zscore')$$);
SELECT pg_temp.err($$SELECT datalayer.anomaly_state(NULL, 'ewma', 1.5)$$);
SELECT pg_temp.err($$SELECT datalayer.anomaly_state(NULL, 'ewma', 0.5, '{"alpha": 2}')$$);
SELECT pg_temp.err($$SELECT datalayer.anomaly_state(NULL, 'ewma', 0.5, '{"speed": 2}')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.anomaly_score('\x00'::bytea, (SELECT datalayer.series(time, latency) FROM st_latency))$$);
SELECT pg_temp.err($$SELECT datalayer.anomaly_state_info('\x444c4153'::bytea)$$);
-- one flipped byte and a truncated state are both refused
SELECT pg_temp.err(format($$SELECT datalayer.anomaly_state_info(%L::bytea)$$,
                          set_byte(state, 20, get_byte(state, 20) # 1))) FROM st_state;
SELECT pg_temp.err(format($$SELECT datalayer.anomaly_state_info(%L::bytea)$$,
                          substring(state FROM 1 FOR length(state) - 1))) FROM st_state;

DROP TABLE st_state, st_latency;
