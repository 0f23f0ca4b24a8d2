#!/usr/bin/env bash
# RL replenishment agent vs base stock, (s,S) and the forecast-driven order-up-to on the same
# simulated demand (sim/rl_agent.h; `stockcast rl`). Release build:
#   cmake -S . -B build-rlrel -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-rlrel stockcast_cli
#   bench/ml/rl.sh [BUILD_DIR]            (default build-rlrel)
# Prints the Markdown section (one table per setting) for the top of bench/RESULTS.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build-rlrel}"
bin="$build/stockcast"
[[ -x "$bin" ]] || { echo "rl.sh: $bin not found; build stockcast_cli in Release first" >&2; exit 4; }
episodes="${RL_EPISODES:-20000}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
out="$tmp/section.md"

# name | demand | lead time | shortage p | ordering K
settings=(
  "poisson5-L2|poisson:5|2|9|0"
  "negbin5sd4-L3|negbin:5,2.2727|3|9|0"
  "poisson5-L3-p49|poisson:5|3|49|0"
  "poisson5-L2-K20|poisson:5|2|9|20"
)
for s in "${settings[@]}"; do
  IFS='|' read -r name demand lead p k <<<"$s"
  /usr/bin/time -f "%e" -o "$tmp/$name.time" "$bin" rl --demand "$demand" --lead-time "$lead" \
    --holding 1 --shortage "$p" --ordering "$k" --episodes "$episodes" --replications 30 \
    --days 2000 --warmup 100 --json > "$tmp/$name.json"
done

python3 - "$tmp" "$out" "$episodes" "${settings[@]}" <<'PY'
import json, sys, subprocess, datetime, os
tmp, out, episodes, settings = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
load = open('/proc/loadavg').read().split()[:3]
nproc = os.cpu_count()
lines = []
lines.append(f"## RL replenishment agent vs (s,S) on the simulator ({datetime.date.today()}, bench/ml/rl.sh)")
lines.append("")
lines.append(f"Machine: nproc {nproc}, load {' '.join(load)} (shared with other builds). Release build.")
lines.append(f"Agent: tabular Q-learning on post-decision states (sim/rl_agent.h; no LibTorch), {episodes} "
             "episodes x 250 days, gamma 0.9. Lost sales, h = 1 per unit-day, fixed lead time L "
             "(simulator days, arrival = order day + L). Evaluation: 30 independent paths x 2000 days "
             "after 100 warm-up days, never used in training or tuning; every policy runs on the same "
             "paths; +- = 95 % t half width; 'cost - agent' is paired by path. base-stock S scanned on "
             "20 tuning paths; ss = sim_optimize pattern search; ss-at-agent-fill = sim_optimize "
             "constrained to fill rate >= the agent's; forecast-driven = order up to F^-1(p/(p+h)) of "
             "demand over L days (perfect forecast).")
lines.append("")
for s in settings:
    name, demand, lead, p, k = s.split('|')
    j = json.load(open(f"{tmp}/{name}.json"))
    t = j["training"]
    wall = open(f"{tmp}/{name}.time").read().strip()
    lines.append(f"**{name}**: demand {demand}, L = {lead}, p = {p}, K = {k}; training {t['steps']} days "
                 f"in {t['seconds']:.2f} s, {t['states_visited']}/{t['states']} post states visited; "
                 f"whole run {wall} s")
    lines.append("")
    lines.append("| policy | rule | cost/day | fill rate | cost - agent | verdict |")
    lines.append("|---|---|---|---|---|---|")
    for q in j["policies"]:
        lines.append(f"| {q['name']} | {q['rule']} | {q['cost_per_day']:.3f} +- {q['cost_ci']:.3f} | "
                     f"{q['fill_rate']:.4f} +- {q['fill_rate_ci']:.4f} | "
                     f"{q['cost_minus_agent']:+.3f} +- {q['cost_minus_agent_ci']:.3f} | {q['verdict']} |")
    fb = j["policies"][0].get("fallbacks", 0)
    if fb:
        lines.append(f"\n(agent fell back to the forecast-driven level in {fb} decisions)")
    lines.append("")
text = "\n".join(lines)
open(out, "w").write(text + "\n")
print(text)
PY
