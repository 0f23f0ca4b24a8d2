#pragma once
// stockcast's TOML configuration: costs, service levels, lead times, forecast defaults and
// cleaning rules, with per-category overrides. Every field has a sensible default, so no
// config file is needed; `stockcast config --defaults` prints the full default file.
#include <map>
#include <optional>
#include <string>
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
};

struct CategoryOverride {
  std::optional<double> service_level, holding_rate, order_cost, lead_time_mean_days,
      lead_time_sd_days;
  std::optional<int> review_period_days;
};

struct ForecastSettings {
  int horizon = 28;
  std::string model = "baseline";
  std::vector<double> quantiles = {0.1, 0.5, 0.9};
};

struct Config {
  std::string source = "(defaults)";  // file it came from
  clean::CleanOptions clean;
  PlanningSettings planning;
  ForecastSettings forecast;
  std::map<std::string, CategoryOverride> categories;

  // Planning settings for a category (overrides applied over the defaults).
  PlanningSettings PlanningFor(const std::string& category) const;
  Status Validate() const;
};

// Loads a TOML file; unknown keys are errors naming the key, file and line.
Result<Config> LoadConfig(const std::string& path);
Result<Config> ParseConfig(const std::string& toml_text, const std::string& name);
// The default configuration as a commented TOML document.
std::string DefaultConfigToml();

}  // namespace stockcast::pipeline
