/*
 * codec_float_delta.h
 *		Full-precision floats as integers: each double's bit pattern mapped
 *		to an order-preserving integer, then the integer stream.
 */
#ifndef DATALAYER_CODEC_FLOAT_DELTA_H
#define DATALAYER_CODEC_FLOAT_DELTA_H

#include "storage/codec.h"

/* the table entry (CODEC_FLOAT_DELTA) */
extern CodecStatus codec_float_delta_encode(const CodecColumn *dense, CodecBuf *out);
extern CodecStatus codec_float_delta_decode(const uint8_t *payload, size_t len,
											CodecColumn *dense);

#endif							/* DATALAYER_CODEC_FLOAT_DELTA_H */
