#pragma once
// The DQN network inside the LibTorch module (src/torch_module/dqn_network.cpp).
#include <span>

#include "sim/dqn_model.h"

namespace stockcast::sim::detail {

// Trains model.net; see TrainDqnNetworkFn in sim/dqn_model.h.
Status TrainDqnNetwork(DqnModel& model, std::span<const int64_t> forecast_levels,
                       const ProgressFn& progress);

}  // namespace stockcast::sim::detail
