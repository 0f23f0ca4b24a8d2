#include "stockcast/policy/demand_distribution.h"

#include <cmath>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "test_util.h"

namespace stockcast::policy {
namespace {

DemandDistribution Must(Result<DemandDistribution> r) {
  EXPECT_TRUE(r.ok()) << Describe(r.error());
  return std::move(r).value();
}

TEST(DemandDistribution, ParsesEveryKind) {
  const auto n = Must(DemandDistribution::Parse("normal:50,8"));
  EXPECT_EQ(n.kind(), DemandKind::kNormal);
  EXPECT_DOUBLE_EQ(n.Mean(), 50.0);
  EXPECT_DOUBLE_EQ(n.Sd(), 8.0);
  const auto p = Must(DemandDistribution::Parse("poisson:6"));
  EXPECT_EQ(p.kind(), DemandKind::kPoisson);
  EXPECT_DOUBLE_EQ(p.Variance(), 6.0);
  const auto nb = Must(DemandDistribution::Parse(" negbin: 6, 2.5 "));
  EXPECT_EQ(nb.kind(), DemandKind::kNegativeBinomial);
  EXPECT_DOUBLE_EQ(nb.Variance(), 6.0 + 36.0 / 2.5);
  const auto e = Must(DemandDistribution::Parse("pmf:0:0.2,1:0.5,3:0.3"));
  EXPECT_EQ(e.kind(), DemandKind::kEmpirical);
  EXPECT_TRUE(e.integer());
  EXPECT_NEAR(e.Mean(), 0.5 + 0.9, 1e-12);
}

TEST(DemandDistribution, KindNamesRoundTrip) {
  for (DemandKind k : {DemandKind::kNormal, DemandKind::kPoisson, DemandKind::kNegativeBinomial,
                       DemandKind::kEmpirical}) {
    EXPECT_EQ(ParseDemandKind(ToString(k)), k);
  }
  EXPECT_FALSE(ParseDemandKind("gamma").has_value());
}

TEST(DemandDistribution, ToStringRoundTrips) {
  for (const char* spec :
       {"normal:50,8", "poisson:6", "negbin:6,2.5", "pmf:0:0.2,1:0.5,3:0.3", "normal:12.25,0.1"}) {
    const auto d = Must(DemandDistribution::Parse(spec));
    const auto again = Must(DemandDistribution::Parse(d.ToString()));
    EXPECT_EQ(again.ToString(), d.ToString()) << spec;
    EXPECT_DOUBLE_EQ(again.Mean(), d.Mean()) << spec;
    EXPECT_DOUBLE_EQ(again.Variance(), d.Variance()) << spec;
  }
  // Samples turn into value:probability pairs.
  const auto s = Must(DemandDistribution::EmpiricalSamples({1, 2, 2, 5}));
  EXPECT_EQ(s.ToString(), "pmf:1:0.25,2:0.5,5:0.25");
}

TEST(DemandDistribution, ParseErrorsNameTheRule) {
  auto r = DemandDistribution::Parse("gamma:1,2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "unknown demand distribution \"gamma\" in \"gamma:1,2\"; available: normal, poisson, "
            "negbin, empirical, pmf");
  r = DemandDistribution::Parse("normal:50");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "\"normal:50\": normal needs 2 parameters (mean, sd); got 1");
  r = DemandDistribution::Parse("poisson:6x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "\"poisson:6x\": parameter 1 \"6x\" is not a number");
  r = DemandDistribution::Parse("normal:50,-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "normal sd = -1; must be >= 0");
  r = DemandDistribution::Parse("negbin:6,0");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("negbin size = 0; must be > 0"), std::string::npos);
  r = DemandDistribution::Parse("pmf:1:0.5,2:0.4");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "empirical probabilities sum to 0.9; must sum to 1");
}

TEST(DemandDistribution, EmpiricalFileSamplesAndPairs) {
  const auto dir = testing::TempDir("policy_dist");
  const std::string samples = testing::WriteFile(dir / "s.txt", "# daily sales\n3\n5\n\n3\n9\n");
  const auto s = Must(DemandDistribution::Parse("empirical:" + samples));
  EXPECT_EQ(s.ToString(), "pmf:3:0.5,5:0.25,9:0.25");
  const std::string pairs =
      testing::WriteFile(dir / "p.csv", "value,probability\r\n0,0.25\r\n2,0.75\r\n");
  const auto p = Must(DemandDistribution::Parse("empirical:" + pairs));
  EXPECT_EQ(p.ToString(), "pmf:0:0.25,2:0.75");

  const std::string bad = testing::WriteFile(dir / "bad.txt", "1\n2\nabc\n");
  auto r = DemandDistribution::Parse("empirical:" + bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, bad + ":3: value \"abc\" is not a number");
  const std::string mixed = testing::WriteFile(dir / "mixed.txt", "1,0.5\n2\n");
  r = DemandDistribution::Parse("empirical:" + mixed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, mixed +
                                   ":2: has a single value but line 1 has value,probability; use "
                                   "one form throughout");
  const std::string sum = testing::WriteFile(dir / "sum.csv", "1,0.5\n2,0.4\n");
  r = DemandDistribution::Parse("empirical:" + sum);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, sum + ": probabilities sum to 0.9; must sum to 1");
  const std::string neg = testing::WriteFile(dir / "neg.txt", "1\n-2\n");
  r = DemandDistribution::Parse("empirical:" + neg);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, neg + ":2: value = -2; demand must be >= 0");
  r = DemandDistribution::Parse("empirical:" + (dir / "missing.txt").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

TEST(DemandDistribution, NormalLossFunctions) {
  const auto d = Must(DemandDistribution::Normal(50, 8));
  // Standard normal loss at z = 0: phi(0) = 0.39894.
  EXPECT_NEAR(d.Loss(50), 8 * 0.3989422804014327, 1e-12);
  EXPECT_NEAR(d.ComplementaryLoss(50), 8 * 0.3989422804014327, 1e-12);
  // nb(x) - n(x) = x - mu everywhere.
  for (double x : {20.0, 45.0, 61.5, 90.0}) {
    EXPECT_NEAR(d.ComplementaryLoss(x) - d.Loss(x), x - 50.0, 1e-9) << x;
  }
  // Second-order loss at z = 0: sd^2 / 4.
  EXPECT_NEAR(d.SecondOrderLoss(50), 64.0 / 4.0, 1e-12);
  EXPECT_NEAR(d.Quantile(0.5), 50.0, 1e-9);
  EXPECT_NEAR(d.Cdf(d.Quantile(0.9)), 0.9, 1e-9);
}

TEST(DemandDistribution, PoissonTablesAndLosses) {
  const auto d = Must(DemandDistribution::Poisson(6));
  auto table = d.PmfTable();
  ASSERT_TRUE(table.ok());
  double total = 0.0;
  double mean = 0.0;
  for (size_t k = 0; k < table->size(); ++k) {
    total += (*table)[k];
    mean += static_cast<double>(k) * (*table)[k];
  }
  EXPECT_NEAR(total, 1.0, 1e-11);
  EXPECT_NEAR(mean, 6.0, 1e-9);
  EXPECT_NEAR(d.Pmf(0), std::exp(-6.0), 1e-15);
  EXPECT_NEAR(d.Pmf(6), std::exp(-6.0) * std::pow(6.0, 6) / 720.0, 1e-15);
  // n(0) = mean; n(x) - nb(x) = mu - x.
  EXPECT_NEAR(d.Loss(0), 6.0, 1e-9);
  EXPECT_NEAR(d.Loss(4) - d.ComplementaryLoss(4), 2.0, 1e-9);
  // Discrete second-order loss at 0: E[D (D - 1)] / 2 = mu^2 / 2 for a Poisson.
  EXPECT_NEAR(d.SecondOrderLoss(0), 18.0, 1e-9);
  // Quantile is the smallest k with F(k) >= p.
  const double q = d.Quantile(0.8);
  EXPECT_GE(d.Cdf(q), 0.8);
  EXPECT_LT(d.Cdf(q - 1), 0.8);
  // Normal is not tabulated.
  auto n = Must(DemandDistribution::Normal(5, 1)).PmfTable();
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().message, "pmf table needs an integer distribution; normal:5,1 is continuous");
}

TEST(DemandDistribution, NegativeBinomialMoments) {
  const auto d = Must(DemandDistribution::NegativeBinomial(6, 2.5));
  auto table = d.PmfTable();
  ASSERT_TRUE(table.ok());
  double m1 = 0.0;
  double m2 = 0.0;
  for (size_t k = 0; k < table->size(); ++k) {
    m1 += static_cast<double>(k) * (*table)[k];
    m2 += static_cast<double>(k * k) * (*table)[k];
  }
  EXPECT_NEAR(m1, 6.0, 1e-8);
  EXPECT_NEAR(m2 - m1 * m1, 6.0 + 36.0 / 2.5, 1e-6);
  // P(0) = (r / (r + mu))^r.
  EXPECT_NEAR(d.Pmf(0), std::pow(2.5 / 8.5, 2.5), 1e-14);
}

TEST(DemandDistribution, ConvolutionOverLeadTime) {
  const auto p = Must(Must(DemandDistribution::Poisson(1.5)).Convolve(2));
  EXPECT_EQ(p.ToString(), "poisson:3");
  const auto nb = Must(Must(DemandDistribution::NegativeBinomial(6, 2.5)).Convolve(3));
  EXPECT_EQ(nb.ToString(), "negbin:18,7.5");
  const auto n = Must(Must(DemandDistribution::Normal(10, 3)).Convolve(4));
  EXPECT_DOUBLE_EQ(n.Mean(), 40.0);
  EXPECT_DOUBLE_EQ(n.Sd(), 6.0);
  // Two periods of {0: 1/2, 1: 1/2} = {0: 1/4, 1: 1/2, 2: 1/4}.
  const auto e = Must(Must(DemandDistribution::Parse("pmf:0:0.5,1:0.5")).Convolve(2));
  EXPECT_EQ(e.ToString(), "pmf:0:0.25,1:0.5,2:0.25");
  // Three periods: mean and variance add up.
  const auto e3 = Must(Must(DemandDistribution::Parse("pmf:0:0.2,1:0.5,3:0.3")).Convolve(3));
  EXPECT_NEAR(e3.Mean(), 3 * 1.4, 1e-12);
  const auto e1 = Must(DemandDistribution::Parse("pmf:0:0.2,1:0.5,3:0.3"));
  EXPECT_NEAR(e3.Variance(), 3 * e1.Variance(), 1e-12);
  // Non-integer empirical support merges sums.
  const auto f = Must(Must(DemandDistribution::Parse("pmf:0.5:0.5,1.5:0.5")).Convolve(2));
  EXPECT_EQ(f.ToString(), "pmf:1:0.25,2:0.5,3:0.25");
  // Zero periods: no demand.
  EXPECT_EQ(Must(p.Convolve(0)).Mean(), 0.0);
  auto bad = Must(DemandDistribution::Parse("pmf:0:0.5,1:0.5")).Convolve(1.5);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "periods = 1.5; an empirical distribution convolves over whole periods only");
}

TEST(DemandDistribution, LeadTimeDemandWithVariableLeadTime) {
  // Normal: sd = sqrt(L sd^2 + mu^2 sd_L^2) = sqrt(4 * 9 + 100 * 1).
  const auto n = Must(LeadTimeDemand(Must(DemandDistribution::Normal(10, 3)), 4, 1));
  EXPECT_DOUBLE_EQ(n.Mean(), 40.0);
  EXPECT_NEAR(n.Sd(), std::sqrt(136.0), 1e-12);
  // Poisson with a random lead time: mean L mu, variance L mu + mu^2 Var(L) (approximately,
  // through the discretised normal lead time).
  const auto p = Must(LeadTimeDemand(Must(DemandDistribution::Poisson(3)), 5, 1));
  EXPECT_TRUE(p.integer());
  EXPECT_NEAR(p.Mean(), 15.0, 0.02);
  EXPECT_NEAR(p.Variance(), 15.0 + 9.0 * (1.0 + 1.0 / 12.0), 0.3);
  auto bad = LeadTimeDemand(Must(DemandDistribution::Poisson(3)), -1, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "lead_time_mean = -1; must be >= 0");
}

TEST(DemandDistribution, ZeroDemandEdgeCases) {
  const auto p = Must(DemandDistribution::Poisson(0));
  EXPECT_EQ(p.Quantile(0.99), 0.0);
  EXPECT_EQ(p.Loss(0), 0.0);
  EXPECT_EQ(p.Cdf(0), 1.0);
  const auto n = Must(DemandDistribution::Normal(0, 0));
  EXPECT_EQ(n.Quantile(0.9), 0.0);
  EXPECT_EQ(n.Loss(1), 0.0);
  EXPECT_EQ(n.ComplementaryLoss(1), 1.0);
  const DemandDistribution none;
  EXPECT_EQ(none.Mean(), 0.0);
  EXPECT_EQ(none.ToString(), "pmf:0:1");
}

TEST(IntegerLossTable, MatchesDirectSums) {
  const auto d = Must(DemandDistribution::Poisson(3));
  auto pmf = d.PmfTable();
  ASSERT_TRUE(pmf.ok());
  const IntegerLossTable t = MakeIntegerLossTable(*pmf, -3, 12);
  for (int64_t y = -3; y <= 12; ++y) {
    const size_t i = static_cast<size_t>(y + 3);
    EXPECT_NEAR(t.loss[i], d.Loss(static_cast<double>(y)), 1e-10) << y;
    EXPECT_NEAR(t.complementary_loss[i], d.ComplementaryLoss(static_cast<double>(y)), 1e-10) << y;
    EXPECT_NEAR(t.cdf[i], d.Cdf(static_cast<double>(y)), 1e-12) << y;
  }
}

}  // namespace
}  // namespace stockcast::policy

namespace stockcast::policy {
namespace {

// The planning code's one choice of demand distribution from a mean and an sd.
TEST(DemandDistributionMomentMatched, PicksNormalPoissonOrNegbinByMeanAndSpread) {
  auto fast = DemandDistribution::MomentMatched(40, 9, 30);
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(fast->kind(), DemandKind::kNormal);
  EXPECT_DOUBLE_EQ(fast->Mean(), 40);
  auto poisson = DemandDistribution::MomentMatched(4, 1.5, 30);  // var 2.25 <= mean
  ASSERT_TRUE(poisson.ok());
  EXPECT_EQ(poisson->kind(), DemandKind::kPoisson);
  auto negbin = DemandDistribution::MomentMatched(4, 4, 30);  // var 16 > mean
  ASSERT_TRUE(negbin.ok());
  EXPECT_EQ(negbin->kind(), DemandKind::kNegativeBinomial);
  EXPECT_NEAR(negbin->Mean(), 4, 1e-9);
  EXPECT_NEAR(negbin->Sd(), 4, 1e-6);
  auto none = DemandDistribution::MomentMatched(-1, 2, 30);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->kind(), DemandKind::kPoisson);
  EXPECT_DOUBLE_EQ(none->Mean(), 0);
  // A spread far beyond the mean: the negbin table would be too long, the normal stands in.
  auto lumpy = DemandDistribution::MomentMatched(5, 5000, 30);
  ASSERT_TRUE(lumpy.ok());
  EXPECT_EQ(lumpy->kind(), DemandKind::kNormal);
  EXPECT_DOUBLE_EQ(lumpy->Sd(), 5000);
}

}  // namespace
}  // namespace stockcast::policy
