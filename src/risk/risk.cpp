#include "stockcast/risk/risk.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "stockcast/forecast/distribution.h"
#include "stockcast/policy/demand_distribution.h"

namespace stockcast::risk {
namespace {

constexpr std::array<std::string_view, 10> kTypeNames = {
    "stockout",     "overstock",   "ageing",        "dead_stock",         "supplier_delay",
    "demand_spike", "demand_drop", "forecast_miss", "below_warning_line", "above_warning_line"};
constexpr std::array<std::string_view, 3> kLevelNames = {"low", "medium", "high"};
constexpr std::array<std::string_view, 7> kActionNames = {
    "none",     "expedite",           "transfer",       "reorder_now",
    "markdown", "cancel_or_delay_po", "review_forecast"};

template <typename Enum, size_t N>
std::optional<Enum> ParseName(const std::array<std::string_view, N>& names, std::string_view text) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

// Units with one decimal, money without decimals, probabilities as whole percents.
std::string U(double v) { return fmt::format("{:.1f}", v); }
std::string M(double v) { return fmt::format("{:.0f}", v); }
std::string P(double p) { return fmt::format("{:.0f}%", 100.0 * p); }
std::string Dos(double d) { return d >= kMaxDaysOfSupply ? std::string("999+") : U(d); }

// A demand distribution per the header: normal for fast movers, Poisson / negbin below
// slow_mover_mean (DemandDistribution::MomentMatched).
Result<policy::DemandDistribution> MakeDemand(double mean, double sd, double slow_mover_mean) {
  return policy::DemandDistribution::MomentMatched(mean, sd, slow_mover_mean);
}

// P(D > x).
double TailAbove(const policy::DemandDistribution& d, double x) {
  if (d.integer()) {
    if (x < 0.0) return 1.0;
    return std::clamp(1.0 - d.Cdf(std::floor(x)), 0.0, 1.0);
  }
  return std::clamp(1.0 - d.Cdf(x), 0.0, 1.0);
}

// P(D < x).
double BelowStrict(const policy::DemandDistribution& d, double x) {
  if (d.integer()) {
    const double k = std::ceil(x) - 1.0;
    if (k < 0.0) return 0.0;
    return std::clamp(d.Cdf(k), 0.0, 1.0);
  }
  if (d.Sd() == 0.0) return d.Mean() < x ? 1.0 : 0.0;
  return std::clamp(d.Cdf(x), 0.0, 1.0);
}

struct Moments {
  double mean = 0;
  double var = 0;
  double sd() const { return std::sqrt(std::max(var, 0.0)); }
};

// Everything derived once per item.
struct ItemContext {
  const ItemState* item = nullptr;
  double money_short = 0;             // value of a lost unit
  double available = 0;               // on hand + arrivals on or before as_of
  std::optional<Date> first_arrival;  // first arrival after as_of
  std::optional<Date> first_open_po;  // first placed (not planned) arrival after as_of
  double avg_mean = 0;                // forecast average daily mean
  double avg_var = 0;                 // forecast average daily variance
  double days_of_supply = 0;
  double cover = 0;  // stockout window when nothing is due

  double DayVar(size_t t) const {
    const auto& it = *item;
    if (it.forecast_sd.empty()) return std::max(it.forecast_mean[t], 0.0);
    return it.forecast_sd[t] * it.forecast_sd[t];
  }
  // Demand of days [0, days): whole days plus a fraction of the last one; days beyond the
  // forecast use its averages.
  Moments Window(double days) const {
    Moments m;
    const auto& mean = item->forecast_mean;
    const double whole = std::floor(std::max(days, 0.0));
    const double frac = std::max(days, 0.0) - whole;
    const size_t n = mean.size();
    const auto full = static_cast<size_t>(whole);
    for (size_t t = 0; t < std::min(full, n); ++t) {
      m.mean += std::max(mean[t], 0.0);
      m.var += DayVar(t);
    }
    if (full > n) {
      m.mean += static_cast<double>(full - n) * avg_mean;
      m.var += static_cast<double>(full - n) * avg_var;
    }
    if (frac > 0.0) {
      m.mean += frac * (full < n ? std::max(mean[full], 0.0) : avg_mean);
      m.var += frac * (full < n ? DayVar(full) : avg_var);
    }
    return m;
  }
};

std::string ItemName(const ItemState& it) { return it.sku + "@" + it.location; }

Status ValidateItem(const ItemState& it, size_t i) {
  const std::string where = fmt::format("items[{}] ({}@{})", i, it.sku, it.location);
  auto bad = [&](const std::string& what, const std::string& rule) {
    return Error::InvalidArgument(fmt::format("{} at {}; {}", what, where, rule));
  };
  if (it.sku.empty()) return bad("sku is empty", "must be set");
  if (it.location.empty()) return bad("location is empty", "must be set");
  if (!std::isfinite(it.on_hand))
    return bad(fmt::format("on_hand = {}", it.on_hand), "must be finite");
  if (!(it.unit_cost >= 0.0) || !std::isfinite(it.unit_cost)) {
    return bad(fmt::format("unit_cost = {}", it.unit_cost), "must be finite and >= 0");
  }
  if (!(it.unit_price >= 0.0) || !std::isfinite(it.unit_price)) {
    return bad(fmt::format("unit_price = {}", it.unit_price), "must be finite and >= 0");
  }
  if (it.forecast_mean.empty()) return bad("forecast_mean is empty", "must have >= 1 value");
  if (!it.forecast_sd.empty() && it.forecast_sd.size() != it.forecast_mean.size()) {
    return bad(fmt::format("forecast_sd has {} values", it.forecast_sd.size()),
               fmt::format("must be empty or {} (forecast_mean)", it.forecast_mean.size()));
  }
  for (size_t t = 0; t < it.forecast_mean.size(); ++t) {
    const double v = it.forecast_mean[t];
    if (!(v >= 0.0) || !std::isfinite(v)) {
      return bad(fmt::format("forecast_mean[{}] = {}", t, v), "must be finite and >= 0");
    }
  }
  for (size_t t = 0; t < it.forecast_sd.size(); ++t) {
    const double v = it.forecast_sd[t];
    if (!(v >= 0.0) || !std::isfinite(v)) {
      return bad(fmt::format("forecast_sd[{}] = {}", t, v), "must be finite and >= 0");
    }
  }
  for (size_t k = 0; k < it.arrivals.size(); ++k) {
    const double q = it.arrivals[k].quantity;
    if (!(q >= 0.0) || !std::isfinite(q)) {
      return bad(fmt::format("arrivals[{}].quantity = {}", k, q), "must be finite and >= 0");
    }
  }
  if (!(it.cover_days >= 0.0) || !std::isfinite(it.cover_days)) {
    return bad(fmt::format("cover_days = {}", it.cover_days), "must be finite and >= 0");
  }
  for (size_t k = 0; k < it.recent_demand.size(); ++k) {
    const double v = it.recent_demand[k];
    if (!std::isnan(v) && (!(v >= 0.0) || !std::isfinite(v))) {
      return bad(fmt::format("recent_demand[{}] = {}", k, v), "must be NaN (unknown) or >= 0");
    }
  }
  if (it.shelf_life_days < 0) {
    return bad(fmt::format("shelf_life_days = {}", it.shelf_life_days), "must be >= 0");
  }
  for (size_t k = 0; k < it.lead_time_history.size(); ++k) {
    const auto& o = it.lead_time_history[k];
    if (!(o.promised_days >= 0.0) || !std::isfinite(o.promised_days) || !(o.actual_days >= 0.0) ||
        !std::isfinite(o.actual_days)) {
      return bad(fmt::format("lead_time_history[{}] = {{promised {}, actual {}}}", k,
                             o.promised_days, o.actual_days),
                 "both must be finite and >= 0");
    }
  }
  for (size_t k = 0; k < it.forecast_checks.size(); ++k) {
    const auto& c = it.forecast_checks[k];
    if (!std::isfinite(c.actual) || !std::isfinite(c.lower) || !std::isfinite(c.upper) ||
        c.lower > c.upper) {
      return bad(fmt::format("forecast_checks[{}] = {{actual {}, lower {}, upper {}}}", k, c.actual,
                             c.lower, c.upper),
                 "values must be finite with lower <= upper");
    }
  }
  for (const auto* line : {&it.lines.lower, &it.lines.upper}) {
    if (line->has_value() && (!((*line)->value >= 0.0) || !std::isfinite((*line)->value))) {
      return bad(fmt::format("warning line {} = {}", line == &it.lines.lower ? "lower" : "upper",
                             (*line)->value),
                 "must be finite and >= 0");
    }
  }
  if (it.lines.lower && it.lines.upper && it.lines.lower->unit == it.lines.upper->unit &&
      it.lines.upper->value <= it.lines.lower->value) {
    return bad(fmt::format("warning line upper = {} <= lower = {}", it.lines.upper->value,
                           it.lines.lower->value),
               "upper must be above lower");
  }
  return Status::Ok();
}

ItemContext MakeContext(const ItemState& it, const RiskSettings& s) {
  ItemContext c;
  c.item = &it;
  c.money_short = it.unit_price > 0.0 ? it.unit_price : it.unit_cost;
  c.available = it.on_hand;
  for (const Arrival& a : it.arrivals) {
    if (a.date <= it.as_of) {
      c.available += a.quantity;
      continue;
    }
    if (!c.first_arrival || a.date < *c.first_arrival) c.first_arrival = a.date;
    if (!a.planned && (!c.first_open_po || a.date < *c.first_open_po)) c.first_open_po = a.date;
  }
  const double n = static_cast<double>(it.forecast_mean.size());
  for (size_t t = 0; t < it.forecast_mean.size(); ++t) {
    c.avg_mean += it.forecast_mean[t] / n;
    c.avg_var += c.DayVar(t) / n;
  }
  c.days_of_supply = DaysOfSupply(it.on_hand, it.forecast_mean);
  c.cover = it.cover_days > 0.0 ? it.cover_days : s.default_cover_days;
  return c;
}

Risk NewRisk(RiskType type, const ItemContext& c) {
  Risk r;
  r.type = type;
  r.sku = c.item->sku;
  r.location = c.item->location;
  r.days_of_supply = c.days_of_supply;
  return r;
}

Status StockoutRisks(const ItemContext& c, const RiskSettings& s, std::vector<Risk>* out) {
  const ItemState& it = *c.item;
  const double window =
      c.first_arrival ? static_cast<double>(*c.first_arrival - it.as_of) : c.cover;
  const Moments m = c.Window(window);
  SC_ASSIGN_OR_RETURN(
      const ShortageEstimate e,
      EstimateShortage(m.mean, m.sd(), c.available, s.slow_mover_mean, s.service_level));
  if (e.probability >= s.report_probability && e.probability > 0.0) {
    Risk r = NewRisk(RiskType::kStockout, c);
    r.probability = e.probability;
    r.expected_shortage = e.expected_shortage;
    r.units_needed = e.units_needed;
    r.impact = e.expected_shortage * c.money_short;
    const double run_out = DaysOfSupply(c.available, it.forecast_mean);
    if (run_out < window) r.date = it.as_of + static_cast<int32_t>(std::floor(run_out));
    r.message = fmt::format(
        "{}: {} chance of a stockout {}: demand {} ± {} over {} days vs {} available; "
        "expected shortage {} units ({} in lost sales); {} days of supply",
        ItemName(it), P(e.probability),
        c.first_arrival ? "before the receipt on " + c.first_arrival->ToString()
                        : std::string("within the lead time + review period"),
        U(e.mean), U(e.sd), U(window), U(c.available), U(e.expected_shortage), M(r.impact),
        Dos(c.days_of_supply));
    out->push_back(std::move(r));
  }

  // Supplier delay on the first arrival.
  if (!c.first_arrival || it.lead_time_history.empty()) return Status::Ok();
  const SupplierDelayStats d = SupplierDelay(it.lead_time_history, s);
  if (d.late == 0 || d.mean_delay <= 0.0) return Status::Ok();
  const double delay = std::ceil(d.mean_delay);
  const Moments m2 = c.Window(window + delay);
  SC_ASSIGN_OR_RETURN(
      const ShortageEstimate e2,
      EstimateShortage(m2.mean, m2.sd(), c.available, s.slow_mover_mean, s.service_level));
  const double extra = e2.expected_shortage - e.expected_shortage;
  const double p = d.p_late * e2.probability;
  if (extra > 1e-9 && p >= s.report_probability) {
    Risk r = NewRisk(RiskType::kSupplierDelay, c);
    r.probability = p;
    r.expected_shortage = extra;
    r.units_needed = e2.units_needed;
    r.impact = extra * c.money_short;
    r.date = c.first_arrival;
    r.message = fmt::format(
        "{}: supplier {} was late on {} of {} deliveries (P(late) {} with prior, mean delay {} "
        "days); if the receipt due {} slips {} days, {} chance of a stockout and {} more units "
        "short ({} in lost sales)",
        ItemName(it), it.supplier_id.empty() ? std::string("(unknown)") : it.supplier_id, d.late,
        d.deliveries, P(d.p_late), U(d.mean_delay), c.first_arrival->ToString(), M(delay),
        P(e2.probability), U(extra), M(r.impact));
    out->push_back(std::move(r));
  }
  return Status::Ok();
}

Status OverstockRisks(const ItemContext& c, const RiskSettings& s, std::vector<Risk>* out) {
  const ItemState& it = *c.item;
  int horizon = s.overstock_horizon_days;
  const bool ageing = it.shelf_life_days > 0 && it.shelf_life_days <= horizon;
  if (ageing) horizon = it.shelf_life_days;
  double supply = c.available;
  for (const Arrival& a : it.arrivals) {
    if (a.date > it.as_of && a.date < it.as_of + horizon) supply += a.quantity;
  }
  const Moments m = c.Window(horizon);
  const double excess = std::max(0.0, supply - m.mean);
  const double tolerance = ageing ? 0.0 : s.overstock_tolerance_days * m.mean / horizon;
  if (!(excess > tolerance) || excess < 1e-9) return Status::Ok();
  SC_ASSIGN_OR_RETURN(const policy::DemandDistribution dist,
                      MakeDemand(m.mean, m.sd(), s.slow_mover_mean));
  const double p = BelowStrict(dist, supply - tolerance);
  if (p < s.report_probability || p <= 0.0) return Status::Ok();
  Risk r = NewRisk(ageing ? RiskType::kAgeing : RiskType::kOverstock, c);
  r.probability = p;
  r.excess_units = excess;
  r.impact = excess * it.unit_cost;
  r.message = fmt::format(
      "{}: {} units on hand + on order vs forecast demand {} over the next {} days{}: {} units "
      "({} at cost) {} ({} chance)",
      ItemName(it), U(supply), U(m.mean), horizon, ageing ? " (shelf life)" : "", U(excess),
      M(r.impact), ageing ? "may expire unsold" : "are excess", P(p));
  out->push_back(std::move(r));
  return Status::Ok();
}

void DeadStockRisk(const ItemContext& c, const RiskSettings& s, std::vector<Risk>* out) {
  const ItemState& it = *c.item;
  if (!(it.on_hand > 0.0)) return;
  const int n = s.dead_stock_days;
  std::optional<Date> last = it.last_sale;
  if (!last) {
    // The last day of recent_demand with a sale; back() is as_of - 1.
    const size_t size = it.recent_demand.size();
    size_t known = 0;
    for (size_t k = size; k-- > 0;) {
      const double v = it.recent_demand[k];
      if (std::isnan(v)) continue;
      if (v > 0.0) {
        last = it.as_of - static_cast<int32_t>(size - k);
        break;
      }
      ++known;
    }
    if (!last && known < static_cast<size_t>(n)) return;  // not enough known days to tell
  }
  if (last && !(*last < it.as_of - n)) return;
  Risk r = NewRisk(RiskType::kDeadStock, c);
  r.probability = 1.0;
  r.excess_units = it.on_hand;
  r.impact = it.on_hand * it.unit_cost;
  r.date = last;
  r.message = fmt::format(
      "{}: {} units ({} at cost) on hand and {}", ItemName(it), U(it.on_hand), M(r.impact),
      last ? fmt::format("no sale since {} ({} days)", last->ToString(), it.as_of - *last)
           : fmt::format("no sale in the last {} known days", n));
  out->push_back(std::move(r));
}

void ForecastMissRisk(const ItemContext& c, const RiskSettings& s, std::vector<Risk>* out) {
  const ItemState& it = *c.item;
  if (it.forecast_checks.empty()) return;
  std::vector<ForecastCheck> checks = it.forecast_checks;
  std::stable_sort(checks.begin(), checks.end(),
                   [](const ForecastCheck& a, const ForecastCheck& b) { return a.date < b.date; });
  const size_t m = std::min(checks.size(), static_cast<size_t>(s.miss_window_days));
  int misses = 0;
  int above = 0;
  double distance = 0.0;
  for (size_t k = checks.size() - m; k < checks.size(); ++k) {
    const ForecastCheck& f = checks[k];
    if (f.actual > f.upper) {
      ++misses;
      ++above;
      distance += f.actual - f.upper;
    } else if (f.actual < f.lower) {
      ++misses;
      distance += f.lower - f.actual;
    }
  }
  if (misses < s.miss_min_days) return;
  Risk r = NewRisk(RiskType::kForecastMiss, c);
  r.probability = static_cast<double>(misses) / static_cast<double>(m);
  r.impact = distance * c.money_short;
  r.action = RiskAction::kReviewForecast;
  r.date = checks.back().date;
  r.message = fmt::format(
      "{}: actuals fell outside the forecast interval on {} of the last {} days ({} above, {} "
      "below; {} units outside in total)",
      ItemName(it), misses, m, above, misses - above, U(distance));
  out->push_back(std::move(r));
}

void DemandShiftRisk(const ItemContext& c, const RiskSettings& s, std::vector<Risk>* out) {
  const ItemState& it = *c.item;
  const auto shift = DetectDemandShift(it.recent_demand, s);
  if (!shift || !(shift->spike || shift->drop)) return;
  Risk r = NewRisk(shift->spike ? RiskType::kDemandSpike : RiskType::kDemandDrop, c);
  r.probability = std::clamp(2.0 * forecast::NormalCdf(std::fabs(shift->z)) - 1.0, 0.0, 1.0);
  r.impact = std::fabs(shift->recent_mean - shift->baseline_median) * 7.0 * c.money_short;
  r.action = RiskAction::kReviewForecast;
  r.message = fmt::format(
      "{}: demand {}: last {} days average {}/day vs a median of {}/day over the {} days "
      "before (z = {:.1f})",
      ItemName(it), shift->spike ? "spike" : "drop", s.shift_recent_days, U(shift->recent_mean),
      U(shift->baseline_median), s.shift_baseline_days, shift->z);
  out->push_back(std::move(r));
}

void WarningLineRisks(const ItemContext& c, const RiskSettings& s, std::vector<Risk>* out) {
  const ItemState& it = *c.item;
  if (!it.lines.lower && !it.lines.upper) return;
  auto to_units = [&](const WarningLine& l) {
    return l.unit == WarningLine::Unit::kUnits ? l.value : l.value * c.avg_mean;
  };
  const size_t n = it.forecast_mean.size();
  // Arrivals after as_of by day index.
  std::vector<double> arriving(n, 0.0);
  for (const Arrival& a : it.arrivals) {
    const int32_t t = a.date - it.as_of;
    if (t >= 1 && static_cast<size_t>(t) < n) arriving[static_cast<size_t>(t)] += a.quantity;
  }
  struct Crossing {
    double p_max = 0;
    size_t p_day = 0;
    std::optional<size_t> first;
    double gap = 0;
  };
  const bool has_lower = it.lines.lower && to_units(*it.lines.lower) > 0.0;
  const double lower = has_lower ? to_units(*it.lines.lower) : 0.0;
  const bool has_upper = it.lines.upper.has_value();
  const double upper = has_upper ? to_units(*it.lines.upper) : 0.0;
  Crossing below, above;
  double position = c.available;  // mean path, lost sales
  double supply = c.available;
  Moments cum;
  for (size_t t = 0; t < n; ++t) {
    position = std::max(0.0, position + arriving[t] - it.forecast_mean[t]);
    supply += arriving[t];
    cum.mean += it.forecast_mean[t];
    cum.var += c.DayVar(t);
    const double sd = cum.sd();
    if (has_lower) {
      // P(supply - D_t < lower) = P(D_t > supply - lower).
      const double x = supply - lower;
      const double p =
          sd > 0.0 ? 1.0 - forecast::NormalCdf((x - cum.mean) / sd) : (cum.mean > x ? 1.0 : 0.0);
      if (p > below.p_max) below.p_max = p, below.p_day = t;
      if (position < lower) {
        if (!below.first) below.first = t;
        below.gap = std::max(below.gap, lower - position);
      }
    }
    if (has_upper) {
      const double x = supply - upper;  // P(D_t < supply - upper)
      const double p =
          sd > 0.0 ? forecast::NormalCdf((x - cum.mean) / sd) : (cum.mean < x ? 1.0 : 0.0);
      if (p > above.p_max) above.p_max = p, above.p_day = t;
      if (position > upper) {
        if (!above.first) above.first = t;
        above.gap = std::max(above.gap, position - upper);
      }
    }
  }
  auto line_text = [](const WarningLine& l, double units) {
    return l.unit == WarningLine::Unit::kUnits
               ? fmt::format("{} units", U(units))
               : fmt::format("{} days of supply = {} units", U(l.value), U(units));
  };
  // One risk per crossed line: lower (units needed to get back up) or upper (excess).
  auto report = [&](bool lower_line, const auto& stats, const WarningLine& l, double units) {
    if (stats.p_max < s.report_probability || !(stats.p_max > 0.0)) return;
    Risk r = NewRisk(lower_line ? RiskType::kBelowWarningLine : RiskType::kAboveWarningLine, c);
    r.probability = stats.p_max;
    (lower_line ? r.units_needed : r.excess_units) = stats.gap;
    r.impact = stats.gap * it.unit_cost;
    const size_t day = stats.first.value_or(stats.p_day);
    r.date = it.as_of + static_cast<int32_t>(day);
    r.message = fmt::format(
        "{}: projected stock {} the {} warning line ({}) {} ({} chance; up to {} units {})",
        ItemName(it), lower_line ? "falls below" : "rises above", lower_line ? "lower" : "upper",
        line_text(l, units),
        stats.first ? "on " + r.date->ToString() : "around " + r.date->ToString(),
        P(stats.p_max), U(stats.gap), lower_line ? "below" : "above");
    out->push_back(std::move(r));
  };
  if (has_lower) report(true, below, *it.lines.lower, lower);
  if (has_upper) report(false, above, *it.lines.upper, upper);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Status CheckUnit(double v, std::string_view name) {
  if (!(v >= 0.0 && v <= 1.0)) {
    return Error::InvalidArgument(fmt::format("risk.{} = {}; must be in [0, 1]", name, v));
  }
  return Status::Ok();
}

}  // namespace

std::string_view ToString(RiskType type) { return kTypeNames[static_cast<size_t>(type)]; }
std::optional<RiskType> ParseRiskType(std::string_view text) {
  return ParseName<RiskType>(kTypeNames, text);
}
std::string_view ToString(RiskLevel level) { return kLevelNames[static_cast<size_t>(level)]; }
std::optional<RiskLevel> ParseRiskLevel(std::string_view text) {
  return ParseName<RiskLevel>(kLevelNames, text);
}
std::string_view ToString(RiskAction action) { return kActionNames[static_cast<size_t>(action)]; }
std::optional<RiskAction> ParseRiskAction(std::string_view text) {
  return ParseName<RiskAction>(kActionNames, text);
}
std::string_view ToString(WarningLine::Unit unit) {
  return unit == WarningLine::Unit::kUnits ? "units" : "days_of_supply";
}
std::optional<WarningLine::Unit> ParseWarningLineUnit(std::string_view text) {
  if (text == "units") return WarningLine::Unit::kUnits;
  if (text == "days_of_supply") return WarningLine::Unit::kDaysOfSupply;
  return std::nullopt;
}

Status RiskSettings::Validate() const {
  SC_RETURN_IF_ERROR(CheckUnit(report_probability, "report_probability"));
  if (!(high_probability > 0.0 && high_probability <= 1.0)) {
    return Error::InvalidArgument(
        fmt::format("risk.high_probability = {}; must be in (0, 1]", high_probability));
  }
  if (!(medium_probability >= 0.0 && medium_probability <= high_probability)) {
    return Error::InvalidArgument(
        fmt::format("risk.medium_probability = {}; must be in [0, high_probability = {}]",
                    medium_probability, high_probability));
  }
  if (!(high_impact > 0.0) || !std::isfinite(high_impact)) {
    return Error::InvalidArgument(fmt::format("risk.high_impact = {}; must be > 0", high_impact));
  }
  if (!(medium_impact >= 0.0 && medium_impact <= high_impact)) {
    return Error::InvalidArgument(fmt::format(
        "risk.medium_impact = {}; must be in [0, high_impact = {}]", medium_impact, high_impact));
  }
  if (!(slow_mover_mean >= 0.0) || !std::isfinite(slow_mover_mean)) {
    return Error::InvalidArgument(
        fmt::format("risk.slow_mover_mean = {}; must be finite and >= 0", slow_mover_mean));
  }
  if (!(default_cover_days > 0.0) || !std::isfinite(default_cover_days)) {
    return Error::InvalidArgument(
        fmt::format("risk.default_cover_days = {}; must be > 0", default_cover_days));
  }
  if (!(service_level > 0.0 && service_level < 1.0)) {
    return Error::InvalidArgument(
        fmt::format("risk.service_level = {}; must be in (0, 1)", service_level));
  }
  if (transfer_keep_days < 1) {
    return Error::InvalidArgument(
        fmt::format("risk.transfer_keep_days = {}; must be >= 1", transfer_keep_days));
  }
  if (dead_stock_days < 1) {
    return Error::InvalidArgument(
        fmt::format("risk.dead_stock_days = {}; must be >= 1", dead_stock_days));
  }
  if (overstock_horizon_days < 1) {
    return Error::InvalidArgument(
        fmt::format("risk.overstock_horizon_days = {}; must be >= 1", overstock_horizon_days));
  }
  if (!(overstock_tolerance_days >= 0.0) || !std::isfinite(overstock_tolerance_days)) {
    return Error::InvalidArgument(fmt::format(
        "risk.overstock_tolerance_days = {}; must be finite and >= 0", overstock_tolerance_days));
  }
  if (!(late_threshold_days >= 0.0) || !std::isfinite(late_threshold_days)) {
    return Error::InvalidArgument(
        fmt::format("risk.late_threshold_days = {}; must be finite and >= 0", late_threshold_days));
  }
  SC_RETURN_IF_ERROR(CheckUnit(supplier_prior_late_rate, "supplier_prior_late_rate"));
  if (!(supplier_prior_weight >= 0.0) || !std::isfinite(supplier_prior_weight)) {
    return Error::InvalidArgument(fmt::format(
        "risk.supplier_prior_weight = {}; must be finite and >= 0", supplier_prior_weight));
  }
  if (miss_window_days < 1) {
    return Error::InvalidArgument(
        fmt::format("risk.miss_window_days = {}; must be >= 1", miss_window_days));
  }
  if (miss_min_days < 1 || miss_min_days > miss_window_days) {
    return Error::InvalidArgument(
        fmt::format("risk.miss_min_days = {}; must be in [1, miss_window_days = {}]", miss_min_days,
                    miss_window_days));
  }
  if (shift_recent_days < 1) {
    return Error::InvalidArgument(
        fmt::format("risk.shift_recent_days = {}; must be >= 1", shift_recent_days));
  }
  if (shift_baseline_days < 2) {
    return Error::InvalidArgument(
        fmt::format("risk.shift_baseline_days = {}; must be >= 2", shift_baseline_days));
  }
  if (!(shift_z > 0.0) || !std::isfinite(shift_z)) {
    return Error::InvalidArgument(fmt::format("risk.shift_z = {}; must be > 0", shift_z));
  }
  if (!(shift_min_change >= 0.0 && shift_min_change < 1.0)) {
    return Error::InvalidArgument(
        fmt::format("risk.shift_min_change = {}; must be in [0, 1)", shift_min_change));
  }
  return Status::Ok();
}

Result<ShortageEstimate> EstimateShortage(double mean, double sd, double available,
                                          double slow_mover_mean, double service_level) {
  if (!std::isfinite(mean) || !std::isfinite(sd) || !std::isfinite(available)) {
    return Error::InvalidArgument(fmt::format(
        "shortage inputs mean = {}, sd = {}, available = {}; must be finite", mean, sd, available));
  }
  SC_ASSIGN_OR_RETURN(const policy::DemandDistribution dist, MakeDemand(mean, sd, slow_mover_mean));
  ShortageEstimate e;
  e.mean = std::max(mean, 0.0);
  e.sd = std::max(sd, 0.0);
  e.count_model = dist.integer();
  e.probability = TailAbove(dist, available);
  e.expected_shortage = dist.Loss(available);
  e.units_needed = std::max(0.0, dist.Quantile(service_level) - available);
  return e;
}

double DaysOfSupply(double on_hand, std::span<const double> forecast_mean) {
  if (!(on_hand > 0.0)) return 0.0;
  double left = on_hand;
  double days = 0.0;
  double sum = 0.0;
  for (double raw : forecast_mean) {
    const double m = std::max(raw, 0.0);
    sum += m;
    if (m >= left) return std::min(days + left / m, kMaxDaysOfSupply);
    left -= m;
    days += 1.0;
  }
  const double avg = forecast_mean.empty() ? 0.0 : sum / static_cast<double>(forecast_mean.size());
  if (!(avg > 0.0)) return kMaxDaysOfSupply;
  return std::min(days + left / avg, kMaxDaysOfSupply);
}

SupplierDelayStats SupplierDelay(std::span<const LeadTimeObservation> history,
                                 const RiskSettings& settings) {
  SupplierDelayStats s;
  double delay_sum = 0.0;
  for (const LeadTimeObservation& o : history) {
    ++s.deliveries;
    const double delay = o.actual_days - o.promised_days;
    if (delay > settings.late_threshold_days) {
      ++s.late;
      delay_sum += delay;
    }
  }
  // Beta(n0 p0, n0 (1 - p0)) prior on the late rate: posterior mean (late + n0 p0) / (n + n0).
  const double n0 = settings.supplier_prior_weight;
  const double denom = static_cast<double>(s.deliveries) + n0;
  s.p_late = denom > 0.0
                 ? (static_cast<double>(s.late) + n0 * settings.supplier_prior_late_rate) / denom
                 : 0.0;
  s.mean_delay = s.late > 0 ? delay_sum / static_cast<double>(s.late) : 0.0;
  return s;
}

std::optional<DemandShift> DetectDemandShift(std::span<const double> recent_demand,
                                             const RiskSettings& settings) {
  const size_t n = recent_demand.size();
  const auto r_days = static_cast<size_t>(settings.shift_recent_days);
  const auto b_days = static_cast<size_t>(settings.shift_baseline_days);
  if (n <= r_days) return std::nullopt;
  std::vector<double> recent, base;
  for (size_t k = n - r_days; k < n; ++k) {
    if (!std::isnan(recent_demand[k])) recent.push_back(recent_demand[k]);
  }
  const size_t b_end = n - r_days;
  const size_t b_begin = b_end > b_days ? b_end - b_days : 0;
  for (size_t k = b_begin; k < b_end; ++k) {
    if (!std::isnan(recent_demand[k])) base.push_back(recent_demand[k]);
  }
  if (2 * recent.size() < r_days || 2 * base.size() < b_days || recent.empty() || base.size() < 2) {
    return std::nullopt;
  }
  DemandShift d;
  for (double v : recent) d.recent_mean += v / static_cast<double>(recent.size());
  d.baseline_median = Median(base);
  std::vector<double> dev;
  dev.reserve(base.size());
  for (double v : base) dev.push_back(std::fabs(v - d.baseline_median));
  // 1.4826 MAD estimates a normal sd; the Poisson floor sqrt(max(median, 1)) keeps intermittent
  // series (MAD = 0) from flagging every sale.
  d.baseline_scale =
      std::max(1.4826 * Median(std::move(dev)), std::sqrt(std::max(d.baseline_median, 1.0)));
  d.z = (d.recent_mean - d.baseline_median) /
        (d.baseline_scale / std::sqrt(static_cast<double>(recent.size())));
  d.spike = d.z >= settings.shift_z &&
            d.recent_mean >= d.baseline_median * (1.0 + settings.shift_min_change);
  d.drop = d.z <= -settings.shift_z &&
           d.recent_mean <= d.baseline_median * (1.0 - settings.shift_min_change);
  return d;
}

RiskLevel MatrixLevel(double probability, double impact, const RiskSettings& settings) {
  const int pb = probability >= settings.high_probability     ? 2
                 : probability >= settings.medium_probability ? 1
                                                              : 0;
  const int ib = impact >= settings.high_impact ? 2 : impact >= settings.medium_impact ? 1 : 0;
  const int score = pb + ib;
  return score >= 3 ? RiskLevel::kHigh : score == 2 ? RiskLevel::kMedium : RiskLevel::kLow;
}

Result<std::vector<Risk>> AssessRisks(std::span<const ItemState> items,
                                      const RiskSettings& settings) {
  SC_RETURN_IF_ERROR(settings.Validate());
  std::map<std::pair<std::string, std::string>, size_t> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    SC_RETURN_IF_ERROR(ValidateItem(items[i], i));
    const auto [it, inserted] = seen.emplace(std::make_pair(items[i].sku, items[i].location), i);
    if (!inserted) {
      return Error::InvalidArgument(
          fmt::format("items[{}] ({}@{}) repeats items[{}]; each "
                      "sku and location may appear once",
                      i, items[i].sku, items[i].location, it->second));
    }
  }

  std::vector<ItemContext> ctx;
  ctx.reserve(items.size());
  for (const ItemState& it : items) ctx.push_back(MakeContext(it, settings));

  std::vector<Risk> risks;
  std::vector<size_t> owner;  // item index of each risk
  for (size_t i = 0; i < items.size(); ++i) {
    SC_RETURN_IF_ERROR(StockoutRisks(ctx[i], settings, &risks));
    SC_RETURN_IF_ERROR(OverstockRisks(ctx[i], settings, &risks));
    DeadStockRisk(ctx[i], settings, &risks);
    ForecastMissRisk(ctx[i], settings, &risks);
    DemandShiftRisk(ctx[i], settings, &risks);
    WarningLineRisks(ctx[i], settings, &risks);
    owner.resize(risks.size(), i);
  }

  // Transfer surplus per item: what is left after covering its own demand over
  // transfer_keep_days at the service level.
  // Only SKUs with a shortage risk at some location need it.
  std::set<std::string> short_skus;
  for (const Risk& r : risks) {
    if (r.type == RiskType::kStockout || r.type == RiskType::kSupplierDelay ||
        r.type == RiskType::kBelowWarningLine) {
      short_skus.insert(r.sku);
    }
  }
  std::vector<double> surplus(items.size(), 0.0);
  for (size_t i = 0; i < items.size(); ++i) {
    if (!short_skus.count(items[i].sku)) continue;
    const Moments m = ctx[i].Window(settings.transfer_keep_days);
    SC_ASSIGN_OR_RETURN(const policy::DemandDistribution dist,
                        MakeDemand(m.mean, m.sd(), settings.slow_mover_mean));
    surplus[i] = std::max(0.0, ctx[i].available - dist.Quantile(settings.service_level));
  }
  std::map<std::string, std::vector<size_t>> by_sku;
  for (size_t i = 0; i < items.size(); ++i) by_sku[items[i].sku].push_back(i);

  // One transfer per short item: its need is the largest of its shortage risks; items draw
  // on the surplus greedily, the costliest shortage first.
  struct ShortItem {
    double need = 0;
    double impact = 0;
    std::vector<size_t> risks;
  };
  std::map<size_t, ShortItem> short_items;
  for (size_t k = 0; k < risks.size(); ++k) {
    const RiskType t = risks[k].type;
    if (t == RiskType::kStockout || t == RiskType::kSupplierDelay ||
        t == RiskType::kBelowWarningLine) {
      ShortItem& si = short_items[owner[k]];
      si.need = std::max({si.need, risks[k].units_needed, risks[k].expected_shortage});
      si.impact = std::max(si.impact, risks[k].impact);
      si.risks.push_back(k);
    }
  }
  std::vector<size_t> order;
  for (const auto& [i, si] : short_items) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return short_items[a].impact > short_items[b].impact;
  });
  for (size_t i : order) {
    const ShortItem& si = short_items[i];
    size_t donor = items.size();
    for (size_t j : by_sku[items[i].sku]) {
      if (j == i || surplus[j] < 1.0) continue;
      if (donor == items.size() || surplus[j] > surplus[donor]) donor = j;
    }
    double units = 0;
    std::string suffix;
    RiskAction action = RiskAction::kReorderNow;
    if (donor < items.size() && si.need > 0.0) {
      action = RiskAction::kTransfer;
      units = std::min(surplus[donor], std::ceil(si.need));
      suffix = fmt::format("; transfer {} units from {} ({} spare there)", U(units),
                           items[donor].location, U(surplus[donor]));
      surplus[donor] -= units;
    } else if (ctx[i].first_open_po) {
      action = RiskAction::kExpedite;
      suffix = fmt::format("; expedite the PO due {}", ctx[i].first_open_po->ToString());
    } else {
      suffix = si.need > 0.0
                   ? fmt::format("; reorder now (at least {} units)", U(std::ceil(si.need)))
                   : std::string("; reorder now");
    }
    for (size_t k : si.risks) {
      Risk& r = risks[k];
      r.action = action;
      if (action == RiskAction::kTransfer) {
        r.transfer_from = items[donor].location;
        r.transfer_units = units;
      }
      if (action == RiskAction::kExpedite && r.type == RiskType::kStockout) {
        r.date = ctx[i].first_open_po;
      }
      r.message += suffix;
    }
  }
  for (size_t k = 0; k < risks.size(); ++k) {
    Risk& r = risks[k];
    const RiskType t = r.type;
    if (t == RiskType::kOverstock || t == RiskType::kAgeing || t == RiskType::kDeadStock ||
        t == RiskType::kAboveWarningLine) {
      const auto& po = ctx[owner[k]].first_open_po;
      if (po) {
        r.action = RiskAction::kCancelOrDelayPo;
        r.message += fmt::format("; cancel or delay the PO due {}", po->ToString());
      } else {
        r.action = RiskAction::kMarkdown;
        r.message += "; consider a markdown";
      }
    }
    r.probability = std::clamp(r.probability, 0.0, 1.0);
    r.level = MatrixLevel(r.probability, r.impact, settings);
  }

  std::stable_sort(risks.begin(), risks.end(), [](const Risk& a, const Risk& b) {
    if (a.level != b.level) return a.level > b.level;
    if (a.impact != b.impact) return a.impact > b.impact;
    return std::tie(a.sku, a.location, a.type) < std::tie(b.sku, b.location, b.type);
  });
  return risks;
}

}  // namespace stockcast::risk
