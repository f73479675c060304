/*
 * codec_zstd.c
 *		The zstd stage: each encoded column buffer is compressed as one
 *		zstd frame before it is written to pages.
 *
 * The per-type encodings remove the structure zstd cannot see (deltas,
 * decimal scaling, bit widths); zstd then removes repetition the encodings
 * do not model (repeated blocks, text in plain strings).  Decompression
 * trusts nothing in the frame: the declared content size must be present
 * and within the caller's limit before anything is allocated, and the
 * frame must decode to exactly that size and hold nothing after it.
 */
#include "util/portable.h"

#include <zstd.h>

#include "storage/codec_zstd.h"

CodecStatus
codec_compress_zstd(const uint8_t *src, size_t src_len, int level, uint8_t **out, size_t *out_len)
{
	size_t		bound = ZSTD_compressBound(src_len);
	uint8_t    *dst;
	size_t		written;

	if (ZSTD_isError(bound))
		return CODEC_ERR_TOO_LARGE;
	dst = dl_alloc(bound);
	/* ZSTD_compress writes the content size into the frame header */
	written = ZSTD_compress(dst, bound, src, src_len, level);
	if (ZSTD_isError(written))
	{
		dl_free(dst);
		return CODEC_ERR_ZSTD;
	}
	*out = dst;
	*out_len = written;
	return CODEC_OK;
}

CodecStatus
codec_decompress_zstd(const uint8_t *src, size_t src_len, size_t max_len, uint8_t **out,
					  size_t *out_len)
{
	unsigned long long declared;
	size_t		frame_len;
	uint8_t    *dst;
	size_t		got;

	declared = ZSTD_getFrameContentSize(src, src_len);
	if (declared == ZSTD_CONTENTSIZE_UNKNOWN || declared == ZSTD_CONTENTSIZE_ERROR)
		return CODEC_ERR_ZSTD;
	if (declared > max_len)
		return CODEC_ERR_TOO_LARGE;
	frame_len = ZSTD_findFrameCompressedSize(src, src_len);
	if (ZSTD_isError(frame_len) || frame_len != src_len)
		return CODEC_ERR_ZSTD;
	dst = dl_alloc(declared ? (size_t) declared : 1);
	got = ZSTD_decompress(dst, (size_t) declared, src, src_len);
	if (ZSTD_isError(got) || got != declared)
	{
		dl_free(dst);
		return CODEC_ERR_ZSTD;
	}
	*out = dst;
	*out_len = got;
	return CODEC_OK;
}
