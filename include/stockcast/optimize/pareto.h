#pragma once
// Cost against service for a set of SKUs: the Pareto front of (total expected cost, aggregate
// service), from which the user picks a point.
//
// Each SKU i has demand D_i over its protection period, an inventory position IP_i, holding
// cost h_i per unit left over, shortage penalty p_i per unit short and (optionally counted)
// unit cost c_i. Choosing a position y_i >= IP_i costs
//   C_i(y) = h_i E[(y - D_i)+] + p_i E[(D_i - y)+] [+ c_i (y - IP_i)],
// the total cost is sum_i C_i and the aggregate service is either
//   fill rate      1 - sum_i E[(D_i - y_i)+] / sum_i E[D_i]          (units short / demand)
//   cycle service  sum_i E[D_i] P(D_i <= y_i) / sum_i E[D_i]         (demand-weighted)
// The cheapest point is the unconstrained optimum (each SKU at its newsvendor position); more
// service than that costs more, less service also costs more (it is dominated and removed), so
// the front runs from the unconstrained optimum up to ParetoOptions::max_service.
//
// Methods (Miettinen, "Nonlinear Multiobjective Optimization", 1999, ch. 3):
//   epsilon-constraint: min sum C_i subject to service >= eps for eps evenly spaced between the
//     optimum's service and max_service. Solved by its Lagrangian: for a multiplier lambda >= 0,
//     fill rate: min C_i + lambda n_i(y) is a newsvendor with shortage cost p + lambda,
//       y_i = max(IP_i, F_i^-1((p_i + lambda - c_i) / (p_i + lambda + h_i))),
//     cycle service: min C_i - lambda E[D_i] F_i(y) / sum E[D] over a grid of y (F is not
//       concave, so only the supported points of the front are found);
//     lambda is found by bisection as the smallest value reaching eps (service is monotone in
//     lambda). For fill rate with continuous demand the Lagrangian is exact (a convex problem);
//     with integer demand the point may exceed eps a little.
//   weighted sums over shortage penalties: every p_i scaled by theta (a log grid from 0.25 to
//     max_penalty_multiplier); cost is always reported at the true penalties. theta = 1 is the
//     unconstrained optimum; theta < 1 gives dominated points, removed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/policy/demand_distribution.h"

namespace stockcast::optimize {

struct ParetoItem {
  std::string sku;
  policy::DemandDistribution demand;  // over the protection period
  double inventory_position = 0;      // IP: y >= IP (nothing is sent back)
  double unit_cost = 0;               // >= 0, counted when include_purchase_cost
  double holding_cost = 0;            // >= 0 per unit left over
  double shortage_cost = 0;           // >= 0 per unit short
};

enum class ServiceMetric { kFillRate, kCycleService };
// "fill_rate", "cycle_service".
std::string_view ToString(ServiceMetric metric);
std::optional<ServiceMetric> ParseServiceMetric(std::string_view text);

enum class FrontMethod { kEpsilonConstraint, kWeightedSum };
// "epsilon_constraint", "weighted_sum".
std::string_view ToString(FrontMethod method);
std::optional<FrontMethod> ParseFrontMethod(std::string_view text);

struct ParetoOptions {
  ServiceMetric metric = ServiceMetric::kFillRate;
  FrontMethod method = FrontMethod::kEpsilonConstraint;
  int points = 20;                      // >= 2 points requested (before removing dominated)
  double max_service = 0.999;           // in (0, 1): top of the epsilon grid
  double max_penalty_multiplier = 100;  // > 1: top of the weighted-sum grid
  bool include_purchase_cost = false;
  Status Validate() const;
};

struct ParetoPoint {
  double total_cost = 0;  // holding + shortage (+ purchase)
  double holding_cost = 0;
  double shortage_cost = 0;
  double purchase_cost = 0;
  double expected_shortage = 0;  // units
  double fill_rate = 0;
  double cycle_service = 0;
  double service = 0;     // the chosen metric
  double multiplier = 0;  // lambda (epsilon-constraint) or theta (weighted sum)
  bool unconstrained_optimum = false;
  std::vector<double> position;  // y_i per item
  std::vector<double> quantity;  // y_i - IP_i
  std::string label;             // "fill rate 97.0% for 1234.50 (+3.2% over the cheapest)"
};

struct ParetoFront {
  ServiceMetric metric = ServiceMetric::kFillRate;
  FrontMethod method = FrontMethod::kEpsilonConstraint;
  std::vector<ParetoPoint> points;  // service and cost both strictly increasing
  size_t optimum_index = 0;         // the unconstrained optimum (the cheapest point)
  int dominated_removed = 0;
};

Result<ParetoFront> BuildParetoFront(const std::vector<ParetoItem>& items,
                                     const ParetoOptions& options = {});

// The cheapest point with service >= min_service; NotFound when the front stops below it.
Result<ParetoPoint> PickPoint(const ParetoFront& front, double min_service);

}  // namespace stockcast::optimize
