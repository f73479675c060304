/*
 * codec_buf.h
 *		Growable output buffer and bounds-checked input reader shared by the
 *		column encodings.
 *
 * Every encoding writes its payload through CodecBuf and reads it back
 * through CodecReader.  The reader never touches a byte past the end of
 * the buffer it was given: each read reports failure instead, so decoders
 * can turn a short or malformed buffer into an error code.  Integers are
 * little-endian; varints are LEB128 (7 bits a byte, low bits first).
 */
#ifndef DATALAYER_CODEC_BUF_H
#define DATALAYER_CODEC_BUF_H

#include "util/portable.h"

#include <string.h>

typedef struct CodecBuf
{
	uint8_t    *data;
	size_t		len;
	size_t		cap;
} CodecBuf;

typedef struct CodecReader
{
	const uint8_t *data;
	size_t		len;
	size_t		pos;
} CodecReader;

extern void codec_buf_init(CodecBuf *buf);
extern void codec_buf_free(CodecBuf *buf);
extern void codec_buf_grow(CodecBuf *buf, size_t extra);
extern void codec_buf_put_bytes(CodecBuf *buf, const void *bytes, size_t n);
extern void codec_buf_put_varint(CodecBuf *buf, uint64_t value);
extern void codec_buf_put_u32(CodecBuf *buf, uint32_t value);
extern void codec_buf_put_u64(CodecBuf *buf, uint64_t value);

extern void codec_reader_init(CodecReader *reader, const uint8_t *data, size_t len);
extern bool codec_read_u8(CodecReader *reader, uint8_t *value);
extern bool codec_read_u32(CodecReader *reader, uint32_t *value);
extern bool codec_read_u64(CodecReader *reader, uint64_t *value);
extern bool codec_read_varint(CodecReader *reader, uint64_t *value);
extern const uint8_t *codec_read_bytes(CodecReader *reader, size_t n);

/* room for n more bytes, so callers can write in a tight loop */
static inline void
codec_buf_reserve(CodecBuf *buf, size_t n)
{
	if (buf->cap - buf->len < n)
		codec_buf_grow(buf, n);
}

static inline void
codec_buf_put_u8(CodecBuf *buf, uint8_t value)
{
	codec_buf_reserve(buf, 1);
	buf->data[buf->len++] = value;
}

static inline size_t
codec_reader_remaining(const CodecReader *reader)
{
	return reader->len - reader->pos;
}

static inline uint64_t
codec_load_u64(const uint8_t *p)
{
	uint64_t	v;

	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline void
codec_store_u64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, 8);
}

/* a double as its IEEE-754 bit pattern, little-endian */
static inline void
codec_store_f64(uint8_t *p, double d)
{
	uint64_t	u;

	memcpy(&u, &d, 8);
	codec_store_u64(p, u);
}

static inline double
codec_load_f64(const uint8_t *p)
{
	uint64_t	u = codec_load_u64(p);
	double		d;

	memcpy(&d, &u, 8);
	return d;
}

#endif							/* DATALAYER_CODEC_BUF_H */
