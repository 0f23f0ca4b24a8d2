#include "stockcast/pipeline/plan_run.h"

#include <algorithm>
#include <utility>
#include <cmath>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "stockcast/forecast/distribution.h"
#include "stockcast/io/csv_writer.h"
#include "stockcast/pipeline/forecast_run.h"
#include "stockcast/policy/reorder_point.h"

namespace stockcast::pipeline {
namespace {

constexpr size_t kRiskiestCount = 10;
constexpr size_t kMaxSeriesWarnings = 20;
// Ten years: a longer supplier lead time is bad master data (a unit mix-up, a typo), and the
// forecast could not cover it anyway.
constexpr double kMaxLeadTimeDays = 3650.0;
constexpr const char* kUnknownStock =
    "on hand unknown (no stock snapshot or receipt imported): import stock_snapshots.csv to "
    "get an order";

using Key = std::pair<std::string, std::string>;  // (sku, location)

bool RiskierThan(const PlanLine& a, const PlanLine& b) {
  if (a.stockout_probability != b.stockout_probability) {
    return a.stockout_probability > b.stockout_probability;
  }
  if (a.days_of_supply != b.days_of_supply) return a.days_of_supply < b.days_of_supply;
  return std::tie(a.sku, a.location) < std::tie(b.sku, b.location);
}

nlohmann::json LineJson(const PlanLine& l) {
  return {{"sku", l.sku},
          {"location", l.location},
          {"stockout_probability", l.stockout_probability},
          {"days_of_supply", l.days_of_supply},
          {"on_hand", l.on_hand},
          {"on_order", l.on_order},
          {"quantity", l.quantity}};
}

}  // namespace

std::vector<std::pair<SeriesKey, forecast::Forecast>> ForecastsFromRows(
    std::span<const ForecastRow> rows, Date from) {
  std::vector<std::pair<SeriesKey, forecast::Forecast>> out;
  std::map<Key, size_t> index;
  for (const ForecastRow& row : rows) {
    if (row.date < from) continue;
    const Key key{row.sku, row.location};
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, out.size()).first;
      forecast::Forecast f;
      for (const auto& [level, value] : row.quantiles) f.levels.push_back(level);
      f.quantiles.resize(f.levels.size());
      out.emplace_back(SeriesKey{row.sku, row.location}, std::move(f));
    }
    forecast::Forecast& f = out[it->second].second;
    f.mean.push_back(std::max(row.mean, 0.0));
    // Rows of one run share their levels; a row that differs (should not happen) is padded
    // with its mean so the paths stay the same length.
    for (size_t l = 0; l < f.levels.size(); ++l) {
      const bool same = l < row.quantiles.size() &&
                        std::abs(row.quantiles[l].first - f.levels[l]) < 1e-12;
      f.quantiles[l].push_back(same ? std::max(row.quantiles[l].second, 0.0) : row.mean);
    }
  }
  return out;
}

std::vector<std::pair<Date, double>> PlannedArrivals(const PlanLine& line,
                                                     std::span<const Receipt> receipts) {
  std::vector<std::pair<Date, double>> arrivals;
  double dated = 0.0;
  for (const Receipt& r : receipts) {
    if (r.status != ReceiptStatus::kOpen || r.sku != line.sku || r.location != line.location) {
      continue;
    }
    arrivals.emplace_back(r.date, r.quantity);
    dated += r.quantity;
  }
  if (line.on_order - dated > 1e-9) arrivals.emplace_back(line.arrival_date, line.on_order - dated);
  if (line.quantity > 0) arrivals.emplace_back(line.arrival_date, line.quantity);
  return arrivals;
}

StockProjection ProjectStock(const forecast::Forecast& forecast, Date first_day, double on_hand,
                             std::vector<std::pair<Date, double>> arrivals) {
  StockProjection p;
  const int horizon = forecast.horizon();
  const size_t hz = static_cast<size_t>(horizon);
  p.dates.reserve(hz);
  p.p10.reserve(hz);
  p.p50.reserve(hz);
  p.p90.reserve(hz);
  std::vector<double> arriving(hz, 0.0);
  for (auto& [date, quantity] : arrivals) {
    if (date < first_day) date = first_day;
    const int k = date - first_day;
    if (k < horizon && quantity > 0.0) arriving[static_cast<size_t>(k)] += quantity;
  }
  p.arrivals = std::move(arrivals);

  // Demand percentile paths: C_p(k) = max(0, M_k + z_p sqrt(V_k)), with increments kept
  // non-negative (a cumulative demand never falls). Stock P10 uses demand P90 and vice versa.
  const double z90 = forecast::NormalQuantile(0.9);
  const double zs[3] = {z90, 0.0, -z90};  // for stock P10, P50, P90
  double mean_sum = 0.0;
  double var_sum = 0.0;
  double cum[3] = {0.0, 0.0, 0.0};
  double stock[3] = {on_hand, on_hand, on_hand};
  for (int k = 0; k < horizon; ++k) {
    const size_t i = static_cast<size_t>(k);
    const double sd = policy::DailyDemandSd(forecast, k);
    mean_sum += std::max(forecast.mean[i], 0.0);
    var_sum += sd * sd;
    for (int j = 0; j < 3; ++j) {
      const double c = std::max(cum[j], mean_sum + zs[j] * std::sqrt(var_sum));
      const double demand = c - cum[j];
      cum[j] = c;
      // Lost sales: what cannot be served is not carried as negative stock.
      stock[j] = std::max(0.0, stock[j] + arriving[i] - demand);
    }
    p.dates.push_back(first_day + k);
    p.p10.push_back(stock[0]);
    p.p50.push_back(stock[1]);
    p.p90.push_back(stock[2]);
  }
  return p;
}

MasterIndex::MasterIndex(std::span<const Product> products, std::span<const Supplier> suppliers) {
  for (const Product& p : products) products_[p.sku] = &p;
  for (const Supplier& s : suppliers) suppliers_[s.id] = &s;
}

const Product* MasterIndex::product(const std::string& sku) const {
  auto it = products_.find(sku);
  return it == products_.end() ? nullptr : it->second;
}

const Supplier* MasterIndex::supplier(const std::string& id) const {
  auto it = suppliers_.find(id);
  return it == suppliers_.end() ? nullptr : it->second;
}

const Supplier* MasterIndex::supplier_of(const Product* p) const {
  return p == nullptr ? nullptr : supplier(p->supplier_id);
}

std::string MasterIndex::category(const std::string& sku) const {
  const Product* p = product(sku);
  return p == nullptr ? std::string() : p->category;
}

double RecentSpread(std::span<const float> demand, std::span<const uint8_t> flags, size_t end,
                    int window) {
  double s1 = 0.0, s2 = 0.0;
  int n = 0;
  for (size_t k = std::min(end, demand.size()); k-- > 0 && n < window;) {
    if ((flags[k] & forecast::kUnusableDayMask) != 0 || !std::isfinite(demand[k])) continue;
    const double v = demand[k];
    s1 += v;
    s2 += v * v;
    ++n;
  }
  if (n < 2) return 0.0;
  return std::sqrt(std::max(0.0, (s2 - s1 * s1 / n) / (n - 1)));
}

namespace {

// The (R, s, S) levels of one series from its forecast (PlanRunOptions::replenishment_levels);
// no day's spread below `min_daily_sd` (RecentSpread).
Result<policy::ReplenishmentLevels> ReplenishmentFor(const forecast::Forecast& fc,
                                                     const policy::ReorderPointOptions& o,
                                                     double order_cost, double holding_rate,
                                                     policy::ServiceTargetKind measure,
                                                     double min_daily_sd) {
  policy::ReplenishmentInput in;
  const int n = static_cast<int>(fc.mean.size());
  in.daily_mean.resize(static_cast<size_t>(n));
  in.daily_sd.resize(static_cast<size_t>(n));
  for (int t = 0; t < n; ++t) {
    in.daily_mean[static_cast<size_t>(t)] = std::max(fc.mean[static_cast<size_t>(t)], 0.0);
    in.daily_sd[static_cast<size_t>(t)] = std::max(policy::DailyDemandSd(fc, t), min_daily_sd);
  }
  // The simulator's convention: arrival = order date + L with L >= 1 (a same-day supplier
  // still delivers for tomorrow's demand at the earliest).
  in.lead_time_mean_days = std::max(o.lead_time_mean_days, 1.0);
  in.lead_time_sd_days = o.lead_time_sd_days;
  in.review_period_days = std::max(o.review_period_days, 1);
  in.target_kind = measure;
  in.target = o.service_level;
  in.unit_cost = o.unit_cost;
  in.holding_rate = holding_rate;
  in.order_cost = order_cost;
  in.case_pack = o.case_pack;
  in.moq = o.moq;
  return policy::ChooseReplenishmentLevels(in);
}

}  // namespace

Result<PlanRunSummary> RunPlan(Store& store, const Config& config, const PlanRunOptions& options,
                               const ProgressFn& progress) {
  ReportProgress(progress, "loading", 0.0);
  std::optional<RunInfo> run;
  if (options.forecast_rows != nullptr) {
    RunInfo given;
    given.id = options.forecast_run_id;
    given.kind = "forecast";
    given.status = "ok";
    run = given;
  } else {
    SC_ASSIGN_OR_RETURN(run, store.LatestRun("forecast"));
  }
  if (!run) {
    return Error::NotFound(fmt::format("no forecast in {}; run `stockcast forecast --db {}` first",
                                       store.path(), store.path()));
  }
  if (run->status != "ok") {
    return Error::NotFound(fmt::format(
        "the latest forecast in {} (run {}) is {}; run `stockcast forecast --db {}` again",
        store.path(), run->id, run->status, store.path()));
  }
  std::vector<ForecastRow> read_rows;
  if (options.forecast_rows == nullptr) {
    SC_ASSIGN_OR_RETURN(read_rows, store.ListForecasts(run->id));
  }
  const std::vector<ForecastRow>& rows =
      options.forecast_rows != nullptr ? *options.forecast_rows : read_rows;
  if (rows.empty()) {
    return Error::NotFound(fmt::format("forecast run {} in {} has no rows; run `stockcast "
                                       "forecast --db {}` again",
                                       run->id, store.path(), store.path()));
  }
  DemandPanel loaded;
  if (options.panel == nullptr) {
    SC_ASSIGN_OR_RETURN(loaded, store.LoadPanel());
  }
  const DemandPanel& panel = options.panel != nullptr ? *options.panel : loaded;

  PlanRunSummary summary;
  summary.forecast_run_id = run->id;
  Date first_forecast = rows.front().date;
  Date last_forecast = rows.front().date;
  for (const ForecastRow& r : rows) {
    first_forecast = std::min(first_forecast, r.date);
    last_forecast = std::max(last_forecast, r.date);
  }
  summary.as_of = options.as_of ? *options.as_of
                                : (panel.num_days() > 0 ? panel.end() + 1 : first_forecast);
  if (summary.as_of > last_forecast) {
    return Error::InvalidArgument(fmt::format(
        "as_of = {} is after the last forecast day {} (forecast run {}); run `stockcast "
        "forecast --db {}` again",
        summary.as_of.ToString(), last_forecast.ToString(), run->id, store.path()));
  }
  if (summary.as_of < first_forecast) {
    // The forecast says nothing about days before its first one, and the stock level is as of
    // the history's end: planning from an earlier date would mix two points in time.
    return Error::InvalidArgument(fmt::format(
        "as_of = {} is before the first forecast day {} (forecast run {}); plan on or after {}",
        summary.as_of.ToString(), first_forecast.ToString(), run->id,
        first_forecast.ToString()));
  }
  const auto forecasts = ForecastsFromRows(rows, summary.as_of);
  // as_of later than the first forecast day: the stock recorded at the end of the history is
  // consumed by the forecast mean of the days in between (see plan_run.h).
  std::map<Key, double> consumed_before_as_of;
  for (const ForecastRow& r : rows) {
    if (r.date < summary.as_of) consumed_before_as_of[{r.sku, r.location}] += std::max(r.mean, 0.0);
  }

  // Master data and stock.
  SC_ASSIGN_OR_RETURN(std::vector<Product> products, store.ListProducts());
  SC_ASSIGN_OR_RETURN(std::vector<Supplier> suppliers, store.ListSuppliers());
  SC_ASSIGN_OR_RETURN(std::vector<StockLevel> levels, store.ListStockLevels());
  SC_ASSIGN_OR_RETURN(std::vector<Receipt> receipts, store.ListReceipts());
  const MasterIndex master(products, suppliers);
  std::map<Key, const StockLevel*> level_by_key;
  for (const StockLevel& l : levels) level_by_key[{l.sku, l.location}] = &l;
  std::map<Key, std::vector<Receipt>> open_by_key;
  std::map<Key, bool> received_by_key;
  for (const Receipt& r : receipts) {
    if (r.status == ReceiptStatus::kOpen) open_by_key[{r.sku, r.location}].push_back(r);
    if (r.status == ReceiptStatus::kReceived && r.quantity > 0) {
      received_by_key[{r.sku, r.location}] = true;
    }
  }
  // Whether anything ever came into stock for a series: a received purchase-order line, or
  // receipts in the panel. Without that or a snapshot, the derived on hand is just returns
  // minus sales, which says nothing about the shelf.
  auto has_receipts = [&](const Key& key) {
    if (received_by_key.count(key) != 0) return true;
    if (auto idx = panel.Find(key.first, key.second)) {
      for (float v : std::as_const(panel).column(PanelColumn::kReceipts, *idx)) {
        if (std::isfinite(v) && v > 0) return true;
      }
    }
    return false;
  };

  size_t no_stock = 0;
  size_t unknown_stock = 0;
  size_t negative_stock = 0;
  size_t lead_too_long = 0;
  size_t no_product = 0;
  size_t no_supplier = 0;
  size_t not_planned = 0;
  for (size_t s = 0; s < forecasts.size(); ++s) {
    if (s % 64 == 0) ReportProgress(progress, "planning", static_cast<double>(s) / forecasts.size());
    const auto& [key, fc] = forecasts[s];
    const Product* product = master.product(key.sku);
    const Supplier* supplier = master.supplier_of(product);
    no_product += product == nullptr ? 1 : 0;
    no_supplier += supplier == nullptr ? 1 : 0;
    const PlanningSettings settings = config.PlanningFor(product ? product->category : "");

    const std::string series_id = SeriesId(key.sku, key.location);
    policy::ReorderPointOptions o;
    o.service_level = settings.service_level;
    if (auto it = options.service_levels.find(series_id); it != options.service_levels.end()) {
      o.service_level = it->second;
    }
    o.review_period_days = settings.review_period_days;
    o.lead_time_mean_days = supplier ? supplier->lead_time_mean_days : settings.lead_time_mean_days;
    o.lead_time_sd_days = supplier ? supplier->lead_time_sd_days : settings.lead_time_sd_days;
    o.moq = supplier ? supplier->moq : 0.0;
    o.case_pack = supplier && supplier->case_pack > 0 ? supplier->case_pack : 1.0;
    o.unit_cost = product && product->unit_cost > 0 ? product->unit_cost
                  : supplier                        ? supplier->unit_cost
                                                    : 0.0;

    // Stock: the derived stock level; else the panel's last on-hand count; else zero. It is
    // known only when built on a snapshot, an on-hand count or receipts (see plan_run.h).
    std::string note;
    if (auto it = options.notes.find(series_id); it != options.notes.end()) note = it->second;
    double on_hand = 0.0;
    double on_order = 0.0;
    const Key series_key{key.sku, key.location};
    bool stock_known = has_receipts(series_key);
    if (auto it = level_by_key.find(series_key); it != level_by_key.end()) {
      on_hand = it->second->on_hand;
      on_order = it->second->on_order;
      stock_known = stock_known || it->second->snapshot_date.has_value();
    } else {
      std::optional<double> last;
      if (auto idx = panel.Find(key.sku, key.location)) {
        const auto oh = std::as_const(panel).column(PanelColumn::kOnHand, *idx);
        for (size_t t = oh.size(); t-- > 0;) {
          if (std::isfinite(oh[t])) {
            last = oh[t];
            break;
          }
        }
      }
      on_hand = last.value_or(0.0);
      stock_known = stock_known || last.has_value();
      if (stock_known) {
        ++no_stock;
        note = last ? "no stock level recorded; last on-hand count used. "
                    : "no stock record; on hand assumed 0. ";
      } else {
        note = "no stock record; ";
      }
    }
    if (!stock_known) {
      ++unknown_stock;
      on_hand = 0.0;  // only to compute the policy's levels, which do not depend on it
    } else {
      const bool backorders = product != nullptr && product->allow_backorder;
      if (on_hand < 0.0 && !backorders) {
        // Lost sales: stock cannot be negative, so more was sold than the snapshots and
        // receipts explain. Treat the shelf as empty rather than ordering the deficit.
        ++negative_stock;
        note += fmt::format(
            "derived on hand {:.1f} is negative but backorders are not allowed: treated as 0 "
            "(check the stock snapshots and receipts). ",
            on_hand);
        on_hand = 0.0;
      }
      if (auto it = consumed_before_as_of.find(series_key); it != consumed_before_as_of.end()) {
        const double before = on_hand;
        on_hand -= it->second;
        if (!backorders) on_hand = std::max(on_hand, 0.0);
        note += fmt::format("on hand {:.1f} at the history's end, {:.1f} at as_of {} after "
                            "{:.1f} forecast demand from {}. ",
                            before, on_hand, summary.as_of.ToString(), it->second,
                            first_forecast.ToString());
      }
    }

    PlanLineDemand demand;
    demand.holding_rate = settings.holding_rate;
    demand.order_cost = supplier && supplier->order_cost > 0 ? supplier->order_cost : settings.order_cost;
    demand.case_pack = o.case_pack;
    demand.moq = o.moq;
    demand.review_period_days = o.review_period_days;
    demand.lead_time_mean_days = o.lead_time_mean_days;
    demand.lead_time_sd_days = o.lead_time_sd_days;
    demand.stock_known = stock_known;
    PlanLine line;
    line.sku = key.sku;
    line.location = key.location;
    line.supplier_id = product ? product->supplier_id : "";
    line.order_date = summary.as_of;
    // Guard the stored fields against bad master data (the policy rejects it below and the
    // line is kept unplanned; it must still pass the store's checks).
    const double lead_days =
        std::isfinite(o.lead_time_mean_days) ? std::clamp(o.lead_time_mean_days, 0.0, 3650.0) : 0.0;
    line.arrival_date = summary.as_of + static_cast<int32_t>(std::lround(lead_days));
    line.unit_cost = std::isfinite(o.unit_cost) && o.unit_cost >= 0 ? o.unit_cost : 0.0;
    line.on_hand = on_hand;
    line.on_order = on_order;
    line.service_level = o.service_level;

    Result<policy::ReorderDecision> decision =
        o.lead_time_mean_days > kMaxLeadTimeDays
            ? Result<policy::ReorderDecision>(Error::InvalidArgument(fmt::format(
                  "lead_time_mean_days = {} (supplier {}); must be <= {:.0f} days",
                  o.lead_time_mean_days, supplier ? supplier->id : std::string("default"),
                  kMaxLeadTimeDays)))
            : policy::ComputeReorderPoint(fc, on_hand, on_order, o);
    if (!decision.ok() && o.lead_time_mean_days > kMaxLeadTimeDays) ++lead_too_long;
    if (decision.ok() && options.replenishment_levels) {
      // The (R, s, S) levels of policy/replenishment.h replace the reorder point's; the
      // reorder-point decision still gives the cover's spread, stockout probability and days of
      // supply.
      double min_sd = 0.0;
      if (auto idx = panel.Find(key.sku, key.location)) {
        min_sd = RecentSpread(std::as_const(panel).column(PanelColumn::kDemand, *idx),
                              panel.flags(*idx), static_cast<size_t>(panel.num_days()));
      }
      auto rl = ReplenishmentFor(fc, o, demand.order_cost, settings.holding_rate,
                                 options.service_measure, min_sd);
      if (!rl.ok()) {
        decision = rl.error();
      } else {
        policy::ReorderDecision& d = *decision;
        const double ip = on_hand + on_order;
        d.lead_time_demand = rl->mean_over_cover;
        d.safety_stock = rl->safety_stock;
        d.reorder_point = rl->reorder_point;
        d.order_up_to = rl->order_up_to;
        d.inventory_position = ip;
        d.unconstrained_quantity = ip <= rl->reorder_point ? rl->order_up_to - ip : 0.0;
        d.quantity = policy::ReplenishmentOrder(*rl, ip, o.case_pack, o.moq);
        d.line_cost = d.quantity * o.unit_cost;
        d.binding = "none";
        if (d.quantity > 0) {
          const double plain = std::ceil(d.unconstrained_quantity - 1e-9);
          if (o.moq > 0 && d.quantity <= std::ceil(o.moq / o.case_pack) * o.case_pack + 1e-9 &&
              o.moq > plain + 1e-9) {
            d.binding = "moq";
          } else if (d.quantity > plain + 1e-9) {
            d.binding = "case_pack";
          }
        }
        d.explanation = fmt::format(
            "{} Inventory position {:.1f} (on hand {:.1f} + on order {:.1f}) {} the reorder point "
            "{:.0f}: {}.",
            rl->explanation, ip, on_hand, on_order, ip <= rl->reorder_point ? "is at or below" : "is above",
            rl->reorder_point,
            d.quantity > 0 ? fmt::format("order {:g} units to reach {:.0f}{}", d.quantity,
                                         rl->order_up_to,
                                         d.binding == "none" ? "" : " (raised by the " + d.binding + ")")
                           : std::string("no order now"));
      }
    }
    if (!decision.ok()) {
      // Bad master data for one series (e.g. a negative MOQ) must not sink the plan: keep the
      // line, order nothing, and say why.
      line.binding = "error";
      line.explanation = note + "not planned: " + decision.error().message;
      if (++not_planned <= kMaxSeriesWarnings) {
        summary.warnings.push_back(SeriesId(key.sku, key.location) +
                                   " not planned: " + decision.error().message);
      }
    } else {
      const policy::ReorderDecision& d = *decision;
      line.quantity = d.quantity;
      line.lead_time_demand = d.lead_time_demand;
      line.safety_stock = d.safety_stock;
      line.reorder_point = d.reorder_point;
      line.order_up_to = d.order_up_to;
      line.stockout_probability = d.stockout_probability;
      line.days_of_supply = d.days_of_supply;
      line.binding = d.binding;
      line.explanation = note + d.explanation;
      demand.planned = stock_known;
      demand.cover_days = d.cover_days;
      demand.demand_sd = d.demand_sd;
      demand.lead_time_days = static_cast<int>(std::lround(lead_days));
      if (!stock_known) {
        // The levels stand; the order needs the one number we do not have.
        line.quantity = 0.0;
        line.on_hand = 0.0;
        line.stockout_probability = 0.0;
        line.days_of_supply = 0.0;
        line.binding = "unknown_stock";
        line.explanation = note + kUnknownStock +
                           fmt::format(". Policy: reorder point {:.1f} (lead-time demand {:.1f} + "
                                       "safety stock {:.1f}), order up to {:.1f}; on order {:.1f}",
                                       d.reorder_point, d.lead_time_demand, d.safety_stock,
                                       d.order_up_to, on_order);
      }
    }

    StockProjection projection;
    if (options.project) {
      auto it = open_by_key.find({key.sku, key.location});
      projection = ProjectStock(
          fc, summary.as_of, on_hand,
          PlannedArrivals(line, it != open_by_key.end() ? std::span<const Receipt>(it->second)
                                                        : std::span<const Receipt>()));
    }
    projection.sku = key.sku;
    projection.location = key.location;
    projection.reorder_point = line.reorder_point;

    if (line.quantity > 0) {
      ++summary.orders;
      summary.total_units += line.quantity;
      summary.total_cost += line.quantity * line.unit_cost;
    }
    summary.lines.push_back(std::move(line));
    summary.projections.push_back(std::move(projection));
    summary.demand.push_back(demand);
    summary.forecasts.push_back(fc);
  }
  if (not_planned > kMaxSeriesWarnings) {
    summary.warnings.push_back(
        fmt::format("... and {} more series not planned", not_planned - kMaxSeriesWarnings));
  }
  if (unknown_stock > 0) {
    // First and loud: these series got no order at all, whatever their demand.
    summary.warnings.insert(
        summary.warnings.begin(),
        fmt::format("STOCK UNKNOWN for {} of {} series: no stock snapshot or receipt imported, "
                    "so no order was planned for them (their reorder points are saved); import "
                    "stock_snapshots.csv to get orders",
                    unknown_stock, forecasts.size()));
  }
  if (negative_stock > 0) {
    summary.warnings.push_back(fmt::format(
        "{} series have a negative derived on hand but do not allow backorders: treated as 0; "
        "more was sold than the stock snapshots and receipts explain, check them",
        negative_stock));
  }
  if (lead_too_long > 0) {
    summary.warnings.push_back(fmt::format(
        "{} series have a supplier lead time over {:.0f} days and were not planned; fix "
        "suppliers.csv",
        lead_too_long, kMaxLeadTimeDays));
  }
  size_t orders_without_cost = 0;
  for (const PlanLine& l : summary.lines) {
    if (l.quantity > 0 && !(l.unit_cost > 0)) ++orders_without_cost;
  }
  if (orders_without_cost > 0) {
    summary.warnings.push_back(fmt::format(
        "{} order line{} no unit cost: order value understated; import products.csv or "
        "suppliers.csv with costs",
        orders_without_cost, orders_without_cost == 1 ? " has" : "s have"));
  }
  if (no_stock > 0) {
    summary.warnings.push_back(fmt::format(
        "{} series have no stock level; the last on-hand count or 0 was used", no_stock));
  }
  if (no_product > 0) {
    summary.warnings.push_back(fmt::format(
        "{} series have no product record; default planning settings were used", no_product));
  }
  if (no_supplier > no_product) {
    summary.warnings.push_back(fmt::format(
        "{} series have no known supplier; default lead time, no MOQ, case pack 1",
        no_supplier - no_product));
  }

  std::vector<const PlanLine*> ranked;
  for (const PlanLine& l : summary.lines) {
    if (l.binding != "unknown_stock") ranked.push_back(&l);  // its risk is not known
  }
  std::sort(ranked.begin(), ranked.end(),
            [](const PlanLine* a, const PlanLine* b) { return RiskierThan(*a, *b); });
  for (size_t i = 0; i < ranked.size() && i < kRiskiestCount; ++i) {
    summary.riskiest.push_back(*ranked[i]);
  }

  // Purchase-order CSV before the run is recorded, so an unwritable path records nothing.
  if (!options.orders_csv.empty()) {
    std::vector<const PlanLine*> orders;
    for (const PlanLine& l : summary.lines) {
      if (l.quantity > 0) orders.push_back(&l);
    }
    std::sort(orders.begin(), orders.end(), [](const PlanLine* a, const PlanLine* b) {
      return std::tie(a->supplier_id, a->sku, a->location) <
             std::tie(b->supplier_id, b->sku, b->location);
    });
    SC_ASSIGN_OR_RETURN(io::CsvWriter csv, io::CsvWriter::Open(options.orders_csv));
    csv.Row({"supplier_id", "sku", "location", "quantity", "order_date", "expected_arrival",
             "unit_cost", "line_cost", "explanation"});
    for (const PlanLine* l : orders) {
      csv.Field(l->supplier_id).Field(l->sku).Field(l->location).Field(l->quantity, 3);
      csv.Field(l->order_date.ToString()).Field(l->arrival_date.ToString());
      csv.Field(l->unit_cost, 4).Field(l->quantity * l->unit_cost, 2).Field(l->explanation);
      csv.EndRow();
    }
    SC_RETURN_IF_ERROR(csv.Close());
  }

  if (!options.save) return summary;
  ReportProgress(progress, "saving plan", 1.0);
  nlohmann::json params = {{"as_of", summary.as_of.ToString()},
                           {"forecast_run_id", run->id},
                           {"config", config.source}};
  SC_ASSIGN_OR_RETURN(summary.run_id, store.StartRun("plan", params.dump()));
  Status saved = store.SavePlan(summary.run_id, summary.lines);
  if (!saved.ok()) {
    (void)store.FinishRun(summary.run_id, "failed",
                          nlohmann::json{{"error", saved.error().message}}.dump());
    return saved.error();
  }
  nlohmann::json riskiest = nlohmann::json::array();
  for (const PlanLine& l : summary.riskiest) riskiest.push_back(LineJson(l));
  nlohmann::json report = {{"as_of", summary.as_of.ToString()},
                           {"forecast_run_id", run->id},
                           {"series", summary.lines.size()},
                           {"orders", summary.orders},
                           {"total_units", summary.total_units},
                           {"total_cost", summary.total_cost},
                           {"riskiest", riskiest},
                           {"warnings", summary.warnings}};
  SC_RETURN_IF_ERROR(store.FinishRun(summary.run_id, "ok", report.dump()));
  return summary;
}

}  // namespace stockcast::pipeline
