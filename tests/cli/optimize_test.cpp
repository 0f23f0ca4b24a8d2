// `stockcast optimize`: the purchase-plan MIP over a generated store, as a user runs it.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "cli_util.h"

namespace stockcast::testing {
namespace {

namespace fs = std::filesystem;

// generate -> import -> forecast, once for the suite (the store is only read afterwards).
class OptimizeCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new fs::path(GeneratedStore("stockcast-cli-optimize", 5, 8, 150));
    const CliRun run = Cli("-q forecast --db " + Q(*db_) + " --horizon 28");
    ASSERT_EQ(run.code, 0) << run.Dump();
  }
  static void TearDownTestSuite() {
    delete db_;
  }
  static fs::path* db_;
};
fs::path* OptimizeCliTest::db_ = nullptr;

double Spend(const nlohmann::json& j) { return j["spend"].get<double>(); }

TEST_F(OptimizeCliTest, BudgetLimitsSpendAndRaisesExpectedShortage) {
  CliRun free_run = Cli("-q optimize --json --db " + Q(*db_));
  ASSERT_EQ(free_run.code, 0) << free_run.Dump();
  const nlohmann::json free = Json(free_run);
  EXPECT_EQ(free["status"], "optimal");
  EXPECT_EQ(free["budget"], nullptr);
  EXPECT_GT(free["items"].get<int>(), 0);
  ASSERT_GT(free["lines"].size(), 0u) << free_run.out;
  const double unconstrained = Spend(free);
  ASSERT_GT(unconstrained, 0);

  const double budget = std::floor(unconstrained / 3);
  const fs::path csv = db_->parent_path() / "out" / "po.csv";
  CliRun tight_run = Cli("-q optimize --json --db " + Q(*db_) + " --budget " +
                         std::to_string(budget) + " --out " + Q(csv));
  ASSERT_EQ(tight_run.code, 0) << tight_run.Dump();
  const nlohmann::json tight = Json(tight_run);
  EXPECT_EQ(tight["status"], "optimal");
  EXPECT_LE(Spend(tight), budget + 1e-6);
  EXPECT_GT(tight["cost"]["shortage"].get<double>(), free["cost"]["shortage"].get<double>());
  // The budget is (nearly) used up: what is left cannot buy a case that lowers the cost, or
  // would need a further order with its own fixed cost and MOQ.
  EXPECT_GT(Spend(tight), 0.8 * budget) << tight.dump(2);
  // Every line explains itself and is in whole case packs.
  for (const auto& l : tight["lines"]) {
    EXPECT_FALSE(l["explanation"].get<std::string>().empty());
    EXPECT_GT(l["quantity"].get<double>(), 0);
  }
  // The purchase-order CSV has one row per line.
  const auto rows = ParseCsv(ReadFile(csv));
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0][0], "supplier");
  EXPECT_EQ(rows.size(), tight["lines"].size() + 1);
}

TEST_F(OptimizeCliTest, TextSummaryAndBadOptions) {
  CliRun run = Cli("-q optimize --db " + Q(*db_) + " --budget 1000 --top 2");
  ASSERT_EQ(run.code, 0) << run.Dump();
  EXPECT_NE(run.out.find("Purchase plan as of"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("of budget 1000.00"), std::string::npos) << run.out;

  run = Cli("-q optimize --db " + Q(*db_) + " --budget -5");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_NE(run.err.find("--budget = -5; must be > 0"), std::string::npos) << run.Dump();

  run = Cli("-q optimize --json --db " + Q(db_->parent_path() / "missing.db"));
  EXPECT_EQ(run.code, 4) << run.Dump();
  EXPECT_TRUE(Json(run).contains("error")) << run.Dump();
}

TEST(OptimizeCliNoForecastTest, SaysToRunForecastFirst) {
  const fs::path tmp = TempDir("stockcast-cli-optimize-nofc");
  ASSERT_EQ(Cli("-q generate --out " + Q(tmp / "data") + " --seed 3 --skus 2 --days 60").code, 0);
  ASSERT_EQ(Cli("-q import --dir " + Q(tmp / "data") + " --db " + Q(tmp / "s.db")).code, 0);
  const CliRun run = Cli("-q optimize --db " + Q(tmp / "s.db"));
  EXPECT_EQ(run.code, 4) << run.Dump();
  EXPECT_NE(run.err.find("stockcast forecast --db"), std::string::npos) << run.Dump();
}

}  // namespace
}  // namespace stockcast::testing
