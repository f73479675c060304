/*
 * stats_moments.c
 *		Descriptive-statistics and regression states: single-pass update,
 *		exact pairwise combine, estimators, and the binary form.
 *
 * Moments use Welford's update extended to the 3rd and 4th moments and
 * Pébay's pairwise formulas (Pébay 2008, "Formulas for robust, one-pass
 * parallel computation of covariances and arbitrary-order statistical
 * moments") for combine, so a rollup of partial states matches a pass over
 * all rows up to rounding, without the cancellation of raw power sums.
 * Regression uses the Youngs-Cramer update and combine that PostgreSQL's
 * float8_regr_accum and float8_regr_combine use, so results agree with the
 * built-in regr_* aggregates.  min and max order NaN above every number, as
 * PostgreSQL's float8 comparisons do.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "aggregates/stats_moments.h"
#include "storage/codec_buf.h"

#define KIND_MOMENTS	1
#define KIND_REGR		2

const char *
stats_status_message(StatsStatus status)
{
	switch (status)
	{
		case STATS_OK:
			return "ok";
		case STATS_ERR_TRUNCATED:
			return "statistics state has the wrong length";
		case STATS_ERR_VERSION:
			return "unsupported statistics state version";
		case STATS_ERR_CORRUPT:
			return "statistics state is corrupt";
	}
	return "unknown statistics error";
}

/*
 * The mean is kept as an unevaluated sum mean + mean_lo (double-double).
 * With a plain double mean, data such as 1e12 + noise loses the small
 * increments delta / n once they fall below half an ulp of the mean: the
 * mean drifts, and every later deviation is measured from the wrong point
 * (variance off by 6e-4 relative on 200,000 values of 1e12 + Exp(10)).
 */
static inline void
two_sum(double a, double b, double *sum, double *err)
{
	double		s = a + b;
	double		bb = s - a;

	*sum = s;
	*err = (a - (s - bb)) + (b - bb);
}

/* (hi, lo) += d, renormalised so that |lo| <= ulp(hi) / 2 */
static inline void
mean_add(double *hi, double *lo, double d)
{
	double		s;
	double		e;

	two_sum(*hi, d, &s, &e);
	e += *lo;
	two_sum(s, e, hi, lo);
	if (!isfinite(*hi) || !isfinite(*lo))
		*lo = 0.0;
}

/* PostgreSQL's float8 order: NaN is larger than any number */
static inline bool
float8_greater(double a, double b)
{
	if (isnan(a))
		return !isnan(b);
	if (isnan(b))
		return false;
	return a > b;
}

void
stats_moments_init(StatsMoments *s)
{
	memset(s, 0, sizeof(*s));
}

void
stats_moments_add(StatsMoments *s, double x)
{
	double		n1 = (double) s->count;
	double		n = n1 + 1.0;
	double		delta = (x - s->mean) - s->mean_lo;
	double		delta_n = delta / n;
	double		delta_n2 = delta_n * delta_n;
	double		term1 = delta * delta_n * n1;

	if (s->count == 0)
	{
		s->count = 1;
		s->mean = x;
		s->mean_lo = 0.0;
		s->m2 = s->m3 = s->m4 = 0.0;
		s->min = s->max = x;
		/* a non-finite first value leaves the moments undefined */
		if (!isfinite(x))
			s->m2 = s->m3 = s->m4 = NAN;
		return;
	}
	s->count++;
	if (!isfinite(x) || !isfinite(s->mean))
	{
		/*
		 * With an infinite or NaN value the mean is what the plain sum
		 * gives (inf + 1 = inf, inf - inf = NaN), and the deviations are
		 * undefined, as for a non-finite first value.  The update below
		 * would compute inf - inf for the mean of {inf, 1}.
		 */
		s->mean += x;
		s->mean_lo = 0.0;
		s->m2 = s->m3 = s->m4 = NAN;
		if (float8_greater(s->min, x))
			s->min = x;
		if (float8_greater(x, s->max))
			s->max = x;
		return;
	}
	mean_add(&s->mean, &s->mean_lo, delta_n);
	s->m4 += term1 * delta_n2 * (n * n - 3.0 * n + 3.0) + 6.0 * delta_n2 * s->m2 - 4.0 * delta_n * s->m3;
	s->m3 += term1 * delta_n * (n - 2.0) - 3.0 * delta_n * s->m2;
	s->m2 += term1;
	if (float8_greater(s->min, x))
		s->min = x;
	if (float8_greater(x, s->max))
		s->max = x;
}

void
stats_moments_combine(StatsMoments *into, const StatsMoments *b)
{
	double		na;
	double		nb;
	double		n;
	double		delta;
	double		d2;
	StatsMoments a;

	if (b->count == 0)
		return;
	if (into->count == 0)
	{
		*into = *b;
		return;
	}
	a = *into;
	na = (double) a.count;
	nb = (double) b->count;
	n = na + nb;
	delta = (b->mean - a.mean) + (b->mean_lo - a.mean_lo);
	d2 = delta * delta;

	into->count = a.count + b->count;
	if (!isfinite(a.mean) || !isfinite(b->mean))
	{
		/* as in stats_moments_add: the mean is the plain sum's, moments NaN */
		into->mean = a.mean + b->mean;
		into->mean_lo = 0.0;
		into->m2 = into->m3 = into->m4 = NAN;
		if (float8_greater(a.min, b->min))
			into->min = b->min;
		if (float8_greater(b->max, a.max))
			into->max = b->max;
		return;
	}
	mean_add(&into->mean, &into->mean_lo, delta * nb / n);
	into->m2 = a.m2 + b->m2 + d2 * na * nb / n;
	into->m3 = a.m3 + b->m3 + d2 * delta * na * nb * (na - nb) / (n * n) +
		3.0 * delta * (na * b->m2 - nb * a.m2) / n;
	into->m4 = a.m4 + b->m4 + d2 * d2 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n) +
		6.0 * d2 * (na * na * b->m2 + nb * nb * a.m2) / (n * n) +
		4.0 * delta * (na * b->m3 - nb * a.m3) / n;
	if (float8_greater(a.min, b->min))
		into->min = b->min;
	if (float8_greater(b->max, a.max))
		into->max = b->max;
}

bool
stats_moments_mean(const StatsMoments *s, double *out)
{
	if (s->count == 0)
		return false;
	*out = s->mean + s->mean_lo;
	return true;
}

bool
stats_moments_variance_pop(const StatsMoments *s, double *out)
{
	if (s->count == 0)
		return false;
	*out = s->m2 / (double) s->count;
	return true;
}

bool
stats_moments_variance_samp(const StatsMoments *s, double *out)
{
	if (s->count < 2)
		return false;
	*out = s->m2 / (double) (s->count - 1);
	return true;
}

bool
stats_moments_stddev_pop(const StatsMoments *s, double *out)
{
	double		v;

	if (!stats_moments_variance_pop(s, &v))
		return false;
	*out = sqrt(v);
	return true;
}

bool
stats_moments_stddev_samp(const StatsMoments *s, double *out)
{
	double		v;

	if (!stats_moments_variance_samp(s, &v))
		return false;
	*out = sqrt(v);
	return true;
}

/* g1 = m3 / m2^1.5 with m_k = M_k / n: scipy.stats.skew(x) (bias=True) */
bool
stats_moments_skewness(const StatsMoments *s, double *out)
{
	double		n = (double) s->count;

	if (s->count == 0 || s->m2 == 0.0)
		return false;
	*out = sqrt(n) * s->m3 / pow(s->m2, 1.5);
	return true;
}

/* G1 = g1 * sqrt(n(n-1)) / (n-2): scipy bias=False, pandas Series.skew() */
bool
stats_moments_skewness_sample(const StatsMoments *s, double *out)
{
	double		n = (double) s->count;
	double		g1;

	if (s->count < 3 || !stats_moments_skewness(s, &g1))
		return false;
	*out = g1 * sqrt(n * (n - 1.0)) / (n - 2.0);
	return true;
}

/* g2 = m4 / m2^2 - 3: scipy.stats.kurtosis(x) (fisher=True, bias=True) */
bool
stats_moments_kurtosis(const StatsMoments *s, double *out)
{
	double		n = (double) s->count;

	if (s->count == 0 || s->m2 == 0.0)
		return false;
	*out = n * s->m4 / (s->m2 * s->m2) - 3.0;
	return true;
}

/* G2 = ((n+1) g2 + 6) (n-1) / ((n-2)(n-3)): scipy bias=False, pandas kurt() */
bool
stats_moments_kurtosis_sample(const StatsMoments *s, double *out)
{
	double		n = (double) s->count;
	double		g2;

	if (s->count < 4 || !stats_moments_kurtosis(s, &g2))
		return false;
	*out = ((n + 1.0) * g2 + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0));
	return true;
}

bool
stats_moments_min(const StatsMoments *s, double *out)
{
	if (s->count == 0)
		return false;
	*out = s->min;
	return true;
}

bool
stats_moments_max(const StatsMoments *s, double *out)
{
	if (s->count == 0)
		return false;
	*out = s->max;
	return true;
}

static inline bool
zero_or_nan(double d)
{
	return d == 0.0 || isnan(d);
}

static void
put_header(uint8_t *out, uint8_t kind)
{
	out[0] = STATS_FORMAT_VERSION;
	out[1] = kind;
	out[2] = 0;
	out[3] = 0;
}

static StatsStatus
check_header(const uint8_t *buf, size_t len, size_t want, uint8_t kind)
{
	if (len < 4)
		return STATS_ERR_TRUNCATED;
	if (buf[0] != STATS_FORMAT_VERSION || buf[1] != kind)
		return STATS_ERR_VERSION;
	if (buf[2] != 0 || buf[3] != 0)
		return STATS_ERR_CORRUPT;
	if (len != want)
		return STATS_ERR_TRUNCATED;
	return STATS_OK;
}

/*
 * layout: version, kind, 2 zero bytes, count u64, then the doubles mean,
 * m2, m3, m4, min, max and mean_lo
 */
void
stats_moments_serialize(const StatsMoments *s, uint8_t out[STATS_MOMENTS_SERIALIZED_SIZE])
{
	put_header(out, KIND_MOMENTS);
	codec_store_u64(out + 4, s->count);
	codec_store_f64(out + 12, s->mean);
	codec_store_f64(out + 20, s->m2);
	codec_store_f64(out + 28, s->m3);
	codec_store_f64(out + 36, s->m4);
	codec_store_f64(out + 44, s->min);
	codec_store_f64(out + 52, s->max);
	codec_store_f64(out + 60, s->mean_lo);
}

StatsStatus
stats_moments_deserialize(const uint8_t *buf, size_t len, StatsMoments *s)
{
	StatsStatus st = check_header(buf, len, STATS_MOMENTS_SERIALIZED_SIZE, KIND_MOMENTS);

	stats_moments_init(s);
	if (st != STATS_OK)
		return st;
	s->count = codec_load_u64(buf + 4);
	s->mean = codec_load_f64(buf + 12);
	s->m2 = codec_load_f64(buf + 20);
	s->m3 = codec_load_f64(buf + 28);
	s->m4 = codec_load_f64(buf + 36);
	s->min = codec_load_f64(buf + 44);
	s->max = codec_load_f64(buf + 52);
	s->mean_lo = codec_load_f64(buf + 60);
	if (s->count == 0)
	{
		if (s->mean != 0.0 || s->m2 != 0.0 || s->m3 != 0.0 || s->m4 != 0.0 ||
			s->min != 0.0 || s->max != 0.0 || s->mean_lo != 0.0)
			goto corrupt;
		return STATS_OK;
	}
	/* the low part of the mean is below an ulp of the high part (0 if that is not finite) */
	if (!isfinite(s->mean_lo) ||
		(isfinite(s->mean) ? fabs(s->mean_lo) > ldexp(fabs(s->mean), -52) : s->mean_lo != 0.0))
		goto corrupt;
	/* sums of even powers cannot be negative; NaN is a legitimate state */
	if (s->m2 < 0.0 || s->m4 < 0.0 || float8_greater(s->min, s->max))
		goto corrupt;
	/* one value: no deviations (NaN if it was not finite), min = max */
	if (s->count == 1 &&
		(!zero_or_nan(s->m2) || !zero_or_nan(s->m3) || !zero_or_nan(s->m4) ||
		 float8_greater(s->max, s->min) || s->mean_lo != 0.0))
		goto corrupt;
	return STATS_OK;

corrupt:
	stats_moments_init(s);
	return STATS_ERR_CORRUPT;
}

/* ------------------------------------------------------------- regression */

void
regr_init(RegrState *r)
{
	memset(r, 0, sizeof(*r));
}

void
regr_add(RegrState *r, double y, double x)
{
	double		n;

	r->n++;
	n = (double) r->n;
	r->sx += x;
	r->sy += y;
	if (r->n > 1)
	{
		double		tmp_x = x * n - r->sx;
		double		tmp_y = y * n - r->sy;
		double		scale = 1.0 / (n * (n - 1.0));

		r->sxx += tmp_x * tmp_x * scale;
		r->syy += tmp_y * tmp_y * scale;
		r->sxy += tmp_x * tmp_y * scale;
	}
	else
	{
		/*
		 * As float8_regr_accum: a NaN or infinite first input makes the
		 * dependent sums NaN, or a lone NaN point would report sxx = 0.
		 */
		if (!isfinite(x))
			r->sxx = r->sxy = NAN;
		if (!isfinite(y))
			r->syy = r->sxy = NAN;
	}
	/* an infinite input leaves the deviations undefined, as in PostgreSQL */
	if (isinf(r->sx) || isinf(r->sxx))
		r->sxx = NAN;
	if (isinf(r->sy) || isinf(r->syy))
		r->syy = NAN;
	if (isinf(r->sx) || isinf(r->sy) || isinf(r->sxy))
		r->sxy = NAN;
}

void
regr_combine(RegrState *into, const RegrState *b)
{
	RegrState	a;
	double		n1;
	double		n2;
	double		n;
	double		dx;
	double		dy;

	if (b->n == 0)
		return;
	if (into->n == 0)
	{
		*into = *b;
		return;
	}
	a = *into;
	n1 = (double) a.n;
	n2 = (double) b->n;
	n = n1 + n2;
	dx = a.sx / n1 - b->sx / n2;
	dy = a.sy / n1 - b->sy / n2;
	into->n = a.n + b->n;
	into->sx = a.sx + b->sx;
	into->sy = a.sy + b->sy;
	into->sxx = a.sxx + b->sxx + n1 * n2 * dx * dx / n;
	into->syy = a.syy + b->syy + n1 * n2 * dy * dy / n;
	into->sxy = a.sxy + b->sxy + n1 * n2 * dx * dy / n;
}

bool
regr_slope(const RegrState *r, double *out)
{
	if (r->n < 1 || r->sxx == 0.0)
		return false;
	*out = r->sxy / r->sxx;
	return true;
}

bool
regr_intercept(const RegrState *r, double *out)
{
	if (r->n < 1 || r->sxx == 0.0)
		return false;
	*out = (r->sy - r->sx * r->sxy / r->sxx) / (double) r->n;
	return true;
}

/* as PostgreSQL's regr_r2: undefined for constant x, 1 for constant y */
bool
regr_r2(const RegrState *r, double *out)
{
	if (r->n < 1 || r->sxx == 0.0)
		return false;
	if (r->syy == 0.0)
		*out = 1.0;
	else
		*out = (r->sxy * r->sxy) / (r->sxx * r->syy);
	return true;
}

bool
regr_corr(const RegrState *r, double *out)
{
	if (r->n < 1 || r->sxx == 0.0 || r->syy == 0.0)
		return false;
	*out = r->sxy / sqrt(r->sxx * r->syy);
	return true;
}

bool
regr_covar_pop(const RegrState *r, double *out)
{
	if (r->n < 1)
		return false;
	*out = r->sxy / (double) r->n;
	return true;
}

bool
regr_covar_samp(const RegrState *r, double *out)
{
	if (r->n < 2)
		return false;
	*out = r->sxy / (double) (r->n - 1);
	return true;
}

void
regr_serialize(const RegrState *r, uint8_t out[REGR_SERIALIZED_SIZE])
{
	put_header(out, KIND_REGR);
	codec_store_u64(out + 4, r->n);
	codec_store_f64(out + 12, r->sx);
	codec_store_f64(out + 20, r->sy);
	codec_store_f64(out + 28, r->sxx);
	codec_store_f64(out + 36, r->syy);
	codec_store_f64(out + 44, r->sxy);
}

StatsStatus
regr_deserialize(const uint8_t *buf, size_t len, RegrState *r)
{
	StatsStatus st = check_header(buf, len, REGR_SERIALIZED_SIZE, KIND_REGR);

	regr_init(r);
	if (st != STATS_OK)
		return st;
	r->n = codec_load_u64(buf + 4);
	r->sx = codec_load_f64(buf + 12);
	r->sy = codec_load_f64(buf + 20);
	r->sxx = codec_load_f64(buf + 28);
	r->syy = codec_load_f64(buf + 36);
	r->sxy = codec_load_f64(buf + 44);
	if ((r->n == 0 && (r->sx != 0.0 || r->sy != 0.0 || r->sxx != 0.0 || r->syy != 0.0 || r->sxy != 0.0)) ||
		(r->n == 1 && (!zero_or_nan(r->sxx) || !zero_or_nan(r->syy) || !zero_or_nan(r->sxy))) ||
		r->sxx < 0.0 || r->syy < 0.0)
	{
		regr_init(r);
		return STATS_ERR_CORRUPT;
	}
	return STATS_OK;
}
