/*
 * codec_buf.c
 *		Growable output buffer and bounds-checked reader for the column
 *		encodings (see codec_buf.h).
 */
#include "util/portable.h"

#include "storage/codec_buf.h"

void
codec_buf_init(CodecBuf *buf)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

void
codec_buf_free(CodecBuf *buf)
{
	if (buf->data)
		dl_free(buf->data);
	codec_buf_init(buf);
}

/* doubling keeps appends amortised O(1) */
void
codec_buf_grow(CodecBuf *buf, size_t extra)
{
	size_t		want = buf->len + extra;
	size_t		cap = buf->cap ? buf->cap : 64;

	while (cap < want)
		cap *= 2;
	buf->data = buf->data ? dl_realloc(buf->data, cap) : dl_alloc(cap);
	buf->cap = cap;
}

void
codec_buf_put_bytes(CodecBuf *buf, const void *bytes, size_t n)
{
	if (n == 0)
		return;
	codec_buf_reserve(buf, n);
	memcpy(buf->data + buf->len, bytes, n);
	buf->len += n;
}

void
codec_buf_put_varint(CodecBuf *buf, uint64_t value)
{
	codec_buf_reserve(buf, 10);
	while (value >= 0x80)
	{
		buf->data[buf->len++] = (uint8_t) (value | 0x80);
		value >>= 7;
	}
	buf->data[buf->len++] = (uint8_t) value;
}

void
codec_buf_put_u32(CodecBuf *buf, uint32_t value)
{
	int			i;

	codec_buf_reserve(buf, 4);
	for (i = 0; i < 4; i++)
		buf->data[buf->len++] = (uint8_t) (value >> (8 * i));
}

void
codec_buf_put_u64(CodecBuf *buf, uint64_t value)
{
	codec_buf_reserve(buf, 8);
	codec_store_u64(buf->data + buf->len, value);
	buf->len += 8;
}

void
codec_reader_init(CodecReader *reader, const uint8_t *data, size_t len)
{
	reader->data = data;
	reader->len = len;
	reader->pos = 0;
}

bool
codec_read_u8(CodecReader *reader, uint8_t *value)
{
	if (reader->pos >= reader->len)
		return false;
	*value = reader->data[reader->pos++];
	return true;
}

bool
codec_read_u32(CodecReader *reader, uint32_t *value)
{
	const uint8_t *p = codec_read_bytes(reader, 4);

	if (p == NULL)
		return false;
	*value = (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
	return true;
}

bool
codec_read_u64(CodecReader *reader, uint64_t *value)
{
	const uint8_t *p = codec_read_bytes(reader, 8);

	if (p == NULL)
		return false;
	*value = codec_load_u64(p);
	return true;
}

/* rejects varints longer than 10 bytes or with bits beyond 64 */
bool
codec_read_varint(CodecReader *reader, uint64_t *value)
{
	uint64_t	result = 0;
	int			shift = 0;
	uint8_t		byte;

	for (;;)
	{
		if (reader->pos >= reader->len)
			return false;
		byte = reader->data[reader->pos++];
		if (shift == 63 && byte > 1)
			return false;
		result |= (uint64_t) (byte & 0x7f) << shift;
		if ((byte & 0x80) == 0)
			break;
		shift += 7;
		if (shift > 63)
			return false;
	}
	*value = result;
	return true;
}

/* a pointer to the next n bytes, or NULL if the buffer holds fewer */
const uint8_t *
codec_read_bytes(CodecReader *reader, size_t n)
{
	const uint8_t *p;

	if (n > reader->len - reader->pos)
		return NULL;
	p = reader->data + reader->pos;
	reader->pos += n;
	return p;
}
