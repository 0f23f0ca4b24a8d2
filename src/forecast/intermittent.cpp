// Intermittent-demand models: many periods sell nothing, and the non-zero sales vary in size.
// Each model estimates a per-period demand rate; the forecast is flat over the horizon.
//
// All models work on the usable periods only (PrepareSeries): a missing, censored or
// not-launched period is skipped, i.e. it is neither a demand nor a zero and does not count
// toward an inter-demand interval. Below, x(1..n) are the usable values in order and "period"
// means a usable period.
//
//   croston  Croston (1972). At each period with demand (x(t) > 0) and q(t) periods since the
//            previous demand (the first interval counts from the start of the series):
//              z <- z + alpha (x(t) - z),   p <- p + alpha (q(t) - p);
//            nothing changes in zero periods. Forecast z / p. Initialisation (as in most
//            implementations, e.g. Hyndman's forecast::croston): at the first demand,
//            z = its size and p = its position t1 (the first interval), no smoothing step.
//            With optimize=true, alpha minimises the in-sample MSE of the one-step forecasts
//            f(t) = z / p from the state after t - 1, over the periods after the first demand:
//            a grid 0, 0.01, ..., 1 followed by a golden-section search within +-0.01 of the
//            grid minimum.
//   sba      Syntetos & Boylan (2005): Croston's z / p is biased upward by about alpha / 2 of
//            itself, so the forecast is (1 - alpha / 2) z / p. optimize uses these forecasts.
//   tsb      Teunter, Syntetos & Babai (2011). Every period the demand probability is updated
//            with the indicator d(t) = [x(t) > 0]: p <- p + alpha_d (d(t) - p); at demand
//            periods the size z <- z + alpha_z (x(t) - z). Forecast p z. Initialised at the
//            first demand as Croston's: z = its size, p = 1 / t1 (one demand in t1 periods).
//            Unlike Croston, p decays during a run of zeros, so an item that stopped selling
//            sees its forecast fall (obsolescence).
//   adida    Nikolopoulos, Syntetos, Boylan, Petropoulos & Assimakopoulos (2011). Sum x into
//            non-overlapping buckets of k periods, aligned to the end of the series (the
//            n mod k oldest periods are dropped so the latest bucket is complete); forecast the
//            bucket totals by SES (level initialised at the first bucket, l <- l + alpha
//            (b - l)); the per-period forecast is l / k. k = `bucket`, or when 0 the mean
//            inter-demand interval t_last / N (N demands, t_last the position of the last)
//            rounded half away from zero, at least 1; k is capped at n.
//   imapa    Petropoulos & Kourentzes (2015): ADIDA at every level k = 1..K, averaged with
//            equal weights; K = `max_level`, or when 0 max(1, round(mean interval)); capped at n.
//            (The paper also picks the per-level method by demand classification; here every
//            level uses SES, as in ADIDA above.)
//
// A series whose usable periods are all zero forecasts 0 with quantiles 0; that is the right
// forecast, but Forecast::fallback says "zero: no demand in history" so that runs can count
// such items. Fewer than `min_days` usable periods: ShortHistoryForecast (window 28).
//
// Quantiles: demand in one period is a count with the forecast mean mu. The usable values'
// variance-to-mean ratio D = s^2 / xbar (sample variance with n - 1) measures dispersion. If
// D > 1, K ~ NegativeBinomial with mean mu and the same ratio, Var K = D mu, so the size is
// r = mu^2 / (D mu - mu) = mu / (D - 1) (method of moments); otherwise K ~ Poisson(mu). The
// quantile at level a is the smallest integer k with P(K <= k) >= a, the same at every step.
#include "stockcast/forecast/intermittent.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "stockcast/forecast/distribution.h"

namespace stockcast::forecast {
namespace {

constexpr int kShortWindow = 28;  // averaging window of the short-history rule

enum class Method { kCroston, kSba, kTsb, kAdida, kImapa };

struct Settings {
  Method method = Method::kCroston;
  std::string name;
  double alpha = 0.1;    // croston, sba, adida, imapa
  bool optimize = false;  // croston, sba, adida, imapa
  double alpha_d = 0.1;  // tsb: demand probability
  double alpha_z = 0.1;  // tsb: demand size
  int bucket = 0;        // adida: 0 = automatic
  int max_level = 0;     // imapa: 0 = automatic
  int min_days = 7;
};

// Final state and in-sample one-step squared errors of a smoothing run.
struct Run {
  double rate = 0.0;  // per-period forecast after the last period
  double sse = 0.0;
  int errors = 0;
};

// Croston's method on x (no NaN) with smoothing constant alpha; the forecast is
// factor * z / p (factor 1 for Croston, 1 - alpha / 2 for SBA). Requires a demand in x.
Run RunCroston(const std::vector<double>& x, double alpha, double factor) {
  Run out;
  bool started = false;
  double z = 0.0, p = 1.0;
  int since = 0;  // periods since the previous demand (or the start), this one included
  for (double v : x) {
    ++since;
    if (started) {
      const double e = v - factor * z / p;
      out.sse += e * e;
      ++out.errors;
    }
    if (v > 0.0) {
      if (!started) {
        z = v;
        p = since;
        started = true;
      } else {
        z += alpha * (v - z);
        p += alpha * (since - p);
      }
      since = 0;
    }
  }
  out.rate = started ? factor * z / p : 0.0;
  return out;
}

// TSB on x (no NaN); requires a demand in x.
Run RunTsb(const std::vector<double>& x, double alpha_d, double alpha_z) {
  Run out;
  bool started = false;
  double z = 0.0, prob = 0.0;
  int position = 0;
  for (double v : x) {
    ++position;
    if (!started) {
      if (v > 0.0) {
        z = v;
        prob = 1.0 / position;
        started = true;
      }
      continue;
    }
    const double e = v - prob * z;
    out.sse += e * e;
    ++out.errors;
    const double d = v > 0.0 ? 1.0 : 0.0;
    prob += alpha_d * (d - prob);
    if (v > 0.0) z += alpha_z * (v - z);
  }
  out.rate = prob * z;
  return out;
}

// Simple exponential smoothing of b (non-empty), level initialised at b[0].
Run RunSes(const std::vector<double>& b, double alpha) {
  Run out;
  double level = b.front();
  for (size_t t = 1; t < b.size(); ++t) {
    const double e = b[t] - level;
    out.sse += e * e;
    ++out.errors;
    level += alpha * e;
  }
  out.rate = level;
  return out;
}

// The alpha in [0, 1] minimising sse(alpha): grid 0, 0.01, ..., 1 (the smallest alpha wins a
// tie), then golden-section search on [a - 0.01, a + 0.01] around the grid minimum a. Returns
// `fallback` when there is no in-sample error to minimise.
double OptimizeAlpha(const std::function<Run(double)>& run, double fallback) {
  constexpr int kGrid = 100;
  double best_alpha = fallback;
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i <= kGrid; ++i) {
    const double a = static_cast<double>(i) / kGrid;
    const Run r = run(a);
    if (r.errors == 0) return fallback;
    if (r.sse < best) {
      best = r.sse;
      best_alpha = a;
    }
  }
  // Golden section: keep the bracket [lo, hi] around the minimum of a unimodal function.
  const double inv_phi = (std::sqrt(5.0) - 1.0) / 2.0;
  double lo = std::max(0.0, best_alpha - 1.0 / kGrid);
  double hi = std::min(1.0, best_alpha + 1.0 / kGrid);
  double c = hi - inv_phi * (hi - lo), d = lo + inv_phi * (hi - lo);
  double fc = run(c).sse, fd = run(d).sse;
  for (int it = 0; it < 40; ++it) {
    if (fc < fd) {
      hi = d;
      d = c;
      fd = fc;
      c = hi - inv_phi * (hi - lo);
      fc = run(c).sse;
    } else {
      lo = c;
      c = d;
      fc = fd;
      d = lo + inv_phi * (hi - lo);
      fd = run(d).sse;
    }
  }
  const double refined = (lo + hi) / 2.0;
  return run(refined).sse < best ? refined : best_alpha;
}

// ADIDA at bucket size k (1 <= k <= x.size()): SES on the end-aligned bucket totals, / k.
double AdidaRate(const std::vector<double>& x, int k, double alpha, bool optimize) {
  const size_t kk = static_cast<size_t>(k);
  const size_t buckets = x.size() / kk;
  const size_t start = x.size() - buckets * kk;
  std::vector<double> totals(buckets, 0.0);
  for (size_t i = 0; i < buckets; ++i) {
    for (size_t j = 0; j < kk; ++j) totals[i] += x[start + i * kk + j];
  }
  if (optimize) {
    alpha = OptimizeAlpha([&](double a) { return RunSes(totals, a); }, alpha);
  }
  return RunSes(totals, alpha).rate / k;
}

// round(t_last / N): the mean inter-demand interval, at least 1. Requires a demand in x.
int MeanIntervalRounded(const std::vector<double>& x) {
  int demands = 0;
  size_t last = 0;
  for (size_t t = 0; t < x.size(); ++t) {
    if (x[t] > 0.0) {
      ++demands;
      last = t + 1;
    }
  }
  return std::max(1, static_cast<int>(std::lround(static_cast<double>(last) / demands)));
}

class IntermittentModel final : public ForecastModel {
 public:
  explicit IntermittentModel(Settings settings) : s_(std::move(settings)) {}

  std::string_view name() const override { return s_.name; }

  Status Fit(std::span<const double> y, std::span<const uint8_t> flags,
             int season_length) override {
    SC_RETURN_IF_ERROR(ValidateFitArgs(s_.name, y, flags, season_length));
    y_.assign(y.begin(), y.end());
    flags_.assign(flags.begin(), flags.end());
    const UsableSeries usable = PrepareSeries(y, flags);
    std::vector<double> x;
    x.reserve(static_cast<size_t>(usable.usable));
    for (double v : usable.y) {
      if (!std::isnan(v)) x.push_back(v);
    }
    has_demand_ = std::any_of(x.begin(), x.end(), [](double v) { return v > 0.0; });
    rate_ = 0.0;
    dispersion_ = 1.0;
    if (has_demand_) {
      rate_ = std::max(0.0, Rate(x));
      // Variance-to-mean ratio of the usable values (sample variance, n - 1).
      if (x.size() >= 2) {
        double mean = 0.0;
        for (double v : x) mean += v;
        mean /= static_cast<double>(x.size());
        double ss = 0.0;
        for (double v : x) ss += (v - mean) * (v - mean);
        const double var = ss / static_cast<double>(x.size() - 1);
        dispersion_ = mean > 0.0 ? var / mean : 1.0;
      }
    }
    fitted_ = true;
    return Status::Ok();
  }

  Result<Forecast> Predict(int horizon, std::span<const double> levels) const override {
    SC_RETURN_IF_ERROR(ValidatePredictArgs(s_.name, horizon, levels));
    if (!fitted_) {
      return Error::InvalidArgument(
          fmt::format("{}: Predict called before Fit; fit the model first", s_.name));
    }
    if (auto short_forecast = ShortHistoryForecast(s_.name, y_, flags_, s_.min_days,
                                                   kShortWindow, horizon, levels)) {
      return *std::move(short_forecast);
    }
    const size_t hz = static_cast<size_t>(horizon);
    Forecast out;
    out.mean.assign(hz, rate_);
    out.levels.assign(levels.begin(), levels.end());
    out.quantiles.assign(levels.size(), std::vector<double>(hz, 0.0));
    if (!has_demand_) {
      out.fallback = "zero: no demand in history";
      return out;
    }
    for (size_t l = 0; l < levels.size(); ++l) {
      // Over-dispersed: NB with Var = D mu, size mu / (D - 1); else Poisson (file comment).
      const double q = dispersion_ > 1.0
                           ? NegativeBinomialQuantile(rate_, rate_ / (dispersion_ - 1.0),
                                                      levels[l])
                           : PoissonQuantile(rate_, levels[l]);
      std::fill(out.quantiles[l].begin(), out.quantiles[l].end(), q);
    }
    ClampForecast(&out);
    return out;
  }

 private:
  // The per-period rate of the configured method on x (no NaN, at least one demand).
  double Rate(const std::vector<double>& x) const {
    switch (s_.method) {
      case Method::kCroston:
      case Method::kSba: {
        const bool sba = s_.method == Method::kSba;
        auto run = [&](double a) { return RunCroston(x, a, sba ? 1.0 - a / 2.0 : 1.0); };
        const double alpha = s_.optimize ? OptimizeAlpha(run, s_.alpha) : s_.alpha;
        return run(alpha).rate;
      }
      case Method::kTsb:
        return RunTsb(x, s_.alpha_d, s_.alpha_z).rate;
      case Method::kAdida: {
        const int k = s_.bucket > 0 ? s_.bucket : MeanIntervalRounded(x);
        return AdidaRate(x, std::min(k, static_cast<int>(x.size())), s_.alpha, s_.optimize);
      }
      case Method::kImapa: {
        const int top = std::min(s_.max_level > 0 ? s_.max_level : MeanIntervalRounded(x),
                                 static_cast<int>(x.size()));
        double sum = 0.0;
        for (int k = 1; k <= top; ++k) sum += AdidaRate(x, k, s_.alpha, s_.optimize);
        return sum / top;
      }
    }
    return 0.0;
  }

  Settings s_;
  bool fitted_ = false;
  std::vector<double> y_;
  std::vector<uint8_t> flags_;
  bool has_demand_ = false;
  double rate_ = 0.0;
  double dispersion_ = 1.0;  // variance-to-mean ratio of the usable values
};

ParamSpec AlphaSpec(const char* what) {
  return {"alpha", ParamType::kDouble, "0.1", 0.0, 1.0, what};
}

ParamSpec OptimizeSpec() {
  return {"optimize", ParamType::kBool, "false", 0, 0,
          "choose alpha in [0, 1] minimising the in-sample MSE of one-step forecasts "
          "(grid of 0.01, then golden-section refinement); alpha is then only a fallback"};
}

ParamSpec MinDaysSpec() {
  return {"min_days", ParamType::kInt, "7", 1, 3650,
          "with fewer usable days, forecast their total spread over 28 days with Poisson "
          "quantiles; marked as a fallback"};
}

ModelFactory Factory(Method method, std::string name) {
  return [method, name](const ParamValues& values) -> std::unique_ptr<ForecastModel> {
    Settings s;
    s.method = method;
    s.name = name;
    s.min_days = values.GetInt("min_days");
    if (method == Method::kTsb) {
      s.alpha_d = values.GetDouble("alpha_d");
      s.alpha_z = values.GetDouble("alpha_z");
    } else {
      s.alpha = values.GetDouble("alpha");
      s.optimize = values.GetBool("optimize");
    }
    if (method == Method::kAdida) s.bucket = values.GetInt("bucket");
    if (method == Method::kImapa) s.max_level = values.GetInt("max_level");
    return std::make_unique<IntermittentModel>(std::move(s));
  };
}

}  // namespace

Status RegisterIntermittentModels(ModelRegistry& registry) {
  SC_RETURN_IF_ERROR(registry.Register(
      {"croston",
       "Croston (1972): SES of non-zero demand sizes and of inter-demand intervals; "
       "forecast size / interval; count (Poisson / negative binomial) quantiles",
       ParamSchema({AlphaSpec("smoothing constant for both the sizes and the intervals"),
                    OptimizeSpec(), MinDaysSpec()}),
       Factory(Method::kCroston, "croston")}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"sba",
       "Syntetos-Boylan approximation (2005): Croston x (1 - alpha/2), removing its upward "
       "bias; count quantiles",
       ParamSchema({AlphaSpec("smoothing constant for both the sizes and the intervals"),
                    OptimizeSpec(), MinDaysSpec()}),
       Factory(Method::kSba, "sba")}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"tsb",
       "Teunter-Syntetos-Babai (2011): SES of the demand probability (every day) and of the "
       "sizes (demand days); forecast probability x size; decays for obsolete items",
       ParamSchema({{"alpha_d", ParamType::kDouble, "0.1", 0.0, 1.0,
                     "smoothing constant of the demand probability, updated every usable day"},
                    {"alpha_z", ParamType::kDouble, "0.1", 0.0, 1.0,
                     "smoothing constant of the demand size, updated on demand days"},
                    MinDaysSpec()}),
       Factory(Method::kTsb, "tsb")}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"adida",
       "ADIDA (Nikolopoulos et al. 2011): SES of totals over non-overlapping buckets of k "
       "days, divided by k; count quantiles",
       ParamSchema({{"bucket", ParamType::kInt, "0", 0, 3650,
                     "bucket size k in usable days; 0 = the mean inter-demand interval, "
                     "rounded, at least 1"},
                    AlphaSpec("SES smoothing constant of the bucket totals"), OptimizeSpec(),
                    MinDaysSpec()}),
       Factory(Method::kAdida, "adida")}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"imapa",
       "IMAPA (Petropoulos & Kourentzes 2015): mean of ADIDA forecasts over bucket sizes "
       "1..K; count quantiles",
       ParamSchema({{"max_level", ParamType::kInt, "0", 0, 3650,
                     "largest aggregation level K; 0 = max(1, round(mean inter-demand "
                     "interval))"},
                    AlphaSpec("SES smoothing constant at every aggregation level"),
                    OptimizeSpec(), MinDaysSpec()}),
       Factory(Method::kImapa, "imapa")}));
  return Status::Ok();
}

}  // namespace stockcast::forecast
