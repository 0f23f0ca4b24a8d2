#pragma once
// ARIMA/SARIMA by exact Gaussian likelihood (Kalman filter), regression with ARIMA errors, and
// the Hyndman-Khandakar automatic order search (auto.arima), following R's stats::arima and
// forecast::Arima / forecast::auto.arima (forecast 8.20).
//
// Model (Box & Jenkins; R's sign conventions):
//   phi(B) Phi(B^m) (1 - B)^d (1 - B^m)^D (y_t - x_t' beta) = theta(B) Theta(B^m) eps_t,
//   phi(B) = 1 - phi_1 B - ... - phi_p B^p,  theta(B) = 1 + theta_1 B + ... + theta_q B^q,
//   eps_t ~ N(0, sigma^2); x_t holds the intercept (only when d + D = 0), the drift t = 1..n
//   and the user regressors.
// Likelihood: z_t = y_t - x_t' beta is differenced first, w = (1 - B)^d (1 - B^m)^D z, which
// leaves a stationary ARMA(p + mP, q + mQ) in w; its exact Gaussian likelihood comes from the
// Kalman filter on Harvey's state-space form (Harvey 1989 sec. 3.4; Gardner, Harvey & Phillips
// 1980; Durbin & Koopman 2012 sec. 3.4):
//   alpha_{t+1} = T alpha_t + R eps_{t+1},  w_t = alpha_{t,1},  r = max(p + mP, q + mQ + 1),
//   T = [phi | I_{r-1}; 0],  R = (1, theta_1, ..., theta_{r-1})',
// started from the stationary covariance P_1 solving P = T P T' + R R'. This equals the limit
// of R's diffuse prior on the differencing states (R uses kappa = 1e6), so the reported
// loglik is the full Gaussian log-likelihood of the n* = n - d - mD differenced values:
//   log L = -1/2 [ n* log(2 pi sigma^2) + sum_t log F_t + sum_t v_t^2 / (F_t sigma^2) ],
// with sigma^2 and beta concentrated out (sigma^2 = sum v^2/F / n*; beta by generalised least
// squares from the same filter run on every regressor column). A NaN observation (or one whose
// differences touch a NaN) skips the update.
// The filter uses the Chandrasekhar recursions (Morf, Sidhu & Kailath 1974; Herbst 2015) when
// no value is missing: P_{t+1} - P_t has rank one for a stationary start, so every step is
// O(r) instead of O(r^2); once the gain has converged (to machine precision) the steady-state
// filter continues at O(r) either way.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/forecast/model.h"
#include "stockcast/forecast/unit_root.h"

namespace stockcast::forecast {

struct ArimaOrder {
  int p = 0, d = 0, q = 0;
  int P = 0, D = 0, Q = 0;
  int m = 1;  // season length; the seasonal part is ignored when m == 1
  // "ARIMA(1,1,1)(0,1,1)[12]", or "ARIMA(1,1,1)" without a seasonal part (as R prints).
  std::string ToString() const;
  bool operator==(const ArimaOrder&) const = default;
};

struct ArimaSpec {
  ArimaOrder order;
  bool include_mean = false;   // intercept; dropped when d + D > 0 (differenced away)
  bool include_drift = false;  // regressor t = 1..n; dropped when d + D > 1
};

// Coefficients in R's order: ar1..arp, ma1..maq, sar1..sarP, sma1..smaQ, then the regression
// coefficients (intercept, drift, the user regressors by name).
struct ArimaCoef {
  std::vector<double> ar, ma, sar, sma;
  std::vector<double> beta;  // regression coefficients in the order of `beta_names`
  std::vector<std::string> beta_names;
};

struct ArimaFit {
  ArimaSpec spec;
  ArimaCoef coef;
  std::vector<std::string> user_regressors;  // user columns used, in the order of x.names
  std::string method;  // "CSS-ML", "ML" or "CSS"
  int nstar = 0;       // differenced observations in the likelihood
  int num_params = 0;  // estimated coefficients + 1 (sigma), R's count
  double loglik = 0;   // exact (ML) or R's CSS value
  double aic = 0, aicc = 0, bic = 0;
  double sigma2_mle = 0;  // sum v^2/F / n*
  double sigma2 = 0;      // forecast::Arima's sum v^2/F / (n* - k + 1), k = num_params
  bool constant_series = false;  // auto.arima's constant-data model: sigma2 = 0

  std::vector<std::string> CoefNames() const;   // R's names
  std::vector<double> CoefValues() const;       // same order
  // "ARIMA(1,1,1)(0,1,1)[12] with drift" / "... with non-zero mean" / "... errors" (R's
  // arima.string; "Regression with ARIMA(...) errors" with user regressors).
  std::string ToString() const;
};

enum class ArimaMethod { kCssMl, kMl, kCss };

struct ArimaOptions {
  ArimaMethod method = ArimaMethod::kCssMl;
  int max_evaluations = 2000;  // likelihood evaluations per optimisation stage
  // Use the full Kalman filter even without missing values (tests compare the two paths).
  bool force_kalman = false;
  // Report loglik, criteria and sigma2 as stats::arima / forecast::Arima compute them (the
  // differencing states start from N(0, 1e6) instead of an exact diffuse prior, and sigma2
  // includes the d + mD diffuse innovations), so that they equal R's. Estimation always
  // maximises the exact likelihood of the differenced data; without differencing both agree.
  // Costs one dense O(n (r + d + mD)^3) filter run per fit.
  bool r_compatible = true;
};

// Log-likelihood and criteria at fixed coefficients (all of ar/ma/sar/sma given, beta in the
// order intercept, drift, user columns). Errors: coefficient vectors of the wrong length, a
// non-stationary AR part, fewer than 2 usable differenced values.
Result<ArimaFit> EvaluateArima(std::span<const double> y, const ArimaSpec& spec,
                               const ArimaCoef& coef, const Regressors& x = {},
                               const ArimaOptions& options = {});

// Estimation. CSS-ML (default, as R): conditional sum of squares first, then exact maximum
// likelihood from there; ML alone starts from zeros; CSS alone reports R's CSS loglik
// (-n*/2 (log(2 pi sigma2) + 1)). AR parts are kept stationary and MA parts invertible by
// optimising partial autocorrelations u = tanh(x) mapped to coefficients by the Durbin-Levinson
// recursion (Jones 1980; R's transform.pars), with NLopt BOBYQA (Powell 2009).
// Errors: fewer usable differenced values than parameters + 2, a regressor column of the
// wrong length.
Result<ArimaFit> FitArima(std::span<const double> y, const ArimaSpec& spec,
                          const ArimaOptions& options = {}, const Regressors& x = {});

struct AutoArimaOptions {
  std::string ic = "aicc";  // aicc, aic or bic
  bool stepwise = true;
  SeasonalTest seasonal_test = SeasonalTest::kSeas;
  int max_p = 5, max_q = 5, max_P = 2, max_Q = 2;
  int max_order = 5;  // p + q + P + Q, non-stepwise search only (as R)
  int max_d = 2, max_D = 1;
  int d = -1, D = -1;  // fixed differencing orders; -1 = choose by the tests
  // CSS fits during the search and an exact refit of the best at the end; nothing = R's rule
  // (length > 150 or m > 12).
  std::optional<bool> approximation;
  bool allow_drift = true, allow_mean = true;
  int max_evaluations = 1000;
  // ArimaOptions::r_compatible for every candidate fit (false: exact likelihood, faster).
  bool r_compatible = true;
};

// Hyndman & Khandakar (2008) as forecast::auto.arima: D by Nsdiffs (when n > 2m), d by Ndiffs
// on the seasonally differenced data (both on the residuals of a regression on x when given),
// then the stepwise search from ARIMA(2,d,2)(1,D,1), (0,d,0)(0,D,0), (1,d,0)(1,D,0),
// (0,d,1)(0,D,1) [and (0,d,0)(0,D,0) without constant], moving to the first neighbour that
// lowers the criterion (P, Q, p, q +-1 and their pairs, then the constant toggled). A constant
// is a mean when d + D = 0 and a drift when d + D = 1. Models with an AR or MA root inside
// 1.01 are rejected. Errors: no usable data, or no candidate fits.
Result<ArimaFit> AutoArima(std::span<const double> y, int m, const AutoArimaOptions& options = {},
                           const Regressors& x = {});

// Mean and variance of y_{n+h}, h = 1..horizon, from the fitted model and the data it was
// fitted on: the ARMA state filtered to the end, extended with the last d + mD values of
// y - x'beta, is propagated h steps (so missing values at the end are handled exactly); future
// regressor values come from x (held when shorter). Variances are in units of fit.sigma2.
struct ArimaForecast {
  std::vector<double> mean;
  std::vector<double> variance;
};
Result<ArimaForecast> ForecastArima(const ArimaFit& fit, std::span<const double> y, int horizon,
                                    const Regressors& x = {});

// Smallest modulus of the roots of an AR (sign = -1: 1 - c_1 z - ...) or MA (sign = +1:
// 1 + c_1 z + ...) polynomial, infinity for an empty or all-zero one.
double MinRootModulus(std::span<const double> coef, double sign);

// Adds `arima` (auto.arima or a fixed order; regression with ARIMA errors).
Status RegisterArimaModels(ModelRegistry& registry);

}  // namespace stockcast::forecast
