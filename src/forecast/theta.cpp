// Theta models.
//
// Standard Theta method (Assimakopoulos & Nikolopoulos 2000). The series is split into "theta
// lines" Z_t(theta) = theta y_t + (1 - theta)(a0 + b0 t), where a0 + b0 t is the OLS line of y
// on t = 0..n-1; Z(0) is the line itself (extrapolated as a line), Z(theta) is extrapolated by
// simple exponential smoothing (SES), and the forecast combines them with weights 1 - 1/theta
// and 1/theta (the weights that give back y in-sample). The standard method uses theta = 2.
//
// Hyndman & Billah (2003) showed this is SES with drift. Derivation used here (it also covers
// NaN days, which SES skips: the level carries forward). Write S_n(x; s) for the SES level of
// a series x after its n days, started at level s; S is linear in (x, s). Let L_t = a0 + b0 t.
// Since Z = theta y + (1 - theta) L,
//   S_n(Z; z0) / theta = S_n(y; l0) - (1 - 1/theta) S_n(L; a0),  l0 = z0/theta + (1-1/theta) a0,
// and S_n(L; a0) = a0 + b0 lambda_n with lambda_n = S_n(t; 0), the SES of the time index. The
// forecast (1 - 1/theta) L_{n-1+h} + S_n(Z; z0) / theta is therefore
//   yhat(n - 1 + h) = l_n + (1 - 1/theta) b0 (n - 1 + h - lambda_n),           l_n = S_n(y; l0)
// where the initial level l0 is a free parameter (it absorbs z0 and a0). The drift term adds
// back the lag of SES behind a straight line. With no NaN day, lambda_n = sum_{i<n} alpha
// (1-alpha)^(n-1-i) i = n - (1 - (1-alpha)^n) / alpha, so for theta = 2 the drift is
//   b0/2 (h - 1 + 1/alpha - (1 - alpha)^n / alpha),
// exactly R's forecast::thetaf. Like thetaf, the standard method estimates (alpha, l0) by SES
// alone (minimum sum of (y_t - l_{t-1})^2) and adds the drift to the forecast only.
//
// Optimised Theta Method (Fiorucci, Pellegrini, Louzada, Petropoulos & Koehler 2016, IJF 32,
// eqs. for the OTM and its state-space form): theta >= 1 is free, and (alpha, l0, theta)
// minimise the in-sample MSE of the one-step forecasts of the whole model,
//   mu_t = l_{t-1} + (1 - 1/theta) b0 (t - lambda_{t-1}).
// Their parametrisation has (1 - alpha)^(t-1) A_n in mu_t; it is absorbed here into l0
// (l0 here = their l0 + (1 - 1/theta) a0), which leaves every forecast unchanged. theta = 1 is
// SES, theta = 2 the standard method's point forecast for the same (alpha, l0).
//
// Seasonality (both, as thetaf): for m > 1 and n > 2m, the lag-m autocorrelation test of
// TestSeasonality; when seasonal, y is divided by the indices of a classical multiplicative
// decomposition, modelled, and the forecast multiplied back.
//
// Prediction intervals: both models are SES state-space models with an additive error
// (Fiorucci et al. 2016, section 3; Hyndman & Billah 2003), so the h-step variance is that of
// ETS(A,N,N): sigma^2 (1 + alpha^2 (h - 1)) (Hyndman et al. 2008, table 6.1). sigma^2 = SSE/N
// over the N observed one-step errors of the fitted recursion (the MLE; R's ets divides by
// N - parameters instead, a small difference for long series). Computed on the deseasonalised
// scale and multiplied by the seasonal index.
//
// Estimation: the SSE is quadratic in l0 for fixed (alpha, theta), since
// l_t = (1-alpha)^k_t l0 + (terms without l0) with k_t the observed days so far; so a grid over
// alpha (x theta) with l0 at its exact optimum gives a safe start, and NLopt's LN_BOBYQA (a
// derivative-free trust-region method with bound constraints, Powell 2009) then refines all
// parameters jointly inside the bounds. LN_BOBYQA rather than LN_NELDERMEAD: the objective is
// smooth and BOBYQA's quadratic model converges in far fewer evaluations, and it honours
// bounds natively. Finally l0 is reset to its exact optimum for the chosen (alpha, theta), and
// the better of the grid point and the refined point is kept.
#include "stockcast/forecast/theta.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <nlopt.hpp>

#include "stockcast/forecast/distribution.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// alpha bounds of R's ets() ("usual" bounds), which thetaf's ses() uses.
constexpr double kAlphaMin = 1e-4;
constexpr double kAlphaMax = 0.9999;
// thetaf falls back to the non-seasonal method when an index is (numerically) zero.
constexpr double kMinSeasonalIndex = 1e-10;
// Fewer finite values than this: no trend line and no error variance worth the name.
constexpr int kMinObservations = 3;
constexpr int kShortWindow = 28;

// One run of the recursion over x. `drift` = (1 - 1/theta) b0 is used in the in-sample
// one-step forecast mu_t = l_{t-1} + drift (t - lambda_{t-1}) (0 for the standard method's
// SES fit).
struct Pass {
  double sse = 0.0;
  int count = 0;
  double level = 0.0;   // l_n
  double lambda = 0.0;  // lambda_n
};

Pass RunPass(std::span<const double> x, double alpha, double level0, double drift) {
  Pass p;
  p.level = level0;
  for (size_t t = 0; t < x.size(); ++t) {
    if (!std::isfinite(x[t])) continue;  // not observed: level and lambda carry forward
    const double td = static_cast<double>(t);
    const double e = x[t] - (p.level + drift * (td - p.lambda));
    p.sse += e * e;
    ++p.count;
    p.level += alpha * (x[t] - p.level);
    p.lambda += alpha * (td - p.lambda);
  }
  return p;
}

// The l0 minimising the SSE for fixed alpha and drift. With c_t = (1-alpha)^(observed days
// before t) the coefficient of l0 in l_{t-1}, e_t = r_t - c_t l0 where r_t is the error of the
// run started at 0, so l0 = sum r_t c_t / sum c_t^2.
double BestLevel0(std::span<const double> x, double alpha, double drift) {
  double level = 0.0, lambda = 0.0, c = 1.0, rc = 0.0, cc = 0.0;
  for (size_t t = 0; t < x.size(); ++t) {
    if (!std::isfinite(x[t])) continue;
    const double td = static_cast<double>(t);
    const double r = x[t] - (level + drift * (td - lambda));
    rc += r * c;
    cc += c * c;
    level += alpha * (x[t] - level);
    lambda += alpha * (td - lambda);
    c *= 1.0 - alpha;
  }
  return cc > 0.0 ? rc / cc : 0.0;
}

// OLS line a0 + b0 t over the finite values of x (t = index). Needs two distinct t.
void FitLine(std::span<const double> x, double* a0, double* b0) {
  double st = 0.0, sy = 0.0;
  int k = 0;
  for (size_t t = 0; t < x.size(); ++t) {
    if (!std::isfinite(x[t])) continue;
    st += static_cast<double>(t);
    sy += x[t];
    ++k;
  }
  const double tbar = st / k, ybar = sy / k;
  double sxy = 0.0, sxx = 0.0;
  for (size_t t = 0; t < x.size(); ++t) {
    if (!std::isfinite(x[t])) continue;
    const double dt = static_cast<double>(t) - tbar;
    sxy += dt * (x[t] - ybar);
    sxx += dt * dt;
  }
  *b0 = sxx > 0.0 ? sxy / sxx : 0.0;
  *a0 = ybar - *b0 * tbar;
}

// Parameters searched: alpha, u (l0 = centre + scale u) and, when free, theta.
struct Search {
  std::span<const double> x;
  double b0 = 0.0;
  bool drift_in_sample = false;  // otm: mu_t includes the drift
  bool theta_free = false;
  double theta_fixed = 2.0;
  double centre = 0.0;
  double scale = 1.0;
  // Best point seen (kept so that an NLopt exception still leaves a usable answer).
  double best = std::numeric_limits<double>::infinity();
  std::vector<double> best_x;

  double Drift(double theta) const { return drift_in_sample ? (1.0 - 1.0 / theta) * b0 : 0.0; }

  double Mse(const std::vector<double>& v) {
    const double theta = theta_free ? v[2] : theta_fixed;
    const Pass p = RunPass(x, v[0], centre + scale * v[1], Drift(theta));
    const double mse = p.count > 0 ? p.sse / p.count : 0.0;
    if (mse < best) {
      best = mse;
      best_x = v;
    }
    return mse;
  }
};

double NloptObjective(unsigned /*n*/, const double* v, double* /*grad*/, void* data) {
  auto* s = static_cast<Search*>(data);
  const size_t dim = s->theta_free ? 3 : 2;
  std::vector<double> p(v, v + dim);
  const double f = s->Mse(p);
  return std::isfinite(f) ? f : std::numeric_limits<double>::max();
}

struct Estimate {
  double alpha = 0.5;
  double level0 = 0.0;
  double theta = 2.0;
};

Estimate Optimise(std::span<const double> x, double b0, const ThetaOptions& o) {
  const bool otm = o.variant == ThetaVariant::kOptimised;
  Search s;
  s.x = x;
  s.b0 = b0;
  s.drift_in_sample = otm;
  s.theta_free = otm && o.theta_max > o.theta_min;
  s.theta_fixed = otm ? o.theta_min : 2.0;

  // Grid start: alpha on a 0.05 grid plus the bounds, theta on a few values inside its bounds,
  // l0 at its exact optimum for each.
  std::vector<double> alphas = {kAlphaMin};
  for (int i = 1; i < 20; ++i) alphas.push_back(0.05 * i);
  alphas.push_back(kAlphaMax);
  std::vector<double> thetas = {s.theta_fixed};
  if (s.theta_free) {
    thetas = {o.theta_min};
    for (double th : {1.5, 2.0, 3.0, 5.0, 10.0, 20.0}) {
      if (th > o.theta_min && th < o.theta_max) thetas.push_back(th);
    }
    thetas.push_back(o.theta_max);
  }
  Estimate start;
  double start_mse = std::numeric_limits<double>::infinity();
  for (double th : thetas) {
    for (double a : alphas) {
      const double l0 = BestLevel0(x, a, s.Drift(th));
      const Pass p = RunPass(x, a, l0, s.Drift(th));
      const double mse = p.sse / std::max(p.count, 1);
      if (mse < start_mse) {
        start_mse = mse;
        start = {a, l0, th};
      }
    }
  }

  // Scale l0 to O(1) for BOBYQA's single trust-region radius.
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : x) {
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  s.centre = start.level0;
  s.scale = std::max(hi - lo, 1e-3 * std::max(std::abs(s.centre), 1.0));

  const unsigned dim = s.theta_free ? 3 : 2;
  std::vector<double> lb = {kAlphaMin, -10.0}, ub = {kAlphaMax, 10.0};
  std::vector<double> v = {start.alpha, 0.0}, step = {0.05, 0.1};
  if (s.theta_free) {
    lb.push_back(o.theta_min);
    ub.push_back(o.theta_max);
    v.push_back(start.theta);
    step.push_back(std::min(0.5, 0.25 * (o.theta_max - o.theta_min)));
  }
  try {
    nlopt::opt opt(nlopt::LN_BOBYQA, dim);
    opt.set_lower_bounds(lb);
    opt.set_upper_bounds(ub);
    opt.set_min_objective(NloptObjective, &s);
    opt.set_xtol_rel(1e-10);
    opt.set_ftol_rel(1e-15);
    opt.set_maxeval(2000);
    opt.set_initial_step(step);
    double value = 0.0;
    opt.optimize(v, value);
  } catch (const std::exception&) {
    // Roundoff-limited or failed runs: keep the best point evaluated (s.best_x), or the grid.
  }

  Estimate out = start;
  if (!s.best_x.empty()) {
    const double a = std::clamp(s.best_x[0], kAlphaMin, kAlphaMax);
    const double th = s.theta_free ? std::clamp(s.best_x[2], o.theta_min, o.theta_max)
                                   : s.theta_fixed;
    const double l0 = BestLevel0(x, a, s.Drift(th));  // exact optimum for this (alpha, theta)
    const Pass p = RunPass(x, a, l0, s.Drift(th));
    if (p.sse / std::max(p.count, 1) <= start_mse) out = {a, l0, th};
  }
  return out;
}

// --- The registered models --------------------------------------------------------------------

struct Settings {
  ThetaVariant variant = ThetaVariant::kStandard;
  std::string name;
  int season = 0;  // 0 = the season length given to Fit
  int min_days = 7;
  double theta_min = 1.0;
  double theta_max = 10.0;
};

class ThetaModel final : public ForecastModel {
 public:
  explicit ThetaModel(Settings settings) : s_(std::move(settings)) {}

  std::string_view name() const override { return s_.name; }

  Status Fit(std::span<const double> y, std::span<const uint8_t> flags,
             int season_length) override {
    SC_RETURN_IF_ERROR(ValidateFitArgs(s_.name, y, flags, season_length));
    if (s_.variant == ThetaVariant::kOptimised && !(s_.theta_min <= s_.theta_max)) {
      return Error::InvalidArgument(
          fmt::format("{}: theta_min = {} > theta_max = {}; theta_min must be <= theta_max",
                      s_.name, s_.theta_min, s_.theta_max));
    }
    y_.assign(y.begin(), y.end());
    flags_.assign(flags.begin(), flags.end());
    fit_.reset();
    fallback_.clear();
    fallback_mean_ = 0.0;
    fitted_ = true;

    const UsableSeries series = PrepareSeries(y, flags);
    if (series.usable < s_.min_days) return Status::Ok();  // Predict: ShortHistoryForecast
    double sum = 0.0;
    for (double v : series.y) sum += std::isfinite(v) ? v : 0.0;
    fallback_mean_ = series.usable > 0 ? sum / series.usable : 0.0;
    if (series.usable < kMinObservations) {
      fallback_ = fmt::format("mean: {} usable values; {} needs at least {}", series.usable,
                              s_.name, kMinObservations);
      return Status::Ok();
    }
    ThetaOptions options;
    options.variant = s_.variant;
    options.season = s_.season > 0 ? s_.season : season_length;
    options.theta_min = s_.theta_min;
    options.theta_max = s_.theta_max;
    Result<ThetaFit> fit = FitThetaSeries(series.y, options);
    if (!fit.ok()) {
      fallback_ = fmt::format("mean: {} could not fit: {}", s_.name, fit.error().message);
      return Status::Ok();
    }
    fit_ = std::move(fit).value();
    return Status::Ok();
  }

  Result<Forecast> Predict(int horizon, std::span<const double> levels) const override {
    SC_RETURN_IF_ERROR(ValidatePredictArgs(s_.name, horizon, levels));
    if (!fitted_) {
      return Error::InvalidArgument(fmt::format("{}: Predict before Fit; call Fit first", s_.name));
    }
    if (std::optional<Forecast> short_forecast = ShortHistoryForecast(
            s_.name, y_, flags_, s_.min_days, kShortWindow, horizon, levels)) {
      return *std::move(short_forecast);
    }
    Forecast out;
    const size_t hz = static_cast<size_t>(horizon);
    if (!fit_) {
      // Too few values for the method: their mean, with Poisson quantiles (a count's least
      // spread), as the short-history rule does.
      out.fallback = fallback_;
      out.mean.assign(hz, fallback_mean_);
      out.levels.assign(levels.begin(), levels.end());
      out.quantiles.assign(levels.size(), std::vector<double>(hz, 0.0));
      for (size_t l = 0; l < levels.size(); ++l) {
        std::fill(out.quantiles[l].begin(), out.quantiles[l].end(),
                  PoissonQuantile(fallback_mean_, levels[l]));
      }
      ClampForecast(&out);
      return out;
    }
    const ThetaPath path = PredictTheta(*fit_, horizon);
    out.mean = path.mean;
    NormalQuantiles(path.mean, path.sd, levels, &out);
    ClampForecast(&out);
    return out;
  }

 private:
  Settings s_;
  bool fitted_ = false;
  std::vector<double> y_;
  std::vector<uint8_t> flags_;
  std::optional<ThetaFit> fit_;
  std::string fallback_;
  double fallback_mean_ = 0.0;
};

ParamSpec SeasonSpec() {
  return {"season", ParamType::kInt, "0", 0, 366,
          "season length in days; 0 = the series' own (7 for daily data); tested at lag m and "
          "removed by multiplicative decomposition when significant"};
}

ParamSpec MinDaysSpec() {
  return {"min_days", ParamType::kInt, "7", 1, 3650,
          "with fewer usable days, forecast their total spread over 28 days with Poisson "
          "quantiles; marked as a fallback"};
}

ModelFactory Factory(ThetaVariant variant, std::string name) {
  return [variant, name](const ParamValues& values) -> std::unique_ptr<ForecastModel> {
    Settings s;
    s.variant = variant;
    s.name = name;
    s.season = values.GetInt("season");
    s.min_days = values.GetInt("min_days");
    if (variant == ThetaVariant::kOptimised) {
      s.theta_min = values.GetDouble("theta_min");
      s.theta_max = values.GetDouble("theta_max");
    }
    return std::make_unique<ThetaModel>(std::move(s));
  };
}

}  // namespace

// --- Public pieces ---------------------------------------------------------------------------

SeasonalityTest TestSeasonality(std::span<const double> y, int m) {
  SeasonalityTest out;
  const size_t n = y.size();
  if (m <= 1 || n <= 2 * static_cast<size_t>(m)) return out;
  double sum = 0.0;
  int observed = 0;
  for (double v : y) {
    if (std::isfinite(v)) {
      sum += v;
      ++observed;
    }
  }
  if (observed < 2) return out;
  const double mean = sum / observed;
  double c0 = 0.0;
  for (double v : y) {
    if (std::isfinite(v)) c0 += (v - mean) * (v - mean);
  }
  if (!(c0 > 0.0)) return out;  // constant: never seasonal (thetaf's !is.constant(x))
  c0 /= observed;
  // r_k as R's acf(na.action = na.pass): lag-k sum over complete pairs / (pairs + k), over c0.
  std::vector<double> r(static_cast<size_t>(m) + 1, 0.0);
  for (int k = 1; k <= m; ++k) {
    double ck = 0.0;
    int pairs = 0;
    for (size_t t = 0; t + static_cast<size_t>(k) < n; ++t) {
      const double a = y[t], b = y[t + static_cast<size_t>(k)];
      if (!std::isfinite(a) || !std::isfinite(b)) continue;
      ck += (a - mean) * (b - mean);
      ++pairs;
    }
    r[static_cast<size_t>(k)] = pairs > 0 ? ck / (pairs + k) / c0 : 0.0;
  }
  double sum_sq = 0.0;
  for (int k = 1; k < m; ++k) sum_sq += r[static_cast<size_t>(k)] * r[static_cast<size_t>(k)];
  out.tested = true;
  out.r_m = r[static_cast<size_t>(m)];
  out.threshold = NormalQuantile(0.95) * std::sqrt((1.0 + 2.0 * sum_sq) / static_cast<double>(n));
  out.seasonal = std::abs(out.r_m) > out.threshold;
  return out;
}

std::vector<double> MultiplicativeSeasonalIndices(std::span<const double> y, int m) {
  if (m <= 1) return {};
  const size_t n = y.size();
  const size_t mm = static_cast<size_t>(m);
  // Centred moving average weights over t - half .. t + half.
  const size_t half = mm / 2;
  std::vector<double> w;
  if (mm % 2 == 1) {
    w.assign(mm, 1.0 / m);
  } else {
    w.assign(mm + 1, 1.0 / m);
    w.front() = w.back() = 0.5 / m;
  }
  std::vector<double> sum(mm, 0.0);
  std::vector<int> count(mm, 0);
  for (size_t t = half; t + half < n; ++t) {
    if (!std::isfinite(y[t])) continue;
    double trend = 0.0;
    bool complete = true;
    for (size_t j = 0; j < w.size(); ++j) {
      const double v = y[t - half + j];
      if (!std::isfinite(v)) {
        complete = false;
        break;
      }
      trend += w[j] * v;
    }
    if (!complete || !(trend > 0.0)) continue;  // no ratio (R: NA, or 0/0 = NaN)
    sum[t % mm] += y[t] / trend;
    ++count[t % mm];
  }
  std::vector<double> index(mm, 0.0);
  double average = 0.0;
  for (size_t p = 0; p < mm; ++p) {
    if (count[p] == 0) return {};
    index[p] = sum[p] / count[p];
    average += index[p];
  }
  average /= m;
  if (!(average > 0.0)) return {};
  for (double& v : index) v /= average;
  return index;
}

Result<ThetaFit> FitThetaSeries(std::span<const double> y, const ThetaOptions& options) {
  const bool otm = options.variant == ThetaVariant::kOptimised;
  const char* who = otm ? "otm" : "theta";
  if (otm && !(options.theta_min >= 1.0 && options.theta_min <= options.theta_max)) {
    return Error::InvalidArgument(fmt::format(
        "{}: theta bounds [{}, {}]; must satisfy 1 <= theta_min <= theta_max", who,
        options.theta_min, options.theta_max));
  }
  int observed = 0;
  for (double v : y) observed += std::isfinite(v) ? 1 : 0;
  if (observed < kMinObservations) {
    return Error::InvalidArgument(fmt::format(
        "{}: {} finite values in the series; the Theta method needs at least {}", who, observed,
        kMinObservations));
  }
  ThetaFit fit;
  fit.variant = options.variant;
  fit.season = std::max(1, options.season);
  fit.n = static_cast<int>(y.size());
  fit.observed = observed;
  fit.seasonality = TestSeasonality(y, fit.season);

  std::vector<double> x(y.begin(), y.end());
  if (fit.seasonality.seasonal) {
    std::vector<double> index = MultiplicativeSeasonalIndices(y, fit.season);
    if (index.empty()) {
      fit.note = "seasonal, but some season position has no complete moving-average window; "
                 "non-seasonal method used";
    } else if (*std::min_element(index.begin(), index.end()) < kMinSeasonalIndex) {
      fit.note = "seasonal index equal to zero; non-seasonal method used";
    } else {
      fit.seasonal_index = std::move(index);
      const size_t m = static_cast<size_t>(fit.season);
      for (size_t t = 0; t < x.size(); ++t) x[t] /= fit.seasonal_index[t % m];  // NaN stays
    }
  }

  FitLine(x, &fit.a0, &fit.b0);
  const Estimate e = Optimise(x, fit.b0, options);
  fit.alpha = e.alpha;
  fit.level0 = e.level0;
  fit.theta = otm ? e.theta : 2.0;
  const double in_sample_drift = otm ? (1.0 - 1.0 / fit.theta) * fit.b0 : 0.0;
  const Pass p = RunPass(x, fit.alpha, fit.level0, in_sample_drift);
  fit.level = p.level;
  fit.lambda = p.lambda;
  fit.sigma2 = p.count > 0 ? p.sse / p.count : 0.0;
  return fit;
}

ThetaPath PredictTheta(const ThetaFit& fit, int horizon) {
  ThetaPath out;
  const double weight = 1.0 - 1.0 / fit.theta;
  const size_t m = fit.seasonal_index.size();
  for (int h = 1; h <= horizon; ++h) {
    const double t = static_cast<double>(fit.n - 1 + h);
    const double index =
        m > 0 ? fit.seasonal_index[static_cast<size_t>(fit.n - 1 + h) % m] : 1.0;
    const double point = fit.level + weight * fit.b0 * (t - fit.lambda);
    const double var = fit.sigma2 * (1.0 + fit.alpha * fit.alpha * (h - 1));
    out.mean.push_back(point * index);
    out.sd.push_back(std::sqrt(std::max(var, 0.0)) * index);
  }
  return out;
}

std::vector<double> ThetaForecastFixed(std::span<const double> y, double alpha, double level0,
                                       int horizon, double theta) {
  SC_ASSERT(alpha > 0.0 && alpha <= 1.0);
  SC_ASSERT(horizon >= 1);
  SC_ASSERT(theta >= 1.0);
  SC_ASSERT(std::any_of(y.begin(), y.end(), [](double v) { return std::isfinite(v); }));
  ThetaFit fit;
  fit.n = static_cast<int>(y.size());
  fit.alpha = alpha;
  fit.level0 = level0;
  fit.theta = theta;
  FitLine(y, &fit.a0, &fit.b0);
  const Pass p = RunPass(y, alpha, level0, 0.0);
  fit.level = p.level;
  fit.lambda = p.lambda;
  return PredictTheta(fit, horizon).mean;
}

Status RegisterThetaModels(ModelRegistry& registry) {
  SC_RETURN_IF_ERROR(registry.Register(
      {"theta",
       "standard Theta method (SES with drift b0/2, as R's thetaf): lag-m seasonality test, "
       "multiplicative deseasonalising, SES by minimum SSE; normal intervals of ETS(A,N,N)",
       ParamSchema({SeasonSpec(), MinDaysSpec()}), Factory(ThetaVariant::kStandard, "theta")}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"otm",
       "optimised Theta method (Fiorucci et al. 2016): theta, alpha and the initial level by "
       "minimum one-step MSE; same seasonality handling and intervals as theta",
       ParamSchema({{"theta_min", ParamType::kDouble, "1", 1, 1000,
                     "lower bound of theta (1 = SES); equal bounds fix theta"},
                    {"theta_max", ParamType::kDouble, "10", 1, 1000,
                     "upper bound of theta (2 = the standard method's weights)"},
                    SeasonSpec(), MinDaysSpec()}),
       Factory(ThetaVariant::kOptimised, "otm")}));
  return Status::Ok();
}

}  // namespace stockcast::forecast
