#pragma once
// Seasonal decomposition: classical (moving averages), STL (Cleveland et al. 1990), MSTL
// (Bandara, Hyndman & Bergmeir 2021) for several seasonal periods, seasonal strength, and the
// forecasting models built on them (stl, mstl).
#include "stockcast/forecast/model.h"

#include <span>

namespace stockcast::forecast {

// Strength of seasonality F_s = max(0, 1 - Var(R) / Var(S + R)) of an STL decomposition
// y = T + S + R with period m (Wang, Smith & Hyndman 2006; Hyndman & Athanasopoulos, FPP3
// sec. 4.3), as forecast::nsdiffs(test = "seas") uses it (D = 1 when F_s > 0.64). NaN values are
// filled by linear interpolation first. Returns 0 when m < 2 or the series is shorter than
// 2 m.
double SeasonalStrength(std::span<const double> y, int m);

// Adds the models to `registry` (called once by ModelRegistry::Global()).
Status RegisterDecompositionModels(ModelRegistry& registry);

}  // namespace stockcast::forecast
