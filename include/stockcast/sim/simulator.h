#pragma once
// Daily discrete-time inventory simulation of many items (SKU x warehouse), with Monte Carlo
// replications, confidence intervals and an optional daily trajectory.
//
// ORDER OF EVENTS within day t (the same for every item, every policy, every path):
//   1. receipts:  orders due on day t arrive (start of the day) and become on-hand stock
//   2. demand:    on-hand stock first fills outstanding backorders (oldest demand first), then
//                 the day's demand; what cannot be filled is backordered or lost (per item)
//   3. expiry:    with a shelf life N, units received on day a that are still unsold after the
//                 demand of day a + N - 1 are discarded (FIFO issuing: oldest units sell first)
//   4. costs:     holding on the end-of-day on hand (after expiry), shortage on the end-of-day
//                 backorders (or on the units lost today), expiry on the units discarded today
//   5. review:    the policy looks at IP = on hand + on order - backorders and may order; a
//                 transfer ships out of its source warehouse now (after the source's costs)
//
// LEAD TIME CONVENTION: an order placed at the end of day t with lead time L arrives at the
// start of day t + L, in time for that day's demand (L >= 1; L = 1 is next-morning delivery).
// This is "arrival date = order date + L", the way supplier lead times are recorded. The
// policy library (policy/stochastic_review.h, policy/lost_sales.h) orders at the start of a
// period and receives L_policy periods later; a review at the end of day t is a review at the
// start of day t + 1, so
//     L_simulator = L_policy + 1.
// Under base stock S with backorders the end-of-day net inventory on day t + L is
// S - (demand of days t + 1 .. t + L): the lead-time demand is D^(L), L days of demand
// (Poisson(lambda L) for Poisson(lambda) demand), and
//     E[on hand] = E[(S - D^(L))+],   E[backorders] = E[(D^(L) - S)+],
//     fill rate  = 1 - (E[(D^(L) - S)+] - E[(D^(L-1) - S)+]) / E[D]
// (the units short on a day are the growth of the backorders over that day).
//
// Lead times are fixed or drawn per order from a discrete distribution of whole days. By
// default receipts do not overtake: an order arrives at max(its sampled arrival, the previous
// order's arrival) (one supplier, one lane, first in first out); `lead_times_cross = true`
// lets a later order with a shorter lead time arrive first.
//
// Disruption windows [first_day, last_day] (inclusive simulated days) per item:
//   no_shipping  orders are accepted but nothing ships: an order placed at the end of a day in
//                the window ships at the end of last_day and arrives on last_day + L (a Spring
//                Festival shutdown); orders placed before the window travel normally
//   no_ordering  the supplier accepts no orders: reviews in the window place nothing
//
// Transfers (simple version): an item whose `source` is another item (the same SKU in another
// warehouse) replenishes from that item's on-hand stock instead of a supplier, with its own
// lead time and costs. A transfer ships min(ordered, source on hand) at the end of the day; the
// rest is dropped (not backordered at the source) and the next review asks again. Destinations
// review before their sources, so a source sees the day's transfers in its own position (its
// trajectory's on hand is before them: end of day, when costs are charged). The destination's
// disruption windows apply to its transfers; a destination cannot have a shelf life (transfers
// do not carry the age of their units), a source can (it ships its oldest units).
//
// COSTS: ordering K per order placed (purchase or transfer), purchase c per unit ordered,
// holding h per unit on hand at the end of each day, shortage p per unit backordered at the end
// of each day (backorders) or per unit lost (lost sales), expiry e per unit discarded.
// With L = L_policy + 1 these are exactly the per-period costs of the policy library: h on
// end-of-period stock, p on end-of-period backorders or on lost units, K per order; its (s, S)
// cost c(s, S) / R is the simulator's cost_per_day without purchase cost.
//
// RANDOM STREAMS: replication r seeds from Rng::ForStream(seed, r); within it every item has
// its own demand stream and its own lead-time stream, so an item's demand depends on neither
// the other items nor the policy (common random numbers across policies), results do not
// depend on `threads`, and the same seed gives bit-identical results.
//
// Demand sampling: stationary integer and normal demand is drawn by inversion of a tabulated
// CDF with a guide table (Chen & Asau 1974; Devroye 1986, ch. III.2.4): one random number per
// item-day. Tables end where the upper tail is below 1e-13 and merge the lower tail below
// 1e-15 into the first value kept; wider than 4096 values they give way to the direct samplers
// of random.h, which per-day (non-stationary) demand always uses. Normal demand is rounded to
// the nearest whole unit and floored at 0: P(D = 0) = Phi((0.5 - mu) / sd),
// P(D = k) = Phi((k + 0.5 - mu) / sd) - Phi((k - 0.5 - mu) / sd).
//
// SPEED (bench/sim/simulator_bench.cpp): items without transfers are independent, so each is
// run through all its days with its state (on hand, backorders, on order, counters) in
// registers; the per-item constants are one compact record, the pipeline a ring buffer per
// item in one flat array (indexed by arrival day modulo a power of two), batches with a shelf
// life a FIFO ring per item in another. Items joined by transfers run network by network, day
// by day inside a network. A first version swept all items day by day over structure-of-arrays
// state; on the transfer benchmark (10,000 items) it ran at ~5 million SKU-days/s against ~23
// million network by network: an item's day touches all its fields and its sampling table, and
// a sweep over all items brings them back from memory every day. Without `trajectory` nothing
// is allocated inside the day loop.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"
#include "stockcast/policy/demand_distribution.h"
#include "stockcast/sim/inventory_policy.h"

namespace stockcast::sim {

// ---- item description ------------------------------------------------------------------------

// Lead time in whole days >= 1: fixed, or a discrete distribution sampled once per order.
struct LeadTime {
  std::vector<int> days = {1};
  std::vector<double> probabilities = {1.0};  // same length as days, >= 0, summing to 1 (1e-6)

  static LeadTime Fixed(int days);
  static LeadTime Discrete(std::vector<int> days, std::vector<double> probabilities);
  bool fixed() const { return days.size() == 1; }
  double Mean() const;
  int Max() const;
  // "lead_time day = 0; must be >= 1 (...)"; probabilities must match and sum to 1.
  Status Validate() const;
};

enum class DemandSourceKind { kReplay, kStationary, kPerDay };

// Where an item's daily demand comes from.
//   Replay(history):          history[t] is the demand of simulated day t (warm-up included);
//                             NaN = unknown day: no demand is served, the day is counted in
//                             unknown_days. Whole numbers >= 0; at least warmup + days values.
//   Stationary(distribution): i.i.d. draws from a policy::DemandDistribution: poisson, negbin,
//                             empirical of whole numbers, or normal rounded and floored at 0.
//   PerDay(kind, mean, param2): a different distribution every day, e.g. from a forecast:
//                             poisson (mean), negbin (mean, size), normal (mean, sd; rounded,
//                             floored at 0). `mean` and `param2` hold one value for every day or
//                             one per simulated day. From forecast quantiles: mean = median,
//                             sd = (q90 - q10) / 2.563 for normal.
struct DemandSource {
  DemandSourceKind kind = DemandSourceKind::kStationary;
  std::vector<double> history;              // replay
  policy::DemandDistribution distribution;  // stationary (default: no demand)
  policy::DemandKind per_day_kind = policy::DemandKind::kPoisson;
  std::vector<double> mean;    // per day
  std::vector<double> param2;  // per day: negbin size or normal sd; empty for poisson

  static DemandSource Replay(std::vector<double> history);
  static DemandSource Stationary(policy::DemandDistribution distribution);
  static DemandSource PerDay(policy::DemandKind kind, std::vector<double> mean,
                             std::vector<double> param2 = {});
};

enum class ShortageMode { kBackorder, kLostSales };
// "backorder", "lost_sales".
std::string_view ToString(ShortageMode mode);
std::optional<ShortageMode> ParseShortageMode(std::string_view text);

enum class DisruptionKind { kNoShipping, kNoOrdering };
// "no_shipping", "no_ordering".
std::string_view ToString(DisruptionKind kind);
std::optional<DisruptionKind> ParseDisruptionKind(std::string_view text);

struct DisruptionWindow {
  int first_day = 0;  // simulated day index (0 = first day, warm-up included), inclusive
  int last_day = 0;   // inclusive
  DisruptionKind kind = DisruptionKind::kNoShipping;
  // The window [first, last] of calendar dates in a simulation whose day 0 is `start`.
  static DisruptionWindow FromDates(Date start, Date first, Date last,
                                    DisruptionKind kind = DisruptionKind::kNoShipping);
};

struct ItemCosts {
  double ordering = 0;  // K per order placed (purchase or transfer)
  double purchase = 0;  // c per unit ordered
  double holding = 0;   // h per unit on hand at the end of a day
  double shortage = 0;  // p per unit backordered at the end of a day, or per unit lost
  double expiry = 0;    // per unit discarded at the end of its shelf life
};

struct ItemSpec {
  std::string name;  // for messages and reports, e.g. "SKU-1@WH-2"; may be empty
  InventoryPolicy policy;
  DemandSource demand;
  LeadTime lead_time;             // supplier lead time (transfer lead time when source >= 0)
  bool lead_times_cross = false;  // false: arrival = max(sampled, previous arrival)
  ShortageMode shortage = ShortageMode::kBackorder;
  int shelf_life = 0;  // days a received unit can be sold (N); 0 = never expires
  // On hand at the start of day 0 (fresh stock, as if received on day 0); default: the policy's
  // TargetLevel(). The pipeline starts empty.
  std::optional<int64_t> initial_on_hand;
  ItemCosts costs;
  std::vector<DisruptionWindow> disruptions;  // must not overlap
  int source = -1;  // -1: a supplier; else the index of the item whose stock is transferred
};

// ---- options and results ---------------------------------------------------------------------

struct SimOptions {
  int days = 365;         // measured days per replication (>= 1)
  int warmup_days = 0;    // simulated first and discarded (>= 0)
  int replications = 1;   // >= 1; confidence intervals need >= 2
  uint64_t seed = 42;
  int threads = 1;        // over replications; 0 = every hardware thread; never changes results
  bool per_item = true;   // estimates per item as well as in total
  bool trajectory = false;  // daily trajectory and order log of replication 0
  double confidence = 0.95;  // of the t-based intervals, in (0, 1)
  Status Validate() const;   // "days = 0; must be >= 1"
};

// Every metric is measured over the days [warmup_days, warmup_days + days) of a replication.
enum class Metric {
  kDemand,               // units demanded
  kFilled,               // units served from stock on the day they were demanded
  kFillRate,             // filled / demand (1 without demand)
  kCycleServiceLevel,    // share of replenishment cycles without a stockout day (below)
  kStockoutDays,         // days with demand not filled from stock (item-days in totals)
  kReadyRate,            // share of days ending with stock on hand
  kAverageOnHand,        // mean end-of-day on hand
  kAverageBackorders,    // mean end-of-day backorders
  kLostUnits,            // units lost (lost sales)
  kOrders,               // orders placed (purchase and transfer)
  kUnitsOrdered,         // units ordered (transfers: units shipped to the item)
  kUnitsReceived,        // units received
  kUnitsTransferredOut,  // units shipped to other items
  kExpiredUnits,         // units discarded at the end of their shelf life
  kHoldingCost,
  kOrderingCost,
  kShortageCost,
  kPurchaseCost,
  kExpiryCost,
  kTotalCost,    // holding + ordering + shortage + purchase + expiry
  kCostPerDay,   // total cost / days
  kTurnover,     // (units served: filled + backorders filled) / average on hand (0 without
                 // stock), over the measured days: times 365 / days for a yearly rate
  kUnknownDays,  // replayed days with unknown (NaN) demand
  kCount
};
inline constexpr int kNumMetrics = static_cast<int>(Metric::kCount);
// "demand", "filled", "fill_rate", "cycle_service_level", "stockout_days", "ready_rate",
// "average_on_hand", "average_backorders", "lost_units", "orders", "units_ordered",
// "units_received", "units_transferred_out", "expired_units", "holding_cost", "ordering_cost",
// "shortage_cost", "purchase_cost", "expiry_cost", "total_cost", "cost_per_day", "turnover",
// "unknown_days".
std::string_view ToString(Metric metric);
std::optional<Metric> ParseMetric(std::string_view text);
// Cycles: a replenishment cycle runs from one receipt day up to the day before the next
// receipt; the measured window opens and closes a (partial) cycle. For base stock and (R, S)
// cycles are the review periods (an order at every review); for (s, S) and (r, Q) they are the
// classic order cycles, whose stockouts happen while the next order is on its way.

// One replication's values (per item or in total). Totals add the additive metrics over items
// and recompute the ratios from the summed counts (fill rate = sum filled / sum demand, ready
// rate over item-days, turnover = sum served / sum average on hand).
struct MetricValues {
  std::array<double, kNumMetrics> values{};
  double operator[](Metric m) const { return values[static_cast<size_t>(m)]; }
  double& operator[](Metric m) { return values[static_cast<size_t>(m)]; }
  bool operator==(const MetricValues&) const = default;
};

// Mean over replications, sample standard deviation, and the half width of the t-based
// interval: t_{(1+confidence)/2, R-1} sd / sqrt(R) (NaN with one replication).
struct Estimate {
  double mean = 0;
  double sd = 0;
  double half_width = 0;
  double low() const { return mean - half_width; }
  double high() const { return mean + half_width; }
  bool Contains(double x) const { return x >= low() && x <= high(); }
  bool operator==(const Estimate&) const = default;
};

struct MetricEstimates {
  std::array<Estimate, kNumMetrics> values{};
  const Estimate& operator[](Metric m) const { return values[static_cast<size_t>(m)]; }
  Estimate& operator[](Metric m) { return values[static_cast<size_t>(m)]; }
  bool operator==(const MetricEstimates&) const = default;
};

// Replication 0, every simulated day (warm-up included); index item * num_days + day.
struct Trajectory {
  int num_items = 0;
  int num_days = 0;
  std::vector<int64_t> on_hand;     // end of day, when costs are charged
  std::vector<int64_t> backorders;  // end of day
  std::vector<int64_t> on_order;    // after the day's review
  std::vector<int64_t> demand;      // -1 on unknown (NaN) replay days
  std::vector<int64_t> filled;      // demand filled from stock that day
  std::vector<int64_t> received;    // units received at the start of the day
  std::vector<int64_t> ordered;     // units ordered at the end of the day
  std::vector<int64_t> expired;     // units discarded that day
  int64_t At(const std::vector<int64_t>& series, int item, int day) const {
    return series[static_cast<size_t>(item) * static_cast<size_t>(num_days) +
                  static_cast<size_t>(day)];
  }
};

// One order of replication 0 (with `trajectory`).
struct OrderRecord {
  int item = 0;
  int placed_day = 0;   // end of this day
  int shipped_day = 0;  // placed_day, or the last day of a no_shipping window
  int arrival_day = 0;  // start of this day (may lie past the horizon)
  int64_t quantity = 0;
  int source = -1;  // the shipping item for a transfer
};

struct SimResult {
  int replications = 0;
  int days = 0;
  int warmup_days = 0;
  MetricEstimates total;
  std::vector<MetricEstimates> items;              // with per_item, in item order
  std::vector<MetricValues> replication_totals;    // one per replication, in order
  std::optional<Trajectory> trajectory;            // with `trajectory`
  std::vector<OrderRecord> order_log;              // with `trajectory`
  int64_t simulated_item_days = 0;                 // items x (warmup + days) x replications
};

// ---- the simulator ---------------------------------------------------------------------------

// Validates and compiles the items once (sampling tables, pipeline sizes); Run() may then be
// called any number of times. Errors name the item, the field and the rule:
//   items[3] (SKU-1@WH-2): lead_time day = 0; must be >= 1 (an order placed at the end of day t
//   arrives at the start of day t + L)
class Simulator {
 public:
  static Result<Simulator> Create(std::vector<ItemSpec> items, const SimOptions& options);
  Simulator(Simulator&&) noexcept;
  Simulator& operator=(Simulator&&) noexcept;
  ~Simulator();

  SimResult Run() const;
  // Simulation-optimisation: change an item's policy (or the seed) without recompiling.
  Status SetPolicy(size_t item, const InventoryPolicy& policy);
  void SetSeed(uint64_t seed);

  size_t num_items() const;
  const SimOptions& options() const;

 private:
  struct Impl;
  explicit Simulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Create + Run.
Result<SimResult> Simulate(std::vector<ItemSpec> items, const SimOptions& options);

}  // namespace stockcast::sim
