-- The timeseries type and the series() aggregate (src/analytics/timeseries_type.c,
-- src/aggregates/series_agg.c); first() and last() (src/aggregates/first_last.c).
-- docs/series.md describes the semantics and the binary format.

CREATE TYPE datalayer.timeseries;

-- Text I/O depends on DateStyle and TimeZone, as timestamptz's does.
CREATE FUNCTION datalayer.timeseries_in(cstring) RETURNS datalayer.timeseries
AS 'MODULE_PATHNAME', 'timeseries_in' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.timeseries_out(datalayer.timeseries) RETURNS cstring
AS 'MODULE_PATHNAME', 'timeseries_out' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.timeseries_recv(internal) RETURNS datalayer.timeseries
AS 'MODULE_PATHNAME', 'timeseries_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.timeseries_send(datalayer.timeseries) RETURNS bytea
AS 'MODULE_PATHNAME', 'timeseries_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE datalayer.timeseries (
    INPUT = datalayer.timeseries_in,
    OUTPUT = datalayer.timeseries_out,
    RECEIVE = datalayer.timeseries_recv,
    SEND = datalayer.timeseries_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = extended
);
COMMENT ON TYPE datalayer.timeseries IS
    'A sorted series of (timestamptz, float8) points in a compact binary form';

CREATE FUNCTION datalayer.timeseries(times timestamptz[], "values" float8[])
RETURNS datalayer.timeseries AS 'MODULE_PATHNAME', 'timeseries_from_arrays'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.length(s datalayer.timeseries) RETURNS integer
AS 'MODULE_PATHNAME', 'timeseries_length' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.first_time(s datalayer.timeseries) RETURNS timestamptz
AS 'MODULE_PATHNAME', 'timeseries_first_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.last_time(s datalayer.timeseries) RETURNS timestamptz
AS 'MODULE_PATHNAME', 'timeseries_last_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.first_value(s datalayer.timeseries) RETURNS float8
AS 'MODULE_PATHNAME', 'timeseries_first_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.last_value(s datalayer.timeseries) RETURNS float8
AS 'MODULE_PATHNAME', 'timeseries_last_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.unnest(s datalayer.timeseries, OUT "time" timestamptz, OUT value float8)
RETURNS SETOF record AS 'MODULE_PATHNAME', 'timeseries_unnest'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;

-- Not STRICT: start and finish may be NULL (the series' own first and last time).
CREATE FUNCTION datalayer._resample(s datalayer.timeseries, step interval, fill text,
                                    start timestamptz, finish timestamptz)
RETURNS datalayer.timeseries AS 'MODULE_PATHNAME', 'timeseries_resample'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION datalayer.resample(s datalayer.timeseries, step interval, fill text DEFAULT 'null',
                                   start timestamptz DEFAULT NULL, finish timestamptz DEFAULT NULL)
RETURNS datalayer.timeseries LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN s IS NULL OR step IS NULL OR fill IS NULL THEN NULL
                ELSE datalayer._resample(s, step, fill, start, finish) END;
END;

-- series(time, value [, on_duplicate]): one series per group.
CREATE FUNCTION datalayer._series_transfn(internal, timestamptz, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'series_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._series_transfn(internal, timestamptz, float8, text)
RETURNS internal AS 'MODULE_PATHNAME', 'series_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._series_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'series_combinefn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._series_serializefn(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'series_serializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._series_deserializefn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'series_deserializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._series_finalfn(internal)
RETURNS datalayer.timeseries AS 'MODULE_PATHNAME', 'series_finalfn' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE datalayer.series("time" timestamptz, value float8) (
    SFUNC = datalayer._series_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._series_combinefn,
    SERIALFUNC = datalayer._series_serializefn, DESERIALFUNC = datalayer._series_deserializefn,
    FINALFUNC = datalayer._series_finalfn, PARALLEL = SAFE
);
CREATE AGGREGATE datalayer.series("time" timestamptz, value float8, on_duplicate text) (
    SFUNC = datalayer._series_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._series_combinefn,
    SERIALFUNC = datalayer._series_serializefn, DESERIALFUNC = datalayer._series_deserializefn,
    FINALFUNC = datalayer._series_finalfn, PARALLEL = SAFE
);

-- first(value, time) / last(value, time): the value at the smallest / largest time.
CREATE FUNCTION datalayer._first_transfn(internal, anyelement, "any")
RETURNS internal AS 'MODULE_PATHNAME', 'first_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._last_transfn(internal, anyelement, "any")
RETURNS internal AS 'MODULE_PATHNAME', 'last_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._first_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'first_combinefn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._last_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'last_combinefn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._bookend_serializefn(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'bookend_serializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._bookend_deserializefn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'bookend_deserializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._bookend_finalfn(internal, anyelement, "any")
RETURNS anyelement AS 'MODULE_PATHNAME', 'bookend_finalfn' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE datalayer.first(value anyelement, "time" "any") (
    SFUNC = datalayer._first_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._first_combinefn,
    SERIALFUNC = datalayer._bookend_serializefn, DESERIALFUNC = datalayer._bookend_deserializefn,
    FINALFUNC = datalayer._bookend_finalfn, FINALFUNC_EXTRA, PARALLEL = SAFE
);
CREATE AGGREGATE datalayer.last(value anyelement, "time" "any") (
    SFUNC = datalayer._last_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._last_combinefn,
    SERIALFUNC = datalayer._bookend_serializefn, DESERIALFUNC = datalayer._bookend_deserializefn,
    FINALFUNC = datalayer._bookend_finalfn, FINALFUNC_EXTRA, PARALLEL = SAFE
);
