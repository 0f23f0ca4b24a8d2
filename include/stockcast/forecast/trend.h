#pragma once
// Trend regression models: linear trend with seasonal dummies (as R's tslm(y ~ trend +
// season)) and the exponential (log-linear) trend.
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

// Adds the models to `registry` (called once by ModelRegistry::Global()).
Status RegisterTrendModels(ModelRegistry& registry);

}  // namespace stockcast::forecast
