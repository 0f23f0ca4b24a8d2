#pragma once
// Single-period newsvendor (Snyder & Shen, 2nd ed., ch. 4). Order S before demand D is seen;
// each unit left over costs h (overage), each unit short costs p (underage):
//
//   g(S) = h E[(S - D)+] + p E[(D - S)+] = h nb(S) + p n(S)
//   S*   = F^-1(p / (p + h))        critical ratio (smallest S with F(S) >= ratio for discrete D;
//                                  the optimum of the piecewise-linear g sits on a support point)
//   normal D: S* = mu + sd z*, g(S*) = (p + h) sd phi(z*)
//
// Price formulation: unit cost c, selling price r, salvage value v, shortage penalty (goodwill)
// g: overage h = c - v, underage p = r - c + g, expected profit
//   pi(S) = r E[min(D, S)] + v E[(S - D)+] - c S - g E[(D - S)+].
#include <string>

#include "stockcast/core/error.h"
#include "stockcast/policy/demand_distribution.h"

namespace stockcast::policy {

struct NewsvendorOptions {
  // Cost formulation (used when unit_cost = 0): both >= 0, at least one > 0.
  double overage_cost = 0;   // h per unit left over
  double underage_cost = 0;  // p per unit short
  // Price formulation (used when unit_cost > 0; then overage/underage must stay 0).
  double unit_cost = 0;         // c
  double price = 0;             // r > c
  double salvage_value = 0;     // v < c, >= 0
  double shortage_penalty = 0;  // goodwill per unit short, >= 0
  Status Validate() const;
  // (h, p) after applying the price formulation; call after Validate().
  double Overage() const;
  double Underage() const;
};

struct NewsvendorResult {
  double order_quantity = 0;        // S
  double critical_ratio = 0;        // p / (p + h)
  double overage_cost = 0;          // h used
  double underage_cost = 0;         // p used
  double expected_cost = 0;         // h nb(S) + p n(S)
  double expected_sales = 0;        // E[min(D, S)] = mu - n(S)
  double expected_leftover = 0;     // nb(S)
  double expected_shortage = 0;     // n(S)
  double fill_rate = 0;             // expected sales / mu (1 when mu = 0)
  double in_stock_probability = 0;  // F(S)
  bool has_profit = false;          // price formulation given
  double expected_profit = 0;       // pi(S), price formulation only
  std::string explanation;
};

// The optimal S. Normal demand gives a continuous S (never below 0); the others a support point.
Result<NewsvendorResult> SolveNewsvendor(const DemandDistribution& demand,
                                         const NewsvendorOptions& options);
// The same measures at a given S >= 0.
Result<NewsvendorResult> EvaluateNewsvendor(const DemandDistribution& demand, double order_quantity,
                                            const NewsvendorOptions& options);

}  // namespace stockcast::policy
