#!/usr/bin/env bash
# Global LSTM and GRU (`lstm`, `gru`, LibTorch) next to global gradient boosting (`gbm`) and the
# per-series `auto` on store_item_demand (issue 7 protocol: the last 84 days as 3 x 28-day
# windows, rolling origin, every global model retrained per origin), with RMSSE, MASE, pinball
# loss and training/inference time (bench/ml/global_compare.cpp).
#   bench/ml/rnn.sh [release-build-dir] [series (0 = all 500)] [model spec]...
# Without model specs: lstm gru gbm. The build dir must be a Release build with LibTorch and
# xgboost and the bench targets (STOCKCAST_BUILD_BENCH=ON, the default). Training speed depends
# on the BLAS behind libblas.so.3: OpenBLAS (scripts/install-deps.sh) is ~8x faster than
# Debian's reference libblas3 (docs/design/ml.md).
set -euo pipefail
BUILD=${1:-build}
SERIES=${2:-0}
shift $(($# > 2 ? 2 : $#))
SPECS=("$@")
if [ ${#SPECS[@]} -eq 0 ]; then SPECS=(lstm gru gbm); fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$ROOT/../shared/data/store_item_demand/train.csv.zst
if [ ! -f "$DATA" ]; then echo "skipped rnn bench: $DATA absent"; exit 0; fi
# The comparison program is a target of the build (it links whatever the build links).
ninja -C "$BUILD" stockcast_global_compare > /dev/null
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Long CSV: series s<store>_i<item>, daily sales.
zstd -dc "$DATA" | awk -F, 'NR > 1 { print "s" $2 "_i" $3 "," $1 "," $4 } NR == 1 { print "series_id,date,value" }' > "$TMP/long.csv"
# OpenMP threads (xgboost, LibTorch) spin while they wait; on a shared machine passive waiting
# is much faster (bench/ml/gbm.sh). libgomp reads it once at load.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), OMP_WAIT_POLICY=$OMP_WAIT_POLICY"
ARGS=()
for s in "${SPECS[@]}"; do ARGS+=(--model "$s"); done
"$BUILD/bench/stockcast_global_compare" "$TMP/long.csv" --series "$SERIES" "${ARGS[@]}" --peer auto \
  --threads 2 --windows 3 --horizon 28
