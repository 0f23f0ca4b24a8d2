#include "stockcast/pipeline/evaluate_run.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipeline/fake_store.h"

namespace stockcast::testing {
namespace {

using pipeline::EvaluateOptions;
using pipeline::RunEvaluate;

Date Day(const char* text) { return *Date::Parse(text); }

// Two series over 120 days from 2024-01-01:
//   A@WH1  10 units every day; days 80..86 are stockouts recorded as 2 (censored)
//   B@WH1  alternately 1 and 3 units; days 0..9 missing
// Supplier: lead time 4 days (sd 0), no MOQ, case pack 1, order cost 20. A costs 2.5 and sells
// at 5 (lost margin 2.5); B costs 4 with no price anywhere (shortage 0.5 x 4 = 2).
void Fill(FakeStore& store) {
  DemandPanel panel(Day("2024-01-01"), 120, {{"A", "WH1"}, {"B", "WH1"}});
  for (int t = 0; t < 120; ++t) {
    const size_t i = static_cast<size_t>(t);
    const bool censored = t >= 80 && t < 87;
    panel.column(PanelColumn::kDemand, 0)[i] = censored ? 2.0f : 10.0f;
    panel.column(PanelColumn::kRawDemand, 0)[i] = censored ? 2.0f : 10.0f;
    if (censored) panel.flags(0)[i] = kFlagCensored;
    if (t < 10) {
      panel.flags(1)[i] = kFlagMissing;
    } else {
      panel.column(PanelColumn::kDemand, 1)[i] = t % 2 == 0 ? 1.0f : 3.0f;
      panel.column(PanelColumn::kRawDemand, 1)[i] = t % 2 == 0 ? 1.0f : 3.0f;
    }
  }
  (void)store.SavePanel(panel);
  Supplier sup;
  sup.id = "S";
  sup.lead_time_mean_days = 4;
  sup.lead_time_sd_days = 0;
  sup.order_cost = 20;
  const Supplier suppliers[] = {sup};
  (void)store.UpsertSuppliers(suppliers);
  Product a;
  a.sku = "A";
  a.category = "x";
  a.supplier_id = "S";
  a.unit_cost = 2.5;
  a.price = 5;
  Product b = a;
  b.sku = "B";
  b.unit_cost = 4;
  b.price = 0;
  const Product products[] = {a, b};
  (void)store.UpsertProducts(products);
}

EvaluateOptions Quick() {
  EvaluateOptions o;
  o.policies = {"plan", "baseline", "plan-csl"};
  o.model = "baseline";
  o.threads = 1;
  return o;
}

// Default window: 365 days back would start before the history, so the first day is the one
// that leaves 56 days of history: 2024-02-26 .. 2024-04-29, 64 days.
TEST(EvaluateRun, DefaultWindowLeavesMinimumHistory) {
  FakeStore store;
  Fill(store);
  auto r = RunEvaluate(store, pipeline::Config{}, Quick());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->from, Day("2024-02-26"));
  EXPECT_EQ(r->to, Day("2024-04-29"));
  EXPECT_EQ(r->days, 64);
  EXPECT_EQ(r->series, 2u);
  ASSERT_EQ(r->policies.size(), 3u);
  EXPECT_EQ(r->policies[0].policy, "plan");
  EXPECT_EQ(r->policies[1].policy, "baseline");
  ASSERT_EQ(r->series_rows.size(), 6u);
}

// Replayed demand: A is 10 every day, its censored days (recorded 2) replayed at the mean of the
// last 28 usable days (10): 64 x 10 = 640 units. B alternates 1 and 3 over the 64 days: 128.
// Every policy sees the same demand (common random numbers); costs add up; shortage is priced
// at the lost margin (A: 5 - 2.5) or 0.5 x unit cost without a price (B: 2).
TEST(EvaluateRun, ReplaysUncensoredDemandAndPricesShortages) {
  FakeStore store;
  Fill(store);
  auto r = RunEvaluate(store, pipeline::Config{}, Quick());
  ASSERT_TRUE(r.ok()) << r.error().message;
  for (const auto& row : r->series_rows) {
    const auto& m = row.metrics;
    EXPECT_EQ(m.demand, row.sku == "A" ? 640 : 128) << row.policy << " " << row.sku;
    EXPECT_NEAR(m.total_cost, m.holding_cost + m.ordering_cost + m.shortage_cost, 1e-9);
    EXPECT_NEAR(m.shortage_cost, m.lost_units * (row.sku == "A" ? 2.5 : 2.0), 1e-9);
    EXPECT_NEAR(m.ordering_cost, 20 * m.orders, 1e-9);
    EXPECT_GE(m.fill_rate, 0.0);
    EXPECT_LE(m.fill_rate, 1.0);
  }
  for (const auto& p : r->policies) {
    EXPECT_EQ(p.demand, 768);
    EXPECT_NEAR(p.total_cost, p.holding_cost + p.ordering_cost + p.shortage_cost, 1e-6);
  }
  // A's demand is flat and its forecast (censored days masked) is 10/day: plan meets the target.
  const auto& plan_a = r->series_rows[0];
  ASSERT_EQ(plan_a.sku, "A");
  EXPECT_GE(plan_a.metrics.fill_rate, 0.95);
  // The override prices shortages at a multiple of unit cost.
  EvaluateOptions o = Quick();
  o.shortage_cost_factor = 3;
  auto r3 = RunEvaluate(store, pipeline::Config{}, o);
  ASSERT_TRUE(r3.ok());
  for (const auto& row : r3->series_rows) {
    EXPECT_NEAR(row.metrics.shortage_cost,
                row.metrics.lost_units * 3 * (row.sku == "A" ? 2.5 : 4.0), 1e-9);
  }
}

TEST(EvaluateRun, DeterministicAndThreadIndependent) {
  FakeStore store;
  Fill(store);
  EvaluateOptions o = Quick();
  auto one = RunEvaluate(store, pipeline::Config{}, o);
  o.threads = 3;
  auto three = RunEvaluate(store, pipeline::Config{}, o);
  ASSERT_TRUE(one.ok() && three.ok());
  ASSERT_EQ(one->series_rows.size(), three->series_rows.size());
  for (size_t i = 0; i < one->series_rows.size(); ++i) {
    EXPECT_EQ(one->series_rows[i].metrics, three->series_rows[i].metrics);
  }
}

TEST(EvaluateRun, ErrorsNameTheRule) {
  FakeStore store;
  Fill(store);
  EvaluateOptions o = Quick();
  o.policies = {"plan", "magic"};
  auto r = RunEvaluate(store, pipeline::Config{}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(
                "unknown policy \"magic\" at policies[1]; available: baseline, plan, plan-csl"),
            std::string::npos)
      << r.error().message;
  o = Quick();
  o.from = Day("2024-01-20");
  r = RunEvaluate(store, pipeline::Config{}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("from = 2024-01-20 is outside 2024-02-26 .. 2024-04-29"),
            std::string::npos)
      << r.error().message;
  o = Quick();
  o.to = Day("2024-02-10");
  r = RunEvaluate(store, pipeline::Config{}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("too short"), std::string::npos) << r.error().message;
  FakeStore empty;
  EXPECT_EQ(RunEvaluate(empty, pipeline::Config{}, Quick()).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace stockcast::testing
