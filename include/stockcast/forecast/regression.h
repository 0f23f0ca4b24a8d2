#pragma once
// Regression on drivers (price, promotion, cart adds, calendar events) with ridge
// regularisation, Bayesian linear regression with posterior predictive intervals, and a
// dynamic linear model.
//
// Three registered models share one design-matrix builder (DesignBuilder):
//   regression        ridge regression on transformed demand, lambda by generalised
//                     cross-validation (Golub, Heath & Wahba 1979) or fixed
//   bayes_regression  conjugate Normal-Inverse-Gamma regression, exact Student-t predictive
//   dlm               dynamic linear model (West & Harrison 1997): local level or local linear
//                     trend + Fourier seasonal + regression states, discount-factor evolution
//                     variances (fixed or chosen by maximum predictive likelihood), unknown
//                     observation variance learned conjugately
// All three override ForecastModel::FitWithRegressors; plain Fit means "no drivers".
// The lower-level pieces (lag parsing, the NIG posterior, the Student-t quantile, the discount
// DLM filter) are public so tests and reports can check them against closed forms.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/forecast/distribution.h"
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {

// Adds the models to `registry` (called once by ModelRegistry::Global()).
Status RegisterRegressionModels(ModelRegistry& registry);

// --- Design matrix ------------------------------------------------------------------------

// How demand is transformed before the linear model: log1p (z = log(1 + y), so coefficients
// are relative effects and a log(price) coefficient is an elasticity) or none.
enum class DemandTransform { kLog1p, kNone };
std::string_view ToString(DemandTransform transform);
std::optional<DemandTransform> ParseDemandTransform(std::string_view text);

// Weekday features when dates are known: six 0/1 dummies (Monday is the base), three Fourier
// pairs of the ISO weekday, or none.
enum class WeekdayMode { kDummies, kFourier, kNone };
std::string_view ToString(WeekdayMode mode);
std::optional<WeekdayMode> ParseWeekdayMode(std::string_view text);

// A leading signal entered at lags first..last: columns x(t - first), ..., x(t - last).
struct LagSpec {
  std::string column;
  int first = 1;
  int last = 1;
};
// Parses "cart_adds:1-7" or "cart_adds:3", several joined by ';' ("cart_adds:1-7;views:2").
// Lags are in [0, 366] with first <= last. Empty text gives no lags.
Result<std::vector<LagSpec>> ParseLags(std::string_view text);

struct DesignOptions {
  bool trend = true;      // linear trend: days since the first usable day
  int fourier_k = 3;      // Fourier pairs of the season length (capped at floor(m / 2))
  WeekdayMode weekday = WeekdayMode::kDummies;  // with dates: replaces Fourier(7) when m = 7
  int yearly_k = 0;       // with dates: Fourier pairs of the year (period 365.25 days)
  bool events = true;     // with dates: festival dummies and the Spring Festival window
  int runup_days = 3;     // with dates: a dummy for the 1..runup_days days before 11.11 / 6.18
  int spring_before = 7;  // Spring Festival window: days before ...
  int spring_after = 15;  // ... and after Chinese New Year's day (inclusive)
  std::vector<LagSpec> lags;
};

// Builds the raw (unstandardised) feature row x(t) of any day t: t < n are the fitted days,
// t >= n the forecast horizon. Columns, in order:
//   trend            t - origin (origin = first usable day)
//   cos{j}_{m}, sin{j}_{m}   cos/sin(2 pi j t / m), j = 1..K (no sin at j = m/2)
//   weekday_tue..weekday_sun or wd_cos{j}/wd_sin{j}   (dates only)
//   year_cos{j}, year_sin{j} cos/sin(2 pi j d / 365.25), d = days since 1970-01-01
//   singles_day, 618, double_12, black_friday, cyber_monday   0/1 (Calendar::EventsOn)
//   spring_festival  1 from spring_before days before to spring_after days after CNY
//   singles_day_runup, 618_runup   1 on the runup_days days before 11.11 / 6.18
//   user regressors  x_j(t); a name starting with "price" enters as log(price), so with the
//                    log1p transform its coefficient is a price elasticity
//   {name}_lag{L}    x_j(t - L) for each LagSpec; a column named in `lags` enters only
//                    through its lags (ask for lag 0 to add the same-day value)
// There is no intercept column: the models add their own.
// Unknown values: in a fitted row, a NaN regressor, a non-positive price or a lag reaching
// before day 0 makes the row unavailable (the day is not used). In a forecast row (t >= n)
// a value not yet known -- past the end of its column, or NaN -- is the last known finite
// value of that column (a lagged signal on a step whose lag lies in the future is held at its
// last observation; a planned price or promotion given for the future is used as given).
class DesignBuilder {
 public:
  // Errors: regressors that fail ValidateRegressors; a lag naming a column that is absent
  // (listing the present ones). `model` prefixes messages; `origin` is the trend's day 0.
  static Result<DesignBuilder> Create(std::string_view model, const DesignOptions& options,
                                      size_t n, size_t origin, int season_length,
                                      const Regressors& x);

  size_t cols() const { return columns_.size(); }
  const std::vector<std::string>& names() const { return names_; }
  // Fills out[0..cols()) with x(t); returns false when a fitted-day value is unavailable (see
  // above). Forecast rows (t >= n) are always available unless a column has no finite value.
  bool Row(size_t t, std::span<double> out) const;
  // Whether column j comes from a user driver (a regressor or its lag), as opposed to the trend,
  // seasonal terms and calendar events, which extrapolate by construction.
  bool IsDriver(size_t j) const {
    return j < columns_.size() && (columns_[j].kind == Column::Kind::kRegressor ||
                                   columns_[j].kind == Column::Kind::kLag);
  }

  // One column's recipe (exposed only because the builder is a value type).
  struct Column {
    enum class Kind {
      kTrend, kFourierCos, kFourierSin, kWeekday, kWeekdayCos, kWeekdaySin, kYearCos,
      kYearSin, kEvent, kRunup11, kRunup618, kRegressor, kLag
    };
    Kind kind;
    int index = 0;      // harmonic j, weekday, event bit, or regressor column
    int lag = 0;        // kLag
    bool log = false;   // price columns enter as log
  };

 private:
  double RawValue(size_t column, long long s, bool forecast, bool log) const;

  std::vector<Column> columns_;
  std::vector<std::string> names_;
  std::vector<std::vector<double>> regressors_;  // copies of the user columns
  size_t n_ = 0;
  size_t origin_ = 0;
  int season_ = 1;
  std::optional<long long> first_day_;
  int spring_before_ = 7;
  int spring_after_ = 15;
  int runup_days_ = 0;
};

// --- Reports --------------------------------------------------------------------------------

struct Coefficient {
  std::string name;
  double value = 0.0;
};

// What a regression-type model fitted, on the transformed demand scale.
struct RegressionSummary {
  // "intercept" first, then each kept feature, on the original (unstandardised) scale of the
  // feature: d z / d x. With transform log1p: "log(price)" is the price elasticity and a 0/1
  // dummy's exp(value) - 1 is its relative lift. For the dlm: the filtered state at the last
  // day (intercept = level, "slope" = the local trend when present).
  std::vector<Coefficient> coefficients;
  std::vector<std::string> dropped;  // features constant over the usable days (no information)
  double lambda = 0.0;    // regression: the ridge penalty on standardised features
  double sigma = 0.0;     // residual (observation) standard deviation on the transformed scale
  double dof = 0.0;       // effective parameters (ridge), posterior / filter degrees of freedom
  int used_days = 0;      // days that entered the fit
  std::vector<double> discounts;  // dlm: trend, seasonal, regression discount factors used

  // The coefficient called `name`, or nullopt.
  std::optional<double> Find(std::string_view name) const;
};

// Implemented by regression, bayes_regression and dlm: dynamic_cast a ForecastModel to this.
class RegressionReport {
 public:
  virtual ~RegressionReport() = default;
  // Valid after a successful fit that did not fall back (used_days = 0 otherwise).
  virtual const RegressionSummary& Summary() const = 0;
};

// --- Distributions and closed forms -------------------------------------------------------

// StudentTQuantile(dof, p) and StudentTCdf(dof, t) live in distribution.h (shared with trend.cpp).

// Conjugate Normal-Inverse-Gamma regression y = X b + e, e ~ N(0, s2 I):
//   prior  b | s2 ~ N(m0, s2 V0), s2 ~ InvGamma(a0, b0), V0 = diag(prior_var)
//   posterior  Vn = (V0^-1 + X'X)^-1, mn = Vn (V0^-1 m0 + X'y), an = a0 + n/2,
//              bn = b0 + (y'y + m0' V0^-1 m0 - mn' Vn^-1 mn) / 2
// (Bernardo & Smith 1994, Bayesian Theory, 5.6; Murphy 2007, "Conjugate Bayesian analysis of
// the Gaussian distribution", 7.6).
struct NigPosterior {
  size_t p = 0;
  std::vector<double> mean;  // mn
  std::vector<double> cov;   // Vn, row-major p x p (the covariance of b is s2 Vn)
  double a = 0.0;
  double b = 0.0;
};
// `x` is row-major rows x cols. Errors: sizes that do not match, a0/b0/prior_var <= 0.
Result<NigPosterior> FitNig(std::span<const double> x, size_t rows, size_t cols,
                            std::span<const double> y, std::span<const double> prior_mean,
                            std::span<const double> prior_var, double a0, double b0);
// Posterior predictive of y* at row x*: Student t with 2 an degrees of freedom, location
// x*' mn and scale^2 = (bn / an)(1 + x*' Vn x*).
struct StudentT {
  double location = 0.0;
  double scale = 0.0;
  double dof = 0.0;
};
StudentT NigPredictive(const NigPosterior& post, std::span<const double> x);

// --- Discount dynamic linear model ---------------------------------------------------------

// State: [level, (slope)] + one (a, b) pair per harmonic j = 1..K of period m (a single state
// for j = m / 2) + one coefficient per regressor. Evolution G is block diagonal: [1] or
// [[1, 1], [0, 1]] for the trend, the rotation [[cos w, sin w], [-sin w, cos w]] with
// w = 2 pi j / m for each harmonic ([-1] at j = m/2), identity for regressors. Observation
// F_t = [1, (0), (1, 0) per harmonic, x_t].
struct DlmComponents {
  int trend_order = 1;     // 1 local level, 2 local linear trend
  int season_length = 1;
  int harmonics = 0;       // K, at most floor(m / 2)
  int regressors = 0;
  double delta_trend = 0.98;
  double delta_season = 0.99;
  double delta_regression = 0.999;

  int StateSize() const;
};
// Posterior at time t: state ~ T_dof(m, C), observation variance V with 1/V ~
// Gamma(dof/2, dof s/2) (West & Harrison 1997, section 4.6).
struct DlmState {
  std::vector<double> m;
  std::vector<double> c;  // row-major
  double dof = 1.0;
  double s = 1.0;
  double log_likelihood = 0.0;  // sum of one-step predictive log densities so far
  int updates = 0;              // observations used
};
// Filters y (NaN = missing: the state evolves, nothing is learned) from `prior`, with
// regressor rows x (row-major y.size() x regressors; a row containing NaN is treated as a
// missing day). Component discounting (W&H 6.3): P = G C G', R = P + W with
// W_ii = P_ii (1 - delta_i) / delta_i for each block i; then f = F'a, Q = F'RF + s,
// e = y - f, A = RF / Q, dof' = dof + 1, s' = s + (s / dof')(e^2 / Q - 1), m = a + A e,
// C = (s' / s)(R - A A' Q) (W&H Theorem 4.4 with the variance learning of section 4.6).
// The log likelihood adds log t_dof(e; 0, sqrt(Q)) for each observation.
DlmState FilterDiscountDlm(const DlmComponents& comp, std::span<const double> y,
                           std::span<const double> x, DlmState prior);

}  // namespace stockcast::forecast
