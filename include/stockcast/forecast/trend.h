#pragma once
// Trend regression models: linear trend with seasonal dummies (as R's tslm(y ~ trend +
// season)) and the exponential (log-linear) trend.
//
// Registered models:
//   lm_trend   OLS of y_t on 1, t and the m - 1 season dummies of t mod m; prediction
//              intervals from Student's t with n - p degrees of freedom and the standard error
//              of prediction s sqrt(1 + x0' (X'X)^-1 x0) (any regression text, e.g. Hyndman &
//              Athanasopoulos, FPP2 sec. 5.6).
//   exp_trend  the same regression on log y, back-transformed: quantiles exp(q) (exact, since
//              exp is monotone), mean exp(mu + se^2 / 2) (the lognormal mean; the median
//              exp(mu) would under-forecast demand). With a usable value <= 0 (demand often has
//              zero days) the log cannot be taken; then log(1 + y) is modelled and 1 subtracted
//              after back-transforming (Chosen() says "log1p"). This still uses the series, so
//              it is not a Forecast::fallback.
// Season dummies are used when m >= 2, m <= max_season (default 60: beyond it a dummy per day
// of a year is more noise than signal), the series spans two full seasons and leaves at least
// 2 residual degrees of freedom; otherwise the regression is on 1 and t only. A season
// position never observed gets the average of the observed positions' effects.
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

// Student-t quantiles: StudentTQuantile(dof, p) in distribution.h (moved there by the lead to
// remove a duplicate definition; note the argument order dof, p).

// Adds `lm_trend` and `exp_trend` to `registry` (called once by ModelRegistry::Global()).
Status RegisterTrendModels(ModelRegistry& registry);

}  // namespace stockcast::forecast
