#pragma once
// Training and forecasting with a global model (forecast/global_model.h) for every entry point
// that has a set of series -- the store (`forecast --db`, the closed loop), a long CSV
// (`forecast --series`, `backtest`) and `stockcast train`: one place for the thread setting,
// loading a saved model, saving the trained one, and the per-series guard that replaces an
// unusable forecast by the per-series "mean" model.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/core/progress.h"
#include "stockcast/forecast/global_model.h"
#include "stockcast/forecast/model.h"
#include "stockcast/forecast/series_io.h"
#include "stockcast/store/store.h"

namespace stockcast::pipeline {

struct GlobalRunOptions {
  std::string model;       // global model spec ("gbm:max_depth=6"); unused with model_file
  std::string model_file;  // forecast with this saved model instead of training one
  std::string save_model;  // also save the trained model here (not with model_file)
  int season_length = 7;
  int horizon = 28;
  std::vector<double> levels = {0.05, 0.5, 0.95};
  int threads = 0;  // passed to the model as threads=N unless its spec names its own
};

struct GlobalRunResult {
  std::vector<forecast::RobustForecast> forecasts;  // one per series, in order
  std::string name;      // the model's registry name ("gbm")
  std::string describe;  // GlobalModel::Describe()
  std::vector<forecast::FeatureImportance> importance;  // largest first, all of them
  size_t guarded = 0;    // series whose forecast was unusable and replaced by "mean"
};

// Creates the model of options.model with the run's thread count. Errors: a spec that does not
// parse, is not a global model, or that the registry refuses (unknown/unavailable model, bad
// parameter).
Result<std::unique_ptr<forecast::GlobalModel>> CreateGlobalForRun(const GlobalRunOptions& options);

// Trains options.model on `series` (progress "training <name>"), saving it to
// options.save_model when set. Errors: as CreateGlobalForRun, the model's Fit and Save.
Result<std::unique_ptr<forecast::GlobalModel>> TrainGlobalModel(
    std::span<const forecast::GlobalSeries> series, const GlobalRunOptions& options,
    const ProgressFn& progress = {});

// Trains (or loads options.model_file) and forecasts every series for options.horizon steps.
// A forecast that is non-finite or over 20 x the series' largest value is replaced by the
// per-series "mean" model and says so in its fallback ("chosen" = "fallback:mean"); a series
// the model itself sent to the short-history rule is "fallback:<rule>". Errors: as
// TrainGlobalModel, LoadGlobalModel, PredictMany.
Result<GlobalRunResult> RunGlobalForecast(std::span<const forecast::GlobalSeries> series,
                                          const GlobalRunOptions& options,
                                          const ProgressFn& progress = {});

// Series as a global model sees them, owning what the spans point to (the flags point into the
// panel, which must outlive this).
struct GlobalSeriesSet {
  std::vector<std::string> ids;  // "sku@location" or the CSV's series_id
  std::vector<std::vector<double>> ys;
  std::vector<forecast::GlobalSeries> series;
};
// Every series of `panel` with its flags, drivers (PanelRegressors) and its product's
// category.
GlobalSeriesSet PanelGlobalSeries(const DemandPanel& panel, const std::vector<Product>& products,
                                  int threads);
// Every series of a long CSV with its regressor columns and first day (no categories).
GlobalSeriesSet CsvGlobalSeries(const forecast::SeriesSet& set);

// `stockcast train`: one global model trained on the series of a long CSV (series_path) or of
// the store, saved to out_path.
struct TrainOptions {
  std::string series_path;  // exactly one of series_path and store
  Store* store = nullptr;
  std::string out_path;     // the model file (required)
  std::string model = "gbm";
  int horizon = 28;
  int season_length = 0;    // 0: 7 for dated series and the store, 1 for periods
  int threads = 0;
  // Errors name the option and the rule.
  Status Validate() const;
};

struct TrainSummary {
  size_t series = 0;
  std::string describe;
  std::vector<forecast::FeatureImportance> importance;  // largest first
  double seconds = 0;
};

// Errors: bad options, unreadable series, an empty store, the model's errors, an unwritable
// output.
Result<TrainSummary> RunTrain(const TrainOptions& options, const ProgressFn& progress = {});

}  // namespace stockcast::pipeline
