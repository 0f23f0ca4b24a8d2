#include "stockcast/pipeline/forecast_run.h"

#include <cmath>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "stockcast/forecast/model.h"
#include "stockcast/io/csv_writer.h"

namespace stockcast::pipeline {
namespace {

constexpr size_t kMaxFallbackExamples = 10;

// Zero forecast: the last resort when even the stand-in model fails.
forecast::Forecast ZeroForecast(int horizon, std::span<const double> levels, std::string why) {
  forecast::Forecast f;
  f.mean.assign(static_cast<size_t>(horizon), 0.0);
  f.levels.assign(levels.begin(), levels.end());
  f.quantiles.assign(levels.size(), std::vector<double>(static_cast<size_t>(horizon), 0.0));
  f.fallback = std::move(why);
  return f;
}

// Fits `spec` on one series; falls back to "mean", then zero, so that one bad series never
// fails the run.
forecast::Forecast ForecastSeries(const std::string& spec, std::span<const double> y,
                                  std::span<const uint8_t> flags, int season, int horizon,
                                  std::span<const double> levels) {
  std::string failure;
  for (const std::string& candidate : {spec, std::string("mean")}) {
    auto model = forecast::CreateModel(candidate);
    if (!model.ok()) {
      failure = model.error().message;
      continue;
    }
    Status fit = (*model)->Fit(y, flags, season);
    if (!fit.ok()) {
      failure = fit.error().message;
      continue;
    }
    auto predicted = (*model)->Predict(horizon, levels);
    if (!predicted.ok()) {
      failure = predicted.error().message;
      continue;
    }
    forecast::Forecast f = std::move(predicted).value();
    bool finite = true;
    for (double v : f.mean) finite = finite && std::isfinite(v);
    for (const auto& q : f.quantiles) {
      for (double v : q) finite = finite && std::isfinite(v);
    }
    if (!finite) {
      failure = fmt::format("{} produced a non-finite value", candidate);
      continue;
    }
    if (candidate != spec && f.fallback.empty()) {
      f.fallback = fmt::format("mean: {} failed: {}", spec, failure);
    }
    return f;
  }
  return ZeroForecast(horizon, levels, "zero: " + failure);
}

// The model column: the spec's name, or "fallback:mean" / "fallback:zero" / ...
std::string ModelLabel(const std::string& model_name, const forecast::Forecast& f) {
  if (f.fallback.empty()) return model_name;
  const size_t end = f.fallback.find_first_of(": ");
  return "fallback:" + f.fallback.substr(0, end);
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
  SC_ASSIGN_OR_RETURN(forecast::ModelSpec spec, forecast::ParseModelSpec(options.model));
  {  // Reject an unknown model or parameter before touching the store.
    auto probe = forecast::CreateModel(options.model);
    if (!probe.ok()) return probe.error();
  }
  const std::string canonical = spec.ToString();

  ReportProgress(progress, "loading history", 0.0);
  SC_ASSIGN_OR_RETURN(DemandPanel panel, store.LoadPanel());
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
  std::vector<double> y(static_cast<size_t>(panel.num_days()));
  const size_t n_series = panel.num_series();
  for (size_t s = 0; s < n_series; ++s) {
    if (s % 64 == 0) {
      ReportProgress(progress, "forecasting", static_cast<double>(s) / n_series);
    }
    const auto demand = std::as_const(panel).column(PanelColumn::kDemand, s);
    for (size_t t = 0; t < y.size(); ++t) y[t] = demand[t];
    const forecast::Forecast f = ForecastSeries(options.model, y, panel.flags(s),
                                                options.season_length, options.horizon,
                                                options.quantiles);
    const SeriesKey& key = panel.key(s);
    if (!f.fallback.empty()) {
      ++summary.fallback_count;
      if (summary.fallback_examples.size() < kMaxFallbackExamples) {
        summary.fallback_examples.push_back(SeriesId(key.sku, key.location) + ": " + f.fallback);
      }
    }
    const std::string label = ModelLabel(spec.name, f);
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
  SC_RETURN_IF_ERROR(store.FinishRun(summary.run_id, "ok", report.dump()));
  return summary;
}

}  // namespace stockcast::pipeline
