#pragma once
// Private to the store module (implemented in store.cpp): the checks every back end applies to
// a batch before writing any of it. Errors name the element and the field and state the rule,
// e.g. "movements[3].quantity = -2; must be > 0 for type sale".
#include <span>

#include "stockcast/core/entities.h"
#include "stockcast/core/error.h"
#include "stockcast/store/store.h"

namespace stockcast::store_checks {

Status CheckProducts(std::span<const Product> products);
Status CheckLocations(std::span<const Location> locations);
Status CheckSuppliers(std::span<const Supplier> suppliers);
Status CheckMovements(std::span<const Movement> movements);
Status CheckSnapshots(std::span<const StockSnapshot> snapshots);
Status CheckReceipts(std::span<const Receipt> receipts);
Status CheckCartAdds(std::span<const CartAdds> cart_adds);
Status CheckPromotions(std::span<const Promotion> promotions);
Status CheckForecastRows(std::span<const ForecastRow> rows);
Status CheckPlanLines(std::span<const PlanLine> lines);
// Run status given to FinishRun: "ok" or "failed".
Status CheckFinishStatus(const std::string& status);

}  // namespace stockcast::store_checks
