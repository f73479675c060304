/*
 * arima.h
 *		Seasonal ARIMA(p,d,q)(P,D,Q)m models: exact Gaussian maximum likelihood
 *		through a Kalman filter, conditional-sum-of-squares starting values,
 *		automatic order selection in the manner of Hyndman & Khandakar (2008)
 *		(R's forecast::auto.arima) and forecasts with prediction intervals.
 *
 * Model.  With u_t = y_t - c x_t (c x_t the optional mean or drift term),
 *		phi(B) Phi(B^m) (1-B)^d (1-B^m)^D u_t = theta(B) Theta(B^m) e_t,
 * e_t ~ N(0, sigma2); phi(B) = 1 - phi_1 B - ..., theta(B) = 1 + theta_1 B
 * + ... (R's sign conventions).  x_t = 1 (mean) when d + D = 0, x_t = t
 * (t = 1..n, drift) when d + D = 1; no constant is fitted when d + D >= 2.
 *
 * Fitting (arima_fit, method CSS-ML, R's Arima() default): the conditional
 * sum of squares is minimised from zero ARMA coefficients and the least
 * squares constant; if its AR part is stationary, it starts the exact
 * likelihood of the differenced series, maximised over partial
 * autocorrelations (tanh transform, so AR stays stationary) with a BFGS
 * optimiser on central-difference gradients.  The likelihood comes from a
 * Kalman filter on the Harvey state space form started from the exact
 * stationary covariance (computed from the model's autocovariances), with a
 * switch to the steady-state recursions once the filter has converged.
 * Non-invertible MA factors are flipped to their invertible equivalent, as
 * R does.  A fit is "admissible" when every root of the AR and MA
 * polynomials (seasonal factors included) lies outside |z| = 1.01, which is
 * auto.arima's rule.
 *
 * Order selection (arima_auto): d by repeated KPSS tests (level, lag
 * trunc(3 sqrt(n) / 13), 5 %; up to 2); D (0 or 1) by the seasonal strength
 * of a classical decomposition > 0.64 (R uses an STL decomposition here, see
 * arima_seasonal_strength); then the stepwise search of Hyndman & Khandakar
 * by AICc, with auto.arima's starting models, moves, limits (p, q <= 5,
 * P, Q <= 2, each also <= n/3 resp. n/3/m; p, q < m with seasonal terms; at
 * most 94 models) and its approximation: for n > 150 or m > 12 the search
 * uses CSS fits and the best models are then refitted by maximum likelihood
 * until one is admissible.
 *
 * Seasonal periods above ARIMA_MAX_SEASONAL_PERIOD (52) are fitted without
 * seasonal terms or differencing: auto.arima in practice fails for such
 * periods (e.g. 168), the state vector would have hundreds of entries, and
 * these series are better served by STL + ARIMA or by Fourier terms.
 *
 * Known differences from R (forecast 8.20 / stats::arima):
 *  - likelihood of the differenced series is exact; R approximates the same
 *    quantity with a diffuse prior (kappa = 1e6): log-likelihoods of
 *    differenced models differ by ~1e-5 relative (0.003 on the airline
 *    model), coefficients by ~1e-5.
 *  - nsdiffs' seasonal strength comes from a classical decomposition, not
 *    mstl()/STL (e.g. 0.933 vs 0.964 on log AirPassengers).
 *  - auto.arima's checkarima() (rejecting fits whose numerical Hessian is
 *    not invertible) is not reproduced; the root test is.
 *  - interval variances use psi weights (exact once the Kalman filter has
 *    converged; R's Kalman forecast variance is slightly larger at the first
 *    horizons of very short series).
 *  - missing values are not supported (ARIMA_NONFINITE); no Box-Cox, xreg,
 *    or non-stepwise search.
 *  - the stepwise search, like auto.arima's, does not enforce max.order.
 */
#ifndef DATALAYER_ARIMA_H
#define DATALAYER_ARIMA_H

#include <stdbool.h>

#define ARIMA_MAX_NONSEASONAL	10	/* p, q accepted by arima_fit */
#define ARIMA_MAX_SEASONAL		4	/* P, Q accepted by arima_fit */
#define ARIMA_MAX_SEASONAL_PERIOD 52
#define ARIMA_MAX_COEF (2 * ARIMA_MAX_NONSEASONAL + 2 * ARIMA_MAX_SEASONAL + 1)

typedef enum ArimaStatus
{
	ARIMA_OK = 0,
	ARIMA_TOO_SHORT,			/* not enough observations for the model */
	ARIMA_NONFINITE,			/* NaN or infinity in the input */
	ARIMA_BAD_ORDER,			/* negative or too large orders, period < 1 */
	ARIMA_NOT_ADMISSIBLE,		/* fitted, but a root inside |z| = 1.01; the
								 * fit is filled in (free it) */
	ARIMA_NO_FIT				/* CSS AR part non-stationary, optimiser
								 * failure, or no admissible model */
} ArimaStatus;

typedef enum ArimaMethod
{
	ARIMA_METHOD_CSS_ML = 0,	/* R's default */
	ARIMA_METHOD_ML,			/* exact likelihood from zero coefficients */
	ARIMA_METHOD_CSS			/* conditional sum of squares only */
} ArimaMethod;

typedef struct ArimaOrder
{
	int			p,
				d,
				q;
	int			P,
				D,
				Q;
	int			period;			/* m; ignored when P = D = Q = 0 */
} ArimaOrder;

/*
 * A fitted model.  coef[] holds ar[0..p), ma[0..q), sar[0..P), sma[0..Q) and
 * then, if has_constant, the mean (d + D = 0) or the drift per time step
 * (d + D = 1), in R's order and signs.  The fit owns a copy of the series
 * (for forecasting): release it with arima_free(), which is safe on a zeroed
 * or already freed fit.
 */
typedef struct ArimaFit
{
	ArimaOrder	order;			/* period is 1 for non-seasonal models */
	bool		has_constant;
	bool		is_drift;		/* the constant is a drift (d + D = 1) */
	bool		degenerate;		/* (differenced) data exactly constant: the
								 * model fits exactly, sigma2 = 0, loglik and
								 * criteria are NaN */
	bool		admissible;		/* roots outside |z| = 1.01 */
	ArimaMethod method;
	int			n;				/* length of the series */
	int			nobs;			/* n - d - D m: observations in the likelihood */
	int			ncoef;
	double		coef[ARIMA_MAX_COEF];
	double		sigma2;			/* sum of squared standardised innovations /
								 * (nobs - ncoef), as R's Arima() reports and
								 * forecast() uses */
	double		sigma2_mle;		/* the same sum / nobs (CSS: / its count) */
	double		loglik;			/* exact Gaussian (CSS: R's CSS value) */
	double		aic,
				aicc,
				bic;			/* with npar = ncoef + 1, nobs as sample size */
	int			iterations;		/* BFGS gradient evaluations, both stages */
	double	   *y;				/* private copy of the series */
} ArimaFit;

typedef struct ArimaAutoOptions
{
	int			max_p,
				max_q,
				max_P,
				max_Q;			/* 5, 5, 2, 2 */
	int			max_d,
				max_D;			/* 2, 1 */
	int			d,
				D;				/* -1 = choose by test (default) */
	int			max_models;		/* 94 */
	int			approximation;	/* -1 = auto (n > 150 or m > 12), 0, 1 */
	bool		allow_constant; /* mean / drift allowed (true) */
} ArimaAutoOptions;

/* what arima_auto did (optional) */
typedef struct ArimaAutoInfo
{
	int			period_used;	/* 1 when seasonality was not considered */
	int			d,
				D;
	double		seasonal_strength;	/* NaN when not computed */
	bool		approximation;
	int			models_fitted;	/* search fits + refits */
	bool		constant_series;
} ArimaAutoInfo;

/*
 * Fits one model.  include_constant requests the mean (d + D = 0) or drift
 * (d + D = 1); it is ignored when d + D >= 2.  fit is always initialised;
 * call arima_free() whatever the status.  Returns ARIMA_OK or one of the
 * failures above (ARIMA_NOT_ADMISSIBLE leaves a complete fit).
 */
extern ArimaStatus arima_fit(const double *y, int n, const ArimaOrder *order,
							 bool include_constant, ArimaFit *fit);
extern ArimaStatus arima_fit_method(const double *y, int n,
									const ArimaOrder *order,
									bool include_constant, ArimaMethod method,
									ArimaFit *fit);

extern void arima_auto_default_options(ArimaAutoOptions *options);

/*
 * Chooses and fits a model as auto.arima(y) with frequency period.  A
 * constant series gives a degenerate ARIMA(0,0,0) with its value as mean
 * (constant forecasts, zero-width intervals) and ARIMA_OK.  Failures:
 * ARIMA_TOO_SHORT (n < 3), ARIMA_NONFINITE, ARIMA_BAD_ORDER (period < 1),
 * ARIMA_NO_FIT.  info may be NULL.
 */
extern ArimaStatus arima_auto(const double *y, int n, int period,
							  ArimaFit *best);
extern ArimaStatus arima_auto_ex(const double *y, int n, int period,
								 const ArimaAutoOptions *options,
								 ArimaFit *best, ArimaAutoInfo *info);

/*
 * Point forecasts mean[0..h) and prediction intervals for levels[0..n_levels)
 * (percentages in (0, 100); others give NaN bounds).  lower and upper are
 * n_levels x h, one row per level (lower[i * h + k]); they may be NULL when
 * n_levels = 0.  The point forecasts come from the Kalman filter's final
 * state, the variances from the psi weights of the full (differenced) model
 * times sigma2, as R's predict.Arima gives for all but very short series.
 */
extern void arima_forecast(const ArimaFit *fit, int h, const double *levels,
						   int n_levels, double *mean, double *lower,
						   double *upper);

/* one-step standardised innovations e_t / sqrt(F_t) of the differenced
 * series, nobs values (0 for a degenerate fit); returns false on failure */
extern bool arima_residuals(const ArimaFit *fit, double *resid);

/* exact log-likelihood (sigma2 concentrated out) at coef[] laid out as in
 * ArimaFit; NaN if it cannot be evaluated (e.g. non-stationary AR) */
extern double arima_loglik_at(const double *y, int n, const ArimaOrder *order,
							  bool include_constant, const double *coef);

extern void arima_free(ArimaFit *fit);

/* "ARIMA(1,1,1)(0,1,1)[12] with drift" into buf */
extern void arima_model_name(const ArimaFit *fit, char *buf, int buflen);

/* --- the tests used by arima_auto, exposed for unit tests --- */

/* KPSS level-stationarity statistic with Bartlett window of lag lags */
extern double arima_kpss_statistic(const double *x, int n, int lags);
/* forecast::ndiffs(x) (KPSS, alpha 0.05, max_d) */
extern int	arima_ndiffs(const double *x, int n, int max_d);
/*
 * Seasonal strength max(0, 1 - var(R) / var(S + R)) of a classical additive
 * decomposition (centred 2 x m moving average trend, seasonal means of the
 * detrended series), over the span where the trend is defined.  R's
 * nsdiffs() computes it from mstl(); the classical version agrees on
 * clearly seasonal or clearly non-seasonal series and keeps this core
 * independent of stl.c.  NaN when n < 2 m.
 */
extern double arima_seasonal_strength(const double *x, int n, int m);
/* forecast::nsdiffs(x) with the "seas" test: 0 or 1 (max_D) */
extern int	arima_nsdiffs(const double *x, int n, int m, int max_D);
/* R's is.constant(): all.equal(x, rep(x[1], n)) */
extern bool arima_is_constant(const double *x, int n);

#endif							/* DATALAYER_ARIMA_H */
