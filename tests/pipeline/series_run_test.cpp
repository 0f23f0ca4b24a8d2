// `backtest --series` aggregation (pipeline/series_run.h).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "stockcast/pipeline/series_run.h"
#include "test_util.h"

namespace stockcast::pipeline {
namespace {

// A series whose backtest windows hold no value (all missing) has NaN pinball losses; the
// aggregate is the mean over the series that have one, not NaN.
TEST(SeriesBacktestRun, PinballMeanLeavesOutSeriesWithoutScoredDays) {
  const std::string path = ::testing::TempDir() + "/series_run_pinball.csv";
  {
    std::ofstream out(path);
    out << "series_id,period,value\n";
    for (int t = 1; t <= 40; ++t) out << "full," << t << "," << (t % 3) << "\n";
    for (int t = 1; t <= 40; ++t) {
      out << "gappy," << t << ",";
      if (t <= 30) out << (t % 4);
      out << "\n";
    }
  }
  SeriesBacktestOptions o;
  o.series_path = path;
  o.model = "mean";
  o.backtest.horizon = 5;
  o.backtest.windows = 2;
  o.threads = 1;
  auto sum = RunSeriesBacktest(o);
  ASSERT_TRUE(sum.ok()) << sum.error().message;
  ASSERT_EQ(sum->series.size(), 2u);
  EXPECT_TRUE(std::isnan(sum->series[1].result.pinball[0]));
  ASSERT_EQ(sum->pinball.size(), 3u);
  for (size_t l = 0; l < 3; ++l) {
    EXPECT_TRUE(std::isfinite(sum->pinball[l])) << "level " << l;
    EXPECT_DOUBLE_EQ(sum->pinball[l], sum->series[0].result.pinball[l]);
  }
}

}  // namespace
}  // namespace stockcast::pipeline
