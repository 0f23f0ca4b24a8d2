#pragma once
// Intermittent-demand models: Croston, SBA, TSB, ADIDA and IMAPA, with count-distribution
// (Poisson / negative binomial) quantiles.
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

// Adds the models to `registry` (called once by ModelRegistry::Global()).
Status RegisterIntermittentModels(ModelRegistry& registry);

}  // namespace stockcast::forecast
