#!/usr/bin/env python3
"""Prints plan's and the baseline's rows of a `stockcast evaluate --json` array side by side,
the cost ratio and whether the goals are met. Usage: compare.py EVAL.json LABEL [TARGET]"""
import json
import sys

rows = json.load(open(sys.argv[1]))
name = sys.argv[2]
target = float(sys.argv[3]) if len(sys.argv) > 3 else 0.95
by = {r["policy"]: r for r in rows}
p, b = by["plan"], by["baseline"]
for r in (p, b):
    print(f"{name:<22} {r['policy']:<9} {100 * r['fill_rate']:6.2f}% "
          f"{100 * r['cycle_service_level']:6.2f}% {r['total_cost']:>14,.0f} "
          f"{r['holding_cost']:>12,.0f} {r['ordering_cost']:>11,.0f} {r['shortage_cost']:>13,.0f} "
          f"{r['avg_inventory']:>10,.0f} {r['turnover']:>7.2f} {r['stockout_days']:>8.0f}")
ratio = p["total_cost"] / b["total_cost"]
fill_ok = abs(p["fill_rate"] - target) <= 0.01
cost_ok = ratio <= 0.80
print(f"{name:<22} -> plan's cost = {100 * ratio:.1f}% of the baseline's (goal <= 80%: "
      f"{'met' if cost_ok else 'MISSED'}); plan's fill rate {100 * p['fill_rate']:.2f}% "
      f"(goal {100 * target - 1:.0f}-{100 * target + 1:.0f}%: {'met' if fill_ok else 'MISSED'})")
