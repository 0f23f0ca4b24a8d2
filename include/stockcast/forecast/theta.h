#pragma once
// Theta models: the standard Theta method (Assimakopoulos & Nikolopoulos 2000, as SES with
// drift, Hyndman & Billah 2003) and the optimised Theta method (Fiorucci et al. 2016).
//
// Registered models:
//   theta  R's forecast::thetaf: seasonality test at lag m, classical multiplicative
//          decomposition when seasonal, SES fitted by minimum SSE, plus the drift b0/2 x
//          (h - 1 + (1 - (1 - alpha)^n) / alpha), reseasonalised.
//   otm    the Optimised Theta Method: theta in [theta_min, theta_max] estimated together with
//          alpha and the initial level by minimum in-sample one-step MSE.
//
// The functions below expose the pieces (seasonality test, decomposition, fit, fixed-parameter
// forecast) so that tests can check them against hand computations and R's thetaf.
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

// Adds the models to `registry` (called once by ModelRegistry::Global()).
Status RegisterThetaModels(ModelRegistry& registry);

enum class ThetaVariant { kStandard, kOptimised };

// Result of the lag-m autocorrelation seasonality test of Assimakopoulos & Nikolopoulos (2000)
// as thetaf runs it: with r_k the sample autocorrelation at lag k and n the series length,
// seasonal when |r_m| > z_0.95 * sqrt((1 + 2 sum_{k=1}^{m-1} r_k^2) / n), z_0.95 = 1.6449
// (a one-sided 95 % / two-sided 90 % test with Bartlett's standard error of r_m under an
// MA(m-1) null).
struct SeasonalityTest {
  bool tested = false;    // false: m <= 1, n <= 2m, or a constant series (never seasonal)
  bool seasonal = false;  // |r_m| > threshold
  double r_m = std::numeric_limits<double>::quiet_NaN();
  double threshold = std::numeric_limits<double>::quiet_NaN();
};

// Runs the test on `y` (NaN = not observed) for season length m. Requires n > 2m where n is
// y.size(), as thetaf does (`n > 2 * m`). With NaN days the autocorrelation is R's
// acf(na.action = na.pass): r_k = [sum over pairs with both ends observed of
// (y_t - ybar)(y_{t+k} - ybar) / (pairs_k + k)] / [sum over observed (y_t - ybar)^2 / observed],
// which is the usual r_k when nothing is missing.
SeasonalityTest TestSeasonality(std::span<const double> y, int m);

// Seasonal indices of a classical multiplicative decomposition (R's decompose(type =
// "multiplicative")): trend = centred moving average of order m (2 x m for even m, weights
// 1/2m at both ends), ratio y_t / trend_t, index[p] = mean of the ratios at t mod m = p,
// normalised to average 1. index[p] belongs to the days t of `y` with t mod m = p. A window
// with a NaN day has no trend; days with no trend or a zero trend have no ratio. Returns an
// empty vector when m <= 1 or some position has no ratio at all.
std::vector<double> MultiplicativeSeasonalIndices(std::span<const double> y, int m);

struct ThetaOptions {
  ThetaVariant variant = ThetaVariant::kStandard;
  int season = 1;          // m; <= 1 skips the seasonality test
  double theta_min = 1.0;  // otm: bounds of theta (equal bounds fix theta)
  double theta_max = 10.0;
};

// Everything a fitted Theta model knows, on the (deseasonalised) scale. With the trend line
// a0 + b0 t fitted by OLS over the observed days t = 0..n-1 of `y`, the SES level
// l_t = l_{t-1} + alpha (y_t - l_{t-1}) (carried over NaN days) started at level0, and
// lambda_n the same SES run on the time index t (started at 0), the point forecast is
//   yhat(n - 1 + h) = [l_n + (1 - 1/theta) b0 (n - 1 + h - lambda_n)] x index[(n - 1 + h) mod m]
// (theta = 2 for the standard method; see theta.cpp for the derivation).
struct ThetaFit {
  ThetaVariant variant = ThetaVariant::kStandard;
  int season = 1;                   // m used for the test
  SeasonalityTest seasonality;      // the test's outcome
  std::vector<double> seasonal_index;  // [t mod m] for t indexing `y`; empty: not seasonal
  double alpha = 0.0;
  double level0 = 0.0;  // initial SES level (before y[0])
  double theta = 2.0;   // 2 for the standard method
  double a0 = 0.0;      // OLS intercept at t = 0
  double b0 = 0.0;      // OLS slope per day
  double level = 0.0;   // l_n, the level after the last day
  double lambda = 0.0;  // lambda_n
  double sigma2 = 0.0;  // SSE / (observed days), of the one-step errors of the fitted model
  int n = 0;            // y.size()
  int observed = 0;     // finite values in y
  std::string note;     // why a seasonal series was not deseasonalised, if it was not
};

// Fits the model to `y` (NaN = not observed; leading NaN allowed). theta: (alpha, level0)
// minimise the SSE of SES alone, sum (y_t - l_{t-1})^2, as thetaf's ses() does; otm: (alpha,
// level0, theta) minimise the one-step MSE of the full model (drift included). alpha is kept in
// [1e-4, 0.9999], the bounds of R's ets(). Errors: fewer than 3 finite values; theta bounds
// not 1 <= theta_min <= theta_max.
Result<ThetaFit> FitThetaSeries(std::span<const double> y, const ThetaOptions& options);

// Point forecasts and their standard deviations for steps 1..horizon after y's last day:
// sd_h = sqrt(sigma2 (1 + alpha^2 (h - 1))) x index, the h-step variance of the SES
// state-space model ETS(A,N,N) (Hyndman et al. 2008, table 6.1), scaled by the seasonal index
// like the mean.
struct ThetaPath {
  std::vector<double> mean;
  std::vector<double> sd;
};
ThetaPath PredictTheta(const ThetaFit& fit, int horizon);

// The non-seasonal point forecast for fixed alpha, level0 and theta (see ThetaFit): SES with
// NaN days skipped, OLS slope b0 on the observed days, plus the drift
// (1 - 1/theta) b0 (n - 1 + h - lambda_n). With no NaN, lambda_n = n - (1 - (1 - alpha)^n) /
// alpha and, for theta = 2, the drift is thetaf's b0/2 (h - 1 + 1/alpha - (1 - alpha)^n /
// alpha). Requires 0 < alpha <= 1, horizon >= 1 and at least one finite value.
std::vector<double> ThetaForecastFixed(std::span<const double> y, double alpha, double level0,
                                       int horizon, double theta = 2.0);

}  // namespace stockcast::forecast
