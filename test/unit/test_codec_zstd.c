/* unit-deps: src/storage/codec_buf.c src/storage/codec_zstd.c */
/* unit-libs: -lzstd */
/*
 * test_codec_zstd.c
 *		The zstd stage: round trips, and the refusals that keep a hostile
 *		frame from allocating more than the caller allows: a declared size
 *		over the limit, no declared size, truncation, trailing bytes.
 */
#include "util/portable.h"

#include <string.h>
#include <zstd.h>

#include "storage/codec_zstd.h"

#include "tap.h"

int
main(void)
{
	size_t		n = 200000;
	uint8_t    *src = dl_alloc(n);
	uint8_t    *z = NULL,
			   *back = NULL;
	size_t		zlen = 0,
				blen = 0,
				i;
	bool		all_refused = true;
	bool		all_sized = true;
	uint8_t    *copy;
	ZSTD_CCtx  *cctx;
	ZSTD_outBuffer zout;
	ZSTD_inBuffer zin;
	uint8_t		streamed[4096];

	for (i = 0; i < n; i++)
		src[i] = (uint8_t) ((i * 7) % 251 < 100 ? i % 13 : 0);
	check(codec_compress_zstd(src, n, 3, &z, &zlen) == CODEC_OK && zlen < n / 4,
		  "compresses a repetitive buffer to under a quarter");
	check(codec_decompress_zstd(z, zlen, n, &back, &blen) == CODEC_OK && blen == n &&
		  memcmp(back, src, n) == 0, "decompresses it exactly with max_len = its size");
	dl_free(back);
	check(codec_decompress_zstd(z, zlen, n - 1, &back, &blen) == CODEC_ERR_TOO_LARGE,
		  "a declared size one byte over max_len is refused before allocating");
	for (i = 0; i < zlen; i += 1 + zlen / 200)
		if (codec_decompress_zstd(z, i, n, &back, &blen) == CODEC_OK)
		{
			all_refused = false;
			dl_free(back);
		}
	check(all_refused, "every truncated frame is refused");
	copy = dl_alloc(zlen + 1);
	memcpy(copy, z, zlen);
	copy[zlen] = 0;
	check(codec_decompress_zstd(copy, zlen + 1, n, &back, &blen) == CODEC_ERR_ZSTD,
		  "a byte after the frame is refused");
	for (i = 0; i < zlen * 8; i += 1 + zlen / 64)
	{
		memcpy(copy, z, zlen);
		copy[i / 8] ^= (uint8_t) (1 << (i % 8));
		if (codec_decompress_zstd(copy, zlen, n, &back, &blen) == CODEC_OK)
		{
			if (blen != n)
				all_sized = false;
			dl_free(back);
		}
	}
	check(all_sized, "a bit-flipped frame that still decodes gives exactly its declared size");
	dl_free(copy);
	dl_free(z);

	/* a streamed frame does not declare its size: refused */
	cctx = ZSTD_createCCtx();
	zin.src = src;
	zin.size = 1000;
	zin.pos = 0;
	zout.dst = streamed;
	zout.size = sizeof(streamed);
	zout.pos = 0;
	ZSTD_compressStream2(cctx, &zout, &zin, ZSTD_e_continue);
	ZSTD_compressStream2(cctx, &zout, &zin, ZSTD_e_end);
	ZSTD_freeCCtx(cctx);
	check(ZSTD_getFrameContentSize(streamed, zout.pos) == ZSTD_CONTENTSIZE_UNKNOWN &&
		  codec_decompress_zstd(streamed, zout.pos, n, &back, &blen) == CODEC_ERR_ZSTD,
		  "a frame without a declared content size is refused");
	check(codec_decompress_zstd(src, 100, n, &back, &blen) == CODEC_ERR_ZSTD,
		  "bytes that are not a zstd frame are refused");
	check(codec_compress_zstd(src, 0, 3, &z, &zlen) == CODEC_OK &&
		  codec_decompress_zstd(z, zlen, 0, &back, &blen) == CODEC_OK && blen == 0,
		  "an empty buffer round trips");
	dl_free(z);
	dl_free(back);
	dl_free(src);
	printf("1..%d\n", test_number);
	return failures ? 1 : 0;
}
