#!/usr/bin/env bash
# The analytics toolkit against what plain PostgreSQL does instead, each pair
# measured in the same run on the same data, alternating, median of --runs:
#  1. percentile_agg + approx_percentile(0.5 and 0.99) against percentile_cont, on
#     10,000,000 float8 values (a mix of log-normal latencies and a log-uniform
#     tail over 20 e-folds), whole table and in 1,000 groups; relative error of
#     the estimates against the exact nearest-rank percentile_disc;
#  2. distinct_count(hll_agg(x)) against count(DISTINCT x), 10,000,000 bigints
#     with 5,000,000 distinct values (each twice, shuffled); relative error;
#  3. series(): one series per host from a TSBS-like cpu(time, hostname,
#     usage_user) table, 1,000 hosts x 8,640 points (10 s for a day), built
#     with CREATE TABLE AS against array_agg(time ORDER BY time),
#     array_agg(usage_user ORDER BY time), and read back with datalayer.unnest
#     against unnest(times, values); bytes of the rows, the arrays and the series;
#  4. lttb(time, v, 1000) over 1,000,000 points, against series(time, v) (the
#     cost of collecting the points) and against count(*).
# Every timing is psql's \timing of one statement, after a CHECKPOINT; sessions
# run with max_parallel_workers_per_gather = 2 (PostgreSQL's default; the
# datalayer aggregates have combine functions and may use parallel workers,
# percentile_cont and count(DISTINCT) cannot).  Prints a markdown table and
# writes bench/results/toolkit.json.
#
#  5. time_bucket_gapfill('1 minute') with locf() over the cpu table of 3 after
#     deleting about 10% of its 30-minute windows per host, against the same
#     result written in plain SQL (hosts x generate_series, LEFT JOIN, window
#     functions for locf) and against plain time_bucket (no filling).
#
#   bench/toolkit/run.sh [--runs 3] [--rows-scale 1] [--out FILE] [--only gapfill]
#                        [--dev | --pg-socket DIR --pg-port N [--pg-user USER]]
#
# Without --dev / --pg-*, the script installs the packages, builds and installs
# datalayer and runs on a throwaway cluster of its own, like the other benches.
# With them, it builds and installs nothing and uses a fresh database
# toolkit_bench_<pid> in an existing cluster that already has datalayer
# installed (and preloaded), dropping the database at the end; --dev means
# --pg-socket /tmp/pgx --pg-port 5499 --pg-user postgres.
# --rows-scale F multiplies the row counts (the hosts of 3; each host keeps its
# 8,640 points; lttb keeps at least 2,000 points); results of a scaled run go
# to bench/results/toolkit-scale<F>.json unless --out says otherwise.
source "$(dirname "$0")/../../scripts/common.sh"

RUNS=3 SCALE=1 OUT="" PG_SOCKET="" PG_PORT="" PG_USER="" ONLY=""
while [ $# -gt 0 ]; do
	case "$1" in
		--runs) RUNS=$2; shift 2 ;;
		--only) ONLY=$2; shift 2 ;;
		--rows-scale) SCALE=$2; shift 2 ;;
		--out) OUT=$2; shift 2 ;;
		--dev) PG_SOCKET=/tmp/pgx PG_PORT=5499 PG_USER=postgres; shift ;;
		--pg-socket) PG_SOCKET=$2; shift 2 ;;
		--pg-port) PG_PORT=$2; shift 2 ;;
		--pg-user) PG_USER=$2; shift 2 ;;
		*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "--runs wants a positive integer" >&2; exit 2; }
if ! [[ $SCALE =~ ^([0-9]+[.]?[0-9]*|[.][0-9]+)$ ]] || ! awk -v f="$SCALE" 'BEGIN {exit !(f > 0)}'; then
	echo "--rows-scale wants a positive number" >&2; exit 2
fi
if [ -n "$PG_SOCKET$PG_PORT" ] && { [ -z "$PG_SOCKET" ] || [ -z "$PG_PORT" ]; }; then
	echo "--pg-socket and --pg-port go together" >&2; exit 2
fi

scaled() {   # scaled BASE MIN: BASE x SCALE, rounded, at least MIN
	awk -v b="$1" -v f="$SCALE" -v m="$2" 'BEGIN {n = int(b * f + 0.5); print (n < m) ? m : n}'
}
PCT_ROWS=$(scaled 10000000 1000)
NGROUPS=1000
HLL_ROWS=$(scaled 10000000 1000)
HLL_DISTINCT=$((HLL_ROWS / 2))
HOSTS=$(scaled 1000 1)
POINTS=8640
LTTB_ROWS=$(scaled 1000000 2000)
LTTB_N=1000
if [ -z "$OUT" ] && [ -n "$ONLY" ]; then
	OUT=$TOP/bench/results/toolkit-$ONLY.json
fi
if [ -z "$OUT" ]; then
	if awk -v f="$SCALE" 'BEGIN {exit !(f == 1)}'; then
		OUT=$TOP/bench/results/toolkit.json
	else
		OUT=$TOP/bench/results/toolkit-scale$SCALE.json
	fi
fi

if [ -n "$PG_SOCKET" ]; then
	# an existing cluster: nothing installed or built, a database of our own
	DB=toolkit_bench_$$
	export PGHOST=$PG_SOCKET PGPORT=$PG_PORT PGUSER=${PG_USER:-postgres}
	trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true' EXIT
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB"
	WHERE="existing cluster $PGHOST:$PGPORT, database $DB"
else
	install_packages "${PACKAGES_BUILD[@]}"
	build_and_install
	WORK=$(server_dir "$(mktemp -d /var/tmp/datalayer-toolkitbench.XXXXXX)")
	trap 'stop_cluster "$WORK/data"; rm -rf "$WORK"' EXIT
	PORT=$((20000 + RANDOM % 20000))
	while ! port_is_free $PORT; do PORT=$((PORT + 1)); done
	init_cluster "$WORK/data" "$WORK" "$PORT"
	start_cluster "$WORK/data" "$WORK/server.log"
	PGUSER=$(db_superuser)
	export PGHOST=$WORK PGPORT=$PORT PGUSER
	DB=bench
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB"
	WHERE="throwaway cluster"
fi
# every session: PostgreSQL's default of 2 workers per Gather, whatever the cluster says
export PGOPTIONS="-c max_parallel_workers_per_gather=2 -c client_min_messages=warning"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
q -c "CREATE EXTENSION datalayer"

median() { sort -g | awk '{a[NR]=$1} END {printf "%.3f\n", (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
# time_ms SQL [PRELUDE]: milliseconds of SQL by psql's \timing, after PRELUDE
# (untimed, e.g. dropping the previous run's table) and a CHECKPOINT
time_ms() {
	local ms
	ms=$(q -c "${2:-SELECT}" -c "CHECKPOINT" -c '\timing on' -c "$1" \
		| sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1)
	[ -n "$ms" ] || { echo "no timing for: $1" >&2; exit 1; }
	echo "$ms"
}
# pair NAME DATALAYER_SQL BASELINE_SQL [PRELUDE_DL PRELUDE_BASE]: --runs rounds,
# datalayer then baseline in each; medians into MS[NAME,dl] and MS[NAME,base]
declare -A MS
pair() {
	local name=$1 dl=() base=() r
	for r in $(seq 1 "$RUNS"); do
		dl+=("$(time_ms "$2" "${4:-}")")
		base+=("$(time_ms "$3" "${5:-}")")
		echo "  $name round $r: datalayer ${dl[-1]} ms, baseline ${base[-1]} ms"
	done
	MS[$name,dl]=$(printf '%s\n' "${dl[@]}" | median)
	MS[$name,base]=$(printf '%s\n' "${base[@]}" | median)
}

step "Settings ($WHERE, rows scale $SCALE, median of $RUNS)"
SETTINGS=$(q -c "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ' ' ORDER BY name) FROM pg_settings
	WHERE name IN ('max_parallel_workers_per_gather', 'max_parallel_workers', 'work_mem', 'shared_buffers', 'jit')")
PG_VERSION=$(q -c "SHOW server_version")
echo "PostgreSQL $PG_VERSION, $SETTINGS, $(nproc) CPUs"

if [ -z "$ONLY" ]; then
# ---- 1. percentiles
step "1. percentile_agg against percentile_cont: $PCT_ROWS values, and in $NGROUPS groups"
q -c "SELECT setseed(0.42)" \
  -c "CREATE TABLE pct AS
	SELECT (g % $NGROUPS)::int AS grp,
	       CASE WHEN g % 3 = 0 THEN exp(random() * 20 - 4)          -- log-uniform, 1.8e-2 .. 8.9e6
	            ELSE exp(3 + 0.5 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))   -- log-normal around 20
	       END AS v
	FROM generate_series(1, $PCT_ROWS) g" \
  -c "VACUUM ANALYZE pct" >/dev/null
pair pct \
	"SELECT datalayer.approx_percentile(0.5, datalayer.percentile_agg(v)), datalayer.approx_percentile(0.99, datalayer.percentile_agg(v)) FROM pct" \
	"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v), percentile_cont(0.99) WITHIN GROUP (ORDER BY v) FROM pct"
# the grouped answers are summed, not printed (and a bare count(*) over the
# subquery would let the planner skip the unused aggregates)
pair pct_grouped \
	"SELECT sum(p50), sum(p99) FROM (SELECT grp, datalayer.approx_percentile(0.5, datalayer.percentile_agg(v)) p50, datalayer.approx_percentile(0.99, datalayer.percentile_agg(v)) p99 FROM pct GROUP BY grp) x" \
	"SELECT sum(p50), sum(p99) FROM (SELECT grp, percentile_cont(0.5) WITHIN GROUP (ORDER BY v) p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY v) p99 FROM pct GROUP BY grp) x"
IFS='|' read -r P50_EXACT P50_APPROX P50_ERR P99_EXACT P99_APPROX P99_ERR SKETCH_ERR < <(q -c "
	SELECT e50, a50, round((abs(a50 - e50) / abs(e50))::numeric, 8),
	       e99, a99, round((abs(a99 - e99) / abs(e99))::numeric, 8), round(datalayer.error(s)::numeric, 8)
	FROM (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY v) e50, percentile_disc(0.99) WITHIN GROUP (ORDER BY v) e99,
	             datalayer.percentile_agg(v) s FROM pct) x,
	     LATERAL (SELECT datalayer.approx_percentile(0.5, s) a50, datalayer.approx_percentile(0.99, s) a99) y")
IFS='|' read -r G50_ERR G99_ERR < <(q -c "
	SELECT round(max(abs(a50 - e50) / abs(e50))::numeric, 8), round(max(abs(a99 - e99) / abs(e99))::numeric, 8)
	FROM (SELECT grp, percentile_disc(0.5) WITHIN GROUP (ORDER BY v) e50, percentile_disc(0.99) WITHIN GROUP (ORDER BY v) e99,
	             datalayer.approx_percentile(0.5, datalayer.percentile_agg(v)) a50,
	             datalayer.approx_percentile(0.99, datalayer.percentile_agg(v)) a99
	      FROM pct GROUP BY grp) x")
echo "  p50 exact $P50_EXACT approx $P50_APPROX (rel. error $P50_ERR); p99 exact $P99_EXACT approx $P99_APPROX (rel. error $P99_ERR); sketch bound $SKETCH_ERR"
echo "  in $NGROUPS groups, largest relative error: p50 $G50_ERR, p99 $G99_ERR"
q -c "DROP TABLE pct"

# ---- 2. distinct counts
step "2. hll_agg against count(DISTINCT): $HLL_ROWS bigints, $HLL_DISTINCT distinct"
# g * 7919 modulo D walks 0 .. D-1 in a shuffled order when 7919 does not divide D;
# the exact count is measured anyway
q -c "CREATE TABLE hll AS SELECT ((g::bigint * 7919) % $HLL_DISTINCT) * 1000003 + 17 AS x FROM generate_series(1, $HLL_ROWS) g" \
  -c "VACUUM ANALYZE hll"
pair hll \
	"SELECT datalayer.distinct_count(datalayer.hll_agg(x)) FROM hll" \
	"SELECT count(DISTINCT x) FROM hll"
IFS='|' read -r HLL_EXACT HLL_APPROX HLL_ERR HLL_STDERR < <(q -c "
	SELECT exact, approx, round((abs(approx - exact)::float8 / exact)::numeric, 8), round(datalayer.stderror(h)::numeric, 8)
	FROM (SELECT count(DISTINCT x) exact, datalayer.hll_agg(x) h FROM hll) x,
	     LATERAL (SELECT datalayer.distinct_count(h) approx) y")
echo "  exact $HLL_EXACT, estimate $HLL_APPROX, relative error $HLL_ERR (standard error $HLL_STDERR)"
q -c "DROP TABLE hll"
fi

# ---- 3. series round trip
CPU_ROWS=$((HOSTS * POINTS))
make_cpu() {
# usage_user: per host a random walk, steps uniform in [-1, 1], folded into
# [0, 100] and rounded to 2 decimals (as bench/tsbs); rows in time-major order
q -c "SELECT setseed(0.42)" \
  -c "CREATE TABLE cpu AS
	SELECT timestamptz '2016-01-01 00:00+00' + i * interval '10 seconds' AS time, 'host_' || h AS hostname,
	       round((100 - abs(100 - (w - 200 * floor(w / 200))))::numeric, 2)::float8 AS usage_user
	FROM (SELECT h, i, (h * 37) % 100 + sum(random() * 2 - 1) OVER (PARTITION BY h ORDER BY i) AS w
	      FROM generate_series(0, $HOSTS - 1) h, generate_series(0, $POINTS - 1) i) walks
	ORDER BY i, h" \
  -c "VACUUM ANALYZE cpu" >/dev/null
}

gapfill_section() {
	step "5. time_bucket_gapfill with locf, 1-minute buckets, $HOSTS hosts x 1440 minutes, ~10% of 30-minute windows missing"
	q -c "DELETE FROM cpu WHERE abs(hashtext(hostname || (extract(epoch FROM time)::bigint / 1800)::text)) % 10 = 0" \
	  -c "VACUUM ANALYZE cpu" >/dev/null
	local range="time >= '2016-01-01 00:00+00' AND time < '2016-01-02 00:00+00'"
	local gf="SELECT count(*), count(v), round(sum(v)::numeric, 2) FROM (SELECT hostname, datalayer.time_bucket_gapfill('1 minute', time) b,
		datalayer.locf(avg(usage_user)) v FROM cpu WHERE $range GROUP BY 1, 2) x"
	local manual="WITH agg AS (SELECT hostname, datalayer.time_bucket('1 minute', time) b, avg(usage_user) v FROM cpu WHERE $range GROUP BY 1, 2),
		grid AS (SELECT h.hostname, g AS b FROM (SELECT DISTINCT hostname FROM cpu) h,
		         generate_series(timestamptz '2016-01-01 00:00+00', '2016-01-01 23:59+00', interval '1 minute') g),
		j AS (SELECT grid.hostname, grid.b, agg.v, count(agg.v) OVER (PARTITION BY grid.hostname ORDER BY grid.b) AS grp
		      FROM grid LEFT JOIN agg USING (hostname, b))
		SELECT count(*), count(v), round(sum(v)::numeric, 2) FROM (SELECT first_value(v) OVER (PARTITION BY hostname, grp ORDER BY b) v FROM j) x"
	local plain="SELECT count(*), count(v), round(sum(v)::numeric, 2) FROM (SELECT hostname, datalayer.time_bucket('1 minute', time) b,
		avg(usage_user) v FROM cpu WHERE $range GROUP BY 1, 2) x"
	GF_RESULT=$(q -c "$gf")
	GF_MANUAL=$(q -c "$manual")
	[ "$GF_RESULT" = "$GF_MANUAL" ] || { echo "gapfill gave $GF_RESULT, plain SQL $GF_MANUAL" >&2; exit 1; }
	echo "  rows, filled values, sum: $GF_RESULT (the same from both)"
	pair gapfill_vs_sql "$gf" "$manual"
	pair gapfill_vs_plain "$gf" "$plain"
}

if [ "$ONLY" = gapfill ]; then
	step "cpu table: $HOSTS hosts x $POINTS points"
	make_cpu
	gapfill_section
	step "Results"
	echo "| measurement | datalayer | baseline | ratio |"
	echo "| --- | ---: | ---: | ---: |"
	echo "| gapfill + locf, $HOSTS hosts x 1440 minutes | ${MS[gapfill_vs_sql,dl]} ms | ${MS[gapfill_vs_sql,base]} ms: plain SQL | $(ratio "${MS[gapfill_vs_sql,dl]}" "${MS[gapfill_vs_sql,base]}") |"
	echo "| gapfill + locf, $HOSTS hosts x 1440 minutes | ${MS[gapfill_vs_plain,dl]} ms | ${MS[gapfill_vs_plain,base]} ms: time_bucket, no filling | $(ratio "${MS[gapfill_vs_plain,dl]}" "${MS[gapfill_vs_plain,base]}") |"
	mkdir -p "$(dirname "$OUT")"
	printf '{"benchmark": "toolkit-gapfill", "date": "%s", "postgres": "%s", "settings": "%s", "hosts": %s, "result": "%s",\n "vs_plain_sql": {"datalayer_ms": %s, "baseline_ms": %s}, "vs_time_bucket": {"datalayer_ms": %s, "baseline_ms": %s}}\n' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$PG_VERSION" "$SETTINGS" "$HOSTS" "$GF_RESULT" \
		"${MS[gapfill_vs_sql,dl]}" "${MS[gapfill_vs_sql,base]}" "${MS[gapfill_vs_plain,dl]}" "${MS[gapfill_vs_plain,base]}" > "$OUT"
	echo "written to ${OUT#"$TOP"/}"
	exit 0
fi

step "3. series() and unnest() against arrays: $HOSTS hosts x $POINTS points = $CPU_ROWS rows"
make_cpu
pair series_build \
	"CREATE TABLE s AS SELECT hostname, datalayer.series(time, usage_user) s FROM cpu GROUP BY 1" \
	"CREATE TABLE a AS SELECT hostname, array_agg(time ORDER BY time) times, array_agg(usage_user ORDER BY time) vals FROM cpu GROUP BY 1" \
	"DROP TABLE IF EXISTS s" "DROP TABLE IF EXISTS a"
q -c "VACUUM ANALYZE s" -c "VACUUM ANALYZE a"
pair series_unnest \
	"SELECT count(*) FROM s, datalayer.unnest(s.s)" \
	"SELECT count(*) FROM a, unnest(a.times, a.vals)"
N_S=$(q -c "SELECT count(*) FROM s, datalayer.unnest(s.s)")
N_A=$(q -c "SELECT count(*) FROM a, unnest(a.times, a.vals)")
if [ "$N_S" != "$CPU_ROWS" ] || [ "$N_A" != "$CPU_ROWS" ]; then
	echo "unnest gave $N_S (series) and $N_A (arrays) rows, expected $CPU_ROWS" >&2; exit 1
fi
DIFFER=$(q -c "SELECT count(*) FROM s CROSS JOIN LATERAL datalayer.unnest(s.s) u
	FULL JOIN cpu c ON c.hostname = s.hostname AND c.time = u.time
	WHERE (c.time, c.usage_user) IS DISTINCT FROM (u.time, u.value)")
[ "$DIFFER" = 0 ] || { echo "$DIFFER points differ between cpu and its series" >&2; exit 1; }
BYTES_ROWS=$(q -c "SELECT pg_total_relation_size('cpu')")
BYTES_ARRAYS=$(q -c "SELECT pg_total_relation_size('a')")
BYTES_SERIES=$(q -c "SELECT pg_total_relation_size('s')")
echo "  $CPU_ROWS points round-trip unchanged; bytes: rows $BYTES_ROWS, arrays $BYTES_ARRAYS, series $BYTES_SERIES"
q -c "DROP TABLE s, a"
gapfill_section
q -c "DROP TABLE cpu"

# ---- 4. lttb
step "4. lttb of $LTTB_ROWS points down to $LTTB_N"
q -c "SELECT setseed(0.42)" \
  -c "CREATE TABLE lt AS
	SELECT timestamptz '2024-01-01 00:00+00' + g * interval '1 second' AS time,
	       50 + 30 * sin(g / 3600.0) + 5 * random() + CASE WHEN g % 9973 = 0 THEN 40 ELSE 0 END AS v
	FROM generate_series(1, $LTTB_ROWS) g" \
  -c "VACUUM ANALYZE lt" >/dev/null
# length() of the result, so that no series is printed; then count(*) alone
pair lttb_vs_series \
	"SELECT datalayer.length(datalayer.lttb(time, v, $LTTB_N)) FROM lt" \
	"SELECT datalayer.length(datalayer.series(time, v)) FROM lt"
ms=()
for _ in $(seq 1 "$RUNS"); do ms+=("$(time_ms "SELECT count(*) FROM lt")"); done
MS[lttb_vs_count,dl]=${MS[lttb_vs_series,dl]}
MS[lttb_vs_count,base]=$(printf '%s\n' "${ms[@]}" | median)
echo "  count(*): ${ms[*]} ms"
LTTB_LEN=$(q -c "SELECT datalayer.length(datalayer.lttb(time, v, $LTTB_N)) FROM lt")
[ "$LTTB_LEN" = "$LTTB_N" ] || { echo "lttb gave $LTTB_LEN points, expected $LTTB_N" >&2; exit 1; }
q -c "DROP TABLE lt"

# ---- results
step "Results"
echo "PostgreSQL $PG_VERSION, $SETTINGS, $(nproc) CPUs; rows scale $SCALE; median of $RUNS; ratio = datalayer / baseline (below 1: datalayer faster or smaller)"
echo
row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4"; }
trow() { row "$1" "${MS[$2,dl]} ms" "${MS[$2,base]} ms: $3" "$(ratio "${MS[$2,dl]}" "${MS[$2,base]}")"; }
row measurement datalayer baseline ratio
row --- ---: ---: ---:
trow "p50 + p99 of $PCT_ROWS float8" pct "percentile_cont"
trow "p50 + p99 in $NGROUPS groups" pct_grouped "percentile_cont"
trow "distinct count of $HLL_ROWS bigints" hll "count(DISTINCT)"
trow "build $HOSTS series x $POINTS points" series_build "array_agg x 2"
trow "unnest $CPU_ROWS points" series_unnest "unnest(arrays)"
row "bytes of $CPU_ROWS points" "$BYTES_SERIES" "$BYTES_ROWS: rows" "$(ratio "$BYTES_SERIES" "$BYTES_ROWS")"
row "bytes of $CPU_ROWS points" "$BYTES_SERIES" "$BYTES_ARRAYS: arrays" "$(ratio "$BYTES_SERIES" "$BYTES_ARRAYS")"
trow "lttb $LTTB_ROWS -> $LTTB_N points" lttb_vs_series "series()"
trow "lttb $LTTB_ROWS -> $LTTB_N points" lttb_vs_count "count(*)"
trow "gapfill + locf, $HOSTS hosts x 1440 minutes" gapfill_vs_sql "plain SQL"
trow "gapfill + locf, $HOSTS hosts x 1440 minutes" gapfill_vs_plain "time_bucket, no filling"
echo
row accuracy estimate exact "relative error"
row --- ---: ---: ---:
row "p50, $PCT_ROWS float8" "$P50_APPROX" "$P50_EXACT" "$P50_ERR"
row "p99, $PCT_ROWS float8" "$P99_APPROX" "$P99_EXACT" "$P99_ERR"
row "p50 / p99, worst of $NGROUPS groups" "" "" "$G50_ERR / $G99_ERR"
row "distinct count, $HLL_ROWS bigints" "$HLL_APPROX" "$HLL_EXACT" "$HLL_ERR"
echo
echo "exact percentiles: percentile_disc (nearest rank); the sketch's relative error bound is $SKETCH_ERR, the hyperloglog's standard error $HLL_STDERR"

mkdir -p "$(dirname "$OUT")"
pj() { printf '{"datalayer_ms": %s, "baseline_ms": %s, "ratio": %s}' "${MS[$1,dl]}" "${MS[$1,base]}" "$(ratio "${MS[$1,dl]}" "${MS[$1,base]}")"; }
{
	printf '{"benchmark": "toolkit", "date": "%s", "postgres": "%s", "settings": "%s", "cpus": %s,\n' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$PG_VERSION" "$SETTINGS" "$(nproc)"
	printf ' "rows_scale": %s, "runs": %s, "ratio": "datalayer / baseline",\n' "$SCALE" "$RUNS"
	printf ' "percentile": {"rows": %s, "groups": %s, "baseline": "percentile_cont", "whole": %s, "grouped": %s,\n' \
		"$PCT_ROWS" "$NGROUPS" "$(pj pct)" "$(pj pct_grouped)"
	printf '   "accuracy": {"exact": "percentile_disc", "p50": {"exact": %s, "approx": %s, "rel_error": %s}, "p99": {"exact": %s, "approx": %s, "rel_error": %s}, "sketch_error_bound": %s, "grouped_max_rel_error": {"p50": %s, "p99": %s}}},\n' \
		"$P50_EXACT" "$P50_APPROX" "$P50_ERR" "$P99_EXACT" "$P99_APPROX" "$P99_ERR" "$SKETCH_ERR" "$G50_ERR" "$G99_ERR"
	printf ' "distinct": {"rows": %s, "baseline": "count(DISTINCT)", "timing": %s, "exact": %s, "approx": %s, "rel_error": %s, "stderror": %s},\n' \
		"$HLL_ROWS" "$(pj hll)" "$HLL_EXACT" "$HLL_APPROX" "$HLL_ERR" "$HLL_STDERR"
	printf ' "series": {"hosts": %s, "points": %s, "rows": %s, "baseline": "array_agg(time), array_agg(usage_user) ORDER BY time", "build": %s, "unnest": %s,\n' \
		"$HOSTS" "$POINTS" "$CPU_ROWS" "$(pj series_build)" "$(pj series_unnest)"
	printf '   "bytes": {"rows": %s, "arrays": %s, "series": %s}},\n' "$BYTES_ROWS" "$BYTES_ARRAYS" "$BYTES_SERIES"
	printf ' "lttb": {"rows": %s, "n": %s, "vs_series": %s, "vs_count": %s},\n' \
		"$LTTB_ROWS" "$LTTB_N" "$(pj lttb_vs_series)" "$(pj lttb_vs_count)"
	printf ' "gapfill": {"result": "%s", "vs_plain_sql": %s, "vs_time_bucket": %s}}\n' \
		"$GF_RESULT" "$(pj gapfill_vs_sql)" "$(pj gapfill_vs_plain)"
} > "$OUT"
echo "written to ${OUT#"$TOP"/}"
