/*
 * ets.h
 *		Exponential smoothing state space models (Hyndman, Koehler, Ord &
 *		Snyder 2008): error A/M, trend N/A/Ad/M/Md, season N/A/M, fitted by
 *		maximum likelihood with R forecast::ets()'s bounds, admissibility
 *		region, starting values, optimiser and AICc model selection, so that
 *		fits agree with R's (forecast 8.20; see test/unit/test_ets.c).
 *
 * Everything here is reentrant: no state is kept between calls.  Results
 * are always finite: no NaN, forecasts and bounds clamped to +-1e300.
 */
#ifndef DATALAYER_ETS_H
#define DATALAYER_ETS_H

#include <stdbool.h>
#include <stdint.h>

/* R's ets() refuses seasonal models above frequency 24 for the same reason:
 * the optimiser must estimate period - 1 seasonal states */
#define ETS_MAX_PERIOD 24
#define ETS_STATE_SIZE (2 + ETS_MAX_PERIOD)

typedef enum EtsComponent
{
	ETS_NONE = 0,
	ETS_ADDITIVE = 1,
	ETS_MULTIPLICATIVE = 2
} EtsComponent;

typedef struct EtsSpec
{
	EtsComponent error;			/* ADDITIVE or MULTIPLICATIVE */
	EtsComponent trend;
	EtsComponent season;
	bool		damped;
	int			period;			/* season length; 1 when season is NONE */
} EtsSpec;

typedef enum EtsStatus
{
	ETS_OK = 0,
	ETS_TOO_SHORT,				/* n <= free parameters + 4 (R's rule for a
								 * fixed model), a season not shorter than
								 * the series, or no data */
	ETS_NOT_POSITIVE,			/* a multiplicative part on data <= 0 */
	ETS_FORBIDDEN,				/* unstable combination (e.g. A,*,M), damped
								 * without trend, malformed pattern */
	ETS_BAD_PERIOD,				/* season with period < 2 or > ETS_MAX_PERIOD */
	ETS_NO_FIT					/* no admissible starting point, or the data
								 * hold a NaN or an infinity */
} EtsStatus;

typedef struct EtsFit
{
	EtsSpec		spec;
	double		alpha,
				beta,
				gamma,
				phi;			/* beta/gamma 0 and phi 1 when unused */
	/* state vector: [0] level, [1] slope, [2 + j] seasonal j steps back */
	double		initial_state[ETS_STATE_SIZE];
	double		final_state[ETS_STATE_SIZE];
	int			n;				/* observations used */
	int			n_params;		/* estimated parameters + initial states + 1
								 * (the variance), as R's df */
	double		loglik;			/* R's: -0.5 * (n log SSE [+ 2 sum log|yhat|]) */
	double		aic,
				aicc,
				bic;
	double		sigma2;			/* residual variance (relative for M error),
								 * SSE / (n - estimated parameters) as R */
	double		mse;			/* in-sample one-step mean squared error */
	double		mae;			/* in-sample one-step mean absolute error */
	int			evaluations;	/* objective evaluations spent */
} EtsFit;

/* "AAdN" style name into spec (period taken from the argument). */
extern bool ets_parse_model(const char *name, int period, EtsSpec *spec);
/* "ETS(A,Ad,N)" into buf */
extern void ets_model_name(const EtsSpec *spec, char *buf, int buflen);

/*
 * Fits one model by maximum likelihood (parameters and initial states),
 * as ets(y, model = "XYZ", damped = ...).  Like R it refuses n <= free
 * parameters + 4 (R then falls back on HoltWinters(); we return
 * ETS_TOO_SHORT).  Seasonal starts need n > period; below 3 periods they
 * come from a trend + Fourier regression, as in R.  *fit is zeroed unless
 * ETS_OK.
 */
extern EtsStatus ets_fit_model(const double *y, int n, const EtsSpec *spec,
							   EtsFit *fit);

/*
 * Fits every admissible model the pattern allows and keeps the lowest AICc,
 * as ets(y, model = pattern): pattern is 3 letters from {A,M,Z} x {N,A,M,Z}
 * x {N,A,M,Z} (Z = choose; NULL = "ZZZ"); damped: -1 both, 0 no, 1 yes (as
 * R's damped = TRUE, trendless models are then not tried).  Multiplicative
 * trend is only tried when allow_multiplicative_trend is set (R's default
 * is not to).  As in R: the season is dropped when n <= period (and, for
 * Z, when the period is outside 2..ETS_MAX_PERIOD); multiplicative-error
 * models are skipped for data that are not all positive; a constant series
 * (R's is.constant()) gets simple exponential smoothing with alpha 0.99999
 * started at the first value, its forecast being the constant.
 */
extern EtsStatus ets_fit_auto(const double *y, int n, int period,
							  const char *pattern, int damped,
							  bool allow_multiplicative_trend, EtsFit *best);

/*
 * Point forecasts mean[0..h) and prediction intervals for levels[0..n_levels)
 * (percentages; outside (0, 100) they are clamped, 0 or NaN giving the
 * mean).  lower/upper are n_levels x h, row per level; with n_levels <= 0
 * they may be NULL.  h <= 0 writes nothing.
 *
 * As R's forecast.ets(): analytical variances for classes 1 and 2 (linear
 * trend and season, additive or multiplicative error) and class 3
 * (multiplicative error and season), where mean is the forecast
 * distribution's expectation; for multiplicative trends mean is the point
 * forecast and the intervals are quantiles of n_paths simulated sample
 * paths (n_paths < 1: R's 5000) from a PRNG seeded with seed.  To bound the
 * work, paths x h is capped at 5e6 (never fewer than 100 paths).  The
 * point forecast of a multiplicative trend can leave its simulated
 * intervals after hundreds of steps (sample paths grow more slowly than the
 * deterministic path); R behaves the same.
 *
 * Deliberate differences from R 8.20 (which has bugs there): the seasonal
 * term of classes 1 and 2 enters the variance at h = m + 1, 2m + 1, ...
 * (R: one step early when there is no trend); the damped trend enters
 * class 3 and the multiplicative-trend point forecasts with phi + phi^2 +
 * ... + phi^h (R: without phi in class 3, 2 phi at h = 2 otherwise).
 */
extern void ets_forecast(const EtsFit *fit, int h, const double *levels,
						 int n_levels, uint64_t seed, int n_paths,
						 double *mean, double *lower, double *upper);

/* one-step fitted values fitted[0..n) (for diagnostics); y, n as given to the fit */
extern void ets_fitted_values(const EtsFit *fit, const double *y, int n,
							  double *fitted);

#endif							/* DATALAYER_ETS_H */
