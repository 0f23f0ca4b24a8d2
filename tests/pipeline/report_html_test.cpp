#include "stockcast/pipeline/report_html.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "pipeline/pipeline_fixture.h"
#include "stockcast/pipeline/forecast_run.h"
#include "stockcast/pipeline/plan_run.h"
#include "test_util.h"

namespace stockcast::pipeline {
namespace {

using stockcast::testing::FakeStore;

void ExpectSelfContained(const std::string& html) {
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
}

TEST(HtmlReport, FullReport) {
  FakeStore store;
  stockcast::testing::FillWorld(store);
  ASSERT_TRUE(RunForecast(store, {}).ok());
  ASSERT_TRUE(RunPlan(store, Config{}, {}).ok());
  const auto dir = stockcast::testing::TempDir("report");
  const std::string path = (dir / "out" / "report.html").string();
  Status st = WriteHtmlReport(store, path);
  ASSERT_TRUE(st.ok()) << Describe(st.error());
  ASSERT_TRUE(std::filesystem::exists(path));
  const std::string html = stockcast::testing::ReadFile(path);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (const char* section : {"What to order today", "Riskiest SKUs", "Selected SKUs",
                              "Cleaning report", "2024-01-01", "2024-04-29"}) {
    EXPECT_NE(html.find(section), std::string::npos) << section;
  }
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("reorder point"), std::string::npos);
  EXPECT_NE(html.find("out of stock"), std::string::npos);  // censored-day markers
  EXPECT_NE(html.find("capped to"), std::string::npos);     // outlier marker
  // Cleaning report: rules, examples with file:line, everything escaped.
  EXPECT_NE(html.find("non_product_line"), std::string::npos);
  EXPECT_NE(html.find("orders.csv:17"), std::string::npos);
  EXPECT_NE(html.find("lines_read"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("Apple &lt;crate&gt;"), std::string::npos);
  ExpectSelfContained(html);
}

TEST(HtmlReport, EmptyStoreStillRenders) {
  FakeStore store;
  auto html = RenderHtmlReport(store);
  ASSERT_TRUE(html.ok()) << Describe(html.error());
  EXPECT_NE(html->find("No plan yet"), std::string::npos);
  EXPECT_NE(html->find("No import yet"), std::string::npos);
  ExpectSelfContained(*html);
}

TEST(HtmlReport, TolerantOfOddImportReports) {
  FakeStore store;
  auto id = store.StartRun("import", "{}");
  ASSERT_TRUE(store.FinishRun(*id, "ok", R"({"rules": 3, "examples": {"x": "just text"}})").ok());
  auto html = RenderHtmlReport(store);
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->find("just text"), std::string::npos);
  FakeStore broken;
  id = broken.StartRun("import", "{}");
  ASSERT_TRUE(broken.FinishRun(*id, "ok", "not json").ok());
  auto html2 = RenderHtmlReport(broken);
  ASSERT_TRUE(html2.ok());
  EXPECT_NE(html2->find("not a JSON object"), std::string::npos);
}

TEST(HtmlReport, EscapesText) {
  EXPECT_EQ(HtmlEscape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
}

}  // namespace
}  // namespace stockcast::pipeline
