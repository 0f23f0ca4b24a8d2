#pragma once
// Fast repeated n(y) = E[(D - y)+] and F(y) = P(D <= y) for one demand distribution.
//
// DemandDistribution::Loss and ::Cdf rebuild the probability table of an integer distribution
// on every call; the optimisers query the same distribution thousands of times. For integer
// demand this keeps the table of F, n over 0..N (N the last index of the probability table),
// built once by policy::MakeIntegerLossTable, and answers
//   y < 0:        n(y) = n(0) - y,  F(y) = 0              (D >= 0)
//   0 <= y <= N:  n linear between whole numbers (the loss of an integer variable is piecewise
//                 linear with kinks at the integers), F(y) = F(floor y)
//   y > N:        n(y) = max(0, n(N) - (y - N) P(D > N)),  F(y) = F(N)
// Continuous (normal) and non-integer empirical demand go to the distribution directly.
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/policy/demand_distribution.h"

namespace stockcast::optimize::detail {

class LossCurve {
 public:
  Status Init(const policy::DemandDistribution& demand);
  double Loss(double y) const;
  double Cdf(double y) const;
  // E[D] consistent with Loss: n(y) + y - mean() = E[(y - D)+].
  double mean() const { return mean_; }

 private:
  policy::DemandDistribution demand_;  // queried directly for the non-table kinds
  bool table_ = false;
  std::vector<double> loss_, cdf_;
  double mean_ = 0;
};

}  // namespace stockcast::optimize::detail
