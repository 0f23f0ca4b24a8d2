#include "stockcast/pipeline/series_run.h"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "stockcast/forecast/model.h"
#include "stockcast/io/csv_writer.h"
#include "stockcast/pipeline/forecast_run.h"

namespace stockcast::pipeline {
namespace {

constexpr size_t kMaxExamples = 10;

Status ValidateCommon(const std::string& path, int season_length, std::string_view model) {
  if (path.empty()) return Error::InvalidArgument("--series is required: a long CSV of series");
  if (season_length < 0 || season_length > 1000) {
    return Error::InvalidArgument(fmt::format(
        "--season-length = {}; must be in [1, 1000] (0 = 7 for dated series, 1 for periods)",
        season_length));
  }
  return forecast::CreateModel(model).status();
}

int SeasonFor(const forecast::SeriesSet& set, int season_length) {
  if (season_length > 0) return season_length;
  return set.dated ? 7 : 1;
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Status SeriesForecastOptions::Validate() const {
  if (horizon < 1 || horizon > 100000) {
    return Error::InvalidArgument(fmt::format("--horizon = {}; must be in [1, 100000]", horizon));
  }
  if (out_path.empty()) return Error::InvalidArgument("--out is required with --series");
  for (size_t i = 0; i < levels.size(); ++i) {
    if (!(levels[i] > 0 && levels[i] < 1) || (i > 0 && !(levels[i] > levels[i - 1]))) {
      return Error::InvalidArgument(fmt::format(
          "--quantiles item {} = {}; levels must lie in (0, 1) in ascending order", i + 1,
          levels[i]));
    }
  }
  return ValidateCommon(series_path, season_length, model);
}

Status SeriesBacktestOptions::Validate() const {
  SC_RETURN_IF_ERROR(backtest.Validate());
  return ValidateCommon(series_path, season_length, model);
}

Result<SeriesForecastSummary> RunSeriesForecast(const SeriesForecastOptions& options,
                                                const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  SC_RETURN_IF_ERROR(options.Validate());
  ReportProgress(progress, "reading series", 0.0);
  SC_ASSIGN_OR_RETURN(forecast::SeriesSet set, forecast::ReadSeriesCsv(options.series_path));
  const int m = SeasonFor(set, options.season_length);
  SC_ASSIGN_OR_RETURN(io::CsvWriter csv, io::CsvWriter::Open(options.out_path));
  csv.Field("series_id").Field("step").Field(set.dated ? "date" : "period").Field("mean");
  for (double level : options.levels) csv.Field(QuantileColumn(level));
  csv.Field("model");
  csv.EndRow();

  SeriesForecastSummary sum;
  for (size_t i = 0; i < set.series.size(); ++i) {
    const forecast::InputSeries& s = set.series[i];
    SC_ASSIGN_OR_RETURN(auto model, forecast::CreateModel(options.model));
    SC_RETURN_IF_ERROR(model->Fit(s.y, {}, m));
    auto f = model->Predict(options.horizon, options.levels);
    if (!f.ok()) {
      Error e = f.error();
      e.message = fmt::format("series \"{}\": {}", s.id, e.message);
      return e;
    }
    const std::string chosen = f->fallback.empty() ? model->Chosen() : "fallback";
    ++sum.chosen[chosen];
    if (!f->fallback.empty()) {
      ++sum.fallbacks;
      if (sum.fallback_examples.size() < kMaxExamples) {
        sum.fallback_examples.push_back(s.id + ": " + f->fallback);
      }
    }
    const int64_t n = static_cast<int64_t>(s.y.size());
    for (int h = 1; h <= options.horizon; ++h) {
      const size_t k = static_cast<size_t>(h - 1);
      csv.Field(s.id).Field(static_cast<int64_t>(h)).Field(set.Label(s, n - 1 + h)).Field(f->mean[k]);
      for (const auto& q : f->quantiles) csv.Field(q[k]);
      csv.Field(chosen);
      csv.EndRow();
      ++sum.rows;
    }
    ++sum.series;
    if ((i & 63) == 0) {
      ReportProgress(progress, "forecasting", static_cast<double>(i) / set.series.size());
    }
  }
  SC_RETURN_IF_ERROR(csv.Close());
  ReportProgress(progress, "forecasting", 1.0);
  sum.seconds = Seconds(t0);
  return sum;
}

Result<SeriesBacktestSummary> RunSeriesBacktest(const SeriesBacktestOptions& options,
                                                const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  SC_RETURN_IF_ERROR(options.Validate());
  ReportProgress(progress, "reading series", 0.0);
  SC_ASSIGN_OR_RETURN(forecast::SeriesSet set, forecast::ReadSeriesCsv(options.series_path));
  forecast::BacktestOptions bt = options.backtest;
  bt.season_length = SeasonFor(set, options.season_length);

  SeriesBacktestSummary sum;
  std::vector<forecast::PointMetrics> per_series;
  std::vector<double> pinball_sum(bt.levels.size(), 0.0);
  double coverage_sum = 0, width_sum = 0;
  size_t interval_series = 0;
  for (size_t i = 0; i < set.series.size(); ++i) {
    const forecast::InputSeries& s = set.series[i];
    auto r = forecast::BacktestSeries(s.y, {}, options.model, bt);
    if (!r.ok()) {
      ++sum.failed;
      if (sum.failures.size() < kMaxExamples) sum.failures.push_back(s.id + ": " + r.error().message);
      continue;
    }
    if (!r->windows.empty()) {
      per_series.push_back(r->metrics);
      for (size_t l = 0; l < r->pinball.size() && l < pinball_sum.size(); ++l) {
        pinball_sum[l] += r->pinball[l];
      }
      if (r->interval_nominal > 0 && r->interval.n > 0) {
        coverage_sum += r->interval.coverage;
        width_sum += r->interval.width;
        sum.nominal = r->interval_nominal;
        ++interval_series;
      }
    }
    sum.series.push_back({s.id, std::move(r).value()});
    if ((i & 15) == 0) {
      ReportProgress(progress, "backtesting", static_cast<double>(i) / set.series.size());
    }
  }
  ReportProgress(progress, "backtesting", 1.0);
  sum.metrics = forecast::Summarise(per_series);
  const double scored = static_cast<double>(std::max<size_t>(per_series.size(), 1));
  for (double v : pinball_sum) sum.pinball.push_back(v / scored);
  if (interval_series > 0) {
    sum.coverage = coverage_sum / interval_series;
    sum.width = width_sum / interval_series;
  }
  if (!options.out_path.empty()) {
    SC_ASSIGN_OR_RETURN(io::CsvWriter csv, io::CsvWriter::Open(options.out_path));
    csv.Row({"series_id", "windows", "n", "mae", "rmse", "mape", "smape", "mase", "rmsse", "bias",
             "r2", "coverage", "width"});
    for (const auto& s : sum.series) {
      const auto& m = s.result.metrics;
      csv.Field(s.id).Field(static_cast<int64_t>(s.result.windows.size()))
          .Field(static_cast<int64_t>(m.n)).Field(m.mae).Field(m.rmse).Field(m.mape)
          .Field(m.smape).Field(m.mase).Field(m.rmsse).Field(m.bias).Field(m.r2)
          .Field(s.result.interval.coverage).Field(s.result.interval.width);
      csv.EndRow();
    }
    SC_RETURN_IF_ERROR(csv.Close());
  }
  sum.seconds = Seconds(t0);
  return sum;
}

}  // namespace stockcast::pipeline
