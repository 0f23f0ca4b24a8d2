// `forecast --series` and `backtest` on long CSV files, as a user runs them.
#include <cmath>
#include <cstdlib>
#include <filesystem>
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

// Forty daily series of different shapes, so that auto picks different models.
std::string ManyDailySeries() {
  std::string csv = "series_id,date,value\n";
  for (int s = 0; s < 40; ++s) {
    for (int d = 0; d < 120; ++d) {
      const int month = 1 + d / 28, day = 1 + d % 28;
      const double v = s % 4 == 0   ? (d % (3 + s % 5) == 0 ? 2 + s % 3 : 0)  // intermittent
                       : s % 4 == 1 ? 20 + 0.1 * s * d / 10.0 + (d * 7 % 11)  // trend
                                    : 30 + 10 * std::sin(2 * M_PI * d / 7) + (d * 13 % (5 + s));
      csv += "S" + std::to_string(s) + ",2023-" + (month < 10 ? "0" : "") + std::to_string(month) +
             "-" + (day < 10 ? "0" : "") + std::to_string(day) + "," + std::to_string(v) + "\n";
    }
  }
  return csv;
}

TEST(SeriesCliTest, ThreadCountNeverChangesTheResults) {
  const auto dir = TempDir("series-threads");
  const std::string in = WriteFile(dir / "in.csv", ManyDailySeries());
  std::string outputs[2];
  std::string backtests[2];
  for (int threads : {1, 2}) {
    const auto out = dir / ("out" + std::to_string(threads) + ".csv");
    const CliRun run = Cli("forecast --series " + Q(in) + " --horizon 14 --threads " +
                           std::to_string(threads) + " --out " + Q(out));
    ASSERT_EQ(run.code, 0) << run.Dump();
    outputs[threads - 1] = ReadFile(out);
    const CliRun bt = Cli("backtest --series " + Q(in) + " --horizon 7 --windows 2 --threads " +
                          std::to_string(threads) + " --json");
    ASSERT_EQ(bt.code, 0) << bt.Dump();
    auto j = nlohmann::json::parse(bt.out);
    j.erase("seconds");
    backtests[threads - 1] = j.dump();
  }
  EXPECT_EQ(ParseCsv(outputs[0]).size(), 1u + 40 * 14);
  EXPECT_EQ(outputs[0], outputs[1]);
  EXPECT_EQ(backtests[0], backtests[1]);
}

TEST(SeriesCliTest, CalibrateRescalesIntervalsFromBacktestWindows) {
  const auto dir = TempDir("series-calibrate");
  const std::string in = WriteFile(dir / "in.csv", ManyDailySeries());
  std::string outputs[2];
  for (int calibrate : {0, 3}) {
    const auto out = dir / ("out" + std::to_string(calibrate) + ".csv");
    const CliRun run = Cli("forecast --series " + Q(in) + " --horizon 14 --model naive --calibrate " +
                           std::to_string(calibrate) + " --out " + Q(out));
    ASSERT_EQ(run.code, 0) << run.Dump();
    outputs[calibrate == 0 ? 0 : 1] = ReadFile(out);
  }
  const auto plain = ParseCsv(outputs[0]), calibrated = ParseCsv(outputs[1]);
  ASSERT_EQ(plain.size(), calibrated.size());
  // Means (column 3) stay; some interval bounds (columns 4 and 6) move.
  size_t moved = 0;
  for (size_t i = 1; i < plain.size(); ++i) {
    EXPECT_EQ(plain[i][3], calibrated[i][3]);
    moved += plain[i][4] != calibrated[i][4] || plain[i][6] != calibrated[i][6];
  }
  EXPECT_GT(moved, plain.size() / 2);
  // In the backtest each window is calibrated on its own training data only; the point metrics
  // do not change, the coverage does.
  double coverage[2] = {0, 0}, smape[2] = {0, 0};
  for (int calibrate : {0, 4}) {  // 4 windows x 7 steps: 28 scores per level, >= the 20 needed
    const CliRun bt = Cli("backtest --series " + Q(in) + " --horizon 7 --windows 2 --model naive "
                          "--calibrate " + std::to_string(calibrate) + " --json");
    ASSERT_EQ(bt.code, 0) << bt.Dump();
    const auto j = nlohmann::json::parse(bt.out);
    coverage[calibrate == 0 ? 0 : 1] = j["aggregate"]["coverage"].get<double>();
    smape[calibrate == 0 ? 0 : 1] = j["aggregate"]["metrics"]["smape"].get<double>();
  }
  EXPECT_DOUBLE_EQ(smape[0], smape[1]);
  EXPECT_NE(coverage[0], coverage[1]);
  const CliRun bad = Cli("forecast --series " + Q(in) + " --calibrate -1 --out " + Q(dir / "x.csv"));
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("--calibrate"), std::string::npos) << bad.Dump();
}

TEST(SeriesCliTest, RowsAfterTheLastValueAreTheRegressorsFuture) {
  const auto dir = TempDir("series-future");
  // 57 days with a price, then 3 future days whose price is planned but whose value is empty.
  std::string csv = "series_id,date,value,price\n";
  for (int d = 1; d <= 60; ++d) {
    const int month = d <= 31 ? 1 : 2, day = d <= 31 ? d : d - 31;
    const std::string date = std::string("2024-0") + std::to_string(month) + "-" +
                             (day < 10 ? "0" : "") + std::to_string(day);
    csv += "A," + date + "," + (d <= 57 ? std::to_string(10 + d % 3) : "") + ",9.5\n";
  }
  const std::string in = WriteFile(dir / "in.csv", csv);
  const auto out = dir / "out.csv";
  const CliRun run = Cli("forecast --series " + Q(in) + " --horizon 3 --model naive --out " + Q(out));
  ASSERT_EQ(run.code, 0) << run.Dump();
  const auto rows = ParseCsv(ReadFile(out));
  ASSERT_EQ(rows.size(), 4u);
  // Day 57 is 2024-02-26: the forecast starts on the next day, not after the future rows
  // (which end on 2024-02-29).
  EXPECT_EQ(rows[1][2], "2024-02-27");
  EXPECT_EQ(rows[1][3], "10");  // naive: the last value, 10 + 57 % 3
  // A series with regressors but no value at all cannot be forecast: said with the file.
  const std::string none = WriteFile(dir / "none.csv", "series_id,period,value,price\nB,1,,2\n");
  const CliRun bad = Cli("forecast --series " + Q(none) + " --horizon 2 --out " + Q(out));
  EXPECT_EQ(bad.code, 3) << bad.Dump();
  EXPECT_NE(bad.err.find("none.csv: series \"B\" has no value"), std::string::npos) << bad.err;
}

TEST(SeriesCliTest, LearningCurveLimitsTheHistory) {
  const auto dir = TempDir("series-curve");
  const std::string in = WriteFile(dir / "in.csv", SeriesCsv());
  const CliRun run = Cli("backtest --series " + Q(in) + " --horizon 6 --windows 2 --season-length 12 "
                         "--model mean --learning-curve 3,12,0 --json");
  ASSERT_EQ(run.code, 0) << run.Dump();
  const auto j = nlohmann::json::parse(run.out);
  ASSERT_EQ(j["learning_curve"].size(), 3u);
  EXPECT_EQ(j["learning_curve"][0]["history"], 3);
  // history 0 = all: the same numbers as the main run.
  EXPECT_EQ(j["learning_curve"][2]["metrics"], j["aggregate"]["metrics"]);
  // The mean of the last 3 values of the seasonal series is not the mean of everything: the
  // limit reaches the model.
  EXPECT_NE(j["learning_curve"][0]["metrics"]["mae"], j["aggregate"]["metrics"]["mae"]);
  const CliRun bad = Cli("backtest --series " + Q(in) + " --horizon 6 --learning-curve 3,x");
  EXPECT_EQ(bad.code, 3) << bad.Dump();
  EXPECT_NE(bad.err.find("--learning-curve item \"x\""), std::string::npos) << bad.err;
}

TEST(SeriesCliTest, BacktestChartsForecastsAgainstActuals) {
  const auto dir = TempDir("series-html");
  const std::string in = WriteFile(dir / "in.csv", SeriesCsv());
  const auto html = dir / "charts" / "bt.html";
  const CliRun run = Cli("backtest --series " + Q(in) + " --horizon 6 --windows 2 --season-length 12 "
                         "--model theta --html " + Q(html));
  ASSERT_EQ(run.code, 0) << run.Dump();
  const std::string page = ReadFile(html);
  // Both series charted (units as weights: the seasonal series S sells more, so it comes
  // first), each with its two windows' origins and interval bands, x axis in periods.
  const size_t s_pos = page.find("<h2>S</h2>"), f_pos = page.find("<h2>F</h2>");
  ASSERT_NE(s_pos, std::string::npos) << page.substr(0, 400);
  ASSERT_NE(f_pos, std::string::npos);
  EXPECT_LT(s_pos, f_pos);
  size_t svgs = 0, origins = 0, bands = 0;
  for (size_t p = page.find("<svg"); p != std::string::npos; p = page.find("<svg", p + 1)) ++svgs;
  for (size_t p = page.find(">origin<"); p != std::string::npos; p = page.find(">origin<", p + 1)) ++origins;
  for (size_t p = page.find("fill-opacity"); p != std::string::npos; p = page.find("fill-opacity", p + 1)) ++bands;
  EXPECT_EQ(svgs, 2u);
  EXPECT_EQ(origins, 4u);
  EXPECT_EQ(bands, 4u);
  // Drawn from period 25: the 12 periods of the windows (37..48) and as many before.
  EXPECT_NE(page.find(">25<"), std::string::npos) << "period labels on the x axis";
}

TEST(SeriesCliTest, BacktestRunsOnTheStore) {
  const auto dir = TempDir("series-backtest-db");
  const auto data = dir / "data", db = dir / "store.db";
  CliRun run = Cli("-q generate --out " + Q(data) + " --seed 5 --skus 3 --days 150");
  ASSERT_EQ(run.code, 0) << run.Dump();
  run = Cli("-q import --dir " + Q(data) + " --db " + Q(db));
  ASSERT_EQ(run.code, 0) << run.Dump();
  run = Cli("backtest --db " + Q(db) + " --horizon 14 --windows 2 --model baseline --json");
  ASSERT_EQ(run.code, 0) << run.Dump();
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["series"], 6) << "3 SKUs x 2 warehouses";
  EXPECT_EQ(j["per_series"][0]["windows"], 2);
  EXPECT_NE(j["per_series"][0]["series_id"].get<std::string>().find('@'), std::string::npos);
  EXPECT_GT(j["aggregate"]["metrics"]["mae"].get<double>(), 0.0);
  // Generated data carries prices: WRMSSE is weighted by revenue and finite.
  EXPECT_TRUE(j["aggregate"]["wrmsse"].is_number()) << j["aggregate"].dump();
  // Exactly one source.
  run = Cli("backtest --horizon 14 --windows 2");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_NE(run.err.find("exactly one of --series"), std::string::npos) << run.err;
}

// lstm and gru load LibTorch from libstockcast_torch.so on first use; STOCKCAST_TORCH_MODULE
// names another file, and one that cannot be loaded is reported with its path and the rule.
TEST(SeriesCliTest, AnUnloadableTorchModuleIsReportedWithItsPath) {
  const auto dir = TempDir("series-torch-module");
  const std::string in = WriteFile(dir / "in.csv", SeriesCsv());
  const std::string bad = (dir / "missing" / "libstockcast_torch.so").string();
  const auto model = dir / "m.model";
  setenv("STOCKCAST_TORCH_MODULE", bad.c_str(), 1);
  const CliRun run = Cli("train --model lstm:hidden=8,epochs=1 --series " + Q(in) + " --out " +
                         Q(model));
  unsetenv("STOCKCAST_TORCH_MODULE");
  EXPECT_NE(run.code, 0) << run.Dump();
  SC_SKIP_OR_FAIL_UNLESS(run.err.find("built without LibTorch") == std::string::npos,
                         "built without LibTorch");
  EXPECT_NE(run.err.find(bad + ": dlopen failed"), std::string::npos) << run.Dump();
  EXPECT_NE(run.err.find("STOCKCAST_TORCH_MODULE is set: only that path is tried"),
            std::string::npos)
      << run.Dump();
  EXPECT_FALSE(std::filesystem::exists(model));
}

}  // namespace
}  // namespace stockcast::testing
