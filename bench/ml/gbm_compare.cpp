// Rolling-origin comparison of the global gradient-boosting model (`gbm`) with a per-series
// peer (`auto` by default) on a long series CSV (series_id,date,value), as in issue 7: the last
// windows x horizon days are cut into `windows` windows; for each, every series is cut at the
// window's origin, gbm is trained once across all series (retrained per origin) and the peer is
// fitted per series; both forecast `horizon` days and are scored on RMSSE, MASE (weekly
// seasonal-naive scale) and the pinball loss at 0.05 / 0.5 / 0.95, averaged over series x
// windows. Prints one line per model and the ratios gbm / peer, with train and predict times.
//   gbm_compare FILE [--series N] [--gbm SPEC] [--peer SPEC] [--threads T] [--windows W]
//             [--horizon H]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "stockcast/core/parallel.h"
#include "stockcast/forecast/global_model.h"
#include "stockcast/forecast/metrics.h"
#include "stockcast/forecast/model.h"
#include "stockcast/forecast/series_io.h"

using namespace stockcast;
using namespace stockcast::forecast;

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

struct Score {
  double rmsse = 0, mase = 0, pinball[3] = {0, 0, 0};
  int n = 0, n_rmsse = 0, n_mase = 0;
  double fit_s = 0, predict_s = 0;
  void Add(const Forecast& f, std::span<const double> actual, std::span<const double> train) {
    const PointMetrics m = ComputePointMetrics(actual, f.mean, train, 7);
    if (std::isfinite(m.rmsse)) rmsse += m.rmsse, ++n_rmsse;
    if (std::isfinite(m.mase)) mase += m.mase, ++n_mase;
    for (size_t l = 0; l < 3; ++l) pinball[l] += PinballLoss(actual, f.quantiles[l], f.levels[l]);
    ++n;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: gbm_compare FILE [--series N] [--gbm SPEC] [--peer SPEC] "
                 "[--threads T] [--windows W] [--horizon H]\n");
    return 2;
  }
  std::string path = argv[1], gbm_spec = "gbm", peer = "auto";
  size_t max_series = 0;
  int threads = 2, windows = 3, horizon = 28;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--series")
      max_series = std::stoul(v);
    else if (k == "--gbm")
      gbm_spec = v;
    else if (k == "--peer")
      peer = v;
    else if (k == "--threads")
      threads = std::stoi(v);
    else if (k == "--windows")
      windows = std::stoi(v);
    else if (k == "--horizon")
      horizon = std::stoi(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  auto set = ReadSeriesCsv(path);
  if (!set.ok()) {
    std::fprintf(stderr, "%s\n", Describe(set.error()).c_str());
    return 1;
  }
  std::vector<InputSeries>& all = set->series;
  if (max_series > 0 && all.size() > max_series) all.resize(max_series);
  const std::vector<double> levels = {0.05, 0.5, 0.95};
  Score g, p;
  for (int w = 0; w < windows; ++w) {
    std::vector<GlobalSeries> train(all.size());
    std::vector<std::span<const double>> actual(all.size());
    for (size_t s = 0; s < all.size(); ++s) {
      const int n = static_cast<int>(all[s].y.size());
      const int cut = n - (windows - w) * horizon;
      train[s].y = std::span<const double>(all[s].y).first(static_cast<size_t>(cut));
      if (set->dated) train[s].x.first_day = all[s].start;
      actual[s] = std::span<const double>(all[s].y).subspan(static_cast<size_t>(cut),
                                                            static_cast<size_t>(horizon));
    }
    auto model =
        CreateGlobalModel(gbm_spec + (gbm_spec.find(':') == std::string::npos ? ":" : ",") +
                          "threads=" + std::to_string(threads));
    if (!model.ok()) {
      std::fprintf(stderr, "%s\n", Describe(model.error()).c_str());
      return 1;
    }
    auto t0 = std::chrono::steady_clock::now();
    Status fit = (*model)->Fit(train, 7, horizon);
    if (!fit.ok()) {
      std::fprintf(stderr, "%s\n", Describe(fit.error()).c_str());
      return 1;
    }
    g.fit_s += Seconds(t0);
    t0 = std::chrono::steady_clock::now();
    auto predicted = (*model)->PredictMany(train, horizon, levels);
    g.predict_s += Seconds(t0);
    if (!predicted.ok()) {
      std::fprintf(stderr, "%s\n", Describe(predicted.error()).c_str());
      return 1;
    }
    for (size_t s = 0; s < all.size(); ++s) g.Add((*predicted)[s], actual[s], train[s].y);
    if (w == windows - 1) {
      std::printf("gbm importance (last window):");
      const auto imp = (*model)->Importance();
      for (size_t i = 0; i < imp.size() && i < 8; ++i) {
        std::printf(" %s %.3f", imp[i].feature.c_str(), imp[i].gain);
      }
      std::printf("\n");
    }
    std::vector<Forecast> peer_f(all.size());
    t0 = std::chrono::steady_clock::now();
    ParallelFor(all.size(), threads, [&](size_t s) {
      peer_f[s] = ForecastOrFallback(peer, train[s].y, {}, 7, train[s].x, horizon, levels).forecast;
    });
    p.fit_s += Seconds(t0);
    for (size_t s = 0; s < all.size(); ++s) p.Add(peer_f[s], actual[s], train[s].y);
  }
  auto line = [&](const char* name, const std::string& spec, const Score& sc) {
    std::printf(
        "%-6s %-34s RMSSE %.4f  MASE %.4f  pinball %.4f / %.4f / %.4f  fit %.1f s  "
        "predict %.2f s\n",
        name, spec.c_str(), sc.rmsse / sc.n_rmsse, sc.mase / sc.n_mase, sc.pinball[0] / sc.n,
        sc.pinball[1] / sc.n, sc.pinball[2] / sc.n, sc.fit_s, sc.predict_s);
  };
  std::printf("%zu series, %d windows x %d days, %d threads\n", all.size(), windows, horizon,
              threads);
  line("gbm", gbm_spec, g);
  line("peer", peer, p);
  std::printf("ratio gbm/peer: RMSSE %.3f  MASE %.3f  pinball %.3f / %.3f / %.3f\n",
              (g.rmsse / g.n_rmsse) / (p.rmsse / p.n_rmsse),
              (g.mase / g.n_mase) / (p.mase / p.n_mase), g.pinball[0] / p.pinball[0],
              g.pinball[1] / p.pinball[1], g.pinball[2] / p.pinball[2]);
  return 0;
}
