/* unit-deps: src/aggregates/uddsketch.c src/storage/codec_buf.c */
/*
 * test_uddsketch.c
 *		UDDSketch without a server: every quantile of a million values from
 *		several distributions against the exact nearest-rank quantile, with
 *		and without collapses; merge of parts equal to the sketch of the
 *		whole; argument checks; the empty sketch; serialization round trips
 *		and rejection of truncated, bit-flipped and hostile buffers.
 *
 * Accuracy check: |estimate - exact| <= (e + 1e-12) * |exact| with
 * e = udd_relative_error(); the 1e-12 leaves room for the rounding of ln
 * and exp (|ln v| up to 745) at bucket boundaries: measured overshoot is
 * at most 3e-16 (see the boundary tests' output).
 */
#include "util/portable.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "aggregates/uddsketch.h"
#include "storage/codec_buf.h"

#include "tap.h"

#define NVALUES		1000000
#define ABS_SLACK	1e-12

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

/* uniform in (0, 1) */
static double
rng_unit(Rng *r)
{
	return ((double) (rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

static double
rng_normal(Rng *r)
{
	double		u1 = rng_unit(r);
	double		u2 = rng_unit(r);

	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static const double quantiles[] = {0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0};
#define NQUANTILES (sizeof(quantiles) / sizeof(quantiles[0]))

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* nearest rank: the value of rank max(1, ceil(q n)) of the sorted values */
static double
exact_quantile(const double *sorted, size_t n, double q)
{
	double		r = ceil(q * (double) n);
	size_t		rank = r < 1.0 ? 1 : (r >= (double) n ? n : (size_t) r);

	return sorted[rank - 1];
}

/*
 * Checks every quantile of the sketch against the sorted values; returns
 * the largest |est - exact| / |exact| seen (0 for an exact zero) and
 * stores in *ratio the largest such error divided by the bound.
 */
static bool
quantiles_within_bound(const UddSketch *s, const double *sorted, size_t n,
					   double *max_rel, double *ratio)
{
	double		bound = udd_relative_error(s);
	bool		ok = true;
	size_t		i;

	for (i = 0; i < NQUANTILES; i++)
	{
		double		est;
		double		exact = exact_quantile(sorted, n, quantiles[i]);
		double		err;

		if (udd_quantile(s, quantiles[i], &est) != UDD_OK)
			return false;
		if (exact == 0.0)
		{
			if (est != 0.0)
				ok = false;
			continue;
		}
		err = fabs(est - exact) / fabs(exact);
		if (err > *max_rel)
			*max_rel = err;
		if (err / bound > *ratio)
			*ratio = err / bound;
		if (err > bound + ABS_SLACK)
		{
			printf("# q=%g exact=%.17g est=%.17g err=%.3g bound=%.3g\n",
				   quantiles[i], exact, est, err, bound);
			ok = false;
		}
	}
	return ok;
}

/* every finite-value quantile in [0, 1] in steps of 1/steps */
static bool
dense_quantiles_within_bound(const UddSketch *s, const double *sorted, size_t n, int steps)
{
	double		bound = udd_relative_error(s);
	int			i;

	for (i = 0; i <= steps; i++)
	{
		double		q = (double) i / steps;
		double		est;
		double		exact = exact_quantile(sorted, n, q);

		if (udd_quantile(s, q, &est) != UDD_OK)
			return false;
		if (fabs(est - exact) > (bound + ABS_SLACK) * fabs(exact))
		{
			printf("# q=%g exact=%.17g est=%.17g bound=%.3g\n", q, exact, est, bound);
			return false;
		}
	}
	return true;
}

typedef enum Dist
{
	DIST_UNIFORM,
	DIST_LOGNORMAL,
	DIST_WIDE,
	DIST_MIXED,
	DIST_DUPLICATES,
	DIST_OFFSET,
	NDIST
} Dist;

static const char *const dist_names[] = {
	"uniform(0, 1000)",
	"lognormal(0, 2)",
	"log-uniform 1e-6..1e9",
	"mixed negative/zero/positive",
	"many duplicates",
	"1e9 + normal(0, 1)"
};

static void
generate(Dist d, Rng *r, double *v, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		switch (d)
		{
			case DIST_UNIFORM:
				v[i] = 1000.0 * rng_unit(r);
				break;
			case DIST_LOGNORMAL:
				v[i] = exp(2.0 * rng_normal(r));
				break;
			case DIST_WIDE:
				v[i] = exp(log(1e-6) + (log(1e9) - log(1e-6)) * rng_unit(r));
				if (i == 0)
					v[i] = 1e-6;
				else if (i == 1)
					v[i] = 1e9;
				break;
			case DIST_MIXED:
				{
					uint64_t	k = rng_next(r) % 10;

					if (k < 2)
						v[i] = 0.0;
					else if (k < 6)
						v[i] = -exp(3.0 * rng_normal(r));
					else
						v[i] = exp(3.0 * rng_normal(r));
					break;
				}
			case DIST_DUPLICATES:
				{
					/* 25 distinct values, heavily skewed towards the first */
					static const double pool[] = {
						1, 2, 3, 5, 7, 10, 0.5, 0.25, 100, 1000, -1, -2, -100, 0,
						42, 43, 44, 1e6, 3.14159, 2.71828, 1e-3, 9.99, 10.01, 11, -1e-3
					};
					uint64_t	k = rng_next(r) % 1000;
					size_t		idx = k < 500 ? 0 : (k < 750 ? 1 : (size_t) (k % 25));

					v[i] = pool[idx];
					break;
				}
			case DIST_OFFSET:
				v[i] = 1e9 + rng_normal(r);
				break;
			case NDIST:
				break;
		}
	}
}

static UddSketch *
build(double alpha, uint32_t max_buckets, const double *v, size_t from, size_t to)
{
	UddSketch  *s;
	size_t		i;

	if (udd_create(alpha, max_buckets, &s) != UDD_OK)
	{
		fprintf(stderr, "udd_create failed\n");
		exit(2);
	}
	for (i = from; i < to; i++)
		if (udd_add(s, v[i]) != UDD_OK)
		{
			fprintf(stderr, "udd_add failed\n");
			exit(2);
		}
	return s;
}

/*
 * Same buckets, counts, level, min and max: the serialized forms agree
 * except for the sum (bytes 52..59), which depends on the addition order.
 */
static bool
same_sketch(const UddSketch *a, const UddSketch *b, bool compare_sum)
{
	uint8_t    *ba;
	uint8_t    *bb;
	size_t		la;
	size_t		lb;
	bool		same;
	size_t		i;

	udd_serialize(a, 0, &ba, &la);
	udd_serialize(b, 0, &bb, &lb);
	same = la == lb;
	for (i = 0; same && i < la; i++)
		if (ba[i] != bb[i] && (compare_sum || i < 52 || i >= 60))
			same = false;
	dl_free(ba);
	dl_free(bb);
	if (a->count != b->count || a->zero_count != b->zero_count || a->levels != b->levels)
		same = false;
	for (i = 0; same && i < NQUANTILES; i++)
	{
		double		qa;
		double		qb;

		if (a->count == 0)
			break;
		udd_quantile(a, quantiles[i], &qa);
		udd_quantile(b, quantiles[i], &qb);
		if (memcmp(&qa, &qb, sizeof(double)) != 0)
			same = false;
	}
	return same;
}

/* ---------------------------------------------------------- accuracy */

typedef struct Config
{
	double		alpha;
	uint32_t	max_buckets;
} Config;

static void
test_accuracy(void)
{
	static const Config configs[] = {
		{0.01, 4096},			/* no collapse expected */
		{0.001, 1024},			/* collapses */
		{0.01, 64},				/* many collapses */
		{0.05, 8}				/* the smallest bucket limit */
	};
	double	   *v = dl_alloc(NVALUES * sizeof(double));
	double	   *sorted = dl_alloc(NVALUES * sizeof(double));
	Rng			r = {UINT64_C(0x853c49e6748fea9b)};
	int			d;
	size_t		c;
	char		what[256];

	for (d = 0; d < NDIST; d++)
	{
		generate((Dist) d, &r, v, NVALUES);
		memcpy(sorted, v, NVALUES * sizeof(double));
		qsort(sorted, NVALUES, sizeof(double), cmp_double);
		for (c = 0; c < sizeof(configs) / sizeof(configs[0]); c++)
		{
			UddSketch  *s = build(configs[c].alpha, configs[c].max_buckets, v, 0, NVALUES);
			UddSketch  *half;
			UddSketch  *odd;
			UddSketch  *even;
			double		max_rel = 0.0;
			double		ratio = 0.0;
			double		mn;
			double		mx;
			double		mean;
			bool		ok;
			size_t		i;

			ok = quantiles_within_bound(s, sorted, NVALUES, &max_rel, &ratio) &&
				dense_quantiles_within_bound(s, sorted, NVALUES, 1000);
			snprintf(what, sizeof(what),
					 "%s, alpha %g, max %u buckets: 11 quantiles and 1001 more within %.4g (level %u, %u buckets)",
					 dist_names[d], configs[c].alpha, configs[c].max_buckets,
					 udd_relative_error(s), s->levels, udd_bucket_count(s));
			check(ok, what);
			printf("#   max relative error %.6g = %.4f of the bound %.6g\n",
				   max_rel, ratio, udd_relative_error(s));
			snprintf(what, sizeof(what), "%s, alpha %g, max %u: count, exact min/max, mean, bucket limit",
					 dist_names[d], configs[c].alpha, configs[c].max_buckets);
			{
				long double sum = 0.0L;

				for (i = 0; i < NVALUES; i++)
					sum += v[i];
				ok = udd_count(s) == NVALUES && udd_min(s, &mn) && mn == sorted[0] &&
					udd_max(s, &mx) && mx == sorted[NVALUES - 1] && udd_mean(s, &mean) &&
					fabsl(mean - sum / NVALUES) <= 1e-9L * (fabsl(sum / NVALUES) + 1.0L) &&
					udd_bucket_count(s) <= configs[c].max_buckets;
			}
			check(ok, what);

			/* halves, and odd/even positions, merged == the whole */
			half = build(configs[c].alpha, configs[c].max_buckets, v, 0, NVALUES / 3);
			{
				UddSketch  *rest = build(configs[c].alpha, configs[c].max_buckets, v, NVALUES / 3, NVALUES);

				ok = udd_merge(half, rest) == UDD_OK && same_sketch(half, s, false);
				udd_free(rest);
			}
			udd_create(configs[c].alpha, configs[c].max_buckets, &odd);
			udd_create(configs[c].alpha, configs[c].max_buckets, &even);
			for (i = 0; i < NVALUES; i++)
				udd_add(i % 2 ? odd : even, v[i]);
			ok = ok && udd_merge(even, odd) == UDD_OK && same_sketch(even, s, false);
			snprintf(what, sizeof(what), "%s, alpha %g, max %u: merge of parts == sketch of all",
					 dist_names[d], configs[c].alpha, configs[c].max_buckets);
			check(ok, what);
			udd_free(half);
			udd_free(odd);
			udd_free(even);

			/* binary round trip: identical quantiles, same bytes again */
			{
				uint8_t    *buf;
				uint8_t    *buf2;
				size_t		len;
				size_t		len2;
				UddSketch  *back;

				udd_serialize(s, 5, &buf, &len);
				ok = udd_deserialize(buf + 5, len - 5, &back) == UDD_OK;
				if (ok)
				{
					ok = same_sketch(s, back, true) && back->sum == s->sum;
					udd_serialize(back, 0, &buf2, &len2);
					ok = ok && len2 == len - 5 && memcmp(buf + 5, buf2, len2) == 0;
					dl_free(buf2);
					udd_free(back);
				}
				snprintf(what, sizeof(what), "%s, alpha %g, max %u: round trip (%zu bytes)",
						 dist_names[d], configs[c].alpha, configs[c].max_buckets, len - 5);
				check(ok, what);
				dl_free(buf);
			}
			udd_free(s);
		}
	}
	dl_free(v);
	dl_free(sorted);
}

/* values on and next to bucket boundaries gamma^k, where rounding matters */
static void
test_boundaries(void)
{
	double		alphas[] = {0.01, 1e-6, 0.5};
	size_t		a;

	for (a = 0; a < 3; a++)
	{
		UddSketch  *s;
		double		lg;
		double	   *v = dl_alloc(3 * 4001 * sizeof(double));
		size_t		n = 0;
		int			k;
		double		max_rel = 0.0;
		double		ratio = 0.0;
		char		what[160];

		udd_create(alphas[a], UDD_MAX_BUCKETS, &s);
		lg = log1p(alphas[a]) - log1p(-alphas[a]);
		for (k = -2000; k <= 2000; k++)
		{
			double		b = exp(k * lg * (alphas[a] < 1e-3 ? 1e4 : 1.0) / 10.0);

			if (!isfinite(b) || b == 0.0)
				continue;
			v[n++] = b;
			v[n++] = nextafter(b, 0.0);
			v[n++] = nextafter(b, INFINITY);
		}
		for (k = 0; k < (int) n; k++)
			udd_add(s, v[k]);
		qsort(v, n, sizeof(double), cmp_double);
		snprintf(what, sizeof(what), "alpha %g: values at bucket boundaries within the bound", alphas[a]);
		check(quantiles_within_bound(s, v, n, &max_rel, &ratio) &&
			  dense_quantiles_within_bound(s, v, n, (int) n), what);
		printf("#   max relative error %.6g = bound %+.3g\n", max_rel, max_rel - udd_relative_error(s));
		udd_free(s);
		dl_free(v);
	}
}

/* ------------------------------------------------------ the edge cases */

static void
test_arguments(void)
{
	UddSketch  *s = (UddSketch *) 1;
	double		out = 42.0;
	bool		ok;

	ok = udd_create(0.0, 1024, &s) == UDD_ERR_BAD_ARGUMENT && s == NULL &&
		udd_create(UDD_MIN_ALPHA / 2, 1024, &s) == UDD_ERR_BAD_ARGUMENT &&
		udd_create(0.6, 1024, &s) == UDD_ERR_BAD_ARGUMENT &&
		udd_create(1.0, 1024, &s) == UDD_ERR_BAD_ARGUMENT &&
		udd_create(-0.01, 1024, &s) == UDD_ERR_BAD_ARGUMENT &&
		udd_create(NAN, 1024, &s) == UDD_ERR_BAD_ARGUMENT &&
		udd_create(INFINITY, 1024, &s) == UDD_ERR_BAD_ARGUMENT &&
		udd_create(0.01, UDD_MIN_BUCKETS - 1, &s) == UDD_ERR_BAD_ARGUMENT &&
		udd_create(0.01, UDD_MAX_BUCKETS + 1, &s) == UDD_ERR_BAD_ARGUMENT &&
		s == NULL;
	check(ok, "udd_create rejects bad alpha (0, < 1e-6, > 0.5, NaN, inf) and bucket limits");

	ok = udd_create(UDD_MIN_ALPHA, UDD_MIN_BUCKETS, &s) == UDD_OK;
	udd_free(s);
	ok = ok && udd_create(UDD_MAX_ALPHA, UDD_MAX_BUCKETS, &s) == UDD_OK;
	check(ok, "udd_create accepts the limits of alpha and of the bucket count");

	ok = udd_add(s, NAN) == UDD_ERR_NOT_FINITE && udd_add(s, INFINITY) == UDD_ERR_NOT_FINITE &&
		udd_add(s, -INFINITY) == UDD_ERR_NOT_FINITE && udd_count(s) == 0 &&
		udd_add(s, 3.0) == UDD_OK && udd_add(s, -NAN) == UDD_ERR_NOT_FINITE &&
		udd_count(s) == 1 && udd_min(s, &out) && out == 3.0 && udd_max(s, &out) && out == 3.0 &&
		udd_mean(s, &out) && out == 3.0;
	check(ok, "NaN and infinities are rejected and leave the sketch unchanged");

	ok = udd_quantile(s, -0.001, &out) == UDD_ERR_BAD_ARGUMENT &&
		udd_quantile(s, 1.001, &out) == UDD_ERR_BAD_ARGUMENT &&
		udd_quantile(s, NAN, &out) == UDD_ERR_BAD_ARGUMENT &&
		udd_quantile(s, INFINITY, &out) == UDD_ERR_BAD_ARGUMENT &&
		udd_quantile(s, 0.5, &out) == UDD_OK && out == 3.0;
	check(ok, "quantile rejects q outside [0, 1] and NaN");
	udd_free(s);

	/* a single value of each sign: every quantile is exactly that value */
	{
		double		one[] = {-7.25, 0.0, 1e-300, 123456.789};
		int			i;
		size_t		q;

		ok = true;
		for (i = 0; i < 4; i++)
		{
			udd_create(0.01, 64, &s);
			udd_add(s, one[i]);
			for (q = 0; q < NQUANTILES; q++)
				ok = ok && udd_quantile(s, quantiles[q], &out) == UDD_OK && out == one[i];
			udd_free(s);
		}
		check(ok, "one value: every quantile is exactly that value");
	}

	/* the relative error after L collapses: a_(L+1) = 2 a_L / (1 + a_L^2) */
	{
		double		a[8];
		int			i;
		uint32_t	seen = 0;

		a[0] = 0.01;
		for (i = 1; i < 8; i++)
			a[i] = 2 * a[i - 1] / (1 + a[i - 1] * a[i - 1]);
		udd_create(a[0], 8, &s);
		ok = true;
		for (i = 0; s->levels < 7; i++)
		{
			udd_add(s, pow(1.003, i));
			ok = ok && fabs(udd_relative_error(s) - a[s->levels]) < 1e-14 * a[s->levels] &&
				udd_bucket_count(s) <= 8;
			seen |= 1U << s->levels;
		}
		check(ok && seen == 0xff, "relative error is a, then 2a/(1+a^2) at each collapse, one level at a time; bucket limit kept");
		udd_free(s);
	}
}

static void
test_empty(void)
{
	UddSketch  *e;
	UddSketch  *s;
	UddSketch  *back;
	double		out = 42.0;
	uint8_t    *buf;
	size_t		len;
	bool		ok;

	udd_create(0.01, 128, &e);
	ok = udd_count(e) == 0 && udd_bucket_count(e) == 0 &&
		udd_quantile(e, 0.5, &out) == UDD_ERR_BAD_ARGUMENT && out == 42.0 &&
		!udd_min(e, &out) && !udd_max(e, &out) && !udd_mean(e, &out);
	check(ok, "empty sketch: count 0, quantile is an error, min/max/mean absent");

	udd_serialize(e, 0, &buf, &len);
	ok = len == UDD_HEADER_SIZE && udd_deserialize(buf, len, &back) == UDD_OK &&
		udd_count(back) == 0 && same_sketch(e, back, true);
	check(ok, "empty sketch round trips in the bare header");
	udd_free(back);
	dl_free(buf);

	udd_create(0.01, 128, &s);
	udd_add(s, 1.0);
	udd_add(s, -2.0);
	ok = udd_merge(s, e) == UDD_OK && udd_count(s) == 2 &&
		udd_merge(e, s) == UDD_OK && same_sketch(e, s, true) &&
		udd_min(e, &out) && out == -2.0 && udd_max(e, &out) && out == 1.0;
	check(ok, "merging an empty sketch changes nothing; merging into one copies");

	/* self-merge is the sketch of every value twice */
	{
		UddSketch  *twice;
		static const double vals[] = {1.0, -2.0, 5.0, 0.0, 5.5, 1e6};
		size_t		i;

		udd_create(0.01, 8, &twice);
		udd_free(s);
		udd_create(0.01, 8, &s);
		for (i = 0; i < 6; i++)
		{
			udd_add(s, vals[i]);
			udd_add(twice, vals[i]);
			udd_add(twice, vals[i]);
		}
		ok = udd_merge(s, s) == UDD_OK && udd_count(s) == 12 && same_sketch(s, twice, true);
		check(ok, "merging a sketch with itself gives the sketch of every value twice");
		udd_free(twice);
	}
	udd_free(s);
	udd_free(e);

	{
		UddSketch  *a;
		UddSketch  *b;

		udd_create(0.01, 128, &a);
		udd_create(0.02, 128, &b);
		udd_add(b, 1.0);
		ok = udd_merge(a, b) == UDD_ERR_INCOMPATIBLE && udd_count(a) == 0;
		udd_free(b);
		/* the bucket limit may differ: the target keeps its own */
		udd_create(0.01, 4096, &b);
		udd_add(b, 1.0);
		udd_add(b, 1000.0);
		ok = ok && udd_merge(a, b) == UDD_OK && udd_count(a) == 2 && a->max_buckets == 128;
		check(ok, "merge refuses a different alpha, accepts a different bucket limit");
		udd_free(a);
		udd_free(b);
	}
}

/* the extremes of double: keys at the very ends still round trip */
static void
test_extremes(void)
{
	static const double ext[] = {
		DBL_MAX, -DBL_MAX, DBL_MIN, -DBL_MIN, 4.9406564584124654e-324, -4.9406564584124654e-324,
		1.0, -1.0, 0.0, -0.0
	};
	double		alphas[] = {UDD_MIN_ALPHA, 0.01, UDD_MAX_ALPHA};
	uint32_t	limits[] = {UDD_MIN_BUCKETS, 1024};
	bool		ok = true;
	size_t		a;
	size_t		l;
	size_t		i;

	for (a = 0; a < 3; a++)
		for (l = 0; l < 2; l++)
		{
			UddSketch  *s;
			UddSketch  *back;
			uint8_t    *buf;
			size_t		len;
			double		out;

			udd_create(alphas[a], limits[l], &s);
			for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
				ok = ok && udd_add(s, ext[i]) == UDD_OK;
			ok = ok && udd_quantile(s, 0.0, &out) == UDD_OK && out == -DBL_MAX &&
				udd_quantile(s, 1.0, &out) == UDD_OK && out == DBL_MAX &&
				udd_quantile(s, 0.5, &out) == UDD_OK && isfinite(out) &&
				udd_bucket_count(s) <= limits[l];
			udd_serialize(s, 0, &buf, &len);
			ok = ok && udd_deserialize(buf, len, &back) == UDD_OK && same_sketch(s, back, true);
			udd_free(back);
			dl_free(buf);
			udd_free(s);
		}
	check(ok, "DBL_MAX, DBL_MIN, subnormals and -0 at every alpha and limit: round trip");

	/* collapse as far as it goes: still within the limit, still valid */
	{
		UddSketch  *s;
		UddSketch  *t;
		UddSketch  *back;
		uint8_t    *buf;
		size_t		len;

		udd_create(UDD_MIN_ALPHA, UDD_MIN_BUCKETS, &s);
		udd_create(UDD_MIN_ALPHA, UDD_MIN_BUCKETS, &t);
		for (i = 0; i < 2000; i++)
		{
			udd_add(s, ldexp(1.0, (int) (i % 2046) - 1022));
			udd_add(t, -ldexp(1.0, 1000 - (int) (i % 2000)));
		}
		ok = udd_bucket_count(s) <= UDD_MIN_BUCKETS && udd_merge(s, t) == UDD_OK &&
			udd_bucket_count(s) <= UDD_MIN_BUCKETS && s->levels <= UDD_MAX_LEVELS;
		udd_serialize(s, 0, &buf, &len);
		ok = ok && udd_deserialize(buf, len, &back) == UDD_OK && same_sketch(s, back, true);
		printf("#   alpha 1e-6 over 2^-1022..2^1023 in 8 buckets: level %u, error %.4g\n",
			   s->levels, udd_relative_error(s));
		check(ok, "alpha 1e-6, 8 buckets, values over the whole double range: collapses and round trips");
		udd_free(back);
		dl_free(buf);
		udd_free(s);
		udd_free(t);
	}
}

/* ------------------------------------------------------- hostile input */

typedef struct Header
{
	uint8_t		version;
	uint8_t		pad;
	uint32_t	max_buckets;
	uint32_t	levels;
	uint32_t	npos;
	uint32_t	nneg;
	double		alpha;
	uint64_t	zero_count;
	double		min;
	double		max;
	double		sum;
} Header;

static void
put_f64(CodecBuf *b, double d)
{
	uint64_t	u;

	memcpy(&u, &d, 8);
	codec_buf_put_u64(b, u);
}

static void
put_header(CodecBuf *b, const Header *h)
{
	codec_buf_init(b);
	codec_buf_put_u8(b, h->version);
	codec_buf_put_u8(b, h->pad);
	codec_buf_put_u8(b, 0);
	codec_buf_put_u8(b, 0);
	codec_buf_put_u32(b, h->max_buckets);
	codec_buf_put_u32(b, h->levels);
	codec_buf_put_u32(b, h->npos);
	codec_buf_put_u32(b, h->nneg);
	put_f64(b, h->alpha);
	codec_buf_put_u64(b, h->zero_count);
	put_f64(b, h->min);
	put_f64(b, h->max);
	put_f64(b, h->sum);
}

static UddStatus
try_buf(CodecBuf *b)
{
	UddSketch  *s = (UddSketch *) 1;
	UddStatus	st = udd_deserialize(b->data, b->len, &s);

	if (st == UDD_OK)
		udd_free(s);
	else if (s != NULL)
		st = (UddStatus) 99;	/* an error must leave *out NULL */
	codec_buf_free(b);
	return st;
}

static const Header good = {1, 0, 64, 0, 1, 0, 0.01, 0, 2.0, 2.0, 2.0};

/* a valid one-bucket sketch of the value 2 with the header changed */
static UddStatus
try_header(Header h, int64_t key, uint64_t count)
{
	CodecBuf	b;

	put_header(&b, &h);
	if (h.npos + h.nneg > 0)
	{
		codec_buf_put_varint(&b, ((uint64_t) key << 1) ^ (uint64_t) (key >> 63));
		codec_buf_put_varint(&b, count);
	}
	return try_buf(&b);
}

static void
test_hostile(void)
{
	UddSketch  *s;
	uint8_t    *buf;
	size_t		len;
	size_t		i;
	int			bit;
	bool		ok = true;
	int			accepted = 0;
	int			rejected = 0;
	Header		h;
	int32_t		key2 = (int32_t) ceil(log(2.0) / (log1p(0.01) - log1p(-0.01)));

	ok = try_header(good, key2, 1) == UDD_OK;
	check(ok, "a hand-built one-bucket buffer is accepted");

	udd_create(0.01, 64, &s);
	for (i = 0; i < 200; i++)
		udd_add(s, (double) ((int) (i * 37 % 101) - 30) * 1.7);
	udd_serialize(s, 0, &buf, &len);

	/* every truncation is an error */
	ok = true;
	for (i = 0; i < len; i++)
	{
		UddSketch  *t = (UddSketch *) 1;
		UddStatus	st = udd_deserialize(buf, i, &t);

		if (st == UDD_OK || t != NULL)
			ok = false;
	}
	check(ok, "every truncation of a serialized sketch is rejected");

	/* trailing garbage */
	{
		uint8_t    *longer = dl_alloc(len + 1);
		UddSketch  *t;

		memcpy(longer, buf, len);
		longer[len] = 0;
		check(udd_deserialize(longer, len + 1, &t) == UDD_ERR_CORRUPT && t == NULL,
			  "a trailing byte is rejected");
		dl_free(longer);
	}

	/* every single bit flip: an error, or a sketch that still works */
	ok = true;
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++)
		{
			UddSketch  *t = (UddSketch *) 1;
			UddStatus	st;

			buf[i] ^= (uint8_t) (1 << bit);
			st = udd_deserialize(buf, len, &t);
			buf[i] ^= (uint8_t) (1 << bit);
			if (st == UDD_OK)
			{
				double		q;
				size_t		k;

				accepted++;
				for (k = 0; k < NQUANTILES; k++)
					if (udd_quantile(t, quantiles[k], &q) != UDD_OK || !(q >= t->min && q <= t->max))
					{
						printf("# flip %zu.%d: quantile %g = %g outside [%g, %g]\n",
							   i, bit, quantiles[k], q, t->min, t->max);
						ok = false;
					}
				if (udd_merge(t, s) != UDD_OK && t->alpha0 == s->alpha0)
				{
					printf("# flip %zu.%d: merge failed\n", i, bit);
					ok = false;
				}
				udd_free(t);
			}
			else
			{
				rejected++;
				if (t != NULL)
					ok = false;
			}
		}
	printf("#   %zu bit flips: %d rejected, %d still valid sketches\n", len * 8, rejected, accepted);
	check(ok && rejected > 0, "bit flips: rejected, or accepted as a sketch whose quantiles stay in [min, max]");
	dl_free(buf);
	udd_free(s);

	/* the header fields one at a time */
	h = good;
	h.version = 2;
	ok = try_header(h, key2, 1) == UDD_ERR_VERSION;
	h = good;
	h.version = 0;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_VERSION;
	check(ok, "unknown versions are rejected");

	{
		CodecBuf	b;

		codec_buf_init(&b);
		ok = try_buf(&b) == UDD_ERR_TRUNCATED;
		codec_buf_init(&b);
		codec_buf_put_u8(&b, 1);
		ok = ok && try_buf(&b) == UDD_ERR_TRUNCATED;
		check(ok, "empty and one-byte buffers are truncated");
	}

	h = good;
	h.pad = 1;
	ok = try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	h = good;
	h.alpha = NAN;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	h.alpha = 0.9;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	h.alpha = 0.0;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	h = good;
	h.max_buckets = 7;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	h.max_buckets = UDD_MAX_BUCKETS + 1;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	h = good;
	h.levels = UDD_MAX_LEVELS + 1;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	check(ok, "bad flags, alpha, bucket limit and level are rejected");

	/* counts are checked against the limit and the buffer length first */
	h = good;
	h.npos = 65;
	ok = try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	h.npos = UINT32_MAX;
	h.nneg = 2;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	h.max_buckets = UDD_MAX_BUCKETS;
	h.npos = UDD_MAX_BUCKETS;
	h.nneg = 0;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_TRUNCATED;
	h.npos = 2;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_TRUNCATED;
	check(ok, "bucket counts above the limit or beyond the buffer are rejected before allocating");

	h = good;
	ok = try_header(h, key2, 0) == UDD_ERR_CORRUPT;
	h.zero_count = UINT64_MAX;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	check(ok, "a zero bucket count and a total count overflow are rejected");

	/* alpha 0.01: ln gamma = 0.0200007, so |key| <= ceil(745 / 0.0200007) = 37249 */
	h = good;
	ok = try_header(h, 400000001, 1) == UDD_ERR_CORRUPT &&
		try_header(h, -37249, 1) == UDD_OK &&
		try_header(h, 37249, 1) == UDD_OK &&
		try_header(h, 37250, 1) == UDD_ERR_CORRUPT &&
		try_header(h, -37250, 1) == UDD_ERR_CORRUPT;
	h.levels = 40;
	ok = ok && try_header(h, 1, 1) == UDD_OK && try_header(h, 2, 1) == UDD_ERR_CORRUPT &&
		try_header(h, -2, 1) == UDD_ERR_CORRUPT;
	check(ok, "keys no value could have at the sketch's level are rejected");

	/* gaps between keys that run past the key range */
	{
		CodecBuf	b;

		h = good;
		h.npos = 2;
		put_header(&b, &h);
		codec_buf_put_varint(&b, 2);
		codec_buf_put_varint(&b, 1);
		codec_buf_put_varint(&b, UINT64_MAX);
		codec_buf_put_varint(&b, 1);
		ok = try_buf(&b) == UDD_ERR_CORRUPT;
		put_header(&b, &h);
		codec_buf_put_varint(&b, 2);
		codec_buf_put_varint(&b, 1);
		codec_buf_put_u8(&b, 0x80);	/* an unterminated varint */
		codec_buf_put_u8(&b, 0x80);
		ok = ok && try_buf(&b) == UDD_ERR_CORRUPT;
		check(ok, "huge key gaps and unterminated varints are rejected");
	}

	/* min, max and sum must be consistent with the buckets */
	h = good;
	h.min = 3.0;
	ok = try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	h = good;
	h.max = NAN;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	h = good;
	h.min = -INFINITY;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	h = good;
	h.min = h.max = -1.0;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	h = good;
	h.npos = 0;
	h.nneg = 1;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	h = good;
	h.npos = 0;
	h.min = h.max = h.sum = 0.0;
	ok = ok && try_header(h, 0, 0) == UDD_OK;
	h.sum = 1.0;
	ok = ok && try_header(h, 0, 0) == UDD_ERR_CORRUPT;
	h.sum = 0.0;
	h.max = 1.0;
	ok = ok && try_header(h, 0, 0) == UDD_ERR_CORRUPT;
	h = good;
	h.zero_count = 1;
	ok = ok && try_header(h, key2, 1) == UDD_ERR_CORRUPT;
	check(ok, "min/max that contradict the buckets, and a non-zero empty sketch, are rejected");
}

int
main(void)
{
	test_arguments();
	test_empty();
	test_extremes();
	test_boundaries();
	test_hostile();
	test_accuracy();
	printf("1..%d\n", test_number);
	if (failures > 0)
		printf("# %d of %d checks failed\n", failures, test_number);
	return failures > 0 ? 1 : 0;
}
