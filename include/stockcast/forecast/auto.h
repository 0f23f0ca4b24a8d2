#pragma once
// `auto`: classifies each series and forecasts it with the models suited to its class.
//
// Demand classes (Syntetos, Boylan & Croston 2005): ADI = mean interval between non-zero
// values, CV2 = squared coefficient of variation of the non-zero sizes. ADI > 1.32 is
// intermittent (CV2 <= 0.49) or lumpy (CV2 > 0.49): forecast by `intermittent_model` (SBA by
// default, which is unbiased where Croston is not). Otherwise (smooth or erratic) the series
// is forecast by the equal-weight combination of `ensemble` models (default ets and theta):
// the mean of their point forecasts and, per level, the mean of their quantiles (quantile
// averaging, "Vincentization"; Lichtendahl, Grushka-Cockayne & Winkler 2013). Combinations
// of ETS/ARIMA/Theta won M3/M4-type comparisons against every single model; a member that
// is not available or falls back is left out of the combination.
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

Status RegisterAutoModel(ModelRegistry& registry);

}  // namespace stockcast::forecast
