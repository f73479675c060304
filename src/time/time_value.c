/*
 * time_value.c
 *		Conversions between a metric table's time type and the internal int64
 *		form used for chunk arithmetic, and the chunk range containing a value.
 *
 * Every function that takes a user-supplied width or cut-off ("any" in SQL)
 * funnels through here so that the rules (what an interval means for an
 * integer table, what a bare literal means) are stated once.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "time/time_value.h"

#ifndef HAVE_INT128
#error "datalayer needs a compiler with 128-bit integers"
#endif

/* chunks of timestamp types are aligned on a Monday, as time_bucket is */
#define CHUNK_ORIGIN_USECS	(INT64CONST(2) * USECS_PER_DAY)	/* 2000-01-03 */
#define CHUNK_ORIGIN_DAYS	2

bool
time_type_is_integer(Oid typid)
{
	return typid == INT2OID || typid == INT4OID || typid == INT8OID;
}

bool
time_type_is_supported(Oid typid)
{
	return typid == TIMESTAMPTZOID || typid == TIMESTAMPOID ||
		typid == DATEOID || time_type_is_integer(typid);
}

int64
time_value_to_internal(Datum value, Oid typid)
{
	switch (typid)
	{
		case TIMESTAMPTZOID:
			return DatumGetTimestampTz(value);
		case TIMESTAMPOID:
			return DatumGetTimestamp(value);
		case DATEOID:
			{
				DateADT		d = DatumGetDateADT(value);

				if (DATE_IS_NOBEGIN(d))
					return TIME_INTERNAL_MIN;
				if (DATE_IS_NOEND(d))
					return TIME_INTERNAL_MAX;
				return (int64) d;
			}
		case INT2OID:
			return DatumGetInt16(value);
		case INT4OID:
			return DatumGetInt32(value);
		case INT8OID:
			return DatumGetInt64(value);
	}
	elog(ERROR, "unsupported time type %u", typid);
	return 0;					/* keep compiler quiet */
}

/* the finite range of each type in internal units, both ends inclusive */
static void
time_type_finite_range(Oid typid, int64 *min, int64 *max)
{
	switch (typid)
	{
		case TIMESTAMPTZOID:
		case TIMESTAMPOID:
			*min = MIN_TIMESTAMP;
			*max = END_TIMESTAMP - 1;
			return;
		case DATEOID:
			*min = DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE;
			*max = DATE_END_JULIAN - POSTGRES_EPOCH_JDATE - 1;
			return;
		case INT2OID:
			*min = PG_INT16_MIN;
			*max = PG_INT16_MAX;
			return;
		case INT4OID:
			*min = PG_INT32_MIN;
			*max = PG_INT32_MAX;
			return;
		case INT8OID:
			*min = PG_INT64_MIN;
			*max = PG_INT64_MAX;
			return;
	}
	elog(ERROR, "unsupported time type %u", typid);
}

Datum
time_value_from_internal(int64 value, Oid typid)
{
	switch (typid)
	{
		case TIMESTAMPTZOID:
			return TimestampTzGetDatum(value);
		case TIMESTAMPOID:
			return TimestampGetDatum(value);
		case DATEOID:
			if (value == TIME_INTERNAL_MIN)
			{
				DateADT		d;

				DATE_NOBEGIN(d);
				return DateADTGetDatum(d);
			}
			if (value == TIME_INTERNAL_MAX)
			{
				DateADT		d;

				DATE_NOEND(d);
				return DateADTGetDatum(d);
			}
			return DateADTGetDatum((DateADT) value);
		case INT2OID:
			return Int16GetDatum((int16) Max(Min(value, PG_INT16_MAX), PG_INT16_MIN));
		case INT4OID:
			return Int32GetDatum((int32) Max(Min(value, PG_INT32_MAX), PG_INT32_MIN));
		case INT8OID:
			return Int64GetDatum(value);
	}
	elog(ERROR, "unsupported time type %u", typid);
	return (Datum) 0;
}

/*
 * An interval as a fixed, positive number of microseconds: months and years
 * have no fixed length, so they are refused.
 */
int64
time_interval_usecs(Interval *iv, const char *what)
{
	int64		usecs;

	if (iv->month != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a fixed length of time", what),
				 errdetail("The interval has a month or year component, whose length varies."),
				 errhint("Use days instead, for example interval '30 days'.")));
	if (pg_mul_s64_overflow((int64) iv->day, USECS_PER_DAY, &usecs) ||
		pg_add_s64_overflow(usecs, iv->time, &usecs))
		ereport(ERROR,
				(errcode(ERRCODE_INTERVAL_FIELD_OVERFLOW),
				 errmsg("%s is out of range", what)));
	if (usecs <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be greater than zero", what)));
	return usecs;
}

static int64
interval_to_width(Interval *iv, Oid time_type, const char *what)
{
	int64		usecs = time_interval_usecs(iv, what);

	if (time_type == DATEOID)
	{
		if (usecs % USECS_PER_DAY != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a whole number of days for a date column", what)));
		return usecs / USECS_PER_DAY;
	}
	return usecs;
}

/*
 * A chunk width as given by the user: an interval for timestamp and date
 * columns, an integer for integer columns, or an untyped literal read as
 * whichever of those the column needs.
 */
int64
time_width_to_internal(Datum width, Oid width_type, Oid time_type, const char *what)
{
	int64		result;

	if (width_type == UNKNOWNOID || width_type == TEXTOID)
	{
		char	   *str = (width_type == UNKNOWNOID) ? DatumGetCString(width)
			: TextDatumGetCString(width);

		if (time_type_is_integer(time_type))
			width = DirectFunctionCall1(int8in, CStringGetDatum(str));
		else
			width = DirectFunctionCall3(interval_in, CStringGetDatum(str),
										ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
		width_type = time_type_is_integer(time_type) ? INT8OID : INTERVALOID;
	}

	if (time_type_is_integer(time_type))
	{
		switch (width_type)
		{
			case INT2OID:
				result = DatumGetInt16(width);
				break;
			case INT4OID:
				result = DatumGetInt32(width);
				break;
			case INT8OID:
				result = DatumGetInt64(width);
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("%s must be an integer for a column of type %s",
								what, format_type_be(time_type)),
						 errdetail("The value given has type %s.", format_type_be(width_type))));
				result = 0;
		}
		if (result <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be greater than zero", what)));
		return result;
	}

	if (width_type != INTERVALOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must be an interval for a column of type %s",
						what, format_type_be(time_type)),
				 errdetail("The value given has type %s.", format_type_be(width_type))));
	return interval_to_width(DatumGetIntervalP(width), time_type, what);
}

/*
 * A cut-off such as drop_chunks' older_than: an interval counts back from now
 * (current_timestamp, LOCALTIMESTAMP or current_date depending on the
 * column's type); a time value is converted to the column's type; an integer
 * is taken as is for integer columns; a bare literal is read with the
 * column's own input function.
 */
int64
time_cutoff_to_internal(Datum value, Oid value_type, Oid time_type, const char *what)
{
	if (value_type == UNKNOWNOID || value_type == TEXTOID)
	{
		char	   *str = (value_type == UNKNOWNOID) ? DatumGetCString(value)
			: TextDatumGetCString(value);
		Oid			infunc;
		Oid			ioparam;

		getTypeInputInfo(time_type, &infunc, &ioparam);
		value = OidInputFunctionCall(infunc, str, ioparam, -1);
		value_type = time_type;
	}

	if (time_type_is_integer(time_type))
	{
		switch (value_type)
		{
			case INT2OID:
				return DatumGetInt16(value);
			case INT4OID:
				return DatumGetInt32(value);
			case INT8OID:
				return DatumGetInt64(value);
		}
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must be an integer for a column of type %s",
						what, format_type_be(time_type)),
				 errdetail("The value given has type %s.", format_type_be(value_type))));
	}

	if (value_type == INTERVALOID)
	{
		TimestampTz now = GetCurrentTransactionStartTimestamp();
		Datum		base;
		Datum		cut;

		switch (time_type)
		{
			case TIMESTAMPTZOID:
				cut = DirectFunctionCall2(timestamptz_mi_interval,
										  TimestampTzGetDatum(now), value);
				return DatumGetTimestampTz(cut);
			case TIMESTAMPOID:
				base = DirectFunctionCall1(timestamptz_timestamp, TimestampTzGetDatum(now));
				cut = DirectFunctionCall2(timestamp_mi_interval, base, value);
				return DatumGetTimestamp(cut);
			case DATEOID:
				base = DirectFunctionCall1(timestamptz_timestamp, TimestampTzGetDatum(now));
				cut = DirectFunctionCall2(timestamp_mi_interval, base, value);
				cut = DirectFunctionCall1(timestamp_date, cut);
				return time_value_to_internal(cut, DATEOID);
		}
	}

	switch (value_type)
	{
		case TIMESTAMPTZOID:
			if (time_type == TIMESTAMPOID)
				value = DirectFunctionCall1(timestamptz_timestamp, value);
			else if (time_type == DATEOID)
				value = DirectFunctionCall1(timestamptz_date, value);
			return time_value_to_internal(value, time_type);
		case TIMESTAMPOID:
			if (time_type == TIMESTAMPTZOID)
				value = DirectFunctionCall1(timestamp_timestamptz, value);
			else if (time_type == DATEOID)
				value = DirectFunctionCall1(timestamp_date, value);
			return time_value_to_internal(value, time_type);
		case DATEOID:
			if (time_type == TIMESTAMPTZOID)
				value = DirectFunctionCall1(date_timestamptz, value);
			else if (time_type == TIMESTAMPOID)
				value = DirectFunctionCall1(date_timestamp, value);
			return time_value_to_internal(value, time_type);
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("%s must be an interval or a %s value", what, format_type_be(time_type)),
			 errdetail("The value given has type %s.", format_type_be(value_type))));
	return 0;					/* keep compiler quiet */
}

/*
 * The chunk [start, end) that holds value.  Bounds past the finite range of
 * the type become MINVALUE/MAXVALUE sentinels, so infinities and extreme
 * values belong to the first or last chunk instead of failing.  The grid is
 * computed in 128 bits so that no width or value can overflow it.
 */
void
time_chunk_range(int64 value, int64 width, Oid time_type,
				 int64 *range_start, int64 *range_end)
{
	int64		origin = 0;
	int64		fmin;
	int64		fmax;
	int128		delta;
	int128		quotient;
	int128		start;
	int128		end;

	Assert(width > 0);
	if (time_type == TIMESTAMPTZOID || time_type == TIMESTAMPOID)
		origin = CHUNK_ORIGIN_USECS;
	else if (time_type == DATEOID)
		origin = CHUNK_ORIGIN_DAYS;
	time_type_finite_range(time_type, &fmin, &fmax);

	/* +-infinity (and anything past the finite range) joins the edge chunk */
	value = Max(Min(value, fmax), fmin);

	delta = (int128) value - origin;
	quotient = delta / width;
	if (delta % width < 0)
		quotient--;
	start = quotient * width + origin;
	end = start + width;

	*range_start = (start <= fmin) ? TIME_INTERNAL_MIN : (int64) start;
	*range_end = (end > fmax) ? TIME_INTERNAL_MAX : (int64) end;
}
