#!/usr/bin/env bash
# Walk-forward backtest of `plan`'s policy against the classic baseline (reorder point from a
# 28-day moving average with normal safety stock, the target read as a cycle-service level) on
# the same demand: generated shops (true demand known; several seeds) and UCI Online Retail.
# Goal (issue 5): plan's fill rate within +-1 point of the 95% target at <= 80% of the
# baseline's total cost (holding + ordering + shortage).
#
# Usage: bench/decision/evaluate.sh [build dir]
# Assumptions, generated shops: the generator's unit costs, prices and suppliers (lead times
# 2-15 days with spread, MOQs, case packs, order costs); holding 25%/year; review every 7 days;
# lost sales; shortage cost = the lost margin (price - cost, at least 0.25 x cost).
# Assumptions, UCI Online Retail (no costs, stock or suppliers in the data): unit cost = 60% of
# the average selling price, lead time 7 days (sd 2), review every 7 days, order cost 10 per
# order, holding 25%/year, lost sales, shortage cost = the lost margin; starting stock for
# every policy = 28-day mean demand x (lead time + review).
set -euo pipefail
BUILD=${1:-build}
BIN="$BUILD/stockcast"
WORK=${WORK:-/tmp/stockcast-decision}
mkdir -p "$WORK"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
UCI="$ROOT/../shared/data/uci_online_retail/online_retail.csv.zst"

row() { python3 "$ROOT/bench/decision/compare.py" "$1" "$2" 0.95; }

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-22s %-9s %7s %7s %14s %12s %11s %13s %10s %7s %8s\n" data policy fill CSL total holding ordering shortage "avg inv" turns "out days"
for seed in 11 22 33; do
  d="$WORK/gen-$seed"
  if [ ! -f "$d/shop.db" ]; then
    rm -rf "$d"; mkdir -p "$d"
    "$BIN" -q generate --out "$d/data" --skus 100 --locations 2 --seed "$seed" > /dev/null
    "$BIN" -q import --dir "$d/data" --db "$d/shop.db" > /dev/null
  fi
  start=$(date +%s.%N)
  "$BIN" -q evaluate --db "$d/shop.db" --policies plan,baseline --target-fill-rate 0.95 --json > "$d/eval.json"
  row "$d/eval.json" "generated seed $seed"
  echo "   ($(python3 -c "print(round($(date +%s.%N) - $start, 1))") s for 200 series x 365 days)"
done

if [ -f "$UCI" ]; then
  d="$WORK/uci"
  mkdir -p "$d"
  cat > "$d/uci.toml" <<'TOML'
[planning]
lead_time_mean_days = 7.0
lead_time_sd_days = 2.0
review_period_days = 7
order_cost = 10.0
holding_rate = 0.25
[calendar]
region = "uk"
TOML
  if [ ! -f "$d/uci.db" ]; then
    "$BIN" -q --config "$d/uci.toml" import --orders "$UCI" --preset online-retail --db "$d/uci.db" > /dev/null
  fi
  start=$(date +%s.%N)
  "$BIN" -q --config "$d/uci.toml" evaluate --db "$d/uci.db" --policies plan,baseline \
    --target-fill-rate 0.95 --unit-cost-ratio 0.6 --json > "$d/eval.json"
  row "$d/eval.json" "uci_online_retail"
  echo "   ($(python3 -c "print(round($(date +%s.%N) - $start, 1))") s)"
else
  echo "uci_online_retail: $UCI not found, skipped"
fi
