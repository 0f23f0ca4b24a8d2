#pragma once
// Simulation-optimisation of the parameters of one item's inventory policy: where the formulas
// of the policy library do not reach (non-normal lead-time demand, stochastic lead times, lost
// sales with long lead times, shelf life, disruption windows, replayed demand), search the
// integer parameters of a rule (S; s and S; r and Q; S or s and S with a fixed review period R)
// by running the simulator (simulator.h) on each candidate.
//
// OBJECTIVE: the simulator's cost per day (holding + ordering + shortage + purchase + expiry,
// divided by the measured days), averaged over the replications. With `min_fill_rate` the
// search is constrained: a candidate is FEASIBLE when its fill rate meets the target, and
// candidates are compared feasibility first (Deb 2000): a feasible candidate beats every
// infeasible one, two feasible ones compare by cost, two infeasible ones by their shortfall
// (target - fill rate), then by cost. No penalty weight has to be tuned. To make the target
// hold on fresh random numbers and not only on the search's own sample path, the search asks
// the lower end of the candidate's fill-rate confidence interval to meet it (the mean when there
// is one replication): the reported mean on an independent seed then meets it with high
// probability.
//
// COMMON RANDOM NUMBERS: every candidate runs on the same seed (the simulator gives each item
// its own demand and lead-time streams, so a candidate sees the very same demand and lead
// times as every other): differences between candidates are differences between policies, not
// between samples, and the search works on a deterministic function. The winner is then re-run
// with the independent seed of SimOptions (the search seed is DeriveSeed(seed, 0x5EA4C4) of the
// SimOptimizeOptions seed, never equal to it), so the reported estimate and its confidence
// intervals are not biased by the selection (the search's own minimum is optimistic: it picked
// the candidate that was luckiest on that sample path). The estimate equals `stockcast
// simulate` of the returned policy with the same SimOptions.
//
// START POLICY (formula based; also the centre of the default bounds): with mu, sigma the
// mean and sd of daily demand, Lbar and sd_L of the lead time (simulator days), R the review
// period (1 for the daily rules) and the protection interval P = Lbar + R - 1 days (an order at
// the end of day t covers days t + 1 .. t + R + L - 1, see the lead-time convention in
// simulator.h), the normal approximation
//   level = mu P + z sqrt(P sigma^2 + mu^2 sd_L^2),
//   z = Phi^-1(max(p / (p + h), min_fill_rate)) (0.95 when h or p is 0; clamped to [0.5, 0.999]),
// and EOQ = sqrt(2 K mu / h) (mu R when K or h is 0), give
//   base-stock S = level; ss s = level - 1, S = s + max(1, EOQ); rq r = level - 1, Q = max(1,
//   EOQ); rs S = level; rss s = level - 1, S = s + max(1, EOQ, mu R)   (all rounded).
// An explicit `start` replaces it (and fixes R for rs/rss); else the item's own policy when it
// has the requested kind; else the formula.
//
// SEARCH METHODS (all seeded, all stop after `max_evaluations` distinct simulated candidates;
// revisited candidates come from a cache and cost nothing):
//   search      pattern (compass) search, Hooke & Jeeves 1961 / Kolda, Lewis & Torczon 2003:
//               from the start, try +- step along each parameter and, for two parameters,
//               along the diagonal (both up or both down: shifts the whole rule); move to the
//               best improving neighbour; halve the step of a direction when it fails; stop
//               when every step is 1 and no neighbour improves (a local minimum of the CRN
//               objective on the integer lattice).
//   annealing   simulated annealing (Kirkpatrick, Gelatt & Vecchi 1983) on the same lattice:
//               a random direction and a random step (up to a range that shrinks with the
//               temperature); a worse candidate is accepted with probability exp(-delta / T),
//               delta the relative cost increase (both feasible) or 100 x the added shortfall
//               plus the relative cost increase (otherwise); T falls geometrically from 0.05
//               to 0.0005 over the budget; the best candidate ever seen is returned.
//   genetic     a small steady genetic algorithm: a population of 12 (the start and random
//               points in the bounds), binary tournaments by the feasibility-first rule,
//               uniform crossover of the integer parameters, mutation of each parameter with
//               probability 0.3 by a uniform step in +-(range / 8), elitism (the best always
//               survives).
// The candidates are always repaired into the bounds with s < S (S = s + 1 when needed).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/core/progress.h"
#include "stockcast/sim/inventory_policy.h"
#include "stockcast/sim/simulator.h"

namespace stockcast::sim {

enum class SearchMethod { kPatternSearch, kAnnealing, kGenetic };
// "search", "annealing", "genetic".
std::string_view ToString(SearchMethod method);
std::optional<SearchMethod> ParseSearchMethod(std::string_view text);

struct SimOptimizeOptions {
  // The rule to tune: base-stock, ss, rq, rs or rss (R stays that of the start policy).
  PolicyKind kind = PolicyKind::kSS;
  // Constraint: fill rate >= this, in (0, 1); unset = minimise the cost alone.
  std::optional<double> min_fill_rate;
  SearchMethod method = SearchMethod::kPatternSearch;
  int max_evaluations = 200;  // distinct candidates simulated, >= 1
  uint64_t seed = 42;         // search: common random numbers and the method's own choices
  // Start policy (of `kind`); default: the item's policy when of `kind`, else the formula above.
  std::optional<InventoryPolicy> start;
  // R for rs/rss when neither `start` nor the item's policy gives one (>= 1).
  int review_period = 7;
  // Bounds of the levels s, S, r (and of Q, S - s <= max_level - min_level):
  // default [0, ceil(4 x + 2 EOQ) + 10], x = mu (P + 1) the mean demand over lead time plus
  // review period.
  std::optional<int64_t> min_level;
  std::optional<int64_t> max_level;
  // Replications per candidate during the search (0 = SimOptions::replications); the reported
  // estimate always uses SimOptions::replications.
  int search_replications = 0;
  size_t max_trace = 1000;  // candidates kept in the trace, in evaluation order
  // "max_evaluations = 0; must be >= 1", "min_fill_rate = 1.2; must be in (0, 1)", ...
  Status Validate() const;
};

struct SimOptimizeResult {
  InventoryPolicy best;
  InventoryPolicy start;           // where the search began
  MetricEstimates estimate;        // the winner re-run on SimOptions' seed (independent), totals
  MetricEstimates start_estimate;  // the start policy on the same independent seed
  double search_cost = 0;          // the winner's cost per day on the search seed (optimistic)
  int evaluations = 0;             // candidates simulated
  bool constraint_met = true;      // estimate's mean fill rate >= min_fill_rate (true without)
  int64_t min_level = 0;           // the bounds used
  int64_t max_level = 0;
  std::string explanation;
  // Evaluated candidates and their cost per day on the search seed, in evaluation order (at
  // most max_trace).
  std::vector<std::pair<InventoryPolicy, double>> trace;
};

// The formula-based start policy of `kind` for `item` (see START POLICY above). Errors: a kind
// that has no parameters (none), an item without demand.
Result<InventoryPolicy> FormulaPolicy(const ItemSpec& item, PolicyKind kind,
                                      std::optional<double> min_fill_rate = std::nullopt,
                                      int review_period = 7);

// Optimises item.policy's parameters; the item's other fields (demand, lead time, costs, shelf
// life, disruptions, shortage mode) define the system. Errors name the field and the rule; a
// target the bounds cannot reach is not an error: constraint_met = false and the explanation
// says so. Progress: stage "simulation-optimisation", fraction of the budget used.
Result<SimOptimizeResult> OptimizePolicy(const ItemSpec& item, const SimOptions& options,
                                         const SimOptimizeOptions& optimize,
                                         const ProgressFn& progress = {});

}  // namespace stockcast::sim
