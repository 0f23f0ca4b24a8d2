#include "stockcast/sim/simulator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "stockcast/policy/lost_sales.h"
#include "stockcast/policy/stochastic_review.h"

namespace stockcast::sim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

policy::DemandDistribution Dist(const char* spec) {
  auto d = policy::DemandDistribution::Parse(spec);
  EXPECT_TRUE(d.ok()) << spec;
  return std::move(d).value();
}

ItemSpec Item(const char* demand, InventoryPolicy policy, int lead_time) {
  ItemSpec it;
  it.name = "A";
  it.policy = policy;
  it.demand = DemandSource::Stationary(Dist(demand));
  it.lead_time = LeadTime::Fixed(lead_time);
  return it;
}

SimResult SimRun(std::vector<ItemSpec> items, const SimOptions& o) {
  auto r = Simulate(std::move(items), o);
  EXPECT_TRUE(r.ok()) << Describe(r.error());
  return r.ok() ? std::move(r).value() : SimResult{};
}

std::string Message(std::vector<ItemSpec> items, const SimOptions& o = {}) {
  auto r = Simulator::Create(std::move(items), o);
  return r.ok() ? std::string("ok") : r.error().message;
}

// The theory value must lie in the simulation's confidence interval, and the interval must be
// narrow enough for the check to mean something.
void ExpectInInterval(const Estimate& e, double theory, double max_half_width,
                      const char* what) {
  std::printf("  %-28s theory %.5f  simulated %.5f +- %.5f\n", what, theory, e.mean,
              e.half_width);
  EXPECT_TRUE(e.Contains(theory)) << what << ": theory " << theory << " outside [" << e.low()
                                  << ", " << e.high() << "]";
  EXPECT_LT(e.half_width, max_half_width) << what;
}

// ---- theory ----------------------------------------------------------------------------------

// Base stock S = 18, Poisson(5) per day, lead time L = 3 days, backorders. With the
// simulator's convention (ordered at the end of day t, received at the start of day t + L) the
// end-of-day net inventory is S - D^(3), D^(3) ~ Poisson(15), and the stock available to day
// t's demand after its receipt is S - D^(2):
//   E[on hand] = E[(S - D^(3))+],  E[backorders] = E[(D^(3) - S)+],
//   fill rate = 1 - (E[(D^(3) - S)+] - E[(D^(2) - S)+]) / 5,
//   ready rate = P(D^(3) <= S - 1),
//   P(stockout day) = P(D^(2) + D > S, D >= 1) = P(D^(3) > S) - e^-5 P(D^(2) > S).
TEST(SimulatorTheory, BaseStockPoissonBackorders) {
  const double lambda = 5;
  const int lead = 3;
  const int64_t s = 18;
  const auto d3 = Dist("poisson:15");
  const auto d2 = Dist("poisson:10");
  const double on_hand = d3.ComplementaryLoss(s);
  const double backorders = d3.Loss(s);
  const double fill = 1 - (d3.Loss(s) - d2.Loss(s)) / lambda;
  const double ready = d3.Cdf(s - 1);
  const double stockout = (1 - d3.Cdf(s)) - std::exp(-lambda) * (1 - d2.Cdf(s));
  // The same numbers from the policy library with L_policy = L - 1.
  policy::PeriodicReviewOptions po;
  po.holding_cost = 1;
  po.backorder_cost = 4;
  po.lead_time = lead - 1;
  auto lib = policy::EvaluateBaseStock(Dist("poisson:5"), static_cast<double>(s), po);
  ASSERT_TRUE(lib.ok()) << Describe(lib.error());
  EXPECT_NEAR(lib->expected_on_hand, on_hand, 1e-9);
  EXPECT_NEAR(lib->expected_backorders, backorders, 1e-9);
  EXPECT_NEAR(lib->in_stock_probability, d3.Cdf(s), 1e-9);

  ItemSpec it = Item("poisson:5", InventoryPolicy::BaseStock(s), lead);
  it.costs.holding = 1;
  it.costs.shortage = 4;
  SimOptions o;
  o.days = 10000;
  o.warmup_days = 50;
  o.replications = 20;
  o.seed = 7;
  const SimResult r = SimRun({it}, o);
  std::printf("base stock S = 18, Poisson(5), L = 3:\n");
  ExpectInInterval(r.total[Metric::kFillRate], fill, 0.004, "fill rate");
  ExpectInInterval(r.total[Metric::kAverageOnHand], on_hand, 0.05, "average on hand");
  ExpectInInterval(r.total[Metric::kAverageBackorders], backorders, 0.02, "average backorders");
  ExpectInInterval(r.total[Metric::kReadyRate], ready, 0.01, "ready rate");
  Estimate per_day = r.total[Metric::kStockoutDays];
  per_day.mean /= o.days;
  per_day.half_width /= o.days;
  ExpectInInterval(per_day, stockout, 0.01, "stockout days / days");
  ExpectInInterval(r.total[Metric::kCostPerDay], lib->expected_cost, 0.05, "cost per day");
  // Every unit demanded is eventually shipped; orders replace demand one for one.
  EXPECT_NEAR(r.total[Metric::kUnitsOrdered].mean, r.total[Metric::kDemand].mean,
              2 * s + 1);
}

// Zheng & Federgruen (1991) / Snyder & Shen ch. 4: Poisson(6), h = 1, p = 4, K = 5 and
// (s, S) = (4, 10) cost 8.0341 per period with the policy library's timing (order at the start
// of a period, lead time 0, costs on end-of-period stock and backorders). The simulator's
// review at the end of day t with L = 1 is that order, its holding on end-of-day on hand and
// shortage cost per unit-day backordered are that period cost, K per order the setup cost,
// and the purchase cost is 0: its cost per day estimates c(s, S).
TEST(SimulatorTheory, ZhengFedergruenSS) {
  policy::PeriodicReviewOptions po;
  po.holding_cost = 1;
  po.backorder_cost = 4;
  po.fixed_cost = 5;
  po.lead_time = 0;
  auto zf = policy::EvaluateSS(Dist("poisson:6"), 4, 10, po);
  ASSERT_TRUE(zf.ok()) << Describe(zf.error());
  EXPECT_NEAR(zf->expected_cost, 8.0341, 5e-5);

  ItemSpec it = Item("poisson:6", InventoryPolicy::SS(4, 10), 1);
  it.costs = {.ordering = 5, .purchase = 0, .holding = 1, .shortage = 4, .expiry = 0};
  SimOptions o;
  o.days = 10000;
  o.warmup_days = 20;
  o.replications = 20;
  o.seed = 11;
  const SimResult r = SimRun({it}, o);
  std::printf("(s, S) = (4, 10), Poisson(6), h = 1, p = 4, K = 5, L = 1 (policy L = 0):\n");
  ExpectInInterval(r.total[Metric::kCostPerDay], zf->expected_cost, 0.05, "cost per day");
  Estimate ordering = r.total[Metric::kOrderingCost];
  ordering.mean /= o.days;
  ordering.half_width /= o.days;
  ExpectInInterval(ordering, zf->ordering_cost, 0.02, "ordering cost per day");
  Estimate orders = r.total[Metric::kOrders];
  orders.mean /= o.days;
  orders.half_width /= o.days;
  ExpectInInterval(orders, zf->order_frequency, 0.005, "orders per day");
}

// Lost sales, Poisson(5), h = 1, p = 4, policy lead time 1 (Zipkin 2008): the best base-stock
// level of policy/lost_sales.h and its exact long-run cost. The library orders at the start of
// period t and receives at the start of t + 1, i.e. the simulator's review at the end of day
// t - 1 with L = 2; costs are h on end-of-day stock and p per unit lost in both.
TEST(SimulatorTheory, LostSalesBaseStock) {
  policy::LostSalesOptions lo;
  lo.holding_cost = 1;
  lo.lost_sale_cost = 4;
  lo.lead_time = 1;
  auto best = policy::SolveLostSales(Dist("poisson:5"), lo);
  ASSERT_TRUE(best.ok()) << Describe(best.error());
  const int64_t s = best->base_stock_level;
  auto exact = policy::EvaluateLostSalesBaseStock(Dist("poisson:5"), lo, s);
  ASSERT_TRUE(exact.ok());
  EXPECT_NEAR(*exact, best->base_stock_cost, 1e-7);

  ItemSpec it = Item("poisson:5", InventoryPolicy::BaseStock(s), 2);
  it.shortage = ShortageMode::kLostSales;
  it.costs.holding = 1;
  it.costs.shortage = 4;
  SimOptions o;
  o.days = 10000;
  o.warmup_days = 20;
  o.replications = 20;
  o.seed = 5;
  const SimResult r = SimRun({it}, o);
  std::printf("lost sales, Poisson(5), h = 1, p = 4, best base stock S = %lld:\n",
              static_cast<long long>(s));
  ExpectInInterval(r.total[Metric::kCostPerDay], *exact, 0.05, "cost per day");
  EXPECT_EQ(r.total[Metric::kAverageBackorders].mean, 0.0);
  EXPECT_GT(r.total[Metric::kLostUnits].mean, 0.0);
  // Lost units + filled = demand.
  EXPECT_NEAR(r.total[Metric::kLostUnits].mean + r.total[Metric::kFilled].mean,
              r.total[Metric::kDemand].mean, 1e-6);
}

// ---- determinism -----------------------------------------------------------------------------

std::vector<ItemSpec> MixedItems() {
  std::vector<ItemSpec> items;
  items.push_back(Item("poisson:4", InventoryPolicy::BaseStock(14), 2));
  items.push_back(Item("negbin:3,1.5", InventoryPolicy::SS(6, 20), 3));
  ItemSpec rq = Item("normal:8,3", InventoryPolicy::RQ(20, 15), 2);
  rq.lead_time = LeadTime::Discrete({1, 2, 5}, {0.3, 0.5, 0.2});
  rq.shortage = ShortageMode::kLostSales;
  items.push_back(rq);
  ItemSpec fresh = Item("pmf:0:0.3,2:0.4,5:0.3", InventoryPolicy::RS(3, 20, 1), 2);
  fresh.shelf_life = 6;
  items.push_back(fresh);
  for (ItemSpec& it : items) {
    it.costs = {.ordering = 3, .purchase = 1, .holding = 0.1, .shortage = 2, .expiry = 0.5};
  }
  return items;
}

TEST(Simulator, DeterministicBySeedAndThreadCount) {
  SimOptions o;
  o.days = 200;
  o.warmup_days = 10;
  o.replications = 6;
  o.seed = 99;
  const SimResult a = SimRun(MixedItems(), o);
  const SimResult b = SimRun(MixedItems(), o);
  EXPECT_EQ(a.total, b.total);
  EXPECT_EQ(a.items, b.items);
  EXPECT_EQ(a.replication_totals, b.replication_totals);
  // Threads change the wall time only.
  o.threads = 2;
  const SimResult c = SimRun(MixedItems(), o);
  EXPECT_EQ(a.total, c.total);
  EXPECT_EQ(a.items, c.items);
  // Another seed, other numbers; replications differ from each other.
  o.seed = 100;
  const SimResult d = SimRun(MixedItems(), o);
  EXPECT_NE(a.total[Metric::kDemand].mean, d.total[Metric::kDemand].mean);
  EXPECT_NE(a.replication_totals[0], a.replication_totals[1]);
  // Create once, run twice: the same; SetSeed reproduces the other run.
  auto sim = Simulator::Create(MixedItems(), o);
  ASSERT_TRUE(sim.ok());
  EXPECT_EQ(sim->Run().total, d.total);
  sim->SetSeed(99);
  EXPECT_EQ(sim->Run().total, a.total);
}

TEST(Simulator, ItemsDoNotDependOnOtherItemsOrPaths) {
  SimOptions o;
  o.days = 300;
  o.replications = 3;
  const SimResult alone = SimRun({MixedItems()[1]}, o);
  // The same item next to others: identical numbers (its own random streams).
  std::vector<ItemSpec> two = {MixedItems()[1], MixedItems()[0]};
  const SimResult with = SimRun(two, o);
  EXPECT_EQ(with.items[0], alone.items[0]);
  // The same item as the source of a transfer network whose destination never orders: it now
  // runs on the day-by-day path and must give the same numbers.
  ItemSpec store = Item("poisson:2", InventoryPolicy::None(), 1);
  store.source = 0;
  const SimResult network = SimRun({MixedItems()[1], store}, o);
  EXPECT_EQ(network.items[0], alone.items[0]);
  EXPECT_EQ(network.items[1][Metric::kUnitsReceived].mean, 0.0);
}

TEST(Simulator, SetPolicyChangesOnlyThatItem) {
  SimOptions o;
  o.days = 200;
  o.replications = 2;  // with one, the NaN half widths would never compare equal
  auto sim = Simulator::Create(MixedItems(), o);
  ASSERT_TRUE(sim.ok());
  const SimResult before = sim->Run();
  ASSERT_TRUE(sim->SetPolicy(0, InventoryPolicy::BaseStock(30)).ok());
  const SimResult after = sim->Run();
  EXPECT_EQ(after.items[1], before.items[1]);
  // Common random numbers: the same demand, more stock.
  EXPECT_EQ(after.items[0][Metric::kDemand].mean, before.items[0][Metric::kDemand].mean);
  EXPECT_GT(after.items[0][Metric::kAverageOnHand].mean,
            before.items[0][Metric::kAverageOnHand].mean);
  EXPECT_EQ(sim->SetPolicy(9, InventoryPolicy::None()).error().message,
            "item = 9; must be < the number of items 4");
  EXPECT_EQ(sim->SetPolicy(0, InventoryPolicy::SS(5, 5)).error().message,
            "items[0] (A): policy ss: reorder_point s = 5; must be < order_up_to S = 5");
}

// ---- hand-checked replay ---------------------------------------------------------------------

// (s, S) = (3, 10), L = 2, initial stock 10, backorders; K = 20, c = 2, h = 1, p = 5.
// Day  recv  demand  filled  BO filled  EOD on hand  EOD BO  IP at review  order (arrives)
//  0     0      4       4        0          6          0         6            -
//  1     0      3       3        0          3          0         3            7 (day 3)
//  2     0      5       3        0          0          2         5            -
//  3     7      0       0        2          5          0         5            -
//  4     0      6       5        0          0          1        -1           11 (day 6)
//  5     0      2       0        0          0          3         8            -
//  6    11    NaN       0        3          8          0         8            -
//  7     0      7       7        0          1          0         1            9 (day 9)
//  8     0      1       1        0          0          0         9            -
//  9     9      3       3        0          6          0         6            -
// demand 31, filled 26 (fill rate 26/31), backorders filled 5, stockout days 2, 4, 5;
// on hand 29 unit-days (average 2.9, 6 days with stock), backorders 6 unit-days (0.6);
// 3 orders of 27 units. Costs: holding 29, ordering 60, shortage 5 x 6 = 30, purchase 54,
// total 173 (17.3 per day). Cycles start on day 0 and at the receipts of days 3, 6, 9:
// {0-2} and {3-5} have stockouts, {6-8} and {9} not: cycle service 2 / 4. Turnover = served
// (26 + 5) / 2.9.
TEST(Simulator, ReplayWorkedByHand) {
  ItemSpec it;
  it.name = "hand";
  it.policy = InventoryPolicy::SS(3, 10);
  it.demand = DemandSource::Replay({4, 3, 5, 0, 6, 2, kNaN, 7, 1, 3});
  it.lead_time = LeadTime::Fixed(2);
  it.costs = {.ordering = 20, .purchase = 2, .holding = 1, .shortage = 5, .expiry = 0};
  SimOptions o;
  o.days = 10;
  o.trajectory = true;
  const SimResult r = SimRun({it}, o);
  const MetricEstimates& m = r.items[0];
  auto v = [&](Metric k) { return m[k].mean; };
  EXPECT_EQ(v(Metric::kDemand), 31);
  EXPECT_EQ(v(Metric::kFilled), 26);
  EXPECT_DOUBLE_EQ(v(Metric::kFillRate), 26.0 / 31);
  EXPECT_EQ(v(Metric::kStockoutDays), 3);
  EXPECT_DOUBLE_EQ(v(Metric::kReadyRate), 0.6);
  EXPECT_DOUBLE_EQ(v(Metric::kAverageOnHand), 2.9);
  EXPECT_DOUBLE_EQ(v(Metric::kAverageBackorders), 0.6);
  EXPECT_EQ(v(Metric::kLostUnits), 0);
  EXPECT_EQ(v(Metric::kOrders), 3);
  EXPECT_EQ(v(Metric::kUnitsOrdered), 27);
  EXPECT_EQ(v(Metric::kUnitsReceived), 27);
  EXPECT_EQ(v(Metric::kHoldingCost), 29);
  EXPECT_EQ(v(Metric::kOrderingCost), 60);
  EXPECT_EQ(v(Metric::kShortageCost), 30);
  EXPECT_EQ(v(Metric::kPurchaseCost), 54);
  EXPECT_EQ(v(Metric::kExpiryCost), 0);
  EXPECT_EQ(v(Metric::kTotalCost), 173);
  EXPECT_DOUBLE_EQ(v(Metric::kCostPerDay), 17.3);
  EXPECT_DOUBLE_EQ(v(Metric::kCycleServiceLevel), 0.5);
  EXPECT_DOUBLE_EQ(v(Metric::kTurnover), 31 / 2.9);
  EXPECT_EQ(v(Metric::kUnknownDays), 1);
  // One replication: no interval.
  EXPECT_TRUE(std::isnan(m[Metric::kDemand].half_width));
  for (int k = 0; k < kNumMetrics; ++k) EXPECT_EQ(r.total.values[k].mean, m.values[k].mean);

  ASSERT_TRUE(r.trajectory.has_value());
  const Trajectory& tr = *r.trajectory;
  auto series = [&](const std::vector<int64_t>& s) {
    std::vector<int64_t> out;
    for (int t = 0; t < tr.num_days; ++t) out.push_back(tr.At(s, 0, t));
    return out;
  };
  EXPECT_EQ(series(tr.on_hand), (std::vector<int64_t>{6, 3, 0, 5, 0, 0, 8, 1, 0, 6}));
  EXPECT_EQ(series(tr.backorders), (std::vector<int64_t>{0, 0, 2, 0, 1, 3, 0, 0, 0, 0}));
  EXPECT_EQ(series(tr.on_order), (std::vector<int64_t>{0, 7, 7, 0, 11, 11, 0, 9, 9, 0}));
  EXPECT_EQ(series(tr.demand), (std::vector<int64_t>{4, 3, 5, 0, 6, 2, -1, 7, 1, 3}));
  EXPECT_EQ(series(tr.filled), (std::vector<int64_t>{4, 3, 3, 0, 5, 0, 0, 7, 1, 3}));
  EXPECT_EQ(series(tr.received), (std::vector<int64_t>{0, 0, 0, 7, 0, 0, 11, 0, 0, 9}));
  EXPECT_EQ(series(tr.ordered), (std::vector<int64_t>{0, 7, 0, 0, 11, 0, 0, 9, 0, 0}));
  ASSERT_EQ(r.order_log.size(), 3u);
  EXPECT_EQ(r.order_log[1].placed_day, 4);
  EXPECT_EQ(r.order_log[1].arrival_day, 6);
  EXPECT_EQ(r.order_log[1].quantity, 11);
}

TEST(Simulator, WarmupDaysAreNotMeasured) {
  ItemSpec it;
  it.policy = InventoryPolicy::None();
  it.initial_on_hand = 100;
  it.demand = DemandSource::Replay({50, 40, 1, 2, 3});
  SimOptions o;
  o.days = 3;
  o.warmup_days = 2;
  const SimResult r = SimRun({it}, o);
  EXPECT_EQ(r.total[Metric::kDemand].mean, 6);
  EXPECT_EQ(r.total[Metric::kAverageOnHand].mean, (9 + 7 + 4) / 3.0);
  EXPECT_EQ(r.total[Metric::kCycleServiceLevel].mean, 1.0);
}

// ---- features --------------------------------------------------------------------------------

TEST(Simulator, ShelfLifeExpiresOldestFirst) {
  // No orders, 10 fresh units sellable on days 0-2, demand 2 a day, lost sales: 4 units expire
  // at the end of day 2, days 3 and 4 lose 2 each.
  ItemSpec a;
  a.policy = InventoryPolicy::None();
  a.initial_on_hand = 10;
  a.shelf_life = 3;
  a.shortage = ShortageMode::kLostSales;
  a.demand = DemandSource::Replay({2, 2, 2, 2, 2});
  a.costs.expiry = 1.5;
  SimOptions o;
  o.days = 5;
  o.trajectory = true;
  SimResult r = SimRun({a}, o);
  EXPECT_EQ(r.total[Metric::kExpiredUnits].mean, 4);
  EXPECT_EQ(r.total[Metric::kExpiryCost].mean, 6);
  EXPECT_EQ(r.total[Metric::kLostUnits].mean, 4);

  // Base stock 5, L = 1, shelf life 2, one unit a day: the day-0 stock (sellable days 0-1)
  // sells one unit a day and its last 3 expire on day 1; each day's receipt then alternates
  // 1 and 4 units and the 4-unit batches lose 3 units every other day (FIFO issuing).
  ItemSpec b;
  b.policy = InventoryPolicy::BaseStock(5);
  b.lead_time = LeadTime::Fixed(1);
  b.shelf_life = 2;
  b.demand = DemandSource::Replay({1, 1, 1, 1, 1, 1});
  o.days = 6;
  r = SimRun({b}, o);
  const Trajectory& tr = *r.trajectory;
  std::vector<int64_t> expired, on_hand;
  for (int t = 0; t < 6; ++t) {
    expired.push_back(tr.At(tr.expired, 0, t));
    on_hand.push_back(tr.At(tr.on_hand, 0, t));
  }
  EXPECT_EQ(expired, (std::vector<int64_t>{0, 3, 0, 3, 0, 3}));
  EXPECT_EQ(on_hand, (std::vector<int64_t>{4, 1, 4, 1, 4, 1}));
  EXPECT_EQ(r.total[Metric::kExpiredUnits].mean, 9);
  // Conservation: initial + received - sold - expired = final on hand.
  EXPECT_EQ(5 + r.total[Metric::kUnitsReceived].mean - r.total[Metric::kFilled].mean - 9, 1);
}

TEST(Simulator, NoShippingWindowDelaysOrders) {
  ItemSpec it;
  it.policy = InventoryPolicy::BaseStock(10);
  it.lead_time = LeadTime::Fixed(2);
  it.demand = DemandSource::Replay(std::vector<double>(20, 2.0));
  it.disruptions = {{.first_day = 5, .last_day = 8, .kind = DisruptionKind::kNoShipping}};
  SimOptions o;
  o.days = 20;
  o.trajectory = true;
  const SimResult r = SimRun({it}, o);
  ASSERT_EQ(r.order_log.size(), 20u);  // an order every day: the position stays at S
  for (const OrderRecord& rec : r.order_log) {
    const bool in_window = rec.placed_day >= 5 && rec.placed_day <= 8;
    EXPECT_EQ(rec.shipped_day, in_window ? 8 : rec.placed_day);
    EXPECT_EQ(rec.arrival_day, in_window ? 10 : rec.placed_day + 2) << rec.placed_day;
    EXPECT_EQ(rec.quantity, 2);
  }
  // Days 7-9 get nothing (the orders of 5-7 were held), day 10 gets 4 orders at once.
  const Trajectory& tr = *r.trajectory;
  EXPECT_EQ(tr.At(tr.received, 0, 6), 2);
  EXPECT_EQ(tr.At(tr.received, 0, 7), 0);
  EXPECT_EQ(tr.At(tr.received, 0, 9), 0);
  EXPECT_EQ(tr.At(tr.received, 0, 10), 8);
  EXPECT_EQ(tr.At(tr.on_hand, 0, 6), 6);
  EXPECT_EQ(tr.At(tr.on_hand, 0, 9), 0);
}

TEST(Simulator, NoOrderingWindowSkipsReviews) {
  ItemSpec it;
  it.policy = InventoryPolicy::BaseStock(10);
  it.lead_time = LeadTime::Fixed(2);
  it.demand = DemandSource::Replay(std::vector<double>(15, 2.0));
  it.disruptions = {DisruptionWindow::FromDates(*Date::FromYmd(2025, 1, 27),
                                                *Date::FromYmd(2025, 2, 1),
                                                *Date::FromYmd(2025, 2, 4),
                                                DisruptionKind::kNoOrdering)};
  EXPECT_EQ(it.disruptions[0].first_day, 5);
  EXPECT_EQ(it.disruptions[0].last_day, 8);
  SimOptions o;
  o.days = 15;
  o.trajectory = true;
  const SimResult r = SimRun({it}, o);
  std::vector<int> days;
  for (const OrderRecord& rec : r.order_log) days.push_back(rec.placed_day);
  EXPECT_EQ(days, (std::vector<int>{0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 14}));
  // Five days of demand unreplenished: the day-9 order restores the position to S.
  EXPECT_EQ(r.order_log[5].quantity, 10);
}

TEST(Simulator, LeadTimeDistributionIsSampledPerOrder) {
  ItemSpec it = Item("poisson:20", InventoryPolicy::BaseStock(200), 1);
  it.lead_time = LeadTime::Discrete({4, 1}, {0.25, 0.75});
  it.lead_times_cross = true;
  SimOptions o;
  o.days = 2000;
  o.trajectory = true;
  SimResult r = SimRun({it}, o);
  ASSERT_GT(r.order_log.size(), 1900u);
  double n1 = 0, n4 = 0;
  for (const OrderRecord& rec : r.order_log) {
    const int l = rec.arrival_day - rec.placed_day;
    ASSERT_TRUE(l == 1 || l == 4) << l;
    (l == 1 ? n1 : n4) += 1;
  }
  // Binomial: share of 1-day lead times 0.75 +- 4 sd.
  const double n = n1 + n4;
  EXPECT_NEAR(n1 / n, 0.75, 4 * std::sqrt(0.75 * 0.25 / n));
  // By default receipts do not overtake: arrivals never decrease, so lead times are at least
  // the sampled ones and longer on average.
  it.lead_times_cross = false;
  r = SimRun({it}, o);
  double mean = 0;
  for (size_t k = 0; k < r.order_log.size(); ++k) {
    const OrderRecord& rec = r.order_log[k];
    if (k > 0) {
      EXPECT_GE(rec.arrival_day, r.order_log[k - 1].arrival_day);
    }
    const int l = rec.arrival_day - rec.placed_day;
    EXPECT_GE(l, 1);
    EXPECT_LE(l, 4);
    mean += l;
  }
  mean /= static_cast<double>(r.order_log.size());
  EXPECT_GT(mean, 0.75 * 1 + 0.25 * 4 + 0.3);
}

TEST(Simulator, PeriodicReviewOrdersOnReviewDaysOnly) {
  ItemSpec it = Item("poisson:3", InventoryPolicy::RS(7, 40, 2), 3);
  SimOptions o;
  o.days = 100;
  o.trajectory = true;
  const SimResult r = SimRun({it}, o);
  ASSERT_FALSE(r.order_log.empty());
  for (const OrderRecord& rec : r.order_log) EXPECT_EQ(rec.placed_day % 7, 2);
  // One receipt per review: cycles are review periods (14 full ones plus the partial ends).
  EXPECT_GE(r.total[Metric::kOrders].mean, 13);
}

// Per-day demand means (e.g. a forecast) and the normal table: demand totals match theory.
TEST(Simulator, PerDayAndNormalDemand) {
  std::vector<double> means;
  double expected = 0;
  for (int t = 0; t < 200; ++t) {
    means.push_back(t % 7 == 5 ? 12.0 : 3.0);
    expected += means.back();
  }
  ItemSpec per_day = Item("poisson:1", InventoryPolicy::BaseStock(60), 2);
  per_day.demand = DemandSource::PerDay(policy::DemandKind::kPoisson, means);
  // Normal(2, 3) rounded and floored at 0: E[D] = sum_k k (Phi((k+.5-2)/3) - Phi((k-.5-2)/3)).
  ItemSpec table = Item("normal:2,3", InventoryPolicy::BaseStock(20), 2);
  ItemSpec direct = table;
  direct.demand = DemandSource::PerDay(policy::DemandKind::kNormal, {2.0}, {3.0});
  const auto normal = Dist("normal:2,3");
  double normal_mean = 0;
  for (int k = 1; k < 40; ++k) {
    normal_mean += k * (normal.Cdf(k + 0.5) - normal.Cdf(k - 0.5));
  }
  SimOptions o;
  o.days = 200;
  o.replications = 40;
  const SimResult r = SimRun({per_day, table, direct}, o);
  std::printf("demand totals:\n");
  ExpectInInterval(r.items[0][Metric::kDemand], expected, 0.03 * expected, "per-day poisson");
  ExpectInInterval(r.items[1][Metric::kDemand], normal_mean * o.days, 20, "normal (table)");
  ExpectInInterval(r.items[2][Metric::kDemand], normal_mean * o.days, 20, "normal (direct)");
}

TEST(Simulator, TransfersShipFromTheSourceStock) {
  // A warehouse (no customer demand) supplies a store by transfers with a 1-day lead time.
  ItemSpec dc;
  dc.name = "SKU@DC";
  dc.policy = InventoryPolicy::BaseStock(60);
  dc.lead_time = LeadTime::Fixed(4);
  ItemSpec store = Item("poisson:4", InventoryPolicy::BaseStock(14), 1);
  store.name = "SKU@store";
  store.source = 1;
  store.costs.ordering = 1;
  SimOptions o;
  o.days = 500;
  o.replications = 3;
  const SimResult r = SimRun({store, dc}, o);  // the source may come after its destination
  EXPECT_EQ(r.items[1][Metric::kDemand].mean, 0);
  EXPECT_EQ(r.items[1][Metric::kUnitsTransferredOut].mean, r.items[0][Metric::kUnitsOrdered].mean);
  EXPECT_EQ(r.items[0][Metric::kOrderingCost].mean, r.items[0][Metric::kOrders].mean);
  EXPECT_GT(r.items[0][Metric::kFillRate].mean, 0.95);
  EXPECT_GT(r.items[1][Metric::kUnitsOrdered].mean, 0);

  // A source with 5 units and no supplier: transfers ship what there is, then nothing.
  ItemSpec empty;
  empty.policy = InventoryPolicy::None();
  empty.initial_on_hand = 5;
  ItemSpec shop = Item("poisson:1", InventoryPolicy::BaseStock(4), 1);
  shop.demand = DemandSource::Replay(std::vector<double>(30, 1.0));
  shop.source = 0;
  o.days = 30;
  o.replications = 1;
  o.trajectory = true;
  const SimResult s = SimRun({empty, shop}, o);
  EXPECT_EQ(s.items[0][Metric::kUnitsTransferredOut].mean, 5);
  EXPECT_EQ(s.items[1][Metric::kUnitsReceived].mean, 5);
  EXPECT_EQ(s.items[1][Metric::kFilled].mean, 4 + 5);
  EXPECT_EQ(s.trajectory->At(s.trajectory->on_hand, 0, 29), 0);
  for (const OrderRecord& rec : s.order_log) EXPECT_EQ(rec.source, 0);
}

// ---- invalid input ---------------------------------------------------------------------------

TEST(Simulator, InvalidInputsNameTheFieldAndRule) {
  const ItemSpec ok = Item("poisson:2", InventoryPolicy::BaseStock(5), 1);
  SimOptions bad;
  bad.days = 0;
  EXPECT_EQ(Message({ok}, bad), "days = 0; must be >= 1");
  bad = {};
  bad.replications = 0;
  EXPECT_EQ(Message({ok}, bad),
            "replications = 0; must be >= 1 (>= 2 for confidence intervals)");
  bad = {};
  bad.confidence = 1;
  EXPECT_EQ(Message({ok}, bad), "confidence = 1; must be in (0, 1)");
  EXPECT_EQ(Message({}), "items is empty; the simulation needs at least one item");

  ItemSpec it = ok;
  it.lead_time = LeadTime::Fixed(0);
  EXPECT_EQ(Message({it}),
            "items[0] (A): lead_time day = 0; must be in [1, 100000] (an order placed at the "
            "end of day t arrives at the start of day t + L)");
  it = ok;
  it.lead_time = LeadTime::Discrete({1, 2}, {0.5, 0.6});
  EXPECT_EQ(Message({it}),
            "items[0] (A): lead_time probabilities sum to 1.1; must sum to 1 (within 1e-6)");
  it = ok;
  it.policy = InventoryPolicy::SS(10, 4);
  EXPECT_EQ(Message({it}),
            "items[0] (A): policy ss: reorder_point s = 10; must be < order_up_to S = 4");
  it = ok;
  it.demand = DemandSource::Replay({1, 2, 3});
  SimOptions o;
  o.days = 5;
  EXPECT_EQ(Message({it}, o),
            "items[0] (A): demand history has 3 days; the simulation needs warmup_days + days = "
            "5");
  it.demand = DemandSource::Replay({1, 2.5, 3, 4, 5});
  EXPECT_EQ(Message({it}, o),
            "items[0] (A): demand history[1] = 2.5; must be a whole number >= 0 (or NaN for an "
            "unknown day)");
  it.demand = DemandSource::Stationary(Dist("pmf:0:0.5,1.5:0.5"));
  EXPECT_EQ(Message({it}),
            "items[0] (A): demand pmf:0:0.5,1.5:0.5 has values that are not whole numbers; the "
            "simulator counts whole units (use whole empirical values, or normal demand, which "
            "is rounded)");
  it.demand = DemandSource::PerDay(policy::DemandKind::kPoisson, {1, 2}, {});
  EXPECT_EQ(Message({it}, o),
            "items[0] (A): per-day demand mean has 2 values; must have 1 (every day) or "
            "warmup_days + days = 5");
  it.demand = DemandSource::PerDay(policy::DemandKind::kPoisson, {1}, {3});
  EXPECT_EQ(Message({it}), "items[0] (A): per-day poisson demand takes no param2; got 1 values");
  it.demand = DemandSource::PerDay(policy::DemandKind::kNegativeBinomial, {1}, {0});
  EXPECT_EQ(Message({it}), "items[0] (A): per-day negbin demand size[0] = 0; must be > 0");
  it = ok;
  it.costs.holding = -1;
  EXPECT_EQ(Message({it}), "items[0] (A): costs.holding = -1; must be finite and >= 0");
  it = ok;
  it.shelf_life = -2;
  EXPECT_EQ(Message({it}),
            "items[0] (A): shelf_life = -2; must be >= 0 days (0 = never expires)");
  it = ok;
  it.initial_on_hand = -1;
  EXPECT_EQ(Message({it}), "items[0] (A): initial_on_hand = -1; must be >= 0");
  it = ok;
  it.disruptions = {{.first_day = 10, .last_day = 20, .kind = DisruptionKind::kNoShipping},
                    {.first_day = 3, .last_day = 10, .kind = DisruptionKind::kNoOrdering}};
  EXPECT_EQ(Message({it}),
            "items[0] (A): disruption windows [3, 10] and [10, 20] overlap; merge them");
  it.disruptions = {{.first_day = 5, .last_day = 4, .kind = DisruptionKind::kNoShipping}};
  EXPECT_EQ(Message({it}),
            "items[0] (A): disruption window [5, 4]; must have 0 <= first_day <= last_day");
  it = ok;
  it.source = 0;
  EXPECT_EQ(Message({it}), "items[0] (A): source = 0; an item cannot transfer to itself");
  it.source = 4;
  EXPECT_EQ(Message({it}),
            "items[0] (A): source = 4; must be -1 (a supplier) or an item index in [0, 1)");
  ItemSpec x = ok, y = ok, z = ok;
  x.source = 1;
  y.source = 2;
  y.name = "B";
  z.source = 0;
  EXPECT_EQ(Message({x, y, z}),
            "items[0] (A): transfer sources form a cycle 0 -> 1 -> 2 -> 0; every chain must end "
            "at a supplier (source = -1)");
  y.source = -1;
  y.shelf_life = 3;
  x.shelf_life = 3;
  EXPECT_EQ(Message({x, y}),
            "items[0] (A): shelf_life = 3 with a transfer source; not supported (transfers do "
            "not carry the age of their units)");
}

TEST(Simulator, NamesRoundTrip) {
  for (int k = 0; k < kNumMetrics; ++k) {
    const auto m = static_cast<Metric>(k);
    EXPECT_EQ(ParseMetric(ToString(m)), m);
  }
  EXPECT_EQ(ParseShortageMode(ToString(ShortageMode::kLostSales)), ShortageMode::kLostSales);
  EXPECT_EQ(ParseShortageMode(ToString(ShortageMode::kBackorder)), ShortageMode::kBackorder);
  EXPECT_EQ(ParseDisruptionKind(ToString(DisruptionKind::kNoOrdering)),
            DisruptionKind::kNoOrdering);
  EXPECT_EQ(ParseDisruptionKind("strike"), std::nullopt);
}

}  // namespace
}  // namespace stockcast::sim
