// Tabular Q-learning replenishment agent and its comparison with the classic rules
// (see rl_agent.h for the environment, the agent and the evaluation protocol).
#include "stockcast/sim/rl_agent.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <utility>

#include "stockcast/forecast/distribution.h"
#include "stockcast/sim/dqn_agent.h"
#include "stockcast/sim/random.h"
#include "stockcast/sim/sim_optimize.h"
#include "stockcast/sim/simulator.h"

namespace stockcast::sim {
namespace {

// Streams of RlEvalOptions::seed: evaluation paths, base-stock tuning paths, sim_optimize seed.
constexpr uint64_t kEvalStream = 0xE7A1;
constexpr uint64_t kTuneStream = 0x7E4E;
constexpr uint64_t kOptimizeStream = 0x0B7;

Status CheckCost(double value, std::string_view name) {
  if (!std::isfinite(value) || value < 0) {
    return Error::InvalidArgument(
        fmt::format("RlEnvConfig::{} = {}; must be a finite number >= 0", name, value));
  }
  return Status::Ok();
}

}  // namespace

// ---- environment -----------------------------------------------------------------------------

Status RlEnvConfig::Validate() const {
  if (lead_time < 1 || lead_time > 365) {
    return Error::InvalidArgument(fmt::format(
        "RlEnvConfig::lead_time = {}; must be in [1, 365] days (an order placed at the end of "
        "day t arrives at the start of day t + L)",
        lead_time));
  }
  SC_RETURN_IF_ERROR(CheckCost(holding, "holding"));
  SC_RETURN_IF_ERROR(CheckCost(lost_sales, "lost_sales"));
  SC_RETURN_IF_ERROR(CheckCost(ordering, "ordering"));
  if (holding == 0 && lost_sales == 0 && ordering == 0) {
    return Error::InvalidArgument(
        "RlEnvConfig: holding, lost_sales and ordering are all 0; at least one cost must be > 0");
  }
  if (!(demand.Mean() > 0) || !std::isfinite(demand.Variance())) {
    return Error::InvalidArgument(fmt::format(
        "RlEnvConfig::demand = {}; must have a finite mean > 0", demand.ToString()));
  }
  if (demand.kind() == policy::DemandKind::kEmpirical &&
      demand.support().back() > 1e6) {
    return Error::InvalidArgument(fmt::format(
        "RlEnvConfig::demand: largest value {}; must be <= 1e6 units a day",
        demand.support().back()));
  }
  if (demand.Mean() > 1e5) {
    return Error::InvalidArgument(fmt::format(
        "RlEnvConfig::demand mean = {}; must be <= 1e5 units a day (the agent's table grows "
        "with the stock levels)",
        demand.Mean()));
  }
  return Status::Ok();
}

InventoryEnv::InventoryEnv(const RlEnvConfig& config)
    : config_(config), pipeline_(static_cast<size_t>(std::max(1, config.lead_time)), 0) {}

void InventoryEnv::Reset(int64_t on_hand) {
  on_hand_ = std::max<int64_t>(0, on_hand);
  std::fill(pipeline_.begin(), pipeline_.end(), 0);
}

int64_t InventoryEnv::OnOrder() const {
  return std::accumulate(pipeline_.begin(), pipeline_.end(), int64_t{0});
}

RlDay InventoryEnv::Advance(int64_t demand) {
  RlDay day;
  // 1. receipts: the oldest order arrives; the pipeline ages by one day.
  day.received = pipeline_.front();
  on_hand_ += day.received;
  std::rotate(pipeline_.begin(), pipeline_.begin() + 1, pipeline_.end());
  pipeline_.back() = 0;
  // 2. demand, lost when not on hand.
  day.demand = demand;
  day.filled = std::min(on_hand_, demand);
  day.lost = demand - day.filled;
  on_hand_ -= day.filled;
  // 3. costs at the end of the day.
  day.holding_cost = config_.holding * static_cast<double>(on_hand_);
  day.shortage_cost = config_.lost_sales * static_cast<double>(day.lost);
  return day;
}

double InventoryEnv::Order(int64_t quantity) {
  SC_ASSERT(quantity >= 0);
  if (quantity == 0) return 0.0;
  // Arrives at the start of the day L days on: after L - 1 more agings it is at the front.
  pipeline_.back() += quantity;
  return config_.ordering;
}

int64_t DrawDemand(const policy::DemandDistribution& demand, Rng& rng) {
  switch (demand.kind()) {
    case policy::DemandKind::kPoisson: return rng.Poisson(demand.param1());
    case policy::DemandKind::kNegativeBinomial:
      return rng.NegativeBinomial(demand.param1(), demand.param2());
    case policy::DemandKind::kNormal:
      return std::max<int64_t>(0, std::llround(rng.Normal(demand.param1(), demand.param2())));
    case policy::DemandKind::kEmpirical: {
      const double u = std::clamp(rng.Uniform(), 1e-16, 1.0 - 1e-16);
      return std::max<int64_t>(0, std::llround(demand.Quantile(u)));
    }
  }
  return 0;
}

std::vector<std::vector<int64_t>> DemandPaths(const policy::DemandDistribution& demand,
                                              int count, int length, uint64_t seed) {
  std::vector<std::vector<int64_t>> paths(static_cast<size_t>(std::max(0, count)));
  for (size_t i = 0; i < paths.size(); ++i) {
    Rng rng = Rng::ForStream(seed, i);
    paths[i].resize(static_cast<size_t>(std::max(0, length)));
    for (int64_t& d : paths[i]) d = DrawDemand(demand, rng);
  }
  return paths;
}

Result<int64_t> ForecastDrivenLevel(const RlEnvConfig& env) {
  SC_RETURN_IF_ERROR(env.Validate());
  SC_ASSIGN_OR_RETURN(policy::DemandDistribution cover, env.demand.Convolve(env.lead_time));
  double ratio = env.lost_sales / (env.lost_sales + env.holding);
  ratio = std::clamp(ratio, 0.5, 0.9999);
  return static_cast<int64_t>(std::ceil(cover.Quantile(ratio) - 1e-9));
}

// ---- agent -----------------------------------------------------------------------------------

Status RlAgentOptions::Validate() const {
  auto bad = [](std::string_view field, auto value, std::string_view rule) {
    return Error::InvalidArgument(
        fmt::format("RlAgentOptions::{} = {}; must be {}", field, value, rule));
  };
  if (episodes < 1 || episodes > 100'000'000) return bad("episodes", episodes, "in [1, 1e8]");
  if (episode_days < 1 || episode_days > 1'000'000) {
    return bad("episode_days", episode_days, "in [1, 1e6]");
  }
  if (!(discount > 0 && discount < 1)) return bad("discount", discount, "in (0, 1)");
  if (!(epsilon_start >= 0 && epsilon_start <= 1)) {
    return bad("epsilon_start", epsilon_start, "in [0, 1]");
  }
  if (!(epsilon_end >= 0 && epsilon_end <= 1)) return bad("epsilon_end", epsilon_end, "in [0, 1]");
  if (!(exploration_fraction > 0 && exploration_fraction <= 1)) {
    return bad("exploration_fraction", exploration_fraction, "in (0, 1]");
  }
  if (!(learning_rate_power > 0.5 && learning_rate_power <= 1)) {
    return bad("learning_rate_power", learning_rate_power, "in (0.5, 1]");
  }
  if (max_order < 0 || max_order > 10'000) {
    return bad("max_order", max_order, "in [0, 10000] (0 = automatic)");
  }
  if (max_position < 0 || max_position > 10'000) {
    return bad("max_position", max_position, "in [0, 10000] (0 = automatic)");
  }
  if (max_position > 0 && max_order > max_position) {
    return Error::InvalidArgument(fmt::format(
        "RlAgentOptions::max_order = {}; must be <= max_position = {}", max_order, max_position));
  }
  return Status::Ok();
}

struct RlAgent::Impl {
  RlTrainingStats stats;
  int cap = 0;        // max_position
  int max_order = 0;  // actions 0..max_order
  double ordering = 0;
  std::vector<double> v;         // V(z, y) at [y * (cap + 1) + z]
  std::vector<uint32_t> visits;  // same index

  // The post-decision state of ordering `a` in env's state: z = the stock on hand tomorrow
  // before demand (today's on hand + the order due tomorrow, which is `a` itself when L = 1),
  // y = the inventory position after the order; both capped, z <= y.
  size_t Post(const InventoryEnv& env, int64_t a) const {
    const int64_t due = env.config().lead_time == 1 ? a : env.pipeline().front();
    const int64_t y = std::clamp<int64_t>(env.Position() + a, 0, cap);
    const int64_t z = std::clamp<int64_t>(env.on_hand() + due, 0, y);
    return static_cast<size_t>(y) * static_cast<size_t>(cap + 1) + static_cast<size_t>(z);
  }
  int64_t MaxAction(const InventoryEnv& env) const {
    return std::clamp<int64_t>(cap - env.Position(), 0, max_order);
  }
  // argmin_a K [a > 0] + V(post(s, a)); with `visited_only`, over post states seen in training
  // (-1 when there is none). Returns the action and sets *value.
  int64_t Best(const InventoryEnv& env, bool visited_only, double* value) const {
    int64_t best = -1;
    double best_v = std::numeric_limits<double>::infinity();
    const int64_t top = MaxAction(env);
    for (int64_t a = 0; a <= top; ++a) {
      const size_t p = Post(env, a);
      if (visited_only && visits[p] == 0) continue;
      const double q = (a > 0 ? ordering : 0.0) + v[p];
      if (q < best_v) {
        best_v = q;
        best = a;
      }
    }
    if (value) *value = best_v;
    return best;
  }
};

RlAgent::RlAgent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RlAgent::RlAgent(RlAgent&&) noexcept = default;
RlAgent& RlAgent::operator=(RlAgent&&) noexcept = default;
RlAgent::~RlAgent() = default;

const RlTrainingStats& RlAgent::stats() const { return impl_->stats; }

Result<RlAgent> RlAgent::Train(const RlEnvConfig& env_config, const RlAgentOptions& options,
                               const ProgressFn& progress) {
  SC_RETURN_IF_ERROR(env_config.Validate());
  SC_RETURN_IF_ERROR(options.Validate());
  auto impl = std::make_unique<Impl>();
  const policy::DemandDistribution& demand = env_config.demand;
  int max_order = options.max_order;
  if (max_order == 0) {
    max_order = std::max(4, static_cast<int>(std::ceil(2 * demand.Quantile(0.999))));
  }
  int cap = options.max_position;
  if (cap == 0) {
    SC_ASSIGN_OR_RETURN(policy::DemandDistribution cover,
                        demand.Convolve(env_config.lead_time + 1));
    cap = static_cast<int>(std::ceil(cover.Quantile(0.9999))) + max_order;
  }
  max_order = std::min(max_order, cap);
  const double states = static_cast<double>(cap + 1) * (cap + 1);
  if (states > 5e7) {
    return Error::InvalidArgument(fmt::format(
        "RL value table of {} post-decision states is too large (limit 5e7); lower "
        "max_position = {}, or rescale demand (mean {}) to fewer units",
        states, cap, demand.Mean()));
  }
  impl->cap = cap;
  impl->max_order = max_order;
  impl->ordering = env_config.ordering;
  // Optimistic start: V = 0 is below every discounted cost, so a post state not yet seen
  // looks cheap and gets tried; observed costs then raise it. (A pessimistic start, an upper
  // bound of the discounted cost, over-ordered: the bootstrap spread its slowly decaying high
  // values into the low-stock states, 1.2-7x the base-stock cost at gamma 0.95-0.99.)
  impl->v.assign(static_cast<size_t>(states), 0.0);
  impl->visits.assign(static_cast<size_t>(states), 0);
  SC_ASSIGN_OR_RETURN(impl->stats.fallback_level, ForecastDrivenLevel(env_config));
  impl->stats.max_order = max_order;
  impl->stats.max_position = cap;
  impl->stats.states = static_cast<int64_t>(cap + 1) * (cap + 2) / 2;  // z <= y

  // Learning-rate table 1 / (1 + n)^w for small n (the common case), computed once.
  std::vector<double> rate(4096);
  for (size_t n = 0; n < rate.size(); ++n) {
    rate[n] = std::pow(1.0 + static_cast<double>(n), -options.learning_rate_power);
  }
  Rng rng(options.seed);
  InventoryEnv env(env_config);
  const double gamma = options.discount;
  const int decay_episodes =
      std::max(1, static_cast<int>(std::ceil(options.exploration_fraction * options.episodes)));
  const int64_t start_high = std::max<int64_t>(impl->stats.fallback_level * 3 / 2, 1);
  const int report_every = std::max(1, options.episodes / 100);
  for (int episode = 0; episode < options.episodes; ++episode) {
    const double frac = std::min(1.0, static_cast<double>(episode) / decay_episodes);
    const double epsilon =
        options.epsilon_start + (options.epsilon_end - options.epsilon_start) * frac;
    // Random starts spread the visits over the states a policy may leave the system in.
    env.Reset(rng.UniformInt(0, std::min<int64_t>(start_high, cap)));
    // Q-learning on post-decision states (Van Roy, Bertsekas, Lee & Tsitsiklis 1997; Powell
    // 2011, ch. 4.6): from post state p the day brings cost c and the next review state s';
    //   V(p) <- V(p) + alpha (c + gamma min_a' [K [a' > 0] + V(post(s', a'))] - V(p)).
    // One value per (z, y) is shared by every (state, order) pair that leads there, so each
    // sample informs many pairs; the effect of an order on (z, y) is what the buyer knows
    // (what was ordered), the demand and the costs are only sampled.
    double unused = 0;
    int64_t a = impl->Best(env, false, &unused);
    if (rng.Bernoulli(epsilon)) a = rng.UniformInt(0, impl->MaxAction(env));
    for (int day = 0; day < options.episode_days; ++day) {
      const size_t post = impl->Post(env, a);
      env.Order(a);  // its K is part of the min below (of the previous update)
      const RlDay outcome = env.Advance(DrawDemand(demand, rng));
      const double cost = outcome.holding_cost + outcome.shortage_cost;
      double next_value = 0;
      const int64_t greedy = impl->Best(env, false, &next_value);
      const uint32_t n = impl->visits[post];
      const double alpha = n < rate.size() ? rate[n]
                                           : std::pow(1.0 + n, -options.learning_rate_power);
      impl->v[post] += alpha * (cost + gamma * next_value - impl->v[post]);
      if (n < std::numeric_limits<uint32_t>::max()) impl->visits[post] = n + 1;
      a = rng.Bernoulli(epsilon) ? rng.UniformInt(0, impl->MaxAction(env)) : greedy;
    }
    impl->stats.steps += options.episode_days;
    if ((episode + 1) % report_every == 0 || episode + 1 == options.episodes) {
      ReportProgress(progress, "rl-training",
                     static_cast<double>(episode + 1) / options.episodes);
    }
  }
  impl->stats.states_visited =
      std::count_if(impl->visits.begin(), impl->visits.end(), [](uint32_t c) { return c > 0; });
  return RlAgent(std::move(impl));
}

int64_t RlAgent::Act(const InventoryEnv& env, bool* fallback) const {
  const int64_t a = impl_->Best(env, true, nullptr);
  if (fallback) *fallback = a < 0;
  if (a >= 0) return a;
  return std::max<int64_t>(0, impl_->stats.fallback_level - env.Position());
}

double RlAgent::Value(const InventoryEnv& env) const {
  double value = 0;
  const int64_t a = impl_->Best(env, true, &value);
  return a < 0 ? std::numeric_limits<double>::quiet_NaN() : value;
}

// ---- evaluation ------------------------------------------------------------------------------

Status RlEvalOptions::Validate() const {
  auto bad = [](std::string_view field, int value, std::string_view rule) {
    return Error::InvalidArgument(
        fmt::format("RlEvalOptions::{} = {}; must be {}", field, value, rule));
  };
  if (replications < 2 || replications > 100'000) {
    return bad("replications", replications, "in [2, 100000] (confidence intervals need 2)");
  }
  if (days < 1 || days > 10'000'000) return bad("days", days, "in [1, 1e7]");
  if (warmup_days < 0 || warmup_days > 10'000'000) {
    return bad("warmup_days", warmup_days, "in [0, 1e7]");
  }
  if (tuning_replications < 1 || tuning_replications > 100'000) {
    return bad("tuning_replications", tuning_replications, "in [1, 100000]");
  }
  if (optimize_evaluations < 1 || optimize_evaluations > 100'000) {
    return bad("optimize_evaluations", optimize_evaluations, "in [1, 100000]");
  }
  return Status::Ok();
}

RlEstimate EstimateOf(const std::vector<double>& values) {
  RlEstimate e;
  const size_t n = values.size();
  if (n == 0) return e;
  e.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
  if (n < 2) {
    e.half_width = std::numeric_limits<double>::quiet_NaN();
    return e;
  }
  double ss = 0;
  for (double v : values) ss += (v - e.mean) * (v - e.mean);
  const double sd = std::sqrt(ss / static_cast<double>(n - 1));
  e.half_width = forecast::StudentTQuantile(static_cast<double>(n - 1), 0.975) * sd /
                 std::sqrt(static_cast<double>(n));
  return e;
}

std::vector<PathMetrics> EvaluatePaths(const RlEnvConfig& env_config,
                                       const std::vector<std::vector<int64_t>>& paths,
                                       int warmup_days, int64_t initial_on_hand,
                                       const OrderFn& rule) {
  std::vector<PathMetrics> out;
  out.reserve(paths.size());
  InventoryEnv env(env_config);
  for (const auto& path : paths) {
    env.Reset(initial_on_hand);
    double holding = 0, shortage = 0, ordering = 0, on_hand = 0;
    int64_t demand = 0, filled = 0, orders = 0, fallbacks = 0;
    int64_t measured = 0;
    for (size_t t = 0; t < path.size(); ++t) {
      const bool measure = static_cast<int64_t>(t) >= warmup_days;
      const RlDay day = env.Advance(path[t]);
      bool fallback = false;
      const int64_t q = rule(env, &fallback);
      const double k = env.Order(q);
      if (!measure) continue;
      ++measured;
      holding += day.holding_cost;
      shortage += day.shortage_cost;
      ordering += k;
      on_hand += static_cast<double>(env.on_hand());
      demand += day.demand;
      filled += day.filled;
      orders += q > 0 ? 1 : 0;
      fallbacks += fallback ? 1 : 0;
    }
    PathMetrics m;
    const double days = static_cast<double>(std::max<int64_t>(1, measured));
    m.holding_per_day = holding / days;
    m.shortage_per_day = shortage / days;
    m.ordering_per_day = ordering / days;
    m.cost_per_day = (holding + shortage + ordering) / days;
    m.fill_rate = demand > 0 ? static_cast<double>(filled) / static_cast<double>(demand) : 1.0;
    m.average_on_hand = on_hand / days;
    m.orders_per_day = static_cast<double>(orders) / days;
    m.fallbacks = fallbacks;
    out.push_back(m);
  }
  return out;
}

std::vector<PathMetrics> EvaluatePaths(const RlEnvConfig& env,
                                       const std::vector<std::vector<int64_t>>& paths,
                                       int warmup_days, int64_t initial_on_hand,
                                       const InventoryPolicy& policy) {
  const OrderRule rule = policy.Rule();
  const bool orders = policy.kind != PolicyKind::kNone;
  return EvaluatePaths(env, paths, warmup_days, initial_on_hand,
                       [rule, orders](const InventoryEnv& e, bool*) -> int64_t {
                         return orders ? OrderAt(rule, e.Position()) : 0;
                       });
}

std::vector<PathMetrics> EvaluatePaths(const RlEnvConfig& env,
                                       const std::vector<std::vector<int64_t>>& paths,
                                       int warmup_days, int64_t initial_on_hand,
                                       const RlAgent& agent) {
  return EvaluatePaths(env, paths, warmup_days, initial_on_hand,
                       [&agent](const InventoryEnv& e, bool* fallback) {
                         return agent.Act(e, fallback);
                       });
}

namespace {

double MeanCost(const std::vector<PathMetrics>& m) {
  double s = 0;
  for (const auto& p : m) s += p.cost_per_day;
  return m.empty() ? 0.0 : s / static_cast<double>(m.size());
}

}  // namespace

RlPolicyResult SummarisePaths(std::string name, std::string rule,
                              const std::vector<PathMetrics>& m,
                              const std::vector<PathMetrics>& agent) {
  RlPolicyResult r;
  r.name = std::move(name);
  r.rule = std::move(rule);
  auto field = [&m](double PathMetrics::*f) {
    std::vector<double> v;
    v.reserve(m.size());
    for (const auto& p : m) v.push_back(p.*f);
    return EstimateOf(v);
  };
  r.cost_per_day = field(&PathMetrics::cost_per_day);
  r.fill_rate = field(&PathMetrics::fill_rate);
  r.holding_per_day = field(&PathMetrics::holding_per_day);
  r.shortage_per_day = field(&PathMetrics::shortage_per_day);
  r.ordering_per_day = field(&PathMetrics::ordering_per_day);
  r.average_on_hand = field(&PathMetrics::average_on_hand);
  std::vector<double> diff;
  for (size_t i = 0; i < m.size() && i < agent.size(); ++i) {
    diff.push_back(m[i].cost_per_day - agent[i].cost_per_day);
  }
  r.cost_minus_agent = EstimateOf(diff);
  for (const auto& p : m) r.fallbacks += p.fallbacks;
  return r;
}

std::string VerdictOf(const RlEstimate& diff) {
  if (!std::isfinite(diff.half_width)) return "no interval";
  if (diff.mean - diff.half_width > 0) return "agent wins";
  if (diff.mean + diff.half_width < 0) return "agent loses";
  return "no significant difference";
}

std::string_view ToString(RlAgentKind kind) {
  switch (kind) {
    case RlAgentKind::kQLearning: return "q";
    case RlAgentKind::kDqn: return "dqn";
  }
  return "?";
}

Result<RlAgentKind> ParseRlAgentKind(std::string_view text) {
  if (text == "q" || text == "q-learning") return RlAgentKind::kQLearning;
  if (text == "dqn") return RlAgentKind::kDqn;
  return Error::InvalidArgument(
      fmt::format("unknown agent \"{}\"; available: q (tabular q-learning), dqn", text));
}

Result<RlComparison> CompareWithBaselines(const RlEnvConfig& env,
                                          const RlAgentOptions& agent_options,
                                          const RlEvalOptions& eval, const ProgressFn& progress) {
  return CompareAgentsWithBaselines(env, {RlAgentKind::kQLearning}, agent_options, DqnOptions{},
                                    eval, progress);
}

Result<RlComparison> CompareAgentsWithBaselines(const RlEnvConfig& env,
                                                const std::vector<RlAgentKind>& kinds,
                                                const RlAgentOptions& agent_options,
                                                const DqnOptions& dqn_options,
                                                const RlEvalOptions& eval,
                                                const ProgressFn& progress) {
  SC_RETURN_IF_ERROR(env.Validate());
  if (kinds.empty() || kinds.size() > 2 || (kinds.size() == 2 && kinds[0] == kinds[1])) {
    return Error::InvalidArgument(fmt::format(
        "RL comparison: {} agents given; must be one or two distinct kinds (q, dqn)",
        kinds.size()));
  }
  const bool with_q = std::find(kinds.begin(), kinds.end(), RlAgentKind::kQLearning) != kinds.end();
  const bool with_dqn = std::find(kinds.begin(), kinds.end(), RlAgentKind::kDqn) != kinds.end();
  if (with_q) SC_RETURN_IF_ERROR(agent_options.Validate());
  if (with_dqn) {
    SC_RETURN_IF_ERROR(dqn_options.Validate());
    if (!DqnAgent::Available()) {
      return Error::Unavailable("RL comparison: the dqn agent is unavailable: " +
                                DqnAgent::UnavailableReason());
    }
  }
  SC_RETURN_IF_ERROR(eval.Validate());
  RlComparison out;

  // Train every agent; each becomes an order rule on the environment.
  struct Trained {
    RlAgentRun run;
    OrderFn rule;
  };
  std::vector<Trained> trained;
  std::optional<RlAgent> q_agent;
  std::optional<DqnAgent> dqn_agent;
  for (size_t i = 0; i < kinds.size(); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    Trained t;
    if (kinds[i] == RlAgentKind::kQLearning) {
      SC_ASSIGN_OR_RETURN(RlAgent agent, RlAgent::Train(env, agent_options, progress));
      q_agent.emplace(std::move(agent));
      out.training = q_agent->stats();
      t.run = {i == 0 ? "rl-agent" : "rl-q-learning", "tabular q-learning",
               fmt::format("q-learning:episodes={}", agent_options.episodes), 0,
               q_agent->stats().steps};
      const RlAgent* a = &*q_agent;
      t.rule = [a](const InventoryEnv& e, bool* fallback) { return a->Act(e, fallback); };
    } else {
      SC_ASSIGN_OR_RETURN(DqnAgent agent, DqnAgent::Train(env, dqn_options, progress));
      dqn_agent.emplace(std::move(agent));
      t.run = {i == 0 ? "rl-agent" : "rl-dqn", "dqn (libtorch)", dqn_agent->Describe(), 0,
               dqn_agent->stats().steps};
      const DqnAgent* a = &*dqn_agent;
      t.rule = [a](const InventoryEnv& e, bool*) { return a->Act(e); };
    }
    t.run.training_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    trained.push_back(std::move(t));
  }
  out.training_seconds = trained.front().run.training_seconds;
  for (const auto& t : trained) out.agents.push_back(t.run);

  SC_ASSIGN_OR_RETURN(const int64_t forecast_level, ForecastDrivenLevel(env));
  // The base-stock scan's bound: the tabular agent's state cap when it was trained, else the
  // same automatic value (F_(L+1)^-1(0.9999) + 2 F^-1(0.999)).
  int64_t cap = 0;
  if (q_agent) {
    cap = q_agent->stats().max_position;
  } else {
    SC_ASSIGN_OR_RETURN(policy::DemandDistribution cover, env.demand.Convolve(env.lead_time + 1));
    cap = static_cast<int64_t>(std::ceil(cover.Quantile(0.9999))) +
          std::max<int64_t>(4, static_cast<int64_t>(std::ceil(2 * env.demand.Quantile(0.999))));
  }

  const int length = eval.warmup_days + eval.days;
  const auto eval_paths =
      DemandPaths(env.demand, eval.replications, length, DeriveSeed(eval.seed, kEvalStream));
  const auto tune_paths = DemandPaths(env.demand, eval.tuning_replications, length,
                                      DeriveSeed(eval.seed, kTuneStream));
  // Every policy starts from the forecast-driven level with an empty pipeline; the warm-up
  // removes the start.
  const int64_t start = forecast_level;

  ReportProgress(progress, "rl-evaluation", 0.0);
  const auto agent_m =
      EvaluatePaths(env, eval_paths, eval.warmup_days, start, trained.front().rule);
  RlPolicyResult agent_r = SummarisePaths("rl-agent", trained.front().run.rule, agent_m, agent_m);
  agent_r.verdict = "-";

  // Base stock: exhaustive scan on the tuning paths.
  ReportProgress(progress, "rl-tuning", 0.0);
  int64_t best_s = 0;
  double best_cost = std::numeric_limits<double>::infinity();
  for (int64_t level = 0; level <= cap; ++level) {
    const double c = MeanCost(
        EvaluatePaths(env, tune_paths, eval.warmup_days, start, InventoryPolicy::BaseStock(level)));
    if (c < best_cost) {
      best_cost = c;
      best_s = level;
    }
    ReportProgress(progress, "rl-tuning", 0.3 * static_cast<double>(level + 1) / (cap + 1));
  }
  const InventoryPolicy base_stock = InventoryPolicy::BaseStock(best_s);

  // (s, S) by simulation-optimisation in the simulator itself.
  ItemSpec item;
  item.name = "rl-benchmark";
  item.demand = DemandSource::Stationary(env.demand);
  item.lead_time = LeadTime::Fixed(env.lead_time);
  item.shortage = ShortageMode::kLostSales;
  item.costs.ordering = env.ordering;
  item.costs.holding = env.holding;
  item.costs.shortage = env.lost_sales;
  SimOptions sim_options;
  sim_options.days = eval.days;
  sim_options.warmup_days = eval.warmup_days;
  sim_options.replications = std::max(2, eval.tuning_replications);
  sim_options.seed = DeriveSeed(eval.seed, kOptimizeStream);
  sim_options.per_item = false;
  SimOptimizeOptions optimize;
  optimize.kind = PolicyKind::kSS;
  optimize.max_evaluations = eval.optimize_evaluations;
  optimize.seed = DeriveSeed(eval.seed, kOptimizeStream + 1);
  optimize.max_level = std::max<int64_t>(cap, 2);
  optimize.min_level = 0;
  auto ss = OptimizePolicy(item, sim_options, optimize);
  if (!ss.ok()) {
    Error e = ss.error();
    e.message = "(s, S) baseline: " + e.message;
    return e;
  }
  ReportProgress(progress, "rl-tuning", 0.65);
  const double agent_fill = agent_r.fill_rate.mean;
  std::optional<InventoryPolicy> ss_fill;
  std::string ss_fill_note;
  if (agent_fill > 0 && agent_fill < 1) {
    optimize.min_fill_rate = agent_fill;
    auto constrained = OptimizePolicy(item, sim_options, optimize);
    if (!constrained.ok()) {
      Error e = constrained.error();
      e.message = "(s, S) baseline at the agent's fill rate: " + e.message;
      return e;
    }
    ss_fill = constrained->best;
    if (!constrained->constraint_met) ss_fill_note = " (target not met within the bounds)";
  }
  ReportProgress(progress, "rl-tuning", 1.0);

  out.policies.push_back(agent_r);
  for (size_t i = 1; i < trained.size(); ++i) {
    auto m = EvaluatePaths(env, eval_paths, eval.warmup_days, start, trained[i].rule);
    RlPolicyResult r = SummarisePaths(trained[i].run.name, trained[i].run.rule, m, agent_m);
    r.verdict = VerdictOf(r.cost_minus_agent);
    out.policies.push_back(std::move(r));
  }
  auto add = [&](std::string name, const InventoryPolicy& p, std::string note) {
    auto m = EvaluatePaths(env, eval_paths, eval.warmup_days, start, p);
    RlPolicyResult r = SummarisePaths(std::move(name), p.ToString() + note, m, agent_m);
    r.verdict = VerdictOf(r.cost_minus_agent);
    out.policies.push_back(std::move(r));
  };
  add("base-stock", base_stock, "");
  add("ss", ss->best, "");
  if (ss_fill) add("ss-at-agent-fill", *ss_fill, ss_fill_note);
  add("forecast-driven", InventoryPolicy::BaseStock(forecast_level), "");
  ReportProgress(progress, "rl-evaluation", 1.0);

  // Summary: where the agent wins and where it does not.
  std::string s = fmt::format(
      "agent: {:.4f} +- {:.4f} per day at fill rate {:.4f}; ", agent_r.cost_per_day.mean,
      agent_r.cost_per_day.half_width, agent_r.fill_rate.mean);
  for (size_t i = 1; i < out.policies.size(); ++i) {
    const auto& p = out.policies[i];
    s += fmt::format("{}{} against {} {} ({:.4f} +- {:.4f}, fill {:.4f}; {} - agent = {:+.4f} "
                     "+- {:.4f})",
                     i > 1 ? "; " : "", p.verdict, p.name, p.rule, p.cost_per_day.mean, p.cost_per_day.half_width, p.fill_rate.mean, p.name,
                     p.cost_minus_agent.mean, p.cost_minus_agent.half_width);
  }
  if (agent_r.fallbacks > 0) {
    s += fmt::format("; {} agent decisions fell back to the forecast-driven level (states unseen "
                     "in training)",
                     agent_r.fallbacks);
  }
  out.summary = std::move(s);
  return out;
}

}  // namespace stockcast::sim
