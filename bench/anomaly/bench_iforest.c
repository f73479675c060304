/*
 * bench_iforest.c
 *		Micro-benchmark of the isolation forest core: fit and score
 *		100,000 points of 4 values.
 *
 * Build and run (no server):
 *   cc -std=c99 -O2 -DDATALAYER_STANDALONE -Isrc -o /tmp/bench_iforest \
 *      bench/anomaly/bench_iforest.c src/analytics/isolation_forest.c -lm && /tmp/bench_iforest
 *
 * The points are standard normal with 0.1% of them moved 6 to 7 sigma away.
 * For 100 trees (the default) and 1000 trees, psi = 256, it prints the time
 * to grow the forest, to score every point against it, and the batch call
 * (iforest_score: grow, score, auto threshold), as the median of 5 runs,
 * and the cost per point and tree.  The baseline, measured in the same run,
 * is one pass over the points computing each one's distance to the column
 * means (the cheapest multivariate score there is), so the ratio says how
 * many such passes the forest costs.
 */
#define _POSIX_C_SOURCE 199309L
#include "util/portable.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "analytics/isolation_forest.h"

#define POINTS	100000
#define DIMS	4
#define RUNS	5

static uint64_t rng_state = 0x1F0E57B3A5C0FFEEULL;

static double
rng_unit(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double) ((rng_state * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

static int
compare_doubles(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, n, sizeof(double), compare_doubles);
	return v[n / 2];
}

/* the baseline: distance of each point to the column means */
static void
distance_to_mean(const double *x, size_t n, int d, double *out)
{
	double		mean[DIMS] = {0};
	size_t		i;
	int			j;

	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
			mean[j] += x[i * d + j];
	for (j = 0; j < d; j++)
		mean[j] /= (double) n;
	for (i = 0; i < n; i++)
	{
		double		sum = 0;

		for (j = 0; j < d; j++)
			sum += (x[i * d + j] - mean[j]) * (x[i * d + j] - mean[j]);
		out[i] = sqrt(sum);
	}
}

int
main(void)
{
	double	   *x = malloc(sizeof(double) * POINTS * DIMS);
	double	   *scores = malloc(sizeof(double) * POINTS);
	bool	   *flags = malloc(sizeof(bool) * POINTS);
	double		t_base[RUNS];
	double		base;
	int			tree_counts[2] = {100, 1000};
	size_t		i;
	int			k;

	for (i = 0; i < (size_t) POINTS * DIMS; i += 2)
	{
		double		r = sqrt(-2.0 * log(1.0 - rng_unit()));
		double		a = 6.283185307179586 * rng_unit();

		x[i] = r * cos(a);
		x[i + 1] = r * sin(a);
	}
	for (i = 0; i < POINTS; i += 1000)
		x[i * DIMS] = 6.0 + rng_unit();

	for (k = 0; k < RUNS; k++)
	{
		double		t0 = seconds();

		distance_to_mean(x, POINTS, DIMS, scores);
		t_base[k] = seconds() - t0;
	}
	base = median(t_base, RUNS);
	printf("isolation forest, %d points x %d values, psi 256, median of %d runs\n",
		   POINTS, DIMS, RUNS);
	printf("baseline (distance to the means, one pass): %.2f ms\n", 1e3 * base);

	for (k = 0; k < 2; k++)
	{
		IForestOptions o;
		IForest    *model = NULL;
		double		t_fit[RUNS],
					t_score[RUNS],
					t_batch[RUNS];
		double		fit,
					score,
					batch;
		int			r,
					flagged = 0,
					planted = 0;

		iforest_default_options(&o);
		o.n_trees = tree_counts[k];
		for (r = 0; r < RUNS; r++)
		{
			double		t0 = seconds();

			iforest_fit(x, POINTS, DIMS, &o, &model);
			t_fit[r] = seconds() - t0;
			t0 = seconds();
			iforest_score_points(model, x, POINTS, DIMS, scores, flags);
			t_score[r] = seconds() - t0;
			iforest_free(model);
			t0 = seconds();
			iforest_score(x, POINTS, DIMS, &o, scores, flags, NULL);
			t_batch[r] = seconds() - t0;
		}
		fit = median(t_fit, RUNS);
		score = median(t_score, RUNS);
		batch = median(t_batch, RUNS);
		for (i = 0; i < POINTS; i++)
		{
			flagged += flags[i];
			planted += flags[i] && i % 1000 == 0;
		}
		printf("%4d trees: fit %.2f ms, score %.1f ms (%.1f ns per point and tree), "
			   "batch %.1f ms = %.0f x baseline; flagged %d, of them %d of the %d planted\n",
			   o.n_trees, 1e3 * fit, 1e3 * score, 1e9 * score / POINTS / o.n_trees,
			   1e3 * batch, batch / base, flagged, planted, POINTS / 1000);
	}
	free(x);
	free(scores);
	free(flags);
	return 0;
}
