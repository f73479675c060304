/*
 * anomaly_functions.c
 *		SQL functions for anomaly detection: detect_anomalies() over a
 *		timeseries, a row per point with the expected value, the band, the
 *		score and the verdict.
 *
 * The methods are the pure-C core in anomaly*.c.  Points are taken in time
 * order as they are, without a grid: windows, periods and cool-downs count
 * points.  NULL and NaN values are missing: never flagged, scored 0, and
 * they do not move the model.
 */
#include "postgres.h"

#include <math.h>

#include "analytics/anomaly.h"
#include "analytics/anomaly_forecast.h"
#include "analytics/anomaly_sql.h"
#include "analytics/timeseries.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(detect_anomalies);

/* options->key as a number, or an error naming the key */
double
anomaly_option_number(JsonbValue *v, const char *key)
{
	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be a number", key)));
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v->val.numeric)));
}

static int
option_int(JsonbValue *v, const char *key)
{
	double		x = anomaly_option_number(v, key);

	if (x != floor(x) || x < 0 || x > INT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be a whole number of points, 0 or more", key)));
	return (int) x;
}

static void
parse_anomaly_options(Jsonb *jb, AnomalyOptions *o, AnomalySqlExtra *extra)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken r;

	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options must be a JSON object"),
				 errhint("For example '{\"window\": 60, \"period\": 24}'.")));
	it = JsonbIteratorInit(&jb->root);
	while ((r = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *key;

		if (r != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		r = JsonbIteratorNext(&it, &v, true);
		if (strcmp(key, "window") == 0)
			o->window = option_int(&v, key);
		else if (strcmp(key, "alpha") == 0)
			o->alpha = anomaly_option_number(&v, key);
		else if (strcmp(key, "period") == 0)
			o->period = option_int(&v, key);
		else if (strcmp(key, "cooldown") == 0)
			o->cooldown = option_int(&v, key);
		else if (strcmp(key, "warmup") == 0)
			o->warmup = option_int(&v, key);
		else if (strcmp(key, "hazard") == 0)
			o->hazard = anomaly_option_number(&v, key);
		else if (strcmp(key, "max_run_length") == 0)
			o->max_run_length = option_int(&v, key);
		else if (strcmp(key, "max_anomalies") == 0)
			o->max_anomalies = anomaly_option_number(&v, key);
		else if (strcmp(key, "score_window") == 0)
			o->score_window = option_int(&v, key);
		else if (strcmp(key, "score_horizon") == 0)
			o->score_horizon = option_int(&v, key);
		else if (strcmp(key, "model") == 0 && extra != NULL && extra->forecast)
		{
			char	   *name = v.type == jbvString ? pnstrdup(v.val.string.val, v.val.string.len) : "";

			if (!fc_method_parse(name, &extra->model))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"model\" must name a forecasting method"),
						 errhint("For example \"auto\", \"ets\", \"arima\", \"theta\" or \"mstl\".")));
		}
		else if (strcmp(key, "alarm") == 0)
		{
			if (v.type == jbvString && v.val.string.len == 10 &&
				strncmp(v.val.string.val, "likelihood", 10) == 0)
				o->alarm = ANOMALY_ALARM_LIKELIHOOD;
			else if (v.type == jbvString && v.val.string.len == 9 &&
					 strncmp(v.val.string.val, "threshold", 9) == 0)
				o->alarm = ANOMALY_ALARM_THRESHOLD;
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"alarm\" must be \"likelihood\" or \"threshold\"")));
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown option \"%s\"", key),
					 errhint("The options are window, alpha, period, cooldown, warmup, hazard, max_run_length, max_anomalies, alarm, score_window and score_horizon.")));
	}
}

/*
 * Options from a call's method name, sensitivity and jsonb options (NULL for
 * none), every check done: an unknown method or option, a sensitivity
 * outside [0, 1] and an option outside its range are 22023 errors naming it.
 */
void
anomaly_options_from_sql(text *method, double sensitivity, Jsonb *json, AnomalyOptions *options,
						 AnomalySqlExtra *extra)
{
	char	   *name = text_to_cstring(method);
	const char *bad;

	anomaly_options_init(options);
	if (extra != NULL)
	{
		extra->forecast = false;
		extra->model = FC_AUTO;
	}
	if (strcmp(name, "forecast") == 0)
	{
		if (extra != NULL)
			extra->forecast = true;
		else
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("method forecast has no streaming form"),
					 errdetail("The forecast method fits its model on the whole series."),
					 errhint("Use auto, robust_z, ewma, holt_winters or changepoint.")));
	}
	else if (!anomaly_method_from_name(name, &options->method))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown anomaly detection method \"%s\"", name),
				 errhint("The methods are auto, robust_z, ewma, holt_winters, changepoint, seasonal_esd and forecast.")));
	options->sensitivity = sensitivity;
	if (!(sensitivity >= 0 && sensitivity <= 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sensitivity must be between 0 and 1"),
				 errdetail("Higher flags more points; the default is 0.5.")));
	if (json != NULL)
		parse_anomaly_options(json, options, extra);
	bad = anomaly_options_invalid(options);
	if (bad != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" is out of range", bad),
				 errhint("docs/anomaly.md gives each option's range.")));
}

/*
 * The columns (time, value, expected, lower, upper, score, is_anomaly,
 * is_onset) of point i; a bound or expected value the model does not have
 * yet is NULL, as is a missing value.
 */
void
anomaly_point_row(const TsPoints *pts, const AnomalyResult *result, uint32 i,
				  Datum *row, bool *nulls)
{
	memset(nulls, 0, sizeof(bool) * ANOMALY_POINT_COLUMNS);
	row[0] = TimestampTzGetDatum(pts->times[i]);
	row[1] = Float8GetDatum(pts->values[i]);
	nulls[1] = pts->isnull[i];
	row[2] = Float8GetDatum(result->expected[i]);
	row[3] = Float8GetDatum(result->lower[i]);
	row[4] = Float8GetDatum(result->upper[i]);
	nulls[2] = !isfinite(result->expected[i]);
	nulls[3] = !isfinite(result->lower[i]);
	nulls[4] = !isfinite(result->upper[i]);
	row[5] = Float8GetDatum(result->score[i]);
	nulls[5] = !isfinite(result->score[i]);
	row[6] = BoolGetDatum(result->is_anomaly[i]);
	row[7] = BoolGetDatum(result->is_onset[i]);
}

/* the values of a series, NaN where NULL */
double *
anomaly_series_values(const TsPoints *pts)
{
	double	   *values = palloc(sizeof(double) * (pts->count > 0 ? pts->count : 1));
	uint32		i;

	for (i = 0; i < pts->count; i++)
		values[i] = pts->isnull[i] ? NAN : pts->values[i];
	return values;
}

/*
 * detect_anomalies(s, method, sensitivity, options) returns
 * (time, value, expected, lower, upper, score, is_anomaly, is_onset).
 */
Datum
detect_anomalies(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TsPoints	pts;
	AnomalyOptions options;
	AnomalySqlExtra extra;
	AnomalyResult result;
	AnomalyStatus status;
	double	   *values;
	uint32		i;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return (Datum) 0;

	anomaly_options_from_sql(PG_GETARG_TEXT_PP(1), PG_GETARG_FLOAT8(2),
							 PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3), &options, &extra);

	ts_datum_to_points(PG_GETARG_DATUM(0), &pts);
	values = anomaly_series_values(&pts);
	anomaly_result_init(&result, pts.count);
	if (extra.forecast)
	{
		char		message[200];
		FcStatus	fc;

		if (pts.count == 0)
			return (Datum) 0;
		fc = anomaly_detect_forecast(values, pts.count, &options, extra.model, &result, NULL, message);
		if (fc == FC_ERR_NOT_FINITE)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("cannot forecast a series with infinite values"),
					 errhint("Replace them with NULL: missing points are interpolated for the fit.")));
		else if (fc != FC_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot detect anomalies with the forecast method: %s",
							message[0] ? message : "the series is too short"),
					 errhint("The forecast method needs at least %d values.", FC_MIN_POINTS)));
	}
	else
	{
		status = anomaly_detect(values, pts.count, &options, &result);
		if (status != ANOMALY_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot detect anomalies in this series: %s", anomaly_status_message(status))));
	}

	for (i = 0; i < pts.count; i++)
	{
		Datum		row[ANOMALY_POINT_COLUMNS];
		bool		nulls[ANOMALY_POINT_COLUMNS];

		anomaly_point_row(&pts, &result, i, row, nulls);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row, nulls);
		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	anomaly_result_free(&result);
	return (Datum) 0;
}
