#include "stockcast/optimize/pareto.h"

#include <cmath>
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

ParetoItem Item(std::string sku, std::string demand, double h, double p, double ip = 0) {
  ParetoItem it;
  it.sku = std::move(sku);
  it.demand = Dist(demand);
  it.holding_cost = h;
  it.shortage_cost = p;
  it.inventory_position = ip;
  return it;
}

std::vector<ParetoItem> Mix() {
  return {Item("A", "poisson:12", 1, 9), Item("B", "negbin:40,3", 0.5, 2),
          Item("C", "normal:200,40", 0.2, 4, 30), Item("D", "poisson:3", 2, 5)};
}

// The unconstrained optimum computed independently: each SKU's base-stock level (zero lead
// time, one period = the protection period) from the policy library.
double IndependentOptimumCost(const std::vector<ParetoItem>& items) {
  double total = 0;
  for (const ParetoItem& it : items) {
    policy::PeriodicReviewOptions o;
    o.holding_cost = it.holding_cost;
    o.backorder_cost = it.shortage_cost;
    auto r = policy::OptimizeBaseStock(it.demand, o);
    EXPECT_TRUE(r.ok());
    const double y = std::max(it.inventory_position, r->order_up_to);
    total +=
        it.holding_cost * it.demand.ComplementaryLoss(y) + it.shortage_cost * it.demand.Loss(y);
  }
  return total;
}

void ExpectMonotone(const ParetoFront& f) {
  ASSERT_GE(f.points.size(), 2u);
  for (size_t k = 1; k < f.points.size(); ++k) {
    EXPECT_GT(f.points[k].service, f.points[k - 1].service) << k;
    EXPECT_GT(f.points[k].total_cost, f.points[k - 1].total_cost) << k;
  }
}

TEST(Pareto, EpsilonConstraintFrontIsMonotoneAndStartsAtTheOptimum) {
  const auto items = Mix();
  auto f = BuildParetoFront(items);
  ASSERT_TRUE(f.ok()) << Describe(f.error());
  ExpectMonotone(*f);
  EXPECT_EQ(f->optimum_index, 0u);
  EXPECT_TRUE(f->points[0].unconstrained_optimum);
  EXPECT_NEAR(f->points[0].total_cost, IndependentOptimumCost(items), 1e-6);
  EXPECT_GE(f->points.back().service, 0.999 - 1e-12);
  // Each point's cost is at least the optimum, and its parts add up.
  for (const ParetoPoint& p : f->points) {
    EXPECT_NEAR(p.holding_cost + p.shortage_cost + p.purchase_cost, p.total_cost, 1e-9);
    EXPECT_GE(p.total_cost, f->points[0].total_cost);
    ASSERT_EQ(p.position.size(), items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      EXPECT_GE(p.position[i], items[i].inventory_position);
    }
  }
  EXPECT_NE(f->points[0].label.find("fill rate"), std::string::npos);
}

TEST(Pareto, WeightedSumFrontRemovesDominatedPointsAndKeepsTheOptimum) {
  const auto items = Mix();
  ParetoOptions o;
  o.method = FrontMethod::kWeightedSum;
  o.points = 12;
  auto f = BuildParetoFront(items, o);
  ASSERT_TRUE(f.ok());
  ExpectMonotone(*f);
  EXPECT_GT(f->dominated_removed, 0);  // theta < 1 points cost more for less service
  EXPECT_NEAR(f->points[0].total_cost, IndependentOptimumCost(items), 1e-6);
  EXPECT_DOUBLE_EQ(f->points[0].multiplier, 1.0);
}

TEST(Pareto, CycleServiceFrontIsMonotone) {
  ParetoOptions o;
  o.metric = ServiceMetric::kCycleService;
  o.points = 8;
  o.max_service = 0.99;
  auto f = BuildParetoFront(Mix(), o);
  ASSERT_TRUE(f.ok());
  ExpectMonotone(*f);
  EXPECT_NEAR(f->points[0].total_cost, IndependentOptimumCost(Mix()), 1e-6);
  for (const ParetoPoint& p : f->points) EXPECT_DOUBLE_EQ(p.service, p.cycle_service);
}

TEST(Pareto, EpsilonPointsMeetTheirTargetsAtLeastCost) {
  // One normal SKU: the front is the newsvendor family; at fill rate target beta the position
  // solves n(y) = (1 - beta) mu, which no cheaper position reaches.
  std::vector<ParetoItem> items = {Item("N", "normal:100,20", 1, 4)};
  ParetoOptions o;
  o.points = 5;
  auto f = BuildParetoFront(items, o);
  ASSERT_TRUE(f.ok());
  const auto d = Dist("normal:100,20");
  for (size_t k = 1; k < f->points.size(); ++k) {
    const ParetoPoint& p = f->points[k];
    // Target k of the grid.
    const double target =
        f->points[0].service + (0.999 - f->points[0].service) * static_cast<double>(k) / 4.0;
    EXPECT_NEAR(p.service, target, 1e-6);
    EXPECT_NEAR(d.Loss(p.position[0]), (1 - target) * 100, 1e-4);
  }
}

TEST(Pareto, PickPointReturnsTheCheapestReachingTheTarget) {
  auto f = BuildParetoFront(Mix());
  ASSERT_TRUE(f.ok());
  auto p = PickPoint(*f, 0.98);
  ASSERT_TRUE(p.ok());
  EXPECT_GE(p->service, 0.98);
  for (const ParetoPoint& q : f->points) {
    if (q.service >= 0.98) {
      EXPECT_GE(q.total_cost, p->total_cost);
    }
  }
  auto none = PickPoint(*f, 0.99999);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
}

TEST(Pareto, OptionsAndEnums) {
  ParetoOptions o;
  o.max_service = 1;
  EXPECT_EQ(o.Validate().error().message, "ParetoOptions::max_service = 1; must be in (0, 1)");
  EXPECT_EQ(ParseServiceMetric(ToString(ServiceMetric::kCycleService)),
            ServiceMetric::kCycleService);
  EXPECT_EQ(ParseFrontMethod("weighted_sum"), FrontMethod::kWeightedSum);
  EXPECT_FALSE(BuildParetoFront({}).ok());
}

}  // namespace
}  // namespace stockcast::optimize
