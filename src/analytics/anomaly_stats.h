/*
 * anomaly_stats.h
 *		Small robust-statistics and distribution helpers used by the anomaly
 *		detectors: selection-based median and MAD, a sorted sliding window
 *		for rolling medians, and the normal and Student t quantiles that the
 *		generalized ESD test needs.
 */
#ifndef DATALAYER_ANOMALY_STATS_H
#define DATALAYER_ANOMALY_STATS_H

/* 1 / Phi^-1(3/4): makes the MAD a consistent estimator of sigma */
#define ANOMALY_MAD_TO_SIGMA 1.482602218505602

/* median of work[0..n-1] (n > 0); work is reordered */
extern double anomaly_median_inplace(double *work, size_t n);

/* sigma estimated as 1.4826 * MAD around center; work is overwritten */
extern double anomaly_mad_sigma(const double *values, size_t n, double center,
								double *work);

/*
 * A robust scale that is never zero: the MAD, else the mean absolute
 * deviation (constant series with a few distinct points), else a floor
 * relative to the center's magnitude, so that a deviation from a constant
 * series gets a large but finite score.
 */
extern double anomaly_robust_scale(const double *values, size_t n, double center,
								   double *work);
extern double anomaly_scale_floor(double center);

/* sorted array of at most capacity doubles: insert and remove one value */
extern void anomaly_sorted_insert(double *sorted, int *count, double value);
extern void anomaly_sorted_remove(double *sorted, int *count, double value);
extern double anomaly_sorted_median(const double *sorted, int count);

/* Student t distribution: upper tail P(T > t) and the quantile */
extern double anomaly_t_upper_tail(double t, double df);
extern double anomaly_t_quantile(double p, double df);

#endif							/* DATALAYER_ANOMALY_STATS_H */
