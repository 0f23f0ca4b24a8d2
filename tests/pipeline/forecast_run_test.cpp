#include "stockcast/pipeline/forecast_run.h"

#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pipeline/pipeline_fixture.h"
#include "test_util.h"

namespace stockcast::pipeline {
namespace {

using stockcast::testing::Day;
using stockcast::testing::FakeStore;

TEST(RunForecast, ForecastsEverySeriesAndRecordsTheRun) {
  FakeStore store;
  stockcast::testing::FillWorld(store);
  const auto dir = stockcast::testing::TempDir("forecast_run");
  ForecastRunOptions options;
  options.output_csv = (dir / "forecast.csv").string();
  auto summary = RunForecast(store, options);
  ASSERT_TRUE(summary.ok()) << Describe(summary.error());
  EXPECT_EQ(summary->series_count, 3u);
  EXPECT_EQ(summary->rows, 3u * 28u);
  EXPECT_EQ(summary->fallback_count, 1u);  // C@WH2 has no data
  ASSERT_EQ(summary->fallback_examples.size(), 1u);
  EXPECT_EQ(summary->fallback_examples[0].rfind("C@WH2: zero", 0), 0u)
      << summary->fallback_examples[0];
  EXPECT_EQ(summary->first_date, Day("2024-04-30"));
  EXPECT_EQ(summary->last_date, Day("2024-05-27"));
  EXPECT_EQ(summary->model, "baseline");

  ASSERT_EQ(store.runs.size(), 2u);  // import + forecast
  const RunInfo& run = store.runs.back();
  EXPECT_EQ(run.kind, "forecast");
  EXPECT_EQ(run.status, "ok");
  const auto params = nlohmann::json::parse(run.params_json);
  EXPECT_EQ(params["horizon"], 28);
  EXPECT_EQ(params["model"], "baseline");
  const auto report = nlohmann::json::parse(run.report_json);
  EXPECT_EQ(report["fallbacks"], 1);

  const auto& rows = store.forecasts[run.id];
  ASSERT_EQ(rows.size(), 84u);
  EXPECT_EQ(rows[0].sku, "A");
  EXPECT_EQ(rows[0].step, 1);
  ASSERT_EQ(rows[0].quantiles.size(), 3u);
  EXPECT_DOUBLE_EQ(rows[0].quantiles[1].first, 0.5);
  EXPECT_GT(rows[0].mean, 5.0);  // the stockout week does not drag the level to zero
  EXPECT_EQ(rows.back().model, "fallback:zero");

  std::istringstream csv(stockcast::testing::ReadFile(options.output_csv));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "series_id,step,date,mean,q0.1,q0.5,q0.9,model");
  std::getline(csv, line);
  EXPECT_EQ(line.rfind("A@WH1,1,2024-04-30,", 0), 0u) << line;
  EXPECT_NE(line.find(",baseline"), std::string::npos);
  int count = 1;
  while (std::getline(csv, line)) ++count;
  EXPECT_EQ(count, 84);
}

TEST(RunForecast, QuantileColumnsFollowTheLevels) {
  FakeStore store;
  stockcast::testing::FillWorld(store);
  const auto dir = stockcast::testing::TempDir("forecast_levels");
  ForecastRunOptions options;
  options.model = "ma:window=7";
  options.horizon = 3;
  options.quantiles = {0.05, 0.95};
  options.output_csv = (dir / "f.csv").string();
  auto summary = RunForecast(store, options);
  ASSERT_TRUE(summary.ok()) << Describe(summary.error());
  EXPECT_EQ(summary->model, "ma:window=7");
  std::istringstream csv(stockcast::testing::ReadFile(options.output_csv));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "series_id,step,date,mean,q0.05,q0.95,model");
}

TEST(RunForecast, RejectsBadModelsAndOptionsBeforeStartingARun) {
  FakeStore store;
  stockcast::testing::FillWorld(store);
  ForecastRunOptions options;
  options.model = "arima3";
  auto r = RunForecast(store, options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("unknown model \"arima3\"; available: adida, arima, auto, baseline"),
            std::string::npos);
  options.model = "baseline:windw=3";
  r = RunForecast(store, options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("unknown parameter \"windw\""), std::string::npos);
  options.model = "baseline";
  options.horizon = 0;
  r = RunForecast(store, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "horizon = 0; must be in [1, 3650]");
  options.horizon = 7;
  options.quantiles = {0.9, 0.1};
  EXPECT_FALSE(RunForecast(store, options).ok());
  EXPECT_EQ(store.runs.size(), 1u);  // only the import
}

TEST(RunForecast, EmptyStoreSaysToImport) {
  FakeStore store;
  auto r = RunForecast(store, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("stockcast import"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace stockcast::pipeline
