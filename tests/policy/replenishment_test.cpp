#include "stockcast/policy/replenishment.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace stockcast::policy {
namespace {

// Independent loss functions for the checks (not the library's).
double Phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }
double NormalLoss(double x, double mu, double sd) {
  const double z = (x - mu) / sd;
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI);
  return sd * (pdf - z * (1.0 - Phi(z)));
}
// Poisson pmf, cdf and loss n(x) = E[(D - x)+] by direct summation.
double PoissonPmf(int k, double m) { return std::exp(-m + k * std::log(m) - std::lgamma(k + 1.0)); }
double PoissonCdf(int x, double m) {
  double c = 0;
  for (int k = 0; k <= x; ++k) c += PoissonPmf(k, m);
  return c;
}
double PoissonLoss(int x, double m) {
  double n = 0;
  for (int k = x + 1; k < 400; ++k) n += (k - x) * PoissonPmf(k, m);
  return n;
}

ReplenishmentInput Flat(double mean, double sd, int days = 60) {
  ReplenishmentInput in;
  in.daily_mean.assign(static_cast<size_t>(days), mean);
  in.daily_sd.assign(static_cast<size_t>(days), sd);
  return in;
}

// Normal fast mover: 10/day, sd 2/day, L = 8 (simulator convention), R = 3: cover T = 10 days,
// mu_T = 100, sd_T = sqrt(10 x 4) = 6.325. No order cost: Q = mu_d R = 30. Undershoot:
// mu_R = 30, sigma_R^2 = 12, E[U] = (30 + 12 / 30) / 2 = 15.2. Fill rate 95%: the smallest s with
// n(s) - n(s + 30) <= 0.05 x (30 + 15.2) = 2.26, found here by a plain scan.
TEST(Replenishment, NormalFillRateHandChecked) {
  ReplenishmentInput in = Flat(10, 2);
  in.lead_time_mean_days = 8;
  in.review_period_days = 3;
  auto r = ChooseReplenishmentLevels(in);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  const double sd = std::sqrt(40.0);
  EXPECT_DOUBLE_EQ(r->cover_days, 10.0);
  EXPECT_NEAR(r->mean_over_cover, 100.0, 1e-9);
  EXPECT_NEAR(r->sd_over_cover, sd, 1e-9);
  EXPECT_EQ(r->distribution, DemandKind::kNormal);
  EXPECT_DOUBLE_EQ(r->order_quantity, 30.0);
  EXPECT_NEAR(r->expected_undershoot, 15.2, 1e-9);
  int expected = 0;
  while (NormalLoss(expected, 100, sd) - NormalLoss(expected + 30, 100, sd) > 0.05 * 45.2) {
    ++expected;
  }
  EXPECT_DOUBLE_EQ(r->reorder_point, expected);
  // Hand check: n(s + 30) ~ 0 here, so n(s) <= 2.26, i.e. the unit normal loss
  // G(z) <= 2.26 / 6.325 = 0.357 -> z >= 0.09 (tables: G(0.08) = 0.3602, G(0.09) = 0.3556)
  // -> s >= 100 + 0.09 x 6.325 = 100.6 -> s = 101.
  EXPECT_DOUBLE_EQ(r->reorder_point, 101);
  EXPECT_DOUBLE_EQ(r->order_up_to, r->reorder_point + 30);
  EXPECT_NEAR(r->safety_stock, r->reorder_point - 100, 1e-9);
  const double fill =
      1 - (NormalLoss(expected, 100, sd) - NormalLoss(expected + 30, 100, sd)) / 45.2;
  EXPECT_NEAR(r->expected_fill_rate, fill, 1e-9);
  EXPECT_GE(r->expected_fill_rate, 0.95);
  EXPECT_NEAR(r->expected_cycle_service, Phi((expected - 100) / sd), 1e-9);
  EXPECT_NE(r->explanation.find("s = " + std::to_string(expected)), std::string::npos)
      << r->explanation;
}

// Poisson slow mover: 2/day with sd sqrt(2) (variance = mean), L = 3, R = 2: T = 4 days,
// D_T ~ Poisson(8). Cycle service 90%: P(D <= 11) = 0.888, P(D <= 12) = 0.936 -> s = 12.
TEST(Replenishment, PoissonCycleServiceHandChecked) {
  ReplenishmentInput in = Flat(2, std::sqrt(2.0));
  in.lead_time_mean_days = 3;
  in.review_period_days = 2;
  in.target_kind = ServiceTargetKind::kCycleService;
  in.target = 0.90;
  auto r = ChooseReplenishmentLevels(in);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_EQ(r->distribution, DemandKind::kPoisson);
  EXPECT_NEAR(r->mean_over_cover, 8.0, 1e-9);
  EXPECT_NEAR(PoissonCdf(11, 8), 0.888, 1e-3);
  EXPECT_NEAR(PoissonCdf(12, 8), 0.936, 1e-3);
  EXPECT_DOUBLE_EQ(r->reorder_point, 12);
  EXPECT_DOUBLE_EQ(r->order_quantity, 4);  // mu_d R = 4
  EXPECT_DOUBLE_EQ(r->order_up_to, 16);
  EXPECT_NEAR(r->expected_cycle_service, PoissonCdf(12, 8), 1e-9);
}

// The same Poisson case with a 95% fill target against a direct summation.
TEST(Replenishment, PoissonFillRateHandChecked) {
  ReplenishmentInput in = Flat(2, std::sqrt(2.0));
  in.lead_time_mean_days = 3;
  in.review_period_days = 2;
  auto r = ChooseReplenishmentLevels(in);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  // Cycle demand Q + E[U] = 4 + (4 + 4 / 4) / 2 = 6.5 (mu_R = sigma_R^2 = 4).
  EXPECT_NEAR(r->expected_undershoot, 2.5, 1e-9);
  int expected = 0;
  while (PoissonLoss(expected, 8) - PoissonLoss(expected + 4, 8) > 0.05 * 6.5) ++expected;
  EXPECT_DOUBLE_EQ(r->reorder_point, expected);
  EXPECT_NEAR(r->expected_fill_rate,
              1 - (PoissonLoss(expected, 8) - PoissonLoss(expected + 4, 8)) / 6.5, 1e-6);
}

// Over-dispersed slow movers get a negative binomial with the same mean and variance.
TEST(Replenishment, NegativeBinomialForOverdispersedSlowMovers) {
  ReplenishmentInput in = Flat(2, 3);
  in.lead_time_mean_days = 3;
  in.review_period_days = 2;
  auto r = ChooseReplenishmentLevels(in);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_EQ(r->distribution, DemandKind::kNegativeBinomial);
  EXPECT_NEAR(r->sd_over_cover, std::sqrt(4 * 9.0), 1e-9);
}

// Lead-time spread adds mu_d^2 sd_L^2; a fractional lead time counts its last day in part.
TEST(Replenishment, CoverInterpolatesAndAddsLeadTimeVariance) {
  ReplenishmentInput in;
  in.daily_mean = {1, 2, 4, 8, 16};
  in.daily_sd = {1, 1, 2, 2, 2};
  in.lead_time_mean_days = 2.5;
  in.lead_time_sd_days = 1;
  in.review_period_days = 1;  // T = 2.5 days
  auto r = ChooseReplenishmentLevels(in);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_DOUBLE_EQ(r->cover_days, 2.5);
  EXPECT_NEAR(r->mean_over_cover, 1 + 2 + 0.5 * 4, 1e-12);
  const double mu_d = 5.0 / 2.5;
  EXPECT_NEAR(r->sd_over_cover, std::sqrt(1 + 1 + 0.5 * 4 + mu_d * mu_d * 1), 1e-12);
  EXPECT_FALSE(r->forecast_extended);
  in.lead_time_mean_days = 6;  // T = 6 > 5 forecast days: the last one is held
  r = ChooseReplenishmentLevels(in);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->forecast_extended);
  EXPECT_NEAR(r->mean_over_cover, 1 + 2 + 4 + 8 + 16 + 16, 1e-12);
}

// EOQ: K = 50, unit cost 10 at 25%/year -> h = 2.5 / 365 per unit-day; mu_d = 10/day:
// EOQ = sqrt(2 x 50 x 10 / (2.5 / 365)) = sqrt(146000) = 382.1 -> Q = 383 (whole units), and
// to whole case packs of 24 -> 384.
TEST(Replenishment, EoqSetsTheOrderQuantity) {
  ReplenishmentInput in = Flat(10, 3);
  in.order_cost = 50;
  in.unit_cost = 10;
  in.holding_rate = 0.25;
  auto r = ChooseReplenishmentLevels(in);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_NEAR(r->eoq, std::sqrt(146000.0), 1e-9);
  EXPECT_DOUBLE_EQ(r->order_quantity, 383);
  in.case_pack = 24;
  r = ChooseReplenishmentLevels(in);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->order_quantity, 384);
  // A larger Q needs less safety stock for the same fill rate (shortage allowed per cycle grows).
  in.case_pack = 1;
  in.order_cost = 0;
  auto small = ChooseReplenishmentLevels(in);
  ASSERT_TRUE(small.ok());
  EXPECT_LT(r->reorder_point, small->reorder_point);
  // The MOQ wins when it is the largest.
  in.moq = 500;
  r = ChooseReplenishmentLevels(in);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->order_quantity, 500);
}

// A higher fill target never lowers s, and the expected fill rate it reports meets the target.
TEST(Replenishment, FillRateTargetMonotoneInS) {
  double previous_s = -1;
  for (double target : {0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999}) {
    for (double mean : {0.3, 3.0, 40.0}) {
      ReplenishmentInput in = Flat(mean, std::sqrt(mean) * 1.5);
      in.target = target;
      auto r = ChooseReplenishmentLevels(in);
      ASSERT_TRUE(r.ok()) << Describe(r.error());
      EXPECT_GE(r->expected_fill_rate, target - 1e-12) << target << " " << mean;
      if (mean == 40.0) {
        EXPECT_GE(r->reorder_point, previous_s);
        previous_s = r->reorder_point;
      }
    }
  }
}

TEST(Replenishment, OrderRoundsToCasePacksAndMoq) {
  ReplenishmentLevels l;
  l.reorder_point = 20;
  l.order_up_to = 50;
  EXPECT_DOUBLE_EQ(ReplenishmentOrder(l, 21, 1, 0), 0);   // above s: nothing
  EXPECT_DOUBLE_EQ(ReplenishmentOrder(l, 20, 1, 0), 30);  // at s: S - IP
  EXPECT_DOUBLE_EQ(ReplenishmentOrder(l, 20, 12, 0), 36); // 30 -> 3 cases
  EXPECT_DOUBLE_EQ(ReplenishmentOrder(l, 20, 12, 40), 48);  // MOQ 40 -> 4 cases
  EXPECT_DOUBLE_EQ(ReplenishmentOrder(l, -5, 1, 0), 55);    // backorders raise the order
}

TEST(Replenishment, NoDemandNeverOrders) {
  auto r = ChooseReplenishmentLevels(Flat(0, 0));
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(ReplenishmentOrder(*r, 0, 1, 0), 0);
}

TEST(Replenishment, ValidateNamesFieldAndRule) {
  ReplenishmentInput in = Flat(1, 1);
  in.lead_time_mean_days = 0.5;
  auto r = ChooseReplenishmentLevels(in);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("lead_time_mean_days = 0.5; must be >= 1"), std::string::npos)
      << r.error().message;
  in = Flat(1, 1);
  in.target = 1.0;
  r = ChooseReplenishmentLevels(in);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("target = 1; must be in (0, 1)"), std::string::npos);
  in = Flat(1, 1);
  in.daily_sd.pop_back();
  EXPECT_FALSE(ChooseReplenishmentLevels(in).ok());
}

}  // namespace
}  // namespace stockcast::policy
