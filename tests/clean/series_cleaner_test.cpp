// Series-level cleaning: aggregation into the panel (missing vs zero days, series start,
// stock reconstruction and censoring, promotions, cart adds) and Hampel outliers.
#include <cmath>

#include <gtest/gtest.h>

#include "stockcast/clean/aggregate.h"
#include "stockcast/clean/order_cleaner.h"
#include "stockcast/clean/series_cleaner.h"

namespace stockcast::clean {
namespace {

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }

CleanOptions NoHolidays() {
  CleanOptions o;
  o.calendar.region = Region::kNone;
  return o;
}

TEST(AggregateTest, MissingDaysAreNotZeroDemandAndSeriesStartAtFirstData) {
  DailyAggregator agg;
  // Location trades on 1, 2 and 4 March; SKU B first sells on the 2nd.
  agg.Add("A", "W", D(2024, 3, 1), MovementType::kSale, 3, 10);
  agg.Add("A", "W", D(2024, 3, 1), MovementType::kSale, 2, 12);
  agg.Add("B", "W", D(2024, 3, 2), MovementType::kSale, 1, 5);
  agg.Add("A", "W", D(2024, 3, 4), MovementType::kReturn, 1, 10);
  DemandPanel p = agg.Build(NoHolidays());
  ASSERT_EQ(p.num_days(), 4);
  ASSERT_EQ(p.num_series(), 2u);
  const size_t a = *p.Find("A", "W"), b = *p.Find("B", "W");
  auto raw_a = p.column(PanelColumn::kRawDemand, a);
  EXPECT_EQ(raw_a[0], 5);
  EXPECT_FLOAT_EQ(p.column(PanelColumn::kPrice, a)[0], (3 * 10 + 2 * 12) / 5.0f);
  EXPECT_EQ(raw_a[1], 0);                         // trading day, no sale: a true zero
  EXPECT_TRUE(std::isnan(raw_a[2]));              // nobody traded on the 3rd: missing
  EXPECT_TRUE(p.flags(a)[2] & kFlagMissing);
  EXPECT_EQ(raw_a[3], 0);                         // a return is not demand...
  EXPECT_EQ(p.column(PanelColumn::kReturns, a)[3], 1);  // ...it is counted as a return
  EXPECT_TRUE(p.flags(b)[0] & kFlagNotLaunched);  // B starts on the 2nd
  EXPECT_EQ(p.FirstObserved(b), 1);
}

TEST(AggregateTest, StockIsReconstructedBetweenSnapshotsAndStockoutsCensor) {
  DailyAggregator agg;
  agg.AddSnapshot({D(2024, 1, 1), "A", "W", 5});  // end of day 1: 5 on hand
  agg.Add("A", "W", D(2024, 1, 2), MovementType::kSale, 3, 1);
  agg.Add("A", "W", D(2024, 1, 3), MovementType::kSale, 2, 1);  // sells out: 0 left
  agg.Add("A", "W", D(2024, 1, 4), MovementType::kReceipt, 10, 0);
  agg.Add("A", "W", D(2024, 1, 4), MovementType::kSale, 4, 1);
  agg.Add("A", "W", D(2024, 1, 5), MovementType::kAdjustment, -1, 0);  // write-off
  agg.AddSnapshot({D(2024, 1, 6), "A", "W", 5});                      // count agrees
  DemandPanel p = agg.Build(NoHolidays());
  auto on_hand = p.column(PanelColumn::kOnHand, 0);
  auto flags = p.flags(0);
  EXPECT_EQ(on_hand[0], 5);
  EXPECT_EQ(on_hand[1], 2);
  EXPECT_EQ(on_hand[2], 0);
  EXPECT_TRUE(flags[2] & kFlagCensored);
  EXPECT_FALSE(flags[1] & kFlagCensored);
  EXPECT_EQ(on_hand[3], 6);
  EXPECT_EQ(on_hand[4], 5);
  EXPECT_EQ(p.column(PanelColumn::kReceipts, 0)[3], 10);
}

TEST(AggregateTest, PromotionsAndCartAddsLandOnTheirSeries) {
  DailyAggregator agg;
  for (int d = 1; d <= 5; ++d) {
    agg.Add("A", "W1", D(2024, 5, d), MovementType::kSale, 1, 1);
    agg.Add("A", "W2", D(2024, 5, d), MovementType::kSale, 1, 1);
  }
  agg.AddPromotion({"A", "W1", D(2024, 5, 2), D(2024, 5, 3), 0.2});
  agg.AddCartAdds({D(2024, 5, 4), "A", "", 9});  // no location: every location of the SKU
  DemandPanel p = agg.Build(NoHolidays());
  const size_t w1 = *p.Find("A", "W1"), w2 = *p.Find("A", "W2");
  EXPECT_TRUE(p.flags(w1)[1] & kFlagPromotion);
  EXPECT_TRUE(p.flags(w1)[2] & kFlagPromotion);
  EXPECT_FALSE(p.flags(w1)[3] & kFlagPromotion);
  EXPECT_FALSE(p.flags(w2)[1] & kFlagPromotion);
  EXPECT_EQ(p.column(PanelColumn::kCartAdds, w2)[3], 9);
  EXPECT_TRUE(std::isnan(p.column(PanelColumn::kCartAdds, w2)[2]));
}

DemandPanel Series(const std::vector<double>& demand, Date start = D(2024, 3, 1)) {
  DailyAggregator agg;
  for (size_t t = 0; t < demand.size(); ++t) {
    agg.Add("A", "W", start + static_cast<int32_t>(t), MovementType::kSale, demand[t], 1);
  }
  return agg.Build(CleanOptions{});
}

TEST(CleanSeriesTest, SpikeIsFlaggedAndCappedNeverDropped) {
  std::vector<double> d(60);
  for (size_t t = 0; t < d.size(); ++t) d[t] = 2 + static_cast<double>(t % 3);  // 2,3,4,...
  d[30] = 400;
  DemandPanel p = Series(d);
  SeriesSummary s = CleanSeries(p, CleanOptions{});
  EXPECT_EQ(s.outlier_days, 1);
  auto flags = p.flags(0);
  EXPECT_TRUE(flags[30] & kFlagOutlier);
  EXPECT_EQ(p.column(PanelColumn::kRawDemand, 0)[30], 400);  // the raw value is kept
  const float capped = p.column(PanelColumn::kDemand, 0)[30];
  EXPECT_GT(capped, 4);
  EXPECT_LT(capped, 60);
  EXPECT_NEAR(s.capped_units, 400 - capped, 1e-3);
  ASSERT_EQ(s.outlier_examples.size(), 1u);
  EXPECT_EQ(s.outlier_examples[0].where, "A@W 2024-03-31");
}

TEST(CleanSeriesTest, FestivalSpikesAreProtected) {
  // 11.11 is a shopping festival: a 100x day there is expected, not an outlier.
  std::vector<double> d(40, 3.0);
  d[20] = 300;
  DemandPanel p = Series(d, D(2024, 10, 22));  // day 20 = 2024-11-11
  ASSERT_TRUE(p.flags(0)[20] & kFlagEvent);
  EXPECT_EQ(CleanSeries(p, CleanOptions{}).outlier_days, 0);
  CleanOptions unprotected;
  unprotected.outliers.protect_events = false;
  DemandPanel p2 = Series(d, D(2024, 10, 22));
  EXPECT_EQ(CleanSeries(p2, unprotected).outlier_days, 1);
}

TEST(CleanSeriesTest, HeavyTailedWholesaleOrdersAreNotOverFlagged) {
  // Typical days of 1-12 units with regular 3-5x bigger orders: nothing here is an anomaly.
  std::vector<double> d;
  for (int t = 0; t < 120; ++t) d.push_back(t % 10 == 0 ? 40.0 : 1.0 + (t * 7) % 12);
  DemandPanel p = Series(d);
  EXPECT_EQ(CleanSeries(p, CleanOptions{}).outlier_days, 0);
}

TEST(CleanSeriesTest, ShortHistoryIsLeftAlone) {
  DemandPanel p = Series({1, 1, 50, 1});
  EXPECT_EQ(CleanSeries(p, CleanOptions{}).outlier_days, 0);
  CleanOptions off;
  off.outliers.enabled = false;
  std::vector<double> d(60, 2.0);
  d[10] = 500;
  DemandPanel p2 = Series(d);
  EXPECT_EQ(CleanSeries(p2, off).outlier_days, 0);
}

TEST(CleanOptionsTest, ValidateNamesFieldAndRule) {
  CleanOptions o;
  o.non_product_sku_patterns = {"^(gift"};
  Status s = o.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message.rfind("clean.non_product_sku_patterns[0] = \"^(gift\"; must be a "
                                    "valid regular expression",
                                    0),
            0u)
      << s.error().message;
  CleanOptions o2;
  o2.outliers.threshold = 0;
  EXPECT_EQ(o2.Validate().error().message, "clean.outliers.threshold = 0; must be > 0");
}

}  // namespace
}  // namespace stockcast::clean
