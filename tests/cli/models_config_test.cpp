// `stockcast models` and `stockcast config`, and the config file reaching the commands.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "cli_util.h"

namespace stockcast::testing {
namespace {

namespace fs = std::filesystem;

TEST(CliModelsTest, JsonListsEveryBaselineModelWithItsParameters) {
  const CliRun run = Cli("models --json");
  ASSERT_EQ(run.code, 0) << run.Dump();
  const nlohmann::json j = Json(run);
  ASSERT_TRUE(j.is_array()) << run.out;
  std::set<std::string> names;
  for (const auto& m : j) {
    const std::string name = m["name"].get<std::string>();
    names.insert(name);
    EXPECT_FALSE(m["description"].get<std::string>().empty()) << name;
    ASSERT_TRUE(m["parameters"].is_array()) << name;
    EXPECT_FALSE(m["parameters"].empty()) << name << " lists no parameters";
    for (const auto& p : m["parameters"]) {
      for (const char* key : {"name", "type", "default", "min", "max", "description"}) {
        EXPECT_TRUE(p.contains(key)) << name << " parameter without " << key << ": " << p.dump();
      }
      EXPECT_LE(p["min"].get<double>(), p["max"].get<double>()) << name << " " << p.dump();
    }
  }
  for (const char* want : {"baseline", "ma", "mean", "naive", "snaive"}) {
    EXPECT_TRUE(names.count(want)) << "models --json lacks " << want << "\n" << run.out;
  }
  // The moving average's window and the baseline's weekday profile are declared.
  auto has_param = [&](const std::string& model, const std::string& param) {
    for (const auto& m : j) {
      if (m["name"] != model) continue;
      for (const auto& p : m["parameters"]) {
        if (p["name"] == param) return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(has_param("ma", "window"));
  EXPECT_TRUE(has_param("baseline", "window"));
  EXPECT_TRUE(has_param("baseline", "profile_weeks"));
  EXPECT_TRUE(has_param("snaive", "season"));
}

TEST(CliModelsTest, TextListsTheSameModels) {
  const CliRun run = Cli("models");
  ASSERT_EQ(run.code, 0) << run.Dump();
  for (const char* want : {"baseline", "ma ", "mean", "naive", "snaive", "window=28"}) {
    EXPECT_TRUE(Contains(run.out, want)) << want << "\n" << run.out;
  }
}

class CliForecastModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = TempDir("stockcast-cli-models");
    db_ = tmp_ / "x.db";
    const std::string orders = WriteFile(tmp_ / "orders.csv",
                                         "order_id,sku,quantity,unit_price,timestamp\n"
                                         "1,A,2,3.5,2024-01-01\n"
                                         "2,A,1,3.5,2024-01-02\n"
                                         "3,A,4,3.5,2024-01-03\n");
    const CliRun run = Cli("-q import --orders " + Q(orders) + " --db " + Q(db_));
    ASSERT_EQ(run.code, 0) << run.Dump();
  }
  fs::path tmp_, db_;
};

TEST_F(CliForecastModelTest, UnknownModelExitsThreeListingTheModels) {
  const CliRun run = Cli("forecast --db " + Q(db_) + " --model nosuch");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "stockcast: error: unknown model \"nosuch\"; available: "))
      << run.Dump();
  for (const char* name : {"baseline", "ma", "mean", "naive", "snaive"}) {
    EXPECT_TRUE(Contains(run.err, name)) << run.Dump();
  }
  EXPECT_FALSE(HasRun(db_, "forecast")) << "nothing is recorded";
}

TEST_F(CliForecastModelTest, UnknownModelParameterExitsThreeListingTheParameters) {
  const CliRun run = Cli("forecast --db " + Q(db_) + " --model ma:windw=3");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "windw")) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "window")) << run.Dump();
}

TEST_F(CliForecastModelTest, EachListedModelForecasts) {
  for (const char* model : {"baseline", "ma:window=2", "mean", "naive", "snaive"}) {
    const CliRun run =
        Cli("-q forecast --json --horizon 3 --db " + Q(db_) + " --model " + Q(std::string(model)));
    ASSERT_EQ(run.code, 0) << model << "\n" << run.Dump();
    EXPECT_EQ(Json(run)["rows"], 3) << model;
  }
}

TEST(CliConfigTest, DefaultsPassTheirOwnCheck) {
  const fs::path tmp = TempDir("stockcast-cli-config");
  const CliRun defaults = Cli("config --defaults");
  ASSERT_EQ(defaults.code, 0) << defaults.Dump();
  for (const char* section : {"[planning]", "[forecast]", "[clean]", "service_level", "horizon"}) {
    EXPECT_TRUE(Contains(defaults.out, section)) << section << "\n" << defaults.out;
  }
  const std::string file = WriteFile(tmp / "stockcast.toml", defaults.out);
  const CliRun check = Cli("config --check " + Q(file));
  EXPECT_EQ(check.code, 0) << check.Dump();
  EXPECT_EQ(check.out, file + ": ok\n");
}

TEST(CliConfigTest, UnknownKeyNamesFileLineAndKey) {
  const fs::path tmp = TempDir("stockcast-cli-config");
  const std::string file = WriteFile(tmp / "bad.toml",
                                     "[forecast]\n"
                                     "horizon = 14\n"
                                     "modle = \"ma\"\n");
  const CliRun run = Cli("config --check " + Q(file));
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "stockcast: error: " + file + ":3: unknown key forecast.modle"))
      << run.Dump();
  EXPECT_TRUE(Contains(run.err, "available: horizon, model, quantiles")) << run.Dump();
}

TEST(CliConfigTest, OutOfRangeValueNamesTheField) {
  const fs::path tmp = TempDir("stockcast-cli-config");
  const std::string file = WriteFile(tmp / "bad.toml", "[planning]\nservice_level = 1.2\n");
  const CliRun run = Cli("config --check " + Q(file));
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "service_level")) << run.Dump();
}

TEST(CliConfigTest, MissingConfigFileExitsFour) {
  const fs::path tmp = TempDir("stockcast-cli-config");
  const CliRun run = Cli("config --check " + Q(tmp / "none.toml"));
  EXPECT_EQ(run.code, 4) << run.Dump();
}

TEST(CliConfigTest, ConfigFileSetsTheForecastDefaults) {
  const fs::path tmp = TempDir("stockcast-cli-config");
  const std::string orders = WriteFile(tmp / "orders.csv",
                                       "order_id,sku,quantity,unit_price,timestamp\n"
                                       "1,A,2,3.5,2024-01-01\n"
                                       "2,A,1,3.5,2024-01-02\n");
  const fs::path db = tmp / "x.db";
  ASSERT_EQ(Cli("-q import --orders " + Q(orders) + " --db " + Q(db)).code, 0);
  const std::string config =
      WriteFile(tmp / "c.toml", "[forecast]\nhorizon = 5\nmodel = \"mean\"\n");
  CliRun run = Cli("-q --config " + Q(config) + " forecast --json --db " + Q(db));
  ASSERT_EQ(run.code, 0) << run.Dump();
  EXPECT_EQ(Json(run)["rows"], 5);
  EXPECT_EQ(Json(run)["model"], "mean");

  // ./stockcast.toml is read when present.
  WriteFile(tmp / "stockcast.toml", "[forecast]\nhorizon = 4\n");
  run = Cli("-q forecast --json --db x.db", tmp);
  ASSERT_EQ(run.code, 0) << run.Dump();
  EXPECT_EQ(Json(run)["rows"], 4);
  run = Cli("config", tmp);
  ASSERT_EQ(run.code, 0) << run.Dump();
  EXPECT_TRUE(Contains(run.out, "stockcast.toml")) << run.out;

  // A broken config stops the command that reads it.
  const std::string bad = WriteFile(tmp / "bad.toml", "[forecast]\nhorizon = \"long\"\n");
  run = Cli("--config " + Q(bad) + " forecast --db " + Q(db));
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "forecast.horizon")) << run.Dump();
}

}  // namespace
}  // namespace stockcast::testing
