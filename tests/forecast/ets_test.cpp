// ETS: the recursions and likelihood against values worked out by hand, missing values,
// parameter recovery on simulated data, automatic selection, forecast variances.
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "stockcast/forecast/ets.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

EtsSpec Spec(const char* code, int m = 1) { return *EtsSpec::Parse(code, m); }

TEST(EtsSpecTest, ParsesAndNamesEveryForm) {
  EXPECT_EQ(Spec("MAdM", 12).ToString(), "ETS(M,Ad,M)");
  EXPECT_EQ(Spec("ANN").Code(), "ANN");
  EXPECT_EQ(Spec("AAA", 4).season, EtsSeason::kAdditive);
  EXPECT_FALSE(EtsSpec::Parse("AXN", 1).has_value());
  EXPECT_FALSE(EtsSpec::Parse("ANA", 1).has_value());  // a season needs m >= 2
  EXPECT_FALSE(EtsSpec::Parse("ANNN", 1).has_value());
}

// SES, alpha 0.5, l0 10, y = 12, 8, 11:
//   mu1 = 10, e1 = 2,  l1 = 11;  mu2 = 11, e2 = -3, l2 = 9.5;  mu3 = 9.5, e3 = 1.5, l3 = 10.25.
//   SSE = 4 + 9 + 2.25 = 15.25, lik = 3 log 15.25.
TEST(EtsEvaluateTest, SimpleExponentialSmoothingByHand) {
  EtsParams p;
  p.alpha = 0.5;
  p.level = 10;
  auto fit = EvaluateEts(std::vector<double>{12, 8, 11}, Spec("ANN"), p);
  ASSERT_TRUE(fit.ok()) << Describe(fit.error());
  EXPECT_DOUBLE_EQ(fit->lik, 3 * std::log(15.25));
  EXPECT_EQ(fit->fitted, (std::vector<double>{10, 11, 9.5}));
  EXPECT_DOUBLE_EQ(fit->last_level, 10.25);
  EXPECT_EQ(fit->num_params, 3);  // alpha, l0, sigma^2
  // Full Gaussian log-likelihood with sigma^2 = SSE / n.
  const double s2 = 15.25 / 3;
  EXPECT_NEAR(fit->loglik, -1.5 * std::log(2 * M_PI * s2) - 1.5, 1e-12);
  const double k = 3, n = 3;
  EXPECT_DOUBLE_EQ(fit->aic, 3 * std::log(15.25) + 2 * k);
  EXPECT_EQ(n - k - 1 > 0, false);  // too few points for AICc: reported as unusable
}

// Holt, alpha 0.5, beta 0.2 (beta/alpha = 0.4), l0 10, b0 1, y = 12, 13:
//   q1 = 11, e1 = 1,   l1 = 11.5,  b1 = 1 + 0.4 (11.5 - 10 - 1) = 1.2;
//   q2 = 12.7, e2 = 0.3, l2 = 12.85, b2 = 1.2 + 0.4 (12.85 - 11.5 - 1.2) = 1.26;
//   forecasts 12.85 + 1.26 h.
TEST(EtsEvaluateTest, HoltByHandAndItsForecast) {
  EtsParams p;
  p.alpha = 0.5;
  p.beta = 0.2;
  p.level = 10;
  p.trend = 1;
  auto fit = EvaluateEts(std::vector<double>{12, 13}, Spec("AAN"), p);
  ASSERT_TRUE(fit.ok());
  EXPECT_NEAR(fit->last_level, 12.85, 1e-12);
  EXPECT_NEAR(fit->last_trend, 1.26, 1e-12);
  EXPECT_NEAR(fit->lik, 2 * std::log(1 + 0.09), 1e-12);
  const EtsForecast f = ForecastEts(*fit, 3, std::vector<double>{});
  EXPECT_NEAR(f.mean[0], 14.11, 1e-12);
  EXPECT_NEAR(f.mean[2], 12.85 + 3 * 1.26, 1e-12);
}

// ETS(M,N,M), m = 2, alpha 0.5, gamma 0.3, l0 10, season = {s0 = 1.2, s-1 = 0.8} (0.8 applies
// to the first observation), y = 9, 12:
//   t1: q 10, s 0.8, mu 8, eps 1/8, p 9/0.8 = 11.25, l 10.625, s <- 0.8 + 0.3 (0.9 - 0.8) = 0.83
//   t2: q 10.625, s 1.2, mu 12.75, eps -0.75/12.75, p 10, l 10.3125,
//       s <- 1.2 + 0.3 (12/10.625 - 1.2)
//   lik = 2 log(eps1^2 + eps2^2) + 2 (log 8 + log 12.75); forecasts l x (0.83, s2).
TEST(EtsEvaluateTest, MultiplicativeSeasonByHand) {
  EtsParams p;
  p.alpha = 0.5;
  p.gamma = 0.3;
  p.level = 10;
  p.season = {1.2, 0.8};
  auto fit = EvaluateEts(std::vector<double>{9, 12}, Spec("MNM", 2), p);
  ASSERT_TRUE(fit.ok()) << Describe(fit.error());
  const double e1 = 1.0 / 8, e2 = -0.75 / 12.75;
  EXPECT_NEAR(fit->lik, 2 * std::log(e1 * e1 + e2 * e2) + 2 * (std::log(8) + std::log(12.75)),
              1e-12);
  EXPECT_NEAR(fit->last_level, 10.3125, 1e-12);
  const double s2 = 1.2 + 0.3 * (12 / 10.625 - 1.2);
  ASSERT_EQ(fit->last_season.size(), 2u);
  EXPECT_NEAR(fit->last_season[0], s2, 1e-12);    // most recent
  EXPECT_NEAR(fit->last_season[1], 0.83, 1e-12);  // oldest: applies to the next step
  const EtsForecast f = ForecastEts(*fit, 3, std::vector<double>{0.1, 0.9});
  EXPECT_NEAR(f.mean[0], 10.3125 * 0.83, 1e-12);
  EXPECT_NEAR(f.mean[1], 10.3125 * s2, 1e-12);
  EXPECT_NEAR(f.mean[2], 10.3125 * 0.83, 1e-12);
  ASSERT_EQ(f.sim_quantiles.size(), 2u);  // class 3: simulated
  EXPECT_LE(f.sim_quantiles[0][0], f.sim_quantiles[1][0]);
}

TEST(EtsEvaluateTest, MissingValuesSkipTheCorrection) {
  // SES with y = 12, NaN, 11: after 12 the level is 11; the NaN leaves it (no trend) and the
  // next one-step forecast is still 11; e3 = 0, so SSE = 4 over n = 2 observations.
  EtsParams p;
  p.alpha = 0.5;
  p.level = 10;
  auto fit = EvaluateEts(std::vector<double>{12, kNaN, 11}, Spec("ANN"), p);
  ASSERT_TRUE(fit.ok());
  EXPECT_EQ(fit->n, 2);
  EXPECT_DOUBLE_EQ(fit->lik, 2 * std::log(4.0));
  EXPECT_DOUBLE_EQ(fit->fitted[2], 11.0);
  // A damped trend keeps moving by phi b through a gap.
  EtsParams d;
  d.alpha = 0.5;
  d.beta = 0.1;
  d.phi = 0.9;
  d.level = 10;
  d.trend = 2;
  auto damped = EvaluateEts(std::vector<double>{kNaN}, Spec("AAdN"), d);
  EXPECT_FALSE(damped.ok());  // no finite value at all
  auto one = EvaluateEts(std::vector<double>{kNaN, 20}, Spec("AAdN"), d);
  ASSERT_TRUE(one.ok());
  EXPECT_NEAR(one->fitted[1], 10 + 1.8 + 0.9 * 1.8, 1e-12);  // l = 11.8, b = 1.8 after the gap
}

TEST(EtsEvaluateTest, MultiplicativeModelsRejectNonPositiveForecasts) {
  EtsParams p;
  p.alpha = 0.5;
  p.level = -1;
  auto fit = EvaluateEts(std::vector<double>{1, 2}, Spec("MNN"), p);
  EXPECT_FALSE(fit.ok());
  EtsParams bad_season;
  bad_season.season = {1.0};
  auto size = EvaluateEts(std::vector<double>{1, 2, 3}, Spec("ANA", 2), bad_season);
  ASSERT_FALSE(size.ok());
  EXPECT_NE(size.error().message.find("season length 2"), std::string::npos);
}

std::vector<double> SimulateAnn(double alpha, double level, double sigma, int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, sigma);
  std::vector<double> y;
  double l = level;
  for (int t = 0; t < n; ++t) {
    const double e = noise(rng);
    y.push_back(l + e);
    l += alpha * e;
  }
  return y;
}

TEST(EtsFitTest, RecoversTheSmoothingParameterOfSimulatedData) {
  const std::vector<double> y = SimulateAnn(0.3, 100, 2, 3000, 5);
  auto fit = FitEts(y, Spec("ANN"), EtsOptions{});
  ASSERT_TRUE(fit.ok()) << Describe(fit.error());
  EXPECT_NEAR(fit->params.alpha, 0.3, 0.05);
  EXPECT_NEAR(std::sqrt(fit->sigma2), 2.0, 0.1);
  // The maximum is a maximum: nudging alpha either way lowers the likelihood.
  for (double delta : {-0.05, 0.05}) {
    EtsParams p = fit->params;
    p.alpha += delta;
    auto nudged = EvaluateEts(y, fit->spec, p);
    ASSERT_TRUE(nudged.ok());
    EXPECT_GT(nudged->lik, fit->lik);
  }
}

TEST(EtsFitTest, FixedParametersAreKeptAndChecked) {
  const std::vector<double> y = SimulateAnn(0.3, 100, 2, 200, 6);
  EtsOptions o;
  o.alpha = 0.7;
  auto fit = FitEts(y, Spec("ANN"), o);
  ASSERT_TRUE(fit.ok());
  EXPECT_DOUBLE_EQ(fit->params.alpha, 0.7);
  EXPECT_EQ(fit->num_params, 2);  // l0 and sigma^2
  o.alpha = 1.5;
  auto bad = FitEts(y, Spec("ANN"), o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("alpha = 1.5"), std::string::npos);
}

TEST(EtsFitTest, RefusesWhatTheDataCannotSupport) {
  auto zeros = FitEts(std::vector<double>{3, 0, 4, 5, 6, 2, 3, 4}, Spec("MNN"), EtsOptions{});
  ASSERT_FALSE(zeros.ok());
  EXPECT_NE(zeros.error().message.find("positive"), std::string::npos);
  auto short_season = FitEts(std::vector<double>(20, 5.0), Spec("ANA", 12), EtsOptions{});
  ASSERT_FALSE(short_season.ok());
  EXPECT_NE(short_season.error().message.find("two seasons"), std::string::npos);
}

TEST(EtsAutoTest, ChoosesASeasonalFormForSeasonalDataAndNoneForNoise) {
  std::mt19937 rng(9);
  std::normal_distribution<double> noise(0.0, 2.0);
  std::vector<double> seasonal, flat;
  for (int t = 0; t < 120; ++t) {
    seasonal.push_back(100 + 25 * std::sin(2 * M_PI * t / 12) + noise(rng));
    flat.push_back(100 + noise(rng));
  }
  auto s = AutoEts(seasonal, 12, EtsOptions{});
  ASSERT_TRUE(s.ok());
  EXPECT_NE(s->spec.season, EtsSeason::kNone) << s->spec.ToString();
  auto f = AutoEts(flat, 12, EtsOptions{});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->spec.season, EtsSeason::kNone) << f->spec.ToString();
  // Noise around 100 may be fitted with a (damped) trend when that wins on AICc by chance (this
  // seed: ETS(M,Ad,N) by 1 point), but the forecast must stay flat at the level.
  const EtsForecast path = ForecastEts(*f, 24, {});
  for (double v : path.mean) EXPECT_NEAR(v, 100.0, 1.5) << f->spec.ToString();
  // The chosen model has the smallest AICc of the candidates tried.
  for (const char* code : {"ANN", "AAN", "AAdN", "ANA", "AAA"}) {
    auto c = FitEts(seasonal, Spec(code, 12), EtsOptions{});
    if (c.ok()) {
      EXPECT_LE(s->aicc, c->aicc + 1e-9) << code;
    }
  }
  auto bad = AutoEts(seasonal, 12, EtsOptions{}, "AXN");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("trend N, A, Ad or Z"), std::string::npos);
}

TEST(EtsForecastTest, AnalyticVariancesOfClassesOneAndTwo) {
  EtsFit fit;
  fit.spec = Spec("ANN");
  fit.params.alpha = 0.4;
  fit.last_level = 50;
  fit.sigma2 = 4;
  // Class 1 (HKOS Table 6.1): v_h = sigma^2 (1 + (h - 1) alpha^2).
  const EtsForecast a = ForecastEts(fit, 4, std::vector<double>{});
  for (int h = 1; h <= 4; ++h) EXPECT_NEAR(a.variance[h - 1], 4 * (1 + (h - 1) * 0.16), 1e-12);
  // Class 2, M,N,N: theta_1 = mu^2, theta_2 = mu^2 + s2 c1^2 theta_1,
  // v_2 = (1 + s2) theta_2 - mu^2.
  fit.spec = Spec("MNN");
  fit.sigma2 = 0.01;
  const EtsForecast m = ForecastEts(fit, 2, std::vector<double>{});
  EXPECT_NEAR(m.variance[0], 0.01 * 2500, 1e-9);
  const double theta2 = 2500 + 0.01 * 0.16 * 2500;
  EXPECT_NEAR(m.variance[1], 1.01 * theta2 - 2500, 1e-9);
}

}  // namespace
}  // namespace stockcast::forecast
