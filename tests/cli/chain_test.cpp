// The whole workflow a new user runs: generate -> import -> forecast -> plan -> report, and
// what the later commands say when an earlier step is missing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "cli_util.h"

namespace stockcast::testing {
namespace {

namespace fs = std::filesystem;

using Row = std::vector<std::string>;


double Num(const std::string& s) {
  size_t used = 0;
  const double v = std::stod(s, &used);
  EXPECT_EQ(used, s.size()) << "not a number: \"" << s << "\"";
  return v;
}

TEST(CliChainTest, GenerateImportForecastPlanReport) {
  const fs::path tmp = TempDir("stockcast-cli-chain");
  const fs::path data = tmp / "data", db = tmp / "store.db";
  const fs::path fcsv = tmp / "out" / "forecast.csv", pdir = tmp / "out" / "plan",
                 html = tmp / "out" / "report.html";

  fs::create_directories(tmp / "out");
  CliRun run = Cli("-q generate --out " + Q(data) + " --seed 11 --skus 6 --days 120");
  ASSERT_EQ(run.code, 0) << run.Dump();

  run = Cli("-q import --json --dir " + Q(data) + " --db " + Q(db));
  ASSERT_EQ(run.code, 0) << run.Dump();
  const int64_t series = Json(run)["series"]["count"].get<int64_t>();
  EXPECT_EQ(series, 12) << "6 SKUs x 2 warehouses";

  // --- forecast ---
  run = Cli("-q forecast --json --db " + Q(db) + " --horizon 14 --out " + Q(fcsv));
  ASSERT_EQ(run.code, 0) << run.Dump();
  const nlohmann::json fj = Json(run);
  EXPECT_EQ(fj["series"], series);
  EXPECT_EQ(fj["rows"], series * 14);
  EXPECT_EQ(fj["model"], "baseline");
  EXPECT_EQ(fj["history"][1], "2024-04-29") << "120 days from 2024-01-01";
  EXPECT_EQ(fj["forecast"][0], "2024-04-30");
  EXPECT_EQ(fj["forecast"][1], "2024-05-13");
  EXPECT_EQ(fj["out"], fcsv.string());

  ASSERT_TRUE(fs::exists(fcsv));
  const auto frows = ParseCsv(ReadFile(fcsv));
  ASSERT_FALSE(frows.empty());
  EXPECT_EQ(frows[0], (Row{"series_id", "step", "date", "mean", "q0.1", "q0.5", "q0.9", "model"}));
  EXPECT_EQ(static_cast<int64_t>(frows.size()) - 1, series * 14);
  std::map<std::string, std::vector<int>> steps;
  for (size_t i = 1; i < frows.size(); ++i) {
    const Row& r = frows[i];
    ASSERT_EQ(r.size(), 8u) << "row " << i;
    EXPECT_NE(r[0].find('@'), std::string::npos) << r[0];
    const int step = static_cast<int>(Num(r[1]));
    steps[r[0]].push_back(step);
    EXPECT_GE(r[2], "2024-04-30");
    EXPECT_LE(r[2], "2024-05-13");
    const double mean = Num(r[3]), q1 = Num(r[4]), q5 = Num(r[5]), q9 = Num(r[6]);
    EXPECT_GE(mean, 0.0) << "row " << i;
    EXPECT_GE(q1, 0.0) << "row " << i;
    EXPECT_LE(q1, q5) << "row " << i;
    EXPECT_LE(q5, q9) << "row " << i;
    EXPECT_FALSE(r[7].empty());
  }
  EXPECT_EQ(static_cast<int64_t>(steps.size()), series);
  for (const auto& [id, s] : steps) {
    std::vector<int> sorted = s;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int> want(14);
    for (int k = 0; k < 14; ++k) want[k] = k + 1;
    EXPECT_EQ(sorted, want) << id;
  }

  // --- plan: the closed loop reuses the forecast (newer than the import) ---
  run = Cli("-q plan --json --db " + Q(db) + " --out " + Q(pdir));
  ASSERT_EQ(run.code, 0) << run.Dump();
  const nlohmann::json pj = Json(run);
  for (const char* key : {"orders", "riskiest", "order_lines", "as_of", "total_units", "total_cost",
                          "series", "forecast_run_id", "forecasted", "classes", "alerts", "kpis",
                          "files"}) {
    EXPECT_TRUE(pj.contains(key)) << key << " missing in\n" << run.out;
  }
  EXPECT_EQ(pj["series"], series);
  EXPECT_EQ(pj["as_of"], "2024-04-30");
  EXPECT_EQ(pj["forecast_run_id"], fj["run_id"]);
  EXPECT_EQ(pj["forecasted"], false);
  int classified = 0;
  for (const auto& [cell, n] : pj["classes"].items()) {
    EXPECT_EQ(cell.size(), 2u) << cell;
    classified += n.get<int>();
  }
  EXPECT_EQ(classified, series);
  ASSERT_TRUE(pj["order_lines"].is_array());
  EXPECT_EQ(pj["orders"], pj["order_lines"].size());
  EXPECT_GT(pj["orders"].get<int>(), 0);
  double units = 0;
  for (const auto& l : pj["order_lines"]) {
    EXPECT_GT(l["quantity"].get<double>(), 0.0) << l.dump();
    units += l["quantity"].get<double>();
    for (const char* key : {"sku", "location", "supplier_id", "order_date", "arrival_date",
                            "reorder_point", "order_up_to", "safety_stock", "forecast_over_cover",
                            "service_target", "class", "binding", "explanation"}) {
      EXPECT_TRUE(l.contains(key)) << key << " missing in " << l.dump();
    }
    EXPECT_GE(l["order_up_to"].get<double>(), l["reorder_point"].get<double>()) << l.dump();
  }
  EXPECT_NEAR(units, pj["total_units"].get<double>(), 1e-6);
  const double fill = pj["kpis"]["fill_rate"].get<double>();
  EXPECT_GT(fill, 0.5);
  EXPECT_LE(fill, 1.0);

  for (const char* f : {"orders.csv", "alerts.csv", "kpis.json", "projection.csv", "report.html"}) {
    EXPECT_TRUE(fs::exists(pdir / f)) << f;
  }
  const auto prows = ParseCsv(ReadFile(pdir / "orders.csv"));
  ASSERT_FALSE(prows.empty());
  EXPECT_EQ(prows[0], (Row{"supplier_id", "sku", "location", "class", "quantity", "order_date",
                           "expected_arrival", "unit_cost", "line_cost", "on_hand", "on_order",
                           "forecast_over_cover", "safety_stock", "reorder_point", "order_up_to",
                           "service_target", "bound_by", "explanation"}));
  EXPECT_EQ(prows.size() - 1, pj["orders"].get<size_t>());
  double cost = 0;
  for (size_t i = 1; i < prows.size(); ++i) {
    const Row& r = prows[i];
    ASSERT_EQ(r.size(), 18u) << "row " << i;
    EXPECT_GT(Num(r[4]), 0.0);
    EXPECT_EQ(r[5], "2024-04-30");
    EXPECT_GE(r[6], r[5]) << "arrives before it is ordered";
    EXPECT_NEAR(Num(r[8]), Num(r[4]) * Num(r[7]), 0.01 + 1e-6 * Num(r[8])) << "row " << i;
    cost += Num(r[8]);
    EXPECT_FALSE(r[17].empty()) << "row " << i << " has no explanation";
    if (i > 1) {
      const Row& p = prows[i - 1];
      EXPECT_LE(std::tie(p[0], p[1], p[2]), std::tie(r[0], r[1], r[2]))
          << "orders.csv not sorted by supplier, sku, location at row " << i;
    }
  }
  EXPECT_NEAR(cost, pj["total_cost"].get<double>(), 0.05);
  // projection.csv: 56 days per series with known stock, P10 <= P50 <= P90.
  const auto proj = ParseCsv(ReadFile(pdir / "projection.csv"));
  ASSERT_GT(proj.size(), 1u);
  EXPECT_EQ(proj[0], (Row{"sku", "location", "date", "p10", "p50", "p90", "arrivals",
                          "reorder_point", "lower_line", "upper_line"}));
  EXPECT_EQ((proj.size() - 1) % 56, 0u);
  for (size_t i = 1; i < proj.size(); ++i) {
    EXPECT_LE(Num(proj[i][3]), Num(proj[i][4]) + 1e-9) << "row " << i;
    EXPECT_LE(Num(proj[i][4]), Num(proj[i][5]) + 1e-9) << "row " << i;
  }
  EXPECT_EQ(proj[1][2], "2024-04-30");
  const auto alerts = ParseCsv(ReadFile(pdir / "alerts.csv"));
  ASSERT_FALSE(alerts.empty());
  EXPECT_EQ(alerts[0][0], "id");
  const nlohmann::json kj = nlohmann::json::parse(ReadFile(pdir / "kpis.json"));
  EXPECT_TRUE(kj.contains("total")) << kj.dump();
  EXPECT_TRUE(kj.contains("by_location")) << kj.dump();
  EXPECT_NEAR(kj["total"]["fill_rate"].get<double>(), pj["kpis"]["fill_rate"].get<double>(), 1e-4);

  // --- report ---
  run = Cli("-q report --db " + Q(db) + " --out " + Q(html));
  ASSERT_EQ(run.code, 0) << run.Dump();
  EXPECT_TRUE(Contains(run.out, html.string())) << run.out;
  ASSERT_TRUE(fs::exists(html));
  const std::string page = ReadFile(html);
  EXPECT_TRUE(Contains(page, "<svg")) << "no chart in the report";
  EXPECT_FALSE(Contains(page, "http://")) << "the report must not reference the network";
  EXPECT_FALSE(Contains(page, "https://")) << "the report must not reference the network";
  EXPECT_FALSE(Contains(page, "<script")) << "the report must not run scripts";

  // report --json shows the three runs.
  run = Cli("report --json --db " + Q(db));
  ASSERT_EQ(run.code, 0) << run.Dump();
  const nlohmann::json rj = Json(run);
  for (const char* kind : {"import", "forecast", "plan"}) {
    ASSERT_TRUE(rj.contains(kind)) << run.out;
    EXPECT_EQ(rj[kind]["status"], "ok") << kind;
  }
  EXPECT_EQ(rj["forecast"]["id"], fj["run_id"]);
  EXPECT_EQ(rj["plan"]["id"], pj["run_id"]);

  // The text summary of the same plan (a new plan run): the same alerts persist.
  run = Cli("-q plan --db " + Q(db));
  ASSERT_EQ(run.code, 0) << run.Dump();
  EXPECT_TRUE(Contains(run.out, "as of 2024-04-30")) << run.out;
  EXPECT_TRUE(Contains(run.out, "Alerts: ")) << run.out;
  EXPECT_TRUE(Contains(run.out, "0 new")) << run.out;
  EXPECT_TRUE(Contains(run.out, "KPIs ")) << run.out;
}

TEST(CliChainTest, ForecastOnAMissingStoreExitsFour) {
  const fs::path tmp = TempDir("stockcast-cli-chain");
  const fs::path db = tmp / "never.db";
  const CliRun run = Cli("forecast --db " + Q(db));
  EXPECT_EQ(run.code, 4) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "stockcast: error: " + db.string() + ": no such store"))
      << run.Dump();
  EXPECT_FALSE(fs::exists(db)) << "forecast must not create a store";
}

TEST(CliChainTest, PlanAndReportOnAMissingStoreExitFour) {
  const fs::path tmp = TempDir("stockcast-cli-chain");
  const fs::path db = tmp / "never.db";
  CliRun run = Cli("plan --db " + Q(db));
  EXPECT_EQ(run.code, 4) << run.Dump();
  run = Cli("report --db " + Q(db) + " --out " + Q(tmp / "r.html"));
  EXPECT_EQ(run.code, 4) << run.Dump();
  EXPECT_FALSE(fs::exists(db));
  EXPECT_FALSE(fs::exists(tmp / "r.html"));
}

TEST(CliChainTest, PlanWithoutForecastForecastsItself) {
  const fs::path tmp = TempDir("stockcast-cli-chain");
  const fs::path db = tmp / "x.db";
  const std::string orders = WriteFile(tmp / "orders.csv",
                                       "order_id,sku,quantity,unit_price,timestamp\n"
                                       "1,A,2,3.5,2024-01-01\n"
                                       "2,A,1,3.5,2024-01-02\n");
  CliRun run = Cli("-q import --orders " + Q(orders) + " --db " + Q(db));
  ASSERT_EQ(run.code, 0) << run.Dump();
  run = Cli("-q plan --json --db " + Q(db));
  ASSERT_EQ(run.code, 0) << run.Dump();
  const nlohmann::json pj = Json(run);
  EXPECT_EQ(pj["forecasted"], true);
  EXPECT_EQ(pj["forecast_model"], "auto");
  EXPECT_EQ(pj["series"], 1);

  // The report shows the plan the loop saved.
  run = Cli("-q report --db " + Q(db) + " --out " + Q(tmp / "r.html"));
  EXPECT_EQ(run.code, 0) << run.Dump();
  EXPECT_FALSE(Contains(ReadFile(tmp / "r.html"), "No plan yet")) << "the loop saved one";
}

TEST(CliChainTest, ForecastOptionErrorsExitThree) {
  const fs::path tmp = TempDir("stockcast-cli-chain");
  const std::string orders = WriteFile(tmp / "orders.csv",
                                       "order_id,sku,quantity,unit_price,timestamp\n"
                                       "1,A,2,3.5,2024-01-01\n");
  ASSERT_EQ(Cli("-q import --orders " + Q(orders) + " --db " + Q(tmp / "x.db")).code, 0);
  CliRun run = Cli("forecast --db " + Q(tmp / "x.db") + " --horizon 0");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "horizon")) << run.Dump();
  run = Cli("forecast --db " + Q(tmp / "x.db") + " --quantiles 0.5,1.5");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "1.5")) << run.Dump();
}

// An --out file that cannot be written fails the command and records no run.
TEST(CliChainTest, UnwritableOutputFailsWithoutRecordingARun) {
  const fs::path tmp = TempDir("stockcast-cli-chain");
  const fs::path db = tmp / "x.db";
  const std::string orders = WriteFile(tmp / "orders.csv",
                                       "order_id,sku,quantity,unit_price,timestamp\n"
                                       "1,SKU-A,2,3.5,2024-01-01\n"
                                       "2,SKU-A,1,3.5,2024-01-02\n");
  ASSERT_EQ(Cli("-q import --orders " + Q(orders) + " --db " + Q(db)).code, 0);
  WriteFile(tmp / "file", "not a directory\n");
  const fs::path bad = tmp / "file" / "forecast.csv";
  CliRun run = Cli("-q forecast --db " + Q(db) + " --horizon 3 --out " + Q(bad));
  EXPECT_NE(run.code, 0) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "stockcast: error: ")) << run.Dump();
  EXPECT_TRUE(Contains(run.err, bad.string())) << run.Dump();
  EXPECT_FALSE(HasRun(db, "forecast"));

  ASSERT_EQ(Cli("-q forecast --db " + Q(db) + " --horizon 3").code, 0);
  run = Cli("-q plan --db " + Q(db) + " --out " + Q(tmp / "file" / "plan"));
  EXPECT_NE(run.code, 0) << run.Dump();
  EXPECT_TRUE(Contains(run.err, (tmp / "file" / "plan").string())) << run.Dump();
  EXPECT_FALSE(HasRun(db, "plan"));
  // The old form (a CSV file) says what --out is now.
  run = Cli("-q plan --db " + Q(db) + " --out " + Q(tmp / "plan.csv"));
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "must be a folder")) << run.Dump();
}

TEST(CliChainTest, ForecastWithCustomQuantilesWritesTheirColumns) {
  const fs::path data = GenerateSmall(3, 2, 40);
  const fs::path tmp = TempDir("stockcast-cli-chain");
  ASSERT_EQ(Cli("-q import --dir " + Q(data) + " --db " + Q(tmp / "x.db")).code, 0);
  const CliRun run = Cli("-q forecast --db " + Q(tmp / "x.db") +
                         " --horizon 3 --quantiles 0.05,0.5,0.95 --out " + Q(tmp / "f.csv"));
  ASSERT_EQ(run.code, 0) << run.Dump();
  const auto lines = Lines(ReadFile(tmp / "f.csv"));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "series_id,step,date,mean,q0.05,q0.5,q0.95,model");
  EXPECT_EQ(lines.size(), 1u + 2 * 2 * 3);
}

}  // namespace
}  // namespace stockcast::testing
