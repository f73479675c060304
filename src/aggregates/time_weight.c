/*
 * time_weight.c
 *		Time-weighted summary: build from sorted points, combine adjacent
 *		ranges, average and integral, binary form.
 *
 * The integral is accumulated segment by segment in time order, and
 * combine adds a's integral, the joining segment and b's integral in that
 * order, so combining in time order gives the same sum as a single build
 * up to the rounding of a different grouping of the same terms.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "aggregates/time_weight.h"
#include "storage/codec_buf.h"

#define KIND_TIME_WEIGHT	0x54	/* 'T' */

/* PostgreSQL's -infinity and infinity timestamps */
#define TIME_IS_INFINITE(t)	((t) == INT64_MIN || (t) == INT64_MAX)

const char *
time_weight_status_message(TimeWeightStatus status)
{
	switch (status)
	{
		case TIME_WEIGHT_OK:
			return "ok";
		case TIME_WEIGHT_ERR_EMPTY:
			return "time-weighted summary needs at least one point";
		case TIME_WEIGHT_ERR_METHOD:
			return "time-weighted summaries must use the same, known method";
		case TIME_WEIGHT_ERR_TIME:
			return "time-weighted point times must be finite and strictly increasing";
		case TIME_WEIGHT_ERR_VALUE:
			return "time-weighted point values must be finite numbers";
		case TIME_WEIGHT_ERR_OVERLAP:
			return "time-weighted summaries to combine overlap or are out of order";
		case TIME_WEIGHT_ERR_UNIT:
			return "integral unit must be a positive number of microseconds";
		case TIME_WEIGHT_ERR_OVERFLOW:
			return "time-weighted result is out of range";
		case TIME_WEIGHT_ERR_TRUNCATED:
			return "time-weighted summary has the wrong length";
		case TIME_WEIGHT_ERR_VERSION:
			return "unsupported time-weighted summary version";
		case TIME_WEIGHT_ERR_CORRUPT:
			return "time-weighted summary is corrupt";
	}
	return "unknown time-weighted summary error";
}

static inline bool
method_is_valid(int method)
{
	return method == TIME_WEIGHT_LINEAR || method == TIME_WEIGHT_LOCF;
}

/* b - a for a < b, exact even when the difference exceeds INT64_MAX */
static inline double
span_us(int64_t a, int64_t b)
{
	return (double) ((uint64_t) b - (uint64_t) a);
}

/* integral of one segment from (t0, v0) to (t1, v1), t0 < t1 */
static inline double
segment(TimeWeightMethod method, int64_t t0, double v0, int64_t t1, double v1)
{
	double		dt = span_us(t0, t1);

	if (method == TIME_WEIGHT_LOCF)
		return v0 * dt;
	/* halves first: v0 + v1 may overflow where the mean does not */
	return (0.5 * v0 + 0.5 * v1) * dt;
}

TimeWeightStatus
time_weight_build(TimeWeightMethod method, const int64_t *times, const double *values,
				  size_t n, TimeWeightSummary *out)
{
	size_t		i;
	double		sum = 0.0;

	memset(out, 0, sizeof(*out));
	if (!method_is_valid((int) method))
		return TIME_WEIGHT_ERR_METHOD;
	if (n == 0)
		return TIME_WEIGHT_ERR_EMPTY;
	for (i = 0; i < n; i++)
	{
		if (TIME_IS_INFINITE(times[i]) || (i > 0 && times[i] <= times[i - 1]))
			return TIME_WEIGHT_ERR_TIME;
		if (!isfinite(values[i]))
			return TIME_WEIGHT_ERR_VALUE;
		if (i > 0)
			sum += segment(method, times[i - 1], values[i - 1], times[i], values[i]);
	}
	if (!isfinite(sum))
		return TIME_WEIGHT_ERR_OVERFLOW;
	out->method = method;
	out->count = (uint64_t) n;
	out->first_time = times[0];
	out->first_value = values[0];
	out->last_time = times[n - 1];
	out->last_value = values[n - 1];
	out->weighted_sum = sum;
	return TIME_WEIGHT_OK;
}

TimeWeightStatus
time_weight_combine(const TimeWeightSummary *a, const TimeWeightSummary *b,
					TimeWeightSummary *out)
{
	TimeWeightSummary r;

	if (a->method != b->method || !method_is_valid((int) a->method))
		return TIME_WEIGHT_ERR_METHOD;
	if (a->last_time >= b->first_time)
		return TIME_WEIGHT_ERR_OVERLAP;
	if (a->count > UINT64_MAX - b->count)
		return TIME_WEIGHT_ERR_CORRUPT;
	memset(&r, 0, sizeof(r));	/* padding too: callers may compare bytes */
	r.method = a->method;
	r.count = a->count + b->count;
	r.first_time = a->first_time;
	r.first_value = a->first_value;
	r.last_time = b->last_time;
	r.last_value = b->last_value;
	r.weighted_sum = a->weighted_sum +
		segment(a->method, a->last_time, a->last_value, b->first_time, b->first_value) +
		b->weighted_sum;
	if (!isfinite(r.weighted_sum))
		return TIME_WEIGHT_ERR_OVERFLOW;
	*out = r;
	return TIME_WEIGHT_OK;
}

TimeWeightStatus
time_weight_average(const TimeWeightSummary *s, double *out)
{
	double		avg;

	if (s->count == 0)
		return TIME_WEIGHT_ERR_EMPTY;
	if (s->count == 1)
	{
		*out = s->first_value;
		return TIME_WEIGHT_OK;
	}
	avg = s->weighted_sum / span_us(s->first_time, s->last_time);
	if (!isfinite(avg))
		return TIME_WEIGHT_ERR_OVERFLOW;
	*out = avg;
	return TIME_WEIGHT_OK;
}

TimeWeightStatus
time_weight_integral(const TimeWeightSummary *s, int64_t unit_us, double *out)
{
	double		x;

	if (s->count == 0)
		return TIME_WEIGHT_ERR_EMPTY;
	if (unit_us <= 0)
		return TIME_WEIGHT_ERR_UNIT;
	x = unit_us == 1 ? s->weighted_sum : s->weighted_sum / (double) unit_us;
	if (!isfinite(x))
		return TIME_WEIGHT_ERR_OVERFLOW;
	*out = x;
	return TIME_WEIGHT_OK;
}

/*
 * layout (little-endian): version, kind 'T', method, zero byte, count u64,
 * first time i64, first value f64, last time i64, last value f64,
 * weighted_sum f64: 52 bytes
 */
void
time_weight_serialize(const TimeWeightSummary *s, uint8_t out[TIME_WEIGHT_SERIALIZED_SIZE])
{
	/* cppcheck-suppress ctuArrayIndex ; cppcheck loses the array size across files */
	out[0] = TIME_WEIGHT_FORMAT_VERSION;
	out[1] = KIND_TIME_WEIGHT;
	out[2] = (uint8_t) s->method;
	out[3] = 0;
	codec_store_u64(out + 4, s->count);
	codec_store_u64(out + 12, (uint64_t) s->first_time);
	codec_store_f64(out + 20, s->first_value);
	codec_store_u64(out + 28, (uint64_t) s->last_time);
	codec_store_f64(out + 36, s->last_value);
	codec_store_f64(out + 44, s->weighted_sum);
}

/*
 * Everything time_weight_build or time_weight_combine could have produced:
 * finite fields, count points fitting between first and last time at one
 * microsecond apart at least; a single point has no integral, and the
 * integral of two points is exactly their segment.
 */
static bool
summary_is_valid(const TimeWeightSummary *s)
{
	if (s->count == 0)
		return false;
	if (!isfinite(s->first_value) || !isfinite(s->last_value) || !isfinite(s->weighted_sum))
		return false;
	if (TIME_IS_INFINITE(s->first_time) || TIME_IS_INFINITE(s->last_time))
		return false;
	if (s->count == 1)
		return s->first_time == s->last_time && s->first_value == s->last_value &&
			s->weighted_sum == 0.0;
	if (s->first_time >= s->last_time)
		return false;
	if ((uint64_t) s->last_time - (uint64_t) s->first_time < s->count - 1)
		return false;
	if (s->count == 2)
		return s->weighted_sum == segment(s->method, s->first_time, s->first_value,
										  s->last_time, s->last_value);
	return true;
}

TimeWeightStatus
time_weight_deserialize(const uint8_t *buf, size_t len, TimeWeightSummary *s)
{
	memset(s, 0, sizeof(*s));
	if (len < 4)
		return TIME_WEIGHT_ERR_TRUNCATED;
	if (buf[0] != TIME_WEIGHT_FORMAT_VERSION || buf[1] != KIND_TIME_WEIGHT)
		return TIME_WEIGHT_ERR_VERSION;
	if (!method_is_valid(buf[2]) || buf[3] != 0)
		return TIME_WEIGHT_ERR_CORRUPT;
	if (len != TIME_WEIGHT_SERIALIZED_SIZE)
		return TIME_WEIGHT_ERR_TRUNCATED;

	s->method = (TimeWeightMethod) buf[2];
	s->count = codec_load_u64(buf + 4);
	s->first_time = (int64_t) codec_load_u64(buf + 12);
	s->first_value = codec_load_f64(buf + 20);
	s->last_time = (int64_t) codec_load_u64(buf + 28);
	s->last_value = codec_load_f64(buf + 36);
	s->weighted_sum = codec_load_f64(buf + 44);
	if (!summary_is_valid(s))
	{
		memset(s, 0, sizeof(*s));
		return TIME_WEIGHT_ERR_CORRUPT;
	}
	return TIME_WEIGHT_OK;
}
