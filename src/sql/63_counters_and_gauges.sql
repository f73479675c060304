-- counter_agg (Prometheus counter functions), time_weight (time-weighted
-- averages) and lttb (downsampling for charts):
-- src/aggregates/counter_agg.c, src/aggregates/time_weight_agg.c, src/analytics/downsample.c.
-- All three collect the group's points with series()'s state functions.

CREATE TYPE datalayer.counter_summary;
CREATE FUNCTION datalayer.counter_summary_in(cstring) RETURNS datalayer.counter_summary
AS 'MODULE_PATHNAME', 'counter_summary_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.counter_summary_out(datalayer.counter_summary) RETURNS cstring
AS 'MODULE_PATHNAME', 'counter_summary_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.counter_summary_recv(internal) RETURNS datalayer.counter_summary
AS 'MODULE_PATHNAME', 'counter_summary_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.counter_summary_send(datalayer.counter_summary) RETURNS bytea
AS 'MODULE_PATHNAME', 'counter_summary_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE datalayer.counter_summary (
    INPUT = datalayer.counter_summary_in, OUTPUT = datalayer.counter_summary_out,
    RECEIVE = datalayer.counter_summary_recv, SEND = datalayer.counter_summary_send,
    INTERNALLENGTH = VARIABLE, STORAGE = extended
);

CREATE FUNCTION datalayer._counter_agg_finalfn(internal) RETURNS datalayer.counter_summary
AS 'MODULE_PATHNAME', 'counter_agg_finalfn' LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE datalayer.counter_agg("time" timestamptz, value float8) (
    SFUNC = datalayer._series_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._series_combinefn,
    SERIALFUNC = datalayer._series_serializefn, DESERIALFUNC = datalayer._series_deserializefn,
    FINALFUNC = datalayer._counter_agg_finalfn, PARALLEL = SAFE
);

CREATE FUNCTION datalayer._counter_rollup_transfn(internal, datalayer.counter_summary) RETURNS internal
AS 'MODULE_PATHNAME', 'counter_rollup_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._counter_rollup_combinefn(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'counter_rollup_combinefn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._counter_rollup_serializefn(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'counter_rollup_serializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._counter_rollup_deserializefn(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'counter_rollup_deserializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._counter_rollup_finalfn(internal) RETURNS datalayer.counter_summary
AS 'MODULE_PATHNAME', 'counter_rollup_finalfn' LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE datalayer.rollup(summary datalayer.counter_summary) (
    SFUNC = datalayer._counter_rollup_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._counter_rollup_combinefn,
    SERIALFUNC = datalayer._counter_rollup_serializefn, DESERIALFUNC = datalayer._counter_rollup_deserializefn,
    FINALFUNC = datalayer._counter_rollup_finalfn, PARALLEL = SAFE
);

CREATE FUNCTION datalayer._counter(s datalayer.counter_summary, what text) RETURNS float8
AS 'MODULE_PATHNAME', 'counter_accessor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.delta(s datalayer.counter_summary) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._counter(s, 'delta') $$;
CREATE FUNCTION datalayer.rate(s datalayer.counter_summary) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._counter(s, 'rate') $$;
CREATE FUNCTION datalayer.idelta(s datalayer.counter_summary) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._counter(s, 'idelta') $$;
CREATE FUNCTION datalayer.irate(s datalayer.counter_summary) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._counter(s, 'irate') $$;
CREATE FUNCTION datalayer._counter_extrapolated(s datalayer.counter_summary, range_start timestamptz,
                                                range_end timestamptz, per_second boolean) RETURNS float8
AS 'MODULE_PATHNAME', 'counter_extrapolated' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Prometheus increase(): the increase extrapolated to the range the samples were selected from
CREATE FUNCTION datalayer.extrapolated_delta(s datalayer.counter_summary, range_start timestamptz,
                                             range_end timestamptz) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT datalayer._counter_extrapolated(s, range_start, range_end, false) $$;
-- Prometheus rate()
CREATE FUNCTION datalayer.extrapolated_rate(s datalayer.counter_summary, range_start timestamptz,
                                            range_end timestamptz) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT datalayer._counter_extrapolated(s, range_start, range_end, true) $$;
CREATE FUNCTION datalayer._counter_info(s datalayer.counter_summary, what text) RETURNS bigint
AS 'MODULE_PATHNAME', 'counter_info' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.num_vals(s datalayer.counter_summary) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._counter_info(s, 'num_vals') $$;
CREATE FUNCTION datalayer.num_resets(s datalayer.counter_summary) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._counter_info(s, 'num_resets') $$;

CREATE TYPE datalayer.time_weight_summary;
CREATE FUNCTION datalayer.time_weight_summary_in(cstring) RETURNS datalayer.time_weight_summary
AS 'MODULE_PATHNAME', 'time_weight_summary_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.time_weight_summary_out(datalayer.time_weight_summary) RETURNS cstring
AS 'MODULE_PATHNAME', 'time_weight_summary_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.time_weight_summary_recv(internal) RETURNS datalayer.time_weight_summary
AS 'MODULE_PATHNAME', 'time_weight_summary_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.time_weight_summary_send(datalayer.time_weight_summary) RETURNS bytea
AS 'MODULE_PATHNAME', 'time_weight_summary_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE datalayer.time_weight_summary (
    INPUT = datalayer.time_weight_summary_in, OUTPUT = datalayer.time_weight_summary_out,
    RECEIVE = datalayer.time_weight_summary_recv, SEND = datalayer.time_weight_summary_send,
    INTERNALLENGTH = VARIABLE, STORAGE = extended
);

CREATE FUNCTION datalayer._time_weight_transfn(internal, text, timestamptz, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'time_weight_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._time_weight_finalfn(internal) RETURNS datalayer.time_weight_summary
AS 'MODULE_PATHNAME', 'time_weight_finalfn' LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE datalayer.time_weight(method text, "time" timestamptz, value float8) (
    SFUNC = datalayer._time_weight_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._series_combinefn,
    SERIALFUNC = datalayer._series_serializefn, DESERIALFUNC = datalayer._series_deserializefn,
    FINALFUNC = datalayer._time_weight_finalfn, PARALLEL = SAFE
);
CREATE FUNCTION datalayer._time_weight_rollup_transfn(internal, datalayer.time_weight_summary) RETURNS internal
AS 'MODULE_PATHNAME', 'time_weight_rollup_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._time_weight_rollup_combinefn(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'time_weight_rollup_combinefn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._time_weight_rollup_serializefn(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'time_weight_rollup_serializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._time_weight_rollup_deserializefn(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'time_weight_rollup_deserializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._time_weight_rollup_finalfn(internal) RETURNS datalayer.time_weight_summary
AS 'MODULE_PATHNAME', 'time_weight_rollup_finalfn' LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE datalayer.rollup(summary datalayer.time_weight_summary) (
    SFUNC = datalayer._time_weight_rollup_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._time_weight_rollup_combinefn,
    SERIALFUNC = datalayer._time_weight_rollup_serializefn,
    DESERIALFUNC = datalayer._time_weight_rollup_deserializefn,
    FINALFUNC = datalayer._time_weight_rollup_finalfn, PARALLEL = SAFE
);
CREATE FUNCTION datalayer.average(s datalayer.time_weight_summary) RETURNS float8
AS 'MODULE_PATHNAME', 'time_weight_average_fn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.integral(s datalayer.time_weight_summary, unit interval DEFAULT '1 second')
RETURNS float8 AS 'MODULE_PATHNAME', 'time_weight_integral_fn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer._lttb_transfn(internal, timestamptz, float8, integer) RETURNS internal
AS 'MODULE_PATHNAME', 'lttb_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._lttb_finalfn(internal) RETURNS datalayer.timeseries
AS 'MODULE_PATHNAME', 'lttb_finalfn' LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE datalayer.lttb("time" timestamptz, value float8, n integer) (
    SFUNC = datalayer._lttb_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._series_combinefn,
    SERIALFUNC = datalayer._series_serializefn, DESERIALFUNC = datalayer._series_deserializefn,
    FINALFUNC = datalayer._lttb_finalfn, PARALLEL = SAFE
);
CREATE FUNCTION datalayer.lttb(s datalayer.timeseries, n integer) RETURNS datalayer.timeseries
AS 'MODULE_PATHNAME', 'lttb_series' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
