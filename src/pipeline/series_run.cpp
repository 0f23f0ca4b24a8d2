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
#include "stockcast/pipeline/global_run.h"
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
  return CheckForecastModelSpec(model);
}

// The refusals shared by forecast and backtest for a global model: options that only mean
// something for a model fitted per series.
Status CheckGlobalOptions(std::string_view model, int calibration_windows,
                          const std::vector<int>& learning_curve) {
  if (calibration_windows > 0) {
    return Error::InvalidArgument(fmt::format(
        "--calibrate {} with the global model {}; calibration refits a model per series, while "
        "a global model calibrates its quantiles on its own holdout; drop --calibrate",
        calibration_windows, model));
  }
  if (!learning_curve.empty()) {
    return Error::InvalidArgument(fmt::format(
        "--learning-curve with the global model {}; the learning curve refits per series and "
        "is available for per-series models only",
        model));
  }
  return Status::Ok();
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
  if (!model_file.empty()) {
    if (!save_model.empty()) {
      return Error::InvalidArgument(
          "--model-file and --save-model together; a loaded model is not retrained, so there is "
          "nothing new to save");
    }
    SC_RETURN_IF_ERROR(ValidateCommon(series_path, season_length, "auto"));
    return CheckGlobalOptions(model_file, calibration_windows, {});
  }
  SC_RETURN_IF_ERROR(ValidateCommon(series_path, season_length, model));
  if (forecast::IsGlobalModelSpec(model)) {
    return CheckGlobalOptions(model, calibration_windows, {});
  }
  if (!save_model.empty()) {
    return Error::InvalidArgument(fmt::format(
        "--save-model with model {}; only global models ({}) are saved as files", model,
        forecast::GlobalModelRegistry::Global().Names()));
  }
  return Status::Ok();
}

Status SeriesBacktestOptions::Validate() const {
  SC_RETURN_IF_ERROR(backtest.Validate());
  SC_RETURN_IF_ERROR(CheckLearningCurve(learning_curve));
  SC_RETURN_IF_ERROR(ValidateCommon(series_path, season_length, model));
  if (forecast::IsGlobalModelSpec(model)) {
    return CheckGlobalOptions(model, backtest.calibration_windows, learning_curve);
  }
  return Status::Ok();
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
  const size_t n_series = set.series.size();
  // Writes one series' rows and counts it.
  const auto write = [&](const forecast::InputSeries& s, const forecast::RobustForecast& r) {
    const forecast::Forecast& f = r.forecast;
    ++sum.chosen[r.chosen];
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
      csv.Field(r.chosen);
      csv.EndRow();
      ++sum.rows;
    }
    ++sum.series;
  };
  if (!options.model_file.empty() || forecast::IsGlobalModelSpec(options.model)) {
    // One model across all series, trained here or loaded from --model-file.
    const GlobalSeriesSet series = CsvGlobalSeries(set);
    GlobalRunOptions g;
    g.model = options.model;
    g.model_file = options.model_file;
    g.save_model = options.save_model;
    g.season_length = m;
    g.horizon = options.horizon;
    g.levels = options.levels;
    g.threads = options.threads;
    SC_ASSIGN_OR_RETURN(GlobalRunResult run, RunGlobalForecast(series.series, g, progress));
    for (size_t i = 0; i < n_series; ++i) write(set.series[i], run.forecasts[i]);
    sum.global_model = run.describe;
    sum.importance = std::move(run.importance);
  } else {
    // Fitted in parallel blocks, written in input order: the output does not depend on the
    // thread count.
    constexpr size_t kBlock = 1024;
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
        const forecast::Regressors x =
            drivers ? SeriesRegressors(set, s) : forecast::Regressors{};
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
      for (size_t k = 0; k < count; ++k) write(set.series[first + k], block[k]);
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
  std::string category;  // products.category (store only); global models group by it
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

// A global model's backtest: for each window, one model trained on every series cut at its
// origin (the series' end - horizon - k x step, as BacktestSeries places them), then the
// forecasts of every series for that window; [window k][input]. Series too short for a window
// get an empty forecast there (BacktestSeriesWith skips that origin before asking for it).
Result<std::vector<std::vector<forecast::Forecast>>> GlobalWindowForecasts(
    const std::vector<BacktestInput>& inputs, const SeriesBacktestOptions& options,
    const forecast::BacktestOptions& bt, const ProgressFn& progress) {
  const int64_t step = bt.step > 0 ? bt.step : bt.horizon;
  std::vector<std::vector<forecast::Forecast>> out(static_cast<size_t>(bt.windows));
  for (int64_t k = bt.windows - 1; k >= 0; --k) {
    std::vector<forecast::GlobalSeries> series;
    std::vector<size_t> index;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const BacktestInput& in = inputs[i];
      const int64_t origin = static_cast<int64_t>(in.y.size()) - bt.horizon - k * step;
      if (origin < 2) continue;
      const size_t o = static_cast<size_t>(origin);
      forecast::GlobalSeries g;
      g.y = std::span<const double>(in.y).first(o);
      if (!in.flags.empty()) g.flags = std::span<const uint8_t>(in.flags).first(o);
      g.x = in.x;  // the realised drivers of the window are its "known future"
      g.category = in.category;
      series.push_back(std::move(g));
      index.push_back(i);
    }
    out[static_cast<size_t>(k)].resize(inputs.size());
    if (series.empty()) continue;
    GlobalRunOptions g;
    g.model = options.model;
    g.season_length = bt.season_length;
    g.horizon = bt.horizon;
    g.levels = bt.levels;
    g.threads = options.threads;
    const int window = bt.windows - static_cast<int>(k);
    ReportProgress(progress,
                   fmt::format("window {}/{}: training {}", window, bt.windows, options.model),
                   static_cast<double>(window - 1) / bt.windows);
    auto run = RunGlobalForecast(series, g);
    if (!run.ok()) {
      Error error = run.error();
      error.message = fmt::format("backtest of model \"{}\", window {} of {}: {}", options.model,
                                  window, bt.windows, error.message);
      return error;
    }
    for (size_t j = 0; j < index.size(); ++j) {
      out[static_cast<size_t>(k)][index[j]] = std::move(run->forecasts[j].forecast);
    }
  }
  return out;
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
  // Per level: sum and count over the series with a pinball loss (a series whose windows held
  // no scorable day has NaN and is left out, as Summarise leaves out its NaN metrics).
  std::vector<double> pinball_sum(bt.levels.size(), 0.0);
  std::vector<size_t> pinball_n(bt.levels.size(), 0);
  double coverage_sum = 0, width_sum = 0;
  size_t interval_series = 0;
  const size_t n_series = inputs.size();
  std::vector<Result<forecast::SeriesBacktest>> results(n_series, Error::Internal("not run"));
  std::vector<size_t> input_of;  // sum.series[k] came from inputs[input_of[k]]
  std::atomic<size_t> done{0};
  std::mutex progress_mutex;
  const int64_t step = bt.step > 0 ? bt.step : bt.horizon;
  const bool global = forecast::IsGlobalModelSpec(options.model);
  std::vector<std::vector<forecast::Forecast>> by_window;  // global: [window][input]
  if (global) {
    SC_ASSIGN_OR_RETURN(by_window, GlobalWindowForecasts(inputs, options, bt, progress));
  }
  ParallelFor(n_series, options.threads, [&](size_t i) {
    BacktestInput& in = inputs[i];
    if (global) {
      const int64_t last_origin = static_cast<int64_t>(in.y.size()) - bt.horizon;
      results[i] = forecast::BacktestSeriesWith(
          in.y, in.flags, options.model, bt, [&](size_t o) -> Result<forecast::Forecast> {
            const int64_t k = (last_origin - static_cast<int64_t>(o)) / step;
            if (k < 0 || k >= bt.windows || by_window[static_cast<size_t>(k)][i].mean.empty()) {
              return Error::Internal(fmt::format("no global forecast for origin {}", o));
            }
            return by_window[static_cast<size_t>(k)][i];
          });
    } else {
      results[i] = forecast::BacktestSeries(in.y, in.flags, options.model, bt, in.x);
    }
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
        if (!std::isfinite(r->pinball[l])) continue;
        pinball_sum[l] += r->pinball[l];
        ++pinball_n[l];
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
  for (size_t l = 0; l < pinball_sum.size(); ++l) {
    sum.pinball.push_back(pinball_n[l] > 0 ? pinball_sum[l] / static_cast<double>(pinball_n[l])
                                           : NAN);
  }
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
  SC_RETURN_IF_ERROR(CheckForecastModelSpec(options.model));
  if (forecast::IsGlobalModelSpec(options.model)) {
    SC_RETURN_IF_ERROR(CheckGlobalOptions(options.model, options.backtest.calibration_windows,
                                          options.learning_curve));
  }
  ReportProgress(progress, "loading history", 0.0);
  SC_ASSIGN_OR_RETURN(DemandPanel panel, store.LoadPanel());
  if (panel.num_series() == 0 || panel.num_days() == 0) {
    return Error::NotFound(fmt::format(
        "no demand history in {} to backtest; run `stockcast import --db {}` first",
        store.path(), store.path()));
  }
  forecast::BacktestOptions bt = options.backtest;
  bt.season_length = options.season_length > 0 ? options.season_length : 7;
  std::map<std::string, std::string> category;
  if (forecast::IsGlobalModelSpec(options.model)) {
    SC_ASSIGN_OR_RETURN(std::vector<Product> products, store.ListProducts());
    for (const Product& p : products) {
      if (!p.category.empty()) category[p.sku] = p.category;
    }
  }
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
    if (auto it = category.find(key.sku); it != category.end()) in.category = it->second;
    inputs.push_back(std::move(in));
  }
  return BacktestAll(inputs, options, bt, progress, t0);
}

}  // namespace stockcast::pipeline
