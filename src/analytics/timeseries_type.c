/*
 * timeseries_type.c
 *		The datalayer.timeseries SQL type: text and binary input/output,
 *		accessors (length, first/last time and value), unnest() back to rows
 *		and resample() onto a regular grid.
 *
 * The datum is a varlena whose payload is exactly the binary format of
 * docs/series.md, so send() writes the payload as it is and recv() accepts
 * a payload only after the full validating decoder has read it.
 *
 * Text form: {"<timestamptz>":<float8 or null>,...} in time order, e.g.
 *   {"2024-01-01 00:00:00+00":1.5,"2024-01-01 00:00:10+00":null}
 * Times are written in the session's DateStyle and TimeZone and read back by
 * timestamptz input; values with float8's shortest exact form, so text
 * round-trips.  Input may list points in any order; two points with the
 * same time are an error.
 */
#include "postgres.h"

#include <ctype.h>

#include "analytics/timeseries.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "libpq/pqformat.h"
#include "time/time_value.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(timeseries_in);
PG_FUNCTION_INFO_V1(timeseries_out);
PG_FUNCTION_INFO_V1(timeseries_recv);
PG_FUNCTION_INFO_V1(timeseries_send);
PG_FUNCTION_INFO_V1(timeseries_length);
PG_FUNCTION_INFO_V1(timeseries_first_time);
PG_FUNCTION_INFO_V1(timeseries_last_time);
PG_FUNCTION_INFO_V1(timeseries_first_value);
PG_FUNCTION_INFO_V1(timeseries_last_value);
PG_FUNCTION_INFO_V1(timeseries_unnest);
PG_FUNCTION_INFO_V1(timeseries_resample);
PG_FUNCTION_INFO_V1(timeseries_from_arrays);

void
ts_check_status(TsStatus status, const char *context)
{
	int			code;

	switch (status)
	{
		case TS_OK:
			return;
		case TS_ERR_TRUNCATED:
		case TS_ERR_VERSION:
		case TS_ERR_CORRUPT:
			code = ERRCODE_DATA_CORRUPTED;
			break;
		case TS_ERR_TOO_MANY_POINTS:
			code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			break;
		case TS_ERR_DUPLICATE_TIME:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s: two points have the same time", context),
					 errhint("Remove the duplicates, or call series() with on_duplicate => 'first' or 'last' and an ORDER BY.")));
			return;
		case TS_ERR_INFINITE_TIME:
			code = ERRCODE_DATETIME_VALUE_OUT_OF_RANGE;
			break;
		case TS_ERR_BAD_ARGUMENT:
			code = ERRCODE_INVALID_PARAMETER_VALUE;
			break;
		default:
			code = ERRCODE_INTERNAL_ERROR;
			break;
	}
	ereport(ERROR,
			(errcode(code),
			 errmsg("%s: %s", context, ts_status_message(status))));
}

void
ts_datum_to_points(Datum datum, TsPoints *points)
{
	struct varlena *v = PG_DETOAST_DATUM(datum);

	ts_check_status(ts_decode((const uint8_t *) VARDATA(v), VARSIZE(v) - VARHDRSZ, points),
					"stored timeseries value is invalid");
}

Datum
ts_points_to_datum(const TsPoints *points)
{
	uint8_t    *buf;
	size_t		len;

	ts_check_status(ts_encode(points, VARHDRSZ, &buf, &len), "cannot encode timeseries");
	if (len > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("timeseries of %u points is too large (%zu bytes)", points->count, len),
				 errhint("A timeseries value is limited to 1 GB; split the series by time.")));
	SET_VARSIZE(buf, len);
	return PointerGetDatum(buf);
}

/* Reads the fixed header: length, first and last time without decoding. */
static void
ts_datum_header(Datum datum, TsHeader *header)
{
	struct varlena *v = PG_DETOAST_DATUM(datum);

	ts_check_status(ts_read_header((const uint8_t *) VARDATA(v), VARSIZE(v) - VARHDRSZ, header),
					"stored timeseries value is invalid");
}

static void
skip_space(char **p)
{
	while (**p && isspace((unsigned char) **p))
		(*p)++;
}

static void
syntax_error(const char *input, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type timeseries: \"%s\"", input),
			 errdetail("%s", detail),
			 errhint("Write points as {\"2024-01-01 00:00:00+00\":1.5,\"2024-01-01 00:00:10+00\":null}.")));
}

Datum
timeseries_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	char	   *p = input;
	TsBuilder  *builder = ts_builder_create(TS_DUP_ERROR);
	TsPoints	points;

	skip_space(&p);
	if (*p != '{')
		syntax_error(input, "A timeseries starts with \"{\".");
	p++;
	skip_space(&p);
	if (*p == '}')
		p++;
	else
	{
		for (;;)
		{
			char	   *close;
			char	   *timetext;
			TimestampTz t;
			double		value = 0.0;
			bool		isnull = false;

			CHECK_FOR_INTERRUPTS();
			skip_space(&p);
			if (*p != '"')
				syntax_error(input, "Each point starts with a quoted time.");
			close = strchr(p + 1, '"');
			if (close == NULL)
			{
				syntax_error(input, "A quoted time is not closed.");
				break;			/* not reached */
			}
			timetext = pnstrdup(p + 1, close - (p + 1));
			t = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
														CStringGetDatum(timetext),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
			pfree(timetext);
			p = close + 1;
			skip_space(&p);
			if (*p != ':')
				syntax_error(input, "A time is followed by \":\" and its value.");
			p++;
			skip_space(&p);
			if (pg_strncasecmp(p, "null", 4) == 0)
			{
				isnull = true;
				p += 4;
			}
			else
			{
				char	   *end;

				value = float8in_internal(p, &end, "double precision", input);
				p = end;
			}
			ts_check_status(ts_builder_append(builder, t, value, isnull),
							"invalid timeseries point");
			skip_space(&p);
			if (*p == ',')
			{
				p++;
				continue;
			}
			if (*p == '}')
			{
				p++;
				break;
			}
			syntax_error(input, "Points are separated by \",\" and the list ends with \"}\".");
		}
	}
	skip_space(&p);
	if (*p != '\0')
		syntax_error(input, "Unexpected characters after \"}\".");

	ts_check_status(ts_builder_finish(builder, &points), "invalid timeseries");
	ts_builder_free(builder);
	PG_RETURN_DATUM(ts_points_to_datum(&points));
}

Datum
timeseries_out(PG_FUNCTION_ARGS)
{
	TsPoints	points;
	StringInfoData out;
	uint32		i;

	ts_datum_to_points(PG_GETARG_DATUM(0), &points);
	initStringInfo(&out);
	appendStringInfoChar(&out, '{');
	for (i = 0; i < points.count; i++)
	{
		char	   *timetext;

		if (i > 0)
			appendStringInfoChar(&out, ',');
		timetext = DatumGetCString(DirectFunctionCall1(timestamptz_out,
													   TimestampTzGetDatum(points.times[i])));
		appendStringInfo(&out, "\"%s\":", timetext);
		pfree(timetext);
		if (points.isnull[i])
			appendStringInfoString(&out, "null");
		else
		{
			char	   *num = float8out_internal(points.values[i]);

			appendStringInfoString(&out, num);
			pfree(num);
		}
	}
	appendStringInfoChar(&out, '}');
	PG_RETURN_CSTRING(out.data);
}

Datum
timeseries_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			len = buf->len - buf->cursor;
	const char *data = pq_getmsgbytes(buf, len);
	TsPoints	points;
	TsStatus	st;
	struct varlena *result;

	st = ts_decode((const uint8_t *) data, len, &points);
	if (st != TS_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary timeseries value: %s", ts_status_message(st))));
	ts_points_free(&points);
	result = (struct varlena *) palloc(len + VARHDRSZ);
	SET_VARSIZE(result, len + VARHDRSZ);
	memcpy(VARDATA(result), data, len);
	PG_RETURN_POINTER(result);
}

Datum
timeseries_send(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_VARLENA_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA(v), VARSIZE(v) - VARHDRSZ);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
timeseries_length(PG_FUNCTION_ARGS)
{
	TsHeader	h;

	ts_datum_header(PG_GETARG_DATUM(0), &h);
	PG_RETURN_INT32((int32) h.count);
}

Datum
timeseries_first_time(PG_FUNCTION_ARGS)
{
	TsHeader	h;

	ts_datum_header(PG_GETARG_DATUM(0), &h);
	if (h.count == 0)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(h.first_time);
}

Datum
timeseries_last_time(PG_FUNCTION_ARGS)
{
	TsHeader	h;

	ts_datum_header(PG_GETARG_DATUM(0), &h);
	if (h.count == 0)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(h.last_time);
}

/* value of the first (or last) point; NULL if the series is empty or that point is NULL */
static Datum
end_value(FunctionCallInfo fcinfo, bool last)
{
	TsPoints	points;
	uint32		i;

	ts_datum_to_points(PG_GETARG_DATUM(0), &points);
	if (points.count == 0)
		PG_RETURN_NULL();
	i = last ? points.count - 1 : 0;
	if (points.isnull[i])
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(points.values[i]);
}

Datum
timeseries_first_value(PG_FUNCTION_ARGS)
{
	return end_value(fcinfo, false);
}

Datum
timeseries_last_value(PG_FUNCTION_ARGS)
{
	return end_value(fcinfo, true);
}

Datum
timeseries_unnest(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TsPoints	points;
	uint32		i;

	InitMaterializedSRF(fcinfo, 0);
	ts_datum_to_points(PG_GETARG_DATUM(0), &points);
	for (i = 0; i < points.count; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = TimestampTzGetDatum(points.times[i]);
		values[1] = Float8GetDatum(points.values[i]);
		nulls[1] = points.isnull[i];
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	ts_points_free(&points);
	return (Datum) 0;
}

static TsFill
parse_fill(text *fill)
{
	char	   *s = text_to_cstring(fill);

	if (strcmp(s, "null") == 0)
		return TS_FILL_NULL;
	if (strcmp(s, "locf") == 0)
		return TS_FILL_LOCF;
	if (strcmp(s, "linear") == 0)
		return TS_FILL_LINEAR;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown fill method \"%s\"", s),
			 errhint("Use 'null', 'locf' or 'linear'.")));
	return TS_FILL_NULL;		/* keep the compiler quiet */
}

/*
 * resample(s, step, fill, start, finish): the series' values at the instants
 * start, start + step, ... up to finish.  start defaults to the first point's
 * time, finish to the last point's.  At most 10 million grid instants.
 */
#define RESAMPLE_MAX_POINTS 10000000

Datum
timeseries_resample(PG_FUNCTION_ARGS)
{
	TsPoints	points;
	TsPoints	out;
	int64		step;
	TsFill		fill;
	TimestampTz start;
	TimestampTz finish;
	TsStatus	st;

	step = time_interval_usecs(PG_GETARG_INTERVAL_P(1), "resample step");
	fill = parse_fill(PG_GETARG_TEXT_PP(2));
	ts_datum_to_points(PG_GETARG_DATUM(0), &points);
	if (points.count == 0 && (PG_ARGISNULL(3) || PG_ARGISNULL(4)))
		PG_RETURN_DATUM(ts_points_to_datum(&points));
	start = PG_ARGISNULL(3) ? points.times[0] : PG_GETARG_TIMESTAMPTZ(3);
	finish = PG_ARGISNULL(4) ? points.times[points.count - 1] : PG_GETARG_TIMESTAMPTZ(4);
	if (TIMESTAMP_NOT_FINITE(start) || TIMESTAMP_NOT_FINITE(finish))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("resample start and finish must be finite")));
	if (start > finish)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("resample start is after finish")));
	st = ts_resample(&points, start, finish, step, fill, RESAMPLE_MAX_POINTS, &out);
	if (st == TS_ERR_TOO_MANY_POINTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("resample grid would have more than %d points", RESAMPLE_MAX_POINTS),
				 errhint("Use a larger step or a shorter range.")));
	ts_check_status(st, "cannot resample");
	PG_RETURN_DATUM(ts_points_to_datum(&out));
}

/* timeseries(times timestamptz[], values float8[]): build a series from two arrays. */
Datum
timeseries_from_arrays(PG_FUNCTION_ARGS)
{
	ArrayType  *ta = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *va = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *tvals;
	bool	   *tnulls;
	Datum	   *vvals;
	bool	   *vnulls;
	int			nt;
	int			nv;
	int			i;
	TsBuilder  *builder;
	TsPoints	points;

	if (ARR_NDIM(ta) > 1 || ARR_NDIM(va) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("timeseries() takes one-dimensional arrays")));
	deconstruct_array(ta, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &tvals, &tnulls, &nt);
	deconstruct_array(va, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &vvals, &vnulls, &nv);
	if (nt != nv)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("timeseries() needs as many values as times"),
				 errdetail("%d times and %d values were given.", nt, nv)));
	builder = ts_builder_create(TS_DUP_ERROR);
	for (i = 0; i < nt; i++)
	{
		if (tnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("a timeseries point cannot have a NULL time"),
					 errdetail("Element %d of the times array is NULL.", i + 1)));
		ts_check_status(ts_builder_append(builder, DatumGetTimestampTz(tvals[i]),
										  vnulls[i] ? 0.0 : DatumGetFloat8(vvals[i]), vnulls[i]),
						"invalid timeseries point");
	}
	ts_check_status(ts_builder_finish(builder, &points), "invalid timeseries");
	ts_builder_free(builder);
	PG_RETURN_DATUM(ts_points_to_datum(&points));
}
