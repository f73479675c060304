/* unit-deps: src/aggregates/stats_moments.c src/storage/codec_buf.c */
/*
 * test_stats_moments.c
 *		Moments and regression states without a server: against a two-pass
 *		long double reference on data with large offsets; combine of chunks
 *		split anywhere (empty and one-value chunks included) equal to the
 *		whole; skewness and kurtosis as scipy defines them, on hand-checked
 *		values; non-finite inputs; serialization round trips and rejection
 *		of wrong lengths, versions and impossible states.
 *
 * Tolerances (relative unless said otherwise): mean 1e-12; variance and
 * standard deviation 1e-12 (measured <= 2e-14: the mean is a double-double,
 * see stats_moments.h); skewness and kurtosis 1e-7 absolute (measured
 * <= 3e-8 on 1e12 + Exp(10), where the data keep ~7 digits of their
 * spread); regression slope, r2, corr, covariances 1e-4 and intercept 1e-4
 * of |mean y| + |slope mean x| (the terms it cancels).  The regression
 * state is PostgreSQL's Youngs-Cramer one with plain double sums sx, sy,
 * whose rounding costs ~1e-7..1.2e-5 relative on data offset by 1e6..1e12
 * (measured, printed as "worst"); PostgreSQL's regr_* have the same error.
 * Combine vs one pass: the same tolerances.
 */
#include "util/portable.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "aggregates/stats_moments.h"

#include "tap.h"

#define N			200000
#define MEAN_TOL	1e-12
#define VAR_TOL		1e-12
#define SHAPE_TOL	1e-7
#define REGR_TOL	1e-4

typedef struct Rng
{
	uint64_t	state;
} Rng;

static uint64_t
rng_next(Rng *r)
{
	uint64_t	x = r->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	return x * UINT64_C(0x2545F4914F6CDD1D);
}

static double
rng_unit(Rng *r)
{
	return ((double) (rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

static double
rng_normal(Rng *r)
{
	return sqrt(-2.0 * log(rng_unit(r))) * cos(6.283185307179586 * rng_unit(r));
}

static bool
close_rel(double got, long double want, double tol)
{
	if (isnan(got) || isnan((double) want))
		return isnan(got) && isnan((double) want);
	return fabsl((long double) got - want) <= (long double) tol * fabsl(want) ||
		(long double) got == want;
}

static bool
close_abs(double got, long double want, double tol)
{
	if (isnan(got) || isnan((double) want))
		return isnan(got) && isnan((double) want);
	return fabsl((long double) got - want) <= (long double) tol;
}

/* ---------------------------------------------------------- references */

typedef struct Ref
{
	long double n;
	long double mean;
	long double m2;
	long double m3;
	long double m4;
	double		min;
	double		max;
} Ref;

/* two passes in long double, the mean corrected by the mean deviation */
static Ref
reference(const double *x, size_t n)
{
	Ref			r;
	long double s = 0.0L;
	long double c = 0.0L;
	size_t		i;

	memset(&r, 0, sizeof(r));
	r.n = n;
	r.min = r.max = x[0];
	for (i = 0; i < n; i++)
	{
		s += x[i];
		if (x[i] < r.min)
			r.min = x[i];
		if (x[i] > r.max)
			r.max = x[i];
	}
	r.mean = s / n;
	for (i = 0; i < n; i++)
		c += x[i] - r.mean;
	r.mean += c / n;
	for (i = 0; i < n; i++)
	{
		long double d = x[i] - r.mean;

		r.m2 += d * d;
		r.m3 += d * d * d;
		r.m4 += d * d * d * d;
	}
	return r;
}

static long double
ref_g1(const Ref *r)
{
	return sqrtl(r->n) * r->m3 / powl(r->m2, 1.5L);
}

static long double
ref_g2(const Ref *r)
{
	return r->n * r->m4 / (r->m2 * r->m2) - 3.0L;
}

static long double
ref_G1(const Ref *r)
{
	return ref_g1(r) * sqrtl(r->n * (r->n - 1)) / (r->n - 2);
}

static long double
ref_G2(const Ref *r)
{
	return ((r->n + 1) * ref_g2(r) + 6) * (r->n - 1) / ((r->n - 2) * (r->n - 3));
}

/* one estimator against its reference; prints the first few mismatches */
static bool
expect(const char *name, bool defined, double got, long double want, double tol, bool relative,
	   double *worst)
{
	long double err;

	if (!defined)
	{
		printf("#   %s undefined\n", name);
		return false;
	}
	err = fabsl((long double) got - want);
	if (relative && want != 0.0L)
		err /= fabsl(want);
	if (worst != NULL && err > *worst)
		*worst = (double) err;
	if (relative ? close_rel(got, want, tol) : close_abs(got, want, tol))
		return true;
	printf("#   %s = %.17g, want %.17Lg (error %.3Lg)\n", name, got, want, err);
	return false;
}

/* all estimators of s against the reference; reports the worst errors */
static bool
moments_match(const StatsMoments *s, const Ref *r, double *worst_var, double *worst_shape)
{
	double		v = NAN;
	bool		ok = s->count == (uint64_t) r->n;
	bool		def;

	def = stats_moments_mean(s, &v);
	ok &= expect("mean", def, v, r->mean, MEAN_TOL, true, NULL);
	def = stats_moments_variance_pop(s, &v);
	ok &= expect("var_pop", def, v, r->m2 / r->n, VAR_TOL, true, worst_var);
	def = stats_moments_variance_samp(s, &v);
	ok &= expect("var_samp", def, v, r->m2 / (r->n - 1), VAR_TOL, true, worst_var);
	def = stats_moments_stddev_pop(s, &v);
	ok &= expect("stddev_pop", def, v, sqrtl(r->m2 / r->n), VAR_TOL, true, worst_var);
	def = stats_moments_stddev_samp(s, &v);
	ok &= expect("stddev_samp", def, v, sqrtl(r->m2 / (r->n - 1)), VAR_TOL, true, worst_var);
	def = stats_moments_skewness(s, &v);
	ok &= expect("skewness", def, v, ref_g1(r), SHAPE_TOL, false, worst_shape);
	def = stats_moments_skewness_sample(s, &v);
	ok &= expect("skewness_sample", def, v, ref_G1(r), SHAPE_TOL, false, worst_shape);
	def = stats_moments_kurtosis(s, &v);
	ok &= expect("kurtosis", def, v, ref_g2(r), SHAPE_TOL, false, worst_shape);
	def = stats_moments_kurtosis_sample(s, &v);
	ok &= expect("kurtosis_sample", def, v, ref_G2(r), SHAPE_TOL, false, worst_shape);
	def = stats_moments_min(s, &v);
	ok &= expect("min", def, v, r->min, 0.0, true, NULL);
	def = stats_moments_max(s, &v);
	ok &= expect("max", def, v, r->max, 0.0, true, NULL);
	return ok;
}

/* every estimator of a and b agrees within the tolerances above */
static bool
moments_agree(const StatsMoments *a, const StatsMoments *b)
{
	Ref			r;

	r.n = (long double) b->count;
	r.mean = b->mean;
	r.m2 = b->m2;
	r.m3 = b->m3;
	r.m4 = b->m4;
	r.min = b->min;
	r.max = b->max;
	{
		double		w1 = 0.0;
		double		w2 = 0.0;

		return moments_match(a, &r, &w1, &w2);
	}
}

typedef enum Dist
{
	D_OFFSET_UNIFORM,
	D_OFFSET_NORMAL,
	D_NEG_OFFSET_EXP,
	D_LOGNORMAL,
	D_BIG_OFFSET,
	NDIST
} Dist;

static const char *const dist_names[] = {
	"1e9 + uniform[0, 1)",
	"1e9 + normal(0, 0.001)",
	"-1e9 - exponential(1)",
	"lognormal(0, 1)",
	"1e12 + exponential(10)"
};

static void
generate(Dist d, Rng *r, double *x, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		switch (d)
		{
			case D_OFFSET_UNIFORM:
				x[i] = 1e9 + rng_unit(r);
				break;
			case D_OFFSET_NORMAL:
				x[i] = 1e9 + 0.001 * rng_normal(r);
				break;
			case D_NEG_OFFSET_EXP:
				x[i] = -1e9 + log(rng_unit(r));
				break;
			case D_LOGNORMAL:
				x[i] = exp(rng_normal(r));
				break;
			case D_BIG_OFFSET:
				x[i] = 1e12 - 10.0 * log(rng_unit(r));
				break;
			case NDIST:
				break;
		}
}

static void
build(StatsMoments *s, const double *x, size_t from, size_t to)
{
	size_t		i;

	stats_moments_init(s);
	for (i = from; i < to; i++)
		stats_moments_add(s, x[i]);
}

/* random cut points, many of them adjacent (empty chunks) or 1 apart */
static size_t
random_cuts(Rng *r, size_t n, size_t *cuts, size_t max_cuts)
{
	size_t		k = 0;
	size_t		i;
	size_t		j;

	cuts[k++] = 0;
	while (k < max_cuts - 1)
	{
		uint64_t	kind = rng_next(r) % 4;
		size_t		prev = cuts[k - 1];

		if (kind == 0)
			cuts[k++] = prev;	/* empty chunk */
		else if (kind == 1 && prev + 1 <= n)
			cuts[k++] = prev + 1;	/* one value */
		else
			cuts[k++] = (size_t) (rng_next(r) % (n + 1));
	}
	cuts[k++] = n;
	/* sort */
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && cuts[j - 1] > cuts[j]; j--)
		{
			size_t		t = cuts[j];

			cuts[j] = cuts[j - 1];
			cuts[j - 1] = t;
		}
	return k;
}

static void
test_moments_accuracy(void)
{
	double	   *x = dl_alloc(N * sizeof(double));
	Rng			r = {UINT64_C(0x9E3779B97F4A7C15)};
	int			d;
	char		what[200];

	for (d = 0; d < NDIST; d++)
	{
		StatsMoments s;
		StatsMoments comb;
		StatsMoments tree[64];
		Ref			ref;
		double		wv = 0.0;
		double		ws = 0.0;
		size_t		cuts[64];
		size_t		k;
		size_t		i;
		int			trial;
		bool		ok;

		generate((Dist) d, &r, x, N);
		ref = reference(x, N);
		build(&s, x, 0, N);
		ok = moments_match(&s, &ref, &wv, &ws);
		snprintf(what, sizeof(what), "%s: one pass vs two-pass long double (variance off by %.2g, shape by %.2g)",
				 dist_names[d], wv, ws);
		check(ok, what);

		/* chunks in order, and as a tree, for several random splits */
		ok = true;
		wv = ws = 0.0;
		for (trial = 0; trial < 20; trial++)
		{
			size_t		nc = random_cuts(&r, N, cuts, trial < 10 ? 64 : 5);

			stats_moments_init(&comb);
			for (i = 0; i + 1 < nc; i++)
			{
				StatsMoments part;

				build(&part, x, cuts[i], cuts[i + 1]);
				if (i < 64)
					tree[i] = part;
				stats_moments_combine(&comb, &part);
			}
			ok = ok && moments_match(&comb, &ref, &wv, &ws) && moments_agree(&comb, &s);
			/* pairwise: ((0 1) (2 3)) ... */
			for (k = nc - 1; k > 1; k = (k + 1) / 2)
				for (i = 0; i < k; i += 2)
				{
					tree[i / 2] = tree[i];
					if (i + 1 < k)
						stats_moments_combine(&tree[i / 2], &tree[i + 1]);
				}
			ok = ok && moments_match(&tree[0], &ref, &wv, &ws);
		}
		snprintf(what, sizeof(what),
				 "%s: 20 random splits (empty and one-value chunks), combined in order and as a tree == whole (worst %.2g, %.2g)",
				 dist_names[d], wv, ws);
		check(ok, what);
	}
	dl_free(x);
}

/* ------------------------------------------------- hand-checked values */

/*
 * Reference values computed exactly with Python's fractions module (central
 * moments as exact rationals, then 40-digit decimal square roots) from the
 * formulas scipy documents: skew(x) = m3 / m2^1.5, kurtosis(x) = m4 / m2^2
 * - 3 with m_k = sum (x - mean)^k / n; bias=False: G1 = g1 sqrt(n(n-1)) /
 * (n-2), G2 = ((n+1) g2 + 6)(n-1) / ((n-2)(n-3)).  scipy.stats.skew of
 * {2,8,0,4,1,9,9,0} is 0.2650554122698573 in scipy's own documentation.
 */
typedef struct Hand
{
	const char *name;
	double		x[8];
	int			n;
	double		mean;
	double		var_pop;
	double		var_samp;
	double		g1;
	double		g2;
	double		G1;
	double		G2;
} Hand;

static const Hand hands[] = {
	{"1,2,3,4,10", {1, 2, 3, 4, 10}, 5,
	 4.0, 10.0, 12.5, 1.1384199576606167, -0.212, 1.697056274847714, 3.152},
	{"2,8,0,4,1,9,9,0", {2, 8, 0, 4, 1, 9, 9, 0}, 8,
	 4.125, 13.859375, 15.839285714285714, 0.26505541226985729, -1.6660010752838508,
	 0.33058218040797466, -2.0986022580960868},
	{"-3.5,0,0,1.25,7,7,7,100", {-3.5, 0, 0, 1.25, 7, 7, 7, 100}, 8,
	 14.84375, 1049.7646484375, 1199.7310267857142, 2.208178237262838, 2.993768298654842,
	 2.7540821375893194, 7.6869134271751687}
};

static void
test_hand_values(void)
{
	size_t		h;
	char		what[200];

	for (h = 0; h < sizeof(hands) / sizeof(hands[0]); h++)
	{
		const Hand *c = &hands[h];
		StatsMoments s;
		StatsMoments shifted;
		double		v;
		bool		ok;
		int			i;

		stats_moments_init(&s);
		stats_moments_init(&shifted);
		for (i = 0; i < c->n; i++)
		{
			stats_moments_add(&s, c->x[i]);
			stats_moments_add(&shifted, c->x[i] + 1e9);
		}
		ok = stats_moments_mean(&s, &v) && close_rel(v, c->mean, 1e-15) &&
			stats_moments_variance_pop(&s, &v) && close_rel(v, c->var_pop, 1e-14) &&
			stats_moments_variance_samp(&s, &v) && close_rel(v, c->var_samp, 1e-14) &&
			stats_moments_skewness(&s, &v) && close_rel(v, c->g1, 1e-14) &&
			stats_moments_kurtosis(&s, &v) && close_rel(v, c->g2, 1e-14) &&
			stats_moments_skewness_sample(&s, &v) && close_rel(v, c->G1, 1e-14) &&
			stats_moments_kurtosis_sample(&s, &v) && close_rel(v, c->G2, 1e-14);
		snprintf(what, sizeof(what), "x = %s: mean, variances, g1, g2, G1, G2 as scipy (1e-14)", c->name);
		check(ok, what);
		ok = stats_moments_mean(&shifted, &v) && close_rel(v, c->mean + 1e9, 1e-15) &&
			stats_moments_variance_pop(&shifted, &v) && close_rel(v, c->var_pop, 1e-9) &&
			stats_moments_skewness(&shifted, &v) && close_abs(v, c->g1, 1e-7) &&
			stats_moments_kurtosis(&shifted, &v) && close_abs(v, c->g2, 1e-7) &&
			stats_moments_skewness_sample(&shifted, &v) && close_abs(v, c->G1, 1e-7) &&
			stats_moments_kurtosis_sample(&shifted, &v) && close_abs(v, c->G2, 1e-7);
		snprintf(what, sizeof(what), "x = %s, plus 1e9: same variance and shape", c->name);
		check(ok, what);
	}
}

/* ------------------------------------------------------ the edge cases */

static void
test_moments_edges(void)
{
	StatsMoments s;
	StatsMoments t;
	double		v = 42.0;
	bool		ok;

	stats_moments_init(&s);
	ok = s.count == 0 && !stats_moments_mean(&s, &v) && !stats_moments_variance_pop(&s, &v) &&
		!stats_moments_variance_samp(&s, &v) && !stats_moments_stddev_pop(&s, &v) &&
		!stats_moments_skewness(&s, &v) && !stats_moments_kurtosis(&s, &v) &&
		!stats_moments_min(&s, &v) && !stats_moments_max(&s, &v) && v == 42.0;
	check(ok, "empty state: every estimator is absent");

	stats_moments_add(&s, 5.0);
	ok = stats_moments_mean(&s, &v) && v == 5.0 && stats_moments_variance_pop(&s, &v) && v == 0.0 &&
		!stats_moments_variance_samp(&s, &v) && !stats_moments_skewness(&s, &v) &&
		!stats_moments_kurtosis(&s, &v);
	stats_moments_add(&s, 5.0);
	stats_moments_add(&s, 5.0);
	stats_moments_add(&s, 5.0);
	ok = ok && stats_moments_variance_samp(&s, &v) && v == 0.0 && !stats_moments_skewness(&s, &v) &&
		!stats_moments_skewness_sample(&s, &v) && !stats_moments_kurtosis_sample(&s, &v);
	stats_moments_init(&s);
	stats_moments_add(&s, 1.0);
	stats_moments_add(&s, 2.0);
	ok = ok && stats_moments_skewness(&s, &v) && v == 0.0 && !stats_moments_skewness_sample(&s, &v) &&
		stats_moments_kurtosis(&s, &v) && v == -2.0 && !stats_moments_kurtosis_sample(&s, &v);
	stats_moments_add(&s, 3.0);
	ok = ok && stats_moments_skewness_sample(&s, &v) && v == 0.0 && !stats_moments_kurtosis_sample(&s, &v);
	check(ok, "one value: variance 0, no sample variance; constant data: no shape; G1 needs 3, G2 needs 4 values");

	/* combine with empty states on either side, and of two single values */
	stats_moments_init(&s);
	stats_moments_init(&t);
	stats_moments_combine(&s, &t);
	ok = s.count == 0;
	stats_moments_add(&t, 3.0);
	stats_moments_combine(&s, &t);
	ok = ok && memcmp(&s, &t, sizeof(s)) == 0;
	stats_moments_init(&t);
	stats_moments_combine(&s, &t);
	ok = ok && s.count == 1 && s.mean == 3.0;
	stats_moments_add(&t, 7.0);
	stats_moments_combine(&s, &t);
	ok = ok && s.count == 2 && s.mean == 5.0 && s.m2 == 8.0 && s.m3 == 0.0 && s.m4 == 32.0 &&
		s.min == 3.0 && s.max == 7.0;
	check(ok, "combine: empty + empty, empty + one, one + empty, one + one");

	/* non-finite values: the mean as the plain sum would be, moments NaN */
	{
		static const struct
		{
			double		a;
			double		b;
			double		mean;
		}			nf[] = {
			{INFINITY, 1.0, INFINITY}, {1.0, INFINITY, INFINITY}, {-INFINITY, 1.0, -INFINITY},
			{INFINITY, INFINITY, INFINITY}, {INFINITY, -INFINITY, NAN}, {NAN, 1.0, NAN}, {1.0, NAN, NAN}
		};
		size_t		i;

		ok = true;
		for (i = 0; i < sizeof(nf) / sizeof(nf[0]); i++)
		{
			StatsMoments a;
			StatsMoments b;
			StatsMoments c;
			StatsMoments d;

			stats_moments_init(&a);
			stats_moments_add(&a, nf[i].a);
			stats_moments_add(&a, nf[i].b);
			stats_moments_add(&a, 2.0);
			/* the same three values, combined from single-value states */
			stats_moments_init(&b);
			stats_moments_init(&c);
			stats_moments_init(&d);
			stats_moments_add(&b, nf[i].a);
			stats_moments_add(&c, nf[i].b);
			stats_moments_add(&d, 2.0);
			stats_moments_combine(&d, &c);
			stats_moments_combine(&d, &b);
			if (!close_rel(a.mean, nf[i].mean, 0) || !isnan(a.m2) || !isnan(a.m4) ||
				!close_rel(d.mean, nf[i].mean, 0) || !isnan(d.m2) || !isnan(d.m4) ||
				a.count != 3 || d.count != 3 ||
				!stats_moments_variance_pop(&a, &v) || !isnan(v))
			{
				printf("# %g, %g, 2: mean %g / %g, m2 %g / %g\n", nf[i].a, nf[i].b, a.mean, d.mean, a.m2, d.m2);
				ok = false;
			}
		}
		stats_moments_init(&s);
		stats_moments_add(&s, 1.0);
		stats_moments_add(&s, NAN);
		stats_moments_add(&s, -1.0);
		ok = ok && isnan(s.max) && s.min == -1.0;
		check(ok, "inf/NaN in any position, added or combined: mean inf/NaN like a sum, moments NaN, NaN the largest");
	}
}

/* ---------------------------------------------------------- regression */

typedef struct RegrRef
{
	long double n;
	long double mx;
	long double my;
	long double sxx;
	long double syy;
	long double sxy;
} RegrRef;

static RegrRef
regr_reference(const double *y, const double *x, size_t n)
{
	RegrRef		r;
	long double sx = 0.0L;
	long double sy = 0.0L;
	size_t		i;

	memset(&r, 0, sizeof(r));
	r.n = n;
	for (i = 0; i < n; i++)
	{
		sx += x[i];
		sy += y[i];
	}
	r.mx = sx / n;
	r.my = sy / n;
	sx = sy = 0.0L;
	for (i = 0; i < n; i++)
	{
		sx += x[i] - r.mx;
		sy += y[i] - r.my;
	}
	r.mx += sx / n;
	r.my += sy / n;
	for (i = 0; i < n; i++)
	{
		long double dx = x[i] - r.mx;
		long double dy = y[i] - r.my;

		r.sxx += dx * dx;
		r.syy += dy * dy;
		r.sxy += dx * dy;
	}
	return r;
}

static bool
regr_match(const RegrState *s, const RegrRef *r, double *worst)
{
	double		v = NAN;
	long double slope = r->sxy / r->sxx;
	long double corr = r->sxy / sqrtl(r->sxx * r->syy);
	bool		ok = s->n == (uint64_t) r->n;
	bool		def;

	def = regr_slope(s, &v);
	ok &= expect("slope", def, v, slope, REGR_TOL, true, worst);
	def = regr_intercept(s, &v);
	/* relative to the terms the intercept cancels: mean y and slope * mean x */
	ok &= expect("intercept", def, v / (double) (fabsl(r->my) + fabsl(slope * r->mx)),
				 (r->my - slope * r->mx) / (fabsl(r->my) + fabsl(slope * r->mx)), REGR_TOL, false, worst);
	def = regr_r2(s, &v);
	ok &= expect("r2", def, v, corr * corr, REGR_TOL, true, worst);
	def = regr_corr(s, &v);
	ok &= expect("corr", def, v, corr, REGR_TOL, true, worst);
	def = regr_covar_pop(s, &v);
	ok &= expect("covar_pop", def, v, r->sxy / r->n, REGR_TOL, true, worst);
	def = regr_covar_samp(s, &v);
	ok &= expect("covar_samp", def, v, r->sxy / (r->n - 1), REGR_TOL, true, worst);
	return ok;
}

static void
test_regression(void)
{
	double	   *x = dl_alloc(N * sizeof(double));
	double	   *y = dl_alloc(N * sizeof(double));
	Rng			rg = {UINT64_C(0xD1B54A32D192ED03)};
	int			d;
	char		what[200];
	static const char *const names[] = {
		"y = 3 + 2.5 x + noise, x = 1e9 + uniform[0, 1)",
		"y = 1e9 - 0.001 x + noise, x = -1e6 + normal(0, 10)",
		"weak correlation, y and x around 1e12",
	};

	for (d = 0; d < 3; d++)
	{
		RegrState	s;
		RegrState	comb;
		RegrRef		ref;
		double		worst = 0.0;
		size_t		cuts[64];
		size_t		i;
		int			trial;
		bool		ok;

		for (i = 0; i < N; i++)
		{
			switch (d)
			{
				case 0:
					x[i] = 1e9 + rng_unit(&rg);
					y[i] = 3.0 + 2.5 * (x[i] - 1e9) + 0.1 * rng_normal(&rg) + 2.5e9;
					break;
				case 1:
					x[i] = -1e6 + 10.0 * rng_normal(&rg);
					y[i] = 1e9 - 0.001 * x[i] + 0.01 * rng_normal(&rg);
					break;
				default:
					x[i] = 1e12 + 100.0 * rng_normal(&rg);
					y[i] = 1e12 + 0.05 * (x[i] - 1e12) + 100.0 * rng_normal(&rg);
					break;
			}
		}
		ref = regr_reference(y, x, N);
		regr_init(&s);
		for (i = 0; i < N; i++)
			regr_add(&s, y[i], x[i]);
		ok = regr_match(&s, &ref, &worst);
		snprintf(what, sizeof(what), "regr, %s: slope, intercept, r2, corr, covariances vs two-pass (worst %.2g)",
				 names[d], worst);
		check(ok, what);

		ok = true;
		worst = 0.0;
		for (trial = 0; trial < 20; trial++)
		{
			size_t		nc = random_cuts(&rg, N, cuts, trial < 10 ? 64 : 4);

			regr_init(&comb);
			for (i = 0; i + 1 < nc; i++)
			{
				RegrState	part;
				size_t		j;

				regr_init(&part);
				for (j = cuts[i]; j < cuts[i + 1]; j++)
					regr_add(&part, y[j], x[j]);
				regr_combine(&comb, &part);
			}
			ok = ok && regr_match(&comb, &ref, &worst);
		}
		snprintf(what, sizeof(what), "regr, %s: 20 random splits combined == whole (worst %.2g)", names[d], worst);
		check(ok, what);
	}
	dl_free(x);
	dl_free(y);

	/* small exact case: y = 2x + 1 on x = 1..4, plus one off point */
	{
		RegrState	s;
		double		v;
		bool		ok;

		regr_init(&s);
		ok = !regr_slope(&s, &v) && !regr_intercept(&s, &v) && !regr_r2(&s, &v) &&
			!regr_corr(&s, &v) && !regr_covar_pop(&s, &v) && !regr_covar_samp(&s, &v);
		regr_add(&s, 3, 1);
		ok = ok && !regr_slope(&s, &v) && regr_covar_pop(&s, &v) && v == 0.0 && !regr_covar_samp(&s, &v);
		regr_add(&s, 5, 2);
		regr_add(&s, 7, 3);
		regr_add(&s, 9, 4);
		ok = ok && regr_slope(&s, &v) && v == 2.0 && regr_intercept(&s, &v) && v == 1.0 &&
			regr_r2(&s, &v) && v == 1.0 && regr_corr(&s, &v) && v == 1.0 &&
			regr_covar_pop(&s, &v) && v == 2.5 && regr_covar_samp(&s, &v) && fabs(v - 10.0 / 3.0) < 1e-15;
		/* x = 1..5, y = 3,5,7,9,4: sxx 10, syy 23.2, sxy 6, slope 0.6, intercept 3.8 */
		regr_add(&s, 4, 5);
		ok = ok && regr_slope(&s, &v) && fabs(v - 0.6) < 1e-15 && regr_intercept(&s, &v) &&
			fabs(v - 3.8) < 1e-14 && regr_r2(&s, &v) && fabs(v - 36.0 / 232.0) < 1e-15 &&
			regr_corr(&s, &v) && fabs(v - 6.0 / sqrt(232.0)) < 1e-15;
		check(ok, "regr: empty and one point undefined; exact line; hand-computed slope 0.6, intercept 3.8, r2 36/232");

		/* constant x: no slope; constant y: r2 = 1, corr undefined */
		regr_init(&s);
		regr_add(&s, 1, 5);
		regr_add(&s, 2, 5);
		ok = !regr_slope(&s, &v) && !regr_r2(&s, &v) && !regr_corr(&s, &v);
		regr_init(&s);
		regr_add(&s, 7, 1);
		regr_add(&s, 7, 2);
		ok = ok && regr_slope(&s, &v) && v == 0.0 && regr_r2(&s, &v) && v == 1.0 && !regr_corr(&s, &v);
		check(ok, "regr: constant x has no slope or r2; constant y has r2 1 and no corr (as PostgreSQL)");

		/* a NaN first point makes the sums NaN, as float8_regr_accum does */
		regr_init(&s);
		regr_add(&s, 1.0, NAN);
		ok = regr_slope(&s, &v) && isnan(v) && isnan(s.sxx) && isnan(s.sxy) && s.syy == 0.0;
		regr_init(&s);
		regr_add(&s, INFINITY, 1.0);
		ok = ok && isnan(s.syy) && isnan(s.sxy) && s.sxx == 0.0;
		regr_add(&s, 2.0, 2.0);
		ok = ok && isnan(s.syy) && isnan(s.sxy) && s.sxx == 0.5 && regr_slope(&s, &v) && isnan(v);
		check(ok, "regr: NaN or inf first input makes the dependent sums NaN (PostgreSQL semantics)");

		/* combine with empty and single-point states */
		{
			RegrState	a;
			RegrState	b;

			regr_init(&a);
			regr_init(&b);
			regr_combine(&a, &b);
			ok = a.n == 0;
			regr_add(&b, 3, 1);
			regr_combine(&a, &b);
			ok = ok && memcmp(&a, &b, sizeof(a)) == 0;
			regr_init(&b);
			regr_combine(&a, &b);
			regr_add(&b, 5, 2);
			regr_combine(&a, &b);
			ok = ok && a.n == 2 && regr_slope(&a, &v) && v == 2.0 && regr_intercept(&a, &v) && v == 1.0;
			check(ok, "regr combine: empty + empty, empty + one, one + empty, one + one");
		}
	}
}

/* ------------------------------------------------------- binary forms */

static void
test_serialization(void)
{
	StatsMoments s;
	StatsMoments back;
	RegrState	r;
	RegrState	rback;
	uint8_t		buf[STATS_MOMENTS_SERIALIZED_SIZE + 8];
	uint8_t		rbuf[REGR_SERIALIZED_SIZE + 8];
	double		d;
	size_t		len;
	bool		ok;
	int			i;

	stats_moments_init(&s);
	stats_moments_serialize(&s, buf);
	ok = stats_moments_deserialize(buf, STATS_MOMENTS_SERIALIZED_SIZE, &back) == STATS_OK &&
		memcmp(&s, &back, sizeof(s)) == 0;
	for (i = 0; i < 1000; i++)
		stats_moments_add(&s, sin(i) * 1e3 + 1e9);
	stats_moments_serialize(&s, buf);
	ok = ok && stats_moments_deserialize(buf, STATS_MOMENTS_SERIALIZED_SIZE, &back) == STATS_OK &&
		memcmp(&s, &back, sizeof(s)) == 0;
	stats_moments_add(&s, NAN);
	stats_moments_serialize(&s, buf);
	ok = ok && stats_moments_deserialize(buf, STATS_MOMENTS_SERIALIZED_SIZE, &back) == STATS_OK &&
		back.count == 1001 && isnan(back.m2) && isnan(back.max);
	stats_moments_init(&s);
	stats_moments_add(&s, -INFINITY);
	stats_moments_serialize(&s, buf);
	ok = ok && stats_moments_deserialize(buf, STATS_MOMENTS_SERIALIZED_SIZE, &back) == STATS_OK &&
		back.count == 1 && isnan(back.m2) && back.min == -INFINITY;
	check(ok, "moments: empty, 1000 values, NaN and -inf states round trip bit for bit");

	regr_init(&r);
	regr_serialize(&r, rbuf);
	ok = regr_deserialize(rbuf, REGR_SERIALIZED_SIZE, &rback) == STATS_OK && memcmp(&r, &rback, sizeof(r)) == 0;
	for (i = 0; i < 1000; i++)
		regr_add(&r, cos(i) + 2.0 * i, 1e9 + i);
	regr_serialize(&r, rbuf);
	ok = ok && regr_deserialize(rbuf, REGR_SERIALIZED_SIZE, &rback) == STATS_OK &&
		memcmp(&r, &rback, sizeof(r)) == 0;
	regr_init(&r);
	regr_add(&r, NAN, 1.0);
	regr_serialize(&r, rbuf);
	ok = ok && regr_deserialize(rbuf, REGR_SERIALIZED_SIZE, &rback) == STATS_OK && isnan(rback.syy);
	check(ok, "regr: empty, 1000 points and a NaN state round trip bit for bit");

	/* lengths */
	stats_moments_init(&s);
	stats_moments_add(&s, 1.0);
	stats_moments_add(&s, 2.0);
	stats_moments_serialize(&s, buf);
	buf[STATS_MOMENTS_SERIALIZED_SIZE] = 0;
	ok = true;
	for (len = 0; len <= STATS_MOMENTS_SERIALIZED_SIZE + 1; len++)
		if (len != STATS_MOMENTS_SERIALIZED_SIZE &&
			stats_moments_deserialize(buf, len, &back) != STATS_ERR_TRUNCATED)
			ok = false;
	regr_init(&r);
	regr_add(&r, 1.0, 2.0);
	regr_add(&r, 3.0, 5.0);
	regr_serialize(&r, rbuf);
	rbuf[REGR_SERIALIZED_SIZE] = 0;
	for (len = 0; len <= REGR_SERIALIZED_SIZE + 1; len++)
		if (len != REGR_SERIALIZED_SIZE && regr_deserialize(rbuf, len, &rback) != STATS_ERR_TRUNCATED)
			ok = false;
	check(ok, "every length but the right one is rejected as truncated");

	/* versions, kinds, padding */
	{
		uint8_t		t[STATS_MOMENTS_SERIALIZED_SIZE];

		memcpy(t, buf, sizeof(t));
		t[0] = 2;
		ok = stats_moments_deserialize(t, sizeof(t), &back) == STATS_ERR_VERSION;
		t[0] = 0;
		ok = ok && stats_moments_deserialize(t, sizeof(t), &back) == STATS_ERR_VERSION;
		memcpy(t, buf, sizeof(t));
		t[1] = 2;
		ok = ok && stats_moments_deserialize(t, sizeof(t), &back) == STATS_ERR_VERSION;
		ok = ok && regr_deserialize(buf, REGR_SERIALIZED_SIZE, &rback) == STATS_ERR_VERSION;
		ok = ok && stats_moments_deserialize(rbuf, STATS_MOMENTS_SERIALIZED_SIZE, &back) == STATS_ERR_VERSION;
		memcpy(t, buf, sizeof(t));
		t[2] = 1;
		ok = ok && stats_moments_deserialize(t, sizeof(t), &back) == STATS_ERR_CORRUPT;
		memcpy(t, buf, sizeof(t));
		t[3] = 0x80;
		ok = ok && stats_moments_deserialize(t, sizeof(t), &back) == STATS_ERR_CORRUPT;
		check(ok, "unknown versions, the other state's kind and non-zero padding are rejected");
	}

	/* impossible moments */
	{
		static const struct
		{
			uint64_t	count;
			double		f[6];	/* mean, m2, m3, m4, min, max */
			StatsStatus want;
		}			cases[] = {
			{2, {1.5, 0.5, 0, 0.125, 1, 2}, STATS_OK},
			{2, {1.5, -0.5, 0, 0.125, 1, 2}, STATS_ERR_CORRUPT},
			{2, {1.5, 0.5, 0, -0.125, 1, 2}, STATS_ERR_CORRUPT},
			{2, {1.5, 0.5, 0, 0.125, 2, 1}, STATS_ERR_CORRUPT},
			{2, {1.5, 0.5, 0, 0.125, NAN, 1}, STATS_ERR_CORRUPT},
			{2, {1.5, 0.5, 0, 0.125, 1, NAN}, STATS_OK},
			{2, {NAN, NAN, NAN, NAN, 1, NAN}, STATS_OK},
			{0, {0, 0, 0, 0, 0, 0}, STATS_OK},
			{0, {1, 0, 0, 0, 0, 0}, STATS_ERR_CORRUPT},
			{0, {0, 1, 0, 0, 0, 0}, STATS_ERR_CORRUPT},
			{0, {0, 0, 0, 0, 0, 1}, STATS_ERR_CORRUPT},
			{0, {NAN, 0, 0, 0, 0, 0}, STATS_ERR_CORRUPT},
			{1, {3, 0, 0, 0, 3, 3}, STATS_OK},
			{1, {3, 1, 0, 0, 3, 3}, STATS_ERR_CORRUPT},
			{1, {3, 0, 1, 0, 3, 3}, STATS_ERR_CORRUPT},
			{1, {3, 0, 0, 0, 3, 4}, STATS_ERR_CORRUPT},
			{1, {INFINITY, NAN, NAN, NAN, INFINITY, INFINITY}, STATS_OK}
		};
		size_t		c;

		ok = true;
		for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		{
			StatsStatus st;

			s.count = cases[c].count;
			s.mean = cases[c].f[0];
			s.m2 = cases[c].f[1];
			s.m3 = cases[c].f[2];
			s.m4 = cases[c].f[3];
			s.min = cases[c].f[4];
			s.max = cases[c].f[5];
			stats_moments_serialize(&s, buf);
			back.count = 99;
			st = stats_moments_deserialize(buf, STATS_MOMENTS_SERIALIZED_SIZE, &back);
			if (st != cases[c].want || (st != STATS_OK && back.count != 0))
			{
				printf("# moments case %zu: status %d\n", c, (int) st);
				ok = false;
			}
		}
		check(ok, "moments: negative m2/m4, min > max, non-zero empty state, spread in one value: rejected");
	}

	/* impossible regression states */
	{
		static const struct
		{
			uint64_t	n;
			double		f[5];	/* sx, sy, sxx, syy, sxy */
			StatsStatus want;
		}			cases[] = {
			{3, {6, 9, 2, 2, 2}, STATS_OK},
			{3, {6, 9, -2, 2, 2}, STATS_ERR_CORRUPT},
			{3, {6, 9, 2, -2, 2}, STATS_ERR_CORRUPT},
			{3, {6, 9, 2, 2, -2}, STATS_OK},
			{3, {NAN, 9, NAN, 2, NAN}, STATS_OK},
			{0, {0, 0, 0, 0, 0}, STATS_OK},
			{0, {1, 0, 0, 0, 0}, STATS_ERR_CORRUPT},
			{0, {0, 0, 0, 0, NAN}, STATS_ERR_CORRUPT},
			{1, {1, 2, 0, 0, 0}, STATS_OK},
			{1, {1, 2, 1, 0, 0}, STATS_ERR_CORRUPT},
			{1, {1, 2, 0, 0, 1}, STATS_ERR_CORRUPT},
			{1, {NAN, 2, NAN, 0, NAN}, STATS_OK}
		};
		size_t		c;

		ok = true;
		for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		{
			StatsStatus st;

			r.n = cases[c].n;
			r.sx = cases[c].f[0];
			r.sy = cases[c].f[1];
			r.sxx = cases[c].f[2];
			r.syy = cases[c].f[3];
			r.sxy = cases[c].f[4];
			regr_serialize(&r, rbuf);
			rback.n = 99;
			st = regr_deserialize(rbuf, REGR_SERIALIZED_SIZE, &rback);
			if (st != cases[c].want || (st != STATS_OK && rback.n != 0))
			{
				printf("# regr case %zu: status %d\n", c, (int) st);
				ok = false;
			}
		}
		check(ok, "regr: negative sxx/syy, non-zero empty state, spread in one point: rejected");
	}
	(void) d;
}

int
main(void)
{
	test_hand_values();
	test_moments_edges();
	test_serialization();
	test_moments_accuracy();
	test_regression();
	printf("1..%d\n", test_number);
	if (failures > 0)
		printf("# %d of %d checks failed\n", failures, test_number);
	return failures > 0 ? 1 : 0;
}
