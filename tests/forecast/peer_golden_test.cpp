// Theta, Croston/SBA and automatic ETS selection against R's forecast package 8.20
// (tests/golden/forecast/{theta,croston,ets_auto}.json, written by make_golden.R from R's
// built-in datasets; see the README there for what each file holds).
#include <algorithm>
#include <cmath>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stockcast/forecast/ets.h"
#include "stockcast/forecast/model.h"
#include "stockcast/forecast/theta.h"
#include "test_util.h"

namespace stockcast::forecast {
namespace {

std::vector<double> Doubles(const nlohmann::json& j) { return j.get<std::vector<double>>(); }

nlohmann::json Golden(const std::string& file) {
  return nlohmann::json::parse(testing::ReadFile(testing::GoldenPath("forecast/" + file)));
}

// thetaf: the seasonality test and the decomposition are deterministic formulas, so they must
// agree to rounding; alpha and l0 come from two different optimisers of the same SSE, so they
// agree to the optimisers' tolerance, and the SSE at our optimum must not exceed R's.
TEST(ThetaGoldenTest, ReproducesThetaf) {
  const auto golden = Golden("theta.json");
  ASSERT_EQ(golden["cases"].size(), 8u);
  for (const auto& c : golden["cases"]) {
    const std::string name = c["name"];
    SCOPED_TRACE(name);
    const std::vector<double> y = Doubles(c["y"]);
    const int m = c["m"];
    const int h = c["h"];
    ThetaOptions options;
    options.season = m;
    auto fit = FitThetaSeries(y, options);
    ASSERT_TRUE(fit.ok()) << Describe(fit.error());
    const auto& test = c["seasonal_test"];
    if (m > 1) {
      ASSERT_TRUE(fit->seasonality.tested);
      EXPECT_NEAR(fit->seasonality.r_m, test["r_m"].get<double>(), 1e-10);
      EXPECT_NEAR(fit->seasonality.threshold,
                  test["threshold"].get<double>() * test["stat"].get<double>(), 1e-9);
      EXPECT_EQ(fit->seasonality.seasonal, test["seasonal"].get<bool>());
    }
    if (test["seasonal"].get<bool>()) {
      // R indexes the figure from the first observation, as our seasonal_index does.
      const auto figure = Doubles(c["decompose_figure"]);
      ASSERT_EQ(fit->seasonal_index.size(), figure.size());
      for (size_t i = 0; i < figure.size(); ++i) {
        EXPECT_NEAR(fit->seasonal_index[i], figure[i], 1e-10) << "index " << i;
      }
    } else {
      EXPECT_TRUE(fit->seasonal_index.empty());
    }
    EXPECT_NEAR(fit->b0, c["drift_b0"].get<double>() * 2.0, 1e-8 * std::fabs(fit->b0) + 1e-10)
        << "thetaf's drift is b0 / 2";
    // The same SSE minimised by BOBYQA (ours) and by optim's Nelder-Mead inside ets() (R).
    EXPECT_NEAR(fit->alpha, c["ses_alpha"].get<double>(), 2e-3);
    const auto mean = Doubles(c["forecast"]["mean"]);
    const ThetaPath path = PredictTheta(*fit, h);
    ASSERT_EQ(path.mean.size(), mean.size());
    for (size_t i = 0; i < mean.size(); ++i) {
      EXPECT_NEAR(path.mean[i], mean[i], 2e-3 * std::fabs(mean[i])) << "step " << i + 1;
    }
    // With R's own alpha and l0 the forecast is thetaf's to rounding: the formula, not the
    // optimiser, is under test here.
    std::vector<double> x = y;
    if (!fit->seasonal_index.empty()) {
      for (size_t t = 0; t < x.size(); ++t) x[t] /= fit->seasonal_index[t % fit->seasonal_index.size()];
    }
    const std::vector<double> fixed = ThetaForecastFixed(x, c["ses_alpha"].get<double>(),
                                                         c["ses_l0"].get<double>(), h);
    const auto indices = c["seasonal_indices_for_forecast"].is_null()
                             ? std::vector<double>{}
                             : Doubles(c["seasonal_indices_for_forecast"]);
    for (size_t i = 0; i < mean.size(); ++i) {
      const double index = indices.empty() ? 1.0 : indices[i % indices.size()];
      EXPECT_NEAR(fixed[i] * index, mean[i], 1e-8 * std::fabs(mean[i])) << "step " << i + 1;
    }
  }
}

// Croston with a fixed alpha is a closed-form recursion: exact agreement. SBA is Croston times
// (1 - alpha / 2) (Syntetos & Boylan 2005), computed by hand in the script.
TEST(CrostonGoldenTest, ReproducesCrostonAndSba) {
  const auto golden = Golden("croston.json");
  ASSERT_EQ(golden["cases"].size(), 6u);
  const std::vector<double> no_levels;
  for (const auto& c : golden["cases"]) {
    const std::string name = c["name"];
    SCOPED_TRACE(name);
    const std::vector<double> y = Doubles(c["y"]);
    const double alpha = c["alpha"];
    const int h = c["h"];
    for (const std::string model : {"croston", "sba"}) {
      auto created = CreateModel(model + ":alpha=" + std::to_string(alpha));
      ASSERT_TRUE(created.ok()) << Describe(created.error());
      ASSERT_TRUE((*created)->Fit(y, {}, 1).ok());
      auto f = (*created)->Predict(h, no_levels);
      ASSERT_TRUE(f.ok()) << Describe(f.error());
      EXPECT_TRUE(f->fallback.empty()) << f->fallback;
      const auto expected = Doubles(c[model == "croston" ? "mean" : "sba_mean_by_hand"]);
      for (int i = 0; i < h; ++i) {
        EXPECT_NEAR(f->mean[static_cast<size_t>(i)], expected[static_cast<size_t>(i)], 1e-9)
            << model << " step " << i + 1;
      }
    }
  }
}

// Automatic ETS: the same candidate set and criterion as ets(y). Our choice must be at least
// as good by AICc as R's (ties within optimiser tolerance), and on most series it is the same
// model. Seasonal initial states are estimated here, as R does, so the AICc are comparable.
TEST(EtsAutoGoldenTest, ChoiceIsAtLeastAsGoodAsR) {
  const auto golden = Golden("ets_auto.json");
  ASSERT_EQ(golden["cases"].size(), 10u);
  int same = 0;
  for (const auto& c : golden["cases"]) {
    const std::string name = c["name"];
    SCOPED_TRACE(name);
    const std::vector<double> y = Doubles(c["y"]);
    EtsOptions options;
    options.optimize_seasonal_states = true;
    auto fit = AutoEts(y, c["m"].get<int>(), options);
    ASSERT_TRUE(fit.ok()) << Describe(fit.error());
    const double r_aicc = c["aicc"];
    EXPECT_LE(fit->aicc, r_aicc + 0.5 + 1e-3 * std::fabs(r_aicc))
        << "ours " << fit->spec.Code() << " " << fit->aicc << ", R " << c["model"].get<std::string>();
    same += fit->spec.Code() == c["model"].get<std::string>() ? 1 : 0;
    // Point forecasts of the chosen models: the same model gives the same path to a few
    // tenths of a percent over the first season (optimiser differences only).
    if (fit->spec.Code() == c["model"].get<std::string>()) {
      const auto mean = Doubles(c["mean"]);
      const EtsForecast f = ForecastEts(*fit, static_cast<int>(mean.size()), {});
      const size_t check = std::min<size_t>(mean.size(), std::max(c["m"].get<size_t>(), size_t{4}));
      for (size_t i = 0; i < check; ++i) {
        EXPECT_NEAR(f.mean[i], mean[i], 0.01 * std::fabs(mean[i]) + 1e-6) << "step " << i + 1;
      }
    }
  }
  // Where the choice differs, ours has the lower AICc (checked above); it must not differ on
  // most series.
  EXPECT_GE(same, 5) << "chose R's model on " << same << " of 10 series";
}

}  // namespace
}  // namespace stockcast::forecast
