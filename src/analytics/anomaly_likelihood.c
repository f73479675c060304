/*
 * anomaly_likelihood.c
 *		Short-term mean of raw scores against the long-term distribution of
 *		that mean: the tail probability that turns scores into alarms (see
 *		anomaly_likelihood.h for why).
 *
 * The long-term mean and variance are exponentially weighted with weight
 * max(1 / (seen + 1), 1 / horizon): a running average at first, so the
 * estimate is unbiased as soon as it is used, then a memory of about
 * `horizon` points so the detector follows a series whose noise changes.
 * The short-term mean is recomputed from the ring in arrival order at every
 * step rather than kept as a running sum, so a state loaded from its bytes
 * gives bit-for-bit the same result as one that never left memory.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/anomaly_likelihood.h"

/* the standard deviation never falls below this share of |mean| (or this) */
/* bound on the deviation one window mean adds to the long-run model, in sd */
#define LIKELIHOOD_UPDATE_CLIP 6.0
#define LIKELIHOOD_RELATIVE_FLOOR 1e-6
#define LIKELIHOOD_ABSOLUTE_FLOOR 1e-9
/* windows of history needed before the first tail probability */
#define LIKELIHOOD_MIN_WINDOWS 8

void
anomaly_likelihood_init(AnomalyLikelihoodState *state, int window, int horizon)
{
	memset(state, 0, sizeof(*state));
	state->window = window;
	state->horizon = horizon;
}

int64_t
anomaly_likelihood_min_history(const AnomalyLikelihoodState *state)
{
	int64_t		need = (int64_t) LIKELIHOOD_MIN_WINDOWS * state->window;

	/* a long-term memory shorter than that is taken as it is */
	return need < state->horizon ? need : state->horizon;
}

static double
short_term_mean(const AnomalyLikelihoodState *state)
{
	double		sum = 0.0;
	int			i;

	/* oldest first, the same order whatever the ring's history */
	for (i = 0; i < state->count; i++)
		sum += state->ring[(state->head + i) % state->window];
	return sum / (double) state->count;
}

double
anomaly_likelihood_step(AnomalyLikelihoodState *state, double raw_score)
{
	double		score = raw_score;
	double		mean;
	double		tail = 1.0;
	double		weight;
	double		d;

	if (!(score >= 0.0))
		score = 0.0;			/* NaN or negative: no evidence */
	if (score > ANOMALY_LIKELIHOOD_SCORE_CAP)
		score = ANOMALY_LIKELIHOOD_SCORE_CAP;
	if (score == 0.0)
		score = 0.0;			/* canonical zero, as the serialized form wants */

	if (state->count < state->window)
		state->ring[state->count++] = score;
	else
	{
		state->ring[state->head] = score;
		state->head = (state->head + 1) % state->window;
	}
	mean = short_term_mean(state);

	if (state->count == state->window && state->seen >= anomaly_likelihood_min_history(state))
	{
		double		sd = sqrt(state->variance);
		double		floor_ = LIKELIHOOD_RELATIVE_FLOOR * fabs(state->mean);

		if (floor_ < LIKELIHOOD_ABSOLUTE_FLOOR)
			floor_ = LIKELIHOOD_ABSOLUTE_FLOOR;
		if (sd < floor_)
			sd = floor_;
		tail = 0.5 * erfc((mean - state->mean) / (sd * sqrt(2.0)));
	}

	weight = 1.0 / (double) (state->seen + 1);
	if (weight < 1.0 / (double) state->horizon)
		weight = 1.0 / (double) state->horizon;
	d = mean - state->mean;

	/*
	 * An anomalous window must not teach the model that anomalies are
	 * normal: once the history is established, a window mean far above it
	 * moves the long-run mean and variance as one LIKELIHOOD_UPDATE_CLIP
	 * standard deviations above would (a Huber-style bounded update).
	 * Without it, every incident desensitises the series for the next
	 * score_horizon points, and a second incident close after the first is
	 * missed.
	 */
	if (tail < 1.0 && d > LIKELIHOOD_UPDATE_CLIP * sqrt(state->variance))
		d = LIKELIHOOD_UPDATE_CLIP * sqrt(state->variance);
	state->mean += weight * d;
	state->variance = (1.0 - weight) * (state->variance + weight * d * d);
	state->seen++;
	return tail;
}

double
anomaly_likelihood_threshold(double sensitivity)
{
	return pow(10.0, -6.0 - 4.0 * (0.5 - sensitivity));
}

bool
anomaly_likelihood_valid(const AnomalyLikelihoodState *state)
{
	int			i;

	if (state->window < 1 || state->window > ANOMALY_LIKELIHOOD_MAX_WINDOW ||
		state->horizon < ANOMALY_LIKELIHOOD_MIN_HORIZON ||
		state->horizon > ANOMALY_LIKELIHOOD_MAX_HORIZON)
		return false;
	if (state->count < 0 || state->count > state->window || state->seen < 0)
		return false;
	if (state->head < 0 ||
		(state->count < state->window ? state->head != 0 : state->head >= state->window))
		return false;
	/* the ring fills before any mean is absorbed past it */
	if (state->seen < state->count)
		return false;
	if (state->count < state->window && state->seen != state->count)
		return false;
	/* scores are capped, so the means and their spread are bounded too */
	if (!(state->mean >= 0.0 && state->mean <= ANOMALY_LIKELIHOOD_SCORE_CAP * (1.0 + 1e-9)) ||
		!(state->variance >= 0.0 &&
		  state->variance <= ANOMALY_LIKELIHOOD_SCORE_CAP * ANOMALY_LIKELIHOOD_SCORE_CAP))
		return false;
	for (i = 0; i < state->count; i++)
		if (!(state->ring[i] >= 0.0 && state->ring[i] <= ANOMALY_LIKELIHOOD_SCORE_CAP) ||
			(state->ring[i] == 0.0 && signbit(state->ring[i])))
			return false;
	return true;
}
