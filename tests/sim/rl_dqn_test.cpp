// The DQN replenishment agent (sim/dqn_agent.h) and the comparisons that use it. The learning
// cases need LibTorch: without it they skip and say why (STOCKCAST_REQUIRE_ALL_TESTS=1 makes
// them fail), and DqnUnavailableSaysWhy checks that path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "stockcast/sim/dqn_agent.h"
#include "stockcast/sim/multi_warehouse.h"
#include "stockcast/sim/rl_agent.h"
#include "test_util.h"

namespace stockcast::sim {
namespace {

#define REQUIRE_TORCH()                          \
  SC_SKIP_OR_FAIL_UNLESS(DqnAgent::Available(), \
                         "built without LibTorch: " << DqnAgent::UnavailableReason())

RlEnvConfig Env(const char* demand, int lead_time, double h, double p) {
  RlEnvConfig env;
  env.demand = policy::DemandDistribution::Parse(demand).value();
  env.lead_time = lead_time;
  env.holding = h;
  env.lost_sales = p;
  return env;
}

// A tiny, fast setting: 32 x 1 network, 16000 days, a gradient step every 2 days.
DqnOptions Tiny(uint64_t seed = 5) {
  DqnOptions o;
  o.steps = 16'000;
  o.episode_days = 500;
  o.hidden = 32;
  o.layers = 1;
  o.learning_rate = 3e-3;
  o.batch = 32;
  o.buffer = 16'000;
  o.learning_starts = 1'000;
  o.train_every = 2;
  o.target_update = 200;
  o.discount = 0.9;
  o.exploration_fraction = 0.4;
  o.validation_every = 2'000;
  o.validation_paths = 4;
  o.validation_days = 400;
  o.seed = seed;
  return o;
}

double MeanCost(const std::vector<PathMetrics>& m) {
  double s = 0;
  for (const auto& x : m) s += x.cost_per_day;
  return s / static_cast<double>(m.size());
}

TEST(DqnAgentTest, DqnUnavailableSaysWhy) {
  if (DqnAgent::Available()) {
    EXPECT_TRUE(DqnAgent::UnavailableReason().empty());
    return;
  }
  auto r = DqnAgent::Train(Env("poisson:3", 1, 1, 9), Tiny());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("built without LibTorch"), std::string::npos);
}

// Next-morning delivery without an order cost: base stock is optimal under lost sales, so the
// best base stock on the same paths is the yardstick.
TEST(DqnAgentTest, LearnsNearTheBestBaseStockAndBeatsNeverOrdering) {
  REQUIRE_TORCH();
  const RlEnvConfig env = Env("poisson:3", 1, 1.0, 9.0);
  auto agent = DqnAgent::Train(env, Tiny());
  ASSERT_TRUE(agent.ok()) << agent.error().message;
  EXPECT_EQ(agent->stats().steps, 16'000);
  EXPECT_EQ(agent->stats().gradient_steps, (16'000 - 1'000) / 2 + 1);
  EXPECT_FALSE(agent->stats().validation.empty());
  EXPECT_GE(agent->stats().best_step, 4'000);
  const auto paths = DemandPaths(env.demand, 6, 600, 1234);
  const double rl = MeanCost(EvaluatePaths(
      env, paths, 50, 5, [&](const InventoryEnv& e, bool*) { return agent->Act(e); }));
  const double never = MeanCost(EvaluatePaths(env, paths, 50, 5, InventoryPolicy::None()));
  double best = std::numeric_limits<double>::infinity();
  for (int s = 0; s <= 15; ++s) {
    best =
        std::min(best, MeanCost(EvaluatePaths(env, paths, 50, 5, InventoryPolicy::BaseStock(s))));
  }
  EXPECT_GT(never, 25.0);
  EXPECT_LT(rl, 0.25 * never);
  // Stated tolerance for this tiny budget (16,000 days, 32 hidden units; the benchmark's
  // 150,000 days come within ~2 % at L = 2): within 40 % of the best base stock chosen on these
  // very paths. Over seeds 1-8 this setting lands at 1.07-1.30 x the best; which seed lands
  // where changes with the CPU's float kernels (the default seed 5 was under 1.20 on the machine
  // this test was written on and is 1.30 on another), so the bound covers the spread, not one
  // machine's draw.
  EXPECT_LT(rl, 1.40 * best) << "dqn " << rl << " vs best base stock " << best;
}

TEST(DqnAgentTest, DeterministicWithASeed) {
  REQUIRE_TORCH();
  const RlEnvConfig env = Env("negbin:4,2", 2, 1.0, 5.0);
  DqnOptions o = Tiny(11);
  o.steps = 3'000;
  o.validation_every = 1'000;
  auto a = DqnAgent::Train(env, o);
  auto b = DqnAgent::Train(env, o);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->stats().validation, b->stats().validation);
  EXPECT_EQ(a->stats().best_step, b->stats().best_step);
  InventoryEnv e(env);
  for (int64_t x = 0; x <= 16; ++x) {
    for (int64_t q = 0; q <= 10; q += 2) {
      e.Reset(x);
      e.Order(q);
      e.Advance(0);
      EXPECT_EQ(a->Act(e), b->Act(e)) << x << " " << q;
    }
  }
  const auto paths = DemandPaths(env.demand, 2, 300, 5);
  const auto ma =
      EvaluatePaths(env, paths, 0, 8, [&](const InventoryEnv& s, bool*) { return a->Act(s); });
  const auto mb =
      EvaluatePaths(env, paths, 0, 8, [&](const InventoryEnv& s, bool*) { return b->Act(s); });
  for (size_t i = 0; i < ma.size(); ++i) EXPECT_EQ(ma[i].cost_per_day, mb[i].cost_per_day);
}

TEST(DqnAgentTest, BadOptionsAreNamed) {
  // Options are checked before LibTorch is needed: these run in every build.
  const RlEnvConfig env = Env("poisson:3", 2, 1.0, 9.0);
  auto message = [&](const DqnOptions& o) {
    auto r = DqnAgent::Train(env, o);
    return r.ok() ? std::string("ok") : r.error().message;
  };
  DqnOptions o;
  o.batch = 0;
  EXPECT_NE(message(o).find("DqnOptions::batch = 0; must be in [1, 65536]"), std::string::npos);
  o = DqnOptions{};
  o.buffer = 10;
  EXPECT_NE(message(o).find("DqnOptions::buffer = 10; must be >= batch = 128"), std::string::npos);
  o = DqnOptions{};
  o.discount = 1.0;
  EXPECT_NE(message(o).find("DqnOptions::discount = 1; must be in (0, 1)"), std::string::npos);
  o = DqnOptions{};
  o.learning_starts = 3;
  EXPECT_NE(message(o).find("DqnOptions::learning_starts = 3; must be >= batch"),
            std::string::npos);
  o = DqnOptions{};
  o.steps = 0;
  EXPECT_NE(message(o).find("DqnOptions::steps = 0; must be in [1, 1e9]"), std::string::npos);
  o = DqnOptions{};
  o.hidden = 0;
  EXPECT_NE(message(o).find("DqnOptions::hidden = 0"), std::string::npos);
  o = DqnOptions{};
  o.learning_rate = -1;
  EXPECT_NE(message(o).find("DqnOptions::learning_rate = -1; must be in (0, 1]"),
            std::string::npos);
  RlEnvConfig bad = env;
  bad.lead_time = 0;
  auto r = DqnAgent::Train(bad, DqnOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("lead_time = 0; must be in [1, 365]"), std::string::npos);
  // The comparison: one or two distinct agents.
  auto c = CompareAgentsWithBaselines(env, {RlAgentKind::kDqn, RlAgentKind::kDqn}, RlAgentOptions{},
                                      DqnOptions{}, RlEvalOptions{});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("must be one or two distinct kinds"), std::string::npos);
  EXPECT_NE(ParseRlAgentKind("ppo").error().message.find(
                "unknown agent \"ppo\"; available: q (tabular q-learning), dqn"),
            std::string::npos);
  EXPECT_EQ(ParseRlAgentKind("dqn").value(), RlAgentKind::kDqn);
  EXPECT_EQ(ParseRlAgentKind("q").value(), RlAgentKind::kQLearning);
  // The multi-warehouse comparison checks the configuration first.
  MultiEnvConfig m;
  m.demands = {env.demand, env.demand};
  m.capacity = -4;
  auto mc = CompareMultiWarehouse(m, DqnOptions{}, RlEvalOptions{});
  ASSERT_FALSE(mc.ok());
  EXPECT_NE(mc.error().message.find("capacity = -4; must be in [0, 1e9]"), std::string::npos);
}

// Both agents in one run on the same paths; the DQN is the reference.
TEST(DqnAgentTest, ComparisonWithBothAgents) {
  REQUIRE_TORCH();
  const RlEnvConfig env = Env("poisson:3", 2, 1.0, 9.0);
  RlAgentOptions q;
  q.episodes = 200;
  q.episode_days = 100;
  DqnOptions dqn = Tiny();
  dqn.steps = 4'000;
  dqn.validation_every = 2'000;
  RlEvalOptions e;
  e.replications = 3;
  e.days = 300;
  e.warmup_days = 30;
  e.tuning_replications = 2;
  e.optimize_evaluations = 20;
  auto c = CompareAgentsWithBaselines(env, {RlAgentKind::kDqn, RlAgentKind::kQLearning}, q, dqn, e);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->agents.size(), 2u);
  EXPECT_EQ(c->agents[0].method, "dqn (libtorch)");
  EXPECT_EQ(c->agents[1].name, "rl-q-learning");
  EXPECT_EQ(c->agents[1].steps, 200 * 100);
  // rl-agent, rl-q-learning, base-stock, ss, [ss-at-agent-fill when its fill rate is < 1],
  // forecast-driven.
  ASSERT_GE(c->policies.size(), 5u);
  EXPECT_EQ(c->policies[0].name, "rl-agent");
  EXPECT_EQ(c->policies[0].rule.rfind("dqn:", 0), 0u);
  EXPECT_EQ(c->policies[1].name, "rl-q-learning");
  EXPECT_EQ(c->policies[2].name, "base-stock");
  EXPECT_EQ(c->policies.back().name, "forecast-driven");
  for (const auto& p : c->policies) {
    EXPECT_NEAR(p.cost_minus_agent.mean, p.cost_per_day.mean - c->policies[0].cost_per_day.mean,
                1e-9)
        << p.name;
  }
}

TEST(DqnAgentTest, MultiWarehouseComparisonWithABindingCapacity) {
  REQUIRE_TORCH();
  MultiEnvConfig m;
  m.demands = {policy::DemandDistribution::Parse("poisson:3").value(),
               policy::DemandDistribution::Parse("poisson:2").value()};
  m.lead_time = 1;
  m.capacity = 4;  // below the mean total demand of 5: binds
  DqnOptions dqn = Tiny();
  dqn.steps = 4'000;
  dqn.validation_every = 2'000;
  RlEvalOptions e;
  e.replications = 3;
  e.days = 300;
  e.warmup_days = 30;
  e.tuning_replications = 2;
  e.optimize_evaluations = 15;
  auto c = CompareMultiWarehouse(m, dqn, e);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_NEAR(c->capacity_share, 0.8, 1e-12);
  ASSERT_EQ(c->policies.size(), 4u);
  EXPECT_EQ(c->policies[0].overall.name, "rl-dqn");
  EXPECT_EQ(c->policies[1].overall.name, "base-stock");
  EXPECT_EQ(c->policies[2].overall.name, "base-stock-at-agent-fill");
  EXPECT_EQ(c->policies[3].overall.name, "forecast-driven");
  for (const auto& p : c->policies) {
    ASSERT_EQ(p.fill_rate_by_warehouse.size(), 2u);
    // At most 4 units a day reach the warehouses: the fill rate is at most ~4 / 5.
    EXPECT_LT(p.overall.fill_rate.mean, 0.86) << p.overall.name;
    EXPECT_GT(p.overall.cost_per_day.mean, 0.0);
    EXPECT_NEAR(p.overall.cost_minus_agent.mean,
                p.overall.cost_per_day.mean - c->policies[0].overall.cost_per_day.mean, 1e-9);
  }
  // Order-up-to rules ask for more than the supplier ships.
  EXPECT_GT(c->policies[3].cut_per_day.mean, 0.0);
  EXPECT_FALSE(c->summary.empty());
}

}  // namespace
}  // namespace stockcast::sim
