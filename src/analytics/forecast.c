/*
 * forecast.c
 *		SQL functions for forecasting: forecast(), forecast_model(),
 *		decompose() and detect_seasonality() over a timeseries.
 *
 * A series becomes a regular grid first: the step is the median spacing of
 * its non-NULL points (or options->>'step'), and grid times without a point
 * are filled by linear interpolation between their neighbours.  NULL and NaN
 * values count as missing.  The methods themselves are pure C
 * (forecast_engine.c and the cores it calls).
 */
#include "postgres.h"

#include <math.h>

#include "analytics/forecast_engine.h"
#include "analytics/seasonality.h"
#include "analytics/stl.h"
#include "analytics/timeseries.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(forecast_series);
PG_FUNCTION_INFO_V1(forecast_model);
PG_FUNCTION_INFO_V1(forecast_decompose);
PG_FUNCTION_INFO_V1(forecast_detect_seasonality);

/*
 * Grids longer than these are refused rather than built: decomposing costs
 * a few loess passes per point, forecasting fits dozens of models.
 */
#define MAX_GRID_POINTS 1000000
#define MAX_FORECAST_POINTS 200000

/* A series on its regular grid. */
typedef struct Grid
{
	int64		start;			/* time of the first grid point */
	int64		step;			/* microseconds */
	int			n;
	double	   *y;
	int64	   *times;			/* n */
	int			observed;		/* grid points that had a value of their own */
} Grid;

typedef struct Options
{
	int64		step;			/* 0 = infer */
	int			periods[FC_MAX_PERIODS];
	int			n_periods;		/* -1 = not given */
	char	   *model;
	int			damped;
	int64		seed;
} Options;

static int64
interval_to_step(Interval *iv, const char *what)
{
	int64		us;

	if (iv->month != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not contain months or years", what),
				 errdetail("A month has no fixed length, and a forecast needs evenly spaced steps."),
				 errhint("Use days instead, for example '30 days'.")));
	us = iv->time + (int64) iv->day * USECS_PER_DAY;
	if (us <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be positive", what)));
	return us;
}

static void
options_error(const char *key, const char *expected)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("option \"%s\" must be %s", key, expected)));
}

static int
json_int(JsonbValue *v, const char *key, int min, int max)
{
	int64		x;

	if (v->type != jbvNumeric)
		options_error(key, "a number");
	x = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(v->val.numeric)));
	if (x < min || x > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be between %d and %d", key, min, max)));
	return (int) x;
}

static void
parse_options(Jsonb *jb, Options *o)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken r;

	memset(o, 0, sizeof(*o));
	o->n_periods = -1;
	o->damped = -1;
	o->seed = 42;
	if (jb == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options must be a JSON object"),
				 errhint("For example '{\"step\": \"1 hour\", \"seasons\": [24, 168]}'.")));
	it = JsonbIteratorInit(&jb->root);
	r = JsonbIteratorNext(&it, &v, true);
	while ((r = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *key;

		if (r != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		r = JsonbIteratorNext(&it, &v, true);
		if (strcmp(key, "step") == 0)
		{
			char	   *s;

			if (v.type != jbvString)
				options_error(key, "an interval as a string, such as \"1 hour\"");
			s = pnstrdup(v.val.string.val, v.val.string.len);
			o->step = interval_to_step(DatumGetIntervalP(DirectFunctionCall3(interval_in, CStringGetDatum(s),
																			  ObjectIdGetDatum(InvalidOid),
																			  Int32GetDatum(-1))),
									   "option \"step\"");
		}
		else if (strcmp(key, "seasons") == 0)
		{
			JsonbIterator *ait;
			JsonbValue	e;

			if (v.type != jbvBinary || !JsonContainerIsArray(v.val.binary.data))
				options_error(key, "an array of periods in steps, such as [24, 168]");
			o->n_periods = 0;
			ait = JsonbIteratorInit(v.val.binary.data);
			while ((r = JsonbIteratorNext(&ait, &e, true)) != WJB_DONE)
			{
				if (r != WJB_ELEM)
					continue;
				if (o->n_periods >= FC_MAX_PERIODS)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("at most %d seasonal periods can be given", FC_MAX_PERIODS)));
				o->periods[o->n_periods++] = json_int(&e, key, 2, MAX_GRID_POINTS / 2);
			}
		}
		else if (strcmp(key, "model") == 0)
		{
			if (v.type != jbvString)
				options_error(key, "an ETS model such as \"AAdN\" or \"ZZZ\"");
			o->model = pnstrdup(v.val.string.val, v.val.string.len);
			/* "AAdN": the d is the damped flag */
			if (strlen(o->model) == 4 && o->model[2] == 'd')
			{
				o->model[2] = o->model[3];
				o->model[3] = '\0';
				o->damped = 1;
			}
		}
		else if (strcmp(key, "damped") == 0)
		{
			if (v.type != jbvBool)
				options_error(key, "true or false");
			o->damped = v.val.boolean ? 1 : 0;
		}
		else if (strcmp(key, "seed") == 0)
			o->seed = json_int(&v, key, 0, INT_MAX);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown option \"%s\"", key),
					 errhint("The options are step, seasons, model, damped and seed.")));
	}
}

/* microseconds as an interval of days and time (no months) */
static Interval *
usecs_interval(int64 us)
{
	Interval   *iv = palloc0(sizeof(Interval));

	iv->day = (int32) (us / USECS_PER_DAY);
	iv->time = us % USECS_PER_DAY;
	return iv;
}

static char *
step_text(int64 step)
{
	return DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(usecs_interval(step))));
}

static int
cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a,
				y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* The series on a regular grid; ERRORs for series that cannot be one. */
static void
build_grid(Datum series, int64 step, int max_points, Grid *g)
{
	TsPoints	pts,
				kept,
				grid;
	uint32		i,
				k = 0;
	int64		span;

	ts_datum_to_points(series, &pts);
	ts_points_alloc(&kept, pts.count > 0 ? pts.count : 1);
	for (i = 0; i < pts.count; i++)
	{
		if (pts.isnull[i] || isnan(pts.values[i]))
			continue;
		if (isinf(pts.values[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the series has an infinite value"),
					 errhint("Remove it or turn it into NULL; NULL and NaN values are interpolated.")));
		kept.times[k] = pts.times[i];
		kept.values[k] = pts.values[i];
		kept.isnull[k] = false;
		k++;
	}
	kept.count = k;
	if (k < FC_MIN_POINTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the series has %u values; at least %d are needed", k, FC_MIN_POINTS),
				 errdetail("NULL and NaN values do not count.")));
	if (step == 0)
	{
		int64	   *d = palloc(sizeof(int64) * (k - 1));

		for (i = 1; i < k; i++)
			d[i - 1] = kept.times[i] - kept.times[i - 1];
		qsort(d, k - 1, sizeof(int64), cmp_int64);
		step = d[(k - 1) / 2];
		pfree(d);
	}
	span = kept.times[k - 1] - kept.times[0];
	if (span / step + 1 > max_points)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the series spans %lld steps of %s, more than the %d this function takes",
						(long long) (span / step + 1), step_text(step), max_points),
				 errhint("Give a longer \"step\" in options, resample the series, or keep only its recent part.")));
	ts_check_status(ts_resample(&kept, kept.times[0], kept.times[k - 1], step, TS_FILL_LINEAR,
								max_points, &grid), "cannot put the series on a regular grid");
	g->start = kept.times[0];
	g->step = step;
	g->n = (int) grid.count;
	g->y = grid.values;
	g->times = grid.times;
	g->observed = 0;
	for (i = 0, k = 0; i < grid.count; i++)
	{
		while (k < kept.count && kept.times[k] < grid.times[i])
			k++;
		if (k < kept.count && kept.times[k] == grid.times[i])
			g->observed++;
	}
	if (g->n < FC_MIN_POINTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the series covers only %d steps of %s; at least %d are needed", g->n,
						step_text(step), FC_MIN_POINTS),
				 errhint("Give a shorter \"step\" in options.")));
}

static FcMethod
parse_method(text *t)
{
	char	   *name = text_to_cstring(t);
	FcMethod	m;

	if (!fc_method_parse(name, &m))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown forecasting method \"%s\"", name),
				 errhint("The methods are auto, naive, snaive, drift, theta, ets, arima, mstl, mstl_arima and combined.")));
	return m;
}

static void
raise_status(const FcResult *r)
{
	int			code;

	switch (r->status)
	{
		case FC_OK:
			return;
		case FC_ERR_NOT_FINITE:
			code = ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
			break;
		case FC_ERR_METHOD:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the method cannot forecast this series: %s", r->message),
					 errhint("method => 'auto' falls back to a method that fits.")));
			return;
		default:
			code = ERRCODE_INVALID_PARAMETER_VALUE;
			break;
	}
	ereport(ERROR, (errcode(code), errmsg("%s", r->message)));
}

/* fill req from the common arguments; levels may be NULL (no intervals) */
static void
prepare(FcRequest *req, Grid *g, Options *o, Datum series, FcMethod method, bool season_null,
		int32 season, Jsonb *options)
{
	parse_options(options, o);
	build_grid(series, o->step, MAX_FORECAST_POINTS, g);
	fc_request_init(req);
	req->y = g->y;
	req->n = g->n;
	req->method = method;
	req->ets_model = o->model;
	req->damped = o->damped;
	req->seed = (uint64_t) o->seed;
	if (!season_null)
	{
		if (season < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("season must be at least 1 step"),
					 errhint("Use 1 for a series without seasonality, or leave it NULL to detect it.")));
		if (o->n_periods >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("give the season either as the season argument or as options' \"seasons\", not both")));
		req->n_periods = season == 1 ? 0 : 1;
		req->periods[0] = season;
	}
	else if (o->n_periods >= 0)
	{
		req->n_periods = o->n_periods;
		memcpy(req->periods, o->periods, sizeof(o->periods));
	}
}

static void
notice_fallback(const FcResult *r)
{
	if (r->message[0] != '\0')
		ereport(NOTICE, (errmsg("forecast: %s", r->message)));
}

/*
 * forecast(s, horizon, method, season, levels, options) returns
 * (step, time, forecast, lo80, hi80, lo95, hi95, lower[], upper[]).
 */
Datum
forecast_series(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	FcRequest	req;
	FcResult	res;
	Grid		g;
	Options		o;
	double	   *levels = NULL;
	int			nl = 0,
				i,
				t;
	int			at80 = -1,
				at95 = -1;
	int64		last;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return (Datum) 0;
	if (!PG_ARGISNULL(4))
	{
		ArrayType  *a = PG_GETARG_ARRAYTYPE_P(4);
		Datum	   *elems;
		bool	   *nulls;

		if (ARR_NDIM(a) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("levels must be a one-dimensional array")));
		deconstruct_array(a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &nl);
		if (nl > FC_MAX_LEVELS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("at most %d levels can be asked for", FC_MAX_LEVELS)));
		levels = palloc(sizeof(double) * (nl > 0 ? nl : 1));
		for (i = 0; i < nl; i++)
		{
			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("levels must not contain NULL")));
			levels[i] = DatumGetFloat8(elems[i]);
			if (!(levels[i] > 0 && levels[i] < 100))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("level %g is not a percentage strictly between 0 and 100", levels[i]),
						 errhint("Levels are percentages, such as 80 or 95.")));
			if (levels[i] == 80 && at80 < 0)
				at80 = i;
			if (levels[i] == 95 && at95 < 0)
				at95 = i;
		}
	}
	{
		int32		horizon = PG_GETARG_INT32(1);

		if (horizon < 1 || horizon > FC_MAX_HORIZON)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("horizon must be between 1 and %d steps", FC_MAX_HORIZON),
					 errdetail("The horizon given was %d.", horizon)));
		prepare(&req, &g, &o, PG_GETARG_DATUM(0), parse_method(PG_GETARG_TEXT_PP(2)), PG_ARGISNULL(3),
				PG_ARGISNULL(3) ? 0 : PG_GETARG_INT32(3), PG_ARGISNULL(5) ? NULL : PG_GETARG_JSONB_P(5));
		req.horizon = horizon;
	}
	req.levels = levels;
	req.n_levels = nl;
	fc_forecast(&req, &res);
	raise_status(&res);
	notice_fallback(&res);

	last = g.times[g.n - 1];
	for (t = 0; t < req.horizon; t++)
	{
		Datum		values[9];
		bool		nulls[9] = {false};
		Datum	   *lo = palloc(sizeof(Datum) * (nl > 0 ? nl : 1));
		Datum	   *hi = palloc(sizeof(Datum) * (nl > 0 ? nl : 1));
		int64		when;

		if (pg_mul_s64_overflow(g.step, (int64) (t + 1), &when) || pg_add_s64_overflow(last, when, &when) ||
			!IS_VALID_TIMESTAMP(when))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("the forecast's times run past the end of timestamptz's range"),
					 errhint("Ask for a shorter horizon.")));
		values[0] = Int32GetDatum(t + 1);
		values[1] = TimestampTzGetDatum(when);
		values[2] = Float8GetDatum(res.mean[t]);
		nulls[3] = nulls[4] = at80 < 0;
		nulls[5] = nulls[6] = at95 < 0;
		if (at80 >= 0)
		{
			values[3] = Float8GetDatum(res.lower[at80 * req.horizon + t]);
			values[4] = Float8GetDatum(res.upper[at80 * req.horizon + t]);
		}
		if (at95 >= 0)
		{
			values[5] = Float8GetDatum(res.lower[at95 * req.horizon + t]);
			values[6] = Float8GetDatum(res.upper[at95 * req.horizon + t]);
		}
		for (i = 0; i < nl; i++)
		{
			lo[i] = Float8GetDatum(res.lower[i * req.horizon + t]);
			hi[i] = Float8GetDatum(res.upper[i * req.horizon + t]);
		}
		values[7] = PointerGetDatum(construct_array(lo, nl, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		values[8] = PointerGetDatum(construct_array(hi, nl, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		pfree(lo);
		pfree(hi);
		if (t % 1024 == 0)
			CHECK_FOR_INTERRUPTS();
	}
	fc_result_free(&res);
	return (Datum) 0;
}

static void
json_number(StringInfo buf, double x)
{
	if (isfinite(x))
		appendStringInfo(buf, "%.10g", x);
	else
		appendStringInfoString(buf, "null");
}


/* forecast_model(s, method, season, options) returns jsonb */
Datum
forecast_model(PG_FUNCTION_ARGS)
{
	FcRequest	req;
	FcResult	res;
	Grid		g;
	Options		o;
	StringInfoData buf;
	int			i;
	double		lv[1] = {95};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	prepare(&req, &g, &o, PG_GETARG_DATUM(0), parse_method(PG_GETARG_TEXT_PP(1)), PG_ARGISNULL(2),
			PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2), PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3));
	req.horizon = 1;
	req.levels = lv;
	req.n_levels = 1;
	fc_forecast(&req, &res);
	raise_status(&res);

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"method\": ");
	escape_json(&buf, fc_method_name(res.method));
	appendStringInfoString(&buf, ", \"model\": ");
	escape_json(&buf, res.model);
	appendStringInfoString(&buf, ", \"parameters\": {");
	for (i = 0; i < res.n_params; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		escape_json(&buf, res.param_names[i]);
		appendStringInfoString(&buf, ": ");
		json_number(&buf, res.param_values[i]);
	}
	appendStringInfoString(&buf, "}, \"loglik\": ");
	json_number(&buf, res.loglik);
	appendStringInfoString(&buf, ", \"aic\": ");
	json_number(&buf, res.aic);
	appendStringInfoString(&buf, ", \"aicc\": ");
	json_number(&buf, res.aicc);
	appendStringInfoString(&buf, ", \"bic\": ");
	json_number(&buf, res.bic);
	appendStringInfoString(&buf, ", \"in_sample\": {\"mae\": ");
	json_number(&buf, res.mae);
	appendStringInfoString(&buf, ", \"rmse\": ");
	json_number(&buf, res.rmse);
	appendStringInfoString(&buf, ", \"mase\": ");
	json_number(&buf, res.mase);
	appendStringInfoString(&buf, "}, \"seasonal_periods\": [");
	for (i = 0; i < res.n_periods; i++)
	{
		appendStringInfo(&buf, "%s{\"period\": %d, \"strength\": ", i ? ", " : "", res.periods[i]);
		json_number(&buf, res.strength[i]);
		appendStringInfoString(&buf, "}");
	}
	appendStringInfo(&buf, "], \"periods_detected\": %s, \"step\": ", res.periods_detected ? "true" : "false");
	escape_json(&buf, step_text(g.step));
	appendStringInfo(&buf, ", \"points\": %d, \"interpolated\": %d", g.n, g.n - g.observed);
	if (res.interval_factor > 1.0)
	{
		appendStringInfoString(&buf, ", \"interval_factor\": ");
		json_number(&buf, res.interval_factor);
	}
	if (res.message[0] != '\0')
	{
		appendStringInfoString(&buf, ", \"note\": ");
		escape_json(&buf, res.message);
	}
	appendStringInfoChar(&buf, '}');
	fc_result_free(&res);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* decompose(s, period) returns (time, observed, trend, seasonal, remainder) */
Datum
forecast_decompose(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Grid		g;
	Options		o;
	int			periods[FC_MAX_PERIODS];
	int			np,
				t,
				k;
	MstlResult	m;
	double		scale = 0;
	double	   *y;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	parse_options(PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2), &o);
	build_grid(PG_GETARG_DATUM(0), o.step, MAX_GRID_POINTS, &g);
	for (t = 0; t < g.n; t++)
		scale += fabs(g.y[t]);
	scale = scale > 0 ? scale / g.n : 1.0;
	y = palloc(sizeof(double) * g.n);
	for (t = 0; t < g.n; t++)
		y[t] = g.y[t] / scale;

	if (!PG_ARGISNULL(1))
	{
		int32		period = PG_GETARG_INT32(1);

		if (period < 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("period must be at least 2 steps")));
		if (g.n < 2 * period)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the series has %d steps, fewer than two cycles of period %d", g.n, period)));
		periods[0] = period;
		np = 1;
	}
	else if (o.n_periods > 0)
	{
		memcpy(periods, o.periods, sizeof(int) * o.n_periods);
		np = o.n_periods;
		for (k = 0; k < np; k++)
			if (g.n < 2 * periods[k])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the series has %d steps, fewer than two cycles of period %d", g.n, periods[k])));
	}
	else
	{
		np = fc_detect_periods(y, g.n, periods, NULL);
		if (np == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("no seasonal period was found in the series"),
					 errhint("Give the period, in steps, as the second argument.")));
	}
	mstl_decompose(y, g.n, periods, np, NULL, 2, &m);
	for (t = 0; t < g.n; t++)
	{
		Datum		values[5];
		bool		nulls[5] = {false};
		double		s = 0;

		for (k = 0; k < m.n_periods; k++)
			s += m.seasonal[k][t];
		values[0] = TimestampTzGetDatum(g.times[t]);
		values[1] = Float8GetDatum(g.y[t]);
		values[2] = Float8GetDatum(m.trend[t] * scale);
		values[3] = Float8GetDatum(s * scale);
		values[4] = Float8GetDatum(m.remainder[t] * scale);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	mstl_free(&m);
	return (Datum) 0;
}

/* detect_seasonality(s) returns (period, period_length, strength) */
Datum
forecast_detect_seasonality(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Grid		g;
	Options		o;
	int			periods[FC_MAX_PERIODS];
	double		strength[FC_MAX_PERIODS];
	int			np,
				k,
				t;
	double		scale = 0;
	double	   *y;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	parse_options(PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1), &o);
	build_grid(PG_GETARG_DATUM(0), o.step, MAX_GRID_POINTS, &g);
	for (t = 0; t < g.n; t++)
		scale += fabs(g.y[t]);
	scale = scale > 0 ? scale / g.n : 1.0;
	y = palloc(sizeof(double) * g.n);
	for (t = 0; t < g.n; t++)
		y[t] = g.y[t] / scale;
	np = fc_detect_periods(y, g.n, periods, strength);
	for (k = 0; k < np; k++)
	{
		Datum		values[3];
		bool		nulls[3] = {false};
		values[0] = Int32GetDatum(periods[k]);
		values[1] = IntervalPGetDatum(usecs_interval(g.step * periods[k]));
		values[2] = Float8GetDatum(strength[k]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
