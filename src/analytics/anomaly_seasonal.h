/*
 * anomaly_seasonal.h
 *		Season-length detection and a small robust seasonal decomposition
 *		for the anomaly detectors.
 *
 * This is not the STL of src/analytics/stl* (owned by the forecasting
 * work): it is a rolling-median trend plus per-phase medians, which is what
 * seasonal-hybrid ESD needs (robust to the anomalies it is looking for) and
 * small enough to live here.  The two can be merged later.
 */
#ifndef DATALAYER_ANOMALY_SEASONAL_H
#define DATALAYER_ANOMALY_SEASONAL_H

/* an autocorrelation peak must reach this to count as a season */
#define ANOMALY_SEASON_MIN_ACF 0.3
/* ... and rise this much above the lowest autocorrelation at shorter lags */
#define ANOMALY_SEASON_MIN_PROMINENCE 0.2
/* only the last this many points are used to detect the season */
#define ANOMALY_SEASON_MAX_POINTS 16384

/*
 * Season length in points (>= 4), or 1 when the series has none; strength
 * (may be NULL) receives the autocorrelation at that lag, 0 when none.
 * Values that are not usable (anomaly_value_usable()) are replaced by the mean; lags up to min(n / 3,
 * max_period) are tried, over the last ANOMALY_SEASON_MAX_POINTS points.
 */
extern int	anomaly_detect_period(const double *values, size_t n, int max_period,
								  double *strength);

/*
 * trend[i] = median of the usable values in a centred window of trend_window
 * points, seasonal[i] = median over i's phase of (value - trend); the
 * residual is value - trend - seasonal.  Unusable values get the
 * neighbouring trend and their phase's seasonal term.
 */
extern void anomaly_decompose(const double *values, size_t n, int period,
							  int trend_window, double *trend, double *seasonal);

#endif							/* DATALAYER_ANOMALY_SEASONAL_H */
