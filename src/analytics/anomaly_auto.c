/*
 * anomaly_auto.c
 *		Option resolution and per-method thresholds for anomaly detection
 *		(see anomaly_auto.h for the defaults).
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/anomaly_auto.h"
#include "analytics/anomaly_seasonal.h"
#include "analytics/anomaly_seasonal_esd.h"

static bool
method_uses_period(AnomalyMethod method)
{
	return method == ANOMALY_METHOD_HOLT_WINTERS ||
		method == ANOMALY_METHOD_SEASONAL_ESD ||
		method == ANOMALY_METHOD_AUTO;
}

void
anomaly_resolve_options(const double *values, size_t n,
						const AnomalyOptions *options, AnomalyOptions *resolved)
{
	*resolved = *options;

	if (!method_uses_period(options->method))
		resolved->period = 1;
	else if (options->period == 0)
		resolved->period = (values != NULL && n > 0)
			? anomaly_detect_period(values, n, ANOMALY_MAX_PERIOD, NULL) : 1;

	/*
	 * Holt-Winters residuals with or without a season: with period 1 it is
	 * simple exponential smoothing, whose residual scale (an EWMA of squared
	 * errors) does not collapse to zero on flat stretches as a rolling MAD
	 * does, which is what made robust z raise alarm after alarm on
	 * quantised metrics.
	 */
	if (resolved->method == ANOMALY_METHOD_AUTO)
		resolved->method = ANOMALY_METHOD_HOLT_WINTERS;

	if (resolved->window == 0)
		resolved->window = ANOMALY_DEFAULT_WINDOW;
	if (resolved->alpha == 0.0)
		resolved->alpha = resolved->method == ANOMALY_METHOD_HOLT_WINTERS
			? ANOMALY_DEFAULT_ALPHA_HW : ANOMALY_DEFAULT_ALPHA_EWMA;
	if (resolved->cooldown == 0)
		resolved->cooldown = resolved->period > ANOMALY_DEFAULT_COOLDOWN
			? resolved->period : ANOMALY_DEFAULT_COOLDOWN;
	if (resolved->alarm == ANOMALY_ALARM_DEFAULT)
		resolved->alarm = ANOMALY_ALARM_LIKELIHOOD;
	if (resolved->score_window == 0)
		resolved->score_window = ANOMALY_DEFAULT_SCORE_WINDOW;
	if (resolved->score_horizon == 0)
		resolved->score_horizon = ANOMALY_DEFAULT_SCORE_HORIZON;
	if (resolved->hazard == 0.0)
		resolved->hazard = ANOMALY_DEFAULT_HAZARD;
	if (resolved->max_run_length == 0)
		resolved->max_run_length = ANOMALY_DEFAULT_MAX_RUN_LENGTH;
	if (resolved->max_anomalies == 0.0)
		resolved->max_anomalies = ANOMALY_DEFAULT_MAX_ANOMALIES;
}

double
anomaly_method_threshold(AnomalyMethod method, double sensitivity)
{
	switch (method)
	{
		case ANOMALY_METHOD_ROBUST_Z:
			return anomaly_z_threshold(ANOMALY_K_ROBUST_Z, sensitivity);
		case ANOMALY_METHOD_EWMA:
			return anomaly_z_threshold(ANOMALY_K_EWMA, sensitivity);
		case ANOMALY_METHOD_AUTO:
		case ANOMALY_METHOD_HOLT_WINTERS:
			return anomaly_z_threshold(ANOMALY_K_HOLT_WINTERS, sensitivity);
		case ANOMALY_METHOD_CHANGEPOINT:
			return 0.9 - 0.8 * sensitivity;
		case ANOMALY_METHOD_SEASONAL_ESD:
			return anomaly_esd_alpha(sensitivity);
	}
	return NAN;
}
