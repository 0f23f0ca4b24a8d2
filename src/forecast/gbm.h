#pragma once
// The global gradient-boosting forecaster `gbm` (xgboost C API) and its feature builder.
// The builder does not need xgboost, so it is compiled and tested in every build.
//
// Strategies (parameter `strategy`). Direct (default): one model for all steps. A training row
// is (series, origin o, step h): the target is y[o + h]; every demand feature is computed from
// days <= o (lag_k = y[o + 1 - k], rolling means and quantile over windows ending at o, days
// since the last sale at o, series statistics up to o); calendar, price and promotion describe
// the target day o + h (known in advance: the calendar, the planned price and promotion);
// `step` = h lets the trees tell near from far. Each usable target day of the training window
// gets one step drawn uniformly from 1..horizon (deterministic in the seed), so all steps are
// trained on about equally and the rows stay one per series-day. At prediction the origin is
// the last day and h = 1..horizon: no forecast is fed back (no recursive error build-up).
// Recursive: a one-step model (rows (t - 1, 1)); step h is predicted from origin o + h - 1 with
// the forecasts of steps 1..h-1 appended to the series as if observed (GbmFeatures::Append).
//
// Scale: above `max_rows` training rows a uniform, seeded share of the series-days is kept;
// with `per_category` each category with at least `min_category_rows` rows gets its own
// booster besides the pooled one (docs/design/ml.md).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "forecast/features.h"
#include "stockcast/forecast/global_model.h"

namespace stockcast::forecast {

// Adds `gbm` to `registry` (available, or unavailable with the reason when built without
// xgboost).
Status RegisterGbmModel(GlobalModelRegistry& registry);

// What the last Fit of a gbm model did, for benchmarks (bench/ml/gbm_scale.cpp): rows and
// wall seconds per phase.
struct GbmFitStats {
  size_t candidate_rows = 0;     // usable target days in the training windows
  size_t rows = 0;               // training rows kept (after the max_rows cap)
  int boosters = 0;              // boosters trained, calibration ones included
  double build_seconds = 0;      // training rows and xgboost matrices
  double calibrate_seconds = 0;  // holdout booster(s), holdout forecasts, residual grids
  double train_seconds = 0;      // final booster(s)
};
// The stats of `model`'s last Fit; nullopt when `model` is not gbm or was not fitted here.
std::optional<GbmFitStats> GbmLastFitStats(const GlobalModel& model);

// The feature columns, in order.
const std::vector<std::string>& GbmFeatureNames();

// Per-series precomputation for GbmFeatures::Row: usable demand and prefix sums.
class GbmFeatures {
 public:
  // `series` must outlive this object. `category_code` is the series' category as a number
  // (NaN = none). `calendar` covers the days the rows ask for (others are computed on the fly).
  // Only the first `length` days of y are read (the recursive strategy's holdout forecasts
  // start from a cut series); the regressors and the calendar still describe later days.
  GbmFeatures(const GlobalSeries& series, double category_code, const CalendarTable* calendar,
              size_t length = static_cast<size_t>(-1));

  size_t n() const { return y_.size(); }
  int usable() const { return usable_; }
  int first_usable() const { return first_usable_; }
  // Whether day t may be a training target (usable: finite, no kUnusableDayMask bit).
  bool UsableTarget(int t) const;
  double Demand(int t) const { return y_[static_cast<size_t>(t)]; }
  // Fills out[0 .. GbmFeatureNames().size()) for origin o (0 <= o < n) and step h >= 1;
  // unknown values are NaN (xgboost's missing value).
  void Row(int origin, int step, std::span<float> out) const;
  // Appends day n() with demand `value` as if observed (the recursive strategy feeds its
  // forecasts back this way): later origins see it in their lags, windows and statistics.
  void Append(double value);

 private:
  double MeanUsable(int from, int to) const;  // mean of usable y over [from, to], NaN if none
  double Regressor(int column, long long t) const;

  const GlobalSeries* series_;
  const CalendarTable* calendar_;
  double category_code_;
  std::vector<double> y_;                      // NaN where unusable, negatives clipped to 0
  std::vector<double> csum_, ccount_, czero_;  // prefix sums over usable days, size n + 1
  std::vector<int> last_sale_;                 // last usable day <= t with y > 0, -1 when none
  int usable_ = 0;
  int first_usable_ = -1;
  int price_ = -1, promotion_ = -1, cart_ = -1;  // column of x, -1 when absent
};

}  // namespace stockcast::forecast
