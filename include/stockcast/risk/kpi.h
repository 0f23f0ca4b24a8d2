#pragma once
// Inventory and service KPIs from the demand panel, per total, SKU, category, location and
// period (month or ISO week), over a date range [from, to].
//
// Per series and day (days before launch or flagged missing are not counted):
//   sold      = kRawDemand, else kDemand when the raw value is NaN; NaN on both = missing day
//   price     = kPrice when finite, else the series' unit_price (revenue at list price)
//   stockout  = the day carries kFlagCensored
//   lost      = on a stockout day: max(0, m - sold), m = the series' mean sold per uncensored
//               day of the same period (of the whole range when the period has none; 0 when the
//               range has none either)
//   on hand   = kOnHand (end of day); NaN = unknown
// Per row (a set of series over a set of days):
//   units_sold, revenue = sum sold x price, cogs = sum sold x unit_cost, gross_margin =
//     revenue - cogs, lost_units, lost_sales_value = lost x (unit_price, else unit_cost)
//   fill_rate           = units_sold / (units_sold + lost_units)         (NaN when both are 0)
//   stockout_rate       = stockout days / counted days (series-days)
//   cycle_service_level = share of (series x period) cells with counted days and no stockout
//                         day (a per-period proxy of the textbook per-cycle CSL)
//   avg_inventory_units = sum over the row's series of the series' mean known on hand in the
//                         row's days; UNKNOWN (NaN) when any series has no known on hand there
//   avg_inventory_value = the same with on hand x unit_cost
//   inventory_turnover  = cogs / avg_inventory_value x 365 / calendar days   (annualised)
//   days_of_supply      = avg_inventory_units / (units_sold / calendar days)
//   holding_cost        = sum over series of avg value x holding_rate x calendar days / 365
//   end_inventory_value = sum over series of the last known on hand in the row's days x
//                         unit_cost (NaN when a series has none)
//   gmroi               = gross_margin / avg_inventory_value              (not annualised)
//   forecast_wape       = sum |f - a| / sum a, forecast_bias = sum (f - a) / sum a over days
//                         with a finite forecast f and actual a = kDemand, stockout days
//                         excluded (their actuals understate demand); NaN without such days
// Every ratio with a zero or unknown denominator is NaN (unknown), never 0. A row none of whose
// series has a stock count or a stockout flag anywhere in the panel (an order export without
// stock data) has unknown fill rate, stockout rate and cycle service level: its stockouts
// cannot be seen, so they are not reported as none.
//
// Rows: scope "total" (key "total"), "sku" (key = SKU, all its locations), "category",
// "location", each with period "" over the whole range; scope "period" (key = period = the
// label, all series); with KpiOptions::breakdown_by_period also sku/category/location rows per
// period. Period labels: "2024-03" (month) or "2024-W09" (ISO 8601 week, Monday first).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/demand_panel.h"
#include "stockcast/core/error.h"

namespace stockcast::risk {

enum class KpiPeriod { kMonth, kWeek };
// "month", "week".
std::string_view ToString(KpiPeriod period);
std::optional<KpiPeriod> ParseKpiPeriod(std::string_view text);
// "2024-03" or "2024-W09".
std::string PeriodLabel(Date date, KpiPeriod period);

// Money and grouping of one panel series (parallel to the panel's series).
struct SeriesEconomics {
  double unit_cost = 0;        // >= 0
  double unit_price = 0;       // >= 0; used where kPrice is NaN
  std::string category;        // "" = "(none)"
  double holding_rate = 0.25;  // per year, fraction of unit cost, >= 0
};

struct KpiOptions {
  Date from;  // inclusive; clipped to the panel
  Date to;    // inclusive; must be >= from
  KpiPeriod period = KpiPeriod::kMonth;
  bool breakdown_by_period = false;  // also sku/category/location x period rows
};

struct KpiRow {
  std::string scope;  // "total", "sku", "category", "location", "period"
  std::string key;
  std::string period;       // "" = the whole range
  int series = 0;           // series in the row
  int days = 0;             // calendar days of the row's range
  int64_t series_days = 0;  // counted series-days (launched, not missing)
  double units_sold = 0;
  double revenue = 0;
  double cogs = 0;
  double gross_margin = 0;
  double lost_units = 0;
  double lost_sales_value = 0;
  int64_t stockout_days = 0;
  double stockout_rate = 0;        // NaN when no counted day
  double fill_rate = 0;            // NaN when nothing sold or lost
  double cycle_service_level = 0;  // NaN when no cell has counted days
  // Inventory KPIs: NaN = unknown (stock data missing), never 0 for unknown.
  double avg_inventory_units = 0;
  double avg_inventory_value = 0;
  double inventory_turnover = 0;
  double days_of_supply = 0;
  double holding_cost = 0;
  double end_inventory_value = 0;
  double gmroi = 0;
  // Forecast accuracy (NaN when no forecast was given or no comparable day).
  double forecast_wape = 0;
  double forecast_bias = 0;
  int64_t forecast_days = 0;
};

// `economics` is parallel to the panel's series. `forecasts` is empty (no accuracy) or parallel
// to the series, each entry empty (none) or panel.num_days() values on the panel's dates (NaN =
// no forecast that day). Rows are ordered: total, period rows (chronological), sku, category,
// location (each sorted by key; per-period rows follow their whole-range row).
// Errors: sizes that do not match, negative or non-finite costs/rates, from > to, a range
// outside the panel.
Result<std::vector<KpiRow>> ComputeKpis(const DemandPanel& panel,
                                        std::span<const SeriesEconomics> economics,
                                        const KpiOptions& options,
                                        std::span<const std::vector<double>> forecasts = {});

}  // namespace stockcast::risk
