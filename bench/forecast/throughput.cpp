// End-to-end forecasting throughput on generated daily series, without file I/O: how long
// `auto` (or any model) takes for N series of L days on T threads. The goal: 30,000
// daily series of five years, 28-day horizon, under 60 s on 2 threads.
//
//   stockcast_throughput [--series 30000] [--days 1826] [--horizon 28] [--threads 2]
//                        [--model auto] [--seed 1]
//
// Series mix (fixed by the seed): 60 % smooth (level x weekly x yearly profile, trend, noise,
// promotions), 25 % slow movers (Poisson with a weekly profile), 15 % intermittent (rare
// lumpy demand). Prints one JSON line: series, days, threads, seconds, series_per_second and
// the count of each fitted form's family.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "stockcast/core/parallel.h"
#include "stockcast/forecast/model.h"

namespace {

std::vector<double> MakeSeries(size_t index, int days, uint64_t seed) {
  std::mt19937_64 rng(seed * 1000003 + index);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> y(static_cast<size_t>(days));
  const double kind = u(rng);
  const double level = std::exp(1 + 4 * u(rng));  // 2.7 .. 150 units a day
  const double weekly = 0.1 + 0.4 * u(rng), yearly = 0.5 * u(rng), trend = (u(rng) - 0.4) / 365;
  const double phase = 7 * u(rng), yphase = 365 * u(rng);
  for (int t = 0; t < days; ++t) {
    const double season = (1 + weekly * std::sin(2 * M_PI * (t + phase) / 7)) *
                          (1 + yearly * std::sin(2 * M_PI * (t + yphase) / 365.25));
    double mu = level * season * std::max(0.1, 1 + trend * t);
    if (kind < 0.6) {
      if (u(rng) < 0.02) mu *= 2.5;  // a promotion day
      std::normal_distribution<double> noise(mu, 0.15 * mu + 0.5);
      y[static_cast<size_t>(t)] = std::max(0.0, std::round(noise(rng)));
    } else if (kind < 0.85) {
      std::poisson_distribution<int> pois(std::max(0.05, mu / level * (0.3 + 2 * u(rng))));
      y[static_cast<size_t>(t)] = pois(rng);
    } else {
      y[static_cast<size_t>(t)] = u(rng) < 0.05 ? std::ceil(10 * u(rng)) : 0.0;
    }
  }
  return y;
}

}  // namespace

int main(int argc, char** argv) {
  size_t series = 30000;
  int days = 1826, horizon = 28, threads = 2;
  uint64_t seed = 1;
  std::string model = "auto";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--series") series = std::strtoull(value.c_str(), nullptr, 10);
    else if (key == "--days") days = std::atoi(value.c_str());
    else if (key == "--horizon") horizon = std::atoi(value.c_str());
    else if (key == "--threads") threads = std::atoi(value.c_str());
    else if (key == "--model") model = value;
    else if (key == "--seed") seed = std::strtoull(value.c_str(), nullptr, 10);
    else {
      std::fprintf(stderr, "stockcast_throughput: unknown option %s\n", key.c_str());
      return 2;
    }
  }
  if (auto m = stockcast::forecast::CreateModel(model); !m.ok()) {
    std::fprintf(stderr, "stockcast_throughput: %s\n", m.error().message.c_str());
    return 2;
  }
  const std::vector<double> levels = {0.05, 0.5, 0.95};
  std::vector<std::string> chosen(series);
  const auto t0 = std::chrono::steady_clock::now();
  stockcast::ParallelFor(series, threads, [&](size_t i) {
    const std::vector<double> y = MakeSeries(i, days, seed);
    auto f = stockcast::forecast::ForecastOrFallback(model, y, {}, 7, {}, horizon, levels);
    chosen[i] = f.chosen.substr(0, f.chosen.find('('));
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::map<std::string, size_t> families;
  for (const auto& c : chosen) ++families[c];
  std::printf("{\"model\": \"%s\", \"series\": %zu, \"days\": %d, \"threads\": %d, "
              "\"seconds\": %.3f, \"series_per_second\": %.1f, \"chosen\": {",
              model.c_str(), series, days, stockcast::ResolveThreads(threads), seconds,
              static_cast<double>(series) / seconds);
  bool first = true;
  for (const auto& [name, count] : families) {
    std::printf("%s\"%s\": %zu", first ? "" : ", ", name.c_str(), count);
    first = false;
  }
  std::printf("}}\n");
  return 0;
}
