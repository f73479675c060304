/*
 * codec_xor.c
 *		Full-precision floats by XOR with the previous value (Gorilla).
 *
 * The fallback for doubles that are not short decimals, where ALP finds
 * exceptions everywhere.  The payload is one bit stream, least significant
 * bit first: the first value's 64 bits, then per value with x = bits XOR
 * previous bits:
 *   0                      x == 0
 *   1 0 <m bits>           x fits the current window of m meaningful bits
 *   1 1 <5> <6> <m bits>   new window: leading zeros (capped at 31), m - 1,
 *                          then the m bits from the lowest set bit of x
 * The window starts empty, so the first non-zero x always opens one.  The
 * stream is padded with zero bits to a whole byte.
 */
#include "util/portable.h"

#include <string.h>

#include "storage/codec_xor.h"

typedef struct BitWriter
{
	CodecBuf   *out;
	uint64_t	acc;
	int			used;
} BitWriter;

typedef struct BitReader
{
	const uint8_t *data;
	size_t		len;
	uint64_t	pos;			/* in bits */
	uint64_t	end;			/* in bits */
} BitReader;

static inline void
bits_put(BitWriter *w, uint64_t value, int nbits)
{
	if (nbits == 0)
		return;
	if (nbits < 64)
		value &= ((uint64_t) 1 << nbits) - 1;
	w->acc |= value << w->used;
	if (w->used + nbits >= 64)
	{
		codec_buf_reserve(w->out, 8);
		codec_store_u64(w->out->data + w->out->len, w->acc);
		w->out->len += 8;
		w->acc = w->used ? value >> (64 - w->used) : 0;
		w->used = w->used + nbits - 64;
	}
	else
		w->used += nbits;
}

static void
bits_flush(BitWriter *w)
{
	int			i;

	for (i = 0; i < (w->used + 7) / 8; i++)
		codec_buf_put_u8(w->out, (uint8_t) (w->acc >> (8 * i)));
	w->acc = 0;
	w->used = 0;
}

/* nbits <= 64 bits; false past the end of the stream */
static inline bool
bits_get(BitReader *r, int nbits, uint64_t *value)
{
	size_t		byte;
	int			shift;
	uint64_t	word;

	if ((uint64_t) nbits > r->end - r->pos)
		return false;
	if (nbits == 0)
	{
		*value = 0;
		return true;
	}
	byte = (size_t) (r->pos >> 3);
	shift = (int) (r->pos & 7);
	if (byte + 8 <= r->len)
		word = codec_load_u64(r->data + byte);
	else
	{
		size_t		k;

		word = 0;
		for (k = 0; byte + k < r->len; k++)
			word |= (uint64_t) r->data[byte + k] << (8 * k);
	}
	word >>= shift;
	if (shift + nbits > 64)
		word |= (uint64_t) r->data[byte + 8] << (64 - shift);
	if (nbits < 64)
		word &= ((uint64_t) 1 << nbits) - 1;
	r->pos += (uint64_t) nbits;
	*value = word;
	return true;
}

CodecStatus
codec_xor_encode(const CodecColumn *dense, CodecBuf *out)
{
	BitWriter	w;
	uint64_t	prev;
	int			window_lead = -1;	/* no window yet */
	int			window_trail = 0;
	uint32_t	i;

	w.out = out;
	w.acc = 0;
	w.used = 0;
	if (dense->count == 0)
		return CODEC_OK;
	memcpy(&prev, &dense->floats[0], 8);
	bits_put(&w, prev, 64);
	for (i = 1; i < dense->count; i++)
	{
		uint64_t	cur;
		uint64_t	x;
		int			lead,
					trail;

		memcpy(&cur, &dense->floats[i], 8);
		x = cur ^ prev;
		prev = cur;
		if (x == 0)
		{
			bits_put(&w, 0, 1);
			continue;
		}
		lead = __builtin_clzll(x);
		trail = __builtin_ctzll(x);
		if (lead > 31)
			lead = 31;
		if (window_lead >= 0 && lead >= window_lead && trail >= window_trail)
		{
			bits_put(&w, 1, 2);	/* bits 1, 0 */
			bits_put(&w, x >> window_trail, 64 - window_lead - window_trail);
		}
		else
		{
			int			meaningful = 64 - lead - trail;

			bits_put(&w, 3, 2);	/* bits 1, 1 */
			bits_put(&w, (uint64_t) lead, 5);
			bits_put(&w, (uint64_t) (meaningful - 1), 6);
			bits_put(&w, x >> trail, meaningful);
			window_lead = lead;
			window_trail = trail;
		}
	}
	bits_flush(&w);
	return CODEC_OK;
}

CodecStatus
codec_xor_decode(const uint8_t *payload, size_t len, CodecColumn *dense)
{
	BitReader	r;
	uint64_t	prev;
	int			window_lead = -1;
	int			window_trail = 0;
	uint32_t	i;

	r.data = payload;
	r.len = len;
	r.pos = 0;
	r.end = (uint64_t) len * 8;
	if (!bits_get(&r, 64, &prev))
		return CODEC_ERR_TRUNCATED;
	memcpy(&dense->floats[0], &prev, 8);
	for (i = 1; i < dense->count; i++)
	{
		uint64_t	bit,
					x;

		if (!bits_get(&r, 1, &bit))
			return CODEC_ERR_TRUNCATED;
		if (bit)
		{
			if (!bits_get(&r, 1, &bit))
				return CODEC_ERR_TRUNCATED;
			if (bit)
			{
				uint64_t	lead,
							meaningful;

				if (!bits_get(&r, 5, &lead) || !bits_get(&r, 6, &meaningful))
					return CODEC_ERR_TRUNCATED;
				meaningful += 1;
				if (lead + meaningful > 64)
					return CODEC_ERR_CORRUPT;
				window_lead = (int) lead;
				window_trail = (int) (64 - lead - meaningful);
			}
			else if (window_lead < 0)
				return CODEC_ERR_CORRUPT;
			if (!bits_get(&r, 64 - window_lead - window_trail, &x))
				return CODEC_ERR_TRUNCATED;
			prev ^= x << window_trail;
		}
		memcpy(&dense->floats[i], &prev, 8);
	}
	/* only the zero padding of the last byte may follow */
	if ((r.pos + 7) / 8 != len)
		return CODEC_ERR_CORRUPT;
	return CODEC_OK;
}
