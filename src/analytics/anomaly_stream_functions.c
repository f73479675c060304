/*
 * anomaly_stream_functions.c
 *		SQL functions for streaming anomaly detection: a detector's state
 *		kept as bytea between calls, so new points are scored without
 *		re-reading history.
 *
 *	anomaly_state(history, method, sensitivity, options) -> bytea
 *		learns a causal detector on a history (which may be empty);
 *	anomaly_score(state, s) -> the rows of detect_anomalies for the points
 *		of s, plus the state after them on the last row (NULL on the others);
 *	anomaly_state_info(state) -> jsonb, what a state holds.
 *
 * A state is the core's serialized stream (anomaly_stream.c): versioned,
 * checksummed and validated field by field before anything is allocated, so
 * a damaged or forged bytea is an error (22P03), never a crash.  Scoring
 * points from a state saved after the history gives exactly what
 * detect_anomalies gives for them over history and new points together,
 * when the method and season are the same.
 */
#include "postgres.h"

#include <math.h>

#include "analytics/anomaly.h"
#include "analytics/anomaly_sql.h"
#include "analytics/anomaly_stream.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

PG_FUNCTION_INFO_V1(anomaly_state);
PG_FUNCTION_INFO_V1(anomaly_score);
PG_FUNCTION_INFO_V1(anomaly_state_info);

/* A stream's status as an ERROR with the right SQLSTATE. */
static void
check_stream_status(AnomalyStatus status)
{
	switch (status)
	{
		case ANOMALY_OK:
			return;
		case ANOMALY_ERR_NOT_STREAMABLE:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("method seasonal_esd has no streaming form"),
					 errdetail("Seasonal ESD tests the whole series at once."),
					 errhint("Use auto, robust_z, ewma, holt_winters or changepoint.")));
			break;
		case ANOMALY_ERR_STATE_CORRUPT:
		case ANOMALY_ERR_STATE_VERSION:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid anomaly detector state: %s", anomaly_status_message(status)),
					 errhint("A state comes from datalayer.anomaly_state() or datalayer.anomaly_score().")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot score this series: %s", anomaly_status_message(status))));
	}
}

static bytea *
stream_to_bytea(const AnomalyStream *stream)
{
	size_t		size = anomaly_stream_serialized_size(stream);
	bytea	   *out;
	size_t		length;

	if (size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("anomaly detector state too large")));
	out = palloc(VARHDRSZ + size);
	check_stream_status(anomaly_stream_serialize(stream, (uint8 *) VARDATA(out), size, &length));
	SET_VARSIZE(out, VARHDRSZ + length);
	return out;
}

static AnomalyStream *
bytea_to_stream(bytea *state)
{
	AnomalyStream *stream = NULL;

	check_stream_status(anomaly_stream_deserialize((const uint8 *) VARDATA_ANY(state),
												   VARSIZE_ANY_EXHDR(state), &stream));
	return stream;
}

/*
 * anomaly_state(history timeseries, method, sensitivity, options) -> bytea.
 * A NULL history is an empty one: the detector then learns from the first
 * points it scores (and its warm-up counts from there).
 */
Datum
anomaly_state(PG_FUNCTION_ARGS)
{
	AnomalyOptions options;
	AnomalyResult result;
	AnomalyStream *stream = NULL;
	AnomalyStatus status;
	TsPoints	pts;
	double	   *values;
	bytea	   *out;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	anomaly_options_from_sql(PG_GETARG_TEXT_PP(1), PG_GETARG_FLOAT8(2),
							 PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3), &options, NULL);
	if (PG_ARGISNULL(0))
		memset(&pts, 0, sizeof(pts));
	else
		ts_datum_to_points(PG_GETARG_DATUM(0), &pts);
	values = anomaly_series_values(&pts);
	anomaly_result_init(&result, pts.count);
	status = anomaly_stream_start(values, pts.count, &options, &stream, &result);
	anomaly_result_free(&result);
	check_stream_status(status);
	out = stream_to_bytea(stream);
	anomaly_stream_free(stream);
	PG_RETURN_BYTEA_P(out);
}

/*
 * anomaly_score(state bytea, s timeseries) returns the rows of
 * detect_anomalies for the points of s and, in a ninth column, the state
 * after the last point (on that row only).  STRICT.
 */
Datum
anomaly_score(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AnomalyStream *stream;
	AnomalyResult result;
	AnomalyStatus status;
	TsPoints	pts;
	double	   *values;
	bytea	   *after;
	uint32		i;

	InitMaterializedSRF(fcinfo, 0);
	stream = bytea_to_stream(PG_GETARG_BYTEA_PP(0));
	ts_datum_to_points(PG_GETARG_DATUM(1), &pts);
	values = anomaly_series_values(&pts);
	anomaly_result_init(&result, pts.count);
	status = anomaly_stream_update(stream, values, pts.count, &result);
	if (status != ANOMALY_OK)
	{
		anomaly_result_free(&result);
		anomaly_stream_free(stream);
		check_stream_status(status);
	}
	after = stream_to_bytea(stream);
	anomaly_stream_free(stream);

	for (i = 0; i < pts.count; i++)
	{
		Datum		row[ANOMALY_POINT_COLUMNS + 1];
		bool		nulls[ANOMALY_POINT_COLUMNS + 1];

		anomaly_point_row(&pts, &result, i, row, nulls);
		row[ANOMALY_POINT_COLUMNS] = PointerGetDatum(after);
		nulls[ANOMALY_POINT_COLUMNS] = (i + 1 != pts.count);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row, nulls);
		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	anomaly_result_free(&result);
	return (Datum) 0;
}

/* anomaly_state_info(state) -> {"method", "points", "bytes"} */
Datum
anomaly_state_info(PG_FUNCTION_ARGS)
{
	bytea	   *state = PG_GETARG_BYTEA_PP(0);
	AnomalyStream *stream = bytea_to_stream(state);
	char	   *json;

	json = psprintf("{\"method\": \"%s\", \"points\": " INT64_FORMAT ", \"bytes\": %d}",
					anomaly_method_name(anomaly_stream_method(stream)),
					(int64) anomaly_stream_points(stream),
					(int) VARSIZE_ANY_EXHDR(state));
	anomaly_stream_free(stream);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
}
