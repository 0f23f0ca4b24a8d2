// The global gradient-boosting forecaster. See gbm.h for the direct multi-step strategy and
// docs/design/ml.md for how it plugs into the pipeline; this file comments the choices made on
// the way.
//
// Quantiles (split conformal, Vovk et al. 2005; Lei et al. 2018, "Distribution-free predictive
// inference for regression"): the last `holdout_days` days of every series are held out, a
// first booster is trained on the rows whose target day lies before them, and it forecasts the
// holdout from the day before it (origin = n - holdout_days - 1, steps 1..holdout_days), as a
// real forecast would be made. Each holdout day gives a scaled residual r = (y - mu) / s(mu),
// s(mu) = (mu + 1/4)^(k/2): dividing by the standard deviation a variance law
// Var(y | mu) ~ phi (mu + 1/4)^k implies lets series of every size share one residual
// distribution (the 1/4 keeps near-zero means from blowing up). The power k is estimated on the
// holdout itself (VariancePower: k = 1 is Poisson noise, k = 2 noise proportional to the level,
// as in multiplicative data), clamped to [1, 2]. Residuals are pooled across series per week of
// lead time (steps 1-7, 8-14, ...), and the forecast quantile at level p is
// max(0, mu + Q_r(p) s(mu)), with Q_r the empirical quantile of the week's residuals (Hyndman &
// Fan type 7), which is non-decreasing in p. The
// final booster is then retrained on all rows, holdout included, with the same settings. With
// too few holdout residuals (fewer than kMinResiduals) the quantiles are Poisson(mu).
#include "forecast/gbm.h"

#include <fmt/format.h>

#include <algorithm>
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
                         const CalendarTable* calendar)
    : series_(&series), calendar_(calendar), category_code_(category_code) {
  const size_t n = series.y.size();
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
constexpr int kFormatVersion = 1;
constexpr int kGridSize = 199;  // residual quantiles at levels k / 200, k = 1..199
constexpr size_t kMinResiduals = 30;
constexpr int kBucketDays = 7;

struct GbmSettings {
  std::string objective = "count:poisson";
  double tweedie_power = 1.5;
  int n_estimators = 200;
  int max_depth = 6;
  double learning_rate = 0.1;
  double subsample = 0.8;
  double colsample = 0.8;
  double min_child_weight = 1.0;
  int threads = 0;
  int seed = 42;
  int train_days = 364;
  int holdout_days = 28;
  int min_days = 14;
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
      {"threads", ParamType::kInt, "0", 0, 1024, "training and prediction threads; 0 = all cores"},
      {"seed", ParamType::kInt, "42", 0, 2147483647,
       "seed of row sampling and of the step drawn for each training day"},
      {"train_days", ParamType::kInt, "364", 28, 100000,
       "target days per series used for training: the most recent ones"},
      {"holdout_days", ParamType::kInt, "28", 0, 366,
       "time-ordered holdout for the conformal quantiles; 0 = Poisson quantiles"},
      {"min_days", ParamType::kInt, "14", 1, 3650,
       "fewer usable days: the shared short-history rule instead of the model"},
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
  s.threads = v.GetInt("threads");
  s.seed = v.GetInt("seed");
  s.train_days = v.GetInt("train_days");
  s.holdout_days = v.GetInt("holdout_days");
  s.min_days = v.GetInt("min_days");
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
  return Status::Ok();
}

#ifdef STOCKCAST_HAVE_XGBOOST

// --- Small helpers -----------------------------------------------------------------------------

// Deterministic draw of the training step of (series, day): SplitMix64 of the pair and the seed.
uint64_t Mix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(const char* data, size_t len) {
  std::string out;
  out.reserve((len + 2) / 3 * 4);
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = static_cast<uint8_t>(data[i]) << 16;
    if (i + 1 < len) v |= static_cast<uint8_t>(data[i + 1]) << 8;
    if (i + 2 < len) v |= static_cast<uint8_t>(data[i + 2]);
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(i + 1 < len ? kB64[(v >> 6) & 63] : '=');
    out.push_back(i + 2 < len ? kB64[v & 63] : '=');
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  int table[256];
  std::fill(std::begin(table), std::end(table), -1);
  for (int i = 0; i < 64; ++i) table[static_cast<uint8_t>(kB64[i])] = i;
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t v = 0;
    int pad = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char ch = text[i + k];
      if (ch == '=' && i + 4 == text.size() && k >= 2) {
        ++pad;
        v <<= 6;
        continue;
      }
      const int d = table[static_cast<uint8_t>(ch)];
      if (d < 0 || pad > 0) return std::nullopt;
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    out.push_back(static_cast<char>((v >> 16) & 255));
    if (pad < 2) out.push_back(static_cast<char>((v >> 8) & 255));
    if (pad < 1) out.push_back(static_cast<char>(v & 255));
  }
  return out;
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

Result<DMatrix> MakeMatrix(const std::vector<float>& values, size_t rows, size_t cols,
                           const std::vector<float>* labels, int threads) {
  DMatrixHandle h = nullptr;
  SC_XGB(XGDMatrixCreateFromMat_omp(values.data(), rows, cols, NAN, &h, threads),
         "matrix creation");
  DMatrix m(h);
  if (labels != nullptr) {
    SC_XGB(XGDMatrixSetFloatInfo(h, "label", labels->data(), labels->size()), "labels");
  }
  return m;
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

// --- The model -------------------------------------------------------------------------------

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
    booster_.reset();
    fitted_series_ = {};
    season_length_ = season_length;
    horizon_ = horizon;
    // Categories as integer codes in sorted order (stable across runs on the same data).
    categories_.clear();
    for (const GlobalSeries& g : series) {
      if (!g.category.empty()) categories_.emplace(g.category, 0);
    }
    int code = 0;
    for (auto& [name, c] : categories_) c = code++;
    const CalendarTable calendar = CalendarFor(series, 0, horizon);
    const int threads = ResolveThreads(s_.threads);
    std::vector<GbmFeatures> feats;
    feats.reserve(series.size());
    for (const GlobalSeries& g : series) feats.emplace_back(g, CategoryCode(g.category), &calendar);

    // Training rows: one per usable target day of the window, with a drawn step.
    struct RowSpec {
      int origin, step;
      float label;
      bool before_holdout;
    };
    std::vector<std::vector<RowSpec>> specs(series.size());
    ParallelFor(series.size(), threads, [&](size_t i) {
      const GbmFeatures& f = feats[i];
      const int n = static_cast<int>(f.n());
      if (f.first_usable() < 0) return;
      const int cut = n - s_.holdout_days;
      for (int t = std::max(0, n - s_.train_days); t < n; ++t) {
        if (!f.UsableTarget(t)) continue;
        const uint64_t draw = Mix((static_cast<uint64_t>(s_.seed) << 40) ^
                                  (static_cast<uint64_t>(i) << 20) ^ static_cast<uint64_t>(t));
        int h = 1 + static_cast<int>(draw % static_cast<uint64_t>(horizon));
        if (t - h < f.first_usable()) h = t - f.first_usable();
        if (h < 1) continue;
        specs[i].push_back({t - h, h, static_cast<float>(f.Demand(t)), t < cut});
      }
    });
    std::vector<size_t> offset(series.size() + 1, 0);
    for (size_t i = 0; i < series.size(); ++i) offset[i + 1] = offset[i] + specs[i].size();
    const size_t rows = offset.back();
    if (rows == 0) {
      return Error::InvalidArgument(fmt::format(
          "gbm: no usable target day in {} series (every day missing, censored or before "
          "launch); nothing to learn from",
          series.size()));
    }
    if (rows > static_cast<size_t>(std::numeric_limits<int>::max())) {
      return Error::InvalidArgument(
          fmt::format("gbm: {} training rows; at most {} (lower train_days)", rows,
                      std::numeric_limits<int>::max()));
    }
    const size_t cols = GbmFeatureNames().size();
    std::vector<float> x(rows * cols);
    std::vector<float> labels(rows);
    std::vector<int> before;  // row indices of the conformal training set
    ParallelFor(series.size(), threads, [&](size_t i) {
      for (size_t r = 0; r < specs[i].size(); ++r) {
        const size_t row = offset[i] + r;
        feats[i].Row(specs[i][r].origin, specs[i][r].step,
                     std::span<float>(x.data() + row * cols, cols));
        labels[row] = specs[i][r].label;
      }
    });
    for (size_t i = 0; i < series.size(); ++i) {
      for (size_t r = 0; r < specs[i].size(); ++r) {
        if (specs[i][r].before_holdout) before.push_back(static_cast<int>(offset[i] + r));
      }
    }
    SC_ASSIGN_OR_RETURN(DMatrix all, MakeMatrix(x, rows, cols, &labels, threads));
    rows_ = rows;

    // Conformal residuals on the time-ordered holdout.
    buckets_.clear();
    power_ = 1.0;
    if (s_.holdout_days > 0 && before.size() >= kMinResiduals) {
      DMatrixHandle sliced = nullptr;
      SC_XGB(XGDMatrixSliceDMatrix(all.get(), before.data(), before.size(), &sliced),
             "holdout slice");
      DMatrix train(sliced);
      double before_mean = 0.0;
      for (int r : before) before_mean += labels[static_cast<size_t>(r)];
      before_mean /= static_cast<double>(before.size());
      SC_ASSIGN_OR_RETURN(Booster first, Train(train.get(), threads, before_mean));
      std::vector<float> hx;
      std::vector<double> actual;
      std::vector<int> steps;
      for (size_t i = 0; i < series.size(); ++i) {
        const GbmFeatures& f = feats[i];
        const int origin = static_cast<int>(f.n()) - s_.holdout_days - 1;
        if (f.first_usable() < 0 || origin < f.first_usable()) continue;
        for (int h = 1; h <= s_.holdout_days; ++h) {
          if (!f.UsableTarget(origin + h)) continue;
          hx.resize(hx.size() + cols);
          const std::span<float> row(hx.data() + hx.size() - cols, cols);
          f.Row(origin, h, row);
          row[0] = static_cast<float>(std::min(h, horizon_));  // as PredictMany does
          actual.push_back(f.Demand(origin + h));
          steps.push_back(h);
        }
      }
      if (actual.size() >= kMinResiduals) {
        SC_ASSIGN_OR_RETURN(DMatrix hm, MakeMatrix(hx, actual.size(), cols, nullptr, threads));
        SC_ASSIGN_OR_RETURN(std::vector<float> mu, PredictMatrix(first.get(), hm.get()));
        const std::vector<double> mud(mu.begin(), mu.end());
        power_ = VariancePower(mud, actual);
        const int nb = (s_.holdout_days + kBucketDays - 1) / kBucketDays;
        std::vector<std::vector<double>> residuals(static_cast<size_t>(nb));
        std::vector<double> pooled;
        for (size_t k = 0; k < actual.size(); ++k) {
          const double r = (actual[k] - mu[k]) / Scale(mu[k], power_);
          residuals[static_cast<size_t>((steps[k] - 1) / kBucketDays)].push_back(r);
          pooled.push_back(r);
        }
        const std::vector<double> pooled_grid = Grid(pooled);
        for (auto& r : residuals) {
          std::vector<double> g = Grid(std::move(r));
          buckets_.push_back(g.empty() ? pooled_grid : std::move(g));
        }
        holdout_residuals_ = actual.size();
      }
    }

    double label_mean = 0.0;
    for (float v : labels) label_mean += v;
    label_mean /= static_cast<double>(rows);
    SC_ASSIGN_OR_RETURN(Booster final_booster, Train(all.get(), threads, label_mean));
    booster_ = std::move(final_booster);
    SC_RETURN_IF_ERROR(ComputeImportance());
    fitted_series_ = series;
    return Status::Ok();
  }

  Result<std::vector<Forecast>> PredictMany(std::span<const GlobalSeries> series, int horizon,
                                            std::span<const double> levels) const override {
    if (!booster_) return Error::InvalidArgument("gbm: PredictMany before Fit or Load");
    SC_RETURN_IF_ERROR(ValidatePredictArgs("gbm", horizon, levels));
    for (size_t i = 0; i < series.size(); ++i) SC_RETURN_IF_ERROR(CheckSeries(series[i], i));
    std::vector<Forecast> out(series.size());
    const size_t cols = GbmFeatureNames().size();
    const CalendarTable calendar = CalendarFor(series, -1, horizon);
    std::vector<float> x;
    std::vector<size_t> modelled;  // series predicted by the booster, in row-block order
    for (size_t i = 0; i < series.size(); ++i) {
      const GlobalSeries& g = series[i];
      const GbmFeatures f(g, CategoryCode(g.category), &calendar);
      if (f.usable() < s_.min_days) {
        std::optional<Forecast> shortf =
            ShortHistoryForecast("gbm", g.y, g.flags, s_.min_days, 28, horizon, levels);
        SC_ASSERT(shortf.has_value());
        out[i] = std::move(*shortf);
        continue;
      }
      const int origin = static_cast<int>(f.n()) - 1;
      const size_t base = x.size();
      x.resize(base + static_cast<size_t>(horizon) * cols);
      for (int h = 1; h <= horizon; ++h) {
        std::span<float> row(x.data() + base + static_cast<size_t>(h - 1) * cols, cols);
        f.Row(origin, h, row);
        row[0] = static_cast<float>(std::min(h, horizon_));  // steps past training hold
      }
      modelled.push_back(i);
    }
    if (modelled.empty()) return out;
    std::vector<float> mu;
    {
      std::lock_guard<std::mutex> lock(mutex_);  // one booster, one prediction at a time
      const int threads = ResolveThreads(s_.threads);
      SC_ASSIGN_OR_RETURN(DMatrix m, MakeMatrix(x, modelled.size() * static_cast<size_t>(horizon),
                                                cols, nullptr, threads));
      SC_ASSIGN_OR_RETURN(mu, PredictMatrix(booster_.get(), m.get()));
    }
    for (size_t k = 0; k < modelled.size(); ++k) {
      Forecast& f = out[modelled[k]];
      f.levels.assign(levels.begin(), levels.end());
      f.mean.resize(static_cast<size_t>(horizon));
      f.quantiles.assign(levels.size(), std::vector<double>(static_cast<size_t>(horizon)));
      for (int h = 1; h <= horizon; ++h) {
        const double m = std::max(
            0.0,
            static_cast<double>(mu[k * static_cast<size_t>(horizon) + static_cast<size_t>(h - 1)]));
        f.mean[static_cast<size_t>(h - 1)] = m;
        for (size_t l = 0; l < levels.size(); ++l) {
          double q;
          if (buckets_.empty()) {
            q = PoissonQuantile(m, levels[l]);
          } else {
            const size_t b =
                std::min(static_cast<size_t>((h - 1) / kBucketDays), buckets_.size() - 1);
            q = m + GridQuantile(buckets_[b], levels[l]) * Scale(m, power_);
          }
          f.quantiles[l][static_cast<size_t>(h - 1)] = std::max(0.0, q);
        }
      }
      ClampForecast(&f);
    }
    return out;
  }

  Status Save(const std::string& path) const override {
    if (!booster_) return Error::InvalidArgument("gbm: Save before Fit");
    bst_ulong len = 0;
    const char* raw = nullptr;
    SC_XGB(XGBoosterSaveModelToBuffer(booster_.get(), R"({"format": "ubj"})", &len, &raw),
           "model save");
    nlohmann::json j;
    j["format"] = kFormat;
    j["version"] = kFormatVersion;
    j["model"] = "gbm";
    j["spec"] = s_.spec;
    j["features"] = GbmFeatureNames();
    j["season_length"] = season_length_;
    j["horizon"] = horizon_;
    j["rows"] = rows_;
    j["holdout_residuals"] = holdout_residuals_;
    nlohmann::json cats = nlohmann::json::array();
    for (const auto& [name, code] : categories_) cats.push_back(name);
    j["categories"] = cats;
    j["conformal_buckets"] = buckets_;
    j["variance_power"] = power_;
    nlohmann::json imp = nlohmann::json::array();
    for (const FeatureImportance& f : importance_)
      imp.push_back({{"feature", f.feature}, {"gain", f.gain}});
    j["importance"] = imp;
    j["booster_ubj_base64"] = Base64Encode(raw, len);
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
      if (j.value("version", -1) != kFormatVersion) {
        return where("version", fmt::format("= {}; this build reads version {}",
                                            j.value("version", -1), kFormatVersion));
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
      GbmSettings s = SettingsFrom(values);
      const std::optional<std::string> raw =
          Base64Decode(j.at("booster_ubj_base64").get<std::string>());
      if (!raw) return where("booster_ubj_base64", "is not valid base64");
      BoosterHandle h = nullptr;
      SC_XGB(XGBoosterCreate(nullptr, 0, &h), "booster creation");
      Booster b(h);
      SC_XGB(XGBoosterLoadModelFromBuffer(h, raw->data(), raw->size()), "model load");
      SC_XGB(XGBoosterSetParam(h, "nthread", std::to_string(ResolveThreads(s.threads)).c_str()),
             "nthread");
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
      holdout_residuals_ = j.at("holdout_residuals").get<size_t>();
      buckets_ = j.at("conformal_buckets").get<std::vector<std::vector<double>>>();
      power_ = j.at("variance_power").get<double>();
      categories_ = std::move(cats);
      importance_ = std::move(importance);
      booster_ = std::move(b);
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
    return fmt::format("gbm({}, {} trees, depth {}, {} rows, {} features, {})", s_.objective,
                       s_.n_estimators, s_.max_depth, rows_, GbmFeatureNames().size(),
                       buckets_.empty() ? std::string("Poisson quantiles")
                                        : fmt::format("conformal on {} holdout residuals, "
                                                      "variance power {:.2f}",
                                                      holdout_residuals_, power_));
  }

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

  // The calendar of every day the rows may ask for: from `from` (relative to each series'
  // last day; 0 = its first day) through `horizon` days past its end.
  static CalendarTable CalendarFor(std::span<const GlobalSeries> series, int from, int horizon) {
    std::optional<int64_t> lo, hi;
    for (const GlobalSeries& g : series) {
      if (!g.x.first_day) continue;
      const int64_t n = static_cast<int64_t>(g.y.size());
      const int64_t first = from < 0 ? *g.x.first_day + n - 1 : *g.x.first_day;
      const int64_t last = *g.x.first_day + n - 1 + horizon;
      lo = lo ? std::min(*lo, first) : first;
      hi = hi ? std::max(*hi, last) : last;
    }
    if (!lo) return {};
    return CalendarTable(Date::FromDays(static_cast<int32_t>(*lo)),
                         static_cast<int>(*hi - *lo + 1));
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

  static Result<std::vector<float>> PredictMatrix(BoosterHandle booster, DMatrixHandle m) {
    bst_ulong len = 0;
    const float* values = nullptr;
    SC_XGB(XGBoosterPredict(booster, m, 0, 0, 0, &len, &values), "prediction");
    return std::vector<float>(values, values + len);
  }

  Status ComputeImportance() {
    importance_.clear();
    nlohmann::json config = {{"importance_type", "gain"}, {"feature_names", GbmFeatureNames()}};
    const std::string text = config.dump();
    bst_ulong n_features = 0, dim = 0;
    const char** names = nullptr;
    const bst_ulong* shape = nullptr;
    const float* scores = nullptr;
    SC_XGB(XGBoosterFeatureScore(booster_.get(), text.c_str(), &n_features, &names, &dim, &shape,
                                 &scores),
           "feature importance");
    double total = 0.0;
    for (bst_ulong i = 0; i < n_features; ++i) total += scores[i];
    for (bst_ulong i = 0; i < n_features; ++i) {
      importance_.push_back({names[i], total > 0 ? scores[i] / total : 0.0});
    }
    std::stable_sort(
        importance_.begin(), importance_.end(),
        [](const FeatureImportance& a, const FeatureImportance& b) { return a.gain > b.gain; });
    return Status::Ok();
  }

  GbmSettings s_;
  Booster booster_;
  mutable std::mutex mutex_;
  int season_length_ = 7;
  int horizon_ = 28;
  size_t rows_ = 0;
  size_t holdout_residuals_ = 0;
  std::map<std::string, int, std::less<>> categories_;
  std::vector<std::vector<double>> buckets_;  // [lead-time week][grid level]
  double power_ = 1.0;                        // variance power k of the residual scale
  std::vector<FeatureImportance> importance_;
};

#undef SC_XGB

#endif  // STOCKCAST_HAVE_XGBOOST

}  // namespace

Status RegisterGbmModel(GlobalModelRegistry& registry) {
  GlobalModelInfo info;
  info.name = "gbm";
  info.description =
      "global gradient boosting (xgboost) across all series: lags, rolling statistics, "
      "calendar and festivals, price, promotion, cart adds; Poisson/Tweedie; conformal quantiles";
  info.schema = ParamSchema(GbmSpecs());
  info.validate = ValidateGbm;
#ifdef STOCKCAST_HAVE_XGBOOST
  info.factory = [](const ParamValues& v) -> std::unique_ptr<GlobalModel> {
    return std::make_unique<GbmModel>(SettingsFrom(v));
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
