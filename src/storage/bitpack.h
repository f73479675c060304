/*
 * bitpack.h
 *		Fixed-width bit packing of unsigned 64-bit integers, zig-zag
 *		mapping and bit-width helpers: the building blocks of the integer
 *		and floating-point column encodings.
 *
 * Values are packed least significant bit first into a little-endian byte
 * stream, so n values of width w take exactly ceil(n * w / 8) bytes and a
 * block of packed values can be located without decoding the ones before.
 */
#ifndef DATALAYER_BITPACK_H
#define DATALAYER_BITPACK_H

#include "util/portable.h"

/* bytes taken by n values of width bits */
static inline size_t
bitpack_size(uint32_t n, int width)
{
	return ((uint64_t) n * (uint64_t) width + 7) / 8;
}

/* smallest width that holds v (0 for 0) */
static inline int
bit_width(uint64_t v)
{
	return v == 0 ? 0 : 64 - __builtin_clzll(v);
}

/* maps small negative and positive integers to small unsigned ones */
static inline uint64_t
zigzag_encode(int64_t v)
{
	return ((uint64_t) v << 1) ^ (0 - ((uint64_t) v >> 63));
}

static inline int64_t
zigzag_decode(uint64_t u)
{
	return (int64_t) ((u >> 1) ^ (0 - (u & 1)));
}

/*
 * Packs values[0..n), each < 2^width (0 <= width <= 64), into out, which
 * must hold bitpack_size(n, width) bytes.
 */
extern void bitpack_pack(const uint64_t *values, uint32_t n, int width, uint8_t *out);

/*
 * Unpacks n values of width bits from in, whose length in_len the caller
 * has checked to be at least bitpack_size(n, width).
 */
extern void bitpack_unpack(const uint8_t *in, size_t in_len, uint32_t n, int width,
						   uint64_t *values);

/* value i alone, from input of at least bitpack_size(i + 1, width) bytes */
extern uint64_t bitpack_get(const uint8_t *in, size_t in_len, uint32_t i, int width);

#endif							/* DATALAYER_BITPACK_H */
