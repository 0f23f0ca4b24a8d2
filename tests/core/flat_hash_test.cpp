// Hash tables and hashing of core/flat_hash.h, and the large-buffer allocator behind them.
#include <cstdint>
#include <map>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "stockcast/core/flat_hash.h"
#include "stockcast/core/large_alloc.h"

namespace stockcast {
namespace {

TEST(FlatMap64Test, MatchesStdMapThroughGrowthIncludingTheSentinelKey) {
  FlatMap64<int> map(4);
  std::map<uint64_t, int> expect;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    uint64_t key = rng() % 5000;
    if (i % 97 == 0) key = ~0ull;  // the table's empty marker is a valid key
    if (i % 89 == 0) key = 0;
    bool inserted = false;
    map.Get(key, &inserted) += 1;
    EXPECT_EQ(inserted, expect.count(key) == 0) << key;
    expect[key] += 1;
  }
  EXPECT_EQ(map.size(), expect.size());
  for (const auto& [key, count] : expect) {
    const int* found = map.Find(key);
    ASSERT_NE(found, nullptr) << key;
    EXPECT_EQ(*found, count) << key;
  }
  EXPECT_EQ(map.Find(123456789), nullptr);
  size_t visited = 0;
  int64_t total = 0;
  map.ForEach([&](uint64_t key, int count) {
    ++visited;
    total += count;
    EXPECT_EQ(expect.at(key), count);
  });
  EXPECT_EQ(visited, expect.size());
  EXPECT_EQ(total, 20000);
}

TEST(FlatSet64Test, InsertReportsNewKeysOnlyOnce) {
  FlatSet64 set;
  EXPECT_TRUE(set.Insert(0));
  EXPECT_FALSE(set.Insert(0));
  // k = 1 gives 0x9e3779b97f4a7c15, which an earlier version used as the stand-in for key 0
  // and so took for a member already.
  for (uint64_t k = 1; k < 100000; ++k) EXPECT_TRUE(set.Insert(k * 0x9e3779b97f4a7c15ull));
  for (uint64_t k = 1; k < 100000; ++k) EXPECT_FALSE(set.Insert(k * 0x9e3779b97f4a7c15ull));
  EXPECT_EQ(set.size(), 100000u);
  EXPECT_TRUE(set.Contains(0));
  EXPECT_FALSE(set.Contains(12345));
}

uint64_t HashFields(std::initializer_list<std::string> fields) {
  uint64_t h = kFnvOffset;
  for (const auto& f : fields) h = HashWords(h, f);
  return h;
}

TEST(HashWordsTest, FieldBoundariesLengthsAndEveryByteCount) {
  EXPECT_EQ(HashFields({"536365", "85123A", "6"}), HashFields({"536365", "85123A", "6"}));
  EXPECT_NE(HashFields({"ab", "c"}), HashFields({"a", "bc"}));
  EXPECT_NE(HashFields({"abc", ""}), HashFields({"abc"}));
  EXPECT_NE(HashFields({""}), HashFields({}));
  // A difference in any byte position, across the 8-byte steps and the tail, changes the hash.
  const std::string base = "WHITE HANGING HEART T-LIGHT HOLDER";
  for (size_t len = 0; len <= base.size(); ++len) {
    const std::string s = base.substr(0, len);
    // A trailing NUL leaves the tail word's bits unchanged: only the length tells them apart.
    EXPECT_NE(HashWords(1, s), HashWords(1, s + std::string(1, '\0'))) << len;
    for (size_t i = 0; i < len; ++i) {
      std::string t = s;
      t[i] ^= 0x20;
      EXPECT_NE(HashWords(1, s), HashWords(1, t)) << len << " " << i;
    }
  }
}

TEST(LargeAllocTest, LargeAndSmallBuffersAreUsableAndFreed) {
  for (size_t n : {size_t{10}, size_t{1} << 20, size_t{3} << 20}) {  // up to 24 MB of uint64
    LargeVector<uint64_t> v(n, 7);
    v[n - 1] = 9;
    EXPECT_EQ(v[0], 7u);
    EXPECT_EQ(v[n - 1], 9u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % alignof(std::max_align_t), 0u);
    v.resize(n * 2, 1);  // reallocation copies and frees the old buffer
    EXPECT_EQ(v[n - 1], 9u);
    EXPECT_EQ(v[2 * n - 1], 1u);
  }
}

}  // namespace
}  // namespace stockcast
