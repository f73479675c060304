/*
 * columnar_meta_format.c
 *		Encoding and decoding a row group's column_meta.
 *
 * "DLRG", a version byte, the number of columns (u16), then per column a
 * flag byte (1 = present, 2 = has min/max), the encoding id, offset (u64),
 * stored and raw length and NULL count (u32 each), min and max (8 bytes
 * each, zero without flag 2), and a trailing checksum (u32) of everything
 * before it.  Integers are little-endian (codec_buf.h).  The decoder trusts
 * nothing: every read is bounds-checked, every column must lie inside the
 * row group's data and have no more NULLs than rows, and the status names
 * what is wrong (the caller reports it as data_corrupted).
 */
#include "util/portable.h"

#include "columnar/columnar_meta_format.h"

#define META_MAGIC		0x47524C44	/* "DLRG" */
#define META_VERSION	2
#define META_PRESENT	1
#define META_MINMAX		2
#define META_HEADER_SIZE 7
#define META_COLUMN_SIZE 46

size_t
columnar_meta_format_size(int natts)
{
	return META_HEADER_SIZE + (size_t) natts * META_COLUMN_SIZE + 4;
}

void
columnar_meta_encode(CodecBuf *buf, int natts, const ColumnarMetaColumn *columns,
					 ColumnarMetaChecksum checksum)
{
	size_t		start = buf->len;
	int			i;

	codec_buf_put_u32(buf, META_MAGIC);
	codec_buf_put_u8(buf, META_VERSION);
	codec_buf_put_u8(buf, (uint8_t) (natts & 0xFF));
	codec_buf_put_u8(buf, (uint8_t) (natts >> 8));
	for (i = 0; i < natts; i++)
	{
		const ColumnarMetaColumn *c = columns ? &columns[i] : NULL;
		bool		present = c && c->present;
		bool		minmax = present && c->has_minmax;

		codec_buf_put_u8(buf, (uint8_t) ((present ? META_PRESENT : 0) | (minmax ? META_MINMAX : 0)));
		codec_buf_put_u8(buf, present ? c->encoding : 0);
		codec_buf_put_u64(buf, present ? c->offset : 0);
		codec_buf_put_u32(buf, present ? c->stored_len : 0);
		codec_buf_put_u32(buf, present ? c->raw_len : 0);
		codec_buf_put_u32(buf, present ? c->null_count : 0);
		codec_buf_put_u64(buf, present ? c->plain_len : 0);
		codec_buf_put_u64(buf, minmax ? c->min : 0);
		codec_buf_put_u64(buf, minmax ? c->max : 0);
	}
	codec_buf_put_u32(buf, checksum(buf->data + start, buf->len - start));
}

ColumnarMetaStatus
columnar_meta_decode(const uint8_t *data, size_t len, uint64_t data_length, uint32_t row_count,
					 int max_natts, ColumnarMetaChecksum checksum, int *natts_out,
					 ColumnarMetaColumn **columns_out, int *bad_column)
{
	CodecReader reader;
	uint32_t	magic,
				stored_sum;
	uint8_t		version,
				lo,
				hi;
	int			natts,
				i;
	ColumnarMetaColumn *columns;

	*natts_out = 0;
	*columns_out = NULL;
	*bad_column = 0;
	if (len < META_HEADER_SIZE + 4)
		return COLUMNAR_META_TRUNCATED;
	codec_reader_init(&reader, data + len - 4, 4);
	if (!codec_read_u32(&reader, &stored_sum) || stored_sum != checksum(data, len - 4))
		return COLUMNAR_META_CHECKSUM;
	codec_reader_init(&reader, data, len - 4);
	if (!codec_read_u32(&reader, &magic) || magic != META_MAGIC ||
		!codec_read_u8(&reader, &version) || version != META_VERSION ||
		!codec_read_u8(&reader, &lo) || !codec_read_u8(&reader, &hi))
		return COLUMNAR_META_HEADER;
	natts = lo | (hi << 8);
	if (natts > max_natts)
		return COLUMNAR_META_TOO_MANY_COLUMNS;
	/* the entry must hold exactly natts columns before any allocation */
	if (len != columnar_meta_format_size(natts))
		return len < columnar_meta_format_size(natts) ? COLUMNAR_META_COLUMN_TRUNCATED
			: COLUMNAR_META_TRAILING;
	columns = dl_alloc0(sizeof(ColumnarMetaColumn) * (natts > 0 ? natts : 1));
	for (i = 0; i < natts; i++)
	{
		ColumnarMetaColumn *c = &columns[i];
		uint8_t		flags;
		ColumnarMetaStatus status = COLUMNAR_META_OK;

		*bad_column = i + 1;
		if (!codec_read_u8(&reader, &flags) || !codec_read_u8(&reader, &c->encoding) ||
			!codec_read_u64(&reader, &c->offset) || !codec_read_u32(&reader, &c->stored_len) ||
			!codec_read_u32(&reader, &c->raw_len) || !codec_read_u32(&reader, &c->null_count) ||
			!codec_read_u64(&reader, &c->plain_len) || !codec_read_u64(&reader, &c->min) || !codec_read_u64(&reader, &c->max))
			status = COLUMNAR_META_COLUMN_TRUNCATED;
		else if ((flags & ~(META_PRESENT | META_MINMAX)) != 0)
			status = COLUMNAR_META_FLAGS;
		else
		{
			c->present = (flags & META_PRESENT) != 0;
			c->has_minmax = c->present && (flags & META_MINMAX) != 0;
			if (c->present && (c->offset > data_length || c->stored_len > data_length - c->offset))
				status = COLUMNAR_META_OUTSIDE_DATA;
			else if (c->present && c->null_count > row_count)
				status = COLUMNAR_META_TOO_MANY_NULLS;
		}
		if (status != COLUMNAR_META_OK)
		{
			dl_free(columns);
			return status;
		}
	}
	*bad_column = 0;
	if (codec_reader_remaining(&reader) != 0)
	{
		dl_free(columns);
		return COLUMNAR_META_TRAILING;
	}
	*natts_out = natts;
	*columns_out = columns;
	return COLUMNAR_META_OK;
}

const char *
columnar_meta_status_message(ColumnarMetaStatus status)
{
	switch (status)
	{
		case COLUMNAR_META_OK:
			return "ok";
		case COLUMNAR_META_TRUNCATED:
			return "The entry is truncated.";
		case COLUMNAR_META_CHECKSUM:
			return "The entry's checksum does not match.";
		case COLUMNAR_META_HEADER:
			return "The entry does not start with a known header.";
		case COLUMNAR_META_TOO_MANY_COLUMNS:
			return "The entry lists more columns than a table can have.";
		case COLUMNAR_META_FLAGS:
			return "A column entry has unknown flags.";
		case COLUMNAR_META_COLUMN_TRUNCATED:
			return "A column entry is truncated.";
		case COLUMNAR_META_OUTSIDE_DATA:
			return "A column lies outside the row group's data.";
		case COLUMNAR_META_TOO_MANY_NULLS:
			return "A column has more NULLs than rows.";
		case COLUMNAR_META_TRAILING:
			return "The entry has trailing bytes.";
	}
	return "unknown status";
}
