// Contract tests over every registered model: right length, monotone and non-negative
// quantiles, deterministic output, graceful fallbacks, and the registry's error messages.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stockcast/core/demand_panel.h"
#include "stockcast/forecast/model.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Weekly-patterned demand with noise from a fixed LCG, some missing and censored days.
struct Series {
  std::vector<double> y;
  std::vector<uint8_t> flags;
};

Series MakeSeries(int n, double level) {
  Series s;
  uint64_t state = 12345;
  for (int t = 0; t < n; ++t) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(state >> 11) / 9007199254740992.0;
    const double weekly = (t % 7 == 5 || t % 7 == 6) ? 1.6 : 0.85;
    double v = std::round(level * weekly * (0.6 + 0.8 * u));
    uint8_t f = 0;
    if (t % 31 == 3) {
      v = kNaN;
      f = kFlagMissing;
    } else if (t % 17 == 9) {
      v = 0.0;
      f = kFlagCensored;
    }
    s.y.push_back(v);
    s.flags.push_back(f);
  }
  return s;
}

std::vector<std::string> ModelNames() {
  std::vector<std::string> names;
  for (const ModelInfo* info : ListModels()) names.push_back(info->name);
  return names;
}

class ModelContract : public ::testing::TestWithParam<std::string> {};

void CheckForecast(const Forecast& f, int horizon, size_t levels) {
  ASSERT_EQ(f.horizon(), horizon);
  ASSERT_EQ(f.levels.size(), levels);
  ASSERT_EQ(f.quantiles.size(), levels);
  for (int h = 0; h < horizon; ++h) {
    const size_t i = static_cast<size_t>(h);
    EXPECT_TRUE(std::isfinite(f.mean[i]));
    EXPECT_GE(f.mean[i], 0.0);
    for (size_t l = 0; l < levels; ++l) {
      ASSERT_EQ(f.quantiles[l].size(), static_cast<size_t>(horizon));
      EXPECT_TRUE(std::isfinite(f.quantiles[l][i]));
      EXPECT_GE(f.quantiles[l][i], 0.0);
      if (l > 0) {
        EXPECT_GE(f.quantiles[l][i], f.quantiles[l - 1][i]) << "step " << h + 1;
      }
    }
  }
}

TEST_P(ModelContract, MonotoneNonNegativeRightLength) {
  const std::vector<double> levels = {0.05, 0.1, 0.5, 0.9, 0.95};
  for (int n : {400, 60, 10}) {
    const Series s = MakeSeries(n, 20.0);
    auto model = CreateModel(GetParam());
    ASSERT_TRUE(model.ok()) << Describe(model.error());
    ASSERT_TRUE((*model)->Fit(s.y, s.flags, 7).ok());
    auto f = (*model)->Predict(28, levels);
    ASSERT_TRUE(f.ok()) << Describe(f.error());
    CheckForecast(*f, 28, levels.size());
    EXPECT_TRUE(f->fallback.empty()) << GetParam() << " n=" << n << ": " << f->fallback;
  }
}

TEST_P(ModelContract, Deterministic) {
  const Series s = MakeSeries(200, 8.0);
  const std::vector<double> levels = {0.1, 0.5, 0.9};
  auto a = CreateModel(GetParam());
  auto b = CreateModel(GetParam());
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->Fit(s.y, s.flags, 7).ok());
  ASSERT_TRUE((*b)->Fit(s.y, s.flags, 7).ok());
  auto fa = (*a)->Predict(14, levels);
  auto fb = (*b)->Predict(14, levels);
  auto fa2 = (*a)->Predict(14, levels);
  ASSERT_TRUE(fa.ok() && fb.ok() && fa2.ok());
  EXPECT_EQ(fa->mean, fb->mean);
  EXPECT_EQ(fa->quantiles, fb->quantiles);
  EXPECT_EQ(fa->mean, fa2->mean);
  EXPECT_EQ(fa->quantiles, fa2->quantiles);
}

TEST_P(ModelContract, AllNaNAndEmptyFallBackToZero) {
  const std::vector<double> levels = {0.1, 0.9};
  for (size_t n : {size_t{0}, size_t{5}}) {
    std::vector<double> y(n, kNaN);
    std::vector<uint8_t> flags(n, kFlagMissing);
    auto model = CreateModel(GetParam());
    ASSERT_TRUE(model.ok());
    ASSERT_TRUE((*model)->Fit(y, flags, 7).ok());
    auto f = (*model)->Predict(7, levels);
    ASSERT_TRUE(f.ok()) << Describe(f.error());
    CheckForecast(*f, 7, 2);
    EXPECT_FALSE(f->fallback.empty());
    for (double m : f->mean) EXPECT_EQ(m, 0.0);
  }
}

TEST_P(ModelContract, OnlyCensoredDaysGiveTheirMeanAsALowerBound) {
  std::vector<double> y = {3, 5, 4};
  std::vector<uint8_t> flags(3, kFlagCensored);
  auto model = CreateModel(GetParam());
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE((*model)->Fit(y, flags, 7).ok());
  auto f = (*model)->Predict(3, std::vector<double>{0.5});
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->fallback.empty());
  EXPECT_DOUBLE_EQ(f->mean[0], 4.0);
}

// Fewer than min_days (7) usable days: every model spreads their total over its window and
// says so, with valid Poisson quantiles.
TEST_P(ModelContract, ShortHistoryFallsBackAndSaysSo) {
  std::vector<double> y = {kNaN, 90, 0, 30};
  std::vector<uint8_t> flags = {kFlagNotLaunched, 0, 0, 0};
  auto model = CreateModel(GetParam());
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE((*model)->Fit(y, flags, 7).ok());
  auto f = (*model)->Predict(7, std::vector<double>{0.1, 0.5, 0.9});
  ASSERT_TRUE(f.ok());
  CheckForecast(*f, 7, 3);
  EXPECT_EQ(f->fallback.rfind("short:", 0), 0u) << f->fallback;
  for (double m : f->mean) EXPECT_LE(m, 120.0 / 28.0 + 1e-9);
}

TEST_P(ModelContract, RejectsBadArguments) {
  auto model = CreateModel(GetParam());
  ASSERT_TRUE(model.ok());
  const std::vector<double> y = {1, 2, 3};
  const std::vector<uint8_t> two_flags = {0, 0};
  Status st = (*model)->Fit(y, two_flags, 7);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("flags"), std::string::npos);
  ASSERT_TRUE((*model)->Fit(y, {}, 7).ok());
  auto bad_h = (*model)->Predict(0, std::vector<double>{0.5});
  ASSERT_FALSE(bad_h.ok());
  EXPECT_NE(bad_h.error().message.find("horizon = 0"), std::string::npos);
  auto bad_level = (*model)->Predict(3, std::vector<double>{0.5, 1.0});
  ASSERT_FALSE(bad_level.ok());
  EXPECT_NE(bad_level.error().message.find("(0, 1)"), std::string::npos);
  auto unsorted = (*model)->Predict(3, std::vector<double>{0.9, 0.1});
  ASSERT_FALSE(unsorted.ok());
  EXPECT_NE(unsorted.error().message.find("ascending"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(AllModels, ModelContract, ::testing::ValuesIn(ModelNames()),
                         [](const auto& param_info) { return param_info.param; });

TEST(ModelRegistryTest, ListsBuiltInModels) {
  const std::string names = ModelRegistry::Global().Names();
  // Every family the issues ask for, listed sorted.
  for (const char* name : {"auto", "baseline", "croston", "ets", "holt", "holt_damped",
                           "hw_additive", "hw_multiplicative", "ma", "mean", "naive", "otm", "sba",
                           "ses", "snaive", "theta", "tsb", "adida", "imapa", "arima", "stl",
                           "mstl", "lm_trend", "exp_trend", "drift", "wma", "regression",
                           "bayes_regression", "dlm"}) {
    EXPECT_NE(names.find(name), std::string::npos) << name << " missing from " << names;
  }
  std::vector<std::string> listed;
  for (const ModelInfo* info : ListModels()) {
    EXPECT_FALSE(info->description.empty());
    listed.push_back(info->name);
  }
  EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end()));
}

TEST(ModelRegistryTest, UnknownModelListsAvailable) {
  auto r = CreateModel("arima2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message,
            "unknown model \"arima2\"; available: " + ModelRegistry::Global().Names());
  EXPECT_NE(r.error().message.find("auto, baseline, "), std::string::npos);
  EXPECT_NE(r.error().message.find(", croston, "), std::string::npos);
}

TEST(ModelRegistryTest, UnknownParameterListsValidOnes) {
  auto r = CreateModel("ma:windw=3");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("unknown parameter \"windw\""), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("window"), std::string::npos);
  EXPECT_NE(r.error().message.find("error_days"), std::string::npos);
}

TEST(ModelRegistryTest, ParameterBoundsAndTypes) {
  auto zero = CreateModel("ma:window=0");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message.find("window = 0"), std::string::npos) << zero.error().message;
  auto text = CreateModel("baseline:window=abc");
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message.find("integer"), std::string::npos);
  EXPECT_TRUE(CreateModel("baseline:window=14,profile_weeks=4,shrinkage=0.5").ok());
  EXPECT_TRUE(CreateModel(" snaive:season=14").ok());
}

TEST(ModelRegistryTest, SpecParsing) {
  auto spec = ParseModelSpec("ma:window=7,error_days=30");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->name, "ma");
  EXPECT_EQ(spec->params.at("window"), "7");
  EXPECT_EQ(spec->ToString(), "ma:error_days=30,window=7");
  EXPECT_FALSE(ParseModelSpec(":window=3").ok());
  auto bad = ParseModelSpec("ma:window");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("key=value"), std::string::npos);
}

TEST(ModelRegistryTest, DuplicateRegistrationIsAConflict) {
  ModelRegistry registry;
  ModelInfo info{"x", "test", ParamSchema(), [](const ParamValues&) {
                   return std::unique_ptr<ForecastModel>();
                 }};
  ASSERT_TRUE(registry.Register(info).ok());
  Status again = registry.Register(info);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

}  // namespace
}  // namespace stockcast::forecast
