#include "stockcast/policy/eoq.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace stockcast::policy {
namespace {

bool Positive(double v) { return v > 0.0 && std::isfinite(v); }
bool NonNegative(double v) { return v >= 0.0 && std::isfinite(v); }

// H with the optimal backorder fraction: h p / (h + p) with backorders, else h, times 1 - rho.
double EffectiveHolding(const EoqOptions& o) {
  const double rho = o.production_rate > 0.0 ? o.demand_rate / o.production_rate : 0.0;
  const double h = o.holding_cost;
  const double p = o.backorder_cost;
  return (1.0 - rho) * (p > 0.0 ? h * p / (h + p) : h);
}

EoqResult Fill(const EoqOptions& o, double q) {
  EoqResult r;
  r.order_quantity = q;
  r.utilisation = o.production_rate > 0.0 ? o.demand_rate / o.production_rate : 0.0;
  if (o.demand_rate == 0.0) {
    r.order_quantity = 0.0;
    r.explanation = "no demand (lambda = 0): nothing to order, cost 0";
    return r;
  }
  const double h = o.holding_cost;
  const double p = o.backorder_cost;
  const double x = p > 0.0 ? h / (h + p) : 0.0;
  const double span = q * (1.0 - r.utilisation);
  r.backorder_fraction = x;
  r.ordering_cost = o.fixed_cost * o.demand_rate / q;
  r.holding_cost = h * span * (1.0 - x) * (1.0 - x) / 2.0;
  r.backorder_cost = p * span * x * x / 2.0;
  r.cost = r.ordering_cost + r.holding_cost + r.backorder_cost;
  r.max_inventory = span * (1.0 - x);
  r.max_backorder = span * x;
  r.cycle_time = q / o.demand_rate;
  r.orders_per_time = o.demand_rate / q;
  std::string model = "EOQ";
  if (o.production_rate > 0.0 && p > 0.0) {
    model = "EPQ with planned backorders";
  } else if (o.production_rate > 0.0) {
    model = "EPQ";
  } else if (p > 0.0) {
    model = "EOQ with planned backorders";
  }
  r.explanation = fmt::format(
      "{}: K={:g}, h={:g}, lambda={:g}{}{} -> Q={:.3f}, cost {:.3f}/time (ordering {:.3f} + "
      "holding {:.3f}{}); {:.3f} orders per time, cycle {:.4f}",
      model, o.fixed_cost, h, o.demand_rate, p > 0.0 ? fmt::format(", p={:g}", p) : "",
      o.production_rate > 0.0
          ? fmt::format(", P={:g} (rho={:.4f})", o.production_rate, r.utilisation)
          : "",
      q, r.cost, r.ordering_cost, r.holding_cost,
      p > 0.0 ? fmt::format(" + backorder {:.3f}; fraction backordered x={:.5f}, max backorder "
                            "{:.3f}",
                            r.backorder_cost, x, r.max_backorder)
              : "",
      r.orders_per_time, r.cycle_time);
  return r;
}

}  // namespace

Status EoqOptions::Validate() const {
  if (!Positive(fixed_cost)) {
    return Error::InvalidArgument(fmt::format("fixed_cost = {}; must be > 0", fixed_cost));
  }
  if (!Positive(holding_cost)) {
    return Error::InvalidArgument(fmt::format("holding_cost = {}; must be > 0", holding_cost));
  }
  if (!NonNegative(demand_rate)) {
    return Error::InvalidArgument(fmt::format("demand_rate = {}; must be >= 0", demand_rate));
  }
  if (!NonNegative(backorder_cost)) {
    return Error::InvalidArgument(
        fmt::format("backorder_cost = {}; must be >= 0 (0 = no backorders)", backorder_cost));
  }
  if (!NonNegative(production_rate)) {
    return Error::InvalidArgument(fmt::format(
        "production_rate = {}; must be >= 0 (0 = instant replenishment)", production_rate));
  }
  if (production_rate > 0.0 && !(production_rate > demand_rate)) {
    return Error::InvalidArgument(
        fmt::format("production_rate = {}; must be > demand_rate = {} (or 0 for instant)",
                    production_rate, demand_rate));
  }
  return Status::Ok();
}

Result<EoqResult> Eoq(const EoqOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  if (options.demand_rate == 0.0) return Fill(options, 0.0);
  const double big_h = EffectiveHolding(options);
  return Fill(options, std::sqrt(2.0 * options.fixed_cost * options.demand_rate / big_h));
}

Result<EoqResult> EvaluateEoq(const EoqOptions& options, double order_quantity) {
  SC_RETURN_IF_ERROR(options.Validate());
  if (!Positive(order_quantity)) {
    return Error::InvalidArgument(fmt::format("order_quantity = {}; must be > 0", order_quantity));
  }
  return Fill(options, order_quantity);
}

std::string_view ToString(DiscountKind kind) {
  return kind == DiscountKind::kAllUnits ? "all_units" : "incremental";
}

std::optional<DiscountKind> ParseDiscountKind(std::string_view text) {
  if (text == "all_units") return DiscountKind::kAllUnits;
  if (text == "incremental") return DiscountKind::kIncremental;
  return std::nullopt;
}

Status QuantityDiscountOptions::Validate() const {
  if (!Positive(fixed_cost)) {
    return Error::InvalidArgument(fmt::format("fixed_cost = {}; must be > 0", fixed_cost));
  }
  if (!NonNegative(demand_rate)) {
    return Error::InvalidArgument(fmt::format("demand_rate = {}; must be >= 0", demand_rate));
  }
  if (breakpoints.empty()) {
    return Error::InvalidArgument("breakpoints is empty; need at least one (b_0 = 0)");
  }
  if (breakpoints.size() != prices.size()) {
    return Error::InvalidArgument(fmt::format(
        "breakpoints has {} entries, prices {}; must be equal", breakpoints.size(), prices.size()));
  }
  if (breakpoints[0] != 0.0) {
    return Error::InvalidArgument(fmt::format(
        "breakpoints[0] = {}; must be 0 (the first price applies from 0 units)", breakpoints[0]));
  }
  for (size_t j = 0; j < prices.size(); ++j) {
    if (!Positive(prices[j])) {
      return Error::InvalidArgument(fmt::format("prices[{}] = {}; must be > 0", j, prices[j]));
    }
    if (j > 0 && !(breakpoints[j] > breakpoints[j - 1] && std::isfinite(breakpoints[j]))) {
      return Error::InvalidArgument(
          fmt::format("breakpoints[{}] = {}; must be > breakpoints[{}] = {}", j, breakpoints[j],
                      j - 1, breakpoints[j - 1]));
    }
    if (j > 0 && !(prices[j] < prices[j - 1])) {
      return Error::InvalidArgument(
          fmt::format("prices[{}] = {}; must be < prices[{}] = {} (discounts lower the price)", j,
                      prices[j], j - 1, prices[j - 1]));
    }
  }
  const bool rate = holding_rate != 0.0;
  const bool absolute = holding_cost != 0.0;
  if (rate == absolute) {
    return Error::InvalidArgument(
        fmt::format("holding_rate = {}, holding_cost = {}; set exactly one of them (> 0)",
                    holding_rate, holding_cost));
  }
  if (rate && !Positive(holding_rate)) {
    return Error::InvalidArgument(fmt::format("holding_rate = {}; must be > 0", holding_rate));
  }
  if (absolute && !Positive(holding_cost)) {
    return Error::InvalidArgument(fmt::format("holding_cost = {}; must be > 0", holding_cost));
  }
  return Status::Ok();
}

Result<QuantityDiscountResult> EoqQuantityDiscount(const QuantityDiscountOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  const double k = options.fixed_cost;
  const double lambda = options.demand_rate;
  const double i_rate = options.holding_rate;
  const bool rate = i_rate > 0.0;
  const bool all_units = options.kind == DiscountKind::kAllUnits;
  const size_t n = options.prices.size();
  QuantityDiscountResult res;
  if (lambda == 0.0) {
    res.explanation = "no demand (lambda = 0): nothing to order, cost 0";
    res.average_unit_price = options.prices[0];
    return res;
  }

  // cbar_j: purchase cost of the first b_j units under incremental pricing.
  std::vector<double> cbar(n, 0.0);
  for (size_t j = 1; j < n; ++j) {
    cbar[j] =
        cbar[j - 1] + options.prices[j - 1] * (options.breakpoints[j] - options.breakpoints[j - 1]);
  }
  // Purchase cost of Q units and the holding cost per unit time at Q, region j.
  auto purchase = [&](size_t j, double q) {
    return all_units ? options.prices[j] * q
                     : cbar[j] + options.prices[j] * (q - options.breakpoints[j]);
  };
  auto holding = [&](size_t j, double q) {
    return rate ? i_rate * purchase(j, q) / 2.0 : options.holding_cost * q / 2.0;
  };
  auto total = [&](size_t j, double q) {
    return lambda * purchase(j, q) / q + k * lambda / q + holding(j, q);
  };

  const double inf = std::numeric_limits<double>::infinity();
  size_t best = n;
  for (size_t j = 0; j < n; ++j) {
    DiscountRegion reg;
    reg.from = options.breakpoints[j];
    reg.to = j + 1 < n ? options.breakpoints[j + 1] : inf;
    reg.price = options.prices[j];
    reg.cost = inf;
    const double c = options.prices[j];
    if (all_units) {
      const double h = rate ? i_rate * c : options.holding_cost;
      reg.unconstrained_eoq = std::sqrt(2.0 * k * lambda / h);
      if (reg.unconstrained_eoq < reg.to) {
        reg.realisable = true;
        reg.order_quantity = std::max(reg.unconstrained_eoq, reg.from);
      }
    } else {
      // A_j = K + cbar_j - c_j b_j: the fixed cost plus the premium paid on the first b_j units.
      const double a = k + cbar[j] - c * reg.from;
      const double h = rate ? i_rate * c : options.holding_cost;
      reg.unconstrained_eoq = std::sqrt(2.0 * lambda * std::max(a, 0.0) / h);
      reg.realisable = true;
      reg.order_quantity = std::clamp(reg.unconstrained_eoq, std::max(reg.from, 1e-12), reg.to);
    }
    if (reg.realisable) {
      reg.cost = total(j, reg.order_quantity);
      if (best == n || reg.cost < res.regions[best].cost - 1e-12) best = j;
    }
    res.regions.push_back(reg);
  }
  SC_ASSERT(best < n);  // the last region is always realisable
  const DiscountRegion& win = res.regions[best];
  const double q = win.order_quantity;
  res.order_quantity = q;
  res.region = static_cast<int>(best);
  res.cost = win.cost;
  res.purchase_cost = lambda * purchase(best, q) / q;
  res.ordering_cost = k * lambda / q;
  res.holding_cost = holding(best, q);
  res.average_unit_price = purchase(best, q) / q;

  std::string detail;
  for (size_t j = 0; j < n; ++j) {
    const DiscountRegion& r = res.regions[j];
    if (!detail.empty()) detail += "; ";
    if (r.realisable) {
      detail += fmt::format("[{:g}, {:g}) at {:g}: EOQ {:.2f} -> Q {:.2f}, cost {:.2f}", r.from,
                            r.to, r.price, r.unconstrained_eoq, r.order_quantity, r.cost);
    } else {
      detail += fmt::format("[{:g}, {:g}) at {:g}: EOQ {:.2f} >= {:g}, not optimal here", r.from,
                            r.to, r.price, r.unconstrained_eoq, r.to);
    }
  }
  res.explanation = fmt::format(
      "{} discount, K={:g}, lambda={:g}, {}: order Q={:.2f} in region {} (average price {:.4f}), "
      "total cost {:.2f}/time = purchase {:.2f} + ordering {:.2f} + holding {:.2f}. Regions: {}",
      ToString(options.kind), k, lambda,
      rate ? fmt::format("holding {:g} x unit value", i_rate)
           : fmt::format("holding {:g}/unit", options.holding_cost),
      q, best, res.average_unit_price, res.cost, res.purchase_cost, res.ordering_cost,
      res.holding_cost, detail);
  return res;
}

}  // namespace stockcast::policy
