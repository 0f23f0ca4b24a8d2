#pragma once
// `stockcast plan`: the closed loop over the store, from history to orders a planner can trust.
//
//   1. forecast   reuse the latest forecast when it is newer than the latest import (and no
//                 model was asked for); otherwise forecast every series with [plan]
//                 forecast_model (default `auto`) over max([forecast] horizon, projection) days
//   2. classes    ABC by the value of the last 365 days' demand (x unit cost; units when no
//                 product has a cost), XYZ by the coefficient of variation of weekly demand
//                 over the last 52 weeks; the class matrix gives each cell a service target
//                 (policy/classify.h; [plan] class_matrix overrides cells). A category that
//                 sets its own service_level keeps it.
//   3. policy     per SKU x location (R, s, S) levels for the target over the forecast's own
//                 demand distribution (policy/replenishment.h), MOQ and case packs per line
//   4. constrain  with a budget or a location capacity, the purchase plan MIP
//                 (pipeline/optimize_run.h) replaces the quantities and names the constraint
//                 that bound each line; without either, the per-line quantities stand
//   5. project    end-of-day on hand for the next projection_days (56), P10/P50/P90 over 100
//                 simulated demand paths, if the plan is followed: open orders and today's order
//                 arrive, and every later review orders by the same (s, S) levels
//   6. risks      risk/risk.h per series with known stock; alerts merged with the stored ones
//                 (deduplicated by type|sku|location, escalating while they persist, resolved
//                 when gone) and saved
//   7. KPIs       risk/kpi.h over the last 365 days of history (monthly), saved with the run
//   8. files      DIR/orders.csv, alerts.csv, kpis.json, projection.csv, report.html
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"
#include "stockcast/core/progress.h"
#include "stockcast/optimize/purchase_plan.h"
#include "stockcast/pipeline/config.h"
#include "stockcast/pipeline/forecast_run.h"
#include "stockcast/pipeline/plan_run.h"
#include "stockcast/risk/alerts.h"
#include "stockcast/risk/kpi.h"
#include "stockcast/risk/risk.h"
#include "stockcast/store/store.h"

namespace stockcast::pipeline {

struct PlanLoopOptions {
  std::string out_dir;          // write the five files here; "" = store only
  std::optional<Date> as_of;    // as for RunPlan
  std::string model;            // forecast with this model spec (forces a new forecast)
  // Forecast with this saved global model (`stockcast train`; forces a new forecast); with
  // neither, [plan] forecast_model_file, else forecast_model.
  std::string model_file;
  bool reforecast = false;      // forecast even when a fresh forecast exists
  double budget = optimize::kInfinity;  // money for purchases and order costs; inf = none
  double time_limit_seconds = 60;       // for the MIP
  int threads = 0;                      // forecasting; 0 = every core
  Status Validate() const;
};

// One series' projection with the policy followed (step 5).
struct PolicyProjection {
  std::vector<double> p10, p50, p90;  // end-of-day on hand, day 0 = as_of
  std::vector<double> arrivals_p50;   // units arriving each day on the P50 path
  double lower_line = 0, upper_line = 0;  // warning lines in units (0 = none)
};

struct PlanLoopSummary {
  bool forecasted = false;            // step 1 ran a forecast (else reused one)
  ForecastRunSummary forecast;        // when forecasted
  int64_t forecast_run_id = 0;
  PlanRunSummary plan;                // final lines (after step 4), saved as run plan.run_id
  std::vector<std::string> classes;   // parallel to plan.lines: "AX" ... ("" = not classified)
  std::map<std::string, int> class_counts;
  bool optimized = false;             // step 4 ran the MIP
  optimize::SolveStatus optimize_status = optimize::SolveStatus::kOptimal;
  std::vector<PolicyProjection> projections;  // parallel to plan.lines
  std::vector<risk::Risk> risks;
  risk::AlertMerge alerts;            // the merge of this run (ids filled after saving)
  std::vector<risk::KpiRow> kpis;
  Date kpi_from, kpi_to;
  std::vector<std::string> files;     // written, in order
  std::vector<std::pair<std::string, double>> step_seconds;
  std::vector<std::string> warnings;
};

// Errors: an empty store ("no demand history in DB; run `stockcast import` first"), invalid
// options or config, store failures, unwritable files. Per-series problems never fail the run.
Result<PlanLoopSummary> RunPlanLoop(Store& store, const Config& config,
                                    const PlanLoopOptions& options,
                                    const ProgressFn& progress = {});

// Step 5 for one series, by simulation: `paths` daily demand paths, each day lognormal
// with that day's mean and sd (mean[0] is day 0 = as_of; sd = 0 everywhere gives one
// deterministic path), through the policy: `arrivals` (day index >= 0, units: open orders and
// today's planned order) land at the start of their day; every review_days from day 0 (day 0's
// order is already in `arrivals`) the end-of-day position on hand + on order is compared with s,
// and at or below it S - position is ordered (whole case packs, at least the MOQ), arriving
// lead_days later. Lost sales: stock never goes below 0. P10/P50/P90 are the per-day nearest-rank
// percentiles of end-of-day on hand over the paths; arrivals_p50 is the mean units arriving.
// Deterministic by `seed`.
PolicyProjection ProjectWithPolicy(const std::vector<double>& mean, const std::vector<double>& sd,
                                   double on_hand,
                                   const std::vector<std::pair<int, double>>& arrivals,
                                   double reorder_point, double order_up_to, int review_days,
                                   int lead_days, double case_pack, double moq, int paths = 100,
                                   uint64_t seed = 1);

}  // namespace stockcast::pipeline
