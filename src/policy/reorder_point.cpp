#include "stockcast/policy/reorder_point.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "stockcast/forecast/distribution.h"

namespace stockcast::policy {
namespace {

// "12" for whole numbers, "9.5" otherwise.
std::string Num(double v, int decimals = 1) {
  if (std::abs(v - std::round(v)) < 1e-9) return fmt::format("{:.0f}", v);
  return fmt::format("{:.{}f}", v, decimals);
}

}  // namespace

Status ReorderPointOptions::Validate() const {
  if (!(service_level > 0.0 && service_level < 1.0)) {
    return Error::InvalidArgument(
        fmt::format("service_level = {}; must be in (0, 1)", service_level));
  }
  if (!(lead_time_mean_days >= 0.0) || !std::isfinite(lead_time_mean_days)) {
    return Error::InvalidArgument(
        fmt::format("lead_time_mean_days = {}; must be >= 0", lead_time_mean_days));
  }
  if (!(lead_time_sd_days >= 0.0) || !std::isfinite(lead_time_sd_days)) {
    return Error::InvalidArgument(
        fmt::format("lead_time_sd_days = {}; must be >= 0", lead_time_sd_days));
  }
  if (review_period_days < 0) {
    return Error::InvalidArgument(
        fmt::format("review_period_days = {}; must be >= 0", review_period_days));
  }
  if (!(moq >= 0.0) || !std::isfinite(moq)) {
    return Error::InvalidArgument(fmt::format("moq = {}; must be >= 0", moq));
  }
  if (!(case_pack > 0.0) || !std::isfinite(case_pack)) {
    return Error::InvalidArgument(fmt::format("case_pack = {}; must be > 0", case_pack));
  }
  if (!(unit_cost >= 0.0) || !std::isfinite(unit_cost)) {
    return Error::InvalidArgument(fmt::format("unit_cost = {}; must be >= 0", unit_cost));
  }
  return Status::Ok();
}

double DailyDemandSd(const forecast::Forecast& forecast, int step_index) {
  const size_t i = static_cast<size_t>(step_index);
  SC_ASSERT(i < forecast.mean.size());
  const double mean = std::max(forecast.mean[i], 0.0);
  const double poisson = std::sqrt(mean);
  const size_t k = forecast.levels.size();
  if (k < 2) return poisson;
  const double p_lo = forecast.levels.front();
  const double p_hi = forecast.levels.back();
  const double q_lo = forecast.quantiles.front()[i];
  const double q_hi = forecast.quantiles.back()[i];
  const double z_span = forecast::NormalQuantile(p_hi) - forecast::NormalQuantile(p_lo);
  if (!(z_span > 0.0)) return poisson;
  const double band = std::max(q_hi - q_lo, 0.0) / z_span;
  return q_lo <= 0.0 ? std::max(band, poisson) : band;
}

Result<ReorderDecision> ComputeReorderPoint(const forecast::Forecast& forecast, double on_hand,
                                            double on_order, const ReorderPointOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  if (forecast.mean.empty()) {
    return Error::InvalidArgument("forecast has no steps; the reorder point needs horizon >= 1");
  }
  if (!std::isfinite(on_hand) || !std::isfinite(on_order)) {
    return Error::InvalidArgument(
        fmt::format("on_hand = {}, on_order = {}; must be finite numbers", on_hand, on_order));
  }
  ReorderDecision d;
  const int horizon = forecast.horizon();
  const double lead = options.lead_time_mean_days;
  const double review = options.review_period_days;
  d.cover_days = lead + review;

  // Horizon averages stand in for days past the forecast's end.
  double avg_mean = 0.0;
  double avg_var = 0.0;
  for (int i = 0; i < horizon; ++i) {
    avg_mean += std::max(forecast.mean[static_cast<size_t>(i)], 0.0);
    const double sd = DailyDemandSd(forecast, i);
    avg_var += sd * sd;
  }
  avg_mean /= horizon;
  avg_var /= horizon;

  // mu_T = sum of daily means over [0, T), the last day weighted by its fraction; the daily
  // variance is averaged with the same weights.
  double mu_total = 0.0;
  double var_weighted = 0.0;
  double weight = 0.0;
  for (int i = 0; i < static_cast<int>(std::ceil(d.cover_days)); ++i) {
    const double w = std::min(1.0, d.cover_days - i);
    double m = avg_mean;
    double v = avg_var;
    if (i < horizon) {
      m = std::max(forecast.mean[static_cast<size_t>(i)], 0.0);
      const double sd = DailyDemandSd(forecast, i);
      v = sd * sd;
    } else {
      d.forecast_extended = true;
    }
    mu_total += w * m;
    var_weighted += w * v;
    weight += w;
  }
  if (weight > 0.0) {
    d.daily_mean = mu_total / weight;
    d.daily_sd = std::sqrt(var_weighted / weight);
  } else {  // T = 0: continuous review with instant delivery; day 1 sets the rate
    d.daily_mean = std::max(forecast.mean[0], 0.0);
    d.daily_sd = DailyDemandSd(forecast, 0);
  }
  d.lead_time_demand = mu_total;

  // Var(D_T) = T sigma_d^2 + mu_d^2 sigma_L^2 (random lead time with independent daily demand;
  // the review period itself is fixed, so only L carries timing uncertainty).
  const double sigma_l = options.lead_time_sd_days;
  d.demand_sd = std::sqrt(d.cover_days * d.daily_sd * d.daily_sd +
                          d.daily_mean * d.daily_mean * sigma_l * sigma_l);
  d.z = forecast::NormalQuantile(options.service_level);
  d.safety_stock = std::max(0.0, d.z * d.demand_sd);  // service < 50% would give negative SS
  d.reorder_point = d.lead_time_demand + d.safety_stock;
  d.order_up_to = d.reorder_point;
  d.inventory_position = on_hand + on_order;

  // Stockout before the next receipt if nothing is ordered: the next order can only be placed
  // at the next review and lands L days later, so demand over L + R meets only IP.
  if (d.demand_sd > 0.0) {
    d.stockout_probability =
        1.0 - forecast::NormalCdf((d.inventory_position - d.lead_time_demand) / d.demand_sd);
  } else {
    d.stockout_probability = d.inventory_position < d.lead_time_demand ? 1.0 : 0.0;
  }

  // Days of supply: walk the forecast means until today's on hand runs out.
  if (on_hand <= 0.0) {
    d.days_of_supply = 0.0;
  } else {
    double left = on_hand;
    double days = 0.0;
    bool done = false;
    for (int i = 0; i < horizon; ++i) {
      const double m = std::max(forecast.mean[static_cast<size_t>(i)], 0.0);
      if (m >= left) {
        days += left / m;
        done = true;
        break;
      }
      left -= m;
      days += 1.0;
    }
    if (!done) days = avg_mean > 0.0 ? days + left / avg_mean : kMaxDaysOfSupply;
    d.days_of_supply = std::min(days, kMaxDaysOfSupply);
  }

  // Order decision.
  std::string action;
  const bool trigger = d.inventory_position <= d.reorder_point;
  const double gap = d.order_up_to - d.inventory_position;
  if (trigger && gap > 1e-9) {
    d.unconstrained_quantity = gap;
    double q = gap;
    std::string why;
    if (options.moq > q) {
      q = options.moq;
      d.binding = "moq";
      why = fmt::format("raised to MOQ {}", Num(options.moq));
    }
    // Round up to whole cases; the epsilon keeps 24.0000001 / 12 from becoming 3 cases.
    const double cases = std::ceil(q / options.case_pack - 1e-9);
    const double rounded = cases * options.case_pack;
    // The case pack binds only when it changed the quantity beyond rounding up to whole
    // units: with a whole-unit pack (1, 12, ...) 60.2 is compared with 61, so a pack of 1
    // never "raises" anything; a fractional pack (0.5 kg) is compared with q itself.
    const bool whole_unit_pack =
        std::abs(options.case_pack - std::round(options.case_pack)) < 1e-9;
    const double whole_units = whole_unit_pack ? std::ceil(q - 1e-9) : q;
    if (rounded > whole_units + 1e-9) {
      if (d.binding == "none") {
        d.binding = "case_pack";
        why = fmt::format("raised to case pack {}", Num(options.case_pack));
      } else {
        why += fmt::format(", then to whole case packs of {}", Num(options.case_pack));
      }
    }
    d.quantity = rounded;
    d.line_cost = d.quantity * options.unit_cost;
    action = fmt::format("position {} <= reorder point {} -> order {}", Num(d.inventory_position),
                         Num(d.reorder_point), Num(d.quantity));
    if (!why.empty()) action += " (" + why + ")";
  } else {
    action = fmt::format("position {} {} reorder point {} -> no order", Num(d.inventory_position),
                         trigger ? "<=" : ">", Num(d.reorder_point));
  }

  std::string cover =
      options.review_period_days > 0
          ? fmt::format("{} days (lead {} + review {})", Num(d.cover_days), Num(lead),
                        options.review_period_days)
          : fmt::format("{} days (lead {}, continuous review)", Num(d.cover_days), Num(lead));
  d.explanation = fmt::format(
      "demand over {}: {:.1f}{}; safety stock {:.1f} for {}% service (z={:.3f}, "
      "sigma {:.2f}/day, lead-time sd {:.1f} days); on hand {}, on order {} -> {}; "
      "stockout risk before next receipt if not ordering {:.1f}%; {} days of supply",
      cover, d.lead_time_demand,
      d.forecast_extended ? fmt::format(" (past the {}-day forecast at its average)", horizon)
                          : std::string(),
      d.safety_stock, Num(options.service_level * 100.0, 1), d.z, d.daily_sd, sigma_l,
      Num(on_hand), Num(on_order), action, d.stockout_probability * 100.0,
      d.days_of_supply >= kMaxDaysOfSupply ? std::string("999+") : Num(d.days_of_supply));
  return d;
}

}  // namespace stockcast::policy
