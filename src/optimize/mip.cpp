#include "stockcast/optimize/mip.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

// COIN-OR headers: this file is the only place that sees them (pimpl facade, STYLE rule 3).
#include <coin/CbcModel.hpp>
#include <coin/CbcSolver.hpp>
#include <coin/ClpSimplex.hpp>
#include <coin/CoinError.hpp>
#include <coin/CoinPackedMatrix.hpp>
#include <coin/OsiClpSolverInterface.hpp>

namespace stockcast::optimize {
namespace {

// ---- enum <-> string tables (the one place, STYLE rule 8) -----------------------------------

template <typename E, size_t N>
using Table = std::array<std::pair<E, std::string_view>, N>;

constexpr Table<VarType, 3> kVarTypes = {{{VarType::kContinuous, "continuous"},
                                          {VarType::kInteger, "integer"},
                                          {VarType::kBinary, "binary"}}};
constexpr Table<Sense, 3> kSenses = {
    {{Sense::kLessEqual, "<="}, {Sense::kGreaterEqual, ">="}, {Sense::kEqual, "="}}};
constexpr Table<SolveStatus, 6> kStatuses = {
    {{SolveStatus::kOptimal, "optimal"},
     {SolveStatus::kFeasible, "feasible"},
     {SolveStatus::kInfeasible, "infeasible"},
     {SolveStatus::kUnbounded, "unbounded"},
     {SolveStatus::kTimeLimitNoSolution, "time_limit_no_solution"},
     {SolveStatus::kError, "error"}}};

template <typename E, size_t N>
std::string_view Name(const Table<E, N>& table, E value) {
  for (const auto& [e, s] : table) {
    if (e == value) return s;
  }
  return "?";
}
template <typename E, size_t N>
std::optional<E> Lookup(const Table<E, N>& table, std::string_view text) {
  for (const auto& [e, s] : table) {
    if (s == text) return e;
  }
  return std::nullopt;
}

bool IsInteger(VarType t) { return t != VarType::kContinuous; }

double ToCoin(double v) {
  if (v == kInfinity) return COIN_DBL_MAX;
  if (v == -kInfinity) return -COIN_DBL_MAX;
  return v;
}

// CbcMain0/CbcMain1 (2.10) keep some state in statics; one solve at a time is the safe use.
std::mutex& CoinMutex() {
  static std::mutex m;
  return m;
}

struct RawResult {
  SolveStatus status = SolveStatus::kError;
  double objective = std::numeric_limits<double>::quiet_NaN();
  double bound = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> values, duals, reduced_costs;
  int64_t nodes = 0;
  bool mip = false;
  std::string message;
};

// Loads `model` into a CLP solver interface: a row-ordered sparse matrix, bounds with COIN's
// infinity, integrality, and the objective offset (Osi reports c x - OsiObjOffset).
void Load(const Model& model, OsiClpSolverInterface& solver) {
  const auto& vars = model.variables();
  const auto& rows = model.constraints();
  const int n = model.num_variables();
  const int m = model.num_constraints();
  std::vector<CoinBigIndex> start(static_cast<size_t>(m) + 1, 0);
  std::vector<int> length(static_cast<size_t>(m), 0);
  std::vector<int> index;
  std::vector<double> value;
  std::vector<double> row_lo(static_cast<size_t>(m)), row_hi(static_cast<size_t>(m));
  for (int r = 0; r < m; ++r) {
    const Constraint& c = rows[static_cast<size_t>(r)];
    start[static_cast<size_t>(r)] = static_cast<CoinBigIndex>(index.size());
    for (const Term& t : c.terms) {
      index.push_back(t.variable);
      value.push_back(t.coefficient);
    }
    length[static_cast<size_t>(r)] = static_cast<int>(c.terms.size());
    row_lo[static_cast<size_t>(r)] = c.sense == Sense::kLessEqual ? -COIN_DBL_MAX : ToCoin(c.rhs);
    row_hi[static_cast<size_t>(r)] = c.sense == Sense::kGreaterEqual ? COIN_DBL_MAX : ToCoin(c.rhs);
  }
  start[static_cast<size_t>(m)] = static_cast<CoinBigIndex>(index.size());
  CoinPackedMatrix matrix(false, n, m, static_cast<CoinBigIndex>(index.size()), value.data(),
                          index.data(), start.data(), length.data());
  std::vector<double> col_lo(static_cast<size_t>(n)), col_hi(static_cast<size_t>(n)),
      obj(static_cast<size_t>(n));
  for (int j = 0; j < n; ++j) {
    const Variable& v = vars[static_cast<size_t>(j)];
    col_lo[static_cast<size_t>(j)] = ToCoin(v.lower);
    col_hi[static_cast<size_t>(j)] = ToCoin(v.upper);
    obj[static_cast<size_t>(j)] = v.objective;
  }
  solver.loadProblem(matrix, col_lo.data(), col_hi.data(), obj.data(), row_lo.data(),
                     row_hi.data());
  for (int j = 0; j < n; ++j) {
    if (IsInteger(vars[static_cast<size_t>(j)].type)) solver.setInteger(j);
  }
  solver.setDblParam(OsiObjOffset, -model.objective_offset());
}

void SetLogLevel(OsiClpSolverInterface& solver, int log) {
  solver.messageHandler()->setLogLevel(log);
  solver.getModelPtr()->messageHandler()->setLogLevel(log);
}

RawResult SolveLp(const Model& model, const SolveOptions& options) {
  RawResult out;
  OsiClpSolverInterface solver;
  Load(model, solver);
  SetLogLevel(solver, options.log);
  if (std::isfinite(options.time_limit_s)) {
    solver.getModelPtr()->setMaximumSeconds(options.time_limit_s);
  }
  solver.initialSolve();
  const int n = model.num_variables();
  if (solver.isProvenOptimal()) {
    out.status = SolveStatus::kOptimal;
    out.values.assign(solver.getColSolution(), solver.getColSolution() + n);
    out.duals.assign(solver.getRowPrice(), solver.getRowPrice() + model.num_constraints());
    out.reduced_costs.assign(solver.getReducedCost(), solver.getReducedCost() + n);
    out.objective = model.ObjectiveValue(out.values);
    out.bound = out.objective;
  } else if (solver.isProvenPrimalInfeasible()) {
    out.status = SolveStatus::kInfeasible;
  } else if (solver.isProvenDualInfeasible()) {
    out.status = SolveStatus::kUnbounded;
  } else if (solver.isIterationLimitReached() || solver.getModelPtr()->hitMaximumIterations()) {
    out.status = SolveStatus::kTimeLimitNoSolution;
    out.message = "clp stopped on its time or iteration limit";
  } else {
    out.status = SolveStatus::kError;
    out.message =
        fmt::format("clp abandoned the solve (status {}, secondary {})",
                    solver.getModelPtr()->status(), solver.getModelPtr()->secondaryStatus());
  }
  return out;
}

RawResult SolveMip(const Model& model, const SolveOptions& options) {
  RawResult out;
  out.mip = true;
  OsiClpSolverInterface solver;
  Load(model, solver);
  SetLogLevel(solver, options.log);
  std::vector<std::pair<std::string, double>> start;
  if (!options.initial_solution.empty()) {
    // CBC matches a MIP start by column name; internal names are unique where the model's
    // need not be.
    for (int j = 0; j < model.num_variables(); ++j) {
      std::string name = "x" + std::to_string(j);
      solver.setColName(j, name);
      start.emplace_back(std::move(name), options.initial_solution[static_cast<size_t>(j)]);
    }
  }
  CbcModel cbc(solver);
  if (!start.empty()) cbc.setMIPStart(start);
  cbc.setLogLevel(options.log);
  cbc.messageHandler()->setLogLevel(options.log);

  // CbcMain1 runs CBC's standard driver: preprocessing, the default cut generators (probing,
  // Gomory, knapsack cover, MIR, flow cover, clique) and primal heuristics (feasibility pump,
  // RINS, ...), which a bare CbcModel::branchAndBound would not add.
  CbcSolverUsefulData data;
  data.noPrinting_ = options.log == 0;
  data.useSignalHandler_ = false;
  CbcMain0(cbc, data);
  std::vector<std::string> args = {"stockcast", "-log", std::to_string(options.log)};
  if (std::isfinite(options.time_limit_s)) {
    args.insert(args.end(), {"-sec", fmt::format("{}", options.time_limit_s)});
  }
  args.insert(args.end(), {"-ratio", fmt::format("{}", options.relative_gap)});
  if (options.threads > 1) args.insert(args.end(), {"-threads", std::to_string(options.threads)});
  if (!options.cut_generators) args.insert(args.end(), {"-cuts", "off"});
  if (!options.primal_heuristics) args.insert(args.end(), {"-heuristics", "off"});
  args.insert(args.end(), {"-solve", "-quit"});
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  CbcMain1(
      static_cast<int>(argv.size()), argv.data(), cbc, [](CbcModel*, int) { return 0; }, data);

  out.nodes = cbc.getNodeCount();
  const int n = model.num_variables();
  const double* best = cbc.bestSolution();
  if (best != nullptr && cbc.getNumCols() == n) {
    out.values.assign(best, best + n);
    for (int j = 0; j < n; ++j) {
      if (IsInteger(model.variables()[static_cast<size_t>(j)].type)) {
        out.values[static_cast<size_t>(j)] = std::round(out.values[static_cast<size_t>(j)]);
      }
    }
    out.objective = model.ObjectiveValue(out.values);
    out.bound = std::min(cbc.getBestPossibleObjValue(), out.objective);
    // Stopped on the gap (secondary status 2) is optimal within SolveOptions::relative_gap.
    out.status = cbc.isProvenOptimal() || cbc.secondaryStatus() == 2 ? SolveStatus::kOptimal
                                                                     : SolveStatus::kFeasible;
    if (out.status == SolveStatus::kOptimal && !(out.bound > -COIN_DBL_MAX / 2)) {
      out.bound = out.objective;
    }
  } else if (cbc.isProvenInfeasible() || cbc.secondaryStatus() == 1) {
    out.status = SolveStatus::kInfeasible;
  } else if (cbc.isContinuousUnbounded() || cbc.secondaryStatus() == 7) {
    out.status = SolveStatus::kUnbounded;
  } else if (cbc.isSecondsLimitReached() || cbc.secondaryStatus() == 4) {
    out.status = SolveStatus::kTimeLimitNoSolution;
    out.bound = cbc.getBestPossibleObjValue();
  } else {
    out.status = SolveStatus::kError;
    out.message = fmt::format("cbc stopped without a solution (status {}, secondary {})",
                              cbc.status(), cbc.secondaryStatus());
  }
  return out;
}

// The adapter boundary: every COIN-OR exception stops here.
RawResult SolveRaw(const Model& model, const SolveOptions& options) {
  std::lock_guard<std::mutex> lock(CoinMutex());
  try {
    return model.HasIntegers() ? SolveMip(model, options) : SolveLp(model, options);
  } catch (const CoinError& e) {
    RawResult r;
    r.message =
        fmt::format("COIN-OR error in {}::{}: {}", e.className(), e.methodName(), e.message());
    return r;
  } catch (const std::exception& e) {
    RawResult r;
    r.message = fmt::format("solver exception: {}", e.what());
    return r;
  } catch (...) {
    RawResult r;
    r.message = "solver threw an unknown exception";
    return r;
  }
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

SolveResult FromRaw(RawResult raw) {
  SolveResult r;
  r.status = raw.status;
  r.objective = raw.objective;
  r.best_bound = raw.bound;
  if (r.has_solution() && std::isfinite(raw.bound)) {
    r.gap = std::max(0.0, raw.objective - raw.bound) / std::max(std::fabs(raw.objective), 1e-9);
  }
  r.values = std::move(raw.values);
  r.duals = std::move(raw.duals);
  r.reduced_costs = std::move(raw.reduced_costs);
  r.nodes = raw.nodes;
  r.used_mip_solver = raw.mip;
  r.message = std::move(raw.message);
  return r;
}

std::string Number(double v) { return fmt::format("{:.6g}", v); }

// Elastic copy of `model`: a slack on each constraint for which relax(row) gives a weight > 0.
struct Elastic {
  Model model;
  // Per original constraint: slack variable(s) (-1 = none); for "=" the second is s-.
  std::vector<std::pair<int, int>> slack;
};

template <typename WeightFn>
Elastic MakeElastic(const Model& model, WeightFn weight) {
  Elastic e;
  for (const Variable& v : model.variables()) {
    e.model.AddVariable(v.name, v.type, v.lower, v.upper, 0.0);
  }
  const auto& rows = model.constraints();
  e.slack.assign(rows.size(), {-1, -1});
  for (size_t r = 0; r < rows.size(); ++r) {
    const Constraint& c = rows[r];
    std::vector<Term> terms = c.terms;
    const double w = weight(c);
    if (w > 0) {
      const int s = e.model.AddContinuous("slack:" + c.name, 0, kInfinity, w);
      e.slack[r].first = s;
      switch (c.sense) {
        case Sense::kLessEqual:
          terms.push_back({s, -1.0});
          break;
        case Sense::kGreaterEqual:
          terms.push_back({s, 1.0});
          break;
        case Sense::kEqual: {
          const int s2 = e.model.AddContinuous("slack-:" + c.name, 0, kInfinity, w);
          e.slack[r].second = s2;
          terms.push_back({s, 1.0});
          terms.push_back({s2, -1.0});
          break;
        }
      }
    }
    e.model.AddConstraint(c.name, std::move(terms), c.sense, c.rhs, c.group);
  }
  return e;
}

std::vector<Conflict> ReadConflicts(const Model& model, const Elastic& e,
                                    const std::vector<double>& x) {
  std::vector<Conflict> out;
  const auto& rows = model.constraints();
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto [s1, s2] = e.slack[r];
    if (s1 < 0) continue;
    const Constraint& c = rows[r];
    double change = 0;
    const double v1 = x[static_cast<size_t>(s1)];
    switch (c.sense) {
      case Sense::kLessEqual:
        change = v1;
        break;
      case Sense::kGreaterEqual:
        change = -v1;
        break;
      case Sense::kEqual:
        change = x[static_cast<size_t>(s2)] - v1;
        break;
    }
    const double tol = 1e-7 * std::max(1.0, std::fabs(c.rhs));
    if (std::fabs(change) <= tol) continue;
    Conflict k;
    k.constraint = c.name;
    k.group = c.group;
    k.sense = c.sense;
    k.rhs = c.rhs;
    k.rhs_change = change;
    k.relaxed_rhs = c.rhs + change;
    k.message = fmt::format("{} {} {} needs {} ({}{})", c.name, ToString(c.sense), Number(c.rhs),
                            Number(k.relaxed_rhs), change > 0 ? "+" : "", Number(change));
    out.push_back(std::move(k));
  }
  std::sort(out.begin(), out.end(), [](const Conflict& a, const Conflict& b) {
    return std::fabs(a.rhs_change) > std::fabs(b.rhs_change);
  });
  return out;
}

}  // namespace

std::string_view ToString(VarType type) { return Name(kVarTypes, type); }
std::optional<VarType> ParseVarType(std::string_view text) { return Lookup(kVarTypes, text); }
std::string_view ToString(Sense sense) { return Name(kSenses, sense); }
std::optional<Sense> ParseSense(std::string_view text) { return Lookup(kSenses, text); }
std::string_view ToString(SolveStatus status) { return Name(kStatuses, status); }
std::optional<SolveStatus> ParseSolveStatus(std::string_view text) {
  return Lookup(kStatuses, text);
}

// ---- Model ----------------------------------------------------------------------------------

int Model::AddVariable(std::string name, VarType type, double lower, double upper,
                       double objective) {
  if (type == VarType::kBinary) {
    lower = std::max(lower, 0.0);
    upper = std::min(upper, 1.0);
  }
  variables_.push_back(Variable{std::move(name), type, lower, upper, objective});
  return static_cast<int>(variables_.size()) - 1;
}
int Model::AddContinuous(std::string name, double lower, double upper, double objective) {
  return AddVariable(std::move(name), VarType::kContinuous, lower, upper, objective);
}
int Model::AddInteger(std::string name, double lower, double upper, double objective) {
  return AddVariable(std::move(name), VarType::kInteger, lower, upper, objective);
}
int Model::AddBinary(std::string name, double objective) {
  return AddVariable(std::move(name), VarType::kBinary, 0, 1, objective);
}

int Model::AddConstraint(std::string name, std::vector<Term> terms, Sense sense, double rhs,
                         std::string group) {
  // Merge repeated variables and drop zeros: the sparse matrix wants one entry per column.
  std::sort(terms.begin(), terms.end(),
            [](const Term& a, const Term& b) { return a.variable < b.variable; });
  std::vector<Term> merged;
  merged.reserve(terms.size());
  for (const Term& t : terms) {
    if (!merged.empty() && merged.back().variable == t.variable) {
      merged.back().coefficient += t.coefficient;
    } else {
      merged.push_back(t);
    }
  }
  std::erase_if(merged, [](const Term& t) { return t.coefficient == 0.0; });
  constraints_.push_back(
      Constraint{std::move(name), std::move(group), std::move(merged), sense, rhs, 1.0});
  return static_cast<int>(constraints_.size()) - 1;
}

void Model::SetObjective(int variable, double coefficient) {
  variables_.at(static_cast<size_t>(variable)).objective = coefficient;
}
void Model::AddToObjective(int variable, double coefficient) {
  variables_.at(static_cast<size_t>(variable)).objective += coefficient;
}
void Model::SetRelaxable(const std::string& group, double weight) { relaxable_[group] = weight; }
void Model::SetSlackWeight(int constraint, double weight) {
  constraints_.at(static_cast<size_t>(constraint)).slack_weight = weight;
}

Model Model::LinearRelaxation() const {
  Model lp = *this;
  for (Variable& v : lp.variables_) v.type = VarType::kContinuous;
  return lp;
}

bool Model::HasIntegers() const {
  return std::any_of(variables_.begin(), variables_.end(),
                     [](const Variable& v) { return IsInteger(v.type); });
}

Status Model::Validate() const {
  for (const Variable& v : variables_) {
    if (std::isnan(v.lower) || std::isnan(v.upper) || v.lower == kInfinity ||
        v.upper == -kInfinity) {
      return Error::InvalidArgument(
          fmt::format("variable \"{}\": bounds [{}, {}]; lower must be < +inf and upper > -inf",
                      v.name, v.lower, v.upper));
    }
    if (v.lower > v.upper) {
      return Error::InvalidArgument(
          fmt::format("variable \"{}\": lower = {} > upper = {}; must be lower <= upper", v.name,
                      v.lower, v.upper));
    }
    if (!std::isfinite(v.objective)) {
      return Error::InvalidArgument(fmt::format(
          "variable \"{}\": objective coefficient = {}; must be finite", v.name, v.objective));
    }
  }
  const int n = num_variables();
  for (const Constraint& c : constraints_) {
    if (!std::isfinite(c.rhs)) {
      return Error::InvalidArgument(
          fmt::format("constraint \"{}\": rhs = {}; must be finite", c.name, c.rhs));
    }
    if (!(c.slack_weight > 0) || !std::isfinite(c.slack_weight)) {
      return Error::InvalidArgument(fmt::format(
          "constraint \"{}\": slack_weight = {}; must be > 0 and finite", c.name, c.slack_weight));
    }
    for (const Term& t : c.terms) {
      if (t.variable < 0 || t.variable >= n) {
        return Error::InvalidArgument(fmt::format(
            "constraint \"{}\": variable index {}; must be in [0, {})", c.name, t.variable, n));
      }
      if (!std::isfinite(t.coefficient)) {
        return Error::InvalidArgument(
            fmt::format("constraint \"{}\": coefficient of \"{}\" = {}; must be finite", c.name,
                        variables_[static_cast<size_t>(t.variable)].name, t.coefficient));
      }
    }
  }
  for (const auto& [group, w] : relaxable_) {
    if (!(w > 0) || !std::isfinite(w)) {
      return Error::InvalidArgument(
          fmt::format("relaxable group \"{}\": weight = {}; must be > 0 and finite", group, w));
    }
  }
  if (!std::isfinite(objective_offset_)) {
    return Error::InvalidArgument(
        fmt::format("objective offset = {}; must be finite", objective_offset_));
  }
  return Status::Ok();
}

double Model::ObjectiveValue(const std::vector<double>& x) const {
  double z = objective_offset_;
  for (size_t j = 0; j < variables_.size(); ++j) z += variables_[j].objective * x[j];
  return z;
}

double Model::Activity(int constraint, const std::vector<double>& x) const {
  double a = 0;
  for (const Term& t : constraints_.at(static_cast<size_t>(constraint)).terms) {
    a += t.coefficient * x[static_cast<size_t>(t.variable)];
  }
  return a;
}

double Model::MaxViolation(const std::vector<double>& x) const {
  double worst = 0;
  for (size_t j = 0; j < variables_.size(); ++j) {
    const Variable& v = variables_[j];
    worst = std::max({worst, v.lower - x[j], x[j] - v.upper});
    if (IsInteger(v.type)) worst = std::max(worst, std::fabs(x[j] - std::round(x[j])));
  }
  for (int r = 0; r < num_constraints(); ++r) {
    const Constraint& c = constraints_[static_cast<size_t>(r)];
    const double a = Activity(r, x);
    switch (c.sense) {
      case Sense::kLessEqual:
        worst = std::max(worst, a - c.rhs);
        break;
      case Sense::kGreaterEqual:
        worst = std::max(worst, c.rhs - a);
        break;
      case Sense::kEqual:
        worst = std::max(worst, std::fabs(a - c.rhs));
        break;
    }
  }
  return worst;
}

Status SolveOptions::Validate() const {
  if (!(time_limit_s > 0)) {
    return Error::InvalidArgument(
        fmt::format("SolveOptions::time_limit_s = {}; must be > 0 (inf = no limit)", time_limit_s));
  }
  if (!(relative_gap >= 0) || !std::isfinite(relative_gap)) {
    return Error::InvalidArgument(
        fmt::format("SolveOptions::relative_gap = {}; must be >= 0 and finite", relative_gap));
  }
  if (threads < 1) {
    return Error::InvalidArgument(fmt::format("SolveOptions::threads = {}; must be >= 1", threads));
  }
  if (log < 0 || log > 3) {
    return Error::InvalidArgument(fmt::format("SolveOptions::log = {}; must be in [0, 3]", log));
  }
  return Status::Ok();
}

// ---- Solve ----------------------------------------------------------------------------------

Result<SolveResult> DiagnoseInfeasibility(const Model& model, const SolveOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  SC_RETURN_IF_ERROR(model.Validate());
  const auto start = std::chrono::steady_clock::now();
  SolveResult out;
  out.status = SolveStatus::kInfeasible;
  const auto& groups = model.relaxable_groups();
  auto relax_all = [](const Constraint& c) { return c.slack_weight; };
  auto relax_marked = [&groups](const Constraint& c) {
    const auto it = groups.find(c.group);
    return it == groups.end() ? 0.0 : it->second * c.slack_weight;
  };
  SolveOptions inner = options;
  inner.diagnose_infeasibility = false;
  inner.initial_solution.clear();
  // Feasibility questions do not need a tight optimality gap on the total slack.
  inner.relative_gap = std::max(options.relative_gap, 1e-6);

  std::vector<std::string> notes;
  auto attempt = [&](bool marked) -> bool {
    Elastic e = marked ? MakeElastic(model, relax_marked) : MakeElastic(model, relax_all);
    const RawResult raw = SolveRaw(e.model, inner);
    out.used_mip_solver = raw.mip;
    out.nodes += raw.nodes;
    if (raw.status == SolveStatus::kOptimal || raw.status == SolveStatus::kFeasible) {
      out.conflicts = ReadConflicts(model, e, raw.values);
      if (raw.status == SolveStatus::kFeasible) {
        notes.push_back(
            "elastic re-solve hit the time limit: the slack shown is feasible, not "
            "necessarily minimal");
      }
      return true;
    }
    notes.push_back(fmt::format(
        "elastic re-solve relaxing {}: {}{}", marked ? "the relaxable groups" : "every constraint",
        ToString(raw.status), raw.message.empty() ? "" : " (" + raw.message + ")"));
    return false;
  };
  if (!groups.empty() && attempt(true)) {
    out.conflicts_within_relaxable = true;
  } else if (!attempt(false)) {
    notes.push_back("variable bounds and integrality alone admit no solution");
  }
  std::string joined;
  for (const auto& n : notes) joined += (joined.empty() ? "" : "; ") + n;
  out.message = joined;
  out.seconds = Seconds(start);
  return out;
}

Result<SolveResult> Solve(const Model& model, const SolveOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  SC_RETURN_IF_ERROR(model.Validate());
  if (!options.initial_solution.empty() &&
      options.initial_solution.size() != static_cast<size_t>(model.num_variables())) {
    return Error::InvalidArgument(fmt::format(
        "SolveOptions::initial_solution has {} values; must be empty or one per variable ({})",
        options.initial_solution.size(), model.num_variables()));
  }
  const auto start = std::chrono::steady_clock::now();
  SolveResult result = FromRaw(SolveRaw(model, options));
  if (result.status == SolveStatus::kInfeasible && options.diagnose_infeasibility) {
    SC_ASSIGN_OR_RETURN(SolveResult diag, DiagnoseInfeasibility(model, options));
    result.conflicts = std::move(diag.conflicts);
    result.conflicts_within_relaxable = diag.conflicts_within_relaxable;
    result.nodes += diag.nodes;
    if (!diag.message.empty()) result.message = diag.message;
  }
  result.seconds = Seconds(start);
  return result;
}

}  // namespace stockcast::optimize
