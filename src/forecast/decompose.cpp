#include "stockcast/forecast/decompose.h"

namespace stockcast::forecast {

double SeasonalStrength(std::span<const double> y, int m) {
  (void)y;
  (void)m;
  return 0.0;  // placeholder until STL lands
}

Status RegisterDecompositionModels(ModelRegistry& registry) {
  (void)registry;
  return Status::Ok();
}

}  // namespace stockcast::forecast
