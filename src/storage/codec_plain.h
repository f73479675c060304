/*
 * codec_plain.h
 *		Byte strings stored as they are: their lengths, then their bytes.
 */
#ifndef DATALAYER_CODEC_PLAIN_H
#define DATALAYER_CODEC_PLAIN_H

#include "storage/codec.h"

/* the table entry (CODEC_PLAIN) */
extern CodecStatus codec_plain_encode(const CodecColumn *dense, CodecBuf *out);
extern CodecStatus codec_plain_decode(const uint8_t *payload, size_t len, CodecColumn *dense);

/*
 * n strings as the integer stream of their lengths then their bytes; get
 * checks the lengths against what the reader holds, and returns the bytes
 * in place (no copy) with the offset of each string from *bytes.
 */
extern void codec_plain_put_strings(const uint8_t *data, const uint32_t *offsets,
									const uint32_t *lengths, uint32_t n, CodecBuf *out);
extern CodecStatus codec_plain_get_strings(CodecReader *reader, uint32_t n,
										   const uint8_t **bytes, size_t *total,
										   uint32_t *offsets, uint32_t *lengths);

#endif							/* DATALAYER_CODEC_PLAIN_H */
