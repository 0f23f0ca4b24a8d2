// Output hygiene: progress bars only on a terminal; `serve` and `token` errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_util.h"

namespace stockcast::testing {
namespace {

namespace fs = std::filesystem;

bool HasProgressEscapes(const std::string& text) {
  return Contains(text, "\r") || Contains(text, "\033[K");
}

TEST(CliTerminalTest, NoProgressEscapesWhenStderrIsNotATerminal) {
  const fs::path tmp = TempDir("stockcast-cli-tty");
  const fs::path data = tmp / "data", db = tmp / "x.db";
  // Not --quiet, not --json: the commands that draw progress bars on a terminal.
  for (const std::string& args :
       {"generate --out " + Q(data) + " --seed 5 --skus 2 --days 40",
        "import --dir " + Q(data) + " --db " + Q(db), "forecast --horizon 7 --db " + Q(db),
        "plan --db " + Q(db), "report --db " + Q(db) + " --out " + Q(tmp / "r.html")}) {
    SCOPED_TRACE(args);
    const CliRun run = Cli(args);
    ASSERT_EQ(run.code, 0) << run.Dump();
    EXPECT_FALSE(HasProgressEscapes(run.err)) << run.Dump();
    EXPECT_FALSE(HasProgressEscapes(run.out)) << run.Dump();
    EXPECT_FALSE(run.out.empty()) << "no summary without --quiet";
  }
}

// The converse, so the test above can tell: on a pseudo-terminal (util-linux `script`) the
// import draws its progress bar.
TEST(CliTerminalTest, ProgressEscapesOnATerminal) {
  if (std::system("script --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no `script`";
  const fs::path tmp = TempDir("stockcast-cli-tty");
  const fs::path data = tmp / "data", db = tmp / "x.db";
  ASSERT_EQ(Cli("-q generate --out " + Q(data) + " --seed 5 --skus 2 --days 40").code, 0);
  const fs::path log = tmp / "typescript";
  const std::string inner = Q(std::string(STOCKCAST_BINARY)) + " import --dir " + Q(data) +
                            " --db " + Q(db) + " >/dev/null";
  const std::string cmd = "script -qec " + Q(inner) + " " + Q(log) + " </dev/null >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0 || !fs::exists(db)) {
    GTEST_SKIP() << "cannot run under a pseudo-terminal here";
  }
  EXPECT_TRUE(Contains(ReadFile(log), "\r\033[K")) << ReadFile(log);
  EXPECT_TRUE(Contains(ReadFile(log), "%")) << ReadFile(log);

  // --quiet silences it even on a terminal.
  const std::string quiet = Q(std::string(STOCKCAST_BINARY)) + " -q import --dir " + Q(data) +
                            " --db " + Q(tmp / "y.db") + " >/dev/null";
  ASSERT_EQ(std::system(
                ("script -qec " + Q(quiet) + " " + Q(log) + " </dev/null >/dev/null 2>&1").c_str()),
            0);
  EXPECT_FALSE(Contains(ReadFile(log), "\033[K")) << ReadFile(log);
}

TEST(CliServeTest, ServeOnAMissingStoreExitsFourNamingIt) {
  const fs::path db = TempDir("stockcast-cli-serve") / "none.db";
  const CliRun run = Cli("serve --port 0 --db " + Q(db));
  EXPECT_EQ(run.code, 4) << run.Dump();
  EXPECT_TRUE(Contains(run.err, db.string() + ": no such store")) << run.Dump();
  EXPECT_FALSE(fs::exists(db));
  EXPECT_EQ(Cli("serve --port 70000 --db " + Q(db)).code, 3);
}

TEST(CliTokenTest, CreatePrintsATokenOnceAndChecksTheRole) {
  const fs::path data = GenerateSmall(3, 2, 40);
  const fs::path db = data.parent_path() / "t.db";
  ASSERT_EQ(Cli("-q import --dir " + Q(data) + " --db " + Q(db)).code, 0);
  CliRun run = Cli("token create --json --db " + Q(db) + " --role planner --name ci");
  ASSERT_EQ(run.code, 0) << run.Dump();
  const nlohmann::json j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["role"], "planner");
  EXPECT_EQ(j["token"].get<std::string>().rfind("sct_", 0), 0u);
  EXPECT_FALSE(Contains(ReadFile(db), j["token"].get<std::string>()))
      << "only the token's hash is stored";
  run = Cli("token create --db " + Q(db) + " --role root");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "--role = \"root\"; must be viewer, planner or admin")) << run.Dump();

  // list shows it without the secret; revoke marks it and a second revoke of a missing id fails.
  run = Cli("token list --json --db " + Q(db));
  ASSERT_EQ(run.code, 0) << run.Dump();
  const nlohmann::json list = nlohmann::json::parse(run.out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "ci");
  EXPECT_FALSE(Contains(run.out, j["token"].get<std::string>()));
  run = Cli("token revoke --db " + Q(db) + " " + std::to_string(j["id"].get<int64_t>()));
  EXPECT_EQ(run.code, 0) << run.Dump();
  run = Cli("token list --json --db " + Q(db));
  EXPECT_FALSE(nlohmann::json::parse(run.out)[0]["revoked_at"].get<std::string>().empty());
  run = Cli("token revoke --db " + Q(db) + " 999");
  EXPECT_NE(run.code, 0) << run.Dump();
}

}  // namespace
}  // namespace stockcast::testing
