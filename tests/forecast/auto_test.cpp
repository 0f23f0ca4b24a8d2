// The `auto` model: which ensemble each kind of series gets, and that members see drivers.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stockcast/forecast/model.h"

namespace stockcast::forecast {
namespace {

std::vector<double> Daily(int days, double yearly, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, 2);
  std::vector<double> y;
  for (int t = 0; t < days; ++t) {
    y.push_back(50 + 10 * std::sin(2 * M_PI * t / 7) + yearly * std::sin(2 * M_PI * t / 365.25) +
                noise(rng));
  }
  return y;
}

std::string ChosenFor(const std::string& spec, const std::vector<double>& y, int m) {
  auto model = CreateModel(spec);
  EXPECT_TRUE(model.ok());
  EXPECT_TRUE((*model)->Fit(y, {}, m).ok());
  auto f = (*model)->Predict(28, std::vector<double>{0.1, 0.9});
  EXPECT_TRUE(f.ok());
  return (*model)->Chosen();
}

TEST(AutoModel, LongDailyHistoriesGetTheYearlySeason) {
  // Two years and more of daily data: MSTL (weekly + yearly) with theta, plus theta.
  const std::string long_daily = ChosenFor("auto", Daily(800, 15, 1), 7);
  EXPECT_NE(long_daily.find("MSTL"), std::string::npos) << long_daily;
  EXPECT_EQ(long_daily.find("ETS"), std::string::npos) << long_daily;
  // A shorter daily history: ets + theta (auto.arima with a weekly season is too slow).
  const std::string short_daily = ChosenFor("auto", Daily(300, 15, 2), 7);
  EXPECT_NE(short_daily.find("ETS("), std::string::npos) << short_daily;
  EXPECT_EQ(short_daily.find("ARIMA("), std::string::npos) << short_daily;
  EXPECT_EQ(short_daily.find("MSTL"), std::string::npos) << short_daily;
  // Monthly data: ets + theta + arima.
  const std::string monthly = ChosenFor("auto", Daily(120, 0, 5), 12);
  EXPECT_NE(monthly.find("ARIMA("), std::string::npos) << monthly;
  EXPECT_NE(monthly.find("ETS("), std::string::npos) << monthly;
  // The threshold is a parameter.
  const std::string lowered = ChosenFor("auto:long_days=200", Daily(300, 15, 2), 7);
  EXPECT_NE(lowered.find("MSTL"), std::string::npos) << lowered;
}

TEST(AutoModel, MembersTakeParametersInParentheses) {
  const std::string chosen =
      ChosenFor("auto:daily=ets(model=ANN)+arima(order=0-1-1)", Daily(120, 0, 3), 7);
  EXPECT_NE(chosen.find("ETS(A,N,N)"), std::string::npos) << chosen;
  EXPECT_NE(chosen.find("ARIMA(0,1,1)"), std::string::npos) << chosen;
}

TEST(AutoModel, LongSeasonsLeaveArimaOut) {
  // Weekly data (m = 52): auto.arima with a 52-step season is left out of the ensemble.
  const std::string chosen = ChosenFor("auto", Daily(200, 0, 4), 52);
  EXPECT_EQ(chosen.find("ARIMA"), std::string::npos) << chosen;
  EXPECT_NE(chosen.find("ETS("), std::string::npos) << chosen;
}

TEST(AutoModel, RegressorsReachMembersThatUseThem) {
  // Demand doubles on promotion days; a regression member sees the planned promotion.
  std::vector<double> y;
  Regressors x;
  x.names = {"promo"};
  x.values.assign(1, {});
  for (int t = 0; t < 200; ++t) {
    const bool promo = t % 10 == 0;
    y.push_back(promo ? 40 : 20);
    x.values[0].push_back(promo ? 1 : 0);
  }
  for (int h = 0; h < 10; ++h) x.values[0].push_back(h == 4 ? 1 : 0);  // promotion on step 5
  auto model = CreateModel("auto:ensemble=regression");
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE((*model)->UsesRegressors());
  ASSERT_TRUE((*model)->FitWithRegressors(y, {}, 1, x).ok());
  auto f = (*model)->Predict(10, {});
  ASSERT_TRUE(f.ok());
  EXPECT_NEAR(f->mean[4], 40, 3);
  EXPECT_NEAR(f->mean[3], 20, 2);
}

TEST(CheckModelSpec, SettingsReadAtFitAreCheckedBeforeARun) {
  EXPECT_TRUE(CheckModelSpec("auto").ok());
  EXPECT_TRUE(CheckModelSpec("arima:order=1-1-1").ok());
  // A misspelt member of the general ensemble.
  const Status member = CheckModelSpec("auto:ensemble=ets+thetta");
  ASSERT_FALSE(member.ok());
  EXPECT_NE(member.error().message.find("member: unknown model \"thetta\""),
            std::string::npos)
      << member.error().message;
  // A member whose own setting is wrong (mstl reads `method` when fitting).
  EXPECT_FALSE(CheckModelSpec("auto:long_daily=mstl(method=thetaa)").ok());
  const Status order = CheckModelSpec("arima:order=1-x-1");
  ASSERT_FALSE(order.ok());
  EXPECT_NE(order.error().message.find("model spec \"arima:order=1-x-1\""), std::string::npos);
  EXPECT_FALSE(CheckModelSpec("nosuchmodel").ok());
}

}  // namespace
}  // namespace stockcast::forecast
