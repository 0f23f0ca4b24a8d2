// `stockcast simulate`: the JSON fields, base stock against the analytic Poisson fill rate,
// --optimize meeting its fill-rate target, replayed CSV demand worked by hand, and bad flags
// (exit 2 or 3, the message naming the flag).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_util.h"
#include "stockcast/policy/demand_distribution.h"

namespace stockcast::testing {
namespace {

namespace fs = std::filesystem;

nlohmann::json SimulateJson(const std::string& args) {
  const CliRun run = Cli("simulate " + args + " --json");
  EXPECT_EQ(run.code, 0) << "simulate " << args << "\n" << run.Dump();
  return Json(run);
}

TEST(SimulateCli, JsonFields) {
  const auto j = SimulateJson("--policy ss:s=20,S=60 --demand poisson:3 --lead-time 3 --days 200 "
                              "--replications 5");
  for (const char* key : {"policy", "fill_rate", "cycle_service_level", "total_cost",
                          "holding_cost", "ordering_cost", "shortage_cost", "avg_inventory",
                          "turnover", "stockout_days", "replications", "days", "ci"}) {
    EXPECT_TRUE(j.contains(key)) << key << " missing in\n" << j.dump(2);
  }
  EXPECT_EQ(j["policy"], "ss:s=20,S=60");
  EXPECT_EQ(j["replications"], 5);
  EXPECT_EQ(j["days"], 200);
  EXPECT_FALSE(j.contains("optimized"));
  // total = holding + ordering + shortage (no purchase or expiry cost given).
  EXPECT_NEAR(j["total_cost"].get<double>(),
              j["holding_cost"].get<double>() + j["ordering_cost"].get<double>() +
                  j["shortage_cost"].get<double>(),
              1e-6);
  // Defaults: ordering 50 per order; (s, S) = (20, 60) orders about 3 x 200 / 40 times.
  const double orders = j["ordering_cost"].get<double>() / 50;
  EXPECT_NEAR(orders, 3.0 * 200 / 41, 3);
  EXPECT_TRUE(j["ci"]["fill_rate"].is_number());
  EXPECT_GE(j["ci"]["total_cost"].get<double>(), 0);
  // The same seed gives the same numbers; the text form shows the same policy in a table.
  EXPECT_EQ(j, SimulateJson("--policy ss:s=20,S=60 --demand poisson:3 --lead-time 3 --days 200 "
                            "--replications 5"));
  const CliRun text = Cli("simulate --policy ss:s=20,S=60 --demand poisson:3 --days 50 "
                          "--replications 3");
  EXPECT_EQ(text.code, 0) << text.Dump();
  EXPECT_TRUE(Contains(text.out, "fill_rate")) << text.out;
  EXPECT_TRUE(Contains(text.out, "+- half width")) << text.out;
}

// Base stock S = 18, Poisson(5), L = 3, backorders: the end-of-day backorders are
// (D^(3) - S)+, the units short on a day their growth, so
// fill rate = 1 - (E[(D^(3) - S)+] - E[(D^(2) - S)+]) / 5 (simulator.h).
TEST(SimulateCli, BaseStockFillRateMatchesPoissonFormula) {
  auto d3 = policy::DemandDistribution::Poisson(15);
  auto d2 = policy::DemandDistribution::Poisson(10);
  ASSERT_TRUE(d3.ok() && d2.ok());
  const double fill = 1 - (d3->Loss(18) - d2->Loss(18)) / 5;
  const auto j = SimulateJson("--policy base-stock:S=18 --demand poisson:5 --lead-time 3 "
                              "--days 3000 --replications 10 --seed 3");
  const double mean = j["fill_rate"].get<double>();
  const double hw = j["ci"]["fill_rate"].get<double>();
  EXPECT_LT(hw, 0.01);
  EXPECT_NEAR(mean, fill, std::max(hw, 0.005)) << "analytic " << fill;
}

TEST(SimulateCli, OptimizeMeetsTheTarget) {
  const auto j = SimulateJson("--policy ss --optimize --target-fill-rate 0.95 --demand "
                              "negbin:3,1.5 --lead-time 2:0.3,3:0.5,5:0.2 --days 500 "
                              "--replications 10 --evaluations 80");
  EXPECT_EQ(j["optimized"], true);
  EXPECT_LE(j["evaluations"].get<int>(), 80);
  EXPECT_TRUE(j["start_policy"].get<std::string>().rfind("ss:", 0) == 0) << j.dump(2);
  EXPECT_GE(j["fill_rate"].get<double>(), 0.95);
  EXPECT_EQ(j["constraint_met"], true);
  // The reported policy, simulated alone on another seed, still meets the target.
  const std::string policy = j["policy"].get<std::string>();
  const auto check = SimulateJson("--policy " + policy +
                                  " --demand negbin:3,1.5 --lead-time 2:0.3,3:0.5,5:0.2 "
                                  "--days 2000 --replications 10 --seed 999");
  EXPECT_GE(check["fill_rate"].get<double>(), 0.95) << policy;
  // And it is cheaper than (or as cheap as) its start on the same seed.
  EXPECT_LE(j["total_cost"].get<double>(), j["start_total_cost"].get<double>() + 1e-9);
}

// Replay worked by hand: base stock 5, lead time 1 (next morning), backorders, initial stock
// 5. Demand 2, 4, (unknown), 7, 1: day 0 ends with 3, orders 2 (arrives day 1): 5 - 4 = 1,
// orders 4; day 2 unknown: 5, nothing to order; day 3: 5 - 7 = -2 (2 backordered, 5 filled),
// orders 7; day 4: receives 7, fills the 2 backorders, 5 - 1 = 4. Filled 2 + 4 + 5 + 1 = 12 of
// demand 14: fill rate 12/14; holding 0.1 x (3 + 1 + 5 + 0 + 4) = 1.3.
TEST(SimulateCli, ReplaysCsvDemand) {
  const fs::path dir = TempDir("stockcast-simulate");
  const fs::path csv = dir / "demand.csv";
  std::ofstream(csv) << "date,units\n2024-01-01,2\n2024-01-02,4\n2024-01-03,\n2024-01-04,7\n"
                        "2024-01-05,1\n";
  const auto j = SimulateJson("--policy base-stock:S=5 --demand-csv " + Q(csv) +
                              " --column units --warmup 0 --replications 2 --ordering 0 "
                              "--shortage 0");
  EXPECT_EQ(j["days"], 5);
  EXPECT_NEAR(j["fill_rate"].get<double>(), 12.0 / 14, 1e-12);
  EXPECT_NEAR(j["holding_cost"].get<double>(), 1.3, 1e-9);
  EXPECT_NEAR(j["avg_inventory"].get<double>(), 13.0 / 5, 1e-12);
  EXPECT_EQ(j["stockout_days"].get<double>(), 1);

  // One value per line, no header; an empty line is an unknown day.
  const fs::path plain = dir / "plain.csv";
  std::ofstream(plain) << "2\n4\n\n7\n1\n";
  const auto k = SimulateJson("--policy base-stock:S=5 --demand-csv " + Q(plain) +
                              " --warmup 0 --replications 2 --ordering 0 --shortage 0");
  EXPECT_EQ(k["fill_rate"], j["fill_rate"]);

  // A bad value names file:line; a missing column lists the real ones.
  const fs::path bad = dir / "bad.csv";
  std::ofstream(bad) << "units\n2\nx\n";
  CliRun run = Cli("simulate --policy base-stock:S=5 --demand-csv " + Q(bad));
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "bad.csv:3: demand \"x\"")) << run.err;
  run = Cli("simulate --policy base-stock:S=5 --demand-csv " + Q(csv) + " --column qty");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "--column \"qty\"")) << run.err;
  EXPECT_TRUE(Contains(run.err, "date, units")) << run.err;
  run = Cli("simulate --policy base-stock:S=5 --demand-csv " + Q(dir / "missing.csv"));
  EXPECT_EQ(run.code, 4) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "--demand-csv")) << run.err;
}

TEST(SimulateCli, BadFlagsNameTheFlag) {
  struct Case {
    std::string args;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {"--policy ss:s=20,S=60 --demand poisson:3 --lead-time 2:0.3,3",
       "--lead-time \"2:0.3,3\": each entry must be DAYS:PROB"},
      {"--policy ss:s=20,S=60 --demand poisson:3 --lead-time 0", "--lead-time \"0\""},
      {"--policy ss:s=20,S=60 --demand poisson:3 --lead-time 2:0.5,3:0.2", "--lead-time"},
      {"--policy ss:s=60,S=20 --demand poisson:3", "--policy \"ss:s=60,S=20\""},
      {"--policy bs:S=3 --demand poisson:3", "--policy \"bs:S=3\""},
      {"--policy ss:s=20,S=60 --demand poison:3", "--demand \"poison:3\""},
      {"--policy ss:s=20,S=60", "--demand"},
      {"--policy ss:s=20,S=60 --demand poisson:3 --days 0", "--days = 0"},
      {"--policy ss:s=20,S=60 --demand poisson:3 --replications 0", "--replications = 0"},
      {"--policy ss:s=20,S=60 --demand poisson:3 --holding -1", "--holding = -1"},
      {"--policy ss:s=20,S=60 --demand poisson:3 --shelf-life -2", "--shelf-life = -2"},
      {"--policy ss:s=20,S=60 --demand poisson:3 --disruption 10", "--disruption \"10\""},
      {"--policy ss:s=20,S=60 --demand poisson:3 --disruption 10:5", "--disruption \"10:5\""},
      {"--policy ss:s=20,S=60 --demand poisson:3 --disruption 10:20 --disruption 15:30",
       "overlaps"},
      {"--policy ss --optimize --demand poisson:3 --method tabu", "--method \"tabu\""},
      {"--policy ss --optimize --demand poisson:3 --target-fill-rate 1.5",
       "--target-fill-rate = 1.5"},
      {"--policy ss --optimize --demand poisson:3 --evaluations 0", "--evaluations = 0"},
      {"--policy ss --demand poisson:3", "--policy \"ss\""},
      {"--policy ss:s=20,S=60 --demand poisson:3 --days abc", "--days"},
      {"--policy ss:s=20,S=60 --demand poisson:3 --bogus 3", "--bogus"},
  };
  for (const Case& c : cases) {
    const CliRun run = Cli("simulate " + c.args);
    EXPECT_TRUE(run.code == 2 || run.code == 3) << c.args << "\n" << run.Dump();
    EXPECT_TRUE(Contains(run.err, c.needle)) << c.args << "\nexpected \"" << c.needle << "\" in\n"
                                             << run.err;
  }
  // --json prints the error as JSON on stdout too.
  const CliRun run = Cli("simulate --policy ss:s=20,S=60 --demand poisson:3 --days 0 --json");
  EXPECT_EQ(run.code, 3);
  const auto j = Json(run);
  EXPECT_TRUE(Contains(j["error"]["message"].get<std::string>(), "--days")) << run.out;
}

}  // namespace
}  // namespace stockcast::testing
