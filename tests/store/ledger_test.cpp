// The stock ledger: idempotent appends, append-only enforcement, validation, streaming reads,
// transactions.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <vector>

#include "store_fixture.h"

// Designated initializers below leave the fields they do not name at their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace stockcast::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<Movement> SampleBatch() {
  std::vector<Movement> batch = {
      MakeMovement("po-1", MovementType::kReceipt, "A", "W1", "2024-01-02", 50, 3600),
      MakeMovement("ord-1:1", MovementType::kSale, "A", "W1", "2024-01-03", 2, 7200),
      MakeMovement("ord-2:1", MovementType::kSale, "B", "W1", "2024-01-01", 1, 100),
      MakeMovement("ret-1", MovementType::kReturn, "A", "W1", "2024-01-03", 1, 60),
      MakeMovement("adj-1", MovementType::kAdjustment, "A", "W2", "2024-01-04", -3),
  };
  batch[0].unit_price = 4.25;
  batch[0].reference = "PO-77";
  batch[0].actor = "import:receipts.csv";
  batch[0].source = "receipts.csv:2";
  return batch;
}

std::vector<std::string> Keys(Store& store, const MovementFilter& filter = {}) {
  std::vector<std::string> keys;
  Status status =
      store.ForEachMovement(filter, [&](const Movement& m) { keys.push_back(m.idempotency_key); });
  EXPECT_TRUE(status.ok()) << Describe(status.error());
  return keys;
}

class LedgerTest : public StoreTest {};
STOCKCAST_STORE_BACKENDS(LedgerTest);

TEST_P(LedgerTest, AppendingTheSameBatchTwiceInsertsNothingTheSecondTime) {
  const std::vector<Movement> batch = SampleBatch();
  auto first = store_->AppendMovements(batch);
  ASSERT_TRUE(first.ok()) << Describe(first.error());
  EXPECT_EQ(first->inserted, 5);
  EXPECT_EQ(first->already_present, 0);

  auto second = store_->AppendMovements(batch);
  ASSERT_TRUE(second.ok()) << Describe(second.error());
  EXPECT_EQ(second->inserted, 0);
  EXPECT_EQ(second->already_present, 5);
  EXPECT_EQ(*store_->CountMovements(), 5);

  // A mixed batch: one old key, one new, and a key repeated inside the batch.
  std::vector<Movement> mixed = {
      batch[1],
      MakeMovement("ord-3:1", MovementType::kSale, "A", "W1", "2024-01-05", 1),
      MakeMovement("ord-3:1", MovementType::kSale, "A", "W1", "2024-01-05", 1),
  };
  auto third = store_->AppendMovements(mixed);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->inserted, 1);
  EXPECT_EQ(third->already_present, 2);
  EXPECT_EQ(*store_->CountMovements(), 6);
}

TEST_P(LedgerTest, MovementsRoundTripInDateSecondsIdOrder) {
  ASSERT_TRUE(store_->AppendMovements(SampleBatch()).ok());
  std::vector<Movement> seen;
  ASSERT_TRUE(store_->ForEachMovement({}, [&](const Movement& m) { seen.push_back(m); }).ok());
  ASSERT_EQ(seen.size(), 5u);
  std::vector<std::string> keys;
  for (const Movement& m : seen) keys.push_back(m.idempotency_key);
  EXPECT_THAT(keys, ElementsAre("ord-2:1", "po-1", "ret-1", "ord-1:1", "adj-1"));

  const Movement& receipt = seen[1];
  EXPECT_EQ(receipt.type, MovementType::kReceipt);
  EXPECT_EQ(receipt.sku, "A");
  EXPECT_EQ(receipt.location, "W1");
  EXPECT_EQ(receipt.date, D("2024-01-02"));
  EXPECT_EQ(receipt.seconds, 3600);
  EXPECT_EQ(receipt.quantity, 50);
  EXPECT_EQ(receipt.unit_price, 4.25);
  EXPECT_EQ(receipt.reference, "PO-77");
  EXPECT_EQ(receipt.actor, "import:receipts.csv");
  EXPECT_EQ(receipt.source, "receipts.csv:2");
  EXPECT_EQ(seen[4].type, MovementType::kAdjustment);
  EXPECT_EQ(seen[4].quantity, -3);

  // Same date and second: insertion (id) order decides.
  std::vector<Movement> ties = {
      MakeMovement("tie-b", MovementType::kSale, "C", "W1", "2024-02-01", 1, 5),
      MakeMovement("tie-a", MovementType::kSale, "C", "W1", "2024-02-01", 1, 5),
  };
  ASSERT_TRUE(store_->AppendMovements(ties).ok());
  EXPECT_THAT(Keys(*store_, {.sku = "C"}), ElementsAre("tie-b", "tie-a"));
}

TEST_P(LedgerTest, ForEachMovementFilters) {
  ASSERT_TRUE(store_->AppendMovements(SampleBatch()).ok());
  EXPECT_THAT(Keys(*store_, {.types = {MovementType::kSale}}), ElementsAre("ord-2:1", "ord-1:1"));
  EXPECT_THAT(Keys(*store_, {.types = {MovementType::kSale, MovementType::kReturn}}),
              ElementsAre("ord-2:1", "ret-1", "ord-1:1"));
  EXPECT_THAT(Keys(*store_, {.from = D("2024-01-02"), .to = D("2024-01-03")}),
              ElementsAre("po-1", "ret-1", "ord-1:1"));
  EXPECT_THAT(Keys(*store_, {.sku = "A", .location = "W1"}),
              ElementsAre("po-1", "ret-1", "ord-1:1"));
  EXPECT_THAT(Keys(*store_, {.location = "W2"}), ElementsAre("adj-1"));
  EXPECT_THAT(Keys(*store_, {.sku = "nope"}), ElementsAre());
}

TEST_P(LedgerTest, TheLedgerIsAppendOnly) {
  ASSERT_TRUE(store_->AppendMovements(SampleBatch()).ok());
  if (!is_postgres()) {
    RawDb raw(path_);
    std::string error;
    EXPECT_EQ(
        raw.Exec("UPDATE stock_ledger SET quantity = 999 WHERE idempotency_key = 'po-1'", &error),
        SQLITE_CONSTRAINT);
    EXPECT_THAT(error, HasSubstr("stock_ledger is append-only"));
    EXPECT_EQ(raw.Exec("DELETE FROM stock_ledger", &error), SQLITE_CONSTRAINT);
    EXPECT_THAT(error, HasSubstr("stock_ledger is append-only"));
    EXPECT_EQ(raw.QueryText("SELECT quantity FROM stock_ledger WHERE idempotency_key = 'po-1'"),
              "50.0");
    EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM stock_ledger"), "5");
    return;
  }
  // PostgreSQL: UPDATE, DELETE and TRUNCATE are refused by the table's trigger.
  EXPECT_THAT(RawExec("UPDATE stock_ledger SET quantity = 999 WHERE idempotency_key = 'po-1'"),
              HasSubstr("stock_ledger is append-only"));
  EXPECT_THAT(RawExec("DELETE FROM stock_ledger"), HasSubstr("stock_ledger is append-only"));
  EXPECT_THAT(RawExec("TRUNCATE stock_ledger"), HasSubstr("stock_ledger is append-only"));
  EXPECT_EQ(RawQueryText("SELECT quantity FROM stock_ledger WHERE idempotency_key = 'po-1'"), "50");
  EXPECT_EQ(RawQueryText("SELECT COUNT(*) FROM stock_ledger"), "5");
}

struct BadMovementCase {
  const char* name;
  void (*mutate)(Movement&);
  const char* message;
};

class BadMovementTest
    : public StoreTestBase,
      public ::testing::WithParamInterface<std::tuple<Backend, BadMovementCase>> {
 protected:
  void SetUp() override { OpenBackend(std::get<0>(GetParam())); }
};

TEST_P(BadMovementTest, IsRejectedWithTheIndexFieldAndRuleAndNothingIsWritten) {
  std::vector<Movement> batch = SampleBatch();
  const BadMovementCase& bad = std::get<1>(GetParam());
  bad.mutate(batch[3]);
  auto result = store_->AppendMovements(batch);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().message, bad.message);
  EXPECT_EQ(*store_->CountMovements(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Ledger, BadMovementTest,
    ::testing::Combine(
        ::testing::Values(Backend::kSqlite, Backend::kPostgres),
        ::testing::Values(
        BadMovementCase{"negative_sale",
                        [](Movement& m) {
                          m.type = MovementType::kSale;
                          m.quantity = -2;
                        },
                        "movements[3].quantity = -2; must be > 0 for type sale"},
        BadMovementCase{"zero_return", [](Movement& m) { m.quantity = 0; },
                        "movements[3].quantity = 0; must be > 0 for type return"},
        BadMovementCase{"zero_adjustment",
                        [](Movement& m) {
                          m.type = MovementType::kAdjustment;
                          m.quantity = 0;
                        },
                        "movements[3].quantity = 0; must be != 0 for type adjustment"},
        BadMovementCase{"nan_quantity", [](Movement& m) { m.quantity = std::nan(""); },
                        "movements[3].quantity = nan; must be a finite number"},
        BadMovementCase{"empty_key", [](Movement& m) { m.idempotency_key.clear(); },
                        "movements[3].idempotency_key is empty; must be set"},
        BadMovementCase{"empty_sku", [](Movement& m) { m.sku.clear(); },
                        "movements[3].sku is empty; must be set"},
        BadMovementCase{"empty_location", [](Movement& m) { m.location.clear(); },
                        "movements[3].location is empty; must be set"},
        BadMovementCase{"bad_seconds", [](Movement& m) { m.seconds = 86400; },
                        "movements[3].seconds = 86400; must be in [0, 86399]"},
        BadMovementCase{"negative_price", [](Movement& m) { m.unit_price = -1; },
                        "movements[3].unit_price = -1; must be a finite number >= 0"})),
    [](const ::testing::TestParamInfo<std::tuple<Backend, BadMovementCase>>& p) {
      return std::string(std::get<1>(p.param).name) + "_" + BackendName(std::get<0>(p.param));
    });

TEST_P(LedgerTest, AdjustmentsMayBeNegative) {
  std::vector<Movement> batch = {
      MakeMovement("w/o", MovementType::kAdjustment, "A", "W1", "2024-01-01", -2.5)};
  auto result = store_->AppendMovements(batch);
  ASSERT_TRUE(result.ok()) << Describe(result.error());
  EXPECT_EQ(result->inserted, 1);
}

TEST_P(LedgerTest, AFailedTransactionLeavesNothing) {
  Status status = store_->WithTransaction([&]() -> Status {
    SC_RETURN_IF_ERROR(store_->AppendMovements(SampleBatch()).status());
    Product p{.sku = "A", .name = "Widget"};
    SC_RETURN_IF_ERROR(store_->UpsertProducts({&p, 1}));
    StockSnapshot s{.date = D("2024-01-01"), .sku = "A", .location = "W1", .on_hand = 5};
    SC_RETURN_IF_ERROR(store_->UpsertSnapshots({&s, 1}));
    EXPECT_EQ(*store_->CountMovements(), 5);  // visible inside the transaction
    return Error::Conflict("stop here");
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "stop here");
  EXPECT_EQ(*store_->CountMovements(), 0);
  EXPECT_TRUE(store_->ListProducts()->empty());
  EXPECT_TRUE(store_->ListSnapshots()->empty());
  // The store is usable afterwards.
  ASSERT_TRUE(store_->AppendMovements(SampleBatch()).ok());
  EXPECT_EQ(*store_->CountMovements(), 5);
}

TEST_P(LedgerTest, ASuccessfulTransactionCommitsEverything) {
  Status status = store_->WithTransaction([&]() -> Status {
    SC_RETURN_IF_ERROR(store_->AppendMovements(SampleBatch()).status());
    Location l{.id = "W1", .name = "Main", .capacity_units = 1000};
    return store_->UpsertLocations({&l, 1});
  });
  ASSERT_TRUE(status.ok()) << Describe(status.error());
  store_.reset();
  auto reopened = Reopen();
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*(*reopened)->CountMovements(), 5);
  EXPECT_EQ((*reopened)->ListLocations()->size(), 1u);
}

TEST_P(LedgerTest, AnInvalidBatchInsideATransactionRollsBackOnlyWhenTheBodyFails) {
  Status status = store_->WithTransaction([&]() -> Status {
    SC_RETURN_IF_ERROR(store_->AppendMovements(SampleBatch()).status());
    std::vector<Movement> bad = {
        MakeMovement("x", MovementType::kSale, "A", "W1", "2024-01-01", -1)};
    EXPECT_FALSE(store_->AppendMovements(bad).ok());
    return Status::Ok();  // the caller chose to carry on
  });
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*store_->CountMovements(), 5);
}

TEST_P(LedgerTest, WithTransactionIsNotReentrant) {
  Status inner_status;
  Status status = store_->WithTransaction([&]() -> Status {
    inner_status = store_->WithTransaction([] { return Status::Ok(); });
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok());
  ASSERT_FALSE(inner_status.ok());
  EXPECT_THAT(inner_status.error().message, HasSubstr("not reentrant"));
}

// SQLite only: PostgreSQL writers queue on row locks instead.
TEST_F(SqliteStoreTest, ABusyDatabaseIsReportedAsUnavailable) {
  auto other = OpenSqliteStore(path_, {.busy_timeout_ms = 50});
  ASSERT_TRUE(other.ok());
  Status inner;
  Status status = store_->WithTransaction([&]() -> Status {
    SC_RETURN_IF_ERROR(store_->AppendMovements(SampleBatch()).status());
    inner = (*other)->AppendMovements(SampleBatch()).status();
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok());
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(inner.error().message,
            "sqlite: database is locked while appending movements (" + path_ + ")");
}

// Throughput of the hot path: one transaction, one reused statement.
TEST_P(LedgerTest, AppendsManyMovementsQuickly) {
#ifdef NDEBUG
  constexpr int kCount = 500000;
  // CPU seconds. The target is well under 3 s; the slack is for a shared, busy machine (the
  // append takes ~3.5 s of CPU at a load average of 5 on 2 cores).
  constexpr double kLimitSeconds = 6.0;
#else
  constexpr int kCount = 10000;  // sanitizer builds are far slower: correctness only
  constexpr double kLimitSeconds = 1e9;
#endif
  std::vector<Movement> batch;
  batch.reserve(kCount);
  const Date start = D("2023-01-01");
  for (int i = 0; i < kCount; ++i) {
    // Distinct order ids out of order, as in a real export (i -> i * k mod p is one-to-one).
    const uint64_t order = (static_cast<uint64_t>(i) * 2654435761ull) % 1000003ull;
    Movement m;
    m.idempotency_key = fmt::format("orders.csv:{}:{}", order, i % 3);
    m.type = MovementType::kSale;
    m.sku = fmt::format("SKU-{:05}", order % 5000);
    m.location = i % 4 == 0 ? "WH-EAST" : "WH-WEST";
    m.date = start + static_cast<int32_t>(order % 730);
    m.seconds = static_cast<int32_t>(order % 86400);
    m.quantity = 1 + i % 5;
    m.unit_price = 9.99;
    m.reference = fmt::format("ORD{}", order);
    m.actor = "import:orders.csv";
    m.source = fmt::format("orders.csv:{}", i + 2);
    batch.push_back(std::move(m));
  }
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t cpu0 = std::clock();
  auto stats = store_->AppendMovements(batch);
  const double cpu_seconds = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(stats.ok()) << Describe(stats.error());
  // CPU time is the fairer figure on a shared machine; wall time includes the fsyncs.
  std::printf("[ perf     ] appended %d movements in %.3f s wall, %.3f s CPU (%.0f/s)\n", kCount,
              seconds, cpu_seconds, kCount / seconds);
  EXPECT_EQ(stats->inserted, kCount);
  EXPECT_EQ(stats->already_present, 0);
  EXPECT_EQ(*store_->CountMovements(), kCount);
  EXPECT_LT(cpu_seconds, kLimitSeconds);
}

}  // namespace
}  // namespace stockcast::testing

namespace stockcast::testing {
namespace {

class PostMovementsTest : public StoreTest {};
STOCKCAST_STORE_BACKENDS(PostMovementsTest);

// The API's write refuses a batch that takes a series below zero, unless backorders are allowed.
TEST_P(PostMovementsTest, NegativeStockIsRefusedUnlessBackordersAreAllowed) {
  Product a;
  a.sku = "A";
  Product b;
  b.sku = "B";
  b.allow_backorder = true;
  ASSERT_TRUE(store_->UpsertProducts(std::vector<Product>{a, b}).ok());
  StockSnapshot snap;
  snap.date = *Date::Parse("2024-01-01");
  snap.sku = "A";
  snap.location = "W1";
  snap.on_hand = 5;
  ASSERT_TRUE(store_->UpsertSnapshots(std::vector<StockSnapshot>{snap}).ok());
  // 5 counted on 2024-01-01; a sale dated that day is already in the count.
  const std::vector<Movement> ok = {
      MakeMovement("s1", MovementType::kSale, "A", "W1", "2024-01-02", 3),
      MakeMovement("s2", MovementType::kSale, "A", "W1", "2024-01-02", 2)};
  auto posted = store_->PostMovements(ok);
  ASSERT_TRUE(posted.ok()) << posted.error().message;
  EXPECT_EQ(posted->inserted, 2);
  // One more unit is refused, with the whole batch (the receipt for W2 too).
  const std::vector<Movement> over = {
      MakeMovement("r9", MovementType::kReceipt, "A", "W2", "2024-01-03", 10),
      MakeMovement("s3", MovementType::kSale, "A", "W1", "2024-01-03", 1)};
  auto refused = store_->PostMovements(over);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("movements[1] (sale of 1 A at W1, key \"s3\") would take "
                                         "on hand to -1; A does not allow backorders"),
            std::string::npos)
      << refused.error().message;
  EXPECT_EQ(*store_->CountMovements(), 2) << "nothing of the refused batch applied";
  // A retry of an applied movement does not count against the balance.
  auto retry = store_->PostMovements(ok);
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_EQ(retry->already_present, 2);
  // B allows backorders: it may go below zero.
  auto back = store_->PostMovements(
      std::vector<Movement>{MakeMovement("b1", MovementType::kSale, "B", "W1", "2024-01-03", 4)});
  ASSERT_TRUE(back.ok()) << back.error().message;
  // The stock levels PostMovements keeps are those a full rebuild computes (a sale dated on the
  // snapshot day is in the count; after it, it is not).
  ASSERT_TRUE(store_->PostMovements(std::vector<Movement>{
      MakeMovement("r2", MovementType::kReceipt, "A", "W1", "2024-01-01", 9),
      MakeMovement("r3", MovementType::kReceipt, "A", "W3", "2024-01-05", 2)}).ok());
  auto kept = store_->ListStockLevels();
  ASSERT_TRUE(kept.ok());
  ASSERT_TRUE(store_->RebuildStockLevels().ok());
  auto rebuilt = store_->ListStockLevels();
  ASSERT_TRUE(rebuilt.ok());
  ASSERT_EQ(kept->size(), rebuilt->size());
  for (size_t i = 0; i < kept->size(); ++i) {
    EXPECT_EQ((*kept)[i].sku, (*rebuilt)[i].sku);
    EXPECT_EQ((*kept)[i].location, (*rebuilt)[i].location);
    EXPECT_DOUBLE_EQ((*kept)[i].on_hand, (*rebuilt)[i].on_hand)
        << (*kept)[i].sku << "@" << (*kept)[i].location;
  }
  // History imports (AppendMovements) are not checked: recorded sales happened.
  EXPECT_TRUE(store_->AppendMovements(std::vector<Movement>{
      MakeMovement("h1", MovementType::kSale, "A", "W1", "2024-01-04", 7)}).ok());
}

}  // namespace
}  // namespace stockcast::testing
