#pragma once
// `stockcast evaluate`: a walk-forward backtest of replenishment policies over the store's own
// history (sim/walk_forward.h). Every series of the panel replays its demand from `from` to
// `to`; at each review a policy sees only the history up to that day and orders; the engine
// charges holding, ordering and shortage costs and measures fill rate, cycle service level,
// stockout days, average inventory and turnover. All policies see the same demand and the same
// lead-time draws (common random numbers), so their differences are the policies' own.
//
// DEMAND REPLAYED: the panel's uncensored estimate of demand. Usable days: the cleaned demand
// as recorded (PanelColumn::kDemand). Censored (stockout) days: recorded sales understate
// demand, so max(recorded, mean of the last 28 usable days before it) (0 when there is none).
// Missing days and days before the launch: unknown (NaN, no demand, counted). Rounded to whole
// units.
//
// LEAD TIMES: the product's supplier (mean, sd), else the category's config; a normal
// N(mean, sd) discretised to whole days >= 1 over mean +- 3 sd (P(L = l) = Phi((l + 1/2 - m) /
// sd) - Phi((l - 1/2 - m) / sd), renormalised), fixed round(mean) when sd = 0. Convention of
// sim/simulator.h: an order placed at the end of day t arrives at the start of day t + L.
//
// COSTS per series (config.PlanningFor(category)): holding unit_cost x holding_rate / 365 per
// unit-day; ordering the supplier's order cost, else the config's; no purchase cost (every
// policy buys what is sold, roughly the same units). Shortage per unit lost (per unit-day
// backordered with `backorders`):
//   default: the lost margin price - unit_cost, floored at 0.25 x unit_cost (a lost sale also
//            costs goodwill and the next sale), price = the product's list price, else the mean
//            selling price in the panel; 0.5 x unit_cost when no price is known (a typical 33%
//            gross margin on the selling price);
//   shortage_cost_factor x unit_cost when given.
// Unit cost: the product's, else its supplier's.
//
// START: every policy starts with the same stock, round(mu (L + R)), mu the mean daily demand
// of the 28 replayed days before `from` (the usable ones), nothing on order. Reviews every R
// days (the category's review period) from the first day.
//
// POLICIES (EvaluatePolicyNames):
//   baseline   the classic tool: mu, sigma = mean and sd of the last 28 days of recorded sales
//              (raw demand, stockout days included, as a simple tool sees them); order up to
//              S = mu (L + R) + z sigma sqrt(L + R), z = Phi^-1(target) (the target used as a
//              cycle-service level, as such tools do) when IP < S, in case packs, >= MOQ.
//   plan       the forecast model refitted every `refit_every` days on the history up to the
//              review day (censored, missing and not-launched days masked, as forecast_run
//              does), horizon refit_every + L_max + R; at each review the daily means and sds
//              (policy::DailyDemandSd) of the next days of the latest fit give
//              policy::ChooseReplenishmentLevels with the fill-rate target; order
//              policy::ReplenishmentOrder.
//   plan-csl   the same with the target as a cycle-service level.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"
#include "stockcast/core/progress.h"
#include "stockcast/pipeline/config.h"
#include "stockcast/sim/simulator.h"
#include "stockcast/sim/walk_forward.h"
#include "stockcast/store/store.h"

namespace stockcast::pipeline {

// "baseline", "plan", "plan-csl".
std::vector<std::string> EvaluatePolicyNames();

struct EvaluateOptions {
  std::vector<std::string> policies = {"plan", "baseline"};
  double target_fill_rate = 0.95;  // in (0, 1)
  // First evaluated day; default: 365 days before `to` (inclusive window), moved later when
  // needed so that at least min_history_days of history come before it.
  std::optional<Date> from;
  std::optional<Date> to;  // last evaluated day; default: the panel's last day
  int min_history_days = 56;
  std::string model = "auto";  // forecast spec for plan
  int refit_every = 28;        // days between refits of plan's forecast, >= 1
  // Rescale each fit's intervals on this many backtest windows of the history known at that
  // day (forecast/calibrate.h, as `forecast --calibrate`); 0 = the model's own intervals.
  int calibration_windows = 0;
  sim::ShortageMode shortage = sim::ShortageMode::kLostSales;
  // Shortage cost per unit as a multiple of unit cost; unset: the lost-margin default above.
  std::optional<double> shortage_cost_factor;
  // A product without a unit cost (e.g. order exports without purchase prices) is costed at
  // this fraction of its average selling price; unset: its unit cost stays 0 (no holding cost).
  std::optional<double> unit_cost_ratio;
  uint64_t seed = 42;
  int threads = 0;         // series in parallel; 0 = every hardware thread
  int max_series = 0;      // > 0: only the first N series (panel order), for quick runs
  int season_length = 7;
  // Errors name the field and the rule; an unknown policy lists the available ones.
  Status Validate() const;
};

// One policy over all evaluated series (the contract fields first).
struct EvaluatePolicyRow {
  std::string policy;
  double fill_rate = 0;
  double cycle_service_level = 0;
  double total_cost = 0;
  double holding_cost = 0;
  double ordering_cost = 0;
  double shortage_cost = 0;
  double avg_inventory = 0;  // mean end-of-day on hand, summed over series
  double turnover = 0;       // units served / avg inventory, per year (x 365 / days)
  double stockout_days = 0;  // series-days
  double demand = 0;
  double filled = 0;
  double lost_units = 0;
  double orders = 0;
  size_t series = 0;
  int days = 0;
};

struct EvaluateSeriesRow {
  std::string policy;
  std::string sku;
  std::string location;
  sim::WalkForwardMetrics metrics;
};

struct EvaluateSummary {
  Date from, to;
  int days = 0;
  size_t series = 0;            // series evaluated
  std::string model;            // plan's forecast spec
  double target_fill_rate = 0;
  std::string shortage_mode;    // "lost_sales" / "backorder"
  size_t fits = 0;              // forecast fits made for plan
  size_t fallback_fits = 0;     // of which a simpler rule stood in
  std::vector<EvaluatePolicyRow> policies;      // in the order asked
  std::vector<EvaluateSeriesRow> series_rows;   // policy-major, series in panel order
  double seconds = 0;
};

Result<EvaluateSummary> RunEvaluate(Store& store, const Config& config,
                                    const EvaluateOptions& options,
                                    const ProgressFn& progress = {});

}  // namespace stockcast::pipeline
