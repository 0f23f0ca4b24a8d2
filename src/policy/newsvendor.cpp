#include "stockcast/policy/newsvendor.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace stockcast::policy {
namespace {

bool NonNegative(double v) { return v >= 0.0 && std::isfinite(v); }

NewsvendorResult Evaluate(const DemandDistribution& d, double s, const NewsvendorOptions& o,
                          bool optimal) {
  NewsvendorResult r;
  r.order_quantity = s;
  r.overage_cost = o.Overage();
  r.underage_cost = o.Underage();
  r.critical_ratio = r.underage_cost / (r.underage_cost + r.overage_cost);
  r.expected_shortage = d.Loss(s);
  r.expected_leftover = d.ComplementaryLoss(s);
  r.expected_cost = r.overage_cost * r.expected_leftover + r.underage_cost * r.expected_shortage;
  const double mu = d.Mean();
  // E[min(D, S)] = E[D] - E[(D - S)+]; with normal demand E[D] counts negative draws, so sales
  // are floored at 0.
  r.expected_sales = std::max(0.0, mu - r.expected_shortage);
  r.fill_rate = mu > 0.0 ? std::min(1.0, r.expected_sales / mu) : 1.0;
  r.in_stock_probability = d.Cdf(s);
  if (o.unit_cost > 0.0) {
    r.has_profit = true;
    r.expected_profit = o.price * r.expected_sales + o.salvage_value * r.expected_leftover -
                        o.unit_cost * s - o.shortage_penalty * r.expected_shortage;
  }
  r.explanation = fmt::format(
      "{} S={}{} for demand {} (mean {:.3f}, sd {:.3f}) with overage h={:g}, underage p={:g}, "
      "critical ratio p/(p+h)={:.5f}: expected cost {:.4f}, sales {:.3f}, leftover {:.3f}, "
      "shortage {:.3f}, fill rate {:.2f}%, in stock {:.2f}%{}",
      optimal ? "order" : "at", d.continuous() ? fmt::format("{:.3f}", s) : fmt::format("{:g}", s),
      optimal && d.continuous() && s == 0.0 ? " (floored at 0)" : "", d.ToString(), mu, d.Sd(),
      r.overage_cost, r.underage_cost, r.critical_ratio, r.expected_cost, r.expected_sales,
      r.expected_leftover, r.expected_shortage, 100.0 * r.fill_rate, 100.0 * r.in_stock_probability,
      r.has_profit ? fmt::format("; expected profit {:.4f}", r.expected_profit) : "");
  return r;
}

}  // namespace

Status NewsvendorOptions::Validate() const {
  if (!NonNegative(unit_cost)) {
    return Error::InvalidArgument(fmt::format("unit_cost = {}; must be >= 0", unit_cost));
  }
  if (unit_cost > 0.0) {
    if (overage_cost != 0.0 || underage_cost != 0.0) {
      return Error::InvalidArgument(fmt::format(
          "overage_cost = {}, underage_cost = {} with unit_cost = {}; give either the costs or "
          "the prices (unit_cost, price, salvage_value), not both",
          overage_cost, underage_cost, unit_cost));
    }
    if (!(price > unit_cost) || !std::isfinite(price)) {
      return Error::InvalidArgument(
          fmt::format("price = {}; must be > unit_cost = {}", price, unit_cost));
    }
    if (!NonNegative(salvage_value) || !(salvage_value < unit_cost)) {
      return Error::InvalidArgument(fmt::format(
          "salvage_value = {}; must be in [0, unit_cost = {})", salvage_value, unit_cost));
    }
    if (!NonNegative(shortage_penalty)) {
      return Error::InvalidArgument(
          fmt::format("shortage_penalty = {}; must be >= 0", shortage_penalty));
    }
    return Status::Ok();
  }
  if (price != 0.0 || salvage_value != 0.0 || shortage_penalty != 0.0) {
    return Error::InvalidArgument(fmt::format(
        "price = {}, salvage_value = {}, shortage_penalty = {} but unit_cost = 0; the price "
        "formulation needs unit_cost > 0",
        price, salvage_value, shortage_penalty));
  }
  if (!NonNegative(overage_cost)) {
    return Error::InvalidArgument(fmt::format("overage_cost = {}; must be >= 0", overage_cost));
  }
  if (!NonNegative(underage_cost)) {
    return Error::InvalidArgument(fmt::format("underage_cost = {}; must be >= 0", underage_cost));
  }
  if (overage_cost + underage_cost <= 0.0) {
    return Error::InvalidArgument(
        "overage_cost = 0 and underage_cost = 0; at least one must be > 0");
  }
  return Status::Ok();
}

double NewsvendorOptions::Overage() const {
  return unit_cost > 0.0 ? unit_cost - salvage_value : overage_cost;
}

double NewsvendorOptions::Underage() const {
  return unit_cost > 0.0 ? price - unit_cost + shortage_penalty : underage_cost;
}

Result<NewsvendorResult> SolveNewsvendor(const DemandDistribution& demand,
                                         const NewsvendorOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  const double h = options.Overage();
  const double p = options.Underage();
  const double ratio = p / (p + h);
  double s = 0.0;
  if (ratio >= 1.0) {
    // h = 0: stocking is free, cover the whole (truncated) support.
    s = demand.continuous() ? demand.Mean() + 8.0 * demand.Sd() : demand.Quantile(1.0);
  } else if (ratio > 0.0) {
    s = demand.Quantile(ratio);
  }
  s = std::max(0.0, s);
  return Evaluate(demand, s, options, true);
}

Result<NewsvendorResult> EvaluateNewsvendor(const DemandDistribution& demand, double order_quantity,
                                            const NewsvendorOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  if (!NonNegative(order_quantity)) {
    return Error::InvalidArgument(fmt::format("order_quantity = {}; must be >= 0", order_quantity));
  }
  return Evaluate(demand, order_quantity, options, false);
}

}  // namespace stockcast::policy
