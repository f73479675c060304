/*
 * codec_alp.h
 *		Decimal floats (ALP, Afroozeh et al., SIGMOD 2024): values that are
 *		short decimals become scaled integers, the rest are exceptions.
 */
#ifndef DATALAYER_CODEC_ALP_H
#define DATALAYER_CODEC_ALP_H

#include "storage/codec.h"

#define ALP_MAX_EXPONENT 18

/* the table entry (CODEC_ALP) */
extern CodecStatus codec_alp_encode(const CodecColumn *dense, CodecBuf *out);
extern CodecStatus codec_alp_decode(const uint8_t *payload, size_t len, CodecColumn *dense);

/* the table entry (CODEC_ALP_FLOAT4): float4 values widened to double */
extern CodecStatus codec_alp_float4_encode(const CodecColumn *dense, CodecBuf *out);
extern CodecStatus codec_alp_float4_decode(const uint8_t *payload, size_t len,
										   CodecColumn *dense);

/*
 * The payload piece by piece, for readers of single values
 * (codec_access.c): the head (exponent, factor, exception count, checked
 * against n values), then after the integer stream the exceptions'
 * positions (checked increasing and below n) and raw words, and the value
 * of a scaled integer s.
 */
extern CodecStatus codec_alp_read_head(CodecReader *r, uint32_t n, uint8_t *e, uint8_t *f,
									   uint64_t *exceptions);
extern CodecStatus codec_alp_read_exceptions(CodecReader *r, uint32_t n, uint32_t exceptions,
											 int64_t *positions, const uint8_t **raw);
extern double codec_alp_value(int64_t s, int e, int f, bool narrow);

#endif							/* DATALAYER_CODEC_ALP_H */
