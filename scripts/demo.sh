#!/usr/bin/env bash
# The end-to-end demo on built-in (generated) data: generate -> import + clean -> forecast ->
# plan -> HTML report. Usage: scripts/demo.sh [path/to/stockcast] [output dir]
set -euo pipefail
BIN=${1:-build/stockcast}
OUT=${2:-out}
mkdir -p "$OUT"
DB="$OUT/demo.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
start=$(date +%s.%N)

echo "== 1/5 generate: 2 years of orders for 40 SKUs in 2 warehouses (seed 42)"
"$BIN" -q generate --out "$OUT/demo-data" --seed 42 | head -1

echo "== 2/5 import + clean (cleaning report in $OUT/import.txt)"
"$BIN" -q import --dir "$OUT/demo-data" --db "$DB" > "$OUT/import.txt"
grep -E "lines read|exact duplicates|non_product|return |outlier days|censored days|missing days" "$OUT/import.txt"

echo "== 3/5 forecast the next 28 days (baseline: moving average x weekday profile)"
"$BIN" -q forecast --db "$DB" --horizon 28 --out "$OUT/forecast.csv"

echo "== 4/5 plan replenishment (reorder point, $OUT/purchase_orders.csv)"
"$BIN" -q plan --db "$DB" --out "$OUT/purchase_orders.csv" --top 10

echo "== 5/5 report"
"$BIN" -q report --db "$DB" --out "$OUT/report.html"

end=$(date +%s.%N)
printf "Demo finished in %.1f s. Open %s in a browser.\n" "$(echo "$end - $start" | bc -l 2>/dev/null || python3 -c "print($end-$start)")" "$OUT/report.html"
