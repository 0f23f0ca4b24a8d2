// Inventory simulator throughput in SKU-days per second (items_per_second), one core.
//
// BM_SimBaseStockPoisson is the speed goal (>= 50 million SKU-days/s): 10,000 items x 365 days,
// stationary Poisson demand (means 0.5 .. 20), base stock at the 95 % quantile of lead-time
// demand, fixed lead times of 1 .. 14 days, backorders, no trajectory. The other kernels are
// peers in the same process, so their ratio to it is what to read on a shared machine:
//   PerDayPoisson   the same items with a per-day mean (direct Poisson draws, no table)
//   Features        (s, S) with lost sales, a 20-day shelf life, sampled lead times and a
//                   no-shipping window
//   Transfers       half the items replenish from a warehouse item (the day-by-day path)
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "stockcast/forecast/distribution.h"
#include "stockcast/sim/simulator.h"

namespace {

using namespace stockcast;

constexpr int kItems = 10'000;
constexpr int kDays = 365;

double MeanOf(int i) { return 0.5 + (i * 37 % 40) * 0.5; }
int LeadOf(int i) { return 1 + i % 14; }

sim::ItemSpec BaseItem(int i) {
  sim::ItemSpec it;
  const double mean = MeanOf(i);
  const int lead = LeadOf(i);
  it.policy = sim::InventoryPolicy::BaseStock(
      static_cast<int64_t>(forecast::PoissonQuantile(mean * lead, 0.95)));
  it.demand = sim::DemandSource::Stationary(*policy::DemandDistribution::Poisson(mean));
  it.lead_time = sim::LeadTime::Fixed(lead);
  it.costs = {.ordering = 0, .purchase = 1, .holding = 0.01, .shortage = 0.5, .expiry = 0};
  return it;
}

sim::SimOptions Options() {
  sim::SimOptions o;
  o.days = kDays;
  o.replications = 1;
  o.threads = 1;
  return o;
}

void RunBench(benchmark::State& state, std::vector<sim::ItemSpec> items) {
  auto sim = sim::Simulator::Create(std::move(items), Options());
  if (!sim.ok()) {
    state.SkipWithError(Describe(sim.error()).c_str());
    return;
  }
  int64_t item_days = 0;
  for (auto _ : state) {
    const sim::SimResult r = sim->Run();
    benchmark::DoNotOptimize(r.total[sim::Metric::kTotalCost].mean);
    item_days += r.simulated_item_days;
  }
  state.SetItemsProcessed(item_days);
}

void BM_SimBaseStockPoisson(benchmark::State& state) {
  std::vector<sim::ItemSpec> items;
  for (int i = 0; i < kItems; ++i) items.push_back(BaseItem(i));
  RunBench(state, std::move(items));
}
BENCHMARK(BM_SimBaseStockPoisson)->Unit(benchmark::kMillisecond);

void BM_SimPerDayPoisson(benchmark::State& state) {
  std::vector<sim::ItemSpec> items;
  for (int i = 0; i < kItems; ++i) {
    sim::ItemSpec it = BaseItem(i);
    it.demand = sim::DemandSource::PerDay(policy::DemandKind::kPoisson,
                                          std::vector<double>(kDays, MeanOf(i)));
    items.push_back(std::move(it));
  }
  RunBench(state, std::move(items));
}
BENCHMARK(BM_SimPerDayPoisson)->Unit(benchmark::kMillisecond);

void BM_SimFeatures(benchmark::State& state) {
  std::vector<sim::ItemSpec> items;
  for (int i = 0; i < kItems; ++i) {
    sim::ItemSpec it = BaseItem(i);
    const int64_t s = it.policy.order_up_to;
    it.policy = sim::InventoryPolicy::SS(s, s + static_cast<int64_t>(5 * MeanOf(i)) + 1);
    it.shortage = sim::ShortageMode::kLostSales;
    it.shelf_life = 20;
    it.lead_time = sim::LeadTime::Discrete({LeadOf(i), LeadOf(i) + 3}, {0.7, 0.3});
    it.disruptions = {{.first_day = 30, .last_day = 44, .kind = sim::DisruptionKind::kNoShipping}};
    items.push_back(std::move(it));
  }
  RunBench(state, std::move(items));
}
BENCHMARK(BM_SimFeatures)->Unit(benchmark::kMillisecond);

void BM_SimTransfers(benchmark::State& state) {
  std::vector<sim::ItemSpec> items;
  for (int i = 0; i < kItems; ++i) {
    sim::ItemSpec it = BaseItem(i);
    if (i % 2 == 1) {
      it.source = i - 1;  // a store replenished from the warehouse item before it
      it.lead_time = sim::LeadTime::Fixed(1);
    } else {
      it.policy = sim::InventoryPolicy::BaseStock(3 * it.policy.order_up_to);
    }
    items.push_back(std::move(it));
  }
  RunBench(state, std::move(items));
}
BENCHMARK(BM_SimTransfers)->Unit(benchmark::kMillisecond);

}  // namespace
