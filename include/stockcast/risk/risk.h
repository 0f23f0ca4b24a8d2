#pragma once
// Risk assessment per SKU x location: what may go wrong in the coming weeks, how likely it is,
// what it costs, and what a planner should do about it. Input is one ItemState per series,
// filled from the plan pipeline (forecast -> policy -> order plan -> projection); output is a
// flat list of Risk values, sorted most urgent first.
//
// Conventions
//   day 0 is `as_of` (the decision day and first forecast day); forecast_mean/sd[t] is the
//   demand of day as_of + t. Beyond the forecast the daily demand is taken as the forecast's
//   average daily mean and average daily variance (a flat extension).
//   Daily demands are independent: over a window W of days, mu_W = sum mean_t and
//   sd_W = sqrt(sum sd_t^2). An empty forecast_sd means the Poisson spread sd_t = sqrt(mean_t).
//   Arrivals dated on or before as_of count as on hand; "available" = on_hand + those.
//   Money: a lost sale costs unit_price (unit_cost when the price is unknown, 0); stock that is
//   too much costs unit_cost (the capital tied up / written off).
//
// Risks and their formulas
//   stockout        window W = days as_of .. (first arrival after as_of) - 1, or the item's cover
//                   (lead time + review, ItemState::cover_days) when nothing is due.
//                   D_W ~ Normal(mu_W, sd_W) when mu_W >= slow_mover_mean (fast mover), else a
//                   count distribution: Poisson(mu_W) when sd_W^2 <= mu_W, NegBin(mu_W, size)
//                   with size = mu_W^2 / (sd_W^2 - mu_W) when overdispersed.
//                   probability = P(D_W > available)          (some demand goes unmet)
//                   expected_shortage = E[(D_W - available)+]  (first-order loss function)
//                   units_needed = max(0, F^-1(service_level) - available)
//                   impact = expected_shortage x unit price.
//   days_of_supply  walk the daily means from day 0, subtracting them from on_hand (arrivals
//                   not counted); the fractional day on which it runs out; capped at 999.
//   overstock /     horizon H = overstock_horizon_days, or shelf_life_days when shorter.
//   ageing          supply S = available + the arrivals due before as_of + H (on order and
//                   planned). excess_units = max(0, S - mu_H); impact = excess_units x unit_cost.
//                   Type ageing when the shelf life binds (0 < shelf_life_days <= horizon: what
//                   is left after it expires; stock is assumed fresh, its age is not known),
//                   else overstock. tolerance = 0 for ageing, overstock_tolerance_days x mu_H / H
//                   for overstock (cover that is fine to carry past the horizon).
//                   probability = P(D_H < S - tolerance); reported when excess_units >
//                   tolerance.
//   dead_stock      on_hand > 0 and no sale in the last dead_stock_days days, i.e. last_sale <
//                   as_of - dead_stock_days (a sale on as_of - N keeps it alive). Without
//                   last_sale the last positive day of recent_demand is used; when that has no
//                   sale, the item is dead only if recent_demand covers >= N known days.
//                   probability 1, impact = on_hand x unit_cost.
//   supplier_delay  from the supplier's history: delay_i = actual_i - promised_i, late when
//                   delay_i > late_threshold_days. With a Beta prior of mean p0 and weight n0
//                   (supplier_prior_late_rate, supplier_prior_weight):
//                     P(late) = (late + n0 p0) / (n + n0)
//                   so 2 late deliveries out of 2 give 0.4 at the defaults, not 1.
//                   mean_delay = mean of delay_i over the late deliveries (0 when none).
//                   For the first arrival after as_of delayed by d = ceil(mean_delay) days the
//                   stockout window grows by d: extra_shortage = shortage(W + d) - shortage(W).
//                   probability = P(late) x P(stockout over W + d); impact = extra_shortage x
//                   unit price. Reported when extra_shortage > 0.
//   forecast_miss   among the last miss_window_days forecast checks (by date), the days with
//                   actual outside [lower, upper]; reported when >= miss_min_days.
//                   probability = misses / checks; impact = sum of the distances outside the
//                   interval x unit price.
//   demand_spike /  baseline = the shift_baseline_days days before the last shift_recent_days
//   demand_drop     days of recent_demand (NaN skipped; >= half of each window must be known).
//                   med = median(baseline), s = max(1.4826 MAD(baseline), sqrt(max(med, 1)))
//                   (a Poisson floor so intermittent series with MAD = 0 do not explode),
//                   z = (mean(recent) - med) / (s / sqrt(n_recent)).
//                   spike when z >= shift_z and mean(recent) >= med (1 + shift_min_change);
//                   drop when z <= -shift_z and mean(recent) <= med (1 - shift_min_change).
//                   probability = 2 Phi(|z|) - 1; impact = |mean(recent) - med| x 7 x unit price.
//   below/above_    the projected mean position P_t = available + arrivals in (as_of, as_of+t]
//   warning_line    - sum_{u<=t} mean_u (floored at 0, lost sales), t over the forecast horizon.
//                   A line in days of supply is converted to units with the forecast's average
//                   daily mean. probability = max_t P(position_t < lower) (resp. > upper) with
//                   cumulative demand ~ Normal(mu_t, sd_t); `date` = first day the mean path
//                   crosses (or the most likely day); units_needed = max_t (lower - P_t)+,
//                   excess_units = max_t (P_t - upper)+; impact = that gap x unit_cost.
//                   A lower line of 0 never triggers (the position is floored at 0).
//   Probabilistic risks are reported when probability >= report_probability.
//
// Risk matrix (level from probability band x impact band):
//   probability band: high >= high_probability (0.5), medium >= medium_probability (0.2), else low
//   impact band (absolute money, same currency as unit_cost): high >= high_impact (1000),
//                     medium >= medium_impact (100), else low
//                       impact low   impact medium   impact high
//     prob. high        medium       high            high
//     prob. medium      low          medium          high
//     prob. low         low          low             medium
//   i.e. score = band(p) + band(impact) in 0..4 (low 0, medium 1, high 2): >= 3 high, 2 medium.
//
// Actions
//   stockout / supplier_delay / below_warning_line:
//     transfer     another location of the same SKU has surplus = available - F^-1(service) of
//                  its own demand over transfer_keep_days (>= 1 unit): the largest surplus
//                  donates. One transfer per short item, shared by its shortage risks:
//                  transfer_units = min(surplus, ceil(need)), need = the largest units_needed /
//                  expected_shortage among them; items draw on the surplus greedily, the one with
//                  the costliest shortage risk first;
//     expedite     else when an open (placed) PO is due after as_of: bring it forward (`date`
//                  = its due date);
//     reorder_now  else (no open PO: place the planned / a new order now).
//   overstock / ageing / dead_stock / above_warning_line: cancel_or_delay_po when an open PO is
//     due after as_of, else markdown.
//   forecast_miss / demand_spike / demand_drop: review_forecast.
//
// Output order: level (high first), impact (largest first), then sku, location, type.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"

namespace stockcast::risk {

enum class RiskType {
  kStockout,
  kOverstock,
  kAgeing,
  kDeadStock,
  kSupplierDelay,
  kDemandSpike,
  kDemandDrop,
  kForecastMiss,
  kBelowWarningLine,
  kAboveWarningLine,
};
// "stockout", "overstock", "ageing", "dead_stock", "supplier_delay", "demand_spike",
// "demand_drop", "forecast_miss", "below_warning_line", "above_warning_line".
std::string_view ToString(RiskType type);
std::optional<RiskType> ParseRiskType(std::string_view text);

enum class RiskLevel { kLow, kMedium, kHigh };  // ordered: kHigh > kLow
// "low", "medium", "high".
std::string_view ToString(RiskLevel level);
std::optional<RiskLevel> ParseRiskLevel(std::string_view text);

enum class RiskAction {
  kNone,
  kExpedite,
  kTransfer,
  kReorderNow,
  kMarkdown,
  kCancelOrDelayPo,
  kReviewForecast,
};
// "none", "expedite", "transfer", "reorder_now", "markdown", "cancel_or_delay_po",
// "review_forecast".
std::string_view ToString(RiskAction action);
std::optional<RiskAction> ParseRiskAction(std::string_view text);

// A warning line in units on hand or in days of supply.
struct WarningLine {
  enum class Unit { kUnits, kDaysOfSupply };
  double value = 0;  // >= 0
  Unit unit = Unit::kDaysOfSupply;
};
// "units", "days_of_supply".
std::string_view ToString(WarningLine::Unit unit);
std::optional<WarningLine::Unit> ParseWarningLineUnit(std::string_view text);

struct WarningLines {
  std::optional<WarningLine> lower;  // alert when the projected position falls below
  std::optional<WarningLine> upper;  // alert when it rises above (must be above lower when
                                     // both are in the same unit)
};

// Stock due to arrive: an open purchase-order line, or the order the plan suggests placing now.
struct Arrival {
  Date date;
  double quantity = 0;   // >= 0 units
  bool planned = false;  // true: not placed yet (the plan's suggestion)
};

// One past delivery of the item's supplier.
struct LeadTimeObservation {
  double promised_days = 0;  // >= 0
  double actual_days = 0;    // >= 0
};

// An actual compared with the interval an earlier forecast gave for that day.
struct ForecastCheck {
  Date date;
  double actual = 0;
  double lower = 0;
  double upper = 0;  // >= lower
};

struct ItemState {
  std::string sku;
  std::string location;
  std::string category;
  std::string supplier_id;
  Date as_of;                         // decision day = forecast day 0
  double on_hand = 0;                 // finite; < 0 = backlog
  double unit_cost = 0;               // >= 0
  double unit_price = 0;              // >= 0; 0 = unknown (unit_cost is used)
  std::vector<double> forecast_mean;  // daily, >= 1 value, each >= 0
  std::vector<double> forecast_sd;    // empty (Poisson sqrt(mean)) or same size, each >= 0
  std::vector<Arrival> arrivals;      // any order
  double cover_days = 0;  // lead time + review period; 0 = RiskSettings::default_cover_days
  // Daily sales of the last N days, ending as_of - 1 (back() is yesterday); NaN = unknown.
  std::vector<double> recent_demand;
  std::optional<Date> last_sale;
  int shelf_life_days = 0;                             // 0 = does not expire
  std::vector<LeadTimeObservation> lead_time_history;  // this supplier's, may be empty
  std::vector<ForecastCheck> forecast_checks;          // may be empty
  WarningLines lines;
};

struct RiskSettings {
  // Reporting and the risk matrix.
  double report_probability = 0.05;  // in [0, 1]: probabilistic risks below are not reported
  double high_probability = 0.5;     // in (0, 1]
  double medium_probability = 0.2;   // in [0, high_probability]
  double high_impact = 1000;         // money, > 0
  double medium_impact = 100;        // money, in [0, high_impact]
  // Stockout.
  double slow_mover_mean = 30;     // >= 0: window demand below this uses a count distribution
  double default_cover_days = 14;  // > 0: stockout window when an item has no cover and no
                                   // arrival is due
  double service_level = 0.95;     // in (0, 1): for units_needed and transfer surplus
  int transfer_keep_days = 28;     // >= 1: a donor keeps its own demand over this many days
  // Overstock / ageing / dead stock.
  int dead_stock_days = 90;              // >= 1
  int overstock_horizon_days = 90;       // >= 1
  double overstock_tolerance_days = 14;  // >= 0: cover accepted beyond the horizon
  // Supplier delay.
  double late_threshold_days = 1;         // >= 0: late when actual > promised + this
  double supplier_prior_late_rate = 0.1;  // in [0, 1]
  double supplier_prior_weight = 4;       // >= 0 pseudo-observations
  // Forecast misses.
  int miss_window_days = 7;  // >= 1 (m)
  int miss_min_days = 3;     // in [1, miss_window_days] (k)
  // Demand spikes / drops.
  int shift_recent_days = 7;      // >= 1
  int shift_baseline_days = 28;   // >= 2
  double shift_z = 3.0;           // > 0
  double shift_min_change = 0.3;  // in [0, 1)

  // "risk.high_probability = 1.5; must be in (0, 1]".
  Status Validate() const;
};

// Cap of days_of_supply (stock that never runs out within any sensible horizon).
inline constexpr double kMaxDaysOfSupply = 999.0;

struct Risk {
  RiskType type = RiskType::kStockout;
  std::string sku;
  std::string location;
  double probability = 0;  // in [0, 1]
  double impact = 0;       // money
  RiskLevel level = RiskLevel::kLow;
  RiskAction action = RiskAction::kNone;
  std::string transfer_from;  // donor location when action == kTransfer
  double transfer_units = 0;
  double expected_shortage = 0;  // units (stockout, supplier_delay: the extra shortage)
  double units_needed = 0;       // units to reach the service level / the lower line
  double days_of_supply = 0;     // of on hand, capped at kMaxDaysOfSupply
  double excess_units = 0;       // overstock, ageing, dead stock, above the upper line
  std::optional<Date> date;      // expected stockout day, line crossing, PO due date ...
  std::string message;           // one line with the numbers
};

// --- Building blocks (exposed for tests and reuse) ----------------------------------------

// Window demand with its stockout numbers, as defined above.
struct ShortageEstimate {
  double mean = 0;
  double sd = 0;
  bool count_model = false;  // Poisson / negbin was used
  double probability = 0;    // P(D > available)
  double expected_shortage = 0;
  double units_needed = 0;  // max(0, F^-1(service_level) - available)
};
// Demand D with mean `mean`, spread `sd` against `available` units.
Result<ShortageEstimate> EstimateShortage(double mean, double sd, double available,
                                          double slow_mover_mean, double service_level);

// Days until `on_hand` runs out walking `forecast_mean` (flat extension by its average),
// capped at kMaxDaysOfSupply; 0 when on_hand <= 0.
double DaysOfSupply(double on_hand, std::span<const double> forecast_mean);

struct SupplierDelayStats {
  int deliveries = 0;
  int late = 0;
  double p_late = 0;      // with the prior
  double mean_delay = 0;  // days, over late deliveries
};
SupplierDelayStats SupplierDelay(std::span<const LeadTimeObservation> history,
                                 const RiskSettings& settings);

// Spike / drop statistics of `recent_demand` (see the header comment); nullopt when either
// window has too few known days.
struct DemandShift {
  double recent_mean = 0;
  double baseline_median = 0;
  double baseline_scale = 0;
  double z = 0;
  bool spike = false;
  bool drop = false;
};
std::optional<DemandShift> DetectDemandShift(std::span<const double> recent_demand,
                                             const RiskSettings& settings);

// Level from the risk matrix.
RiskLevel MatrixLevel(double probability, double impact, const RiskSettings& settings);

// Every risk of every item. Items are validated first; errors name the item and the field:
// "forecast_sd has 3 values at items[2] (SKU-1@WH-2); must be empty or 5 (forecast_mean)".
// A (sku, location) pair may appear once.
Result<std::vector<Risk>> AssessRisks(std::span<const ItemState> items,
                                      const RiskSettings& settings);

}  // namespace stockcast::risk
