/*
 * anomaly_holt_winters.c
 *		Causal forecast-residual detector: additive seasonal exponential
 *		smoothing predicts each point one step ahead, and a point outside
 *		forecast +- k sigma of the recent one-step errors is anomalous.
 *
 * This is a deliberately small model of our own (level and season, no
 * trend), not the ETS core of src/analytics/ets*: a residual detector wants a
 * forecast that follows the season and does not extrapolate anomalies.  As
 * in anomaly_ewma.c, smoothing weights start as running averages (the first
 * cycles average the season phase by phase) and errors are clipped at
 * HW_CLIP sigma before they update the model.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/anomaly_causal.h"
#include "analytics/anomaly_stats.h"

#define HW_CLIP 3.0
#define HW_GAMMA 0.1
#define HW_BETA 0.01

void
holt_winters_init(HoltWintersState *state, int period, double alpha)
{
	state->alpha = alpha;
	state->gamma = HW_GAMMA;
	state->beta = HW_BETA;
	state->period = period;
	state->position = 0;
	state->seen = 0;
	state->level = 0.0;
	state->variance = 0.0;
	state->season = dl_alloc0(sizeof(double) * (size_t) period);
}

void
holt_winters_free(HoltWintersState *state)
{
	if (state->season)
		dl_free(state->season);
	state->season = NULL;
}

void
holt_winters_step(HoltWintersState *state, double x, double k, AnomalyStepOutput *out)
{
	int			phase = (int) (state->position % state->period);
	int64_t		cycle = state->position / state->period;
	/* variance updates so far, roughly: they start after the first cycle */
	int64_t		variance_age = state->position - state->period;
	double		forecast = state->level + state->season[phase];
	double		sd = sqrt(state->variance);
	double		floor_ = anomaly_scale_floor(forecast);
	double		error;
	double		clipped;
	double		weight;
	double		level;
	double		season;
	double		variance;

	if (sd < floor_)
		sd = floor_;
	if (state->seen == 0)
		anomaly_fill_unknown(out, NAN);
	else if (variance_age < 2 || state->seen < 3)
		anomaly_fill_unknown(out, forecast);
	else
		anomaly_fill_z(out, x, forecast, sd, k);

	state->position++;
	if (!anomaly_value_usable(x))
		return;
	if (state->seen == 0)
	{
		state->level = x;
		state->seen = 1;
		return;
	}

	error = x - forecast;
	clipped = error;
	if (variance_age >= 16)
	{
		if (clipped > HW_CLIP * sd)
			clipped = HW_CLIP * sd;
		else if (clipped < -HW_CLIP * sd)
			clipped = -HW_CLIP * sd;
	}

	weight = 1.0 / (double) (state->seen + 1);
	if (weight < state->alpha)
		weight = state->alpha;
	level = state->level + weight * clipped;
	season = state->season[phase];
	variance = state->variance;
	if (state->period > 1)
	{
		double		season_weight = 1.0 / (double) (cycle + 1);

		if (season_weight < state->gamma)
			season_weight = state->gamma;
		season += season_weight * (1.0 - weight) * clipped;
	}
	if (variance_age >= 0)
	{
		double		variance_weight = 1.0 / (double) (variance_age + 1);

		if (variance_weight < state->beta)
			variance_weight = state->beta;
		variance += variance_weight * (clipped * clipped - variance);
	}
	if (!isfinite(level) || !isfinite(season) || !isfinite(variance))
		return;					/* would overflow: treat x as missing */
	state->level = level;
	state->season[phase] = season;
	state->variance = variance;
	state->seen++;
}
