#pragma once
// Private to the store module: the versioned SQLite schema.
//
// The schema is an ordered list of migrations compiled into the build. Each one is applied in
// its own transaction together with its row in schema_migrations(version, applied_at), and
// PRAGMA user_version mirrors the highest applied version, so a database is always at exactly
// one version and opening it again applies nothing.
#include <span>
#include <string_view>

#include "stockcast/core/error.h"
#include "store/sqlite_store.h"

namespace stockcast::sqlite {

struct Migration {
  int version = 0;        // 1, 2, 3, ... without gaps
  std::string_view name;  // short description, used in error messages
  std::string_view sql;   // one or more statements
};

// The schema history of this build, oldest first.
std::span<const Migration> Migrations();
// Version of the newest migration in this build.
int LatestSchemaVersion();

// The version recorded in `db`: 0 for a new, empty database. Refuses a database that is not
// stockcast's (it has tables but no schema_migrations table).
Result<int> ReadSchemaVersion(Connection& db);

// Applies every migration of `migrations` newer than the database's version, oldest first,
// each in its own transaction, and returns the resulting version. A database newer than the
// last migration is refused ("<path>: database schema version N is newer than this build
// supports (M); upgrade stockcast"). A failing migration is rolled back; the ones before it
// stay applied.
Result<int> Migrate(Connection& db, std::span<const Migration> migrations);

}  // namespace stockcast::sqlite
