/*
 * codec_zstd.h
 *		The zstd stage over an encoded column buffer.
 */
#ifndef DATALAYER_CODEC_ZSTD_H
#define DATALAYER_CODEC_ZSTD_H

#include "storage/codec.h"

/* one zstd frame with its content size declared; level as zstd's (1..22, <= 0 fast) */
extern CodecStatus codec_compress_zstd(const uint8_t *src, size_t src_len, int level,
									   uint8_t **out, size_t *out_len);

/*
 * Accepts only one frame that declares its content size, and that size at
 * most max_len, before allocating; the output is exactly that size.
 */
extern CodecStatus codec_decompress_zstd(const uint8_t *src, size_t src_len, size_t max_len,
										 uint8_t **out, size_t *out_len);

#endif							/* DATALAYER_CODEC_ZSTD_H */
