#include "stockcast/policy/stochastic_review.h"

#include <cmath>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace stockcast::policy {
namespace {

DemandDistribution Dist(const std::string& spec) {
  auto r = DemandDistribution::Parse(spec);
  EXPECT_TRUE(r.ok()) << Describe(r.error());
  return std::move(r).value();
}

PeriodicReviewOptions Periodic(double h, double p, double k = 0, int lead = 0, int review = 1) {
  PeriodicReviewOptions o;
  o.holding_cost = h;
  o.backorder_cost = p;
  o.fixed_cost = k;
  o.lead_time = lead;
  o.review_period = review;
  return o;
}

// ---- base stock ------------------------------------------------------------------------------

TEST(BaseStock, ZeroLeadTimeIsTheNewsvendor) {
  auto r = OptimizeBaseStock(Dist("normal:50,8"), Periodic(0.18, 0.70));
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_NEAR(r->order_up_to, 56.604, 5e-4);
  EXPECT_NEAR(r->expected_cost, 1.9976, 5e-5);
  auto p = OptimizeBaseStock(Dist("poisson:50"), Periodic(0.18, 0.70));
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(p->order_up_to, 56.0);
  EXPECT_NEAR(p->expected_cost, 1.7972, 5e-5);
}

TEST(BaseStock, LeadTimeUsesLPlusOnePeriods) {
  // L = 2: protection over 3 periods, N(150, 8 sqrt 3).
  auto r = OptimizeBaseStock(Dist("normal:50,8"), Periodic(1, 9, 0, 2));
  ASSERT_TRUE(r.ok());
  const double z = 1.2815515655446004;  // Phi^-1(0.9)
  EXPECT_NEAR(r->order_up_to, 150.0 + z * 8.0 * std::sqrt(3.0), 1e-6);
  EXPECT_NEAR(r->in_stock_probability, 0.9, 1e-9);
  EXPECT_EQ(r->protection_demand, fmt::format("normal:150,{}", 8.0 * std::sqrt(3.0)));
}

TEST(BaseStock, ReviewPeriodCoversRPeriods) {
  // (R, S) with R = 3: the optimum solves sum_t F_{L+t}(S) = R p / (p + h); check the
  // first-order condition and that neighbours cost more.
  const auto d = Dist("poisson:4");
  const auto o = Periodic(1, 9, 10, 1, 3);
  auto r = OptimizeBaseStock(d, o);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_NEAR(r->in_stock_probability, 0.9, 0.05);
  auto lo = EvaluateBaseStock(d, r->order_up_to - 1, o);
  auto hi = EvaluateBaseStock(d, r->order_up_to + 1, o);
  ASSERT_TRUE(lo.ok() && hi.ok());
  EXPECT_GT(lo->expected_cost, r->expected_cost);
  EXPECT_GT(hi->expected_cost, r->expected_cost);
  // The order cost is K / R per period times P(some demand in R periods).
  const double ordering = 10.0 * (1.0 - std::exp(-12.0)) / 3.0;
  EXPECT_NEAR(r->expected_cost - r->holding_cost - r->backorder_cost, ordering, 1e-9);
  // Continuous demand, R = 2: bisection solution satisfies the same condition.
  auto n = OptimizeBaseStock(Dist("normal:10,3"), Periodic(1, 4, 0, 1, 2));
  ASSERT_TRUE(n.ok());
  EXPECT_NEAR(n->in_stock_probability, 0.8, 1e-6);
}

TEST(BaseStock, InvalidOptions) {
  auto r = OptimizeBaseStock(Dist("poisson:5"), Periodic(0, 9));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "holding_cost = 0; must be > 0");
  EXPECT_EQ(OptimizeBaseStock(Dist("poisson:5"), Periodic(1, 9, 0, -1)).error().message,
            "lead_time = -1; must be >= 0");
  EXPECT_EQ(OptimizeBaseStock(Dist("poisson:5"), Periodic(1, 9, 0, 0, 0)).error().message,
            "review_period = 0; must be >= 1");
}

// ---- (r, Q) ----------------------------------------------------------------------------------

RQOptions RQ(double h, double p, double k, double lead) {
  RQOptions o;
  o.holding_cost = h;
  o.backorder_cost = p;
  o.fixed_cost = k;
  o.lead_time = lead;
  return o;
}

// Snyder & Shen 2nd ed., ch. 5 (r, Q) example: Poisson(1.5) per period, L = 2 (lead-time demand
// Poisson(3)), h = 20, p = 150, K = 100 -> (r, Q) = (3, 5), cost 107.924.
TEST(RQ, TextbookPoisson) {
  auto r = OptimizeRQ(Dist("poisson:1.5"), RQ(20, 150, 100, 2));
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_EQ(r->reorder_point, 3);
  EXPECT_EQ(r->order_quantity, 5);
  EXPECT_NEAR(r->expected_cost, 107.924, 5e-4);
  EXPECT_NEAR(r->ordering_cost, 100.0 * 1.5 / 5.0, 1e-12);
  EXPECT_NE(r->explanation.find("order 5 when the inventory position falls to 3"),
            std::string::npos)
      << r->explanation;
}

TEST(RQ, OptimumBeatsEveryNeighbourInAGrid) {
  const auto d = Dist("negbin:1.5,2");
  const auto o = RQ(20, 150, 100, 2);
  auto best = OptimizeRQ(d, o);
  ASSERT_TRUE(best.ok()) << Describe(best.error());
  for (int64_t r = best->reorder_point - 4; r <= best->reorder_point + 4; ++r) {
    for (int64_t q = 1; q <= best->order_quantity + 6; ++q) {
      auto c = EvaluateRQ(d, r, q, o);
      ASSERT_TRUE(c.ok());
      EXPECT_GE(c->expected_cost, best->expected_cost - 1e-9) << r << "," << q;
    }
  }
}

TEST(RQ, CostIncreasesWithFixedCost) {
  double last = 0.0;
  for (double k : {0.0, 25.0, 100.0, 400.0}) {
    auto r = OptimizeRQ(Dist("poisson:1.5"), RQ(20, 150, k, 2));
    ASSERT_TRUE(r.ok());
    EXPECT_GT(r->expected_cost, last) << k;
    last = r->expected_cost;
  }
}

TEST(RQ, ZeroDemandAndErrors) {
  auto r = OptimizeRQ(Dist("poisson:0"), RQ(1, 10, 50, 2));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->reorder_point, -1);
  EXPECT_EQ(r->order_quantity, 1);
  EXPECT_EQ(r->expected_cost, 0.0);
  auto n = OptimizeRQ(Dist("normal:5,1"), RQ(1, 10, 50, 2));
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().message,
            "(r,Q) needs integer demand (poisson, negbin, or empirical whole numbers); got "
            "normal:5,1");
  EXPECT_EQ(EvaluateRQ(Dist("poisson:1"), 2, 0, RQ(1, 10, 50, 2)).error().message,
            "order_quantity = 0; must be >= 1");
  EXPECT_EQ(OptimizeRQ(Dist("poisson:1"), RQ(1, -10, 50, 2)).error().message,
            "backorder_cost = -10; must be > 0");
}

// ---- (s, S) ----------------------------------------------------------------------------------

// Zheng & Federgruen (1991) / Snyder & Shen 2nd ed., ch. 4: h = 1, p = 4, K = 5,
// Poisson(6) per period, zero lead time -> s = 4, S = 10, cost 8.0341.
TEST(SS, TextbookZhengFedergruen) {
  auto r = OptimizeSS(Dist("poisson:6"), Periodic(1, 4, 5));
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_EQ(r->reorder_point, 4);
  EXPECT_EQ(r->order_up_to, 10);
  EXPECT_NEAR(r->expected_cost, 8.0341, 5e-5);
  EXPECT_NEAR(r->expected_cost, r->ordering_cost + r->inventory_cost, 1e-12);
  auto e = EvaluateSS(Dist("poisson:6"), 4, 10, Periodic(1, 4, 5));
  ASSERT_TRUE(e.ok());
  EXPECT_NEAR(e->expected_cost, r->expected_cost, 1e-12);
}

TEST(SS, OptimumBeatsEveryPairInAGrid) {
  for (const char* spec : {"poisson:6", "negbin:6,2.5", "pmf:0:0.3,2:0.3,5:0.2,9:0.2"}) {
    const auto d = Dist(spec);
    for (int lead : {0, 2}) {
      const auto o = Periodic(1, 9, 30, lead);
      auto best = OptimizeSS(d, o);
      ASSERT_TRUE(best.ok()) << Describe(best.error());
      for (int64_t s = best->reorder_point - 6; s <= best->reorder_point + 6; ++s) {
        for (int64_t big_s = s + 1; big_s <= best->order_up_to + 8; ++big_s) {
          auto c = EvaluateSS(d, s, big_s, o);
          ASSERT_TRUE(c.ok());
          EXPECT_GE(c->expected_cost, best->expected_cost - 1e-9)
              << spec << " L=" << lead << " (" << s << "," << big_s << ")";
        }
      }
    }
  }
}

TEST(SS, ReviewPeriodAndMonotonicity) {
  // (R, s, S) with R = 2 is (s, S) on two-period demand with costs charged for both periods.
  auto r2 = OptimizeSS(Dist("poisson:3"), Periodic(1, 4, 5, 0, 2));
  ASSERT_TRUE(r2.ok());
  EXPECT_GT(r2->order_up_to, r2->reorder_point);
  // Cost rises with K and with p.
  double last = 0.0;
  for (double k : {1.0, 5.0, 25.0, 125.0}) {
    auto r = OptimizeSS(Dist("poisson:6"), Periodic(1, 4, k));
    ASSERT_TRUE(r.ok());
    EXPECT_GT(r->expected_cost, last);
    last = r->expected_cost;
  }
}

TEST(SS, ManySkusStayFast) {
  // A mix of means 0.5..50 and several cost settings. 2,000 SKUs keep this test well inside
  // its budget under Debug + ASan; 10,000 take about 0.5 s in a plain Debug build.
  double total = 0.0;
  for (int i = 0; i < 2000; ++i) {
    const double mean = 0.5 + (i * 37 % 100) * 0.5;
    auto d = DemandDistribution::Poisson(mean);
    ASSERT_TRUE(d.ok());
    auto r = OptimizeSS(*d, Periodic(1, 4 + (i % 3) * 5, 5 + (i % 7) * 10));
    ASSERT_TRUE(r.ok());
    total += r->expected_cost;
  }
  EXPECT_GT(total, 0.0);
}

TEST(SS, Errors) {
  EXPECT_EQ(OptimizeSS(Dist("poisson:6"), Periodic(1, 4, 0)).error().message,
            "fixed_cost = 0; (s,S) needs K > 0 (with K = 0 use the base-stock policy)");
  EXPECT_EQ(OptimizeSS(Dist("normal:6,2"), Periodic(1, 4, 5)).error().message,
            "(s,S) needs integer demand (poisson, negbin, or empirical whole numbers); got "
            "normal:6,2");
  EXPECT_EQ(EvaluateSS(Dist("poisson:6"), 10, 10, Periodic(1, 4, 5)).error().message,
            "reorder_point = 10; must be < order_up_to = 10");
  auto zero = OptimizeSS(Dist("poisson:0"), Periodic(1, 4, 5));
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->expected_cost, 0.0);
}

// ---- safety stock ----------------------------------------------------------------------------

SafetyStockOptions Service(ServiceMeasure m, double target, double lead, double lead_sd = 0) {
  SafetyStockOptions o;
  o.measure = m;
  o.target = target;
  o.lead_time_mean = lead;
  o.lead_time_sd = lead_sd;
  return o;
}

TEST(SafetyStock, CycleServiceNormalWithLeadTimeVariance) {
  // mu = 10/day, sd 3, L = 4 +- 1: sd = sqrt(4 * 9 + 100 * 1) = sqrt(136).
  auto r =
      ComputeSafetyStock(Dist("normal:10,3"), Service(ServiceMeasure::kCycleService, 0.95, 4, 1));
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  const double z = 1.6448536269514722;
  EXPECT_NEAR(r->protection_mean, 40.0, 1e-12);
  EXPECT_NEAR(r->protection_sd, std::sqrt(136.0), 1e-12);
  EXPECT_NEAR(r->safety_stock, z * std::sqrt(136.0), 1e-6);
  EXPECT_NEAR(r->cycle_service, 0.95, 1e-9);
  EXPECT_NEAR(r->safety_factor, z, 1e-6);
  // Periodic review: the protection interval is L + R = 4 + 3 periods.
  SafetyStockOptions periodic = Service(ServiceMeasure::kCycleService, 0.95, 4, 1);
  periodic.review_period = 3;
  auto p = ComputeSafetyStock(Dist("normal:10,3"), periodic);
  ASSERT_TRUE(p.ok());
  EXPECT_NEAR(p->protection_mean, 70.0, 1e-12);
  EXPECT_NEAR(p->protection_sd, std::sqrt(7 * 9.0 + 100.0), 1e-12);
  // Default Q for the fill rate is one review period of demand.
  EXPECT_DOUBLE_EQ(p->order_quantity, 30.0);
}

TEST(SafetyStock, FillRateNormalMatchesLossFunction) {
  SafetyStockOptions o = Service(ServiceMeasure::kFillRate, 0.99, 2);
  o.order_quantity = 100;
  auto r = ComputeSafetyStock(Dist("normal:20,5"), o);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  // n(r) = (1 - beta) Q = 1.
  EXPECT_NEAR(r->expected_shortage, 1.0, 1e-6);
  EXPECT_NEAR(r->fill_rate, 0.99, 1e-8);
  // A higher fill rate needs a higher reorder point.
  o.target = 0.999;
  auto higher = ComputeSafetyStock(Dist("normal:20,5"), o);
  ASSERT_TRUE(higher.ok());
  EXPECT_GT(higher->reorder_point, r->reorder_point);
}

TEST(SafetyStock, DiscreteUsesConvolvedDemand) {
  // Poisson(2) per day over L = 3: Poisson(6); alpha = 0.9 -> smallest k with F(k) >= 0.9.
  auto r = ComputeSafetyStock(Dist("poisson:2"), Service(ServiceMeasure::kCycleService, 0.9, 3));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->protection_demand, "poisson:6");
  EXPECT_DOUBLE_EQ(r->reorder_point, 9.0);  // F(8) = 0.847, F(9) = 0.916
  EXPECT_GE(r->cycle_service, 0.9);
  // Fill rate with Q = 20: smallest integer r with n(r) <= 1.
  SafetyStockOptions f = Service(ServiceMeasure::kFillRate, 0.95, 3);
  f.order_quantity = 20;
  auto fr = ComputeSafetyStock(Dist("poisson:2"), f);
  ASSERT_TRUE(fr.ok());
  auto six = DemandDistribution::Poisson(6);
  ASSERT_TRUE(six.ok());
  EXPECT_LE(six->Loss(fr->reorder_point), 1.0);
  EXPECT_GT(six->Loss(fr->reorder_point - 1), 1.0);
  // Random lead time widens the discrete protection distribution.
  auto wide =
      ComputeSafetyStock(Dist("poisson:2"), Service(ServiceMeasure::kCycleService, 0.9, 3, 1));
  ASSERT_TRUE(wide.ok());
  EXPECT_GT(wide->protection_sd, r->protection_sd);
  EXPECT_GE(wide->reorder_point, r->reorder_point);
}

TEST(SafetyStock, ShortageCost) {
  SafetyStockOptions o = Service(ServiceMeasure::kShortageCost, 0, 2);
  o.order_quantity = 50;
  o.holding_cost = 0.1;
  o.shortage_cost = 10;
  auto r = ComputeSafetyStock(Dist("normal:20,5"), o);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  // P(D > r) = h Q / (b lambda) = 0.1 * 50 / (10 * 20) = 0.025.
  EXPECT_NEAR(1.0 - r->cycle_service, 0.025, 1e-9);
  o.shortage_cost = 0.1;  // tail 2.5 >= 1: no stock
  auto none = ComputeSafetyStock(Dist("normal:20,5"), o);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->reorder_point, 0.0);
}

TEST(SafetyStock, InvalidOptions) {
  EXPECT_EQ(ComputeSafetyStock(Dist("normal:20,5"), Service(ServiceMeasure::kCycleService, 1.2, 2))
                .error()
                .message,
            "target = 1.2; must be in (0, 1) for cycle_service");
  EXPECT_EQ(ComputeSafetyStock(Dist("normal:20,5"), Service(ServiceMeasure::kFillRate, 0.9, 2, -1))
                .error()
                .message,
            "lead_time_sd = -1; must be >= 0");
  SafetyStockOptions o = Service(ServiceMeasure::kShortageCost, 0, 2);
  EXPECT_EQ(ComputeSafetyStock(Dist("normal:20,5"), o).error().message,
            "holding_cost = 0; must be > 0 for shortage_cost");
  EXPECT_EQ(ParseServiceMeasure("fill_rate"), ServiceMeasure::kFillRate);
  EXPECT_FALSE(ParseServiceMeasure("beta").has_value());
}

}  // namespace
}  // namespace stockcast::policy
