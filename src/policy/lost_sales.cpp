#include "stockcast/policy/lost_sales.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace stockcast::policy {
namespace {

// Aperiodicity transform weight: V <- (1 - tau) V + tau T V keeps the optimal policy and scales
// the average cost by tau, and makes every chain aperiodic (Puterman 1994, ch. 8).
constexpr double kTau = 0.9;

// The lost-sales chain over states (x_0, q_1, ..., q_{L-1}) with x_0 + q_1 + ... <= bound,
// stored densely in base B = bound + 1 (digit i = component i) and compacted to valid states.
struct Chain {
  int lead = 1;
  int64_t bound = 0;
  int64_t base = 1;               // B
  int64_t stride = 1;             // B^{L-1}: where the new order enters the next state
  std::vector<int64_t> dense;     // compact -> dense index
  std::vector<int32_t> compact;   // dense -> compact, -1 if invalid
  std::vector<int64_t> on_hand;   // x_0
  std::vector<int64_t> position;  // x_0 + q_1 + ... + q_{L-1}
  std::vector<double> cost;       // h nb(x_0) + p n(x_0)
  // Transitions without the new order: state i goes to dense index tr_base[k] + q * stride
  // with probability tr_prob[k], k in [tr_begin[i], tr_begin[i + 1]).
  std::vector<size_t> tr_begin;
  std::vector<double> tr_prob;
  std::vector<int64_t> tr_base;
};

Result<Chain> BuildChain(const std::vector<double>& pmf, const LostSalesOptions& o, int64_t bound) {
  Chain ch;
  ch.lead = o.lead_time;
  ch.bound = bound;
  ch.base = bound + 1;
  // The dense grid has B^L cells (about L! times the valid states); cap it at 2e7 cells.
  constexpr double kMaxDense = 2e7;
  double total = 1.0;
  for (int i = 0; i < o.lead_time && total <= kMaxDense; ++i) total *= static_cast<double>(ch.base);
  if (total > kMaxDense) {
    return Error::InvalidArgument(fmt::format(
        "lost-sales state space (position cap {} over lead time {}) is too large for the exact "
        "solution; use MyopicLostSalesOrder or ProjectedInventoryOrder",
        bound, o.lead_time));
  }
  const int64_t n_dense = static_cast<int64_t>(total);
  ch.stride = n_dense / ch.base;
  ch.compact.assign(static_cast<size_t>(n_dense), -1);
  std::vector<int64_t> digits(static_cast<size_t>(o.lead_time), 0);
  // Cumulative pmf for the lumped tail P(D >= x_0).
  std::vector<double> cdf(pmf.size());
  double acc = 0.0;
  for (size_t k = 0; k < pmf.size(); ++k) {
    acc += pmf[k];
    cdf[k] = acc;
  }
  const IntegerLossTable loss = MakeIntegerLossTable(pmf, 0, bound);
  for (int64_t idx = 0; idx < n_dense; ++idx) {
    int64_t rest = idx;
    int64_t sum = 0;
    for (int i = 0; i < o.lead_time; ++i) {
      digits[static_cast<size_t>(i)] = rest % ch.base;
      rest /= ch.base;
      sum += digits[static_cast<size_t>(i)];
    }
    if (sum > bound) continue;
    if (static_cast<int64_t>(ch.dense.size()) >= o.max_states) {
      return Error::InvalidArgument(fmt::format(
          "lost-sales state space exceeds max_states = {} (bound {}, lead time {}); use "
          "MyopicLostSalesOrder for large cases",
          o.max_states, bound, o.lead_time));
    }
    ch.compact[static_cast<size_t>(idx)] = static_cast<int32_t>(ch.dense.size());
    ch.dense.push_back(idx);
    const int64_t x0 = digits[0];
    ch.on_hand.push_back(x0);
    ch.position.push_back(sum);
    ch.cost.push_back(loss.Cost(x0, o.holding_cost, o.lost_sale_cost));
    // Digits of the next state without the new order: ((x0 - d)+ + q_1, q_2, ..., q_{L-1}, 0).
    // Digit j of the next state is q_{j+1} for j = 1..L-2; digit L-1 is the new order.
    int64_t tail = 0;
    int64_t weight = ch.base;
    for (int j = 1; j + 1 < o.lead_time; ++j) {
      tail += digits[static_cast<size_t>(j + 1)] * weight;
      weight *= ch.base;
    }
    const int64_t q1 = o.lead_time >= 2 ? digits[1] : 0;
    ch.tr_begin.push_back(ch.tr_prob.size());
    for (int64_t d = 0; d < x0; ++d) {
      const double pd = d < static_cast<int64_t>(pmf.size()) ? pmf[static_cast<size_t>(d)] : 0.0;
      if (pd <= 0.0) continue;
      ch.tr_prob.push_back(pd);
      ch.tr_base.push_back(x0 - d + q1 + tail);
    }
    // D >= x0: nothing left on hand.
    const double below =
        x0 == 0
            ? 0.0
            : (x0 - 1 < static_cast<int64_t>(cdf.size()) ? cdf[static_cast<size_t>(x0 - 1)] : 1.0);
    ch.tr_prob.push_back(std::max(0.0, 1.0 - below));
    ch.tr_base.push_back(q1 + tail);
  }
  ch.tr_begin.push_back(ch.tr_prob.size());
  return ch;
}

struct RviResult {
  double g = 0.0;
  int iterations = 0;
  std::vector<int64_t> action;  // chosen order per compact state
};

// Relative value iteration. With `fixed`, evaluates that order per state; otherwise minimises
// over q in [0, bound - position].
Result<RviResult> Rvi(const Chain& ch, const std::vector<int64_t>* fixed,
                      const LostSalesOptions& o) {
  const size_t n = ch.dense.size();
  std::vector<double> v(n, 0.0);
  std::vector<double> nv(n, 0.0);
  RviResult out;
  out.action.assign(n, 0);
  for (int it = 1; it <= o.max_iterations; ++it) {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (size_t i = 0; i < n; ++i) {
      const int64_t q_lo = fixed != nullptr ? (*fixed)[i] : 0;
      const int64_t q_hi = fixed != nullptr ? (*fixed)[i] : ch.bound - ch.position[i];
      double best = std::numeric_limits<double>::infinity();
      int64_t best_q = q_lo;
      for (int64_t q = q_lo; q <= q_hi; ++q) {
        double ev = 0.0;
        for (size_t k = ch.tr_begin[i]; k < ch.tr_begin[i + 1]; ++k) {
          const int32_t j = ch.compact[static_cast<size_t>(ch.tr_base[k] + q * ch.stride)];
          SC_ASSERT(j >= 0);
          ev += ch.tr_prob[k] * v[static_cast<size_t>(j)];
        }
        if (ev < best - 1e-15) {
          best = ev;
          best_q = q;
        }
      }
      out.action[i] = best_q;
      nv[i] = (1.0 - kTau) * v[i] + kTau * (ch.cost[i] + best);
      const double diff = nv[i] - v[i];
      lo = std::min(lo, diff);
      hi = std::max(hi, diff);
    }
    const double ref = nv[0];
    for (size_t i = 0; i < n; ++i) v[i] = nv[i] - ref;
    out.iterations = it;
    // lo <= tau g <= hi (Odoni bounds).
    if (hi - lo < kTau * o.tolerance) {
      out.g = 0.5 * (lo + hi) / kTau;
      return out;
    }
  }
  return Error::Unavailable(fmt::format(
      "lost-sales value iteration did not converge in max_iterations = {} (tolerance {})",
      o.max_iterations, o.tolerance));
}

// Distribution of the on-hand stock left at the end of period t + L - 1 (before the new order
// arrives), from on hand x0 and the pipeline: L rounds of X <- (X - D)+ then + q_i.
std::vector<double> OnHandBeforeArrival(const std::vector<double>& pmf, int64_t x0,
                                        const std::vector<int64_t>& pipeline, int lead) {
  std::vector<double> x(static_cast<size_t>(x0) + 1, 0.0);
  x[static_cast<size_t>(x0)] = 1.0;
  for (int i = 0; i < lead; ++i) {
    std::vector<double> y(x.size(), 0.0);
    for (size_t u = 0; u < x.size(); ++u) {
      if (x[u] == 0.0) continue;
      double left = 1.0;  // P(D >= u) accumulates into y[0]
      for (size_t d = 0; d < u && d < pmf.size(); ++d) {
        y[u - d] += x[u] * pmf[d];
        left -= pmf[d];
      }
      y[0] += x[u] * std::max(0.0, left);
    }
    if (i + 1 < lead) {
      const size_t shift = static_cast<size_t>(pipeline[static_cast<size_t>(i)]);
      std::vector<double> z(y.size() + shift, 0.0);
      for (size_t u = 0; u < y.size(); ++u) z[u + shift] = y[u];
      x = std::move(z);
    } else {
      x = std::move(y);
    }
  }
  return x;
}

// Smallest q >= 0 with E[F(X + q)] >= p / (p + h): the minimiser of the convex
// E[h (X + q - D)+ + p (D - X - q)+], its forward difference being (h + p) E F(X + q) - p.
int64_t MyopicOrder(const std::vector<double>& x_dist, const std::vector<double>& cdf, double ratio,
                    int64_t q_max) {
  for (int64_t q = 0; q < q_max; ++q) {
    double ef = 0.0;
    for (size_t u = 0; u < x_dist.size(); ++u) {
      if (x_dist[u] == 0.0) continue;
      const size_t y = u + static_cast<size_t>(q);
      ef += x_dist[u] * (y < cdf.size() ? cdf[y] : 1.0);
    }
    if (ef >= ratio - 1e-12) return q;
  }
  return q_max;
}

std::vector<double> Cumulative(const std::vector<double>& pmf) {
  std::vector<double> cdf(pmf.size());
  double acc = 0.0;
  for (size_t k = 0; k < pmf.size(); ++k) {
    acc += pmf[k];
    cdf[k] = std::min(1.0, acc);
  }
  return cdf;
}

struct Prepared {
  std::vector<double> pmf;
  int64_t bound = 0;
};

Result<Prepared> Prepare(const DemandDistribution& d, const LostSalesOptions& o) {
  SC_RETURN_IF_ERROR(o.Validate());
  if (!d.integer()) {
    return Error::InvalidArgument(fmt::format(
        "lost sales needs integer demand (poisson, negbin, or empirical whole numbers); got {}",
        d.ToString()));
  }
  Prepared p;
  SC_ASSIGN_OR_RETURN(p.pmf, d.PmfTable());
  if (o.order_bound > 0) {
    p.bound = o.order_bound;
  } else {
    // Morton's bound: the backorder base-stock level for L + 1 periods of demand.
    SC_ASSIGN_OR_RETURN(DemandDistribution lead, d.Convolve(o.lead_time + 1));
    p.bound =
        static_cast<int64_t>(lead.Quantile(o.lost_sale_cost / (o.lost_sale_cost + o.holding_cost)));
    p.bound = std::max<int64_t>(p.bound, 1);
  }
  return p;
}

std::vector<int64_t> BaseStockActions(const Chain& ch, int64_t s) {
  std::vector<int64_t> a(ch.dense.size());
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = std::clamp<int64_t>(s - ch.position[i], 0, ch.bound - ch.position[i]);
  }
  return a;
}

Status CheckState(const DemandDistribution& per_period, const LostSalesOptions& options,
                  int64_t on_hand, const std::vector<int64_t>& pipeline) {
  SC_RETURN_IF_ERROR(options.Validate());
  if (!per_period.integer()) {
    return Error::InvalidArgument(fmt::format(
        "lost sales needs integer demand (poisson, negbin, or empirical whole numbers); got {}",
        per_period.ToString()));
  }
  if (on_hand < 0) {
    return Error::InvalidArgument(fmt::format("on_hand = {}; must be >= 0", on_hand));
  }
  if (static_cast<int>(pipeline.size()) != options.lead_time - 1) {
    return Error::InvalidArgument(
        fmt::format("pipeline has {} orders; must have lead_time - 1 = {}", pipeline.size(),
                    options.lead_time - 1));
  }
  for (size_t i = 0; i < pipeline.size(); ++i) {
    if (pipeline[i] < 0) {
      return Error::InvalidArgument(fmt::format("pipeline[{}] = {}; must be >= 0", i, pipeline[i]));
    }
  }
  return Status::Ok();
}

}  // namespace

Status LostSalesOptions::Validate() const {
  if (!(holding_cost > 0.0) || !std::isfinite(holding_cost)) {
    return Error::InvalidArgument(fmt::format("holding_cost = {}; must be > 0", holding_cost));
  }
  if (!(lost_sale_cost > 0.0) || !std::isfinite(lost_sale_cost)) {
    return Error::InvalidArgument(fmt::format("lost_sale_cost = {}; must be > 0", lost_sale_cost));
  }
  if (lead_time < 1) {
    return Error::InvalidArgument(fmt::format(
        "lead_time = {}; must be >= 1 (with L = 0 the lost-sales problem is a newsvendor)",
        lead_time));
  }
  if (order_bound < 0) {
    return Error::InvalidArgument(
        fmt::format("order_bound = {}; must be >= 0 (0 = Morton's bound)", order_bound));
  }
  if (max_states < 1) {
    return Error::InvalidArgument(fmt::format("max_states = {}; must be >= 1", max_states));
  }
  if (!(tolerance > 0.0)) {
    return Error::InvalidArgument(fmt::format("tolerance = {}; must be > 0", tolerance));
  }
  if (max_iterations < 1) {
    return Error::InvalidArgument(fmt::format("max_iterations = {}; must be >= 1", max_iterations));
  }
  return Status::Ok();
}

Result<double> EvaluateLostSalesBaseStock(const DemandDistribution& per_period,
                                          const LostSalesOptions& options, int64_t order_up_to) {
  SC_ASSIGN_OR_RETURN(Prepared prep, Prepare(per_period, options));
  if (order_up_to < 0) {
    return Error::InvalidArgument(fmt::format("order_up_to = {}; must be >= 0", order_up_to));
  }
  const int64_t bound = std::max(prep.bound, order_up_to);
  SC_ASSIGN_OR_RETURN(Chain ch, BuildChain(prep.pmf, options, bound));
  const std::vector<int64_t> actions = BaseStockActions(ch, order_up_to);
  SC_ASSIGN_OR_RETURN(RviResult r, Rvi(ch, &actions, options));
  return r.g;
}

Result<int64_t> MyopicLostSalesOrder(const DemandDistribution& per_period,
                                     const LostSalesOptions& options, int64_t on_hand,
                                     const std::vector<int64_t>& pipeline) {
  SC_RETURN_IF_ERROR(CheckState(per_period, options, on_hand, pipeline));
  SC_ASSIGN_OR_RETURN(std::vector<double> pmf, per_period.PmfTable());
  const std::vector<double> cdf = Cumulative(pmf);
  const auto x = OnHandBeforeArrival(pmf, on_hand, pipeline, options.lead_time);
  const double ratio = options.lost_sale_cost / (options.lost_sale_cost + options.holding_cost);
  return MyopicOrder(x, cdf, ratio, static_cast<int64_t>(cdf.size()) + 1);
}

Result<int64_t> ProjectedInventoryOrder(const DemandDistribution& per_period,
                                        const LostSalesOptions& options, double target,
                                        int64_t on_hand, const std::vector<int64_t>& pipeline) {
  if (!std::isfinite(target) || target < 0.0) {
    return Error::InvalidArgument(fmt::format("target = {}; must be >= 0", target));
  }
  SC_RETURN_IF_ERROR(CheckState(per_period, options, on_hand, pipeline));
  SC_ASSIGN_OR_RETURN(std::vector<double> pmf, per_period.PmfTable());
  const auto x = OnHandBeforeArrival(pmf, on_hand, pipeline, options.lead_time);
  double mean = 0.0;
  for (size_t u = 0; u < x.size(); ++u) mean += static_cast<double>(u) * x[u];
  return std::max<int64_t>(0, std::lround(target - mean));
}

Result<LostSalesResult> SolveLostSales(const DemandDistribution& per_period,
                                       const LostSalesOptions& options) {
  SC_ASSIGN_OR_RETURN(Prepared prep, Prepare(per_period, options));
  SC_ASSIGN_OR_RETURN(Chain ch, BuildChain(prep.pmf, options, prep.bound));
  LostSalesResult res;
  res.order_bound = prep.bound;
  res.states = static_cast<int64_t>(ch.dense.size());

  SC_ASSIGN_OR_RETURN(RviResult opt, Rvi(ch, nullptr, options));
  res.optimal_cost = opt.g;
  res.iterations = opt.iterations;
  for (int64_t x0 = 0; x0 <= prep.bound; ++x0) {
    // Dense index of (x0, 0, ..., 0) is x0.
    res.optimal_order_empty_pipeline.push_back(
        opt.action[static_cast<size_t>(ch.compact[static_cast<size_t>(x0)])]);
  }

  // Best base stock: costs are unimodal in S in practice; walk down from the bound while the
  // cost falls.
  int64_t best_s = prep.bound;
  double best_cost = std::numeric_limits<double>::infinity();
  for (int64_t s = prep.bound; s >= 0; --s) {
    const std::vector<int64_t> actions = BaseStockActions(ch, s);
    SC_ASSIGN_OR_RETURN(RviResult r, Rvi(ch, &actions, options));
    if (r.g < best_cost) {
      best_cost = r.g;
      best_s = s;
    } else {
      break;
    }
  }
  res.base_stock_level = best_s;
  res.base_stock_cost = best_cost;

  // Myopic policy on the chain.
  const std::vector<double> cdf = Cumulative(prep.pmf);
  const double ratio = options.lost_sale_cost / (options.lost_sale_cost + options.holding_cost);
  std::vector<int64_t> myopic(ch.dense.size());
  std::vector<int64_t> pipeline(static_cast<size_t>(options.lead_time - 1));
  for (size_t i = 0; i < ch.dense.size(); ++i) {
    int64_t rest = ch.dense[i] / ch.base;
    for (auto& q : pipeline) {
      q = rest % ch.base;
      rest /= ch.base;
    }
    const auto x = OnHandBeforeArrival(prep.pmf, ch.on_hand[i], pipeline, options.lead_time);
    myopic[i] = MyopicOrder(x, cdf, ratio, ch.bound - ch.position[i]);
  }
  SC_ASSIGN_OR_RETURN(RviResult my, Rvi(ch, &myopic, options));
  res.myopic_cost = my.g;

  // Projected inventory level: order round(T - E[X_L]) where E[X_L] is the expected on-hand
  // stock just before the new order arrives; the target T is searched in half units downwards
  // from the bound while the cost falls.
  std::vector<double> projected(ch.dense.size());
  for (size_t i = 0; i < ch.dense.size(); ++i) {
    int64_t rest = ch.dense[i] / ch.base;
    for (auto& q : pipeline) {
      q = rest % ch.base;
      rest /= ch.base;
    }
    const auto x = OnHandBeforeArrival(prep.pmf, ch.on_hand[i], pipeline, options.lead_time);
    double mean = 0.0;
    for (size_t u = 0; u < x.size(); ++u) mean += static_cast<double>(u) * x[u];
    projected[i] = mean;
  }
  res.projected_cost = std::numeric_limits<double>::infinity();
  std::vector<int64_t> pil(ch.dense.size());
  for (double target = static_cast<double>(prep.bound); target >= 0.0; target -= 0.5) {
    for (size_t i = 0; i < pil.size(); ++i) {
      pil[i] =
          std::clamp<int64_t>(std::lround(target - projected[i]), 0, ch.bound - ch.position[i]);
    }
    SC_ASSIGN_OR_RETURN(RviResult r, Rvi(ch, &pil, options));
    if (r.g < res.projected_cost - 1e-12) {
      res.projected_cost = r.g;
      res.projected_target = target;
    } else if (r.g > res.projected_cost + 1e-12) {
      break;
    }
  }

  // The cheapest of the three practical policies, preferring the simpler one on ties.
  res.recommended = "base_stock";
  res.recommended_cost = res.base_stock_cost;
  if (res.myopic_cost < res.recommended_cost - 1e-12) {
    res.recommended = "myopic";
    res.recommended_cost = res.myopic_cost;
  }
  if (res.projected_cost < res.recommended_cost - 1e-12) {
    res.recommended = "projected_inventory";
    res.recommended_cost = res.projected_cost;
  }
  res.recommended_gap =
      res.optimal_cost > 0.0 ? (res.recommended_cost - res.optimal_cost) / res.optimal_cost : 0.0;
  res.explanation = fmt::format(
      "lost sales, demand {}, h={:g}, lost-sale cost p={:g}, lead time {}: optimal average cost "
      "{:.4f}/period ({} states, position capped at {}); best base stock S={} costs {:.4f} "
      "(+{:.2f}%), myopic {:.4f} (+{:.2f}%), projected inventory level with target {:g} "
      "{:.4f} (+{:.2f}%); recommended: {} ({:.2f}% above optimal)",
      per_period.ToString(), options.holding_cost, options.lost_sale_cost, options.lead_time,
      res.optimal_cost, res.states, res.order_bound, res.base_stock_level, res.base_stock_cost,
      100.0 * (res.base_stock_cost / res.optimal_cost - 1.0), res.myopic_cost,
      100.0 * (res.myopic_cost / res.optimal_cost - 1.0), res.projected_target, res.projected_cost,
      100.0 * (res.projected_cost / res.optimal_cost - 1.0), res.recommended,
      100.0 * res.recommended_gap);
  return res;
}

}  // namespace stockcast::policy
