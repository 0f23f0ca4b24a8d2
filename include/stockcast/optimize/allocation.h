#pragma once
// Multi-warehouse allocation as a linear program (CLP): supply at sources (supplier receipts,
// warehouses with excess stock) flows over lanes to warehouses with a need.
//
// Variables: x_l >= 0 units on lane l (source -> destination), s_d in [0, need_d] units of
// destination d's need served on time.
//   min  sum_l c_l x_l                                  transport
//      + sum_d h_d (R_d - s_d)                          holding of what arrives but is not used
//      + sum_d p_d (need_d - s_d)                       shortage
//      - sum_s k_s (sum_{l from s} x_l) + const          leftover supply (k_s per unit kept)
//   serve[d]:    s_d <= T_d = sum of x_l on lanes into d that arrive by d's need day
//   supply[s]:   sum_{l from s} x_l <= supply_s                      group "supply"
//   ship_all[s]: sum_{l from s} x_l >= supply_s  (must_ship_all)     group "ship_all"
//   capacity[d]: R_d = sum_{l into d} x_l <= capacity_d              group "capacity"
//   lane[l]:     x_l <= lane capacity                                group "lane"
// A lane arrives on day available_day(source) + lead_time(lane); a unit arriving after the
// destination's need day does not serve that need (it only adds holding cost), which is how
// lead times enter a single-period LP.
//
// Duals. With pi_d the dual of serve[d] (d objective / d rhs, <= 0 in a minimisation), one more
// unit already at d before its need day is worth -pi_d - h_d: it lets s_d grow by one when
// that pays (saving p_d, or the cost of the unit that would have come by lane), and otherwise
// it is only held. One more unit of supply at s is worth -(dual of supply[s] + dual of
// ship_all[s]). These are LP marginal values: valid for small changes around the solution.
#include <limits>
#include <string>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/optimize/mip.h"

namespace stockcast::optimize {

struct AllocationSource {
  std::string id;
  double supply = 0;           // >= 0 units available to ship
  double available_day = 0;    // day the supply can leave (receipt day, today = 0)
  bool must_ship_all = false;  // e.g. a cross-dock receipt that cannot stay where it is
  double leftover_cost = 0;    // >= 0 per unit not shipped (0 for a warehouse keeping stock)
};

struct AllocationDestination {
  std::string id;
  double need = 0;              // >= 0 units needed by need_day
  double need_day = 0;          // day by which the need must be in stock
  double capacity = kInfinity;  // > 0 units the warehouse can receive; inf = unlimited
  double holding_cost = 0;      // >= 0 per unit received and not used for the need
  double shortage_cost = 0;     // >= 0 per unit of need not served on time
};

struct AllocationLane {
  std::string source;
  std::string destination;
  double cost_per_unit = 0;     // >= 0 transport cost
  double capacity = kInfinity;  // > 0 units; inf = unlimited
  double lead_time_days = 0;    // >= 0
};

struct AllocationProblem {
  std::vector<AllocationSource> sources;
  std::vector<AllocationDestination> destinations;
  std::vector<AllocationLane> lanes;
  // Names each bad field and the rule: "lane 2 (\"DC\" -> \"W9\"): destination not in
  // destinations; available: W1, W2".
  Status Validate() const;
};

struct AllocationOptions {
  SolveOptions solve;
  Status Validate() const { return solve.Validate(); }
};

struct AllocationFlow {
  std::string source;
  std::string destination;
  double quantity = 0;
  double cost = 0;  // quantity x cost_per_unit
  double arrival_day = 0;
  bool on_time = false;  // arrives by the destination's need day
  std::string explanation;
};

struct DestinationOutcome {
  std::string id;
  double need = 0;
  double received = 0;  // every unit in
  double served = 0;    // need met on time
  double shortage = 0;  // need - served
  double excess = 0;    // received - served (held)
  double holding_cost = 0;
  double shortage_cost = 0;
  double value_of_unit = 0;  // saving from one more unit at the warehouse before its need day
  std::string explanation;
};

struct SourceOutcome {
  std::string id;
  double supply = 0;
  double shipped = 0;
  double leftover = 0;
  double value_of_unit = 0;  // saving from one more unit of supply here
};

struct AllocationResult {
  SolveStatus status = SolveStatus::kError;
  double total_cost = 0;
  double transport_cost = 0;
  double holding_cost = 0;
  double shortage_cost = 0;
  double leftover_cost = 0;
  std::vector<AllocationFlow> flows;  // lanes with quantity > 0
  std::vector<DestinationOutcome> destinations;
  std::vector<SourceOutcome> sources;
  std::vector<Conflict> conflicts;  // status kInfeasible
  double seconds = 0;
  std::string message;
};

Result<AllocationResult> SolveAllocation(const AllocationProblem& problem,
                                         const AllocationOptions& options = {});

}  // namespace stockcast::optimize
