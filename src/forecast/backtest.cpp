// Rolling-origin backtest (Tashman 2000, "Out-of-sample tests of forecasting accuracy"). With
// n days, horizon h, step s and W windows the origins are
//   o_k = n - h - k s,   k = W-1, ..., 0   (oldest first; o_0 = n - h leaves exactly h days),
// and window k fits a fresh model on y[0, o_k) and scores its forecast of y[o_k, o_k + h).
// Each window uses a fresh model so that nothing learned from the future leaks into a fit.
// See backtest.h for the scoring rules and the pooled MASE / RMSSE.
#include "stockcast/forecast/backtest.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "stockcast/forecast/calibrate.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kSymmetryTolerance = 1e-9;

// Index pair (lower, upper) of the outermost symmetric levels, l_lower + l_upper = 1 with
// l_lower < 0.5: the smallest such l_lower gives the widest central interval.
std::optional<std::pair<size_t, size_t>> OutermostSymmetricPair(const std::vector<double>& levels) {
  for (size_t i = 0; i < levels.size(); ++i) {  // ascending: the first match is the outermost
    if (!(levels[i] < 0.5)) break;
    for (size_t j = levels.size(); j-- > i + 1;) {
      if (std::fabs(levels[i] + levels[j] - 1.0) <= kSymmetryTolerance) {
        return std::make_pair(i, j);
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Status BacktestOptions::Validate() const {
  if (horizon < 1) {
    return Error::InvalidArgument(
        fmt::format("BacktestOptions::horizon = {}; must be >= 1", horizon));
  }
  if (windows < 1) {
    return Error::InvalidArgument(
        fmt::format("BacktestOptions::windows = {}; must be >= 1", windows));
  }
  if (step < 0) {
    return Error::InvalidArgument(
        fmt::format("BacktestOptions::step = {}; must be >= 0 (0 = horizon)", step));
  }
  if (season_length < 1) {
    return Error::InvalidArgument(
        fmt::format("BacktestOptions::season_length = {}; must be >= 1", season_length));
  }
  if (calibration_windows < 0) {
    return Error::InvalidArgument(fmt::format(
        "BacktestOptions::calibration_windows = {}; must be >= 0 (0 = off)", calibration_windows));
  }
  if (max_history < 0) {
    return Error::InvalidArgument(fmt::format(
        "BacktestOptions::max_history = {}; must be >= 0 (0 = all history)", max_history));
  }
  for (size_t i = 0; i < levels.size(); ++i) {
    if (!(levels[i] > 0.0 && levels[i] < 1.0)) {
      return Error::InvalidArgument(
          fmt::format("BacktestOptions::levels[{}] = {}; must be in (0, 1)", i, levels[i]));
    }
    if (i > 0 && !(levels[i] > levels[i - 1])) {
      return Error::InvalidArgument(fmt::format(
          "BacktestOptions::levels[{}] = {} follows {}; levels must be strictly ascending", i,
          levels[i], levels[i - 1]));
    }
  }
  return Status::Ok();
}

Result<SeriesBacktest> BacktestSeries(std::span<const double> y, std::span<const uint8_t> flags,
                                      const std::string& model, const BacktestOptions& options,
                                      const Regressors& x) {
  SC_RETURN_IF_ERROR(options.Validate());
  // Check the spec once, so a typo is reported as such and not as a failure of window 1.
  {
    auto probe = CreateModel(model);
    if (!probe.ok()) {
      Error error = probe.error();
      error.message = fmt::format("backtest of model \"{}\": {}", model, error.message);
      return error;
    }
  }
  const size_t horizon = static_cast<size_t>(options.horizon);
  const WindowForecaster fit_and_predict = [&](size_t o) -> Result<Forecast> {
    SC_ASSIGN_OR_RETURN(std::unique_ptr<ForecastModel> fitted, CreateModel(model));
    // The fitted stretch: [start, o), at most max_history days.
    const size_t start =
        options.max_history > 0 && o > static_cast<size_t>(options.max_history)
            ? o - static_cast<size_t>(options.max_history)
            : 0;
    const std::span<const uint8_t> train_flags =
        flags.empty() ? std::span<const uint8_t>() : flags.subspan(start, o - start);
    Status fit = Status::Ok();
    Regressors shifted;
    const Regressors* rx = &x;
    if (fitted->UsesRegressors()) {
      if (start > 0) {  // regressors and the calendar start where the fitted stretch does
        shifted.names = x.names;
        for (const auto& v : x.values) {
          shifted.values.emplace_back(v.begin() + static_cast<std::ptrdiff_t>(std::min(start, v.size())), v.end());
        }
        if (x.first_day) shifted.first_day = *x.first_day + static_cast<int64_t>(start);
        rx = &shifted;
      }
      fit = fitted->FitWithRegressors(y.subspan(start, o - start), train_flags,
                                      options.season_length, *rx);
    } else {
      fit = fitted->Fit(y.subspan(start, o - start), train_flags, options.season_length);
    }
    if (!fit.ok()) return fit.error();
    SC_ASSIGN_OR_RETURN(Forecast f, fitted->Predict(options.horizon, options.levels));
    if (options.calibration_windows > 0 && f.fallback.empty() && f.mean.size() == horizon &&
        f.quantiles.size() == options.levels.size()) {
      CalibrateQuantiles(model, y.subspan(start, o - start), train_flags, options.season_length,
                         *rx,
                         {.windows = options.calibration_windows, .min_points = 20}, &f);
    }
    return f;
  };
  return BacktestSeriesWith(y, flags, model, options, fit_and_predict);
}

Result<SeriesBacktest> BacktestSeriesWith(std::span<const double> y,
                                          std::span<const uint8_t> flags,
                                          const std::string& model,
                                          const BacktestOptions& options,
                                          const WindowForecaster& forecaster) {
  SC_RETURN_IF_ERROR(options.Validate());
  if (!flags.empty() && flags.size() != y.size()) {
    return Error::InvalidArgument(
        fmt::format("backtest: flags has {} days but the series has {}; they must match",
                    flags.size(), y.size()));
  }
  const int64_t n = static_cast<int64_t>(y.size());
  const int64_t horizon = options.horizon;
  const int64_t step = options.step > 0 ? options.step : options.horizon;
  const size_t num_levels = options.levels.size();
  const auto pair = OutermostSymmetricPair(options.levels);

  // y with the days that cannot be scored or used for a scale set to NaN: non-finite values
  // and days flagged missing / censored / not launched.
  std::vector<double> clean(y.begin(), y.end());
  for (size_t t = 0; t < clean.size(); ++t) {
    if (!flags.empty() && (flags[t] & kUnusableDayMask) != 0) clean[t] = kNaN;
  }
  // finite_before[t] = number of finite y values in y[0, t).
  std::vector<int64_t> finite_before(y.size() + 1, 0);
  for (size_t t = 0; t < y.size(); ++t) {
    finite_before[t + 1] = finite_before[t] + (std::isfinite(y[t]) ? 1 : 0);
  }

  SeriesBacktest out;
  // Pooled scored steps over all windows.
  std::vector<double> pooled_actual, pooled_mean;
  std::vector<std::vector<double>> pooled_quantiles(num_levels);
  double scaled_abs_sum = 0.0, scaled_sq_sum = 0.0;
  int scaled_abs_count = 0, scaled_sq_count = 0;

  for (int64_t k = options.windows - 1; k >= 0; --k) {
    const int64_t origin = n - horizon - k * step;
    if (origin < 0 || finite_before[static_cast<size_t>(origin)] < 2) {
      ++out.skipped_windows;
      continue;
    }
    const size_t o = static_cast<size_t>(origin);
    const size_t h = static_cast<size_t>(horizon);
    const auto window_error = [&](const Error& e) {
      Error error = e;
      error.message = fmt::format("backtest of model \"{}\", window at origin {} (fit on days "
                                  "[0, {}), forecast [{}, {})): {}",
                                  model, o, o, o, o + h, e.message);
      return error;
    };
    auto predicted = forecaster(o);
    if (!predicted.ok()) return window_error(predicted.error());
    Forecast& f = *predicted;
    if (f.mean.size() != h || f.quantiles.size() != num_levels) {
      return window_error(Error::Internal(fmt::format(
          "model returned {} steps and {} quantile paths; expected {} and {}", f.mean.size(),
          f.quantiles.size(), h, num_levels)));
    }
    for (size_t l = 0; l < num_levels; ++l) {
      if (f.quantiles[l].size() != h) {
        return window_error(Error::Internal(fmt::format(
            "model returned {} steps for level {}; expected {}", f.quantiles[l].size(),
            options.levels[l], h)));
      }
    }

    const std::span<const double> actual(clean.data() + o, h);
    const std::span<const double> train(clean.data(), o);
    WindowResult window;
    window.origin = o;
    window.fallback = f.fallback;
    window.metrics = ComputePointMetrics(actual, f.mean, train, options.season_length);
    if (options.keep_forecasts) {
      window.mean = f.mean;
      const size_t nl = options.levels.size();
      for (size_t l = 0; l < nl / 2; ++l) {
        if (std::abs(options.levels[l] + options.levels[nl - 1 - l] - 1.0) < 1e-9) {
          window.lower = f.quantiles[l];
          window.upper = f.quantiles[nl - 1 - l];
          break;
        }
      }
    }
    out.windows.push_back(std::move(window));

    const double mase_scale = MaseScale(train, options.season_length);
    const double rmsse_scale = RmsseScale(train);
    for (size_t t = 0; t < h; ++t) {
      if (!std::isfinite(actual[t]) || !std::isfinite(f.mean[t])) continue;
      const double e = actual[t] - f.mean[t];
      pooled_actual.push_back(actual[t]);
      pooled_mean.push_back(f.mean[t]);
      for (size_t l = 0; l < num_levels; ++l) pooled_quantiles[l].push_back(f.quantiles[l][t]);
      if (std::isfinite(mase_scale)) {
        scaled_abs_sum += std::fabs(e) / mase_scale;
        ++scaled_abs_count;
      }
      if (std::isfinite(rmsse_scale)) {
        scaled_sq_sum += e * e / rmsse_scale;
        ++scaled_sq_count;
      }
    }
  }

  // Pooled point metrics; the empty training span leaves MASE/RMSSE NaN, replaced below by the
  // per-window-scaled means.
  out.metrics = ComputePointMetrics(pooled_actual, pooled_mean, {}, options.season_length);
  out.metrics.mase = scaled_abs_count > 0 ? scaled_abs_sum / scaled_abs_count : kNaN;
  out.metrics.rmsse = scaled_sq_count > 0 ? std::sqrt(scaled_sq_sum / scaled_sq_count) : kNaN;
  out.pinball.resize(num_levels);
  for (size_t l = 0; l < num_levels; ++l) {
    out.pinball[l] = PinballLoss(pooled_actual, pooled_quantiles[l], options.levels[l]);
  }
  if (pair.has_value()) {
    out.interval = ScoreInterval(pooled_actual, pooled_quantiles[pair->first],
                                 pooled_quantiles[pair->second]);
    out.interval_nominal = options.levels[pair->second] - options.levels[pair->first];
  } else {
    out.interval.coverage = out.interval.width = kNaN;
  }
  return out;
}

}  // namespace stockcast::forecast
