#pragma once
// `stockcast plan`: turns the latest forecast into purchase orders with a basic reorder-point
// policy per series, saves them as a run, and projects on-hand stock over the horizon.
#include <cstdint>
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
#include "stockcast/store/store.h"

namespace stockcast::pipeline {

struct PlanRunOptions {
  std::optional<Date> as_of;  // order date; default: the day after the panel's last day
  std::string orders_csv;     // write the purchase orders here when not empty
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
  size_t orders = 0;                       // lines with quantity > 0
  double total_units = 0.0;
  double total_cost = 0.0;
  // The 10 riskiest series: highest stockout probability, then fewest days of supply.
  std::vector<PlanLine> riskiest;
  std::vector<std::string> warnings;       // e.g. "12 series have no stock record; ..."
};

// Plans every series of the latest successful forecast run. Settings come from
// config.PlanningFor(product category); lead time, MOQ, case pack and cost from the product's
// supplier when known. Errors: no forecast ("no forecast in <db>; run `stockcast forecast
// --db <db>` first"), a forecast that ends before as_of, store failures, an unwritable CSV.
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

StockProjection ProjectStock(const forecast::Forecast& forecast, Date first_day, double on_hand,
                             std::vector<std::pair<Date, double>> arrivals);

}  // namespace stockcast::pipeline
