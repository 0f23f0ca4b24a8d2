#include "stockcast/policy/eoq.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

namespace stockcast::policy {
namespace {

EoqOptions Base() {
  EoqOptions o;
  o.fixed_cost = 8;
  o.holding_cost = 0.225;
  o.demand_rate = 1300;
  return o;
}

// Snyder & Shen 2nd ed., ch. 3 (EOQ and planned backorders).
TEST(Eoq, TextbookBasic) {
  auto r = Eoq(Base());
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_NEAR(r->order_quantity, 304.047, 5e-4);
  EXPECT_NEAR(r->cost, 68.411, 5e-4);
  // At the optimum ordering and holding costs are equal.
  EXPECT_NEAR(r->ordering_cost, r->holding_cost, 1e-9);
  EXPECT_NEAR(r->cycle_time, 304.047 / 1300, 1e-6);
  EXPECT_NE(r->explanation.find("EOQ: K=8, h=0.225, lambda=1300 -> Q=304.047, cost 68.411"),
            std::string::npos)
      << r->explanation;
}

TEST(Eoq, TextbookPlannedBackorders) {
  EoqOptions o = Base();
  o.backorder_cost = 5;
  auto r = Eoq(o);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_NEAR(r->order_quantity, 310.813, 5e-4);
  EXPECT_NEAR(r->backorder_fraction, 0.04306, 5e-6);
  EXPECT_NEAR(r->cost, 66.921, 5e-4);
  EXPECT_NEAR(r->cost, r->ordering_cost + r->holding_cost + r->backorder_cost, 1e-9);
  EXPECT_NEAR(r->max_backorder, 310.813 * 0.04306, 1e-2);
}

TEST(Eoq, FiniteProductionRate) {
  EoqOptions o = Base();
  o.production_rate = 2600;  // rho = 1/2: h becomes h / 2, Q grows by sqrt(2)
  auto r = Eoq(o);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->order_quantity, 304.047 * std::sqrt(2.0), 1e-3);
  EXPECT_NEAR(r->cost, 68.411 / std::sqrt(2.0), 1e-3);
  EXPECT_NEAR(r->max_inventory, r->order_quantity / 2.0, 1e-9);
  EXPECT_DOUBLE_EQ(r->utilisation, 0.5);
}

TEST(Eoq, EvaluateOffOptimumCostsMore) {
  auto opt = Eoq(Base());
  ASSERT_TRUE(opt.ok());
  for (double q : {150.0, 250.0, 350.0, 600.0}) {
    auto r = EvaluateEoq(Base(), q);
    ASSERT_TRUE(r.ok());
    EXPECT_GT(r->cost, opt->cost) << q;
    // g(Q) / g* = (Q/Q* + Q*/Q) / 2.
    const double ratio = q / opt->order_quantity;
    EXPECT_NEAR(r->cost / opt->cost, 0.5 * (ratio + 1.0 / ratio), 1e-9) << q;
  }
}

TEST(Eoq, CostIncreasesWithFixedCost) {
  double last = 0.0;
  for (double k : {1.0, 4.0, 16.0, 64.0}) {
    EoqOptions o = Base();
    o.fixed_cost = k;
    auto r = Eoq(o);
    ASSERT_TRUE(r.ok());
    EXPECT_GT(r->cost, last);
    last = r->cost;
  }
}

TEST(Eoq, ZeroDemandOrdersNothing) {
  EoqOptions o = Base();
  o.demand_rate = 0;
  auto r = Eoq(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->order_quantity, 0.0);
  EXPECT_EQ(r->cost, 0.0);
}

TEST(Eoq, InvalidOptions) {
  EoqOptions o = Base();
  o.holding_cost = -1;
  auto r = Eoq(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "holding_cost = -1; must be > 0");
  o = Base();
  o.production_rate = 1000;
  r = Eoq(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "production_rate = 1000; must be > demand_rate = 1300 (or 0 for instant)");
  o = Base();
  o.fixed_cost = 0;
  EXPECT_EQ(Eoq(o).error().message, "fixed_cost = 0; must be > 0");
  EXPECT_EQ(EvaluateEoq(Base(), 0).error().message, "order_quantity = 0; must be > 0");
}

QuantityDiscountOptions Discount(DiscountKind kind) {
  QuantityDiscountOptions o;
  o.fixed_cost = 100;
  o.demand_rate = 1000;
  o.breakpoints = {0, 500, 1000};
  o.prices = {5.00, 4.80, 4.75};
  o.holding_rate = 0.2;
  o.kind = kind;
  return o;
}

// Hand-checked all-units example:
//   c=5.00: h=1.00, EOQ 447.21 < 500, cost 5000 + sqrt(2*100*1000*1)   = 5447.21
//   c=4.80: h=0.96, EOQ 456.44 -> 500, cost 4800 + 200 + 240             = 5240.00
//   c=4.75: h=0.95, EOQ 458.83 -> 1000, cost 4750 + 100 + 475            = 5325.00
TEST(QuantityDiscount, AllUnitsByHand) {
  auto r = EoqQuantityDiscount(Discount(DiscountKind::kAllUnits));
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_DOUBLE_EQ(r->order_quantity, 500.0);
  EXPECT_EQ(r->region, 1);
  EXPECT_NEAR(r->cost, 5240.0, 1e-9);
  EXPECT_NEAR(r->purchase_cost, 4800.0, 1e-9);
  EXPECT_NEAR(r->ordering_cost, 200.0, 1e-9);
  EXPECT_NEAR(r->holding_cost, 240.0, 1e-9);
  ASSERT_EQ(r->regions.size(), 3u);
  EXPECT_NEAR(r->regions[0].cost, 5000.0 + std::sqrt(200000.0), 1e-9);
  EXPECT_NEAR(r->regions[2].cost, 5325.0, 1e-9);
  EXPECT_NEAR(r->regions[2].unconstrained_eoq, std::sqrt(200000.0 / 0.95), 1e-9);
}

// Hand-checked incremental example (cbar_1 = 2500, cbar_2 = 4900):
//   region 1: A = 100 + 2500 - 2400 = 200, Q = sqrt(2*1000*200 / 0.96) = 645.50,
//             cost 4800 + sqrt(2*1000*200*0.96) + 0.2*(2500 - 2400)/2 = 5429.68
//   region 2: A = 250, Q = 725.5 < 1000 -> 1000, cost 4750 + 250 + 15 + 475 = 5490
TEST(QuantityDiscount, IncrementalByHand) {
  auto r = EoqQuantityDiscount(Discount(DiscountKind::kIncremental));
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_EQ(r->region, 1);
  EXPECT_NEAR(r->order_quantity, std::sqrt(400000.0 / 0.96), 1e-9);
  EXPECT_NEAR(r->cost, 4810.0 + std::sqrt(384000.0), 1e-9);
  EXPECT_NEAR(r->regions[2].cost, 5490.0, 1e-9);
  EXPECT_NEAR(r->regions[0].cost, 5000.0 + std::sqrt(200000.0), 1e-9);
  // Average price of the chosen lot: (2500 + 4.8 (Q - 500)) / Q.
  const double q = r->order_quantity;
  EXPECT_NEAR(r->average_unit_price, (2500.0 + 4.8 * (q - 500.0)) / q, 1e-12);
}

TEST(QuantityDiscount, AbsoluteHoldingCost) {
  QuantityDiscountOptions o = Discount(DiscountKind::kAllUnits);
  o.holding_rate = 0;
  o.holding_cost = 1;
  auto r = EoqQuantityDiscount(o);
  ASSERT_TRUE(r.ok());
  // EOQ 447.2 everywhere: region 1 at 500 costs 4800 + 200 + 250 = 5250; region 2 at 1000
  // costs 4750 + 100 + 500 = 5350.
  EXPECT_DOUBLE_EQ(r->order_quantity, 500.0);
  EXPECT_NEAR(r->cost, 5250.0, 1e-9);
}

TEST(QuantityDiscount, InvalidOptions) {
  QuantityDiscountOptions o = Discount(DiscountKind::kAllUnits);
  o.prices = {5.0, 5.2, 4.0};
  EXPECT_EQ(EoqQuantityDiscount(o).error().message,
            "prices[1] = 5.2; must be < prices[0] = 5 (discounts lower the price)");
  o = Discount(DiscountKind::kAllUnits);
  o.breakpoints = {10, 500, 1000};
  EXPECT_EQ(EoqQuantityDiscount(o).error().message,
            "breakpoints[0] = 10; must be 0 (the first price applies from 0 units)");
  o = Discount(DiscountKind::kAllUnits);
  o.holding_cost = 1;
  EXPECT_EQ(EoqQuantityDiscount(o).error().message,
            "holding_rate = 0.2, holding_cost = 1; set exactly one of them (> 0)");
  o = Discount(DiscountKind::kAllUnits);
  o.breakpoints = {0, 500};
  EXPECT_EQ(EoqQuantityDiscount(o).error().message,
            "breakpoints has 2 entries, prices 3; must be equal");
  EXPECT_EQ(ParseDiscountKind("incremental"), DiscountKind::kIncremental);
  EXPECT_EQ(ToString(DiscountKind::kAllUnits), "all_units");
  EXPECT_FALSE(ParseDiscountKind("bulk").has_value());
}

}  // namespace
}  // namespace stockcast::policy
