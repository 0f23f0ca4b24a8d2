#pragma once
// Walk-forward replay ("digital twin" backtest): each item's recorded daily demand is replayed
// day by day while a caller-supplied decision function places the orders. The engine does no
// forecasting: at each review it hands the item's state to `decide`, which may refit a
// forecast on the history known up to that day and returns how many units to order.
//
// The order of events, the lead-time convention, the costs and the metrics are those of
// sim/simulator.h, so a number here means what it means there:
//   day t: 1. receipts (orders due on t arrive at the start of the day)
//          2. demand: on hand fills backorders first, then the day's demand; the rest is lost
//             (lost sales, the default) or backordered
//          3. costs: holding h per unit on hand at the end of the day, shortage p per unit lost
//             (or per unit backordered at the end of the day)
//          4. review (review days only): decide(item, t, state) with IP = on hand + on order -
//             backorders; an order placed now with lead time L arrives at the start of t + L
//             (L >= 1, "arrival = order day + L")
// Review days: first_review_day, first_review_day + R, ... (R = review_period_days).
//
// Lead times are fixed or drawn from a discrete distribution. For common random numbers across
// decision rules every DAY of an item has its own pre-drawn lead time (stream `item` of the
// seed): an order placed on day t gets that day's draw whatever the rule, so two rules that
// order on the same day see the same lead time. Receipts do not overtake unless
// lead_times_cross: arrival = max(t + L_t, previous arrival).
//
// Metrics (per item over the simulated days; totals add the counts over items and recompute the
// ratios, as simulator.h):
//   fill_rate            filled / demand (1 without demand); filled = served from stock on the
//                        day demanded
//   cycle_service_level  share of replenishment cycles without a stockout day; a cycle runs from
//                        one receipt day to the day before the next; the window opens and
//                        closes a (partial) cycle
//   stockout_days        days with demand not filled from stock (item-days in totals)
//   average_on_hand      mean end-of-day on hand (sum over items in totals)
//   turnover             units served (filled + backorders filled) / average on hand, over the
//                        window (not annualised: multiply by 365 / days for a yearly rate)
//   costs                holding, ordering (K per order), shortage, purchase (c per unit
//                        ordered, 0 by default); total = their sum
//
// Items are independent and run in parallel (core/parallel.h): `decide` is called concurrently
// for DIFFERENT items, but never concurrently for the same item, and for one item always in day
// order. Results do not depend on the thread count; the same seed gives identical results.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/core/progress.h"
#include "stockcast/sim/simulator.h"

namespace stockcast::sim {

struct WalkForwardItem {
  std::string name;            // for messages, e.g. "SKU-1@WH-2"
  std::vector<double> demand;  // per simulated day: whole numbers >= 0; NaN = unknown day (no demand)
  LeadTime lead_time = LeadTime::Fixed(1);
  bool lead_times_cross = false;
  ItemCosts costs;  // ordering, purchase, holding, shortage (expiry is not used)
  ShortageMode shortage = ShortageMode::kLostSales;
  int64_t initial_on_hand = 0;  // on hand at the start of day 0
  int review_period_days = 7;   // R >= 1
  int first_review_day = 0;     // >= 0
};

struct WalkForwardOptions {
  int days = 0;        // simulated days (>= 1); each item's demand has at least this many values
  uint64_t seed = 42;  // lead-time draws
  int threads = 1;     // 0 = every hardware thread; never changes results
  Status Validate() const;
};

// What the decision function sees at a review (end of day, after the day's demand).
struct ItemStateView {
  int64_t on_hand = 0;
  int64_t on_order = 0;
  int64_t backorders = 0;
  int64_t inventory_position = 0;  // on hand + on order - backorders
};

// Units to order now; rounded to the nearest whole unit. <= 0 or non-finite: no order.
using DecideFn = std::function<double(size_t item, int day, const ItemStateView& state)>;

struct WalkForwardMetrics {
  double demand = 0, filled = 0, backorders_filled = 0, lost_units = 0;
  double fill_rate = 1, cycle_service_level = 1;
  double cycles = 0, stockout_cycles = 0, stockout_days = 0, unknown_days = 0;
  double average_on_hand = 0, average_backorders = 0, turnover = 0;
  double orders = 0, units_ordered = 0, units_received = 0;
  double holding_cost = 0, ordering_cost = 0, shortage_cost = 0, purchase_cost = 0,
         total_cost = 0;
  int days = 0;
  bool operator==(const WalkForwardMetrics&) const = default;
};

struct WalkForwardResult {
  int days = 0;
  WalkForwardMetrics total;
  std::vector<WalkForwardMetrics> items;  // in item order
};

// Errors (before any decision is asked for) name the item, the field and the rule:
//   items[3] (SKU-1@WH-2): demand[17] = 2.5; must be a whole number >= 0 or NaN (unknown)
// `progress` (optional) receives the fraction of items done.
Result<WalkForwardResult> RunWalkForward(const std::vector<WalkForwardItem>& items,
                                         const WalkForwardOptions& options, const DecideFn& decide,
                                         const ProgressFn& progress = {});

// Totals over items: counts and costs added, ratios recomputed from the sums.
WalkForwardMetrics SumMetrics(const std::vector<WalkForwardMetrics>& items, int days);

}  // namespace stockcast::sim
