#!/usr/bin/env bash
# Rolling retention on a columnar table against heap: the TSBS cpu rows are
# cut into --slices equal time slices; each cycle loads the next slice (COPY),
# deletes the oldest one still kept and runs plain VACUUM, so --keep slices
# stay.  Both tables have a btree on (hostname, time).  After each cycle the
# table's own size (main fork) and its total size with the index are taken.
# A columnar table whose VACUUM did not reuse the pages of freed row groups
# would grow by a slice's size every cycle; it should level off as heap does.
#
#   bench/retention/run.sh [--hosts 200] [--hours 24] [--slices 8] [--keep 2]
#
# Prints a table and writes bench/results/retention.json.
source "$(dirname "$0")/../../scripts/common.sh"

HOSTS=200 HOURS=24 SLICES=8 KEEP=2
while [ $# -gt 0 ]; do
	case "$1" in
		--hosts) HOSTS=$2; shift 2 ;;
		--hours) HOURS=$2; shift 2 ;;
		--slices) SLICES=$2; shift 2 ;;
		--keep) KEEP=$2; shift 2 ;;
		*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
done

bench_setup

step "Generating $HOSTS hosts x $HOURS h in $SLICES slices"
tsbs_generate "$WORK" "$HOSTS" "$HOURS" 2
ROWS=$(wc -l < "$WORK/cpu.tsv")
# the rows are in time order: equal line counts are equal time slices
PER=$(( (ROWS + SLICES - 1) / SLICES ))
split -l "$PER" -d -a 3 "$WORK/cpu.tsv" "$WORK/slice."
[ "$AS_ROOT" -eq 1 ] && chown postgres: "$WORK"/slice.*

start_bench_cluster "$WORK"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d bench "$@"; }

COLUMNS_SQL="time timestamptz NOT NULL, hostname text, region text, datacenter text,
	usage_user float8, usage_system float8, usage_idle float8, usage_nice float8, usage_iowait float8,
	usage_irq float8, usage_softirq float8, usage_steal float8, usage_guest float8, usage_guest_nice float8"
q -c "CREATE EXTENSION datalayer"
q -c "CREATE TABLE r_heap ($COLUMNS_SQL); CREATE INDEX ON r_heap (hostname, time)"
q -c "CREATE TABLE r_col ($COLUMNS_SQL) USING datalayer_columnar; CREATE INDEX ON r_col (hostname, time)"
q -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" >/dev/null

mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
declare -a LINES
JSON="["
i=0
FILES=("$WORK"/slice.*)
for f in "${FILES[@]}"; do
	i=$((i + 1))
	for t in r_heap r_col; do
		q -c "COPY $t FROM '$f'"
		if [ "$i" -gt "$KEEP" ]; then
			# keep the last KEEP slices: drop rows older than the first of them
			cutoff=$(head -n 1 "${FILES[$((i - KEEP))]}" | cut -f1)
			q -c "DELETE FROM $t WHERE time < '$cutoff'"
		fi
		q -c "VACUUM $t"
	done
	# same rows in both
	a=$(q -c "SELECT count(*), sum(usage_user::numeric) FROM r_heap")
	b=$(q -c "SELECT count(*), sum(usage_user::numeric) FROM r_col")
	[ "$a" = "$b" ] || { echo "cycle $i: heap has $a, columnar $b" >&2; exit 1; }
	read -r hrows hmain htotal < <(q -F' ' -c "SELECT (SELECT count(*) FROM r_heap), pg_relation_size('r_heap'), pg_total_relation_size('r_heap')")
	read -r cmain ctotal cfree < <(q -F' ' -c "SELECT pg_relation_size('r_col'), pg_total_relation_size('r_col'), (SELECT coalesce(sum(blocks), 0) * 8192 FROM datalayer.columnar_free_space('r_col'))")
	LINES+=("$(printf '%5d %10d %10s %10s %10s %10s %10s' "$i" "$hrows" "$(mb "$hmain")" "$(mb "$htotal")" "$(mb "$cmain")" "$(mb "$ctotal")" "$(mb "$cfree")")")
	[ "$i" -gt 1 ] && JSON+=","
	JSON+="{\"cycle\":$i,\"rows\":$hrows,\"heap_bytes\":$hmain,\"heap_total_bytes\":$htotal,\"columnar_bytes\":$cmain,\"columnar_total_bytes\":$ctotal,\"columnar_free_bytes\":$cfree}"
done
JSON+="]"

echo
echo "Rolling retention: $HOSTS hosts x $HOURS h = $ROWS rows in $SLICES slices, $KEEP kept; sizes in MB"
printf '%5s %10s %10s %10s %10s %10s %10s\n' cycle rows heap heap+idx columnar col+idx col_free
printf '%s\n' "${LINES[@]}"
mkdir -p "$TOP/bench/results"
echo "{\"hosts\":$HOSTS,\"hours\":$HOURS,\"slices\":$SLICES,\"keep\":$KEEP,\"cycles\":$JSON}" > "$TOP/bench/results/retention.json"
