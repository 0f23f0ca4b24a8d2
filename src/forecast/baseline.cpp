// Baseline models. These are deliberately simple: they set the bar later models (ETS, ARIMA,
// ...) must clear, and they stand in when a better model cannot fit a series.
//
// Point forecasts:
//   naive     y(n+h) = last usable value
//   snaive    y(n+h) = last usable value on the same position of the season (m days back,
//             2m back, ... until one is usable)
//   mean      y(n+h) = mean of all usable days
//   ma        y(n+h) = mean of the last `window` usable days
//   drift     y(n+h) = last usable value + h x mean daily change (DriftModel below)
//   wma       y(n+h) = linearly weighted mean of the last `window` usable days (WmaModel below)
//   baseline  y(n+h) = level x profile[(n - 1 + h) mod m], where profile is a day-of-week
//             (season position) factor estimated over the last `profile_weeks` seasons and
//             shrunk toward 1, and level is the deseasonalised mean of the last `window`
//             usable days.
// "Usable" excludes missing, censored (stockout) and not-yet-launched days: a stockout day's
// sales understate demand, so averaging them in would bias every forecast low.
//
// Closed weekdays (baseline): a season position with no observed (non-missing) day in the
// profile window, while other positions have some, is a day the shop does not trade (UCI
// Online Retail never trades on Saturdays: those days are missing, not zero). Its factor is 0
// and the other factors are normalised to average 1 over the trading positions only, so the
// level (mean deseasonalised demand per trading day) times the profile still sums to the
// right weekly total: k trading days x level, not 7 x level.
//
// Short histories (all models): with fewer than `min_days` usable days the days seen say how
// much was sold, not how often. Repeating them (a single launch-day order of 80,995 units
// becoming 80,995 a day) assumes every day of the window looks like the few seen. Instead the
// total S of the usable days is spread over the averaging window W = max(window, usable days)
// (`window` is 28 for models without one): y(n+h) = S / W, i.e. the unobserved rest of the
// window is taken as unknown-but-probably-quiet. There are too few days for an error sample,
// so the quantiles are those of a Poisson count with that mean, the least spread a count can
// have; Forecast::fallback says "short: ..." so runs count and report such series.
//
// Quantiles (all models): empirical, from the distribution of the model's own rolling
// one-step-ahead errors e(t) = y(t) - yhat(t | y[0..t)) over the last `error_days` days. At
// step h the error quantile is scaled by g(h): sqrt(h) for naive (a random walk's h-step error
// sums h one-step errors), sqrt(ceil(h / m)) for snaive, and 1 for the level models (mean, ma,
// baseline), whose error does not compound across steps under their own assumption of a
// constant level. Quantile(h, p) = max(0, mean(h) + g(h) Q_e(p)), which is non-decreasing in p
// because Q_e is. With fewer than kMinErrors errors the sample extremes would be the
// quantiles, so a normal stand-in is used instead, with sigma = max(sd(e), sqrt(mean(h))): at
// least Poisson spread, because a near-empty history says little and should not look certain.
#include "stockcast/forecast/baseline.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "stockcast/forecast/distribution.h"

namespace stockcast::forecast {
namespace {

constexpr int kMinErrors = 10;

enum class Kind { kNaive, kSeasonalNaive, kMean, kMovingAverage, kBaseline };

struct Settings {
  Kind kind = Kind::kBaseline;
  std::string name;
  int window = 28;
  int season = 0;  // snaive: 0 = the season length given at fit
  int profile_weeks = 8;
  double shrinkage = 1.0;
  int error_days = 90;
  int min_days = 7;  // fewer usable days: the short-history rule above
};

// Per-day status for the closed-weekday rule.
enum DayKind : uint8_t { kNotLaunched = 0, kMissingDay = 1, kOpenDay = 2 };

// Day-of-week (season position) factors; closed[p] marks a position the shop does not trade.
struct DayProfile {
  std::vector<double> factor;
  std::vector<uint8_t> closed;
};

class BaselineModel final : public ForecastModel {
 public:
  explicit BaselineModel(Settings settings) : s_(std::move(settings)) {}

  std::string_view name() const override { return s_.name; }

  Status Fit(std::span<const double> y, std::span<const uint8_t> flags,
             int season_length) override {
    SC_RETURN_IF_ERROR(ValidateFitArgs(s_.name, y, flags, season_length));
    const size_t n = y.size();
    y_.assign(n, 0.0);
    usable_.assign(n, 0);
    observed_.assign(n, 0);
    day_kind_.assign(n, kOpenDay);
    cum_sum_.assign(n + 1, 0.0);
    cum_count_.assign(n + 1, 0);
    for (size_t t = 0; t < n; ++t) {
      const bool finite = std::isfinite(y[t]);
      y_[t] = finite ? std::max(0.0, y[t]) : 0.0;  // demand is never negative
      observed_[t] = finite ? 1 : 0;
      const bool bad_day = !flags.empty() && (flags[t] & kUnusableDayMask) != 0;
      usable_[t] = finite && !bad_day ? 1 : 0;
      const uint8_t f = flags.empty() ? uint8_t{0} : flags[t];
      day_kind_[t] = (f & kFlagNotLaunched) != 0                 ? kNotLaunched
                     : (!finite || (f & kFlagMissing) != 0) ? kMissingDay
                                                               : kOpenDay;
      cum_sum_[t + 1] = cum_sum_[t] + (usable_[t] ? y_[t] : 0.0);
      cum_count_[t + 1] = cum_count_[t] + usable_[t];
    }
    season_ = s_.kind == Kind::kSeasonalNaive && s_.season > 0 ? s_.season : season_length;
    fitted_ = true;
    return Status::Ok();
  }

  Result<Forecast> Predict(int horizon, std::span<const double> levels) const override {
    if (!fitted_) return Error::InvalidArgument(fmt::format("{}: Predict before Fit", s_.name));
    SC_RETURN_IF_ERROR(ValidatePredictArgs(s_.name, horizon, levels));
    const int n = static_cast<int>(y_.size());
    Forecast out;
    out.levels.assign(levels.begin(), levels.end());
    out.mean = PointPath(n, horizon, &out.fallback);

    // Rolling one-step-ahead errors of this model over the recent past (only origins where
    // the model itself, not a fallback, would have produced the forecast).
    std::vector<double> errors;
    if (out.fallback.empty()) {
      for (int t = std::max(1, n - s_.error_days); t < n; ++t) {
        if (!usable_[t] || !HasEnoughData(t)) continue;
        std::string unused;
        const std::vector<double> one = PointPath(t, 1, &unused);
        errors.push_back(y_[t] - one[0]);
      }
    }
    std::sort(errors.begin(), errors.end());
    double error_sd = 0.0;
    if (errors.size() >= 2) {
      double m = 0.0;
      for (double e : errors) m += e;
      m /= static_cast<double>(errors.size());
      double ss = 0.0;
      for (double e : errors) ss += (e - m) * (e - m);
      error_sd = std::sqrt(ss / static_cast<double>(errors.size() - 1));
    }

    out.quantiles.assign(levels.size(), std::vector<double>(static_cast<size_t>(horizon), 0.0));
    const bool all_zero_fallback = out.fallback.rfind("zero", 0) == 0;
    const bool short_fallback = out.fallback.rfind("short", 0) == 0;
    // Closed weekdays have no demand, so no spread either (the errors come from trading days).
    std::vector<uint8_t> closed_step(static_cast<size_t>(horizon), 0);
    if (s_.kind == Kind::kBaseline && out.fallback.empty()) {
      const DayProfile profile = Profile(n);
      for (int h = 1; h <= horizon; ++h) {
        closed_step[static_cast<size_t>(h - 1)] =
            profile.closed[static_cast<size_t>((n - 1 + h) % season_)];
      }
    }
    for (int h = 1; h <= horizon; ++h) {
      const double mean = out.mean[static_cast<size_t>(h - 1)];
      const double growth = Growth(h);
      double previous = 0.0;
      for (size_t l = 0; l < levels.size(); ++l) {
        double q = 0.0;
        if (all_zero_fallback || closed_step[static_cast<size_t>(h - 1)]) {
          q = 0.0;  // nothing known / shop closed: the forecast is zero and so is its spread
        } else if (short_fallback) {
          q = PoissonQuantile(mean, levels[l]);
        } else if (static_cast<int>(errors.size()) >= kMinErrors) {
          q = mean + growth * EmpiricalQuantile(errors, levels[l]);
        } else {
          const double sigma = std::max(error_sd, std::sqrt(std::max(mean, 0.0)));
          q = mean + growth * NormalQuantile(levels[l]) * sigma;
        }
        // Clip at zero (demand) and guard monotonicity against rounding.
        q = std::max({q, 0.0, previous});
        out.quantiles[l][static_cast<size_t>(h - 1)] = q;
        previous = q;
      }
    }
    return out;
  }

 private:
  int UsableBefore(int n) const { return cum_count_[static_cast<size_t>(n)]; }

  bool HasEnoughData(int n) const {
    const int need = std::max(s_.min_days, s_.kind == Kind::kSeasonalNaive ? season_ : 1);
    return UsableBefore(n) >= need;
  }

  double Growth(int h) const {
    switch (s_.kind) {
      case Kind::kNaive: return std::sqrt(static_cast<double>(h));
      case Kind::kSeasonalNaive:
        return std::sqrt(static_cast<double>((h + season_ - 1) / season_));
      case Kind::kMean:
      case Kind::kMovingAverage:
      case Kind::kBaseline: return 1.0;
    }
    return 1.0;
  }

  // Mean of the last `window` usable days before n (all of them when fewer).
  double RecentMean(int n, int window) const {
    double sum = 0.0;
    int count = 0;
    for (int t = n - 1; t >= 0 && count < window; --t) {
      if (!usable_[t]) continue;
      sum += y_[t];
      ++count;
    }
    return count > 0 ? sum / count : 0.0;
  }

  // Point forecasts for steps 1..horizon from the data y[0..n). Sets *fallback when the model
  // cannot run on this prefix and a simpler rule is used.
  std::vector<double> PointPath(int n, int horizon, std::string* fallback) const {
    const size_t hz = static_cast<size_t>(horizon);
    const int usable = UsableBefore(n);
    if (usable == 0) {
      // Only censored or flagged days (or nothing): their mean is a lower bound on demand,
      // still better than zero; with no numbers at all, forecast zero.
      double sum = 0.0;
      int count = 0;
      for (int t = 0; t < n; ++t) {
        if (observed_[t]) {
          sum += y_[t];
          ++count;
        }
      }
      if (count > 0) {
        *fallback = fmt::format("mean of {} censored/flagged days: no usable days", count);
        return std::vector<double>(hz, sum / count);
      }
      *fallback = "zero: no data";
      return std::vector<double>(hz, 0.0);
    }
    if (usable < s_.min_days) {
      // Short history: the total of the usable days spread over the averaging window (see the
      // file comment); W >= usable keeps the rate at or below the mean of the days seen.
      const int window = std::max(s_.window, usable);
      const double total = cum_sum_[static_cast<size_t>(n)];
      *fallback = fmt::format(
          "short: {} usable day{} < min_days {}; their total {} spread over {} days", usable,
          usable == 1 ? "" : "s", s_.min_days, total, window);
      return std::vector<double>(hz, total / window);
    }
    if (!HasEnoughData(n)) {
      *fallback = fmt::format("mean: {} usable days, {} needs {}", usable, s_.name, season_);
      return std::vector<double>(hz, cum_sum_[static_cast<size_t>(n)] / usable);
    }
    std::vector<double> out(hz, 0.0);
    switch (s_.kind) {
      case Kind::kNaive: {
        int t = n - 1;
        while (!usable_[t]) --t;  // usable > 0 guarantees one exists
        std::fill(out.begin(), out.end(), y_[t]);
        break;
      }
      case Kind::kSeasonalNaive: {
        const double overall = cum_sum_[static_cast<size_t>(n)] / usable;
        for (int h = 1; h <= horizon; ++h) {
          // Latest day before n on the same season position as n - 1 + h.
          int t = n - 1 - ((season_ - 1 - (h - 1) % season_) % season_);
          while (t >= 0 && !usable_[t]) t -= season_;
          out[static_cast<size_t>(h - 1)] = t >= 0 ? y_[t] : overall;
        }
        break;
      }
      case Kind::kMean:
        std::fill(out.begin(), out.end(), cum_sum_[static_cast<size_t>(n)] / usable);
        break;
      case Kind::kMovingAverage:
        std::fill(out.begin(), out.end(), RecentMean(n, s_.window));
        break;
      case Kind::kBaseline: {
        const DayProfile dp = Profile(n);
        const std::vector<double>& profile = dp.factor;
        // Level: ratio estimator sum(y) / sum(profile) over the last `window` usable days,
        // i.e. the mean deseasonalised demand per trading day, stable even when a profile
        // factor is small. Days on a now-closed position (only possible when the window
        // reaches past the profile window) are skipped: the level is per trading day.
        double sum_y = 0.0;
        double sum_p = 0.0;
        int count = 0;
        for (int t = n - 1; t >= 0 && count < s_.window; --t) {
          if (!usable_[t] || dp.closed[static_cast<size_t>(t % season_)]) continue;
          sum_y += y_[t];
          sum_p += profile[static_cast<size_t>(t % season_)];
          ++count;
        }
        const double level = sum_p > 0.0 ? sum_y / sum_p : sum_y / std::max(count, 1);
        for (int h = 1; h <= horizon; ++h) {
          out[static_cast<size_t>(h - 1)] =
              level * profile[static_cast<size_t>((n - 1 + h) % season_)];
        }
        break;
      }
    }
    return out;
  }

  // Season-position factors over the last profile_weeks seasons before n. Raw factor
  // r_p = mean(y on position p) / mean(y); with c_p usable days on p it is shrunk toward 1 as
  // (c_p r_p + k) / (c_p + k), k = shrinkage, so a short history gives a flat profile. The
  // factors are then rescaled to average 1 over the trading positions so that they
  // redistribute, not change, the level. A closed position (no observed day in the window but
  // at least one missing day, while some other position was observed) gets factor 0.
  DayProfile Profile(int n) const {
    const size_t m = static_cast<size_t>(season_);
    DayProfile out{std::vector<double>(m, 1.0), std::vector<uint8_t>(m, 0)};
    if (season_ <= 1 || s_.profile_weeks <= 0) return out;
    std::vector<double>& profile = out.factor;
    std::vector<double> sum(m, 0.0);
    std::vector<int> count(m, 0);
    std::vector<int> open(m, 0);
    std::vector<int> missing(m, 0);
    double total = 0.0;
    int total_count = 0;
    for (int t = std::max(0, n - s_.profile_weeks * season_); t < n; ++t) {
      const size_t p = static_cast<size_t>(t % season_);
      if (day_kind_[t] == kOpenDay) ++open[p];
      if (day_kind_[t] == kMissingDay) ++missing[p];
      if (!usable_[t]) continue;
      sum[p] += y_[t];
      ++count[p];
      total += y_[t];
      ++total_count;
    }
    const bool any_open = std::any_of(open.begin(), open.end(), [](int c) { return c > 0; });
    for (size_t p = 0; p < m; ++p) {
      out.closed[p] = any_open && open[p] == 0 && missing[p] > 0 ? 1 : 0;
    }
    const double overall = total_count > 0 && total > 0.0 ? total / total_count : 0.0;
    double average = 0.0;
    int trading = 0;
    for (size_t p = 0; p < m; ++p) {
      if (out.closed[p]) {
        profile[p] = 0.0;
        continue;
      }
      if (overall > 0.0 && count[p] > 0) {
        const double raw = sum[p] / count[p] / overall;
        profile[p] = (count[p] * raw + s_.shrinkage) / (count[p] + s_.shrinkage);
      }
      average += profile[p];
      ++trading;
    }
    if (trading > 0 && average > 0.0) {
      average /= static_cast<double>(trading);
      for (double& f : profile) f /= average;
    }
    return out;
  }

  Settings s_;
  int season_ = 7;
  bool fitted_ = false;
  std::vector<double> y_;
  std::vector<uint8_t> usable_;
  std::vector<uint8_t> observed_;
  std::vector<uint8_t> day_kind_;  // DayKind per day
  std::vector<double> cum_sum_;  // prefix sums over usable days
  std::vector<int> cum_count_;
};

ParamSpec ErrorDaysSpec() {
  return {"error_days", ParamType::kInt, "90", 0, 3650,
          "recent days whose one-step-ahead errors set the quantiles"};
}

ParamSpec MinDaysSpec() {
  return {"min_days", ParamType::kInt, "7", 1, 3650,
          "with fewer usable days, forecast their total spread over the averaging window "
          "(`window`, else 28 days) with Poisson quantiles; marked as a fallback"};
}

ModelFactory Factory(Kind kind, std::string name) {
  return [kind, name](const ParamValues& values) -> std::unique_ptr<ForecastModel> {
    Settings s;
    s.kind = kind;
    s.name = name;
    s.error_days = values.GetInt("error_days");
    s.min_days = values.GetInt("min_days");
    if (kind == Kind::kMovingAverage || kind == Kind::kBaseline) s.window = values.GetInt("window");
    if (kind == Kind::kSeasonalNaive) s.season = values.GetInt("season");
    if (kind == Kind::kBaseline) {
      s.profile_weeks = values.GetInt("profile_weeks");
      s.shrinkage = values.GetDouble("shrinkage");
    }
    return std::make_unique<BaselineModel>(std::move(s));
  };
}

// --- drift and wma ------------------------------------------------------------------------
//
// drift: random walk with drift (R's rwf(drift = TRUE); Hyndman & Athanasopoulos, FPP2 sec.
// 3.1 and 3.5). On the usable days t_0 < t_1 < ... < t_k (gaps allowed: a NaN or censored day
// is not observed), the increment over a gap of g_i = t_i - t_{i-1} days has mean g_i b and
// variance g_i sigma^2, so the GLS estimates are
//   b = (y_{t_k} - y_{t_0}) / T,  T = t_k - t_0,
//   sigma^2 = sum_i (Delta_i - g_i b)^2 / g_i / (k - 1),
// which without gaps are R's b = (y_n - y_1) / (n - 1) and sigma = sd of the differences. With
// s = h + (days after the last usable day) steps ahead of the last usable value,
//   mean = y_{t_k} + s b,  sd = sigma sqrt(s + s^2 / T)   (Var b = sigma^2 / T),
// i.e. R's sigma sqrt(h (1 + h / (n - 1))) when the last day is usable.
class DriftModel final : public ForecastModel {
 public:
  explicit DriftModel(int min_days) : min_days_(min_days) {}
  std::string_view name() const override { return "drift"; }

  Status Fit(std::span<const double> y, std::span<const uint8_t> flags,
             int season_length) override {
    SC_RETURN_IF_ERROR(ValidateFitArgs("drift", y, flags, season_length));
    fitted_ = true;
    y_.assign(y.begin(), y.end());
    flags_.assign(flags.begin(), flags.end());
    const UsableSeries series = PrepareSeries(y, flags);
    const std::vector<double>& z = series.y;
    int first = -1, last = -1, increments = 0;
    for (int t = 0; t < static_cast<int>(z.size()); ++t) {
      if (!std::isfinite(z[static_cast<size_t>(t)])) continue;
      if (first < 0) first = t;
      if (last >= 0) ++increments;
      last = t;
    }
    if (increments < 1) {
      slope_ = 0.0;
      sigma_ = 0.0;
      span_ = 1.0;
      last_value_ = last >= 0 ? z[static_cast<size_t>(last)] : 0.0;
      steps_after_ = 0;
      return Status::Ok();
    }
    span_ = last - first;
    slope_ = (z[static_cast<size_t>(last)] - z[static_cast<size_t>(first)]) / span_;
    double ss = 0.0;
    int previous = first;
    for (int t = first + 1; t <= last; ++t) {
      if (!std::isfinite(z[static_cast<size_t>(t)])) continue;
      const double g = t - previous;
      const double e = z[static_cast<size_t>(t)] - z[static_cast<size_t>(previous)] - g * slope_;
      ss += e * e / g;
      previous = t;
    }
    sigma_ = increments >= 2 ? std::sqrt(ss / (increments - 1)) : 0.0;
    last_value_ = z[static_cast<size_t>(last)];
    steps_after_ = static_cast<int>(z.size()) - 1 - last;
    return Status::Ok();
  }

  Result<Forecast> Predict(int horizon, std::span<const double> levels) const override {
    SC_RETURN_IF_ERROR(ValidatePredictArgs("drift", horizon, levels));
    if (!fitted_) return Error::InvalidArgument("drift: Predict before Fit; call Fit first");
    if (std::optional<Forecast> f =
            ShortHistoryForecast("drift", y_, flags_, min_days_, 28, horizon, levels)) {
      return *std::move(f);
    }
    Forecast out;
    const size_t hz = static_cast<size_t>(horizon);
    out.mean.resize(hz);
    std::vector<double> sd(hz);
    for (size_t h = 0; h < hz; ++h) {
      const double s = static_cast<double>(h + 1) + steps_after_;
      out.mean[h] = last_value_ + s * slope_;
      sd[h] = sigma_ * std::sqrt(s + s * s / span_);
    }
    NormalQuantiles(out.mean, sd, levels, &out);
    ClampForecast(&out);
    return out;
  }

 private:
  int min_days_ = 7;
  bool fitted_ = false;
  std::vector<double> y_;
  std::vector<uint8_t> flags_;
  double slope_ = 0.0, sigma_ = 0.0, span_ = 1.0, last_value_ = 0.0;
  int steps_after_ = 0;
};

// wma: weighted moving average of the last k usable values, weights k, k - 1, ..., 1 newest
// first: yhat = sum_{i=0}^{k-1} (k - i) v_i / (k (k + 1) / 2), v_0 the newest (fewer than k
// usable values: the same rule with k = their count). A level forecast: the same for every
// step. Quantiles: normal, mean + z sigma, with sigma the root mean square of the in-sample
// one-step errors e_t = y_t - yhat(t | the k usable values before t) over the usable days of the
// last `error_days` days (each needs k usable values before it); as for the baseline level
// models the spread does not widen with h. With fewer than kMinErrors errors sigma =
// max(rmse, sqrt(mean)): at least Poisson spread.
class WmaModel final : public ForecastModel {
 public:
  WmaModel(int window, int error_days, int min_days)
      : window_(window), error_days_(error_days), min_days_(min_days) {}
  std::string_view name() const override { return "wma"; }

  Status Fit(std::span<const double> y, std::span<const uint8_t> flags,
             int season_length) override {
    SC_RETURN_IF_ERROR(ValidateFitArgs("wma", y, flags, season_length));
    fitted_ = true;
    y_.assign(y.begin(), y.end());
    flags_.assign(flags.begin(), flags.end());
    const UsableSeries series = PrepareSeries(y, flags);
    values_.clear();
    index_.clear();
    for (size_t t = 0; t < series.y.size(); ++t) {
      if (!std::isfinite(series.y[t])) continue;
      values_.push_back(series.y[t]);
      index_.push_back(static_cast<int>(series.offset + t));
    }
    return Status::Ok();
  }

  Result<Forecast> Predict(int horizon, std::span<const double> levels) const override {
    SC_RETURN_IF_ERROR(ValidatePredictArgs("wma", horizon, levels));
    if (!fitted_) return Error::InvalidArgument("wma: Predict before Fit; call Fit first");
    if (std::optional<Forecast> f =
            ShortHistoryForecast("wma", y_, flags_, min_days_, 28, horizon, levels)) {
      return *std::move(f);
    }
    const size_t count = values_.size();
    const double mean = Weighted(count);
    double ss = 0.0;
    int errors = 0;
    const int first_day = static_cast<int>(y_.size()) - error_days_;
    for (size_t j = static_cast<size_t>(window_); j < count; ++j) {
      if (index_[j] < first_day) continue;
      const double e = values_[j] - Weighted(j);
      ss += e * e;
      ++errors;
    }
    double sigma = errors > 0 ? std::sqrt(ss / errors) : 0.0;
    if (errors < kMinErrors) sigma = std::max(sigma, std::sqrt(std::max(mean, 0.0)));
    Forecast out;
    const size_t hz = static_cast<size_t>(horizon);
    out.mean.assign(hz, mean);
    NormalQuantiles(out.mean, std::vector<double>(hz, sigma), levels, &out);
    ClampForecast(&out);
    return out;
  }

 private:
  // WMA of the usable values before position `end` of values_ (the last min(k, end) of them).
  double Weighted(size_t end) const {
    const size_t k = std::min(static_cast<size_t>(window_), end);
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < k; ++i) {
      const double w = static_cast<double>(k - i);
      num += w * values_[end - 1 - i];
      den += w;
    }
    return den > 0.0 ? num / den : 0.0;
  }

  int window_ = 7, error_days_ = 90, min_days_ = 7;
  bool fitted_ = false;
  std::vector<double> y_;
  std::vector<uint8_t> flags_;
  std::vector<double> values_;  // usable values, oldest first
  std::vector<int> index_;      // their day in the input
};

}  // namespace

Status RegisterBaselineModels(ModelRegistry& registry) {
  SC_RETURN_IF_ERROR(registry.Register(
      {"naive", "last usable value, repeated; quantiles from its one-step errors, widening as sqrt(h)",
       ParamSchema({ErrorDaysSpec(), MinDaysSpec()}), Factory(Kind::kNaive, "naive")}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"snaive", "seasonal naive: the value one season earlier (7 days for daily data)",
       ParamSchema({{"season", ParamType::kInt, "0", 0, 366,
                     "season length in days; 0 = the series' own (7 for daily data)"},
                    ErrorDaysSpec(), MinDaysSpec()}),
       Factory(Kind::kSeasonalNaive, "snaive")}));
  SC_RETURN_IF_ERROR(registry.Register({"mean", "mean of all usable days",
                                        ParamSchema({ErrorDaysSpec(), MinDaysSpec()}),
                                        Factory(Kind::kMean, "mean")}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"ma", "moving average of the last `window` usable days",
       ParamSchema({{"window", ParamType::kInt, "28", 1, 3650, "usable days averaged"},
                    ErrorDaysSpec(), MinDaysSpec()}),
       Factory(Kind::kMovingAverage, "ma")}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"baseline",
       "recent level x day-of-week profile (shrunk toward flat when history is short; 0 on "
       "weekdays never traded); stockout and missing days excluded",
       ParamSchema({{"window", ParamType::kInt, "28", 1, 3650,
                     "usable days whose deseasonalised mean is the level"},
                    {"profile_weeks", ParamType::kInt, "8", 0, 520,
                     "seasons (weeks) used to estimate the day-of-week profile; 0 = flat"},
                    {"shrinkage", ParamType::kDouble, "1", 0, 1e6,
                     "pseudo-days pulling each profile factor toward 1"},
                    ErrorDaysSpec(), MinDaysSpec()}),
       Factory(Kind::kBaseline, "baseline")}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"drift",
       "random walk with drift (R's rwf(drift = TRUE)): last value + h x the mean daily change",
       ParamSchema({MinDaysSpec()}),
       [](const ParamValues& v) -> std::unique_ptr<ForecastModel> {
         return std::make_unique<DriftModel>(v.GetInt("min_days"));
       }}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"wma",
       "weighted moving average of the last `window` usable days, linear weights newest first",
       ParamSchema({{"window", ParamType::kInt, "7", 1, 3650, "usable days averaged (k)"},
                    ErrorDaysSpec(), MinDaysSpec()}),
       [](const ParamValues& v) -> std::unique_ptr<ForecastModel> {
         return std::make_unique<WmaModel>(v.GetInt("window"), v.GetInt("error_days"),
                                           v.GetInt("min_days"));
       }}));
  return Status::Ok();
}

}  // namespace stockcast::forecast
