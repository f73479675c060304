/*
 * anomaly_causal.h
 *		State structs and step functions of the causal (online) detectors:
 *		rolling robust z, EWMA control chart, Holt-Winters forecast residuals
 *		and Bayesian online change points.
 *
 * Each detector keeps everything it needs to score the next point in one
 * small struct; anomaly_stream.c wraps them with the episode tracker and a
 * validated binary format, and the batch entry points run the same step
 * function over a whole series, which is why streaming equals batch.
 * A step sees the point, reports the prediction made before it (expected,
 * band, score, flag) and then updates the state, unless the value is not
 * usable (anomaly_value_usable()) or the update would overflow, in which
 * case the state is left alone.  States hold finite numbers only.
 */
#ifndef DATALAYER_ANOMALY_CAUSAL_H
#define DATALAYER_ANOMALY_CAUSAL_H

#include "analytics/anomaly.h"

typedef struct AnomalyStepOutput
{
	double		expected;
	double		lower;
	double		upper;
	double		score;
	bool		is_anomaly;
} AnomalyStepOutput;

/* Rolling median / MAD over the last window finite values. */
typedef struct RobustZState
{
	int			window;
	int			count;			/* values held, <= window */
	int			head;			/* ring index of the oldest value once full */
	double	   *ring;			/* window values in arrival order (serialized) */
	double	   *sorted;			/* the same values sorted (rebuilt on load) */
	double	   *work;			/* scratch for the MAD */
} RobustZState;

/* EWMA of mean and variance, updated with residuals clipped at a few sigma. */
typedef struct EwmaState
{
	double		alpha;
	int64_t		seen;			/* finite values absorbed */
	double		mean;
	double		variance;
} EwmaState;

/*
 * Additive seasonal exponential smoothing (level + season, no trend: a
 * trend term extrapolates level shifts and turns one anomaly into many).
 * The residual scale is an EWMA of clipped squared one-step errors.
 */
typedef struct HoltWintersState
{
	double		alpha;			/* level */
	double		gamma;			/* season */
	double		beta;			/* residual variance */
	int			period;			/* 1: no season */
	int64_t		position;		/* points stepped, finite or not: the phase */
	int64_t		seen;			/* finite values absorbed */
	double		level;
	double		variance;
	double	   *season;			/* period entries */
} HoltWintersState;

/*
 * Bayesian online change-point detection (Adams & MacKay 2007) with a
 * Normal-Gamma model per run length and the run length bounded by
 * max_run_length: the last hypothesis absorbs every longer run.
 * New runs take their prior from slow global estimates of mean and variance,
 * so the detector needs no scale from the user.
 */
typedef struct ChangepointState
{
	double		hazard;			/* 1 / expected run length */
	int			max_run_length;
	int			count;			/* hypotheses held, <= max_run_length */
	int64_t		seen;
	double		global_mean;
	double		global_variance;
	double	   *prob;			/* P(run length = r), r = 0..count-1 */
	double	   *mu;
	double	   *kappa;
	double	   *a;
	double	   *b;
	double	   *work;			/* max_run_length + 1 scratch */
} ChangepointState;

/* run lengths shorter than this count as "a change happened recently" */
#define CHANGEPOINT_RECENT 5

/*
 * Fill out from a prediction and a scale (> 0): z-type score and band
 * expected +- k * scale; a non-finite x is never flagged.
 */
extern void anomaly_fill_z(AnomalyStepOutput *out, double x, double expected,
						   double scale, double k);
extern void anomaly_fill_unknown(AnomalyStepOutput *out, double expected);

extern void robust_z_init(RobustZState *state, int window);
extern void robust_z_free(RobustZState *state);
extern void robust_z_rebuild(RobustZState *state);
extern void robust_z_step(RobustZState *state, double x, double k, AnomalyStepOutput *out);

extern void ewma_init(EwmaState *state, double alpha);
extern void ewma_step(EwmaState *state, double x, double k, AnomalyStepOutput *out);

extern void holt_winters_init(HoltWintersState *state, int period, double alpha);
extern void holt_winters_free(HoltWintersState *state);
extern void holt_winters_step(HoltWintersState *state, double x, double k, AnomalyStepOutput *out);

extern void changepoint_init(ChangepointState *state, double expected_run, int max_run_length);
extern void changepoint_free(ChangepointState *state);
extern void changepoint_step(ChangepointState *state, double x, double threshold, AnomalyStepOutput *out);

#endif							/* DATALAYER_ANOMALY_CAUSAL_H */
