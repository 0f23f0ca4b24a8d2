#include "stockcast/forecast/ets.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>
#include <nlopt.hpp>

#include "stockcast/forecast/distribution.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kBad = 1e100;  // objective value of an inadmissible parameter vector
constexpr double kTiny = 1e-10;

bool Finite(double v) { return std::isfinite(v); }

// Counts the free parameters of a model, HKOS's k: the estimated smoothing parameters, the
// initial level, trend and m - 1 seasonal states (the last follows from normalisation), and
// sigma^2.
int NumParams(const EtsSpec& spec, const EtsOptions* fixed) {
  auto free = [&](double fixed_value) { return fixed == nullptr || std::isnan(fixed_value) ? 1 : 0; };
  int k = 1 + 1;  // level, sigma^2
  k += free(fixed ? fixed->alpha : kNaN);
  if (spec.trend != EtsTrend::kNone) k += 1 + free(fixed ? fixed->beta : kNaN);
  if (spec.trend == EtsTrend::kDamped) k += free(fixed ? fixed->phi : kNaN);
  if (spec.season != EtsSeason::kNone) k += spec.m - 1 + free(fixed ? fixed->gamma : kNaN);
  return k;
}

// The filter: runs the recursions of the header over y from the given initial states and
// returns the likelihood terms. Seasonal states live in a ring where the state used at
// observation t sits at ring[t mod m]; the update writes s_t back into the same slot, which
// is next read at t + m.
struct FilterResult {
  bool ok = false;
  int n = 0;
  double sse = 0;      // sum eps^2
  double sum_log = 0;  // sum log|mu| over observed t (M errors)
  double abs_sse = 0;  // sum (y - mu)^2
};

class Filter {
 public:
  explicit Filter(const EtsSpec& spec) : spec_(spec), m_(std::max(1, spec.m)) { ring_.resize(m_); }

  FilterResult Run(std::span<const double> y, const EtsParams& p, std::vector<double>* fitted) {
    FilterResult r;
    const bool seasonal = spec_.season != EtsSeason::kNone;
    const bool has_trend = spec_.trend != EtsTrend::kNone;
    const bool mult_error = spec_.error == EtsError::kMultiplicative;
    const bool mult_season = spec_.season == EtsSeason::kMultiplicative;
    const double phi = spec_.trend == EtsTrend::kDamped ? p.phi : 1.0;
    const double beta_over_alpha = has_trend ? p.beta / p.alpha : 0.0;
    if (seasonal) {
      for (int j = 0; j < m_; ++j) ring_[j] = p.season[static_cast<size_t>(m_ - 1 - j)];
    }
    double l = p.level, b = has_trend ? p.trend : 0.0;
    if (fitted) fitted->assign(y.size(), kNaN);
    int slot = 0;
    // sum log|mu| is kept as log(mantissa product) + exponent sum: one frexp per 4 observed
    // steps instead of one log per step (the log was a fifth of the fitting time). Between
    // normalisations the product of 4 values in [1e-75, 1e75] cannot overflow or underflow.
    double log_mantissa = 1.0;
    int log_exponent = 0, since_norm = 0;
    for (size_t t = 0; t < y.size(); ++t) {
      const double phib = phi * b;
      const double q = l + phib;
      const double s = seasonal ? ring_[slot] : 0.0;
      const double mu = !seasonal ? q : mult_season ? q * s : q + s;
      if (fitted) (*fitted)[t] = mu;
      const double obs = y[t];
      if (Finite(obs)) {
        double e = obs - mu;
        r.abs_sse += e * e;
        if (mult_error) {
          if (!(std::fabs(mu) > kTiny)) return r;
          e /= mu;
          log_mantissa *= std::fabs(mu);
          if (++since_norm == 4) {
            int ex = 0;
            log_mantissa = std::frexp(log_mantissa, &ex);
            if (!(log_mantissa > 0) || !Finite(log_mantissa)) return r;
            log_exponent += ex;
            since_norm = 0;
          }
        }
        r.sse += e * e;
        ++r.n;
        double pt = obs;
        if (seasonal) {
          if (mult_season) {
            if (!(std::fabs(s) > kTiny)) return r;
            pt = obs / s;
          } else {
            pt = obs - s;
          }
        }
        const double new_l = q + p.alpha * (pt - q);
        if (has_trend) b = phib + beta_over_alpha * (new_l - l - phib);
        if (seasonal) {
          double target = obs - q;
          if (mult_season) {
            if (!(std::fabs(q) > kTiny)) return r;
            target = obs / q;
          }
          ring_[slot] = s + p.gamma * (target - s);
        }
        l = new_l;
      } else {
        l = q;  // nothing observed: the states move on by their own dynamics
        b = phib;
      }
      if (!Finite(l) || !Finite(b)) return r;
      if (++slot == m_) slot = 0;
    }
    if (mult_error) {
      if (!(log_mantissa > 0) || !Finite(log_mantissa)) return r;
      r.sum_log = std::log(log_mantissa) + log_exponent * 0.69314718055994530942;
    }
    last_level_ = l;
    last_trend_ = b;
    next_slot_ = slot;
    r.ok = true;
    return r;
  }

  // Seasonal states after the last observation, in EtsParams order (most recent first).
  std::vector<double> LastSeason() const {
    std::vector<double> out;
    if (spec_.season == EtsSeason::kNone) return out;
    out.resize(static_cast<size_t>(m_));
    for (int i = 0; i < m_; ++i) out[static_cast<size_t>(i)] = ring_[(next_slot_ + m_ - 1 - i) % m_];
    return out;
  }
  double last_level() const { return last_level_; }
  double last_trend() const { return last_trend_; }

 private:
  EtsSpec spec_;
  int m_;
  std::vector<double> ring_;
  double last_level_ = 0, last_trend_ = 0;
  int next_slot_ = 0;
};

// -2 log L up to the constant (R's criterion); kBad when the model does not apply.
double Lik(const FilterResult& r, const EtsSpec& spec) {
  if (!r.ok || r.n == 0 || !(r.sse > 0) || !Finite(r.sse)) return kBad;
  double lik = r.n * std::log(r.sse);
  if (spec.error == EtsError::kMultiplicative) lik += 2.0 * r.sum_log;
  return Finite(lik) ? lik : kBad;
}

bool AllPositive(std::span<const double> y) {
  for (double v : y) {
    if (Finite(v) && !(v > 0)) return false;
  }
  return true;
}

bool NeedsPositive(const EtsSpec& spec) {
  return spec.error == EtsError::kMultiplicative || spec.season == EtsSeason::kMultiplicative;
}

// Ordinary least squares of v on 1..k: intercept (the value at 0) and slope.
std::pair<double, double> LineFit(const std::vector<std::pair<double, double>>& pts) {
  const double k = static_cast<double>(pts.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& [x, v] : pts) {
    sx += x;
    sy += v;
    sxx += x * x;
    sxy += x * v;
  }
  const double den = k * sxx - sx * sx;
  if (pts.size() < 2 || std::fabs(den) < kTiny) return {sy / std::max(k, 1.0), 0.0};
  const double slope = (k * sxy - sx * sy) / den;
  return {(sy - slope * sx) / k, slope};
}

// Heuristic initial states, refined afterwards by the optimiser (as HKOS sec. 5.2 suggests):
// seasonal indices from a classical decomposition of the first (up to) three seasons (centred
// moving average of order m, 2 x m for even m; ratios or differences to it averaged per
// season position and normalised to mean 1 or 0); level and trend from a straight line
// through the first ten seasonally adjusted values (level alone: their mean).
EtsParams InitialStates(std::span<const double> y, const EtsSpec& spec) {
  EtsParams p;
  const int m = spec.m;
  const bool seasonal = spec.season != EtsSeason::kNone;
  const bool mult = spec.season == EtsSeason::kMultiplicative;
  std::vector<double> index(static_cast<size_t>(std::max(m, 1)), mult ? 1.0 : 0.0);
  const size_t n = y.size();
  if (seasonal) {
    const size_t k = std::min(n, static_cast<size_t>(3 * m));
    std::vector<double> sum(static_cast<size_t>(m), 0.0);
    std::vector<int> count(static_cast<size_t>(m), 0);
    const int half = m / 2;
    for (size_t t = static_cast<size_t>(half); t + static_cast<size_t>(half) < k; ++t) {
      // Centred moving average around t.
      double acc = 0, w = 0;
      bool complete = true;
      for (int j = -half; j <= half; ++j) {
        const double v = y[t + static_cast<size_t>(j + half) - static_cast<size_t>(half)];
        const double weight = (m % 2 == 0 && (j == -half || j == half)) ? 0.5 : 1.0;
        if (!Finite(v)) {
          complete = false;
          break;
        }
        acc += weight * v;
        w += weight;
      }
      if (!complete || !Finite(y[t]) || w <= 0) continue;
      const double trend = acc / w;
      const size_t pos = t % static_cast<size_t>(m);
      if (mult) {
        if (!(trend > 0)) continue;
        sum[pos] += y[t] / trend;
      } else {
        sum[pos] += y[t] - trend;
      }
      ++count[pos];
    }
    double mean = 0;
    for (int j = 0; j < m; ++j) {
      index[static_cast<size_t>(j)] = count[static_cast<size_t>(j)] > 0
                                          ? sum[static_cast<size_t>(j)] / count[static_cast<size_t>(j)]
                                          : (mult ? 1.0 : 0.0);
      mean += index[static_cast<size_t>(j)];
    }
    mean /= m;
    for (double& v : index) {
      v = mult ? (mean > 0 ? v / mean : 1.0) : v - mean;
      if (mult) v = std::clamp(v, 0.05, 20.0);
    }
    // Observation t uses season[m - 1 - (t mod m)].
    p.season.assign(static_cast<size_t>(m), 0.0);
    for (int j = 0; j < m; ++j) p.season[static_cast<size_t>(m - 1 - j)] = index[static_cast<size_t>(j)];
  }
  std::vector<std::pair<double, double>> pts;
  for (size_t t = 0; t < n && pts.size() < 10; ++t) {
    if (!Finite(y[t])) continue;
    double v = y[t];
    if (seasonal) {
      const double s = index[t % static_cast<size_t>(m)];
      v = mult ? v / s : v - s;
    }
    pts.emplace_back(static_cast<double>(t + 1), v);
  }
  if (spec.trend != EtsTrend::kNone) {
    const auto [a, b] = LineFit(pts);
    p.level = a;
    p.trend = b;
  } else {
    double sum = 0;
    for (const auto& pt : pts) sum += pt.second;
    p.level = pts.empty() ? 0.0 : sum / static_cast<double>(pts.size());
  }
  if (NeedsPositive(spec) && !(p.level > 0)) {
    double sum = 0;
    for (const auto& pt : pts) sum += pt.second;
    p.level = std::max(pts.empty() ? 1.0 : sum / static_cast<double>(pts.size()), 1e-3);
    p.trend = 0;
  }
  return p;
}

// Maps the optimiser's box-bounded vector to parameters. Smoothing parameters are
// reparameterised so the usual region is a box: beta = alpha * x_beta, gamma = (1 - alpha) *
// x_gamma. Initial states are offsets from the heuristic, in units of `scale` (so that every
// coordinate is of order one for the trust region), with the last seasonal state set by
// normalisation (additive: sum 0; multiplicative: sum m).
struct Layout {
  EtsSpec spec;
  EtsParams start;
  double scale = 1;
  double season_scale = 1;
  double fixed_alpha = kNaN, fixed_beta = kNaN, fixed_gamma = kNaN, fixed_phi = kNaN;
  int dim = 0;
  int i_alpha = -1, i_beta = -1, i_gamma = -1, i_phi = -1, i_level = -1, i_trend = -1,
      i_season = -1;

  EtsParams Decode(const double* x) const {
    EtsParams p = start;
    p.alpha = i_alpha >= 0 ? x[i_alpha] : fixed_alpha;
    if (spec.trend != EtsTrend::kNone) p.beta = i_beta >= 0 ? p.alpha * x[i_beta] : fixed_beta;
    if (spec.season != EtsSeason::kNone) {
      p.gamma = i_gamma >= 0 ? (1.0 - p.alpha) * x[i_gamma] : fixed_gamma;
    }
    p.phi = spec.trend == EtsTrend::kDamped ? (i_phi >= 0 ? x[i_phi] : fixed_phi) : 1.0;
    p.level = start.level + scale * x[i_level];
    if (i_trend >= 0) p.trend = start.trend + scale * 0.1 * x[i_trend];
    if (i_season >= 0) {
      const int m = spec.m;
      double sum = 0;
      for (int j = 0; j < m - 1; ++j) {
        p.season[static_cast<size_t>(j)] = start.season[static_cast<size_t>(j)] + season_scale * x[i_season + j];
        sum += p.season[static_cast<size_t>(j)];
      }
      p.season[static_cast<size_t>(m - 1)] =
          spec.season == EtsSeason::kMultiplicative ? m - sum : -sum;
    }
    return p;
  }
};

struct Objective {
  const Layout* layout;
  std::span<const double> y;
  Filter* filter;
  int evaluations = 0;
  // The best point evaluated: kept here so that an optimiser that stops with an exception
  // (NLopt's roundoff_limited, a forced stop) still yields its progress.
  double best_value = kBad;
  std::vector<double> best_x;
};

double ObjectiveFn(unsigned /*n*/, const double* x, double* /*grad*/, void* data) {
  auto* o = static_cast<Objective*>(data);
  ++o->evaluations;
  const EtsParams p = o->layout->Decode(x);
  if (o->layout->spec.season == EtsSeason::kMultiplicative) {
    for (double s : p.season) {
      if (!(s > 0)) return kBad;
    }
  }
  if (NeedsPositive(o->layout->spec) && !(p.level > 0)) return kBad;
  const double value = Lik(o->filter->Run(o->y, p, nullptr), o->layout->spec);
  if (value < o->best_value) {
    o->best_value = value;
    o->best_x.assign(x, x + o->layout->dim);
  }
  return value;
}

double Ic(const EtsFit& fit, std::string_view ic) {
  if (ic == "aic") return fit.aic;
  if (ic == "bic") return fit.bic;
  return fit.aicc;
}

}  // namespace

std::string EtsSpec::Code() const {
  std::string c;
  c += error == EtsError::kAdditive ? "A" : "M";
  c += trend == EtsTrend::kNone ? "N" : trend == EtsTrend::kAdditive ? "A" : "Ad";
  c += season == EtsSeason::kNone ? "N" : season == EtsSeason::kAdditive ? "A" : "M";
  return c;
}

std::string EtsSpec::ToString() const {
  const std::string c = Code();
  const size_t t = c.size() == 4 ? 2 : 1;
  return fmt::format("ETS({},{},{})", c.substr(0, 1), c.substr(1, t), c.substr(1 + t));
}

std::optional<EtsSpec> EtsSpec::Parse(std::string_view code, int m) {
  EtsSpec s;
  s.m = m;
  if (code.size() != 3 && code.size() != 4) return std::nullopt;
  if (code[0] == 'A') s.error = EtsError::kAdditive;
  else if (code[0] == 'M') s.error = EtsError::kMultiplicative;
  else return std::nullopt;
  std::string_view trend = code.substr(1, code.size() - 2);
  if (trend == "N") s.trend = EtsTrend::kNone;
  else if (trend == "A") s.trend = EtsTrend::kAdditive;
  else if (trend == "Ad") s.trend = EtsTrend::kDamped;
  else return std::nullopt;
  const char season = code.back();
  if (season == 'N') s.season = EtsSeason::kNone;
  else if (season == 'A') s.season = EtsSeason::kAdditive;
  else if (season == 'M') s.season = EtsSeason::kMultiplicative;
  else return std::nullopt;
  if (s.season != EtsSeason::kNone && m < 2) return std::nullopt;
  return s;
}

Result<EtsFit> EvaluateEts(std::span<const double> y, const EtsSpec& spec, const EtsParams& params) {
  if (spec.season != EtsSeason::kNone &&
      params.season.size() != static_cast<size_t>(spec.m)) {
    return Error::InvalidArgument(fmt::format(
        "{}: {} seasonal initial states for season length {}; they must match", spec.ToString(),
        params.season.size(), spec.m));
  }
  Filter filter(spec);
  EtsFit fit;
  fit.spec = spec;
  fit.params = params;
  const FilterResult r = filter.Run(y, params, &fit.fitted);
  if (r.n == 0) {
    return Error::InvalidArgument(fmt::format("{}: the series has no finite value", spec.ToString()));
  }
  const double lik = Lik(r, spec);
  if (lik >= kBad) {
    return Error::InvalidArgument(fmt::format(
        "{}: the model does not apply to the series with these parameters (a one-step forecast "
        "or seasonal state is zero or negative under a multiplicative component, or the "
        "states diverged)",
        spec.ToString()));
  }
  fit.n = r.n;
  fit.num_params = NumParams(spec, nullptr);
  fit.lik = lik;
  const double n = r.n;
  const double k = fit.num_params;
  fit.loglik = -0.5 * (lik + n * (1.0 + std::log(2.0 * M_PI / n)));
  fit.aic = lik + 2 * k;  // R's definitions, without the constant (the same for every model)
  fit.aicc = n - k - 1 > 0 ? fit.aic + 2 * k * (k + 1) / (n - k - 1) : kBad;
  fit.bic = lik + std::log(n) * k;
  // R's estimate: SSE over n minus the parameters other than sigma^2 itself.
  fit.sigma2 = n - (k - 1) > 0 ? r.sse / (n - (k - 1)) : r.sse / n;
  fit.mse = r.abs_sse / n;
  fit.last_level = filter.last_level();
  fit.last_trend = filter.last_trend();
  fit.last_season = filter.LastSeason();
  return fit;
}

Result<EtsFit> FitEts(std::span<const double> y, const EtsSpec& spec, const EtsOptions& options) {
  int observed = 0;
  for (double v : y) observed += Finite(v) ? 1 : 0;
  if (NeedsPositive(spec) && !AllPositive(y)) {
    return Error::InvalidArgument(fmt::format(
        "{}: multiplicative components need strictly positive data; the series has values <= 0",
        spec.ToString()));
  }
  const int k = NumParams(spec, &options);
  if (observed < k + 2) {
    return Error::InvalidArgument(fmt::format(
        "{}: {} observations for {} parameters; the model needs at least {}", spec.ToString(),
        observed, k, k + 2));
  }
  if (spec.season != EtsSeason::kNone && y.size() < static_cast<size_t>(2 * spec.m)) {
    return Error::InvalidArgument(fmt::format(
        "{}: {} periods; a seasonal model needs at least two seasons ({})", spec.ToString(),
        y.size(), 2 * spec.m));
  }

  Layout L;
  L.spec = spec;
  L.start = InitialStates(y, spec);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum_abs = 0;
  for (double v : y) {
    if (!Finite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum_abs += std::fabs(v);
  }
  L.scale = std::max({hi - lo, sum_abs / observed * 0.1, 1e-6}) * 0.1;
  L.season_scale = spec.season == EtsSeason::kMultiplicative ? 0.05 : L.scale;
  L.fixed_alpha = options.alpha;
  L.fixed_beta = options.beta;
  L.fixed_gamma = options.gamma;
  L.fixed_phi = options.phi;

  std::vector<double> x0, lb, ub, step;
  auto add = [&](int* index, double start, double lower, double upper, double dx) {
    *index = static_cast<int>(x0.size());
    x0.push_back(std::clamp(start, lower, upper));
    lb.push_back(lower);
    ub.push_back(upper);
    step.push_back(dx);
  };
  // Starting values as HKOS/R: alpha 0.2 (a tenth of the way to 1 per season for seasonal
  // models), beta a tenth of alpha, gamma a twentieth of 1 - alpha, phi 0.978 (the top of the
  // damped region minus a little).
  const double a0 = spec.season != EtsSeason::kNone ? std::max(0.2 / std::sqrt(spec.m), 0.05) : 0.2;
  if (std::isnan(options.alpha)) add(&L.i_alpha, a0, 1e-4, 0.9999, 0.05);
  if (spec.trend != EtsTrend::kNone && std::isnan(options.beta)) add(&L.i_beta, 0.1, 1e-4, 0.9999, 0.05);
  if (spec.season != EtsSeason::kNone && std::isnan(options.gamma)) {
    add(&L.i_gamma, 0.05, 1e-4, 0.9999, 0.03);
  }
  if (spec.trend == EtsTrend::kDamped && std::isnan(options.phi)) add(&L.i_phi, 0.97, 0.8, 0.98, 0.01);
  const double span = 50.0;  // states may move up to 50 x scale (5 x the data range)
  add(&L.i_level, 0.0, -span, span, 0.5);
  if (spec.trend != EtsTrend::kNone) add(&L.i_trend, 0.0, -span, span, 0.5);
  if (spec.season != EtsSeason::kNone && options.optimize_seasonal_states) {
    L.i_season = static_cast<int>(x0.size());
    for (int j = 0; j < spec.m - 1; ++j) {
      int unused = 0;
      if (spec.season == EtsSeason::kMultiplicative) {
        // Keep each index in [0.01, 20].
        const double s = L.start.season[static_cast<size_t>(j)];
        add(&unused, 0.0, (0.01 - s) / L.season_scale, (20.0 - s) / L.season_scale, 0.5);
      } else {
        add(&unused, 0.0, -span, span, 0.5);
      }
    }
  }
  L.dim = static_cast<int>(x0.size());
  // Fixed values validated against the same region.
  auto check_fixed = [&](double v, double lower, double upper, const char* name) -> Status {
    if (std::isnan(v) || (v >= lower && v <= upper)) return Status::Ok();
    return Error::InvalidArgument(
        fmt::format("{}: {} = {}; must be in [{}, {}]", spec.ToString(), name, v, lower, upper));
  };
  SC_RETURN_IF_ERROR(check_fixed(options.alpha, 0, 1, "alpha"));
  SC_RETURN_IF_ERROR(check_fixed(options.phi, 0, 1, "phi"));
  if (!std::isnan(options.beta) && !std::isnan(options.alpha)) {
    SC_RETURN_IF_ERROR(check_fixed(options.beta, 0, options.alpha, "beta"));
  }
  if (!std::isnan(options.gamma) && !std::isnan(options.alpha)) {
    SC_RETURN_IF_ERROR(check_fixed(options.gamma, 0, 1 - options.alpha, "gamma"));
  }

  Filter filter(spec);
  Objective objective{&L, y, &filter, 0, kBad, {}};
  ObjectiveFn(0, x0.data(), nullptr, &objective);
  try {
    // BOBYQA (Powell 2009) builds a quadratic model of the smooth likelihood and needs far
    // fewer evaluations than Nelder-Mead here (measured: 3-5x fewer on M3-like series); it
    // needs two or more variables.
    nlopt::opt opt(L.dim >= 2 ? nlopt::LN_BOBYQA : nlopt::LN_NELDERMEAD, static_cast<unsigned>(L.dim));
    opt.set_lower_bounds(lb);
    opt.set_upper_bounds(ub);
    opt.set_initial_step(step);
    opt.set_min_objective(ObjectiveFn, &objective);
    opt.set_ftol_rel(1e-8);
    opt.set_xtol_rel(1e-6);
    opt.set_maxeval(options.max_evaluations);
    std::vector<double> x = x0;
    double value = 0;
    opt.optimize(x, value);
  } catch (const std::exception&) {
    // roundoff_limited or another stop: the best point evaluated is kept in `objective`.
  }
  const double best_value = objective.best_value;
  const std::vector<double> best = objective.best_x;
  if (best_value >= kBad) {
    return Error::InvalidArgument(fmt::format(
        "{}: no admissible parameters found (the likelihood is undefined at every point tried)",
        spec.ToString()));
  }
  SC_ASSIGN_OR_RETURN(EtsFit fit, EvaluateEts(y, spec, L.Decode(best.data())));
  fit.num_params = k;
  // Recompute the criteria with the fixed parameters not counted.
  const double n = fit.n;
  fit.aic = fit.lik + 2.0 * k;
  fit.aicc = n - k - 1 > 0 ? fit.aic + 2.0 * k * (k + 1) / (n - k - 1) : kBad;
  fit.bic = fit.lik + std::log(n) * k;
  return fit;
}

Result<EtsFit> AutoEts(std::span<const double> y, int m, const EtsOptions& options,
                       std::string_view restrict_code) {
  if (restrict_code.size() < 3 || restrict_code.size() > 4) {
    return Error::InvalidArgument(fmt::format(
        "ets model = \"{}\"; must be three letters error/trend/season such as ZZZ, AAN, MAdM "
        "(Z = choose)",
        restrict_code));
  }
  const char e = restrict_code[0];
  const std::string_view t = restrict_code.substr(1, restrict_code.size() - 2);
  const char s = restrict_code.back();
  const bool valid = (e == 'A' || e == 'M' || e == 'Z') &&
                     (t == "N" || t == "A" || t == "Ad" || t == "Z") &&
                     (s == 'N' || s == 'A' || s == 'M' || s == 'Z');
  if (!valid) {
    return Error::InvalidArgument(fmt::format(
        "ets model = \"{}\"; error must be A, M or Z, trend N, A, Ad or Z, season N, A, M or Z",
        restrict_code));
  }
  const bool positive = AllPositive(y);
  const bool seasonal_ok = m > 1 && m <= options.max_season && y.size() >= static_cast<size_t>(2 * m);
  std::vector<EtsError> errors;
  if (e != 'M') errors.push_back(EtsError::kAdditive);
  if (e != 'A' && positive && options.allow_multiplicative) errors.push_back(EtsError::kMultiplicative);
  if (e == 'M' && (!positive || !options.allow_multiplicative)) errors.push_back(EtsError::kAdditive);
  std::vector<EtsTrend> trends;
  if (t == "N" || t == "Z") trends.push_back(EtsTrend::kNone);
  if (t == "A" || t == "Z") trends.push_back(EtsTrend::kAdditive);
  if (t == "Ad" || (t == "Z" && options.allow_damped)) trends.push_back(EtsTrend::kDamped);
  std::vector<EtsSeason> seasons;
  if (s == 'N' || s == 'Z' || !seasonal_ok) seasons.push_back(EtsSeason::kNone);
  if (seasonal_ok && (s == 'A' || s == 'Z')) seasons.push_back(EtsSeason::kAdditive);
  if (seasonal_ok && (s == 'M' || s == 'Z') && positive && options.allow_multiplicative) {
    seasons.push_back(EtsSeason::kMultiplicative);
  }
  if (seasonal_ok && s == 'M' && (!positive || !options.allow_multiplicative)) {
    seasons.push_back(EtsSeason::kAdditive);
  }

  std::optional<EtsFit> best;
  std::string last_error;
  for (EtsError err : errors) {
    for (EtsTrend tr : trends) {
      for (EtsSeason se : seasons) {
        // Additive errors with a multiplicative season give forecast variances that can be
        // infinite (HKOS sec. 15.2); R's ets leaves them out by default, so do we.
        if (err == EtsError::kAdditive && se == EtsSeason::kMultiplicative) continue;
        EtsSpec spec{err, tr, se, se == EtsSeason::kNone ? 1 : m};
        auto fit = FitEts(y, spec, options);
        if (!fit.ok()) {
          last_error = fit.error().message;
          continue;
        }
        if (!best || Ic(*fit, options.ic) < Ic(*best, options.ic)) best = std::move(fit).value();
      }
    }
  }
  if (!best) {
    return Error::InvalidArgument(fmt::format(
        "ets: no candidate model could be fitted{}", last_error.empty() ? "" : "; last: " + last_error));
  }
  return *best;
}

EtsForecast ForecastEts(const EtsFit& fit, int horizon, std::span<const double> levels) {
  const EtsSpec& spec = fit.spec;
  const size_t H = static_cast<size_t>(std::max(horizon, 0));
  EtsForecast out;
  out.mean.assign(H, 0.0);
  out.variance.assign(H, 0.0);
  const int m = std::max(1, spec.m);
  const bool seasonal = spec.season != EtsSeason::kNone;
  const double phi = spec.trend == EtsTrend::kDamped ? fit.params.phi : 1.0;
  const double alpha = fit.params.alpha, beta = fit.params.beta, gamma = fit.params.gamma;
  // phi_h = phi + ... + phi^h (h for undamped trends, 0 without a trend).
  auto phi_sum = [&](int h) {
    if (spec.trend == EtsTrend::kNone) return 0.0;
    if (spec.trend == EtsTrend::kAdditive) return static_cast<double>(h);
    double s = 0, p = 1;
    for (int i = 1; i <= h; ++i) {
      p *= phi;
      s += p;
    }
    return s;
  };
  for (size_t i = 0; i < H; ++i) {
    const int h = static_cast<int>(i) + 1;
    const double trend_part = fit.last_level + phi_sum(h) * fit.last_trend;
    double mu = trend_part;
    if (seasonal) {
      const double s = fit.last_season[static_cast<size_t>(m - 1 - (h - 1) % m)];
      mu = spec.season == EtsSeason::kMultiplicative ? trend_part * s : trend_part + s;
    }
    out.mean[i] = mu;
  }
  // c_j of HKOS Table 6.1: alpha + beta phi_j + gamma [j mod m == 0].
  auto c = [&](int j) {
    double v = alpha + beta * phi_sum(j);
    if (seasonal && j % m == 0) v += gamma;
    return v;
  };
  const double s2 = fit.sigma2;
  if (spec.season != EtsSeason::kMultiplicative) {
    if (spec.error == EtsError::kAdditive) {
      // Class 1: v_h = sigma^2 (1 + sum_{j<h} c_j^2).
      double acc = 0;
      for (size_t i = 0; i < H; ++i) {
        const int h = static_cast<int>(i) + 1;
        if (h > 1) acc += c(h - 1) * c(h - 1);
        out.variance[i] = s2 * (1.0 + acc);
      }
    } else {
      // Class 2: theta_1 = mu_1^2, theta_h = mu_h^2 + sigma^2 sum_{j<h} c_j^2 theta_{h-j},
      // v_h = (1 + sigma^2) theta_h - mu_h^2.
      std::vector<double> theta(H, 0.0);
      for (size_t i = 0; i < H; ++i) {
        const int h = static_cast<int>(i) + 1;
        double acc = 0;
        for (int j = 1; j < h; ++j) acc += c(j) * c(j) * theta[static_cast<size_t>(h - j - 1)];
        theta[i] = out.mean[i] * out.mean[i] + s2 * acc;
        out.variance[i] = std::max(0.0, (1.0 + s2) * theta[i] - out.mean[i] * out.mean[i]);
      }
    }
    return out;
  }
  // Class 3 (multiplicative season): simulate the model forward. Deterministic: fixed seed and
  // a Box-Muller transform of a fixed-algorithm generator.
  constexpr int kPaths = 5000;
  std::mt19937_64 rng(20080101);
  auto uniform = [&]() { return (static_cast<double>(rng() >> 11) + 0.5) / 9007199254740992.0; };
  std::vector<std::vector<double>> sims(H, std::vector<double>(kPaths, 0.0));
  const double sigma = std::sqrt(std::max(s2, 0.0));
  std::vector<double> ring(static_cast<size_t>(m));
  for (int path = 0; path < kPaths; ++path) {
    double l = fit.last_level, b = fit.last_trend;
    for (int j = 0; j < m; ++j) ring[static_cast<size_t>(j)] = fit.last_season[static_cast<size_t>(m - 1 - j)];
    int slot = 0;
    for (size_t i = 0; i < H; ++i) {
      const double u1 = uniform(), u2 = uniform();
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
      const double eps = sigma * z;
      const double phib = phi * b;
      const double q = l + phib;
      const double s = ring[static_cast<size_t>(slot)];
      const double mu = q * s;
      const double yv = spec.error == EtsError::kMultiplicative ? mu * (1.0 + eps) : mu + eps;
      sims[i][static_cast<size_t>(path)] = yv;
      const double pt = std::fabs(s) > kTiny ? yv / s : q;
      const double new_l = q + alpha * (pt - q);
      if (spec.trend != EtsTrend::kNone) b = phib + (beta / alpha) * (new_l - l - phib);
      if (std::fabs(q) > kTiny) ring[static_cast<size_t>(slot)] = s + gamma * (yv / q - s);
      l = new_l;
      if (++slot == m) slot = 0;
    }
  }
  out.sim_quantiles.assign(levels.size(), std::vector<double>(H, 0.0));
  for (size_t i = 0; i < H; ++i) {
    std::vector<double>& v = sims[i];
    std::sort(v.begin(), v.end());
    double mean = 0, sq = 0;
    for (double x : v) mean += x;
    mean /= kPaths;
    for (double x : v) sq += (x - mean) * (x - mean);
    out.variance[i] = sq / (kPaths - 1);
    for (size_t l = 0; l < levels.size(); ++l) out.sim_quantiles[l][i] = EmpiricalQuantile(v, levels[l]);
  }
  return out;
}

// --- The registry models ------------------------------------------------------------------

namespace {

struct EtsModelSettings {
  std::string name;
  std::string code = "ZZZ";  // restriction passed to AutoEts
  std::string ic = "aicc";
  int season = 0;
  int min_days = 7;
  bool damped = true;
  bool optimize_states = false;
};

class EtsModel final : public ForecastModel {
 public:
  explicit EtsModel(EtsModelSettings s) : s_(std::move(s)) {}
  std::string_view name() const override { return s_.name; }

  Status Fit(std::span<const double> y, std::span<const uint8_t> flags, int season_length) override {
    SC_RETURN_IF_ERROR(ValidateFitArgs(s_.name, y, flags, season_length));
    fitted_ = true;
    fit_.reset();
    fallback_.clear();
    y_.assign(y.begin(), y.end());
    flags_.assign(flags.begin(), flags.end());
    const UsableSeries series = PrepareSeries(y, flags);
    if (series.usable < s_.min_days) return Status::Ok();  // Predict uses the shared rule
    const int m = s_.season > 0 ? s_.season : season_length;
    EtsOptions options;
    options.ic = s_.ic;
    options.allow_damped = s_.damped;
    options.optimize_seasonal_states = s_.optimize_states;
    auto fit = AutoEts(series.y, m, options, s_.code);
    if (!fit.ok() && s_.code != "ZZZ") {
      // The requested form does not fit this series (too short for its season, zeros under a
      // multiplicative component): choose among the forms that do, and say so.
      fallback_ = fmt::format("{} does not apply ({}); chose among all ETS forms",
                              s_.code, fit.error().message);
      fit = AutoEts(series.y, m, options, "ZZZ");
    }
    if (!fit.ok()) {
      fallback_ = fit.error().message;
      return Status::Ok();
    }
    fit_ = std::move(fit).value();
    return Status::Ok();
  }

  Result<Forecast> Predict(int horizon, std::span<const double> levels) const override {
    if (!fitted_) return Error::InvalidArgument(fmt::format("{}: Predict before Fit", s_.name));
    SC_RETURN_IF_ERROR(ValidatePredictArgs(s_.name, horizon, levels));
    if (auto f = ShortHistoryForecast(s_.name, y_, flags_, s_.min_days, 28, horizon, levels)) {
      return *f;
    }
    Forecast out;
    if (!fit_) {
      // No ETS form fits: the mean of the usable values, with Poisson spread.
      const UsableSeries series = PrepareSeries(y_, flags_);
      double sum = 0;
      for (double v : series.y) sum += Finite(v) ? v : 0.0;
      const double mean = sum / std::max(series.usable, 1);
      out.fallback = "mean: " + fallback_;
      out.mean.assign(static_cast<size_t>(horizon), mean);
      out.levels.assign(levels.begin(), levels.end());
      out.quantiles.assign(levels.size(), std::vector<double>(static_cast<size_t>(horizon)));
      for (size_t l = 0; l < levels.size(); ++l) {
        std::fill(out.quantiles[l].begin(), out.quantiles[l].end(), PoissonQuantile(mean, levels[l]));
      }
      ClampForecast(&out);
      return out;
    }
    const EtsForecast f = ForecastEts(*fit_, horizon, levels);
    out.mean = f.mean;
    out.fallback = fallback_;
    if (!f.sim_quantiles.empty()) {
      out.levels.assign(levels.begin(), levels.end());
      out.quantiles = f.sim_quantiles;
    } else {
      std::vector<double> sd(f.variance.size());
      for (size_t i = 0; i < sd.size(); ++i) sd[i] = std::sqrt(std::max(f.variance[i], 0.0));
      NormalQuantiles(out.mean, sd, levels, &out);
    }
    ClampForecast(&out);
    return out;
  }

  std::string Chosen() const override { return fit_ ? fit_->spec.ToString() : s_.name; }

 private:
  EtsModelSettings s_;
  bool fitted_ = false;
  std::vector<double> y_;
  std::vector<uint8_t> flags_;
  std::optional<EtsFit> fit_;
  std::string fallback_;
};

ParamSchema EtsSchema(bool with_model) {
  std::vector<ParamSpec> specs;
  if (with_model) {
    specs.push_back({"model", ParamType::kString, "ZZZ", -1e300, 1e300,
                     "error/trend/season letters, Z = choose by the criterion: e.g. ZZZ, AAdN, MAM"});
    specs.push_back({"ic", ParamType::kString, "aicc", -1e300, 1e300,
                     "selection criterion: aicc, aic or bic"});
    specs.push_back({"damped", ParamType::kBool, "true", 0, 1,
                     "consider damped trends when the trend is chosen (Z)"});
  }
  specs.push_back({"optimize_states", ParamType::kBool, "false", 0, 1,
                   "also estimate the initial seasonal states by maximum likelihood (as R; "
                   "slower), instead of keeping the classical-decomposition values"});
  specs.push_back({"season", ParamType::kInt, "0", 0, 366,
                   "season length; 0 = the series' own (7 for daily data, 12 monthly)"});
  specs.push_back({"min_days", ParamType::kInt, "7", 1, 3650,
                   "with fewer usable values, forecast their total spread over 28 steps "
                   "(Poisson quantiles); marked as a fallback"});
  return ParamSchema(std::move(specs));
}

ModelFactory EtsFactory(std::string name, std::string code) {
  return [name, code](const ParamValues& v) -> std::unique_ptr<ForecastModel> {
    EtsModelSettings s;
    s.name = name;
    s.code = code;
    if (v.raw().count("model")) {
      s.code = v.GetString("model");
      s.ic = v.GetString("ic");
      s.damped = v.GetBool("damped");
    }
    s.season = v.GetInt("season");
    s.min_days = v.GetInt("min_days");
    s.optimize_states = v.GetBool("optimize_states");
    return std::make_unique<EtsModel>(std::move(s));
  };
}

}  // namespace

Status RegisterEtsModels(ModelRegistry& registry) {
  SC_RETURN_IF_ERROR(registry.Register(
      {"ets",
       "exponential smoothing state-space models (error A/M, trend N/A/Ad, season N/A/M) by "
       "maximum likelihood, the form chosen by AICc (as R's forecast::ets)",
       EtsSchema(true), EtsFactory("ets", "ZZZ")}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"ses", "simple exponential smoothing, ETS(A,N,N), fitted by maximum likelihood",
       EtsSchema(false), EtsFactory("ses", "ANN")}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"holt", "Holt's linear trend, ETS(A,A,N), fitted by maximum likelihood", EtsSchema(false),
       EtsFactory("holt", "AAN")}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"holt_damped", "damped trend, ETS(A,Ad,N) (Gardner & McKenzie 1985)", EtsSchema(false),
       EtsFactory("holt_damped", "AAdN")}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"hw_additive", "additive Holt-Winters, ETS(A,A,A)", EtsSchema(false),
       EtsFactory("hw_additive", "AAA")}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"hw_multiplicative",
       "multiplicative Holt-Winters, ETS(M,A,M); positive data only (else the additive form)",
       EtsSchema(false), EtsFactory("hw_multiplicative", "MAM")}));
  return Status::Ok();
}

}  // namespace stockcast::forecast
