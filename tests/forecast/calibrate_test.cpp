// Interval calibration on backtest residuals (forecast/calibrate.h).
#include "stockcast/forecast/calibrate.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace stockcast::forecast {
namespace {

std::vector<double> Noise(size_t n, double mean, double sd, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> dist(mean, sd);
  std::vector<double> y(n);
  for (double& v : y) v = dist(rng);
  return y;
}

const std::vector<double> kLevels = {0.05, 0.5, 0.95};

Forecast Fit(const std::string& spec, const std::vector<double>& y, int h) {
  RobustForecast r = ForecastOrFallback(spec, y, {}, 1, Regressors{}, h, kLevels);
  EXPECT_TRUE(r.forecast.fallback.empty()) << r.forecast.fallback;
  return r.forecast;
}

TEST(Calibrate, OffLeavesTheForecastAlone) {
  const auto y = Noise(200, 100, 10, 1);
  Forecast f = Fit("naive", y, 14);
  const Forecast before = f;
  CalibrationResult r = CalibrateQuantiles("naive", y, {}, 1, {}, {.windows = 0, .min_points = 20}, &f);
  EXPECT_FALSE(r.applied);
  EXPECT_EQ(f.quantiles, before.quantiles);
}

// The naive model's intervals widen like sqrt(h), but for white noise the error of the last
// value carried forward does not grow with the step: its intervals are too wide, and the
// backtest says so.
TEST(Calibrate, NarrowsIntervalsThatAreTooWide) {
  // Twelve windows: the scores of one window share its last value, so few windows are few
  // independent draws.
  const auto y = Noise(800, 100, 10, 2);
  const int h = 28;
  Forecast f = Fit("naive", y, h);
  const Forecast before = f;
  CalibrationResult r = CalibrateQuantiles("naive", y, {}, 1, {}, {.windows = 12, .min_points = 20}, &f);
  ASSERT_TRUE(r.applied);
  EXPECT_EQ(r.windows_used, 12);
  ASSERT_EQ(r.points.size(), 3u);
  EXPECT_EQ(r.points[0], 12 * h);
  EXPECT_EQ(r.points[1], 0);  // the median is the centre, never rescaled
  EXPECT_EQ(r.points[2], 12 * h);
  EXPECT_DOUBLE_EQ(r.factor[1], 1.0);
  for (size_t l : {size_t{0}, size_t{2}}) {
    EXPECT_GE(r.factor[l], kMinCalibrationFactor);
    EXPECT_LT(r.factor[l], 0.8) << "level " << kLevels[l];
  }
  EXPECT_EQ(f.quantiles[1], before.quantiles[1]);
  for (int t = 0; t < h; ++t) {
    const size_t s = static_cast<size_t>(t);
    EXPECT_LT(f.quantiles[2][s] - f.quantiles[0][s], before.quantiles[2][s] - before.quantiles[0][s]);
    EXPECT_LE(f.quantiles[0][s], f.quantiles[1][s]);
    EXPECT_LE(f.quantiles[1][s], f.quantiles[2][s]);
  }
  // The calibrated 90 % band covers about 90 % of fresh values of the same noise; the model's
  // own band covers nearly all of them at long steps.
  const auto future = Noise(2000, 100, 10, 3);
  int inside = 0, inside_before = 0, total = 0;
  for (size_t i = 0; i < future.size(); ++i) {
    const size_t s = i % static_cast<size_t>(h);
    inside += future[i] >= f.quantiles[0][s] && future[i] <= f.quantiles[2][s];
    inside_before += future[i] >= before.quantiles[0][s] && future[i] <= before.quantiles[2][s];
    ++total;
  }
  const double coverage = static_cast<double>(inside) / total;
  EXPECT_GT(coverage, 0.80);
  EXPECT_LT(coverage, 0.97);
  EXPECT_GT(static_cast<double>(inside_before) / total, 0.98);
}

// The mean model's band for white noise is about right: the factors stay near 1.
TEST(Calibrate, KeepsIntervalsThatAreRight) {
  const auto y = Noise(600, 100, 10, 4);
  Forecast f = Fit("mean", y, 28);
  CalibrationResult r = CalibrateQuantiles("mean", y, {}, 1, {}, {.windows = 6, .min_points = 20}, &f);
  ASSERT_TRUE(r.applied);
  EXPECT_NEAR(r.factor[0], 1.0, 0.3);
  EXPECT_NEAR(r.factor[2], 1.0, 0.3);
}

TEST(Calibrate, TooFewPointsLeaveALevelAlone) {
  const auto y = Noise(40, 100, 10, 5);
  Forecast f = Fit("naive", y, 7);
  const Forecast before = f;
  // Two windows of 7 steps: 14 scores per level, fewer than 20.
  CalibrationResult r = CalibrateQuantiles("naive", y, {}, 1, {}, {.windows = 2, .min_points = 20}, &f);
  EXPECT_FALSE(r.applied);
  EXPECT_EQ(r.points[0], 14);
  EXPECT_EQ(f.quantiles, before.quantiles);
}

TEST(Calibrate, DemandQuantilesStayNonNegative) {
  // Low counts: widening the lower band must not push it below zero.
  std::mt19937_64 rng(6);
  std::poisson_distribution<int> dist(1.5);
  std::vector<double> y(300);
  for (double& v : y) v = dist(rng);
  Forecast f = Fit("naive", y, 14);
  CalibrateQuantiles("naive", y, {}, 1, {}, {.windows = 8, .min_points = 20}, &f);
  for (const auto& q : f.quantiles) {
    for (double v : q) EXPECT_GE(v, 0.0);
  }
}

TEST(Calibrate, OptionsAreValidated) {
  CalibrationOptions bad_windows;
  bad_windows.windows = -1;
  EXPECT_EQ(bad_windows.Validate().error().message,
            "CalibrationOptions::windows = -1; must be >= 0 (0 = no calibration)");
  CalibrationOptions bad_points;
  bad_points.min_points = 0;
  EXPECT_FALSE(bad_points.Validate().ok());
  CalibrationOptions good;
  good.windows = 3;
  EXPECT_TRUE(good.Validate().ok());
}

}  // namespace
}  // namespace stockcast::forecast
