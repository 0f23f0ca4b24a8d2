#pragma once
// The DQN agent's trained state, shared by stockcast_sim (DqnAgent: set-up, the cache of greedy
// actions) and the LibTorch module (src/torch_module/dqn_network.cpp: the network, its
// training and its greedy actions). No torch type appears here.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "stockcast/sim/dqn_agent.h"
#include "stockcast/sim/multi_warehouse.h"
#include "stockcast/sim/rl_agent.h"

namespace stockcast::sim::detail {

// L + 1 features of one warehouse at a review: on hand / m, the L - 1 orders in transit
// (oldest first) / m, inventory position / (m L). The pipeline's last slot is empty at a
// review (the day's order is not placed yet) and is left out.
void WarehouseFeatures(const InventoryEnv& e, double mean, float* out);

// A trained Q network: its greedy policy.
class DqnNetwork {
 public:
  virtual ~DqnNetwork() = default;
  // The per-branch argmin of the network for `rows` states (rows x features floats): rows x W
  // orders, on DqnOptions::threads torch threads.
  virtual std::vector<int64_t> Greedy(const float* x, int64_t rows) const = 0;
};

struct DqnModel {
  MultiEnvConfig config;
  DqnOptions options;
  DqnTrainingStats stats;        // max_order set before training, the rest by it
  std::vector<double> means;     // per warehouse
  std::vector<int64_t> offsets;  // first output of each warehouse's branch
  int features = 0;
  int outputs = 0;
  std::unique_ptr<DqnNetwork> net;  // set by training

  int FeaturesPerWarehouse() const { return config.lead_time + 1; }
  void Features(const MultiWarehouseEnv& env, float* out) const;
};

// Entry point stockcast_torch_train_dqn of the LibTorch module: trains `model.net` (config,
// options, means, offsets, features, outputs and stats.max_order set by DqnAgent::Train),
// starting validation paths from `forecast_levels`. Errors: LibTorch failures.
using TrainDqnNetworkFn = Status (*)(DqnModel& model, std::span<const int64_t> forecast_levels,
                                     const ProgressFn& progress);

}  // namespace stockcast::sim::detail
