// The DQN replenishment agent (see dqn_agent.h for the method and the references): options,
// set-up and the cache of greedy actions. The network and its training are in the LibTorch
// module (src/torch_module/dqn_network.cpp, loaded on first use through
// forecast/torch_module.h). Built without LibTorch, Train says so.
#include "stockcast/sim/dqn_agent.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>

#include "forecast/torch_module.h"
#include "sim/dqn_model.h"
#include "stockcast/sim/random.h"

namespace stockcast::sim {
namespace {

constexpr size_t kMaxCachedStates = 500'000;  // ~100 MB of keys at most

// The cache key of a state: every warehouse's on hand and pipeline.
void AppendKey(const InventoryEnv& e, std::string& key) {
  const int64_t x = e.on_hand();
  key.append(reinterpret_cast<const char*>(&x), sizeof x);
  for (int64_t q : e.pipeline()) key.append(reinterpret_cast<const char*>(&q), sizeof q);
}

}  // namespace

namespace detail {

void WarehouseFeatures(const InventoryEnv& e, double mean, float* out) {
  const int lead = e.config().lead_time;
  const double m = std::max(mean, 1e-9);
  out[0] = static_cast<float>(static_cast<double>(e.on_hand()) / m);
  for (int i = 0; i + 1 < lead; ++i) {
    out[1 + i] = static_cast<float>(static_cast<double>(e.pipeline()[static_cast<size_t>(i)]) / m);
  }
  out[lead] = static_cast<float>(static_cast<double>(e.Position()) / (m * lead));
}

void DqnModel::Features(const MultiWarehouseEnv& env, float* out) const {
  for (size_t w = 0; w < env.size(); ++w) {
    WarehouseFeatures(env.warehouse(w), means[w],
                      out + static_cast<ptrdiff_t>(w) * FeaturesPerWarehouse());
  }
}

}  // namespace detail

// ---- options ---------------------------------------------------------------------------------

Status DqnOptions::Validate() const {
  auto bad = [](std::string_view field, auto value, std::string_view rule) {
    return Error::InvalidArgument(
        fmt::format("DqnOptions::{} = {}; must be {}", field, value, rule));
  };
  if (steps < 1 || steps > 1'000'000'000) return bad("steps", steps, "in [1, 1e9]");
  if (episode_days < 1 || episode_days > 10'000'000) {
    return bad("episode_days", episode_days, "in [1, 1e7]");
  }
  if (hidden < 1 || hidden > 4096) return bad("hidden", hidden, "in [1, 4096]");
  if (layers < 1 || layers > 8) return bad("layers", layers, "in [1, 8]");
  if (!(learning_rate > 0 && learning_rate <= 1)) {
    return bad("learning_rate", learning_rate, "in (0, 1]");
  }
  if (!(learning_rate_end > 0 && learning_rate_end <= 1)) {
    return bad("learning_rate_end", learning_rate_end, "in (0, 1]");
  }
  if (batch < 1 || batch > 65536) return bad("batch", batch, "in [1, 65536]");
  if (buffer < batch || buffer > 100'000'000) {
    return Error::InvalidArgument(
        fmt::format("DqnOptions::buffer = {}; must be >= batch = {} and <= 1e8", buffer, batch));
  }
  if (learning_starts < batch) {
    return Error::InvalidArgument(fmt::format(
        "DqnOptions::learning_starts = {}; must be >= batch = {} (a minibatch needs that many "
        "days in the replay buffer)",
        learning_starts, batch));
  }
  if (train_every < 1 || train_every > 1'000'000) {
    return bad("train_every", train_every, "in [1, 1e6]");
  }
  if (target_update < 1 || target_update > 100'000'000) {
    return bad("target_update", target_update, "in [1, 1e8]");
  }
  if (!(discount > 0 && discount < 1)) return bad("discount", discount, "in (0, 1)");
  if (!(epsilon_start >= 0 && epsilon_start <= 1)) {
    return bad("epsilon_start", epsilon_start, "in [0, 1]");
  }
  if (!(epsilon_end >= 0 && epsilon_end <= 1)) return bad("epsilon_end", epsilon_end, "in [0, 1]");
  if (!(exploration_fraction > 0 && exploration_fraction <= 1)) {
    return bad("exploration_fraction", exploration_fraction, "in (0, 1]");
  }
  if (!(gradient_clip > 0) || !std::isfinite(gradient_clip)) {
    return bad("gradient_clip", gradient_clip, "a finite number > 0");
  }
  if (max_order < 0 || max_order > 1000) {
    return bad("max_order", max_order, "in [0, 1000] (0 = automatic)");
  }
  if (validation_every < 0) return bad("validation_every", validation_every, ">= 0 (0 = off)");
  if (validation_paths < 1 || validation_paths > 1000) {
    return bad("validation_paths", validation_paths, "in [1, 1000]");
  }
  if (validation_days < 1 || validation_days > 1'000'000) {
    return bad("validation_days", validation_days, "in [1, 1e6]");
  }
  if (threads < 1 || threads > 256) return bad("threads", threads, "in [1, 256]");
  return Status::Ok();
}

// ---- agent -----------------------------------------------------------------------------------

struct DqnAgent::Impl {
  detail::DqnModel model;
  mutable std::unordered_map<std::string, std::vector<int64_t>> cache;
};

DqnAgent::DqnAgent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DqnAgent::DqnAgent(DqnAgent&&) noexcept = default;
DqnAgent& DqnAgent::operator=(DqnAgent&&) noexcept = default;
DqnAgent::~DqnAgent() = default;

const DqnTrainingStats& DqnAgent::stats() const { return impl_->model.stats; }

bool DqnAgent::Available() {
#ifdef STOCKCAST_HAVE_TORCH
  return true;
#else
  return false;
#endif
}

std::string DqnAgent::UnavailableReason() {
  if (Available()) return "";
  return std::string(forecast::kBuiltWithoutTorch);
}

std::string DqnAgent::Describe() const {
  const auto& o = impl_->model.options;
  const DqnTrainingStats& stats = impl_->model.stats;
  std::string s = fmt::format("dqn:steps={},net={}x{}{},gamma={}", stats.steps, o.hidden, o.layers,
                              o.dueling ? ",dueling" : "", o.discount);
  if (stats.best_step >= 0) s += fmt::format(",best@{}", stats.best_step);
  return s;
}

Result<DqnAgent> DqnAgent::Train(const RlEnvConfig& env, const DqnOptions& options,
                                 const ProgressFn& progress) {
  SC_RETURN_IF_ERROR(env.Validate());
  MultiEnvConfig multi;
  multi.demands = {env.demand};
  multi.lead_time = env.lead_time;
  multi.holding = env.holding;
  multi.lost_sales = env.lost_sales;
  multi.ordering = env.ordering;
  multi.capacity = 0;
  return Train(multi, options, progress);
}

Result<DqnAgent> DqnAgent::Train(const MultiEnvConfig& config, const DqnOptions& options,
                                 const ProgressFn& progress) {
  SC_RETURN_IF_ERROR(config.Validate());
  SC_RETURN_IF_ERROR(options.Validate());
  if (!Available()) return Error::Unavailable("DQN agent: " + UnavailableReason());
  const auto t0 = std::chrono::steady_clock::now();
  auto impl = std::make_unique<Impl>();
  detail::DqnModel& m = impl->model;
  m.config = config;
  m.options = options;
  const size_t width = config.demands.size();
  for (const auto& d : config.demands) {
    m.means.push_back(d.Mean());
    int max_order = options.max_order;
    if (max_order == 0) {
      max_order = std::max(4, static_cast<int>(std::ceil(1.5 * d.Quantile(0.999))));
    }
    if (max_order > 1000) {
      return Error::InvalidArgument(
          fmt::format("DQN agent: automatic max_order = {} for demand {} exceeds 1000 actions per "
                      "warehouse; give DqnOptions::max_order or rescale demand to fewer units",
                      max_order, d.ToString()));
    }
    m.offsets.push_back(m.outputs);
    m.outputs += max_order + 1;
    m.stats.max_order.push_back(max_order);
  }
  m.features = static_cast<int>(width) * m.FeaturesPerWarehouse();
  SC_ASSIGN_OR_RETURN(std::vector<int64_t> forecast_levels, ForecastDrivenLevels(config));
  SC_ASSIGN_OR_RETURN(void* symbol, forecast::TorchModuleSymbol("stockcast_torch_train_dqn"));
  SC_RETURN_IF_ERROR(
      reinterpret_cast<detail::TrainDqnNetworkFn>(symbol)(m, forecast_levels, progress));
  m.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return DqnAgent(std::move(impl));
}

std::vector<int64_t> DqnAgent::Act(const MultiWarehouseEnv& env) const {
  const detail::DqnModel& m = impl_->model;
  SC_ASSERT(env.size() == m.config.demands.size() && m.net != nullptr);
  std::string key;
  key.reserve(env.size() * static_cast<size_t>(m.config.lead_time + 1) * sizeof(int64_t));
  for (size_t w = 0; w < env.size(); ++w) AppendKey(env.warehouse(w), key);
  auto it = impl_->cache.find(key);
  if (it != impl_->cache.end()) return it->second;
  std::vector<float> x(static_cast<size_t>(m.features));
  m.Features(env, x.data());
  std::vector<int64_t> orders = m.net->Greedy(x.data(), 1);
  if (impl_->cache.size() >= kMaxCachedStates) impl_->cache.clear();
  impl_->cache.emplace(std::move(key), orders);
  return orders;
}

int64_t DqnAgent::Act(const InventoryEnv& env) const {
  const detail::DqnModel& m = impl_->model;
  SC_ASSERT(m.config.demands.size() == 1 && m.net != nullptr);
  std::string key;
  AppendKey(env, key);
  auto it = impl_->cache.find(key);
  if (it != impl_->cache.end()) return it->second[0];
  std::vector<float> x(static_cast<size_t>(m.features));
  detail::WarehouseFeatures(env, m.means[0], x.data());
  std::vector<int64_t> orders = m.net->Greedy(x.data(), 1);
  if (impl_->cache.size() >= kMaxCachedStates) impl_->cache.clear();
  impl_->cache.emplace(std::move(key), orders);
  return orders[0];
}

}  // namespace stockcast::sim
