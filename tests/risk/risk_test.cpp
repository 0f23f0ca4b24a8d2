#include "stockcast/risk/risk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace stockcast::risk {
namespace {

const Date kAsOf = *Date::FromYmd(2024, 3, 1);
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A flat forecast of `mean` per day with daily sd `sd` over `days` days.
ItemState Item(std::string sku, std::string location, double on_hand, double mean, double sd,
               int days = 56) {
  ItemState it;
  it.sku = std::move(sku);
  it.location = std::move(location);
  it.supplier_id = "SUP-1";
  it.as_of = kAsOf;
  it.on_hand = on_hand;
  it.unit_cost = 4;
  it.unit_price = 10;
  it.forecast_mean.assign(static_cast<size_t>(days), mean);
  it.forecast_sd.assign(static_cast<size_t>(days), sd);
  return it;
}

std::vector<Risk> Assess(const std::vector<ItemState>& items, const RiskSettings& s = {}) {
  auto r = AssessRisks(items, s);
  EXPECT_TRUE(r.ok()) << Describe(r.error());
  return r.ok() ? *r : std::vector<Risk>{};
}

std::vector<Risk> OfType(const std::vector<Risk>& risks, RiskType type,
                         const std::string& location = "") {
  std::vector<Risk> out;
  for (const Risk& r : risks) {
    if (r.type == type && (location.empty() || r.location == location)) out.push_back(r);
  }
  return out;
}

TEST(RiskNames, RoundTrip) {
  for (int i = 0; i <= static_cast<int>(RiskType::kAboveWarningLine); ++i) {
    const auto t = static_cast<RiskType>(i);
    EXPECT_EQ(ParseRiskType(ToString(t)), t);
  }
  for (int i = 0; i <= static_cast<int>(RiskAction::kReviewForecast); ++i) {
    const auto a = static_cast<RiskAction>(i);
    EXPECT_EQ(ParseRiskAction(ToString(a)), a);
  }
  EXPECT_EQ(ToString(RiskType::kDeadStock), "dead_stock");
  EXPECT_EQ(ToString(RiskAction::kCancelOrDelayPo), "cancel_or_delay_po");
  EXPECT_EQ(ParseRiskLevel("high"), RiskLevel::kHigh);
  EXPECT_FALSE(ParseRiskType("stock_out").has_value());
}

TEST(RiskMatrix, DocumentedCells) {
  const RiskSettings s;  // bands 0.5 / 0.2 and 1000 / 100
  EXPECT_EQ(MatrixLevel(0.6, 50, s), RiskLevel::kMedium);
  EXPECT_EQ(MatrixLevel(0.6, 100, s), RiskLevel::kHigh);
  EXPECT_EQ(MatrixLevel(0.3, 50, s), RiskLevel::kLow);
  EXPECT_EQ(MatrixLevel(0.3, 500, s), RiskLevel::kMedium);
  EXPECT_EQ(MatrixLevel(0.3, 1000, s), RiskLevel::kHigh);
  EXPECT_EQ(MatrixLevel(0.1, 999, s), RiskLevel::kLow);
  EXPECT_EQ(MatrixLevel(0.1, 5000, s), RiskLevel::kMedium);
}

TEST(RiskSettings, ValidateNamesFieldAndRule) {
  RiskSettings s;
  EXPECT_TRUE(s.Validate().ok());
  s.high_probability = 1.5;
  Status st = s.Validate();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "risk.high_probability = 1.5; must be in (0, 1]");
  s = RiskSettings{};
  s.miss_min_days = 9;
  st = s.Validate();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("miss_min_days = 9"), std::string::npos);
}

// Fast mover: 10/day, sd 3/day, 9 days to the receipt: D ~ N(90, 9) against 100 on hand.
// P = 1 - Phi(10/9) = 0.133260; E[(D - 100)+] = 9 (phi(z) - z (1 - Phi(z))) = 0.604130.
TEST(Stockout, NormalMatchesPhiByHand) {
  ItemState it = Item("SKU-1", "WH-1", 100, 10, 3);
  it.arrivals = {{kAsOf + 9, 500, false}};
  const auto risks = Assess({it});
  const auto so = OfType(risks, RiskType::kStockout);
  ASSERT_EQ(so.size(), 1u);
  EXPECT_NEAR(so[0].probability, 0.1332603, 1e-5);
  EXPECT_NEAR(so[0].expected_shortage, 0.6041295, 1e-4);
  EXPECT_NEAR(so[0].impact, 6.041295, 1e-3);  // x unit price 10
  EXPECT_NEAR(so[0].days_of_supply, 10.0, 1e-12);
  // An open PO is due after the stock may run out: expedite it.
  EXPECT_EQ(so[0].action, RiskAction::kExpedite);
  ASSERT_TRUE(so[0].date.has_value());
  EXPECT_EQ(*so[0].date, kAsOf + 9);
  EXPECT_NE(so[0].message.find("13%"), std::string::npos) << so[0].message;
  EXPECT_NE(so[0].message.find("expedite the PO due 2024-03-10"), std::string::npos);
  // Low probability x low impact.
  EXPECT_EQ(so[0].level, RiskLevel::kLow);
}

// Slow mover: 0.5/day over a 10-day cover = Poisson(5) against 7 on hand.
// P(D > 7) = 1 - sum_{k<=7} e^-5 5^k / k! = 0.1333717; E[(D - 7)+] = 0.2554810; F^-1(0.95) = 9.
TEST(Stockout, PoissonSlowMoverMatchesTail) {
  ItemState it = Item("SKU-2", "WH-1", 7, 0.5, 0);
  it.forecast_sd.clear();  // Poisson spread
  it.cover_days = 10;
  const auto so = OfType(Assess({it}), RiskType::kStockout);
  ASSERT_EQ(so.size(), 1u);
  EXPECT_NEAR(so[0].probability, 0.1333717, 1e-6);
  EXPECT_NEAR(so[0].expected_shortage, 0.2554810, 1e-6);
  EXPECT_NEAR(so[0].units_needed, 2.0, 1e-12);
  EXPECT_EQ(so[0].action, RiskAction::kReorderNow);  // no PO at all
}

// Overdispersed: mean 5, variance 10 -> NegBin(size 5, p 1/2):
// P(D > 7) = 0.19384765625, E[(D - 7)+] = 0.5791015625.
TEST(Stockout, NegativeBinomialWhenOverdispersed) {
  auto e = EstimateShortage(5, std::sqrt(10.0), 7, 30, 0.95);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->count_model);
  EXPECT_NEAR(e->probability, 0.19384765625, 1e-9);
  EXPECT_NEAR(e->expected_shortage, 0.5791015625, 1e-7);
  // The same mean as a fast-mover threshold of 0 is a normal: P = 1 - Phi(2 / sqrt(10)).
  auto n = EstimateShortage(5, std::sqrt(10.0), 7, 0, 0.95);
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(n->count_model);
  EXPECT_NEAR(n->probability, 0.2635446, 1e-6);
}

TEST(Stockout, PlannedOrderOnlyMeansReorderNow) {
  ItemState it = Item("SKU-1", "WH-1", 20, 10, 2);
  it.arrivals = {{kAsOf + 5, 100, true}};
  const auto so = OfType(Assess({it}), RiskType::kStockout);
  ASSERT_EQ(so.size(), 1u);
  EXPECT_EQ(so[0].action, RiskAction::kReorderNow);
  // Mean path runs out on day 2 (20 units at 10/day).
  ASSERT_TRUE(so[0].date.has_value());
  EXPECT_EQ(*so[0].date, kAsOf + 2);
  // Arrivals due on as_of count as stock: 20 + 100 covers 5 days of 10 with certainty.
  it.arrivals = {{kAsOf, 100, false}, {kAsOf + 5, 100, true}};
  EXPECT_TRUE(OfType(Assess({it}), RiskType::kStockout).empty());
}

TEST(DaysOfSupply, StepForecast) {
  const std::vector<double> step = {2, 2, 2, 10, 10, 10, 10};
  EXPECT_DOUBLE_EQ(DaysOfSupply(11, step), 3.5);  // 6 used in 3 days, 5 of 10 on day 4
  EXPECT_DOUBLE_EQ(DaysOfSupply(6, step), 3.0);
  EXPECT_DOUBLE_EQ(DaysOfSupply(0, step), 0.0);
  // Beyond the horizon the average (2/day) continues: 4 used in 2 days, 6 more last 3 days.
  EXPECT_DOUBLE_EQ(DaysOfSupply(10, std::vector<double>{1, 3}), 5.0);
  EXPECT_DOUBLE_EQ(DaysOfSupply(10, std::vector<double>{0, 0}), kMaxDaysOfSupply);
  EXPECT_DOUBLE_EQ(DaysOfSupply(1e9, step), kMaxDaysOfSupply);
}

TEST(DeadStock, BoundaryAtNDays) {
  RiskSettings s;
  s.dead_stock_days = 90;
  ItemState it = Item("SKU-D", "WH-1", 12, 0, 0);
  it.last_sale = kAsOf - 90;  // sold within the last 90 days (as_of - 90 .. as_of - 1)
  EXPECT_TRUE(OfType(Assess({it}, s), RiskType::kDeadStock).empty());
  it.last_sale = kAsOf - 91;
  auto dead = OfType(Assess({it}, s), RiskType::kDeadStock);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_DOUBLE_EQ(dead[0].probability, 1.0);
  EXPECT_DOUBLE_EQ(dead[0].impact, 48.0);  // 12 x 4
  EXPECT_EQ(dead[0].action, RiskAction::kMarkdown);
  // Nothing on hand: nothing dead.
  it.on_hand = 0;
  EXPECT_TRUE(OfType(Assess({it}, s), RiskType::kDeadStock).empty());
  // Without last_sale: 90 known zero days are enough, 89 are not.
  it.on_hand = 12;
  it.last_sale.reset();
  it.recent_demand.assign(90, 0.0);
  EXPECT_EQ(OfType(Assess({it}, s), RiskType::kDeadStock).size(), 1u);
  it.recent_demand.assign(89, 0.0);
  it.recent_demand.insert(it.recent_demand.begin(), kNaN);
  EXPECT_TRUE(OfType(Assess({it}, s), RiskType::kDeadStock).empty());
  // A sale 91 days ago in the history counts as the last sale: dead; 90 days ago: alive.
  it.recent_demand.assign(91, 0.0);
  it.recent_demand[0] = 3;  // as_of - 91
  EXPECT_EQ(OfType(Assess({it}, s), RiskType::kDeadStock).size(), 1u);
  it.recent_demand[1] = 1;  // as_of - 90
  EXPECT_TRUE(OfType(Assess({it}, s), RiskType::kDeadStock).empty());
}

// WH-1 runs out; WH-2 and WH-3 hold the same SKU with surplus; WH-2 has the most.
// WH-1 needs F^-1(0.95) of N(70, 2 sqrt 7) - 10 = 78.704 - 10 = 68.704 -> 69 units.
TEST(Actions, TransferFromLocationWithLargestSurplus) {
  ItemState short_item = Item("SKU-T", "WH-1", 10, 10, 2);
  short_item.cover_days = 7;
  ItemState big = Item("SKU-T", "WH-2", 1000, 5, 2);
  ItemState medium = Item("SKU-T", "WH-3", 300, 5, 2);
  ItemState other_sku = Item("SKU-X", "WH-4", 5000, 1, 1);  // different SKU: never a donor
  const auto risks = Assess({short_item, big, medium, other_sku});
  const auto so = OfType(risks, RiskType::kStockout, "WH-1");
  ASSERT_EQ(so.size(), 1u);
  EXPECT_NEAR(so[0].units_needed, 68.70375, 1e-3);
  EXPECT_EQ(so[0].action, RiskAction::kTransfer);
  EXPECT_EQ(so[0].transfer_from, "WH-2");
  EXPECT_DOUBLE_EQ(so[0].transfer_units, 69.0);
  EXPECT_NE(so[0].message.find("transfer 69.0 units from WH-2"), std::string::npos)
      << so[0].message;
  // A second shortage risk of the same item shares the one transfer (the largest need).
  short_item.lines.lower = WarningLine{10, WarningLine::Unit::kUnits};
  const auto both = Assess({short_item, big, medium, other_sku});
  const auto line = OfType(both, RiskType::kBelowWarningLine, "WH-1");
  const auto so2 = OfType(both, RiskType::kStockout, "WH-1");
  ASSERT_EQ(line.size(), 1u);
  ASSERT_EQ(so2.size(), 1u);
  EXPECT_DOUBLE_EQ(line[0].units_needed, 10.0);
  EXPECT_EQ(line[0].action, RiskAction::kTransfer);
  EXPECT_EQ(line[0].transfer_from, "WH-2");
  EXPECT_DOUBLE_EQ(line[0].transfer_units, 69.0);
  EXPECT_DOUBLE_EQ(so2[0].transfer_units, 69.0);
  // Without donors the same item reorders.
  const auto alone = OfType(Assess({short_item, other_sku}), RiskType::kStockout, "WH-1");
  ASSERT_EQ(alone.size(), 1u);
  EXPECT_EQ(alone[0].action, RiskAction::kReorderNow);
}

TEST(SupplierDelay, PriorKeepsSmallSamplesBelowOne) {
  RiskSettings s;  // prior rate 0.1, weight 4, late when > 1 day over the promise
  const std::vector<LeadTimeObservation> two_late = {{7, 12}, {7, 10}};
  const SupplierDelayStats d = SupplierDelay(two_late, s);
  EXPECT_EQ(d.deliveries, 2);
  EXPECT_EQ(d.late, 2);
  EXPECT_DOUBLE_EQ(d.p_late, 2.4 / 6.0);  // (2 + 4 x 0.1) / (2 + 4)
  EXPECT_DOUBLE_EQ(d.mean_delay, 4.0);    // (5 + 3) / 2
  // One day over the promise is within the threshold.
  const SupplierDelayStats ok = SupplierDelay(std::vector<LeadTimeObservation>{{7, 8}}, s);
  EXPECT_EQ(ok.late, 0);
  EXPECT_DOUBLE_EQ(ok.p_late, 0.4 / 5.0);
  EXPECT_DOUBLE_EQ(SupplierDelay({}, s).p_late, 0.1);  // the prior alone
  // Many observations dominate the prior: 50 late of 100 -> (50 + 0.4) / 104.
  std::vector<LeadTimeObservation> many(100, {7, 7});
  for (size_t i = 0; i < 50; ++i) many[i].actual_days = 10;
  EXPECT_NEAR(SupplierDelay(many, s).p_late, 50.4 / 104.0, 1e-12);
}

// 10/day with no spread, 60 on hand, the PO due in 5 days: on time nothing runs short; 4 days
// late, demand over 9 days is 90: 30 units short with certainty. P = P(late) = 0.4.
TEST(SupplierDelay, StockoutRiskOfTheTypicalDelay) {
  ItemState it = Item("SKU-S", "WH-1", 60, 10, 0);
  it.arrivals = {{kAsOf + 5, 200, false}};
  it.lead_time_history = {{7, 12}, {7, 10}};
  const auto risks = Assess({it});
  EXPECT_TRUE(OfType(risks, RiskType::kStockout).empty());
  const auto d = OfType(risks, RiskType::kSupplierDelay);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NEAR(d[0].probability, 0.4, 1e-12);
  EXPECT_NEAR(d[0].expected_shortage, 30.0, 1e-9);
  EXPECT_NEAR(d[0].impact, 300.0, 1e-9);
  EXPECT_EQ(d[0].action, RiskAction::kExpedite);
  EXPECT_EQ(d[0].level, RiskLevel::kMedium);  // medium probability x medium impact
}

// Baseline: 28 days cycling 9, 10, 11, 10 (median 10, MAD 0.5 -> the Poisson floor sqrt(10)
// wins). A week at 20: z = 10 / (sqrt(10) / sqrt(7)) = 8.3666.
TEST(DemandShift, SpikeDetectedNormalWeekNot) {
  RiskSettings s;
  std::vector<double> history;
  const double cycle[] = {9, 10, 11, 10};
  for (int i = 0; i < 28; ++i) history.push_back(cycle[i % 4]);
  std::vector<double> spike = history;
  spike.insert(spike.end(), 7, 20.0);
  auto d = DetectDemandShift(spike, s);
  ASSERT_TRUE(d.has_value());
  EXPECT_DOUBLE_EQ(d->baseline_median, 10.0);
  EXPECT_NEAR(d->baseline_scale, std::sqrt(10.0), 1e-12);
  EXPECT_NEAR(d->z, 8.366600265, 1e-8);
  EXPECT_TRUE(d->spike);
  EXPECT_FALSE(d->drop);

  std::vector<double> normal = history;
  for (int i = 0; i < 7; ++i) normal.push_back(cycle[i % 4]);
  d = DetectDemandShift(normal, s);
  ASSERT_TRUE(d.has_value());
  EXPECT_FALSE(d->spike);
  EXPECT_FALSE(d->drop);

  std::vector<double> drop = history;
  drop.insert(drop.end(), 7, 2.0);
  d = DetectDemandShift(drop, s);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->drop);

  // Through AssessRisks: a spike risk with review_forecast, none for the normal week.
  ItemState it = Item("SKU-A", "WH-1", 1000, 10, 3);
  it.recent_demand = spike;
  const auto risks = Assess({it});
  const auto sp = OfType(risks, RiskType::kDemandSpike);
  ASSERT_EQ(sp.size(), 1u);
  EXPECT_EQ(sp[0].action, RiskAction::kReviewForecast);
  EXPECT_NEAR(sp[0].impact, 10.0 * 7.0 * 10.0, 1e-9);  // 10/day over a week at price 10
  it.recent_demand = normal;
  const auto calm = Assess({it});
  EXPECT_TRUE(OfType(calm, RiskType::kDemandSpike).empty());
  EXPECT_TRUE(OfType(calm, RiskType::kDemandDrop).empty());
  // Too few known days: no verdict.
  std::vector<double> gappy(35, kNaN);
  gappy[34] = 50;
  EXPECT_FALSE(DetectDemandShift(gappy, s).has_value());
}

TEST(ForecastMiss, KOfLastMDays) {
  ItemState it = Item("SKU-F", "WH-1", 1000, 10, 3);
  for (int d = 0; d < 10; ++d) it.forecast_checks.push_back({kAsOf - 10 + d, 10, 5, 15});
  // Older misses outside the 7-day window do not count.
  it.forecast_checks[0].actual = 30;
  it.forecast_checks[1].actual = 30;
  it.forecast_checks[8].actual = 20;  // 5 above
  it.forecast_checks[9].actual = 2;   // 3 below
  EXPECT_TRUE(OfType(Assess({it}), RiskType::kForecastMiss).empty());
  it.forecast_checks[5].actual = 16;  // 1 above: 3 of the last 7
  const auto m = OfType(Assess({it}), RiskType::kForecastMiss);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_NEAR(m[0].probability, 3.0 / 7.0, 1e-12);
  EXPECT_NEAR(m[0].impact, (5 + 3 + 1) * 10.0, 1e-9);
  EXPECT_EQ(m[0].action, RiskAction::kReviewForecast);
}

// 10/day, no spread, 100 on hand over a 10-day forecast. End-of-day positions 90, 80, ..., 0.
TEST(WarningLines, LowerLineCrossing) {
  ItemState it = Item("SKU-W", "WH-1", 100, 10, 0, 10);
  it.lines.lower = WarningLine{3, WarningLine::Unit::kDaysOfSupply};  // 3 x 10 = 30 units
  const auto below = OfType(Assess({it}), RiskType::kBelowWarningLine);
  ASSERT_EQ(below.size(), 1u);
  EXPECT_DOUBLE_EQ(below[0].probability, 1.0);
  ASSERT_TRUE(below[0].date.has_value());
  EXPECT_EQ(*below[0].date, kAsOf + 7);           // 100 - 80 = 20 < 30 at the end of day 7
  EXPECT_DOUBLE_EQ(below[0].units_needed, 30.0);  // day 9 ends at 0
  EXPECT_DOUBLE_EQ(below[0].impact, 120.0);       // x unit cost 4
  // A line of 0.5 days (5 units) is only reached by the end of day 9 at 0 < 5.
  it.lines.lower = WarningLine{5, WarningLine::Unit::kUnits};
  const auto late = OfType(Assess({it}), RiskType::kBelowWarningLine);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(*late[0].date, kAsOf + 9);
  // A receipt that lands in time keeps the position above 5 units.
  it.arrivals = {{kAsOf + 8, 100, false}};
  EXPECT_TRUE(OfType(Assess({it}), RiskType::kBelowWarningLine).empty());
}

TEST(WarningLines, UpperLineCrossing) {
  ItemState it = Item("SKU-W", "WH-1", 100, 10, 0, 10);
  it.lines.upper = WarningLine{200, WarningLine::Unit::kUnits};
  EXPECT_TRUE(OfType(Assess({it}), RiskType::kAboveWarningLine).empty());
  // 200 arrive on day 5: end of day 5 = 100 - 60 + 200 = 240 > 200 (40 above), then falling.
  it.arrivals = {{kAsOf + 5, 200, false}};
  const auto above = OfType(Assess({it}), RiskType::kAboveWarningLine);
  ASSERT_EQ(above.size(), 1u);
  EXPECT_EQ(*above[0].date, kAsOf + 5);
  EXPECT_DOUBLE_EQ(above[0].excess_units, 40.0);
  EXPECT_EQ(above[0].action, RiskAction::kCancelOrDelayPo);
}

// 1/day without spread, horizon 90: 200 on hand vs 90 demand = 110 excess (440 at cost 4).
TEST(Overstock, ExcessBeyondHorizonAndAgeing) {
  ItemState it = Item("SKU-O", "WH-1", 200, 1, 0);
  auto over = OfType(Assess({it}), RiskType::kOverstock);
  ASSERT_EQ(over.size(), 1u);
  EXPECT_DOUBLE_EQ(over[0].excess_units, 110.0);
  EXPECT_DOUBLE_EQ(over[0].impact, 440.0);
  EXPECT_DOUBLE_EQ(over[0].probability, 1.0);
  EXPECT_EQ(over[0].action, RiskAction::kMarkdown);
  // An open PO within the horizon adds to the excess and becomes the thing to cancel.
  it.arrivals = {{kAsOf + 20, 50, false}};
  over = OfType(Assess({it}), RiskType::kOverstock);
  ASSERT_EQ(over.size(), 1u);
  EXPECT_DOUBLE_EQ(over[0].excess_units, 160.0);
  EXPECT_EQ(over[0].action, RiskAction::kCancelOrDelayPo);
  // A 30-day shelf life binds: 250 - 30 = 220 units may expire.
  it.shelf_life_days = 30;
  const auto age = OfType(Assess({it}), RiskType::kAgeing);
  ASSERT_EQ(age.size(), 1u);
  EXPECT_DOUBLE_EQ(age[0].excess_units, 220.0);
  EXPECT_TRUE(OfType(Assess({it}), RiskType::kOverstock).empty());
  // Stock within horizon + tolerance (90 + 14 days) is not overstock.
  ItemState fine = Item("SKU-O", "WH-1", 100, 1, 0);
  EXPECT_TRUE(OfType(Assess({fine}), RiskType::kOverstock).empty());
}

TEST(AssessRisks, SortedByLevelThenImpact) {
  std::vector<ItemState> items = {Item("A", "WH-1", 10, 10, 2), Item("B", "WH-1", 95, 10, 3),
                                  Item("C", "WH-1", 5000, 10, 3)};
  items[0].unit_price = 1000;  // the costliest risk: 130 units short x 1000
  const auto risks = Assess(items);
  ASSERT_GE(risks.size(), 3u);
  for (size_t k = 1; k < risks.size(); ++k) {
    const Risk& a = risks[k - 1];
    const Risk& b = risks[k];
    EXPECT_TRUE(a.level > b.level || (a.level == b.level && a.impact >= b.impact));
  }
  EXPECT_EQ(risks[0].sku, "A");
  EXPECT_EQ(risks[0].level, RiskLevel::kHigh);
}

TEST(AssessRisks, ValidationNamesItemAndField) {
  ItemState it = Item("SKU-1", "WH-2", 10, 1, 1, 5);
  it.forecast_sd.resize(3);
  std::vector<ItemState> items = {Item("SKU-0", "WH-1", 1, 1, 1), it};
  auto r = AssessRisks(items, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "forecast_sd has 3 values at items[1] (SKU-1@WH-2); must be empty or 5 "
            "(forecast_mean)");
  items[1] = items[0];
  r = AssessRisks(items, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("repeats items[0]"), std::string::npos);
  items.pop_back();
  items[0].forecast_mean.clear();
  items[0].forecast_sd.clear();
  r = AssessRisks(items, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("forecast_mean is empty"), std::string::npos);
}

}  // namespace
}  // namespace stockcast::risk
