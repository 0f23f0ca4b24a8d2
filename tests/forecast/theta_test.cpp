// Tests of the Theta family (theta.h): the SES-with-drift forecast against hand computations
// and thetaf's closed form, the seasonality test and decomposition against base R (stats::acf,
// stats::decompose), the fitted models on noiseless series with exactly derivable forecasts,
// and the registered models' fallbacks and intervals.
#include "stockcast/forecast/theta.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stockcast/core/demand_panel.h"
#include "stockcast/forecast/distribution.h"
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Uniform(0, 1) numbers from a fixed LCG (Knuth's MMIX constants).
class Lcg {
 public:
  explicit Lcg(uint64_t seed) : state_(seed) {}
  double Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state_ >> 11) / 9007199254740992.0;
  }

 private:
  uint64_t state_;
};

// Independent re-implementations for the checks below (plain loops, no NaN handling).
double SesFinalLevel(const std::vector<double>& y, double alpha, double level0) {
  double level = level0;
  for (double v : y) level += alpha * (v - level);
  return level;
}
double SesSse(const std::vector<double>& y, double alpha, double level0) {
  double level = level0, sse = 0.0;
  for (double v : y) {
    sse += (v - level) * (v - level);
    level += alpha * (v - level);
  }
  return sse;
}
double OlsSlope(const std::vector<double>& y) {
  const double n = static_cast<double>(y.size());
  double st = 0, sy = 0, stt = 0, sty = 0;
  for (size_t t = 0; t < y.size(); ++t) {
    st += t;
    sy += y[t];
    stt += static_cast<double>(t) * t;
    sty += t * y[t];
  }
  return (n * sty - st * sy) / (n * stt - st * st);
}
// One-step MSE of the OTM recursion mu_t = l_{t-1} + (1 - 1/theta) b0 (t - lambda_{t-1}).
double OtmMse(const std::vector<double>& y, double alpha, double level0, double theta) {
  const double b0 = OlsSlope(y);
  double level = level0, lambda = 0.0, sse = 0.0;
  for (size_t t = 0; t < y.size(); ++t) {
    const double e = y[t] - (level + (1.0 - 1.0 / theta) * b0 * (t - lambda));
    sse += e * e;
    level += alpha * (y[t] - level);
    lambda += alpha * (static_cast<double>(t) - lambda);
  }
  return sse / static_cast<double>(y.size());
}

// --- The fixed-parameter forecast ------------------------------------------------------------

TEST(ThetaForecastFixed, SesAndDriftByHand) {
  // y = 3 5 4 6, alpha = 0.5, l0 = 3.
  // SES: l1 = 3 + .5(3-3) = 3, l2 = 3 + .5(5-3) = 4, l3 = 4 + .5(4-4) = 4, l4 = 4 + .5(6-4) = 5.
  // OLS on t = 0..3: tbar = 1.5, ybar = 4.5, Sxy = 2.25 - .25 - .25 + 2.25 = 4, Sxx = 5,
  // b0 = 0.8. Drift b0/2 (h - 1 + (1 - 0.5^4)/0.5) = 0.4 (h + 0.875): 0.75, 1.15, 1.55.
  const std::vector<double> y = {3, 5, 4, 6};
  const std::vector<double> f = ThetaForecastFixed(y, 0.5, 3.0, 3);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_NEAR(f[0], 5.75, 1e-12);
  EXPECT_NEAR(f[1], 6.15, 1e-12);
  EXPECT_NEAR(f[2], 6.55, 1e-12);
  // theta = 1 gives no drift: plain SES, flat at l4 = 5.
  EXPECT_EQ(ThetaForecastFixed(y, 0.5, 3.0, 3, 1.0), (std::vector<double>{5, 5, 5}));
  // theta = 3: drift weight 2/3 instead of 1/2: 5 + (2/3) 0.8 (h + 0.875).
  EXPECT_NEAR(ThetaForecastFixed(y, 0.5, 3.0, 1, 3.0)[0], 5 + 2.0 / 3 * 0.8 * 1.875, 1e-12);
}

TEST(ThetaForecastFixed, MissingDayCarriesTheLevel) {
  // y = 3 NaN 5, alpha = 0.5, l0 = 3. Level: 3 (t=0), 3 carried (t=1), 3 + .5(5-3) = 4 (t=2).
  // lambda (SES of t from 0): t=0 -> 0, t=1 skipped, t=2 -> 0 + .5(2-0) = 1.
  // OLS on (0,3), (2,5): b0 = 1. Drift 1/2 * 1 * (n - 1 + h - lambda) = (h + 1)/2, n = 3.
  const std::vector<double> y = {3, kNaN, 5};
  const std::vector<double> f = ThetaForecastFixed(y, 0.5, 3.0, 2);
  EXPECT_NEAR(f[0], 5.0, 1e-12);
  EXPECT_NEAR(f[1], 5.5, 1e-12);
}

TEST(ThetaForecastFixed, EqualsThetafClosedFormWithoutGaps) {
  // thetaf: l_n + b0/2 (h - 1 + 1/alpha - (1-alpha)^n / alpha), l_n and b0 computed here.
  Lcg rng(7);
  std::vector<double> y;
  for (int t = 0; t < 50; ++t) y.push_back(20 + 0.3 * t + 8 * rng.Next());
  for (double alpha : {0.05, 0.3, 0.9}) {
    const double ln = SesFinalLevel(y, alpha, 21.0);
    const double b0 = OlsSlope(y);
    const std::vector<double> f = ThetaForecastFixed(y, alpha, 21.0, 12);
    for (int h = 1; h <= 12; ++h) {
      const double expected =
          ln + b0 / 2 * (h - 1 + 1 / alpha - std::pow(1 - alpha, 50) / alpha);
      EXPECT_NEAR(f[static_cast<size_t>(h - 1)], expected, 1e-10) << "alpha " << alpha;
    }
  }
}

// --- Seasonality test and decomposition (reference values from R 4 base stats) -----------------

// R: n <- 63; t <- 0:(n-1); s <- c(.7,.8,.9,1,1.1,1.3,1.2);
//    y <- round((40 + 0.5 t) s[t %% 7 + 1] + (t*37 %% 11) - 5)
const std::vector<double> kWeekly = {
    23, 31, 40, 38, 46, 59, 49, 31, 40, 38, 47, 45, 59, 59, 29, 38, 47, 46, 55, 69, 58,
    37, 36, 45, 55, 54, 69, 68, 35, 45, 54, 54, 64, 68, 67, 43, 42, 53, 63, 62, 79, 78,
    41, 51, 51, 62, 72, 79, 77, 49, 49, 60, 71, 71, 89, 76, 47, 58, 58, 70, 81, 89, 86};

TEST(ThetaSeasonality, MatchesRAcfOnASeasonalSeries) {
  // r <- acf(y, lag.max = 7)$acf[-1]; r[7] = 0.748793965492061;
  // sqrt((1 + 2 sum(r[1:6]^2)) / 63) * qnorm(0.95) = 0.310142641515237 -> seasonal.
  const SeasonalityTest test = TestSeasonality(kWeekly, 7);
  EXPECT_TRUE(test.tested);
  EXPECT_TRUE(test.seasonal);
  EXPECT_NEAR(test.r_m, 0.748793965492061, 1e-12);
  EXPECT_NEAR(test.threshold, 0.310142641515237, 1e-9);
}

TEST(ThetaSeasonality, MissingValuesFollowRAcfNaPass) {
  // yn <- y; yn[c(5, 20, 33)] <- NA (R is 1-based); acf(yn, 7, na.action = na.pass): r[7] below.
  std::vector<double> y = kWeekly;
  y[4] = y[19] = y[32] = kNaN;
  const SeasonalityTest test = TestSeasonality(y, 7);
  EXPECT_TRUE(test.seasonal);
  EXPECT_NEAR(test.r_m, 0.766728448831687, 1e-12);
}

TEST(ThetaSeasonality, WhiteNoiseIsNotSeasonal) {
  Lcg rng(2024);
  std::vector<double> y;
  for (int t = 0; t < 400; ++t) y.push_back(10 + 5 * rng.Next());
  const SeasonalityTest test = TestSeasonality(y, 7);
  EXPECT_TRUE(test.tested);
  EXPECT_FALSE(test.seasonal) << "r_7 = " << test.r_m << ", threshold " << test.threshold;
  // Independent observations: r_7 ~ N(0, 1/n) roughly, so |r_7| is well under 4/sqrt(400).
  EXPECT_LT(std::abs(test.r_m), 0.2);
}

TEST(ThetaSeasonality, NeedsMoreThanTwoSeasonsAndVariation) {
  // thetaf tests only when n > 2m; a constant series is never seasonal.
  std::vector<double> y(kWeekly.begin(), kWeekly.begin() + 14);
  EXPECT_FALSE(TestSeasonality(y, 7).tested);
  y.push_back(kWeekly[14]);
  EXPECT_TRUE(TestSeasonality(y, 7).tested);
  EXPECT_FALSE(TestSeasonality(std::vector<double>(40, 3.0), 7).tested);
  EXPECT_FALSE(TestSeasonality(kWeekly, 1).tested);
}

TEST(ThetaDecomposition, MatchesRDecomposeOddAndEvenSeason) {
  // decompose(ts(y, frequency = 7), type = "multiplicative")$figure
  const std::vector<double> r7 = {0.699185290861246, 0.79953614824221, 0.896541373372266,
                                  1.00808945026252,  1.07919235839656, 1.30838395513735,
                                  1.20907142372785};
  const std::vector<double> idx7 = MultiplicativeSeasonalIndices(kWeekly, 7);
  ASSERT_EQ(idx7.size(), 7u);
  for (size_t p = 0; p < 7; ++p) EXPECT_NEAR(idx7[p], r7[p], 1e-12) << p;
  // m = 4 (2 x 4 centred moving average): y4 <- round((30 + .3 t) c(.6,1.4,1.2,.8)[t %% 4 + 1]
  // + (t*13 %% 7) - 3), t = 0..39.
  const std::vector<double> y4 = {15, 45, 39, 26, 19, 43, 36, 23, 22, 48, 41, 27, 19, 45,
                                  38, 31, 23, 50, 42, 28, 20, 48, 47, 32, 23, 52, 44, 28,
                                  20, 57, 49, 32, 24, 55, 46, 29, 27, 60, 51, 33};
  const std::vector<double> r4 = {0.606145235864666, 1.39800615918401, 1.19946082689583,
                                  0.796387778055493};
  const std::vector<double> idx4 = MultiplicativeSeasonalIndices(y4, 4);
  ASSERT_EQ(idx4.size(), 4u);
  for (size_t p = 0; p < 4; ++p) EXPECT_NEAR(idx4[p], r4[p], 1e-12) << p;
}

TEST(ThetaDecomposition, RecoversTheIndicesOfANoiselessMultiplicativeSeries) {
  // y_t = 50 s_(t mod m) with mean(s) = 1: every full-period moving average is 50 mean(s) = 50,
  // so every ratio is exactly s_p.
  const std::vector<double> s7 = {0.8, 0.9, 1.0, 1.0, 1.1, 1.2, 1.0};
  const std::vector<double> s4 = {0.5, 1.5, 1.25, 0.75};
  for (const auto* s : {&s7, &s4}) {
    const size_t m = s->size();
    std::vector<double> y;
    for (size_t t = 0; t < 10 * m + 3; ++t) y.push_back(50 * (*s)[t % m]);
    const std::vector<double> idx = MultiplicativeSeasonalIndices(y, static_cast<int>(m));
    ASSERT_EQ(idx.size(), m);
    for (size_t p = 0; p < m; ++p) EXPECT_NEAR(idx[p], (*s)[p], 1e-12);
  }
  // Indices that do not average 1 come back normalised: 50 x (1, 2, 3) -> (0.5, 1, 1.5).
  std::vector<double> y;
  for (int t = 0; t < 30; ++t) y.push_back(50.0 * (t % 3 + 1));
  const std::vector<double> idx = MultiplicativeSeasonalIndices(y, 3);
  ASSERT_EQ(idx.size(), 3u);
  EXPECT_NEAR(idx[0], 0.5, 1e-12);
  EXPECT_NEAR(idx[1], 1.0, 1e-12);
  EXPECT_NEAR(idx[2], 1.5, 1e-12);
}

// --- Fitting -------------------------------------------------------------------------------

TEST(ThetaFit, EstimatesMinimiseTheSesSse) {
  Lcg rng(99);
  std::vector<double> y;
  double level = 30;
  for (int t = 0; t < 120; ++t) {
    level += 2 * (rng.Next() - 0.5);  // a random walk plus noise: SES's own model
    y.push_back(level + 6 * (rng.Next() - 0.5));
  }
  auto fit = FitThetaSeries(y, {});
  ASSERT_TRUE(fit.ok()) << Describe(fit.error());
  EXPECT_FALSE(fit->seasonality.tested);
  EXPECT_TRUE(fit->seasonal_index.empty());
  EXPECT_EQ(fit->theta, 2.0);
  EXPECT_NEAR(fit->b0, OlsSlope(y), 1e-12);
  const double sse = SesSse(y, fit->alpha, fit->level0);
  EXPECT_NEAR(fit->sigma2, sse / 120, 1e-9);
  // A local minimum: no nearby (alpha, l0) does better.
  for (double da : {-1e-3, 1e-3}) {
    EXPECT_GE(SesSse(y, fit->alpha + da, fit->level0), sse - 1e-9);
  }
  for (double dl : {-1e-2, 1e-2}) {
    EXPECT_GE(SesSse(y, fit->alpha, fit->level0 + dl), sse - 1e-9);
  }
  // And a global one on a fine alpha grid (l0 fixed at the fit's).
  for (int i = 1; i < 1000; ++i) {
    EXPECT_GE(SesSse(y, i / 1000.0, fit->level0), sse - 1e-9) << i;
  }
  // The forecast is the fixed-parameter formula at the fitted values.
  const ThetaPath path = PredictTheta(*fit, 5);
  EXPECT_EQ(path.mean, ThetaForecastFixed(y, fit->alpha, fit->level0, 5));
}

TEST(ThetaFit, SeasonalFitMatchesABaseRComputation) {
  // thetaf's steps written out in base R (the forecast package is not installed here):
  //   d <- decompose(ts(y, frequency = 7), "multiplicative"); x <- y / d$seasonal
  //   SSE(a, l0) = sum (x_t - l_{t-1})^2 minimised by optim(L-BFGS-B, a in [1e-4, .9999],
  //   factr = 1) from 10 starts; b0 <- lsfit(0:62, x)$coef[2]
  //   f <- (l_n + b0/2 (h - 1 + (1 - (1-a)^n)/a)) * rep(tail(d$seasonal, 7), 3)[h]
  // gave alpha = 0.3311751633, l0 = 38.5854344888, b0 = 0.5124383221, SSE/n = 17.0170749982.
  ThetaOptions o;
  o.season = 7;
  auto fit = FitThetaSeries(kWeekly, o);
  ASSERT_TRUE(fit.ok());
  EXPECT_TRUE(fit->seasonality.seasonal);
  EXPECT_NEAR(fit->alpha, 0.3311751633, 1e-6);
  EXPECT_NEAR(fit->level0, 38.5854344888, 1e-4);
  EXPECT_NEAR(fit->b0, 0.5124383221, 1e-9);
  EXPECT_NEAR(fit->sigma2, 17.0170749982, 1e-8);
  const std::vector<double> r = {49.51395522, 56.82532255, 63.94947264, 72.16438633,
                                 77.53081915, 94.33152481, 87.48110312, 50.76796790,
                                 58.25931792, 65.55745019, 73.97242917, 79.46638747,
                                 96.67815609, 89.64961398};
  const ThetaPath path = PredictTheta(*fit, 14);
  for (size_t i = 0; i < r.size(); ++i) EXPECT_NEAR(path.mean[i], r[i], 1e-6) << i;
  // sd_h = sqrt(sigma2 (1 + alpha^2 (h - 1))) x index: step 8 has step 1's index.
  const double ratio = std::sqrt(1 + 7 * fit->alpha * fit->alpha);
  EXPECT_NEAR(path.sd[7], path.sd[0] * ratio, 1e-9);
  EXPECT_NEAR(path.sd[0], std::sqrt(fit->sigma2) * fit->seasonal_index[0], 1e-12);
}

TEST(ThetaFit, LinearTrendGetsHalfTheSlope) {
  // y = 10 + 2t, t = 0..39. OLS: a0 = 10, b0 = 2. SES one-step errors on a line obey
  // e_t = b0 + (1 - alpha) e_{t-1} -> b0/alpha, so the SSE falls as alpha rises and alpha ends on
  // its upper bound 1 - eps, eps = 1e-4. Steady state: the level lags the last value by
  // (1 - alpha) b0/alpha = 2 eps/(1 - eps), and the drift is b0/2 (h - 1 + 1/alpha) (the
  // (1-alpha)^n term is eps^40 = 0), so
  //   yhat(n-1+h) = y_{n-1} - 2 eps/(1-eps) + h - 1 + 1/(1-eps) = y_{n-1} + h - eps/(1-eps),
  // i.e. the standard Theta method extrapolates a pure line at half its slope (Hyndman &
  // Billah 2003: SES with drift b0/2), an error of h + eps/(1-eps) at step h.
  std::vector<double> y;
  for (int t = 0; t < 40; ++t) y.push_back(10 + 2 * t);
  auto fit = FitThetaSeries(y, {});
  ASSERT_TRUE(fit.ok());
  EXPECT_NEAR(fit->a0, 10.0, 1e-10);
  EXPECT_NEAR(fit->b0, 2.0, 1e-12);
  EXPECT_NEAR(fit->alpha, 0.9999, 1e-7);
  const double eps = 1e-4;
  const ThetaPath path = PredictTheta(*fit, 10);
  for (int h = 1; h <= 10; ++h) {
    const double truth = 10 + 2 * (39 + h);
    const double expected = 10 + 2 * 39 + h - eps / (1 - eps);
    EXPECT_NEAR(path.mean[static_cast<size_t>(h - 1)], expected, 1e-6) << h;
    EXPECT_NEAR(truth - path.mean[static_cast<size_t>(h - 1)], h + eps / (1 - eps), 1e-6);
  }
}

TEST(ThetaFit, OtmFindsTheTrendThatThetaHalves) {
  // Same line. OTM's one-step error with alpha -> 1 is b0 - (1 - 1/theta) b0 = b0/theta, so the
  // MSE falls with theta and theta ends on its upper bound 10, alpha on 0.9999. Forecast:
  //   l_n + 0.9 b0 (n - 1 + h - lambda_n),  n - 1 + h - lambda_n = h - 1 + 1/alpha,
  // = y_{n-1} - 2 eps/(1-eps) + 1.8 (h - 1 + 1/(1-eps)) = y_{n-1} + 1.8 h - 0.2 eps/(1-eps).
  std::vector<double> y;
  for (int t = 0; t < 40; ++t) y.push_back(10 + 2 * t);
  ThetaOptions o;
  o.variant = ThetaVariant::kOptimised;
  auto fit = FitThetaSeries(y, o);
  ASSERT_TRUE(fit.ok());
  EXPECT_NEAR(fit->theta, 10.0, 1e-6);
  EXPECT_NEAR(fit->alpha, 0.9999, 1e-6);
  const double eps = 1e-4;
  const ThetaPath path = PredictTheta(*fit, 10);
  for (int h = 1; h <= 10; ++h) {
    EXPECT_NEAR(path.mean[static_cast<size_t>(h - 1)], 88 + 1.8 * h - 0.2 * eps / (1 - eps),
                1e-5)
        << h;
  }
  // In-sample MSE: errors 0 at t = 0 (l0 free) then ~ b0/theta = 0.2: 39/40 * 0.04.
  EXPECT_NEAR(fit->sigma2, 0.04 * 39 / 40, 1e-4);
}

TEST(ThetaFit, OtmWithThetaTwoIsThetasForecastForTheSameParameters) {
  Lcg rng(5);
  std::vector<double> y;
  for (int t = 0; t < 80; ++t) y.push_back(15 + 0.2 * t + 5 * rng.Next());
  ThetaOptions o;
  o.variant = ThetaVariant::kOptimised;
  o.theta_min = o.theta_max = 2.0;
  auto otm = FitThetaSeries(y, o);
  ASSERT_TRUE(otm.ok());
  EXPECT_EQ(otm->theta, 2.0);
  // Same alpha and l0 -> the standard method's point forecast.
  const std::vector<double> standard = ThetaForecastFixed(y, otm->alpha, otm->level0, 14);
  const ThetaPath path = PredictTheta(*otm, 14);
  for (size_t i = 0; i < 14; ++i) EXPECT_NEAR(path.mean[i], standard[i], 1e-10);
  // OTM minimises its own one-step MSE (drift in-sample), so at theta = 2 it is at most the
  // MSE of the standard method's (alpha, l0), which minimise SES's SSE instead.
  auto theta = FitThetaSeries(y, {});
  ASSERT_TRUE(theta.ok());
  const double otm_mse = OtmMse(y, otm->alpha, otm->level0, 2.0);
  EXPECT_NEAR(otm->sigma2, otm_mse, 1e-9);
  EXPECT_LE(otm_mse, OtmMse(y, theta->alpha, theta->level0, 2.0) + 1e-12);
  // Free theta does at least as well as theta fixed at 2.
  auto free = FitThetaSeries(y, {.variant = ThetaVariant::kOptimised});
  ASSERT_TRUE(free.ok());
  EXPECT_LE(free->sigma2, otm->sigma2 + 1e-12);
  EXPECT_GE(free->theta, 1.0);
  EXPECT_LE(free->theta, 10.0);
}

TEST(ThetaFit, RejectsTooFewValuesAndBadThetaBounds) {
  auto few = FitThetaSeries(std::vector<double>{1, kNaN, 2}, {});
  ASSERT_FALSE(few.ok());
  EXPECT_NE(few.error().message.find("2 finite values"), std::string::npos)
      << few.error().message;
  ThetaOptions o;
  o.variant = ThetaVariant::kOptimised;
  o.theta_min = 3;
  o.theta_max = 2;
  auto bad = FitThetaSeries(std::vector<double>{1, 2, 3, 4}, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("theta_min <= theta_max"), std::string::npos);
}

// --- The registered models ---------------------------------------------------------------------

Forecast FitPredict(const std::string& spec, const std::vector<double>& y,
                    const std::vector<uint8_t>& flags, int horizon,
                    std::vector<double> levels = {0.1, 0.5, 0.9}) {
  auto model = CreateModel(spec);
  EXPECT_TRUE(model.ok()) << spec;
  EXPECT_TRUE((*model)->Fit(y, flags, 7).ok());
  auto f = (*model)->Predict(horizon, levels);
  EXPECT_TRUE(f.ok());
  return *f;
}

TEST(ThetaModel, NoiselessWeeklySeriesIsForecastExactlyDespiteLeadingDays) {
  // Three not-launched days, then y_t = 50 s_(t mod 7) for input days t = 3..72. The prepared
  // series starts at t = 3 but the decomposition's positions follow it, so step h (input day
  // 72 + h) must get s_((72 + h) mod 7). Deseasonalised: constant 50, b0 = 0, SSE 0.
  const std::vector<double> s = {0.8, 0.9, 1.0, 1.0, 1.1, 1.2, 1.0};
  std::vector<double> y(3, kNaN);
  std::vector<uint8_t> flags(3, kFlagNotLaunched);
  for (int t = 3; t < 73; ++t) {
    y.push_back(50 * s[static_cast<size_t>(t % 7)]);
    flags.push_back(0);
  }
  for (const char* spec : {"theta", "otm"}) {
    const Forecast f = FitPredict(spec, y, flags, 10);
    EXPECT_TRUE(f.fallback.empty()) << f.fallback;
    for (int h = 1; h <= 10; ++h) {
      const double expected = 50 * s[static_cast<size_t>((72 + h) % 7)];
      EXPECT_NEAR(f.mean[static_cast<size_t>(h - 1)], expected, 1e-8) << spec << " h=" << h;
      // No error: the interval collapses onto the mean.
      EXPECT_NEAR(f.quantiles[0][static_cast<size_t>(h - 1)], expected, 1e-6);
    }
  }
  // The exposed fit, on the prepared series (y from day 3): index[p] for prepared day t with
  // t mod 7 = p, i.e. input day t + 3.
  auto fit = FitThetaSeries(std::vector<double>(y.begin() + 3, y.end()), {.season = 7});
  ASSERT_TRUE(fit.ok());
  ASSERT_TRUE(fit->seasonality.seasonal);
  ASSERT_EQ(fit->seasonal_index.size(), 7u);
  for (size_t p = 0; p < 7; ++p) EXPECT_NEAR(fit->seasonal_index[p], s[(p + 3) % 7], 1e-12);
  EXPECT_NEAR(fit->b0, 0.0, 1e-12);
  EXPECT_NEAR(fit->level, 50.0, 1e-9);
}

TEST(ThetaModel, IntervalsWidenAsSesStateSpace) {
  Lcg rng(11);
  std::vector<double> y;
  double level = 40;
  for (int t = 0; t < 150; ++t) {
    level += 3 * (rng.Next() - 0.5);
    y.push_back(level + 10 * (rng.Next() - 0.5));
  }
  const Forecast f = FitPredict("theta:season=1", y, {}, 12, {0.1, 0.5, 0.9});
  ASSERT_TRUE(f.fallback.empty());
  auto fit = FitThetaSeries(y, {});
  ASSERT_TRUE(fit.ok());
  ASSERT_GT(fit->alpha, 0.01);
  // q(0.9) - q(0.1) = 2 z_0.9 sigma sqrt(1 + alpha^2 (h - 1)), strictly increasing in h.
  const double z = NormalQuantile(0.9);
  for (int h = 1; h <= 12; ++h) {
    const size_t i = static_cast<size_t>(h - 1);
    const double width = f.quantiles[2][i] - f.quantiles[0][i];
    EXPECT_NEAR(width,
                2 * z * std::sqrt(fit->sigma2 * (1 + fit->alpha * fit->alpha * (h - 1))), 1e-9);
    EXPECT_NEAR(f.quantiles[1][i], f.mean[i], 1e-9);
    if (h > 1) {
      EXPECT_GT(width, f.quantiles[2][i - 1] - f.quantiles[0][i - 1]);
    }
  }
}

TEST(ThetaModel, CensoredAndMissingDaysAreSkippedNotZero) {
  // A censored day's 0 must act exactly like a missing day (NaN), not like a sale of 0.
  Lcg rng(3);
  std::vector<double> y;
  for (int t = 0; t < 60; ++t) y.push_back(std::round(20 + 6 * rng.Next()));
  std::vector<double> y_censored = y, y_missing = y;
  std::vector<uint8_t> censored(60, 0), missing(60, 0);
  for (int t : {10, 11, 40, 59}) {
    y_censored[static_cast<size_t>(t)] = 0.0;
    censored[static_cast<size_t>(t)] = kFlagCensored;
    y_missing[static_cast<size_t>(t)] = kNaN;
    missing[static_cast<size_t>(t)] = kFlagMissing;
  }
  for (const char* spec : {"theta", "otm"}) {
    const Forecast a = FitPredict(spec, y_censored, censored, 7);
    const Forecast b = FitPredict(spec, y_missing, missing, 7);
    EXPECT_EQ(a.mean, b.mean) << spec;
    EXPECT_EQ(a.quantiles, b.quantiles) << spec;
    for (double m : a.mean) EXPECT_GT(m, 15.0) << spec;  // no pull toward the zeros
  }
}

TEST(ThetaModel, TooFewValuesFallBack) {
  // 2 usable values with min_days = 1: past the short-history rule, but too few for a line.
  const Forecast f = FitPredict("theta:min_days=1", {4, kNaN, 8}, {}, 3);
  EXPECT_EQ(f.fallback.rfind("mean:", 0), 0u) << f.fallback;
  for (double m : f.mean) EXPECT_DOUBLE_EQ(m, 6.0);
  const Forecast g = FitPredict("otm:min_days=1", {4, kNaN, 8, 6}, {}, 3);
  EXPECT_TRUE(g.fallback.empty()) << g.fallback;
  // Default min_days = 7: the shared short-history rule.
  const Forecast s = FitPredict("theta", {5, 5, 5}, {}, 3);
  EXPECT_EQ(s.fallback.rfind("short:", 0), 0u) << s.fallback;
}

TEST(ThetaModel, ParametersAreChecked) {
  EXPECT_TRUE(CreateModel("theta:season=12,min_days=14").ok());
  EXPECT_TRUE(CreateModel("otm:theta_min=2,theta_max=2").ok());
  auto low = CreateModel("otm:theta_min=0.5");
  ASSERT_FALSE(low.ok());
  EXPECT_NE(low.error().message.find("theta_min"), std::string::npos) << low.error().message;
  auto unknown = CreateModel("theta:theta_max=3");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("season"), std::string::npos);
  auto crossed = CreateModel("otm:theta_min=5,theta_max=2");
  ASSERT_TRUE(crossed.ok());
  const Status st = (*crossed)->Fit(std::vector<double>{1, 2, 3}, {}, 7);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("theta_min = 5 > theta_max = 2"), std::string::npos)
      << st.error().message;
}

}  // namespace
}  // namespace stockcast::forecast
