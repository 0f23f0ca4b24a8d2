#include "stockcast/sim/random.h"

#include <cmath>
#include <limits>

#include "stockcast/core/error.h"

namespace stockcast::sim {
namespace {

constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Below this mean Poisson draws multiply uniforms (expected mean + 1 of them); above it the
// transformed-rejection sampler is both faster and valid (it needs mean >= 10).
constexpr double kPoissonInversionLimit = 12.0;

}  // namespace

uint64_t SplitMix64(uint64_t& state) {
  state += 0x9E3779B97F4A7C15ull;
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t DeriveSeed(uint64_t seed, uint64_t stream) {
  uint64_t state = seed ^ Rotl(stream * 0xD1342543DE82EF95ull + 0x2545F4914F6CDD1Dull, 23);
  SplitMix64(state);
  return SplitMix64(state) ^ stream;
}

Rng::Rng(uint64_t seed) {
  uint64_t state = seed;
  for (uint64_t& s : s_) s = SplitMix64(state);
  // The all-zero state is the one fixed point of xoshiro; SplitMix64 cannot produce four zero
  // outputs in a row, but keep the guarantee explicit.
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
}

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Rng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

int64_t Rng::UniformInt(int64_t lo, int64_t hi) {
  SC_ASSERT(lo <= hi);
  const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  if (range == 0) return static_cast<int64_t>(Next());  // the full 64-bit range
  // Reject the top partial block so every residue is equally likely.
  const uint64_t limit =
      std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % range;
  uint64_t x;
  do {
    x = Next();
  } while (x >= limit);
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + x % range);
}

double Rng::Normal(double mean, double sd) {
  if (has_spare_) {
    has_spare_ = false;
    return mean + sd * spare_;
  }
  // Marsaglia polar method: a uniform point in the unit disc gives two independent normals.
  double u, v, s;
  do {
    u = 2.0 * Uniform() - 1.0;
    v = 2.0 * Uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double f = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * f;
  has_spare_ = true;
  return mean + sd * u * f;
}

double Rng::Gamma(double shape, double scale) {
  SC_ASSERT(shape > 0 && scale >= 0);
  if (shape < 1.0) {
    // Boost: if X ~ Gamma(k + 1) and U ~ U(0,1) then X * U^(1/k) ~ Gamma(k).
    double u;
    do {
      u = Uniform();
    } while (u == 0.0);
    return Gamma(shape + 1.0, scale) * std::pow(u, 1.0 / shape);
  }
  // Marsaglia & Tsang (2000), "A simple method for generating gamma variables": with
  // d = k - 1/3 and c = 1 / sqrt(9d), d * (1 + c Z)^3 for a standard normal Z is accepted by a
  // cheap squeeze almost always, else by the exact log test.
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = Normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = Uniform();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v * scale;
    if (u > 0.0 && std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v * scale;
  }
}

int64_t Rng::Poisson(double mean) {
  SC_ASSERT(mean >= 0 && std::isfinite(mean));
  if (mean == 0.0) return 0;
  if (mean < kPoissonInversionLimit) {
    // Knuth: count uniforms until their product drops below e^-mean.
    const double limit = std::exp(-mean);
    int64_t k = 0;
    double p = Uniform();
    while (p > limit) {
      ++k;
      p *= Uniform();
    }
    return k;
  }
  // PTRS, transformed rejection with squeeze (Hormann 1993, "The transformed rejection method
  // for generating Poisson random variables"), valid for mean >= 10.
  const double slam = std::sqrt(mean);
  const double loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = Uniform() - 0.5;
    const double v = Uniform();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<int64_t>(k);
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (v > 0.0 && std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
                       -mean + k * loglam - std::lgamma(k + 1.0)) {
      return static_cast<int64_t>(k);
    }
  }
}

int64_t Rng::NegativeBinomial(double mean, double size) {
  SC_ASSERT(mean >= 0 && size > 0);
  if (mean == 0.0) return 0;
  // Poisson whose rate is Gamma(r, mean / r): mean m, variance m + m^2 / r.
  return Poisson(Gamma(size, mean / size));
}

}  // namespace stockcast::sim
