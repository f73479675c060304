/*
 * forecast_baselines.h
 *		The benchmark forecasting methods every other method is measured
 *		against: naive (random walk), seasonal naive, random walk with drift,
 *		the M4 competition's Naive2 and the Theta method of Assimakopoulos &
 *		Nikolopoulos (2000) in the form of Hyndman & Billah (2003).
 *
 * Naive, seasonal naive and drift follow R's forecast package (naive(),
 * snaive(), rwf(drift = TRUE), version 8.20): the point forecast repeats the
 * last value (the last season), plus the mean step for drift; intervals
 * are normal, with the one-step variance estimated from the in-sample
 * one-step errors (lag-m errors for the seasonal naive), growing with the
 * number of steps (whole seasons for the seasonal naive) and, for drift,
 * the uncertainty of the estimated drift.
 *
 * Naive2 (M4): when the series is seasonal by the M4 90% autocorrelation
 * test, it is divided by the classical multiplicative decomposition's
 * seasonal indices, forecast by the naive method and the forecasts and the
 * naive intervals multiplied back by the indices.
 *
 * Theta (R's thetaf()): the same seasonal adjustment (thetaf's version of
 * the test), simple exponential smoothing fitted by least squares over the
 * smoothing parameter and the initial level (ses(), i.e. ets "ANN" with
 * opt.crit = "mse"), plus half the slope of the least squares line through
 * the adjusted series as drift.  Intervals are thetaf's: the SES forecast
 * standard error around the reseasonalised point forecast.
 *
 * All inputs are finite doubles in time order, y[0] the oldest.  Levels are
 * coverage percentages in [0, 100) (80 and 95 as usual); lower[] and
 * upper[] are laid out n_levels x h, row l holding the h bounds of
 * levels[l] (lower[l * h + i] for step i + 1).  They may be NULL when
 * n_levels is 0.  Where R cannot estimate a variance (n = 1 for naive,
 * n = m for the seasonal naive, n <= 2 for drift) the interval is taken as
 * degenerate (lower = upper = point forecast) rather than NaN.  Nothing is
 * kept between calls.
 *
 * Other differences from R: Theta's least squares fit is the exact
 * optimum, where R's Nelder-Mead can stop a little short (typically when
 * alpha sits at its bound 0.9999 and l0 hardly matters) or settle in
 * another local minimum, so intervals, and rarely point forecasts, can
 * differ slightly (the fit here never has the larger sum of squares); for
 * n <= 6, where ets() switches to HoltWinters() with l0 = y[0], the same
 * least squares fit is used.  Seasonal adjustment is skipped when the
 * multiplicative indices are not all finite and positive (R would divide
 * anyway).  Levels are percentages only (R also takes fractions).
 */
#ifndef DATALAYER_FORECAST_BASELINES_H
#define DATALAYER_FORECAST_BASELINES_H

#include "util/portable.h"

#include <stdbool.h>

typedef enum FbStatus
{
	FB_OK = 0,
	FB_ERR_ARGUMENT,			/* NULL array, n < 1, h < 1 or n_levels < 0 */
	FB_ERR_PERIOD,				/* season length m < 1 */
	FB_ERR_LEVEL,				/* a level outside [0, 100) or not finite */
	FB_ERR_VALUE,				/* NaN or infinite observation */
	FB_ERR_TOO_SHORT			/* seasonal naive: fewer than m observations */
} FbStatus;

extern const char *fb_status_message(FbStatus status);

/*
 * What a method estimated, for callers that report it (pass NULL when not
 * needed).  Fields a method does not use are 0 (false for seasonal).
 */
typedef struct FbInfo
{
	bool		seasonal;		/* Naive2, Theta: the series was seasonally adjusted */
	double		sigma2;			/* one-step variance the intervals are built from */
	double		drift;			/* drift: mean step; Theta: b, half the trend slope */
	double		drift_se;		/* drift: standard error of the mean step */
	double		alpha;			/* Theta: SES smoothing parameter */
	double		initial_level;	/* Theta: fitted SES initial level l0 */
	double		final_level;	/* Theta: SES level after the last observation */
} FbInfo;

/* naive(): every forecast is the last observation */
extern FbStatus fb_naive(const double *y, int n, int h,
						 const double *levels, int n_levels,
						 double *mean, double *lower, double *upper, FbInfo *info);

/* snaive(): step i repeats y[n - m + (i - 1) % m]; needs n >= m */
extern FbStatus fb_seasonal_naive(const double *y, int n, int m, int h,
								  const double *levels, int n_levels,
								  double *mean, double *lower, double *upper,
								  FbInfo *info);

/* rwf(drift = TRUE): naive plus i times the mean step (y[n-1] - y[0]) / (n - 1) */
extern FbStatus fb_drift(const double *y, int n, int h,
						 const double *levels, int n_levels,
						 double *mean, double *lower, double *upper, FbInfo *info);

/* M4's Naive2; m = 1 is plain naive */
extern FbStatus fb_naive2(const double *y, int n, int m, int h,
						  const double *levels, int n_levels,
						  double *mean, double *lower, double *upper, FbInfo *info);

/* thetaf(); m = 1 means no seasonal adjustment */
extern FbStatus fb_theta(const double *y, int n, int m, int h,
						 const double *levels, int n_levels,
						 double *mean, double *lower, double *upper, FbInfo *info);

/*
 * The autocorrelation statistic both seasonality tests use:
 * |r_m| / sqrt((1 + 2 * sum_{k=1}^{m-1} r_k^2) / n), with r_k the sample
 * autocorrelation at lag k as R's acf() computes it.  0 when m < 2,
 * n <= m or the series is constant.
 */
extern double fb_seasonal_statistic(const double *y, int n, int m);

/*
 * The M4 competition's seasonality test (90%, one-sided): m > 1,
 * n >= 3m and fb_seasonal_statistic() > 1.645.  (thetaf() uses the same
 * statistic with n > 2m, qnorm(0.95), and skips constant series.)
 */
extern bool fb_seasonal_test(const double *y, int n, int m);

/*
 * Seasonal indices of the classical multiplicative decomposition (R's
 * decompose(type = "multiplicative")): the series divided by its centred
 * moving average of order m (2 x m for even m), averaged per position in
 * the cycle and normalised to mean 1.  index[k] belongs to the positions
 * t with t % m == k (t zero-based, counted from y[0]), so step i of a
 * forecast uses index[(n + i - 1) % m].  Returns false, leaving index
 * unspecified, when m < 2, n < 2m, a moving average is zero, or an index
 * comes out non-finite or not positive.
 */
extern bool fb_classical_indices(const double *y, int n, int m, double *index);

#endif							/* DATALAYER_FORECAST_BASELINES_H */
