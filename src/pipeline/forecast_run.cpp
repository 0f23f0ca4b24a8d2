#include "stockcast/pipeline/forecast_run.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "stockcast/core/parallel.h"
#include "stockcast/forecast/calibrate.h"
#include "stockcast/forecast/model.h"
#include "stockcast/forecast/similar.h"
#include "stockcast/io/csv_writer.h"
#include "stockcast/pipeline/global_run.h"

namespace stockcast::pipeline {
namespace {

constexpr size_t kMaxFallbackExamples = 10;
constexpr size_t kMaxImportance = 20;

}  // namespace

// The drivers the store knows for series `s`: price (days without a sale carry the last known
// price), promotion (0/1 from the day flags) and add-to-cart events, when those columns exist,
// and the first day for calendar features. Models that do not use regressors ignore them.
forecast::Regressors PanelRegressors(const DemandPanel& panel, size_t s) {
  forecast::Regressors x;
  x.first_day = panel.start().days();
  const size_t n = static_cast<size_t>(panel.num_days());
  if (panel.has_column(PanelColumn::kPrice)) {
    const auto price = panel.column(PanelColumn::kPrice, s);
    std::vector<double> v(n);
    double last = std::numeric_limits<double>::quiet_NaN();
    for (size_t t = 0; t < n; ++t) {
      if (std::isfinite(price[t]) && price[t] > 0) last = price[t];
      v[t] = last;
    }
    // Days before the first sale take the first known price.
    double first = std::numeric_limits<double>::quiet_NaN();
    for (size_t t = 0; t < n && std::isnan(first); ++t) first = v[t];
    for (size_t t = 0; t < n && std::isnan(v[t]); ++t) v[t] = first;
    if (std::isfinite(first)) {
      x.names.push_back("price");
      x.values.push_back(std::move(v));
    }
  }
  const auto flags = panel.flags(s);
  std::vector<double> promo(n);
  bool any_promo = false;
  for (size_t t = 0; t < n; ++t) {
    promo[t] = (flags[t] & kFlagPromotion) ? 1.0 : 0.0;
    any_promo = any_promo || promo[t] > 0;
  }
  if (any_promo) {
    promo.push_back(0.0);  // no promotion planned: the future is held at 0
    x.names.push_back("promotion");
    x.values.push_back(std::move(promo));
  }
  if (panel.has_column(PanelColumn::kCartAdds)) {
    const auto cart = panel.column(PanelColumn::kCartAdds, s);
    std::vector<double> v(cart.begin(), cart.end());
    bool any = false;
    for (double c : v) any = any || std::isfinite(c);
    if (any) {
      x.names.push_back("cart_adds");
      x.values.push_back(std::move(v));
    }
  }
  return x;
}

namespace {

// New products and very short histories (fewer than `full_days` usable days): the category's
// profile scaled by the early sales (forecast/similar.h), blended with the series' own forecast
// by usable / full_days (0 when the own forecast is a fallback). Peers are the series of the
// same category, any location, with at least `full_days` usable days and no fallback. Returns
// how many series were changed; their label becomes "similar" (or "<model>+similar").
size_t ColdStart(const DemandPanel& panel, const std::vector<Product>& products, int full_days,
                 std::vector<forecast::RobustForecast>* all, std::vector<std::string>* labels) {
  std::map<std::string, std::string> category;
  for (const Product& p : products) {
    if (!p.category.empty()) category[p.sku] = p.category;
  }
  const size_t n_series = panel.num_series();
  std::vector<int> usable(n_series, 0);
  for (size_t s = 0; s < n_series; ++s) {
    const auto demand = panel.column(PanelColumn::kDemand, s);
    const auto flags = panel.flags(s);
    for (size_t t = 0; t < demand.size(); ++t) {
      usable[s] += std::isfinite(demand[t]) && (flags[t] & forecast::kUnusableDayMask) == 0;
    }
  }
  std::map<std::string, std::vector<size_t>> established;
  for (size_t s = 0; s < n_series; ++s) {
    auto it = category.find(panel.key(s).sku);
    if (it == category.end()) continue;
    if (usable[s] >= full_days && (*all)[s].forecast.fallback.empty()) {
      established[it->second].push_back(s);
    }
  }
  // Demand as doubles, only for the series a cold start reads (the cold ones and their peers).
  std::map<size_t, std::vector<double>> demand_of;
  auto demand = [&](size_t s) -> const std::vector<double>& {
    auto [it, added] = demand_of.try_emplace(s);
    if (added) {
      const auto column = panel.column(PanelColumn::kDemand, s);
      it->second.assign(column.begin(), column.end());
    }
    return it->second;
  };
  size_t changed = 0;
  for (size_t s = 0; s < n_series; ++s) {
    if (usable[s] >= full_days) continue;
    auto it = category.find(panel.key(s).sku);
    if (it == category.end()) continue;
    auto peers_it = established.find(it->second);
    if (peers_it == established.end()) continue;
    std::vector<forecast::PeerSeries> peers;
    for (size_t p : peers_it->second) {
      peers.push_back({demand(p), panel.flags(p), &(*all)[p].forecast});
    }
    auto profile = forecast::SimilarProductsForecast(demand(s), panel.flags(s), peers);
    if (!profile) continue;
    forecast::RobustForecast& own = (*all)[s];
    const double w = own.forecast.fallback.empty()
                         ? static_cast<double>(usable[s]) / full_days
                         : 0.0;
    const std::string before = (*labels)[s];
    own.forecast = forecast::Blend(own.forecast, *profile, w);
    (*labels)[s] = w > 0 ? before + "+similar" : "similar";
    ++changed;
  }
  return changed;
}

}  // namespace

Status CheckForecastModelSpec(std::string_view spec) {
  if (forecast::IsGlobalModelSpec(spec)) return forecast::CreateGlobalModel(spec).status();
  return forecast::CheckModelSpec(spec);
}

namespace {

// Trains the global model (or loads options.model_file) on every series of `panel` and
// forecasts each (pipeline/global_run.h). Fills `all` (one slot per series).
Status RunGlobalModel(const DemandPanel& panel, const std::vector<Product>& products,
                      const ForecastRunOptions& options, const ProgressFn& progress,
                      std::vector<forecast::RobustForecast>* all, ForecastRunSummary* summary) {
  const GlobalSeriesSet series = PanelGlobalSeries(panel, products, options.threads);
  GlobalRunOptions g;
  g.model = options.model;
  g.model_file = options.model_file;
  g.save_model = options.save_model;
  g.season_length = options.season_length;
  g.horizon = options.horizon;
  g.levels = options.quantiles;
  g.threads = options.threads;
  SC_ASSIGN_OR_RETURN(GlobalRunResult run, RunGlobalForecast(series.series, g, progress));
  *all = std::move(run.forecasts);
  summary->global_model = run.describe;
  summary->importance = std::move(run.importance);
  if (summary->importance.size() > kMaxImportance) summary->importance.resize(kMaxImportance);
  return Status::Ok();
}

}  // namespace

std::string SeriesId(const std::string& sku, const std::string& location) {
  return sku + "@" + location;
}

std::string QuantileColumn(double level) { return "q" + io::FormatNumber(level, 6); }

Status ForecastRunOptions::Validate() const {
  if (horizon < 1 || horizon > 3650) {
    return Error::InvalidArgument(fmt::format("horizon = {}; must be in [1, 3650]", horizon));
  }
  if (season_length < 1) {
    return Error::InvalidArgument(fmt::format("season_length = {}; must be >= 1", season_length));
  }
  if (calibration_windows < 0) {
    return Error::InvalidArgument(
        fmt::format("calibration_windows = {}; must be >= 0 (0 = off)", calibration_windows));
  }
  for (size_t i = 0; i < quantiles.size(); ++i) {
    if (!(quantiles[i] > 0.0 && quantiles[i] < 1.0)) {
      return Error::InvalidArgument(
          fmt::format("quantiles[{}] = {}; must be in (0, 1)", i, quantiles[i]));
    }
    if (i > 0 && !(quantiles[i] > quantiles[i - 1])) {
      return Error::InvalidArgument(fmt::format(
          "quantiles[{}] = {}; levels must be strictly ascending (previous {})", i, quantiles[i],
          quantiles[i - 1]));
    }
  }
  return Status::Ok();
}

Result<ForecastRunSummary> RunForecast(Store& store, const ForecastRunOptions& options,
                                       const ProgressFn& progress) {
  SC_RETURN_IF_ERROR(options.Validate());
  // A saved model brings its own spec.
  std::string model = options.model;
  if (!options.model_file.empty()) {
    SC_ASSIGN_OR_RETURN(model, forecast::GlobalModelFileSpec(options.model_file));
  }
  SC_ASSIGN_OR_RETURN(forecast::ModelSpec spec, forecast::ParseModelSpec(model));
  // Reject an unknown model, parameter or setting before touching the store.
  SC_RETURN_IF_ERROR(CheckForecastModelSpec(model));
  const bool global = forecast::IsGlobalModelSpec(model);
  if (!global && !options.save_model.empty()) {
    return Error::InvalidArgument(fmt::format(
        "save_model = \"{}\" with model {}; only global models ({}) are saved as files",
        options.save_model, spec.name, forecast::GlobalModelRegistry::Global().Names()));
  }
  const std::string canonical = spec.ToString();

  ReportProgress(progress, "loading history", 0.0);
  DemandPanel loaded;
  if (options.panel == nullptr) {
    SC_ASSIGN_OR_RETURN(loaded, store.LoadPanel());
  }
  const DemandPanel& panel = options.panel != nullptr ? *options.panel : loaded;
  if (panel.num_series() == 0 || panel.num_days() == 0) {
    return Error::NotFound(fmt::format(
        "no demand history in {}; run `stockcast import --db {}` first", store.path(),
        store.path()));
  }

  std::optional<io::CsvWriter> csv;
  if (!options.output_csv.empty()) {
    auto opened = io::CsvWriter::Open(options.output_csv);
    if (!opened.ok()) return opened.error();
    csv.emplace(std::move(opened).value());
    csv->Field("series_id").Field("step").Field("date").Field("mean");
    for (double level : options.quantiles) csv->Field(QuantileColumn(level));
    csv->Field("model");
    csv->EndRow();
  }

  ForecastRunSummary summary;
  summary.model = canonical;
  summary.series_count = panel.num_series();
  summary.history_start = panel.start();
  summary.history_end = panel.end();
  summary.first_date = panel.end() + 1;
  summary.last_date = panel.end() + options.horizon;

  nlohmann::json params = {
      {"model", canonical},
      {"horizon", options.horizon},
      {"quantiles", options.quantiles},
      {"season_length", options.season_length},
      {"history_start", panel.start().ToString()},
      {"history_end", panel.end().ToString()},
  };
  SC_ASSIGN_OR_RETURN(summary.run_id, store.StartRun("forecast", params.dump()));
  auto fail = [&](const Error& error) -> Error {
    nlohmann::json report = {{"error", error.message}};
    (void)store.FinishRun(summary.run_id, "failed", report.dump());
    return error;
  };

  std::vector<ForecastRow> rows;
  rows.reserve(panel.num_series() * static_cast<size_t>(options.horizon));
  const size_t n_series = panel.num_series();
  // Every series is fitted (in parallel; each writes only its own slot, so the output does not
  // depend on the thread count), then new products borrow from their category, then rows are
  // written in series order.
  std::vector<forecast::RobustForecast> all(n_series);
  std::atomic<size_t> done{0};
  std::mutex progress_mutex;
  std::optional<std::vector<Product>> products;
  if (global) {
    auto listed = store.ListProducts();
    if (!listed.ok()) return fail(listed.error());
    products = std::move(listed).value();
    const Status trained = RunGlobalModel(panel, *products, options, progress, &all, &summary);
    if (!trained.ok()) return fail(trained.error());
  }
  // Drivers are assembled only for a model that reads them.
  const bool drivers = !global && forecast::CreateModel(model).value()->UsesRegressors();
  // Per-series models (a global model filled `all` above).
  ParallelFor(global ? 0 : n_series, options.threads, [&](size_t s) {
    const auto demand = std::as_const(panel).column(PanelColumn::kDemand, s);
    const std::vector<double> y(demand.begin(), demand.end());
    const forecast::Regressors x = drivers ? PanelRegressors(panel, s) : forecast::Regressors{};
    all[s] = forecast::ForecastOrFallback(model, y, panel.flags(s), options.season_length,
                                          x, options.horizon, options.quantiles);
    if (options.calibration_windows > 0 && all[s].forecast.fallback.empty()) {
      forecast::CalibrateQuantiles(model, y, panel.flags(s), options.season_length, x,
                                   {.windows = options.calibration_windows, .min_points = 20},
                                   &all[s].forecast);
    }
    const size_t d = done.fetch_add(1) + 1;
    if (d % 64 == 0) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      ReportProgress(progress, "forecasting", static_cast<double>(d) / n_series);
    }
  });
  std::vector<std::string> labels(n_series);
  for (size_t s = 0; s < n_series; ++s) {
    labels[s] = all[s].forecast.fallback.empty() ? spec.name : all[s].chosen;
  }
  if (options.cold_start_days > 0) {
    if (!products) {
      auto listed = store.ListProducts();
      if (!listed.ok()) return fail(listed.error());
      products = std::move(listed).value();
    }
    summary.cold_starts = ColdStart(panel, *products, options.cold_start_days, &all, &labels);
  }
  for (size_t s = 0; s < n_series; ++s) {
    const forecast::Forecast& f = all[s].forecast;
    const SeriesKey& key = panel.key(s);
    if (!f.fallback.empty()) {
      ++summary.fallback_count;
      if (summary.fallback_examples.size() < kMaxFallbackExamples) {
        summary.fallback_examples.push_back(SeriesId(key.sku, key.location) + ": " + f.fallback);
      }
    }
    const std::string& label = labels[s];
    for (int h = 1; h <= options.horizon; ++h) {
      const size_t i = static_cast<size_t>(h - 1);
      ForecastRow row;
      row.sku = key.sku;
      row.location = key.location;
      row.step = h;
      row.date = panel.end() + h;
      row.mean = f.mean[i];
      row.model = label;
      row.quantiles.reserve(f.levels.size());
      for (size_t l = 0; l < f.levels.size(); ++l) {
        row.quantiles.emplace_back(f.levels[l], f.quantiles[l][i]);
      }
      if (csv) {
        csv->Field(SeriesId(key.sku, key.location)).Field(static_cast<int64_t>(h));
        csv->Field(row.date.ToString()).Field(row.mean, 4);
        for (const auto& [level, value] : row.quantiles) csv->Field(value, 4);
        csv->Field(label);
        csv->EndRow();
      }
      rows.push_back(std::move(row));
    }
  }
  ReportProgress(progress, "saving forecasts", 1.0);
  summary.rows = rows.size();
  if (csv) {
    Status closed = csv->Close();
    if (!closed.ok()) return fail(closed.error());
  }
  Status saved = store.SaveForecasts(summary.run_id, rows);
  if (!saved.ok()) return fail(saved.error());

  nlohmann::json report = {
      {"series", summary.series_count},
      {"rows", summary.rows},
      {"fallbacks", summary.fallback_count},
      {"fallback_examples", summary.fallback_examples},
      {"first_date", summary.first_date.ToString()},
      {"last_date", summary.last_date.ToString()},
  };
  if (global) {
    report["global_model"] = summary.global_model;
    nlohmann::json importance = nlohmann::json::array();
    for (const auto& f : summary.importance) {
      importance.push_back({{"feature", f.feature}, {"gain", f.gain}});
    }
    report["importance"] = importance;
  }
  SC_RETURN_IF_ERROR(store.FinishRun(summary.run_id, "ok", report.dump()));
  if (options.keep_rows != nullptr) *options.keep_rows = std::move(rows);
  return summary;
}

}  // namespace stockcast::pipeline
