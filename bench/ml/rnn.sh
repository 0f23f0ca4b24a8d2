#!/usr/bin/env bash
# Global LSTM and GRU (`lstm`, `gru`, LibTorch) next to global gradient boosting (`gbm`) and the
# per-series `auto` on store_item_demand (issue 7 protocol: the last 84 days as 3 x 28-day
# windows, rolling origin, every global model retrained per origin), with RMSSE, MASE, pinball
# loss and training/inference time (bench/ml/rnn_compare.cpp).
#   bench/ml/rnn.sh [release-build-dir] [series (0 = all 500)] [model spec]...
# Without model specs: lstm gru gbm. The build dir must be a Release or RelWithDebInfo build
# with LibTorch and xgboost (libstockcast_forecast.a); the comparison program is compiled here
# against it.
set -euo pipefail
BUILD=${1:-build}
SERIES=${2:-0}
shift $(( $# > 2 ? 2 : $# ))
SPECS=("$@")
if [ ${#SPECS[@]} -eq 0 ]; then SPECS=(lstm gru gbm); fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$ROOT/../shared/data/store_item_demand/train.csv.zst
if [ ! -f "$DATA" ]; then echo "skipped rnn bench: $DATA absent"; exit 0; fi
if [ ! -f "$BUILD/src/libstockcast_forecast.a" ]; then
  echo "rnn bench: $BUILD/src/libstockcast_forecast.a missing; build the stockcast_forecast target" >&2
  exit 1
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
g++ -std=c++20 -O2 -DNDEBUG -I"$ROOT/include" -I"$ROOT/src" -I"$BUILD/include" \
  "$ROOT/bench/ml/rnn_compare.cpp" \
  "$BUILD/src/libstockcast_forecast.a" "$BUILD/src/libstockcast_io.a" "$BUILD/src/libstockcast_core.a" \
  -ltorch -ltorch_cpu -lc10 -lxgboost -lnlopt -lfmt -ltbb -lzstd $(pkg-config --libs tomlplusplus) \
  -o "$TMP/rnn_compare"
# Long CSV: series s<store>_i<item>, daily sales.
zstd -dc "$DATA" | awk -F, 'NR > 1 { print "s" $2 "_i" $3 "," $1 "," $4 } NR == 1 { print "series_id,date,value" }' > "$TMP/long.csv"
# OpenMP threads (xgboost, LibTorch) spin while they wait; on a shared machine passive waiting
# is much faster (bench/ml/gbm.sh). libgomp reads it once at load.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), OMP_WAIT_POLICY=$OMP_WAIT_POLICY"
ARGS=()
for s in "${SPECS[@]}"; do ARGS+=(--model "$s"); done
"$TMP/rnn_compare" "$TMP/long.csv" --series "$SERIES" "${ARGS[@]}" --peer auto --threads 2 \
  --windows 3 --horizon 28
