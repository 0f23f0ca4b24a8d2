// DailyAggregator on input that is not in date order: whatever the order (and whether the
// records were compacted on the way), the panel is the same as for sorted input.
#include <algorithm>
#include <cmath>
#include <random>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "stockcast/clean/aggregate.h"

namespace stockcast::clean {
namespace {

struct Line {
  int sku, day;
  MovementType type;
  double quantity, price;
};

std::vector<Line> Lines() {
  std::vector<Line> lines;
  std::mt19937 rng(3);
  for (int i = 0; i < 3000; ++i) {
    const int sku = static_cast<int>(rng() % 7), day = static_cast<int>(rng() % 40);
    const MovementType type = rng() % 5 == 0 ? MovementType::kReturn : MovementType::kSale;
    lines.push_back({sku, day, type, 1.0 + rng() % 9, 0.5 + rng() % 4});
  }
  return lines;
}

DemandPanel Aggregate(const std::vector<Line>& lines, size_t compact_at) {
  DailyAggregator agg(compact_at);
  const Date start = *Date::FromYmd(2024, 5, 1);
  for (const auto& l : lines) {
    agg.Add("SKU" + std::to_string(l.sku), "W", start + l.day, l.type, l.quantity, l.price);
  }
  CleanOptions options;
  options.calendar.region = Region::kNone;
  return agg.Build(options);
}

void ExpectSamePanel(const DemandPanel& a, const DemandPanel& b) {
  ASSERT_EQ(a.num_series(), b.num_series());
  ASSERT_EQ(a.num_days(), b.num_days());
  for (size_t s = 0; s < a.num_series(); ++s) {
    EXPECT_EQ(a.key(s), b.key(s));
    for (PanelColumn c : {PanelColumn::kRawDemand, PanelColumn::kReturns, PanelColumn::kPrice,
                          PanelColumn::kReceipts}) {
      const auto x = a.column(c, s), y = b.column(c, s);
      for (int t = 0; t < a.num_days(); ++t) {
        if (std::isnan(x[t])) {
          EXPECT_TRUE(std::isnan(y[t])) << s << " " << t;
        } else {
          EXPECT_NEAR(x[t], y[t], 1e-4 * std::max(1.0f, std::fabs(x[t])))
              << ToString(c) << " series " << s << " day " << t;
        }
      }
    }
    const auto fa = a.flags(s), fb = b.flags(s);
    EXPECT_TRUE(std::equal(fa.begin(), fa.end(), fb.begin())) << s;
  }
}

TEST(AggregateOrderTest, ShuffledInputGivesTheSamePanelWithAndWithoutCompaction) {
  std::vector<Line> sorted = Lines();
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Line& x, const Line& y) { return x.day < y.day; });
  const DemandPanel reference = Aggregate(sorted, size_t{1} << 22);
  // Sales summed per (sku, day) straight from the lines: an oracle independent of the class.
  std::vector<std::vector<double>> sales(7, std::vector<double>(40, 0.0));
  for (const auto& l : sorted) {
    if (l.type == MovementType::kSale) sales[l.sku][l.day] += l.quantity;
  }
  for (int s = 0; s < 7; ++s) {
    const auto idx = reference.Find("SKU" + std::to_string(s), "W");
    ASSERT_TRUE(idx.has_value());
    const auto raw = reference.column(PanelColumn::kRawDemand, *idx);
    for (int d = 0; d < 40; ++d) {
      if (!std::isnan(raw[d])) {
        EXPECT_NEAR(raw[d], sales[s][d], 1e-3) << s << " " << d;
      }
    }
  }

  std::vector<Line> shuffled = sorted;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(11));
  ExpectSamePanel(reference, Aggregate(shuffled, size_t{1} << 22));  // merged at Build
  ExpectSamePanel(reference, Aggregate(shuffled, 16));               // compacted many times
  ExpectSamePanel(reference, Aggregate(sorted, 16));
}

}  // namespace
}  // namespace stockcast::clean
