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

#endif							/* DATALAYER_CODEC_ALP_H */
