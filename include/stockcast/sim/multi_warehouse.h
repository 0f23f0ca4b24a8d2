#pragma once
// Several warehouses sharing one supplier: the multi-warehouse replenishment setting of the RL
// comparison (issue 7), its environment, the classic baselines and the evaluation protocol.
//
// ENVIRONMENT: W warehouses, each with its own daily demand distribution and lost sales, the
// same lead time L (simulator days: an order placed at the end of day t arrives at the start of
// day t + L) and the same costs (h per unit on hand at the end of a day, p per unit lost, K per
// warehouse order placed). Every warehouse follows the single-SKU day of rl_agent.h (receipts,
// demand, costs, review). At the review the policy says how much each warehouse WANTS; ONE
// supplier ships at most C units a day to all of them together. When the wanted total exceeds
// C the environment cuts the orders by proportional rationing (Ration below): warehouse w gets
// floor(C q_w / sum q), and the units left by the floors go one each to the largest remainders
// (ties: the lower index). The cut units are not back-ordered at the supplier: the next review
// may ask again. C = 0 means no limit.
//
// BASELINES, all on the same demand paths as the agent (common random numbers), all through
// the same capacity cut:
//   base-stock                 independent order-up-to S_w per warehouse (wanted S_w - IP_w),
//                              the vector S tuned by simulation on tuning paths (independent
//                              of the evaluation paths) by coordinate search: each S_w scanned
//                              over 0 .. cap_w with the others fixed, rounds until no S_w moves
//   base-stock-at-agent-fill   the same search for the cheapest levels whose aggregate fill
//                              rate on the tuning paths is >= the agent's: "cost at equal fill
//                              rate" (when a binding capacity makes that impossible for base
//                              stock, the levels closest to it, and the rule says so)
//   forecast-driven            per warehouse the newsvendor order-up-to of rl_agent.h
//                              (F_w^-1(p / (p + h)) of demand over L days, perfect stationary
//                              forecast), the capacity ignored when choosing the levels
// Evaluation as in rl_agent.h: per path the cost per day summed over the warehouses and the
// aggregate fill rate (filled / demand over all warehouses), means with 95 % t intervals over
// paths, paired differences policy - agent. The agent is the DQN of dqn_agent.h with one
// action branch per warehouse (needs LibTorch; without it the comparison is Unavailable).
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/core/progress.h"
#include "stockcast/policy/demand_distribution.h"
#include "stockcast/sim/rl_agent.h"

namespace stockcast::sim {

struct DqnOptions;
struct DqnTrainingStats;

struct MultiEnvConfig {
  std::vector<policy::DemandDistribution> demands;  // one per warehouse: 1 .. 16 warehouses
  int lead_time = 2;                                // L >= 1 simulator days, all warehouses
  double holding = 1.0;                             // h per unit on hand at the end of a day
  double lost_sales = 9.0;                          // p per unit lost
  double ordering = 0.0;                            // K per warehouse order placed
  int64_t capacity = 0;  // supplier units per day for all warehouses together; 0 = unlimited
  // "MultiEnvConfig::capacity = -1; must be >= 0 (0 = unlimited)", "MultiEnvConfig::demands[1]
  // = ...; must have a finite mean > 0", ...
  Status Validate() const;
  // Warehouse w alone as a single-SKU environment (same lead time and costs).
  RlEnvConfig Warehouse(size_t w) const;
};

// Proportional rationing of `wanted` (each clamped to [0, 1e9]) to at most `capacity` units (0 =
// unlimited): unchanged when the total fits; else floor(capacity q_w / total) each, and the
// remaining units one each to the largest remainders, ties to the lower index. Sums to exactly
// `capacity` when the wanted total exceeds it.
std::vector<int64_t> Ration(std::span<const int64_t> wanted, int64_t capacity);

// One day over all warehouses.
struct MultiDay {
  std::vector<RlDay> warehouses;
  double holding_cost = 0;   // summed over the warehouses
  double shortage_cost = 0;  // summed
  int64_t demand = 0;
  int64_t filled = 0;
  int64_t lost = 0;
};

// W single-SKU environments and the supplier's capacity. Reset, then per day Advance(demand)
// and Order(wanted) at the review.
class MultiWarehouseEnv {
 public:
  explicit MultiWarehouseEnv(const MultiEnvConfig& config);
  void Reset(std::span<const int64_t> on_hand);       // empty pipelines
  MultiDay Advance(std::span<const int64_t> demand);  // demand[w] of each warehouse
  // Cuts `wanted` to the capacity (Ration) and places the orders; returns the ordering cost
  // (K per warehouse with a positive placed order). `placed` (optional) receives the cut
  // quantities.
  double Order(std::span<const int64_t> wanted, std::vector<int64_t>* placed = nullptr);

  size_t size() const { return warehouses_.size(); }
  const InventoryEnv& warehouse(size_t w) const { return warehouses_[w]; }
  const MultiEnvConfig& config() const { return config_; }

 private:
  MultiEnvConfig config_;
  std::vector<InventoryEnv> warehouses_;
};

// Demand paths of all warehouses, path-major: paths[i][t * W + w] is warehouse w's demand on
// day t of path i. Warehouse w's numbers are DemandPaths(demands[w], count, length,
// DeriveSeed(seed, w)), so adding a warehouse leaves the others' demand unchanged.
std::vector<std::vector<int64_t>> MultiDemandPaths(
    const std::vector<policy::DemandDistribution>& demands, int count, int length, uint64_t seed);

// A policy's results on one path over the measured days.
struct MultiPathMetrics {
  PathMetrics total;              // costs summed over warehouses; aggregate fill rate
  std::vector<double> fill_rate;  // per warehouse (1 without demand)
  double cut_per_day = 0;         // units wanted but cut by the capacity, per day
};

// The wanted orders at a review (one per warehouse, before the cut).
using MultiOrderFn = std::function<std::vector<int64_t>(const MultiWarehouseEnv& env)>;
std::vector<MultiPathMetrics> EvaluateMultiPaths(const MultiEnvConfig& config,
                                                 const std::vector<std::vector<int64_t>>& paths,
                                                 int warmup_days,
                                                 std::span<const int64_t> initial_on_hand,
                                                 const MultiOrderFn& rule);
// Independent base stock: wanted S_w - IP_w (>= 0) per warehouse.
MultiOrderFn BaseStockRule(std::vector<int64_t> levels);

// The per-warehouse forecast-driven levels (ForecastDrivenLevel of each warehouse alone).
Result<std::vector<int64_t>> ForecastDrivenLevels(const MultiEnvConfig& config);

struct MultiPolicyResult {
  RlPolicyResult overall;  // name, rule, costs, fill, paired difference
  std::vector<RlEstimate> fill_rate_by_warehouse;
  RlEstimate cut_per_day;
};

struct MultiComparison {
  double training_seconds = 0;
  int64_t training_steps = 0;
  std::string training_details;  // the DQN's settings ("dqn:steps=...,best@...")
  // The DQN's greedy checks (step, validation cost per day) and the step whose weights were
  // kept (-1: the last).
  std::vector<std::pair<int64_t, double>> validation;
  int64_t best_step = -1;
  double capacity_share = 0;                // C / (sum of mean demands); 0 when unlimited
  std::vector<MultiPolicyResult> policies;  // "rl-dqn" first
  std::string summary;
};

// Trains the DQN on the multi-warehouse environment, tunes the baselines and compares all on
// the same evaluation paths. Each coordinate search simulates at most
// RlEvalOptions::optimize_evaluations x W distinct level vectors. Unavailable without LibTorch.
// Progress stages: "rl-training", "rl-tuning", "rl-evaluation".
Result<MultiComparison> CompareMultiWarehouse(const MultiEnvConfig& config, const DqnOptions& dqn,
                                              const RlEvalOptions& eval,
                                              const ProgressFn& progress = {});

}  // namespace stockcast::sim
