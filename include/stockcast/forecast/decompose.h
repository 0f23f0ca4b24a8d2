#pragma once
// Seasonal decomposition: classical (moving averages), STL (Cleveland et al. 1990), MSTL
// (Bandara, Hyndman & Bergmeir 2021) for several seasonal periods, seasonal strength, and the
// forecasting models built on them (stl, mstl).
//
// Missing values: STL and MSTL need a complete series, so NaN values are filled by linear
// interpolation first (InterpolateMissing, as forecast::mstl's na.interp does for non-seasonal
// data); the remainder of a filled day is NaN, since nothing was observed there (as mstl sets
// it to NA). The classical decomposition follows R's decompose(): a moving-average window that
// contains a NaN has no trend, and the seasonal figure averages the days that have one.
#include <span>
#include <string>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

// Strength of seasonality F_s = max(0, 1 - Var(R) / Var(S + R)) of an STL decomposition
// y = T + S + R with period m (Wang, Smith & Hyndman 2006; Hyndman & Athanasopoulos, FPP3
// sec. 4.3), as forecast::nsdiffs(test = "seas") uses it (D = 1 when F_s > 0.64): the STL is
// forecast::mstl's on a single-period series, i.e. Stl with s_window = 11 and the other
// parameters at their defaults. Variances are over the observed days. NaN values are filled
// by linear interpolation first. Returns 0 when m < 2, the series has n <= 2 m values (STL
// needs more than two full periods) or Var(S + R) = 0.
double SeasonalStrength(std::span<const double> y, int m);

// Fills NaN runs by linear interpolation between the finite neighbours; a leading (trailing)
// run takes the first (last) finite value. Returns how many values were filled; a series with
// no finite value is left unchanged (and the count is 0).
int InterpolateMissing(std::span<double> y);

// --- Classical decomposition ------------------------------------------------------------------

enum class DecompositionType { kAdditive, kMultiplicative };

// R's decompose(): trend T_t = centred moving average of order m (for even m the 2 x m average,
// weights 1/(2m), 1/m, ..., 1/m, 1/(2m) over t - m/2 .. t + m/2), NaN within m/2 days of either
// end. Detrended d_t = y_t - T_t (additive) or y_t / T_t (multiplicative); figure[p] = mean of
// the finite d_t with t mod m = p, centred to sum 0 (additive) or average 1 (multiplicative);
// seasonal S_t = figure[t mod m]; remainder y - S - T or y / (S T). Position p counts from y[0].
struct ClassicalDecomposition {
  std::vector<double> trend;      // NaN at the ends
  std::vector<double> seasonal;
  std::vector<double> remainder;  // NaN where the trend is
  std::vector<double> figure;     // [t mod m]
};
// Errors: m < 2, fewer than 2 m finite values (R's rule), a season position without any
// detrended value.
Result<ClassicalDecomposition> DecomposeClassical(std::span<const double> y, int m,
                                                  DecompositionType type);

// --- STL ------------------------------------------------------------------------------------

// Parameters of STL, with R's stats::stl defaults. A zero (or negative) field means "the
// default"; Resolve() fills them for a series of n values with period m.
struct StlOptions {
  // Seasonal loess span in cycles (odd, >= 7 recommended); 0 = "periodic": every cycle
  // position gets the mean of its subseries (R: s.window = 10 n + 1, s.degree = 0, and the
  // seasonal averaged per position afterwards).
  int s_window = 0;
  int s_degree = 0;  // 0 or 1 (local constant or local linear)
  // Trend span; 0 = nextodd(ceil(1.5 m / (1 - 1.5 / s_window))) (Cleveland et al. 1990, eq. for
  // n_(t)), the smallest odd span whose trend filter does not absorb the seasonal.
  int t_window = 0;
  int t_degree = 1;
  int l_window = 0;   // low-pass span; 0 = nextodd(m)
  int l_degree = -1;  // -1 = t_degree
  // Loess is evaluated every `jump` points and linearly interpolated in between; 0 =
  // ceil(window / 10) for the window as given (R's s.jump, t.jump, l.jump).
  int s_jump = 0, t_jump = 0, l_jump = 0;
  bool robust = false;
  int inner = 0;   // inner loop passes; 0 = 1 if robust else 2
  int outer = -1;  // robustness iterations; -1 = 15 if robust else 0

  // The options with every default filled in for n values of period m (windows as R passes
  // them to the Fortran code; the loop itself still raises windows below 3 and makes them odd).
  StlOptions Resolve(int n, int m) const;
};

struct StlResult {
  std::vector<double> seasonal, trend;
  std::vector<double> remainder;  // y - S - T; NaN on days that were NaN (interpolated)
  std::vector<double> weights;    // robustness weights (all 1 without outer iterations)
  StlOptions options;             // resolved
  int interpolated = 0;           // NaN values filled before decomposing
};

// STL, "a Seasonal-Trend decomposition procedure based on Loess" (Cleveland, Cleveland,
// McRae & Terpenning 1990, J. Official Statistics 6(1)), computing what R's stats::stl
// computes. Inner loop, from T = 0, repeated `inner` times:
//   1. detrend y - T; 2. smooth each cycle-subseries (the values at one position of the
//   cycle) by loess with span s_window, extended one cycle before and after -> C (n + 2m);
//   3. low-pass filter C: moving averages of length m, m, 3, then loess with span l_window
//   -> L; 4. S = C - L (the part of C that repeats); 5. deseasonalise y - S; 6. T = loess of
//   it with span t_window.
// Outer loop: robustness weights rho_t = B(|R_t| / (6 median |R|)), B(u) = (1 - u^2)^2 for
// u < 1 else 0 (bisquare), multiply the loess weights of steps 2 and 6 in the next pass.
// Loess: tricube weights (1 - (d / h)^3)^3 over the span, local constant or linear fit.
// Errors: m < 2, n <= 2 m (fewer than two full periods plus one), degrees not 0 or 1, no
// finite value.
Result<StlResult> Stl(std::span<const double> y, int m, const StlOptions& options = {});

// --- MSTL -----------------------------------------------------------------------------------

struct MstlOptions {
  // Seasonal span for the i-th kept period in ascending order; empty = 7 + 4 i (i = 1, 2, ...),
  // forecast::mstl's default; a single value applies to every period.
  std::vector<int> s_windows;
  int iterate = 2;     // passes over the periods (forecast::mstl's default)
  StlOptions stl;      // the rest of the STL parameters (s_window is ignored)
};

struct MstlResult {
  std::vector<int> periods;                 // kept, ascending
  std::vector<int> dropped;                 // periods with fewer than two full cycles
  std::vector<std::vector<double>> seasonal;  // [period index][t]
  std::vector<double> trend;
  std::vector<double> remainder;            // NaN on interpolated days
  int interpolated = 0;
};

// MSTL (Bandara, Hyndman & Bergmeir 2021, "MSTL: A Seasonal-Trend Decomposition Algorithm for
// Time Series with Multiple Seasonal Patterns"), as forecast::mstl: periods sorted ascending,
// those with p < 2 or p >= n / 2 dropped (fewer than two full cycles); then `iterate` times,
// for each period i: add S_i back to the deseasonalised series, STL it with period p_i and
// span s_windows[i], take its seasonal as the new S_i and subtract it. The trend is that of
// the last STL; remainder = y - T - sum S_i. With one period, one pass (the second pass would
// repeat the first exactly). Errors: no period left, no finite value.
Result<MstlResult> Mstl(std::span<const double> y, std::span<const int> periods,
                        const MstlOptions& options = {});

// Adds `stl` and `mstl` (forecast::stlf-style models) to `registry` (called once by
// ModelRegistry::Global()).
Status RegisterDecompositionModels(ModelRegistry& registry);

}  // namespace stockcast::forecast
