#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "stockcast/core/demand_panel.h"
#include "stockcast/core/entities.h"
#include "stockcast/core/error.h"
#include "stockcast/core/params.h"

namespace stockcast {
namespace {

ParamSchema Schema() {
  return ParamSchema({{"window", ParamType::kInt, "28", 1, 365, "days averaged"},
                      {"alpha", ParamType::kDouble, "0.1", 0, 1, "smoothing"},
                      {"seasonal", ParamType::kBool, "true", 0, 1, "use seasonality"}});
}

TEST(ParamSchemaTest, DefaultsAndValidValues) {
  auto v = Schema().Validate({{"window", "14"}}, "model ma");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->GetInt("window"), 14);
  EXPECT_DOUBLE_EQ(v->GetDouble("alpha"), 0.1);
  EXPECT_TRUE(v->GetBool("seasonal"));
}

TEST(ParamSchemaTest, UnknownNameListsAlternatives) {
  auto v = Schema().Validate({{"windw", "14"}}, "model ma");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message,
            "unknown parameter \"windw\" in model ma; available: window, alpha, seasonal");
}

TEST(ParamSchemaTest, TypeAndBoundsErrorsNameTheRule) {
  auto bad_type = Schema().Validate({{"window", "2.5"}}, "model ma");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_EQ(bad_type.error().message, "window = \"2.5\" in model ma; must be an integer");
  auto out_of_range = Schema().Validate({{"alpha", "1.5"}}, "model ses");
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_EQ(out_of_range.error().message, "alpha = 1.5 in model ses; must be in [0, 1]");
}

TEST(ParamSchemaTest, ParsesKeyValueLists) {
  auto kv = ParseKeyValues("a=1,b=x", "--model");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->at("b"), "x");
  EXPECT_FALSE(ParseKeyValues("a=1,b", "--model").ok());
}

TEST(DemandPanelTest, ColumnsAreContiguousPerSeriesAndStartAsNaN) {
  DemandPanel panel(*Date::FromYmd(2024, 1, 1), 10, {{"A", "W1"}, {"B", "W1"}, {"A", "W2"}});
  EXPECT_EQ(panel.num_series(), 3u);
  auto a = panel.column(PanelColumn::kDemand, 0);
  auto b = panel.column(PanelColumn::kDemand, 1);
  EXPECT_EQ(b.data(), a.data() + 10);
  EXPECT_TRUE(std::isnan(a[3]));
  a[3] = 5;
  EXPECT_EQ(panel.data(PanelColumn::kDemand)[3], 5.0f);
  EXPECT_EQ(panel.Find("A", "W2"), 2u);
  EXPECT_EQ(panel.Find("C", "W1"), std::nullopt);
  EXPECT_EQ(panel.IndexOf(*Date::FromYmd(2024, 1, 10)), 9);
  EXPECT_EQ(panel.IndexOf(*Date::FromYmd(2024, 1, 11)), -1);
  panel.column(PanelColumn::kRawDemand, 1)[4] = 0;
  EXPECT_EQ(panel.FirstObserved(1), 4);
  EXPECT_EQ(panel.FirstObserved(2), 10);
}

TEST(DemandPanelTest, ColumnsAreAllocatedOnlyWhenWritten) {
  DemandPanel panel(*Date::FromYmd(2024, 1, 1), 5, {{"A", "W1"}, {"B", "W1"}});
  const DemandPanel& view = panel;
  EXPECT_FALSE(view.has_column(PanelColumn::kOnHand));
  const auto on_hand = view.column(PanelColumn::kOnHand, 1);  // reading does not allocate
  ASSERT_EQ(on_hand.size(), 5u);
  EXPECT_TRUE(std::all_of(on_hand.begin(), on_hand.end(), [](float v) { return std::isnan(v); }));
  EXPECT_FALSE(view.has_column(PanelColumn::kOnHand));
  EXPECT_TRUE(view.data(PanelColumn::kOnHand).empty());
  panel.column(PanelColumn::kOnHand, 1)[2] = 4;  // writing does
  EXPECT_TRUE(view.has_column(PanelColumn::kOnHand));
  EXPECT_EQ(view.column(PanelColumn::kOnHand, 1)[2], 4.0f);
  EXPECT_TRUE(std::isnan(view.column(PanelColumn::kOnHand, 0)[2]));
  EXPECT_EQ(view.data(PanelColumn::kOnHand).size(), 10u);
  DemandPanel copy = panel;  // copies keep written and unwritten columns apart
  EXPECT_EQ(copy.column(PanelColumn::kOnHand, 1)[2], 4.0f);
  EXPECT_FALSE(copy.has_column(PanelColumn::kCartAdds));
}

TEST(EntitiesTest, ValidationNamesFieldAndRule) {
  Supplier s;
  s.id = "S1";
  s.case_pack = 0;
  Status st = s.Validate("suppliers.csv row 3");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "suppliers.csv row 3.case_pack = 0; must be > 0");
  Product p;
  EXPECT_EQ(p.Validate().error().message, "product.sku is empty; must be set");
  Movement m;
  m.type = MovementType::kSale;
  m.quantity = 3;
  EXPECT_EQ(StockDelta(m), -3);
  m.type = MovementType::kAdjustment;
  m.quantity = -2;
  EXPECT_EQ(StockDelta(m), -2);
  for (auto t : {MovementType::kReceipt, MovementType::kSale, MovementType::kReturn,
                 MovementType::kAdjustment, MovementType::kTransferOut, MovementType::kTransferIn}) {
    EXPECT_EQ(ParseMovementType(ToString(t)), t);
  }
}

TEST(ErrorTest, CodesRoundTripAndResultCarriesError) {
  for (auto c : {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kConflict,
                 ErrorCode::kUnavailable, ErrorCode::kInternal}) {
    EXPECT_EQ(ParseErrorCode(ToString(c)), c);
  }
  Result<int> r = Error::NotFound("x.csv: cannot open");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Describe(r.error()), "not_found: x.csv: cannot open");
}

}  // namespace
}  // namespace stockcast
