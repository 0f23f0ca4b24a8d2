// New-product forecasts from similar products (forecast/similar.h).
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "stockcast/core/demand_panel.h"
#include "stockcast/forecast/similar.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Forecast Path(std::vector<double> mean, double spread) {
  Forecast f;
  f.mean = mean;
  f.levels = {0.1, 0.9};
  std::vector<double> lo, hi;
  for (double m : mean) {
    lo.push_back(m - spread);
    hi.push_back(m + spread);
  }
  f.quantiles = {lo, hi};
  return f;
}

TEST(SimilarProducts, ScalesTheCategoryProfileByEarlySales) {
  // Ten days; the new product launched on day 6 and sold 2, 4, 6, 4 on days 6..9 (16 units).
  const std::vector<double> y = {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, 2, 4, 6, 4};
  std::vector<uint8_t> flags(10, 0);
  for (int t = 0; t < 6; ++t) flags[static_cast<size_t>(t)] = kFlagNotLaunched;
  // Peers over days 6..9: A sells 10 a day (40), B 30 a day (120), C 20 a day but day 8 is a
  // stockout (censored), so C counts at its own mean over the other three days: 20 x 4 = 80.
  const std::vector<double> a(10, 10.0), b(10, 30.0);
  std::vector<double> c(10, 20.0);
  c[8] = 1;
  std::vector<uint8_t> c_flags(10, 0);
  c_flags[8] = kFlagCensored;
  const Forecast fa = Path({10, 20}, 2), fb = Path({30, 60}, 6), fc = Path({20, 40}, 4);
  const std::vector<PeerSeries> peers = {{a, {}, &fa}, {b, {}, &fb}, {c, c_flags, &fc}};
  auto f = SimilarProductsForecast(y, flags, peers);
  ASSERT_TRUE(f.has_value());
  // Average peer over the same days: (40 + 120 + 80) / 3 = 80; s = 16 / 80 = 0.2. The average
  // peer forecast is (20, 40), so the new product's is (4, 8). Quantiles average the same way:
  // step 1 lower (8 + 24 + 16) / 3 = 16 -> 3.2; step 2 upper (22 + 66 + 44) / 3 = 44 -> 8.8.
  EXPECT_NEAR(f->mean[0], 4.0, 1e-12);
  EXPECT_NEAR(f->mean[1], 8.0, 1e-12);
  EXPECT_NEAR(f->quantiles[0][0], 0.2 * 16, 1e-12);
  EXPECT_NEAR(f->quantiles[1][1], 0.2 * 44, 1e-12);
  // Too few peers, or no usable day of its own: no profile.
  EXPECT_FALSE(SimilarProductsForecast(y, flags, std::span(peers).first(2)).has_value());
  const std::vector<double> unseen(10, kNaN);
  EXPECT_FALSE(SimilarProductsForecast(unseen, {}, peers).has_value());
  // A peer whose forecast has another shape is left out (then only two remain).
  const Forecast odd = Path({1, 2, 3}, 1);
  const std::vector<PeerSeries> mixed = {{a, {}, &fa}, {b, {}, &fb}, {c, c_flags, &odd}};
  EXPECT_FALSE(SimilarProductsForecast(y, flags, mixed).has_value());
}

TEST(SimilarProducts, BlendWeighsOwnAndProfile) {
  const Forecast own = Path({10, 10}, 1), profile = Path({20, 40}, 5);
  const Forecast half = Blend(own, profile, 0.25);
  EXPECT_NEAR(half.mean[0], 0.25 * 10 + 0.75 * 20, 1e-12);
  EXPECT_NEAR(half.mean[1], 0.25 * 10 + 0.75 * 40, 1e-12);
  EXPECT_NEAR(half.quantiles[1][1], 0.25 * 11 + 0.75 * 45, 1e-12);
  EXPECT_EQ(Blend(own, profile, 2.0).mean, own.mean);      // clamped to 1
  EXPECT_EQ(Blend(own, profile, -1.0).mean, profile.mean);  // clamped to 0
}

}  // namespace
}  // namespace stockcast::forecast
