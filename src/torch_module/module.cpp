// The entry points of libstockcast_torch.so, the LibTorch module (forecast/torch_module.h).
// Everything else in the module is hidden (-fvisibility=hidden, --exclude-libs for the static
// stockcast libraries it carries), so these are its whole interface. Each is checked against
// the function type its caller casts it to.
#include <memory>
#include <span>
#include <string>
#include <type_traits>

#include "forecast/torch_module.h"
#include "torch_module/dqn_network.h"
#include "torch_module/rnn_model.h"

#define SC_TORCH_EXPORT extern "C" __attribute__((visibility("default")))

// The build this module belongs to; the loader refuses a module whose string differs.
SC_TORCH_EXPORT const char* stockcast_torch_abi() {
  static const std::string abi = stockcast::forecast::TorchModuleAbi();
  return abi.c_str();
}

SC_TORCH_EXPORT stockcast::Result<std::unique_ptr<stockcast::forecast::GlobalModel>>
stockcast_torch_create_rnn(const stockcast::forecast::RnnSettings& settings) {
  return stockcast::forecast::CreateRnnModel(settings);
}

SC_TORCH_EXPORT bool stockcast_torch_cuda_available() {
  return stockcast::forecast::CudaAvailable();
}

SC_TORCH_EXPORT stockcast::Status stockcast_torch_train_dqn(
    stockcast::sim::detail::DqnModel& model, std::span<const int64_t> forecast_levels,
    const stockcast::ProgressFn& progress) {
  return stockcast::sim::detail::TrainDqnNetwork(model, forecast_levels, progress);
}

static_assert(
    std::is_same_v<decltype(&stockcast_torch_create_rnn), stockcast::forecast::CreateRnnModelFn>);
static_assert(std::is_same_v<decltype(&stockcast_torch_cuda_available),
                             stockcast::forecast::TorchCudaAvailableFn>);
static_assert(std::is_same_v<decltype(&stockcast_torch_train_dqn),
                             stockcast::sim::detail::TrainDqnNetworkFn>);
