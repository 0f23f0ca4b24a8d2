#include "stockcast/optimize/mip.h"
