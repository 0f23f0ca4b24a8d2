#pragma once
// Cleaning rules. Defaults suit e-commerce order exports; every field can be set in the
// [clean] section of the TOML config.
#include <string>
#include <vector>

#include "stockcast/core/calendar.h"
#include "stockcast/core/error.h"

namespace stockcast::clean {

struct OutlierOptions {
  bool enabled = true;
  // Hampel filter on log(1 + positive daily demand): a day is an outlier when its log demand
  // exceeds median + threshold * 1.4826 * MAD of the positive days within +-window_days
  // (spread floored at 0.5). With the default 4, a day must be at least e^2 = 7.4 times
  // (1 + the local median) to be flagged: on UCI Online Retail 0.8% of demand days are.
  int window_days = 28;
  double threshold = 4.0;
  int min_points = 7;  // fewer positive days in the window: use the whole series instead
  // Festival/holiday and promotion days are expected to spike: never capped.
  bool protect_events = true;
};

struct CleanOptions {
  // Non-product lines (postage, fees, manual adjustments, vouchers): SKUs matched exactly
  // (case-insensitive) or by ECMAScript regular expression over the whole SKU. These apply to
  // every import; an order preset or mapping file may add its own codes (online-retail adds
  // UCI's one-letter codes M, D, S, B, ..., which would be real SKUs elsewhere).
  std::vector<std::string> non_product_skus = {"POST", "POSTAGE", "SHIPPING", "DELIVERY",
                                               "BANK CHARGES", "AMAZONFEE"};
  std::vector<std::string> non_product_sku_patterns = {"^gift_.*", "^(?:SHIPPING|FEE|ADJ)[-_].*"};
  OutlierOptions outliers;
  // A day counts as missing (no data) rather than zero demand when the whole location has
  // fewer than this many order lines that day (shop closed, gap in the export).
  int min_lines_per_open_day = 1;
  CalendarOptions calendar;
  Status Validate() const;
};

}  // namespace stockcast::clean
