#include "stockcast/optimize/metaheuristic.h"
