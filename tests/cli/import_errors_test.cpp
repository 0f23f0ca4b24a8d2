// Malformed order files through `stockcast import`: exit code 3, the golden message on stderr
// after "stockcast: error: ", and nothing written to the store (imports are atomic).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli_util.h"

namespace stockcast::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kErrorPrefix = "stockcast: error: ";

// A well-formed order file with two demand lines.
constexpr const char* kGoodOrders =
    "order_id,sku,quantity,unit_price,timestamp\n"
    "1,A,2,3.5,2024-01-01\n"
    "2,B,1,1.0,2024-01-02\n";

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// `report --json` of the store: the latest runs by kind. A missing store counts as empty.
nlohmann::json LatestRuns(const fs::path& db) {
  if (!fs::exists(db)) return nlohmann::json::object();
  const CliRun run = Cli("report --json --db " + Q(db));
  EXPECT_EQ(run.code, 0) << run.Dump();
  return Json(run);
}

TEST(CliImportErrorsTest, EachGoldenErrorFileExitsThreeWithItsMessageAndWritesNothing) {
  const fs::path dir = GoldenPath("errors");
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".csv") continue;
    ++cases;
    SCOPED_TRACE(entry.path().filename().string());
    std::string expected = ReadFile(fs::path(entry.path()).replace_extension(".expected"));
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();

    const fs::path db = TempDir("stockcast-cli-err") / "x.db";
    const CliRun run = Cli("import --orders " + Q(entry.path()) + " --db " + Q(db));
    EXPECT_EQ(run.code, 3) << run.Dump();
    EXPECT_TRUE(run.out.empty()) << run.Dump();
    const std::string line = FirstLine(run.err);
    ASSERT_EQ(line.rfind(kErrorPrefix, 0), 0u) << run.Dump();
    std::string message = line.substr(std::string(kErrorPrefix).size());
    // The path part may differ: compare from the file name on.
    const std::string dir_prefix = dir.string() + "/";
    if (message.rfind(dir_prefix, 0) == 0) message = message.substr(dir_prefix.size());
    EXPECT_EQ(message, expected) << run.Dump();
    EXPECT_TRUE(StoreIsEmpty(db)) << "a failed import wrote to " << db;
  }
  EXPECT_GE(cases, 10);
}

TEST(CliImportErrorsTest, MissingOrderFileExitsFour) {
  const auto tmp = TempDir("stockcast-cli-err");
  const fs::path missing = tmp / "no_such_orders.csv";
  const CliRun run = Cli("import --orders " + Q(missing) + " --db " + Q(tmp / "x.db"));
  EXPECT_EQ(run.code, 4) << run.Dump();
  EXPECT_EQ(FirstLine(run.err), std::string(kErrorPrefix) + missing.string() +
                                    ": cannot open: No such file or directory")
      << run.Dump();
  EXPECT_FALSE(HasRun(tmp / "x.db", "import"));
}

TEST(CliImportErrorsTest, MissingDirectoryExitsFour) {
  const auto tmp = TempDir("stockcast-cli-err");
  const CliRun run = Cli("import --dir " + Q(tmp / "nope") + " --db " + Q(tmp / "x.db"));
  EXPECT_EQ(run.code, 4) << run.Dump();
  EXPECT_TRUE(Contains(run.err, kErrorPrefix)) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "nope")) << run.Dump();
}

TEST(CliImportErrorsTest, NothingToImportExitsThree) {
  const auto tmp = TempDir("stockcast-cli-err");
  const CliRun run = Cli("import --db " + Q(tmp / "x.db"));
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "nothing to import")) << run.Dump();
}

// A failing import into a store that already holds data leaves it exactly as it was, even
// when the bad file comes after a good one in the same import.
TEST(CliImportErrorsTest, FailedImportLeavesAnExistingStoreUnchanged) {
  const auto tmp = TempDir("stockcast-cli-err");
  const fs::path db = tmp / "x.db";
  const std::string good = WriteFile(tmp / "good.csv", kGoodOrders);
  const std::string good2 = WriteFile(tmp / "good2.csv",
                                      "order_id,sku,quantity,unit_price,timestamp\n"
                                      "3,C,4,2.0,2024-01-03\n");
  CliRun run = Cli("-q import --orders " + Q(good) + " --db " + Q(db));
  ASSERT_EQ(run.code, 0) << run.Dump();
  const nlohmann::json before = LatestRuns(db);
  ASSERT_TRUE(before.contains("import")) << before.dump(2);

  const fs::path bad = GoldenPath("errors/non_numeric_quantity.csv");
  run = Cli("-q import --orders " + Q(good2) + " --orders " + Q(bad) + " --db " + Q(db));
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_EQ(LatestRuns(db), before);

  // good2.csv was not written: importing it now inserts its one line.
  run = Cli("-q import --json --orders " + Q(good2) + " --db " + Q(db));
  ASSERT_EQ(run.code, 0) << run.Dump();
  EXPECT_EQ(Json(run)["ledger"]["inserted"], 1) << run.out;
}

TEST(CliImportErrorsTest, UnknownPresetExitsThreeListingThePresets) {
  const auto tmp = TempDir("stockcast-cli-err");
  const std::string good = WriteFile(tmp / "good.csv", kGoodOrders);
  const CliRun run = Cli("import --orders " + Q(good) + " --preset nosuch --db " + Q(tmp / "x.db"));
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_EQ(FirstLine(run.err),
            std::string(kErrorPrefix) +
                "unknown preset \"nosuch\"; available: generic, online-retail, shopify; or "
                "describe the columns in a mapping file (--mapping FILE)")
      << run.Dump();
  EXPECT_FALSE(HasRun(tmp / "x.db", "import"));
}

TEST(CliImportErrorsTest, JsonModePrintsTheErrorAsJsonOnStdout) {
  const auto tmp = TempDir("stockcast-cli-err");
  const fs::path bad = GoldenPath("errors/bad_date.csv");
  const CliRun run = Cli("import --json --orders " + Q(bad) + " --db " + Q(tmp / "x.db"));
  EXPECT_EQ(run.code, 3) << run.Dump();
  const nlohmann::json j = Json(run);
  ASSERT_TRUE(j.contains("error")) << run.out;
  EXPECT_EQ(j["error"]["code"], "invalid_argument") << run.out;
  const std::string message = j["error"]["message"].get<std::string>();
  EXPECT_TRUE(Contains(message, "bad_date.csv:3:11: timestamp = \"2024-02-30\"")) << message;
  // stderr still carries the human-readable message.
  EXPECT_TRUE(Contains(run.err, std::string(kErrorPrefix))) << run.Dump();
}

TEST(CliImportErrorsTest, JsonModeMissingFileIsNotFound) {
  const auto tmp = TempDir("stockcast-cli-err");
  const CliRun run =
      Cli("import --json --orders " + Q(tmp / "none.csv") + " --db " + Q(tmp / "x.db"));
  EXPECT_EQ(run.code, 4) << run.Dump();
  EXPECT_EQ(Json(run)["error"]["code"], "not_found") << run.out;
}

}  // namespace
}  // namespace stockcast::testing
