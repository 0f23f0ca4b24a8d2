#pragma once
// The LibTorch parts of stockcast (the lstm/gru forecasters and the DQN agent) live in one
// shared module, libstockcast_torch.so, opened with dlopen the first time one of them is
// created. LibTorch's libraries register thousands of operators when they load (~0.35 s and
// ~150 MB per process, ~1 s under AddressSanitizer); linked into the executables, every
// `stockcast` command and every test paid that at start. Now only the processes that train or
// run a torch model do.
//
// The module is found at, in order:
//   1. $STOCKCAST_TORCH_MODULE, when set (then nothing else is tried);
//   2. <the program's directory>/../<libdir>/stockcast/libstockcast_torch.so, where an
//      installed `stockcast` finds the module installed with it, even after the prefix moved;
//   3. the build tree's lib/libstockcast_torch.so (the path is compiled in);
//   4. <configured prefix>/<libdir>/stockcast/libstockcast_torch.so.
// A candidate counts only when dlopen succeeds and its TorchModuleAbi() equals ours (built from
// the same version with the same compiler and sanitizer settings): the module shares C++ types
// (std::string, Result, GlobalModel) with the caller, so a module from another build would be
// undefined behaviour rather than an error.
//
// Entry points are extern "C" functions of the module, named stockcast_torch_*; each caller
// casts the symbol to the function type it declares next to its use (forecast/rnn.h,
// sim/dqn_model.h), and the module static_asserts its definitions against those types.
#include <string>
#include <string_view>

#include "stockcast/core/error.h"

namespace stockcast::forecast {

// Bump when an entry point's signature or a type passed through one changes.
inline constexpr int kTorchModuleInterface = 1;

// Why lstm, gru and the DQN agent are unavailable in a build without LibTorch, and how to get
// them (one text for every caller).
inline constexpr std::string_view kBuiltWithoutTorch =
    "built without LibTorch (install libtorch-dev and configure with -DSTOCKCAST_WITH_TORCH=ON)";

// "<interface>/<stockcast version>/<compiler>/<sanitize flag>" of the code calling it.
std::string TorchModuleAbi();

// The address of `symbol` in the module, loading the module on first use (thread-safe; the
// result of the first load, success or failure, is kept for the life of the process).
// Errors (Unavailable): built without LibTorch; no candidate loads (each path tried and why);
// no such symbol.
Result<void*> TorchModuleSymbol(std::string_view symbol);

// One load attempt at `path`, not cached (tests use it to check the error messages). On success
// the handle stays open for the life of the process.
Result<void*> OpenTorchModule(const std::string& path);

}  // namespace stockcast::forecast
