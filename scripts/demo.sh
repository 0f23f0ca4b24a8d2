#!/usr/bin/env bash
# The end-to-end demo on built-in (generated) data: generate -> import + clean -> forecast ->
# plan (the closed loop, with the HTML report). Usage: scripts/demo.sh [path/to/stockcast] [output dir]
set -euo pipefail
BIN=${1:-build/stockcast}
OUT=${2:-out}
mkdir -p "$OUT"
DB="$OUT/demo.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
start=$(date +%s.%N)

echo "== 1/4 generate: 2 years of orders for 40 SKUs in 2 warehouses (seed 42)"
"$BIN" -q generate --out "$OUT/demo-data" --seed 42 | head -1

echo "== 2/4 import + clean (cleaning report in $OUT/import.txt)"
"$BIN" -q import --dir "$OUT/demo-data" --db "$DB" > "$OUT/import.txt"
grep -E "lines read|exact duplicates|non_product|return |outlier days|censored days|missing days" "$OUT/import.txt"

echo "== 3/4 plan: the closed loop (forecast auto -> ABC/XYZ targets -> (R,s,S) per SKU -> order plan"
echo "         -> 8-week projection -> alerts -> KPIs), files in $OUT/plan"
"$BIN" -q plan --db "$DB" --out "$OUT/plan" --top 8

echo "== 4/4 evaluate: plan's policy against the classic baseline (28-day moving average, normal safety"
echo "         stock), walked forward over the last year of history with the same demand"
"$BIN" -q evaluate --db "$DB" --policies plan,baseline --target-fill-rate 0.95

end=$(date +%s.%N)
printf "Demo finished in %.1f s. Open %s in a browser.\n" "$(echo "$end - $start" | bc -l 2>/dev/null || python3 -c "print($end-$start)")" "$OUT/plan/report.html"
echo "Live service and dashboard on this store:"
echo "  TOKEN=\$($BIN token create --db $DB --role planner)"
echo "  $BIN serve --db $DB        # then open http://127.0.0.1:8080/ and paste the token"
