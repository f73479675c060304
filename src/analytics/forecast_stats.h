/*
 * forecast_stats.h
 *		Small statistical helpers shared by the forecasting methods: the
 *		normal quantile for prediction intervals, a deterministic PRNG for
 *		simulated intervals, sample quantiles and least squares lines.
 */
#ifndef DATALAYER_FORECAST_STATS_H
#define DATALAYER_FORECAST_STATS_H

#include <stdint.h>

/* xoshiro256** state; seeded from one 64-bit value, no global state */
typedef struct ForecastRng
{
	uint64_t	s[4];
	int			has_spare;
	double		spare;
} ForecastRng;

extern void forecast_rng_seed(ForecastRng *rng, uint64_t seed);
extern double forecast_rng_uniform(ForecastRng *rng);	/* in (0, 1) */
extern double forecast_rng_normal(ForecastRng *rng);	/* N(0, 1) */

/* inverse of the standard normal CDF, p in (0, 1); NaN outside */
extern double forecast_normal_quantile(double p);

/* type-7 sample quantile (R's default) of x[n], p clamped to [0, 1];
 * sorts x in place; NaN when n <= 0 or p is NaN */
extern double forecast_sample_quantile(double *x, int n, double p);

/* least squares line y = intercept + slope * t over t = first, first+1, ...
 * (slope 0 for a single point, both 0 for none) */
extern void forecast_linear_fit(const double *y, int n, double first,
								double *intercept, double *slope);

#endif							/* DATALAYER_FORECAST_STATS_H */
