// Master data, stock data (snapshots, receipts, cart adds, promotions) and derived stock levels.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store_fixture.h"

// Designated initializers below leave the fields they do not name at their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace stockcast::testing {
namespace {

using ::testing::HasSubstr;
class StockDataTest : public StoreTest {};
STOCKCAST_STORE_BACKENDS(StockDataTest);

TEST_P(StockDataTest, MasterDataUpsertsByIdAndRoundTrips) {
  std::vector<Product> products = {
      {.sku = "B",
       .name = "Bolt",
       .category = "hardware",
       .supplier_id = "S1",
       .unit_cost = 0.1,
       .price = 0.35,
       .shelf_life_days = 0,
       .allow_backorder = true},
      {.sku = "A",
       .name = "Anchor",
       .category = "hardware",
       .supplier_id = "S2",
       .unit_cost = 1.0 / 3.0,
       .price = 2.5,
       .shelf_life_days = 365,
       .allow_backorder = false},
  };
  ASSERT_TRUE(store_->UpsertProducts(products).ok());
  products[0].price = 0.4;  // update B
  ASSERT_TRUE(store_->UpsertProducts({&products[0], 1}).ok());
  auto listed = store_->ListProducts();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  const Product& a = (*listed)[0];
  EXPECT_EQ(a.sku, "A");
  EXPECT_EQ(a.name, "Anchor");
  EXPECT_EQ(a.supplier_id, "S2");
  EXPECT_EQ(a.unit_cost, 1.0 / 3.0);
  EXPECT_EQ(a.shelf_life_days, 365);
  EXPECT_FALSE(a.allow_backorder);
  EXPECT_EQ((*listed)[1].price, 0.4);
  EXPECT_TRUE((*listed)[1].allow_backorder);

  Supplier s{.id = "S1",
             .name = "Acme",
             .lead_time_mean_days = 12.5,
             .lead_time_sd_days = 3,
             .moq = 100,
             .case_pack = 12,
             .unit_cost = 0.09,
             .order_cost = 25};
  ASSERT_TRUE(store_->UpsertSuppliers({&s, 1}).ok());
  auto suppliers = store_->ListSuppliers();
  ASSERT_TRUE(suppliers.ok());
  ASSERT_EQ(suppliers->size(), 1u);
  EXPECT_EQ((*suppliers)[0].name, "Acme");
  EXPECT_EQ((*suppliers)[0].lead_time_mean_days, 12.5);
  EXPECT_EQ((*suppliers)[0].case_pack, 12);
  EXPECT_EQ((*suppliers)[0].order_cost, 25);

  Location l{.id = "W1", .name = "Main", .capacity_units = 5000};
  ASSERT_TRUE(store_->UpsertLocations({&l, 1}).ok());
  auto locations = store_->ListLocations();
  ASSERT_TRUE(locations.ok());
  ASSERT_EQ(locations->size(), 1u);
  EXPECT_EQ((*locations)[0].capacity_units, 5000);
}

TEST_P(StockDataTest, InvalidMasterDataIsRejectedWithItsIndex) {
  std::vector<Supplier> suppliers(2);
  suppliers[0].id = "S1";
  suppliers[1].id = "S2";
  suppliers[1].case_pack = 0;
  Status status = store_->UpsertSuppliers(suppliers);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "suppliers[1].case_pack = 0; must be > 0");
  EXPECT_TRUE(store_->ListSuppliers()->empty());
}

TEST_P(StockDataTest, StockDataRoundTrips) {
  std::vector<StockSnapshot> snapshots = {
      {.date = D("2024-01-05"), .sku = "A", .location = "W1", .on_hand = 10},
      {.date = D("2024-01-01"), .sku = "A", .location = "W1", .on_hand = 7},
  };
  ASSERT_TRUE(store_->UpsertSnapshots(snapshots).ok());
  snapshots[0].on_hand = 11;
  ASSERT_TRUE(store_->UpsertSnapshots({&snapshots[0], 1}).ok());
  auto listed_snapshots = store_->ListSnapshots();
  ASSERT_TRUE(listed_snapshots.ok());
  ASSERT_EQ(listed_snapshots->size(), 2u);
  EXPECT_EQ((*listed_snapshots)[0].date, D("2024-01-01"));
  EXPECT_EQ((*listed_snapshots)[1].on_hand, 11);

  std::vector<Receipt> receipts = {
      {.po_id = "PO1",
       .sku = "A",
       .location = "W1",
       .supplier_id = "S1",
       .quantity = 20,
       .order_date = D("2023-12-20"),
       .date = D("2024-01-03"),
       .status = ReceiptStatus::kReceived},
      {.po_id = "PO2",
       .sku = "A",
       .location = "W1",
       .supplier_id = "",
       .quantity = 5,
       .order_date = std::nullopt,
       .date = D("2024-02-01"),
       .status = ReceiptStatus::kOpen},
  };
  ASSERT_TRUE(store_->UpsertReceipts(receipts).ok());
  auto listed_receipts = store_->ListReceipts();
  ASSERT_TRUE(listed_receipts.ok());
  ASSERT_EQ(listed_receipts->size(), 2u);
  EXPECT_EQ((*listed_receipts)[0].order_date, D("2023-12-20"));
  EXPECT_EQ((*listed_receipts)[0].supplier_id, "S1");
  EXPECT_EQ((*listed_receipts)[0].status, ReceiptStatus::kReceived);
  EXPECT_FALSE((*listed_receipts)[1].order_date.has_value());
  EXPECT_EQ((*listed_receipts)[1].date, D("2024-02-01"));
  EXPECT_EQ((*listed_receipts)[1].status, ReceiptStatus::kOpen);

  std::vector<CartAdds> carts = {
      {.date = D("2024-01-02"), .sku = "A", .location = "", .cart_adds = 14}};
  ASSERT_TRUE(store_->UpsertCartAdds(carts).ok());
  auto listed_carts = store_->ListCartAdds();
  ASSERT_TRUE(listed_carts.ok());
  ASSERT_EQ(listed_carts->size(), 1u);
  EXPECT_EQ((*listed_carts)[0].location, "");
  EXPECT_EQ((*listed_carts)[0].cart_adds, 14);

  std::vector<Promotion> promotions = {{.sku = "A",
                                        .location = "",
                                        .start = D("2024-11-01"),
                                        .end = D("2024-11-11"),
                                        .discount = 0.2}};
  ASSERT_TRUE(store_->UpsertPromotions(promotions).ok());
  auto listed_promotions = store_->ListPromotions();
  ASSERT_TRUE(listed_promotions.ok());
  ASSERT_EQ(listed_promotions->size(), 1u);
  EXPECT_EQ((*listed_promotions)[0].end, D("2024-11-11"));
  EXPECT_EQ((*listed_promotions)[0].discount, 0.2);
}

TEST_P(StockDataTest, InvalidStockDataIsRejected) {
  Receipt r{.po_id = "PO1",
            .sku = "A",
            .location = "W1",
            .quantity = 1,
            .order_date = D("2024-02-01"),
            .date = D("2024-01-01")};
  Status receipt = store_->UpsertReceipts({&r, 1});
  ASSERT_FALSE(receipt.ok());
  EXPECT_EQ(receipt.error().message,
            "receipts[0].order_date = 2024-02-01 is after date = 2024-01-01; must be <= date");
  Promotion p{.sku = "A", .start = D("2024-01-01"), .end = D("2024-01-02"), .discount = 1};
  Status promotion = store_->UpsertPromotions({&p, 1});
  ASSERT_FALSE(promotion.ok());
  EXPECT_EQ(promotion.error().message, "promotions[0].discount = 1; must be in [0, 1)");
  StockSnapshot s{.date = D("2024-01-01"), .sku = "A", .location = "", .on_hand = 1};
  Status snapshot = store_->UpsertSnapshots({&s, 1});
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.error().message, "snapshots[0].location is empty; must be set");
}

StockLevel Level(const std::vector<StockLevel>& levels, const std::string& sku,
                 const std::string& location) {
  for (const StockLevel& l : levels) {
    if (l.sku == sku && l.location == location) return l;
  }
  ADD_FAILURE() << "no stock level for " << sku << "/" << location;
  return {};
}

TEST_P(StockDataTest, StockLevelsBuildOnTheLatestSnapshotPlusLaterMovements) {
  std::vector<StockSnapshot> snapshots = {
      {.date = D("2024-01-01"), .sku = "A", .location = "W1", .on_hand = 40},   // superseded
      {.date = D("2024-01-05"), .sku = "A", .location = "W1", .on_hand = 100},  // latest
      {.date = D("2024-01-03"), .sku = "D", .location = "W1", .on_hand = 12},   // nothing after
  };
  ASSERT_TRUE(store_->UpsertSnapshots(snapshots).ok());
  std::vector<Movement> movements = {
      // Before and on the snapshot day: already in the end-of-day count.
      MakeMovement("m1", MovementType::kReceipt, "A", "W1", "2024-01-03", 50),
      MakeMovement("m2", MovementType::kSale, "A", "W1", "2024-01-05", 5, 86000),
      // After it: -2 +1 -3 -4 +6 = -2.
      MakeMovement("m3", MovementType::kSale, "A", "W1", "2024-01-06", 2),
      MakeMovement("m4", MovementType::kReturn, "A", "W1", "2024-01-07", 1),
      MakeMovement("m5", MovementType::kAdjustment, "A", "W1", "2024-01-08", -3),
      MakeMovement("m6", MovementType::kTransferOut, "A", "W1", "2024-01-08", 4),
      MakeMovement("m7", MovementType::kTransferIn, "A", "W1", "2024-01-09", 6),
      // Same SKU elsewhere: its own series.
      MakeMovement("m8", MovementType::kAdjustment, "A", "W2", "2024-01-02", 5),
      // No snapshot: the sum of all movements.
      MakeMovement("m9", MovementType::kReceipt, "B", "W1", "2024-01-01", 10),
      MakeMovement("m10", MovementType::kSale, "B", "W1", "2024-01-02", 3),
  };
  ASSERT_TRUE(store_->AppendMovements(movements).ok());
  std::vector<Receipt> receipts = {
      {.po_id = "PO1",
       .sku = "A",
       .location = "W1",
       .quantity = 20,
       .date = D("2024-02-01"),
       .status = ReceiptStatus::kOpen},
      {.po_id = "PO2",
       .sku = "A",
       .location = "W1",
       .quantity = 30,
       .date = D("2024-02-03"),
       .status = ReceiptStatus::kOpen},
      {.po_id = "PO0",
       .sku = "A",
       .location = "W1",
       .quantity = 50,
       .date = D("2024-01-03"),
       .status = ReceiptStatus::kReceived},  // in the ledger already (m1), not on order
      {.po_id = "PO3",
       .sku = "C",
       .location = "W2",
       .quantity = 15,
       .date = D("2024-02-01"),
       .status = ReceiptStatus::kOpen},  // a series with only an open order
  };
  ASSERT_TRUE(store_->UpsertReceipts(receipts).ok());

  ASSERT_TRUE(store_->RebuildStockLevels().ok());
  ASSERT_TRUE(store_->RebuildStockLevels().ok());  // rebuilding is idempotent
  auto levels = store_->ListStockLevels();
  ASSERT_TRUE(levels.ok()) << Describe(levels.error());
  ASSERT_EQ(levels->size(), 5u);

  const StockLevel a1 = Level(*levels, "A", "W1");
  EXPECT_EQ(a1.on_hand, 98);
  EXPECT_EQ(a1.on_order, 50);
  EXPECT_EQ(a1.snapshot_date, D("2024-01-05"));
  EXPECT_EQ(a1.last_movement, D("2024-01-09"));

  const StockLevel a2 = Level(*levels, "A", "W2");
  EXPECT_EQ(a2.on_hand, 5);
  EXPECT_EQ(a2.on_order, 0);
  EXPECT_FALSE(a2.snapshot_date.has_value());

  const StockLevel b = Level(*levels, "B", "W1");
  EXPECT_EQ(b.on_hand, 7);
  EXPECT_FALSE(b.snapshot_date.has_value());
  EXPECT_EQ(b.last_movement, D("2024-01-02"));

  const StockLevel c = Level(*levels, "C", "W2");
  EXPECT_EQ(c.on_hand, 0);
  EXPECT_EQ(c.on_order, 15);
  EXPECT_FALSE(c.snapshot_date.has_value());
  EXPECT_FALSE(c.last_movement.has_value());

  const StockLevel d = Level(*levels, "D", "W1");
  EXPECT_EQ(d.on_hand, 12);
  EXPECT_EQ(d.snapshot_date, D("2024-01-03"));
  EXPECT_FALSE(d.last_movement.has_value());

  // Levels are derived: they change only when rebuilt.
  std::vector<Movement> later = {
      MakeMovement("m11", MovementType::kSale, "B", "W1", "2024-01-10", 7)};
  ASSERT_TRUE(store_->AppendMovements(later).ok());
  EXPECT_EQ(Level(*store_->ListStockLevels(), "B", "W1").on_hand, 7);
  ASSERT_TRUE(store_->RebuildStockLevels().ok());
  EXPECT_EQ(Level(*store_->ListStockLevels(), "B", "W1").on_hand, 0);
}

TEST_P(StockDataTest, StockLevelsOfAnEmptyStoreAreEmpty) {
  ASSERT_TRUE(store_->RebuildStockLevels().ok());
  auto levels = store_->ListStockLevels();
  ASSERT_TRUE(levels.ok());
  EXPECT_TRUE(levels->empty());
}

}  // namespace
}  // namespace stockcast::testing
