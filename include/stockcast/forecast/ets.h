#pragma once
// Exponential smoothing in the innovations state-space form of Hyndman, Koehler, Ord & Snyder
// (2008), "Forecasting with Exponential Smoothing: The State Space Approach" (HKOS below):
// error A/M x trend N/A/Ad x season N/A/M. Covers SES (A,N,N), Holt (A,A,N), damped Holt
// (A,Ad,N), additive Holt-Winters (A,A,A) and multiplicative Holt-Winters (M,A,M).
//
// Recursions (HKOS ch. 2, written with the one-step forecast mu_t and "p", the observation
// with the season taken out; the same updates serve both error types, which only change the
// likelihood):
//   q_t   = l_{t-1} (N) | l_{t-1} + b_{t-1} (A) | l_{t-1} + phi b_{t-1} (Ad)
//   mu_t  = q_t (N) | q_t + s_{t-m} (A) | q_t s_{t-m} (M)
//   p_t   = y_t (N) | y_t - s_{t-m} (A) | y_t / s_{t-m} (M)
//   l_t   = q_t + alpha (p_t - q_t)
//   b_t   = phi b_{t-1} + beta (l_t - l_{t-1} - phi b_{t-1}) / alpha      (phi = 1 unless Ad)
//   s_t   = s_{t-m} + gamma (y_t - q_t - s_{t-m}) (A) | s_{t-m} + gamma (y_t / q_t - s_{t-m}) (M)
// which equal HKOS's error-correction equations with eps_t = y_t - mu_t (additive errors) or
// eps_t = (y_t - mu_t) / mu_t (multiplicative errors); beta here is HKOS's beta (R's beta).
// A missing observation (NaN) skips the correction: l_t = q_t, b_t = phi b_{t-1}, s_t = s_{t-m}.
//
// Likelihood (HKOS sec. 5.1, Gaussian innovations, sigma^2 concentrated out):
//   -2 log L = n log(sum eps_t^2) + 2 sum log|mu_t| [M error only] + n (1 + log(2 pi / n)).
// `EtsFit::lik` is the first two terms, the criterion R's forecast::ets minimises and reports
// (its loglik is -lik / 2); `loglik` is the full Gaussian log-likelihood.
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

enum class EtsError : uint8_t { kAdditive, kMultiplicative };
enum class EtsTrend : uint8_t { kNone, kAdditive, kDamped };
enum class EtsSeason : uint8_t { kNone, kAdditive, kMultiplicative };

struct EtsSpec {
  EtsError error = EtsError::kAdditive;
  EtsTrend trend = EtsTrend::kNone;
  EtsSeason season = EtsSeason::kNone;
  int m = 1;  // season length (ignored without a season)

  std::string Code() const;      // "MAdM"
  std::string ToString() const;  // "ETS(M,Ad,M)"
  // "ANN", "AAdN", "MAM", ... (R's model strings); nothing when malformed.
  static std::optional<EtsSpec> Parse(std::string_view code, int m);
  bool operator==(const EtsSpec&) const = default;
};

// Smoothing parameters and initial states. season[0] is the most recent seasonal state at the
// start (s_0) and season[m - 1] the oldest (s_{1-m}), which is the one applied to the first
// observation: the order of R's `initstate` (l, b, s1, ..., sm).
struct EtsParams {
  double alpha = 0.1;
  double beta = 0.0;   // trend models only
  double gamma = 0.0;  // seasonal models only
  double phi = 1.0;    // damped models only (1 otherwise)
  double level = 0.0;
  double trend = 0.0;
  std::vector<double> season;
};

struct EtsFit {
  EtsSpec spec;
  EtsParams params;
  int n = 0;           // observations in the likelihood (finite values)
  int num_params = 0;  // free parameters incl. initial states and sigma^2 (HKOS's k)
  double lik = 0;      // n log(SSE) (+ 2 sum log|mu| for M errors)
  double loglik = 0;
  double aic = 0, aicc = 0, bic = 0;
  double sigma2 = 0;   // sum eps^2 / (n - num_params + 1): R's estimate (of eps, relative for M)
  double mse = 0;      // mean (y - mu)^2 of the one-step fitted values
  std::vector<double> fitted;     // one-step forecasts mu_t (every t, NaN-free)
  // States after the last observation, same layout as the initial ones.
  double last_level = 0, last_trend = 0;
  std::vector<double> last_season;
};

// Evaluates a model with fixed parameters and initial states. Errors: wrong season vector
// size, non-positive one-step forecasts under a multiplicative error or season (the model
// does not apply to the data), no finite observation.
Result<EtsFit> EvaluateEts(std::span<const double> y, const EtsSpec& spec, const EtsParams& params);

struct EtsOptions {
  // Criterion for AutoEts: "aicc" (default, as R), "aic" or "bic".
  std::string ic = "aicc";
  bool allow_multiplicative = true;  // M error/season candidates (only for positive data)
  bool allow_damped = true;
  int max_season = 24;               // no seasonal candidates above this season length (as R)
  int max_evaluations = 1500;        // likelihood evaluations per model fit
  // Also estimate the m - 1 free initial seasonal states (R does); by default they stay at
  // the classical-decomposition values, which cuts the dimension from up to 17 to at most 6
  // for monthly data (see bench/RESULTS.md for the accuracy and speed this trades).
  bool optimize_seasonal_states = false;
  // Fixed smoothing parameters (NaN = estimate), as ets(alpha=...) in R.
  double alpha = std::numeric_limits<double>::quiet_NaN();
  double beta = std::numeric_limits<double>::quiet_NaN();
  double gamma = std::numeric_limits<double>::quiet_NaN();
  double phi = std::numeric_limits<double>::quiet_NaN();
};

// Maximum-likelihood fit of one model: smoothing parameters within the usual region
// (0 < alpha < 1, 0 < beta < alpha, 0 < gamma < 1 - alpha, 0.8 <= phi <= 0.98) and the
// initial states, by NLopt's BOBYQA from heuristic starting values. Errors: too little data
// for the model's parameters, data not positive for a multiplicative model.
Result<EtsFit> FitEts(std::span<const double> y, const EtsSpec& spec, const EtsOptions& options);

// Fits every admissible candidate (R's default set: no additive error with multiplicative
// season, no multiplicative trend) and returns the best by options.ic. Errors only when no
// candidate fits (e.g. fewer than 4 observations).
Result<EtsFit> AutoEts(std::span<const double> y, int m, const EtsOptions& options,
                       std::string_view restrict_code = "ZZZ");

// Point forecasts and forecast variances for steps 1..h: analytic for HKOS classes 1 and 2
// (additive or no season; Table 6.1), by simulation of 5,000 paths with a fixed seed for
// class 3 (multiplicative season), whose quantiles are then empirical (`sim_quantiles`).
struct EtsForecast {
  std::vector<double> mean;
  std::vector<double> variance;
  std::vector<std::vector<double>> sim_quantiles;  // [level][step], class 3 only
};
EtsForecast ForecastEts(const EtsFit& fit, int horizon, std::span<const double> levels);

// Adds `ets` (automatic), `ses`, `holt`, `holt_damped`, `hw_additive`, `hw_multiplicative`.
Status RegisterEtsModels(ModelRegistry& registry);

}  // namespace stockcast::forecast
