#pragma once
// `stockcast optimize`: the purchase plan over the store's current state as one mixed-integer
// program (optimize/purchase_plan.h), under a budget and the warehouses' capacities.
//
// It starts from what `plan` computes per SKU x location (latest forecast, stock, open orders,
// supplier terms; pipeline/plan_run.h) and turns each planned line into an item of the MIP:
//   demand over the cover T = lead time + review period ~ Normal(mu_T, sigma_T) with mu_T the
//     forecast mean over T and sigma_T the plan's spread (demand and lead-time variability);
//     for slow movers (mu_T < 30) a count distribution with the same mean and variance:
//     Poisson when sigma_T^2 <= mu_T, else negative binomial;
//   inventory position IP = on hand + on order;
//   holding cost h = unit cost x yearly holding rate x T / 365 per unit left at the end of T;
//   shortage cost p = h alpha / (1 - alpha), alpha = the category's service level: with no
//     budget, capacity, MOQ or order cost in the way, each item's optimum F^-1(p / (p + h))
//     is the alpha-quantile of demand over the cover, the same order-up-to level as `plan`;
//   one offer from the product's supplier (unit cost, case pack, lead time); the supplier's
//     MOQ and fixed order cost (the category's order cost when the supplier has none) per
//     (supplier, location) order; the location's unit capacity, applied to the stock expected
//     when the order lands: sum over its items of IP + q - E[demand over the lead time].
// The purchase value is not a cost in the objective (the stock is bought to be sold), but the
// budget pays for it and for the fixed order costs. Under a tight budget the MIP buys where
// one unit of money removes the most expected shortage and holding cost. Series whose stock
// is unknown, or whose master data is bad, are left out (counted in `skipped`).
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"
#include "stockcast/core/progress.h"
#include "stockcast/optimize/purchase_plan.h"
#include "stockcast/pipeline/config.h"
#include "stockcast/pipeline/plan_run.h"
#include "stockcast/store/store.h"

namespace stockcast::pipeline {

struct OptimizeRunOptions {
  double budget = optimize::kInfinity;  // > 0; inf = none
  std::optional<Date> as_of;            // as for plan (default: the forecast's first day)
  double time_limit_seconds = 60;       // > 0
  double relative_gap = 1e-4;           // >= 0: stop within this relative gap of the optimum
  std::string orders_csv;               // write the purchase orders here when not empty
  // Cap every item at the plan's own quantity: the MIP only cuts the policy's orders down to
  // the budget and capacities (the closed loop, plan_loop.h), never adds orders.
  bool cap_at_plan_quantity = false;
  // "budget = -3; must be > 0 (omit --budget for no budget)".
  Status Validate() const;
};

struct OptimizeRunSummary {
  Date as_of;
  int64_t forecast_run_id = 0;
  size_t items = 0;    // SKU x location series in the MIP
  size_t skipped = 0;  // series left out: stock unknown or master data rejected
  std::vector<std::string> warnings;  // from the plan step, then the optimiser's notes
  optimize::PlanResult result;        // status, costs, lines, orders, binding, conflicts
};

// Errors: as RunPlan (no forecast, as_of outside it, store failures), an invalid option, an
// unwritable CSV. An infeasible plan is not an error: result.status says so and
// result.conflicts what must give.
Result<OptimizeRunSummary> RunOptimize(Store& store, const Config& config,
                                       const OptimizeRunOptions& options,
                                       const ProgressFn& progress = {});

// The optimisation step alone, over a plan RunPlan computed (PlanRunOptions::save = false is
// typical): `plan closed loop` (plan_loop.h) calls it after its own policy step.
Result<OptimizeRunSummary> OptimizePlan(const PlanRunSummary& plan,
                                        std::span<const Location> locations,
                                        const OptimizeRunOptions& options,
                                        const ProgressFn& progress = {});

}  // namespace stockcast::pipeline
