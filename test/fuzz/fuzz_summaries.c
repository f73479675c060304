/* fuzz-deps: src/aggregates/counter.c src/aggregates/time_weight.c src/analytics/lttb.c */
/*
 * fuzz_summaries.c
 *		libFuzzer harness for the counter and time-weighted summaries (and
 *		LTTB on the same decoded points).
 *
 * Build and run: test/fuzz/run.sh [seconds]   (clang -fsanitize=fuzzer,address,undefined)
 * The first byte picks how the rest is used:
 *	0	one or two serialized counter summaries (92 bytes each, or any
 *		other length, which must be refused);
 *	1	one or two serialized time-weighted summaries (52 bytes each);
 *	2	points: 16 bytes each (a time step and a double), built into a
 *		counter and both time-weighted summaries whole and in two parts,
 *		and downsampled with LTTB.
 * Checks: no crash, leak, out-of-bounds access or undefined behaviour on
 * any input; whatever deserializes re-serializes to the same bytes; every
 * result reported as OK is finite; combining a summary with itself is
 * refused; combining two valid summaries gives one that deserializes
 * again; combined parts equal the whole in everything but rounding.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "aggregates/counter.h"
#include "aggregates/time_weight.h"
#include "analytics/lttb.h"

#define FUZZ_MAX_POINTS 4096

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t
load_u64(const uint8_t *p)
{
	uint64_t	v = 0;
	int			i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void
must_be_finite(double x)
{
	if (!isfinite(x))
		__builtin_trap();
}

static void
exercise_counter(const CounterSummary *s, const uint8_t *extra, size_t extra_len)
{
	double		x;
	CounterSummary self;
	uint64_t	before = 0,
				after = 0;

	if (counter_delta(s, &x) == COUNTER_OK)
		must_be_finite(x);
	if (counter_rate(s, &x) == COUNTER_OK)
		must_be_finite(x);
	if (counter_idelta(s, &x) == COUNTER_OK)
		must_be_finite(x);
	if (counter_irate(s, &x) == COUNTER_OK)
		must_be_finite(x);
	if ((s->count < 2) != (counter_delta(s, &x) == COUNTER_ERR_TOO_FEW))
		__builtin_trap();

	/* a range around the samples, from the spare bytes */
	if (extra_len >= 16)
	{
		before = load_u64(extra) >> 20;
		after = load_u64(extra + 8) >> 20;
	}
	/* the range stays within int64 */
	if ((uint64_t) s->first_time - (uint64_t) INT64_MIN >= before &&
		(uint64_t) INT64_MAX - (uint64_t) s->last_time >= after)
	{
		int64_t		start = (int64_t) ((uint64_t) s->first_time - before);
		int64_t		end = (int64_t) ((uint64_t) s->last_time + after);
		CounterStatus st = counter_extrapolated_increase(s, start, end, &x);

		if (st == COUNTER_OK)
			must_be_finite(x);
		else if (s->count >= 2 && st != COUNTER_ERR_OVERFLOW &&
				 !(st == COUNTER_ERR_RANGE && start == end))
			__builtin_trap();
		if (counter_extrapolated_rate(s, start, end, &x) == COUNTER_OK)
			must_be_finite(x);
	}

	if (counter_combine(s, s, &self) != COUNTER_ERR_OVERLAP)
		__builtin_trap();
}

static void
exercise_time_weight(const TimeWeightSummary *s)
{
	double		x;
	TimeWeightSummary self;

	if (time_weight_average(s, &x) == TIME_WEIGHT_OK)
		must_be_finite(x);
	if (time_weight_integral(s, 1, &x) != TIME_WEIGHT_OK)
		__builtin_trap();
	must_be_finite(x);
	if (time_weight_integral(s, 3600000000LL, &x) != TIME_WEIGHT_OK)
		__builtin_trap();
	must_be_finite(x);
	if (time_weight_combine(s, s, &self) != TIME_WEIGHT_ERR_OVERLAP)
		__builtin_trap();
}

static void
counter_bytes(const uint8_t *data, size_t size)
{
	CounterSummary a,
				b,
				c,
				back;
	uint8_t		buf[COUNTER_SERIALIZED_SIZE];

	if (counter_deserialize(data, size < COUNTER_SERIALIZED_SIZE ? size : COUNTER_SERIALIZED_SIZE, &a) != COUNTER_OK)
	{
		/* a refused buffer leaves a zeroed summary */
		if (a.count != 0)
			__builtin_trap();
		return;
	}
	counter_serialize(&a, buf);
	if (memcmp(buf, data, COUNTER_SERIALIZED_SIZE) != 0)
		__builtin_trap();
	exercise_counter(&a, data + COUNTER_SERIALIZED_SIZE, size - COUNTER_SERIALIZED_SIZE);
	if (size > COUNTER_SERIALIZED_SIZE &&
		counter_deserialize(data, size, &back) != COUNTER_ERR_TRUNCATED)
		__builtin_trap();

	if (size >= 2 * COUNTER_SERIALIZED_SIZE &&
		counter_deserialize(data + COUNTER_SERIALIZED_SIZE, COUNTER_SERIALIZED_SIZE, &b) == COUNTER_OK &&
		counter_combine(&a, &b, &c) == COUNTER_OK)
	{
		/* the combination of two valid summaries is itself valid */
		counter_serialize(&c, buf);
		if (counter_deserialize(buf, sizeof(buf), &back) != COUNTER_OK ||
			memcmp(&back, &c, sizeof(c)) != 0)
			__builtin_trap();
		exercise_counter(&c, NULL, 0);
	}
}

static void
time_weight_bytes(const uint8_t *data, size_t size)
{
	TimeWeightSummary a,
				b,
				c,
				back;
	uint8_t		buf[TIME_WEIGHT_SERIALIZED_SIZE];

	if (time_weight_deserialize(data, size < TIME_WEIGHT_SERIALIZED_SIZE ? size : TIME_WEIGHT_SERIALIZED_SIZE, &a) != TIME_WEIGHT_OK)
	{
		if (a.count != 0)
			__builtin_trap();
		return;
	}
	time_weight_serialize(&a, buf);
	if (memcmp(buf, data, TIME_WEIGHT_SERIALIZED_SIZE) != 0)
		__builtin_trap();
	exercise_time_weight(&a);

	if (size >= 2 * TIME_WEIGHT_SERIALIZED_SIZE &&
		time_weight_deserialize(data + TIME_WEIGHT_SERIALIZED_SIZE, TIME_WEIGHT_SERIALIZED_SIZE, &b) == TIME_WEIGHT_OK &&
		time_weight_combine(&a, &b, &c) == TIME_WEIGHT_OK)
	{
		time_weight_serialize(&c, buf);
		if (time_weight_deserialize(buf, sizeof(buf), &back) != TIME_WEIGHT_OK ||
			back.method != c.method || back.count != c.count ||
			back.first_time != c.first_time || back.last_time != c.last_time ||
			memcmp(&back.first_value, &c.first_value, 8) != 0 ||
			memcmp(&back.last_value, &c.last_value, 8) != 0 ||
			memcmp(&back.weighted_sum, &c.weighted_sum, 8) != 0)
			__builtin_trap();
		exercise_time_weight(&c);
	}
}

static bool
counter_same_but_rounding(const CounterSummary *x, const CounterSummary *y)
{
	return x->count == y->count && x->resets == y->resets &&
		x->first_time == y->first_time && x->first_value == y->first_value &&
		x->second_time == y->second_time && x->second_value == y->second_value &&
		x->penultimate_time == y->penultimate_time &&
		x->penultimate_value == y->penultimate_value &&
		x->last_time == y->last_time && x->last_value == y->last_value &&
		(x->resets > 0 || (x->reset_sum == 0.0 && y->reset_sum == 0.0));
}

static void
points(const uint8_t *data, size_t size)
{
	size_t		n = size / 16;
	size_t		cut;
	size_t		i;
	int64_t    *t;
	double	   *v;
	size_t	   *idx;
	size_t		count;
	int			m;
	CounterSummary cw,
				cl,
				cr,
				cc;

	if (n < 1 || n > FUZZ_MAX_POINTS)
		return;
	t = dl_alloc(n * sizeof(int64_t));
	v = dl_alloc(n * sizeof(double));
	idx = dl_alloc(n * sizeof(size_t));
	/* steps of up to 2^40 us from a start anywhere; zero steps are duplicates */
	t[0] = (int64_t) load_u64(data);
	for (i = 0; i < n; i++)
	{
		uint64_t	raw = load_u64(data + 16 * i);
		uint64_t	bits = load_u64(data + 16 * i + 8);

		if (i > 0)
			t[i] = (int64_t) ((uint64_t) t[i - 1] + (raw & ((UINT64_C(1) << 40) - 1)));
		memcpy(&v[i], &bits, 8);
	}
	cut = n > 1 ? 1 + data[size - 1] % (n - 1) : 1;

	if (counter_build(t, v, n, &cw) == COUNTER_OK)
	{
		exercise_counter(&cw, NULL, 0);
		if (counter_build(t, v, cut, &cl) != COUNTER_OK)
			__builtin_trap();
		if (cut < n)
		{
			/* the second part's reset sum may overflow where the whole's does not */
			CounterStatus st = counter_build(t + cut, v + cut, n - cut, &cr);

			if (st != COUNTER_OK && st != COUNTER_ERR_OVERFLOW)
				__builtin_trap();
			if (st == COUNTER_OK && counter_combine(&cl, &cr, &cc) == COUNTER_OK &&
				!counter_same_but_rounding(&cw, &cc))
				__builtin_trap();
		}
	}

	for (m = TIME_WEIGHT_LINEAR; m <= TIME_WEIGHT_LOCF; m++)
	{
		TimeWeightSummary w,
					l,
					r,
					c;

		if (time_weight_build((TimeWeightMethod) m, t, v, n, &w) != TIME_WEIGHT_OK)
			continue;
		exercise_time_weight(&w);
		if (cut < n &&
			time_weight_build((TimeWeightMethod) m, t, v, cut, &l) == TIME_WEIGHT_OK &&
			time_weight_build((TimeWeightMethod) m, t + cut, v + cut, n - cut, &r) == TIME_WEIGHT_OK &&
			time_weight_combine(&l, &r, &c) == TIME_WEIGHT_OK &&
			(c.count != w.count || c.first_time != w.first_time || c.last_time != w.last_time ||
			 c.first_value != w.first_value || c.last_value != w.last_value || c.method != w.method))
			__builtin_trap();
	}

	if (lttb_select(t, v, n, 3 + data[size - 1] % 64, idx, &count) == LTTB_OK)
	{
		if (count != lttb_output_size(n, 3 + data[size - 1] % 64) || idx[0] != 0 || idx[count - 1] != n - 1)
			__builtin_trap();
		for (i = 1; i < count; i++)
			if (idx[i] <= idx[i - 1])
				__builtin_trap();
	}
	dl_free(t);
	dl_free(v);
	dl_free(idx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3)
	{
		case 0:
			counter_bytes(data + 1, size - 1);
			break;
		case 1:
			time_weight_bytes(data + 1, size - 1);
			break;
		case 2:
			points(data + 1, size - 1);
			break;
	}
	return 0;
}
