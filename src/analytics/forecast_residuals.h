/*
 * forecast_residuals.h
 *		Anomaly scores from a forecasting model's one-step-ahead errors: fit
 *		a model of the forecasting engine once over the whole series, take
 *		its in-sample one-step fitted values as the expected values, and
 *		measure each point's error against a robust scale of all the errors.
 *
 * This is the numerical core of detect_anomalies' 'forecast' method; the
 * SQL wrapper puts the series on a regular grid, calls fc_residual_band and
 * turns a status other than FC_OK into an error.  Pure C over arrays.
 */
#ifndef DATALAYER_FORECAST_RESIDUALS_H
#define DATALAYER_FORECAST_RESIDUALS_H

#include "analytics/forecast_engine.h"

/*
 * Above this many points the ARIMA-based methods ('auto' for any series,
 * 'arima', 'mstl_arima' and 'combined' when asked for) are replaced by their
 * ETS-based counterpart: STL + ETS for a seasonal series, ETS otherwise.
 * Automatic ARIMA's order search costs from 0.5 s to several seconds on a
 * few thousand points (one fit per candidate, each a Kalman filter over the
 * whole series), ETS and STL stay near 0.5 s on 22,000.
 */
#define FC_RESIDUAL_ARIMA_MAX_POINTS 2000

/* scores are capped here (an error against a scale of zero, or nearly) */
#define FC_RESIDUAL_MAX_SCORE 1e6

/* What fc_residual_band_ex fitted, for callers that report it. */
typedef struct FcResidualInfo
{
	FcMethod	method;			/* the method fitted (FC_CONSTANT for a
								 * constant series) */
	char		model[FC_MODEL_LEN];	/* e.g. "STL(24) + ETS(A,N,N)" */
	double		sigma;			/* the scale the scores divide by */
	bool		sigma_from_mad; /* false: the MAD was 0, sigma is the RMSE */
	int			n_periods;		/* seasonal periods used */
	int			periods[FC_MAX_PERIODS];
	int			n_residuals;	/* observed points with a fitted value */
	int			n_missing;		/* NaN inputs, interpolated for the fit */
	char		message[200];	/* substitutions and fallbacks, else "" */
} FcResidualInfo;

/*
 * The method fc_residual_band fits when `requested` is asked for on n
 * points with n_periods seasonal periods: FC_AUTO is the engine's own
 * choice (fc_auto_method); past FC_RESIDUAL_ARIMA_MAX_POINTS, FC_AUTO and
 * the ARIMA-based methods become FC_MSTL (seasonal) or FC_ETS.  Other
 * methods are kept.  If the method chosen yields no fitted values,
 * fc_residual_band refits with FC_ETS.
 */
extern FcMethod fc_residual_method(FcMethod requested, int n, int n_periods);

/*
 * For y[0..n) (NaN = missing; missing values are interpolated linearly for
 * the fit, the ends carried flat):
 *	expected[t]  the model's one-step-ahead fitted value,
 *	lower/upper  expected -/+ z(level) * sigma,
 *	score[t]     |y[t] - expected[t]| / sigma, capped at FC_RESIDUAL_MAX_SCORE,
 * where sigma is 1.4826 times the median absolute deviation of the one-step
 * errors of the observed points (their RMSE when that is 0).  A point the
 * model has no fitted value for (the first of naive, the first d + D*m of
 * ARIMA) gets NaN expected and bounds and score 0; a missing point gets
 * the model's expected value and bounds and score NaN.
 *
 * period: 0 detect the seasonal periods, 1 none, >= 2 that period (dropped
 * when the series has fewer than two full cycles).  level: percentage in
 * (0, 100), e.g. 99.  Output arrays hold n values; any may be NULL, and so
 * may model_out (FC_MODEL_LEN bytes).
 *
 * Returns FC_OK, FC_ERR_TOO_SHORT (fewer than FC_MIN_POINTS observed
 * values), FC_ERR_NOT_FINITE (an infinite value), FC_ERR_LEVEL,
 * FC_ERR_PERIOD (period < 0), FC_ERR_METHOD (neither the method nor ETS
 * could be fitted).  On error the outputs are left untouched.
 */
extern FcStatus fc_residual_band(const double *y, int n, FcMethod method, int period,
								 double level, double *expected, double *lower,
								 double *upper, double *score, char *model_out);

/* the same, also describing the fit in info (may be NULL) */
extern FcStatus fc_residual_band_ex(const double *y, int n, FcMethod method, int period,
									double level, double *expected, double *lower,
									double *upper, double *score, char *model_out,
									FcResidualInfo *info);

#endif							/* DATALAYER_FORECAST_RESIDUALS_H */
