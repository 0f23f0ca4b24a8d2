// KPSS and OCSB tests and the ndiffs / nsdiffs rules built on them (see unit_root.h for the
// formulas and the source of every constant).
#include "stockcast/forecast/unit_root.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <numbers>
#include <vector>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "stockcast/forecast/decompose.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> FiniteValues(std::span<const double> x) {
  std::vector<double> out;
  out.reserve(x.size());
  for (double v : x) {
    if (std::isfinite(v)) out.push_back(v);
  }
  return out;
}

// forecast::is.constant: all.equal(x, rep(x[1])) with its default tolerance 1.5e-8 on the
// mean relative difference. NaN values are ignored.
bool IsConstant(std::span<const double> x) {
  const std::vector<double> v = FiniteValues(x);
  if (v.size() <= 1) return true;
  double diff = 0, scale = 0;
  for (double e : v) {
    diff += std::abs(e - v[0]);
    scale += std::abs(v[0]);
  }
  return scale > 0 ? diff / scale < 1.5e-8 : diff / static_cast<double>(v.size()) < 1.5e-8;
}

std::vector<double> Diff(std::span<const double> x, int lag) {
  std::vector<double> out;
  if (static_cast<int>(x.size()) <= lag) return out;
  out.resize(x.size() - static_cast<size_t>(lag));
  for (size_t t = 0; t < out.size(); ++t) out[t] = x[t + static_cast<size_t>(lag)] - x[t];
  return out;  // NaN propagates: a difference touching a missing value is missing
}

// Least squares without intercept: coefficients, residual sum of squares and the standard
// errors sqrt(RSS / (n - k) [(X'X)^-1]_jj). Columns that are exactly zero are left out
// (coefficient 0, standard error NaN), as lm() aliases them.
struct Ols {
  Eigen::VectorXd beta;
  Eigen::VectorXd se;
  double rss = 0;
  int rank = 0;
  int n = 0;
};

std::optional<Ols> FitOls(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  const int n = static_cast<int>(y.size());
  std::vector<int> keep;
  for (int j = 0; j < x.cols(); ++j) {
    if (x.col(j).cwiseAbs().maxCoeff() > 0) keep.push_back(j);
  }
  const int k = static_cast<int>(keep.size());
  if (n <= k) return std::nullopt;
  Eigen::MatrixXd xk(n, k);
  for (int j = 0; j < k; ++j) xk.col(j) = x.col(keep[static_cast<size_t>(j)]);
  Ols out;
  out.n = n;
  out.rank = k;
  out.beta = Eigen::VectorXd::Zero(x.cols());
  out.se = Eigen::VectorXd::Constant(x.cols(), kNaN);
  Eigen::VectorXd b = Eigen::VectorXd::Zero(k);
  Eigen::MatrixXd inv = Eigen::MatrixXd::Zero(k, k);
  if (k > 0) {
    const Eigen::MatrixXd xtx = xk.transpose() * xk;
    Eigen::FullPivLU<Eigen::MatrixXd> lu(xtx);
    if (lu.rank() < k) return std::nullopt;
    b = lu.solve(xk.transpose() * y);
    inv = lu.inverse();
  }
  const Eigen::VectorXd resid = y - xk * b;
  out.rss = resid.squaredNorm();
  const double s2 = out.rss / (n - k);
  for (int j = 0; j < k; ++j) {
    out.beta[keep[static_cast<size_t>(j)]] = b[j];
    out.se[keep[static_cast<size_t>(j)]] = std::sqrt(s2 * inv(j, j));
  }
  return out;
}

// One OCSB regression (forecast:::ocsb.test's fitOCSB(x, lag, maxlag)); 0-based time t.
struct OcsbFit {
  Ols ols;
  double aic = 0;
};

std::optional<OcsbFit> FitOcsb(std::span<const double> x, int m, int lag, int trim) {
  const int n = static_cast<int>(x.size());
  auto at = [&](const std::vector<double>& v, int t) {
    return t >= 0 && t < static_cast<int>(v.size()) ? v[static_cast<size_t>(t)] : kNaN;
  };
  // Series indexed by the time of x: d1[t] = x_t - x_{t-1}, dm[t] = x_t - x_{t-m},
  // y[t] = dm[t] - dm[t-1].
  std::vector<double> d1(static_cast<size_t>(n), kNaN), dm(static_cast<size_t>(n), kNaN),
      y(static_cast<size_t>(n), kNaN);
  for (int t = 1; t < n; ++t) d1[static_cast<size_t>(t)] = x[static_cast<size_t>(t)] - x[static_cast<size_t>(t - 1)];
  for (int t = m; t < n; ++t) dm[static_cast<size_t>(t)] = x[static_cast<size_t>(t)] - x[static_cast<size_t>(t - m)];
  for (int t = m + 1; t < n; ++t) y[static_cast<size_t>(t)] = dm[static_cast<size_t>(t)] - dm[static_cast<size_t>(t - 1)];
  const int first = m + 1 + trim;
  // AR(lag) fit of y on its own lags (no intercept).
  std::vector<double> b(static_cast<size_t>(lag), 0.0);
  if (lag > 0) {
    std::vector<int> rows;
    for (int t = first; t < n; ++t) {
      bool ok = std::isfinite(at(y, t));
      for (int i = 1; i <= lag; ++i) ok = ok && std::isfinite(at(y, t - i));
      if (ok) rows.push_back(t);
    }
    Eigen::MatrixXd xa(static_cast<int>(rows.size()), lag);
    Eigen::VectorXd ya(static_cast<int>(rows.size()));
    for (size_t r = 0; r < rows.size(); ++r) {
      ya[static_cast<int>(r)] = at(y, rows[r]);
      for (int i = 1; i <= lag; ++i) xa(static_cast<int>(r), i - 1) = at(y, rows[r] - i);
    }
    auto ar = FitOls(xa, ya);
    if (!ar) return std::nullopt;
    for (int i = 0; i < lag; ++i) b[static_cast<size_t>(i)] = ar->beta[i];
  }
  auto filtered = [&](const std::vector<double>& v, int t) {
    double z = at(v, t);
    for (int i = 1; i <= lag; ++i) z -= b[static_cast<size_t>(i - 1)] * at(v, t - i);
    return z;
  };
  std::vector<int> rows;
  for (int t = first; t < n; ++t) {
    bool ok = std::isfinite(at(y, t)) && std::isfinite(filtered(dm, t - 1)) &&
              std::isfinite(filtered(d1, t - m));
    for (int i = 1; i <= lag; ++i) ok = ok && std::isfinite(at(y, t - i));
    if (ok) rows.push_back(t);
  }
  const int cols = lag + 2;
  Eigen::MatrixXd xr(static_cast<int>(rows.size()), cols);
  Eigen::VectorXd yr(static_cast<int>(rows.size()));
  for (size_t r = 0; r < rows.size(); ++r) {
    const int t = rows[r];
    const int row = static_cast<int>(r);
    yr[row] = at(y, t);
    for (int i = 1; i <= lag; ++i) xr(row, i - 1) = at(y, t - i);
    xr(row, lag) = filtered(dm, t - 1);
    xr(row, lag + 1) = filtered(d1, t - m);
  }
  auto ols = FitOls(xr, yr);
  if (!ols || ols->n - ols->rank < 1) return std::nullopt;
  OcsbFit out{*ols, 0};
  // R's AIC for lm: -2 logLik + 2 (rank + 1), logLik = -n/2 (log(2 pi RSS / n) + 1).
  const double nn = ols->n;
  out.aic = nn * (std::log(2 * std::numbers::pi * ols->rss / nn) + 1) + 2.0 * (ols->rank + 1);
  return out;
}

}  // namespace

int KpssShortLags(int n) {
  return static_cast<int>(std::trunc(4.0 * std::pow(n / 100.0, 0.25)));
}

int NdiffsKpssLags(int n) { return static_cast<int>(std::trunc(3.0 * std::sqrt(n) / 13.0)); }

double KpssPValue(double statistic) {
  const auto& c = kKpssLevelCritical;
  const auto& s = kKpssLevelSize;
  if (statistic <= c.front()) return s.front();
  if (statistic >= c.back()) return s.back();
  for (size_t i = 0; i + 1 < c.size(); ++i) {
    if (statistic <= c[i + 1]) {
      const double f = (statistic - c[i]) / (c[i + 1] - c[i]);
      return s[i] + f * (s[i + 1] - s[i]);
    }
  }
  return s.back();
}

Result<KpssResult> KpssTest(std::span<const double> x, int lags) {
  const std::vector<double> v = FiniteValues(x);
  const int n = static_cast<int>(v.size());
  if (n < 2) {
    return Error::InvalidArgument(
        fmt::format("KPSS test: {} finite values; needs at least 2", n));
  }
  const int l = std::min(lags < 0 ? NdiffsKpssLags(n) : lags, n - 1);
  double mean = 0;
  for (double e : v) mean += e;
  mean /= n;
  std::vector<double> e(v.size());
  for (size_t t = 0; t < v.size(); ++t) e[t] = v[t] - mean;
  double s = 0, eta = 0, s2 = 0;
  for (double r : e) {
    s += r;
    eta += s * s;
    s2 += r * r;
  }
  eta /= static_cast<double>(n) * n;
  double lrv = s2 / n;
  for (int i = 1; i <= l; ++i) {
    double cov = 0;
    for (int t = i; t < n; ++t) cov += e[static_cast<size_t>(t)] * e[static_cast<size_t>(t - i)];
    lrv += 2.0 / n * (1.0 - i / (l + 1.0)) * cov;
  }
  if (!(lrv > 0)) {
    return Error::InvalidArgument(fmt::format(
        "KPSS test: long-run variance {} with {} lags; the series must not be constant", lrv, l));
  }
  KpssResult out;
  out.statistic = eta / lrv;
  out.lags = l;
  out.p_value = KpssPValue(out.statistic);
  return out;
}

int Ndiffs(std::span<const double> x, double alpha, int max_d) {
  alpha = std::clamp(alpha, 0.01, 0.1);
  std::vector<double> v = FiniteValues(x);
  int d = 0;
  if (IsConstant(v)) return d;
  auto needs_diff = [&](const std::vector<double>& s) {
    auto k = KpssTest(s);
    return k.ok() && k->p_value < alpha;  // a failed test counts as "no difference" (as R)
  };
  bool dodiff = needs_diff(v);
  while (dodiff && d < max_d) {
    ++d;
    v = Diff(v, 1);
    if (IsConstant(v)) return d;
    dodiff = needs_diff(v);
  }
  return d;
}

double OcsbCriticalValue(int m) {
  const double lm = std::log(static_cast<double>(m)) - 0.7656451;
  return -0.2937411 * std::exp(-0.2850853 * lm - 0.05983644 * lm * lm) - 1.652202;
}

Result<OcsbResult> OcsbTest(std::span<const double> x, int m, int max_lag) {
  if (m < 2) {
    return Error::InvalidArgument(fmt::format("OCSB test: season m = {}; must be >= 2", m));
  }
  int lag = 0;
  if (max_lag > 0) {
    // forecast 8.20: fits with lags 1..max_lag on the sample trimmed by max_lag, AIC picks
    // index id, and id - 1 lags are used.
    double best = std::numeric_limits<double>::infinity();
    int best_id = 0;
    for (int k = 1; k <= max_lag; ++k) {
      auto fit = FitOcsb(x, m, k, max_lag);
      if (fit && fit->aic < best) {
        best = fit->aic;
        best_id = k;
      }
    }
    lag = best_id > 0 ? best_id - 1 : 0;
  }
  auto fit = FitOcsb(x, m, lag, lag);
  if (!fit || !std::isfinite(fit->ols.se[lag + 1]) || !(fit->ols.se[lag + 1] > 0)) {
    return Error::InvalidArgument(fmt::format(
        "OCSB test: the regression has no solution for {} values with season {}; needs a "
        "longer, non-degenerate series",
        x.size(), m));
  }
  OcsbResult out;
  out.statistic = fit->ols.beta[lag + 1] / fit->ols.se[lag + 1];
  out.critical = OcsbCriticalValue(m);
  out.lags = lag;
  return out;
}

std::string_view ToString(SeasonalTest test) {
  switch (test) {
    case SeasonalTest::kSeas: return "seas";
    case SeasonalTest::kOcsb: return "ocsb";
  }
  return "seas";
}

std::optional<SeasonalTest> ParseSeasonalTest(std::string_view text) {
  if (text == "seas") return SeasonalTest::kSeas;
  if (text == "ocsb") return SeasonalTest::kOcsb;
  return std::nullopt;
}

int Nsdiffs(std::span<const double> x, int m, SeasonalTest test, int max_D) {
  if (m < 2 || IsConstant(x) || static_cast<size_t>(m) >= x.size()) return 0;
  auto needs_diff = [&](const std::vector<double>& s) {
    if (test == SeasonalTest::kSeas) return SeasonalStrength(s, m) > 0.64;
    auto r = OcsbTest(s, m);
    return r.ok() && r->statistic > r->critical;
  };
  std::vector<double> v(x.begin(), x.end());
  int D = 0;
  bool dodiff = needs_diff(v);
  while (dodiff && D < max_D) {
    ++D;
    v = Diff(v, m);
    if (IsConstant(v)) return D;
    dodiff = v.size() >= static_cast<size_t>(2 * m) && D < max_D ? needs_diff(v) : false;
  }
  return D;
}

}  // namespace stockcast::forecast
