// Forecast accuracy metrics. Definitions (see metrics.h for each field):
//   MAE, MSE, RMSE, bias                         the usual means over the scored steps
//   MAPE  = 100/n' sum |a - f| / |a|  over the n' steps with a != 0 (Hyndman & Koehler 2006)
//   sMAPE = 200/n  sum |a - f| / (|a| + |f|), a 0/0 term counted as 0 (M3/M4 definition)
//   MASE  = MAE / (1/(T-m) sum_t |y_t - y_{t-m}|)  over the training series (H&K 2006)
//   RMSSE = sqrt(MSE / (1/(T-1) sum_t (y_t - y_{t-1})^2))  (M5 competition guidelines 2020)
//   R2    = 1 - SSE / SST, SST = sum (a - mean(a))^2 over the scored steps
// A step is scored when both its actual and its forecast are finite; a scale pair is used when
// both its values are finite. Undefined scale-free values are NaN, never infinite.
#include "stockcast/forecast/metrics.h"

#include <cmath>
#include <limits>

#include "stockcast/core/error.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Mean of (y_t - y_{t-lag})^power over the finite pairs (power 1 uses |.|); NaN when there is
// no finite pair or the mean is 0 (a scale of 0 would make the scaled error infinite).
double LagScale(std::span<const double> train, size_t lag, int power) {
  double sum = 0.0;
  int count = 0;
  for (size_t t = lag; t < train.size(); ++t) {
    if (!std::isfinite(train[t]) || !std::isfinite(train[t - lag])) continue;
    const double d = train[t] - train[t - lag];
    sum += power == 1 ? std::fabs(d) : d * d;
    ++count;
  }
  if (count == 0) return kNaN;
  const double scale = sum / count;
  return scale > 0.0 ? scale : kNaN;
}

}  // namespace

double MaseScale(std::span<const double> train, int m) {
  size_t lag = m >= 1 ? static_cast<size_t>(m) : 1;
  if (train.size() < lag + 1) lag = 1;  // too short for the seasonal-naive scale
  return LagScale(train, lag, 1);
}

double RmsseScale(std::span<const double> train) { return LagScale(train, 1, 2); }

PointMetrics ComputePointMetrics(std::span<const double> actual, std::span<const double> forecast,
                                 std::span<const double> train, int m) {
  SC_ASSERT_MSG(actual.size() == forecast.size(), "actual and forecast lengths differ");
  PointMetrics out;
  double abs_sum = 0.0, sq_sum = 0.0, bias_sum = 0.0, smape_sum = 0.0;
  double ape_sum = 0.0, actual_sum = 0.0;
  int ape_count = 0;
  for (size_t t = 0; t < actual.size(); ++t) {
    const double a = actual[t];
    const double f = forecast[t];
    if (!std::isfinite(a) || !std::isfinite(f)) continue;
    const double e = a - f;
    abs_sum += std::fabs(e);
    sq_sum += e * e;
    bias_sum += f - a;
    actual_sum += a;
    const double denom = std::fabs(a) + std::fabs(f);
    if (denom > 0.0) smape_sum += std::fabs(e) / denom;  // 0/0 (a = f = 0) counts as 0
    if (a != 0.0) {
      ape_sum += std::fabs(e) / std::fabs(a);
      ++ape_count;
    }
    ++out.n;
  }
  if (out.n == 0) {
    out.mae = out.mse = out.rmse = out.mape = out.smape = out.mase = out.rmsse = out.bias =
        out.r2 = kNaN;
    return out;
  }
  const double n = out.n;
  out.mae = abs_sum / n;
  out.mse = sq_sum / n;
  out.rmse = std::sqrt(out.mse);
  out.bias = bias_sum / n;
  out.smape = 200.0 * smape_sum / n;
  out.mape = ape_count > 0 ? 100.0 * ape_sum / ape_count : kNaN;
  out.mase = out.mae / MaseScale(train, m);     // NaN propagates from an undefined scale
  out.rmsse = std::sqrt(out.mse / RmsseScale(train));
  // SST about the mean of the scored actuals (second pass over the same steps).
  const double mean_a = actual_sum / n;
  double sst = 0.0;
  for (size_t t = 0; t < actual.size(); ++t) {
    if (!std::isfinite(actual[t]) || !std::isfinite(forecast[t])) continue;
    sst += (actual[t] - mean_a) * (actual[t] - mean_a);
  }
  out.r2 = sst > 0.0 ? 1.0 - sq_sum / sst : kNaN;
  return out;
}

double PinballLoss(std::span<const double> actual, std::span<const double> quantile,
                   double level) {
  SC_ASSERT_MSG(actual.size() == quantile.size(), "actual and quantile lengths differ");
  if (!(level >= 0.0 && level <= 1.0)) return kNaN;
  double sum = 0.0;
  int count = 0;
  for (size_t t = 0; t < actual.size(); ++t) {
    const double a = actual[t];
    const double q = quantile[t];
    if (!std::isfinite(a) || !std::isfinite(q)) continue;
    sum += a >= q ? (a - q) * level : (q - a) * (1.0 - level);
    ++count;
  }
  return count > 0 ? sum / count : kNaN;
}

IntervalScore ScoreInterval(std::span<const double> actual, std::span<const double> lower,
                            std::span<const double> upper) {
  SC_ASSERT_MSG(actual.size() == lower.size() && actual.size() == upper.size(),
                "actual, lower and upper lengths differ");
  IntervalScore out;
  int inside = 0;
  double width = 0.0;
  for (size_t t = 0; t < actual.size(); ++t) {
    if (!std::isfinite(actual[t]) || !std::isfinite(lower[t]) || !std::isfinite(upper[t])) {
      continue;
    }
    if (lower[t] <= actual[t] && actual[t] <= upper[t]) ++inside;
    width += upper[t] - lower[t];
    ++out.n;
  }
  if (out.n == 0) {
    out.coverage = out.width = kNaN;
    return out;
  }
  out.coverage = static_cast<double>(inside) / out.n;
  out.width = width / out.n;
  return out;
}

MetricsSummary Summarise(std::span<const PointMetrics> per_series) {
  MetricsSummary out;
  out.series = static_cast<int>(per_series.size());
  // One running mean per field; `skipped` (may be null) counts the non-empty series whose
  // value was not finite.
  struct Acc {
    double sum = 0.0;
    int count = 0;
    void Add(double v, int* skipped) {
      if (std::isfinite(v)) {
        sum += v;
        ++count;
      } else if (skipped != nullptr) {
        ++*skipped;
      }
    }
    double Mean() const { return count > 0 ? sum / count : kNaN; }
  };
  Acc mae, mse, rmse, mape, smape, mase, rmsse, bias, r2;
  for (const PointMetrics& p : per_series) {
    if (p.n == 0) {
      ++out.empty;
      continue;
    }
    out.mean.n += p.n;
    mae.Add(p.mae, nullptr);
    mse.Add(p.mse, nullptr);
    rmse.Add(p.rmse, nullptr);
    smape.Add(p.smape, nullptr);
    bias.Add(p.bias, nullptr);
    mape.Add(p.mape, &out.skipped_mape);
    mase.Add(p.mase, &out.skipped_mase);
    rmsse.Add(p.rmsse, &out.skipped_rmsse);
    r2.Add(p.r2, &out.skipped_r2);
  }
  out.mean.mae = mae.Mean();
  out.mean.mse = mse.Mean();
  out.mean.rmse = rmse.Mean();
  out.mean.mape = mape.Mean();
  out.mean.smape = smape.Mean();
  out.mean.mase = mase.Mean();
  out.mean.rmsse = rmsse.Mean();
  out.mean.bias = bias.Mean();
  out.mean.r2 = r2.Mean();
  return out;
}

double WeightedRmsse(std::span<const PointMetrics> per_series, std::span<const double> weights) {
  SC_ASSERT_MSG(per_series.size() == weights.size(), "per_series and weights lengths differ");
  double weighted = 0.0;
  double total_weight = 0.0;
  for (size_t i = 0; i < per_series.size(); ++i) {
    const double w = weights[i];
    const double r = per_series[i].rmsse;
    if (!std::isfinite(r) || !std::isfinite(w) || w < 0.0) continue;
    weighted += w * r;
    total_weight += w;
  }
  return total_weight > 0.0 ? weighted / total_weight : kNaN;
}

}  // namespace stockcast::forecast
