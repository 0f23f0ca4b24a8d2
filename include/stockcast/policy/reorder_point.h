#pragma once
// A basic reorder-point policy with periodic review, (R, S) with trigger s:
//
//   cover T = L + R days (lead time plus review period): an order placed now must last until
//   the order placed at the next review arrives.
//   mu_T    = forecast mean demand summed over the next T days
//   mu_d    = mu_T / T, the mean daily demand over that cover
//   sigma_d = daily demand spread, from the forecast's quantiles (see DailyDemandSd)
//   SS      = z * sqrt(T sigma_d^2 + mu_d^2 sigma_L^2)    (demand and lead-time uncertainty,
//             Silver, Pyke & Peterson, "Inventory Management", ch. 7), z = Phi^-1(service)
//   s = S   = mu_T + SS   (reorder point = order-up-to level: order at every review where the
//             inventory position has fallen to S)
//   IP      = on hand + on order
//   order   = S - IP when IP <= s, raised to the MOQ, rounded up to whole case packs.
#include <span>
#include <string>
#include <string_view>

#include "stockcast/core/error.h"
#include "stockcast/forecast/model.h"

namespace stockcast::policy {

struct ReorderPointOptions {
  double service_level = 0.95;     // cycle service level, in (0, 1)
  double lead_time_mean_days = 7;  // >= 0
  double lead_time_sd_days = 2;    // >= 0
  int review_period_days = 7;      // >= 0; 0 = continuous review
  double moq = 0;                  // >= 0 units; 0 = none
  double case_pack = 1;            // > 0 units per case
  double unit_cost = 0;            // >= 0, for the line cost
  // Error naming the field and its rule: "service_level = 1.2; must be in (0, 1)".
  Status Validate() const;
};

struct ReorderDecision {
  double cover_days = 0;           // L + R
  double lead_time_demand = 0;     // mu_T: expected demand over L + R
  double daily_mean = 0;           // mu_d
  double daily_sd = 0;             // sigma_d
  double demand_sd = 0;            // sd of demand over L + R incl. lead-time spread
  double z = 0;
  double safety_stock = 0;
  double reorder_point = 0;        // s
  double order_up_to = 0;          // S
  double inventory_position = 0;   // on hand + on order
  double unconstrained_quantity = 0;  // S - IP when ordering, else 0
  double quantity = 0;             // what to order now (0 = nothing)
  double line_cost = 0;            // quantity x unit cost
  // What raised the quantity above S - IP rounded up to whole units: "moq" when the MOQ did,
  // else "case_pack" when rounding to whole case packs did, else "none".
  std::string binding = "none";
  // P(demand over L + R > IP): the chance of a stockout before the next receipt if nothing
  // is ordered now (normal approximation).
  double stockout_probability = 0;
  // Days until forecast mean demand uses up today's on hand (capped at kMaxDaysOfSupply).
  double days_of_supply = 0;
  bool forecast_extended = false;  // cover ran past the forecast horizon
  std::string explanation;         // plain English, with the numbers a planner can check
};

inline constexpr double kMaxDaysOfSupply = 999.0;

// sigma_d for one day from its quantiles: with the lowest and highest levels p_lo < p_hi,
// sigma = (q_hi - q_lo) / (Phi^-1(p_hi) - Phi^-1(p_lo)), exact for a normal. When q_lo was
// clipped at zero (slow movers) that band is truncated and understates the spread, so the
// Poisson spread sqrt(mean) is used as a floor; with fewer than two levels it is the estimate.
double DailyDemandSd(const forecast::Forecast& forecast, int step_index);

// Errors: invalid options, an empty forecast, non-finite stock numbers.
Result<ReorderDecision> ComputeReorderPoint(const forecast::Forecast& forecast, double on_hand,
                                            double on_order, const ReorderPointOptions& options);

}  // namespace stockcast::policy
