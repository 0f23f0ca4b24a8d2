#!/usr/bin/env bash
# `stockcast plan` end to end on a large generated store: wall time, peak memory (max RSS) and
# the seconds of each step of the closed loop. Goal (issue 5): 30,000 SKUs x 3 warehouses in
# under 2 minutes and under 4 GB on a 2-core machine.
#
# Usage: bench/decision/plan_scale.sh [build dir] [skus] [locations]
# The store (730 days of daily demand, products, 40 suppliers, a stock snapshot, open POs) is
# built once by stockcast_make_store into $WORK (default /tmp/stockcast-plan-scale) and copied
# before each run, so every run starts from the same imported state and forecasts anew.
set -euo pipefail
BUILD=${1:-build}
SKUS=${2:-30000}
LOCS=${3:-3}
WORK=${WORK:-/tmp/stockcast-plan-scale}
mkdir -p "$WORK"
BASE="$WORK/store-${SKUS}x${LOCS}.db"
if [ ! -f "$BASE" ]; then
  echo "== building the store ($SKUS SKUs x $LOCS locations, 730 days) ..."
  start=$(date +%s)
  "$BUILD/bench/stockcast_make_store" --db "$BASE" --skus "$SKUS" --locations "$LOCS" --days 730
  echo "   built in $(( $(date +%s) - start )) s ($(du -h "$BASE" | cut -f1))"
fi
cp "$BASE" "$WORK/run.db"
rm -f "$WORK/run.db-wal" "$WORK/run.db-shm"
rm -rf "$WORK/out"
echo "== stockcast plan --db run.db --out out --json (machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
/usr/bin/time -v "$BUILD/stockcast" plan --db "$WORK/run.db" --out "$WORK/out" --json \
  > "$WORK/plan.json" 2> "$WORK/time.txt"
python3 - "$WORK" <<'PY'
import json, re, sys
work = sys.argv[1]
j = json.load(open(f"{work}/plan.json"))
t = open(f"{work}/time.txt").read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1)
parts = [float(x) for x in wall.split(":")]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024 / 1024
print(f"series {j['series']}, orders {j['orders']}, open alerts {j['alerts']['open']}, "
      f"forecast model {j.get('forecast_model', '(reused)')}")
print(f"wall {secs:.1f} s (goal < 120), peak RSS {rss:.2f} GB (goal < 4)")
print("steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in j["seconds"].items()))
PY
