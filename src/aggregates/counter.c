/*
 * counter.c
 *		Counter summary: build from sorted samples, combine adjacent ranges,
 *		Prometheus-style increase/rate/irate/extrapolation, binary form.
 *
 * The increase is kept as last - first plus the sum of the values before
 * each reset, the way Prometheus's extrapolatedRate() computes it, so that
 * a large counter does not accumulate the rounding of many small deltas.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "aggregates/counter.h"
#include "storage/codec_buf.h"

#define KIND_COUNTER		0x43	/* 'C' */
#define USECS_PER_SEC		1000000.0

/* PostgreSQL's -infinity and infinity timestamps */
#define TIME_IS_INFINITE(t)	((t) == INT64_MIN || (t) == INT64_MAX)

const char *
counter_status_message(CounterStatus status)
{
	switch (status)
	{
		case COUNTER_OK:
			return "ok";
		case COUNTER_ERR_EMPTY:
			return "counter summary needs at least one sample";
		case COUNTER_ERR_TOO_FEW:
			return "counter result needs at least two samples";
		case COUNTER_ERR_TIME:
			return "counter sample times must be finite and strictly increasing";
		case COUNTER_ERR_VALUE:
			return "counter sample values must be finite numbers";
		case COUNTER_ERR_OVERLAP:
			return "counter summaries to combine overlap or are out of order";
		case COUNTER_ERR_RANGE:
			return "counter range must be non-empty and contain every sample";
		case COUNTER_ERR_OVERFLOW:
			return "counter result is out of range";
		case COUNTER_ERR_TRUNCATED:
			return "counter summary has the wrong length";
		case COUNTER_ERR_VERSION:
			return "unsupported counter summary version";
		case COUNTER_ERR_CORRUPT:
			return "counter summary is corrupt";
	}
	return "unknown counter error";
}

/* b - a for a <= b, exact even when the difference exceeds INT64_MAX */
static inline uint64_t
span(int64_t a, int64_t b)
{
	return (uint64_t) b - (uint64_t) a;
}

static inline double
span_seconds(int64_t a, int64_t b)
{
	return (double) span(a, b) / USECS_PER_SEC;
}

CounterStatus
counter_build(const int64_t *times, const double *values, size_t n, CounterSummary *out)
{
	size_t		i;
	uint64_t	resets = 0;
	double		reset_sum = 0.0;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return COUNTER_ERR_EMPTY;
	for (i = 0; i < n; i++)
	{
		if (TIME_IS_INFINITE(times[i]) || (i > 0 && times[i] <= times[i - 1]))
			return COUNTER_ERR_TIME;
		if (!isfinite(values[i]))
			return COUNTER_ERR_VALUE;
		if (i > 0 && values[i] < values[i - 1])
		{
			resets++;
			reset_sum += values[i - 1];
		}
	}
	if (!isfinite(reset_sum))
		return COUNTER_ERR_OVERFLOW;

	out->count = (uint64_t) n;
	out->resets = resets;
	out->reset_sum = reset_sum;
	out->first_time = times[0];
	out->first_value = values[0];
	out->second_time = times[n > 1 ? 1 : 0];
	out->second_value = values[n > 1 ? 1 : 0];
	out->penultimate_time = times[n > 1 ? n - 2 : 0];
	out->penultimate_value = values[n > 1 ? n - 2 : 0];
	out->last_time = times[n - 1];
	out->last_value = values[n - 1];
	return COUNTER_OK;
}

CounterStatus
counter_combine(const CounterSummary *a, const CounterSummary *b, CounterSummary *out)
{
	CounterSummary r;
	bool		reset;

	if (a->last_time >= b->first_time)
		return COUNTER_ERR_OVERLAP;
	if (a->count > UINT64_MAX - b->count)
		return COUNTER_ERR_CORRUPT;

	reset = b->first_value < a->last_value;
	r.count = a->count + b->count;
	r.resets = a->resets + b->resets + (reset ? 1 : 0);
	/* in sample order, so a chain of combines adds like counter_build */
	r.reset_sum = a->reset_sum + (reset ? a->last_value : 0.0) + b->reset_sum;
	if (!isfinite(r.reset_sum))
		return COUNTER_ERR_OVERFLOW;
	r.first_time = a->first_time;
	r.first_value = a->first_value;
	if (a->count >= 2)
	{
		r.second_time = a->second_time;
		r.second_value = a->second_value;
	}
	else
	{
		r.second_time = b->first_time;
		r.second_value = b->first_value;
	}
	if (b->count >= 2)
	{
		r.penultimate_time = b->penultimate_time;
		r.penultimate_value = b->penultimate_value;
	}
	else
	{
		r.penultimate_time = a->last_time;
		r.penultimate_value = a->last_value;
	}
	r.last_time = b->last_time;
	r.last_value = b->last_value;
	*out = r;
	return COUNTER_OK;
}

static CounterStatus
finite_result(double x, double *out)
{
	if (!isfinite(x))
		return COUNTER_ERR_OVERFLOW;
	*out = x;
	return COUNTER_OK;
}

CounterStatus
counter_delta(const CounterSummary *s, double *out)
{
	if (s->count < 2)
		return COUNTER_ERR_TOO_FEW;
	return finite_result((s->last_value - s->first_value) + s->reset_sum, out);
}

CounterStatus
counter_rate(const CounterSummary *s, double *out)
{
	double		delta;
	CounterStatus st = counter_delta(s, &delta);

	if (st != COUNTER_OK)
		return st;
	return finite_result(delta / span_seconds(s->first_time, s->last_time), out);
}

CounterStatus
counter_idelta(const CounterSummary *s, double *out)
{
	if (s->count < 2)
		return COUNTER_ERR_TOO_FEW;
	/* Prometheus instantValue(): after a reset the last value is the increase */
	if (s->last_value < s->penultimate_value)
		return finite_result(s->last_value, out);
	return finite_result(s->last_value - s->penultimate_value, out);
}

CounterStatus
counter_irate(const CounterSummary *s, double *out)
{
	double		idelta;
	CounterStatus st = counter_idelta(s, &idelta);

	if (st != COUNTER_OK)
		return st;
	return finite_result(idelta / span_seconds(s->penultimate_time, s->last_time), out);
}

/*
 * extrapolatedRate() of promql/functions.go for a float counter
 * (isCounter = true), without start timestamps.
 */
static CounterStatus
extrapolated(const CounterSummary *s, int64_t range_start, int64_t range_end,
			 bool is_rate, double *out)
{
	double		result;
	double		duration_to_start;
	double		duration_to_end;
	double		sampled_interval;
	double		average_interval;
	double		threshold;
	double		duration_to_zero;
	double		factor;
	CounterStatus st;

	if (s->count < 2)
		return COUNTER_ERR_TOO_FEW;
	if (range_start >= range_end || s->first_time < range_start || s->last_time > range_end)
		return COUNTER_ERR_RANGE;
	st = counter_delta(s, &result);
	if (st != COUNTER_OK)
		return st;

	duration_to_start = span_seconds(range_start, s->first_time);
	duration_to_end = span_seconds(s->last_time, range_end);
	sampled_interval = span_seconds(s->first_time, s->last_time);
	average_interval = sampled_interval / (double) (s->count - 1);
	threshold = average_interval * 1.1;

	/*
	 * Close enough to the range boundary (up to 10% more than the average
	 * interval): extrapolate all the way; otherwise by half an interval.
	 */
	if (duration_to_start >= threshold)
		duration_to_start = average_interval / 2;

	/* counters cannot be negative: never extrapolate past the zero point */
	duration_to_zero = duration_to_start;
	if (result > 0 && s->first_value >= 0)
		duration_to_zero = sampled_interval * (s->first_value / result);
	if (duration_to_zero < duration_to_start)
		duration_to_start = duration_to_zero;

	if (duration_to_end >= threshold)
		duration_to_end = average_interval / 2;

	factor = (sampled_interval + duration_to_start + duration_to_end) / sampled_interval;
	if (is_rate)
		factor /= span_seconds(range_start, range_end);
	return finite_result(result * factor, out);
}

CounterStatus
counter_extrapolated_increase(const CounterSummary *s, int64_t range_start, int64_t range_end,
							  double *out)
{
	return extrapolated(s, range_start, range_end, false, out);
}

CounterStatus
counter_extrapolated_rate(const CounterSummary *s, int64_t range_start, int64_t range_end,
						  double *out)
{
	return extrapolated(s, range_start, range_end, true, out);
}

/*
 * layout (little-endian): version, kind 'C', 2 zero bytes, count u64,
 * resets u64, then (time i64, value f64) for first, second, penultimate
 * and last, then reset_sum f64: 92 bytes
 */
void
counter_serialize(const CounterSummary *s, uint8_t out[COUNTER_SERIALIZED_SIZE])
{
	/* cppcheck-suppress ctuArrayIndex ; cppcheck loses the array size across files */
	out[0] = COUNTER_FORMAT_VERSION;
	out[1] = KIND_COUNTER;
	out[2] = 0;
	out[3] = 0;
	codec_store_u64(out + 4, s->count);
	codec_store_u64(out + 12, s->resets);
	codec_store_u64(out + 20, (uint64_t) s->first_time);
	codec_store_f64(out + 28, s->first_value);
	codec_store_u64(out + 36, (uint64_t) s->second_time);
	codec_store_f64(out + 44, s->second_value);
	codec_store_u64(out + 52, (uint64_t) s->penultimate_time);
	codec_store_f64(out + 60, s->penultimate_value);
	codec_store_u64(out + 68, (uint64_t) s->last_time);
	codec_store_f64(out + 76, s->last_value);
	codec_store_f64(out + 84, s->reset_sum);
}

static bool
same_summary(const CounterSummary *a, const CounterSummary *b)
{
	return a->count == b->count && a->resets == b->resets &&
		a->first_time == b->first_time && a->first_value == b->first_value &&
		a->second_time == b->second_time && a->second_value == b->second_value &&
		a->penultimate_time == b->penultimate_time &&
		a->penultimate_value == b->penultimate_value &&
		a->last_time == b->last_time && a->last_value == b->last_value &&
		a->reset_sum == b->reset_sum;
}

/*
 * Everything counter_build or counter_combine could have produced, and
 * nothing else: finite fields, times far enough apart for the number of
 * samples, reset counts possible for the sample count; a summary of up to
 * three samples holds every sample and must equal its rebuild, one of four
 * must at least have the reset count its samples imply.
 */
static bool
summary_is_valid(const CounterSummary *s)
{
	int64_t		times[4];
	double		values[4];
	CounterSummary rebuilt;
	size_t		n;

	if (s->count == 0 || s->resets > s->count - 1)
		return false;
	if (!isfinite(s->first_value) || !isfinite(s->second_value) ||
		!isfinite(s->penultimate_value) || !isfinite(s->last_value) ||
		!isfinite(s->reset_sum))
		return false;
	if (s->resets == 0 && s->reset_sum != 0.0)
		return false;
	if (TIME_IS_INFINITE(s->first_time) || TIME_IS_INFINITE(s->last_time))
		return false;

	if (s->count == 1)
		return s->second_time == s->first_time && s->second_value == s->first_value &&
			s->penultimate_time == s->first_time &&
			s->penultimate_value == s->first_value &&
			s->last_time == s->first_time && s->last_value == s->first_value;
	if (s->count == 2)
		return s->second_time == s->last_time && s->second_value == s->last_value &&
			s->penultimate_time == s->first_time &&
			s->penultimate_value == s->first_value &&
			s->first_time < s->last_time &&
			s->reset_sum == (s->last_value < s->first_value ? s->first_value : 0.0) &&
			s->resets == (s->last_value < s->first_value ? 1u : 0u);

	/* count >= 3: first < second <= penultimate < last, with room between */
	if (!(s->first_time < s->second_time && s->second_time <= s->penultimate_time &&
		  s->penultimate_time < s->last_time))
		return false;
	if (span(s->second_time, s->penultimate_time) < s->count - 3)
		return false;
	if (s->count == 3 && (s->second_time != s->penultimate_time ||
						  s->second_value != s->penultimate_value))
		return false;
	if (s->count > 4)
	{
		/* the first and last step are known: a reset in each is counted */
		uint64_t	known = (s->second_value < s->first_value ? 1 : 0) +
		(s->last_value < s->penultimate_value ? 1 : 0);

		return s->resets >= known && s->resets - known <= s->count - 3;
	}

	/* three or four samples: all of them are here */
	times[0] = s->first_time;
	values[0] = s->first_value;
	times[1] = s->second_time;
	values[1] = s->second_value;
	n = 2;
	if (s->count == 4)
	{
		times[n] = s->penultimate_time;
		values[n] = s->penultimate_value;
		n++;
	}
	times[n] = s->last_time;
	values[n] = s->last_value;
	n++;
	if (counter_build(times, values, n, &rebuilt) != COUNTER_OK)
		return false;
	if (s->count == 4)
	{
		/* the reset sum's rounding depends on how it was combined */
		return rebuilt.resets == s->resets && (s->resets > 0 || s->reset_sum == 0.0);
	}
	return same_summary(&rebuilt, s);
}

CounterStatus
counter_deserialize(const uint8_t *buf, size_t len, CounterSummary *s)
{
	memset(s, 0, sizeof(*s));
	if (len < 4)
		return COUNTER_ERR_TRUNCATED;
	if (buf[0] != COUNTER_FORMAT_VERSION || buf[1] != KIND_COUNTER)
		return COUNTER_ERR_VERSION;
	if (buf[2] != 0 || buf[3] != 0)
		return COUNTER_ERR_CORRUPT;
	if (len != COUNTER_SERIALIZED_SIZE)
		return COUNTER_ERR_TRUNCATED;

	s->count = codec_load_u64(buf + 4);
	s->resets = codec_load_u64(buf + 12);
	s->first_time = (int64_t) codec_load_u64(buf + 20);
	s->first_value = codec_load_f64(buf + 28);
	s->second_time = (int64_t) codec_load_u64(buf + 36);
	s->second_value = codec_load_f64(buf + 44);
	s->penultimate_time = (int64_t) codec_load_u64(buf + 52);
	s->penultimate_value = codec_load_f64(buf + 60);
	s->last_time = (int64_t) codec_load_u64(buf + 68);
	s->last_value = codec_load_f64(buf + 76);
	s->reset_sum = codec_load_f64(buf + 84);
	if (!summary_is_valid(s))
	{
		memset(s, 0, sizeof(*s));
		return COUNTER_ERR_CORRUPT;
	}
	return COUNTER_OK;
}
