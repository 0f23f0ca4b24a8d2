// Opening a store: schema migrations, version checks, refusal of foreign files, pragmas.
#include "store/migrations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store_fixture.h"

// Designated initializers below leave the fields they do not name at their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace stockcast::testing {
namespace {

using ::testing::HasSubstr;

// A fresh temp dir, removed when the test ends (also when an assertion returns early).
struct ScopedDir {
  std::filesystem::path path = TempDir("store-migrations");
  ~ScopedDir() { std::filesystem::remove_all(path); }
  std::filesystem::path operator/(const char* name) const { return path / name; }
  std::string string() const { return path.string(); }
};

TEST(StoreOpen, CreatesTheSchemaAndRecordsEveryMigration) {
  const ScopedDir dir;
  const std::string path = (dir / "new.db").string();
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok()) << Describe(store.error());
  EXPECT_EQ((*store)->schema_version(), sqlite::LatestSchemaVersion());
  EXPECT_EQ((*store)->path(), path);
  store->reset();

  RawDb raw(path);
  EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(sqlite::Migrations().size()));
  EXPECT_EQ(raw.QueryText("SELECT MAX(version) FROM schema_migrations"),
            std::to_string(sqlite::LatestSchemaVersion()));
  EXPECT_EQ(raw.QueryText("PRAGMA user_version"), std::to_string(sqlite::LatestSchemaVersion()));
  EXPECT_EQ(raw.QueryText("SELECT applied_at FROM schema_migrations WHERE version = 1").size(),
            20u);  // "YYYY-MM-DDTHH:MM:SSZ"
  for (const char* table :
       {"products", "locations", "suppliers", "stock_ledger", "stock_snapshots", "purchase_orders",
        "cart_daily", "promotions", "sales_daily", "stock_levels", "runs", "forecasts", "plans"}) {
    EXPECT_EQ(raw.QueryText(std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = "
                                        "'table' AND name = '") +
                            table + "'"),
              "1")
        << table;
  }
}

TEST(StoreOpen, OpeningTwiceAppliesNothing) {
  const ScopedDir dir;
  const std::string path = (dir / "twice.db").string();
  ASSERT_TRUE(OpenSqliteStore(path).ok());
  std::string first_applied;
  {
    RawDb raw(path);
    first_applied = raw.QueryText(
        "SELECT group_concat(version || '@' || applied_at) FROM "
        "schema_migrations");
    // Mark the database: a re-run migration 1 would fail ("table exists") or wipe data.
    ASSERT_EQ(raw.Exec("INSERT INTO products (sku) VALUES ('marker')"), SQLITE_OK);
  }
  auto again = OpenSqliteStore(path);
  ASSERT_TRUE(again.ok()) << Describe(again.error());
  EXPECT_EQ((*again)->schema_version(), sqlite::LatestSchemaVersion());
  auto products = (*again)->ListProducts();
  ASSERT_TRUE(products.ok());
  ASSERT_EQ(products->size(), 1u);
  EXPECT_EQ((*products)[0].sku, "marker");
  again->reset();
  RawDb raw(path);
  EXPECT_EQ(raw.QueryText("SELECT group_concat(version || '@' || applied_at) FROM "
                          "schema_migrations"),
            first_applied);
}

TEST(StoreOpen, SetsWalJournalModeAndForecastsCascadeWithTheirRun) {
  const ScopedDir dir;
  const std::string path = (dir / "pragmas.db").string();
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok());
  {
    RawDb raw(path);
    // journal_mode=WAL is persistent in the file, so a second connection sees it.
    EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "wal");
  }
  // forecasts.run_id references runs(id) ON DELETE CASCADE.
  auto run = (*store)->StartRun("forecast", "{}");
  ASSERT_TRUE(run.ok());
  ForecastRow row{.sku = "A",
                  .location = "W1",
                  .step = 1,
                  .date = D("2024-01-01"),
                  .mean = 1,
                  .quantiles = {{0.5, 1.0}},
                  .model = "naive"};
  ASSERT_TRUE((*store)->SaveForecasts(*run, {&row, 1}).ok());
  store->reset();
  RawDb raw(path);
  ASSERT_EQ(raw.Exec("PRAGMA foreign_keys = ON; DELETE FROM runs"), SQLITE_OK);
  EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM forecasts"), "0");  // ON DELETE CASCADE
}

TEST(StoreOpen, RefusesANewerSchemaVersionInUserVersion) {
  const ScopedDir dir;
  const std::string path = (dir / "newer.db").string();
  ASSERT_TRUE(OpenSqliteStore(path).ok());
  const int newer = sqlite::LatestSchemaVersion() + 1;
  {
    RawDb raw(path);
    ASSERT_EQ(raw.Exec("PRAGMA user_version = " + std::to_string(newer)), SQLITE_OK);
  }
  auto store = OpenSqliteStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store.error().message, path + ": database schema version " + std::to_string(newer) +
                                       " is newer than this build supports (" +
                                       std::to_string(sqlite::LatestSchemaVersion()) +
                                       "); upgrade stockcast");
}

TEST(StoreOpen, RefusesANewerSchemaVersionInSchemaMigrations) {
  const ScopedDir dir;
  const std::string path = (dir / "newer2.db").string();
  ASSERT_TRUE(OpenSqliteStore(path).ok());
  const int newer = sqlite::LatestSchemaVersion() + 5;
  {
    RawDb raw(path);
    ASSERT_EQ(raw.Exec("INSERT INTO schema_migrations VALUES (" + std::to_string(newer) +
                       ", '2030-01-01T00:00:00Z')"),
              SQLITE_OK);
  }
  auto store = OpenSqliteStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.error().message,
              HasSubstr("database schema version " + std::to_string(newer) + " is newer"));
}

TEST(StoreOpen, RefusesAFileThatIsNotSqlite) {
  const ScopedDir dir;
  const std::string path = WriteFile(dir / "orders.csv", "order_id,sku,quantity\n1,A,2\n");
  auto store = OpenSqliteStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(store.error().message, HasSubstr(path + ": not a stockcast database"));
  // The file is left as it was.
  EXPECT_EQ(ReadFile(path), "order_id,sku,quantity\n1,A,2\n");
}

TEST(StoreOpen, RefusesAnotherApplicationsSqliteDatabase) {
  const ScopedDir dir;
  const std::string path = (dir / "other.db").string();
  {
    RawDb raw(path);
    ASSERT_EQ(raw.Exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)"), SQLITE_OK);
  }
  auto store = OpenSqliteStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().message,
            path + ": not a stockcast database (it has 1 table but no schema_migrations table)");
  // Untouched: no stockcast tables, journal mode unchanged.
  RawDb raw(path);
  EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM sqlite_master"), "1");
  EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "delete");
}

TEST(StoreOpen, AcceptsAnEmptyFileAsANewStore) {
  const ScopedDir dir;
  const std::string path = WriteFile(dir / "empty.db", "");
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok()) << Describe(store.error());
  EXPECT_EQ((*store)->schema_version(), sqlite::LatestSchemaVersion());
}

TEST(StoreOpen, RefusesADirectoryAndAMissingReadOnlyStore) {
  const ScopedDir dir;
  auto as_dir = OpenSqliteStore(dir.string());
  ASSERT_FALSE(as_dir.ok());
  EXPECT_THAT(as_dir.error().message, HasSubstr("is a directory"));

  const std::string missing = (dir / "missing.db").string();
  auto read_only = OpenSqliteStore(missing, {.read_only = true});
  ASSERT_FALSE(read_only.ok());
  EXPECT_EQ(read_only.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(missing));

  auto bad_timeout = OpenSqliteStore(missing, {.busy_timeout_ms = -1});
  ASSERT_FALSE(bad_timeout.ok());
  EXPECT_EQ(bad_timeout.error().message, "StoreOptions::busy_timeout_ms = -1; must be >= 0");

  auto no_dir = OpenSqliteStore((dir / "no" / "such" / "dir.db").string());
  ASSERT_FALSE(no_dir.ok());
  EXPECT_THAT(no_dir.error().message, HasSubstr("while opening the store"));
}

TEST(StoreOpen, ReadOnlyStoreReadsButRefusesWrites) {
  const ScopedDir dir;
  const std::string path = (dir / "ro.db").string();
  {
    auto store = OpenSqliteStore(path);
    ASSERT_TRUE(store.ok());
    Product p{.sku = "A"};
    ASSERT_TRUE((*store)->UpsertProducts({&p, 1}).ok());
  }
  auto store = OpenSqliteStore(path, {.read_only = true});
  ASSERT_TRUE(store.ok()) << Describe(store.error());
  auto products = (*store)->ListProducts();
  ASSERT_TRUE(products.ok()) << Describe(products.error());
  EXPECT_EQ(products->size(), 1u);
  Product p{.sku = "B"};
  Status write = (*store)->UpsertProducts({&p, 1});
  ASSERT_FALSE(write.ok());
  EXPECT_THAT(write.error().message, HasSubstr("opened read-only"));
}

// The migration runner, on a list of test migrations.
class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = sqlite::Connection::Open((dir_ / "m.db").string(),
                                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
  }
  void TearDown() override { db_.Close(); }
  std::string Query(const char* sql) {
    auto v = db_.QueryInt(sql, "test");
    return v.ok() ? std::to_string(*v) : Describe(v.error());
  }
  ScopedDir dir_;
  sqlite::Connection db_;
};

constexpr sqlite::Migration kFirst = {
    1, "first",
    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT);"
    "CREATE TABLE a (x INTEGER);"};
constexpr sqlite::Migration kSecond = {2, "second", "CREATE TABLE b (y INTEGER);"};
constexpr sqlite::Migration kBroken = {
    3, "broken", "CREATE TABLE c (z INTEGER); INSERT INTO no_such_table VALUES (1);"};

TEST_F(MigrateTest, AppliesOnlyPendingMigrationsInOrder) {
  const sqlite::Migration one[] = {kFirst};
  auto v1 = sqlite::Migrate(db_, one);
  ASSERT_TRUE(v1.ok()) << Describe(v1.error());
  EXPECT_EQ(*v1, 1);
  const sqlite::Migration two[] = {kFirst, kSecond};
  auto v2 = sqlite::Migrate(db_, two);
  ASSERT_TRUE(v2.ok()) << Describe(v2.error());
  EXPECT_EQ(*v2, 2);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM schema_migrations"), "2");
  EXPECT_EQ(Query("PRAGMA user_version"), "2");
  auto again = sqlite::Migrate(db_, two);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 2);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM schema_migrations"), "2");
}

TEST_F(MigrateTest, AFailingMigrationIsRolledBackAndEarlierOnesStay) {
  const sqlite::Migration all[] = {kFirst, kSecond, kBroken};
  auto v = sqlite::Migrate(db_, all);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.error().message, HasSubstr("no such table: no_such_table"));
  EXPECT_THAT(v.error().message, HasSubstr("while applying schema migration 3 (broken)"));
  EXPECT_EQ(Query("SELECT MAX(version) FROM schema_migrations"), "2");
  EXPECT_EQ(Query("PRAGMA user_version"), "2");
  // Table c was created by the failed migration's first statement and rolled back with it.
  EXPECT_EQ(Query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'c'"), "0");
  EXPECT_FALSE(db_.in_transaction());
}

TEST_F(MigrateTest, RefusesADatabaseNewerThanTheList) {
  const sqlite::Migration two[] = {kFirst, kSecond};
  ASSERT_TRUE(sqlite::Migrate(db_, two).ok());
  const sqlite::Migration one[] = {kFirst};
  auto v = sqlite::Migrate(db_, one);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.error().message,
              HasSubstr("database schema version 2 is newer than this build supports (1)"));
}

}  // namespace
}  // namespace stockcast::testing
