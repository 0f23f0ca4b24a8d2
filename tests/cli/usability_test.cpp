// Small things a new user runs into: output folders, the order of checks, flag names in errors.
#include <filesystem>

#include <gtest/gtest.h>

#include "cli_util.h"
#include "test_util.h"

namespace stockcast::testing {
namespace {

namespace fs = std::filesystem;

TEST(CliUsabilityTest, OutFoldersAreCreatedAndGlobalFlagsMayFollowTheCommand) {
  const fs::path dir = TempDir("cli-out");
  ASSERT_EQ(Cli("generate --out " + Q(dir / "data") + " --skus 3 --days 60 --seed 3").code, 0);
  const std::string db = Q(dir / "s.db");
  ASSERT_EQ(Cli("import --dir " + Q(dir / "data") + " --db " + db).code, 0);
  const CliRun f = Cli("forecast --db " + db + " --horizon 7 --out " + Q(dir / "new/a/f.csv") + " -q");
  EXPECT_EQ(f.code, 0) << f.Dump();
  EXPECT_TRUE(fs::exists(dir / "new/a/f.csv"));
  const CliRun p = Cli("plan --db " + db + " --out " + Q(dir / "new/b/plan"));
  EXPECT_EQ(p.code, 0) << p.Dump();
  EXPECT_TRUE(fs::exists(dir / "new/b/plan/orders.csv"));
}

TEST(CliUsabilityTest, ModelTypoIsReportedBeforeTheStoreIsOpened) {
  const CliRun run = Cli("forecast --model arima3 --db /nonexistent/none.db");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "unknown model \"arima3\"; available: adida, arima, auto, baseline")) << run.Dump();
}

TEST(CliUsabilityTest, GenerateErrorsNameTheFlag) {
  const CliRun run = Cli("generate --out " + Q(TempDir("cli-gen") / "d") + " --days 5");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "stockcast: error: --days = 5; must be >= 28")) << run.Dump();
}

}  // namespace
}  // namespace stockcast::testing

namespace stockcast::testing {
namespace {

TEST(CliUsabilityTest, AFailedImportLeavesNoNewStoreBehind) {
  const fs::path dir = TempDir("cli-nostore");
  const std::string bad = WriteFile(dir / "bad.csv", "order_id,sku,quantity,unit_price,timestamp\n1,A,x,1,2024-01-01\n");
  const CliRun run = Cli("import --orders " + Q(bad) + " --db " + Q(dir / "new.db"));
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_FALSE(fs::exists(dir / "new.db"));
  const CliRun missing_dir = Cli("import --orders " + Q(bad) + " --db " + Q(dir / "no/such/x.db"));
  EXPECT_EQ(missing_dir.code, 4) << missing_dir.Dump();
  EXPECT_TRUE(Contains(missing_dir.err, "does not exist")) << missing_dir.Dump();
}

}  // namespace
}  // namespace stockcast::testing

namespace stockcast::testing {
namespace {

TEST(CliUsabilityTest, NegativeCountsAndAmbiguousFoldersAreRefused) {
  EXPECT_EQ(Cli("plan --top -1").code, 2);
  const CliRun seed = Cli("generate --out " + Q(TempDir("cli-seed") / "d") + " --seed -1");
  EXPECT_EQ(seed.code, 2) << seed.Dump();
  EXPECT_TRUE(Contains(seed.err, "--seed: must be >= 0")) << seed.Dump();
  const fs::path dir = TempDir("cli-amb");
  WriteFile(dir / "orders.csv", "order_id,sku,quantity,unit_price,timestamp\n");
  WriteFile(dir / "orders.csv.zst", "");
  const CliRun amb = Cli("import --dir " + Q(dir) + " --dry-run");
  EXPECT_EQ(amb.code, 3) << amb.Dump();
  EXPECT_TRUE(Contains(amb.err, "both orders.csv and orders.csv.zst are present")) << amb.Dump();
}

}  // namespace
}  // namespace stockcast::testing
