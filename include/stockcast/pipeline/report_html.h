#pragma once
// `stockcast report`: one self-contained HTML page (inline CSS and SVG, no scripts, no
// network) with what to order today, the riskiest SKUs, history/forecast and projected-stock
// charts for a few SKUs, and the cleaning report of the latest import.
#include <string>

#include "stockcast/core/error.h"
#include "stockcast/store/store.h"

namespace stockcast::pipeline {

struct ReportOptions {
  int history_days = 120;  // days of history drawn before the forecast, >= 7
  int chart_series = 6;    // SKUs charted: the riskiest first, then the top sellers; >= 0
  Status Validate() const;
};

// The page as a string. Works on whatever the store holds: a missing forecast, plan or
// import run gives a section saying which command to run. Errors: store failures.
Result<std::string> RenderHtmlReport(Store& store, const ReportOptions& options = {});
// Renders and writes to `path` (parent folders are created). Errors: as above, unwritable path.
Status WriteHtmlReport(Store& store, const std::string& path, const ReportOptions& options = {});

// &, <, >, " and ' as entities.
std::string HtmlEscape(std::string_view text);

}  // namespace stockcast::pipeline
