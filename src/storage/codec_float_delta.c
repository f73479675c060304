/*
 * codec_float_delta.c
 *		Full-precision floats whose neighbours are close in value: a random
 *		walk, a slowly moving gauge, a counter kept in a double.
 *
 * Flipping all bits of a negative double and only the sign bit of a
 * positive one gives an unsigned integer in the doubles' numeric order, so
 * the difference of two near values is a small integer (about the step
 * divided by the unit in the last place), even across zero or a power of
 * two.  The integer stream (codec_delta.h) then stores the differences
 * bit-packed per block of 128.  Where XOR (Gorilla) pays for the bits
 * below the step plus a header per value, this pays only for the bits the
 * step really has: about 6.1 bytes a value instead of 7.1 on the TSBS
 * full-precision walks.  Every bit pattern maps one to one, so NaN
 * payloads, -0.0, infinities and denormals come back exactly.
 *
 * Payload: the integer stream of the n mapped values.
 */
#include "util/portable.h"

#include <string.h>

#include "storage/codec_delta.h"
#include "storage/codec_float_delta.h"

#define SIGN_BIT ((uint64_t) 1 << 63)

static inline int64_t
ordered_from_double(double d)
{
	uint64_t	u;

	memcpy(&u, &d, 8);
	return (int64_t) ((u & SIGN_BIT) ? ~u : (u | SIGN_BIT));
}

CodecStatus
codec_float_delta_encode(const CodecColumn *dense, CodecBuf *out)
{
	uint32_t	n = dense->count;
	int64_t    *keys = dl_alloc(sizeof(int64_t) * (n ? n : 1));
	uint32_t	i;

	for (i = 0; i < n; i++)
		keys[i] = ordered_from_double(dense->floats[i]);
	codec_delta_put_ints(keys, n, dense->period, out);
	dl_free(keys);
	return CODEC_OK;
}

CodecStatus
codec_float_delta_decode(const uint8_t *payload, size_t len, CodecColumn *dense)
{
	uint32_t	n = dense->count;
	int64_t    *keys = dl_alloc(sizeof(int64_t) * (n ? n : 1));
	CodecReader r;
	CodecStatus status;
	uint32_t	i;

	codec_reader_init(&r, payload, len);
	status = codec_delta_get_ints(&r, n, keys);
	if (status == CODEC_OK && r.pos != len)
		status = CODEC_ERR_CORRUPT;
	if (status == CODEC_OK)
	{
		for (i = 0; i < n; i++)
		{
			uint64_t	k = (uint64_t) keys[i];
			uint64_t	u = (k & SIGN_BIT) ? (k ^ SIGN_BIT) : ~k;

			memcpy(&dense->floats[i], &u, 8);
		}
	}
	dl_free(keys);
	return status;
}
