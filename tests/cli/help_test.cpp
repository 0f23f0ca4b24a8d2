// --help for the app and each subcommand, and the exit code of a bad command line.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_util.h"
#include "stockcast/version.h"

namespace stockcast::testing {
namespace {

TEST(CliHelpTest, AppHelpListsEverySubcommandAndGlobalOptions) {
  const CliRun run = Cli("--help");
  ASSERT_EQ(run.code, 0) << run.Dump();
  for (const char* s : {"generate", "import", "forecast", "plan", "report", "models", "config",
                        "serve", "--config", "--quiet", "--version", "Exit codes"}) {
    EXPECT_TRUE(Contains(run.out, s)) << "app --help does not mention " << s << "\n" << run.out;
  }
}

TEST(CliHelpTest, VersionPrintsTheVersion) {
  const CliRun run = Cli("--version");
  ASSERT_EQ(run.code, 0) << run.Dump();
  EXPECT_EQ(run.out, STOCKCAST_VERSION "\n");
}

struct SubcommandHelp {
  std::string command;
  std::vector<std::string> options;
};

class CliSubcommandHelpTest : public ::testing::TestWithParam<SubcommandHelp> {};

TEST_P(CliSubcommandHelpTest, ExitsZeroAndNamesTheKeyOptions) {
  const SubcommandHelp& p = GetParam();
  const CliRun run = Cli(p.command + " --help");
  ASSERT_EQ(run.code, 0) << run.Dump();
  EXPECT_TRUE(run.err.empty()) << run.err;
  for (const auto& o : p.options) {
    EXPECT_TRUE(Contains(run.out, o)) << p.command << " --help does not mention " << o << "\n"
                                      << run.out;
  }
}

INSTANTIATE_TEST_SUITE_P(
    CliAllCommands, CliSubcommandHelpTest,
    ::testing::Values(
        SubcommandHelp{"generate",
                       {"--out", "--seed", "--skus", "--days", "--start", "--region", "--json"}},
        SubcommandHelp{"import",
                       {"--orders", "--preset", "--mapping", "--dir", "--db", "--strict",
                        "--dry-run", "--json", "online-retail", "shopify"}},
        SubcommandHelp{"forecast",
                       {"--db", "--horizon", "--model", "--quantiles", "--out", "--json"}},
        SubcommandHelp{"plan", {"--db", "--out", "--as-of", "--model", "--reforecast", "--budget",
                                "--top", "--json"}},
        SubcommandHelp{"report", {"--db", "--out", "--json"}}, SubcommandHelp{"models", {"--json"}},
        SubcommandHelp{"config", {"--defaults", "--check"}}, SubcommandHelp{"serve", {"--db", "--host", "--port"}}),
    [](const ::testing::TestParamInfo<SubcommandHelp>& p) { return p.param.command; });

TEST(CliUsageTest, UnknownFlagExitsTwo) {
  const CliRun run = Cli("--no-such-flag");
  EXPECT_EQ(run.code, 2) << run.Dump();
  EXPECT_TRUE(run.out.empty()) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "--help")) << run.Dump();
}

TEST(CliUsageTest, UnknownSubcommandFlagExitsTwo) {
  const auto dir = TempDir("stockcast-cli-usage");
  const CliRun run = Cli("import --dir " + Q(dir) + " --no-such-flag");
  EXPECT_EQ(run.code, 2) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "--no-such-flag")) << run.Dump();
}

TEST(CliUsageTest, UnknownSubcommandExitsTwo) {
  const CliRun run = Cli("frobnicate");
  EXPECT_EQ(run.code, 2) << run.Dump();
  EXPECT_TRUE(run.out.empty()) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "--help")) << run.Dump();
  // Names the unknown word and the real commands (STYLE: unknown names list the alternatives).
  EXPECT_TRUE(Contains(run.err, "unknown command \"frobnicate\"; available: generate, import"))
      << run.Dump();
}

TEST(CliUsageTest, NoSubcommandExitsTwo) {
  const CliRun run = Cli("");
  EXPECT_EQ(run.code, 2) << run.Dump();
}

TEST(CliUsageTest, MissingRequiredOptionExitsTwo) {
  const CliRun run = Cli("generate --seed 1");
  EXPECT_EQ(run.code, 2) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "--out")) << run.Dump();
}

TEST(CliUsageTest, OptionValueOfTheWrongTypeExitsTwo) {
  const CliRun run = Cli("forecast --horizon soon");
  EXPECT_EQ(run.code, 2) << run.Dump();
}

}  // namespace
}  // namespace stockcast::testing
