#pragma once
// Forecast accuracy metrics (Hyndman & Koehler 2006; M4/M5 competition definitions).
//
// All functions skip steps whose actual or forecast is NaN. Scale-free metrics that cannot be
// computed (MAPE with every actual 0, MASE/RMSSE with a constant training series) are NaN,
// never infinite, so that aggregates can skip them and say how many were skipped.
#include <span>
#include <string>
#include <vector>

namespace stockcast::forecast {

struct PointMetrics {
  int n = 0;              // steps scored
  double mae = 0;         // mean |a - f|
  double mse = 0;         // mean (a - f)^2
  double rmse = 0;        // sqrt(mse)
  double mape = 0;        // 100 * mean |a - f| / |a| over a != 0 (NaN when none)
  double smape = 0;       // 200 * mean |a - f| / (|a| + |f|), a term with |a| + |f| = 0 is 0 (M3/M4)
  double mase = 0;        // mae / mean |y_t - y_{t-m}| over the training series (NaN when 0)
  double rmsse = 0;       // sqrt(mse / mean (y_t - y_{t-1})^2 over training) (M5; NaN when 0)
  double bias = 0;        // mean (f - a): positive = over-forecast
  double r2 = 0;          // 1 - SSE / SST over the scored steps (NaN when SST = 0)
};

// `train` is the series the forecast was made from (NaN allowed: pairs with a NaN are skipped
// in the scales); `m` the season length for MASE's seasonal-naive scale (1 = naive; when the
// training series is shorter than m + 1 the naive scale is used; m < 1 is taken as 1).
// `actual` and `forecast` must have the same length. With no scored step (n = 0) every field
// but n is NaN.
PointMetrics ComputePointMetrics(std::span<const double> actual, std::span<const double> forecast,
                                 std::span<const double> train, int m);

// MASE's denominator (Hyndman & Koehler 2006): the in-sample MAE of the seasonal-naive
// forecast, mean |y_t - y_{t-m}| over the pairs of `train` with both values finite; m = 1
// (naive) when train.size() < m + 1 or m < 1. NaN when no pair is finite or the mean is 0.
double MaseScale(std::span<const double> train, int m);
// RMSSE's denominator (M5 guidelines 2020): mean (y_t - y_{t-1})^2 over the pairs of `train`
// with both values finite. NaN when no pair is finite or the mean is 0.
double RmsseScale(std::span<const double> train);

// Pinball (quantile) loss of a quantile path at `level`, averaged over steps:
// mean of (a - q) * level when a >= q, (q - a) * (1 - level) otherwise (Koenker & Bassett
// 1978; M5 uncertainty track). Same lengths; NaN when no step has both values finite or the
// level is outside [0, 1].
double PinballLoss(std::span<const double> actual, std::span<const double> quantile, double level);

// Share of steps with lower <= a <= upper, and the mean width upper - lower, over the steps
// where all three are finite (n of them; coverage and width are NaN when n = 0). Same lengths.
struct IntervalScore {
  double coverage = 0;
  double width = 0;
  int n = 0;
};
IntervalScore ScoreInterval(std::span<const double> actual, std::span<const double> lower,
                            std::span<const double> upper);

// Aggregates per-series metrics: arithmetic mean of each field over the series where it is
// finite (`skipped` counts the series left out of MAPE / MASE / RMSSE / R2 for being NaN).
// Series with no scored step (n = 0, every field NaN) are left out of every mean and counted
// in `empty` only, not in the skipped_* counts. mean.n is the total of the steps scored over
// all series (a count, not a mean); a field with no finite value in any series is NaN.
struct MetricsSummary {
  PointMetrics mean;
  int series = 0;  // per_series.size(), empty ones included
  int empty = 0;   // series with n = 0
  int skipped_mape = 0, skipped_mase = 0, skipped_rmsse = 0, skipped_r2 = 0;
};
MetricsSummary Summarise(std::span<const PointMetrics> per_series);

// WRMSSE (M5): sum over series of weight_i * rmsse_i, weights normalised to sum to 1 over the
// series with a finite RMSSE (M5 weights by each series' revenue over the last 28 days).
// Same lengths. A series whose weight is negative or not finite is left out like a NaN RMSSE
// (returns can make a revenue negative). NaN when no series is left or the weights sum to 0.
double WeightedRmsse(std::span<const PointMetrics> per_series, std::span<const double> weights);

}  // namespace stockcast::forecast
