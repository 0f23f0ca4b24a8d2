#include "stockcast/sim/walk_forward.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>

#include <fmt/format.h>

#include "stockcast/core/parallel.h"
#include "stockcast/sim/random.h"

namespace stockcast::sim {
namespace {

std::string Where(size_t i, const std::string& name) {
  return name.empty() ? fmt::format("items[{}]", i) : fmt::format("items[{}] ({})", i, name);
}

Status ValidateItem(size_t i, const WalkForwardItem& item, int days) {
  const std::string where = Where(i, item.name);
  if (item.demand.size() < static_cast<size_t>(days)) {
    return Error::InvalidArgument(fmt::format("{}: demand has {} days; must have >= days = {}",
                                              where, item.demand.size(), days));
  }
  for (size_t t = 0; t < static_cast<size_t>(days); ++t) {
    const double d = item.demand[t];
    if (std::isnan(d)) continue;
    if (!std::isfinite(d) || d < 0.0 || d != std::floor(d)) {
      return Error::InvalidArgument(fmt::format(
          "{}: demand[{}] = {}; must be a whole number >= 0 or NaN (unknown)", where, t, d));
    }
  }
  Status lead = item.lead_time.Validate();
  if (!lead.ok()) {
    return Error::InvalidArgument(fmt::format("{}: {}", where, lead.error().message));
  }
  const ItemCosts& c = item.costs;
  const std::pair<const char*, double> costs[] = {{"ordering", c.ordering},
                                                  {"purchase", c.purchase},
                                                  {"holding", c.holding},
                                                  {"shortage", c.shortage}};
  for (const auto& [name, value] : costs) {
    if (!(value >= 0.0) || !std::isfinite(value)) {
      return Error::InvalidArgument(
          fmt::format("{}: costs.{} = {}; must be finite and >= 0", where, name, value));
    }
  }
  if (item.initial_on_hand < 0) {
    return Error::InvalidArgument(
        fmt::format("{}: initial_on_hand = {}; must be >= 0", where, item.initial_on_hand));
  }
  if (item.review_period_days < 1) {
    return Error::InvalidArgument(fmt::format("{}: review_period_days = {}; must be >= 1", where,
                                              item.review_period_days));
  }
  if (item.first_review_day < 0) {
    return Error::InvalidArgument(
        fmt::format("{}: first_review_day = {}; must be >= 0", where, item.first_review_day));
  }
  return Status::Ok();
}

struct Counts {
  int64_t demand = 0, filled = 0, backorders_filled = 0, lost = 0, stockout_days = 0,
          unknown_days = 0, cycles = 0, stockout_cycles = 0, orders = 0, units_ordered = 0,
          units_received = 0, on_hand_days = 0, backorder_days = 0;
};

WalkForwardMetrics MetricsOf(const Counts& k, const ItemCosts& c, int days) {
  WalkForwardMetrics m;
  const auto d = [](int64_t x) { return static_cast<double>(x); };
  m.days = days;
  m.demand = d(k.demand);
  m.filled = d(k.filled);
  m.backorders_filled = d(k.backorders_filled);
  m.lost_units = d(k.lost);
  m.cycles = d(k.cycles);
  m.stockout_cycles = d(k.stockout_cycles);
  m.stockout_days = d(k.stockout_days);
  m.unknown_days = d(k.unknown_days);
  m.average_on_hand = d(k.on_hand_days) / days;
  m.average_backorders = d(k.backorder_days) / days;
  m.orders = d(k.orders);
  m.units_ordered = d(k.units_ordered);
  m.units_received = d(k.units_received);
  m.holding_cost = c.holding * d(k.on_hand_days);
  m.ordering_cost = c.ordering * d(k.orders);
  // One of lost / backorder_days is 0: p per unit lost or per unit-day backordered.
  m.shortage_cost = c.shortage * d(k.lost + k.backorder_days);
  m.purchase_cost = c.purchase * d(k.units_ordered);
  m.total_cost = m.holding_cost + m.ordering_cost + m.shortage_cost + m.purchase_cost;
  m.fill_rate = k.demand > 0 ? m.filled / m.demand : 1.0;
  m.cycle_service_level = k.cycles > 0 ? 1.0 - m.stockout_cycles / m.cycles : 1.0;
  m.turnover = m.average_on_hand > 0 ? (m.filled + m.backorders_filled) / m.average_on_hand : 0.0;
  return m;
}

// One item through all its days.
WalkForwardMetrics RunItem(size_t i, const WalkForwardItem& item, const WalkForwardOptions& o,
                           const DecideFn& decide) {
  const int days = o.days;
  // Pre-drawn lead time of an order placed on each day (common random numbers).
  std::vector<int> lead(static_cast<size_t>(days), item.lead_time.days.front());
  if (!item.lead_time.fixed()) {
    std::vector<double> cum;
    double acc = 0.0;
    for (double p : item.lead_time.probabilities) cum.push_back(acc += p);
    Rng rng = Rng::ForStream(o.seed, static_cast<uint64_t>(i));
    for (int& l : lead) {
      const double u = rng.Uniform() * acc;
      size_t k = 0;
      while (k + 1 < cum.size() && u >= cum[k]) ++k;
      l = item.lead_time.days[k];
    }
  }
  const int max_lead = item.lead_time.Max();
  std::vector<int64_t> arriving(static_cast<size_t>(days) + static_cast<size_t>(max_lead) + 2, 0);

  Counts k;
  int64_t on_hand = item.initial_on_hand, on_order = 0, backorders = 0;
  int last_arrival = 0;
  int cycle_days = 0;
  bool cycle_stockout = false;
  const auto close_cycle = [&]() {
    if (cycle_days == 0) return;
    ++k.cycles;
    k.stockout_cycles += cycle_stockout ? 1 : 0;
    cycle_days = 0;
    cycle_stockout = false;
  };
  const bool lost = item.shortage == ShortageMode::kLostSales;
  for (int t = 0; t < days; ++t) {
    // 1. receipts
    const int64_t received = arriving[static_cast<size_t>(t)];
    if (received > 0) {
      on_hand += received;
      on_order -= received;
      k.units_received += received;
      close_cycle();
    }
    // 2. demand, backorders first
    if (backorders > 0) {
      const int64_t x = std::min(backorders, on_hand);
      backorders -= x;
      on_hand -= x;
      k.backorders_filled += x;
    }
    const double dv = item.demand[static_cast<size_t>(t)];
    int64_t demand = 0;
    if (std::isnan(dv)) {
      ++k.unknown_days;
    } else {
      demand = static_cast<int64_t>(dv);
    }
    const int64_t filled = std::min(demand, on_hand);
    on_hand -= filled;
    const int64_t short_units = demand - filled;
    k.demand += demand;
    k.filled += filled;
    if (lost) {
      k.lost += short_units;
    } else {
      backorders += short_units;
    }
    k.stockout_days += short_units > 0 ? 1 : 0;
    cycle_stockout = cycle_stockout || short_units > 0;
    ++cycle_days;
    // 3. costs (counted; priced at the end)
    k.on_hand_days += on_hand;
    k.backorder_days += backorders;
    // 4. review
    if (t >= item.first_review_day && (t - item.first_review_day) % item.review_period_days == 0) {
      ItemStateView view;
      view.on_hand = on_hand;
      view.on_order = on_order;
      view.backorders = backorders;
      view.inventory_position = on_hand + on_order - backorders;
      const double q = decide(i, t, view);
      if (std::isfinite(q) && q > 0.0) {
        const int64_t units = std::llround(q);
        if (units > 0) {
          int arrival = t + lead[static_cast<size_t>(t)];
          if (!item.lead_times_cross) arrival = std::max(arrival, last_arrival);
          last_arrival = arrival;
          if (arrival < static_cast<int>(arriving.size())) {
            arriving[static_cast<size_t>(arrival)] += units;
          }
          on_order += units;
          ++k.orders;
          k.units_ordered += units;
        }
      }
    }
  }
  close_cycle();
  return MetricsOf(k, item.costs, days);
}

}  // namespace

Status WalkForwardOptions::Validate() const {
  if (days < 1) return Error::InvalidArgument(fmt::format("days = {}; must be >= 1", days));
  if (threads < 0) {
    return Error::InvalidArgument(
        fmt::format("threads = {}; must be >= 0 (0 = every hardware thread)", threads));
  }
  return Status::Ok();
}

WalkForwardMetrics SumMetrics(const std::vector<WalkForwardMetrics>& items, int days) {
  WalkForwardMetrics t;
  t.days = days;
  for (const WalkForwardMetrics& m : items) {
    t.demand += m.demand;
    t.filled += m.filled;
    t.backorders_filled += m.backorders_filled;
    t.lost_units += m.lost_units;
    t.cycles += m.cycles;
    t.stockout_cycles += m.stockout_cycles;
    t.stockout_days += m.stockout_days;
    t.unknown_days += m.unknown_days;
    t.average_on_hand += m.average_on_hand;
    t.average_backorders += m.average_backorders;
    t.orders += m.orders;
    t.units_ordered += m.units_ordered;
    t.units_received += m.units_received;
    t.holding_cost += m.holding_cost;
    t.ordering_cost += m.ordering_cost;
    t.shortage_cost += m.shortage_cost;
    t.purchase_cost += m.purchase_cost;
    t.total_cost += m.total_cost;
  }
  t.fill_rate = t.demand > 0 ? t.filled / t.demand : 1.0;
  t.cycle_service_level = t.cycles > 0 ? 1.0 - t.stockout_cycles / t.cycles : 1.0;
  t.turnover = t.average_on_hand > 0 ? (t.filled + t.backorders_filled) / t.average_on_hand : 0.0;
  return t;
}

Result<WalkForwardResult> RunWalkForward(const std::vector<WalkForwardItem>& items,
                                         const WalkForwardOptions& options, const DecideFn& decide,
                                         const ProgressFn& progress) {
  SC_RETURN_IF_ERROR(options.Validate());
  if (!decide) return Error::InvalidArgument("decide is empty; a decision function is required");
  for (size_t i = 0; i < items.size(); ++i) {
    SC_RETURN_IF_ERROR(ValidateItem(i, items[i], options.days));
  }
  WalkForwardResult result;
  result.days = options.days;
  result.items.resize(items.size());
  std::atomic<size_t> done{0};
  std::mutex progress_mutex;
  ParallelFor(items.size(), options.threads, [&](size_t i) {
    result.items[i] = RunItem(i, items[i], options, decide);
    const size_t d = done.fetch_add(1) + 1;
    if (progress) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      ReportProgress(progress, "simulating", static_cast<double>(d) / items.size());
    }
  });
  result.total = SumMetrics(result.items, options.days);
  return result;
}

}  // namespace stockcast::sim
