#include "stockcast/pipeline/series_run.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "stockcast/core/parallel.h"
#include "stockcast/forecast/calibrate.h"
#include "stockcast/forecast/model.h"
#include "stockcast/io/csv_writer.h"
#include "stockcast/pipeline/forecast_run.h"
#include "stockcast/pipeline/report_html.h"

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
  return forecast::CheckModelSpec(model);
}

int SeasonFor(const forecast::SeriesSet& set, int season_length) {
  if (season_length > 0) return season_length;
  return set.dated ? 7 : 1;
}

// The drivers of one input series: its regressor columns (history and known future) and, for
// dated series, its first day for calendar features.
forecast::Regressors SeriesRegressors(const forecast::SeriesSet& set, const forecast::InputSeries& s) {
  forecast::Regressors x;
  x.names = set.regressor_names;
  x.values = s.regressors;
  if (set.dated) x.first_day = s.start;
  return x;
}

Status CheckLearningCurve(const std::vector<int>& curve) {
  for (size_t i = 0; i < curve.size(); ++i) {
    if (curve[i] < 0) {
      return Error::InvalidArgument(fmt::format(
          "--learning-curve item {} = {}; history lengths must be >= 0 (0 = all)", i + 1,
          curve[i]));
    }
  }
  return Status::Ok();
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
  if (calibration_windows < 0) {
    return Error::InvalidArgument(
        fmt::format("--calibrate = {}; must be >= 0 (0 = off)", calibration_windows));
  }
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
  SC_RETURN_IF_ERROR(CheckLearningCurve(learning_curve));
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
  // Fitted in parallel blocks, written in input order: the output does not depend on the
  // thread count.
  constexpr size_t kBlock = 1024;
  const size_t n_series = set.series.size();
  std::vector<forecast::RobustForecast> block;
  // Drivers are copied out of the set only for a model that reads them.
  const bool drivers = forecast::CreateModel(options.model).value()->UsesRegressors();
  std::atomic<size_t> done{0};
  std::mutex progress_mutex;
  for (size_t first = 0; first < n_series; first += kBlock) {
    const size_t count = std::min(kBlock, n_series - first);
    block.assign(count, {});
    ParallelFor(count, options.threads, [&](size_t k) {
      const forecast::InputSeries& s = set.series[first + k];
      const forecast::Regressors x = drivers ? SeriesRegressors(set, s) : forecast::Regressors{};
      block[k] = forecast::ForecastOrFallback(options.model, s.y, {}, m, x, options.horizon,
                                              options.levels);
      if (options.calibration_windows > 0 && block[k].forecast.fallback.empty()) {
        forecast::CalibrateQuantiles(options.model, s.y, {}, m, x,
                                     {.windows = options.calibration_windows, .min_points = 20},
                                     &block[k].forecast);
      }
      const size_t d = done.fetch_add(1) + 1;
      if (d % 64 == 0) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        ReportProgress(progress, "forecasting", static_cast<double>(d) / n_series);
      }
    });
    for (size_t k = 0; k < count; ++k) {
      const forecast::InputSeries& s = set.series[first + k];
      const forecast::Forecast& f = block[k].forecast;
      const std::string& chosen = block[k].chosen;
      ++sum.chosen[chosen];
      if (!f.fallback.empty()) {
        ++sum.fallbacks;
        if (sum.fallback_examples.size() < kMaxExamples) {
          sum.fallback_examples.push_back(s.id + ": " + f.fallback);
        }
      }
      const int64_t n = static_cast<int64_t>(s.y.size());
      for (int h = 1; h <= options.horizon; ++h) {
        const size_t i = static_cast<size_t>(h - 1);
        csv.Field(s.id).Field(static_cast<int64_t>(h)).Field(set.Label(s, n - 1 + h));
        csv.Field(f.mean[i]);
        for (const auto& q : f.quantiles) csv.Field(q[i]);
        csv.Field(chosen);
        csv.EndRow();
        ++sum.rows;
      }
      ++sum.series;
    }
  }
  SC_RETURN_IF_ERROR(csv.Close());
  ReportProgress(progress, "forecasting", 1.0);
  sum.seconds = Seconds(t0);
  return sum;
}

namespace {

// One series to backtest, wherever it came from.
struct BacktestInput {
  std::string id;
  std::vector<double> y;
  std::vector<uint8_t> flags;
  forecast::Regressors x;
  double weight = NAN;  // WRMSSE weight: revenue (or units) over the last 28 training days
  std::optional<Date> start;  // first day (dated series); unset: periods from period0
  int64_t period0 = 1;
};

// M5's weight: sum over the last 28 days before the first backtest origin of price x units
// when a price is known, else of units.
double RevenueWeight(std::span<const double> y, const forecast::Regressors& x, size_t end) {
  size_t price = x.names.size();
  for (size_t j = 0; j < x.names.size(); ++j) {
    if (x.names[j].rfind("price", 0) == 0) {
      price = j;
      break;
    }
  }
  double sum = 0;
  const size_t begin = end > 28 ? end - 28 : 0;
  for (size_t t = begin; t < end && t < y.size(); ++t) {
    if (!std::isfinite(y[t])) continue;
    const double p = price < x.names.size() ? x.At(price, t) : 1.0;
    if (std::isfinite(p)) sum += y[t] * p;
  }
  return sum;
}

// Backtests every input in parallel and aggregates in input order.
Result<SeriesBacktestSummary> BacktestAll(std::vector<BacktestInput>& inputs,
                                          const SeriesBacktestOptions& options,
                                          forecast::BacktestOptions bt,
                                          const ProgressFn& progress,
                                          std::chrono::steady_clock::time_point t0) {
  bt.keep_forecasts = bt.keep_forecasts || !options.html_path.empty();
  SeriesBacktestSummary sum;
  std::vector<forecast::PointMetrics> per_series;
  std::vector<double> weights;
  std::vector<double> pinball_sum(bt.levels.size(), 0.0);
  double coverage_sum = 0, width_sum = 0;
  size_t interval_series = 0;
  const size_t n_series = inputs.size();
  std::vector<Result<forecast::SeriesBacktest>> results(n_series, Error::Internal("not run"));
  std::vector<size_t> input_of;  // sum.series[k] came from inputs[input_of[k]]
  std::atomic<size_t> done{0};
  std::mutex progress_mutex;
  const int64_t step = bt.step > 0 ? bt.step : bt.horizon;
  ParallelFor(n_series, options.threads, [&](size_t i) {
    BacktestInput& in = inputs[i];
    results[i] = forecast::BacktestSeries(in.y, in.flags, options.model, bt, in.x);
    const int64_t first_origin = static_cast<int64_t>(in.y.size()) - bt.horizon -
                                 static_cast<int64_t>(bt.windows - 1) * step;
    in.weight = RevenueWeight(in.y, in.x, static_cast<size_t>(std::max<int64_t>(first_origin, 0)));
    const size_t d = done.fetch_add(1) + 1;
    if (d % 16 == 0) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      ReportProgress(progress, "backtesting", static_cast<double>(d) / n_series);
    }
  });
  for (size_t i = 0; i < n_series; ++i) {
    auto& r = results[i];
    if (!r.ok()) {
      ++sum.failed;
      if (sum.failures.size() < kMaxExamples) {
        sum.failures.push_back(inputs[i].id + ": " + r.error().message);
      }
      continue;
    }
    if (!r->windows.empty()) {
      per_series.push_back(r->metrics);
      weights.push_back(inputs[i].weight);
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
    sum.series.push_back({inputs[i].id, std::move(r).value()});
    input_of.push_back(i);
  }
  ReportProgress(progress, "backtesting", 1.0);
  sum.metrics = forecast::Summarise(per_series);
  sum.wrmsse = forecast::WeightedRmsse(per_series, weights);
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
  if (!options.html_path.empty()) {
    std::vector<size_t> order;
    for (size_t i = 0; i < sum.series.size(); ++i) {
      if (!sum.series[i].result.windows.empty()) order.push_back(i);
    }
    auto weight = [&](size_t i) {
      const double w = inputs[input_of[i]].weight;
      return std::isfinite(w) ? w : -1.0;
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return weight(a) > weight(b); });
    if (order.size() > static_cast<size_t>(std::max(options.html_series, 0))) {
      order.resize(static_cast<size_t>(std::max(options.html_series, 0)));
    }
    std::vector<BacktestChart> charts;
    for (size_t i : order) {
      const BacktestInput& in = inputs[input_of[i]];
      BacktestChart c;
      c.id = in.id;
      c.start = in.start;
      c.period0 = in.period0;
      c.y = in.y;
      for (size_t t = 0; t < c.y.size() && t < in.flags.size(); ++t) {
        if ((in.flags[t] & forecast::kUnusableDayMask) != 0) c.y[t] = NAN;
      }
      c.windows = sum.series[i].result.windows;
      const auto& m = sum.series[i].result.metrics;
      c.note = fmt::format("sMAPE {:.2f}, MASE {:.3f}, RMSSE {:.3f}, coverage {:.0f}%", m.smape,
                           m.mase, m.rmsse, 100 * sum.series[i].result.interval.coverage);
      charts.push_back(std::move(c));
    }
    const auto& m = sum.metrics.mean;
    const std::vector<std::string> lines = {
        fmt::format("Model {}: {} series, {} windows of {} steps (step {}).", options.model,
                    sum.series.size(), bt.windows, bt.horizon, bt.step > 0 ? bt.step : bt.horizon),
        fmt::format("Mean over series: sMAPE {:.2f}, MASE {:.3f}, RMSSE {:.3f}, WRMSSE {:.3f}, "
                    "interval coverage {:.1f}% (nominal {:.0f}%).",
                    m.smape, m.mase, m.rmsse, sum.wrmsse, 100 * sum.coverage, 100 * sum.nominal),
        fmt::format("Charted: the {} series with the most revenue (units without prices).",
                    charts.size())};
    SC_RETURN_IF_ERROR(WriteBacktestHtml(options.html_path, "stockcast backtest", lines, charts));
  }
  for (int history : options.learning_curve) {
    forecast::BacktestOptions limited = bt;
    limited.max_history = history;
    std::vector<Result<forecast::SeriesBacktest>> curve(n_series, Error::Internal("not run"));
    ParallelFor(n_series, options.threads, [&](size_t i) {
      curve[i] = forecast::BacktestSeries(inputs[i].y, inputs[i].flags, options.model, limited,
                                          inputs[i].x);
    });
    LearningPoint point;
    point.history = history;
    std::vector<forecast::PointMetrics> metrics;
    std::vector<double> curve_weights;
    for (size_t i = 0; i < n_series; ++i) {
      if (!curve[i].ok()) {
        ++point.failed;
        continue;
      }
      if (curve[i]->windows.empty()) continue;
      metrics.push_back(curve[i]->metrics);
      curve_weights.push_back(inputs[i].weight);
    }
    point.metrics = forecast::Summarise(metrics);
    point.wrmsse = forecast::WeightedRmsse(metrics, curve_weights);
    sum.learning_curve.push_back(std::move(point));
    ReportProgress(progress, fmt::format("learning curve, history {}", history), 1.0);
  }
  sum.seconds = Seconds(t0);
  return sum;
}

}  // namespace

Result<SeriesBacktestSummary> RunSeriesBacktest(const SeriesBacktestOptions& options,
                                                const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  SC_RETURN_IF_ERROR(options.Validate());
  ReportProgress(progress, "reading series", 0.0);
  SC_ASSIGN_OR_RETURN(forecast::SeriesSet set, forecast::ReadSeriesCsv(options.series_path));
  forecast::BacktestOptions bt = options.backtest;
  bt.season_length = SeasonFor(set, options.season_length);
  std::vector<BacktestInput> inputs;
  inputs.reserve(set.series.size());
  for (forecast::InputSeries& s : set.series) {
    forecast::Regressors x = SeriesRegressors(set, s);
    BacktestInput in;
    in.id = s.id;
    in.y = std::move(s.y);
    in.x = std::move(x);
    if (set.dated) {
      in.start = Date::FromDays(static_cast<int32_t>(s.start));
    } else {
      in.period0 = s.start;
    }
    inputs.push_back(std::move(in));
  }
  return BacktestAll(inputs, options, bt, progress, t0);
}

Result<SeriesBacktestSummary> RunStoreBacktest(Store& store, const SeriesBacktestOptions& options,
                                               const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  SC_RETURN_IF_ERROR(options.backtest.Validate());
  SC_RETURN_IF_ERROR(CheckLearningCurve(options.learning_curve));
  SC_RETURN_IF_ERROR(forecast::CheckModelSpec(options.model));
  ReportProgress(progress, "loading history", 0.0);
  SC_ASSIGN_OR_RETURN(DemandPanel panel, store.LoadPanel());
  if (panel.num_series() == 0 || panel.num_days() == 0) {
    return Error::NotFound(fmt::format(
        "no demand history in {} to backtest; run `stockcast import --db {}` first",
        store.path(), store.path()));
  }
  forecast::BacktestOptions bt = options.backtest;
  bt.season_length = options.season_length > 0 ? options.season_length : 7;
  std::vector<BacktestInput> inputs;
  inputs.reserve(panel.num_series());
  for (size_t s = 0; s < panel.num_series(); ++s) {
    const auto demand = std::as_const(panel).column(PanelColumn::kDemand, s);
    const auto flags = std::as_const(panel).flags(s);
    const SeriesKey& key = panel.key(s);
    BacktestInput in;
    in.id = SeriesId(key.sku, key.location);
    in.y.assign(demand.begin(), demand.end());
    in.flags.assign(flags.begin(), flags.end());
    in.x = PanelRegressors(panel, s);
    in.start = panel.start();
    inputs.push_back(std::move(in));
  }
  return BacktestAll(inputs, options, bt, progress, t0);
}

}  // namespace stockcast::pipeline
