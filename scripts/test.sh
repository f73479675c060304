#!/usr/bin/env bash
# The second set-up command: build, install and run datalayer's whole test
# suite, ending with the line "N passed, N failed".
#
#   scripts/test.sh            everything: unit, cppcheck, pg_regress, isolation, TAP, fuzz smoke
#   scripts/test.sh --quick    unit, pg_regress and isolation only (for every commit)
#
# pg_regress and the isolation specs run against a temporary cluster started
# here with shared_preload_libraries = 'datalayer'; TAP tests start their own
# clusters through PostgreSQL::Test::Cluster.
source "$(dirname "$0")/common.sh"

QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1

PASSED=0
FAILED=0
FAILURES=()
pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); FAILURES+=("$1"); }

install_packages "${PACKAGES_BUILD[@]}" "${PACKAGES_TEST[@]}"
build_and_install

WORK=$(server_dir "$(mktemp -d /tmp/datalayer-test.XXXXXX)")
cleanup() {
	stop_cluster "$WORK/data"
	if [ $FAILED -eq 0 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

# ---- unit tests of the pure-C cores ----
step "Unit tests (test/unit)"
unit_out=$("$TOP/test/unit/run.sh" 2>&1) || true
echo "$unit_out" | grep -E '^(not ok|# unit)' || true
n_ok=$(echo "$unit_out" | grep -cE '^ok' || true)
n_bad=$(echo "$unit_out" | grep -cE '^not ok' || true)
PASSED=$((PASSED + n_ok))
for _ in $(seq 1 "$n_bad"); do fail "unit test (see above)"; done
echo "unit: $n_ok passed, $n_bad failed"

# ---- every documented example is run by a regression test ----
step "Documentation examples (docs/*.md)"
while IFS= read -r line; do
	case "$line" in
		"ok "*) pass; echo "$line" ;;
		"not ok "*) fail "${line#not ok - }"; echo "$line" ;;
		*) echo "$line" ;;
	esac
done < <("$TOP/test/docs/check_examples.sh" 2>&1)

# ---- static analysis ----
if [ $QUICK -eq 0 ]; then
	step "cppcheck"
	if make -C "$TOP" -s cppcheck PG_CONFIG=$PGBIN/pg_config; then pass; else fail "cppcheck"; fi
fi

# ---- a temporary cluster for pg_regress and isolation ----
step "Starting a temporary cluster with datalayer preloaded"
PORT=$((20000 + RANDOM % 20000))
while ! port_is_free $PORT; do PORT=$((PORT + 1)); done
init_cluster "$WORK/data" "$WORK" "$PORT"
start_cluster "$WORK/data" "$WORK/server.log"
export PGHOST=$WORK PGPORT=$PORT PGUSER=$(db_superuser)

# count "test name ... ok|FAILED" lines of pg_regress (PostgreSQL 15 format)
count_regress() {
	local out=$1 suite=$2 line name
	while IFS= read -r line; do
		name=$(echo "$line" | sed -E 's/^(test|     )? *([A-Za-z0-9_.-]+) +\.\.\. .*/\2/')
		if echo "$line" | grep -qE '\.\.\. ok'; then pass; else fail "$suite: $name"; fi
	done < <(echo "$out" | grep -E '\.\.\. (ok|FAILED|failed)')
}

step "pg_regress (sql/, expected/)"
REGRESS_TESTS=$(cd "$TOP" && ls sql/*.sql 2>/dev/null | sed 's|sql/||; s|\.sql$||' | tr '\n' ' ')
mkdir -p "$WORK/regress"
out=$(cd "$TOP" && "$PGXS_DIR/src/test/regress/pg_regress" --bindir="$PGBIN" \
	--inputdir="$TOP" --outputdir="$WORK/regress" --dbname=contrib_regression \
	--load-extension=datalayer $REGRESS_TESTS 2>&1) || true
echo "$out" | grep -E '\.\.\.|tests|FAILED' || echo "$out"
count_regress "$out" regress
if [ -f "$WORK/regress/regression.diffs" ] && [ -s "$WORK/regress/regression.diffs" ]; then
	head -n 200 "$WORK/regress/regression.diffs"
fi

step "Isolation specs (test/isolation)"
ISO_TESTS=$(cd "$TOP/test/isolation/specs" && ls *.spec 2>/dev/null | sed 's|\.spec$||' | tr '\n' ' ')
if [ -n "$ISO_TESTS" ]; then
	mkdir -p "$WORK/isolation"
	out=$("$PGXS_DIR/src/test/isolation/pg_isolation_regress" --bindir="$PGBIN" \
		--inputdir="$TOP/test/isolation" --outputdir="$WORK/isolation" --dbname=isolation_regression \
		--load-extension=datalayer $ISO_TESTS 2>&1) || true
	echo "$out" | grep -E '\.\.\.|tests|FAILED' || echo "$out"
	count_regress "$out" isolation
	if [ -s "$WORK/isolation/regression.diffs" ]; then head -n 200 "$WORK/isolation/regression.diffs"; fi
fi
stop_cluster "$WORK/data"
if [ "$DATALAYER_ASAN" = 1 ]; then
	step "Sanitizer reports"
	if ls "$WORK"/asan.* "$WORK"/ubsan.* >/dev/null 2>&1; then
		cat "$WORK"/asan.* "$WORK"/ubsan.* 2>/dev/null | head -n 100
		fail "sanitizer reported errors"
	else
		echo "none"; pass
	fi
fi

# ---- TAP tests: restart, crash, replicas ----
if [ $QUICK -eq 0 ] && ls "$TOP"/test/t/*.pl >/dev/null 2>&1; then
	step "TAP tests (test/t)"
	mkdir -p "$WORK/tap"
	cp -r "$TOP/test/t" "$WORK/tap/"
	[ "$AS_ROOT" -eq 1 ] && chown -R postgres: "$WORK/tap"
	for t in "$WORK"/tap/t/*.pl; do
		name=$(basename "$t")
		rc=0
		tap_out=$(cd "$WORK/tap" && as_server_user env PATH="$PGBIN:$PATH" TESTDIR="$WORK/tap" \
			PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
			perl -I "$PGXS_DIR/src/test/perl" -I "$WORK/tap/t" "$t" 2>&1) || rc=$?
		n_ok=$(echo "$tap_out" | grep -cE '^ok ' || true)
		n_bad=$(echo "$tap_out" | grep -cE '^not ok ' || true)
		echo "$name: $n_ok ok, $n_bad not ok (exit $rc)"
		PASSED=$((PASSED + n_ok))
		for _ in $(seq 1 "$n_bad"); do fail "TAP $name"; done
		if [ $rc -ne 0 ] && [ "$n_bad" -eq 0 ]; then fail "TAP $name exited $rc"; fi
		if [ $rc -ne 0 ] || [ "$n_bad" -ne 0 ]; then
			echo "$tap_out" | tail -n 40
			tail -n 40 "$WORK"/tap/tmp_check/log/*.log 2>/dev/null | tail -n 80 || true
		fi
	done
fi

# ---- fuzz smoke: each harness for a few seconds ----
if [ $QUICK -eq 0 ] && [ -x "$TOP/test/fuzz/run.sh" ] && ls "$TOP"/test/fuzz/fuzz_*.c >/dev/null 2>&1; then
	step "Fuzz smoke (test/fuzz)"
	install_packages clang
	while IFS= read -r line; do
		case "$line" in
			"ok "*) pass; echo "$line" ;;
			"not ok "*) fail "${line#not ok }"; echo "$line" ;;
			*) echo "$line" ;;
		esac
	done < <("$TOP/test/fuzz/run.sh" "${FUZZ_SECONDS:-10}" 2>&1)
fi

echo
if [ $FAILED -gt 0 ]; then
	echo "Failures:"
	printf '  %s\n' "${FAILURES[@]}"
	echo "(logs kept in $WORK)"
fi
echo "$PASSED passed, $FAILED failed"
[ $FAILED -eq 0 ]
