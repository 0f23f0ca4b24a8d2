#include "stockcast/pipeline/plan_loop.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <tuple>
#include <utility>

#include "stockcast/core/parallel.h"
#include "stockcast/forecast/distribution.h"
#include "stockcast/io/csv_writer.h"
#include "stockcast/pipeline/optimize_run.h"
#include "stockcast/pipeline/report_html.h"
#include "stockcast/policy/classify.h"
#include "stockcast/policy/reorder_point.h"
#include "stockcast/policy/replenishment.h"

namespace stockcast::pipeline {
namespace {

using Key = std::pair<std::string, std::string>;  // (sku, location)

// The last year of history: the ABC value window and the KPI window.
constexpr int kHistoryWindowDays = 365;
constexpr int kRecentDays = 56;
constexpr int kProjectionPaths = 100;

double ValueOr(float v, double fallback) { return std::isfinite(v) ? static_cast<double>(v) : fallback; }

// Forecast days from as_of, extended to `days` by repeating its last week (a forecast saved
// with a shorter horizon than the projection).
void Extend(std::vector<double>* v, int days) {
  const int n = static_cast<int>(v->size());
  if (n == 0) {
    v->assign(static_cast<size_t>(days), 0.0);
    return;
  }
  const int period = std::min(n, 7);
  for (int t = n; t < days; ++t) v->push_back((*v)[static_cast<size_t>(n - period + (t - n) % period)]);
  v->resize(static_cast<size_t>(days));
}

nlohmann::json Num(double v) {
  if (!std::isfinite(v)) return nullptr;
  return std::round(v * 1e6) / 1e6;
}

nlohmann::json KpiJson(const risk::KpiRow& r) {
  return {{"scope", r.scope},
          {"key", r.key},
          {"period", r.period},
          {"series", r.series},
          {"days", r.days},
          {"units_sold", Num(r.units_sold)},
          {"revenue", Num(r.revenue)},
          {"cogs", Num(r.cogs)},
          {"gross_margin", Num(r.gross_margin)},
          {"lost_units", Num(r.lost_units)},
          {"lost_sales_value", Num(r.lost_sales_value)},
          {"stockout_days", r.stockout_days},
          {"stockout_rate", Num(r.stockout_rate)},
          {"fill_rate", Num(r.fill_rate)},
          {"cycle_service_level", Num(r.cycle_service_level)},
          {"avg_inventory_units", Num(r.avg_inventory_units)},
          {"avg_inventory_value", Num(r.avg_inventory_value)},
          {"inventory_turnover", Num(r.inventory_turnover)},
          {"days_of_supply", Num(r.days_of_supply)},
          {"holding_cost", Num(r.holding_cost)},
          {"inventory_value", Num(r.end_inventory_value)},
          {"gmroi", Num(r.gmroi)},
          {"forecast_wape", Num(r.forecast_wape)},
          {"forecast_bias", Num(r.forecast_bias)}};
}

// The KPI metrics stored with the run (long form).
std::vector<KpiRecord> KpiRecords(const risk::KpiRow& r) {
  const std::pair<const char*, double> metrics[] = {
      {"units_sold", r.units_sold},
      {"revenue", r.revenue},
      {"lost_sales_value", r.lost_sales_value},
      {"fill_rate", r.fill_rate},
      {"cycle_service_level", r.cycle_service_level},
      {"stockout_rate", r.stockout_rate},
      {"avg_inventory_value", r.avg_inventory_value},
      {"inventory_turnover", r.inventory_turnover},
      {"days_of_supply", r.days_of_supply},
      {"holding_cost", r.holding_cost},
      {"inventory_value", r.end_inventory_value},
      {"gmroi", r.gmroi},
      {"forecast_wape", r.forecast_wape},
  };
  std::vector<KpiRecord> out;
  for (const auto& [name, value] : metrics) {
    out.push_back({r.scope, r.key, r.period, name, value});
  }
  return out;
}

AlertRecord ToRecord(const risk::Alert& a, double probability, int64_t run_id) {
  AlertRecord r;
  r.id = a.id;
  r.key = a.key;
  r.type = std::string(risk::ToString(a.type));
  r.sku = a.sku;
  r.location = a.location;
  r.level = std::string(risk::ToString(a.level));
  r.first_level = std::string(risk::ToString(a.first_level));
  r.status = std::string(risk::ToString(a.status));
  r.action = std::string(risk::ToString(a.action));
  r.message = a.message;
  r.first_seen = a.first_seen;
  r.last_seen = a.last_seen;
  r.occurrences = std::max(a.occurrences, 1);
  r.probability = probability;
  r.impact = a.impact;
  r.run_id = run_id;
  return r;
}

// Raised by the API when a movement takes on hand to zero (server.cpp); the plan leaves it alone.
constexpr std::string_view kLiveOutOfStock = "out_of_stock";

Result<risk::Alert> FromRecord(const AlertRecord& r) {
  risk::Alert a;
  a.id = r.id;
  a.key = r.key;
  auto type = risk::ParseRiskType(r.type);
  auto level = risk::ParseRiskLevel(r.level);
  auto first = risk::ParseRiskLevel(r.first_level);
  auto status = risk::ParseAlertStatus(r.status);
  auto action = risk::ParseRiskAction(r.action.empty() ? "none" : r.action);
  if (!type || !level || !first || !status || !action) {
    return Error::InvalidArgument(fmt::format(
        "stored alert {} ({}) has an unknown type, level, status or action; it was written by "
        "another version of stockcast",
        r.id, r.key));
  }
  a.type = *type;
  a.sku = r.sku;
  a.location = r.location;
  a.level = *level;
  a.first_level = *first;
  a.first_seen = r.first_seen;
  a.last_seen = r.last_seen;
  a.occurrences = r.occurrences;
  a.status = *status;
  a.message = r.message;
  a.action = *action;
  a.impact = r.impact;
  return a;
}

class StepTimer {
 public:
  explicit StepTimer(PlanLoopSummary* s) : summary_(s), start_(std::chrono::steady_clock::now()) {}
  void Done(const char* step) {
    const auto now = std::chrono::steady_clock::now();
    summary_->step_seconds.emplace_back(step, std::chrono::duration<double>(now - start_).count());
    start_ = now;
  }

 private:
  PlanLoopSummary* summary_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

Status PlanLoopOptions::Validate() const {
  if (!(budget > 0)) {
    return Error::InvalidArgument(
        fmt::format("budget = {}; must be > 0 (omit --budget for no budget)", budget));
  }
  if (!(time_limit_seconds > 0)) {
    return Error::InvalidArgument(
        fmt::format("time_limit_seconds = {}; must be > 0", time_limit_seconds));
  }
  if (threads < 0) {
    return Error::InvalidArgument(fmt::format("threads = {}; must be >= 0", threads));
  }
  return Status::Ok();
}

PolicyProjection ProjectWithPolicy(const std::vector<double>& mean, const std::vector<double>& sd,
                                   double on_hand,
                                   const std::vector<std::pair<int, double>>& arrivals,
                                   double reorder_point, double order_up_to, int review_days,
                                   int lead_days, double case_pack, double moq, int paths,
                                   uint64_t seed) {
  const int n = static_cast<int>(mean.size());
  PolicyProjection out;
  out.p10.assign(static_cast<size_t>(n), 0.0);
  out.p50.assign(static_cast<size_t>(n), 0.0);
  out.p90.assign(static_cast<size_t>(n), 0.0);
  out.arrivals_p50.assign(static_cast<size_t>(n), 0.0);
  if (n == 0) return out;
  review_days = std::max(review_days, 1);
  lead_days = std::max(lead_days, 1);
  case_pack = case_pack > 0 ? case_pack : 1.0;
  bool random = false;
  for (int t = 0; t < n; ++t) random = random || (sd[static_cast<size_t>(t)] > 0 && mean[static_cast<size_t>(t)] > 0);
  paths = random ? std::max(paths, 1) : 1;
  std::vector<double> stock(static_cast<size_t>(paths) * static_cast<size_t>(n));
  std::vector<double> received(static_cast<size_t>(paths) * static_cast<size_t>(n));
  // Daily demand: lognormal with the day's mean m and sd, D = m exp(sigma Z - sigma^2 / 2),
  // sigma^2 = ln(1 + (sd / m)^2) (non-negative and right-skewed like sales), Z drawn from a
  // table of 4096 standard normal quantiles by a fast generator: ~1/10 of a gamma draw, which
  // matters at 100 paths x 56 days x 90,000 series.
  static const std::vector<double> kZ = [] {
    std::vector<double> z(4096);
    for (size_t k = 0; k < z.size(); ++k) {
      z[k] = forecast::NormalQuantile((static_cast<double>(k) + 0.5) / static_cast<double>(z.size()));
    }
    return z;
  }();
  std::vector<double> sigma(static_cast<size_t>(n)), shift(static_cast<size_t>(n));
  for (int t = 0; t < n; ++t) {
    const size_t i = static_cast<size_t>(t);
    const double m = std::max(mean[i], 0.0);
    const double cv = m > 0 ? sd[i] / m : 0.0;
    const double var = std::log1p(cv * cv);
    sigma[i] = std::sqrt(var);
    shift[i] = -0.5 * var;
  }
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
  auto next = [&state]() {  // splitmix64
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  std::vector<double> incoming(static_cast<size_t>(n));
  for (int k = 0; k < paths; ++k) {
    std::fill(incoming.begin(), incoming.end(), 0.0);
    double pipeline = 0.0;  // ordered, not yet received (within or beyond the horizon)
    for (const auto& [day, qty] : arrivals) {
      pipeline += qty;
      if (std::max(day, 0) < n) incoming[static_cast<size_t>(std::max(day, 0))] += qty;
    }
    double stock_now = on_hand;
    for (int t = 0; t < n; ++t) {
      const size_t i = static_cast<size_t>(t);
      const size_t at = static_cast<size_t>(k) * static_cast<size_t>(n) + i;
      stock_now += incoming[i];
      pipeline -= incoming[i];
      received[at] = incoming[i];
      double demand = std::max(mean[i], 0.0);
      if (random && demand > 0 && sigma[i] > 0) {
        demand *= std::exp(sigma[i] * kZ[next() >> 52] + shift[i]);
      }
      stock_now = std::max(0.0, stock_now - demand);
      stock[at] = stock_now;
      // Day 0's decision is the plan itself (already in `arrivals`); later reviews follow the
      // same levels.
      if (t > 0 && t % review_days == 0 && order_up_to > 0) {
        const double position = stock_now + pipeline;
        if (position <= reorder_point) {
          double q = std::ceil((order_up_to - position) / case_pack - 1e-9) * case_pack;
          if (moq > 0 && q < moq) q = std::ceil(moq / case_pack - 1e-9) * case_pack;
          if (q > 0) {
            pipeline += q;
            if (t + lead_days < n) incoming[static_cast<size_t>(t + lead_days)] += q;
          }
        }
      }
    }
  }
  // Per-day percentiles over the paths (nearest rank); arrivals: their mean.
  std::vector<double> day(static_cast<size_t>(paths));
  auto rank = [&](double p) {
    return std::min<size_t>(day.size() - 1, static_cast<size_t>(std::floor(p * static_cast<double>(paths))));
  };
  for (int t = 0; t < n; ++t) {
    double arrived = 0;
    for (int k = 0; k < paths; ++k) {
      const size_t at = static_cast<size_t>(k) * static_cast<size_t>(n) + static_cast<size_t>(t);
      day[static_cast<size_t>(k)] = stock[at];
      arrived += received[at];
    }
    std::sort(day.begin(), day.end());
    out.p10[static_cast<size_t>(t)] = day[rank(0.1)];
    out.p50[static_cast<size_t>(t)] = day[rank(0.5)];
    out.p90[static_cast<size_t>(t)] = day[rank(0.9)];
    out.arrivals_p50[static_cast<size_t>(t)] = arrived / paths;
  }
  return out;
}

Result<PlanLoopSummary> RunPlanLoop(Store& store, const Config& config,
                                    const PlanLoopOptions& options, const ProgressFn& progress) {
  SC_RETURN_IF_ERROR(options.Validate());
  SC_RETURN_IF_ERROR(config.Validate());
  PlanLoopSummary out;
  StepTimer timer(&out);
  const LoopSettings& loop = config.loop;
  if (!options.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.out_dir, ec);
    if (ec || !std::filesystem::is_directory(options.out_dir)) {
      return Error::InvalidArgument(fmt::format("--out {}: cannot create the output folder ({})",
                                                options.out_dir,
                                                ec ? ec.message() : "a file is in the way"));
    }
  }

  // ---- 1. forecast ----
  SC_ASSIGN_OR_RETURN(std::optional<RunInfo> import_run, store.LatestRun("import"));
  SC_ASSIGN_OR_RETURN(std::optional<RunInfo> forecast_run, store.LatestRun("forecast"));
  const bool stale = !forecast_run || forecast_run->status != "ok" ||
                     (import_run && import_run->id > forecast_run->id);
  out.forecasted =
      stale || options.reforecast || !options.model.empty() || !options.model_file.empty();
  std::optional<RunInfo> previous_forecast = forecast_run;
  ReportProgress(progress, "loading history", 0.0);
  SC_ASSIGN_OR_RETURN(DemandPanel panel, store.LoadPanel());
  if (panel.num_series() == 0) {
    return Error::NotFound(fmt::format("no demand history in {}; run `stockcast import --db {}` first",
                                       store.path(), store.path()));
  }
  timer.Done("load");
  std::vector<ForecastRow> forecast_rows;
  if (out.forecasted) {
    ForecastRunOptions fo;
    fo.horizon = std::max(config.forecast.horizon, loop.projection_days);
    fo.model = options.model.empty() ? loop.forecast_model : options.model;
    if (!options.model_file.empty()) {
      fo.model_file = options.model_file;
    } else if (options.model.empty()) {
      fo.model_file = loop.forecast_model_file;
    }
    fo.quantiles = config.forecast.quantiles;
    fo.threads = options.threads;
    fo.panel = &panel;
    fo.keep_rows = &forecast_rows;
    auto fc = RunForecast(store, fo, [&](std::string_view stage, double f) {
      ReportProgress(progress, fmt::format("forecast: {}", stage), f);
    });
    if (!fc.ok()) {
      if (fc.error().code == ErrorCode::kNotFound || fc.error().message.find("empty") != std::string::npos) {
        return Error::NotFound(fmt::format("{}; run `stockcast import --db {}` first",
                                           fc.error().message, store.path()));
      }
      return fc.error();
    }
    out.forecast = std::move(fc).value();
    out.forecast_run_id = out.forecast.run_id;
  } else {
    out.forecast_run_id = forecast_run->id;
  }
  timer.Done("forecast");

  // ---- 2. classes ----
  ReportProgress(progress, "classes", 0.0);
  SC_ASSIGN_OR_RETURN(std::vector<Product> products, store.ListProducts());
  SC_ASSIGN_OR_RETURN(std::vector<Supplier> suppliers, store.ListSuppliers());
  SC_ASSIGN_OR_RETURN(std::vector<Location> locations, store.ListLocations());
  SC_ASSIGN_OR_RETURN(std::vector<Receipt> receipts, store.ListReceipts());
  const MasterIndex master(products, suppliers);
  bool any_cost = false;
  for (const Product& p : products) any_cost = any_cost || p.unit_cost > 0;

  const int n_days = panel.num_days();
  const int class_from = std::max(0, n_days - kHistoryWindowDays);
  std::vector<policy::ItemDemand> items(panel.num_series());
  for (size_t s = 0; s < panel.num_series(); ++s) {
    const auto demand = std::as_const(panel).column(PanelColumn::kDemand, s);
    const SeriesKey& key = panel.key(s);
    items[s].id = SeriesId(key.sku, key.location);
    double units = 0;
    for (int t = class_from; t < n_days; ++t) units += ValueOr(demand[static_cast<size_t>(t)], 0.0);
    double cost = 1.0;
    if (any_cost) {
      const Product* p = master.product(key.sku);
      cost = p != nullptr ? p->unit_cost : 0.0;
    }
    items[s].value = std::max(units * cost, 0.0);
    // Weekly demand over the last 52 weeks, from the series' launch.
    const int first = std::max(class_from, panel.FirstObserved(s));
    for (int end = n_days; end - 7 >= first; end -= 7) {
      double week = 0;
      for (int t = end - 7; t < end; ++t) week += ValueOr(demand[static_cast<size_t>(t)], 0.0);
      items[s].history.push_back(week);
    }
    std::reverse(items[s].history.begin(), items[s].history.end());
  }
  policy::ClassifyOptions co;
  co.abc.a_share = loop.a_share;
  co.abc.b_share = loop.b_share;
  co.xyz.x_cv = loop.x_cv;
  co.xyz.y_cv = loop.y_cv;
  SC_ASSIGN_OR_RETURN(co.matrix, policy::ClassMatrix::Parse(loop.class_matrix));
  SC_ASSIGN_OR_RETURN(std::vector<policy::ItemClass> classes, policy::Classify(items, co));
  SC_ASSIGN_OR_RETURN(auto class_lines, ParseClassWarningLines(loop.warning_lines_by_class));
  const bool fill_rate = loop.service_measure == "fill_rate";
  PlanRunOptions po;
  po.as_of = options.as_of;
  po.save = false;
  po.replenishment_levels = true;
  po.project = false;
  po.panel = &panel;
  if (out.forecasted) {
    po.forecast_rows = &forecast_rows;
    po.forecast_run_id = out.forecast_run_id;
  }
  po.service_measure =
      fill_rate ? policy::ServiceTargetKind::kFillRate : policy::ServiceTargetKind::kCycleService;
  std::map<std::string, const policy::ItemClass*> class_by_id;
  for (const policy::ItemClass& c : classes) {
    class_by_id[c.id] = &c;
    const SeriesKey& key = panel.key(static_cast<size_t>(&c - classes.data()));
    const PlanningSettings settings = config.PlanningFor(master.category(key.sku));
    const bool use_class = loop.class_targets && !settings.service_level_from_category;
    if (use_class) po.service_levels[c.id] = c.service_target;
    po.notes[c.id] = fmt::format(
        "Class {} (value rank {}, {:.0f}% of value up to here; weekly cv {}): {} target {:.0f}%{}. ",
        c.cell, c.rank, 100 * c.cumulative_share,
        std::isfinite(c.cv) ? fmt::format("{:.2f}", c.cv) : std::string("undefined"),
        fill_rate ? "fill-rate" : "cycle-service",
        100 * (use_class ? c.service_target : settings.service_level),
        use_class ? " from the class matrix" : " set for the category");
  }
  timer.Done("classes");

  // ---- 3. policy ----
  SC_ASSIGN_OR_RETURN(out.plan, RunPlan(store, config, po, [&](std::string_view stage, double f) {
                        ReportProgress(progress, stage, f);
                      }));
  out.warnings = out.plan.warnings;
  std::vector<ForecastRow>().swap(forecast_rows);  // planned from; the report charts from memory
  out.classes.resize(out.plan.lines.size());
  for (size_t i = 0; i < out.plan.lines.size(); ++i) {
    auto it = class_by_id.find(SeriesId(out.plan.lines[i].sku, out.plan.lines[i].location));
    if (it != class_by_id.end()) {
      out.classes[i] = it->second->cell;
      ++out.class_counts[it->second->cell];
    }
  }
  timer.Done("policy");

  // ---- 4. constraints ----
  // The MIP decides only where a constraint binds: a budget, or a location whose stock when
  // the policy's orders land (on hand + on order + order - demand over the lead time) would
  // exceed its capacity. Otherwise the policy's quantities stand.
  std::map<std::string, double> landing_stock;
  for (size_t i = 0; i < out.plan.lines.size(); ++i) {
    const PlanLine& l = out.plan.lines[i];
    const PlanLineDemand& d = out.plan.demand[i];
    if (!d.planned) continue;
    const double lead_demand =
        d.cover_days > 0 ? std::max(l.lead_time_demand, 0.0) * d.lead_time_days / d.cover_days : 0.0;
    landing_stock[l.location] += std::max(l.on_hand, 0.0) + l.on_order + l.quantity - lead_demand;
  }
  std::vector<std::string> over_capacity;
  for (const Location& l : locations) {
    if (l.capacity_units > 0 && landing_stock[l.id] > l.capacity_units) {
      over_capacity.push_back(fmt::format("{} ({:.0f} units expected when the orders land, capacity {:.0f})",
                                          l.id, landing_stock[l.id], l.capacity_units));
    }
  }
  if (!over_capacity.empty()) {
    out.warnings.push_back("over capacity with the policy's orders: " +
                           fmt::format("{}", fmt::join(over_capacity, "; ")) +
                           "; the purchase plan MIP decides the quantities");
  }
  if (std::isfinite(options.budget) || !over_capacity.empty()) {
    OptimizeRunOptions oo;
    oo.budget = options.budget;
    oo.as_of = out.plan.as_of;
    oo.time_limit_seconds = options.time_limit_seconds;
    oo.cap_at_plan_quantity = true;
    // Without a budget only the over-capacity locations are re-planned.
    PlanRunSummary mip_plan = out.plan;
    if (!std::isfinite(options.budget)) {
      std::map<std::string, bool> over;
      for (const Location& l : locations) {
        over[l.id] = l.capacity_units > 0 && landing_stock[l.id] > l.capacity_units;
      }
      for (size_t i = 0; i < mip_plan.lines.size(); ++i) {
        if (!over[mip_plan.lines[i].location]) mip_plan.demand[i].planned = false;
      }
    }
    SC_ASSIGN_OR_RETURN(OptimizeRunSummary opt,
                        OptimizePlan(mip_plan, locations, oo, [&](std::string_view stage, double f) {
                          ReportProgress(progress, stage, f);
                        }));
    out.optimized = true;
    out.optimize_status = opt.result.status;
    for (size_t k = out.plan.warnings.size(); k < opt.warnings.size(); ++k) {
      if (opt.warnings[k].find("left out of the optimisation") != std::string::npos) continue;
      out.warnings.push_back(opt.warnings[k]);
    }
    const bool solved = opt.result.status == optimize::SolveStatus::kOptimal ||
                        opt.result.status == optimize::SolveStatus::kFeasible;
    if (!solved) {
      out.warnings.push_back(fmt::format(
          "the purchase plan under the {} has no solution ({}): the per-line quantities stand; "
          "run `stockcast optimize` for what must give",
          std::isfinite(options.budget) ? "budget" : "location capacities",
          optimize::ToString(opt.result.status)));
    } else {
      std::map<Key, const optimize::PlanLine*> by_key;
      for (const optimize::PlanLine& l : opt.result.lines) by_key[{l.sku, l.warehouse}] = &l;
      out.plan.orders = 0;
      out.plan.total_units = 0;
      out.plan.total_cost = 0;
      for (size_t i = 0; i < out.plan.lines.size(); ++i) {
        PlanLine& line = out.plan.lines[i];
        if (mip_plan.demand[i].planned && !line.supplier_id.empty()) {
          auto it = by_key.find({line.sku, line.location});
          const double q = it == by_key.end() ? 0.0 : it->second->quantity;
          const optimize::BindingReason why =
              it == by_key.end() ? optimize::BindingReason::kNone : it->second->bound_by;
          if (q != line.quantity || why != optimize::BindingReason::kNone) {
            line.explanation += fmt::format(
                " Purchase plan MIP (budget {}, location capacities): {:g} units instead of {:g}{}.",
                std::isfinite(options.budget) ? fmt::format("{:.2f}", options.budget) : "none",
                q, line.quantity,
                why == optimize::BindingReason::kNone
                    ? ""
                    : fmt::format(", bound by the {}", optimize::ToString(why)));
            line.quantity = q;
            if (why != optimize::BindingReason::kNone) line.binding = std::string(optimize::ToString(why));
          }
        }
        if (line.quantity > 0) {
          ++out.plan.orders;
          out.plan.total_units += line.quantity;
          out.plan.total_cost += line.quantity * line.unit_cost;
        }
      }
    }
  }
  timer.Done("constraints");

  // Save the plan as a run.
  {
    nlohmann::json params = {{"as_of", out.plan.as_of.ToString()},
                             {"forecast_run_id", out.forecast_run_id},
                             {"loop", true},
                             {"service_measure", loop.service_measure}};
    if (std::isfinite(options.budget)) params["budget"] = options.budget;
    SC_ASSIGN_OR_RETURN(out.plan.run_id, store.StartRun("plan", params.dump()));
    Status saved = store.SavePlan(out.plan.run_id, out.plan.lines);
    if (!saved.ok()) {
      (void)store.FinishRun(out.plan.run_id, "failed", "");
      return saved.error();
    }
  }

  // ---- 5. projection ----
  ReportProgress(progress, "projection", 0.0);
  const int horizon = loop.projection_days;
  std::map<Key, std::vector<Receipt>> open_by_key;
  for (const Receipt& r : receipts) {
    if (r.status == ReceiptStatus::kOpen) open_by_key[{r.sku, r.location}].push_back(r);
  }
  out.projections.resize(out.plan.lines.size());
  std::vector<std::vector<double>> means(out.plan.lines.size()), sds(out.plan.lines.size());
  std::vector<std::vector<risk::Arrival>> risk_arrivals(out.plan.lines.size());
  ParallelFor(out.plan.lines.size(), options.threads, [&](size_t i) {
    const PlanLine& line = out.plan.lines[i];
    const forecast::Forecast& fc = out.plan.forecasts[i];
    auto& m = means[i];
    auto& sd = sds[i];
    for (int t = 0; t < fc.horizon(); ++t) {
      m.push_back(std::max(fc.mean[static_cast<size_t>(t)], 0.0));
      sd.push_back(policy::DailyDemandSd(fc, t));
    }
    Extend(&m, horizon);
    Extend(&sd, horizon);
    const auto oit = open_by_key.find({line.sku, line.location});
    const auto arrivals = PlannedArrivals(
        line, oit == open_by_key.end() ? std::span<const Receipt>() : std::span<const Receipt>(oit->second));
    std::vector<std::pair<int, double>> by_day;
    for (const auto& [date, qty] : arrivals) {
      by_day.emplace_back(std::max(0, date - out.plan.as_of), qty);
      risk::Arrival a;
      a.date = date;
      a.quantity = qty;
      a.planned = date == line.arrival_date && line.quantity > 0;
      risk_arrivals[i].push_back(a);
    }
    const PlanLineDemand& d = out.plan.demand[i];
    const bool plannable = d.planned;
    PolicyProjection p = ProjectWithPolicy(
        m, sd, line.on_hand, by_day, plannable ? line.reorder_point : -1.0,
        plannable ? line.order_up_to : 0.0, std::max(d.review_period_days, 1),
        std::max(1, static_cast<int>(std::lround(std::max(d.lead_time_mean_days, 1.0)))),
        d.case_pack, d.moq, kProjectionPaths, 0x9E3779B97F4A7C15ull ^ (i + 1));
    // Warning lines in units: days of supply x the mean daily forecast.
    double daily = 0;
    for (double v : m) daily += v;
    daily /= std::max(1, horizon);
    const PlanningSettings settings = config.PlanningFor(master.category(line.sku));
    double lower = settings.warning_lower_days, upper = settings.warning_upper_days;
    if (!out.classes[i].empty()) {
      if (auto cl = class_lines.find(out.classes[i][0]); cl != class_lines.end()) {
        lower = cl->second.first;
        upper = cl->second.second;
      }
    }
    if (auto sl = loop.sku_warning_lines.find(line.sku); sl != loop.sku_warning_lines.end()) {
      lower = sl->second.first;
      upper = sl->second.second;
    }
    p.lower_line = lower * daily;
    p.upper_line = upper * daily;
    out.projections[i] = std::move(p);
  });
  timer.Done("projection");

  // The projection and the warning lines in units, stored for the API: the SKU page's chart
  // and the alert a movement raises the moment it crosses the lower line.
  {
    std::vector<ProjectionRecord> rows;
    std::vector<WarningLineRecord> lines;
    for (size_t i = 0; i < out.plan.lines.size(); ++i) {
      const PlanLine& line = out.plan.lines[i];
      const PolicyProjection& p = out.projections[i];
      for (size_t t = 0; t < p.p50.size(); ++t) {
        ProjectionRecord r;
        r.sku = line.sku;
        r.location = line.location;
        r.date = out.plan.as_of + static_cast<int32_t>(t);
        r.p10 = p.p10[t];
        r.p50 = p.p50[t];
        r.p90 = p.p90[t];
        r.arrivals = t < p.arrivals_p50.size() ? p.arrivals_p50[t] : 0.0;
        if (std::isfinite(r.p10) && std::isfinite(r.p50) && std::isfinite(r.p90) &&
            std::isfinite(r.arrivals)) {
          rows.push_back(std::move(r));
        }
      }
      // Without a configured lower line, the live line is the policy's safety stock: on hand
      // below it means the buffer against demand surprises is being eaten (the reorder point
      // is crossed every cycle and would alert all the time).
      const double lower = p.lower_line > 0 ? p.lower_line
                           : std::isfinite(line.safety_stock) ? std::max(line.safety_stock, 0.0)
                                                               : 0.0;
      if (std::isfinite(lower) && std::isfinite(p.upper_line) && (lower > 0 || p.upper_line > 0)) {
        WarningLineRecord w;
        w.sku = line.sku;
        w.location = line.location;
        w.lower_units = lower;
        w.upper_units = p.upper_line > 0 ? std::max(p.upper_line, w.lower_units) : 0.0;
        w.source = "plan";
        w.run_id = out.plan.run_id;
        lines.push_back(std::move(w));
      }
    }
    SC_RETURN_IF_ERROR(store.SaveProjection(out.plan.run_id, rows));
    SC_RETURN_IF_ERROR(store.SaveWarningLines(lines));
    timer.Done("save projection");
  }

  // ---- 6. risks and alerts ----
  ReportProgress(progress, "risks", 0.0);
  std::map<std::string, std::vector<risk::LeadTimeObservation>> lead_history;
  for (const Receipt& r : receipts) {
    if (r.status != ReceiptStatus::kReceived || !r.order_date || r.supplier_id.empty()) continue;
    const Supplier* supplier = master.supplier(r.supplier_id);
    if (supplier == nullptr) continue;
    risk::LeadTimeObservation o;
    o.promised_days = std::max(supplier->lead_time_mean_days, 0.0);
    o.actual_days = std::max(0, r.date - *r.order_date);
    lead_history[r.supplier_id].push_back(o);
  }
  // Forecast checks: the forecast this run replaced, against the actuals that came since.
  std::map<Key, std::vector<risk::ForecastCheck>> checks;
  // The same forecast's means on the days they cover, for the KPIs' forecast accuracy.
  std::vector<std::vector<double>> past_forecasts;
  if (out.forecasted && previous_forecast && previous_forecast->status == "ok") {
    SC_ASSIGN_OR_RETURN(std::vector<ForecastRow> old_rows, store.ListForecasts(previous_forecast->id));
    for (const ForecastRow& r : old_rows) {
      const int t = panel.IndexOf(r.date);
      if (t < 0) continue;
      auto idx = panel.Find(r.sku, r.location);
      if (!idx) continue;
      if (past_forecasts.empty()) {
        past_forecasts.assign(panel.num_series(), std::vector<double>());
      }
      auto& pf = past_forecasts[*idx];
      if (pf.empty()) pf.assign(static_cast<size_t>(n_days), std::nan(""));
      pf[static_cast<size_t>(t)] = r.mean;
      if (r.quantiles.size() < 2) continue;
      const float actual = std::as_const(panel).column(PanelColumn::kDemand, *idx)[static_cast<size_t>(t)];
      if (!std::isfinite(actual)) continue;
      if (std::as_const(panel).flags(*idx)[static_cast<size_t>(t)] & kFlagCensored) continue;
      risk::ForecastCheck c;
      c.date = r.date;
      c.actual = actual;
      c.lower = r.quantiles.front().second;
      c.upper = std::max(r.quantiles.back().second, c.lower);
      checks[{r.sku, r.location}].push_back(c);
    }
  }
  std::vector<risk::ItemState> states;
  for (size_t i = 0; i < out.plan.lines.size(); ++i) {
    const PlanLine& line = out.plan.lines[i];
    const PlanLineDemand& d = out.plan.demand[i];
    if (!d.stock_known || line.binding == "error") continue;
    risk::ItemState st;
    st.sku = line.sku;
    st.location = line.location;
    st.supplier_id = line.supplier_id;
    if (const Product* p = master.product(line.sku)) {
      st.category = p->category;
      st.unit_price = std::max(p->price, 0.0);
      st.shelf_life_days = std::max(p->shelf_life_days, 0);
    }
    st.as_of = out.plan.as_of;
    st.on_hand = line.on_hand;
    st.unit_cost = std::max(line.unit_cost, 0.0);
    st.forecast_mean = std::move(means[i]);  // not read after the risks
    st.forecast_sd = std::move(sds[i]);
    st.arrivals = std::move(risk_arrivals[i]);
    st.cover_days = d.cover_days;
    if (auto idx = panel.Find(line.sku, line.location)) {
      const auto raw = std::as_const(panel).column(PanelColumn::kRawDemand, *idx);
      const auto dem = std::as_const(panel).column(PanelColumn::kDemand, *idx);
      const int end = std::min(n_days, out.plan.as_of - panel.start());
      for (int t = std::max(0, end - kRecentDays); t < end; ++t) {
        const float v = std::isfinite(raw[static_cast<size_t>(t)]) ? raw[static_cast<size_t>(t)]
                                                                   : dem[static_cast<size_t>(t)];
        st.recent_demand.push_back(std::isfinite(v) ? static_cast<double>(v) : std::nan(""));
      }
      for (int t = end - 1; t >= 0; --t) {
        const float v = std::isfinite(raw[static_cast<size_t>(t)]) ? raw[static_cast<size_t>(t)]
                                                                   : dem[static_cast<size_t>(t)];
        if (std::isfinite(v) && v > 0) {
          st.last_sale = panel.DateAt(t);
          break;
        }
      }
    }
    if (auto lit = lead_history.find(line.supplier_id); lit != lead_history.end()) {
      st.lead_time_history = lit->second;
    }
    if (auto cit = checks.find({line.sku, line.location}); cit != checks.end()) {
      st.forecast_checks = cit->second;
    }
    const PolicyProjection& p = out.projections[i];
    if (p.lower_line > 0) st.lines.lower = risk::WarningLine{p.lower_line, risk::WarningLine::Unit::kUnits};
    if (p.upper_line > 0) st.lines.upper = risk::WarningLine{p.upper_line, risk::WarningLine::Unit::kUnits};
    states.push_back(std::move(st));
  }
  risk::RiskSettings rs;
  rs.dead_stock_days = loop.dead_stock_days;
  rs.overstock_horizon_days = loop.overstock_days;
  SC_ASSIGN_OR_RETURN(out.risks, risk::AssessRisks(states, rs));
  SC_ASSIGN_OR_RETURN(std::vector<AlertRecord> stored, store.ListAlerts(false));
  std::vector<risk::Alert> previous;
  for (const AlertRecord& r : stored) {
    // The API's live "out_of_stock" alerts are facts about on hand, not risks the plan
    // assesses: the API raises and resolves them as movements arrive.
    if (r.type == kLiveOutOfStock) continue;
    SC_ASSIGN_OR_RETURN(risk::Alert a, FromRecord(r));
    previous.push_back(std::move(a));
  }
  risk::AlertPolicy ap;
  ap.escalate_after_runs = std::max(2, loop.escalate_after_runs);
  SC_ASSIGN_OR_RETURN(out.alerts, risk::MergeAlerts(previous, out.risks, out.plan.as_of, ap));
  {
    std::map<std::string, double> probability;
    for (const risk::Risk& r : out.risks) {
      probability[risk::AlertKey(r.type, r.sku, r.location)] = r.probability;
    }
    std::map<std::string, double> old_probability;
    for (const AlertRecord& r : stored) old_probability[r.key] = r.probability;
    std::vector<AlertRecord> records;
    for (const risk::Alert& a : out.alerts.alerts) {
      auto it = probability.find(a.key);
      const double p = it != probability.end() ? it->second : old_probability[a.key];
      records.push_back(ToRecord(a, p, out.plan.run_id));
    }
    SC_ASSIGN_OR_RETURN(std::vector<int64_t> ids, store.SaveAlerts(records));
    for (size_t k = 0; k < ids.size(); ++k) out.alerts.alerts[k].id = ids[k];
  }
  timer.Done("risks");

  // ---- 7. KPIs ----
  ReportProgress(progress, "kpis", 0.0);
  {
    std::vector<risk::SeriesEconomics> economics(panel.num_series());
    for (size_t s = 0; s < panel.num_series(); ++s) {
      const Product* p = master.product(panel.key(s).sku);
      economics[s].category = p != nullptr ? p->category : "";
      economics[s].holding_rate = config.PlanningFor(economics[s].category).holding_rate;
      if (p != nullptr) {
        economics[s].unit_cost = std::max(p->unit_cost, 0.0);
        economics[s].unit_price = std::max(p->price, 0.0);
      }
    }
    risk::KpiOptions ko;
    ko.to = panel.end();
    ko.from = std::max(panel.start(), panel.end() - (kHistoryWindowDays - 1));
    ko.period = risk::KpiPeriod::kMonth;
    out.kpi_from = ko.from;
    out.kpi_to = ko.to;
    SC_ASSIGN_OR_RETURN(out.kpis, risk::ComputeKpis(panel, economics, ko, past_forecasts));
    std::vector<KpiRecord> records;
    for (const risk::KpiRow& r : out.kpis) {
      if (r.scope == "sku") continue;  // per SKU in kpis.json only
      for (KpiRecord& k : KpiRecords(r)) records.push_back(std::move(k));
    }
    SC_RETURN_IF_ERROR(store.SaveKpis(out.plan.run_id, records));
  }
  timer.Done("kpis");

  {
    nlohmann::json report = {{"orders", out.plan.orders},
                             {"series", out.plan.lines.size()},
                             {"total_units", out.plan.total_units},
                             {"total_cost", out.plan.total_cost},
                             {"alerts_open", out.alerts.created + out.alerts.updated},
                             {"risks", out.risks.size()}};
    SC_RETURN_IF_ERROR(store.FinishRun(out.plan.run_id, "ok", report.dump()));
  }

  // ---- 8. files ----
  if (!options.out_dir.empty()) {
    ReportProgress(progress, "writing", 0.0);
    const std::filesystem::path dir(options.out_dir);
    // orders.csv
    {
      const std::string path = (dir / "orders.csv").string();
      SC_ASSIGN_OR_RETURN(io::CsvWriter w, io::CsvWriter::Open(path));
      w.Row({"supplier_id", "sku", "location", "class", "quantity", "order_date",
             "expected_arrival", "unit_cost", "line_cost", "on_hand", "on_order",
             "forecast_over_cover", "safety_stock", "reorder_point", "order_up_to",
             "service_target", "bound_by", "explanation"});
      std::vector<size_t> order;
      for (size_t i = 0; i < out.plan.lines.size(); ++i) {
        if (out.plan.lines[i].quantity > 0) order.push_back(i);
      }
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const PlanLine& x = out.plan.lines[a];
        const PlanLine& y = out.plan.lines[b];
        return std::tie(x.supplier_id, x.sku, x.location) < std::tie(y.supplier_id, y.sku, y.location);
      });
      for (size_t i : order) {
        const PlanLine& l = out.plan.lines[i];
        w.Field(l.supplier_id).Field(l.sku).Field(l.location).Field(out.classes[i]);
        w.Field(l.quantity).Field(l.order_date.ToString()).Field(l.arrival_date.ToString());
        w.Field(l.unit_cost).Field(l.quantity * l.unit_cost, 2).Field(l.on_hand, 2).Field(l.on_order, 2);
        w.Field(l.lead_time_demand, 2).Field(l.safety_stock, 2).Field(l.reorder_point, 2);
        w.Field(l.order_up_to, 2).Field(l.service_level, 4).Field(l.binding).Field(l.explanation);
        w.EndRow();
      }
      SC_RETURN_IF_ERROR(w.Close());
      out.files.push_back(path);
    }
    // alerts.csv: every alert this run touched (new, persisting, resolved).
    {
      const std::string path = (dir / "alerts.csv").string();
      SC_ASSIGN_OR_RETURN(io::CsvWriter w, io::CsvWriter::Open(path));
      w.Row({"id", "status", "level", "type", "sku", "location", "probability", "impact",
             "action", "transfer_from", "first_seen", "last_seen", "occurrences", "message"});
      std::map<std::string, const risk::Risk*> risk_by_key;
      for (const risk::Risk& r : out.risks) risk_by_key[risk::AlertKey(r.type, r.sku, r.location)] = &r;
      for (const risk::Alert& a : out.alerts.alerts) {
        auto it = risk_by_key.find(a.key);
        const risk::Risk* r = it == risk_by_key.end() ? nullptr : it->second;
        w.Field(a.id).Field(risk::ToString(a.status)).Field(risk::ToString(a.level));
        w.Field(risk::ToString(a.type)).Field(a.sku).Field(a.location);
        w.Field(r ? r->probability : std::nan(""), 4).Field(a.impact, 2);
        w.Field(risk::ToString(a.action)).Field(r ? r->transfer_from : std::string());
        w.Field(a.first_seen.ToString()).Field(a.last_seen.ToString());
        w.Field(static_cast<int64_t>(a.occurrences)).Field(a.message);
        w.EndRow();
      }
      SC_RETURN_IF_ERROR(w.Close());
      out.files.push_back(path);
    }
    // kpis.json
    {
      const std::string path = (dir / "kpis.json").string();
      nlohmann::json j = {{"as_of", out.plan.as_of.ToString()},
                          {"from", out.kpi_from.ToString()},
                          {"to", out.kpi_to.ToString()},
                          {"period", "month"},
                          {"plan_run_id", out.plan.run_id}};
      nlohmann::json by = nlohmann::json::object();
      for (const risk::KpiRow& r : out.kpis) {
        if (r.scope == "total") {
          j["total"] = KpiJson(r);
        } else {
          const std::string group = r.scope == "period" ? "by_period" : "by_" + r.scope;
          by[group].push_back(KpiJson(r));
        }
      }
      for (auto& [k, v] : by.items()) j[k] = v;
      std::ofstream f(path, std::ios::binary);
      f << j.dump(2) << "\n";
      if (!f) return Error::InvalidArgument(fmt::format("{}: cannot write", path));
      out.files.push_back(path);
    }
    // projection.csv
    {
      const std::string path = (dir / "projection.csv").string();
      SC_ASSIGN_OR_RETURN(io::CsvWriter w, io::CsvWriter::Open(path));
      w.Row({"sku", "location", "date", "p10", "p50", "p90", "arrivals", "reorder_point",
             "lower_line", "upper_line"});
      for (size_t i = 0; i < out.plan.lines.size(); ++i) {
        const PlanLine& l = out.plan.lines[i];
        if (!out.plan.demand[i].stock_known) continue;  // stock unknown: nothing to project
        const PolicyProjection& p = out.projections[i];
        for (size_t t = 0; t < p.p50.size(); ++t) {
          w.Field(l.sku).Field(l.location).Field((out.plan.as_of + static_cast<int32_t>(t)).ToString());
          w.Field(p.p10[t], 2).Field(p.p50[t], 2).Field(p.p90[t], 2).Field(p.arrivals_p50[t], 2);
          w.Field(l.reorder_point, 2).Field(p.lower_line, 2).Field(p.upper_line, 2);
          w.EndRow();
        }
      }
      SC_RETURN_IF_ERROR(w.Close());
      out.files.push_back(path);
    }
    {
      const std::string path = (dir / "report.html").string();
      ReportOptions ro;
      ro.review_period_days = std::max(config.planning.review_period_days, 1);
      ro.panel = &panel;
      ro.forecast_run_id = out.forecast_run_id;
      // The charted series' forecasts from memory (from as_of, as planned).
      ro.forecast_rows_for = [&](const std::vector<SeriesKey>& keys) {
        std::vector<ForecastRow> rows;
        for (const SeriesKey& k : keys) {
          for (size_t i = 0; i < out.plan.lines.size(); ++i) {
            const PlanLine& l = out.plan.lines[i];
            if (l.sku != k.sku || l.location != k.location) continue;
            const forecast::Forecast& f = out.plan.forecasts[i];
            for (int t = 0; t < f.horizon(); ++t) {
              ForecastRow r;
              r.sku = k.sku;
              r.location = k.location;
              r.step = t + 1;
              r.date = out.plan.as_of + t;
              r.mean = f.mean[static_cast<size_t>(t)];
              for (size_t q = 0; q < f.levels.size(); ++q) {
                r.quantiles.emplace_back(f.levels[q], f.quantiles[q][static_cast<size_t>(t)]);
              }
              rows.push_back(std::move(r));
            }
          }
        }
        return rows;
      };
      SC_RETURN_IF_ERROR(WriteHtmlReport(store, path, ro));
      out.files.push_back(path);
    }
    timer.Done("files");
  }
  ReportProgress(progress, "done", 1.0);
  return out;
}

}  // namespace stockcast::pipeline
