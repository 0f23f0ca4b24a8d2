#pragma once
// stockcast's TOML configuration: costs, service levels, lead times, forecast defaults and
// cleaning rules, with per-category overrides. Every field has a sensible default, so no
// config file is needed; `stockcast config --defaults` prints the full default file.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stockcast/clean/clean_options.h"
#include "stockcast/core/error.h"

namespace stockcast::pipeline {

// Planning settings that a category may override.
struct PlanningSettings {
  double service_level = 0.95;      // cycle service level target, in (0, 1)
  double holding_rate = 0.25;       // yearly holding cost as a fraction of unit cost
  double order_cost = 50.0;         // fixed cost per purchase order when the supplier has none
  double lead_time_mean_days = 7.0; // used when the product's supplier is unknown
  double lead_time_sd_days = 2.0;
  int review_period_days = 7;       // days between order decisions
  // Warning lines in days of supply (0 = none): [plan] values, a category may override.
  double warning_lower_days = 0, warning_upper_days = 0;
  bool service_level_from_category = false;  // the category set service_level itself
};

struct CategoryOverride {
  std::optional<double> service_level, holding_rate, order_cost, lead_time_mean_days,
      lead_time_sd_days, warning_lower_days, warning_upper_days;
  std::optional<int> review_period_days;
};

struct ForecastSettings {
  int horizon = 28;
  std::string model = "baseline";
  std::vector<double> quantiles = {0.1, 0.5, 0.9};
};

// The closed loop of `stockcast plan --out DIR` (plan_loop.h): classes and service targets,
// projection, risk and alert settings.
struct LoopSettings {
  std::string forecast_model = "auto";  // model the loop forecasts with when it forecasts
  // A saved global model (`stockcast train`) to forecast with instead of forecast_model: the
  // loop then predicts without retraining. Empty = none.
  std::string forecast_model_file;
  int projection_days = 56;             // stock projected this many days ahead, >= 7
  // Service target per ABC/XYZ class from the class matrix (policy/classify.h) instead of
  // [planning] service_level; a category that sets its own service_level keeps it.
  bool class_targets = true;
  std::string class_matrix;             // overrides of the default matrix, "AX=rQ:0.99,..."
  double a_share = 0.80, b_share = 0.95, x_cv = 0.5, y_cv = 1.0;
  // "fill_rate" (share of demand served from stock) or "cycle_service" (share of replenishment
  // cycles without a stockout): how the service targets are read.
  std::string service_measure = "fill_rate";
  int dead_stock_days = 90;       // on hand and no sale for this many days
  int overstock_days = 90;        // stock beyond this many days of forecast demand is excess
  // Warning lines in days of supply (0 = none), and per ABC class "A=7:45,C=3:120".
  double warning_lower_days = 0, warning_upper_days = 0;
  std::string warning_lines_by_class;
  // Per SKU, from [plan.warning_lines] ("SKU-1" = "7:45"): lower, upper days of supply; the SKU's
  // lines win over its class's, which win over its category's and the [plan] defaults.
  std::map<std::string, std::pair<double, double>> sku_warning_lines;
  int escalate_after_runs = 3;    // an alert rises one level after this many runs in a row
};

struct Config {
  std::string source = "(defaults)";  // file it came from
  clean::CleanOptions clean;
  PlanningSettings planning;
  ForecastSettings forecast;
  LoopSettings loop;
  std::map<std::string, CategoryOverride> categories;

  // Planning settings for a category (overrides applied over the defaults).
  PlanningSettings PlanningFor(const std::string& category) const;
  Status Validate() const;
};

// "A=7:45,C=3:120" -> {'A': {7, 45}, 'C': {3, 120}} (lower, upper days of supply; 0 = none).
Result<std::map<char, std::pair<double, double>>> ParseClassWarningLines(std::string_view text);

// Loads a TOML file; unknown keys are errors naming the key, file and line.
Result<Config> LoadConfig(const std::string& path);
Result<Config> ParseConfig(const std::string& toml_text, const std::string& name);
// The default configuration as a commented TOML document.
std::string DefaultConfigToml();

}  // namespace stockcast::pipeline
