#include "stockcast/optimize/purchase_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_util.h"

namespace stockcast::optimize {
namespace {

policy::DemandDistribution Dist(const std::string& spec) {
  auto r = policy::DemandDistribution::Parse(spec);
  EXPECT_TRUE(r.ok()) << Describe(r.error());
  return std::move(r).value();
}

Date Day(int y, int m, int d) { return *Date::FromYmd(y, m, d); }

PlanItem Item(std::string sku, std::string wh, std::string demand, double h, double p,
              double on_hand = 0) {
  PlanItem it;
  it.sku = std::move(sku);
  it.warehouse = std::move(wh);
  it.demand = Dist(demand);
  it.holding_cost = h;
  it.shortage_cost = p;
  it.on_hand = on_hand;
  return it;
}

PlanOffer Offer(std::string sku, std::string supplier, double price, double case_pack = 1,
                int lead = 0) {
  PlanOffer o;
  o.sku = std::move(sku);
  o.supplier = std::move(supplier);
  o.unit_price = price;
  o.case_pack = case_pack;
  o.lead_time_days = lead;
  return o;
}

PlanSupplier Supplier(std::string id) {
  PlanSupplier s;
  s.id = std::move(id);
  return s;
}

PlanWarehouse Warehouse(std::string id) {
  PlanWarehouse w;
  w.id = std::move(id);
  return w;
}

// A Monday.
PurchasePlanInstance Base() {
  PurchasePlanInstance inst;
  inst.order_date = Day(2026, 3, 2);
  inst.warehouses = {Warehouse("W1")};
  inst.suppliers = {Supplier("S1")};
  return inst;
}

PlanResult SolveOk(const PurchasePlanInstance& inst, PlanOptions opt = {}) {
  auto r = SolvePurchasePlan(inst, opt);
  EXPECT_TRUE(r.ok()) << Describe(r.error());
  if (!r.ok()) return {};
  return std::move(r).value();
}

double Units(const PlanResult& r, const std::string& sku, const std::string& supplier = "") {
  double q = 0;
  for (const PlanLine& l : r.lines) {
    if (l.sku == sku && (supplier.empty() || l.supplier == supplier)) q += l.quantity;
  }
  return q;
}

const PlanLine* Line(const PlanResult& r, const std::string& sku) {
  for (const PlanLine& l : r.lines) {
    if (l.sku == sku) return &l;
  }
  return nullptr;
}

TEST(PurchasePlan, BudgetBuysTheCheapestShortageReductionPerUnitOfMoneyFirst) {
  // Known demand of 10 each (sd 0), shortage 10 per unit, no purchase cost in the objective.
  // A costs 2 a unit (5 units of shortage cost saved per unit of money), B costs 5 (2 per
  // unit of money). Budget 30: all 10 of A (20), then 2 of B (10).
  PurchasePlanInstance inst = Base();
  inst.items = {Item("A", "W1", "normal:10,0", 1, 10), Item("B", "W1", "normal:10,0", 1, 10)};
  inst.offers = {Offer("A", "S1", 2), Offer("B", "S1", 5)};
  inst.budget = 30;
  PlanOptions opt;
  opt.include_purchase_cost = false;
  const PlanResult r = SolveOk(inst, opt);
  ASSERT_EQ(r.status, SolveStatus::kOptimal);
  EXPECT_DOUBLE_EQ(Units(r, "A"), 10);
  EXPECT_DOUBLE_EQ(Units(r, "B"), 2);
  EXPECT_NEAR(r.cost.shortage, 80, 1e-9);
  EXPECT_NEAR(r.cost.holding, 0, 1e-9);
  EXPECT_NEAR(r.cost.purchase, 30, 1e-9);
  EXPECT_NEAR(r.cost.total, 80, 1e-9);
  ASSERT_NE(Line(r, "B"), nullptr);
  EXPECT_EQ(Line(r, "B")->bound_by, BindingReason::kBudget);
  EXPECT_EQ(Line(r, "A")->bound_by, BindingReason::kNone);
  ASSERT_FALSE(r.binding.empty());
  EXPECT_EQ(r.binding[0].constraint, "budget");
  EXPECT_NE(Line(r, "B")->explanation.find("bound by budget"), std::string::npos)
      << Line(r, "B")->explanation;
}

TEST(PurchasePlan, MoqForcesZeroOrAtLeastTheMinimum) {
  // Poisson(8) demand, MOQ 20 units per order. With p = 10, h = 1 ordering the minimum pays
  // (holding on ~12 left over) against ~80 of shortage; with p = 0.5 nothing is ordered.
  for (double p : {10.0, 0.5}) {
    PurchasePlanInstance inst = Base();
    inst.items = {Item("A", "W1", "poisson:8", 1, p)};
    inst.offers = {Offer("A", "S1", 1)};
    inst.suppliers[0].moq_units = 20;
    PlanOptions opt;
    opt.include_purchase_cost = false;
    const PlanResult r = SolveOk(inst, opt);
    ASSERT_EQ(r.status, SolveStatus::kOptimal);
    const double q = Units(r, "A");
    EXPECT_TRUE(q == 0 || q >= 20) << q;
    if (p == 10.0) {
      EXPECT_DOUBLE_EQ(q, 20);
      EXPECT_EQ(Line(r, "A")->bound_by, BindingReason::kMoq);
      ASSERT_EQ(r.orders.size(), 1u);
      EXPECT_DOUBLE_EQ(r.orders[0].units, 20);
    } else {
      EXPECT_DOUBLE_EQ(q, 0);
      EXPECT_TRUE(r.lines.empty());
    }
  }
}

TEST(PurchasePlan, CasePacksRoundToTheCheaperSide) {
  // Demand exactly 30, cases of 12: 24 leaves 6 short (60), 36 leaves 6 over (6) -> 3 cases.
  PurchasePlanInstance inst = Base();
  inst.items = {Item("A", "W1", "normal:30,0", 1, 10)};
  inst.offers = {Offer("A", "S1", 1, 12)};
  PlanOptions opt;
  opt.include_purchase_cost = false;
  const PlanResult r = SolveOk(inst, opt);
  ASSERT_EQ(r.status, SolveStatus::kOptimal);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0].cases, 3);
  EXPECT_DOUBLE_EQ(r.lines[0].quantity, 36);
  EXPECT_EQ(r.lines[0].bound_by, BindingReason::kCasePack);
  EXPECT_NEAR(r.cost.total, 6, 1e-9);
}

TEST(PurchasePlan, CapacityBindsAndTheHigherPenaltyWins) {
  // Room for 50 units after ordering; A has 10 on hand. Demands 30 each: A (p = 10) is filled
  // to 30, B (p = 5) gets the remaining 20.
  PurchasePlanInstance inst = Base();
  inst.warehouses[0].capacity_units = 50;
  inst.items = {Item("A", "W1", "normal:30,0", 1, 10, 10), Item("B", "W1", "normal:30,0", 1, 5)};
  inst.offers = {Offer("A", "S1", 1), Offer("B", "S1", 1)};
  PlanOptions opt;
  opt.include_purchase_cost = false;
  const PlanResult r = SolveOk(inst, opt);
  ASSERT_EQ(r.status, SolveStatus::kOptimal);
  EXPECT_DOUBLE_EQ(Units(r, "A"), 20);
  EXPECT_DOUBLE_EQ(Units(r, "B"), 20);
  EXPECT_EQ(Line(r, "B")->bound_by, BindingReason::kCapacity);
  bool listed = false;
  for (const PlanBinding& b : r.binding) listed |= b.constraint == "capacity_units[W1]";
  EXPECT_TRUE(listed);

  // The same by volume: 2 m^3 per unit of B, 1 per unit of A, 70 m^3 in all (10 used by A).
  inst.warehouses[0].capacity_units = kInfinity;
  inst.warehouses[0].capacity_volume = 70;
  inst.items[0].unit_volume = 1;
  inst.items[1].unit_volume = 2;
  const PlanResult v = SolveOk(inst, opt);
  ASSERT_EQ(v.status, SolveStatus::kOptimal);
  EXPECT_DOUBLE_EQ(Units(v, "A"), 20);
  EXPECT_DOUBLE_EQ(Units(v, "B"), 20);
}

TEST(PurchasePlan, ContainerCostStopsAtAFullContainer) {
  // 1 m^3 per unit, containers of 10 m^3 at 50 each; demand exactly 12, p = 10: 10 units in
  // one container (50 + 20 short) beats 12 in two (100).
  PurchasePlanInstance inst = Base();
  inst.items = {Item("A", "W1", "normal:12,0", 1, 10)};
  inst.items[0].unit_volume = 1;
  inst.offers = {Offer("A", "S1", 1)};
  inst.suppliers[0].container_volume = 10;
  inst.suppliers[0].container_cost = 50;
  PlanOptions opt;
  opt.include_purchase_cost = false;
  const PlanResult r = SolveOk(inst, opt);
  ASSERT_EQ(r.status, SolveStatus::kOptimal);
  EXPECT_DOUBLE_EQ(Units(r, "A"), 10);
  EXPECT_EQ(Line(r, "A")->bound_by, BindingReason::kContainer);
  ASSERT_EQ(r.orders.size(), 1u);
  EXPECT_EQ(r.orders[0].containers, 1);
  EXPECT_NEAR(r.cost.total, 70, 1e-9);
}

TEST(PurchasePlan, ServiceTargetWithTooSmallBudgetIsInfeasibleWithTheBudgetInConflicts) {
  // 95 % cycle service on Poisson(20) needs a position of F^-1(0.95); price 1, budget 10.
  PurchasePlanInstance inst = Base();
  inst.items = {Item("A", "W1", "poisson:20", 1, 5)};
  inst.items[0].min_cycle_service = 0.95;
  inst.offers = {Offer("A", "S1", 1)};
  inst.budget = 10;
  const PlanResult r = SolveOk(inst);
  EXPECT_EQ(r.status, SolveStatus::kInfeasible);
  const double need = Dist("poisson:20").Quantile(0.95);
  ASSERT_EQ(r.conflicts.size(), 1u);
  EXPECT_EQ(r.conflicts[0].constraint, "budget");
  EXPECT_EQ(r.conflicts[0].group, "budget");
  EXPECT_NEAR(r.conflicts[0].relaxed_rhs, need, 1e-6);
  EXPECT_NEAR(r.conflicts[0].rhs_change, need - 10, 1e-6);
  EXPECT_TRUE(r.lines.empty());

  // With the budget it asks for, the plan is feasible and meets the target exactly.
  inst.budget = need;
  const PlanResult ok = SolveOk(inst);
  ASSERT_EQ(ok.status, SolveStatus::kOptimal);
  EXPECT_DOUBLE_EQ(Units(ok, "A"), need);
  EXPECT_GE(ok.lines[0].cycle_service, 0.95);
}

TEST(PurchasePlan, FillRateTargetIsMet) {
  PurchasePlanInstance inst = Base();
  inst.items = {Item("A", "W1", "poisson:40", 1, 0.5)};  // p alone would order little
  inst.items[0].min_fill_rate = 0.99;
  inst.offers = {Offer("A", "S1", 0.2)};
  const PlanResult r = SolveOk(inst);
  ASSERT_EQ(r.status, SolveStatus::kOptimal);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_GE(r.lines[0].fill_rate, 0.99 - 1e-9);
  EXPECT_EQ(r.lines[0].bound_by, BindingReason::kService);
  // One unit fewer would miss it.
  const auto d = Dist("poisson:40");
  EXPECT_GT(d.Loss(r.lines[0].quantity - 1), 0.01 * 40);
}

TEST(PurchasePlan, SuppliersClosedOnThePlanWeekdayAreLeftOut) {
  PurchasePlanInstance inst = Base();
  inst.order_date = Day(2026, 3, 3);  // a Tuesday
  inst.suppliers = {Supplier("CHEAP"), Supplier("DEAR")};
  inst.suppliers[0].order_weekdays = {true, false, false, false, false, false, false};
  inst.items = {Item("A", "W1", "poisson:10", 1, 10)};
  inst.offers = {Offer("A", "CHEAP", 1, 1, 3), Offer("A", "DEAR", 2, 1, 5)};
  const PlanResult r = SolveOk(inst);
  ASSERT_EQ(r.status, SolveStatus::kOptimal);
  ASSERT_FALSE(r.lines.empty());
  for (const PlanLine& l : r.lines) EXPECT_EQ(l.supplier, "DEAR");
  EXPECT_EQ(r.lines[0].expected_arrival, Day(2026, 3, 8));
  ASSERT_FALSE(r.notes.empty());
  EXPECT_EQ(r.notes[0],
            "supplier \"CHEAP\" takes no orders on Tuesday (order date 2026-03-03); its offers "
            "are not used");
  // On a Monday the cheap one is used.
  inst.order_date = Day(2026, 3, 2);
  const PlanResult m = SolveOk(inst);
  ASSERT_FALSE(m.lines.empty());
  for (const PlanLine& l : m.lines) EXPECT_EQ(l.supplier, "CHEAP");
}

TEST(PurchasePlan, FixedOrderCostConsolidatesSuppliers) {
  // Two suppliers with an order cost of 30 each: both SKUs go to the one order even though B
  // is 0.2 dearer there.
  PurchasePlanInstance inst = Base();
  inst.suppliers = {Supplier("S1"), Supplier("S2")};
  inst.suppliers[0].order_cost = 30;
  inst.suppliers[1].order_cost = 30;
  inst.items = {Item("A", "W1", "normal:20,0", 1, 10), Item("B", "W1", "normal:20,0", 1, 10)};
  inst.offers = {Offer("A", "S1", 1), Offer("B", "S1", 1.2), Offer("B", "S2", 1)};
  const PlanResult r = SolveOk(inst);
  ASSERT_EQ(r.status, SolveStatus::kOptimal);
  EXPECT_DOUBLE_EQ(Units(r, "A", "S1"), 20);
  EXPECT_DOUBLE_EQ(Units(r, "B", "S1"), 20);
  EXPECT_EQ(r.orders.size(), 1u);
  EXPECT_NEAR(r.cost.ordering, 30, 1e-9);
  EXPECT_NEAR(r.cost.total, 30 + 20 + 24, 1e-9);
}

// ---- brute force ----------------------------------------------------------------------------

// Independent exact cost of a case vector (not the library's evaluator): loops over the raw
// instance with DemandDistribution's own loss functions. Returns +inf when a rule is broken.
using CostMemo = std::map<std::pair<size_t, double>, double>;
double BruteCost(const PurchasePlanInstance& inst, const std::vector<PlanDecision>& decs,
                 const std::vector<int64_t>& cases, const PlanOptions& opt, CostMemo& memo) {
  std::vector<double> q(inst.items.size(), 0.0);
  std::vector<double> units(inst.suppliers.size() * inst.warehouses.size(), 0.0);
  std::vector<double> value(units.size(), 0.0), volume(units.size(), 0.0);
  auto wh_index = [&](const std::string& id) {
    for (size_t w = 0; w < inst.warehouses.size(); ++w) {
      if (inst.warehouses[w].id == id) return w;
    }
    return size_t{0};
  };
  auto sup_index = [&](const std::string& id) {
    for (size_t s = 0; s < inst.suppliers.size(); ++s) {
      if (inst.suppliers[s].id == id) return s;
    }
    return size_t{0};
  };
  double purchase = 0;
  for (size_t j = 0; j < decs.size(); ++j) {
    const PlanItem& it = inst.items[decs[j].item];
    const PlanOffer& o = inst.offers[decs[j].offer];
    const double u = o.case_pack * static_cast<double>(cases[j]);
    q[decs[j].item] += u;
    const size_t k = wh_index(it.warehouse) * inst.suppliers.size() + sup_index(o.supplier);
    units[k] += u;
    value[k] += u * o.unit_price;
    volume[k] += u * it.unit_volume;
    purchase += u * o.unit_price;
  }
  double fixed = 0;
  for (size_t k = 0; k < units.size(); ++k) {
    if (units[k] <= 0) continue;
    const PlanSupplier& s = inst.suppliers[k % inst.suppliers.size()];
    if (units[k] < s.moq_units - 1e-9 || value[k] < s.moq_value - 1e-9) return kInfinity;
    fixed += s.order_cost;
    if (s.container_volume > 0)
      fixed += s.container_cost * std::ceil(volume[k] / s.container_volume - 1e-9);
  }
  if (purchase + (opt.budget_includes_fixed_costs ? fixed : 0) > inst.budget + 1e-9)
    return kInfinity;
  double cost = fixed + (opt.include_purchase_cost ? purchase : 0);
  std::vector<double> wh_units(inst.warehouses.size(), 0.0);
  for (size_t i = 0; i < inst.items.size(); ++i) {
    const PlanItem& it = inst.items[i];
    const double y = it.on_hand + it.on_order + q[i];
    // DemandDistribution's own loss functions, memoised per (item, position): the enumeration
    // visits the same positions many times.
    const auto key = std::make_pair(i, y);
    auto found = memo.find(key);
    if (found == memo.end()) {
      found = memo.emplace(key, it.holding_cost * it.demand->ComplementaryLoss(y) +
                                    it.shortage_cost * it.demand->Loss(y))
                  .first;
    }
    cost += found->second;
    wh_units[wh_index(it.warehouse)] += y;
  }
  for (size_t w = 0; w < inst.warehouses.size(); ++w) {
    if (wh_units[w] > inst.warehouses[w].capacity_units + 1e-9) return kInfinity;
  }
  return cost;
}

PurchasePlanInstance RandomSmall(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto u = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
  auto k = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
  PurchasePlanInstance inst = Base();
  inst.suppliers = {Supplier("S1"), Supplier("S2")};
  for (auto& s : inst.suppliers) {
    s.order_cost = std::round(u(0, 20));
    s.moq_units = k(0, 1) ? k(4, 12) : 0;
  }
  const int n = k(2, 3);
  for (int i = 0; i < n; ++i) {
    const std::string sku = "K" + std::to_string(i);
    PlanItem it =
        Item(sku, "W1", "poisson:" + std::to_string(k(2, 9)), u(0.2, 1.5), u(2, 12), k(0, 3));
    inst.items.push_back(it);
    inst.offers.push_back(Offer(sku, "S1", std::round(u(1, 5) * 10) / 10, k(1, 3)));
    if (n == 2) inst.offers.push_back(Offer(sku, "S2", std::round(u(1, 5) * 10) / 10, k(2, 4)));
  }
  inst.budget = k(0, 1) ? std::round(u(15, 40)) : kInfinity;
  if (k(0, 1)) inst.warehouses[0].capacity_units = k(12, 25);
  return inst;
}

TEST(PurchasePlan, MipAgreesWithBruteForceOnSmallInstances) {
  int compared = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const PurchasePlanInstance inst = RandomSmall(seed);
    CostMemo memo;
    PlanOptions opt;
    opt.solve.relative_gap = 0;
    // Models this small solve fastest by plain branch and bound.
    opt.solve.cut_generators = false;
    opt.solve.primal_heuristics = false;
    auto problem = PurchasePlanProblem::Create(inst, opt);
    ASSERT_TRUE(problem.ok()) << Describe(problem.error());
    const auto& decs = problem->decisions();
    // Enumerate every case vector within the decision bounds.
    double best = kInfinity;
    std::vector<int64_t> cases(decs.size(), 0);
    std::function<void(size_t)> walk = [&](size_t j) {
      if (j == decs.size()) {
        best = std::min(best, BruteCost(inst, decs, cases, opt, memo));
        return;
      }
      for (int64_t c = 0; c <= decs[j].max_cases; ++c) {
        cases[j] = c;
        walk(j + 1);
      }
      cases[j] = 0;
    };
    walk(0);
    auto r = problem->Solve();
    ASSERT_TRUE(r.ok());
    if (!std::isfinite(best)) {
      EXPECT_EQ(r->status, SolveStatus::kInfeasible) << "seed " << seed;
      continue;
    }
    ASSERT_EQ(r->status, SolveStatus::kOptimal) << "seed " << seed;
    EXPECT_NEAR(r->cost.total, best, 1e-6 * std::max(1.0, best)) << "seed " << seed;
    // The MIP's own objective is exact here (a cut at every reachable quantity).
    EXPECT_NEAR(r->model_objective, r->cost.total, 1e-6 * std::max(1.0, best)) << "seed " << seed;
    ++compared;
  }
  EXPECT_GE(compared, 4);
}

TEST(PurchasePlan, EvaluateMatchesTheSolvedPlanAndFlagsViolations) {
  PurchasePlanInstance inst = Base();
  inst.items = {Item("A", "W1", "poisson:8", 1, 10)};
  inst.offers = {Offer("A", "S1", 1)};
  inst.suppliers[0].moq_units = 20;
  inst.budget = 20.5;
  auto problem = PurchasePlanProblem::Create(inst);
  ASSERT_TRUE(problem.ok());
  ASSERT_EQ(problem->decisions().size(), 1u);
  const PlanEvaluation low = problem->Evaluate({5});
  EXPECT_FALSE(low.feasible());
  ASSERT_EQ(low.violations.size(), 1u);
  EXPECT_EQ(low.violations[0], "moq_units[W1,S1]: 5 < 20");
  EXPECT_NEAR(low.violation, 15.0 / 20.0, 1e-12);
  ASSERT_GE(problem->decisions()[0].max_cases, 21);
  const PlanEvaluation high = problem->Evaluate({21});
  ASSERT_EQ(high.violations.size(), 1u);
  EXPECT_EQ(high.violations[0], "budget: 21 > 20.5");
  const PlanEvaluation ok = problem->Evaluate({20});
  EXPECT_TRUE(ok.feasible());
  const PlanResult heuristic = problem->MakeResult({5}, SolveStatus::kFeasible);
  EXPECT_EQ(heuristic.status, SolveStatus::kInfeasible);
  ASSERT_EQ(heuristic.conflicts.size(), 1u);
  EXPECT_EQ(heuristic.conflicts[0].constraint, "moq_units[W1,S1]");
}

TEST(PurchasePlan, LargerDemandUsesTheApproximateGridCloseToExact) {
  // Normal demand with mean 500: too many reachable quantities for exact cuts, so the grid is
  // spaced by sqrt(f); the MIP value and the exact cost at its plan agree closely, and the
  // plan is within a unit or two of the newsvendor quantity.
  PurchasePlanInstance inst = Base();
  inst.items = {Item("A", "W1", "normal:500,80", 1, 9)};
  inst.offers = {Offer("A", "S1", 0)};
  const PlanResult r = SolveOk(inst);
  ASSERT_EQ(r.status, SolveStatus::kOptimal);
  const double target = 500 + 80 * 1.2815515655446004;  // F^-1(0.9)
  EXPECT_NEAR(Units(r, "A"), target, 6);
  EXPECT_NEAR(r.model_objective, r.cost.total, 0.01 * r.cost.total);
}

TEST(PurchasePlan, CsvHasOneRowPerLineSortedBySupplier) {
  PurchasePlanInstance inst = Base();
  inst.suppliers = {Supplier("S2"), Supplier("S1")};
  inst.items = {Item("B", "W1", "normal:10,0", 1, 10), Item("A, \"x\"", "W1", "normal:5,0", 1, 10)};
  inst.offers = {Offer("B", "S2", 2.5, 1, 4), Offer("A, \"x\"", "S1", 1, 1, 2)};
  const PlanResult r = SolveOk(inst);
  ASSERT_EQ(r.status, SolveStatus::kOptimal);
  const auto rows = testing::ParseCsv(PurchaseOrderCsv(r));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"supplier", "warehouse", "sku", "quantity", "unit_price",
                                      "line_cost", "order_date", "expected_arrival"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"S1", "W1", "A, \"x\"", "5", "1", "5", "2026-03-02",
                                               "2026-03-04"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"S2", "W1", "B", "10", "2.5", "25", "2026-03-02",
                                               "2026-03-06"}));
  const auto dir = testing::TempDir("plan_csv");
  const std::string path = (dir / "po.csv").string();
  ASSERT_TRUE(WritePurchaseOrderCsv(r, path).ok());
  EXPECT_EQ(testing::ReadFile(path), PurchaseOrderCsv(r));
  EXPECT_FALSE(WritePurchaseOrderCsv(r, (dir / "no/such/dir/po.csv").string()).ok());
}

TEST(PurchasePlan, ValidationNamesTheFieldAndTheRule) {
  PurchasePlanInstance inst = Base();
  inst.suppliers[0].id = "S3";
  inst.suppliers[0].moq_units = -5;
  EXPECT_EQ(inst.Validate().error().message,
            "supplier \"S3\": moq_units = -5; must be >= 0 and finite");
  inst = Base();
  inst.items = {Item("A", "W9", "poisson:3", 1, 1)};
  EXPECT_EQ(inst.Validate().error().message,
            "item 0 (sku \"A\", warehouse \"W9\"): warehouse not in warehouses; available: W1");
  inst = Base();
  inst.offers = {Offer("A", "S1", 1, 0)};
  EXPECT_EQ(inst.Validate().error().message,
            "offer 0 (sku \"A\", supplier \"S1\"): case_pack = 0; must be > 0 and finite");
  PlanOptions opt;
  opt.relaxable = {"budgett"};
  EXPECT_EQ(opt.Validate().error().message,
            "PlanOptions::relaxable: unknown group \"budgett\"; available: budget, capacity, moq, "
            "container, service, link, cut");
  EXPECT_EQ(ParseBindingReason(ToString(BindingReason::kCasePack)), BindingReason::kCasePack);
}

}  // namespace
}  // namespace stockcast::optimize
