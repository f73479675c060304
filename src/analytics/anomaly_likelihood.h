/*
 * anomaly_likelihood.h
 *		Anomaly likelihood: turns a detector's per-point score into a rare,
 *		well-separated alarm by asking how unusual the recent scores are
 *		compared with this series' own history of scores.
 *
 * A raw score (a z-score, a change probability) is only comparable across
 * series if the model fits equally well everywhere, which real metrics never
 * do: a noisy, heavy-tailed series crosses any fixed z threshold again and
 * again.  Following the idea of Numenta's anomaly likelihood (Ahmad et al.,
 * "Unsupervised real-time anomaly detection for streaming data", 2017), the
 * scores are averaged over a short window, and that short-term mean is
 * compared with a Gaussian fitted to its own long-term distribution (an
 * exponentially weighted mean and variance with a memory of `horizon`
 * points, so the state is bounded).  The result is the upper tail
 * probability of the current short-term mean; an alarm is a tail probability
 * at or below a small threshold (1e-6 at sensitivity 0.5).  Everything is
 * causal and the state is a few numbers plus the short window, which the
 * stream serializes.
 */
#ifndef DATALAYER_ANOMALY_LIKELIHOOD_H
#define DATALAYER_ANOMALY_LIKELIHOOD_H

#include "analytics/anomaly.h"

#define ANOMALY_LIKELIHOOD_MAX_WINDOW	64
#define ANOMALY_LIKELIHOOD_MIN_HORIZON	16
#define ANOMALY_LIKELIHOOD_MAX_HORIZON	100000000

/*
 * Raw scores are capped here before averaging: a z-score of 1e12 against a
 * constant series says no more than one of 100, and would otherwise swamp
 * the long-term variance for the rest of the series' life.
 */
#define ANOMALY_LIKELIHOOD_SCORE_CAP	100.0

typedef struct AnomalyLikelihoodState
{
	int			window;			/* short-term averaging window, points */
	int			horizon;		/* long-term memory, points */
	int			count;			/* scores held in ring, <= window */
	int			head;			/* index of the oldest once full */
	int64_t		seen;			/* short-term means absorbed */
	double		mean;			/* long-term mean of the short-term mean */
	double		variance;		/* and its variance */
	double		ring[ANOMALY_LIKELIHOOD_MAX_WINDOW];
} AnomalyLikelihoodState;

extern void anomaly_likelihood_init(AnomalyLikelihoodState *state, int window, int horizon);

/*
 * Short-term means absorbed before a tail probability is reported: the
 * long-term estimate needs a few windows' worth of history.
 */
extern int64_t anomaly_likelihood_min_history(const AnomalyLikelihoodState *state);

/*
 * Take the raw score of one usable point and return the upper tail
 * probability of the short-term mean (1.0 while the history is too short),
 * then absorb it into the long-term estimate.  Points that are not usable
 * must not be passed: they leave the state alone.
 */
extern double anomaly_likelihood_step(AnomalyLikelihoodState *state, double raw_score);

/* tail probability threshold for a sensitivity in [0, 1]: 1e-8 .. 1e-6 .. 1e-4 */
extern double anomaly_likelihood_threshold(double sensitivity);

/* true when a deserialized state could have been produced by the steps */
extern bool anomaly_likelihood_valid(const AnomalyLikelihoodState *state);

#endif							/* DATALAYER_ANOMALY_LIKELIHOOD_H */
