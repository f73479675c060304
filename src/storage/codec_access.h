/*
 * codec_access.h
 *		Single values of an encoded column, without decoding it whole.
 *
 * An index fetch needs a few rows of a row group: one series' rows of a
 * time-major group are one row in every p.  Decoding the whole column for
 * them costs as much as a scan of the group.  For the encodings whose
 * values can be located (the integer stream at order 0, its values, or at
 * order 3, differences at period p, and ALP over such a stream), an access
 * reads the buffer's item headers once and then computes single values:
 * at order 3, value i is the sum of the stored differences at i, i - p,
 * i - 2p, ..., and the sums of the last residue class asked for are kept,
 * so the rows of one series cost one pass over its differences.
 *
 * Opening checks the buffer as fully as codec_decode() does (checksum,
 * header, every item and patch, exceptions, no trailing bytes), so values
 * read afterwards need no checks and agree with codec_decode() bit for
 * bit.  Buffers of other encodings, orders 1 and 2 (running sums), or with
 * NULLs are declined with CODEC_ERR_NOT_APPLICABLE: the caller decodes them
 * whole.
 */
#ifndef DATALAYER_CODEC_ACCESS_H
#define DATALAYER_CODEC_ACCESS_H

#include "storage/codec.h"

typedef struct CodecAccess CodecAccess;

extern CodecStatus codec_access_open(const uint8_t *buf, size_t len, CodecType expected_type,
									 uint32_t max_rows, CodecAccess **access);
/* the same without the checksum, for the fuzz harness (as codec_decode_unverified) */
extern CodecStatus codec_access_open_unverified(const uint8_t *buf, size_t len,
												CodecType expected_type, uint32_t max_rows,
												CodecAccess **access);
extern int64_t codec_access_int64(CodecAccess *access, uint32_t row);
extern double codec_access_float8(CodecAccess *access, uint32_t row);

/* the values read from the buffer so far, to compare with a whole decode's count */
extern uint64_t codec_access_work(const CodecAccess *access);
extern uint32_t codec_access_count(const CodecAccess *access);
extern void codec_access_free(CodecAccess *access);

#endif							/* DATALAYER_CODEC_ACCESS_H */
