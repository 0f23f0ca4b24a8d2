// `stockcast generate` is deterministic by seed and writes the files docs/formats.md lists.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "cli_util.h"

namespace stockcast::testing {
namespace {

namespace fs = std::filesystem;

// File name -> contents of every file in `dir`.
std::map<std::string, std::string> ReadDir(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    files[e.path().filename().string()] = ReadFile(e.path());
  }
  return files;
}

CliRun Generate(const fs::path& out, int seed) {
  return Cli("generate --json --out " + Q(out) + " --seed " + std::to_string(seed) +
             " --days 60 --skus 8");
}

TEST(CliGenerateTest, SameSeedGivesByteIdenticalFilesAndAnotherSeedDiffers) {
  const auto tmp = TempDir("stockcast-cli-gen");
  const CliRun a = Generate(tmp / "a", 7);
  const CliRun b = Generate(tmp / "b", 7);
  const CliRun c = Generate(tmp / "c", 8);
  ASSERT_EQ(a.code, 0) << a.Dump();
  ASSERT_EQ(b.code, 0) << b.Dump();
  ASSERT_EQ(c.code, 0) << c.Dump();

  const auto fa = ReadDir(tmp / "a"), fb = ReadDir(tmp / "b"), fc = ReadDir(tmp / "c");
  for (const char* name :
       {"orders.csv", "products.csv", "suppliers.csv", "locations.csv", "stock_snapshots.csv",
        "receipts.csv", "cart_adds.csv", "promotions.csv", "true_demand.csv"}) {
    EXPECT_TRUE(fa.count(name)) << "generate did not write " << name;
  }
  ASSERT_EQ(fa.size(), fb.size());
  for (const auto& [name, text] : fa) {
    ASSERT_TRUE(fb.count(name)) << name;
    EXPECT_TRUE(text == fb.at(name)) << name << " differs between two runs with seed 7";
  }
  ASSERT_TRUE(fc.count("orders.csv"));
  EXPECT_NE(fa.at("orders.csv"), fc.at("orders.csv")) << "seed 8 gave the orders of seed 7";
  EXPECT_NE(fa.at("true_demand.csv"), fc.at("true_demand.csv"));
}

TEST(CliGenerateTest, JsonSummaryMatchesTheFilesWritten) {
  const auto tmp = TempDir("stockcast-cli-gen");
  const CliRun run = Generate(tmp / "a", 7);
  ASSERT_EQ(run.code, 0) << run.Dump();
  const nlohmann::json j = Json(run);
  EXPECT_EQ(j["seed"], 7);
  EXPECT_EQ(j["days"], 60);
  EXPECT_EQ(j["start"], "2024-01-01");
  ASSERT_TRUE(j["files"].is_object()) << run.out;
  for (auto& [file, rows] : j["files"].items()) {
    const std::string text = ReadFile(tmp / "a" / file);
    ASSERT_FALSE(text.empty()) << file;
    // Header plus one line per row (no field of generated data holds a newline).
    EXPECT_EQ(static_cast<int64_t>(Lines(text).size()), rows.get<int64_t>() + 1) << file;
  }
  EXPECT_EQ(j["files"]["products.csv"], 8);
}

TEST(CliGenerateTest, BadStartDateExitsThree) {
  const auto tmp = TempDir("stockcast-cli-gen");
  const CliRun run = Cli("generate --out " + Q(tmp / "a") + " --start 2024-02-30");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "--start")) << run.Dump();
}

}  // namespace
}  // namespace stockcast::testing
