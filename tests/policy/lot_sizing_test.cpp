#include "stockcast/policy/lot_sizing.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace stockcast::policy {
namespace {

LotSizingOptions Costs(double k, double h) {
  LotSizingOptions o;
  o.setup_cost = k;
  o.holding_cost = h;
  return o;
}

// Snyder & Shen 2nd ed., ch. 3 Wagner-Whitin example: h = 2, K = 500, d = [90, 120, 80, 70].
TEST(WagnerWhitin, TextbookExample) {
  auto r = WagnerWhitin({90, 120, 80, 70}, Costs(500, 2));
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_EQ(r->orders, (std::vector<double>{210, 0, 150, 0}));
  EXPECT_DOUBLE_EQ(r->cost, 1380.0);
  EXPECT_DOUBLE_EQ(r->setup_cost, 1000.0);
  EXPECT_DOUBLE_EQ(r->holding_cost, 380.0);
  EXPECT_EQ(r->setups, 2);
  EXPECT_EQ(r->end_inventory, (std::vector<double>{120, 0, 70, 0}));
  EXPECT_NE(r->explanation.find("210 in period 1, 150 in period 3: cost 1380"), std::string::npos)
      << r->explanation;
}

// Exhaustive check: every plan is a choice of order periods (zero-inventory ordering); the DP
// must match the cheapest of all 2^(T-1) such plans.
double BruteForce(const std::vector<double>& gross, const LotSizingOptions& o) {
  // Plans cover the demand left after the initial inventory.
  std::vector<double> d = gross;
  double left = o.initial_inventory;
  for (double& x : d) {
    const double take = std::min(left, x);
    x -= take;
    left -= take;
  }
  const size_t n = d.size();
  double best = 1e300;
  for (unsigned mask = 0; mask < (1u << (n - 1)); ++mask) {
    std::vector<double> orders(n, 0.0);
    size_t start = 0;
    for (size_t t = 1; t <= n; ++t) {
      if (t == n || (mask >> (t - 1) & 1u)) {
        for (size_t u = start; u < t; ++u) orders[start] += d[u];
        start = t;
      }
    }
    auto r = EvaluateLotPlan(gross, orders, o);
    if (r.ok()) best = std::min(best, r->cost);
  }
  return best;
}

TEST(WagnerWhitin, MatchesBruteForceWithTimeVaryingCosts) {
  const std::vector<double> d = {20, 0, 50, 10, 80, 0, 30, 45};
  LotSizingOptions o;
  o.setup_costs = {100, 120, 90, 150, 80, 100, 60, 110};
  o.holding_costs = {1, 1.5, 1, 2, 0.5, 1, 1, 1};
  auto r = WagnerWhitin(d, o);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_NEAR(r->cost, BruteForce(d, o), 1e-9);
}

TEST(WagnerWhitin, InitialInventoryAndZeroDemand) {
  LotSizingOptions o = Costs(500, 2);
  o.initial_inventory = 100;
  auto r = WagnerWhitin({90, 120, 80, 70}, o);
  ASSERT_TRUE(r.ok());
  // 100 covers period 1 (10 left, held: 2 x 10 = 20). Net demand [0, 110, 80, 70]: one order
  // of 260 in period 2 costs 500 + 2 x (150 + 70) = 940, plus the 20: 960.
  EXPECT_EQ(r->orders, (std::vector<double>{0, 260, 0, 0}));
  EXPECT_DOUBLE_EQ(r->cost, 960.0);
  EXPECT_NEAR(r->cost, BruteForce({90, 120, 80, 70}, o), 1e-9);
  auto zero = WagnerWhitin({0, 0, 0}, Costs(500, 2));
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->setups, 0);
  EXPECT_EQ(zero->cost, 0.0);
}

TEST(WagnerWhitin, CostIncreasesWithSetupCost) {
  double last = -1.0;
  for (double k : {0.0, 100.0, 500.0, 2000.0}) {
    auto r = WagnerWhitin({90, 120, 80, 70, 60, 100}, Costs(k, 2));
    ASSERT_TRUE(r.ok());
    EXPECT_GT(r->cost, last);
    last = r->cost;
  }
}

TEST(SilverMeal, HeuristicOnTextbookData) {
  auto r = SilverMeal({90, 120, 80, 70}, Costs(500, 2));
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  // From period 1: 500/1, (500 + 240)/2 = 370, (500 + 240 + 320)/3 = 353.3,
  // (500 + 240 + 320 + 420)/4 = 370 > 353.3 -> cover 1..3; then period 4 alone.
  EXPECT_EQ(r->orders, (std::vector<double>{290, 0, 0, 70}));
  EXPECT_DOUBLE_EQ(r->cost, 1000.0 + 560.0);
  // Never better than the optimum.
  auto ww = WagnerWhitin({90, 120, 80, 70}, Costs(500, 2));
  ASSERT_TRUE(ww.ok());
  EXPECT_GE(r->cost, ww->cost);
}

TEST(LotSizing, Errors) {
  EXPECT_EQ(WagnerWhitin({}, Costs(1, 1)).error().message,
            "demand is empty; need at least one period");
  EXPECT_EQ(WagnerWhitin({10, -5}, Costs(1, 1)).error().message,
            "demand[1] = -5; must be finite and >= 0");
  EXPECT_EQ(WagnerWhitin({10, 5}, Costs(-1, 1)).error().message, "setup_cost = -1; must be >= 0");
  LotSizingOptions o = Costs(1, 1);
  o.setup_costs = {1, 2, 3};
  EXPECT_EQ(SilverMeal({10, 5}, o).error().message,
            "setup_costs has 3 entries; must have one per period (2)");
  EXPECT_EQ(EvaluateLotPlan({10, 5}, {10, 0}, Costs(1, 1)).error().message,
            "period 2 runs short by 5 units; lot sizing allows no backorders");
}

// ---- stochastic DP ---------------------------------------------------------------------------

DemandDistribution Poisson(double m) {
  auto r = DemandDistribution::Poisson(m);
  EXPECT_TRUE(r.ok());
  return std::move(r).value();
}

TEST(FiniteHorizonSS, SinglePeriodIsANewsvendorWithSetup) {
  StochasticLotSizingOptions o;
  o.setup_cost = 0;
  o.holding_cost = 1;
  o.backorder_cost = 4;
  auto r = FiniteHorizonSS({Poisson(6)}, o);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  // K = 0: S = newsvendor level F^-1(0.8) of Poisson(6) = 8, order whenever below.
  EXPECT_EQ(r->order_up_to[0], 8);
  EXPECT_EQ(r->reorder_points[0], 7);
  EXPECT_EQ(r->first_order, 8);
  EXPECT_TRUE(r->is_s_s);
}

TEST(FiniteHorizonSS, PolicyShapeAndCostMonotone) {
  StochasticLotSizingOptions o;
  o.setup_cost = 20;
  o.holding_cost = 1;
  o.backorder_cost = 9;
  o.unit_cost = 0.5;
  const std::vector<DemandDistribution> d = {Poisson(4), Poisson(6), Poisson(8),
                                             Poisson(5), Poisson(3), Poisson(6)};
  auto r = FiniteHorizonSS(d, o);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_TRUE(r->is_s_s);
  for (size_t t = 0; t < d.size(); ++t) EXPECT_LT(r->reorder_points[t], r->order_up_to[t]);
  // Starting with more stock (up to S_1) never costs more than starting empty... and K up
  // means cost up.
  o.setup_cost = 40;
  auto dearer = FiniteHorizonSS(d, o);
  ASSERT_TRUE(dearer.ok());
  EXPECT_GT(dearer->expected_cost, r->expected_cost);
}

// Independent check of the DP on a tiny case: plain recursion over every order-up-to level,
// no grid, no suffix minima.
double Recurse(const std::vector<std::vector<double>>& pmf, const StochasticLotSizingOptions& o,
               size_t t, int64_t x, int64_t* best_y) {
  if (t == pmf.size()) return 0.0;
  double best = 1e300;
  for (int64_t y = x; y <= x + 12; ++y) {
    double c = (y > x ? o.setup_cost : 0.0) + o.unit_cost * static_cast<double>(y - x);
    for (size_t d = 0; d < pmf[t].size(); ++d) {
      const int64_t left = y - static_cast<int64_t>(d);
      const double period = left >= 0 ? o.holding_cost * static_cast<double>(left)
                                      : o.backorder_cost * static_cast<double>(-left);
      c += pmf[t][d] * (period + Recurse(pmf, o, t + 1, left, nullptr));
    }
    if (c < best - 1e-12) {
      best = c;
      if (best_y != nullptr) *best_y = y;
    }
  }
  return best;
}

TEST(FiniteHorizonSS, MatchesPlainRecursion) {
  auto d = DemandDistribution::Parse("pmf:0:0.3,1:0.4,3:0.3");
  ASSERT_TRUE(d.ok());
  auto table = d->PmfTable();
  ASSERT_TRUE(table.ok());
  StochasticLotSizingOptions o;
  o.setup_cost = 3;
  o.holding_cost = 1;
  o.backorder_cost = 5;
  o.unit_cost = 0.5;
  for (int64_t x1 : {-2, 0, 1, 4}) {
    o.initial_inventory = x1;
    auto r = FiniteHorizonSS({*d, *d, *d}, o);
    ASSERT_TRUE(r.ok()) << Describe(r.error());
    int64_t y = x1;
    const double expected = Recurse({*table, *table, *table}, o, 0, x1, &y);
    EXPECT_NEAR(r->expected_cost, expected, 1e-9) << x1;
    EXPECT_EQ(r->first_order, y - x1) << x1;
  }
}

TEST(FiniteHorizonSS, Errors) {
  StochasticLotSizingOptions o;
  auto n = DemandDistribution::Normal(5, 1);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(FiniteHorizonSS({*n}, o).error().message,
            "demand[0] = normal:5,1; the stochastic lot-sizing DP needs integer demand");
  o.backorder_cost = 0;
  EXPECT_EQ(FiniteHorizonSS({Poisson(3)}, o).error().message, "backorder_cost = 0; must be > 0");
}

}  // namespace
}  // namespace stockcast::policy
