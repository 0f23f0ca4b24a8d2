#include <fmt/format.h>

#include "stockcast/store/postgres.h"
#include "stockcast/store/store.h"

namespace stockcast {

Result<std::optional<Product>> Store::FindProduct(const std::string& sku) {
  if (sku.empty()) return std::optional<Product>();
  SC_ASSIGN_OR_RETURN(std::vector<Product> all, ListProducts());
  for (Product& p : all) {
    if (p.sku == sku) return std::optional<Product>(std::move(p));
  }
  return std::optional<Product>();
}

Result<std::optional<StockLevel>> Store::FindStockLevel(const std::string& sku,
                                                        const std::string& location) {
  SC_ASSIGN_OR_RETURN(std::vector<StockLevel> all, ListStockLevels());
  for (StockLevel& l : all) {
    if (l.sku == sku && l.location == location) return std::optional<StockLevel>(std::move(l));
  }
  return std::optional<StockLevel>();
}

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
