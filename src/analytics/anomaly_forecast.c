/*
 * anomaly_forecast.c
 *		detect_anomalies' 'forecast' method over the forecasting engine's
 *		one-step-ahead errors; see anomaly_forecast.h.
 */
#include "util/portable.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analytics/anomaly_auto.h"
#include "analytics/anomaly_forecast.h"
#include "analytics/anomaly_likelihood.h"
#include "analytics/forecast_residuals.h"

FcStatus
anomaly_detect_forecast(const double *values, size_t n, const AnomalyOptions *options,
						FcMethod model, AnomalyResult *result, char *model_out,
						char *message)
{
	FcResidualInfo info;
	FcStatus	status;
	AnomalyLikelihoodState likelihood;
	AnomalyEpisodeState episode;
	double		k = anomaly_z_threshold(ANOMALY_K_FORECAST, options->sensitivity);
	double		tail_threshold = anomaly_likelihood_threshold(options->sensitivity);
	int			alarm = options->alarm == ANOMALY_ALARM_DEFAULT ? ANOMALY_ALARM_LIKELIHOOD : options->alarm;
	int			cooldown = options->cooldown > 0 ? options->cooldown : ANOMALY_DEFAULT_COOLDOWN;
	size_t		i;

	message[0] = '\0';
	if (n > (size_t) 100000000)
	{
		snprintf(message, 200, "too many points for the forecast method");
		return FC_ERR_TOO_SHORT;
	}
	memset(&info, 0, sizeof(info));
	status = fc_residual_band_ex(values, (int) n, model, options->period, 99.0,
								 result->expected, NULL, NULL, result->score,
								 model_out, &info);
	if (status != FC_OK)
	{
		if (status == FC_ERR_TOO_SHORT)
			snprintf(message, 200, "the series has fewer than %d values", FC_MIN_POINTS);
		else
			snprintf(message, 200, "%s", info.message[0] ? info.message : "the model cannot be fitted");
		return status;
	}
	anomaly_likelihood_init(&likelihood,
							options->score_window > 0 ? options->score_window : ANOMALY_DEFAULT_SCORE_WINDOW,
							options->score_horizon > 0 ? options->score_horizon : ANOMALY_DEFAULT_SCORE_HORIZON);
	anomaly_episode_init(&episode);
	for (i = 0; i < n; i++)
	{
		bool		outside;
		double		tail = 1.0;

		if ((i & 4095) == 0)
			dl_check_interrupts();
		if (isfinite(result->expected[i]))
		{
			result->lower[i] = result->expected[i] - k * info.sigma;
			result->upper[i] = result->expected[i] + k * info.sigma;
		}
		else
			result->lower[i] = result->upper[i] = NAN;
		outside = anomaly_value_usable(values[i]) && isfinite(result->score[i]) &&
			result->score[i] >= k;
		if (anomaly_value_usable(values[i]) && isfinite(result->score[i]))
			tail = anomaly_likelihood_step(&likelihood, result->score[i]);
		result->tail_probability[i] = tail;
		result->is_anomaly[i] = outside &&
			(alarm == ANOMALY_ALARM_THRESHOLD || tail <= tail_threshold ||
			 result->score[i] >= ANOMALY_EXTREME_FACTOR * k) &&
			i >= (size_t) options->warmup;
		result->is_onset[i] = anomaly_episode_step(&episode, result->is_anomaly[i], cooldown);
	}
	result->method_used = ANOMALY_METHOD_AUTO;
	result->period_used = info.n_periods > 0 ? info.periods[0] : 1;
	result->alarm_used = alarm;
	result->threshold = k;
	result->tail_threshold = tail_threshold;
	return FC_OK;
}
