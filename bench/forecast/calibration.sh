#!/usr/bin/env bash
# Interval calibration (forecast/calibrate.h): rolling-origin backtest of store_item_demand
# (500 daily series, 3 x 28-day windows) with and without `--calibrate W`, printing the 90 %
# interval's coverage and width and the pinball loss per level. Each window is calibrated on
# data before its own origin only.
#   bench/forecast/calibration.sh [build-dir]
set -euo pipefail
BIN=${1:-build}/stockcast
DATA=../shared/data/store_item_demand/train.csv.zst
if [ ! -f "$DATA" ]; then echo "skipped calibration bench: $DATA absent"; exit 0; fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
zstd -dc "$DATA" | awk -F, 'NR > 1 { print "s" $2 "_i" $3 "," $1 "," $4 } NR == 1 { print "series_id,date,value" }' > "$TMP/long.csv"
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for model in auto mstl:method=theta ets; do
  for w in 0 3 5; do
    "$BIN" -q backtest --series "$TMP/long.csv" --horizon 28 --windows 3 --model "$model" --threads 2 \
      --calibrate "$w" --json > "$TMP/bt.json"
    python3 - "$model" "$w" "$TMP/bt.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[3])); a = j["aggregate"]
print(f"{sys.argv[1]:<20} --calibrate {sys.argv[2]}  cov90 {a['coverage']:.3f}  width {a['width']:.2f}  "
      f"pinball q0.05/q0.5/q0.95 {' / '.join(f'{x:.3f}' for x in a['pinball'])}  {j['seconds']:.1f} s")
PY
  done
done
