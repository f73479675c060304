/*
 * codec.h
 *		The one interface of datalayer's column encodings.
 *
 * The columnar table access method stores each column of a row group as
 * one buffer produced here (and then compressed with zstd, codec_zstd.h).
 * A buffer is a 20-byte header (magic, encoding id, format version, value
 * type, row count, NULL count, checksum), then the NULL bitmap when some
 * but not all rows are NULL, then the payload of the encoding over the
 * non-NULL values only.  docs/codecs.md describes every byte.  The
 * checksum covers the whole buffer, so a flipped bit anywhere is reported
 * rather than decoded into wrong values.
 *
 * Writers create a CodecEncoder for a value type, append values or NULLs,
 * and finish it into a buffer; finish either uses the encoding it is told
 * to or tries every encoding of the type and keeps the smallest.  Readers
 * call codec_decode(), which checks the header against the expected type
 * and a caller-given maximum row count before it allocates anything, then
 * decodes the whole buffer in bulk into arrays (values at their row
 * positions, NULL rows zeroed).
 *
 * Adding an encoding: one codec_<name>.c with an encode and a decode
 * function over dense (NULL-free) values, one CodecId below, and one row
 * in the table in codec.c.
 */
#ifndef DATALAYER_CODEC_H
#define DATALAYER_CODEC_H

#include "util/portable.h"

#include "storage/codec_buf.h"

#define CODEC_HEADER_SIZE	20
#define CODEC_FORMAT_VERSION 1

/* what a column holds; int2/int4/int8/date/timestamp all use INT64 */
typedef enum CodecType
{
	CODEC_TYPE_INT64 = 1,
	CODEC_TYPE_FLOAT8 = 2,
	CODEC_TYPE_BYTES = 3,		/* any varlena, as bytes */
	CODEC_TYPE_BOOL = 4
} CodecType;

/* stored on disk: never renumber */
typedef enum CodecId
{
	CODEC_AUTO = 0,				/* to finish: pick the smallest */
	CODEC_BITMAP = 1,			/* booleans */
	CODEC_DELTA = 2,			/* integers: delta/dod, zig-zag, FOR, runs */
	CODEC_ALP = 3,				/* decimal floats scaled to integers */
	CODEC_XOR = 4,				/* full-precision floats, Gorilla XOR */
	CODEC_DICT = 5,				/* byte strings, dictionary + codes */
	CODEC_PLAIN = 6,			/* byte strings, lengths + bytes */
	CODEC_FLOAT_DELTA = 7,		/* full-precision floats as ordered integers */
	CODEC_ALP_FLOAT4 = 8		/* ALP for float4 values widened to double */
} CodecId;

typedef enum CodecStatus
{
	CODEC_OK = 0,
	CODEC_ERR_TRUNCATED,		/* the buffer ends before the data it declares */
	CODEC_ERR_CORRUPT,			/* impossible content: bit width, code, run, offset */
	CODEC_ERR_BAD_HEADER,		/* not a codec buffer, unknown encoding or version */
	CODEC_ERR_WRONG_TYPE,		/* the encoding stores another value type */
	CODEC_ERR_TOO_MANY_ROWS,	/* more rows than the caller allows */
	CODEC_ERR_TOO_LARGE,		/* beyond the format's limits (4 G rows or bytes) */
	CODEC_ERR_NOT_APPLICABLE,	/* the requested encoding cannot hold these values */
	CODEC_ERR_ZSTD,				/* zstd failed or its frame is not acceptable */
	CODEC_ERR_CHECKSUM			/* the buffer's checksum does not match */
} CodecStatus;

/*
 * A column of count rows.  Only the arrays of its type are set.  As
 * decoder output, values sit at their row positions and NULL rows hold
 * zero (length 0 for bytes); BYTES value i is data[offsets[i]] for
 * lengths[i] bytes, and several rows may share bytes (dictionary).
 */
typedef struct CodecColumn
{
	CodecType	type;
	uint32_t	count;			/* rows, NULLs included */
	uint32_t	null_count;
	uint8_t    *nulls;			/* count flags, 1 = NULL; NULL if null_count == 0 */
	int64_t    *ints;
	double	   *floats;
	uint8_t    *bools;			/* 0 or 1 */
	uint32_t   *offsets;
	uint32_t   *lengths;
	uint8_t    *data;
	size_t		data_size;

	/*
	 * Encoding hint, not stored: when the writer knows that row i and row
	 * i + period belong to the same series (a time-major row group of
	 * period series), the integer-based encodings also try differences
	 * at that distance.  0 = unknown.  Counts non-NULL values, so it
	 * helps only where NULLs are rare or aligned.
	 */
	uint32_t	period;
} CodecColumn;

/* the header of a buffer, as codec_read_header() finds it */
typedef struct CodecHeader
{
	CodecId		encoding;
	CodecType	type;
	uint32_t	count;
	uint32_t	null_count;
} CodecHeader;

/*
 * One row of the table of encodings.  Both functions see only the
 * non-NULL values, packed densely: values[0..n).
 *
 * encode appends the payload to out, or returns CODEC_ERR_NOT_APPLICABLE
 * (out untouched or truncated back by the caller) when the encoding cannot
 * or should not hold these values.
 *
 * decode reads exactly n values from the whole payload (trailing bytes are
 * an error) into dense, whose value arrays the caller has allocated for n
 * entries; a BYTES decoder sets offsets/lengths and allocates data itself,
 * no larger than the payload.
 */
typedef struct CodecEncoding
{
	CodecId		id;
	const char *name;
	CodecType	type;
	CodecStatus (*encode) (const CodecColumn *dense, CodecBuf *out);
	CodecStatus (*decode) (const uint8_t *payload, size_t len, CodecColumn *dense);
} CodecEncoding;

typedef struct CodecEncoder CodecEncoder;

/* the table: NULL for an unknown id */
extern const CodecEncoding *codec_encoding(CodecId id);
extern const char *codec_status_message(CodecStatus status);

/*
 * Writing a column value by value.  Appending a value of another type than
 * the encoder's, or more than 2^32 - 1 rows or 4 GB of strings, makes
 * finish fail (CODEC_ERR_WRONG_TYPE, CODEC_ERR_TOO_LARGE).
 */
extern CodecEncoder *codec_encoder_create(CodecType type);
extern void codec_encoder_append_int64(CodecEncoder *encoder, int64_t value);
extern void codec_encoder_append_float8(CodecEncoder *encoder, double value);
extern void codec_encoder_append_bool(CodecEncoder *encoder, bool value);
extern void codec_encoder_append_bytes(CodecEncoder *encoder, const void *bytes, size_t len);
extern void codec_encoder_append_null(CodecEncoder *encoder);
extern void codec_encoder_set_period(CodecEncoder *encoder, uint32_t period);
extern CodecStatus codec_encoder_finish(CodecEncoder *encoder, CodecId encoding,
										uint8_t **out, size_t *out_len);
extern void codec_encoder_free(CodecEncoder *encoder);

/* writing a whole column at once (values at row positions, nulls optional) */
extern CodecStatus codec_encode_column(const CodecColumn *column, CodecId encoding,
									   uint8_t **out, size_t *out_len);

/* reading */
extern CodecStatus codec_read_header(const uint8_t *buf, size_t len, CodecHeader *header);
/* the header read and checked against the caller's type and row limit, and the checksum if asked */
extern CodecStatus codec_verify(const uint8_t *buf, size_t len, CodecType expected_type,
								uint32_t max_rows, bool checksum, CodecHeader *header);
extern CodecStatus codec_decode(const uint8_t *buf, size_t len, CodecType expected_type,
								uint32_t max_rows, CodecColumn *column);

/*
 * The same without verifying the checksum, for callers that verified the
 * bytes already (and for the fuzz harness, so it reaches the decoders).
 * It is just as safe against malformed input, only not against damage
 * that still decodes.
 */
extern CodecStatus codec_decode_unverified(const uint8_t *buf, size_t len,
										   CodecType expected_type, uint32_t max_rows,
										   CodecColumn *column);
extern uint32_t codec_checksum(const uint8_t *buf, size_t len);
extern void codec_column_free(CodecColumn *column);

#endif							/* DATALAYER_CODEC_H */
