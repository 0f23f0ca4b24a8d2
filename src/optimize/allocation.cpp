#include "stockcast/optimize/allocation.h"
