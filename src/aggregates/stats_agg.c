/*
 * stats_agg.c
 *		stats_agg(value) and stats_agg(y, x): descriptive statistics and
 *		two-variable linear regression as summaries that roll up exactly.
 *
 * The transition state is the pure-C core's struct (stats_moments.h); a
 * finished summary is its versioned binary form in a varlena, so hourly
 * summaries stored in a table combine into daily ones with rollup() to the
 * same result as aggregating all rows (up to floating-point rounding).
 * NULL inputs are skipped; NaN and infinities propagate as in avg().
 */
#include "postgres.h"

#include "aggregates/stats_moments.h"
#include "aggregates/summary_io.h"
#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(stats_summary_in);
PG_FUNCTION_INFO_V1(stats_summary_out);
PG_FUNCTION_INFO_V1(stats_summary_recv);
PG_FUNCTION_INFO_V1(stats_summary_send);
PG_FUNCTION_INFO_V1(stats_summary2_in);
PG_FUNCTION_INFO_V1(stats_summary2_out);
PG_FUNCTION_INFO_V1(stats_summary2_recv);
PG_FUNCTION_INFO_V1(stats_summary2_send);
PG_FUNCTION_INFO_V1(stats1_transfn);
PG_FUNCTION_INFO_V1(stats1_rollup_transfn);
PG_FUNCTION_INFO_V1(stats1_combinefn);
PG_FUNCTION_INFO_V1(stats1_serializefn);
PG_FUNCTION_INFO_V1(stats1_deserializefn);
PG_FUNCTION_INFO_V1(stats1_finalfn);
PG_FUNCTION_INFO_V1(stats2_transfn);
PG_FUNCTION_INFO_V1(stats2_rollup_transfn);
PG_FUNCTION_INFO_V1(stats2_combinefn);
PG_FUNCTION_INFO_V1(stats2_serializefn);
PG_FUNCTION_INFO_V1(stats2_deserializefn);
PG_FUNCTION_INFO_V1(stats2_finalfn);
PG_FUNCTION_INFO_V1(stats1_accessor);
PG_FUNCTION_INFO_V1(stats1_num_vals);
PG_FUNCTION_INFO_V1(stats2_num_vals);
PG_FUNCTION_INFO_V1(stats2_accessor);

static const char *
validate_stats1(const uint8 *buf, size_t len)
{
	StatsMoments s;
	StatsStatus st = stats_moments_deserialize(buf, len, &s);

	return st == STATS_OK ? NULL : stats_status_message(st);
}

static const char *
validate_stats2(const uint8 *buf, size_t len)
{
	RegrState	r;
	StatsStatus st = regr_deserialize(buf, len, &r);

	return st == STATS_OK ? NULL : stats_status_message(st);
}

static const SummaryKind stats1_kind = {"stats_summary", validate_stats1};
static const SummaryKind stats2_kind = {"stats_summary2", validate_stats2};

Datum
stats_summary_in(PG_FUNCTION_ARGS)
{
	return summary_in(&stats1_kind, PG_GETARG_CSTRING(0));
}

Datum
stats_summary_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(summary_out(PG_GETARG_VARLENA_PP(0)));
}

Datum
stats_summary_recv(PG_FUNCTION_ARGS)
{
	return summary_recv(&stats1_kind, (StringInfo) PG_GETARG_POINTER(0));
}

Datum
stats_summary_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(summary_send(PG_GETARG_VARLENA_PP(0)));
}

Datum
stats_summary2_in(PG_FUNCTION_ARGS)
{
	return summary_in(&stats2_kind, PG_GETARG_CSTRING(0));
}

Datum
stats_summary2_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(summary_out(PG_GETARG_VARLENA_PP(0)));
}

Datum
stats_summary2_recv(PG_FUNCTION_ARGS)
{
	return summary_recv(&stats2_kind, (StringInfo) PG_GETARG_POINTER(0));
}

Datum
stats_summary2_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(summary_send(PG_GETARG_VARLENA_PP(0)));
}

static MemoryContext
stats_aggcontext(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("stats_agg support function called in a non-aggregate context")));
	return aggcontext;
}

/* A stored summary, decoded; a corrupt one is an error, not garbage. */
static void
stats1_from_datum(Datum d, StatsMoments *s)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(d);
	StatsStatus st = stats_moments_deserialize((const uint8 *) VARDATA_ANY(v),
											   VARSIZE_ANY_EXHDR(v), s);

	if (st != STATS_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid stats_summary value: %s", stats_status_message(st))));
}

static void
stats2_from_datum(Datum d, RegrState *r)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(d);
	StatsStatus st = regr_deserialize((const uint8 *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), r);

	if (st != STATS_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid stats_summary2 value: %s", stats_status_message(st))));
}

static StatsMoments *
stats1_state(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext = stats_aggcontext(fcinfo);
	StatsMoments *s;

	if (!PG_ARGISNULL(0))
		return (StatsMoments *) PG_GETARG_POINTER(0);
	s = MemoryContextAlloc(aggcontext, sizeof(StatsMoments));
	stats_moments_init(s);
	return s;
}

static RegrState *
stats2_state(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext = stats_aggcontext(fcinfo);
	RegrState  *r;

	if (!PG_ARGISNULL(0))
		return (RegrState *) PG_GETARG_POINTER(0);
	r = MemoryContextAlloc(aggcontext, sizeof(RegrState));
	regr_init(r);
	return r;
}

Datum
stats1_transfn(PG_FUNCTION_ARGS)
{
	StatsMoments *s = stats1_state(fcinfo);

	if (!PG_ARGISNULL(1))
		stats_moments_add(s, PG_GETARG_FLOAT8(1));
	PG_RETURN_POINTER(s);
}

Datum
stats1_rollup_transfn(PG_FUNCTION_ARGS)
{
	StatsMoments *s = stats1_state(fcinfo);

	if (!PG_ARGISNULL(1))
	{
		StatsMoments other;

		stats1_from_datum(PG_GETARG_DATUM(1), &other);
		stats_moments_combine(s, &other);
	}
	PG_RETURN_POINTER(s);
}

Datum
stats1_combinefn(PG_FUNCTION_ARGS)
{
	StatsMoments *s = stats1_state(fcinfo);

	if (!PG_ARGISNULL(1))
		stats_moments_combine(s, (StatsMoments *) PG_GETARG_POINTER(1));
	PG_RETURN_POINTER(s);
}

Datum
stats1_serializefn(PG_FUNCTION_ARGS)
{
	uint8		buf[STATS_MOMENTS_SERIALIZED_SIZE];

	stats_moments_serialize((StatsMoments *) PG_GETARG_POINTER(0), buf);
	PG_RETURN_POINTER(summary_from_bytes(buf, sizeof(buf)));
}

Datum
stats1_deserializefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = stats_aggcontext(fcinfo);
	StatsMoments *s = MemoryContextAlloc(aggcontext, sizeof(StatsMoments));

	stats1_from_datum(PG_GETARG_DATUM(0), s);
	PG_RETURN_POINTER(s);
}

/* No row at all gives NULL, as avg() does. */
Datum
stats1_finalfn(PG_FUNCTION_ARGS)
{
	uint8		buf[STATS_MOMENTS_SERIALIZED_SIZE];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	stats_moments_serialize((StatsMoments *) PG_GETARG_POINTER(0), buf);
	PG_RETURN_POINTER(summary_from_bytes(buf, sizeof(buf)));
}

Datum
stats2_transfn(PG_FUNCTION_ARGS)
{
	RegrState  *r = stats2_state(fcinfo);

	/* like regr_slope(): a row counts only if both y and x are non-NULL */
	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
		regr_add(r, PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2));
	PG_RETURN_POINTER(r);
}

Datum
stats2_rollup_transfn(PG_FUNCTION_ARGS)
{
	RegrState  *r = stats2_state(fcinfo);

	if (!PG_ARGISNULL(1))
	{
		RegrState	other;

		stats2_from_datum(PG_GETARG_DATUM(1), &other);
		regr_combine(r, &other);
	}
	PG_RETURN_POINTER(r);
}

Datum
stats2_combinefn(PG_FUNCTION_ARGS)
{
	RegrState  *r = stats2_state(fcinfo);

	if (!PG_ARGISNULL(1))
		regr_combine(r, (RegrState *) PG_GETARG_POINTER(1));
	PG_RETURN_POINTER(r);
}

Datum
stats2_serializefn(PG_FUNCTION_ARGS)
{
	uint8		buf[REGR_SERIALIZED_SIZE];

	regr_serialize((RegrState *) PG_GETARG_POINTER(0), buf);
	PG_RETURN_POINTER(summary_from_bytes(buf, sizeof(buf)));
}

Datum
stats2_deserializefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = stats_aggcontext(fcinfo);
	RegrState  *r = MemoryContextAlloc(aggcontext, sizeof(RegrState));

	stats2_from_datum(PG_GETARG_DATUM(0), r);
	PG_RETURN_POINTER(r);
}

Datum
stats2_finalfn(PG_FUNCTION_ARGS)
{
	uint8		buf[REGR_SERIALIZED_SIZE];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	regr_serialize((RegrState *) PG_GETARG_POINTER(0), buf);
	PG_RETURN_POINTER(summary_from_bytes(buf, sizeof(buf)));
}

/*
 * The population/sample choice of variance, stddev, skewness, kurtosis and
 * covariance: 'sample' (the default, as in PostgreSQL's variance()) or
 * 'population'.
 */
static bool
method_is_sample(text *method)
{
	char	   *m = text_to_cstring(method);

	if (strcmp(m, "sample") == 0)
		return true;
	if (strcmp(m, "population") == 0)
		return false;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown method \"%s\"", m),
			 errhint("Use 'sample' or 'population'.")));
	return true;				/* keep the compiler quiet */
}

/*
 * stats1_accessor(summary, what text, method text): one statistic of a
 * summary; NULL where it is undefined (no value, or too few for the
 * statistic asked).  The SQL wrappers pass 'what' as a constant.
 */
Datum
stats1_accessor(PG_FUNCTION_ARGS)
{
	StatsMoments s;
	char	   *what = text_to_cstring(PG_GETARG_TEXT_PP(1));
	bool		sample = method_is_sample(PG_GETARG_TEXT_PP(2));
	double		out = 0;
	bool		ok;

	stats1_from_datum(PG_GETARG_DATUM(0), &s);
	if (strcmp(what, "average") == 0)
		ok = stats_moments_mean(&s, &out);
	else if (strcmp(what, "variance") == 0)
		ok = sample ? stats_moments_variance_samp(&s, &out) : stats_moments_variance_pop(&s, &out);
	else if (strcmp(what, "stddev") == 0)
		ok = sample ? stats_moments_stddev_samp(&s, &out) : stats_moments_stddev_pop(&s, &out);
	else if (strcmp(what, "skewness") == 0)
		ok = sample ? stats_moments_skewness_sample(&s, &out) : stats_moments_skewness(&s, &out);
	else if (strcmp(what, "kurtosis") == 0)
		ok = sample ? stats_moments_kurtosis_sample(&s, &out) : stats_moments_kurtosis(&s, &out);
	else if (strcmp(what, "min") == 0)
		ok = stats_moments_min(&s, &out);
	else if (strcmp(what, "max") == 0)
		ok = stats_moments_max(&s, &out);
	else
		elog(ERROR, "unknown statistic \"%s\"", what);
	if (!ok)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(out);
}

Datum
stats2_accessor(PG_FUNCTION_ARGS)
{
	RegrState	r;
	char	   *what = text_to_cstring(PG_GETARG_TEXT_PP(1));
	bool		sample = method_is_sample(PG_GETARG_TEXT_PP(2));
	double		out = 0;
	bool		ok;

	stats2_from_datum(PG_GETARG_DATUM(0), &r);
	if (strcmp(what, "slope") == 0)
		ok = regr_slope(&r, &out);
	else if (strcmp(what, "intercept") == 0)
		ok = regr_intercept(&r, &out);
	else if (strcmp(what, "r_squared") == 0)
		ok = regr_r2(&r, &out);
	else if (strcmp(what, "corr") == 0)
		ok = regr_corr(&r, &out);
	else if (strcmp(what, "covariance") == 0)
		ok = sample ? regr_covar_samp(&r, &out) : regr_covar_pop(&r, &out);
	else
		elog(ERROR, "unknown statistic \"%s\"", what);
	if (!ok)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(out);
}

Datum
stats1_num_vals(PG_FUNCTION_ARGS)
{
	StatsMoments s;

	stats1_from_datum(PG_GETARG_DATUM(0), &s);
	PG_RETURN_INT64((int64) s.count);
}

Datum
stats2_num_vals(PG_FUNCTION_ARGS)
{
	RegrState	r;

	stats2_from_datum(PG_GETARG_DATUM(0), &r);
	PG_RETURN_INT64((int64) r.n);
}
