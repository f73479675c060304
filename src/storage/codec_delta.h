/*
 * codec_delta.h
 *		Integers (int2/int4/int8, dates, timestamps): delta or
 *		delta-of-delta, zig-zag, frame-of-reference bit packing in blocks of
 *		128, and run lengths for runs of equal transformed values.
 */
#ifndef DATALAYER_CODEC_DELTA_H
#define DATALAYER_CODEC_DELTA_H

#include "storage/codec.h"

/* most values in one bit-packed block */
#define DELTA_BLOCK_SIZE 128

/* the table entry (CODEC_DELTA) */
extern CodecStatus codec_delta_encode(const CodecColumn *dense, CodecBuf *out);
extern CodecStatus codec_delta_decode(const uint8_t *payload, size_t len, CodecColumn *dense);

/*
 * The integer stream on its own, which other encodings embed for their
 * integer parts (ALP's scaled values, string lengths, dictionary codes).
 * period (0 = unknown) is CodecColumn.period.  get reads exactly n values
 * and leaves the reader after them.
 */
extern void codec_delta_put_ints(const int64_t *values, uint32_t n, uint32_t period,
								 CodecBuf *out);
extern CodecStatus codec_delta_get_ints(CodecReader *reader, uint32_t n, int64_t *values);

#endif							/* DATALAYER_CODEC_DELTA_H */
