#pragma once
// ARIMA/SARIMA by exact Gaussian likelihood (Kalman filter), regression with ARIMA errors, and
// the Hyndman-Khandakar automatic order search (auto.arima).
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

// Adds the models to `registry` (called once by ModelRegistry::Global()).
Status RegisterArimaModels(ModelRegistry& registry);

}  // namespace stockcast::forecast
