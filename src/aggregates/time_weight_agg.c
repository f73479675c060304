/*
 * time_weight_agg.c
 *		time_weight(method, time, value): a time-weighted summary of a gauge,
 *		with average() and integral(), and rollup() of the summaries of
 *		consecutive time ranges.
 *
 * 'linear' weighs each interval between two points by their mean
 * (trapezoids); 'locf' by the earlier point's value, which holds until the
 * next point.  The summary covers the time from the first to the last
 * point.  Points are collected (series_agg.h) and summarised in time order,
 * so any input order and parallel plans give the same result.  NULL values
 * are skipped; duplicate times, NaN and infinite values are errors.
 */
#include "postgres.h"

#include "aggregates/series_agg.h"
#include "aggregates/summary_io.h"
#include "aggregates/time_weight.h"
#include "fmgr.h"
#include "time/time_value.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(time_weight_summary_in);
PG_FUNCTION_INFO_V1(time_weight_summary_out);
PG_FUNCTION_INFO_V1(time_weight_summary_recv);
PG_FUNCTION_INFO_V1(time_weight_summary_send);
PG_FUNCTION_INFO_V1(time_weight_transfn);
PG_FUNCTION_INFO_V1(time_weight_finalfn);
PG_FUNCTION_INFO_V1(time_weight_rollup_transfn);
PG_FUNCTION_INFO_V1(time_weight_rollup_combinefn);
PG_FUNCTION_INFO_V1(time_weight_rollup_serializefn);
PG_FUNCTION_INFO_V1(time_weight_rollup_deserializefn);
PG_FUNCTION_INFO_V1(time_weight_rollup_finalfn);
PG_FUNCTION_INFO_V1(time_weight_average_fn);
PG_FUNCTION_INFO_V1(time_weight_integral_fn);

static const char *
validate_time_weight(const uint8 *buf, size_t len)
{
	TimeWeightSummary s;
	TimeWeightStatus st = time_weight_deserialize(buf, len, &s);

	return st == TIME_WEIGHT_OK ? NULL : time_weight_status_message(st);
}

static const SummaryKind tw_kind = {"time_weight_summary", validate_time_weight};

Datum
time_weight_summary_in(PG_FUNCTION_ARGS)
{
	return summary_in(&tw_kind, PG_GETARG_CSTRING(0));
}

Datum
time_weight_summary_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(summary_out(PG_GETARG_VARLENA_PP(0)));
}

Datum
time_weight_summary_recv(PG_FUNCTION_ARGS)
{
	return summary_recv(&tw_kind, (StringInfo) PG_GETARG_POINTER(0));
}

Datum
time_weight_summary_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(summary_send(PG_GETARG_VARLENA_PP(0)));
}

static void
tw_check(TimeWeightStatus st)
{
	if (st == TIME_WEIGHT_OK)
		return;
	if (st == TIME_WEIGHT_ERR_VALUE || st == TIME_WEIGHT_ERR_OVERFLOW)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("time_weight: %s", time_weight_status_message(st)),
				 errhint("Values must be finite numbers; filter out NaN and infinities.")));
	if (st == TIME_WEIGHT_ERR_OVERLAP || st == TIME_WEIGHT_ERR_METHOD)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot roll up these time_weight summaries: %s", time_weight_status_message(st)),
				 errhint("rollup() joins summaries of one method over consecutive, non-overlapping time ranges.")));
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("time_weight: %s", time_weight_status_message(st))));
}

static struct varlena *
tw_to_varlena(const TimeWeightSummary *s)
{
	uint8		buf[TIME_WEIGHT_SERIALIZED_SIZE] = {0};

	time_weight_serialize(s, buf);
	return summary_from_bytes(buf, sizeof(buf));
}

static void
tw_from_datum(Datum d, TimeWeightSummary *s)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(d);
	TimeWeightStatus st = time_weight_deserialize((const uint8 *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), s);

	if (st != TIME_WEIGHT_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid time_weight_summary value: %s", time_weight_status_message(st))));
}

static TimeWeightMethod
parse_method(text *t)
{
	char	   *m = text_to_cstring(t);

	if (pg_strcasecmp(m, "linear") == 0)
		return TIME_WEIGHT_LINEAR;
	if (pg_strcasecmp(m, "locf") == 0)
		return TIME_WEIGHT_LOCF;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown time_weight method \"%s\"", m),
			 errhint("Use 'linear' or 'locf'.")));
	return TIME_WEIGHT_LINEAR;	/* keep the compiler quiet */
}

/* time_weight_transfn(state, method, time, value) */
Datum
time_weight_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = series_aggcontext(fcinfo, "time_weight_transfn");
	SeriesState *state = PG_ARGISNULL(0) ? NULL : (SeriesState *) PG_GETARG_POINTER(0);

	if (state == NULL)
	{
		if (PG_ARGISNULL(1))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("time_weight method must not be NULL")));
		state = series_state_create(aggcontext, TS_DUP_ERROR,
									(int32) parse_method(PG_GETARG_TEXT_PP(1)));
	}
	if (!PG_ARGISNULL(2) && !PG_ARGISNULL(3))
		series_state_append(state, aggcontext, PG_GETARG_TIMESTAMPTZ(2), PG_GETARG_FLOAT8(3), false);
	PG_RETURN_POINTER(state);
}

Datum
time_weight_finalfn(PG_FUNCTION_ARGS)
{
	SeriesState *state = PG_ARGISNULL(0) ? NULL : (SeriesState *) PG_GETARG_POINTER(0);
	TsPoints	points;
	TimeWeightSummary summary;

	series_aggcontext(fcinfo, "time_weight_finalfn");
	if (state == NULL || state->count == 0)
		PG_RETURN_NULL();
	series_state_points(state, "time_weight()", true, &points);
	tw_check(time_weight_build((TimeWeightMethod) state->param, points.times, points.values,
							   points.count, &summary));
	PG_RETURN_POINTER(tw_to_varlena(&summary));
}

Datum
time_weight_rollup_transfn(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(summary_list_transfn(fcinfo, &tw_kind, TIME_WEIGHT_SERIALIZED_SIZE));
}

Datum
time_weight_rollup_combinefn(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(summary_list_combinefn(fcinfo, TIME_WEIGHT_SERIALIZED_SIZE));
}

Datum
time_weight_rollup_serializefn(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(summary_list_serialize((SummaryList *) PG_GETARG_POINTER(0)));
}

Datum
time_weight_rollup_deserializefn(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(summary_list_deserialize(fcinfo, &tw_kind, TIME_WEIGHT_SERIALIZED_SIZE));
}

static int
tw_cmp_first_time(const void *a, const void *b)
{
	int64		ta = ((const TimeWeightSummary *) a)->first_time;
	int64		tb = ((const TimeWeightSummary *) b)->first_time;

	return ta < tb ? -1 : ta > tb ? 1 : 0;
}

Datum
time_weight_rollup_finalfn(PG_FUNCTION_ARGS)
{
	SummaryList *list = PG_ARGISNULL(0) ? NULL : (SummaryList *) PG_GETARG_POINTER(0);
	TimeWeightSummary *items;
	TimeWeightSummary acc;
	int			i;

	series_aggcontext(fcinfo, "time_weight rollup");
	if (list == NULL || list->count == 0)
		PG_RETURN_NULL();
	items = palloc(sizeof(TimeWeightSummary) * list->count);
	for (i = 0; i < list->count; i++)
		tw_check(time_weight_deserialize(list->items + (Size) i * TIME_WEIGHT_SERIALIZED_SIZE,
										 TIME_WEIGHT_SERIALIZED_SIZE, &items[i]));
	qsort(items, list->count, sizeof(TimeWeightSummary), tw_cmp_first_time);
	acc = items[0];
	for (i = 1; i < list->count; i++)
	{
		TimeWeightSummary joined;

		tw_check(time_weight_combine(&acc, &items[i], &joined));
		acc = joined;
	}
	PG_RETURN_POINTER(tw_to_varlena(&acc));
}

Datum
time_weight_average_fn(PG_FUNCTION_ARGS)
{
	TimeWeightSummary s;
	double		out;

	tw_from_datum(PG_GETARG_DATUM(0), &s);
	tw_check(time_weight_average(&s, &out));
	PG_RETURN_FLOAT8(out);
}

/* integral(summary, unit interval): value x time, in multiples of unit */
Datum
time_weight_integral_fn(PG_FUNCTION_ARGS)
{
	TimeWeightSummary s;
	int64		unit = time_interval_usecs(PG_GETARG_INTERVAL_P(1), "integral unit");
	double		out;

	tw_from_datum(PG_GETARG_DATUM(0), &s);
	tw_check(time_weight_integral(&s, unit, &out));
	PG_RETURN_FLOAT8(out);
}
