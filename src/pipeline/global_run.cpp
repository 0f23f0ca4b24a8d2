#include "stockcast/pipeline/global_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "stockcast/core/parallel.h"
#include "stockcast/pipeline/forecast_run.h"

namespace stockcast::pipeline {
namespace {

// The same guard as ForecastOrFallback's: no forecast above 20 x the history's largest value.
constexpr double kMaxTimesHistory = 20.0;

// What is wrong with `f` for a series whose largest value is y_max; empty when nothing.
std::string Problem(const forecast::Forecast& f, double y_max, std::string_view name) {
  for (size_t i = 0; i < f.mean.size(); ++i) {
    double top = f.mean[i];
    for (const auto& q : f.quantiles) top = std::max(top, q[i]);
    if (!std::isfinite(top)) return fmt::format("{} produced a non-finite value", name);
    if (y_max > 0.0 && top > kMaxTimesHistory * y_max) {
      return fmt::format("{} forecast {:.4g}, over {:g} x the history's largest value {:g}", name,
                         top, kMaxTimesHistory, y_max);
    }
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<forecast::GlobalModel>> CreateGlobalForRun(
    const GlobalRunOptions& options) {
  SC_ASSIGN_OR_RETURN(forecast::ModelSpec spec, forecast::ParseModelSpec(options.model));
  const forecast::GlobalModelInfo* info = forecast::GlobalModelRegistry::Global().Find(spec.name);
  if (info == nullptr) {
    return Error::InvalidArgument(fmt::format(
        "model \"{}\" is not a global model; global models: {}", spec.name,
        forecast::GlobalModelRegistry::Global().Names()));
  }
  // The run's thread setting applies unless the spec names its own.
  if (options.threads > 0 && spec.params.count("threads") == 0 &&
      info->schema.Find("threads") != nullptr) {
    spec.params["threads"] = std::to_string(options.threads);
  }
  return forecast::CreateGlobalModel(spec.ToString());
}

Result<std::unique_ptr<forecast::GlobalModel>> TrainGlobalModel(
    std::span<const forecast::GlobalSeries> series, const GlobalRunOptions& options,
    const ProgressFn& progress) {
  SC_ASSIGN_OR_RETURN(std::unique_ptr<forecast::GlobalModel> model, CreateGlobalForRun(options));
  ReportProgress(progress, fmt::format("training {}", model->name()), 0.1);
  SC_RETURN_IF_ERROR(model->Fit(series, options.season_length, options.horizon));
  if (!options.save_model.empty()) SC_RETURN_IF_ERROR(model->Save(options.save_model));
  return model;
}

Result<GlobalRunResult> RunGlobalForecast(std::span<const forecast::GlobalSeries> series,
                                          const GlobalRunOptions& options,
                                          const ProgressFn& progress) {
  std::unique_ptr<forecast::GlobalModel> model;
  if (!options.model_file.empty()) {
    if (!options.save_model.empty()) {
      return Error::InvalidArgument(fmt::format(
          "a model file ({}) and a file to save to ({}) were both given; a loaded model is "
          "not retrained, so there is nothing new to save",
          options.model_file, options.save_model));
    }
    ReportProgress(progress, fmt::format("loading {}", options.model_file), 0.1);
    SC_ASSIGN_OR_RETURN(model, forecast::LoadGlobalModel(options.model_file));
  } else {
    SC_ASSIGN_OR_RETURN(model, TrainGlobalModel(series, options, progress));
  }
  ReportProgress(progress, "forecasting", 0.8);
  SC_ASSIGN_OR_RETURN(std::vector<forecast::Forecast> forecasts,
                      model->PredictMany(series, options.horizon, options.levels));
  if (forecasts.size() != series.size()) {
    return Error::Internal(fmt::format("{} returned {} forecasts for {} series", model->name(),
                                       forecasts.size(), series.size()));
  }
  GlobalRunResult out;
  out.name = std::string(model->name());
  out.describe = model->Describe();
  out.importance = model->Importance();
  out.forecasts.resize(series.size());
  std::vector<char> guarded(series.size(), 0);
  ParallelFor(series.size(), options.threads, [&](size_t s) {
    forecast::Forecast& f = forecasts[s];
    double y_max = 0.0;
    for (double v : series[s].y) {
      if (std::isfinite(v)) y_max = std::max(y_max, v);
    }
    const std::string problem = Problem(f, y_max, out.name);
    if (problem.empty()) {
      // A short-history rule names itself first ("short: ...", "zero: ..."), as per series.
      out.forecasts[s].chosen =
          f.fallback.empty() ? out.name
                             : "fallback:" + f.fallback.substr(0, f.fallback.find(':'));
      out.forecasts[s].forecast = std::move(f);
      return;
    }
    out.forecasts[s] =
        forecast::ForecastOrFallback("mean", series[s].y, series[s].flags, options.season_length,
                                     {}, options.horizon, options.levels);
    out.forecasts[s].forecast.fallback = "mean: " + problem;
    out.forecasts[s].chosen = "fallback:mean";
    guarded[s] = 1;
  });
  out.guarded = static_cast<size_t>(std::count(guarded.begin(), guarded.end(), 1));
  return out;
}

GlobalSeriesSet PanelGlobalSeries(const DemandPanel& panel, const std::vector<Product>& products,
                                  int threads) {
  std::map<std::string, std::string> category;
  for (const Product& p : products) {
    if (!p.category.empty()) category[p.sku] = p.category;
  }
  const size_t n_series = panel.num_series();
  GlobalSeriesSet out;
  out.ids.resize(n_series);
  out.ys.resize(n_series);
  out.series.resize(n_series);
  ParallelFor(n_series, threads, [&](size_t s) {
    const SeriesKey& key = panel.key(s);
    out.ids[s] = SeriesId(key.sku, key.location);
    const auto demand = panel.column(PanelColumn::kDemand, s);
    out.ys[s].assign(demand.begin(), demand.end());
    out.series[s].y = out.ys[s];
    out.series[s].flags = panel.flags(s);
    out.series[s].x = PanelRegressors(panel, s);
    auto it = category.find(key.sku);
    if (it != category.end()) out.series[s].category = it->second;
  });
  return out;
}

GlobalSeriesSet CsvGlobalSeries(const forecast::SeriesSet& set) {
  GlobalSeriesSet out;
  const size_t n = set.series.size();
  out.ids.resize(n);
  out.series.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const forecast::InputSeries& s = set.series[i];
    out.ids[i] = s.id;
    out.series[i].y = s.y;
    out.series[i].x.names = set.regressor_names;
    out.series[i].x.values = s.regressors;
    if (set.dated) out.series[i].x.first_day = s.start;
  }
  return out;
}

Status TrainOptions::Validate() const {
  if (series_path.empty() == (store == nullptr)) {
    return Error::InvalidArgument(
        "train needs exactly one of --series FILE (a long CSV) or --db FILE (the store)");
  }
  if (out_path.empty()) {
    return Error::InvalidArgument("--out is required: the model file to write, e.g. gbm.model");
  }
  if (horizon < 1 || horizon > 3650) {
    return Error::InvalidArgument(fmt::format("--horizon = {}; must be in [1, 3650]", horizon));
  }
  if (season_length < 0 || season_length > 1000) {
    return Error::InvalidArgument(fmt::format(
        "--season-length = {}; must be in [1, 1000] (0 = 7 for dated series, 1 for periods)",
        season_length));
  }
  if (!forecast::IsGlobalModelSpec(model)) {
    return Error::InvalidArgument(fmt::format(
        "--model {}: train saves global models ({}); per-series models are fitted at forecast "
        "time and have no model file",
        model, forecast::GlobalModelRegistry::Global().Names()));
  }
  return forecast::CreateGlobalModel(model).status();
}

Result<TrainSummary> RunTrain(const TrainOptions& options, const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  SC_RETURN_IF_ERROR(options.Validate());
  GlobalRunOptions g;
  g.model = options.model;
  g.save_model = options.out_path;
  g.horizon = options.horizon;
  g.threads = options.threads;
  forecast::SeriesSet set;
  DemandPanel panel;
  GlobalSeriesSet series;
  if (options.store != nullptr) {
    ReportProgress(progress, "loading history", 0.0);
    SC_ASSIGN_OR_RETURN(panel, options.store->LoadPanel());
    if (panel.num_series() == 0 || panel.num_days() == 0) {
      return Error::NotFound(fmt::format(
          "no demand history in {} to train on; run `stockcast import --db {}` first",
          options.store->path(), options.store->path()));
    }
    SC_ASSIGN_OR_RETURN(std::vector<Product> products, options.store->ListProducts());
    series = PanelGlobalSeries(panel, products, options.threads);
    g.season_length = options.season_length > 0 ? options.season_length : 7;
  } else {
    ReportProgress(progress, "reading series", 0.0);
    SC_ASSIGN_OR_RETURN(set, forecast::ReadSeriesCsv(options.series_path));
    series = CsvGlobalSeries(set);
    g.season_length = options.season_length > 0 ? options.season_length : (set.dated ? 7 : 1);
  }
  SC_ASSIGN_OR_RETURN(std::unique_ptr<forecast::GlobalModel> model,
                      TrainGlobalModel(series.series, g, progress));
  TrainSummary out;
  out.series = series.series.size();
  out.describe = model->Describe();
  out.importance = model->Importance();
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace stockcast::pipeline
