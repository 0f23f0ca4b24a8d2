// Simulation-optimisation against answers known without it: the exact (s, S) optimum of Zheng &
// Federgruen (1991), the exact base-stock level of the lost-sales Markov chain (Zipkin 2008),
// the newsvendor base-stock level, a fill-rate target checked on fresh random numbers, and a
// shelf-life system where the formula ignores expiry.
#include "stockcast/sim/sim_optimize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "stockcast/policy/lost_sales.h"
#include "stockcast/policy/stochastic_review.h"

namespace stockcast::sim {
namespace {

policy::DemandDistribution Dist(const char* spec) {
  auto d = policy::DemandDistribution::Parse(spec);
  EXPECT_TRUE(d.ok()) << spec;
  return std::move(d).value();
}

ItemSpec Item(const char* demand, int lead_time, ItemCosts costs) {
  ItemSpec it;
  it.name = "A";
  it.demand = DemandSource::Stationary(Dist(demand));
  it.lead_time = LeadTime::Fixed(lead_time);
  it.costs = costs;
  return it;
}

SimOptions Options(int days, int replications, uint64_t seed) {
  SimOptions o;
  o.days = days;
  o.warmup_days = 30;
  o.replications = replications;
  o.seed = seed;
  return o;
}

SimOptimizeResult Optimize(const ItemSpec& item, const SimOptions& o,
                           const SimOptimizeOptions& opt) {
  auto r = OptimizePolicy(item, o, opt);
  EXPECT_TRUE(r.ok()) << Describe(r.error());
  if (!r.ok()) return {};
  std::printf("  %s: %s after %d evaluations (start %s)\n", std::string(ToString(opt.method)).c_str(),
              r->best.ToString().c_str(), r->evaluations, r->start.ToString().c_str());
  return std::move(r).value();
}

// Backorders, Poisson(6) per day, h = 1, p = 4, K = 5, policy lead time 1 (simulator L = 2):
// the exact optimum of Zheng & Federgruen. The policy found by simulation must cost within 2%
// of it by the exact formula c(s, S) (no noise in that check), and the independent simulated
// estimate of its cost must cover or come within 2% of the exact optimum.
TEST(SimOptimize, SSMatchesZhengFedergruen) {
  policy::PeriodicReviewOptions po;
  po.holding_cost = 1;
  po.backorder_cost = 4;
  po.fixed_cost = 5;
  po.lead_time = 1;
  auto zf = policy::OptimizeSS(Dist("poisson:6"), po);
  ASSERT_TRUE(zf.ok()) << Describe(zf.error());
  std::printf("  Zheng-Federgruen: s = %lld, S = %lld, cost %.4f\n",
              static_cast<long long>(zf->reorder_point), static_cast<long long>(zf->order_up_to),
              zf->expected_cost);

  const ItemSpec item =
      Item("poisson:6", 2, {.ordering = 5, .purchase = 0, .holding = 1, .shortage = 4, .expiry = 0});
  SimOptimizeOptions opt;
  opt.kind = PolicyKind::kSS;
  opt.max_evaluations = 150;
  const SimOptimizeResult r = Optimize(item, Options(5000, 10, 7), opt);
  ASSERT_EQ(r.best.kind, PolicyKind::kSS);
  auto exact = policy::EvaluateSS(Dist("poisson:6"), r.best.reorder_point, r.best.order_up_to, po);
  ASSERT_TRUE(exact.ok());
  EXPECT_LE(exact->expected_cost, zf->expected_cost * 1.02)
      << "found " << r.best.ToString() << " exact cost " << exact->expected_cost;
  const Estimate& cost = r.estimate[Metric::kCostPerDay];
  std::printf("  simulated %.4f +- %.4f (exact at the found policy %.4f)\n", cost.mean,
              cost.half_width, exact->expected_cost);
  EXPECT_TRUE(cost.Contains(zf->expected_cost) ||
              std::abs(cost.mean - zf->expected_cost) <= 0.02 * zf->expected_cost);
  EXPECT_LE(r.evaluations, 150);
  EXPECT_TRUE(r.constraint_met);
  // The start is the formula policy and the search only moves to better candidates.
  EXPECT_LE(r.search_cost, r.trace.front().second);
  EXPECT_EQ(r.trace.front().first, r.start);
}

// Base stock with backorders, no order cost: the newsvendor level S* = F^-1_{L}(p / (p + h))
// of policy::OptimizeBaseStock (simulator L = policy L + 1). Every method must find it within
// one unit, and its exact cost within 1%.
class SimOptimizeMethods : public ::testing::TestWithParam<SearchMethod> {};

TEST_P(SimOptimizeMethods, BaseStockMatchesNewsvendor) {
  policy::PeriodicReviewOptions po;
  po.holding_cost = 1;
  po.backorder_cost = 9;
  po.lead_time = 2;
  auto exact = policy::OptimizeBaseStock(Dist("poisson:5"), po);
  ASSERT_TRUE(exact.ok());
  const ItemSpec item =
      Item("poisson:5", 3, {.ordering = 0, .purchase = 0, .holding = 1, .shortage = 9, .expiry = 0});
  SimOptimizeOptions opt;
  opt.kind = PolicyKind::kBaseStock;
  opt.method = GetParam();
  opt.max_evaluations = 40;
  opt.seed = 3;
  opt.start = InventoryPolicy::BaseStock(5);  // far from the answer: the method must travel
  const SimOptimizeResult r = Optimize(item, Options(2000, 8, 11), opt);
  EXPECT_NEAR(static_cast<double>(r.best.order_up_to), exact->order_up_to, 1.0);
  auto at = policy::EvaluateBaseStock(Dist("poisson:5"), static_cast<double>(r.best.order_up_to), po);
  ASSERT_TRUE(at.ok());
  EXPECT_LE(at->expected_cost, exact->expected_cost * 1.01);
}

// Every method on the (s, S) problem of SSMatchesZhengFedergruen, from a poor start: the exact
// cost of the policy found within 3% of the Zheng-Federgruen optimum.
TEST_P(SimOptimizeMethods, SSNearZhengFedergruen) {
  policy::PeriodicReviewOptions po;
  po.holding_cost = 1;
  po.backorder_cost = 4;
  po.fixed_cost = 5;
  po.lead_time = 1;
  auto zf = policy::OptimizeSS(Dist("poisson:6"), po);
  ASSERT_TRUE(zf.ok());
  const ItemSpec item =
      Item("poisson:6", 2, {.ordering = 5, .purchase = 0, .holding = 1, .shortage = 4, .expiry = 0});
  SimOptimizeOptions opt;
  opt.kind = PolicyKind::kSS;
  opt.method = GetParam();
  opt.max_evaluations = 150;
  opt.start = InventoryPolicy::SS(2, 40);
  const SimOptimizeResult r = Optimize(item, Options(3000, 8, 13), opt);
  auto exact = policy::EvaluateSS(Dist("poisson:6"), r.best.reorder_point, r.best.order_up_to, po);
  ASSERT_TRUE(exact.ok());
  EXPECT_LE(exact->expected_cost, zf->expected_cost * 1.03)
      << r.best.ToString() << " vs ZF s = " << zf->reorder_point << ", S = " << zf->order_up_to;
}

INSTANTIATE_TEST_SUITE_P(AllMethods, SimOptimizeMethods,
                         ::testing::Values(SearchMethod::kPatternSearch, SearchMethod::kAnnealing,
                                           SearchMethod::kGenetic),
                         [](const auto& param_info) { return std::string(ToString(param_info.param)); });

// Lost sales, Poisson(5), h = 1, p = 4 per unit lost, policy lead time 1 (simulator L = 2):
// the best base-stock level of the exact Markov chain (policy/lost_sales.h).
TEST(SimOptimize, LostSalesBaseStockMatchesExactChain) {
  policy::LostSalesOptions lo;
  lo.holding_cost = 1;
  lo.lost_sale_cost = 4;
  lo.lead_time = 1;
  auto exact = policy::SolveLostSales(Dist("poisson:5"), lo);
  ASSERT_TRUE(exact.ok()) << Describe(exact.error());
  ItemSpec item =
      Item("poisson:5", 2, {.ordering = 0, .purchase = 0, .holding = 1, .shortage = 4, .expiry = 0});
  item.shortage = ShortageMode::kLostSales;
  SimOptimizeOptions opt;
  opt.kind = PolicyKind::kBaseStock;
  opt.max_evaluations = 40;
  const SimOptimizeResult r = Optimize(item, Options(2000, 10, 5), opt);
  std::printf("  exact chain: S = %lld, cost %.4f\n",
              static_cast<long long>(exact->base_stock_level), exact->base_stock_cost);
  EXPECT_NEAR(static_cast<double>(r.best.order_up_to),
              static_cast<double>(exact->base_stock_level), 1.0);
  auto at = policy::EvaluateLostSalesBaseStock(Dist("poisson:5"), lo, r.best.order_up_to);
  ASSERT_TRUE(at.ok());
  EXPECT_LE(*at, exact->base_stock_cost * 1.01);
  const Estimate& cost = r.estimate[Metric::kCostPerDay];
  EXPECT_TRUE(cost.Contains(*at) || std::abs(cost.mean - *at) <= 0.02 * *at)
      << cost.mean << " +- " << cost.half_width << " vs exact " << *at;
}

// A fill-rate target with no shortage cost: the cheapest (s, S) that meets it. Checked on a
// third seed the search never saw, and the target is not overshot wildly (holding costs push
// the levels down to the boundary).
TEST(SimOptimize, FillRateTargetHoldsOnAnIndependentSeed) {
  ItemSpec item =
      Item("negbin:4,2", 3, {.ordering = 20, .purchase = 0, .holding = 0.2, .shortage = 0, .expiry = 0});
  SimOptimizeOptions opt;
  opt.kind = PolicyKind::kSS;
  opt.min_fill_rate = 0.97;
  opt.max_evaluations = 120;
  const SimOptimizeResult r = Optimize(item, Options(2000, 10, 21), opt);
  EXPECT_TRUE(r.constraint_met) << r.explanation;
  EXPECT_GE(r.estimate[Metric::kFillRate].mean, 0.97);

  ItemSpec check = item;
  check.policy = r.best;
  auto fresh = Simulate({check}, Options(4000, 10, 987654321));
  ASSERT_TRUE(fresh.ok());
  const double fill = fresh->total[Metric::kFillRate].mean;
  std::printf("  fill rate on a fresh seed: %.4f\n", fill);
  EXPECT_GE(fill, 0.97);
  EXPECT_LE(fill, 0.99);
  // One unit less on both levels misses (or nearly misses) the target: the search stopped at
  // the boundary, not deep inside the feasible region.
  check.policy = InventoryPolicy::SS(r.best.reorder_point - 2, r.best.order_up_to - 2);
  auto lower = Simulate({check}, Options(4000, 10, 987654321));
  ASSERT_TRUE(lower.ok());
  EXPECT_LT(lower->total[Metric::kFillRate].mean, 0.975);
}

// Shelf life 3 days, Poisson(10), next-morning delivery (L = 1), lost sales; expiry costs 4
// per unit on top of the purchase cost 2. No formula knows the shelf life: the newsvendor base
// stock of the start (p / (p + h) = 0.99) over-stocks and throws units away. The optimised
// policy, evaluated in the same simulator on the same independent seed, must cost less.
TEST(SimOptimize, ShelfLifeBeatsFormulaBaseStock) {
  ItemSpec item = Item("poisson:10", 1,
                       {.ordering = 0, .purchase = 2, .holding = 0.05, .shortage = 5, .expiry = 4});
  item.shortage = ShortageMode::kLostSales;
  item.shelf_life = 2;
  auto formula = FormulaPolicy(item, PolicyKind::kBaseStock);
  ASSERT_TRUE(formula.ok());
  SimOptimizeOptions opt;
  opt.kind = PolicyKind::kBaseStock;
  opt.max_evaluations = 40;
  const SimOptions o = Options(2000, 10, 77);
  const SimOptimizeResult r = Optimize(item, o, opt);
  EXPECT_EQ(r.start, *formula);
  ItemSpec base = item;
  base.policy = *formula;
  auto formula_run = Simulate({base}, o);
  ASSERT_TRUE(formula_run.ok());
  const Estimate& opt_cost = r.estimate[Metric::kCostPerDay];
  const Estimate& formula_cost = formula_run->total[Metric::kCostPerDay];
  std::printf("  formula %s: %.4f +- %.4f; optimised %s: %.4f +- %.4f\n",
              formula->ToString().c_str(), formula_cost.mean, formula_cost.half_width,
              r.best.ToString().c_str(), opt_cost.mean, opt_cost.half_width);
  EXPECT_EQ(formula_cost, r.start_estimate[Metric::kCostPerDay]);
  EXPECT_LT(opt_cost.high(), formula_cost.low());
  EXPECT_LT(r.estimate[Metric::kExpiredUnits].mean, formula_run->total[Metric::kExpiredUnits].mean);
}

TEST(SimOptimize, SameSeedSameResult) {
  ItemSpec item =
      Item("negbin:3,1.5", 3, {.ordering = 10, .purchase = 0, .holding = 0.5, .shortage = 3, .expiry = 0});
  item.lead_time = LeadTime::Discrete({2, 3, 5}, {0.3, 0.5, 0.2});
  for (SearchMethod method :
       {SearchMethod::kPatternSearch, SearchMethod::kAnnealing, SearchMethod::kGenetic}) {
    SimOptimizeOptions opt;
    opt.kind = PolicyKind::kRQ;
    opt.method = method;
    opt.max_evaluations = 30;
    const SimOptions o = Options(300, 4, 9);
    const SimOptimizeResult a = Optimize(item, o, opt);
    const SimOptimizeResult b = Optimize(item, o, opt);
    EXPECT_EQ(a.best, b.best);
    EXPECT_EQ(a.evaluations, b.evaluations);
    EXPECT_EQ(a.estimate, b.estimate);
    ASSERT_EQ(a.trace.size(), b.trace.size());
    for (size_t i = 0; i < a.trace.size(); ++i) {
      EXPECT_EQ(a.trace[i].first, b.trace[i].first);
      EXPECT_EQ(a.trace[i].second, b.trace[i].second);
    }
    // Every traced candidate is a valid rq rule inside the bounds, and the best is the
    // cheapest traced (unconstrained).
    for (const auto& [p, cost] : a.trace) {
      EXPECT_TRUE(p.Validate().ok());
      EXPECT_GE(p.reorder_point, a.min_level);
      EXPECT_LE(p.reorder_point, a.max_level);
      EXPECT_GE(cost, a.search_cost);
    }
  }
}

TEST(SimOptimize, PeriodicReviewKeepsR) {
  ItemSpec item =
      Item("poisson:4", 2, {.ordering = 30, .purchase = 0, .holding = 0.2, .shortage = 5, .expiry = 0});
  SimOptimizeOptions opt;
  opt.kind = PolicyKind::kRSS;
  opt.start = InventoryPolicy::RSS(5, 20, 40, 2);
  opt.max_evaluations = 25;
  const SimOptimizeResult r = Optimize(item, Options(500, 4, 1), opt);
  EXPECT_EQ(r.best.kind, PolicyKind::kRSS);
  EXPECT_EQ(r.best.review_period, 5);
  EXPECT_EQ(r.best.review_offset, 2);
  EXPECT_EQ(r.start, *opt.start);
}

TEST(SimOptimize, ValidationNamesTheField) {
  const ItemSpec item = Item("poisson:4", 2, {});
  const SimOptions o = Options(100, 2, 1);
  auto message = [&](const SimOptimizeOptions& opt) {
    auto r = OptimizePolicy(item, o, opt);
    return r.ok() ? std::string("ok") : r.error().message;
  };
  SimOptimizeOptions opt;
  opt.max_evaluations = 0;
  EXPECT_EQ(message(opt), "max_evaluations = 0; must be >= 1");
  opt = {};
  opt.min_fill_rate = 1.2;
  EXPECT_EQ(message(opt), "min_fill_rate = 1.2; must be in (0, 1)");
  opt = {};
  opt.kind = PolicyKind::kNone;
  EXPECT_EQ(message(opt), "kind = none; must be a rule with parameters: base-stock, ss, rq, rs, rss");
  opt = {};
  opt.start = InventoryPolicy::BaseStock(4);
  EXPECT_EQ(message(opt), "start = base-stock:S=4; must be a ss policy (kind)");
  opt = {};
  opt.min_level = 10;
  opt.max_level = 5;
  EXPECT_EQ(message(opt), "max_level = 5; must be > min_level = 10");
  EXPECT_EQ(ParseSearchMethod("annealing"), SearchMethod::kAnnealing);
  EXPECT_EQ(ParseSearchMethod("search"), SearchMethod::kPatternSearch);
  EXPECT_EQ(ParseSearchMethod("genetic"), SearchMethod::kGenetic);
  EXPECT_FALSE(ParseSearchMethod("tabu").has_value());
}

}  // namespace
}  // namespace stockcast::sim
