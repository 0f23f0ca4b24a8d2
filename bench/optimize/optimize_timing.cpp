// Timing of the optimize module (plain timing executable; prints one block per experiment):
//
//   (a) purchase-plan MIP, 1,000 SKUs x 3 warehouses x 5 suppliers with budget, warehouse
//       volume capacity, MOQs (units and value), fixed order costs and case packs, generated
//       from a seed: seconds to a plan proven within 1 % of optimal (goal < 10 s) and the gap
//       reached; then the same solve to 1e-4 for reference.
//   (b) simulated annealing and the genetic algorithm against the MIP optimum on 20 random
//       instances small enough for both: mean and max gap (goal within 2 %).
//   (c) exact (s, S) by policy::OptimizeSS for 10,000 SKUs with Poisson / negative-binomial
//       demand (goal < 5 s).
//
//   stockcast_optimize_timing [--seed 1] [--skus 1000] [--only a|b|c]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "stockcast/optimize/metaheuristic.h"
#include "stockcast/optimize/purchase_plan.h"
#include "stockcast/policy/stochastic_review.h"

namespace {

using namespace stockcast;
using namespace stockcast::optimize;

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void RunPlanMip(uint64_t seed, int skus) {
  std::printf("== (a) purchase-plan MIP: %d SKUs x 3 warehouses x 5 suppliers (seed %llu)\n", skus,
              static_cast<unsigned long long>(seed));
  PlanGeneratorOptions g;  // see purchase_plan.h for the instance family
  g.seed = seed;
  g.skus = skus;
  const PurchasePlanInstance inst = GeneratePlanInstance(g);
  for (double gap : {1e-2, 1e-4}) {
    PlanOptions opt;
    opt.solve.relative_gap = gap;
    opt.solve.time_limit_s = 30;
    const double t0 = Now();
    auto problem = PurchasePlanProblem::Create(inst, opt);
    if (!problem.ok()) {
      std::printf("error: %s\n", Describe(problem.error()).c_str());
      return;
    }
    const Model model = problem->BuildModel();
    const double t1 = Now();
    auto r = problem->Solve();
    const double t2 = Now();
    if (!r.ok()) {
      std::printf("error: %s\n", Describe(r.error()).c_str());
      return;
    }
    std::printf(
        "  target gap %-6g status %-9s build %.2f s  solve %.2f s  total %.2f s  gap %.4f%%  "
        "nodes %lld  vars %d  rows %d\n",
        gap, std::string(ToString(r->status)).c_str(), t1 - t0, t2 - t1, t2 - t0, 100 * r->gap,
        static_cast<long long>(r->nodes), model.num_variables(), model.num_constraints());
    std::printf(
        "    model objective %.2f  bound %.2f  exact cost %.2f (ordering %.0f, purchase %.0f, "
        "holding %.0f, shortage %.0f)  lines %zu  orders %zu  binding %zu\n",
        r->model_objective, r->best_bound, r->cost.total, r->cost.ordering, r->cost.purchase,
        r->cost.holding, r->cost.shortage, r->lines.size(), r->orders.size(), r->binding.size());
  }
}

void RunMetaheuristics(uint64_t seed) {
  std::printf(
      "== (b) simulated annealing and genetic algorithm vs the MIP: 20 instances of 8 SKUs x 2 "
      "warehouses x 3 suppliers (48 integer decisions)\n");
  std::printf("  %-4s %-8s %12s %9s %12s %8s %9s %12s %8s %9s\n", "inst", "mip", "mip cost",
              "mip s", "SA cost", "SA gap", "SA s", "GA cost", "GA gap", "GA s");
  double sa_sum = 0, ga_sum = 0, sa_max = 0, ga_max = 0, mip_t = 0, sa_t = 0, ga_t = 0;
  int n = 0, below = 0;
  for (uint64_t k = 0; k < 20; ++k) {
    PlanGeneratorOptions g;
    g.seed = seed * 1000 + k;
    g.skus = 8;
    g.warehouses = 2;
    g.suppliers = 3;
    g.demand_scale = 0.2;
    g.moq_scale = 0.2;
    g.capacity_fraction = 0.85;
    PlanOptions opt;
    opt.max_cuts_per_item = 400;  // exact cuts: the MIP optimises the exact expected cost
    opt.solve.time_limit_s = 60;
    opt.solve.cut_generators = false;
    auto problem = PurchasePlanProblem::Create(GeneratePlanInstance(g), opt);
    if (!problem.ok()) {
      std::printf("error: %s\n", Describe(problem.error()).c_str());
      return;
    }
    double t0 = Now();
    auto mip = problem->Solve();
    const double tm = Now() - t0;
    if (!mip.ok() || !(mip->status == SolveStatus::kOptimal)) {
      std::printf("  %-4llu %-8s (skipped)\n", static_cast<unsigned long long>(k),
                  mip.ok() ? std::string(ToString(mip->status)).c_str() : "error");
      continue;
    }
    AnnealingOptions ao;
    ao.seed = k + 1;
    ao.iterations = 1000000;
    t0 = Now();
    auto sa = SolvePurchasePlanAnnealing(*problem, ao);
    const double ts = Now() - t0;
    GeneticOptions go;
    go.seed = k + 1;
    go.population = 100;
    go.generations = 2000;
    t0 = Now();
    auto ga = SolvePurchasePlanGenetic(*problem, go);
    const double tg = Now() - t0;
    const double opt_cost = mip->cost.total;
    const double scale = std::max(1.0, std::fabs(opt_cost));
    const double sa_gap = (sa->cost.total - opt_cost) / scale;
    const double ga_gap = (ga->cost.total - opt_cost) / scale;
    const double floor = mip->best_bound - 1e-6 * scale;
    below += (sa->cost.total < floor) + (ga->cost.total < floor);
    std::printf("  %-4llu %-8s %12.2f %9.3f %12.2f %7.3f%% %9.3f %12.2f %7.3f%% %9.3f\n",
                static_cast<unsigned long long>(k), std::string(ToString(mip->status)).c_str(),
                opt_cost, tm, sa->cost.total, 100 * sa_gap, ts, ga->cost.total, 100 * ga_gap, tg);
    sa_sum += sa_gap;
    ga_sum += ga_gap;
    sa_max = std::max(sa_max, sa_gap);
    ga_max = std::max(ga_max, ga_gap);
    mip_t += tm;
    sa_t += ts;
    ga_t += tg;
    ++n;
  }
  if (n == 0) return;
  std::printf(
      "  %d instances: SA mean gap %.3f%% max %.3f%% (%.3f s each); GA mean gap %.3f%% max "
      "%.3f%% (%.3f s each); MIP %.3f s each; heuristic plans below the MIP's bound: %d\n",
      n, 100 * sa_sum / n, 100 * sa_max, sa_t / n, 100 * ga_sum / n, 100 * ga_max, ga_t / n,
      mip_t / n, below);
}

// 10,000 SKUs, half Poisson and half negative-binomial demand per period (mean log-uniform
// 0.5-50, size 1-10), lead time 0-4 periods, h = 1, p 5-20, K 10-200: exact (s, S) by
// Zheng & Federgruen (policy::OptimizeSS), one thread.
void RunExactSS(uint64_t seed, int skus) {
  std::printf("== (c) exact (s, S) by policy::OptimizeSS: %d SKUs, Poisson / negative binomial\n",
              skus);
  std::mt19937_64 rng(seed);
  auto u = [&](double a, double b) {
    return a + (b - a) * static_cast<double>(rng() >> 11) * 0x1.0p-53;
  };
  std::vector<policy::DemandDistribution> demand;
  std::vector<policy::PeriodicReviewOptions> opts;
  for (int k = 0; k < skus; ++k) {
    const double mean = std::exp(u(std::log(0.5), std::log(50.0)));
    demand.push_back(k % 2 == 0 ? *policy::DemandDistribution::Poisson(mean)
                                : *policy::DemandDistribution::NegativeBinomial(mean, u(1, 10)));
    policy::PeriodicReviewOptions o;
    o.holding_cost = 1;
    o.backorder_cost = u(5, 20);
    o.fixed_cost = u(10, 200);
    o.lead_time = static_cast<int>(u(0, 5));
    opts.push_back(o);
  }
  double cost = 0;
  int64_t evaluations = 0;
  int errors = 0;
  const double t0 = Now();
  for (int k = 0; k < skus; ++k) {
    auto r = policy::OptimizeSS(demand[static_cast<size_t>(k)], opts[static_cast<size_t>(k)]);
    if (!r.ok()) {
      ++errors;
      continue;
    }
    cost += r->expected_cost;
    evaluations += r->evaluations;
  }
  const double t = Now() - t0;
  std::printf(
      "  %d SKUs in %.2f s (%.1f us per SKU, goal < 5 s): %lld c(s,S) evaluations, "
      "mean cost %.3f per period, %d errors\n",
      skus, t, 1e6 * t / skus, static_cast<long long>(evaluations), cost / skus, errors);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 1;
  int skus = 1000;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seed")) seed = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--skus")) skus = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--only")) only = argv[i + 1];
  }
  if (only.empty() || only == "a") RunPlanMip(seed, skus);
  if (only.empty() || only == "b") RunMetaheuristics(seed);
  if (only.empty() || only == "c") RunExactSS(seed, 10000);
  return 0;
}
