/*
 * timeseries_format.c
 *		Builder, encoder, validating decoder and grid resampling of the
 *		datalayer.timeseries type (layout in docs/series.md).
 *
 * The series is stored as a 28-byte header (so length and first/last time
 * are O(1)), an optional NULL bitmap, a time stream of delta-of-delta
 * varints with run-length tokens for the zero delta-of-deltas that regular
 * series are made of, and a value stream that is either raw doubles or a
 * Gorilla XOR bit stream, whichever is smaller.  The decoder is what binary
 * recv feeds with untrusted bytes: it checks every length against the
 * buffer before allocating or reading and rejects anything non-canonical
 * that could make two different byte strings decode to the same series in
 * a surprising way (unsorted times, stray padding, trailing bytes).
 */
#include "util/portable.h"

#include <string.h>

#include "analytics/timeseries_format.h"
#include "storage/bitpack.h"
#include "storage/codec_buf.h"

typedef struct TsEntry
{
	int64_t		time;
	double		value;
	uint32_t	seq;			/* append order, the stable-sort tie-break */
	bool		isnull;
} TsEntry;

struct TsBuilder
{
	TsDuplicatePolicy policy;
	TsEntry    *entries;
	uint32_t	count;
	uint32_t	cap;
};

const char *
ts_status_message(TsStatus status)
{
	switch (status)
	{
		case TS_OK:
			return "ok";
		case TS_ERR_TRUNCATED:
			return "timeseries data is truncated";
		case TS_ERR_VERSION:
			return "unsupported timeseries format version";
		case TS_ERR_CORRUPT:
			return "timeseries data is corrupt";
		case TS_ERR_TOO_MANY_POINTS:
			return "too many points in timeseries";
		case TS_ERR_DUPLICATE_TIME:
			return "duplicate timestamp in timeseries";
		case TS_ERR_INFINITE_TIME:
			return "timeseries point time cannot be infinite";
		case TS_ERR_UNSORTED:
			return "timeseries times are not strictly increasing";
		case TS_ERR_BAD_ARGUMENT:
			return "invalid timeseries argument";
	}
	return "unknown timeseries error";
}

static inline bool
time_is_infinite(int64_t t)
{
	return t == INT64_MIN || t == INT64_MAX;
}

/* ---------------------------------------------------------------- builder */

TsBuilder *
ts_builder_create(TsDuplicatePolicy policy)
{
	TsBuilder  *b = dl_alloc0(sizeof(TsBuilder));

	b->policy = policy;
	return b;
}

TsStatus
ts_builder_append(TsBuilder *builder, int64_t time, double value, bool isnull)
{
	TsEntry    *e;

	if (time_is_infinite(time))
		return TS_ERR_INFINITE_TIME;
	if (builder->count >= TS_MAX_POINTS)
		return TS_ERR_TOO_MANY_POINTS;
	if (builder->count == builder->cap)
	{
		uint32_t	cap = builder->cap < 64 ? 64 : builder->cap * 2;

		/* repalloc() does not take NULL inside the backend */
		builder->entries = builder->entries == NULL
			? dl_alloc((size_t) cap * sizeof(TsEntry))
			: dl_realloc(builder->entries, (size_t) cap * sizeof(TsEntry));
		builder->cap = cap;
	}
	e = &builder->entries[builder->count];
	e->time = time;
	e->value = isnull ? 0.0 : value;
	e->isnull = isnull;
	e->seq = builder->count;
	builder->count++;
	return TS_OK;
}

uint32_t
ts_builder_count(const TsBuilder *builder)
{
	return builder->count;
}

static int
entry_cmp(const void *a, const void *b)
{
	const TsEntry *x = a;
	const TsEntry *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq ? 1 : 0);
}

static bool
entries_sorted(const TsEntry *e, uint32_t n)
{
	uint32_t	i;

	for (i = 1; i < n; i++)
		if (e[i].time <= e[i - 1].time)
			return false;
	return true;
}

TsStatus
ts_builder_finish(TsBuilder *builder, TsPoints *out)
{
	TsEntry    *e = builder->entries;
	uint32_t	n = builder->count;
	uint32_t	i;
	uint32_t	kept = 0;

	memset(out, 0, sizeof(*out));
	/* appending in time order is the common case: skip the sort then */
	if (n > 1 && !entries_sorted(e, n))
		qsort(e, n, sizeof(TsEntry), entry_cmp);

	for (i = 0; i < n; i++)
	{
		if (kept > 0 && e[kept - 1].time == e[i].time)
		{
			if (builder->policy == TS_DUP_ERROR)
				return TS_ERR_DUPLICATE_TIME;
			if (builder->policy == TS_DUP_KEEP_LAST)
				e[kept - 1] = e[i];
			continue;
		}
		e[kept++] = e[i];
	}

	ts_points_alloc(out, kept);
	for (i = 0; i < kept; i++)
	{
		out->times[i] = e[i].time;
		out->values[i] = e[i].value;
		out->isnull[i] = e[i].isnull;
	}
	return TS_OK;
}

void
ts_builder_free(TsBuilder *builder)
{
	if (builder == NULL)
		return;
	if (builder->entries)
		dl_free(builder->entries);
	dl_free(builder);
}

void
ts_points_alloc(TsPoints *points, uint32_t count)
{
	points->count = count;
	if (count == 0)
	{
		points->times = NULL;
		points->values = NULL;
		points->isnull = NULL;
		return;
	}
	points->times = dl_alloc((size_t) count * sizeof(int64_t));
	points->values = dl_alloc((size_t) count * sizeof(double));
	points->isnull = dl_alloc0((size_t) count * sizeof(bool));
}

void
ts_points_free(TsPoints *points)
{
	if (points->times)
		dl_free(points->times);
	if (points->values)
		dl_free(points->values);
	if (points->isnull)
		dl_free(points->isnull);
	memset(points, 0, sizeof(*points));
}

/* ------------------------------------------------------------ bit streams */

typedef struct BitWriter
{
	CodecBuf   *buf;
	uint64_t	acc;			/* pending bits, right-aligned */
	int			nacc;			/* how many (always < 8 between calls) */
} BitWriter;

static void
bits_put(BitWriter *w, uint64_t value, int n)
{
	while (n > 0)
	{
		int			take = n > 32 ? 32 : n;
		uint64_t	part = (value >> (n - take)) & ((UINT64_C(1) << take) - 1);

		w->acc = (w->acc << take) | part;
		w->nacc += take;
		n -= take;
		while (w->nacc >= 8)
		{
			codec_buf_put_u8(w->buf, (uint8_t) (w->acc >> (w->nacc - 8)));
			w->nacc -= 8;
		}
		w->acc &= (UINT64_C(1) << w->nacc) - 1;
	}
}

static void
bits_flush(BitWriter *w)
{
	if (w->nacc > 0)
		codec_buf_put_u8(w->buf, (uint8_t) (w->acc << (8 - w->nacc)));
	w->acc = 0;
	w->nacc = 0;
}

typedef struct BitReader
{
	const uint8_t *data;
	uint64_t	nbits;
	uint64_t	pos;
} BitReader;

static bool
bits_get(BitReader *r, int n, uint64_t *out)
{
	uint64_t	v = 0;

	if ((uint64_t) n > r->nbits - r->pos)
		return false;
	while (n > 0)
	{
		int			off = (int) (r->pos & 7);
		int			avail = 8 - off;
		int			take = n < avail ? n : avail;
		uint8_t		byte = r->data[r->pos >> 3];

		v = (v << take) | ((uint64_t) (byte >> (avail - take)) & ((1U << take) - 1));
		r->pos += take;
		n -= take;
	}
	*out = v;
	return true;
}

static inline uint64_t
double_bits(double d)
{
	uint64_t	u;

	memcpy(&u, &d, 8);
	return u;
}

static inline double
bits_double(uint64_t u)
{
	double		d;

	memcpy(&d, &u, 8);
	return d;
}

/* Gorilla XOR stream over the non-NULL values */
static void
encode_values_xor(const TsPoints *p, CodecBuf *out)
{
	BitWriter	w = {out, 0, 0};
	uint64_t	prev = 0;
	int			prev_lead = -1;
	int			prev_trail = 0;
	bool		first = true;
	uint32_t	i;

	for (i = 0; i < p->count; i++)
	{
		uint64_t	cur;
		uint64_t	x;
		int			lead;
		int			trail;

		if (p->isnull[i])
			continue;
		cur = double_bits(p->values[i]);
		if (first)
		{
			bits_put(&w, cur, 64);
			prev = cur;
			first = false;
			continue;
		}
		x = cur ^ prev;
		prev = cur;
		if (x == 0)
		{
			bits_put(&w, 0, 1);
			continue;
		}
		lead = __builtin_clzll(x);
		if (lead > 31)
			lead = 31;
		trail = __builtin_ctzll(x);
		if (prev_lead >= 0 && lead >= prev_lead && trail >= prev_trail)
		{
			bits_put(&w, 2, 2);
			bits_put(&w, x >> prev_trail, 64 - prev_lead - prev_trail);
		}
		else
		{
			int			len = 64 - lead - trail;

			bits_put(&w, 3, 2);
			bits_put(&w, (uint64_t) lead, 5);
			bits_put(&w, (uint64_t) (len - 1), 6);
			bits_put(&w, x >> trail, len);
			prev_lead = lead;
			prev_trail = trail;
		}
	}
	bits_flush(&w);
}

static bool
decode_values_xor(const uint8_t *data, size_t len, const TsPoints *p)
{
	BitReader	r = {data, (uint64_t) len * 8, 0};
	uint64_t	prev = 0;
	int			prev_lead = -1;
	int			prev_trail = 0;
	bool		first = true;
	uint64_t	pad;
	uint32_t	i;

	for (i = 0; i < p->count; i++)
	{
		uint64_t	bit;
		uint64_t	v;

		if (p->isnull[i])
			continue;
		if (first)
		{
			if (!bits_get(&r, 64, &prev))
				return false;
			p->values[i] = bits_double(prev);
			first = false;
			continue;
		}
		if (!bits_get(&r, 1, &bit))
			return false;
		if (bit == 1)
		{
			if (!bits_get(&r, 1, &bit))
				return false;
			if (bit == 0)
			{
				if (prev_lead < 0)
					return false;
				if (!bits_get(&r, 64 - prev_lead - prev_trail, &v))
					return false;
				prev ^= v << prev_trail;
			}
			else
			{
				uint64_t	lead;
				uint64_t	mlen;

				if (!bits_get(&r, 5, &lead) || !bits_get(&r, 6, &mlen))
					return false;
				mlen += 1;
				if (lead + mlen > 64)
					return false;
				if (!bits_get(&r, (int) mlen, &v))
					return false;
				prev_lead = (int) lead;
				prev_trail = (int) (64 - lead - mlen);
				prev ^= v << prev_trail;
			}
		}
		p->values[i] = bits_double(prev);
	}
	/* the stream ends in the last byte, padded with zeros */
	if (r.nbits - r.pos >= 8)
		return false;
	if (r.pos < r.nbits && (!bits_get(&r, (int) (r.nbits - r.pos), &pad) || pad != 0))
		return false;
	return true;
}

/* ------------------------------------------------------------ time stream */

/*
 * The time stream is a sequence of LEB128 tokens (docs/series.md): an even
 * token 2r is a run of r >= 1 zero delta-of-deltas, an odd token 2z + 1 is
 * one delta-of-delta dd != 0 with z = zigzag(dd).  Since dd is any 64-bit
 * value (wrapping arithmetic), a value token has up to 65 bits: ten LEB128
 * bytes, the tenth holding bits 63 and 64.  Tokens are passed around as
 * (lo, hi) with hi the 65th bit.
 */
#define TS_TOKEN_MAX_BYTES	10

static void
put_token(CodecBuf *out, uint64_t lo, uint64_t hi)
{
	codec_buf_reserve(out, TS_TOKEN_MAX_BYTES);
	while (hi != 0 || lo >= 0x80)
	{
		out->data[out->len++] = (uint8_t) (lo | 0x80);
		lo = (lo >> 7) | (hi << 57);
		hi = 0;
	}
	out->data[out->len++] = (uint8_t) lo;
}

static void
put_run(CodecBuf *out, uint64_t run)
{
	put_token(out, run << 1, 0);
}

static void
put_dd(CodecBuf *out, uint64_t dd)
{
	uint64_t	z = zigzag_encode((int64_t) dd);

	put_token(out, (z << 1) | 1, z >> 63);
}

/*
 * Reads one token at *pos.  Only the canonical (shortest) form is accepted:
 * no overlong encodings, nothing beyond 65 bits.
 */
static TsStatus
read_token(const uint8_t *data, size_t len, size_t *pos, uint64_t *lo, uint64_t *hi)
{
	uint64_t	v = 0;
	int			shift = 0;

	for (;;)
	{
		uint8_t		byte;

		if (*pos >= len)
			return TS_ERR_TRUNCATED;
		byte = data[(*pos)++];
		if (shift == 63)
		{
			/* tenth byte: bits 63 and 64 only, last byte, not zero */
			if (byte == 0 || byte > 3)
				return TS_ERR_CORRUPT;
			*lo = v | ((uint64_t) (byte & 1) << 63);
			*hi = byte >> 1;
			return TS_OK;
		}
		v |= (uint64_t) (byte & 0x7f) << shift;
		if ((byte & 0x80) == 0)
		{
			if (byte == 0 && shift > 0)
				return TS_ERR_CORRUPT;	/* overlong */
			*lo = v;
			*hi = 0;
			return TS_OK;
		}
		shift += 7;
	}
}

static void
encode_times(const TsPoints *p, CodecBuf *out)
{
	uint64_t	prev_delta = 0;
	uint64_t	run = 0;
	uint32_t	i;

	for (i = 1; i < p->count; i++)
	{
		uint64_t	delta = (uint64_t) p->times[i] - (uint64_t) p->times[i - 1];
		uint64_t	dd = delta - prev_delta;

		prev_delta = delta;
		if (dd == 0)
		{
			run++;
			continue;
		}
		if (run > 0)
		{
			put_run(out, run);
			run = 0;
		}
		put_dd(out, dd);
	}
	if (run > 0)
		put_run(out, run);
}

static TsStatus
decode_times(const uint8_t *data, size_t len, int64_t first, TsPoints *p)
{
	size_t		pos = 0;
	uint64_t	prev_delta = 0;
	uint64_t	run = 0;
	bool		after_run = false;
	uint32_t	i;

	p->times[0] = first;
	for (i = 1; i < p->count; i++)
	{
		int64_t		t;

		if (run == 0)
		{
			uint64_t	lo;
			uint64_t	hi;
			TsStatus	st = read_token(data, len, &pos, &lo, &hi);

			if (st != TS_OK)
				return st;
			if ((lo & 1) == 0)
			{
				/* a run: non-empty, within count, never right after a run */
				if (hi != 0 || after_run)
					return TS_ERR_CORRUPT;
				run = lo >> 1;
				if (run == 0 || run > (uint64_t) (p->count - i))
					return TS_ERR_CORRUPT;
				after_run = true;
			}
			else
			{
				uint64_t	z = (lo >> 1) | (hi << 63);

				if (z == 0)
					return TS_ERR_CORRUPT;	/* dd = 0 belongs in a run */
				prev_delta += (uint64_t) zigzag_decode(z);
				after_run = false;
			}
		}
		if (run > 0)
			run--;
		t = (int64_t) ((uint64_t) p->times[i - 1] + prev_delta);
		if (t <= p->times[i - 1] || time_is_infinite(t))
			return TS_ERR_CORRUPT;
		p->times[i] = t;
	}
	if (pos != len)
		return TS_ERR_CORRUPT;	/* tokens past count, or trailing bytes */
	return TS_OK;
}

/* --------------------------------------------------------------- encoding */

static void
put_u64_at(uint8_t *p, uint64_t v)
{
	codec_store_u64(p, v);
}

static void
put_u32_at(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) v;
	p[1] = (uint8_t) (v >> 8);
	p[2] = (uint8_t) (v >> 16);
	p[3] = (uint8_t) (v >> 24);
}

static uint32_t
get_u32_at(const uint8_t *p)
{
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8) |
		((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

TsStatus
ts_encode(const TsPoints *points, size_t prefix, uint8_t **out, size_t *out_len)
{
	uint32_t	n = points->count;
	uint32_t	nulls = 0;
	uint32_t	nonnull;
	uint32_t	i;
	CodecBuf	times;
	CodecBuf	xor;
	size_t		bitmap_bytes = 0;
	size_t		raw_bytes;
	bool		use_xor;
	size_t		total;
	uint8_t    *buf;
	uint8_t    *p;

	*out = NULL;
	*out_len = 0;
	if (n > TS_MAX_POINTS)
		return TS_ERR_TOO_MANY_POINTS;
	for (i = 0; i < n; i++)
	{
		if (time_is_infinite(points->times[i]))
			return TS_ERR_INFINITE_TIME;
		if (i > 0 && points->times[i] <= points->times[i - 1])
			return TS_ERR_UNSORTED;
		if (points->isnull[i])
			nulls++;
	}
	nonnull = n - nulls;

	codec_buf_init(&times);
	codec_buf_init(&xor);
	encode_times(points, &times);
	if (nonnull > 0)
		encode_values_xor(points, &xor);
	raw_bytes = (size_t) nonnull * 8;
	use_xor = nonnull > 0 && xor.len < raw_bytes;
	if (nulls > 0)
		bitmap_bytes = ((size_t) n + 7) / 8;

	total = TS_HEADER_SIZE + bitmap_bytes + times.len + (use_xor ? xor.len : raw_bytes);
	buf = dl_alloc0(prefix + total);
	p = buf + prefix;
	p[0] = TS_FORMAT_VERSION;
	p[1] = (uint8_t) ((nulls > 0 ? TS_FLAG_HAS_NULLS : 0) | (use_xor ? TS_FLAG_VALUES_XOR : 0));
	put_u32_at(p + 4, n);
	put_u64_at(p + 8, n > 0 ? (uint64_t) points->times[0] : 0);
	put_u64_at(p + 16, n > 0 ? (uint64_t) points->times[n - 1] : 0);
	put_u32_at(p + 24, (uint32_t) times.len);
	p += TS_HEADER_SIZE;
	if (nulls > 0)
	{
		for (i = 0; i < n; i++)
			if (points->isnull[i])
				p[i >> 3] |= (uint8_t) (1U << (i & 7));
		p += bitmap_bytes;
	}
	if (times.len > 0)
		memcpy(p, times.data, times.len);
	p += times.len;
	if (use_xor)
		memcpy(p, xor.data, xor.len);
	else
	{
		for (i = 0; i < n; i++)
		{
			if (points->isnull[i])
				continue;
			put_u64_at(p, double_bits(points->values[i]));
			p += 8;
		}
	}
	codec_buf_free(&times);
	codec_buf_free(&xor);
	*out = buf;
	*out_len = prefix + total;
	return TS_OK;
}

TsStatus
ts_read_header(const uint8_t *buf, size_t len, TsHeader *h)
{
	memset(h, 0, sizeof(*h));
	if (len < TS_HEADER_SIZE)
		return TS_ERR_TRUNCATED;
	h->version = buf[0];
	if (h->version != TS_FORMAT_VERSION)
		return TS_ERR_VERSION;
	h->flags = buf[1];
	if ((h->flags & ~(TS_FLAG_HAS_NULLS | TS_FLAG_VALUES_XOR)) != 0 || buf[2] != 0 || buf[3] != 0)
		return TS_ERR_CORRUPT;
	h->count = get_u32_at(buf + 4);
	h->first_time = (int64_t) codec_load_u64(buf + 8);
	h->last_time = (int64_t) codec_load_u64(buf + 16);
	h->time_bytes = get_u32_at(buf + 24);
	if (h->count > TS_MAX_POINTS)
		return TS_ERR_TOO_MANY_POINTS;
	if (h->count == 0)
	{
		if (h->flags != 0 || h->first_time != 0 || h->last_time != 0 || h->time_bytes != 0)
			return TS_ERR_CORRUPT;
		return TS_OK;
	}
	if (time_is_infinite(h->first_time) || time_is_infinite(h->last_time))
		return TS_ERR_INFINITE_TIME;
	if (h->count == 1 ? (h->first_time != h->last_time || h->time_bytes != 0)
		: (h->first_time >= h->last_time || h->time_bytes == 0))
		return TS_ERR_CORRUPT;
	if ((size_t) h->time_bytes > len - TS_HEADER_SIZE)
		return TS_ERR_TRUNCATED;

	/*
	 * Every point costs at least one bit of NULL bitmap or value stream
	 * (raw: 64 bits, XOR: 64 bits then at least one per value, bitmap: one
	 * per point), so count is bounded by the bytes after the time stream.
	 * This is what keeps a hostile count from causing a large allocation.
	 */
	if ((uint64_t) h->count > (uint64_t) (len - TS_HEADER_SIZE - h->time_bytes) * 8)
		return TS_ERR_TRUNCATED;
	return TS_OK;
}

TsStatus
ts_decode(const uint8_t *buf, size_t len, TsPoints *out)
{
	TsHeader	h;
	TsStatus	st;
	size_t		pos = TS_HEADER_SIZE;
	size_t		bitmap_bytes = 0;
	uint32_t	nulls = 0;
	uint32_t	nonnull;
	const uint8_t *bitmap = NULL;
	const uint8_t *values;
	size_t		value_bytes;
	uint32_t	i;

	memset(out, 0, sizeof(*out));
	st = ts_read_header(buf, len, &h);
	if (st != TS_OK)
		return st;
	if (h.count == 0)
		return len == TS_HEADER_SIZE ? TS_OK : TS_ERR_CORRUPT;

	if (h.flags & TS_FLAG_HAS_NULLS)
	{
		bitmap_bytes = ((size_t) h.count + 7) / 8;
		if (bitmap_bytes > len - pos)
			return TS_ERR_TRUNCATED;
		bitmap = buf + pos;
		pos += bitmap_bytes;
		for (i = 0; i < bitmap_bytes; i++)
			nulls += (uint32_t) __builtin_popcount(bitmap[i]);
		if ((h.count & 7) != 0 && (bitmap[bitmap_bytes - 1] >> (h.count & 7)) != 0)
			return TS_ERR_CORRUPT;
		if (nulls == 0)
			return TS_ERR_CORRUPT;	/* the bitmap is only written when needed */
	}
	nonnull = h.count - nulls;
	if (h.time_bytes > len - pos)
		return TS_ERR_TRUNCATED;
	values = buf + pos + h.time_bytes;
	value_bytes = len - pos - h.time_bytes;

	/* the value stream must be able to hold nonnull values before we allocate */
	if (nonnull == 0)
	{
		if (value_bytes != 0 || (h.flags & TS_FLAG_VALUES_XOR))
			return TS_ERR_CORRUPT;
	}
	else if (h.flags & TS_FLAG_VALUES_XOR)
	{
		if ((uint64_t) value_bytes * 8 < 64 + (uint64_t) (nonnull - 1))
			return TS_ERR_TRUNCATED;
	}
	else if (value_bytes != (size_t) nonnull * 8)
		return value_bytes < (size_t) nonnull * 8 ? TS_ERR_TRUNCATED : TS_ERR_CORRUPT;

	ts_points_alloc(out, h.count);
	if (bitmap)
		for (i = 0; i < h.count; i++)
			out->isnull[i] = (bitmap[i >> 3] >> (i & 7)) & 1;

	st = decode_times(buf + pos, h.time_bytes, h.first_time, out);
	if (st == TS_OK && out->times[h.count - 1] != h.last_time)
		st = TS_ERR_CORRUPT;
	if (st != TS_OK)
	{
		ts_points_free(out);
		return st;
	}

	if (h.flags & TS_FLAG_VALUES_XOR)
	{
		if (!decode_values_xor(values, value_bytes, out))
		{
			ts_points_free(out);
			return TS_ERR_CORRUPT;
		}
		for (i = 0; i < h.count; i++)
			if (out->isnull[i])
				out->values[i] = 0.0;
	}
	else
	{
		const uint8_t *v = values;

		for (i = 0; i < h.count; i++)
		{
			if (out->isnull[i])
				out->values[i] = 0.0;
			else
			{
				out->values[i] = bits_double(codec_load_u64(v));
				v += 8;
			}
		}
	}
	return TS_OK;
}

/* ------------------------------------------------------------- resampling */

TsStatus
ts_resample(const TsPoints *points, int64_t start, int64_t end, int64_t step,
			TsFill fill, uint32_t max_points, TsPoints *out)
{
	uint64_t	ngrid;
	uint32_t	n = points->count;
	uint32_t	i = 0;
	uint32_t	next = 0;		/* first non-NULL point at or after the grid time */
	int64_t		last_nn = -1;	/* last non-NULL point before the grid time */
	uint32_t	k;

	memset(out, 0, sizeof(*out));
	if (step <= 0 || start > end || time_is_infinite(start) || time_is_infinite(end))
		return TS_ERR_BAD_ARGUMENT;
	if (fill != TS_FILL_NULL && fill != TS_FILL_LOCF && fill != TS_FILL_LINEAR)
		return TS_ERR_BAD_ARGUMENT;
	ngrid = ((uint64_t) end - (uint64_t) start) / (uint64_t) step + 1;
	if (ngrid > max_points || ngrid > TS_MAX_POINTS)
		return TS_ERR_TOO_MANY_POINTS;

	ts_points_alloc(out, (uint32_t) ngrid);
	for (k = 0; k < ngrid; k++)
	{
		int64_t		g = (int64_t) ((uint64_t) start + (uint64_t) k * (uint64_t) step);
		bool		exact;
		bool		isnull = true;
		double		value = 0.0;

		while (i < n && points->times[i] < g)
		{
			if (!points->isnull[i])
				last_nn = i;
			i++;
		}
		exact = i < n && points->times[i] == g;

		if (fill == TS_FILL_NULL)
		{
			if (exact && !points->isnull[i])
			{
				value = points->values[i];
				isnull = false;
			}
		}
		else if (exact && !points->isnull[i])
		{
			value = points->values[i];
			isnull = false;
		}
		else if (fill == TS_FILL_LOCF)
		{
			if (last_nn >= 0)
			{
				value = points->values[last_nn];
				isnull = false;
			}
		}
		else
		{
			if (next < i)
				next = i;
			while (next < n && points->isnull[next])
				next++;
			if (last_nn >= 0 && next < n)
			{
				int64_t		t0 = points->times[last_nn];
				int64_t		t1 = points->times[next];
				double		v0 = points->values[last_nn];
				double		v1 = points->values[next];
				double		frac = (double) ((uint64_t) g - (uint64_t) t0) /
					(double) ((uint64_t) t1 - (uint64_t) t0);

				value = v0 + (v1 - v0) * frac;
				isnull = false;
			}
		}
		out->times[k] = g;
		out->values[k] = value;
		out->isnull[k] = isnull;
	}
	return TS_OK;
}
