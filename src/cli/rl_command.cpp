// stockcast rl: trains a replenishment agent -- the tabular Q-learning agent (sim/rl_agent.h) or
// the DQN in LibTorch (sim/dqn_agent.h), or both -- and compares it with the classic rules on the
// same simulated demand (common random numbers), with lost sales and a fixed lead time.
//   one SKU (--demand):          base stock, (s, S) from simulation-optimisation (also at the
//                                agent's fill rate) and the forecast-driven order-up-to
//   warehouses (--warehouses):   W warehouses ordering from one supplier with a daily capacity
//                                (--capacity); DQN only; base stock per warehouse tuned by
//                                coordinate search (also at the agent's fill rate) and the
//                                forecast-driven order-up-to, all with proportional rationing
//                                (sim/multi_warehouse.h)
//
// Output (--json): one object
//   setting     {demand | warehouses, capacity, lead_time, holding, shortage, ordering}
//   training    the reference agent: {method, steps, seconds, ...; tabular: episodes, states,
//                states_visited, max_order, max_position; dqn: rule, validation}
//   agents      [{name, method, rule, seconds, steps}]  (single SKU; reference first)
//   evaluation  {replications, days, warmup, seed}
//   policies    [{name, rule, cost_per_day, cost_ci, fill_rate, fill_rate_ci, holding_per_day,
//                 shortage_per_day, ordering_per_day, avg_on_hand, cost_minus_agent,
//                 cost_minus_agent_ci, verdict, fallbacks (tabular agent);
//                 warehouses: fill_rate_by_warehouse, cut_per_day}]  (rl-agent / rl-dqn first)
//   summary     one sentence per baseline: where the agent wins and where it does not
// (*_ci are half widths of 95 % t intervals over the evaluation paths; cost_minus_agent is
// paired by path.)
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/progress.h"
#include "stockcast/policy/demand_distribution.h"
#include "stockcast/sim/dqn_agent.h"
#include "stockcast/sim/multi_warehouse.h"
#include "stockcast/sim/rl_agent.h"

namespace stockcast::cli {
namespace {

using Json = nlohmann::ordered_json;

struct RlArgs {
  std::string demand;
  std::string warehouses;  // "poisson:5;negbin:3,2"
  int64_t capacity = 0;
  std::string agents = "q";
  int lead_time = 2;
  double holding = 1;
  double shortage = 9;
  double ordering = 0;
  int max_order = 0;
  uint64_t seed = 42;
  sim::RlAgentOptions agent;
  sim::DqnOptions dqn;
  sim::RlEvalOptions eval;
  bool json = false;
  // Flags given on the command line, to report those the chosen agents do not use.
  std::vector<std::string> q_flags_given;
  std::vector<std::string> dqn_flags_given;
  bool capacity_given = false;
};

// Flags of one agent only.
constexpr const char* kQFlags[] = {"--episodes", "--episode-days", "--discount",
                                   "--max-position"};
constexpr const char* kDqnFlags[] = {
    "--dqn-steps",         "--dqn-hidden",   "--dqn-layers",      "--dqn-lr",
    "--dqn-lr-end",        "--dqn-batch",    "--dqn-buffer",      "--dqn-train-every",
    "--dqn-target-update", "--dqn-discount", "--dqn-dueling",     "--dqn-exploration",
    "--dqn-validation-every", "--threads"};

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
      {"DqnOptions::steps", "--dqn-steps"},
      {"DqnOptions::hidden", "--dqn-hidden"},
      {"DqnOptions::layers", "--dqn-layers"},
      {"DqnOptions::learning_rate_end", "--dqn-lr-end"},
      {"DqnOptions::learning_rate", "--dqn-lr"},
      {"DqnOptions::batch", "--dqn-batch"},
      {"DqnOptions::train_every", "--dqn-train-every"},
      {"DqnOptions::buffer", "--dqn-buffer"},
      {"DqnOptions::learning_starts", "learning starts (min(5000, --dqn-steps))"},
      {"DqnOptions::target_update", "--dqn-target-update"},
      {"DqnOptions::discount", "--dqn-discount"},
      {"DqnOptions::exploration_fraction", "--dqn-exploration"},
      {"DqnOptions::validation_every", "--dqn-validation-every"},
      {"DqnOptions::max_order", "--max-order"},
      {"DqnOptions::threads", "--threads"},
      {"MultiEnvConfig::capacity", "--capacity"},
      {"MultiEnvConfig::demands", "--warehouses"},
      {"MultiEnvConfig::lead_time", "--lead-time"},
      {"MultiEnvConfig::holding", "--holding"},
      {"MultiEnvConfig::lost_sales", "--shortage"},
      {"MultiEnvConfig::ordering", "--ordering"},
      {"MultiEnvConfig", "--warehouses"},
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

Json PolicyJson(const sim::RlPolicyResult& p) {
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
  return o;
}

std::string PolicyLine(const sim::RlPolicyResult& p, int rule_width, bool pad_verdict) {
  return fmt::format(
      "{:<26}{:<{}}{:>10.4f} +-{:>6.4f}{:>10.4f} +-{:>6.4f}{:>+13.4f} +-{:>6.4f}  {:<{}}", p.name,
      p.rule, rule_width, p.cost_per_day.mean, p.cost_per_day.half_width, p.fill_rate.mean,
      p.fill_rate.half_width, p.cost_minus_agent.mean,
      std::isfinite(p.cost_minus_agent.half_width) ? p.cost_minus_agent.half_width : 0.0,
      p.verdict, pad_verdict ? 27 : 0);
}

// The agents of --agent ("q", "dqn", "dqn,q"), and the agent-specific flags they leave unused.
Result<std::vector<sim::RlAgentKind>> ParseAgents(const RlArgs& a, bool multi) {
  std::vector<sim::RlAgentKind> kinds;
  size_t from = 0;
  while (from <= a.agents.size()) {
    const size_t comma = std::min(a.agents.find(',', from), a.agents.size());
    const std::string name = a.agents.substr(from, comma - from);
    auto kind = sim::ParseRlAgentKind(name);
    if (!kind.ok()) return Error::InvalidArgument("--agent: " + kind.error().message);
    if (std::find(kinds.begin(), kinds.end(), *kind) != kinds.end()) {
      return Error::InvalidArgument(
          fmt::format("--agent \"{}\": {} named twice; give each agent once", a.agents, name));
    }
    kinds.push_back(*kind);
    from = comma + 1;
  }
  const bool q = std::find(kinds.begin(), kinds.end(), sim::RlAgentKind::kQLearning) != kinds.end();
  const bool dqn = std::find(kinds.begin(), kinds.end(), sim::RlAgentKind::kDqn) != kinds.end();
  if (multi && (q || kinds.size() != 1)) {
    return Error::InvalidArgument(fmt::format(
        "--agent \"{}\" with --warehouses; must be dqn (the tabular agent is single-SKU only)",
        a.agents));
  }
  if (!q && !a.q_flags_given.empty()) {
    return Error::InvalidArgument(fmt::format(
        "{} applies to the tabular agent (--agent q), which this run does not train",
        a.q_flags_given.front()));
  }
  if (!dqn && !a.dqn_flags_given.empty()) {
    return Error::InvalidArgument(fmt::format(
        "{} applies to the DQN agent (--agent dqn), which this run does not train",
        a.dqn_flags_given.front()));
  }
  return kinds;
}

Status RunMulti(const GlobalOptions& g, RlArgs& a) {
  sim::MultiEnvConfig env;
  size_t from = 0;
  while (from <= a.warehouses.size()) {
    const size_t semi = std::min(a.warehouses.find(';', from), a.warehouses.size());
    const std::string spec = a.warehouses.substr(from, semi - from);
    auto d = policy::DemandDistribution::Parse(spec);
    if (!d.ok()) {
      return Error::InvalidArgument(fmt::format(
          "--warehouses[{}] \"{}\" in \"{}\": {}; expected demands separated by ';', each "
          "poisson:MEAN, negbin:MEAN,SIZE, normal:MEAN,SD or pmf:V:P,... (indices from 0)",
          env.demands.size(), spec, a.warehouses, d.error().message));
    }
    env.demands.push_back(*d);
    from = semi + 1;
  }
  env.lead_time = a.lead_time;
  env.holding = a.holding;
  env.lost_sales = a.shortage;
  env.ordering = a.ordering;
  env.capacity = a.capacity;

  ProgressBar bar(!g.quiet && !a.json && StderrIsTerminal());
  auto r = sim::CompareMultiWarehouse(env, a.dqn, a.eval,
                                      [&bar](std::string_view stage, double f) {
                                        bar.Update(stage, f);
                                      });
  bar.Clear();
  if (!r.ok()) return Translate(r.error());

  Json warehouses = Json::array();
  for (const auto& d : env.demands) warehouses.push_back(d.ToString());
  Json j;
  j["setting"] = {{"warehouses", warehouses},
                  {"capacity", env.capacity},
                  {"capacity_share", r->capacity_share},
                  {"lead_time", env.lead_time},
                  {"holding", env.holding},
                  {"shortage", env.lost_sales},
                  {"ordering", env.ordering},
                  {"shortage_mode", "lost_sales"},
                  {"rationing", "proportional"}};
  Json validation = Json::array();
  for (const auto& [step, cost] : r->validation) validation.push_back({step, cost});
  j["training"] = {{"method", "dqn (libtorch)"},
                   {"rule", r->training_details},
                   {"steps", r->training_steps},
                   {"seconds", r->training_seconds},
                   {"best_step", r->best_step},
                   {"validation", validation},
                   {"seed", a.dqn.seed}};
  j["evaluation"] = {{"replications", a.eval.replications},
                     {"days", a.eval.days},
                     {"warmup", a.eval.warmup_days},
                     {"tuning_replications", a.eval.tuning_replications},
                     {"seed", a.eval.seed}};
  Json policies = Json::array();
  for (const auto& p : r->policies) {
    Json o = PolicyJson(p.overall);
    Json fills = Json::array();
    for (const auto& f : p.fill_rate_by_warehouse) fills.push_back(Number(f.mean));
    o["fill_rate_by_warehouse"] = std::move(fills);
    o["cut_per_day"] = EstimateJson(p.cut_per_day);
    policies.push_back(std::move(o));
  }
  j["policies"] = std::move(policies);
  j["summary"] = r->summary;
  if (a.json) {
    std::cout << j.dump(2) << std::endl;
    return Status::Ok();
  }
  std::string names;
  for (size_t w = 0; w < env.demands.size(); ++w) {
    names += fmt::format("{}{}", w ? "; " : "", env.demands[w].ToString());
  }
  std::cout << fmt::format(
      "{} warehouses ({}), one supplier with capacity {}; lead time {} days, lost sales; "
      "h = {}, p = {}, K = {}\nagent: {} ({:.2f} s)\nevaluation: {} paths x {} days after {} "
      "warm-up days (seed {})\n\n",
      env.demands.size(), names,
      env.capacity > 0 ? fmt::format("{} units/day ({:.2f} x mean demand)", env.capacity,
                                     r->capacity_share)
                       : std::string("unlimited"),
      env.lead_time, env.holding, env.lost_sales, env.ordering, r->training_details,
      r->training_seconds, a.eval.replications, a.eval.days, a.eval.warmup_days, a.eval.seed);
  std::cout << fmt::format("{:<26}{:<40}{:>18}{:>18}{:>22}  {:<27}{}\n", "policy", "rule",
                           "cost/day", "fill rate", "cost - agent", "verdict",
                           "fill by warehouse; cut/day");
  for (const auto& p : r->policies) {
    std::string fills;
    for (const auto& f : p.fill_rate_by_warehouse) {
      fills += fmt::format("{}{:.4f}", fills.empty() ? "" : " ", f.mean);
    }
    std::cout << fmt::format("{}{}; {:.3f}\n", PolicyLine(p.overall, 40, true), fills,
                             p.cut_per_day.mean);
  }
  std::cout << "\n" << r->summary << "\n";
  return Status::Ok();
}

Status RunRl(const GlobalOptions& g, RlArgs& a) {
  a.agent.max_order = a.max_order;
  a.dqn.max_order = a.max_order;
  a.agent.seed = a.seed;
  a.dqn.seed = a.seed;
  a.dqn.learning_starts =
      std::max<int64_t>(a.dqn.batch, std::min<int64_t>(5000, a.dqn.steps / 10));
  if (!a.warehouses.empty() && !a.demand.empty()) {
    return Error::InvalidArgument(
        "--demand and --warehouses both given; give --demand for one SKU or --warehouses for "
        "several warehouses sharing a supplier");
  }
  const bool multi = !a.warehouses.empty();
  SC_ASSIGN_OR_RETURN(std::vector<sim::RlAgentKind> kinds, ParseAgents(a, multi));
  if (multi) return RunMulti(g, a);
  if (a.capacity_given) {
    return Error::InvalidArgument(
        "--capacity applies to --warehouses (a supplier shared by several warehouses); one SKU "
        "(--demand) has no capacity limit");
  }
  if (a.demand.empty()) {
    return Error::InvalidArgument(
        "no demand; give --demand, e.g. poisson:5, negbin:5,2.5, normal:20,6, or --warehouses "
        "\"poisson:5;negbin:3,2\"");
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
  auto r = sim::CompareAgentsWithBaselines(env, kinds, a.agent, a.dqn, a.eval,
                                           [&bar](std::string_view stage, double f) {
                                             bar.Update(stage, f);
                                           });
  bar.Clear();
  if (!r.ok()) return Translate(r.error());

  const sim::RlAgentRun& ref = r->agents.front();
  const bool ref_q = kinds.front() == sim::RlAgentKind::kQLearning;
  Json j;
  j["setting"] = {{"demand", env.demand.ToString()},
                  {"lead_time", env.lead_time},
                  {"holding", env.holding},
                  {"shortage", env.lost_sales},
                  {"ordering", env.ordering},
                  {"shortage_mode", "lost_sales"}};
  if (ref_q) {
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
  } else {
    j["training"] = {{"method", ref.method},   {"rule", ref.rule},
                     {"steps", ref.steps},     {"seconds", ref.training_seconds},
                     {"hidden", a.dqn.hidden}, {"layers", a.dqn.layers},
                     {"discount", a.dqn.discount}, {"seed", a.dqn.seed}};
  }
  Json agents = Json::array();
  for (const auto& run : r->agents) {
    agents.push_back({{"name", run.name},
                      {"method", run.method},
                      {"rule", run.rule},
                      {"seconds", run.training_seconds},
                      {"steps", run.steps}});
  }
  j["agents"] = std::move(agents);
  j["evaluation"] = {{"replications", a.eval.replications},
                     {"days", a.eval.days},
                     {"warmup", a.eval.warmup_days},
                     {"tuning_replications", a.eval.tuning_replications},
                     {"seed", a.eval.seed}};
  Json policies = Json::array();
  for (const auto& p : r->policies) {
    Json o = PolicyJson(p);
    if ((p.name == "rl-agent" && ref_q) || p.name == "rl-q-learning") o["fallbacks"] = p.fallbacks;
    policies.push_back(std::move(o));
  }
  j["policies"] = std::move(policies);
  j["summary"] = r->summary;
  if (a.json) {
    std::cout << j.dump(2) << std::endl;
    return Status::Ok();
  }
  std::cout << fmt::format(
      "demand {} per day, lead time {} days, lost sales; h = {}, p = {}, K = {}\n",
      env.demand.ToString(), env.lead_time, env.holding, env.lost_sales, env.ordering);
  for (const auto& run : r->agents) {
    std::cout << fmt::format("{}: {}, {} ({} training days, {:.2f} s)", run.name, run.method,
                             run.rule, run.steps, run.training_seconds);
    if (run.method == "tabular q-learning") {
      std::cout << fmt::format(", {} of {} states visited", r->training.states_visited,
                               r->training.states);
    }
    std::cout << "\n";
  }
  std::cout << fmt::format("evaluation: {} paths x {} days after {} warm-up days (seed {})\n\n",
                           a.eval.replications, a.eval.days, a.eval.warmup_days, a.eval.seed);
  std::cout << fmt::format("{:<26}{:<40}{:>18}{:>18}{:>22}  {}\n", "policy", "rule",
                           "cost/day", "fill rate", "cost - agent", "verdict");
  for (const auto& p : r->policies) std::cout << PolicyLine(p, 40, false) << "\n";
  std::cout << "\n" << r->summary << "\n";
  return Status::Ok();
}

}  // namespace

void AddRlCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto a = std::make_shared<RlArgs>();
  CLI::App* cmd = app.add_subcommand(
      "rl",
      "Train a replenishment agent (tabular Q-learning or a DQN) for one SKU or several "
      "warehouses sharing a supplier (lost sales, fixed lead time) and compare it with base "
      "stock, (s,S) and the forecast-driven order-up-to on the same simulated demand");
  cmd->add_option("--demand", a->demand, "daily demand: poisson:5, negbin:5,2.5, normal:20,6, "
                                         "pmf:0:0.2,1:0.8");
  cmd->add_option("--warehouses", a->warehouses,
                  "several warehouses sharing one supplier, their daily demands separated by "
                  "';': \"poisson:5;negbin:3,2\" (DQN agent only)");
  cmd->add_option("--capacity", a->capacity,
                  "supplier units per day for all --warehouses together (0 = unlimited); "
                  "orders above it are cut by proportional rationing")
      ->capture_default_str();
  cmd->add_option("--agent", a->agents,
                  "q (tabular Q-learning), dqn (LibTorch), or both, e.g. dqn,q: the first is "
                  "the reference of the paired differences")
      ->capture_default_str();
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
  cmd->add_option("--max-order", a->max_order,
                  "largest order the agent may place (0 = automatic: q 2 x, dqn 1.5 x the "
                  "99.9 % daily quantile)")
      ->capture_default_str();
  cmd->add_option("--max-position", a->agent.max_position,
                  "cap of the agent's state (on hand, inventory position); 0 = automatic")
      ->capture_default_str();
  cmd->add_option("--seed", a->seed, "training seed")->capture_default_str();
  cmd->add_option("--dqn-steps", a->dqn.steps, "DQN: training days simulated")
      ->capture_default_str();
  cmd->add_option("--dqn-hidden", a->dqn.hidden, "DQN: units per hidden layer")
      ->capture_default_str();
  cmd->add_option("--dqn-layers", a->dqn.layers, "DQN: hidden layers")->capture_default_str();
  cmd->add_option("--dqn-lr", a->dqn.learning_rate, "DQN: Adam learning rate")
      ->capture_default_str();
  cmd->add_option("--dqn-lr-end", a->dqn.learning_rate_end,
                  "DQN: the learning rate decays linearly to this share of --dqn-lr")
      ->capture_default_str();
  cmd->add_option("--dqn-batch", a->dqn.batch, "DQN: minibatch size")->capture_default_str();
  cmd->add_option("--dqn-train-every", a->dqn.train_every,
                  "DQN: simulated days per gradient step")
      ->capture_default_str();
  cmd->add_option("--dqn-buffer", a->dqn.buffer, "DQN: replay buffer (days)")
      ->capture_default_str();
  cmd->add_option("--dqn-target-update", a->dqn.target_update,
                  "DQN: gradient steps between target-network copies")
      ->capture_default_str();
  cmd->add_option("--dqn-discount", a->dqn.discount, "DQN: discount factor gamma in (0, 1)")
      ->capture_default_str();
  cmd->add_option("--dqn-dueling", a->dqn.dueling,
                  "DQN: dueling head (state value + centred advantages), true or false")
      ->capture_default_str();
  cmd->add_option("--dqn-exploration", a->dqn.exploration_fraction,
                  "DQN: share of the steps over which epsilon decays from 1 to 0.02")
      ->capture_default_str();
  cmd->add_option("--dqn-validation-every", a->dqn.validation_every,
                  "DQN: steps between greedy checks on validation paths (the best weights are "
                  "kept; 0 = keep the last)")
      ->capture_default_str();
  cmd->add_option("--threads", a->dqn.threads,
                  "DQN: LibTorch threads (the same count gives the same agent)")
      ->capture_default_str();
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
                  "simulation-optimisation budget per (s,S) search; with --warehouses, level "
                  "vectors per warehouse for each base-stock coordinate search")
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "print one JSON object");
  cmd->footer(
      "Cost per day = holding (end-of-day on hand) + shortage (units lost) + ordering; the "
      "intervals are 95 % t intervals over the evaluation paths, 'cost - agent' paired by path.\n"
      "Exit codes: 0 ok, 2 bad command line, 3 invalid value.");
  cmd->callback([&global, runner, a, cmd]() {
    for (const char* flag : kQFlags) {
      if (cmd->count(flag) > 0) a->q_flags_given.emplace_back(flag);
    }
    for (const char* flag : kDqnFlags) {
      if (cmd->count(flag) > 0) a->dqn_flags_given.emplace_back(flag);
    }
    a->capacity_given = cmd->count("--capacity") > 0;
    *runner = [&global, a]() { return JsonAware(a->json, RunRl(global, *a)); };
  });
}

}  // namespace stockcast::cli
