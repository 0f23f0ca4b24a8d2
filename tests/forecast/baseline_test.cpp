#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "stockcast/core/demand_panel.h"
#include "stockcast/forecast/distribution.h"
#include "stockcast/forecast/model.h"

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
  Forecast f = FitPredict("naive", y, flags, 3);
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
  EXPECT_DOUBLE_EQ(FitPredict("mean", y, flags, 1).mean[0], 12.5);
  EXPECT_DOUBLE_EQ(FitPredict("ma:window=2", y, flags, 1).mean[0], 15.0);
  EXPECT_DOUBLE_EQ(FitPredict("ma:window=3", y, flags, 1).mean[0], 40.0 / 3.0);
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
  Forecast flat = FitPredict("baseline:profile_weeks=0", y, {}, 7);
  for (double m : flat.mean) EXPECT_DOUBLE_EQ(m, 20.0);
  // One observation per factor, shrinkage 3: (1 x 0.5 + 3) / 4 = 0.875 and 1.125.
  // Step h is position (1 + h) % 7: step 6 -> position 0, step 7 -> position 1.
  Forecast shrunk = FitPredict("baseline:shrinkage=3", y, {}, 7);
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
  Forecast f = FitPredict("mean", y, {}, 1, {0.1, 0.9});
  // sigma = sqrt(16) = 4; z(0.9) = 1.2816.
  EXPECT_NEAR(f.quantiles[1][0], 16 + 1.2816 * 4, 1e-3);
  EXPECT_NEAR(f.quantiles[0][0], 16 - 1.2816 * 4, 1e-3);
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

}  // namespace
}  // namespace stockcast::forecast
