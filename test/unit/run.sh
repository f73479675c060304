#!/usr/bin/env bash
# Builds and runs datalayer's standalone unit tests (pure-C cores, no server).
#
# Each test/unit/test_NAME.c names the sources it links in a comment line
#   /* unit-deps: src/storage/bitpack.c src/storage/codec_delta.c */
# (and, if it needs libraries, a line  /* unit-libs: -lzstd */ )
# and prints TAP lines ("ok N - ...", "not ok N - ..."), exiting non-zero on
# failure.  Usage: test/unit/run.sh [NAME ...]   (default: every test)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build="$here/build"
mkdir -p "$build"
CC=${CC:-cc}
CFLAGS=${UNIT_CFLAGS:--std=c99 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -Wno-unused-function}

if [ $# -gt 0 ]; then names=("$@"); else
	names=()
	for f in "$here"/test_*.c; do [ -e "$f" ] && names+=("$(basename "$f" .c | sed 's/^test_//')"); done
fi

status=0
for name in "${names[@]}"; do
	src="$here/test_$name.c"
	deps=$(sed -n 's|.*unit-deps:\(.*\)\*/.*|\1|p' "$src" | tr '\n' ' ')
	libs=$(sed -n 's|.*unit-libs:\(.*\)\*/.*|\1|p' "$src" | tr '\n' ' ')
	depfiles=()
	for d in $deps; do depfiles+=("$top/$d"); done
	# shellcheck disable=SC2086
	if ! $CC $CFLAGS -DDATALAYER_STANDALONE -I"$top/src" -o "$build/test_$name" "$src" "${depfiles[@]}" -lm $libs 2>"$build/test_$name.compile.log"; then
		echo "not ok - unit test $name does not compile:"
		sed 's/^/#   /' "$build/test_$name.compile.log"
		status=1
		continue
	fi
	echo "# unit: $name"
	if ! "$build/test_$name"; then status=1; fi
done
exit $status
