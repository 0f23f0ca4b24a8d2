#pragma once
// Shared by the LibTorch module's models (src/torch_module/).
#include <ATen/Parallel.h>

#include <algorithm>

#include "stockcast/core/parallel.h"

namespace stockcast::torch_module {

// Sets torch's intra-op thread count for a scope and restores it (0 = every core, as
// ResolveThreads). Results are deterministic for a seed only at a fixed thread count.
class TorchThreads {
 public:
  explicit TorchThreads(int threads) : previous_(at::get_num_threads()) {
    at::set_num_threads(std::max(1, ResolveThreads(threads)));
  }
  ~TorchThreads() { at::set_num_threads(previous_); }
  TorchThreads(const TorchThreads&) = delete;
  TorchThreads& operator=(const TorchThreads&) = delete;

 private:
  int previous_;
};

}  // namespace stockcast::torch_module
