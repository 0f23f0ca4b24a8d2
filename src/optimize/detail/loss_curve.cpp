#include "optimize/detail/loss_curve.h"

#include <algorithm>
#include <cmath>

namespace stockcast::optimize::detail {

Status LossCurve::Init(const policy::DemandDistribution& demand) {
  demand_ = demand;
  table_ = demand.integer();
  mean_ = demand.Mean();
  if (!table_) return Status::Ok();
  SC_ASSIGN_OR_RETURN(std::vector<double> pmf, demand.PmfTable());
  const auto top = static_cast<int64_t>(pmf.size()) - 1;
  policy::IntegerLossTable t = policy::MakeIntegerLossTable(pmf, 0, top);
  loss_ = std::move(t.loss);
  cdf_ = std::move(t.cdf);
  mean_ = loss_.front();  // n(0) = E[D] of the table
  return Status::Ok();
}

double LossCurve::Loss(double y) const {
  if (!table_) return demand_.Loss(y);
  if (y <= 0) return loss_.front() - y;
  const double top = static_cast<double>(loss_.size() - 1);
  if (y >= top) return std::max(0.0, loss_.back() - (y - top) * (1.0 - cdf_.back()));
  const double k = std::floor(y);
  const auto i = static_cast<size_t>(k);
  return loss_[i] + (y - k) * (loss_[i + 1] - loss_[i]);
}

double LossCurve::Cdf(double y) const {
  if (!table_) return demand_.Cdf(y);
  if (y < 0) return 0.0;
  const double top = static_cast<double>(cdf_.size() - 1);
  if (y >= top) return cdf_.back();
  return cdf_[static_cast<size_t>(std::floor(y))];
}

}  // namespace stockcast::optimize::detail
