#!/usr/bin/env bash
# The DQN replenishment agent (sim/dqn_agent.h, LibTorch) on the simulator: the single-SKU
# settings of bench/ml/rl.sh with both agents in one run (DQN the reference, the tabular agent
# a second row, paired by path) and multi-warehouse settings with one supplier's daily
# capacity, binding and not (sim/multi_warehouse.h). Release build with LibTorch:
#   cmake -S . -B build-rlrel -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-rlrel stockcast_cli
#   bench/ml/rl_dqn.sh [BUILD_DIR]        (default build-rlrel)
# RL_DQN_STEPS (default 150000 days) and RL_EPISODES (tabular, default 20000) set the budgets.
# Prints Markdown tables (one per setting) with the training times.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build-rlrel}"
bin="$build/stockcast"
[[ -x "$bin" ]] || { echo "rl_dqn.sh: $bin not found; build stockcast_cli in Release first" >&2; exit 4; }
steps="${RL_DQN_STEPS:-150000}"
episodes="${RL_EPISODES:-20000}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
common=(--holding 1 --replications 30 --days 2000 --warmup 100 --json)

# name | demand | lead time | shortage p | ordering K
single=(
  "poisson5-L2|poisson:5|2|9|0"
  "negbin5sd4-L3|negbin:5,2.2727|3|9|0"
  "poisson5-L3-p49|poisson:5|3|49|0"
  "poisson5-L2-K20|poisson:5|2|9|20"
)
# name | warehouses | lead time | shortage p | capacity
multi=(
  "w2-free|poisson:5;negbin:3,2|2|9|0"
  "w2-cap7|poisson:5;negbin:3,2|2|9|7"
  "w3-cap11|poisson:5;poisson:3;negbin:4,2|2|9|11"
)
if [[ -z "${RL_ONLY_MULTI:-}" ]]; then
  for s in "${single[@]}"; do
    IFS='|' read -r name demand lead p k <<<"$s"
    /usr/bin/time -f "%e" -o "$tmp/$name.time" "$bin" rl --agent dqn,q --demand "$demand" \
      --lead-time "$lead" --shortage "$p" --ordering "$k" --dqn-steps "$steps" \
      --episodes "$episodes" "${common[@]}" > "$tmp/$name.json"
    echo "rl_dqn.sh: $name done" >&2
  done
fi
for s in "${multi[@]}"; do
  IFS='|' read -r name wh lead p cap <<<"$s"
  /usr/bin/time -f "%e" -o "$tmp/$name.time" "$bin" rl --agent dqn --warehouses "$wh" \
    --lead-time "$lead" --shortage "$p" --capacity "$cap" --dqn-steps "$steps" \
    "${common[@]}" > "$tmp/$name.json"
  echo "rl_dqn.sh: $name done" >&2
done

python3 - "$tmp" "$steps" "${RL_ONLY_MULTI:-}" "${single[@]}" -- "${multi[@]}" <<'PY'
import json, sys, os, datetime
tmp, steps, only_multi = sys.argv[1], sys.argv[2], sys.argv[3]
rest = sys.argv[4:]
cut = rest.index("--")
single, multi = ([] if only_multi else rest[:cut]), rest[cut + 1:]
load = open('/proc/loadavg').read().split()[:3]
out = []
out.append(f"## DQN replenishment agent vs base stock, (s,S) and the tabular agent ({datetime.date.today()}, bench/ml/rl_dqn.sh)")
out.append("")
out.append(f"Machine: nproc {os.cpu_count()}, load {' '.join(load)} (shared). Release build, LibTorch 1.13, 1 torch thread.")
out.append(f"DQN: {steps} training days, MLP 64x2, gamma 0.9, Adam 1e-3 decaying to 1e-4, batch 128 every 4 days, "
           "target copy every 500 updates, double-DQN Huber targets, best of the greedy checks on validation paths "
           "from the training seed. Evaluation: 30 paths x 2000 days after 100 warm-up days, the same paths for "
           "every policy; +- = 95 % t half width; 'cost - agent' paired by path against the DQN.")
out.append("")
def row(q, extra=""):
    return (f"| {q['name']} | {q['rule']} | {q['cost_per_day']:.3f} +- {q['cost_ci']:.3f} | "
            f"{q['fill_rate']:.4f} +- {q['fill_rate_ci']:.4f} | "
            f"{q['cost_minus_agent']:+.3f} +- {q['cost_minus_agent_ci']:.3f} | {q['verdict']} |{extra}")
for s in single:
    name, demand, lead, p, k = s.split('|')
    j = json.load(open(f"{tmp}/{name}.json"))
    wall = open(f"{tmp}/{name}.time").read().strip()
    ag = "; ".join(f"{a['name']} {a['method']} {a['steps']} days in {a['seconds']:.1f} s" for a in j["agents"])
    out.append(f"**{name}**: demand {demand}, L = {lead}, p = {p}, K = {k}; training: {ag}; whole run {wall} s")
    out.append("")
    out.append("| policy | rule | cost/day | fill rate | cost - dqn | verdict |")
    out.append("|---|---|---|---|---|---|")
    for q in j["policies"]:
        out.append(row(q))
    out.append("")
for s in multi:
    name, wh, lead, p, cap = s.split('|')
    j = json.load(open(f"{tmp}/{name}.json"))
    wall = open(f"{tmp}/{name}.time").read().strip()
    t = j["training"]
    share = j["setting"]["capacity_share"]
    capt = f"capacity {cap}/day = {share:.2f} x mean demand" if int(cap) > 0 else "no capacity limit"
    out.append(f"**{name}**: warehouses {wh}, L = {lead}, p = {p}, {capt}; DQN {t['steps']} days in "
               f"{t['seconds']:.1f} s (best weights at day {t['best_step']}); whole run {wall} s")
    out.append("")
    out.append("| policy | rule | cost/day | fill rate | cost - dqn | verdict | fill by warehouse | cut/day |")
    out.append("|---|---|---|---|---|---|---|---|")
    for q in j["policies"]:
        fills = " ".join(f"{f:.3f}" for f in q["fill_rate_by_warehouse"])
        out.append(row(q, f" {fills} | {q['cut_per_day']:.3f} |"))
    out.append("")
print("\n".join(out))
PY
