#pragma once
// `stockcast forecast --series FILE` and `stockcast backtest --series FILE`: forecasting and
// rolling-origin evaluation of series given as a long CSV (forecast/series_io.h), independent
// of the store.
#include <map>
#include <string>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/core/progress.h"
#include "stockcast/forecast/backtest.h"
#include "stockcast/forecast/global_model.h"
#include "stockcast/forecast/series_io.h"
#include "stockcast/store/store.h"

namespace stockcast::pipeline {

struct SeriesForecastOptions {
  std::string series_path;
  std::string out_path;                       // CSV to write (required)
  std::string model = "auto";                 // registry spec
  int horizon = 28;
  int season_length = 0;                      // 0: 7 for dated (daily) series, 1 for periods
  std::vector<double> levels = {0.05, 0.5, 0.95};
  int threads = 0;                            // series fitted in parallel; 0 = all cores
  // Rescale each series' intervals on this many backtest windows of its own history
  // (forecast/calibrate.h); 0 = the model's intervals as they are.
  int calibration_windows = 0;
  // Global models (forecast/global_model.h): forecast with this saved model instead of
  // training `model` (--model-file), or save the model trained here (--save-model).
  std::string model_file;
  std::string save_model;
  // Errors name the option and the rule (horizon = 0; must be >= 1).
  Status Validate() const;
};

struct SeriesForecastSummary {
  size_t series = 0;
  size_t rows = 0;
  size_t fallbacks = 0;
  std::vector<std::string> fallback_examples;  // "id: reason", at most 10
  std::map<std::string, size_t> chosen;        // fitted form -> series (e.g. ETS(M,A,N) -> 12)
  // Global models: what was trained or loaded, and the drivers' gain importance.
  std::string global_model;
  std::vector<forecast::FeatureImportance> importance;
  double seconds = 0;
};

// Reads the series, fits `model` on each (independently; a failing series falls back and is
// counted, never failing the run) and writes
//   series_id,step,date|period,mean,q<level>...,model
// one row per series and step, `model` being the fitted form. Errors: bad options, unreadable
// or malformed input (file:line), an unknown model spec, an unwritable output.
Result<SeriesForecastSummary> RunSeriesForecast(const SeriesForecastOptions& options,
                                                const ProgressFn& progress = {});

struct SeriesBacktestOptions {
  std::string series_path;
  std::string model = "auto";
  int season_length = 0;  // as SeriesForecastOptions
  forecast::BacktestOptions backtest;  // horizon, windows, step, levels
  std::string out_path;   // optional per-series metrics CSV
  int threads = 0;        // series backtested in parallel; 0 = all cores
  // Learning curve: the same backtest again with the fit limited to each of these history
  // lengths (days or periods before each origin; 0 = all), e.g. {28, 56, 112, 224, 0}.
  std::vector<int> learning_curve;
  // Charts of forecasts against actuals (HTML) for the `html_series` series with the most
  // revenue (units without prices); empty = none.
  std::string html_path;
  int html_series = 6;
  Status Validate() const;
};

struct SeriesBacktestResult {
  std::string id;
  forecast::SeriesBacktest result;
};

// One point of the learning curve: accuracy when the models see at most `history` steps.
struct LearningPoint {
  int history = 0;  // 0 = all
  forecast::MetricsSummary metrics;
  double wrmsse = 0;
  size_t failed = 0;
};

struct SeriesBacktestSummary {
  std::vector<SeriesBacktestResult> series;
  forecast::MetricsSummary metrics;  // mean over series of the pooled per-series metrics
  double wrmsse = 0;                 // M5 WRMSSE: RMSSE weighted by revenue (units without a
                                     // price column) over the 28 days before the first origin
  std::vector<double> pinball;       // mean over series, per level
  double coverage = 0, width = 0, nominal = 0;  // mean over series (outermost pair)
  size_t failed = 0;                 // series whose backtest returned an error (counted)
  std::vector<std::string> failures; // "id: message", at most 10
  std::vector<LearningPoint> learning_curve;  // when asked for, in the order given
  double seconds = 0;
};

Result<SeriesBacktestSummary> RunSeriesBacktest(const SeriesBacktestOptions& options,
                                                const ProgressFn& progress = {});

// The same over the store's panel (`stockcast backtest --db`): every SKU x location series,
// with its stockout/missing flags and its drivers (price, promotion, cart adds; see
// PanelRegressors). options.series_path is ignored; season_length 0 means 7 (daily).
// Errors: bad options, an unknown model, an empty store.
Result<SeriesBacktestSummary> RunStoreBacktest(Store& store, const SeriesBacktestOptions& options,
                                               const ProgressFn& progress = {});

}  // namespace stockcast::pipeline
