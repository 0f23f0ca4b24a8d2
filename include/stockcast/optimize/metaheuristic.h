#pragma once
// Simulated annealing and a genetic algorithm over an integer decision vector with bounds and
// an objective callback (penalties for broken rules belong in the callback), deterministic by
// seed: the random numbers come from std::mt19937_64 (fully specified by the standard) through
// our own integer and real mappings, so a seed gives the same search on every platform.
//
// Applied to
//   (a) the purchase plan (purchase_plan.h): the same PurchasePlanProblem the MIP solves, with
//       x = cases per decision, so the two can be compared on small instances;
//   (b) joint (s, S) policies for several warehouses that share one supplier's capacity per
//       period, each candidate evaluated by a seeded simulation (SimulateJointSS).
//
// Simulated annealing (Kirkpatrick, Gelatt & Vecchi 1983): a random neighbour x' of x is
// accepted with probability min(1, exp(-(f(x') - f(x)) / T)); T falls geometrically from T0 to
// T0 * final_temperature_ratio. T0 = 0 picks T0 so that an average uphill move of a random walk
// from the start is accepted with probability 1/2 (T0 = mean uphill delta / ln 2). Neighbours:
// one coordinate +-1 (most often) or +-a larger step, set to a random value or to its lower
// bound, a transfer (+1 on one coordinate, -1 on another), or (when blocks are given) a whole
// block set to its lower bounds or copied from the best point.
//
// Genetic algorithm (Goldberg 1989; elitist generations): a first population of the starts,
// copies of them with a few random mutations or closed blocks, and 10 % uniform random points;
// tournament selection,
// uniform crossover that inherits whole blocks together, per-gene mutation (+-1, +-step,
// random value, lower bound), the `elite` best carried over unchanged.
//
// Both finish with a polish: descent over +-1 and lower-bound moves of one coordinate, unit
// transfers inside a block (between any two coordinates when there are at most 128) and whole
// blocks to their lower bounds, until no move improves (a
// local optimum in that neighbourhood).
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/optimize/mip.h"
#include "stockcast/optimize/purchase_plan.h"
#include "stockcast/policy/demand_distribution.h"

namespace stockcast::optimize {

struct IntegerProblem {
  std::vector<int64_t> lower;  // one per coordinate
  std::vector<int64_t> upper;  // >= lower
  // Minimised; must be finite. Penalise broken rules here.
  std::function<double(const std::vector<int64_t>&)> objective;
  // Optional: whether a point keeps every rule. When set, the result is the best feasible
  // point seen (the search may still cross infeasible ones, paying the penalty), and the
  // polish only moves between feasible points. Called right after `objective` on the same x.
  std::function<bool(const std::vector<int64_t>&)> feasible;
  std::vector<int64_t> initial;  // optional start inside the bounds (empty = lower bounds)
  // Optional further starts: annealing runs one chain from each start (initial first), the
  // iterations shared evenly; the genetic algorithm puts them in its first population.
  std::vector<std::vector<int64_t>> more_starts;
  // Optional groups of coordinates that belong together (one supplier order, one warehouse's
  // (s, Q)): block moves and block-wise crossover.
  std::vector<std::vector<size_t>> blocks;
  Status Validate() const;
};

struct AnnealingOptions {
  uint64_t seed = 1;
  int64_t iterations = 20000;             // >= 1 neighbour evaluations
  double initial_temperature = 0;         // >= 0; 0 = automatic (see above)
  double final_temperature_ratio = 1e-4;  // in (0, 1]
  bool polish = true;
  Status Validate() const;
};

struct GeneticOptions {
  uint64_t seed = 1;
  int population = 40;          // >= 4
  int generations = 150;        // >= 1
  double crossover_rate = 0.9;  // in [0, 1]
  double mutation_rate = 0;     // in [0, 1]; 0 = 1 / dimension
  int elite = 2;                // in [0, population)
  int tournament = 3;           // >= 2
  bool polish = true;
  Status Validate() const;
};

struct SearchResult {
  std::vector<int64_t> best;  // best feasible point (best point when no predicate is given)
  double best_value = std::numeric_limits<double>::infinity();
  bool feasible = true;  // false: no feasible point was found; best is the least penalised
  int64_t evaluations = 0;
  double seconds = 0;
};

Result<SearchResult> SimulatedAnnealing(const IntegerProblem& problem,
                                        const AnnealingOptions& options = {});
Result<SearchResult> GeneticAlgorithm(const IntegerProblem& problem,
                                      const GeneticOptions& options = {});

enum class SearchAlgorithm { kAnnealing, kGenetic };
// "annealing", "genetic".
std::string_view ToString(SearchAlgorithm algorithm);
std::optional<SearchAlgorithm> ParseSearchAlgorithm(std::string_view text);

// ---- (a) purchase plans ---------------------------------------------------------------------

// The purchase plan as an IntegerProblem: x = cases per decision in [0, max_cases], starts =
// NewsvendorStart() and NewsvendorStart(s) for every supplier s, blocks = the decisions of each
// (supplier, warehouse) order, objective =
//   exact cost + P violation,   P = 0.3 (1 + C0),   C0 = cost of ordering nothing
// (PlanEvaluation::violation is the sum of relative rule violations: an order 10 % short of its
// minimum costs 0.1 P), feasible = no violation. The penalty lets the search pass through plans
// that break a rule (opening a new order takes several steps below its minimum) while the
// result is the best feasible plan; P = 0.3 C0 searched better than 0.1 C0 or 1-3 C0 on the
// benchmark's 20 instances. Keeps a reference to `problem`.
IntegerProblem PurchasePlanSearchProblem(const PurchasePlanProblem& problem);

// The plan found by the metaheuristic: status kFeasible (a heuristic proves nothing), or
// kInfeasible with the broken rules as conflicts when no feasible plan was found.
Result<PlanResult> SolvePurchasePlanAnnealing(const PurchasePlanProblem& problem,
                                              const AnnealingOptions& options = {});
Result<PlanResult> SolvePurchasePlanGenetic(const PurchasePlanProblem& problem,
                                            const GeneticOptions& options = {});

// ---- (b) joint (s, S) under a shared supplier capacity --------------------------------------

struct JointSSWarehouse {
  std::string id;
  policy::DemandDistribution demand;  // per period
  int lead_time = 1;                  // >= 0 periods
  double holding_cost = 1;            // > 0 per unit on hand at the end of a period
  double backorder_cost = 9;          // > 0 per unit backordered at the end of a period
  double order_cost = 50;             // > 0 per shipment received from the supplier
};

struct JointSSProblem {
  std::vector<JointSSWarehouse> warehouses;
  double supplier_capacity = kInfinity;  // > 0 units shipped per period over all warehouses
  Status Validate() const;
};

// The simulation (one supplier, periodic review every period, backorders):
//   demand: drawn once per (warehouse, period) from the seed and reused for every candidate
//     (common random numbers: candidates differ only by their policy, which makes the search's
//     comparisons far less noisy; Law, "Simulation Modeling and Analysis", ch. 11);
//   each period t, in order:
//     1. shipments due at t arrive;
//     2. review: every warehouse whose inventory position (net stock + in transit) is <= s
//        asks for S - position;
//     3. the supplier ships at most `supplier_capacity` in all: when the requests exceed it,
//        each gets its proportional share rounded down, the leftover units going one by one
//        to the largest remainders (ties: warehouse order); unshipped requests lapse (the
//        warehouse asks again at its next review);
//     4. a shipment with lead time L arrives at the start of period t + L (L = 0: before
//        this period's demand), costing order_cost when non-empty;
//     5. demand is met from stock or backordered;
//     6. costs h per unit on hand and p per unit backordered at the end of the period.
//   The first `warmup` periods are discarded; costs are per period over the rest.
// With unlimited capacity a warehouse follows the single-item (s, S) model of
// policy::OptimizeSS exactly (Zheng & Federgruen 1991), which the tests use to check it.
struct JointSSSimulation {
  int periods = 2000;  // >= 1 measured periods
  int warmup = 200;    // >= 0
  uint64_t seed = 1;
  Status Validate() const;
};

struct JointSSEvaluation {
  double cost_per_period = 0;
  std::vector<double> warehouse_cost;  // per period
  std::vector<double> fill_rate;       // demand met from stock / demand
  double capacity_utilisation = 0;     // shipped / (capacity x periods); 0 when unlimited
  double rationed_periods = 0;         // share of periods in which requests exceeded capacity
};

Result<JointSSEvaluation> SimulateJointSS(const JointSSProblem& problem,
                                          const std::vector<int64_t>& reorder_point,
                                          const std::vector<int64_t>& order_up_to,
                                          const JointSSSimulation& simulation = {});

struct JointSSOptions {
  SearchAlgorithm algorithm = SearchAlgorithm::kAnnealing;
  JointSSSimulation simulation;
  AnnealingOptions annealing = {1, 1500, 0, 1e-3, true};
  GeneticOptions genetic = {1, 24, 40, 0.9, 0, 2, 3, true};
  Status Validate() const;
};

struct JointSSResult {
  std::vector<int64_t> reorder_point;  // s per warehouse
  std::vector<int64_t> order_up_to;    // S per warehouse
  JointSSEvaluation evaluation;
  // Each warehouse's own exact (s, S) (policy::OptimizeSS, capacity ignored), simulated with
  // the shared capacity: the starting point and the baseline.
  std::vector<int64_t> independent_reorder_point, independent_order_up_to;
  JointSSEvaluation independent;
  SearchResult search;
  std::string explanation;
};

// Decision per warehouse: s and Q = S - s >= 1, searched around the independent optimum.
Result<JointSSResult> OptimizeJointSS(const JointSSProblem& problem,
                                      const JointSSOptions& options = {});

}  // namespace stockcast::optimize
