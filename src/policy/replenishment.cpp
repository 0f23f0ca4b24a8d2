#include "stockcast/policy/replenishment.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace stockcast::policy {
namespace {

// Value of a per-day path at day k (0-based), holding the last value past the end.
double At(const std::vector<double>& v, size_t k) {
  return v.empty() ? 0.0 : v[std::min(k, v.size() - 1)];
}

// Rounds x up to a whole multiple of `pack` (> 0), with a small tolerance for 11.999999.
double RoundUpTo(double x, double pack) {
  if (x <= 0.0) return 0.0;
  return std::ceil(x / pack - 1e-9) * pack;
}

// ESPRC(s) = n(s) - n(s + Q): expected units short per cycle.
double ShortagePerCycle(const DemandDistribution& d, double s, double q) {
  return std::max(0.0, d.Loss(s) - d.Loss(s + q));
}

}  // namespace

std::string_view ToString(ServiceTargetKind kind) {
  switch (kind) {
    case ServiceTargetKind::kFillRate:
      return "fill_rate";
    case ServiceTargetKind::kCycleService:
      return "cycle_service";
  }
  return "fill_rate";
}

std::optional<ServiceTargetKind> ParseServiceTargetKind(std::string_view text) {
  if (text == "fill_rate") return ServiceTargetKind::kFillRate;
  if (text == "cycle_service") return ServiceTargetKind::kCycleService;
  return std::nullopt;
}

Status ReplenishmentInput::Validate() const {
  if (daily_mean.empty()) {
    return Error::InvalidArgument("daily_mean is empty; the levels need a forecast of >= 1 day");
  }
  if (daily_sd.size() != daily_mean.size()) {
    return Error::InvalidArgument(
        fmt::format("daily_sd has {} values, daily_mean {}; they must be the same length",
                    daily_sd.size(), daily_mean.size()));
  }
  for (size_t k = 0; k < daily_mean.size(); ++k) {
    if (!(daily_mean[k] >= 0.0) || !std::isfinite(daily_mean[k])) {
      return Error::InvalidArgument(
          fmt::format("daily_mean[{}] = {}; must be finite and >= 0", k, daily_mean[k]));
    }
    if (!(daily_sd[k] >= 0.0) || !std::isfinite(daily_sd[k])) {
      return Error::InvalidArgument(
          fmt::format("daily_sd[{}] = {}; must be finite and >= 0", k, daily_sd[k]));
    }
  }
  if (!(lead_time_mean_days >= 1.0) || !std::isfinite(lead_time_mean_days)) {
    return Error::InvalidArgument(fmt::format(
        "lead_time_mean_days = {}; must be >= 1 (an order placed at the end of day t arrives "
        "at the start of day t + L)",
        lead_time_mean_days));
  }
  if (!(lead_time_sd_days >= 0.0) || !std::isfinite(lead_time_sd_days)) {
    return Error::InvalidArgument(
        fmt::format("lead_time_sd_days = {}; must be >= 0", lead_time_sd_days));
  }
  if (review_period_days < 1) {
    return Error::InvalidArgument(
        fmt::format("review_period_days = {}; must be >= 1", review_period_days));
  }
  if (!(target > 0.0 && target < 1.0)) {
    return Error::InvalidArgument(fmt::format("target = {}; must be in (0, 1)", target));
  }
  const auto non_negative = [](double v, std::string_view name) -> Status {
    if (!(v >= 0.0) || !std::isfinite(v)) {
      return Error::InvalidArgument(fmt::format("{} = {}; must be >= 0", name, v));
    }
    return Status::Ok();
  };
  SC_RETURN_IF_ERROR(non_negative(unit_cost, "unit_cost"));
  SC_RETURN_IF_ERROR(non_negative(holding_rate, "holding_rate"));
  SC_RETURN_IF_ERROR(non_negative(order_cost, "order_cost"));
  SC_RETURN_IF_ERROR(non_negative(moq, "moq"));
  if (!(case_pack > 0.0) || !std::isfinite(case_pack)) {
    return Error::InvalidArgument(fmt::format("case_pack = {}; must be > 0", case_pack));
  }
  return Status::Ok();
}

Result<ReplenishmentLevels> ChooseReplenishmentLevels(const ReplenishmentInput& in) {
  SC_RETURN_IF_ERROR(in.Validate());
  ReplenishmentLevels out;
  const double cover = in.lead_time_mean_days + in.review_period_days - 1.0;
  out.cover_days = cover;
  out.forecast_extended = std::ceil(cover - 1e-12) > static_cast<double>(in.daily_mean.size());

  // Sums over the cover; the last (partial) day weighs its fraction.
  double mean = 0.0, var = 0.0;
  const size_t whole = static_cast<size_t>(std::floor(cover + 1e-12));
  for (size_t k = 0; k < whole; ++k) {
    mean += At(in.daily_mean, k);
    var += At(in.daily_sd, k) * At(in.daily_sd, k);
  }
  const double frac = cover - static_cast<double>(whole);
  if (frac > 1e-12) {
    mean += frac * At(in.daily_mean, whole);
    var += frac * At(in.daily_sd, whole) * At(in.daily_sd, whole);
  }
  const double mu_d = mean / cover;
  var += mu_d * mu_d * in.lead_time_sd_days * in.lead_time_sd_days;
  out.mean_over_cover = mean;
  out.sd_over_cover = std::sqrt(var);
  out.mean_over_review = mu_d * in.review_period_days;

  if (!(mean > 0.0)) {
    out.distribution = DemandKind::kPoisson;
    out.reorder_point = -1.0;
    out.order_up_to = 0.0;
    out.order_quantity = 0.0;
    out.safety_stock = -1.0;
    out.expected_fill_rate = 1.0;
    out.expected_cycle_service = 1.0;
    out.explanation = fmt::format(
        "no demand forecast over the {:.1f} days of cover (lead time {:.1f} + review {} - 1): "
        "never order",
        cover, in.lead_time_mean_days, in.review_period_days);
    return out;
  }

  SC_ASSIGN_OR_RETURN(DemandDistribution d,
                      DemandDistribution::MomentMatched(mean, std::sqrt(var), kCountDistributionBelow));
  out.distribution = d.kind();

  // Q = max(EOQ, mean over R, case pack, MOQ), whole units and whole case packs.
  const double h = in.unit_cost * in.holding_rate / 365.0;
  if (in.order_cost > 0.0 && h > 0.0 && mu_d > 0.0) {
    out.eoq = std::sqrt(2.0 * in.order_cost * mu_d / h);
  }
  double q = std::max({out.eoq, out.mean_over_review, in.case_pack, in.moq, 1.0});
  q = RoundUpTo(std::ceil(q - 1e-9), in.case_pack);
  out.order_quantity = q;

  // Demand per cycle: an order is S - IP = Q + U, U the undershoot of the position below s at
  // the review that triggers it. With the position crossing s at a uniformly random point of a
  // review period of demand D_R, E[U] = E[D_R^2] / (2 E[D_R]) = (mu_R + sigma_R^2 / mu_R) / 2
  // (the renewal-theory mean residual), capped at mu_R (Q >= mu_R: at most one review's demand).
  double undershoot = 0.0;
  {
    double mu_r = 0.0, var_r = 0.0;
    for (size_t k = 0; k < static_cast<size_t>(in.review_period_days); ++k) {
      mu_r += At(in.daily_mean, k);
      var_r += At(in.daily_sd, k) * At(in.daily_sd, k);
    }
    if (mu_r > 0) undershoot = std::min(mu_r, 0.5 * (mu_r + var_r / mu_r));
  }
  // The smallest whole s >= 0 meeting the target; both criteria are monotone in s.
  const double allowed = (1.0 - in.target) * (q + undershoot);
  const auto meets = [&](double s) {
    return in.target_kind == ServiceTargetKind::kFillRate ? ShortagePerCycle(d, s, q) <= allowed
                                                          : d.Cdf(s) >= in.target;
  };
  double lo = 0.0;
  double s = 0.0;
  if (!meets(lo)) {
    // hi: far in the upper tail, where both criteria hold.
    double hi = std::ceil(mean + 12.0 * std::max(std::sqrt(var), 1.0)) + 1.0;
    while (!meets(hi)) hi = 2.0 * hi + 1.0;
    // Invariant: !meets(lo), meets(hi).
    while (hi - lo > 1.0) {
      const double mid = std::floor((lo + hi) / 2.0);
      if (meets(mid)) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    s = hi;
  }
  out.reorder_point = s;
  out.order_up_to = s + q;
  out.safety_stock = s - mean;
  const double esprc = ShortagePerCycle(d, s, q);
  out.expected_undershoot = undershoot;
  out.expected_fill_rate = 1.0 - esprc / (q + undershoot);
  out.expected_cycle_service = d.Cdf(s);

  const std::string what = in.target_kind == ServiceTargetKind::kFillRate
                               ? fmt::format("fill rate {:.1f}%: smallest s with expected "
                                             "shortage per cycle n(s) - n(s+Q) = {:.2f} <= "
                                             "(1 - {:.3f}) x (Q + undershoot {:.1f}) = {:.2f}",
                                             100.0 * in.target, esprc, in.target, undershoot,
                                             allowed)
                               : fmt::format("cycle service {:.1f}%: smallest s with "
                                             "P(D <= s) = {:.4f} >= {:.3f}",
                                             100.0 * in.target, out.expected_cycle_service,
                                             in.target);
  out.explanation = fmt::format(
      "cover {:.1f} days (lead time {:.1f} + review {} - 1): demand mean {:.1f}, sd {:.1f} "
      "({}); Q = {:.0f} (EOQ {:.1f}, mean over review {:.1f}, case pack {:g}, MOQ {:g}); {}; "
      "s = {:.0f}, S = {:.0f}, safety stock {:.1f}; expected fill rate {:.2f}%, cycle service "
      "{:.2f}%{}",
      cover, in.lead_time_mean_days, in.review_period_days, mean, out.sd_over_cover,
      d.ToString(), q, out.eoq, out.mean_over_review, in.case_pack, in.moq, what, s,
      out.order_up_to, out.safety_stock, 100.0 * out.expected_fill_rate,
      100.0 * out.expected_cycle_service,
      out.forecast_extended ? "; the cover runs past the forecast (last day held)" : "");
  return out;
}

double ReplenishmentOrder(const ReplenishmentLevels& levels, double inventory_position,
                          double case_pack, double moq) {
  if (!std::isfinite(inventory_position) || inventory_position > levels.reorder_point) return 0.0;
  const double pack = case_pack > 0.0 ? case_pack : 1.0;
  double q = RoundUpTo(levels.order_up_to - inventory_position, pack);
  if (q <= 0.0) return 0.0;
  if (moq > 0.0 && q < moq) q = RoundUpTo(moq, pack);
  return q;
}

}  // namespace stockcast::policy
