-- Anomaly detection (src/analytics/anomaly_functions.c over the pure-C core
-- in src/analytics/anomaly*.c).  docs/anomaly.md describes the methods.

-- Not STRICT: options may be NULL; a NULL series, method or sensitivity
-- gives no rows.
CREATE FUNCTION datalayer.detect_anomalies(s datalayer.timeseries, method text DEFAULT 'auto',
                                           sensitivity float8 DEFAULT 0.5, options jsonb DEFAULT NULL)
RETURNS TABLE ("time" timestamptz, value float8, expected float8, lower float8, upper float8,
               score float8, is_anomaly boolean, is_onset boolean)
AS 'MODULE_PATHNAME', 'detect_anomalies'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION datalayer.detect_anomalies(datalayer.timeseries, text, float8, jsonb) IS
    'Every point of the series with its expected value, band, score and whether it is anomalous';
