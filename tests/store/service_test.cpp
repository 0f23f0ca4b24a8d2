// The service methods (migration 4) on both back ends: runs listing, warning lines (manual
// beats plan), projections, plan decisions (approval opens a purchase order and raises
// on_order), jobs, live alerts, series history.
#include <gmock/gmock.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "store_fixture.h"

namespace stockcast::testing {
namespace {

using ::testing::HasSubstr;

class ServiceStoreTest : public StoreTest {};
STOCKCAST_STORE_BACKENDS(ServiceStoreTest);

TEST_P(ServiceStoreTest, RunsAreListedNewestFirstByKind) {
  auto a = store_->StartRun("forecast", "{}");
  auto b = store_->StartRun("plan", "{}");
  auto c = store_->StartRun("forecast", "{}");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  auto all = store_->ListRuns("", 10);
  ASSERT_TRUE(all.ok()) << Describe(all.error());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, *c);
  EXPECT_EQ((*all)[2].id, *a);
  auto forecasts = store_->ListRuns("forecast", 1);
  ASSERT_TRUE(forecasts.ok());
  ASSERT_EQ(forecasts->size(), 1u);
  EXPECT_EQ((*forecasts)[0].id, *c);
  auto got = store_->GetRun(*b);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->kind, "plan");
  EXPECT_FALSE(store_->GetRun(*c + 100)->has_value());
}

TEST_P(ServiceStoreTest, APlanWarningLineNeverReplacesAManualOne) {
  WarningLineRecord manual{.sku = "A", .location = "W1", .lower_units = 5, .upper_units = 50,
                           .source = "manual", .run_id = 0, .updated_at = ""};
  WarningLineRecord plan{.sku = "A", .location = "W1", .lower_units = 7, .upper_units = 70,
                         .source = "plan", .run_id = 3, .updated_at = ""};
  WarningLineRecord other{.sku = "B", .location = "W1", .lower_units = 1, .upper_units = 0,
                          .source = "plan", .run_id = 3, .updated_at = "2024-01-01T00:00:00Z"};
  ASSERT_TRUE(store_->SaveWarningLines(std::vector<WarningLineRecord>{manual, other}).ok());
  ASSERT_TRUE(store_->SaveWarningLines(std::vector<WarningLineRecord>{plan}).ok());
  auto lines = store_->ListWarningLines("", "");
  ASSERT_TRUE(lines.ok()) << Describe(lines.error());
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[0].source, "manual");
  EXPECT_EQ((*lines)[0].lower_units, 5);
  EXPECT_FALSE((*lines)[0].updated_at.empty());
  EXPECT_EQ((*lines)[1].updated_at, "2024-01-01T00:00:00Z");
  // A plan line replaces a plan line; a manual line replaces anything.
  other.lower_units = 2;
  manual.lower_units = 6;
  ASSERT_TRUE(store_->SaveWarningLines(std::vector<WarningLineRecord>{other, manual}).ok());
  lines = store_->ListWarningLines("B", "");
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ((*lines)[0].lower_units, 2);
  EXPECT_EQ((*store_->ListWarningLines("A", "W1"))[0].lower_units, 6);
  EXPECT_TRUE(store_->ListWarningLines("A", "W9")->empty());
  // Each filter alone (one statement per filter: no OR wildcard that defeats the key).
  auto at_w1 = store_->ListWarningLines("", "W1");
  ASSERT_TRUE(at_w1.ok()) << Describe(at_w1.error());
  ASSERT_EQ(at_w1->size(), 2u);
  EXPECT_EQ((*at_w1)[0].sku, "A");
  EXPECT_EQ((*at_w1)[1].sku, "B");
  EXPECT_TRUE(store_->ListWarningLines("", "W9")->empty());
  EXPECT_TRUE(store_->ListWarningLines("C", "")->empty());

  WarningLineRecord bad = plan;
  bad.upper_units = 1;
  Status refused = store_->SaveWarningLines(std::vector<WarningLineRecord>{bad});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(refused.error().message, HasSubstr("upper_units = 1 < lower_units = 7"));
}

TEST_P(ServiceStoreTest, ProjectionsRoundTripPerSeriesInDateOrder) {
  auto run = store_->StartRun("plan", "{}");
  ASSERT_TRUE(run.ok());
  std::vector<ProjectionRecord> rows = {
      {.sku = "A", .location = "W1", .date = D("2024-03-02"), .p10 = 1, .p50 = 2.5, .p90 = 4,
       .arrivals = 0},
      {.sku = "A", .location = "W1", .date = D("2024-03-01"), .p10 = 0.1, .p50 = 1.0 / 3.0,
       .p90 = 9, .arrivals = 12},
      {.sku = "B", .location = "W1", .date = D("2024-03-01"), .p10 = 0, .p50 = 0, .p90 = 0,
       .arrivals = 0},
  };
  ASSERT_TRUE(store_->SaveProjection(*run, rows).ok());
  auto got = store_->ListProjection(*run, "A", "W1");
  ASSERT_TRUE(got.ok()) << Describe(got.error());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].date, D("2024-03-01"));
  EXPECT_EQ((*got)[0].p50, 1.0 / 3.0);
  EXPECT_EQ((*got)[0].arrivals, 12);
  EXPECT_EQ((*got)[1].p90, 4);
  EXPECT_EQ(store_->SaveProjection(*run + 100, rows).error().code, ErrorCode::kNotFound);
  rows[0].p50 = std::nan("");
  EXPECT_EQ(store_->SaveProjection(*run, rows).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(ServiceStoreTest, FindProductLooksUpOneSku) {
  std::vector<Product> products(2);
  products[0].sku = "A";
  products[0].name = "Widget";
  products[0].unit_cost = 2.5;
  products[1].sku = "B";
  products[1].name = "Gadget";
  products[1].price = 9;
  ASSERT_TRUE(store_->UpsertProducts(products).ok());
  auto found = store_->FindProduct("B");
  ASSERT_TRUE(found.ok()) << Describe(found.error());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->name, "Gadget");
  EXPECT_EQ((*found)->price, 9);
  EXPECT_EQ((*store_->FindProduct("A"))->unit_cost, 2.5);
  EXPECT_FALSE(store_->FindProduct("C")->has_value());
  EXPECT_FALSE(store_->FindProduct("")->has_value());
}

PlanLine Line(const char* sku, double quantity) {
  PlanLine l;
  l.sku = sku;
  l.location = "W1";
  l.supplier_id = "S1";
  l.order_date = D("2024-03-01");
  l.arrival_date = D("2024-03-10");
  l.quantity = quantity;
  return l;
}

TEST_P(ServiceStoreTest, ApprovingAPlanLineOpensAPurchaseOrderOnce) {
  // A stock level for A/W1 (5 on hand, nothing on order).
  ASSERT_TRUE(store_->PostMovements(std::vector<Movement>{
      MakeMovement("r1", MovementType::kReceipt, "A", "W1", "2024-02-01", 5)}).ok());
  auto run = store_->StartRun("plan", "{}");
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(store_->SavePlan(*run, std::vector<PlanLine>{Line("A", 24), Line("B", 0)}).ok());
  auto numbered = store_->ListPlanNumbered(*run);
  ASSERT_TRUE(numbered.ok()) << Describe(numbered.error());
  ASSERT_EQ(numbered->size(), 2u);
  EXPECT_EQ((*numbered)[0].first, 1);
  EXPECT_EQ((*numbered)[1].first, 2);
  EXPECT_EQ((*numbered)[1].second.sku, "B");

  PlanDecision approve{.run_id = *run, .line = 1, .status = "approved", .quantity = 24,
                       .po_id = "", .note = "ok", .actor = "ana", .request_id = "r-1",
                       .decided_at = ""};
  auto stored = store_->DecidePlanLine(approve);
  ASSERT_TRUE(stored.ok()) << Describe(stored.error());
  EXPECT_EQ(stored->po_id, fmt::format("PLAN-{}-1", *run));
  EXPECT_FALSE(stored->decided_at.empty());
  auto levels = store_->ListStockLevels();
  ASSERT_TRUE(levels.ok());
  ASSERT_EQ(levels->size(), 1u);
  EXPECT_EQ((*levels)[0].on_order, 24);
  EXPECT_EQ((*levels)[0].on_hand, 5);
  // One series' level by its key, as the SKU page reads it.
  auto one = store_->FindStockLevel("A", "W1");
  ASSERT_TRUE(one.ok()) << Describe(one.error());
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((*one)->on_order, 24);
  EXPECT_EQ((*one)->on_hand, 5);
  EXPECT_FALSE(store_->FindStockLevel("A", "W2")->has_value());
  EXPECT_FALSE(store_->FindStockLevel("B", "W1")->has_value());
  auto receipts = store_->ListReceipts();
  ASSERT_TRUE(receipts.ok());
  ASSERT_EQ(receipts->size(), 1u);
  EXPECT_EQ((*receipts)[0].status, ReceiptStatus::kOpen);
  EXPECT_EQ((*receipts)[0].date, D("2024-03-10"));
  EXPECT_EQ((*receipts)[0].order_date, D("2024-03-01"));

  auto again = store_->DecidePlanLine(approve);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_THAT(again.error().message, HasSubstr("was already approved by ana"));
  PlanDecision missing = approve;
  missing.line = 9;
  EXPECT_EQ(store_->DecidePlanLine(missing).error().code, ErrorCode::kNotFound);
  PlanDecision reject = approve;
  reject.line = 2;
  reject.status = "rejected";
  auto rejected = store_->DecidePlanLine(reject);
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->po_id, "");
  auto decisions = store_->ListPlanDecisions(*run);
  ASSERT_TRUE(decisions.ok());
  ASSERT_EQ(decisions->size(), 2u);
  EXPECT_EQ((*decisions)[0].status, "approved");
  EXPECT_EQ((*decisions)[0].request_id, "r-1");
  EXPECT_EQ((*decisions)[1].status, "rejected");
  EXPECT_EQ(store_->ListReceipts()->size(), 1u);
  // The rebuild agrees with what the approval kept.
  ASSERT_TRUE(store_->RebuildStockLevels().ok());
  EXPECT_EQ((*store_->ListStockLevels())[0].on_order, 24);
}

TEST_P(ServiceStoreTest, JobsAreCreatedUpdatedAndListedNewestFirst) {
  JobRecord job;
  job.kind = "forecast";
  job.status = "queued";
  job.actor = "ana";
  job.request_id = "r-7";
  auto id = store_->CreateJob(job);
  ASSERT_TRUE(id.ok()) << Describe(id.error());
  job.kind = "plan";
  auto second = store_->CreateJob(job);
  ASSERT_TRUE(second.ok());
  auto got = store_->GetJob(*id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->params_json, "{}");
  EXPECT_FALSE((*got)->created_at.empty());
  JobRecord update = **got;
  update.status = "running";
  update.progress = 0.5;
  update.stage = "forecast";
  update.started_at = "2024-01-01T00:00:00Z";
  ASSERT_TRUE(store_->UpdateJob(update).ok());
  EXPECT_EQ((*store_->GetJob(*id))->progress, 0.5);
  EXPECT_EQ((*store_->GetJob(*id))->stage, "forecast");
  update.id = *second + 100;
  EXPECT_EQ(store_->UpdateJob(update).error().code, ErrorCode::kNotFound);
  update.progress = 2;
  EXPECT_EQ(store_->UpdateJob(update).error().code, ErrorCode::kInvalidArgument);
  auto jobs = store_->ListJobs(10);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ((*jobs)[0].id, *second);
  EXPECT_FALSE(store_->GetJob(*second + 100)->has_value());
}

TEST_P(ServiceStoreTest, FindLiveAlertIgnoresResolvedOnes) {
  AlertRecord a;
  a.key = "stockout|A|W1";
  a.type = "stockout";
  a.sku = "A";
  a.location = "W1";
  a.level = a.first_level = "high";
  a.status = "resolved";
  a.first_seen = a.last_seen = D("2024-03-01");
  ASSERT_TRUE(store_->SaveAlerts(std::vector<AlertRecord>{a}).ok());
  EXPECT_FALSE(store_->FindLiveAlert(a.key)->has_value());
  a.status = "acknowledged";
  auto ids = store_->SaveAlerts(std::vector<AlertRecord>{a});
  ASSERT_TRUE(ids.ok());
  auto live = store_->FindLiveAlert(a.key);
  ASSERT_TRUE(live.ok() && live->has_value());
  EXPECT_EQ((*live)->id, (*ids)[0]);
  EXPECT_EQ((*live)->status, "acknowledged");
}

TEST_P(ServiceStoreTest, SeriesDemandReturnsTheLastDaysOldestFirst) {
  DemandPanel panel(D("2024-01-01"), 5, {{"A", "W1"}});
  for (int t = 0; t < 5; ++t) {
    panel.column(PanelColumn::kDemand, 0)[t] = static_cast<float>(t);
    panel.column(PanelColumn::kRawDemand, 0)[t] = static_cast<float>(10 + t);
  }
  panel.column(PanelColumn::kRawDemand, 0)[4] = std::nanf("");
  ASSERT_TRUE(store_->SavePanel(panel).ok());
  auto days = store_->SeriesDemand("A", "W1", 3);
  ASSERT_TRUE(days.ok()) << Describe(days.error());
  ASSERT_EQ(days->size(), 3u);
  EXPECT_EQ((*days)[0].first, D("2024-01-03"));
  EXPECT_EQ((*days)[0].second, 12);
  EXPECT_EQ((*days)[2].second, 4);  // raw demand unknown: the cleaned value
  EXPECT_TRUE(store_->SeriesDemand("Z", "W1", 3)->empty());
  auto forecasts = store_->ListSeriesForecasts(1, "A", "W1");
  ASSERT_TRUE(forecasts.ok());
  EXPECT_TRUE(forecasts->empty());
}

TEST_P(ServiceStoreTest, AReadOnlyStoreRefusesWrites) {
  ASSERT_TRUE(store_->AppendMovements(std::vector<Movement>{
      MakeMovement("m1", MovementType::kReceipt, "A", "W1", "2024-01-01", 3)}).ok());
  auto reader = Reopen({.busy_timeout_ms = 5000, .read_only = true});
  ASSERT_TRUE(reader.ok()) << Describe(reader.error());
  EXPECT_EQ(*(*reader)->CountMovements(), 1);
  auto refused = (*reader)->AppendMovements(std::vector<Movement>{
      MakeMovement("m2", MovementType::kReceipt, "A", "W1", "2024-01-01", 3)});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(refused.error().message, HasSubstr("read-only"));
  EXPECT_FALSE((*reader)->StartRun("plan", "").ok());
  EXPECT_EQ(*store_->CountMovements(), 1);
}

TEST_P(ServiceStoreTest, NestedWritesJoinTheTransactionAndAFailedOneLeavesOnlyItself) {
  Status status = store_->WithTransaction([&]() -> Status {
    SC_RETURN_IF_ERROR(store_->AppendMovements(std::vector<Movement>{
        MakeMovement("m1", MovementType::kReceipt, "A", "W1", "2024-01-01", 3)}).status());
    TokenRecord t;
    t.name = "x";
    t.role = "viewer";
    t.hash = std::string(64, 'a');
    SC_RETURN_IF_ERROR(store_->SaveToken(t).status());
    // A database-level failure (a repeated hash) inside the transaction fails only itself.
    EXPECT_FALSE(store_->SaveToken(t).ok());
    auto count = store_->CountMovements();
    EXPECT_TRUE(count.ok()) << Describe(count.error());
    EXPECT_EQ(count.ok() ? *count : -1, 1);
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << Describe(status.error());
  EXPECT_EQ(*store_->CountMovements(), 1);
  EXPECT_EQ(store_->ListTokens()->size(), 1u);
}

}  // namespace
}  // namespace stockcast::testing
