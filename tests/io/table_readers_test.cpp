#include "stockcast/io/table_readers.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace stockcast::io {
namespace {

TEST(TableReadersTest, ReadsEveryFileByHeaderName) {
  auto dir = testing::TempDir("tables");
  auto products = testing::WriteFile(
      dir / "products.csv",
      "price,sku,name,category,supplier_id,unit_cost,extra\n"
      "19.9,SKU-1,\"无线耳机, Pro\",electronics,S1,8.5,ignored\n");
  auto p = ReadProducts(products);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->size(), 1u);
  EXPECT_EQ((*p)[0].name, "无线耳机, Pro");
  EXPECT_DOUBLE_EQ((*p)[0].price, 19.9);
  EXPECT_FALSE((*p)[0].allow_backorder);

  auto receipts = testing::WriteFile(
      dir / "receipts.csv",
      "po_id,sku,location,supplier_id,quantity,order_date,date,status\n"
      "PO1,SKU-1,WH,S1,120,2024-01-02,2024-01-12,received\n"
      "PO2,SKU-1,WH,S1,60,2024-01-20,2024-02-03,open\n");
  auto r = ReadReceipts(receipts);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[1].status, ReceiptStatus::kOpen);
  EXPECT_EQ((*r)[0].order_date->ToString(), "2024-01-02");

  auto cart = testing::WriteFile(dir / "cart.csv", "date,sku,cart_adds\n2024-01-01,SKU-1,14\n");
  auto c = ReadCartAdds(cart);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)[0].location, "");
}

TEST(TableReadersTest, ErrorsNameFileLineColumnAndRule) {
  auto dir = testing::TempDir("tables");
  auto missing = ReadSnapshots(testing::WriteFile(dir / "s.csv", "date,sku,on_hand\n"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            dir.string() + "/s.csv:1: missing column \"location\"; required columns: date, sku, "
                           "location, on_hand (see docs/formats.md)");
  auto bad = ReadSuppliers(testing::WriteFile(
      dir / "sup.csv", "supplier_id,lead_time_mean_days,case_pack\nS1,seven,1\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            dir.string() + "/sup.csv:2:4: lead_time_mean_days = \"seven\"; must be a number");
  auto late = ReadReceipts(testing::WriteFile(
      dir / "r.csv", "po_id,sku,location,quantity,date,order_date\nP,S,W,5,2024-01-01,2024-02-01\n"));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().message, dir.string() +
                                      "/r.csv:2:20: order_date is after the receipt date; must "
                                      "be on or before it");
  auto promo = ReadPromotions(testing::WriteFile(
      dir / "p.csv", "sku,start_date,end_date,discount\nS,2024-01-01,2024-01-05,1.5\n"));
  ASSERT_FALSE(promo.ok());
  EXPECT_EQ(promo.error().message,
            dir.string() + "/p.csv:2:25: discount must be a fraction in [0, 1)");
}

}  // namespace
}  // namespace stockcast::io
