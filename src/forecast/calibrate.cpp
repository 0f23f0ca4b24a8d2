#include "stockcast/forecast/calibrate.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace stockcast::forecast {

Status CalibrationOptions::Validate() const {
  if (windows < 0) {
    return Error::InvalidArgument(
        fmt::format("CalibrationOptions::windows = {}; must be >= 0 (0 = no calibration)", windows));
  }
  if (min_points < 1) {
    return Error::InvalidArgument(
        fmt::format("CalibrationOptions::min_points = {}; must be >= 1", min_points));
  }
  return Status::Ok();
}

CalibrationResult CalibrateQuantiles(const std::string& spec, std::span<const double> y,
                                     std::span<const uint8_t> flags, int season_length,
                                     const Regressors& x, const CalibrationOptions& options,
                                     Forecast* f) {
  CalibrationResult result;
  const size_t num_levels = f->levels.size();
  result.factor.assign(num_levels, 1.0);
  result.points.assign(num_levels, 0);
  const size_t h = f->mean.size();
  if (options.windows <= 0 || h == 0 || num_levels == 0 || f->quantiles.size() != num_levels) {
    return result;
  }
  // The centre: the median path when it was requested, else the mean.
  auto centre_of = [](const Forecast& g) -> const std::vector<double>& {
    for (size_t l = 0; l < g.levels.size(); ++l) {
      if (std::abs(g.levels[l] - 0.5) < 1e-12) return g.quantiles[l];
    }
    return g.mean;
  };

  std::vector<std::vector<double>> scores(num_levels);
  for (int w = 1; w <= options.windows; ++w) {
    const size_t back = static_cast<size_t>(w) * h;
    if (back >= y.size()) break;
    const size_t origin = y.size() - back;
    const std::span<const uint8_t> train_flags =
        flags.empty() ? std::span<const uint8_t>() : flags.subspan(0, origin);
    RobustForecast window = ForecastOrFallback(spec, y.subspan(0, origin), train_flags,
                                               season_length, x, static_cast<int>(h), f->levels);
    const Forecast& g = window.forecast;
    if (!g.fallback.empty() || g.quantiles.size() != num_levels || g.mean.size() != h) continue;
    ++result.windows_used;
    const std::vector<double>& c = centre_of(g);
    for (size_t t = 0; t < h; ++t) {
      const double a = y[origin + t];
      if (!std::isfinite(a)) continue;
      if (!flags.empty() && (flags[origin + t] & kUnusableDayMask) != 0) continue;
      for (size_t l = 0; l < num_levels; ++l) {
        const double p = g.levels[l];
        const double q = g.quantiles[l][t];
        if (std::abs(p - 0.5) < 1e-12) continue;
        const double d = p > 0.5 ? q - c[t] : c[t] - q;
        if (!(d > 1e-12 * std::max(1.0, std::abs(c[t])))) continue;
        scores[l].push_back(p > 0.5 ? (a - c[t]) / d : (c[t] - a) / d);
      }
    }
  }

  const std::vector<double> centre = centre_of(*f);
  bool non_negative = true;
  for (const auto& q : f->quantiles) {
    for (double v : q) non_negative = non_negative && v >= 0.0;
  }
  for (size_t l = 0; l < num_levels; ++l) {
    std::vector<double>& s = scores[l];
    result.points[l] = static_cast<int>(s.size());
    if (s.size() < static_cast<size_t>(options.min_points)) continue;
    const double p = f->levels[l];
    const double coverage = p > 0.5 ? p : 1.0 - p;
    const size_t n = s.size();
    // ceil((n + 1) p') - 1 as a 0-based rank, at most the largest score.
    const size_t rank = std::min(
        n - 1, static_cast<size_t>(std::max(0.0, std::ceil((n + 1) * coverage) - 1.0)));
    std::nth_element(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(rank), s.end());
    const double k = std::clamp(s[rank], kMinCalibrationFactor, kMaxCalibrationFactor);
    result.factor[l] = k;
    result.applied = true;
    for (size_t t = 0; t < h; ++t) {
      double& q = f->quantiles[l][t];
      q = centre[t] + k * (q - centre[t]);
      if (non_negative) q = std::max(q, 0.0);
    }
  }
  if (result.applied) {
    // Keep each step's quantiles non-decreasing in the level.
    for (size_t t = 0; t < h; ++t) {
      for (size_t l = 1; l < num_levels; ++l) {
        f->quantiles[l][t] = std::max(f->quantiles[l][t], f->quantiles[l - 1][t]);
      }
    }
  }
  return result;
}

}  // namespace stockcast::forecast
