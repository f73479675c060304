/* unit-deps: src/aggregates/time_weight.c */
/*
 * test_time_weight.c
 *		The time-weighted summary without a server: hand-computed integrals
 *		and averages for LINEAR and LOCF, the single-point case, input
 *		validation, combine of random splits equal to the whole (and to an
 *		independent reference), the binary form's round trip and rejection
 *		of damaged and hostile buffers.
 */
#include "util/portable.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "aggregates/time_weight.h"

#define TAP_RNG_SEED	0x13198A2E03707344ULL
#include "tap.h"

#define SECOND	INT64_C(1000000)

static bool
close_to(double got, double want, double rel)
{
	if (got == want)
		return true;
	return fabs(got - want) <= rel * fmax(fabs(got), fabs(want));
}

static void
test_hand_computed(void)
{
	/* 1 at 0 s, 3 at 10 s, 2 at 30 s, 5 at 60 s */
	static const int64_t t[] = {0, 10 * SECOND, 30 * SECOND, 60 * SECOND};
	static const double v[] = {1, 3, 2, 5};
	TimeWeightSummary s;
	double		x = 0;

	/* LINEAR: (1+3)/2*10 + (3+2)/2*20 + (2+5)/2*30 = 20 + 50 + 105 = 175 value*s */
	check(time_weight_build(TIME_WEIGHT_LINEAR, t, v, 4, &s) == TIME_WEIGHT_OK &&
		  s.count == 4 && s.first_time == 0 && s.first_value == 1 &&
		  s.last_time == 60 * SECOND && s.last_value == 5, "LINEAR summary of 4 points");
	check(s.weighted_sum == 175.0 * SECOND, "LINEAR integral kept in value x microseconds (175e6)");
	check(time_weight_integral(&s, SECOND, &x) == TIME_WEIGHT_OK && x == 175.0, "LINEAR integral in value x seconds = 175");
	check(time_weight_integral(&s, 1, &x) == TIME_WEIGHT_OK && x == 175e6, "LINEAR integral in value x microseconds");
	check(time_weight_integral(&s, 60 * SECOND, &x) == TIME_WEIGHT_OK && close_to(x, 175.0 / 60.0, 1e-15),
		  "LINEAR integral in value x minutes = 175/60");
	check(time_weight_average(&s, &x) == TIME_WEIGHT_OK && close_to(x, 175.0 / 60.0, 1e-15),
		  "LINEAR average = 175 / 60 s");

	/* LOCF: 1*10 + 3*20 + 2*30 = 130 value*s; the last value 5 covers no time */
	check(time_weight_build(TIME_WEIGHT_LOCF, t, v, 4, &s) == TIME_WEIGHT_OK, "LOCF summary of 4 points");
	check(time_weight_integral(&s, SECOND, &x) == TIME_WEIGHT_OK && x == 130.0, "LOCF integral = 130 value x s");
	check(time_weight_average(&s, &x) == TIME_WEIGHT_OK && close_to(x, 130.0 / 60.0, 1e-15),
		  "LOCF average = 130 / 60 s");

	/* a constant signal averages to itself under both methods */
	{
		static const int64_t ct[] = {-7 * SECOND, 1, 2, 9 * SECOND, 100 * SECOND};
		static const double cv[] = {4.25, 4.25, 4.25, 4.25, 4.25};

		check(time_weight_build(TIME_WEIGHT_LINEAR, ct, cv, 5, &s) == TIME_WEIGHT_OK &&
			  time_weight_average(&s, &x) == TIME_WEIGHT_OK && x == 4.25 &&
			  time_weight_build(TIME_WEIGHT_LOCF, ct, cv, 5, &s) == TIME_WEIGHT_OK &&
			  time_weight_average(&s, &x) == TIME_WEIGHT_OK && x == 4.25,
			  "constant signal: average is the constant, negative times fine");
	}

	/* a ramp 0 -> 10 over 10 s: LINEAR 50, LOCF 0 */
	{
		static const int64_t rt[] = {0, 10 * SECOND};
		static const double rv[] = {0, 10};

		check(time_weight_build(TIME_WEIGHT_LINEAR, rt, rv, 2, &s) == TIME_WEIGHT_OK &&
			  time_weight_integral(&s, SECOND, &x) == TIME_WEIGHT_OK && x == 50.0 &&
			  time_weight_average(&s, &x) == TIME_WEIGHT_OK && x == 5.0,
			  "ramp 0 -> 10 over 10 s: LINEAR integral 50, average 5");
		check(time_weight_build(TIME_WEIGHT_LOCF, rt, rv, 2, &s) == TIME_WEIGHT_OK &&
			  time_weight_integral(&s, SECOND, &x) == TIME_WEIGHT_OK && x == 0.0 &&
			  time_weight_average(&s, &x) == TIME_WEIGHT_OK && x == 0.0,
			  "ramp 0 -> 10 over 10 s: LOCF integral 0, average 0");
	}

	/* single point */
	check(time_weight_build(TIME_WEIGHT_LINEAR, t + 2, v + 2, 1, &s) == TIME_WEIGHT_OK &&
		  time_weight_average(&s, &x) == TIME_WEIGHT_OK && x == 2.0 &&
		  time_weight_integral(&s, SECOND, &x) == TIME_WEIGHT_OK && x == 0.0,
		  "single point: average is its value, integral 0");

	/* errors */
	{
		int64_t		dup_t[] = {0, 5, 5};
		int64_t		back_t[] = {0, 5, 4};
		int64_t		inf_t[] = {0, INT64_MAX};
		double		ok_v[] = {1, 2, 3};
		double		nan_v[] = {1, 2, NAN};
		double		inf_v[] = {-INFINITY, 2, 3};
		double		huge_v[] = {DBL_MAX, DBL_MAX};
		int64_t		far_t[] = {-SECOND * 1000000, SECOND * 1000000};

		check(time_weight_build(TIME_WEIGHT_LINEAR, t, v, 0, &s) == TIME_WEIGHT_ERR_EMPTY, "no points: empty");
		check(time_weight_build((TimeWeightMethod) 0, t, v, 4, &s) == TIME_WEIGHT_ERR_METHOD &&
			  time_weight_build((TimeWeightMethod) 3, t, v, 4, &s) == TIME_WEIGHT_ERR_METHOD,
			  "unknown method rejected");
		check(time_weight_build(TIME_WEIGHT_LOCF, dup_t, ok_v, 3, &s) == TIME_WEIGHT_ERR_TIME, "duplicate time rejected");
		check(time_weight_build(TIME_WEIGHT_LOCF, back_t, ok_v, 3, &s) == TIME_WEIGHT_ERR_TIME, "unsorted times rejected");
		check(time_weight_build(TIME_WEIGHT_LOCF, inf_t, ok_v, 2, &s) == TIME_WEIGHT_ERR_TIME, "infinity timestamp rejected");
		check(time_weight_build(TIME_WEIGHT_LINEAR, t, nan_v, 3, &s) == TIME_WEIGHT_ERR_VALUE, "NaN value rejected");
		check(time_weight_build(TIME_WEIGHT_LINEAR, t, inf_v, 3, &s) == TIME_WEIGHT_ERR_VALUE, "infinite value rejected");
		check(time_weight_build(TIME_WEIGHT_LINEAR, far_t, huge_v, 2, &s) == TIME_WEIGHT_ERR_OVERFLOW,
			  "integral overflow reported");
		check(time_weight_build(TIME_WEIGHT_LINEAR, t, v, 4, &s) == TIME_WEIGHT_OK &&
			  time_weight_integral(&s, 0, &x) == TIME_WEIGHT_ERR_UNIT &&
			  time_weight_integral(&s, -SECOND, &x) == TIME_WEIGHT_ERR_UNIT, "non-positive unit rejected");
	}

	/* the whole int64 time line: differences beyond INT64_MAX stay exact */
	{
		int64_t		wide_t[] = {INT64_MIN + 1, INT64_MAX - 1};
		double		wide_v[] = {2, 2};

		check(time_weight_build(TIME_WEIGHT_LOCF, wide_t, wide_v, 2, &s) == TIME_WEIGHT_OK &&
			  s.weighted_sum == 2.0 * 18446744073709551613.0 &&
			  time_weight_average(&s, &x) == TIME_WEIGHT_OK && x == 2.0,
			  "span wider than INT64_MAX handled");
	}
}

static double
reference_integral(TimeWeightMethod method, const int64_t *t, const double *v, size_t n)
{
	long double sum = 0;
	size_t		i;

	for (i = 1; i < n; i++)
	{
		long double dt = (long double) (t[i] - t[i - 1]);

		if (method == TIME_WEIGHT_LOCF)
			sum += (long double) v[i - 1] * dt;
		else
			sum += ((long double) v[i - 1] + (long double) v[i]) / 2 * dt;
	}
	return (double) sum;
}

static bool
same(const TimeWeightSummary *a, const TimeWeightSummary *b, double rel)
{
	return a->method == b->method && a->count == b->count &&
		a->first_time == b->first_time && a->first_value == b->first_value &&
		a->last_time == b->last_time && a->last_value == b->last_value &&
		close_to(a->weighted_sum, b->weighted_sum, rel);
}

static void
test_combine(void)
{
	int64_t		t[300];
	double		v[300];
	int			round;
	bool		all_exact = true;
	bool		all_close = true;
	bool		all_reference = true;
	TimeWeightSummary whole,
				left,
				mid,
				right,
				rest,
				both;

	for (round = 0; round < 1000; round++)
	{
		TimeWeightMethod method = round % 2 ? TIME_WEIGHT_LOCF : TIME_WEIGHT_LINEAR;
		bool		integers = round % 4 < 2;
		size_t		n = 3 + rng() % 250;
		size_t		cut = 1 + rng() % (n - 2);
		size_t		cut2 = cut + 1 + rng() % (n - cut - 1);
		size_t		i;

		t[0] = (int64_t) (rng() % 2000000000000ULL) - 1000000000000LL;
		for (i = 0; i < n; i++)
		{
			if (i > 0)
				t[i] = t[i - 1] + 1 + (int64_t) (rng() % (integers ? 1000 : 100000000));
			v[i] = integers ? (double) (rng() % 200) - 100.0
				: ((double) (rng() % 2000000) - 1000000.0) / 7.0;
		}
		if (time_weight_build(method, t, v, n, &whole) != TIME_WEIGHT_OK)
		{
			all_exact = all_close = false;
			continue;
		}
		if (!close_to(whole.weighted_sum, reference_integral(method, t, v, n), 1e-9))
			all_reference = false;

		/* two parts */
		if (time_weight_build(method, t, v, cut, &left) != TIME_WEIGHT_OK ||
			time_weight_build(method, t + cut, v + cut, n - cut, &right) != TIME_WEIGHT_OK ||
			time_weight_combine(&left, &right, &both) != TIME_WEIGHT_OK)
			all_close = false;
		else if (integers && !same(&whole, &both, 0.0))
			all_exact = false;
		else if (!integers && !same(&whole, &both, 1e-9))
			all_close = false;

		/* three parts, combined right first */
		if (time_weight_build(method, t, v, cut, &left) != TIME_WEIGHT_OK ||
			time_weight_build(method, t + cut, v + cut, cut2 - cut, &mid) != TIME_WEIGHT_OK ||
			time_weight_build(method, t + cut2, v + cut2, n - cut2, &right) != TIME_WEIGHT_OK ||
			time_weight_combine(&mid, &right, &rest) != TIME_WEIGHT_OK ||
			time_weight_combine(&left, &rest, &both) != TIME_WEIGHT_OK)
			all_close = false;
		else if (integers && !same(&whole, &both, 0.0))
			all_exact = false;
		else if (!integers && !same(&whole, &both, 1e-9))
			all_close = false;
	}
	check(all_reference, "build matches a long double reference integral (1000 random series)");
	check(all_exact, "combine of 2 and 3 random parts equals the whole exactly (integer data)");
	check(all_close, "combine of 2 and 3 random parts equals the whole to 1e-9 (fractional data)");

	/* the joining segment follows the method */
	{
		static const int64_t jt[] = {0, 10 * SECOND, 20 * SECOND, 30 * SECOND};
		static const double jv[] = {0, 10, 20, 30};
		double		x;

		time_weight_build(TIME_WEIGHT_LINEAR, jt, jv, 2, &left);
		time_weight_build(TIME_WEIGHT_LINEAR, jt + 2, jv + 2, 2, &right);
		check(time_weight_combine(&left, &right, &both) == TIME_WEIGHT_OK && both.count == 4 &&
			  time_weight_integral(&both, SECOND, &x) == TIME_WEIGHT_OK && x == 450.0,
			  "LINEAR combine adds the trapezoid between the parts (50 + 150 + 250)");
		time_weight_build(TIME_WEIGHT_LOCF, jt, jv, 2, &left);
		time_weight_build(TIME_WEIGHT_LOCF, jt + 2, jv + 2, 2, &right);
		check(time_weight_combine(&left, &right, &both) == TIME_WEIGHT_OK &&
			  time_weight_integral(&both, SECOND, &x) == TIME_WEIGHT_OK && x == 300.0,
			  "LOCF combine carries a's last value to b's first (0 + 100 + 200)");
		check(time_weight_combine(&right, &left, &both) == TIME_WEIGHT_ERR_OVERLAP, "out of order rejected");
		check(time_weight_combine(&left, &left, &both) == TIME_WEIGHT_ERR_OVERLAP, "combine with itself rejected");
		time_weight_build(TIME_WEIGHT_LOCF, jt + 1, jv + 1, 2, &right);
		check(time_weight_combine(&left, &right, &both) == TIME_WEIGHT_ERR_OVERLAP, "shared point rejected");
		time_weight_build(TIME_WEIGHT_LINEAR, jt + 2, jv + 2, 2, &right);
		check(time_weight_combine(&left, &right, &both) == TIME_WEIGHT_ERR_METHOD, "method mismatch rejected");
	}
}

static void
test_serialization(void)
{
	static const int64_t t[] = {-3000, 2000, 2500, 9000, 12000};
	static const double v[] = {1.5, -2, 0, 8, 1e300};
	TimeWeightSummary s,
				back;
	uint8_t		buf[TIME_WEIGHT_SERIALIZED_SIZE + 1];
	uint8_t		copy[TIME_WEIGHT_SERIALIZED_SIZE];
	bool		round_trips = true;
	bool		truncations = true;
	bool		flips_safe = true;
	int			accepted = 0;
	int			tried = 0;
	int			m;
	size_t		n,
				len,
				byte;
	int			bit;

	for (m = 1; m <= 2; m++)
		for (n = 1; n <= 5; n++)
		{
			time_weight_build((TimeWeightMethod) m, t, v, n, &s);
			time_weight_serialize(&s, buf);
			if (time_weight_deserialize(buf, TIME_WEIGHT_SERIALIZED_SIZE, &back) != TIME_WEIGHT_OK ||
				memcmp(&s, &back, sizeof(s)) != 0)
				round_trips = false;
			for (len = 0; len < TIME_WEIGHT_SERIALIZED_SIZE; len++)
				if (time_weight_deserialize(buf, len, &back) == TIME_WEIGHT_OK)
					truncations = false;
			buf[TIME_WEIGHT_SERIALIZED_SIZE] = 0;
			if (time_weight_deserialize(buf, TIME_WEIGHT_SERIALIZED_SIZE + 1, &back) != TIME_WEIGHT_ERR_TRUNCATED)
				truncations = false;
			for (byte = 0; byte < TIME_WEIGHT_SERIALIZED_SIZE; byte++)
				for (bit = 0; bit < 8; bit++)
				{
					double		x;

					memcpy(copy, buf, sizeof(copy));
					copy[byte] ^= (uint8_t) (1 << bit);
					tried++;
					if (time_weight_deserialize(copy, sizeof(copy), &back) != TIME_WEIGHT_OK)
					{
						if (back.count != 0)
							flips_safe = false;
						continue;
					}
					accepted++;
					if (back.count == 0 || (back.count >= 2 && back.first_time >= back.last_time) ||
						time_weight_average(&back, &x) == TIME_WEIGHT_ERR_EMPTY)
						flips_safe = false;
				}
		}
	check(round_trips, "summaries of 1..5 points, both methods, round-trip bit for bit");
	check(truncations, "every truncation and an extra byte rejected");
	check(flips_safe, "bit flips: rejected ones leave a zeroed summary, accepted ones are consistent");
	printf("# %d of %d single-bit flips accepted\n", accepted, tried);

	time_weight_build(TIME_WEIGHT_LOCF, t, v, 4, &s);
	time_weight_serialize(&s, buf);
	check(buf[0] == TIME_WEIGHT_FORMAT_VERSION && buf[1] == 'T' && buf[2] == TIME_WEIGHT_LOCF,
		  "version byte, kind and method first");
	memcpy(copy, buf, sizeof(copy));
	copy[0] = 0;
	check(time_weight_deserialize(copy, sizeof(copy), &back) == TIME_WEIGHT_ERR_VERSION, "unknown version rejected");
	memcpy(copy, buf, sizeof(copy));
	copy[2] = 3;
	check(time_weight_deserialize(copy, sizeof(copy), &back) == TIME_WEIGHT_ERR_CORRUPT, "unknown method rejected");

	{
		TimeWeightSummary h;
		int			rejected = 0;
		int			cases = 0;

#define HOSTILE(mutation) \
		do { \
			time_weight_build(TIME_WEIGHT_LINEAR, t, v, 4, &h); \
			mutation; \
			time_weight_serialize(&h, copy); \
			cases++; \
			if (time_weight_deserialize(copy, sizeof(copy), &back) == TIME_WEIGHT_ERR_CORRUPT) \
				rejected++; \
			else \
				printf("#   accepted: %s\n", #mutation); \
		} while (0)

		HOSTILE(h.count = 0);
		HOSTILE(h.count = UINT64_MAX);
		HOSTILE(h.count = 12002);	/* 12002 points cannot fit in 12000 us */
		HOSTILE(h.weighted_sum = NAN);
		HOSTILE(h.weighted_sum = -INFINITY);
		HOSTILE(h.first_value = NAN);
		HOSTILE(h.last_value = INFINITY);
		HOSTILE(h.last_time = h.first_time);
		HOSTILE(h.last_time = h.first_time - 1);
		HOSTILE(h.first_time = INT64_MIN);
		HOSTILE(h.last_time = INT64_MAX);
		HOSTILE(h.count = 1);
		HOSTILE((h.count = 1, h.last_time = h.first_time, h.last_value = h.first_value));	/* sum != 0 */
		HOSTILE(h.count = 2);	/* sum is not the one segment's */
#undef HOSTILE
		check(rejected == cases, "hand-made impossible summaries rejected as corrupt");
	}
	check(strcmp(time_weight_status_message(TIME_WEIGHT_ERR_METHOD), "unknown time-weighted summary error") != 0 &&
		  strcmp(time_weight_status_message((TimeWeightStatus) 77), "unknown time-weighted summary error") == 0,
		  "status messages");
}

int
main(void)
{
	test_hand_computed();
	test_combine();
	test_serialization();
	printf("1..%d\n", test_number);
	return failures == 0 ? 0 : 1;
}
