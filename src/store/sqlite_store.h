#pragma once
// Private to the store module: a thin RAII layer over the sqlite3 C API, shared by the SQLite
// store (sqlite_store.cpp) and its schema migrations (migrations.cpp). Nothing outside src/store
// includes this file, so sqlite3.h never reaches a public header.
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"

namespace stockcast::sqlite {

// "sqlite: <sqlite message> while <what> (<path>)". SQLITE_BUSY / SQLITE_LOCKED (another
// connection holds the lock past the busy timeout) become Unavailable, anything else Internal.
Error MakeError(sqlite3* db, int rc, std::string_view what, const std::string& path);

// "YYYY-MM-DD" in a fixed buffer, so it can be bound without a copy while the buffer lives.
struct DateText {
  char text[16];
  size_t size = 0;
  std::string_view view() const { return {text, size}; }
};
DateText FormatDate(Date date);

// Current UTC time as ISO 8601 with seconds: "2024-05-01T12:34:56Z".
std::string UtcNowIso();

// One prepared statement. Move-only; finalized on destruction. Bind* indexes are 1-based,
// Column* indexes 0-based. A failed bind (only possible for values over SQLite's size limits)
// is remembered and reported by the next Step().
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(Statement&& other) noexcept : stmt_(other.stmt_), bind_rc_(other.bind_rc_) {
    other.stmt_ = nullptr;
  }
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  sqlite3_stmt* get() const { return stmt_; }

  // Binds without copying: `value` must stay alive until the statement is stepped.
  void BindText(int index, std::string_view value);
  // Binds a copy (for temporaries).
  void BindTextCopy(int index, std::string_view value);
  void BindInt(int index, int64_t value);
  // NaN is stored as NULL.
  void BindReal(int index, double value);
  void BindNull(int index);

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step();
  // Ready to run again: resets the statement and clears its bindings.
  void Reset();

  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int64_t ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }
  // NULL reads as NaN.
  double ColumnReal(int column) const;
  // NULL reads as "".
  std::string ColumnText(int column) const;
  std::string_view ColumnView(int column) const;

 private:
  void Remember(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }
  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = SQLITE_OK;
};

// Resets a statement when leaving scope, so a cached statement is ready for its next use even
// when the caller returns early.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& stmt) : stmt_(stmt) {}
  ~ResetOnExit() { stmt_.Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& stmt_;
};

// One connection. Move-only; closed on destruction.
class Connection {
 public:
  Connection() = default;
  ~Connection() { Close(); }
  Connection(Connection&& other) noexcept : db_(other.db_), path_(std::move(other.path_)) {
    other.db_ = nullptr;
  }
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // `flags` as for sqlite3_open_v2. Extended result codes are turned on.
  static Result<Connection> Open(const std::string& path, int flags);
  void Close();

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }
  bool in_transaction() const { return db_ != nullptr && sqlite3_get_autocommit(db_) == 0; }

  Error Fail(int rc, std::string_view what) const { return MakeError(db_, rc, what, path_); }
  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql, std::string_view what);
  Result<Statement> Prepare(std::string_view sql, std::string_view what, bool persistent = false);
  // Runs a query that returns one integer (NULL reads as 0).
  Result<int64_t> QueryInt(std::string_view sql, std::string_view what);

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace stockcast::sqlite
