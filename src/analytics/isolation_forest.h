/*
 * isolation_forest.h
 *		Isolation forest (Liu, Ting & Zhou, ICDM 2008) over points with
 *		several values: the numerical core behind
 *		datalayer.detect_anomalies_multi().
 *
 * The forest follows the algorithm as scikit-learn's IsolationForest
 * implements it, so its scores can be checked against that library:
 *	- each of n_trees trees is grown on its own subsample of psi rows drawn
 *	  without replacement, psi = min(256, usable rows) unless sample_size
 *	  says otherwise (a larger sample_size is clamped to the usable rows);
 *	- a node picks a feature uniformly among those not constant over its
 *	  rows and a threshold t uniformly in [min, max) of that feature; rows
 *	  with value <= t go left.  A node becomes a leaf at depth
 *	  ceil(log2(psi)), when it holds one row, or when every feature is
 *	  constant over its rows;
 *	- the path length of a point in a tree is the depth of the leaf it
 *	  reaches plus c(size of that leaf), with c(n) = 2 H(n - 1) - 2 (n - 1) / n,
 *	  H(i) = ln(i) + Euler's gamma, c(2) = 1, c(1) = c(0) = 0 (the average
 *	  path length of an unsuccessful search in a binary search tree);
 *	- the score is s = 2^(-E[h(x)] / c(psi)), in (0, 1]; near 1 means
 *	  anomalous, around 0.5 or below means normal.  Data where every point
 *	  is the same give every point exactly 0.5.  With a single usable row
 *	  c(psi) = 0 and every score is defined as 0.5.
 *
 * Missing values: a row with any non-finite value (NaN, +-infinity) is not
 * used to grow the trees, gets the score NaN and is never flagged.  This
 * is the simple rule: the lead's SQL wrapper maps SQL NULL elements to NaN
 * the same way.
 *
 * Verdict: a point is anomalous when its score is strictly above the
 * threshold.  With contamination = 0 ("auto", scikit-learn's default) the
 * threshold is 0.5; with contamination in (0, 0.5] it is the
 * (1 - contamination) quantile, linearly interpolated as numpy.percentile
 * does, of the scores of the usable training rows, so about that fraction
 * of them is flagged (fewer when scores tie at the quantile).
 *
 * Determinism: the forest draws from its own xoshiro256** generator seeded
 * through splitmix64 from options.seed, consumes it in a fixed order and
 * never contracts the threshold arithmetic into a fused multiply-add, so
 * the same input, options and seed grow the same trees on every platform;
 * the scores then differ across platforms at most by the last-bit
 * differences of the C library's log() and exp2().
 *
 * Cost: growing is O(n_trees * psi * log psi) plus O(n d) to find the
 * usable rows; scoring O(n * n_trees * log psi) (100,000 points of 4 values
 * against the default 100 trees: about 0.12 s for fit and score on one
 * core, bench/anomaly/bench_iforest.c).  The model holds at most
 * n_trees * (2 psi - 1) nodes of 16 bytes, and that bound, computed after
 * psi is clamped to the usable rows, must stay within IFOREST_MAX_NODES
 * (100 trees allow psi up to 335,544).  The functions call
 * dl_check_interrupts() once per tree, so a long fit or score can be
 * cancelled; they keep no global state.
 */
#ifndef DATALAYER_ISOLATION_FOREST_H
#define DATALAYER_ISOLATION_FOREST_H

#include "util/portable.h"

#define IFOREST_MAX_DIMENSIONS		64
#define IFOREST_MAX_TREES			10000
#define IFOREST_DEFAULT_TREES		100
#define IFOREST_DEFAULT_SAMPLE_SIZE 256
/* n_trees * (2 psi - 1) nodes of 16 bytes: at most 1 GB of trees */
#define IFOREST_MAX_NODES			((int64_t) 1 << 26)

typedef enum IForestStatus
{
	IFOREST_OK = 0,
	IFOREST_ERR_ARGUMENT,		/* NULL pointer where data is required */
	IFOREST_ERR_DIMENSIONS,		/* d outside 1..IFOREST_MAX_DIMENSIONS */
	IFOREST_ERR_N_TREES,		/* n_trees outside 1..IFOREST_MAX_TREES */
	IFOREST_ERR_SAMPLE_SIZE,	/* sample_size negative or 1 */
	IFOREST_ERR_CONTAMINATION,	/* contamination not 0 nor in (0, 0.5] */
	IFOREST_ERR_TOO_LARGE,		/* n_trees * (2 psi - 1) > IFOREST_MAX_NODES */
	IFOREST_ERR_NO_DATA,		/* fit: no row without missing values */
	IFOREST_ERR_DIMENSION_MISMATCH	/* scoring points of another d */
} IForestStatus;

typedef struct IForestOptions
{
	int			n_trees;		/* 1..IFOREST_MAX_TREES; default 100 */
	int			sample_size;	/* psi: 0 = min(256, usable rows), else >= 2,
								 * clamped to the usable rows */
	uint64_t	seed;			/* any value; default 0 */
	double		contamination;	/* 0 = auto (threshold 0.5), else (0, 0.5] */
} IForestOptions;

/* a grown forest; opaque */
typedef struct IForest IForest;

extern void iforest_default_options(IForestOptions *options);
extern const char *iforest_status_message(IForestStatus status);

/*
 * c(n): average path length of an unsuccessful search in a binary search
 * tree of n keys, the normalizer of the scores and the leaf adjustment.
 */
extern double iforest_average_path_length(double n);

/*
 * Grow a forest on the n x d row-major points x (rows with a non-finite
 * value are skipped) and, for contamination > 0, set its threshold from
 * the scores of those training rows.  options may be NULL for the
 * defaults.  On success *model_out owns dl_alloc'ed memory: release it
 * with iforest_free(); on error *model_out is NULL.
 */
extern IForestStatus iforest_fit(const double *x, size_t n, int d,
								 const IForestOptions *options,
								 IForest **model_out);

/*
 * Score n x d points against a grown forest: scores[i] in (0, 1], NaN for
 * a row with a non-finite value; is_anomaly (may be NULL) is
 * scores[i] > iforest_threshold(model).  d must be the model's.
 */
extern IForestStatus iforest_score_points(const IForest *model,
										  const double *x, size_t n, int d,
										  double *scores, bool *is_anomaly);

extern double iforest_threshold(const IForest *model);
extern int	iforest_dimensions(const IForest *model);
extern int	iforest_sample_size(const IForest *model);
extern void iforest_free(IForest *model);

/*
 * Fit on the points and score the same points, the batch form: identical
 * to iforest_fit followed by iforest_score_points on x, but each training
 * row is scored once.  n = 0 (or no usable row) is not an error: every
 * score is NaN and nothing is flagged.  is_anomaly and threshold_out may
 * be NULL; *threshold_out is the threshold used (NaN when contamination > 0
 * and there was no usable row).
 */
extern IForestStatus iforest_score(const double *x, size_t n, int d,
								   const IForestOptions *options,
								   double *scores, bool *is_anomaly,
								   double *threshold_out);

#endif							/* DATALAYER_ISOLATION_FOREST_H */
