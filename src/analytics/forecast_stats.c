/*
 * forecast_stats.c
 *		Statistical helpers for the forecasting core (see forecast_stats.h).
 *
 * The normal quantile uses Wichura's AS 241 rational approximations
 * (accurate to about 1e-16), so intervals for any level match R's qnorm().
 * The PRNG is xoshiro256** seeded through splitmix64: simulated intervals
 * are reproducible for a given seed on every platform.
 */
#include "util/portable.h"

#include <math.h>
#include <stdlib.h>

#include "analytics/forecast_stats.h"

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	z = (*x += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

void
forecast_rng_seed(ForecastRng *rng, uint64_t seed)
{
	int			i;

	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&seed);
	rng->has_spare = 0;
	rng->spare = 0.0;
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(ForecastRng *rng)
{
	uint64_t   *s = rng->s;
	uint64_t	result = rotl(s[1] * 5, 7) * 9;
	uint64_t	t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
forecast_rng_uniform(ForecastRng *rng)
{
	/* 53 random bits, shifted off zero so log() is always finite */
	return ((double) (rng_next(rng) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

double
forecast_rng_normal(ForecastRng *rng)
{
	double		u,
				v,
				s;

	if (rng->has_spare)
	{
		rng->has_spare = 0;
		return rng->spare;
	}
	/* Marsaglia's polar method: two normals per accepted pair */
	do
	{
		u = 2.0 * forecast_rng_uniform(rng) - 1.0;
		v = 2.0 * forecast_rng_uniform(rng) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	s = sqrt(-2.0 * log(s) / s);
	rng->spare = v * s;
	rng->has_spare = 1;
	return u * s;
}

double
forecast_normal_quantile(double p)
{
	double		q,
				r,
				value;

	if (!(p > 0.0 && p < 1.0))
		return NAN;
	q = p - 0.5;
	if (fabs(q) <= 0.425)
	{
		r = 0.180625 - q * q;
		return q * (((((((r * 2509.0809287301226727 +
						  33430.575583588128105) * r + 67265.770927008700853) * r +
						45921.953931549871457) * r + 13731.693765509461125) * r +
					  1971.5909503065514427) * r + 133.14166789178437745) * r +
					3.387132872796366608)
			/ (((((((r * 5226.495278852545925 +
					 28729.085735721942674) * r + 39307.89580009271061) * r +
				   21213.794301586595867) * r + 5394.1960214247511077) * r +
				 687.1870074920579083) * r + 42.313330701600911252) * r + 1.0);
	}
	r = (q < 0.0) ? p : 1.0 - p;
	r = sqrt(-log(r));
	if (r <= 5.0)
	{
		r -= 1.6;
		value = (((((((r * 7.7454501427834140764e-4 +
					   0.0227238449892691845833) * r + 0.24178072517745061177) *
					 r + 1.27045825245236838258) * r +
					3.64784832476320460504) * r + 5.7694972214606914055) *
				  r + 4.6303378461565452959) * r +
				 1.42343711074968357734)
			/ (((((((r *
					 1.05075007164441684324e-9 + 5.475938084995344946e-4) *
					r + 0.0151986665636164571966) * r +
				   0.14810397642748007459) * r + 0.68976733498510000455) *
				 r + 1.6763848301838038494) * r +
				2.05319162663775882187) * r + 1.0);
	}
	else
	{
		r -= 5.0;
		value = (((((((r * 2.01033439929228813265e-7 +
					   2.71155556874348757815e-5) * r +
					  0.0012426609473880784386) * r + 0.026532189526576123093) *
					r + 0.29656057182850489123) * r +
				   1.7848265399172913358) * r + 5.4637849111641143699) *
				 r + 6.6579046435011037772)
			/ (((((((r *
					 2.04426310338993978564e-15 + 1.4215117583164458887e-7) *
					r + 1.8463183175100546818e-5) * r +
				   7.868691311456132591e-4) * r + 0.0148753612908506148525)
				 * r + 0.13692988092273580531) * r +
				0.59983220655588793769) * r + 1.0);
	}
	return (q < 0.0) ? -value : value;
}

static int
compare_doubles(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

double
forecast_sample_quantile(double *x, int n, double p)
{
	double		h;
	int			lo;

	if (n <= 0 || isnan(p))
		return NAN;
	if (p < 0.0)
		p = 0.0;
	if (p > 1.0)
		p = 1.0;
	qsort(x, n, sizeof(double), compare_doubles);
	h = (n - 1) * p;
	lo = (int) floor(h);
	if (lo >= n - 1)
		return x[n - 1];
	if (lo < 0)
		return x[0];
	return x[lo] + (h - lo) * (x[lo + 1] - x[lo]);
}

void
forecast_linear_fit(const double *y, int n, double first,
					double *intercept, double *slope)
{
	double		tbar = first + (n - 1) / 2.0;
	double		ybar = 0.0,
				sxy = 0.0,
				sxx = 0.0;
	int			i;

	if (n <= 0)
	{
		*intercept = 0.0;
		*slope = 0.0;
		return;
	}
	for (i = 0; i < n; i++)
		ybar += y[i];
	ybar /= n;
	for (i = 0; i < n; i++)
	{
		double		d = first + i - tbar;

		sxy += d * (y[i] - ybar);
		sxx += d * d;
	}
	*slope = (sxx > 0.0) ? sxy / sxx : 0.0;
	*intercept = ybar - *slope * tbar;
}
