#pragma once
// Interval calibration on the series' own backtest residuals (split conformal prediction;
// Vovk, Gammerman & Shafer 2005; the normalised form of Papadopoulos et al. 2002 and the
// rescaling of conformalized quantile regression, Romano, Patterson & Candes 2019).
//
// A model's intervals can be too narrow (MSTL's 90 % interval covered 73 % of the store data)
// or too wide. Calibration refits the model at W earlier origins o_w = n - w h (w = 1..W), each
// on y[0, o_w), and compares its forecasts for [o_w, o_w + h) with what happened. For each
// requested level p != 0.5, with c = the forecast's median (or its mean when 0.5 was not
// requested) and q_p the level's quantile, the score of an actual value a at a step is
//     upper level (p > 0.5):  u = (a - c) / (q_p - c)      (a <= c + k (q_p - c)  <=>  u <= k)
//     lower level (p < 0.5):  u = (c - a) / (c - q_p)      (a >= c - k (c - q_p)  <=>  u <= k)
// and k_p is the ceil((N + 1) p')-th smallest of the N scores, p' = p for an upper level and
// 1 - p for a lower one (the finite-sample conformal quantile). The final forecast's quantile
// becomes c + k_p (q_p - c): the model keeps the shape of its intervals over the horizon (how
// they widen with the step), the backtest sets their width. k_p is held to
// [kMinFactor, kMaxFactor] so one odd window cannot collapse or explode the band. Quantiles
// stay non-negative when the model's were, and non-decreasing in the level.
//
// Windows whose fit fell back to a simpler model, steps whose actual value is missing and
// points where q_p = c are not scored. With fewer than `min_points` scores for a level, that
// level is left as the model gave it.
#include <span>
#include <string>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

struct CalibrationOptions {
  int windows = 0;       // W >= 0; 0 = no calibration
  int min_points = 20;   // scored points a level needs before it is rescaled; >= 1
  Status Validate() const;  // "CalibrationOptions::windows = -1; must be >= 0"
};

inline constexpr double kMinCalibrationFactor = 0.25;
inline constexpr double kMaxCalibrationFactor = 8.0;

struct CalibrationResult {
  bool applied = false;        // at least one level was rescaled
  int windows_used = 0;        // windows that were scored (fitted without fallback)
  std::vector<double> factor;  // k per level of the forecast (1 where not rescaled)
  std::vector<int> points;     // scores per level
};

// Rescales `f`'s quantiles (in place) from W backtest windows of `spec` on `y` (see above);
// `flags`, `season_length` and `x` are passed to the model as for the final fit (the same
// Regressors serve every window: a model reads y.size() to tell history from future). `f`
// must be `spec`'s forecast of y with its horizon and levels.
CalibrationResult CalibrateQuantiles(const std::string& spec, std::span<const double> y,
                                     std::span<const uint8_t> flags, int season_length,
                                     const Regressors& x, const CalibrationOptions& options,
                                     Forecast* f);

}  // namespace stockcast::forecast
