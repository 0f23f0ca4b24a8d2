#include "stockcast/forecast/regression.h"

namespace stockcast::forecast {

Status RegisterRegressionModels(ModelRegistry& registry) {
  (void)registry;
  return Status::Ok();
}

}  // namespace stockcast::forecast
