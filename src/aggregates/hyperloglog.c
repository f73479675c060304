/*
 * hyperloglog.c
 *		HyperLogLog: hashing, sparse and dense forms, Ertl's estimator,
 *		merge and the binary form.
 *
 * A 64-bit hash h is split into a register index (its top p bits) and the
 * rank of the rest (1 + number of leading zeros).  The sparse form records
 * the index at precision 25 and the rank of the remaining 39 bits, which
 * is enough to derive the register and rank at any precision p <= 25: so
 * sparse sketches of different precisions merge without loss, and dense
 * sketches are folded down to the lower precision when merged.
 *
 * The hashes are this file's own: int64 values go through the SplitMix64
 * finaliser (a bijection, so distinct integers never collide), byte
 * strings are absorbed 8 bytes at a time through the same finaliser.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "aggregates/hyperloglog.h"
#include "storage/codec_buf.h"

#define SPARSE_RANK_BITS	6
#define SPARSE_Q			(64 - HLL_SPARSE_PRECISION)

const char *
hll_status_message(HllStatus status)
{
	switch (status)
	{
		case HLL_OK:
			return "ok";
		case HLL_ERR_BAD_ARGUMENT:
			return "hyperloglog precision must be between 4 and 18";
		case HLL_ERR_TRUNCATED:
			return "hyperloglog data is truncated";
		case HLL_ERR_VERSION:
			return "unsupported hyperloglog format version";
		case HLL_ERR_CORRUPT:
			return "hyperloglog data is corrupt";
	}
	return "unknown hyperloglog error";
}

/* ----------------------------------------------------------------- hashes */

static inline uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

uint64_t
hll_hash_int64(int64_t value)
{
	return mix64((uint64_t) value + UINT64_C(0x9e3779b97f4a7c15));
}

uint64_t
hll_hash_bytes(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t	h = UINT64_C(0x2545f4914f6cdd1d) ^ ((uint64_t) len * UINT64_C(0x9e3779b97f4a7c15));
	uint64_t	word;
	size_t		i;

	while (len >= 8)
	{
		memcpy(&word, p, 8);
		h = mix64(h ^ word) + UINT64_C(0x9e3779b97f4a7c15);
		p += 8;
		len -= 8;
	}
	word = 0;
	for (i = 0; i < len; i++)
		word |= (uint64_t) p[i] << (8 * i);
	return mix64(h ^ word ^ ((uint64_t) len << 56));
}

/* ---------------------------------------------------------------- helpers */

static inline uint32_t
register_count(int precision)
{
	return UINT32_C(1) << precision;
}

static inline uint32_t
sparse_limit(int precision)
{
	/* sparse stays while it is no bigger than the dense registers */
	return register_count(precision) / 4;
}

static inline int
bit_width32(uint32_t v)
{
	return v == 0 ? 0 : 32 - __builtin_clz(v);
}

/* register index and rank at precision p of a sparse entry */
static inline void
sparse_to_register(uint32_t entry, int p, uint32_t *index, uint8_t *rank)
{
	uint32_t	idx25 = entry >> SPARSE_RANK_BITS;
	uint32_t	r25 = entry & ((1U << SPARSE_RANK_BITS) - 1);
	int			drop = HLL_SPARSE_PRECISION - p;
	uint32_t	low = idx25 & ((1U << drop) - 1);

	*index = idx25 >> drop;
	*rank = (uint8_t) (low != 0 ? drop - bit_width32(low) + 1 : drop + (int) r25);
}

/* the register and rank at precision to of a register at precision from */
static inline void
fold_register(uint32_t index, uint8_t rank, int from, int to, uint32_t *new_index, uint8_t *new_rank)
{
	int			drop = from - to;
	uint32_t	low = index & ((1U << drop) - 1);

	*new_index = index >> drop;
	*new_rank = (uint8_t) (low != 0 ? drop - bit_width32(low) + 1 : drop + rank);
}

static void
to_dense(Hll *h, int precision)
{
	uint32_t	i;

	h->registers = dl_alloc0(register_count(precision));
	h->precision = (uint8_t) precision;
	for (i = 0; i < h->nentries; i++)
	{
		uint32_t	idx;
		uint8_t		rank;

		sparse_to_register(h->entries[i], precision, &idx, &rank);
		if (rank > h->registers[idx])
			h->registers[idx] = rank;
	}
	if (h->entries)
		dl_free(h->entries);
	h->entries = NULL;
	h->nentries = h->cap = 0;
	h->sparse = false;
}

/* ------------------------------------------------------------------ API */

HllStatus
hll_create(int precision, Hll **out)
{
	Hll		   *h;

	*out = NULL;
	if (precision < HLL_MIN_PRECISION || precision > HLL_MAX_PRECISION)
		return HLL_ERR_BAD_ARGUMENT;
	h = dl_alloc0(sizeof(Hll));
	h->precision = (uint8_t) precision;
	h->sparse = true;
	*out = h;
	return HLL_OK;
}

void
hll_free(Hll *h)
{
	if (h == NULL)
		return;
	if (h->entries)
		dl_free(h->entries);
	if (h->registers)
		dl_free(h->registers);
	dl_free(h);
}

static void
sparse_insert(Hll *h, uint32_t entry)
{
	uint32_t	key = entry >> SPARSE_RANK_BITS;
	uint32_t	lo = 0;
	uint32_t	hi = h->nentries;

	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;

		if ((h->entries[mid] >> SPARSE_RANK_BITS) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < h->nentries && (h->entries[lo] >> SPARSE_RANK_BITS) == key)
	{
		if (entry > h->entries[lo])
			h->entries[lo] = entry;
		return;
	}
	if (h->nentries == h->cap)
	{
		h->cap = h->cap < 16 ? 16 : h->cap * 2;
		h->entries = dl_realloc(h->entries, (size_t) h->cap * sizeof(uint32_t));
	}
	memmove(h->entries + lo + 1, h->entries + lo, (size_t) (h->nentries - lo) * sizeof(uint32_t));
	h->entries[lo] = entry;
	h->nentries++;
}

void
hll_add_hash(Hll *h, uint64_t hash)
{
	if (h->sparse)
	{
		uint64_t	rest = hash << HLL_SPARSE_PRECISION;
		uint32_t	rank = rest == 0 ? SPARSE_Q + 1 : (uint32_t) __builtin_clzll(rest) + 1;
		uint32_t	idx = (uint32_t) (hash >> SPARSE_Q);

		sparse_insert(h, (idx << SPARSE_RANK_BITS) | rank);
		if (h->nentries > sparse_limit(h->precision))
			to_dense(h, h->precision);
	}
	else
	{
		int			p = h->precision;
		uint64_t	rest = hash << p;
		uint8_t		rank = (uint8_t) (rest == 0 ? 64 - p + 1 : __builtin_clzll(rest) + 1);
		uint32_t	idx = (uint32_t) (hash >> (64 - p));

		if (rank > h->registers[idx])
			h->registers[idx] = rank;
	}
}

static void
fold_dense(Hll *h, int to)
{
	uint8_t    *regs;
	uint32_t	i;
	uint32_t	m = register_count(h->precision);

	if (to == h->precision)
		return;
	regs = dl_alloc0(register_count(to));
	for (i = 0; i < m; i++)
	{
		uint32_t	idx;
		uint8_t		rank;

		if (h->registers[i] == 0)
			continue;
		fold_register(i, h->registers[i], h->precision, to, &idx, &rank);
		if (rank > regs[idx])
			regs[idx] = rank;
	}
	dl_free(h->registers);
	h->registers = regs;
	h->precision = (uint8_t) to;
}

/* union of two sorted sparse lists, keeping the larger rank of an index */
static void
sparse_merge(Hll *into, const Hll *other)
{
	uint32_t   *merged;
	uint32_t	cap;
	uint32_t	n = 0;
	uint32_t	a = 0;
	uint32_t	b = 0;

	if (other->nentries == 0 || into == other)
		return;
	cap = into->nentries + other->nentries;
	merged = dl_alloc((size_t) cap * sizeof(uint32_t));
	while (a < into->nentries || b < other->nentries)
	{
		uint32_t	e;

		if (b >= other->nentries ||
			(a < into->nentries && into->entries[a] <= other->entries[b]))
			e = into->entries[a++];
		else
			e = other->entries[b++];
		/* entries sort by index, then rank: the last of an index wins */
		if (n > 0 && (merged[n - 1] >> SPARSE_RANK_BITS) == (e >> SPARSE_RANK_BITS))
			merged[n - 1] = e;
		else
			merged[n++] = e;
	}
	if (into->entries)
		dl_free(into->entries);
	into->entries = merged;
	into->nentries = n;
	into->cap = cap;
}

HllStatus
hll_merge(Hll *into, const Hll *other)
{
	int			p = into->precision < other->precision ? into->precision : other->precision;
	uint32_t	i;

	if (into->sparse && other->sparse)
	{
		sparse_merge(into, other);
		into->precision = (uint8_t) p;
		if (into->nentries > sparse_limit(p))
			to_dense(into, p);
		return HLL_OK;
	}
	if (into->sparse)
		to_dense(into, p);
	else
		fold_dense(into, p);

	if (other->sparse)
	{
		for (i = 0; i < other->nentries; i++)
		{
			uint32_t	idx;
			uint8_t		rank;

			sparse_to_register(other->entries[i], p, &idx, &rank);
			if (rank > into->registers[idx])
				into->registers[idx] = rank;
		}
	}
	else
	{
		uint32_t	m = register_count(other->precision);

		for (i = 0; i < m; i++)
		{
			uint32_t	idx = i;
			uint8_t		rank = other->registers[i];

			if (rank == 0)
				continue;
			if (other->precision != p)
				fold_register(i, rank, other->precision, p, &idx, &rank);
			if (rank > into->registers[idx])
				into->registers[idx] = rank;
		}
	}
	return HLL_OK;
}

/* ------------------------------------------------------------- estimator */

static double
ertl_sigma(double x)
{
	double		y = 1.0;
	double		z = x;
	double		prev;

	if (x == 1.0)
		return INFINITY;
	do
	{
		x *= x;
		prev = z;
		z += x * y;
		y += y;
	} while (z != prev);
	return z;
}

static double
ertl_tau(double x)
{
	double		y = 1.0;
	double		z;
	double		prev;

	if (x == 0.0 || x == 1.0)
		return 0.0;
	z = 1.0 - x;
	do
	{
		x = sqrt(x);
		prev = z;
		y *= 0.5;
		z -= (1.0 - x) * (1.0 - x) * y;
	} while (z != prev);
	return z / 3.0;
}

/* hist[k] = registers of value k, k = 0..q+1, for m = 2^p registers */
static double
ertl_estimate(const uint64_t *hist, int q, double m)
{
	double		z = m * ertl_tau(1.0 - (double) hist[q + 1] / m);
	int			k;

	for (k = q; k >= 1; k--)
		z = 0.5 * (z + (double) hist[k]);
	z += m * ertl_sigma((double) hist[0] / m);
	/*
	 * Every register at the largest rank gives z = 0 and an infinite
	 * estimate; no more than 2^64 distinct hashes exist, so cap there.
	 */
	if (!(z > m * m / (2.0 * log(2.0) * HLL_MAX_ESTIMATE)))
		return HLL_MAX_ESTIMATE;
	return m * m / (2.0 * log(2.0) * z);
}

double
hll_estimate(const Hll *h)
{
	uint64_t	hist[66];
	uint32_t	i;

	memset(hist, 0, sizeof(hist));
	if (h->sparse)
	{
		double		m = (double) (UINT64_C(1) << HLL_SPARSE_PRECISION);

		if (h->nentries == 0)
			return 0.0;
		hist[0] = (UINT64_C(1) << HLL_SPARSE_PRECISION) - h->nentries;
		for (i = 0; i < h->nentries; i++)
			hist[h->entries[i] & ((1U << SPARSE_RANK_BITS) - 1)]++;
		return ertl_estimate(hist, SPARSE_Q, m);
	}
	else
	{
		uint32_t	m = register_count(h->precision);

		for (i = 0; i < m; i++)
			hist[h->registers[i]]++;
		if (hist[0] == m)
			return 0.0;
		return ertl_estimate(hist, 64 - h->precision, (double) m);
	}
}

double
hll_standard_error(int precision)
{
	return 1.04 / sqrt((double) register_count(precision));
}

/* ---------------------------------------------------------- binary form */

/*
 * layout: version, precision, form (0 sparse, 1 dense), 0, u32 entries;
 * sparse: the first entry then the gaps minus one, as varints;
 * dense: 2^precision one-byte registers.
 */
void
hll_serialize(const Hll *h, size_t prefix, uint8_t **out, size_t *out_len)
{
	CodecBuf	b;
	uint32_t	i;

	codec_buf_init(&b);
	codec_buf_reserve(&b, prefix + HLL_HEADER_SIZE);
	memset(b.data, 0, prefix);
	b.len = prefix;
	codec_buf_put_u8(&b, HLL_FORMAT_VERSION);
	codec_buf_put_u8(&b, h->precision);
	codec_buf_put_u8(&b, h->sparse ? 0 : 1);
	codec_buf_put_u8(&b, 0);
	codec_buf_put_u32(&b, h->sparse ? h->nentries : 0);
	if (h->sparse)
	{
		for (i = 0; i < h->nentries; i++)
			codec_buf_put_varint(&b, i == 0 ? h->entries[0] : h->entries[i] - h->entries[i - 1] - 1);
	}
	else
		codec_buf_put_bytes(&b, h->registers, register_count(h->precision));
	*out = b.data;
	*out_len = b.len;
}

HllStatus
hll_deserialize(const uint8_t *buf, size_t len, Hll **out)
{
	CodecReader r;
	uint8_t		version;
	uint8_t		precision;
	uint8_t		form;
	uint8_t		pad;
	uint32_t	n;
	Hll		   *h;
	uint32_t	i;

	*out = NULL;
	codec_reader_init(&r, buf, len);
	if (!codec_read_u8(&r, &version))
		return HLL_ERR_TRUNCATED;
	if (version != HLL_FORMAT_VERSION)
		return HLL_ERR_VERSION;
	if (!codec_read_u8(&r, &precision) || !codec_read_u8(&r, &form) ||
		!codec_read_u8(&r, &pad) || !codec_read_u32(&r, &n))
		return HLL_ERR_TRUNCATED;
	if (precision < HLL_MIN_PRECISION || precision > HLL_MAX_PRECISION || form > 1 || pad != 0)
		return HLL_ERR_CORRUPT;

	if (form == 1)
	{
		uint32_t	m = register_count(precision);
		const uint8_t *regs;

		if (n != 0)
			return HLL_ERR_CORRUPT;
		if (codec_reader_remaining(&r) != m)
			return codec_reader_remaining(&r) < m ? HLL_ERR_TRUNCATED : HLL_ERR_CORRUPT;
		regs = codec_read_bytes(&r, m);
		for (i = 0; i < m; i++)
			if (regs[i] > 64 - precision + 1)
				return HLL_ERR_CORRUPT;
		h = dl_alloc0(sizeof(Hll));
		h->precision = precision;
		h->registers = dl_alloc(m);
		memcpy(h->registers, regs, m);
		*out = h;
		return HLL_OK;
	}

	if (n > sparse_limit(precision))
		return HLL_ERR_CORRUPT;
	if (n > codec_reader_remaining(&r))
		return HLL_ERR_TRUNCATED;
	h = dl_alloc0(sizeof(Hll));
	h->precision = precision;
	h->sparse = true;
	if (n > 0)
	{
		h->entries = dl_alloc((size_t) n * sizeof(uint32_t));
		h->cap = n;
	}
	for (i = 0; i < n; i++)
	{
		uint64_t	v;
		uint64_t	entry;
		uint32_t	rank;

		if (!codec_read_varint(&r, &v) ||
			v >= (UINT64_C(1) << (HLL_SPARSE_PRECISION + SPARSE_RANK_BITS)))
			goto corrupt;
		entry = i == 0 ? v : (uint64_t) h->entries[i - 1] + v + 1;
		if (entry >= (UINT64_C(1) << (HLL_SPARSE_PRECISION + SPARSE_RANK_BITS)))
			goto corrupt;
		rank = (uint32_t) entry & ((1U << SPARSE_RANK_BITS) - 1);
		if (rank < 1 || rank > SPARSE_Q + 1)
			goto corrupt;
		/* one entry per index, in index order */
		if (i > 0 && (entry >> SPARSE_RANK_BITS) <= (h->entries[i - 1] >> SPARSE_RANK_BITS))
			goto corrupt;
		h->entries[i] = (uint32_t) entry;
		h->nentries = i + 1;
	}
	if (codec_reader_remaining(&r) != 0)
		goto corrupt;
	*out = h;
	return HLL_OK;

corrupt:
	hll_free(h);
	return HLL_ERR_CORRUPT;
}
