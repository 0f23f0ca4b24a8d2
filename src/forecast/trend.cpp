#include "stockcast/forecast/trend.h"

namespace stockcast::forecast {

Status RegisterTrendModels(ModelRegistry& registry) {
  (void)registry;
  return Status::Ok();
}

}  // namespace stockcast::forecast
