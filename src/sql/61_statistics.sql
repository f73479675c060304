-- stats_agg(value) and stats_agg(y, x): statistics that roll up
-- (src/aggregates/stats_agg.c over src/aggregates/stats_moments.c).

CREATE TYPE datalayer.stats_summary;
CREATE FUNCTION datalayer.stats_summary_in(cstring) RETURNS datalayer.stats_summary
AS 'MODULE_PATHNAME', 'stats_summary_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.stats_summary_out(datalayer.stats_summary) RETURNS cstring
AS 'MODULE_PATHNAME', 'stats_summary_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.stats_summary_recv(internal) RETURNS datalayer.stats_summary
AS 'MODULE_PATHNAME', 'stats_summary_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.stats_summary_send(datalayer.stats_summary) RETURNS bytea
AS 'MODULE_PATHNAME', 'stats_summary_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE datalayer.stats_summary (
    INPUT = datalayer.stats_summary_in, OUTPUT = datalayer.stats_summary_out,
    RECEIVE = datalayer.stats_summary_recv, SEND = datalayer.stats_summary_send,
    INTERNALLENGTH = VARIABLE, STORAGE = extended
);

CREATE TYPE datalayer.stats_summary2;
CREATE FUNCTION datalayer.stats_summary2_in(cstring) RETURNS datalayer.stats_summary2
AS 'MODULE_PATHNAME', 'stats_summary2_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.stats_summary2_out(datalayer.stats_summary2) RETURNS cstring
AS 'MODULE_PATHNAME', 'stats_summary2_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.stats_summary2_recv(internal) RETURNS datalayer.stats_summary2
AS 'MODULE_PATHNAME', 'stats_summary2_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.stats_summary2_send(datalayer.stats_summary2) RETURNS bytea
AS 'MODULE_PATHNAME', 'stats_summary2_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE datalayer.stats_summary2 (
    INPUT = datalayer.stats_summary2_in, OUTPUT = datalayer.stats_summary2_out,
    RECEIVE = datalayer.stats_summary2_recv, SEND = datalayer.stats_summary2_send,
    INTERNALLENGTH = VARIABLE, STORAGE = extended
);

CREATE FUNCTION datalayer._stats1_transfn(internal, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'stats1_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._stats1_rollup_transfn(internal, datalayer.stats_summary) RETURNS internal
AS 'MODULE_PATHNAME', 'stats1_rollup_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._stats1_combinefn(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'stats1_combinefn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._stats1_serializefn(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'stats1_serializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._stats1_deserializefn(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'stats1_deserializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._stats1_finalfn(internal) RETURNS datalayer.stats_summary
AS 'MODULE_PATHNAME', 'stats1_finalfn' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE datalayer.stats_agg(value float8) (
    SFUNC = datalayer._stats1_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._stats1_combinefn,
    SERIALFUNC = datalayer._stats1_serializefn, DESERIALFUNC = datalayer._stats1_deserializefn,
    FINALFUNC = datalayer._stats1_finalfn, PARALLEL = SAFE
);
CREATE AGGREGATE datalayer.rollup(summary datalayer.stats_summary) (
    SFUNC = datalayer._stats1_rollup_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._stats1_combinefn,
    SERIALFUNC = datalayer._stats1_serializefn, DESERIALFUNC = datalayer._stats1_deserializefn,
    FINALFUNC = datalayer._stats1_finalfn, PARALLEL = SAFE
);

CREATE FUNCTION datalayer._stats2_transfn(internal, float8, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'stats2_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._stats2_rollup_transfn(internal, datalayer.stats_summary2) RETURNS internal
AS 'MODULE_PATHNAME', 'stats2_rollup_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._stats2_combinefn(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'stats2_combinefn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION datalayer._stats2_serializefn(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'stats2_serializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._stats2_deserializefn(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'stats2_deserializefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._stats2_finalfn(internal) RETURNS datalayer.stats_summary2
AS 'MODULE_PATHNAME', 'stats2_finalfn' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE datalayer.stats_agg(y float8, x float8) (
    SFUNC = datalayer._stats2_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._stats2_combinefn,
    SERIALFUNC = datalayer._stats2_serializefn, DESERIALFUNC = datalayer._stats2_deserializefn,
    FINALFUNC = datalayer._stats2_finalfn, PARALLEL = SAFE
);
CREATE AGGREGATE datalayer.rollup(summary datalayer.stats_summary2) (
    SFUNC = datalayer._stats2_rollup_transfn, STYPE = internal,
    COMBINEFUNC = datalayer._stats2_combinefn,
    SERIALFUNC = datalayer._stats2_serializefn, DESERIALFUNC = datalayer._stats2_deserializefn,
    FINALFUNC = datalayer._stats2_finalfn, PARALLEL = SAFE
);

-- accessors; method is 'sample' (the default, as PostgreSQL's variance()) or 'population'
CREATE FUNCTION datalayer._stats1(s datalayer.stats_summary, what text, method text) RETURNS float8
AS 'MODULE_PATHNAME', 'stats1_accessor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer._stats2(s datalayer.stats_summary2, what text, method text) RETURNS float8
AS 'MODULE_PATHNAME', 'stats2_accessor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.num_vals(s datalayer.stats_summary) RETURNS bigint
AS 'MODULE_PATHNAME', 'stats1_num_vals' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.average(s datalayer.stats_summary) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._stats1(s, 'average', 'sample') $$;
CREATE FUNCTION datalayer.variance(s datalayer.stats_summary, method text DEFAULT 'sample') RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._stats1(s, 'variance', method) $$;
CREATE FUNCTION datalayer.stddev(s datalayer.stats_summary, method text DEFAULT 'sample') RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._stats1(s, 'stddev', method) $$;
CREATE FUNCTION datalayer.skewness(s datalayer.stats_summary, method text DEFAULT 'sample') RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._stats1(s, 'skewness', method) $$;
CREATE FUNCTION datalayer.kurtosis(s datalayer.stats_summary, method text DEFAULT 'sample') RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._stats1(s, 'kurtosis', method) $$;
CREATE FUNCTION datalayer.min_val(s datalayer.stats_summary) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._stats1(s, 'min', 'sample') $$;
CREATE FUNCTION datalayer.max_val(s datalayer.stats_summary) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._stats1(s, 'max', 'sample') $$;

CREATE FUNCTION datalayer.num_vals(s datalayer.stats_summary2) RETURNS bigint
AS 'MODULE_PATHNAME', 'stats2_num_vals' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.slope(s datalayer.stats_summary2) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._stats2(s, 'slope', 'sample') $$;
CREATE FUNCTION datalayer.intercept(s datalayer.stats_summary2) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._stats2(s, 'intercept', 'sample') $$;
CREATE FUNCTION datalayer.r_squared(s datalayer.stats_summary2) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._stats2(s, 'r_squared', 'sample') $$;
CREATE FUNCTION datalayer.corr(s datalayer.stats_summary2) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._stats2(s, 'corr', 'sample') $$;
CREATE FUNCTION datalayer.covariance(s datalayer.stats_summary2, method text DEFAULT 'sample') RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT datalayer._stats2(s, 'covariance', method) $$;
