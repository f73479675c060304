/*
 * codec_xor.h
 *		Full-precision floats: each value XORed with the one before and the
 *		meaningful bits kept (Gorilla, Pelkonen et al., VLDB 2015).
 */
#ifndef DATALAYER_CODEC_XOR_H
#define DATALAYER_CODEC_XOR_H

#include "storage/codec.h"

/* the table entry (CODEC_XOR) */
extern CodecStatus codec_xor_encode(const CodecColumn *dense, CodecBuf *out);
extern CodecStatus codec_xor_decode(const uint8_t *payload, size_t len, CodecColumn *dense);

#endif							/* DATALAYER_CODEC_XOR_H */
