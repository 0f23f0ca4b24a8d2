// The DQN replenishment agent (see dqn_agent.h for the method and the references). The only
// translation unit of stockcast_sim that includes LibTorch headers (they cost ~25 s and ~1 GB to
// compile); no public header names a torch type. Built without LibTorch, Train says so.
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

#include "stockcast/sim/random.h"

#ifdef STOCKCAST_HAVE_TORCH
#include <ATen/Parallel.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/types.h>
#include <torch/utils.h>
#endif

namespace stockcast::sim {
namespace {

// Streams of DqnOptions::seed.
constexpr uint64_t kDemandStream = 0xD0;
constexpr uint64_t kExploreStream = 0xE1;
constexpr uint64_t kBatchStream = 0xB2;
constexpr uint64_t kValidationStream = 0x5A;
constexpr int kValidationWarmup = 100;
constexpr size_t kMaxCachedStates = 500'000;  // ~100 MB of keys at most

// L + 1 features of one warehouse at a review: on hand / m, the L - 1 orders in transit
// (oldest first) / m, inventory position / (m L). The pipeline's last slot is empty at a
// review (the day's order is not placed yet) and is left out.
void WarehouseFeatures(const InventoryEnv& e, double mean, float* out) {
  const int lead = e.config().lead_time;
  const double m = std::max(mean, 1e-9);
  out[0] = static_cast<float>(static_cast<double>(e.on_hand()) / m);
  for (int i = 0; i + 1 < lead; ++i) {
    out[1 + i] = static_cast<float>(static_cast<double>(e.pipeline()[static_cast<size_t>(i)]) / m);
  }
  out[lead] = static_cast<float>(static_cast<double>(e.Position()) / (m * lead));
}

// The cache key of a state: every warehouse's on hand and pipeline.
void AppendKey(const InventoryEnv& e, std::string& key) {
  const int64_t x = e.on_hand();
  key.append(reinterpret_cast<const char*>(&x), sizeof x);
  for (int64_t q : e.pipeline()) key.append(reinterpret_cast<const char*>(&q), sizeof q);
}

#ifdef STOCKCAST_HAVE_TORCH
// A fixed torch thread count for a scope (determinism needs the same count on every run).
class TorchThreads {
 public:
  explicit TorchThreads(int threads) : previous_(at::get_num_threads()) {
    at::set_num_threads(std::max(1, threads));
  }
  ~TorchThreads() { at::set_num_threads(previous_); }
  TorchThreads(const TorchThreads&) = delete;
  TorchThreads& operator=(const TorchThreads&) = delete;

 private:
  int previous_;
};

// The shared MLP torso (ReLU) and one linear output block per warehouse, concatenated. With
// `dueling` (Wang et al. 2016, "Dueling network architectures for deep reinforcement
// learning"; per branch as in Tavakoli et al. 2018) the head has one more output, the state
// value V(s), and branch w's values are Q_w(s, a) = V(s) / W + A_w(s, a) - mean_a A_w(s, a):
// their sum over the branches is V(s) plus the centred advantages, so the many orders whose
// costs barely differ share V and only their small differences are learned per action.
struct QNetImpl : torch::nn::Module {
  QNetImpl(int inputs, int hidden, int layers, std::vector<int64_t> branch_offsets,
           std::vector<int64_t> branch_sizes, bool dueling_head)
      : offsets(std::move(branch_offsets)), sizes(std::move(branch_sizes)), dueling(dueling_head) {
    int width = inputs;
    for (int i = 0; i < layers; ++i) {
      torso.push_back(register_module(fmt::format("fc{}", i),
                                      torch::nn::Linear(torch::nn::LinearOptions(width, hidden))));
      width = hidden;
    }
    int64_t outputs = 0;
    for (int64_t n : sizes) outputs += n;
    head = register_module(
        "head", torch::nn::Linear(torch::nn::LinearOptions(width, outputs + (dueling ? 1 : 0))));
  }
  // [rows, sum of branch sizes]: every branch's Q_w(s, a).
  torch::Tensor forward(torch::Tensor x) {
    for (auto& layer : torso) x = torch::relu(layer->forward(x));
    torch::Tensor out = head->forward(x);
    if (!dueling) return out;
    const int64_t outputs = out.size(1) - 1;
    const torch::Tensor v = out.narrow(1, outputs, 1) / static_cast<double>(sizes.size());
    std::vector<torch::Tensor> branches;
    for (size_t w = 0; w < sizes.size(); ++w) {
      const torch::Tensor a = out.narrow(1, offsets[w], sizes[w]);
      branches.push_back(v + a - a.mean(1, /*keepdim=*/true));
    }
    return torch::cat(branches, 1);
  }
  std::vector<torch::nn::Linear> torso;
  torch::nn::Linear head{nullptr};
  std::vector<int64_t> offsets, sizes;
  bool dueling = false;
};

void CopyParameters(QNetImpl& from, QNetImpl& to) {
  torch::NoGradGuard no_grad;
  auto src = from.parameters();
  auto dst = to.parameters();
  for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
}
#endif

}  // namespace

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
  MultiEnvConfig config;
  DqnOptions options;
  DqnTrainingStats stats;
  std::vector<double> means;     // per warehouse
  std::vector<int64_t> offsets;  // first output of each warehouse's branch
  int features = 0;
  int outputs = 0;
  mutable std::unordered_map<std::string, std::vector<int64_t>> cache;
#ifdef STOCKCAST_HAVE_TORCH
  std::shared_ptr<QNetImpl> net;
#endif

  int FeaturesPerWarehouse() const { return config.lead_time + 1; }
  void Features(const MultiWarehouseEnv& env, float* out) const {
    for (size_t w = 0; w < env.size(); ++w) {
      WarehouseFeatures(env.warehouse(w), means[w],
                        out + static_cast<ptrdiff_t>(w) * FeaturesPerWarehouse());
    }
  }
#ifdef STOCKCAST_HAVE_TORCH
  // The per-branch argmin of the online network for `rows` states: rows x W orders.
  std::vector<int64_t> Greedy(const float* x, int64_t rows) const {
    torch::NoGradGuard no_grad;
    const torch::Tensor in =
        torch::from_blob(const_cast<float*>(x), {rows, features}, torch::kFloat32);
    const torch::Tensor q = net->forward(in);
    const size_t width = config.demands.size();
    std::vector<int64_t> out(static_cast<size_t>(rows) * width);
    for (size_t w = 0; w < width; ++w) {
      const torch::Tensor best =
          q.narrow(1, offsets[w], stats.max_order[w] + 1).argmin(1).contiguous();
      const int64_t* b = best.data_ptr<int64_t>();
      for (int64_t r = 0; r < rows; ++r) out[static_cast<size_t>(r) * width + w] = b[r];
    }
    return out;
  }
#endif
};

DqnAgent::DqnAgent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DqnAgent::DqnAgent(DqnAgent&&) noexcept = default;
DqnAgent& DqnAgent::operator=(DqnAgent&&) noexcept = default;
DqnAgent::~DqnAgent() = default;

const DqnTrainingStats& DqnAgent::stats() const { return impl_->stats; }

bool DqnAgent::Available() {
#ifdef STOCKCAST_HAVE_TORCH
  return true;
#else
  return false;
#endif
}

std::string DqnAgent::UnavailableReason() {
  if (Available()) return "";
  return "built without LibTorch (install libtorch-dev and configure with "
         "-DSTOCKCAST_WITH_TORCH=ON)";
}

std::string DqnAgent::Describe() const {
  const auto& o = impl_->options;
  std::string s = fmt::format("dqn:steps={},net={}x{}{},gamma={}", impl_->stats.steps, o.hidden,
                              o.layers, o.dueling ? ",dueling" : "", o.discount);
  if (impl_->stats.best_step >= 0) s += fmt::format(",best@{}", impl_->stats.best_step);
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
#ifndef STOCKCAST_HAVE_TORCH
  (void)progress;
  return Error::Internal("DQN agent: unreachable without LibTorch");
#else
  const auto t0 = std::chrono::steady_clock::now();
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->options = options;
  const size_t width = config.demands.size();
  double total_mean = 0;
  for (const auto& d : config.demands) {
    impl->means.push_back(d.Mean());
    total_mean += d.Mean();
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
    impl->offsets.push_back(impl->outputs);
    impl->outputs += max_order + 1;
    impl->stats.max_order.push_back(max_order);
  }
  impl->features = static_cast<int>(width) * impl->FeaturesPerWarehouse();
  SC_ASSIGN_OR_RETURN(std::vector<int64_t> forecast_levels, ForecastDrivenLevels(config));
  // Cost scale c0: (h + p) x total mean demand, so the discounted targets stay of order 1-20.
  const double cost_scale =
      std::max(1e-9, (config.holding + config.lost_sales) * total_mean + config.ordering);

  try {
    TorchThreads threads(options.threads);
    torch::manual_seed(options.seed);
    std::vector<int64_t> sizes;
    for (int m : impl->stats.max_order) sizes.push_back(m + 1);
    impl->net = std::make_shared<QNetImpl>(impl->features, options.hidden, options.layers,
                                           impl->offsets, sizes, options.dueling);
    auto target = std::make_shared<QNetImpl>(impl->features, options.hidden, options.layers,
                                             impl->offsets, sizes, options.dueling);
    CopyParameters(*impl->net, *target);
    for (const auto& p : impl->net->parameters()) impl->stats.parameters += p.numel();
    torch::optim::Adam optimizer(impl->net->parameters(),
                                 torch::optim::AdamOptions(options.learning_rate));

    Rng demand_rng = Rng::ForStream(options.seed, kDemandStream);
    Rng explore_rng = Rng::ForStream(options.seed, kExploreStream);
    Rng batch_rng = Rng::ForStream(options.seed, kBatchStream);
    const auto validation_paths = MultiDemandPaths(config.demands, options.validation_paths,
                                                   kValidationWarmup + options.validation_days,
                                                   DeriveSeed(options.seed, kValidationStream));

    // Replay buffer (a ring): state, wanted orders (action indices), scaled cost, next state.
    const int features = impl->features;
    const size_t capacity = static_cast<size_t>(std::min<int64_t>(options.buffer, options.steps));
    std::vector<float> states(capacity * static_cast<size_t>(features));
    std::vector<float> next_states(capacity * static_cast<size_t>(features));
    std::vector<int64_t> actions(capacity * width);
    std::vector<float> costs(capacity);
    size_t stored = 0, head = 0;

    // Minibatch tensors, filled in place each gradient step.
    const int64_t batch = options.batch;
    torch::Tensor batch_s = torch::empty({batch, features}, torch::kFloat32);
    torch::Tensor batch_s2 = torch::empty({batch, features}, torch::kFloat32);
    torch::Tensor batch_idx = torch::empty({batch, static_cast<int64_t>(width)}, torch::kInt64);
    torch::Tensor batch_c = torch::empty({batch}, torch::kFloat32);

    auto gradient_step = [&]() {
      float* s = batch_s.data_ptr<float>();
      float* s2 = batch_s2.data_ptr<float>();
      int64_t* idx = batch_idx.data_ptr<int64_t>();
      float* c = batch_c.data_ptr<float>();
      const size_t f = static_cast<size_t>(features);
      for (int64_t b = 0; b < batch; ++b) {
        const size_t i =
            static_cast<size_t>(batch_rng.UniformInt(0, static_cast<int64_t>(stored) - 1));
        std::memcpy(s + static_cast<size_t>(b) * f, &states[i * f], f * sizeof(float));
        std::memcpy(s2 + static_cast<size_t>(b) * f, &next_states[i * f], f * sizeof(float));
        for (size_t w = 0; w < width; ++w) {
          idx[static_cast<size_t>(b) * width + w] = impl->offsets[w] + actions[i * width + w];
        }
        c[b] = costs[i];
      }
      torch::Tensor y;
      {
        torch::NoGradGuard no_grad;
        const torch::Tensor q_target = target->forward(batch_s2);
        const torch::Tensor q_online =
            options.double_q ? impl->net->forward(batch_s2) : torch::Tensor();
        torch::Tensor next = torch::zeros({batch}, torch::kFloat32);
        for (size_t w = 0; w < width; ++w) {
          const int64_t n = impl->stats.max_order[w] + 1;
          const torch::Tensor branch = q_target.narrow(1, impl->offsets[w], n);
          if (options.double_q) {
            const torch::Tensor chosen =
                q_online.narrow(1, impl->offsets[w], n).argmin(1, /*keepdim=*/true);
            next += branch.gather(1, chosen).squeeze(1);
          } else {
            next += std::get<0>(branch.min(1));
          }
        }
        y = batch_c + static_cast<float>(options.discount) * next;
      }
      const torch::Tensor q = impl->net->forward(batch_s).gather(1, batch_idx).sum(1);
      const torch::Tensor loss = torch::huber_loss(q, y, at::Reduction::Mean, 1.0);
      // Learning rate: linear decay from learning_rate to learning_rate x learning_rate_end.
      const double progress_share =
          static_cast<double>(impl->stats.steps) / static_cast<double>(options.steps);
      static_cast<torch::optim::AdamOptions&>(optimizer.param_groups()[0].options())
          .lr(options.learning_rate * (1.0 - (1.0 - options.learning_rate_end) * progress_share));
      optimizer.zero_grad();
      loss.backward();
      torch::nn::utils::clip_grad_norm_(impl->net->parameters(), options.gradient_clip);
      optimizer.step();
      ++impl->stats.gradient_steps;
      if (impl->stats.gradient_steps % options.target_update == 0) {
        CopyParameters(*impl->net, *target);
      }
    };

    // The greedy policy on the validation paths, all paths in one batch per day.
    auto validate = [&]() {
      const size_t paths = validation_paths.size();
      std::vector<MultiWarehouseEnv> envs(paths, MultiWarehouseEnv(config));
      for (auto& e : envs) e.Reset(forecast_levels);
      std::vector<float> x(paths * static_cast<size_t>(features));
      double cost = 0;
      const size_t days = static_cast<size_t>(kValidationWarmup + options.validation_days);
      for (size_t t = 0; t < days; ++t) {
        for (size_t i = 0; i < paths; ++i) {
          const MultiDay day = envs[i].Advance(
              std::span<const int64_t>(validation_paths[i].data() + t * width, width));
          if (t >= static_cast<size_t>(kValidationWarmup)) {
            cost += day.holding_cost + day.shortage_cost;
          }
          impl->Features(envs[i], &x[i * static_cast<size_t>(features)]);
        }
        const std::vector<int64_t> orders = impl->Greedy(x.data(), static_cast<int64_t>(paths));
        for (size_t i = 0; i < paths; ++i) {
          const double k = envs[i].Order(std::span<const int64_t>(&orders[i * width], width));
          if (t >= static_cast<size_t>(kValidationWarmup)) cost += k;
        }
      }
      return cost / static_cast<double>(paths * static_cast<size_t>(options.validation_days));
    };

    MultiWarehouseEnv env(config);
    std::vector<int64_t> start(width), wanted(width), demand(width);
    std::vector<bool> explore(width);
    std::vector<float> state(static_cast<size_t>(features));
    std::vector<std::pair<std::string, torch::Tensor>> best_weights;
    double best_cost = std::numeric_limits<double>::infinity();
    const double decay_steps =
        std::max(1.0, std::ceil(options.exploration_fraction * static_cast<double>(options.steps)));
    const int64_t report_every = std::max<int64_t>(1, options.steps / 100);
    for (int64_t step = 0; step < options.steps; ++step) {
      if (step % options.episode_days == 0) {
        // Random restarts spread the visits over the stock levels a policy may leave behind.
        for (size_t w = 0; w < width; ++w) {
          start[w] = explore_rng.UniformInt(0, std::max<int64_t>(1, forecast_levels[w] * 3 / 2));
        }
        env.Reset(start);
      }
      impl->Features(env, state.data());
      const double frac = std::min(1.0, static_cast<double>(step) / decay_steps);
      const double epsilon =
          options.epsilon_start + (options.epsilon_end - options.epsilon_start) * frac;
      bool any_greedy = false;
      for (size_t w = 0; w < width; ++w) {
        explore[w] = explore_rng.Bernoulli(epsilon);
        any_greedy = any_greedy || !explore[w];
      }
      std::vector<int64_t> greedy;
      if (any_greedy) greedy = impl->Greedy(state.data(), 1);
      for (size_t w = 0; w < width; ++w) {
        wanted[w] = explore[w] ? explore_rng.UniformInt(0, impl->stats.max_order[w]) : greedy[w];
      }
      // The one-step cost of the decision: its ordering cost and the next day's holding and
      // lost sales (rl_agent.h's accounting).
      const double k = env.Order(wanted);
      for (size_t w = 0; w < width; ++w) demand[w] = DrawDemand(config.demands[w], demand_rng);
      const MultiDay day = env.Advance(demand);
      const double cost = k + day.holding_cost + day.shortage_cost;
      const size_t f = static_cast<size_t>(features);
      std::memcpy(&states[head * f], state.data(), f * sizeof(float));
      impl->Features(env, &next_states[head * f]);
      for (size_t w = 0; w < width; ++w) actions[head * width + w] = wanted[w];
      costs[head] = static_cast<float>(cost / cost_scale);
      head = (head + 1) % capacity;
      stored = std::min(stored + 1, capacity);
      ++impl->stats.steps;

      if (step + 1 >= options.learning_starts && (step + 1) % options.train_every == 0) {
        gradient_step();
      }
      if (options.validation_every > 0 && step + 1 >= options.learning_starts &&
          ((step + 1) % options.validation_every == 0 || step + 1 == options.steps)) {
        const double v = validate();
        impl->stats.validation.emplace_back(step + 1, v);
        if (v < best_cost) {
          best_cost = v;
          impl->stats.best_step = step + 1;
          impl->stats.best_validation_cost = v;
          best_weights.clear();
          for (const auto& item : impl->net->named_parameters()) {
            best_weights.emplace_back(item.key(), item.value().detach().clone());
          }
        }
      }
      if ((step + 1) % report_every == 0 || step + 1 == options.steps) {
        ReportProgress(progress, "rl-training",
                       static_cast<double>(step + 1) / static_cast<double>(options.steps));
      }
    }
    if (!best_weights.empty()) {
      torch::NoGradGuard no_grad;
      auto params = impl->net->named_parameters();
      for (const auto& [name, value] : best_weights) params[name].copy_(value);
    }
  } catch (const c10::Error& e) {
    return Error::Internal(
        fmt::format("DQN agent: LibTorch failed: {}", e.what_without_backtrace()));
  }
  impl->stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return DqnAgent(std::move(impl));
#endif
}

std::vector<int64_t> DqnAgent::Act(const MultiWarehouseEnv& env) const {
  SC_ASSERT(env.size() == impl_->config.demands.size());
  std::string key;
  key.reserve(env.size() * static_cast<size_t>(impl_->config.lead_time + 1) * sizeof(int64_t));
  for (size_t w = 0; w < env.size(); ++w) AppendKey(env.warehouse(w), key);
  auto it = impl_->cache.find(key);
  if (it != impl_->cache.end()) return it->second;
#ifdef STOCKCAST_HAVE_TORCH
  std::vector<float> x(static_cast<size_t>(impl_->features));
  impl_->Features(env, x.data());
  TorchThreads threads(impl_->options.threads);
  std::vector<int64_t> orders = impl_->Greedy(x.data(), 1);
#else
  std::vector<int64_t> orders(env.size(), 0);  // no agent can exist without LibTorch
#endif
  if (impl_->cache.size() >= kMaxCachedStates) impl_->cache.clear();
  impl_->cache.emplace(std::move(key), orders);
  return orders;
}

int64_t DqnAgent::Act(const InventoryEnv& env) const {
  SC_ASSERT(impl_->config.demands.size() == 1);
  std::string key;
  AppendKey(env, key);
  auto it = impl_->cache.find(key);
  if (it != impl_->cache.end()) return it->second[0];
#ifdef STOCKCAST_HAVE_TORCH
  std::vector<float> x(static_cast<size_t>(impl_->features));
  WarehouseFeatures(env, impl_->means[0], x.data());
  TorchThreads threads(impl_->options.threads);
  std::vector<int64_t> orders = impl_->Greedy(x.data(), 1);
#else
  std::vector<int64_t> orders(1, 0);
#endif
  if (impl_->cache.size() >= kMaxCachedStates) impl_->cache.clear();
  impl_->cache.emplace(std::move(key), orders);
  return orders[0];
}

}  // namespace stockcast::sim
