#!/usr/bin/env bash
# Runs every benchmark against a Release build dir (default: build). Results: bench/RESULTS.md.
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== kernels (Google Benchmark)"
"$BUILD/bench/stockcast_bench" --benchmark_min_time=0.5
echo "== end to end (UCI Online Retail import, demo)"
python3 bench/import_uci.py "$BUILD/stockcast"
echo "== forecasting throughput (store_item_demand, 30,000 generated series)"
bench/forecast/throughput.sh "$BUILD"
echo "== M3 accuracy and speed against R's forecast package (needs Rscript + r-cran-forecast)"
python3 bench/forecast/m3_bench.py --build "$BUILD" --subset 100 --models ets,arima,theta,auto --stockcast-all
echo "== interval calibration (store_item_demand backtest with --calibrate)"
bench/forecast/calibration.sh "$BUILD"
echo "== optimisation timings (purchase-plan MIP, metaheuristics, (s,S) at scale)"
"$BUILD/stockcast_optimize_timing"
echo "== decisions: plan's policy vs the classic baseline, walked forward (generated shops, UCI)"
bench/decision/evaluate.sh "$BUILD"
echo "== decisions: stockcast plan on 30,000 SKUs x 3 warehouses"
bench/decision/plan_scale.sh "$BUILD" 30000 3
