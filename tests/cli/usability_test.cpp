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
  const CliRun p = Cli("plan --db " + db + " --out " + Q(dir / "new/b/po.csv"));
  EXPECT_EQ(p.code, 0) << p.Dump();
  EXPECT_TRUE(fs::exists(dir / "new/b/po.csv"));
}

TEST(CliUsabilityTest, ModelTypoIsReportedBeforeTheStoreIsOpened) {
  const CliRun run = Cli("forecast --model arima2 --db /nonexistent/none.db");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "unknown model \"arima2\"; available: baseline")) << run.Dump();
}

TEST(CliUsabilityTest, GenerateErrorsNameTheFlag) {
  const CliRun run = Cli("generate --out " + Q(TempDir("cli-gen") / "d") + " --days 5");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "stockcast: error: --days = 5; must be >= 28")) << run.Dump();
}

}  // namespace
}  // namespace stockcast::testing
