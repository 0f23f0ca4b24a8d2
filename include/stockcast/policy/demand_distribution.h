#pragma once
// The demand of one period as a value type, shared by every policy kernel in this module:
//
//   normal(mean, sd)       continuous; may put mass below 0 (the textbook approximation)
//   poisson(mean)          integer support 0, 1, 2, ...
//   negbin(mean, size)     integer support; Var = mean + mean^2 / size (Poisson-gamma mixture)
//   empirical              finite support: sample values (each weighted 1/n) or value/probability
//                          pairs; "integer" when every support value is a whole number
//
// and the quantities the policies need (Snyder & Shen, "Fundamentals of Supply Chain Theory",
// 2nd ed., ch. 4 and the appendix on loss functions; Zipkin, "Foundations of Inventory Management",
// ch. 6):
//
//   F(x) = P(D <= x), F^-1(p) = min{x : F(x) >= p}
//   n(x)  = E[(D - x)+]                      first-order loss function
//   nb(x) = E[(x - D)+] = n(x) + x - E[D]    complementary loss function
//   n2(x) = 1/2 E[((D - x)+)^2]              second-order loss (continuous)
//         = 1/2 E[(D - x)+ (D - x - 1)+]     (integer demand at integer x, S&S)
//
// Integer distributions also give their probability table over 0..N, truncated where the upper
// tail falls below kPmfTail, and the demand over L periods: Poisson(L m), NegBin(L m, L r)
// (sums of independent negative binomials with one success probability add their sizes),
// Normal(L m, sqrt(L) sd), and the L-fold convolution of an empirical distribution.
//
// Text form (Parse / ToString round-trip):
//   "normal:50,8"  "poisson:6"  "negbin:6,2.5"
//   "empirical:FILE"   one number per line (samples) or "value,probability" per line; an
//                      optional header line "value" / "value,probability"; '#' starts a comment
//   "pmf:0:0.2,1:0.5,3:0.3"   value:probability pairs inline (what ToString writes for empirical)
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/error.h"

namespace stockcast::policy {

enum class DemandKind { kNormal, kPoisson, kNegativeBinomial, kEmpirical };

// "normal", "poisson", "negbin", "empirical".
std::string_view ToString(DemandKind kind);
std::optional<DemandKind> ParseDemandKind(std::string_view text);

// Probability tables stop at the first N with P(D > N) < kPmfTail.
inline constexpr double kPmfTail = 1e-12;
// Largest probability table built (entries); larger ones are an InvalidArgument error.
inline constexpr int64_t kMaxPmfSize = 20'000'000;

class DemandDistribution {
 public:
  // A point mass at zero (no demand).
  DemandDistribution();

  // Errors name the parameter and its rule: "normal sd = -1; must be >= 0".
  static Result<DemandDistribution> Normal(double mean, double sd);
  static Result<DemandDistribution> Poisson(double mean);
  static Result<DemandDistribution> NegativeBinomial(double mean, double size);
  // The distribution the planning code uses for demand with this mean and sd over a window:
  // normal at or above `count_below` units; below it counts — Poisson when the variance is at
  // most the mean, else the negative binomial with the same mean and variance (size =
  // mean^2 / (var - mean)). When that negative binomial's table would be too long (a spread
  // far beyond the mean: lumpy wholesale orders), the normal with the same mean and sd stands
  // in. A mean of 0 or less below `count_below` is a point mass at zero (Poisson(0)).
  static Result<DemandDistribution> MomentMatched(double mean, double sd, double count_below);
  // Equally weighted samples (duplicates merge). Values must be finite and >= 0.
  static Result<DemandDistribution> EmpiricalSamples(const std::vector<double>& samples);
  // Value/probability pairs (duplicates merge); probabilities >= 0 summing to 1 within 1e-6
  // (then rescaled to sum exactly to 1).
  static Result<DemandDistribution> EmpiricalPmf(const std::vector<double>& values,
                                                 const std::vector<double>& probabilities);
  // "normal:50,8", "poisson:6", "negbin:6,2.5", "empirical:FILE", "pmf:v:p,v:p,...".
  static Result<DemandDistribution> Parse(std::string_view spec);
  // Reads an empirical file: samples, or value,probability pairs. Errors carry "FILE:LINE: ".
  static Result<DemandDistribution> ReadEmpiricalFile(const std::string& path);

  DemandKind kind() const { return kind_; }
  // Normal only.
  bool continuous() const { return kind_ == DemandKind::kNormal; }
  // Support inside the non-negative integers: Poisson, negbin, empirical of whole numbers.
  bool integer() const;

  double Mean() const;
  double Variance() const;
  double Sd() const;
  // Parameters as given: normal (mean, sd), poisson (mean, 0), negbin (mean, size), empirical
  // (mean, sd).
  double param1() const { return a_; }
  double param2() const { return b_; }
  // Empirical support (ascending) and probabilities; empty for the parametric kinds.
  const std::vector<double>& support() const { return values_; }
  const std::vector<double>& probabilities() const { return probs_; }

  double Cdf(double x) const;
  // P(D = x): 0 for normal (a density is not a probability); exact for the others.
  double Pmf(double x) const;
  // min{x : F(x) >= p} for p in (0, 1); a support point for the discrete kinds.
  double Quantile(double p) const;
  double Loss(double x) const;               // n(x)  = E[(D - x)+]
  double ComplementaryLoss(double x) const;  // nb(x) = E[(x - D)+]
  // Normal: 1/2 E[((D - x)+)^2]. Integer kinds: 1/2 E[(D - x)+ (D - x - 1)+] at integer x.
  // Non-integer empirical: 1/2 E[((D - x)+)^2].
  double SecondOrderLoss(double x) const;

  // P(D = k) for k = 0..N, N the first index with P(D > N) < kPmfTail. Integer kinds only:
  // "pmf table needs an integer distribution; normal:50,8 is continuous".
  Result<std::vector<double>> PmfTable() const;

  // Demand over `periods` independent periods (periods >= 0; whole for empirical).
  Result<DemandDistribution> Convolve(double periods) const;

  // The text form that Parse reads back to an equal distribution.
  std::string ToString() const;

 private:
  DemandKind kind_ = DemandKind::kEmpirical;
  double a_ = 0.0;              // normal/poisson/negbin mean; empirical mean
  double b_ = 0.0;              // normal sd; negbin size; empirical sd
  std::vector<double> values_;  // empirical support, ascending
  std::vector<double> probs_;   // empirical probabilities, same order
  std::vector<double> cum_;     // empirical cumulative probabilities
  bool integer_support_ = true;

  void FinishEmpirical();
};

// Lead-time demand for a reorder point: demand per period `per_period` over a lead time with
// mean `lead_mean` and sd `lead_sd` periods.
//   normal:   N(L mu, sqrt(L sd^2 + mu^2 sd_L^2))   (Silver, Pyke & Peterson 2017, ch. 7)
//   integer kinds, sd_L = 0: per_period convolved over L periods (L whole for empirical)
//   integer kinds, sd_L > 0: a mixture over whole lead times l >= 0 weighted by a normal
//     N(L, sd_L) discretised to [l - 1/2, l + 1/2), returned as an empirical distribution
Result<DemandDistribution> LeadTimeDemand(const DemandDistribution& per_period, double lead_mean,
                                          double lead_sd);

// F(y), n(y) = E[(D - y)+] and nb(y) = E[(y - D)+] at every whole y in [lo, hi] for integer
// demand given by its probability table over 0..N, in O(hi - lo + N) by the recursion
//   nb(y + 1) = nb(y) + F(y),   n(y) = nb(y) - (y - mu)
// (S&S, discrete loss functions), mu being the table's own mean so that n and nb stay consistent.
struct IntegerLossTable {
  int64_t lo = 0;
  std::vector<double> cdf;                 // F(y), index y - lo
  std::vector<double> loss;                // n(y)
  std::vector<double> complementary_loss;  // nb(y)
  int64_t hi() const { return lo + static_cast<int64_t>(cdf.size()) - 1; }
  // Expected newsvendor-type cost h nb(y) + p n(y) for lo <= y <= hi.
  double Cost(int64_t y, double h, double p) const {
    const size_t i = static_cast<size_t>(y - lo);
    return h * complementary_loss[i] + p * loss[i];
  }
};
IntegerLossTable MakeIntegerLossTable(const std::vector<double>& pmf, int64_t lo, int64_t hi);

}  // namespace stockcast::policy
