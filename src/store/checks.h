#pragma once
// Private to the store module (implemented in store.cpp): the checks every back end applies to
// a batch before writing any of it. Errors name the element and the field and state the rule,
// e.g. "movements[3].quantity = -2; must be > 0 for type sale".
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stockcast/core/demand_panel.h"
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
// StartRun: a kind and params that are empty or JSON.
Status CheckNewRun(const std::string& kind, const std::string& params_json);
// `text` empty or a JSON document; the error names `field`.
Status CheckJson(std::string_view field, const std::string& text);
Status CheckAlerts(std::span<const AlertRecord> alerts);
Status CheckKpis(std::span<const KpiRecord> kpis);
Status CheckToken(const TokenRecord& token);
Status CheckAudit(const AuditRecord& entry);
// Service (migration 4).
Status CheckJob(const JobRecord& job);
Status CheckNewJob(const JobRecord& job);  // CheckJob + an actor
Status CheckDecision(const PlanDecision& decision);
Status CheckWarningLines(std::span<const WarningLineRecord> lines);
Status CheckProjection(std::span<const ProjectionRecord> rows);

// Forecast quantiles as stored: a JSON array of [level, value] pairs. nlohmann::json writes
// doubles in a form that parses back to the same bits, so forecasts round-trip exactly.
std::string QuantilesToJson(const std::vector<std::pair<double, double>>& quantiles);
bool QuantilesFromJson(std::string_view text, std::vector<std::pair<double, double>>* out);
// The stored panel columns, in the order of the sales_daily columns.
inline constexpr PanelColumn kPanelColumns[kNumPanelColumns] = {
    PanelColumn::kDemand,   PanelColumn::kRawDemand, PanelColumn::kReturns, PanelColumn::kPrice,
    PanelColumn::kCartAdds, PanelColumn::kReceipts,  PanelColumn::kOnHand};
// "demand, raw_demand, ..." in PanelColumn order: the stored column names are the enum's names.
std::string PanelColumnList();

}  // namespace stockcast::store_checks
