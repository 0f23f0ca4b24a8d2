#include "stockcast/sim/walk_forward.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stockcast/sim/random.h"

namespace stockcast::sim {
namespace {

WalkForwardItem Constant(double per_day, int days) {
  WalkForwardItem item;
  item.name = "A@WH";
  item.demand.assign(static_cast<size_t>(days), per_day);
  return item;
}

// Demand 5/day for 10 days, 12 on hand, L = 3, a review every day ordering 5.
//   day 0: 12 - 5 = 7; order (arrives day 3)     day 1: 7 - 5 = 2; order
//   day 2: 2 on hand, 5 demanded: 2 filled, 3 lost, 0 left
//   days 3..9: 5 arrive, 5 sold, 0 left (7 receipts, each opens a one-day cycle)
// filled 47 of 50, holding 7 + 2 = 9 unit-days, 10 orders, 3 lost, one stockout day; cycles:
// days 0-2 (with the stockout) + 7 one-day cycles = 8, CSL 7/8.
TEST(WalkForward, ConstantDemandHandComputed) {
  WalkForwardItem item = Constant(5, 10);
  item.initial_on_hand = 12;
  item.lead_time = LeadTime::Fixed(3);
  item.review_period_days = 1;
  item.costs.holding = 1;
  item.costs.ordering = 10;
  item.costs.shortage = 4;
  WalkForwardOptions o;
  o.days = 10;
  auto r = RunWalkForward({item}, o, [](size_t, int, const ItemStateView&) { return 5.0; });
  ASSERT_TRUE(r.ok()) << r.error().message;
  const WalkForwardMetrics& m = r->items[0];
  EXPECT_EQ(m.demand, 50);
  EXPECT_EQ(m.filled, 47);
  EXPECT_EQ(m.lost_units, 3);
  EXPECT_DOUBLE_EQ(m.fill_rate, 0.94);
  EXPECT_EQ(m.stockout_days, 1);
  EXPECT_EQ(m.orders, 10);
  EXPECT_EQ(m.units_received, 35);
  EXPECT_EQ(m.cycles, 8);
  EXPECT_DOUBLE_EQ(m.cycle_service_level, 7.0 / 8.0);
  EXPECT_DOUBLE_EQ(m.average_on_hand, 0.9);
  EXPECT_DOUBLE_EQ(m.holding_cost, 9);
  EXPECT_DOUBLE_EQ(m.ordering_cost, 100);
  EXPECT_DOUBLE_EQ(m.shortage_cost, 12);
  EXPECT_DOUBLE_EQ(m.total_cost, 121);
  EXPECT_DOUBLE_EQ(m.turnover, 47 / 0.9);
  EXPECT_EQ(r->total, m);  // one item: the totals are the item
}

// Without orders the fill rate is the initial stock over the demand.
TEST(WalkForward, ZeroOrderPolicyFillsInitialStockOnly) {
  WalkForwardItem item = Constant(5, 10);
  item.initial_on_hand = 30;
  WalkForwardOptions o;
  o.days = 10;
  auto r = RunWalkForward({item}, o, [](size_t, int, const ItemStateView&) { return 0.0; });
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->total.fill_rate, 30.0 / 50.0);
  EXPECT_EQ(r->total.orders, 0);
  EXPECT_EQ(r->total.stockout_days, 4);  // days 6..9
}

// An order placed at the end of day t with L arrives at the start of day t + L, in time for
// that day's demand; reviews are every R days from first_review_day.
TEST(WalkForward, LeadTimeConventionAndReviewDays) {
  WalkForwardItem item;
  item.demand = {0, 4, 0, 0, 0, 0};
  item.lead_time = LeadTime::Fixed(1);
  item.review_period_days = 2;
  item.first_review_day = 0;
  WalkForwardOptions o;
  o.days = 6;
  std::vector<int> reviews;
  auto r = RunWalkForward({item}, o, [&](size_t, int t, const ItemStateView& s) {
    reviews.push_back(t);
    EXPECT_EQ(s.inventory_position, s.on_hand + s.on_order - s.backorders);
    return t == 0 ? 4.0 : 0.0;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(reviews, (std::vector<int>{0, 2, 4}));
  EXPECT_EQ(r->total.filled, 4);
  EXPECT_DOUBLE_EQ(r->total.fill_rate, 1.0);
  // L = 2: the same order misses day 1.
  item.lead_time = LeadTime::Fixed(2);
  r = RunWalkForward({item}, o, [](size_t, int t, const ItemStateView&) {
    return t == 0 ? 4.0 : 0.0;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total.filled, 0);
}

// Backorders wait for the next receipt; shortage is charged per unit-day backordered.
TEST(WalkForward, BackordersAreFilledFirstAndChargedPerDay) {
  WalkForwardItem item;
  item.demand = {3, 0, 0, 0};
  item.shortage = ShortageMode::kBackorder;
  item.lead_time = LeadTime::Fixed(2);
  item.review_period_days = 1;
  item.costs.shortage = 1;
  WalkForwardOptions o;
  o.days = 4;
  auto r = RunWalkForward({item}, o, [](size_t, int t, const ItemStateView& s) {
    EXPECT_EQ(s.backorders, t < 2 ? 3 : 0);
    return t == 0 ? 3.0 : 0.0;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total.filled, 0);
  EXPECT_EQ(r->total.backorders_filled, 3);
  EXPECT_EQ(r->total.lost_units, 0);
  EXPECT_DOUBLE_EQ(r->total.shortage_cost, 3 * 2);  // 3 units backordered at the end of days 0, 1
}

// NaN days are unknown: no demand, counted.
TEST(WalkForward, UnknownDaysCarryNoDemand) {
  WalkForwardItem item = Constant(2, 5);
  item.demand[1] = std::numeric_limits<double>::quiet_NaN();
  item.initial_on_hand = 100;
  WalkForwardOptions o;
  o.days = 5;
  auto r = RunWalkForward({item}, o, [](size_t, int, const ItemStateView&) { return 0.0; });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total.demand, 8);
  EXPECT_EQ(r->total.unknown_days, 1);
}

// Random demand, stochastic lead times and an (s, S) rule on many items: results do not depend
// on the thread count, the same seed repeats them, and receipts never overtake.
TEST(WalkForward, DeterministicAcrossThreadsAndSeeds) {
  std::vector<WalkForwardItem> items;
  Rng rng(7);
  for (int i = 0; i < 40; ++i) {
    WalkForwardItem item;
    item.name = "item" + std::to_string(i);
    for (int t = 0; t < 200; ++t) item.demand.push_back(static_cast<double>(rng.Poisson(3 + i % 5)));
    item.lead_time = LeadTime::Discrete({1, 3, 8}, {0.3, 0.4, 0.3});
    item.initial_on_hand = 20;
    item.review_period_days = 1 + i % 3;
    item.costs = {.ordering = 5, .purchase = 0, .holding = 0.1, .shortage = 2, .expiry = 0};
    items.push_back(item);
  }
  const auto decide = [](size_t, int, const ItemStateView& s) {
    return s.inventory_position <= 15 ? static_cast<double>(40 - s.inventory_position) : 0.0;
  };
  WalkForwardOptions o;
  o.days = 200;
  o.seed = 11;
  o.threads = 1;
  auto one = RunWalkForward(items, o, decide);
  o.threads = 4;
  auto four = RunWalkForward(items, o, decide);
  ASSERT_TRUE(one.ok() && four.ok());
  EXPECT_EQ(one->items, four->items);
  EXPECT_EQ(one->total, four->total);
  o.seed = 12;
  auto other = RunWalkForward(items, o, decide);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(one->total, other->total);
  // Every total is the sum of its items' and the costs add up.
  double holding = 0;
  for (const auto& m : one->items) {
    holding += m.holding_cost;
    EXPECT_NEAR(m.total_cost, m.holding_cost + m.ordering_cost + m.shortage_cost, 1e-9);
    EXPECT_LE(m.fill_rate, 1.0);
    EXPECT_GE(m.fill_rate, 0.0);
  }
  EXPECT_NEAR(one->total.holding_cost, holding, 1e-6);
  EXPECT_DOUBLE_EQ(one->total.fill_rate, one->total.filled / one->total.demand);
}

// Receipts do not overtake: with the same lead-time draws (same seed) an order can only arrive
// later under FIFO than when lead times cross, and some draws make the difference.
TEST(WalkForward, ReceiptsDoNotOvertake) {
  WalkForwardItem item;
  item.demand.assign(30, 0.0);
  item.lead_time = LeadTime::Discrete({1, 10}, {0.5, 0.5});
  item.review_period_days = 1;
  WalkForwardOptions o;
  o.days = 30;
  const auto trace = [&](bool cross) {
    item.lead_times_cross = cross;
    std::vector<int64_t> on_order;
    auto r = RunWalkForward({item}, o, [&](size_t, int t, const ItemStateView& s) {
      on_order.push_back(s.on_order);
      return t < 5 ? 1.0 : 0.0;  // five one-unit orders on days 0..4
    });
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->total.units_received, 5);
    return on_order;
  };
  int differ = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    o.seed = seed;
    const auto fifo = trace(false);
    const auto cross = trace(true);
    for (size_t t = 0; t < fifo.size(); ++t) EXPECT_GE(fifo[t], cross[t]) << seed << " " << t;
    differ += fifo != cross ? 1 : 0;
    // FIFO: on order only falls after the orders stop, and is 0 once the last could be in.
    EXPECT_EQ(fifo[14], 0);
  }
  EXPECT_GT(differ, 0);
}

TEST(WalkForward, ErrorsNameTheItemAndRule) {
  WalkForwardItem item = Constant(1, 3);
  item.demand[2] = 2.5;
  WalkForwardOptions o;
  o.days = 3;
  auto r = RunWalkForward({Constant(1, 3), item}, o,
                          [](size_t, int, const ItemStateView&) { return 0.0; });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(
                "items[1] (A@WH): demand[2] = 2.5; must be a whole number >= 0 or NaN"),
            std::string::npos)
      << r.error().message;
  o.days = 4;
  r = RunWalkForward({Constant(1, 3)}, o, [](size_t, int, const ItemStateView&) { return 0.0; });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("demand has 3 days; must have >= days = 4"), std::string::npos);
}

}  // namespace
}  // namespace stockcast::sim
