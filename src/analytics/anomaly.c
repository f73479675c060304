/*
 * anomaly.c
 *		Options, results, thresholds and episodes shared by every anomaly
 *		detector, and anomaly_detect(), the batch entry point that the SQL
 *		function datalayer.detect_anomalies() calls.
 *
 * anomaly_detect() resolves the options (anomaly_auto.c picks the method and
 * season when asked), then either runs a causal detector through the stream
 * code, so batch and streaming share one implementation, or runs the
 * seasonal-hybrid ESD over the whole series.  Episodes are marked last, the
 * same way for every method.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/anomaly.h"
#include "analytics/anomaly_auto.h"
#include "analytics/anomaly_causal.h"
#include "analytics/anomaly_likelihood.h"
#include "analytics/anomaly_seasonal_esd.h"
#include "analytics/anomaly_stream.h"

static const char *const method_names[ANOMALY_METHOD_COUNT] = {
	"auto", "robust_z", "ewma", "holt_winters", "changepoint", "seasonal_esd"
};

void
anomaly_options_init(AnomalyOptions *options)
{
	memset(options, 0, sizeof(*options));
	options->method = ANOMALY_METHOD_AUTO;
	options->sensitivity = 0.5;
}

const char *
anomaly_options_invalid(const AnomalyOptions *options)
{
	if ((int) options->method < 0 || (int) options->method >= ANOMALY_METHOD_COUNT)
		return "method";
	if (options->window != 0 && (options->window < 3 || options->window > ANOMALY_MAX_WINDOW))
		return "window";
	if (!(options->alpha >= 0.0 && options->alpha < 1.0))
		return "alpha";
	if (options->period < 0 || options->period > ANOMALY_MAX_PERIOD)
		return "period";
	if (options->cooldown < 0)
		return "cooldown";
	if (options->warmup < 0)
		return "warmup";
	if (!(options->hazard == 0.0 || (options->hazard >= 2.0 && options->hazard <= 1e9)))
		return "hazard";
	if (options->max_run_length != 0 &&
		(options->max_run_length < 2 * CHANGEPOINT_RECENT ||
		 options->max_run_length > ANOMALY_MAX_RUN_LENGTH))
		return "max_run_length";
	if (!(options->max_anomalies >= 0.0 && options->max_anomalies <= 0.5))
		return "max_anomalies";
	if (options->alarm < 0 || options->alarm > ANOMALY_ALARM_THRESHOLD)
		return "alarm";
	if (options->score_window < 0 || options->score_window > ANOMALY_LIKELIHOOD_MAX_WINDOW)
		return "score_window";
	if (options->score_horizon != 0 &&
		(options->score_horizon < ANOMALY_LIKELIHOOD_MIN_HORIZON ||
		 options->score_horizon > ANOMALY_LIKELIHOOD_MAX_HORIZON))
		return "score_horizon";
	return NULL;
}

AnomalyStatus
anomaly_options_validate(const AnomalyOptions *options)
{
	if (options == NULL)
		return ANOMALY_ERR_ARGUMENT;
	if (!(options->sensitivity >= 0.0 && options->sensitivity <= 1.0))
		return ANOMALY_ERR_SENSITIVITY;
	return anomaly_options_invalid(options) ? ANOMALY_ERR_OPTION : ANOMALY_OK;
}

const char *
anomaly_status_message(AnomalyStatus status)
{
	switch (status)
	{
		case ANOMALY_OK:
			return "ok";
		case ANOMALY_ERR_ARGUMENT:
			return "missing argument";
		case ANOMALY_ERR_SENSITIVITY:
			return "sensitivity must be between 0 and 1";
		case ANOMALY_ERR_OPTION:
			return "anomaly detection option out of range";
		case ANOMALY_ERR_TOO_SHORT:
			return "series too short for this method";
		case ANOMALY_ERR_NOT_STREAMABLE:
			return "method has no streaming form";
		case ANOMALY_ERR_STATE_CORRUPT:
			return "anomaly detector state is corrupt";
		case ANOMALY_ERR_STATE_VERSION:
			return "anomaly detector state has an unknown version";
		case ANOMALY_ERR_BUFFER_TOO_SMALL:
			return "buffer too small for the anomaly detector state";
	}
	return "unknown status";
}

const char *
anomaly_method_name(AnomalyMethod method)
{
	if ((int) method < 0 || (int) method >= ANOMALY_METHOD_COUNT)
		return "unknown";
	return method_names[method];
}

bool
anomaly_method_from_name(const char *name, AnomalyMethod *method)
{
	int			i;

	if (name == NULL)
		return false;
	for (i = 0; i < ANOMALY_METHOD_COUNT; i++)
		if (strcmp(name, method_names[i]) == 0)
		{
			*method = (AnomalyMethod) i;
			return true;
		}
	return false;
}

void
anomaly_result_init(AnomalyResult *result, size_t n)
{
	size_t		alloc_n = n > 0 ? n : 1;

	memset(result, 0, sizeof(*result));
	result->n = n;
	result->expected = dl_alloc0(sizeof(double) * alloc_n);
	result->lower = dl_alloc0(sizeof(double) * alloc_n);
	result->upper = dl_alloc0(sizeof(double) * alloc_n);
	result->score = dl_alloc0(sizeof(double) * alloc_n);
	result->is_anomaly = dl_alloc0(sizeof(bool) * alloc_n);
	result->is_onset = dl_alloc0(sizeof(bool) * alloc_n);
	result->tail_probability = dl_alloc0(sizeof(double) * alloc_n);
}

void
anomaly_result_free(AnomalyResult *result)
{
	if (result->expected)
		dl_free(result->expected);
	if (result->lower)
		dl_free(result->lower);
	if (result->upper)
		dl_free(result->upper);
	if (result->score)
		dl_free(result->score);
	if (result->is_anomaly)
		dl_free(result->is_anomaly);
	if (result->is_onset)
		dl_free(result->is_onset);
	if (result->tail_probability)
		dl_free(result->tail_probability);
	memset(result, 0, sizeof(*result));
}

double
anomaly_z_threshold(double k_default, double sensitivity)
{
	return k_default * pow(4.0, 0.5 - sensitivity);
}

bool
anomaly_value_usable(double x)
{
	return isfinite(x) && fabs(x) <= ANOMALY_MAX_ABS_VALUE;
}

void
anomaly_fill_z(AnomalyStepOutput *out, double x, double expected, double scale, double k)
{
	out->expected = expected;
	out->lower = expected - k * scale;
	out->upper = expected + k * scale;
	if (anomaly_value_usable(x))
	{
		out->score = fabs(x - expected) / scale;
		out->is_anomaly = out->score >= k;
	}
	else
	{
		out->score = 0.0;
		out->is_anomaly = false;
	}
}

void
anomaly_fill_unknown(AnomalyStepOutput *out, double expected)
{
	out->expected = expected;
	out->lower = NAN;
	out->upper = NAN;
	out->score = 0.0;
	out->is_anomaly = false;
}

void
anomaly_episode_init(AnomalyEpisodeState *state)
{
	state->points_seen = 0;
	state->last_flagged = -1;
}

bool
anomaly_episode_step(AnomalyEpisodeState *state, bool flagged, int cooldown)
{
	int64_t		index = state->points_seen++;
	bool		onset;

	if (!flagged)
		return false;
	onset = state->last_flagged < 0 || index - state->last_flagged > cooldown;
	state->last_flagged = index;
	return onset;
}

void
anomaly_mark_onsets(const bool *is_anomaly, size_t n, int cooldown, bool *is_onset)
{
	AnomalyEpisodeState state;
	size_t		i;

	anomaly_episode_init(&state);
	for (i = 0; i < n; i++)
		is_onset[i] = anomaly_episode_step(&state, is_anomaly[i], cooldown);
}

AnomalyStatus
anomaly_detect(const double *values, size_t n, const AnomalyOptions *options,
			   AnomalyResult *result)
{
	AnomalyOptions resolved;
	AnomalyStatus status;
	AnomalyStream *stream = NULL;

	if (result == NULL || options == NULL || (values == NULL && n > 0))
		return ANOMALY_ERR_ARGUMENT;
	status = anomaly_options_validate(options);
	if (status != ANOMALY_OK)
		return status;
	if (result->n != n)
		return ANOMALY_ERR_ARGUMENT;

	anomaly_resolve_options(values, n, options, &resolved);
	result->method_used = resolved.method;
	result->period_used = resolved.period;
	result->threshold = anomaly_method_threshold(resolved.method, resolved.sensitivity);

	if (resolved.method == ANOMALY_METHOD_SEASONAL_ESD)
	{
		status = anomaly_seasonal_esd(values, n, &resolved, result);
		if (status == ANOMALY_OK)
		{
			AnomalyLikelihoodState likelihood;
			size_t		i;

			/* reported for comparison; the ESD verdict stays the flag */
			result->alarm_used = ANOMALY_ALARM_THRESHOLD;
			result->tail_threshold = anomaly_likelihood_threshold(resolved.sensitivity);
			anomaly_likelihood_init(&likelihood, resolved.score_window, resolved.score_horizon);
			for (i = 0; i < n; i++)
				result->tail_probability[i] = anomaly_value_usable(values[i])
					? anomaly_likelihood_step(&likelihood, result->score[i]) : 1.0;
			for (i = 0; i < n && i < (size_t) resolved.warmup; i++)
				result->is_anomaly[i] = false;
			anomaly_mark_onsets(result->is_anomaly, n, resolved.cooldown, result->is_onset);
		}
		return status;
	}

	status = anomaly_stream_create(&resolved, &stream);
	if (status != ANOMALY_OK)
		return status;
	status = anomaly_stream_update(stream, values, n, result);
	anomaly_stream_free(stream);
	return status;
}
