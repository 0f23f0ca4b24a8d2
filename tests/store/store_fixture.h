#pragma once
// Helpers shared by the store suites: a fresh store of each back end, and raw access to what is
// behind it (a sqlite3 connection to the file, or a libpq connection to the schema).
//
// The store contract suites are value-parameterised over {sqlite, postgres}:
//   class LedgerTest : public StoreTest {};
//   TEST_P(LedgerTest, ...) { store_->... }
//   STOCKCAST_STORE_BACKENDS(LedgerTest);
// A PostgreSQL case gets its own schema (search_path set through the URL's options) in the
// server that tests/store/pg_harness.sh started for the ctest fixture `pg`; the URL comes from
// $STOCKCAST_TEST_PG_URL or the harness' state file. Without a server the PostgreSQL cases
// skip and say why, unless STOCKCAST_REQUIRE_ALL_TESTS=1 (then they fail).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <memory>
#include <string>
#include <tuple>

#include "stockcast/store/postgres.h"
#include "stockcast/store/store.h"
#include "test_util.h"

#ifdef STOCKCAST_TEST_HAVE_PQXX
#include <pqxx/pqxx>
#endif

namespace stockcast::testing {

inline Date D(const char* text) { return *Date::Parse(text); }

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(Backend backend) {
  return backend == Backend::kSqlite ? "sqlite" : "postgres";
}
// gtest prints the parameter by this (test names and ctest's list read "sqlite"/"postgres").
inline void PrintTo(Backend backend, std::ostream* os) { *os << BackendName(backend); }

// Where the PostgreSQL server for the tests is; "" with *why set when there is none.
inline std::string TestPostgresUrl(std::string* why) {
  if (const char* url = std::getenv("STOCKCAST_TEST_PG_URL"); url != nullptr && *url != '\0') {
    return url;
  }
#ifdef STOCKCAST_PG_STATE_DIR
  const std::filesystem::path state(STOCKCAST_PG_STATE_DIR);
  std::ifstream in(state / "url");
  std::string url;
  if (in && std::getline(in, url) && !url.empty()) return url;
  std::ifstream reason(state / "skip_reason");
  std::string text;
  if (reason && std::getline(reason, text)) {
    *why = "no PostgreSQL test server: " + text;
  } else {
    *why = "no PostgreSQL test server (" + state.string() +
           "/url is missing: run through ctest, which starts tests/store/pg_harness.sh, or set "
           "STOCKCAST_TEST_PG_URL)";
  }
#else
  *why = "no PostgreSQL test server (set STOCKCAST_TEST_PG_URL)";
#endif
  return "";
}

// A fresh store of one back end per test.
class StoreTestBase : public ::testing::Test {
 protected:
  // Opens the store under test; on a missing PostgreSQL server skips (or fails) the test.
  void OpenBackend(Backend backend) {
    backend_ = backend;
    if (backend == Backend::kSqlite) {
      dir_ = TempDir("store-test");
      path_ = (dir_ / "stockcast.db").string();
    } else {
      if (!PostgresStoreAvailable()) {
        const std::string why = "this stockcast was built without PostgreSQL (libpqxx)";
        if (RequireAllTests()) FAIL() << why << " and STOCKCAST_REQUIRE_ALL_TESTS=1";
        GTEST_SKIP() << why;
      }
      std::string why;
      base_url_ = TestPostgresUrl(&why);
      if (base_url_.empty()) {
        if (RequireAllTests()) FAIL() << why << " and STOCKCAST_REQUIRE_ALL_TESTS=1";
        GTEST_SKIP() << why;
      }
      static std::atomic<int> counter{0};
      schema_ = "t_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
      ASSERT_TRUE(RawPg("CREATE SCHEMA " + schema_).empty());
      path_ = SchemaUrl(schema_);
    }
    auto opened = OpenStore(path_);
    ASSERT_TRUE(opened.ok()) << Describe(opened.error());
    store_ = std::move(opened).value();
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    if (!schema_.empty()) RawPg("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }

  bool is_postgres() const { return backend_ == Backend::kPostgres; }
  // The base URL with search_path set to `schema`.
  std::string SchemaUrl(const std::string& schema) const {
    return base_url_ + (base_url_.find('?') == std::string::npos ? "?" : "&") +
           "options=-csearch_path%3D" + schema;
  }
  // Another store on the same database (another connection or file handle).
  Result<std::unique_ptr<Store>> Reopen(const StoreOptions& options = {}) const {
    return OpenStore(path_, options);
  }

  // Runs `sql` behind the store's back; "" on success, else the error message.
  std::string RawExec(const std::string& sql) {
    if (!is_postgres()) {
      sqlite3* db = nullptr;
      sqlite3_open(path_.c_str(), &db);
      char* message = nullptr;
      const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
      std::string error = rc == SQLITE_OK ? "" : (message ? message : "error");
      sqlite3_free(message);
      sqlite3_close(db);
      return error;
    }
    return RawPg("SET search_path TO " + schema_ + "; " + sql);
  }
  // First column of the first row as text ("" when none).
  std::string RawQueryText(const std::string& sql) {
    if (!is_postgres()) {
      sqlite3* db = nullptr;
      sqlite3_open(path_.c_str(), &db);
      sqlite3_stmt* stmt = nullptr;
      std::string out;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
        out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      }
      sqlite3_finalize(stmt);
      sqlite3_close(db);
      return out;
    }
    std::string out;
    RawPg("SET search_path TO " + schema_ + "; " + sql, &out);
    return out;
  }

  // Runs `sql` on the PostgreSQL test server (no schema set); "" on success, else the error.
  std::string RawPg(const std::string& sql, std::string* first_value = nullptr) {
#ifdef STOCKCAST_TEST_HAVE_PQXX
    try {
      pqxx::connection conn(base_url_);
      pqxx::nontransaction tx(conn);
      const pqxx::result r = tx.exec(sql);
      if (first_value && !r.empty() && r.columns() > 0 && !r[0][0].is_null()) {
        *first_value = r[0][0].c_str();
      }
      return "";
    } catch (const std::exception& e) {
      return e.what();
    }
#else
    (void)sql;
    (void)first_value;
    return "built without libpqxx";
#endif
  }

  Backend backend_ = Backend::kSqlite;
  std::filesystem::path dir_;
  std::string path_;  // SQLite file, or PostgreSQL URL with the test's search_path
  std::string base_url_;
  std::string schema_;
  std::unique_ptr<Store> store_;
};

// The store contract fixture: one instance per back end.
class StoreTest : public StoreTestBase, public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override { OpenBackend(GetParam()); }
};

#define STOCKCAST_STORE_BACKENDS(Suite)                                                    \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                               \
                           ::testing::Values(::stockcast::testing::Backend::kSqlite,      \
                                             ::stockcast::testing::Backend::kPostgres),   \
                           [](const ::testing::TestParamInfo<::stockcast::testing::Backend>& p) { \
                             return ::stockcast::testing::BackendName(p.param);           \
                           })

// SQLite only (tests of the file itself).
class SqliteStoreTest : public StoreTestBase {
 protected:
  void SetUp() override { OpenBackend(Backend::kSqlite); }
};

// A raw connection to a database file; fails the test on error.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Runs `sql`; returns the sqlite result code and the error message in *error.
  int Exec(const std::string& sql, std::string* error = nullptr) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (error) *error = message ? message : "";
    sqlite3_free(message);
    return rc;
  }
  // First column of the first row as text ("" when none).
  std::string QueryText(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  sqlite3* get() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

inline Movement MakeMovement(std::string key, MovementType type, std::string sku,
                             std::string location, const char* date, double quantity,
                             int32_t seconds = 0) {
  Movement m;
  m.idempotency_key = std::move(key);
  m.type = type;
  m.sku = std::move(sku);
  m.location = std::move(location);
  m.date = D(date);
  m.seconds = seconds;
  m.quantity = quantity;
  return m;
}

}  // namespace stockcast::testing
