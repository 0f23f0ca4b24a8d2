#include "forecast/ensemble.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <fmt/format.h>
#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include "stockcast/core/parallel.h"
#include "stockcast/forecast/metrics.h"
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {
namespace {

constexpr std::string_view kFormat = "stockcast-global-model";
constexpr int kFormatVersion = 1;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::string_view kCombines[] = {"stack", "weighted", "mean", "median", "best"};

std::vector<ParamSpec> EnsembleSpecs() {
  return {
      {"members", ParamType::kString, "auto+gbm", -1e300, 1e300,
       "models to combine, joined by '+': per-series ones (auto, ets, theta, ...) fitted on each "
       "series and global ones (gbm, lstm, gru) trained across all; a member's own parameters "
       "in parentheses separated by '/': auto+gbm(max_depth=6/n_estimators=300)"},
      {"combine", ParamType::kString, "stack", -1e300, 1e300,
       "stack (non-negative weights summing to 1 that minimise the holdout backtest's scaled "
       "squared error), weighted (weights 1/MSSE from the holdout), mean, median, or best (the "
       "member with the lowest holdout MSSE)"},
      {"holdout", ParamType::kInt, "0", 0, 3650,
       "days held out at each series' end to weigh the members (0 = the horizon)"},
      {"threads", ParamType::kInt, "0", 0, 1024, "threads (0 = all cores)"},
  };
}

// "auto+gbm(max_depth=6)" -> {"auto", "gbm:max_depth=6"}: every member a valid spec of a
// registered model (global ones available), no repeats, not ensemble.
Result<std::vector<std::string>> ParseMembers(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& member : SplitModelList(text)) {
    auto parsed = ParseModelSpec(member);
    if (!parsed.ok()) {
      return Error::InvalidArgument(fmt::format("model ensemble: member \"{}\" of members = "
                                                "\"{}\": {}",
                                                member, text, parsed.error().message));
    }
    if (parsed->name == "ensemble") {
      return Error::InvalidArgument("model ensemble: members cannot include ensemble itself");
    }
    const std::string spec = parsed->ToString();
    if (std::find(out.begin(), out.end(), spec) != out.end()) {
      return Error::InvalidArgument(fmt::format(
          "model ensemble: member \"{}\" is listed twice in members = \"{}\"", spec, text));
    }
    Status valid = Status::Ok();
    if (GlobalModelRegistry::Global().Find(parsed->name) != nullptr) {
      valid = CreateGlobalModel(spec).status();
    } else if (ModelRegistry::Global().Find(parsed->name) != nullptr) {
      valid = CheckModelSpec(spec);
    } else {
      return Error::InvalidArgument(fmt::format(
          "model ensemble: member \"{}\" is not a model; per-series: {}; global: {}",
          parsed->name, ModelRegistry::Global().Names(), GlobalModelRegistry::Global().Names()));
    }
    if (!valid.ok()) {
      Error error = valid.error();
      error.message = fmt::format("model ensemble: member {}: {}", spec, error.message);
      return error;
    }
    out.push_back(spec);
  }
  return out;
}

Status ValidateEnsemble(const ParamValues& v) {
  const std::string& combine = v.GetString("combine");
  if (std::find(std::begin(kCombines), std::end(kCombines), combine) == std::end(kCombines)) {
    return Error::InvalidArgument(fmt::format(
        "model ensemble: combine = \"{}\"; must be stack, weighted, mean, median or best",
        combine));
  }
  SC_ASSIGN_OR_RETURN(std::vector<std::string> members, ParseMembers(v.GetString("members")));
  if (members.size() < 2) {
    return Error::InvalidArgument(fmt::format(
        "model ensemble: members = \"{}\" names one model; an ensemble needs at least two, "
        "e.g. auto+gbm",
        v.GetString("members")));
  }
  if (members.size() > 8) {
    return Error::InvalidArgument(fmt::format(
        "model ensemble: members = \"{}\" names {} models; at most 8", v.GetString("members"),
        members.size()));
  }
  return Status::Ok();
}

struct EnsembleSettings {
  std::vector<std::string> members;
  std::string combine;
  int holdout = 0;
  int threads = 0;
  std::string spec;
};

EnsembleSettings SettingsFrom(const ParamValues& v) {
  EnsembleSettings s;
  s.members = ParseMembers(v.GetString("members")).value();
  s.combine = v.GetString("combine");
  s.holdout = v.GetInt("holdout");
  s.threads = v.GetInt("threads");
  ModelSpec spec{"ensemble", {}};
  for (const auto& [k, value] : v.raw()) spec.params[k] = value;
  s.spec = spec.ToString();
  return s;
}

bool IsGlobal(const std::string& spec) { return IsGlobalModelSpec(spec); }

// `y` with the days that cannot be scored set to NaN.
std::vector<double> Clean(const GlobalSeries& s) {
  std::vector<double> out(s.y.begin(), s.y.end());
  for (size_t t = 0; t < out.size() && t < s.flags.size(); ++t) {
    if ((s.flags[t] & kUnusableDayMask) != 0) out[t] = kNaN;
  }
  return out;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Internal(fmt::format("ensemble: cannot read back {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Minimises w' G w - 2 c' w over the simplex (w >= 0, sum w = 1) -- the pooled scaled squared
// error of the combination, up to a constant -- with members marked `excluded` held at 0.
// Members are few, so every support set is tried: on a support S the equality-constrained
// minimum solves [G_SS 1; 1' 0] [w; mu] = [c_S; 1]; the feasible (w >= 0) solution with the
// lowest objective is the optimum (the problem is convex, and the optimum has some support).
// Empty when no support gives a feasible solution (singular systems only).
std::vector<double> SimplexLeastSquares(const std::vector<double>& gram,
                                        const std::vector<double>& cross, size_t n,
                                        const std::vector<bool>& excluded) {
  std::vector<double> best;
  double best_value = std::numeric_limits<double>::infinity();
  for (uint32_t mask = 1; mask < (1u << n); ++mask) {
    std::vector<size_t> support;
    bool skip = false;
    for (size_t j = 0; j < n; ++j) {
      if ((mask >> j) & 1u) {
        if (excluded[j]) skip = true;
        support.push_back(j);
      }
    }
    if (skip) continue;
    const size_t k = support.size();
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(k + 1),
                                              static_cast<Eigen::Index>(k + 1));
    Eigen::VectorXd rhs(static_cast<Eigen::Index>(k + 1));
    for (size_t r = 0; r < k; ++r) {
      const auto ri = static_cast<Eigen::Index>(r);
      for (size_t c = 0; c < k; ++c) {
        a(ri, static_cast<Eigen::Index>(c)) = gram[support[r] * n + support[c]];
      }
      a(ri, static_cast<Eigen::Index>(k)) = 1.0;
      a(static_cast<Eigen::Index>(k), ri) = 1.0;
      rhs(ri) = cross[support[r]];
    }
    rhs(static_cast<Eigen::Index>(k)) = 1.0;
    const Eigen::FullPivLU<Eigen::MatrixXd> lu(a);
    if (!lu.isInvertible()) continue;
    const Eigen::VectorXd sol = lu.solve(rhs);
    std::vector<double> w(n, 0.0);
    bool feasible = true;
    for (size_t r = 0; r < k; ++r) {
      const double v = sol(static_cast<Eigen::Index>(r));
      if (!(v >= -1e-12)) feasible = false;
      w[support[r]] = std::max(v, 0.0);
    }
    if (!feasible) continue;
    double value = 0;
    for (size_t j = 0; j < n; ++j) {
      value -= 2 * cross[j] * w[j];
      for (size_t l = 0; l < n; ++l) value += w[j] * gram[j * n + l] * w[l];
    }
    if (value < best_value) {
      best_value = value;
      best = std::move(w);
    }
  }
  if (!best.empty()) {
    double total = 0;
    for (double v : best) total += v;
    for (double& v : best) v /= total;
  }
  return best;
}

class EnsembleModel final : public GlobalModel {
 public:
  explicit EnsembleModel(EnsembleSettings s) : s_(std::move(s)) {}

  std::string_view name() const override { return "ensemble"; }

  Status Fit(std::span<const GlobalSeries> series, int season_length, int horizon) override {
    if (series.empty()) return Error::InvalidArgument("ensemble: Fit needs at least one series");
    if (horizon < 1) {
      return Error::InvalidArgument(fmt::format("ensemble: horizon = {}; must be >= 1", horizon));
    }
    if (season_length < 1) {
      return Error::InvalidArgument(
          fmt::format("ensemble: season_length = {}; must be >= 1", season_length));
    }
    fitted_series_ = {};
    globals_.clear();
    globals_.resize(s_.members.size());
    season_length_ = season_length;
    horizon_ = horizon;
    scores_.assign(s_.members.size(), kNaN);
    weights_.assign(s_.members.size(), 1.0 / static_cast<double>(s_.members.size()));
    if (s_.combine != "mean" && s_.combine != "median") SC_RETURN_IF_ERROR(Weigh(series));
    for (size_t j = 0; j < s_.members.size(); ++j) {
      if (!IsGlobal(s_.members[j]) || !Used(j)) continue;
      SC_ASSIGN_OR_RETURN(globals_[j], CreateMember(j));
      const Status fit = globals_[j]->Fit(series, season_length, horizon);
      if (!fit.ok()) return MemberError(j, fit.error());
    }
    fitted_series_ = series;
    fitted_ = true;
    return Status::Ok();
  }

  Result<std::vector<Forecast>> PredictMany(std::span<const GlobalSeries> series, int horizon,
                                            std::span<const double> levels) const override {
    if (!fitted_) return Error::InvalidArgument("ensemble: PredictMany before Fit or Load");
    if (horizon < 1) {
      return Error::InvalidArgument(fmt::format("ensemble: horizon = {}; must be >= 1", horizon));
    }
    SC_ASSIGN_OR_RETURN(std::vector<std::vector<Forecast>> by_member,
                        MemberForecasts(series, horizon, levels));
    std::vector<Forecast> out(series.size());
    ParallelFor(series.size(), s_.threads, [&](size_t i) {
      out[i] = Combine(by_member, i, horizon, levels);
    });
    return out;
  }

  Status Save(const std::string& path) const override {
    if (!fitted_) return Error::InvalidArgument("ensemble: Save before Fit");
    nlohmann::json j;
    j["format"] = kFormat;
    j["version"] = kFormatVersion;
    j["model"] = "ensemble";
    j["spec"] = s_.spec;
    j["features"] = FeatureNames();
    j["season_length"] = season_length_;
    j["horizon"] = horizon_;
    j["members"] = s_.members;
    j["weights"] = weights_;
    nlohmann::json scores = nlohmann::json::array();
    for (double v : scores_) scores.push_back(std::isfinite(v) ? nlohmann::json(v) : nullptr);
    j["scores"] = scores;
    nlohmann::json globals = nlohmann::json::object();
    for (size_t m = 0; m < s_.members.size(); ++m) {
      if (!globals_[m]) continue;
      // A member writes its own file format; it is kept whole inside this file.
      const std::string tmp = fmt::format("{}.member{}.tmp", path, m);
      const Status saved = globals_[m]->Save(tmp);
      if (!saved.ok()) {
        std::remove(tmp.c_str());
        return MemberError(m, saved.error());
      }
      auto text = ReadFile(tmp);
      std::remove(tmp.c_str());
      if (!text.ok()) return text.error();
      try {
        globals[s_.members[m]] = nlohmann::json::parse(*text);
      } catch (const std::exception& e) {
        return Error::Internal(fmt::format("ensemble: member {} wrote a file that is not JSON: {}",
                                           s_.members[m], e.what()));
      }
    }
    j["globals"] = globals;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
      return Error::InvalidArgument(
          fmt::format("model file {}: cannot be opened for writing", path));
    }
    out << j.dump();
    out.close();
    if (!out) return Error::Internal(fmt::format("model file {}: write failed", path));
    return Status::Ok();
  }

  Status Load(const std::string& path) override {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return Error::NotFound(fmt::format("model file {}: cannot be opened for reading", path));
    }
    const auto where = [&](std::string_view field, std::string_view rule) {
      return Error::InvalidArgument(fmt::format("model file {}: \"{}\" {}", path, field, rule));
    };
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
      return Error::InvalidArgument(
          fmt::format("model file {}: not a stockcast model file (JSON: {})", path, e.what()));
    }
    try {
      if (j.value("format", "") != kFormat) {
        return where("format", fmt::format("must be \"{}\"", kFormat));
      }
      if (j.value("version", -1) != kFormatVersion) {
        return where("version", fmt::format("= {}; this build reads version {}",
                                            j.value("version", -1), kFormatVersion));
      }
      if (j.value("model", "") != "ensemble") return where("model", "must be \"ensemble\"");
      if (j.at("members").get<std::vector<std::string>>() != s_.members) {
        return where("members", "differ from the spec's members");
      }
      std::vector<double> weights = j.at("weights").get<std::vector<double>>();
      if (weights.size() != s_.members.size()) {
        return where("weights", "must have one weight per member");
      }
      std::vector<double> scores;
      for (const auto& v : j.at("scores")) scores.push_back(v.is_number() ? v.get<double>() : kNaN);
      const nlohmann::json& globals = j.at("globals");
      std::vector<std::unique_ptr<GlobalModel>> loaded(s_.members.size());
      for (size_t m = 0; m < s_.members.size(); ++m) {
        if (!IsGlobal(s_.members[m]) || weights[m] <= 0.0) continue;
        if (!globals.contains(s_.members[m])) {
          return where("globals", fmt::format("lack the trained member {}", s_.members[m]));
        }
        const std::string tmp = fmt::format("{}.member{}.tmp", path, m);
        {
          std::ofstream member(tmp, std::ios::binary | std::ios::trunc);
          member << globals[s_.members[m]].dump();
        }
        auto model = LoadGlobalModel(tmp);
        std::remove(tmp.c_str());
        if (!model.ok()) return MemberError(m, model.error());
        loaded[m] = std::move(model).value();
      }
      season_length_ = j.at("season_length").get<int>();
      horizon_ = j.at("horizon").get<int>();
      weights_ = std::move(weights);
      scores_ = std::move(scores);
      globals_ = std::move(loaded);
    } catch (const std::exception& e) {
      return Error::InvalidArgument(fmt::format("model file {}: {}", path, e.what()));
    }
    fitted_series_ = {};
    fitted_ = true;
    return Status::Ok();
  }

  std::vector<std::string> FeatureNames() const override {
    std::vector<std::string> out;
    for (size_t m = 0; m < s_.members.size(); ++m) {
      if (!globals_.empty() && globals_[m]) {
        for (const auto& f : globals_[m]->FeatureNames()) out.push_back(s_.members[m] + "/" + f);
      }
    }
    return out;
  }

  std::vector<FeatureImportance> Importance() const override {
    std::vector<FeatureImportance> out;
    double total = 0;
    for (size_t m = 0; m < globals_.size(); ++m) {
      if (!globals_[m]) continue;
      for (const auto& f : globals_[m]->Importance()) {
        out.push_back({s_.members[m] + "/" + f.feature, f.gain * weights_[m]});
        total += f.gain * weights_[m];
      }
    }
    if (total > 0) {
      for (auto& f : out) f.gain /= total;
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.gain > b.gain; });
    return out;
  }

  std::string Describe() const override {
    std::string parts;
    for (size_t m = 0; m < s_.members.size(); ++m) {
      parts += fmt::format("{}{} {:.2f}", m ? ", " : "", s_.members[m], weights_.empty() ? 0.0 : weights_[m]);
      if (m < scores_.size() && std::isfinite(scores_[m])) {
        parts += fmt::format(" (MSSE {:.3f})", scores_[m]);
      }
    }
    std::string how = s_.combine;
    if (s_.combine != "mean" && s_.combine != "median") {
      how += fmt::format(" on a {}-day holdout", holdout_days());
    }
    std::string inner;
    for (const auto& g : globals_) {
      if (g) inner += "; " + g->Describe();
    }
    return fmt::format("ensemble({}: {}{})", how, parts, inner);
  }

 private:
  int holdout_days() const { return s_.holdout > 0 ? s_.holdout : horizon_; }
  // Whether member j takes part in the forecasts ("best" uses one).
  bool Used(size_t j) const { return s_.combine == "median" || weights_[j] > 0.0; }

  Error MemberError(size_t j, const Error& e) const {
    Error error = e;
    error.message = fmt::format("ensemble member {}: {}", s_.members[j], e.message);
    return error;
  }

  Result<std::unique_ptr<GlobalModel>> CreateMember(size_t j) const {
    ModelSpec spec = ParseModelSpec(s_.members[j]).value();
    const GlobalModelInfo* info = GlobalModelRegistry::Global().Find(spec.name);
    if (s_.threads > 0 && info != nullptr && info->schema.Find("threads") != nullptr) {
      spec.params["threads"] = std::to_string(s_.threads);
    }
    auto created = CreateGlobalModel(spec.ToString());
    if (!created.ok()) return MemberError(j, created.error());
    return created;
  }

  // Every used member's forecasts of `series`: global members from their trained model,
  // per-series members fitted on each series now ([member][series]; unused members empty).
  Result<std::vector<std::vector<Forecast>>> MemberForecasts(
      std::span<const GlobalSeries> series, int horizon, std::span<const double> levels,
      const std::vector<std::unique_ptr<GlobalModel>>* models = nullptr,
      bool all_members = false) const {
    if (models == nullptr) models = &globals_;
    std::vector<std::vector<Forecast>> out(s_.members.size());
    for (size_t j = 0; j < s_.members.size(); ++j) {
      if (!all_members && !Used(j)) continue;
      if (IsGlobal(s_.members[j])) {
        if (!(*models)[j]) {
          return Error::Internal(fmt::format("ensemble: member {} is not trained", s_.members[j]));
        }
        auto predicted = (*models)[j]->PredictMany(series, horizon, levels);
        if (!predicted.ok()) return MemberError(j, predicted.error());
        out[j] = std::move(predicted).value();
        continue;
      }
      out[j].resize(series.size());
      ParallelFor(series.size(), s_.threads, [&](size_t i) {
        const GlobalSeries& s = series[i];
        out[j][i] = ForecastOrFallback(s_.members[j], s.y, s.flags, season_length_, s.x, horizon,
                                       levels)
                        .forecast;
      });
    }
    return out;
  }

  // Holdout backtest: every member forecasts each series' last `holdout` days from the days
  // before them; its score is the mean squared error scaled by the series' one-step naive MSE
  // (MSSE, the square of RMSSE) pooled over every scored day. Weights are 1/MSSE normalised
  // ("weighted") or all on the lowest ("best").
  Status Weigh(std::span<const GlobalSeries> series) {
    const int h = holdout_days();
    std::vector<GlobalSeries> cut;
    std::vector<size_t> index;
    for (size_t i = 0; i < series.size(); ++i) {
      const size_t n = series[i].y.size();
      if (n < static_cast<size_t>(h) + 2) continue;
      GlobalSeries g = series[i];
      g.y = series[i].y.first(n - static_cast<size_t>(h));
      if (!series[i].flags.empty()) g.flags = series[i].flags.first(n - static_cast<size_t>(h));
      cut.push_back(std::move(g));
      index.push_back(i);
    }
    if (cut.empty()) {
      return Error::InvalidArgument(fmt::format(
          "ensemble: combine = {} needs series longer than the {}-day holdout + 2 days, and none "
          "is; use combine=mean or median, or a shorter holdout",
          s_.combine, h));
    }
    std::vector<std::unique_ptr<GlobalModel>> trained(s_.members.size());
    for (size_t j = 0; j < s_.members.size(); ++j) {
      if (!IsGlobal(s_.members[j])) continue;
      SC_ASSIGN_OR_RETURN(trained[j], CreateMember(j));
      const Status fit = trained[j]->Fit(cut, season_length_, h);
      if (!fit.ok()) return MemberError(j, fit.error());
    }
    SC_ASSIGN_OR_RETURN(std::vector<std::vector<Forecast>> by_member,
                        MemberForecasts(cut, h, {}, &trained, /*all_members=*/true));
    trained.clear();
    const size_t nm = s_.members.size();
    std::vector<double> sum(nm, 0.0);
    size_t count = 0;
    std::vector<bool> broken(nm, false);
    // For stacking: the scaled Gram matrix of the members' forecasts and their products with
    // the actuals, over the days every member forecast.
    std::vector<double> gram(nm * nm, 0.0), cross(nm, 0.0);
    for (size_t k = 0; k < cut.size(); ++k) {
      const std::vector<double> clean = Clean(series[index[k]]);
      const size_t o = cut[k].y.size();
      const double scale = RmsseScale(std::span<const double>(clean).first(o));
      if (!std::isfinite(scale) || scale <= 0.0) continue;
      for (size_t t = 0; t < static_cast<size_t>(h); ++t) {
        const double a = clean[o + t];
        if (!std::isfinite(a)) continue;
        ++count;
        bool all = true;
        for (size_t j = 0; j < nm; ++j) {
          const auto& mean = by_member[j][k].mean;
          if (t >= mean.size() || !std::isfinite(mean[t])) {
            broken[j] = true;
            all = false;
            continue;
          }
          sum[j] += (a - mean[t]) * (a - mean[t]) / scale;
        }
        if (!all) continue;
        for (size_t j = 0; j < nm; ++j) {
          const double fj = by_member[j][k].mean[t];
          cross[j] += a * fj / scale;
          for (size_t l = 0; l < nm; ++l) gram[j * nm + l] += fj * by_member[l][k].mean[t] / scale;
        }
      }
    }
    if (count == 0) {
      return Error::InvalidArgument(fmt::format(
          "ensemble: no usable day in the {}-day holdout of any series to weigh the members; "
          "use combine=mean or median",
          h));
    }
    size_t best = 0;
    for (size_t j = 0; j < s_.members.size(); ++j) {
      scores_[j] = broken[j] ? std::numeric_limits<double>::infinity()
                             : sum[j] / static_cast<double>(count);
      if (scores_[j] < scores_[best]) best = j;
    }
    if (!std::isfinite(scores_[best])) {
      return Error::Internal("ensemble: every member produced non-finite holdout forecasts");
    }
    std::fill(weights_.begin(), weights_.end(), 0.0);
    if (s_.combine == "best" || scores_[best] <= 0.0) {
      weights_[best] = 1.0;
      return Status::Ok();
    }
    if (s_.combine == "stack") {
      weights_ = SimplexLeastSquares(gram, cross, nm, broken);
      if (weights_.empty()) {  // degenerate (e.g. identical members): the best one
        weights_.assign(nm, 0.0);
        weights_[best] = 1.0;
      }
      return Status::Ok();
    }
    double total = 0;
    for (size_t j = 0; j < s_.members.size(); ++j) {
      weights_[j] = std::isfinite(scores_[j]) ? 1.0 / scores_[j] : 0.0;
      total += weights_[j];
    }
    for (double& w : weights_) w /= total;
    return Status::Ok();
  }

  Forecast Combine(const std::vector<std::vector<Forecast>>& by_member, size_t i, int horizon,
                   std::span<const double> levels) const {
    Forecast out;
    const size_t h = static_cast<size_t>(horizon);
    out.levels.assign(levels.begin(), levels.end());
    out.mean.assign(h, 0.0);
    out.quantiles.assign(levels.size(), std::vector<double>(h, 0.0));
    std::vector<size_t> used;
    for (size_t j = 0; j < by_member.size(); ++j) {
      if (!by_member[j].empty()) used.push_back(j);
    }
    bool all_fell_back = true;
    for (size_t j : used) all_fell_back = all_fell_back && !by_member[j][i].fallback.empty();
    if (all_fell_back && !used.empty()) out.fallback = by_member[used.front()][i].fallback;
    // The value of member j at step t (the last step repeats for a shorter path).
    const auto at = [&](const std::vector<double>& path, size_t t) {
      return path.empty() ? 0.0 : path[std::min(t, path.size() - 1)];
    };
    std::vector<double> values(used.size());
    for (size_t t = 0; t < h; ++t) {
      if (s_.combine == "median") {
        const auto median = [&](auto get) {
          for (size_t u = 0; u < used.size(); ++u) values[u] = get(used[u]);
          std::sort(values.begin(), values.end());
          const size_t n = values.size();
          return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
        };
        out.mean[t] = median([&](size_t j) { return at(by_member[j][i].mean, t); });
        for (size_t l = 0; l < levels.size(); ++l) {
          out.quantiles[l][t] =
              median([&](size_t j) { return at(by_member[j][i].quantiles[l], t); });
        }
      } else {
        double total = 0;
        for (size_t j : used) total += weights_[j];
        for (size_t j : used) {
          const double w = total > 0 ? weights_[j] / total : 1.0 / static_cast<double>(used.size());
          out.mean[t] += w * at(by_member[j][i].mean, t);
          for (size_t l = 0; l < levels.size(); ++l) {
            out.quantiles[l][t] += w * at(by_member[j][i].quantiles[l], t);
          }
        }
      }
      // Averaged quantile paths are ordered already; medians need not be.
      out.mean[t] = std::max(out.mean[t], 0.0);
      double floor = 0.0;
      for (size_t l = 0; l < levels.size(); ++l) {
        out.quantiles[l][t] = std::max(out.quantiles[l][t], floor);
        floor = out.quantiles[l][t];
      }
    }
    return out;
  }

  EnsembleSettings s_;
  bool fitted_ = false;
  int season_length_ = 7;
  int horizon_ = 28;
  std::vector<double> weights_, scores_;
  std::vector<std::unique_ptr<GlobalModel>> globals_;  // per member; null for per-series ones
};

}  // namespace

Status RegisterEnsembleModel(GlobalModelRegistry& registry) {
  GlobalModelInfo info;
  info.name = "ensemble";
  info.description =
      "combination of per-series and global models (default auto+gbm): weights from a holdout "
      "backtest, mean, median, or the best member";
  info.schema = ParamSchema(EnsembleSpecs());
  info.validate = ValidateEnsemble;
  info.factory = [](const ParamValues& v) -> Result<std::unique_ptr<GlobalModel>> {
    return std::unique_ptr<GlobalModel>(std::make_unique<EnsembleModel>(SettingsFrom(v)));
  };
  return registry.Register(std::move(info));
}

}  // namespace stockcast::forecast
