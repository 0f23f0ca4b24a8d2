#include "stockcast/optimize/metaheuristic.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stockcast/policy/stochastic_review.h"

namespace stockcast::optimize {
namespace {

policy::DemandDistribution Dist(const std::string& spec) {
  auto r = policy::DemandDistribution::Parse(spec);
  EXPECT_TRUE(r.ok()) << Describe(r.error());
  return std::move(r).value();
}

// Sum of (x_i - t_i)^2 plus a coupling term; optimum at t (inside the bounds).
IntegerProblem Bowl() {
  IntegerProblem p;
  const std::vector<int64_t> target = {3, -7, 12, 0, 40, 5};
  p.lower = {-10, -10, -10, -10, 0, 0};
  p.upper = {10, 10, 20, 10, 100, 5};
  p.objective = [target](const std::vector<int64_t>& x) {
    double f = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double d = static_cast<double>(x[i] - target[i]);
      f += d * d;
    }
    return f + 0.5 * std::fabs(static_cast<double>(x[0] - x[3] - 3));
  };
  return p;
}

TEST(Metaheuristic, AnnealingFindsTheBowlMinimumDeterministically) {
  AnnealingOptions o;
  o.iterations = 3000;
  auto a = SimulatedAnnealing(Bowl(), o);
  ASSERT_TRUE(a.ok()) << Describe(a.error());
  EXPECT_DOUBLE_EQ(a->best_value, 0);
  EXPECT_EQ(a->best, (std::vector<int64_t>{3, -7, 12, 0, 40, 5}));
  auto b = SimulatedAnnealing(Bowl(), o);
  EXPECT_EQ(a->best, b->best);
  EXPECT_EQ(a->evaluations, b->evaluations);
}

TEST(Metaheuristic, GeneticFindsTheBowlMinimumDeterministically) {
  GeneticOptions o;
  o.generations = 60;
  o.seed = 7;
  auto a = GeneticAlgorithm(Bowl(), o);
  ASSERT_TRUE(a.ok()) << Describe(a.error());
  EXPECT_DOUBLE_EQ(a->best_value, 0);
  auto b = GeneticAlgorithm(Bowl(), o);
  EXPECT_EQ(a->best, b->best);
  EXPECT_EQ(a->evaluations, b->evaluations);
}

TEST(Metaheuristic, ValidationNamesTheFieldAndRule) {
  IntegerProblem p = Bowl();
  p.initial = {0, 0, 0, 0, 0, 9};
  EXPECT_EQ(SimulatedAnnealing(p).error().message,
            "IntegerProblem: initial[5] = 9; must be in [0, 5]");
  GeneticOptions g;
  g.elite = 40;
  EXPECT_EQ(g.Validate().error().message,
            "GeneticOptions::elite = 40; must be in [0, population = 40)");
  AnnealingOptions a;
  a.final_temperature_ratio = 0;
  EXPECT_EQ(a.Validate().error().message,
            "AnnealingOptions::final_temperature_ratio = 0; must be in (0, 1]");
  EXPECT_EQ(ParseSearchAlgorithm(ToString(SearchAlgorithm::kGenetic)), SearchAlgorithm::kGenetic);
}

// ---- purchase plans: metaheuristics against the proven MIP optimum --------------------------

PurchasePlanInstance SmallPlan(uint64_t seed) {
  PlanGeneratorOptions g;
  g.seed = seed;
  g.skus = 2;
  g.warehouses = 2;
  g.suppliers = 2;
  g.demand_scale = 0.1;
  g.moq_scale = 0.1;
  g.budget_fraction = 0.7;
  g.capacity_fraction = 0.85;
  return GeneratePlanInstance(g);
}

// Exact cuts (a cut at every reachable quantity): the MIP optimum is the exact optimum over
// the same decisions and bounds the metaheuristics search. CBC's cut generators and primal
// heuristics are off: on models this small they cost more than the search (and the test must
// stay fast).
PlanOptions ExactOptions() {
  PlanOptions o;
  o.max_cuts_per_item = 400;
  o.solve.cut_generators = false;
  o.solve.primal_heuristics = false;
  return o;
}

// The 20 seeded instances in 4 blocks of 5 (one test each keeps every test fast under the
// sanitizers; each block's mean gap <= 2 % implies the 20-instance mean is too).
class MetaheuristicVsMip : public ::testing::TestWithParam<int> {};

TEST_P(MetaheuristicVsMip, AnnealingAndGeneticAreWithinTwoPercentOfTheMipOptimum) {
  int instances = 0;
  double sa_mean = 0, ga_mean = 0, sa_max = 0, ga_max = 0;
  for (int k = 1; k <= 5; ++k) {
    const auto seed = static_cast<uint64_t>(5 * GetParam() + k);
    auto problem = PurchasePlanProblem::Create(SmallPlan(seed), ExactOptions());
    ASSERT_TRUE(problem.ok()) << Describe(problem.error());
    auto mip = problem->Solve();
    ASSERT_TRUE(mip.ok());
    if (mip->status != SolveStatus::kOptimal) continue;
    AnnealingOptions ao;
    ao.seed = seed;
    ao.iterations = 6000;
    auto sa = SolvePurchasePlanAnnealing(*problem, ao);
    GeneticOptions go;
    go.seed = seed;
    go.population = 30;
    go.generations = 100;
    auto ga = SolvePurchasePlanGenetic(*problem, go);
    ASSERT_TRUE(sa.ok() && ga.ok());
    EXPECT_EQ(sa->status, SolveStatus::kFeasible) << "seed " << seed;
    EXPECT_EQ(ga->status, SolveStatus::kFeasible) << "seed " << seed;
    const double opt = mip->cost.total;
    // No heuristic plan may cost less than the MIP's proven lower bound (exact cuts make the
    // MIP's objective the exact cost): this checks the MIP and the searches against each other.
    const double floor = mip->best_bound - 1e-6 * std::max(1.0, std::fabs(opt));
    EXPECT_NEAR(mip->model_objective, opt, 1e-6 * std::max(1.0, opt)) << "seed " << seed;
    EXPECT_GE(sa->cost.total, floor) << "seed " << seed;
    EXPECT_GE(ga->cost.total, floor) << "seed " << seed;
    const double scale = std::max(1.0, std::fabs(opt));
    const double sa_gap = (sa->cost.total - opt) / scale, ga_gap = (ga->cost.total - opt) / scale;
    sa_mean += sa_gap;
    ga_mean += ga_gap;
    sa_max = std::max(sa_max, sa_gap);
    ga_max = std::max(ga_max, ga_gap);
    ++instances;
  }
  ASSERT_GE(instances, 4);
  sa_mean /= instances;
  ga_mean /= instances;
  EXPECT_LE(sa_mean, 0.02) << "annealing max gap " << sa_max;
  EXPECT_LE(ga_mean, 0.02) << "genetic max gap " << ga_max;
  std::printf(
      "  seeds %d-%d: annealing mean gap %.3f%% (max %.3f%%), genetic %.3f%% (max %.3f%%)\n",
      5 * GetParam() + 1, 5 * GetParam() + 5, 100 * sa_mean, 100 * sa_max, 100 * ga_mean,
      100 * ga_max);
}

INSTANTIATE_TEST_SUITE_P(TwentySeededInstances, MetaheuristicVsMip, ::testing::Range(0, 4));

// ---- joint (s, S) ---------------------------------------------------------------------------

JointSSWarehouse Warehouse(std::string id, std::string demand, int lead) {
  JointSSWarehouse w;
  w.id = std::move(id);
  w.demand = Dist(demand);
  w.lead_time = lead;
  w.holding_cost = 1;
  w.backorder_cost = 9;
  w.order_cost = 40;
  return w;
}

TEST(JointSS, SimulationMatchesTheExactSingleItemCost) {
  // With unlimited capacity each warehouse is the (s, S) model of policy::OptimizeSS; a long
  // simulation of its optimum lands within 3 % of the analytic cost per period.
  JointSSProblem p;
  p.warehouses = {Warehouse("W1", "poisson:6", 1)};
  policy::PeriodicReviewOptions o;
  o.holding_cost = 1;
  o.backorder_cost = 9;
  o.fixed_cost = 40;
  o.lead_time = 1;
  auto exact = policy::OptimizeSS(p.warehouses[0].demand, o);
  ASSERT_TRUE(exact.ok());
  JointSSSimulation sim;
  sim.periods = 40000;
  auto e = SimulateJointSS(p, {exact->reorder_point}, {exact->order_up_to}, sim);
  ASSERT_TRUE(e.ok()) << Describe(e.error());
  EXPECT_NEAR(e->cost_per_period, exact->expected_cost, 0.03 * exact->expected_cost);
  EXPECT_DOUBLE_EQ(e->capacity_utilisation, 0);
}

JointSSProblem Shared(double capacity) {
  JointSSProblem p;
  p.warehouses = {Warehouse("W1", "poisson:8", 1), Warehouse("W2", "negbin:5,3", 2),
                  Warehouse("W3", "poisson:4", 0)};
  p.supplier_capacity = capacity;
  return p;
}

TEST(JointSS, SearchBeatsIndependentPoliciesUnderTightCapacity) {
  // Mean demand 17 a period against a capacity of 19: the independent policies collide.
  // Short runs without the final polish keep the test fast (the benchmark runs longer).
  JointSSOptions o;
  o.simulation.periods = 300;
  o.simulation.warmup = 50;
  o.annealing.iterations = 200;
  o.annealing.polish = false;
  auto r = OptimizeJointSS(Shared(19), o);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_GT(r->independent.rationed_periods, 0);
  EXPECT_LT(r->evaluation.cost_per_period, r->independent.cost_per_period);
  EXPECT_LE(r->evaluation.capacity_utilisation, 1 + 1e-12);
  for (size_t w = 0; w < 3; ++w) EXPECT_LT(r->reorder_point[w], r->order_up_to[w]);
  EXPECT_NE(r->explanation.find("annealing: joint (s, S) costs"), std::string::npos);
  // The genetic algorithm too.
  o.algorithm = SearchAlgorithm::kGenetic;
  o.genetic.population = 8;
  o.genetic.generations = 10;
  o.genetic.polish = false;
  auto g = OptimizeJointSS(Shared(19), o);
  ASSERT_TRUE(g.ok());
  EXPECT_LE(g->evaluation.cost_per_period, g->independent.cost_per_period);
}

TEST(JointSS, RationingSharesTheCapacity) {
  JointSSSimulation sim;
  sim.periods = 500;
  auto e = SimulateJointSS(Shared(10), {10, 12, 3}, {40, 45, 15}, sim);
  ASSERT_TRUE(e.ok());
  EXPECT_GT(e->rationed_periods, 0.1);
  EXPECT_LE(e->capacity_utilisation, 1 + 1e-12);
  EXPECT_GT(e->capacity_utilisation, 0.9);
  for (double f : e->fill_rate) EXPECT_LT(f, 1);
  auto bad = SimulateJointSS(Shared(10), {10, 12, 30}, {40, 45, 15}, sim);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "warehouse \"W3\": s = 30 >= S = 15; must be s < S");
}

}  // namespace
}  // namespace stockcast::optimize
