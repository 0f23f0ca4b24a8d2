#!/usr/bin/env bash
# Global gradient boosting (`gbm`) vs the per-series `auto` on store_item_demand (issue 7
# protocol: the last 90 days as 3 x 28-day windows, rolling origin, gbm retrained per origin),
# with RMSSE, MASE, pinball loss and training/inference time (bench/ml/global_compare.cpp).
#   bench/ml/gbm.sh [release-build-dir] [series (0 = all 500)] [gbm spec]
# The build dir must be a Release build with xgboost and the bench targets
# (STOCKCAST_BUILD_BENCH=ON, the default).
set -euo pipefail
BUILD=${1:-build}
SERIES=${2:-0}
SPEC=${3:-gbm}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$ROOT/../shared/data/store_item_demand/train.csv.zst
if [ ! -f "$DATA" ]; then echo "skipped gbm bench: $DATA absent"; exit 0; fi
# The bench program is a target of the build (it links whatever the build links: xgboost,
# LibTorch).
ninja -C "$BUILD" stockcast_global_compare > /dev/null
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Long CSV: series s<store>_i<item>, daily sales.
zstd -dc "$DATA" | awk -F, 'NR > 1 { print "s" $2 "_i" $3 "," $1 "," $4 } NR == 1 { print "series_id,date,value" }' > "$TMP/long.csv"
# xgboost's OpenMP threads spin while they wait; on a shared machine (other processes on the
# cores) that made training 7x slower (15.4 s vs 2.0 s for 100 series). Passive waiting
# sleeps instead. Set it before the process starts: libgomp reads it once at load.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), OMP_WAIT_POLICY=$OMP_WAIT_POLICY"
"$BUILD/bench/stockcast_global_compare" "$TMP/long.csv" --series "$SERIES" --model "$SPEC" --peer auto --threads 2 \
  --windows 3 --horizon 28
