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

/*
 * The stream piece by piece, for readers that want single values
 * (codec_access.c).  read_order reads the order byte (and the period, for
 * order 3) of a stream of n values.  read_item reads and checks one item,
 * patches included, of at most remaining values; item_value is the
 * transformed value at index j (< len) of a checked item, before the
 * deltas are undone.
 */
#define DELTA_ORDER_VALUES 0
#define DELTA_ORDER_PERIOD 3

typedef struct DeltaItem
{
	uint32_t	len;			/* values covered */
	bool		is_run;
	uint8_t		width;			/* block: bits per value */
	uint8_t		npatches;		/* block: patched values */
	uint64_t	base;			/* run: the value; block: the frame base */
	const uint8_t *packed;		/* block: the packed values */
	size_t		packed_size;
	const uint8_t *patches;		/* block: its patch list, or NULL */
	size_t		patches_size;
} DeltaItem;

extern CodecStatus codec_delta_read_order(CodecReader *reader, uint32_t n, uint8_t *order,
										  uint32_t *period);
extern CodecStatus codec_delta_read_item(CodecReader *reader, uint32_t remaining, DeltaItem *item);
extern uint64_t codec_delta_item_value(const DeltaItem *item, uint32_t j);

#endif							/* DATALAYER_CODEC_DELTA_H */
