#pragma once
// The PostgreSQL store (libpqxx): the team option behind the same Store interface as SQLite.
// Built when libpqxx is found (CMake option STOCKCAST_WITH_POSTGRES); otherwise
// OpenPostgresStore returns Unavailable saying so.
#include <memory>
#include <string>

#include "stockcast/store/store.h"

namespace stockcast {

// Connects to `url` (a libpq URI: postgresql://user@host:port/db?options=...) and applies
// pending migrations (under an advisory lock, so servers starting together do not race).
// Errors: Unavailable when the server cannot be reached (the message names host and port),
// InvalidArgument for a malformed URL, Conflict for a schema newer than this build.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const StoreOptions& options = {});

// True when this build has the PostgreSQL store.
bool PostgresStoreAvailable();

}  // namespace stockcast
