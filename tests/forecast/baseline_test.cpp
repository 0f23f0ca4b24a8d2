#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stockcast/core/demand_panel.h"
#include "stockcast/forecast/distribution.h"
#include "stockcast/forecast/model.h"
#include "test_util.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Forecast FitPredict(const std::string& spec, const std::vector<double>& y,
             const std::vector<uint8_t>& flags, int horizon,
             std::vector<double> levels = {0.1, 0.5, 0.9}) {
  auto model = CreateModel(spec);
  EXPECT_TRUE(model.ok());
  EXPECT_TRUE((*model)->Fit(y, flags, 7).ok());
  auto f = (*model)->Predict(horizon, levels);
  EXPECT_TRUE(f.ok());
  return *f;
}

TEST(BaselineModels, NaiveRepeatsLastUsableValue) {
  std::vector<double> y = {1, 2, 3, 9, kNaN};
  std::vector<uint8_t> flags = {0, 0, 0, kFlagCensored, kFlagMissing};
  Forecast f = FitPredict("naive:min_days=1", y, flags, 3);
  EXPECT_EQ(f.mean, (std::vector<double>{3, 3, 3}));
}

TEST(BaselineModels, SeasonalNaiveUsesSameWeekday) {
  std::vector<double> y;
  for (int t = 0; t < 21; ++t) y.push_back(t % 7);  // 0..6 repeating
  Forecast f = FitPredict("snaive", y, {}, 9);
  // Last day is index 20 (position 6); step 1 is position 0.
  EXPECT_EQ(f.mean, (std::vector<double>{0, 1, 2, 3, 4, 5, 6, 0, 1}));
  // A censored day on the needed position falls back one more season.
  std::vector<uint8_t> flags(21, 0);
  flags[14] = kFlagCensored;
  y[14] = 0;
  y[7] = 0.5;  // position 0 a week earlier
  Forecast g = FitPredict("snaive", y, flags, 1);
  EXPECT_EQ(g.mean[0], 0.5);
}

TEST(BaselineModels, MeanAndMovingAverageSkipCensoredDays) {
  std::vector<double> y = {10, 10, 0, 0, 10, 20};
  std::vector<uint8_t> flags = {0, 0, kFlagCensored, kFlagCensored, 0, 0};
  EXPECT_DOUBLE_EQ(FitPredict("mean:min_days=1", y, flags, 1).mean[0], 12.5);
  EXPECT_DOUBLE_EQ(FitPredict("ma:window=2,min_days=1", y, flags, 1).mean[0], 15.0);
  EXPECT_DOUBLE_EQ(FitPredict("ma:window=3,min_days=1", y, flags, 1).mean[0], 40.0 / 3.0);
}

TEST(BaselineModels, BaselineLearnsWeekdayProfile) {
  // 12 weeks: weekends (positions 5, 6) sell 20, weekdays 10.
  std::vector<double> y;
  for (int t = 0; t < 84; ++t) y.push_back(t % 7 >= 5 ? 20.0 : 10.0);
  Forecast f = FitPredict("baseline", y, {}, 7);
  // Step h is position (83 + h) % 7 = (h - 1) % 7: steps 6 and 7 are the weekend.
  for (int h = 1; h <= 5; ++h) EXPECT_LT(f.mean[h - 1], f.mean[5]);
  EXPECT_GT(f.mean[5], 16.0);
  EXPECT_LT(f.mean[0], 12.0);
  // The week's total is preserved: 5 x 10 + 2 x 20 = 90.
  EXPECT_NEAR(std::accumulate(f.mean.begin(), f.mean.end(), 0.0), 90.0, 1e-6);
  // Regular history: one-step errors come only from the profile's shrinkage, so the band
  // is narrow relative to demand.
  for (size_t h = 0; h < 7; ++h) EXPECT_LT(f.quantiles[2][h] - f.quantiles[0][h], 3.0);
}

TEST(BaselineModels, BaselineProfileIsShrunkWhenDataIsShort) {
  // Two days: positions 0 and 1 with 10 and 30 (raw factors 0.5 and 1.5 around 20).
  std::vector<double> y = {10, 30};
  Forecast flat = FitPredict("baseline:profile_weeks=0,min_days=1", y, {}, 7);
  for (double m : flat.mean) EXPECT_DOUBLE_EQ(m, 20.0);
  // One observation per factor, shrinkage 3: (1 x 0.5 + 3) / 4 = 0.875 and 1.125.
  // Step h is position (1 + h) % 7: step 6 -> position 0, step 7 -> position 1.
  Forecast shrunk = FitPredict("baseline:shrinkage=3,min_days=1", y, {}, 7);
  EXPECT_NEAR(shrunk.mean[5], 17.5, 1e-9);
  EXPECT_NEAR(shrunk.mean[6], 22.5, 1e-9);
  EXPECT_NEAR(shrunk.mean[0], 20.0, 1e-9);
}

TEST(BaselineModels, BaselineIgnoresStockoutDays) {
  std::vector<double> y(56, 10.0);
  std::vector<uint8_t> flags(56, 0);
  for (int t = 42; t < 56; ++t) {  // last two weeks out of stock, sales 0
    y[t] = 0.0;
    flags[t] = kFlagCensored;
  }
  Forecast f = FitPredict("baseline", y, flags, 7);
  for (double m : f.mean) EXPECT_NEAR(m, 10.0, 1e-9);
}

TEST(BaselineModels, QuantilesReflectNoise) {
  std::vector<double> y;
  for (int t = 0; t < 200; ++t) y.push_back(t % 2 == 0 ? 5.0 : 15.0);
  Forecast f = FitPredict("mean", y, {}, 3);
  EXPECT_NEAR(f.mean[0], 10.0, 1e-9);
  EXPECT_NEAR(f.quantiles[0][0], 5.0, 0.5);
  EXPECT_NEAR(f.quantiles[2][0], 15.0, 0.5);
  // Naive errors widen with the horizon.
  Forecast n = FitPredict("naive", y, {}, 9);
  EXPECT_GT(n.quantiles[2][8] - n.quantiles[0][8], n.quantiles[2][0] - n.quantiles[0][0]);
}

TEST(BaselineModels, FewErrorsUseAtLeastPoissonSpread) {
  std::vector<double> y = {16, 16, 16};
  Forecast f = FitPredict("mean:min_days=1", y, {}, 1, {0.1, 0.9});
  // sigma = sqrt(16) = 4; z(0.9) = 1.2816.
  EXPECT_NEAR(f.quantiles[1][0], 16 + 1.2816 * 4, 1e-3);
  EXPECT_NEAR(f.quantiles[0][0], 16 - 1.2816 * 4, 1e-3);
}

// UCI item 23843: launched on the last day with one order of 80,995 units. Repeating that day
// forecast 80,995 a day; the short-history rule spreads it over the window instead.
TEST(BaselineModels, ShortHistorySpreadsTotalOverWindow) {
  std::vector<double> y(40, kNaN);
  std::vector<uint8_t> flags(40, kFlagNotLaunched);
  y.push_back(80995);
  flags.push_back(0);
  for (const std::string spec : {"baseline", "naive", "mean", "snaive"}) {
    Forecast f = FitPredict(spec, y, flags, 14);
    EXPECT_EQ(f.fallback.rfind("short: 1 usable day < min_days 7", 0), 0u)
        << spec << ": " << f.fallback;
    for (double m : f.mean) EXPECT_NEAR(m, 80995.0 / 28.0, 1e-9) << spec;
    // Poisson(2892.7) quantiles: median ~ mean, P10/P90 ~ mean -/+ 1.28 sqrt(mean).
    EXPECT_NEAR(f.quantiles[1][0], 2893, 1.0) << spec;
    EXPECT_NEAR(f.quantiles[2][0], 80995.0 / 28.0 + 1.2816 * std::sqrt(80995.0 / 28.0), 2.0);
    EXPECT_NEAR(f.quantiles[0][0], 80995.0 / 28.0 - 1.2816 * std::sqrt(80995.0 / 28.0), 2.0);
  }
  // The window is the model's own: ma:window=10 spreads over 10 days.
  EXPECT_NEAR(FitPredict("ma:window=10", y, flags, 1).mean[0], 8099.5, 1e-9);
  // Three days of 4: total 12 over 28 days, small Poisson counts.
  Forecast g = FitPredict("baseline", {4, 4, 4}, {}, 2);
  EXPECT_NEAR(g.mean[0], 12.0 / 28.0, 1e-12);
  EXPECT_EQ(g.quantiles[0][0], 0.0);
  EXPECT_EQ(g.quantiles[1][0], 0.0);  // P(K = 0) = exp(-0.43) = 0.65 >= 0.5
  EXPECT_EQ(g.quantiles[2][0], 1.0);
  // min_days is a parameter: 1 turns the rule off, 7 usable days are enough by default.
  EXPECT_TRUE(FitPredict("baseline:min_days=1", {4, 4, 4}, {}, 1).fallback.empty());
  EXPECT_TRUE(FitPredict("baseline", std::vector<double>(7, 4.0), {}, 1).fallback.empty());
}

// 8 weeks where position 5 ("Saturday") is always missing: the shop is closed then.
TEST(BaselineModels, ClosedWeekdayGetsZeroAndWeekTotalIsKept) {
  std::vector<double> y;
  std::vector<uint8_t> flags;
  for (int t = 0; t < 56; ++t) {
    const bool closed = t % 7 == 5;
    y.push_back(closed ? kNaN : (t % 7 == 6 ? 5.0 : 11.0));  // Sunday quieter
    flags.push_back(closed ? kFlagMissing : 0);
  }
  Forecast f = FitPredict("baseline", y, flags, 14);
  // Step h is position (55 + h) % 7: steps 6 and 13 are position 5.
  EXPECT_EQ(f.mean[5], 0.0);
  EXPECT_EQ(f.mean[12], 0.0);
  for (const auto& q : f.quantiles) EXPECT_EQ(q[5], 0.0);
  // The week sells 5 x 11 + 5 = 60, spread over the six trading days only.
  EXPECT_NEAR(std::accumulate(f.mean.begin(), f.mean.begin() + 7, 0.0), 60.0, 1.0);
  EXPECT_NEAR(f.mean[0], 11.0, 0.5);
  EXPECT_NEAR(f.mean[6], 5.5, 0.5);  // 5, shrunk a little toward the average

  // A weekday whose days were all stockouts is not closed: it traded, demand was censored.
  for (int t = 5; t < 56; t += 7) {
    y[static_cast<size_t>(t)] = 0.0;
    flags[static_cast<size_t>(t)] = kFlagCensored;
  }
  Forecast g = FitPredict("baseline", y, flags, 7);
  EXPECT_GT(g.mean[5], 5.0);
  // Days before launch do not make a weekday look closed.
  std::vector<double> z(56, 10.0);
  std::vector<uint8_t> zf(56, 0);
  for (int t = 0; t < 51; ++t) {  // launched 5 days ago: positions 0 and 1 never seen
    z[static_cast<size_t>(t)] = kNaN;
    zf[static_cast<size_t>(t)] = kFlagNotLaunched;
  }
  Forecast h = FitPredict("baseline:min_days=1", z, zf, 7);
  for (double m : h.mean) EXPECT_NEAR(m, 10.0, 1e-9);
}

TEST(Distribution, PoissonQuantile) {
  // Poisson(2.5) CDF: 0.082, 0.287, 0.544, 0.758, 0.891, 0.958.
  EXPECT_EQ(PoissonQuantile(2.5, 0.05), 0.0);
  EXPECT_EQ(PoissonQuantile(2.5, 0.1), 1.0);
  EXPECT_EQ(PoissonQuantile(2.5, 0.5), 2.0);
  EXPECT_EQ(PoissonQuantile(2.5, 0.9), 5.0);
  EXPECT_EQ(PoissonQuantile(0.0, 0.9), 0.0);
  EXPECT_NEAR(PoissonQuantile(10000.0, 0.5), 10000.0, 1.0);
  EXPECT_NEAR(PoissonQuantile(10000.0, 0.9), 10000.0 + 128.16, 1.5);
}

TEST(Distribution, NormalQuantileAndCdf) {
  EXPECT_NEAR(NormalQuantile(0.95), 1.6448536269514722, 1e-9);
  EXPECT_NEAR(NormalQuantile(0.5), 0.0, 1e-12);
  EXPECT_NEAR(NormalQuantile(0.001), -3.090232306167813, 1e-9);
  EXPECT_NEAR(NormalQuantile(0.999), 3.090232306167813, 1e-9);
  for (double p : {0.01, 0.2, 0.7, 0.975}) EXPECT_NEAR(NormalCdf(NormalQuantile(p)), p, 1e-12);
  EXPECT_TRUE(std::isinf(NormalQuantile(0.0)));
}

TEST(Distribution, EmpiricalQuantileInterpolates) {
  const std::vector<double> v = {1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(EmpiricalQuantile(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(EmpiricalQuantile(v, 0.5), 3.0);
  EXPECT_DOUBLE_EQ(EmpiricalQuantile(v, 0.1), 1.4);
  EXPECT_DOUBLE_EQ(EmpiricalQuantile(v, 1.0), 5.0);
}

// drift against R's rwf(drift = TRUE) (tests/golden/forecast/stl.json, "drift" cases): mean
// y_n + h (y_n - y_1) / (n - 1), sd = sigma sqrt(h (1 + h / (n - 1))), sigma = sd(diff(y)).
TEST(DriftModel, MatchesRwfWithDrift) {
  const auto golden =
      nlohmann::json::parse(testing::ReadFile(testing::GoldenPath("forecast/stl.json")));
  ASSERT_EQ(golden["drift"].size(), 2u);
  for (const auto& c : golden["drift"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const std::vector<double> y = c["y"].get<std::vector<double>>();
    Forecast f = FitPredict("drift", y, {}, c["h"], {0.025, 0.1, 0.9, 0.975});
    EXPECT_TRUE(f.fallback.empty());
    const char* keys[] = {"lower95", "lower80", "upper80", "upper95"};
    const std::vector<double> mean = c["mean"].get<std::vector<double>>();
    for (size_t h = 0; h < mean.size(); ++h) {
      EXPECT_NEAR(f.mean[h], mean[h], 1e-9 * mean[h]);
      for (size_t l = 0; l < 4; ++l) {
        const double r = std::max(0.0, c[keys[l]][h].get<double>());  // demand: clamped at 0
        EXPECT_NEAR(f.quantiles[l][h], r, 1e-7 * std::max(1.0, std::fabs(r))) << keys[l] << " h=" << h + 1;
      }
    }
  }
}

TEST(DriftModel, GapsAreIncrementsOverSeveralDays) {
  // y = 10, -, 14, 15, 18 on days 0..4 (day 1 missing). Increments 4 over g = 2 days, 1 and 3
  // over one day each: b = (18 - 10) / 4 = 2; sigma^2 = [(4 - 2 x 2)^2 / 2 + (1 - 2)^2 +
  // (3 - 2)^2] / (3 - 1) = 1. Step h: mean 18 + 2 h, sd = sqrt(h + h^2 / 4).
  std::vector<double> y = {10, kNaN, 14, 15, 18};
  std::vector<uint8_t> flags = {0, kFlagMissing, 0, 0, 0};
  Forecast f = FitPredict("drift:min_days=1", y, flags, 2, {0.5, 0.9});
  EXPECT_DOUBLE_EQ(f.mean[0], 20.0);
  EXPECT_DOUBLE_EQ(f.mean[1], 22.0);
  EXPECT_NEAR(f.quantiles[1][1], 22.0 + NormalQuantile(0.9) * std::sqrt(3.0), 1e-9);
  EXPECT_NEAR(f.quantiles[1][0], 20.0 + NormalQuantile(0.9) * std::sqrt(1.25), 1e-9);
}

TEST(WmaModel, LinearWeightsNewestFirstAndErrorSpread) {
  // y = 1..15, window 3: yhat = (3 x 15 + 2 x 14 + 13) / 6 = 86 / 6. Every in-sample one-step
  // error is v_j - (3 (v_j - 1) + 2 (v_j - 2) + (v_j - 3)) / 6 = 10 / 6 = 5/3 (12 of them,
  // enough for their own spread), so sigma = 5/3.
  std::vector<double> y;
  for (int t = 1; t <= 15; ++t) y.push_back(t);
  Forecast f = FitPredict("wma:window=3", y, {}, 2, {0.1, 0.5, 0.9});
  EXPECT_NEAR(f.mean[0], 86.0 / 6.0, 1e-12);
  EXPECT_NEAR(f.mean[1], 86.0 / 6.0, 1e-12);
  EXPECT_NEAR(f.quantiles[2][0], 86.0 / 6.0 + NormalQuantile(0.9) * 5.0 / 3.0, 1e-9);
  // A censored last day is skipped: the window is 14, 13, 12 -> (42 + 26 + 12) / 6.
  std::vector<uint8_t> flags(15, 0);
  flags[14] = kFlagCensored;
  Forecast g = FitPredict("wma:window=3", y, flags, 1, {0.5});
  EXPECT_NEAR(g.mean[0], 80.0 / 6.0, 1e-12);
}

}  // namespace
}  // namespace stockcast::forecast
