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

namespace {

constexpr double kTdistPi = 3.14159265358979323846;

// Continued fraction of the regularised incomplete beta (DLMF 8.17.22), evaluated by the
// modified Lentz method; converges fast for x < (a + 1) / (a + b + 2).
double BetaContinuedFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::abs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double f = d;
  for (int m = 1; m <= 500; ++m) {
    const double m2 = 2.0 * m;
    // Even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)).
    double num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
    d = 1.0 + num * d;
    c = 1.0 + num / c;
    if (std::abs(d) < kTiny) d = kTiny;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    f *= d * c;
    // Odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
    num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
    d = 1.0 + num * d;
    c = 1.0 + num / c;
    if (std::abs(d) < kTiny) d = kTiny;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    f *= delta;
    if (std::abs(delta - 1.0) < 1e-16) break;
  }
  return f;
}

// I_x(a, b) = x^a (1 - x)^b / (a B(a, b)) * CF, with the symmetry I_x(a, b) = 1 - I_{1-x}(b, a).
double RegularizedBeta(double a, double b, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                           a * std::log(x) + b * std::log1p(-x);
  if (x < (a + 1.0) / (a + b + 2.0)) {
    return std::exp(log_front) * BetaContinuedFraction(a, b, x) / a;
  }
  return 1.0 - std::exp(log_front) * BetaContinuedFraction(b, a, 1.0 - x) / b;
}

}  // namespace

double StudentTCdf(double dof, double t) {
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  const double tail = 0.5 * RegularizedBeta(0.5 * dof, 0.5, dof / (dof + t * t));
  return t >= 0 ? 1.0 - tail : tail;
}

double StudentTQuantile(double dof, double p) {
  if (!(dof > 0) || !(p > 0 && p < 1)) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0.5) return 0.0;
  if (p < 0.5) return -StudentTQuantile(dof, 1.0 - p);
  if (dof == 1.0) return std::tan(kTdistPi * (p - 0.5));           // Cauchy
  if (dof == 2.0) return (2 * p - 1) / std::sqrt(2 * p * (1 - p));  // closed form for dof 2
  if (dof > 1e7) return NormalQuantile(p);
  // Upper-tail bracket [lo, hi] with F(lo) < p <= F(hi).
  double lo = 0.0, hi = std::max(1.0, 2.0 * NormalQuantile(p));
  while (StudentTCdf(dof, hi) < p) {
    lo = hi;
    hi *= 2.0;
  }
  const double log_norm = std::lgamma(0.5 * (dof + 1.0)) - std::lgamma(0.5 * dof) -
                          0.5 * std::log(dof * kTdistPi);
  double x = std::clamp(NormalQuantile(p), lo, hi);
  for (int it = 0; it < 200; ++it) {
    // The tail probability is computed directly, so precision holds far into the tail.
    const double excess = (1.0 - p) - 0.5 * RegularizedBeta(0.5 * dof, 0.5, dof / (dof + x * x));
    if (excess > 0) hi = x; else lo = x;  // excess > 0: F(x) > p
    const double density = std::exp(log_norm - 0.5 * (dof + 1.0) * std::log1p(x * x / dof));
    double next = x - excess / density;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - x) <= 1e-13 * (1.0 + std::abs(x))) return next;
    x = next;
  }
  return x;
}

}  // namespace stockcast::forecast
