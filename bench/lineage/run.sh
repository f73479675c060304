#!/usr/bin/env bash
# The cost of lineage capture, capture on against off in the same run:
#  - pgbench's default TPC-B-like workload (scale 10, 2 clients), rounds of
#    --seconds each, on and off alternating, median transactions/s;
#  - a 10-million-row INSERT ... SELECT, on and off alternating, median time;
#  - an OpenLineage export of a schema of 500 tables and 2,000 edges: time and size.
#
#   bench/lineage/run.sh [--rounds 7] [--seconds 30] [--rows 10000000]
source "$(dirname "$0")/../../scripts/common.sh"

ROUNDS=7 SECONDS_EACH=30 ROWS=10000000
while [ $# -gt 0 ]; do
	case "$1" in
		--rounds) ROUNDS=$2; shift 2 ;;
		--seconds) SECONDS_EACH=$2; shift 2 ;;
		--rows) ROWS=$2; shift 2 ;;
		*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
done

install_packages "${PACKAGES_BUILD[@]}" postgresql-contrib
build_and_install
WORK=$(server_dir "$(mktemp -d /var/tmp/datalayer-lineagebench.XXXXXX)")
trap 'stop_cluster "$WORK/data"; rm -rf "$WORK"' EXIT
PORT=$((20000 + RANDOM % 20000))
while ! port_is_free $PORT; do PORT=$((PORT + 1)); done
init_cluster "$WORK/data" "$WORK" "$PORT"
start_cluster "$WORK/data" "$WORK/server.log"
export PGHOST=$WORK PGPORT=$PORT PGUSER=$(db_superuser)
psql -X -q -d postgres -c "CREATE DATABASE bench"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d bench "$@"; }
q -c "CREATE EXTENSION datalayer"
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

step "pgbench TPC-B, scale 10, 2 clients, $ROUNDS rounds of ${SECONDS_EACH}s each way"
"$PGBIN/pgbench" -q -i -s 10 bench >/dev/null 2>&1
on=() off=()
for r in $(seq 1 "$ROUNDS"); do
	modes="on off"; [ $((r % 2)) -eq 0 ] && modes="off on"   # alternate which goes first
	for mode in $modes; do
		# pgbench vacuums its tables before each run (no -n), so the updated
		# branches and tellers do not bloat from round to round
		q -c "CHECKPOINT"
		tps=$(PGOPTIONS="-c datalayer.lineage_capture=$mode" "$PGBIN/pgbench" -c 2 -j 2 -T "$SECONDS_EACH" bench 2>/dev/null \
			| sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
		echo "round $r capture $mode: $tps tps"
		if [ $mode = on ]; then on+=("$tps"); else off+=("$tps"); fi
	done
done
TPS_ON=$(printf '%s\n' "${on[@]}" | median)
TPS_OFF=$(printf '%s\n' "${off[@]}" | median)
# each round's on/off pair ran back to back: the median of the pairs' ratios
# cancels drift across rounds
paired() { local -n a=$1 b=$2; for i in "${!a[@]}"; do awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN {print x / y}'; done | median; }
TPS_PAIRED=$(paired on off)

step "INSERT ... SELECT of $ROWS rows, $ROUNDS times each way"
q -c "CREATE TABLE src AS SELECT g AS id, g * 0.5 AS v, 'x' || g % 100 AS tag FROM generate_series(1, $ROWS) g" \
  -c "CREATE TABLE dst (id int, v numeric, tag text)" -c "VACUUM ANALYZE src"
on=() off=()
for r in $(seq 1 "$ROUNDS"); do
	modes="on off"; [ $((r % 2)) -eq 0 ] && modes="off on"   # alternate which goes first
	for mode in $modes; do
		q -c "TRUNCATE dst" -c "CHECKPOINT"
		ms=$(q -c "SET datalayer.lineage_capture = $mode" -c '\timing on' \
			-c "INSERT INTO dst SELECT id, v, tag FROM src" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
		echo "round $r capture $mode: $ms ms"
		if [ $mode = on ]; then on+=("$ms"); else off+=("$ms"); fi
	done
done
INS_ON=$(printf '%s\n' "${on[@]}" | median)
INS_OFF=$(printf '%s\n' "${off[@]}" | median)
INS_PAIRED=$(paired on off)
[ "$(q -c "SELECT times_seen FROM datalayer.lineage_edges WHERE target = 'public.dst'")" = "$ROUNDS" ] \
	|| { echo "expected $ROUNDS observations of src -> dst" >&2; exit 1; }

step "OpenLineage export: 500 tables, 2,000 edges"
q -c "CREATE SCHEMA wide"
q -c "DO \$\$ BEGIN FOR i IN 1..500 LOOP EXECUTE format('CREATE TABLE wide.t%s (a int, b numeric, c text)', i); END LOOP; END \$\$"
# 2,000 distinct edges: table i feeds tables i+1 .. i+4 (wrapping)
q -c "DO \$\$ BEGIN FOR i IN 1..500 LOOP FOR k IN 1..4 LOOP
	EXECUTE format('INSERT INTO wide.t%s (a, b, c) SELECT a, b * 2, upper(c) FROM wide.t%s WHERE a > 0', (i + k - 1) % 500 + 1, i);
	END LOOP; END LOOP; END \$\$"
EDGES=$(q -c "SELECT count(*) FROM datalayer.lineage_edges WHERE source LIKE 'wide.%'")
EXPORT_MS=$(q -c '\timing on' -c "SELECT count(*) FROM datalayer.lineage_openlineage()" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
EXPORT_BYTES=$(q -c "SELECT sum(octet_length(e::text)) FROM datalayer.lineage_openlineage() e")
EVENTS=$(q -c "SELECT count(*) FROM datalayer.lineage_openlineage() e")
q -c "SELECT datalayer.lineage_compact()" >/dev/null
EXPORT2_MS=$(q -c '\timing on' -c "SELECT count(*) FROM datalayer.lineage_openlineage()" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')

step "Results"
printf 'pgbench TPC-B tps: capture on %s, off %s, ratio %s, median of paired ratios %.3f\n' "$TPS_ON" "$TPS_OFF" \
	"$(awk -v a="$TPS_ON" -v b="$TPS_OFF" 'BEGIN {printf "%.3f", a / b}')" "$TPS_PAIRED"
printf 'INSERT ... SELECT %s rows: on %s ms, off %s ms, ratio %s, median of paired ratios %.3f\n' "$ROWS" "$INS_ON" "$INS_OFF" \
	"$(awk -v a="$INS_ON" -v b="$INS_OFF" 'BEGIN {printf "%.3f", a / b}')" "$INS_PAIRED"
printf 'OpenLineage export: %s edges, %s events, %s bytes, %s ms before compaction, %s ms after\n' \
	"$EDGES" "$EVENTS" "$EXPORT_BYTES" "$EXPORT_MS" "$EXPORT2_MS"
mkdir -p "$TOP/bench/results"
printf '{"benchmark": "lineage-overhead", "date": "%s", "pgbench_tps": {"on": %s, "off": %s, "paired_ratio": %s}, "insert_select_ms": {"rows": %s, "on": %s, "off": %s, "paired_ratio": %s}, "openlineage_export": {"edges": %s, "events": %s, "bytes": %s, "ms": %s, "ms_after_compaction": %s}}\n' \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$TPS_ON" "$TPS_OFF" "$TPS_PAIRED" "$ROWS" "$INS_ON" "$INS_OFF" "$INS_PAIRED" "$EDGES" "$EVENTS" \
	"$EXPORT_BYTES" "$EXPORT_MS" "$EXPORT2_MS" > "$TOP/bench/results/lineage-overhead.json"
echo "written to bench/results/lineage-overhead.json"
