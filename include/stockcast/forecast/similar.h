#pragma once
// Forecasts for new products and very short histories from similar products.
//
// A product with only a few days of sales has too little history for any model of its own,
// but its category does: the established products of the same category show the demand
// profile ahead (weekday pattern, trend, a festival inside the horizon). The new product's
// forecast is that profile scaled by how the new product sold compared with the category's
// average product over the same days:
//
//   s = sum_{t in U} y_t / ((1/P) sum_p sum_{t in U} y_{p,t}),
//   forecast(h) = s x (1/P) sum_p forecast_p(h)      (and likewise each quantile),
//
// with U the new product's usable days (not missing, not censored, launched) and p over the P
// peers with a value on those days (a peer's missing day counts as its own mean over U). As
// the product's own history grows the two are blended: weight w = usable / full_days on the
// product's own model, 1 - w on the scaled profile (Blend).
#include <optional>
#include <span>

#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

struct PeerSeries {
  std::span<const double> y;        // same days as the new product's series
  std::span<const uint8_t> flags;   // empty or as long as y
  const Forecast* forecast = nullptr;  // the peer's own forecast over the same horizon
};

// The scaled category profile, or nothing when it is undefined: fewer than `min_peers` peers
// with a forecast of the right shape, no usable day of the new product, or peers that sold
// nothing on those days while the new product did. Quantile levels must match the peers'.
std::optional<Forecast> SimilarProductsForecast(std::span<const double> y,
                                                std::span<const uint8_t> flags,
                                                std::span<const PeerSeries> peers,
                                                int min_peers = 3);

// w x own + (1 - w) x profile, step by step for the mean and each quantile (shapes must
// match; then ClampForecast). w is clamped to [0, 1].
Forecast Blend(const Forecast& own, const Forecast& profile, double w);

}  // namespace stockcast::forecast
