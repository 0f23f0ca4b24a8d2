#pragma once
// A neural replenishment agent: deep Q-learning (DQN, Mnih et al. 2015, "Human-level control
// through deep reinforcement learning") in LibTorch, for the single-SKU setting of rl_agent.h
// and the multi-warehouse setting of multi_warehouse.h (one supplier, shared daily capacity).
//
// WHY DQN (and not PPO): the actions are small discrete order quantities; DQN is off-policy,
// so every simulated day sits in the replay buffer and is reused for many updates (PPO throws
// its samples away after a few epochs), which matters on 2 CPU cores; and the greedy policy
// of a Q function is deterministic, which is what a buyer runs. PPO's advantages (continuous
// or huge action spaces, stochastic policies) do not apply here.
//
// STATE: the FULL pipeline of every warehouse at the review, scaled by the warehouse's mean
// daily demand m_w: on hand / m_w, the L - 1 orders in transit / m_w (oldest first), and the
// inventory position / (m_w L); L + 1 numbers per warehouse. Unlike the tabular agent's (z, y)
// aggregation nothing about how the pipeline splits over the days is lost, so L >= 3 is not
// approximated away (it still has to be learned). The demand distribution and the costs are
// never given to the agent: it sees states, its own orders and the sampled day's cost.
//
// ACTIONS: per warehouse an order of 0 .. max_order_w units (max_order_w = max(4,
// ceil(1.5 F_w^-1(0.999))) unless set). With W warehouses the joint action space is the product;
// the network has one action BRANCH per warehouse (Tavakoli, Pardo & Kormushev 2018, "Action
// branching architectures for deep reinforcement learning"): a shared MLP torso and one output
// block per warehouse, and the Q value is the SUM of the branch values (a value decomposition,
// Sunehag et al. 2018): Q(s, a) = sum_w Q_w(s, a_w). The day's cost is the sum of the
// warehouses' costs, so the sum is exact when nothing couples them; the supplier's capacity
// does (orders are cut jointly), and every branch sees the whole state, so a branch can learn to
// ask for less when the others need the capacity. The greedy joint action is the per-branch
// argmin. The environment applies the capacity cut to what the agent wants; the agent learns
// its effect from the sampled transitions. W = 1 is plain DQN. DUELING head (Wang et al. 2016;
// per branch as in Tavakoli et al.): one extra output V(s), and Q_w(s, a) = V(s) / W + A_w(s,
// a) - mean_a A_w(s, a). Neighbouring orders cost almost the same, and learning each order's
// value separately drowned those small differences in the regression noise: on Poisson(5),
// L = 3, p = 49 (100,000 days) the plain head was 6 % above the best base stock, the dueling
// head 2.7 %; on L = 2 the dueling head tied base stock (plain: +2 %).
//
// LEARNING: one-step targets y = c / c0 + gamma sum_w Q_w^-(s', a*_w), a*_w = argmin_a
// Q_w(s', a) of the ONLINE network (double DQN, van Hasselt, Guez & Silver 2016) evaluated by
// the TARGET network Q^- (a copy refreshed every `target_update` gradient steps), Huber loss
// (smooth L1, delta 1), Adam, gradient norm clipped; replay buffer of the last `buffer` days,
// uniform minibatches; epsilon-greedy exploration per branch, decaying linearly from
// epsilon_start to epsilon_end over exploration_fraction of the steps; restarts every
// `episode_days` from random stock levels (the task is continuing: no terminal states). c is
// the cost of the order (K per warehouse ordering) plus the next day's holding and lost-sales
// cost; c0 = (h + p) sum_w m_w + K keeps the targets of order 1.
// MODEL SELECTION: every `validation_every` steps the greedy policy runs on `validation_paths`
// paths drawn from the TRAINING seed (never the evaluation or tuning paths) and the weights with
// the lowest validation cost per day are kept (DQN's greedy policy oscillates between updates;
// the last weights are often not the best).
// COST: Debian's libtorch runs its matrix products on the reference BLAS (libblas3; 70 % of
// the training time is its sgemm), so 100,000 days with the 64 x 2 network (25,000 gradient
// steps of 128 days) take ~40-45 s of one core; the evaluation reuses the greedy order of
// states already seen (a cache). An optimised BLAS (libopenblas0) would cut that several-fold.
// DETERMINISM: torch::manual_seed(seed) before the weights are initialised, a fixed number of
// torch threads (1 by default), and every random draw (demand, exploration, restarts,
// minibatches) from sim::Rng streams of the seed: the same options give the same agent.
//
// MEASURED (bench/ml/rl_dqn.sh, 150,000 days, 30 x 2000-day evaluation paths, paired): ties base
// stock and (s, S) at L = 2 (the tabular agent is 2 % cheaper there); at L = 3 it is 1.2-1.4 %
// cheaper than base stock and (s, S) on negbin demand and 4 % dearer at p = 49 (0.4 % with
// 400,000 days), 4-10 % cheaper than the tabular agent; matches (s, S) with K = 20; with 2-3
// warehouses and a shared capacity it is 2-10 % dearer than base stock tuned per warehouse.
//
// Without LibTorch (STOCKCAST_WITH_TORCH=OFF or libtorch-dev missing) Train returns
// Unavailable and says so; Available() tells in advance.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/core/progress.h"
#include "stockcast/sim/multi_warehouse.h"
#include "stockcast/sim/rl_agent.h"

namespace stockcast::sim {

struct DqnOptions {
  int64_t steps = 150'000;          // training days simulated, >= 1
  int episode_days = 1'000;         // days between random restarts, >= 1
  int hidden = 64;                  // units per hidden layer, in [1, 4096]
  int layers = 2;                   // hidden layers, in [1, 8]
  double learning_rate = 1e-3;      // Adam, in (0, 1]
  double learning_rate_end = 0.1;   // the rate decays linearly to this share of it, in (0, 1]
  int batch = 128;                  // minibatch, in [1, 65536]
  int64_t buffer = 100'000;         // replay capacity in days, >= batch
  int64_t learning_starts = 5'000;  // days simulated before the first update, >= batch
  int train_every = 4;              // days between gradient steps, >= 1 (4 as Mnih et al.)
  int target_update = 500;          // gradient steps between target-network copies, >= 1
  // gamma in (0, 1). 0.9 learned best on Poisson(5), L = 2 at 100,000 days (2 % above the
  // best base stock; 0.95: 9 %, 0.99: 23 %): values ~ cost / (1 - gamma) drown the small
  // differences between orders in the regression noise as gamma -> 1.
  double discount = 0.9;
  double epsilon_start = 1.0;         // in [0, 1]
  double epsilon_end = 0.02;          // in [0, 1]
  double exploration_fraction = 0.3;  // share of the steps over which epsilon decays, (0, 1]
  double gradient_clip = 10.0;        // max gradient norm, > 0
  bool double_q = true;               // double DQN targets (false: min of the target network)
  bool dueling = true;                // dueling head: V(s) + centred advantages per branch
  int max_order = 0;                  // largest order per warehouse; 0 = automatic (see above)
  int64_t validation_every = 10'000;  // steps between greedy checks; 0 = keep the last weights
  int validation_paths = 4;           // >= 1
  int validation_days = 1'000;        // measured days per validation path (after 100 warm-up), >= 1
  int threads = 1;                    // torch intra-op threads, >= 1
  uint64_t seed = 42;
  // "DqnOptions::batch = 0; must be in [1, 65536]", "DqnOptions::buffer = 10; must be >=
  // batch = 64", ...
  Status Validate() const;
};

struct DqnTrainingStats {
  int64_t steps = 0;  // days simulated in training
  int64_t gradient_steps = 0;
  int64_t parameters = 0;      // network weights
  std::vector<int> max_order;  // per warehouse
  double seconds = 0;
  // Greedy checks: (step, validation cost per day); the kept weights are those of best_step
  // (-1 when validation is off: the last weights).
  std::vector<std::pair<int64_t, double>> validation;
  int64_t best_step = -1;
  double best_validation_cost = 0;
};

class DqnAgent {
 public:
  // Whether this build has LibTorch; UnavailableReason says why not ("" when it has).
  static bool Available();
  static std::string UnavailableReason();

  // Trains on fresh demand from the environment's distributions (seeded by options.seed).
  // Progress: stage "rl-training", fraction of the steps done.
  static Result<DqnAgent> Train(const MultiEnvConfig& env, const DqnOptions& options,
                                const ProgressFn& progress = {});
  // The single-SKU setting: one warehouse, no capacity limit.
  static Result<DqnAgent> Train(const RlEnvConfig& env, const DqnOptions& options,
                                const ProgressFn& progress = {});

  DqnAgent(DqnAgent&&) noexcept;
  DqnAgent& operator=(DqnAgent&&) noexcept;
  ~DqnAgent();

  // The greedy wanted orders in env's state (before the capacity cut). Not thread-safe (the
  // greedy actions of visited states are cached).
  std::vector<int64_t> Act(const MultiWarehouseEnv& env) const;
  // The single-SKU order (an agent trained on one warehouse).
  int64_t Act(const InventoryEnv& env) const;
  const DqnTrainingStats& stats() const;
  // "dqn:steps=150000,hidden=64x2,gamma=0.99,best@120000".
  std::string Describe() const;

 private:
  struct Impl;
  explicit DqnAgent(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace stockcast::sim
