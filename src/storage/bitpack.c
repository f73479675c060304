/*
 * bitpack.c
 *		Fixed-width bit packing (see bitpack.h).
 *
 * Packing keeps a 64-bit accumulator and spills whole words; unpacking
 * reads each value with one unaligned 64-bit load (two when a value wider
 * than 56 bits straddles nine bytes), in a check-free loop for the values
 * whose load ends inside the input, falling back to byte loads only for
 * the last few values so it never reads past in_len.
 */
#include "util/portable.h"

#include <string.h>

#include "storage/bitpack.h"
#include "storage/codec_buf.h"

void
bitpack_pack(const uint64_t *values, uint32_t n, int width, uint8_t *out)
{
	uint64_t	acc = 0;
	int			used = 0;		/* bits of acc already filled */
	uint32_t	i;
	size_t		pos = 0;
	size_t		tail;

	if (width == 0)
		return;
	for (i = 0; i < n; i++)
	{
		uint64_t	v = values[i];

		acc |= v << used;
		if (used + width >= 64)
		{
			codec_store_u64(out + pos, acc);
			pos += 8;
			/* the high bits of v that did not fit in the word just written */
			acc = used ? v >> (64 - used) : 0;
			used = used + width - 64;
		}
		else
			used += width;
	}
	tail = (size_t) (used + 7) / 8;
	for (i = 0; i < tail; i++)
		out[pos + i] = (uint8_t) (acc >> (8 * i));
}

/*
 * The bits from bit on (at least width of them, unmasked), loading byte by
 * byte near the end of the input so nothing past in_len is read.
 */
static inline uint64_t
unpack_at(const uint8_t *in, size_t in_len, uint64_t bit, int width)
{
	size_t		byte = (size_t) (bit >> 3);
	int			shift = (int) (bit & 7);
	uint64_t	word;

	if (byte + 8 <= in_len)
		word = codec_load_u64(in + byte);
	else
	{
		size_t		k;

		word = 0;
		for (k = 0; byte + k < in_len; k++)
			word |= (uint64_t) in[byte + k] << (8 * k);
	}
	word >>= shift;
	/* a value that ends beyond the 8 bytes loaded: its ninth byte exists */
	if (shift + width > 64)
		word |= (uint64_t) in[byte + 8] << (64 - shift);
	return word;
}

void
bitpack_unpack(const uint8_t *in, size_t in_len, uint32_t n, int width, uint64_t *values)
{
	uint64_t	mask = width == 64 ? ~(uint64_t) 0 : (((uint64_t) 1 << width) - 1);
	uint64_t	bit = 0;
	uint32_t	i;

	if (width == 0)
	{
		memset(values, 0, sizeof(uint64_t) * n);
		return;
	}
	i = 0;
	if (width <= 56 && in_len >= 8)
	{
		/*
		 * The values whose 8-byte load ends inside the input, in a loop
		 * without the checks below: a value of at most 56 bits never
		 * reaches a ninth byte.  Value i starts at bit i * width, and its
		 * load fits while (i * width) / 8 <= in_len - 8.
		 */
		uint64_t	last = ((uint64_t) (in_len - 8) * 8 + 7) / (uint64_t) width;
		uint32_t	fast = last + 1 < (uint64_t) n ? (uint32_t) (last + 1) : n;

		for (; i < fast; i++, bit += (uint64_t) width)
			values[i] = (codec_load_u64(in + (bit >> 3)) >> (bit & 7)) & mask;
	}
	for (; i < n; i++, bit += (uint64_t) width)
		values[i] = unpack_at(in, in_len, bit, width) & mask;
}

uint64_t
bitpack_get(const uint8_t *in, size_t in_len, uint32_t i, int width)
{
	uint64_t	mask = width == 64 ? ~(uint64_t) 0 : (((uint64_t) 1 << width) - 1);

	if (width == 0)
		return 0;
	return unpack_at(in, in_len, (uint64_t) i * (uint64_t) width, width) & mask;
}
