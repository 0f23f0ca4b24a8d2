#pragma once
// The purchase plan across SKUs, warehouses and suppliers as a mixed-integer program.
//
// Data. Per SKU x warehouse ("item" i): inventory position IP_i = on hand + on order, demand
// D_i over the protection period (lead time + review period), holding cost h_i per unit left
// over and shortage penalty p_i per unit short at the end of it, unit volume v_i. Per SKU x
// supplier ("offer"): unit price c, case pack m (units per case), lead time. Per supplier s:
// minimum order quantity in units and/or value per (supplier, warehouse) order, fixed cost K_s
// per such order, the weekdays on which it takes orders, and optionally a container volume V_s
// with a cost per container. Per warehouse: capacity in volume and/or units. A global budget B.
//
// Decisions. n[i,s] >= 0 integer cases of item i from supplier s (q_i = sum_s m_s n[i,s] units),
// y[w,s] binary "an order goes from s to w", c[w,s] >= 0 integer containers.
//
// Objective (minimise):
//   sum K_s y[w,s] + sum C_s c[w,s] + [sum c m n]            (ordering, containers, purchase)
//   + sum_i h_i E[(IP_i + q_i - D_i)+] + p_i E[(D_i - IP_i - q_i)+]   (holding, shortage)
// The last two are convex in q (Zipkin 2000, ch. 6): with n(y) = E[(D - y)+] the loss function
// and nb(y) = E[(y - D)+] = n(y) + y - E[D], the item cost is (h + p) n(IP + q) + h (IP + q -
// E[D]), so one epigraph variable e_i >= n(IP_i + q_i) carries both. n is replaced by its outer
// piecewise-linear approximation: tangent cuts at grid points y_k,
//   e_i >= n(y_k) + n'(y_k) (IP_i + q_i - y_k),   n'(y) = F(y) - 1 (right derivative),
// which underestimates n between grid points and is exact at them. The grid holds every
// quantity reachable with the item's case packs (multiples of their gcd) when there are at most
// PlanOptions::max_cuts_per_item of them up to the (1 - tail) quantile, so small plans are
// solved exactly; otherwise it is spaced evenly in probability between F(IP) and 1 - tail.
// Reported costs (PlanResult::cost) are always the exact expectations at the chosen plan; the
// MIP's own value is PlanResult::model_objective.
//
// Constraints (name: group):
//   budget: sum c m n [+ sum K y + sum C c] <= B                        "budget"
//   capacity_units[w]: sum_i (IP_i + q_i) <= units cap;  capacity_volume[w] with v_i   "capacity"
//     (the position after ordering must fit: demand during the lead time is not counted on)
//   link[i,s]: n[i,s] <= N_is y[w,s]   (N_is = the variable's own upper bound: the tightest M)
//   moq_units[w,s]: sum m n >= MOQ_units y;  moq_value[w,s]: sum c m n >= MOQ_value y   "moq"
//   container[w,s]: sum v m n <= V_s c[w,s]                                    "container"
//   fill_rate[i]: e_i <= (1 - beta_i) E[D_i];  cycle_service[i]: q_i >= F^-1(alpha_i) - IP_i
//                                                                              "service"
//   cut[i,k]: the tangent cuts                                                 "cut"
// Upper bounds: no item needs more than max(F^-1(1 - tail) - IP, the largest MOQ of its
// suppliers in units); beyond that only holding cost accrues. Suppliers whose order weekdays
// exclude the plan's weekday are left out (PlanResult::notes says so).
//
// Solving. The LP relaxation is solved first (CLP); its plan is rounded down to whole cases
// (budget and capacity rows have non-negative coefficients, so they still hold), orders below
// their minimum are raised or dropped, service targets are repaired, and a local search on the
// exact cost improves it (single-case moves, exchanges ranked by cost per unit of the shared
// resources priced at their LP duals, supplier switches per item). When that plan is within
// SolveOptions::relative_gap of the LP bound it is the answer (large plans: the integer
// effects are small against the total); otherwise it is CBC's MIP start. PlanOptions::
// lp_rounding = false goes straight to CBC.
//
// Infeasibility: the elastic re-solve (mip.h) relaxes the groups in PlanOptions::relaxable
// (default budget and capacity: "to meet the service targets the budget must grow by X"), each
// constraint's slack weighted by 1 / max(1, |rhs|) so groups of different units compare.
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"
#include "stockcast/optimize/mip.h"
#include "stockcast/policy/demand_distribution.h"

namespace stockcast::optimize {

// One SKU at one warehouse.
struct PlanItem {
  std::string sku;
  std::string warehouse;
  double on_hand = 0;   // may be negative (backorders)
  double on_order = 0;  // >= 0, arriving within the protection period
  // Demand over the protection period (lead time + review period). When absent,
  // Normal(demand_mean, demand_sd).
  std::optional<policy::DemandDistribution> demand;
  double demand_mean = 0;
  double demand_sd = 0;
  double unit_volume = 0;        // >= 0, same unit as the capacities and container volumes
  double holding_cost = 0;       // >= 0 per unit left over at the end of the protection period
  double shortage_cost = 0;      // >= 0 per unit short over the protection period
  double min_fill_rate = 0;      // required 1 - E[short] / E[D], in [0, 1); 0 = none
  double min_cycle_service = 0;  // required P(D <= IP + q), in [0, 1); 0 = none
  // >= 0: at most this many units for the item (e.g. what its replenishment policy orders,
  // when the plan only has to cut those orders down to a budget or capacity); inf = no cap.
  double max_quantity = std::numeric_limits<double>::infinity();
};

// One SKU from one supplier.
struct PlanOffer {
  std::string sku;
  std::string supplier;
  double unit_price = 0;   // >= 0
  double case_pack = 1;    // > 0 units per case; orders are whole cases
  int lead_time_days = 0;  // >= 0, for the expected arrival date
};

struct PlanSupplier {
  std::string id;
  double moq_units = 0;   // >= 0 units per (supplier, warehouse) order; 0 = none
  double moq_value = 0;   // >= 0 money per (supplier, warehouse) order; 0 = none
  double order_cost = 0;  // >= 0 fixed cost per (supplier, warehouse) order
  // ISO weekdays on which the supplier takes orders: [0] = Monday ... [6] = Sunday.
  std::array<bool, 7> order_weekdays = {true, true, true, true, true, true, true};
  double container_volume = 0;  // > 0 to ship in containers; 0 = no containers
  double container_cost = 0;    // >= 0 per container (when container_volume > 0)
};

struct PlanWarehouse {
  std::string id;
  double capacity_volume = kInfinity;  // > 0; inf = unlimited
  double capacity_units = kInfinity;   // > 0; inf = unlimited
};

struct PurchasePlanInstance {
  Date order_date;  // the plan's weekday selects the suppliers
  std::vector<PlanItem> items;
  std::vector<PlanOffer> offers;
  std::vector<PlanSupplier> suppliers;
  std::vector<PlanWarehouse> warehouses;
  double budget = kInfinity;  // > 0; inf = none
  // Names each bad field and the rule: "supplier \"S3\": moq_units = -5; must be >= 0".
  Status Validate() const;
};

struct PlanOptions {
  bool include_purchase_cost = true;        // purchase cost c m n in the objective
  bool budget_includes_fixed_costs = true;  // budget pays order and container costs too
  int max_cuts_per_item = 32;               // >= 2 tangent cuts per item
  // Before branch and bound: solve the LP relaxation, round and repair its plan, improve it by
  // local search; return it when it is within solve.relative_gap of the LP bound, else hand
  // it to CBC as the MIP start.
  bool lp_rounding = true;
  double tail_probability = 1e-6;  // in (0, 0.01]: grid and bounds stop at 1 - tail
  std::vector<std::string> relaxable = {"budget", "capacity"};  // groups for the diagnosis
  SolveOptions solve;
  Status Validate() const;
};

// Why a line is not at its item's own newsvendor quantity (a diagnosis for the reader).
enum class BindingReason { kNone, kBudget, kCapacity, kMoq, kCasePack, kContainer, kService };
// "none", "budget", "capacity", "moq", "case_pack", "container", "service".
std::string_view ToString(BindingReason reason);
std::optional<BindingReason> ParseBindingReason(std::string_view text);

struct PlanLine {
  std::string sku;
  std::string warehouse;
  std::string supplier;
  double quantity = 0;  // units = cases x case_pack
  int64_t cases = 0;
  double case_pack = 1;
  double unit_price = 0;
  double cost = 0;  // quantity x unit_price
  Date order_date;
  Date expected_arrival;       // order_date + lead time
  double expected_demand = 0;  // E[D] over the protection period
  double demand_sd = 0;
  double inventory_position = 0;  // on hand + on order before the plan
  double position_after = 0;      // + every line of this SKU at this warehouse
  double expected_shortage = 0;   // E[(D - position_after)+]
  double fill_rate = 0;           // 1 - expected_shortage / E[D]
  double cycle_service = 0;       // P(D <= position_after)
  // The item's own optimum ignoring budget, capacity, MOQ and containers:
  // F^-1((p - c) / (p + h)) - IP, c = unit_price when the purchase cost counts, else 0.
  double newsvendor_quantity = 0;
  BindingReason bound_by = BindingReason::kNone;
  std::string explanation;
};

// One (supplier, warehouse) purchase order.
struct PlanOrder {
  std::string supplier;
  std::string warehouse;
  double units = 0;
  double value = 0;  // purchase value
  double volume = 0;
  int64_t containers = 0;
  double fixed_cost = 0;      // order cost
  double container_cost = 0;  // containers x cost per container
};

// A resource or rule constraint that limits the plan: one more case of some line would break
// it (or one fewer, for the minimums).
struct PlanBinding {
  std::string constraint;  // "budget", "capacity_volume[W1]", "moq_units[W1,S2]", ...
  std::string group;       // "budget", "capacity", "moq", "container", "service"
  double activity = 0;
  double limit = 0;
  std::string message;
};

struct PlanCost {
  double total = 0;
  double ordering = 0;   // fixed order costs
  double purchase = 0;   // purchase value (in total only when include_purchase_cost)
  double container = 0;  // container costs
  double holding = 0;    // sum h E[(IP + q - D)+]
  double shortage = 0;   // sum p E[(D - IP - q)+]
};

struct PlanResult {
  SolveStatus status = SolveStatus::kError;
  PlanCost cost;  // exact expectations at the plan (when there is one)
  double model_objective = std::numeric_limits<double>::quiet_NaN();  // the MIP's value
  double best_bound = std::numeric_limits<double>::quiet_NaN();
  double gap = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0;
  int64_t nodes = 0;
  std::vector<PlanLine> lines;    // one per (sku, warehouse, supplier) with quantity > 0
  std::vector<PlanOrder> orders;  // one per (supplier, warehouse) with an order
  std::vector<PlanBinding> binding;
  std::vector<Conflict> conflicts;  // status kInfeasible: what must give, by how much
  std::vector<std::string> notes;   // unavailable suppliers, items without offers, ...
  std::string message;              // solver detail
};

// A plan evaluated exactly: costs and how far it breaks each rule.
struct PlanEvaluation {
  PlanCost cost;
  // Sum of relative violations: budget excess / budget, capacity excess / capacity, MOQ
  // shortfall / MOQ, fill-rate and cycle-service shortfall in units / E[D]. 0 = feasible.
  double violation = 0;
  std::vector<std::string> violations;  // "budget: 1200 > 1000", ...
  bool feasible() const { return violation <= 1e-9; }
};

// One integer decision: the cases of one item from one (available) supplier.
struct PlanDecision {
  size_t item = 0;   // index into PurchasePlanInstance::items
  size_t offer = 0;  // index into PurchasePlanInstance::offers
  double case_pack = 1;
  int64_t max_cases = 0;  // safe upper bound (see the header comment)
};

// The validated instance with its derived structure: the decision list shared by the MIP, the
// exact evaluator and the metaheuristics, so that they optimise the same problem.
class PurchasePlanProblem {
 public:
  static Result<PurchasePlanProblem> Create(const PurchasePlanInstance& instance,
                                            const PlanOptions& options = {});
  PurchasePlanProblem(PurchasePlanProblem&&) noexcept;
  PurchasePlanProblem& operator=(PurchasePlanProblem&&) noexcept;
  ~PurchasePlanProblem();

  const PurchasePlanInstance& instance() const;
  const PlanOptions& options() const;
  const std::vector<PlanDecision>& decisions() const;
  const std::vector<std::string>& notes() const;

  // The MIP (CBC).
  Result<PlanResult> Solve() const;
  // The MIP model itself (for inspection or a custom solve): variable j < decisions().size()
  // is n for decisions()[j].
  Model BuildModel() const;

  // Exact costs and rule violations of `cases` (one entry per decision). describe = false skips
  // the violation texts (for the inner loop of a search).
  PlanEvaluation Evaluate(const std::vector<int64_t>& cases, bool describe = true) const;
  // A result built from `cases` (lines, orders, binding, explanations), e.g. from a
  // metaheuristic; status kFeasible, or kInfeasible with the violations as conflicts.
  PlanResult MakeResult(const std::vector<int64_t>& cases, SolveStatus status) const;
  // Each item's newsvendor quantity from its cheapest available offer, rounded up to whole
  // cases: a starting point for local search.
  std::vector<int64_t> NewsvendorStart() const;
  // The same, each item from `supplier` when it offers the item (else the cheapest offer).
  std::vector<int64_t> NewsvendorStart(const std::string& supplier) const;

  struct Impl;  // defined in purchase_plan.cpp

 private:
  explicit PurchasePlanProblem(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Create + Solve.
Result<PlanResult> SolvePurchasePlan(const PurchasePlanInstance& instance,
                                     const PlanOptions& options = {});

// Synthetic instances for benchmarks, tests and demos (deterministic by seed). Every supplier
// offers every SKU at a price within +-12 % of the SKU's base price (log-uniform 2..80), in its
// own case pack (1, 6, 12, 4, 24, ... by supplier); even suppliers have a unit MOQ (100-400 x
// moq_scale), odd ones a value MOQ (1000-4000 x moq_scale); order costs 50-200. Demand over
// the protection period: 40 % Poisson (mean 1-20), 40 % negative binomial (mean 10-150, size
// 2-10), 20 % normal (mean 100-600, cv 0.2-0.4), all x demand_scale. Holding 10-25 % and
// shortage 1-3x the base price; on hand 0-60 % of mean demand. The budget is budget_fraction
// of the spend of the unconstrained newsvendor plan, the second warehouse's volume capacity
// capacity_fraction of what that plan fills (inf when the fraction is 0).
struct PlanGeneratorOptions {
  uint64_t seed = 1;
  int skus = 1000;
  int warehouses = 3;
  int suppliers = 5;
  double demand_scale = 1;
  double moq_scale = 1;
  double budget_fraction = 0.7;
  double capacity_fraction = 0.6;
};
PurchasePlanInstance GeneratePlanInstance(const PlanGeneratorOptions& options);

// Purchase-order CSV: header supplier,warehouse,sku,quantity,unit_price,line_cost,order_date,
// expected_arrival; one row per line, sorted by supplier, warehouse, sku; RFC 4180 quoting.
std::string PurchaseOrderCsv(const PlanResult& plan);
Status WritePurchaseOrderCsv(const PlanResult& plan, const std::string& path);

}  // namespace stockcast::optimize
