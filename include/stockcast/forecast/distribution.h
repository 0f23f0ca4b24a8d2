#pragma once
// Small distribution helpers shared by the forecast models and the inventory policies:
// the standard normal CDF and quantile, and empirical quantiles of a sample.
#include <span>
#include <vector>

namespace stockcast::forecast {

// Phi(x) = P(Z <= x) for a standard normal Z.
double NormalCdf(double x);
// Phi^-1(p) for p in (0, 1); -inf / +inf at 0 / 1. Accurate to about 1e-9.
double NormalQuantile(double p);
// Empirical quantile of an ascending-sorted, non-empty sample at level p in [0, 1], by linear
// interpolation between order statistics (Hyndman & Fan 1996, definition 7).
double EmpiricalQuantile(std::span<const double> sorted, double p);
// Smallest count k with P(K <= k) >= p for K ~ Poisson(lambda); 0 when lambda <= 0. Exact
// summation up to lambda = 200, a skewness-corrected normal approximation above.
double PoissonQuantile(double lambda, double p);

}  // namespace stockcast::forecast
