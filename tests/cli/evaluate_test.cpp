// `stockcast evaluate`: the walk-forward backtest over a generated store, as a user runs it.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli_util.h"

namespace stockcast::testing {
namespace {

namespace fs = std::filesystem;

// generate -> import, once for the suite (the store is only read afterwards).
class EvaluateCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new fs::path(GeneratedStore("stockcast-cli-evaluate", 3, 6, 200));
  }
  static void TearDownTestSuite() {
    delete db_;
  }
  static fs::path* db_;
};
fs::path* EvaluateCliTest::db_ = nullptr;

TEST_F(EvaluateCliTest, JsonHasOneRowPerPolicyWithConsistentCosts) {
  CliRun run = Cli("-q evaluate --json --db " + Q(*db_) +
                   " --max-series 4 --model baseline --policies plan,baseline,plan-csl");
  ASSERT_EQ(run.code, 0) << run.Dump();
  const nlohmann::json j = Json(run);
  ASSERT_TRUE(j.is_array()) << run.out;
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["policy"], "plan");
  EXPECT_EQ(j[1]["policy"], "baseline");
  EXPECT_EQ(j[2]["policy"], "plan-csl");
  // The contract fields come first, in this order.
  const char* contract[] = {"policy",        "fill_rate",     "cycle_service_level",
                            "total_cost",    "holding_cost",  "ordering_cost",
                            "shortage_cost", "avg_inventory", "turnover",
                            "stockout_days"};
  // (checked on the text: a parsed object forgets its key order)
  const std::string first = run.out.substr(0, run.out.find('}'));
  size_t last = 0;
  for (const char* key : contract) {
    const size_t at = first.find(std::string("\"") + key + "\":");
    ASSERT_NE(at, std::string::npos) << key << "\n" << first;
    EXPECT_GT(at, last) << key << " out of order\n" << first;
    last = at;
  }
  for (const auto& row : j) {
    const double fill = row["fill_rate"].get<double>();
    const double csl = row["cycle_service_level"].get<double>();
    EXPECT_GE(fill, 0.0);
    EXPECT_LE(fill, 1.0);
    EXPECT_GE(csl, 0.0);
    EXPECT_LE(csl, 1.0);
    EXPECT_NEAR(row["total_cost"].get<double>(),
                row["holding_cost"].get<double>() + row["ordering_cost"].get<double>() +
                    row["shortage_cost"].get<double>(),
                1e-6 * std::max(1.0, row["total_cost"].get<double>()));
    EXPECT_EQ(row["series"], 4);
    // Fill rate = filled / demand, and every policy replays the same demand.
    EXPECT_NEAR(fill, row["filled"].get<double>() / row["demand"].get<double>(), 1e-12);
    EXPECT_EQ(row["demand"], j[0]["demand"]);
  }
}

TEST_F(EvaluateCliTest, TextTableComparesPlanWithBaseline) {
  CliRun run = Cli("-q evaluate --db " + Q(*db_) + " --max-series 3 --model baseline");
  ASSERT_EQ(run.code, 0) << run.Dump();
  EXPECT_NE(run.out.find("plan's total cost = "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("baseline"), std::string::npos);
}

TEST_F(EvaluateCliTest, ErrorsNameTheFlag) {
  CliRun run = Cli("-q evaluate --json --db " + Q(*db_) + " --policies plan,magic");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_NE(run.err.find("--policies: unknown policy \"magic\""), std::string::npos) << run.Dump();
  EXPECT_NE(run.err.find("available: baseline, plan, plan-csl"), std::string::npos);
  run = Cli("-q evaluate --db " + Q(*db_) + " --from 1999-01-01");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_NE(run.err.find("--from = 1999-01-01 is outside"), std::string::npos) << run.Dump();
  run = Cli("-q evaluate --db " + Q(*db_) + " --target-fill-rate 1.5");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_NE(run.err.find("--target-fill-rate = 1.5; must be in (0, 1)"), std::string::npos)
      << run.Dump();
  run = Cli("-q evaluate --db " + Q(db_->parent_path() / "nope.db"));
  EXPECT_EQ(run.code, 4) << run.Dump();
}

}  // namespace
}  // namespace stockcast::testing
