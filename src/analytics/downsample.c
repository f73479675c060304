/*
 * downsample.c
 *		lttb(time, value, n) and lttb(series, n): Largest-Triangle-Three-
 *		Buckets downsampling (Steinarsson 2013) for charts, returning a
 *		timeseries of at most n points that keeps the series' visual shape.
 *
 * NULL values are skipped; duplicate times, NaN and infinite values are
 * errors; n must be at least 3 (first and last point plus one); a series
 * of n points or fewer comes back unchanged.  The selection is the pure-C
 * core's, lttb.h.
 */
#include "postgres.h"

#include "aggregates/series_agg.h"
#include "analytics/lttb.h"
#include "analytics/timeseries.h"
#include "fmgr.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(lttb_transfn);
PG_FUNCTION_INFO_V1(lttb_finalfn);
PG_FUNCTION_INFO_V1(lttb_series);

static void
check_threshold(int32 n)
{
	if (n < 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lttb needs at least 3 output points, not %d", n),
				 errdetail("The first and last points are always kept, plus one per bucket in between.")));
}

/* The downsampled series of the non-NULL points. */
static Datum
lttb_points(TsPoints *points, int32 n)
{
	TsPoints	out;
	TsPoints	dense;
	uint32		i;
	uint32		k = 0;
	size_t		count;
	LttbStatus	st;

	/* drop NULL points */
	ts_points_alloc(&dense, points->count);
	for (i = 0; i < points->count; i++)
	{
		if (points->isnull[i])
			continue;
		dense.times[k] = points->times[i];
		dense.values[k] = points->values[i];
		dense.isnull[k] = false;
		k++;
	}
	dense.count = k;
	ts_points_alloc(&out, (uint32) lttb_output_size(k, (size_t) n));
	st = lttb_downsample(dense.times, dense.values, k, (size_t) n, out.times, out.values, &count);
	if (st == LTTB_ERR_VALUE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("lttb: %s", lttb_status_message(st)),
				 errhint("Values must be finite numbers; filter out NaN and infinities.")));
	if (st != LTTB_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lttb: %s", lttb_status_message(st))));
	out.count = (uint32) count;
	memset(out.isnull, 0, count);
	return ts_points_to_datum(&out);
}

/* lttb_transfn(state, time, value, n) */
Datum
lttb_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = series_aggcontext(fcinfo, "lttb_transfn");
	SeriesState *state = PG_ARGISNULL(0) ? NULL : (SeriesState *) PG_GETARG_POINTER(0);

	if (state == NULL)
	{
		if (PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("lttb point count must not be NULL")));
		check_threshold(PG_GETARG_INT32(3));
		state = series_state_create(aggcontext, TS_DUP_ERROR, PG_GETARG_INT32(3));
	}
	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
		series_state_append(state, aggcontext, PG_GETARG_TIMESTAMPTZ(1), PG_GETARG_FLOAT8(2), false);
	PG_RETURN_POINTER(state);
}

Datum
lttb_finalfn(PG_FUNCTION_ARGS)
{
	SeriesState *state = PG_ARGISNULL(0) ? NULL : (SeriesState *) PG_GETARG_POINTER(0);
	TsPoints	points;

	series_aggcontext(fcinfo, "lttb_finalfn");
	if (state == NULL || state->count == 0)
		PG_RETURN_NULL();
	series_state_points(state, "lttb()", true, &points);
	PG_RETURN_DATUM(lttb_points(&points, state->param));
}

/* lttb(s timeseries, n) */
Datum
lttb_series(PG_FUNCTION_ARGS)
{
	TsPoints	points;

	check_threshold(PG_GETARG_INT32(1));
	ts_datum_to_points(PG_GETARG_DATUM(0), &points);
	PG_RETURN_DATUM(lttb_points(&points, PG_GETARG_INT32(1)));
}
