#include "stockcast/forecast/arima.h"

namespace stockcast::forecast {

Status RegisterArimaModels(ModelRegistry& registry) {
  (void)registry;
  return Status::Ok();
}

}  // namespace stockcast::forecast
