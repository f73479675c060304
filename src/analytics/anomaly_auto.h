/*
 * anomaly_auto.h
 *		Resolution of anomaly detection options: the method when 'auto', the
 *		season length when 0, and every other zero field's default.
 *
 * Defaults (all in points unless said otherwise):
 *	- method 'auto': Holt-Winters residuals, with the detected season or
 *	  none (period 1: simple exponential smoothing); causal, so it streams;
 *	- period: detected by autocorrelation for Holt-Winters, seasonal ESD and
 *	  'auto'; always 1 for methods that model no season;
 *	- window ANOMALY_DEFAULT_WINDOW, alpha 0.05 (EWMA) or 0.1 (Holt-Winters),
 *	  cooldown the period (at least ANOMALY_DEFAULT_COOLDOWN, 300 points, so
 *	  that one incident raises one alarm), warmup 0, hazard 1000,
 *	  max_run_length 200, max_anomalies 0.05, alarm likelihood with
 *	  score_window 10 (Numenta's short window) and score_horizon 2000.
 */
#ifndef DATALAYER_ANOMALY_AUTO_H
#define DATALAYER_ANOMALY_AUTO_H

#include "analytics/anomaly.h"

#define ANOMALY_DEFAULT_WINDOW			64
#define ANOMALY_DEFAULT_ALPHA_EWMA		0.05
#define ANOMALY_DEFAULT_ALPHA_HW		0.1
#define ANOMALY_DEFAULT_COOLDOWN		300
#define ANOMALY_DEFAULT_SCORE_WINDOW	10
#define ANOMALY_DEFAULT_SCORE_HORIZON	2000
#define ANOMALY_DEFAULT_HAZARD			1000.0
#define ANOMALY_DEFAULT_MAX_RUN_LENGTH	200
#define ANOMALY_DEFAULT_MAX_ANOMALIES	0.05

/* k at sensitivity 0.5 of the z-type methods */
#define ANOMALY_K_ROBUST_Z		5.0
#define ANOMALY_K_EWMA			5.0
#define ANOMALY_K_HOLT_WINTERS	5.0

/*
 * Fill resolved from options (which must validate) and the series (values
 * may be NULL when n is 0).  resolved->method is never AUTO afterwards and
 * every numeric field holds the value the method will use.
 */
extern void anomaly_resolve_options(const double *values, size_t n,
									const AnomalyOptions *options,
									AnomalyOptions *resolved);

/*
 * The score threshold of a (resolved) method at a sensitivity: k for the
 * z-type methods, the posterior probability of a recent change for change
 * points (0.9 at 0, 0.5 at 0.5, 0.1 at 1), the ESD significance for
 * seasonal ESD (whose result then reports its first critical value).
 */
extern double anomaly_method_threshold(AnomalyMethod method, double sensitivity);

#endif							/* DATALAYER_ANOMALY_AUTO_H */
