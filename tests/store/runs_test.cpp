// Runs, forecasts and plans.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <regex>

#include "store_fixture.h"

// Designated initializers below leave the fields they do not name at their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace stockcast::testing {
namespace {

using ::testing::HasSubstr;
class RunsTest : public StoreTest {};
STOCKCAST_STORE_BACKENDS(RunsTest);

TEST_P(RunsTest, LatestRunIsTheHighestIdOfItsKind) {
  auto none = store_->LatestRun("forecast");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto first = store_->StartRun("forecast", R"({"horizon":28})");
  auto plan = store_->StartRun("plan", "");
  auto second = store_->StartRun("forecast", R"({"horizon":14})");
  ASSERT_TRUE(first.ok() && plan.ok() && second.ok());
  EXPECT_LT(*first, *plan);
  EXPECT_LT(*plan, *second);

  auto latest = store_->LatestRun("forecast");
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  const RunInfo& run = **latest;
  EXPECT_EQ(run.id, *second);
  EXPECT_EQ(run.kind, "forecast");
  EXPECT_EQ(run.status, "running");
  EXPECT_EQ(run.params_json, R"({"horizon":14})");
  EXPECT_EQ(run.finished_at, "");
  EXPECT_TRUE(std::regex_match(run.started_at, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << run.started_at;
  EXPECT_EQ((*store_->LatestRun("plan"))->id, *plan);
}

TEST_P(RunsTest, FinishRunRecordsTheOutcomeOnce) {
  auto id = store_->StartRun("import", "{}");
  ASSERT_TRUE(id.ok());
  Status finish = store_->FinishRun(*id, "ok", R"({"rows":12})");
  ASSERT_TRUE(finish.ok()) << Describe(finish.error());
  const RunInfo run = **store_->LatestRun("import");
  EXPECT_EQ(run.status, "ok");
  EXPECT_EQ(run.report_json, R"({"rows":12})");
  EXPECT_EQ(run.finished_at.size(), 20u);

  Status twice = store_->FinishRun(*id, "failed", "");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  EXPECT_THAT(twice.error().message, HasSubstr("already finished (status ok)"));

  Status missing = store_->FinishRun(*id + 100, "ok", "");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  Status bad_status = store_->FinishRun(*id, "done", "");
  ASSERT_FALSE(bad_status.ok());
  EXPECT_EQ(bad_status.error().message, "run status \"done\"; must be one of: ok, failed");

  auto bad_json = store_->StartRun("import", "{not json");
  ASSERT_FALSE(bad_json.ok());
  EXPECT_THAT(bad_json.error().message, HasSubstr("params_json is not valid JSON"));
  auto no_kind = store_->StartRun("", "");
  ASSERT_FALSE(no_kind.ok());
  EXPECT_EQ(no_kind.error().code, ErrorCode::kInvalidArgument);
}

std::vector<ForecastRow> SampleForecasts() {
  return {
      {.sku = "B",
       .location = "W1",
       .step = 1,
       .date = D("2024-03-01"),
       .mean = 1.0 / 7.0,
       .quantiles = {{0.1, 0.0}, {0.5, 1.0 / 3.0}, {0.9, 2.0000000000000004}},
       .model = "ets"},
      {.sku = "A",
       .location = "W1",
       .step = 2,
       .date = D("2024-03-02"),
       .mean = 12.5,
       .quantiles = {{0.05, 1e-300}, {0.95, 123456789.123456789}},
       .model = "croston"},
      {.sku = "A",
       .location = "W1",
       .step = 1,
       .date = D("2024-03-01"),
       .mean = 0,
       .quantiles = {},
       .model = ""},
  };
}

void ExpectSameForecast(const ForecastRow& got, const ForecastRow& want) {
  EXPECT_EQ(got.sku, want.sku);
  EXPECT_EQ(got.location, want.location);
  EXPECT_EQ(got.step, want.step);
  EXPECT_EQ(got.date, want.date);
  EXPECT_EQ(got.mean, want.mean);  // bit-exact
  EXPECT_EQ(got.quantiles, want.quantiles);
  EXPECT_EQ(got.model, want.model);
}

TEST_P(RunsTest, ForecastsRoundTripExactly) {
  auto run = store_->StartRun("forecast", "{}");
  ASSERT_TRUE(run.ok());
  const std::vector<ForecastRow> rows = SampleForecasts();
  Status saved = store_->SaveForecasts(*run, rows);
  ASSERT_TRUE(saved.ok()) << Describe(saved.error());
  auto listed = store_->ListForecasts(*run);
  ASSERT_TRUE(listed.ok()) << Describe(listed.error());
  ASSERT_EQ(listed->size(), 3u);
  // Ordered by (sku, location, step).
  ExpectSameForecast((*listed)[0], rows[2]);
  ExpectSameForecast((*listed)[1], rows[1]);
  ExpectSameForecast((*listed)[2], rows[0]);

  // Saving a row again replaces it; other runs are separate.
  ForecastRow changed = rows[0];
  changed.mean = 2;
  ASSERT_TRUE(store_->SaveForecasts(*run, {&changed, 1}).ok());
  EXPECT_EQ((*store_->ListForecasts(*run))[2].mean, 2);
  EXPECT_EQ(store_->ListForecasts(*run)->size(), 3u);
  EXPECT_TRUE(store_->ListForecasts(*run + 1)->empty());
}

TEST_P(RunsTest, ForecastsNeedAnExistingRunAndValidRows) {
  const std::vector<ForecastRow> rows = SampleForecasts();
  Status no_run = store_->SaveForecasts(42, rows);
  ASSERT_FALSE(no_run.ok());
  EXPECT_EQ(no_run.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(no_run.error().message, HasSubstr("run 42 does not exist"));

  auto run = store_->StartRun("forecast", "{}");
  ASSERT_TRUE(run.ok());
  std::vector<ForecastRow> bad = rows;
  bad[1].quantiles = {{0.9, 1}, {0.5, 2}};
  Status unordered = store_->SaveForecasts(*run, bad);
  ASSERT_FALSE(unordered.ok());
  EXPECT_EQ(unordered.error().message,
            "rows[1].quantiles[1].level = 0.5; levels must be strictly ascending (previous 0.9)");
  bad = rows;
  bad[2].step = 0;
  Status step = store_->SaveForecasts(*run, bad);
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.error().message, "rows[2].step = 0; must be >= 1");
  EXPECT_TRUE(store_->ListForecasts(*run)->empty());
}

PlanLine MakeLine(std::string sku, const char* order_date, double quantity) {
  PlanLine l;
  l.sku = std::move(sku);
  l.location = "W1";
  l.supplier_id = "S1";
  l.order_date = D(order_date);
  l.arrival_date = l.order_date + 9;
  l.quantity = quantity;
  l.unit_cost = 1.25;
  l.on_hand = 3;
  l.on_order = 12;
  l.lead_time_demand = 20.0 / 3.0;
  l.safety_stock = 4.1;
  l.reorder_point = 10.77;
  l.order_up_to = 48;
  l.service_level = 0.95;
  l.stockout_probability = 0.3125;
  l.days_of_supply = 2.5;
  l.binding = "case_pack";
  l.explanation = "on hand 3 + on order 12 < reorder point 10.77, \"rounded\" to 4 cases of 12";
  return l;
}

void ExpectSameLine(const PlanLine& got, const PlanLine& want) {
  EXPECT_EQ(got.sku, want.sku);
  EXPECT_EQ(got.location, want.location);
  EXPECT_EQ(got.supplier_id, want.supplier_id);
  EXPECT_EQ(got.order_date, want.order_date);
  EXPECT_EQ(got.arrival_date, want.arrival_date);
  EXPECT_EQ(got.quantity, want.quantity);
  EXPECT_EQ(got.unit_cost, want.unit_cost);
  EXPECT_EQ(got.on_hand, want.on_hand);
  EXPECT_EQ(got.on_order, want.on_order);
  EXPECT_EQ(got.lead_time_demand, want.lead_time_demand);
  EXPECT_EQ(got.safety_stock, want.safety_stock);
  EXPECT_EQ(got.reorder_point, want.reorder_point);
  EXPECT_EQ(got.order_up_to, want.order_up_to);
  EXPECT_EQ(got.service_level, want.service_level);
  EXPECT_EQ(got.stockout_probability, want.stockout_probability);
  EXPECT_EQ(got.days_of_supply, want.days_of_supply);
  EXPECT_EQ(got.binding, want.binding);
  EXPECT_EQ(got.explanation, want.explanation);
}

TEST_P(RunsTest, PlansRoundTripExactlyInSavedOrder) {
  auto run = store_->StartRun("plan", "{}");
  ASSERT_TRUE(run.ok());
  std::vector<PlanLine> lines = {MakeLine("Z", "2024-03-01", 48), MakeLine("A", "2024-03-01", 0)};
  lines[1].days_of_supply = std::numeric_limits<double>::infinity();  // no expected demand
  lines[1].binding = "";
  ASSERT_TRUE(store_->SavePlan(*run, lines).ok());
  // A second chunk is appended after the first.
  std::vector<PlanLine> more = {MakeLine("M", "2024-03-02", 12)};
  ASSERT_TRUE(store_->SavePlan(*run, more).ok());

  auto listed = store_->ListPlan(*run);
  ASSERT_TRUE(listed.ok()) << Describe(listed.error());
  ASSERT_EQ(listed->size(), 3u);
  ExpectSameLine((*listed)[0], lines[0]);
  ExpectSameLine((*listed)[1], lines[1]);
  ExpectSameLine((*listed)[2], more[0]);

  // The same (sku, location, order_date) replaces the line in place.
  PlanLine revised = lines[0];
  revised.quantity = 60;
  ASSERT_TRUE(store_->SavePlan(*run, {&revised, 1}).ok());
  listed = store_->ListPlan(*run);
  ASSERT_EQ(listed->size(), 3u);
  ExpectSameLine((*listed)[0], revised);
}

TEST_P(RunsTest, PlansNeedAnExistingRunAndValidLines) {
  std::vector<PlanLine> lines = {MakeLine("A", "2024-03-01", 1)};
  Status no_run = store_->SavePlan(7, lines);
  ASSERT_FALSE(no_run.ok());
  EXPECT_EQ(no_run.error().code, ErrorCode::kNotFound);
  auto run = store_->StartRun("plan", "{}");
  ASSERT_TRUE(run.ok());
  lines[0].arrival_date = D("2024-02-01");
  Status early = store_->SavePlan(*run, lines);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().message,
            "lines[0].arrival_date = 2024-02-01 is before order_date = 2024-03-01; must be >= "
            "order_date");
  EXPECT_TRUE(store_->ListPlan(*run)->empty());
}

}  // namespace
}  // namespace stockcast::testing
