// ARIMA likelihood, forecasts and the registered model on cases small enough to derive by
// hand: for a Gaussian vector with covariance sigma^2 Omega, the exact log-likelihood with
// sigma^2 concentrated out is -1/2 [n log(2 pi q / n) + log det Omega + n], q = y' Omega^-1 y.
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stockcast/forecast/arima.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double GaussianLogLik(double det, double q, int n) {
  return -0.5 * (n * std::log(2 * std::numbers::pi * q / n) + std::log(det) + n);
}

TEST(ArimaTest, Ma1ExactLikelihoodByHand) {
  // MA(1), theta = 0.5: Omega = [[1 + theta^2, theta], [theta, 1 + theta^2]] =
  // [[1.25, 0.5], [0.5, 1.25]], det = 1.3125, y = (1, 2): q = (1.25 - 2 + 5) / 1.3125.
  ArimaSpec spec;
  spec.order.q = 1;
  ArimaCoef coef;
  coef.ma = {0.5};
  const std::vector<double> y = {1, 2};
  for (bool kalman : {false, true}) {
    ArimaOptions opt;
    opt.force_kalman = kalman;
    auto fit = EvaluateArima(y, spec, coef, {}, opt);
    ASSERT_TRUE(fit.ok()) << Describe(fit.error());
    EXPECT_NEAR(fit->loglik, GaussianLogLik(1.3125, 4.25 / 1.3125, 2), 1e-12);
    EXPECT_NEAR(fit->sigma2_mle, 4.25 / 1.3125 / 2, 1e-12);
  }
}

TEST(ArimaTest, Ar1WithAMissingValueByHand) {
  // AR(1), phi = 0.5, y = (1, NaN, 2): the observed pair has gamma0 = 1 / (1 - phi^2) = 4/3
  // and covariance phi^2 gamma0 = 1/3: det = 15/9, q = (9/15)(4/3 - 4/3 + 16/3) = 3.2. The
  // missing value is skipped, not read as zero.
  ArimaSpec spec;
  spec.order.p = 1;
  ArimaCoef coef;
  coef.ar = {0.5};
  auto fit = EvaluateArima(std::vector<double>{1, kNaN, 2}, spec, coef);
  ASSERT_TRUE(fit.ok()) << Describe(fit.error());
  EXPECT_EQ(fit->nstar, 2);
  EXPECT_NEAR(fit->loglik, GaussianLogLik(15.0 / 9.0, 3.2, 2), 1e-12);
  // Non-stationary AR coefficients are rejected at fixed values.
  coef.ar = {1.2};
  auto bad = EvaluateArima(std::vector<double>{1, 2, 3}, spec, coef);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("not stationary"), std::string::npos);
}

TEST(ArimaTest, WhiteNoiseAndRandomWalk) {
  // ARIMA(0,0,0) without mean: Omega = I, q = 1 + 1 + 4 + 4 = 10.
  ArimaSpec wn;
  auto fit = EvaluateArima(std::vector<double>{1, -1, 2, -2}, wn, ArimaCoef{});
  ASSERT_TRUE(fit.ok());
  EXPECT_NEAR(fit->loglik, GaussianLogLik(1, 10, 4), 1e-12);
  EXPECT_EQ(fit->num_params, 1);
  EXPECT_NEAR(fit->aic, -2 * fit->loglik + 2, 1e-12);
  // ARIMA(0,1,0): the forecast is the last value with variance h sigma^2.
  ArimaSpec rw;
  rw.order.d = 1;
  const std::vector<double> y = {1, 3, 2, 5};
  auto rw_fit = EvaluateArima(y, rw, ArimaCoef{});
  ASSERT_TRUE(rw_fit.ok());
  EXPECT_EQ(rw_fit->nstar, 3);
  auto fc = ForecastArima(*rw_fit, y, 3);
  ASSERT_TRUE(fc.ok());
  for (int h = 1; h <= 3; ++h) {
    EXPECT_NEAR(fc->mean[static_cast<size_t>(h - 1)], 5.0, 1e-9);
    EXPECT_NEAR(fc->variance[static_cast<size_t>(h - 1)], h, 1e-9);
  }
  // A missing last value: the forecast restarts from the last observed one, one step wider.
  const std::vector<double> y_gap = {1, 3, 2, 5, kNaN};
  auto fc_gap = ForecastArima(*rw_fit, y_gap, 1);
  ASSERT_TRUE(fc_gap.ok());
  EXPECT_NEAR(fc_gap->mean[0], 5.0, 1e-9);
  EXPECT_NEAR(fc_gap->variance[0], 2.0, 1e-9);
}

TEST(ArimaTest, MinRootModulus) {
  // 1 - 0.5 z has its root at 2; 1 + 0.25 z^2 at |z| = 2; 1 - 1.5 z + 0.5 z^2 = (1 - z)(1 - 0.5 z).
  EXPECT_NEAR(MinRootModulus(std::vector<double>{0.5}, -1), 2.0, 1e-12);
  EXPECT_NEAR(MinRootModulus(std::vector<double>{0.0, 0.25}, 1), 2.0, 1e-12);
  EXPECT_NEAR(MinRootModulus(std::vector<double>{1.5, -0.5}, -1), 1.0, 1e-12);
  EXPECT_TRUE(std::isinf(MinRootModulus(std::vector<double>{}, -1)));
}

TEST(ArimaTest, FitRecoversAnAr1) {
  // y_t = 0.6 y_{t-1} + e_t from a fixed LCG: the ML estimate of phi is close to 0.6.
  std::vector<double> y;
  uint64_t s = 99;
  double prev = 0;
  for (int t = 0; t < 2000; ++t) {
    double u = 0;
    for (int k = 0; k < 12; ++k) {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      u += static_cast<double>(s >> 11) / 9007199254740992.0;
    }
    prev = 0.6 * prev + (u - 6.0);
    y.push_back(prev + 10.0);
  }
  ArimaSpec spec;
  spec.order.p = 1;
  spec.include_mean = true;
  auto fit = FitArima(y, spec);
  ASSERT_TRUE(fit.ok()) << Describe(fit.error());
  EXPECT_NEAR(fit->coef.ar[0], 0.6, 0.04);
  EXPECT_NEAR(fit->coef.beta[0], 10.0, 0.15);
  EXPECT_EQ(fit->ToString(), "ARIMA(1,0,0) with non-zero mean");
  // Missing values: the same fit with every 10th value removed stays close.
  for (size_t t = 5; t < y.size(); t += 10) y[t] = kNaN;
  auto gap = FitArima(y, spec);
  ASSERT_TRUE(gap.ok()) << Describe(gap.error());
  EXPECT_NEAR(gap->coef.ar[0], fit->coef.ar[0], 0.03);
}

TEST(ArimaModelTest, RegressionWithArimaErrorsUsesFuturePromotions) {
  // y = 10 + 5 promo + noise: the forecast follows the planned promotion.
  std::vector<double> y, promo;
  uint64_t s = 5;
  for (int t = 0; t < 200; ++t) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(s >> 11) / 9007199254740992.0 - 0.5;
    const double p = (t % 9 == 0) ? 1.0 : 0.0;
    promo.push_back(p);
    y.push_back(10 + 5 * p + u);
  }
  promo.push_back(1);  // planned: promotion tomorrow, none after (held at 0 from step 3)
  promo.push_back(0);
  Regressors x;
  x.names = {"promo"};
  x.values = {promo};
  auto model = CreateModel("arima:order=0-0-0");
  ASSERT_TRUE(model.ok());
  EXPECT_TRUE((*model)->UsesRegressors());
  ASSERT_TRUE((*model)->FitWithRegressors(y, {}, 7, x).ok());
  auto f = (*model)->Predict(3, std::vector<double>{0.1, 0.9});
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->fallback.empty());
  EXPECT_NEAR(f->mean[0], 15.0, 0.2);
  EXPECT_NEAR(f->mean[1], 10.0, 0.2);
  EXPECT_NEAR(f->mean[2], 10.0, 0.2);
  EXPECT_EQ((*model)->Chosen(), "Regression with ARIMA(0,0,0) errors");
}

TEST(ArimaModelTest, FixedSeasonalOrderAndBadParameters) {
  std::vector<double> y;
  for (int t = 0; t < 120; ++t) y.push_back(20 + 8 * ((t % 7) >= 5) + 0.05 * t + ((t * 37) % 11) * 0.3);
  auto model = CreateModel("arima:order=0-1-1,seasonal=0-1-1");
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE((*model)->Fit(y, {}, 7).ok());
  EXPECT_EQ((*model)->Chosen(), "ARIMA(0,1,1)(0,1,1)[7]");
  auto f = (*model)->Predict(14, std::vector<double>{0.05, 0.5, 0.95});
  ASSERT_TRUE(f.ok());
  // The weekend peak is forecast on the weekend positions (t = 124, 125 mod 7 = 5, 6).
  EXPECT_GT(f->mean[4], f->mean[2] + 4);
  auto bad = CreateModel("arima:order=1-x-1");
  ASSERT_TRUE(bad.ok());
  Status st = (*bad)->Fit(y, {}, 7);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("order = \"1-x-1\""), std::string::npos) << st.error().message;
  auto bad_ic = CreateModel("arima:ic=hqic");
  ASSERT_TRUE(bad_ic.ok());
  EXPECT_FALSE((*bad_ic)->Fit(y, {}, 7).ok());
}

}  // namespace
}  // namespace stockcast::forecast
