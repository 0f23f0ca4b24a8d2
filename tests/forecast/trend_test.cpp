// Trend regression models against R's tslm (tests/golden/forecast/stl.json, "tslm" cases,
// written by make_golden_stl.R) and Student's t quantile against R's qt().
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stockcast/core/demand_panel.h"
#include "stockcast/forecast/distribution.h"
#include "stockcast/forecast/model.h"
#include "stockcast/forecast/trend.h"
#include "test_util.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(StudentTQuantile, MatchesRQt) {  // distribution.h: StudentTQuantile(dof, p)
  // R: qt(0.975, 10), qt(0.9, 3), qt(0.05, 1), qt(0.999, 2.5), qt(0.8, 227).
  EXPECT_NEAR(StudentTQuantile(10, 0.975), 2.2281388519862739, 1e-11);
  EXPECT_NEAR(StudentTQuantile(3, 0.9), 1.6377443536962091, 1e-11);
  EXPECT_NEAR(StudentTQuantile(1, 0.05), -6.3137515146750438, 1e-10);
  EXPECT_NEAR(StudentTQuantile(2.5, 0.999), 13.8221931108659994, 1e-9);
  EXPECT_NEAR(StudentTQuantile(227, 0.8), 0.8432075405748457, 1e-11);
  EXPECT_EQ(StudentTQuantile(7, 0.5), 0.0);
  EXPECT_TRUE(std::isnan(StudentTQuantile(7, 1.0)));
}

std::vector<double> Doubles(const nlohmann::json& j) { return j.get<std::vector<double>>(); }

void ExpectClose(const std::vector<double>& ours, const std::vector<double>& r, double tol,
                 const std::string& what) {
  ASSERT_EQ(ours.size(), r.size()) << what;
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_NEAR(ours[i], r[i], tol * std::max(1.0, std::fabs(r[i]))) << what << "[" << i << "]";
  }
}

TEST(TrendGolden, MatchesTslm) {
  const auto golden =
      nlohmann::json::parse(testing::ReadFile(testing::GoldenPath("forecast/stl.json")));
  ASSERT_EQ(golden["tslm"].size(), 3u);
  const std::vector<double> levels = {0.025, 0.1, 0.5, 0.9, 0.975};
  for (const auto& c : golden["tslm"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const bool log_scale = c["log_scale"];
    auto model = CreateModel(log_scale ? "exp_trend" : "lm_trend");
    ASSERT_TRUE(model.ok());
    ASSERT_TRUE((*model)->Fit(Doubles(c["y"]), {}, c["m"]).ok());
    auto f = (*model)->Predict(c["h"], levels);
    ASSERT_TRUE(f.ok());
    EXPECT_TRUE(f->fallback.empty());
    std::vector<double> mean = Doubles(c["mean"]);
    std::vector<double> lo95 = Doubles(c["lower95"]), lo80 = Doubles(c["lower80"]);
    std::vector<double> hi80 = Doubles(c["upper80"]), hi95 = Doubles(c["upper95"]);
    const std::vector<double> se = Doubles(c["se"]);
    if (log_scale) {
      // R's bounds are on log y: ours are exp of them (exp is monotone, so quantiles map);
      // our mean is the lognormal mean exp(mu + se^2 / 2), the median being exp(mu).
      for (size_t i = 0; i < mean.size(); ++i) {
        for (double* v : {&lo95[i], &lo80[i], &hi80[i], &hi95[i]}) *v = std::exp(*v);
        const double median = std::exp(mean[i]);
        EXPECT_NEAR(f->quantiles[2][i], median, 1e-6 * median);
        mean[i] = std::exp(mean[i] + 0.5 * se[i] * se[i]);
      }
      EXPECT_EQ((*model)->Chosen(), "lm(log(y) ~ trend + season(12))");
    } else {
      ExpectClose(f->quantiles[2], mean, 1e-6, "median");
    }
    ExpectClose(f->mean, mean, 1e-6, "mean");
    ExpectClose(f->quantiles[0], lo95, 1e-6, "lower95");
    ExpectClose(f->quantiles[1], lo80, 1e-6, "lower80");
    ExpectClose(f->quantiles[3], hi80, 1e-6, "upper80");
    ExpectClose(f->quantiles[4], hi95, 1e-6, "upper95");
  }
}

TEST(TrendModels, ExactLineWithMissingDaysAndNoSeason) {
  // y = 3 + 2 t on t = 0..19 with two unusable days: OLS recovers the line exactly and the
  // residual variance is 0, so every quantile equals the mean 3 + 2 (19 + h).
  std::vector<double> y;
  std::vector<uint8_t> flags(20, 0);
  for (int t = 0; t < 20; ++t) y.push_back(3 + 2 * t);
  y[5] = kNaN;
  flags[5] = kFlagMissing;
  y[11] = 0;
  flags[11] = kFlagCensored;
  auto model = CreateModel("lm_trend:season=1");
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE((*model)->Fit(y, flags, 7).ok());
  auto f = (*model)->Predict(3, std::vector<double>{0.1, 0.9});
  ASSERT_TRUE(f.ok());
  for (int h = 1; h <= 3; ++h) {
    const double expected = 3 + 2 * (19 + h);
    EXPECT_NEAR(f->mean[static_cast<size_t>(h - 1)], expected, 1e-9);
    EXPECT_NEAR(f->quantiles[0][static_cast<size_t>(h - 1)], expected, 1e-6);
  }
  EXPECT_EQ((*model)->Chosen(), "lm(y ~ trend)");
}

TEST(TrendModels, ExpTrendUsesLog1pWithZeros) {
  // y + 1 = 2^(t / 7) exactly, with y = 0 at t = 0: log(1 + y) is linear, so the forecast is
  // 2^((n - 1 + h) / 7) - 1 with zero spread.
  std::vector<double> y;
  for (int t = 0; t < 28; ++t) y.push_back(std::pow(2.0, t / 7.0) - 1.0);
  auto model = CreateModel("exp_trend:season=1");
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE((*model)->Fit(y, {}, 7).ok());
  auto f = (*model)->Predict(7, std::vector<double>{0.5});
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->fallback.empty());
  EXPECT_EQ((*model)->Chosen(), "lm(log1p(y) ~ trend)");
  EXPECT_NEAR(f->mean[6], std::pow(2.0, 34 / 7.0) - 1.0, 1e-6);
}

TEST(TrendModels, UnobservedSeasonPositionGetsTheAverageEffect) {
  // Weekly pattern (position p adds p) with position 3 never observed (shop closed: NaN):
  // the effects of the observed positions 0, 1, 2, 4, 5, 6 average 3, so a day on position 3
  // is forecast at level + 3 = 10 + 3 (no trend, exact fit).
  std::vector<double> y;
  std::vector<uint8_t> flags;
  for (int t = 0; t < 42; ++t) {
    const int p = t % 7;
    y.push_back(p == 3 ? kNaN : 10.0 + p);
    flags.push_back(p == 3 ? kFlagMissing : 0);
  }
  auto model = CreateModel("lm_trend");
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE((*model)->Fit(y, flags, 7).ok());
  auto f = (*model)->Predict(7, std::vector<double>{0.5});
  ASSERT_TRUE(f.ok());
  // Last day t = 41 is position 6; step h is position (41 + h) % 7.
  for (int h = 1; h <= 7; ++h) {
    const int p = (41 + h) % 7;
    EXPECT_NEAR(f->mean[static_cast<size_t>(h - 1)], p == 3 ? 13.0 : 10.0 + p, 1e-9) << h;
  }
}

}  // namespace
}  // namespace stockcast::forecast
