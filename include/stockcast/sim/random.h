#pragma once
// A small deterministic random number generator with its own distributions.
//
// std::uniform_real_distribution, std::normal_distribution, ... are implementation-defined:
// the same seed gives different numbers under libstdc++, libc++ and MSVC. Generated datasets
// and simulations must be reproducible from a seed on every platform, so the generator and the
// distributions below are our own. The only library functions used are exp, log, pow, sqrt and
// lgamma.
#include <cstdint>

namespace stockcast::sim {

// SplitMix64 (Steele, Lea & Flood 2014): advances `state` by the golden-ratio increment and
// returns a well-mixed 64-bit value. Used to seed Rng and to derive independent streams.
uint64_t SplitMix64(uint64_t& state);

// Mixes a seed and a stream number into a new seed (distinct streams -> unrelated sequences).
uint64_t DeriveSeed(uint64_t seed, uint64_t stream);

// xoshiro256** (Blackman & Vigna 2018): 256 bits of state, period 2^256 - 1, passes BigCrush.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  // An independent generator for sub-task `stream` of the run seeded with `seed`.
  static Rng ForStream(uint64_t seed, uint64_t stream) { return Rng(DeriveSeed(seed, stream)); }

  uint64_t Next();
  // Uniform in [0, 1) with 53 random bits.
  double Uniform();
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [lo, hi] (inclusive), unbiased (rejection sampling). Requires lo <= hi.
  int64_t UniformInt(int64_t lo, int64_t hi);
  bool Bernoulli(double p) { return Uniform() < p; }
  // Normal(mean, sd) by Marsaglia's polar method; the second value of each pair is cached.
  double Normal(double mean = 0.0, double sd = 1.0);
  // Gamma(shape k > 0, scale theta): mean k * theta, variance k * theta^2.
  double Gamma(double shape, double scale);
  // Poisson(mean >= 0).
  int64_t Poisson(double mean);
  // Negative binomial with the given mean and size (dispersion) r > 0: variance = mean +
  // mean^2 / r. Drawn as a gamma-Poisson mixture.
  int64_t NegativeBinomial(double mean, double size);

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace stockcast::sim
