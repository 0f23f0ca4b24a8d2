// Rolling-origin backtest with the naive model, whose forecast is the last usable value before
// the origin, so every per-window error can be worked out by hand.
#include "stockcast/forecast/backtest.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stockcast/core/demand_panel.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// 30 days: y[0..15) = 10, then three 5-day blocks.
std::vector<double> KnownSeries() {
  std::vector<double> y(15, 10.0);
  for (double v : {12, 8, 10, 14, 6}) y.push_back(v);     // days 15..19
  for (double v : {20, 20, 20, 20, 20}) y.push_back(v);  // days 20..24
  for (double v : {25, 15, 20, 30, 10}) y.push_back(v);  // days 25..29
  return y;
}

TEST(Backtest, NaiveWindowsByHand) {
  BacktestOptions options;
  options.horizon = 5;
  options.windows = 3;
  options.season_length = 7;
  const std::vector<double> y = KnownSeries();
  auto r = BacktestSeries(y, {}, "naive", options);
  ASSERT_TRUE(r.ok()) << r.error().message;
  // Origins: last = 30 - 5 = 25, then step = horizon = 5 apart: 15, 20, 25 (oldest first).
  ASSERT_EQ(r->windows.size(), 3u);
  EXPECT_EQ(r->skipped_windows, 0);
  EXPECT_EQ(r->windows[0].origin, 15u);
  EXPECT_EQ(r->windows[1].origin, 20u);
  EXPECT_EQ(r->windows[2].origin, 25u);
  for (const WindowResult& w : r->windows) EXPECT_EQ(w.fallback, "") << w.origin;
  // Origin 15: forecast y[14] = 10; actual 12 8 10 14 6 -> |e| 2 2 0 4 4 -> MAE 12/5.
  //   f - a = -2 2 0 -4 4 -> bias 0.
  EXPECT_DOUBLE_EQ(r->windows[0].metrics.mae, 2.4);
  EXPECT_DOUBLE_EQ(r->windows[0].metrics.bias, 0.0);
  // Origin 20: forecast y[19] = 6; actual 20 x5 -> MAE 14, bias -14.
  EXPECT_DOUBLE_EQ(r->windows[1].metrics.mae, 14.0);
  EXPECT_DOUBLE_EQ(r->windows[1].metrics.bias, -14.0);
  // Origin 25: forecast y[24] = 20; actual 25 15 20 30 10 -> |e| 5 5 0 10 10 -> MAE 6.
  EXPECT_DOUBLE_EQ(r->windows[2].metrics.mae, 6.0);
  EXPECT_DOUBLE_EQ(r->windows[2].metrics.bias, 0.0);
  // Pooled over the 15 steps: MAE = (12 + 70 + 30) / 15, bias = -70 / 15.
  EXPECT_EQ(r->metrics.n, 15);
  EXPECT_NEAR(r->metrics.mae, 112.0 / 15.0, 1e-12);
  EXPECT_NEAR(r->metrics.bias, -70.0 / 15.0, 1e-12);

  // MASE (m = 7) scales from each window's training data:
  //   origin 15: y[0..15) constant -> scale 0 -> MASE NaN (its steps leave the pooled MASE).
  //   origin 20: lag-7 pairs t = 7..19 (13): zero except t = 15..19 vs 10: 2 2 0 4 4 -> 12/13.
  //   origin 25: t = 7..24 (18 pairs): 12 as above + t = 20..24: 20 - {10,10,12,8,10} = 50
  //              -> 62/18 = 31/9.
  EXPECT_TRUE(std::isnan(r->windows[0].metrics.mase));
  const double mase20 = 14.0 / (12.0 / 13.0);
  const double mase25 = 6.0 / (31.0 / 9.0);
  EXPECT_NEAR(r->windows[1].metrics.mase, mase20, 1e-12);
  EXPECT_NEAR(r->windows[2].metrics.mase, mase25, 1e-12);
  // Pooled MASE = mean of the 10 per-step scaled errors of windows 20 and 25; both have 5
  // steps, so it equals the mean of their MASEs.
  EXPECT_NEAR(r->metrics.mase, (mase20 + mase25) / 2.0, 1e-12);

  // Default levels {0.05, 0.5, 0.95}: a pinball per level, interval 5%-95% (nominal 0.90).
  ASSERT_EQ(r->pinball.size(), 3u);
  for (double p : r->pinball) EXPECT_TRUE(std::isfinite(p));
  EXPECT_NEAR(r->interval_nominal, 0.90, 1e-12);
  EXPECT_EQ(r->interval.n, 15);
}

TEST(Backtest, PooledPinballMatchesRefittedModels) {
  // The pooled pinball is the mean over all 15 steps, i.e. the mean of the per-window pinball
  // losses (equal window lengths) of a model refitted on each window's training data.
  BacktestOptions options;
  options.horizon = 5;
  options.windows = 3;
  const std::vector<double> y = KnownSeries();
  auto r = BacktestSeries(y, {}, "naive", options);
  ASSERT_TRUE(r.ok());
  for (size_t l = 0; l < options.levels.size(); ++l) {
    double sum = 0.0;
    for (size_t origin : {15u, 20u, 25u}) {
      auto model = CreateModel("naive");
      ASSERT_TRUE(model.ok());
      ASSERT_TRUE((*model)->Fit(std::span<const double>(y).subspan(0, origin), {}, 7).ok());
      auto f = (*model)->Predict(5, options.levels);
      ASSERT_TRUE(f.ok());
      sum += PinballLoss(std::span<const double>(y).subspan(origin, 5), f->quantiles[l],
                         options.levels[l]);
    }
    EXPECT_NEAR(r->pinball[l], sum / 3.0, 1e-9) << "level " << options.levels[l];
  }
}

TEST(Backtest, IntervalNeedsSymmetricPair) {
  BacktestOptions options;
  options.horizon = 5;
  options.windows = 1;
  options.levels = {0.1, 0.5};  // no symmetric pair
  auto r = BacktestSeries(KnownSeries(), {}, "naive", options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->interval_nominal, 0.0);
  EXPECT_EQ(r->interval.n, 0);
  EXPECT_EQ(r->pinball.size(), 2u);
  // {0.1, 0.25, 0.75, 0.9}: the outermost pair is 0.1 / 0.9 -> nominal 0.8.
  options.levels = {0.1, 0.25, 0.75, 0.9};
  r = BacktestSeries(KnownSeries(), {}, "naive", options);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->interval_nominal, 0.8, 1e-12);
  EXPECT_EQ(r->interval.n, 5);
}

TEST(Backtest, OverlappingStep) {
  // n = 30, horizon 5, step 1, 3 windows: origins 23, 24, 25.
  BacktestOptions options;
  options.horizon = 5;
  options.windows = 3;
  options.step = 1;
  auto r = BacktestSeries(KnownSeries(), {}, "naive", options);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->windows.size(), 3u);
  EXPECT_EQ(r->windows[0].origin, 23u);
  EXPECT_EQ(r->windows[1].origin, 24u);
  EXPECT_EQ(r->windows[2].origin, 25u);
  // Origin 23: forecast y[22] = 20; actual y[23..28) = 20 20 25 15 20 -> |e| 0 0 5 5 0 -> 2.
  EXPECT_DOUBLE_EQ(r->windows[0].metrics.mae, 2.0);
}

TEST(Backtest, ShortSeriesSkipsWindows) {
  // n = 8, horizon 2, step 2, 6 windows: origins -4, -2, 0, 2, 4, 6.
  //   -4, -2: before the series; 0: no value before; 2: one finite value (5, NaN) -> skipped.
  //   4: y[0..4) = 5 NaN NaN 3 (2 finite) and 6 run.
  const std::vector<double> y = {5, kNaN, kNaN, 3, 4, 6, 2, 7};
  BacktestOptions options;
  options.horizon = 2;
  options.windows = 6;
  auto r = BacktestSeries(y, {}, "naive:min_days=1", options);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->skipped_windows, 4);
  ASSERT_EQ(r->windows.size(), 2u);
  EXPECT_EQ(r->windows[0].origin, 4u);
  EXPECT_EQ(r->windows[1].origin, 6u);
  // Origin 4: forecast y[3] = 3; actual 4 6 -> MAE (1 + 3) / 2 = 2.
  // Origin 6: forecast y[5] = 6; actual 2 7 -> MAE (4 + 1) / 2 = 2.5.
  EXPECT_DOUBLE_EQ(r->windows[0].metrics.mae, 2.0);
  EXPECT_DOUBLE_EQ(r->windows[1].metrics.mae, 2.5);
  EXPECT_DOUBLE_EQ(r->metrics.mae, 9.0 / 4.0);

  // With the default min_days = 7 the model falls back and the window says so.
  auto fallback = BacktestSeries(y, {}, "naive", options);
  ASSERT_TRUE(fallback.ok());
  ASSERT_EQ(fallback->windows.size(), 2u);
  EXPECT_EQ(fallback->windows[0].fallback.rfind("short", 0), 0u) << fallback->windows[0].fallback;

  // Shorter than the horizon: no window at all; pooled metrics are NaN, not an error.
  auto none = BacktestSeries(std::vector<double>{1, 2, 3}, {}, "naive", options);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->windows.empty());
  EXPECT_EQ(none->skipped_windows, 6);
  EXPECT_EQ(none->metrics.n, 0);
  EXPECT_TRUE(std::isnan(none->metrics.mae));
  EXPECT_TRUE(std::isnan(none->pinball[0]));
}

TEST(Backtest, CensoredAndMissingActualsAreNotScored) {
  // 15 days of 10, then actuals 10 0 12 NaN 10 with day 16 censored (0 sold: out of stock).
  std::vector<double> y(15, 10.0);
  for (double v : {10.0, 0.0, 12.0, kNaN, 10.0}) y.push_back(v);
  std::vector<uint8_t> flags(y.size(), 0);
  flags[16] = kFlagCensored;
  BacktestOptions options;
  options.horizon = 5;
  options.windows = 1;
  auto r = BacktestSeries(y, flags, "naive", options);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->windows.size(), 1u);
  // Forecast 10; scored: 10 (0), 12 (2), 10 (0) -> n = 3, MAE 2/3. Scoring the censored 0
  // would have given n = 4, MAE 12/4 = 3.
  EXPECT_EQ(r->windows[0].metrics.n, 3);
  EXPECT_NEAR(r->windows[0].metrics.mae, 2.0 / 3.0, 1e-12);
  EXPECT_EQ(r->metrics.n, 3);
  EXPECT_EQ(r->interval.n, 3);
  // Without the flag the 0 is scored.
  auto unflagged = BacktestSeries(y, {}, "naive", options);
  ASSERT_TRUE(unflagged.ok());
  EXPECT_EQ(unflagged->windows[0].metrics.n, 4);
  EXPECT_DOUBLE_EQ(unflagged->windows[0].metrics.mae, 3.0);
}

TEST(Backtest, OptionValidationMessages) {
  const auto message = [](const BacktestOptions& o) {
    Status s = o.Validate();
    return s.ok() ? std::string("ok") : s.error().message;
  };
  BacktestOptions o;
  EXPECT_EQ(message(o), "ok");
  o.horizon = 0;
  EXPECT_EQ(message(o), "BacktestOptions::horizon = 0; must be >= 1");
  o = {};
  o.windows = 0;
  EXPECT_EQ(message(o), "BacktestOptions::windows = 0; must be >= 1");
  o = {};
  o.step = -1;
  EXPECT_EQ(message(o), "BacktestOptions::step = -1; must be >= 0 (0 = horizon)");
  o = {};
  o.season_length = 0;
  EXPECT_EQ(message(o), "BacktestOptions::season_length = 0; must be >= 1");
  o = {};
  o.levels = {0.5, 1.2};
  EXPECT_EQ(message(o), "BacktestOptions::levels[1] = 1.2; must be in (0, 1)");
  o.levels = {0.5, 0.5};
  EXPECT_EQ(message(o),
            "BacktestOptions::levels[1] = 0.5 follows 0.5; levels must be strictly ascending");
  o.levels = {};
  EXPECT_EQ(message(o), "ok");  // no quantiles: point metrics only

  // BacktestSeries reports the same errors.
  o = {};
  o.horizon = -3;
  auto r = BacktestSeries(KnownSeries(), {}, "naive", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "BacktestOptions::horizon = -3; must be >= 1");
}

TEST(Backtest, BadArgumentsAreErrors) {
  BacktestOptions o;
  o.horizon = 5;
  auto r = BacktestSeries(KnownSeries(), std::vector<uint8_t>(3, 0), "naive", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "backtest: flags has 3 days but the series has 30; they must match");
  r = BacktestSeries(KnownSeries(), {}, "arima2", o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("backtest of model \"arima2\": unknown model \"arima2\""),
            std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace stockcast::forecast
