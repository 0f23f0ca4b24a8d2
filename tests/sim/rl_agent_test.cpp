#include "stockcast/sim/rl_agent.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "stockcast/sim/simulator.h"

namespace stockcast::sim {
namespace {

RlEnvConfig Env(const char* demand, int lead_time, double h, double p, double k = 0) {
  RlEnvConfig env;
  env.demand = policy::DemandDistribution::Parse(demand).value();
  env.lead_time = lead_time;
  env.holding = h;
  env.lost_sales = p;
  env.ordering = k;
  return env;
}

double Mean(const std::vector<PathMetrics>& m, double PathMetrics::*f) {
  double s = 0;
  for (const auto& x : m) s += x.*f;
  return s / static_cast<double>(m.size());
}

TEST(RlEnvTest, HandComputedDaysWithLeadTimeTwo) {
  InventoryEnv env(Env("poisson:3", 2, 1.0, 10.0, 5.0));
  env.Reset(3);
  ASSERT_EQ(env.pipeline().size(), 2u);
  // Day 0: demand 2 of 3 on hand -> 1 left, holding 1.
  RlDay d = env.Advance(2);
  EXPECT_EQ(d.received, 0);
  EXPECT_EQ(d.filled, 2);
  EXPECT_EQ(d.lost, 0);
  EXPECT_DOUBLE_EQ(d.holding_cost, 1.0);
  EXPECT_DOUBLE_EQ(d.shortage_cost, 0.0);
  // Review at the end of day 0: order 4 (K = 5), arriving at the start of day 2.
  EXPECT_DOUBLE_EQ(env.Order(4), 5.0);
  EXPECT_EQ(env.pipeline()[1], 4);
  EXPECT_EQ(env.Position(), 5);
  // Day 1: nothing arrives; demand 3 against 1 on hand: 2 lost at p = 10.
  d = env.Advance(3);
  EXPECT_EQ(d.received, 0);
  EXPECT_EQ(d.filled, 1);
  EXPECT_EQ(d.lost, 2);
  EXPECT_DOUBLE_EQ(d.holding_cost, 0.0);
  EXPECT_DOUBLE_EQ(d.shortage_cost, 20.0);
  EXPECT_EQ(env.pipeline()[0], 4);  // aged one day: arrives tomorrow
  EXPECT_EQ(env.pipeline()[1], 0);
  EXPECT_DOUBLE_EQ(env.Order(0), 0.0);  // no order, no K
  // Day 2: the 4 units arrive before the demand of 1: 3 left.
  d = env.Advance(1);
  EXPECT_EQ(d.received, 4);
  EXPECT_EQ(d.filled, 1);
  EXPECT_EQ(d.lost, 0);
  EXPECT_DOUBLE_EQ(d.holding_cost, 3.0);
  EXPECT_EQ(env.OnOrder(), 0);
}

TEST(RlEnvTest, LeadTimeOneIsNextMorning) {
  InventoryEnv env(Env("poisson:3", 1, 2.0, 4.0));
  env.Reset(0);
  RlDay d = env.Advance(2);
  EXPECT_EQ(d.lost, 2);
  EXPECT_DOUBLE_EQ(d.shortage_cost, 8.0);
  env.Order(5);
  d = env.Advance(1);
  EXPECT_EQ(d.received, 5);
  EXPECT_EQ(d.filled, 1);
  EXPECT_DOUBLE_EQ(d.holding_cost, 8.0);  // 4 units x h = 2
}

// The environment's accounting is the simulator's: (s, S) on a replayed path gives the same
// costs and fill rate.
TEST(RlEnvTest, MatchesSimulatorOnReplayedDemand) {
  for (int lead : {1, 3}) {
    const RlEnvConfig env = Env("negbin:5,3", lead, 0.5, 7.0, 4.0);
    const auto paths = DemandPaths(env.demand, 1, 400, 99);
    const InventoryPolicy policy = InventoryPolicy::SS(9, 22);
    const auto mine = EvaluatePaths(env, paths, 0, 22, policy);
    ItemSpec item;
    item.policy = policy;
    item.demand = DemandSource::Replay(std::vector<double>(paths[0].begin(), paths[0].end()));
    item.lead_time = LeadTime::Fixed(lead);
    item.shortage = ShortageMode::kLostSales;
    item.initial_on_hand = 22;
    item.costs = {.ordering = 4.0, .purchase = 0, .holding = 0.5, .shortage = 7.0, .expiry = 0};
    SimOptions options;
    options.days = 400;
    options.replications = 1;
    auto sim = Simulate({item}, options);
    ASSERT_TRUE(sim.ok()) << sim.error().message;
    const auto& t = sim->total;
    EXPECT_NEAR(mine[0].cost_per_day, t[Metric::kCostPerDay].mean, 1e-9) << "L = " << lead;
    EXPECT_NEAR(mine[0].holding_per_day * 400, t[Metric::kHoldingCost].mean, 1e-9);
    EXPECT_NEAR(mine[0].shortage_per_day * 400, t[Metric::kShortageCost].mean, 1e-9);
    EXPECT_NEAR(mine[0].ordering_per_day * 400, t[Metric::kOrderingCost].mean, 1e-9);
    EXPECT_NEAR(mine[0].fill_rate, t[Metric::kFillRate].mean, 1e-12);
    EXPECT_NEAR(mine[0].average_on_hand, t[Metric::kAverageOnHand].mean, 1e-9);
  }
}

RlAgentOptions SmallTraining(uint64_t seed = 3) {
  RlAgentOptions o;
  o.episodes = 1000;
  o.episode_days = 100;
  o.seed = seed;
  return o;
}

// Lead time 1 (next-morning delivery, zero lead time in policy terms) without an order cost:
// base stock is optimal under lost sales, so the best base stock is the yardstick.
TEST(RlAgentTest, LearnsNearOptimalBaseStockAndBeatsNeverOrdering) {
  const RlEnvConfig env = Env("poisson:3", 1, 1.0, 9.0);
  auto agent = RlAgent::Train(env, SmallTraining());
  ASSERT_TRUE(agent.ok()) << agent.error().message;
  EXPECT_EQ(agent->stats().steps, 1000 * 100);
  const auto paths = DemandPaths(env.demand, 8, 600, 1234);
  const double rl = Mean(EvaluatePaths(env, paths, 50, 5, *agent), &PathMetrics::cost_per_day);
  const double never =
      Mean(EvaluatePaths(env, paths, 50, 5, InventoryPolicy::None()), &PathMetrics::cost_per_day);
  double best = std::numeric_limits<double>::infinity();
  for (int s = 0; s <= 15; ++s) {
    best = std::min(best, Mean(EvaluatePaths(env, paths, 50, 5, InventoryPolicy::BaseStock(s)),
                               &PathMetrics::cost_per_day));
  }
  EXPECT_GT(never, 25.0);  // p x mean demand once the start stock is gone
  EXPECT_LT(rl, 0.25 * never);
  // Stated tolerance: within 5 % of the best base stock chosen on these very paths.
  EXPECT_LT(rl, 1.05 * best) << "agent " << rl << " vs best base stock " << best;
  EXPECT_EQ(EvaluatePaths(env, paths, 50, 5, *agent)[0].fallbacks, 0);
}

TEST(RlAgentTest, DeterministicWithASeed) {
  const RlEnvConfig env = Env("negbin:4,2", 2, 1.0, 5.0);
  RlAgentOptions o = SmallTraining(11);
  o.episodes = 100;
  auto a = RlAgent::Train(env, o);
  auto b = RlAgent::Train(env, o);
  ASSERT_TRUE(a.ok() && b.ok());
  InventoryEnv e(env);
  for (int64_t x = 0; x <= 20; ++x) {
    for (int64_t q = 0; q <= 10; ++q) {
      e.Reset(x);
      e.Order(q);
      e.Advance(0);  // the order is now one day from arrival: state (x, x + q)
      EXPECT_EQ(a->Act(e), b->Act(e));
      const double va = a->Value(e), vb = b->Value(e);
      EXPECT_TRUE((std::isnan(va) && std::isnan(vb)) || va == vb);
    }
  }
  const auto paths = DemandPaths(env.demand, 3, 300, 5);
  const auto ma = EvaluatePaths(env, paths, 0, 8, *a);
  const auto mb = EvaluatePaths(env, paths, 0, 8, *b);
  for (size_t i = 0; i < ma.size(); ++i) EXPECT_EQ(ma[i].cost_per_day, mb[i].cost_per_day);
}

TEST(RlAgentTest, BadParametersAreNamed) {
  const RlEnvConfig env = Env("poisson:3", 2, 1.0, 9.0);
  RlAgentOptions o;
  o.episodes = 0;
  auto r = RlAgent::Train(env, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("episodes = 0; must be"), std::string::npos);
  o = RlAgentOptions{};
  o.discount = 1.0;
  r = RlAgent::Train(env, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("discount = 1; must be in (0, 1)"), std::string::npos);
  o = RlAgentOptions{};
  o.learning_rate_power = 0.3;
  EXPECT_NE(o.Validate().error().message.find("learning_rate_power"), std::string::npos);
  RlEnvConfig bad = env;
  bad.lead_time = 0;
  r = RlAgent::Train(bad, RlAgentOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("lead_time = 0; must be in [1, 365]"), std::string::npos);
  bad = env;
  bad.holding = -1;
  EXPECT_NE(bad.Validate().error().message.find("holding = -1"), std::string::npos);
  bad = env;
  bad.demand = policy::DemandDistribution();  // no demand
  EXPECT_NE(bad.Validate().error().message.find("must have a finite mean > 0"),
            std::string::npos);
  RlEvalOptions e;
  e.replications = 1;
  auto c = CompareWithBaselines(env, SmallTraining(), e);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("replications = 1; must be in [2, 100000]"),
            std::string::npos);
}

TEST(RlAgentTest, ComparisonReportsEveryPolicyOnTheSamePaths) {
  const RlEnvConfig env = Env("poisson:3", 2, 1.0, 9.0);
  RlEvalOptions e;
  e.replications = 4;
  e.days = 300;
  e.warmup_days = 30;
  e.tuning_replications = 2;
  e.optimize_evaluations = 25;
  std::vector<std::string> stages;
  auto c = CompareWithBaselines(env, SmallTraining(), e, [&](std::string_view s, double) {
    if (stages.empty() || stages.back() != s) stages.emplace_back(s);
  });
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_GE(c->policies.size(), 4u);
  EXPECT_EQ(c->policies[0].name, "rl-agent");
  EXPECT_EQ(c->policies[0].cost_minus_agent.mean, 0.0);
  EXPECT_EQ(c->policies[1].name, "base-stock");
  EXPECT_EQ(c->policies[2].name, "ss");
  EXPECT_EQ(c->policies.back().name, "forecast-driven");
  for (const auto& p : c->policies) {
    EXPECT_GT(p.cost_per_day.mean, 0) << p.name;
    EXPECT_TRUE(std::isfinite(p.cost_per_day.half_width)) << p.name;
    EXPECT_GT(p.fill_rate.mean, 0.5) << p.name;
    // The paired difference is the difference of the means (same paths).
    EXPECT_NEAR(p.cost_minus_agent.mean,
                p.cost_per_day.mean - c->policies[0].cost_per_day.mean, 1e-9);
  }
  EXPECT_FALSE(c->summary.empty());
  EXPECT_NE(std::find(stages.begin(), stages.end(), "rl-training"), stages.end());
}

}  // namespace
}  // namespace stockcast::sim

