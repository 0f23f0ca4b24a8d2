#include "stockcast/policy/newsvendor.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

namespace stockcast::policy {
namespace {

DemandDistribution Dist(const char* spec) {
  auto r = DemandDistribution::Parse(spec);
  EXPECT_TRUE(r.ok()) << Describe(r.error());
  return std::move(r).value();
}

NewsvendorOptions Costs(double h, double p) {
  NewsvendorOptions o;
  o.overage_cost = h;
  o.underage_cost = p;
  return o;
}

// Snyder & Shen 2nd ed., ch. 4 newsvendor examples (normal and Poisson).
TEST(Newsvendor, TextbookNormal) {
  auto r = SolveNewsvendor(Dist("normal:50,8"), Costs(0.18, 0.70));
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_NEAR(r->order_quantity, 56.604, 5e-4);
  EXPECT_NEAR(r->expected_cost, 1.9976, 5e-5);
  EXPECT_NEAR(r->critical_ratio, 0.70 / 0.88, 1e-12);
  EXPECT_NEAR(r->in_stock_probability, 0.70 / 0.88, 1e-9);
  // Sales + shortage = mean; leftover - shortage = S - mean.
  EXPECT_NEAR(r->expected_sales + r->expected_shortage, 50.0, 1e-9);
  EXPECT_NEAR(r->expected_leftover - r->expected_shortage, r->order_quantity - 50.0, 1e-9);
  EXPECT_NEAR(r->fill_rate, r->expected_sales / 50.0, 1e-12);
  EXPECT_NE(r->explanation.find("order S=56.604"), std::string::npos) << r->explanation;
}

TEST(Newsvendor, TextbookPoisson) {
  auto r = SolveNewsvendor(Dist("poisson:50"), Costs(0.18, 0.70));
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_DOUBLE_EQ(r->order_quantity, 56.0);
  EXPECT_NEAR(r->expected_cost, 1.7972, 5e-5);
  // Discrete optimality: g(S - 1) >= g(S) <= g(S + 1).
  auto below = EvaluateNewsvendor(Dist("poisson:50"), 55, Costs(0.18, 0.70));
  auto above = EvaluateNewsvendor(Dist("poisson:50"), 57, Costs(0.18, 0.70));
  ASSERT_TRUE(below.ok() && above.ok());
  EXPECT_GT(below->expected_cost, r->expected_cost);
  EXPECT_GT(above->expected_cost, r->expected_cost);
}

TEST(Newsvendor, NegbinAndEmpirical) {
  auto nb = SolveNewsvendor(Dist("negbin:50,10"), Costs(0.18, 0.70));
  ASSERT_TRUE(nb.ok());
  // Over-dispersed demand needs more stock than Poisson at the same mean.
  EXPECT_GT(nb->order_quantity, 56.0);
  auto e = SolveNewsvendor(Dist("pmf:10:0.3,20:0.5,30:0.2"), Costs(1, 1));
  ASSERT_TRUE(e.ok());
  // Ratio 0.5: smallest support point with F >= 0.5 is 20.
  EXPECT_DOUBLE_EQ(e->order_quantity, 20.0);
  // g(20) = 1 * E(20 - D)+ + 1 * E(D - 20)+ = 0.3 * 10 + 0.2 * 10 = 5.
  EXPECT_NEAR(e->expected_cost, 5.0, 1e-12);
}

TEST(Newsvendor, PriceFormulation) {
  NewsvendorOptions o;
  o.unit_cost = 4;
  o.price = 10;
  o.salvage_value = 1;
  auto r = SolveNewsvendor(Dist("normal:100,20"), o);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_DOUBLE_EQ(r->overage_cost, 3.0);
  EXPECT_DOUBLE_EQ(r->underage_cost, 6.0);
  EXPECT_NEAR(r->critical_ratio, 2.0 / 3.0, 1e-12);
  EXPECT_TRUE(r->has_profit);
  // Profit = (r - c) mu - expected cost (S&S eq. 4.14 with goodwill 0).
  EXPECT_NEAR(r->expected_profit, 6.0 * 100.0 - r->expected_cost, 1e-9);
}

TEST(Newsvendor, ZeroDemandAndEdges) {
  auto r = SolveNewsvendor(Dist("poisson:0"), Costs(1, 5));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->order_quantity, 0.0);
  EXPECT_EQ(r->expected_cost, 0.0);
  EXPECT_EQ(r->fill_rate, 1.0);
  // Normal with a very low ratio would go negative: floored at 0.
  auto low = SolveNewsvendor(Dist("normal:1,5"), Costs(10, 0.1));
  ASSERT_TRUE(low.ok());
  EXPECT_EQ(low->order_quantity, 0.0);
}

TEST(Newsvendor, CostRisesWithUncertainty) {
  double last = 0.0;
  for (const char* spec : {"normal:50,2", "normal:50,5", "normal:50,10", "normal:50,20"}) {
    auto r = SolveNewsvendor(Dist(spec), Costs(0.18, 0.70));
    ASSERT_TRUE(r.ok());
    EXPECT_GT(r->expected_cost, last) << spec;
    last = r->expected_cost;
  }
}

TEST(Newsvendor, InvalidOptions) {
  auto r = SolveNewsvendor(Dist("poisson:5"), Costs(-1, 2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "overage_cost = -1; must be >= 0");
  r = SolveNewsvendor(Dist("poisson:5"), Costs(0, 0));
  EXPECT_EQ(r.error().message, "overage_cost = 0 and underage_cost = 0; at least one must be > 0");
  NewsvendorOptions o;
  o.unit_cost = 5;
  o.price = 4;
  EXPECT_EQ(SolveNewsvendor(Dist("poisson:5"), o).error().message,
            "price = 4; must be > unit_cost = 5");
  o = Costs(1, 1);
  o.unit_cost = 2;
  o.price = 3;
  EXPECT_NE(SolveNewsvendor(Dist("poisson:5"), o).error().message.find("not both"),
            std::string::npos);
  EXPECT_EQ(EvaluateNewsvendor(Dist("poisson:5"), -2, Costs(1, 1)).error().message,
            "order_quantity = -2; must be >= 0");
}

}  // namespace
}  // namespace stockcast::policy
