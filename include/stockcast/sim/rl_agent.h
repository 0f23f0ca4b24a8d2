#pragma once
// A reinforcement-learning replenishment agent for one SKU with lost sales and a fixed lead
// time, and an honest comparison with the classic rules on the same simulated demand.
//
// ENVIRONMENT (the simulator's conventions, simulator.h): day t = 1. receipts (the order placed
// at the end of day t - L arrives at the start of day t), 2. demand (filled from on hand, the
// rest is LOST), 3. costs (holding h per unit on hand at the end of the day, penalty p per unit
// lost), 4. review (end of day t: order q >= 0 units, K per order placed). L >= 1 is in
// simulator days ("arrival = order day + L"; L = 1 is next-morning delivery, L_policy = L - 1).
// At a review the state is the on hand x and the pipeline of the L - 1 orders still in transit
// (placed at the ends of days t - L + 1 .. t - 1): L numbers. The one-step cost of ordering q
// in state s is K [q > 0] plus the holding and lost-sales cost of day t + 1. A test checks that
// this accounting equals Simulator on replayed demand.
//
// AGENT: tabular Q-learning (Watkins & Dayan 1992) on POST-DECISION states (Van Roy, Bertsekas,
// Lee & Tsitsiklis 1997, "A neuro-dynamic programming approach to retailer inventory
// management"; Powell 2011, "Approximate Dynamic Programming", ch. 4.6). After the order the
// state is aggregated to
//   z = on hand tomorrow before demand (on hand + the order due tomorrow),
//   y = inventory position after the order (on hand + everything in transit),
// both capped at `max_position`. z alone sets tomorrow's holding and lost sales; (z, y) is the
// exact post-decision state when L <= 2 and an aggregation for L >= 3 (how the rest of the
// pipeline is split over the days is lost). One value V(z, y) is learned per post state from
// sampled days:
//   V(p) <- V(p) + alpha (c + gamma min_a' [K [a' > 0] + V(post(s', a'))] - V(p)),
// c = the day's holding + lost-sales cost, s' the next review's state; the greedy order is
// argmin_a K [a > 0] + V(post(s, a)) over a = 0 .. max_order (never lifting IP above
// max_position). The demand distribution and the costs are never used by the agent, only
// sampled; what it knows is what it ordered. Discount gamma, epsilon-greedy exploration
// decaying linearly, per-state learning rate 1 / (1 + n)^w (Even-Dar & Mansour 2003), values
// starting at 0 (optimistic for costs: unseen post states get tried). No neural network and no LibTorch: a table suffices for one SKU, written
// here in plain C++. The greedy policy only uses post states visited in training; a state
// with none falls back to the forecast-driven order-up-to (below), and the evaluation counts
// these fallbacks.
// A first version learned Q(state, order) on (on hand, IP) with plain epsilon-greedy Q-learning:
// on Poisson(5), L = 2 it needed 2 million days to come within 2 % of the best base stock, and
// with negbin demand and L = 3 it over-ordered to 5x the base-stock cost (most of its table
// was visited a handful of times): sharing one value per post state fixed both.
//
// BASELINES, all on the same demand paths as the agent (common random numbers):
//   base-stock       order up to S every day; S scanned over 0 .. max_position on tuning
//                    paths (independent of the evaluation paths), the cheapest kept
//   ss               (s, S) from simulation-optimisation (sim_optimize.h, pattern search on
//                    its own seed), unconstrained (cost alone)
//   ss-at-agent-fill (s, S) from simulation-optimisation constrained to fill rate >= the
//                    agent's measured fill rate: "cost at equal fill rate"
//   forecast-driven  the closed loop's order-up-to with a perfect stationary forecast: S =
//                    F^-1(p / (p + h)) of demand over the cover of L days (lead time + 1-day
//                    review in policy terms), the newsvendor level that ignores lost sales
// Evaluation: `replications` independent paths of warmup + days (never used in training or
// tuning); per path the cost per day and the fill rate; mean and t interval over paths, and the
// paired difference policy - agent with its t interval (paired by path: common random numbers
// make it much tighter than the two intervals).
//
// OTHER AGENTS AND SETTINGS: dqn_agent.h is a neural agent (DQN in LibTorch) whose state is the
// full pipeline, so it has no (z, y) aggregation at L >= 3; CompareAgentsWithBaselines runs
// it here on the same paths, alone or with the tabular agent (the first agent given is the
// reference of the paired differences and of ss-at-agent-fill). multi_warehouse.h is the
// multi-warehouse setting: W warehouses ordering from one supplier with a shared daily capacity
// (proportional rationing), the DQN deciding all orders, compared with tuned base stock per
// warehouse (also at the agent's fill rate) and the forecast-driven rule. The tabular agent
// stays single-SKU.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/core/progress.h"
#include "stockcast/policy/demand_distribution.h"
#include "stockcast/sim/inventory_policy.h"

namespace stockcast::sim {

class Rng;

struct RlEnvConfig {
  policy::DemandDistribution demand;  // per day: poisson, negbin, normal (rounded, >= 0), pmf
  int lead_time = 2;                  // L >= 1 simulator days
  double holding = 1.0;               // h per unit on hand at the end of a day, >= 0
  double lost_sales = 9.0;            // p per unit lost, >= 0
  double ordering = 0.0;              // K per order placed, >= 0
  // "lead_time = 0; must be >= 1 (...)", "holding = -1; must be a finite number >= 0".
  Status Validate() const;
};

// One day's accounting.
struct RlDay {
  int64_t received = 0;
  int64_t demand = 0;
  int64_t filled = 0;
  int64_t lost = 0;
  double holding_cost = 0;
  double shortage_cost = 0;
};

// The single-SKU lost-sales environment. Reset, then per day: Advance(demand) (receipts,
// demand, costs), then Order(q) at the review.
class InventoryEnv {
 public:
  explicit InventoryEnv(const RlEnvConfig& config);
  void Reset(int64_t on_hand);  // empty pipeline
  RlDay Advance(int64_t demand);
  // Places q >= 0 units (arrives at the start of the day L days on); returns the ordering cost.
  double Order(int64_t quantity);

  int64_t on_hand() const { return on_hand_; }
  // Orders in transit after the last review: pipeline()[i] arrives at the start of the (i+1)-th
  // next day; L entries, the last 0 before the review's order.
  const std::vector<int64_t>& pipeline() const { return pipeline_; }
  int64_t OnOrder() const;
  int64_t Position() const { return on_hand_ + OnOrder(); }
  const RlEnvConfig& config() const { return config_; }

 private:
  RlEnvConfig config_;
  int64_t on_hand_ = 0;
  std::vector<int64_t> pipeline_;
};

// One day of demand from `demand` (normal rounded to the nearest unit and floored at 0, pmf
// values rounded).
int64_t DrawDemand(const policy::DemandDistribution& demand, Rng& rng);

struct RlAgentOptions {
  int episodes = 5000;      // training budget, >= 1
  int episode_days = 250;   // reviews per episode, >= 1
  // gamma in (0, 1). 0.9 learned best on Poisson(5), L = 2 and negbin L = 3 for a budget of
  // 0.5-2 million days; 0.95 and 0.99 converge more slowly (values ~ cost / (1 - gamma)).
  double discount = 0.9;
  double epsilon_start = 1.0;  // exploration probability at the first episode, in [0, 1]
  double epsilon_end = 0.01;   // ... reached after exploration_fraction of the episodes
  double exploration_fraction = 0.8;  // in (0, 1]
  double learning_rate_power = 0.6;   // w in (0.5, 1]: alpha = 1 / (1 + n(s, a))^w
  int max_order = 0;     // largest order (actions 0..max_order); 0 = auto: 2 F^-1(0.999), >= 4
  int max_position = 0;  // state cap on x and IP; 0 = auto: F_(L+1)^-1(0.9999) + max_order
  uint64_t seed = 42;
  // "episodes = 0; must be >= 1", "discount = 1; must be in (0, 1)", ...
  Status Validate() const;
};

struct RlTrainingStats {
  int64_t steps = 0;           // reviews simulated in training
  int64_t states_visited = 0;  // post-decision states (z, y) seen at least once
  int64_t states = 0;          // post-decision states with 0 <= z <= y <= max_position
  int max_order = 0;
  int max_position = 0;
  int64_t fallback_level = 0;  // the order-up-to level used in unvisited states
};

// A trained agent: the greedy policy of its Q table.
class RlAgent {
 public:
  // Trains on fresh demand from env.demand (seeded by options.seed). Progress: stage
  // "rl-training", fraction of the episodes done.
  static Result<RlAgent> Train(const RlEnvConfig& env, const RlAgentOptions& options,
                               const ProgressFn& progress = {});
  RlAgent(RlAgent&&) noexcept;
  RlAgent& operator=(RlAgent&&) noexcept;
  ~RlAgent();

  // The greedy order at a review in `env`'s current state; `fallback` (optional) is set when
  // the state was never visited in training.
  int64_t Act(const InventoryEnv& env, bool* fallback = nullptr) const;
  // min_a K [a > 0] + V(post(state, a)) over visited post states (NaN when none).
  double Value(const InventoryEnv& env) const;
  const RlTrainingStats& stats() const;

 private:
  struct Impl;
  explicit RlAgent(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- evaluation ------------------------------------------------------------------------------

struct RlEvalOptions {
  int replications = 30;   // independent evaluation paths, >= 2
  int days = 2000;         // measured days per path, >= 1
  int warmup_days = 100;   // simulated first and discarded, >= 0
  int tuning_replications = 20;  // paths for tuning the baselines (independent), >= 1
  int optimize_evaluations = 200;  // sim_optimize budget per (s, S) search, >= 1
  uint64_t seed = 7;       // evaluation and tuning paths (training uses RlAgentOptions::seed)
  Status Validate() const;
};

// A policy's per-path results over the measured days.
struct PathMetrics {
  double cost_per_day = 0;
  double holding_per_day = 0;
  double shortage_per_day = 0;
  double ordering_per_day = 0;
  double fill_rate = 1;  // filled / demand (1 without demand)
  double average_on_hand = 0;
  double orders_per_day = 0;
  int64_t fallbacks = 0;  // agent only: decisions in states unseen in training
};

// Mean and t-interval half width (95 %) over the paths.
struct RlEstimate {
  double mean = 0;
  double half_width = 0;
};
RlEstimate EstimateOf(const std::vector<double>& values);

struct RlPolicyResult {
  std::string name;  // "rl-agent", "base-stock", "ss", "ss-at-agent-fill", "forecast-driven"
  std::string rule;  // "q-learning", "base-stock:S=17", "ss:s=15,S=18", ...
  RlEstimate cost_per_day;
  RlEstimate fill_rate;
  RlEstimate holding_per_day;
  RlEstimate shortage_per_day;
  RlEstimate ordering_per_day;
  RlEstimate average_on_hand;
  // Paired by path: this policy's cost per day minus the agent's (0 for the agent itself).
  RlEstimate cost_minus_agent;
  // "agent wins" (the interval of cost_minus_agent lies above 0), "agent loses" (below 0),
  // "no significant difference", or "-" for the agent.
  std::string verdict;
  int64_t fallbacks = 0;  // agent only, summed over paths
};

// One trained agent of a comparison.
struct RlAgentRun {
  std::string name;    // "rl-agent" (the reference), "rl-q-learning", "rl-dqn"
  std::string method;  // "tabular q-learning", "dqn (libtorch)"
  std::string rule;    // as in RlPolicyResult::rule
  double training_seconds = 0;
  int64_t steps = 0;   // days simulated in training
};

struct RlComparison {
  RlTrainingStats training;     // the tabular agent's (zeros when it was not trained)
  double training_seconds = 0;  // the reference agent's
  std::vector<RlAgentRun> agents;        // reference first
  std::vector<RlPolicyResult> policies;  // rl-agent first
  std::string summary;                   // where the agent wins and where it does not
};

// The agents a comparison can train.
enum class RlAgentKind { kQLearning, kDqn };
std::string_view ToString(RlAgentKind kind);  // "q", "dqn"
// "q" (or "q-learning"), "dqn"; otherwise: unknown agent "x"; available: q, dqn.
Result<RlAgentKind> ParseRlAgentKind(std::string_view text);

// Runs `rule` (an order function of the environment's state) on each demand path: the env is
// reset to `initial_on_hand`, warmup days are simulated and discarded.
// `fallback` may be set by the rule to count a decision made outside its knowledge.
using OrderFn = std::function<int64_t(const InventoryEnv& env, bool* fallback)>;
std::vector<PathMetrics> EvaluatePaths(const RlEnvConfig& env,
                                       const std::vector<std::vector<int64_t>>& paths,
                                       int warmup_days, int64_t initial_on_hand,
                                       const OrderFn& rule);
std::vector<PathMetrics> EvaluatePaths(const RlEnvConfig& env,
                                       const std::vector<std::vector<int64_t>>& paths,
                                       int warmup_days, int64_t initial_on_hand,
                                       const InventoryPolicy& policy);
std::vector<PathMetrics> EvaluatePaths(const RlEnvConfig& env,
                                       const std::vector<std::vector<int64_t>>& paths,
                                       int warmup_days, int64_t initial_on_hand,
                                       const RlAgent& agent);

// `count` demand paths of `length` days, path i from stream i of `seed`.
std::vector<std::vector<int64_t>> DemandPaths(const policy::DemandDistribution& demand,
                                              int count, int length, uint64_t seed);

// The forecast-driven order-up-to level: F^-1(p / (p + h)) of demand over L days.
Result<int64_t> ForecastDrivenLevel(const RlEnvConfig& env);

// A policy's estimates over the paths and its paired difference with `agent` (same paths).
RlPolicyResult SummarisePaths(std::string name, std::string rule,
                              const std::vector<PathMetrics>& m,
                              const std::vector<PathMetrics>& agent);
// From the paired difference policy - agent: "agent wins" (its 95 % interval lies above 0),
// "agent loses" (below 0), "no significant difference", "no interval" (one path).
std::string VerdictOf(const RlEstimate& cost_minus_agent);

// Trains the tabular agent and compares it with the baselines. Progress stages: "rl-training",
// "rl-tuning", "rl-evaluation".
Result<RlComparison> CompareWithBaselines(const RlEnvConfig& env, const RlAgentOptions& agent,
                                          const RlEvalOptions& eval,
                                          const ProgressFn& progress = {});

struct DqnOptions;  // dqn_agent.h
// Trains each agent of `agents` (1 or 2 distinct kinds) and compares them with the baselines
// on the same paths. The first is the reference: it is "rl-agent" in the policies, the
// paired differences and verdicts are against it and ss-at-agent-fill is tuned to its fill
// rate; a second agent is listed after it as "rl-q-learning" or "rl-dqn" with its own paired
// difference. `q` configures the tabular agent, `dqn` the neural one (Unavailable without
// LibTorch).
Result<RlComparison> CompareAgentsWithBaselines(const RlEnvConfig& env,
                                                const std::vector<RlAgentKind>& agents,
                                                const RlAgentOptions& q, const DqnOptions& dqn,
                                                const RlEvalOptions& eval,
                                                const ProgressFn& progress = {});

}  // namespace stockcast::sim
