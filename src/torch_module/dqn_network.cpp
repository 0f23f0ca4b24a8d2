// The DQN agent's network, its training and its greedy actions: part of the LibTorch module
// libstockcast_torch.so (forecast/torch_module.h), reached through stockcast_torch_train_dqn
// (src/torch_module/module.cpp). The method and its references are in sim/dqn_agent.h; the
// agent's set-up and its cache of greedy actions stay in src/sim/dqn_agent.cpp.
#include "torch_module/dqn_network.h"

#include <fmt/format.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "stockcast/sim/random.h"
#include "torch_module/torch_threads.h"

namespace stockcast::sim::detail {
namespace {

// Streams of DqnOptions::seed.
constexpr uint64_t kDemandStream = 0xD0;
constexpr uint64_t kExploreStream = 0xE1;
constexpr uint64_t kBatchStream = 0xB2;
constexpr uint64_t kValidationStream = 0x5A;
constexpr int kValidationWarmup = 100;

using torch_module::TorchThreads;

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

// The trained network as DqnAgent sees it.
class TorchDqnNetwork final : public DqnNetwork {
 public:
  TorchDqnNetwork(std::shared_ptr<QNetImpl> net, const DqnModel& m)
      : net_(std::move(net)),
        offsets_(m.offsets),
        max_order_(m.stats.max_order),
        features_(m.features),
        threads_(m.options.threads) {}

  std::vector<int64_t> Greedy(const float* x, int64_t rows) const override {
    TorchThreads threads(threads_);
    return Argmin(x, rows);
  }

  // Greedy without setting the thread count (training holds its own TorchThreads).
  std::vector<int64_t> Argmin(const float* x, int64_t rows) const {
    torch::NoGradGuard no_grad;
    const torch::Tensor in =
        torch::from_blob(const_cast<float*>(x), {rows, features_}, torch::kFloat32);
    const torch::Tensor q = net_->forward(in);
    const size_t width = offsets_.size();
    std::vector<int64_t> out(static_cast<size_t>(rows) * width);
    for (size_t w = 0; w < width; ++w) {
      const torch::Tensor best = q.narrow(1, offsets_[w], max_order_[w] + 1).argmin(1).contiguous();
      const int64_t* b = best.data_ptr<int64_t>();
      for (int64_t r = 0; r < rows; ++r) out[static_cast<size_t>(r) * width + w] = b[r];
    }
    return out;
  }

 private:
  std::shared_ptr<QNetImpl> net_;
  std::vector<int64_t> offsets_;
  std::vector<int> max_order_;
  int64_t features_;
  int threads_;
};

}  // namespace

Status TrainDqnNetwork(DqnModel& m, std::span<const int64_t> forecast_levels,
                       const ProgressFn& progress) {
  const MultiEnvConfig& config = m.config;
  const DqnOptions& options = m.options;
  const size_t width = config.demands.size();
  double total_mean = 0;
  for (double mean : m.means) total_mean += mean;
  // Cost scale c0: (h + p) x total mean demand, so the discounted targets stay of order 1-20.
  const double cost_scale =
      std::max(1e-9, (config.holding + config.lost_sales) * total_mean + config.ordering);
  std::shared_ptr<QNetImpl> net;
  try {
    TorchThreads threads(options.threads);
    torch::manual_seed(options.seed);
    std::vector<int64_t> sizes;
    for (int most : m.stats.max_order) sizes.push_back(most + 1);
    net = std::make_shared<QNetImpl>(m.features, options.hidden, options.layers, m.offsets, sizes,
                                     options.dueling);
    auto target = std::make_shared<QNetImpl>(m.features, options.hidden, options.layers, m.offsets,
                                             sizes, options.dueling);
    CopyParameters(*net, *target);
    TorchDqnNetwork policy(net, m);
    for (const auto& p : net->parameters()) m.stats.parameters += p.numel();
    torch::optim::Adam optimizer(net->parameters(),
                                 torch::optim::AdamOptions(options.learning_rate));

    Rng demand_rng = Rng::ForStream(options.seed, kDemandStream);
    Rng explore_rng = Rng::ForStream(options.seed, kExploreStream);
    Rng batch_rng = Rng::ForStream(options.seed, kBatchStream);
    const auto validation_paths = MultiDemandPaths(config.demands, options.validation_paths,
                                                   kValidationWarmup + options.validation_days,
                                                   DeriveSeed(options.seed, kValidationStream));

    // Replay buffer (a ring): state, wanted orders (action indices), scaled cost, next state.
    const int features = m.features;
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
          idx[static_cast<size_t>(b) * width + w] = m.offsets[w] + actions[i * width + w];
        }
        c[b] = costs[i];
      }
      torch::Tensor y;
      {
        torch::NoGradGuard no_grad;
        const torch::Tensor q_target = target->forward(batch_s2);
        const torch::Tensor q_online = options.double_q ? net->forward(batch_s2) : torch::Tensor();
        torch::Tensor next = torch::zeros({batch}, torch::kFloat32);
        for (size_t w = 0; w < width; ++w) {
          const int64_t n = m.stats.max_order[w] + 1;
          const torch::Tensor branch = q_target.narrow(1, m.offsets[w], n);
          if (options.double_q) {
            const torch::Tensor chosen =
                q_online.narrow(1, m.offsets[w], n).argmin(1, /*keepdim=*/true);
            next += branch.gather(1, chosen).squeeze(1);
          } else {
            next += std::get<0>(branch.min(1));
          }
        }
        y = batch_c + static_cast<float>(options.discount) * next;
      }
      const torch::Tensor q = net->forward(batch_s).gather(1, batch_idx).sum(1);
      const torch::Tensor loss = torch::huber_loss(q, y, at::Reduction::Mean, 1.0);
      // Learning rate: linear decay from learning_rate to learning_rate x learning_rate_end.
      const double progress_share =
          static_cast<double>(m.stats.steps) / static_cast<double>(options.steps);
      static_cast<torch::optim::AdamOptions&>(optimizer.param_groups()[0].options())
          .lr(options.learning_rate * (1.0 - (1.0 - options.learning_rate_end) * progress_share));
      optimizer.zero_grad();
      loss.backward();
      torch::nn::utils::clip_grad_norm_(net->parameters(), options.gradient_clip);
      optimizer.step();
      ++m.stats.gradient_steps;
      if (m.stats.gradient_steps % options.target_update == 0) {
        CopyParameters(*net, *target);
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
          m.Features(envs[i], &x[i * static_cast<size_t>(features)]);
        }
        const std::vector<int64_t> orders = policy.Argmin(x.data(), static_cast<int64_t>(paths));
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
      m.Features(env, state.data());
      const double frac = std::min(1.0, static_cast<double>(step) / decay_steps);
      const double epsilon =
          options.epsilon_start + (options.epsilon_end - options.epsilon_start) * frac;
      bool any_greedy = false;
      for (size_t w = 0; w < width; ++w) {
        explore[w] = explore_rng.Bernoulli(epsilon);
        any_greedy = any_greedy || !explore[w];
      }
      std::vector<int64_t> greedy;
      if (any_greedy) greedy = policy.Argmin(state.data(), 1);
      for (size_t w = 0; w < width; ++w) {
        wanted[w] = explore[w] ? explore_rng.UniformInt(0, m.stats.max_order[w]) : greedy[w];
      }
      // The one-step cost of the decision: its ordering cost and the next day's holding and
      // lost sales (rl_agent.h's accounting).
      const double k = env.Order(wanted);
      for (size_t w = 0; w < width; ++w) demand[w] = DrawDemand(config.demands[w], demand_rng);
      const MultiDay day = env.Advance(demand);
      const double cost = k + day.holding_cost + day.shortage_cost;
      const size_t f = static_cast<size_t>(features);
      std::memcpy(&states[head * f], state.data(), f * sizeof(float));
      m.Features(env, &next_states[head * f]);
      for (size_t w = 0; w < width; ++w) actions[head * width + w] = wanted[w];
      costs[head] = static_cast<float>(cost / cost_scale);
      head = (head + 1) % capacity;
      stored = std::min(stored + 1, capacity);
      ++m.stats.steps;

      if (step + 1 >= options.learning_starts && (step + 1) % options.train_every == 0) {
        gradient_step();
      }
      if (options.validation_every > 0 && step + 1 >= options.learning_starts &&
          ((step + 1) % options.validation_every == 0 || step + 1 == options.steps)) {
        const double v = validate();
        m.stats.validation.emplace_back(step + 1, v);
        if (v < best_cost) {
          best_cost = v;
          m.stats.best_step = step + 1;
          m.stats.best_validation_cost = v;
          best_weights.clear();
          for (const auto& item : net->named_parameters()) {
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
      auto params = net->named_parameters();
      for (const auto& [name, value] : best_weights) params[name].copy_(value);
    }
    m.net = std::make_unique<TorchDqnNetwork>(net, m);
  } catch (const c10::Error& e) {
    return Error::Internal(
        fmt::format("DQN agent: LibTorch failed: {}", e.what_without_backtrace()));
  }
  return Status::Ok();
}

}  // namespace stockcast::sim::detail
