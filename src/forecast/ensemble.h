#pragma once
// The `ensemble` global model: combines per-series models (auto, ets, theta, ...) and global
// ones (gbm, lstm, gru) by their mean, median, or weights from a holdout backtest, or picks
// the member the holdout says is best (docs/design/ml.md).
#include "stockcast/forecast/global_model.h"

namespace stockcast::forecast {

// Adds `ensemble` to `registry`. Its members are checked when a spec is created (each must be a
// registered model, global ones available), so registration never depends on the other
// models being built.
Status RegisterEnsembleModel(GlobalModelRegistry& registry);

}  // namespace stockcast::forecast
