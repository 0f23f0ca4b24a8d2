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
  EXPECT_EQ(c.binding, "unknown_stock");
  EXPECT_FALSE(s.warnings.empty());

  EXPECT_EQ(s.orders, 1u);
  EXPECT_DOUBLE_EQ(s.total_units, a.quantity);
  EXPECT_DOUBLE_EQ(s.total_cost, a.quantity * 2.5);
  ASSERT_EQ(s.riskiest.size(), 2u);  // C's stock is unknown, so is its risk
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
  options.as_of = Day("2024-04-20");  // before the forecast: rejected, naming both dates
  auto early = RunPlan(store, Config{}, options);
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.error().message.find(
                "as_of = 2024-04-20 is before the first forecast day 2024-04-30"),
            std::string::npos)
      << early.error().message;
  options.as_of = Day("2024-05-10");  // later start: uses the remaining forecast days
  auto later = RunPlan(store, Config{}, options);
  ASSERT_TRUE(later.ok()) << Describe(later.error());
  EXPECT_EQ(later->projections[0].dates.size(), 18u);
  // ... and the stock counted at the history's end is consumed by the forecast mean of the
  // ten days 2024-04-30 .. 2024-05-09 first.
  double b_demand = 0.0;
  for (const ForecastRow& row : store.forecasts.begin()->second) {
    if (row.sku == "B" && row.date < Day("2024-05-10")) b_demand += row.mean;
  }
  EXPECT_GT(b_demand, 20.0);
  EXPECT_NEAR(later->lines[1].on_hand, 500.0 - b_demand, 1e-9);
  EXPECT_EQ(later->lines[0].on_hand, 0.0);  // A: 40 - ~100, lost sales floor at 0
  EXPECT_NE(later->lines[1].explanation.find("at as_of 2024-05-10"), std::string::npos)
      << later->lines[1].explanation;
}

// UCI Online Retail: no stock snapshots, no receipts; the derived on hand is returns minus
// sales. Ordering from it bought 7.5 M units; now those series order nothing and say why.
TEST(RunPlan, UnknownStockOrdersNothingButKeepsThePolicy) {
  FakeStore store;
  stockcast::testing::FillWorld(store);
  store.stock_levels[0].snapshot_date.reset();
  store.stock_levels[0].on_hand = -5000;  // all past sales
  ASSERT_TRUE(RunForecast(store, {}).ok());
  auto r = RunPlan(store, Config{}, {});
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  const PlanLine& a = r->lines[0];
  EXPECT_EQ(a.quantity, 0.0);
  EXPECT_EQ(a.binding, "unknown_stock");
  EXPECT_GT(a.reorder_point, 0.0);
  EXPECT_GT(a.safety_stock, 0.0);
  EXPECT_GT(a.lead_time_demand, 0.0);
  EXPECT_DOUBLE_EQ(a.order_up_to, a.reorder_point);
  EXPECT_NE(a.explanation.find("on hand unknown (no stock snapshot or receipt imported): import "
                               "stock_snapshots.csv to get an order"),
            std::string::npos)
      << a.explanation;
  EXPECT_EQ(r->orders, 0u);
  EXPECT_EQ(r->total_units, 0.0);
  ASSERT_FALSE(r->warnings.empty());
  EXPECT_EQ(r->warnings[0].rfind("STOCK UNKNOWN for 2 of 3 series", 0), 0u) << r->warnings[0];
  for (const PlanLine& l : r->riskiest) EXPECT_NE(l.binding, "unknown_stock");
  // The saved line keeps the policy for the planner.
  const auto& saved = store.plans[r->run_id];
  ASSERT_EQ(saved.size(), 3u);
  EXPECT_EQ(saved[0].binding, "unknown_stock");
  EXPECT_DOUBLE_EQ(saved[0].reorder_point, a.reorder_point);

  // A received purchase-order line is stock data: the on hand is known again (and, being
  // negative without backorders, is treated as 0 with a warning).
  Receipt received;
  received.po_id = "PO0";
  received.sku = "A";
  received.location = "WH1";
  received.supplier_id = "ACME";
  received.quantity = 100;
  received.date = Day("2024-02-01");
  received.status = ReceiptStatus::kReceived;
  store.receipts.push_back(received);
  auto known = RunPlan(store, Config{}, {});
  ASSERT_TRUE(known.ok()) << Describe(known.error());
  EXPECT_NE(known->lines[0].binding, "unknown_stock");
  EXPECT_GT(known->lines[0].quantity, 0.0);
}

TEST(RunPlan, NegativeOnHandWithoutBackordersWarns) {
  FakeStore store;
  stockcast::testing::FillWorld(store);
  store.stock_levels[0].on_hand = 0;
  ASSERT_TRUE(RunForecast(store, {}).ok());
  auto zero = RunPlan(store, Config{}, {});
  ASSERT_TRUE(zero.ok()) << Describe(zero.error());
  store.stock_levels[0].on_hand = -5000;
  auto r = RunPlan(store, Config{}, {});
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  // Not 5000 more units: the deficit is a data problem, not demand to be served.
  EXPECT_DOUBLE_EQ(r->lines[0].quantity, zero->lines[0].quantity);
  EXPECT_EQ(r->lines[0].on_hand, 0.0);
  EXPECT_NE(r->lines[0].explanation.find("derived on hand -5000.0 is negative"),
            std::string::npos)
      << r->lines[0].explanation;
  bool warned = false;
  for (const std::string& w : r->warnings) {
    warned = warned || w.find("1 series have a negative derived on hand") != std::string::npos;
  }
  EXPECT_TRUE(warned);
  // With backorders allowed the negative stock is owed to customers and is ordered.
  store.products[0].allow_backorder = true;
  auto owed = RunPlan(store, Config{}, {});
  ASSERT_TRUE(owed.ok());
  EXPECT_GT(owed->lines[0].quantity, zero->lines[0].quantity + 4900);
}

TEST(RunPlan, OrderLinesWithoutUnitCostWarn) {
  FakeStore store;
  stockcast::testing::FillWorld(store);
  store.products[0].unit_cost = 0;
  store.products[1].unit_cost = 0;
  store.suppliers[0].unit_cost = 0;
  ASSERT_TRUE(RunForecast(store, {}).ok());
  auto r = RunPlan(store, Config{}, {});
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  ASSERT_EQ(r->orders, 1u);
  bool warned = false;
  for (const std::string& w : r->warnings) {
    warned = warned || w.rfind("1 order line has no unit cost: order value understated; import "
                               "products.csv or suppliers.csv with costs",
                               0) == 0;
  }
  EXPECT_TRUE(warned);
}

TEST(RunPlan, CasePackOneIsNotReportedAsBinding) {
  FakeStore store;
  stockcast::testing::FillWorld(store);
  store.suppliers[0].case_pack = 1;
  ASSERT_TRUE(RunForecast(store, {}).ok());
  auto r = RunPlan(store, Config{}, {});
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  ASSERT_GT(r->lines[0].quantity, 0.0);
  EXPECT_EQ(r->lines[0].binding, "none");
  EXPECT_EQ(r->lines[0].explanation.find("case pack"), std::string::npos)
      << r->lines[0].explanation;
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

TEST(RunPlan, LeadTimeOverTenYearsIsBadSupplierData) {
  stockcast::testing::FakeStore store;
  stockcast::testing::FillWorld(store);
  store.suppliers[0].lead_time_mean_days = 4000;
  ASSERT_TRUE(RunForecast(store, {}).ok());
  auto r = RunPlan(store, Config{}, {});
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_EQ(r->lines[0].binding, "error");
  EXPECT_EQ(r->lines[0].quantity, 0.0);
  EXPECT_NE(r->lines[0].explanation.find(
                "lead_time_mean_days = 4000 (supplier ACME); must be <= 3650 days"),
            std::string::npos)
      << r->lines[0].explanation;
  EXPECT_EQ(store.runs.back().status, "ok");
}

}  // namespace
}  // namespace stockcast::pipeline
