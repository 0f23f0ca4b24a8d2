// Daily history: DemandPanel -> sales_daily -> DemandPanel.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "store_fixture.h"

// Designated initializers below leave the fields they do not name at their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace stockcast::testing {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
class PanelTest : public StoreTest {};
STOCKCAST_STORE_BACKENDS(PanelTest);

bool SameFloat(float a, float b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof(float)) == 0;
}

void SetDay(DemandPanel& panel, size_t s, int t, std::array<float, kNumPanelColumns> values,
            uint8_t flags) {
  for (int c = 0; c < kNumPanelColumns; ++c) {
    panel.column(static_cast<PanelColumn>(c), s)[t] = values[c];
  }
  panel.flags(s)[t] = flags;
}

// Keys deliberately out of (sku, location) order; A/W2 starts the axis.
DemandPanel SamplePanel() {
  DemandPanel panel(D("2024-01-01"), 6, {{"B", "W1"}, {"A", "W2"}, {"A", "W1"}});
  // B/W1: launched on day 2; day 3 missing; day 4 censored during a promotion.
  SetDay(panel, 0, 0, {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN}, kFlagNotLaunched);
  SetDay(panel, 0, 1, {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN}, kFlagNotLaunched);
  SetDay(panel, 0, 2, {3, 3, 0, 9.99f, 12, 0, 20}, 0);
  SetDay(panel, 0, 3, {kNaN, kNaN, kNaN, kNaN, 4, kNaN, kNaN}, kFlagMissing);
  SetDay(panel, 0, 4, {1, 1, 1, 7.49f, 30, 0, 0}, kFlagCensored | kFlagPromotion);
  SetDay(panel, 0, 5, {0, 0, 0, kNaN, kNaN, 24, 24}, kFlagEvent);
  // A/W2: observed every day; an outlier capped on day 1.
  for (int t = 0; t < 6; ++t) {
    SetDay(panel, 1, t, {1.0f + t, 1.0f + t, 0, 2.5f, kNaN, 0, 100.0f - t}, 0);
  }
  SetDay(panel, 1, 1, {4.75f, 40, 0, 2.5f, kNaN, 0, 99}, kFlagOutlier);
  // A/W1: first observed on day 1; day 0 is an unflagged gap before launch.
  SetDay(panel, 2, 0, {kNaN, kNaN, kNaN, kNaN, 2, kNaN, kNaN}, 0);
  for (int t = 1; t < 6; ++t) SetDay(panel, 2, t, {0.1f * t, 0.1f * t, 0, 1, 0, 0, 5}, 0);
  return panel;
}

void ExpectSeriesEqualFrom(const DemandPanel& got, size_t gs, const DemandPanel& want, size_t ws,
                           int from) {
  ASSERT_EQ(got.start(), want.start());
  ASSERT_EQ(got.num_days(), want.num_days());
  for (int t = 0; t < want.num_days(); ++t) {
    if (t < from) {
      EXPECT_EQ(got.flags(gs)[t], kFlagNotLaunched) << want.key(ws).sku << " day " << t;
      for (int c = 0; c < kNumPanelColumns; ++c) {
        EXPECT_TRUE(std::isnan(got.column(static_cast<PanelColumn>(c), gs)[t]));
      }
      continue;
    }
    EXPECT_EQ(got.flags(gs)[t], want.flags(ws)[t]) << want.key(ws).sku << " day " << t;
    for (int c = 0; c < kNumPanelColumns; ++c) {
      const auto column = static_cast<PanelColumn>(c);
      const float g = got.column(column, gs)[t];
      const float w = want.column(column, ws)[t];
      EXPECT_TRUE(SameFloat(g, w))
          << want.key(ws).sku << "/" << want.key(ws).location << " " << ToString(column) << " day "
          << t << ": got " << g << ", want " << w;
    }
  }
}

TEST_P(PanelTest, PanelRoundTripsWithNaNAndFlags) {
  const DemandPanel panel = SamplePanel();
  ASSERT_EQ(panel.FirstObserved(0), 2);
  ASSERT_EQ(panel.FirstObserved(1), 0);
  ASSERT_EQ(panel.FirstObserved(2), 1);
  ASSERT_TRUE(store_->SavePanel(panel).ok());

  auto loaded = store_->LoadPanel();
  ASSERT_TRUE(loaded.ok()) << Describe(loaded.error());
  ASSERT_EQ(loaded->num_series(), 3u);
  EXPECT_EQ(loaded->key(0), (SeriesKey{"A", "W1"}));
  EXPECT_EQ(loaded->key(1), (SeriesKey{"A", "W2"}));
  EXPECT_EQ(loaded->key(2), (SeriesKey{"B", "W1"}));
  EXPECT_EQ(loaded->start(), D("2024-01-01"));
  EXPECT_EQ(loaded->num_days(), 6);
  ExpectSeriesEqualFrom(*loaded, 0, panel, 2, 1);
  ExpectSeriesEqualFrom(*loaded, 1, panel, 1, 0);
  ExpectSeriesEqualFrom(*loaded, 2, panel, 0, 2);

  // Rows are stored from the first observed day only, NaN as NULL.
  EXPECT_EQ(RawQueryText("SELECT COUNT(*) FROM sales_daily"), "15");
  EXPECT_EQ(RawQueryText("SELECT MIN(date) FROM sales_daily WHERE sku = 'B'"), "2024-01-03");
  EXPECT_EQ(RawQueryText("SELECT COUNT(*) FROM sales_daily WHERE demand IS NULL"), "1");
  EXPECT_EQ(RawQueryText("SELECT cart_adds FROM sales_daily WHERE sku = 'B' AND "
                         "date = '2024-01-04'"),
            is_postgres() ? "4" : "4.0");  // each server's text form of the double 4
}

TEST_P(PanelTest, SavingASeriesAgainReplacesOnlyItsRows) {
  ASSERT_TRUE(store_->SavePanel(SamplePanel()).ok());
  // B/W1 again, re-cleaned over a shorter window that ends a day earlier.
  DemandPanel again(D("2024-01-04"), 2, {{"B", "W1"}});
  SetDay(again, 0, 0, {5, 5, 0, 9, 1, 0, 15}, 0);
  SetDay(again, 0, 1, {6, 6, 0, 9, 1, 0, 9}, kFlagEvent);
  ASSERT_TRUE(store_->SavePanel(again).ok());

  auto loaded = store_->LoadPanel();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->num_series(), 3u);
  EXPECT_EQ(loaded->num_days(), 6);  // A's rows still span the first six days
  const size_t b = *loaded->Find("B", "W1");
  const auto demand = loaded->column(PanelColumn::kDemand, b);
  const auto flags = loaded->flags(b);
  for (int t = 0; t < 3; ++t) {
    EXPECT_EQ(flags[t], kFlagNotLaunched) << t;
    EXPECT_TRUE(std::isnan(demand[t])) << t;
  }
  EXPECT_EQ(demand[3], 5);
  EXPECT_EQ(demand[4], 6);
  EXPECT_EQ(flags[4], kFlagEvent);
  // After its last stored day the series has no data.
  EXPECT_EQ(flags[5], kFlagMissing);
  EXPECT_TRUE(std::isnan(demand[5]));
  // A/W2 untouched.
  const size_t a2 = *loaded->Find("A", "W2");
  EXPECT_EQ(loaded->column(PanelColumn::kRawDemand, a2)[1], 40);
  EXPECT_EQ(loaded->flags(a2)[1], kFlagOutlier);
}

TEST_P(PanelTest, AnEmptyStoreLoadsAnEmptyPanel) {
  auto loaded = store_->LoadPanel();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->num_series(), 0u);
  EXPECT_EQ(loaded->num_days(), 0);
}

TEST_P(PanelTest, ASeriesWithoutObservationsOnlyClearsItsRows) {
  ASSERT_TRUE(store_->SavePanel(SamplePanel()).ok());
  DemandPanel empty(D("2024-01-01"), 3, {{"A", "W1"}});  // all NaN: never observed
  ASSERT_TRUE(store_->SavePanel(empty).ok());
  auto loaded = store_->LoadPanel();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->num_series(), 2u);
  EXPECT_FALSE(loaded->Find("A", "W1").has_value());
}

}  // namespace
}  // namespace stockcast::testing
