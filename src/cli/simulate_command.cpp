// stockcast simulate: one replenishment policy on given demand in the daily inventory simulator
// (stockcast/sim/simulator.h), with Monte Carlo replications and confidence intervals; with
// --optimize its parameters are first tuned by simulation-optimisation (sim/sim_optimize.h).
//
// Output (--json): one object with the fields of `stockcast evaluate` (means over the
// replications)
//   policy, fill_rate, cycle_service_level, total_cost, holding_cost, ordering_cost,
//   shortage_cost, avg_inventory, turnover, stockout_days
// where total_cost = holding + ordering + shortage (+ purchase + expiry when --purchase or
// --expiry is given: then purchase_cost and expiry_cost are printed too) over the measured days,
// avg_inventory the mean end-of-day on hand and turnover a yearly rate (units served per 365
// days / avg_inventory); then replications, days, warmup, seed, cost_per_day and `ci` (the half
// widths of the t interval per field; null with one replication); with --optimize also
// optimized: true, method, evaluations, start_policy, target_fill_rate, constraint_met and the
// explanation.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/progress.h"
#include "stockcast/policy/demand_distribution.h"
#include "stockcast/sim/inventory_policy.h"
#include "stockcast/sim/sim_optimize.h"
#include "stockcast/sim/simulator.h"

namespace stockcast::cli {
namespace {

using Json = nlohmann::ordered_json;

struct SimulateArgs {
  std::string policy;
  std::string demand;
  std::string demand_csv;
  std::string column;
  std::string lead_time = "1";
  bool lost_sales = false;
  int shelf_life = 0;
  double holding = 0.1;
  double ordering = 50;
  double shortage = 5;
  double purchase = 0;
  double expiry = 0;
  int days = 365;
  int warmup = 30;
  int replications = 20;
  uint64_t seed = 42;
  std::vector<std::string> disruptions;
  bool optimize = false;
  double target_fill_rate = 0;
  std::string method = "search";
  int evaluations = 200;
  bool json = false;
  // Which optional flags were given (for defaults that depend on them and unused-flag notes).
  CLI::Option* days_opt = nullptr;
  CLI::Option* target_opt = nullptr;
  CLI::Option* method_opt = nullptr;
  CLI::Option* evaluations_opt = nullptr;
  CLI::Option* column_opt = nullptr;
  CLI::Option* purchase_opt = nullptr;
  CLI::Option* expiry_opt = nullptr;
};

std::string Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::optional<double> ToDouble(std::string_view text) {
  const std::string t = Trim(text);
  if (t.empty()) return std::nullopt;
  const char* first = t.data();
  if (*first == '+') ++first;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(first, t.data() + t.size(), v);
  if (ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<int64_t> ToWhole(std::string_view text) {
  const auto v = ToDouble(text);
  if (!v || *v != std::floor(*v) || std::abs(*v) > 1e12) return std::nullopt;
  return static_cast<int64_t>(*v);
}

std::vector<std::string> Split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    const size_t at = text.find(sep, pos);
    out.emplace_back(text.substr(pos, at == std::string_view::npos ? std::string_view::npos
                                                                    : at - pos));
    if (at == std::string_view::npos) break;
    pos = at + 1;
  }
  return out;
}

// A CSV field without its surrounding quotes ("a""b" -> a"b).
std::string Unquote(std::string_view field) {
  std::string f = Trim(field);
  if (f.size() >= 2 && f.front() == '"' && f.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < f.size(); ++i) {
      out += f[i];
      if (f[i] == '"' && i + 2 < f.size() && f[i + 1] == '"') ++i;
    }
    return out;
  }
  return f;
}

// "3" (fixed) or "2:0.3,3:0.5,5:0.2" (DAYS:PROB entries).
Result<sim::LeadTime> ParseLeadTime(const std::string& text) {
  const std::string where = fmt::format("--lead-time \"{}\"", text);
  if (text.find(':') == std::string::npos) {
    const auto days = ToWhole(text);
    if (!days || *days < 1 || *days > 100000) {
      return Error::InvalidArgument(fmt::format(
          "{}: must be whole days >= 1 (3) or a distribution DAYS:PROB,... (2:0.3,3:0.5,5:0.2)",
          where));
    }
    return sim::LeadTime::Fixed(static_cast<int>(*days));
  }
  std::vector<int> days;
  std::vector<double> probs;
  for (const std::string& entry : Split(text, ',')) {
    const auto parts = Split(entry, ':');
    const auto d = parts.size() == 2 ? ToWhole(parts[0]) : std::nullopt;
    const auto p = parts.size() == 2 ? ToDouble(parts[1]) : std::nullopt;
    if (!d || !p) {
      return Error::InvalidArgument(fmt::format(
          "{}: each entry must be DAYS:PROB, e.g. 2:0.3,3:0.5,5:0.2 (\"{}\" is not)", where,
          Trim(entry)));
    }
    if (*d < 1 || *d > 100000) {
      return Error::InvalidArgument(
          fmt::format("{}: lead time {} days; must be >= 1 (arrival = order day + DAYS)", where,
                      *d));
    }
    days.push_back(static_cast<int>(*d));
    probs.push_back(*p);
  }
  sim::LeadTime lt = sim::LeadTime::Discrete(days, probs);
  if (Status valid = lt.Validate(); !valid.ok()) {
    return Error::InvalidArgument(fmt::format("{}: {}", where, valid.error().message));
  }
  return lt;
}

// "FIRST:LAST" or "FIRST:LAST:no_ordering" (simulated days, warm-up included, inclusive).
Result<sim::DisruptionWindow> ParseDisruption(const std::string& text, int horizon) {
  const auto parts = Split(text, ':');
  const auto first = parts.size() >= 2 ? ToWhole(parts[0]) : std::nullopt;
  const auto last = parts.size() >= 2 ? ToWhole(parts[1]) : std::nullopt;
  std::optional<sim::DisruptionKind> kind = sim::DisruptionKind::kNoShipping;
  if (parts.size() == 3) kind = sim::ParseDisruptionKind(Trim(parts[2]));
  if (!first || !last || parts.size() > 3 || !kind) {
    return Error::InvalidArgument(fmt::format(
        "--disruption \"{}\": must be FIRST:LAST[:no_shipping|no_ordering], simulated days "
        "(warm-up included, from 0), e.g. 100:110",
        text));
  }
  if (*first < 0 || *last < *first || *last >= horizon) {
    return Error::InvalidArgument(fmt::format(
        "--disruption \"{}\": days must satisfy 0 <= FIRST <= LAST < --warmup + --days = {}",
        text, horizon));
  }
  sim::DisruptionWindow w;
  w.first_day = static_cast<int>(*first);
  w.last_day = static_cast<int>(*last);
  w.kind = *kind;
  return w;
}

// Daily demand from a CSV: one value per line (optional header), or the named column of a CSV
// with a header. An empty value is an unknown day (NaN).
Result<std::vector<double>> ReadDemandCsv(const std::string& path, const std::string& column) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound(fmt::format("--demand-csv {}: file not found or unreadable", path));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  if (!lines.empty() && lines[0].rfind("\xEF\xBB\xBF", 0) == 0) lines[0].erase(0, 3);
  while (!lines.empty() && Trim(lines.back()).empty()) lines.pop_back();  // trailing newlines
  if (lines.empty()) return Error::InvalidArgument(fmt::format("{}: file is empty", path));

  size_t col = 0;
  size_t fields = 1;
  size_t first_data = 0;
  const std::vector<std::string> head = Split(lines[0], ',');
  const bool header = !column.empty() || (!Trim(lines[0]).empty() && !ToDouble(head[0]));
  if (header) {
    first_data = 1;
    fields = head.size();
    std::string names;
    for (const auto& h : head) names += (names.empty() ? "" : ", ") + Unquote(h);
    if (column.empty()) {
      if (head.size() > 1) {
        return Error::InvalidArgument(fmt::format(
            "{}:1: the header has columns {}; choose the demand column with --column NAME", path,
            names));
      }
    } else {
      auto it = std::find_if(head.begin(), head.end(),
                             [&](const std::string& h) { return Unquote(h) == column; });
      if (it == head.end()) {
        return Error::InvalidArgument(fmt::format(
            "--column \"{}\": no such column in {}:1; available: {}", column, path, names));
      }
      col = static_cast<size_t>(it - head.begin());
    }
  }
  std::vector<double> demand;
  for (size_t i = first_data; i < lines.size(); ++i) {
    const size_t line_no = i + 1;
    const std::vector<std::string> row = Split(lines[i], ',');
    if (row.size() != fields && !(fields == 1 && Trim(lines[i]).empty())) {
      return Error::InvalidArgument(fmt::format("{}:{}: {} fields; the {} has {}", path, line_no,
                                                row.size(), header ? "header" : "first line",
                                                fields));
    }
    const std::string value = Unquote(row.size() > col ? row[col] : std::string());
    if (value.empty()) {
      demand.push_back(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    const auto v = ToDouble(value);
    if (!v || *v < 0 || *v != std::floor(*v)) {
      return Error::InvalidArgument(fmt::format(
          "{}:{}: demand \"{}\"; must be a whole number >= 0 (empty = unknown day)", path,
          line_no, value));
    }
    demand.push_back(*v);
  }
  if (demand.empty()) {
    return Error::InvalidArgument(fmt::format("{}: no demand values after the header", path));
  }
  return demand;
}

Status CheckNonNegative(double value, std::string_view flag) {
  if (!std::isfinite(value) || value < 0) {
    return Error::InvalidArgument(fmt::format("{} = {}; must be a number >= 0", flag, value));
  }
  return Status::Ok();
}

// A simulator message "items[0]: lead_time ..." in terms of the flags.
Error Translate(Error e) {
  std::string& m = e.message;
  if (m.rfind("items[0]: ", 0) == 0) m.erase(0, 10);
  for (const auto& [field, flag] :
       {std::pair<std::string, std::string>{"lead_time", "--lead-time"},
        {"shelf_life", "--shelf-life"},
        {"disruptions", "--disruption"},
        {"warmup_days", "--warmup"},
        {"days", "--days"},
        {"replications", "--replications"},
        {"history", "--demand-csv"}}) {
    if (m.rfind(field, 0) == 0) {
      m = flag + m.substr(field.size());
      break;
    }
  }
  return e;
}

Json Number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

struct Field {
  const char* name;
  sim::Metric metric;
};

Status RunSimulate(const GlobalOptions& g, SimulateArgs& a) {
  std::vector<std::string> warnings;
  // ---- demand ----
  if (a.demand.empty() == a.demand_csv.empty()) {
    return Error::InvalidArgument(
        a.demand.empty()
            ? "no demand; give --demand (poisson:3, negbin:3,1.5, normal:50,8, pmf:0:0.2,1:0.8) "
              "or --demand-csv FILE"
            : "--demand and --demand-csv are both given; choose one");
  }
  sim::ItemSpec item;
  std::optional<size_t> replay_days;
  if (!a.demand.empty()) {
    auto d = policy::DemandDistribution::Parse(a.demand);
    if (!d.ok()) {
      Error e = d.error();
      e.message = fmt::format("--demand \"{}\": {}; expected poisson:MEAN, negbin:MEAN,SIZE, "
                              "normal:MEAN,SD, pmf:V:P,... or empirical:FILE",
                              a.demand, e.message);
      return e;
    }
    item.demand = sim::DemandSource::Stationary(std::move(d).value());
    if (a.column_opt->count() > 0) warnings.push_back("--column is not used without --demand-csv");
  } else {
    SC_ASSIGN_OR_RETURN(std::vector<double> history, ReadDemandCsv(a.demand_csv, a.column));
    replay_days = history.size();
    item.demand = sim::DemandSource::Replay(std::move(history));
  }

  // ---- horizon ----
  if (a.warmup < 0) return Error::InvalidArgument(fmt::format("--warmup = {}; must be >= 0", a.warmup));
  if (replay_days) {
    const int64_t available = static_cast<int64_t>(*replay_days) - a.warmup;
    if (a.days_opt->count() == 0) {
      if (available < 1) {
        return Error::InvalidArgument(fmt::format(
            "--demand-csv {} has {} days; --warmup = {} leaves none to measure", a.demand_csv,
            *replay_days, a.warmup));
      }
      a.days = static_cast<int>(std::min<int64_t>(available, 1'000'000));
    } else if (a.days > available) {
      return Error::InvalidArgument(fmt::format(
          "--days = {}; --demand-csv {} has {} days, so --warmup + --days must be <= {} (--days "
          "<= {})",
          a.days, a.demand_csv, *replay_days, *replay_days, std::max<int64_t>(0, available)));
    }
  }
  if (a.days < 1) return Error::InvalidArgument(fmt::format("--days = {}; must be >= 1", a.days));
  if (a.replications < 1) {
    return Error::InvalidArgument(fmt::format(
        "--replications = {}; must be >= 1 (>= 2 for confidence intervals)", a.replications));
  }
  if (a.shelf_life < 0) {
    return Error::InvalidArgument(
        fmt::format("--shelf-life = {}; must be >= 0 days (0 = never expires)", a.shelf_life));
  }
  SC_RETURN_IF_ERROR(CheckNonNegative(a.holding, "--holding"));
  SC_RETURN_IF_ERROR(CheckNonNegative(a.ordering, "--ordering"));
  SC_RETURN_IF_ERROR(CheckNonNegative(a.shortage, "--shortage"));
  SC_RETURN_IF_ERROR(CheckNonNegative(a.purchase, "--purchase"));
  SC_RETURN_IF_ERROR(CheckNonNegative(a.expiry, "--expiry"));

  // ---- the item ----
  SC_ASSIGN_OR_RETURN(item.lead_time, ParseLeadTime(a.lead_time));
  item.shortage = a.lost_sales ? sim::ShortageMode::kLostSales : sim::ShortageMode::kBackorder;
  item.shelf_life = a.shelf_life;
  item.costs = {.ordering = a.ordering,
                .purchase = a.purchase,
                .holding = a.holding,
                .shortage = a.shortage,
                .expiry = a.expiry};
  const int horizon = a.warmup + a.days;
  for (const std::string& text : a.disruptions) {
    SC_ASSIGN_OR_RETURN(sim::DisruptionWindow w, ParseDisruption(text, horizon));
    for (const auto& other : item.disruptions) {
      if (w.first_day <= other.last_day && other.first_day <= w.last_day) {
        return Error::InvalidArgument(fmt::format(
            "--disruption \"{}\": overlaps the window {}:{}; windows must not overlap", text,
            other.first_day, other.last_day));
      }
    }
    item.disruptions.push_back(w);
  }
  std::sort(item.disruptions.begin(), item.disruptions.end(),
            [](const auto& x, const auto& y) { return x.first_day < y.first_day; });

  // ---- the policy ----
  if (a.policy.empty()) {
    return Error::InvalidArgument(
        "no policy; give --policy, e.g. ss:s=20,S=60, base-stock:S=30, rq:r=10,Q=40, "
        "rs:R=7,S=50 (with --optimize the kind alone is enough: --policy ss)");
  }
  std::optional<sim::InventoryPolicy> given;
  sim::PolicyKind kind = sim::PolicyKind::kNone;
  if (a.policy.find(':') != std::string::npos || !a.optimize) {
    auto p = sim::InventoryPolicy::Parse(a.policy);
    if (!p.ok()) {
      return Error::InvalidArgument(fmt::format("--policy \"{}\": {}", a.policy, p.error().message));
    }
    given = *p;
    kind = p->kind;
  } else {
    auto k = sim::ParsePolicyKind(Trim(a.policy));
    if (!k || *k == sim::PolicyKind::kNone) {
      return Error::InvalidArgument(fmt::format(
          "--policy \"{}\": unknown policy kind; available with --optimize: base-stock, ss, rq, "
          "rs, rss (or a full policy such as ss:s=20,S=60 to start from)",
          a.policy));
    }
    kind = *k;
  }

  sim::SimOptions options;
  options.days = a.days;
  options.warmup_days = a.warmup;
  options.replications = a.replications;
  options.seed = a.seed;
  options.per_item = false;

  Json j;
  sim::MetricEstimates m;
  std::optional<sim::SimOptimizeResult> opt;
  if (a.optimize) {
    sim::SimOptimizeOptions o;
    o.kind = kind;
    if (kind == sim::PolicyKind::kNone) {
      return Error::InvalidArgument(
          "--policy none: --optimize needs a rule with parameters: base-stock, ss, rq, rs, rss");
    }
    o.start = given;
    if (a.target_opt->count() > 0) {
      if (!(a.target_fill_rate > 0 && a.target_fill_rate < 1)) {
        return Error::InvalidArgument(fmt::format("--target-fill-rate = {}; must be in (0, 1)",
                                                  a.target_fill_rate));
      }
      o.min_fill_rate = a.target_fill_rate;
    }
    auto method = sim::ParseSearchMethod(a.method);
    if (!method) {
      return Error::InvalidArgument(fmt::format(
          "--method \"{}\": unknown search method; available: search, annealing, genetic",
          a.method));
    }
    o.method = *method;
    if (a.evaluations < 1) {
      return Error::InvalidArgument(
          fmt::format("--evaluations = {}; must be >= 1", a.evaluations));
    }
    o.max_evaluations = a.evaluations;
    o.seed = a.seed;
    ProgressBar bar(!g.quiet && !a.json && StderrIsTerminal());
    auto r = sim::OptimizePolicy(item, options, o, [&bar](std::string_view stage, double f) {
      bar.Update(stage, f);
    });
    bar.Clear();
    if (!r.ok()) return Translate(r.error());
    opt = std::move(r).value();
    m = opt->estimate;
    j["policy"] = opt->best.ToString();
  } else {
    for (auto* flag : {a.target_opt, a.method_opt, a.evaluations_opt}) {
      if (flag->count() > 0) {
        warnings.push_back(fmt::format("{} is not used without --optimize", flag->get_name()));
      }
    }
    if (kind == sim::PolicyKind::kNone) warnings.push_back("--policy none never orders");
    item.policy = *given;
    auto r = sim::Simulate({item}, options);
    if (!r.ok()) return Translate(r.error());
    m = r->total;
    j["policy"] = given->ToString();
  }
  for (const auto& w : warnings) std::cerr << "stockcast: warning: " << w << "\n";

  // ---- output ----
  const double year = 365.0 / a.days;
  std::vector<Field> fields = {{"fill_rate", sim::Metric::kFillRate},
                               {"cycle_service_level", sim::Metric::kCycleServiceLevel},
                               {"total_cost", sim::Metric::kTotalCost},
                               {"holding_cost", sim::Metric::kHoldingCost},
                               {"ordering_cost", sim::Metric::kOrderingCost},
                               {"shortage_cost", sim::Metric::kShortageCost}};
  const bool with_purchase = a.purchase_opt->count() > 0;
  const bool with_expiry = a.expiry_opt->count() > 0;
  if (with_purchase) fields.push_back({"purchase_cost", sim::Metric::kPurchaseCost});
  if (with_expiry) fields.push_back({"expiry_cost", sim::Metric::kExpiryCost});
  fields.push_back({"avg_inventory", sim::Metric::kAverageOnHand});
  fields.push_back({"turnover", sim::Metric::kTurnover});
  fields.push_back({"stockout_days", sim::Metric::kStockoutDays});
  Json ci = Json::object();
  for (const Field& f : fields) {
    const sim::Estimate& e = m[f.metric];
    const double scale = f.metric == sim::Metric::kTurnover ? year : 1.0;
    j[f.name] = Number(e.mean * scale);
    ci[f.name] = Number(e.half_width * scale);
  }
  j["replications"] = a.replications;
  j["days"] = a.days;
  j["warmup"] = a.warmup;
  j["seed"] = a.seed;
  j["shortage"] = a.lost_sales ? "lost_sales" : "backorder";
  j["cost_per_day"] = Number(m[sim::Metric::kCostPerDay].mean);
  ci["cost_per_day"] = Number(m[sim::Metric::kCostPerDay].half_width);
  if (a.lost_sales) j["lost_units"] = Number(m[sim::Metric::kLostUnits].mean);
  if (a.shelf_life > 0) j["expired_units"] = Number(m[sim::Metric::kExpiredUnits].mean);
  j["ci"] = ci;
  if (opt) {
    j["optimized"] = true;
    j["method"] = std::string(sim::ToString(sim::ParseSearchMethod(a.method).value()));
    j["evaluations"] = opt->evaluations;
    j["start_policy"] = opt->start.ToString();
    j["start_total_cost"] = Number(opt->start_estimate[sim::Metric::kTotalCost].mean);
    if (a.target_opt->count() > 0) {
      j["target_fill_rate"] = a.target_fill_rate;
      j["constraint_met"] = opt->constraint_met;
    }
    j["explanation"] = opt->explanation;
  }

  if (a.json) {
    std::cout << j.dump(2) << std::endl;
    return Status::Ok();
  }
  std::cout << fmt::format("policy {}{} ({} replications x {} days after {} warm-up days, seed "
                           "{}; {})\n",
                           j["policy"].get<std::string>(),
                           opt ? fmt::format(" (optimised from {} in {} evaluations)",
                                             opt->start.ToString(), opt->evaluations)
                               : std::string(),
                           a.replications, a.days, a.warmup, a.seed,
                           a.lost_sales ? "lost sales" : "backorders");
  std::cout << fmt::format("{:<22}{:>14}  {:>12}\n", "metric", "mean", "+- half width");
  auto row = [](const std::string& name, const Json& mean, const Json& hw) {
    auto text = [](const Json& v) {
      return v.is_null() ? std::string("n/a") : fmt::format("{:.4f}", v.get<double>());
    };
    std::cout << fmt::format("{:<22}{:>14}  {:>12}\n", name, text(mean), text(hw));
  };
  for (const Field& f : fields) row(f.name, j[f.name], ci[f.name]);
  row("cost_per_day", j["cost_per_day"], ci["cost_per_day"]);
  std::cout << "total_cost = holding + ordering + shortage"
            << (with_purchase ? " + purchase" : "") << (with_expiry ? " + expiry" : "")
            << " over the measured days; turnover per year.\n";
  if (opt) std::cout << "\n" << opt->explanation << "\n";
  return Status::Ok();
}

}  // namespace

void AddSimulateCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto a = std::make_shared<SimulateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "Simulate one replenishment policy on given demand (daily, Monte Carlo replications with "
      "confidence intervals); --optimize tunes its parameters by simulation");
  cmd->add_option("--policy", a->policy,
                  "ss:s=20,S=60, base-stock:S=30, rq:r=10,Q=40, rs:R=7,S=50, rss:R=7,s=10,S=50; "
                  "with --optimize the start, or the kind alone (ss)");
  cmd->add_option("--demand", a->demand,
                  "daily demand distribution: poisson:3, negbin:3,1.5, normal:50,8 (rounded, "
                  "floored at 0), pmf:0:0.2,1:0.8, empirical:FILE");
  cmd->add_option("--demand-csv", a->demand_csv,
                  "replay daily demand from a CSV: one value per line (optional header) or the "
                  "--column of a CSV with a header; empty = unknown day");
  a->column_opt = cmd->add_option("--column", a->column, "demand column of --demand-csv");
  cmd->add_option("--lead-time", a->lead_time,
                  "days from order to arrival (>= 1; 1 = next morning), or DAYS:PROB,... e.g. "
                  "2:0.3,3:0.5,5:0.2")
      ->capture_default_str();
  cmd->add_flag("--lost-sales", a->lost_sales, "unmet demand is lost (default: backordered)");
  cmd->add_option("--shelf-life", a->shelf_life, "days a unit can be sold; 0 = never expires")
      ->capture_default_str();
  cmd->add_option("--holding", a->holding, "holding cost per unit on hand per day")
      ->capture_default_str();
  cmd->add_option("--ordering", a->ordering, "cost per order placed")->capture_default_str();
  cmd->add_option("--shortage", a->shortage,
                  "cost per unit backordered per day (per unit lost with --lost-sales)")
      ->capture_default_str();
  a->purchase_opt = cmd->add_option("--purchase", a->purchase, "purchase cost per unit ordered")
                        ->capture_default_str();
  a->expiry_opt = cmd->add_option("--expiry", a->expiry, "cost per unit expired")
                      ->capture_default_str();
  a->days_opt = cmd->add_option("--days", a->days,
                                "measured days per replication (default 365; with --demand-csv "
                                "the rows after the warm-up)");
  cmd->add_option("--warmup", a->warmup, "days simulated first and not measured")
      ->capture_default_str();
  cmd->add_option("--replications", a->replications, "independent runs (>= 2 for intervals)")
      ->capture_default_str();
  cmd->add_option("--seed", a->seed, "random seed")->capture_default_str();
  cmd->add_option("--disruption", a->disruptions,
                  "FIRST:LAST[:no_shipping|no_ordering] supplier shutdown, simulated days from 0 "
                  "(warm-up included); repeatable");
  cmd->add_flag("--optimize", a->optimize,
                "tune the policy's parameters by simulation (common random numbers), then "
                "report the best on the --seed");
  a->target_opt = cmd->add_option("--target-fill-rate", a->target_fill_rate,
                                  "with --optimize: fill rate >= this, in (0, 1)");
  a->method_opt = cmd->add_option("--method", a->method, "with --optimize: search, annealing, genetic")
                      ->capture_default_str();
  a->evaluations_opt =
      cmd->add_option("--evaluations", a->evaluations, "with --optimize: candidates simulated")
          ->capture_default_str();
  cmd->add_flag("--json", a->json, "print one JSON object");
  cmd->footer(
      "Costs are per day; total_cost = holding + ordering + shortage (+ purchase + expiry when "
      "given) over the measured days, cost_per_day = total_cost / days.\n"
      "JSON: policy, fill_rate, cycle_service_level, total_cost, holding_cost, ordering_cost, "
      "shortage_cost, avg_inventory, turnover (per year), stockout_days, replications, days, "
      "warmup, seed, ci (half widths); with --optimize: optimized, method, evaluations, "
      "start_policy, explanation.\n"
      "Exit codes: 0 ok, 2 bad command line, 3 invalid value, 4 file not found.");
  cmd->callback([&global, runner, a]() {
    *runner = [&global, a]() { return JsonAware(a->json, RunSimulate(global, *a)); };
  });
}

}  // namespace stockcast::cli
