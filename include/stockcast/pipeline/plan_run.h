#pragma once
// `stockcast plan`: turns the latest forecast into purchase orders with a basic reorder-point
// policy per series, saves them as a run, and projects on-hand stock over the horizon.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"
#include "stockcast/core/progress.h"
#include "stockcast/forecast/model.h"
#include "stockcast/pipeline/config.h"
#include "stockcast/policy/replenishment.h"
#include "stockcast/store/store.h"

namespace stockcast::pipeline {

struct PlanRunOptions {
  // Order date; default: the day after the panel's last day (the forecast's first day). It
  // must lie within the forecast: an earlier date is rejected (the forecast and the stock
  // level say nothing about it), and so is one after the forecast's last day. A later date
  // within the forecast consumes the stock: on hand at as_of = on hand at the history's end
  // minus the forecast mean demand of the days from the forecast's first day to as_of - 1
  // (floored at 0 unless the product allows backorders); open orders still count as on order.
  std::optional<Date> as_of;
  std::string orders_csv;     // write the purchase orders here when not empty
  bool save = true;           // save the plan as a run in the store (optimize computes only)
  // Service target per series, keyed by SeriesId ("sku@location"), e.g. from the ABC/XYZ
  // class matrix; a series not in the map uses its category's service_level.
  std::map<std::string, double> service_levels;
  // Text put before a series' explanation, keyed by SeriesId (e.g. "class AX: ...").
  std::map<std::string, std::string> notes;
  // The levels: false = the reorder-point policy of policy/reorder_point.h (cycle service,
  // normal demand); true = policy/replenishment.h: (R, s, S) with s for `service_measure` over
  // the forecast's own demand distribution (count distributions for slow movers) and
  // Q = max(EOQ, demand over R, case pack, MOQ). `stockcast plan` uses the latter, the same
  // policy `stockcast evaluate` calls "plan".
  bool replenishment_levels = false;
  bool project = true;  // fill PlanRunSummary::projections (the closed loop projects itself)
  // Already in memory (plan_loop.h): the store's panel, and the rows of forecast run
  // `forecast_run_id` (ordered as ListForecasts returns them); nullptr = read from the store.
  const DemandPanel* panel = nullptr;
  const std::vector<ForecastRow>* forecast_rows = nullptr;
  int64_t forecast_run_id = 0;
  policy::ServiceTargetKind service_measure = policy::ServiceTargetKind::kFillRate;
};

// What a line's policy saw, for the purchase-plan optimisation built on the plan
// (optimize_run.h). Parallel to PlanRunSummary::lines.
struct PlanLineDemand {
  bool planned = false;        // the policy ran with known stock (binding not error/unknown)
  double cover_days = 0;       // lead time + review period
  double demand_sd = 0;        // sd of demand over the cover, lead-time spread included
  double holding_rate = 0;     // yearly, as a fraction of the unit cost
  double order_cost = 0;       // fixed cost per purchase order (supplier's, else the setting)
  double case_pack = 1;
  double moq = 0;
  int lead_time_days = 0;
  int review_period_days = 0;
  double lead_time_mean_days = 0;  // as given (fractional)
  double lead_time_sd_days = 0;
  bool stock_known = false;
};

// Projected end-of-day on hand for days as_of, as_of + 1, ... (the forecast's remaining
// horizon). p10 is the stock left if demand runs at its P90 path, p90 if at its P10 path.
struct StockProjection {
  std::string sku;
  std::string location;
  std::vector<Date> dates;
  std::vector<double> p10, p50, p90;
  double reorder_point = 0.0;
  std::vector<std::pair<Date, double>> arrivals;  // open orders and the planned order
};

struct PlanRunSummary {
  int64_t run_id = 0;
  int64_t forecast_run_id = 0;
  Date as_of;
  std::vector<PlanLine> lines;             // one per series, in forecast order
  std::vector<StockProjection> projections;  // parallel to `lines`
  std::vector<PlanLineDemand> demand;        // parallel to `lines`
  std::vector<forecast::Forecast> forecasts;  // parallel to `lines`: days from as_of on
  size_t orders = 0;                       // lines with quantity > 0
  double total_units = 0.0;
  double total_cost = 0.0;
  // The 10 riskiest series: highest stockout probability, then fewest days of supply.
  std::vector<PlanLine> riskiest;
  // e.g. "STOCK UNKNOWN for 12 of 40 series: ...", the stock warning first when present.
  std::vector<std::string> warnings;
};

// Plans every series of the latest successful forecast run. Settings come from
// config.PlanningFor(product category); lead time, MOQ, case pack and cost from the product's
// supplier when known.
//
// Stock is known for a series when its stock level builds on a snapshot, the panel has an
// on-hand count, or something was ever received (a received purchase-order line or panel
// receipts). Otherwise the derived on hand is only returns minus sales (e.g. UCI Online
// Retail) and means nothing: the line keeps the policy's levels (reorder point, order-up-to,
// safety stock, lead-time demand) but orders 0 with binding "unknown_stock", is left out of
// the riskiest list, and the first warning counts such series. A known but negative on hand
// for a product that does not allow backorders is treated as 0, with a warning. Per-series
// problems never fail the run: bad supplier terms (including a lead time over 3650 days) give
// binding "error", quantity 0 and a warning. Order lines without a unit cost are counted in a
// warning (their value is missing from total_cost).
//
// Errors: no forecast ("no forecast in <db>; run `stockcast forecast --db <db>` first"),
// as_of outside the forecast's days, store failures, an unwritable CSV.
// CSV columns: supplier_id,sku,location,quantity,order_date,expected_arrival,unit_cost,
// line_cost,explanation (orders only, sorted by supplier, sku, location).
Result<PlanRunSummary> RunPlan(Store& store, const Config& config, const PlanRunOptions& options,
                               const ProgressFn& progress = {});

// Groups forecast rows (ordered by sku, location, step as ListForecasts returns them) into
// one Forecast per series, keeping the steps dated on or after `from`. Order of first
// appearance is kept.
std::vector<std::pair<SeriesKey, forecast::Forecast>> ForecastsFromRows(
    std::span<const ForecastRow> rows, Date from);

// Projects end-of-day on hand from `first_day` over the forecast's horizon: cumulative demand
// is approximated as normal with mean sum(mean_t) and variance sum(sigma_t^2) (sigma_t from
// the quantile spread, policy::DailyDemandSd); its P10/P50/P90 paths are applied day by day
// with lost sales (stock never goes below zero), adding each arrival on its date (arrivals
// dated before first_day land on first_day).
// What arrives for one planned series: its open purchase-order lines (expected dates), any part
// of line.on_order without a dated open line (assumed to land with the planned order), and
// the planned order itself at line.arrival_date.
std::vector<std::pair<Date, double>> PlannedArrivals(const PlanLine& line,
                                                     std::span<const Receipt> receipts);

// Products by SKU and suppliers by id, for the per-series lookups of plan, the closed loop and
// evaluate (nullptr / "" when unknown). Points into the vectors it was built from.
class MasterIndex {
 public:
  MasterIndex(std::span<const Product> products, std::span<const Supplier> suppliers);
  const Product* product(const std::string& sku) const;
  const Supplier* supplier(const std::string& id) const;
  const Supplier* supplier_of(const Product* product) const;  // nullptr without a product
  std::string category(const std::string& sku) const;

 private:
  std::map<std::string, const Product*> products_;
  std::map<std::string, const Supplier*> suppliers_;
};

// The sample sd of the last `window` usable days (finite, not missing/censored/unlaunched)
// before index `end` of a daily series: plan's policy (and evaluate's `plan`) never takes a day's
// demand spread below it, so lumpy series whose model intervals are narrower than their own
// recent history are not under-protected. 0 with fewer than two usable days.
inline constexpr int kRecentSpreadDays = 56;
double RecentSpread(std::span<const float> demand, std::span<const uint8_t> flags, size_t end,
                    int window = kRecentSpreadDays);

StockProjection ProjectStock(const forecast::Forecast& forecast, Date first_day, double on_hand,
                             std::vector<std::pair<Date, double>> arrivals);

}  // namespace stockcast::pipeline
