// KPSS, OCSB, ndiffs and nsdiffs. Hand-computed values for the formulas, and R's values
// (forecast 8.20 / urca, printed by Rscript for the datasets stored in
// tests/golden/forecast/arima.json) for the full tests.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stockcast/forecast/unit_root.h"
#include "test_util.h"

namespace stockcast::forecast {
namespace {

std::vector<double> GoldenSeries(const std::string& name) {
  const auto golden =
      nlohmann::json::parse(testing::ReadFile(testing::GoldenPath("forecast/arima.json")));
  for (const auto& c : golden["cases"]) {
    if (c["name"].get<std::string>().rfind(name, 0) == 0) return c["y"].get<std::vector<double>>();
  }
  return {};
}

TEST(UnitRootTest, KpssByHand) {
  // x = 1,2,3,4: e = -1.5,-0.5,0.5,1.5, partial sums S = -1.5,-2,-1.5,0, sum S^2 = 8.5,
  // eta = 8.5 / 16 = 0.53125, s2(0) = 5 / 4 = 1.25 -> 0.425. With one lag: sum e_t e_{t-1} =
  // 1.25, weight 1 - 1/2, s2(1) = 1.25 + 2/4 * 0.5 * 1.25 = 1.5625 -> 0.34.
  const std::vector<double> x = {1, 2, 3, 4};
  auto k0 = KpssTest(x, 0);
  ASSERT_TRUE(k0.ok());
  EXPECT_NEAR(k0->statistic, 0.425, 1e-12);
  // p-value between the 10 % (0.347) and 5 % (0.463) points: 0.1 - 0.05 (0.425-0.347)/0.116.
  EXPECT_NEAR(k0->p_value, 0.1 - 0.05 * (0.425 - 0.347) / 0.116, 1e-12);
  auto k1 = KpssTest(x, 1);
  ASSERT_TRUE(k1.ok());
  EXPECT_NEAR(k1->statistic, 0.34, 1e-12);
  EXPECT_DOUBLE_EQ(k1->p_value, 0.1);  // below the 10 % point: clamped as R's rule = 2
  EXPECT_DOUBLE_EQ(KpssPValue(0.463), 0.05);
  EXPECT_DOUBLE_EQ(KpssPValue(5.0), 0.01);
  EXPECT_EQ(KpssShortLags(100), 4);   // trunc(4 (100/100)^0.25)
  EXPECT_EQ(NdiffsKpssLags(100), 2);  // trunc(30 / 13)
  EXPECT_FALSE(KpssTest(std::vector<double>{2, 2, 2}).ok());
}

TEST(UnitRootTest, KpssMatchesUrcaOnNile) {
  // urca::ur.kpss(Nile, type = "mu", use.lag = 2)@teststat = 1.3152264632.
  auto k = KpssTest(GoldenSeries("Nile"));
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->lags, 2);
  EXPECT_NEAR(k->statistic, 1.3152264632, 1e-9);
}

TEST(UnitRootTest, NdiffsAsR) {
  // forecast::ndiffs(Nile) = 1, ndiffs(WWWusage) = 1 (R); a random walk needs one difference
  // and its increments none.
  EXPECT_EQ(Ndiffs(GoldenSeries("Nile")), 1);
  EXPECT_EQ(Ndiffs(GoldenSeries("WWWusage")), 1);
  std::vector<double> walk, noise;
  uint64_t s = 7;
  double level = 0;
  for (int t = 0; t < 300; ++t) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(s >> 11) / 9007199254740992.0 - 0.5;
    level += u;
    walk.push_back(level);
    noise.push_back(u);
  }
  EXPECT_EQ(Ndiffs(walk), 1);
  EXPECT_EQ(Ndiffs(noise), 0);
  EXPECT_EQ(Ndiffs(std::vector<double>{3, 3, 3, 3}), 0);
}

TEST(UnitRootTest, OcsbMatchesR) {
  // forecast:::ocsb.test(y, maxlag = 3, lag.method = "AIC"): statistic, critical, lag order.
  EXPECT_NEAR(OcsbCriticalValue(12), -1.8029627912, 1e-9);
  EXPECT_NEAR(OcsbCriticalValue(4), -1.8926999247, 1e-9);
  struct Expect {
    const char* name;
    int m;
    double statistic;
    int lags;
    int nsdiffs;
  };
  for (const Expect& e : {Expect{"log AirPassengers", 12, -1.9508297529, 0, 0},
                          Expect{"USAccDeaths", 12, -2.2271093034, 1, 0},
                          Expect{"log UKgas", 4, 0.0159608830, 1, 1}}) {
    SCOPED_TRACE(e.name);
    const auto y = GoldenSeries(e.name);
    ASSERT_FALSE(y.empty());
    auto r = OcsbTest(y, e.m);
    ASSERT_TRUE(r.ok()) << Describe(r.error());
    EXPECT_NEAR(r->statistic, e.statistic, 1e-8);
    EXPECT_EQ(r->lags, e.lags);
    EXPECT_EQ(Nsdiffs(y, e.m, SeasonalTest::kOcsb), e.nsdiffs);
  }
  EXPECT_FALSE(OcsbTest(std::vector<double>{1, 2, 3}, 1).ok());
  EXPECT_EQ(Nsdiffs(std::vector<double>{1, 2, 3}, 12), 0);  // m >= length
  EXPECT_EQ(ParseSeasonalTest("ocsb"), SeasonalTest::kOcsb);
  EXPECT_FALSE(ParseSeasonalTest("hegy").has_value());
}

}  // namespace
}  // namespace stockcast::forecast
