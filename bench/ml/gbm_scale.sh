#!/usr/bin/env bash
# Scale of the global gradient-boosting model (`gbm`) on generated retail panels (issue 7 goal:
# 30,000 series x 2 years trained in under 5 minutes on 2 cores): for each series count, Fit
# and PredictMany (horizon 28, quantiles 0.05 / 0.5 / 0.95) with rows, peak RSS and seconds per
# phase, and the accuracy on the 28 generated days after training (bench/ml/gbm_scale.cpp).
#   bench/ml/gbm_scale.sh [release-build-dir] [series counts, "500 30000"] [days] [gbm spec]
# The build dir is a configured Release build with xgboost; the bench program is its
# stockcast_gbm_scale target (bench/CMakeLists.txt), built here on one job.
set -euo pipefail
BUILD=${1:-build}
COUNTS=${2:-"500 30000"}
DAYS=${3:-730}
SPEC=${4:-gbm}
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  echo "gbm scale bench: $BUILD is not a configured build directory" >&2
  exit 1
fi
cmake --build "$BUILD" --target stockcast_gbm_scale -j 1 > /dev/null
# Passive OpenMP waiting: spinning threads on a shared machine made training 7x slower
# (bench/ml/gbm.sh). libgomp reads it once at load, so it is set before the process starts.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
for N in $COUNTS; do
  echo "== $N series x $DAYS days, spec $SPEC, OMP_WAIT_POLICY=$OMP_WAIT_POLICY"
  "$BUILD/bench/stockcast_gbm_scale" --series "$N" --days "$DAYS" --threads 2 --gbm "$SPEC"
  echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
