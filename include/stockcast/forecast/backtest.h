#pragma once
// Rolling-origin evaluation (Tashman 2000): for each of `windows` origins, the model is fitted
// on the data before the origin and forecasts `horizon` steps, which are scored against the
// actuals. The last origin leaves exactly `horizon` steps after it; earlier ones are `step`
// apart. Origins without enough data are skipped and counted, not errors.
//
// Scoring: an actual is scored when it is finite and its day's flags carry none of
// kUnusableDayMask (a censored day's sales are not the demand, a missing day has none). The
// MASE/RMSSE scales of a window come from its training data y[0, origin) with those unusable
// days set to NaN (pairs with a NaN are skipped, see MaseScale / RmsseScale).
// Pooled metrics: MAE, RMSE, MAPE, sMAPE, bias and R2 over the concatenation of every window's
// scored steps. Pooled MASE is the mean over those steps of |a - f| / s_w (s_w the MASE scale
// of the step's window) and pooled RMSSE is sqrt(mean of (a - f)^2 / s2_w), both over the
// steps whose window has a defined scale (NaN when none); with one window they equal that
// window's MASE and RMSSE, and with equal scales they are MAE / s and sqrt(MSE / s2).
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/forecast/metrics.h"
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

struct BacktestOptions {
  int horizon = 28;
  int windows = 3;
  int step = 0;  // 0 = horizon (non-overlapping windows)
  int season_length = 7;
  // Fit on at most this many days before each origin (0 = all of them): the learning curve
  // runs the same windows with growing limits. Scores and their scales (MASE, RMSSE) still
  // use the whole history, so runs with different limits compare.
  int max_history = 0;
  // Keep each window's forecast path (mean and the outermost symmetric quantile pair) in
  // WindowResult, for charts.
  bool keep_forecasts = false;
  // Rescale each window's intervals on this many earlier windows inside its own training
  // stretch (forecast/calibrate.h), as `forecast --calibrate` would at that origin; 0 = off.
  int calibration_windows = 0;
  std::vector<double> levels = {0.05, 0.5, 0.95};  // scored by pinball loss; the outermost
                                                   // symmetric pair also by coverage
  // Errors: horizon < 1, windows < 1, step < 0, season_length < 1, a level outside (0, 1),
  // levels not strictly ascending. Messages name the field: "BacktestOptions::horizon = 0;
  // must be >= 1".
  Status Validate() const;
};

struct WindowResult {
  size_t origin = 0;          // index of the first forecast step in the series
  PointMetrics metrics;
  std::string fallback;       // the model's fallback note for this window, if any
  // With BacktestOptions::keep_forecasts: the forecast mean and the outermost symmetric
  // quantile pair (empty when the levels have none), one value per step.
  std::vector<double> mean, lower, upper;
};

struct SeriesBacktest {
  std::vector<WindowResult> windows;  // windows that ran, oldest first
  int skipped_windows = 0;            // origins with fewer than 2 finite values before them
                                      // (origins before the series' start included)
  PointMetrics metrics;               // over every scored step of every window (pooled)
  std::vector<double> pinball;        // per level of BacktestOptions::levels, pooled
                                      // (NaN for every level when no step was scored)
  IntervalScore interval;             // outermost symmetric level pair (e.g. 5%-95%);
                                      // n = 0 and NaN coverage/width when none
  double interval_nominal = 0;        // its nominal coverage (e.g. 0.90); 0 when none
};

// Runs the backtest of one series (`flags` empty or as long as `y`). `model` is a spec for
// CreateModel; a model error in one window is returned as the error (with the window's origin
// in the message). Errors: invalid options, flags of the wrong length, a bad model spec, a
// model's Fit/Predict error. `x` carries the series' drivers over the whole of y (and beyond):
// a model that uses regressors sees, at each origin, the realised driver values of the window
// as their "known future", as a planner would with planned prices and promotions.
Result<SeriesBacktest> BacktestSeries(std::span<const double> y, std::span<const uint8_t> flags,
                                      const std::string& model, const BacktestOptions& options,
                                      const Regressors& x = Regressors{});

// The forecast of one window: fitted on the series' days [0, origin) (or what the caller's
// model saw up to there) for options.horizon steps at options.levels.
using WindowForecaster = std::function<Result<Forecast>(size_t origin)>;

// The same backtest with the forecasts supplied by `forecaster`, e.g. a global model fitted
// once per window across all series. `model` names the forecasts in error messages. Errors:
// invalid options, flags of the wrong length, a forecaster error (with the window), a
// forecast of the wrong shape.
Result<SeriesBacktest> BacktestSeriesWith(std::span<const double> y,
                                          std::span<const uint8_t> flags,
                                          const std::string& model,
                                          const BacktestOptions& options,
                                          const WindowForecaster& forecaster);

}  // namespace stockcast::forecast
