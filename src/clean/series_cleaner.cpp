#include "stockcast/clean/series_cleaner.h"

#include <algorithm>
#include <utility>
#include <cmath>

#include <fmt/format.h>

namespace stockcast::clean {
namespace {

// Median of v (reorders v).
double Median(std::vector<double>& v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) {
    m = (m + *std::max_element(v.begin(), v.begin() + mid)) / 2.0;
  }
  return m;
}

// Hampel limit on log(1 + demand): median + k * 1.4826 * MAD, where 1.4826 makes the MAD a
// consistent estimate of the standard deviation under normality (Hampel 1974). Order sizes
// are heavy-tailed (wholesale buyers order 10-50x a typical quantity as a matter of course),
// so the filter works on the log scale: it asks "how many times the typical day is this?",
// not "how many units above it?". The log-scale spread is floored at 0.5 so that a series
// that always sells the same amount (MAD = 0) does not flag every change. `log_values` holds
// log1p(demand) (reordered here); returns the limit in units.
constexpr double kMinLogScale = 0.5;
double HampelLimit(std::vector<double>& log_values, double k, double* median_out) {
  std::vector<double>& values = log_values;
  const double med = Median(values);
  for (double& v : values) v = std::fabs(v - med);
  const double mad = Median(values);
  const double scale = std::max(1.4826 * mad, kMinLogScale);
  *median_out = std::expm1(med);
  return std::expm1(med + k * scale);
}

}  // namespace

SeriesSummary CleanSeries(DemandPanel& panel, const CleanOptions& options) {
  SeriesSummary sum;
  sum.series = static_cast<int64_t>(panel.num_series());
  const int n = panel.num_days();
  const auto& out = options.outliers;
  std::vector<double> window, whole;
  std::vector<float> limits(static_cast<size_t>(n));
  std::vector<double> logs(static_cast<size_t>(n));
  for (size_t i = 0; i < panel.num_series(); ++i) {
    auto demand = panel.column(PanelColumn::kDemand, i);
    auto raw = std::as_const(panel).column(PanelColumn::kRawDemand, i);
    auto on_hand = std::as_const(panel).column(PanelColumn::kOnHand, i);
    auto flags = panel.flags(i);
    const SeriesKey& key = panel.key(i);

    if (out.enabled) {
      whole.clear();
      double whole_min = HUGE_VAL;
      for (int t = 0; t < n; ++t) {
        logs[t] = raw[t] > 0 ? std::log1p(static_cast<double>(raw[t])) : 0.0;
        if (raw[t] > 0) {
          whole.push_back(logs[t]);
          whole_min = std::min(whole_min, logs[t]);
        }
      }
      // Any window's minimum is at least the series' minimum, so this bound (see below) holds
      // for every block and most blocks are settled without looking at their window.
      const double series_bound = std::expm1(whole_min + out.threshold * kMinLogScale);
      double whole_median = 0;
      std::vector<double> tmp = whole;
      const double whole_limit =
          tmp.empty() ? 0.0 : HampelLimit(tmp, out.threshold, &whole_median);
      // One limit per 7-day block, from the positive days within +-window_days of the block's
      // centre: neighbouring days share almost the same window, and the median/MAD are robust
      // to the block's own values (so a spike does not hide itself).
      std::fill(limits.begin(), limits.end(), NAN);
      constexpr int kBlock = 7;
      for (int b = 0; b < n; b += kBlock) {
        const int b_end = std::min(n, b + kBlock);
        float block_max = 0;  // the largest demand that could be flagged
        for (int t = b; t < b_end; ++t) {
          if (raw[t] > block_max &&
              !(out.protect_events && (flags[t] & (kFlagEvent | kFlagPromotion)))) {
            block_max = raw[t];
          }
        }
        if (!(block_max > 0)) continue;
        if (static_cast<int>(whole.size()) > out.min_points && block_max <= series_bound &&
            block_max <= whole_limit) {
          continue;  // below both the whole-series limit and any window's limit
        }
        const int centre = b + kBlock / 2;
        window.clear();
        const int lo = std::max(0, centre - out.window_days);
        const int hi = std::min(n - 1, centre + out.window_days);
        double window_min = HUGE_VAL;
        for (int u = lo; u <= hi; ++u) {
          if (raw[u] > 0) {
            window.push_back(logs[u]);
            window_min = std::min(window_min, logs[u]);
          }
        }
        double median = whole_median;
        double limit = whole_limit;
        if (static_cast<int>(window.size()) >= out.min_points) {
          // The median is at least the window's minimum and the scale at least kMinLogScale,
          // so the limit is at least expm1(min + k * kMinLogScale): when the block's largest
          // value is below that bound, nothing in it can be an outlier and the two medians
          // (most of the cleaning time) are skipped. Exact, not an approximation.
          if (out.threshold >= 0 &&
              block_max <= std::expm1(window_min + out.threshold * kMinLogScale)) {
            continue;
          }
          limit = HampelLimit(window, out.threshold, &median);
        } else if (static_cast<int>(whole.size()) <= out.min_points) {
          continue;  // too little history to call anything an outlier
        }
        for (int t = b; t < b_end; ++t) {
          if (!(raw[t] > limit)) continue;
          if (out.protect_events && (flags[t] & (kFlagEvent | kFlagPromotion))) continue;
          flags[t] |= kFlagOutlier;
          limits[t] = static_cast<float>(limit);
          ++sum.outlier_days;
          sum.capped_units += raw[t] - limit;
          if (sum.outlier_examples.size() < kMaxExamples) {
            sum.outlier_examples.push_back(
                {fmt::format("{}@{} {}", key.sku, key.location, panel.DateAt(t).ToString()),
                 fmt::format("demand {:g} > limit {:.1f} (local median {:g}); capped to {:.1f}",
                             raw[t], limit, median, limit)});
          }
        }
      }
      // Cap after detection so that one capped day does not change its neighbours' limits.
      for (int t = 0; t < n; ++t) {
        if (flags[t] & kFlagOutlier) demand[t] = limits[t];
      }
    }

    for (int t = 0; t < n; ++t) {
      const uint8_t f = flags[t];
      if (f & kFlagNotLaunched) continue;
      ++sum.days;
      if (f & kFlagPromotion) ++sum.promotion_days;
      if (f & kFlagMissing) {
        ++sum.missing_days;
        continue;
      }
      if (raw[t] > 0) {
        ++sum.demand_days;
      } else {
        ++sum.zero_days;
      }
      if (f & kFlagCensored) {
        ++sum.censored_days;
        if (sum.censored_examples.size() < kMaxExamples) {
          sum.censored_examples.push_back(
              {fmt::format("{}@{} {}", key.sku, key.location, panel.DateAt(t).ToString()),
               fmt::format("ended the day with {:g} on hand after selling {:g}: demand may have "
                           "been higher",
                           on_hand[t], raw[t])});
        }
      }
    }
  }
  // Missing days are a property of the location: give examples per location and date.
  for (size_t i = 0; i < panel.num_series() && sum.missing_examples.size() < kMaxExamples; ++i) {
    auto flags = panel.flags(i);
    for (int t = 0; t < n && sum.missing_examples.size() < kMaxExamples; ++t) {
      if (!(flags[t] & kFlagMissing) || (flags[t] & kFlagNotLaunched)) continue;
      const std::string where =
          fmt::format("{} {}", panel.key(i).location, panel.DateAt(t).ToString());
      bool dup = false;
      for (const auto& e : sum.missing_examples) dup = dup || e.where == where;
      if (!dup) {
        sum.missing_examples.push_back(
            {where, "no order lines at this location on this day: missing, not zero demand"});
      }
    }
  }
  return sum;
}

}  // namespace stockcast::clean
