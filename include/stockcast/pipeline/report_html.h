#pragma once
// `stockcast report`: one self-contained HTML page (inline CSS and SVG, no scripts, no
// network) with what to order today, the riskiest SKUs, history/forecast and projected-stock
// charts for a few SKUs, and the cleaning report of the latest import.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"
#include "stockcast/forecast/backtest.h"
#include "stockcast/store/store.h"

namespace stockcast::pipeline {

struct ReportOptions {
  int history_days = 120;  // days of history drawn before the forecast, >= 7
  int chart_series = 6;    // SKUs charted: the riskiest first, then the top sellers; >= 0
  int review_period_days = 7;  // of the projected-stock charts' later reviews, >= 1
  // Already in memory (plan_loop.h): the store's panel (nullptr = load it), and the forecast
  // rows of run `forecast_run_id` for the charted series (empty = read the run from the store).
  const DemandPanel* panel = nullptr;
  std::function<std::vector<ForecastRow>(const std::vector<SeriesKey>& keys)> forecast_rows_for;
  int64_t forecast_run_id = 0;
  Status Validate() const;
};

// The page as a string. Works on whatever the store holds: a missing forecast, plan or
// import run gives a section saying which command to run. Errors: store failures.
Result<std::string> RenderHtmlReport(Store& store, const ReportOptions& options = {});
// Renders and writes to `path` (parent folders are created). Errors: as above, unwritable path.
Status WriteHtmlReport(Store& store, const std::string& path, const ReportOptions& options = {});

// &, <, >, " and ' as entities.
std::string HtmlEscape(std::string_view text);

// One series of a backtest chart: its history and the windows' forecasts
// (forecast::BacktestOptions::keep_forecasts).
struct BacktestChart {
  std::string id;
  std::optional<Date> start;      // first day of y; unset: integer periods from `period0`
  int64_t period0 = 1;
  std::vector<double> y;          // the whole series (NaN = not usable)
  std::vector<forecast::WindowResult> windows;
  std::string note;               // e.g. "sMAPE 12.3, MASE 0.81"
};

// A self-contained HTML page: `summary` lines, then per series the actuals over the backtest
// span (plus as much history again) with every window's forecast mean and interval band.
// Errors: an unwritable path.
Status WriteBacktestHtml(const std::string& path, const std::string& title,
                         const std::vector<std::string>& summary,
                         const std::vector<BacktestChart>& charts);

}  // namespace stockcast::pipeline
