// `stockcast policy NAME ...`: the published textbook answers through the binary (--json and
// text), the errors (unknown NAME or parameter, missing parameter, invalid value, bad
// distribution, missing file) and --help.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_util.h"

namespace stockcast::testing {
namespace {

namespace fs = std::filesystem;

// stdout of a successful `stockcast policy ARGS --json` as JSON.
nlohmann::json PolicyJson(const std::string& args) {
  const CliRun run = Cli("policy " + args + " --json");
  EXPECT_EQ(run.code, 0) << "policy " << args << "\n" << run.Dump();
  return Json(run);
}

// `value` as a number (null and missing fail the test).
double Number(const nlohmann::json& j, const std::string& key) {
  EXPECT_TRUE(j.contains(key) && j[key].is_number()) << "no number \"" << key << "\" in\n"
                                                     << j.dump(2);
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : std::nan("");
}

// Within half a unit of the last decimal printed in the published answer.
void ExpectPublished(const nlohmann::json& j, const std::string& key, double published,
                     int decimals) {
  const double tolerance = 0.5 * std::pow(10.0, -decimals) + 1e-9;
  EXPECT_NEAR(Number(j, key), published, tolerance) << key << " in\n" << j.dump(2);
}

// ---- published answers, --json ----

TEST(PolicyEoqTest, SnyderShenEoq) {
  const auto j = PolicyJson("eoq --fixed-cost 8 --holding-cost 0.225 --demand-rate 1300");
  ExpectPublished(j, "order_quantity", 304.047, 3);
  ExpectPublished(j, "cost", 68.411, 3);
  EXPECT_EQ(j["policy"], "eoq");
  EXPECT_EQ(Number(j, "fraction_backordered"), 0.0);
  ExpectPublished(j, "cycle_time", 304.047 / 1300, 6);
  EXPECT_FALSE(j["explanation"].get<std::string>().empty());
}

TEST(PolicyEoqTest, PlannedBackorders) {
  const auto j =
      PolicyJson("eoq --fixed-cost 8 --holding-cost 0.225 --demand-rate 1300 --stockout-cost 5");
  ExpectPublished(j, "order_quantity", 310.813, 3);
  ExpectPublished(j, "fraction_backordered", 0.04306, 5);
  ExpectPublished(j, "backorder_fraction", 0.04306, 5);
  ExpectPublished(j, "cost", 66.921, 3);
  EXPECT_NEAR(Number(j, "ordering_cost") + Number(j, "holding_cost") + Number(j, "backorder_cost"),
              Number(j, "cost"), 1e-9);
}

TEST(PolicyEoqTest, BackorderCostAliasGivesTheSameAnswer) {
  const auto j =
      PolicyJson("eoq --fixed-cost 8 --holding-cost 0.225 --demand-rate 1300 --backorder-cost 5");
  ExpectPublished(j, "order_quantity", 310.813, 3);
}

TEST(PolicyEoqTest, FiniteProductionRateAsEoqAndEpq) {
  // h (1 - lambda/P) = 0.1125: Q = sqrt(2 8 1300 / 0.1125), cost sqrt(2 8 1300 0.1125).
  for (const std::string name : {"eoq", "epq"}) {
    const auto j = PolicyJson(
        name + " --fixed-cost 8 --holding-cost 0.225 --demand-rate 1300 --production-rate 2600");
    ExpectPublished(j, "order_quantity", std::sqrt(2 * 8 * 1300 / 0.1125), 6);
    ExpectPublished(j, "cost", std::sqrt(2 * 8 * 1300 * 0.1125), 6);
    ExpectPublished(j, "utilisation", 0.5, 9);
    EXPECT_EQ(j["model"], "EPQ") << j.dump(2);
  }
}

TEST(PolicyEoqTest, EpqNeedsTheProductionRate) {
  const CliRun run = Cli("policy epq --fixed-cost 8 --holding-cost 0.225 --demand-rate 1300");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "--production-rate")) << run.Dump();
}

TEST(PolicyEoqTest, GivenOrderQuantityIsEvaluated) {
  // g(Q) = K lambda / Q + h Q / 2 at Q = 400.
  const auto j =
      PolicyJson("eoq --fixed-cost 8 --holding-cost 0.225 --demand-rate 1300 --order-quantity 400");
  ExpectPublished(j, "order_quantity", 400, 9);
  ExpectPublished(j, "cost", 8.0 * 1300 / 400 + 0.225 * 400 / 2, 9);
  EXPECT_EQ(j["evaluated"], true);
}

TEST(PolicyEoqTest, AllUnitsQuantityDiscount) {
  // lambda 1000, K 100, i 0.2; 5 per unit, 4.8 from 1000 units. Region 0: EOQ 447.21 costs
  // 5000 + 223.61 + 223.61; region 1: its EOQ 456.4 is clamped up to 1000: 4800 + 100 + 480.
  const auto j = PolicyJson(
      "eoq --fixed-cost 100 --demand-rate 1000 --holding-rate 0.2 --breaks 0,1000 "
      "--prices 5,4.8");
  ExpectPublished(j, "order_quantity", 1000, 6);
  ExpectPublished(j, "cost", 5380, 6);
  EXPECT_EQ(j["region"], 1);
  ASSERT_TRUE(j["regions"].is_array());
  ASSERT_EQ(j["regions"].size(), 2u);
  ExpectPublished(j["regions"][0], "cost", 5000 + 2 * std::sqrt(50000.0), 6);
}

TEST(PolicyEoqTest, DiscountDoesNotCombineWithBackorders) {
  const CliRun run =
      Cli("policy eoq --fixed-cost 100 --demand-rate 1000 --holding-cost 1 --prices 5 "
          "--stockout-cost 3");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "--stockout-cost does not combine with --prices")) << run.Dump();
}

TEST(PolicyLotSizingTest, WagnerWhitin) {
  const auto j = PolicyJson("lot-sizing --holding-cost 2 --fixed-cost 500 --demands 90,120,80,70");
  EXPECT_EQ(j["orders"], nlohmann::json::parse("[210, 0, 150, 0]")) << j.dump(2);
  ExpectPublished(j, "cost", 1380, 6);
  EXPECT_EQ(j["setups"], 2);
  EXPECT_EQ(j["method"], "wagner_whitin");
}

TEST(PolicyLotSizingTest, DemandIsAnAliasAndSilverMealIsOffered) {
  const auto ww = PolicyJson("lot-sizing --holding-cost 2 --fixed-cost 500 --demand 90,120,80,70");
  EXPECT_EQ(ww["orders"], nlohmann::json::parse("[210, 0, 150, 0]")) << ww.dump(2);
  const auto sm = PolicyJson(
      "lot-sizing --holding-cost 2 --fixed-cost 500 --demand 90,120,80,70 --method silver-meal");
  EXPECT_EQ(sm["method"], "silver_meal");
  EXPECT_GE(Number(sm, "cost"), 1380 - 1e-9);
}

TEST(PolicyLotSizingTest, GivenPlanIsEvaluated) {
  // Order every period: 4 setups, no holding.
  const auto j = PolicyJson(
      "lot-sizing --holding-cost 2 --fixed-cost 500 --demands 90,120,80,70 "
      "--orders 90,120,80,70");
  ExpectPublished(j, "cost", 2000, 6);
}

TEST(PolicyNewsvendorTest, NormalDemand) {
  const auto j =
      PolicyJson("newsvendor --holding-cost 0.18 --stockout-cost 0.70 --demand normal:50,8");
  ExpectPublished(j, "order_quantity", 56.604, 3);
  ExpectPublished(j, "S", 56.604, 3);
  ExpectPublished(j, "cost", 1.9976, 4);
  ExpectPublished(j, "critical_ratio", 0.7 / 0.88, 9);
}

TEST(PolicyNewsvendorTest, PoissonDemand) {
  const auto j =
      PolicyJson("newsvendor --holding-cost 0.18 --stockout-cost 0.70 --demand poisson:50");
  EXPECT_EQ(j["order_quantity"], 56) << j.dump(2);
  EXPECT_EQ(j["S"], 56) << j.dump(2);
  ExpectPublished(j, "cost", 1.7972, 4);
}

TEST(PolicyNewsvendorTest, PriceFormulation) {
  // c = 0.3, r = 1, v = 0.12: h = c - v = 0.18, p = r - c = 0.70, the costs above.
  const auto j =
      PolicyJson("newsvendor --unit-cost 0.3 --price 1 --salvage 0.12 --demand normal:50,8");
  ExpectPublished(j, "order_quantity", 56.604, 3);
  ExpectPublished(j, "cost", 1.9976, 4);
  EXPECT_TRUE(j.contains("expected_profit")) << j.dump(2);
}

TEST(PolicyNewsvendorTest, CostsAndPricesTogetherAreRefused) {
  const CliRun run =
      Cli("policy newsvendor --holding-cost 0.18 --unit-cost 0.3 --price 1 --demand normal:50,8");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "not both")) << run.Dump();
}

TEST(PolicySSTest, ZhengFedergruenExample) {
  const auto j =
      PolicyJson("ss --fixed-cost 5 --holding-cost 1 --stockout-cost 4 --demand poisson:6");
  EXPECT_EQ(j["s"], 4) << j.dump(2);
  EXPECT_EQ(j["S"], 10) << j.dump(2);
  ExpectPublished(j, "cost", 8.0341, 4);
  EXPECT_EQ(j["reorder_point"], 4);
  EXPECT_EQ(j["order_up_to"], 10);
}

TEST(PolicySSTest, GivenPolicyIsEvaluated) {
  const auto j = PolicyJson(
      "ss --fixed-cost 5 --holding-cost 1 --stockout-cost 4 --demand poisson:6 "
      "--reorder-point 4 --order-up-to 10");
  ExpectPublished(j, "cost", 8.0341, 4);
  const auto worse = PolicyJson(
      "ss --fixed-cost 5 --holding-cost 1 --stockout-cost 4 --demand poisson:6 "
      "--reorder-point 2 --order-up-to 10");
  EXPECT_GT(Number(worse, "cost"), 8.0341);
}

TEST(PolicySSTest, NeedsAPositiveFixedCost) {
  const CliRun run = Cli("policy ss --holding-cost 1 --stockout-cost 4 --demand poisson:6");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "--fixed-cost")) << run.Dump();
}

TEST(PolicyRQTest, PoissonWithLeadTime) {
  const auto j = PolicyJson(
      "rq --demand poisson:1.5 --lead-time 2 --holding-cost 20 --stockout-cost 150 "
      "--fixed-cost 100");
  EXPECT_EQ(j["r"], 3) << j.dump(2);
  EXPECT_EQ(j["Q"], 5) << j.dump(2);
  ExpectPublished(j, "cost", 107.924, 3);
}

TEST(PolicyBaseStockTest, NormalDemand) {
  // S = 100 + 20 z, z = Phi^-1(0.9) = 1.2815516; cost (h + p) sd phi(z) = 200 x 0.1754983.
  const auto j = PolicyJson("base-stock --holding-cost 1 --stockout-cost 9 --demand normal:100,20");
  ExpectPublished(j, "base_stock_level", 100 + 20 * 1.2815516, 4);
  ExpectPublished(j, "S", 100 + 20 * 1.2815516, 4);
  ExpectPublished(j, "cost", 200 * 0.1754983, 4);
}

TEST(PolicyBaseStockTest, LeadTimeWidensTheProtection) {
  // L = 3: demand over 4 periods is normal(400, 40).
  const auto j = PolicyJson(
      "base-stock --holding-cost 1 --stockout-cost 9 --demand normal:100,20 --lead-time 3");
  ExpectPublished(j, "base_stock_level", 400 + 40 * 1.2815516, 4);
}

TEST(PolicyBaseStockTest, MatchesTheNewsvendorWithoutLeadTime) {
  const auto j =
      PolicyJson("base-stock --holding-cost 0.18 --stockout-cost 0.70 --demand poisson:50");
  EXPECT_EQ(j["base_stock_level"], 56) << j.dump(2);
  ExpectPublished(j, "cost", 1.7972, 4);
}

TEST(PolicyLostSalesTest, ZipkinPoissonFive) {
  // Zipkin (2008): Poisson(5), h = 1, p = 4, L = 1: optimal cost 4.04.
  const auto j =
      PolicyJson("lost-sales --demand poisson:5 --holding-cost 1 --stockout-cost 4 --lead-time 1");
  EXPECT_NEAR(Number(j, "cost"), 4.04, 0.01) << j.dump(2);
  EXPECT_GE(Number(j, "recommended_cost"), Number(j, "optimal_cost") - 1e-9);
  EXPECT_LE(Number(j, "recommended_gap"), 0.01);
  EXPECT_TRUE(j["recommended"].is_string());
  EXPECT_TRUE(j["base_stock_level"].is_number_integer());
}

TEST(PolicySafetyStockTest, CycleServiceOnNormalDemand) {
  // r = 100 + 20 x 1.6448536 over one period of lead time.
  const auto j =
      PolicyJson("safety-stock --demand normal:100,20 --service cycle --target 0.95 --lead-time 1");
  ExpectPublished(j, "reorder_point", 100 + 20 * 1.6448536, 4);
  ExpectPublished(j, "safety_stock", 20 * 1.6448536, 4);
  ExpectPublished(j, "cycle_service", 0.95, 6);
}

TEST(PolicySafetyStockTest, FillRateAndCost) {
  const auto fill = PolicyJson(
      "safety-stock --demand normal:100,20 --service fill-rate --target 0.99 --lead-time 2 "
      "--order-quantity 200");
  EXPECT_GE(Number(fill, "fill_rate"), 0.99 - 1e-9) << fill.dump(2);
  const auto cost = PolicyJson(
      "safety-stock --demand poisson:4 --service cost --holding-cost 1 --stockout-cost 50 "
      "--lead-time 2");
  EXPECT_TRUE(cost["reorder_point"].is_number()) << cost.dump(2);
}

TEST(PolicyClassifyTest, AbcXyzFromACsv) {
  const fs::path dir = TempDir("stockcast-policy-classify");
  const std::string file = WriteFile(dir / "items.csv",
                                     "sku,value,d1,d2,d3,d4\n"
                                     "big,800,10,11,9,10\n"
                                     "mid,150,1,9,0,12\n"
                                     "small,50,0,0,0,5\n");
  const auto j = PolicyJson("classify --file " + Q(file));
  ASSERT_TRUE(j["items"].is_array()) << j.dump(2);
  ASSERT_EQ(j["items"].size(), 3u);
  EXPECT_EQ(j["items"][0]["id"], "big");
  EXPECT_EQ(j["items"][0]["class"], "AX");
  EXPECT_EQ(j["items"][1]["abc"], "B");
  EXPECT_EQ(j["items"][2]["class"], "CZ");
  EXPECT_EQ(j["items"][0]["policy"], "rQ");
  EXPECT_EQ(j["counts"]["AX"], 1);
}

// ---- text output ----

TEST(PolicyTextTest, EoqPrintsKeyValuesAndTheExplanation) {
  const CliRun run =
      Cli("policy eoq --fixed-cost 8 --holding-cost 0.225 --demand-rate 1300 --stockout-cost 5");
  ASSERT_EQ(run.code, 0) << run.Dump();
  for (const char* want : {"order_quantity: 310.813", "cost: 66.92", "fraction_backordered: 0.0430",
                           "EOQ with planned backorders"}) {
    EXPECT_TRUE(Contains(run.out, want)) << want << "\n" << run.out;
  }
}

TEST(PolicyTextTest, SSAndLotSizingPrintTheirPolicies) {
  const CliRun ss =
      Cli("policy ss --fixed-cost 5 --holding-cost 1 --stockout-cost 4 --demand poisson:6");
  ASSERT_EQ(ss.code, 0) << ss.Dump();
  for (const char* want : {"s: 4\n", "S: 10\n", "cost: 8.034"}) {
    EXPECT_TRUE(Contains(ss.out, want)) << want << "\n" << ss.out;
  }
  const CliRun lot =
      Cli("policy lot-sizing --holding-cost 2 --fixed-cost 500 --demands 90,120,80,70");
  ASSERT_EQ(lot.code, 0) << lot.Dump();
  for (const char* want : {"orders: 210, 0, 150, 0", "cost: 1380"}) {
    EXPECT_TRUE(Contains(lot.out, want)) << want << "\n" << lot.out;
  }
}

// ---- errors ----

TEST(PolicyErrorTest, UnknownPolicyListsTheValidOnes) {
  const CliRun run = Cli("policy eqo --fixed-cost 8");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err,
                       "unknown policy \"eqo\"; available: eoq, epq, newsvendor, "
                       "base-stock, rq, ss, lot-sizing"))
      << run.Dump();
  const CliRun json = Cli("policy eqo --json");
  EXPECT_EQ(json.code, 3) << json.Dump();
  const auto j = Json(json);
  EXPECT_EQ(j["error"]["code"], "invalid_argument") << json.out;
  EXPECT_TRUE(Contains(j["error"]["message"].get<std::string>(), "unknown policy")) << json.out;
}

TEST(PolicyErrorTest, NoNameListsThePolicies) {
  const CliRun run = Cli("policy");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "policy needs a NAME; available: eoq")) << run.Dump();
}

TEST(PolicyErrorTest, MissingDemandIsNamed) {
  const CliRun run = Cli("policy ss --fixed-cost 5 --holding-cost 1 --stockout-cost 4");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "policy ss needs --demand")) << run.Dump();
  const CliRun json = Cli("policy ss --fixed-cost 5 --holding-cost 1 --stockout-cost 4 --json");
  EXPECT_EQ(json.code, 3) << json.Dump();
  const auto j = Json(json);
  EXPECT_EQ(j["error"]["code"], "invalid_argument") << json.out;
  EXPECT_TRUE(Contains(j["error"]["message"].get<std::string>(), "--demand")) << json.out;
}

TEST(PolicyErrorTest, NegativeCostGivesTheValidationRuleWithTheFlag) {
  const CliRun run = Cli("policy eoq --fixed-cost 8 --holding-cost -1 --demand-rate 1300");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "--holding-cost = -1; must be > 0")) << run.Dump();
  const CliRun nv =
      Cli("policy newsvendor --holding-cost -0.18 --stockout-cost 0.7 --demand normal:50,8");
  EXPECT_EQ(nv.code, 3) << nv.Dump();
  EXPECT_TRUE(Contains(nv.err, "--holding-cost = -0.18; must be >= 0")) << nv.Dump();
  const CliRun ss =
      Cli("policy ss --fixed-cost 5 --holding-cost 1 --stockout-cost -4 --demand poisson:6");
  EXPECT_EQ(ss.code, 3) << ss.Dump();
  EXPECT_TRUE(Contains(ss.err, "--stockout-cost = -4; must be > 0")) << ss.Dump();
}

TEST(PolicyErrorTest, NonNumericValueIsReported) {
  const CliRun run = Cli("policy eoq --fixed-cost eight --holding-cost 1 --demand-rate 1300");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "--fixed-cost = \"eight\"; must be a finite number")) << run.Dump();
}

TEST(PolicyErrorTest, BadDistributionSaysWhatIsExpected) {
  for (const char* spec : {"poison:6", "poisson", "normal:50", "6"}) {
    const CliRun run = Cli(std::string("policy ss --fixed-cost 5 --holding-cost 1 "
                                       "--stockout-cost 4 --demand ") +
                           spec);
    EXPECT_EQ(run.code, 3) << spec << "\n" << run.Dump();
    EXPECT_TRUE(Contains(run.err, "--demand")) << run.Dump();
    EXPECT_TRUE(Contains(run.err, "normal:MEAN,SD, poisson:MEAN, negbin:MEAN,SIZE")) << run.Dump();
  }
}

TEST(PolicyErrorTest, ContinuousDemandForAnIntegerPolicy) {
  const CliRun run =
      Cli("policy ss --fixed-cost 5 --holding-cost 1 --stockout-cost 4 --demand normal:6,2");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "needs integer demand")) << run.Dump();
}

TEST(PolicyErrorTest, MissingEmpiricalFileIsNamed) {
  const fs::path missing = TempDir("stockcast-policy-missing") / "no-such-demand.txt";
  const CliRun run = Cli("policy newsvendor --holding-cost 1 --stockout-cost 3 --demand " +
                         Q("empirical:" + missing.string()));
  EXPECT_EQ(run.code, 4) << run.Dump();
  EXPECT_TRUE(Contains(run.err, missing.string())) << run.Dump();
  const CliRun json = Cli("policy newsvendor --holding-cost 1 --stockout-cost 3 --json --demand " +
                          Q("empirical:" + missing.string()));
  EXPECT_EQ(json.code, 4) << json.Dump();
  EXPECT_EQ(Json(json)["error"]["code"], "not_found") << json.out;
}

TEST(PolicyErrorTest, EmpiricalFileIsRead) {
  const fs::path dir = TempDir("stockcast-policy-empirical");
  const std::string file =
      WriteFile(dir / "demand.txt", "value,probability\n4,0.25\n6,0.5\n8,0.25\n");
  // Critical ratio 3/4: the smallest S with F(S) >= 0.75 is 6.
  const auto j = PolicyJson("newsvendor --holding-cost 1 --stockout-cost 3 --demand " +
                            Q("empirical:" + file));
  EXPECT_EQ(j["order_quantity"], 6) << j.dump(2);
}

TEST(PolicyErrorTest, UnknownParameterListsTheValidOnes) {
  const CliRun run =
      Cli("policy eoq --fixed-cost 8 --holding-cost 0.225 --demand-rate 1300 --holdingcost 1");
  EXPECT_EQ(run.code, 2) << run.Dump();
  EXPECT_TRUE(Contains(run.err,
                       "unknown parameter --holdingcost for policy eoq; available: --fixed-cost, "
                       "--holding-cost"))
      << run.Dump();
  const CliRun stray = Cli("policy eoq 8 --json");
  EXPECT_EQ(stray.code, 2) << stray.Dump();
  EXPECT_TRUE(Contains(Json(stray)["error"]["message"].get<std::string>(),
                       "unexpected argument 8 for policy eoq"))
      << stray.Dump();
}

TEST(PolicyErrorTest, ListSizeErrorsNameTheFlag) {
  const CliRun run =
      Cli("policy lot-sizing --holding-cost 2,3 --fixed-cost 500 --demands 90,120,80");
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "--holding-cost has 2 entries; must have one per period (3)"))
      << run.Dump();
}

TEST(PolicyErrorTest, UnusedParameterIsReported) {
  const CliRun run =
      Cli("policy safety-stock --demand normal:100,20 --service cycle --holding-cost 1");
  EXPECT_EQ(run.code, 0) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "warning: --holding-cost is not used without --service cost"))
      << run.Dump();
}

// ---- help ----

TEST(PolicyHelpTest, PolicyHelpDocumentsEveryNameAndParameter) {
  const CliRun run = Cli("policy --help");
  ASSERT_EQ(run.code, 0) << run.Dump();
  for (const char* want : {"eoq",
                           "epq",
                           "newsvendor",
                           "base-stock",
                           "rq",
                           "ss",
                           "lot-sizing",
                           "lost-sales",
                           "safety-stock",
                           "classify",
                           "--fixed-cost",
                           "--holding-cost",
                           "--demand-rate",
                           "--stockout-cost",
                           "--production-rate",
                           "--prices",
                           "--breaks",
                           "--discount",
                           "--holding-rate",
                           "--demand",
                           "--lead-time",
                           "--review-period",
                           "--demands",
                           "--method",
                           "--unit-cost",
                           "--price",
                           "--salvage",
                           "--service",
                           "--target",
                           "--lead-time-sd",
                           "--file",
                           "--json",
                           "normal:MEAN,SD",
                           "poisson:MEAN",
                           "negbin:MEAN,SIZE",
                           "empirical:FILE"}) {
    EXPECT_TRUE(Contains(run.out, want)) << "policy --help lacks " << want << "\n" << run.out;
  }
}

TEST(PolicyHelpTest, EachNameHasItsOwnHelp) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"eoq",
       {"--fixed-cost", "--holding-cost", "--demand-rate", "--stockout-cost", "--json",
        "order_quantity", "fraction_backordered"}},
      {"newsvendor", {"--demand", "--holding-cost", "--stockout-cost", "--unit-cost", "--price"}},
      {"base-stock", {"--demand", "--lead-time", "base_stock_level"}},
      {"rq", {"--demand", "--lead-time", "--fixed-cost"}},
      {"ss", {"--demand", "--fixed-cost", "--review-period"}},
      {"lot-sizing", {"--demands", "--method", "silver-meal", "wagner-whitin"}},
  };
  for (const auto& [name, wants] : cases) {
    const CliRun run = Cli("policy " + name + " --help");
    ASSERT_EQ(run.code, 0) << run.Dump();
    for (const auto& want : wants) {
      EXPECT_TRUE(Contains(run.out, want)) << name << " --help lacks " << want << "\n" << run.out;
    }
  }
}

TEST(PolicyHelpTest, AppHelpListsPolicy) {
  const CliRun run = Cli("--help");
  ASSERT_EQ(run.code, 0) << run.Dump();
  EXPECT_TRUE(Contains(run.out, "policy")) << run.out;
}

}  // namespace
}  // namespace stockcast::testing
