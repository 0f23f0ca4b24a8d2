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
// Smallest count k with P(K <= k) >= p for K ~ NegativeBinomial with the given mean mu and
// size (dispersion) r, i.e. Var K = mu + mu^2 / r:
//   P(K = k) = Gamma(k + r) / (Gamma(r) k!) (r / (r + mu))^r (mu / (r + mu))^k
// (the Poisson-gamma mixture; Johnson, Kemp & Kotz 2005, Univariate Discrete Distributions, ch. 5).
// 0 when mean <= 0 or size <= 0 (the limit r -> 0 at fixed mean puts all mass on 0); the
// Poisson quantile when size is infinite or above 1e12 (the limit r -> inf). The CDF is summed
// from max(0, mu - 40 sd) with the recurrence P(k) = P(k - 1) (k - 1 + r) / k * mu / (r + mu),
// re-anchored with std::lgamma wherever the running term is below 1e-250 (underflow).
double NegativeBinomialQuantile(double mean, double size, double p);
// Quantile of Student's t with `dof` > 0 degrees of freedom at p in (0, 1): the root of
// F(t) = p, F(t) = 1 - I_{dof/(dof+t^2)}(dof/2, 1/2) / 2 for t >= 0 (Abramowitz & Stegun
// 26.7.1 via the regularised incomplete beta, evaluated by its continued fraction, DLMF
// 8.17.22), solved by safeguarded Newton steps to ~1e-12. Closed forms for dof = 1, 2; the
// normal quantile above dof = 1e7. NaN when dof <= 0 or p is outside (0, 1).
double StudentTQuantile(double dof, double p);
// F(t) above: P(T <= t) for T ~ t_dof.
double StudentTCdf(double dof, double t);

}  // namespace stockcast::forecast
