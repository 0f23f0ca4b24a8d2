#pragma once
// Regression on drivers (price, promotion, cart adds, calendar events) with ridge
// regularisation, Bayesian linear regression with posterior predictive intervals, and a
// dynamic linear model.
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

// Adds the models to `registry` (called once by ModelRegistry::Global()).
Status RegisterRegressionModels(ModelRegistry& registry);

}  // namespace stockcast::forecast
