#!/usr/bin/env bash
# Forecasting throughput of `auto` (issue 3):
#  1. ../shared/data/store_item_demand (500 daily series, 2013-2017): `stockcast forecast --series`
#     end to end (CSV in, 28-day forecasts with three quantiles out) on 1 and 2 threads, and a
#     rolling-origin backtest (3 x 28 days) of auto and its members for accuracy;
#  2. generated daily series of five years (bench/forecast/throughput.cpp, no file I/O): 500 and
#     30,000 series on 2 threads. Goal: 30,000 in under 60 s.
# Usage: bench/forecast/throughput.sh [BUILD_DIR]   (a Release build; default build)
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
BIN="$BUILD/stockcast"
DATA=../shared/data/store_item_demand/train.csv.zst
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -f "$DATA" ]; then
  TMP=$(mktemp -d)
  trap 'rm -rf "$TMP"' EXIT
  # date,store,item,sales -> series_id,date,value
  zstd -dc "$DATA" | awk -F, 'NR > 1 { print "s" $2 "_i" $3 "," $1 "," $4 } NR == 1 { print "series_id,date,value" }' > "$TMP/long.csv"
  echo "== store_item_demand: $(($(wc -l < "$TMP/long.csv") - 1)) rows"
  for threads in 1 2; do
    /usr/bin/time -f "forecast auto, $threads thread(s): %e s wall, %M KB peak" \
      "$BIN" -q forecast --series "$TMP/long.csv" --horizon 28 --threads "$threads" --out "$TMP/f.csv"
  done
  for model in auto theta "mstl(method=theta)" ets; do
    spec=$model
    [ "$model" = "mstl(method=theta)" ] && spec="mstl:method=theta"
    "$BIN" -q backtest --series "$TMP/long.csv" --horizon 28 --windows 3 --model "$spec" --threads 2 --json > "$TMP/bt.json"
    python3 - "$spec" "$TMP/bt.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[2])); a = j["aggregate"]; m = a["metrics"]
print(f"backtest 3x28 {sys.argv[1]:<20} sMAPE {m['smape']:.2f}  MASE {m['mase']:.3f}  RMSSE {m['rmsse']:.3f}  "
      f"WRMSSE {a['wrmsse']:.3f}  cov90 {a['coverage']:.3f}  pinball {[round(x, 3) for x in a['pinball']]}  {j['seconds']:.1f} s")
PY
  done
else
  echo "skipped store_item_demand: $DATA absent"
fi
echo "== generated five-year daily series (no file I/O)"
"$BUILD/bench/stockcast_throughput" --series 500 --threads 2
"$BUILD/bench/stockcast_throughput" --series 30000 --threads 2
