#include "forecast/torch_module.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "stockcast/version.h"

namespace stockcast::forecast {
namespace {

#ifdef __SANITIZE_ADDRESS__
constexpr std::string_view kSanitize = "asan";
#else
constexpr std::string_view kSanitize = "plain";
#endif

struct Loaded {
  void* handle = nullptr;
  Error error = Error::Unavailable("");
};

const Loaded& LoadOnce() {
  static const Loaded loaded = [] {
    Loaded out;
#ifndef STOCKCAST_TORCH_MODULE_BUILD_PATH
    out.error = Error::Unavailable(std::string(kBuiltWithoutTorch));
    return out;
#else
    std::vector<std::string> candidates;
    const char* env = std::getenv("STOCKCAST_TORCH_MODULE");
    if (env != nullptr && *env != '\0') {
      candidates.emplace_back(env);
    } else {
      // An installed program finds the module installed with it, wherever the prefix moved.
      std::error_code ec;
      const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
      if (!ec) {
        candidates.push_back(
            (exe.parent_path().parent_path() / STOCKCAST_TORCH_MODULE_INSTALL_LIBDIR / "stockcast" /
             "libstockcast_torch.so")
                .lexically_normal()
                .string());
      }
      candidates.emplace_back(STOCKCAST_TORCH_MODULE_BUILD_PATH);
      candidates.emplace_back(STOCKCAST_TORCH_MODULE_INSTALL_PATH);
    }
    std::string tried;
    for (size_t i = 0; i < candidates.size(); ++i) {
      const std::string& path = candidates[i];
      if (std::find(candidates.begin(), candidates.begin() + static_cast<ptrdiff_t>(i), path) !=
          candidates.begin() + static_cast<ptrdiff_t>(i)) {
        continue;  // the same file twice (installed program at the configured prefix)
      }
      Result<void*> handle = OpenTorchModule(path);
      if (handle.ok()) {
        out.handle = *handle;
        return out;
      }
      tried += fmt::format("\n  {}", handle.error().message);
    }
    out.error = Error::Unavailable(fmt::format(
        "cannot load the LibTorch module libstockcast_torch.so{}{}", tried,
        env != nullptr && *env != '\0'
            ? "\n(STOCKCAST_TORCH_MODULE is set: only that path is tried)"
            : "\n(build the stockcast_torch target, or set STOCKCAST_TORCH_MODULE to the file)"));
    return out;
#endif
  }();
  return loaded;
}

}  // namespace

std::string TorchModuleAbi() {
  return fmt::format("{}/{}/gcc-{}/{}", kTorchModuleInterface, STOCKCAST_VERSION, __VERSION__,
                     kSanitize);
}

Result<void*> OpenTorchModule(const std::string& path) {
  // RTLD_LOCAL: the module's copies of the stockcast libraries (linked in statically, their
  // symbols hidden) never interpose on the caller's.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Error::Unavailable(
        fmt::format("{}: dlopen failed: {}", path, why != nullptr ? why : "unknown error"));
  }
  using AbiFn = const char* (*)();
  auto abi = reinterpret_cast<AbiFn>(dlsym(handle, "stockcast_torch_abi"));
  if (abi == nullptr) {
    return Error::Unavailable(
        fmt::format("{}: not a stockcast LibTorch module (no stockcast_torch_abi symbol)", path));
  }
  const std::string theirs = abi();
  const std::string ours = TorchModuleAbi();
  if (theirs != ours) {
    return Error::Unavailable(fmt::format(
        "{}: built for \"{}\"; this program needs \"{}\" (interface/version/compiler/sanitizer "
        "must match: rebuild or reinstall the module with this program)",
        path, theirs, ours));
  }
  return handle;
}

Result<void*> TorchModuleSymbol(std::string_view symbol) {
  const Loaded& loaded = LoadOnce();
  if (loaded.handle == nullptr) return loaded.error;
  const std::string name(symbol);
  void* address = dlsym(loaded.handle, name.c_str());
  if (address == nullptr) {
    return Error::Unavailable(
        fmt::format("the LibTorch module has no entry point \"{}\" (rule: module and program "
                    "come from the same build)",
                    name));
  }
  return address;
}

}  // namespace stockcast::forecast
