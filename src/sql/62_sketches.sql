-- Approximate percentiles (UDDSketch) and distinct counts (HyperLogLog)
-- (src/aggregates/percentile_agg.c, src/aggregates/hll_agg.c).

CREATE TYPE datalayer.uddsketch;
CREATE FUNCTION datalayer.uddsketch_in(cstring) RETURNS datalayer.uddsketch
AS 'MODULE_PATHNAME', 'uddsketch_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.uddsketch_out(datalayer.uddsketch) RETURNS cstring
AS 'MODULE_PATHNAME', 'uddsketch_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.uddsketch_recv(internal) RETURNS datalayer.uddsketch
AS 'MODULE_PATHNAME', 'uddsketch_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.uddsketch_send(datalayer.uddsketch) RETURNS bytea
AS 'MODULE_PATHNAME', 'uddsketch_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE datalayer.uddsketch (
    INPUT = datalayer.uddsketch_in, OUTPUT = datalayer.uddsketch_out,
    RECEIVE = datalayer.uddsketch_recv, SEND = datalayer.uddsketch_send,
    INTERNALLENGTH = VARIABLE, STORAGE = extended
);

CREATE FUNCTION datalayer._uddsketch_transfn(internal, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'uddsketch_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._uddsketch_transfn(internal, integer, float8, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'uddsketch_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._uddsketch_rollup_transfn(internal, datalayer.uddsketch) RETURNS internal
AS 'MODULE_PATHNAME', 'uddsketch_rollup_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._uddsketch_combinefn(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'uddsketch_combinefn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._uddsketch_serializefn(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'uddsketch_serializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._uddsketch_deserializefn(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'uddsketch_deserializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._uddsketch_finalfn(internal) RETURNS datalayer.uddsketch
AS 'MODULE_PATHNAME', 'uddsketch_finalfn' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE datalayer.percentile_agg(value float8) (
    SFUNC = datalayer._uddsketch_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._uddsketch_combinefn,
    SERIALFUNC = datalayer._uddsketch_serializefn, DESERIALFUNC = datalayer._uddsketch_deserializefn,
    FINALFUNC = datalayer._uddsketch_finalfn, PARALLEL = SAFE
);
CREATE AGGREGATE datalayer.uddsketch(size integer, max_error float8, value float8) (
    SFUNC = datalayer._uddsketch_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._uddsketch_combinefn,
    SERIALFUNC = datalayer._uddsketch_serializefn, DESERIALFUNC = datalayer._uddsketch_deserializefn,
    FINALFUNC = datalayer._uddsketch_finalfn, PARALLEL = SAFE
);
CREATE AGGREGATE datalayer.rollup(sketch datalayer.uddsketch) (
    SFUNC = datalayer._uddsketch_rollup_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._uddsketch_combinefn,
    SERIALFUNC = datalayer._uddsketch_serializefn, DESERIALFUNC = datalayer._uddsketch_deserializefn,
    FINALFUNC = datalayer._uddsketch_finalfn, PARALLEL = SAFE
);

CREATE FUNCTION datalayer.approx_percentile(p float8, sketch datalayer.uddsketch) RETURNS float8
AS 'MODULE_PATHNAME', 'uddsketch_approx_percentile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.error(sketch datalayer.uddsketch) RETURNS float8
AS 'MODULE_PATHNAME', 'uddsketch_error' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.num_vals(sketch datalayer.uddsketch) RETURNS bigint
AS 'MODULE_PATHNAME', 'uddsketch_num_vals' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._uddsketch_stat(sketch datalayer.uddsketch, what text) RETURNS float8
AS 'MODULE_PATHNAME', 'uddsketch_stat' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.mean(sketch datalayer.uddsketch) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._uddsketch_stat(sketch, 'mean') $$;
CREATE FUNCTION datalayer.min_val(sketch datalayer.uddsketch) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._uddsketch_stat(sketch, 'min') $$;
CREATE FUNCTION datalayer.max_val(sketch datalayer.uddsketch) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._uddsketch_stat(sketch, 'max') $$;

CREATE TYPE datalayer.hyperloglog;
CREATE FUNCTION datalayer.hyperloglog_in(cstring) RETURNS datalayer.hyperloglog
AS 'MODULE_PATHNAME', 'hyperloglog_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.hyperloglog_out(datalayer.hyperloglog) RETURNS cstring
AS 'MODULE_PATHNAME', 'hyperloglog_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.hyperloglog_recv(internal) RETURNS datalayer.hyperloglog
AS 'MODULE_PATHNAME', 'hyperloglog_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.hyperloglog_send(datalayer.hyperloglog) RETURNS bytea
AS 'MODULE_PATHNAME', 'hyperloglog_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE datalayer.hyperloglog (
    INPUT = datalayer.hyperloglog_in, OUTPUT = datalayer.hyperloglog_out,
    RECEIVE = datalayer.hyperloglog_recv, SEND = datalayer.hyperloglog_send,
    INTERNALLENGTH = VARIABLE, STORAGE = extended
);

CREATE FUNCTION datalayer._hll_transfn(internal, anyelement) RETURNS internal
AS 'MODULE_PATHNAME', 'hll_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._hll_transfn(internal, anyelement, integer) RETURNS internal
AS 'MODULE_PATHNAME', 'hll_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._hll_rollup_transfn(internal, datalayer.hyperloglog) RETURNS internal
AS 'MODULE_PATHNAME', 'hll_rollup_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._hll_combinefn(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'hll_combinefn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._hll_serializefn(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'hll_serializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._hll_deserializefn(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'hll_deserializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._hll_finalfn(internal) RETURNS datalayer.hyperloglog
AS 'MODULE_PATHNAME', 'hll_finalfn' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE datalayer.hll_agg(value anyelement) (
    SFUNC = datalayer._hll_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._hll_combinefn,
    SERIALFUNC = datalayer._hll_serializefn, DESERIALFUNC = datalayer._hll_deserializefn,
    FINALFUNC = datalayer._hll_finalfn, PARALLEL = SAFE
);
CREATE AGGREGATE datalayer.hll_agg(value anyelement, "precision" integer) (
    SFUNC = datalayer._hll_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._hll_combinefn,
    SERIALFUNC = datalayer._hll_serializefn, DESERIALFUNC = datalayer._hll_deserializefn,
    FINALFUNC = datalayer._hll_finalfn, PARALLEL = SAFE
);
CREATE AGGREGATE datalayer.rollup(hll datalayer.hyperloglog) (
    SFUNC = datalayer._hll_rollup_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._hll_combinefn,
    SERIALFUNC = datalayer._hll_serializefn, DESERIALFUNC = datalayer._hll_deserializefn,
    FINALFUNC = datalayer._hll_finalfn, PARALLEL = SAFE
);
CREATE FUNCTION datalayer.distinct_count(hll datalayer.hyperloglog) RETURNS bigint
AS 'MODULE_PATHNAME', 'hll_distinct_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.stderror(hll datalayer.hyperloglog) RETURNS float8
AS 'MODULE_PATHNAME', 'hll_stderror' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
