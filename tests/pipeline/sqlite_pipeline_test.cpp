// forecast -> plan -> report against the real SQLite store (the other tests use FakeStore).
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "pipeline/pipeline_fixture.h"
#include "stockcast/pipeline/forecast_run.h"
#include "stockcast/pipeline/plan_run.h"
#include "stockcast/pipeline/report_html.h"
#include "test_util.h"

namespace stockcast::pipeline {
namespace {

TEST(SqlitePipeline, ForecastPlanReport) {
  // Build the world in a FakeStore, then copy it into SQLite.
  stockcast::testing::FakeStore fake;
  stockcast::testing::FillWorld(fake);
  const auto dir = stockcast::testing::TempDir("sqlite_pipeline");
  const std::string db = (dir / "test.db").string();
  auto opened = OpenSqliteStore(db);
  ASSERT_TRUE(opened.ok()) << Describe(opened.error());
  Store& store = **opened;
  ASSERT_TRUE(store.SavePanel(*fake.panel).ok());
  ASSERT_TRUE(store.UpsertSuppliers(fake.suppliers).ok());
  ASSERT_TRUE(store.UpsertProducts(fake.products).ok());
  // Stock counts, without which the plan orders nothing (on hand unknown).
  const StockSnapshot snapshots[] = {{stockcast::testing::Day("2024-04-29"), "A", "WH1", 40},
                                     {stockcast::testing::Day("2024-04-29"), "B", "WH1", 500}};
  ASSERT_TRUE(store.UpsertSnapshots(snapshots).ok());
  ASSERT_TRUE(store.RebuildStockLevels().ok());
  auto import_id = store.StartRun("import", "{}");
  ASSERT_TRUE(import_id.ok());
  ASSERT_TRUE(store.FinishRun(*import_id, "ok", fake.runs[0].report_json).ok());

  auto plan_first = RunPlan(store, Config{}, {});
  ASSERT_FALSE(plan_first.ok());
  EXPECT_EQ(plan_first.error().message,
            "no forecast in " + db + "; run `stockcast forecast --db " + db + "` first");

  auto f = RunForecast(store, {});
  ASSERT_TRUE(f.ok()) << Describe(f.error());
  // C@WH2 never sold: the store keeps no rows before a series' first observation.
  EXPECT_EQ(f->series_count, 2u);
  auto p = RunPlan(store, Config{}, {});
  ASSERT_TRUE(p.ok()) << Describe(p.error());
  EXPECT_EQ(p->lines.size(), 2u);
  EXPECT_GE(p->orders, 1u);
  auto saved = store.ListPlan(p->run_id);
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->size(), 2u);

  const std::string out = (dir / "report.html").string();
  Status st = WriteHtmlReport(store, out);
  ASSERT_TRUE(st.ok()) << Describe(st.error());
  const std::string html = stockcast::testing::ReadFile(out);
  EXPECT_NE(html.find("What to order today"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);
}

}  // namespace
}  // namespace stockcast::pipeline
