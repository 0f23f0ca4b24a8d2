#pragma once
// Baseline models: naive, snaive, mean, ma, drift (random walk with drift), wma (weighted moving
// average) and `baseline` (moving level x day-of-week profile).
// They are the yardstick every later model must beat, and the fallback when one fails.
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

// Adds the baseline models to `registry` (called once by ModelRegistry::Global()).
Status RegisterBaselineModels(ModelRegistry& registry);

}  // namespace stockcast::forecast
