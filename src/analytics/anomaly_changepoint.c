/*
 * anomaly_changepoint.c
 *		Bayesian online change-point detection (Adams & MacKay 2007) for
 *		level shifts and variance changes, with a bounded run length.
 *
 * Every hypothesis "the current run started r points ago" carries the
 * Normal-Gamma posterior of that run; the predictive of a point is a Student
 * t.  The score of a point is the posterior probability that the run is
 * shorter than CHANGEPOINT_RECENT points, i.e. that a change happened just
 * now; with a constant hazard it sits near CHANGEPOINT_RECENT * hazard in a
 * stable stretch and jumps towards 1 a few points after a change.  Points are
 * not flagged before 2 * CHANGEPOINT_RECENT finite values were seen (every
 * run is short then).  Run lengths are bounded by max_run_length, the last
 * hypothesis meaning "at least max_run_length - 1", which bounds both the
 * work per point and the serialized state.  Computations are in log space
 * so an extreme point cannot underflow every hypothesis at once.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/anomaly_causal.h"
#include "analytics/anomaly_stats.h"

/* prior of a new run: vague mean, variance centred on the global estimate */
#define CP_PRIOR_KAPPA 0.01
#define CP_PRIOR_A 2.0
/* weight of the slow global mean / variance that sets new runs' priors */
#define CP_GLOBAL_WEIGHT 0.01
#define CP_PI 3.14159265358979323846

void
changepoint_init(ChangepointState *state, double expected_run, int max_run_length)
{
	size_t		r = (size_t) max_run_length;

	state->hazard = 1.0 / expected_run;
	state->max_run_length = max_run_length;
	state->count = 0;
	state->seen = 0;
	state->global_mean = 0.0;
	state->global_variance = 0.0;
	state->prob = dl_alloc0(sizeof(double) * r);
	state->mu = dl_alloc0(sizeof(double) * r);
	state->kappa = dl_alloc0(sizeof(double) * r);
	state->a = dl_alloc0(sizeof(double) * r);
	state->b = dl_alloc0(sizeof(double) * r);
	state->work = dl_alloc0(sizeof(double) * (r + 1));
}

void
changepoint_free(ChangepointState *state)
{
	double	  **arrays[6];
	int			i;

	arrays[0] = &state->prob;
	arrays[1] = &state->mu;
	arrays[2] = &state->kappa;
	arrays[3] = &state->a;
	arrays[4] = &state->b;
	arrays[5] = &state->work;
	for (i = 0; i < 6; i++)
	{
		if (*arrays[i])
			dl_free(*arrays[i]);
		*arrays[i] = NULL;
	}
}

static double
prior_b(const ChangepointState *state)
{
	double		floor_ = anomaly_scale_floor(state->global_mean);
	double		variance = state->global_variance;

	if (variance < floor_ * floor_)
		variance = floor_ * floor_;
	/* prior mean of the variance b / (a - 1) equals the global variance */
	return variance * (CP_PRIOR_A - 1.0);
}

/*
 * log density of x under the Student t predictive of one hypothesis; the
 * squared standardized distance is formed as 2 log|t| when t is so large
 * that t * t would overflow.  -inf (never NaN) when x is hopeless.
 */
static double
log_predictive(double x, double mu, double kappa, double a, double b)
{
	double		df = 2.0 * a;
	double		scale2 = b * (kappa + 1.0) / (a * kappa);
	double		t = (x - mu) / sqrt(df * scale2);
	double		tail;
	double		result;

	if (fabs(t) > 1e100)
		tail = 2.0 * log(fabs(t));
	else
		tail = log1p(t * t);
	result = lgamma(a + 0.5) - lgamma(a) - 0.5 * log(df * CP_PI * scale2)
		- (a + 0.5) * tail;
	return isnan(result) ? -INFINITY : result;
}

void
changepoint_step(ChangepointState *state, double x, double threshold, AnomalyStepOutput *out)
{
	int			j;
	int			best = 0;
	int			new_count;
	double		max_log = -INFINITY;
	double		total = 0.0;
	double		recent = 0.0;
	double		change_mass = 0.0;
	double	   *logp = state->work;
	double		weight;
	double		global_mean;
	double		global_variance;

	if (state->count == 0 || state->seen < 2)
	{
		anomaly_fill_unknown(out, state->seen == 0 ? NAN : state->global_mean);
	}
	else
	{
		double		mu,
					s;

		for (j = 1; j < state->count; j++)
			if (state->prob[j] > state->prob[best])
				best = j;
		mu = state->mu[best];
		s = sqrt(state->b[best] * (state->kappa[best] + 1.0) /
				 (state->a[best] * state->kappa[best]));
		out->expected = mu;
		out->lower = mu - 3.0 * s;
		out->upper = mu + 3.0 * s;
		out->score = 0.0;
		out->is_anomaly = false;
	}
	if (!anomaly_value_usable(x))
		return;

	if (state->count == 0)
	{
		/* first point: the global estimates start here, one prior run */
		state->global_mean = x;
		state->global_variance = 0.0;
		state->seen = 1;
		state->count = 1;
		state->prob[0] = 1.0;
		state->mu[0] = x;
		state->kappa[0] = CP_PRIOR_KAPPA;
		state->a[0] = CP_PRIOR_A;
		state->b[0] = prior_b(state);
		return;
	}

	/* predictive of every hypothesis, in logs, and the change mass */
	for (j = 0; j < state->count; j++)
	{
		logp[j] = log(state->prob[j]) +
			log_predictive(x, state->mu[j], state->kappa[j], state->a[j], state->b[j]);
		if (logp[j] > max_log)
			max_log = logp[j];
	}
	if (!isfinite(max_log))
		return;					/* no hypothesis can explain x: missing */
	for (j = 0; j < state->count; j++)
	{
		logp[j] = exp(logp[j] - max_log);
		change_mass += logp[j];
	}

	/* global estimates and the grown runs: skip x if anything overflows */
	weight = 1.0 / (double) (state->seen + 1);
	if (weight < CP_GLOBAL_WEIGHT)
		weight = CP_GLOBAL_WEIGHT;
	{
		double		d = x - state->global_mean;

		global_mean = state->global_mean + weight * d;
		global_variance = (1.0 - weight) * (state->global_variance + weight * d * d);
	}
	if (!isfinite(global_mean) || !isfinite(global_variance))
		return;
	new_count = state->count + 1;
	if (new_count > state->max_run_length)
		new_count = state->max_run_length;
	for (j = 0; j < state->count; j++)
	{
		double		kappa = state->kappa[j];
		double		d = x - state->mu[j];

		if (!isfinite(state->b[j] + kappa * d * d / (2.0 * (kappa + 1.0))) ||
			!isfinite((kappa * state->mu[j] + x) / (kappa + 1.0)) ||
			!isfinite(state->a[j] + 0.5) || !isfinite(kappa + 1.0))
			return;
	}

	/*
	 * grow every run by one.  At the bound the oldest hypothesis is the
	 * absorbing "run of at least max_run_length - 1 points": it takes the
	 * mass of both itself and the next oldest, and the statistics (updated
	 * with x) of whichever of the two is likelier.  (Dropping the oldest
	 * instead would throw away the very hypothesis that carries a long
	 * stable run.)
	 */
	for (j = new_count - 1; j >= 1; j--)
	{
		int			from = j - 1;
		double		mass = logp[j - 1];
		double		kappa;
		double		d;

		/* a new slot (j == count) or an inner one grows from j - 1 */
		if (j != state->count && j == state->max_run_length - 1)
		{
			/* absorbing slot: the statistics of the likelier of the two */
			if (logp[j] > logp[j - 1])
				from = j;
			mass += logp[j];
		}
		kappa = state->kappa[from];
		d = x - state->mu[from];
		state->prob[j] = mass * (1.0 - state->hazard);
		state->b[j] = state->b[from] + kappa * d * d / (2.0 * (kappa + 1.0));
		state->mu[j] = (kappa * state->mu[from] + x) / (kappa + 1.0);
		state->kappa[j] = kappa + 1.0;
		state->a[j] = state->a[from] + 0.5;
	}
	state->count = new_count;

	/* the fresh run's prior from the global estimates */
	state->global_mean = global_mean;
	state->global_variance = global_variance;
	state->prob[0] = change_mass * state->hazard;
	state->mu[0] = state->global_mean;
	state->kappa[0] = CP_PRIOR_KAPPA;
	state->a[0] = CP_PRIOR_A;
	state->b[0] = prior_b(state);

	for (j = 0; j < state->count; j++)
		total += state->prob[j];
	for (j = 0; j < state->count; j++)
	{
		state->prob[j] /= total;
		if (j < CHANGEPOINT_RECENT)
			recent += state->prob[j];
	}
	state->seen++;

	/* while every run is short the score says nothing */
	if (state->seen > 2 * CHANGEPOINT_RECENT)
	{
		out->score = recent;
		out->is_anomaly = recent >= threshold;
	}
}
