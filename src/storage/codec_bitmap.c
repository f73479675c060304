/*
 * codec_bitmap.c
 *		Booleans and NULL bitmaps.
 *
 * One mode byte, then: nothing for all-false (0) or all-true (1); a plain
 * bitmap, bit i of byte i / 8, for mode 2; for mode 3 the first flag as a
 * byte, the number of runs and each run's length as varints, flags
 * alternating from one run to the next.  The writer computes the size of
 * the plain and run forms and keeps the smaller, so a sparse NULL bitmap
 * costs a few bytes and a random one never more than n / 8 + 1.
 */
#include "util/portable.h"

#include <string.h>

#include "storage/codec_bitmap.h"

enum
{
	BITMAP_ALL_FALSE = 0,
	BITMAP_ALL_TRUE = 1,
	BITMAP_PLAIN = 2,
	BITMAP_RUNS = 3
};

static size_t
varint_size(uint64_t v)
{
	size_t		size = 1;

	while (v >= 0x80)
	{
		v >>= 7;
		size++;
	}
	return size;
}

void
codec_bitmap_put_flags(const uint8_t *flags, uint32_t n, CodecBuf *out)
{
	size_t		runs = 0;
	size_t		runs_size = 0;
	size_t		plain_size = ((size_t) n + 7) / 8;
	uint32_t	i,
				start;

	for (start = 0; start < n; start = i)
	{
		for (i = start + 1; i < n && (flags[i] != 0) == (flags[start] != 0); i++)
			;
		runs++;
		runs_size += varint_size(i - start);
	}
	if (runs <= 1)
	{
		codec_buf_put_u8(out, n > 0 && flags[0] ? BITMAP_ALL_TRUE : BITMAP_ALL_FALSE);
		return;
	}
	runs_size += 1 + varint_size(runs);
	if (runs_size < plain_size)
	{
		codec_buf_put_u8(out, BITMAP_RUNS);
		codec_buf_put_u8(out, flags[0] ? 1 : 0);
		codec_buf_put_varint(out, runs);
		for (start = 0; start < n; start = i)
		{
			for (i = start + 1; i < n && (flags[i] != 0) == (flags[start] != 0); i++)
				;
			codec_buf_put_varint(out, i - start);
		}
	}
	else
	{
		uint8_t    *p;

		codec_buf_put_u8(out, BITMAP_PLAIN);
		codec_buf_reserve(out, plain_size);
		p = out->data + out->len;
		memset(p, 0, plain_size);
		for (i = 0; i < n; i++)
			p[i >> 3] |= (uint8_t) ((flags[i] != 0) << (i & 7));
		out->len += plain_size;
	}
}

CodecStatus
codec_bitmap_get_flags(CodecReader *reader, uint32_t n, uint8_t *flags)
{
	uint8_t		mode;
	uint32_t	i;

	if (!codec_read_u8(reader, &mode))
		return CODEC_ERR_TRUNCATED;
	switch (mode)
	{
		case BITMAP_ALL_FALSE:
		case BITMAP_ALL_TRUE:
			memset(flags, mode, n);
			return CODEC_OK;
		case BITMAP_PLAIN:
			{
				const uint8_t *p = codec_read_bytes(reader, ((size_t) n + 7) / 8);

				if (p == NULL)
					return CODEC_ERR_TRUNCATED;
				for (i = 0; i < n; i++)
					flags[i] = (p[i >> 3] >> (i & 7)) & 1;
				return CODEC_OK;
			}
		case BITMAP_RUNS:
			{
				uint8_t		value;
				uint64_t	runs,
							run,
							r;
				uint64_t	filled = 0;

				if (!codec_read_u8(reader, &value) || !codec_read_varint(reader, &runs))
					return CODEC_ERR_TRUNCATED;
				if (value > 1 || runs > n)
					return CODEC_ERR_CORRUPT;
				for (r = 0; r < runs; r++)
				{
					if (!codec_read_varint(reader, &run))
						return CODEC_ERR_TRUNCATED;
					if (run == 0 || run > n - filled)
						return CODEC_ERR_CORRUPT;
					memset(flags + filled, value, (size_t) run);
					filled += run;
					value ^= 1;
				}
				if (filled != n)
					return CODEC_ERR_CORRUPT;
				return CODEC_OK;
			}
	}
	return CODEC_ERR_CORRUPT;
}

CodecStatus
codec_bitmap_encode(const CodecColumn *dense, CodecBuf *out)
{
	codec_bitmap_put_flags(dense->bools, dense->count, out);
	return CODEC_OK;
}

CodecStatus
codec_bitmap_decode(const uint8_t *payload, size_t len, CodecColumn *dense)
{
	CodecReader r;
	CodecStatus status;

	codec_reader_init(&r, payload, len);
	status = codec_bitmap_get_flags(&r, dense->count, dense->bools);
	if (status == CODEC_OK && r.pos != len)
		status = CODEC_ERR_CORRUPT;
	return status;
}
