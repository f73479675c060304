#!/usr/bin/env bash
# TSBS cpu-only benchmark: a plain heap table against a datalayer metric table
# and a datalayer_columnar table, loaded and queried in the same run on the
# same cluster.
#
#   bench/tsbs/run.sh [--hosts 1000] [--hours 24] [--precision 2|full] [--runs 5]
#
# All tables get a btree on (hostname, time).  Load: server-side COPY of the
# same generated file, rows/s.  Size: total relation size (all partitions and
# indexes), bytes/row.  Queries q1-q8 (the issue's list, plain SQL that also runs
# on TimescaleDB or Citus): median of --runs warm runs after one warm-up.
# Prints a table and writes bench/results/tsbs-<precision>-<hosts>x<hours>h.json.
source "$(dirname "$0")/../../scripts/common.sh"

HOSTS=1000 HOURS=24 PRECISION=2 RUNS=5 CHUNK='6 hours'
while [ $# -gt 0 ]; do
	case "$1" in
		--hosts) HOSTS=$2; shift 2 ;;
		--hours) HOURS=$2; shift 2 ;;
		--precision) PRECISION=$2; shift 2 ;;
		--runs) RUNS=$2; shift 2 ;;
		--chunk) CHUNK=$2; shift 2 ;;
		*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
done

bench_setup

step "Generating $HOSTS hosts x $HOURS h ($PRECISION decimals)"
tsbs_generate "$WORK" "$HOSTS" "$HOURS" "$PRECISION"
ROWS=$(wc -l < "$WORK/cpu.tsv")
echo "$ROWS rows, $(du -h "$WORK/cpu.tsv" | cut -f1) of text"

start_bench_cluster "$WORK"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d bench "$@"; }
# milliseconds taken by one statement, measured by the server-side clock
time_ms() {
	q -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1
}

COLUMNS_SQL="time timestamptz NOT NULL, hostname text, region text, datacenter text,
	usage_user float8, usage_system float8, usage_idle float8, usage_nice float8, usage_iowait float8,
	usage_irq float8, usage_softirq float8, usage_steal float8, usage_guest float8, usage_guest_nice float8"
q -c "CREATE EXTENSION datalayer"
q -c "CREATE TABLE cpu_heap ($COLUMNS_SQL); CREATE INDEX ON cpu_heap (hostname, time)"
q -c "CREATE TABLE cpu_metric ($COLUMNS_SQL);
      SELECT count(*) FROM datalayer.create_metric_table('cpu_metric', 'time', interval '$CHUNK', migrate_data => false);
      SELECT count(*) FROM datalayer.create_chunks('cpu_metric', '2016-01-01 00:00+00'::timestamptz,
                                                   '2016-01-01 00:00+00'::timestamptz + interval '$HOURS hours');
      CREATE INDEX ON cpu_metric (hostname, time)" >/dev/null
q -c "CREATE TABLE cpu_columnar ($COLUMNS_SQL) USING datalayer_columnar; CREATE INDEX ON cpu_columnar (hostname, time)"

TABLES="cpu_heap cpu_metric cpu_columnar"
declare -A LOAD_MS SIZE
for t in $TABLES; do
	step "COPY into $t"
	q -c "CHECKPOINT"
	LOAD_MS[$t]=$(time_ms "COPY $t FROM '$WORK/cpu.tsv'")
	q -c "VACUUM ANALYZE $t"
	SIZE[$t]=$(q -c "SELECT CASE WHEN c.relkind = 'p' THEN (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree(c.oid)) ELSE pg_total_relation_size(c.oid) END FROM pg_class c WHERE c.oid = '$t'::regclass")
	echo "${LOAD_MS[$t]} ms, ${SIZE[$t]} bytes"
done
step "ALTER TABLE ... SET ACCESS METHOD datalayer_columnar of a heap copy"
q -c "CREATE TABLE cpu_alter AS SELECT * FROM cpu_heap; CHECKPOINT"
ALTER_MS=$(time_ms "ALTER TABLE cpu_alter SET ACCESS METHOD datalayer_columnar")
[ "$(q -c "SELECT count(*) FROM cpu_alter")" = "$ROWS" ] || { echo "ALTER lost rows" >&2; exit 1; }
q -c "DROP TABLE cpu_alter"
echo "$ALTER_MS ms"
[ "$(q -c "SELECT count(*) FROM ONLY cpu_metric_default")" = 0 ] || { echo "rows fell into the default partition" >&2; exit 1; }

T0="'2016-01-01 00:00+00'::timestamptz"
MID="$T0 + interval '$HOURS hours' / 2"
declare -A QUERY
QUERY[q1]="SELECT date_trunc('minute', time) AS minute, max(usage_user) FROM TBL WHERE hostname = 'host_17' AND time >= $MID AND time < $MID + interval '1 hour' GROUP BY 1 ORDER BY 1"
QUERY[q2]="SELECT date_trunc('minute', time) AS minute, max(usage_user), max(usage_system), max(usage_idle), max(usage_nice), max(usage_iowait) FROM TBL WHERE hostname = 'host_17' AND time >= $MID - interval '6 hours' AND time < $MID + interval '6 hours' GROUP BY 1 ORDER BY 1"
QUERY[q3]="SELECT date_trunc('hour', time) AS hour, hostname, avg(usage_user) FROM TBL GROUP BY 1, 2"
QUERY[q4]="SELECT date_trunc('hour', time) AS hour, hostname, avg(usage_user), avg(usage_system), avg(usage_idle), avg(usage_nice), avg(usage_iowait), avg(usage_irq), avg(usage_softirq), avg(usage_steal), avg(usage_guest), avg(usage_guest_nice) FROM TBL GROUP BY 1, 2"
QUERY[q5]="SELECT count(*) FROM TBL WHERE usage_user > 90"
QUERY[q6]="SELECT DISTINCT ON (hostname) * FROM TBL ORDER BY hostname, time DESC"
QUERY[q7]="SELECT date_trunc('minute', time) AS minute, max(usage_user) FROM TBL WHERE time < $MID AND time >= $MID - interval '5 minutes' GROUP BY 1 ORDER BY 1 DESC LIMIT 5"
QUERY[q8]="SELECT avg(usage_user), count(*) FROM TBL"

canonical() {
	awk -F'|' -v OFS='|' '{for (i = 1; i <= NF; i++) if ($i ~ /^-?[0-9]+[.][0-9]+(e[-+]?[0-9]+)?$/) $i = sprintf("%.9g", $i); print}' | sort
}
declare -A MEDIAN
for name in q1 q2 q3 q4 q5 q6 q7 q8; do
	for t in $TABLES; do
		sql=${QUERY[$name]//TBL/$t}
		time_ms "$sql" >/dev/null
		times=()
		for _ in $(seq 1 "$RUNS"); do times+=("$(time_ms "$sql")"); done
		MEDIAN[$name,$t]=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
	done
	# same answers from both tables (floating-point sums to 9 significant digits:
	# the order of additions differs between plans)
	a=$(q -c "${QUERY[$name]//TBL/cpu_heap}" | canonical | md5sum)
	b=$(q -c "${QUERY[$name]//TBL/cpu_metric}" | canonical | md5sum)
	[ "$a" = "$b" ] || { echo "$name: results differ between heap and metric table" >&2; exit 1; }
	c=$(q -c "${QUERY[$name]//TBL/cpu_columnar}" | canonical | md5sum)
	[ "$a" = "$c" ] || { echo "$name: results differ between heap and columnar table" >&2; exit 1; }
done

rate() { awk -v r="$ROWS" -v ms="$1" 'BEGIN {printf "%.0f", r / (ms / 1000)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "TSBS cpu-only, $HOSTS hosts x $HOURS h = $ROWS rows, $PRECISION decimals, chunk $CHUNK, median of $RUNS"
printf '%-11s %14s %14s %8s %14s %8s\n' measure heap metric_table ratio columnar ratio
printf '%-11s %14s %14s %8s %14s %8s\n' "COPY rows/s" "$(rate "${LOAD_MS[cpu_heap]}")" "$(rate "${LOAD_MS[cpu_metric]}")" \
	"$(ratio "$(rate "${LOAD_MS[cpu_metric]}")" "$(rate "${LOAD_MS[cpu_heap]}")")" \
	"$(rate "${LOAD_MS[cpu_columnar]}")" "$(ratio "$(rate "${LOAD_MS[cpu_columnar]}")" "$(rate "${LOAD_MS[cpu_heap]}")")"
printf '%-11s %14s %14s %8s %14s %8s\n' "bytes/row" "$((SIZE[cpu_heap] / ROWS))" "$((SIZE[cpu_metric] / ROWS))" \
	"$(ratio "${SIZE[cpu_metric]}" "${SIZE[cpu_heap]}")" \
	"$(awk -v s="${SIZE[cpu_columnar]}" -v r="$ROWS" 'BEGIN {printf "%.1f", s / r}')" "$(ratio "${SIZE[cpu_columnar]}" "${SIZE[cpu_heap]}")"
printf '%-11s %14s\n' "ALTER rows/s" "$(rate "$ALTER_MS")"
for name in q1 q2 q3 q4 q5 q6 q7 q8; do
	printf '%-11s %11s ms %11s ms %8s %11s ms %8s\n' "$name" "${MEDIAN[$name,cpu_heap]}" "${MEDIAN[$name,cpu_metric]}" \
		"$(ratio "${MEDIAN[$name,cpu_metric]}" "${MEDIAN[$name,cpu_heap]}")" \
		"${MEDIAN[$name,cpu_columnar]}" "$(ratio "${MEDIAN[$name,cpu_columnar]}" "${MEDIAN[$name,cpu_heap]}")"
done

mkdir -p "$TOP/bench/results"
out="$TOP/bench/results/tsbs-$PRECISION-${HOSTS}x${HOURS}h.json"
{
	printf '{"benchmark": "tsbs-cpu-only", "hosts": %s, "hours": %s, "rows": %s, "precision": "%s", "chunk": "%s", "runs": %s,\n' \
		"$HOSTS" "$HOURS" "$ROWS" "$PRECISION" "$CHUNK" "$RUNS"
	printf ' "date": "%s", "postgres": "%s",\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(q -c 'SHOW server_version')"
	printf ' "load_ms": {"heap": %s, "metric_table": %s, "columnar": %s},\n' "${LOAD_MS[cpu_heap]}" "${LOAD_MS[cpu_metric]}" "${LOAD_MS[cpu_columnar]}"
	printf ' "alter_to_columnar_ms": %s,\n' "$ALTER_MS"
	printf ' "total_bytes": {"heap": %s, "metric_table": %s, "columnar": %s},\n' "${SIZE[cpu_heap]}" "${SIZE[cpu_metric]}" "${SIZE[cpu_columnar]}"
	printf ' "query_ms": {'
	sep=""
	for name in q1 q2 q3 q4 q5 q6 q7 q8; do
		printf '%s"%s": {"heap": %s, "metric_table": %s, "columnar": %s}' "$sep" "$name" "${MEDIAN[$name,cpu_heap]}" "${MEDIAN[$name,cpu_metric]}" "${MEDIAN[$name,cpu_columnar]}"
		sep=", "
	done
	printf '}}\n'
} > "$out"
echo "written to ${out#$TOP/}"
