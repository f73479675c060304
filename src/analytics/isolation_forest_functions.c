/*
 * isolation_forest_functions.c
 *		detect_anomalies_multi(times, points, sensitivity, options): the
 *		isolation forest (isolation_forest.c) over points of several values,
 *		one row per point with its score and verdict.
 *
 * points is a two-dimensional float8 array, one row per time (what
 * array_agg(ARRAY[a, b, c] ORDER BY time) builds).  A row with a NULL, NaN
 * or infinite value is left out of the forest and gets a NULL score.  The
 * score is Liu et al.'s s in (0, 1]: about 0.5 and below is ordinary, near
 * 1 is isolated at once.  A point is anomalous when its score exceeds
 * 0.7 - 0.2 * sensitivity (0.6 at the default), or, with the option
 * "contamination" c, when it is among the highest c of the scores.
 */
#include "postgres.h"

#include <math.h>

#include "analytics/anomaly.h"
#include "analytics/anomaly_sql.h"
#include "analytics/isolation_forest.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(detect_anomalies_multi);

static int
json_int(JsonbValue *v, const char *key, double lo, double hi)
{
	double		x = anomaly_option_number(v, key);

	if (x != floor(x) || x < lo || x > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be a whole number from %.0f to %.0f", key, lo, hi)));
	return (int) x;
}

static void
parse_forest_options(Jsonb *jb, IForestOptions *o)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken r;

	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options must be a JSON object"),
				 errhint("For example '{\"n_trees\": 200, \"contamination\": 0.01}'.")));
	it = JsonbIteratorInit(&jb->root);
	while ((r = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *key;

		if (r != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		r = JsonbIteratorNext(&it, &v, true);
		if (strcmp(key, "n_trees") == 0)
			o->n_trees = json_int(&v, key, 1, IFOREST_MAX_TREES);
		else if (strcmp(key, "sample_size") == 0)
			o->sample_size = json_int(&v, key, 2, INT_MAX);
		else if (strcmp(key, "seed") == 0)
			o->seed = (uint64) json_int(&v, key, 0, INT_MAX);
		else if (strcmp(key, "contamination") == 0)
		{
			o->contamination = anomaly_option_number(&v, key);
			if (!(o->contamination > 0 && o->contamination <= 0.5))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"contamination\" must be in (0, 0.5]")));
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown option \"%s\"", key),
					 errhint("The options are n_trees, sample_size, seed and contamination.")));
	}
}

/*
 * detect_anomalies_multi(times timestamptz[], points float8[], sensitivity,
 * options) returns (time, values, score, is_anomaly).
 */
Datum
detect_anomalies_multi(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ArrayType  *times_arr;
	ArrayType  *points_arr;
	Datum	   *times;
	bool	   *times_null;
	Datum	   *cells;
	bool	   *cells_null;
	int			n_times;
	int			n_cells;
	int			n;
	int			d;
	double		sensitivity;
	double	   *x;
	double	   *scores;
	bool	   *flags;
	double		threshold;
	IForestOptions options;
	IForestStatus status;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return (Datum) 0;
	times_arr = PG_GETARG_ARRAYTYPE_P(0);
	points_arr = PG_GETARG_ARRAYTYPE_P(1);
	sensitivity = PG_GETARG_FLOAT8(2);
	if (!(sensitivity >= 0 && sensitivity <= 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sensitivity must be between 0 and 1"),
				 errdetail("Higher flags more points; the default is 0.5.")));
	iforest_default_options(&options);
	if (!PG_ARGISNULL(3))
		parse_forest_options(PG_GETARG_JSONB_P(3), &options);

	if (ARR_NDIM(times_arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("times must be a one-dimensional array")));
	deconstruct_array(times_arr, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &times, &times_null, &n_times);
	if (ARR_NDIM(points_arr) == 0 && n_times == 0)
		return (Datum) 0;
	if (ARR_NDIM(points_arr) != 2)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("points must be a two-dimensional array, one row per time"),
				 errhint("Build it with array_agg(ARRAY[a, b, c] ORDER BY time).")));
	n = ARR_DIMS(points_arr)[0];
	d = ARR_DIMS(points_arr)[1];
	if (n != n_times)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%d times but %d points", n_times, n)));
	if (d < 1 || d > IFOREST_MAX_DIMENSIONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("points have %d values each; the isolation forest takes 1 to %d",
						d, IFOREST_MAX_DIMENSIONS)));
	deconstruct_array(points_arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &cells, &cells_null, &n_cells);
	x = palloc(sizeof(double) * (size_t) n_cells);
	for (i = 0; i < n_cells; i++)
		x[i] = cells_null[i] ? NAN : DatumGetFloat8(cells[i]);
	scores = palloc(sizeof(double) * (size_t) (n > 0 ? n : 1));
	flags = palloc(sizeof(bool) * (size_t) (n > 0 ? n : 1));
	status = iforest_score(x, (size_t) n, d, &options, scores, flags, &threshold);
	if (status != IFOREST_OK)
		ereport(ERROR,
				(errcode(status == IFOREST_ERR_TOO_LARGE ? ERRCODE_PROGRAM_LIMIT_EXCEEDED
						 : ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot grow the isolation forest: %s", iforest_status_message(status))));
	if (options.contamination == 0)
		threshold = 0.7 - 0.2 * sensitivity;

	for (i = 0; i < n; i++)
	{
		Datum		row[4];
		bool		nulls[4] = {false, false, false, false};
		Datum	   *vals = cells + (size_t) i * d;

		row[0] = times[i];
		nulls[0] = times_null[i];
		row[1] = PointerGetDatum(construct_md_array(vals, cells_null + (size_t) i * d, 1, &d,
													(int[]) {1}, FLOAT8OID, 8,
													FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		row[2] = Float8GetDatum(scores[i]);
		nulls[2] = !isfinite(scores[i]);
		row[3] = BoolGetDatum(isfinite(scores[i]) &&
							  (options.contamination > 0 ? flags[i] : scores[i] > threshold));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row, nulls);
		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return (Datum) 0;
}
