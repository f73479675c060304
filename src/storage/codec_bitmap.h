/*
 * codec_bitmap.h
 *		Booleans and NULL bitmaps: a constant, a plain bitmap, or run
 *		lengths, whichever is smallest.
 */
#ifndef DATALAYER_CODEC_BITMAP_H
#define DATALAYER_CODEC_BITMAP_H

#include "storage/codec.h"

/* the table entry (CODEC_BITMAP) over dense booleans */
extern CodecStatus codec_bitmap_encode(const CodecColumn *dense, CodecBuf *out);
extern CodecStatus codec_bitmap_decode(const uint8_t *payload, size_t len, CodecColumn *dense);

/* the same format for any 0/1 flags, e.g. a column's NULL flags */
extern void codec_bitmap_put_flags(const uint8_t *flags, uint32_t n, CodecBuf *out);
extern CodecStatus codec_bitmap_get_flags(CodecReader *reader, uint32_t n, uint8_t *flags);

#endif							/* DATALAYER_CODEC_BITMAP_H */
