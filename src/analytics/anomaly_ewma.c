/*
 * anomaly_ewma.c
 *		Causal EWMA control chart: exponentially weighted mean and variance,
 *		a point is scored by its distance from the mean in EWMA sigmas.
 *
 * Two departures from the textbook chart, both for robustness: the weight
 * starts as a running average (1 / (n + 1)) until it falls to alpha, so the
 * first points do not leave a long transient; and once warmed up, residuals
 * are clipped at EWMA_CLIP sigma before they update mean and variance, so an
 * isolated spike barely moves the chart while a lasting level shift still
 * pulls it along (the clipped steps inflate the variance until it catches up).
 */
#include "util/portable.h"

#include <math.h>

#include "analytics/anomaly_causal.h"
#include "analytics/anomaly_stats.h"

#define EWMA_CLIP 3.0
#define EWMA_CLIP_AFTER 16

void
ewma_init(EwmaState *state, double alpha)
{
	state->alpha = alpha;
	state->seen = 0;
	state->mean = 0.0;
	state->variance = 0.0;
}

void
ewma_step(EwmaState *state, double x, double k, AnomalyStepOutput *out)
{
	double		sd = 0.0;
	double		weight;
	double		residual;
	double		mean;
	double		variance;

	if (state->seen < 2)
		anomaly_fill_unknown(out, state->seen == 0 ? NAN : state->mean);
	else
	{
		double		floor_ = anomaly_scale_floor(state->mean);

		sd = sqrt(state->variance);
		if (sd < floor_)
			sd = floor_;
		anomaly_fill_z(out, x, state->mean, sd, k);
	}
	if (!anomaly_value_usable(x))
		return;

	if (state->seen == 0)
	{
		state->mean = x;
		state->variance = 0.0;
		state->seen = 1;
		return;
	}
	weight = 1.0 / (double) (state->seen + 1);
	if (weight < state->alpha)
		weight = state->alpha;
	residual = x - state->mean;
	if (state->seen >= EWMA_CLIP_AFTER)
	{
		if (residual > EWMA_CLIP * sd)
			residual = EWMA_CLIP * sd;
		else if (residual < -EWMA_CLIP * sd)
			residual = -EWMA_CLIP * sd;
	}
	mean = state->mean + weight * residual;
	variance = (1.0 - weight) * (state->variance + weight * residual * residual);
	if (!isfinite(mean) || !isfinite(variance))
		return;					/* would overflow: treat x as missing */
	state->mean = mean;
	state->variance = variance;
	state->seen++;
}
