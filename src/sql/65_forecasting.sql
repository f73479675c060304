-- Forecasting (src/analytics/forecast.c over the pure-C cores in
-- src/analytics/: forecast_engine, ets, arima, forecast_baselines, stl,
-- seasonality).  docs/forecasting.md describes the methods.

-- Not STRICT: season, levels and options may be NULL; a NULL series,
-- horizon or method gives no rows.
CREATE FUNCTION datalayer.forecast(s datalayer.timeseries, horizon integer,
                                   method text DEFAULT 'auto', season integer DEFAULT NULL,
                                   levels float8[] DEFAULT '{80,95}', options jsonb DEFAULT NULL)
RETURNS TABLE (step integer, "time" timestamptz, forecast float8,
               lo80 float8, hi80 float8, lo95 float8, hi95 float8,
               lower float8[], upper float8[])
AS 'MODULE_PATHNAME', 'forecast_series'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 24;
COMMENT ON FUNCTION datalayer.forecast(datalayer.timeseries, integer, text, integer, float8[], jsonb) IS
    'Forecasts horizon steps ahead with prediction intervals (lo80/hi80, lo95/hi95, and lower/upper for every level asked)';

CREATE FUNCTION datalayer.forecast_model(s datalayer.timeseries, method text DEFAULT 'auto',
                                         season integer DEFAULT NULL, options jsonb DEFAULT NULL)
RETURNS jsonb AS 'MODULE_PATHNAME', 'forecast_model'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION datalayer.forecast_model(datalayer.timeseries, text, integer, jsonb) IS
    'The model forecast() would use: method, parameters, information criteria, accuracy, seasonal periods';

CREATE FUNCTION datalayer.decompose(s datalayer.timeseries, period integer DEFAULT NULL,
                                    options jsonb DEFAULT NULL)
RETURNS TABLE ("time" timestamptz, observed float8, trend float8, seasonal float8, remainder float8)
AS 'MODULE_PATHNAME', 'forecast_decompose'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION datalayer.decompose(datalayer.timeseries, integer, jsonb) IS
    'STL (MSTL for several periods) decomposition into trend, seasonal and remainder';

CREATE FUNCTION datalayer.detect_seasonality(s datalayer.timeseries, options jsonb DEFAULT NULL)
RETURNS TABLE (period integer, period_length interval, strength float8)
AS 'MODULE_PATHNAME', 'forecast_detect_seasonality'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 2;
COMMENT ON FUNCTION datalayer.detect_seasonality(datalayer.timeseries, jsonb) IS
    'Seasonal periods found in the series, in steps and as an interval, with their strength (0 to 1)';
