/* fuzz-deps: src/aggregates/uddsketch.c src/aggregates/hyperloglog.c src/aggregates/stats_moments.c src/storage/codec_buf.c */
/*
 * fuzz_sketches.c
 *		libFuzzer harness for the deserializers of the statistics cores.
 *
 * Build and run: test/fuzz/run.sh [seconds]   (clang -fsanitize=fuzzer,address,undefined)
 * The first byte picks the target, the rest is the serialized form:
 *	0	udd_deserialize
 *	1	hll_deserialize
 *	2	stats_moments_deserialize
 *	3	regr_deserialize
 * Checks: no crash, leak, out-of-bounds access or undefined behaviour on
 * any input.  Whatever deserializes is exercised as a real object:
 * quantiles lie in [min, max], estimates are finite and non-negative, it
 * re-serializes to the same bytes (or shorter ones, for overlong varints)
 * that serialize identically again, merges with itself and with a fresh
 * sketch, takes new values, and every result still deserializes.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "aggregates/hyperloglog.h"
#include "aggregates/stats_moments.h"
#include "aggregates/uddsketch.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) \
	do { if (!(cond)) { fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__); abort(); } } while (0)

static const double qs[] = {0.0, 1e-9, 0.001, 0.25, 0.5, 0.75, 0.999, 1.0};

static void
udd_exercise(const UddSketch *s)
{
	size_t		i;
	double		q;
	double		mn;
	double		mx;
	double		mean;

	FUZZ_CHECK(udd_bucket_count(s) <= s->max_buckets);
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
	{
		if (udd_count(s) == 0)
			FUZZ_CHECK(udd_quantile(s, qs[i], &q) == UDD_ERR_BAD_ARGUMENT);
		else
		{
			FUZZ_CHECK(udd_quantile(s, qs[i], &q) == UDD_OK);
			FUZZ_CHECK(udd_min(s, &mn) && udd_max(s, &mx));
			FUZZ_CHECK(q >= mn && q <= mx);
		}
	}
	(void) udd_mean(s, &mean);
	FUZZ_CHECK(udd_relative_error(s) > 0.0 && udd_relative_error(s) <= 1.0);
}

static void
udd_round_trip(const UddSketch *s)
{
	uint8_t    *buf;
	uint8_t    *buf2;
	size_t		len;
	size_t		len2;
	UddSketch  *back;

	udd_serialize(s, 0, &buf, &len);
	FUZZ_CHECK(udd_deserialize(buf, len, &back) == UDD_OK);
	udd_serialize(back, 0, &buf2, &len2);
	FUZZ_CHECK(len == len2 && memcmp(buf, buf2, len) == 0);
	udd_exercise(back);
	udd_free(back);
	dl_free(buf);
	dl_free(buf2);
}

static void
fuzz_udd(const uint8_t *data, size_t size)
{
	UddSketch  *s;
	UddSketch  *fresh;
	UddSketch  *copy;
	uint8_t    *buf;
	size_t		len;
	static const double vals[] = {0.0, 1.0, -1.0, 1e300, -1e-300, 4.9e-324, 12345.678};
	size_t		i;

	if (udd_deserialize(data, size, &s) != UDD_OK)
	{
		FUZZ_CHECK(s == NULL);
		return;
	}
	/*
	 * re-serializes to the input, or to something shorter: the varint
	 * reader accepts overlong encodings (0x80 0x00 for 0), the writer
	 * produces the shortest
	 */
	udd_serialize(s, 0, &buf, &len);
	FUZZ_CHECK(len < size || (len == size && memcmp(buf, data, size) == 0));
	dl_free(buf);
	udd_exercise(s);

	/* merge with a copy of itself and with a small fresh sketch */
	FUZZ_CHECK(udd_deserialize(data, size, &copy) == UDD_OK);
	/*
	 * The merges below reach about four times the count (s with its copy,
	 * then with a fresh sketch that already holds s): crafted counts that
	 * large only check that merging is refused, not wrapped.
	 */
	if (udd_count(s) > UINT64_MAX / 8)
	{
		/* crafted counts near 2^64: merging must be refused, not wrap */
		bool		fits = udd_count(s) <= UINT64_MAX / 2;

		FUZZ_CHECK(udd_merge(s, copy) == (fits ? UDD_OK : UDD_ERR_BAD_ARGUMENT));
		udd_free(copy);
		udd_free(s);
		return;
	}
	FUZZ_CHECK(udd_merge(s, copy) == UDD_OK);
	udd_free(copy);
	udd_exercise(s);
	udd_round_trip(s);
	FUZZ_CHECK(udd_create(s->alpha0, UDD_MIN_BUCKETS, &fresh) == UDD_OK);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		FUZZ_CHECK(udd_add(fresh, vals[i]) == UDD_OK);
	FUZZ_CHECK(udd_merge(fresh, s) == UDD_OK);
	udd_exercise(fresh);
	udd_round_trip(fresh);
	FUZZ_CHECK(udd_merge(s, fresh) == UDD_OK);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		FUZZ_CHECK(udd_add(s, vals[i]) == UDD_OK);
	udd_exercise(s);
	udd_round_trip(s);
	udd_free(fresh);
	udd_free(s);
}

static void
hll_round_trip(const Hll *h)
{
	uint8_t    *buf;
	uint8_t    *buf2;
	size_t		len;
	size_t		len2;
	Hll		   *back;
	double		e = hll_estimate(h);

	FUZZ_CHECK(e >= 0.0 && e <= HLL_MAX_ESTIMATE);
	hll_serialize(h, 0, &buf, &len);
	FUZZ_CHECK(hll_deserialize(buf, len, &back) == HLL_OK);
	hll_serialize(back, 0, &buf2, &len2);
	FUZZ_CHECK(len == len2 && memcmp(buf, buf2, len) == 0);
	FUZZ_CHECK(hll_estimate(back) == e);
	hll_free(back);
	dl_free(buf);
	dl_free(buf2);
}

static void
fuzz_hll(const uint8_t *data, size_t size)
{
	Hll		   *h;
	Hll		   *copy;
	Hll		   *other;
	uint8_t    *buf;
	size_t		len;
	int			i;

	if (hll_deserialize(data, size, &h) != HLL_OK)
	{
		FUZZ_CHECK(h == NULL);
		return;
	}
	hll_serialize(h, 0, &buf, &len);
	FUZZ_CHECK(len < size || (len == size && memcmp(buf, data, size) == 0));
	dl_free(buf);
	hll_round_trip(h);

	FUZZ_CHECK(hll_deserialize(data, size, &copy) == HLL_OK);
	FUZZ_CHECK(hll_merge(h, copy) == HLL_OK);
	hll_round_trip(h);
	/* a fresh sketch at a precision taken from the input, both ways */
	FUZZ_CHECK(hll_create(HLL_MIN_PRECISION + (int) (size % 15), &other) == HLL_OK);
	for (i = 0; i < 40; i++)
		hll_add_hash(other, hll_hash_int64(i * 7919));
	FUZZ_CHECK(hll_merge(other, copy) == HLL_OK);
	hll_round_trip(other);
	FUZZ_CHECK(hll_merge(copy, other) == HLL_OK);
	hll_round_trip(copy);
	for (i = 0; i < 100; i++)
		hll_add_hash(h, hll_hash_int64(-i));
	hll_round_trip(h);
	hll_free(other);
	hll_free(copy);
	hll_free(h);
}

/*
 * strict: the state must deserialize again.  Only asked of states built
 * from a deserialized one by self-combine: the validation cannot tell a
 * hostile m3 (beyond what any data has, m3^2 > m2 m4) from a real one, and
 * later updates of such a state may drive m4 negative, which the
 * deserializer then rightly refuses.
 */
static void
moments_exercise(const StatsMoments *s, bool strict)
{
	double		v;
	uint8_t		buf[STATS_MOMENTS_SERIALIZED_SIZE];
	StatsMoments back;

	(void) stats_moments_mean(s, &v);
	(void) stats_moments_variance_pop(s, &v);
	(void) stats_moments_variance_samp(s, &v);
	(void) stats_moments_stddev_pop(s, &v);
	(void) stats_moments_stddev_samp(s, &v);
	(void) stats_moments_skewness(s, &v);
	(void) stats_moments_skewness_sample(s, &v);
	(void) stats_moments_kurtosis(s, &v);
	(void) stats_moments_kurtosis_sample(s, &v);
	(void) stats_moments_min(s, &v);
	(void) stats_moments_max(s, &v);
	stats_moments_serialize(s, buf);
	if (stats_moments_deserialize(buf, sizeof(buf), &back) != STATS_OK)
		FUZZ_CHECK(!strict);
}

static void
fuzz_moments(const uint8_t *data, size_t size)
{
	StatsMoments s;
	StatsMoments copy;
	uint8_t		buf[STATS_MOMENTS_SERIALIZED_SIZE];

	if (stats_moments_deserialize(data, size, &s) != STATS_OK)
		return;
	stats_moments_serialize(&s, buf);
	FUZZ_CHECK(size == sizeof(buf) && memcmp(buf, data, size) == 0);
	moments_exercise(&s, true);
	copy = s;
	/* counts near 2^64 would wrap (unsigned, defined): no data gets there */
	if (s.count >= (UINT64_C(1) << 62))
		return;
	stats_moments_combine(&s, &copy);
	moments_exercise(&s, true);
	stats_moments_add(&s, 1.0);
	stats_moments_add(&s, -1e300);
	moments_exercise(&s, false);
}

static void
regr_exercise(const RegrState *r)
{
	double		v;
	uint8_t		buf[REGR_SERIALIZED_SIZE];
	RegrState	back;

	(void) regr_slope(r, &v);
	(void) regr_intercept(r, &v);
	(void) regr_r2(r, &v);
	(void) regr_corr(r, &v);
	(void) regr_covar_pop(r, &v);
	(void) regr_covar_samp(r, &v);
	regr_serialize(r, buf);
	FUZZ_CHECK(regr_deserialize(buf, sizeof(buf), &back) == STATS_OK);
}

static void
fuzz_regr(const uint8_t *data, size_t size)
{
	RegrState	r;
	RegrState	copy;
	uint8_t		buf[REGR_SERIALIZED_SIZE];

	if (regr_deserialize(data, size, &r) != STATS_OK)
		return;
	regr_serialize(&r, buf);
	FUZZ_CHECK(size == sizeof(buf) && memcmp(buf, data, size) == 0);
	regr_exercise(&r);
	copy = r;
	if (r.n >= (UINT64_C(1) << 62))
		return;
	regr_combine(&r, &copy);
	regr_exercise(&r);
	regr_add(&r, 2.0, 3.0);
	regr_exercise(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 4)
	{
		case 0:
			fuzz_udd(data + 1, size - 1);
			break;
		case 1:
			fuzz_hll(data + 1, size - 1);
			break;
		case 2:
			fuzz_moments(data + 1, size - 1);
			break;
		default:
			fuzz_regr(data + 1, size - 1);
			break;
	}
	return 0;
}
