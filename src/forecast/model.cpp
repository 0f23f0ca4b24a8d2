#include "stockcast/forecast/model.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "stockcast/forecast/arima.h"
#include "stockcast/forecast/auto.h"
#include "stockcast/forecast/baseline.h"
#include "stockcast/forecast/decompose.h"
#include "stockcast/forecast/distribution.h"
#include "stockcast/forecast/ets.h"
#include "stockcast/forecast/intermittent.h"
#include "stockcast/forecast/regression.h"
#include "stockcast/forecast/theta.h"
#include "stockcast/forecast/trend.h"

namespace stockcast::forecast {

const std::vector<double>* Forecast::QuantilesAt(double level) const {
  for (size_t i = 0; i < levels.size(); ++i) {
    if (std::abs(levels[i] - level) < 1e-9) return &quantiles[i];
  }
  return nullptr;
}

double Regressors::At(size_t column, size_t t) const {
  if (column >= values.size() || values[column].empty()) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  const std::vector<double>& v = values[column];
  return t < v.size() ? v[t] : v.back();
}

std::string ModelSpec::ToString() const {
  std::string out = name;
  char sep = ':';
  for (const auto& [k, v] : params) {  // std::map: keys sorted
    out += sep;
    out += k;
    out += '=';
    out += v;
    sep = ',';
  }
  return out;
}

Result<ModelSpec> ParseModelSpec(std::string_view spec) {
  ModelSpec out;
  const size_t colon = spec.find(':');
  std::string_view name = spec.substr(0, colon);
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  if (name.empty()) {
    return Error::InvalidArgument(
        fmt::format("model spec \"{}\" has no model name; write name or name:key=value,...",
                    spec));
  }
  out.name = std::string(name);
  if (colon != std::string_view::npos && colon + 1 < spec.size()) {
    SC_ASSIGN_OR_RETURN(out.params,
                        ParseKeyValues(spec.substr(colon + 1), fmt::format("model {}", name)));
  }
  return out;
}

const ModelRegistry& ModelRegistry::Global() {
  // Built on first use rather than by static registration objects, which a static library
  // link may silently drop when nothing references their translation unit.
  static const ModelRegistry registry = [] {
    ModelRegistry r;
    for (const auto& add : {RegisterBaselineModels, RegisterEtsModels, RegisterThetaModels,
                            RegisterIntermittentModels, RegisterArimaModels,
                            RegisterDecompositionModels, RegisterTrendModels,
                            RegisterRegressionModels, RegisterAutoModel}) {
      const Status status = add(r);
      SC_ASSERT_MSG(status.ok(), "built-in model registration failed");
    }
    return r;
  }();
  return registry;
}

Status ModelRegistry::Register(ModelInfo info) {
  if (info.name.empty()) return Error::InvalidArgument("model name is empty");
  if (!info.factory) {
    return Error::InvalidArgument(fmt::format("model \"{}\" has no factory", info.name));
  }
  if (models_.count(info.name) != 0) {
    return Error::Conflict(fmt::format("model \"{}\" is already registered", info.name));
  }
  std::string name = info.name;
  models_.emplace(std::move(name), std::move(info));
  return Status::Ok();
}

const ModelInfo* ModelRegistry::Find(std::string_view name) const {
  auto it = models_.find(name);
  return it == models_.end() ? nullptr : &it->second;
}

std::vector<const ModelInfo*> ModelRegistry::List() const {
  std::vector<const ModelInfo*> out;
  out.reserve(models_.size());
  for (const auto& [name, info] : models_) out.push_back(&info);
  return out;
}

std::string ModelRegistry::Names() const {
  std::string out;
  for (const auto& [name, info] : models_) out += (out.empty() ? "" : ", ") + name;
  return out;
}

Result<std::unique_ptr<ForecastModel>> ModelRegistry::Create(std::string_view spec) const {
  SC_ASSIGN_OR_RETURN(ModelSpec parsed, ParseModelSpec(spec));
  const ModelInfo* info = Find(parsed.name);
  if (info == nullptr) {
    return Error::InvalidArgument(
        fmt::format("unknown model \"{}\"; available: {}", parsed.name, Names()));
  }
  SC_ASSIGN_OR_RETURN(ParamValues values,
                      info->schema.Validate(parsed.params, fmt::format("model {}", info->name)));
  std::unique_ptr<ForecastModel> model = info->factory(values);
  if (!model) {
    return Error::Internal(fmt::format("model \"{}\" factory returned nothing", info->name));
  }
  return model;
}

Status ValidateFitArgs(std::string_view model, std::span<const double> y,
                       std::span<const uint8_t> flags, int season_length) {
  if (!flags.empty() && flags.size() != y.size()) {
    return Error::InvalidArgument(fmt::format(
        "{}: flags has {} values but the series has {}; they must match", model, flags.size(),
        y.size()));
  }
  if (season_length < 1) {
    return Error::InvalidArgument(
        fmt::format("{}: season_length = {}; must be >= 1", model, season_length));
  }
  return Status::Ok();
}

Status ValidatePredictArgs(std::string_view model, int horizon, std::span<const double> levels) {
  if (horizon < 1) {
    return Error::InvalidArgument(fmt::format("{}: horizon = {}; must be >= 1", model, horizon));
  }
  for (size_t i = 0; i < levels.size(); ++i) {
    if (!(levels[i] > 0.0 && levels[i] < 1.0)) {
      return Error::InvalidArgument(fmt::format(
          "{}: quantile level {} at position {}; must be in (0, 1)", model, levels[i], i + 1));
    }
    if (i > 0 && !(levels[i] > levels[i - 1])) {
      return Error::InvalidArgument(
          fmt::format("{}: quantile levels must be strictly ascending; {} follows {}", model,
                      levels[i], levels[i - 1]));
    }
  }
  return Status::Ok();
}

Status ValidateRegressors(std::string_view model, const Regressors& x, size_t n) {
  if (x.names.size() != x.values.size()) {
    return Error::InvalidArgument(fmt::format(
        "{}: {} regressor names but {} value columns; each column needs one name", model,
        x.names.size(), x.values.size()));
  }
  for (size_t j = 0; j < x.values.size(); ++j) {
    if (x.values[j].size() < n) {
      return Error::InvalidArgument(fmt::format(
          "{}: regressor \"{}\" has {} values for a series of {}; a regressor needs a value "
          "for every fitted day",
          model, x.names[j], x.values[j].size(), n));
    }
  }
  return Status::Ok();
}

UsableSeries PrepareSeries(std::span<const double> y, std::span<const uint8_t> flags) {
  UsableSeries out;
  const size_t n = y.size();
  size_t first = 0;
  auto usable = [&](size_t t) {
    return std::isfinite(y[t]) && (flags.empty() || (flags[t] & kUnusableDayMask) == 0);
  };
  while (first < n && !usable(first)) ++first;
  out.offset = first;
  out.y.reserve(n - first);
  for (size_t t = first; t < n; ++t) {
    if (usable(t)) {
      out.y.push_back(std::max(0.0, y[t]));
      ++out.usable;
    } else {
      out.y.push_back(std::numeric_limits<double>::quiet_NaN());
    }
  }
  return out;
}

std::optional<Forecast> ShortHistoryForecast(std::string_view model, std::span<const double> y,
                                             std::span<const uint8_t> flags, int min_days,
                                             int window, int horizon,
                                             std::span<const double> levels) {
  double usable_sum = 0.0, observed_sum = 0.0;
  int usable = 0, observed = 0;
  for (size_t t = 0; t < y.size(); ++t) {
    if (!std::isfinite(y[t])) continue;
    const double v = std::max(0.0, y[t]);
    observed_sum += v;
    ++observed;
    if (flags.empty() || (flags[t] & kUnusableDayMask) == 0) {
      usable_sum += v;
      ++usable;
    }
  }
  if (usable >= min_days) return std::nullopt;
  double mean = 0.0;
  std::string why;
  if (observed == 0) {
    why = "zero: no data";
  } else if (usable == 0) {
    mean = observed_sum / observed;
    why = fmt::format("mean of {} censored/flagged days: no usable days", observed);
  } else {
    const int w = std::max(window, usable);
    mean = usable_sum / w;
    why = fmt::format("short: {} usable value{} < min_days {} for {}; their total {} spread over {}",
                      usable, usable == 1 ? "" : "s", min_days, model, usable_sum, w);
  }
  Forecast f;
  f.fallback = std::move(why);
  f.mean.assign(static_cast<size_t>(horizon), mean);
  f.levels.assign(levels.begin(), levels.end());
  f.quantiles.assign(levels.size(), std::vector<double>(static_cast<size_t>(horizon), 0.0));
  for (size_t l = 0; l < levels.size(); ++l) {
    const double q = PoissonQuantile(mean, levels[l]);
    std::fill(f.quantiles[l].begin(), f.quantiles[l].end(), q);
  }
  ClampForecast(&f);
  return f;
}

void NormalQuantiles(const std::vector<double>& mean, const std::vector<double>& sd,
                     std::span<const double> levels, Forecast* out) {
  out->levels.assign(levels.begin(), levels.end());
  out->quantiles.assign(levels.size(), std::vector<double>(mean.size(), 0.0));
  for (size_t l = 0; l < levels.size(); ++l) {
    const double z = NormalQuantile(levels[l]);
    for (size_t h = 0; h < mean.size(); ++h) out->quantiles[l][h] = mean[h] + z * sd[h];
  }
}

void ClampForecast(Forecast* f) {
  for (double& m : f->mean) m = std::isfinite(m) ? std::max(0.0, m) : 0.0;
  for (size_t h = 0; h < f->mean.size(); ++h) {
    double previous = 0.0;
    for (auto& path : f->quantiles) {
      double& q = path[h];
      if (!std::isfinite(q)) q = q > 0 ? std::numeric_limits<double>::max() : 0.0;
      q = std::max(q, previous);
      previous = q;
    }
  }
}

Result<std::unique_ptr<ForecastModel>> CreateModel(std::string_view spec) {
  return ModelRegistry::Global().Create(spec);
}

std::vector<const ModelInfo*> ListModels() { return ModelRegistry::Global().List(); }

}  // namespace stockcast::forecast

namespace stockcast::forecast {

namespace {

Status CheckSpec(std::string_view spec, bool top) {
  SC_ASSIGN_OR_RETURN(std::unique_ptr<ForecastModel> created, CreateModel(spec));
  const std::vector<std::string> members = created->MemberSpecs();
  for (const std::string& member : members) {
    if (member == spec) continue;
    const Status checked = CheckSpec(member, false);
    if (!checked.ok()) {
      Error e = checked.error();
      e.message = fmt::format("model spec \"{}\", member: {}", spec, e.message);
      return e;
    }
  }
  // Probes: short daily and monthly shapes, and for an ensemble a long daily one, since a model
  // may read a setting only for some kinds of series (auto's daily / long_daily / general
  // ensembles). Members get the short probes only (auto.arima on 800 daily values is slow).
  struct Probe {
    size_t n;
    int season;
  };
  std::vector<Probe> probes = {{60, 7}, {60, 12}};
  if (top && !members.empty()) probes.push_back({800, 7});
  for (const Probe probe : probes) {
    std::vector<double> y(probe.n);
    for (size_t t = 0; t < y.size(); ++t) {
      y[t] = 20.0 + 5.0 * static_cast<double>((t * 3) % 7) + 0.01 * static_cast<double>(t);
    }
    SC_ASSIGN_OR_RETURN(std::unique_ptr<ForecastModel> model, CreateModel(spec));
    const Status fit = model->Fit(y, {}, probe.season);
    if (!fit.ok()) {
      Error e = fit.error();
      e.message = fmt::format("model spec \"{}\": {}", spec, e.message);
      return e;
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckModelSpec(std::string_view spec) { return CheckSpec(spec, true); }

namespace {
constexpr double kMaxTimesHistory = 20.0;
}  // namespace

RobustForecast ForecastOrFallback(const std::string& spec, std::span<const double> y,
                                  std::span<const uint8_t> flags, int season_length,
                                  const Regressors& x, int horizon,
                                  std::span<const double> levels) {
  RobustForecast out;
  std::string failure;
  for (const std::string& candidate : {spec, std::string("mean")}) {
    auto model = CreateModel(candidate);
    if (!model.ok()) {
      failure = model.error().message;
      continue;
    }
    Status fit = (*model)->UsesRegressors()
                     ? (*model)->FitWithRegressors(y, flags, season_length, x)
                     : (*model)->Fit(y, flags, season_length);
    if (!fit.ok()) {
      failure = fit.error().message;
      continue;
    }
    auto predicted = (*model)->Predict(horizon, levels);
    if (!predicted.ok()) {
      failure = predicted.error().message;
      continue;
    }
    Forecast f = std::move(predicted).value();
    bool finite = true;
    for (double v : f.mean) finite = finite && std::isfinite(v);
    for (const auto& q : f.quantiles) {
      for (double v : q) finite = finite && std::isfinite(v);
    }
    if (!finite) {
      failure = fmt::format("{} produced a non-finite value", candidate);
      continue;
    }
    // An exploding fit (a trend or drift run away on a short or spiky history) is not a
    // forecast: no day may exceed kMaxTimesHistory x the largest value of the history.
    double y_max = 0.0;
    for (double v : y) {
      if (std::isfinite(v)) y_max = std::max(y_max, v);
    }
    double f_max = 0.0;
    for (double v : f.mean) f_max = std::max(f_max, v);
    for (const auto& q : f.quantiles) {
      for (double v : q) f_max = std::max(f_max, v);
    }
    if (y_max > 0.0 && f_max > kMaxTimesHistory * y_max) {
      failure = fmt::format("{} forecast {:.4g}, over {:g} x the history's largest value {:g}",
                            candidate, f_max, kMaxTimesHistory, y_max);
      continue;
    }
    if (candidate != spec && f.fallback.empty()) {
      f.fallback = fmt::format("mean: {} failed: {}", spec, failure);
    }
    if (f.fallback.empty()) {
      out.chosen = (*model)->Chosen();
    } else {
      out.chosen = "fallback:" + f.fallback.substr(0, f.fallback.find_first_of(": "));
    }
    out.forecast = std::move(f);
    return out;
  }
  const size_t H = static_cast<size_t>(std::max(horizon, 0));
  out.forecast.mean.assign(H, 0.0);
  out.forecast.levels.assign(levels.begin(), levels.end());
  out.forecast.quantiles.assign(levels.size(), std::vector<double>(H, 0.0));
  out.forecast.fallback = "zero: " + failure;
  out.chosen = "fallback:zero";
  return out;
}

std::vector<std::string> SplitModelList(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t bar = text.find('+', pos);
    if (bar == std::string::npos) bar = text.size();
    if (bar > pos) {
      std::string member = text.substr(pos, bar - pos);
      const size_t open = member.find('(');
      if (open != std::string::npos && member.back() == ')') {
        std::string params = member.substr(open + 1, member.size() - open - 2);
        for (char& c : params) c = c == '/' ? ',' : c;
        member = member.substr(0, open) + ":" + params;
      }
      out.push_back(member);
    }
    pos = bar + 1;
  }
  return out;
}

}  // namespace stockcast::forecast
