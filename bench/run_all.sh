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
