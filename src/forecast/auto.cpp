#include "stockcast/forecast/auto.h"

#include <cmath>

#include <fmt/format.h>

namespace stockcast::forecast {
namespace {

constexpr int kMaxArimaSeason = 24;

struct AutoSettings {
  std::vector<std::string> ensemble = {"ets", "theta", "arima"};
  std::vector<std::string> daily = {"ets", "theta"};
  std::vector<std::string> long_daily = {"mstl:method=theta", "theta"};
  int long_days = 730;
  std::string intermittent_model = "sba";
  double adi_cut = 1.32;
  int min_days = 7;
};

class AutoModel final : public ForecastModel {
 public:
  explicit AutoModel(AutoSettings s) : s_(std::move(s)) {}
  std::string_view name() const override { return "auto"; }

  bool UsesRegressors() const override { return true; }
  Status FitWithRegressors(std::span<const double> y, std::span<const uint8_t> flags,
                           int season_length, const Regressors& x) override {
    SC_RETURN_IF_ERROR(ValidateRegressors("auto", x, y.size()));
    x_ = x;
    const Status status = FitMembers(y, flags, season_length);
    x_ = Regressors{};
    return status;
  }
  Status Fit(std::span<const double> y, std::span<const uint8_t> flags, int season_length) override {
    x_ = Regressors{};
    return FitMembers(y, flags, season_length);
  }

 private:
  Status FitMembers(std::span<const double> y, std::span<const uint8_t> flags, int season_length) {
    SC_RETURN_IF_ERROR(ValidateFitArgs("auto", y, flags, season_length));
    fitted_ = true;
    members_.clear();
    y_.assign(y.begin(), y.end());
    flags_.assign(flags.begin(), flags.end());
    const UsableSeries series = PrepareSeries(y, flags);
    if (series.usable < s_.min_days) return Status::Ok();
    // ADI over the usable values: usable values per non-zero value.
    int nonzero = 0;
    double sum = 0, sum_sq = 0;
    for (double v : series.y) {
      if (!std::isfinite(v) || v <= 0) continue;
      ++nonzero;
      sum += v;
      sum_sq += v * v;
    }
    const double adi = nonzero > 0 ? static_cast<double>(series.usable) / nonzero : INFINITY;
    const double mean = nonzero > 0 ? sum / nonzero : 0;
    const double cv2 = nonzero > 1 && mean > 0 ? (sum_sq / nonzero - mean * mean) / (mean * mean) : 0;
    intermittent_ = adi > s_.adi_cut;
    demand_class_ = intermittent_ ? (cv2 > 0.49 ? "lumpy" : "intermittent")
                                  : (cv2 > 0.49 ? "erratic" : "smooth");
    // Long daily histories carry a yearly season as well as the weekly one, which only a
    // decomposition with both periods (MSTL) represents.
    // Daily data (season 7) leaves auto.arima out: its search over weekly seasonal orders costs
    // ~0.2 s a series (100x ets + theta), too much for every SKU of a shop.
    const bool daily = season_length == 7;
    const bool long_daily = daily && series.usable >= s_.long_days;
    std::vector<std::string> names = intermittent_ ? std::vector<std::string>{s_.intermittent_model}
                                     : long_daily  ? s_.long_daily
                                     : daily       ? s_.daily
                                                   : s_.ensemble;
    for (const std::string& spec : names) {
      // auto.arima with a long season (weekly data, m = 52) is slow and rarely better; ets
      // likewise drops seasonal forms above m = 24, and theta still deseasonalises.
      if (season_length > kMaxArimaSeason && spec.rfind("arima", 0) == 0) continue;
      auto model = CreateModel(spec);
      if (!model.ok()) {  // a misspelt member is a setting error, not a data problem
        Error e = model.error();
        e.message = fmt::format("auto: ensemble member \"{}\": {}", spec, e.message);
        return e;
      }
      const Status fit = (*model)->UsesRegressors()
                             ? (*model)->FitWithRegressors(y, flags, season_length, x_)
                             : (*model)->Fit(y, flags, season_length);
      if (!fit.ok()) continue;
      members_.push_back(std::move(model).value());
    }
    if (members_.empty() && intermittent_) {
      for (const std::string& spec : s_.ensemble) {
        auto model = CreateModel(spec);
        if (model.ok() && (*model)->Fit(y, flags, season_length).ok()) {
          members_.push_back(std::move(model).value());
        }
      }
    }
    return Status::Ok();
  }

 public:
  Result<Forecast> Predict(int horizon, std::span<const double> levels) const override {
    if (!fitted_) return Error::InvalidArgument("auto: Predict before Fit");
    SC_RETURN_IF_ERROR(ValidatePredictArgs("auto", horizon, levels));
    if (auto f = ShortHistoryForecast("auto", y_, flags_, s_.min_days, 28, horizon, levels)) return *f;
    std::vector<Forecast> parts;
    std::vector<std::string> forms;
    std::string fallback;
    for (const auto& m : members_) {
      auto f = m->Predict(horizon, levels);
      if (!f.ok()) continue;
      if (!f->fallback.empty()) {
        if (fallback.empty()) fallback = std::string(m->name()) + ": " + f->fallback;
        if (members_.size() > 1) continue;  // leave a fallen-back member out of a combination
      }
      forms.push_back(m->Chosen());
      parts.push_back(std::move(f).value());
    }
    if (parts.empty()) {
      if (fallback.empty()) fallback = "no model of the ensemble could be fitted";
      auto mean_model = CreateModel("mean");
      SC_RETURN_IF_ERROR(mean_model.status());
      SC_RETURN_IF_ERROR((*mean_model)->Fit(y_, flags_, 1));
      SC_ASSIGN_OR_RETURN(Forecast f, (*mean_model)->Predict(horizon, levels));
      f.fallback = "mean: " + fallback;
      chosen_ = "mean";
      return f;
    }
    Forecast out;
    const size_t H = static_cast<size_t>(horizon);
    out.mean.assign(H, 0.0);
    out.levels.assign(levels.begin(), levels.end());
    out.quantiles.assign(levels.size(), std::vector<double>(H, 0.0));
    const double w = 1.0 / static_cast<double>(parts.size());
    for (const Forecast& f : parts) {
      for (size_t h = 0; h < H; ++h) out.mean[h] += w * f.mean[h];
      for (size_t l = 0; l < levels.size(); ++l) {
        for (size_t h = 0; h < H; ++h) out.quantiles[l][h] += w * f.quantiles[l][h];
      }
    }
    if (parts.size() == 1) out.fallback = parts[0].fallback;
    chosen_ = demand_class_ + ":";
    for (size_t i = 0; i < forms.size(); ++i) chosen_ += (i ? "+" : "") + forms[i];
    ClampForecast(&out);
    return out;
  }

  std::string Chosen() const override { return chosen_.empty() ? "auto" : chosen_; }
  std::vector<std::string> MemberSpecs() const override {
    std::vector<std::string> out = s_.ensemble;
    out.insert(out.end(), s_.daily.begin(), s_.daily.end());
    out.insert(out.end(), s_.long_daily.begin(), s_.long_daily.end());
    out.push_back(s_.intermittent_model);
    return out;
  }

 private:
  AutoSettings s_;
  bool fitted_ = false;
  bool intermittent_ = false;
  std::string demand_class_;
  std::vector<double> y_;
  std::vector<uint8_t> flags_;
  std::vector<std::unique_ptr<ForecastModel>> members_;
  Regressors x_;  // during a fit only
  mutable std::string chosen_;
};

}  // namespace

Status RegisterAutoModel(ModelRegistry& registry) {
  return registry.Register(
      {"auto",
       "classifies each series (ADI/CV2): intermittent/lumpy -> SBA; smooth/erratic -> the "
       "mean of an ensemble (point forecasts and quantiles averaged): ets+theta+arima; daily "
       "series (season 7) ets+theta, or with two years of history MSTL (weekly + yearly) with "
       "theta, plus theta",
       ParamSchema({{"ensemble", ParamType::kString, "ets+theta+arima", -1e300, 1e300,
                     "models combined for smooth/erratic series, joined by '+'; a member's own "
                     "parameters in parentheses, separated by '/': mstl(method=theta)"},
                    {"daily", ParamType::kString, "ets+theta", -1e300, 1e300,
                     "the ensemble for series with season 7 and fewer than long_days usable days"},
                    {"long_daily", ParamType::kString, "mstl(method=theta)+theta", -1e300, 1e300,
                     "the ensemble for series with season 7 and at least long_days usable days"},
                    {"long_days", ParamType::kInt, "730", 1, 1000000,
                     "usable days from which a daily series uses the long_daily ensemble"},
                    {"intermittent", ParamType::kString, "sba", -1e300, 1e300,
                     "model for intermittent/lumpy series (ADI > adi_cut)"},
                    {"adi_cut", ParamType::kDouble, "1.32", 1, 1e6,
                     "average inter-demand interval above which a series is intermittent"},
                    {"min_days", ParamType::kInt, "7", 1, 3650,
                     "with fewer usable values, the shared short-history rule"}}),
       [](const ParamValues& v) -> std::unique_ptr<ForecastModel> {
         AutoSettings s;
         s.ensemble = SplitModelList(v.GetString("ensemble"));
         s.daily = SplitModelList(v.GetString("daily"));
         s.long_daily = SplitModelList(v.GetString("long_daily"));
         s.long_days = v.GetInt("long_days");
         s.intermittent_model = v.GetString("intermittent");
         s.adi_cut = v.GetDouble("adi_cut");
         s.min_days = v.GetInt("min_days");
         return std::make_unique<AutoModel>(std::move(s));
       }});
}

}  // namespace stockcast::forecast
