// The `ensemble` global model (forecast/ensemble.h): member parsing, weights from the holdout,
// each combination rule against its definition, save/load.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "promo_panel.h"
#include "stockcast/forecast/global_model.h"
#include "stockcast/forecast/model.h"
#include "test_util.h"

namespace stockcast::forecast {
namespace {

using testing::MakePromoPanel;
using testing::PromoPanel;

constexpr int kDays = 280;
constexpr int kHorizon = 14;
const std::vector<double> kLevels = {0.1, 0.5, 0.9};

bool GbmAvailable() {
  const GlobalModelInfo* info = GlobalModelRegistry::Global().Find("gbm");
  return info != nullptr && info->available;
}

std::unique_ptr<GlobalModel> Make(const std::string& spec) {
  auto created = CreateGlobalModel(spec);
  EXPECT_TRUE(created.ok()) << spec << ": " << created.error().message;
  return created.ok() ? std::move(created).value() : nullptr;
}

// Mean squared error of the means over the test window, over every series.
double Mse(const PromoPanel& p, const std::vector<Forecast>& f) {
  double sum = 0;
  int n = 0;
  for (size_t s = 0; s < f.size(); ++s) {
    for (int h = 0; h < p.horizon; ++h) {
      const double e = p.full[s][static_cast<size_t>(p.days + h)] - f[s].mean[static_cast<size_t>(h)];
      sum += e * e;
      ++n;
    }
  }
  return sum / n;
}

TEST(EnsembleTest, SpecsAreCheckedWithTheRuleBroken) {
  const auto err = [](const std::string& spec) {
    auto r = CreateGlobalModel(spec);
    return r.ok() ? std::string("ok") : r.error().message;
  };
  EXPECT_NE(err("ensemble:combine=vote").find("combine = \"vote\"; must be stack, weighted, "
                                               "mean, median or best"),
            std::string::npos);
  EXPECT_NE(err("ensemble:members=theta").find("at least two"), std::string::npos);
  EXPECT_NE(err("ensemble:members=theta+theta").find("listed twice"), std::string::npos);
  EXPECT_NE(err("ensemble:members=theta+prophet").find("\"prophet\" is not a model"),
            std::string::npos);
  EXPECT_NE(err("ensemble:members=theta+ets(error=Q)").find("member ets:error=Q"),
            std::string::npos);
  EXPECT_NE(err("ensemble:members=theta+ensemble").find("cannot include ensemble"),
            std::string::npos);
  EXPECT_EQ(err("ensemble:members=theta+snaive(season=7)"), "ok");
  EXPECT_TRUE(IsGlobalModelSpec("ensemble"));
}

// combine=mean is the plain average of the members' own forecasts; median of two is the same.
TEST(EnsembleTest, MeanIsTheAverageOfTheMembers) {
  const PromoPanel p = MakePromoPanel(6, kDays, kHorizon, 3);
  for (const std::string combine : {"mean", "median"}) {
    auto model = Make("ensemble:members=snaive+mean,combine=" + combine);
    ASSERT_NE(model, nullptr);
    ASSERT_TRUE(model->Fit(p.series, 7, kHorizon).ok());
    auto got = model->PredictMany(p.series, kHorizon, kLevels);
    ASSERT_TRUE(got.ok()) << got.error().message;
    for (size_t s = 0; s < p.series.size(); ++s) {
      const GlobalSeries& g = p.series[s];
      const Forecast a = ForecastOrFallback("snaive", g.y, g.flags, 7, g.x, kHorizon, kLevels).forecast;
      const Forecast b = ForecastOrFallback("mean", g.y, g.flags, 7, g.x, kHorizon, kLevels).forecast;
      for (size_t t = 0; t < static_cast<size_t>(kHorizon); ++t) {
        EXPECT_NEAR((*got)[s].mean[t], std::max(0.0, 0.5 * (a.mean[t] + b.mean[t])), 1e-9);
        for (size_t l = 0; l < kLevels.size(); ++l) {
          EXPECT_NEAR((*got)[s].quantiles[l][t],
                      std::max(0.0, 0.5 * (a.quantiles[l][t] + b.quantiles[l][t])), 1e-9)
              << combine << " series " << s << " step " << t << " level " << l;
        }
      }
    }
  }
}

// The holdout weighs a member by 1/MSSE: on weekly-seasonal demand the seasonal naive is
// worse than the weekday-aware baseline, so it weighs less; "best" puts all weight on one.
TEST(EnsembleTest, HoldoutWeightsFollowTheMembersErrors) {
  const PromoPanel p = MakePromoPanel(12, kDays, kHorizon, 5, /*promo_lift=*/1.0);
  auto weighted = Make("ensemble:members=naive+baseline,combine=weighted");
  ASSERT_NE(weighted, nullptr);
  ASSERT_TRUE(weighted->Fit(p.series, 7, kHorizon).ok());
  const std::string d = weighted->Describe();
  // "ensemble(weighted on a 14-day holdout: naive 0.xx (MSSE a), baseline 0.yy (MSSE b))"
  const size_t naive = d.find("naive "), base = d.find("baseline ");
  ASSERT_NE(naive, std::string::npos) << d;
  ASSERT_NE(base, std::string::npos) << d;
  const double w_naive = std::stod(d.substr(naive + 6)), w_base = std::stod(d.substr(base + 9));
  EXPECT_NEAR(w_naive + w_base, 1.0, 0.011) << d;
  EXPECT_GT(w_base, w_naive) << d;
  EXPECT_NE(d.find("14-day holdout"), std::string::npos) << d;

  auto best = Make("ensemble:members=naive+baseline,combine=best");
  ASSERT_TRUE(best->Fit(p.series, 7, kHorizon).ok());
  auto got = best->PredictMany(p.series, kHorizon, kLevels);
  ASSERT_TRUE(got.ok());
  for (size_t s = 0; s < p.series.size(); ++s) {
    const GlobalSeries& g = p.series[s];
    const Forecast b = ForecastOrFallback("baseline", g.y, g.flags, 7, g.x, kHorizon, kLevels).forecast;
    for (size_t t = 0; t < static_cast<size_t>(kHorizon); ++t) {
      EXPECT_NEAR((*got)[s].mean[t], b.mean[t], 1e-9);
    }
  }
}

// Noise around a constant level: the mean is the best forecast and any weight on the naive
// forecast (the last value) only adds its noise, so stacking puts (almost) nothing on naive,
// while 1/MSSE weighting still gives it about a third (its MSSE is about twice the mean's).
TEST(EnsembleTest, StackingMinimisesTheHoldoutError) {
  std::mt19937 rng(9);
  std::poisson_distribution<int> draw(10.0);
  std::vector<std::vector<double>> ys(40);
  std::vector<GlobalSeries> series(ys.size());
  for (size_t s = 0; s < ys.size(); ++s) {
    for (int t = 0; t < 200; ++t) ys[s].push_back(draw(rng));
    series[s].y = ys[s];
  }
  const auto naive_weight = [&](const std::string& combine) {
    auto model = Make("ensemble:members=naive+mean,combine=" + combine);
    EXPECT_TRUE(model->Fit(series, 7, kHorizon).ok());
    const std::string d = model->Describe();
    const size_t at = d.find(": naive ");
    EXPECT_NE(at, std::string::npos) << d;
    return at == std::string::npos ? -1.0 : std::stod(d.substr(at + 8));
  };
  EXPECT_LT(naive_weight("stack"), 0.1);
  EXPECT_NEAR(naive_weight("weighted"), 1.0 / 3.0, 0.08);
}

TEST(EnsembleTest, HoldoutLongerThanEverySeriesIsAClearError) {
  const PromoPanel p = MakePromoPanel(3, 20, kHorizon, 7);
  auto model = Make("ensemble:members=naive+mean,holdout=30");
  const Status fit = model->Fit(p.series, 7, kHorizon);
  ASSERT_FALSE(fit.ok());
  EXPECT_NE(fit.error().message.find("longer than the 30-day holdout"), std::string::npos)
      << fit.error().message;
}

// With gbm as a member: the combination beats the per-series member on promoted demand, the
// gbm's importance comes through prefixed, and the saved file forecasts the same numbers.
TEST(EnsembleTest, WithGbmSavesLoadsAndLearnsDrivers) {
  SC_SKIP_OR_FAIL_UNLESS(GbmAvailable(), "built without xgboost: gbm is unavailable");
  const PromoPanel p = MakePromoPanel(24, kDays, kHorizon, 11);
  auto model = Make("ensemble:members=baseline+gbm(n_estimators=60/threads=1)");
  ASSERT_NE(model, nullptr);
  const Status fit = model->Fit(p.series, 7, kHorizon);
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  auto got = model->PredictMany(p.series, kHorizon, kLevels);
  ASSERT_TRUE(got.ok()) << got.error().message;
  std::vector<Forecast> base;
  for (const GlobalSeries& g : p.series) {
    base.push_back(ForecastOrFallback("baseline", g.y, g.flags, 7, g.x, kHorizon, kLevels).forecast);
  }
  EXPECT_LT(Mse(p, *got), 0.9 * Mse(p, base));
  const auto importance = model->Importance();
  ASSERT_FALSE(importance.empty());
  EXPECT_EQ(importance.front().feature.rfind("gbm:", 0), 0u) << importance.front().feature;

  const std::string path = ::testing::TempDir() + "/ensemble_test.model";
  ASSERT_TRUE(model->Save(path).ok());
  auto loaded = LoadGlobalModel(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  auto again = (*loaded)->PredictMany(p.series, kHorizon, kLevels);
  ASSERT_TRUE(again.ok()) << again.error().message;
  for (size_t s = 0; s < p.series.size(); ++s) {
    for (size_t t = 0; t < static_cast<size_t>(kHorizon); ++t) {
      EXPECT_DOUBLE_EQ((*again)[s].mean[t], (*got)[s].mean[t]);
      EXPECT_DOUBLE_EQ((*again)[s].quantiles[2][t], (*got)[s].quantiles[2][t]);
    }
  }
  EXPECT_FALSE(std::filesystem::exists(path + ".member1.tmp"));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace stockcast::forecast
