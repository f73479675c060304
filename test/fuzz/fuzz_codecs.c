/* fuzz-deps: src/storage/bitpack.c src/storage/codec_buf.c src/storage/codec.c src/storage/codec_bitmap.c src/storage/codec_delta.c src/storage/codec_alp.c src/storage/codec_xor.c src/storage/codec_float_delta.c src/storage/codec_plain.c src/storage/codec_dict.c src/storage/codec_zstd.c src/storage/codec_access.c */
/* fuzz-libs: -lzstd */
/*
 * fuzz_codecs.c
 *		libFuzzer harness for every column decoder and the zstd stage.
 *
 * Build and run: test/fuzz/run.sh [seconds]   (clang -fsanitize=fuzzer,address,undefined -lzstd)
 * The first byte picks how the rest is used: 0 a whole codec buffer, as
 * stored; 1 a header built from the next bytes (encoding, row and NULL
 * counts) with the checksum filled in, so mutations reach the payload
 * decoders; 2 a zstd frame whose content is then a whole codec buffer.
 * Checks: no crash, leak or out-of-bounds access on any input; whatever
 * decodes re-encodes, with its own encoding and with the automatic
 * choice, into buffers that decode to the same values bit for bit; single
 * values (codec_access.h) open only what decodes, and then give every
 * row's decoded value, whichever order the rows are asked in.
 */
#include "util/portable.h"

#include <string.h>

#include "storage/codec.h"
#include "storage/codec_access.h"
#include "storage/codec_zstd.h"

#define FUZZ_MAX_ROWS 65536

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
same_column(const CodecColumn *a, const CodecColumn *b)
{
	uint32_t	i;

	if (a->count != b->count || a->null_count != b->null_count || a->type != b->type)
		return false;
	for (i = 0; i < a->count; i++)
	{
		bool		a_null = a->nulls && a->nulls[i];
		bool		b_null = b->nulls && b->nulls[i];

		if (a_null != b_null)
			return false;
		if (a_null)
			continue;
		switch (a->type)
		{
			case CODEC_TYPE_INT64:
				if (a->ints[i] != b->ints[i])
					return false;
				break;
			case CODEC_TYPE_FLOAT8:
				if (memcmp(&a->floats[i], &b->floats[i], 8) != 0)
					return false;
				break;
			case CODEC_TYPE_BOOL:
				if (a->bools[i] != b->bools[i])
					return false;
				break;
			case CODEC_TYPE_BYTES:
				if (a->lengths[i] != b->lengths[i] ||
					(a->lengths[i] > 0 &&
					 memcmp(a->data + a->offsets[i], b->data + b->offsets[i], a->lengths[i]) != 0))
					return false;
				break;
		}
	}
	return true;
}

/* re-encode a decoded column with id and check it decodes the same */
static void
re_encode(const CodecColumn *column, CodecId id)
{
	uint8_t    *buf;
	size_t		len;
	CodecColumn again;
	CodecStatus status = codec_encode_column(column, id, &buf, &len);

	/* alp_float4 declines columns that are not widened float4 values */
	if (status == CODEC_ERR_NOT_APPLICABLE && id == CODEC_ALP_FLOAT4)
		return;
	if (status != CODEC_OK)
		__builtin_trap();
	if (codec_decode(buf, len, column->type, column->count, &again) != CODEC_OK)
		__builtin_trap();
	if (!same_column(column, &again))
		__builtin_trap();
	codec_column_free(&again);
	dl_free(buf);
}

static uint64_t
value_bits(CodecAccess *a, const CodecColumn *column, uint32_t row, uint64_t *decoded)
{
	uint64_t	u;

	if (column->type == CODEC_TYPE_INT64)
	{
		*decoded = (uint64_t) column->ints[row];
		return (uint64_t) codec_access_int64(a, row);
	}
	memcpy(decoded, &column->floats[row], 8);
	{
		double		d = codec_access_float8(a, row);

		memcpy(&u, &d, 8);
	}
	return u;
}

/* column: what buf decoded to, or NULL when it did not decode */
static void
check_access(const uint8_t *buf, size_t len, CodecType type, bool verify, const CodecColumn *column)
{
	CodecAccess *a;
	CodecStatus status;
	uint32_t	i,
				stride;
	uint64_t	expected;

	status = verify ? codec_access_open(buf, len, type, FUZZ_MAX_ROWS, &a)
		: codec_access_open_unverified(buf, len, type, FUZZ_MAX_ROWS, &a);
	if (status != CODEC_OK)
	{
		if (a != NULL || (column != NULL && status != CODEC_ERR_NOT_APPLICABLE))
			__builtin_trap();
		return;
	}
	if (column == NULL || codec_access_count(a) != column->count)
		__builtin_trap();
	/* in order, then by residues of a stride taken from the data */
	for (i = 0; i < column->count; i++)
		if (value_bits(a, column, i, &expected) != expected)
			__builtin_trap();
	stride = 2 + (len > 24 ? buf[len - 1] : 0);
	for (i = 0; i < column->count; i++)
	{
		uint32_t	per = (column->count + stride - 1) / stride;
		uint32_t	row = (i % per) * stride + i / per;

		if (row < column->count && value_bits(a, column, row, &expected) != expected)
			__builtin_trap();
	}
	codec_access_free(a);
}

static void
decode_whole(const uint8_t *buf, size_t len, bool verify)
{
	CodecHeader header;
	CodecColumn column;
	CodecStatus status;

	if (codec_read_header(buf, len, &header) != CODEC_OK)
		return;
	status = verify ? codec_decode(buf, len, header.type, FUZZ_MAX_ROWS, &column)
		: codec_decode_unverified(buf, len, header.type, FUZZ_MAX_ROWS, &column);
	if (status != CODEC_OK)
	{
		/* a failed decode leaves nothing allocated */
		if (column.ints || column.floats || column.bools || column.offsets || column.data)
			__builtin_trap();
		check_access(buf, len, header.type, verify, NULL);
		return;
	}
	check_access(buf, len, header.type, verify, &column);
	re_encode(&column, header.encoding);
	re_encode(&column, CODEC_AUTO);
	/* and with a period hint, which makes the writer try order 3 */
	column.period = column.count / 3;
	re_encode(&column, header.encoding);
	codec_column_free(&column);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const CodecId ids[] = {CODEC_BITMAP, CODEC_DELTA, CODEC_ALP, CODEC_XOR,
	CODEC_DICT, CODEC_PLAIN, CODEC_FLOAT_DELTA, CODEC_ALP_FLOAT4};

	if (size < 1)
		return 0;
	switch (data[0] % 3)
	{
		case 0:
			decode_whole(data + 1, size - 1, false);
			break;
		case 1:
			{
				const CodecEncoding *e;
				uint8_t    *buf;
				uint32_t	count,
							null_count,
							sum;
				size_t		body;

				if (size < 5)
					return 0;
				e = codec_encoding(ids[data[1] % (sizeof(ids) / sizeof(ids[0]))]);
				count = (uint32_t) data[2] | ((uint32_t) (data[3] & 0x0f) << 8);
				null_count = data[4] <= count ? data[4] : 0;
				body = size - 5;
				buf = dl_alloc(CODEC_HEADER_SIZE + body);
				memset(buf, 0, CODEC_HEADER_SIZE);
				memcpy(buf, "DLc", 3);
				buf[3] = (uint8_t) e->id;
				buf[4] = CODEC_FORMAT_VERSION;
				buf[5] = (uint8_t) e->type;
				buf[8] = (uint8_t) count;
				buf[9] = (uint8_t) (count >> 8);
				buf[12] = (uint8_t) null_count;
				memcpy(buf + CODEC_HEADER_SIZE, data + 5, body);
				sum = codec_checksum(buf, CODEC_HEADER_SIZE + body);
				buf[16] = (uint8_t) sum;
				buf[17] = (uint8_t) (sum >> 8);
				buf[18] = (uint8_t) (sum >> 16);
				buf[19] = (uint8_t) (sum >> 24);
				decode_whole(buf, CODEC_HEADER_SIZE + body, true);
				dl_free(buf);
				break;
			}
		case 2:
			{
				uint8_t    *plain;
				size_t		plain_len;

				if (codec_decompress_zstd(data + 1, size - 1, 1 << 20, &plain, &plain_len) == CODEC_OK)
				{
					decode_whole(plain, plain_len, true);
					dl_free(plain);
				}
				break;
			}
	}
	return 0;
}
