#!/usr/bin/env bash
# Builds and runs the column-codec micro-benchmark (no server): bench/codecs/run.sh
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
s="$top/src/storage"
mkdir -p "$top/bench/codecs/build"
${CC:-cc} -std=c99 -O2 -march=native -DDATALAYER_STANDALONE -I"$top/src" -o "$top/bench/codecs/build/bench_codecs" \
	"$top/bench/codecs/bench_codecs.c" "$s/bitpack.c" "$s/codec_buf.c" "$s/codec.c" "$s/codec_bitmap.c" \
	"$s/codec_delta.c" "$s/codec_alp.c" "$s/codec_xor.c" "$s/codec_float_delta.c" "$s/codec_plain.c" \
	"$s/codec_dict.c" "$s/codec_zstd.c" -lzstd -lm
exec "$top/bench/codecs/build/bench_codecs"
