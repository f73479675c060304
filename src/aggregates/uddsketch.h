/*
 * uddsketch.h
 *		UDDSketch (Epicoco, Melle, Cafaro, Pulimeno, Morleo 2020): a
 *		mergeable quantile sketch with a guaranteed relative error.
 *
 * Values are counted in logarithmic buckets of ratio gamma = (1+a)/(1-a),
 * which bounds the relative error of every quantile by a.  When the number
 * of buckets passes the limit, adjacent bucket pairs are merged uniformly
 * (gamma is squared): the error bound grows to 2a/(1+a^2) but stays
 * guaranteed for all quantiles.  Positive and negative values have their own
 * buckets; zeros are counted exactly.  NaN and infinities are rejected.
 *
 * Quantiles use the nearest-rank definition: the q-quantile of n values is
 * the value of rank max(1, ceil(q * n)) in ascending order (q = 0 is the
 * minimum, q = 1 the maximum); the estimate lies within the current
 * relative error udd_relative_error() of that value.
 *
 * An empty sketch has no quantiles: udd_quantile() returns
 * UDD_ERR_BAD_ARGUMENT for it (as for q outside [0, 1]) and udd_min(),
 * udd_max() and udd_mean() return false; its count is 0 and it merges,
 * serializes and deserializes like any other sketch.
 *
 * udd_add() and udd_merge() return UDD_ERR_BAD_ARGUMENT, leaving the
 * sketch unchanged, if the count would pass 2^64 - 1.
 */
#ifndef DATALAYER_UDDSKETCH_H
#define DATALAYER_UDDSKETCH_H

#include "util/portable.h"

#define UDD_FORMAT_VERSION		1
#define UDD_HEADER_SIZE			60
#define UDD_MIN_ALPHA			1e-6
#define UDD_MAX_ALPHA			0.5
#define UDD_MIN_BUCKETS			8
#define UDD_MAX_BUCKETS			(1U << 20)
#define UDD_MAX_LEVELS			40

typedef enum UddStatus
{
	UDD_OK = 0,
	UDD_ERR_BAD_ARGUMENT,		/* alpha, bucket limit or quantile out of range */
	UDD_ERR_NOT_FINITE,			/* NaN or infinite value added */
	UDD_ERR_INCOMPATIBLE,		/* merging sketches built with different alphas */
	UDD_ERR_TRUNCATED,			/* serialized form shorter than it says */
	UDD_ERR_VERSION,			/* unknown serialized version */
	UDD_ERR_CORRUPT				/* malformed serialized form */
} UddStatus;

/* sorted bucket keys of one sign with their counts */
typedef struct UddStore
{
	int32_t    *keys;
	uint64_t   *counts;
	uint32_t	n;
	uint32_t	cap;
} UddStore;

typedef struct UddSketch
{
	double		alpha0;			/* relative error asked for at creation */
	uint32_t	max_buckets;
	uint32_t	levels;			/* collapses so far: gamma = gamma0^(2^levels) */
	double		log_gamma;		/* cached ln(gamma) */
	uint64_t	count;
	uint64_t	zero_count;
	double		min;
	double		max;
	double		sum;
	UddStore	pos;			/* keys of positive values */
	UddStore	neg;			/* keys of |v| for negative values */
} UddSketch;

extern const char *udd_status_message(UddStatus status);

extern UddStatus udd_create(double alpha, uint32_t max_buckets, UddSketch **out);
extern void udd_free(UddSketch *sketch);
extern UddStatus udd_add(UddSketch *sketch, double value);
extern UddStatus udd_merge(UddSketch *into, const UddSketch *other);
extern UddStatus udd_quantile(const UddSketch *sketch, double q, double *out);
extern double udd_relative_error(const UddSketch *sketch);
extern uint32_t udd_bucket_count(const UddSketch *sketch);
extern uint64_t udd_count(const UddSketch *sketch);
extern bool udd_min(const UddSketch *sketch, double *out);
extern bool udd_max(const UddSketch *sketch, double *out);
extern bool udd_mean(const UddSketch *sketch, double *out);

extern void udd_serialize(const UddSketch *sketch, size_t prefix, uint8_t **out, size_t *out_len);
extern UddStatus udd_deserialize(const uint8_t *buf, size_t len, UddSketch **out);

#endif							/* DATALAYER_UDDSKETCH_H */
