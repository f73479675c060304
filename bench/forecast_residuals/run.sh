#!/usr/bin/env bash
# Time of fc_residual_band ('auto', periods detected, 99% band) on every NAB
# series in ../shared/data/nab, against the engine's unrestricted 'auto' fit
# of the same series in the same run (no server):
#   bench/forecast_residuals/run.sh [DATA_DIR]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
a="$top/src/analytics"
data=${1:-${DATALAYER_SHARED:-$top/../shared}/data/nab}
mkdir -p "$top/bench/forecast_residuals/build"
${CC:-cc} -std=c99 -O2 -DDATALAYER_STANDALONE -I"$top/src" \
	-o "$top/bench/forecast_residuals/build/bench_forecast_residuals" \
	"$top/bench/forecast_residuals/bench_forecast_residuals.c" "$a/forecast_residuals.c" \
	"$a/forecast_engine.c" "$a/ets.c" "$a/nelder_mead.c" "$a/arima.c" "$a/arima_auto.c" "$a/stl.c" \
	"$a/seasonality.c" "$a/forecast_baselines.c" "$a/forecast_stats.c" -lm
find "$data" -name '*.csv' | sort | xargs "$top/bench/forecast_residuals/build/bench_forecast_residuals"
