#pragma once
// Unit-root and seasonality tests used to choose the differencing orders d and D: KPSS
// (Kwiatkowski et al. 1992) and OCSB (Osborn, Chui, Smith & Birchenhall 1988), with the
// decision rules of R's forecast::ndiffs / forecast::nsdiffs (forecast 8.20, read from its
// source: `print(forecast::ndiffs)`).
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

// KPSS level-stationarity test (type "mu" of urca::ur.kpss). With e_t = x_t - mean(x) and
// S_t = e_1 + ... + e_t (t = 1..n):
//   eta = n^-2 sum S_t^2,
//   s2(l) = n^-1 sum e_t^2 + 2 n^-1 sum_{i=1..l} (1 - i / (l + 1)) sum_{t=i+1..n} e_t e_{t-i}
// (Newey-West long-run variance with Bartlett weights), statistic = eta / s2(l). Large values
// reject level stationarity.
// Critical values for the level case, Kwiatkowski et al. (1992) Table 1, as urca stores them:
// 10 %: 0.347, 5 %: 0.463, 2.5 %: 0.574, 1 %: 0.739.
inline constexpr std::array<double, 4> kKpssLevelCritical = {0.347, 0.463, 0.574, 0.739};
inline constexpr std::array<double, 4> kKpssLevelSize = {0.10, 0.05, 0.025, 0.01};

struct KpssResult {
  double statistic = 0;
  int lags = 0;
  double p_value = 0.1;  // interpolated in the table above, clamped to [0.01, 0.10]
};

// urca's lags = "short": trunc(4 (n / 100)^(1/4)).
int KpssShortLags(int n);
// The truncation forecast::ndiffs passes to ur.kpss (forecast 8.20): trunc(3 sqrt(n) / 13).
int NdiffsKpssLags(int n);
// p-value by linear interpolation of the statistic in kKpssLevelCritical (R's
// approx(cval, size, rule = 2), as forecast::ndiffs computes it).
double KpssPValue(double statistic);
// NaN values are dropped first (as na.omit). `lags` < 0 uses NdiffsKpssLags(n).
// Errors: fewer than 2 finite values, a constant series (the statistic is 0/0).
Result<KpssResult> KpssTest(std::span<const double> x, int lags = -1);

// Number of first differences d <= max_d that make x level-stationary by the KPSS test at
// level alpha (forecast::ndiffs(test = "kpss")): difference while p-value < alpha; stop when
// the differenced series is constant. NaN values are dropped first. alpha is clamped to
// [0.01, 0.1] as R does.
int Ndiffs(std::span<const double> x, double alpha = 0.05, int max_d = 2);

// OCSB seasonal unit-root test as forecast::ocsb.test(x, maxlag = 3, lag.method = "AIC"),
// which nsdiffs runs. With y_t = (1 - B)(1 - B^m) x_t and an AR(k) fit y_t = sum_i b_i y_{t-i}
// (no intercept), Z4_t = (1 - B^m) x_t - sum_i b_i (1 - B^m) x_{t-i} and
// Z5_t = (1 - B) x_t - sum_i b_i (1 - B) x_{t-i}; the test regression (no intercept) is
//   y_t = sum_i c_i y_{t-i} + beta_1 Z4_{t-1} + beta_2 Z5_{t-m} + e_t
// and the statistic is the t value of beta_2. k is chosen as forecast 8.20 does: the lag
// orders 1..3 are compared by AIC on a common sample and the winner's index minus one is used
// (so k is 0, 1 or 2). Seasonal differencing is needed when statistic > critical value.
struct OcsbResult {
  double statistic = 0;
  double critical = 0;
  int lags = 0;
};
// Critical value at 5 % for season m, the response surface of forecast:::calcOCSBCritVal
// (fitted by its authors to simulated OCSB distributions):
//   -0.2937411 exp(-0.2850853 (log m - 0.7656451) - 0.05983644 (log m - 0.7656451)^2)
//   - 1.652202,  e.g. -1.803 for m = 12.
double OcsbCriticalValue(int m);
// Rows with a NaN anywhere are left out of the regressions (as na.omit). Errors: m < 2, too
// few complete rows for the regression.
Result<OcsbResult> OcsbTest(std::span<const double> x, int m, int max_lag = 3);

enum class SeasonalTest { kSeas, kOcsb };
std::string_view ToString(SeasonalTest test);
std::optional<SeasonalTest> ParseSeasonalTest(std::string_view text);

// Number of seasonal differences D <= max_D (forecast::nsdiffs): kSeas differences when the
// STL seasonal strength SeasonalStrength(x, m) > 0.64 (decompose.h); kOcsb when the OCSB
// statistic exceeds its critical value. 0 for a constant series, m < 2 or m >= length(x);
// a test that cannot run counts as "no difference" (as R, which warns).
int Nsdiffs(std::span<const double> x, int m, SeasonalTest test = SeasonalTest::kSeas,
            int max_D = 1);

}  // namespace stockcast::forecast
