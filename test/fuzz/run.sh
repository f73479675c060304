#!/usr/bin/env bash
# Builds every test/fuzz/fuzz_NAME.c with libFuzzer, ASan and UBSan (clang)
# and runs each for SECONDS (default 60), starting from a corpus of seeds in
# test/fuzz/seeds/NAME/ if there is one.  Prints one TAP line per harness.
#
# A harness names the sources it links in a comment line
#   /* fuzz-deps: src/a/b.c src/c/d.c */   (default: src/<area>/<NAME without fuzz_>.c found by name)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
seconds=${1:-60}
build="$here/build"
mkdir -p "$build"
CLANG=${CLANG:-$(command -v clang || command -v clang-14 || true)}
if [ -z "$CLANG" ]; then
	echo "not ok - fuzz: clang is not installed"
	exit 1
fi
status=0
n=0
for src in "$here"/fuzz_*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	n=$((n + 1))
	deps=$(sed -n 's|.*fuzz-deps:\(.*\)\*/.*|\1|p' "$src" | tr '\n' ' ')
	if [ -z "$deps" ]; then
		deps=$(cd "$top" && ls src/*/"${name#fuzz_}".c 2>/dev/null | head -n 1)
	fi
	depfiles=()
	for d in $deps; do depfiles+=("$top/$d"); done
	libs=$(sed -n 's|.*fuzz-libs:\(.*\)\*/.*|\1|p' "$src" | tr '\n' ' ')
	if ! "$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-DDATALAYER_STANDALONE -I"$top/src" -o "$build/$name" "$src" "${depfiles[@]}" -lm $libs \
		2> "$build/$name.compile.log"; then
		echo "not ok $n - $name does not build"
		sed 's/^/#   /' "$build/$name.compile.log" | head -n 20
		status=1
		continue
	fi
	corpus="$build/corpus-$name"
	mkdir -p "$corpus"
	seeds=()
	[ -d "$here/seeds/${name#fuzz_}" ] && seeds=("$here/seeds/${name#fuzz_}")
	if "$build/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		"$corpus" "${seeds[@]}" > "$build/$name.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/$name.log")
		echo "ok $n - $name: ${runs:-?} inputs in ${seconds}s, no crash"
	else
		echo "not ok $n - $name found a crash:"
		grep -E 'ERROR|SUMMARY|Test unit written' "$build/$name.log" | head -n 10 | sed 's/^/#   /'
		status=1
	fi
done
[ $n -gt 0 ] || echo "# no fuzz harnesses"
exit $status
