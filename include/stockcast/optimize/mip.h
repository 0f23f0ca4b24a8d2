#pragma once
// A small modelling facade over COIN-OR CBC (mixed-integer) and CLP (pure LP): variables with
// bounds and names, named linear constraints tagged with a group, a linear objective that is
// minimised. The COIN-OR headers stay in src/optimize/mip.cpp (STYLE rule 3).
//
//   Model m;
//   const int x = m.AddInteger("x", 0, 10, -5.0);          // objective coefficient -5
//   const int y = m.AddInteger("y", 0, 10, -4.0);
//   m.AddConstraint("wood", {{x, 6}, {y, 4}}, Sense::kLessEqual, 24, "resources");
//   auto r = Solve(m);                                     // Result<SolveResult>
//   if (r.ok() && r->status == SolveStatus::kOptimal) use(r->values[x]);
//
// A call's error is not a solve's outcome (STYLE rule 5): Solve returns an Error only for a
// malformed model or options; an infeasible, unbounded or timed-out model is a successful call
// whose SolveResult says so.
//
// Infeasibility diagnosis (elastic programming; Chinneck, "Feasibility and Infeasibility in
// Optimization", 2008, ch. 6): when the model is infeasible, Solve re-solves an elastic copy in
// which every constraint of a relaxable group gets a non-negative slack
//     a x <= b  ->  a x - s <= b          a x >= b  ->  a x + s >= b
//     a x  = b  ->  a x + s+ - s- = b
// and the objective becomes  min sum_i w_i s_i  (w = group weight x constraint weight). The
// constraints whose slack is positive at the optimum form the conflict list, each with the
// change of its right-hand side that restores feasibility. The elastic copy keeps integrality,
// so "you need 37 more units of budget" accounts for case packs and order minimums. With no
// group marked relaxable every constraint is; when relaxing the marked groups is not enough,
// every constraint is relaxed and the result says so.
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/error.h"

namespace stockcast::optimize {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

enum class VarType { kContinuous, kInteger, kBinary };
enum class Sense { kLessEqual, kGreaterEqual, kEqual };
// kOptimal: proven optimal within SolveOptions::relative_gap.
// kFeasible: a solution, not proven optimal (time limit).
// kTimeLimitNoSolution: stopped on the time limit before any solution was found.
// kError: the solver failed (numerical trouble, an exception); SolveResult::message says why.
enum class SolveStatus {
  kOptimal,
  kFeasible,
  kInfeasible,
  kUnbounded,
  kTimeLimitNoSolution,
  kError
};

// Every enum maps to a string and back here (STYLE rule 8).
// "continuous", "integer", "binary".
std::string_view ToString(VarType type);
std::optional<VarType> ParseVarType(std::string_view text);
// "<=", ">=", "=".
std::string_view ToString(Sense sense);
std::optional<Sense> ParseSense(std::string_view text);
// "optimal", "feasible", "infeasible", "unbounded", "time_limit_no_solution", "error".
std::string_view ToString(SolveStatus status);
std::optional<SolveStatus> ParseSolveStatus(std::string_view text);

struct Variable {
  std::string name;
  VarType type = VarType::kContinuous;
  double lower = 0;
  double upper = kInfinity;
  double objective = 0;  // coefficient in the minimised objective
};

struct Term {
  int variable = 0;
  double coefficient = 0;
};

struct Constraint {
  std::string name;
  std::string group;  // tag for diagnosis ("budget", "capacity", ...); may be empty
  std::vector<Term> terms;
  Sense sense = Sense::kLessEqual;
  double rhs = 0;
  // Multiplies the group weight in the elastic objective: lets constraints of one group with
  // different scales (warehouse capacities of 100 and 100,000 m^3) weigh slack relatively.
  double slack_weight = 1;
};

class Model {
 public:
  // Returns the variable's index. Binary variables have bounds [0, 1].
  int AddVariable(std::string name, VarType type, double lower, double upper, double objective = 0);
  int AddContinuous(std::string name, double lower = 0, double upper = kInfinity,
                    double objective = 0);
  int AddInteger(std::string name, double lower, double upper, double objective = 0);
  int AddBinary(std::string name, double objective = 0);
  // Returns the constraint's index. Terms on the same variable add up.
  int AddConstraint(std::string name, std::vector<Term> terms, Sense sense, double rhs,
                    std::string group = {});

  void SetObjective(int variable, double coefficient);
  void AddToObjective(int variable, double coefficient);
  // Constant added to the objective (reported values include it).
  void SetObjectiveOffset(double offset) { objective_offset_ = offset; }
  // Marks a constraint group as relaxable in the elastic diagnosis, with the weight of one
  // unit of its slack.
  void SetRelaxable(const std::string& group, double weight = 1);
  void SetSlackWeight(int constraint, double weight);

  const std::vector<Variable>& variables() const { return variables_; }
  const std::vector<Constraint>& constraints() const { return constraints_; }
  const std::map<std::string, double>& relaxable_groups() const { return relaxable_; }
  double objective_offset() const { return objective_offset_; }
  int num_variables() const { return static_cast<int>(variables_.size()); }
  int num_constraints() const { return static_cast<int>(constraints_.size()); }
  bool HasIntegers() const;
  // The same model with every variable continuous (its optimum bounds the MIP's from below).
  Model LinearRelaxation() const;

  // Checks bounds (lower <= upper, finite where required), coefficients (finite), variable
  // indices and relaxable weights; the error names the variable or constraint and the rule:
  // "constraint \"budget\": coefficient of \"n[3]\" = nan; must be finite".
  Status Validate() const;

  // Evaluation at a point x (one value per variable).
  double ObjectiveValue(const std::vector<double>& x) const;
  double Activity(int constraint, const std::vector<double>& x) const;
  // max over bounds, integrality and constraints of the violation at x (0 = feasible).
  double MaxViolation(const std::vector<double>& x) const;

 private:
  std::vector<Variable> variables_;
  std::vector<Constraint> constraints_;
  std::map<std::string, double> relaxable_;
  double objective_offset_ = 0;
};

struct SolveOptions {
  // > 0; kInfinity = no limit. CBC checks it between phases: the root node of a very large
  // model can overrun it by several seconds.
  double time_limit_s = 60;
  double relative_gap = 1e-4;  // stop when (objective - bound) / |objective| <= this; >= 0
  int threads = 1;             // >= 1 (CBC's own threads; only when CBC was built with them)
  int log = 0;                 // solver log level 0 (silent) .. 3
  bool diagnose_infeasibility = true;  // run the elastic re-solve on an infeasible model
  // CBC's cut generators (Gomory, MIR, knapsack cover, ...). They tighten the bound on large
  // models; on small ones the root cut loop can cost more than the whole search.
  bool cut_generators = true;
  // CBC's primal heuristics (feasibility pump, RINS, ...): find good solutions early on large
  // models; small ones are solved as fast by the search alone.
  bool primal_heuristics = true;
  // MIP start: one value per variable (empty = none); CBC fixes the integers, solves for the
  // continuous ones and keeps the result as its first incumbent when feasible. Ignored by LPs.
  std::vector<double> initial_solution;
  Status Validate() const;
};

// One constraint that needed slack in the elastic re-solve.
struct Conflict {
  std::string constraint;
  std::string group;
  Sense sense = Sense::kLessEqual;
  double rhs = 0;
  // Signed change of the right-hand side that made the elastic model feasible: > 0 raises a
  // "<=" limit, < 0 lowers a ">=" requirement.
  double rhs_change = 0;
  double relaxed_rhs = 0;  // rhs + rhs_change
  std::string message;     // "budget <= 1000 needs 1450 (+450)"
};

struct SolveResult {
  SolveStatus status = SolveStatus::kError;
  double objective = std::numeric_limits<double>::quiet_NaN();   // incl. the offset
  double best_bound = std::numeric_limits<double>::quiet_NaN();  // proven lower bound
  double gap =
      std::numeric_limits<double>::quiet_NaN();  // (objective - bound) / max(|objective|, 1e-9)
  std::vector<double> values;                    // one per variable when a solution exists
  std::vector<double> duals;          // pure LPs: d objective / d rhs, one per constraint
  std::vector<double> reduced_costs;  // pure LPs: one per variable
  std::vector<Conflict> conflicts;    // infeasible models (with diagnosis on)
  // Infeasible models: true when relaxing only the relaxable groups restored feasibility.
  bool conflicts_within_relaxable = false;
  double seconds = 0;            // wall time of the solve, diagnosis included
  int64_t nodes = 0;             // branch-and-bound nodes (0 for LPs)
  bool used_mip_solver = false;  // CBC; CLP when false
  std::string message;           // solver detail (errors, diagnosis notes)

  bool has_solution() const {
    return status == SolveStatus::kOptimal || status == SolveStatus::kFeasible;
  }
  double Value(int variable) const { return values.at(static_cast<size_t>(variable)); }
};

// CBC when the model has integer or binary variables, CLP otherwise. The solver's log output
// is silent unless options.log > 0. Third-party exceptions become status kError.
Result<SolveResult> Solve(const Model& model, const SolveOptions& options = {});

// The elastic re-solve alone (Solve calls it on infeasible models): conflicts of the relaxable
// groups, or of every constraint when none is marked or the marked ones are not enough.
Result<SolveResult> DiagnoseInfeasibility(const Model& model, const SolveOptions& options = {});

}  // namespace stockcast::optimize
