/*
 * anomaly_sql.h
 *		What the SQL functions of anomaly detection share: turning a call's
 *		method name, sensitivity and jsonb options into checked options.
 */
#ifndef DATALAYER_ANOMALY_SQL_H
#define DATALAYER_ANOMALY_SQL_H

#include "postgres.h"

#include "analytics/anomaly.h"
#include "analytics/forecast_engine.h"
#include "analytics/timeseries.h"
#include "utils/jsonb.h"

/* what the SQL layer adds to the core's options: the 'forecast' method */
typedef struct AnomalySqlExtra
{
	bool		forecast;		/* method 'forecast' (batch only) */
	FcMethod	model;			/* its forecasting method, option "model" */
} AnomalySqlExtra;

/*
 * json may be NULL; every bad value is an ERROR naming it.  extra NULL:
 * the caller streams, and 'forecast' is refused (0A000).
 */
extern void anomaly_options_from_sql(text *method, double sensitivity, Jsonb *json,
									 AnomalyOptions *options, AnomalySqlExtra *extra);

/* a jsonb option's value as a number, or a 22023 error naming the option */
extern double anomaly_option_number(JsonbValue *v, const char *key);

/* a point's row: (time, value, expected, lower, upper, score, is_anomaly, is_onset) */
#define ANOMALY_POINT_COLUMNS 8
extern void anomaly_point_row(const TsPoints *pts, const AnomalyResult *result, uint32 i,
							  Datum *row, bool *nulls);

/* a series' values with NaN for NULL, palloc'd */
extern double *anomaly_series_values(const TsPoints *pts);

#endif							/* DATALAYER_ANOMALY_SQL_H */
