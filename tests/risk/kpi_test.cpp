#include "stockcast/risk/kpi.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace stockcast::risk {
namespace {

const KpiRow* FindRow(const std::vector<KpiRow>& rows, const std::string& scope,
                      const std::string& key, const std::string& period = "") {
  for (const KpiRow& r : rows) {
    if (r.scope == scope && r.key == key && r.period == period) return &r;
  }
  return nullptr;
}

void Fill(DemandPanel& panel, PanelColumn c, size_t s, const std::vector<float>& values) {
  auto col = panel.column(c, s);
  ASSERT_EQ(col.size(), values.size());
  for (size_t t = 0; t < values.size(); ++t) col[t] = values[t];
}

TEST(Kpi, PeriodLabels) {
  EXPECT_EQ(PeriodLabel(*Date::FromYmd(2024, 3, 5), KpiPeriod::kMonth), "2024-03");
  EXPECT_EQ(PeriodLabel(*Date::FromYmd(2024, 1, 1), KpiPeriod::kWeek), "2024-W01");  // Monday
  EXPECT_EQ(PeriodLabel(*Date::FromYmd(2021, 1, 3), KpiPeriod::kWeek), "2020-W53");  // Sunday
  EXPECT_EQ(PeriodLabel(*Date::FromYmd(2024, 12, 30), KpiPeriod::kWeek), "2025-W01");
  EXPECT_EQ(PeriodLabel(*Date::FromYmd(2024, 3, 25), KpiPeriod::kWeek), "2024-W13");
  EXPECT_EQ(ParseKpiPeriod("week"), KpiPeriod::kWeek);
  EXPECT_EQ(ToString(KpiPeriod::kMonth), "month");
}

// Two series over 2024-03-01..10.
//   A (cost 4, price 10, holding 36.5%/yr): sells 5/day for 8 days, then 2 and 0 on two
//     stockout days; on hand 50, 45, ..., 15, 13, 13 (mean 28.6); forecast 6/day.
//   B (cost 2, price 3): sells 1/day, kPrice 4 on day 1; no stock data.
class KpiTwoSeries : public ::testing::Test {
 protected:
  void SetUp() override {
    start_ = *Date::FromYmd(2024, 3, 1);
    panel_ = DemandPanel(start_, 10, {{"SKU-A", "WH-1"}, {"SKU-B", "WH-1"}});
    const std::vector<float> a_sales = {5, 5, 5, 5, 5, 5, 5, 5, 2, 0};
    Fill(panel_, PanelColumn::kRawDemand, 0, a_sales);
    Fill(panel_, PanelColumn::kDemand, 0, a_sales);
    Fill(panel_, PanelColumn::kOnHand, 0, {50, 45, 40, 35, 30, 25, 20, 15, 13, 13});
    panel_.flags(0)[8] |= kFlagCensored;
    panel_.flags(0)[9] |= kFlagCensored;
    const std::vector<float> b_sales(10, 1.0f);
    Fill(panel_, PanelColumn::kRawDemand, 1, b_sales);
    Fill(panel_, PanelColumn::kDemand, 1, b_sales);
    panel_.column(PanelColumn::kPrice, 1)[0] = 4;
    economics_ = {{4, 10, "cat1", 0.365}, {2, 3, "cat2", 0.25}};
    forecasts_ = {std::vector<double>(10, 6.0), {}};
    options_.from = start_;
    options_.to = start_ + 9;
  }
  Date start_;
  DemandPanel panel_;
  std::vector<SeriesEconomics> economics_;
  std::vector<std::vector<double>> forecasts_;
  KpiOptions options_;
};

TEST_F(KpiTwoSeries, HandComputedSkuRow) {
  auto rows = ComputeKpis(panel_, economics_, options_, forecasts_);
  ASSERT_TRUE(rows.ok()) << Describe(rows.error());
  const KpiRow* a = FindRow(*rows, "sku", "SKU-A");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->days, 10);
  EXPECT_EQ(a->series_days, 10);
  EXPECT_DOUBLE_EQ(a->units_sold, 42);
  EXPECT_DOUBLE_EQ(a->revenue, 420);  // no kPrice: list price 10
  EXPECT_DOUBLE_EQ(a->cogs, 168);
  EXPECT_DOUBLE_EQ(a->gross_margin, 252);
  // Lost: uncensored mean 5; day 9 lost 3, day 10 lost 5.
  EXPECT_DOUBLE_EQ(a->lost_units, 8);
  EXPECT_DOUBLE_EQ(a->lost_sales_value, 80);
  EXPECT_DOUBLE_EQ(a->fill_rate, 42.0 / 50.0);
  EXPECT_EQ(a->stockout_days, 2);
  EXPECT_DOUBLE_EQ(a->stockout_rate, 0.2);
  EXPECT_DOUBLE_EQ(a->cycle_service_level, 0.0);  // its one period had a stockout
  EXPECT_NEAR(a->avg_inventory_units, 28.6, 1e-9);
  EXPECT_NEAR(a->avg_inventory_value, 114.4, 1e-9);
  // Turnover = 168 / 114.4 x 365 / 10; GMROI = 252 / 114.4; DOS = 28.6 / 4.2.
  EXPECT_NEAR(a->inventory_turnover, 168.0 / 114.4 * 36.5, 1e-9);
  EXPECT_NEAR(a->gmroi, 252.0 / 114.4, 1e-12);
  EXPECT_NEAR(a->days_of_supply, 28.6 / 4.2, 1e-9);
  EXPECT_NEAR(a->holding_cost, 114.4 * 0.365 * 10.0 / 365.0, 1e-9);
  EXPECT_DOUBLE_EQ(a->end_inventory_value, 52);
  // Forecast 6 vs actual 5 on the 8 uncensored days: WAPE = bias = 8 / 40.
  EXPECT_EQ(a->forecast_days, 8);
  EXPECT_NEAR(a->forecast_wape, 0.2, 1e-12);
  EXPECT_NEAR(a->forecast_bias, 0.2, 1e-12);
  // The category of A alone matches.
  const KpiRow* cat = FindRow(*rows, "category", "cat1");
  ASSERT_NE(cat, nullptr);
  EXPECT_NEAR(cat->gmroi, a->gmroi, 1e-12);
}

TEST_F(KpiTwoSeries, UnknownStockIsUnknownNotZero) {
  auto rows = ComputeKpis(panel_, economics_, options_, forecasts_);
  ASSERT_TRUE(rows.ok());
  const KpiRow* b = FindRow(*rows, "sku", "SKU-B");
  ASSERT_NE(b, nullptr);
  EXPECT_DOUBLE_EQ(b->revenue, 4 + 9 * 3);  // kPrice on day 1, list price after
  // No stock count and no stockout flag anywhere: its stockouts cannot be seen.
  EXPECT_TRUE(std::isnan(b->fill_rate));
  EXPECT_TRUE(std::isnan(b->stockout_rate));
  EXPECT_TRUE(std::isnan(b->cycle_service_level));
  EXPECT_TRUE(std::isnan(b->avg_inventory_units));
  EXPECT_TRUE(std::isnan(b->inventory_turnover));
  EXPECT_TRUE(std::isnan(b->gmroi));
  EXPECT_TRUE(std::isnan(b->holding_cost));
  EXPECT_TRUE(std::isnan(b->end_inventory_value));
  EXPECT_TRUE(std::isnan(b->forecast_wape));  // no forecast for B
  EXPECT_EQ(b->forecast_days, 0);
  // Totals mix a known and an unknown stock: inventory unknown, flows still summed.
  const KpiRow* total = FindRow(*rows, "total", "total");
  ASSERT_NE(total, nullptr);
  EXPECT_EQ(total->series, 2);
  EXPECT_DOUBLE_EQ(total->units_sold, 52);
  EXPECT_DOUBLE_EQ(total->revenue, 451);
  EXPECT_DOUBLE_EQ(total->cogs, 188);
  EXPECT_DOUBLE_EQ(total->stockout_rate, 2.0 / 20.0);
  EXPECT_DOUBLE_EQ(total->fill_rate, 52.0 / 60.0);
  EXPECT_DOUBLE_EQ(total->cycle_service_level, 0.5);
  EXPECT_TRUE(std::isnan(total->avg_inventory_value));
  EXPECT_NEAR(total->forecast_wape, 0.2, 1e-12);
  const KpiRow* loc = FindRow(*rows, "location", "WH-1");
  ASSERT_NE(loc, nullptr);
  EXPECT_TRUE(std::isnan(loc->gmroi));
  // One month: one period row equal to the total's flows.
  const KpiRow* month = FindRow(*rows, "period", "2024-03", "2024-03");
  ASSERT_NE(month, nullptr);
  EXPECT_DOUBLE_EQ(month->units_sold, 52);
  EXPECT_EQ(rows->front().scope, "total");
}

TEST_F(KpiTwoSeries, RangeClipsAndErrors) {
  options_.from = start_ + 8;  // the two stockout days only
  auto rows = ComputeKpis(panel_, economics_, options_, forecasts_);
  ASSERT_TRUE(rows.ok());
  const KpiRow* a = FindRow(*rows, "sku", "SKU-A");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->days, 2);
  EXPECT_DOUBLE_EQ(a->stockout_rate, 1.0);
  // No uncensored day in the range: lost sales are estimated as 0 (nothing to go by).
  EXPECT_DOUBLE_EQ(a->lost_units, 0.0);
  EXPECT_TRUE(std::isnan(a->forecast_wape));

  options_.from = start_ + 5;
  options_.to = start_ + 2;
  auto bad = ComputeKpis(panel_, economics_, options_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "kpi range from = 2024-03-06 > to = 2024-03-03; must be from <= to");
  options_.from = start_;
  economics_.pop_back();
  bad = ComputeKpis(panel_, economics_, options_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "economics has 1 entries; must be 2 (one per panel series)");
}

// Two ISO weeks from Monday 2024-03-25. A sells 4/day in week 13 and 2/day in week 14, with a
// stockout day (0 sold) in week 14: its lost sales use week 14's mean (2), not the range's.
// B launches on day 3 (the first three days are not counted).
TEST(Kpi, WeeklyPeriodsLostSalesAndServiceLevel) {
  const Date start = *Date::FromYmd(2024, 3, 25);
  DemandPanel panel(start, 14, {{"SKU-A", "WH-1"}, {"SKU-B", "WH-2"}});
  std::vector<float> a(14, 4.0f);
  for (int t = 7; t < 14; ++t) a[static_cast<size_t>(t)] = 2.0f;
  a[10] = 0.0f;
  Fill(panel, PanelColumn::kRawDemand, 0, a);
  panel.flags(0)[10] |= kFlagCensored;
  std::vector<float> b(14, 1.0f);
  for (int t = 0; t < 3; ++t) {
    b[static_cast<size_t>(t)] = std::nanf("");
    panel.flags(1)[static_cast<size_t>(t)] |= kFlagNotLaunched;
  }
  Fill(panel, PanelColumn::kRawDemand, 1, b);
  const std::vector<SeriesEconomics> econ = {{1, 2, "c", 0.2}, {1, 2, "c", 0.2}};
  KpiOptions o;
  o.from = start;
  o.to = start + 13;
  o.period = KpiPeriod::kWeek;
  o.breakdown_by_period = true;
  auto rows = ComputeKpis(panel, econ, o);
  ASSERT_TRUE(rows.ok()) << Describe(rows.error());
  const KpiRow* w13 = FindRow(*rows, "period", "2024-W13", "2024-W13");
  const KpiRow* w14 = FindRow(*rows, "period", "2024-W14", "2024-W14");
  ASSERT_NE(w13, nullptr);
  ASSERT_NE(w14, nullptr);
  EXPECT_EQ(w13->series_days, 7 + 4);
  EXPECT_DOUBLE_EQ(w13->units_sold, 28 + 4);
  EXPECT_DOUBLE_EQ(w14->lost_units, 2.0);
  EXPECT_EQ(w14->stockout_days, 1);
  const KpiRow* total = FindRow(*rows, "total", "total");
  ASSERT_NE(total, nullptr);
  // Cells (A,13) ok, (A,14) stockout, (B,13) ok, (B,14) ok.
  EXPECT_DOUBLE_EQ(total->cycle_service_level, 0.75);
  EXPECT_EQ(total->series_days, 14 + 11);
  EXPECT_DOUBLE_EQ(total->stockout_rate, 1.0 / 25.0);
  // Per-period breakdown rows add up to the whole-range row.
  const KpiRow* a_all = FindRow(*rows, "sku", "SKU-A");
  const KpiRow* a13 = FindRow(*rows, "sku", "SKU-A", "2024-W13");
  const KpiRow* a14 = FindRow(*rows, "sku", "SKU-A", "2024-W14");
  ASSERT_TRUE(a_all && a13 && a14);
  EXPECT_DOUBLE_EQ(a13->units_sold + a14->units_sold, a_all->units_sold);
  EXPECT_DOUBLE_EQ(a13->lost_units + a14->lost_units, a_all->lost_units);
  EXPECT_DOUBLE_EQ(a14->lost_sales_value, 4.0);  // 2 units x price 2
}

}  // namespace
}  // namespace stockcast::risk
