#pragma once
// The forecasting interface and the model registry.
//
// A ForecastModel is fitted on one daily series and predicts `horizon` days after its last
// day: a mean path and, for each requested level, a quantile path. Models are created from a
// spec string "name" or "name:key=value,key=value"; each model declares its parameters once
// in a ParamSchema, which validates specs and documents the model for `stockcast models`.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/demand_panel.h"
#include "stockcast/core/error.h"
#include "stockcast/core/params.h"

namespace stockcast::forecast {

// Predictions for steps 1..horizon after the last fitted day.
struct Forecast {
  std::vector<double> mean;                    // [step - 1]
  std::vector<double> levels;                  // quantile levels, strictly ascending in (0, 1)
  std::vector<std::vector<double>> quantiles;  // [level index][step - 1]
  // Non-empty when the model could not use the series and a simpler rule stood in, e.g.
  // "mean: 3 usable days, baseline needs 14" or "zero: no usable days".
  std::string fallback;

  int horizon() const { return static_cast<int>(mean.size()); }
  // Quantile path at `level`, or nullptr when that level was not requested.
  const std::vector<double>* QuantilesAt(double level) const;
};

// Days whose flags carry any of these bits are not used to estimate demand: a missing day has
// no data, a censored (stockout) day's sales understate demand, and a not-launched day
// predates the product.
inline constexpr uint8_t kUnusableDayMask =
    static_cast<uint8_t>(kFlagMissing | kFlagCensored | kFlagNotLaunched);

// Exogenous regressors (drivers) of one series: price, promotion flag, cart adds, ... Column
// j is values[j]; values[j][t] for t < n (the fitted days) are the history, t >= n the known
// future (planned price, planned promotion). When the future is shorter than the horizon the
// last known value is held. A NaN regressor value at a fitted day makes that day unusable for
// a regression. `first_day` (days since 1970-01-01 of y[0], as passed to Fit) lets a model
// build calendar features (weekday, 11.11, 6.18, Spring Festival); unset for integer periods.
struct Regressors {
  std::vector<std::string> names;
  std::vector<std::vector<double>> values;  // [column][t], each at least as long as y
  std::optional<int64_t> first_day;

  bool empty() const { return names.empty() && !first_day.has_value(); }
  // values[column][t], holding the last value past the end; NaN when the column is empty.
  double At(size_t column, size_t t) const;
};

class ForecastModel {
 public:
  virtual ~ForecastModel() = default;
  // The registry name ("baseline").
  virtual std::string_view name() const = 0;
  // Fits on `y` (NaN = missing) with per-day PanelFlag bits (`flags` is empty or the same
  // length as `y`) and the series' season length in days (7 for weekly patterns in daily
  // data). A short or empty series is not an error: Predict falls back and says so.
  // Errors: flags of the wrong length, season_length < 1.
  virtual Status Fit(std::span<const double> y, std::span<const uint8_t> flags,
                     int season_length) = 0;
  // Fit with drivers. Models that use regressors override this (and UsesRegressors); every
  // other model ignores them and fits on y alone. Errors as Fit, plus (for models that use
  // them) a column shorter than y.
  virtual Status FitWithRegressors(std::span<const double> y, std::span<const uint8_t> flags,
                                   int season_length, const Regressors& x) {
    (void)x;
    return Fit(y, flags, season_length);
  }
  virtual bool UsesRegressors() const { return false; }
  // Errors: horizon < 1, a level outside (0, 1), levels not strictly ascending, not fitted.
  // Quantiles are non-negative and non-decreasing in the level at every step; the mean is
  // non-negative. Deterministic: the same fit and arguments give the same numbers.
  virtual Result<Forecast> Predict(int horizon, std::span<const double> levels) const = 0;
  // What was fitted, for reports: the model's form when it chooses one (e.g. "ETS(M,A,M)" for
  // ets), else its name. Valid after Fit.
  virtual std::string Chosen() const { return std::string(name()); }
  // Specs of the models this one combines (an ensemble's members), for CheckModelSpec.
  virtual std::vector<std::string> MemberSpecs() const { return {}; }
};

using ModelFactory = std::function<std::unique_ptr<ForecastModel>(const ParamValues& params)>;

struct ModelInfo {
  std::string name;
  std::string description;  // one line for `stockcast models`
  ParamSchema schema;
  ModelFactory factory;
};

// "name" or "name:k=v,k2=v2".
struct ModelSpec {
  std::string name;
  std::map<std::string, std::string> params;
  std::string ToString() const;  // canonical: "name" or "name:k=v,..." (keys sorted)
};
Result<ModelSpec> ParseModelSpec(std::string_view spec);

class ModelRegistry {
 public:
  // The process-wide registry with every built-in model registered.
  static const ModelRegistry& Global();

  // Errors: an empty name or one already registered.
  Status Register(ModelInfo info);
  const ModelInfo* Find(std::string_view name) const;
  // All models, sorted by name.
  std::vector<const ModelInfo*> List() const;
  std::string Names() const;  // "baseline, ma, mean, naive, snaive"

  // Errors: unknown model (listing the available ones), unknown parameter (listing the valid
  // ones), a value of the wrong type or out of bounds.
  Result<std::unique_ptr<ForecastModel>> Create(std::string_view spec) const;

 private:
  std::map<std::string, ModelInfo, std::less<>> models_;
};

// --- Helpers shared by the model implementations -------------------------------------------

// Checks Fit's arguments: flags empty or as long as y, season_length >= 1. `model` prefixes
// the message.
Status ValidateFitArgs(std::string_view model, std::span<const double> y,
                       std::span<const uint8_t> flags, int season_length);
// Checks Predict's arguments: horizon >= 1, levels strictly ascending inside (0, 1).
Status ValidatePredictArgs(std::string_view model, int horizon, std::span<const double> levels);
// Checks regressors against a series of length n: names and values the same size, every
// column at least n long.
Status ValidateRegressors(std::string_view model, const Regressors& x, size_t n);

// The values a model may learn from: y with every unusable day (missing, censored, not yet
// launched, non-finite) set to NaN and negative values clipped to 0, leading NaN days dropped.
// Models treat NaN as "not observed" (a state-space model skips the update), never as zero.
struct UsableSeries {
  std::vector<double> y;  // from the first usable day to the end of the input
  size_t offset = 0;      // index in the input of y[0]
  int usable = 0;         // finite values in y
};
UsableSeries PrepareSeries(std::span<const double> y, std::span<const uint8_t> flags);

// The shared rule for series too short for any model (the same as the baseline models'):
// no finite value -> zero ("zero: no data"); finite values but none usable (all censored or
// flagged) -> their mean, a lower bound on demand; fewer than `min_days` usable values -> their
// total spread over max(window, usable) steps ("short: ..."). Quantiles are Poisson with that
// mean. Returns nothing when the series has at least `min_days` usable values.
std::optional<Forecast> ShortHistoryForecast(std::string_view model, std::span<const double> y,
                                             std::span<const uint8_t> flags, int min_days,
                                             int window, int horizon,
                                             std::span<const double> levels);

// Quantiles of a normal forecast: q = mean + z(level) * sd[step], for each level.
void NormalQuantiles(const std::vector<double>& mean, const std::vector<double>& sd,
                     std::span<const double> levels, Forecast* out);
// Makes a forecast valid for demand: mean >= 0; each step's quantiles >= 0 and non-decreasing
// in the level (rounding guard).
void ClampForecast(Forecast* f);

// A forecast that never fails, for runs over many series: fits `spec` (with `x` when the model
// uses regressors) and predicts; when the spec cannot be created, fitted or predicted, yields a
// non-finite number, or explodes (any mean or quantile over 20 x the largest value of y: a trend
// or drift run away), the "mean" model stands in, and failing that a zero forecast.
// `forecast.fallback` then says what happened. `chosen` is the fitted form (Chosen()), or
// "fallback:<rule>" ("fallback:mean", "fallback:short", ...) whenever a fallback was used.
struct RobustForecast {
  Forecast forecast;
  std::string chosen;
};
RobustForecast ForecastOrFallback(const std::string& spec, std::span<const double> y,
                                  std::span<const uint8_t> flags, int season_length,
                                  const Regressors& x, int horizon,
                                  std::span<const double> levels);

// Checks a spec before a run: it must create (known model and parameters, values in bounds)
// and fit small well-behaved probe series (60 and 800 daily values, 60 monthly ones). Models
// read some string parameters only when fitting (arima's order, mstl's periods, regression's
// lags, auto's members), so a typo there is reported here, before any series is touched.
Status CheckModelSpec(std::string_view spec);
// A list of model specs as one parameter value: "ets+mstl(method=theta/periods=7;365)" ->
// {"ets", "mstl:method=theta,periods=7;365"}. Members are joined by '+', a member's own
// parameters go in parentheses separated by '/' (',' and ':' already mean something in a
// spec). Empty items are dropped.
std::vector<std::string> SplitModelList(const std::string& text);

// Shorthand for ModelRegistry::Global().Create(spec).
Result<std::unique_ptr<ForecastModel>> CreateModel(std::string_view spec);
// Shorthand for ModelRegistry::Global().List().
std::vector<const ModelInfo*> ListModels();

}  // namespace stockcast::forecast
