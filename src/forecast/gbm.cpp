// The global gradient-boosting forecaster. See gbm.h for the direct multi-step strategy and
// docs/design/ml.md for how it plugs into the pipeline; this file comments the choices made on
// the way.
//
// Quantiles (split conformal, Vovk et al. 2005; Lei et al. 2018, "Distribution-free predictive
// inference for regression"): the last `holdout_days` days of every series are held out, a
// first booster is trained on the rows whose target day lies before them (at most max_rows / 2
// of them), and it forecasts the holdout from the day before it (origin = n - holdout_days - 1,
// steps 1..holdout_days; recursively with strategy=recursive), as a real forecast would be made.
// Each holdout day gives a scaled residual r = (y - mu) / s(mu), s(mu) = (mu + 1/4)^(k/2): dividing
// by the standard deviation a variance law Var(y | mu) ~ phi (mu + 1/4)^k implies lets series of
// every size share one residual distribution (the 1/4 keeps near-zero means from blowing up). The
// power k is estimated on the holdout itself (VariancePower: k = 1 is Poisson noise, k = 2 noise
// proportional to the level, as in multiplicative data), clamped to [1, 2]. Residuals are pooled
// across series per week of lead time (steps 1-7, 8-14, ...), and the forecast quantile at level p
// is max(0, mu + Q_r(p) s(mu)), with Q_r the empirical quantile of the week's residuals (Hyndman &
// Fan type 7), which is non-decreasing in p. The final booster is then retrained on all rows,
// holdout included, with the same settings. With too few holdout residuals (fewer than
// kMinResiduals) the quantiles are Poisson(mu). With per_category every category booster is
// calibrated this way on its own series.
#include "forecast/gbm.h"

#include "forecast/base64.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "stockcast/core/parallel.h"
#include "stockcast/forecast/distribution.h"

#ifdef STOCKCAST_HAVE_XGBOOST
#include <xgboost/c_api.h>
#endif

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kLags[] = {1, 2, 3, 4, 5, 6, 7, 14, 28};

std::vector<std::string> MakeFeatureNames() {
  std::vector<std::string> f = {"step"};
  for (int k : kLags) f.push_back(fmt::format("lag_{}", k));
  for (const char* name :
       {"same_weekday_mean_4", "mean_7", "mean_28", "mean_91", "q90_28", "days_since_sale",
        "weekday", "month", "day_of_year", "day_of_month", "days_to_singles_day", "days_to_618",
        "days_to_double_12", "days_to_spring_festival"}) {
    f.emplace_back(name);
  }
  for (const FestivalColumn& e : kFestivalColumns) f.push_back(fmt::format("event_{}", e.name));
  for (const char* name :
       {"price", "price_ratio_28", "promotion", "promotion_share_7", "cart_adds",
        "cart_adds_mean_7", "series_mean", "zero_share", "history_days", "category"}) {
    f.emplace_back(name);
  }
  return f;
}

int ColumnOf(const Regressors& x, std::string_view name) {
  for (size_t j = 0; j < x.names.size(); ++j) {
    if (x.names[j] == name) return static_cast<int>(j);
  }
  return -1;
}

}  // namespace

const std::vector<std::string>& GbmFeatureNames() {
  static const std::vector<std::string> names = MakeFeatureNames();
  return names;
}

// --- Features --------------------------------------------------------------------------------

GbmFeatures::GbmFeatures(const GlobalSeries& series, double category_code,
                         const CalendarTable* calendar, size_t length)
    : series_(&series), calendar_(calendar), category_code_(category_code) {
  const size_t n = std::min(length, series.y.size());
  y_.assign(n, kNaN);
  csum_.assign(n + 1, 0.0);
  ccount_.assign(n + 1, 0.0);
  czero_.assign(n + 1, 0.0);
  last_sale_.assign(n, -1);
  int last = -1;
  for (size_t t = 0; t < n; ++t) {
    const double v = series.y[t];
    const bool usable =
        std::isfinite(v) && (series.flags.empty() || (series.flags[t] & kUnusableDayMask) == 0);
    csum_[t + 1] = csum_[t];
    ccount_[t + 1] = ccount_[t];
    czero_[t + 1] = czero_[t];
    if (usable) {
      y_[t] = std::max(v, 0.0);
      csum_[t + 1] += y_[t];
      ccount_[t + 1] += 1.0;
      czero_[t + 1] += y_[t] == 0.0 ? 1.0 : 0.0;
      ++usable_;
      if (first_usable_ < 0) first_usable_ = static_cast<int>(t);
      if (y_[t] > 0.0) last = static_cast<int>(t);
    }
    last_sale_[t] = last;
  }
  price_ = ColumnOf(series.x, "price");
  promotion_ = ColumnOf(series.x, "promotion");
  cart_ = ColumnOf(series.x, "cart_adds");
}

void GbmFeatures::Append(double value) {
  const size_t t = y_.size();
  const double v = std::isfinite(value) ? std::max(value, 0.0) : 0.0;
  y_.push_back(v);
  csum_.push_back(csum_.back() + v);
  ccount_.push_back(ccount_.back() + 1.0);
  czero_.push_back(czero_.back() + (v == 0.0 ? 1.0 : 0.0));
  last_sale_.push_back(v > 0.0 ? static_cast<int>(t) : (t > 0 ? last_sale_.back() : -1));
  ++usable_;
  if (first_usable_ < 0) first_usable_ = static_cast<int>(t);
}

bool GbmFeatures::UsableTarget(int t) const {
  return t >= 0 && static_cast<size_t>(t) < y_.size() && std::isfinite(y_[static_cast<size_t>(t)]);
}

double GbmFeatures::MeanUsable(int from, int to) const {
  from = std::max(from, 0);
  if (to < from) return kNaN;
  const double count = ccount_[static_cast<size_t>(to) + 1] - ccount_[static_cast<size_t>(from)];
  if (count <= 0) return kNaN;
  return (csum_[static_cast<size_t>(to) + 1] - csum_[static_cast<size_t>(from)]) / count;
}

double GbmFeatures::Regressor(int column, long long t) const {
  if (column < 0 || t < 0) return kNaN;
  return series_->x.At(static_cast<size_t>(column), static_cast<size_t>(t));
}

void GbmFeatures::Row(int origin, int step, std::span<float> out) const {
  SC_ASSERT(out.size() >= GbmFeatureNames().size());
  SC_ASSERT(origin >= 0 && static_cast<size_t>(origin) < y_.size() && step >= 1);
  const int o = origin;
  const long long t = static_cast<long long>(o) + step;  // the target day
  size_t j = 0;
  auto put = [&](double v) { out[j++] = std::isfinite(v) ? static_cast<float>(v) : NAN; };
  put(step);
  for (int k : kLags) {
    const int d = o + 1 - k;
    put(d >= 0 ? y_[static_cast<size_t>(d)] : kNaN);
  }
  {
    // The latest same weekday at or before the origin, and the three before it.
    long long d = t - 7LL * ((step + 6) / 7);
    double sum = 0.0;
    int count = 0;
    for (int i = 0; i < 4 && d >= 0; ++i, d -= 7) {
      const double v = y_[static_cast<size_t>(d)];
      if (std::isfinite(v)) {
        sum += v;
        ++count;
      }
    }
    put(count > 0 ? sum / count : kNaN);
  }
  put(MeanUsable(o - 6, o));
  put(MeanUsable(o - 27, o));
  put(MeanUsable(o - 90, o));
  {
    double window[28];
    size_t m = 0;
    for (int d = std::max(0, o - 27); d <= o; ++d) {
      const double v = y_[static_cast<size_t>(d)];
      if (std::isfinite(v)) window[m++] = v;
    }
    std::sort(window, window + m);
    put(m > 0 ? EmpiricalQuantile(std::span<const double>(window, m), 0.9) : kNaN);
  }
  put(last_sale_[static_cast<size_t>(o)] >= 0 ? o - last_sale_[static_cast<size_t>(o)] : kNaN);
  if (series_->x.first_day) {
    const Date date = Date::FromDays(static_cast<int32_t>(*series_->x.first_day + t));
    const CalendarDay c = calendar_ != nullptr ? calendar_->At(date) : ComputeCalendarDay(date);
    put(c.weekday);
    put(c.month);
    put(c.day_of_year);
    put(c.day_of_month);
    put(c.to_singles_day);
    put(c.to_618);
    put(c.to_double_12);
    put(c.to_spring_festival);
    for (const FestivalColumn& e : kFestivalColumns) put((c.events & e.bit) != 0 ? 1.0 : 0.0);
  } else {
    for (int i = 0; i < 8 + static_cast<int>(std::size(kFestivalColumns)); ++i) put(kNaN);
  }
  {
    const double price = Regressor(price_, t);
    put(price);
    double sum = 0.0;
    int count = 0;
    for (int d = std::max(0, o - 27); d <= o && price_ >= 0; ++d) {
      const double p = Regressor(price_, d);
      if (std::isfinite(p) && p > 0) {
        sum += p;
        ++count;
      }
    }
    put(count > 0 && std::isfinite(price) ? price / (sum / count) : kNaN);
  }
  {
    put(Regressor(promotion_, t));
    double sum = 0.0;
    int count = 0;
    for (int d = std::max(0, o - 6); d <= o && promotion_ >= 0; ++d) {
      const double p = Regressor(promotion_, d);
      if (std::isfinite(p)) {
        sum += p;
        ++count;
      }
    }
    put(count > 0 ? sum / count : kNaN);
  }
  {
    put(Regressor(cart_, o));
    double sum = 0.0;
    int count = 0;
    for (int d = std::max(0, o - 6); d <= o && cart_ >= 0; ++d) {
      const double c = Regressor(cart_, d);
      if (std::isfinite(c)) {
        sum += c;
        ++count;
      }
    }
    put(count > 0 ? sum / count : kNaN);
  }
  const size_t end = static_cast<size_t>(o) + 1;
  put(ccount_[end] > 0 ? csum_[end] / ccount_[end] : kNaN);
  put(ccount_[end] > 0 ? czero_[end] / ccount_[end] : kNaN);
  put(ccount_[end]);
  put(category_code_);
  SC_ASSERT(j == GbmFeatureNames().size());
}

// --- Settings --------------------------------------------------------------------------------

namespace {

constexpr std::string_view kFormat = "stockcast-global-model";
// Version 2 stores a list of boosters (the pooled one, and one per category with
// per_category); version 1 files (one booster, its calibration at the top level) still load.
constexpr int kFormatVersion = 2;
constexpr int kGridSize = 199;  // residual quantiles at levels k / 200, k = 1..199
constexpr size_t kMinResiduals = 30;
constexpr int kBucketDays = 7;
// Series per batch when the recursive strategy forecasts step by step (bounds the memory of
// the per-series feature state to a few MB while keeping each xgboost call large).
constexpr size_t kRecursiveChunk = 4096;

enum class Strategy { kDirect, kRecursive };

std::string_view ToString(Strategy s) { return s == Strategy::kDirect ? "direct" : "recursive"; }

std::optional<Strategy> ParseStrategy(std::string_view s) {
  if (s == "direct") return Strategy::kDirect;
  if (s == "recursive") return Strategy::kRecursive;
  return std::nullopt;
}

struct GbmSettings {
  std::string objective = "count:poisson";
  double tweedie_power = 1.5;
  int n_estimators = 200;
  int max_depth = 6;
  double learning_rate = 0.1;
  double subsample = 0.8;
  double colsample = 0.8;
  double min_child_weight = 1.0;
  int max_bin = 256;
  int threads = 0;
  int seed = 42;
  int train_days = 364;
  int max_rows = 2'000'000;
  int holdout_days = 28;
  int min_days = 14;
  Strategy strategy = Strategy::kDirect;
  bool per_category = false;
  int min_category_rows = 5000;
  std::string spec;  // canonical spec these settings came from
};

std::vector<ParamSpec> GbmSpecs() {
  return {
      {"objective", ParamType::kString, "count:poisson", -1e300, 1e300,
       "count:poisson (log link, counts) or reg:tweedie (zero-inflated, heavy-tailed demand)"},
      {"tweedie_power", ParamType::kDouble, "1.5", 1.01, 1.99,
       "Tweedie variance power (reg:tweedie only): near 1 Poisson-like, near 2 gamma-like"},
      {"n_estimators", ParamType::kInt, "200", 1, 10000, "boosting rounds (trees)"},
      {"max_depth", ParamType::kInt, "6", 1, 20, "maximum tree depth"},
      {"learning_rate", ParamType::kDouble, "0.1", 0.001, 1, "shrinkage of each tree (eta)"},
      {"subsample", ParamType::kDouble, "0.8", 0.05, 1, "share of rows sampled for each tree"},
      {"colsample", ParamType::kDouble, "0.8", 0.05, 1, "share of features sampled per tree"},
      {"min_child_weight", ParamType::kDouble, "1", 0, 1e6, "minimum hessian weight in a leaf"},
      {"max_bin", ParamType::kInt, "256", 8, 4096,
       "histogram bins per feature (xgboost hist): fewer train faster, coarser splits"},
      {"threads", ParamType::kInt, "0", 0, 1024, "training and prediction threads; 0 = all cores"},
      {"seed", ParamType::kInt, "42", 0, 2147483647,
       "seed of row sampling, of the max_rows draw and of the step drawn for each training day"},
      {"train_days", ParamType::kInt, "364", 28, 100000,
       "target days per series used for training: the most recent ones"},
      {"max_rows", ParamType::kInt, "2000000", 0, 2147483647,
       "training rows at most: above it, series-days are drawn uniformly (seeded) from the "
       "training window of every series; 0 = no cap"},
      {"holdout_days", ParamType::kInt, "28", 0, 366,
       "time-ordered holdout for the conformal quantiles; 0 = Poisson quantiles"},
      {"min_days", ParamType::kInt, "14", 1, 3650,
       "fewer usable days: the shared short-history rule instead of the model"},
      {"strategy", ParamType::kString, "direct", -1e300, 1e300,
       "direct (one model for steps 1..horizon, nothing fed back) or recursive (a one-step "
       "model whose forecasts are fed back into the lags and windows)"},
      {"per_category", ParamType::kBool, "false", 0, 1,
       "one booster per category (series without one form a group) besides the pooled one"},
      {"min_category_rows", ParamType::kInt, "5000", 1, 2147483647,
       "per_category: a category with fewer training rows uses the pooled booster"},
  };
}

GbmSettings SettingsFrom(const ParamValues& v) {
  GbmSettings s;
  s.objective = v.GetString("objective");
  s.tweedie_power = v.GetDouble("tweedie_power");
  s.n_estimators = v.GetInt("n_estimators");
  s.max_depth = v.GetInt("max_depth");
  s.learning_rate = v.GetDouble("learning_rate");
  s.subsample = v.GetDouble("subsample");
  s.colsample = v.GetDouble("colsample");
  s.min_child_weight = v.GetDouble("min_child_weight");
  s.max_bin = v.GetInt("max_bin");
  s.threads = v.GetInt("threads");
  s.seed = v.GetInt("seed");
  s.train_days = v.GetInt("train_days");
  s.max_rows = v.GetInt("max_rows");
  s.holdout_days = v.GetInt("holdout_days");
  s.min_days = v.GetInt("min_days");
  s.strategy = ParseStrategy(v.GetString("strategy")).value_or(Strategy::kDirect);
  s.per_category = v.GetBool("per_category");
  s.min_category_rows = v.GetInt("min_category_rows");
  ModelSpec spec{"gbm", {}};
  for (const auto& [key, value] : v.raw()) spec.params[key] = value;
  s.spec = spec.ToString();
  return s;
}

Status ValidateGbm(const ParamValues& v) {
  const std::string& objective = v.GetString("objective");
  if (objective != "count:poisson" && objective != "reg:tweedie") {
    return Error::InvalidArgument(fmt::format(
        "model gbm: objective = \"{}\"; must be one of count:poisson, reg:tweedie", objective));
  }
  const std::string& strategy = v.GetString("strategy");
  if (!ParseStrategy(strategy)) {
    return Error::InvalidArgument(
        fmt::format("model gbm: strategy = \"{}\"; must be one of direct, recursive", strategy));
  }
  return Status::Ok();
}

#ifdef STOCKCAST_HAVE_XGBOOST

// --- Small helpers -----------------------------------------------------------------------------

// SplitMix64 finaliser: the deterministic draws of Fit (the step of a training day, whether a
// series-day is kept under max_rows) hash (seed, series, day) with it.
uint64_t Mix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t DayKey(int seed, size_t series, int day) {
  return (static_cast<uint64_t>(seed) << 40) ^ (static_cast<uint64_t>(series) << 20) ^
         static_cast<uint64_t>(day);
}

// Whether day t of series i is kept when a share `keep` (0, 1] of the candidate days is drawn:
// a uniform number in [0, 1) from a second hash of the key (independent of the step draw).
bool KeepDay(uint64_t key, double keep) {
  if (keep >= 1.0) return true;
  const uint64_t u = Mix(key ^ 0xD1B54A32D192ED03ull) >> 11;  // 53 bits
  return static_cast<double>(u) * 0x1.0p-53 < keep;
}

bool UsableDay(const GlobalSeries& g, size_t t) {
  return std::isfinite(g.y[t]) && (g.flags.empty() || (g.flags[t] & kUnusableDayMask) == 0);
}

Error XgbError(std::string_view what) {
  return Error::Internal(fmt::format("gbm: xgboost {} failed: {}", what, XGBGetLastError()));
}

#define SC_XGB(call, what)                  \
  do {                                      \
    if ((call) != 0) return XgbError(what); \
  } while (0)

struct DMatrixFree {
  void operator()(void* h) const {
    if (h != nullptr) XGDMatrixFree(h);
  }
};
struct BoosterFree {
  void operator()(void* h) const {
    if (h != nullptr) XGBoosterFree(h);
  }
};
using DMatrix = std::unique_ptr<void, DMatrixFree>;
using Booster = std::unique_ptr<void, BoosterFree>;

// A DMatrix of `rows` dense rows starting at `values` (copied by xgboost), with labels when
// given (`rows` of them).
Result<DMatrix> MakeMatrix(const float* values, size_t rows, size_t cols, const float* labels,
                           int threads) {
  DMatrixHandle h = nullptr;
  SC_XGB(XGDMatrixCreateFromMat_omp(values, rows, cols, NAN, &h, threads), "matrix creation");
  DMatrix m(h);
  if (labels != nullptr) SC_XGB(XGDMatrixSetFloatInfo(h, "label", labels, rows), "labels");
  return m;
}

// The booster's predictions for `rows` dense rows at `values`, read in place (xgboost's
// inplace prediction: no DMatrix copy of the rows); NaN is missing.
Result<std::vector<float>> PredictDense(BoosterHandle booster, const float* values, size_t rows,
                                        size_t cols) {
  if (rows == 0) return std::vector<float>{};
  const std::string array =
      fmt::format(R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f4", "version": 3}})",
                  reinterpret_cast<uintptr_t>(values), rows, cols);
  constexpr const char* kConfig =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
      R"("strict_shape": false, "missing": NaN, "cache_id": 0})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  SC_XGB(XGBoosterPredictFromDense(booster, array.c_str(), kConfig, nullptr, &shape, &dim, &out),
         "prediction");
  size_t n = 1;
  for (bst_ulong d = 0; d < dim; ++d) n *= static_cast<size_t>(shape[d]);
  if (n != rows) {
    return Error::Internal(fmt::format("gbm: xgboost predicted {} values for {} rows", n, rows));
  }
  return std::vector<float>(out, out + n);
}

// The residual quantile grid of one lead-time bucket, or empty when too few residuals. The
// residuals are centred on their mean first: the holdout is one period, so its mean residual is
// mostly that period's common shock (a season the first booster had not seen yet), which the
// final booster -- retrained with the holdout -- does not carry; the spread and skew stay.
std::vector<double> Grid(std::vector<double> r) {
  if (r.size() < kMinResiduals) return {};
  double mean = 0.0;
  for (double v : r) mean += v;
  mean /= static_cast<double>(r.size());
  for (double& v : r) v -= mean;
  std::sort(r.begin(), r.end());
  std::vector<double> grid(kGridSize);
  for (int k = 0; k < kGridSize; ++k)
    grid[static_cast<size_t>(k)] = EmpiricalQuantile(r, (k + 1) / 200.0);
  return grid;
}

double GridQuantile(const std::vector<double>& grid, double p) {
  const double pos = std::clamp(p * 200.0 - 1.0, 0.0, static_cast<double>(kGridSize - 1));
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, grid.size() - 1);
  const double w = pos - static_cast<double>(lo);
  return grid[lo] * (1.0 - w) + grid[hi] * w;
}

double Scale(double mu, double power) { return std::pow(std::max(mu, 0.0) + 0.25, power / 2); }

// The power k of Var(y | mu) = phi (mu + 1/4)^k from holdout pairs: the pairs are sorted by mu
// and cut into 10 bins of equal count; k is the least-squares slope of log(mean squared error)
// on log(mean mu + 1/4) over the bins with a positive error (Box-Cox-style variance-power
// estimate, cf. the Tweedie power: 1 Poisson, 2 gamma). Clamped to [1, 2]; 1 with fewer than
// three usable bins or no spread in mu.
double VariancePower(const std::vector<double>& mu, const std::vector<double>& actual) {
  constexpr int kBins = 10;
  std::vector<size_t> order(mu.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return mu[a] < mu[b]; });
  std::vector<double> lx, ly;
  for (int b = 0; b < kBins; ++b) {
    const size_t from = order.size() * static_cast<size_t>(b) / kBins;
    const size_t to = order.size() * static_cast<size_t>(b + 1) / kBins;
    if (to <= from) continue;
    double m = 0.0, e2 = 0.0;
    for (size_t k = from; k < to; ++k) {
      m += mu[order[k]];
      const double e = actual[order[k]] - mu[order[k]];
      e2 += e * e;
    }
    m /= static_cast<double>(to - from);
    e2 /= static_cast<double>(to - from);
    if (e2 <= 0.0) continue;
    lx.push_back(std::log(m + 0.25));
    ly.push_back(std::log(e2));
  }
  if (lx.size() < 3) return 1.0;
  double mx = 0, my = 0;
  for (size_t i = 0; i < lx.size(); ++i) mx += lx[i], my += ly[i];
  mx /= static_cast<double>(lx.size());
  my /= static_cast<double>(lx.size());
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < lx.size(); ++i) {
    sxy += (lx[i] - mx) * (ly[i] - my);
    sxx += (lx[i] - mx) * (lx[i] - mx);
  }
  if (sxx < 1e-12) return 1.0;
  return std::clamp(sxy / sxx, 1.0, 2.0);
}

class Stopwatch {
 public:
  // Seconds since construction or the previous Lap.
  double Lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// --- The model -------------------------------------------------------------------------------

// One trained booster and the conformal calibration of its own holdout forecasts. `pooled`
// boosters learned from every series; the others from one category's series (per_category).
struct Unit {
  bool pooled = true;
  std::string category;  // !pooled: the category ("" = the series without one)
  Booster booster;
  size_t rows = 0;
  size_t holdout_residuals = 0;
  std::vector<std::vector<double>> buckets;  // [lead-time week][grid level]; empty = Poisson
  double power = 1.0;                        // variance power k of the residual scale
};

// The training rows of Fit, series by series in `order` (grouped by category), dense float.
struct TrainingRows {
  std::vector<float> x;         // rows x cols
  std::vector<float> labels;    // rows
  std::vector<uint8_t> before;  // rows: 1 when the target precedes the holdout, else 0
};

class GbmModel final : public GlobalModel {
 public:
  explicit GbmModel(GbmSettings s) : s_(std::move(s)) {}

  std::string_view name() const override { return "gbm"; }

  Status Fit(std::span<const GlobalSeries> series, int season_length, int horizon) override {
    if (series.empty()) return Error::InvalidArgument("gbm: Fit needs at least one series");
    if (horizon < 1) {
      return Error::InvalidArgument(fmt::format("gbm: horizon = {}; must be >= 1", horizon));
    }
    if (season_length < 1) {
      return Error::InvalidArgument(
          fmt::format("gbm: season_length = {}; must be >= 1", season_length));
    }
    for (size_t i = 0; i < series.size(); ++i) {
      SC_RETURN_IF_ERROR(CheckSeries(series[i], i));
    }
    units_.clear();
    unit_of_.clear();
    importance_.clear();
    fitted_series_ = {};
    stats_ = {};
    Stopwatch clock;
    season_length_ = season_length;
    horizon_ = horizon;
    // Categories as integer codes in sorted order (stable across runs on the same data).
    categories_.clear();
    for (const GlobalSeries& g : series) {
      if (!g.category.empty()) categories_.emplace(g.category, 0);
    }
    int code = 0;
    for (auto& [name, c] : categories_) c = code++;
    const CalendarTable calendar = CalendarOfSeries(series, /*from_first=*/true, 0, horizon);
    const int threads = ResolveThreads(s_.threads);

    // Series grouped by category (no category first), so that each category's training rows
    // are one contiguous block that per_category can hand to xgboost without a copy of ours.
    std::vector<size_t> order(series.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return series[a].category < series[b].category; });

    // Training days: every usable target day of the window that has a usable day before it.
    // Above max_rows a uniform share of them is kept, drawn by a hash of (seed, series, day),
    // so the sample does not depend on the thread count or on the order of the series.
    std::vector<size_t> candidates(series.size(), 0), kept(series.size(), 0);
    auto first_usable = [&](size_t i) {
      const GlobalSeries& g = series[i];
      for (size_t t = 0; t < g.y.size(); ++t) {
        if (UsableDay(g, t)) return static_cast<int>(t);
      }
      return -1;
    };
    auto for_each_day = [&](size_t i, double keep, const auto& fn) {
      const GlobalSeries& g = series[i];
      const int n = static_cast<int>(g.y.size());
      const int first = first_usable(i);
      if (first < 0) return;
      for (int t = std::max({0, n - s_.train_days, first + 1}); t < n; ++t) {
        if (!UsableDay(g, static_cast<size_t>(t))) continue;
        const uint64_t key = DayKey(s_.seed, i, t);
        if (!KeepDay(key, keep)) continue;
        fn(t, first, key);
      }
    };
    ParallelFor(series.size(), threads, [&](size_t i) {
      for_each_day(i, 1.0, [&](int, int, uint64_t) { ++candidates[i]; });
    });
    size_t total = 0;
    for (size_t c : candidates) total += c;
    if (total == 0) {
      return Error::InvalidArgument(fmt::format(
          "gbm: no usable target day in {} series (every day missing, censored or before "
          "launch); nothing to learn from",
          series.size()));
    }
    const double keep = s_.max_rows > 0 && total > static_cast<size_t>(s_.max_rows)
                            ? static_cast<double>(s_.max_rows) / static_cast<double>(total)
                            : 1.0;
    if (keep < 1.0) {
      ParallelFor(series.size(), threads,
                  [&](size_t i) { for_each_day(i, keep, [&](int, int, uint64_t) { ++kept[i]; }); });
    } else {
      kept = candidates;
    }
    std::vector<size_t> offset(series.size() + 1, 0);  // by position in `order`
    for (size_t k = 0; k < order.size(); ++k) offset[k + 1] = offset[k] + kept[order[k]];
    const size_t rows = offset.back();
    if (rows > static_cast<size_t>(std::numeric_limits<int>::max())) {
      return Error::InvalidArgument(
          fmt::format("gbm: {} training rows; at most {} (lower max_rows or train_days)", rows,
                      std::numeric_limits<int>::max()));
    }
    stats_.candidate_rows = total;
    stats_.rows = rows;

    // The rows themselves. Direct: target day t, one step h drawn uniformly from 1..horizon
    // (shortened when the origin t - h would precede the first usable day). Recursive: the
    // one-step row, origin t - 1.
    const size_t cols = GbmFeatureNames().size();
    const int cut_days = s_.holdout_days;
    TrainingRows tr;
    tr.x.resize(rows * cols);
    tr.labels.resize(rows);
    tr.before.resize(rows);
    ParallelFor(order.size(), threads, [&](size_t k) {
      const size_t i = order[k];
      if (kept[i] == 0) return;
      const GbmFeatures f(series[i], CategoryCode(series[i].category), &calendar);
      const int cut = static_cast<int>(f.n()) - cut_days;
      size_t row = offset[k];
      for_each_day(i, keep, [&](int t, int first, uint64_t key) {
        int h = 1;
        if (s_.strategy == Strategy::kDirect) {
          h = 1 + static_cast<int>(Mix(key) % static_cast<uint64_t>(horizon));
          h = std::min(h, t - first);
        }
        f.Row(t - h, h, std::span<float>(tr.x.data() + row * cols, cols));
        tr.labels[row] = static_cast<float>(f.Demand(t));
        tr.before[row] = t < cut ? 1 : 0;
        ++row;
      });
      SC_ASSERT(row == offset[k + 1]);
    });
    rows_ = rows;
    stats_.build_seconds += clock.Lap();

    const Status trained =
        TrainUnits(std::move(tr), order, offset, series, calendar, threads, &clock);
    if (!trained.ok()) {
      units_.clear();  // no half-fitted model
      unit_of_.clear();
      return trained;
    }
    fitted_series_ = series;
    return Status::Ok();
  }

  Result<std::vector<Forecast>> PredictMany(std::span<const GlobalSeries> series, int horizon,
                                            std::span<const double> levels) const override {
    if (units_.empty()) return Error::InvalidArgument("gbm: PredictMany before Fit or Load");
    SC_RETURN_IF_ERROR(ValidatePredictArgs("gbm", horizon, levels));
    for (size_t i = 0; i < series.size(); ++i) SC_RETURN_IF_ERROR(CheckSeries(series[i], i));
    std::vector<Forecast> out(series.size());
    const CalendarTable calendar = CalendarOfSeries(series, /*from_first=*/false, 0, horizon);
    // Series for the model, by the unit that forecasts them.
    std::vector<std::vector<size_t>> by_unit(units_.size());
    std::vector<int> origins(series.size(), -1);
    for (size_t i = 0; i < series.size(); ++i) {
      const GlobalSeries& g = series[i];
      int usable = 0;
      for (size_t t = 0; t < g.y.size(); ++t) usable += UsableDay(g, t) ? 1 : 0;
      if (usable < s_.min_days) {
        std::optional<Forecast> shortf =
            ShortHistoryForecast("gbm", g.y, g.flags, s_.min_days, 28, horizon, levels);
        SC_ASSERT(shortf.has_value());
        out[i] = std::move(*shortf);
        continue;
      }
      origins[i] = static_cast<int>(g.y.size()) - 1;
      by_unit[UnitFor(g.category)].push_back(i);
    }
    const int threads = ResolveThreads(s_.threads);
    for (size_t u = 0; u < units_.size(); ++u) {
      if (by_unit[u].empty()) continue;
      const Unit& unit = units_[u];
      std::vector<float> mu;
      {
        std::lock_guard<std::mutex> lock(mutex_);  // one booster, one prediction at a time
        SC_ASSIGN_OR_RETURN(mu, ForecastPaths(unit.booster.get(), series, by_unit[u], origins,
                                              horizon, calendar, threads));
      }
      for (size_t k = 0; k < by_unit[u].size(); ++k) {
        Forecast& f = out[by_unit[u][k]];
        f.levels.assign(levels.begin(), levels.end());
        f.mean.resize(static_cast<size_t>(horizon));
        f.quantiles.assign(levels.size(), std::vector<double>(static_cast<size_t>(horizon)));
        for (int h = 1; h <= horizon; ++h) {
          const double m =
              std::max(0.0, static_cast<double>(
                                mu[k * static_cast<size_t>(horizon) + static_cast<size_t>(h - 1)]));
          f.mean[static_cast<size_t>(h - 1)] = m;
          for (size_t l = 0; l < levels.size(); ++l) {
            double q;
            if (unit.buckets.empty()) {
              q = PoissonQuantile(m, levels[l]);
            } else {
              const size_t b =
                  std::min(static_cast<size_t>((h - 1) / kBucketDays), unit.buckets.size() - 1);
              q = m + GridQuantile(unit.buckets[b], levels[l]) * Scale(m, unit.power);
            }
            f.quantiles[l][static_cast<size_t>(h - 1)] = std::max(0.0, q);
          }
        }
        ClampForecast(&f);
      }
    }
    return out;
  }

  Status Save(const std::string& path) const override {
    if (units_.empty()) return Error::InvalidArgument("gbm: Save before Fit");
    nlohmann::json j;
    j["format"] = kFormat;
    j["version"] = kFormatVersion;
    j["model"] = "gbm";
    j["spec"] = s_.spec;
    j["features"] = GbmFeatureNames();
    j["season_length"] = season_length_;
    j["horizon"] = horizon_;
    j["rows"] = rows_;
    nlohmann::json cats = nlohmann::json::array();
    for (const auto& [name, code] : categories_) cats.push_back(name);
    j["categories"] = cats;
    nlohmann::json imp = nlohmann::json::array();
    for (const FeatureImportance& f : importance_)
      imp.push_back({{"feature", f.feature}, {"gain", f.gain}});
    j["importance"] = imp;
    nlohmann::json boosters = nlohmann::json::array();
    for (const Unit& u : units_) {
      bst_ulong len = 0;
      const char* raw = nullptr;
      SC_XGB(XGBoosterSaveModelToBuffer(u.booster.get(), R"({"format": "ubj"})", &len, &raw),
             "model save");
      nlohmann::json b;
      b["scope"] = u.pooled ? "all" : "category";
      if (!u.pooled) b["category"] = u.category;
      b["rows"] = u.rows;
      b["holdout_residuals"] = u.holdout_residuals;
      b["conformal_buckets"] = u.buckets;
      b["variance_power"] = u.power;
      b["booster_ubj_base64"] = Base64Encode(raw, len);
      boosters.push_back(std::move(b));
    }
    j["boosters"] = std::move(boosters);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
      return Error::InvalidArgument(
          fmt::format("gbm: model file {}: cannot be opened for writing", path));
    }
    out << j.dump() << '\n';
    out.close();
    if (!out) return Error::Internal(fmt::format("gbm: model file {}: write failed", path));
    return Status::Ok();
  }

  Status Load(const std::string& path) override {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::NotFound(fmt::format("gbm: model file {}: cannot be opened", path));
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
      return Error::InvalidArgument(
          fmt::format("gbm: model file {}: not JSON ({})", path, e.what()));
    }
    auto where = [&path](std::string_view field, std::string_view rule) {
      return Error::InvalidArgument(fmt::format("gbm: model file {}: {} {}", path, field, rule));
    };
    try {
      if (j.value("format", "") != kFormat)
        return where("format", fmt::format("must be \"{}\"", kFormat));
      const int version = j.value("version", -1);
      if (version != 1 && version != kFormatVersion) {
        return where("version", fmt::format("= {}; this build reads versions 1 to {}", version,
                                            kFormatVersion));
      }
      if (j.value("model", "") != "gbm") {
        return where("model", fmt::format("= \"{}\"; must be \"gbm\"", j.value("model", "")));
      }
      const std::vector<std::string> features = j.at("features").get<std::vector<std::string>>();
      if (features != GbmFeatureNames()) {
        size_t k = 0;
        while (k < features.size() && k < GbmFeatureNames().size() &&
               features[k] == GbmFeatureNames()[k])
          ++k;
        return where(
            "features",
            fmt::format(
                "differ from this build's at column {} (file: {}, build: {}); retrain the model", k,
                k < features.size() ? features[k] : "(end)",
                k < GbmFeatureNames().size() ? GbmFeatureNames()[k] : "(end)"));
      }
      SC_ASSIGN_OR_RETURN(ModelSpec spec, ParseModelSpec(j.at("spec").get<std::string>()));
      SC_ASSIGN_OR_RETURN(ParamValues values,
                          ParamSchema(GbmSpecs()).Validate(spec.params, "model gbm"));
      SC_RETURN_IF_ERROR(ValidateGbm(values));
      GbmSettings s = SettingsFrom(values);
      // Version 1: one pooled booster, its calibration at the top level.
      std::vector<nlohmann::json> boosters;
      if (version == 1) {
        boosters.push_back(j);
      } else {
        for (const auto& b : j.at("boosters")) boosters.push_back(b);
      }
      std::vector<Unit> units;
      std::map<std::string, size_t, std::less<>> unit_of;
      for (size_t k = 0; k < boosters.size(); ++k) {
        const nlohmann::json& b = boosters[k];
        Unit u;
        const std::string scope = version == 1 ? "all" : b.at("scope").get<std::string>();
        if (scope != "all" && scope != "category") {
          return where(fmt::format("boosters[{}].scope", k),
                       fmt::format("= \"{}\"; must be \"all\" or \"category\"", scope));
        }
        u.pooled = scope == "all";
        if ((k == 0) != u.pooled) {
          return where(fmt::format("boosters[{}].scope", k),
                       "is wrong: the first booster, and only it, is the pooled one (\"all\")");
        }
        if (!u.pooled) {
          u.category = b.at("category").get<std::string>();
          unit_of[u.category] = k;
        }
        u.rows = b.value("rows", j.at("rows").get<size_t>());
        u.holdout_residuals = b.at("holdout_residuals").get<size_t>();
        u.buckets = b.at("conformal_buckets").get<std::vector<std::vector<double>>>();
        for (const auto& grid : u.buckets) {
          if (grid.size() != static_cast<size_t>(kGridSize)) {
            return where(
                fmt::format("boosters[{}].conformal_buckets", k),
                fmt::format("has a grid of {} values; must have {}", grid.size(), kGridSize));
          }
        }
        u.power = b.at("variance_power").get<double>();
        const std::optional<std::string> raw =
            Base64Decode(b.at("booster_ubj_base64").get<std::string>());
        if (!raw) return where("booster_ubj_base64", "is not valid base64");
        BoosterHandle h = nullptr;
        SC_XGB(XGBoosterCreate(nullptr, 0, &h), "booster creation");
        u.booster.reset(h);
        SC_XGB(XGBoosterLoadModelFromBuffer(h, raw->data(), raw->size()), "model load");
        SC_XGB(XGBoosterSetParam(h, "nthread", std::to_string(ResolveThreads(s.threads)).c_str()),
               "nthread");
        units.push_back(std::move(u));
      }
      if (units.empty()) return where("boosters", "is empty; must hold the pooled booster");
      std::map<std::string, int, std::less<>> cats;
      int code = 0;
      for (const auto& c : j.at("categories")) cats.emplace(c.get<std::string>(), code++);
      std::vector<FeatureImportance> importance;
      for (const auto& f : j.at("importance")) {
        importance.push_back({f.at("feature").get<std::string>(), f.at("gain").get<double>()});
      }
      s_ = std::move(s);
      season_length_ = j.at("season_length").get<int>();
      horizon_ = j.at("horizon").get<int>();
      rows_ = j.at("rows").get<size_t>();
      categories_ = std::move(cats);
      importance_ = std::move(importance);
      units_ = std::move(units);
      unit_of_ = std::move(unit_of);
      stats_ = {};
      fitted_series_ = {};
    } catch (const nlohmann::json::exception& e) {
      return Error::InvalidArgument(
          fmt::format("gbm: model file {}: missing or mistyped field ({})", path, e.what()));
    }
    return Status::Ok();
  }

  std::vector<std::string> FeatureNames() const override { return GbmFeatureNames(); }
  std::vector<FeatureImportance> Importance() const override { return importance_; }
  std::string Describe() const override {
    if (units_.empty()) return fmt::format("gbm({}, not fitted)", s_.objective);
    const Unit& pooled = units_.front();
    std::string text = fmt::format("gbm({}, {} trees, depth {}, {} rows, {} features", s_.objective,
                                   s_.n_estimators, s_.max_depth, rows_, GbmFeatureNames().size());
    if (s_.strategy != Strategy::kDirect) text += fmt::format(", {}", ToString(s_.strategy));
    if (s_.per_category) {
      text += fmt::format(", {} category boosters + pooled", units_.size() - 1);
    }
    text += pooled.buckets.empty()
                ? std::string(", Poisson quantiles")
                : fmt::format(", conformal on {} holdout residuals, variance power {:.2f}",
                              pooled.holdout_residuals, pooled.power);
    return text + ")";
  }

  const GbmFitStats& stats() const { return stats_; }
  bool fitted_here() const { return !units_.empty() && stats_.rows > 0; }

 private:
  Status CheckSeries(const GlobalSeries& g, size_t i) const {
    if (!g.flags.empty() && g.flags.size() != g.y.size()) {
      return Error::InvalidArgument(
          fmt::format("gbm: series {}: flags has {} values but the series has {}; they must match",
                      i, g.flags.size(), g.y.size()));
    }
    if (g.y.empty()) {
      return Error::InvalidArgument(
          fmt::format("gbm: series {}: no days; must have at least one", i));
    }
    return ValidateRegressors(fmt::format("gbm: series {}", i), g.x, g.y.size());
  }

  double CategoryCode(const std::string& category) const {
    auto it = categories_.find(category);
    return it == categories_.end() ? kNaN : static_cast<double>(it->second);
  }

  // The unit that forecasts a series of `category`: its own booster, else the pooled one.
  size_t UnitFor(const std::string& category) const {
    auto it = unit_of_.find(category);
    return it == unit_of_.end() ? 0 : it->second;
  }

  // The pooled booster, then (per_category) one per category with enough rows. Categories
  // below min_category_rows keep the pooled booster, which also serves categories that
  // PredictMany meets for the first time.
  Status TrainUnits(TrainingRows tr, std::span<const size_t> order, std::span<const size_t> offset,
                    std::span<const GlobalSeries> series, const CalendarTable& calendar,
                    int threads, Stopwatch* clock) {
    const size_t cols = GbmFeatureNames().size();
    const size_t rows = tr.labels.size();
    std::vector<double> unit_weight;  // training rows each unit stands for, for the importance
    {
      SC_ASSIGN_OR_RETURN(DMatrix all,
                          MakeMatrix(tr.x.data(), rows, cols, tr.labels.data(), threads));
      if (!s_.per_category) std::vector<float>().swap(tr.x);  // xgboost holds its own copy
      SC_RETURN_IF_ERROR(
          FitUnit(std::move(all), tr, 0, rows, order, series, calendar, threads, clock));
    }
    unit_weight.push_back(0.0);
    size_t pooled_rows_used = rows;
    if (s_.per_category) {
      pooled_rows_used = 0;
      for (size_t k = 0; k < order.size();) {
        size_t end = k;
        while (end < order.size() && series[order[end]].category == series[order[k]].category)
          ++end;
        const size_t begin_row = offset[k], end_row = offset[end];
        const std::string& category = series[order[k]].category;
        if (end_row - begin_row >= static_cast<size_t>(s_.min_category_rows)) {
          const std::span<const size_t> members(order.data() + k, end - k);
          SC_ASSIGN_OR_RETURN(DMatrix m,
                              MakeMatrix(tr.x.data() + begin_row * cols, end_row - begin_row, cols,
                                         tr.labels.data() + begin_row, threads));
          SC_RETURN_IF_ERROR(FitUnit(std::move(m), tr, begin_row, end_row, members, series,
                                     calendar, threads, clock));
          units_.back().pooled = false;
          units_.back().category = category;
          unit_of_[category] = units_.size() - 1;
          unit_weight.push_back(static_cast<double>(end_row - begin_row));
        } else {
          pooled_rows_used += end_row - begin_row;
        }
        k = end;
      }
    }
    unit_weight[0] = static_cast<double>(pooled_rows_used);
    tr = {};
    SC_RETURN_IF_ERROR(ComputeImportance(unit_weight));
    stats_.train_seconds += clock->Lap();
    return Status::Ok();
  }

  // Mean forecasts mu[k * horizon + h - 1] of steps h = 1..horizon after origin
  // origins[members[k]] of series members[k], from `booster`. Direct: the rows (o, h), one
  // xgboost call; steps past the trained horizon reuse its last step. Recursive: step h is
  // the one-step row at origin o + h - 1 of the series with the forecasts of steps 1..h-1
  // appended as if observed (GbmFeatures::Append); days after the origin are never read, so
  // the holdout forecasts of the calibration see no actual value past their origin.
  Result<std::vector<float>> ForecastPaths(BoosterHandle booster,
                                           std::span<const GlobalSeries> series,
                                           std::span<const size_t> members,
                                           std::span<const int> origins, int horizon,
                                           const CalendarTable& calendar, int threads) const {
    const size_t cols = GbmFeatureNames().size();
    const size_t hz = static_cast<size_t>(horizon);
    if (s_.strategy == Strategy::kDirect) {
      std::vector<float> x(members.size() * hz * cols);
      ParallelFor(members.size(), threads, [&](size_t k) {
        const GlobalSeries& g = series[members[k]];
        const GbmFeatures f(g, CategoryCode(g.category), &calendar);
        for (int h = 1; h <= horizon; ++h) {
          std::span<float> row(x.data() + (k * hz + static_cast<size_t>(h - 1)) * cols, cols);
          f.Row(origins[members[k]], h, row);
          row[0] = static_cast<float>(std::min(h, horizon_));  // steps past training hold
        }
      });
      return PredictDense(booster, x.data(), members.size() * hz, cols);
    }
    std::vector<float> mu(members.size() * hz);
    for (size_t from = 0; from < members.size(); from += kRecursiveChunk) {
      const size_t count = std::min(kRecursiveChunk, members.size() - from);
      std::vector<std::optional<GbmFeatures>> feats(count);
      std::vector<float> x(count * cols);
      for (int h = 1; h <= horizon; ++h) {
        ParallelFor(count, threads, [&](size_t k) {
          const size_t i = members[from + k];
          if (h == 1) {
            feats[k].emplace(series[i], CategoryCode(series[i].category), &calendar,
                             static_cast<size_t>(origins[i]) + 1);
          }
          const GbmFeatures& f = *feats[k];
          f.Row(static_cast<int>(f.n()) - 1, 1, std::span<float>(x.data() + k * cols, cols));
        });
        SC_ASSIGN_OR_RETURN(std::vector<float> step, PredictDense(booster, x.data(), count, cols));
        for (size_t k = 0; k < count; ++k) {
          const float v = std::max(step[k], 0.0f);
          mu[(from + k) * hz + static_cast<size_t>(h - 1)] = v;
          feats[k]->Append(v);
        }
      }
    }
    return mu;
  }

  // Trains one unit on `all`, the training rows [begin, end) of `tr` (the rows of `members`),
  // and appends it to units_. With a holdout: first a booster on rows whose target precedes
  // the holdout (a slice of `all`), which forecasts every member's holdout from the day before
  // it; the scaled residuals become the conformal grids. Then the final booster on all rows.
  Status FitUnit(DMatrix all, const TrainingRows& tr, size_t begin, size_t end,
                 std::span<const size_t> members, std::span<const GlobalSeries> series,
                 const CalendarTable& calendar, int threads, Stopwatch* clock) {
    const size_t n = end - begin;
    SC_ASSERT(n > 0);
    Unit unit;
    unit.rows = n;
    double label_sum = 0.0;
    size_t before_count = 0;
    for (size_t r = begin; r < end; ++r) {
      label_sum += tr.labels[r];
      before_count += tr.before[r] ? 1 : 0;
    }
    // The holdout booster's rows: those whose target precedes the holdout, at most
    // max_rows / 2 of them (a seeded uniform share). Accuracy saturates well below max_rows at
    // scale (10,000 generated series: RMSSE 0.6250 on 1 M rows, 0.6248 on 2 M), so the
    // residuals are those of an equally good model, and the calibration costs half as much.
    const size_t cap = s_.max_rows > 0 ? static_cast<size_t>(s_.max_rows) / 2 : before_count;
    const double share = before_count > cap && before_count > 0
                             ? static_cast<double>(cap) / static_cast<double>(before_count)
                             : 1.0;
    std::vector<int> calibration_rows;
    double calibration_sum = 0.0;
    for (size_t r = begin; r < end; ++r) {
      if (!tr.before[r]) continue;
      const uint64_t key = (static_cast<uint64_t>(s_.seed) << 40) ^ 0x632BE59BD9B4E019ull ^ r;
      if (!KeepDay(key, share)) continue;
      calibration_rows.push_back(static_cast<int>(r - begin));
      calibration_sum += tr.labels[r];
    }
    stats_.build_seconds += clock->Lap();

    if (s_.holdout_days > 0 && calibration_rows.size() >= kMinResiduals) {
      DMatrixHandle sliced = nullptr;
      SC_XGB(XGDMatrixSliceDMatrix(all.get(), calibration_rows.data(), calibration_rows.size(),
                                   &sliced),
             "holdout slice");
      DMatrix before(sliced);
      SC_ASSIGN_OR_RETURN(Booster holdout_booster,
                          Train(before.get(), threads,
                                calibration_sum / static_cast<double>(calibration_rows.size())));
      before.reset();
      ++stats_.boosters;
      // Each member's holdout forecast from the day before it, as a live forecast is made.
      std::vector<size_t> calibrated;
      std::vector<int> origins(series.size(), -1);
      for (size_t i : members) {
        const int n_days = static_cast<int>(series[i].y.size());
        const int origin = n_days - s_.holdout_days - 1;
        if (origin < 0) continue;
        int first = -1;
        for (int t = 0; t <= origin && first < 0; ++t) {
          if (UsableDay(series[i], static_cast<size_t>(t))) first = t;
        }
        if (first < 0) continue;
        origins[i] = origin;
        calibrated.push_back(i);
      }
      std::vector<double> mu, actual;
      std::vector<int> steps;
      if (!calibrated.empty()) {
        SC_ASSIGN_OR_RETURN(std::vector<float> paths,
                            ForecastPaths(holdout_booster.get(), series, calibrated, origins,
                                          s_.holdout_days, calendar, threads));
        for (size_t k = 0; k < calibrated.size(); ++k) {
          const GlobalSeries& g = series[calibrated[k]];
          for (int h = 1; h <= s_.holdout_days; ++h) {
            const size_t t = static_cast<size_t>(origins[calibrated[k]] + h);
            if (!UsableDay(g, t)) continue;
            mu.push_back(
                paths[k * static_cast<size_t>(s_.holdout_days) + static_cast<size_t>(h - 1)]);
            actual.push_back(std::max(g.y[t], 0.0));
            steps.push_back(h);
          }
        }
      }
      if (actual.size() >= kMinResiduals) {
        unit.power = VariancePower(mu, actual);
        const int nb = (s_.holdout_days + kBucketDays - 1) / kBucketDays;
        std::vector<std::vector<double>> residuals(static_cast<size_t>(nb));
        std::vector<double> pooled;
        for (size_t k = 0; k < actual.size(); ++k) {
          const double r = (actual[k] - mu[k]) / Scale(mu[k], unit.power);
          residuals[static_cast<size_t>((steps[k] - 1) / kBucketDays)].push_back(r);
          pooled.push_back(r);
        }
        const std::vector<double> pooled_grid = Grid(pooled);
        for (auto& r : residuals) {
          std::vector<double> g = Grid(std::move(r));
          unit.buckets.push_back(g.empty() ? pooled_grid : std::move(g));
        }
        unit.holdout_residuals = actual.size();
      }
      stats_.calibrate_seconds += clock->Lap();
    }
    // A category whose holdout was too short to calibrate borrows the pooled calibration.
    if (unit.buckets.empty() && !units_.empty()) {
      unit.buckets = units_.front().buckets;
      unit.power = units_.front().power;
    }
    SC_ASSIGN_OR_RETURN(unit.booster,
                        Train(all.get(), threads, label_sum / static_cast<double>(n)));
    ++stats_.boosters;
    stats_.train_seconds += clock->Lap();
    units_.push_back(std::move(unit));
    return Status::Ok();
  }

  // `base_score` is the mean label: xgboost starts Poisson/Tweedie boosting from log(base_score)
  // and its default 0.5 would spend the first trees (each step capped by max_delta_step) only on
  // reaching the overall level.
  Result<Booster> Train(DMatrixHandle train, int threads, double base_score) const {
    BoosterHandle h = nullptr;
    SC_XGB(XGBoosterCreate(&train, 1, &h), "booster creation");
    Booster b(h);
    const std::vector<std::pair<std::string, std::string>> params = {
        {"verbosity", "0"},
        {"objective", s_.objective},
        {"tree_method", "hist"},
        {"max_bin", std::to_string(s_.max_bin)},
        {"eta", fmt::format("{}", s_.learning_rate)},
        {"max_depth", std::to_string(s_.max_depth)},
        {"subsample", fmt::format("{}", s_.subsample)},
        {"colsample_bytree", fmt::format("{}", s_.colsample)},
        {"min_child_weight", fmt::format("{}", s_.min_child_weight)},
        {"nthread", std::to_string(threads)},
        {"seed", std::to_string(s_.seed)},
        {"base_score", fmt::format("{}", std::max(base_score, 1e-3))},
    };
    for (const auto& [key, value] : params) {
      SC_XGB(XGBoosterSetParam(h, key.c_str(), value.c_str()), "parameter " + key);
    }
    if (s_.objective == "reg:tweedie") {
      SC_XGB(XGBoosterSetParam(h, "tweedie_variance_power",
                               fmt::format("{}", s_.tweedie_power).c_str()),
             "parameter tweedie_variance_power");
    }
    for (int iter = 0; iter < s_.n_estimators; ++iter) {
      SC_XGB(XGBoosterUpdateOneIter(h, iter, train), fmt::format("boosting round {}", iter));
    }
    return b;
  }

  // Gain importance of each unit's booster, averaged with weights (the training rows of the
  // series each unit forecasts), then normalised to sum 1.
  Status ComputeImportance(const std::vector<double>& weights) {
    importance_.clear();
    nlohmann::json config = {{"importance_type", "gain"}, {"feature_names", GbmFeatureNames()}};
    const std::string text = config.dump();
    std::map<std::string, double> gain;
    for (size_t u = 0; u < units_.size(); ++u) {
      if (weights[u] <= 0.0) continue;
      bst_ulong n_features = 0, dim = 0;
      const char** names = nullptr;
      const bst_ulong* shape = nullptr;
      const float* scores = nullptr;
      SC_XGB(XGBoosterFeatureScore(units_[u].booster.get(), text.c_str(), &n_features, &names, &dim,
                                   &shape, &scores),
             "feature importance");
      double total = 0.0;
      for (bst_ulong i = 0; i < n_features; ++i) total += scores[i];
      if (total <= 0.0) continue;
      for (bst_ulong i = 0; i < n_features; ++i) gain[names[i]] += weights[u] * scores[i] / total;
    }
    double total = 0.0;
    for (const auto& [feature, g] : gain) total += g;
    // In column order first, so that the stable sort breaks ties by column.
    for (const std::string& feature : GbmFeatureNames()) {
      auto it = gain.find(feature);
      if (it != gain.end()) importance_.push_back({feature, total > 0 ? it->second / total : 0.0});
    }
    std::stable_sort(
        importance_.begin(), importance_.end(),
        [](const FeatureImportance& a, const FeatureImportance& b) { return a.gain > b.gain; });
    return Status::Ok();
  }

  GbmSettings s_;
  GbmFitStats stats_;
  std::vector<Unit> units_;                             // units_[0] is the pooled booster
  std::map<std::string, size_t, std::less<>> unit_of_;  // category -> its own unit
  mutable std::mutex mutex_;
  int season_length_ = 7;
  int horizon_ = 28;
  size_t rows_ = 0;
  std::map<std::string, int, std::less<>> categories_;
  std::vector<FeatureImportance> importance_;
};

#undef SC_XGB

#endif  // STOCKCAST_HAVE_XGBOOST

}  // namespace

std::optional<GbmFitStats> GbmLastFitStats(const GlobalModel& model) {
#ifdef STOCKCAST_HAVE_XGBOOST
  if (const auto* gbm = dynamic_cast<const GbmModel*>(&model);
      gbm != nullptr && gbm->fitted_here()) {
    return gbm->stats();
  }
#else
  (void)model;
#endif
  return std::nullopt;
}

Status RegisterGbmModel(GlobalModelRegistry& registry) {
  GlobalModelInfo info;
  info.name = "gbm";
  info.description =
      "global gradient boosting (xgboost) across all series: lags, rolling statistics, "
      "calendar and festivals, price, promotion, cart adds; Poisson/Tweedie; conformal "
      "quantiles; direct or recursive; optionally one booster per category";
  info.schema = ParamSchema(GbmSpecs());
  info.validate = ValidateGbm;
#ifdef STOCKCAST_HAVE_XGBOOST
  info.factory = [](const ParamValues& v) -> Result<std::unique_ptr<GlobalModel>> {
    return std::unique_ptr<GlobalModel>(std::make_unique<GbmModel>(SettingsFrom(v)));
  };
#else
  (void)SettingsFrom;
  info.available = false;
  info.unavailable_reason =
      "built without xgboost (STOCKCAST_WITH_XGBOOST=OFF or libxgboost-dev not found); "
      "install libxgboost-dev (scripts/install-deps.sh) and reconfigure";
#endif
  return registry.Register(std::move(info));
}

}  // namespace stockcast::forecast
