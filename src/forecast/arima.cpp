// ARIMA/SARIMA: exact likelihood, estimation, forecasting, auto.arima and the `arima` model.
// The maths is in arima.h; the comments here explain the implementation choices.
#include "stockcast/forecast/arima.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>

#include <Eigen/Dense>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlopt.hpp>

#include "stockcast/forecast/distribution.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kBad = 1e10;    // objective value of an inadmissible point
constexpr double kBound = 8.0;   // |x| bound of the tanh-transformed parameters
// |P_{t+1} - P_t| below which the gain is taken as converged (P is in sigma^2 units and
// F_t >= 1, so this is relative to the innovation variance).
constexpr double kSteadyTol = 1e-14;

// --- Data: regression columns and differencing ---------------------------------------------

// (1 - B)^d (1 - B^m)^D = sum_k c_k B^k, c_0 = 1.
std::vector<double> DifferencingPolynomial(int d, int D, int m) {
  std::vector<double> c = {1.0};
  auto multiply = [&](int lag) {
    std::vector<double> out(c.size() + static_cast<size_t>(lag), 0.0);
    for (size_t i = 0; i < c.size(); ++i) {
      out[i] += c[i];
      out[i + static_cast<size_t>(lag)] -= c[i];
    }
    c = std::move(out);
  };
  for (int i = 0; i < d; ++i) multiply(1);
  for (int i = 0; i < D; ++i) multiply(m);
  return c;
}

// The differenced data the likelihood sees: row t (t = 0..nw-1, time t + nd of y) holds
// [w_t of y, w_t of each regression column]; `usable[t]` says whether every value the
// differences touch was observed. Columns that difference to zero (an intercept with d > 0)
// or that add nothing to the rank of the others are dropped, as R drops aliased regressors.
struct Design {
  int n = 0, nd = 0, nw = 0, cols = 1;
  std::vector<double> c;  // differencing polynomial
  std::vector<std::string> beta_names;
  std::vector<std::vector<double>> xcols;  // kept columns at the fitted days (length n)
  std::vector<int> user_index;              // for each kept column: index in x, or -1/-2
  std::vector<double> w;                    // nw x cols, row-major; unusable rows are 0
  std::vector<uint8_t> usable;
  int nobs = 0;
  bool has_missing = false;
};

Result<Design> BuildDesign(std::span<const double> y, const ArimaSpec& spec, const Regressors& x) {
  const ArimaOrder& o = spec.order;
  Design des;
  des.n = static_cast<int>(y.size());
  des.c = DifferencingPolynomial(o.d, o.D, o.m);
  des.nd = static_cast<int>(des.c.size()) - 1;
  des.nw = std::max(0, des.n - des.nd);
  const size_t n = y.size();
  // Candidate columns in R's order: intercept, drift, user regressors.
  std::vector<std::vector<double>> cand;
  std::vector<std::string> names;
  std::vector<int> index;
  if (spec.include_mean && o.d + o.D == 0) {
    cand.emplace_back(n, 1.0);
    names.push_back("intercept");
    index.push_back(-1);
  }
  if (spec.include_drift && o.d + o.D <= 1) {
    std::vector<double> t(n);
    for (size_t i = 0; i < n; ++i) t[i] = static_cast<double>(i + 1);
    cand.push_back(std::move(t));
    names.push_back("drift");
    index.push_back(-2);
  }
  for (size_t j = 0; j < x.values.size(); ++j) {
    if (x.values[j].size() < n) {
      return Error::InvalidArgument(fmt::format(
          "arima: regressor \"{}\" has {} values for a series of {}; it needs one per fitted day",
          j < x.names.size() ? x.names[j] : std::to_string(j), x.values[j].size(), n));
    }
    cand.emplace_back(x.values[j].begin(), x.values[j].begin() + static_cast<long>(n));
    names.push_back(j < x.names.size() ? x.names[j] : fmt::format("xreg{}", j + 1));
    index.push_back(static_cast<int>(j));
  }
  // Observed rows of the undifferenced data.
  std::vector<uint8_t> row_ok(n, 0);
  for (size_t t = 0; t < n; ++t) {
    bool ok = std::isfinite(y[t]);
    for (const auto& col : cand) ok = ok && std::isfinite(col[t]);
    row_ok[t] = ok ? 1 : 0;
  }
  des.usable.assign(static_cast<size_t>(des.nw), 0);
  for (int t = 0; t < des.nw; ++t) {
    bool ok = true;
    for (int k = 0; k <= des.nd && ok; ++k) {
      if (des.c[static_cast<size_t>(k)] != 0.0) ok = row_ok[static_cast<size_t>(t + des.nd - k)] != 0;
    }
    des.usable[static_cast<size_t>(t)] = ok ? 1 : 0;
    des.nobs += ok ? 1 : 0;
    des.has_missing = des.has_missing || !ok;
  }
  auto difference = [&](const auto& v, int t) {
    double s = 0;
    for (int k = 0; k <= des.nd; ++k) {
      const double ck = des.c[static_cast<size_t>(k)];
      if (ck != 0.0) s += ck * v[static_cast<size_t>(t + des.nd - k)];
    }
    return s;
  };
  // Keep a column only when its differenced values are not in the span of the kept ones
  // (Gram-Schmidt on the usable rows).
  std::vector<Eigen::VectorXd> basis;
  for (size_t j = 0; j < cand.size(); ++j) {
    Eigen::VectorXd v(des.nobs);
    int r = 0;
    for (int t = 0; t < des.nw; ++t) {
      if (des.usable[static_cast<size_t>(t)]) v[r++] = difference(cand[j], t);
    }
    const double norm0 = v.norm();
    if (!(norm0 > 0)) continue;
    for (const auto& b : basis) v -= b.dot(v) * b;
    if (v.norm() <= 1e-9 * norm0) continue;
    basis.push_back(v / v.norm());
    des.xcols.push_back(cand[j]);
    des.beta_names.push_back(names[j]);
    des.user_index.push_back(index[j]);
  }
  des.cols = 1 + static_cast<int>(des.xcols.size());
  des.w.assign(static_cast<size_t>(des.nw) * des.cols, 0.0);
  for (int t = 0; t < des.nw; ++t) {
    if (!des.usable[static_cast<size_t>(t)]) continue;
    double* row = &des.w[static_cast<size_t>(t) * des.cols];
    row[0] = difference(y, t);
    for (size_t j = 0; j < des.xcols.size(); ++j) row[j + 1] = difference(des.xcols[j], t);
  }
  return des;
}

// --- The ARMA polynomials ---------------------------------------------------------------------

// phi(B) Phi(B^m) and theta(B) Theta(B^m) multiplied out (R's convention: the AR polynomial is
// 1 - sum phi_i B^i, the MA polynomial 1 + sum theta_i B^i).
void ExpandPolynomials(const ArimaCoef& c, int m, std::vector<double>* phi, std::vector<double>* theta) {
  const size_t p = c.ar.size(), q = c.ma.size(), P = c.sar.size(), Q = c.sma.size();
  const size_t ms = static_cast<size_t>(std::max(m, 1));
  phi->assign(p + ms * P, 0.0);
  theta->assign(q + ms * Q, 0.0);
  for (size_t i = 0; i < p; ++i) (*phi)[i] = c.ar[i];
  for (size_t j = 0; j < P; ++j) {
    (*phi)[(j + 1) * ms - 1] += c.sar[j];
    for (size_t i = 0; i < p; ++i) (*phi)[(j + 1) * ms + i] -= c.ar[i] * c.sar[j];
  }
  for (size_t i = 0; i < q; ++i) (*theta)[i] = c.ma[i];
  for (size_t j = 0; j < Q; ++j) {
    (*theta)[(j + 1) * ms - 1] += c.sma[j];
    for (size_t i = 0; i < q; ++i) (*theta)[(j + 1) * ms + i] += c.ma[i] * c.sma[j];
  }
}

// Partial autocorrelations u_j = tanh(x_j) to AR coefficients by the Durbin-Levinson
// recursion phi_k^(j) = phi_k^(j-1) - u_j phi_{j-k}^(j-1), phi_j^(j) = u_j (Jones 1980; R's
// partrans). Any x gives a stationary AR polynomial.
void PacfToAr(const double* x, size_t p, std::vector<double>* out) {
  out->resize(p);
  std::array<double, 64> work{};
  for (size_t j = 0; j < p; ++j) (*out)[j] = work[j] = std::tanh(x[j]);
  for (size_t j = 1; j < p; ++j) {
    const double a = (*out)[j];
    for (size_t k = 0; k < j; ++k) work[k] -= a * (*out)[j - k - 1];
    for (size_t k = 0; k < j; ++k) (*out)[k] = work[k];
  }
}

// Inverse of PacfToAr (backward Durbin-Levinson): AR coefficients to x = atanh(u). Returns
// false when the polynomial is not stationary (|u_j| >= 1).
bool ArToPacf(std::span<const double> phi, double* x) {
  std::vector<double> a(phi.begin(), phi.end());
  const size_t p = a.size();
  for (size_t j = p; j-- > 0;) {
    const double u = a[j];
    if (!(std::abs(u) < 1)) return false;
    x[j] = std::atanh(u);
    std::vector<double> prev(j);
    for (size_t k = 0; k < j; ++k) prev[k] = (a[k] + u * a[j - 1 - k]) / (1 - u * u);
    for (size_t k = 0; k < j; ++k) a[k] = prev[k];
  }
  return true;
}

struct Layout {
  int p = 0, q = 0, P = 0, Q = 0;
  int dim() const { return p + q + P + Q; }
  // x (transformed) to coefficients: AR blocks by PacfToAr, MA blocks as the negated AR map
  // (theta(z) = 1 + sum theta_i z^i is invertible iff 1 - sum (-theta_i) z^i is stationary).
  void Decode(const double* x, ArimaCoef* c) const {
    PacfToAr(x, static_cast<size_t>(p), &c->ar);
    PacfToAr(x + p, static_cast<size_t>(q), &c->ma);
    for (double& v : c->ma) v = -v;
    PacfToAr(x + p + q, static_cast<size_t>(P), &c->sar);
    PacfToAr(x + p + q + P, static_cast<size_t>(Q), &c->sma);
    for (double& v : c->sma) v = -v;
  }
  // The inverse; false when a block is not stationary/invertible.
  bool Encode(const ArimaCoef& c, std::vector<double>* x) const {
    x->assign(static_cast<size_t>(dim()), 0.0);
    std::vector<double> neg;
    double* out = x->data();
    if (!ArToPacf(c.ar, out)) return false;
    neg.assign(c.ma.begin(), c.ma.end());
    for (double& v : neg) v = -v;
    if (!ArToPacf(neg, out + p)) return false;
    if (!ArToPacf(c.sar, out + p + q)) return false;
    neg.assign(c.sma.begin(), c.sma.end());
    for (double& v : neg) v = -v;
    return ArToPacf(neg, out + p + q + P);
  }
};

// --- The likelihood engine --------------------------------------------------------------------

// Sufficient statistics of one filter run over all data columns: C = sum v v' / F (cols x
// cols), sum log F, and the number of innovations.
struct Sums {
  Eigen::MatrixXd C;
  double sumlog = 0;
  int nu = 0;
};

class ArmaEngine {
 public:
  explicit ArmaEngine(const Design& des) : des_(des) {}

  // Exact likelihood sums for the expanded polynomials; false when the stationary covariance
  // does not exist or a prediction variance is not positive.
  bool Exact(const std::vector<double>& phi, const std::vector<double>& theta, bool force_kalman,
             Sums* s) {
    if (!Setup(phi, theta)) return false;
    Reset(s);
    return (des_.has_missing || force_kalman) ? Kalman(s, -1, nullptr, nullptr) : Chandrasekhar(s);
  }

  // Conditional sum of squares: e_t = w_t - sum phi_i w_{t-i} - sum theta_j e_{t-j} from
  // t = p + mP on, earlier e = 0 (R's CSS). A residual whose inputs are missing is set to 0
  // and not counted.
  void Css(const std::vector<double>& phi, const std::vector<double>& theta, Sums* s) {
    Reset(s);
    const int cols = des_.cols, nw = des_.nw;
    const int pf = static_cast<int>(phi.size()), qf = static_cast<int>(theta.size());
    ar_lags_.clear();
    ma_lags_.clear();
    for (int i = 0; i < pf; ++i) {
      if (phi[static_cast<size_t>(i)] != 0.0) ar_lags_.push_back(i);
    }
    for (int j = 0; j < qf; ++j) {
      if (theta[static_cast<size_t>(j)] != 0.0) ma_lags_.push_back(j);
    }
    e_.assign(static_cast<size_t>(nw) * cols, 0.0);
    v_.resize(static_cast<size_t>(cols));
    for (int t = pf; t < nw; ++t) {
      bool ok = des_.usable[static_cast<size_t>(t)] != 0;
      for (int i : ar_lags_) ok = ok && des_.usable[static_cast<size_t>(t - i - 1)] != 0;
      if (!ok) continue;
      for (int c = 0; c < cols; ++c) {
        double val = des_.w[static_cast<size_t>(t) * cols + c];
        for (int i : ar_lags_) val -= phi[static_cast<size_t>(i)] * des_.w[static_cast<size_t>(t - i - 1) * cols + c];
        for (int j : ma_lags_) {
          if (t - j - 1 >= 0) val -= theta[static_cast<size_t>(j)] * e_[static_cast<size_t>(t - j - 1) * cols + c];
        }
        e_[static_cast<size_t>(t) * cols + c] = val;
        v_[static_cast<size_t>(c)] = val;
      }
      Accumulate(s, 1.0);
      ++s->nu;
    }
  }

  // Full Kalman filter; when anchor >= 0, also returns the filtered state and covariance at
  // row `anchor` (which must be usable), for forecasting (single-column designs).
  bool FilterTo(const std::vector<double>& phi, const std::vector<double>& theta, int anchor,
                Eigen::VectorXd* a_f, Eigen::MatrixXd* p_f) {
    if (!Setup(phi, theta)) return false;
    Sums s;
    Reset(&s);
    return Kalman(&s, anchor, a_f, p_f);
  }

  // The stationary covariance P_1 of the ARMA state; false when it does not exist.
  bool StationaryCovariance(const std::vector<double>& phi, const std::vector<double>& theta,
                            Eigen::MatrixXd* out) {
    if (!Setup(phi, theta)) return false;
    out->resize(r_, r_);
    for (int i = 0; i < r_; ++i) {
      for (int j = 0; j < r_; ++j) (*out)(i, j) = Pm(p_, i, j);
    }
    return true;
  }

  int r() const { return r_; }
  const std::vector<double>& ph() const { return ph_; }
  const std::vector<double>& rv() const { return rv_; }

 private:
  double& Pm(std::vector<double>& m, int i, int j) { return m[static_cast<size_t>(i) * r_ + j]; }

  void Reset(Sums* s) {
    s->C.setZero(des_.cols, des_.cols);
    s->sumlog = 0;
    s->nu = 0;
  }

  void Accumulate(Sums* s, double inv_f) {
    const int cols = des_.cols;
    for (int i = 0; i < cols; ++i) {
      for (int j = i; j < cols; ++j) s->C(i, j) += v_[static_cast<size_t>(i)] * v_[static_cast<size_t>(j)] * inv_f;
    }
  }

  // Harvey's state-space matrices and the stationary covariance P_1 (sigma^2 = 1 units).
  // P = T P T' + Q with T = [phi | shift] gives, entrywise,
  //   P_ij = P_{i+1,j+1} + phi_i phi_j P_00 + phi_i P_{0,j+1} + phi_j P_{i+1,0} + R_i R_j,
  // so every entry is a sum along its diagonal of terms in the first row u_j = P_0j: the r
  // equations for u (i = 0) are solved first (O(r^3)), the rest filled from the bottom-right
  // corner (O(r^2)). Far cheaper than the r^2 x r^2 vectorised Lyapunov system.
  bool Setup(const std::vector<double>& phi, const std::vector<double>& theta) {
    r_ = std::max(static_cast<int>(phi.size()), static_cast<int>(theta.size()) + 1);
    const int r = r_;
    ph_.assign(static_cast<size_t>(r), 0.0);
    rv_.assign(static_cast<size_t>(r), 0.0);
    std::copy(phi.begin(), phi.end(), ph_.begin());
    rv_[0] = 1.0;
    std::copy(theta.begin(), theta.end(), rv_.begin() + 1);
    a_sys_.setIdentity(r, r);
    b_sys_.setZero(r);
    for (int j = 0; j < r; ++j) {
      for (int k = 0; k + j < r; ++k) {
        const double pk = ph_[static_cast<size_t>(k)], pjk = ph_[static_cast<size_t>(j + k)];
        a_sys_(j, 0) -= pk * pjk;
        if (j + k + 1 < r) a_sys_(j, j + k + 1) -= pk;
        if (k + 1 < r) a_sys_(j, k + 1) -= pjk;
        b_sys_[j] += rv_[static_cast<size_t>(k)] * rv_[static_cast<size_t>(j + k)];
      }
    }
    lu_.compute(a_sys_);
    u_ = lu_.solve(b_sys_);
    if (!u_.allFinite() || !(u_[0] > 0)) return false;
    p_.assign(static_cast<size_t>(r) * r, 0.0);
    auto u = [&](int i) { return i < r ? u_[i] : 0.0; };
    for (int j = 0; j < r; ++j) Pm(p_, 0, j) = Pm(p_, j, 0) = u_[j];
    for (int i = r - 1; i >= 1; --i) {
      for (int j = r - 1; j >= i; --j) {
        const double next = (j + 1 < r) ? Pm(p_, i + 1, j + 1) : 0.0;
        const double v = next + ph_[static_cast<size_t>(i)] * ph_[static_cast<size_t>(j)] * u_[0] +
                         ph_[static_cast<size_t>(i)] * u(j + 1) + ph_[static_cast<size_t>(j)] * u(i + 1) +
                         rv_[static_cast<size_t>(i)] * rv_[static_cast<size_t>(j)];
        Pm(p_, i, j) = Pm(p_, j, i) = v;
      }
    }
    // A residual check guards against a near-singular system (AR roots at the boundary).
    const double check = (a_sys_ * u_ - b_sys_).cwiseAbs().maxCoeff();
    return std::isfinite(check) && check <= 1e-8 * std::max(1.0, u_.cwiseAbs().maxCoeff());
  }

  // x <- T x in O(r).
  void ApplyT(double* x) const {
    const int r = r_;
    const double x0 = x[0];
    for (int i = 0; i + 1 < r; ++i) x[i] = ph_[static_cast<size_t>(i)] * x0 + x[i + 1];
    x[r - 1] = ph_[static_cast<size_t>(r - 1)] * x0;
  }

  // Chandrasekhar recursions (no missing values). With K_t = T P_t Z', F_t = Z P_t Z' and
  // P_{t+1} - P_t = W_t M_t W_t' (rank one; W_1 = K_1, M_1 = -1/F_1 because P_1 is
  // stationary), the Riccati step becomes, with g = Z W_t:
  //   F_{t+1} = F_t + M_t g^2,          K_{t+1} = K_t + M_t g T W_t,
  //   W_{t+1} = T W_t - K_t g / F_t,    M_{t+1} = M_t F_t / F_{t+1}
  // (derived by expanding P_{t+2} - P_{t+1}; Herbst 2015 eqs. 10-13 for a scalar observation).
  bool Chandrasekhar(Sums* s) {
    const int r = r_, cols = des_.cols, nw = des_.nw;
    a_.assign(static_cast<size_t>(r) * cols, 0.0);
    k_.resize(static_cast<size_t>(r));
    w_.resize(static_cast<size_t>(r));
    tw_.resize(static_cast<size_t>(r));
    v_.resize(static_cast<size_t>(cols));
    double f = Pm(p_, 0, 0);
    for (int i = 0; i < r; ++i) {
      k_[static_cast<size_t>(i)] = ph_[static_cast<size_t>(i)] * Pm(p_, 0, 0) + (i + 1 < r ? Pm(p_, i + 1, 0) : 0.0);
    }
    w_ = k_;
    double mm = -1.0 / f;
    bool steady = false;
    for (int t = 0; t < nw; ++t) {
      if (!(f > 0)) return false;
      const double* row = &des_.w[static_cast<size_t>(t) * cols];
      const double inv_f = 1.0 / f;
      for (int c = 0; c < cols; ++c) v_[static_cast<size_t>(c)] = row[c] - a_[static_cast<size_t>(c) * r];
      s->sumlog += std::log(f);
      ++s->nu;
      Accumulate(s, inv_f);
      for (int c = 0; c < cols; ++c) {
        double* a = &a_[static_cast<size_t>(c) * r];
        const double gain = v_[static_cast<size_t>(c)] * inv_f;
        ApplyT(a);
        for (int i = 0; i < r; ++i) a[i] += k_[static_cast<size_t>(i)] * gain;
      }
      if (steady) continue;
      const double g = w_[0];
      tw_ = w_;
      ApplyT(tw_.data());
      const double f_new = f + mm * g * g;
      double biggest = 0;
      for (int i = 0; i < r; ++i) {
        const double wi = tw_[static_cast<size_t>(i)] - k_[static_cast<size_t>(i)] * g * inv_f;
        k_[static_cast<size_t>(i)] += mm * g * tw_[static_cast<size_t>(i)];
        w_[static_cast<size_t>(i)] = wi;
        biggest = std::max(biggest, wi * wi);
      }
      mm = mm * f / f_new;
      f = f_new;
      steady = biggest * std::abs(mm) < kSteadyTol * f;
    }
    return true;
  }

  // The Kalman filter with explicit P (missing values skip the update), switching to the
  // steady-state gain once P stops changing, and back to full updates at the next missing
  // value.
  bool Kalman(Sums* s, int anchor, Eigen::VectorXd* a_f, Eigen::MatrixXd* p_f) {
    const int r = r_, cols = des_.cols, nw = des_.nw;
    a_.assign(static_cast<size_t>(r) * cols, 0.0);
    k_.resize(static_cast<size_t>(r));
    v_.resize(static_cast<size_t>(cols));
    pn_.resize(p_.size());
    tp_.resize(p_.size());
    bool steady = false;
    double f = 0;
    for (int t = 0; t < nw; ++t) {
      const bool ok = des_.usable[static_cast<size_t>(t)] != 0;
      if (ok) {
        if (!steady) {
          f = Pm(p_, 0, 0);
          if (!(f > 0)) return false;
          for (int i = 0; i < r; ++i) {
            k_[static_cast<size_t>(i)] = ph_[static_cast<size_t>(i)] * Pm(p_, 0, 0) + (i + 1 < r ? Pm(p_, i + 1, 0) : 0.0);
          }
        }
        const double* row = &des_.w[static_cast<size_t>(t) * cols];
        const double inv_f = 1.0 / f;
        for (int c = 0; c < cols; ++c) v_[static_cast<size_t>(c)] = row[c] - a_[static_cast<size_t>(c) * r];
        s->sumlog += std::log(f);
        ++s->nu;
        Accumulate(s, inv_f);
        if (t == anchor) {
          // Filtered moments at the anchor: a + P Z' v / F, P - P Z' Z P / F.
          a_f->resize(r);
          p_f->resize(r, r);
          for (int i = 0; i < r; ++i) (*a_f)[i] = a_[static_cast<size_t>(i)] + Pm(p_, i, 0) * v_[0] * inv_f;
          for (int i = 0; i < r; ++i) {
            for (int j = 0; j < r; ++j) (*p_f)(i, j) = Pm(p_, i, j) - Pm(p_, i, 0) * Pm(p_, 0, j) * inv_f;
          }
          return true;
        }
        for (int c = 0; c < cols; ++c) {
          double* a = &a_[static_cast<size_t>(c) * r];
          const double gain = v_[static_cast<size_t>(c)] * inv_f;
          ApplyT(a);
          for (int i = 0; i < r; ++i) a[i] += k_[static_cast<size_t>(i)] * gain;
        }
        if (steady) continue;
        PredictP(f, true);
      } else {
        for (int c = 0; c < cols; ++c) ApplyT(&a_[static_cast<size_t>(c) * r]);
        steady = false;
        PredictP(1.0, false);
        continue;
      }
      double change = 0;
      for (size_t i = 0; i < p_.size(); ++i) change = std::max(change, std::abs(pn_[i] - p_[i]));
      std::swap(p_, pn_);
      steady = change < kSteadyTol * std::max(1.0, f);
    }
    if (anchor >= 0) return false;  // the anchor was not a usable row
    return true;
  }

  // pn_ = T P T' + R R' (- K K' / F when `update`), O(r^2) with T's companion structure:
  // (T P)_ij = phi_i P_0j + P_{i+1,j}, (M T')_ij = phi_j M_i0 + M_{i,j+1}. Leaves the result in
  // pn_ (update) or p_ (no update).
  void PredictP(double f, bool update) {
    const int r = r_;
    for (int i = 0; i < r; ++i) {
      for (int j = 0; j < r; ++j) {
        tp_[static_cast<size_t>(i) * r + j] =
            ph_[static_cast<size_t>(i)] * Pm(p_, 0, j) + (i + 1 < r ? Pm(p_, i + 1, j) : 0.0);
      }
    }
    for (int i = 0; i < r; ++i) {
      for (int j = 0; j < r; ++j) {
        double v = ph_[static_cast<size_t>(j)] * tp_[static_cast<size_t>(i) * r] +
                   (j + 1 < r ? tp_[static_cast<size_t>(i) * r + j + 1] : 0.0) +
                   rv_[static_cast<size_t>(i)] * rv_[static_cast<size_t>(j)];
        if (update) v -= k_[static_cast<size_t>(i)] * k_[static_cast<size_t>(j)] / f;
        pn_[static_cast<size_t>(i) * r + j] = v;
      }
    }
    if (!update) std::swap(p_, pn_);
  }

  const Design& des_;
  int r_ = 1;
  std::vector<double> ph_, rv_, p_, pn_, tp_, a_, k_, w_, tw_, v_, e_;
  std::vector<int> ar_lags_, ma_lags_;
  Eigen::MatrixXd a_sys_;
  Eigen::VectorXd b_sys_, u_;
  Eigen::PartialPivLU<Eigen::MatrixXd> lu_;
};

// Concentrates beta (GLS) and returns the sum of squares sum (v_y - V_x beta)^2 / F; with
// `fixed` the given beta is used instead.
double Profile(const Sums& s, int cols, const std::vector<double>* fixed, std::vector<double>* beta) {
  const int k = cols - 1;
  Eigen::MatrixXd c = s.C.selfadjointView<Eigen::Upper>();
  if (k == 0) {
    beta->clear();
    return c(0, 0);
  }
  Eigen::VectorXd b(k);
  if (fixed != nullptr) {
    for (int j = 0; j < k; ++j) b[j] = (*fixed)[static_cast<size_t>(j)];
  } else {
    b = c.bottomRightCorner(k, k).ldlt().solve(c.col(0).tail(k));
  }
  beta->assign(b.data(), b.data() + k);
  Eigen::VectorXd full(cols);
  full[0] = 1;
  full.tail(k) = -b;
  return std::max(full.dot(c * full), 0.0);
}

// stats::arima's own likelihood (C function ARIMA_Like, R 4.2): the differencing lives in the
// state, whose last nd entries hold past values of z = y - x'beta and start from N(0, kappa I)
// with kappa = 1e6, and an innovation enters the sums only when its variance F_t < 1e4 (which
// leaves out the nd first, diffuse ones). This approximates the exact diffuse likelihood to
// O(sigma^2 / kappa) in each term; the difference is visible at 1e-5 relative, so reports that
// must equal R's use this filter. `ssq_all` also sums the diffuse innovations, as
// forecast::Arima's sigma2 = sum(residuals^2) / (n* - k + 1) does. Dense O(n (r + nd)^3).
struct RLikelihood {
  double ssq = 0, ssq_all = 0, sumlog = 0;
  int nu = 0;
};

bool RDiffuseLikelihood(std::span<const double> z, const std::vector<double>& phi,
                        const std::vector<double>& theta, const std::vector<double>& c,
                        RLikelihood* out) {
  constexpr double kKappa = 1e6;
  Design empty;
  ArmaEngine engine(empty);
  Eigen::MatrixXd sigma;
  if (!engine.StationaryCovariance(phi, theta, &sigma)) return false;
  const int r = engine.r();
  const int nd = static_cast<int>(c.size()) - 1;
  const int dim = r + nd;
  Eigen::MatrixXd tt = Eigen::MatrixXd::Zero(dim, dim);
  Eigen::VectorXd zz = Eigen::VectorXd::Zero(dim), rr = Eigen::VectorXd::Zero(dim);
  zz[0] = 1;
  for (int k = 1; k <= nd; ++k) zz[r + k - 1] = -c[static_cast<size_t>(k)];
  for (int i = 0; i < r; ++i) {
    tt(i, 0) = engine.ph()[static_cast<size_t>(i)];
    if (i + 1 < r) tt(i, i + 1) = 1;
    rr[i] = engine.rv()[static_cast<size_t>(i)];
  }
  if (nd > 0) {
    tt.row(r) = zz.transpose();
    for (int i = 1; i < nd; ++i) tt(r + i, r + i - 1) = 1;
  }
  const Eigen::MatrixXd vv = rr * rr.transpose();
  Eigen::VectorXd a = Eigen::VectorXd::Zero(dim);
  Eigen::MatrixXd pp = Eigen::MatrixXd::Zero(dim, dim);
  pp.topLeftCorner(r, r) = sigma;
  for (int i = r; i < dim; ++i) pp(i, i) = kKappa;
  *out = RLikelihood{};
  for (size_t t = 0; t < z.size(); ++t) {
    a = tt * a;
    if (t > 0) pp = tt * pp * tt.transpose() + vv;
    if (!std::isfinite(z[t])) continue;
    const double resid = z[t] - zz.dot(a);
    const Eigen::VectorXd mv = pp * zz;
    const double gain = zz.dot(mv);
    if (!(gain > 0)) return false;
    if (gain < 1e4) {
      ++out->nu;
      out->ssq += resid * resid / gain;
      out->sumlog += std::log(gain);
    }
    out->ssq_all += resid * resid / gain;
    a += mv * (resid / gain);
    pp -= mv * mv.transpose() / gain;
  }
  return out->nu > 0;
}

// R's objective values: ML 0.5 (log(ssq / nu) + sum log F / nu); CSS 0.5 log(ssq / nu).
double ObjectiveValue(bool ml, const Sums& s, double ssq) {
  if (s.nu < 1 || !(ssq > 0)) return kBad;
  const double v = 0.5 * std::log(ssq / s.nu) + (ml ? 0.5 * s.sumlog / s.nu : 0.0);
  return std::isfinite(v) ? v : kBad;
}

struct Objective {
  ArmaEngine* engine = nullptr;
  const Design* des = nullptr;
  Layout layout;
  int m = 1;
  bool ml = true;
  bool force_kalman = false;
  ArimaCoef coef;
  std::vector<double> phi, theta, beta;
  Sums sums;
  int evaluations = 0;
  double best_value = kBad;
  std::vector<double> best_x;

  double operator()(const double* x) {
    ++evaluations;
    layout.Decode(x, &coef);
    ExpandPolynomials(coef, m, &phi, &theta);
    double value = kBad;
    if (ml) {
      if (engine->Exact(phi, theta, force_kalman, &sums)) {
        value = ObjectiveValue(true, sums, Profile(sums, des->cols, nullptr, &beta));
      }
    } else {
      engine->Css(phi, theta, &sums);
      value = ObjectiveValue(false, sums, Profile(sums, des->cols, nullptr, &beta));
    }
    if (value < best_value) {
      best_value = value;
      best_x.assign(x, x + layout.dim());
    }
    return value;
  }
};

double NloptObjective(unsigned /*n*/, const double* x, double* /*grad*/, void* data) {
  return (*static_cast<Objective*>(data))(x);
}

// Minimises from x0; the best point seen is returned even when NLopt stops with an exception.
std::vector<double> Minimise(Objective* obj, std::vector<double> x0, int max_evaluations) {
  const int dim = obj->layout.dim();
  obj->best_value = kBad;
  obj->best_x = x0;
  for (double& v : x0) v = std::clamp(v, -kBound + 1e-6, kBound - 1e-6);
  (*obj)(x0.data());
  if (dim == 0) return x0;
  try {
    // BOBYQA (Powell 2009) for 2+ variables, as ets.cpp; Nelder-Mead in one dimension.
    nlopt::opt opt(dim >= 2 ? nlopt::LN_BOBYQA : nlopt::LN_NELDERMEAD, static_cast<unsigned>(dim));
    opt.set_lower_bounds(std::vector<double>(static_cast<size_t>(dim), -kBound));
    opt.set_upper_bounds(std::vector<double>(static_cast<size_t>(dim), kBound));
    opt.set_initial_step(0.1);
    opt.set_min_objective(NloptObjective, obj);
    // The objective is a per-observation quantity (0.5 log sigma2 + ...): a change of 1e-9 moves
    // -2 log L by 2e-9 n*, far below what separates models in the search; tighter stops cost
    // evaluations (measured: 1e-13 / 1e-8 took ~2x the time for the same orders on M3).
    opt.set_xtol_abs(1e-6);
    opt.set_ftol_abs(1e-9);
    opt.set_maxeval(max_evaluations);
    double value = 0;
    std::vector<double> x = x0;
    opt.optimize(x, value);
  } catch (const std::exception&) {
    // roundoff_limited or another stop: the best point is kept in `obj`.
  }
  return obj->best_x;
}

Status ValidateSpec(const ArimaSpec& spec) {
  const ArimaOrder& o = spec.order;
  if (o.p < 0 || o.d < 0 || o.q < 0 || o.P < 0 || o.D < 0 || o.Q < 0) {
    return Error::InvalidArgument(
        fmt::format("arima: order {}; every order must be >= 0", o.ToString()));
  }
  if (o.m < 1) return Error::InvalidArgument(fmt::format("arima: season m = {}; must be >= 1", o.m));
  if (o.m == 1 && (o.P > 0 || o.D > 0 || o.Q > 0)) {
    return Error::InvalidArgument(fmt::format(
        "arima: seasonal order ({},{},{}) with season m = 1; a seasonal part needs m >= 2", o.P,
        o.D, o.Q));
  }
  if (o.p > 60 || o.q > 60 || o.P > 60 || o.Q > 60) {
    return Error::InvalidArgument(fmt::format("arima: order {}; orders must be <= 60", o.ToString()));
  }
  return Status::Ok();
}

// aic, aicc, bic and forecast::Arima's sigma2 = ssq / (n* - k + 1) from the loglik.
void SetCriteria(double ssq_for_sigma2, ArimaFit* fit) {
  const int npar = fit->num_params;
  const double nstar = fit->nstar;
  fit->aic = -2 * fit->loglik + 2.0 * npar;
  fit->aicc = nstar - npar - 1 > 0 ? fit->aic + 2.0 * npar * (npar + 1) / (nstar - npar - 1) : kInf;
  fit->bic = fit->aic + npar * (std::log(nstar) - 2);
  fit->sigma2 = nstar - npar + 1 > 0 ? ssq_for_sigma2 / (nstar - npar + 1) : fit->sigma2_mle;
}

// Fills the criteria from the sums at the final parameters.
void FinishFit(const Design& des, const Sums& s, double ssq, bool ml, ArimaFit* fit) {
  const int k = fit->spec.order.p + fit->spec.order.q + fit->spec.order.P + fit->spec.order.Q +
                static_cast<int>(fit->coef.beta.size());
  fit->num_params = k + 1;
  if (ml) {
    fit->nstar = s.nu;
    fit->sigma2_mle = ssq / s.nu;
    fit->loglik = -0.5 * (s.nu * std::log(2 * std::numbers::pi * fit->sigma2_mle) + s.sumlog + s.nu);
  } else {
    // R's CSS loglik: -n*/2 (log(2 pi sigma2) + 1), sigma2 = ssq / (residuals counted), with
    // n* the usable differenced values.
    fit->nstar = des.nobs;
    fit->sigma2_mle = ssq / std::max(s.nu, 1);
    fit->loglik = -0.5 * fit->nstar * (std::log(2 * std::numbers::pi * fit->sigma2_mle) + 1);
  }
  SetCriteria(ssq, fit);
  fit->coef.beta_names = des.beta_names;
  fit->user_regressors.clear();
}

// Replaces loglik, criteria and sigma2 by stats::arima's kappa = 1e6 values (see
// RDiffuseLikelihood); nothing changes without differencing, where both are exact.
void ReportLikeR(const Design& des, std::span<const double> y, ArimaFit* fit) {
  if (des.nd == 0) return;
  std::vector<double> z(y.begin(), y.end());
  for (size_t t = 0; t < z.size(); ++t) {
    for (size_t j = 0; j < des.xcols.size(); ++j) z[t] -= fit->coef.beta[j] * des.xcols[j][t];
  }
  std::vector<double> phi, theta;
  ExpandPolynomials(fit->coef, fit->spec.order.m, &phi, &theta);
  RLikelihood rl;
  if (!RDiffuseLikelihood(z, phi, theta, des.c, &rl)) return;
  fit->sigma2_mle = rl.ssq / rl.nu;
  fit->loglik = -0.5 * (rl.nu * std::log(2 * std::numbers::pi * fit->sigma2_mle) + rl.sumlog + rl.nu);
  SetCriteria(rl.ssq_all, fit);
}

void SetUserRegressors(const Design& des, const Regressors& x, ArimaFit* fit) {
  fit->user_regressors.clear();
  for (int idx : des.user_index) {
    if (idx >= 0) fit->user_regressors.push_back(x.names[static_cast<size_t>(idx)]);
  }
}

// The regression value x_t' beta at time t (t >= n uses future regressor values, held).
double RegressionAt(const ArimaFit& fit, const Regressors& x, size_t t) {
  double s = 0;
  for (size_t j = 0; j < fit.coef.beta.size(); ++j) {
    const std::string& name = fit.coef.beta_names[j];
    double v = 0;
    if (name == "intercept") {
      v = 1;
    } else if (name == "drift") {
      v = static_cast<double>(t + 1);
    } else {
      const auto it = std::find(x.names.begin(), x.names.end(), name);
      v = it == x.names.end() ? kNaN : x.At(static_cast<size_t>(it - x.names.begin()), t);
    }
    s += fit.coef.beta[j] * v;
  }
  return s;
}

bool IsConstantSeries(std::span<const double> y) {
  double first = kNaN;
  for (double v : y) {
    if (!std::isfinite(v)) continue;
    if (std::isnan(first)) first = v;
    if (std::abs(v - first) > 1e-12 * std::max(1.0, std::abs(first))) return false;
  }
  return true;
}

double Ic(const ArimaFit& fit, std::string_view ic) {
  if (ic == "aic") return fit.aic;
  if (ic == "bic") return fit.bic;
  return fit.aicc;
}

}  // namespace

// --- Public API ------------------------------------------------------------------------------

std::string ArimaOrder::ToString() const {
  std::string s = fmt::format("ARIMA({},{},{})", p, d, q);
  if (m > 1 && (P > 0 || D > 0 || Q > 0)) s += fmt::format("({},{},{})[{}]", P, D, Q, m);
  return s;
}

std::vector<std::string> ArimaFit::CoefNames() const {
  std::vector<std::string> out;
  auto add = [&](const char* prefix, size_t k) {
    for (size_t i = 1; i <= k; ++i) out.push_back(fmt::format("{}{}", prefix, i));
  };
  add("ar", coef.ar.size());
  add("ma", coef.ma.size());
  add("sar", coef.sar.size());
  add("sma", coef.sma.size());
  for (const auto& n : coef.beta_names) out.push_back(n);
  return out;
}

std::vector<double> ArimaFit::CoefValues() const {
  std::vector<double> out;
  for (const auto* v : {&coef.ar, &coef.ma, &coef.sar, &coef.sma, &coef.beta}) {
    out.insert(out.end(), v->begin(), v->end());
  }
  return out;
}

std::string ArimaFit::ToString() const {
  std::string s = spec.order.ToString();
  if (!user_regressors.empty()) return "Regression with " + s + " errors";
  for (const auto& n : coef.beta_names) {
    if (n == "drift") return s + " with drift";
  }
  for (const auto& n : coef.beta_names) {
    if (n == "intercept") return s + " with non-zero mean";
  }
  return spec.order.d + spec.order.D == 0 ? s + " with zero mean" : s;
}

double MinRootModulus(std::span<const double> coef, double sign) {
  size_t k = coef.size();
  while (k > 0 && std::abs(coef[k - 1]) <= 1e-8) --k;  // R trims near-zero trailing terms
  if (k == 0) return kInf;
  // Roots of 1 + sign * sum c_i z^i are 1/lambda for the eigenvalues lambda of the companion
  // matrix with first row -sign * c.
  Eigen::MatrixXd comp = Eigen::MatrixXd::Zero(static_cast<int>(k), static_cast<int>(k));
  for (size_t i = 0; i < k; ++i) comp(0, static_cast<int>(i)) = -sign * coef[i];
  for (int i = 1; i < static_cast<int>(k); ++i) comp(i, i - 1) = 1;
  Eigen::EigenSolver<Eigen::MatrixXd> es(comp, false);
  double rho = 0;
  for (int i = 0; i < es.eigenvalues().size(); ++i) rho = std::max(rho, std::abs(es.eigenvalues()[i]));
  return rho > 0 ? 1.0 / rho : kInf;
}

Result<ArimaFit> EvaluateArima(std::span<const double> y, const ArimaSpec& spec,
                               const ArimaCoef& coef, const Regressors& x,
                               const ArimaOptions& options) {
  SC_RETURN_IF_ERROR(ValidateSpec(spec));
  const ArimaOrder& o = spec.order;
  if (coef.ar.size() != static_cast<size_t>(o.p) || coef.ma.size() != static_cast<size_t>(o.q) ||
      coef.sar.size() != static_cast<size_t>(o.P) || coef.sma.size() != static_cast<size_t>(o.Q)) {
    return Error::InvalidArgument(fmt::format(
        "arima: coefficients ar/ma/sar/sma of lengths {}/{}/{}/{} for {}; they must match the "
        "order",
        coef.ar.size(), coef.ma.size(), coef.sar.size(), coef.sma.size(), o.ToString()));
  }
  SC_ASSIGN_OR_RETURN(Design des, BuildDesign(y, spec, x));
  if (coef.beta.size() != des.xcols.size()) {
    return Error::InvalidArgument(fmt::format(
        "arima: {} regression coefficients for {} regression columns ({}); they must match",
        coef.beta.size(), des.xcols.size(), fmt::join(des.beta_names, ", ")));
  }
  if (MinRootModulus(coef.ar, -1) <= 1 || MinRootModulus(coef.sar, -1) <= 1) {
    return Error::InvalidArgument(
        fmt::format("arima: {} AR part is not stationary (a root on or inside the unit circle)",
                    o.ToString()));
  }
  if (des.nobs < 2) {
    return Error::InvalidArgument(fmt::format(
        "arima: {} usable differenced values for {}; needs at least 2", des.nobs, o.ToString()));
  }
  std::vector<double> phi, theta, beta;
  ExpandPolynomials(coef, o.m, &phi, &theta);
  ArmaEngine engine(des);
  Sums s;
  if (!engine.Exact(phi, theta, options.force_kalman, &s)) {
    return Error::InvalidArgument(
        fmt::format("arima: {}: the likelihood is undefined at these coefficients", o.ToString()));
  }
  const double ssq = Profile(s, des.cols, &coef.beta, &beta);
  ArimaFit fit;
  fit.spec = spec;
  fit.coef = coef;
  fit.method = "fixed";
  FinishFit(des, s, ssq, true, &fit);
  SetUserRegressors(des, x, &fit);
  if (options.r_compatible) ReportLikeR(des, y, &fit);
  return fit;
}

Result<ArimaFit> FitArima(std::span<const double> y, const ArimaSpec& spec,
                          const ArimaOptions& options, const Regressors& x) {
  SC_RETURN_IF_ERROR(ValidateSpec(spec));
  const ArimaOrder& o = spec.order;
  SC_ASSIGN_OR_RETURN(Design des, BuildDesign(y, spec, x));
  Layout layout{o.p, o.q, o.P, o.Q};
  const int k = layout.dim() + des.cols - 1;
  if (des.nobs < k + 2) {
    return Error::InvalidArgument(fmt::format(
        "arima: {} usable differenced values for {} with {} coefficients; needs at least {}",
        des.nobs, o.ToString(), k, k + 2));
  }
  ArmaEngine engine(des);
  Objective obj;
  obj.engine = &engine;
  obj.des = &des;
  obj.layout = layout;
  obj.m = o.m;
  obj.force_kalman = options.force_kalman;
  std::vector<double> x0(static_cast<size_t>(layout.dim()), 0.0);
  const bool css_stage = options.method != ArimaMethod::kMl;
  const bool ml_stage = options.method != ArimaMethod::kCss;
  if (css_stage) {
    // CSS needs more than the p + mP conditioning values.
    if (des.nw - (o.p + o.m * o.P) > k + 1 || !ml_stage) {
      obj.ml = false;
      x0 = Minimise(&obj, x0, options.max_evaluations);
      if (obj.best_value >= kBad && !ml_stage) {
        return Error::InvalidArgument(fmt::format(
            "arima: {}: the conditional sum of squares is undefined (too few values after the "
            "first {} conditioning ones)",
            o.ToString(), o.p + o.m * o.P));
      }
      if (obj.best_value >= kBad) std::fill(x0.begin(), x0.end(), 0.0);
    }
  }
  if (ml_stage) {
    obj.ml = true;
    x0 = Minimise(&obj, x0, options.max_evaluations);
    if (obj.best_value >= kBad) {
      return Error::InvalidArgument(fmt::format(
          "arima: {}: no admissible parameters found (the likelihood is undefined at every "
          "point tried)",
          o.ToString()));
    }
  }
  // Final evaluation at the best point.
  obj(x0.data());
  ArimaFit fit;
  fit.spec = spec;
  layout.Decode(x0.data(), &fit.coef);
  fit.coef.beta = obj.beta;
  const double ssq = Profile(obj.sums, des.cols, nullptr, &fit.coef.beta);
  fit.method = options.method == ArimaMethod::kCssMl ? "CSS-ML"
               : options.method == ArimaMethod::kMl  ? "ML"
                                                     : "CSS";
  FinishFit(des, obj.sums, ssq, ml_stage, &fit);
  SetUserRegressors(des, x, &fit);
  if (options.r_compatible && ml_stage) ReportLikeR(des, y, &fit);
  return fit;
}

Result<ArimaForecast> ForecastArima(const ArimaFit& fit, std::span<const double> y, int horizon,
                                    const Regressors& x) {
  if (horizon < 1) {
    return Error::InvalidArgument(fmt::format("arima: horizon = {}; must be >= 1", horizon));
  }
  const ArimaOrder& o = fit.spec.order;
  const size_t n = y.size();
  ArimaForecast out;
  if (fit.constant_series) {
    out.mean.assign(static_cast<size_t>(horizon), fit.coef.beta.empty() ? 0.0 : fit.coef.beta[0]);
    out.variance.assign(static_cast<size_t>(horizon), 0.0);
    return out;
  }
  // z = y - x' beta, then the single-column design of its differences.
  std::vector<double> z(n);
  for (size_t t = 0; t < n; ++t) z[t] = y[t] - RegressionAt(fit, x, t);
  ArimaSpec plain = fit.spec;
  plain.include_mean = plain.include_drift = false;
  SC_ASSIGN_OR_RETURN(Design des, BuildDesign(z, plain, Regressors{}));
  const int nd = des.nd;
  // Anchor: the last time whose nd + 1 values z_{t-nd..t} are all observed.
  int anchor = -1;
  for (int t = static_cast<int>(n) - 1; t >= nd && anchor < 0; --t) {
    bool ok = true;
    for (int k = 0; k <= nd && ok; ++k) ok = std::isfinite(z[static_cast<size_t>(t - k)]);
    if (ok) anchor = t;
  }
  if (anchor < 0) {
    return Error::InvalidArgument(fmt::format(
        "arima: no {} consecutive observed values to start the forecast of {}", nd + 1,
        o.ToString()));
  }
  std::vector<double> phi, theta;
  ExpandPolynomials(fit.coef, o.m, &phi, &theta);
  ArmaEngine engine(des);
  Eigen::VectorXd a_f;
  Eigen::MatrixXd p_f;
  if (!engine.FilterTo(phi, theta, anchor - nd, &a_f, &p_f)) {
    return Error::InvalidArgument(
        fmt::format("arima: {}: the state filter failed at these coefficients", o.ToString()));
  }
  // Augmented state [alpha (r); z_t, z_{t-1}, ..., z_{t-nd+1}]: z_{t+1} = w_{t+1} +
  // sum_k delta_k z_{t+1-k} with w_{t+1} = (T alpha_t)_0 + eps_{t+1}, delta_k = -c_k.
  const int r = engine.r();
  const int dim = r + nd;
  Eigen::MatrixXd tt = Eigen::MatrixXd::Zero(dim, dim);
  for (int i = 0; i < r; ++i) {
    tt(i, 0) = engine.ph()[static_cast<size_t>(i)];
    if (i + 1 < r) tt(i, i + 1) = 1;
  }
  Eigen::VectorXd rr = Eigen::VectorXd::Zero(dim);
  for (int i = 0; i < r; ++i) rr[i] = engine.rv()[static_cast<size_t>(i)];
  if (nd > 0) {
    tt.row(r).head(r) = tt.row(0).head(r);
    for (int k = 1; k <= nd; ++k) tt(r, r + k - 1) = -des.c[static_cast<size_t>(k)];
    for (int i = 1; i < nd; ++i) tt(r + i, r + i - 1) = 1;
    rr[r] = 1;
  }
  const Eigen::MatrixXd qq = rr * rr.transpose();
  Eigen::VectorXd a = Eigen::VectorXd::Zero(dim);
  Eigen::MatrixXd pp = Eigen::MatrixXd::Zero(dim, dim);
  a.head(r) = a_f;
  pp.topLeftCorner(r, r) = p_f;
  for (int k = 0; k < nd; ++k) a[r + k] = z[static_cast<size_t>(anchor - k)];
  // The observation is z (index r) when nd > 0, else w = alpha_0.
  const int obs = nd > 0 ? r : 0;
  for (size_t t = static_cast<size_t>(anchor) + 1; t < n; ++t) {
    a = tt * a;
    pp = tt * pp * tt.transpose() + qq;
    if (!std::isfinite(z[t])) continue;
    const double f = pp(obs, obs);
    if (!(f > 0)) continue;
    const Eigen::VectorXd pz = pp.col(obs);
    a += pz * ((z[t] - a[obs]) / f);
    pp -= pz * pz.transpose() / f;
  }
  out.mean.resize(static_cast<size_t>(horizon));
  out.variance.resize(static_cast<size_t>(horizon));
  for (int h = 0; h < horizon; ++h) {
    a = tt * a;
    pp = tt * pp * tt.transpose() + qq;
    out.mean[static_cast<size_t>(h)] = a[obs] + RegressionAt(fit, x, n + static_cast<size_t>(h));
    out.variance[static_cast<size_t>(h)] = std::max(pp(obs, obs), 0.0);
  }
  return out;
}

// --- auto.arima --------------------------------------------------------------------------------

namespace {

struct Candidate {
  int p, q, P, Q;
  bool constant;
  double ic;
};

class AutoSearch {
 public:
  AutoSearch(std::span<const double> y, int m, int d, int D, const AutoArimaOptions& o,
             const Regressors& x, bool approximation, std::string ic)
      : y_(y), m_(m), d_(d), D_(D), o_(o), x_(x), approx_(approximation), ic_(std::move(ic)) {}

  // myarima(): fits one candidate, its criterion or infinity (a failed fit, or an AR/MA root
  // within 1.01 of the unit circle).
  double Try(int p, int q, int P, int Q, bool constant, bool approximation,
             std::optional<ArimaFit>* keep) {
    ArimaSpec spec;
    spec.order = {p, d_, q, P, D_, Q, m_};
    spec.include_mean = constant && d_ + D_ == 0;
    spec.include_drift = constant && d_ + D_ == 1;
    ArimaOptions opt;
    opt.method = approximation ? ArimaMethod::kCss : ArimaMethod::kCssMl;
    opt.max_evaluations = o_.max_evaluations;
    opt.r_compatible = false;  // the chosen model is re-reported at the end (AutoArima)
    auto fit = FitArima(y_, spec, opt, x_);
    if (!fit.ok()) return kInf;
    double ic = Ic(*fit, ic_);
    if (!std::isfinite(ic)) return kInf;
    std::vector<double> phi, theta;
    ExpandPolynomials(fit->coef, m_, &phi, &theta);
    const double min_root = std::min(MinRootModulus(phi, -1), MinRootModulus(theta, 1));
    if (min_root < 1.01) ic = kInf;
    if (keep != nullptr) *keep = std::move(fit).value();
    return ic;
  }

  bool Seen(int p, int q, int P, int Q, bool constant) const {
    for (const auto& c : results_) {
      if (c.p == p && c.q == q && c.P == P && c.Q == Q && c.constant == constant) return true;
    }
    return false;
  }

  // Fits and records; returns true when it beats the best so far (and makes it the best).
  bool Consider(int p, int q, int P, int Q, bool constant) {
    std::optional<ArimaFit> fit;
    const double ic = Try(p, q, P, Q, constant, approx_, &fit);
    results_.push_back({p, q, P, Q, constant, ic});
    if (ic < best_ic_) {
      best_ic_ = ic;
      best_ = std::move(fit);
      return true;
    }
    return false;
  }

  Result<ArimaFit> Run(int max_p, int max_q, int max_P, int max_Q, bool allow_constant,
                       int serieslength) {
    bool constant = allow_constant;
    if (!o_.stepwise) {
      for (int p = 0; p <= max_p; ++p) {
        for (int q = 0; q <= max_q; ++q) {
          for (int P = 0; P <= max_P; ++P) {
            for (int Q = 0; Q <= max_Q; ++Q) {
              if (p + q + P + Q > o_.max_order) continue;
              for (int c = 0; c <= (allow_constant ? 1 : 0); ++c) Consider(p, q, P, Q, c == 1);
            }
          }
        }
      }
    } else {
      int sp = 2, sq = 2, sP = 1, sQ = 1;
      if (serieslength < 10) {
        sp = std::min(sp, 1);
        sq = std::min(sq, 1);
        sP = sQ = 0;
      }
      int p = std::min(sp, max_p), q = std::min(sq, max_q);
      int P = std::min(sP, max_P), Q = std::min(sQ, max_Q);
      Consider(p, q, P, Q, constant);
      if (Consider(0, 0, 0, 0, constant)) p = q = P = Q = 0;
      if (max_p > 0 || max_P > 0) {
        const int ap = max_p > 0 ? 1 : 0, aP = (m_ > 1 && max_P > 0) ? 1 : 0;
        if (Consider(ap, 0, aP, 0, constant)) {
          p = ap;
          P = aP;
          q = Q = 0;
        }
      }
      if (max_q > 0 || max_Q > 0) {
        const int aq = max_q > 0 ? 1 : 0, aQ = (m_ > 1 && max_Q > 0) ? 1 : 0;
        if (Consider(0, aq, 0, aQ, constant)) {
          q = aq;
          Q = aQ;
          p = P = 0;
        }
      }
      // R keeps `constant` as is when this wins (forecast 8.20): only the orders change.
      if (constant && Consider(0, 0, 0, 0, false)) p = q = P = Q = 0;
      constexpr int kMaxModels = 94;
      size_t startk = 0;
      bool c = constant;
      while (startk < results_.size() && static_cast<int>(results_.size()) < kMaxModels) {
        startk = results_.size();
        struct Move {
          int dp, dq, dP, dQ;
        };
        // R's order of neighbours.
        static constexpr std::array<Move, 16> kMoves = {{{0, 0, -1, 0},
                                                          {0, 0, 0, -1},
                                                          {0, 0, 1, 0},
                                                          {0, 0, 0, 1},
                                                          {0, 0, -1, -1},
                                                          {0, 0, -1, 1},
                                                          {0, 0, 1, -1},
                                                          {0, 0, 1, 1},
                                                          {-1, 0, 0, 0},
                                                          {0, -1, 0, 0},
                                                          {1, 0, 0, 0},
                                                          {0, 1, 0, 0},
                                                          {-1, -1, 0, 0},
                                                          {-1, 1, 0, 0},
                                                          {1, -1, 0, 0},
                                                          {1, 1, 0, 0}}};
        bool moved = false;
        for (const Move& mv : kMoves) {
          const int np = p + mv.dp, nq = q + mv.dq, nP = P + mv.dP, nQ = Q + mv.dQ;
          if (np < 0 || nq < 0 || nP < 0 || nQ < 0 || np > max_p || nq > max_q || nP > max_P ||
              nQ > max_Q) {
            continue;
          }
          if (Seen(np, nq, nP, nQ, c)) continue;
          if (static_cast<int>(results_.size()) >= kMaxModels) break;
          if (Consider(np, nq, nP, nQ, c)) {
            p = np;
            q = nq;
            P = nP;
            Q = nQ;
            moved = true;
            break;
          }
        }
        if (moved) continue;
        if (allow_constant && !Seen(p, q, P, Q, !c) &&
            static_cast<int>(results_.size()) < kMaxModels) {
          if (Consider(p, q, P, Q, !c)) c = !c;
        }
      }
    }
    if (approx_) {
      // Refit the candidates exactly, best approximate criterion first; the first with a
      // finite criterion wins (R).
      std::vector<Candidate> order = results_;
      std::stable_sort(order.begin(), order.end(),
                       [](const Candidate& a, const Candidate& b) { return a.ic < b.ic; });
      for (const Candidate& cand : order) {
        if (!std::isfinite(cand.ic)) break;
        std::optional<ArimaFit> fit;
        const double ic = Try(cand.p, cand.q, cand.P, cand.Q, cand.constant, false, &fit);
        if (std::isfinite(ic)) return std::move(*fit);
      }
      return Error::InvalidArgument("auto.arima: no candidate model could be refitted exactly");
    }
    if (!best_ || !std::isfinite(best_ic_)) {
      return Error::InvalidArgument("auto.arima: no suitable ARIMA model found");
    }
    return std::move(*best_);
  }

 private:
  std::span<const double> y_;
  int m_, d_, D_;
  const AutoArimaOptions& o_;
  const Regressors& x_;
  bool approx_;
  std::string ic_;
  std::vector<Candidate> results_;
  std::optional<ArimaFit> best_;
  double best_ic_ = kInf;
};

// Residuals of an OLS regression of y on [1, x] (rows with any NaN stay NaN), which
// auto.arima tests for unit roots when regressors are given.
std::vector<double> RegressionResiduals(std::span<const double> y, const Regressors& x) {
  std::vector<double> out(y.begin(), y.end());
  if (x.values.empty()) return out;
  const size_t n = y.size();
  std::vector<size_t> rows;
  for (size_t t = 0; t < n; ++t) {
    bool ok = std::isfinite(y[t]);
    for (const auto& col : x.values) ok = ok && t < col.size() && std::isfinite(col[t]);
    if (ok) rows.push_back(t);
  }
  const int k = static_cast<int>(x.values.size()) + 1;
  if (static_cast<int>(rows.size()) <= k) return out;
  Eigen::MatrixXd a(static_cast<int>(rows.size()), k);
  Eigen::VectorXd b(static_cast<int>(rows.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    a(static_cast<int>(i), 0) = 1;
    for (int j = 1; j < k; ++j) a(static_cast<int>(i), j) = x.values[static_cast<size_t>(j - 1)][rows[i]];
    b[static_cast<int>(i)] = y[rows[i]];
  }
  const Eigen::VectorXd beta = a.colPivHouseholderQr().solve(b);
  for (size_t t = 0; t < n; ++t) out[t] = kNaN;
  for (size_t i = 0; i < rows.size(); ++i) out[rows[i]] = b[static_cast<int>(i)] - a.row(static_cast<int>(i)).dot(beta);
  return out;
}

std::vector<double> SeasonalDiff(std::span<const double> v, int lag) {
  std::vector<double> out;
  if (v.size() <= static_cast<size_t>(lag)) return out;
  for (size_t t = static_cast<size_t>(lag); t < v.size(); ++t) out.push_back(v[t] - v[t - static_cast<size_t>(lag)]);
  return out;
}

}  // namespace

Result<ArimaFit> AutoArima(std::span<const double> y, int m, const AutoArimaOptions& options,
                           const Regressors& x) {
  if (options.ic != "aicc" && options.ic != "aic" && options.ic != "bic") {
    return Error::InvalidArgument(
        fmt::format("auto.arima: ic = \"{}\"; must be aicc, aic or bic", options.ic));
  }
  if (m < 1) return Error::InvalidArgument(fmt::format("auto.arima: season m = {}; must be >= 1", m));
  int serieslength = 0;
  for (double v : y) serieslength += std::isfinite(v) ? 1 : 0;
  if (serieslength == 0) {
    return Error::InvalidArgument("auto.arima: no finite values; nothing to fit");
  }
  if (IsConstantSeries(y) && x.values.empty()) {
    // R: Arima(x, order = c(0, 0, 0), fixed = mean(x)): the constant forecast, no spread.
    double v = 0;
    for (double e : y) {
      if (std::isfinite(e)) v = e;
    }
    ArimaFit fit;
    fit.spec.order.m = m;
    fit.spec.include_mean = true;
    fit.coef.beta = {v};
    fit.coef.beta_names = {"intercept"};
    fit.constant_series = true;
    fit.method = "constant";
    fit.nstar = serieslength;
    fit.num_params = 1;
    return fit;
  }
  std::string ic = options.ic;
  if (serieslength <= 3) ic = "aic";
  int max_p = std::min(options.max_p, serieslength / 3);
  int max_q = std::min(options.max_q, serieslength / 3);
  int max_P = std::min(options.max_P, serieslength / 3 / std::max(m, 1));
  int max_Q = std::min(options.max_Q, serieslength / 3 / std::max(m, 1));
  const std::vector<double> xx = RegressionResiduals(y, x);
  int D = 0;
  if (m == 1) {
    max_P = max_Q = 0;
  } else if (options.D >= 0) {
    D = options.D;
  } else if (xx.size() > static_cast<size_t>(2 * m)) {
    D = Nsdiffs(xx, m, options.seasonal_test, options.max_D);
  }
  std::vector<double> dx = xx;
  for (int i = 0; i < D; ++i) dx = SeasonalDiff(dx, m);
  int d = options.d >= 0 ? options.d : Ndiffs(dx, 0.05, options.max_d);
  for (int i = 0; i < d; ++i) dx = SeasonalDiff(dx, 1);
  if (dx.empty() || std::none_of(dx.begin(), dx.end(), [](double v) { return std::isfinite(v); })) {
    return Error::InvalidArgument(fmt::format(
        "auto.arima: nothing left after {} difference(s) and {} seasonal difference(s) of {} "
        "values",
        d, D, y.size()));
  }
  if (IsConstantSeries(dx) && x.values.empty()) {
    // The differenced data are constant: a fixed random walk / seasonal random walk with the
    // constant as drift (R's special cases), fitted as ML without searching.
    ArimaSpec spec;
    spec.order = {0, d, 0, 0, D, 0, m};
    spec.include_drift = d + D == 1;
    spec.include_mean = d + D == 0;
    auto fit = FitArima(y, spec, {}, x);
    if (fit.ok()) return fit;
  }
  if (m > 1) {
    if (max_P > 0) max_p = std::min(max_p, m - 1);
    if (max_Q > 0) max_q = std::min(max_q, m - 1);
  }
  const bool approximation =
      options.approximation.value_or(y.size() > 150 || m > 12);
  const bool allow_drift = options.allow_drift && d + D == 1;
  const bool allow_mean = options.allow_mean && d + D == 0;
  AutoSearch search(y, m, d, D, options, x, approximation, ic);
  SC_ASSIGN_OR_RETURN(ArimaFit best,
                      search.Run(max_p, max_q, max_P, max_Q, allow_drift || allow_mean, serieslength));
  if (options.r_compatible) {
    ArimaOptions eval;
    eval.r_compatible = true;
    auto again = EvaluateArima(y, best.spec, best.coef, x, eval);
    if (again.ok()) {
      best.loglik = again->loglik;
      best.aic = again->aic;
      best.aicc = again->aicc;
      best.bic = again->bic;
      best.sigma2 = again->sigma2;
      best.sigma2_mle = again->sigma2_mle;
    }
  }
  return best;
}

// --- The registered model -----------------------------------------------------------------

namespace {

struct ArimaSettings {
  std::optional<std::array<int, 3>> order, seasonal;
  int season = 0;
  std::string ic = "aicc";
  bool stepwise = true;
  SeasonalTest seasonal_test = SeasonalTest::kSeas;
  int max_p = 5, max_q = 5;
  int min_days = 7;
  std::string error;  // a malformed text parameter, reported by Fit
};

// "p,d,q", "p-d-q", "p/d/q" or "p d q": in a model spec string commas separate parameters,
// so there the order is written 1-1-1.
std::optional<std::array<int, 3>> ParseTriple(std::string_view text) {
  std::array<int, 3> out{};
  int count = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of(",-/ ", pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string part(text.substr(pos, end - pos));
    if (part.empty() || part.size() > 2 || count >= 3 ||
        !std::all_of(part.begin(), part.end(), [](unsigned char ch) { return std::isdigit(ch); })) {
      return std::nullopt;
    }
    out[static_cast<size_t>(count++)] = std::stoi(part);
    pos = end + 1;
  }
  if (count != 3) return std::nullopt;
  return out;
}

class ArimaModel final : public ForecastModel {
 public:
  explicit ArimaModel(ArimaSettings s) : s_(std::move(s)) {}
  std::string_view name() const override { return "arima"; }
  bool UsesRegressors() const override { return true; }

  Status Fit(std::span<const double> y, std::span<const uint8_t> flags, int season_length) override {
    return FitWithRegressors(y, flags, season_length, Regressors{});
  }

  Status FitWithRegressors(std::span<const double> y, std::span<const uint8_t> flags,
                           int season_length, const Regressors& x) override {
    SC_RETURN_IF_ERROR(ValidateFitArgs("arima", y, flags, season_length));
    SC_RETURN_IF_ERROR(ValidateRegressors("arima", x, y.size()));
    if (!s_.error.empty()) return Error::InvalidArgument(s_.error);
    fitted_ = true;
    fit_.reset();
    note_.clear();
    y_.assign(y.begin(), y.end());
    flags_.assign(flags.begin(), flags.end());
    const UsableSeries series = PrepareSeries(y, flags);
    if (series.usable < s_.min_days) return Status::Ok();  // Predict uses the shared rule
    series_ = series.y;
    // Regressors aligned with the prepared series (which starts at `offset`).
    x_ = Regressors{};
    x_.names = x.names;
    for (const auto& col : x.values) {
      x_.values.emplace_back(col.begin() + static_cast<long>(series.offset), col.end());
    }
    const int m = s_.season > 0 ? s_.season : season_length;
    auto fit = FitRequested(m);
    if (!fit.ok()) {
      // One bad series must not fail a run: the simplest ARIMA (white noise around a mean),
      // then (in Predict) the mean of the usable days.
      note_ = fit.error().message;
      ArimaSpec simple;
      simple.order.m = m;
      simple.include_mean = true;
      fit = FitArima(series_, simple, {}, x_);
      if (!fit.ok()) fit = FitArima(series_, simple, {}, Regressors{});
    }
    if (fit.ok()) fit_ = std::move(fit).value();
    else note_ += "; " + fit.error().message;
    return Status::Ok();
  }

  Result<Forecast> Predict(int horizon, std::span<const double> levels) const override {
    if (!fitted_) return Error::InvalidArgument("arima: Predict before Fit");
    SC_RETURN_IF_ERROR(ValidatePredictArgs("arima", horizon, levels));
    if (auto f = ShortHistoryForecast("arima", y_, flags_, s_.min_days, 28, horizon, levels)) {
      return *f;
    }
    Forecast out;
    Result<ArimaForecast> fc = Error::InvalidArgument("arima: no model fitted");
    if (fit_) {
      const bool with_x = !fit_->user_regressors.empty();
      fc = ForecastArima(*fit_, series_, horizon, with_x ? x_ : Regressors{});
    }
    if (!fc.ok()) {
      double sum = 0;
      int count = 0;
      for (double v : series_) {
        if (std::isfinite(v)) {
          sum += v;
          ++count;
        }
      }
      const double mean = sum / std::max(count, 1);
      out.fallback = "mean: " + (note_.empty() ? fc.error().message : note_);
      out.mean.assign(static_cast<size_t>(horizon), mean);
      out.levels.assign(levels.begin(), levels.end());
      out.quantiles.assign(levels.size(), std::vector<double>(static_cast<size_t>(horizon)));
      for (size_t l = 0; l < levels.size(); ++l) {
        std::fill(out.quantiles[l].begin(), out.quantiles[l].end(), PoissonQuantile(mean, levels[l]));
      }
      ClampForecast(&out);
      return out;
    }
    out.mean = fc->mean;
    std::vector<double> sd(fc->variance.size());
    for (size_t i = 0; i < sd.size(); ++i) sd[i] = std::sqrt(fc->variance[i] * fit_->sigma2);
    NormalQuantiles(out.mean, sd, levels, &out);
    ClampForecast(&out);
    return out;
  }

  std::string Chosen() const override { return fit_ ? fit_->ToString() : "arima"; }

 private:
  Result<ArimaFit> FitRequested(int m) const {
    if (s_.order) {
      ArimaSpec spec;
      const auto& o = *s_.order;
      const std::array<int, 3> so = s_.seasonal.value_or(std::array<int, 3>{0, 0, 0});
      spec.order = {o[0], o[1], o[2], so[0], so[1], so[2], m};
      if (m < 2) spec.order.P = spec.order.D = spec.order.Q = 0;
      spec.include_mean = o[1] + spec.order.D == 0;  // R's Arima default include.mean = TRUE
      ArimaOptions fit_options;
      fit_options.r_compatible = false;  // exact diffuse likelihood; no dense filter
      return FitArima(series_, spec, fit_options, x_);
    }
    AutoArimaOptions opt;
    opt.r_compatible = false;
    opt.ic = s_.ic;
    opt.stepwise = s_.stepwise;
    opt.seasonal_test = s_.seasonal_test;
    opt.max_p = s_.max_p;
    opt.max_q = s_.max_q;
    if (s_.seasonal) opt.D = (*s_.seasonal)[1];
    return AutoArima(series_, m, opt, x_);
  }

  ArimaSettings s_;
  bool fitted_ = false;
  std::vector<double> y_, series_;
  std::vector<uint8_t> flags_;
  Regressors x_;
  std::optional<ArimaFit> fit_;
  std::string note_;
};

}  // namespace

Status RegisterArimaModels(ModelRegistry& registry) {
  ParamSchema schema({
      {"order", ParamType::kString, "", -1e300, 1e300,
       "fixed non-seasonal order p-d-q (e.g. 1-1-1; commas separate spec parameters); empty = "
       "choose by auto.arima"},
      {"seasonal", ParamType::kString, "", -1e300, 1e300,
       "seasonal order P-D-Q (e.g. 0-1-1) with `order`; alone, fixes only D for the search"},
      {"season", ParamType::kInt, "0", 0, 366,
       "season length; 0 = the series' own (7 for daily data, 12 monthly)"},
      {"ic", ParamType::kString, "aicc", -1e300, 1e300, "selection criterion: aicc, aic or bic"},
      {"stepwise", ParamType::kBool, "true", 0, 1,
       "stepwise search (Hyndman & Khandakar 2008); false = every order with p+q+P+Q <= 5"},
      {"seasonal_test", ParamType::kString, "seas", -1e300, 1e300,
       "test choosing the seasonal difference D: seas (STL strength > 0.64) or ocsb"},
      {"max_p", ParamType::kInt, "5", 0, 10, "largest AR order searched"},
      {"max_q", ParamType::kInt, "5", 0, 10, "largest MA order searched"},
      {"min_days", ParamType::kInt, "7", 1, 3650,
       "with fewer usable values, forecast their total spread over 28 steps (Poisson "
       "quantiles); marked as a fallback"},
  });
  ModelFactory factory = [](const ParamValues& v) -> std::unique_ptr<ForecastModel> {
    ArimaSettings s;
    // A factory cannot fail, so malformed text values are kept in `error` and Fit reports them.
    auto triple = [&](const char* key, std::optional<std::array<int, 3>>* out) {
      const std::string& text = v.GetString(key);
      if (text.empty()) return;
      *out = ParseTriple(text);
      if (!*out && s.error.empty()) {
        s.error = fmt::format(
            "arima: {} = \"{}\" at model arima; must be three non-negative integers such as 1-1-1",
            key, text);
      }
    };
    triple("order", &s.order);
    triple("seasonal", &s.seasonal);
    s.season = v.GetInt("season");
    s.ic = v.GetString("ic");
    if (s.ic != "aicc" && s.ic != "aic" && s.ic != "bic" && s.error.empty()) {
      s.error = fmt::format("arima: ic = \"{}\" at model arima; must be aicc, aic or bic", s.ic);
    }
    s.stepwise = v.GetBool("stepwise");
    const auto test = ParseSeasonalTest(v.GetString("seasonal_test"));
    if (!test && s.error.empty()) {
      s.error = fmt::format("arima: seasonal_test = \"{}\" at model arima; must be seas or ocsb",
                            v.GetString("seasonal_test"));
    }
    s.seasonal_test = test.value_or(SeasonalTest::kSeas);
    s.max_p = v.GetInt("max_p");
    s.max_q = v.GetInt("max_q");
    s.min_days = v.GetInt("min_days");
    return std::make_unique<ArimaModel>(std::move(s));
  };
  return registry.Register(
      {"arima",
       "ARIMA/SARIMA by exact maximum likelihood (Kalman filter), order chosen by auto.arima "
       "(Hyndman & Khandakar 2008) unless fixed; regression with ARIMA errors on drivers",
       std::move(schema), std::move(factory)});
}

}  // namespace stockcast::forecast
