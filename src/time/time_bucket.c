/*
 * time_bucket.c
 *		datalayer.time_bucket(): the start of the bucket a time value falls in.
 *
 * Fixed widths (microseconds to weeks, or any integer width for integer
 * times) are floor divisions on a grid anchored at an origin; calendar widths
 * (months, years) count whole months from the origin.  Without an explicit
 * origin the grid starts on Monday 2000-01-03 for fixed widths, so weekly
 * buckets start on Mondays, and on 2000-01-01 for calendar widths.
 *
 * timestamptz values are bucketed in UTC unless a time zone is given; with a
 * zone, buckets are computed on local wall-clock time and converted back, so
 * a '1 day' bucket starts at local midnight on both sides of a daylight-saving
 * change (and lasts 23 or 25 hours on the change day).  Every variant depends
 * only on its arguments, hence IMMUTABLE and usable in indexes and rollups.
 */
#include "postgres.h"

#include "common/int.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"

#define DEFAULT_ORIGIN_FIXED	(INT64CONST(2) * USECS_PER_DAY)	/* 2000-01-03, a Monday */
#define DEFAULT_ORIGIN_MONTHS	INT64CONST(0)	/* 2000-01-01 */

PG_FUNCTION_INFO_V1(time_bucket_timestamp);
PG_FUNCTION_INFO_V1(time_bucket_timestamp_origin);
PG_FUNCTION_INFO_V1(time_bucket_timestamp_offset);
PG_FUNCTION_INFO_V1(time_bucket_timestamptz);
PG_FUNCTION_INFO_V1(time_bucket_timestamptz_origin);
PG_FUNCTION_INFO_V1(time_bucket_timestamptz_offset);
PG_FUNCTION_INFO_V1(time_bucket_timestamptz_timezone);
PG_FUNCTION_INFO_V1(time_bucket_date);
PG_FUNCTION_INFO_V1(time_bucket_date_origin);
PG_FUNCTION_INFO_V1(time_bucket_date_offset);
PG_FUNCTION_INFO_V1(time_bucket_int2);
PG_FUNCTION_INFO_V1(time_bucket_int4);
PG_FUNCTION_INFO_V1(time_bucket_int8);
PG_FUNCTION_INFO_V1(time_bucket_int2_offset);
PG_FUNCTION_INFO_V1(time_bucket_int4_offset);
PG_FUNCTION_INFO_V1(time_bucket_int8_offset);

/* A bucket width: either a number of months or a fixed number of microseconds. */
typedef struct BucketWidth
{
	int32		months;
	int64		usecs;
} BucketWidth;

static BucketWidth
bucket_width_from_interval(const Interval *width)
{
	BucketWidth result = {0, 0};

	if (width->month != 0 && (width->day != 0 || width->time != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bucket width cannot combine months with days or time"),
				 errdetail("A month has no fixed length, so \"%d months %d days\" has none either.",
						   width->month, width->day),
				 errhint("Use a width in months or years only, or in days and smaller units only.")));
	if (width->month != 0)
	{
		if (width->month < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("bucket width must be greater than zero")));
		result.months = width->month;
		return result;
	}
	if (pg_mul_s64_overflow((int64) width->day, USECS_PER_DAY, &result.usecs) ||
		pg_add_s64_overflow(result.usecs, width->time, &result.usecs))
		ereport(ERROR,
				(errcode(ERRCODE_INTERVAL_FIELD_OVERFLOW),
				 errmsg("bucket width is out of range")));
	if (result.usecs <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bucket width must be greater than zero")));
	return result;
}

static Timestamp
add_months(Timestamp ts, int64 months)
{
	Interval	span;

	if (months > PG_INT32_MAX || months < PG_INT32_MIN)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	span.month = (int32) months;
	span.day = 0;
	span.time = 0;
	return DatumGetTimestamp(DirectFunctionCall2(timestamp_pl_interval,
												 TimestampGetDatum(ts),
												 IntervalPGetDatum(&span)));
}

/*
 * The bucket start for a finite timestamp, treating the int64 as wall-clock
 * time (for timestamptz callers: UTC wall-clock time).
 */
static Timestamp
bucket_timestamp(BucketWidth width, Timestamp ts, Timestamp origin)
{
	if (TIMESTAMP_NOT_FINITE(ts))
		return ts;

	if (width.months > 0)
	{
		struct pg_tm tm;
		struct pg_tm otm;
		fsec_t		fsec;
		int64		months;
		int64		bucket;

		if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0 ||
			timestamp2tm(origin, NULL, &otm, &fsec, NULL, NULL) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("timestamp out of range")));
		months = ((int64) tm.tm_year * 12 + tm.tm_mon) - ((int64) otm.tm_year * 12 + otm.tm_mon);
		/* an origin late in its month: ts may not have reached this month's start yet */
		if (add_months(origin, months) > ts)
			months--;
		bucket = months / width.months;
		if (months % width.months < 0)
			bucket--;
		return add_months(origin, bucket * width.months);
	}
	else
	{
		int128		delta = (int128) ts - origin;
		int128		quotient = delta / width.usecs;
		int128		start;

		if (delta % width.usecs < 0)
			quotient--;
		start = quotient * width.usecs + origin;
		if (start < MIN_TIMESTAMP || start >= END_TIMESTAMP)
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("timestamp out of range"),
					 errdetail("The start of the bucket lies outside the range of timestamps.")));
		return (Timestamp) start;
	}
}

static Timestamp
default_origin(BucketWidth width)
{
	return width.months > 0 ? DEFAULT_ORIGIN_MONTHS : DEFAULT_ORIGIN_FIXED;
}

static Timestamp
origin_plus_offset(Timestamp origin, const Interval *offset)
{
	if (offset == NULL)
		return origin;
	return DatumGetTimestamp(DirectFunctionCall2(timestamp_pl_interval,
												 TimestampGetDatum(origin),
												 IntervalPGetDatum(offset)));
}

static void
check_origin_finite(Timestamp origin)
{
	if (TIMESTAMP_NOT_FINITE(origin))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bucket origin must be finite")));
}

/* ---- timestamp ---- */

Datum
time_bucket_timestamp(PG_FUNCTION_ARGS)
{
	BucketWidth width = bucket_width_from_interval(PG_GETARG_INTERVAL_P(0));

	PG_RETURN_TIMESTAMP(bucket_timestamp(width, PG_GETARG_TIMESTAMP(1), default_origin(width)));
}

Datum
time_bucket_timestamp_origin(PG_FUNCTION_ARGS)
{
	BucketWidth width = bucket_width_from_interval(PG_GETARG_INTERVAL_P(0));
	Timestamp	origin = PG_GETARG_TIMESTAMP(2);

	check_origin_finite(origin);
	PG_RETURN_TIMESTAMP(bucket_timestamp(width, PG_GETARG_TIMESTAMP(1), origin));
}

Datum
time_bucket_timestamp_offset(PG_FUNCTION_ARGS)
{
	BucketWidth width = bucket_width_from_interval(PG_GETARG_INTERVAL_P(0));
	Timestamp	origin = origin_plus_offset(default_origin(width), PG_GETARG_INTERVAL_P(2));

	PG_RETURN_TIMESTAMP(bucket_timestamp(width, PG_GETARG_TIMESTAMP(1), origin));
}

/* ---- timestamptz, in UTC ---- */

Datum
time_bucket_timestamptz(PG_FUNCTION_ARGS)
{
	BucketWidth width = bucket_width_from_interval(PG_GETARG_INTERVAL_P(0));

	PG_RETURN_TIMESTAMPTZ(bucket_timestamp(width, PG_GETARG_TIMESTAMPTZ(1), default_origin(width)));
}

Datum
time_bucket_timestamptz_origin(PG_FUNCTION_ARGS)
{
	BucketWidth width = bucket_width_from_interval(PG_GETARG_INTERVAL_P(0));
	TimestampTz origin = PG_GETARG_TIMESTAMPTZ(2);

	check_origin_finite(origin);
	PG_RETURN_TIMESTAMPTZ(bucket_timestamp(width, PG_GETARG_TIMESTAMPTZ(1), origin));
}

Datum
time_bucket_timestamptz_offset(PG_FUNCTION_ARGS)
{
	BucketWidth width = bucket_width_from_interval(PG_GETARG_INTERVAL_P(0));
	Timestamp	origin = origin_plus_offset(default_origin(width), PG_GETARG_INTERVAL_P(2));

	PG_RETURN_TIMESTAMPTZ(bucket_timestamp(width, PG_GETARG_TIMESTAMPTZ(1), origin));
}

/*
 * time_bucket(width, ts timestamptz, timezone text, origin timestamptz
 * DEFAULT NULL, "offset" interval DEFAULT NULL): buckets on local time.
 */
Datum
time_bucket_timestamptz_timezone(PG_FUNCTION_ARGS)
{
	BucketWidth width;
	TimestampTz ts;
	Datum		zone;
	Timestamp	local;
	Timestamp	origin;
	Timestamp	bucket;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	width = bucket_width_from_interval(PG_GETARG_INTERVAL_P(0));
	ts = PG_GETARG_TIMESTAMPTZ(1);
	zone = PG_GETARG_DATUM(2);
	if (TIMESTAMP_NOT_FINITE(ts))
		PG_RETURN_TIMESTAMPTZ(ts);

	/* an unknown zone name errors here, before anything else is computed */
	local = DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone, zone,
												  TimestampTzGetDatum(ts)));
	if (PG_ARGISNULL(3))
		origin = default_origin(width);
	else
	{
		TimestampTz origin_tz = PG_GETARG_TIMESTAMPTZ(3);

		check_origin_finite(origin_tz);
		origin = DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone, zone,
													   TimestampTzGetDatum(origin_tz)));
	}
	if (!PG_ARGISNULL(4))
		origin = origin_plus_offset(origin, PG_GETARG_INTERVAL_P(4));

	bucket = bucket_timestamp(width, local, origin);
	PG_RETURN_DATUM(DirectFunctionCall2(timestamp_zone, zone, TimestampGetDatum(bucket)));
}

/* ---- date ---- */

static DateADT
bucket_date(BucketWidth width, DateADT date, Timestamp origin)
{
	Timestamp	bucket;

	if (DATE_NOT_FINITE(date))
		return date;
	if (width.months == 0 && width.usecs % USECS_PER_DAY != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bucket width must be a whole number of days for a date"),
				 errhint("Bucket the date as a timestamp instead: time_bucket(width, d::timestamp).")));
	bucket = bucket_timestamp(width, (Timestamp) date * USECS_PER_DAY, origin);
	return DatumGetDateADT(DirectFunctionCall1(timestamp_date, TimestampGetDatum(bucket)));
}

Datum
time_bucket_date(PG_FUNCTION_ARGS)
{
	BucketWidth width = bucket_width_from_interval(PG_GETARG_INTERVAL_P(0));

	PG_RETURN_DATEADT(bucket_date(width, PG_GETARG_DATEADT(1), default_origin(width)));
}

Datum
time_bucket_date_origin(PG_FUNCTION_ARGS)
{
	BucketWidth width = bucket_width_from_interval(PG_GETARG_INTERVAL_P(0));
	DateADT		origin = PG_GETARG_DATEADT(2);

	if (DATE_NOT_FINITE(origin))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bucket origin must be finite")));
	PG_RETURN_DATEADT(bucket_date(width, PG_GETARG_DATEADT(1), (Timestamp) origin * USECS_PER_DAY));
}

Datum
time_bucket_date_offset(PG_FUNCTION_ARGS)
{
	BucketWidth width = bucket_width_from_interval(PG_GETARG_INTERVAL_P(0));
	Timestamp	origin = origin_plus_offset(default_origin(width), PG_GETARG_INTERVAL_P(2));

	PG_RETURN_DATEADT(bucket_date(width, PG_GETARG_DATEADT(1), origin));
}

/* ---- integers ---- */

static int64
bucket_integer(int64 width, int64 value, int64 offset, int64 min, int64 max)
{
	int128		delta;
	int128		quotient;
	int128		start;

	if (width <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bucket width must be greater than zero")));
	delta = (int128) value - offset;
	quotient = delta / width;
	if (delta % width < 0)
		quotient--;
	start = quotient * width + offset;
	if (start < min || start > max)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("bucket start is out of range for its type"),
				 errdetail("The bucket of %lld with width %lld starts at a value the type cannot hold.",
						   (long long) value, (long long) width)));
	return (int64) start;
}

Datum
time_bucket_int2(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT16((int16) bucket_integer(PG_GETARG_INT16(0), PG_GETARG_INT16(1), 0,
										   PG_INT16_MIN, PG_INT16_MAX));
}

Datum
time_bucket_int4(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32((int32) bucket_integer(PG_GETARG_INT32(0), PG_GETARG_INT32(1), 0,
										   PG_INT32_MIN, PG_INT32_MAX));
}

Datum
time_bucket_int8(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(bucket_integer(PG_GETARG_INT64(0), PG_GETARG_INT64(1), 0,
								   PG_INT64_MIN, PG_INT64_MAX));
}

Datum
time_bucket_int2_offset(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT16((int16) bucket_integer(PG_GETARG_INT16(0), PG_GETARG_INT16(1),
										   PG_GETARG_INT16(2), PG_INT16_MIN, PG_INT16_MAX));
}

Datum
time_bucket_int4_offset(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32((int32) bucket_integer(PG_GETARG_INT32(0), PG_GETARG_INT32(1),
										   PG_GETARG_INT32(2), PG_INT32_MIN, PG_INT32_MAX));
}

Datum
time_bucket_int8_offset(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(bucket_integer(PG_GETARG_INT64(0), PG_GETARG_INT64(1),
								   PG_GETARG_INT64(2), PG_INT64_MIN, PG_INT64_MAX));
}
