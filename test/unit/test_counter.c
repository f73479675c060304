/* unit-deps: src/aggregates/counter.c */
/*
 * test_counter.c
 *		The counter summary without a server: Prometheus's own test cases
 *		for rate(), increase() and irate() reproduced exactly, resets,
 *		combine of adjacent ranges equal to the whole, the binary form's
 *		round trip, and rejection of damaged and hostile buffers.
 *
 * The Prometheus cases come from promql/promqltest/testdata/functions.test
 * at Prometheus v3.14.0 (commit d15adb9); line numbers refer to that file.
 * In its notation "load 5m" puts one sample every 5 minutes from t=0, and
 * "a+bxN" expands to the N+1 values a, a+b, ..., a+N*b.  Prometheus 3
 * selects the samples of [R] evaluated at T (offset O) from the left-open
 * range (T-O-R, T-O]; prom_eval() below selects them the same way.
 */
#include "util/portable.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "aggregates/counter.h"

#define TAP_RNG_SEED	0x243F6A8885A308D3ULL
#include "tap.h"

#define MINUTE	INT64_C(60000000)

/* Prometheus's test framework compares floats with a relative epsilon */
static bool
close_to(double got, double want)
{
	if (got == want)
		return true;
	return fabs(got - want) <= 1e-12 * fmax(fabs(got), fabs(want));
}

/* expand "start+step x count" into out[], returning the number of values */
static size_t
expand(double start, double step, int count, double *out)
{
	int			i;

	for (i = 0; i <= count; i++)
		out[i] = start + step * i;
	return (size_t) count + 1;
}

typedef enum PromFunc
{
	PROM_INCREASE,
	PROM_RATE,
	PROM_IRATE
} PromFunc;

/*
 * Evaluate func(series[range_min] offset offset_min) at eval_min for a
 * series loaded with one sample every step_min minutes from t=0.
 */
static CounterStatus
prom_eval(PromFunc func, const double *values, size_t n, int step_min,
		  int eval_min, int range_min, int offset_min, double *out)
{
	int64_t		times[64];
	double		selected[64];
	size_t		m = 0;
	size_t		i;
	int64_t		end = (int64_t) (eval_min - offset_min) * MINUTE;
	int64_t		start = end - (int64_t) range_min * MINUTE;
	CounterSummary s;
	CounterStatus st;

	for (i = 0; i < n; i++)
	{
		int64_t		t = (int64_t) i * step_min * MINUTE;

		if (t > start && t <= end)
		{
			times[m] = t;
			selected[m] = values[i];
			m++;
		}
	}
	st = counter_build(times, selected, m, &s);
	if (st != COUNTER_OK)
		return st;
	switch (func)
	{
		case PROM_INCREASE:
			return counter_extrapolated_increase(&s, start, end, out);
		case PROM_RATE:
			return counter_extrapolated_rate(&s, start, end, out);
		case PROM_IRATE:
			return counter_irate(&s, out);
	}
	return COUNTER_ERR_CORRUPT;
}

static bool
prom_is(PromFunc func, const double *values, size_t n, int step_min,
		int eval_min, int range_min, int offset_min, double want)
{
	double		got = NAN;
	CounterStatus st = prom_eval(func, values, n, step_min, eval_min, range_min,
								 offset_min, &got);

	if (st != COUNTER_OK || !close_to(got, want))
	{
		printf("#   got %.17g (%s), want %.17g\n", got, counter_status_message(st), want);
		return false;
	}
	return true;
}

static void
test_prometheus_cases(void)
{
	double		foo[64],
				bar[64],
				dings[64],
				bumms[64],
				v[64];
	size_t		nfoo,
				nbar,
				ndings,
				nbumms,
				n;
	double		got;
	int			start;

	/* lines 115-119: load 5m; foo 0+10x10, bar 0+18x5 0+18x5, dings 10+10x10, bumms 1+10x10 */
	nfoo = expand(0, 10, 10, foo);
	nbar = expand(0, 18, 5, bar);
	nbar += expand(0, 18, 5, bar + nbar);
	ndings = expand(10, 10, 10, dings);
	nbumms = expand(1, 10, 10, bumms);

	/* lines 122-126: eval instant at 50m increase(http_requests_total[50m]) */
	check(prom_is(PROM_INCREASE, foo, nfoo, 5, 50, 50, 0, 100), "functions.test:122 increase[50m] /foo = 100");
	check(prom_is(PROM_INCREASE, bar, nbar, 5, 50, 50, 0, 160), "functions.test:122 increase[50m] /bar = 160 (reset)");
	check(prom_is(PROM_INCREASE, dings, ndings, 5, 50, 50, 0, 100), "functions.test:122 increase[50m] /dings = 100");
	check(prom_is(PROM_INCREASE, bumms, nbumms, 5, 50, 50, 0, 100), "functions.test:122 increase[50m] /bumms = 100");

	/* lines 128-139: [100m], extrapolation to the left limited by the zero point */
	check(prom_is(PROM_INCREASE, foo, nfoo, 5, 50, 100, 0, 100), "functions.test:135 increase[100m] /foo = 100 (starts at 0)");
	check(prom_is(PROM_INCREASE, bar, nbar, 5, 50, 100, 0, 162), "functions.test:135 increase[100m] /bar = 162");
	check(prom_is(PROM_INCREASE, dings, ndings, 5, 50, 100, 0, 105), "functions.test:135 increase[100m] /dings = 105 (half interval)");
	check(prom_is(PROM_INCREASE, bumms, nbumms, 5, 50, 100, 0, 101), "functions.test:135 increase[100m] /bumms = 101 (zero point)");

	/* lines 143-151: 0 1 2 3 2 3 4, increase[30m] at 30m = 7 */
	{
		static const double seq[] = {0, 1, 2, 3, 2, 3, 4};

		check(prom_is(PROM_INCREASE, seq, 7, 5, 30, 30, 0, 7), "functions.test:150 increase with reset 3 -> 2 = 7");
	}

	/* lines 156-168: reset in the middle and at the end */
	n = expand(0, 27, 4, v);
	n += expand(0, 27, 5, v + n);
	check(prom_is(PROM_RATE, v, n, 5, 50, 50, 0, 0.08), "functions.test:161 rate(testcounter_reset_middle_total[50m]) = 0.08");
	n = expand(0, 10, 9, v);
	v[n++] = 0;
	v[n++] = 10;
	check(prom_eval(PROM_RATE, v, n, 5, 50, 5, 0, &got) == COUNTER_ERR_TOO_FEW,
		  "functions.test:165 rate(testcounter_reset_end_total[5m]) has no result (one sample)");
	check(prom_is(PROM_RATE, v, n, 5, 50, 6, 0, 0), "functions.test:167 rate(testcounter_reset_end_total[6m]) = 0");

	/* lines 172-183: per-second rates, with offset */
	n = expand(0, 80, 10, v);
	check(prom_is(PROM_RATE, v, n, 5, 50, 50, 0, 0.26666666666666666), "functions.test:178 rate(calculate_rate_window_total[50m]) = 0.2666...");
	n = expand(0, 10, 10, v);
	check(prom_is(PROM_RATE, v, n, 5, 50, 10, 5, 0.03333333333333333), "functions.test:181 rate([10m] offset 5m) x=a = 0.0333...");
	n = expand(0, 20, 10, v);
	check(prom_is(PROM_RATE, v, n, 5, 50, 10, 5, 0.06666666666666667), "functions.test:181 rate([10m] offset 5m) x=b = 0.0666...");

	/* lines 187-213: load 4m, zero cutoff for left-side extrapolation */
	for (start = 0; start <= 5; start++)
	{
		static const double at10[] = {0.5, 0.55, 0.6, 0.6, 0.6, 0.6};
		char		what[128];

		n = expand(60.0 * start, 240, 10, v);
		snprintf(what, sizeof(what), "functions.test:198 rate(testcounter_zero_cutoff_total{start=\"%dm\"}[20m]) at 10m = %g", start, at10[start]);
		check(prom_is(PROM_RATE, v, n, 4, 10, 20, 0, at10[start]), what);
		snprintf(what, sizeof(what), "functions.test:207 rate(testcounter_zero_cutoff_total{start=\"%dm\"}[20m]) at 50m = 0.6", start);
		check(prom_is(PROM_RATE, v, n, 4, 50, 20, 0, 0.6), what);
	}

	/* lines 217-239: irate; foo 0+10x10, bar 0+10x5 0+10x5 */
	nfoo = expand(0, 10, 10, foo);
	nbar = expand(0, 10, 5, bar);
	nbar += expand(0, 10, 5, bar + nbar);
	check(prom_is(PROM_IRATE, foo, nfoo, 5, 50, 50, 0, 0.03333333333333333333), "functions.test:230 irate[50m] at 50m /foo = 0.0333...");
	check(prom_is(PROM_IRATE, bar, nbar, 5, 50, 50, 0, 0.03333333333333333333), "functions.test:230 irate[50m] at 50m /bar = 0.0333...");
	check(prom_is(PROM_IRATE, foo, nfoo, 5, 30, 50, 0, 0.03333333333333333333), "functions.test:236 irate[50m] at 30m /foo = 0.0333...");
	check(prom_is(PROM_IRATE, bar, nbar, 5, 30, 50, 0, 0), "functions.test:236 irate[50m] at 30m /bar = 0 (reset: last value 0 alone)");
}

static void
test_basics(void)
{
	static const int64_t t[] = {0, 10 * 1000000, 20 * 1000000, 30 * 1000000, 40 * 1000000};
	static const double v[] = {5, 8, 2, 6, 1};
	CounterSummary s;
	double		x = 0;

	check(counter_build(t, v, 0, &s) == COUNTER_ERR_EMPTY, "no samples: empty");
	check(counter_build(t, v, 1, &s) == COUNTER_OK && s.count == 1, "one sample builds");
	check(counter_delta(&s, &x) == COUNTER_ERR_TOO_FEW && counter_rate(&s, &x) == COUNTER_ERR_TOO_FEW &&
		  counter_irate(&s, &x) == COUNTER_ERR_TOO_FEW && counter_idelta(&s, &x) == COUNTER_ERR_TOO_FEW &&
		  counter_extrapolated_rate(&s, -1, 1, &x) == COUNTER_ERR_TOO_FEW,
		  "one sample: delta, rate, idelta, irate, extrapolated undefined");

	/* 5 8 | 2 6 | 1: two resets, increase 3 + 2 + 4 + 1 = 10 */
	check(counter_build(t, v, 5, &s) == COUNTER_OK, "five samples build");
	check(s.resets == 2 && s.count == 5, "resets counted (8 -> 2, 6 -> 1)");
	check(counter_delta(&s, &x) == COUNTER_OK && x == 10.0, "delta = 3 + 2 + 4 + 1 = 10");
	check(counter_rate(&s, &x) == COUNTER_OK && x == 0.25, "rate = 10 / 40 s");
	check(counter_idelta(&s, &x) == COUNTER_OK && x == 1.0, "idelta after a reset is the last value");
	check(counter_irate(&s, &x) == COUNTER_OK && x == 0.1, "irate after a reset = 1 / 10 s");
	check(s.second_time == t[1] && s.second_value == 8 && s.penultimate_time == t[3] &&
		  s.penultimate_value == 6, "second and penultimate samples kept");
	check(counter_build(t, v, 2, &s) == COUNTER_OK && counter_irate(&s, &x) == COUNTER_OK &&
		  x == 0.3 && s.penultimate_time == t[0] && s.second_time == t[1],
		  "two samples: second is last, penultimate is first");

	/* exact extrapolation bounds: samples on both range edges need none */
	check(counter_build(t, v, 5, &s) == COUNTER_OK &&
		  counter_extrapolated_increase(&s, t[0], t[4], &x) == COUNTER_OK && x == 10.0,
		  "samples on both range boundaries: no extrapolation");
	check(counter_extrapolated_increase(&s, t[0] + 1, t[4], &x) == COUNTER_ERR_RANGE &&
		  counter_extrapolated_increase(&s, t[0], t[4] - 1, &x) == COUNTER_ERR_RANGE &&
		  counter_extrapolated_rate(&s, 100, 100, &x) == COUNTER_ERR_RANGE,
		  "range not containing the samples is rejected");

	{
		int64_t		bad_t[] = {0, 5, 5};
		int64_t		back_t[] = {0, 5, 4};
		int64_t		inf_t[] = {INT64_MIN, 5};
		double		ok_v[] = {1, 2, 3};
		double		nan_v[] = {1, NAN, 3};
		double		inf_v[] = {1, INFINITY, 3};
		double		huge_v[] = {DBL_MAX, 0, DBL_MAX, 0};
		int64_t		t4[] = {1, 2, 3, 4};

		check(counter_build(bad_t, ok_v, 3, &s) == COUNTER_ERR_TIME, "duplicate time rejected");
		check(counter_build(back_t, ok_v, 3, &s) == COUNTER_ERR_TIME, "unsorted times rejected");
		check(counter_build(inf_t, ok_v, 2, &s) == COUNTER_ERR_TIME, "-infinity timestamp rejected");
		check(counter_build(t, nan_v, 3, &s) == COUNTER_ERR_VALUE, "NaN value rejected");
		check(counter_build(t, inf_v, 3, &s) == COUNTER_ERR_VALUE, "infinite value rejected");
		check(counter_build(t4, huge_v, 4, &s) == COUNTER_ERR_OVERFLOW, "reset sum overflow reported");
	}
	check(strcmp(counter_status_message(COUNTER_ERR_OVERLAP), "unknown counter error") != 0 &&
		  strcmp(counter_status_message((CounterStatus) 99), "unknown counter error") == 0,
		  "status messages");
}

static bool
same(const CounterSummary *a, const CounterSummary *b, bool exact_sum)
{
	return a->count == b->count && a->resets == b->resets &&
		a->first_time == b->first_time && a->first_value == b->first_value &&
		a->second_time == b->second_time && a->second_value == b->second_value &&
		a->penultimate_time == b->penultimate_time &&
		a->penultimate_value == b->penultimate_value &&
		a->last_time == b->last_time && a->last_value == b->last_value &&
		(exact_sum ? a->reset_sum == b->reset_sum : close_to(a->reset_sum, b->reset_sum));
}

/* random counters with resets: every split combined equals the whole */
static void
test_combine(void)
{
	int64_t		t[200];
	double		v[200];
	int			round;
	bool		all_equal = true;
	bool		all_ser = true;
	CounterSummary whole,
				left,
				right,
				both,
				back;
	uint8_t		buf[COUNTER_SERIALIZED_SIZE];

	for (round = 0; round < 500; round++)
	{
		size_t		n = 2 + rng() % 150;
		size_t		cut = 1 + rng() % (n - 1);
		size_t		cut2;
		size_t		i;
		bool		integers = round % 2 == 0;

		t[0] = (int64_t) (rng() % 1000000000) - 500000000;
		v[0] = integers ? (double) (rng() % 100) : (double) (rng() % 100000) / 7.0;
		for (i = 1; i < n; i++)
		{
			t[i] = t[i - 1] + 1 + (int64_t) (rng() % 20000000);
			if (rng() % 10 == 0)
				v[i] = integers ? (double) (rng() % 10) : (double) (rng() % 1000) / 3.0;
			else
				v[i] = v[i - 1] + (integers ? (double) (rng() % 50) : (double) (rng() % 5000) / 11.0);
		}
		if (counter_build(t, v, n, &whole) != COUNTER_OK ||
			counter_build(t, v, cut, &left) != COUNTER_OK ||
			counter_build(t + cut, v + cut, n - cut, &right) != COUNTER_OK ||
			counter_combine(&left, &right, &both) != COUNTER_OK ||
			!same(&whole, &both, integers))
			all_equal = false;
		/* three parts, combined right first */
		if (n >= 3)
		{
			CounterSummary mid,
						tail,
						rest;

			cut = 1 + rng() % (n - 2);
			cut2 = cut + 1 + rng() % (n - cut - 1);
			if (counter_build(t, v, cut, &left) != COUNTER_OK ||
				counter_build(t + cut, v + cut, cut2 - cut, &mid) != COUNTER_OK ||
				counter_build(t + cut2, v + cut2, n - cut2, &tail) != COUNTER_OK ||
				counter_combine(&mid, &tail, &rest) != COUNTER_OK ||
				counter_combine(&left, &rest, &both) != COUNTER_OK ||
				!same(&whole, &both, integers))
				all_equal = false;
		}
		counter_serialize(&both, buf);
		if (counter_deserialize(buf, sizeof(buf), &back) != COUNTER_OK || !same(&both, &back, true))
			all_ser = false;
	}
	check(all_equal, "combine of 2 and of 3 parts equals the whole (500 random counters with resets)");
	check(all_ser, "combined summaries serialize and deserialize unchanged");

	/* a reset exactly at the boundary is detected by combine */
	{
		int64_t		tt[] = {0, 1000000, 2000000, 3000000};
		double		vv[] = {10, 20, 5, 7};
		double		d1,
					d2;

		counter_build(tt, vv, 4, &whole);
		counter_build(tt, vv, 2, &left);
		counter_build(tt + 2, vv + 2, 2, &right);
		check(counter_combine(&left, &right, &both) == COUNTER_OK && both.resets == 1 &&
			  counter_delta(&both, &d1) == COUNTER_OK && counter_delta(&whole, &d2) == COUNTER_OK &&
			  d1 == 17.0 && d2 == 17.0, "reset between a.last and b.first counted (10+5+2 = 17)");
		check(counter_combine(&right, &left, &both) == COUNTER_ERR_OVERLAP, "combine out of order rejected");
		check(counter_combine(&left, &left, &both) == COUNTER_ERR_OVERLAP, "combine with itself rejected");
		counter_build(tt + 1, vv + 1, 2, &right);
		check(counter_combine(&left, &right, &both) == COUNTER_ERR_OVERLAP, "combine sharing a sample rejected");
		counter_build(tt, vv, 1, &left);
		counter_build(tt + 1, vv + 1, 1, &right);
		check(counter_combine(&left, &right, &both) == COUNTER_OK && both.count == 2 &&
			  both.second_time == tt[1] && both.penultimate_time == tt[0],
			  "combine of two single samples");
	}
}

static void
test_serialization(void)
{
	int64_t		t[] = {1000, 2000, 3000, 4000, 5000, 6000};
	double		v[] = {3, 1, 4, 1, 5, 9};
	CounterSummary s,
				back;
	uint8_t		buf[COUNTER_SERIALIZED_SIZE + 1];
	uint8_t		copy[COUNTER_SERIALIZED_SIZE];
	size_t		n,
				len,
				byte;
	int			bit;
	bool		round_trips = true;
	bool		truncations = true;
	bool		flips_safe = true;
	int			accepted = 0;
	int			tried = 0;

	for (n = 1; n <= 6; n++)
	{
		counter_build(t, v, n, &s);
		counter_serialize(&s, buf);
		if (counter_deserialize(buf, COUNTER_SERIALIZED_SIZE, &back) != COUNTER_OK ||
			memcmp(&s, &back, sizeof(s)) != 0)
			round_trips = false;
		for (len = 0; len < COUNTER_SERIALIZED_SIZE; len++)
			if (counter_deserialize(buf, len, &back) == COUNTER_OK)
				truncations = false;
		buf[COUNTER_SERIALIZED_SIZE] = 0;
		if (counter_deserialize(buf, COUNTER_SERIALIZED_SIZE + 1, &back) != COUNTER_ERR_TRUNCATED)
			truncations = false;

		/* any accepted bit flip must still be a self-consistent summary */
		for (byte = 0; byte < COUNTER_SERIALIZED_SIZE; byte++)
			for (bit = 0; bit < 8; bit++)
			{
				double		x;

				memcpy(copy, buf, sizeof(copy));
				copy[byte] ^= (uint8_t) (1 << bit);
				tried++;
				if (counter_deserialize(copy, sizeof(copy), &back) != COUNTER_OK)
				{
					if (back.count != 0)
						flips_safe = false;
					continue;
				}
				accepted++;
				if (back.count < 1 || back.resets > back.count - 1 ||
					(back.count >= 2 && back.first_time >= back.last_time))
					flips_safe = false;
				if (back.count >= 2 && counter_delta(&back, &x) == COUNTER_OK && !isfinite(x))
					flips_safe = false;
			}
	}
	check(round_trips, "summaries of 1..6 samples round-trip bit for bit");
	check(truncations, "every truncation and an extra byte rejected");
	check(flips_safe, "bit flips: rejected ones leave a zeroed summary, accepted ones are consistent");
	printf("# %d of %d single-bit flips accepted (values and times that stay plausible)\n",
		   accepted, tried);

	counter_build(t, v, 6, &s);
	counter_serialize(&s, buf);
	check(buf[0] == COUNTER_FORMAT_VERSION && buf[1] == 'C', "version byte and kind first");
	memcpy(copy, buf, sizeof(copy));
	copy[0] = 2;
	check(counter_deserialize(copy, sizeof(copy), &back) == COUNTER_ERR_VERSION, "unknown version rejected");
	memcpy(copy, buf, sizeof(copy));
	copy[1] = 'T';
	check(counter_deserialize(copy, sizeof(copy), &back) == COUNTER_ERR_VERSION, "wrong kind rejected");

	/* hand-made hostile summaries */
	{
		CounterSummary h;
		int			rejected = 0;
		int			cases = 0;

#define HOSTILE(mutation) \
		do { \
			counter_build(t, v, 6, &h); \
			mutation; \
			counter_serialize(&h, copy); \
			cases++; \
			if (counter_deserialize(copy, sizeof(copy), &back) == COUNTER_ERR_CORRUPT) \
				rejected++; \
			else \
				printf("#   accepted: %s\n", #mutation); \
		} while (0)

		HOSTILE(h.count = 0);
		HOSTILE(h.count = UINT64_MAX);
		HOSTILE(h.count = 10000);	/* 10000 samples cannot fit in 5000 us */
		HOSTILE(h.resets = 6);
		HOSTILE(h.resets = 0);	/* resets in known steps 3 -> 1 */
		HOSTILE(h.reset_sum = NAN);
		HOSTILE(h.reset_sum = INFINITY);
		HOSTILE(h.first_value = NAN);
		HOSTILE(h.last_value = -INFINITY);
		HOSTILE(h.first_time = h.second_time);
		HOSTILE(h.second_time = h.penultimate_time + 1);
		HOSTILE(h.last_time = h.penultimate_time);
		HOSTILE(h.first_time = INT64_MIN);
		HOSTILE(h.last_time = INT64_MAX);
		HOSTILE((h.count = 1, h.last_time = h.first_time + 1));
		HOSTILE((h.count = 2));
		HOSTILE((h.count = 3));
		HOSTILE((h.count = 4));
#undef HOSTILE
		check(rejected == cases, "hand-made impossible summaries rejected as corrupt");
	}
}

int
main(void)
{
	test_prometheus_cases();
	test_basics();
	test_combine();
	test_serialization();
	printf("1..%d\n", test_number);
	return failures == 0 ? 0 : 1;
}
