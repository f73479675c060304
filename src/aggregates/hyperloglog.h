/*
 * hyperloglog.h
 *		HyperLogLog distinct counting: 64-bit hashing of int64 values and
 *		byte strings, a sparse form for small cardinalities, a dense form of
 *		2^p registers (p = 4..18), Ertl's improved estimator, merge across
 *		precisions, and a validated binary form.
 *
 * The sparse form keeps (register index, rank) pairs at precision 25, so
 * small counts are almost exact; it turns dense once it would take more
 * memory than the 2^p one-byte registers.  The estimator is Ertl's
 * "improved raw estimator" (Ertl 2017, "New cardinality estimation
 * algorithms for HyperLogLog sketches"), which needs no empirical bias
 * tables and is unbiased from 0 to far beyond 2^32.  The standard error is
 * about 1.04 / sqrt(2^p).
 */
#ifndef DATALAYER_HYPERLOGLOG_H
#define DATALAYER_HYPERLOGLOG_H

#include "util/portable.h"

#define HLL_FORMAT_VERSION		1
#define HLL_HEADER_SIZE			8
#define HLL_MIN_PRECISION		4
#define HLL_MAX_PRECISION		18
#define HLL_SPARSE_PRECISION	25
/* hll_estimate() is finite and at most 2^64, the number of distinct hashes */
#define HLL_MAX_ESTIMATE		18446744073709551616.0

typedef enum HllStatus
{
	HLL_OK = 0,
	HLL_ERR_BAD_ARGUMENT,		/* precision out of range */
	HLL_ERR_TRUNCATED,			/* serialized form shorter than it says */
	HLL_ERR_VERSION,			/* unknown serialized version */
	HLL_ERR_CORRUPT				/* malformed serialized form */
} HllStatus;

typedef struct Hll
{
	uint8_t		precision;
	bool		sparse;
	/* sparse: sorted unique entries (index25 << 6 | rank), rank 1..40 */
	uint32_t   *entries;
	uint32_t	nentries;
	uint32_t	cap;
	/* dense: 2^precision registers */
	uint8_t    *registers;
} Hll;

extern const char *hll_status_message(HllStatus status);

extern uint64_t hll_hash_int64(int64_t value);
extern uint64_t hll_hash_bytes(const void *data, size_t len);

extern HllStatus hll_create(int precision, Hll **out);
extern void hll_free(Hll *hll);
extern void hll_add_hash(Hll *hll, uint64_t hash);
extern HllStatus hll_merge(Hll *into, const Hll *other);
extern double hll_estimate(const Hll *hll);
extern double hll_standard_error(int precision);

extern void hll_serialize(const Hll *hll, size_t prefix, uint8_t **out, size_t *out_len);
extern HllStatus hll_deserialize(const uint8_t *buf, size_t len, Hll **out);

#endif							/* DATALAYER_HYPERLOGLOG_H */
