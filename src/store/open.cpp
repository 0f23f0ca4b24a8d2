#include <fmt/format.h>

#include "stockcast/store/postgres.h"
#include "stockcast/store/store.h"

namespace stockcast {

bool IsPostgresUrl(const std::string& path_or_url) {
  return path_or_url.rfind("postgresql://", 0) == 0 || path_or_url.rfind("postgres://", 0) == 0;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& path_or_url,
                                         const StoreOptions& options) {
  if (IsPostgresUrl(path_or_url)) return OpenPostgresStore(path_or_url, options);
  return OpenSqliteStore(path_or_url, options);
}

#ifndef STOCKCAST_HAVE_POSTGRES
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const StoreOptions&) {
  return Error::Unavailable(fmt::format(
      "--db {}: this stockcast was built without PostgreSQL (install libpqxx-dev and rebuild "
      "with -DSTOCKCAST_WITH_POSTGRES=ON)",
      url));
}
bool PostgresStoreAvailable() { return false; }
#endif

}  // namespace stockcast
