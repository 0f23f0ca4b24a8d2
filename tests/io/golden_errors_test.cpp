// Every malformed file under tests/golden/errors/NAME.csv must fail with exactly the message in
// NAME.expected (the directory part of the path removed).
#include <filesystem>

#include <gtest/gtest.h>

#include "stockcast/io/order_reader.h"
#include "test_util.h"

namespace stockcast::io {
namespace {

namespace fs = std::filesystem;

std::string ReadAllLines(const std::string& path) {
  auto mapping = PresetMapping("generic");
  auto reader = OrderReader::Open(path, *mapping);
  if (!reader.ok()) return reader.error().message;
  OrderLine line;
  for (;;) {
    auto more = (*reader)->Next(&line);
    if (!more.ok()) return more.error().message;
    if (!*more) return "(no error)";
  }
}

TEST(GoldenErrorsTest, EachMalformedFileNamesFileLineColumnAndRule) {
  const fs::path dir = testing::GoldenPath("errors");
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".csv") continue;
    ++cases;
    std::string expected = testing::ReadFile(fs::path(entry.path()).replace_extension(".expected"));
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();
    std::string got = ReadAllLines(entry.path().string());
    const std::string prefix = dir.string() + "/";
    if (got.rfind(prefix, 0) == 0) got = got.substr(prefix.size());
    EXPECT_EQ(got, expected) << entry.path();
  }
  EXPECT_GE(cases, 10);
}

TEST(GoldenErrorsTest, UnknownPresetListsThePresets) {
  auto m = PresetMapping("magento");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message,
            "unknown preset \"magento\"; available: generic, online-retail, shopify; or "
            "describe the columns in a mapping file (--mapping FILE)");
}

TEST(GoldenErrorsTest, MissingFileIsNotFound) {
  auto r = CsvReader::Open("/nonexistent/orders.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message, "/nonexistent/orders.csv: cannot open: No such file or directory");
}

}  // namespace
}  // namespace stockcast::io
