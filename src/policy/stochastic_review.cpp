#include "stockcast/policy/stochastic_review.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace stockcast::policy {
namespace {

bool Positive(double v) { return v > 0.0 && std::isfinite(v); }
bool NonNegative(double v) { return v >= 0.0 && std::isfinite(v); }

// sum_t g_{n_t}(y) over several integer demand tables (t = 1..R: n_t = L + t), kept on a window
// [lo, hi] of whole y that grows (doubling) whenever a search steps outside it.
class CostFunction {
 public:
  CostFunction(std::vector<std::vector<double>> pmfs, double h, double p)
      : pmfs_(std::move(pmfs)), h_(h), p_(p) {
    int64_t top = 0;
    for (const auto& t : pmfs_) top = std::max<int64_t>(top, static_cast<int64_t>(t.size()));
    Build(-top - 8, 2 * top + 8);
  }

  double operator()(int64_t y) { return Cost(y); }
  double Cost(int64_t y) {
    Cover(y);
    return cost_[Index(y)];
  }
  double OnHand(int64_t y) {
    Cover(y);
    return on_hand_[Index(y)];
  }
  double Backorders(int64_t y) {
    Cover(y);
    return backorders_[Index(y)];
  }
  // sum_t F_t(y)
  double CdfSum(int64_t y) {
    Cover(y);
    return cdf_sum_[Index(y)];
  }
  size_t terms() const { return pmfs_.size(); }
  // Pointer to G(from), valid for G(from..to) until the next lookup outside the window.
  const double* Range(int64_t from, int64_t to) {
    Cover(from);
    Cover(to);
    return cost_.data() + Index(from);
  }

 private:
  size_t Index(int64_t y) const { return static_cast<size_t>(y - lo_); }
  void Cover(int64_t y) {
    if (y >= lo_ && y <= hi_) return;
    const int64_t width = hi_ - lo_ + 1;
    int64_t lo = lo_;
    int64_t hi = hi_;
    while (y < lo) lo -= width;
    while (y > hi) hi += width;
    Build(lo, hi);
  }
  void Build(int64_t lo, int64_t hi) {
    lo_ = lo;
    hi_ = hi;
    const size_t n = static_cast<size_t>(hi - lo + 1);
    cost_.assign(n, 0.0);
    on_hand_.assign(n, 0.0);
    backorders_.assign(n, 0.0);
    cdf_sum_.assign(n, 0.0);
    for (const auto& pmf : pmfs_) {
      const IntegerLossTable t = MakeIntegerLossTable(pmf, lo, hi);
      for (size_t i = 0; i < n; ++i) {
        on_hand_[i] += t.complementary_loss[i];
        backorders_[i] += t.loss[i];
        cdf_sum_[i] += t.cdf[i];
      }
    }
    for (size_t i = 0; i < n; ++i) cost_[i] = h_ * on_hand_[i] + p_ * backorders_[i];
  }

  std::vector<std::vector<double>> pmfs_;
  double h_;
  double p_;
  int64_t lo_ = 0;
  int64_t hi_ = -1;
  std::vector<double> cost_, on_hand_, backorders_, cdf_sum_;
};

// Tables of D^(L+1), ..., D^(L+R).
Result<std::vector<std::vector<double>>> ProtectionTables(const DemandDistribution& d, int lead,
                                                          int review) {
  std::vector<std::vector<double>> out;
  for (int t = 1; t <= review; ++t) {
    SC_ASSIGN_OR_RETURN(DemandDistribution dt, d.Convolve(static_cast<double>(lead + t)));
    SC_ASSIGN_OR_RETURN(std::vector<double> table, dt.PmfTable());
    out.push_back(std::move(table));
  }
  return out;
}

// The smallest whole y minimising a convex cost, walking from `start`.
int64_t ArgMin(CostFunction& g, int64_t start) {
  int64_t y = start;
  while (g(y - 1) <= g(y)) --y;
  while (g(y + 1) < g(y)) ++y;
  return y;
}

Status NeedInteger(const DemandDistribution& d, std::string_view what) {
  if (d.integer()) return Status::Ok();
  return Error::InvalidArgument(
      fmt::format("{} needs integer demand (poisson, negbin, or empirical whole numbers); got {}",
                  what, d.ToString()));
}

std::string Period(int review) {
  return review == 1 ? std::string("period") : fmt::format("review every {} periods", review);
}

}  // namespace

Status PeriodicReviewOptions::Validate() const {
  if (!Positive(holding_cost)) {
    return Error::InvalidArgument(fmt::format("holding_cost = {}; must be > 0", holding_cost));
  }
  if (!Positive(backorder_cost)) {
    return Error::InvalidArgument(fmt::format("backorder_cost = {}; must be > 0", backorder_cost));
  }
  if (!NonNegative(fixed_cost)) {
    return Error::InvalidArgument(fmt::format("fixed_cost = {}; must be >= 0", fixed_cost));
  }
  if (lead_time < 0) {
    return Error::InvalidArgument(fmt::format("lead_time = {}; must be >= 0", lead_time));
  }
  if (review_period < 1) {
    return Error::InvalidArgument(fmt::format("review_period = {}; must be >= 1", review_period));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Base stock / (R, S)

Result<BaseStockResult> EvaluateBaseStock(const DemandDistribution& per_period, double order_up_to,
                                          const PeriodicReviewOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  if (!std::isfinite(order_up_to)) {
    return Error::InvalidArgument(fmt::format("order_up_to = {}; must be finite", order_up_to));
  }
  const int lead = options.lead_time;
  const int review = options.review_period;
  const double h = options.holding_cost;
  const double p = options.backorder_cost;
  BaseStockResult r;
  r.order_up_to = order_up_to;
  r.critical_ratio = p / (p + h);
  for (int t = 1; t <= review; ++t) {
    SC_ASSIGN_OR_RETURN(DemandDistribution dt, per_period.Convolve(lead + t));
    r.expected_on_hand += dt.ComplementaryLoss(order_up_to) / review;
    r.expected_backorders += dt.Loss(order_up_to) / review;
    r.in_stock_probability += dt.Cdf(order_up_to) / review;
    if (t == review) r.protection_demand = dt.ToString();
  }
  r.holding_cost = h * r.expected_on_hand;
  r.backorder_cost = p * r.expected_backorders;
  // An order goes out at a review unless no demand arrived since the last one.
  SC_ASSIGN_OR_RETURN(DemandDistribution between, per_period.Convolve(review));
  const double order_probability = between.continuous()
                                       ? (between.Sd() > 0.0 || between.Mean() != 0.0 ? 1.0 : 0.0)
                                       : 1.0 - between.Pmf(0.0);
  const double ordering = options.fixed_cost * order_probability / review;
  r.expected_cost = r.holding_cost + r.backorder_cost + ordering;
  const std::string s_text = per_period.continuous() ? fmt::format("{:.3f}", order_up_to)
                                                     : fmt::format("{:g}", order_up_to);
  r.explanation = fmt::format(
      "{} S={} (lead time {}, {}): demand to cover {} ; h={:g}, p={:g}, critical ratio {:.5f}; "
      "expected cost {:.4f}/period (holding {:.4f}, backorders {:.4f}{}), on hand {:.3f}, "
      "backordered {:.3f}, in stock {:.2f}%",
      review == 1 ? "base-stock" : "(R,S)", s_text, lead, Period(review), r.protection_demand, h, p,
      r.critical_ratio, r.expected_cost, r.holding_cost, r.backorder_cost,
      ordering > 0.0 ? fmt::format(", ordering {:.4f}", ordering) : "", r.expected_on_hand,
      r.expected_backorders, 100.0 * r.in_stock_probability);
  return r;
}

Result<BaseStockResult> OptimizeBaseStock(const DemandDistribution& per_period,
                                          const PeriodicReviewOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  const int lead = options.lead_time;
  const int review = options.review_period;
  const double ratio = options.backorder_cost / (options.backorder_cost + options.holding_cost);
  // dG/dS = sum_t [h F_t(S) - p (1 - F_t(S))] >= 0  <=>  sum_t F_t(S) >= R p / (p + h).
  const double target = review * ratio;
  double s = 0.0;
  if (per_period.integer()) {
    SC_ASSIGN_OR_RETURN(auto tables, ProtectionTables(per_period, lead, review));
    CostFunction g(std::move(tables), options.holding_cost, options.backorder_cost);
    int64_t y = 0;
    // sum_t F_t(y) is 0 below 0 and non-decreasing: the first y reaching the target.
    while (g.CdfSum(y) < target - 1e-12) ++y;
    s = static_cast<double>(y);
  } else if (per_period.continuous()) {
    std::vector<DemandDistribution> dists;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (int t = 1; t <= review; ++t) {
      SC_ASSIGN_OR_RETURN(DemandDistribution dt, per_period.Convolve(lead + t));
      lo = std::min(lo, dt.Mean() - 12.0 * dt.Sd() - 1.0);
      hi = std::max(hi, dt.Mean() + 12.0 * dt.Sd() + 1.0);
      dists.push_back(std::move(dt));
    }
    auto sum_cdf = [&](double y) {
      double c = 0.0;
      for (const auto& dt : dists) c += dt.Cdf(y);
      return c;
    };
    if (review == 1) {
      s = dists[0].Quantile(ratio);
    } else {
      for (int it = 0; it < 200 && hi - lo > 1e-10 * std::max(1.0, std::abs(hi)); ++it) {
        const double mid = 0.5 * (lo + hi);
        (sum_cdf(mid) < target ? lo : hi) = mid;
      }
      s = hi;
    }
  } else {
    // Non-integer empirical: the optimum sits on a support point of some D^(L+t).
    std::vector<DemandDistribution> dists;
    std::vector<double> points;
    for (int t = 1; t <= review; ++t) {
      SC_ASSIGN_OR_RETURN(DemandDistribution dt, per_period.Convolve(lead + t));
      points.insert(points.end(), dt.support().begin(), dt.support().end());
      dists.push_back(std::move(dt));
    }
    std::sort(points.begin(), points.end());
    s = points.back();
    for (double y : points) {
      double c = 0.0;
      for (const auto& dt : dists) c += dt.Cdf(y);
      if (c >= target - 1e-12) {
        s = y;
        break;
      }
    }
  }
  return EvaluateBaseStock(per_period, s, options);
}

// ---------------------------------------------------------------------------------------------
// (r, Q)

Status RQOptions::Validate() const {
  if (!Positive(holding_cost)) {
    return Error::InvalidArgument(fmt::format("holding_cost = {}; must be > 0", holding_cost));
  }
  if (!Positive(backorder_cost)) {
    return Error::InvalidArgument(fmt::format("backorder_cost = {}; must be > 0", backorder_cost));
  }
  if (!NonNegative(fixed_cost)) {
    return Error::InvalidArgument(fmt::format("fixed_cost = {}; must be >= 0", fixed_cost));
  }
  if (!NonNegative(lead_time)) {
    return Error::InvalidArgument(fmt::format("lead_time = {}; must be >= 0", lead_time));
  }
  return Status::Ok();
}

namespace {

Result<RQResult> FillRQ(CostFunction& g, const std::vector<double>& lead_pmf, double lambda,
                        int64_t r, int64_t q, const RQOptions& o) {
  RQResult res;
  res.reorder_point = r;
  res.order_quantity = q;
  double sum = 0.0;
  double on_hand = 0.0;
  double back = 0.0;
  double in_stock = 0.0;
  const IntegerLossTable t = MakeIntegerLossTable(lead_pmf, r, r + q);
  for (int64_t y = r + 1; y <= r + q; ++y) {
    sum += g(y);
    on_hand += g.OnHand(y);
    back += g.Backorders(y);
    in_stock += t.cdf[static_cast<size_t>(y - 1 - r)];  // F_L(y - 1)
  }
  const double qd = static_cast<double>(q);
  res.ordering_cost = o.fixed_cost * lambda / qd;
  res.inventory_cost = sum / qd;
  res.expected_cost = res.ordering_cost + res.inventory_cost;
  res.expected_on_hand = on_hand / qd;
  res.expected_backorders = back / qd;
  res.in_stock_probability = in_stock / qd;
  res.eoq = o.fixed_cost > 0.0 ? std::sqrt(2.0 * o.fixed_cost * lambda / o.holding_cost) : 0.0;
  res.explanation = fmt::format(
      "(r,Q): order {} when the inventory position falls to {} (position uniform on {}..{}); "
      "lead time {:g}, demand rate {:g}, h={:g}, p={:g}, K={:g}: expected cost {:.4f}/time "
      "(ordering {:.4f} + holding/backorder {:.4f}); on hand {:.3f}, backordered {:.3f}, in stock "
      "{:.2f}%; EOQ for reference {:.2f}",
      q, r, r + 1, r + q, o.lead_time, lambda, o.holding_cost, o.backorder_cost, o.fixed_cost,
      res.expected_cost, res.ordering_cost, res.inventory_cost, res.expected_on_hand,
      res.expected_backorders, 100.0 * res.in_stock_probability, res.eoq);
  return res;
}

}  // namespace

Result<RQResult> EvaluateRQ(const DemandDistribution& demand_per_time, int64_t reorder_point,
                            int64_t order_quantity, const RQOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  SC_RETURN_IF_ERROR(NeedInteger(demand_per_time, "(r,Q)"));
  if (order_quantity < 1) {
    return Error::InvalidArgument(fmt::format("order_quantity = {}; must be >= 1", order_quantity));
  }
  SC_ASSIGN_OR_RETURN(DemandDistribution lead, demand_per_time.Convolve(options.lead_time));
  SC_ASSIGN_OR_RETURN(std::vector<double> pmf, lead.PmfTable());
  CostFunction g({pmf}, options.holding_cost, options.backorder_cost);
  return FillRQ(g, pmf, demand_per_time.Mean(), reorder_point, order_quantity, options);
}

Result<RQResult> OptimizeRQ(const DemandDistribution& demand_per_time, const RQOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  SC_RETURN_IF_ERROR(NeedInteger(demand_per_time, "(r,Q)"));
  SC_ASSIGN_OR_RETURN(DemandDistribution lead, demand_per_time.Convolve(options.lead_time));
  SC_ASSIGN_OR_RETURN(std::vector<double> pmf, lead.PmfTable());
  CostFunction g({pmf}, options.holding_cost, options.backorder_cost);
  const double k_lambda = options.fixed_cost * demand_per_time.Mean();
  // Federgruen & Zheng (1992): the window {lo..hi} = {r+1..r+Q} starts at y* = argmin g and
  // grows on the side with the smaller next g. C(Q+1) - C(Q) = (g_next - C(Q)) / (Q + 1), and
  // g_next only grows (g convex) while C falls, so the first g_next >= C(Q) ends the search.
  int64_t lo = ArgMin(g, static_cast<int64_t>(std::round(lead.Mean())));
  int64_t hi = lo;
  double sum = g(lo);
  int64_t q = 1;
  double c = k_lambda + sum;
  while (true) {
    const double below = g(lo - 1);
    const double above = g(hi + 1);
    const double next = std::min(below, above);
    if (next >= c) break;
    if (below <= above) {
      --lo;
    } else {
      ++hi;
    }
    sum += next;
    ++q;
    c = (k_lambda + sum) / static_cast<double>(q);
  }
  return FillRQ(g, pmf, demand_per_time.Mean(), lo - 1, q, options);
}

// ---------------------------------------------------------------------------------------------
// (s, S) by Zheng & Federgruen (1991)

namespace {

class ZhengFedergruen {
 public:
  ZhengFedergruen(std::vector<double> cycle_pmf, CostFunction* g, double k)
      : pmf_(std::move(cycle_pmf)), g_(g), k_(k) {
    p0_ = pmf_.empty() ? 1.0 : pmf_[0];
  }

  // m(j) = sum_{l=1..j} p_l m(j - l) / (1 - p_0): expected periods spent at position S - j
  // before the position falls to s or below (the renewal density of the demand process).
  void EnsureM(size_t n) {
    if (m_.empty()) {
      m_.push_back(1.0 / (1.0 - p0_));
      big_m_ = {0.0, m_[0]};
    }
    while (m_.size() < n) {
      const size_t j = m_.size();
      double acc = 0.0;
      const size_t top = std::min(j, pmf_.size() - 1);
      const double* p = pmf_.data();
      const double* m = m_.data();
      for (size_t l = 1; l <= top; ++l) acc += p[l] * m[j - l];
      m_.push_back(acc / (1.0 - p0_));
      big_m_.push_back(big_m_.back() + m_.back());
    }
  }

  // c(s, S) per review; also the ordering share K / M(S - s). The weighted sum
  // A(s, S) = sum_{j<S-s} m(j) G(S - j) is cached: at the same S, moving s by one adds or
  // removes the single term m(S - s) G(s), so the searches over s cost O(1) per step.
  double Cost(int64_t s, int64_t big_s, double* ordering = nullptr) {
    ++evaluations_;
    const size_t n = static_cast<size_t>(big_s - s);
    EnsureM(n);
    if (!(cached_ && cache_big_s_ == big_s && std::abs(cache_s_ - s) <= 2)) {
      // G(S - j) = top[-j] for j < n: raw pointers keep the hot loop cheap in debug builds.
      const double* top = g_->Range(s + 1, big_s) + (n - 1);
      const double* m = m_.data();
      double acc = 0.0;
      for (size_t j = 0; j < n; ++j) acc += m[j] * *(top - j);
      cache_sum_ = acc;
      cache_s_ = s;
      cache_big_s_ = big_s;
      cached_ = true;
    }
    while (cache_s_ > s) {  // lower s: add j = S - cache_s_ (level cache_s_)
      cache_sum_ += m_[static_cast<size_t>(big_s - cache_s_)] * (*g_)(cache_s_);
      --cache_s_;
    }
    while (cache_s_ < s) {  // raise s: drop level cache_s_ + 1
      ++cache_s_;
      cache_sum_ -= m_[static_cast<size_t>(big_s - cache_s_)] * (*g_)(cache_s_);
    }
    if (ordering != nullptr) *ordering = k_ / big_m_[n];
    return (k_ + cache_sum_) / big_m_[n];
  }
  double Frequency(int64_t s, int64_t big_s) {
    const size_t n = static_cast<size_t>(big_s - s);
    EnsureM(n);
    return 1.0 / big_m_[n];
  }
  int64_t evaluations() const { return evaluations_; }

 private:
  std::vector<double> pmf_;
  CostFunction* g_;
  double k_;
  double p0_ = 0.0;
  std::vector<double> m_;
  std::vector<double> big_m_;  // M(j) = sum_{i<j} m(i)
  int64_t evaluations_ = 0;
  bool cached_ = false;
  int64_t cache_s_ = 0;
  int64_t cache_big_s_ = 0;
  double cache_sum_ = 0.0;
};

struct SSSetup {
  std::vector<double> cycle_pmf;
  std::vector<std::vector<double>> tables;
  double cycle_mean = 0.0;
};

Result<SSSetup> PrepareSS(const DemandDistribution& d, const PeriodicReviewOptions& o) {
  SC_RETURN_IF_ERROR(o.Validate());
  SC_RETURN_IF_ERROR(NeedInteger(d, "(s,S)"));
  SSSetup setup;
  SC_ASSIGN_OR_RETURN(DemandDistribution cycle, d.Convolve(o.review_period));
  SC_ASSIGN_OR_RETURN(setup.cycle_pmf, cycle.PmfTable());
  setup.cycle_mean = cycle.Mean();
  if (o.lead_time == 0 && o.review_period == 1) {
    setup.tables = {setup.cycle_pmf};  // D^(L+1) is the cycle demand itself
  } else {
    SC_ASSIGN_OR_RETURN(setup.tables, ProtectionTables(d, o.lead_time, o.review_period));
  }
  return setup;
}

SSResult FillSS(ZhengFedergruen& zf, int64_t s, int64_t big_s, const PeriodicReviewOptions& o,
                const DemandDistribution& d) {
  SSResult r;
  r.reorder_point = s;
  r.order_up_to = big_s;
  double ordering = 0.0;
  const double c = zf.Cost(s, big_s, &ordering);
  const double review = o.review_period;
  r.expected_cost = c / review;
  r.ordering_cost = ordering / review;
  r.inventory_cost = r.expected_cost - r.ordering_cost;
  r.order_frequency = zf.Frequency(s, big_s) / review;
  r.evaluations = zf.evaluations();
  r.explanation = fmt::format(
      "{}: order up to {} when the inventory position at a review is <= {} (lead time {}, {}); "
      "demand {}, h={:g}, p={:g}, K={:g}: expected cost {:.4f}/period (ordering {:.4f} + "
      "holding/backorder {:.4f}), an order every {:.2f} periods on average",
      o.review_period == 1 ? "(s,S)" : "(R,s,S)", big_s, s, o.lead_time, Period(o.review_period),
      d.ToString(), o.holding_cost, o.backorder_cost, o.fixed_cost, r.expected_cost,
      r.ordering_cost, r.inventory_cost, r.order_frequency > 0 ? 1.0 / r.order_frequency : 0.0);
  return r;
}

}  // namespace

Result<SSResult> EvaluateSS(const DemandDistribution& per_period, int64_t reorder_point,
                            int64_t order_up_to, const PeriodicReviewOptions& options) {
  SC_ASSIGN_OR_RETURN(SSSetup setup, PrepareSS(per_period, options));
  if (!(reorder_point < order_up_to)) {
    return Error::InvalidArgument(
        fmt::format("reorder_point = {}; must be < order_up_to = {}", reorder_point, order_up_to));
  }
  if (setup.cycle_pmf[0] >= 1.0 - 1e-12) {
    return Error::InvalidArgument(
        fmt::format("demand {} is always 0; (s,S) has no reorder cycle", per_period.ToString()));
  }
  CostFunction g(std::move(setup.tables), options.holding_cost, options.backorder_cost);
  ZhengFedergruen zf(std::move(setup.cycle_pmf), &g, options.fixed_cost);
  return FillSS(zf, reorder_point, order_up_to, options, per_period);
}

Result<SSResult> OptimizeSS(const DemandDistribution& per_period,
                            const PeriodicReviewOptions& options) {
  SC_ASSIGN_OR_RETURN(SSSetup setup, PrepareSS(per_period, options));
  if (!(options.fixed_cost > 0.0)) {
    return Error::InvalidArgument(
        fmt::format("fixed_cost = {}; (s,S) needs K > 0 (with K = 0 use the base-stock policy)",
                    options.fixed_cost));
  }
  CostFunction g(std::move(setup.tables), options.holding_cost, options.backorder_cost);
  const int64_t y_star = ArgMin(g, static_cast<int64_t>(std::round(setup.cycle_mean)));
  if (setup.cycle_pmf[0] >= 1.0 - 1e-12) {
    // No demand: position y* is never depleted; nothing is reordered.
    SSResult r;
    r.reorder_point = y_star - 1;
    r.order_up_to = y_star;
    r.expected_cost = g(y_star) / options.review_period;
    r.inventory_cost = r.expected_cost;
    r.explanation = fmt::format("no demand ({}): keep the position at {}, never reorder",
                                per_period.ToString(), y_star);
    return r;
  }
  ZhengFedergruen zf(std::move(setup.cycle_pmf), &g, options.fixed_cost);
  // Step 0: the best s for S = y*: lower s until c(s, y*) <= G(s).
  int64_t s = y_star - 1;
  while (zf.Cost(s, y_star) > g(s)) --s;
  int64_t s0 = y_star;
  double c0 = zf.Cost(s, s0);
  // Step 1: raise S while G(S) <= c0 (beyond, no S can improve: Lemma 2 of ZF 1991); whenever
  // (s, S) improves, move S0 there and raise s while c(s, S0) <= G(s + 1).
  for (int64_t big_s = s0 + 1; g(big_s) <= c0; ++big_s) {
    if (zf.Cost(s, big_s) < c0) {
      s0 = big_s;
      while (zf.Cost(s, s0) <= g(s + 1)) ++s;
      c0 = zf.Cost(s, s0);
    }
  }
  return FillSS(zf, s, s0, options, per_period);
}

// ---------------------------------------------------------------------------------------------
// Safety stock

std::string_view ToString(ServiceMeasure measure) {
  switch (measure) {
    case ServiceMeasure::kCycleService:
      return "cycle_service";
    case ServiceMeasure::kFillRate:
      return "fill_rate";
    case ServiceMeasure::kShortageCost:
      return "shortage_cost";
  }
  return "unknown";
}

std::optional<ServiceMeasure> ParseServiceMeasure(std::string_view text) {
  for (ServiceMeasure m :
       {ServiceMeasure::kCycleService, ServiceMeasure::kFillRate, ServiceMeasure::kShortageCost}) {
    if (text == ToString(m)) return m;
  }
  return std::nullopt;
}

Status SafetyStockOptions::Validate() const {
  if (measure != ServiceMeasure::kShortageCost && !(target > 0.0 && target < 1.0)) {
    return Error::InvalidArgument(
        fmt::format("target = {}; must be in (0, 1) for {}", target, ToString(measure)));
  }
  if (!NonNegative(lead_time_mean)) {
    return Error::InvalidArgument(fmt::format("lead_time_mean = {}; must be >= 0", lead_time_mean));
  }
  if (!NonNegative(lead_time_sd)) {
    return Error::InvalidArgument(fmt::format("lead_time_sd = {}; must be >= 0", lead_time_sd));
  }
  if (review_period < 0) {
    return Error::InvalidArgument(fmt::format("review_period = {}; must be >= 0", review_period));
  }
  if (!NonNegative(order_quantity)) {
    return Error::InvalidArgument(fmt::format(
        "order_quantity = {}; must be >= 0 (0 = mean demand per cycle)", order_quantity));
  }
  if (measure == ServiceMeasure::kShortageCost) {
    if (!Positive(holding_cost)) {
      return Error::InvalidArgument(
          fmt::format("holding_cost = {}; must be > 0 for shortage_cost", holding_cost));
    }
    if (!Positive(shortage_cost)) {
      return Error::InvalidArgument(
          fmt::format("shortage_cost = {}; must be > 0 for shortage_cost", shortage_cost));
    }
  }
  return Status::Ok();
}

Result<SafetyStockResult> ComputeSafetyStock(const DemandDistribution& per_period,
                                             const SafetyStockOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  const double interval = options.lead_time_mean + options.review_period;
  SC_ASSIGN_OR_RETURN(DemandDistribution x,
                      LeadTimeDemand(per_period, interval, options.lead_time_sd));
  SafetyStockResult r;
  r.protection_mean = x.Mean();
  r.protection_sd = x.Sd();
  r.protection_demand = x.ToString();
  const double lambda = per_period.Mean();
  r.order_quantity = options.order_quantity > 0.0 ? options.order_quantity
                                                  : lambda * std::max(1, options.review_period);
  const double q = r.order_quantity;
  std::string rule;
  switch (options.measure) {
    case ServiceMeasure::kCycleService:
      r.reorder_point = x.Quantile(options.target);
      rule = fmt::format("cycle service {:.2f}%: r = F^-1({:g})", 100.0 * options.target,
                         options.target);
      break;
    case ServiceMeasure::kFillRate: {
      // Smallest r with n(r) <= (1 - beta) Q; n is non-increasing in r.
      const double allowed = (1.0 - options.target) * q;
      if (x.integer()) {
        SC_ASSIGN_OR_RETURN(std::vector<double> pmf, x.PmfTable());
        const int64_t lo = static_cast<int64_t>(std::floor(std::min(0.0, x.Mean() - q))) - 1;
        const int64_t hi = static_cast<int64_t>(pmf.size());
        const IntegerLossTable t = MakeIntegerLossTable(pmf, lo, hi);
        int64_t y = lo;
        while (y < hi && t.loss[static_cast<size_t>(y - lo)] > allowed) ++y;
        r.reorder_point = static_cast<double>(y);
      } else if (x.continuous()) {
        double lo = x.Mean() - q - 1.0;
        double hi = x.Mean() + 40.0 * x.Sd() + 1.0;
        for (int it = 0; it < 200 && hi - lo > 1e-10 * std::max(1.0, std::abs(hi)); ++it) {
          const double mid = 0.5 * (lo + hi);
          (x.Loss(mid) > allowed ? lo : hi) = mid;
        }
        r.reorder_point = hi;
      } else {
        // n(r) is linear between support points and 0 past the last: walk down the support.
        const auto& v = x.support();
        r.reorder_point = v.back();
        for (size_t i = v.size(); i-- > 0;) {
          if (x.Loss(v[i]) > allowed) break;
          r.reorder_point = v[i];
        }
        // Interpolate below the smallest feasible support point when n is linear there.
        const double at = x.Loss(r.reorder_point);
        const double slope = 1.0 - x.Cdf(r.reorder_point - 1e-12);  // -dn/dr just below
        if (at < allowed && slope > 0.0) {
          const double below = r.reorder_point - (allowed - at) / slope;
          const auto it = std::lower_bound(v.begin(), v.end(), r.reorder_point);
          const double prev =
              it == v.begin() ? -std::numeric_limits<double>::infinity() : *(it - 1);
          r.reorder_point = std::max(below, prev);
        }
      }
      rule = fmt::format("fill rate {:.2f}%: smallest r with n(r) <= (1 - beta) Q = {:.4f}",
                         100.0 * options.target, allowed);
      break;
    }
    case ServiceMeasure::kShortageCost: {
      // Expected cost h (r - mu + Q/2) + b lambda n(r) / Q; its derivative in r vanishes at
      // P(D > r) = h Q / (b lambda).
      const double tail = lambda > 0.0 ? options.holding_cost * q / (options.shortage_cost * lambda)
                                       : std::numeric_limits<double>::infinity();
      if (tail >= 1.0) {
        r.reorder_point = 0.0;
        rule = fmt::format(
            "shortage cost {:g}/unit: h Q / (b lambda) = {:.4f} >= 1, stock does not pay; r = 0",
            options.shortage_cost, tail);
      } else {
        r.reorder_point = x.Quantile(1.0 - tail);
        rule = fmt::format("shortage cost {:g}/unit: P(D > r) = h Q / (b lambda) = {:.5f}",
                           options.shortage_cost, tail);
      }
      break;
    }
  }
  r.safety_stock = r.reorder_point - r.protection_mean;
  r.safety_factor = r.protection_sd > 0.0 ? r.safety_stock / r.protection_sd : 0.0;
  r.cycle_service = x.Cdf(r.reorder_point);
  r.expected_shortage = x.Loss(r.reorder_point);
  r.fill_rate = q > 0.0 ? std::max(0.0, 1.0 - r.expected_shortage / q) : 1.0;
  const std::string r_text = x.continuous() ? fmt::format("{:.3f}", r.reorder_point)
                                            : fmt::format("{:g}", r.reorder_point);
  r.explanation = fmt::format(
      "{}; demand over {} periods (lead {:g}{}{}) has mean {:.3f}, sd {:.3f} -> reorder point {}, "
      "safety stock {:.3f} (k={:.3f}); achieved cycle service {:.2f}%, fill rate {:.2f}% with Q "
      "{:.3f}, expected shortage {:.4f} per cycle",
      rule, interval, options.lead_time_mean,
      options.lead_time_sd > 0.0 ? fmt::format(" +- {:g}", options.lead_time_sd) : "",
      options.review_period > 0 ? fmt::format(" + review {}", options.review_period) : "",
      r.protection_mean, r.protection_sd, r_text, r.safety_stock, r.safety_factor,
      100.0 * r.cycle_service, 100.0 * r.fill_rate, q, r.expected_shortage);
  return r;
}

}  // namespace stockcast::policy
