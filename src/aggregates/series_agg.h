/*
 * series_agg.h
 *		The point-collecting transition state behind series(), and behind
 *		every aggregate that needs a group's points in time order
 *		(counter_agg, time_weight, lttb): points are appended in input
 *		order, partial states concatenate, and the final step sorts them.
 */
#ifndef DATALAYER_SERIES_AGG_H
#define DATALAYER_SERIES_AGG_H

#include "postgres.h"

#include "analytics/timeseries_format.h"
#include "datatype/timestamp.h"
#include "fmgr.h"

typedef struct SeriesState
{
	TsDuplicatePolicy policy;
	int32		param;			/* the aggregate's own constant argument */
	uint32		count;
	uint32		capacity;
	int64	   *times;
	double	   *values;
	bool	   *isnull;
} SeriesState;

extern MemoryContext series_aggcontext(FunctionCallInfo fcinfo, const char *fname);
extern SeriesState *series_state_create(MemoryContext aggcontext, TsDuplicatePolicy policy,
										int32 param);
extern void series_state_append(SeriesState *state, MemoryContext aggcontext,
								TimestampTz t, double value, bool isnull);

/*
 * The points sorted by time with the duplicate rule applied; what names the
 * aggregate in error messages.  skip_nulls drops NULL points.
 */
extern void series_state_points(SeriesState *state, const char *what, bool skip_nulls,
								TsPoints *out);

#endif							/* DATALAYER_SERIES_AGG_H */
