#pragma once
// The lstm/gru model inside the LibTorch module (src/torch_module/rnn_model.cpp).
#include <memory>

#include "forecast/rnn.h"

namespace stockcast::forecast {

// torch::cuda::is_available().
bool CudaAvailable();
// A new, unfitted model. Errors: device = cuda without a CUDA device.
Result<std::unique_ptr<GlobalModel>> CreateRnnModel(const RnnSettings& settings);

}  // namespace stockcast::forecast
