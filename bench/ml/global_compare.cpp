// Rolling-origin comparison of global models (`gbm`, `lstm`, `gru`, `ensemble`) with a
// per-series peer (`auto` by default) on a long series CSV (series_id,date,value), as in issue 7: the last
// windows x horizon days are cut into `windows` windows; for each, every series is cut at the
// window's origin, each global model is trained once across all series (retrained per origin)
// and the peer is fitted per series; all forecast `horizon` days and are scored on RMSSE, MASE
// (weekly seasonal-naive scale) and the pinball loss at 0.05 / 0.5 / 0.95, averaged over
// series x windows. Prints one line per model, its ratios to the peer, and train/predict times.
// (Not named *_bench.cpp: bench/CMakeLists.txt globs those into the Google Benchmark binary.)
//   global_compare FILE [--series N] [--model SPEC]... [--peer SPEC] [--threads T]
//                  [--windows W] [--horizon H]
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
  std::string spec;
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
  double Rmsse() const { return rmsse / n_rmsse; }
  double Mase() const { return mase / n_mase; }
  double Pinball(int l) const { return pinball[l] / n; }
};

std::string WithThreads(const std::string& spec, int threads) {
  if (spec.find("threads=") != std::string::npos) return spec;
  return spec + (spec.find(':') == std::string::npos ? ":" : ",") +
         "threads=" + std::to_string(threads);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: global_compare FILE [--series N] [--model SPEC]... [--peer SPEC] "
                 "[--threads T] [--windows W] [--horizon H]\n");
    return 2;
  }
  std::string path = argv[1], peer = "auto";
  std::vector<Score> models;
  size_t max_series = 0;
  int threads = 2, windows = 3, horizon = 28;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--series")
      max_series = std::stoul(v);
    else if (k == "--model")
      models.push_back(Score{v});
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
  if (models.empty()) models = {Score{"lstm"}, Score{"gru"}};
  auto set = ReadSeriesCsv(path);
  if (!set.ok()) {
    std::fprintf(stderr, "%s\n", Describe(set.error()).c_str());
    return 1;
  }
  std::vector<InputSeries>& all = set->series;
  if (max_series > 0 && all.size() > max_series) all.resize(max_series);
  const std::vector<double> levels = {0.05, 0.5, 0.95};
  Score p{peer};
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
    for (Score& g : models) {
      auto model = CreateGlobalModel(WithThreads(g.spec, threads));
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
      const double fit_s = Seconds(t0);
      g.fit_s += fit_s;
      t0 = std::chrono::steady_clock::now();
      auto predicted = (*model)->PredictMany(train, horizon, levels);
      g.predict_s += Seconds(t0);
      if (!predicted.ok()) {
        std::fprintf(stderr, "%s\n", Describe(predicted.error()).c_str());
        return 1;
      }
      Score one{g.spec};
      for (size_t s = 0; s < all.size(); ++s) {
        g.Add((*predicted)[s], actual[s], train[s].y);
        one.Add((*predicted)[s], actual[s], train[s].y);
      }
      std::printf("window %d  %-40s RMSSE %.4f  fit %.1f s  %s\n", w + 1, g.spec.c_str(),
                  one.Rmsse(), fit_s, (*model)->Describe().c_str());
      if (w == windows - 1) {
        const auto imp = (*model)->Importance();
        if (!imp.empty()) {
          std::printf("  importance (last window):");
          for (size_t i = 0; i < imp.size() && i < 8; ++i) {
            std::printf(" %s %.3f", imp[i].feature.c_str(), imp[i].gain);
          }
          std::printf("\n");
        }
      }
      std::fflush(stdout);
    }
    std::vector<Forecast> peer_f(all.size());
    auto t0 = std::chrono::steady_clock::now();
    ParallelFor(all.size(), threads, [&](size_t s) {
      peer_f[s] = ForecastOrFallback(peer, train[s].y, {}, 7, train[s].x, horizon, levels).forecast;
    });
    p.fit_s += Seconds(t0);
    for (size_t s = 0; s < all.size(); ++s) p.Add(peer_f[s], actual[s], train[s].y);
  }
  std::printf("\n%zu series, %d windows x %d days, %d threads\n", all.size(), windows, horizon,
              threads);
  auto line = [&](const Score& sc) {
    std::printf(
        "%-40s RMSSE %.4f  MASE %.4f  pinball %.4f / %.4f / %.4f  fit %.1f s  predict %.2f s\n",
        sc.spec.c_str(), sc.Rmsse(), sc.Mase(), sc.Pinball(0), sc.Pinball(1), sc.Pinball(2),
        sc.fit_s, sc.predict_s);
  };
  for (const Score& g : models) line(g);
  line(p);
  for (const Score& g : models) {
    std::printf("ratio %s / %s: RMSSE %.3f  MASE %.3f  pinball %.3f / %.3f / %.3f\n",
                g.spec.c_str(), peer.c_str(), g.Rmsse() / p.Rmsse(), g.Mase() / p.Mase(),
                g.Pinball(0) / p.Pinball(0), g.Pinball(1) / p.Pinball(1),
                g.Pinball(2) / p.Pinball(2));
  }
  return 0;
}
