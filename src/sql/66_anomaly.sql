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

-- Streaming: a detector's state as bytea (src/analytics/anomaly_stream_functions.c).
CREATE FUNCTION datalayer.anomaly_state(history datalayer.timeseries, method text DEFAULT 'auto',
                                        sensitivity float8 DEFAULT 0.5, options jsonb DEFAULT NULL)
RETURNS bytea AS 'MODULE_PATHNAME', 'anomaly_state'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION datalayer.anomaly_state(datalayer.timeseries, text, float8, jsonb) IS
    'A causal detector that has learned the history (NULL for none), to score new points with anomaly_score()';

CREATE FUNCTION datalayer.anomaly_score(state bytea, s datalayer.timeseries)
RETURNS TABLE ("time" timestamptz, value float8, expected float8, lower float8, upper float8,
               score float8, is_anomaly boolean, is_onset boolean, state bytea)
AS 'MODULE_PATHNAME', 'anomaly_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION datalayer.anomaly_score(bytea, datalayer.timeseries) IS
    'The points of s scored from a detector state; the last row carries the state after them';

CREATE FUNCTION datalayer.anomaly_state_info(state bytea)
RETURNS jsonb AS 'MODULE_PATHNAME', 'anomaly_state_info'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION datalayer.anomaly_state_info(bytea) IS
    'What a detector state holds: method, points seen, size';

-- Multivariate: an isolation forest over points of several values
-- (src/analytics/isolation_forest_functions.c).
CREATE FUNCTION datalayer.detect_anomalies_multi(times timestamptz[], points float8[],
                                                 sensitivity float8 DEFAULT 0.5, options jsonb DEFAULT NULL)
RETURNS TABLE ("time" timestamptz, "values" float8[], score float8, is_anomaly boolean)
AS 'MODULE_PATHNAME', 'detect_anomalies_multi'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION datalayer.detect_anomalies_multi(timestamptz[], float8[], float8, jsonb) IS
    'Every point of several values with its isolation forest score and whether it is anomalous';
