#!/usr/bin/env bash
# Forecast accuracy and speed on the M4 series in ../shared/data/m4 (hourly
# and weekly, with their true futures): every series is forecast from SQL with
# the LATERAL pattern over series() groups, for each method asked, and scored
# by ../shared/tools/score_forecast.py the way M4 scored (sMAPE, MASE, OWA
# relative to Naive2, coverage of the 95% intervals).  In the same run, R's
# forecast::ets forecasts the same series (both cores, parallel::mclapply), and
# the ratio of the times is reported.  Writes bench/results/forecast-m4.json and
# prints a markdown table.
#
#   bench/forecast/run.sh [--methods auto,ets,...] [--freqs hourly,weekly]
#                         [--no-r] [--dev | --pg-socket DIR --pg-port N [--pg-user U]]
#
# --dev uses the development cluster (/tmp/pgx, port 5499) and builds nothing.
source "$(dirname "$0")/../../scripts/common.sh"

METHODS=auto,snaive,ets,theta,arima,mstl,combined FREQS=hourly,weekly RUN_R=1
PG_SOCKET="" PG_PORT="" PG_USER=""
while [ $# -gt 0 ]; do
	case "$1" in
		--methods) METHODS=$2; shift 2 ;;
		--freqs) FREQS=$2; shift 2 ;;
		--no-r) RUN_R=0; shift ;;
		--dev) PG_SOCKET=/tmp/pgx PG_PORT=5499 PG_USER=postgres; shift ;;
		--pg-socket) PG_SOCKET=$2; shift 2 ;;
		--pg-port) PG_PORT=$2; shift 2 ;;
		--pg-user) PG_USER=$2; shift 2 ;;
		*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
done
# ../shared beside the checkout; DATALAYER_SHARED points elsewhere (a worktree)
SHARED=${DATALAYER_SHARED:-$TOP/../shared}
DATA=$SHARED/data/m4
SCORER=$SHARED/tools/score_forecast.py
[ -f "$DATA/hourly.csv" ] || { echo "no M4 data in $DATA" >&2; exit 1; }

if [ -n "$PG_SOCKET" ]; then
	DB=forecast_bench_$$
	export PGHOST=$PG_SOCKET PGPORT=$PG_PORT PGUSER=${PG_USER:-postgres}
	trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true; rm -rf "$OUTDIR"' EXIT
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB"
else
	install_packages "${PACKAGES_BUILD[@]}"
	build_and_install
	WORK=$(server_dir "$(mktemp -d /var/tmp/datalayer-forecastbench.XXXXXX)")
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
OUTDIR=$(mktemp -d /tmp/datalayer-forecast.XXXXXX)
chmod 777 "$OUTDIR"
export PGOPTIONS="-c client_min_messages=warning"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
q -c "CREATE EXTENSION datalayer"
q -c "CREATE TABLE m4 (freq text, id text, split text, t int, value float8)"
for f in ${FREQS//,/ }; do
	q -c "CREATE TEMP TABLE raw (id text, split text, t int, value float8)" \
	  -c "\\copy raw FROM '$DATA/$f.csv' WITH (FORMAT csv, HEADER true)" \
	  -c "INSERT INTO m4 SELECT '$f', * FROM raw"
done
# M4 has no timestamps: regular synthetic ones, as its README says
q -c "CREATE TABLE train AS
      SELECT freq, id, datalayer.series(
                 CASE freq WHEN 'hourly' THEN timestamptz '2020-01-01 00:00+00' + (t - 1) * interval '1 hour'
                           ELSE timestamptz '2020-01-06 00:00+00' + (t - 1) * interval '1 week' END,
                 value) AS s
      FROM m4 WHERE split = 'train' GROUP BY freq, id" -c "ANALYZE train"

horizon() { [ "$1" = hourly ] && echo 48 || echo 13; }
declare -A MS SCORE
results_json=""
printf '\n| method | frequency | series | seconds | sMAPE | MASE | OWA | 95%% coverage |\n|---|---|---|---|---|---|---|---|\n' > "$OUTDIR/table.md"
for f in ${FREQS//,/ }; do
	h=$(horizon "$f")
	nseries=$(q -c "SELECT count(*) FROM train WHERE freq = '$f'")
	for m in ${METHODS//,/ }; do
		out="$OUTDIR/$f-$m.csv"
		start=$(date +%s.%N)
		q -c "\\copy (SELECT t.id, f.step AS h, f.forecast, f.lo95, f.hi95
		              FROM train t, LATERAL datalayer.forecast(t.s, $h, '$m') f
		              WHERE t.freq = '$f' ORDER BY t.id, f.step) TO '$out' WITH (FORMAT csv, HEADER true)"
		end=$(date +%s.%N)
		secs=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')
		line=$(python3 "$SCORER" "$DATA/$f.csv" "$f" "$out" | tail -n 1)
		echo "$f $m: $secs s: $line"
		# the scorer prints: file sMAPE MASE OWA coverage%
		read -r _ smape mase owa cov <<<"$line"
		cov=${cov%\%}
		printf '| %s | %s | %s | %s | %s | %s | %s | %s%% |\n' "$m" "$f" "$nseries" "$secs" "$smape" "$mase" "$owa" "$cov" >> "$OUTDIR/table.md"
		results_json+="${results_json:+, }{\"method\": \"$m\", \"freq\": \"$f\", \"series\": $nseries, \"seconds\": $secs, \"smape\": ${smape:-null}, \"mase\": ${mase:-null}, \"owa\": ${owa:-null}, \"coverage95\": ${cov:-null}}"
		MS[$f,$m]=$secs
	done
done

r_json=null
if [ "$RUN_R" = 1 ]; then
	# R's forecast package, unless a working one is there already
	Rscript -e 'suppressMessages(library(forecast))' >/dev/null 2>&1 || install_packages r-base-core r-cran-forecast
	for f in ${FREQS//,/ }; do
		h=$(horizon "$f")
		freq=$([ "$f" = hourly ] && echo 24 || echo 1)
		nseries=$(q -c "SELECT count(*) FROM train WHERE freq = '$f'")
		start=$(date +%s.%N)
		cat > "$OUTDIR/ets.R" <<RS
suppressMessages(library(forecast)); library(parallel)
d <- read.csv('$DATA/$f.csv'); d <- d[d\$split == 'train', ]
d <- d[order(d\$id, d\$t), ]
ys <- split(d\$value, d\$id)
fc <- mclapply(ys, function(y) forecast(ets(ts(y, frequency = $freq)), h = $h, level = 95), mc.cores = 2)
out <- do.call(rbind, lapply(names(fc), function(i) data.frame(id = i, h = 1:$h,
    forecast = as.numeric(fc[[i]]\$mean), lo95 = as.numeric(fc[[i]]\$lower), hi95 = as.numeric(fc[[i]]\$upper))))
write.csv(out, '$OUTDIR/$f-R-ets.csv', row.names = FALSE)
RS
		Rscript "$OUTDIR/ets.R" >"$OUTDIR/R.log" 2>&1 || { cat "$OUTDIR/R.log" >&2; exit 1; }
		end=$(date +%s.%N)
		secs=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')
		line=$(python3 "$SCORER" "$DATA/$f.csv" "$f" "$OUTDIR/$f-R-ets.csv" | tail -n 1)
		echo "$f R ets: $secs s: $line"
		MS[$f,R]=$secs
		read -r _ smape mase owa cov <<<"$line"
		printf '| R forecast::ets | %s | %s | %s | %s | %s | %s | %s |\n' "$f" "$nseries" "$secs" "$smape" "$mase" "$owa" "$cov" >> "$OUTDIR/table.md"
	done
	total_r=0 total_auto=0
	for f in ${FREQS//,/ }; do
		total_r=$(awk -v a="$total_r" -v b="${MS[$f,R]}" 'BEGIN {print a + b}')
		total_auto=$(awk -v a="$total_auto" -v b="${MS[$f,auto]:-0}" 'BEGIN {print a + b}')
	done
	r_json="{\"seconds\": $total_r, \"auto_seconds\": $total_auto, \"ratio_auto_to_r\": $(awk -v a="$total_auto" -v b="$total_r" 'BEGIN {printf "%.3f", a / b}')}"
	printf '\nAll series: datalayer auto %s s, R ets %s s (ratio %s)\n' "$total_auto" "$total_r" \
		"$(awk -v a="$total_auto" -v b="$total_r" 'BEGIN {printf "%.3f", a / b}')" >> "$OUTDIR/table.md"
fi
cat "$OUTDIR/table.md"
mkdir -p "$TOP/bench/results"
printf '{"benchmark": "forecast-m4", "date": "%s", "results": [%s], "r_ets": %s}\n' \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$results_json" "$r_json" > "$TOP/bench/results/forecast-m4.json"
echo "written to bench/results/forecast-m4.json"
