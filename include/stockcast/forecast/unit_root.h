#pragma once
// Unit-root and seasonality tests used to choose the differencing orders d and D: KPSS
// (Kwiatkowski et al. 1992) and OCSB (Osborn, Chui, Smith & Birchenhall 1988).
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {


}  // namespace stockcast::forecast
