// The global recurrent forecasters `lstm` and `gru`: the model class, part of the LibTorch
// module libstockcast_torch.so (forecast/torch_module.h) and created through
// stockcast_torch_create_rnn (src/torch_module/module.cpp). See forecast/rnn.h for the window
// layout and the network, forecast/rnn.cpp for the parameters and the training method.
#include "torch_module/rnn_model.h"

#include <fmt/format.h>
#include <torch/cuda.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "forecast/base64.h"
#include "stockcast/forecast/distribution.h"
#include "torch_module/torch_threads.h"

namespace stockcast::forecast {
namespace {

// One process-wide lock around training and prediction: torch's thread count and its default
// random generator (initial weights, dropout) are global state.
std::mutex& TorchMutex() {
  static std::mutex m;
  return m;
}

using torch_module::TorchThreads;

// The network: encoder (LSTM or GRU, batch-first) and an MLP head shared by all steps.
struct RnnNetImpl : torch::nn::Module {
  RnnNetImpl(const std::string& cell, int64_t enc_features, int64_t dec_features, int64_t hidden,
             int64_t layers, double dropout)
      : is_lstm(cell == "lstm") {
    const double between = layers > 1 ? dropout : 0.0;  // torch warns on dropout with 1 layer
    if (is_lstm) {
      lstm = register_module("rnn", torch::nn::LSTM(torch::nn::LSTMOptions(enc_features, hidden)
                                                        .num_layers(layers)
                                                        .dropout(between)
                                                        .batch_first(true)));
    } else {
      gru = register_module("rnn", torch::nn::GRU(torch::nn::GRUOptions(enc_features, hidden)
                                                      .num_layers(layers)
                                                      .dropout(between)
                                                      .batch_first(true)));
    }
    drop = register_module("drop", torch::nn::Dropout(torch::nn::DropoutOptions(dropout)));
    head1 = register_module("head1", torch::nn::Linear(hidden + dec_features, hidden));
    head2 = register_module("head2", torch::nn::Linear(hidden, 2));
  }

  // enc [B, context, E], dec [B, horizon, D] -> raw [B, horizon, 2]
  torch::Tensor forward(const torch::Tensor& enc, const torch::Tensor& dec) {
    torch::Tensor out = is_lstm ? std::get<0>(lstm->forward(enc)) : std::get<0>(gru->forward(enc));
    torch::Tensor last = out.select(1, out.size(1) - 1);  // [B, hidden]
    last = drop->forward(last);
    torch::Tensor rep = last.unsqueeze(1).expand({last.size(0), dec.size(1), last.size(1)});
    torch::Tensor z = torch::relu(head1->forward(torch::cat({rep, dec}, 2)));
    return head2->forward(z);
  }

  bool is_lstm;
  torch::nn::LSTM lstm{nullptr};
  torch::nn::GRU gru{nullptr};
  torch::nn::Dropout drop{nullptr};
  torch::nn::Linear head1{nullptr}, head2{nullptr};
};
TORCH_MODULE(RnnNet);

// A forecast origin of one series.
struct Window {
  uint32_t series;
  int32_t origin;
};

// Input tensors of a batch of windows, filled on the CPU.
struct Batch {
  std::vector<float> enc, dec, y, mask, scale;
  int64_t size = 0;
};

// Distribution parameters from the head's raw outputs: mean mu = v softplus(a) and dispersion
// alpha = softplus(b) / sqrt(v) (DeepAR's scaling of the negative binomial by the window scale
// v), in double: lgamma(y + r) - lgamma(r) with r = 1 / alpha near 1e6 loses every digit in
// float.
struct NbParams {
  torch::Tensor mu, alpha;
};
NbParams Params(const torch::Tensor& raw, const torch::Tensor& scale) {
  namespace F = torch::nn::functional;
  const torch::Tensor v = scale.to(torch::kFloat64).unsqueeze(1);  // [B, 1]
  const torch::Tensor a = raw.select(2, 0).to(torch::kFloat64);
  const torch::Tensor b = raw.select(2, 1).to(torch::kFloat64);
  return {(F::softplus(a) + 1e-6) * v, (F::softplus(b) + 1e-6) / torch::sqrt(v)};
}

// Negative log-likelihood per target, [B, H], double.
//   negbin: log P(y) = lgamma(y + r) - lgamma(r) - lgamma(y + 1) + r log(r / (r + mu))
//                      + y log(mu / (r + mu)),  r = 1 / alpha  (Var y = mu + alpha mu^2)
//   poisson: log P(y) = y log mu - mu - lgamma(y + 1)
torch::Tensor Nll(const NbParams& p, const torch::Tensor& y, bool poisson) {
  const torch::Tensor yd = y.to(torch::kFloat64);
  if (poisson) return p.mu - yd * torch::log(p.mu) + torch::lgamma(yd + 1.0);
  const torch::Tensor r = 1.0 / p.alpha;
  const torch::Tensor log_rmu = torch::log(r + p.mu);
  const torch::Tensor ll = torch::lgamma(yd + r) - torch::lgamma(r) - torch::lgamma(yd + 1.0) +
                           r * (torch::log(r) - log_rmu) + yd * (torch::log(p.mu) - log_rmu);
  return -ll;
}

Error TorchError(std::string_view model, std::string_view what, const std::exception& e) {
  std::string message = e.what();
  // c10::Error messages carry a C++ backtrace after the first line.
  if (const size_t cut = message.find('\n'); cut != std::string::npos) message.resize(cut);
  return Error::Internal(fmt::format("{}: LibTorch failed during {}: {}", model, what, message));
}

// The stored weights are little-endian float32; big-endian hosts swap the bytes.
void ToFromLittleEndian(std::vector<float>* values) {
  if constexpr (std::endian::native == std::endian::big) {
    for (float& f : *values) {
      const uint32_t u = std::bit_cast<uint32_t>(f);
      f = std::bit_cast<float>((u >> 24) | ((u >> 8) & 0xFF00u) | ((u << 8) & 0xFF0000u) |
                               (u << 24));
    }
  }
}

// Little-endian float32 bytes of a CPU tensor, base64.
std::string EncodeTensor(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  std::vector<float> values(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  ToFromLittleEndian(&values);
  return Base64Encode(values.data(), values.size() * sizeof(float));
}

class RnnModel final : public GlobalModel {
 public:
  explicit RnnModel(RnnSettings s) : s_(std::move(s)) {}

  std::string_view name() const override { return s_.cell; }

  Status Fit(std::span<const GlobalSeries> series, int season_length, int horizon) override {
    const std::string& m = s_.cell;
    if (series.empty())
      return Error::InvalidArgument(fmt::format("{}: Fit needs at least one series", m));
    if (horizon < 1) {
      return Error::InvalidArgument(fmt::format("{}: horizon = {}; must be >= 1", m, horizon));
    }
    if (season_length < 1) {
      return Error::InvalidArgument(
          fmt::format("{}: season_length = {}; must be >= 1", m, season_length));
    }
    for (size_t i = 0; i < series.size(); ++i) SC_RETURN_IF_ERROR(CheckSeries(series[i], i));
    net_ = nullptr;
    fitted_series_ = {};
    season_length_ = season_length;
    horizon_ = horizon;
    std::lock_guard<std::mutex> lock(TorchMutex());
    try {
      SC_RETURN_IF_ERROR(Train(series));
    } catch (const std::exception& e) {
      net_ = nullptr;
      return TorchError(m, "training", e);
    }
    fitted_series_ = series;
    return Status::Ok();
  }

  Result<std::vector<Forecast>> PredictMany(std::span<const GlobalSeries> series, int horizon,
                                            std::span<const double> levels) const override {
    const std::string& m = s_.cell;
    if (!net_) return Error::InvalidArgument(fmt::format("{}: PredictMany before Fit or Load", m));
    SC_RETURN_IF_ERROR(ValidatePredictArgs(m, horizon, levels));
    for (size_t i = 0; i < series.size(); ++i) SC_RETURN_IF_ERROR(CheckSeries(series[i], i));
    std::vector<Forecast> out(series.size());
    const CalendarTable calendar =
        CalendarOfSeries(series, /*from_first=*/false, s_.context, horizon);
    std::vector<RnnWindows> wins;
    wins.reserve(series.size());
    std::vector<Window> modelled;
    for (size_t i = 0; i < series.size(); ++i) {
      wins.emplace_back(series[i], &calendar, season_length_);
      const RnnWindows& w = wins.back();
      if (w.usable() < s_.min_days) {
        std::optional<Forecast> shortf =
            ShortHistoryForecast(m, series[i].y, series[i].flags, s_.min_days, 28, horizon, levels);
        SC_ASSERT(shortf.has_value());
        out[i] = std::move(*shortf);
        continue;
      }
      modelled.push_back({static_cast<uint32_t>(i), w.n() - 1});
    }
    if (modelled.empty()) return out;
    std::vector<double> mu, alpha;
    {
      std::lock_guard<std::mutex> lock(TorchMutex());
      try {
        TorchThreads threads(s_.threads);
        torch::NoGradGuard no_grad;
        net_->eval();
        // Every forward pass has kChunk windows (the last chunk padded with copies of its last
        // window): the matrix kernels' blocking depends on the batch size, and a series'
        // forecast should not move in the last digits with the number of series beside it.
        constexpr size_t kChunk = 256;
        for (size_t from = 0; from < modelled.size(); from += kChunk) {
          const size_t to = std::min(from + kChunk, modelled.size());
          std::vector<Window> chunk(modelled.begin() + static_cast<std::ptrdiff_t>(from),
                                    modelled.begin() + static_cast<std::ptrdiff_t>(to));
          chunk.resize(kChunk, chunk.back());
          const Batch b = MakeBatch(wins, chunk, horizon, /*train_cut=*/nullptr);
          const NbParams p = Forward(b, horizon);
          const int64_t real = static_cast<int64_t>(to - from);
          const torch::Tensor mc = p.mu.narrow(0, 0, real).to(torch::kCPU).contiguous();
          const torch::Tensor ac = p.alpha.narrow(0, 0, real).to(torch::kCPU).contiguous();
          mu.insert(mu.end(), mc.data_ptr<double>(), mc.data_ptr<double>() + mc.numel());
          alpha.insert(alpha.end(), ac.data_ptr<double>(), ac.data_ptr<double>() + ac.numel());
        }
      } catch (const std::exception& e) {
        return TorchError(m, "prediction", e);
      }
    }
    const bool poisson = s_.likelihood == "poisson";
    const size_t hz = static_cast<size_t>(horizon);
    for (size_t k = 0; k < modelled.size(); ++k) {
      Forecast& f = out[modelled[k].series];
      f.levels.assign(levels.begin(), levels.end());
      f.mean.resize(hz);
      f.quantiles.assign(levels.size(), std::vector<double>(hz));
      for (size_t h = 0; h < hz; ++h) {
        const double mean = mu[k * hz + h];
        f.mean[h] = mean;
        for (size_t l = 0; l < levels.size(); ++l) {
          // Integer quantiles of the predictive count distribution: non-decreasing in p.
          f.quantiles[l][h] =
              poisson ? PoissonQuantile(mean, levels[l])
                      : NegativeBinomialQuantile(mean, 1.0 / alpha[k * hz + h], levels[l]);
        }
      }
      ClampForecast(&f);
    }
    return out;
  }

  Status Save(const std::string& path) const override {
    const std::string& m = s_.cell;
    if (!net_) return Error::InvalidArgument(fmt::format("{}: Save before Fit", m));
    nlohmann::json j;
    j["format"] = kRnnFormat;
    j["version"] = kRnnFormatVersion;
    j["model"] = m;
    j["spec"] = s_.spec;
    j["features"] = FlatFeatureNames();
    j["season_length"] = season_length_;
    j["horizon"] = horizon_;
    j["epochs_run"] = epochs_run_;
    j["best_epoch"] = best_epoch_;
    j["windows"] = windows_;
    j["windows_per_epoch"] = windows_per_epoch_;
    j["validation_windows"] = validation_windows_;
    j["train_loss"] = train_loss_;
    j["validation_loss"] = validation_loss_;
    nlohmann::json imp = nlohmann::json::array();
    for (const FeatureImportance& f : importance_)
      imp.push_back({{"feature", f.feature}, {"gain", f.gain}});
    j["importance"] = imp;
    nlohmann::json weights = nlohmann::json::array();
    try {
      std::lock_guard<std::mutex> lock(TorchMutex());
      for (const auto& item : net_->named_parameters()) {
        weights.push_back({{"name", item.key()},
                           {"shape", item.value().sizes().vec()},
                           {"float32_le_base64", EncodeTensor(item.value())}});
      }
    } catch (const std::exception& e) {
      return TorchError(m, "save", e);
    }
    j["weights"] = weights;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
      return Error::InvalidArgument(
          fmt::format("{}: model file {}: cannot be opened for writing", m, path));
    }
    out << j.dump() << '\n';
    out.close();
    if (!out) return Error::Internal(fmt::format("{}: model file {}: write failed", m, path));
    return Status::Ok();
  }

  Status Load(const std::string& path) override {
    const std::string& m = s_.cell;
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::NotFound(fmt::format("{}: model file {}: cannot be opened", m, path));
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
      return Error::InvalidArgument(
          fmt::format("{}: model file {}: not JSON ({})", m, path, e.what()));
    }
    auto where = [&](std::string_view field, std::string_view rule) {
      return Error::InvalidArgument(fmt::format("{}: model file {}: {} {}", m, path, field, rule));
    };
    try {
      if (j.value("format", "") != kRnnFormat)
        return where("format", fmt::format("must be \"{}\"", kRnnFormat));
      if (j.value("version", -1) != kRnnFormatVersion) {
        return where("version", fmt::format("= {}; this build reads version {}",
                                            j.value("version", -1), kRnnFormatVersion));
      }
      if (j.value("model", "") != m) {
        return where("model", fmt::format("= \"{}\"; must be \"{}\"", j.value("model", ""), m));
      }
      const std::vector<std::string> features = j.at("features").get<std::vector<std::string>>();
      const std::vector<std::string> ours = FlatFeatureNames();
      if (features != ours) {
        size_t k = 0;
        while (k < features.size() && k < ours.size() && features[k] == ours[k]) ++k;
        return where("features",
                     fmt::format("differ from this build's at column {} (file: {}, build: {}); "
                                 "retrain the model",
                                 k, k < features.size() ? features[k] : "(end)",
                                 k < ours.size() ? ours[k] : "(end)"));
      }
      SC_ASSIGN_OR_RETURN(ModelSpec spec, ParseModelSpec(j.at("spec").get<std::string>()));
      SC_ASSIGN_OR_RETURN(
          ParamValues values,
          ParamSchema(RnnSpecs()).Validate(spec.params, fmt::format("model {}", m)));
      SC_RETURN_IF_ERROR(ValidateRnnChoices(m, values));
      if (values.GetString("device") == "cuda" && !CudaAvailable()) {
        return Error::InvalidArgument(RnnNoCudaMessage(m));
      }
      RnnSettings s = SettingsFrom(m, values);
      std::vector<FeatureImportance> importance;
      for (const auto& f : j.at("importance")) {
        importance.push_back({f.at("feature").get<std::string>(), f.at("gain").get<double>()});
      }
      RnnNet net = nullptr;
      {
        std::lock_guard<std::mutex> lock(TorchMutex());
        try {
          net = MakeNet(s);
          std::map<std::string, const nlohmann::json*> stored;
          for (const auto& w : j.at("weights")) stored[w.at("name").get<std::string>()] = &w;
          torch::NoGradGuard no_grad;
          for (auto& item : net->named_parameters()) {
            auto it = stored.find(item.key());
            if (it == stored.end()) {
              return where("weights", fmt::format("lack parameter \"{}\"", item.key()));
            }
            const auto shape = it->second->at("shape").get<std::vector<int64_t>>();
            if (shape != item.value().sizes().vec()) {
              return where("weights",
                           fmt::format("\"{}\" has shape {}; the spec needs {}", item.key(),
                                       nlohmann::json(shape).dump(),
                                       nlohmann::json(item.value().sizes().vec()).dump()));
            }
            const std::optional<std::string> raw =
                Base64Decode(it->second->at("float32_le_base64").get<std::string>());
            if (!raw || raw->size() != static_cast<size_t>(item.value().numel()) * sizeof(float)) {
              return where("weights", fmt::format("\"{}\" is not {} base64 float32 values",
                                                  item.key(), item.value().numel()));
            }
            std::vector<float> values_f(static_cast<size_t>(item.value().numel()));
            std::memcpy(values_f.data(), raw->data(), raw->size());
            ToFromLittleEndian(&values_f);
            const torch::Tensor t =
                torch::from_blob(values_f.data(), item.value().sizes(), torch::kFloat32);
            item.value().copy_(t.to(item.value().device()));
            stored.erase(it);
          }
          if (!stored.empty()) {
            return where("weights", fmt::format("hold parameter \"{}\" the spec does not have",
                                                stored.begin()->first));
          }
        } catch (const c10::Error& e) {
          return TorchError(m, "load", e);
        } catch (const std::runtime_error& e) {
          return TorchError(m, "load", e);
        }
      }
      s_ = std::move(s);
      season_length_ = j.at("season_length").get<int>();
      horizon_ = j.at("horizon").get<int>();
      epochs_run_ = j.at("epochs_run").get<int>();
      best_epoch_ = j.at("best_epoch").get<int>();
      windows_ = j.at("windows").get<size_t>();
      windows_per_epoch_ = j.at("windows_per_epoch").get<size_t>();
      validation_windows_ = j.at("validation_windows").get<size_t>();
      train_loss_ = j.at("train_loss").get<std::vector<double>>();
      validation_loss_ = j.at("validation_loss").get<std::vector<double>>();
      importance_ = std::move(importance);
      net_ = std::move(net);
      fitted_series_ = {};
    } catch (const nlohmann::json::exception& e) {
      return Error::InvalidArgument(
          fmt::format("{}: model file {}: missing or mistyped field ({})", m, path, e.what()));
    }
    return Status::Ok();
  }

  std::vector<std::string> FeatureNames() const override { return FlatFeatureNames(); }
  std::vector<FeatureImportance> Importance() const override { return importance_; }
  std::string Describe() const override {
    return fmt::format(
        "{}(hidden {}, {} layer{}, context {}, {} epoch{} (best {}), {} windows ({} per epoch), "
        "{})",
        s_.cell, s_.hidden, s_.layers, s_.layers == 1 ? "" : "s", s_.context, epochs_run_,
        epochs_run_ == 1 ? "" : "s", best_epoch_, windows_, windows_per_epoch_, s_.likelihood);
  }

 private:
  Status CheckSeries(const GlobalSeries& g, size_t i) const {
    if (!g.flags.empty() && g.flags.size() != g.y.size()) {
      return Error::InvalidArgument(
          fmt::format("{}: series {}: flags has {} values but the series has {}; they must match",
                      s_.cell, i, g.flags.size(), g.y.size()));
    }
    if (g.y.empty()) {
      return Error::InvalidArgument(
          fmt::format("{}: series {}: no days; must have at least one", s_.cell, i));
    }
    return ValidateRegressors(fmt::format("{}: series {}", s_.cell, i), g.x, g.y.size());
  }

  static RnnNet MakeNet(const RnnSettings& s) {
    RnnNet net(s.cell, static_cast<int64_t>(RnnEncoderFeatureNames().size()),
               static_cast<int64_t>(RnnDecoderFeatureNames().size()), s.hidden, s.layers,
               s.dropout);
    if (s.device == "cuda") net->to(torch::kCUDA);
    return net;
  }

  torch::Device Dev() const { return s_.device == "cuda" ? torch::kCUDA : torch::kCPU; }

  // Rows of `windows` for `horizon` steps. With `train_cut` (per series: the first validation
  // day), targets on or after the cut are masked out of the loss.
  Batch MakeBatch(const std::vector<RnnWindows>& wins, std::span<const Window> windows, int horizon,
                  const std::vector<int>* train_cut) const {
    const size_t ne = RnnEncoderFeatureNames().size();
    const size_t nd = RnnDecoderFeatureNames().size();
    const size_t c = static_cast<size_t>(s_.context);
    const size_t hz = static_cast<size_t>(horizon);
    Batch b;
    b.size = static_cast<int64_t>(windows.size());
    b.enc.resize(windows.size() * c * ne);
    b.dec.resize(windows.size() * hz * nd);
    b.y.assign(windows.size() * hz, 0.0f);
    b.mask.assign(windows.size() * hz, 0.0f);
    b.scale.resize(windows.size());
    for (size_t k = 0; k < windows.size(); ++k) {
      const RnnWindows& w = wins[windows[k].series];
      const int o = windows[k].origin;
      b.scale[k] = static_cast<float>(w.Fill(
          o, s_.context, horizon, horizon_, std::span<float>(b.enc.data() + k * c * ne, c * ne),
          std::span<float>(b.dec.data() + k * hz * nd, hz * nd)));
      const int cut = train_cut != nullptr ? (*train_cut)[windows[k].series] : w.n();
      for (int h = 1; h <= horizon; ++h) {
        const int t = o + h;
        if (t >= cut || !w.UsableTarget(t)) continue;
        b.y[k * hz + static_cast<size_t>(h - 1)] = static_cast<float>(w.Demand(t));
        b.mask[k * hz + static_cast<size_t>(h - 1)] = 1.0f;
      }
    }
    return b;
  }

  NbParams Forward(const Batch& b, int horizon) const {
    const int64_t ne = static_cast<int64_t>(RnnEncoderFeatureNames().size());
    const int64_t nd = static_cast<int64_t>(RnnDecoderFeatureNames().size());
    // from_blob views the batch's vectors (const only by the API's signature: nothing writes).
    auto view = [&](const std::vector<float>& v, torch::IntArrayRef sizes) {
      return torch::from_blob(const_cast<float*>(v.data()), sizes, torch::kFloat32).to(Dev());
    };
    const torch::Tensor enc = view(b.enc, {b.size, s_.context, ne});
    const torch::Tensor dec = view(b.dec, {b.size, horizon, nd});
    const torch::Tensor scale = view(b.scale, {b.size});
    return Params(net_->forward(enc, dec), scale);
  }

  // Mean NLL per usable target and the target count of `b` (no gradient).
  std::pair<double, double> Loss(const Batch& b, int horizon) const {
    torch::NoGradGuard no_grad;
    const NbParams p = Forward(b, horizon);
    const torch::Tensor y =
        torch::from_blob(const_cast<float*>(b.y.data()), {b.size, horizon}, torch::kFloat32)
            .to(Dev());
    const torch::Tensor mask =
        torch::from_blob(const_cast<float*>(b.mask.data()), {b.size, horizon}, torch::kFloat32)
            .to(Dev(), torch::kFloat64);
    const double count = mask.sum().item<double>();
    const double sum = (Nll(p, y, s_.likelihood == "poisson") * mask).sum().item<double>();
    return {sum, count};
  }

  Status Train(std::span<const GlobalSeries> series) {
    const std::string& m = s_.cell;
    const auto start = std::chrono::steady_clock::now();
    TorchThreads threads(s_.threads);
    torch::manual_seed(static_cast<uint64_t>(s_.seed));
    const CalendarTable calendar =
        CalendarOfSeries(series, /*from_first=*/true, s_.context, horizon_);
    std::vector<RnnWindows> wins;
    wins.reserve(series.size());
    for (const GlobalSeries& g : series) wins.emplace_back(g, &calendar, season_length_);

    // Windows. Training origins leave at least one usable context day and one usable target
    // before the series' validation cut; validation windows forecast the last `horizon` days.
    const bool validate = s_.patience > 0;
    std::vector<int> cut(series.size());
    std::vector<Window> train, valid;
    for (size_t i = 0; i < wins.size(); ++i) {
      const RnnWindows& w = wins[i];
      cut[i] = validate ? w.n() - horizon_ : w.n();
      if (w.first_usable() < 0) continue;
      const int last_origin = cut[i] - 2;  // the target o + 1 must precede the cut
      int first_origin = w.first_usable();
      if (s_.train_days > 0) first_origin = std::max(first_origin, last_origin - s_.train_days + 1);
      for (int o = first_origin; o <= last_origin; ++o) {
        if (w.UsableIn(o + 1, std::min(o + horizon_, cut[i] - 1)) > 0) {
          train.push_back({static_cast<uint32_t>(i), o});
        }
      }
      const int vo = w.n() - horizon_ - 1;
      if (validate && vo >= w.first_usable() && w.UsableIn(vo + 1, w.n() - 1) > 0) {
        valid.push_back({static_cast<uint32_t>(i), vo});
      }
    }
    if (train.empty()) {
      return Error::InvalidArgument(fmt::format(
          "{}: no training window in {} series: every series needs a usable day followed by a "
          "usable target before its last {} days (the validation split); nothing to learn from",
          m, series.size(), validate ? horizon_ : 0));
    }
    windows_ = train.size();
    windows_per_epoch_ = std::min(train.size(), static_cast<size_t>(s_.max_windows));
    validation_windows_ = valid.size();

    net_ = MakeNet(s_);
    torch::optim::Adam optimizer(net_->parameters(), torch::optim::AdamOptions(s_.learning_rate));
    const bool poisson = s_.likelihood == "poisson";
    std::mt19937_64 rng(static_cast<uint64_t>(s_.seed) * 0x9E3779B97F4A7C15ull + 1);
    const size_t batch = static_cast<size_t>(s_.batch);
    const std::vector<Batch> valid_batches = [&] {
      std::vector<Batch> out;
      for (size_t from = 0; from < valid.size(); from += 1024) {
        const size_t to = std::min(from + 1024, valid.size());
        out.push_back(MakeBatch(wins, std::span<const Window>(valid).subspan(from, to - from),
                                horizon_, nullptr));
      }
      return out;
    }();
    auto validation_loss = [&] {
      double sum = 0.0, count = 0.0;
      for (const Batch& b : valid_batches) {
        const auto [s, c] = Loss(b, horizon_);
        sum += s;
        count += c;
      }
      return count > 0 ? sum / count : std::numeric_limits<double>::quiet_NaN();
    };

    std::vector<torch::Tensor> best;
    double best_loss = std::numeric_limits<double>::infinity();
    int since_best = 0;
    train_loss_.clear();
    validation_loss_.clear();
    best_epoch_ = 0;
    epochs_run_ = 0;
    for (int epoch = 1; epoch <= s_.epochs; ++epoch) {
      const auto epoch_start = std::chrono::steady_clock::now();
      // Partial Fisher-Yates: the first windows_per_epoch_ entries are a uniform draw without
      // replacement (raw mt19937_64 output, so the draw is the same on every platform).
      for (size_t k = 0; k < windows_per_epoch_; ++k) {
        const size_t j = k + static_cast<size_t>(rng() % (train.size() - k));
        std::swap(train[k], train[j]);
      }
      net_->train();
      double sum = 0.0, count = 0.0;
      for (size_t from = 0; from < windows_per_epoch_; from += batch) {
        const size_t to = std::min(from + batch, windows_per_epoch_);
        const Batch b = MakeBatch(wins, std::span<const Window>(train).subspan(from, to - from),
                                  horizon_, &cut);
        const NbParams p = Forward(b, horizon_);
        const torch::Tensor y =
            torch::from_blob(const_cast<float*>(b.y.data()), {b.size, horizon_}, torch::kFloat32)
                .to(Dev());
        const torch::Tensor mask =
            torch::from_blob(const_cast<float*>(b.mask.data()), {b.size, horizon_}, torch::kFloat32)
                .to(Dev(), torch::kFloat64);
        const torch::Tensor targets = mask.sum();
        const double n_targets = targets.item<double>();
        if (n_targets <= 0) continue;
        const torch::Tensor loss = (Nll(p, y, poisson) * mask).sum() / targets;
        optimizer.zero_grad();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(net_->parameters(), 10.0);
        optimizer.step();
        sum += loss.item<double>() * n_targets;
        count += n_targets;
      }
      net_->eval();
      const double train_loss = count > 0 ? sum / count : 0.0;
      const double val = validate && !valid_batches.empty()
                             ? validation_loss()
                             : std::numeric_limits<double>::quiet_NaN();
      train_loss_.push_back(train_loss);
      validation_loss_.push_back(val);
      epochs_run_ = epoch;
      if (s_.verbose) {
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
        std::fprintf(stderr, "%s epoch %d/%d: train NLL %.5f, validation NLL %.5f, %.1f s\n",
                     m.c_str(), epoch, s_.epochs, train_loss, val, secs);
      }
      if (!std::isfinite(train_loss)) {
        return Error::Internal(
            fmt::format("{}: training diverged at epoch {} (loss {}); lower learning_rate", m,
                        epoch, train_loss));
      }
      if (std::isfinite(val)) {
        if (val < best_loss) {
          best_loss = val;
          best_epoch_ = epoch;
          since_best = 0;
          best.clear();
          for (const torch::Tensor& t : net_->parameters()) best.push_back(t.detach().clone());
        } else if (++since_best >= s_.patience) {
          break;
        }
      } else {
        best_epoch_ = epoch;  // no validation: the last epoch is the model
      }
    }
    if (!best.empty()) {
      torch::NoGradGuard no_grad;
      auto params = net_->parameters();
      for (size_t k = 0; k < params.size(); ++k) params[k].copy_(best[k]);
    }
    net_->eval();
    ComputeImportance(wins, valid.empty() ? train : valid);
    if (s_.verbose) {
      std::fprintf(stderr, "%s: %d epochs, best %d, %.1f s\n", m.c_str(), epochs_run_, best_epoch_,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return Status::Ok();
  }

  // Permutation importance (Breiman 2001; Fisher et al. 2019): the rise of the mean NLL over
  // (up to 2048 of) the validation windows when one group of input columns is shuffled across
  // windows, every other column kept; negative rises count as 0; normalised to sum 1. Groups
  // rather than single columns: a weekday is 7 one-hot columns, and demand enters the encoder
  // and the decoder's same-season lags.
  void ComputeImportance(const std::vector<RnnWindows>& wins, std::vector<Window> windows) {
    importance_.clear();
    if (windows.size() < 2) return;
    std::sort(windows.begin(), windows.end(), [](const Window& a, const Window& b) {
      return a.series != b.series ? a.series < b.series : a.origin < b.origin;
    });
    if (windows.size() > 2048) {
      std::vector<Window> every;
      for (size_t k = 0; k < 2048; ++k) every.push_back(windows[k * windows.size() / 2048]);
      windows = std::move(every);
    }
    const Batch base = MakeBatch(wins, windows, horizon_, nullptr);
    const auto [base_sum, base_count] = Loss(base, horizon_);
    if (base_count <= 0) return;
    const double base_loss = base_sum / base_count;
    const std::vector<std::string>& enc_names = RnnEncoderFeatureNames();
    const std::vector<std::string>& dec_names = RnnDecoderFeatureNames();
    struct Group {
      const char* name;
      std::vector<const char*> prefixes;
    };
    const std::vector<Group> groups = {
        {"demand", {"demand", "season_lag", "season_lag_missing", "season_mean_4"}},
        {"level", {"log_scale"}},
        {"unusable_days", {"unusable"}},
        {"weekday", {"weekday_"}},
        {"year", {"year_sin", "year_cos"}},
        {"festivals", {"event_", "near_", "spring_festival_"}},
        {"price", {"price_ratio"}},
        {"promotion", {"promotion"}},
        {"cart_adds", {"cart_adds"}},
        {"step", {"step"}},
    };
    auto columns = [](const std::vector<std::string>& names, const Group& g) {
      std::vector<size_t> out;
      for (size_t j = 0; j < names.size(); ++j) {
        for (const char* p : g.prefixes) {
          const std::string_view pv(p);
          const bool prefix = pv.back() == '_';
          if (prefix ? names[j].rfind(pv, 0) == 0 : names[j] == pv) {
            out.push_back(j);
            break;
          }
        }
      }
      return out;
    };
    const size_t ne = enc_names.size(), nd = dec_names.size();
    const size_t c = static_cast<size_t>(s_.context), hz = static_cast<size_t>(horizon_);
    const size_t nw = windows.size();
    std::vector<double> rise;
    double total = 0.0;
    for (size_t g = 0; g < groups.size(); ++g) {
      std::vector<size_t> perm(nw);
      for (size_t k = 0; k < nw; ++k) perm[k] = k;
      std::mt19937_64 rng(static_cast<uint64_t>(s_.seed) * 1000003ull + g);
      for (size_t k = nw - 1; k > 0; --k)
        std::swap(perm[k], perm[static_cast<size_t>(rng() % (k + 1))]);
      Batch b = base;
      for (size_t col : columns(enc_names, groups[g])) {
        for (size_t k = 0; k < nw; ++k)
          for (size_t d = 0; d < c; ++d)
            b.enc[(k * c + d) * ne + col] = base.enc[(perm[k] * c + d) * ne + col];
      }
      for (size_t col : columns(dec_names, groups[g])) {
        for (size_t k = 0; k < nw; ++k)
          for (size_t h = 0; h < hz; ++h)
            b.dec[(k * hz + h) * nd + col] = base.dec[(perm[k] * hz + h) * nd + col];
      }
      const auto [sum, count] = Loss(b, horizon_);
      const double r = std::max(0.0, sum / count - base_loss);
      rise.push_back(std::isfinite(r) ? r : 0.0);
      total += rise.back();
    }
    for (size_t g = 0; g < groups.size(); ++g) {
      importance_.push_back({groups[g].name, total > 0 ? rise[g] / total : 0.0});
    }
    std::stable_sort(
        importance_.begin(), importance_.end(),
        [](const FeatureImportance& a, const FeatureImportance& b) { return a.gain > b.gain; });
  }

  RnnSettings s_;
  mutable RnnNet net_{nullptr};  // forward() is non-const in torch; calls hold TorchMutex
  int season_length_ = 7;
  int horizon_ = 28;
  int epochs_run_ = 0;
  int best_epoch_ = 0;
  size_t windows_ = 0;
  size_t windows_per_epoch_ = 0;
  size_t validation_windows_ = 0;
  std::vector<double> train_loss_, validation_loss_;  // per epoch
  std::vector<FeatureImportance> importance_;
};

}  // namespace

bool CudaAvailable() { return torch::cuda::is_available(); }

Result<std::unique_ptr<GlobalModel>> CreateRnnModel(const RnnSettings& settings) {
  if (settings.device == "cuda" && !CudaAvailable()) {
    return Error::InvalidArgument(RnnNoCudaMessage(settings.cell));
  }
  return std::unique_ptr<GlobalModel>(std::make_unique<RnnModel>(settings));
}

}  // namespace stockcast::forecast
