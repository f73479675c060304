/*
 * codec_plain.c
 *		Byte strings as they are, for columns with too many distinct
 *		values for a dictionary: the integer stream (codec_delta.h) of the n
 *		lengths, then the n strings' bytes back to back.  The dictionary
 *		encoding stores its entries the same way.
 */
#include "util/portable.h"

#include <string.h>

#include "storage/codec_delta.h"
#include "storage/codec_plain.h"

void
codec_plain_put_strings(const uint8_t *data, const uint32_t *offsets, const uint32_t *lengths,
						uint32_t n, CodecBuf *out)
{
	/* zeroed only to quiet gcc's maybe-uninitialized when n == 0 */
	int64_t    *lens = dl_alloc0(sizeof(int64_t) * (n ? n : 1));
	size_t		total = 0;
	uint32_t	i;

	for (i = 0; i < n; i++)
	{
		lens[i] = lengths[i];
		total += lengths[i];
	}
	codec_delta_put_ints(lens, n, 0, out);
	dl_free(lens);
	codec_buf_reserve(out, total);
	for (i = 0; i < n; i++)
	{
		memcpy(out->data + out->len, data + offsets[i], lengths[i]);
		out->len += lengths[i];
	}
}

CodecStatus
codec_plain_get_strings(CodecReader *reader, uint32_t n, const uint8_t **bytes, size_t *total,
						uint32_t *offsets, uint32_t *lengths)
{
	int64_t    *lens = dl_alloc(sizeof(int64_t) * (n ? n : 1));
	CodecStatus status;
	uint64_t	sum = 0;
	size_t		available = 0;
	uint32_t	i;

	status = codec_delta_get_ints(reader, n, lens);
	if (status != CODEC_OK)
		goto done;
	available = codec_reader_remaining(reader);
	for (i = 0; i < n; i++)
	{
		/* a negative or oversized length, or a sum past the buffer */
		if (lens[i] < 0 || (uint64_t) lens[i] > available - sum)
		{
			status = lens[i] < 0 ? CODEC_ERR_CORRUPT : CODEC_ERR_TRUNCATED;
			goto done;
		}
		offsets[i] = (uint32_t) sum;
		lengths[i] = (uint32_t) lens[i];
		sum += (uint64_t) lens[i];
	}
	if (sum > UINT32_MAX)
	{
		status = CODEC_ERR_TOO_LARGE;
		goto done;
	}
	*total = (size_t) sum;
	*bytes = codec_read_bytes(reader, (size_t) sum);
done:
	dl_free(lens);
	return status;
}

CodecStatus
codec_plain_encode(const CodecColumn *dense, CodecBuf *out)
{
	codec_plain_put_strings(dense->data, dense->offsets, dense->lengths, dense->count, out);
	return CODEC_OK;
}

CodecStatus
codec_plain_decode(const uint8_t *payload, size_t len, CodecColumn *dense)
{
	CodecReader r;
	CodecStatus status;
	const uint8_t *bytes;
	size_t		total;

	codec_reader_init(&r, payload, len);
	status = codec_plain_get_strings(&r, dense->count, &bytes, &total, dense->offsets,
									 dense->lengths);
	if (status != CODEC_OK)
		return status;
	if (r.pos != len)
		return CODEC_ERR_CORRUPT;
	dense->data = dl_alloc(total ? total : 1);
	memcpy(dense->data, bytes, total);
	dense->data_size = total;
	return CODEC_OK;
}
