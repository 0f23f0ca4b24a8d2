#pragma once
// Import: reads order exports and master/stock files, cleans them, and writes them to the
// store in ONE transaction (the ledger, stock data, the cleaned daily panel, stock levels and
// the run with its cleaning report) — or writes nothing at all when anything fails.
#include <string>
#include <vector>

#include "stockcast/clean/report.h"
#include "stockcast/core/progress.h"
#include "stockcast/io/order_mapping.h"
#include "stockcast/pipeline/config.h"
#include "stockcast/store/store.h"

namespace stockcast::pipeline {

struct ImportOptions {
  std::vector<std::string> order_files;
  io::OrderMapping mapping;  // how to read the order files (default: generic preset)
  // Optional master and stock files.
  std::string products, suppliers, locations, snapshots, receipts, cart_adds, promotions;
  bool strict = false;   // data-quality warnings become errors
  std::string actor = "import";

  ImportOptions();
};

// Fills `options` with every known file present in `dir` (orders.csv, products.csv, ...,
// each also as .csv.zst). Error when the directory holds none of them.
Status AddDirectory(const std::string& dir, ImportOptions* options);

// Imports into `store`; with store == nullptr it is a dry run that parses, cleans and
// aggregates the files alone and reports, writing nothing.
Result<clean::CleaningReport> RunImport(Store* store, const Config& config,
                                        const ImportOptions& options,
                                        const ProgressFn& progress = {});

}  // namespace stockcast::pipeline
