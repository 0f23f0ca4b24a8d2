// Regression on demand drivers: ridge regression, conjugate Bayesian regression and a discount
// dynamic linear model, sharing one design-matrix builder. See regression.h for the models'
// mathematics; this file comments the choices made on the way.
//
// Transform and back-transform (regression, bayes_regression, dlm). The linear model is fitted
// to z = log(1 + y) (transform=log1p, the default) or z = y (transform=none). Quantiles
// commute with monotone maps, so a quantile of y is expm1(quantile of z) exactly. The mean
// does not: if z ~ N(mu, v) then 1 + y is lognormal and E[y] = exp(mu + v / 2) - 1 (Aitchison &
// Brown 1957). That is what regression reports. A Student-t z has no exponential moment (its
// E[exp(z)] is infinite), so bayes_regression and dlm use the lognormal mean with the t's
// variance v = scale^2 dof / (dof - 2), i.e. the normal with the t's first two moments; with
// dof <= 2 (no variance) they report the median expm1(location). With transform=none the mean
// is the location and nothing is corrected. Negative values are clamped to 0 (demand).
//
// Usable days: PrepareSeries removes missing, censored (stockout) and not-launched days, so a
// censored low day never pulls the fit down; a day whose feature row is unavailable (NaN
// regressor, lag before day 0, non-positive price) is also left out. The dlm treats both as
// missing observations: the state evolves through them and nothing is learned.
//
// Standardisation: every feature is centred and scaled by its mean and standard deviation over
// the usable days before fitting, so one ridge penalty treats all features alike and the NIG
// prior variance is in units of "effect of a one-sd change". A feature constant over the usable
// days (a festival that never occurred in the history, a promotion never run) carries no
// information and is dropped (RegressionSummary::dropped); a planned future value of a dropped
// feature therefore has no effect on the forecast. Coefficients are reported back on the
// features' original scale: b_orig_j = b_j / sd_j, intercept_orig = intercept - sum_j b_orig_j
// mean_j.
#include "stockcast/forecast/regression.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include <Eigen/Dense>
#include <fmt/format.h>
#include <nlopt.hpp>

#include "stockcast/core/calendar.h"
#include "stockcast/core/date.h"
#include "stockcast/forecast/distribution.h"
#include "forecast/features.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;

}  // namespace

// --- Enums ---------------------------------------------------------------------------------

std::string_view ToString(DemandTransform transform) {
  switch (transform) {
    case DemandTransform::kLog1p: return "log1p";
    case DemandTransform::kNone: return "none";
  }
  return "none";
}

std::optional<DemandTransform> ParseDemandTransform(std::string_view text) {
  for (DemandTransform t : {DemandTransform::kLog1p, DemandTransform::kNone}) {
    if (ToString(t) == text) return t;
  }
  return std::nullopt;
}

std::string_view ToString(WeekdayMode mode) {
  switch (mode) {
    case WeekdayMode::kDummies: return "dummies";
    case WeekdayMode::kFourier: return "fourier";
    case WeekdayMode::kNone: return "none";
  }
  return "none";
}

std::optional<WeekdayMode> ParseWeekdayMode(std::string_view text) {
  for (WeekdayMode m : {WeekdayMode::kDummies, WeekdayMode::kFourier, WeekdayMode::kNone}) {
    if (ToString(m) == text) return m;
  }
  return std::nullopt;
}

std::optional<double> RegressionSummary::Find(std::string_view name) const {
  for (const Coefficient& c : coefficients) {
    if (c.name == name) return c.value;
  }
  return std::nullopt;
}

// --- Lags ----------------------------------------------------------------------------------

Result<std::vector<LagSpec>> ParseLags(std::string_view text) {
  std::vector<LagSpec> out;
  auto parse_int = [](std::string_view s, int* v) {
    if (s.empty() || s.size() > 4) return false;
    int r = 0;
    for (char ch : s) {
      if (ch < '0' || ch > '9') return false;
      r = r * 10 + (ch - '0');
    }
    *v = r;
    return true;
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(';', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = text.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    const size_t colon = item.rfind(':');
    LagSpec spec;
    const std::string_view range = colon == std::string_view::npos ? "" : item.substr(colon + 1);
    const size_t dash = range.find('-');
    const bool ok =
        colon != std::string_view::npos && colon > 0 &&
        (dash == std::string_view::npos
             ? parse_int(range, &spec.first)
             : parse_int(range.substr(0, dash), &spec.first) &&
                   parse_int(range.substr(dash + 1), &spec.last));
    if (!ok) {
      return Error::InvalidArgument(fmt::format(
          "lags item \"{}\"; must be name:L or name:first-last with whole-day lags, items "
          "joined by ';' (e.g. cart_adds:1-7)",
          item));
    }
    if (dash == std::string_view::npos) spec.last = spec.first;
    if (spec.first > spec.last || spec.last > 366) {
      return Error::InvalidArgument(fmt::format(
          "lags item \"{}\": lags {}-{}; must satisfy 0 <= first <= last <= 366", item,
          spec.first, spec.last));
    }
    spec.column = std::string(item.substr(0, colon));
    out.push_back(std::move(spec));
  }
  return out;
}

// --- Design matrix -------------------------------------------------------------------------

namespace {

using Kind = DesignBuilder::Column::Kind;

constexpr std::string_view kWeekdayNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

bool StartsWithPrice(std::string_view name) { return name.rfind("price", 0) == 0; }

}  // namespace

Result<DesignBuilder> DesignBuilder::Create(std::string_view model, const DesignOptions& o,
                                            size_t n, size_t origin, int season_length,
                                            const Regressors& x) {
  SC_RETURN_IF_ERROR(ValidateRegressors(model, x, n));
  DesignBuilder b;
  b.n_ = n;
  b.origin_ = origin;
  b.season_ = std::max(1, season_length);
  if (x.first_day) b.first_day_ = static_cast<long long>(*x.first_day);
  b.spring_before_ = o.spring_before;
  b.spring_after_ = o.spring_after;
  b.runup_days_ = o.runup_days;
  b.regressors_ = x.values;
  auto add = [&b](Column c, std::string name) {
    b.columns_.push_back(c);
    b.names_.push_back(std::move(name));
  };
  const bool dates = b.first_day_.has_value();
  const int m = b.season_;
  if (o.trend) add({Kind::kTrend}, "trend");
  // Fourier terms of the season, unless the weekday features already describe a weekly season.
  const bool weekly_by_date = dates && m == 7 && o.weekday != WeekdayMode::kNone;
  if (m > 1 && !weekly_by_date) {
    const int k = std::min(o.fourier_k, m / 2);
    for (int j = 1; j <= k; ++j) {
      add({Kind::kFourierCos, j}, fmt::format("cos{}_{}", j, m));
      if (2 * j != m) add({Kind::kFourierSin, j}, fmt::format("sin{}_{}", j, m));
    }
  }
  if (dates) {
    if (o.weekday == WeekdayMode::kDummies) {
      for (int d = 1; d < 7; ++d) add({Kind::kWeekday, d}, fmt::format("weekday_{}", kWeekdayNames[d]));
    } else if (o.weekday == WeekdayMode::kFourier) {
      for (int j = 1; j <= 3; ++j) {
        add({Kind::kWeekdayCos, j}, fmt::format("wd_cos{}", j));
        add({Kind::kWeekdaySin, j}, fmt::format("wd_sin{}", j));
      }
    }
    for (int j = 1; j <= o.yearly_k; ++j) {
      add({Kind::kYearCos, j}, fmt::format("year_cos{}", j));
      add({Kind::kYearSin, j}, fmt::format("year_sin{}", j));
    }
    if (o.events) {
      for (const FestivalColumn& e : kFestivalColumns) {  // forecast/features.h
        add({Kind::kEvent, static_cast<int>(e.bit)}, e.name);
      }
      if (o.runup_days > 0) {
        add({Kind::kRunup11}, "singles_day_runup");
        add({Kind::kRunup618}, "618_runup");
      }
    }
  }
  std::vector<uint8_t> lagged(x.names.size(), 0);
  for (const LagSpec& lag : o.lags) {
    auto it = std::find(x.names.begin(), x.names.end(), lag.column);
    if (it == x.names.end()) {
      std::string present;
      for (const std::string& name : x.names) present += (present.empty() ? "" : ", ") + name;
      return Error::InvalidArgument(fmt::format(
          "{}: lags name regressor \"{}\" but it was not given; regressors present: {}", model,
          lag.column, present.empty() ? "(none)" : present));
    }
    lagged[static_cast<size_t>(it - x.names.begin())] = 1;
  }
  for (size_t j = 0; j < x.names.size(); ++j) {
    if (lagged[j]) continue;
    const bool log = StartsWithPrice(x.names[j]);
    add({Kind::kRegressor, static_cast<int>(j), 0, log},
        log ? fmt::format("log({})", x.names[j]) : x.names[j]);
  }
  for (const LagSpec& lag : o.lags) {
    const size_t j = static_cast<size_t>(
        std::find(x.names.begin(), x.names.end(), lag.column) - x.names.begin());
    const bool log = StartsWithPrice(x.names[j]);
    for (int l = lag.first; l <= lag.last; ++l) {
      add({Kind::kLag, static_cast<int>(j), l, log},
          log ? fmt::format("log({})_lag{}", x.names[j], l) : fmt::format("{}_lag{}", x.names[j], l));
    }
  }
  return b;
}

double DesignBuilder::RawValue(size_t column, long long s, bool forecast, bool log) const {
  if (s < 0) return kNaN;
  const std::vector<double>& v = regressors_[column];
  if (v.empty()) return kNaN;
  auto valid = [log](double a) { return std::isfinite(a) && (!log || a > 0.0); };
  long long i = std::min<long long>(s, static_cast<long long>(v.size()) - 1);
  double a = v[static_cast<size_t>(i)];
  // A fitted day's own value must be known; a forecast step holds the last known value.
  if (!valid(a)) {
    if (!forecast) return kNaN;
    while (i > 0 && !valid(v[static_cast<size_t>(i)])) --i;
    a = v[static_cast<size_t>(i)];
    if (!valid(a)) return kNaN;
  }
  return log ? std::log(a) : a;
}

bool DesignBuilder::Row(size_t t, std::span<double> out) const {
  SC_ASSERT(out.size() >= columns_.size());
  const bool forecast = t >= n_;
  Date date;
  uint32_t events = 0;
  int year = 0;
  if (first_day_) {
    date = Date::FromDays(static_cast<int32_t>(*first_day_ + static_cast<long long>(t)));
    year = date.year();
  }
  bool need_events = false;
  for (const Column& c : columns_) need_events = need_events || c.kind == Kind::kEvent;
  if (need_events) {
    CalendarOptions co;
    co.region = Region::kNone;  // public holidays are not features here
    co.shutdown_days_before = spring_before_;
    co.shutdown_days_after = spring_after_;
    events = Calendar(co).EventsOn(date);
  }
  bool ok = true;
  for (size_t j = 0; j < columns_.size(); ++j) {
    const Column& c = columns_[j];
    const double td = static_cast<double>(t);
    double v = 0.0;
    switch (c.kind) {
      case Kind::kTrend: v = td - static_cast<double>(origin_); break;
      case Kind::kFourierCos: v = std::cos(2 * kPi * c.index * std::fmod(td, season_) / season_); break;
      case Kind::kFourierSin: v = std::sin(2 * kPi * c.index * std::fmod(td, season_) / season_); break;
      case Kind::kWeekday: v = date.weekday() == c.index ? 1.0 : 0.0; break;
      case Kind::kWeekdayCos: v = std::cos(2 * kPi * c.index * date.weekday() / 7.0); break;
      case Kind::kWeekdaySin: v = std::sin(2 * kPi * c.index * date.weekday() / 7.0); break;
      case Kind::kYearCos: v = std::cos(2 * kPi * c.index * date.days() / 365.25); break;
      case Kind::kYearSin: v = std::sin(2 * kPi * c.index * date.days() / 365.25); break;
      case Kind::kEvent: v = (events & static_cast<uint32_t>(c.index)) != 0 ? 1.0 : 0.0; break;
      case Kind::kRunup11:
      case Kind::kRunup618: {
        const int month = c.kind == Kind::kRunup11 ? 11 : 6;
        const int day = c.kind == Kind::kRunup11 ? 11 : 18;
        const int ahead = *Date::FromYmd(year, month, day) - date;
        v = ahead >= 1 && ahead <= runup_days_ ? 1.0 : 0.0;
        break;
      }
      case Kind::kRegressor:
        v = RawValue(static_cast<size_t>(c.index), static_cast<long long>(t), forecast, c.log);
        break;
      case Kind::kLag:
        v = RawValue(static_cast<size_t>(c.index), static_cast<long long>(t) - c.lag, forecast,
                     c.log);
        break;
    }
    out[j] = v;
    ok = ok && std::isfinite(v);
  }
  return ok;
}

// --- Student t -----------------------------------------------------------------------------

namespace {

// log density of t_dof(0, scale) at e.
double StudentTLogDensity(double dof, double e, double scale2) {
  return std::lgamma(0.5 * (dof + 1.0)) - std::lgamma(0.5 * dof) -
         0.5 * std::log(dof * kPi * scale2) - 0.5 * (dof + 1.0) * std::log1p(e * e / (dof * scale2));
}

}  // namespace

// --- NIG -----------------------------------------------------------------------------------

Result<NigPosterior> FitNig(std::span<const double> x, size_t rows, size_t cols,
                            std::span<const double> y, std::span<const double> prior_mean,
                            std::span<const double> prior_var, double a0, double b0) {
  if (x.size() != rows * cols || y.size() != rows || prior_mean.size() != cols ||
      prior_var.size() != cols) {
    return Error::InvalidArgument(fmt::format(
        "FitNig: x has {} values, y {}, prior mean {}, prior var {}; they must be rows x cols "
        "= {} x {}, rows, cols, cols",
        x.size(), y.size(), prior_mean.size(), prior_var.size(), rows, cols));
  }
  if (!(a0 > 0) || !(b0 > 0)) {
    return Error::InvalidArgument(
        fmt::format("FitNig: a0 = {}, b0 = {}; both must be > 0", a0, b0));
  }
  for (size_t j = 0; j < cols; ++j) {
    if (!(prior_var[j] > 0)) {
      return Error::InvalidArgument(
          fmt::format("FitNig: prior_var[{}] = {}; must be > 0", j, prior_var[j]));
    }
  }
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const RowMajor> X(x.data(), static_cast<Eigen::Index>(rows),
                                     static_cast<Eigen::Index>(cols));
  const Eigen::Map<const Eigen::VectorXd> Y(y.data(), static_cast<Eigen::Index>(rows));
  const Eigen::Map<const Eigen::VectorXd> m0(prior_mean.data(), static_cast<Eigen::Index>(cols));
  const Eigen::Map<const Eigen::VectorXd> v0(prior_var.data(), static_cast<Eigen::Index>(cols));
  const Eigen::Index p = static_cast<Eigen::Index>(cols);
  Eigen::MatrixXd precision = Eigen::MatrixXd::Zero(p, p);
  precision.selfadjointView<Eigen::Lower>().rankUpdate(X.transpose());
  precision.triangularView<Eigen::Upper>() = precision.transpose();
  const Eigen::VectorXd v0_inv = v0.cwiseInverse();
  precision.diagonal() += v0_inv;
  const Eigen::LLT<Eigen::MatrixXd> llt(precision);
  if (llt.info() != Eigen::Success) {
    return Error::Internal("FitNig: posterior precision V0^-1 + X'X is not positive definite");
  }
  const Eigen::VectorXd rhs = v0_inv.cwiseProduct(m0) + X.transpose() * Y;
  const Eigen::VectorXd mn = llt.solve(rhs);
  const Eigen::MatrixXd vn = llt.solve(Eigen::MatrixXd::Identity(p, p));
  // bn in its numerically stable form: y'y + m0'V0^-1 m0 - mn'Vn^-1 mn equals
  // |y - X mn|^2 + (mn - m0)' V0^-1 (mn - m0) (complete the square), free of cancellation.
  const double rss = (Y - X * mn).squaredNorm();
  const Eigen::VectorXd dm = mn - m0;
  const double prior_term = dm.cwiseProduct(v0_inv).dot(dm);
  NigPosterior out;
  out.p = cols;
  out.mean.assign(mn.data(), mn.data() + p);
  out.cov.resize(cols * cols);
  for (Eigen::Index i = 0; i < p; ++i) {
    for (Eigen::Index j = 0; j < p; ++j) out.cov[static_cast<size_t>(i * p + j)] = vn(i, j);
  }
  out.a = a0 + 0.5 * static_cast<double>(rows);
  out.b = b0 + 0.5 * (rss + prior_term);
  return out;
}

StudentT NigPredictive(const NigPosterior& post, std::span<const double> x) {
  SC_ASSERT(x.size() == post.p);
  double loc = 0.0, quad = 0.0;
  for (size_t i = 0; i < post.p; ++i) {
    loc += x[i] * post.mean[i];
    for (size_t j = 0; j < post.p; ++j) quad += x[i] * post.cov[i * post.p + j] * x[j];
  }
  return {loc, std::sqrt(post.b / post.a * (1.0 + quad)), 2.0 * post.a};
}

// --- DLM kernel ----------------------------------------------------------------------------

int DlmComponents::StateSize() const {
  const int k = season_length > 1 ? std::min(harmonics, season_length / 2) : 0;
  int seasonal = 2 * k;
  if (k > 0 && 2 * k == season_length) seasonal -= 1;  // Nyquist harmonic: one state
  return trend_order + seasonal + regressors;
}

namespace {

// The discount DLM of regression.h with preallocated workspace: no allocation per step.
class DlmKernel {
 public:
  explicit DlmKernel(const DlmComponents& comp) : comp_(comp), p_(comp.StateSize()) {
    const int k = comp.season_length > 1 ? std::min(comp.harmonics, comp.season_length / 2) : 0;
    int pos = comp.trend_order;
    for (int j = 1; j <= k; ++j) {
      const double w = 2.0 * kPi * j / comp.season_length;
      const bool nyquist = 2 * j == comp.season_length;
      harmonics_.push_back({pos, nyquist, std::cos(w), std::sin(w)});
      pos += nyquist ? 1 : 2;
    }
    season_end_ = pos;
    a_.resize(p_);
    f_.resize(p_);
    rf_.resize(p_);
    r_.resize(p_, p_);
    w_.resize(p_, p_);
  }

  int size() const { return p_; }

  // v := G v.
  void ApplyG(Eigen::VectorXd& v) const {
    if (comp_.trend_order == 2) v(0) += v(1);
    for (const Harmonic& h : harmonics_) {
      if (h.nyquist) {
        v(h.pos) = -v(h.pos);
      } else {
        const double a = v(h.pos), b = v(h.pos + 1);
        v(h.pos) = h.c * a + h.s * b;
        v(h.pos + 1) = -h.s * a + h.c * b;
      }
    }
  }

  // M := G M G' (rows, then columns; each block of G touches one or two rows/columns).
  void Propagate(Eigen::MatrixXd& m) const {
    if (comp_.trend_order == 2) {
      m.row(0) += m.row(1);
      m.col(0) += m.col(1);
    }
    for (const Harmonic& h : harmonics_) {
      if (h.nyquist) {
        m.row(h.pos) *= -1.0;
        m.col(h.pos) *= -1.0;
        continue;
      }
      for (Eigen::Index j = 0; j < p_; ++j) {
        const double a = m(h.pos, j), b = m(h.pos + 1, j);
        m(h.pos, j) = h.c * a + h.s * b;
        m(h.pos + 1, j) = -h.s * a + h.c * b;
      }
      for (Eigen::Index i = 0; i < p_; ++i) {
        const double a = m(i, h.pos), b = m(i, h.pos + 1);
        m(i, h.pos) = h.c * a + h.s * b;
        m(i, h.pos + 1) = -h.s * a + h.c * b;
      }
    }
  }

  // W: block i of the diagonal of P times (1 - delta_i) / delta_i, zero elsewhere.
  void EvolutionVariance(const Eigen::MatrixXd& p, Eigen::MatrixXd& w) const {
    w.setZero();
    const int bounds[4] = {0, comp_.trend_order, season_end_, p_};
    const double deltas[3] = {comp_.delta_trend, comp_.delta_season, comp_.delta_regression};
    for (int b = 0; b < 3; ++b) {
      const int len = bounds[b + 1] - bounds[b];
      if (len <= 0) continue;
      w.block(bounds[b], bounds[b], len, len) =
          p.block(bounds[b], bounds[b], len, len) * ((1.0 - deltas[b]) / deltas[b]);
    }
  }

  // F_t = [1, (0), (1, 0) per harmonic, x_t]; false when x_t has a NaN.
  bool FillF(const double* x, Eigen::VectorXd& f) const {
    f.setZero();
    f(0) = 1.0;
    for (const Harmonic& h : harmonics_) f(h.pos) = 1.0;
    bool ok = true;
    for (int j = 0; j < comp_.regressors; ++j) {
      f(season_end_ + j) = x[j];
      ok = ok && std::isfinite(x[j]);
    }
    return ok;
  }

  // One time step of the filter on (m, C, dof, s); y NaN or a NaN regressor = missing.
  void Step(double y, const double* x, Eigen::VectorXd& m, Eigen::MatrixXd& c, double& dof,
            double& s, double& loglik, int& updates) {
    a_ = m;
    ApplyG(a_);
    Propagate(c);                 // c now holds P = G C G'
    EvolutionVariance(c, w_);
    r_ = c;
    r_ += w_;                     // R = P + W
    const bool observed = FillF(x, f_) && std::isfinite(y);
    if (!observed) {
      m = a_;
      c = r_;
      return;
    }
    rf_.noalias() = r_ * f_;
    const double q = f_.dot(rf_) + s;
    const double e = y - f_.dot(a_);
    loglik += StudentTLogDensity(dof, e, q);
    const double dof_next = dof + 1.0;
    const double s_next = std::max(s + s / dof_next * (e * e / q - 1.0), 1e-300);
    m = a_ + rf_ * (e / q);
    // C = (s'/s)(R - A A' Q) with A = RF / Q, i.e. R - RF RF' / Q.
    c = r_;
    c.noalias() -= (1.0 / q) * rf_ * rf_.transpose();
    c *= s_next / s;
    c = 0.5 * (c + c.transpose()).eval();
    dof = dof_next;
    s = s_next;
    ++updates;
  }

  // k-step-ahead predictive location and variance scale f_k, Q_k from the state at the last
  // day: a_k = G a_{k-1}, R_k = G R_{k-1} G' + W with W fixed at its value for step 1 (W&H
  // section 6.3: the discount evolution variance is held over the forecast horizon).
  void Forecast(const Eigen::VectorXd& m, const Eigen::MatrixXd& c, double s,
                const std::vector<double>& x_rows, int horizon, std::vector<double>* f,
                std::vector<double>* q) {
    a_ = m;
    r_ = c;
    Propagate(r_);
    EvolutionVariance(r_, w_);
    f->assign(static_cast<size_t>(horizon), 0.0);
    q->assign(static_cast<size_t>(horizon), 0.0);
    for (int k = 0; k < horizon; ++k) {
      if (k == 0) {
        r_ += w_;
      } else {
        Propagate(r_);
        r_ += w_;
      }
      ApplyG(a_);
      FillF(x_rows.data() + static_cast<size_t>(k) * static_cast<size_t>(comp_.regressors), f_);
      rf_.noalias() = r_ * f_;
      (*f)[static_cast<size_t>(k)] = f_.dot(a_);
      (*q)[static_cast<size_t>(k)] = f_.dot(rf_) + s;
    }
  }

 private:
  struct Harmonic {
    int pos;
    bool nyquist;
    double c, s;
  };
  DlmComponents comp_;
  int p_;
  int season_end_ = 0;
  std::vector<Harmonic> harmonics_;
  Eigen::VectorXd a_, f_, rf_;
  Eigen::MatrixXd r_, w_;
};

}  // namespace

DlmState FilterDiscountDlm(const DlmComponents& comp, std::span<const double> y,
                           std::span<const double> x, DlmState prior) {
  DlmKernel kernel(comp);
  const int p = kernel.size();
  SC_ASSERT(prior.m.size() == static_cast<size_t>(p));
  SC_ASSERT(prior.c.size() == static_cast<size_t>(p * p));
  SC_ASSERT(x.size() == y.size() * static_cast<size_t>(comp.regressors));
  Eigen::VectorXd m = Eigen::Map<const Eigen::VectorXd>(prior.m.data(), p);
  Eigen::MatrixXd c = Eigen::Map<const Eigen::MatrixXd>(prior.c.data(), p, p);  // symmetric
  static const double kNoRegressor = 0.0;
  for (size_t t = 0; t < y.size(); ++t) {
    const double* row = comp.regressors > 0 ? x.data() + t * static_cast<size_t>(comp.regressors)
                                            : &kNoRegressor;
    kernel.Step(y[t], row, m, c, prior.dof, prior.s, prior.log_likelihood, prior.updates);
  }
  prior.m.assign(m.data(), m.data() + p);
  for (int i = 0; i < p; ++i) {
    for (int j = 0; j < p; ++j) prior.c[static_cast<size_t>(i * p + j)] = c(i, j);
  }
  return prior;
}

// --- Models --------------------------------------------------------------------------------

namespace {

enum class Family { kRidge, kBayes, kDlm };

struct Settings {
  Family family = Family::kRidge;
  std::string name;
  std::string transform = "log1p";
  std::string weekday = "dummies";
  std::string lags;
  std::string trend_kind = "level";  // dlm: level | linear
  std::string estimate = "discount";  // dlm: discount | ml
  DesignOptions design;
  int min_days = 7;
  double lambda = -1.0;       // regression: < 0 = GCV
  double prior_scale = 10.0;  // bayes: prior sd of a standardised coefficient, in units of sigma
  double a0 = 0.01, b0 = 0.01;
  double delta_trend = 0.98, delta_season = 0.99, delta_regression = 0.999;
};

// Intercept prior variance (units of sigma^2) of bayes_regression: effectively flat.
constexpr double kInterceptPriorVar = 1e6;

double Forward(DemandTransform t, double y) {
  return t == DemandTransform::kLog1p ? std::log1p(y) : y;
}
double Inverse(DemandTransform t, double z) {
  return t == DemandTransform::kLog1p ? std::expm1(z) : z;
}
// E[y] for z = transform(y) with mean mu and variance v (see the file comment).
double MeanOf(DemandTransform t, double mu, double v) {
  return t == DemandTransform::kLog1p ? std::expm1(mu + 0.5 * v) : mu;
}

class DriverModel : public ForecastModel, public RegressionReport {
 public:
  explicit DriverModel(Settings s) : s_(std::move(s)) {}

  std::string_view name() const override { return s_.name; }
  bool UsesRegressors() const override { return true; }
  const RegressionSummary& Summary() const override { return summary_; }

  Status Fit(std::span<const double> y, std::span<const uint8_t> flags,
             int season_length) override {
    return FitWithRegressors(y, flags, season_length, Regressors{});
  }

  Status FitWithRegressors(std::span<const double> y, std::span<const uint8_t> flags,
                           int season_length, const Regressors& x) override {
    fitted_ = false;
    summary_ = RegressionSummary{};
    fallback_mean_.reset();
    builder_.reset();
    SC_RETURN_IF_ERROR(ValidateFitArgs(s_.name, y, flags, season_length));
    SC_RETURN_IF_ERROR(ValidateRegressors(s_.name, x, y.size()));
    auto transform = ParseDemandTransform(s_.transform);
    if (!transform) {
      return Error::InvalidArgument(fmt::format(
          "{}: transform = \"{}\"; must be log1p or none", s_.name, s_.transform));
    }
    transform_ = *transform;
    auto weekday = ParseWeekdayMode(s_.weekday);
    if (!weekday) {
      return Error::InvalidArgument(fmt::format(
          "{}: weekday = \"{}\"; must be dummies, fourier or none", s_.name, s_.weekday));
    }
    DesignOptions design = s_.design;
    design.weekday = *weekday;
    auto lags = ParseLags(s_.lags);
    if (!lags.ok()) {
      return Error::InvalidArgument(fmt::format("{}: {}", s_.name, lags.error().message));
    }
    design.lags = std::move(*lags);
    if (s_.family == Family::kDlm) {
      if (s_.trend_kind != "level" && s_.trend_kind != "linear") {
        return Error::InvalidArgument(fmt::format(
            "{}: trend = \"{}\"; must be level or linear", s_.name, s_.trend_kind));
      }
      if (s_.estimate != "discount" && s_.estimate != "ml") {
        return Error::InvalidArgument(fmt::format(
            "{}: estimate = \"{}\"; must be discount or ml", s_.name, s_.estimate));
      }
      // Trend and season are states of the dlm, not regression columns.
      design.trend = false;
      design.fourier_k = 0;
      if (season_length == 7) design.weekday = WeekdayMode::kNone;
    }
    y_.assign(y.begin(), y.end());
    flags_.assign(flags.begin(), flags.end());
    n_ = y.size();
    season_ = season_length;
    fitted_ = true;

    const UsableSeries usable = PrepareSeries(y, flags);
    // Built before the short-history check so a lag naming an absent column is always an error.
    SC_ASSIGN_OR_RETURN(DesignBuilder builder,
                        DesignBuilder::Create(s_.name, design, n_, usable.offset, season_length, x));
    builder_ = std::move(builder);
    if (usable.usable < s_.min_days) return Status::Ok();  // Predict: short-history rule

    // Rows of the usable days with every feature known, and the standardisation.
    const size_t k_all = builder_->cols();
    std::vector<double> row(k_all);
    std::vector<double> raw;  // row-major, usable rows
    std::vector<double> z;
    std::vector<size_t> days;
    raw.reserve(usable.y.size() * k_all);
    for (size_t i = 0; i < usable.y.size(); ++i) {
      const size_t t = usable.offset + i;
      const double v = usable.y[i];
      const bool have = builder_->Row(t, row);
      if (s_.family != Family::kDlm && !std::isfinite(v)) continue;
      if (s_.family != Family::kDlm && !have) continue;
      raw.insert(raw.end(), row.begin(), row.end());
      z.push_back(std::isfinite(v) && have ? Forward(transform_, v) : kNaN);
      days.push_back(t);
    }
    int used = 0;
    for (double v : z) used += std::isfinite(v) ? 1 : 0;
    const int need = std::max(s_.min_days, 2);
    if (used < need) {
      double sum = 0.0;
      for (double v : usable.y) sum += std::isfinite(v) ? v : 0.0;
      fallback_mean_ = sum / usable.usable;
      fallback_why_ = fmt::format(
          "mean: {} usable days have every driver known, {} needs {}; mean of the {} usable days",
          used, s_.name, need, usable.usable);
      return Status::Ok();
    }
    // Mean and sd of each feature over the observed rows.
    keep_.clear();
    center_.clear();
    scale_.clear();
    const size_t rows = days.size();
    for (size_t j = 0; j < k_all; ++j) {
      double sum = 0.0, sq = 0.0;
      int cnt = 0;
      for (size_t r = 0; r < rows; ++r) {
        const double v = raw[r * k_all + j];
        if (!std::isfinite(z[r]) || !std::isfinite(v)) continue;
        sum += v;
        ++cnt;
      }
      const double mean = cnt > 0 ? sum / cnt : 0.0;
      for (size_t r = 0; r < rows; ++r) {
        const double v = raw[r * k_all + j];
        if (!std::isfinite(z[r]) || !std::isfinite(v)) continue;
        sq += (v - mean) * (v - mean);
      }
      const double sd = cnt > 1 ? std::sqrt(sq / cnt) : 0.0;
      if (sd > 1e-9 * std::max(1.0, std::abs(mean))) {
        keep_.push_back(j);
        center_.push_back(mean);
        scale_.push_back(sd);
      } else {
        summary_.dropped.push_back(builder_->names()[j]);
      }
    }
    const size_t k = keep_.size();
    std::vector<double> zx(rows * k);
    zmin_.assign(k, std::numeric_limits<double>::infinity());
    zmax_.assign(k, -std::numeric_limits<double>::infinity());
    zy_max_ = -std::numeric_limits<double>::infinity();
    double zy_sum = 0, zy_sq = 0;
    int zy_n = 0;
    for (size_t r = 0; r < rows; ++r) {
      if (std::isfinite(z[r])) {
        zy_max_ = std::max(zy_max_, z[r]);
        zy_sum += z[r];
        zy_sq += z[r] * z[r];
        ++zy_n;
      }
      for (size_t j = 0; j < k; ++j) {
        zx[r * k + j] = (raw[r * k_all + keep_[j]] - center_[j]) / scale_[j];
        if (std::isfinite(zx[r * k + j]) && std::isfinite(z[r])) {
          zmin_[j] = std::min(zmin_[j], zx[r * k + j]);
          zmax_[j] = std::max(zmax_[j], zx[r * k + j]);
        }
      }
    }
    zy_var_ = zy_n > 1 ? std::max(0.0, zy_sq / zy_n - (zy_sum / zy_n) * (zy_sum / zy_n)) : 0.0;
    summary_.used_days = used;
    switch (s_.family) {
      case Family::kRidge: return FitRidge(zx, z, rows, k);
      case Family::kBayes: return FitBayes(zx, z, rows, k);
      case Family::kDlm: return FitDlm(zx, z, rows, k, usable);
    }
    return Status::Ok();
  }

  Result<Forecast> Predict(int horizon, std::span<const double> levels) const override {
    if (!fitted_) return Error::InvalidArgument(fmt::format("{}: Predict before Fit", s_.name));
    SC_RETURN_IF_ERROR(ValidatePredictArgs(s_.name, horizon, levels));
    if (auto short_fc = ShortHistoryForecast(s_.name, y_, flags_, s_.min_days, 28, horizon, levels)) {
      return *short_fc;
    }
    const size_t hz = static_cast<size_t>(horizon);
    Forecast out;
    if (fallback_mean_) {
      out.fallback = fallback_why_;
      out.mean.assign(hz, *fallback_mean_);
      out.levels.assign(levels.begin(), levels.end());
      out.quantiles.assign(levels.size(), std::vector<double>(hz, 0.0));
      for (size_t l = 0; l < levels.size(); ++l) {
        std::fill(out.quantiles[l].begin(), out.quantiles[l].end(),
                  PoissonQuantile(*fallback_mean_, levels[l]));
      }
      ClampForecast(&out);
      return out;
    }
    // Standardised feature rows of the horizon.
    const size_t k = keep_.size();
    std::vector<double> row(builder_->cols());
    std::vector<double> zrows(hz * k, 0.0);
    for (size_t h = 0; h < hz; ++h) {
      builder_->Row(n_ + h, row);
      for (size_t j = 0; j < k; ++j) {
        const double v = row[keep_[j]];
        // A column with no finite value at all: its mean (no effect). A future driver value
        // (not the trend or calendar terms) outside the range the fit saw is clipped to that range: a linear effect learnt on
        // prices 9-11 says little about a price of 2, and an unclipped extrapolation on the log
        // scale can explode (seen on store backtests: 1e60 units).
        double zv = std::isfinite(v) ? (v - center_[j]) / scale_[j] : 0.0;
        if (builder_->IsDriver(keep_[j]) && zmin_[j] <= zmax_[j]) {
          zv = std::clamp(zv, zmin_[j], zmax_[j]);
        }
        zrows[h * k + j] = zv;
      }
    }
    // Predictive location, scale and dof (dof = 0: normal) on the transformed scale.
    std::vector<double> loc(hz), scale(hz);
    double dof = 0.0;
    PredictTransformed(zrows, hz, &loc, &scale, &dof);
    // Safety net on the log scale: no step above 20 x the largest (1 + demand) the fit saw. A
    // real effect that large is beyond what these models can learn from the history anyway.
    if (transform_ == DemandTransform::kLog1p && std::isfinite(zy_max_)) {
      const double cap = zy_max_ + std::log(20.0);
      for (size_t h = 0; h < hz; ++h) loc[h] = std::min(loc[h], cap);
    }
    // The mean's lognormal correction exp(v / 2) explodes when the predictive variance does
    // (few usable days, a t with few degrees of freedom); the variance used for the mean is
    // capped at 4 x the variance of the transformed demand itself.
    const double v_cap = 4.0 * std::max(zy_var_, 1e-6);
    out.mean.resize(hz);
    out.levels.assign(levels.begin(), levels.end());
    out.quantiles.assign(levels.size(), std::vector<double>(hz, 0.0));
    for (size_t l = 0; l < levels.size(); ++l) {
      const double q = dof > 0 ? StudentTQuantile(dof, levels[l]) : NormalQuantile(levels[l]);
      for (size_t h = 0; h < hz; ++h) {
        out.quantiles[l][h] = Inverse(transform_, loc[h] + q * scale[h]);
      }
    }
    for (size_t h = 0; h < hz; ++h) {
      if (dof == 0) {
        out.mean[h] = MeanOf(transform_, loc[h], std::min(scale[h] * scale[h], v_cap));
      } else if (dof > 2) {
        out.mean[h] =
            MeanOf(transform_, loc[h], std::min(scale[h] * scale[h] * dof / (dof - 2.0), v_cap));
      } else {
        out.mean[h] = Inverse(transform_, loc[h]);
      }
    }
    ClampForecast(&out);
    return out;
  }

  std::string Chosen() const override {
    if (s_.family == Family::kRidge && builder_ && !fallback_mean_) {
      return fmt::format("regression(lambda={:.3g}, df={:.1f})", summary_.lambda, summary_.dof);
    }
    return s_.name;
  }

 private:
  // Coefficients on the original feature scale from standardised ones (file comment).
  void ReportCoefficients(double intercept, const std::vector<double>& beta_std,
                          std::vector<Coefficient> leading = {}) {
    std::vector<Coefficient> coefs;
    double icpt = intercept;
    for (size_t j = 0; j < keep_.size(); ++j) {
      const double b = beta_std[j] / scale_[j];
      icpt -= b * center_[j];
      coefs.push_back({builder_->names()[keep_[j]], b});
    }
    summary_.coefficients.clear();
    summary_.coefficients.push_back({"intercept", icpt});
    for (Coefficient& c : leading) summary_.coefficients.push_back(std::move(c));
    for (Coefficient& c : coefs) summary_.coefficients.push_back(std::move(c));
  }

  // Ridge: beta = (Z'Z + lambda I)^-1 Z'(z - zbar) on standardised Z, intercept zbar (not
  // penalised). With Z'Z = V diag(e) V', p = V'Z'(z - zbar): beta = V diag(1/(e + lambda)) p,
  // the hat matrix has eigenvalues s_i = e_i / (e_i + lambda), df = sum s_i, and
  // RSS(lambda) = |z - zbar|^2 - sum_i (p_i^2 / e_i)(1 - (1 - s_i)^2) -- every lambda of the
  // grid costs O(k). GCV(lambda) = m RSS / (m - 1 - df)^2 (Golub, Heath & Wahba 1979; the 1
  // counts the intercept). Grid: lambda / m in {0} U {10^-6, 10^-5.75, ..., 10^3}; ties go to
  // the smaller lambda. Guard: lambdas leaving fewer than max(2, m / 4) residual degrees of
  // freedom are skipped (with few rows GCV can pick an interpolating fit with zero residuals).
  // Directions with e_i <= 1e-10 max(e) (collinear features) get no weight (pseudo-inverse).
  Status FitRidge(const std::vector<double>& zx, const std::vector<double>& z, size_t rows,
                  size_t k) {
    using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const RowMajor> Z(zx.data(), static_cast<Eigen::Index>(rows),
                                       static_cast<Eigen::Index>(k));
    const Eigen::Map<const Eigen::VectorXd> zv(z.data(), static_cast<Eigen::Index>(rows));
    const double m = static_cast<double>(rows);
    zbar_ = zv.mean();
    const Eigen::VectorXd zc = zv.array() - zbar_;
    Eigen::MatrixXd xtx = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
    if (k > 0) {
      xtx.selfadjointView<Eigen::Lower>().rankUpdate(Z.transpose());
      xtx.triangularView<Eigen::Upper>() = xtx.transpose();
    }
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(xtx);
    evec_ = k > 0 ? es.eigenvectors() : Eigen::MatrixXd();
    eval_ = k > 0 ? es.eigenvalues().cwiseMax(0.0) : Eigen::VectorXd();
    const Eigen::VectorXd proj = k > 0 ? Eigen::VectorXd(evec_.transpose() * (Z.transpose() * zc))
                                       : Eigen::VectorXd();
    const double yy = zc.squaredNorm();
    const double tol = 1e-10 * std::max(1.0, k > 0 ? eval_.maxCoeff() : 1.0);
    auto evaluate = [&](double lambda, double* rss, double* df) {
      *rss = yy;
      *df = 0.0;
      for (Eigen::Index i = 0; i < static_cast<Eigen::Index>(k); ++i) {
        if (eval_(i) <= tol) continue;
        const double s = eval_(i) / (eval_(i) + lambda);
        *df += s;
        *rss -= proj(i) * proj(i) / eval_(i) * (1.0 - (1.0 - s) * (1.0 - s));
      }
      *rss = std::max(*rss, 0.0);
    };
    const double min_resid_df = std::max(2.0, 0.25 * m);
    double best_lambda = -1.0, best_gcv = std::numeric_limits<double>::infinity();
    double rss = 0.0, df = 0.0;
    if (s_.lambda >= 0) {
      best_lambda = s_.lambda;
    } else {
      for (int i = -1; i <= 36; ++i) {
        const double lambda = i < 0 ? 0.0 : m * std::pow(10.0, -6.0 + 0.25 * i);
        evaluate(lambda, &rss, &df);
        if (m - 1.0 - df < min_resid_df && i < 36) continue;
        const double resid_df = std::max(m - 1.0 - df, 1e-12);
        const double gcv = m * rss / (resid_df * resid_df);
        if (gcv < best_gcv) {
          best_gcv = gcv;
          best_lambda = lambda;
        }
      }
    }
    lambda_ = best_lambda;
    evaluate(lambda_, &rss, &df);
    // sigma^2 = RSS / (m - 1 - df), the residual variance with the ridge's effective degrees of
    // freedom (Hastie, Tibshirani & Friedman 2009, 7.6); at least one residual degree.
    sigma2_ = rss / std::max(m - 1.0 - df, 1.0);
    rows_ = m;
    beta_ = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(k));
    for (Eigen::Index i = 0; i < static_cast<Eigen::Index>(k); ++i) {
      if (eval_(i) <= tol) continue;
      beta_ += evec_.col(i) * (proj(i) / (eval_(i) + lambda_));
    }
    summary_.lambda = lambda_;
    summary_.sigma = std::sqrt(sigma2_);
    summary_.dof = df;
    std::vector<double> b(beta_.data(), beta_.data() + k);
    ReportCoefficients(zbar_, b);
    tol_ = tol;
    return Status::Ok();
  }

  // NIG on [1, Z] with prior mean 0, prior variance kInterceptPriorVar for the intercept and
  // prior_scale^2 for each standardised coefficient (in units of sigma^2), a0, b0 as given.
  Status FitBayes(const std::vector<double>& zx, const std::vector<double>& z, size_t rows,
                  size_t k) {
    std::vector<double> x(rows * (k + 1));
    for (size_t r = 0; r < rows; ++r) {
      x[r * (k + 1)] = 1.0;
      for (size_t j = 0; j < k; ++j) x[r * (k + 1) + 1 + j] = zx[r * k + j];
    }
    std::vector<double> m0(k + 1, 0.0), v0(k + 1, s_.prior_scale * s_.prior_scale);
    v0[0] = kInterceptPriorVar;
    SC_ASSIGN_OR_RETURN(nig_, FitNig(x, rows, k + 1, z, m0, v0, s_.a0, s_.b0));
    summary_.sigma = std::sqrt(nig_.b / nig_.a);
    summary_.dof = 2.0 * nig_.a;
    std::vector<double> b(nig_.mean.begin() + 1, nig_.mean.end());
    ReportCoefficients(nig_.mean[0], b);
    return Status::Ok();
  }

  // The dlm's prior: level = mean of the first (up to) 14 observed values, every other state
  // 0; C0 = s0 diag(10 for the level, 0.01 for the slope, 1 per seasonal state, 10 per
  // regression coefficient), s0 = the sample variance of all observed values (at least
  // 1e-6), dof0 = 1: vague next to the data, but on the data's scale so early one-step errors
  // are not absurd. The filter runs from the first usable day to the last day; rows whose y or
  // features are unknown are missing observations.
  Status FitDlm(const std::vector<double>& zx, const std::vector<double>& z, size_t rows,
                size_t k, const UsableSeries& usable) {
    (void)usable;
    comp_ = DlmComponents{};
    comp_.trend_order = s_.trend_kind == "linear" ? 2 : 1;
    comp_.season_length = season_;
    comp_.harmonics = season_ > 1 ? std::min(s_.design.fourier_k, season_ / 2) : 0;
    comp_.regressors = static_cast<int>(k);
    comp_.delta_trend = s_.delta_trend;
    comp_.delta_season = s_.delta_season;
    comp_.delta_regression = s_.delta_regression;
    const int p = comp_.StateSize();
    double first_sum = 0.0, sum = 0.0, sq = 0.0;
    int first_cnt = 0, cnt = 0;
    for (double v : z) {
      if (!std::isfinite(v)) continue;
      if (first_cnt < 14) {
        first_sum += v;
        ++first_cnt;
      }
      sum += v;
      ++cnt;
    }
    const double mean = sum / cnt;
    for (double v : z) {
      if (std::isfinite(v)) sq += (v - mean) * (v - mean);
    }
    const double s0 = std::max(sq / std::max(cnt - 1, 1), 1e-6);
    DlmState prior;
    prior.m.assign(static_cast<size_t>(p), 0.0);
    prior.m[0] = first_sum / first_cnt;
    prior.c.assign(static_cast<size_t>(p * p), 0.0);
    const int season_end = p - comp_.regressors;
    for (int i = 0; i < p; ++i) {
      const double scale = i == 0 ? 10.0 : i < comp_.trend_order ? 0.01 : i < season_end ? 1.0 : 10.0;
      prior.c[static_cast<size_t>(i * p + i)] = s0 * scale;
    }
    prior.dof = 1.0;
    prior.s = s0;
    (void)rows;
    if (s_.estimate == "ml") {
      // Discount factors by maximum one-step predictive likelihood (W&H 10.4 / Harrison &
      // West's "choice of discount factors"): only the components present are searched, trend
      // and season in [0.8, 1], regression in [0.9, 1].
      struct Search {
        DlmComponents comp;
        const std::vector<double>* z;
        const std::vector<double>* zx;
        const DlmState* prior;
        std::vector<int> which;  // 0 trend, 1 season, 2 regression
      } search{comp_, &z, &zx, &prior, {0}};
      if (comp_.harmonics > 0) search.which.push_back(1);
      if (comp_.regressors > 0) search.which.push_back(2);
      auto objective = [](unsigned dim, const double* v, double* grad, void* data) -> double {
        (void)grad;
        auto* sr = static_cast<Search*>(data);
        DlmComponents c = sr->comp;
        for (unsigned i = 0; i < dim; ++i) {
          (sr->which[i] == 0 ? c.delta_trend : sr->which[i] == 1 ? c.delta_season : c.delta_regression) = v[i];
        }
        const DlmState post = FilterDiscountDlm(c, *sr->z, *sr->zx, *sr->prior);
        return std::isfinite(post.log_likelihood) ? -post.log_likelihood : 1e300;
      };
      const unsigned dim = static_cast<unsigned>(search.which.size());
      std::vector<double> lb, ub, v;
      for (int w : search.which) {
        lb.push_back(w == 2 ? 0.9 : 0.8);
        ub.push_back(1.0);
        v.push_back(w == 0 ? comp_.delta_trend : w == 1 ? comp_.delta_season : comp_.delta_regression);
      }
      for (unsigned i = 0; i < dim; ++i) v[i] = std::clamp(v[i], lb[i], ub[i]);
      try {
        nlopt::opt opt(dim >= 2 ? nlopt::LN_BOBYQA : nlopt::LN_NELDERMEAD, dim);
        opt.set_lower_bounds(lb);
        opt.set_upper_bounds(ub);
        opt.set_min_objective(objective, &search);
        opt.set_xtol_abs(1e-4);
        opt.set_maxeval(200);
        double value = 0.0;
        opt.optimize(v, value);
      } catch (const std::exception&) {
        // A stop on round-off: v holds the best point found, which is what we want.
      }
      for (unsigned i = 0; i < dim; ++i) {
        (search.which[i] == 0 ? comp_.delta_trend
                              : search.which[i] == 1 ? comp_.delta_season : comp_.delta_regression) = v[i];
      }
    }
    state_ = FilterDiscountDlm(comp_, z, zx, prior);
    summary_.sigma = std::sqrt(state_.s);
    summary_.dof = state_.dof;
    summary_.discounts = {comp_.delta_trend, comp_.delta_season, comp_.delta_regression};
    std::vector<double> b(state_.m.end() - comp_.regressors, state_.m.end());
    std::vector<Coefficient> leading;
    if (comp_.trend_order == 2) leading.push_back({"slope", state_.m[1]});
    ReportCoefficients(state_.m[0], b, leading);
    return Status::Ok();
  }

  void PredictTransformed(const std::vector<double>& zrows, size_t hz, std::vector<double>* loc,
                          std::vector<double>* scale, double* dof) const {
    const size_t k = keep_.size();
    switch (s_.family) {
      case Family::kRidge: {
        // Var = sigma^2 (1 + 1/m + x' V diag(e / (e + lambda)^2) V' x): noise, intercept and
        // the ridge estimator's covariance sigma^2 (Z'Z + lambda)^-1 Z'Z (Z'Z + lambda)^-1
        // (its bias is not counted).
        *dof = 0.0;
        for (size_t h = 0; h < hz; ++h) {
          const Eigen::Map<const Eigen::VectorXd> x(zrows.data() + h * k, static_cast<Eigen::Index>(k));
          double var_par = 1.0 / rows_;
          double mu = zbar_;
          if (k > 0) {
            mu += x.dot(beta_);
            const Eigen::VectorXd w = evec_.transpose() * x;
            for (Eigen::Index i = 0; i < static_cast<Eigen::Index>(k); ++i) {
              if (eval_(i) <= tol_) continue;
              const double d = eval_(i) + lambda_;
              var_par += w(i) * w(i) * eval_(i) / (d * d);
            }
          }
          (*loc)[h] = mu;
          (*scale)[h] = std::sqrt(sigma2_ * (1.0 + var_par));
        }
        return;
      }
      case Family::kBayes: {
        std::vector<double> x(k + 1);
        x[0] = 1.0;
        for (size_t h = 0; h < hz; ++h) {
          std::copy(zrows.begin() + static_cast<long>(h * k), zrows.begin() + static_cast<long>((h + 1) * k), x.begin() + 1);
          const StudentT t = NigPredictive(nig_, x);
          (*loc)[h] = t.location;
          (*scale)[h] = t.scale;
          *dof = t.dof;
        }
        return;
      }
      case Family::kDlm: {
        DlmKernel kernel(comp_);
        const int p = kernel.size();
        const Eigen::Map<const Eigen::VectorXd> m(state_.m.data(), p);
        const Eigen::Map<const Eigen::MatrixXd> c(state_.c.data(), p, p);
        std::vector<double> f, q;
        kernel.Forecast(m, c, state_.s, zrows, static_cast<int>(hz), &f, &q);
        for (size_t h = 0; h < hz; ++h) {
          (*loc)[h] = f[h];
          (*scale)[h] = std::sqrt(std::max(q[h], 0.0));
        }
        *dof = state_.dof;
        return;
      }
    }
  }

  Settings s_;
  bool fitted_ = false;
  std::vector<double> y_;
  std::vector<uint8_t> flags_;
  size_t n_ = 0;
  int season_ = 1;
  DemandTransform transform_ = DemandTransform::kLog1p;
  std::optional<DesignBuilder> builder_;
  std::optional<double> fallback_mean_;
  std::string fallback_why_;
  std::vector<size_t> keep_;
  std::vector<double> center_, scale_;
  std::vector<double> zmin_, zmax_;  // range of each standardised feature over the fitted days
  double zy_max_ = 0;                // largest transformed demand fitted
  double zy_var_ = 0;                // variance of the transformed demand fitted
  RegressionSummary summary_;
  // ridge
  Eigen::MatrixXd evec_;
  Eigen::VectorXd eval_, beta_;
  double zbar_ = 0.0, lambda_ = 0.0, sigma2_ = 0.0, rows_ = 1.0, tol_ = 0.0;
  // bayes
  NigPosterior nig_;
  // dlm
  DlmComponents comp_;
  DlmState state_;
};

// --- Registration --------------------------------------------------------------------------

std::vector<ParamSpec> DesignSpecs() {
  return {
      {"transform", ParamType::kString, "log1p", -1e300, 1e300,
       "log1p: fit log(1 + demand), coefficients are relative effects; none: fit demand"},
      {"trend", ParamType::kBool, "true", 0, 1, "linear trend in days since the first usable day"},
      {"fourier_k", ParamType::kInt, "3", 0, 50, "Fourier pairs of the season (at most m/2)"},
      {"weekday", ParamType::kString, "dummies", -1e300, 1e300,
       "with dates: weekday features dummies | fourier | none"},
      {"yearly_k", ParamType::kInt, "0", 0, 20, "with dates: Fourier pairs of the year"},
      {"events", ParamType::kBool, "true", 0, 1,
       "with dates: 11.11, 6.18, 12.12, Black Friday, Cyber Monday and Spring Festival dummies"},
      {"runup", ParamType::kInt, "3", 0, 60, "with dates: run-up days before 11.11 and 6.18"},
      {"spring_before", ParamType::kInt, "7", 0, 60, "Spring Festival window: days before"},
      {"spring_after", ParamType::kInt, "15", 0, 60, "Spring Festival window: days after"},
      {"lags", ParamType::kString, "", -1e300, 1e300,
       "leading signals, e.g. cart_adds:1-7;views:2 (regressor:first-last lag)"},
      {"min_days", ParamType::kInt, "7", 1, 3650,
       "fewer usable days: the shared short-history rule"},
  };
}

Settings SettingsFrom(Family family, std::string name, const ParamValues& v) {
  Settings s;
  s.family = family;
  s.name = std::move(name);
  s.transform = v.GetString("transform");
  s.design.trend = v.GetBool("trend");
  s.design.fourier_k = v.GetInt("fourier_k");
  s.weekday = v.GetString("weekday");
  s.design.yearly_k = v.GetInt("yearly_k");
  s.design.events = v.GetBool("events");
  s.design.runup_days = v.GetInt("runup");
  s.design.spring_before = v.GetInt("spring_before");
  s.design.spring_after = v.GetInt("spring_after");
  s.lags = v.GetString("lags");
  s.min_days = v.GetInt("min_days");
  return s;
}

}  // namespace

Status RegisterRegressionModels(ModelRegistry& registry) {
  {
    std::vector<ParamSpec> specs = DesignSpecs();
    specs.push_back({"lambda", ParamType::kDouble, "-1", -1, 1e12,
                     "ridge penalty on standardised features; -1 = choose by GCV"});
    SC_RETURN_IF_ERROR(registry.Register(
        {"regression",
         "ridge regression on drivers (price elasticity, promotions, festivals, lagged cart "
         "adds), lambda by GCV",
         ParamSchema(std::move(specs)), [](const ParamValues& v) -> std::unique_ptr<ForecastModel> {
           Settings s = SettingsFrom(Family::kRidge, "regression", v);
           s.lambda = v.GetDouble("lambda");
           return std::make_unique<DriverModel>(std::move(s));
         }}));
  }
  {
    std::vector<ParamSpec> specs = DesignSpecs();
    specs.push_back({"prior_scale", ParamType::kDouble, "10", 1e-6, 1e6,
                     "prior sd of a standardised coefficient, in units of the noise sd"});
    specs.push_back({"a0", ParamType::kDouble, "0.01", 1e-9, 1e9, "inverse-gamma prior shape"});
    specs.push_back({"b0", ParamType::kDouble, "0.01", 1e-9, 1e9, "inverse-gamma prior scale"});
    SC_RETURN_IF_ERROR(registry.Register(
        {"bayes_regression",
         "conjugate Normal-Inverse-Gamma regression on drivers; exact Student-t predictive",
         ParamSchema(std::move(specs)), [](const ParamValues& v) -> std::unique_ptr<ForecastModel> {
           Settings s = SettingsFrom(Family::kBayes, "bayes_regression", v);
           s.prior_scale = v.GetDouble("prior_scale");
           s.a0 = v.GetDouble("a0");
           s.b0 = v.GetDouble("b0");
           return std::make_unique<DriverModel>(std::move(s));
         }}));
  }
  {
    std::vector<ParamSpec> specs = DesignSpecs();
    for (ParamSpec& p : specs) {
      if (p.name == "trend") {
        p = {"trend", ParamType::kString, "level", -1e300, 1e300,
             "level: local level; linear: local linear trend"};
      }
    }
    specs.push_back({"estimate", ParamType::kString, "discount", -1e300, 1e300,
                     "discount: use the delta_* given; ml: choose them by predictive likelihood"});
    specs.push_back({"delta_trend", ParamType::kDouble, "0.98", 0.5, 1, "trend discount factor"});
    specs.push_back({"delta_season", ParamType::kDouble, "0.99", 0.5, 1,
                     "seasonal discount factor"});
    specs.push_back({"delta_regression", ParamType::kDouble, "0.999", 0.5, 1,
                     "regression discount factor"});
    SC_RETURN_IF_ERROR(registry.Register(
        {"dlm",
         "dynamic linear model: local level/trend + Fourier season + driver coefficients, "
         "discount factors, Kalman filter",
         ParamSchema(std::move(specs)), [](const ParamValues& v) -> std::unique_ptr<ForecastModel> {
           Settings s;
           s.family = Family::kDlm;
           s.name = "dlm";
           s.transform = v.GetString("transform");
           s.trend_kind = v.GetString("trend");
           s.design.fourier_k = v.GetInt("fourier_k");
           s.weekday = v.GetString("weekday");
           s.design.yearly_k = v.GetInt("yearly_k");
           s.design.events = v.GetBool("events");
           s.design.runup_days = v.GetInt("runup");
           s.design.spring_before = v.GetInt("spring_before");
           s.design.spring_after = v.GetInt("spring_after");
           s.lags = v.GetString("lags");
           s.min_days = v.GetInt("min_days");
           s.estimate = v.GetString("estimate");
           s.delta_trend = v.GetDouble("delta_trend");
           s.delta_season = v.GetDouble("delta_season");
           s.delta_regression = v.GetDouble("delta_regression");
           return std::make_unique<DriverModel>(std::move(s));
         }}));
  }
  return Status::Ok();
}

}  // namespace stockcast::forecast
