// PostgreSQL store: to be written (issue 6, part B).
#include <fmt/format.h>

#include "stockcast/store/postgres.h"

namespace stockcast {

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const StoreOptions&) {
  return Error::Unavailable(fmt::format("--db {}: the PostgreSQL store is not written yet", url));
}
bool PostgresStoreAvailable() { return false; }

}  // namespace stockcast
