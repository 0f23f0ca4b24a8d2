// stockcast evaluate: the walk-forward backtest of replenishment policies over the store's
// history (pipeline/evaluate_run.h). Text: one row per policy side by side, then plan against
// baseline; --json: an array with one object per policy, the contract fields first (policy,
// fill_rate, cycle_service_level, total_cost, holding_cost, ordering_cost, shortage_cost,
// avg_inventory, turnover, stockout_days), then extras.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/progress.h"
#include "stockcast/pipeline/config.h"
#include "stockcast/pipeline/evaluate_run.h"
#include "stockcast/store/store.h"

namespace stockcast::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

struct EvaluateArgs {
  std::string db = kDefaultStorePath;
  std::string policies = "plan,baseline";
  double target_fill_rate = 0.95;
  std::string from;
  std::string to;
  std::string model = "auto";
  int refit_every = 28;
  bool backorders = false;
  std::optional<double> shortage_cost_factor;
  std::optional<double> unit_cost_ratio;
  int calibrate = 0;
  int max_series = 0;
  uint64_t seed = 42;
  int threads = 0;
  bool json = false;
};

Result<std::optional<Date>> ParseDateFlag(const std::string& text, std::string_view flag) {
  if (text.empty()) return std::optional<Date>();
  auto d = Date::Parse(text);
  if (!d) {
    return Error::InvalidArgument(
        fmt::format("{} = \"{}\"; must be a date YYYY-MM-DD", flag, text));
  }
  return std::optional<Date>(*d);
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(pos, comma - pos);
    const size_t a = item.find_first_not_of(" \t");
    const size_t b = item.find_last_not_of(" \t");
    item = a == std::string::npos ? std::string() : item.substr(a, b - a + 1);
    if (!item.empty()) out.push_back(item);
    pos = comma + 1;
  }
  return out;
}

// The library names its fields; the user typed flags.
Error WithFlagNames(Error error) {
  static const std::pair<std::string_view, std::string_view> kFields[] = {
      {"target_fill_rate", "--target-fill-rate"}, {"refit_every", "--refit-every"},
      {"shortage_cost_factor", "--shortage-cost-factor"}, {"max_series", "--max-series"},
      {"unit_cost_ratio", "--unit-cost-ratio"}, {"calibration_windows", "--calibrate"},
      {"threads", "--threads"}, {"from", "--from"}, {"to", "--to"}, {"policies", "--policies"}};
  for (const auto& [field, flag] : kFields) {
    const std::string prefix = std::string(field) + " ";
    if (error.message.rfind(prefix, 0) == 0) {
      error.message = std::string(flag) + error.message.substr(field.size());
      break;
    }
  }
  if (error.message.rfind("unknown policy", 0) == 0 || error.message.find("listed twice") !=
                                                           std::string::npos) {
    error.message = "--policies: " + error.message;
  }
  return error;
}

Status RunEvaluateCommand(const GlobalOptions& g, EvaluateArgs& a) {
  SC_ASSIGN_OR_RETURN(pipeline::Config config, LoadEffectiveConfig(g));
  pipeline::EvaluateOptions o;
  o.policies = SplitList(a.policies);
  o.target_fill_rate = a.target_fill_rate;
  SC_ASSIGN_OR_RETURN(o.from, ParseDateFlag(a.from, "--from"));
  SC_ASSIGN_OR_RETURN(o.to, ParseDateFlag(a.to, "--to"));
  o.model = a.model;
  o.refit_every = a.refit_every;
  o.shortage = a.backorders ? sim::ShortageMode::kBackorder : sim::ShortageMode::kLostSales;
  o.shortage_cost_factor = a.shortage_cost_factor;
  o.unit_cost_ratio = a.unit_cost_ratio;
  o.calibration_windows = a.calibrate;
  o.max_series = a.max_series;
  o.seed = a.seed;
  o.threads = a.threads;
  Status valid = o.Validate();
  if (!valid.ok()) return WithFlagNames(valid.error());
  SC_ASSIGN_OR_RETURN(auto store, OpenExistingStore(a.db));

  ProgressBar bar(!g.quiet && !a.json && StderrIsTerminal());
  auto sum = pipeline::RunEvaluate(
      *store, config, o, [&bar](std::string_view stage, double f) { bar.Update(stage, f); });
  bar.Clear();
  if (!sum.ok()) return WithFlagNames(sum.error());

  if (a.json) {
    Json out = Json::array();
    for (const pipeline::EvaluatePolicyRow& r : sum->policies) {
      Json j;
      j["policy"] = r.policy;
      j["fill_rate"] = r.fill_rate;
      j["cycle_service_level"] = r.cycle_service_level;
      j["total_cost"] = r.total_cost;
      j["holding_cost"] = r.holding_cost;
      j["ordering_cost"] = r.ordering_cost;
      j["shortage_cost"] = r.shortage_cost;
      j["avg_inventory"] = r.avg_inventory;
      j["turnover"] = r.turnover;
      j["stockout_days"] = r.stockout_days;
      j["demand"] = r.demand;
      j["filled"] = r.filled;
      j["lost_units"] = r.lost_units;
      j["orders"] = r.orders;
      j["series"] = r.series;
      j["days"] = r.days;
      j["from"] = sum->from.ToString();
      j["to"] = sum->to.ToString();
      j["target_fill_rate"] = sum->target_fill_rate;
      j["shortage_mode"] = sum->shortage_mode;
      j["model"] = r.policy == "baseline" ? Json(nullptr) : Json(sum->model);
      out.push_back(std::move(j));
    }
    std::cout << out.dump(2) << std::endl;
    return Status::Ok();
  }

  std::cout << fmt::format(
      "Walk-forward evaluation {} .. {} ({} days, {} series, {}, target fill rate {:.1f}%; "
      "plan's model {}: {} fits, {} fallbacks; {:.1f} s)\n\n",
      sum->from.ToString(), sum->to.ToString(), sum->days, sum->series, sum->shortage_mode,
      100.0 * sum->target_fill_rate, sum->model, sum->fits, sum->fallback_fits, sum->seconds);
  std::cout << fmt::format("{:<10} {:>8} {:>8} {:>12} {:>11} {:>11} {:>11} {:>10} {:>9} {:>9}\n",
                           "policy", "fill", "CSL", "total cost", "holding", "ordering",
                           "shortage", "avg inv", "turnover", "stockout");
  for (const pipeline::EvaluatePolicyRow& r : sum->policies) {
    std::cout << fmt::format(
        "{:<10} {:>7.2f}% {:>7.2f}% {:>12.2f} {:>11.2f} {:>11.2f} {:>11.2f} {:>10.1f} {:>9.2f} "
        "{:>9.0f}\n",
        r.policy, 100.0 * r.fill_rate, 100.0 * r.cycle_service_level, r.total_cost,
        r.holding_cost, r.ordering_cost, r.shortage_cost, r.avg_inventory, r.turnover,
        r.stockout_days);
  }
  const pipeline::EvaluatePolicyRow* plan = nullptr;
  const pipeline::EvaluatePolicyRow* base = nullptr;
  for (const auto& r : sum->policies) {
    if (r.policy == "plan") plan = &r;
    if (r.policy == "baseline") base = &r;
  }
  if (plan != nullptr && base != nullptr) {
    std::cout << "\n"
              << (base->total_cost > 0
                      ? fmt::format("plan's total cost = {:.1f}% of baseline's",
                                    100.0 * plan->total_cost / base->total_cost)
                      : std::string("baseline's total cost is 0"))
              << fmt::format(", fill rate {:.2f}% vs {:.2f}% (target {:.1f}%)\n",
                             100.0 * plan->fill_rate, 100.0 * base->fill_rate,
                             100.0 * sum->target_fill_rate);
  }
  std::cout << "(turnover: units served / average inventory, per year; stockout: "
               "series-days with demand not filled from stock)\n";
  return Status::Ok();
}

}  // namespace

void AddEvaluateCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto args = std::make_shared<EvaluateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "evaluate",
      "Walk-forward backtest over the store's history: each policy orders with only the data "
      "known at that day; reports cost, fill rate, cycle service level, stockouts, inventory");
  cmd->add_option("--db", args->db, "store file")->capture_default_str();
  cmd->add_option("--policies", args->policies,
                  "comma-separated policies: plan, plan-csl, baseline")
      ->capture_default_str();
  cmd->add_option("--target-fill-rate", args->target_fill_rate,
                  "fill-rate target in (0, 1) (baseline uses it as a cycle-service level)")
      ->capture_default_str();
  cmd->add_option("--from", args->from,
                  "first evaluated day YYYY-MM-DD (default: 365 days before --to, leaving >= "
                  "56 days of history)");
  cmd->add_option("--to", args->to, "last evaluated day YYYY-MM-DD (default: the history's end)");
  cmd->add_option("--model", args->model, "plan's forecast model spec")->capture_default_str();
  cmd->add_option("--refit-every", args->refit_every, "days between refits of plan's forecast")
      ->capture_default_str();
  cmd->add_flag("--backorders", args->backorders,
                "unmet demand waits (default: lost sales); shortage cost per unit-day");
  cmd->add_option("--shortage-cost-factor", args->shortage_cost_factor,
                  "shortage cost per unit as a multiple of unit cost (default: the lost margin "
                  "price - cost, at least 0.25 x cost)");
  cmd->add_option("--calibrate", args->calibrate,
                  "rescale plan's forecast intervals on W backtest windows at every refit "
                  "(0 = the model's own intervals)")
      ->capture_default_str();
  cmd->add_option("--unit-cost-ratio", args->unit_cost_ratio,
                  "cost a product without a unit cost at this fraction of its average selling "
                  "price (default: none; its holding cost is then 0)");
  cmd->add_option("--max-series", args->max_series, "evaluate only the first N series (0 = all)")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of the lead-time draws")->capture_default_str();
  cmd->add_option("--threads", args->threads, "series in parallel (0 = all cores)")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "print one JSON object per policy (an array)");
  cmd->callback([&global, runner, args]() {
    *runner = [&global, args]() { return JsonAware(args->json, RunEvaluateCommand(global, *args)); };
  });
}

}  // namespace stockcast::cli
