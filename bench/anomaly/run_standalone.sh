#!/usr/bin/env bash
# Builds bench/anomaly/nab_driver.c against the anomaly core (no server),
# runs every method at the default sensitivity (0.5) over the NAB split in
# DATALAYER_SHARED/data/nab, writing onsets (what a monitor alerts on) to
# detections CSVs, and prints the scorer's table (precision, recall, F1, TP,
# FP).  Extra arguments (option=value, e.g. cooldown=600) go to every run.
#   usage: bench/anomaly/run_standalone.sh [option=value ...]
#   SENSITIVITY=0.3 bench/anomaly/run_standalone.sh   (another sensitivity)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
shared=${DATALAYER_SHARED:-/work/shared}
data="$shared/data/nab"
scorer="$shared/tools/score_anomaly.py"
out=${NAB_OUT:-$(mktemp -d)}
sens=${SENSITIVITY:-0.5}
CC=${CC:-cc}
a="$top/src/analytics"
$CC -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wno-unused-parameter \
	-DDATALAYER_STANDALONE -I"$top/src" -o "$out/nab_driver" "$here/nab_driver.c" \
	"$a/anomaly.c" "$a/anomaly_auto.c" "$a/anomaly_changepoint.c" "$a/anomaly_ewma.c" \
	"$a/anomaly_holt_winters.c" "$a/anomaly_likelihood.c" "$a/anomaly_robust_z.c" \
	"$a/anomaly_seasonal.c" "$a/anomaly_seasonal_esd.c" "$a/anomaly_stats.c" \
	"$a/anomaly_stream.c" -lm
files=()
start=$(date +%s.%N)
for m in auto robust_z ewma holt_winters changepoint seasonal_esd; do
	"$out/nab_driver" "$data" "$out/$m.csv" "$m" "$sens" "$@"
	files+=("$out/$m.csv")
done
end=$(date +%s.%N)
echo "# all methods over all files: $(echo "$end - $start" | bc) s wall (load + detect + write)"
python3 "$scorer" "$data" "${files[@]}"
echo "# detections in $out"
