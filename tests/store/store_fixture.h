#pragma once
// Helpers shared by the store suites: a fresh store in a temp dir and a raw sqlite3 connection
// for poking at the file behind the store's back.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <string>

#include "stockcast/store/store.h"
#include "test_util.h"

namespace stockcast::testing {

inline Date D(const char* text) { return *Date::Parse(text); }

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("store-test");
    path_ = (dir_ / "stockcast.db").string();
    auto opened = OpenSqliteStore(path_);
    ASSERT_TRUE(opened.ok()) << Describe(opened.error());
    store_ = std::move(opened).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
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
