/*
 * forecast_engine.h
 *		One entry point for every forecasting method over a regular series:
 *		input checks, scaling, seasonal-period detection, the method itself
 *		(or 'auto' choosing by the seasonality found), and a description of
 *		the model for users who want to see why a forecast looks as it does.
 *
 * Pure C over arrays: the SQL functions in forecast.c turn a timeseries into
 * a regular grid and call this; unit tests and the benchmark call it too.
 */
#ifndef DATALAYER_FORECAST_ENGINE_H
#define DATALAYER_FORECAST_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#define FC_MAX_PERIODS 4
#define FC_MAX_LEVELS 16
#define FC_MAX_HORIZON 100000
#define FC_MIN_POINTS 3
#define FC_MODEL_LEN 240

typedef enum FcMethod
{
	FC_AUTO = 0,
	FC_NAIVE,
	FC_SNAIVE,
	FC_DRIFT,
	FC_THETA,
	FC_ETS,
	FC_ARIMA,
	FC_MSTL,					/* MSTL, then ETS on the seasonally adjusted series */
	FC_MSTL_ARIMA,				/* MSTL, then ARIMA on the seasonally adjusted series */
	FC_COMBINED,				/* the mean of ETS, ARIMA and Theta (MSTL-based
								 * when a period is too long for them) */
	FC_CONSTANT					/* chosen, never asked: the series is constant */
} FcMethod;

typedef enum FcStatus
{
	FC_OK = 0,
	FC_ERR_TOO_SHORT,			/* fewer than FC_MIN_POINTS values */
	FC_ERR_NOT_FINITE,			/* an infinite value */
	FC_ERR_HORIZON,				/* horizon < 1 or > FC_MAX_HORIZON */
	FC_ERR_LEVEL,				/* a level outside (0, 100) or too many */
	FC_ERR_PERIOD,				/* a season < 2 or too many */
	FC_ERR_METHOD,				/* the method cannot fit these data (message says why) */
	FC_ERR_MODEL				/* an ETS model string that is not one */
} FcStatus;

typedef struct FcRequest
{
	const double *y;			/* n finite values on a regular grid */
	int			n;
	int			horizon;
	FcMethod	method;
	const double *levels;		/* percentages in (0, 100) */
	int			n_levels;
	int			periods[FC_MAX_PERIODS];
	int			n_periods;		/* -1: detect from the data */
	const char *ets_model;		/* "ZZZ" style pattern, NULL = "ZZZ" */
	int			damped;			/* -1 either, 0 no, 1 yes */
	uint64_t	seed;			/* simulated intervals */
	bool		want_fitted;	/* fill FcResult.fitted (false: left NULL) */
} FcRequest;

typedef struct FcResult
{
	FcStatus	status;
	char		message[200];	/* why, when status != FC_OK; a note otherwise */
	/* forecasts: mean[h], lower/upper[level * h + step] */
	double	   *mean;
	double	   *lower;
	double	   *upper;
	FcMethod	method;			/* the method that produced the forecast */
	char		model[FC_MODEL_LEN];	/* e.g. "ETS(A,Ad,N)", "ARIMA(1,1,1)" */
	int			periods[FC_MAX_PERIODS];	/* seasonal periods used */
	double		strength[FC_MAX_PERIODS];	/* their seasonal strength */
	int			n_periods;
	bool		periods_detected;
	/* information criteria of a likelihood-based model, NaN otherwise */
	double		loglik,
				aic,
				aicc,
				bic;
	/* named parameters, e.g. alpha, beta, gamma, phi, ar1, ma1, drift */
	int			n_params;
	char		param_names[16][16];
	double		param_values[16];
	/* 'auto': how much the holdout check widened the intervals (1 = not) */
	double		interval_factor;
	/* in-sample one-step accuracy on the original scale, NaN if unknown */
	double		mae,
				rmse,
				mase;

	/*
	 * With want_fitted: the n in-sample one-step-ahead fitted values of the
	 * chosen model on the original scale (NaN where the model has none, e.g.
	 * the first value of naive or the first d + D*m of ARIMA); NULL when
	 * not asked for or when the method has none.  Freed by fc_result_free.
	 */
	double	   *fitted;
} FcResult;

extern const char *fc_method_name(FcMethod method);
/* false if name is not a method ('constant' is not one a user can ask for) */
extern bool fc_method_parse(const char *name, FcMethod *method);

extern void fc_request_init(FcRequest *req);

/*
 * Fills result (mean/lower/upper allocated with dl_alloc; release with
 * fc_result_free).  Returns result->status.
 */
extern FcStatus fc_forecast(const FcRequest *req, FcResult *result);
extern void fc_result_free(FcResult *result);

/*
 * What 'auto' fits once the seasonal periods are known (n_periods of them
 * survived detection or were given): MSTL + ARIMA for a seasonal series,
 * the mean of ETS, ARIMA and Theta otherwise.  If that fails, fc_forecast
 * falls back to the seasonal naive or naive method.
 */
extern FcMethod fc_auto_method(int n_periods);

/*
 * Seasonal periods worth modelling in y (ascending, each with at least two
 * full cycles), and their strength from an MSTL decomposition.
 */
extern int	fc_detect_periods(const double *y, int n, int *periods, double *strength);

#endif							/* DATALAYER_FORECAST_ENGINE_H */
