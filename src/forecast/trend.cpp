// Trend regression models (see trend.h for the models and their rules).
//
// Fitting: each usable day contributes one row x_t = (1, t - tbar, d_1, ..., d_k) (t - tbar
// centres the trend column so X'X stays well conditioned for long daily series; the fitted
// values are unchanged). Every row has at most three non-zeros, so X'X and X'y are
// accumulated in O(n) and solved by Cholesky (p <= 2 + max_season), then
//   beta = (X'X)^-1 X'y, s^2 = sum (y - x beta)^2 / (n - p),
//   mean(h) = x0' beta, se(h) = s sqrt(1 + x0' (X'X)^-1 x0), q(h, level) = mean + t_{n-p}(level) se
// with x0 the row of day n - 1 + h.
#include "stockcast/forecast/trend.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "stockcast/forecast/distribution.h"

namespace stockcast::forecast {
namespace {

struct TrendSettings {
  std::string name;
  bool log = false;
  int season = 0;  // 0 = the season length given at fit
  int max_season = 60;
  int min_days = 7;
};

class TrendModel final : public ForecastModel {
 public:
  explicit TrendModel(TrendSettings s) : s_(std::move(s)) {}
  std::string_view name() const override { return s_.name; }

  Status Fit(std::span<const double> y, std::span<const uint8_t> flags,
             int season_length) override {
    SC_RETURN_IF_ERROR(ValidateFitArgs(s_.name, y, flags, season_length));
    fitted_ = true;
    ok_ = false;
    y_.assign(y.begin(), y.end());
    flags_.assign(flags.begin(), flags.end());
    const UsableSeries series = PrepareSeries(y, flags);
    if (series.usable < s_.min_days) return Status::Ok();  // Predict: ShortHistoryForecast
    const std::vector<double>& z = series.y;
    n_ = static_cast<int>(y.size());
    offset_ = static_cast<int>(series.offset);
    // Response: y, log y, or log(1 + y) when a usable value is not positive.
    shift_ = 0.0;
    if (s_.log) {
      for (double v : z) {
        if (std::isfinite(v) && v <= 0.0) shift_ = 1.0;
      }
    }
    auto response = [&](double v) { return s_.log ? std::log(v + shift_) : v; };
    const int usable = series.usable;
    mean_usable_ = 0.0;
    for (double v : z) mean_usable_ += std::isfinite(v) ? v : 0.0;
    mean_usable_ /= usable;
    if (usable < 3) {
      fallback_ = fmt::format("mean: {} usable values; {} needs at least 3", usable, s_.name);
      return Status::Ok();
    }
    fallback_.clear();
    // Season dummies (see trend.h for when): positions with an observation, the first of them
    // the reference (no column).
    m_ = s_.season > 0 ? s_.season : season_length;
    column_of_.assign(static_cast<size_t>(std::max(m_, 1)), -1);
    int k = 0;
    bool seasonal = m_ >= 2 && m_ <= s_.max_season && static_cast<int>(z.size()) >= 2 * m_;
    if (seasonal) {
      std::vector<uint8_t> seen(static_cast<size_t>(m_), 0);
      for (size_t i = 0; i < z.size(); ++i) {
        if (std::isfinite(z[i])) seen[static_cast<size_t>(Position(static_cast<int>(i)))] = 1;
      }
      bool reference = true;
      for (int p = 0; p < m_; ++p) {
        if (!seen[static_cast<size_t>(p)]) continue;
        if (reference) {
          reference = false;
          column_of_[static_cast<size_t>(p)] = -2;  // observed, reference level
          continue;
        }
        column_of_[static_cast<size_t>(p)] = 2 + k++;
      }
      if (usable - (2 + k) < 2) seasonal = false;
    }
    if (!seasonal) {
      k = 0;
      std::fill(column_of_.begin(), column_of_.end(), -1);
    }
    observed_positions_ = seasonal ? k + 1 : 0;
    p_ = 2 + k;
    // Centre of the trend column over the usable days.
    tbar_ = 0.0;
    for (size_t i = 0; i < z.size(); ++i) tbar_ += std::isfinite(z[i]) ? static_cast<double>(i) : 0.0;
    tbar_ /= usable;
    Eigen::MatrixXd xtx = Eigen::MatrixXd::Zero(p_, p_);
    Eigen::VectorXd xty = Eigen::VectorXd::Zero(p_);
    for (size_t i = 0; i < z.size(); ++i) {
      if (!std::isfinite(z[i])) continue;
      const double r = response(z[i]);
      const double u = static_cast<double>(i) - tbar_;
      const int c = seasonal ? column_of_[static_cast<size_t>(Position(static_cast<int>(i)))] : -1;
      xtx(0, 0) += 1.0;
      xtx(0, 1) += u;
      xtx(1, 1) += u * u;
      xty(0) += r;
      xty(1) += u * r;
      if (c >= 2) {
        xtx(0, c) += 1.0;
        xtx(1, c) += u;
        xtx(c, c) += 1.0;
        xty(c) += r;
      }
    }
    xtx = xtx.selfadjointView<Eigen::Upper>();
    Eigen::LDLT<Eigen::MatrixXd> ldlt(xtx);
    if (ldlt.info() != Eigen::Success) {
      fallback_ = fmt::format("mean: {}: the regression is singular", s_.name);
      return Status::Ok();
    }
    beta_ = ldlt.solve(xty);
    xtx_inv_ = ldlt.solve(Eigen::MatrixXd::Identity(p_, p_));
    double rss = 0.0;
    for (size_t i = 0; i < z.size(); ++i) {
      if (!std::isfinite(z[i])) continue;
      const double e = response(z[i]) - Row(static_cast<int>(i)).dot(beta_);
      rss += e * e;
    }
    df_ = usable - p_;
    sigma_ = std::sqrt(rss / df_);
    z_size_ = static_cast<int>(z.size());
    ok_ = true;
    return Status::Ok();
  }

  Result<Forecast> Predict(int horizon, std::span<const double> levels) const override {
    SC_RETURN_IF_ERROR(ValidatePredictArgs(s_.name, horizon, levels));
    if (!fitted_) {
      return Error::InvalidArgument(fmt::format("{}: Predict before Fit; call Fit first", s_.name));
    }
    if (std::optional<Forecast> f =
            ShortHistoryForecast(s_.name, y_, flags_, s_.min_days, 28, horizon, levels)) {
      return *std::move(f);
    }
    Forecast out;
    const size_t hz = static_cast<size_t>(horizon);
    out.levels.assign(levels.begin(), levels.end());
    out.quantiles.assign(levels.size(), std::vector<double>(hz, 0.0));
    if (!ok_) {
      out.fallback = fallback_;
      out.mean.assign(hz, mean_usable_);
      for (size_t l = 0; l < levels.size(); ++l) {
        std::fill(out.quantiles[l].begin(), out.quantiles[l].end(),
                  PoissonQuantile(mean_usable_, levels[l]));
      }
      ClampForecast(&out);
      return out;
    }
    std::vector<double> tq(levels.size());
    for (size_t l = 0; l < levels.size(); ++l) tq[l] = StudentTQuantile(df_, levels[l]);
    out.mean.resize(hz);
    constexpr double kMaxLog = 700.0;  // exp(700) is finite; beyond, the clamp guards
    for (size_t h = 0; h < hz; ++h) {
      const Eigen::VectorXd x0 = Row(z_size_ + static_cast<int>(h));
      const double mu = x0.dot(beta_);
      const double se = sigma_ * std::sqrt(1.0 + x0.dot(xtx_inv_ * x0));
      if (s_.log) {
        out.mean[h] = std::exp(std::min(mu + 0.5 * se * se, kMaxLog)) - shift_;
        for (size_t l = 0; l < levels.size(); ++l) {
          out.quantiles[l][h] = std::exp(std::min(mu + tq[l] * se, kMaxLog)) - shift_;
        }
      } else {
        out.mean[h] = mu;
        for (size_t l = 0; l < levels.size(); ++l) out.quantiles[l][h] = mu + tq[l] * se;
      }
    }
    ClampForecast(&out);
    return out;
  }

  std::string Chosen() const override {
    if (!ok_) return s_.name;
    const std::string season = p_ > 2 ? fmt::format(" + season({})", m_) : "";
    if (!s_.log) return fmt::format("lm(y ~ trend{})", season);
    return fmt::format("lm({}(y) ~ trend{})", shift_ > 0 ? "log1p" : "log", season);
  }

 private:
  // Season position of index i of the usable series (counted from the input's first day).
  int Position(int i) const { return (offset_ + i) % m_; }

  // Regression row of index i of the usable series (i >= its length: the future).
  Eigen::VectorXd Row(int i) const {
    Eigen::VectorXd x = Eigen::VectorXd::Zero(p_);
    x(0) = 1.0;
    x(1) = static_cast<double>(i) - tbar_;
    if (p_ > 2) {
      const int c = column_of_[static_cast<size_t>(Position(i))];
      if (c >= 2) {
        x(c) = 1.0;
      } else if (c == -1) {
        // Never observed: the average effect of the observed positions (reference = 0).
        for (int j = 2; j < p_; ++j) x(j) = 1.0 / observed_positions_;
      }
    }
    return x;
  }

  TrendSettings s_;
  bool fitted_ = false, ok_ = false;
  std::vector<double> y_;
  std::vector<uint8_t> flags_;
  std::string fallback_;
  double mean_usable_ = 0.0;
  int n_ = 0, offset_ = 0, m_ = 1, p_ = 2, df_ = 1, z_size_ = 0, observed_positions_ = 0;
  std::vector<int> column_of_;  // position -> column (>= 2), -2 reference, -1 unobserved
  double shift_ = 0.0, tbar_ = 0.0, sigma_ = 0.0;
  Eigen::VectorXd beta_;
  Eigen::MatrixXd xtx_inv_;
};

ModelFactory TrendFactory(bool log) {
  return [log](const ParamValues& v) -> std::unique_ptr<ForecastModel> {
    TrendSettings s;
    s.name = log ? "exp_trend" : "lm_trend";
    s.log = log;
    s.season = v.GetInt("season");
    s.max_season = v.GetInt("max_season");
    s.min_days = v.GetInt("min_days");
    return std::make_unique<TrendModel>(std::move(s));
  };
}

ParamSchema TrendSchema() {
  return ParamSchema(
      {{"season", ParamType::kInt, "0", 0, 366,
        "season length in days; 0 = the series' own (7 for daily data); 1 = no season dummies"},
       {"max_season", ParamType::kInt, "60", 0, 366,
        "no season dummies for longer seasons (a regression on trend only)"},
       {"min_days", ParamType::kInt, "7", 1, 3650,
        "with fewer usable days, forecast their total spread over 28 days with Poisson "
        "quantiles; marked as a fallback"}});
}

}  // namespace

Status RegisterTrendModels(ModelRegistry& registry) {
  SC_RETURN_IF_ERROR(registry.Register(
      {"lm_trend",
       "linear trend + season dummies by least squares (as R's tslm(y ~ trend + season)); "
       "Student-t prediction intervals",
       TrendSchema(), TrendFactory(false)}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"exp_trend",
       "exponential trend: the lm_trend regression on log y (log(1 + y) when there are zeros), "
       "back-transformed",
       TrendSchema(), TrendFactory(true)}));
  return Status::Ok();
}

}  // namespace stockcast::forecast
