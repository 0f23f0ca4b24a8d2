#pragma once
// Series-level cleaning on a DemandPanel: robust outlier detection (Hampel filter on positive
// demand) with capping, and the summary counts for the cleaning report.
#include <cstdint>
#include <vector>

#include "stockcast/clean/clean_options.h"
#include "stockcast/clean/order_cleaner.h"
#include "stockcast/core/demand_panel.h"

namespace stockcast::clean {

struct SeriesSummary {
  int64_t series = 0;
  int64_t days = 0;           // series x days from each series' start to the panel end
  int64_t demand_days = 0;    // days with positive demand
  int64_t zero_days = 0;      // trading days with no demand (true zeros)
  int64_t missing_days = 0;   // no data: the location was not trading
  int64_t outlier_days = 0;   // flagged and capped
  int64_t censored_days = 0;  // ended out of stock: sales understate demand
  int64_t promotion_days = 0;
  double capped_units = 0.0;  // raw minus capped demand over outlier days
  std::vector<Example> outlier_examples, censored_examples, missing_examples;
};

// Flags outliers and writes capped values into kDemand (kRawDemand keeps the original), then
// counts everything for the report.
SeriesSummary CleanSeries(DemandPanel& panel, const CleanOptions& options);

}  // namespace stockcast::clean
