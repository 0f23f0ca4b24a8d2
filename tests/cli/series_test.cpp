// `forecast --series` and `backtest` on long CSV files, as a user runs them.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "cli/cli_util.h"

namespace stockcast::testing {
namespace {

// Two monthly-like series: a seasonal one (period 12) and a flat one, 48 periods each, rows
// deliberately out of order for the flat series.
std::string SeriesCsv() {
  std::string csv = "series_id,period,value\n";
  for (int t = 1; t <= 48; ++t) {
    csv += "S," + std::to_string(t) + "," +
           std::to_string(100 + 30 * std::sin(2 * M_PI * t / 12) + (t % 5)) + "\n";
  }
  for (int t = 48; t >= 1; --t) csv += "F," + std::to_string(t) + "," + std::to_string(50 + (t % 3)) + "\n";
  return csv;
}

TEST(SeriesCliTest, ForecastWritesTheContractColumns) {
  const auto dir = TempDir("series-forecast");
  const std::string in = WriteFile(dir / "in.csv", SeriesCsv());
  const auto out = dir / "sub" / "out.csv";
  const CliRun run = Cli("forecast --series " + Q(in) + " --horizon 6 --season-length 12 --model ets "
                         "--quantiles 0.05,0.5,0.95 --out " + Q(out));
  ASSERT_EQ(run.code, 0) << run.Dump();
  const auto rows = ParseCsv(ReadFile(out));
  ASSERT_EQ(rows.size(), 1u + 2 * 6);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"series_id", "step", "period", "mean", "q0.05",
                                                "q0.5", "q0.95", "model"}));
  EXPECT_EQ(rows[1][0], "S");
  EXPECT_EQ(rows[1][2], "49");  // the period after the last one
  EXPECT_EQ(rows[7][0], "F");
  for (size_t r = 1; r < rows.size(); ++r) {
    const double lo = std::stod(rows[r][4]), mid = std::stod(rows[r][5]), hi = std::stod(rows[r][6]);
    EXPECT_LE(lo, mid);
    EXPECT_LE(mid, hi);
    EXPECT_GE(lo, 0.0);
    EXPECT_EQ(rows[r][7].rfind("ETS(", 0), 0u) << rows[r][7];
  }
  // The seasonal series keeps its season: period 51 (3 mod 12, sin = 1) sits about 30 above
  // period 54 (6 mod 12, sin = 0).
  EXPECT_GT(std::stod(rows[3][3]), std::stod(rows[6][3]) + 20) << ReadFile(out);
  // Flat series around 51: the forecast stays there.
  EXPECT_NEAR(std::stod(rows[7][3]), 51, 3);
}

TEST(SeriesCliTest, DatedSeriesGetDatesAndAutoIsTheDefault) {
  const auto dir = TempDir("series-dated");
  std::string csv = "series_id,date,value\n";
  for (int d = 1; d <= 28; ++d) {
    csv += "A,2024-02-" + std::string(d < 10 ? "0" : "") + std::to_string(d) + "," +
           std::to_string(10 + (d % 7 == 0 ? 8 : 0)) + "\n";
  }
  const std::string in = WriteFile(dir / "in.csv", csv);
  const auto out = dir / "out.csv";
  const CliRun run = Cli("forecast --series " + Q(in) + " --horizon 3 --out " + Q(out) + " --json");
  ASSERT_EQ(run.code, 0) << run.Dump();
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["model"], "auto");
  EXPECT_EQ(j["series"], 1);
  const auto rows = ParseCsv(ReadFile(out));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0][2], "date");
  EXPECT_EQ(rows[1][2], "2024-02-29");  // leap day follows the 28th
  EXPECT_EQ(rows[3][2], "2024-03-02");
}

TEST(SeriesCliTest, BadInputSaysWhereAndWhy) {
  const auto dir = TempDir("series-bad");
  const auto out = dir / "out.csv";
  const std::string dup = WriteFile(dir / "dup.csv", "series_id,period,value\nA,1,3\nA,2,4\nA,1,5\n");
  CliRun run = Cli("forecast --series " + Q(dup) + " --horizon 2 --out " + Q(out));
  EXPECT_EQ(run.code, 3) << run.Dump();  // invalid input
  EXPECT_NE(run.err.find("dup.csv:4"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("line 2"), std::string::npos) << run.err;
  const std::string cols = WriteFile(dir / "cols.csv", "id,period,value\nA,1,3\n");
  run = Cli("forecast --series " + Q(cols) + " --horizon 2 --out " + Q(out));
  EXPECT_EQ(run.code, 3) << run.Dump();  // invalid input
  EXPECT_NE(run.err.find("series_id"), std::string::npos) << run.err;
  const std::string text = WriteFile(dir / "text.csv", "series_id,period,value\nA,1,abc\n");
  run = Cli("forecast --series " + Q(text) + " --horizon 2 --out " + Q(out));
  EXPECT_EQ(run.code, 3) << run.Dump();  // invalid input
  EXPECT_NE(run.err.find("text.csv:2:5"), std::string::npos) << run.err;
  run = Cli("forecast --series " + Q(dup) + " --horizon 2 --model arima9 --out " + Q(out));
  EXPECT_EQ(run.code, 3) << run.Dump();  // invalid input
  EXPECT_NE(run.err.find("available: "), std::string::npos) << run.err;
  run = Cli("forecast --series " + Q(dup) + " --horizon 0 --out " + Q(out));
  EXPECT_EQ(run.code, 3) << run.Dump();  // invalid input
  EXPECT_NE(run.err.find("--horizon = 0"), std::string::npos) << run.err;
}

TEST(SeriesCliTest, BacktestReportsPerSeriesAndAggregateMetrics) {
  const auto dir = TempDir("series-backtest");
  const std::string in = WriteFile(dir / "in.csv", SeriesCsv());
  const CliRun run = Cli("backtest --series " + Q(in) + " --horizon 6 --windows 3 --season-length 12 "
                         "--model naive --json");
  ASSERT_EQ(run.code, 0) << run.Dump();
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["series"], 2);
  EXPECT_EQ(j["per_series"].size(), 2u);
  EXPECT_EQ(j["per_series"][0]["windows"], 3);
  EXPECT_EQ(j["aggregate"]["metrics"]["n"], 36);  // 2 series x 3 windows x 6 steps
  EXPECT_GT(j["aggregate"]["metrics"]["smape"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(j["aggregate"]["nominal_coverage"].get<double>(), 0.9);
  // Naive on the seasonal series errs more than the seasonal-naive-aware ets.
  const CliRun ets = Cli("backtest --series " + Q(in) + " --horizon 6 --windows 3 --season-length 12 "
                         "--model ets --json");
  ASSERT_EQ(ets.code, 0) << ets.Dump();
  const auto je = nlohmann::json::parse(ets.out);
  EXPECT_LT(je["per_series"][0]["metrics"]["mae"].get<double>(),
            j["per_series"][0]["metrics"]["mae"].get<double>());
  const CliRun bad = Cli("backtest --series " + Q(in) + " --horizon 6 --windows 0");
  EXPECT_EQ(bad.code, 3) << bad.Dump();
  EXPECT_NE(bad.err.find("windows = 0"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace stockcast::testing
