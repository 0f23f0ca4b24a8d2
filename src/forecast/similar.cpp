#include "stockcast/forecast/similar.h"

#include <algorithm>
#include <cmath>

namespace stockcast::forecast {

std::optional<Forecast> SimilarProductsForecast(std::span<const double> y,
                                                std::span<const uint8_t> flags,
                                                std::span<const PeerSeries> peers,
                                                int min_peers) {
  const size_t n = y.size();
  auto usable = [](std::span<const double> v, std::span<const uint8_t> f, size_t t) {
    return std::isfinite(v[t]) && (f.empty() || (f[t] & kUnusableDayMask) == 0);
  };
  std::vector<size_t> days;
  double own = 0;
  for (size_t t = 0; t < n; ++t) {
    if (!usable(y, flags, t)) continue;
    days.push_back(t);
    own += std::max(0.0, y[t]);
  }
  if (days.empty()) return std::nullopt;

  const Forecast* shape = nullptr;
  double peer_total = 0;
  int count = 0;
  std::vector<const PeerSeries*> used;
  for (const PeerSeries& p : peers) {
    if (p.forecast == nullptr || p.y.size() != n || (!p.flags.empty() && p.flags.size() != n)) {
      continue;
    }
    if (shape == nullptr) shape = p.forecast;
    if (p.forecast->mean.size() != shape->mean.size() ||
        p.forecast->levels != shape->levels) {
      continue;
    }
    // The peer's sales over the new product's days; a day the peer cannot show counts at the
    // peer's mean over the days it can.
    double sum = 0;
    int seen = 0;
    for (size_t t : days) {
      if (!usable(p.y, p.flags, t)) continue;
      sum += std::max(0.0, p.y[t]);
      ++seen;
    }
    if (seen == 0) continue;
    peer_total += sum * static_cast<double>(days.size()) / seen;
    ++count;
    used.push_back(&p);
  }
  if (count < min_peers || shape == nullptr) return std::nullopt;
  const double peer_mean = peer_total / count;
  if (!(peer_mean > 0) && own > 0) return std::nullopt;
  const double scale = peer_mean > 0 ? own / peer_mean : 0.0;

  Forecast out;
  const size_t H = shape->mean.size();
  out.levels = shape->levels;
  out.mean.assign(H, 0.0);
  out.quantiles.assign(out.levels.size(), std::vector<double>(H, 0.0));
  for (const PeerSeries* p : used) {
    for (size_t h = 0; h < H; ++h) out.mean[h] += p->forecast->mean[h];
    for (size_t l = 0; l < out.levels.size(); ++l) {
      for (size_t h = 0; h < H; ++h) out.quantiles[l][h] += p->forecast->quantiles[l][h];
    }
  }
  const double w = scale / count;
  for (double& v : out.mean) v *= w;
  for (auto& q : out.quantiles) {
    for (double& v : q) v *= w;
  }
  ClampForecast(&out);
  return out;
}

Forecast Blend(const Forecast& own, const Forecast& profile, double w) {
  w = std::clamp(w, 0.0, 1.0);
  Forecast out = own;
  out.fallback.clear();
  for (size_t h = 0; h < out.mean.size() && h < profile.mean.size(); ++h) {
    out.mean[h] = w * own.mean[h] + (1 - w) * profile.mean[h];
  }
  for (size_t l = 0; l < out.quantiles.size() && l < profile.quantiles.size(); ++l) {
    for (size_t h = 0; h < out.quantiles[l].size() && h < profile.quantiles[l].size(); ++h) {
      out.quantiles[l][h] = w * own.quantiles[l][h] + (1 - w) * profile.quantiles[l][h];
    }
  }
  ClampForecast(&out);
  return out;
}

}  // namespace stockcast::forecast
