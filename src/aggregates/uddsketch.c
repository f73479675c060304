/*
 * uddsketch.c
 *		UDDSketch: log-bucketed quantile sketch with uniform collapse,
 *		merge, nearest-rank quantiles and a validated binary form.
 *
 * A positive value v falls in bucket k = ceil(ln v / ln gamma), which holds
 * (gamma^(k-1), gamma^k]; the bucket's estimate 2 gamma^k / (gamma + 1) is
 * within a = (gamma-1)/(gamma+1) of every value in it.  Collapsing maps k
 * to ceil(k/2), which is exactly bucket membership under gamma^2, so a
 * collapsed sketch is the one that would have been built with gamma^2 from
 * the start and merges of sketches at different levels stay exact.  Keys
 * stay within int32: |ln v| <= 745 for doubles and ln gamma >= 2e-6.
 *
 * Buckets live in sorted arrays; inserting a new key shifts the tail, which
 * is cheap at the few hundred to few thousand buckets a sketch keeps.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "aggregates/uddsketch.h"
#include "storage/bitpack.h"
#include "storage/codec_buf.h"

/* keys a valid sketch can hold: ceil(745 / ln((1 + 1e-6) / (1 - 1e-6))) */
#define UDD_MAX_ABS_KEY		400000000

/* |ln v| of every finite non-zero double, rounded up: ln(2^-1074) = -744.44 */
#define UDD_MAX_ABS_LOG		745.0

const char *
udd_status_message(UddStatus status)
{
	switch (status)
	{
		case UDD_OK:
			return "ok";
		case UDD_ERR_BAD_ARGUMENT:
			return "invalid uddsketch argument";
		case UDD_ERR_NOT_FINITE:
			return "uddsketch cannot hold NaN or infinite values";
		case UDD_ERR_INCOMPATIBLE:
			return "cannot combine uddsketches built with different relative errors";
		case UDD_ERR_TRUNCATED:
			return "uddsketch data is truncated";
		case UDD_ERR_VERSION:
			return "unsupported uddsketch format version";
		case UDD_ERR_CORRUPT:
			return "uddsketch data is corrupt";
	}
	return "unknown uddsketch error";
}

static double
log_gamma_at(double alpha0, uint32_t levels)
{
	/* ln((1+a)/(1-a)), scaled by 2^levels: exact in binary floating point */
	return ldexp(log1p(alpha0) - log1p(-alpha0), (int) levels);
}

static inline int32_t
ceil_half(int32_t k)
{
	return k > 0 ? (k + 1) / 2 : k / 2;
}

static inline int32_t
key_of(double magnitude, double log_gamma)
{
	return (int32_t) ceil(log(magnitude) / log_gamma);
}

/* 2 gamma^k / (gamma + 1), written so that a huge gamma does not overflow */
static double
bucket_estimate(int32_t k, double log_gamma)
{
	return 2.0 / (exp(-(double) k * log_gamma) + exp((1.0 - (double) k) * log_gamma));
}

/* --------------------------------------------------------------- stores */

static void
store_reserve(UddStore *s, uint32_t need)
{
	uint32_t	cap;

	if (need <= s->cap)
		return;
	cap = s->cap < 16 ? 16 : s->cap;
	while (cap < need)
		cap *= 2;
	s->keys = dl_realloc(s->keys, (size_t) cap * sizeof(int32_t));
	s->counts = dl_realloc(s->counts, (size_t) cap * sizeof(uint64_t));
	s->cap = cap;
}

static void
store_free(UddStore *s)
{
	if (s->keys)
		dl_free(s->keys);
	if (s->counts)
		dl_free(s->counts);
	memset(s, 0, sizeof(*s));
}

static void
store_add(UddStore *s, int32_t key, uint64_t count)
{
	uint32_t	lo = 0;
	uint32_t	hi = s->n;

	/* appending at the end or hitting the last key is the common case */
	if (s->n > 0 && s->keys[s->n - 1] == key)
	{
		s->counts[s->n - 1] += count;
		return;
	}
	if (s->n == 0 || s->keys[s->n - 1] < key)
		lo = s->n;
	else
	{
		while (lo < hi)
		{
			uint32_t	mid = lo + (hi - lo) / 2;

			if (s->keys[mid] < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < s->n && s->keys[lo] == key)
		{
			s->counts[lo] += count;
			return;
		}
	}
	store_reserve(s, s->n + 1);
	memmove(s->keys + lo + 1, s->keys + lo, (size_t) (s->n - lo) * sizeof(int32_t));
	memmove(s->counts + lo + 1, s->counts + lo, (size_t) (s->n - lo) * sizeof(uint64_t));
	s->keys[lo] = key;
	s->counts[lo] = count;
	s->n++;
}

/* maps every key to ceil(k/2); the map is monotone, so equal keys are adjacent */
static void
store_collapse(UddStore *s)
{
	uint32_t	i;
	uint32_t	out = 0;

	for (i = 0; i < s->n; i++)
	{
		int32_t		k = ceil_half(s->keys[i]);

		if (out > 0 && s->keys[out - 1] == k)
			s->counts[out - 1] += s->counts[i];
		else
		{
			s->keys[out] = k;
			s->counts[out] = s->counts[i];
			out++;
		}
	}
	s->n = out;
}

static void
sketch_collapse(UddSketch *s)
{
	store_collapse(&s->pos);
	store_collapse(&s->neg);
	s->levels++;
	s->log_gamma = log_gamma_at(s->alpha0, s->levels);
}

static void
collapse_to_fit(UddSketch *s)
{
	while (s->pos.n + s->neg.n > s->max_buckets && s->levels < UDD_MAX_LEVELS)
		sketch_collapse(s);
}

/* ---------------------------------------------------------------- sketch */

static bool
alpha_valid(double alpha)
{
	return alpha >= UDD_MIN_ALPHA && alpha <= UDD_MAX_ALPHA;
}

UddStatus
udd_create(double alpha, uint32_t max_buckets, UddSketch **out)
{
	UddSketch  *s;

	*out = NULL;
	if (!alpha_valid(alpha) || max_buckets < UDD_MIN_BUCKETS || max_buckets > UDD_MAX_BUCKETS)
		return UDD_ERR_BAD_ARGUMENT;
	s = dl_alloc0(sizeof(UddSketch));
	s->alpha0 = alpha;
	s->max_buckets = max_buckets;
	s->log_gamma = log_gamma_at(alpha, 0);
	*out = s;
	return UDD_OK;
}

void
udd_free(UddSketch *sketch)
{
	if (sketch == NULL)
		return;
	store_free(&sketch->pos);
	store_free(&sketch->neg);
	dl_free(sketch);
}

UddStatus
udd_add(UddSketch *s, double value)
{
	if (!isfinite(value))
		return UDD_ERR_NOT_FINITE;
	if (s->count == UINT64_MAX)
		return UDD_ERR_BAD_ARGUMENT;
	if (s->count == 0)
		s->min = s->max = value;
	else if (value < s->min)
		s->min = value;
	else if (value > s->max)
		s->max = value;
	s->count++;
	s->sum += value;
	if (value == 0.0)
	{
		s->zero_count++;
		return UDD_OK;
	}
	if (value > 0.0)
		store_add(&s->pos, key_of(value, s->log_gamma), 1);
	else
		store_add(&s->neg, key_of(-value, s->log_gamma), 1);
	if (s->pos.n + s->neg.n > s->max_buckets)
		collapse_to_fit(s);
	return UDD_OK;
}

static void
store_merge(UddStore *into, const UddStore *other, uint32_t extra_levels)
{
	uint32_t	i;
	UddStore	merged = {0};
	uint32_t	a = 0;

	if (other->n == 0)
		return;
	store_reserve(&merged, into->n + other->n);
	/* other's keys, raised to into's level, are still sorted (monotone map) */
	for (i = 0; i < other->n || a < into->n;)
	{
		int32_t		k;
		uint64_t	c;

		if (i < other->n)
		{
			uint32_t	l;

			k = other->keys[i];
			for (l = 0; l < extra_levels; l++)
				k = ceil_half(k);
		}
		else
			k = INT32_MAX;
		if (a < into->n && into->keys[a] <= k)
		{
			k = into->keys[a];
			c = into->counts[a++];
		}
		else
			c = other->counts[i++];
		if (merged.n > 0 && merged.keys[merged.n - 1] == k)
			merged.counts[merged.n - 1] += c;
		else
		{
			merged.keys[merged.n] = k;
			merged.counts[merged.n] = c;
			merged.n++;
		}
	}
	store_free(into);
	*into = merged;
}

UddStatus
udd_merge(UddSketch *into, const UddSketch *other)
{
	uint32_t	extra;

	if (into->alpha0 != other->alpha0)
		return UDD_ERR_INCOMPATIBLE;
	if (other->count == 0)
		return UDD_OK;
	/* counts must not wrap (reachable only from crafted serialized sketches) */
	if (other->count > UINT64_MAX - into->count)
		return UDD_ERR_BAD_ARGUMENT;
	while (into->levels < other->levels)
		sketch_collapse(into);
	extra = into->levels - other->levels;
	store_merge(&into->pos, &other->pos, extra);
	store_merge(&into->neg, &other->neg, extra);
	if (into->count == 0)
	{
		into->min = other->min;
		into->max = other->max;
	}
	else
	{
		if (other->min < into->min)
			into->min = other->min;
		if (other->max > into->max)
			into->max = other->max;
	}
	into->count += other->count;
	into->zero_count += other->zero_count;
	into->sum += other->sum;
	collapse_to_fit(into);
	return UDD_OK;
}

UddStatus
udd_quantile(const UddSketch *s, double q, double *out)
{
	uint64_t	rank;
	uint64_t	seen = 0;
	double		r;
	double		est = 0.0;
	int64_t		i;

	if (!(q >= 0.0 && q <= 1.0))
		return UDD_ERR_BAD_ARGUMENT;
	if (s->count == 0)
		return UDD_ERR_BAD_ARGUMENT;
	r = ceil(q * (double) s->count);
	rank = r < 1.0 ? 1 : (r >= (double) s->count ? s->count : (uint64_t) r);
	if (rank == 1)
	{
		*out = s->min;
		return UDD_OK;
	}
	if (rank == s->count)
	{
		*out = s->max;
		return UDD_OK;
	}

	/* ascending order: negatives from the largest magnitude, zeros, positives */
	for (i = (int64_t) s->neg.n - 1; i >= 0; i--)
	{
		seen += s->neg.counts[i];
		if (seen >= rank)
		{
			est = -bucket_estimate(s->neg.keys[i], s->log_gamma);
			goto found;
		}
	}
	seen += s->zero_count;
	if (seen >= rank)
	{
		est = 0.0;
		goto found;
	}
	for (i = 0; i < (int64_t) s->pos.n; i++)
	{
		seen += s->pos.counts[i];
		if (seen >= rank)
		{
			est = bucket_estimate(s->pos.keys[i], s->log_gamma);
			goto found;
		}
	}
	est = s->max;

found:
	/* the true value lies in [min, max]: clamping only moves towards it */
	if (est < s->min)
		est = s->min;
	if (est > s->max)
		est = s->max;
	*out = est;
	return UDD_OK;
}

double
udd_relative_error(const UddSketch *s)
{
	return tanh(s->log_gamma / 2.0);
}

uint32_t
udd_bucket_count(const UddSketch *s)
{
	return s->pos.n + s->neg.n;
}

uint64_t
udd_count(const UddSketch *s)
{
	return s->count;
}

bool
udd_min(const UddSketch *s, double *out)
{
	if (s->count == 0)
		return false;
	*out = s->min;
	return true;
}

bool
udd_max(const UddSketch *s, double *out)
{
	if (s->count == 0)
		return false;
	*out = s->max;
	return true;
}

bool
udd_mean(const UddSketch *s, double *out)
{
	if (s->count == 0)
		return false;
	*out = s->sum / (double) s->count;
	return true;
}

/* ---------------------------------------------------------- binary form */

static inline void
put_double(CodecBuf *b, double d)
{
	uint64_t	u;

	memcpy(&u, &d, 8);
	codec_buf_put_u64(b, u);
}

static inline bool
read_double(CodecReader *r, double *d)
{
	uint64_t	u;

	if (!codec_read_u64(r, &u))
		return false;
	memcpy(d, &u, 8);
	return true;
}

/* keys: the first zig-zagged, then gaps minus one; counts as varints */
static void
put_store(CodecBuf *b, const UddStore *s)
{
	uint32_t	i;

	for (i = 0; i < s->n; i++)
	{
		if (i == 0)
			codec_buf_put_varint(b, zigzag_encode(s->keys[0]));
		else
			codec_buf_put_varint(b, (uint64_t) ((int64_t) s->keys[i] - s->keys[i - 1] - 1));
		codec_buf_put_varint(b, s->counts[i]);
	}
}

/*
 * layout: version, flags (0), 2 zero bytes, max_buckets u32, levels u32,
 * npos u32, nneg u32, alpha0, zero_count u64, min, max, sum; then the
 * negative store and the positive store.
 */
void
udd_serialize(const UddSketch *s, size_t prefix, uint8_t **out, size_t *out_len)
{
	CodecBuf	b;

	codec_buf_init(&b);
	codec_buf_reserve(&b, prefix + UDD_HEADER_SIZE);
	memset(b.data, 0, prefix);
	b.len = prefix;
	codec_buf_put_u8(&b, UDD_FORMAT_VERSION);
	codec_buf_put_u8(&b, 0);
	codec_buf_put_u8(&b, 0);
	codec_buf_put_u8(&b, 0);
	codec_buf_put_u32(&b, s->max_buckets);
	codec_buf_put_u32(&b, s->levels);
	codec_buf_put_u32(&b, s->pos.n);
	codec_buf_put_u32(&b, s->neg.n);
	put_double(&b, s->alpha0);
	codec_buf_put_u64(&b, s->zero_count);
	put_double(&b, s->min);
	put_double(&b, s->max);
	put_double(&b, s->sum);
	put_store(&b, &s->neg);
	put_store(&b, &s->pos);
	*out = b.data;
	*out_len = b.len;
}

/*
 * The largest |key| a value can have at this level: keys are
 * ceil(ln v / log_gamma) with |ln v| < 745, and collapsing is the same as
 * building at the higher level from the start.  Rejecting keys beyond it
 * means that at level UDD_MAX_LEVELS (log_gamma > 745 for every alpha) all
 * keys are in {-1, 0, 1}: at most 6 < UDD_MIN_BUCKETS buckets, so
 * collapse_to_fit always gets within max_buckets, even after merging a
 * deserialized sketch.
 */
static int64_t
max_abs_key(double log_gamma)
{
	double		k = ceil(UDD_MAX_ABS_LOG / log_gamma);

	return k > (double) UDD_MAX_ABS_KEY ? UDD_MAX_ABS_KEY : (int64_t) k;
}

static bool
read_store(CodecReader *r, UddStore *s, uint32_t n, int64_t key_limit, uint64_t *total)
{
	uint32_t	i;
	int64_t		key = 0;

	store_reserve(s, n);
	for (i = 0; i < n; i++)
	{
		uint64_t	v;
		uint64_t	c;

		if (!codec_read_varint(r, &v))
			return false;
		if (i == 0)
		{
			if (v > 2 * (uint64_t) UDD_MAX_ABS_KEY)
				return false;
			key = zigzag_decode(v);
		}
		else
		{
			if (v >= 2 * (uint64_t) UDD_MAX_ABS_KEY)
				return false;
			key += (int64_t) v + 1;
		}
		if (key > key_limit || key < -key_limit)
			return false;
		if (!codec_read_varint(r, &c) || c == 0 || c > UINT64_MAX - *total)
			return false;
		*total += c;
		s->keys[i] = (int32_t) key;
		s->counts[i] = c;
		s->n = i + 1;
	}
	return true;
}

UddStatus
udd_deserialize(const uint8_t *buf, size_t len, UddSketch **out)
{
	CodecReader r;
	UddSketch  *s;
	uint8_t		version;
	uint8_t		pad[3];
	uint32_t	max_buckets;
	uint32_t	levels;
	uint32_t	npos;
	uint32_t	nneg;
	double		alpha0;
	uint64_t	total;
	int64_t		key_limit;

	*out = NULL;
	codec_reader_init(&r, buf, len);
	if (!codec_read_u8(&r, &version))
		return UDD_ERR_TRUNCATED;
	if (version != UDD_FORMAT_VERSION)
		return UDD_ERR_VERSION;
	if (len < UDD_HEADER_SIZE)
		return UDD_ERR_TRUNCATED;
	codec_read_u8(&r, &pad[0]);
	codec_read_u8(&r, &pad[1]);
	codec_read_u8(&r, &pad[2]);
	codec_read_u32(&r, &max_buckets);
	codec_read_u32(&r, &levels);
	codec_read_u32(&r, &npos);
	codec_read_u32(&r, &nneg);
	read_double(&r, &alpha0);
	if (pad[0] != 0 || pad[1] != 0 || pad[2] != 0 || !alpha_valid(alpha0) ||
		max_buckets < UDD_MIN_BUCKETS || max_buckets > UDD_MAX_BUCKETS || levels > UDD_MAX_LEVELS ||
		(uint64_t) npos + nneg > max_buckets)
		return UDD_ERR_CORRUPT;
	/* each bucket takes at least two bytes: check before allocating */
	if (((uint64_t) npos + nneg) * 2 > len - UDD_HEADER_SIZE)
		return UDD_ERR_TRUNCATED;

	s = dl_alloc0(sizeof(UddSketch));
	s->alpha0 = alpha0;
	s->max_buckets = max_buckets;
	s->levels = levels;
	s->log_gamma = log_gamma_at(alpha0, levels);
	codec_read_u64(&r, &s->zero_count);
	read_double(&r, &s->min);
	read_double(&r, &s->max);
	read_double(&r, &s->sum);
	total = s->zero_count;
	key_limit = max_abs_key(s->log_gamma);
	if (!read_store(&r, &s->neg, nneg, key_limit, &total) ||
		!read_store(&r, &s->pos, npos, key_limit, &total) ||
		codec_reader_remaining(&r) != 0)
	{
		udd_free(s);
		return UDD_ERR_CORRUPT;
	}
	s->count = total;
	if (total == 0)
	{
		if (s->min != 0.0 || s->max != 0.0 || s->sum != 0.0)
		{
			udd_free(s);
			return UDD_ERR_CORRUPT;
		}
	}
	/* sum may be NaN: merging sketches whose sums overflowed to +inf and -inf */
	else if (!isfinite(s->min) || !isfinite(s->max) || s->min > s->max ||
			 (nneg > 0 && s->min >= 0.0) || (npos > 0 && s->max <= 0.0) ||
			 (s->zero_count > 0 && (s->min > 0.0 || s->max < 0.0)))
	{
		udd_free(s);
		return UDD_ERR_CORRUPT;
	}
	*out = s;
	return UDD_OK;
}
