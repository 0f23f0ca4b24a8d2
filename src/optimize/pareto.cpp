#include "stockcast/optimize/pareto.h"
