// The registry entries of the global recurrent forecasters `lstm` and `gru`: parameters,
// validation, and a factory that creates the model in the LibTorch module (forecast/
// torch_module.h; the model class is src/torch_module/rnn_model.cpp). See rnn.h for the window
// layout and the network; the training choices are these:
//
// Training (DeepAR, Salinas et al. 2020, "DeepAR: Probabilistic forecasting with autoregressive
// recurrent networks"): windows (series, origin o) are drawn from every series' training part;
// the loss is the negative log-likelihood of the usable target days o + 1 .. o + horizon under
// the predicted negative binomial (or Poisson), averaged over targets. Adam, gradient norm
// clipped to 10. Each epoch draws at most `max_windows` windows without replacement
// (deterministic in the seed). Early stopping on a time-ordered split: the last `horizon` days
// of every series are never training targets; one validation window per series forecasts them
// from the day before (as a live forecast), and after each epoch its mean NLL decides the best
// epoch, whose weights are restored at the end; `patience` epochs without improvement stop the
// run. Deterministic for a seed and thread count: torch::manual_seed before the weights are
// initialised, a fixed torch thread count, and the window draws from std::mt19937_64.
#include "forecast/rnn.h"

#include <fmt/format.h>

#include <memory>
#include <string>
#include <utility>

#include "forecast/torch_module.h"

namespace stockcast::forecast {

std::vector<ParamSpec> RnnSpecs() {
  return {
      {"hidden", ParamType::kInt, "64", 1, 1024, "hidden units of each recurrent layer"},
      {"layers", ParamType::kInt, "1", 1, 8, "stacked recurrent layers"},
      {"context", ParamType::kInt, "56", 2, 3650,
       "days the encoder reads before each forecast origin"},
      {"epochs", ParamType::kInt, "30", 1, 10000, "maximum training epochs"},
      {"batch", ParamType::kInt, "256", 1, 65536, "windows per gradient step"},
      {"learning_rate", ParamType::kDouble, "0.001", 1e-6, 1, "Adam step size"},
      {"patience", ParamType::kInt, "5", 0, 10000,
       "epochs without a better validation loss before training stops; 0 = no validation "
       "split (every day trains, all epochs run)"},
      {"dropout", ParamType::kDouble, "0", 0, 0.9,
       "dropout between recurrent layers and before the output head"},
      {"likelihood", ParamType::kString, "negbin", -1e300, 1e300,
       "negbin (negative binomial: over-dispersed counts) or poisson"},
      {"max_windows", ParamType::kInt, "20000", 1, 100000000,
       "training windows drawn per epoch (without replacement)"},
      {"train_days", ParamType::kInt, "0", 0, 100000,
       "forecast origins per series used for training: the most recent ones; 0 = all"},
      {"min_days", ParamType::kInt, "14", 1, 3650,
       "fewer usable days: the shared short-history rule instead of the model"},
      {"seed", ParamType::kInt, "1", 0, 2147483647,
       "seed of the initial weights, dropout and window draws"},
      {"threads", ParamType::kInt, "0", 0, 1024, "LibTorch threads; 0 = all cores"},
      {"device", ParamType::kString, "cpu", -1e300, 1e300,
       "cpu, or cuda when LibTorch sees a CUDA device"},
      {"verbose", ParamType::kBool, "false", 0, 1, "one line per epoch (losses, time) on stderr"},
  };
}

RnnSettings SettingsFrom(std::string_view cell, const ParamValues& v) {
  RnnSettings s;
  s.cell = std::string(cell);
  s.hidden = v.GetInt("hidden");
  s.layers = v.GetInt("layers");
  s.context = v.GetInt("context");
  s.epochs = v.GetInt("epochs");
  s.batch = v.GetInt("batch");
  s.learning_rate = v.GetDouble("learning_rate");
  s.patience = v.GetInt("patience");
  s.dropout = v.GetDouble("dropout");
  s.likelihood = v.GetString("likelihood");
  s.max_windows = v.GetInt("max_windows");
  s.train_days = v.GetInt("train_days");
  s.min_days = v.GetInt("min_days");
  s.seed = v.GetInt("seed");
  s.threads = v.GetInt("threads");
  s.device = v.GetString("device");
  s.verbose = v.GetBool("verbose");
  ModelSpec spec{s.cell, {}};
  for (const auto& [key, value] : v.raw()) spec.params[key] = value;
  s.spec = spec.ToString();
  return s;
}

Status ValidateRnnChoices(std::string_view cell, const ParamValues& v) {
  const std::string& likelihood = v.GetString("likelihood");
  if (likelihood != "negbin" && likelihood != "poisson") {
    return Error::InvalidArgument(fmt::format(
        "model {}: likelihood = \"{}\"; must be one of negbin, poisson", cell, likelihood));
  }
  const std::string& device = v.GetString("device");
  if (device != "cpu" && device != "cuda") {
    return Error::InvalidArgument(
        fmt::format("model {}: device = \"{}\"; must be one of cpu, cuda", cell, device));
  }
  return Status::Ok();
}

std::string RnnNoCudaMessage(std::string_view cell) {
  return fmt::format(
      "model {}: device = \"cuda\" but LibTorch sees no CUDA device (torch::cuda::is_available() "
      "is false: no GPU, no driver, or a CPU-only LibTorch such as Debian's); use device=cpu",
      cell);
}

std::vector<std::string> FlatFeatureNames() {
  std::vector<std::string> out;
  for (const std::string& f : RnnEncoderFeatureNames()) out.push_back("encoder:" + f);
  for (const std::string& f : RnnDecoderFeatureNames()) out.push_back("decoder:" + f);
  return out;
}

namespace {

// The parameter checks, then (device = cuda only) whether LibTorch sees a CUDA device, which
// loads the module.
Status ValidateRnn(const std::string& cell, const ParamValues& v) {
  SC_RETURN_IF_ERROR(ValidateRnnChoices(cell, v));
  if (v.GetString("device") != "cuda") return Status::Ok();
  SC_ASSIGN_OR_RETURN(void* symbol, TorchModuleSymbol("stockcast_torch_cuda_available"));
  if (!reinterpret_cast<TorchCudaAvailableFn>(symbol)()) {
    return Error::InvalidArgument(RnnNoCudaMessage(cell));
  }
  return Status::Ok();
}

Status RegisterOne(GlobalModelRegistry& registry, const std::string& cell,
                   const std::string& what) {
  GlobalModelInfo info;
  info.name = cell;
  info.description = fmt::format(
      "global {} (LibTorch) across all series, DeepAR-like: encoder over a context window of "
      "scaled demand, calendar, festivals, price, promotion, cart adds; negative-binomial "
      "quantiles for every step; early stopping on a time-ordered split",
      what);
  info.schema = ParamSchema(RnnSpecs());
  info.validate = [cell](const ParamValues& v) { return ValidateRnn(cell, v); };
#ifdef STOCKCAST_HAVE_TORCH
  // The model lives in the LibTorch module, loaded by the first lstm/gru created.
  info.factory = [cell](const ParamValues& v) -> Result<std::unique_ptr<GlobalModel>> {
    SC_ASSIGN_OR_RETURN(void* symbol, TorchModuleSymbol("stockcast_torch_create_rnn"));
    return reinterpret_cast<CreateRnnModelFn>(symbol)(SettingsFrom(cell, v));
  };
#else
  info.available = false;
  info.unavailable_reason = std::string(kBuiltWithoutTorch);
#endif
  return registry.Register(std::move(info));
}

}  // namespace

Status RegisterRnnModels(GlobalModelRegistry& registry) {
  SC_RETURN_IF_ERROR(RegisterOne(registry, "lstm", "LSTM"));
  return RegisterOne(registry, "gru", "GRU");
}

}  // namespace stockcast::forecast
