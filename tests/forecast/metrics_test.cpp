// Forecast accuracy metrics on small vectors; every expected value is worked out by hand in
// the comment above it from the definitions in metrics.h (Hyndman & Koehler 2006, M4, M5).
#include "stockcast/forecast/metrics.h"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The shared example: a = {2, 4, 0, 5}, f = {3, 2, 1, 6}, so a - f = {-1, 2, -1, -1}.
const std::vector<double> kActual = {2, 4, 0, 5};
const std::vector<double> kForecast = {3, 2, 1, 6};

TEST(Metrics, ScaleDependentErrors) {
  const PointMetrics p = ComputePointMetrics(kActual, kForecast, {}, 1);
  EXPECT_EQ(p.n, 4);
  // MAE = (1 + 2 + 1 + 1) / 4 = 1.25
  EXPECT_DOUBLE_EQ(p.mae, 1.25);
  // MSE = (1 + 4 + 1 + 1) / 4 = 1.75, RMSE = sqrt(1.75)
  EXPECT_DOUBLE_EQ(p.mse, 1.75);
  EXPECT_DOUBLE_EQ(p.rmse, std::sqrt(1.75));
  // bias = mean(f - a) = (1 - 2 + 1 + 1) / 4 = 0.25 > 0: over-forecast on balance
  EXPECT_DOUBLE_EQ(p.bias, 0.25);
  // R2: mean(a) = 11/4; SST = 0.75^2 + 1.25^2 + 2.75^2 + 2.25^2 = 14.75 = 59/4; SSE = 7;
  // R2 = 1 - 7 / (59/4) = 1 - 28/59 = 31/59
  EXPECT_DOUBLE_EQ(p.r2, 31.0 / 59.0);
}

TEST(Metrics, BiasSignFollowsUnderForecast) {
  // f below a everywhere: f - a = {-1, -3} -> bias = -2 (under-forecast).
  const PointMetrics p = ComputePointMetrics(std::vector<double>{5, 7},
                                             std::vector<double>{4, 4}, {}, 1);
  EXPECT_DOUBLE_EQ(p.bias, -2.0);
}

TEST(Metrics, PercentageErrors) {
  const PointMetrics p = ComputePointMetrics(kActual, kForecast, {}, 1);
  // MAPE skips a = 0: (1/2 + 2/4 + 1/5) / 3 = 1.2 / 3 = 0.4 -> 40 %
  EXPECT_DOUBLE_EQ(p.mape, 40.0);
  // sMAPE: 200/4 * (1/5 + 2/6 + 1/1 + 1/11) = 50 * (33 + 55 + 165 + 15) / 165 = 13400 / 165
  EXPECT_NEAR(p.smape, 13400.0 / 165.0, 1e-12);
}

TEST(Metrics, SmapeCountsZeroOverZeroAsZero) {
  // a = {0, 2}, f = {0, 1}: terms 0 (the 0/0 term) and 1/3; sMAPE = 200/2 * 1/3 = 100/3.
  // MAPE only has the a = 2 step: 100 * 1/2 = 50.
  const PointMetrics p = ComputePointMetrics(std::vector<double>{0, 2},
                                             std::vector<double>{0, 1}, {}, 1);
  EXPECT_EQ(p.n, 2);
  EXPECT_NEAR(p.smape, 100.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(p.mape, 50.0);
}

TEST(Metrics, MapeIsNanWhenEveryActualIsZero) {
  const PointMetrics p = ComputePointMetrics(std::vector<double>{0, 0},
                                             std::vector<double>{1, 2}, {}, 1);
  EXPECT_TRUE(std::isnan(p.mape));
  // sMAPE is still defined: 200/2 * (1/1 + 2/2) = 200
  EXPECT_DOUBLE_EQ(p.smape, 200.0);
}

TEST(Metrics, MaseWithNaiveScale) {
  // train {1, 3, 2, 6}: |diffs| 2, 1, 4 -> naive scale 7/3; MASE = 1.25 / (7/3) = 3.75 / 7.
  // RMSSE: squared diffs 4, 1, 16 -> scale 7; RMSSE = sqrt(1.75 / 7) = 0.5.
  const std::vector<double> train = {1, 3, 2, 6};
  const PointMetrics p = ComputePointMetrics(kActual, kForecast, train, 1);
  EXPECT_DOUBLE_EQ(MaseScale(train, 1), 7.0 / 3.0);
  EXPECT_DOUBLE_EQ(RmsseScale(train), 7.0);
  EXPECT_DOUBLE_EQ(p.mase, 3.75 / 7.0);
  EXPECT_DOUBLE_EQ(p.rmsse, 0.5);
}

TEST(Metrics, MaseWithSeasonalScale) {
  // m = 4, train {1, 3, 2, 6, 2, 5, 2, 8}: y_t - y_{t-4} = 1, 2, 0, 2 -> scale 5/4;
  // MASE = 1.25 / 1.25 = 1.
  const std::vector<double> train = {1, 3, 2, 6, 2, 5, 2, 8};
  EXPECT_DOUBLE_EQ(MaseScale(train, 4), 1.25);
  EXPECT_DOUBLE_EQ(ComputePointMetrics(kActual, kForecast, train, 4).mase, 1.0);
  // With only 4 training values (< m + 1 = 5) the naive scale 7/3 is used instead.
  const std::vector<double> short_train = {1, 3, 2, 6};
  EXPECT_DOUBLE_EQ(ComputePointMetrics(kActual, kForecast, short_train, 4).mase, 3.75 / 7.0);
}

TEST(Metrics, ScalesSkipPairsWithNaN) {
  // train {1, NaN, 2, 6}: only the pair (2, 6) is finite -> naive scale 4, squared scale 16.
  // MASE = 1.25 / 4 = 0.3125; RMSSE = sqrt(1.75 / 16).
  const std::vector<double> train = {1, kNaN, 2, 6};
  const PointMetrics p = ComputePointMetrics(kActual, kForecast, train, 1);
  EXPECT_DOUBLE_EQ(p.mase, 0.3125);
  EXPECT_DOUBLE_EQ(p.rmsse, std::sqrt(1.75 / 16.0));
}

TEST(Metrics, UndefinedScalesAreNan) {
  // A constant training series has scale 0; an empty or one-value series has no pair.
  for (const std::vector<double>& train :
       {std::vector<double>{3, 3, 3}, std::vector<double>{}, std::vector<double>{5},
        std::vector<double>{kNaN, 4, kNaN}}) {
    const PointMetrics p = ComputePointMetrics(kActual, kForecast, train, 1);
    EXPECT_TRUE(std::isnan(p.mase));
    EXPECT_TRUE(std::isnan(p.rmsse));
    EXPECT_FALSE(std::isinf(p.mase));
    EXPECT_DOUBLE_EQ(p.mae, 1.25);  // the scale-dependent metrics are unaffected
  }
}

TEST(Metrics, NanStepsAreSkipped) {
  // Step 2 has a NaN actual, step 3 a NaN forecast: only step 1 (a = 2, f = 3) is scored.
  const PointMetrics p = ComputePointMetrics(std::vector<double>{2, kNaN, 4},
                                             std::vector<double>{3, 5, kNaN}, {}, 1);
  EXPECT_EQ(p.n, 1);
  EXPECT_DOUBLE_EQ(p.mae, 1.0);
  EXPECT_DOUBLE_EQ(p.bias, 1.0);
  EXPECT_DOUBLE_EQ(p.mape, 50.0);  // 100 * 1/2
  // One step: SST = 0, so R2 is undefined.
  EXPECT_TRUE(std::isnan(p.r2));
}

TEST(Metrics, NoScoredStepGivesNan) {
  const PointMetrics p = ComputePointMetrics(std::vector<double>{kNaN},
                                             std::vector<double>{1}, {}, 1);
  EXPECT_EQ(p.n, 0);
  EXPECT_TRUE(std::isnan(p.mae));
  EXPECT_TRUE(std::isnan(p.rmse));
  EXPECT_TRUE(std::isnan(p.smape));
}

TEST(Metrics, PinballAboveAndBelowActual) {
  // level 0.9, a = 10: q = 8 below a -> (10 - 8) * 0.9 = 1.8;
  //                    q = 12 above a -> (12 - 10) * 0.1 = 0.2.
  EXPECT_NEAR(PinballLoss(std::vector<double>{10}, std::vector<double>{8}, 0.9), 1.8, 1e-12);
  EXPECT_NEAR(PinballLoss(std::vector<double>{10}, std::vector<double>{12}, 0.9), 0.2, 1e-12);
  // q = a costs nothing.
  EXPECT_DOUBLE_EQ(PinballLoss(std::vector<double>{10}, std::vector<double>{10}, 0.9), 0.0);
  // Path a = {10, 10, NaN}, q = {7, 12, 1}, level 0.9: 3 * 0.9 = 2.7, 2 * 0.1 = 0.2, NaN step
  // skipped -> mean 1.45.
  EXPECT_NEAR(PinballLoss(std::vector<double>{10, 10, kNaN}, std::vector<double>{7, 12, 1}, 0.9),
              1.45, 1e-12);
  // Same path at level 0.1: 3 * 0.1 = 0.3, 2 * 0.9 = 1.8 -> 1.05.
  EXPECT_NEAR(PinballLoss(std::vector<double>{10, 10, kNaN}, std::vector<double>{7, 12, 1}, 0.1),
              1.05, 1e-12);
  EXPECT_TRUE(std::isnan(PinballLoss(std::vector<double>{kNaN}, std::vector<double>{1}, 0.5)));
}

TEST(Metrics, IntervalCoverageAndWidth) {
  // a = 5 in [4, 6] yes; a = 10 in [11, 12] no; a = 15 in [10, 15] yes (bounds inclusive);
  // the NaN step is skipped. coverage = 2/3, width = (2 + 1 + 5) / 3 = 8/3.
  const IntervalScore s = ScoreInterval(std::vector<double>{5, 10, 15, kNaN},
                                        std::vector<double>{4, 11, 10, 0},
                                        std::vector<double>{6, 12, 15, 1});
  EXPECT_EQ(s.n, 3);
  EXPECT_DOUBLE_EQ(s.coverage, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.width, 8.0 / 3.0);
  const IntervalScore none = ScoreInterval(std::vector<double>{kNaN}, std::vector<double>{0},
                                           std::vector<double>{1});
  EXPECT_EQ(none.n, 0);
  EXPECT_TRUE(std::isnan(none.coverage));
}

TEST(Metrics, SummariseSkipsNanAndCountsSkips) {
  PointMetrics a;
  a.n = 4;
  a.mae = 1;
  a.mse = 2;
  a.rmse = 1;
  a.smape = 10;
  a.bias = -1;
  a.mape = 10;
  a.mase = 0.5;
  a.rmsse = 1;
  a.r2 = 0.5;
  PointMetrics b = a;
  b.n = 2;
  b.mae = 3;
  b.bias = 2;
  b.mape = kNaN;
  b.mase = kNaN;
  b.rmsse = 2;
  b.r2 = kNaN;
  PointMetrics empty = ComputePointMetrics(std::vector<double>{kNaN}, std::vector<double>{1}, {}, 1);
  const std::vector<PointMetrics> all = {a, b, empty};
  const MetricsSummary s = Summarise(all);
  EXPECT_EQ(s.series, 3);
  EXPECT_EQ(s.empty, 1);
  EXPECT_EQ(s.mean.n, 6);  // 4 + 2 steps
  // mae: (1 + 3) / 2; bias: (-1 + 2) / 2; rmsse: (1 + 2) / 2
  EXPECT_DOUBLE_EQ(s.mean.mae, 2.0);
  EXPECT_DOUBLE_EQ(s.mean.bias, 0.5);
  EXPECT_DOUBLE_EQ(s.mean.rmsse, 1.5);
  // mape / mase / r2: only series a is finite
  EXPECT_DOUBLE_EQ(s.mean.mape, 10.0);
  EXPECT_DOUBLE_EQ(s.mean.mase, 0.5);
  EXPECT_DOUBLE_EQ(s.mean.r2, 0.5);
  EXPECT_EQ(s.skipped_mape, 1);
  EXPECT_EQ(s.skipped_mase, 1);
  EXPECT_EQ(s.skipped_r2, 1);
  EXPECT_EQ(s.skipped_rmsse, 0);
}

TEST(Metrics, WeightedRmsseNormalisesWeights) {
  std::vector<PointMetrics> series(4);
  series[0].rmsse = 1;
  series[1].rmsse = 2;
  series[2].rmsse = kNaN;  // left out, its weight too
  series[3].rmsse = 4;
  // Weights 1, 3 over the finite series 0 and 1; series 3 has a negative weight (left out).
  // WRMSSE = (1 * 1 + 3 * 2) / (1 + 3) = 7/4.
  EXPECT_DOUBLE_EQ(WeightedRmsse(series, std::vector<double>{1, 3, 10, -1}), 1.75);
  // Normalisation: scaling every weight leaves it unchanged.
  EXPECT_DOUBLE_EQ(WeightedRmsse(series, std::vector<double>{100, 300, 5, -2}), 1.75);
  // Equal weights over series 0, 1, 3: (1 + 2 + 4) / 3.
  EXPECT_DOUBLE_EQ(WeightedRmsse(series, std::vector<double>{1, 1, 1, 1}), 7.0 / 3.0);
  // Nothing left: NaN.
  EXPECT_TRUE(std::isnan(WeightedRmsse(series, std::vector<double>{0, 0, 1, 0})));
}

}  // namespace
}  // namespace stockcast::forecast
