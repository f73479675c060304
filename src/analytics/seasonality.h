/*
 * seasonality.h
 *		Detecting and measuring seasonality: autocorrelations, the M4
 *		seasonality test, classical decomposition indices, automatic period
 *		detection and the strength of a seasonal component.
 *
 * None of these returns NaN for finite input, and all accept any n >= 0
 * (y may then be NULL) without reading out of bounds.
 */
#ifndef DATALAYER_SEASONALITY_H
#define DATALAYER_SEASONALITY_H

#include <stdbool.h>

/*
 * acf[k-1] = autocorrelation at lag k, k = 1..max_lag, as R's
 * acf(y, lag.max = max_lag)$acf[-1].  Lags >= n, and every lag of a
 * constant series or one with a non-finite value, get 0 (R: NaN / NA).
 */
extern void seasonality_acf(const double *y, int n, int max_lag, double *acf);

/*
 * The seasonality test of the M4 competition's benchmarks (Naive2, SES,
 * Theta) and of R's forecast::thetaf: the autocorrelation at lag m exceeds
 * z * sqrt((1 + 2 sum_{k<m} acf_k^2) / n), Bartlett's bound at the normal
 * quantile z (1.645 for the 90% test).  False when m <= 1, n < 3m, or the
 * series is constant or not finite.  (The M4 code takes the ACF from R's
 * acf() with its default lag.max = 10 log10(n), so it also says "not
 * seasonal" whenever m > 10 log10(n), e.g. m = 24 with n < 252; we, like
 * thetaf, always use the autocorrelation at lag m.)
 */
extern bool seasonality_test(const double *y, int n, int m, double z);

/*
 * Classical decomposition (centred moving average, as R's decompose()):
 * index[k] is the seasonal figure for positions t with t % m == k (t
 * zero-based), i.e. decompose(ts(y, frequency = m))$figure[k + 1].
 * Multiplicative indices average 1, additive ones 0.  Returns false if
 * m < 2, n < 2m, a value is not finite, or (multiplicative) the data are
 * not all positive.
 */
extern bool seasonality_classical_indices(const double *y, int n, int m,
										  bool multiplicative, double *index);

/*
 * Finds up to max_periods seasonal periods (e.g. 24 and 168 in hourly data
 * with daily and weekly cycles, 12 in monthly data, none in white noise,
 * random walks or trends); see seasonality.c for the method.  Periods are
 * ascending, each a multiple of the previous one, and at most n / 4 (a
 * period must be seen four times; only the last 2^19 points of longer
 * series are used).  Returns how many were found, 0 for n < 8, a constant
 * series or one with a non-finite value.
 */
extern int	seasonality_detect_periods(const double *y, int n, int max_periods,
									   int *periods);

/*
 * Strength of seasonality (Wang, Smith & Hyndman 2006; feasts'
 * seasonal_strength, tsfeatures' seasonal_strength):
 * max(0, 1 - var(remainder) / var(seasonal + remainder)), in [0, 1];
 * 0 if n < 2, seasonal + remainder has no variance or a value is not
 * finite.
 */
extern double seasonality_strength(const double *seasonal,
								   const double *remainder, int n);

#endif							/* DATALAYER_SEASONALITY_H */
