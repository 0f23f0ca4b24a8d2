#include "stockcast/policy/reorder_point.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "stockcast/forecast/distribution.h"

namespace stockcast::policy {
namespace {

// Flat forecast: `mean` per day, quantiles of a normal with daily sd `sd` at 0.1/0.5/0.9.
forecast::Forecast Flat(double mean, double sd, int horizon = 28) {
  forecast::Forecast f;
  f.mean.assign(static_cast<size_t>(horizon), mean);
  f.levels = {0.1, 0.5, 0.9};
  for (double p : f.levels) {
    f.quantiles.emplace_back(static_cast<size_t>(horizon),
                             std::max(0.0, mean + forecast::NormalQuantile(p) * sd));
  }
  return f;
}

ReorderPointOptions Options() {
  ReorderPointOptions o;
  o.service_level = 0.95;
  o.lead_time_mean_days = 9;
  o.lead_time_sd_days = 1;
  o.review_period_days = 3;
  o.case_pack = 12;
  o.unit_cost = 2.5;
  return o;
}

TEST(ReorderPoint, TextbookNumbers) {
  const forecast::Forecast f = Flat(7.0, 2.0);
  auto r = ComputeReorderPoint(f, 40, 0, Options());
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  const ReorderDecision& d = *r;
  EXPECT_DOUBLE_EQ(d.cover_days, 12.0);
  EXPECT_NEAR(d.lead_time_demand, 84.0, 1e-9);
  EXPECT_NEAR(d.daily_sd, 2.0, 1e-6);
  // SS = 1.645 * sqrt(12 * 4 + 49 * 1) = 1.645 * sqrt(97).
  const double z = 1.6448536269514722;
  EXPECT_NEAR(d.safety_stock, z * std::sqrt(97.0), 1e-6);
  EXPECT_NEAR(d.reorder_point, 84.0 + z * std::sqrt(97.0), 1e-6);
  EXPECT_DOUBLE_EQ(d.order_up_to, d.reorder_point);
  // S - IP = 100.2 - 40 = 60.2 -> 6 cases of 12 = 72.
  EXPECT_DOUBLE_EQ(d.quantity, 72.0);
  EXPECT_EQ(d.binding, "case_pack");
  EXPECT_DOUBLE_EQ(d.line_cost, 180.0);
  EXPECT_NEAR(d.days_of_supply, 40.0 / 7.0, 1e-9);
  // IP 40 vs demand N(84, sqrt(97)): nearly certain stockout.
  EXPECT_GT(d.stockout_probability, 0.99);
  EXPECT_NE(d.explanation.find("demand over 12 days (lead 9 + review 3): 84.0"),
            std::string::npos)
      << d.explanation;
  EXPECT_NE(d.explanation.find("95% service (z=1.645"), std::string::npos) << d.explanation;
  EXPECT_NE(d.explanation.find("on hand 40, on order 0 -> position 40 <= reorder point 100.2"),
            std::string::npos)
      << d.explanation;
  EXPECT_NE(d.explanation.find("order 72 (raised to case pack 12)"), std::string::npos)
      << d.explanation;
}

TEST(ReorderPoint, NoOrderAboveReorderPoint) {
  auto r = ComputeReorderPoint(Flat(7.0, 2.0), 150, 20, Options());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->quantity, 0.0);
  EXPECT_EQ(r->binding, "none");
  EXPECT_DOUBLE_EQ(r->inventory_position, 170.0);
  EXPECT_LT(r->stockout_probability, 1e-6);
  EXPECT_NE(r->explanation.find("position 170 > reorder point 100.2 -> no order"),
            std::string::npos)
      << r->explanation;
}

TEST(ReorderPoint, MoqBinds) {
  ReorderPointOptions o = Options();
  o.moq = 200;
  o.case_pack = 1;
  auto r = ComputeReorderPoint(Flat(7.0, 2.0), 40, 0, o);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->quantity, 200.0);
  EXPECT_EQ(r->binding, "moq");
  EXPECT_NE(r->explanation.find("raised to MOQ 200"), std::string::npos);
  // MOQ then case pack: 200 -> 204 with packs of 12; MOQ is still the binding reason.
  o.case_pack = 12;
  auto r2 = ComputeReorderPoint(Flat(7.0, 2.0), 40, 0, o);
  ASSERT_TRUE(r2.ok());
  EXPECT_DOUBLE_EQ(r2->quantity, 204.0);
  EXPECT_EQ(r2->binding, "moq");
}

TEST(ReorderPoint, ExactCasePackIsNotBinding) {
  ReorderPointOptions o = Options();
  o.lead_time_sd_days = 0;
  o.service_level = 0.5;  // z = 0: S = 84
  o.case_pack = 4;
  auto r = ComputeReorderPoint(Flat(7.0, 2.0), 44, 0, o);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->quantity, 40.0, 1e-9);
  EXPECT_EQ(r->binding, "none");
  EXPECT_NEAR(r->stockout_probability, 1.0 - forecast::NormalCdf((44 - 84) / std::sqrt(48.0)),
              1e-9);
}

// Case pack 1: 60.2 needed -> 61 ordered is rounding to whole units, not a case-pack raise.
TEST(ReorderPoint, CasePackOneNeverBinds) {
  ReorderPointOptions o = Options();
  o.case_pack = 1;
  auto r = ComputeReorderPoint(Flat(7.0, 2.0), 40, 0, o);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->quantity, 61.0);
  EXPECT_EQ(r->binding, "none");
  EXPECT_EQ(r->explanation.find("raised"), std::string::npos) << r->explanation;
  EXPECT_EQ(r->explanation.find("case pack"), std::string::npos) << r->explanation;
  // A pack of 12 that only lands where whole units would (need 59.2 -> 60 = 5 cases) is
  // not binding either; one that rounds 60.2 up to 72 is.
  o.case_pack = 12;
  auto exact = ComputeReorderPoint(Flat(7.0, 2.0), 41, 0, o);
  ASSERT_TRUE(exact.ok());
  EXPECT_DOUBLE_EQ(exact->quantity, 60.0);
  EXPECT_EQ(exact->binding, "none");
  EXPECT_EQ(exact->explanation.find("raised"), std::string::npos) << exact->explanation;
  // MOQ with a pack of 1: the MOQ binds and nothing else is claimed.
  o.case_pack = 1;
  o.moq = 100.5;
  auto moq = ComputeReorderPoint(Flat(7.0, 2.0), 40, 0, o);
  ASSERT_TRUE(moq.ok());
  EXPECT_DOUBLE_EQ(moq->quantity, 101.0);
  EXPECT_EQ(moq->binding, "moq");
  EXPECT_EQ(moq->explanation.find("case pack"), std::string::npos) << moq->explanation;
}

TEST(ReorderPoint, LongCoverExtendsForecastAtItsAverage) {
  ReorderPointOptions o = Options();
  o.lead_time_mean_days = 40;
  auto r = ComputeReorderPoint(Flat(2.0, 1.0, 10), 0, 0, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->forecast_extended);
  EXPECT_NEAR(r->lead_time_demand, 86.0, 1e-9);
  EXPECT_NE(r->explanation.find("past the 10-day forecast"), std::string::npos);
}

TEST(ReorderPoint, FractionalLeadTimeAndZeroDemand) {
  ReorderPointOptions o = Options();
  o.lead_time_mean_days = 2.5;
  o.review_period_days = 0;
  auto r = ComputeReorderPoint(Flat(4.0, 1.0), 10, 0, o);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->lead_time_demand, 10.0, 1e-9);
  EXPECT_NE(r->explanation.find("continuous review"), std::string::npos);

  auto z = ComputeReorderPoint(Flat(0.0, 0.0), 5, 0, Options());
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->quantity, 0.0);
  EXPECT_EQ(z->stockout_probability, 0.0);
  EXPECT_EQ(z->days_of_supply, kMaxDaysOfSupply);
}

TEST(ReorderPoint, SigmaFromQuantilesFloorsAtPoissonWhenClipped) {
  // Slow mover: P10 clipped at zero; the band understates the spread, Poisson floor applies.
  forecast::Forecast f;
  f.mean = {0.5};
  f.levels = {0.1, 0.9};
  f.quantiles = {{0.0}, {0.6}};
  EXPECT_NEAR(DailyDemandSd(f, 0), std::sqrt(0.5), 1e-12);
  // Unclipped: (q90 - q10) / (2 x 1.2816).
  f.mean = {10};
  f.quantiles = {{7.0}, {13.0}};
  EXPECT_NEAR(DailyDemandSd(f, 0), 6.0 / (2 * 1.2815515655446004), 1e-9);
  // No quantiles: Poisson.
  f.levels.clear();
  f.quantiles.clear();
  EXPECT_NEAR(DailyDemandSd(f, 0), std::sqrt(10.0), 1e-12);
}

TEST(ReorderPoint, OptionsValidateNamesFieldAndRule) {
  ReorderPointOptions o;
  o.service_level = 1.2;
  Status st = o.Validate();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "service_level = 1.2; must be in (0, 1)");
  o = {};
  o.case_pack = 0;
  EXPECT_EQ(o.Validate().error().message, "case_pack = 0; must be > 0");
  o = {};
  o.review_period_days = -1;
  EXPECT_EQ(o.Validate().error().message, "review_period_days = -1; must be >= 0");
  o = {};
  o.lead_time_sd_days = -2;
  EXPECT_EQ(o.Validate().error().message, "lead_time_sd_days = -2; must be >= 0");
  EXPECT_FALSE(ComputeReorderPoint(forecast::Forecast{}, 0, 0, {}).ok());
}

}  // namespace
}  // namespace stockcast::policy
