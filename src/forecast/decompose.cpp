// Seasonal decomposition (classical, STL, MSTL) and the stl / mstl forecasting models.
//
// STL follows the published algorithm (Cleveland, Cleveland, McRae & Terpenning 1990) in the
// form R's stats::stl runs it, so that the same parameters give the same numbers (checked
// against R to 1e-6 in tests/forecast/decompose_test.cpp):
//  - loess positions are 1-based x = 1..n; the span h of a fit at x over the points
//    nleft..nright is max(x - nleft, nright - x), widened by (len - n) / 2 (integer division)
//    when the requested span exceeds the series; tricube weights (1 - (d/h)^3)^3 with d <= h/1000
//    taken as weight 1 and d > 0.999 h as 0; a local linear fit is used only when the weighted
//    spread of x exceeds 1/1000 of the series range;
//  - with a jump j > 1 the fit is made at x = 1, 1 + j, ... and at n, and linearly
//    interpolated in between;
//  - each cycle-subseries is extended by one fitted value before its first and after its last
//    point (loess evaluated at x = 0 and k + 1), giving n + 2m values that the low-pass filter
//    (moving averages m, m, 3) brings back to n;
//  - windows below 3 are raised to 3 and even windows made odd; the period is at least 2.
//
// The models: y = T + S + R is split by STL (or MSTL), the seasonally adjusted series
// A = y - S is forecast by a non-seasonal method and the last cycle of each seasonal component
// is added back: yhat(n + h) = Ahat(n + h) + sum_i S_i(n - p_i + 1 + (h - 1) mod p_i), the
// forecast of forecast::stlf. The quantiles are the adjusted model's, shifted by the same
// seasonal term (the seasonal is treated as known, as stlf does).
#include "stockcast/forecast/decompose.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include <fmt/format.h>

#include "stockcast/forecast/distribution.h"
#include "stockcast/forecast/ets.h"
#include "stockcast/forecast/theta.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int NextOdd(double x) {
  int v = static_cast<int>(std::lround(x));
  if (v % 2 == 0) ++v;
  return v;
}

int CeilDiv10(int w) { return (w + 9) / 10; }

// --- Loess pieces of STL (the names say what each does; see the file comment) --------------

// Loess estimate at position xs (1-based) from y[nleft - 1 .. nright - 1]; weights go to w.
// Returns false when every weight is zero (then the caller keeps the data value).
// Without robustness weights, the loess weights depend only on the window's offsets around
// xs, h, the degree and n, so the interior points of a smooth (same offsets, same h) share
// them: the last set is kept per thread and reused, leaving one dot product per point. The
// result is bit-for-bit the same.
struct LoessWeightCache {
  double lo = -1, hi = -1, h = -1;
  int degree = -1, n = -1;
  bool ok = false;
  std::vector<double> w;
};

bool LoessAt(const double* y, int n, int len, int degree, double xs, int nleft, int nright,
             double* w, bool use_rw, const double* rw, double* ys) {
  const double range = static_cast<double>(n) - 1.0;
  double h = std::max(xs - nleft, nright - xs);
  if (len > n) h += static_cast<double>((len - n) / 2);
  thread_local LoessWeightCache cache;
  const double lo = xs - nleft, hi = nright - xs;
  if (!use_rw) {
    if (cache.lo == lo && cache.hi == hi && cache.h == h && cache.degree == degree &&
        cache.n == n) {
      if (!cache.ok) return false;
      double s = 0.0;
      const double* cw = cache.w.data();
      for (int j = nleft; j <= nright; ++j) s += cw[j - nleft] * y[j - 1];
      *ys = s;
      return true;
    }
  }
  const double h9 = 0.999 * h;
  const double h1 = 0.001 * h;
  double a = 0.0;
  for (int j = nleft; j <= nright; ++j) {
    double wj = 0.0;
    const double r = std::fabs(j - xs);
    if (r <= h9) {
      if (r <= h1) {
        wj = 1.0;
      } else {
        const double q = r / h;
        const double c = 1.0 - q * q * q;
        wj = c * c * c;
      }
      if (use_rw) wj *= rw[j - 1];
      a += wj;
    }
    w[j - 1] = wj;
  }
  if (a <= 0.0) {
    if (!use_rw) {
      cache.lo = lo;
      cache.hi = hi;
      cache.h = h;
      cache.degree = degree;
      cache.n = n;
      cache.ok = false;
    }
    return false;
  }
  for (int j = nleft; j <= nright; ++j) w[j - 1] /= a;
  if (h > 0.0 && degree > 0) {
    double mean_x = 0.0;
    for (int j = nleft; j <= nright; ++j) mean_x += w[j - 1] * j;
    double b = xs - mean_x;
    double c = 0.0;
    for (int j = nleft; j <= nright; ++j) c += w[j - 1] * (j - mean_x) * (j - mean_x);
    if (std::sqrt(c) > 0.001 * range) {
      b /= c;
      for (int j = nleft; j <= nright; ++j) w[j - 1] *= b * (j - mean_x) + 1.0;
    }
  }
  double s = 0.0;
  for (int j = nleft; j <= nright; ++j) s += w[j - 1] * y[j - 1];
  *ys = s;
  if (!use_rw) {
    cache.lo = lo;
    cache.hi = hi;
    cache.h = h;
    cache.degree = degree;
    cache.n = n;
    cache.ok = true;
    cache.w.assign(w + nleft - 1, w + nright);
  }
  return true;
}

// Loess smooth of y[0..n) with span len, evaluated every `jump` points and interpolated.
void LoessSmooth(const double* y, int n, int len, int degree, int jump, bool use_rw,
                 const double* rw, double* ys, double* w) {
  if (n < 2) {
    ys[0] = y[0];
    return;
  }
  const int step = std::min(jump, n - 1);
  int nleft = 1, nright = n;
  auto fit = [&](int i) {
    if (!LoessAt(y, n, len, degree, i, nleft, nright, w, use_rw, rw, &ys[i - 1])) {
      ys[i - 1] = y[i - 1];
    }
  };
  const int half = (len + 1) / 2;
  if (len >= n) {
    for (int i = 1; i <= n; i += step) fit(i);
  } else if (step == 1) {
    nleft = 1;
    nright = len;
    for (int i = 1; i <= n; ++i) {
      if (i > half && nright != n) {
        ++nleft;
        ++nright;
      }
      fit(i);
    }
  } else {
    for (int i = 1; i <= n; i += step) {
      if (i < half) {
        nleft = 1;
        nright = len;
      } else if (i >= n - half + 1) {
        nleft = n - len + 1;
        nright = n;
      } else {
        nleft = i - half + 1;
        nright = len + i - half;
      }
      fit(i);
    }
  }
  if (step == 1) return;
  for (int i = 1; i <= n - step; i += step) {
    const double delta = (ys[i + step - 1] - ys[i - 1]) / step;
    for (int j = i + 1; j <= i + step - 1; ++j) ys[j - 1] = ys[i - 1] + delta * (j - i);
  }
  const int k = ((n - 1) / step) * step + 1;
  if (k != n) {
    fit(n);  // with the last window used
    if (k != n - 1) {
      const double delta = (ys[n - 1] - ys[k - 1]) / (n - k);
      for (int j = k + 1; j <= n - 1; ++j) ys[j - 1] = ys[k - 1] + delta * (j - k);
    }
  }
}

// y[i..i+len) running means: out has n - len + 1 values.
void MovingAverage(const double* x, int n, int len, double* out) {
  const int count = n - len + 1;
  double v = 0.0;
  for (int i = 0; i < len; ++i) v += x[i];
  out[0] = v / len;
  for (int j = 1; j < count; ++j) {
    v += x[j + len - 1] - x[j - 1];
    out[j] = v / len;
  }
}

// Working storage of one STL run, sized once (no allocation inside the loops).
struct StlWork {
  std::vector<double> cycle;     // C, n + 2m
  std::vector<double> buf1, buf2, buf3;  // n + 2m each
  std::vector<double> sub, sub_rw, sub_fit;  // one cycle-subseries (+2)
  std::vector<double> w;         // loess weights, n + 2m
  std::vector<double> rw;        // robustness weights
  std::vector<double> sorted;

  void Size(int n, int m) {
    const size_t len = static_cast<size_t>(n + 2 * m);
    for (auto* v : {&cycle, &buf1, &buf2, &buf3, &w}) v->assign(len, 0.0);
    // A cycle-subseries of the smallest period can hold up to n / 2 + 1 values (MSTL sizes
    // by its largest period), so size the subseries buffers for the whole series.
    const size_t k = static_cast<size_t>(n + 3);
    sub.assign(k, 0.0);
    sub_rw.assign(k, 0.0);
    sub_fit.assign(k, 0.0);
    rw.assign(static_cast<size_t>(n), 1.0);
    sorted.assign(static_cast<size_t>(n), 0.0);
  }
};

struct StlLoop {
  int np, ns, nt, nl, isdeg, itdeg, ildeg, nsjump, ntjump, nljump, ni, no;
};

// Step 2: smooth each cycle-subseries of x (n values) into C (n + 2 np values).
void SmoothCycleSubseries(const double* x, int n, const StlLoop& p, bool use_rw, StlWork& wk) {
  for (int j = 1; j <= p.np; ++j) {
    const int k = (n - j) / p.np + 1;
    for (int i = 1; i <= k; ++i) {
      wk.sub[i - 1] = x[(i - 1) * p.np + j - 1];
      if (use_rw) wk.sub_rw[i - 1] = wk.rw[(i - 1) * p.np + j - 1];
    }
    double* fit = wk.sub_fit.data();
    LoessSmooth(wk.sub.data(), k, p.ns, p.isdeg, p.nsjump, use_rw, wk.sub_rw.data(), fit + 1,
                wk.w.data());
    const int nright = std::min(p.ns, k);
    if (!LoessAt(wk.sub.data(), k, p.ns, p.isdeg, 0.0, 1, nright, wk.w.data(), use_rw,
                 wk.sub_rw.data(), &fit[0])) {
      fit[0] = fit[1];
    }
    const int nleft = std::max(1, k - p.ns + 1);
    if (!LoessAt(wk.sub.data(), k, p.ns, p.isdeg, k + 1.0, nleft, k, wk.w.data(), use_rw,
                 wk.sub_rw.data(), &fit[k + 1])) {
      fit[k + 1] = fit[k];
    }
    for (int m = 1; m <= k + 2; ++m) wk.cycle[static_cast<size_t>((m - 1) * p.np + j - 1)] = fit[m - 1];
  }
}

// One pass of the inner loop (steps 1-6), `p.ni` times.
void StlInner(const double* y, int n, const StlLoop& p, bool use_rw, double* season,
              double* trend, StlWork& wk) {
  double* detrended = wk.buf1.data();
  for (int pass = 0; pass < p.ni; ++pass) {
    for (int i = 0; i < n; ++i) detrended[i] = y[i] - trend[i];
    SmoothCycleSubseries(detrended, n, p, use_rw, wk);
    // Low-pass filter of C: moving averages np, np, 3 -> n values, then loess.
    const int len = n + 2 * p.np;
    MovingAverage(wk.cycle.data(), len, p.np, wk.buf3.data());
    MovingAverage(wk.buf3.data(), len - p.np + 1, p.np, wk.buf1.data());
    MovingAverage(wk.buf1.data(), len - 2 * p.np + 2, 3, wk.buf3.data());
    LoessSmooth(wk.buf3.data(), n, p.nl, p.ildeg, p.nljump, false, nullptr, wk.buf1.data(),
                wk.w.data());
    for (int i = 0; i < n; ++i) season[i] = wk.cycle[static_cast<size_t>(p.np + i)] - wk.buf1[i];
    for (int i = 0; i < n; ++i) wk.buf2[i] = y[i] - season[i];
    LoessSmooth(wk.buf2.data(), n, p.nt, p.itdeg, p.ntjump, use_rw, wk.rw.data(), trend,
                wk.w.data());
  }
}

// Bisquare robustness weights of the residuals y - (S + T), with h = 6 median |residual|.
void RobustnessWeights(const double* y, const double* season, const double* trend, int n,
                       StlWork& wk) {
  for (int i = 0; i < n; ++i) wk.sorted[i] = std::fabs(y[i] - season[i] - trend[i]);
  const int mid1 = n / 2;          // 1-based n/2 + 1
  const int mid2 = n - mid1 - 1;   // 1-based n - mid1 + 1
  std::nth_element(wk.sorted.begin(), wk.sorted.begin() + mid1, wk.sorted.end());
  const double a = wk.sorted[mid1];
  std::nth_element(wk.sorted.begin(), wk.sorted.begin() + mid2, wk.sorted.end());
  const double b = wk.sorted[mid2];
  const double cmad = 3.0 * (a + b);
  const double c9 = 0.999 * cmad, c1 = 0.001 * cmad;
  for (int i = 0; i < n; ++i) {
    const double r = std::fabs(y[i] - season[i] - trend[i]);
    if (r <= c1) {
      wk.rw[i] = 1.0;
    } else if (r <= c9) {
      const double u = r / cmad;
      wk.rw[i] = (1.0 - u * u) * (1.0 - u * u);
    } else {
      wk.rw[i] = 0.0;
    }
  }
}

int OddAtLeast3(int w) {
  w = std::max(3, w);
  return w % 2 == 0 ? w + 1 : w;
}

// STL on a complete series (no NaN) into seasonal/trend; wk sized by the caller.
void StlComplete(const double* y, int n, int m, const StlOptions& o, double* season,
                 double* trend, StlWork& wk) {
  StlLoop p{};
  p.np = std::max(2, m);
  p.ns = OddAtLeast3(o.s_window);
  p.nt = OddAtLeast3(o.t_window);
  p.nl = OddAtLeast3(o.l_window);
  p.isdeg = o.s_degree;
  p.itdeg = o.t_degree;
  p.ildeg = o.l_degree;
  p.nsjump = o.s_jump;
  p.ntjump = o.t_jump;
  p.nljump = o.l_jump;
  p.ni = o.inner;
  p.no = o.outer;
  std::fill(trend, trend + n, 0.0);
  std::fill(wk.rw.begin(), wk.rw.end(), 1.0);
  bool use_rw = false;
  for (int k = 0;; ++k) {
    StlInner(y, n, p, use_rw, season, trend, wk);
    if (k + 1 > p.no) break;
    RobustnessWeights(y, season, trend, n, wk);
    use_rw = true;
  }
  if (p.no <= 0) std::fill(wk.rw.begin(), wk.rw.end(), 1.0);
}

Status CheckStlArgs(int n, int m, const StlOptions& o) {
  if (m < 2) {
    return Error::InvalidArgument(fmt::format("stl: period m = {}; must be >= 2", m));
  }
  if (n <= 2 * m) {
    return Error::InvalidArgument(fmt::format(
        "stl: {} values for period {}; STL needs more than two full periods (n > 2 m = {})", n,
        m, 2 * m));
  }
  const char* names[3] = {"s_degree", "t_degree", "l_degree"};
  const int degrees[3] = {o.s_degree, o.t_degree, o.l_degree};
  for (int i = 0; i < 3; ++i) {
    if (degrees[i] != 0 && degrees[i] != 1) {
      return Error::InvalidArgument(fmt::format(
          "stl: {} = {}; must be 0 or 1 (local constant or linear)", names[i], degrees[i]));
    }
  }
  return Status::Ok();
}

}  // namespace

int InterpolateMissing(std::span<double> y) {
  const size_t n = y.size();
  size_t first = 0;
  while (first < n && !std::isfinite(y[first])) ++first;
  if (first == n) return 0;
  int filled = 0;
  for (size_t t = 0; t < first; ++t, ++filled) y[t] = y[first];
  size_t last = first;  // last finite index seen
  for (size_t t = first + 1; t < n; ++t) {
    if (!std::isfinite(y[t])) continue;
    if (t > last + 1) {
      const double slope = (y[t] - y[last]) / static_cast<double>(t - last);
      for (size_t u = last + 1; u < t; ++u, ++filled) {
        y[u] = y[last] + slope * static_cast<double>(u - last);
      }
    }
    last = t;
  }
  for (size_t t = last + 1; t < n; ++t, ++filled) y[t] = y[last];
  return filled;
}

Result<ClassicalDecomposition> DecomposeClassical(std::span<const double> y, int m,
                                                  DecompositionType type) {
  const int n = static_cast<int>(y.size());
  if (m < 2) {
    return Error::InvalidArgument(fmt::format("decompose: period m = {}; must be >= 2", m));
  }
  const int finite = static_cast<int>(
      std::count_if(y.begin(), y.end(), [](double v) { return std::isfinite(v); }));
  if (finite < 2 * m) {
    return Error::InvalidArgument(fmt::format(
        "decompose: {} finite values for period {}; needs at least two periods ({})", finite, m,
        2 * m));
  }
  const bool additive = type == DecompositionType::kAdditive;
  ClassicalDecomposition out;
  out.trend.assign(static_cast<size_t>(n), kNaN);
  // Filter weights: m ones / m (odd m); 1/2, 1, ..., 1, 1/2 over m + 1 points / m (even m).
  const int half = m / 2;
  for (int t = half; t + half < n; ++t) {
    double s = 0.0;
    if (m % 2 == 1) {
      for (int k = -half; k <= half; ++k) s += y[static_cast<size_t>(t + k)];
    } else {
      s = 0.5 * (y[static_cast<size_t>(t - half)] + y[static_cast<size_t>(t + half)]);
      for (int k = -half + 1; k <= half - 1; ++k) s += y[static_cast<size_t>(t + k)];
    }
    out.trend[static_cast<size_t>(t)] = s / m;  // NaN when the window has a NaN
  }
  std::vector<double> sum(static_cast<size_t>(m), 0.0);
  std::vector<int> count(static_cast<size_t>(m), 0);
  for (int t = 0; t < n; ++t) {
    const double tr = out.trend[static_cast<size_t>(t)];
    const double d = additive ? y[static_cast<size_t>(t)] - tr : y[static_cast<size_t>(t)] / tr;
    if (!std::isfinite(d)) continue;
    sum[static_cast<size_t>(t % m)] += d;
    ++count[static_cast<size_t>(t % m)];
  }
  out.figure.assign(static_cast<size_t>(m), 0.0);
  double mean = 0.0;
  for (int p = 0; p < m; ++p) {
    if (count[static_cast<size_t>(p)] == 0) {
      return Error::InvalidArgument(fmt::format(
          "decompose: season position {} has no detrended value; each position needs one", p));
    }
    out.figure[static_cast<size_t>(p)] = sum[static_cast<size_t>(p)] / count[static_cast<size_t>(p)];
    mean += out.figure[static_cast<size_t>(p)] / m;
  }
  for (double& f : out.figure) f = additive ? f - mean : f / mean;
  out.seasonal.resize(static_cast<size_t>(n));
  out.remainder.resize(static_cast<size_t>(n));
  for (int t = 0; t < n; ++t) {
    const size_t i = static_cast<size_t>(t);
    out.seasonal[i] = out.figure[static_cast<size_t>(t % m)];
    out.remainder[i] = additive ? y[i] - out.seasonal[i] - out.trend[i]
                                : y[i] / out.seasonal[i] / out.trend[i];
  }
  return out;
}

StlOptions StlOptions::Resolve(int n, int m) const {
  StlOptions r = *this;
  const bool periodic = s_window <= 0;
  if (periodic) {
    r.s_window = 10 * n + 1;
    r.s_degree = 0;
  }
  if (r.t_window <= 0) {
    r.t_window = NextOdd(std::ceil(1.5 * m / (1.0 - 1.5 / r.s_window)));
  }
  if (r.l_window <= 0) r.l_window = NextOdd(m);
  if (r.l_degree < 0) r.l_degree = r.t_degree;
  if (r.s_jump <= 0) r.s_jump = CeilDiv10(r.s_window);
  if (r.t_jump <= 0) r.t_jump = CeilDiv10(r.t_window);
  if (r.l_jump <= 0) r.l_jump = CeilDiv10(r.l_window);
  if (r.inner <= 0) r.inner = robust ? 1 : 2;
  if (r.outer < 0) r.outer = robust ? 15 : 0;
  if (periodic) r.s_window = 0;  // keep the "periodic" marker; the span is 10 n + 1
  return r;
}

Result<StlResult> Stl(std::span<const double> y, int m, const StlOptions& options) {
  const int n = static_cast<int>(y.size());
  SC_RETURN_IF_ERROR(CheckStlArgs(n, m, options.Resolve(std::max(n, 1), std::max(m, 1))));
  StlResult out;
  out.options = options.Resolve(n, m);
  std::vector<double> x(y.begin(), y.end());
  out.interpolated = InterpolateMissing(x);
  if (!std::isfinite(x[0])) {
    return Error::InvalidArgument("stl: the series has no finite value; nothing to decompose");
  }
  StlOptions run = out.options;
  const bool periodic = run.s_window == 0;
  if (periodic) run.s_window = 10 * n + 1;
  out.seasonal.assign(static_cast<size_t>(n), 0.0);
  out.trend.assign(static_cast<size_t>(n), 0.0);
  StlWork wk;
  wk.Size(n, std::max(2, m));
  StlComplete(x.data(), n, m, run, out.seasonal.data(), out.trend.data(), wk);
  if (periodic) {
    // Make the seasonal exactly periodic: the mean of each cycle position (as R's stl).
    std::vector<double> sum(static_cast<size_t>(m), 0.0);
    std::vector<int> count(static_cast<size_t>(m), 0);
    for (int t = 0; t < n; ++t) {
      sum[static_cast<size_t>(t % m)] += out.seasonal[static_cast<size_t>(t)];
      ++count[static_cast<size_t>(t % m)];
    }
    for (int t = 0; t < n; ++t) {
      out.seasonal[static_cast<size_t>(t)] =
          sum[static_cast<size_t>(t % m)] / count[static_cast<size_t>(t % m)];
    }
  }
  out.weights.assign(wk.rw.begin(), wk.rw.begin() + n);
  out.remainder.resize(static_cast<size_t>(n));
  for (size_t t = 0; t < static_cast<size_t>(n); ++t) {
    out.remainder[t] = std::isfinite(y[t]) ? y[t] - out.seasonal[t] - out.trend[t] : kNaN;
  }
  return out;
}

Result<MstlResult> Mstl(std::span<const double> y, std::span<const int> periods,
                        const MstlOptions& options) {
  const int n = static_cast<int>(y.size());
  MstlResult out;
  std::vector<int> sorted(periods.begin(), periods.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (int p : sorted) {
    // forecast::mstl keeps p < n / 2 (two full cycles); a period of 1 is no season.
    if (p >= 2 && 2 * p < n) {
      out.periods.push_back(p);
    } else {
      out.dropped.push_back(p);
    }
  }
  if (out.periods.empty()) {
    return Error::InvalidArgument(fmt::format(
        "mstl: no seasonal period with two full cycles in {} values (periods {}); each period "
        "p must satisfy 2 <= p < n / 2",
        n, fmt::join(sorted, ",")));
  }
  std::vector<double> x(y.begin(), y.end());
  out.interpolated = InterpolateMissing(x);
  if (n == 0 || !std::isfinite(x[0])) {
    return Error::InvalidArgument("mstl: the series has no finite value; nothing to decompose");
  }
  const size_t k = out.periods.size();
  out.seasonal.assign(k, std::vector<double>(static_cast<size_t>(n), 0.0));
  out.trend.assign(static_cast<size_t>(n), 0.0);
  std::vector<double> deseas = x;
  StlWork wk;
  wk.Size(n, out.periods.back());  // the largest period needs the most room
  const int iterate = k == 1 ? 1 : std::max(1, options.iterate);
  for (int pass = 0; pass < iterate; ++pass) {
    for (size_t i = 0; i < k; ++i) {
      std::vector<double>& s = out.seasonal[i];
      for (int t = 0; t < n; ++t) deseas[static_cast<size_t>(t)] += s[static_cast<size_t>(t)];
      StlOptions o = options.stl;
      o.s_window = options.s_windows.empty()       ? 7 + 4 * static_cast<int>(i + 1)
                   : options.s_windows.size() == 1 ? options.s_windows[0]
                   : options.s_windows[std::min(i, options.s_windows.size() - 1)];
      const int m = out.periods[i];
      SC_RETURN_IF_ERROR(CheckStlArgs(n, m, o.Resolve(n, m)));
      StlOptions run = o.Resolve(n, m);
      const bool periodic = run.s_window == 0;
      if (periodic) run.s_window = 10 * n + 1;
      StlComplete(deseas.data(), n, m, run, s.data(), out.trend.data(), wk);
      if (periodic) {
        std::vector<double> sum(static_cast<size_t>(m), 0.0);
        std::vector<int> count(static_cast<size_t>(m), 0);
        for (int t = 0; t < n; ++t) {
          sum[static_cast<size_t>(t % m)] += s[static_cast<size_t>(t)];
          ++count[static_cast<size_t>(t % m)];
        }
        for (int t = 0; t < n; ++t) {
          s[static_cast<size_t>(t)] = sum[static_cast<size_t>(t % m)] / count[static_cast<size_t>(t % m)];
        }
      }
      for (int t = 0; t < n; ++t) deseas[static_cast<size_t>(t)] -= s[static_cast<size_t>(t)];
    }
  }
  out.remainder.resize(static_cast<size_t>(n));
  for (size_t t = 0; t < static_cast<size_t>(n); ++t) {
    out.remainder[t] = std::isfinite(y[t]) ? deseas[t] - out.trend[t] : kNaN;
  }
  return out;
}

double SeasonalStrength(std::span<const double> y, int m) {
  const int n = static_cast<int>(y.size());
  if (m < 2 || n <= 2 * m) return 0.0;
  StlOptions o;
  o.s_window = 11;  // forecast::mstl's s.window for a single period (7 + 4 x 1)
  Result<StlResult> fit = Stl(y, m, o);
  if (!fit.ok()) return 0.0;
  // Sample variances over the observed days (R's var(..., na.rm = TRUE)).
  auto variance = [&](bool with_seasonal) {
    double sum = 0.0, sum2 = 0.0;
    int count = 0;
    for (size_t t = 0; t < static_cast<size_t>(n); ++t) {
      const double r = fit->remainder[t];
      if (!std::isfinite(r)) continue;
      const double v = with_seasonal ? r + fit->seasonal[t] : r;
      sum += v;
      ++count;
      (void)sum2;
    }
    if (count < 2) return 0.0;
    const double mean = sum / count;
    double ss = 0.0;
    for (size_t t = 0; t < static_cast<size_t>(n); ++t) {
      const double r = fit->remainder[t];
      if (!std::isfinite(r)) continue;
      const double v = with_seasonal ? r + fit->seasonal[t] : r;
      ss += (v - mean) * (v - mean);
    }
    return ss / (count - 1);
  };
  const double var_sr = variance(true);
  if (!(var_sr > 0.0)) return 0.0;
  return std::clamp(1.0 - variance(false) / var_sr, 0.0, 1.0);
}

// --- Models ---------------------------------------------------------------------------------

namespace {

enum class AdjustedMethod { kEts, kTheta, kNaive };

std::optional<AdjustedMethod> ParseAdjustedMethod(std::string_view s) {
  if (s == "ets") return AdjustedMethod::kEts;
  if (s == "theta") return AdjustedMethod::kTheta;
  if (s == "naive") return AdjustedMethod::kNaive;
  return std::nullopt;
}

struct DecompSettings {
  std::string name;
  bool multiple = false;      // mstl
  std::vector<int> periods;   // mstl; empty = the season length given at fit
  int season = 0;             // stl: 0 = the season length given at fit
  int s_window = 11;          // stl
  bool robust = false;
  AdjustedMethod method = AdjustedMethod::kEts;
  std::string method_name = "ets";
  int min_days = 7;
  // A bad string parameter (the schema has no choice type): Fit reports it.
  std::string config_error;
};

// A non-seasonal forecast of a series that may hold NaN (not observed) and negative values.
// ets: AutoEts restricted to ZZN (forecast::stlf's default etsmodel); theta: thetaf without a
// seasonal test; naive: rwf without drift, yhat = last value, sd_h = sigma sqrt(h) with sigma^2
// the mean squared one-step difference (over a gap of g days the difference is divided by g,
// the variance of a g-step random-walk increment being g sigma^2).
struct AdjustedForecaster {
  AdjustedMethod method = AdjustedMethod::kEts;
  std::optional<EtsFit> ets;
  std::optional<ThetaFit> theta;
  double last = 0.0, sigma = 0.0;
  int gap = 0;  // days between the last observed day and the end of the series
  std::string chosen;

  void Fit(const std::vector<double>& a, AdjustedMethod wanted) {
    method = wanted;
    ets.reset();
    theta.reset();
    if (method == AdjustedMethod::kEts) {
      EtsOptions o;
      Result<EtsFit> fit = AutoEts(a, 1, o, "ZZN");
      if (fit.ok()) {
        ets = std::move(fit).value();
        chosen = ets->spec.ToString();
        return;
      }
      method = AdjustedMethod::kNaive;  // too little data for any ETS form
    }
    if (method == AdjustedMethod::kTheta) {
      ThetaOptions o;
      o.season = 1;
      Result<ThetaFit> fit = FitThetaSeries(a, o);
      if (fit.ok()) {
        theta = std::move(fit).value();
        chosen = "theta";
        return;
      }
      method = AdjustedMethod::kNaive;
    }
    chosen = "naive";
    int last_t = -1;
    double ss = 0.0;
    int count = 0;
    for (int t = 0; t < static_cast<int>(a.size()); ++t) {
      if (!std::isfinite(a[static_cast<size_t>(t)])) continue;
      if (last_t >= 0) {
        const double d = a[static_cast<size_t>(t)] - a[static_cast<size_t>(last_t)];
        ss += d * d / (t - last_t);
        ++count;
      }
      last_t = t;
    }
    last = last_t >= 0 ? a[static_cast<size_t>(last_t)] : 0.0;
    gap = last_t >= 0 ? static_cast<int>(a.size()) - 1 - last_t : 0;
    sigma = count > 0 ? std::sqrt(ss / count) : 0.0;
  }

  // Mean and quantiles (levels) for steps 1..horizon.
  void Predict(int horizon, std::span<const double> levels, Forecast* out) const {
    const size_t hz = static_cast<size_t>(horizon);
    if (ets) {
      const EtsForecast f = ForecastEts(*ets, horizon, levels);
      out->mean = f.mean;
      if (!f.sim_quantiles.empty()) {
        out->levels.assign(levels.begin(), levels.end());
        out->quantiles = f.sim_quantiles;
        return;
      }
      std::vector<double> sd(hz);
      for (size_t i = 0; i < hz; ++i) sd[i] = std::sqrt(std::max(f.variance[i], 0.0));
      NormalQuantiles(out->mean, sd, levels, out);
      return;
    }
    if (theta) {
      const ThetaPath p = PredictTheta(*theta, horizon);
      out->mean = p.mean;
      NormalQuantiles(p.mean, p.sd, levels, out);
      return;
    }
    out->mean.assign(hz, last);
    std::vector<double> sd(hz);
    for (size_t i = 0; i < hz; ++i) sd[i] = sigma * std::sqrt(static_cast<double>(i + 1 + gap));
    NormalQuantiles(out->mean, sd, levels, out);
  }
};

class DecompositionModel final : public ForecastModel {
 public:
  explicit DecompositionModel(DecompSettings s) : s_(std::move(s)) {}
  std::string_view name() const override { return s_.name; }

  Status Fit(std::span<const double> y, std::span<const uint8_t> flags,
             int season_length) override {
    SC_RETURN_IF_ERROR(ValidateFitArgs(s_.name, y, flags, season_length));
    if (!s_.config_error.empty()) return Error::InvalidArgument(s_.config_error);
    fitted_ = true;
    y_.assign(y.begin(), y.end());
    flags_.assign(flags.begin(), flags.end());
    last_season_.clear();
    used_periods_.clear();
    note_.clear();
    const UsableSeries series = PrepareSeries(y, flags);
    if (series.usable < s_.min_days) return Status::Ok();  // Predict: ShortHistoryForecast
    const std::vector<double>& z = series.y;  // NaN = not observed
    const int n = static_cast<int>(z.size());

    std::vector<int> periods;
    if (s_.multiple) {
      periods = s_.periods.empty() ? std::vector<int>{season_length} : s_.periods;
    } else {
      periods = {s_.season > 0 ? s_.season : season_length};
    }
    std::vector<std::vector<double>> seasonal;
    if (s_.multiple) {
      MstlOptions o;
      o.stl.robust = s_.robust;
      Result<MstlResult> d = Mstl(z, periods, o);
      if (d.ok()) {
        used_periods_ = d->periods;
        seasonal = std::move(d->seasonal);
      }
    } else if (periods[0] >= 2 && n > 2 * periods[0]) {
      StlOptions o;
      o.s_window = s_.s_window;
      o.robust = s_.robust;
      Result<StlResult> d = Stl(z, periods[0], o);
      if (d.ok()) {
        used_periods_ = periods;
        seasonal.push_back(std::move(d->seasonal));
      }
    }
    // Seasonally adjusted series, NaN where nothing was observed (the adjusted model skips
    // those days instead of learning from interpolated values).
    std::vector<double> adjusted = z;
    for (const std::vector<double>& s : seasonal) {
      for (size_t t = 0; t < z.size(); ++t) adjusted[t] -= s[t];
    }
    // Last cycle of each component, the seasonal part of every forecast step.
    for (size_t i = 0; i < seasonal.size(); ++i) {
      const int p = used_periods_[i];
      last_season_.emplace_back(seasonal[i].end() - p, seasonal[i].end());
    }
    if (used_periods_.empty()) {
      note_ = fmt::format("fewer than two full seasons of {}; non-seasonal", fmt::join(periods, ","));
    }
    // The input's trailing days past the usable series are part of z already (PrepareSeries
    // drops only leading days), so step 1 follows the input's last day.
    adjusted_.Fit(adjusted, s_.method);
    return Status::Ok();
  }

  Result<Forecast> Predict(int horizon, std::span<const double> levels) const override {
    SC_RETURN_IF_ERROR(ValidatePredictArgs(s_.name, horizon, levels));
    if (!fitted_) {
      return Error::InvalidArgument(fmt::format("{}: Predict before Fit; call Fit first", s_.name));
    }
    if (std::optional<Forecast> f =
            ShortHistoryForecast(s_.name, y_, flags_, s_.min_days, 28, horizon, levels)) {
      return *std::move(f);
    }
    Forecast out;
    adjusted_.Predict(horizon, levels, &out);
    for (int h = 1; h <= horizon; ++h) {
      double s = 0.0;
      for (const std::vector<double>& cycle : last_season_) {
        s += cycle[static_cast<size_t>((h - 1) % static_cast<int>(cycle.size()))];
      }
      const size_t i = static_cast<size_t>(h - 1);
      out.mean[i] += s;
      for (auto& q : out.quantiles) q[i] += s;
    }
    ClampForecast(&out);
    return out;
  }

  std::string Chosen() const override {
    if (!fitted_) return s_.name;
    if (used_periods_.empty()) return fmt::format("{} ({})", adjusted_.chosen, note_);
    return fmt::format("{}({}) + {}", s_.multiple ? "MSTL" : "STL", fmt::join(used_periods_, ","),
                       adjusted_.chosen);
  }

 private:
  DecompSettings s_;
  bool fitted_ = false;
  std::vector<double> y_;
  std::vector<uint8_t> flags_;
  std::vector<int> used_periods_;
  std::vector<std::vector<double>> last_season_;
  AdjustedForecaster adjusted_;
  std::string note_;
};

ParamSpec MethodSpec() {
  return {"method", ParamType::kString, "ets", -1e300, 1e300,
          "forecast of the seasonally adjusted series: ets (ZZN, chosen by AICc), theta or "
          "naive"};
}
ParamSpec RobustSpec() {
  return {"robust", ParamType::kBool, "false", 0, 1,
          "robust STL (15 outer iterations with bisquare weights): outliers and stockout spikes "
          "do not bend the seasonal"};
}
ParamSpec MinDaysSpec() {
  return {"min_days", ParamType::kInt, "7", 1, 3650,
          "with fewer usable days, forecast their total spread over 28 days with Poisson "
          "quantiles; marked as a fallback"};
}

Result<std::vector<int>> ParsePeriods(const std::string& text) {
  std::vector<int> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find_first_of(",;", start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos
                                                                           : comma - start);
    char* end = nullptr;
    const long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || end == item.c_str() || *end != '\0' || v < 1 || v > 3660) {
      return Error::InvalidArgument(fmt::format(
          "model mstl: periods = \"{}\": item \"{}\" is not a whole number of days in [1, 3660]; "
          "write e.g. periods=7;365",
          text, item));
    }
    out.push_back(static_cast<int>(v));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

ModelFactory DecompFactory(bool multiple) {
  return [multiple](const ParamValues& v) -> std::unique_ptr<ForecastModel> {
    DecompSettings s;
    s.multiple = multiple;
    s.name = multiple ? "mstl" : "stl";
    s.method_name = v.GetString("method");
    if (std::optional<AdjustedMethod> method = ParseAdjustedMethod(s.method_name)) {
      s.method = *method;
    } else {
      s.config_error = fmt::format("model {}: method = \"{}\"; must be ets, theta or naive",
                                   s.name, s.method_name);
    }
    s.robust = v.GetBool("robust");
    s.min_days = v.GetInt("min_days");
    if (multiple) {
      Result<std::vector<int>> periods = ParsePeriods(v.GetString("periods"));
      if (periods.ok()) {
        s.periods = std::move(periods).value();
      } else {
        s.config_error = periods.error().message;
      }
    } else {
      s.season = v.GetInt("season");
      s.s_window = v.GetInt("s_window");
    }
    return std::make_unique<DecompositionModel>(std::move(s));
  };
}

}  // namespace

Status RegisterDecompositionModels(ModelRegistry& registry) {
  SC_RETURN_IF_ERROR(registry.Register(
      {"stl",
       "STL decomposition (Cleveland et al. 1990); the seasonally adjusted series forecast by "
       "ETS/theta/naive plus the last seasonal cycle (as R's stlf)",
       ParamSchema({{"season", ParamType::kInt, "0", 0, 366,
                     "season length in days; 0 = the series' own (7 for daily data)"},
                    {"s_window", ParamType::kInt, "11", 0, 1001,
                     "seasonal loess span in cycles (odd); 0 = periodic (a fixed profile)"},
                    MethodSpec(), RobustSpec(), MinDaysSpec()}),
       DecompFactory(false)}));
  SC_RETURN_IF_ERROR(registry.Register(
      {"mstl",
       "MSTL multi-seasonal decomposition (Bandara, Hyndman & Bergmeir 2021), e.g. weekly and "
       "yearly cycles; forecast as stl",
       ParamSchema({{"periods", ParamType::kString, "7;365", -1e300, 1e300,
                     "seasonal periods in days, separated by ';' (periods without two full "
                     "cycles in the series are dropped)"},
                    MethodSpec(), RobustSpec(), MinDaysSpec()}),
       DecompFactory(true)}));
  return Status::Ok();
}

}  // namespace stockcast::forecast
