// stockcast: demand forecasting and inventory optimisation for e-commerce.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "stockcast/version.h"

namespace stockcast::cli {

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return kExitInvalidInput;
    case ErrorCode::kNotFound: return kExitNotFound;
    case ErrorCode::kConflict: return kExitConflict;
    case ErrorCode::kUnavailable: return kExitUnavailable;
    case ErrorCode::kInternal: return kExitInternal;
  }
  return kExitInternal;
}

// stockcast rl: the reinforcement-learning replenishment agent (rl_command.cpp).
void AddRlCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);

}  // namespace stockcast::cli

namespace {

// xgboost and LibTorch run on OpenMP (libgomp), whose idle worker threads spin by default. On
// a machine shared with other work -- the usual case on a planner's server or CI -- spinning
// threads take the cores that the busy ones need: gbm training measured 7x slower (15.4 s vs
// 2.0 s). libgomp reads OMP_WAIT_POLICY once, when it is loaded, so before anything else the
// process sets it to "passive" and re-executes itself; a value the user set is kept. Only the
// commands that train or run models do this: a second start costs ~0.1 s (the shared libraries'
// start-up; LibTorch is loaded later, by the first lstm/gru/DQN), which `models` or `import`
// should not pay.
void PreferPassiveOpenMpWaits(int argc, char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  static constexpr const char* kParallelCommands[] = {
      "forecast", "backtest", "train", "plan", "rl", "serve", "evaluate", "simulate", "optimize"};
  bool parallel = false;
  for (int i = 1; i < argc && !parallel; ++i) {
    for (const char* command : kParallelCommands) {
      parallel = parallel || std::strcmp(argv[i], command) == 0;
    }
  }
  if (!parallel) return;
  if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // execv returned: /proc is unavailable; carry on with the default policy.
}

}  // namespace

int main(int argc, char** argv) {
  PreferPassiveOpenMpWaits(argc, argv);
  using namespace stockcast;
  using namespace stockcast::cli;
  CLI::App app{"stockcast " STOCKCAST_VERSION
               " - demand forecasting and inventory optimisation for e-commerce"};
  app.set_version_flag("--version", STOCKCAST_VERSION);
  app.require_subcommand(1);
  // Global options (--config, -q) may also follow the subcommand: `stockcast plan ... -q`.
  app.fallthrough();
  app.footer(
      "Exit codes: 0 ok, 1 internal error, 2 bad command line, 3 invalid input data,\n"
      "4 file or record not found, 5 conflict, 6 unavailable.\n"
      "Run 'stockcast COMMAND --help' for a command's options.");
  GlobalOptions global;
  app.add_option("--config", global.config_path,
                 "TOML config file (default: ./stockcast.toml when present; see 'stockcast "
                 "config --defaults')");
  app.add_flag("-q,--quiet", global.quiet, "no progress bars or summaries on stderr");
  Runner runner;
  AddGenerateCommand(app, global, &runner);
  AddImportCommand(app, global, &runner);
  AddForecastCommand(app, global, &runner);
  AddBacktestCommand(app, global, &runner);
  AddTrainCommand(app, global, &runner);
  AddPlanCommand(app, global, &runner);
  AddPolicyCommand(app, global, &runner);
  AddOptimizeCommand(app, global, &runner);
  AddEvaluateCommand(app, global, &runner);
  AddSimulateCommand(app, global, &runner);
  AddRlCommand(app, global, &runner);
  AddReportCommand(app, global, &runner);
  AddModelsCommand(app, global, &runner);
  AddConfigCommand(app, global, &runner);
  AddServeCommand(app, global, &runner);
  AddTokenCommand(app, global, &runner);
  // An unknown command: name it and list the real ones (CLI11 would only say one is required).
  if (argc > 1 && argv[1][0] != '-') {
    std::string names;
    bool known = false;
    for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      known = known || sub->get_name() == argv[1];
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      std::fprintf(stderr,
                   "stockcast: error: unknown command \"%s\"; available: %s\n"
                   "Run 'stockcast --help' for more information.\n",
                   argv[1], names.c_str());
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  Status status = runner ? runner() : Status(Error::Internal("no command chosen"));
  if (status.ok()) return kExitOk;
  std::fprintf(stderr, "stockcast: error: %s\n", status.error().message.c_str());
  if (!status.error().details.empty()) {
    std::fprintf(stderr, "  %s\n", status.error().details.c_str());
  }
  return ExitCodeFor(status.error().code);
}
