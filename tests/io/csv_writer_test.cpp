#include "stockcast/io/csv_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include "test_util.h"

namespace stockcast::io {
namespace {

TEST(FormatNumberTest, ShortestFormWithoutTrailingZeros) {
  EXPECT_EQ(FormatNumber(3.0), "3");
  EXPECT_EQ(FormatNumber(2.55), "2.55");
  EXPECT_EQ(FormatNumber(0.1 + 0.2), "0.3");
  EXPECT_EQ(FormatNumber(1.0 / 3.0), "0.333333");
  EXPECT_EQ(FormatNumber(1.0 / 3.0, 2), "0.33");
  EXPECT_EQ(FormatNumber(19.999, 2), "20");
  EXPECT_EQ(FormatNumber(2.6, 0), "3");
  EXPECT_EQ(FormatNumber(-2.5), "-2.5");
  EXPECT_EQ(FormatNumber(0.0), "0");
  EXPECT_EQ(FormatNumber(-0.0), "0");
  EXPECT_EQ(FormatNumber(-0.0000001), "0");  // rounds to zero: no "-0"
  EXPECT_EQ(FormatNumber(100.0), "100");     // zeros before the point stay
  EXPECT_EQ(FormatNumber(1e15), "1000000000000000");
  EXPECT_EQ(FormatNumber(123456.125, 3), "123456.125");
}

TEST(FormatNumberTest, NonFiniteValues) {
  EXPECT_EQ(FormatNumber(std::nan("")), "");
  EXPECT_EQ(FormatNumber(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatNumber(-std::numeric_limits<double>::infinity()), "-inf");
  // The largest double still fits.
  EXPECT_EQ(FormatNumber(std::numeric_limits<double>::max()).size(), 309u);
}

TEST(AppendCsvFieldTest, QuotesOnlyWhenNeeded) {
  auto f = [](std::string_view text) {
    std::string out;
    AppendCsvField(out, text);
    return out;
  };
  EXPECT_EQ(f("plain"), "plain");
  EXPECT_EQ(f(""), "");
  EXPECT_EQ(f("无线耳机 Wireless Earbuds"), "无线耳机 Wireless Earbuds");
  EXPECT_EQ(f("a,b"), "\"a,b\"");
  EXPECT_EQ(f("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(f("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(f("cr\rhere"), "\"cr\rhere\"");
  EXPECT_EQ(f("\""), "\"\"\"\"");
  EXPECT_EQ(f(" padded "), " padded ");
}

TEST(CsvWriterTest, WritesRowsWithQuotingAndNumbers) {
  const auto dir = testing::TempDir("csv-writer");
  const std::string path = (dir / "out.csv").string();
  auto w = CsvWriter::Open(path);
  ASSERT_TRUE(w.ok()) << Describe(w.error());
  EXPECT_EQ(w->path(), path);
  w->Row({"sku", "name", "qty", "price"});
  w->Field(std::string_view("SKU-0001"))
      .Field(std::string_view("充电器 Charger, 65W \"GaN\""))
      .Field(int64_t{-3})
      .Field(129.9, 2);
  w->EndRow();
  w->Field(std::string_view("SKU-0002")).Field(std::string_view("")).Field(int64_t{0});
  w->Field(std::nan(""));
  w->EndRow();
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(testing::ReadFile(path),
            "sku,name,qty,price\n"
            "SKU-0001,\"充电器 Charger, 65W \"\"GaN\"\"\",-3,129.9\n"
            "SKU-0002,,0,\n");
  // A second Close is harmless.
  EXPECT_TRUE(w->Close().ok());
  std::filesystem::remove_all(dir);
}

TEST(CsvWriterTest, LargeOutputIsCompleteAcrossBufferFlushes) {
  const auto dir = testing::TempDir("csv-writer-large");
  const std::string path = (dir / "big.csv").string();
  auto w = CsvWriter::Open(path);
  ASSERT_TRUE(w.ok());
  std::string expected;
  for (int64_t i = 0; i < 50000; ++i) {
    w->Field(i).Field(i * 0.5, 1).Field(std::string_view("x,y"));
    w->EndRow();
    expected += std::to_string(i) + "," + FormatNumber(i * 0.5, 1) + ",\"x,y\"\n";
  }
  ASSERT_TRUE(w->Close().ok());
  EXPECT_GT(expected.size(), 4u * 65536);
  EXPECT_EQ(testing::ReadFile(path), expected);
  std::filesystem::remove_all(dir);
}

TEST(CsvWriterTest, MovedWriterKeepsWriting) {
  const auto dir = testing::TempDir("csv-writer-move");
  const std::string path = (dir / "m.csv").string();
  auto r = CsvWriter::Open(path);
  ASSERT_TRUE(r.ok());
  r->Field(std::string_view("a"));
  CsvWriter w(std::move(r.value()));
  w.Field(std::string_view("b"));
  w.EndRow();
  ASSERT_TRUE(w.Close().ok());
  EXPECT_EQ(testing::ReadFile(path), "a,b\n");
  std::filesystem::remove_all(dir);
}

TEST(CsvWriterTest, DestructorFlushesWithoutClose) {
  const auto dir = testing::TempDir("csv-writer-dtor");
  const std::string path = (dir / "d.csv").string();
  {
    auto w = CsvWriter::Open(path);
    ASSERT_TRUE(w.ok());
    w->Row({"x", "1"});
  }
  EXPECT_EQ(testing::ReadFile(path), "x,1\n");
  std::filesystem::remove_all(dir);
}

TEST(CsvWriterTest, OpenFailureNamesThePath) {
  const std::string path = "/nonexistent-dir-for-stockcast/out.csv";
  auto w = CsvWriter::Open(path);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find(path), std::string::npos) << w.error().message;
}

TEST(CsvWriterTest, CloseReportsWriteErrorsNamingThePath) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  auto w = CsvWriter::Open("/dev/full");
  ASSERT_TRUE(w.ok()) << Describe(w.error());
  for (int i = 0; i < 100000; ++i) w->Row({"some", "data", "that", "cannot", "be", "stored"});
  const Status s = w->Close();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("/dev/full"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("No space left on device"), std::string::npos)
      << s.error().message;
}

TEST(CsvWriterTest, CloseReportsErrorForSmallOutputToo) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  auto w = CsvWriter::Open("/dev/full");
  ASSERT_TRUE(w.ok());
  w->Row({"tiny"});
  const Status s = w->Close();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("/dev/full"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace stockcast::io
