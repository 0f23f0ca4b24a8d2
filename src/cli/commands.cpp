#include "cli/commands.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/progress.h"
#include "stockcast/pipeline/config.h"
#include "stockcast/pipeline/import.h"
#include "stockcast/sim/generator.h"
#include "stockcast/store/store.h"

namespace stockcast::cli {
namespace {

namespace fs = std::filesystem;

// Loads --config, else ./stockcast.toml when present, else the defaults.
Result<pipeline::Config> LoadEffectiveConfig(const GlobalOptions& g) {
  if (!g.config_path.empty()) return pipeline::LoadConfig(g.config_path);
  std::error_code ec;
  if (fs::exists("stockcast.toml", ec)) return pipeline::LoadConfig("stockcast.toml");
  return pipeline::Config{};
}

ProgressFn MakeProgress(ProgressBar* bar) {
  return [bar](std::string_view stage, double fraction) { bar->Update(stage, fraction); };
}

// In --json mode an error is also printed as JSON on stdout, for scripts.
Status JsonAware(bool json, Status status) {
  if (json && !status.ok()) {
    nlohmann::json j = {{"error",
                         {{"code", std::string(ToString(status.error().code))},
                          {"message", status.error().message}}}};
    std::cout << j.dump(2) << std::endl;
  }
  return status;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& path) {
  return OpenSqliteStore(path);
}

// ---- generate ----
struct GenerateArgs {
  std::string out;
  sim::GeneratorOptions options;
  std::string start = "2024-01-01";
  std::string region = "cn";
  bool json = false;
};

Status RunGenerate(const GlobalOptions& g, GenerateArgs& a) {
  auto start = Date::Parse(a.start);
  if (!start) {
    return Error::InvalidArgument(
        fmt::format("--start = \"{}\"; must be a date YYYY-MM-DD", a.start));
  }
  a.options.start = *start;
  auto region = ParseRegion(a.region);
  if (!region) {
    return Error::InvalidArgument(
        fmt::format("--region = \"{}\"; must be one of none, cn, uk, us", a.region));
  }
  a.options.region = *region;
  ProgressBar bar(!g.quiet && !a.json && StderrIsTerminal());
  auto data = sim::Generate(a.options, MakeProgress(&bar));
  if (!data.ok()) return data.error();
  SC_RETURN_IF_ERROR(sim::WriteDataset(*data, a.out));
  bar.Clear();
  const auto& d = *data;
  nlohmann::json j = {{"dir", a.out},
                      {"seed", a.options.seed},
                      {"start", a.options.start.ToString()},
                      {"days", a.options.num_days},
                      {"files",
                       {{"orders.csv", d.orders.size()},
                        {"products.csv", d.products.size()},
                        {"suppliers.csv", d.suppliers.size()},
                        {"locations.csv", d.locations.size()},
                        {"stock_snapshots.csv", d.snapshots.size()},
                        {"receipts.csv", d.receipts.size()},
                        {"cart_adds.csv", d.cart_adds.size()},
                        {"promotions.csv", d.promotions.size()},
                        {"true_demand.csv", d.true_demand.size()}}}};
  if (a.json) {
    std::cout << j.dump(2) << std::endl;
  } else {
    std::cout << fmt::format("Generated {} days from {} (seed {}) into {}:\n", a.options.num_days,
                             a.options.start.ToString(), a.options.seed, a.out);
    for (auto& [file, rows] : j["files"].items()) {
      std::cout << fmt::format("  {:<22}{:>10} rows\n", file, rows.get<int64_t>());
    }
  }
  return Status::Ok();
}

// ---- import ----
struct ImportArgs {
  std::vector<std::string> orders;
  std::string preset;
  std::string mapping;
  std::string dir;
  std::string db = kDefaultStorePath;
  pipeline::ImportOptions options;
  bool json = false;
  bool dry_run = false;
};

Status RunImportCommand(const GlobalOptions& g, ImportArgs& a) {
  SC_ASSIGN_OR_RETURN(pipeline::Config config, LoadEffectiveConfig(g));
  pipeline::ImportOptions& o = a.options;
  if (!a.mapping.empty()) {
    SC_ASSIGN_OR_RETURN(o.mapping, io::LoadMappingFile(a.mapping));
  } else if (!a.preset.empty()) {
    SC_ASSIGN_OR_RETURN(o.mapping, io::PresetMapping(a.preset));
  }
  if (!a.dir.empty()) SC_RETURN_IF_ERROR(pipeline::AddDirectory(a.dir, &o));
  for (const auto& f : a.orders) o.order_files.push_back(f);
  if (o.order_files.empty() && o.products.empty() && o.suppliers.empty() &&
      o.locations.empty() && o.snapshots.empty() && o.receipts.empty() && o.cart_adds.empty() &&
      o.promotions.empty()) {
    return Error::InvalidArgument(
        "nothing to import; give --orders FILE, --dir DIR or one of --products, --suppliers, "
        "--locations, --snapshots, --receipts, --cart-adds, --promotions");
  }
  ProgressBar bar(!g.quiet && !a.json && StderrIsTerminal());
  std::unique_ptr<Store> store;
  if (!a.dry_run) {
    SC_ASSIGN_OR_RETURN(store, OpenStore(a.db));
  }
  auto report = pipeline::RunImport(store.get(), config, o, MakeProgress(&bar));
  bar.Clear();
  if (!report.ok()) return report.error();
  if (a.json) {
    nlohmann::json j = report->ToJson();
    if (store) j["db"] = a.db;
    std::cout << j.dump(2) << std::endl;
  } else {
    std::cout << report->ToText();
    if (store) {
      std::cout << fmt::format("Imported into {} in {:.2f} s.\n", a.db, report->seconds);
    }
  }
  return Status::Ok();
}

// ---- config ----
struct ConfigArgs {
  bool defaults = false;
  std::string check;
};

}  // namespace

void AddGenerateCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "generate", "Generate a realistic synthetic e-commerce dataset (CSV files import reads)");
  cmd->add_option("--out", args->out, "output directory (created)")->required();
  cmd->add_option("--seed", args->options.seed, "random seed: same seed, same data")
      ->capture_default_str();
  cmd->add_option("--skus", args->options.num_skus, "number of SKUs")->capture_default_str();
  cmd->add_option("--locations", args->options.num_locations, "number of warehouses")
      ->capture_default_str();
  cmd->add_option("--suppliers", args->options.num_suppliers, "number of suppliers")
      ->capture_default_str();
  cmd->add_option("--days", args->options.num_days, "days of history")->capture_default_str();
  cmd->add_option("--start", args->start, "first day, YYYY-MM-DD")->capture_default_str();
  cmd->add_option("--region", args->region, "holiday calendar: none, cn, uk, us")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "print the summary as JSON");
  cmd->callback([&global, runner, args]() {
    *runner = [&global, args]() { return JsonAware(args->json, RunGenerate(global, *args)); };
  });
}

void AddImportCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "import",
      "Import and clean order lines and master/stock files into the store, in one transaction");
  cmd->add_option("--orders", args->orders, "order-line CSV file(s) (.csv or .csv.zst)");
  auto* preset = cmd->add_option("--preset", args->preset,
                                 "column preset: generic (default), online-retail, shopify");
  auto* mapping = cmd->add_option("--mapping", args->mapping,
                                  "TOML file mapping other exports' columns (see README)");
  preset->excludes(mapping);
  cmd->add_option("--dir", args->dir,
                  "import every known file in DIR (what 'stockcast generate' writes)");
  auto& o = args->options;
  cmd->add_option("--products", o.products, "products.csv");
  cmd->add_option("--suppliers", o.suppliers, "suppliers.csv");
  cmd->add_option("--locations", o.locations, "locations.csv");
  cmd->add_option("--snapshots", o.snapshots, "stock_snapshots.csv");
  cmd->add_option("--receipts", o.receipts, "receipts.csv (received and open PO lines)");
  cmd->add_option("--cart-adds", o.cart_adds, "cart_adds.csv");
  cmd->add_option("--promotions", o.promotions, "promotions.csv");
  cmd->add_option("--db", args->db, "store file")->capture_default_str();
  cmd->add_flag("--strict", o.strict, "treat data-quality warnings as errors (nothing written)");
  cmd->add_flag("--dry-run", args->dry_run, "parse, clean and report without writing the store");
  cmd->add_flag("--json", args->json, "print the cleaning report as JSON");
  cmd->callback([&global, runner, args]() {
    *runner = [&global, args]() { return JsonAware(args->json, RunImportCommand(global, *args)); };
  });
}

void AddConfigCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto args = std::make_shared<ConfigArgs>();
  CLI::App* cmd = app.add_subcommand("config", "Print the default config or check a config file");
  cmd->add_flag("--defaults", args->defaults, "print the default configuration (TOML)");
  cmd->add_option("--check", args->check, "validate FILE and report the first problem");
  cmd->callback([&global, runner, args]() {
    *runner = [&global, args]() -> Status {
      if (!args->check.empty()) {
        auto c = pipeline::LoadConfig(args->check);
        if (!c.ok()) return c.error();
        std::cout << args->check << ": ok\n";
        return Status::Ok();
      }
      if (args->defaults) {
        std::cout << pipeline::DefaultConfigToml();
        return Status::Ok();
      }
      auto c = LoadEffectiveConfig(global);
      if (!c.ok()) return c.error();
      std::cout << "config: " << c->source << " (valid)\n";
      return Status::Ok();
    };
  });
}

void AddServeCommand(CLI::App& app, const GlobalOptions&, Runner* runner) {
  CLI::App* cmd = app.add_subcommand("serve", "REST API and web dashboard (not built yet)");
  cmd->allow_extras();
  cmd->callback([runner]() {
    *runner = []() -> Status {
      return Error::Unavailable(
          "serve is not available in this build: the REST API and dashboard are planned work "
          "(see the project's issues); use the CLI commands meanwhile");
    };
  });
}

}  // namespace stockcast::cli
