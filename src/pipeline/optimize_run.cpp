#include "stockcast/pipeline/optimize_run.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "stockcast/pipeline/plan_run.h"

namespace stockcast::pipeline {

Status OptimizeRunOptions::Validate() const {
  if (!(budget > 0)) {
    return Error::InvalidArgument(
        fmt::format("--budget = {}; must be > 0 (omit it for no budget)", budget));
  }
  if (!(time_limit_seconds > 0)) {
    return Error::InvalidArgument(
        fmt::format("--time-limit = {}; must be > 0 seconds", time_limit_seconds));
  }
  if (!(relative_gap >= 0) || !std::isfinite(relative_gap)) {
    return Error::InvalidArgument(fmt::format("--gap = {}; must be >= 0", relative_gap));
  }
  return Status::Ok();
}

Result<OptimizeRunSummary> RunOptimize(Store& store, const Config& config,
                                       const OptimizeRunOptions& options,
                                       const ProgressFn& progress) {
  SC_RETURN_IF_ERROR(options.Validate());
  PlanRunOptions plan_options;
  plan_options.as_of = options.as_of;
  plan_options.save = false;
  SC_ASSIGN_OR_RETURN(PlanRunSummary plan, RunPlan(store, config, plan_options, progress));
  SC_ASSIGN_OR_RETURN(std::vector<Location> locations, store.ListLocations());
  return OptimizePlan(plan, locations, options, progress);
}

Result<OptimizeRunSummary> OptimizePlan(const PlanRunSummary& plan,
                                        std::span<const Location> locations,
                                        const OptimizeRunOptions& options,
                                        const ProgressFn& progress) {
  SC_RETURN_IF_ERROR(options.Validate());
  OptimizeRunSummary out;
  out.as_of = plan.as_of;
  out.forecast_run_id = plan.forecast_run_id;
  out.warnings = plan.warnings;

  optimize::PurchasePlanInstance instance;
  instance.order_date = plan.as_of;
  instance.budget = options.budget;
  std::map<std::string, optimize::PlanSupplier> suppliers;
  std::map<std::string, bool> offered;  // sku -> offer added
  std::map<std::string, bool> used_locations;
  // Expected demand before an order lands (lead time of the cover), per location: see below.
  std::map<std::string, double> lead_demand_by_location;
  for (size_t i = 0; i < plan.lines.size(); ++i) {
    const PlanLine& line = plan.lines[i];
    const PlanLineDemand& d = plan.demand[i];
    if (!d.planned || line.supplier_id.empty()) {
      ++out.skipped;
      continue;
    }
    const double alpha = std::clamp(line.service_level, 1e-6, 1.0 - 1e-6);
    // Unit value for the holding cost; a product without a cost is held at value 1 so its
    // service trade-off still follows alpha (its purchase value is then 0 for the budget).
    const double value = line.unit_cost > 0 ? line.unit_cost : 1.0;
    const double h = value * d.holding_rate * std::max(d.cover_days, 1.0) / 365.0;
    optimize::PlanItem item;
    item.sku = line.sku;
    item.warehouse = line.location;
    item.on_hand = line.on_hand;
    item.on_order = line.on_order;
    item.demand_mean = std::max(line.lead_time_demand, 0.0);
    // A zero spread (e.g. a zero forecast) is a point mass; keep a tiny sd for the normal.
    item.demand_sd = std::max(d.demand_sd, 1e-6 * std::max(1.0, item.demand_mean));
    // Slow movers are counts: a normal with mean 3 puts real mass below zero and misprices
    // the first units. Below kCountMean units over the cover, demand is Poisson or negative
    // binomial with the same mean and variance (DemandDistribution::MomentMatched).
    constexpr double kCountMean = 30.0;
    if (item.demand_mean > 0 && item.demand_mean < kCountMean) {
      auto count = policy::DemandDistribution::MomentMatched(item.demand_mean, d.demand_sd, kCountMean);
      if (count.ok()) item.demand = std::move(count).value();
    }
    if (options.cap_at_plan_quantity) item.max_quantity = std::max(line.quantity, 0.0);
    item.holding_cost = h > 0 ? h : 1e-9;
    item.shortage_cost = item.holding_cost * alpha / (1.0 - alpha);
    instance.items.push_back(std::move(item));
    used_locations[line.location] = true;
    if (d.cover_days > 0) {
      lead_demand_by_location[line.location] +=
          std::max(line.lead_time_demand, 0.0) * d.lead_time_days / d.cover_days;
    }
    if (!offered[line.sku]) {
      offered[line.sku] = true;
      optimize::PlanOffer offer;
      offer.sku = line.sku;
      offer.supplier = line.supplier_id;
      offer.unit_price = std::max(line.unit_cost, 0.0);
      offer.case_pack = d.case_pack > 0 ? d.case_pack : 1.0;
      offer.lead_time_days = d.lead_time_days;
      instance.offers.push_back(std::move(offer));
    }
    optimize::PlanSupplier& supplier = suppliers[line.supplier_id];
    supplier.id = line.supplier_id;
    supplier.moq_units = std::max(supplier.moq_units, d.moq);
    supplier.order_cost = std::max(supplier.order_cost, d.order_cost);
  }
  for (auto& [id, s] : suppliers) instance.suppliers.push_back(s);
  // Capacity: the stock expected when this order lands, IP + q - E[demand over the lead
  // time], must fit the location. The MIP bounds IP + q per location, so its limit is the
  // capacity plus the expected lead-time demand of the location's items. A location already
  // over that limit gets no order, instead of an infeasible plan.
  std::map<std::string, double> position_by_location;
  for (const optimize::PlanItem& item : instance.items) {
    position_by_location[item.warehouse] += std::max(item.on_hand, 0.0) + item.on_order;
  }
  for (const auto& [id, used] : used_locations) {
    optimize::PlanWarehouse w;
    w.id = id;
    for (const Location& l : locations) {
      if (l.id == id && l.capacity_units > 0) w.capacity_units = l.capacity_units;
    }
    const double position = position_by_location[id];
    if (std::isfinite(w.capacity_units)) {
      const double capacity = w.capacity_units;
      w.capacity_units += lead_demand_by_location[id];
      if (position >= w.capacity_units) {
        out.warnings.push_back(fmt::format(
            "location {} holds {:.0f} units on hand and on order; less the {:.0f} expected to "
            "sell before an order lands, that is at or over its capacity of {:.0f}: nothing is "
            "ordered for it",
            id, position, lead_demand_by_location[id], capacity));
        w.capacity_units = position + 1e-6;
      }
    }
    instance.warehouses.push_back(std::move(w));
  }
  out.items = instance.items.size();
  if (out.skipped > 0) {
    out.warnings.push_back(fmt::format(
        "{} of {} series left out of the optimisation (stock unknown, no supplier, or master "
        "data rejected; see the plan's warnings)",
        out.skipped, plan.lines.size()));
  }

  optimize::PlanOptions plan_opts;
  plan_opts.include_purchase_cost = false;
  plan_opts.budget_includes_fixed_costs = true;
  plan_opts.solve.time_limit_s = options.time_limit_seconds;
  plan_opts.solve.relative_gap = options.relative_gap;
  ReportProgress(progress, "optimising", 0.0);
  if (instance.items.empty()) {
    out.result.status = optimize::SolveStatus::kOptimal;
    out.result.cost = {};
    out.result.notes.push_back("nothing to optimise: no series with known stock and a supplier");
  } else {
    SC_ASSIGN_OR_RETURN(out.result, optimize::SolvePurchasePlan(instance, plan_opts));
  }
  ReportProgress(progress, "optimising", 1.0);
  for (const std::string& n : out.result.notes) out.warnings.push_back(n);
  if (!options.orders_csv.empty()) {
    SC_RETURN_IF_ERROR(optimize::WritePurchaseOrderCsv(out.result, options.orders_csv));
  }
  return out;
}

}  // namespace stockcast::pipeline
