#pragma once
// `stockcast forecast`: fits one model per series of the stored demand panel -- or, for a
// global model (forecast/global_model.h, e.g. `gbm`), one model across all of them -- and saves
// the forecasts as a run.
#include <cstdint>
#include <string>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"
#include "stockcast/core/progress.h"
#include "stockcast/forecast/global_model.h"
#include "stockcast/forecast/model.h"
#include "stockcast/store/store.h"

namespace stockcast::pipeline {

struct ForecastRunOptions {
  int horizon = 28;                          // days after the panel's last day, >= 1
  std::string model = "baseline";            // registry spec: "name[:k=v,...]"
  std::vector<double> quantiles = {0.1, 0.5, 0.9};  // strictly ascending, in (0, 1)
  int season_length = 7;                     // daily data: weekly season
  std::string output_csv;                    // also write the forecasts here when not empty
  int threads = 0;                           // series fitted in parallel; 0 = all cores
  // Series with fewer usable days than this borrow their category's profile scaled by their
  // early sales (forecast/similar.h); 0 = never.
  int cold_start_days = 56;
  // Rescale each series' intervals on this many backtest windows of its own history
  // (forecast/calibrate.h); 0 = the model's intervals as they are.
  int calibration_windows = 0;
  // The store's panel when the caller has it loaded already (plan_loop.h); nullptr = load it.
  const DemandPanel* panel = nullptr;
  // Global models only: also save the trained model to this file (GlobalModel::Save).
  std::string save_model;
  // Forecast with this saved global model (`stockcast train`) instead of training: `model` is
  // then ignored (the file names its own spec) and save_model must be empty.
  std::string model_file;
  // When set, receives the saved forecast rows (the closed loop plans from them without
  // reading them back).
  std::vector<ForecastRow>* keep_rows = nullptr;
  // Error naming the field and its rule (the model spec is checked by the registry).
  Status Validate() const;
};

struct ForecastRunSummary {
  int64_t run_id = 0;
  std::string model;           // canonical spec
  size_t series_count = 0;
  size_t fallback_count = 0;   // series a simpler rule forecast (short/empty/failed history)
  size_t cold_starts = 0;      // short series forecast (partly) from similar products
  std::vector<std::string> fallback_examples;  // "sku@location: reason", at most 10
  Date history_start, history_end;  // panel range the models saw
  Date first_date, last_date;       // forecast dates
  size_t rows = 0;                  // forecast rows saved
  // Global models: what was trained (GlobalModel::Describe) and which features moved demand
  // (gain importance, largest first, at most 20); empty for per-series models.
  std::string global_model;
  std::vector<forecast::FeatureImportance> importance;
};

// Loads the panel (Store::LoadPanel; PanelColumn::kDemand is the cleaned demand), fits
// `options.model` on each series, and records a "forecast" run. One bad series never fails
// the run: it falls back to the mean (or zero) and is counted. A global model is trained once on
// every series (categories from the store's products) and then forecasts each; its quantiles
// are its own (conformal), so calibration_windows does not apply to it. Errors: invalid options or
// model spec, an empty store, store failures, an unwritable CSV path.
// CSV columns: series_id,step,date,mean,q<level>...,model with series_id = "sku@location".
Result<ForecastRunSummary> RunForecast(Store& store, const ForecastRunOptions& options,
                                       const ProgressFn& progress = {});

// Checks a spec before a run: a global model (IsGlobalModelSpec) must create (available, known
// parameters in bounds); any other spec goes through forecast::CheckModelSpec.
Status CheckForecastModelSpec(std::string_view spec);

// "sku@location".
std::string SeriesId(const std::string& sku, const std::string& location);

// The drivers the store knows for series `s` of `panel`, as regressors for the models that use
// them: "price" (days without a sale carry the last known price; held into the future),
// "promotion" (0/1 from the day flags; none planned in the future) and "cart_adds", each only
// when the panel has it, plus the first day for calendar features.
forecast::Regressors PanelRegressors(const DemandPanel& panel, size_t s);
// CSV header name of a quantile level: 0.1 -> "q0.1", 0.95 -> "q0.95".
std::string QuantileColumn(double level);

}  // namespace stockcast::pipeline
