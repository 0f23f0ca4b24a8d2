#!/usr/bin/env bash
# Issue 7's accuracy comparison, end to end through the CLI (`stockcast backtest`): the
# statistical `auto`, the global models (gbm, lstm, gru) and the ensembles, on
#   1. generated data WITH drivers: `stockcast generate` (prices with promotion discounts and
#      elasticities, planned promotions, festivals 11.11/6.18/Spring Festival, cart adds),
#      imported into a store; `backtest --db` gives the models the drivers from the panel;
#   2. data WITHOUT drivers: ../shared/data/store_item_demand (500 daily series, 5 years,
#      sales only) as a long CSV (`backtest --series`);
#   3. also without drivers, and neither daily nor smooth: ../shared/data/carparts (2,674
#      monthly intermittent series, 51 months, as periods: no calendar) -- 3 x 6-month windows,
#      season 12.
# Protocol (issue 7): the last 84 days as 3 x 28-day windows, rolling origin; a global model is
# retrained at every window start on the days before it. Prints one Markdown table per dataset
# with RMSSE, MASE, pinball loss at 5/50/95 %, 90 % interval coverage and the wall time, and
# each model's RMSSE change against auto.
#   bench/ml/compare.sh [BUILD_DIR] [MODELS]
# BUILD_DIR: a Release build with stockcast (default build). MODELS: space-separated specs
# (default below). GEN_SKUS / GEN_DAYS size the generated data; SID_SERIES limits
# store_item_demand to its first N series (0 = all 500); DATASETS picks some of
# "gen sid carparts" (default all three).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
bin="$build/stockcast"
[[ -x "$bin" ]] || { echo "compare.sh: $bin not found; build stockcast_cli in Release first" >&2; exit 4; }
models="${2:-auto gbm lstm gru ensemble ensemble:members=auto+gbm+lstm ensemble:members=auto+gbm,combine=best}"
gen_skus="${GEN_SKUS:-150}"
gen_days="${GEN_DAYS:-730}"
sid_series="${SID_SERIES:-0}"
datasets=" ${DATASETS:-gen sid carparts} "  # which of the three to run
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"

# One backtest -> one Markdown row; the auto row's RMSSE is the reference.
run() {  # dataset-args... -- model
  local model="${*: -1}"
  local args=("${@:1:$#-2}")
  local t0 t1
  t0=$(date +%s.%N)
  if ! "$bin" -q backtest "${args[@]}" --model "$model" --windows 3 \
      --quantiles 0.05,0.5,0.95 --json > "$tmp/out.json" 2> "$tmp/err.txt"; then
    echo "| \`$model\` | failed: $(head -c 200 "$tmp/err.txt" | tr '\n' ' ') | | | | | | | |"
    return
  fi
  t1=$(date +%s.%N)
  python3 - "$tmp/out.json" "$model" "$t0" "$t1" "$tmp/ref" <<'EOF'
import json, sys, os
j = json.load(open(sys.argv[1])); model = sys.argv[2]
secs = float(sys.argv[4]) - float(sys.argv[3])
a = j["aggregate"]; m = a["metrics"]; pb = a["pinball"]
ref_path = sys.argv[5]
if model == "auto":
    open(ref_path, "w").write(str(m["rmsse"]))
ref = float(open(ref_path).read()) if os.path.exists(ref_path) else float("nan")
delta = (m["rmsse"] / ref - 1) * 100 if ref == ref else float("nan")
print(f"| `{model}` | {j['series']} | {m['rmsse']:.4f} | {delta:+.1f} % | {m['mase']:.4f} | "
      f"{pb[0]:.4f} / {pb[1]:.4f} / {pb[2]:.4f} | {100 * a['coverage']:.1f} % | {secs:.0f} s |")
EOF
}

header() {
  echo
  echo "$1"
  echo
  echo "| model | series | RMSSE | vs auto | MASE | pinball 5 / 50 / 95 % | 90 % coverage | time |"
  echo "|---|---|---|---|---|---|---|---|"
}

# 1. Generated data with drivers.
if [[ "$datasets" == *" gen "* ]]; then
"$bin" -q generate --out "$tmp/gen" --skus "$gen_skus" --locations 2 --days "$gen_days" --seed 7 > /dev/null
"$bin" -q import --db "$tmp/gen.db" --dir "$tmp/gen" > /dev/null
header "### Generated data with drivers ($gen_skus SKUs x 2 warehouses x $gen_days days; prices, promotions, festivals, cart adds)"
rm -f "$tmp/ref"
for model in $models; do run --db "$tmp/gen.db" --horizon 28 -- "$model"; done
fi
[[ "$datasets" == *" sid "* || "$datasets" == *" carparts "* ]] || exit 0

# 2. store_item_demand: no drivers.
data="$root/../shared/data/store_item_demand/train.csv.zst"
if [[ ! -f "$data" ]]; then
  echo; echo "skipped store_item_demand and carparts: $data absent"; exit 0
fi
if [[ "$datasets" == *" sid "* ]]; then
zstd -dc "$data" | awk -F, -v keep="$sid_series" '
  NR == 1 { print "series_id,date,value"; next }
  { id = "s" $2 "_i" $3; if (!(id in seen)) { seen[id] = 1; n++ } if (keep == 0 || seen_n[id] || n <= keep) { seen_n[id] = 1; print id "," $1 "," $4 } }' > "$tmp/sid.csv"
header "### store_item_demand, no drivers ($(cut -d, -f1 "$tmp/sid.csv" | sort -u | wc -l | awk '{print $1 - 1}') series x 1826 days)"
rm -f "$tmp/ref"
for model in $models; do run --series "$tmp/sid.csv" --horizon 28 -- "$model"; done
fi
[[ "$datasets" == *" carparts "* ]] || exit 0

# 3. carparts: monthly, intermittent, no drivers, no dates.
data="$root/../shared/data/carparts/carparts_long.csv.zst"
[[ -f "$data" ]] || { echo; echo "skipped carparts: $data absent"; exit 0; }
zstd -dc "$data" | awk -F, 'NR == 1 { print "series_id,period,value"; next }
  { gsub(/"/, ""); split($2, ym, "-"); print $1 "," (ym[1] - 1998) * 12 + ym[2] "," $3 }' > "$tmp/cp.csv"
header "### carparts, no drivers, monthly intermittent (2674 series x 51 months; 3 x 6-month windows)"
rm -f "$tmp/ref"
for model in $models; do
  run --series "$tmp/cp.csv" --horizon 6 --season-length 12 -- "$model"
done
