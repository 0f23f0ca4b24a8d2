#include "stockcast/pipeline/evaluate_run.h"

#include "stockcast/forecast/calibrate.h"
#include "stockcast/pipeline/plan_run.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "stockcast/forecast/distribution.h"
#include "stockcast/forecast/model.h"
#include "stockcast/pipeline/forecast_run.h"
#include "stockcast/policy/reorder_point.h"
#include "stockcast/policy/replenishment.h"

namespace stockcast::pipeline {
namespace {

constexpr int kRecentDays = 28;          // window of the baseline and of local demand estimates
constexpr int kDefaultWindowDays = 365;  // default evaluation window
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::vector<double> kLevels = {0.1, 0.5, 0.9};

enum class PolicyKind { kBaseline, kPlan, kPlanCsl };

std::optional<PolicyKind> ParsePolicy(const std::string& name) {
  if (name == "baseline") return PolicyKind::kBaseline;
  if (name == "plan") return PolicyKind::kPlan;
  if (name == "plan-csl") return PolicyKind::kPlanCsl;
  return std::nullopt;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

double RoundUpTo(double x, double pack) {
  if (x <= 0.0) return 0.0;
  return std::ceil(x / pack - 1e-9) * pack;
}

// N(mean, sd) discretised to whole days >= 1 (see the header).
struct DiscreteLead {
  sim::LeadTime lead;
  double mean = 1, sd = 0;
};
DiscreteLead DiscretiseLeadTime(double mean, double sd) {
  DiscreteLead out;
  mean = std::isfinite(mean) ? std::clamp(mean, 1.0, 3650.0) : 1.0;
  sd = std::isfinite(sd) ? std::clamp(sd, 0.0, 3650.0) : 0.0;
  const int lo = std::max(1, static_cast<int>(std::floor(mean - 3.0 * sd)));
  const int hi = std::max(lo, static_cast<int>(std::ceil(mean + 3.0 * sd)));
  if (sd <= 1e-9 || hi == lo) {
    const int l = std::max(1, static_cast<int>(std::lround(mean)));
    out.lead = sim::LeadTime::Fixed(l);
    out.mean = l;
    return out;
  }
  std::vector<int> days;
  std::vector<double> probs;
  double total = 0.0;
  for (int l = lo; l <= hi; ++l) {
    const double p = forecast::NormalCdf((l + 0.5 - mean) / sd) -
                     forecast::NormalCdf((l - 0.5 - mean) / sd);
    if (p <= 0.0) continue;
    days.push_back(l);
    probs.push_back(p);
    total += p;
  }
  double m = 0.0, m2 = 0.0;
  for (size_t k = 0; k < probs.size(); ++k) {
    probs[k] /= total;
    m += probs[k] * days[k];
    m2 += probs[k] * days[k] * days[k];
  }
  out.lead = sim::LeadTime::Discrete(std::move(days), std::move(probs));
  out.mean = m;
  out.sd = std::sqrt(std::max(0.0, m2 - m * m));
  return out;
}

// Everything a policy needs about one series besides its state.
struct SeriesContext {
  size_t panel_index = 0;
  DiscreteLead lead;
  int review = 7;
  double unit_cost = 0, holding_rate = 0, order_cost = 0, case_pack = 1, moq = 0;
  std::vector<double> recorded;  // recorded sales for the baseline, whole panel (NaN = none)
};

// One fit of plan's forecast: means and sds from the day after `fit_day`.
struct Fit {
  std::vector<double> mean, sd;
};

}  // namespace

std::vector<std::string> EvaluatePolicyNames() { return {"baseline", "plan", "plan-csl"}; }

Status EvaluateOptions::Validate() const {
  if (policies.empty()) {
    return Error::InvalidArgument(fmt::format("policies is empty; name at least one of: {}",
                                              Join(EvaluatePolicyNames())));
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < policies.size(); ++i) {
    if (!ParsePolicy(policies[i])) {
      return Error::InvalidArgument(fmt::format("unknown policy \"{}\" at policies[{}]; available: {}",
                                                policies[i], i, Join(EvaluatePolicyNames())));
    }
    if (!seen.insert(policies[i]).second) {
      return Error::InvalidArgument(
          fmt::format("policy \"{}\" is listed twice (policies[{}]); name each once", policies[i], i));
    }
  }
  if (!(target_fill_rate > 0.0 && target_fill_rate < 1.0)) {
    return Error::InvalidArgument(
        fmt::format("target_fill_rate = {}; must be in (0, 1)", target_fill_rate));
  }
  if (from && to && *from > *to) {
    return Error::InvalidArgument(fmt::format("from = {} is after to = {}; must be on or before it",
                                              from->ToString(), to->ToString()));
  }
  if (min_history_days < 1) {
    return Error::InvalidArgument(
        fmt::format("min_history_days = {}; must be >= 1", min_history_days));
  }
  if (unit_cost_ratio && !(*unit_cost_ratio > 0 && *unit_cost_ratio <= 1)) {
    return Error::InvalidArgument(
        fmt::format("unit_cost_ratio = {}; must be in (0, 1]", *unit_cost_ratio));
  }
  if (calibration_windows < 0) {
    return Error::InvalidArgument(
        fmt::format("calibration_windows = {}; must be >= 0", calibration_windows));
  }
  if (refit_every < 1) {
    return Error::InvalidArgument(fmt::format("refit_every = {}; must be >= 1", refit_every));
  }
  if (shortage_cost_factor &&
      (!(*shortage_cost_factor >= 0.0) || !std::isfinite(*shortage_cost_factor))) {
    return Error::InvalidArgument(fmt::format("shortage_cost_factor = {}; must be >= 0",
                                              *shortage_cost_factor));
  }
  if (threads < 0) {
    return Error::InvalidArgument(
        fmt::format("threads = {}; must be >= 0 (0 = every hardware thread)", threads));
  }
  if (max_series < 0) {
    return Error::InvalidArgument(fmt::format("max_series = {}; must be >= 0 (0 = all)", max_series));
  }
  if (season_length < 1) {
    return Error::InvalidArgument(fmt::format("season_length = {}; must be >= 1", season_length));
  }
  return Status::Ok();
}

Result<EvaluateSummary> RunEvaluate(Store& store, const Config& config,
                                    const EvaluateOptions& options, const ProgressFn& progress) {
  const auto started = std::chrono::steady_clock::now();
  SC_RETURN_IF_ERROR(options.Validate());
  const bool needs_model =
      std::any_of(options.policies.begin(), options.policies.end(),
                  [](const std::string& p) { return ParsePolicy(p) != PolicyKind::kBaseline; });
  if (needs_model) SC_RETURN_IF_ERROR(forecast::CheckModelSpec(options.model));

  ReportProgress(progress, "loading history", 0.0);
  SC_ASSIGN_OR_RETURN(DemandPanel panel_data, store.LoadPanel());
  const DemandPanel& panel = panel_data;  // read-only: no column is allocated by accident
  if (panel.num_series() == 0 || panel.num_days() == 0) {
    return Error::NotFound(fmt::format(
        "no demand history in {}; run `stockcast import --db {}` first", store.path(),
        store.path()));
  }
  SC_ASSIGN_OR_RETURN(std::vector<Product> products, store.ListProducts());
  SC_ASSIGN_OR_RETURN(std::vector<Supplier> suppliers, store.ListSuppliers());

  // ---- the window ----
  const Date first_allowed = panel.start() + options.min_history_days;
  const Date to = options.to.value_or(panel.end());
  if (to < panel.start() || to > panel.end()) {
    return Error::InvalidArgument(fmt::format("to = {} is outside the history {} .. {}",
                                              to.ToString(), panel.start().ToString(),
                                              panel.end().ToString()));
  }
  if (first_allowed > to) {
    return Error::InvalidArgument(fmt::format(
        "the history {} .. {} is too short to evaluate up to {}: the first evaluated day must "
        "leave >= {} days of history (on or after {})",
        panel.start().ToString(), panel.end().ToString(), to.ToString(), options.min_history_days,
        first_allowed.ToString()));
  }
  Date from = to - (kDefaultWindowDays - 1);
  if (options.from) {
    from = *options.from;
    if (from < first_allowed || from > to) {
      return Error::InvalidArgument(fmt::format(
          "from = {} is outside {} .. {}: it must leave >= {} days of history (the history "
          "starts {}) and be on or before to = {}",
          from.ToString(), first_allowed.ToString(), to.ToString(), options.min_history_days,
          panel.start().ToString(), to.ToString()));
    }
  } else {
    from = std::max(from, first_allowed);
  }
  const int idx_from = panel.IndexOf(from);
  const int days = to - from + 1;

  const MasterIndex master(products, suppliers);

  size_t n_series = panel.num_series();
  if (options.max_series > 0) n_series = std::min(n_series, static_cast<size_t>(options.max_series));

  // ---- per-series items ----
  std::vector<sim::WalkForwardItem> items(n_series);
  std::vector<SeriesContext> ctx(n_series);
  const int n_days = panel.num_days();
  for (size_t s = 0; s < n_series; ++s) {
    const SeriesKey& key = panel.key(s);
    const Product* product = master.product(key.sku);
    const Supplier* supplier = master.supplier_of(product);
    const PlanningSettings settings = config.PlanningFor(product ? product->category : "");
    SeriesContext& c = ctx[s];
    c.panel_index = s;
    c.lead = DiscretiseLeadTime(
        supplier ? supplier->lead_time_mean_days : settings.lead_time_mean_days,
        supplier ? supplier->lead_time_sd_days : settings.lead_time_sd_days);
    c.review = std::max(1, settings.review_period_days);
    c.unit_cost = product && product->unit_cost > 0 ? product->unit_cost
                  : supplier                        ? std::max(supplier->unit_cost, 0.0)
                                                    : 0.0;
    c.holding_rate = settings.holding_rate;
    c.order_cost =
        supplier && supplier->order_cost > 0 ? supplier->order_cost : settings.order_cost;
    c.case_pack = supplier && supplier->case_pack > 0 ? supplier->case_pack : 1.0;
    c.moq = supplier ? std::max(supplier->moq, 0.0) : 0.0;

    const auto demand = panel.column(PanelColumn::kDemand, s);
    const auto raw = panel.column(PanelColumn::kRawDemand, s);
    const bool has_raw = panel.has_column(PanelColumn::kRawDemand);
    const auto flags = panel.flags(s);
    c.recorded.resize(static_cast<size_t>(n_days));
    // Replayed demand over the whole panel (the days before `from` give the start stock).
    std::vector<double> replay(static_cast<size_t>(n_days), kNaN);
    std::vector<double> usable_values;  // usable days so far, in order
    for (int t = 0; t < n_days; ++t) {
      const size_t i = static_cast<size_t>(t);
      const double v = demand[i];
      c.recorded[i] = has_raw && std::isfinite(raw[i]) ? raw[i] : v;
      if ((flags[i] & (kFlagMissing | kFlagNotLaunched)) != 0 || !std::isfinite(v)) continue;
      if ((flags[i] & kFlagCensored) != 0) {
        double local = 0.0;
        const size_t k = std::min<size_t>(usable_values.size(), kRecentDays);
        for (size_t j = usable_values.size() - k; j < usable_values.size(); ++j) {
          local += usable_values[j];
        }
        if (k > 0) local /= static_cast<double>(k);
        replay[i] = std::round(std::max(std::max(v, 0.0), local));
      } else {
        replay[i] = std::round(std::max(v, 0.0));
        usable_values.push_back(std::max(v, 0.0));
      }
    }
    double recent = 0.0;
    int recent_n = 0;
    for (int t = std::max(0, idx_from - kRecentDays); t < idx_from; ++t) {
      if (std::isfinite(replay[static_cast<size_t>(t)])) {
        recent += replay[static_cast<size_t>(t)];
        ++recent_n;
      }
    }
    const double mu = recent_n > 0 ? recent / recent_n : 0.0;

    sim::WalkForwardItem& item = items[s];
    item.name = SeriesId(key.sku, key.location);
    item.demand.assign(replay.begin() + idx_from, replay.begin() + idx_from + days);
    item.lead_time = c.lead.lead;
    item.shortage = options.shortage;
    item.review_period_days = c.review;
    item.first_review_day = 0;
    item.initial_on_hand = std::llround(mu * (c.lead.mean + c.review));
    double price = product && product->price > 0 ? product->price : 0.0;
    if (price <= 0.0) {
      const auto prices = panel.column(PanelColumn::kPrice, s);
      double sum = 0.0;
      int n = 0;
      for (int t = 0; t < idx_from; ++t) {
        const double p = prices[static_cast<size_t>(t)];
        if (std::isfinite(p) && p > 0) {
          sum += p;
          ++n;
        }
      }
      if (n > 0) price = sum / n;
    }
    if (!(c.unit_cost > 0) && options.unit_cost_ratio && price > 0.0) {
      c.unit_cost = *options.unit_cost_ratio * price;  // assumed: no cost on record
    }
    item.costs.holding = c.unit_cost * c.holding_rate / 365.0;
    item.costs.ordering = c.order_cost;
    if (options.shortage_cost_factor) {
      item.costs.shortage = *options.shortage_cost_factor * c.unit_cost;
    } else if (price > 0.0) {
      item.costs.shortage = std::max(price - c.unit_cost, 0.25 * c.unit_cost);
    } else {
      item.costs.shortage = 0.5 * c.unit_cost;
    }
  }

  // ---- plan's forecasts: refit every `refit_every` days, shared by plan and plan-csl ----
  std::vector<std::map<int, Fit>> fits(n_series);
  std::atomic<size_t> fit_count{0}, fallback_count{0};
  bool drivers = false;
  if (needs_model) {
    SC_ASSIGN_OR_RETURN(auto probe, forecast::CreateModel(options.model));
    drivers = probe->UsesRegressors();
  }
  // The latest fit at or before review day t (fitting a new one when due) and the offset of
  // day t + 1 in it.
  auto fit_for = [&](size_t s, int t) -> std::pair<const Fit*, size_t> {
    std::map<int, Fit>& m = fits[s];
    auto it = m.upper_bound(t);
    if (it != m.begin()) {
      auto prev = std::prev(it);
      if (t - prev->first < options.refit_every) {
        return {&prev->second, static_cast<size_t>(t - prev->first)};
      }
    }
    const size_t n = static_cast<size_t>(idx_from + t + 1);  // history up to day t inclusive
    const size_t p = ctx[s].panel_index;
    const auto demand = panel.column(PanelColumn::kDemand, p);
    const std::vector<double> y(demand.begin(), demand.begin() + static_cast<long>(n));
    const auto flags = panel.flags(p).subspan(0, n);
    forecast::Regressors x;
    if (drivers) {
      x = PanelRegressors(panel, p);
      for (auto& column : x.values) {
        if (column.size() > n) column.resize(n);  // nothing from the future
      }
    }
    const int horizon = options.refit_every + ctx[s].lead.lead.Max() + ctx[s].review + 1;
    forecast::RobustForecast rf = forecast::ForecastOrFallback(
        options.model, y, flags, options.season_length, x, horizon, kLevels);
    if (options.calibration_windows > 0 && rf.forecast.fallback.empty()) {
      forecast::CalibrationOptions co;
      co.windows = options.calibration_windows;
      forecast::CalibrateQuantiles(options.model, y, flags, options.season_length, x, co,
                                   &rf.forecast);
    }
    fit_count.fetch_add(1);
    if (!rf.forecast.fallback.empty()) fallback_count.fetch_add(1);
    Fit f;
    f.mean.resize(static_cast<size_t>(horizon));
    f.sd.resize(static_cast<size_t>(horizon));
    // As `plan`: no day's spread below the recent history's (RecentSpread).
    const double min_sd = RecentSpread(demand, panel.flags(p), n);
    for (int k = 0; k < horizon && k < rf.forecast.horizon(); ++k) {
      f.mean[static_cast<size_t>(k)] = std::max(rf.forecast.mean[static_cast<size_t>(k)], 0.0);
      f.sd[static_cast<size_t>(k)] = std::max(policy::DailyDemandSd(rf.forecast, k), min_sd);
    }
    auto placed = m.emplace(t, std::move(f)).first;
    return {&placed->second, 0};
  };

  const double z = forecast::NormalQuantile(options.target_fill_rate);
  EvaluateSummary summary;
  summary.from = from;
  summary.to = to;
  summary.days = days;
  summary.series = n_series;
  summary.model = options.model;
  summary.target_fill_rate = options.target_fill_rate;
  summary.shortage_mode = std::string(sim::ToString(options.shortage));

  const size_t n_policies = options.policies.size();
  for (size_t pi = 0; pi < n_policies; ++pi) {
    const std::string& name = options.policies[pi];
    const PolicyKind kind = *ParsePolicy(name);
    sim::DecideFn decide;
    if (kind == PolicyKind::kBaseline) {
      decide = [&](size_t s, int t, const sim::ItemStateView& state) -> double {
        const SeriesContext& c = ctx[s];
        const int idx = idx_from + t;
        double sum = 0.0, sum2 = 0.0;
        int n = 0;
        for (int k = std::max(0, idx - kRecentDays + 1); k <= idx; ++k) {
          const double v = c.recorded[static_cast<size_t>(k)];
          if (!std::isfinite(v)) continue;
          sum += std::max(v, 0.0);
          sum2 += std::max(v, 0.0) * std::max(v, 0.0);
          ++n;
        }
        if (n == 0) return 0.0;
        const double mu = sum / n;
        const double sd = n > 1 ? std::sqrt(std::max(0.0, (sum2 - n * mu * mu) / (n - 1))) : 0.0;
        const double cover = c.lead.mean + c.review;
        const double target = mu * cover + z * sd * std::sqrt(cover);
        const double ip = static_cast<double>(state.inventory_position);
        if (!(ip < target)) return 0.0;
        double q = RoundUpTo(target - ip, c.case_pack);
        if (c.moq > 0 && q < c.moq) q = RoundUpTo(c.moq, c.case_pack);
        return q;
      };
    } else {
      const policy::ServiceTargetKind target_kind = kind == PolicyKind::kPlan
                                                        ? policy::ServiceTargetKind::kFillRate
                                                        : policy::ServiceTargetKind::kCycleService;
      decide = [&, target_kind](size_t s, int t, const sim::ItemStateView& state) -> double {
        const SeriesContext& c = ctx[s];
        const auto [fit, offset] = fit_for(s, t);
        policy::ReplenishmentInput in;
        in.daily_mean.assign(fit->mean.begin() + static_cast<long>(offset), fit->mean.end());
        in.daily_sd.assign(fit->sd.begin() + static_cast<long>(offset), fit->sd.end());
        in.lead_time_mean_days = c.lead.mean;
        in.lead_time_sd_days = c.lead.sd;
        in.review_period_days = c.review;
        in.target_kind = target_kind;
        in.target = options.target_fill_rate;
        in.unit_cost = c.unit_cost;
        in.holding_rate = c.holding_rate;
        in.order_cost = c.order_cost;
        in.case_pack = c.case_pack;
        in.moq = c.moq;
        auto levels = policy::ChooseReplenishmentLevels(in);
        if (!levels.ok()) return 0.0;
        return policy::ReplenishmentOrder(*levels, static_cast<double>(state.inventory_position),
                                          c.case_pack, c.moq);
      };
    }
    sim::WalkForwardOptions wo;
    wo.days = days;
    wo.seed = options.seed;
    wo.threads = options.threads;
    const std::string stage = fmt::format("simulating {}", name);
    ProgressFn inner;
    if (progress) {
      inner = [&](std::string_view, double fraction) {
        progress(stage, (static_cast<double>(pi) + fraction) / static_cast<double>(n_policies));
      };
    }
    SC_ASSIGN_OR_RETURN(sim::WalkForwardResult r, sim::RunWalkForward(items, wo, decide, inner));
    EvaluatePolicyRow row;
    row.policy = name;
    row.fill_rate = r.total.fill_rate;
    row.cycle_service_level = r.total.cycle_service_level;
    row.total_cost = r.total.total_cost;
    row.holding_cost = r.total.holding_cost;
    row.ordering_cost = r.total.ordering_cost;
    row.shortage_cost = r.total.shortage_cost;
    row.avg_inventory = r.total.average_on_hand;
    // Per year, like `stockcast simulate`: units served / average inventory x 365 / days.
    row.turnover = days > 0 ? r.total.turnover * 365.0 / days : 0.0;
    row.stockout_days = r.total.stockout_days;
    row.demand = r.total.demand;
    row.filled = r.total.filled;
    row.lost_units = r.total.lost_units;
    row.orders = r.total.orders;
    row.series = n_series;
    row.days = days;
    summary.policies.push_back(row);
    for (size_t s = 0; s < n_series; ++s) {
      const SeriesKey& key = panel.key(s);
      summary.series_rows.push_back({name, key.sku, key.location, r.items[s]});
    }
  }
  summary.fits = fit_count.load();
  summary.fallback_fits = fallback_count.load();
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ReportProgress(progress, "done", 1.0);
  return summary;
}

}  // namespace stockcast::pipeline
