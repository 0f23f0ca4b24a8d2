#include "stockcast/forecast/unit_root.h"

namespace stockcast::forecast {


}  // namespace stockcast::forecast
