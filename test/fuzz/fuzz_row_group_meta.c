/* fuzz-deps: src/columnar/columnar_meta_format.c src/storage/codec_buf.c */
/*
 * fuzz_row_group_meta.c
 *		libFuzzer harness for the decoder of a columnar row group's
 *		column_meta (the catalog entry that says where each column of a row
 *		group lies).
 *
 * Build and run: test/fuzz/run.sh [seconds]
 * The first byte picks the mode: even, the rest is an entry as stored
 * (checksum included); odd, the checksum is computed and appended, so
 * mutations reach the column entries.  The next 12 bytes are the row
 * group's data length (u64) and row count (u32) the entry is checked
 * against.  Checks: no crash or out-of-bounds access on any input; an
 * accepted entry has every present column inside the data and no more
 * NULLs than rows, and encodes again into an entry that decodes to the
 * same columns.
 */
#include "util/portable.h"

#include <stdlib.h>
#include <string.h>

#include "columnar/columnar_meta_format.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* any checksum will do here: FNV-1a */
static uint32_t
fnv1a(const uint8_t *data, size_t len)
{
	uint32_t	h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ data[i]) * 16777619u;
	return h;
}

static uint64_t
read_le(const uint8_t *p, int n)
{
	uint64_t	v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		mode;
	uint64_t	data_length;
	uint32_t	row_count;
	const uint8_t *entry;
	size_t		len;
	uint8_t    *owned = NULL;
	ColumnarMetaColumn *cols = NULL;
	ColumnarMetaColumn *again = NULL;
	int			natts,
				natts2,
				bad;
	ColumnarMetaStatus status;

	if (size < 13)
		return 0;
	mode = data[0];
	data_length = read_le(data + 1, 8);
	row_count = (uint32_t) read_le(data + 9, 4);
	entry = data + 13;
	len = size - 13;
	if (mode & 1)
	{
		uint32_t	sum = fnv1a(entry, len);

		owned = malloc(len + 4);
		if (len > 0)
			memcpy(owned, entry, len);
		for (int i = 0; i < 4; i++)
			owned[len + i] = (uint8_t) (sum >> (8 * i));
		entry = owned;
		len += 4;
	}
	status = columnar_meta_decode(entry, len, data_length, row_count, 1600, fnv1a,
								  &natts, &cols, &bad);
	if (status == COLUMNAR_META_OK)
	{
		CodecBuf	buf;

		if (natts < 0 || natts > 1600 || cols == NULL)
			abort();
		for (int i = 0; i < natts; i++)
		{
			if (!cols[i].present)
				continue;
			if (cols[i].offset > data_length || cols[i].stored_len > data_length - cols[i].offset ||
				cols[i].null_count > row_count)
				abort();
		}
		codec_buf_init(&buf);
		columnar_meta_encode(&buf, natts, cols, fnv1a);
		if (buf.len != columnar_meta_format_size(natts))
			abort();
		if (columnar_meta_decode(buf.data, buf.len, data_length, row_count, 1600, fnv1a,
								 &natts2, &again, &bad) != COLUMNAR_META_OK || natts2 != natts)
			abort();
		for (int i = 0; i < natts; i++)
		{
			const ColumnarMetaColumn *a = &cols[i];
			const ColumnarMetaColumn *b = &again[i];

			if (a->present != b->present)
				abort();
			if (a->present &&
				(a->encoding != b->encoding || a->offset != b->offset || a->stored_len != b->stored_len ||
				 a->raw_len != b->raw_len || a->null_count != b->null_count ||
				 a->plain_len != b->plain_len ||
				 a->has_minmax != b->has_minmax ||
				 (a->has_minmax && (a->min != b->min || a->max != b->max))))
				abort();
		}
		codec_buf_free(&buf);
		free(again);
	}
	else
	{
		if (cols != NULL || columnar_meta_status_message(status) == NULL)
			abort();
	}
	free(cols);
	free(owned);
	return 0;
}
