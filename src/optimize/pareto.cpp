#include "stockcast/optimize/pareto.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "optimize/detail/loss_curve.h"

namespace stockcast::optimize {
namespace {

constexpr std::array<std::pair<ServiceMetric, std::string_view>, 2> kMetrics = {
    {{ServiceMetric::kFillRate, "fill_rate"}, {ServiceMetric::kCycleService, "cycle_service"}}};
constexpr std::array<std::pair<FrontMethod, std::string_view>, 2> kMethods = {
    {{FrontMethod::kEpsilonConstraint, "epsilon_constraint"},
     {FrontMethod::kWeightedSum, "weighted_sum"}}};

// Positions are searched up to this quantile.
constexpr double kTop = 1.0 - 1e-7;
// Candidate positions per item for the cycle-service Lagrangian.
constexpr int kMaxCandidates = 2000;

struct ItemModel {
  const ParetoItem* item = nullptr;
  detail::LossCurve curve;
  double mean = 0;
  // Cycle service: candidate positions with their cost and F.
  std::vector<double> y, cost, cdf;
};

class Evaluator {
 public:
  Evaluator(std::vector<ItemModel> items, const ParetoOptions& o)
      : items_(std::move(items)), opt_(o) {
    for (const ItemModel& m : items_) total_mean_ += m.mean;
  }

  double Cost(const ItemModel& m, double y, double* holding, double* shortage,
              double* purchase) const {
    const ParetoItem& it = *m.item;
    const double n = m.curve.Loss(y);
    *holding = it.holding_cost * std::max(0.0, n + y - m.mean);
    *shortage = it.shortage_cost * n;
    *purchase = opt_.include_purchase_cost ? it.unit_cost * (y - it.inventory_position) : 0.0;
    return *holding + *shortage + *purchase;
  }

  // Newsvendor position with shortage cost `p` (Snyder & Shen ch. 4, with unit cost c):
  // F(y) = (p - c) / (p + h), never below IP.
  double Newsvendor(const ItemModel& m, double p) const {
    const ParetoItem& it = *m.item;
    const double c = opt_.include_purchase_cost ? it.unit_cost : 0.0;
    const double denom = p + it.holding_cost;
    const double ratio = denom > 0 ? (p - c) / denom : 0.0;
    if (ratio <= 0) return it.inventory_position;
    return std::max(it.inventory_position, it.demand.Quantile(std::min(ratio, kTop)));
  }

  void PrepareCandidates() {
    for (ItemModel& m : items_) {
      const ParetoItem& it = *m.item;
      const double lo = it.inventory_position;
      const double hi = std::max(lo, it.demand.Quantile(kTop));
      std::vector<double> ys = {lo, Newsvendor(m, it.shortage_cost)};
      if (it.demand.integer() && hi - std::ceil(lo) < kMaxCandidates) {
        for (double y = std::ceil(lo); y <= hi; y += 1) ys.push_back(y);
      } else {
        const double f0 = m.curve.Cdf(lo);
        for (int k = 1; k <= kMaxCandidates / 4; ++k) {
          const double p = f0 + (kTop - f0) * k / (kMaxCandidates / 4.0);
          ys.push_back(std::max(lo, it.demand.Quantile(p)));
        }
      }
      std::sort(ys.begin(), ys.end());
      ys.erase(std::unique(ys.begin(), ys.end()), ys.end());
      m.y = ys;
      for (double y : ys) {
        double h, s, c;
        m.cost.push_back(Cost(m, y, &h, &s, &c));
        m.cdf.push_back(m.curve.Cdf(y));
      }
    }
  }

  // Positions minimising the Lagrangian for multiplier `lambda` on the service.
  std::vector<double> Lagrangian(double lambda) const {
    std::vector<double> y(items_.size());
    for (size_t i = 0; i < items_.size(); ++i) {
      const ItemModel& m = items_[i];
      if (opt_.metric == ServiceMetric::kFillRate || lambda == 0) {
        y[i] = Newsvendor(m, m.item->shortage_cost + lambda);
        continue;
      }
      const double w = total_mean_ > 0 ? lambda * m.mean / total_mean_ : 0.0;
      size_t best = 0;
      for (size_t k = 1; k < m.y.size(); ++k) {
        if (m.cost[k] - w * m.cdf[k] < m.cost[best] - w * m.cdf[best] - 1e-12) best = k;
      }
      y[i] = m.y[best];
    }
    return y;
  }

  // Positions for penalties scaled by theta.
  std::vector<double> Weighted(double theta) const {
    std::vector<double> y(items_.size());
    for (size_t i = 0; i < items_.size(); ++i) {
      y[i] = Newsvendor(items_[i], theta * items_[i].item->shortage_cost);
    }
    return y;
  }

  ParetoPoint Point(const std::vector<double>& y, double multiplier) const {
    ParetoPoint p;
    p.multiplier = multiplier;
    p.position = y;
    double served_cycle = 0;
    for (size_t i = 0; i < items_.size(); ++i) {
      const ItemModel& m = items_[i];
      double h, s, c;
      p.total_cost += Cost(m, y[i], &h, &s, &c);
      p.holding_cost += h;
      p.shortage_cost += s;
      p.purchase_cost += c;
      p.expected_shortage += m.curve.Loss(y[i]);
      served_cycle += m.mean * m.curve.Cdf(y[i]);
      p.quantity.push_back(y[i] - m.item->inventory_position);
    }
    p.fill_rate = total_mean_ > 0 ? 1.0 - p.expected_shortage / total_mean_ : 1.0;
    p.cycle_service = total_mean_ > 0 ? served_cycle / total_mean_ : 1.0;
    p.service = opt_.metric == ServiceMetric::kFillRate ? p.fill_rate : p.cycle_service;
    return p;
  }

  // Smallest multiplier whose Lagrangian point reaches `target` (bisection; the service is
  // non-decreasing in lambda).
  ParetoPoint Reach(double target) const {
    double lo = 0, hi = 1;
    ParetoPoint at_hi = Point(Lagrangian(hi), hi);
    while (at_hi.service < target && hi < 1e12) {
      lo = hi;
      hi *= 4;
      at_hi = Point(Lagrangian(hi), hi);
    }
    if (at_hi.service < target) return at_hi;  // unreachable: the best there is
    for (int it = 0; it < 60 && hi - lo > 1e-9 * std::max(1.0, hi); ++it) {
      const double mid = 0.5 * (lo + hi);
      ParetoPoint p = Point(Lagrangian(mid), mid);
      if (p.service >= target) {
        hi = mid;
        at_hi = std::move(p);
      } else {
        lo = mid;
      }
    }
    return at_hi;
  }

 private:
  std::vector<ItemModel> items_;
  ParetoOptions opt_;
  double total_mean_ = 0;
};

}  // namespace

std::string_view ToString(ServiceMetric metric) {
  for (const auto& [m, s] : kMetrics) {
    if (m == metric) return s;
  }
  return "?";
}
std::optional<ServiceMetric> ParseServiceMetric(std::string_view text) {
  for (const auto& [m, s] : kMetrics) {
    if (s == text) return m;
  }
  return std::nullopt;
}
std::string_view ToString(FrontMethod method) {
  for (const auto& [m, s] : kMethods) {
    if (m == method) return s;
  }
  return "?";
}
std::optional<FrontMethod> ParseFrontMethod(std::string_view text) {
  for (const auto& [m, s] : kMethods) {
    if (s == text) return m;
  }
  return std::nullopt;
}

Status ParetoOptions::Validate() const {
  if (points < 2) {
    return Error::InvalidArgument(fmt::format("ParetoOptions::points = {}; must be >= 2", points));
  }
  if (!(max_service > 0 && max_service < 1)) {
    return Error::InvalidArgument(
        fmt::format("ParetoOptions::max_service = {}; must be in (0, 1)", max_service));
  }
  if (!(max_penalty_multiplier > 1) || !std::isfinite(max_penalty_multiplier)) {
    return Error::InvalidArgument(
        fmt::format("ParetoOptions::max_penalty_multiplier = {}; must be > 1 and finite",
                    max_penalty_multiplier));
  }
  return Status::Ok();
}

Result<ParetoFront> BuildParetoFront(const std::vector<ParetoItem>& items,
                                     const ParetoOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  if (items.empty()) return Error::InvalidArgument("pareto front: no items; need at least one");
  std::vector<ItemModel> models(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const ParetoItem& it = items[i];
    const std::pair<const char*, double> fields[] = {{"unit_cost", it.unit_cost},
                                                     {"holding_cost", it.holding_cost},
                                                     {"shortage_cost", it.shortage_cost}};
    for (const auto& [name, v] : fields) {
      if (!(v >= 0) || !std::isfinite(v)) {
        return Error::InvalidArgument(
            fmt::format("item {} (sku \"{}\"): {} = {}; must be >= 0 "
                        "and finite",
                        i, it.sku, name, v));
      }
    }
    if (!std::isfinite(it.inventory_position)) {
      return Error::InvalidArgument(
          fmt::format("item {} (sku \"{}\"): inventory_position = {}; must be finite", i, it.sku,
                      it.inventory_position));
    }
    models[i].item = &it;
    SC_RETURN_IF_ERROR(models[i].curve.Init(it.demand));
    models[i].mean = models[i].curve.mean();
  }
  Evaluator ev(std::move(models), options);
  if (options.metric == ServiceMetric::kCycleService) ev.PrepareCandidates();

  std::vector<ParetoPoint> raw;
  ParetoPoint optimum = ev.Point(ev.Lagrangian(0), 0);
  if (options.method == FrontMethod::kEpsilonConstraint) {
    optimum.unconstrained_optimum = true;
    raw.push_back(optimum);
    const double s0 = optimum.service;
    for (int k = 1; k < options.points && s0 < options.max_service; ++k) {
      raw.push_back(ev.Reach(s0 + (options.max_service - s0) * k / (options.points - 1.0)));
    }
  } else {
    const double lo = std::log(0.25), hi = std::log(options.max_penalty_multiplier);
    for (int k = 0; k < options.points; ++k) {
      const double theta = std::exp(lo + (hi - lo) * k / (options.points - 1.0));
      raw.push_back(ev.Point(ev.Weighted(theta), theta));
    }
    ParetoPoint one = ev.Point(ev.Weighted(1.0), 1.0);
    one.unconstrained_optimum = true;
    raw.push_back(std::move(one));
  }

  // Remove dominated points: sweep from the highest service down, keeping a point only when it
  // is strictly cheaper than every point of higher (or equal) service.
  std::stable_sort(raw.begin(), raw.end(), [](const ParetoPoint& a, const ParetoPoint& b) {
    if (a.service != b.service) return a.service > b.service;
    return a.total_cost < b.total_cost;
  });
  ParetoFront front;
  front.metric = options.metric;
  front.method = options.method;
  double cheapest = std::numeric_limits<double>::infinity();
  for (ParetoPoint& p : raw) {
    const double tol = 1e-9 * std::max(1.0, std::fabs(p.total_cost));
    if (p.total_cost < cheapest - tol) {
      cheapest = p.total_cost;
      front.points.push_back(std::move(p));
    } else {
      ++front.dominated_removed;
    }
  }
  std::reverse(front.points.begin(), front.points.end());
  // The cheapest point is the unconstrained optimum (ties broken toward more service).
  front.optimum_index = 0;
  const double base = front.points.front().total_cost;
  for (size_t k = 0; k < front.points.size(); ++k) {
    ParetoPoint& p = front.points[k];
    p.unconstrained_optimum = k == 0;
    p.label = fmt::format(
        "{} {:.1f}% for {:.2f} (+{:.1f}% over the cheapest)",
        options.metric == ServiceMetric::kFillRate ? "fill rate" : "cycle service", 100 * p.service,
        p.total_cost, base != 0 ? 100 * (p.total_cost - base) / std::fabs(base) : 0.0);
  }
  return front;
}

Result<ParetoPoint> PickPoint(const ParetoFront& front, double min_service) {
  for (const ParetoPoint& p : front.points) {
    if (p.service >= min_service) return p;
  }
  return Error::NotFound(fmt::format("no point of the front reaches {} {}; the highest is {}",
                                     ToString(front.metric), min_service,
                                     front.points.empty() ? 0.0 : front.points.back().service));
}

}  // namespace stockcast::optimize
