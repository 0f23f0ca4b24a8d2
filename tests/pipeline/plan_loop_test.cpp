// The closed loop of `stockcast plan`: forecast -> classes -> policy -> constraints ->
// projection -> risks/alerts -> KPIs -> files.
#include "stockcast/pipeline/plan_loop.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "pipeline/pipeline_fixture.h"
#include "test_util.h"

namespace stockcast::pipeline {
namespace {

using stockcast::testing::Day;
using stockcast::testing::FakeStore;

// A deterministic path (sd = 0) worked by hand: 10 a day from 50 on hand, (s, S) = (30, 100)
// reviewed every 7 days, lead time 3.
TEST(ProjectWithPolicy, DeterministicPathFollowsTheLevelsByHand) {
  const std::vector<double> mean(28, 10.0), sd(28, 0.0);
  const PolicyProjection p = ProjectWithPolicy(mean, sd, 50, {}, 30, 100, 7, 3, 1, 0);
  ASSERT_EQ(p.p50.size(), 28u);
  EXPECT_DOUBLE_EQ(p.p50[0], 40);
  EXPECT_DOUBLE_EQ(p.p50[3], 10);
  EXPECT_DOUBLE_EQ(p.p50[4], 0);   // runs out: lost sales, never negative
  EXPECT_DOUBLE_EQ(p.p50[7], 0);   // review on day 7: position 0 <= 30, order 100
  EXPECT_DOUBLE_EQ(p.arrivals_p50[10], 100);  // ... arriving 3 days later
  EXPECT_DOUBLE_EQ(p.p50[10], 90);
  EXPECT_DOUBLE_EQ(p.p50[14], 50);  // review on day 14: position 50 > 30, no order
  EXPECT_DOUBLE_EQ(p.arrivals_p50[17], 0);
  EXPECT_DOUBLE_EQ(p.p50[19], 0);
  EXPECT_DOUBLE_EQ(p.arrivals_p50[24], 100);  // review on day 21 orders again
  EXPECT_DOUBLE_EQ(p.p50[24], 90);
  for (size_t t = 0; t < p.p50.size(); ++t) {
    EXPECT_DOUBLE_EQ(p.p10[t], p.p50[t]) << "no spread, one path";
    EXPECT_DOUBLE_EQ(p.p90[t], p.p50[t]) << "no spread, one path";
  }
}

TEST(ProjectWithPolicy, CasePacksAndMoqByHand) {
  const std::vector<double> mean(21, 4.0), sd(21, 0.0);
  // A planned order of 24 arrives on day 2; case pack 12 and MOQ 30 for later orders.
  const PolicyProjection p = ProjectWithPolicy(mean, sd, 10, {{2, 24.0}}, 20, 45, 7, 2, 12, 30);
  EXPECT_DOUBLE_EQ(p.arrivals_p50[2], 24);
  // Day 7: 10 + 24 - 8 x 4 = 2 <= 20: order 45 - 2 = 43 -> 4 cases = 48, arriving on day 9.
  EXPECT_DOUBLE_EQ(p.p50[7], 2);
  EXPECT_DOUBLE_EQ(p.arrivals_p50[9], 48);
  // Day 8 runs out (2 - 4: 2 sales lost); day 9: 48 - 4 = 44; day 14: 44 - 5 x 4 = 24 > 20: no
  // order.
  EXPECT_DOUBLE_EQ(p.p50[8], 0);
  EXPECT_DOUBLE_EQ(p.p50[14], 24);
  EXPECT_DOUBLE_EQ(p.arrivals_p50[16], 0);
  // MOQ above the gap: position 19 at s = 20, S = 25 orders the MOQ (30 -> 3 cases = 36).
  const PolicyProjection m = ProjectWithPolicy(std::vector<double>(10, 1.0),
                                               std::vector<double>(10, 0.0), 26, {}, 20, 25, 7,
                                               1, 12, 30);
  EXPECT_DOUBLE_EQ(m.p50[7], 18);
  EXPECT_DOUBLE_EQ(m.arrivals_p50[8], 36);
}

TEST(ProjectWithPolicy, SimulatedPercentilesAreOrderedAndDeterministic) {
  const std::vector<double> mean(56, 4.0), sd(56, 3.0);
  const PolicyProjection p = ProjectWithPolicy(mean, sd, 30, {{3, 24.0}}, 25, 60, 7, 3, 1, 0, 300, 7);
  double spread = 0;
  for (size_t t = 0; t < p.p50.size(); ++t) {
    EXPECT_LE(p.p10[t], p.p50[t]) << t;
    EXPECT_LE(p.p50[t], p.p90[t]) << t;
    EXPECT_GE(p.p10[t], 0.0);
    spread += p.p90[t] - p.p10[t];
  }
  EXPECT_GT(spread, 0.0) << "random demand spreads the stock";
  // The median path of day 0: 30 on hand minus a median day of demand (< mean 4 for a skewed lognormal).
  EXPECT_GT(p.p50[0], 30 - 4 - 1.0);
  EXPECT_LT(p.p50[0], 30.0);
  const PolicyProjection q = ProjectWithPolicy(mean, sd, 30, {{3, 24.0}}, 25, 60, 7, 3, 1, 0, 300, 7);
  EXPECT_EQ(p.p50, q.p50);
  EXPECT_EQ(p.p10, q.p10);
}

class PlanLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stockcast::testing::FillWorld(store_);
    dir_ = stockcast::testing::TempDir("plan-loop");
  }
  FakeStore store_;
  std::filesystem::path dir_;
};

TEST_F(PlanLoopTest, RunsTheWholeLoopAndWritesTheFiles) {
  Config config;
  PlanLoopOptions o;
  o.out_dir = (dir_ / "out").string();
  auto sum = RunPlanLoop(store_, config, o);
  ASSERT_TRUE(sum.ok()) << sum.error().message;
  // 1. No forecast in the store: the loop forecasts with auto over the projection.
  EXPECT_TRUE(sum->forecasted);
  EXPECT_EQ(sum->forecast.model.substr(0, 4), "auto");
  // 2. Classes: A sells ~10/day at cost 2.5, B ~3.5/day: A is class A.
  ASSERT_EQ(sum->plan.lines.size(), 3u);
  EXPECT_EQ(sum->classes[0].substr(0, 1), "A") << sum->plan.lines[0].sku;
  // The class target reaches the policy and its explanation.
  EXPECT_NE(sum->plan.lines[0].explanation.find("Class A"), std::string::npos)
      << sum->plan.lines[0].explanation;
  EXPECT_GT(sum->plan.lines[0].service_level, 0.9);
  // 3. Policy: A is short (40 on hand against ~10/day over a 9-day lead time) and orders.
  EXPECT_GT(sum->plan.lines[0].quantity, 0);
  EXPECT_EQ(std::fmod(sum->plan.lines[0].quantity, 12.0), 0.0) << "whole case packs";
  EXPECT_GE(sum->plan.lines[0].order_up_to, sum->plan.lines[0].reorder_point);
  EXPECT_FALSE(sum->optimized) << "no budget, no capacity: the policy's quantities stand";
  // 5. Projection over 56 days.
  ASSERT_EQ(sum->projections.size(), 3u);
  EXPECT_EQ(sum->projections[0].p50.size(), 56u);
  // 6. Risks were assessed and their alerts stored.
  EXPECT_EQ(store_.alerts.size(), sum->alerts.alerts.size());
  EXPECT_EQ(sum->alerts.created, static_cast<int>(store_.alerts.size()));
  // 7. KPIs stored with the plan run.
  ASSERT_FALSE(store_.kpis[sum->plan.run_id].empty());
  bool total_fill = false;
  for (const KpiRecord& k : store_.kpis[sum->plan.run_id]) {
    if (k.scope == "total" && k.metric == "fill_rate") {
      total_fill = true;
      EXPECT_GT(k.value, 0.5);
      EXPECT_LE(k.value, 1.0);
    }
  }
  EXPECT_TRUE(total_fill);
  // 8. Files.
  for (const char* f : {"orders.csv", "alerts.csv", "kpis.json", "projection.csv", "report.html"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_ / "out" / f)) << f;
  }
  const auto kpis = nlohmann::json::parse(stockcast::testing::ReadFile(dir_ / "out" / "kpis.json"));
  EXPECT_TRUE(kpis.contains("total"));
  EXPECT_TRUE(kpis.contains("by_sku"));
  // The plan is saved as a run.
  EXPECT_EQ(store_.plans[sum->plan.run_id].size(), 3u);
}

TEST_F(PlanLoopTest, AlertsAreDeduplicatedAndEscalateWhileTheyPersist) {
  Config config;
  config.loop.escalate_after_runs = 2;
  PlanLoopOptions o;
  auto first = RunPlanLoop(store_, config, o);
  ASSERT_TRUE(first.ok()) << first.error().message;
  const size_t stored = store_.alerts.size();
  // The same day again: nothing new, nothing counted twice.
  auto again = RunPlanLoop(store_, config, o);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->alerts.created, 0);
  EXPECT_EQ(store_.alerts.size(), stored) << "same risks, same alerts";
  EXPECT_FALSE(again->forecasted) << "the forecast is newer than any import: reused";
  // A week later the risks that persist have been seen twice: one level up (or already high).
  o.as_of = first->plan.as_of + 7;
  auto later = RunPlanLoop(store_, config, o);
  ASSERT_TRUE(later.ok()) << later.error().message;
  int persisted = 0;
  for (const risk::Alert& a : later->alerts.alerts) {
    if (a.status == risk::AlertStatus::kResolved || a.occurrences < 2) continue;
    ++persisted;
    EXPECT_TRUE(a.level > a.first_level || a.level == risk::RiskLevel::kHigh) << a.key;
  }
  if (persisted == 0) GTEST_SKIP() << "no risk persisted over the week in this world";
}

// A week later, with that week's sales imported: the replaced forecast is scored against them
// (KPI forecast accuracy) and the plan forecasts again.
TEST_F(PlanLoopTest, ANewImportIsForecastAgainAndTheOldForecastScored) {
  Config config;
  auto first = RunPlanLoop(store_, config, PlanLoopOptions{});
  ASSERT_TRUE(first.ok()) << first.error().message;
  DemandPanel longer(store_.panel->start(), store_.panel->num_days() + 7, store_.panel->keys());
  for (size_t s = 0; s < longer.num_series(); ++s) {
    for (PanelColumn c : {PanelColumn::kDemand, PanelColumn::kRawDemand}) {
      auto from = std::as_const(*store_.panel).column(c, s);
      auto to = longer.column(c, s);
      for (size_t t = 0; t < to.size(); ++t) to[t] = t < from.size() ? from[t] : 10.0f;
    }
    auto flags = longer.flags(s);
    auto old_flags = store_.panel->flags(s);
    for (size_t t = 0; t < flags.size(); ++t) flags[t] = t < old_flags.size() ? old_flags[t] : 0;
  }
  ASSERT_TRUE(store_.SavePanel(longer).ok());
  auto import_run = store_.StartRun("import", "");
  ASSERT_TRUE(import_run.ok());
  ASSERT_TRUE(store_.FinishRun(*import_run, "ok", "").ok());
  auto second = RunPlanLoop(store_, config, PlanLoopOptions{});
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->forecasted) << "an import newer than the forecast";
  EXPECT_EQ(second->plan.as_of, first->plan.as_of + 7);
  const risk::KpiRow* total = nullptr;
  for (const auto& r : second->kpis) {
    if (r.scope == "total") total = &r;
  }
  ASSERT_NE(total, nullptr);
  EXPECT_EQ(total->forecast_days, 7 * 3) << "7 new days of A, B and C scored";
  EXPECT_TRUE(std::isfinite(total->forecast_wape));
}

TEST_F(PlanLoopTest, ABudgetCutsTheOrdersThroughTheMip) {
  Config config;
  PlanLoopOptions o;
  auto free = RunPlanLoop(store_, config, o);
  ASSERT_TRUE(free.ok()) << free.error().message;
  ASSERT_GT(free->plan.total_cost, 0.0);
  o.budget = free->plan.total_cost / 2;
  auto tight = RunPlanLoop(store_, config, o);
  ASSERT_TRUE(tight.ok()) << tight.error().message;
  EXPECT_TRUE(tight->optimized);
  EXPECT_LE(tight->plan.total_cost, o.budget + 1e-6);
  EXPECT_LT(tight->plan.total_units, free->plan.total_units);
}

// Warning lines per SKU win over the class's and the defaults: an upper line of 1 day of supply
// on A (which is ordering now) raises an above_warning_line alert for A only.
TEST_F(PlanLoopTest, SkuWarningLinesRaiseTheirAlerts) {
  auto config = ParseConfig("[plan]\nwarning_upper_days = 0\n[plan.warning_lines]\n\"A\" = \"0:1\"\n",
                            "t.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  auto sum = RunPlanLoop(store_, *config, PlanLoopOptions{});
  ASSERT_TRUE(sum.ok()) << sum.error().message;
  EXPECT_GT(sum->projections[0].upper_line, 0.0);
  EXPECT_EQ(sum->projections[1].upper_line, 0.0) << "B has no line";
  bool above_a = false;
  for (const risk::Risk& r : sum->risks) {
    if (r.type == risk::RiskType::kAboveWarningLine) {
      EXPECT_EQ(r.sku, "A");
      above_a = true;
    }
  }
  EXPECT_TRUE(above_a);
  auto bad = ParseConfig("[plan.warning_lines]\n\"A\" = \"9:3\"\n", "t.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("plan.warning_lines.\"A\""), std::string::npos)
      << bad.error().message;
}

TEST_F(PlanLoopTest, BadOptionsAndConfigAreNamed) {
  Config config;
  PlanLoopOptions o;
  o.budget = -5;
  auto r = RunPlanLoop(store_, config, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("budget = -5"), std::string::npos) << r.error().message;
  o.budget = optimize::kInfinity;
  config.loop.service_measure = "speed";
  r = RunPlanLoop(store_, config, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("plan.service_measure"), std::string::npos) << r.error().message;
}

TEST(PlanLoopEmpty, AnEmptyStoreSaysToImport) {
  FakeStore store;
  auto r = RunPlanLoop(store, Config{}, PlanLoopOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("stockcast import"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace stockcast::pipeline

namespace stockcast::pipeline {
namespace {

// The spread floor of plan's policy: the sample sd of the last usable days, skipping censored,
// missing and unlaunched days.
TEST(RecentSpread, SampleSdOfTheLastUsableDays) {
  const std::vector<float> y = {100, 1, 2, 3, 4, 50, 5};
  std::vector<uint8_t> flags(y.size(), 0);
  flags[5] = kFlagCensored;  // 50 is a stockout day's sales: skipped
  // Last 4 usable days before the end: 5, 4, 3, 2 -> mean 3.5, sample sd sqrt(5/3).
  EXPECT_NEAR(RecentSpread(y, flags, y.size(), 4), std::sqrt(5.0 / 3.0), 1e-12);
  // Up to index 3 (exclusive): 2, 1, 100.
  EXPECT_NEAR(RecentSpread(y, flags, 3, 56), std::sqrt(((1 - 34.3333333333) * (1 - 34.3333333333) +
                                                        (2 - 34.3333333333) * (2 - 34.3333333333) +
                                                        (100 - 34.3333333333) * (100 - 34.3333333333)) / 2),
              1e-6);
  EXPECT_EQ(RecentSpread(y, flags, 1, 56), 0.0) << "one usable day has no spread";
}

}  // namespace
}  // namespace stockcast::pipeline
