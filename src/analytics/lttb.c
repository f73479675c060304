/*
 * lttb.c
 *		Largest-Triangle-Three-Buckets downsampling.
 *
 * Follows Steinarsson's reference implementation (the JavaScript one in
 * his thesis repository): bucket i (0-based, of threshold - 2) covers
 * points [floor(i * every) + 1, floor((i + 1) * every) + 1) with
 * every = (n - 2) / (threshold - 2); the third triangle vertex is the
 * mean of the next bucket, which for the last bucket is the last point.
 * Here the floors are computed in integer arithmetic.  Times enter the
 * triangle area relative to the first point's time, so microsecond
 * timestamps keep their precision as doubles.
 */
#include "util/portable.h"

#include <math.h>

#include "analytics/lttb.h"

const char *
lttb_status_message(LttbStatus status)
{
	switch (status)
	{
		case LTTB_OK:
			return "ok";
		case LTTB_ERR_THRESHOLD:
			return "LTTB threshold must be at least 3";
		case LTTB_ERR_TIME:
			return "LTTB point times must be strictly increasing";
		case LTTB_ERR_VALUE:
			return "LTTB point values must be finite numbers";
	}
	return "unknown LTTB error";
}

size_t
lttb_output_size(size_t n, size_t threshold)
{
	return threshold < n ? threshold : n;
}

/*
 * floor(i * total / parts) without overflowing for any i <= parts, total
 * below SIZE_MAX: i * total / parts = i * q + i * r / parts with
 * total = q * parts + r, and i * r < parts * parts.
 */
static inline size_t
bucket_edge(size_t i, size_t total, size_t parts)
{
	size_t		q = total / parts;
	size_t		r = total % parts;

	return i * q + (i * r) / parts + 1;
}

static inline double
rel_time(int64_t t, int64_t t0)
{
	/* t >= t0 and the difference fits in 64 unsigned bits */
	return (double) ((uint64_t) t - (uint64_t) t0);
}

static LttbStatus
lttb_run(const int64_t *times, const double *values, size_t n, size_t threshold,
		 size_t *indices, int64_t *out_times, double *out_values, size_t *out_count)
{
	size_t		i;
	size_t		out = 0;
	size_t		a = 0;
	size_t		buckets;
	size_t		inner;

	*out_count = 0;
	if (threshold < 3)
		return LTTB_ERR_THRESHOLD;
	for (i = 0; i < n; i++)
	{
		if (i > 0 && times[i] <= times[i - 1])
			return LTTB_ERR_TIME;
		if (!isfinite(values[i]))
			return LTTB_ERR_VALUE;
	}

#define EMIT(k) \
	do { \
		if (indices) \
			indices[out] = (k); \
		if (out_times) \
			out_times[out] = times[k]; \
		if (out_values) \
			out_values[out] = values[k]; \
		out++; \
	} while (0)

	if (threshold >= n)
	{
		for (i = 0; i < n; i++)
			EMIT(i);
		*out_count = n;
		return LTTB_OK;
	}

	buckets = threshold - 2;
	inner = n - 2;
	EMIT(0);
	for (i = 0; i < buckets; i++)
	{
		size_t		from = bucket_edge(i, inner, buckets);
		size_t		to = bucket_edge(i + 1, inner, buckets);
		size_t		next_from = to;
		size_t		next_to = i + 2 <= buckets ? bucket_edge(i + 2, inner, buckets) : n;
		double		avg_x = 0.0;
		double		avg_y = 0.0;
		double		ax;
		double		ay;
		double		max_area = -1.0;
		size_t		chosen = from;
		size_t		k;

		if (next_to > n)
			next_to = n;
		for (k = next_from; k < next_to; k++)
		{
			avg_x += rel_time(times[k], times[0]);
			avg_y += values[k];
		}
		avg_x /= (double) (next_to - next_from);
		avg_y /= (double) (next_to - next_from);

		ax = rel_time(times[a], times[0]);
		ay = values[a];
		for (k = from; k < to; k++)
		{
			double		area = fabs((ax - avg_x) * (values[k] - ay) -
									(ax - rel_time(times[k], times[0])) * (avg_y - ay)) * 0.5;

			/* strictly larger: the earliest point wins a tie */
			if (area > max_area)
			{
				max_area = area;
				chosen = k;
			}
		}
		EMIT(chosen);
		a = chosen;
	}
	EMIT(n - 1);
#undef EMIT

	*out_count = out;
	return LTTB_OK;
}

LttbStatus
lttb_select(const int64_t *times, const double *values, size_t n, size_t threshold,
			size_t *indices, size_t *out_count)
{
	return lttb_run(times, values, n, threshold, indices, NULL, NULL, out_count);
}

LttbStatus
lttb_downsample(const int64_t *times, const double *values, size_t n, size_t threshold,
				int64_t *out_times, double *out_values, size_t *out_count)
{
	return lttb_run(times, values, n, threshold, NULL, out_times, out_values, out_count);
}
