// The LibTorch module (forecast/torch_module.h): LibTorch is loaded by the first lstm/gru (or
// DQN agent) a process creates, never at start, and a module that cannot be used is reported
// with its path and the reason.
#include "forecast/torch_module.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>

#include "stockcast/forecast/global_model.h"
#include "test_util.h"

namespace stockcast::forecast {
namespace {

// Whether libtorch_cpu is mapped into this process.
bool TorchMapped() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find("libtorch_cpu") != std::string::npos) return true;
  }
  return false;
}

// Taken during static initialisation, before any test can create a model: a library linked
// with LibTorch would already be mapped here.
const bool kTorchMappedAtStart = TorchMapped();

TEST(TorchModule, LibTorchIsNotLoadedAtStart) {
  EXPECT_FALSE(kTorchMappedAtStart)
      << "libtorch_cpu was mapped before main(): some stockcast library links LibTorch again; "
         "only libstockcast_torch.so may (src/CMakeLists.txt)";
}

TEST(TorchModule, TheFirstLstmLoadsIt) {
  const GlobalModelInfo* info = GlobalModelRegistry::Global().Find("lstm");
  ASSERT_NE(info, nullptr);
  SC_SKIP_OR_FAIL_UNLESS(info->available, "built without LibTorch");
  auto model = CreateGlobalModel("lstm:hidden=8");
  ASSERT_TRUE(model.ok()) << Describe(model.error());
  EXPECT_EQ((*model)->name(), "lstm");
  EXPECT_TRUE(TorchMapped());
  // Every entry point the callers use is there.
  for (const char* symbol : {"stockcast_torch_create_rnn", "stockcast_torch_cuda_available",
                             "stockcast_torch_train_dqn"}) {
    EXPECT_TRUE(TorchModuleSymbol(symbol).ok()) << symbol;
  }
  auto missing = TorchModuleSymbol("stockcast_torch_no_such_entry");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(missing.error().message.find("\"stockcast_torch_no_such_entry\""), std::string::npos)
      << missing.error().message;
}

TEST(TorchModule, AMissingFileSaysWhereAndWhy) {
  const std::string path = "/nonexistent/stockcast/libstockcast_torch.so";
  auto opened = OpenTorchModule(path);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(opened.error().message.find(path + ": dlopen failed:"), std::string::npos)
      << opened.error().message;
  EXPECT_NE(opened.error().message.find("No such file"), std::string::npos)
      << opened.error().message;
}

TEST(TorchModule, ASharedLibraryThatIsNotTheModuleIsRefused) {
  // libstdc++ is loaded in every test process and has no stockcast_torch_abi.
  Dl_info info{};
  ASSERT_NE(dladdr(reinterpret_cast<void*>(&std::terminate), &info), 0);
  ASSERT_NE(info.dli_fname, nullptr);
  const std::string path = info.dli_fname;
  auto opened = OpenTorchModule(path);
  ASSERT_FALSE(opened.ok()) << path;
  EXPECT_NE(opened.error().message.find(path + ": not a stockcast LibTorch module"),
            std::string::npos)
      << opened.error().message;
}

TEST(TorchModule, TheAbiNamesInterfaceVersionCompilerAndSanitizer) {
  const std::string abi = TorchModuleAbi();
  EXPECT_EQ(abi.rfind(std::to_string(kTorchModuleInterface) + "/", 0), 0u) << abi;
  EXPECT_NE(abi.find("/gcc-"), std::string::npos) << abi;
#ifdef __SANITIZE_ADDRESS__
  EXPECT_EQ(abi.substr(abi.size() - 5), "/asan") << abi;
#else
  EXPECT_EQ(abi.substr(abi.size() - 6), "/plain") << abi;
#endif
}

}  // namespace
}  // namespace stockcast::forecast
