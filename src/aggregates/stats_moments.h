/*
 * stats_moments.h
 *		Rollup-able states for descriptive statistics (count, mean, central
 *		moments 2-4, min, max) and for two-variable linear regression, with
 *		exact combine and a validated binary form.
 *
 * The SQL aggregates keep one of these as their transition state: the
 * combine functions merge partial states (parallel workers, hourly rollups
 * into daily ones) so that the result equals computing over all rows, up
 * to floating-point rounding.  Naming of the shape statistics follows
 * scipy: stats_moments_skewness() is scipy.stats.skew(x) (biased g1),
 * stats_moments_kurtosis() is scipy.stats.kurtosis(x) (excess, biased g2);
 * the _sample variants are the adjusted G1/G2 of scipy's bias=False,
 * pandas' Series.skew() and Series.kurt().
 */
#ifndef DATALAYER_STATS_MOMENTS_H
#define DATALAYER_STATS_MOMENTS_H

#include "util/portable.h"

#define STATS_FORMAT_VERSION			1
#define STATS_MOMENTS_SERIALIZED_SIZE	68
#define REGR_SERIALIZED_SIZE			52

typedef enum StatsStatus
{
	STATS_OK = 0,
	STATS_ERR_TRUNCATED,		/* wrong length */
	STATS_ERR_VERSION,			/* unknown version or state kind */
	STATS_ERR_CORRUPT			/* impossible field values */
} StatsStatus;

/*
 * m2, m3, m4: sums of the 2nd, 3rd and 4th powers of deviations from the
 * mean.  The mean is mean + mean_lo, a double-double: mean alone is the
 * mean to within an ulp, mean_lo keeps the low-order bits that a plain
 * running mean loses when the values sit on a large offset (1e12 + noise).
 */
typedef struct StatsMoments
{
	uint64_t	count;
	double		mean;
	double		m2;
	double		m3;
	double		m4;
	double		min;
	double		max;
	double		mean_lo;
} StatsMoments;

/*
 * Youngs-Cramer form as in PostgreSQL's float8_regr_accum: sxx, syy, sxy are
 * sums of products of deviations from the means, not raw sums of squares.
 */
typedef struct RegrState
{
	uint64_t	n;
	double		sx;
	double		sy;
	double		sxx;
	double		syy;
	double		sxy;
} RegrState;

extern const char *stats_status_message(StatsStatus status);

extern void stats_moments_init(StatsMoments *s);
extern void stats_moments_add(StatsMoments *s, double x);
extern void stats_moments_combine(StatsMoments *into, const StatsMoments *other);
extern bool stats_moments_mean(const StatsMoments *s, double *out);
extern bool stats_moments_variance_pop(const StatsMoments *s, double *out);
extern bool stats_moments_variance_samp(const StatsMoments *s, double *out);
extern bool stats_moments_stddev_pop(const StatsMoments *s, double *out);
extern bool stats_moments_stddev_samp(const StatsMoments *s, double *out);
extern bool stats_moments_skewness(const StatsMoments *s, double *out);
extern bool stats_moments_skewness_sample(const StatsMoments *s, double *out);
extern bool stats_moments_kurtosis(const StatsMoments *s, double *out);
extern bool stats_moments_kurtosis_sample(const StatsMoments *s, double *out);
extern bool stats_moments_min(const StatsMoments *s, double *out);
extern bool stats_moments_max(const StatsMoments *s, double *out);
extern void stats_moments_serialize(const StatsMoments *s, uint8_t out[STATS_MOMENTS_SERIALIZED_SIZE]);
extern StatsStatus stats_moments_deserialize(const uint8_t *buf, size_t len, StatsMoments *s);

extern void regr_init(RegrState *r);
extern void regr_add(RegrState *r, double y, double x);
extern void regr_combine(RegrState *into, const RegrState *other);
extern bool regr_slope(const RegrState *r, double *out);
extern bool regr_intercept(const RegrState *r, double *out);
extern bool regr_r2(const RegrState *r, double *out);
extern bool regr_corr(const RegrState *r, double *out);
extern bool regr_covar_pop(const RegrState *r, double *out);
extern bool regr_covar_samp(const RegrState *r, double *out);
extern void regr_serialize(const RegrState *r, uint8_t out[REGR_SERIALIZED_SIZE]);
extern StatsStatus regr_deserialize(const uint8_t *buf, size_t len, RegrState *r);

#endif							/* DATALAYER_STATS_MOMENTS_H */
