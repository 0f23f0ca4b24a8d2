// `stockcast forecast --db DB --model gbm` and `[plan] forecast_model = "gbm"`: one global
// model trained over the stored panel, forecasts saved like the per-series models'.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "pipeline/pipeline_fixture.h"
#include "stockcast/forecast/global_model.h"
#include "stockcast/pipeline/config.h"
#include "stockcast/pipeline/forecast_run.h"
#include "stockcast/pipeline/plan_loop.h"
#include "test_util.h"

namespace stockcast::pipeline {
namespace {

using stockcast::testing::Day;
using stockcast::testing::FakeStore;

bool GbmAvailable() {
  const auto* info = forecast::GlobalModelRegistry::Global().Find("gbm");
  return info != nullptr && info->available;
}

// Without xgboost these skip and say why, unless STOCKCAST_REQUIRE_ALL_TESTS=1 (CI): then fail.
#define REQUIRE_GBM() SC_SKIP_OR_FAIL_UNLESS(GbmAvailable(), "built without xgboost")

constexpr const char* kSpec = "gbm:n_estimators=40,max_depth=4";  // threads from the run (1)

// 12 series over 300 days: Poisson demand around per-series levels, doubled on promotion days
// (flags), a price column; the last series has no data at all.
void FillPanel(FakeStore& store) {
  std::vector<SeriesKey> keys;
  for (int s = 0; s < 12; ++s) keys.push_back({"S" + std::to_string(s), "WH1"});
  DemandPanel panel(Day("2024-01-01"), 300, keys);
  std::mt19937 rng(17);
  std::bernoulli_distribution promo(0.1);
  for (size_t s = 0; s + 1 < keys.size(); ++s) {
    const double level = 3.0 + 2.0 * static_cast<double>(s);
    auto demand = panel.column(PanelColumn::kDemand, s);
    auto raw = panel.column(PanelColumn::kRawDemand, s);
    auto price = panel.column(PanelColumn::kPrice, s);
    auto flags = panel.flags(s);
    for (int t = 0; t < 300; ++t) {
      const size_t i = static_cast<size_t>(t);
      const bool on = promo(rng);
      std::poisson_distribution<int> draw(level * (on ? 2.0 : 1.0));
      demand[i] = static_cast<float>(draw(rng));
      raw[i] = demand[i];
      price[i] = on ? 8.0f : 10.0f;
      flags[i] = on ? kFlagPromotion : 0;
    }
  }
  for (int t = 0; t < 300; ++t) panel.flags(11)[static_cast<size_t>(t)] = kFlagMissing;
  (void)store.SavePanel(panel);
  std::vector<Product> products;
  for (int s = 0; s < 12; ++s) {
    Product p;
    p.sku = "S" + std::to_string(s);
    p.category = s < 6 ? "small" : "large";
    p.unit_cost = 2;
    p.price = 10;
    products.push_back(p);
  }
  (void)store.UpsertProducts(products);
}

TEST(GbmForecastRun, TrainsOnceAndSavesEverySeriesForecast) {
  REQUIRE_GBM();
  FakeStore store;
  FillPanel(store);
  const auto dir = stockcast::testing::TempDir("gbm_forecast_run");
  ForecastRunOptions options;
  options.model = kSpec;
  options.horizon = 14;
  options.threads = 1;
  options.quantiles = {0.1, 0.5, 0.9};
  options.output_csv = (dir / "f.csv").string();
  options.save_model = (dir / "gbm.json").string();
  options.calibration_windows = 2;  // does not apply to a global model: ignored
  auto summary = RunForecast(store, options);
  ASSERT_TRUE(summary.ok()) << Describe(summary.error());
  EXPECT_EQ(summary->model, "gbm:max_depth=4,n_estimators=40");
  EXPECT_EQ(summary->series_count, 12u);
  EXPECT_EQ(summary->rows, 12u * 14u);
  EXPECT_EQ(summary->fallback_count, 1u);  // S11 has no data
  EXPECT_EQ(summary->global_model.rfind("gbm(count:poisson, 40 trees", 0), 0u)
      << summary->global_model;
  ASSERT_FALSE(summary->importance.empty());

  const RunInfo& run = store.runs.back();
  EXPECT_EQ(run.kind, "forecast");
  EXPECT_EQ(run.status, "ok");
  const auto report = nlohmann::json::parse(run.report_json);
  ASSERT_TRUE(report.contains("importance"));
  EXPECT_FALSE(report["importance"].empty());
  EXPECT_EQ(report["global_model"], summary->global_model);

  const auto& rows = store.forecasts[run.id];
  ASSERT_EQ(rows.size(), 12u * 14u);
  EXPECT_EQ(rows[0].model, "gbm");
  EXPECT_EQ(rows[0].date, Day("2024-01-01") + 300);
  EXPECT_EQ(rows.back().model, "fallback:zero");
  EXPECT_EQ(rows.back().mean, 0.0);
  // Larger series forecast more; quantiles ordered and non-negative.
  EXPECT_GT(rows[10 * 14].mean, 2.0 * rows[0].mean);
  for (const ForecastRow& r : rows) {
    ASSERT_EQ(r.quantiles.size(), 3u);
    EXPECT_GE(r.quantiles[0].second, 0.0);
    EXPECT_LE(r.quantiles[0].second, r.quantiles[1].second);
    EXPECT_LE(r.quantiles[1].second, r.quantiles[2].second);
  }
  EXPECT_NE(stockcast::testing::ReadFile(options.output_csv).find(",gbm\n"), std::string::npos);
  // The saved model loads and reproduces a series' forecast.
  auto loaded = forecast::LoadGlobalModel(options.save_model);
  ASSERT_TRUE(loaded.ok()) << Describe(loaded.error());
  auto panel = store.LoadPanel();
  ASSERT_TRUE(panel.ok());
  const auto demand = std::as_const(*panel).column(PanelColumn::kDemand, 3);
  const std::vector<double> y(demand.begin(), demand.end());
  forecast::GlobalSeries g;
  g.y = y;
  g.flags = panel->flags(3);
  g.x = PanelRegressors(*panel, 3);
  g.category = "small";
  auto again =
      (*loaded)->PredictMany(std::span<const forecast::GlobalSeries>(&g, 1), 14, options.quantiles);
  ASSERT_TRUE(again.ok()) << Describe(again.error());
  for (int h = 0; h < 14; ++h) {
    EXPECT_NEAR((*again)[0].mean[static_cast<size_t>(h)],
                rows[3 * 14 + static_cast<size_t>(h)].mean, 1e-9);
  }
}

TEST(GbmForecastRun, BadSpecFailsBeforeARunStarts) {
  FakeStore store;
  FillPanel(store);
  ForecastRunOptions options;
  options.model = GbmAvailable() ? "gbm:max_depth=0" : "gbm";
  auto summary = RunForecast(store, options);
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.error().message.find(GbmAvailable() ? "max_depth" : "built without xgboost"),
            std::string::npos)
      << summary.error().message;
  EXPECT_TRUE(store.runs.empty());
  EXPECT_FALSE(CheckForecastModelSpec("gbm:objective=reg:linear").ok());
  EXPECT_TRUE(CheckForecastModelSpec("baseline").ok());
  options.model = "baseline";
  options.save_model = "/tmp/never.json";
  auto refused = RunForecast(store, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("only global models"), std::string::npos);
}

TEST(GbmForecastRun, PlanForecastsWithGbm) {
  REQUIRE_GBM();
  FakeStore store;
  stockcast::testing::FillWorld(store);
  Config config;
  config.loop.forecast_model = "gbm:n_estimators=30,max_depth=3,threads=1";
  PlanLoopOptions o;
  o.out_dir = stockcast::testing::TempDir("gbm_plan").string();
  auto sum = RunPlanLoop(store, config, o);
  ASSERT_TRUE(sum.ok()) << sum.error().message;
  EXPECT_TRUE(sum->forecasted);
  EXPECT_EQ(sum->forecast.model.rfind("gbm:", 0), 0u) << sum->forecast.model;
  ASSERT_EQ(sum->plan.lines.size(), 3u);
  EXPECT_GT(sum->plan.lines[0].quantity, 0);  // A is short and orders, as with auto
}

// `[plan] forecast_model_file`: the loop forecasts with a saved model, without training, and
// the run names the file's spec; a missing file is an error naming it.
TEST(GbmForecastRun, PlanForecastsWithASavedModel) {
  REQUIRE_GBM();
  FakeStore store;
  stockcast::testing::FillWorld(store);
  const std::string file = stockcast::testing::TempDir("gbm_plan_file").string() + "/gbm.model";
  ForecastRunOptions train;
  train.model = "gbm:n_estimators=30,max_depth=3,threads=1";
  train.horizon = 56;
  train.save_model = file;
  ASSERT_TRUE(RunForecast(store, train).ok());
  const size_t runs_before = store.runs.size();

  Config config;
  config.loop.forecast_model = "theta";  // not used: the file wins
  config.loop.forecast_model_file = file;
  PlanLoopOptions o;
  o.reforecast = true;
  auto sum = RunPlanLoop(store, config, o);
  ASSERT_TRUE(sum.ok()) << sum.error().message;
  EXPECT_TRUE(sum->forecasted);
  EXPECT_EQ(sum->forecast.model.rfind("gbm:", 0), 0u) << sum->forecast.model;
  EXPECT_NE(sum->forecast.model.find("n_estimators=30"), std::string::npos)
      << sum->forecast.model;
  EXPECT_GT(store.runs.size(), runs_before);
  ASSERT_EQ(sum->plan.lines.size(), 3u);

  config.loop.forecast_model_file = file + ".missing";
  auto missing = RunPlanLoop(store, config, o);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("gbm.model.missing"), std::string::npos)
      << missing.error().message;
}

}  // namespace
}  // namespace stockcast::pipeline
