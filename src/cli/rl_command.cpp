// stockcast rl: trains the Q-learning replenishment agent (sim/rl_agent.h) on one SKU with lost
// sales and a fixed lead time, and compares it with base stock, (s, S) from
// simulation-optimisation and the forecast-driven order-up-to on the same demand paths.
//
// Output (--json): one object
//   setting     {demand, lead_time, holding, shortage, ordering}
//   training    {episodes, episode_days, steps, seconds, states, states_visited, max_order,
//                max_position, seed}
//   evaluation  {replications, days, warmup, seed}
//   policies    [{name, rule, cost_per_day, cost_ci, fill_rate, fill_rate_ci, holding_per_day,
//                 shortage_per_day, ordering_per_day, avg_on_hand, cost_minus_agent,
//                 cost_minus_agent_ci, verdict, fallbacks (agent)}]  (rl-agent first)
//   summary     one sentence per baseline: where the agent wins and where it does not
// (*_ci are half widths of 95 % t intervals over the evaluation paths; cost_minus_agent is
// paired by path.)
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/progress.h"
#include "stockcast/policy/demand_distribution.h"
#include "stockcast/sim/rl_agent.h"

namespace stockcast::cli {
namespace {

using Json = nlohmann::ordered_json;

struct RlArgs {
  std::string demand;
  int lead_time = 2;
  double holding = 1;
  double shortage = 9;
  double ordering = 0;
  sim::RlAgentOptions agent;
  sim::RlEvalOptions eval;
  bool json = false;
};

Json Number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

// "RlAgentOptions::episodes = 0; ..." -> "--episodes = 0; ..." (messages in terms of flags).
Error Translate(Error e) {
  static const std::pair<const char*, const char*> kFields[] = {
      {"RlEnvConfig::lead_time", "--lead-time"},
      {"RlEnvConfig::holding", "--holding"},
      {"RlEnvConfig::lost_sales", "--shortage"},
      {"RlEnvConfig::ordering", "--ordering"},
      {"RlEnvConfig::demand", "--demand"},
      {"RlAgentOptions::episodes", "--episodes"},
      {"RlAgentOptions::episode_days", "--episode-days"},
      {"RlAgentOptions::discount", "--discount"},
      {"RlAgentOptions::max_order", "--max-order"},
      {"RlAgentOptions::max_position", "--max-position"},
      {"RlEvalOptions::replications", "--replications"},
      {"RlEvalOptions::days", "--days"},
      {"RlEvalOptions::warmup_days", "--warmup"},
      {"RlEvalOptions::tuning_replications", "--tuning-replications"},
      {"RlEvalOptions::optimize_evaluations", "--evaluations"},
  };
  for (const auto& [field, flag] : kFields) {
    const size_t at = e.message.find(field);
    if (at != std::string::npos) {
      e.message.replace(at, std::string(field).size(), flag);
      break;
    }
  }
  return e;
}

Json EstimateJson(const sim::RlEstimate& e) { return Number(e.mean); }

Status RunRl(const GlobalOptions& g, RlArgs& a) {
  if (a.demand.empty()) {
    return Error::InvalidArgument(
        "no demand; give --demand, e.g. poisson:5, negbin:5,2.5, normal:20,6");
  }
  auto d = policy::DemandDistribution::Parse(a.demand);
  if (!d.ok()) {
    return Error::InvalidArgument(fmt::format(
        "--demand \"{}\": {}; expected poisson:MEAN, negbin:MEAN,SIZE, normal:MEAN,SD or "
        "pmf:V:P,...",
        a.demand, d.error().message));
  }
  sim::RlEnvConfig env;
  env.demand = *d;
  env.lead_time = a.lead_time;
  env.holding = a.holding;
  env.lost_sales = a.shortage;
  env.ordering = a.ordering;

  ProgressBar bar(!g.quiet && !a.json && StderrIsTerminal());
  auto r = sim::CompareWithBaselines(env, a.agent, a.eval, [&bar](std::string_view stage, double f) {
    bar.Update(stage, f);
  });
  bar.Clear();
  if (!r.ok()) return Translate(r.error());

  Json j;
  j["setting"] = {{"demand", env.demand.ToString()},
                  {"lead_time", env.lead_time},
                  {"holding", env.holding},
                  {"shortage", env.lost_sales},
                  {"ordering", env.ordering},
                  {"shortage_mode", "lost_sales"}};
  j["training"] = {{"method", "tabular q-learning"},
                   {"episodes", a.agent.episodes},
                   {"episode_days", a.agent.episode_days},
                   {"steps", r->training.steps},
                   {"seconds", r->training_seconds},
                   {"states", r->training.states},
                   {"states_visited", r->training.states_visited},
                   {"max_order", r->training.max_order},
                   {"max_position", r->training.max_position},
                   {"discount", a.agent.discount},
                   {"seed", a.agent.seed}};
  j["evaluation"] = {{"replications", a.eval.replications},
                     {"days", a.eval.days},
                     {"warmup", a.eval.warmup_days},
                     {"tuning_replications", a.eval.tuning_replications},
                     {"seed", a.eval.seed}};
  Json policies = Json::array();
  for (const auto& p : r->policies) {
    Json o;
    o["name"] = p.name;
    o["rule"] = p.rule;
    o["cost_per_day"] = EstimateJson(p.cost_per_day);
    o["cost_ci"] = Number(p.cost_per_day.half_width);
    o["fill_rate"] = EstimateJson(p.fill_rate);
    o["fill_rate_ci"] = Number(p.fill_rate.half_width);
    o["holding_per_day"] = EstimateJson(p.holding_per_day);
    o["shortage_per_day"] = EstimateJson(p.shortage_per_day);
    o["ordering_per_day"] = EstimateJson(p.ordering_per_day);
    o["avg_on_hand"] = EstimateJson(p.average_on_hand);
    o["cost_minus_agent"] = EstimateJson(p.cost_minus_agent);
    o["cost_minus_agent_ci"] = Number(p.cost_minus_agent.half_width);
    o["verdict"] = p.verdict;
    if (p.name == "rl-agent") o["fallbacks"] = p.fallbacks;
    policies.push_back(std::move(o));
  }
  j["policies"] = std::move(policies);
  j["summary"] = r->summary;
  if (a.json) {
    std::cout << j.dump(2) << std::endl;
    return Status::Ok();
  }
  std::cout << fmt::format(
      "demand {} per day, lead time {} days, lost sales; h = {}, p = {}, K = {}\n"
      "agent: tabular Q-learning, {} episodes x {} days ({} steps, {:.2f} s), {} of {} states "
      "visited\nevaluation: {} paths x {} days after {} warm-up days (seed {})\n\n",
      env.demand.ToString(), env.lead_time, env.holding, env.lost_sales, env.ordering,
      a.agent.episodes, a.agent.episode_days, r->training.steps, r->training_seconds,
      r->training.states_visited, r->training.states, a.eval.replications, a.eval.days,
      a.eval.warmup_days, a.eval.seed);
  std::cout << fmt::format("{:<18}{:<26}{:>18}{:>18}{:>22}  {}\n", "policy", "rule",
                           "cost/day", "fill rate", "cost - agent", "verdict");
  for (const auto& p : r->policies) {
    std::cout << fmt::format(
        "{:<18}{:<26}{:>10.4f} +-{:>6.4f}{:>10.4f} +-{:>6.4f}{:>+13.4f} +-{:>6.4f}  {}\n", p.name,
        p.rule, p.cost_per_day.mean, p.cost_per_day.half_width, p.fill_rate.mean,
        p.fill_rate.half_width, p.cost_minus_agent.mean,
        std::isfinite(p.cost_minus_agent.half_width) ? p.cost_minus_agent.half_width : 0.0,
        p.verdict);
  }
  std::cout << "\n" << r->summary << "\n";
  return Status::Ok();
}

}  // namespace

void AddRlCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto a = std::make_shared<RlArgs>();
  CLI::App* cmd = app.add_subcommand(
      "rl",
      "Train a Q-learning replenishment agent for one SKU (lost sales, fixed lead time) and "
      "compare it with base stock, (s,S) and the forecast-driven order-up-to on the same "
      "simulated demand");
  cmd->add_option("--demand", a->demand, "daily demand: poisson:5, negbin:5,2.5, normal:20,6, "
                                         "pmf:0:0.2,1:0.8");
  cmd->add_option("--lead-time", a->lead_time,
                  "days from order to arrival (>= 1; 1 = next morning)")
      ->capture_default_str();
  cmd->add_option("--holding", a->holding, "holding cost per unit on hand per day")
      ->capture_default_str();
  cmd->add_option("--shortage", a->shortage, "penalty per unit of lost sales")
      ->capture_default_str();
  cmd->add_option("--ordering", a->ordering, "cost per order placed")->capture_default_str();
  cmd->add_option("--episodes", a->agent.episodes, "training episodes")->capture_default_str();
  cmd->add_option("--episode-days", a->agent.episode_days, "days per training episode")
      ->capture_default_str();
  cmd->add_option("--discount", a->agent.discount, "discount factor gamma in (0, 1)")
      ->capture_default_str();
  cmd->add_option("--max-order", a->agent.max_order,
                  "largest order the agent may place (0 = 2 x the 99.9 % daily quantile)")
      ->capture_default_str();
  cmd->add_option("--max-position", a->agent.max_position,
                  "cap of the agent's state (on hand, inventory position); 0 = automatic")
      ->capture_default_str();
  cmd->add_option("--seed", a->agent.seed, "training seed")->capture_default_str();
  cmd->add_option("--eval-seed", a->eval.seed, "seed of the evaluation and tuning paths")
      ->capture_default_str();
  cmd->add_option("--replications", a->eval.replications, "evaluation paths (>= 2)")
      ->capture_default_str();
  cmd->add_option("--days", a->eval.days, "measured days per path")->capture_default_str();
  cmd->add_option("--warmup", a->eval.warmup_days, "days simulated first and not measured")
      ->capture_default_str();
  cmd->add_option("--tuning-replications", a->eval.tuning_replications,
                  "paths for tuning base stock and (s,S) (independent of the evaluation)")
      ->capture_default_str();
  cmd->add_option("--evaluations", a->eval.optimize_evaluations,
                  "simulation-optimisation budget per (s,S) search")
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "print one JSON object");
  cmd->footer(
      "Cost per day = holding (end-of-day on hand) + shortage (units lost) + ordering; the "
      "intervals are 95 % t intervals over the evaluation paths, 'cost - agent' paired by path.\n"
      "Exit codes: 0 ok, 2 bad command line, 3 invalid value.");
  cmd->callback([&global, runner, a]() {
    *runner = [&global, a]() { return JsonAware(a->json, RunRl(global, *a)); };
  });
}

}  // namespace stockcast::cli
