/*
 * columnar_meta_format.h
 *		The byte format of a row group's column_meta, in plain C (no
 *		backend calls), so that its decoder can be fuzzed on its own.
 */
#ifndef DATALAYER_COLUMNAR_META_FORMAT_H
#define DATALAYER_COLUMNAR_META_FORMAT_H

#include "util/portable.h"

#include "storage/codec_buf.h"

/* one column of one row group */
typedef struct ColumnarMetaColumn
{
	bool		present;		/* false: dropped column, or added after this row group */
	bool		has_minmax;
	uint8_t		encoding;		/* CodecId */
	uint64_t	offset;			/* into the row group's data */
	uint32_t	stored_len;		/* after zstd */
	uint32_t	raw_len;		/* before zstd */
	uint32_t	null_count;
	uint64_t	plain_len;		/* the values' size as PostgreSQL stores them, unencoded */
	uint64_t	min;			/* a byval Datum's bits, when has_minmax */
	uint64_t	max;
} ColumnarMetaColumn;

typedef enum ColumnarMetaStatus
{
	COLUMNAR_META_OK = 0,
	COLUMNAR_META_TRUNCATED,
	COLUMNAR_META_CHECKSUM,
	COLUMNAR_META_HEADER,
	COLUMNAR_META_TOO_MANY_COLUMNS,
	COLUMNAR_META_FLAGS,
	COLUMNAR_META_COLUMN_TRUNCATED,
	COLUMNAR_META_OUTSIDE_DATA,
	COLUMNAR_META_TOO_MANY_NULLS,
	COLUMNAR_META_TRAILING
} ColumnarMetaStatus;

/* the checksum stored after the entries (the backend uses hash_bytes) */
typedef uint32_t (*ColumnarMetaChecksum) (const uint8_t *data, size_t len);

/* the size of an entry of natts columns: every column takes the same room */
extern size_t columnar_meta_format_size(int natts);
extern void columnar_meta_encode(CodecBuf *buf, int natts, const ColumnarMetaColumn *columns,
								 ColumnarMetaChecksum checksum);
extern ColumnarMetaStatus columnar_meta_decode(const uint8_t *data, size_t len,
											   uint64_t data_length, uint32_t row_count,
											   int max_natts, ColumnarMetaChecksum checksum,
											   int *natts, ColumnarMetaColumn **columns,
											   int *bad_column);
extern const char *columnar_meta_status_message(ColumnarMetaStatus status);

#endif							/* DATALAYER_COLUMNAR_META_FORMAT_H */
