// Temporary registrations for commands whose libraries are being written.
#include "cli/commands.h"

namespace stockcast::cli {
void AddForecastCommand(CLI::App&, const GlobalOptions&, Runner*) {}
void AddPlanCommand(CLI::App&, const GlobalOptions&, Runner*) {}
void AddReportCommand(CLI::App&, const GlobalOptions&, Runner*) {}
void AddModelsCommand(CLI::App&, const GlobalOptions&, Runner*) {}
}  // namespace stockcast::cli
