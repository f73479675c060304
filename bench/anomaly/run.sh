#!/usr/bin/env bash
# Anomaly detection on the Numenta Anomaly Benchmark split in ../shared/data/nab,
# from SQL: every file is loaded into one table, each method runs over all
# files with detect_anomalies() on series() groups, the onsets (what a
# monitor alerts on) go to a detections CSV, and ../shared/tools/score_anomaly.py
# scores them (precision, recall and F1 over NAB's labelled windows).  Then a
# monitor's incremental run is timed: 1,000 series with a day of history
# learned, 10 new points each, against re-scoring each series' whole history
# with detect_anomalies() (what a monitor without saved state would do).
# Writes bench/results/anomaly-nab.json and prints a markdown table.
#
#   bench/anomaly/run.sh [--methods auto,ewma,...] [--dev | --pg-socket DIR --pg-port N [--pg-user U]]
#
# --dev uses the development cluster (/tmp/pgx, port 5499) and builds nothing.
source "$(dirname "$0")/../../scripts/common.sh"

METHODS=auto,holt_winters,ewma,robust_z,changepoint,seasonal_esd,forecast
PG_SOCKET="" PG_PORT="" PG_USER=""
while [ $# -gt 0 ]; do
	case "$1" in
		--methods) METHODS=$2; shift 2 ;;
		--dev) PG_SOCKET=/tmp/pgx PG_PORT=5499 PG_USER=postgres; shift ;;
		--pg-socket) PG_SOCKET=$2; shift 2 ;;
		--pg-port) PG_PORT=$2; shift 2 ;;
		--pg-user) PG_USER=$2; shift 2 ;;
		*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
done
SHARED=${DATALAYER_SHARED:-$TOP/../shared}
DATA=$SHARED/data/nab
SCORER=$SHARED/tools/score_anomaly.py
[ -f "$DATA/labels.json" ] || { echo "no NAB data in $DATA" >&2; exit 1; }

OUTDIR=$(mktemp -d /tmp/datalayer-anomaly.XXXXXX)
chmod 777 "$OUTDIR"
if [ -n "$PG_SOCKET" ]; then
	DB=anomaly_bench_$$
	export PGHOST=$PG_SOCKET PGPORT=$PG_PORT PGUSER=${PG_USER:-postgres}
	trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true; rm -rf "$OUTDIR"' EXIT
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB"
else
	install_packages "${PACKAGES_BUILD[@]}"
	build_and_install
	WORK=$(server_dir "$(mktemp -d /var/tmp/datalayer-anomalybench.XXXXXX)")
	trap 'stop_cluster "$WORK/data"; rm -rf "$WORK" "$OUTDIR"' EXIT
	PORT=$((20000 + RANDOM % 20000))
	while ! port_is_free $PORT; do PORT=$((PORT + 1)); done
	init_cluster "$WORK/data" "$WORK" "$PORT"
	start_cluster "$WORK/data" "$WORK/server.log"
	PGUSER=$(db_superuser)
	export PGHOST=$WORK PGPORT=$PORT PGUSER
	DB=bench
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB"
fi
export PGOPTIONS="-c client_min_messages=warning -c timezone=UTC"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

step "Loading the NAB files"
q -c "CREATE EXTENSION datalayer"
q -c "CREATE TABLE nab (file text, time timestamptz, value float8)"
python3 - "$DATA" > "$OUTDIR/nab.csv" <<'EOF'
import csv, json, os, sys
data = sys.argv[1]
out = csv.writer(sys.stdout)
for f in sorted(json.load(open(os.path.join(data, "labels.json")))):
    with open(os.path.join(data, f)) as fh:
        for r in csv.DictReader(fh):
            out.writerow([f, r["timestamp"], r["value"]])
EOF
q -c "\\copy nab FROM '$OUTDIR/nab.csv' WITH (FORMAT csv)"
q -c "ANALYZE nab"
q -c "SELECT count(DISTINCT file) || ' files, ' || count(*) || ' points, ' || (count(*) - count(DISTINCT (file, time))) || ' repeated times (the last is kept)' FROM nab"

step "Detection over all files, per method"
results_json=""
printf '\n| method | precision | recall | F1 | TP | FP | seconds (all files, from SQL) |\n|---|---|---|---|---|---|---|\n' > "$OUTDIR/table.md"
IFS=, read -r -a methods <<< "$METHODS"
for m in "${methods[@]}"; do
	start=$(now)
	q -c "\\copy (SELECT n.file, to_char(d.time, 'YYYY-MM-DD HH24:MI:SS') AS timestamp, true AS is_anomaly
	              FROM (SELECT file, datalayer.series(time, value, 'last') AS s FROM nab GROUP BY file) n,
	                   LATERAL datalayer.detect_anomalies(n.s, '$m') d
	             WHERE d.is_onset ORDER BY 1, 2) TO '$OUTDIR/$m.csv' WITH (FORMAT csv, HEADER)"
	end=$(now)
	s=$(secs "$start" "$end")
	line=$(python3 "$SCORER" "$DATA" "$OUTDIR/$m.csv" | tail -1)
	read -r _ p r f1 tp fp _ <<< "$line"
	echo "$m: $s s: precision $p recall $r F1 $f1 (TP $tp, FP $fp)"
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$m" "$p" "$r" "$f1" "$tp" "$fp" "$s" >> "$OUTDIR/table.md"
	results_json+="${results_json:+, }{\"method\": \"$m\", \"precision\": $p, \"recall\": $r, \"f1\": $f1, \"tp\": $tp, \"fp\": $fp, \"seconds\": $s}"
done

step "A monitor's incremental run: 1,000 series x 10 new points"
# a day of per-minute values for 1,000 series with an hourly cycle
q -c "CREATE TABLE fleet (time timestamptz, series int, value float8)"
q -c "INSERT INTO fleet
      SELECT timestamptz '2024-05-01' + i * interval '1 minute', s,
             50 + 10 * sin(2 * pi() * (i % 60) / 60 + s) + (hashint4(i * 1000 + s) % 1000) / 500.0
      FROM generate_series(0, 1439) i, generate_series(1, 1000) s"
start=$(now)
q -c "SELECT datalayer.add_anomaly_monitor('fleet', 'time', 'value', '{series}', schedule => '1 day',
                                           monitor_name => 'fleet')" >/dev/null
end=$(now)
learn=$(secs "$start" "$end")
runs=()
for round in 1 2 3 4 5; do
	first=$((1440 + (round - 1) * 10))
	q -c "INSERT INTO fleet
	      SELECT timestamptz '2024-05-01' + i * interval '1 minute', s,
	             50 + 10 * sin(2 * pi() * (i % 60) / 60 + s) + (hashint4(i * 1000 + s) % 1000) / 500.0
	      FROM generate_series($first, $((first + 9))) i, generate_series(1, 1000) s"
	start=$(now)
	points=$(q -c "SELECT datalayer._run_anomaly_monitor(monitor_id)->>'points' FROM datalayer.monitors WHERE monitor_name = 'fleet'")
	end=$(now)
	[ "$points" = 10000 ] || { echo "the monitor scored $points points, not 10000" >&2; exit 1; }
	runs+=("$(secs "$start" "$end")")
done
run_median=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p)
start=$(now)
q -c "SELECT count(*) FILTER (WHERE d.is_anomaly)
      FROM (SELECT series, datalayer.series(time, value) AS s FROM fleet GROUP BY series) f,
           LATERAL datalayer.detect_anomalies(f.s) d" >/dev/null
end=$(now)
rescore=$(secs "$start" "$end")
state_bytes=$(q -c "SELECT round(avg(length(state))) FROM datalayer.anomaly_monitor_series")
ratio=$(awk -v a="$run_median" -v b="$rescore" 'BEGIN {printf "%.3f", a / b}')
echo "learning 1,000 series' day of history: $learn s; incremental run (median of 5): $run_median s (${runs[*]});"
echo "re-scoring every series' whole history: $rescore s; ratio $ratio; state $state_bytes bytes a series"
{
	printf '\nA monitor over 1,000 series, 10 new points each (1,440 points of history learned in %s s):\n' "$learn"
	printf 'incremental run %s s (median of 5), re-scoring all history %s s, ratio %s; %s bytes of state a series.\n' \
		"$run_median" "$rescore" "$ratio" "$state_bytes"
} >> "$OUTDIR/table.md"

cat "$OUTDIR/table.md"
mkdir -p "$TOP/bench/results"
printf '{"benchmark": "anomaly-nab", "date": "%s", "results": [%s], "monitor": {"series": 1000, "new_points": 10, "learn_seconds": %s, "run_seconds": %s, "rescore_seconds": %s, "ratio": %s, "state_bytes": %s}}\n' \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$results_json" "$learn" "$run_median" "$rescore" "$ratio" "$state_bytes" \
	> "$TOP/bench/results/anomaly-nab.json"
echo "written to bench/results/anomaly-nab.json"
