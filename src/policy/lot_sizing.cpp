#include "stockcast/policy/lot_sizing.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace stockcast::policy {
namespace {

bool NonNegative(double v) { return v >= 0.0 && std::isfinite(v); }

double SetupAt(const LotSizingOptions& o, size_t t) {
  return o.setup_costs.empty() ? o.setup_cost : o.setup_costs[t];
}
double HoldingAt(const LotSizingOptions& o, size_t t) {
  return o.holding_costs.empty() ? o.holding_cost : o.holding_costs[t];
}

Status CheckDemand(const std::vector<double>& demand) {
  if (demand.empty()) return Error::InvalidArgument("demand is empty; need at least one period");
  for (size_t t = 0; t < demand.size(); ++t) {
    if (!NonNegative(demand[t])) {
      return Error::InvalidArgument(
          fmt::format("demand[{}] = {}; must be finite and >= 0", t, demand[t]));
    }
  }
  return Status::Ok();
}

// Demand left after the initial inventory has covered the earliest periods.
std::vector<double> NetDemand(const std::vector<double>& demand, double initial) {
  std::vector<double> net = demand;
  double left = initial;
  for (double& d : net) {
    const double take = std::min(left, d);
    d -= take;
    left -= take;
  }
  return net;
}

std::string Plan(const std::vector<double>& orders) {
  std::string out;
  for (size_t t = 0; t < orders.size(); ++t) {
    if (orders[t] <= 0.0) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{:g} in period {}", orders[t], t + 1);
  }
  return out.empty() ? "no orders" : out;
}

}  // namespace

Status LotSizingOptions::Validate(size_t periods) const {
  if (!NonNegative(setup_cost)) {
    return Error::InvalidArgument(fmt::format("setup_cost = {}; must be >= 0", setup_cost));
  }
  if (!NonNegative(holding_cost)) {
    return Error::InvalidArgument(fmt::format("holding_cost = {}; must be >= 0", holding_cost));
  }
  if (!NonNegative(initial_inventory)) {
    return Error::InvalidArgument(
        fmt::format("initial_inventory = {}; must be >= 0", initial_inventory));
  }
  if (!setup_costs.empty() && setup_costs.size() != periods) {
    return Error::InvalidArgument(fmt::format(
        "setup_costs has {} entries; must have one per period ({})", setup_costs.size(), periods));
  }
  if (!holding_costs.empty() && holding_costs.size() != periods) {
    return Error::InvalidArgument(
        fmt::format("holding_costs has {} entries; must have one per "
                    "period ({})",
                    holding_costs.size(), periods));
  }
  for (size_t t = 0; t < setup_costs.size(); ++t) {
    if (!NonNegative(setup_costs[t])) {
      return Error::InvalidArgument(
          fmt::format("setup_costs[{}] = {}; must be >= 0", t, setup_costs[t]));
    }
  }
  for (size_t t = 0; t < holding_costs.size(); ++t) {
    if (!NonNegative(holding_costs[t])) {
      return Error::InvalidArgument(
          fmt::format("holding_costs[{}] = {}; must be >= 0", t, holding_costs[t]));
    }
  }
  return Status::Ok();
}

Result<LotSizingResult> EvaluateLotPlan(const std::vector<double>& demand,
                                        const std::vector<double>& orders,
                                        const LotSizingOptions& options) {
  SC_RETURN_IF_ERROR(CheckDemand(demand));
  SC_RETURN_IF_ERROR(options.Validate(demand.size()));
  if (orders.size() != demand.size()) {
    return Error::InvalidArgument(fmt::format(
        "orders has {} entries; must have one per period ({})", orders.size(), demand.size()));
  }
  LotSizingResult r;
  r.method = "plan";
  r.orders = orders;
  double level = options.initial_inventory;
  for (size_t t = 0; t < demand.size(); ++t) {
    if (!NonNegative(orders[t])) {
      return Error::InvalidArgument(
          fmt::format("orders[{}] = {}; must be finite and >= 0", t, orders[t]));
    }
    if (orders[t] > 0.0) {
      r.setup_cost += SetupAt(options, t);
      ++r.setups;
    }
    level += orders[t] - demand[t];
    // Sums of doubles may leave -1e-13 where the plan is exact.
    if (level < -1e-9 * std::max(1.0, demand[t])) {
      return Error::InvalidArgument(fmt::format(
          "period {} runs short by {:g} units; lot sizing allows no backorders", t + 1, -level));
    }
    level = std::max(level, 0.0);
    r.end_inventory.push_back(level);
    r.holding_cost += HoldingAt(options, t) * level;
  }
  r.cost = r.setup_cost + r.holding_cost;
  r.explanation = fmt::format("{}: cost {:g} = setups {:g} ({} orders) + holding {:g}",
                              Plan(orders), r.cost, r.setup_cost, r.setups, r.holding_cost);
  return r;
}

Result<LotSizingResult> WagnerWhitin(const std::vector<double>& demand,
                                     const LotSizingOptions& options) {
  SC_RETURN_IF_ERROR(CheckDemand(demand));
  SC_RETURN_IF_ERROR(options.Validate(demand.size()));
  const size_t n = demand.size();
  const std::vector<double> d = NetDemand(demand, options.initial_inventory);
  const double inf = std::numeric_limits<double>::infinity();
  // f[j]: cheapest cover of periods 1..j (1-based); pred[j]: the period i ordering for i..j.
  std::vector<double> f(n + 1, inf);
  std::vector<size_t> pred(n + 1, 0);
  f[0] = 0.0;
  for (size_t j = 1; j <= n; ++j) {
    double after = 0.0;    // d_{i+1} + ... + d_j
    double holding = 0.0;  // sum_{t=i}^{j-1} h_t (d_{t+1} + ... + d_j)
    for (size_t i = j; i >= 1; --i) {
      if (i < j) {
        after += d[i];  // d_{i+1} (0-based index i)
        holding += HoldingAt(options, i - 1) * after;
      }
      const double total = d[i - 1] + after;
      const double c = total > 0.0 ? SetupAt(options, i - 1) + holding : 0.0;
      if (f[i - 1] + c < f[j]) {
        f[j] = f[i - 1] + c;
        pred[j] = i;
      }
    }
  }
  std::vector<double> orders(n, 0.0);
  for (size_t j = n; j >= 1;) {
    const size_t i = pred[j];
    double q = 0.0;
    for (size_t t = i; t <= j; ++t) q += d[t - 1];
    orders[i - 1] = q;
    j = i - 1;
  }
  SC_ASSIGN_OR_RETURN(LotSizingResult r, EvaluateLotPlan(demand, orders, options));
  r.method = "wagner_whitin";
  r.explanation = "Wagner-Whitin optimum: " + r.explanation;
  return r;
}

Result<LotSizingResult> SilverMeal(const std::vector<double>& demand,
                                   const LotSizingOptions& options) {
  SC_RETURN_IF_ERROR(CheckDemand(demand));
  SC_RETURN_IF_ERROR(options.Validate(demand.size()));
  const size_t n = demand.size();
  const std::vector<double> d = NetDemand(demand, options.initial_inventory);
  std::vector<double> orders(n, 0.0);
  size_t i = 0;
  while (i < n) {
    if (d[i] <= 0.0) {
      ++i;
      continue;
    }
    double cost = SetupAt(options, i);
    double carry = 0.0;  // h_i + ... + h_j: cost of holding one unit from i to j + 1
    double q = d[i];
    size_t j = i;
    while (j + 1 < n) {
      carry += HoldingAt(options, j);
      const double next = cost + carry * d[j + 1];
      // Cost per period over i..j+1 versus over i..j.
      if (next / static_cast<double>(j + 2 - i) > cost / static_cast<double>(j + 1 - i)) break;
      cost = next;
      q += d[j + 1];
      ++j;
    }
    orders[i] = q;
    i = j + 1;
  }
  SC_ASSIGN_OR_RETURN(LotSizingResult r, EvaluateLotPlan(demand, orders, options));
  r.method = "silver_meal";
  r.explanation = "Silver-Meal heuristic: " + r.explanation;
  return r;
}

// ---------------------------------------------------------------------------------------------

Status StochasticLotSizingOptions::Validate() const {
  if (!NonNegative(setup_cost)) {
    return Error::InvalidArgument(fmt::format("setup_cost = {}; must be >= 0", setup_cost));
  }
  if (!(holding_cost > 0.0) || !std::isfinite(holding_cost)) {
    return Error::InvalidArgument(fmt::format("holding_cost = {}; must be > 0", holding_cost));
  }
  if (!(backorder_cost > 0.0) || !std::isfinite(backorder_cost)) {
    return Error::InvalidArgument(fmt::format("backorder_cost = {}; must be > 0", backorder_cost));
  }
  if (!NonNegative(unit_cost)) {
    return Error::InvalidArgument(fmt::format("unit_cost = {}; must be >= 0", unit_cost));
  }
  return Status::Ok();
}

Result<StochasticLotSizingResult> FiniteHorizonSS(const std::vector<DemandDistribution>& demand,
                                                  const StochasticLotSizingOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  if (demand.empty()) return Error::InvalidArgument("demand is empty; need at least one period");
  const size_t horizon = demand.size();
  std::vector<std::vector<double>> pmf(horizon);
  int64_t total_max = 0;
  for (size_t t = 0; t < horizon; ++t) {
    if (!demand[t].integer()) {
      return Error::InvalidArgument(
          fmt::format("demand[{}] = {}; the stochastic lot-sizing DP needs integer demand", t,
                      demand[t].ToString()));
    }
    SC_ASSIGN_OR_RETURN(pmf[t], demand[t].PmfTable());
    total_max += static_cast<int64_t>(pmf[t].size()) - 1;
  }
  const int64_t x1 = options.initial_inventory;
  // Levels reachable from x_1 lie in [min(x1, 0) - total_max, max(x1, total_max)]; the grid
  // reaches total_max further down so that H_t near the bottom of that range is exact.
  const int64_t hi = std::max(x1, total_max);
  const int64_t reach_lo = std::min<int64_t>(x1, 0) - total_max;
  const int64_t lo = reach_lo - total_max;
  const int64_t width = hi - lo + 1;
  if (width * static_cast<int64_t>(horizon) * (total_max / static_cast<int64_t>(horizon) + 1) >
      400'000'000) {
    return Error::InvalidArgument(fmt::format(
        "stochastic lot sizing over {} periods with up to {} units of demand is too large for "
        "the exact DP; shorten the horizon",
        horizon, total_max));
  }
  const size_t n = static_cast<size_t>(width);
  const double k = options.setup_cost;
  const double c = options.unit_cost;
  const double h = options.holding_cost;
  const double p = options.backorder_cost;

  StochasticLotSizingResult res;
  res.reorder_points.assign(horizon, 0);
  res.order_up_to.assign(horizon, 0);
  std::vector<double> next_f(n, 0.0);  // f_{t+1} on the grid
  double next_slope = 0.0;             // f_{t+1}'s slope below the grid: 0 at T+1, then -c
  std::vector<double> f(n, 0.0);
  std::vector<double> big_h(n, 0.0);
  std::vector<double> suffix_min(n, 0.0);
  std::vector<size_t> suffix_arg(n, 0);
  int64_t first_target = x1;
  bool first_orders = false;
  for (size_t tt = horizon; tt-- > 0;) {
    const std::vector<double>& pt = pmf[tt];
    const IntegerLossTable loss = MakeIntegerLossTable(pt, lo, hi);
    for (size_t i = 0; i < n; ++i) {
      const int64_t y = lo + static_cast<int64_t>(i);
      double future = 0.0;
      for (size_t dd = 0; dd < pt.size(); ++dd) {
        const int64_t x = y - static_cast<int64_t>(dd);
        const double fx = x >= lo ? next_f[static_cast<size_t>(x - lo)]
                                  : next_f[0] + next_slope * static_cast<double>(x - lo);
        future += pt[dd] * fx;
      }
      big_h[i] =
          c * static_cast<double>(y) + h * loss.complementary_loss[i] + p * loss.loss[i] + future;
    }
    suffix_min[n - 1] = big_h[n - 1];
    suffix_arg[n - 1] = n - 1;
    for (size_t i = n - 1; i-- > 0;) {
      if (big_h[i] <= suffix_min[i + 1]) {
        suffix_min[i] = big_h[i];
        suffix_arg[i] = i;
      } else {
        suffix_min[i] = suffix_min[i + 1];
        suffix_arg[i] = suffix_arg[i + 1];
      }
    }
    const size_t s_idx = suffix_arg[0];  // global argmin of H_t (smallest)
    const int64_t big_s = lo + static_cast<int64_t>(s_idx);
    int64_t s = reach_lo - 1;
    bool form_ok = true;
    bool seen_no_order = false;
    for (size_t i = 0; i < n; ++i) {
      const int64_t x = lo + static_cast<int64_t>(i);
      const bool order = k + suffix_min[i] < big_h[i] - 1e-9 * std::max(1.0, std::abs(big_h[i]));
      f[i] = -c * static_cast<double>(x) + (order ? k + suffix_min[i] : big_h[i]);
      if (x < reach_lo) continue;
      if (order) {
        if (seen_no_order || suffix_arg[i] != s_idx) form_ok = false;
        s = x;
      } else {
        seen_no_order = true;
      }
      if (tt == 0 && x == x1) {
        first_orders = order;
        first_target = order ? lo + static_cast<int64_t>(suffix_arg[i]) : x1;
      }
    }
    res.is_s_s = res.is_s_s && form_ok;
    res.reorder_points[tt] = s;
    res.order_up_to[tt] = big_s;
    next_f.swap(f);
    next_slope = -c;
  }
  res.expected_cost = next_f[static_cast<size_t>(x1 - lo)];
  res.first_order = first_orders ? first_target - x1 : 0;
  std::string plan;
  for (size_t t = 0; t < horizon; ++t) {
    if (!plan.empty()) plan += ", ";
    plan += fmt::format("t{}: ({}, {})", t + 1, res.reorder_points[t], res.order_up_to[t]);
  }
  res.explanation = fmt::format(
      "finite-horizon (s_t, S_t) over {} periods, K={:g}, h={:g}, p={:g}, c={:g}: {}; from "
      "inventory {} the expected total cost is {:.4f} and the first order is {}{}",
      horizon, k, h, p, c, plan, x1, res.expected_cost, res.first_order,
      res.is_s_s ? "" : " (note: some period's optimal decision was not of (s, S) form)");
  return res;
}

}  // namespace stockcast::policy
