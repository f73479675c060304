/* unit-deps: src/analytics/lttb.c */
/*
 * test_lttb.c
 *		Largest-Triangle-Three-Buckets without a server: a small example
 *		worked by hand, agreement with a line-by-line port of Steinarsson's
 *		reference JavaScript on random series, the invariants (exact output
 *		size, first and last kept, output a subset of the input in order),
 *		the threshold and input checks, and a million points in well under
 *		a second.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "analytics/lttb.h"

#define TAP_RNG_SEED	0xA4093822299F31D0ULL
#include "tap.h"

static double
rng_unit(void)
{
	return (double) (rng() >> 11) / 9007199254740992.0;
}

/*
 * floor(i * every) with every = (n - 2) / (threshold - 2): exactly, or as
 * the reference computes it in floating point, where a product that should
 * be an integer can land just below it (e.g. n = 4986, threshold = 2066,
 * i = 258: 258 * (4984 / 2064.0) = 622.99999...).
 */
static size_t
floor_every(size_t i, size_t data_length, size_t threshold, bool exact)
{
	if (exact)
		return (size_t) ((uint64_t) i * (data_length - 2) / (threshold - 2));
	return (size_t) floor((double) i * ((double) (data_length - 2) / (double) (threshold - 2)));
}

/*
 * largestTriangleThreeBuckets() from github.com/sveinn-steinarsson/flot-downsample
 * (jquery.flot.downsample.js), transcribed line by line; times relative to
 * the first, as lttb.c uses them.  exact = false keeps the reference's
 * floating-point bucket edges, exact = true computes them exactly.
 */
static size_t
reference_lttb(const int64_t *times, const double *values, size_t data_length,
			   size_t threshold, size_t *sampled, bool exact)
{
	size_t		sampled_index = 0;
	size_t		a = 0;
	size_t		next_a = 0;
	size_t		i;

	if (threshold >= data_length || threshold == 0)
	{
		for (i = 0; i < data_length; i++)
			sampled[i] = i;
		return data_length;
	}
	sampled[sampled_index++] = a;
	for (i = 0; i < threshold - 2; i++)
	{
		double		avg_x = 0,
					avg_y = 0;
		size_t		avg_range_start = floor_every(i + 1, data_length, threshold, exact) + 1;
		size_t		avg_range_end = floor_every(i + 2, data_length, threshold, exact) + 1;
		size_t		avg_range_length;
		size_t		range_offs;
		size_t		range_to;
		double		point_a_x;
		double		point_a_y;
		double		max_area;
		double		area;

		avg_range_end = avg_range_end < data_length ? avg_range_end : data_length;
		avg_range_length = avg_range_end - avg_range_start;
		for (; avg_range_start < avg_range_end; avg_range_start++)
		{
			avg_x += (double) (times[avg_range_start] - times[0]);
			avg_y += values[avg_range_start];
		}
		avg_x /= (double) avg_range_length;
		avg_y /= (double) avg_range_length;

		range_offs = floor_every(i, data_length, threshold, exact) + 1;
		range_to = floor_every(i + 1, data_length, threshold, exact) + 1;
		point_a_x = (double) (times[a] - times[0]);
		point_a_y = values[a];
		max_area = area = -1;
		for (; range_offs < range_to; range_offs++)
		{
			area = fabs((point_a_x - avg_x) * (values[range_offs] - point_a_y) -
						(point_a_x - (double) (times[range_offs] - times[0])) * (avg_y - point_a_y)) * 0.5;
			if (area > max_area)
			{
				max_area = area;
				next_a = range_offs;
			}
		}
		sampled[sampled_index++] = next_a;
		a = next_a;
	}
	sampled[sampled_index++] = data_length - 1;
	return sampled_index;
}

static void
test_hand_example(void)
{
	/*
	 * n = 10, threshold 4: buckets [1,5) and [5,9).  Bucket 1 against
	 * a = (0,0) and the mean (6.5, -0.5) of bucket 2: areas
	 * |-6.5 v - 0.5 x| / 2 = 3.5, 16.75, 7.25, 1 -> index 2.  Bucket 2
	 * against a = (2,5) and the last point (9,0): areas
	 * |-7 (v - 5) + 5 (2 - x)| / 2 = 10, 18, 1.5, 2.5 -> index 6.
	 */
	static const int64_t t[] = {0, 1000000, 2000000, 3000000, 4000000, 5000000, 6000000,
	7000000, 8000000, 9000000};
	static const double v[] = {0, 1, 5, 2, 0, 0, -3, 1, 0, 0};
	size_t		idx[10];
	size_t		ref[10];
	int64_t		ot[10];
	double		ov[10];
	size_t		count = 99;

	check(lttb_select(t, v, 10, 4, idx, &count) == LTTB_OK && count == 4 &&
		  idx[0] == 0 && idx[1] == 2 && idx[2] == 6 && idx[3] == 9,
		  "hand-computed example: n=10, threshold 4 keeps indices 0, 2, 6, 9");
	check(reference_lttb(t, v, 10, 4, ref, false) == 4 && memcmp(ref, idx, 4 * sizeof(size_t)) == 0,
		  "reference port agrees on the hand example");
	check(lttb_downsample(t, v, 10, 4, ot, ov, &count) == LTTB_OK && count == 4 &&
		  ot[0] == 0 && ot[1] == 2000000 && ot[2] == 6000000 && ot[3] == 9000000 &&
		  ov[0] == 0 && ov[1] == 5 && ov[2] == -3 && ov[3] == 0,
		  "lttb_downsample copies the same points");

	/* threshold 3 on 4 points: one bucket of two points */
	check(lttb_select(t, v, 4, 3, idx, &count) == LTTB_OK && count == 3 &&
		  idx[0] == 0 && idx[1] == 2 && idx[2] == 3, "n=4, threshold 3 keeps the peak");

	/* a single spike in a flat line survives heavy downsampling */
	{
		static int64_t st[1000];
		static double sv[1000];
		size_t		i;
		bool		kept = false;

		for (i = 0; i < 1000; i++)
		{
			st[i] = (int64_t) i * 1000;
			sv[i] = i == 617 ? 100.0 : 1.0;
		}
		if (lttb_select(st, sv, 1000, 5, idx, &count) == LTTB_OK)
			for (i = 0; i < count; i++)
				kept |= idx[i] == 617;
		check(kept && count == 5, "a lone spike is kept at threshold 5 of 1000");
	}
}

static void
test_edges(void)
{
	static const int64_t t[] = {10, 20, 30, 40, 50};
	static const double v[] = {1, 2, 3, 4, 5};
	size_t		idx[8];
	size_t		count = 99;
	size_t		th;
	bool		identity = true;

	check(lttb_select(t, v, 5, 0, idx, &count) == LTTB_ERR_THRESHOLD && count == 0 &&
		  lttb_select(t, v, 5, 1, idx, &count) == LTTB_ERR_THRESHOLD &&
		  lttb_select(t, v, 5, 2, idx, &count) == LTTB_ERR_THRESHOLD &&
		  lttb_select(t, v, 0, 2, idx, &count) == LTTB_ERR_THRESHOLD,
		  "threshold below 3 rejected, even for short input");
	for (th = 5; th <= 8; th++)
	{
		size_t		i;

		if (lttb_select(t, v, 5, th, idx, &count) != LTTB_OK || count != 5)
			identity = false;
		for (i = 0; i < count; i++)
			if (idx[i] != i)
				identity = false;
	}
	check(identity, "threshold >= n returns the input unchanged");
	check(lttb_select(t, v, 0, 3, idx, &count) == LTTB_OK && count == 0, "no points: nothing");
	check(lttb_select(t, v, 1, 3, idx, &count) == LTTB_OK && count == 1 && idx[0] == 0, "one point: itself");
	check(lttb_output_size(5, 3) == 3 && lttb_output_size(5, 9) == 5 && lttb_output_size(0, 3) == 0,
		  "lttb_output_size is min(n, threshold)");

	{
		int64_t		dup_t[] = {10, 20, 20, 40, 50};
		int64_t		back_t[] = {10, 20, 30, 25, 50};
		double		nan_v[] = {1, 2, NAN, 4, 5};
		double		inf_v[] = {1, 2, 3, 4, -INFINITY};

		check(lttb_select(dup_t, v, 5, 3, idx, &count) == LTTB_ERR_TIME, "duplicate time rejected");
		check(lttb_select(back_t, v, 5, 3, idx, &count) == LTTB_ERR_TIME, "unsorted times rejected");
		check(lttb_select(t, nan_v, 5, 3, idx, &count) == LTTB_ERR_VALUE && count == 0, "NaN value rejected");
		check(lttb_select(t, inf_v, 5, 9, idx, &count) == LTTB_ERR_VALUE,
			  "infinite value rejected, also when nothing would be dropped");
	}
	check(strcmp(lttb_status_message(LTTB_ERR_VALUE), "unknown LTTB error") != 0 &&
		  strcmp(lttb_status_message((LttbStatus) 42), "unknown LTTB error") == 0, "status messages");
}

static void
test_random(void)
{
	static int64_t t[5000];
	static double v[5000];
	static size_t idx[5000];
	static size_t ref[5000];
	int			round;
	bool		agrees = true;
	bool		agrees_float = true;
	int			float_compared = 0;
	int			float_edges_moved = 0;
	bool		invariants = true;
	bool		deterministic = true;

	for (round = 0; round < 400; round++)
	{
		size_t		n = 3 + rng() % 4997;
		size_t		threshold = 3 + rng() % (n + 10);
		size_t		count;
		size_t		ref_count;
		size_t		i;
		double		level = 0;

		t[0] = (int64_t) (rng() % 4000000000000000ULL) - 2000000000000000LL;
		for (i = 0; i < n; i++)
		{
			if (i > 0)
				t[i] = t[i - 1] + 1 + (int64_t) (rng() % (round % 3 == 0 ? 3 : 60000000));
			level += rng_unit() - 0.5;
			v[i] = round % 5 == 0 ? (double) (rng() % 4) : level + (rng() % 50 == 0 ? 20 * rng_unit() : 0);
		}
		if (lttb_select(t, v, n, threshold, idx, &count) != LTTB_OK)
		{
			invariants = false;
			continue;
		}
		ref_count = reference_lttb(t, v, n, threshold, ref, true);
		if (ref_count != count || memcmp(ref, idx, count * sizeof(size_t)) != 0)
			agrees = false;
		/* the reference's own float edges: same result unless an edge moved */
		if (threshold < n)
		{
			bool		same_edges = true;

			for (i = 0; i <= threshold; i++)
				if (floor_every(i, n, threshold, true) != floor_every(i, n, threshold, false))
					same_edges = false;
			if (same_edges)
			{
				float_compared++;
				ref_count = reference_lttb(t, v, n, threshold, ref, false);
				if (ref_count != count || memcmp(ref, idx, count * sizeof(size_t)) != 0)
					agrees_float = false;
			}
			else
				float_edges_moved++;
		}
		if (count != lttb_output_size(n, threshold) || idx[0] != 0 || idx[count - 1] != n - 1)
			invariants = false;
		for (i = 1; i < count; i++)
			if (idx[i] <= idx[i - 1])
				invariants = false;
		if (lttb_select(t, v, n, threshold, ref, &ref_count) != LTTB_OK || ref_count != count ||
			memcmp(ref, idx, count * sizeof(size_t)) != 0)
			deterministic = false;
	}
	check(agrees, "same points as the reference algorithm (exact bucket edges) on 400 random series");
	check(agrees_float && float_compared > 50,
		  "same points as the unmodified reference wherever its float bucket edges are exact");
	printf("# %d series compared with the float-edge reference; in %d its edges were off by one\n",
		   float_compared, float_edges_moved);
	check(invariants, "output size exact, first and last kept, indices strictly increasing");
	check(deterministic, "same input, same output");
}

static void
test_million(void)
{
	size_t		n = 1000000;
	int64_t    *t = dl_alloc(n * sizeof(int64_t));
	double	   *v = dl_alloc(n * sizeof(double));
	int64_t    *ot = dl_alloc(1000 * sizeof(int64_t));
	double	   *ov = dl_alloc(1000 * sizeof(double));
	size_t		i,
				j,
				count = 0;
	clock_t		start;
	double		seconds;
	bool		subset = true;

	for (i = 0; i < n; i++)
	{
		t[i] = INT64_C(1700000000000000) + (int64_t) i * 1000000 + (int64_t) (rng() % 1000);
		v[i] = sin((double) i / 5000.0) * 100 + rng_unit();
	}
	start = clock();
	check(lttb_downsample(t, v, n, 1000, ot, ov, &count) == LTTB_OK && count == 1000,
		  "1,000,000 points to 1000");
	seconds = (double) (clock() - start) / CLOCKS_PER_SEC;
	printf("# 1,000,000 points downsampled in %.3f s\n", seconds);
	check(seconds < 1.0, "1,000,000 points in under a second");

	/* times and values a subset of the input: merge walk */
	j = 0;
	for (i = 0; i < count; i++)
	{
		while (j < n && t[j] < ot[i])
			j++;
		if (j == n || t[j] != ot[i] || v[j] != ov[i])
			subset = false;
	}
	check(subset && ot[0] == t[0] && ot[count - 1] == t[n - 1],
		  "output points are input points, first and last kept");
	dl_free(t);
	dl_free(v);
	dl_free(ot);
	dl_free(ov);
}

int
main(void)
{
	test_hand_example();
	test_edges();
	test_random();
	test_million();
	printf("1..%d\n", test_number);
	return failures == 0 ? 0 : 1;
}
