#include "cli/commands.h"

#include <algorithm>
#include <tuple>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/progress.h"
#include "stockcast/forecast/model.h"
#include "stockcast/pipeline/config.h"
#include "stockcast/pipeline/forecast_run.h"
#include "stockcast/pipeline/global_run.h"
#include "stockcast/pipeline/import.h"
#include "stockcast/pipeline/optimize_run.h"
#include "stockcast/pipeline/plan_loop.h"
#include "stockcast/pipeline/plan_run.h"
#include "stockcast/pipeline/report_html.h"
#include "stockcast/pipeline/series_run.h"
#include "stockcast/sim/generator.h"
#include "stockcast/store/store.h"

namespace stockcast::cli {

namespace fs = std::filesystem;

// Loads --config, else ./stockcast.toml when present, else the defaults.
Result<pipeline::Config> LoadEffectiveConfig(const GlobalOptions& g) {
  if (!g.config_path.empty()) return pipeline::LoadConfig(g.config_path);
  std::error_code ec;
  if (fs::exists("stockcast.toml", ec)) return pipeline::LoadConfig("stockcast.toml");
  return pipeline::Config{};
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& path) {
  if (IsPostgresUrl(path)) return ::stockcast::OpenStore(path);
  const fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    return Error::NotFound(
        fmt::format("--db {}: folder {} does not exist", path, parent.string()));
  }
  if (fs::is_directory(path, ec)) {
    return Error::InvalidArgument(
        fmt::format("--db {}: is a folder; give the store's file name, e.g. {}/stockcast.db",
                    path, path));
  }
  return ::stockcast::OpenStore(path);
}

// Opening a store for reading must not create an empty database by mistake.
Result<std::unique_ptr<Store>> OpenExistingStore(const std::string& path) {
  std::error_code ec;
  if (!IsPostgresUrl(path) && !fs::exists(path, ec)) {
    return Error::NotFound(fmt::format(
        "{}: no such store; create it with 'stockcast import --db {} ...'", path, path));
  }
  return OpenStore(path);
}

namespace {

// --out FILE may name a folder that does not exist yet: create it, as `report` does.
Status EnsureParentDir(const std::string& path, std::string_view flag) {
  const fs::path parent = fs::path(path).parent_path();
  if (path.empty() || parent.empty()) return Status::Ok();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) {
    return Error::InvalidArgument(fmt::format("{} {}: cannot create folder {}: {}", flag, path,
                                              parent.string(), ec.message()));
  }
  return Status::Ok();
}

// CLI11 validator: a whole number >= 0 (its own NonNegativeNumber prints a 300-digit bound).
const CLI::Validator kNonNegative(
    [](std::string& value) -> std::string {
      return !value.empty() && value[0] == '-' ? "must be >= 0" : std::string();
    },
    "NONNEGATIVE");

ProgressFn MakeProgress(ProgressBar* bar) {
  return [bar](std::string_view stage, double fraction) { bar->Update(stage, fraction); };
}



// Removes a store file this command created, when the command failed: an import that writes
// nothing leaves no empty database behind.
void RemoveIfCreated(const std::string& path, bool existed) {
  if (existed) return;
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
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
  if (Status valid = a.options.Validate(); !valid.ok()) {
    // Name the command-line flag, not the library's field.
    std::string message = valid.error().message;
    for (const auto& [field, flag] : {std::pair{"GeneratorOptions.num_skus", "--skus"},
                                      {"GeneratorOptions.num_locations", "--locations"},
                                      {"GeneratorOptions.num_suppliers", "--suppliers"},
                                      {"GeneratorOptions.num_days", "--days"},
                                      {"GeneratorOptions.seed", "--seed"}}) {
      if (message.rfind(field, 0) == 0) message = flag + message.substr(std::string(field).size());
    }
    return Error::InvalidArgument(message);
  }
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
  std::error_code ec;
  const bool existed = fs::exists(a.db, ec);
  if (!a.dry_run) {
    SC_ASSIGN_OR_RETURN(store, OpenStore(a.db));
  }
  auto report = pipeline::RunImport(store.get(), config, o, MakeProgress(&bar));
  bar.Clear();
  if (!report.ok()) {
    if (store) {
      store.reset();
      RemoveIfCreated(a.db, existed);
    }
    return report.error();
  }
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


// ---- forecast ----
struct ForecastArgs {
  std::string db = kDefaultStorePath;
  std::string out;
  std::optional<int> horizon;
  std::string model;
  std::string quantiles;
  std::string series;
  int season_length = 0;
  int threads = 0;
  int calibrate = 0;
  std::string model_file;
  std::string save_model;
  bool json = false;
};

// The model a global run trained or loaded and its strongest drivers, for the summaries.
void PrintGlobalModel(const std::string& describe,
                      const std::vector<forecast::FeatureImportance>& importance) {
  if (describe.empty()) return;
  std::string top;
  constexpr size_t kShown = 5;
  for (size_t i = 0; i < importance.size() && i < kShown; ++i) {
    top += fmt::format("{}{} {:.0f}%", i ? ", " : "", importance[i].feature,
                       100 * importance[i].gain);
  }
  std::cout << "  model: " << describe << "\n";
  if (!top.empty()) std::cout << "  strongest features (share of importance): " << top << "\n";
}

nlohmann::json ImportanceJson(const std::vector<forecast::FeatureImportance>& importance) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : importance) out.push_back({{"feature", f.feature}, {"gain", f.gain}});
  return out;
}

// --model and --model-file name the model two ways; one at a time.
Status CheckModelFileArgs(const std::string& model, const std::string& model_file) {
  if (!model.empty() && !model_file.empty()) {
    return Error::InvalidArgument(fmt::format(
        "--model {} and --model-file {} together; a model file names its own model, give one "
        "of them",
        model, model_file));
  }
  return Status::Ok();
}

Result<std::vector<double>> ParseLevels(const std::string& text) {
  std::vector<double> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(pos, comma - pos);
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size() || !(v > 0 && v < 1)) {
      return Error::InvalidArgument(fmt::format(
          "--quantiles item \"{}\"; each must be a number in (0, 1), e.g. 0.05,0.5,0.95", item));
    }
    out.push_back(v);
    pos = comma + 1;
  }
  return out;
}

// `forecast --series FILE`: the series come from a long CSV, not the store.
Status RunSeriesForecastCommand(const GlobalOptions& g, ForecastArgs& a) {
  pipeline::SeriesForecastOptions o;
  o.series_path = a.series;
  o.out_path = a.out;
  o.horizon = a.horizon.value_or(28);
  if (!a.model.empty()) o.model = a.model;
  o.season_length = a.season_length;
  o.threads = a.threads;
  o.calibration_windows = a.calibrate;
  o.model_file = a.model_file;
  o.save_model = a.save_model;
  if (!a.quantiles.empty()) {
    SC_ASSIGN_OR_RETURN(o.levels, ParseLevels(a.quantiles));
  }
  SC_RETURN_IF_ERROR(CheckModelFileArgs(a.model, a.model_file));
  SC_RETURN_IF_ERROR(o.Validate());
  if (!a.model_file.empty()) {
    SC_ASSIGN_OR_RETURN(o.model, forecast::GlobalModelFileSpec(a.model_file));
  }
  if (!a.save_model.empty()) SC_RETURN_IF_ERROR(EnsureParentDir(a.save_model, "--save-model"));
  SC_RETURN_IF_ERROR(EnsureParentDir(a.out, "--out"));
  ProgressBar bar(!g.quiet && !a.json && StderrIsTerminal());
  auto sum = pipeline::RunSeriesForecast(o, MakeProgress(&bar));
  bar.Clear();
  if (!sum.ok()) return sum.error();
  if (a.json) {
    nlohmann::json j = {{"series", sum->series},     {"rows", sum->rows},
                        {"model", o.model},          {"chosen", sum->chosen},
                        {"fallbacks", sum->fallbacks}, {"fallback_examples", sum->fallback_examples},
                        {"seconds", sum->seconds},   {"out", o.out_path}};
    if (!sum->global_model.empty()) {
      j["global_model"] = sum->global_model;
      j["importance"] = ImportanceJson(sum->importance);
    }
    if (!o.model_file.empty()) j["model_file"] = o.model_file;
    if (!o.save_model.empty()) j["saved_model"] = o.save_model;
    std::cout << j.dump(2) << std::endl;
    return Status::Ok();
  }
  if (!g.quiet) {
    // The most frequent fitted forms (all of them are in --json and the CSV's model column).
    std::vector<std::pair<size_t, std::string>> forms;
    for (const auto& [form, count] : sum->chosen) forms.emplace_back(count, form);
    std::stable_sort(forms.begin(), forms.end(),
                     [](const auto& x, const auto& y) { return x.first > y.first; });
    std::string chosen;
    constexpr size_t kShown = 4;
    for (size_t i = 0; i < forms.size() && i < kShown; ++i) {
      chosen += fmt::format("{}{} x {}", i ? ", " : "", forms[i].first, forms[i].second);
    }
    if (forms.size() > kShown) chosen += fmt::format(", {} other forms", forms.size() - kShown);
    std::cout << fmt::format("Forecast {} series x {} steps with {} in {:.2f} s ({}) -> {}\n",
                             sum->series, o.horizon, o.model, sum->seconds, chosen, o.out_path);
    if (sum->fallbacks > 0) {
      std::cout << fmt::format("  {} series used a fallback, e.g. {}\n", sum->fallbacks,
                               sum->fallback_examples[0]);
    }
    PrintGlobalModel(sum->global_model, sum->importance);
    if (!o.save_model.empty()) std::cout << "  model saved to " << o.save_model << "\n";
  }
  return Status::Ok();
}

Status RunForecastCommand(const GlobalOptions& g, ForecastArgs& a) {
  if (!a.series.empty()) return RunSeriesForecastCommand(g, a);
  if (a.season_length != 0) {
    return Error::InvalidArgument(
        "--season-length applies to --series input; the store's daily series use 7");
  }
  SC_ASSIGN_OR_RETURN(pipeline::Config config, LoadEffectiveConfig(g));
  pipeline::ForecastRunOptions o;
  o.horizon = a.horizon.value_or(config.forecast.horizon);
  o.model = a.model.empty() ? config.forecast.model : a.model;
  o.quantiles = config.forecast.quantiles;
  if (!a.quantiles.empty()) {
    SC_ASSIGN_OR_RETURN(o.quantiles, ParseLevels(a.quantiles));
  }
  o.output_csv = a.out;
  o.threads = a.threads;
  o.calibration_windows = a.calibrate;
  o.model_file = a.model_file;
  o.save_model = a.save_model;
  SC_RETURN_IF_ERROR(CheckModelFileArgs(a.model, a.model_file));
  SC_RETURN_IF_ERROR(o.Validate());
  // Check the model spec before touching the store: a typo should say so, whatever the db.
  if (!a.model_file.empty()) {
    SC_ASSIGN_OR_RETURN(o.model, forecast::GlobalModelFileSpec(a.model_file));
  }
  SC_RETURN_IF_ERROR(pipeline::CheckForecastModelSpec(o.model));
  if (!a.save_model.empty()) SC_RETURN_IF_ERROR(EnsureParentDir(a.save_model, "--save-model"));
  SC_RETURN_IF_ERROR(EnsureParentDir(a.out, "--out"));
  SC_ASSIGN_OR_RETURN(auto store, OpenExistingStore(a.db));
  ProgressBar bar(!g.quiet && !a.json && StderrIsTerminal());
  auto sum = pipeline::RunForecast(*store, o, MakeProgress(&bar));
  bar.Clear();
  if (!sum.ok()) return sum.error();
  if (a.json) {
    nlohmann::json j = {{"run_id", sum->run_id},
                        {"model", sum->model},
                        {"series", sum->series_count},
                        {"fallbacks", sum->fallback_count},
                        {"fallback_examples", sum->fallback_examples},
                        {"cold_starts", sum->cold_starts},
                        {"history", {sum->history_start.ToString(), sum->history_end.ToString()}},
                        {"forecast", {sum->first_date.ToString(), sum->last_date.ToString()}},
                        {"rows", sum->rows}};
    if (!a.out.empty()) j["out"] = a.out;
    if (!sum->global_model.empty()) {
      j["global_model"] = sum->global_model;
      j["importance"] = ImportanceJson(sum->importance);
    }
    std::cout << j.dump(2) << std::endl;
    return Status::Ok();
  }
  std::cout << fmt::format(
      "Forecast run {}: {} series with {}, history {} .. {}, forecasts {} .. {} ({} rows)\n",
      sum->run_id, sum->series_count, sum->model, sum->history_start.ToString(),
      sum->history_end.ToString(), sum->first_date.ToString(), sum->last_date.ToString(),
      sum->rows);
  if (sum->cold_starts > 0) {
    std::cout << fmt::format("  {} new or short series forecast from similar products of their "
                             "category\n",
                             sum->cold_starts);
  }
  if (sum->fallback_count > 0) {
    std::cout << fmt::format("  {} series used a fallback, e.g. {}\n", sum->fallback_count,
                             sum->fallback_examples.empty() ? "" : sum->fallback_examples[0]);
  }
  PrintGlobalModel(sum->global_model, sum->importance);
  if (!a.save_model.empty()) std::cout << "  model saved to " << a.save_model << "\n";
  if (!a.out.empty()) std::cout << "  written to " << a.out << "\n";
  return Status::Ok();
}

// ---- train ----
struct TrainArgs {
  std::string series;
  std::string db;
  std::string out;
  std::string model = "gbm";
  int horizon = 28;
  int season_length = 0;
  int threads = 0;
  bool json = false;
};

Status RunTrainCommand(const GlobalOptions& g, TrainArgs& a) {
  pipeline::TrainOptions o;
  o.series_path = a.series;
  o.out_path = a.out;
  o.model = a.model;
  o.horizon = a.horizon;
  o.season_length = a.season_length;
  o.threads = a.threads;
  if (a.series.empty() == a.db.empty()) {
    return Error::InvalidArgument(
        "train needs exactly one of --series FILE (a long CSV) or --db FILE (the store)");
  }
  std::unique_ptr<Store> store;
  if (!a.db.empty()) {
    // Checked before opening the store: a typo in the model should say so first.
    pipeline::TrainOptions probe = o;
    probe.series_path = "-";
    SC_RETURN_IF_ERROR(probe.Validate());
    SC_ASSIGN_OR_RETURN(store, OpenExistingStore(a.db));
    o.store = store.get();
  }
  SC_RETURN_IF_ERROR(o.Validate());
  SC_RETURN_IF_ERROR(EnsureParentDir(a.out, "--out"));
  ProgressBar bar(!g.quiet && !a.json && StderrIsTerminal());
  auto sum = pipeline::RunTrain(o, MakeProgress(&bar));
  bar.Clear();
  if (!sum.ok()) return sum.error();
  if (a.json) {
    nlohmann::json j = {{"model", sum->describe},        {"series", sum->series},
                        {"out", a.out},                  {"horizon", a.horizon},
                        {"importance", ImportanceJson(sum->importance)},
                        {"seconds", sum->seconds}};
    std::cout << j.dump(2) << std::endl;
    return Status::Ok();
  }
  if (!g.quiet) {
    std::cout << fmt::format("Trained {} on {} series in {:.2f} s -> {}\n", a.model, sum->series,
                             sum->seconds, a.out);
    PrintGlobalModel(sum->describe, sum->importance);
    std::cout << fmt::format("  forecast with it: stockcast forecast {} --model-file {}\n",
                             a.db.empty() ? "--series FILE --out FILE" : "--db " + a.db, a.out);
  }
  return Status::Ok();
}

}  // namespace

void AddTrainCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "train", "Train a global model (gbm, lstm, gru, ensemble) across all series and save it");
  cmd->add_option("--model", args->model, "global model spec NAME[:k=v,...]; see 'stockcast models'")
      ->capture_default_str();
  cmd->add_option("--series", args->series,
                  "train on this long CSV: series_id,date|period,value[,regressor...]");
  cmd->add_option("--db", args->db, "train on the store's SKU x location series instead");
  cmd->add_option("--out", args->out, "the model file to write (required)");
  cmd->add_option("--horizon", args->horizon, "longest forecast the model is trained for")
      ->capture_default_str();
  cmd->add_option("--season-length", args->season_length,
                  "season length (default 7 for dates and the store, 1 for periods)")
      ->check(kNonNegative);
  cmd->add_option("--threads", args->threads, "threads (0 = all cores)")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "print the summary as JSON");
  cmd->callback([&global, runner, args]() {
    *runner = [&global, args]() { return JsonAware(args->json, RunTrainCommand(global, *args)); };
  });
}

namespace {

// ---- plan ----
struct PlanArgs {
  std::string db = kDefaultStorePath;
  std::string out;
  std::string as_of;
  std::string model;
  std::string model_file;
  bool reforecast = false;
  std::optional<double> budget;
  double time_limit = 60;
  int threads = 0;
  int top = 10;
  bool json = false;
};

nlohmann::json PlanLineJson(const PlanLine& l) {
  return {{"sku", l.sku},
          {"location", l.location},
          {"supplier_id", l.supplier_id},
          {"quantity", l.quantity},
          {"order_date", l.order_date.ToString()},
          {"arrival_date", l.arrival_date.ToString()},
          {"on_hand", l.on_hand},
          {"on_order", l.on_order},
          {"forecast_over_cover", l.lead_time_demand},
          {"reorder_point", l.reorder_point},
          {"order_up_to", l.order_up_to},
          {"safety_stock", l.safety_stock},
          {"service_target", l.service_level},
          {"stockout_probability", l.stockout_probability},
          {"days_of_supply", l.days_of_supply},
          {"binding", l.binding},
          {"explanation", l.explanation}};
}

nlohmann::json JsonNumber(double v) {
  if (!std::isfinite(v)) return nullptr;
  return std::round(v * 1e4) / 1e4;
}

Status RunPlanCommand(const GlobalOptions& g, PlanArgs& a) {
  SC_ASSIGN_OR_RETURN(pipeline::Config config, LoadEffectiveConfig(g));
  pipeline::PlanLoopOptions o;
  if (!a.as_of.empty()) {
    auto d = Date::Parse(a.as_of);
    if (!d) {
      return Error::InvalidArgument(
          fmt::format("--as-of = \"{}\"; must be a date YYYY-MM-DD", a.as_of));
    }
    o.as_of = *d;
  }
  if (a.out.size() > 4 && a.out.compare(a.out.size() - 4, 4, ".csv") == 0) {
    return Error::InvalidArgument(fmt::format(
        "--out {}: must be a folder (plan writes orders.csv, alerts.csv, kpis.json, "
        "projection.csv and report.html into it), e.g. --out {}",
        a.out, std::filesystem::path(a.out).parent_path().empty()
                   ? std::string("out")
                   : std::filesystem::path(a.out).parent_path().string()));
  }
  o.out_dir = a.out;
  o.model = a.model;
  o.model_file = a.model_file;
  SC_RETURN_IF_ERROR(CheckModelFileArgs(a.model, a.model_file));
  o.reforecast = a.reforecast;
  if (a.budget) {
    if (!(*a.budget > 0) || !std::isfinite(*a.budget)) {
      return Error::InvalidArgument(fmt::format("--budget = {}; must be a number > 0", *a.budget));
    }
    o.budget = *a.budget;
  }
  o.time_limit_seconds = a.time_limit;
  o.threads = a.threads;
  SC_ASSIGN_OR_RETURN(auto store, OpenExistingStore(a.db));
  ProgressBar bar(!g.quiet && !a.json && StderrIsTerminal());
  auto sum = pipeline::RunPlanLoop(*store, config, o, MakeProgress(&bar));
  bar.Clear();
  if (!sum.ok()) return sum.error();
  const pipeline::PlanRunSummary& plan = sum->plan;
  std::vector<size_t> orders;
  for (size_t i = 0; i < plan.lines.size(); ++i) {
    if (plan.lines[i].quantity > 0) orders.push_back(i);
  }
  // Largest first: by order value, then (when costs are unknown) by quantity.
  std::sort(orders.begin(), orders.end(), [&](size_t i, size_t j) {
    const PlanLine& x = plan.lines[i];
    const PlanLine& y = plan.lines[j];
    const double vx = x.quantity * x.unit_cost, vy = y.quantity * y.unit_cost;
    if (vx != vy) return vx > vy;
    if (x.quantity != y.quantity) return x.quantity > y.quantity;
    return std::tie(x.sku, x.location) < std::tie(y.sku, y.location);
  });
  const risk::KpiRow* total = nullptr;
  for (const auto& r : sum->kpis) {
    if (r.scope == "total") total = &r;
  }
  size_t live = 0;
  std::map<std::string, int> live_by_level;
  for (const auto& al : sum->alerts.alerts) {
    if (al.status != risk::AlertStatus::kResolved) {
      ++live;
      ++live_by_level[std::string(risk::ToString(al.level))];
    }
  }
  if (a.json) {
    nlohmann::json j = {{"run_id", plan.run_id},
                        {"forecast_run_id", sum->forecast_run_id},
                        {"forecasted", sum->forecasted},
                        {"as_of", plan.as_of.ToString()},
                        {"series", plan.lines.size()},
                        {"orders", plan.orders},
                        {"total_units", plan.total_units},
                        {"total_cost", std::round(plan.total_cost * 100) / 100},
                        {"optimized", sum->optimized},
                        {"classes", sum->class_counts},
                        {"warnings", sum->warnings}};
    if (sum->forecasted) j["forecast_model"] = sum->forecast.model;
    j["order_lines"] = nlohmann::json::array();
    for (size_t i : orders) {
      nlohmann::json l = PlanLineJson(plan.lines[i]);
      l["class"] = sum->classes[i];
      j["order_lines"].push_back(std::move(l));
    }
    j["riskiest"] = nlohmann::json::array();
    for (const auto& l : plan.riskiest) j["riskiest"].push_back(PlanLineJson(l));
    j["alerts"] = {{"open", live},
                   {"by_level", live_by_level},
                   {"created", sum->alerts.created},
                   {"updated", sum->alerts.updated},
                   {"escalated", sum->alerts.escalated},
                   {"resolved", sum->alerts.resolved}};
    j["alert_list"] = nlohmann::json::array();
    for (const auto& al : sum->alerts.alerts) {
      if (al.status == risk::AlertStatus::kResolved) continue;
      j["alert_list"].push_back({{"id", al.id},
                                 {"type", risk::ToString(al.type)},
                                 {"sku", al.sku},
                                 {"location", al.location},
                                 {"level", risk::ToString(al.level)},
                                 {"status", risk::ToString(al.status)},
                                 {"action", risk::ToString(al.action)},
                                 {"impact", JsonNumber(al.impact)},
                                 {"occurrences", al.occurrences},
                                 {"message", al.message}});
    }
    if (total != nullptr) {
      j["kpis"] = {{"from", sum->kpi_from.ToString()},
                   {"to", sum->kpi_to.ToString()},
                   {"fill_rate", JsonNumber(total->fill_rate)},
                   {"cycle_service_level", JsonNumber(total->cycle_service_level)},
                   {"stockout_rate", JsonNumber(total->stockout_rate)},
                   {"inventory_turnover", JsonNumber(total->inventory_turnover)},
                   {"days_of_supply", JsonNumber(total->days_of_supply)},
                   {"gmroi", JsonNumber(total->gmroi)},
                   {"lost_sales_value", JsonNumber(total->lost_sales_value)},
                   {"holding_cost", JsonNumber(total->holding_cost)},
                   {"inventory_value", JsonNumber(total->end_inventory_value)},
                   {"forecast_wape", JsonNumber(total->forecast_wape)},
                   {"forecast_bias", JsonNumber(total->forecast_bias)}};
    }
    j["files"] = sum->files;
    nlohmann::json steps = nlohmann::json::object();
    for (const auto& [name, secs] : sum->step_seconds) steps[name] = std::round(secs * 1000) / 1000;
    j["seconds"] = steps;
    std::cout << j.dump(2) << std::endl;
    return Status::Ok();
  }
  std::cout << fmt::format("Plan run {} as of {}: {} of {} series need an order today; {} units, "
                           "cost {:.2f}{}\n",
                           plan.run_id, plan.as_of.ToString(), plan.orders, plan.lines.size(),
                           plan.total_units, plan.total_cost,
                           sum->optimized ? " (purchase plan MIP under the budget/capacities)" : "");
  std::cout << (sum->forecasted
                    ? fmt::format("  forecast: run {} with {} on {} series\n", sum->forecast_run_id,
                                  sum->forecast.model, sum->forecast.series_count)
                    : fmt::format("  forecast: reused run {} (newer than the last import; "
                                  "--reforecast to redo)\n",
                                  sum->forecast_run_id));
  std::string classes;
  for (const auto& [cell, n] : sum->class_counts) {
    classes += fmt::format("{}{} {}", classes.empty() ? "" : ", ", cell, n);
  }
  std::cout << "  classes: " << classes << "\n";
  if (!orders.empty()) {
    std::cout << "\nWhat to order today (largest first):\n";
    std::cout << fmt::format("  {:<14} {:<10} {:<10} {:>5} {:>9} {:>11} {:>12}  {}\n", "sku",
                             "location", "supplier", "class", "quantity", "arrives", "line cost",
                             "bound by");
    for (size_t k = 0; k < orders.size() && static_cast<int>(k) < a.top; ++k) {
      const PlanLine& l = plan.lines[orders[k]];
      std::cout << fmt::format("  {:<14} {:<10} {:<10} {:>5} {:>9g} {:>11} {:>12.2f}  {}\n", l.sku,
                               l.location, l.supplier_id, sum->classes[orders[k]], l.quantity,
                               l.arrival_date.ToString(), l.quantity * l.unit_cost, l.binding);
    }
    if (static_cast<int>(orders.size()) > a.top) {
      std::cout << fmt::format("  ... {} more{}\n", orders.size() - a.top,
                               a.out.empty() ? " (use --out DIR for orders.csv)" : "");
    }
  }
  std::cout << fmt::format(
      "\nAlerts: {} open ({} high, {} medium, {} low); this run {} new, {} persisting, {} "
      "escalated, {} resolved\n",
      live, live_by_level["high"], live_by_level["medium"], live_by_level["low"],
      sum->alerts.created, sum->alerts.updated, sum->alerts.escalated, sum->alerts.resolved);
  int shown = 0;
  for (const auto& al : sum->alerts.alerts) {
    if (al.status == risk::AlertStatus::kResolved || shown >= a.top) continue;
    ++shown;
    std::cout << fmt::format("  [{}] {}: {} -> {}\n", risk::ToString(al.level),
                             risk::ToString(al.type), al.message, risk::ToString(al.action));
  }
  if (total != nullptr) {
    auto pct = [](double v) { return std::isfinite(v) ? fmt::format("{:.1f}%", 100 * v) : std::string("unknown"); };
    auto num = [](double v) { return std::isfinite(v) ? fmt::format("{:.2f}", v) : std::string("unknown"); };
    std::cout << fmt::format(
        "\nKPIs {} .. {}: fill rate {}, stockout days {}, turnover {}/yr, days of supply {}, "
        "GMROI {}, lost sales {}\n",
        sum->kpi_from.ToString(), sum->kpi_to.ToString(), pct(total->fill_rate),
        pct(total->stockout_rate), num(total->inventory_turnover), num(total->days_of_supply),
        num(total->gmroi), num(total->lost_sales_value));
  }
  for (const auto& w : sum->warnings) std::cout << "warning: " << w << "\n";
  if (!sum->files.empty()) {
    std::cout << "\nWritten:";
    for (const auto& f : sum->files) std::cout << " " << f;
    std::cout << "\n";
  }
  return Status::Ok();
}

// ---- report ----
struct ReportArgs {
  std::string db = kDefaultStorePath;
  std::string out = "out/report.html";
  bool json = false;
};

// ---- optimize ----
struct OptimizeArgs {
  std::string db = kDefaultStorePath;
  std::optional<double> budget;
  std::string as_of;
  double time_limit = 60;
  double gap = 1e-4;
  std::string out;
  int top = 10;
  bool json = false;
};

nlohmann::json OptimizeLineJson(const optimize::PlanLine& l) {
  return {{"sku", l.sku},
          {"location", l.warehouse},
          {"supplier", l.supplier},
          {"quantity", l.quantity},
          {"cases", l.cases},
          {"unit_price", l.unit_price},
          {"cost", l.cost},
          {"order_date", l.order_date.ToString()},
          {"expected_arrival", l.expected_arrival.ToString()},
          {"expected_demand", l.expected_demand},
          {"demand_sd", l.demand_sd},
          {"inventory_position", l.inventory_position},
          {"position_after", l.position_after},
          {"expected_shortage", l.expected_shortage},
          {"fill_rate", l.fill_rate},
          {"cycle_service", l.cycle_service},
          {"newsvendor_quantity", l.newsvendor_quantity},
          {"bound_by", std::string(optimize::ToString(l.bound_by))},
          {"explanation", l.explanation}};
}

Status RunOptimizeCommand(const GlobalOptions& g, OptimizeArgs& a) {
  SC_ASSIGN_OR_RETURN(pipeline::Config config, LoadEffectiveConfig(g));
  pipeline::OptimizeRunOptions o;
  if (a.budget) o.budget = *a.budget;
  if (!a.as_of.empty()) {
    auto d = Date::Parse(a.as_of);
    if (!d) {
      return Error::InvalidArgument(
          fmt::format("--as-of = \"{}\"; must be a date YYYY-MM-DD", a.as_of));
    }
    o.as_of = *d;
  }
  o.time_limit_seconds = a.time_limit;
  o.relative_gap = a.gap;
  o.orders_csv = a.out;
  SC_RETURN_IF_ERROR(o.Validate());
  SC_RETURN_IF_ERROR(EnsureParentDir(a.out, "--out"));
  SC_ASSIGN_OR_RETURN(auto store, OpenExistingStore(a.db));
  ProgressBar bar(!g.quiet && !a.json && StderrIsTerminal());
  auto sum = pipeline::RunOptimize(*store, config, o, MakeProgress(&bar));
  bar.Clear();
  if (!sum.ok()) return sum.error();
  const optimize::PlanResult& r = sum->result;
  const auto finite_or_null = [](double v) -> nlohmann::json {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
  };
  if (a.json) {
    nlohmann::json j = {{"status", std::string(optimize::ToString(r.status))},
                        {"as_of", sum->as_of.ToString()},
                        {"forecast_run_id", sum->forecast_run_id},
                        {"budget", finite_or_null(o.budget)},
                        {"items", sum->items},
                        {"skipped", sum->skipped},
                        {"cost",
                         {{"total", r.cost.total},
                          {"ordering", r.cost.ordering},
                          {"purchase", r.cost.purchase},
                          {"container", r.cost.container},
                          {"holding", r.cost.holding},
                          {"shortage", r.cost.shortage}}},
                        {"spend", r.cost.purchase + r.cost.ordering + r.cost.container},
                        {"objective", finite_or_null(r.model_objective)},
                        {"best_bound", finite_or_null(r.best_bound)},
                        {"gap", finite_or_null(r.gap)},
                        {"seconds", r.seconds},
                        {"nodes", r.nodes},
                        {"warnings", sum->warnings},
                        {"message", r.message}};
    j["lines"] = nlohmann::json::array();
    for (const auto& l : r.lines) j["lines"].push_back(OptimizeLineJson(l));
    j["orders"] = nlohmann::json::array();
    for (const auto& po : r.orders) {
      j["orders"].push_back({{"supplier", po.supplier},
                             {"location", po.warehouse},
                             {"units", po.units},
                             {"value", po.value},
                             {"fixed_cost", po.fixed_cost}});
    }
    j["binding"] = nlohmann::json::array();
    for (const auto& b : r.binding) {
      j["binding"].push_back({{"constraint", b.constraint},
                              {"group", b.group},
                              {"activity", b.activity},
                              {"limit", b.limit},
                              {"message", b.message}});
    }
    j["conflicts"] = nlohmann::json::array();
    for (const auto& c : r.conflicts) {
      j["conflicts"].push_back({{"constraint", c.constraint},
                                {"group", c.group},
                                {"rhs", c.rhs},
                                {"rhs_change", c.rhs_change},
                                {"message", c.message}});
    }
    if (!a.out.empty()) j["out"] = a.out;
    std::cout << j.dump(2) << std::endl;
    return Status::Ok();
  }
  std::cout << fmt::format(
      "Purchase plan as of {} ({}): {} series, {} order lines in {} purchase orders; spend "
      "{:.2f}{}; expected holding {:.2f} + shortage {:.2f} + ordering {:.2f}; gap {}, {:.2f} s\n",
      sum->as_of.ToString(), optimize::ToString(r.status), sum->items, r.lines.size(),
      r.orders.size(), r.cost.purchase + r.cost.ordering + r.cost.container,
      std::isfinite(o.budget) ? fmt::format(" of budget {:.2f}", o.budget) : std::string(),
      r.cost.holding, r.cost.shortage, r.cost.ordering,
      std::isfinite(r.gap) ? fmt::format("{:.4f} %", 100.0 * r.gap) : std::string("n/a"), r.seconds);
  for (const auto& c : r.conflicts) std::cout << "  conflict: " << c.message << "\n";
  for (const auto& b : r.binding) std::cout << "  binding: " << b.message << "\n";
  std::vector<const optimize::PlanLine*> lines;
  for (const auto& l : r.lines) lines.push_back(&l);
  std::stable_sort(lines.begin(), lines.end(), [](const auto* x, const auto* y) { return x->cost > y->cost; });
  for (size_t i = 0; i < lines.size() && i < static_cast<size_t>(std::max(a.top, 0)); ++i) {
    std::cout << fmt::format("  {} @ {} from {}: {:.0f} units ({})\n    {}\n", lines[i]->sku,
                             lines[i]->warehouse, lines[i]->supplier, lines[i]->quantity,
                             optimize::ToString(lines[i]->bound_by), lines[i]->explanation);
  }
  for (const auto& w : sum->warnings) std::cout << "  warning: " << w << "\n";
  if (!a.out.empty()) std::cout << "  purchase orders written to " << a.out << "\n";
  return Status::Ok();
}

Status RunReportCommand(const GlobalOptions&, ReportArgs& a) {
  SC_ASSIGN_OR_RETURN(auto store, OpenExistingStore(a.db));
  if (a.json) {
    // The latest run of each kind with its report, for scripts.
    nlohmann::json j = nlohmann::json::object();
    for (const char* kind : {"import", "forecast", "plan"}) {
      SC_ASSIGN_OR_RETURN(auto run, store->LatestRun(kind));
      if (!run) continue;
      nlohmann::json r = {{"id", run->id}, {"status", run->status},
                          {"started_at", run->started_at}, {"finished_at", run->finished_at}};
      r["report"] = nlohmann::json::parse(run->report_json.empty() ? "null" : run->report_json,
                                          nullptr, false);
      j[kind] = r;
    }
    std::cout << j.dump(2) << std::endl;
    return Status::Ok();
  }
  SC_RETURN_IF_ERROR(pipeline::WriteHtmlReport(*store, a.out));
  std::cout << "Report written to " << a.out << "\n";
  return Status::Ok();
}

// ---- config ----
struct ConfigArgs {
  bool defaults = false;
  std::string check;
};

}  // namespace

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

void AddGenerateCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "generate", "Generate a realistic synthetic e-commerce dataset (CSV files import reads)");
  cmd->add_option("--out", args->out, "output directory (created)")->required();
  cmd->add_option("--seed", args->options.seed, "random seed: same seed, same data")
      ->check(kNonNegative)
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

void AddForecastCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto args = std::make_shared<ForecastArgs>();
  CLI::App* cmd = app.add_subcommand(
      "forecast", "Forecast every series in the store (mean and quantiles per day)");
  cmd->add_option("--db", args->db, "store file")->capture_default_str();
  cmd->add_option("--horizon", args->horizon, "days to forecast (default: config, 28)");
  cmd->add_option("--model", args->model,
                  "model spec NAME[:k=v,...] (default: config, baseline); see 'stockcast models'");
  cmd->add_option("--quantiles", args->quantiles, "quantile levels, e.g. 0.05,0.5,0.95");
  cmd->add_option("--out", args->out,
                  "also write CSV: series_id,step,date,mean,q...,model (required with --series)");
  cmd->add_option("--series", args->series,
                  "forecast the series of this long CSV (series_id,date|period,value) instead of "
                  "the store; default model auto, horizon 28");
  cmd->add_option("--season-length", args->season_length,
                  "season length of --series data (default 7 for dates, 1 for periods)")
      ->check(kNonNegative);
  cmd->add_option("--threads", args->threads, "series fitted in parallel (0 = all cores)")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--calibrate", args->calibrate,
                  "rescale each series' intervals on this many backtest windows of its own history "
                  "(conformal calibration; 0 = the model's intervals)")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--model-file", args->model_file,
                  "forecast with this saved global model (stockcast train) instead of training");
  cmd->add_option("--save-model", args->save_model,
                  "global models: also save the model trained here to this file");
  cmd->add_flag("--json", args->json, "print the run summary as JSON");
  cmd->callback([&global, runner, args]() {
    *runner = [&global, args]() { return JsonAware(args->json, RunForecastCommand(global, *args)); };
  });
}

// ---- backtest ----
struct BacktestArgs {
  std::string series;
  std::string db;
  int threads = 0;
  std::string learning_curve;
  std::string html;
  std::string model = "auto";
  int horizon = 28;
  int windows = 3;
  int step = 0;
  int season_length = 0;
  int calibrate = 0;
  std::string quantiles = "0.05,0.5,0.95";
  std::string out;
  bool json = false;
};

Status RunBacktestCommand(const GlobalOptions& g, BacktestArgs& a) {
  pipeline::SeriesBacktestOptions o;
  o.series_path = a.series;
  o.model = a.model;
  o.season_length = a.season_length;
  o.backtest.horizon = a.horizon;
  o.backtest.windows = a.windows;
  o.backtest.step = a.step;
  o.backtest.calibration_windows = a.calibrate;
  SC_ASSIGN_OR_RETURN(o.backtest.levels, ParseLevels(a.quantiles));
  o.out_path = a.out;
  o.threads = a.threads;
  o.html_path = a.html;
  if (!a.html.empty()) SC_RETURN_IF_ERROR(EnsureParentDir(a.html, "--html"));
  if (!a.learning_curve.empty()) {
    size_t pos = 0;
    while (pos <= a.learning_curve.size()) {
      size_t comma = a.learning_curve.find(',', pos);
      if (comma == std::string::npos) comma = a.learning_curve.size();
      const std::string item = a.learning_curve.substr(pos, comma - pos);
      size_t used = 0;
      int value = -1;
      try {
        value = std::stoi(item, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (item.empty() || used != item.size()) {
        return Error::InvalidArgument(fmt::format(
            "--learning-curve item \"{}\"; write history lengths as integers, e.g. 28,56,112,0",
            item));
      }
      o.learning_curve.push_back(value);
      pos = comma + 1;
    }
  }
  if (a.series.empty() == a.db.empty()) {
    return Error::InvalidArgument(
        "backtest needs exactly one of --series FILE (a long CSV) or --db FILE (the store)");
  }
  if (a.db.empty()) {
    SC_RETURN_IF_ERROR(o.Validate());
  } else {
    SC_RETURN_IF_ERROR(o.backtest.Validate());
    SC_RETURN_IF_ERROR(pipeline::CheckForecastModelSpec(o.model));
  }
  if (!a.out.empty()) SC_RETURN_IF_ERROR(EnsureParentDir(a.out, "--out"));
  std::unique_ptr<Store> store;
  if (!a.db.empty()) {
    SC_ASSIGN_OR_RETURN(store, OpenExistingStore(a.db));
  }
  ProgressBar bar(!g.quiet && !a.json && StderrIsTerminal());
  auto sum = store ? pipeline::RunStoreBacktest(*store, o, MakeProgress(&bar))
                   : pipeline::RunSeriesBacktest(o, MakeProgress(&bar));
  bar.Clear();
  if (!sum.ok()) return sum.error();
  const auto& m = sum->metrics.mean;
  auto metrics_json = [](const forecast::PointMetrics& p) {
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
    return nlohmann::json{{"n", p.n},         {"mae", num(p.mae)},     {"rmse", num(p.rmse)},
                          {"mse", num(p.mse)}, {"mape", num(p.mape)},  {"smape", num(p.smape)},
                          {"mase", num(p.mase)}, {"rmsse", num(p.rmsse)}, {"bias", num(p.bias)},
                          {"r2", num(p.r2)}};
  };
  if (a.json) {
    nlohmann::json per = nlohmann::json::array();
    for (const auto& s : sum->series) {
      per.push_back({{"series_id", s.id},
                     {"windows", s.result.windows.size()},
                     {"skipped_windows", s.result.skipped_windows},
                     {"metrics", metrics_json(s.result.metrics)},
                     {"pinball", s.result.pinball},
                     {"coverage", s.result.interval.coverage},
                     {"width", s.result.interval.width}});
    }
    nlohmann::json j = {{"model", o.model},
                        {"horizon", a.horizon},
                        {"windows", a.windows},
                        {"step", a.step == 0 ? a.horizon : a.step},
                        {"levels", o.backtest.levels},
                        {"series", sum->series.size()},
                        {"failed", sum->failed},
                        {"failures", sum->failures},
                        {"aggregate",
                         {{"metrics", metrics_json(m)},
                          {"wrmsse", std::isfinite(sum->wrmsse) ? nlohmann::json(sum->wrmsse)
                                                                : nlohmann::json()},
                          {"pinball", sum->pinball},
                          {"coverage", sum->coverage},
                          {"nominal_coverage", sum->nominal},
                          {"width", sum->width},
                          {"skipped", {{"mape", sum->metrics.skipped_mape},
                                       {"mase", sum->metrics.skipped_mase},
                                       {"rmsse", sum->metrics.skipped_rmsse}}}}},
                        {"per_series", per},
                        {"seconds", sum->seconds}};
    if (!sum->learning_curve.empty()) {
      nlohmann::json curve = nlohmann::json::array();
      for (const auto& p : sum->learning_curve) {
        curve.push_back({{"history", p.history},
                         {"metrics", metrics_json(p.metrics.mean)},
                         {"wrmsse", std::isfinite(p.wrmsse) ? nlohmann::json(p.wrmsse)
                                                            : nlohmann::json()},
                         {"failed", p.failed}});
      }
      j["learning_curve"] = curve;
    }
    std::cout << j.dump(2) << std::endl;
    return Status::Ok();
  }
  std::cout << fmt::format(
      "Backtest of {} on {} series ({} windows x {} steps) in {:.2f} s\n"
      "  MAE {:.4g}  RMSE {:.4g}  MAPE {:.4g}  sMAPE {:.4g}  MASE {:.4g}  RMSSE {:.4g}  "
      "WRMSSE {:.4g}  bias {:.4g}\n",
      o.model, sum->series.size(), a.windows, a.horizon, sum->seconds, m.mae, m.rmse, m.mape,
      m.smape, m.mase, m.rmsse, sum->wrmsse, m.bias);
  if (sum->nominal > 0) {
    std::cout << fmt::format("  interval coverage {:.1f}% (nominal {:.0f}%), mean width {:.4g}\n",
                             100 * sum->coverage, 100 * sum->nominal, sum->width);
  }
  if (sum->failed > 0) {
    std::cout << fmt::format("  {} series failed, e.g. {}\n", sum->failed, sum->failures[0]);
  }
  for (const auto& p : sum->learning_curve) {
    std::cout << fmt::format("  history {:>6}: sMAPE {:.4g}  MASE {:.4g}  RMSSE {:.4g}  WRMSSE {:.4g}\n",
                             p.history == 0 ? std::string("all") : std::to_string(p.history),
                             p.metrics.mean.smape, p.metrics.mean.mase, p.metrics.mean.rmsse,
                             p.wrmsse);
  }
  if (!a.out.empty()) std::cout << "  per-series metrics written to " << a.out << "\n";
  if (!a.html.empty()) std::cout << "  charts written to " << a.html << "\n";
  return Status::Ok();
}

void AddBacktestCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto args = std::make_shared<BacktestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "backtest", "Rolling-origin evaluation of a model on a long CSV of series or on the store");
  cmd->add_option("--series", args->series, "long CSV: series_id,date|period,value[,regressor...]");
  cmd->add_option("--db", args->db, "backtest the store's SKU x location series instead");
  cmd->add_option("--threads", args->threads, "series backtested in parallel (0 = all cores)")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--model", args->model, "model spec NAME[:k=v,...]; see 'stockcast models'")
      ->capture_default_str();
  cmd->add_option("--horizon", args->horizon, "steps forecast from each origin")
      ->capture_default_str();
  cmd->add_option("--windows", args->windows, "number of origins")->capture_default_str();
  cmd->add_option("--step", args->step, "steps between origins (0 = the horizon)")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--season-length", args->season_length,
                  "season length (default 7 for dates, 1 for periods)")
      ->check(kNonNegative);
  cmd->add_option("--quantiles", args->quantiles, "levels scored by pinball loss and coverage")
      ->capture_default_str();
  cmd->add_option("--calibrate", args->calibrate,
                  "rescale each window's intervals on this many earlier windows inside its "
                  "training data (as 'forecast --calibrate' would then; 0 = off)")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--out", args->out, "write per-series metrics as CSV");
  cmd->add_option("--html", args->html,
                  "write charts of forecasts against actuals (top series by revenue) as HTML");
  cmd->add_option("--learning-curve", args->learning_curve,
                  "also score fits limited to these history lengths, e.g. 28,56,112,0 (0 = all)");
  cmd->add_flag("--json", args->json, "print per-series and aggregate metrics as JSON");
  cmd->callback([&global, runner, args]() {
    *runner = [&global, args]() { return JsonAware(args->json, RunBacktestCommand(global, *args)); };
  });
}

void AddPlanCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto args = std::make_shared<PlanArgs>();
  CLI::App* cmd = app.add_subcommand(
      "plan",
      "The closed loop: forecast (auto) -> ABC/XYZ service targets -> (R,s,S) policy per SKU -> "
      "order plan (budget/capacity MIP) -> 8-week projection -> risks, alerts, KPIs");
  cmd->add_option("--db", args->db, "store file")->capture_default_str();
  cmd->add_option("--out", args->out,
                  "folder for orders.csv, alerts.csv, kpis.json, projection.csv, report.html");
  cmd->add_option("--as-of", args->as_of,
                  "decision day YYYY-MM-DD (default: the day after the history ends)");
  cmd->add_option("--model", args->model,
                  "forecast again with this model (default: reuse a forecast newer than the last "
                  "import, else [plan] forecast_model = auto)");
  cmd->add_option("--model-file", args->model_file,
                  "forecast again with this saved global model (stockcast train), without "
                  "retraining (default: [plan] forecast_model_file when set)");
  cmd->add_flag("--reforecast", args->reforecast, "forecast again even when a fresh forecast exists");
  cmd->add_option("--budget", args->budget,
                  "money for purchases and order costs: the order plan becomes a MIP");
  cmd->add_option("--time-limit", args->time_limit, "seconds the MIP may use")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "forecasting threads (0 = all cores)")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--top", args->top, "lines shown in the summary")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "print the plan as JSON");
  cmd->callback([&global, runner, args]() {
    *runner = [&global, args]() { return JsonAware(args->json, RunPlanCommand(global, *args)); };
  });
}

void AddOptimizeCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto args = std::make_shared<OptimizeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "optimize",
      "Purchase plan for the store's current state as a MIP (COIN-OR CBC): budget, location "
      "capacity, supplier MOQ, case packs and order costs; expected holding + shortage cost");
  cmd->add_option("--db", args->db, "store file")->capture_default_str();
  cmd->add_option("--budget", args->budget,
                  "money available for purchases and order costs (default: no budget)");
  cmd->add_option("--as-of", args->as_of,
                  "decision day YYYY-MM-DD (default: the day after the history ends)");
  cmd->add_option("--time-limit", args->time_limit, "seconds the solver may use")
      ->capture_default_str();
  cmd->add_option("--gap", args->gap, "stop within this relative gap of the optimum")
      ->capture_default_str();
  cmd->add_option("--out", args->out, "write the purchase orders as CSV");
  cmd->add_option("--top", args->top, "order lines shown in the summary")->capture_default_str();
  cmd->add_flag("--json", args->json, "print the plan as JSON");
  cmd->callback([&global, runner, args]() {
    *runner = [&global, args]() { return JsonAware(args->json, RunOptimizeCommand(global, *args)); };
  });
}

void AddReportCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Write the HTML report (self-contained) or print the latest runs as JSON");
  cmd->add_option("--db", args->db, "store file")->capture_default_str();
  cmd->add_option("--out", args->out, "HTML file to write")->capture_default_str();
  cmd->add_flag("--json", args->json, "print the latest import/forecast/plan runs as JSON");
  cmd->callback([&global, runner, args]() {
    *runner = [&global, args]() { return JsonAware(args->json, RunReportCommand(global, *args)); };
  });
}

void AddModelsCommand(CLI::App& app, const GlobalOptions&, Runner* runner) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("models", "List the forecasting models and their parameters");
  cmd->add_flag("--json", *json, "print as JSON");
  cmd->callback([runner, json]() {
    *runner = [json]() -> Status {
      // A model's parameters as the JSON listing shows them.
      const auto params_json = [](const ParamSchema& schema) {
        nlohmann::json params = nlohmann::json::array();
        for (const auto& p : schema.specs()) {
          params.push_back({{"name", p.name},
                            {"type", std::string(ToString(p.type))},
                            {"default", p.default_value},
                            {"min", p.min},
                            {"max", p.max},
                            {"description", p.description}});
        }
        return params;
      };
      nlohmann::json arr = nlohmann::json::array();
      for (const auto* m : forecast::ListModels()) {
        arr.push_back({{"name", m->name},
                       {"description", m->description},
                       {"parameters", params_json(m->schema)}});
      }
      // Global models (trained across all series; forecast/global_model.h).
      for (const auto* m : forecast::ListGlobalModels()) {
        nlohmann::json entry = {{"name", m->name},
                                {"description", m->description},
                                {"parameters", params_json(m->schema)},
                                {"global", true},
                                {"available", m->available}};
        if (!m->available) entry["unavailable_reason"] = m->unavailable_reason;
        arr.push_back(std::move(entry));
      }
      if (*json) {
        std::cout << arr.dump(2) << std::endl;
        return Status::Ok();
      }
      for (const auto& m : arr) {
        std::cout << m["name"].get<std::string>() << "  " << m["description"].get<std::string>()
                  << (m.contains("global") ? "  [global]" : "")
                  << (m.value("available", true)
                          ? std::string()
                          : "  (unavailable: " + m["unavailable_reason"].get<std::string>() + ")")
                  << "\n";
        for (const auto& p : m["parameters"]) {
          std::cout << fmt::format("    {}={} ({}, [{}, {}]) {}\n", p["name"].get<std::string>(),
                                   p["default"].get<std::string>(), p["type"].get<std::string>(),
                                   p["min"].get<double>(), p["max"].get<double>(),
                                   p["description"].get<std::string>());
        }
      }
      return Status::Ok();
    };
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

}  // namespace stockcast::cli
