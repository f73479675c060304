/*
 * series_agg.c
 *		The series(time, value [, on_duplicate]) aggregate that collects one
 *		series into a datalayer.timeseries value.
 *
 * The transition state is a growing set of points in input order, kept in
 * the aggregate's memory context; the final function sorts them (stably),
 * applies the duplicate rule and encodes.  Partial states of parallel
 * workers are concatenated by the combine function and travel between
 * processes in a simple length-checked binary form.
 *
 * Rules: rows with a NULL time are skipped; a NULL value makes a NULL
 * point; NaN and infinities are kept as values; an infinite time is an
 * error.  With no point at all the aggregate returns NULL, as array_agg
 * does.
 */
#include "postgres.h"

#include "aggregates/series_agg.h"
#include "analytics/timeseries.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(series_transfn);
PG_FUNCTION_INFO_V1(series_combinefn);
PG_FUNCTION_INFO_V1(series_serializefn);
PG_FUNCTION_INFO_V1(series_deserializefn);
PG_FUNCTION_INFO_V1(series_finalfn);

SeriesState *
series_state_create(MemoryContext aggcontext, TsDuplicatePolicy policy, int32 param)
{
	SeriesState *state = MemoryContextAllocZero(aggcontext, sizeof(SeriesState));

	state->policy = policy;
	state->param = param;
	return state;
}

static void
series_state_reserve(SeriesState *state, MemoryContext aggcontext, uint64 extra)
{
	uint64		need = (uint64) state->count + extra;
	uint32		newcap;

	if (need <= state->capacity)
		return;
	if (need > TS_MAX_POINTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a timeseries cannot hold more than %u points", TS_MAX_POINTS),
				 errhint("Aggregate a shorter time range, or group the rows into more series.")));
	newcap = Max(state->capacity, 64);
	while (newcap < need)
		newcap = (uint32) Min((uint64) newcap * 2, (uint64) TS_MAX_POINTS);
	if (state->times == NULL)
	{
		state->times = MemoryContextAllocHuge(aggcontext, sizeof(int64) * newcap);
		state->values = MemoryContextAllocHuge(aggcontext, sizeof(double) * newcap);
		state->isnull = MemoryContextAllocHuge(aggcontext, sizeof(bool) * newcap);
	}
	else
	{
		state->times = repalloc_huge(state->times, sizeof(int64) * newcap);
		state->values = repalloc_huge(state->values, sizeof(double) * newcap);
		state->isnull = repalloc_huge(state->isnull, sizeof(bool) * newcap);
	}
	state->capacity = newcap;
}

static TsDuplicatePolicy
parse_duplicate_policy(text *t)
{
	char	   *s = text_to_cstring(t);

	if (strcmp(s, "error") == 0)
		return TS_DUP_ERROR;
	if (strcmp(s, "first") == 0)
		return TS_DUP_KEEP_FIRST;
	if (strcmp(s, "last") == 0)
		return TS_DUP_KEEP_LAST;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown on_duplicate rule \"%s\"", s),
			 errhint("Use 'error', 'first' or 'last'.")));
	return TS_DUP_ERROR;		/* keep the compiler quiet */
}

MemoryContext
series_aggcontext(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in a non-aggregate context", fname)));
	return aggcontext;
}

void
series_state_append(SeriesState *state, MemoryContext aggcontext, TimestampTz t, double value,
					bool isnull)
{
	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("a timeseries point cannot have an infinite time")));
	series_state_reserve(state, aggcontext, 1);
	state->times[state->count] = t;
	state->isnull[state->count] = isnull;
	state->values[state->count] = isnull ? 0.0 : value;
	state->count++;
}

void
series_state_points(SeriesState *state, const char *what, bool skip_nulls, TsPoints *out)
{
	TsBuilder  *builder = ts_builder_create(state->policy);
	uint32		i;

	for (i = 0; i < state->count; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (skip_nulls && state->isnull[i])
			continue;
		ts_check_status(ts_builder_append(builder, state->times[i], state->values[i], state->isnull[i]),
						what);
	}
	ts_check_status(ts_builder_finish(builder, out), what);
	ts_builder_free(builder);
}

/* series_transfn(state, time, value [, on_duplicate]) */
Datum
series_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = series_aggcontext(fcinfo, "series_transfn");
	SeriesState *state = PG_ARGISNULL(0) ? NULL : (SeriesState *) PG_GETARG_POINTER(0);

	if (state == NULL)
	{
		TsDuplicatePolicy policy = TS_DUP_ERROR;

		if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
			policy = parse_duplicate_policy(PG_GETARG_TEXT_PP(3));
		state = series_state_create(aggcontext, policy, 0);
	}
	if (!PG_ARGISNULL(1))
		series_state_append(state, aggcontext, PG_GETARG_TIMESTAMPTZ(1),
							PG_ARGISNULL(2) ? 0.0 : PG_GETARG_FLOAT8(2), PG_ARGISNULL(2));
	PG_RETURN_POINTER(state);
}

Datum
series_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = series_aggcontext(fcinfo, "series_combinefn");
	SeriesState *a = PG_ARGISNULL(0) ? NULL : (SeriesState *) PG_GETARG_POINTER(0);
	SeriesState *b = PG_ARGISNULL(1) ? NULL : (SeriesState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = series_state_create(aggcontext, b->policy, b->param);
	series_state_reserve(a, aggcontext, b->count);
	if (b->count > 0)
	{
		memcpy(a->times + a->count, b->times, sizeof(int64) * b->count);
		memcpy(a->values + a->count, b->values, sizeof(double) * b->count);
		memcpy(a->isnull + a->count, b->isnull, sizeof(bool) * b->count);
	}
	a->count += b->count;
	PG_RETURN_POINTER(a);
}

/* partial state between processes: policy (1 byte), param (4), count (4), then the arrays */
Datum
series_serializefn(PG_FUNCTION_ARGS)
{
	SeriesState *state = (SeriesState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	uint32		i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, (uint8) state->policy);
	pq_sendint32(&buf, (uint32) state->param);
	pq_sendint32(&buf, state->count);
	for (i = 0; i < state->count; i++)
	{
		pq_sendint64(&buf, state->times[i]);
		pq_sendfloat8(&buf, state->values[i]);
		pq_sendbyte(&buf, state->isnull[i] ? 1 : 0);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
series_deserializefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = series_aggcontext(fcinfo, "series_deserializefn");
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	SeriesState *state;
	int			policy;
	int32		param;
	uint32		count;
	uint32		i;

	buf.data = VARDATA_ANY(bytes);
	buf.len = VARSIZE_ANY_EXHDR(bytes);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	policy = pq_getmsgbyte(&buf);
	param = (int32) pq_getmsgint(&buf, 4);
	count = pq_getmsgint(&buf, 4);
	if (policy > TS_DUP_KEEP_LAST || (uint64) count * 17 != (uint64) (buf.len - buf.cursor))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid partial state of series()")));
	state = series_state_create(aggcontext, (TsDuplicatePolicy) policy, param);
	series_state_reserve(state, aggcontext, count);
	for (i = 0; i < count; i++)
	{
		state->times[i] = pq_getmsgint64(&buf);
		state->values[i] = pq_getmsgfloat8(&buf);
		state->isnull[i] = pq_getmsgbyte(&buf) != 0;
	}
	state->count = count;
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}

Datum
series_finalfn(PG_FUNCTION_ARGS)
{
	SeriesState *state = PG_ARGISNULL(0) ? NULL : (SeriesState *) PG_GETARG_POINTER(0);
	TsPoints	points;
	Datum		result;

	series_aggcontext(fcinfo, "series_finalfn");
	if (state == NULL || state->count == 0)
		PG_RETURN_NULL();
	series_state_points(state, "series()", false, &points);
	result = ts_points_to_datum(&points);
	ts_points_free(&points);
	PG_RETURN_DATUM(result);
}
