#pragma once
// Stochastic single-item policies with backorders (Snyder & Shen, "Fundamentals of Supply Chain
// Theory", 2nd ed., ch. 4-5; Zheng & Federgruen 1991; Federgruen & Zheng 1992).
//
// Costs per period: h per unit on hand and p per unit backordered at the end of each period,
// K per order. Demand per period D (a DemandDistribution), independent across periods; an order
// placed at the start of a period arrives L periods later, so with inventory position y after
// ordering the end-of-period inventory level L periods on is y - D^(L+1), D^(n) the demand over
// n periods, and the expected period cost is the newsvendor function
//   g_n(y) = h E[(y - D^(n))+] + p E[(D^(n) - y)+] = h nb_n(y) + p n_n(y).
//
// Periodic review every R periods: the position set at a review covers the end-of-period levels
// of the R periods L+1, ..., L+R after it, so the cost charged to one review is
//   G(y) = sum_{t=1..R} g_{L+t}(y)
// and D^(R) is the demand between reviews. R = 1 is the classic periodic-review model; results
// are always reported per (base) period: cost per review / R.
//
// 1. Base stock / (R, S): minimise G(S); K is paid at every review that saw demand, adding
//    K P(D^(R) > 0) / R per period.
//    R = 1: S* = F_{L+1}^-1(p / (p + h)). R > 1: G'(S) = 0 <=> sum_t F_{L+t}(S) = R p / (p + h).
// 2. (r, Q), continuous review, integer demand (Poisson / negbin / empirical per period as the
//    demand rate per unit time): with inventory position uniform on r+1..r+Q (S&S ch. 5;
//    Zipkin 2000, ch. 6), lead-time demand D^(L),
//      C(r, Q) = (K lambda + sum_{y=r+1..r+Q} g_L(y)) / Q.
//    Optimised exactly by Federgruen & Zheng (1992): for each Q the best window {r+1..r+Q} holds
//    the Q smallest values of the convex g; grow it one point at a time on the cheaper side and
//    stop when the next point costs at least the current average C (then C cannot fall again).
// 3. (s, S) / (R, s, S), periodic review, integer demand: Zheng & Federgruen (1991). With
//    p_j = P(D^(R) = j), the renewal function m(0) = 1 / (1 - p_0),
//    m(j) = sum_{l=1..j} p_l m(j - l) / (1 - p_0), M(j) = sum_{i<j} m(i), the cost per review is
//      c(s, S) = (K + sum_{j=0}^{S-s-1} m(j) G(S - j)) / M(S - s)
//    (order up to S when the position is <= s). ZF's search moves s and S monotonically from
//    y* = argmin G using their bounds; a new S costs O(S - s), a step in s costs O(1) (the
//    weighted sum gains or loses one term m(S - s) G(s)).
// 4. Safety stock / reorder point for a target (cycle service alpha, fill rate beta, or a
//    shortage penalty per unit short), over the protection interval L (+ R for periodic review),
//    with variable demand and lead time (see LeadTimeDemand).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stockcast/core/error.h"
#include "stockcast/policy/demand_distribution.h"

namespace stockcast::policy {

struct PeriodicReviewOptions {
  double holding_cost = 1;    // h > 0 per unit on hand per period
  double backorder_cost = 9;  // p > 0 per unit backordered per period
  double fixed_cost = 0;      // K >= 0 per order ((s, S) needs K > 0)
  int lead_time = 0;          // L >= 0 periods
  int review_period = 1;      // R >= 1 periods between reviews
  Status Validate() const;
};

struct BaseStockResult {
  double order_up_to = 0;           // S (whole for integer demand)
  double critical_ratio = 0;        // p / (p + h)
  double expected_cost = 0;         // per period: G(S) / R + K / R
  double holding_cost = 0;          // per period: h sum_t nb_{L+t}(S) / R
  double backorder_cost = 0;        // per period: p sum_t n_{L+t}(S) / R
  double expected_on_hand = 0;      // per period average of nb_{L+t}(S)
  double expected_backorders = 0;   // per period average of n_{L+t}(S)
  double in_stock_probability = 0;  // average of F_{L+t}(S)
  std::string protection_demand;    // D^(L+1) (R = 1) or D^(L+R), text form
  std::string explanation;
};

// Base-stock (R = 1) or (R, S) order-up-to level.
Result<BaseStockResult> OptimizeBaseStock(const DemandDistribution& per_period,
                                          const PeriodicReviewOptions& options);
// The same measures at a given S.
Result<BaseStockResult> EvaluateBaseStock(const DemandDistribution& per_period, double order_up_to,
                                          const PeriodicReviewOptions& options);

struct RQOptions {
  double holding_cost = 1;    // h > 0 per unit per unit time
  double backorder_cost = 9;  // p > 0 per unit backordered per unit time
  double fixed_cost = 0;      // K >= 0 per order
  double lead_time = 0;       // L >= 0 units of time (whole for empirical demand)
  Status Validate() const;
};

struct RQResult {
  int64_t reorder_point = 0;       // r: order Q when the position falls to r
  int64_t order_quantity = 0;      // Q
  double expected_cost = 0;        // C(r, Q) per unit time
  double ordering_cost = 0;        // K lambda / Q
  double inventory_cost = 0;       // (sum g_L) / Q: holding + backorder
  double expected_on_hand = 0;     // average of nb_L(y) over the window
  double expected_backorders = 0;  // average of n_L(y) over the window
  // P(IL > 0) = (1/Q) sum_y F_L(y - 1): a unit demand finds stock; equals the fill rate when
  // demands come one unit at a time (Poisson).
  double in_stock_probability = 0;
  double eoq = 0;  // sqrt(2 K lambda / h), for comparison
  std::string explanation;
};

// Exact optimum over integers r and Q >= 1 for integer demand.
Result<RQResult> OptimizeRQ(const DemandDistribution& demand_per_time, const RQOptions& options);
Result<RQResult> EvaluateRQ(const DemandDistribution& demand_per_time, int64_t reorder_point,
                            int64_t order_quantity, const RQOptions& options);

struct SSResult {
  int64_t reorder_point = 0;   // s: order when the position at a review is <= s
  int64_t order_up_to = 0;     // S
  double expected_cost = 0;    // per period: c(s, S) / R
  double ordering_cost = 0;    // per period: K / (R M(S - s))
  double inventory_cost = 0;   // per period: holding + backorder
  double order_frequency = 0;  // orders per period: 1 / (R M(S - s))
  int64_t evaluations = 0;     // c(s, S) evaluations in the search
  std::string explanation;
};

// Exact (s, S) (R = 1) or (R, s, S) by Zheng & Federgruen (1991). Needs integer demand, K > 0.
Result<SSResult> OptimizeSS(const DemandDistribution& per_period,
                            const PeriodicReviewOptions& options);
// c(s, S) for s < S.
Result<SSResult> EvaluateSS(const DemandDistribution& per_period, int64_t reorder_point,
                            int64_t order_up_to, const PeriodicReviewOptions& options);

enum class ServiceMeasure { kCycleService, kFillRate, kShortageCost };
// "cycle_service", "fill_rate", "shortage_cost".
std::string_view ToString(ServiceMeasure measure);
std::optional<ServiceMeasure> ParseServiceMeasure(std::string_view text);

struct SafetyStockOptions {
  ServiceMeasure measure = ServiceMeasure::kCycleService;
  // alpha = P(no stockout in a cycle) or beta = fraction of demand met from stock, in (0, 1).
  double target = 0.95;
  double lead_time_mean = 1;  // L >= 0 periods
  double lead_time_sd = 0;    // >= 0 periods
  int review_period = 0;      // R >= 0; protection interval L + R (0 = continuous review)
  // Units per replenishment cycle (Q) for fill rate and shortage cost; 0 = mean demand per
  // cycle (one review period, or one period under continuous review).
  double order_quantity = 0;
  double holding_cost = 0;   // h per unit per period (shortage-cost measure only), > 0 there
  double shortage_cost = 0;  // per unit short (shortage-cost measure only), > 0 there
  Status Validate() const;
};

struct SafetyStockResult {
  double protection_mean = 0;     // mean demand over L + R
  double protection_sd = 0;       // its sd (incl. lead-time variability)
  double reorder_point = 0;       // r (order-up-to S for periodic review)
  double safety_stock = 0;        // r - protection_mean (may be negative for low targets)
  double safety_factor = 0;       // (r - mean) / sd
  double cycle_service = 0;       // P(D_{L+R} <= r) achieved
  double fill_rate = 0;           // 1 - n(r) / Q achieved
  double expected_shortage = 0;   // n(r) per cycle
  double order_quantity = 0;      // Q used
  std::string protection_demand;  // distribution over L + R, text form
  std::string explanation;
};

// Reorder point over the protection interval. Normal demand: normal lead-time demand with
// sd = sqrt(L sd_d^2 + mu_d^2 sd_L^2); integer demand: the convolved (or lead-time mixed) table.
//   cycle service alpha:  r = F^-1(alpha)
//   fill rate beta:       smallest r with n(r) <= (1 - beta) Q           (S&S ch. 5)
//   shortage cost b:      P(D > r) = h Q / (b lambda), lambda = mean demand per period
//                         (the (r, Q) approximation, Silver, Pyke & Peterson 2017, ch. 7)
Result<SafetyStockResult> ComputeSafetyStock(const DemandDistribution& per_period,
                                             const SafetyStockOptions& options);

}  // namespace stockcast::policy
