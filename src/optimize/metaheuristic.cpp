#include "stockcast/optimize/metaheuristic.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "stockcast/policy/stochastic_review.h"

namespace stockcast::optimize {
namespace {

constexpr std::array<std::pair<SearchAlgorithm, std::string_view>, 2> kAlgorithms = {
    {{SearchAlgorithm::kAnnealing, "annealing"}, {SearchAlgorithm::kGenetic, "genetic"}}};

// std::mt19937_64 is specified bit for bit by the standard; the mappings below are ours, so a
// seed gives the same sequence everywhere (std::uniform_*_distribution is not portable).
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  double Uniform() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }  // [0, 1)
  // Whole number in [lo, hi].
  int64_t Int(int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    const double span = static_cast<double>(hi - lo) + 1.0;
    const auto k = static_cast<int64_t>(Uniform() * span);
    return std::min(hi, lo + k);
  }
  size_t Index(size_t n) { return static_cast<size_t>(Int(0, static_cast<int64_t>(n) - 1)); }

 private:
  std::mt19937_64 gen_;
};

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Counts evaluations and keeps the best point seen: the best feasible one when the problem has
// a feasibility predicate (the least penalised one until a feasible point turns up).
// The polish tries unit transfers between every pair of coordinates up to this dimension.
constexpr size_t kAllPairsUpTo = 128;

class Search {
 public:
  explicit Search(const IntegerProblem& p) : p_(p) {}
  double Eval(const std::vector<int64_t>& x) {
    ++evaluations_;
    const double f = p_.objective(x);
    const bool ok = !p_.feasible || p_.feasible(x);
    if ((ok && (!best_feasible_ || f < best_value_)) ||
        (!ok && !best_feasible_ && f < best_value_)) {
      best_value_ = f;
      best_ = x;
      best_feasible_ = ok;
    }
    last_feasible_ = ok;
    return f;
  }
  const std::vector<int64_t>& best() const { return best_; }
  double best_value() const { return best_value_; }
  bool best_feasible() const { return best_feasible_; }
  int64_t evaluations() const { return evaluations_; }

  // Descent from the best point over: one coordinate +-1 or to its lower bound, a unit transfer
  // between two coordinates of a block, a whole block to its lower bounds. Only feasible points
  // are accepted once the best is feasible.
  void Polish() {
    std::vector<int64_t> x = best_;
    double f = best_value_;
    const size_t n = x.size();
    auto better = [&](double fv) {
      return fv < f - 1e-12 * std::max(1.0, std::fabs(f)) && (!best_feasible_ || last_feasible_);
    };
    for (int pass = 0; pass < 200; ++pass) {
      bool improved = false;
      for (size_t i = 0; i < n; ++i) {
        for (int move = 0; move < 3; ++move) {
          const int64_t old = x[i];
          const int64_t v = move == 0 ? old - 1 : (move == 1 ? old + 1 : p_.lower[i]);
          if (v < p_.lower[i] || v > p_.upper[i] || v == old) continue;
          x[i] = v;
          const double fv = Eval(x);
          if (better(fv)) {
            f = fv;
            improved = true;
          } else {
            x[i] = old;
          }
        }
      }
      // Unit transfers: inside each block, and between any two coordinates when there are few.
      std::vector<std::vector<size_t>> groups = p_.blocks;
      if (n <= kAllPairsUpTo) {
        groups.emplace_back(n);
        std::iota(groups.back().begin(), groups.back().end(), size_t{0});
      }
      for (const auto& group : groups) {
        for (size_t a : group) {
          for (size_t b : group) {
            if (a == b || x[a] >= p_.upper[a] || x[b] <= p_.lower[b]) continue;
            ++x[a];
            --x[b];
            const double fv = Eval(x);
            if (better(fv)) {
              f = fv;
              improved = true;
            } else {
              --x[a];
              ++x[b];
            }
          }
        }
      }
      for (const auto& block : p_.blocks) {
        std::vector<int64_t> saved;
        bool any = false;
        for (size_t k : block) {
          saved.push_back(x[k]);
          any |= x[k] != p_.lower[k];
          x[k] = p_.lower[k];
        }
        if (any) {
          const double fv = Eval(x);
          if (better(fv)) {
            f = fv;
            improved = true;
            continue;
          }
        }
        for (size_t k = 0; k < block.size(); ++k) x[block[k]] = saved[k];
      }
      if (!improved) break;
    }
  }

 private:
  const IntegerProblem& p_;
  std::vector<int64_t> best_;
  double best_value_ = std::numeric_limits<double>::infinity();
  bool best_feasible_ = false;
  bool last_feasible_ = true;
  int64_t evaluations_ = 0;
};

// Coordinates not covered by any block form singleton units (crossover inherits units whole).
std::vector<std::vector<size_t>> Units(const IntegerProblem& p) {
  std::vector<std::vector<size_t>> units = p.blocks;
  std::vector<bool> covered(p.lower.size(), false);
  for (const auto& b : p.blocks) {
    for (size_t i : b) covered[i] = true;
  }
  for (size_t i = 0; i < covered.size(); ++i) {
    if (!covered[i]) units.push_back({i});
  }
  return units;
}

int64_t Clamp(const IntegerProblem& p, size_t i, int64_t v) {
  return std::clamp(v, p.lower[i], p.upper[i]);
}

// One random change of one coordinate: +-1, +-a larger step, a random value or the lower bound.
void MutateCoordinate(const IntegerProblem& p, size_t i, Rng& rng, std::vector<int64_t>& x) {
  const int64_t range = p.upper[i] - p.lower[i];
  if (range == 0) return;
  const double r = rng.Uniform();
  const int64_t sign = rng.Uniform() < 0.5 ? -1 : 1;
  if (r < 0.6) {
    x[i] = Clamp(p, i, x[i] + sign);
  } else if (r < 0.8) {
    // Steps of every scale: 1 + u^2 range / 2.
    const double u = rng.Uniform();
    const auto step = 1 + static_cast<int64_t>(u * u * static_cast<double>(range) / 2);
    x[i] = Clamp(p, i, x[i] + sign * step);
  } else if (r < 0.9) {
    x[i] = rng.Int(p.lower[i], p.upper[i]);
  } else {
    x[i] = p.lower[i];
  }
}

// A neighbour for simulated annealing (see the header).
void Neighbour(const IntegerProblem& p, const std::vector<int64_t>& best, Rng& rng,
               const std::vector<size_t>& movable, const std::vector<size_t>& block_of,
               std::vector<int64_t>& x) {
  const double r = rng.Uniform();
  const size_t i = movable[rng.Index(movable.size())];
  if (r < 0.8 || movable.size() < 2) {
    MutateCoordinate(p, i, rng, x);
    return;
  }
  if (r < 0.92 || p.blocks.empty()) {
    // Transfer one unit between two coordinates (within i's block half of the time).
    size_t j = movable[rng.Index(movable.size())];
    if (!p.blocks.empty() && block_of[i] < p.blocks.size() && rng.Uniform() < 0.5) {
      const auto& b = p.blocks[block_of[i]];
      j = b[rng.Index(b.size())];
    }
    if (j == i) {
      MutateCoordinate(p, i, rng, x);
      return;
    }
    x[i] = Clamp(p, i, x[i] + 1);
    x[j] = Clamp(p, j, x[j] - 1);
    return;
  }
  const auto& b = p.blocks[rng.Index(p.blocks.size())];
  const bool to_lower = rng.Uniform() < 0.5;
  for (size_t k : b) x[k] = to_lower ? p.lower[k] : best[k];
}

}  // namespace

std::string_view ToString(SearchAlgorithm algorithm) {
  for (const auto& [a, s] : kAlgorithms) {
    if (a == algorithm) return s;
  }
  return "?";
}
std::optional<SearchAlgorithm> ParseSearchAlgorithm(std::string_view text) {
  for (const auto& [a, s] : kAlgorithms) {
    if (s == text) return a;
  }
  return std::nullopt;
}

// ---- validation -----------------------------------------------------------------------------

Status IntegerProblem::Validate() const {
  if (lower.empty()) {
    return Error::InvalidArgument("IntegerProblem: no coordinates; need at least one");
  }
  if (upper.size() != lower.size()) {
    return Error::InvalidArgument(
        fmt::format("IntegerProblem: {} upper bounds for {} lower bounds; must be one each",
                    upper.size(), lower.size()));
  }
  for (size_t i = 0; i < lower.size(); ++i) {
    if (lower[i] > upper[i]) {
      return Error::InvalidArgument(fmt::format(
          "IntegerProblem: coordinate {}: lower = {} > upper = {}; must be lower <= upper", i,
          lower[i], upper[i]));
    }
  }
  if (!objective) return Error::InvalidArgument("IntegerProblem: objective is empty; must be set");
  if (!initial.empty()) {
    if (initial.size() != lower.size()) {
      return Error::InvalidArgument(
          fmt::format("IntegerProblem: initial has {} values; must be empty or {}", initial.size(),
                      lower.size()));
    }
    for (size_t i = 0; i < lower.size(); ++i) {
      if (initial[i] < lower[i] || initial[i] > upper[i]) {
        return Error::InvalidArgument(
            fmt::format("IntegerProblem: initial[{}] = {}; must be in [{}, {}]", i, initial[i],
                        lower[i], upper[i]));
      }
    }
  }
  for (size_t k = 0; k < more_starts.size(); ++k) {
    const auto& x = more_starts[k];
    if (x.size() != lower.size()) {
      return Error::InvalidArgument(
          fmt::format("IntegerProblem: more_starts[{}] has {} values; must have {}", k, x.size(),
                      lower.size()));
    }
    for (size_t i = 0; i < x.size(); ++i) {
      if (x[i] < lower[i] || x[i] > upper[i]) {
        return Error::InvalidArgument(
            fmt::format("IntegerProblem: more_starts[{}][{}] = {}; must be in [{}, {}]", k, i, x[i],
                        lower[i], upper[i]));
      }
    }
  }
  for (size_t b = 0; b < blocks.size(); ++b) {
    if (blocks[b].empty()) {
      return Error::InvalidArgument(fmt::format("IntegerProblem: block {} is empty", b));
    }
    for (size_t i : blocks[b]) {
      if (i >= lower.size()) {
        return Error::InvalidArgument(fmt::format(
            "IntegerProblem: block {} holds coordinate {}; must be < {}", b, i, lower.size()));
      }
    }
  }
  return Status::Ok();
}

Status AnnealingOptions::Validate() const {
  if (iterations < 1) {
    return Error::InvalidArgument(
        fmt::format("AnnealingOptions::iterations = {}; must be >= 1", iterations));
  }
  if (!(initial_temperature >= 0) || !std::isfinite(initial_temperature)) {
    return Error::InvalidArgument(
        fmt::format("AnnealingOptions::initial_temperature = {}; must be >= 0 and finite",
                    initial_temperature));
  }
  if (!(final_temperature_ratio > 0 && final_temperature_ratio <= 1)) {
    return Error::InvalidArgument(
        fmt::format("AnnealingOptions::final_temperature_ratio = {}; must be in (0, 1]",
                    final_temperature_ratio));
  }
  return Status::Ok();
}

Status GeneticOptions::Validate() const {
  auto bad = [](std::string m) { return Error::InvalidArgument(std::move(m)); };
  if (population < 4) {
    return bad(fmt::format("GeneticOptions::population = {}; must be >= 4", population));
  }
  if (generations < 1) {
    return bad(fmt::format("GeneticOptions::generations = {}; must be >= 1", generations));
  }
  if (!(crossover_rate >= 0 && crossover_rate <= 1)) {
    return bad(
        fmt::format("GeneticOptions::crossover_rate = {}; must be in [0, 1]", crossover_rate));
  }
  if (!(mutation_rate >= 0 && mutation_rate <= 1)) {
    return bad(fmt::format("GeneticOptions::mutation_rate = {}; must be in [0, 1]", mutation_rate));
  }
  if (elite < 0 || elite >= population) {
    return bad(fmt::format("GeneticOptions::elite = {}; must be in [0, population = {})", elite,
                           population));
  }
  if (tournament < 2) {
    return bad(fmt::format("GeneticOptions::tournament = {}; must be >= 2", tournament));
  }
  return Status::Ok();
}

// ---- simulated annealing --------------------------------------------------------------------

Result<SearchResult> SimulatedAnnealing(const IntegerProblem& problem,
                                        const AnnealingOptions& options) {
  SC_RETURN_IF_ERROR(problem.Validate());
  SC_RETURN_IF_ERROR(options.Validate());
  const auto start = std::chrono::steady_clock::now();
  Rng rng(options.seed);
  Search search(problem);
  std::vector<std::vector<int64_t>> starts = {problem.initial.empty() ? problem.lower
                                                                      : problem.initial};
  starts.insert(starts.end(), problem.more_starts.begin(), problem.more_starts.end());
  std::vector<size_t> movable;
  for (size_t i = 0; i < problem.lower.size(); ++i) {
    if (problem.upper[i] > problem.lower[i]) movable.push_back(i);
  }
  std::vector<size_t> block_of(problem.lower.size(), problem.blocks.size());
  for (size_t b = 0; b < problem.blocks.size(); ++b) {
    for (size_t i : problem.blocks[b]) block_of[i] = b;
  }
  const int64_t per_chain =
      std::max<int64_t>(1, options.iterations / static_cast<int64_t>(starts.size()));
  for (const std::vector<int64_t>& x0 : starts) {
    std::vector<int64_t> x = x0;
    double f = search.Eval(x);
    if (!std::isfinite(f)) {
      return Error::InvalidArgument(
          fmt::format("IntegerProblem: objective at a start = {}; must be finite", f));
    }
    if (movable.empty()) continue;
    double t0 = options.initial_temperature;
    if (t0 == 0) {
      // Mean uphill delta of a short random walk from the start; accept it with p = 1/2.
      double sum = 0;
      int count = 0;
      std::vector<int64_t> y = x;
      double fy = f;
      for (int k = 0; k < 60; ++k) {
        std::vector<int64_t> z = y;
        Neighbour(problem, search.best(), rng, movable, block_of, z);
        const double fz = search.Eval(z);
        if (fz > fy) {
          sum += fz - fy;
          ++count;
        }
        y = std::move(z);
        fy = fz;
      }
      t0 = count > 0 ? sum / count / std::log(2.0) : 1e-3 * std::max(1.0, std::fabs(f));
    }
    const double alpha =
        std::pow(options.final_temperature_ratio, 1.0 / static_cast<double>(per_chain));
    double temperature = t0;
    std::vector<int64_t> y;
    for (int64_t it = 0; it < per_chain; ++it, temperature *= alpha) {
      y = x;
      Neighbour(problem, search.best(), rng, movable, block_of, y);
      if (y == x) continue;
      const double fy = search.Eval(y);
      const double delta = fy - f;
      if (delta <= 0 || rng.Uniform() < std::exp(-delta / temperature)) {
        x.swap(y);
        f = fy;
      }
    }
  }
  if (options.polish && !movable.empty()) search.Polish();
  SearchResult out;
  out.best = search.best();
  out.best_value = search.best_value();
  out.feasible = search.best_feasible();
  out.evaluations = search.evaluations();
  out.seconds = Seconds(start);
  return out;
}

// ---- genetic algorithm ----------------------------------------------------------------------

Result<SearchResult> GeneticAlgorithm(const IntegerProblem& problem,
                                      const GeneticOptions& options) {
  SC_RETURN_IF_ERROR(problem.Validate());
  SC_RETURN_IF_ERROR(options.Validate());
  const auto start = std::chrono::steady_clock::now();
  Rng rng(options.seed);
  Search search(problem);
  const size_t n = problem.lower.size();
  const auto units = Units(problem);
  const double rate =
      options.mutation_rate > 0 ? options.mutation_rate : 1.0 / static_cast<double>(n);
  auto mutate = [&](std::vector<int64_t>& x) {
    for (size_t i = 0; i < n; ++i) {
      if (rng.Uniform() < rate) MutateCoordinate(problem, i, rng, x);
    }
    if (!problem.blocks.empty() && rng.Uniform() < rate) {  // close one block now and then
      for (size_t k : problem.blocks[rng.Index(problem.blocks.size())]) x[k] = problem.lower[k];
    }
  };

  // First population: the starts, copies of them with 1-8 random mutations (and each block
  // closed with probability 1/4), 10 % uniform random points.
  const auto pop_size = static_cast<size_t>(options.population);
  std::vector<std::vector<int64_t>> pop;
  std::vector<double> fit;
  std::vector<std::vector<int64_t>> starts = {problem.initial.empty() ? problem.lower
                                                                      : problem.initial};
  starts.insert(starts.end(), problem.more_starts.begin(), problem.more_starts.end());
  for (const auto& x : starts) {
    if (pop.size() < pop_size) pop.push_back(x);
  }
  const size_t random_from = pop_size - std::max<size_t>(1, pop_size / 10);
  while (pop.size() < pop_size) {
    std::vector<int64_t> x(n);
    if (pop.size() < random_from) {
      x = starts[pop.size() % starts.size()];
      const int64_t k = rng.Int(1, 8);
      for (int64_t m = 0; m < k; ++m) MutateCoordinate(problem, rng.Index(n), rng, x);
      for (const auto& block : problem.blocks) {
        if (rng.Uniform() < 0.25) {
          for (size_t i : block) x[i] = problem.lower[i];
        }
      }
    } else {
      for (size_t i = 0; i < n; ++i) x[i] = rng.Int(problem.lower[i], problem.upper[i]);
    }
    pop.push_back(std::move(x));
  }
  for (const auto& x : pop) fit.push_back(search.Eval(x));
  if (!std::isfinite(fit[0])) {
    return Error::InvalidArgument(
        fmt::format("IntegerProblem: objective at the start = {}; must be finite", fit[0]));
  }

  auto tournament = [&]() -> size_t {
    size_t best = rng.Index(pop_size);
    for (int k = 1; k < options.tournament; ++k) {
      const size_t c = rng.Index(pop_size);
      if (fit[c] < fit[best]) best = c;
    }
    return best;
  };
  std::vector<size_t> order(pop_size);
  for (int g = 0; g < options.generations; ++g) {
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return fit[a] < fit[b]; });
    std::vector<std::vector<int64_t>> next;
    std::vector<double> next_fit;
    for (int e = 0; e < options.elite; ++e) {
      next.push_back(pop[order[static_cast<size_t>(e)]]);
      next_fit.push_back(fit[order[static_cast<size_t>(e)]]);
    }
    while (next.size() < pop_size) {
      const size_t a = tournament();
      std::vector<int64_t> child = pop[a];
      if (rng.Uniform() < options.crossover_rate) {
        const size_t b = tournament();
        for (const auto& unit : units) {
          if (rng.Uniform() < 0.5) {
            for (size_t i : unit) child[i] = pop[b][i];
          }
        }
      }
      mutate(child);
      next_fit.push_back(search.Eval(child));
      next.push_back(std::move(child));
    }
    pop.swap(next);
    fit.swap(next_fit);
  }
  if (options.polish) search.Polish();
  SearchResult out;
  out.best = search.best();
  out.best_value = search.best_value();
  out.feasible = search.best_feasible();
  out.evaluations = search.evaluations();
  out.seconds = Seconds(start);
  return out;
}

// ---- (a) purchase plans ---------------------------------------------------------------------

IntegerProblem PurchasePlanSearchProblem(const PurchasePlanProblem& problem) {
  IntegerProblem ip;
  const auto& decs = problem.decisions();
  const PurchasePlanInstance& inst = problem.instance();
  ip.lower.assign(decs.size(), 0);
  for (const PlanDecision& d : decs) ip.upper.push_back(d.max_cases);
  const double penalty = 0.3 * (1.0 + problem.Evaluate(ip.lower, false).cost.total);
  // The predicate is called right after the objective on the same point: share the evaluation.
  struct Last {
    std::vector<int64_t> x;
    bool feasible = true;
  };
  auto last = std::make_shared<Last>();
  ip.objective = [&problem, penalty, last](const std::vector<int64_t>& x) {
    const PlanEvaluation e = problem.Evaluate(x, false);
    last->x = x;
    last->feasible = e.feasible();
    return e.cost.total + penalty * e.violation;
  };
  ip.feasible = [&problem, last](const std::vector<int64_t>& x) {
    if (x == last->x) return last->feasible;
    return problem.Evaluate(x, false).feasible();
  };
  ip.initial = problem.NewsvendorStart();
  for (const PlanSupplier& s : inst.suppliers) {
    std::vector<int64_t> x = problem.NewsvendorStart(s.id);
    if (x != ip.initial &&
        std::find(ip.more_starts.begin(), ip.more_starts.end(), x) == ip.more_starts.end()) {
      ip.more_starts.push_back(std::move(x));
    }
  }
  std::map<std::pair<std::string, std::string>, size_t> block;
  for (size_t j = 0; j < decs.size(); ++j) {
    const auto key =
        std::make_pair(inst.items[decs[j].item].warehouse, inst.offers[decs[j].offer].supplier);
    auto [it, inserted] = block.try_emplace(key, ip.blocks.size());
    if (inserted) ip.blocks.emplace_back();
    ip.blocks[it->second].push_back(j);
  }
  return ip;
}

namespace {

Result<PlanResult> PlanFromSearch(const PurchasePlanProblem& problem, const SearchResult& s,
                                  std::string_view algorithm) {
  PlanResult r = problem.MakeResult(s.best, SolveStatus::kFeasible);
  r.seconds = s.seconds;
  r.message = fmt::format("{}: {} evaluations; a heuristic plan, optimality not proven", algorithm,
                          s.evaluations);
  return r;
}

}  // namespace

Result<PlanResult> SolvePurchasePlanAnnealing(const PurchasePlanProblem& problem,
                                              const AnnealingOptions& options) {
  if (problem.decisions().empty()) return problem.MakeResult({}, SolveStatus::kFeasible);
  SC_ASSIGN_OR_RETURN(SearchResult s,
                      SimulatedAnnealing(PurchasePlanSearchProblem(problem), options));
  return PlanFromSearch(problem, s, "simulated annealing");
}

Result<PlanResult> SolvePurchasePlanGenetic(const PurchasePlanProblem& problem,
                                            const GeneticOptions& options) {
  if (problem.decisions().empty()) return problem.MakeResult({}, SolveStatus::kFeasible);
  SC_ASSIGN_OR_RETURN(SearchResult s,
                      GeneticAlgorithm(PurchasePlanSearchProblem(problem), options));
  return PlanFromSearch(problem, s, "genetic algorithm");
}

// ---- (b) joint (s, S) -----------------------------------------------------------------------

Status JointSSProblem::Validate() const {
  if (warehouses.empty()) {
    return Error::InvalidArgument("JointSSProblem: no warehouses; need at least one");
  }
  std::set<std::string> ids;
  for (const JointSSWarehouse& w : warehouses) {
    const std::string where = fmt::format("warehouse \"{}\"", w.id);
    if (!ids.insert(w.id).second) return Error::InvalidArgument(where + ": duplicate id");
    if (w.lead_time < 0) {
      return Error::InvalidArgument(
          fmt::format("{}: lead_time = {}; must be >= 0", where, w.lead_time));
    }
    const std::pair<const char*, double> fields[] = {{"holding_cost", w.holding_cost},
                                                     {"backorder_cost", w.backorder_cost},
                                                     {"order_cost", w.order_cost}};
    for (const auto& [name, v] : fields) {
      if (!(v > 0) || !std::isfinite(v)) {
        return Error::InvalidArgument(
            fmt::format("{}: {} = {}; must be > 0 and finite", where, name, v));
      }
    }
  }
  if (!(supplier_capacity > 0)) {
    return Error::InvalidArgument(
        fmt::format("JointSSProblem: supplier_capacity = {}; must be > 0 (inf = unlimited)",
                    supplier_capacity));
  }
  return Status::Ok();
}

Status JointSSSimulation::Validate() const {
  if (periods < 1) {
    return Error::InvalidArgument(
        fmt::format("JointSSSimulation::periods = {}; must be >= 1", periods));
  }
  if (warmup < 0) {
    return Error::InvalidArgument(
        fmt::format("JointSSSimulation::warmup = {}; must be >= 0", warmup));
  }
  return Status::Ok();
}

Status JointSSOptions::Validate() const {
  SC_RETURN_IF_ERROR(simulation.Validate());
  SC_RETURN_IF_ERROR(annealing.Validate());
  return genetic.Validate();
}

namespace {

// The simulation of the header, with the demand drawn once.
class JointSimulator {
 public:
  static Result<JointSimulator> Create(const JointSSProblem& problem,
                                       const JointSSSimulation& sim) {
    SC_RETURN_IF_ERROR(problem.Validate());
    SC_RETURN_IF_ERROR(sim.Validate());
    JointSimulator js;
    js.problem_ = &problem;
    js.sim_ = sim;
    const size_t horizon = static_cast<size_t>(sim.periods) + static_cast<size_t>(sim.warmup);
    Rng rng(sim.seed);
    for (const JointSSWarehouse& w : problem.warehouses) {
      std::vector<double> cum;
      if (w.demand.integer()) {
        SC_ASSIGN_OR_RETURN(std::vector<double> pmf, w.demand.PmfTable());
        cum.resize(pmf.size());
        std::partial_sum(pmf.begin(), pmf.end(), cum.begin());
      }
      std::vector<double> d(horizon);
      for (size_t t = 0; t < horizon; ++t) {
        const double u = rng.Uniform();
        if (!cum.empty()) {
          // Inverse transform on the cumulative table.
          const auto it = std::upper_bound(cum.begin(), cum.end(), u);
          d[t] = static_cast<double>(
              std::min<size_t>(static_cast<size_t>(it - cum.begin()), cum.size() - 1));
        } else {
          d[t] = std::max(0.0, w.demand.Quantile(std::clamp(u, 1e-12, 1 - 1e-12)));
        }
      }
      js.demand_.push_back(std::move(d));
      js.max_lead_ = std::max(js.max_lead_, w.lead_time);
    }
    return js;
  }

  JointSSEvaluation Run(const std::vector<int64_t>& s, const std::vector<int64_t>& big_s) const {
    const auto& whs = problem_->warehouses;
    const size_t nw = whs.size();
    const size_t slots = static_cast<size_t>(max_lead_) + 1;
    const double cap = problem_->supplier_capacity;
    std::vector<double> net(nw), transit(nw, 0.0), request(nw), ship(nw);
    std::vector<std::vector<double>> arrive(nw, std::vector<double>(slots, 0.0));
    for (size_t w = 0; w < nw; ++w) net[w] = static_cast<double>(big_s[w]);
    JointSSEvaluation e;
    e.warehouse_cost.assign(nw, 0.0);
    e.fill_rate.assign(nw, 0.0);
    std::vector<double> demand_sum(nw, 0.0), served_sum(nw, 0.0);
    double shipped = 0;
    int rationed = 0;
    const int total = sim_.periods + sim_.warmup;
    for (int t = 0; t < total; ++t) {
      const bool measure = t >= sim_.warmup;
      const size_t slot = static_cast<size_t>(t) % slots;
      double requested = 0;
      for (size_t w = 0; w < nw; ++w) {
        net[w] += arrive[w][slot];
        transit[w] -= arrive[w][slot];
        arrive[w][slot] = 0;
        const double position = net[w] + transit[w];
        request[w] =
            position <= static_cast<double>(s[w]) ? static_cast<double>(big_s[w]) - position : 0.0;
        requested += request[w];
      }
      if (requested > cap) {
        // Proportional shares rounded down; leftover units to the largest remainders.
        ++rationed;
        const double units = std::floor(cap + 1e-9);
        double given = 0;
        std::vector<std::pair<double, size_t>> rem;
        for (size_t w = 0; w < nw; ++w) {
          const double share = request[w] * units / requested;
          ship[w] = std::floor(share + 1e-9);
          given += ship[w];
          rem.emplace_back(-(share - ship[w]), w);
        }
        std::stable_sort(rem.begin(), rem.end());
        for (size_t k = 0; k < rem.size() && given + 1 <= units + 1e-9; ++k) {
          if (ship[rem[k].second] + 1 <= request[rem[k].second] + 1e-9) {
            ship[rem[k].second] += 1;
            given += 1;
          }
        }
      } else {
        ship = request;
      }
      for (size_t w = 0; w < nw; ++w) {
        const JointSSWarehouse& wh = whs[w];
        if (ship[w] > 0) {
          if (measure) e.warehouse_cost[w] += wh.order_cost;
          if (measure) shipped += ship[w];
          if (wh.lead_time == 0) {
            net[w] += ship[w];
          } else {
            arrive[w][(static_cast<size_t>(t) + static_cast<size_t>(wh.lead_time)) % slots] +=
                ship[w];
            transit[w] += ship[w];
          }
        }
        const double d = demand_[w][static_cast<size_t>(t)];
        const double served = std::min(std::max(net[w], 0.0), d);
        net[w] -= d;
        if (measure) {
          demand_sum[w] += d;
          served_sum[w] += served;
          e.warehouse_cost[w] +=
              wh.holding_cost * std::max(net[w], 0.0) + wh.backorder_cost * std::max(-net[w], 0.0);
        }
      }
    }
    const double periods = static_cast<double>(sim_.periods);
    for (size_t w = 0; w < nw; ++w) {
      e.warehouse_cost[w] /= periods;
      e.cost_per_period += e.warehouse_cost[w];
      e.fill_rate[w] = demand_sum[w] > 0 ? served_sum[w] / demand_sum[w] : 1.0;
    }
    e.capacity_utilisation = std::isfinite(cap) ? shipped / (cap * periods) : 0.0;
    // Periods are counted over the whole run, warm-up included, divided by its length.
    e.rationed_periods = static_cast<double>(rationed) / static_cast<double>(total);
    return e;
  }

 private:
  const JointSSProblem* problem_ = nullptr;
  JointSSSimulation sim_;
  std::vector<std::vector<double>> demand_;
  int max_lead_ = 0;
};

Status CheckPolicies(const JointSSProblem& problem, const std::vector<int64_t>& s,
                     const std::vector<int64_t>& big_s) {
  if (s.size() != problem.warehouses.size() || big_s.size() != problem.warehouses.size()) {
    return Error::InvalidArgument(fmt::format(
        "joint (s, S): {} reorder points and {} order-up-to levels for {} warehouses; must be "
        "one each",
        s.size(), big_s.size(), problem.warehouses.size()));
  }
  for (size_t w = 0; w < s.size(); ++w) {
    if (s[w] >= big_s[w]) {
      return Error::InvalidArgument(fmt::format("warehouse \"{}\": s = {} >= S = {}; must be s < S",
                                                problem.warehouses[w].id, s[w], big_s[w]));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<JointSSEvaluation> SimulateJointSS(const JointSSProblem& problem,
                                          const std::vector<int64_t>& reorder_point,
                                          const std::vector<int64_t>& order_up_to,
                                          const JointSSSimulation& simulation) {
  SC_ASSIGN_OR_RETURN(JointSimulator sim, JointSimulator::Create(problem, simulation));
  SC_RETURN_IF_ERROR(CheckPolicies(problem, reorder_point, order_up_to));
  return sim.Run(reorder_point, order_up_to);
}

Result<JointSSResult> OptimizeJointSS(const JointSSProblem& problem,
                                      const JointSSOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  SC_ASSIGN_OR_RETURN(JointSimulator sim, JointSimulator::Create(problem, options.simulation));
  const size_t nw = problem.warehouses.size();
  JointSSResult r;
  IntegerProblem ip;
  for (size_t w = 0; w < nw; ++w) {
    const JointSSWarehouse& wh = problem.warehouses[w];
    policy::PeriodicReviewOptions o;
    o.holding_cost = wh.holding_cost;
    o.backorder_cost = wh.backorder_cost;
    o.fixed_cost = wh.order_cost;
    o.lead_time = wh.lead_time;
    o.review_period = 1;
    auto ss = policy::OptimizeSS(wh.demand, o);
    if (!ss.ok()) {
      return Error::InvalidArgument(fmt::format("warehouse \"{}\": {}", wh.id, ss.error().message));
    }
    r.independent_reorder_point.push_back(ss->reorder_point);
    r.independent_order_up_to.push_back(ss->order_up_to);
    // Search s within the protection demand's mean + 3 sd of the independent s, and
    // Q = S - s from 1 to three times the independent Q plus two periods of demand.
    const double mean = wh.demand.Mean(), sd = wh.demand.Sd();
    const double protect = (wh.lead_time + 1) * mean + 3 * std::sqrt(wh.lead_time + 1.0) * sd;
    const auto spread = static_cast<int64_t>(std::ceil(protect)) + 2;
    const int64_t q = ss->order_up_to - ss->reorder_point;
    ip.lower.insert(ip.lower.end(), {ss->reorder_point - spread, 1});
    ip.upper.insert(ip.upper.end(), {ss->reorder_point + spread,
                                     3 * q + static_cast<int64_t>(std::ceil(2 * mean)) + 2});
    ip.initial.insert(ip.initial.end(), {ss->reorder_point, q});
    ip.blocks.push_back({2 * w, 2 * w + 1});
  }
  auto split = [nw](const std::vector<int64_t>& x, std::vector<int64_t>& s,
                    std::vector<int64_t>& big_s) {
    s.resize(nw);
    big_s.resize(nw);
    for (size_t w = 0; w < nw; ++w) {
      s[w] = x[2 * w];
      big_s[w] = x[2 * w] + x[2 * w + 1];
    }
  };
  ip.objective = [&](const std::vector<int64_t>& x) {
    std::vector<int64_t> s, big_s;
    split(x, s, big_s);
    return sim.Run(s, big_s).cost_per_period;
  };
  r.independent = sim.Run(r.independent_reorder_point, r.independent_order_up_to);
  if (options.algorithm == SearchAlgorithm::kAnnealing) {
    SC_ASSIGN_OR_RETURN(r.search, SimulatedAnnealing(ip, options.annealing));
  } else {
    SC_ASSIGN_OR_RETURN(r.search, GeneticAlgorithm(ip, options.genetic));
  }
  split(r.search.best, r.reorder_point, r.order_up_to);
  r.evaluation = sim.Run(r.reorder_point, r.order_up_to);
  const double base = r.independent.cost_per_period;
  r.explanation = fmt::format(
      "{}: joint (s, S) costs {:.2f} per period against {:.2f} for each warehouse's own optimum "
      "under the same shared capacity ({:+.1f}%); capacity used {:.1f}%, rationed in {:.1f}% of "
      "periods",
      ToString(options.algorithm), r.evaluation.cost_per_period, base,
      base > 0 ? 100 * (r.evaluation.cost_per_period - base) / base : 0.0,
      100 * r.evaluation.capacity_utilisation, 100 * r.evaluation.rationed_periods);
  for (size_t w = 0; w < nw; ++w) {
    r.explanation += fmt::format("; {}: s = {}, S = {} (own optimum {}, {})",
                                 problem.warehouses[w].id, r.reorder_point[w], r.order_up_to[w],
                                 r.independent_reorder_point[w], r.independent_order_up_to[w]);
  }
  return r;
}

}  // namespace stockcast::optimize
