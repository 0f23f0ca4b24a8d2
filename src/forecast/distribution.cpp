#include "stockcast/forecast/distribution.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "stockcast/core/error.h"

namespace stockcast::forecast {

double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

double NormalQuantile(double p) {
  if (!(p > 0.0)) return -std::numeric_limits<double>::infinity();
  if (!(p < 1.0)) return std::numeric_limits<double>::infinity();
  // Acklam's rational approximation (relative error < 1.15e-9), split into a central region
  // and two tails, followed by one Halley step on Phi(x) - p to reach full double accuracy.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  double x = 0.0;
  if (p < kLow) {
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else if (p <= 1.0 - kLow) {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  } else {
    const double q = std::sqrt(-2.0 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  // Halley refinement: e = Phi(x) - p, u = e / phi(x), x -= u / (1 + x u / 2).
  const double e = NormalCdf(x) - p;
  const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(x * x / 2.0);
  return x - u / (1.0 + x * u / 2.0);
}

double EmpiricalQuantile(std::span<const double> sorted, double p) {
  SC_ASSERT(!sorted.empty());
  p = std::clamp(p, 0.0, 1.0);
  // Definition 7: h = (n - 1) p; Q = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

double PoissonQuantile(double lambda, double p) {
  if (!(lambda > 0.0) || !std::isfinite(lambda)) return 0.0;
  p = std::clamp(p, 0.0, 1.0);
  if (lambda > 200.0) {
    // Cornish-Fisher (skewness) correction of the normal approximation, then the continuity
    // correction: accurate to about one unit here, where exp(-lambda) would underflow anyway.
    const double z = NormalQuantile(std::clamp(p, 1e-12, 1.0 - 1e-12));
    const double x = lambda + z * std::sqrt(lambda) + (z * z - 1.0) / 6.0;
    return std::max(0.0, std::ceil(x - 0.5));
  }
  // Smallest k with P(K <= k) >= p, summing the pmf p(k) = p(k - 1) lambda / k.
  double pmf = std::exp(-lambda);
  double cdf = pmf;
  double k = 0.0;
  const double limit = lambda + 40.0 * std::sqrt(lambda) + 40.0;
  while (cdf < p - 1e-12 && k < limit) {
    k += 1.0;
    pmf *= lambda / k;
    cdf += pmf;
  }
  return k;
}

double NegativeBinomialQuantile(double mean, double size, double p) {
  if (!(mean > 0.0) || !std::isfinite(mean) || !(size > 0.0)) return 0.0;
  if (!std::isfinite(size) || size > 1e12) return PoissonQuantile(mean, p);
  p = std::clamp(p, 0.0, 1.0);
  const double r = size;
  const double log_q = std::log(mean / (r + mean));   // log of the "failure" odds q
  const double log_1mq = std::log(r / (r + mean));    // log(1 - q)
  const double q = mean / (r + mean);
  // log P(K = k) from the closed form, for anchoring the recurrence.
  auto log_pmf = [&](double k) {
    return std::lgamma(k + r) - std::lgamma(r) - std::lgamma(k + 1.0) + r * log_1mq + k * log_q;
  };
  const double sd = std::sqrt(mean + mean * mean / r);
  // Below mu - 40 sd the left tail is negligible (Chernoff); starting there keeps the loop
  // O(sd) for large means. The mass below the start is not added, which can only move the
  // answer up by a count whose CDF differs by far less than 1e-12.
  double k = std::max(0.0, std::floor(mean - 40.0 * sd));
  double pmf = std::exp(log_pmf(k));
  double cdf = pmf;
  const double limit = mean + 40.0 * sd + 40.0;
  while (cdf < p - 1e-12 && k < limit) {
    k += 1.0;
    // Recurrence while the term is a normal double; below 1e-250 (and in subnormals, where
    // the product loses precision or sticks at the smallest subnormal) re-anchor exactly.
    pmf = pmf > 1e-250 ? pmf * (k - 1.0 + r) / k * q : std::exp(log_pmf(k));
    cdf += pmf;
  }
  return k;
}

}  // namespace stockcast::forecast
