/*
 * anomaly.h
 *		Public interface of datalayer's anomaly detection core: options,
 *		per-point results, status codes and the batch entry point.
 *
 * The core is pure C over double arrays so the unit tests, the fuzz harness
 * and the NAB benchmark call it without a server; the SQL wrapper
 * datalayer.detect_anomalies() turns an AnomalyStatus into ereport().
 * Causal methods (robust z, EWMA, Holt-Winters residuals, change points) are
 * written as one step function over a small state (anomaly_stream.h), and
 * the batch form simply runs that step over the series, so scoring new points
 * from a persisted state gives bit-for-bit the batch result.  Seasonal-hybrid
 * ESD looks at the whole series and exists only in batch form; the isolation
 * forest planned for multivariate points does not exist yet.
 *
 * Conventions shared by every method:
 *	- sensitivity is in [0, 1], default 0.5; higher flags more points.  For
 *	  z-type scores the threshold is k = k_default * 4^(0.5 - sensitivity)
 *	  (0 doubles it, 1 halves it).
 *	- non-finite values (NaN, +-inf), and finite ones beyond
 *	  +-ANOMALY_MAX_ABS_VALUE, are treated as missing: they are never flagged,
 *	  their score is 0, and they do not update the model; expected, lower and
 *	  upper still carry the prediction for that point (NaN while the model
 *	  has none yet).  A model update that would overflow is skipped the same
 *	  way, so a state only ever holds finite numbers.
 *	- lower <= expected <= upper whenever they are not NaN.  For the z-type
 *	  methods a point is anomalous exactly when its score reaches the
 *	  threshold, i.e. when it falls outside [lower, upper]; for change points
 *	  the band is the +-3 sigma predictive of the most probable run and the
 *	  flag is the change probability; for seasonal ESD the band uses the first
 *	  ESD critical value while the flag is the ESD test's verdict.
 *	- alarms (the default, ANOMALY_ALARM_LIKELIHOOD): a point is anomalous
 *	  when it is outside its band and the short-term mean of the method's
 *	  scores is improbably high against this series' own history of scores
 *	  (anomaly_likelihood.h), i.e. its tail_probability is at most
 *	  1e-6 * 100^(sensitivity - 0.5), or when its score is at least
 *	  ANOMALY_EXTREME_FACTOR times the threshold whatever the history;
 *	  ANOMALY_ALARM_THRESHOLD flags every point whose score reaches the
 *	  method's threshold instead (the band's rule).  Seasonal ESD always
 *	  flags by its test's verdict.
 *	- anomalous points at most cooldown points after the previous anomalous
 *	  point are merged into its episode; an episode's first point is its
 *	  "onset".  Monitors should alert on onsets only.
 *	- warmup: points 0..warmup-1 of the series (or of a stream's whole life)
 *	  are scored but never flagged.
 *	- n may be 0; the causal methods accept any n (they flag nothing until
 *	  they have seen a few finite values); seasonal ESD needs at least 3
 *	  finite values, else ANOMALY_ERR_TOO_SHORT.
 */
#ifndef DATALAYER_ANOMALY_H
#define DATALAYER_ANOMALY_H

typedef enum AnomalyStatus
{
	ANOMALY_OK = 0,
	ANOMALY_ERR_ARGUMENT,		/* NULL pointer where data is required */
	ANOMALY_ERR_SENSITIVITY,	/* sensitivity not a number in [0, 1] */
	ANOMALY_ERR_OPTION,			/* another option out of its documented range */
	ANOMALY_ERR_TOO_SHORT,		/* fewer points than the method needs */
	ANOMALY_ERR_NOT_STREAMABLE, /* method has no causal form */
	ANOMALY_ERR_STATE_CORRUPT,	/* serialized state fails validation */
	ANOMALY_ERR_STATE_VERSION,	/* serialized state from an unknown version */
	ANOMALY_ERR_BUFFER_TOO_SMALL	/* serialization target too small */
} AnomalyStatus;

typedef enum AnomalyMethod
{
	ANOMALY_METHOD_AUTO = 0,
	ANOMALY_METHOD_ROBUST_Z,	/* rolling median / MAD, causal */
	ANOMALY_METHOD_EWMA,		/* EWMA control chart, causal */
	ANOMALY_METHOD_HOLT_WINTERS,	/* one-step forecast residuals, causal */
	ANOMALY_METHOD_CHANGEPOINT, /* Bayesian online change points, causal */
	ANOMALY_METHOD_SEASONAL_ESD /* seasonal-hybrid ESD, batch only */
} AnomalyMethod;

#define ANOMALY_METHOD_COUNT 6

/* what turns scores into anomalous points (AnomalyOptions.alarm) */
#define ANOMALY_ALARM_DEFAULT		0	/* likelihood */
#define ANOMALY_ALARM_LIKELIHOOD	1	/* tail probability of recent scores */
#define ANOMALY_ALARM_THRESHOLD		2	/* every score at or above the threshold */

/* under the likelihood alarm, a score this many thresholds out is always anomalous */
#define ANOMALY_EXTREME_FACTOR		3.0

/* Bounds that also bound the size of a serialized stream state. */
#define ANOMALY_MAX_WINDOW		4096
#define ANOMALY_MAX_PERIOD		4096
#define ANOMALY_MAX_RUN_LENGTH	1024

/* values of larger magnitude are treated as missing (no overflow inside) */
#define ANOMALY_MAX_ABS_VALUE	1e150

/*
 * Options.  Zero in a numeric field means "the method's default", so
 * anomaly_options_init() followed by setting a few fields is the normal use.
 */
typedef struct AnomalyOptions
{
	AnomalyMethod method;
	double		sensitivity;	/* [0, 1]; default 0.5 */
	int			window;			/* robust z: rolling window in points */
	double		alpha;			/* EWMA / Holt-Winters level smoothing, (0, 1) */
	int			period;			/* season length in points: 0 detect, 1 none */
	int			cooldown;		/* episode merge distance in points */
	int			warmup;			/* points scored but never flagged at start */
	double		hazard;			/* change points: expected run length */
	int			max_run_length; /* change points: run-length bound */
	double		max_anomalies;	/* seasonal ESD: max fraction flagged */
	int			alarm;			/* ANOMALY_ALARM_*; default likelihood */
	int			score_window;	/* likelihood: short-term window, 1..64 */
	int			score_horizon;	/* likelihood: long-term memory, 16..1e8 */
} AnomalyOptions;

/*
 * Per-point output, arrays of n allocated by anomaly_result_init().
 * score is the method's own statistic: |residual| / scale for the z-type
 * methods, the posterior probability of a recent change for change points,
 * |residual| / (robust scale of all residuals) for seasonal ESD.
 */
typedef struct AnomalyResult
{
	size_t		n;
	double	   *expected;
	double	   *lower;
	double	   *upper;
	double	   *score;
	bool	   *is_anomaly;
	bool	   *is_onset;
	/*
	 * upper tail probability of the recent scores' mean against their
	 * history (anomaly_likelihood.h); 1 while the history is too short and
	 * for missing values
	 */
	double	   *tail_probability;
	AnomalyMethod method_used;	/* what 'auto' chose */
	int			period_used;	/* season length used, 1 when none */
	int			alarm_used;		/* ANOMALY_ALARM_LIKELIHOOD or _THRESHOLD */
	double		threshold;		/* score threshold used (the band's k) */
	double		tail_threshold; /* tail probability threshold used */
} AnomalyResult;

extern void anomaly_options_init(AnomalyOptions *options);
extern AnomalyStatus anomaly_options_validate(const AnomalyOptions *options);
/* the name of the first option (other than sensitivity) outside its range, or NULL */
extern const char *anomaly_options_invalid(const AnomalyOptions *options);
extern const char *anomaly_status_message(AnomalyStatus status);
extern const char *anomaly_method_name(AnomalyMethod method);
extern bool anomaly_method_from_name(const char *name, AnomalyMethod *method);

extern void anomaly_result_init(AnomalyResult *result, size_t n);
extern void anomaly_result_free(AnomalyResult *result);

/* z threshold for a method's default and a sensitivity in [0, 1] */
extern double anomaly_z_threshold(double k_default, double sensitivity);

/* finite and within +-ANOMALY_MAX_ABS_VALUE: a value the models take in */
extern bool anomaly_value_usable(double x);

/* Batch detection over values[0..n-1]; result must have been initialised for n. */
extern AnomalyStatus anomaly_detect(const double *values, size_t n,
									const AnomalyOptions *options,
									AnomalyResult *result);

/*
 * Episode tracking, causal: a flagged point starts an episode unless an
 * earlier flagged point lies within cooldown points; the state is two
 * integers so it fits in a stream state.
 */
typedef struct AnomalyEpisodeState
{
	int64_t		points_seen;	/* index of the next point */
	int64_t		last_flagged;	/* index of the last flagged point, -1 none */
} AnomalyEpisodeState;

extern void anomaly_episode_init(AnomalyEpisodeState *state);
extern bool anomaly_episode_step(AnomalyEpisodeState *state, bool flagged, int cooldown);
extern void anomaly_mark_onsets(const bool *is_anomaly, size_t n, int cooldown, bool *is_onset);

#endif							/* DATALAYER_ANOMALY_H */
