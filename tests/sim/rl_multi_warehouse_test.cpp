// The multi-warehouse environment (sim/multi_warehouse.h): the supplier's capacity cut, lost
// sales and holding against hand-computed days, and its agreement with the single-SKU
// environment when nothing couples the warehouses. No LibTorch needed.
#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "stockcast/sim/multi_warehouse.h"
#include "stockcast/sim/random.h"

namespace stockcast::sim {
namespace {

policy::DemandDistribution D(const char* spec) {
  return policy::DemandDistribution::Parse(spec).value();
}

MultiEnvConfig Config(std::vector<const char*> demands, int lead, int64_t capacity, double h,
                      double p, double k = 0) {
  MultiEnvConfig c;
  for (const char* d : demands) c.demands.push_back(D(d));
  c.lead_time = lead;
  c.capacity = capacity;
  c.holding = h;
  c.lost_sales = p;
  c.ordering = k;
  return c;
}

TEST(RationTest, ProportionalWithLargestRemainders) {
  // Fits: unchanged.
  EXPECT_EQ(Ration(std::vector<int64_t>{3, 4}, 7), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(Ration(std::vector<int64_t>{30, 40}, 0), (std::vector<int64_t>{30, 40}));  // no limit
  // 5 of 7 wanted: 5*3/7 = 2 rem 1, 5*4/7 = 2 rem 6 -> the last unit to the second.
  EXPECT_EQ(Ration(std::vector<int64_t>{3, 4}, 5), (std::vector<int64_t>{2, 3}));
  // Equal remainders: the lower index first.
  EXPECT_EQ(Ration(std::vector<int64_t>{1, 1, 1}, 2), (std::vector<int64_t>{1, 1, 0}));
  // 10 of 20: exact halves, no remainder.
  EXPECT_EQ(Ration(std::vector<int64_t>{4, 0, 16}, 10), (std::vector<int64_t>{2, 0, 8}));
  // Negative wants count as 0.
  EXPECT_EQ(Ration(std::vector<int64_t>{-3, 9}, 4), (std::vector<int64_t>{0, 4}));
  // Always exactly the capacity when binding.
  const std::vector<int64_t> wanted{7, 13, 2, 29};
  for (int64_t c = 1; c < 51; ++c) {
    const auto r = Ration(wanted, c);
    EXPECT_EQ(std::accumulate(r.begin(), r.end(), int64_t{0}), c) << c;
    for (size_t w = 0; w < r.size(); ++w) EXPECT_LE(r[w], wanted[w]);
  }
}

TEST(MultiWarehouseEnvTest, HandComputedDaysWithACapacityCut) {
  // Two warehouses, next-morning delivery, supplier capacity 5 a day, h = 1, p = 10, K = 2.
  MultiWarehouseEnv env(Config({"poisson:2", "poisson:3"}, 1, 5, 1.0, 10.0, 2.0));
  env.Reset(std::vector<int64_t>{2, 0});
  // Day 0: demand 1 and 3. Warehouse 0 fills 1 and holds 1; warehouse 1 loses 3 (p = 10).
  MultiDay d = env.Advance(std::vector<int64_t>{1, 3});
  EXPECT_EQ(d.demand, 4);
  EXPECT_EQ(d.filled, 1);
  EXPECT_EQ(d.lost, 3);
  EXPECT_DOUBLE_EQ(d.holding_cost, 1.0);
  EXPECT_DOUBLE_EQ(d.shortage_cost, 30.0);
  EXPECT_EQ(d.warehouses[1].lost, 3);
  // Review: they want 3 and 4 (7 > 5): cut to 2 and 3; both order, 2 x K.
  std::vector<int64_t> placed;
  EXPECT_DOUBLE_EQ(env.Order(std::vector<int64_t>{3, 4}, &placed), 4.0);
  EXPECT_EQ(placed, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(env.warehouse(0).Position(), 3);
  EXPECT_EQ(env.warehouse(1).Position(), 3);
  // Day 1: 2 and 3 arrive; demand 2 and 5: warehouse 0 holds 1, warehouse 1 loses 2.
  d = env.Advance(std::vector<int64_t>{2, 5});
  EXPECT_EQ(d.warehouses[0].received, 2);
  EXPECT_EQ(d.warehouses[1].received, 3);
  EXPECT_EQ(d.filled, 5);
  EXPECT_EQ(d.lost, 2);
  EXPECT_DOUBLE_EQ(d.holding_cost, 1.0);
  EXPECT_DOUBLE_EQ(d.shortage_cost, 20.0);
  // No order, no K; an order within the capacity is not cut.
  EXPECT_DOUBLE_EQ(env.Order(std::vector<int64_t>{0, 0}, &placed), 0.0);
  EXPECT_DOUBLE_EQ(env.Order(std::vector<int64_t>{0, 5}, &placed), 2.0);
  EXPECT_EQ(placed, (std::vector<int64_t>{0, 5}));
}

TEST(MultiWarehouseEnvTest, LeadTimeTwoPipelines) {
  MultiWarehouseEnv env(Config({"poisson:2", "poisson:2"}, 2, 6, 0.5, 4.0));
  env.Reset(std::vector<int64_t>{0, 4});
  env.Advance(std::vector<int64_t>{0, 1});  // warehouse 1 holds 3 (0.5 each)
  env.Order(std::vector<int64_t>{6, 6});    // 12 > 6: 3 and 3
  EXPECT_EQ(env.warehouse(0).pipeline()[1], 3);
  EXPECT_EQ(env.warehouse(1).pipeline()[1], 3);
  MultiDay d = env.Advance(std::vector<int64_t>{1, 1});  // nothing arrives yet
  EXPECT_EQ(d.warehouses[0].received, 0);
  EXPECT_EQ(d.warehouses[0].lost, 1);
  EXPECT_DOUBLE_EQ(d.shortage_cost, 4.0);
  EXPECT_DOUBLE_EQ(d.holding_cost, 1.0);  // warehouse 1: 2 units
  env.Order(std::vector<int64_t>{0, 0});
  d = env.Advance(std::vector<int64_t>{0, 0});  // the cut orders arrive
  EXPECT_EQ(d.warehouses[0].received, 3);
  EXPECT_EQ(d.warehouses[1].received, 3);
  EXPECT_DOUBLE_EQ(d.holding_cost, 0.5 * (3 + 5));
}

// Without a capacity limit the warehouses are independent: the multi-warehouse evaluation of
// independent base stocks equals the single-SKU evaluation of each on the same demand.
TEST(MultiWarehouseEnvTest, UncoupledWarehousesMatchTheSingleSkuEnvironment) {
  const MultiEnvConfig c = Config({"poisson:4", "negbin:6,2"}, 3, 0, 1.0, 9.0, 3.0);
  const auto paths = MultiDemandPaths(c.demands, 3, 500, 77);
  const std::vector<int64_t> levels{18, 30};
  const std::vector<int64_t> start{10, 12};
  const auto multi = EvaluateMultiPaths(c, paths, 50, start, BaseStockRule(levels));
  ASSERT_EQ(multi.size(), 3u);
  std::vector<double> cost(3, 0.0);
  for (size_t w = 0; w < 2; ++w) {
    // The single-SKU paths of warehouse w are the multi paths' column w.
    const auto single_paths = DemandPaths(c.demands[w], 3, 500, DeriveSeed(77, w));
    for (size_t i = 0; i < 3; ++i) {
      for (size_t t = 0; t < 500; ++t) ASSERT_EQ(paths[i][t * 2 + w], single_paths[i][t]);
    }
    const auto single = EvaluatePaths(c.Warehouse(w), single_paths, 50, start[w],
                                      InventoryPolicy::BaseStock(levels[w]));
    for (size_t i = 0; i < 3; ++i) {
      cost[i] += single[i].cost_per_day;
      EXPECT_NEAR(multi[i].fill_rate[w], single[i].fill_rate, 1e-12);
    }
  }
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(multi[i].total.cost_per_day, cost[i], 1e-9);
    EXPECT_EQ(multi[i].cut_per_day, 0.0);
  }
}

TEST(MultiWarehouseEnvTest, BindingCapacityCutsOrdersAndLowersTheFillRate) {
  MultiEnvConfig c = Config({"poisson:5", "poisson:5"}, 2, 0, 1.0, 9.0);
  const auto paths = MultiDemandPaths(c.demands, 4, 600, 5);
  const std::vector<int64_t> start{15, 15};
  const auto free = EvaluateMultiPaths(c, paths, 100, start, BaseStockRule({15, 15}));
  c.capacity = 8;  // mean total demand 10
  const auto cut = EvaluateMultiPaths(c, paths, 100, start, BaseStockRule({15, 15}));
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_GT(cut[i].cut_per_day, 0.5);
    EXPECT_LT(cut[i].total.fill_rate, free[i].total.fill_rate - 0.1);
    // At most 8 units a day arrive: filled demand cannot exceed the capacity on average.
    EXPECT_LE(cut[i].total.fill_rate * 10.0, 8.0 * 1.1);
  }
}

TEST(MultiWarehouseEnvTest, BadConfigurationsAreNamed) {
  MultiEnvConfig c = Config({"poisson:5", "poisson:3"}, 2, 10, 1.0, 9.0);
  EXPECT_TRUE(c.Validate().ok());
  MultiEnvConfig bad = c;
  bad.capacity = -1;
  EXPECT_NE(
      bad.Validate().error().message.find("MultiEnvConfig::capacity = -1; must be in [0, 1e9]"),
      std::string::npos);
  bad = c;
  bad.demands.clear();
  EXPECT_NE(bad.Validate().error().message.find("has 0 warehouses; must be 1 to 16"),
            std::string::npos);
  bad = c;
  bad.demands[1] = policy::DemandDistribution();  // no demand
  EXPECT_NE(bad.Validate().error().message.find(
                "MultiEnvConfig::demands[1] = pmf:0:1; must have a finite mean > 0"),
            std::string::npos)
      << bad.Validate().error().message;
  bad = c;
  bad.lead_time = 0;
  EXPECT_NE(bad.Validate().error().message.find("MultiEnvConfig::lead_time = 0; must be in"),
            std::string::npos);
  bad = c;
  bad.holding = -2;
  EXPECT_NE(bad.Validate().error().message.find("MultiEnvConfig::holding = -2"), std::string::npos);
}

TEST(MultiWarehouseEnvTest, ForecastDrivenLevelsAreEachWarehousesNewsvendor) {
  const MultiEnvConfig c = Config({"poisson:5", "negbin:3,2"}, 2, 0, 1.0, 9.0);
  auto levels = ForecastDrivenLevels(c);
  ASSERT_TRUE(levels.ok()) << levels.error().message;
  ASSERT_EQ(levels->size(), 2u);
  EXPECT_EQ((*levels)[0], ForecastDrivenLevel(c.Warehouse(0)).value());
  EXPECT_EQ((*levels)[1], ForecastDrivenLevel(c.Warehouse(1)).value());
}

}  // namespace
}  // namespace stockcast::sim
