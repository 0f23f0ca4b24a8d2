#include "stockcast/optimize/purchase_plan.h"
