#pragma once
// The stockcast subcommands. Each registers its options on the CLI11 app and, when chosen,
// runs and returns a Status; main maps the Status to an exit code (exit_codes.h).
#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "stockcast/core/error.h"
#include "stockcast/pipeline/config.h"
#include "stockcast/store/store.h"

namespace stockcast::cli {

struct GlobalOptions {
  std::string config_path;  // --config; default ./stockcast.toml when present
  bool quiet = false;
};

// --config, else ./stockcast.toml when present, else the defaults.
Result<pipeline::Config> LoadEffectiveConfig(const GlobalOptions& g);
// Opens (creating when missing) the store at --db; the error names a missing parent folder or
// a folder given as the file.
Result<std::unique_ptr<Store>> OpenStore(const std::string& path);
// As OpenStore, but a missing store is NotFound ("create it with 'stockcast import --db ...'"):
// reading must not create an empty database by mistake.
Result<std::unique_ptr<Store>> OpenExistingStore(const std::string& path);

// In --json mode an error is also printed as JSON on stdout, for scripts; returns `status`.
Status JsonAware(bool json, Status status);

// Set by the chosen subcommand's callback.
using Runner = std::function<Status()>;

void AddGenerateCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);
void AddImportCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);
void AddForecastCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);
void AddBacktestCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);
// stockcast train: a global model trained and saved as a file.
void AddTrainCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);
void AddPlanCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);
void AddOptimizeCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);
void AddReportCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);
void AddModelsCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);
void AddConfigCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);
// stockcast serve / stockcast token create (serve_command.cpp).
void AddServeCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);
void AddTokenCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);
// stockcast policy eoq|newsvendor|base-stock|rq|ss|lot-sizing|... (policy_command.cpp).
void AddPolicyCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);
// stockcast evaluate: walk-forward backtest of replenishment policies (evaluate_command.cpp).
void AddEvaluateCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);
// stockcast simulate: one policy on given demand in the simulator (simulate_command.cpp).
void AddSimulateCommand(CLI::App& app, const GlobalOptions& global, Runner* runner);

// Exit codes (documented in the README). The one place where error codes become exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInvalidInput = 3;
inline constexpr int kExitNotFound = 4;
inline constexpr int kExitConflict = 5;
inline constexpr int kExitUnavailable = 6;
int ExitCodeFor(ErrorCode code);

}  // namespace stockcast::cli
