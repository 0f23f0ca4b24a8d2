// Several warehouses sharing one supplier's daily capacity: environment, baselines and the
// comparison with the DQN agent (see multi_warehouse.h and dqn_agent.h).
#include "stockcast/sim/multi_warehouse.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <utility>

#include "stockcast/sim/dqn_agent.h"
#include "stockcast/sim/random.h"

namespace stockcast::sim {
namespace {

// Streams of RlEvalOptions::seed (the same numbers as the single-SKU comparison's).
constexpr uint64_t kEvalStream = 0xE7A1;
constexpr uint64_t kTuneStream = 0x7E4E;
constexpr size_t kMaxWarehouses = 16;

std::string Join(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += fmt::format("{}{}", i ? "," : "", v[i]);
  return s;
}

}  // namespace

// ---- environment -----------------------------------------------------------------------------

Status MultiEnvConfig::Validate() const {
  if (demands.empty() || demands.size() > kMaxWarehouses) {
    return Error::InvalidArgument(
        fmt::format("MultiEnvConfig::demands has {} warehouses; must be 1 to {}", demands.size(),
                    kMaxWarehouses));
  }
  if (capacity < 0 || capacity > 1'000'000'000) {
    return Error::InvalidArgument(fmt::format(
        "MultiEnvConfig::capacity = {}; must be in [0, 1e9] units a day (0 = unlimited)",
        capacity));
  }
  for (size_t w = 0; w < demands.size(); ++w) {
    Status s = Warehouse(w).Validate();
    if (!s.ok()) {
      Error e = s.error();
      // "RlEnvConfig::demand = ..." -> "MultiEnvConfig::demands[1] = ..."; the other fields
      // are the same for every warehouse and keep their names.
      const std::string from = "RlEnvConfig::demand";
      const size_t at = e.message.find(from);
      if (at != std::string::npos) {
        e.message.replace(at, from.size(), fmt::format("MultiEnvConfig::demands[{}]", w));
      } else {
        const std::string prefix = "RlEnvConfig::";
        const size_t p = e.message.find(prefix);
        if (p != std::string::npos) e.message.replace(p, prefix.size(), "MultiEnvConfig::");
      }
      return e;
    }
  }
  return Status::Ok();
}

RlEnvConfig MultiEnvConfig::Warehouse(size_t w) const {
  RlEnvConfig c;
  c.demand = demands.at(w);
  c.lead_time = lead_time;
  c.holding = holding;
  c.lost_sales = lost_sales;
  c.ordering = ordering;
  return c;
}

std::vector<int64_t> Ration(std::span<const int64_t> wanted, int64_t capacity) {
  std::vector<int64_t> out(wanted.begin(), wanted.end());
  // Wanted orders are clamped to [0, 1e9] (capacity <= 1e9 too), so C q_w fits in 64 bits.
  for (int64_t& q : out) q = std::clamp<int64_t>(q, 0, 1'000'000'000);
  const int64_t total = std::accumulate(out.begin(), out.end(), int64_t{0});
  if (capacity <= 0 || total <= capacity) return out;
  // floor(C q_w / total) each; the remainders C q_w mod total decide who gets the units left.
  std::vector<int64_t> remainder(out.size());
  int64_t given = 0;
  for (size_t w = 0; w < out.size(); ++w) {
    const int64_t product = capacity * out[w];
    remainder[w] = static_cast<int64_t>(product % total);
    out[w] = static_cast<int64_t>(product / total);
    given += out[w];
  }
  std::vector<size_t> order(out.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&remainder](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  for (size_t i = 0; i < order.size() && given < capacity; ++i, ++given) ++out[order[i]];
  return out;
}

MultiWarehouseEnv::MultiWarehouseEnv(const MultiEnvConfig& config) : config_(config) {
  warehouses_.reserve(config.demands.size());
  for (size_t w = 0; w < config.demands.size(); ++w) {
    warehouses_.emplace_back(config.Warehouse(w));
  }
}

void MultiWarehouseEnv::Reset(std::span<const int64_t> on_hand) {
  SC_ASSERT(on_hand.size() == warehouses_.size());
  for (size_t w = 0; w < warehouses_.size(); ++w) warehouses_[w].Reset(on_hand[w]);
}

MultiDay MultiWarehouseEnv::Advance(std::span<const int64_t> demand) {
  SC_ASSERT(demand.size() == warehouses_.size());
  MultiDay day;
  day.warehouses.reserve(warehouses_.size());
  for (size_t w = 0; w < warehouses_.size(); ++w) {
    const RlDay d = warehouses_[w].Advance(demand[w]);
    day.holding_cost += d.holding_cost;
    day.shortage_cost += d.shortage_cost;
    day.demand += d.demand;
    day.filled += d.filled;
    day.lost += d.lost;
    day.warehouses.push_back(d);
  }
  return day;
}

double MultiWarehouseEnv::Order(std::span<const int64_t> wanted, std::vector<int64_t>* placed) {
  SC_ASSERT(wanted.size() == warehouses_.size());
  std::vector<int64_t> cut = Ration(wanted, config_.capacity);
  double cost = 0;
  for (size_t w = 0; w < warehouses_.size(); ++w) cost += warehouses_[w].Order(cut[w]);
  if (placed) *placed = std::move(cut);
  return cost;
}

std::vector<std::vector<int64_t>> MultiDemandPaths(
    const std::vector<policy::DemandDistribution>& demands, int count, int length, uint64_t seed) {
  const size_t n = static_cast<size_t>(std::max(0, count));
  const size_t days = static_cast<size_t>(std::max(0, length));
  const size_t width = demands.size();
  std::vector<std::vector<int64_t>> out(n, std::vector<int64_t>(days * width));
  for (size_t w = 0; w < width; ++w) {
    const auto paths = DemandPaths(demands[w], count, length, DeriveSeed(seed, w));
    for (size_t i = 0; i < n; ++i) {
      for (size_t t = 0; t < days; ++t) out[i][t * width + w] = paths[i][t];
    }
  }
  return out;
}

// ---- evaluation ------------------------------------------------------------------------------

std::vector<MultiPathMetrics> EvaluateMultiPaths(const MultiEnvConfig& config,
                                                 const std::vector<std::vector<int64_t>>& paths,
                                                 int warmup_days,
                                                 std::span<const int64_t> initial_on_hand,
                                                 const MultiOrderFn& rule) {
  const size_t width = config.demands.size();
  std::vector<MultiPathMetrics> out;
  out.reserve(paths.size());
  MultiWarehouseEnv env(config);
  std::vector<int64_t> placed;
  for (const auto& path : paths) {
    SC_ASSERT(path.size() % width == 0);
    env.Reset(initial_on_hand);
    const size_t days = path.size() / width;
    double holding = 0, shortage = 0, ordering = 0, on_hand = 0, cut = 0;
    int64_t demand = 0, filled = 0, orders = 0, measured = 0;
    std::vector<int64_t> demand_w(width, 0), filled_w(width, 0);
    for (size_t t = 0; t < days; ++t) {
      const bool measure = static_cast<int64_t>(t) >= warmup_days;
      const MultiDay day = env.Advance(std::span<const int64_t>(path.data() + t * width, width));
      const std::vector<int64_t> wanted = rule(env);
      SC_ASSERT(wanted.size() == width);
      const double k = env.Order(wanted, &placed);
      if (!measure) continue;
      ++measured;
      holding += day.holding_cost;
      shortage += day.shortage_cost;
      ordering += k;
      demand += day.demand;
      filled += day.filled;
      for (size_t w = 0; w < width; ++w) {
        demand_w[w] += day.warehouses[w].demand;
        filled_w[w] += day.warehouses[w].filled;
        on_hand += static_cast<double>(env.warehouse(w).on_hand());
        orders += placed[w] > 0 ? 1 : 0;
        cut += static_cast<double>(std::max<int64_t>(0, wanted[w]) - placed[w]);
      }
    }
    MultiPathMetrics m;
    const double n = static_cast<double>(std::max<int64_t>(1, measured));
    m.total.holding_per_day = holding / n;
    m.total.shortage_per_day = shortage / n;
    m.total.ordering_per_day = ordering / n;
    m.total.cost_per_day = (holding + shortage + ordering) / n;
    m.total.fill_rate =
        demand > 0 ? static_cast<double>(filled) / static_cast<double>(demand) : 1.0;
    m.total.average_on_hand = on_hand / n;
    m.total.orders_per_day = static_cast<double>(orders) / n;
    m.fill_rate.resize(width);
    for (size_t w = 0; w < width; ++w) {
      m.fill_rate[w] = demand_w[w] > 0
                           ? static_cast<double>(filled_w[w]) / static_cast<double>(demand_w[w])
                           : 1.0;
    }
    m.cut_per_day = cut / n;
    out.push_back(std::move(m));
  }
  return out;
}

MultiOrderFn BaseStockRule(std::vector<int64_t> levels) {
  return [levels = std::move(levels)](const MultiWarehouseEnv& env) {
    std::vector<int64_t> q(env.size());
    for (size_t w = 0; w < q.size(); ++w) {
      q[w] = std::max<int64_t>(0, levels[w] - env.warehouse(w).Position());
    }
    return q;
  };
}

Result<std::vector<int64_t>> ForecastDrivenLevels(const MultiEnvConfig& config) {
  SC_RETURN_IF_ERROR(config.Validate());
  std::vector<int64_t> levels;
  for (size_t w = 0; w < config.demands.size(); ++w) {
    SC_ASSIGN_OR_RETURN(int64_t level, ForecastDrivenLevel(config.Warehouse(w)));
    levels.push_back(level);
  }
  return levels;
}

namespace {

struct TunedLevels {
  std::vector<int64_t> levels;
  double cost = 0;
  double fill = 0;
  bool feasible = true;  // the fill-rate target was met on the tuning paths
  int64_t evaluations = 0;
};

// Coordinate search for the base-stock vector on the tuning paths: minimise the mean cost per
// day, or with min_fill > 0 minimise (the fill-rate shortfall max(0, min_fill - fill), then the
// cost) lexicographically: the cheapest vector meeting the target, or the one closest to it when
// none does (a binding capacity caps what any levels can fill). Each round scans every S_w over
// 0 .. caps[w] with the others fixed and moves it to the best level; rounds repeat until no
// level moves or `budget` distinct vectors (each simulated once, memoised) are spent.
TunedLevels CoordinateSearch(const MultiEnvConfig& config,
                             const std::vector<std::vector<int64_t>>& paths, int warmup_days,
                             std::span<const int64_t> start_stock, std::vector<int64_t> start,
                             const std::vector<int64_t>& caps, double min_fill, int budget) {
  struct Score {
    double shortfall = 0;
    double cost = 0;
    double fill = 0;
    bool operator<(const Score& o) const {
      if (shortfall != o.shortfall) return shortfall < o.shortfall - 1e-12;
      return cost < o.cost - 1e-12;
    }
  };
  std::map<std::vector<int64_t>, Score> memo;
  auto evaluate = [&](const std::vector<int64_t>& levels) -> Score {
    auto it = memo.find(levels);
    if (it != memo.end()) return it->second;
    const auto m =
        EvaluateMultiPaths(config, paths, warmup_days, start_stock, BaseStockRule(levels));
    double cost = 0, fill = 0;
    for (const auto& p : m) {
      cost += p.total.cost_per_day;
      fill += p.total.fill_rate;
    }
    const double n = static_cast<double>(std::max<size_t>(1, m.size()));
    Score score{0.0, cost / n, fill / n};
    if (min_fill > 0) score.shortfall = std::max(0.0, min_fill - score.fill);
    return memo[levels] = score;
  };
  std::vector<int64_t> current = std::move(start);
  Score best = evaluate(current);
  for (int round = 0; round < 20; ++round) {
    bool moved = false;
    for (size_t w = 0; w < current.size(); ++w) {
      std::vector<int64_t> trial = current;
      int64_t best_level = current[w];
      for (int64_t level = 0; level <= caps[w]; ++level) {
        if (static_cast<int64_t>(memo.size()) >= budget) break;
        trial[w] = level;
        const Score r = evaluate(trial);
        if (r < best) {
          best = r;
          best_level = level;
        }
      }
      if (best_level != current[w]) {
        current[w] = best_level;
        moved = true;
      }
    }
    if (!moved || static_cast<int64_t>(memo.size()) >= budget) break;
  }
  TunedLevels out;
  out.levels = std::move(current);
  out.cost = best.cost;
  out.fill = best.fill;
  out.feasible = best.shortfall <= 0;
  out.evaluations = static_cast<int64_t>(memo.size());
  return out;
}

MultiPolicyResult SummariseMulti(std::string name, std::string rule,
                                 const std::vector<MultiPathMetrics>& m,
                                 const std::vector<MultiPathMetrics>& agent) {
  std::vector<PathMetrics> mine, theirs;
  for (const auto& p : m) mine.push_back(p.total);
  for (const auto& p : agent) theirs.push_back(p.total);
  MultiPolicyResult r;
  r.overall = SummarisePaths(std::move(name), std::move(rule), mine, theirs);
  const size_t width = m.empty() ? 0 : m.front().fill_rate.size();
  for (size_t w = 0; w < width; ++w) {
    std::vector<double> v;
    for (const auto& p : m) v.push_back(p.fill_rate[w]);
    r.fill_rate_by_warehouse.push_back(EstimateOf(v));
  }
  std::vector<double> cut;
  for (const auto& p : m) cut.push_back(p.cut_per_day);
  r.cut_per_day = EstimateOf(cut);
  return r;
}

}  // namespace

Result<MultiComparison> CompareMultiWarehouse(const MultiEnvConfig& config, const DqnOptions& dqn,
                                              const RlEvalOptions& eval,
                                              const ProgressFn& progress) {
  SC_RETURN_IF_ERROR(config.Validate());
  SC_RETURN_IF_ERROR(dqn.Validate());
  SC_RETURN_IF_ERROR(eval.Validate());
  if (!DqnAgent::Available()) {
    return Error::Unavailable("multi-warehouse comparison: the DQN agent is unavailable: " +
                              DqnAgent::UnavailableReason());
  }
  MultiComparison out;
  const size_t width = config.demands.size();
  double total_mean = 0;
  for (const auto& d : config.demands) total_mean += d.Mean();
  out.capacity_share =
      config.capacity > 0 ? static_cast<double>(config.capacity) / total_mean : 0.0;

  const auto t0 = std::chrono::steady_clock::now();
  SC_ASSIGN_OR_RETURN(DqnAgent agent, DqnAgent::Train(config, dqn, progress));
  out.training_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.training_steps = agent.stats().steps;
  out.training_details = agent.Describe();
  out.validation = agent.stats().validation;
  out.best_step = agent.stats().best_step;

  SC_ASSIGN_OR_RETURN(std::vector<int64_t> forecast_levels, ForecastDrivenLevels(config));
  // Scan caps: the 99.99 % quantile of demand over L + 1 days plus the agent's largest order,
  // the single-SKU comparison's bound.
  std::vector<int64_t> caps(width);
  for (size_t w = 0; w < width; ++w) {
    SC_ASSIGN_OR_RETURN(policy::DemandDistribution cover,
                        config.demands[w].Convolve(config.lead_time + 1));
    caps[w] = static_cast<int64_t>(std::ceil(cover.Quantile(0.9999))) + agent.stats().max_order[w];
  }
  const int length = eval.warmup_days + eval.days;
  const auto eval_paths = MultiDemandPaths(config.demands, eval.replications, length,
                                           DeriveSeed(eval.seed, kEvalStream));
  const auto tune_paths = MultiDemandPaths(config.demands, eval.tuning_replications, length,
                                           DeriveSeed(eval.seed, kTuneStream));
  // Every policy starts from the forecast-driven levels with empty pipelines.
  const std::vector<int64_t>& start = forecast_levels;

  ReportProgress(progress, "rl-evaluation", 0.0);
  const auto agent_m =
      EvaluateMultiPaths(config, eval_paths, eval.warmup_days, start,
                         [&agent](const MultiWarehouseEnv& e) { return agent.Act(e); });
  MultiPolicyResult agent_r = SummariseMulti("rl-dqn", agent.Describe(), agent_m, agent_m);
  agent_r.overall.verdict = "-";

  ReportProgress(progress, "rl-tuning", 0.0);
  const int budget = eval.optimize_evaluations * static_cast<int>(width);
  const TunedLevels best = CoordinateSearch(config, tune_paths, eval.warmup_days, start,
                                            forecast_levels, caps, 0.0, budget);
  ReportProgress(progress, "rl-tuning", 0.5);
  const double agent_fill = agent_r.overall.fill_rate.mean;
  const TunedLevels at_fill = CoordinateSearch(config, tune_paths, eval.warmup_days, start,
                                               best.levels, caps, agent_fill, budget);
  ReportProgress(progress, "rl-tuning", 1.0);

  out.policies.push_back(agent_r);
  auto add = [&](std::string name, const std::vector<int64_t>& levels, std::string note) {
    const auto m =
        EvaluateMultiPaths(config, eval_paths, eval.warmup_days, start, BaseStockRule(levels));
    MultiPolicyResult r =
        SummariseMulti(std::move(name), "base-stock:S=" + Join(levels) + note, m, agent_m);
    r.overall.verdict = VerdictOf(r.overall.cost_minus_agent);
    out.policies.push_back(std::move(r));
  };
  add("base-stock", best.levels, "");
  add("base-stock-at-agent-fill", at_fill.levels,
      at_fill.feasible
          ? ""
          : fmt::format(" (target not met: best fill {:.4f} on the tuning paths)", at_fill.fill));
  add("forecast-driven", forecast_levels, "");
  ReportProgress(progress, "rl-evaluation", 1.0);

  const auto& a = agent_r.overall;
  std::string s = fmt::format("agent: {:.4f} +- {:.4f} per day at fill rate {:.4f}; ",
                              a.cost_per_day.mean, a.cost_per_day.half_width, a.fill_rate.mean);
  for (size_t i = 1; i < out.policies.size(); ++i) {
    const auto& p = out.policies[i].overall;
    s += fmt::format(
        "{}{} against {} {} ({:.4f} +- {:.4f}, fill {:.4f}; {} - agent = {:+.4f} "
        "+- {:.4f})",
        i > 1 ? "; " : "", p.verdict, p.name, p.rule, p.cost_per_day.mean,
        p.cost_per_day.half_width, p.fill_rate.mean, p.name, p.cost_minus_agent.mean,
        p.cost_minus_agent.half_width);
  }
  if (config.capacity > 0) {
    s += fmt::format("; capacity {} units/day = {:.2f} x the mean total demand", config.capacity,
                     out.capacity_share);
  }
  out.summary = std::move(s);
  return out;
}

}  // namespace stockcast::sim
