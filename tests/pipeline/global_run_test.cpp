// Global models through the series entry points: `forecast --series` (train or --model-file,
// --save-model), `backtest --series` (one model per window across all series) and `train`.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "forecast/promo_panel.h"
#include "stockcast/core/date.h"
#include "stockcast/forecast/global_model.h"
#include "stockcast/pipeline/global_run.h"
#include "stockcast/pipeline/series_run.h"
#include "test_util.h"

namespace stockcast::pipeline {
namespace {

bool GbmAvailable() {
  const auto* info = forecast::GlobalModelRegistry::Global().Find("gbm");
  return info != nullptr && info->available;
}

// Without xgboost these skip and say why, unless STOCKCAST_REQUIRE_ALL_TESTS=1 (CI): then fail.
#define REQUIRE_GBM() SC_SKIP_OR_FAIL_UNLESS(GbmAvailable(), "built without xgboost")

constexpr const char* kSpec = "gbm:n_estimators=40,max_depth=4,threads=1";
constexpr int kDays = 240;
constexpr int kHorizon = 14;

std::string Dir() {
  const std::string dir = ::testing::TempDir() + "/global_run_test";
  std::filesystem::create_directories(dir);
  return dir;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The panel as a long CSV with a promotion column: `history` days of values, then the known
// future promotions for `future` days. With `spike`, the last kHorizon days of history are
// 100 x their value (to catch a backtest that trains on its own test window).
std::string WriteCsv(const forecast::testing::PromoPanel& p, int history, int future,
                     const std::string& name, bool spike = false) {
  const std::string path = Dir() + "/" + name;
  std::ofstream out(path);
  out << "series_id,date,value,promotion\n";
  const Date first = *Date::FromYmd(2023, 1, 2);
  for (size_t s = 0; s < p.full.size(); ++s) {
    for (int t = 0; t < history + future; ++t) {
      out << "S" << s << "," << (first + t).ToString() << ",";
      if (t < history) {
        const double v = p.full[s][static_cast<size_t>(t)];
        out << (spike && t >= history - kHorizon ? 100 * v : v);
      }
      out << "," << p.promo[s][static_cast<size_t>(t)] << "\n";
    }
  }
  return path;
}

TEST(GlobalSeriesRun, ForecastSaveAndModelFileGiveTheSameRows) {
  REQUIRE_GBM();
  const auto p = forecast::testing::MakePromoPanel(10, kDays, kHorizon, 21);
  const std::string csv = WriteCsv(p, kDays, kHorizon, "promo.csv");
  SeriesForecastOptions o;
  o.series_path = csv;
  o.out_path = Dir() + "/trained.csv";
  o.model = kSpec;
  o.horizon = kHorizon;
  o.save_model = Dir() + "/gbm.model";
  auto trained = RunSeriesForecast(o);
  ASSERT_TRUE(trained.ok()) << trained.error().message;
  EXPECT_EQ(trained->series, 10u);
  EXPECT_EQ(trained->rows, 10u * kHorizon);
  EXPECT_EQ(trained->chosen.at("gbm"), 10u);
  EXPECT_NE(trained->global_model.find("gbm("), std::string::npos);
  ASSERT_FALSE(trained->importance.empty());
  ASSERT_TRUE(std::filesystem::exists(o.save_model));

  SeriesForecastOptions loaded = o;
  loaded.model = "auto";  // ignored: the file names its model
  loaded.model_file = o.save_model;
  loaded.save_model.clear();
  loaded.out_path = Dir() + "/loaded.csv";
  auto again = RunSeriesForecast(loaded);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(Slurp(o.out_path), Slurp(loaded.out_path));

  // `stockcast train` writes the same model as training inside the forecast.
  TrainOptions t;
  t.series_path = csv;
  t.out_path = Dir() + "/train.model";
  t.model = kSpec;
  t.horizon = kHorizon;
  auto summary = RunTrain(t);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->series, 10u);
  loaded.model_file = t.out_path;
  loaded.out_path = Dir() + "/train.csv";
  ASSERT_TRUE(RunSeriesForecast(loaded).ok());
  EXPECT_EQ(Slurp(o.out_path), Slurp(loaded.out_path));
}

// Each window's model is trained on the days before its origin only: the last 14 days of every
// series are 100 x their usual value, and the last window's forecasts must not know it, while
// the model does learn the promotion lift (promoted days forecast higher).
TEST(GlobalSeriesRun, BacktestTrainsEachWindowOnItsPastOnly) {
  REQUIRE_GBM();
  const auto p = forecast::testing::MakePromoPanel(12, kDays, kHorizon, 23);
  SeriesBacktestOptions o;
  o.series_path = WriteCsv(p, kDays, 0, "spiked.csv", /*spike=*/true);
  o.model = kSpec;
  o.backtest.horizon = kHorizon;
  o.backtest.windows = 2;
  o.backtest.keep_forecasts = true;
  o.threads = 1;
  auto sum = RunSeriesBacktest(o);
  ASSERT_TRUE(sum.ok()) << sum.error().message;
  ASSERT_EQ(sum->series.size(), 12u);
  EXPECT_EQ(sum->failed, 0u);
  for (size_t s = 0; s < sum->series.size(); ++s) {
    const auto& windows = sum->series[s].result.windows;
    ASSERT_EQ(windows.size(), 2u);
    EXPECT_EQ(windows[1].origin, static_cast<size_t>(kDays - kHorizon));
    double largest_before = 0;
    for (int t = 0; t < kDays - kHorizon; ++t) {
      largest_before = std::max(largest_before, p.full[s][static_cast<size_t>(t)]);
    }
    for (double f : windows[1].mean) EXPECT_LT(f, 2 * largest_before) << "series " << s;
  }
  // Per window, promoted days are forecast higher than the others on average.
  double promoted = 0, other = 0;
  int n_promoted = 0, n_other = 0;
  for (size_t s = 0; s < sum->series.size(); ++s) {
    const auto& w = sum->series[s].result.windows[0];
    for (size_t h = 0; h < w.mean.size(); ++h) {
      const bool on = p.promo[s][w.origin + h] > 0;
      (on ? promoted : other) += w.mean[h];
      (on ? n_promoted : n_other) += 1;
    }
  }
  ASSERT_GT(n_promoted, 0);
  EXPECT_GT(promoted / n_promoted, 1.3 * other / n_other);
}

TEST(GlobalSeriesRun, OptionsThatOnlyMeanSomethingPerSeriesAreRefused) {
  SeriesForecastOptions f;
  f.series_path = "x.csv";
  f.out_path = "y.csv";
  f.model = "gbm";
  f.calibration_windows = 2;
  Status s = f.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("--calibrate 2 with the global model gbm"), std::string::npos)
      << s.error().message;
  f.calibration_windows = 0;
  f.model = "theta";
  f.save_model = "m.model";
  s = f.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("only global models"), std::string::npos);
  f.model_file = "m.model";
  s = f.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("--model-file and --save-model together"), std::string::npos);

  SeriesBacktestOptions b;
  b.series_path = "x.csv";
  b.model = "ensemble";
  b.learning_curve = {28, 0};
  s = b.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("--learning-curve with the global model ensemble"),
            std::string::npos)
      << s.error().message;

  TrainOptions t;
  t.series_path = "x.csv";
  t.out_path = "m.model";
  t.model = "theta";
  s = t.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("train saves global models"), std::string::npos);
  t.model = "gbm";
  t.out_path.clear();
  s = t.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("--out is required"), std::string::npos);
}

TEST(GlobalSeriesRun, AModelFileThatIsNotOneSaysSo) {
  const std::string path = Dir() + "/not-a-model.json";
  std::ofstream(path) << "{\"hello\": 1}";
  SeriesForecastOptions o;
  o.series_path = WriteCsv(forecast::testing::MakePromoPanel(2, 30, 0, 1), 30, 0, "tiny.csv");
  o.out_path = Dir() + "/tiny-out.csv";
  o.model_file = path;
  auto r = RunSeriesForecast(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no \"spec\" string"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace stockcast::pipeline
