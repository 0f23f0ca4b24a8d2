#pragma once
// The cleaning report of an import: counts per rule with examples (file:line), data-quality
// warnings, series-level findings. Rendered as JSON (machine-readable, stored with the run)
// and as text for the terminal.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stockcast/clean/order_cleaner.h"
#include "stockcast/clean/series_cleaner.h"

namespace stockcast::clean {

struct FileSummary {
  std::string path;
  std::string kind;    // orders, products, suppliers, locations, stock_snapshots, receipts, ...
  std::string format;  // preset or mapping file for orders
  int64_t rows = 0;
};

struct CleaningReport {
  std::vector<FileSummary> files;
  OrderFacts facts;
  std::array<int64_t, kNumLineRules> rules{};
  std::array<std::vector<Example>, kNumLineRules> examples;
  std::array<int64_t, kNumWarnings> warnings{};
  std::array<std::vector<Example>, kNumWarnings> warning_examples;
  int64_t ledger_inserted = 0;         // movements newly written to the stock ledger
  int64_t ledger_already_present = 0;  // skipped: imported before (idempotency key)
  SeriesSummary series;
  bool dry_run = false;
  double seconds = 0.0;
  std::vector<std::pair<std::string, double>> stage_seconds;  // where the time went

  void TakeLineCounts(const OrderCleaner& cleaner);
  int64_t total_warnings() const;
  nlohmann::json ToJson() const;
  std::string ToText() const;
};

}  // namespace stockcast::clean
