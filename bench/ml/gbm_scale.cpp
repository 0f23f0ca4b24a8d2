// Scale benchmark of the global gradient-boosting model (`gbm`, issue 7: "gradient boosting
// trains on 30,000 series x 2 years in under 5 minutes" on 2 cores). Generates a retail panel
// in memory -- deterministic in --seed -- then times Fit and PredictMany (horizon 28, quantiles
// 0.05 / 0.5 / 0.95) and prints training rows, peak RSS and the seconds of each phase (building
// the training matrix, calibration, final training, inference), plus the accuracy on the 28
// generated days after the training window (RMSSE vs the seasonal-naive forecast, 90% interval
// coverage), so that a faster setting can be checked for what it costs.
//
// The panel: N series in 20 categories, each category with its own weekly profile (weekend-
// or weekday-heavy), yearly seasonality and festival sensitivity; series levels log-uniform
// in 0.1..50 units/day, a yearly trend, gamma-Poisson noise, a third of the series
// intermittent (zero-inflated), 10% launched during the first year (kFlagNotLaunched before),
// stock-out runs (kFlagCensored, sales capped), a price with permanent changes and promotion
// discounts (price elasticity), promotions lifting demand, 11.11 / 6.18 / 12.12 / Black Friday
// peaks and the Spring Festival dip. Price and promotion are known 28 days ahead.
//
//   gbm_scale [--series N] [--days D] [--threads T] [--seed S] [--gbm SPEC] [--horizon H]
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "forecast/features.h"
#include "forecast/gbm.h"
#include "stockcast/core/calendar.h"
#include "stockcast/core/demand_panel.h"
#include "stockcast/core/parallel.h"
#include "stockcast/forecast/global_model.h"
#include "stockcast/forecast/metrics.h"

using namespace stockcast;
using namespace stockcast::forecast;

namespace {

constexpr int kCategories = 20;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// User + system CPU seconds of the process so far: with other work on the machine, wall time
// varies with the load while CPU time mostly does not.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double PeakRssGb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / (1024.0 * 1024.0);  // ru_maxrss is in KiB
}

struct Category {
  double weekly[7];
  double year_amplitude, year_phase;
  double festival_lift, promo_lift, elasticity;
};

std::vector<Category> MakeCategories(uint64_t seed) {
  std::mt19937_64 rng(seed * 7919 + 1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<Category> cats(kCategories);
  for (int c = 0; c < kCategories; ++c) {
    Category& k = cats[static_cast<size_t>(c)];
    // A third weekday-heavy (office, B2B), the rest weekend-heavy with different strength.
    const bool weekday_heavy = c % 3 == 0;
    const double strength = 0.2 + 0.6 * u(rng);
    for (int d = 0; d < 7; ++d) {
      const bool weekend = d >= 5;
      k.weekly[d] = (weekend != weekday_heavy ? 1.0 + strength : 1.0) * (0.9 + 0.2 * u(rng));
    }
    k.year_amplitude = 0.4 * u(rng);
    k.year_phase = 365.0 * u(rng);
    k.festival_lift = 0.5 + 2.5 * u(rng);
    k.promo_lift = 1.2 + 1.0 * u(rng);
    k.elasticity = 0.5 + 2.0 * u(rng);
  }
  return cats;
}

// One generated series: `days` training days plus `horizon` future days (y_future), with
// price and promotion known through the horizon.
struct Generated {
  std::vector<double> y;  // days + horizon values; the model sees the first `days`
  std::vector<uint8_t> flags;
  std::vector<double> price, promotion;  // days + horizon
  int category = 0;
};

Generated MakeSeries(size_t s, int days, int horizon, uint64_t seed, int64_t first_day,
                     const std::vector<Category>& cats) {
  std::mt19937_64 rng(seed * 1000003ull + s);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  Generated g;
  g.category = static_cast<int>(s % kCategories);
  const Category& cat = cats[static_cast<size_t>(g.category)];
  const int n = days + horizon;
  const double level = std::exp(std::log(0.1) + (std::log(50.0) - std::log(0.1)) * u(rng));
  const double trend = 0.25 * normal(rng);  // log growth per year
  const bool intermittent = u(rng) < 0.33;
  const double occurrence = intermittent ? 0.15 + 0.45 * u(rng) : 1.0;
  const double shape = 2.0 + 18.0 * u(rng);  // gamma shape: smaller is noisier
  const int launch = u(rng) < 0.1 ? static_cast<int>(u(rng) * days / 2) : 0;
  const double stockout_rate = u(rng) < 0.2 ? 0.01 : 0.0;
  double base_price = std::exp(std::log(3.0) + (std::log(300.0) - std::log(3.0)) * u(rng));
  const double reference_price = base_price;
  g.y.assign(static_cast<size_t>(n), 0.0);
  g.flags.assign(static_cast<size_t>(days), 0);
  g.price.assign(static_cast<size_t>(n), base_price);
  g.promotion.assign(static_cast<size_t>(n), 0.0);
  int promo_left = 0, stockout_left = 0;
  double discount = 0.0;
  for (int t = 0; t < n; ++t) {
    const size_t i = static_cast<size_t>(t);
    if (u(rng) < 1.0 / 365.0) base_price *= 0.85 + 0.3 * u(rng);  // a permanent change
    if (promo_left == 0 && u(rng) < 0.015) {
      promo_left = 3 + static_cast<int>(u(rng) * 5);
      discount = 0.1 + 0.2 * u(rng);
    }
    const bool promo = promo_left > 0;
    if (promo_left > 0) --promo_left;
    g.promotion[i] = promo ? 1.0 : 0.0;
    g.price[i] = base_price * (promo ? 1.0 - discount : 1.0);
    const Date date = Date::FromDays(static_cast<int32_t>(first_day + t));
    const CalendarDay c = ComputeCalendarDay(date);
    double festival = 1.0;
    if (c.to_singles_day == 0)
      festival *= 1.0 + 2.0 * cat.festival_lift;
    else if (c.to_singles_day <= 3)
      festival *= 1.0 + 0.5 * cat.festival_lift;
    if (c.to_618 == 0) festival *= 1.0 + cat.festival_lift;
    if (c.to_double_12 == 0) festival *= 1.0 + 0.5 * cat.festival_lift;
    if ((c.events & kEventBlackFriday) != 0) festival *= 1.0 + 0.5 * cat.festival_lift;
    if (std::isfinite(c.to_spring_festival) && std::abs(c.to_spring_festival) <= 7) festival *= 0.5;
    const double mean =
        level * std::exp(trend * t / 365.0) * cat.weekly[c.weekday] *
        (1.0 + cat.year_amplitude * std::cos(2.0 * M_PI * (t - cat.year_phase) / 365.0)) *
        festival * std::pow(g.price[i] / reference_price, -cat.elasticity) *
        (promo ? cat.promo_lift : 1.0);
    // Gamma-Poisson (negative binomial) with mean `mean / occurrence` on the days demand occurs.
    double demand = 0.0;
    if (u(rng) < occurrence) {
      std::gamma_distribution<double> gamma(shape, mean / occurrence / shape);
      std::poisson_distribution<int> poisson(std::max(gamma(rng), 1e-9));
      demand = poisson(rng);
    }
    g.y[i] = demand;
    if (t >= days) continue;
    if (t < launch) {
      g.y[i] = std::nan("");
      g.flags[i] = kFlagNotLaunched;
      continue;
    }
    if (stockout_left == 0 && u(rng) < stockout_rate)
      stockout_left = 2 + static_cast<int>(u(rng) * 8);
    if (stockout_left > 0) {
      --stockout_left;
      g.y[i] = std::min(g.y[i], std::floor(0.3 * g.y[i]));
      g.flags[i] |= kFlagCensored;
    }
    if (promo) g.flags[i] |= kFlagPromotion;
  }
  return g;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n_series = 500;
  int days = 730, threads = 2, horizon = 28;
  uint64_t seed = 1;
  std::string spec = "gbm";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--series")
      n_series = std::stoul(v);
    else if (k == "--days")
      days = std::stoi(v);
    else if (k == "--threads")
      threads = std::stoi(v);
    else if (k == "--seed")
      seed = std::stoull(v);
    else if (k == "--gbm")
      spec = v;
    else if (k == "--horizon")
      horizon = std::stoi(v);
    else {
      std::fprintf(stderr,
                   "unknown option %s\nusage: gbm_scale [--series N] [--days D] [--threads T] "
                   "[--seed S] [--gbm SPEC] [--horizon H]\n",
                   k.c_str());
      return 2;
    }
  }
  const int64_t first_day = Date::FromYmd(2023, 1, 2)->days();
  auto t0 = std::chrono::steady_clock::now();
  const std::vector<Category> cats = MakeCategories(seed);
  std::vector<Generated> data(n_series);
  ParallelFor(n_series, threads,
              [&](size_t s) { data[s] = MakeSeries(s, days, horizon, seed, first_day, cats); });
  std::vector<GlobalSeries> series(n_series);
  for (size_t s = 0; s < n_series; ++s) {
    GlobalSeries& g = series[s];
    g.y = std::span<const double>(data[s].y).first(static_cast<size_t>(days));
    g.flags = data[s].flags;
    g.x.names = {"price", "promotion"};
    g.x.values = {std::move(data[s].price), std::move(data[s].promotion)};
    g.x.first_day = first_day;
    g.category = "cat" + std::to_string(data[s].category);
  }
  double zero_days = 0, all_days = 0;
  for (const Generated& g : data) {
    for (int t = 0; t < days; ++t) {
      const double v = g.y[static_cast<size_t>(t)];
      if (std::isfinite(v)) zero_days += v == 0.0, ++all_days;
    }
  }
  std::printf(
      "== panel: %zu series x %d days (+%d scored), seed %llu, %.0f%% zero days, "
      "generated in %.1f s, RSS %.2f GB\n",
      n_series, days, horizon, static_cast<unsigned long long>(seed), 100.0 * zero_days / all_days,
      Seconds(t0), PeakRssGb());
  std::printf("== machine: %d cores, load %s", ResolveThreads(0), [] {
    static char buf[64] = "?\n";
    if (FILE* f = std::fopen("/proc/loadavg", "r")) {
      if (std::fgets(buf, sizeof buf, f) == nullptr) buf[0] = 0;
      std::fclose(f);
    }
    return buf;
  }());

  const std::string full_spec = spec + (spec.find(':') == std::string::npos ? ":" : ",") +
                                "threads=" + std::to_string(threads);
  auto model = CreateGlobalModel(full_spec);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", Describe(model.error()).c_str());
    return 1;
  }
  t0 = std::chrono::steady_clock::now();
  const double cpu0 = CpuSeconds();
  const Status fit = (*model)->Fit(series, 7, horizon);
  const double fit_s = Seconds(t0);
  const double fit_cpu = CpuSeconds() - cpu0;
  if (!fit.ok()) {
    std::fprintf(stderr, "%s\n", Describe(fit.error()).c_str());
    return 1;
  }
  const double fit_rss = PeakRssGb();
  const std::vector<double> levels = {0.05, 0.5, 0.95};
  t0 = std::chrono::steady_clock::now();
  auto predicted = (*model)->PredictMany(series, horizon, levels);
  const double predict_s = Seconds(t0);
  if (!predicted.ok()) {
    std::fprintf(stderr, "%s\n", Describe(predicted.error()).c_str());
    return 1;
  }
  // Accuracy on the generated future: RMSSE of gbm and of the seasonal-naive forecast (the
  // last week repeated), and the share of days inside the 90% interval.
  double rmsse = 0, rmsse_snaive = 0, covered = 0, scored = 0;
  int n_rmsse = 0;
  for (size_t s = 0; s < n_series; ++s) {
    const std::span<const double> train = series[s].y;
    const std::span<const double> actual = std::span<const double>(data[s].y).subspan(
        static_cast<size_t>(days), static_cast<size_t>(horizon));
    std::vector<double> snaive(static_cast<size_t>(horizon));
    for (int h = 0; h < horizon; ++h) {
      const double v = train[train.size() - 7 + static_cast<size_t>(h % 7)];
      snaive[static_cast<size_t>(h)] = std::isfinite(v) ? v : 0.0;
    }
    const Forecast& f = (*predicted)[s];
    const PointMetrics m = ComputePointMetrics(actual, f.mean, train, 7);
    const PointMetrics ms = ComputePointMetrics(actual, snaive, train, 7);
    if (std::isfinite(m.rmsse) && std::isfinite(ms.rmsse)) {
      rmsse += m.rmsse;
      rmsse_snaive += ms.rmsse;
      ++n_rmsse;
    }
    for (int h = 0; h < horizon; ++h) {
      const size_t k = static_cast<size_t>(h);
      covered += actual[k] >= f.quantiles[0][k] && actual[k] <= f.quantiles[2][k];
      ++scored;
    }
  }
  const std::optional<GbmFitStats> st = GbmLastFitStats(**model);
  std::printf("%s\n", (*model)->Describe().c_str());
  std::printf(
      "series %zu  days %d  candidate_rows %zu  rows %zu  boosters %d  threads %d\n"
      "fit %.1f s = build %.1f s + calibrate %.1f s + train %.1f s (CPU %.1f s)   "
      "predict %.2f s (%zu series x %d days x 3 quantiles)\n"
      "peak RSS %.2f GB after fit, %.2f GB after predict\n"
      "accuracy on the next %d days: RMSSE gbm %.4f  snaive %.4f  ratio %.3f  "
      "90%% interval coverage %.3f\n",
      n_series, days, st ? st->candidate_rows : 0, st ? st->rows : 0, st ? st->boosters : 0,
      threads, fit_s, st ? st->build_seconds : 0.0, st ? st->calibrate_seconds : 0.0,
      st ? st->train_seconds : 0.0, fit_cpu, predict_s, n_series, horizon, fit_rss, PeakRssGb(),
      horizon, rmsse / n_rmsse, rmsse_snaive / n_rmsse, rmsse / rmsse_snaive, covered / scored);
  return 0;
}
