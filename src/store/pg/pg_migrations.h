#pragma once
// Private to the PostgreSQL store: its versioned schema, the same migrations 1-4 as the SQLite
// store (src/store/migrations.cpp) translated to PostgreSQL types.
//
// Translation: REAL -> double precision; INTEGER PRIMARY KEY AUTOINCREMENT -> bigint identity;
// dates -> date (sent and read as 'YYYY-MM-DD', DateStyle ISO); timestamps stay text in ISO 8601
// UTC ("2024-05-01T12:34:56Z", "" = not yet), so they round-trip exactly as the interface gives
// them. The append-only triggers refuse UPDATE, DELETE and TRUNCATE.
#include <span>
#include <string_view>

namespace stockcast::pg {

struct PgMigration {
  int version = 0;
  std::string_view name;
  std::string_view sql;
};

std::span<const PgMigration> PgMigrations();

// Key of the advisory lock held while migrating (pg_advisory_xact_lock), so servers that start
// together apply each migration once.
inline constexpr long long kMigrationLockKey = 421000;

}  // namespace stockcast::pg
