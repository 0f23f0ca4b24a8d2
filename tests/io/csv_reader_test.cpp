#include "stockcast/io/csv_reader.h"

#include <zstd.h>

#include <gtest/gtest.h>

#include "test_util.h"

namespace stockcast::io {
namespace {

std::unique_ptr<CsvReader> Open(const std::string& text, CsvOptions options = {}) {
  auto r = CsvReader::Open(StringByteSource("t.csv", text), options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : nullptr;
}

std::vector<std::vector<std::string>> ReadAll(CsvReader& r) {
  std::vector<std::vector<std::string>> rows;
  for (;;) {
    auto more = r.Next();
    EXPECT_TRUE(more.ok()) << (more.ok() ? "" : more.error().message);
    if (!more.ok() || !*more) break;
    std::vector<std::string> row;
    for (size_t i = 0; i < r.size(); ++i) row.emplace_back(r.field(i));
    rows.push_back(row);
  }
  return rows;
}

TEST(CsvReaderTest, QuotingEscapesAndEmbeddedNewlines) {
  auto r = Open("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"line1\nline2\",\n3,,\"\"\n");
  auto rows = ReadAll(*r);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][1], "x, y");
  EXPECT_EQ(rows[0][2], "say \"hi\"");
  EXPECT_EQ(rows[1][1], "line1\nline2");
  EXPECT_EQ(rows[1][2], "");
  EXPECT_EQ(rows[2][1], "");
  EXPECT_EQ(rows[2][2], "");
}

TEST(CsvReaderTest, LineNumbersCountPhysicalLines) {
  auto r = Open("a,b\n1,\"two\nlines\"\n\n2,x\n");
  ASSERT_TRUE(*r->Next());
  EXPECT_EQ(r->line(), 2);
  ASSERT_TRUE(*r->Next());
  EXPECT_EQ(r->line(), 5);  // the blank line 4 is skipped, not a record
  EXPECT_EQ(r->Where(1), "t.csv:5:3");
  EXPECT_FALSE(*r->Next());
}

TEST(CsvReaderTest, BomCrlfAndChineseText) {
  auto r = Open("\xEF\xBB\xBFsku,name\r\nA1,\xE6\x97\xA0\xE7\xBA\xBF\xE8\x80\xB3\xE6\x9C\xBA \"Pro\"\r\nA2,\"\xE9\x9E\x8B, size 42\"\r\n");
  EXPECT_EQ(r->header()[0], "sku");  // BOM removed
  auto rows = ReadAll(*r);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], "无线耳机 \"Pro\"");  // a stray quote inside an unquoted field is kept
  EXPECT_EQ(rows[1][1], "鞋, size 42");
}

TEST(CsvReaderTest, LastLineWithoutNewlineAndBareCr) {
  auto r = Open("a,b\r1,2\r3,4");
  auto rows = ReadAll(*r);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][1], "4");
}

TEST(CsvReaderTest, RecordsSpanningBufferRefills) {
  // Many quoted fields with escapes and newlines across several 1 MiB buffer refills.
  std::string text = "id,payload\n";
  const int n = 60000;
  for (int i = 0; i < n; ++i) {
    text += std::to_string(i) + ",\"row " + std::to_string(i) + " has \"\"quotes\"\",\ncommas\"\n";
  }
  auto r = Open(text);
  int count = 0;
  for (;;) {
    auto more = r->Next();
    ASSERT_TRUE(more.ok()) << more.error().message;
    if (!*more) break;
    ASSERT_EQ(r->field(0), std::to_string(count));
    ASSERT_EQ(r->field(1), "row " + std::to_string(count) + " has \"quotes\",\ncommas");
    ASSERT_EQ(r->line(), 2 + 2 * count);
    ++count;
  }
  EXPECT_EQ(count, n);
}

TEST(CsvReaderTest, ReadsZstdCompressedFiles) {
  std::string text = "a,b\n";
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + ",x\n";
  std::string packed(ZSTD_compressBound(text.size()), '\0');
  packed.resize(ZSTD_compress(packed.data(), packed.size(), text.data(), text.size(), 3));
  const auto path = testing::WriteFile(testing::TempDir("csvzst") / "t.csv.zst", packed);
  auto r = CsvReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.error().message;
  int count = 0;
  while (*(*r)->Next()) ++count;
  EXPECT_EQ(count, 20000);
  // A truncated stream is an error, not a silently short file.
  const auto cut = testing::WriteFile(testing::TempDir("csvzst") / "cut.csv.zst",
                                      packed.substr(0, packed.size() / 2));
  auto r2 = CsvReader::Open(cut);  // fails at open or later, depending on block boundaries
  Result<bool> more = r2.ok() ? Result<bool>(true) : Result<bool>(r2.error());
  while (more.ok() && *more) more = (*r2)->Next();
  ASSERT_FALSE(more.ok());
  EXPECT_NE(more.error().message.find("truncated zstd stream"), std::string::npos)
      << more.error().message;
}

TEST(CsvReaderTest, OtherDelimiterAndRecordText) {
  CsvOptions o;
  o.delimiter = ';';
  auto r = Open("a;b\n1,5;\"x;y\"\n", o);
  ASSERT_TRUE(*r->Next());
  EXPECT_EQ(r->field(0), "1,5");
  EXPECT_EQ(r->field(1), "x;y");
  EXPECT_EQ(r->RecordText(), "1,5;\"x;y\"");
}

}  // namespace
}  // namespace stockcast::io
