/*
 * anomaly_stream.c
 *		Streaming form of the causal anomaly detectors: one detector state
 *		plus the episode tracker, and its validated binary serialization.
 *
 * anomaly_detect() runs its causal methods through anomaly_stream_update()
 * too, so there is a single implementation of every causal method.
 *
 * Serialized form (version 2), all integers and doubles little-endian:
 *	"DLAS"  u16 version  u8 method  u8 zero
 *	f64 sensitivity  i32 window  f64 alpha  i32 period  i32 cooldown
 *	i32 warmup  f64 hazard  i32 max_run_length  f64 max_anomalies
 *	i32 alarm  i32 score_window  i32 score_horizon
 *	i64 points_seen  i64 last_flagged
 *	likelihood:    i32 count  i32 head  i64 seen  f64 mean  f64 variance
 *	               f64 ring[count]
 *	robust z:      i32 count  i32 head  f64 ring[count]
 *	EWMA:          i64 seen  f64 mean  f64 variance
 *	Holt-Winters:  i64 position  i64 seen  f64 level  f64 variance
 *	               f64 season[period]
 *	change points: i32 count  i64 seen  f64 global_mean  f64 global_variance
 *	               count x (f64 prob, mu, kappa, a, b)
 *	u32 FNV-1a of every byte before it
 * The deserializer checks the length, magic, checksum and version first,
 * then every field against what a real state can hold (ranges, finiteness,
 * counts consistent with each other and with the exact length), and only
 * then allocates; whatever fails is ANOMALY_ERR_STATE_CORRUPT (an intact
 * blob of another version is ANOMALY_ERR_STATE_VERSION).
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/anomaly.h"
#include "analytics/anomaly_auto.h"
#include "analytics/anomaly_causal.h"
#include "analytics/anomaly_likelihood.h"
#include "analytics/anomaly_stream.h"

/* a stream counts at most this many points: far beyond any real stream, far below overflow */
#define STREAM_MAX_POINTS (INT64_C(1) << 62)

struct AnomalyStream
{
	AnomalyOptions options;		/* resolved */
	double		threshold;
	double		tail_threshold;
	AnomalyEpisodeState episode;
	AnomalyLikelihoodState likelihood;
	RobustZState robust_z;
	EwmaState	ewma;
	HoltWintersState holt_winters;
	ChangepointState changepoint;
};

#define STREAM_MAGIC "DLAS"
#define STREAM_HEADER_SIZE (4 + 2 + 1 + 1)
#define STREAM_OPTIONS_SIZE (8 + 4 + 8 + 4 + 4 + 4 + 8 + 4 + 8 + 4 + 4 + 4)
#define STREAM_EPISODE_SIZE (8 + 8)
#define STREAM_LIKELIHOOD_SIZE (4 + 4 + 8 + 8 + 8)
#define STREAM_FIXED_SIZE (STREAM_HEADER_SIZE + STREAM_OPTIONS_SIZE + \
						   STREAM_EPISODE_SIZE + STREAM_LIKELIHOOD_SIZE)
#define STREAM_CHECKSUM_SIZE 4

static bool
method_is_causal(AnomalyMethod method)
{
	return method == ANOMALY_METHOD_ROBUST_Z || method == ANOMALY_METHOD_EWMA ||
		method == ANOMALY_METHOD_HOLT_WINTERS || method == ANOMALY_METHOD_CHANGEPOINT;
}

/*
 * Options as a stream needs them: valid, a causal method, every default
 * resolved.  Also what the deserializer demands of the stored options.
 */
static AnomalyStatus
check_resolved(const AnomalyOptions *o)
{
	AnomalyStatus status = anomaly_options_validate(o);

	if (status != ANOMALY_OK)
		return status;
	if (o->method == ANOMALY_METHOD_SEASONAL_ESD)
		return ANOMALY_ERR_NOT_STREAMABLE;
	if (!method_is_causal(o->method))
		return ANOMALY_ERR_OPTION;
	if (o->window < 3 || !(o->alpha > 0.0) || o->period < 1 || o->cooldown < 1 ||
		!(o->hazard >= 2.0) || o->max_run_length < 2 * CHANGEPOINT_RECENT ||
		!(o->max_anomalies > 0.0) || o->alarm == ANOMALY_ALARM_DEFAULT ||
		o->score_window < 1 || o->score_horizon < ANOMALY_LIKELIHOOD_MIN_HORIZON)
		return ANOMALY_ERR_OPTION;
	return ANOMALY_OK;
}

AnomalyStatus
anomaly_stream_create(const AnomalyOptions *options, AnomalyStream **stream)
{
	AnomalyOptions resolved;
	AnomalyStatus status;
	AnomalyStream *s;

	if (options == NULL || stream == NULL)
		return ANOMALY_ERR_ARGUMENT;
	*stream = NULL;
	status = anomaly_options_validate(options);
	if (status != ANOMALY_OK)
		return status;
	if (options->method == ANOMALY_METHOD_SEASONAL_ESD)
		return ANOMALY_ERR_NOT_STREAMABLE;
	if (options->method == ANOMALY_METHOD_AUTO ||
		(options->method == ANOMALY_METHOD_HOLT_WINTERS && options->period == 0))
		return ANOMALY_ERR_OPTION;	/* needs data: anomaly_stream_start() */
	/* the remaining defaults need no data */
	anomaly_resolve_options(NULL, 0, options, &resolved);
	status = check_resolved(&resolved);
	if (status != ANOMALY_OK)
		return status;

	s = dl_alloc0(sizeof(AnomalyStream));
	s->options = resolved;
	s->threshold = anomaly_method_threshold(resolved.method, resolved.sensitivity);
	s->tail_threshold = anomaly_likelihood_threshold(resolved.sensitivity);
	anomaly_episode_init(&s->episode);
	anomaly_likelihood_init(&s->likelihood, resolved.score_window, resolved.score_horizon);
	switch (resolved.method)
	{
		case ANOMALY_METHOD_ROBUST_Z:
			robust_z_init(&s->robust_z, resolved.window);
			break;
		case ANOMALY_METHOD_EWMA:
			ewma_init(&s->ewma, resolved.alpha);
			break;
		case ANOMALY_METHOD_HOLT_WINTERS:
			holt_winters_init(&s->holt_winters, resolved.period, resolved.alpha);
			break;
		case ANOMALY_METHOD_CHANGEPOINT:
			changepoint_init(&s->changepoint, resolved.hazard, resolved.max_run_length);
			break;
		default:
			break;
	}
	*stream = s;
	return ANOMALY_OK;
}

void
anomaly_stream_free(AnomalyStream *stream)
{
	if (stream == NULL)
		return;
	robust_z_free(&stream->robust_z);
	holt_winters_free(&stream->holt_winters);
	changepoint_free(&stream->changepoint);
	dl_free(stream);
}

AnomalyStatus
anomaly_stream_start(const double *history, size_t n, const AnomalyOptions *options,
					 AnomalyStream **stream, AnomalyResult *result)
{
	AnomalyOptions resolved;
	AnomalyStatus status;

	if (options == NULL || stream == NULL || result == NULL ||
		(history == NULL && n > 0))
		return ANOMALY_ERR_ARGUMENT;
	*stream = NULL;
	status = anomaly_options_validate(options);
	if (status != ANOMALY_OK)
		return status;
	if (result->n != n)
		return ANOMALY_ERR_ARGUMENT;
	anomaly_resolve_options(history, n, options, &resolved);
	status = anomaly_stream_create(&resolved, stream);
	if (status != ANOMALY_OK)
		return status;
	status = anomaly_stream_update(*stream, history, n, result);
	if (status != ANOMALY_OK)
	{
		anomaly_stream_free(*stream);
		*stream = NULL;
	}
	return status;
}

AnomalyStatus
anomaly_stream_update(AnomalyStream *stream, const double *values, size_t n,
					  AnomalyResult *result)
{
	const AnomalyOptions *o;
	size_t		i;

	if (stream == NULL || result == NULL || (values == NULL && n > 0))
		return ANOMALY_ERR_ARGUMENT;
	if (result->n != n)
		return ANOMALY_ERR_ARGUMENT;
	/* the counters stay far from overflow (a real stream never gets near) */
	if (n > (size_t) (STREAM_MAX_POINTS - stream->episode.points_seen))
		return ANOMALY_ERR_ARGUMENT;
	o = &stream->options;
	result->method_used = o->method;
	result->period_used = o->period;
	result->threshold = stream->threshold;
	result->tail_threshold = stream->tail_threshold;
	result->alarm_used = o->alarm;

	for (i = 0; i < n; i++)
	{
		AnomalyStepOutput out;
		bool		flagged;
		double		tail = 1.0;

		if ((i & 4095) == 4095)
			dl_check_interrupts();
		switch (o->method)
		{
			case ANOMALY_METHOD_ROBUST_Z:
				robust_z_step(&stream->robust_z, values[i], stream->threshold, &out);
				break;
			case ANOMALY_METHOD_EWMA:
				ewma_step(&stream->ewma, values[i], stream->threshold, &out);
				break;
			case ANOMALY_METHOD_HOLT_WINTERS:
				holt_winters_step(&stream->holt_winters, values[i], stream->threshold, &out);
				break;
			case ANOMALY_METHOD_CHANGEPOINT:
				changepoint_step(&stream->changepoint, values[i], stream->threshold, &out);
				break;
			default:
				return ANOMALY_ERR_NOT_STREAMABLE;
		}
		if (anomaly_value_usable(values[i]))
			tail = anomaly_likelihood_step(&stream->likelihood, out.score);
		if (o->alarm == ANOMALY_ALARM_LIKELIHOOD)
			/*
			 * the point is outside its band, and either the recent scores
			 * are improbably high for this series or the point is extreme
			 * (ANOMALY_EXTREME_FACTOR times the band's threshold, 15 sigma
			 * at the default): a point inside the band is never called
			 * anomalous, however high its neighbours scored, and a series'
			 * past incidents cannot hide a gross one
			 */
			flagged = out.is_anomaly &&
				(tail <= stream->tail_threshold ||
				 out.score >= ANOMALY_EXTREME_FACTOR * stream->threshold);
		else
			flagged = out.is_anomaly;
		flagged = flagged && stream->episode.points_seen >= (int64_t) o->warmup;
		result->tail_probability[i] = tail;
		result->expected[i] = out.expected;
		result->lower[i] = out.lower;
		result->upper[i] = out.upper;
		result->score[i] = out.score;
		result->is_anomaly[i] = flagged;
		result->is_onset[i] = anomaly_episode_step(&stream->episode, flagged, o->cooldown);
	}
	return ANOMALY_OK;
}

AnomalyMethod
anomaly_stream_method(const AnomalyStream *stream)
{
	return stream->options.method;
}

int64_t
anomaly_stream_points(const AnomalyStream *stream)
{
	return stream->episode.points_seen;
}

uint32_t
anomaly_stream_checksum(const uint8_t *bytes, size_t length)
{
	uint32_t	hash = 2166136261u;
	size_t		i;

	for (i = 0; i < length; i++)
	{
		hash ^= bytes[i];
		hash *= 16777619u;
	}
	return hash;
}

/* ---- serialization ---- */

static size_t
body_size(AnomalyMethod method, int count, int period)
{
	switch (method)
	{
		case ANOMALY_METHOD_ROBUST_Z:
			return 4 + 4 + 8 * (size_t) count;
		case ANOMALY_METHOD_EWMA:
			return 8 + 8 + 8;
		case ANOMALY_METHOD_HOLT_WINTERS:
			return 8 + 8 + 8 + 8 + 8 * (size_t) period;
		case ANOMALY_METHOD_CHANGEPOINT:
			return 4 + 8 + 8 + 8 + 5 * 8 * (size_t) count;
		default:
			return 0;
	}
}

size_t
anomaly_stream_serialized_size(const AnomalyStream *stream)
{
	int			count = 0;

	if (stream->options.method == ANOMALY_METHOD_ROBUST_Z)
		count = stream->robust_z.count;
	else if (stream->options.method == ANOMALY_METHOD_CHANGEPOINT)
		count = stream->changepoint.count;
	return STREAM_FIXED_SIZE + 8 * (size_t) stream->likelihood.count +
		body_size(stream->options.method, count, stream->options.period) +
		STREAM_CHECKSUM_SIZE;
}

typedef struct Writer
{
	uint8_t    *p;
} Writer;

static void
put_u64(Writer *w, uint64_t v)
{
	int			i;

	for (i = 0; i < 8; i++)
		*w->p++ = (uint8_t) (v >> (8 * i));
}

static void
put_u32(Writer *w, uint32_t v)
{
	int			i;

	for (i = 0; i < 4; i++)
		*w->p++ = (uint8_t) (v >> (8 * i));
}

static void
put_i32(Writer *w, int32_t v)
{
	put_u32(w, (uint32_t) v);
}

static void
put_i64(Writer *w, int64_t v)
{
	put_u64(w, (uint64_t) v);
}

static void
put_f64(Writer *w, double v)
{
	uint64_t	bits;

	memcpy(&bits, &v, sizeof(bits));
	put_u64(w, bits);
}

AnomalyStatus
anomaly_stream_serialize(const AnomalyStream *stream, uint8_t *buffer, size_t capacity,
						 size_t *length)
{
	const AnomalyOptions *o;
	size_t		size;
	Writer		w;
	int			i;

	if (stream == NULL || length == NULL)
		return ANOMALY_ERR_ARGUMENT;
	size = anomaly_stream_serialized_size(stream);
	*length = size;
	if (buffer == NULL || capacity < size)
		return ANOMALY_ERR_BUFFER_TOO_SMALL;
	o = &stream->options;
	w.p = buffer;
	memcpy(w.p, STREAM_MAGIC, 4);
	w.p += 4;
	*w.p++ = (uint8_t) (ANOMALY_STREAM_VERSION & 0xff);
	*w.p++ = (uint8_t) (ANOMALY_STREAM_VERSION >> 8);
	*w.p++ = (uint8_t) o->method;
	*w.p++ = 0;
	put_f64(&w, o->sensitivity);
	put_i32(&w, o->window);
	put_f64(&w, o->alpha);
	put_i32(&w, o->period);
	put_i32(&w, o->cooldown);
	put_i32(&w, o->warmup);
	put_f64(&w, o->hazard);
	put_i32(&w, o->max_run_length);
	put_f64(&w, o->max_anomalies);
	put_i32(&w, o->alarm);
	put_i32(&w, o->score_window);
	put_i32(&w, o->score_horizon);
	put_i64(&w, stream->episode.points_seen);
	put_i64(&w, stream->episode.last_flagged);
	put_i32(&w, stream->likelihood.count);
	put_i32(&w, stream->likelihood.head);
	put_i64(&w, stream->likelihood.seen);
	put_f64(&w, stream->likelihood.mean);
	put_f64(&w, stream->likelihood.variance);
	for (i = 0; i < stream->likelihood.count; i++)
		put_f64(&w, stream->likelihood.ring[i]);
	switch (o->method)
	{
		case ANOMALY_METHOD_ROBUST_Z:
			{
				const RobustZState *s = &stream->robust_z;

				put_i32(&w, s->count);
				put_i32(&w, s->head);
				for (i = 0; i < s->count; i++)
					put_f64(&w, s->ring[i]);
				break;
			}
		case ANOMALY_METHOD_EWMA:
			put_i64(&w, stream->ewma.seen);
			put_f64(&w, stream->ewma.mean);
			put_f64(&w, stream->ewma.variance);
			break;
		case ANOMALY_METHOD_HOLT_WINTERS:
			{
				const HoltWintersState *s = &stream->holt_winters;

				put_i64(&w, s->position);
				put_i64(&w, s->seen);
				put_f64(&w, s->level);
				put_f64(&w, s->variance);
				for (i = 0; i < s->period; i++)
					put_f64(&w, s->season[i]);
				break;
			}
		case ANOMALY_METHOD_CHANGEPOINT:
			{
				const ChangepointState *s = &stream->changepoint;

				put_i32(&w, s->count);
				put_i64(&w, s->seen);
				put_f64(&w, s->global_mean);
				put_f64(&w, s->global_variance);
				for (i = 0; i < s->count; i++)
				{
					put_f64(&w, s->prob[i]);
					put_f64(&w, s->mu[i]);
					put_f64(&w, s->kappa[i]);
					put_f64(&w, s->a[i]);
					put_f64(&w, s->b[i]);
				}
				break;
			}
		default:
			return ANOMALY_ERR_NOT_STREAMABLE;
	}
	put_u32(&w, anomaly_stream_checksum(buffer, (size_t) (w.p - buffer)));
	return ANOMALY_OK;
}

/* ---- deserialization: a bounds-checked reader ---- */

typedef struct Reader
{
	const uint8_t *p;
	const uint8_t *end;
	bool		ok;
} Reader;

static uint64_t
get_u64(Reader *r)
{
	uint64_t	v = 0;
	int			i;

	if (r->end - r->p < 8)
	{
		r->ok = false;
		return 0;
	}
	for (i = 0; i < 8; i++)
		v |= (uint64_t) r->p[i] << (8 * i);
	r->p += 8;
	return v;
}

static uint32_t
get_u32(Reader *r)
{
	uint32_t	v = 0;
	int			i;

	if (r->end - r->p < 4)
	{
		r->ok = false;
		return 0;
	}
	for (i = 0; i < 4; i++)
		v |= (uint32_t) r->p[i] << (8 * i);
	r->p += 4;
	return v;
}

static int32_t
get_i32(Reader *r)
{
	uint32_t	u = get_u32(r);
	int32_t		v;

	memcpy(&v, &u, sizeof(v));	/* two's complement without overflow */
	return v;
}

static int64_t
get_i64(Reader *r)
{
	uint64_t	u = get_u64(r);
	int64_t		v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

static double
get_f64(Reader *r)
{
	uint64_t	bits = get_u64(r);
	double		v;

	memcpy(&v, &bits, sizeof(v));
	return v;
}

/* a finite double from the reader; fails the reader otherwise */
static double
get_finite(Reader *r)
{
	double		v = get_f64(r);

	if (!isfinite(v))
		r->ok = false;
	return v;
}

static bool
is_negative_zero(double v)
{
	return v == 0.0 && signbit(v);
}

AnomalyStatus
anomaly_stream_deserialize(const uint8_t *buffer, size_t length, AnomalyStream **stream)
{
	AnomalyOptions o;
	AnomalyEpisodeState episode;
	AnomalyLikelihoodState likelihood;
	AnomalyStream *s;
	Reader		r;
	const uint8_t *body;
	uint32_t	stored_checksum;
	int			version;
	int			method;
	int			count = 0;
	int			head = 0;
	int			i;

	if (stream == NULL)
		return ANOMALY_ERR_ARGUMENT;
	*stream = NULL;
	if (buffer == NULL || length < STREAM_FIXED_SIZE + STREAM_CHECKSUM_SIZE)
		return ANOMALY_ERR_STATE_CORRUPT;
	if (memcmp(buffer, STREAM_MAGIC, 4) != 0)
		return ANOMALY_ERR_STATE_CORRUPT;
	r.p = buffer + length - STREAM_CHECKSUM_SIZE;
	r.end = buffer + length;
	r.ok = true;
	stored_checksum = get_u32(&r);
	if (stored_checksum != anomaly_stream_checksum(buffer, length - STREAM_CHECKSUM_SIZE))
		return ANOMALY_ERR_STATE_CORRUPT;
	version = buffer[4] | (buffer[5] << 8);
	if (version != ANOMALY_STREAM_VERSION)
		return ANOMALY_ERR_STATE_VERSION;
	method = buffer[6];
	if (buffer[7] != 0 || !method_is_causal((AnomalyMethod) method))
		return ANOMALY_ERR_STATE_CORRUPT;

	/* fixed fields */
	r.p = buffer + STREAM_HEADER_SIZE;
	r.end = buffer + length - STREAM_CHECKSUM_SIZE;
	memset(&o, 0, sizeof(o));
	o.method = (AnomalyMethod) method;
	o.sensitivity = get_f64(&r);
	o.window = get_i32(&r);
	o.alpha = get_f64(&r);
	o.period = get_i32(&r);
	o.cooldown = get_i32(&r);
	o.warmup = get_i32(&r);
	o.hazard = get_f64(&r);
	o.max_run_length = get_i32(&r);
	o.max_anomalies = get_f64(&r);
	o.alarm = get_i32(&r);
	o.score_window = get_i32(&r);
	o.score_horizon = get_i32(&r);
	episode.points_seen = get_i64(&r);
	episode.last_flagged = get_i64(&r);
	if (!r.ok || check_resolved(&o) != ANOMALY_OK)
		return ANOMALY_ERR_STATE_CORRUPT;

	/* the likelihood's ring count first, so nothing is read past its bound */
	anomaly_likelihood_init(&likelihood, o.score_window, o.score_horizon);
	likelihood.count = get_i32(&r);
	likelihood.head = get_i32(&r);
	likelihood.seen = get_i64(&r);
	likelihood.mean = get_finite(&r);
	likelihood.variance = get_finite(&r);
	if (!r.ok || likelihood.count < 0 || likelihood.count > likelihood.window)
		return ANOMALY_ERR_STATE_CORRUPT;
	for (i = 0; i < likelihood.count; i++)
		likelihood.ring[i] = get_f64(&r);
	if (!r.ok || !anomaly_likelihood_valid(&likelihood) ||
		likelihood.seen > episode.points_seen)
		return ANOMALY_ERR_STATE_CORRUPT;
	/* methods without a season store period 1 (see anomaly_resolve_options) */
	if (o.method != ANOMALY_METHOD_HOLT_WINTERS && o.period != 1)
		return ANOMALY_ERR_STATE_CORRUPT;
	if (episode.points_seen < 0 || episode.points_seen > STREAM_MAX_POINTS ||
		episode.last_flagged < -1 ||
		episode.last_flagged >= episode.points_seen)
		return ANOMALY_ERR_STATE_CORRUPT;

	/* counts, then the exact length they imply */
	body = r.p;
	if (o.method == ANOMALY_METHOD_ROBUST_Z || o.method == ANOMALY_METHOD_CHANGEPOINT)
	{
		count = get_i32(&r);
		if (!r.ok || count < 0)
			return ANOMALY_ERR_STATE_CORRUPT;
		if (o.method == ANOMALY_METHOD_ROBUST_Z && count > o.window)
			return ANOMALY_ERR_STATE_CORRUPT;
		if (o.method == ANOMALY_METHOD_CHANGEPOINT && count > o.max_run_length)
			return ANOMALY_ERR_STATE_CORRUPT;
	}
	if ((size_t) (r.end - body) != body_size(o.method, count, o.period))
		return ANOMALY_ERR_STATE_CORRUPT;

	/* validate the body in place before allocating anything */
	switch (o.method)
	{
		case ANOMALY_METHOD_ROBUST_Z:
			head = get_i32(&r);
			if (!r.ok || head < 0 || (count < o.window ? head != 0 : head >= count))
				return ANOMALY_ERR_STATE_CORRUPT;
			/* ring values: usable inputs, +0.0 for zero */
			for (i = 0; i < count; i++)
			{
				double		v = get_f64(&r);

				if (!anomaly_value_usable(v) || is_negative_zero(v))
					return ANOMALY_ERR_STATE_CORRUPT;
			}
			/* every finite point seen is in the window until it is full */
			if ((int64_t) count > episode.points_seen)
				return ANOMALY_ERR_STATE_CORRUPT;
			break;
		case ANOMALY_METHOD_EWMA:
			{
				int64_t		seen = get_i64(&r);
				double		mean = get_finite(&r);
				double		variance = get_finite(&r);

				if (!r.ok || seen < 0 || seen > episode.points_seen || !(variance >= 0.0) ||
					(seen == 0 && (mean != 0.0 || variance != 0.0)) ||
					(seen == 1 && variance != 0.0))
					return ANOMALY_ERR_STATE_CORRUPT;
				break;
			}
		case ANOMALY_METHOD_HOLT_WINTERS:
			{
				int64_t		position = get_i64(&r);
				int64_t		seen = get_i64(&r);
				double		variance;

				(void) get_finite(&r);	/* level */
				variance = get_finite(&r);
				for (i = 0; i < o.period; i++)
					(void) get_finite(&r);
				if (!r.ok || seen < 0 || position < seen ||
					position != episode.points_seen || !(variance >= 0.0))
					return ANOMALY_ERR_STATE_CORRUPT;
				break;
			}
		case ANOMALY_METHOD_CHANGEPOINT:
			{
				int64_t		seen = get_i64(&r);
				double		global_variance;
				double		total = 0.0;

				(void) get_finite(&r);	/* global mean */
				global_variance = get_finite(&r);
				if (!r.ok || seen < 0 || seen > episode.points_seen ||
					!(global_variance >= 0.0) ||
					(int64_t) count != (seen < o.max_run_length ? seen : o.max_run_length))
					return ANOMALY_ERR_STATE_CORRUPT;
				for (i = 0; i < count; i++)
				{
					double		prob = get_finite(&r);
					double		kappa;
					double		a;
					double		b;

					(void) get_finite(&r);	/* mu */
					kappa = get_finite(&r);
					a = get_finite(&r);
					b = get_finite(&r);
					if (!r.ok || !(prob >= 0.0 && prob <= 1.0) || !(kappa > 0.0) ||
						!(a > 0.0) || !(b > 0.0))
						return ANOMALY_ERR_STATE_CORRUPT;
					total += prob;
				}
				if (count > 0 && !(total > 0.5 && total < 1.5))
					return ANOMALY_ERR_STATE_CORRUPT;
				break;
			}
		default:
			return ANOMALY_ERR_STATE_CORRUPT;
	}
	if (!r.ok || r.p != r.end)
		return ANOMALY_ERR_STATE_CORRUPT;

	/* valid: build the stream and read the body again, into it */
	if (anomaly_stream_create(&o, &s) != ANOMALY_OK)
		return ANOMALY_ERR_STATE_CORRUPT;
	s->episode = episode;
	s->likelihood = likelihood;
	r.p = body;
	switch (o.method)
	{
		case ANOMALY_METHOD_ROBUST_Z:
			s->robust_z.count = get_i32(&r);
			s->robust_z.head = get_i32(&r);
			for (i = 0; i < count; i++)
				s->robust_z.ring[i] = get_f64(&r);
			robust_z_rebuild(&s->robust_z);
			break;
		case ANOMALY_METHOD_EWMA:
			s->ewma.seen = get_i64(&r);
			s->ewma.mean = get_f64(&r);
			s->ewma.variance = get_f64(&r);
			break;
		case ANOMALY_METHOD_HOLT_WINTERS:
			s->holt_winters.position = get_i64(&r);
			s->holt_winters.seen = get_i64(&r);
			s->holt_winters.level = get_f64(&r);
			s->holt_winters.variance = get_f64(&r);
			for (i = 0; i < o.period; i++)
				s->holt_winters.season[i] = get_f64(&r);
			break;
		case ANOMALY_METHOD_CHANGEPOINT:
			s->changepoint.count = get_i32(&r);
			s->changepoint.seen = get_i64(&r);
			s->changepoint.global_mean = get_f64(&r);
			s->changepoint.global_variance = get_f64(&r);
			for (i = 0; i < count; i++)
			{
				s->changepoint.prob[i] = get_f64(&r);
				s->changepoint.mu[i] = get_f64(&r);
				s->changepoint.kappa[i] = get_f64(&r);
				s->changepoint.a[i] = get_f64(&r);
				s->changepoint.b[i] = get_f64(&r);
			}
			break;
		default:
			break;
	}
	*stream = s;
	return ANOMALY_OK;
}
