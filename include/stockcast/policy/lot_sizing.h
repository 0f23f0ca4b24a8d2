#pragma once
// Dynamic lot sizing over a finite horizon of T periods.
//
// Deterministic (Wagner & Whitin 1958; Snyder & Shen 2nd ed., ch. 3): demand d_t, setup cost
// K_t when ordering in period t, holding h_t per unit on hand at the end of period t, no
// backorders, zero lead time. Zero-inventory ordering is optimal, so an order in period i
// covers exactly periods i..j:
//   f(0) = 0,  f(j) = min_{1<=i<=j} f(i-1) + c(i, j),
//   c(i, j) = 0 when d_i + ... + d_j = 0, else K_i + sum_{t=i}^{j-1} h_t (d_{t+1} + ... + d_j),
// O(T^2) with the inner sum built backwards from i = j. Initial inventory I_0 first nets the
// earliest demand; its holding cost while it lasts is included in the reported cost.
//
// Silver & Meal (1973) heuristic: from the first uncovered period i, extend the order to
// cover i..j while the cost per period (K_i + holding) / (j - i + 1) does not increase.
//
// Stochastic (Scarf 1960; Veinott & Wagner 1965; S&S ch. 4): per-period integer demand D_t,
// backorders at p per unit per period, holding h, setup K, unit cost c, zero lead time. With
// inventory level x before ordering and y >= x after,
//   f_t(x) = -c x + min{ H_t(x), K + min_{y>=x} H_t(y) },
//   H_t(y) = c y + h E[(y - D_t)+] + p E[(D_t - y)+] + E f_{t+1}(y - D_t),   f_{T+1} = 0,
// solved on a grid of levels wide enough for the horizon's demand; below the grid f_{t+1} is
// continued with slope -c (ordering is optimal there). H_t is K-convex, so the decision is
// (s_t, S_t): order up to S_t = argmin H_t when x <= s_t.
#include <cstdint>
#include <string>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/policy/demand_distribution.h"

namespace stockcast::policy {

struct LotSizingOptions {
  double setup_cost = 0;              // K >= 0, used when setup_costs is empty
  double holding_cost = 0;            // h >= 0 per unit per period, used when holding_costs empty
  std::vector<double> setup_costs;    // K_t per period (size T) — optional
  std::vector<double> holding_costs;  // h_t per period (size T) — optional
  double initial_inventory = 0;       // I_0 >= 0
  // Checks the scalars and that per-period vectors, when given, have `periods` entries >= 0.
  Status Validate(size_t periods) const;
};

struct LotSizingResult {
  std::string method;                 // "wagner_whitin" or "silver_meal"
  std::vector<double> orders;         // quantity ordered in each period
  std::vector<double> end_inventory;  // on hand at the end of each period
  double cost = 0;                    // setup + holding (incl. holding of I_0)
  double setup_cost = 0;
  double holding_cost = 0;
  int setups = 0;
  std::string explanation;
};

// Errors: empty or negative demand, invalid options.
Result<LotSizingResult> WagnerWhitin(const std::vector<double>& demand,
                                     const LotSizingOptions& options);
Result<LotSizingResult> SilverMeal(const std::vector<double>& demand,
                                   const LotSizingOptions& options);
// Cost of a given order plan (infeasible when a period runs short): same fields.
Result<LotSizingResult> EvaluateLotPlan(const std::vector<double>& demand,
                                        const std::vector<double>& orders,
                                        const LotSizingOptions& options);

struct StochasticLotSizingOptions {
  double setup_cost = 0;          // K >= 0
  double holding_cost = 1;        // h > 0 per unit per period
  double backorder_cost = 9;      // p > 0 per unit backordered per period
  double unit_cost = 0;           // c >= 0 per unit ordered
  int64_t initial_inventory = 0;  // x_1 (may be negative: backorders)
  Status Validate() const;
};

struct StochasticLotSizingResult {
  std::vector<int64_t> reorder_points;  // s_t: order when the level is <= s_t
  std::vector<int64_t> order_up_to;     // S_t
  double expected_cost = 0;             // f_1(x_1): total expected cost over the horizon
  int64_t first_order = 0;              // what to order now from x_1
  bool is_s_s = true;                   // every period's decision had (s_t, S_t) form on the grid
  std::string explanation;
};

// Finite-horizon stochastic (s_t, S_t) by dynamic programming; demand[t] must be integer.
Result<StochasticLotSizingResult> FiniteHorizonSS(const std::vector<DemandDistribution>& demand,
                                                  const StochasticLotSizingOptions& options);

}  // namespace stockcast::policy
