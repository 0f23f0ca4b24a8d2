#include "stockcast/pipeline/plan_run.h"

#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pipeline/pipeline_fixture.h"
#include "stockcast/pipeline/forecast_run.h"
#include "test_util.h"

namespace stockcast::pipeline {
namespace {

using stockcast::testing::Day;
using stockcast::testing::FakeStore;

TEST(RunPlan, NeedsAForecast) {
  FakeStore store;
  stockcast::testing::FillWorld(store);
  auto r = RunPlan(store, Config{}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "no forecast in fake.db; run `stockcast forecast --db fake.db` first");
}

TEST(RunPlan, PlansEverySeries) {
  FakeStore store;
  stockcast::testing::FillWorld(store);
  ASSERT_TRUE(RunForecast(store, {}).ok());
  Config config;
  config.categories["fruit"].service_level = 0.99;
  const auto dir = stockcast::testing::TempDir("plan_run");
  PlanRunOptions options;
  options.orders_csv = (dir / "orders.csv").string();
  auto r = RunPlan(store, config, options);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  const PlanRunSummary& s = *r;
  EXPECT_EQ(s.as_of, Day("2024-04-30"));
  ASSERT_EQ(s.lines.size(), 3u);
  ASSERT_EQ(s.projections.size(), 3u);

  const PlanLine& a = s.lines[0];
  EXPECT_EQ(a.sku, "A");
  EXPECT_EQ(a.supplier_id, "ACME");
  EXPECT_DOUBLE_EQ(a.service_level, 0.99);  // category override
  EXPECT_EQ(a.arrival_date, Day("2024-05-09"));
  EXPECT_GT(a.quantity, 0.0);
  EXPECT_DOUBLE_EQ(std::fmod(a.quantity, 12.0), 0.0);  // whole case packs
  EXPECT_DOUBLE_EQ(a.unit_cost, 2.5);
  EXPECT_NE(a.explanation.find("99% service"), std::string::npos) << a.explanation;
  EXPECT_NE(a.explanation.find("lead 9 + review 7"), std::string::npos) << a.explanation;

  const PlanLine& b = s.lines[1];
  EXPECT_EQ(b.quantity, 0.0);
  EXPECT_DOUBLE_EQ(b.service_level, 0.95);
  EXPECT_DOUBLE_EQ(b.on_order, 24.0);

  const PlanLine& c = s.lines[2];  // no product, no stock: defaults, zero demand
  EXPECT_EQ(c.quantity, 0.0);
  EXPECT_NE(c.explanation.find("no stock record"), std::string::npos);
  EXPECT_FALSE(s.warnings.empty());

  EXPECT_EQ(s.orders, 1u);
  EXPECT_DOUBLE_EQ(s.total_units, a.quantity);
  EXPECT_DOUBLE_EQ(s.total_cost, a.quantity * 2.5);
  ASSERT_EQ(s.riskiest.size(), 3u);
  EXPECT_EQ(s.riskiest[0].sku, "A");

  // Projection: A starts at 40 and receives the planned order on day 9 (2024-05-09).
  const StockProjection& pa = s.projections[0];
  ASSERT_EQ(pa.dates.size(), 28u);
  EXPECT_EQ(pa.dates.front(), Day("2024-04-30"));
  for (size_t i = 0; i < pa.dates.size(); ++i) {
    EXPECT_LE(pa.p10[i], pa.p50[i] + 1e-9);
    EXPECT_LE(pa.p50[i], pa.p90[i] + 1e-9);
    EXPECT_GE(pa.p10[i], 0.0);
  }
  EXPECT_GT(pa.p50[9], pa.p50[8]);  // the order lands

  const RunInfo& run = store.runs.back();
  EXPECT_EQ(run.kind, "plan");
  EXPECT_EQ(run.status, "ok");
  const auto report = nlohmann::json::parse(run.report_json);
  EXPECT_EQ(report["orders"], 1);
  EXPECT_DOUBLE_EQ(report["total_units"].get<double>(), a.quantity);
  EXPECT_EQ(report["riskiest"][0]["sku"], "A");
  EXPECT_EQ(store.plans[run.id].size(), 3u);

  std::istringstream csv(stockcast::testing::ReadFile(options.orders_csv));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line,
            "supplier_id,sku,location,quantity,order_date,expected_arrival,unit_cost,line_cost,"
            "explanation");
  std::getline(csv, line);
  EXPECT_EQ(line.rfind("ACME,A,WH1,", 0), 0u) << line;
  EXPECT_NE(line.find(",2024-04-30,2024-05-09,2.5,"), std::string::npos) << line;
  EXPECT_FALSE(std::getline(csv, line));
}

TEST(RunPlan, AsOfAfterTheForecastIsAnError) {
  FakeStore store;
  stockcast::testing::FillWorld(store);
  ASSERT_TRUE(RunForecast(store, {}).ok());
  PlanRunOptions options;
  options.as_of = Day("2024-07-01");
  auto r = RunPlan(store, Config{}, options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("after the last forecast day 2024-05-27"), std::string::npos)
      << r.error().message;
  options.as_of = Day("2024-05-10");  // later start: uses the remaining forecast days
  auto later = RunPlan(store, Config{}, options);
  ASSERT_TRUE(later.ok()) << Describe(later.error());
  EXPECT_EQ(later->projections[0].dates.size(), 18u);
}

TEST(ProjectStock, LostSalesAndArrivals) {
  forecast::Forecast f;
  f.mean.assign(5, 10.0);
  f.levels = {0.1, 0.9};
  f.quantiles = {std::vector<double>(5, 10.0), std::vector<double>(5, 10.0)};
  // sd from a zero-width band: clipped? no, q10 = 10 > 0, so sigma = 0: deterministic.
  const Date d0 = Day("2024-01-01");
  StockProjection p = ProjectStock(f, d0, 25, {{d0 + 3, 50.0}, {d0 - 5, 5.0}});
  // Day 0: 25 + 5 (overdue) - 10 = 20; day 1: 10; day 2: 0; day 3: 0 + 50 - 10 = 40; day 4: 30.
  EXPECT_EQ(p.p50, (std::vector<double>{20, 10, 0, 40, 30}));
  EXPECT_EQ(p.p10, p.p50);
  EXPECT_EQ(p.p90, p.p50);
}

TEST(ForecastsFromRows, GroupsAndSlices) {
  std::vector<ForecastRow> rows;
  for (int h = 1; h <= 3; ++h) {
    ForecastRow r;
    r.sku = "A";
    r.location = "L";
    r.step = h;
    r.date = Day("2024-01-01") + (h - 1);
    r.mean = h;
    r.quantiles = {{0.1, h - 0.5}, {0.9, h + 0.5}};
    rows.push_back(r);
  }
  auto out = ForecastsFromRows(rows, Day("2024-01-02"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].second.mean, (std::vector<double>{2, 3}));
  EXPECT_EQ(out[0].second.quantiles[1], (std::vector<double>{2.5, 3.5}));
}

}  // namespace
}  // namespace stockcast::pipeline

namespace stockcast::pipeline {
namespace {

TEST(RunPlan, BadSupplierTermsSkipOnlyThatSeries) {
  stockcast::testing::FakeStore store;
  stockcast::testing::FillWorld(store);
  store.suppliers[0].case_pack = -3;  // would fail the policy's validation
  store.suppliers[0].lead_time_mean_days = -2;
  ASSERT_TRUE(RunForecast(store, {}).ok());
  auto r = RunPlan(store, Config{}, {});
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  // case_pack <= 0 falls back to 1; the negative lead time is rejected for A and B.
  EXPECT_EQ(r->lines[0].binding, "error");
  EXPECT_NE(r->lines[0].explanation.find("lead_time_mean_days = -2; must be >= 0"),
            std::string::npos)
      << r->lines[0].explanation;
  EXPECT_EQ(r->lines[0].quantity, 0.0);
  EXPECT_GE(r->lines[0].arrival_date, r->lines[0].order_date);
  EXPECT_EQ(store.runs.back().status, "ok");
}

}  // namespace
}  // namespace stockcast::pipeline
