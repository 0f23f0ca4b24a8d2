#pragma once
// Global forecasting models: trained once across many series, then asked for each series'
// forecast (docs/design/ml.md).
//
// A ForecastModel (model.h) is fitted on one series at a time. A GlobalModel learns one
// function from the pooled rows of all series -- the way the strongest retail forecasts of M5
// were made -- so a series with little history borrows the shape of the others, and drivers
// (price, promotion, festivals) are learned from every series where they vary. Global models
// have their own registry with the same spec syntax ("gbm:objective=reg:tweedie,max_depth=8")
// and ParamSchema; `stockcast models --json` lists them with "global": true. A model whose
// library the build lacks (xgboost for gbm) is registered as unavailable with the reason.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/core/params.h"
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

// One series as a global model sees it. `y` is daily demand (NaN = missing), `flags` its
// PanelFlag bits (empty or as long as y); days with kUnusableDayMask bits are never targets.
// `x` holds the drivers by name -- "price", "promotion" (0/1), "cart_adds" -- with the known
// future past y's end, and `x.first_day` the date of y[0] for calendar features (without it
// the calendar features are missing). `category` groups series (products.category); empty =
// none. The spans must outlive the model's use of them (Fit, then Predict(size_t)).
struct GlobalSeries {
  std::span<const double> y;
  std::span<const uint8_t> flags;
  Regressors x;
  std::string category;
};

// How much a feature moved the fitted function: xgboost's average gain of the splits on it,
// normalised so the features sum to 1.
struct FeatureImportance {
  std::string feature;
  double gain = 0.0;
};

class GlobalModel {
 public:
  virtual ~GlobalModel() = default;
  // The registry name ("gbm").
  virtual std::string_view name() const = 0;
  // Trains one model across `series` for forecasts of up to `horizon` days after each series'
  // last day, with the series' season length in days (7 for daily data). Keeps a view of
  // `series` for Predict(size_t). Errors: no series, horizon < 1, season_length < 1, flags or
  // regressors of the wrong length, no usable target day in any series, library failures.
  virtual Status Fit(std::span<const GlobalSeries> series, int season_length, int horizon) = 0;
  // The forecast of fitted series `series` for steps 1..horizon after its last day, with the
  // requested quantile levels (non-negative, non-decreasing in the level). A series too short
  // for the model gets the shared short-history rule and says so in Forecast::fallback.
  // Errors: not fitted, index out of range, horizon < 1, bad levels.
  Result<Forecast> Predict(size_t series, int horizon, std::span<const double> levels) const;
  // Forecasts for any series (fitted or new, e.g. after Load), in order: one batched call,
  // cheaper than one Predict per series. Errors as Predict.
  virtual Result<std::vector<Forecast>> PredictMany(std::span<const GlobalSeries> series,
                                                    int horizon,
                                                    std::span<const double> levels) const = 0;
  // Writes the fitted model to `path` with a format version, the spec and the feature list it
  // expects; Load reads one back (same build features, same model name) so that PredictMany
  // gives the same numbers. Errors: not fitted, unwritable/unreadable file, another format
  // version, another model, a feature list this build does not produce.
  virtual Status Save(const std::string& path) const = 0;
  virtual Status Load(const std::string& path) = 0;
  // The feature names, in column order.
  virtual std::vector<std::string> FeatureNames() const = 0;
  // Gain importance of the features the fitted model used, largest first (empty before Fit).
  virtual std::vector<FeatureImportance> Importance() const = 0;
  // One line for reports: "gbm(count:poisson, 200 trees, 182000 rows, 40 features)".
  virtual std::string Describe() const = 0;

 protected:
  std::span<const GlobalSeries> fitted_series_;  // set by Fit
};

// Creates an unfitted model; may fail (e.g. a model in a module that cannot be loaded).
using GlobalModelFactory =
    std::function<Result<std::unique_ptr<GlobalModel>>(const ParamValues& params)>;

struct GlobalModelInfo {
  std::string name;
  std::string description;  // one line for `stockcast models`
  ParamSchema schema;
  GlobalModelFactory factory;
  // Checks that the schema cannot express (a string naming one of several choices); may be
  // empty. The message names the parameter and its rule.
  std::function<Status(const ParamValues& params)> validate;
  // False when the build lacks the model's library; `unavailable_reason` then says which
  // and how to get it, and Create fails with that reason.
  bool available = true;
  std::string unavailable_reason;
};

class GlobalModelRegistry {
 public:
  // The process-wide registry with every built-in global model registered ("gbm").
  static const GlobalModelRegistry& Global();

  // Errors: an empty name, no factory while available, a name already registered.
  Status Register(GlobalModelInfo info);
  const GlobalModelInfo* Find(std::string_view name) const;
  std::vector<const GlobalModelInfo*> List() const;  // sorted by name
  std::string Names() const;                         // "gbm"
  // Errors: unknown model (listing the global ones), an unavailable model (its reason),
  // unknown parameter (listing the valid ones), a value of the wrong type or out of bounds.
  Result<std::unique_ptr<GlobalModel>> Create(std::string_view spec) const;

 private:
  std::map<std::string, GlobalModelInfo, std::less<>> models_;
};

// Whether the name of `spec` ("gbm:max_depth=4") is a registered global model, available or
// not. A spec that does not parse is not.
bool IsGlobalModelSpec(std::string_view spec);
// Shorthand for GlobalModelRegistry::Global().Create(spec).
Result<std::unique_ptr<GlobalModel>> CreateGlobalModel(std::string_view spec);
// Reads the model name and spec from a file written by GlobalModel::Save, creates that model
// and loads it. Errors: as Create and Load.
Result<std::unique_ptr<GlobalModel>> LoadGlobalModel(const std::string& path);
// The spec stored in a file written by GlobalModel::Save ("gbm:max_depth=6"), without
// creating the model. Errors: unreadable file, not a stockcast model file.
Result<std::string> GlobalModelFileSpec(const std::string& path);
// Shorthand for GlobalModelRegistry::Global().List().
std::vector<const GlobalModelInfo*> ListGlobalModels();

}  // namespace stockcast::forecast
