#include "stockcast/sim/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <utility>

#include "stockcast/core/parallel.h"
#include "stockcast/forecast/distribution.h"
#include "stockcast/sim/random.h"

namespace stockcast::sim {
namespace {

// Sampling tables wider than this give way to the direct samplers of random.h.
constexpr int kMaxTable = 4096;
// A table ends at the first value whose upper tail P(D > value) is below kUpperTail (that tail
// is drawn as the last value) and starts at the first value whose lower tail P(D < value) is
// above kLowerTail (the mass below is drawn as that value).
constexpr double kUpperTail = 1e-13;
constexpr double kLowerTail = 1e-15;
constexpr int kMaxHorizon = 10'000'000;  // warm-up + measured days
constexpr int kMaxLeadTime = 100'000;    // days
constexpr int kNever = INT_MAX;          // next review of a rule that never reviews

std::string Where(size_t i, const std::string& name) {
  return name.empty() ? fmt::format("items[{}]", i) : fmt::format("items[{}] ({})", i, name);
}

// ---- sampling tables -------------------------------------------------------------------------

// Inversion with a guide table (Chen & Asau 1974; Devroye 1986, ch. III.2.4): for u uniform on
// [0, 1) the draw is values[k], k = min{k : u < cdf[k]}; guide[j] = min{k : cdf[k] > j / G}
// starts the search at most a step or two short of k, since u >= j / G for j = floor(u G).
struct TableRef {
  int32_t offset = 0;  // into Tables::values / cdf
  int32_t size = 0;
  int32_t guide_offset = 0;  // into Tables::guide; G + 1 entries (the last guards u G == G)
  int32_t guide_size = 0;    // G
};

struct Tables {
  std::vector<int64_t> values;
  std::vector<double> cdf;
  std::vector<int32_t> guide;

  // `probabilities` need not be normalised exactly; the last cdf entry is a sentinel above 1.
  TableRef Add(const std::vector<int64_t>& support, const std::vector<double>& probabilities) {
    SC_ASSERT(!support.empty() && support.size() == probabilities.size());
    TableRef ref;
    ref.offset = static_cast<int32_t>(values.size());
    ref.size = static_cast<int32_t>(support.size());
    double total = 0.0;
    for (double p : probabilities) total += p;
    double c = 0.0;
    for (size_t k = 0; k < support.size(); ++k) {
      c += probabilities[k];
      values.push_back(support[k]);
      cdf.push_back(k + 1 == support.size() ? 2.0 : c / total);
    }
    ref.guide_offset = static_cast<int32_t>(guide.size());
    // G = 4 n guide cells: the search from the guide then rarely takes a step, which keeps the
    // loop branch predictable (Devroye 1986: expected steps <= 1 + n / G).
    ref.guide_size = 4 * ref.size;
    const double* f = cdf.data() + ref.offset;
    int32_t k = 0;
    for (int32_t j = 0; j <= ref.guide_size; ++j) {
      const double level = static_cast<double>(j) / ref.guide_size;
      while (k + 1 < ref.size && f[k] <= level) ++k;
      guide.push_back(k);
    }
    return ref;
  }
};

// The table of a stationary demand distribution, or nullopt when it would be wider than
// kMaxTable (the caller then samples directly).
std::optional<std::pair<std::vector<int64_t>, std::vector<double>>> DemandTable(
    const policy::DemandDistribution& d) {
  std::vector<int64_t> support;
  std::vector<double> probs;
  switch (d.kind()) {
    case policy::DemandKind::kEmpirical: {
      for (size_t k = 0; k < d.support().size(); ++k) {
        support.push_back(std::llround(d.support()[k]));
        probs.push_back(d.probabilities()[k]);
      }
      break;
    }
    case policy::DemandKind::kNormal: {
      const double mu = d.param1(), sd = d.param2();
      if (sd == 0.0) {
        support.push_back(std::max<int64_t>(0, std::llround(mu)));
        probs.push_back(1.0);
        break;
      }
      // D = max(0, round(X)), X ~ N(mu, sd): P(D = k) = Phi((k + 1/2 - mu)/sd) -
      // Phi((k - 1/2 - mu)/sd), the lowest value kept taking all the mass below it.
      const double lo = std::max(0.0, std::floor(mu - 9.0 * sd));
      const double hi = std::ceil(mu + 9.0 * sd);
      if (hi - lo + 1 > kMaxTable) return std::nullopt;
      double prev = 0.0;
      for (double k = lo; k <= hi; k += 1.0) {
        const double c = forecast::NormalCdf((k + 0.5 - mu) / sd);
        support.push_back(static_cast<int64_t>(k));
        probs.push_back(c - prev);
        prev = c;
      }
      break;
    }
    case policy::DemandKind::kPoisson:
    case policy::DemandKind::kNegativeBinomial: {
      const double mean = d.Mean(), sd = d.Sd();
      if (mean <= 0.0) {
        support.push_back(0);
        probs.push_back(1.0);
        break;
      }
      // Walk up from well below the mean with the exact pmf; the lower tail below mean - 9 sd
      // is < 1e-18 for these kinds, and values below kLowerTail merge into the first kept.
      // The walk stops once a geometric bound on the upper tail is below kUpperTail: for
      // j >= k the ratio p(j + 1) / p(j) is at most rho = lambda / (k + 1) (Poisson) or
      // q max(1, (k + r) / (k + 1)) with q = mean / (r + mean) (negbin, size r), so
      // P(D > k) <= p(k) rho / (1 - rho) once rho < 1.
      const bool poisson = d.kind() == policy::DemandKind::kPoisson;
      const double size = d.param2();
      const double q = poisson ? 0.0 : mean / (size + mean);
      const int64_t lo = static_cast<int64_t>(std::max(0.0, std::floor(mean - 9.0 * sd)));
      double below = 0.0, c = 0.0;
      for (int64_t k = lo;; ++k) {
        if (static_cast<int64_t>(support.size()) >= kMaxTable) return std::nullopt;
        const double kd = static_cast<double>(k);
        const double p = d.Pmf(kd);
        c += p;
        if (support.empty() && c < kLowerTail && kd < mean) {
          below += p;
          continue;
        }
        support.push_back(k);
        probs.push_back(p + below);
        below = 0.0;
        const double rho =
            poisson ? mean / (kd + 1.0) : q * std::max(1.0, (kd + size) / (kd + 1.0));
        if (kd >= mean && rho < 1.0 && p * rho / (1.0 - rho) < kUpperTail) break;
      }
      break;
    }
  }
  if (static_cast<int64_t>(support.size()) > kMaxTable) return std::nullopt;
  return std::make_pair(std::move(support), std::move(probs));
}

// ---- compiled model --------------------------------------------------------------------------

enum class DemandMode : uint8_t { kTable, kReplay, kPoisson, kNegBin, kNormal };

// Counts over the days of a replication (everything is additive over days and items).
struct Tally {
  int64_t demand = 0, filled = 0, backorders_filled = 0, lost = 0, stockout_days = 0,
          ready_days = 0, cycles = 0, stockout_cycles = 0, orders = 0, units_ordered = 0,
          units_received = 0, transferred_out = 0, expired = 0, unknown_days = 0,
          on_hand_days = 0, backorder_days = 0;

  template <typename F>
  void Each(const Tally& o, F f) {
    f(demand, o.demand);
    f(filled, o.filled);
    f(backorders_filled, o.backorders_filled);
    f(lost, o.lost);
    f(stockout_days, o.stockout_days);
    f(ready_days, o.ready_days);
    f(cycles, o.cycles);
    f(stockout_cycles, o.stockout_cycles);
    f(orders, o.orders);
    f(units_ordered, o.units_ordered);
    f(units_received, o.units_received);
    f(transferred_out, o.transferred_out);
    f(expired, o.expired);
    f(unknown_days, o.unknown_days);
    f(on_hand_days, o.on_hand_days);
    f(backorder_days, o.backorder_days);
  }
  Tally& operator+=(const Tally& o) {
    Each(o, [](int64_t& a, int64_t b) { a += b; });
    return *this;
  }
  Tally& operator-=(const Tally& o) {
    Each(o, [](int64_t& a, int64_t b) { a -= b; });
    return *this;
  }
};

struct CostSums {
  double holding = 0, ordering = 0, shortage = 0, purchase = 0, expiry = 0;
};

CostSums CostsOf(const Tally& t, const ItemCosts& c) {
  CostSums s;
  s.holding = c.holding * static_cast<double>(t.on_hand_days);
  s.ordering = c.ordering * static_cast<double>(t.orders);
  // One of lost / backorder_days is always 0: p per unit lost or per unit-day backordered.
  s.shortage = c.shortage * static_cast<double>(t.lost + t.backorder_days);
  s.purchase = c.purchase * static_cast<double>(t.units_ordered);
  s.expiry = c.expiry * static_cast<double>(t.expired);
  return s;
}

MetricValues MetricsOf(const Tally& t, const CostSums& c, int64_t item_days, int days) {
  MetricValues m;
  const auto d = [](int64_t x) { return static_cast<double>(x); };
  m[Metric::kDemand] = d(t.demand);
  m[Metric::kFilled] = d(t.filled);
  m[Metric::kFillRate] = t.demand > 0 ? d(t.filled) / d(t.demand) : 1.0;
  m[Metric::kCycleServiceLevel] =
      t.cycles > 0 ? 1.0 - d(t.stockout_cycles) / d(t.cycles) : 1.0;
  m[Metric::kStockoutDays] = d(t.stockout_days);
  m[Metric::kReadyRate] = d(t.ready_days) / d(item_days);
  m[Metric::kAverageOnHand] = d(t.on_hand_days) / days;
  m[Metric::kAverageBackorders] = d(t.backorder_days) / days;
  m[Metric::kLostUnits] = d(t.lost);
  m[Metric::kOrders] = d(t.orders);
  m[Metric::kUnitsOrdered] = d(t.units_ordered);
  m[Metric::kUnitsReceived] = d(t.units_received);
  m[Metric::kUnitsTransferredOut] = d(t.transferred_out);
  m[Metric::kExpiredUnits] = d(t.expired);
  m[Metric::kHoldingCost] = c.holding;
  m[Metric::kOrderingCost] = c.ordering;
  m[Metric::kShortageCost] = c.shortage;
  m[Metric::kPurchaseCost] = c.purchase;
  m[Metric::kExpiryCost] = c.expiry;
  const double total = c.holding + c.ordering + c.shortage + c.purchase + c.expiry;
  m[Metric::kTotalCost] = total;
  m[Metric::kCostPerDay] = total / days;
  const double avg = m[Metric::kAverageOnHand];
  m[Metric::kTurnover] = avg > 0 ? d(t.filled + t.backorders_filled) / avg : 0.0;
  m[Metric::kUnknownDays] = d(t.unknown_days);
  return m;
}

}  // namespace

// Everything Run() needs. (In a named namespace because Simulator::Impl holds one.)
namespace internal {

// Per-item constants, one record per item: an item's day reads them together, so on the
// day-by-day path one or two cache lines bring them all.
struct ItemParams {
  OrderRule rule;
  int32_t review_period = 1;
  int32_t first_review = 0;  // kNever for a rule that never reviews
  DemandMode demand_mode = DemandMode::kTable;
  uint8_t lost = 0, cross = 0, mean_per_day = 0, param2_per_day = 0;
  int32_t shelf_life = 0;
  int32_t lead_fixed = 0;  // 0: sampled from lead_table
  int32_t source = -1;
  int32_t ring_mask = 0, batch_mask = 0;
  int32_t window_offset = 0, window_count = 0;  // into Model::windows
  TableRef demand_table, lead_table;
  int64_t replay_offset = 0;                      // into Model::replay (-1 = unknown day)
  int64_t mean_offset = 0, param2_offset = 0;     // into Model::day_params
  int64_t ring_offset = 0, batch_offset = 0;      // into Workspace::ring / batch_*
  int64_t initial = 0;
  bool initial_given = false;  // else the policy's TargetLevel()
  ItemCosts costs;
};

struct Model {
  SimOptions options;
  std::vector<std::string> names;
  int horizon = 0;
  std::vector<ItemParams> items;
  // Items coupled by transfers (a source or a destination) run day by day together; all
  // others run one at a time through all days. Both give the same numbers for an item.
  std::vector<int32_t> independent_items, coupled_items;
  std::vector<int32_t> coupled_slot;  // item -> index into coupled_items (-1: independent)
  std::vector<int32_t> review_order;  // coupled items, destinations before their sources
  // Network g is coupled_items (and review_order) [network_begin[g], network_begin[g + 1]).
  std::vector<int32_t> network_begin;
  std::vector<int64_t> replay;
  std::vector<double> day_params;
  std::vector<DisruptionWindow> windows;
  int64_t ring_total = 0;
  int64_t batch_total = 0;
  Tables tables;

  size_t n() const { return items.size(); }
};
}  // namespace internal

struct Simulator::Impl {
  internal::Model model;
};

namespace {

using internal::ItemParams;
using internal::Model;

// The mutable state of one item. The pipeline and the batches live in flat rings of the
// workspace (per item a power-of-two slice).
struct ItemState {
  int64_t on_hand = 0, backorders = 0, on_order = 0;
  int32_t next_review = 0, last_arrival = 0, window_cursor = 0, cycle_days = 0;
  int32_t batch_head = 0, batch_count = 0;
  uint8_t cycle_flag = 0;
  Tally tally;
};

// The state of one replication (reused across replications by one worker).
struct Workspace {
  std::vector<ItemState> state;
  std::vector<Tally> snapshot;            // counts at the start of the measured window
  std::vector<Rng> demand_rng, lead_rng;  // coupled items only (in coupled_items order)
  std::vector<int64_t> ring;              // pipeline: units arriving on day d at d & mask
  std::vector<int32_t> batch_expiry;      // FIFO batches: last selling day
  std::vector<int64_t> batch_qty;
  Trajectory* trajectory = nullptr;
  std::vector<OrderRecord>* order_log = nullptr;
};

Rng DemandRng(uint64_t replication_seed, size_t item) {
  return Rng::ForStream(replication_seed, 2 * static_cast<uint64_t>(item));
}
Rng LeadRng(uint64_t replication_seed, size_t item) {
  return Rng::ForStream(replication_seed, 2 * static_cast<uint64_t>(item) + 1);
}

// FIFO batches of an item with a shelf life, in the workspace ring [offset, offset + mask].
[[gnu::noinline]] void PushBatch(const ItemParams& p, Workspace& w, ItemState& s, int32_t expiry,
                                 int64_t qty) {
  if (s.batch_count > 0) {
    const int64_t tail = p.batch_offset + ((s.batch_head + s.batch_count - 1) & p.batch_mask);
    if (w.batch_expiry[static_cast<size_t>(tail)] == expiry) {
      w.batch_qty[static_cast<size_t>(tail)] += qty;
      return;
    }
  }
  SC_ASSERT(s.batch_count <= p.batch_mask);
  const auto slot = static_cast<size_t>(p.batch_offset +
                                        ((s.batch_head + s.batch_count) & p.batch_mask));
  w.batch_expiry[slot] = expiry;
  w.batch_qty[slot] = qty;
  ++s.batch_count;
}

// Takes `qty` units, oldest first (qty <= on hand = the sum of the batches).
[[gnu::noinline]] void ConsumeBatches(const ItemParams& p, Workspace& w, ItemState& s,
                                      int64_t qty) {
  while (qty > 0) {
    SC_ASSERT(s.batch_count > 0);
    int64_t& b = w.batch_qty[static_cast<size_t>(p.batch_offset + s.batch_head)];
    const int64_t take = std::min(b, qty);
    b -= take;
    qty -= take;
    if (b == 0) {
      s.batch_head = (s.batch_head + 1) & p.batch_mask;
      --s.batch_count;
    }
  }
}

// Removes the batches whose last selling day is <= day; returns the units discarded.
[[gnu::noinline]] int64_t ExpireBatches(const ItemParams& p, Workspace& w, ItemState& s,
                                        int32_t day) {
  int64_t out = 0;
  while (s.batch_count > 0 &&
         w.batch_expiry[static_cast<size_t>(p.batch_offset + s.batch_head)] <= day) {
    out += w.batch_qty[static_cast<size_t>(p.batch_offset + s.batch_head)];
    s.batch_head = (s.batch_head + 1) & p.batch_mask;
    --s.batch_count;
  }
  return out;
}

[[gnu::noinline]] void RecordMorning(Trajectory* tr, size_t k, int64_t on_hand,
                                     int64_t backorders, int64_t demand, int64_t filled,
                                     int64_t received, int64_t expired) {
  tr->on_hand[k] = on_hand;
  tr->backorders[k] = backorders;
  tr->demand[k] = demand;
  tr->filled[k] = filled;
  tr->received[k] = received;
  tr->expired[k] = expired;
}

[[gnu::noinline]] void RecordEvening(Trajectory* tr, size_t k, int64_t on_order,
                                     int64_t ordered) {
  tr->on_order[k] = on_order;
  tr->ordered[k] = ordered;
}

[[gnu::noinline]] void LogOrder(std::vector<OrderRecord>* log, const OrderRecord& record) {
  log->push_back(record);
}

// A transfer ships what the source has at the end of the day (after the source's costs);
// returns the units shipped.
[[gnu::noinline]] int64_t ShipTransfer(const Model& m, Workspace& w, size_t source, int64_t q) {
  ItemState& s = w.state[source];
  q = std::min(q, s.on_hand);
  if (q <= 0) return 0;
  s.on_hand -= q;
  const ItemParams& p = m.items[source];
  if (p.shelf_life > 0) ConsumeBatches(p, w, s, q);
  s.tally.transferred_out += q;
  return q;
}

// A lead time from the item's table (inversion, as for demand).
[[gnu::noinline]] int32_t SampleLeadTime(const Model& m, const ItemParams& p, Rng& rng) {
  const TableRef& lt = p.lead_table;
  const double u = static_cast<double>(rng.Next() >> 11) * 0x1.0p-53;
  const int32_t* guide = m.tables.guide.data() + lt.guide_offset;
  const double* cdf = m.tables.cdf.data() + lt.offset;
  int32_t k = guide[static_cast<int32_t>(u * lt.guide_size)];
  while (u >= cdf[k]) ++k;
  return static_cast<int32_t>(m.tables.values[static_cast<size_t>(lt.offset + k)]);
}

// One item's day, split at the review so that the day-by-day path can run every coupled item's
// receipts, demand, expiry and costs before any review (transfers then see the day's stock).
// The one-item-at-a-time path keeps one ItemRun, with its state in registers, for all days.
class ItemRun {
 public:
  ItemRun(const Model& m, Workspace& w, size_t i)
      : m_(m),
        w_(w),
        p_(m.items[i]),
        s_(w.state[i]),
        i_(i),
        rule_(p_.rule),
        period_(p_.review_period),
        mode_(p_.demand_mode),
        lost_(p_.lost != 0),
        cross_(p_.cross != 0),
        shelf_(p_.shelf_life),
        lead_fixed_(p_.lead_fixed),
        source_(p_.source),
        mask_(p_.ring_mask),
        ring_(w.ring.data() + p_.ring_offset),
        windows_(m.windows.data() + p_.window_offset),
        num_windows_(p_.window_count),
        values_(m.tables.values.data() + p_.demand_table.offset),
        cdf_(m.tables.cdf.data() + p_.demand_table.offset),
        guide_(m.tables.guide.data() + p_.demand_table.guide_offset),
        guide_scale_(static_cast<double>(p_.demand_table.guide_size)),
        replay_(m.replay.data() + p_.replay_offset),
        mean_(m.day_params.data() + p_.mean_offset),
        param2_(m.day_params.data() + p_.param2_offset),
        mean_step_(p_.mean_per_day),
        param2_step_(p_.param2_per_day),
        trajectory_(w.trajectory),
        order_log_(w.order_log),
        traj_base_(static_cast<int64_t>(i) * m.horizon),
        on_hand_(s_.on_hand),
        backorders_(s_.backorders),
        on_order_(s_.on_order),
        next_review_(s_.next_review),
        last_arrival_(s_.last_arrival),
        window_(s_.window_cursor),
        cycle_days_(s_.cycle_days),
        cycle_flag_(s_.cycle_flag),
        tally_(s_.tally) {}

  // Writes the state back (the batch ring's head and count live in the state throughout).
  void Store() {
    s_.on_hand = on_hand_;
    s_.backorders = backorders_;
    s_.on_order = on_order_;
    s_.next_review = next_review_;
    s_.last_arrival = last_arrival_;
    s_.window_cursor = window_;
    s_.cycle_days = cycle_days_;
    s_.cycle_flag = cycle_flag_;
    s_.tally = tally_;
  }

  // The measured window opens before the receipts of its first day.
  void StartMeasuring() {
    w_.snapshot[i_] = tally_;
    cycle_days_ = 0;
    cycle_flag_ = 0;
  }

  // Closes the last (partial) cycle and leaves the measured counts in the tally.
  void Finish() {
    CloseCycle();
    tally_ -= w_.snapshot[i_];
  }

  // Events 1-4: receipts, demand (backorders first), expiry, costs. Inlined into the day loop
  // so that the item's state stays in registers; the rare paths are out of line.
  [[gnu::always_inline]] void Morning(int32_t t, Rng& rng) {
    const int64_t received = ring_[t & mask_];
    if (received != 0) {
      ring_[t & mask_] = 0;
      on_hand_ += received;
      on_order_ -= received;
      tally_.units_received += received;
      if (shelf_ > 0) PushBatch(p_, w_, s_, t + shelf_ - 1, received);
      CloseCycle();  // a receipt opens a new replenishment cycle
    }
    if (backorders_ > 0) {
      const int64_t x = std::min(backorders_, on_hand_);
      backorders_ -= x;
      on_hand_ -= x;
      tally_.backorders_filled += x;
      if (shelf_ > 0 && x > 0) ConsumeBatches(p_, w_, s_, x);
    }
    int64_t d = Demand(t, rng);
    const bool unknown = d < 0;
    if (unknown) {
      d = 0;
      ++tally_.unknown_days;
    }
    const int64_t filled = std::min(d, on_hand_);
    on_hand_ -= filled;
    if (shelf_ > 0 && filled > 0) ConsumeBatches(p_, w_, s_, filled);
    const int64_t short_units = d - filled;
    tally_.demand += d;
    tally_.filled += filled;
    if (lost_) {
      tally_.lost += short_units;
    } else {
      backorders_ += short_units;
    }
    const bool stockout = short_units > 0;
    tally_.stockout_days += stockout;
    cycle_flag_ |= static_cast<uint8_t>(stockout);
    int64_t expired = 0;
    if (shelf_ > 0) {
      expired = ExpireBatches(p_, w_, s_, t);
      on_hand_ -= expired;
      tally_.expired += expired;
    }
    tally_.on_hand_days += on_hand_;
    tally_.backorder_days += backorders_;
    tally_.ready_days += on_hand_ > 0;
    ++cycle_days_;
    if (trajectory_ != nullptr) {
      RecordMorning(trajectory_, static_cast<size_t>(traj_base_ + t), on_hand_, backorders_,
                    unknown ? -1 : d, filled, received, expired);
    }
  }

  // Event 5: the review.
  [[gnu::always_inline]] void Evening(int32_t t, Rng& rng) {
    int64_t ordered = 0;
    if (t == next_review_) {
      next_review_ += period_;
      const DisruptionWindow* window = ActiveWindow(t);
      if (window == nullptr || window->kind != DisruptionKind::kNoOrdering) {
        const int64_t q = OrderAt(rule_, on_hand_ + on_order_ - backorders_);
        if (q > 0) ordered = Place(t, q, window, rng);
      }
    }
    if (trajectory_ != nullptr) {
      RecordEvening(trajectory_, static_cast<size_t>(traj_base_ + t), on_order_, ordered);
    }
  }

 private:
  void CloseCycle() {
    if (cycle_days_ == 0) return;
    ++tally_.cycles;
    tally_.stockout_cycles += cycle_flag_;
    cycle_days_ = 0;
    cycle_flag_ = 0;
  }

  int64_t TableDraw(uint64_t bits) const {
    const double u = static_cast<double>(bits >> 11) * 0x1.0p-53;
    int32_t k = guide_[static_cast<int32_t>(u * guide_scale_)];
    while (u >= cdf_[k]) ++k;
    return values_[k];
  }

  // The day's demand; -1 for an unknown replay day.
  int64_t Demand(int32_t t, Rng& rng) const {
    switch (mode_) {
      case DemandMode::kTable:
        return TableDraw(rng.Next());
      case DemandMode::kReplay:
        return replay_[t];
      case DemandMode::kPoisson:
        return rng.Poisson(mean_[mean_step_ * t]);
      case DemandMode::kNegBin: {
        const double mean = mean_[mean_step_ * t];
        return mean > 0 ? rng.NegativeBinomial(mean, param2_[param2_step_ * t]) : 0;
      }
      case DemandMode::kNormal: {
        const double x = rng.Normal(mean_[mean_step_ * t], param2_[param2_step_ * t]);
        return std::max<int64_t>(0, std::llround(x));
      }
    }
    return 0;
  }

  const DisruptionWindow* ActiveWindow(int32_t t) {
    while (window_ < num_windows_ && windows_[window_].last_day < t) ++window_;
    if (window_ < num_windows_ && windows_[window_].first_day <= t) return &windows_[window_];
    return nullptr;
  }

  int64_t Place(int32_t t, int64_t q, const DisruptionWindow* window, Rng& rng) {
    const int32_t shipped =
        window != nullptr && window->kind == DisruptionKind::kNoShipping ? window->last_day : t;
    if (source_ >= 0) {
      q = ShipTransfer(m_, w_, static_cast<size_t>(source_), q);
      if (q <= 0) return 0;
    }
    const int32_t lead = lead_fixed_ > 0 ? lead_fixed_ : SampleLeadTime(m_, p_, rng);
    int32_t arrival = shipped + lead;
    if (!cross_) {
      // One lane, first in first out: a receipt never overtakes an earlier order.
      arrival = std::max(arrival, last_arrival_);
      last_arrival_ = arrival;
    }
    SC_ASSERT(arrival - t <= mask_);
    ring_[arrival & mask_] += q;
    on_order_ += q;
    ++tally_.orders;
    tally_.units_ordered += q;
    if (order_log_ != nullptr) {
      LogOrder(order_log_, OrderRecord{.item = static_cast<int>(i_),
                                       .placed_day = t,
                                       .shipped_day = shipped,
                                       .arrival_day = arrival,
                                       .quantity = q,
                                       .source = source_});
    }
    return q;
  }

  const Model& m_;
  Workspace& w_;
  const ItemParams& p_;
  ItemState& s_;
  const size_t i_;
  const OrderRule rule_;
  const int32_t period_;
  const DemandMode mode_;
  const bool lost_, cross_;
  const int32_t shelf_, lead_fixed_, source_, mask_;
  int64_t* const ring_;
  const DisruptionWindow* const windows_;
  const int32_t num_windows_;
  const int64_t* const values_;
  const double* const cdf_;
  const int32_t* const guide_;
  const double guide_scale_;
  const int64_t* const replay_;
  const double* const mean_;
  const double* const param2_;
  const int32_t mean_step_, param2_step_;
  Trajectory* const trajectory_;
  std::vector<OrderRecord>* const order_log_;
  const int64_t traj_base_;

  int64_t on_hand_, backorders_, on_order_;
  int32_t next_review_, last_arrival_, window_, cycle_days_;
  uint8_t cycle_flag_;
  Tally tally_;
};

void ResetWorkspace(const Model& m, Workspace& w, uint64_t replication_seed) {
  const size_t n = m.n();
  w.state.assign(n, ItemState{});
  w.snapshot.assign(n, Tally{});
  w.ring.assign(static_cast<size_t>(m.ring_total), 0);
  w.batch_expiry.assign(static_cast<size_t>(m.batch_total), 0);
  w.batch_qty.assign(static_cast<size_t>(m.batch_total), 0);
  for (size_t i = 0; i < n; ++i) {
    const ItemParams& p = m.items[i];
    ItemState& s = w.state[i];
    s.on_hand = p.initial;
    s.next_review = p.first_review;
    // Initial stock is fresh: sellable on days 0 .. N - 1.
    if (p.shelf_life > 0 && p.initial > 0) PushBatch(p, w, s, p.shelf_life - 1, p.initial);
  }
  w.demand_rng.clear();
  w.lead_rng.clear();
  w.demand_rng.reserve(m.coupled_items.size());
  w.lead_rng.reserve(m.coupled_items.size());
  for (int32_t i : m.coupled_items) {
    w.demand_rng.push_back(DemandRng(replication_seed, static_cast<size_t>(i)));
    w.lead_rng.push_back(LeadRng(replication_seed, static_cast<size_t>(i)));
  }
}

// Runs one replication; leaves the measured counts in the items' tallies.
void RunReplication(const Model& m, Workspace& w, uint64_t seed, int replication) {
  Rng rep = Rng::ForStream(seed, static_cast<uint64_t>(replication));
  const uint64_t replication_seed = rep.Next();
  ResetWorkspace(m, w, replication_seed);
  const int32_t warmup = m.options.warmup_days;
  const int32_t horizon = m.horizon;
  for (const int32_t item : m.independent_items) {
    const size_t i = static_cast<size_t>(item);
    Rng demand_rng = DemandRng(replication_seed, i);
    Rng lead_rng = LeadRng(replication_seed, i);
    ItemRun run(m, w, i);
    for (int32_t t = 0; t < warmup; ++t) {
      run.Morning(t, demand_rng);
      run.Evening(t, lead_rng);
    }
    run.StartMeasuring();
    for (int32_t t = warmup; t < horizon; ++t) {
      run.Morning(t, demand_rng);
      run.Evening(t, lead_rng);
    }
    run.Finish();
    run.Store();
  }
  // Transfer networks, one at a time, day by day: every item's receipts, demand, expiry and
  // costs, then the reviews with destinations before their sources.
  for (size_t g = 0; g + 1 < m.network_begin.size(); ++g) {
    const auto begin = static_cast<size_t>(m.network_begin[g]);
    const auto end = static_cast<size_t>(m.network_begin[g + 1]);
    for (int32_t t = 0; t < horizon; ++t) {
      for (size_t k = begin; k < end; ++k) {
        ItemRun run(m, w, static_cast<size_t>(m.coupled_items[k]));
        if (t == warmup) run.StartMeasuring();
        run.Morning(t, w.demand_rng[k]);
        run.Store();
      }
      for (size_t k = begin; k < end; ++k) {
        const auto i = static_cast<size_t>(m.review_order[k]);
        ItemRun run(m, w, i);
        run.Evening(t, w.lead_rng[static_cast<size_t>(m.coupled_slot[i])]);
        run.Store();
      }
    }
    for (size_t k = begin; k < end; ++k) {
      ItemRun run(m, w, static_cast<size_t>(m.coupled_items[k]));
      run.Finish();
      run.Store();
    }
  }
}

// Mean and sum of squared deviations, accumulated in replication order (Welford 1962).
struct Accumulator {
  std::array<double, kNumMetrics> mean{}, m2{};
  void Add(const MetricValues& v, int n) {
    for (size_t k = 0; k < mean.size(); ++k) {
      const double delta = v.values[k] - mean[k];
      mean[k] += delta / n;
      m2[k] += delta * (v.values[k] - mean[k]);
    }
  }
  MetricEstimates Estimates(int n, double t_quantile) const {
    MetricEstimates e;
    for (size_t k = 0; k < mean.size(); ++k) {
      e.values[k].mean = mean[k];
      if (n < 2) {
        e.values[k].sd = std::numeric_limits<double>::quiet_NaN();
        e.values[k].half_width = std::numeric_limits<double>::quiet_NaN();
      } else {
        e.values[k].sd = std::sqrt(std::max(0.0, m2[k]) / (n - 1));
        e.values[k].half_width = t_quantile * e.values[k].sd / std::sqrt(static_cast<double>(n));
      }
    }
    return e;
  }
};

// Per replication: item metrics (with per_item) and the total.
struct ReplicationOutput {
  std::vector<MetricValues> items;
  MetricValues total;
};

void Summarise(const Model& m, const Workspace& w, bool per_item, ReplicationOutput& out) {
  const size_t n = m.n();
  const int days = m.options.days;
  Tally sum;
  CostSums costs;
  out.items.resize(per_item ? n : 0);
  for (size_t i = 0; i < n; ++i) {
    const Tally& t = w.state[i].tally;
    const CostSums c = CostsOf(t, m.items[i].costs);
    if (per_item) out.items[i] = MetricsOf(t, c, days, days);
    sum += t;
    costs.holding += c.holding;
    costs.ordering += c.ordering;
    costs.shortage += c.shortage;
    costs.purchase += c.purchase;
    costs.expiry += c.expiry;
  }
  out.total = MetricsOf(sum, costs, static_cast<int64_t>(n) * days, days);
}

// ---- validation ------------------------------------------------------------------------------

Status ValidateDemand(const DemandSource& d, int horizon, const std::string& where) {
  switch (d.kind) {
    case DemandSourceKind::kReplay: {
      if (static_cast<int64_t>(d.history.size()) < horizon) {
        return Error::InvalidArgument(fmt::format(
            "{}: demand history has {} days; the simulation needs warmup_days + days = {}",
            where, d.history.size(), horizon));
      }
      for (size_t t = 0; t < static_cast<size_t>(horizon); ++t) {
        const double v = d.history[t];
        if (std::isnan(v)) continue;
        if (!std::isfinite(v) || v < 0 || v != std::floor(v) || v > 1e15) {
          return Error::InvalidArgument(fmt::format(
              "{}: demand history[{}] = {}; must be a whole number >= 0 (or NaN for an unknown "
              "day)",
              where, t, v));
        }
      }
      return Status::Ok();
    }
    case DemandSourceKind::kStationary: {
      const policy::DemandDistribution& dist = d.distribution;
      if (!dist.integer() && !dist.continuous()) {
        return Error::InvalidArgument(fmt::format(
            "{}: demand {} has values that are not whole numbers; the simulator counts whole "
            "units (use whole empirical values, or normal demand, which is rounded)",
            where, dist.ToString()));
      }
      return Status::Ok();
    }
    case DemandSourceKind::kPerDay: {
      const std::string_view kind = policy::ToString(d.per_day_kind);
      if (d.per_day_kind == policy::DemandKind::kEmpirical) {
        return Error::InvalidArgument(fmt::format(
            "{}: per-day demand kind = {}; must be poisson, negbin or normal (empirical demand "
            "is stationary: use DemandSource::Stationary)",
            where, kind));
      }
      auto check_length = [&](const std::vector<double>& v, std::string_view field) -> Status {
        if (v.size() != 1 && static_cast<int64_t>(v.size()) < horizon) {
          return Error::InvalidArgument(fmt::format(
              "{}: per-day demand {} has {} values; must have 1 (every day) or warmup_days + "
              "days = {}",
              where, field, v.size(), horizon));
        }
        return Status::Ok();
      };
      SC_RETURN_IF_ERROR(check_length(d.mean, "mean"));
      for (size_t t = 0; t < std::min(d.mean.size(), static_cast<size_t>(horizon)); ++t) {
        if (!std::isfinite(d.mean[t]) || d.mean[t] < 0) {
          return Error::InvalidArgument(fmt::format(
              "{}: per-day demand mean[{}] = {}; must be finite and >= 0", where, t, d.mean[t]));
        }
      }
      if (d.per_day_kind == policy::DemandKind::kPoisson) {
        if (!d.param2.empty()) {
          return Error::InvalidArgument(fmt::format(
              "{}: per-day poisson demand takes no param2; got {} values", where,
              d.param2.size()));
        }
        return Status::Ok();
      }
      const bool negbin = d.per_day_kind == policy::DemandKind::kNegativeBinomial;
      const std::string_view name = negbin ? "size" : "sd";
      SC_RETURN_IF_ERROR(check_length(d.param2, negbin ? "param2 (size)" : "param2 (sd)"));
      for (size_t t = 0; t < std::min(d.param2.size(), static_cast<size_t>(horizon)); ++t) {
        const double v = d.param2[t];
        if (!std::isfinite(v) || (negbin ? v <= 0 : v < 0)) {
          return Error::InvalidArgument(fmt::format("{}: per-day {} demand {}[{}] = {}; must be {}",
                                                    where, kind, name, t, v,
                                                    negbin ? "> 0" : ">= 0"));
        }
      }
      return Status::Ok();
    }
  }
  return Error::InvalidArgument(fmt::format("{}: unknown demand source kind", where));
}

Status ValidateCosts(const ItemCosts& c, const std::string& where) {
  const std::pair<std::string_view, double> fields[] = {{"ordering", c.ordering},
                                                        {"purchase", c.purchase},
                                                        {"holding", c.holding},
                                                        {"shortage", c.shortage},
                                                        {"expiry", c.expiry}};
  for (const auto& [name, v] : fields) {
    if (!std::isfinite(v) || v < 0) {
      return Error::InvalidArgument(
          fmt::format("{}: costs.{} = {}; must be finite and >= 0", where, name, v));
    }
  }
  return Status::Ok();
}

int32_t PowerOfTwoAbove(int64_t x) {
  int64_t p = 1;
  while (p <= x) p <<= 1;
  return static_cast<int32_t>(p);
}

}  // namespace

// ---- public helpers --------------------------------------------------------------------------

LeadTime LeadTime::Fixed(int days) { return LeadTime{.days = {days}, .probabilities = {1.0}}; }

LeadTime LeadTime::Discrete(std::vector<int> days, std::vector<double> probabilities) {
  return LeadTime{.days = std::move(days), .probabilities = std::move(probabilities)};
}

double LeadTime::Mean() const {
  double m = 0;
  for (size_t k = 0; k < days.size() && k < probabilities.size(); ++k) {
    m += days[k] * probabilities[k];
  }
  return m;
}

int LeadTime::Max() const {
  return days.empty() ? 0 : *std::max_element(days.begin(), days.end());
}

Status LeadTime::Validate() const {
  if (days.empty()) {
    return Error::InvalidArgument("lead_time has no days; give one (fixed) or a distribution");
  }
  if (probabilities.size() != days.size()) {
    return Error::InvalidArgument(
        fmt::format("lead_time has {} days and {} probabilities; must have one per day",
                    days.size(), probabilities.size()));
  }
  double total = 0;
  for (size_t k = 0; k < days.size(); ++k) {
    if (days[k] < 1 || days[k] > kMaxLeadTime) {
      return Error::InvalidArgument(fmt::format(
          "lead_time day = {}; must be in [1, {}] (an order placed at the end of day t arrives "
          "at the start of day t + L)",
          days[k], kMaxLeadTime));
    }
    if (!std::isfinite(probabilities[k]) || probabilities[k] < 0) {
      return Error::InvalidArgument(fmt::format(
          "lead_time probability of {} days = {}; must be >= 0", days[k], probabilities[k]));
    }
    total += probabilities[k];
  }
  if (std::abs(total - 1.0) > 1e-6) {
    return Error::InvalidArgument(
        fmt::format("lead_time probabilities sum to {}; must sum to 1 (within 1e-6)", total));
  }
  return Status::Ok();
}

DemandSource DemandSource::Replay(std::vector<double> history) {
  DemandSource d;
  d.kind = DemandSourceKind::kReplay;
  d.history = std::move(history);
  return d;
}

DemandSource DemandSource::Stationary(policy::DemandDistribution distribution) {
  DemandSource d;
  d.kind = DemandSourceKind::kStationary;
  d.distribution = std::move(distribution);
  return d;
}

DemandSource DemandSource::PerDay(policy::DemandKind kind, std::vector<double> mean,
                                  std::vector<double> param2) {
  DemandSource d;
  d.kind = DemandSourceKind::kPerDay;
  d.per_day_kind = kind;
  d.mean = std::move(mean);
  d.param2 = std::move(param2);
  return d;
}

std::string_view ToString(ShortageMode mode) {
  return mode == ShortageMode::kLostSales ? "lost_sales" : "backorder";
}

std::optional<ShortageMode> ParseShortageMode(std::string_view text) {
  if (text == "backorder") return ShortageMode::kBackorder;
  if (text == "lost_sales") return ShortageMode::kLostSales;
  return std::nullopt;
}

std::string_view ToString(DisruptionKind kind) {
  return kind == DisruptionKind::kNoOrdering ? "no_ordering" : "no_shipping";
}

std::optional<DisruptionKind> ParseDisruptionKind(std::string_view text) {
  if (text == "no_shipping") return DisruptionKind::kNoShipping;
  if (text == "no_ordering") return DisruptionKind::kNoOrdering;
  return std::nullopt;
}

DisruptionWindow DisruptionWindow::FromDates(Date start, Date first, Date last,
                                             DisruptionKind kind) {
  return DisruptionWindow{.first_day = first - start, .last_day = last - start, .kind = kind};
}

namespace {
constexpr std::array<std::string_view, kNumMetrics> kMetricNames = {
    "demand",        "filled",        "fill_rate",          "cycle_service_level",
    "stockout_days", "ready_rate",    "average_on_hand",    "average_backorders",
    "lost_units",    "orders",        "units_ordered",      "units_received",
    "units_transferred_out",          "expired_units",      "holding_cost",
    "ordering_cost", "shortage_cost", "purchase_cost",      "expiry_cost",
    "total_cost",    "cost_per_day",  "turnover",           "unknown_days"};
}  // namespace

std::string_view ToString(Metric metric) {
  const auto k = static_cast<size_t>(metric);
  return k < kMetricNames.size() ? kMetricNames[k] : "unknown";
}

std::optional<Metric> ParseMetric(std::string_view text) {
  for (size_t k = 0; k < kMetricNames.size(); ++k) {
    if (kMetricNames[k] == text) return static_cast<Metric>(k);
  }
  return std::nullopt;
}

Status SimOptions::Validate() const {
  if (days < 1) return Error::InvalidArgument(fmt::format("days = {}; must be >= 1", days));
  if (warmup_days < 0) {
    return Error::InvalidArgument(fmt::format("warmup_days = {}; must be >= 0", warmup_days));
  }
  if (static_cast<int64_t>(days) + warmup_days > kMaxHorizon) {
    return Error::InvalidArgument(fmt::format("warmup_days + days = {}; must be <= {}",
                                              static_cast<int64_t>(days) + warmup_days,
                                              kMaxHorizon));
  }
  if (replications < 1) {
    return Error::InvalidArgument(
        fmt::format("replications = {}; must be >= 1 (>= 2 for confidence intervals)",
                    replications));
  }
  if (threads < 0) {
    return Error::InvalidArgument(
        fmt::format("threads = {}; must be >= 0 (0 = every hardware thread)", threads));
  }
  if (!(confidence > 0 && confidence < 1)) {
    return Error::InvalidArgument(
        fmt::format("confidence = {}; must be in (0, 1)", confidence));
  }
  return Status::Ok();
}

// ---- Simulator -------------------------------------------------------------------------------

Simulator::Simulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Simulator::Simulator(Simulator&&) noexcept = default;
Simulator& Simulator::operator=(Simulator&&) noexcept = default;
Simulator::~Simulator() = default;

size_t Simulator::num_items() const { return impl_->model.n(); }
const SimOptions& Simulator::options() const { return impl_->model.options; }
void Simulator::SetSeed(uint64_t seed) { impl_->model.options.seed = seed; }

Status Simulator::SetPolicy(size_t item, const InventoryPolicy& policy) {
  Model& m = impl_->model;
  if (item >= m.n()) {
    return Error::InvalidArgument(
        fmt::format("item = {}; must be < the number of items {}", item, m.n()));
  }
  const Status valid = policy.Validate();
  if (!valid.ok()) {
    return Error::InvalidArgument(
        fmt::format("{}: policy {}", Where(item, m.names[item]), valid.error().message));
  }
  ItemParams& p = m.items[item];
  p.rule = policy.Rule();
  p.review_period = policy.review_period;
  p.first_review = policy.kind == PolicyKind::kNone ? kNever : policy.review_offset;
  // An initial stock left to its default follows the policy.
  if (!p.initial_given) p.initial = std::max<int64_t>(0, policy.TargetLevel());
  return Status::Ok();
}

Result<Simulator> Simulator::Create(std::vector<ItemSpec> items, const SimOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  if (items.empty()) {
    return Error::InvalidArgument("items is empty; the simulation needs at least one item");
  }
  if (items.size() > static_cast<size_t>(INT32_MAX / 2)) {
    return Error::InvalidArgument(fmt::format("{} items; at most {}", items.size(), INT32_MAX / 2));
  }
  auto impl = std::make_unique<Simulator::Impl>();
  Model& m = impl->model;
  m.options = options;
  m.horizon = options.warmup_days + options.days;
  const size_t n = items.size();
  const int horizon = m.horizon;

  // Validate every item first, then compile.
  for (size_t i = 0; i < n; ++i) {
    const ItemSpec& it = items[i];
    const std::string where = Where(i, it.name);
    if (const Status s = it.policy.Validate(); !s.ok()) {
      return Error::InvalidArgument(fmt::format("{}: policy {}", where, s.error().message));
    }
    SC_RETURN_IF_ERROR(ValidateDemand(it.demand, horizon, where));
    if (const Status s = it.lead_time.Validate(); !s.ok()) {
      return Error::InvalidArgument(fmt::format("{}: {}", where, s.error().message));
    }
    if (it.shelf_life < 0) {
      return Error::InvalidArgument(fmt::format(
          "{}: shelf_life = {}; must be >= 0 days (0 = never expires)", where, it.shelf_life));
    }
    if (it.shelf_life > kMaxHorizon) {
      return Error::InvalidArgument(
          fmt::format("{}: shelf_life = {}; must be <= {}", where, it.shelf_life, kMaxHorizon));
    }
    if (it.initial_on_hand && *it.initial_on_hand < 0) {
      return Error::InvalidArgument(fmt::format("{}: initial_on_hand = {}; must be >= 0", where,
                                                *it.initial_on_hand));
    }
    SC_RETURN_IF_ERROR(ValidateCosts(it.costs, where));
    if (it.source != -1) {
      if (it.source < 0 || static_cast<size_t>(it.source) >= n) {
        return Error::InvalidArgument(fmt::format(
            "{}: source = {}; must be -1 (a supplier) or an item index in [0, {})", where,
            it.source, n));
      }
      if (static_cast<size_t>(it.source) == i) {
        return Error::InvalidArgument(
            fmt::format("{}: source = {}; an item cannot transfer to itself", where, it.source));
      }
      if (it.shelf_life > 0) {
        return Error::InvalidArgument(fmt::format(
            "{}: shelf_life = {} with a transfer source; not supported (transfers do not carry "
            "the age of their units)",
            where, it.shelf_life));
      }
    }
    std::vector<DisruptionWindow> w = it.disruptions;
    std::sort(w.begin(), w.end(), [](const DisruptionWindow& a, const DisruptionWindow& b) {
      return a.first_day < b.first_day;
    });
    for (size_t k = 0; k < w.size(); ++k) {
      if (w[k].first_day < 0 || w[k].last_day < w[k].first_day) {
        return Error::InvalidArgument(fmt::format(
            "{}: disruption window [{}, {}]; must have 0 <= first_day <= last_day", where,
            w[k].first_day, w[k].last_day));
      }
      if (static_cast<int64_t>(w[k].last_day) - w[k].first_day > kMaxHorizon) {
        return Error::InvalidArgument(fmt::format(
            "{}: disruption window [{}, {}] is longer than {} days", where, w[k].first_day,
            w[k].last_day, kMaxHorizon));
      }
      if (k > 0 && w[k].first_day <= w[k - 1].last_day) {
        return Error::InvalidArgument(fmt::format(
            "{}: disruption windows [{}, {}] and [{}, {}] overlap; merge them", where,
            w[k - 1].first_day, w[k - 1].last_day, w[k].first_day, w[k].last_day));
      }
    }
  }
  // Transfers must form a forest: following sources from any item reaches a supplier.
  std::vector<int32_t> depth(n, -1);
  for (size_t i = 0; i < n; ++i) {
    std::vector<size_t> path;
    size_t j = i;
    while (depth[j] < 0 && items[j].source >= 0) {
      if (std::find(path.begin(), path.end(), j) != path.end()) {
        std::string cycle;
        for (size_t p : path) cycle += fmt::format("{} -> ", p);
        return Error::InvalidArgument(fmt::format(
            "{}: transfer sources form a cycle {}{}; every chain must end at a supplier "
            "(source = -1)",
            Where(i, items[i].name), cycle, j));
      }
      path.push_back(j);
      j = static_cast<size_t>(items[j].source);
    }
    int32_t d = depth[j] >= 0 ? depth[j] : 0;
    depth[j] = d;
    for (auto p = path.rbegin(); p != path.rend(); ++p) depth[*p] = ++d;
  }

  // Compile.
  m.names.reserve(n);
  m.items.resize(n);
  m.day_params.push_back(0.0);  // offset 0: a harmless parameter for items without per-day data
  m.replay.push_back(0);
  for (size_t i = 0; i < n; ++i) {
    ItemSpec& it = items[i];
    ItemParams& p = m.items[i];
    m.names.push_back(it.name);
    p.rule = it.policy.Rule();
    p.review_period = it.policy.review_period;
    p.first_review = it.policy.kind == PolicyKind::kNone ? kNever : it.policy.review_offset;
    const DemandSource& d = it.demand;
    switch (d.kind) {
      case DemandSourceKind::kReplay:
        p.demand_mode = DemandMode::kReplay;
        p.replay_offset = static_cast<int64_t>(m.replay.size());
        for (int t = 0; t < horizon; ++t) {
          const double v = d.history[static_cast<size_t>(t)];
          m.replay.push_back(std::isnan(v) ? -1 : static_cast<int64_t>(v));
        }
        break;
      case DemandSourceKind::kStationary: {
        auto table = DemandTable(d.distribution);
        if (table) {
          p.demand_mode = DemandMode::kTable;
          p.demand_table = m.tables.Add(table->first, table->second);
          break;
        }
        // Too wide to tabulate: the direct samplers with the same parameters every day.
        const policy::DemandDistribution& dist = d.distribution;
        SC_ASSERT(dist.kind() != policy::DemandKind::kEmpirical);
        p.demand_mode = dist.kind() == policy::DemandKind::kPoisson  ? DemandMode::kPoisson
                        : dist.kind() == policy::DemandKind::kNormal ? DemandMode::kNormal
                                                                     : DemandMode::kNegBin;
        p.mean_offset = static_cast<int64_t>(m.day_params.size());
        m.day_params.push_back(dist.param1());
        p.param2_offset = static_cast<int64_t>(m.day_params.size());
        m.day_params.push_back(dist.param2());
        break;
      }
      case DemandSourceKind::kPerDay: {
        p.demand_mode = d.per_day_kind == policy::DemandKind::kPoisson  ? DemandMode::kPoisson
                        : d.per_day_kind == policy::DemandKind::kNormal ? DemandMode::kNormal
                                                                        : DemandMode::kNegBin;
        auto add = [&](const std::vector<double>& v, int64_t* offset, uint8_t* per_day) {
          if (v.empty()) return;
          *offset = static_cast<int64_t>(m.day_params.size());
          *per_day = v.size() > 1 ? 1 : 0;
          const size_t count = v.size() > 1 ? static_cast<size_t>(horizon) : 1;
          m.day_params.insert(m.day_params.end(), v.begin(),
                              v.begin() + static_cast<std::ptrdiff_t>(count));
        };
        add(d.mean, &p.mean_offset, &p.mean_per_day);
        add(d.param2, &p.param2_offset, &p.param2_per_day);
        break;
      }
    }
    const LeadTime& lt = it.lead_time;
    if (lt.fixed()) {
      p.lead_fixed = lt.days[0];
    } else {
      // Sorted support keeps the inversion monotone (a larger uniform, a longer lead time).
      std::vector<size_t> order(lt.days.size());
      for (size_t k = 0; k < order.size(); ++k) order[k] = k;
      std::sort(order.begin(), order.end(),
                [&](size_t a, size_t b) { return lt.days[a] < lt.days[b]; });
      std::vector<int64_t> days;
      std::vector<double> probs;
      for (size_t k : order) {
        days.push_back(lt.days[k]);
        probs.push_back(lt.probabilities[k]);
      }
      p.lead_table = m.tables.Add(days, probs);
    }
    p.cross = it.lead_times_cross ? 1 : 0;
    p.lost = it.shortage == ShortageMode::kLostSales ? 1 : 0;
    p.shelf_life = it.shelf_life;
    p.initial_given = it.initial_on_hand.has_value();
    p.initial = it.initial_on_hand.value_or(std::max<int64_t>(0, it.policy.TargetLevel()));
    p.costs = it.costs;
    std::vector<DisruptionWindow> w = it.disruptions;
    std::sort(w.begin(), w.end(), [](const DisruptionWindow& a, const DisruptionWindow& b) {
      return a.first_day < b.first_day;
    });
    int64_t longest = 0;
    for (const DisruptionWindow& x : w) {
      if (x.kind == DisruptionKind::kNoShipping) {
        longest = std::max<int64_t>(longest, static_cast<int64_t>(x.last_day) - x.first_day);
      }
    }
    p.window_offset = static_cast<int32_t>(m.windows.size());
    p.window_count = static_cast<int32_t>(w.size());
    m.windows.insert(m.windows.end(), w.begin(), w.end());
    p.source = it.source;
    // An order placed on day t arrives by t + (longest no_shipping window) + (longest lead
    // time); without overtaking it waits for the previous order, which obeys the same bound
    // from an earlier day. A ring with more slots than that never wraps onto a pending day.
    const int32_t ring = PowerOfTwoAbove(longest + lt.Max());
    p.ring_offset = m.ring_total;
    p.ring_mask = ring - 1;
    m.ring_total += ring;
    // Live batches were received on distinct days among the last N (plus the initial stock).
    const int32_t batches = it.shelf_life > 0 ? PowerOfTwoAbove(it.shelf_life + 1) : 1;
    p.batch_offset = m.batch_total;
    p.batch_mask = batches - 1;
    m.batch_total += batches;
  }
  // Transfer networks: items joined by sources form trees (rooted at an item supplied by a
  // supplier); each tree runs day by day on its own, so its state and tables stay in cache.
  std::vector<int32_t> root(n);
  std::vector<uint8_t> coupled(n, 0);
  for (size_t i = 0; i < n; ++i) {
    size_t j = i;
    while (items[j].source >= 0) j = static_cast<size_t>(items[j].source);
    root[i] = static_cast<int32_t>(j);
    if (items[i].source >= 0) coupled[i] = coupled[static_cast<size_t>(items[i].source)] = 1;
  }
  for (size_t i = 0; i < n; ++i) {
    if (coupled[i]) {
      m.coupled_items.push_back(static_cast<int32_t>(i));
    } else {
      m.independent_items.push_back(static_cast<int32_t>(i));
    }
  }
  std::stable_sort(m.coupled_items.begin(), m.coupled_items.end(), [&](int32_t a, int32_t b) {
    return root[static_cast<size_t>(a)] < root[static_cast<size_t>(b)];
  });
  m.coupled_slot.assign(n, -1);
  for (size_t k = 0; k < m.coupled_items.size(); ++k) {
    m.coupled_slot[static_cast<size_t>(m.coupled_items[k])] = static_cast<int32_t>(k);
    if (k == 0 || root[static_cast<size_t>(m.coupled_items[k])] !=
                      root[static_cast<size_t>(m.coupled_items[k - 1])]) {
      m.network_begin.push_back(static_cast<int32_t>(k));
    }
  }
  m.network_begin.push_back(static_cast<int32_t>(m.coupled_items.size()));
  // Within a network, reviews run deepest first: destinations before their sources.
  m.review_order = m.coupled_items;
  for (size_t g = 0; g + 1 < m.network_begin.size(); ++g) {
    std::stable_sort(m.review_order.begin() + m.network_begin[g],
                     m.review_order.begin() + m.network_begin[g + 1], [&](int32_t a, int32_t b) {
                       return depth[static_cast<size_t>(a)] > depth[static_cast<size_t>(b)];
                     });
  }
  return Simulator(std::move(impl));
}

SimResult Simulator::Run() const {
  const Model& m = impl_->model;
  const SimOptions& o = m.options;
  const size_t n = m.n();
  const int reps = o.replications;
  const int threads = std::min(ResolveThreads(o.threads), reps);

  SimResult result;
  result.replications = reps;
  result.days = o.days;
  result.warmup_days = o.warmup_days;
  result.simulated_item_days = static_cast<int64_t>(n) * m.horizon * reps;
  if (o.trajectory) {
    Trajectory tr;
    tr.num_items = static_cast<int>(n);
    tr.num_days = m.horizon;
    const size_t cells = n * static_cast<size_t>(m.horizon);
    for (auto* v : {&tr.on_hand, &tr.backorders, &tr.on_order, &tr.demand, &tr.filled,
                    &tr.received, &tr.ordered, &tr.expired}) {
      v->assign(cells, 0);
    }
    result.trajectory = std::move(tr);
  }

  std::vector<Workspace> workspaces(static_cast<size_t>(threads));
  std::vector<ReplicationOutput> outputs(static_cast<size_t>(threads));
  Accumulator total;
  std::vector<Accumulator> items(o.per_item ? n : 0);
  result.replication_totals.reserve(static_cast<size_t>(reps));
  for (int first = 0; first < reps; first += threads) {
    const int count = std::min(threads, reps - first);
    ParallelFor(static_cast<size_t>(count), threads, [&](size_t j) {
      const int r = first + static_cast<int>(j);
      Workspace& w = workspaces[j];
      w.trajectory = r == 0 && result.trajectory ? &*result.trajectory : nullptr;
      w.order_log = r == 0 && o.trajectory ? &result.order_log : nullptr;
      RunReplication(m, w, o.seed, r);
      w.trajectory = nullptr;
      w.order_log = nullptr;
      Summarise(m, w, o.per_item, outputs[j]);
    });
    // Fold in replication order: the result does not depend on the thread count.
    for (int j = 0; j < count; ++j) {
      const int k = first + j + 1;
      const ReplicationOutput& out = outputs[static_cast<size_t>(j)];
      total.Add(out.total, k);
      for (size_t i = 0; i < items.size(); ++i) items[i].Add(out.items[i], k);
      result.replication_totals.push_back(out.total);
    }
  }
  const double t = reps > 1 ? forecast::StudentTQuantile(reps - 1, 0.5 + o.confidence / 2)
                            : std::numeric_limits<double>::quiet_NaN();
  result.total = total.Estimates(reps, t);
  result.items.reserve(items.size());
  for (const Accumulator& a : items) result.items.push_back(a.Estimates(reps, t));
  return result;
}

Result<SimResult> Simulate(std::vector<ItemSpec> items, const SimOptions& options) {
  SC_ASSIGN_OR_RETURN(Simulator sim, Simulator::Create(std::move(items), options));
  return sim.Run();
}

}  // namespace stockcast::sim
