/*
 * codec.c
 *		The table of column encodings, the buffer header, the value-by-value
 *		encoder with its choice of the smallest encoding, and the bulk
 *		decoder that validates a buffer and puts values at their rows.
 *
 * Encodings only ever see dense non-NULL values; this file strips NULLs on
 * the way in (keeping a bitmap in the buffer) and scatters values back to
 * their row positions on the way out, so no encoding has to care.
 */
#include "util/portable.h"

#include <string.h>

#include "storage/codec.h"
#include "storage/codec_alp.h"
#include "storage/codec_bitmap.h"
#include "storage/codec_delta.h"
#include "storage/codec_dict.h"
#include "storage/codec_float_delta.h"
#include "storage/codec_plain.h"
#include "storage/codec_xor.h"

/*
 * The table.  For CODEC_AUTO with no values to encode, the first row of
 * the column's type is used, so keep the cheapest-to-decode one first.
 */
static const CodecEncoding codec_encodings[] = {
	{CODEC_BITMAP, "bitmap", CODEC_TYPE_BOOL, codec_bitmap_encode, codec_bitmap_decode},
	{CODEC_DELTA, "delta", CODEC_TYPE_INT64, codec_delta_encode, codec_delta_decode},
	{CODEC_ALP, "alp", CODEC_TYPE_FLOAT8, codec_alp_encode, codec_alp_decode},
	{CODEC_XOR, "xor", CODEC_TYPE_FLOAT8, codec_xor_encode, codec_xor_decode},
	{CODEC_FLOAT_DELTA, "float_delta", CODEC_TYPE_FLOAT8, codec_float_delta_encode,
	codec_float_delta_decode},
	{CODEC_ALP_FLOAT4, "alp_float4", CODEC_TYPE_FLOAT8, codec_alp_float4_encode,
	codec_alp_float4_decode},
	{CODEC_PLAIN, "plain", CODEC_TYPE_BYTES, codec_plain_encode, codec_plain_decode},
	{CODEC_DICT, "dict", CODEC_TYPE_BYTES, codec_dict_encode, codec_dict_decode},
};

#define NUM_ENCODINGS (sizeof(codec_encodings) / sizeof(codec_encodings[0]))

/* "DL" then "c" for column: tells a codec buffer from anything else */
static const uint8_t codec_magic[3] = {'D', 'L', 'c'};

struct CodecEncoder
{
	CodecType	type;
	uint32_t	count;
	uint32_t	null_count;
	bool		too_large;
	bool		wrong_type;		/* a value of another type was appended */
	size_t		row_cap;		/* capacity of nulls */
	uint8_t    *nulls;			/* allocated at the first NULL */
	size_t		value_cap;		/* capacity of the dense arrays */
	CodecColumn dense;			/* non-NULL values so far */
	CodecBuf	bytes;			/* BYTES contents */
};

const CodecEncoding *
codec_encoding(CodecId id)
{
	size_t		i;

	for (i = 0; i < NUM_ENCODINGS; i++)
		if (codec_encodings[i].id == id)
			return &codec_encodings[i];
	return NULL;
}

const char *
codec_status_message(CodecStatus status)
{
	switch (status)
	{
		case CODEC_OK:
			return "ok";
		case CODEC_ERR_TRUNCATED:
			return "column buffer is truncated";
		case CODEC_ERR_CORRUPT:
			return "column buffer is corrupt";
		case CODEC_ERR_BAD_HEADER:
			return "column buffer has an invalid header";
		case CODEC_ERR_WRONG_TYPE:
			return "column buffer holds another value type";
		case CODEC_ERR_TOO_MANY_ROWS:
			return "column buffer holds more rows than allowed";
		case CODEC_ERR_TOO_LARGE:
			return "column is too large to encode";
		case CODEC_ERR_NOT_APPLICABLE:
			return "encoding cannot represent these values";
		case CODEC_ERR_ZSTD:
			return "zstd frame is invalid or too large";
		case CODEC_ERR_CHECKSUM:
			return "column buffer checksum mismatch";
	}
	return "unknown codec status";
}

/* ---------- encoding ---------- */

CodecEncoder *
codec_encoder_create(CodecType type)
{
	CodecEncoder *encoder = dl_alloc0(sizeof(CodecEncoder));

	encoder->type = type;
	encoder->dense.type = type;
	codec_buf_init(&encoder->bytes);
	return encoder;
}

/* a value of the wrong type is remembered and fails finish */
static bool
encoder_accepts(CodecEncoder *encoder, CodecType type)
{
	if (encoder->type == type)
		return true;
	encoder->wrong_type = true;
	return false;
}

/* one more row; false (and too_large set) past 2^32 - 1 rows */
static bool
encoder_add_row(CodecEncoder *encoder, bool is_null)
{
	if (encoder->count == UINT32_MAX)
	{
		encoder->too_large = true;
		return false;
	}
	if (is_null && encoder->nulls == NULL)
	{
		encoder->row_cap = encoder->count < 64 ? 64 : (size_t) encoder->count * 2;
		encoder->nulls = dl_alloc0(encoder->row_cap);
	}
	if (encoder->nulls)
	{
		if (encoder->count >= encoder->row_cap)
		{
			encoder->row_cap *= 2;
			encoder->nulls = dl_realloc(encoder->nulls, encoder->row_cap);
		}
		encoder->nulls[encoder->count] = is_null;
	}
	encoder->count++;
	if (is_null)
		encoder->null_count++;
	return true;
}

/* room for one more dense value */
static void
encoder_reserve_value(CodecEncoder *encoder)
{
	CodecColumn *d = &encoder->dense;

	if (d->count < encoder->value_cap)
		return;
	encoder->value_cap = encoder->value_cap ? encoder->value_cap * 2 : 256;
	switch (encoder->type)
	{
		case CODEC_TYPE_INT64:
			d->ints = d->ints ? dl_realloc(d->ints, encoder->value_cap * sizeof(int64_t))
				: dl_alloc(encoder->value_cap * sizeof(int64_t));
			break;
		case CODEC_TYPE_FLOAT8:
			d->floats = d->floats ? dl_realloc(d->floats, encoder->value_cap * sizeof(double))
				: dl_alloc(encoder->value_cap * sizeof(double));
			break;
		case CODEC_TYPE_BOOL:
			d->bools = d->bools ? dl_realloc(d->bools, encoder->value_cap)
				: dl_alloc(encoder->value_cap);
			break;
		case CODEC_TYPE_BYTES:
			d->offsets = d->offsets ? dl_realloc(d->offsets, encoder->value_cap * sizeof(uint32_t))
				: dl_alloc(encoder->value_cap * sizeof(uint32_t));
			d->lengths = d->lengths ? dl_realloc(d->lengths, encoder->value_cap * sizeof(uint32_t))
				: dl_alloc(encoder->value_cap * sizeof(uint32_t));
			break;
	}
}

void
codec_encoder_append_int64(CodecEncoder *encoder, int64_t value)
{
	if (!encoder_accepts(encoder, CODEC_TYPE_INT64) || !encoder_add_row(encoder, false))
		return;
	encoder_reserve_value(encoder);
	encoder->dense.ints[encoder->dense.count++] = value;
}

void
codec_encoder_append_float8(CodecEncoder *encoder, double value)
{
	if (!encoder_accepts(encoder, CODEC_TYPE_FLOAT8) || !encoder_add_row(encoder, false))
		return;
	encoder_reserve_value(encoder);
	encoder->dense.floats[encoder->dense.count++] = value;
}

void
codec_encoder_append_bool(CodecEncoder *encoder, bool value)
{
	if (!encoder_accepts(encoder, CODEC_TYPE_BOOL) || !encoder_add_row(encoder, false))
		return;
	encoder_reserve_value(encoder);
	encoder->dense.bools[encoder->dense.count++] = value ? 1 : 0;
}

void
codec_encoder_append_bytes(CodecEncoder *encoder, const void *bytes, size_t len)
{
	CodecColumn *d = &encoder->dense;

	if (!encoder_accepts(encoder, CODEC_TYPE_BYTES))
		return;
	/* offsets are 32-bit: a column holds at most 4 GB of contents */
	if (len > UINT32_MAX || encoder->bytes.len + len > UINT32_MAX)
	{
		encoder->too_large = true;
		return;
	}
	if (!encoder_add_row(encoder, false))
		return;
	encoder_reserve_value(encoder);
	d->offsets[d->count] = (uint32_t) encoder->bytes.len;
	d->lengths[d->count] = (uint32_t) len;
	d->count++;
	codec_buf_put_bytes(&encoder->bytes, bytes, len);
}

void
codec_encoder_append_null(CodecEncoder *encoder)
{
	encoder_add_row(encoder, true);
}

void
codec_encoder_set_period(CodecEncoder *encoder, uint32_t period)
{
	encoder->dense.period = period;
}

/*
 * The checksum: 64-bit words folded with xor, an odd multiplier and a
 * rotation, each step one-to-one in both the state and the word, so any
 * change confined to one word always changes the 64-bit state; a final
 * avalanche spreads it over the 32 bits kept.  Several GB/s, small next to
 * decoding.  Covers bytes 0..15 of the header and everything after it.
 */
static uint64_t
checksum_step(uint64_t h, const uint8_t *p, size_t len)
{
	while (len >= 8)
	{
		uint64_t	w = codec_load_u64(p);

		h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
		h = (h << 31) | (h >> 33);
		p += 8;
		len -= 8;
	}
	if (len > 0)
	{
		uint64_t	w = 0;
		size_t		i;

		for (i = 0; i < len; i++)
			w |= (uint64_t) p[i] << (8 * i);
		h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
		h = (h << 31) | (h >> 33);
	}
	return h;
}

uint32_t
codec_checksum(const uint8_t *buf, size_t len)
{
	uint64_t	h = 0x6A09E667F3BCC908ULL;

	if (len < CODEC_HEADER_SIZE)
		return 0;
	h = checksum_step(h, buf, 16);
	h = checksum_step(h, buf + CODEC_HEADER_SIZE, len - CODEC_HEADER_SIZE);
	h ^= (uint64_t) len;
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDULL;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ULL;
	h ^= h >> 33;
	return (uint32_t) h;
}

/* the 20-byte header, its checksum filled in last; docs/codecs.md */
static void
put_header(CodecBuf *out, CodecId id, CodecType type, uint32_t count, uint32_t null_count)
{
	codec_buf_put_bytes(out, codec_magic, 3);
	codec_buf_put_u8(out, (uint8_t) id);
	codec_buf_put_u8(out, CODEC_FORMAT_VERSION);
	codec_buf_put_u8(out, (uint8_t) type);
	codec_buf_put_u8(out, 0);	/* flags, reserved */
	codec_buf_put_u8(out, 0);	/* reserved */
	codec_buf_put_u32(out, count);
	codec_buf_put_u32(out, null_count);
	codec_buf_put_u32(out, 0);	/* checksum */
}

/*
 * Writes the buffer for dense values plus row flags.  With CODEC_AUTO every
 * encoding of the type is tried and the smallest payload wins (ties go to
 * the earlier table row); docs/codecs.md explains why trying beats
 * estimating here.
 */
static CodecStatus
encode_dense(const CodecColumn *dense, const uint8_t *nulls, uint32_t count,
			 uint32_t null_count, CodecId id, uint8_t **out, size_t *out_len)
{
	const CodecEncoding *chosen = NULL;
	CodecBuf	result;
	CodecBuf	payload;
	CodecBuf	trial;
	CodecStatus status;
	size_t		i;

	if (id != CODEC_AUTO)
	{
		chosen = codec_encoding(id);
		if (chosen == NULL)
			return CODEC_ERR_NOT_APPLICABLE;
		if (chosen->type != dense->type)
			return CODEC_ERR_WRONG_TYPE;
	}

	codec_buf_init(&payload);
	if (dense->count > 0)
	{
		if (chosen)
		{
			status = chosen->encode(dense, &payload);
			if (status != CODEC_OK)
			{
				codec_buf_free(&payload);
				return status;
			}
		}
		else
		{
			for (i = 0; i < NUM_ENCODINGS; i++)
			{
				const CodecEncoding *e = &codec_encodings[i];

				if (e->type != dense->type)
					continue;
				codec_buf_init(&trial);
				status = e->encode(dense, &trial);
				if (status == CODEC_OK && (chosen == NULL || trial.len < payload.len))
				{
					codec_buf_free(&payload);
					payload = trial;
					chosen = e;
				}
				else
					codec_buf_free(&trial);
			}
			if (chosen == NULL)
				return CODEC_ERR_NOT_APPLICABLE;
		}
	}
	else if (chosen == NULL)
	{
		for (i = 0; i < NUM_ENCODINGS && chosen == NULL; i++)
			if (codec_encodings[i].type == dense->type)
				chosen = &codec_encodings[i];
		if (chosen == NULL)
			return CODEC_ERR_WRONG_TYPE;
	}

	codec_buf_init(&result);
	codec_buf_reserve(&result, CODEC_HEADER_SIZE + payload.len + (null_count ? count / 8 + 16 : 0));
	put_header(&result, chosen->id, dense->type, count, null_count);
	if (null_count > 0 && null_count < count)
		codec_bitmap_put_flags(nulls, count, &result);
	codec_buf_put_bytes(&result, payload.data, payload.len);
	codec_buf_free(&payload);
	{
		uint32_t	sum = codec_checksum(result.data, result.len);
		int			k;

		for (k = 0; k < 4; k++)
			result.data[16 + k] = (uint8_t) (sum >> (8 * k));
	}
	*out = result.data;
	*out_len = result.len;
	return CODEC_OK;
}

CodecStatus
codec_encoder_finish(CodecEncoder *encoder, CodecId encoding, uint8_t **out, size_t *out_len)
{
	encoder->dense.data = encoder->bytes.data;
	encoder->dense.data_size = encoder->bytes.len;
	if (encoder->wrong_type)
		return CODEC_ERR_WRONG_TYPE;
	if (encoder->too_large)
		return CODEC_ERR_TOO_LARGE;
	return encode_dense(&encoder->dense, encoder->nulls, encoder->count, encoder->null_count,
						encoding, out, out_len);
}

void
codec_encoder_free(CodecEncoder *encoder)
{
	CodecColumn *d = &encoder->dense;

	if (encoder->nulls)
		dl_free(encoder->nulls);
	if (d->ints)
		dl_free(d->ints);
	if (d->floats)
		dl_free(d->floats);
	if (d->bools)
		dl_free(d->bools);
	if (d->offsets)
		dl_free(d->offsets);
	if (d->lengths)
		dl_free(d->lengths);
	codec_buf_free(&encoder->bytes);
	dl_free(encoder);
}

CodecStatus
codec_encode_column(const CodecColumn *column, CodecId encoding, uint8_t **out, size_t *out_len)
{
	CodecColumn dense;
	uint32_t	null_count = 0;
	uint32_t	i;
	uint32_t	n = 0;
	CodecStatus status;

	if (column->nulls)
		for (i = 0; i < column->count; i++)
			null_count += column->nulls[i] != 0;
	if (null_count == 0)
		return encode_dense(column, NULL, column->count, 0, encoding, out, out_len);

	/* compact the non-NULL values */
	memset(&dense, 0, sizeof(dense));
	dense.type = column->type;
	dense.period = column->period;
	dense.data = column->data;
	dense.data_size = column->data_size;
	switch (column->type)
	{
		case CODEC_TYPE_INT64:
			dense.ints = dl_alloc(sizeof(int64_t) * (column->count - null_count + 1));
			for (i = 0; i < column->count; i++)
				if (!column->nulls[i])
					dense.ints[n++] = column->ints[i];
			break;
		case CODEC_TYPE_FLOAT8:
			dense.floats = dl_alloc(sizeof(double) * (column->count - null_count + 1));
			for (i = 0; i < column->count; i++)
				if (!column->nulls[i])
					dense.floats[n++] = column->floats[i];
			break;
		case CODEC_TYPE_BOOL:
			dense.bools = dl_alloc(column->count - null_count + 1);
			for (i = 0; i < column->count; i++)
				if (!column->nulls[i])
					dense.bools[n++] = column->bools[i];
			break;
		case CODEC_TYPE_BYTES:
			dense.offsets = dl_alloc(sizeof(uint32_t) * (column->count - null_count + 1));
			dense.lengths = dl_alloc(sizeof(uint32_t) * (column->count - null_count + 1));
			for (i = 0; i < column->count; i++)
				if (!column->nulls[i])
				{
					dense.offsets[n] = column->offsets[i];
					dense.lengths[n] = column->lengths[i];
					n++;
				}
			break;
	}
	dense.count = n;
	status = encode_dense(&dense, column->nulls, column->count, null_count, encoding, out, out_len);
	if (dense.ints)
		dl_free(dense.ints);
	if (dense.floats)
		dl_free(dense.floats);
	if (dense.bools)
		dl_free(dense.bools);
	if (dense.offsets)
		dl_free(dense.offsets);
	if (dense.lengths)
		dl_free(dense.lengths);
	return status;
}

/* ---------- decoding ---------- */

CodecStatus
codec_read_header(const uint8_t *buf, size_t len, CodecHeader *header)
{
	CodecReader r;
	const uint8_t *magic;
	uint8_t		id,
				version,
				type,
				flags,
				reserved;
	const CodecEncoding *e;

	codec_reader_init(&r, buf, len);
	if (len < CODEC_HEADER_SIZE)
		return CODEC_ERR_TRUNCATED;
	magic = codec_read_bytes(&r, 3);
	if (memcmp(magic, codec_magic, 3) != 0)
		return CODEC_ERR_BAD_HEADER;
	codec_read_u8(&r, &id);
	codec_read_u8(&r, &version);
	codec_read_u8(&r, &type);
	codec_read_u8(&r, &flags);
	codec_read_u8(&r, &reserved);
	codec_read_u32(&r, &header->count);
	codec_read_u32(&r, &header->null_count);
	if (version != CODEC_FORMAT_VERSION || flags != 0 || reserved != 0)
		return CODEC_ERR_BAD_HEADER;
	e = codec_encoding((CodecId) id);
	if (e == NULL || (uint8_t) e->type != type)
		return CODEC_ERR_BAD_HEADER;
	if (header->null_count > header->count)
		return CODEC_ERR_BAD_HEADER;
	header->encoding = e->id;
	header->type = e->type;
	return CODEC_OK;
}

void
codec_column_free(CodecColumn *column)
{
	if (column->nulls)
		dl_free(column->nulls);
	if (column->ints)
		dl_free(column->ints);
	if (column->floats)
		dl_free(column->floats);
	if (column->bools)
		dl_free(column->bools);
	if (column->offsets)
		dl_free(column->offsets);
	if (column->lengths)
		dl_free(column->lengths);
	if (column->data)
		dl_free(column->data);
	memset(column, 0, sizeof(CodecColumn));
}

/*
 * Moves the n dense values at the start of each array to their rows,
 * back to front so it works in place, zeroing NULL rows.
 */
static void
scatter_to_rows(CodecColumn *c)
{
	int64_t		row;
	int64_t		src = (int64_t) (c->count - c->null_count) - 1;

	switch (c->type)
	{
		case CODEC_TYPE_INT64:
			for (row = (int64_t) c->count - 1; row >= 0; row--)
				c->ints[row] = c->nulls[row] ? 0 : c->ints[src--];
			break;
		case CODEC_TYPE_FLOAT8:
			for (row = (int64_t) c->count - 1; row >= 0; row--)
				c->floats[row] = c->nulls[row] ? 0.0 : c->floats[src--];
			break;
		case CODEC_TYPE_BOOL:
			for (row = (int64_t) c->count - 1; row >= 0; row--)
				c->bools[row] = c->nulls[row] ? 0 : c->bools[src--];
			break;
		case CODEC_TYPE_BYTES:
			for (row = (int64_t) c->count - 1; row >= 0; row--)
			{
				if (c->nulls[row])
				{
					c->offsets[row] = 0;
					c->lengths[row] = 0;
				}
				else
				{
					c->offsets[row] = c->offsets[src];
					c->lengths[row] = c->lengths[src];
					src--;
				}
			}
			break;
	}
}

CodecStatus
codec_verify(const uint8_t *buf, size_t len, CodecType expected_type, uint32_t max_rows,
			 bool checksum, CodecHeader *header)
{
	CodecStatus status;
	uint32_t	stored;

	/* the header's own errors first: they say more than a checksum mismatch */
	status = codec_read_header(buf, len, header);
	if (status != CODEC_OK)
		return status;
	if (header->type != expected_type)
		return CODEC_ERR_WRONG_TYPE;
	if (header->count > max_rows)
		return CODEC_ERR_TOO_MANY_ROWS;
	if (!checksum)
		return CODEC_OK;
	stored = (uint32_t) buf[16] | (uint32_t) buf[17] << 8 | (uint32_t) buf[18] << 16 |
		(uint32_t) buf[19] << 24;
	if (stored != codec_checksum(buf, len))
		return CODEC_ERR_CHECKSUM;
	return CODEC_OK;
}

static CodecStatus decode_buffer(const uint8_t *buf, size_t len, CodecType expected_type,
								 uint32_t max_rows, bool checksum, CodecColumn *column);

CodecStatus
codec_decode(const uint8_t *buf, size_t len, CodecType expected_type, uint32_t max_rows,
			 CodecColumn *column)
{
	return decode_buffer(buf, len, expected_type, max_rows, true, column);
}

CodecStatus
codec_decode_unverified(const uint8_t *buf, size_t len, CodecType expected_type,
						uint32_t max_rows, CodecColumn *column)
{
	return decode_buffer(buf, len, expected_type, max_rows, false, column);
}

static CodecStatus
decode_buffer(const uint8_t *buf, size_t len, CodecType expected_type, uint32_t max_rows,
			  bool checksum, CodecColumn *column)
{
	CodecHeader header;
	CodecStatus status;
	CodecReader r;
	CodecColumn dense;
	const CodecEncoding *e;
	size_t		slots;
	uint32_t	n;

	memset(column, 0, sizeof(CodecColumn));
	column->type = expected_type;
	status = codec_verify(buf, len, expected_type, max_rows, checksum, &header);
	if (status != CODEC_OK)
		return status;
	e = codec_encoding(header.encoding);
	n = header.count - header.null_count;

	/* every allocation below is bounded by max_rows or by len */
	column->count = header.count;
	column->null_count = header.null_count;
	slots = header.count ? header.count : 1;
	switch (expected_type)
	{
		case CODEC_TYPE_INT64:
			column->ints = dl_alloc(slots * sizeof(int64_t));
			break;
		case CODEC_TYPE_FLOAT8:
			column->floats = dl_alloc(slots * sizeof(double));
			break;
		case CODEC_TYPE_BOOL:
			column->bools = dl_alloc(slots);
			break;
		case CODEC_TYPE_BYTES:
			column->offsets = dl_alloc(slots * sizeof(uint32_t));
			column->lengths = dl_alloc(slots * sizeof(uint32_t));
			break;
	}

	codec_reader_init(&r, buf, len);
	r.pos = CODEC_HEADER_SIZE;
	if (header.null_count > 0)
	{
		column->nulls = dl_alloc(slots);
		if (header.null_count == header.count)
			memset(column->nulls, 1, header.count);
		else
		{
			uint32_t	seen = 0;
			uint32_t	i;

			status = codec_bitmap_get_flags(&r, header.count, column->nulls);
			if (status != CODEC_OK)
				goto fail;
			for (i = 0; i < header.count; i++)
				seen += column->nulls[i];
			if (seen != header.null_count)
			{
				status = CODEC_ERR_CORRUPT;
				goto fail;
			}
		}
	}

	if (n > 0)
	{
		dense = *column;
		dense.count = n;
		dense.null_count = 0;
		dense.nulls = NULL;
		status = e->decode(r.data + r.pos, len - r.pos, &dense);
		column->data = dense.data;
		column->data_size = dense.data_size;
		if (status != CODEC_OK)
			goto fail;
		if (header.null_count > 0)
			scatter_to_rows(column);
	}
	else
	{
		if (r.pos != len)
		{
			status = CODEC_ERR_CORRUPT;
			goto fail;
		}
		if (expected_type == CODEC_TYPE_BYTES)
		{
			memset(column->offsets, 0, slots * sizeof(uint32_t));
			memset(column->lengths, 0, slots * sizeof(uint32_t));
		}
		else if (expected_type == CODEC_TYPE_INT64)
			memset(column->ints, 0, slots * sizeof(int64_t));
		else if (expected_type == CODEC_TYPE_FLOAT8)
			memset(column->floats, 0, slots * sizeof(double));
		else
			memset(column->bools, 0, slots);
	}
	return CODEC_OK;

fail:
	codec_column_free(column);
	column->type = expected_type;
	return status;
}
