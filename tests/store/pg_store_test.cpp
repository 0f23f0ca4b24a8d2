// What only the PostgreSQL store has: its URL handling, connection errors, the migration lock,
// the schema checks and the server-side append-only triggers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "store_fixture.h"
#ifdef STOCKCAST_TEST_HAVE_PQXX
#include "store/pg/pg_util.h"
#endif

namespace stockcast::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

#ifdef STOCKCAST_TEST_HAVE_PQXX  // pg_util is built with the PostgreSQL store only
TEST(PgUrl, PathDropsThePasswordAndKeepsTheRest) {
  auto a = pg::ParseUrl("postgresql://ana:s3cret@db.example:6543/stock?options=-csearch_path%3Dx");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->redacted, "postgresql://ana@db.example:6543/stock?options=-csearch_path%3Dx");
  EXPECT_EQ(a->host, "db.example");
  EXPECT_EQ(a->port, "6543");
  auto b = pg::ParseUrl("postgres://localhost/db?password=hunter2&sslmode=disable");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->redacted, "postgres://localhost/db?sslmode=disable");
  EXPECT_EQ(b->port, "");
  auto c = pg::ParseUrl("postgresql://[::1]:5433/db");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, "5433");
  EXPECT_FALSE(pg::ParseUrl("stockcast.db").has_value());
}

TEST(PgValues, DoublesRoundTripThroughTheirTextForm) {
  for (double v : {0.1, 1.0 / 3.0, 1e-300, 123456789.123456789, -2.5, 2.0000000000000004}) {
    EXPECT_EQ(pg::ParseDouble(pg::FormatDouble(v).c_str()), v) << pg::FormatDouble(v);
  }
  EXPECT_EQ(pg::FormatDouble(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_TRUE(std::isinf(pg::ParseDouble("-Infinity")));
  pg::ArrayLiteral array;
  array.Add("a\"b\\c");
  array.AddNull();
  array.Add("");
  EXPECT_EQ(array.Done(), R"({"a\"b\\c",NULL,""})");
}
#endif

TEST(PgOpen, AnUnreachableServerIsUnavailableAndNamesHostAndPort) {
  if (!PostgresStoreAvailable()) GTEST_SKIP() << "built without PostgreSQL";
  // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
  auto store = OpenPostgresStore("postgresql://nobody:pw@127.0.0.1:1/db?connect_timeout=5");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(store.error().message, HasSubstr("host 127.0.0.1 port 1"));
  EXPECT_THAT(store.error().message, Not(HasSubstr("pw")));
  auto bad = OpenPostgresStore("postgresql://127.0.0.1:1/db?no_such_option=1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument) << bad.error().message;
  EXPECT_EQ(OpenStore("postgres://127.0.0.1:notaport/db").error().code,
            ErrorCode::kInvalidArgument);
}

class PgStoreTest : public StoreTestBase {
 protected:
  void SetUp() override { OpenBackend(Backend::kPostgres); }
};

TEST_F(PgStoreTest, RecordsEveryMigrationAndRedactsThePath) {
  EXPECT_EQ(store_->schema_version(), 4);
  EXPECT_EQ(RawQueryText("SELECT COUNT(*) FROM schema_migrations"), "4");
  EXPECT_EQ(store_->path(), path_);  // the test URL has no password
  // Opening again applies nothing.
  auto again = Reopen();
  ASSERT_TRUE(again.ok()) << Describe(again.error());
  EXPECT_EQ((*again)->schema_version(), 4);
  EXPECT_EQ(RawQueryText("SELECT COUNT(*) FROM schema_migrations"), "4");
}

TEST_F(PgStoreTest, StoresStartingTogetherMigrateOnce) {
  const std::string schema = schema_ + "_race";
  ASSERT_EQ(RawPg("CREATE SCHEMA " + schema), "");
  std::vector<std::thread> threads;
  std::vector<Status> results(6);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      auto store = OpenStore(SchemaUrl(schema));
      results[i] = store.ok() ? Status::Ok() : Status(store.error());
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << Describe(s.error());
  std::string count;
  RawPg("SELECT COUNT(*) FROM " + schema + ".schema_migrations", &count);
  EXPECT_EQ(count, "4");
  RawPg("DROP SCHEMA " + schema + " CASCADE");
}

TEST_F(PgStoreTest, RefusesANewerSchemaAndAForeignOne) {
  ASSERT_EQ(RawExec("INSERT INTO schema_migrations VALUES (99, 'later')"), "");
  auto newer = Reopen();
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.error().code, ErrorCode::kConflict);
  EXPECT_THAT(newer.error().message, HasSubstr("schema version 99 is newer than this build"));

  const std::string foreign = schema_ + "_foreign";
  ASSERT_EQ(RawPg("CREATE SCHEMA " + foreign + "; CREATE TABLE " + foreign + ".t (x int)"), "");
  auto other = OpenStore(SchemaUrl(foreign));
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(other.error().message, HasSubstr("not a stockcast database"));
  auto missing = OpenStore(SchemaUrl(schema_ + "_missing"));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("no schema of search_path exists"));
  RawPg("DROP SCHEMA " + foreign + " CASCADE");
}

TEST_F(PgStoreTest, AWriterHeldUpPastTheBusyTimeoutIsUnavailable) {
  auto other = Reopen({.busy_timeout_ms = 50});
  ASSERT_TRUE(other.ok()) << Describe(other.error());
  const std::vector<Movement> first = {
      MakeMovement("a", MovementType::kReceipt, "A", "W1", "2024-01-01", 5)};
  const std::vector<Movement> second = {
      MakeMovement("b", MovementType::kReceipt, "A", "W1", "2024-01-01", 5)};
  ASSERT_TRUE(store_->PostMovements(first).ok());  // the series' stock level exists
  Status inner;
  Status status = store_->WithTransaction([&]() -> Status {
    SC_RETURN_IF_ERROR(store_->PostMovements(second).status());  // holds A/W1's row lock
    inner = (*other)->PostMovements(std::vector<Movement>{
        MakeMovement("c", MovementType::kSale, "A", "W1", "2024-01-02", 1)}).status();
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << Describe(status.error());
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(inner.error().message, HasSubstr("lock timeout"));
  EXPECT_THAT(inner.error().message, HasSubstr("posting movements"));
  EXPECT_EQ(*store_->CountMovements(), 2);
}

TEST_F(PgStoreTest, TheAuditLogIsAppendOnly) {
  AuditRecord a;
  a.actor = "cli";
  a.action = "token create";
  a.status = 200;
  ASSERT_TRUE(store_->AppendAudit(a).ok());
  EXPECT_THAT(RawExec("UPDATE audit_log SET status = 500"), HasSubstr("audit_log is append-only"));
  EXPECT_THAT(RawExec("DELETE FROM audit_log"), HasSubstr("audit_log is append-only"));
  EXPECT_THAT(RawExec("TRUNCATE audit_log"), HasSubstr("audit_log is append-only"));
  EXPECT_EQ(RawQueryText("SELECT COUNT(*) FROM audit_log"), "1");
}

TEST_F(PgStoreTest, OnlyOneLiveAlertPerKeyIsAConflict) {
  AlertRecord a;
  a.key = "stockout|A|W1";
  a.type = "stockout";
  a.sku = "A";
  a.location = "W1";
  a.level = a.first_level = "high";
  a.status = "open";
  a.first_seen = a.last_seen = D("2024-03-01");
  ASSERT_TRUE(store_->SaveAlerts(std::vector<AlertRecord>{a}).ok());
  auto dup = store_->SaveAlerts(std::vector<AlertRecord>{a});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_THAT(dup.error().message, HasSubstr("saving alerts[0]"));
}

}  // namespace
}  // namespace stockcast::testing
