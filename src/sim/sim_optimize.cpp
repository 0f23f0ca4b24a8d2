#include "stockcast/sim/sim_optimize.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "stockcast/policy/demand_distribution.h"
#include "stockcast/sim/random.h"

namespace stockcast::sim {

std::string_view ToString(SearchMethod method) {
  switch (method) {
    case SearchMethod::kPatternSearch:
      return "search";
    case SearchMethod::kAnnealing:
      return "annealing";
    case SearchMethod::kGenetic:
      return "genetic";
  }
  return "search";
}

std::optional<SearchMethod> ParseSearchMethod(std::string_view text) {
  for (SearchMethod m :
       {SearchMethod::kPatternSearch, SearchMethod::kAnnealing, SearchMethod::kGenetic}) {
    if (text == ToString(m)) return m;
  }
  return std::nullopt;
}

Status SimOptimizeOptions::Validate() const {
  switch (kind) {
    case PolicyKind::kBaseStock:
    case PolicyKind::kSS:
    case PolicyKind::kRQ:
    case PolicyKind::kRS:
    case PolicyKind::kRSS:
      break;
    case PolicyKind::kNone:
      return Error::InvalidArgument(
          "kind = none; must be a rule with parameters: base-stock, ss, rq, rs, rss");
  }
  if (min_fill_rate && !(*min_fill_rate > 0 && *min_fill_rate < 1)) {
    return Error::InvalidArgument(
        fmt::format("min_fill_rate = {}; must be in (0, 1)", *min_fill_rate));
  }
  if (max_evaluations < 1) {
    return Error::InvalidArgument(
        fmt::format("max_evaluations = {}; must be >= 1", max_evaluations));
  }
  if (review_period < 1) {
    return Error::InvalidArgument(fmt::format("review_period = {}; must be >= 1", review_period));
  }
  if (search_replications < 0) {
    return Error::InvalidArgument(fmt::format(
        "search_replications = {}; must be >= 0 (0 = SimOptions::replications)",
        search_replications));
  }
  if (min_level && max_level && *max_level <= *min_level) {
    return Error::InvalidArgument(fmt::format("max_level = {}; must be > min_level = {}",
                                              *max_level, *min_level));
  }
  if (start) {
    if (start->kind != kind) {
      return Error::InvalidArgument(fmt::format("start = {}; must be a {} policy (kind)",
                                                start->ToString(), sim::ToString(kind)));
    }
    if (Status valid = start->Validate(); !valid.ok()) {
      return Error::InvalidArgument("start: " + valid.error().message);
    }
  }
  return Status::Ok();
}

namespace {

constexpr uint64_t kSearchStream = 0x5EA4C4;
constexpr std::string_view kStage = "simulation-optimisation";

struct DemandMoments {
  double mean = 0;
  double sd = 0;
};

// Mean and sd of one day's demand, whatever the source.
DemandMoments Moments(const DemandSource& d) {
  DemandMoments m;
  switch (d.kind) {
    case DemandSourceKind::kStationary:
      m.mean = d.distribution.Mean();
      m.sd = d.distribution.Sd();
      break;
    case DemandSourceKind::kReplay: {
      double n = 0, sum = 0, sum2 = 0;
      for (double v : d.history) {
        if (std::isnan(v)) continue;
        n += 1;
        sum += v;
        sum2 += v * v;
      }
      if (n > 0) {
        m.mean = sum / n;
        m.sd = n > 1 ? std::sqrt(std::max(0.0, (sum2 - sum * sum / n) / (n - 1))) : 0;
      }
      break;
    }
    case DemandSourceKind::kPerDay: {
      // Law of total variance over the days: E[Var(D | day)] + Var(E[D | day]).
      const size_t n = d.mean.size();
      if (n == 0) break;
      double sum = 0, sum2 = 0, within = 0;
      for (size_t t = 0; t < n; ++t) {
        const double mu = d.mean[t];
        const double p2 = d.param2.empty() ? 0 : d.param2[d.param2.size() == 1 ? 0 : std::min(t, d.param2.size() - 1)];
        sum += mu;
        sum2 += mu * mu;
        switch (d.per_day_kind) {
          case policy::DemandKind::kPoisson:
            within += mu;
            break;
          case policy::DemandKind::kNegativeBinomial:
            within += p2 > 0 ? mu + mu * mu / p2 : mu;
            break;
          default:
            within += p2 * p2;
        }
      }
      m.mean = sum / static_cast<double>(n);
      const double between = std::max(0.0, sum2 / static_cast<double>(n) - m.mean * m.mean);
      m.sd = std::sqrt(within / static_cast<double>(n) + between);
      break;
    }
  }
  return m;
}

double LeadTimeSd(const LeadTime& lt) {
  const double mean = lt.Mean();
  double var = 0;
  for (size_t i = 0; i < lt.days.size(); ++i) {
    const double dev = lt.days[i] - mean;
    var += lt.probabilities[i] * dev * dev;
  }
  return std::sqrt(var);
}

double StandardNormalQuantile(double p) {
  static const auto z = policy::DemandDistribution::Normal(0, 1);
  return z->Quantile(p);
}

bool Periodic(PolicyKind kind) { return kind == PolicyKind::kRS || kind == PolicyKind::kRSS; }

double Eoq(const ItemCosts& c, double mu, int review_period) {
  if (c.ordering > 0 && c.holding > 0 && mu > 0) return std::sqrt(2 * c.ordering * mu / c.holding);
  return mu * review_period;
}

int64_t Round(double x) {
  if (!std::isfinite(x)) return 0;
  return static_cast<int64_t>(std::llround(std::clamp(x, -1e15, 1e15)));
}

// ---- candidates as integer vectors ----

// The integer parameters of a rule: {S} (base-stock, rs), {s, S} (ss, rss), {r, Q} (rq).
using Point = std::vector<int64_t>;

class Space {
 public:
  Space(PolicyKind kind, const InventoryPolicy& start, int64_t lo, int64_t hi)
      : kind_(kind), start_(start), lo_(lo), hi_(hi) {}

  size_t dims() const { return kind_ == PolicyKind::kBaseStock || kind_ == PolicyKind::kRS ? 1 : 2; }
  int64_t range() const { return hi_ - lo_; }

  Point FromPolicy(const InventoryPolicy& p) const {
    switch (kind_) {
      case PolicyKind::kSS:
      case PolicyKind::kRSS:
        return Repair({p.reorder_point, p.order_up_to});
      case PolicyKind::kRQ:
        return Repair({p.reorder_point, p.order_quantity});
      default:
        return Repair({p.order_up_to});
    }
  }

  InventoryPolicy ToPolicy(const Point& x) const {
    const int r = start_.review_period;
    const int offset = start_.review_offset;
    switch (kind_) {
      case PolicyKind::kBaseStock:
        return InventoryPolicy::BaseStock(x[0]);
      case PolicyKind::kSS:
        return InventoryPolicy::SS(x[0], x[1]);
      case PolicyKind::kRQ:
        return InventoryPolicy::RQ(x[0], x[1]);
      case PolicyKind::kRS:
        return InventoryPolicy::RS(r, x[0], offset);
      case PolicyKind::kRSS:
        return InventoryPolicy::RSS(r, x[0], x[1], offset);
      case PolicyKind::kNone:
        break;
    }
    return InventoryPolicy::None();
  }

  // Into the bounds, with s < S and Q >= 1.
  Point Repair(Point x) const {
    // Two-parameter policies always carry two values; saying so also keeps g++ 12's
    // -Warray-bounds at -O2 from assuming the one-value layout on these paths.
    if (kind_ == PolicyKind::kSS || kind_ == PolicyKind::kRSS || kind_ == PolicyKind::kRQ) {
      if (x.size() < 2) x.resize(2, lo_);
    }
    switch (kind_) {
      case PolicyKind::kSS:
      case PolicyKind::kRSS:
        x[0] = std::clamp(x[0], lo_, hi_ - 1);
        x[1] = std::clamp(x[1], x[0] + 1, hi_);
        break;
      case PolicyKind::kRQ:
        x[0] = std::clamp(x[0], lo_, hi_);
        x[1] = std::clamp<int64_t>(x[1], 1, std::max<int64_t>(1, hi_ - lo_));
        break;
      default:
        x[0] = std::clamp(x[0], lo_, hi_);
    }
    return x;
  }

  // Search directions: each parameter alone, and for two parameters the diagonal (both move
  // together: the whole rule shifts up or down).
  std::vector<Point> Directions() const {
    if (dims() == 1) return {{1}};
    return {{1, 0}, {0, 1}, {1, 1}};
  }

 private:
  PolicyKind kind_;
  InventoryPolicy start_;
  int64_t lo_, hi_;
};

struct Eval {
  double cost = 0;       // cost per day, mean over the search replications
  double fill = 0;       // fill rate, mean
  double shortfall = 0;  // max(0, target - fill rate lower bound)
  bool feasible = true;
};

// Feasibility first (Deb 2000): feasible beats infeasible; then less shortfall; then cost.
bool Better(const Eval& a, const Eval& b) {
  if (a.feasible != b.feasible) return a.feasible;
  if (!a.feasible && a.shortfall != b.shortfall) return a.shortfall < b.shortfall;
  return a.cost < b.cost;
}

// Evaluates candidates on the search seed, with a cache and the evaluation budget.
class Evaluator {
 public:
  Evaluator(Simulator* sim, const Space& space, const SimOptimizeOptions& o,
            const ProgressFn& progress)
      : sim_(sim), space_(space), o_(o), progress_(progress) {}

  // nullopt when the budget is spent and `x` was never evaluated.
  Result<std::optional<Eval>> operator()(const Point& x) {
    auto it = cache_.find(x);
    if (it != cache_.end()) return std::optional<Eval>(it->second);
    if (exhausted()) return std::optional<Eval>();
    const InventoryPolicy p = space_.ToPolicy(x);
    SC_RETURN_IF_ERROR(sim_->SetPolicy(0, p));
    const SimResult r = sim_->Run();
    Eval e;
    e.cost = r.total[Metric::kCostPerDay].mean;
    e.fill = r.total[Metric::kFillRate].mean;
    if (o_.min_fill_rate) {
      const Estimate& f = r.total[Metric::kFillRate];
      const double low = std::isnan(f.half_width) ? f.mean : f.low();
      e.shortfall = std::max(0.0, *o_.min_fill_rate - low);
      e.feasible = e.shortfall <= 0;
    }
    ++evaluations_;
    cache_.emplace(x, e);
    if (trace_.size() < o_.max_trace) trace_.emplace_back(p, e.cost);
    if (!best_ || Better(e, best_->second)) best_ = std::make_pair(x, e);
    ReportProgress(progress_, kStage,
                   static_cast<double>(evaluations_) / static_cast<double>(o_.max_evaluations));
    return std::optional<Eval>(e);
  }

  bool exhausted() const { return evaluations_ >= o_.max_evaluations; }
  int evaluations() const { return evaluations_; }
  const std::pair<Point, Eval>& best() const { return *best_; }
  std::vector<std::pair<InventoryPolicy, double>>& trace() { return trace_; }

 private:
  Simulator* sim_;
  const Space& space_;
  const SimOptimizeOptions& o_;
  const ProgressFn& progress_;
  std::map<Point, Eval> cache_;
  int evaluations_ = 0;
  std::optional<std::pair<Point, Eval>> best_;
  std::vector<std::pair<InventoryPolicy, double>> trace_;
};

// ---- pattern search ----

Status PatternSearch(const Space& space, const Point& start, Evaluator& eval) {
  Point x = start;
  SC_ASSIGN_OR_RETURN(std::optional<Eval> fx, eval(x));
  if (!fx) return Status::Ok();
  const std::vector<Point> dirs = space.Directions();
  std::vector<int64_t> step(dirs.size(), std::max<int64_t>(1, space.range() / 8));
  while (!eval.exhausted()) {
    // The best improving neighbour over all directions and both signs.
    std::optional<std::pair<Point, Eval>> best;
    std::vector<bool> improved(dirs.size(), false);
    for (size_t d = 0; d < dirs.size(); ++d) {
      for (int sign : {1, -1}) {
        Point y = x;
        for (size_t i = 0; i < y.size(); ++i) y[i] += sign * step[d] * dirs[d][i];
        y = space.Repair(y);
        if (y == x) continue;
        SC_ASSIGN_OR_RETURN(std::optional<Eval> fy, eval(y));
        if (!fy) break;
        if (Better(*fy, *fx)) {
          improved[d] = true;
          if (!best || Better(*fy, best->second)) best = std::make_pair(y, *fy);
        }
      }
    }
    if (best) {
      x = best->first;
      fx = best->second;
    }
    // Halve the steps of the directions that found nothing; done when all are 1 and none did.
    bool shrunk = false;
    for (size_t d = 0; d < dirs.size(); ++d) {
      if (!improved[d] && step[d] > 1) {
        step[d] = std::max<int64_t>(1, step[d] / 2);
        shrunk = true;
      }
    }
    if (!best && !shrunk) break;
  }
  return Status::Ok();
}

// ---- simulated annealing ----

// How much worse `b` is than `a`, for the acceptance test (see the header).
double Worsening(const Eval& from, const Eval& to, double cost_scale) {
  const double dcost = (to.cost - from.cost) / cost_scale;
  if (from.feasible && to.feasible) return dcost;
  return 100 * (to.shortfall - from.shortfall) + dcost;
}

Status Annealing(const Space& space, const Point& start, uint64_t seed, int budget,
                 Evaluator& eval) {
  Rng rng = Rng::ForStream(seed, 1);
  Point x = start;
  SC_ASSIGN_OR_RETURN(std::optional<Eval> fx, eval(x));
  if (!fx) return Status::Ok();
  const double cost_scale = std::max(1e-9, std::abs(fx->cost));
  const double t0 = 0.05, t1 = 0.0005;
  const std::vector<Point> dirs = space.Directions();
  const int64_t max_step = std::max<int64_t>(1, space.range() / 4);
  // Proposals that hit the cache cost no evaluation; cap them so the loop always ends.
  const int64_t max_proposals = 50LL * budget + 100;
  for (int64_t k = 0; k < max_proposals && !eval.exhausted(); ++k) {
    const double progress = std::min(1.0, static_cast<double>(eval.evaluations()) / budget);
    const double temperature = t0 * std::pow(t1 / t0, progress);
    const int64_t reach = std::max<int64_t>(
        1, static_cast<int64_t>(std::llround(static_cast<double>(max_step) * (1 - progress))));
    const Point& dir = dirs[static_cast<size_t>(rng.UniformInt(0, static_cast<int64_t>(dirs.size()) - 1))];
    const int64_t step = rng.UniformInt(1, reach) * (rng.Bernoulli(0.5) ? 1 : -1);
    Point y = x;
    for (size_t i = 0; i < y.size(); ++i) y[i] += step * dir[i];
    y = space.Repair(y);
    if (y == x) continue;
    SC_ASSIGN_OR_RETURN(std::optional<Eval> fy, eval(y));
    if (!fy) break;
    const bool accept = Better(*fy, *fx) ||
                        rng.Uniform() < std::exp(-Worsening(*fx, *fy, cost_scale) / temperature);
    if (accept) {
      x = y;
      fx = fy;
    }
  }
  return Status::Ok();
}

// ---- genetic algorithm ----

Status Genetic(const Space& space, const Point& start, int64_t lo, int64_t hi, uint64_t seed,
               Evaluator& eval) {
  Rng rng = Rng::ForStream(seed, 2);
  constexpr int kPopulation = 12;
  const size_t dims = space.dims();
  const int64_t mutation = std::max<int64_t>(1, space.range() / 8);
  auto random_point = [&]() {
    Point p(dims);
    for (size_t i = 0; i < dims; ++i) p[i] = rng.UniformInt(lo, hi);
    return space.Repair(p);
  };
  std::vector<std::pair<Point, Eval>> pop;
  auto add = [&](const Point& p) -> Result<bool> {
    SC_ASSIGN_OR_RETURN(std::optional<Eval> f, eval(p));
    if (!f) return false;
    pop.emplace_back(p, *f);
    return true;
  };
  SC_ASSIGN_OR_RETURN(bool added, add(start));
  for (int i = 1; i < kPopulation && added; ++i) {
    SC_ASSIGN_OR_RETURN(added, add(random_point()));
  }
  if (pop.empty()) return Status::Ok();
  auto tournament = [&]() -> const std::pair<Point, Eval>& {
    const auto& a = pop[static_cast<size_t>(rng.UniformInt(0, static_cast<int64_t>(pop.size()) - 1))];
    const auto& b = pop[static_cast<size_t>(rng.UniformInt(0, static_cast<int64_t>(pop.size()) - 1))];
    return Better(a.second, b.second) ? a : b;
  };
  const int64_t max_children = 50LL * eval.evaluations() + 50LL * kPopulation + 1000;
  int64_t children = 0;
  while (!eval.exhausted() && children < max_children) {
    std::vector<std::pair<Point, Eval>> next;
    // Elitism: the best individual survives unchanged.
    next.push_back(*std::min_element(pop.begin(), pop.end(), [](const auto& a, const auto& b) {
      return Better(a.second, b.second);
    }));
    while (next.size() < pop.size() && children < max_children) {
      ++children;
      const Point& mother = tournament().first;
      const Point& father = tournament().first;
      Point child(dims);
      for (size_t i = 0; i < dims; ++i) child[i] = rng.Bernoulli(0.5) ? mother[i] : father[i];
      for (size_t i = 0; i < dims; ++i) {
        if (rng.Bernoulli(0.3)) child[i] += rng.UniformInt(-mutation, mutation);
      }
      child = space.Repair(child);
      SC_ASSIGN_OR_RETURN(std::optional<Eval> f, eval(child));
      if (!f) break;
      next.emplace_back(child, *f);
    }
    if (next.size() < pop.size()) break;  // budget spent mid-generation
    pop = std::move(next);
  }
  return Status::Ok();
}

std::string Describe(const MetricEstimates& e) {
  return fmt::format("cost per day {:.4f} +- {:.4f}, fill rate {:.4f} +- {:.4f}",
                     e[Metric::kCostPerDay].mean, e[Metric::kCostPerDay].half_width,
                     e[Metric::kFillRate].mean, e[Metric::kFillRate].half_width);
}

}  // namespace

Result<InventoryPolicy> FormulaPolicy(const ItemSpec& item, PolicyKind kind,
                                      std::optional<double> min_fill_rate, int review_period) {
  if (kind == PolicyKind::kNone) {
    return Error::InvalidArgument("kind = none; has no parameters to compute");
  }
  if (review_period < 1) {
    return Error::InvalidArgument(fmt::format("review_period = {}; must be >= 1", review_period));
  }
  const DemandMoments d = Moments(item.demand);
  const int r = Periodic(kind) ? review_period : 1;
  const double lead = item.lead_time.Mean();
  const double lead_sd = LeadTimeSd(item.lead_time);
  const double protection = std::max(0.0, lead + r - 1);
  const double c_h = item.costs.holding, c_p = item.costs.shortage;
  double ratio = c_h > 0 && c_p > 0 ? c_p / (c_p + c_h) : 0.95;
  if (min_fill_rate) ratio = std::max(ratio, *min_fill_rate);
  const double z = StandardNormalQuantile(std::clamp(ratio, 0.5, 0.999));
  const double sd = std::sqrt(protection * d.sd * d.sd + d.mean * d.mean * lead_sd * lead_sd);
  const int64_t level = std::max<int64_t>(0, Round(d.mean * protection + z * sd));
  const int64_t eoq = std::max<int64_t>(1, Round(Eoq(item.costs, d.mean, r)));
  switch (kind) {
    case PolicyKind::kBaseStock:
      return InventoryPolicy::BaseStock(level);
    case PolicyKind::kSS:
      return InventoryPolicy::SS(level - 1, level - 1 + eoq);
    case PolicyKind::kRQ:
      return InventoryPolicy::RQ(level - 1, eoq);
    case PolicyKind::kRS:
      return InventoryPolicy::RS(r, level);
    case PolicyKind::kRSS:
      return InventoryPolicy::RSS(
          r, level - 1, level - 1 + std::max<int64_t>(eoq, Round(d.mean * r)));
    case PolicyKind::kNone:
      break;
  }
  return InventoryPolicy::None();
}

Result<SimOptimizeResult> OptimizePolicy(const ItemSpec& item, const SimOptions& options,
                                         const SimOptimizeOptions& optimize,
                                         const ProgressFn& progress) {
  SC_RETURN_IF_ERROR(optimize.Validate());
  SC_RETURN_IF_ERROR(options.Validate());
  if (item.source >= 0) {
    return Error::InvalidArgument(fmt::format(
        "source = {}; must be -1 (a supplier): simulation-optimisation tunes one item alone",
        item.source));
  }
  const PolicyKind kind = optimize.kind;

  // The start: explicit, else the item's own rule of this kind, else the formula.
  InventoryPolicy start;
  std::string start_origin;
  if (optimize.start) {
    start = *optimize.start;
    start_origin = "given";
  } else if (item.policy.kind == kind) {
    start = item.policy;
    start_origin = "the item's policy";
  } else {
    SC_ASSIGN_OR_RETURN(start, FormulaPolicy(item, kind, optimize.min_fill_rate,
                                             optimize.review_period));
    start_origin = "formula (normal approximation, EOQ)";
  }

  // Bounds around the mean demand over lead time + review period.
  const DemandMoments d = Moments(item.demand);
  const int r = Periodic(kind) ? start.review_period : 1;
  const double x = d.mean * (item.lead_time.Mean() + r);
  const double eoq = Eoq(item.costs, d.mean, r);
  const int64_t lo = optimize.min_level.value_or(0);
  int64_t hi = optimize.max_level.value_or(
      static_cast<int64_t>(std::ceil(4 * x + 2 * eoq)) + 10);
  // Keep the start inside the default bounds.
  if (!optimize.max_level) {
    hi = std::max({hi, start.order_up_to + 1, start.reorder_point + start.order_quantity + 1});
  }
  if (hi <= lo) {
    return Error::InvalidArgument(
        fmt::format("max_level = {}; must be > min_level = {}", hi, lo));
  }
  const Space space(kind, start, lo, hi);
  const Point start_point = space.FromPolicy(start);
  start = space.ToPolicy(start_point);

  // Common random numbers for the search, on a seed derived from the search seed.
  uint64_t search_seed = DeriveSeed(optimize.seed, kSearchStream);
  if (search_seed == options.seed) ++search_seed;
  SimOptions search_options = options;
  search_options.seed = search_seed;
  search_options.per_item = false;
  search_options.trajectory = false;
  if (optimize.search_replications > 0) {
    search_options.replications = optimize.search_replications;
  }
  ItemSpec candidate = item;
  candidate.policy = start;
  SC_ASSIGN_OR_RETURN(Simulator sim, Simulator::Create({candidate}, search_options));

  Evaluator eval(&sim, space, optimize, progress);
  switch (optimize.method) {
    case SearchMethod::kPatternSearch:
      SC_RETURN_IF_ERROR(PatternSearch(space, start_point, eval));
      break;
    case SearchMethod::kAnnealing:
      SC_RETURN_IF_ERROR(
          Annealing(space, start_point, optimize.seed, optimize.max_evaluations, eval));
      break;
    case SearchMethod::kGenetic:
      SC_RETURN_IF_ERROR(Genetic(space, start_point, lo, hi, optimize.seed, eval));
      break;
  }
  const auto& [best_point, best_eval] = eval.best();

  SimOptimizeResult out;
  out.best = space.ToPolicy(best_point);
  out.start = start;
  out.search_cost = best_eval.cost;
  out.evaluations = eval.evaluations();
  out.min_level = lo;
  out.max_level = hi;
  out.trace = std::move(eval.trace());

  // The independent re-run: SimOptions as given (its own seed).
  SimOptions final_options = options;
  final_options.per_item = false;
  final_options.trajectory = false;
  candidate.policy = out.best;
  SC_ASSIGN_OR_RETURN(Simulator final_sim, Simulator::Create({candidate}, final_options));
  out.estimate = final_sim.Run().total;
  SC_RETURN_IF_ERROR(final_sim.SetPolicy(0, start));
  out.start_estimate = final_sim.Run().total;
  ReportProgress(progress, kStage, 1.0);

  const double fill = out.estimate[Metric::kFillRate].mean;
  out.constraint_met = !optimize.min_fill_rate || fill >= *optimize.min_fill_rate;
  std::string text = fmt::format(
      "{} over {} candidates ({} method, common random numbers on seed {}, {} replications x "
      "{} days) from the {} start {}; levels in [{}, {}]. Best: {} ({}; search cost per day "
      "{:.4f}). Start on the same independent seed: {}.",
      optimize.min_fill_rate
          ? fmt::format("Minimised cost per day subject to fill rate >= {}", *optimize.min_fill_rate)
          : std::string("Minimised cost per day"),
      out.evaluations, ToString(optimize.method), search_seed, search_options.replications,
      options.days, start_origin, start.ToString(), lo, hi, out.best.ToString(),
      Describe(out.estimate), out.search_cost, Describe(out.start_estimate));
  if (optimize.min_fill_rate) {
    if (!best_eval.feasible) {
      text += fmt::format(
          " No candidate reached the fill-rate target within the bounds and the budget; the "
          "returned policy comes closest (fill rate {:.4f}); raise max_level or the budget.",
          best_eval.fill);
    } else if (!out.constraint_met) {
      text += fmt::format(
          " The target held on the search seed but not on the independent seed (fill rate "
          "{:.4f} < {}): more replications or days narrow the gap.",
          fill, *optimize.min_fill_rate);
    }
  }
  if (eval.exhausted()) {
    text += fmt::format(" The budget of {} evaluations was used up.", optimize.max_evaluations);
  }
  out.explanation = std::move(text);
  return out;
}

}  // namespace stockcast::sim
