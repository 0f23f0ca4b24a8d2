// stockcast policy NAME [--param value ...] [--json]: the inventory policy calculators of
// stockcast/policy/*.h on the command line (see AddPolicyCommand in commands.h).
//
// Each NAME is declared once in kPolicies: its parameters (flag, aliases, type, unit, default,
// the library field it feeds) drive the CLI11 options, `--help`, the missing-parameter checks
// and the translation of the library's Validate() messages back to flags. Results are one JSON
// object (--json) or "key: value" lines followed by the library's explanation.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "stockcast/io/csv_reader.h"
#include "stockcast/policy/classify.h"
#include "stockcast/policy/demand_distribution.h"
#include "stockcast/policy/eoq.h"
#include "stockcast/policy/lost_sales.h"
#include "stockcast/policy/lot_sizing.h"
#include "stockcast/policy/newsvendor.h"
#include "stockcast/policy/stochastic_review.h"

namespace stockcast::cli {
namespace {

using Json = nlohmann::ordered_json;
using policy::DemandDistribution;

// ---- the parameter schema ----

enum class ParamType { kNumber, kInteger, kDistribution, kList, kText, kFile };

std::string_view TypeName(ParamType type) {
  switch (type) {
    case ParamType::kNumber:
      return "NUMBER";
    case ParamType::kInteger:
      return "INT";
    case ParamType::kDistribution:
      return "DIST";
    case ParamType::kList:
      return "LIST";
    case ParamType::kText:
      return "NAME";
    case ParamType::kFile:
      return "FILE";
  }
  return "TEXT";
}

struct ParamSpec {
  std::string_view
      flags;  // CLI11 names, the first is the canonical one: "--fixed-cost,--setup-cost"
  ParamType type;
  std::string_view help;  // what it is, with its unit
  // Default as it would be typed; "" = no default (the run function decides whether it is needed,
  // `required` says so in --help and makes Args::Get report it missing).
  std::string_view default_text;
  bool required = false;
  // Library field names fed by this flag, space separated: Validate() messages that start
  // "holding_cost = ..." are reported as "--holding-cost = ...".
  std::string_view fields = "";

  std::string_view name() const { return flags.substr(0, flags.find(',')); }
  std::string_view aliases() const {
    const size_t comma = flags.find(',');
    return comma == std::string_view::npos ? std::string_view() : flags.substr(comma + 1);
  }
};

class Args;
using RunFn = Result<Json> (*)(Args&);

struct PolicySpec {
  std::string_view name;
  std::string_view summary;  // one line, for the list of NAMEs
  std::string_view about;    // the model and its JSON fields, for NAME --help
  std::vector<ParamSpec> params;
  RunFn run;
};

constexpr std::string_view kDistHelp =
    "normal:MEAN,SD, poisson:MEAN, negbin:MEAN,SIZE (Var = MEAN + MEAN^2/SIZE), "
    "empirical:FILE (one value per line, or value,probability lines)";

constexpr std::string_view kExitCodes =
    "Exit codes: 0 ok, 2 bad command line (unknown parameter, a flag without its value), 3 "
    "unknown NAME, missing or invalid value, 4 file not found.";

// The parsed command line of one NAME.
class Args {
 public:
  Args(const PolicySpec& spec, std::vector<std::string> values, std::vector<bool> given)
      : spec_(spec), values_(std::move(values)), given_(std::move(given)) {}

  const PolicySpec& spec() const { return spec_; }
  bool Given(std::string_view flag) const { return given_[Index(flag)]; }

  // The text of a flag: as given, else its default, else a "missing" error.
  Result<std::string> Text(std::string_view flag) const {
    const size_t i = Index(flag);
    if (given_[i]) return values_[i];
    const ParamSpec& p = spec_.params[i];
    if (!p.default_text.empty()) return std::string(p.default_text);
    return Missing(p);
  }

  Result<double> Number(std::string_view flag) const {
    SC_ASSIGN_OR_RETURN(const std::string text, Text(flag));
    return ParseNumber(flag, text);
  }

  Result<int64_t> Integer(std::string_view flag) const {
    SC_ASSIGN_OR_RETURN(const double v, Number(flag));
    if (v != std::floor(v) || std::abs(v) > 1e15) {
      return Error::InvalidArgument(fmt::format("{} = {}; must be a whole number", flag, v));
    }
    return static_cast<int64_t>(v);
  }

  // An int-typed library field (lead time, review period): whole and within int range.
  Result<int> SmallInteger(std::string_view flag) const {
    SC_ASSIGN_OR_RETURN(const int64_t v, Integer(flag));
    if (v < -1'000'000'000 || v > 1'000'000'000) {
      return Error::InvalidArgument(fmt::format("{} = {}; must be at most 1e9 in size", flag, v));
    }
    return static_cast<int>(v);
  }

  // "90,120,80,70": finite numbers separated by commas.
  Result<std::vector<double>> List(std::string_view flag) const {
    SC_ASSIGN_OR_RETURN(const std::string text, Text(flag));
    std::vector<double> out;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t comma = text.find(',', pos);
      if (comma == std::string::npos) comma = text.size();
      const std::string item = Trim(text.substr(pos, comma - pos));
      const auto v = ToDouble(item);
      if (!v) {
        return Error::InvalidArgument(fmt::format(
            "{} item \"{}\" in \"{}\"; must be a comma-separated list of numbers, e.g. 90,120,80",
            flag, item, text));
      }
      out.push_back(*v);
      pos = comma + 1;
    }
    return out;
  }

  Result<DemandDistribution> Demand(std::string_view flag) const {
    SC_ASSIGN_OR_RETURN(const std::string text, Text(flag));
    auto d = DemandDistribution::Parse(text);
    if (d.ok()) return d;
    const Error& e = d.error();
    if (e.code == ErrorCode::kNotFound) {
      return Error::NotFound(fmt::format("{} {}: {}", flag, text, e.message));
    }
    // Problems inside an empirical file carry "FILE:LINE:" already; a malformed spec gets the
    // forms that are understood.
    if (Lower(Trim(text)).rfind("empirical:", 0) == 0) {
      return Error::InvalidArgument(fmt::format("{} {}: {}", flag, text, e.message));
    }
    return Error::InvalidArgument(
        fmt::format("{} = \"{}\": {}; expected {}", flag, text, e.message, kDistHelp));
  }

  // A parameter the chosen variant does not use: reported on stderr, not silently dropped.
  void Unused(std::string_view flag, std::string_view why) {
    if (Given(flag)) warnings_.push_back(fmt::format("{} is not used {}", flag, why));
  }
  const std::vector<std::string>& warnings() const { return warnings_; }

  // A library message "holding_cost = -1; must be > 0" in terms of this NAME's flags:
  // "--holding-cost = -1; must be > 0". Fields are replaced where " = " or " has " (a list's size)
  // follows them, so a measure named like a field ("for shortage_cost") is left alone.
  Error Translate(Error error) const {
    std::string& m = error.message;
    for (const ParamSpec& p : spec_.params) {
      std::string_view fields = p.fields;
      while (!fields.empty()) {
        const size_t space = fields.find(' ');
        const std::string field(fields.substr(0, space));
        fields = space == std::string_view::npos ? std::string_view() : fields.substr(space + 1);
        for (const char* suffix : {" = ", " has "}) {
          const std::string needle = field + suffix;
          size_t at = 0;
          while ((at = m.find(needle, at)) != std::string::npos) {
            const bool word_start =
                at == 0 || !(std::isalnum(static_cast<unsigned char>(m[at - 1])) ||
                             m[at - 1] == '_' || m[at - 1] == '-');
            if (!word_start) {
              at += needle.size();
              continue;
            }
            const std::string flag(p.name());
            m.replace(at, field.size(), flag);
            at += flag.size();
          }
        }
      }
    }
    return error;
  }

  static std::string Trim(std::string_view s) {
    const size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const size_t e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
  }
  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  // A finite number, all of `text`; nullopt otherwise.
  static std::optional<double> ToDouble(const std::string& text) {
    if (text.empty()) return std::nullopt;
    const char* first = text.data();
    if (*first == '+') ++first;
    double v = 0.0;
    const auto [ptr, ec] = std::from_chars(first, text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
      return std::nullopt;
    }
    return v;
  }

 private:
  size_t Index(std::string_view flag) const {
    for (size_t i = 0; i < spec_.params.size(); ++i) {
      if (spec_.params[i].name() == flag) return i;
    }
    SC_ASSERT_MSG(false, "policy parameter not declared in kPolicies");
    return 0;
  }
  Error Missing(const ParamSpec& p) const {
    std::string what(p.help);
    if (p.type == ParamType::kDistribution) what += fmt::format(" ({})", kDistHelp);
    return Error::InvalidArgument(
        fmt::format("policy {} needs {} {}: {}", spec_.name, p.name(), TypeName(p.type), what));
  }
  static Result<double> ParseNumber(std::string_view flag, const std::string& text) {
    const auto v = ToDouble(Trim(text));
    if (!v) {
      return Error::InvalidArgument(
          fmt::format("{} = \"{}\"; must be a finite number", flag, text));
    }
    return *v;
  }

  const PolicySpec& spec_;
  std::vector<std::string> values_;
  std::vector<bool> given_;
  std::vector<std::string> warnings_;
};

// A number for JSON: whole values as integers (210, not 210.0), non-finite as null.
Json Num(double v) {
  if (!std::isfinite(v)) return nullptr;
  if (v == std::floor(v) && std::abs(v) < 9e15) return static_cast<int64_t>(v);
  return v;
}
Json NumArray(const std::vector<double>& values) {
  Json a = Json::array();
  for (double v : values) a.push_back(Num(v));
  return a;
}

// Calls into the library, reporting its errors in terms of the flags.
template <typename T>
Result<T> Lib(const Args& args, Result<T> result) {
  if (!result.ok()) return args.Translate(result.error());
  return result;
}

// One spelling per choice, with a few accepted variants: "fill-rate", "fill_rate", "beta".
Result<std::string> Choice(
    const Args& args, std::string_view flag,
    const std::vector<std::pair<std::string, std::vector<std::string>>>& choices) {
  SC_ASSIGN_OR_RETURN(const std::string raw, args.Text(flag));
  const std::string text = Args::Lower(Args::Trim(raw));
  std::string names;
  for (const auto& [name, variants] : choices) {
    if (text == name) return name;
    for (const auto& v : variants) {
      if (text == v) return name;
    }
    names += (names.empty() ? "" : ", ") + name;
  }
  return Error::InvalidArgument(
      fmt::format("{} = \"{}\" is unknown; available: {}", flag, raw, names));
}

// ---- eoq / epq ----

Result<Json> RunQuantityDiscount(Args& args) {
  policy::QuantityDiscountOptions o;
  SC_ASSIGN_OR_RETURN(o.fixed_cost, args.Number("--fixed-cost"));
  SC_ASSIGN_OR_RETURN(o.demand_rate, args.Number("--demand-rate"));
  SC_ASSIGN_OR_RETURN(o.prices, args.List("--prices"));
  if (args.Given("--breaks")) {
    SC_ASSIGN_OR_RETURN(o.breakpoints, args.List("--breaks"));
  } else if (o.prices.size() == 1) {
    o.breakpoints = {0.0};
  } else {
    return Error::InvalidArgument(
        "--prices with several prices needs --breaks: the quantity from which each price "
        "applies, starting at 0, e.g. --breaks 0,100,500 --prices 5,4.8,4.75");
  }
  SC_ASSIGN_OR_RETURN(
      const std::string kind,
      Choice(args, "--discount", {{"all-units", {"all_units", "all"}}, {"incremental", {"incr"}}}));
  o.kind =
      kind == "all-units" ? policy::DiscountKind::kAllUnits : policy::DiscountKind::kIncremental;
  if (args.Given("--holding-rate") == args.Given("--holding-cost")) {
    return Error::InvalidArgument(
        "quantity discounts need exactly one of --holding-cost h (per unit per time) or "
        "--holding-rate i (h = i x unit price)");
  }
  if (args.Given("--holding-rate")) {
    SC_ASSIGN_OR_RETURN(o.holding_rate, args.Number("--holding-rate"));
  } else {
    SC_ASSIGN_OR_RETURN(o.holding_cost, args.Number("--holding-cost"));
  }
  for (std::string_view flag : {"--stockout-cost", "--production-rate", "--order-quantity"}) {
    if (args.Given(flag)) {
      return Error::InvalidArgument(fmt::format(
          "{} does not combine with --prices: the quantity-discount model has no backorders, "
          "finite production rate or given Q",
          flag));
    }
  }
  SC_ASSIGN_OR_RETURN(const policy::QuantityDiscountResult r,
                      Lib(args, policy::EoqQuantityDiscount(o)));
  Json regions = Json::array();
  for (const auto& g : r.regions) {
    regions.push_back({{"from", Num(g.from)},
                       {"to", Num(g.to)},
                       {"price", Num(g.price)},
                       {"unconstrained_eoq", Num(g.unconstrained_eoq)},
                       {"order_quantity", Num(g.order_quantity)},
                       {"cost", Num(g.cost)},
                       {"realisable", g.realisable}});
  }
  return Json{{"policy", std::string(args.spec().name)},
              {"model", fmt::format("quantity discount ({})", ToString(o.kind))},
              {"order_quantity", Num(r.order_quantity)},
              {"cost", Num(r.cost)},
              {"region", r.region},
              {"purchase_cost", Num(r.purchase_cost)},
              {"ordering_cost", Num(r.ordering_cost)},
              {"holding_cost", Num(r.holding_cost)},
              {"average_unit_price", Num(r.average_unit_price)},
              {"regions", regions},
              {"explanation", r.explanation}};
}

Result<Json> RunEoq(Args& args) {
  if (args.Given("--prices") || args.Given("--breaks")) return RunQuantityDiscount(args);
  args.Unused("--holding-rate", "without --prices (quantity discounts)");
  args.Unused("--discount", "without --prices (quantity discounts)");
  policy::EoqOptions o;
  SC_ASSIGN_OR_RETURN(o.fixed_cost, args.Number("--fixed-cost"));
  SC_ASSIGN_OR_RETURN(o.holding_cost, args.Number("--holding-cost"));
  SC_ASSIGN_OR_RETURN(o.demand_rate, args.Number("--demand-rate"));
  SC_ASSIGN_OR_RETURN(o.backorder_cost, args.Number("--stockout-cost"));
  SC_ASSIGN_OR_RETURN(o.production_rate, args.Number("--production-rate"));
  const bool evaluate = args.Given("--order-quantity");
  policy::EoqResult r;
  if (evaluate) {
    SC_ASSIGN_OR_RETURN(const double q, args.Number("--order-quantity"));
    SC_ASSIGN_OR_RETURN(r, Lib(args, policy::EvaluateEoq(o, q)));
  } else {
    SC_ASSIGN_OR_RETURN(r, Lib(args, policy::Eoq(o)));
  }
  std::string model = "EOQ";
  if (o.production_rate > 0 && o.backorder_cost > 0) {
    model = "EPQ with planned backorders";
  } else if (o.production_rate > 0) {
    model = "EPQ";
  } else if (o.backorder_cost > 0) {
    model = "EOQ with planned backorders";
  }
  Json j = {{"policy", std::string(args.spec().name)},
            {"model", model},
            {"order_quantity", Num(r.order_quantity)},
            {"cost", Num(r.cost)},
            {"ordering_cost", Num(r.ordering_cost)},
            {"holding_cost", Num(r.holding_cost)},
            {"backorder_cost", Num(r.backorder_cost)},
            {"fraction_backordered", Num(r.backorder_fraction)},
            {"backorder_fraction", Num(r.backorder_fraction)},
            {"max_inventory", Num(r.max_inventory)},
            {"max_backorder", Num(r.max_backorder)},
            {"cycle_time", Num(r.cycle_time)},
            {"orders_per_time", Num(r.orders_per_time)},
            {"utilisation", Num(r.utilisation)}};
  if (evaluate) j["evaluated"] = true;
  j["explanation"] = r.explanation;
  return j;
}

// ---- newsvendor ----

Result<Json> RunNewsvendor(Args& args) {
  policy::NewsvendorOptions o;
  SC_ASSIGN_OR_RETURN(const DemandDistribution demand, args.Demand("--demand"));
  const bool prices = args.Given("--unit-cost") || args.Given("--price") ||
                      args.Given("--salvage") || args.Given("--shortage-penalty");
  if (prices) {
    SC_ASSIGN_OR_RETURN(o.unit_cost, args.Number("--unit-cost"));
    SC_ASSIGN_OR_RETURN(o.price, args.Number("--price"));
    SC_ASSIGN_OR_RETURN(o.salvage_value, args.Number("--salvage"));
    SC_ASSIGN_OR_RETURN(o.shortage_penalty, args.Number("--shortage-penalty"));
    if (args.Given("--holding-cost") || args.Given("--stockout-cost")) {
      return Error::InvalidArgument(
          "give either the costs (--holding-cost, --stockout-cost) or the prices (--unit-cost, "
          "--price, --salvage, --shortage-penalty), not both");
    }
  } else {
    if (!args.Given("--holding-cost") && !args.Given("--stockout-cost")) {
      return Error::InvalidArgument(
          "policy newsvendor needs --holding-cost and --stockout-cost (overage and underage cost "
          "per unit), or --unit-cost and --price (with --salvage and --shortage-penalty)");
    }
    SC_ASSIGN_OR_RETURN(o.overage_cost, args.Number("--holding-cost"));
    SC_ASSIGN_OR_RETURN(o.underage_cost, args.Number("--stockout-cost"));
  }
  const bool evaluate = args.Given("--order-quantity");
  policy::NewsvendorResult r;
  if (evaluate) {
    SC_ASSIGN_OR_RETURN(const double s, args.Number("--order-quantity"));
    SC_ASSIGN_OR_RETURN(r, Lib(args, policy::EvaluateNewsvendor(demand, s, o)));
  } else {
    SC_ASSIGN_OR_RETURN(r, Lib(args, policy::SolveNewsvendor(demand, o)));
  }
  Json j = {{"policy", "newsvendor"},
            {"demand", demand.ToString()},
            {"order_quantity", Num(r.order_quantity)},
            {"S", Num(r.order_quantity)},
            {"cost", Num(r.expected_cost)},
            {"expected_cost", Num(r.expected_cost)},
            {"critical_ratio", Num(r.critical_ratio)},
            {"overage_cost", Num(r.overage_cost)},
            {"underage_cost", Num(r.underage_cost)},
            {"expected_sales", Num(r.expected_sales)},
            {"expected_leftover", Num(r.expected_leftover)},
            {"expected_shortage", Num(r.expected_shortage)},
            {"fill_rate", Num(r.fill_rate)},
            {"in_stock_probability", Num(r.in_stock_probability)}};
  if (r.has_profit) j["expected_profit"] = Num(r.expected_profit);
  if (evaluate) j["evaluated"] = true;
  j["explanation"] = r.explanation;
  return j;
}

// ---- base-stock, rq, ss ----

Result<policy::PeriodicReviewOptions> ReviewOptions(const Args& args) {
  policy::PeriodicReviewOptions o;
  SC_ASSIGN_OR_RETURN(o.holding_cost, args.Number("--holding-cost"));
  SC_ASSIGN_OR_RETURN(o.backorder_cost, args.Number("--stockout-cost"));
  SC_ASSIGN_OR_RETURN(o.fixed_cost, args.Number("--fixed-cost"));
  SC_ASSIGN_OR_RETURN(o.lead_time, args.SmallInteger("--lead-time"));
  SC_ASSIGN_OR_RETURN(o.review_period, args.SmallInteger("--review-period"));
  return o;
}

Result<Json> RunBaseStock(Args& args) {
  SC_ASSIGN_OR_RETURN(const DemandDistribution demand, args.Demand("--demand"));
  SC_ASSIGN_OR_RETURN(const policy::PeriodicReviewOptions o, ReviewOptions(args));
  const bool evaluate = args.Given("--base-stock-level");
  policy::BaseStockResult r;
  if (evaluate) {
    SC_ASSIGN_OR_RETURN(const double s, args.Number("--base-stock-level"));
    SC_ASSIGN_OR_RETURN(r, Lib(args, policy::EvaluateBaseStock(demand, s, o)));
  } else {
    SC_ASSIGN_OR_RETURN(r, Lib(args, policy::OptimizeBaseStock(demand, o)));
  }
  Json j = {{"policy", "base-stock"},
            {"demand", demand.ToString()},
            {"base_stock_level", Num(r.order_up_to)},
            {"S", Num(r.order_up_to)},
            {"order_up_to", Num(r.order_up_to)},
            {"cost", Num(r.expected_cost)},
            {"expected_cost", Num(r.expected_cost)},
            {"critical_ratio", Num(r.critical_ratio)},
            {"holding_cost", Num(r.holding_cost)},
            {"backorder_cost", Num(r.backorder_cost)},
            {"expected_on_hand", Num(r.expected_on_hand)},
            {"expected_backorders", Num(r.expected_backorders)},
            {"in_stock_probability", Num(r.in_stock_probability)},
            {"lead_time", o.lead_time},
            {"review_period", o.review_period},
            {"protection_demand", r.protection_demand}};
  if (evaluate) j["evaluated"] = true;
  j["explanation"] = r.explanation;
  return j;
}

Result<Json> RunRQ(Args& args) {
  SC_ASSIGN_OR_RETURN(const DemandDistribution demand, args.Demand("--demand"));
  policy::RQOptions o;
  SC_ASSIGN_OR_RETURN(o.holding_cost, args.Number("--holding-cost"));
  SC_ASSIGN_OR_RETURN(o.backorder_cost, args.Number("--stockout-cost"));
  SC_ASSIGN_OR_RETURN(o.fixed_cost, args.Number("--fixed-cost"));
  SC_ASSIGN_OR_RETURN(o.lead_time, args.Number("--lead-time"));
  const bool evaluate = args.Given("--reorder-point") || args.Given("--order-quantity");
  policy::RQResult r;
  if (evaluate) {
    if (!(args.Given("--reorder-point") && args.Given("--order-quantity"))) {
      return Error::InvalidArgument(
          "evaluating a given (r, Q) needs both --reorder-point r and --order-quantity Q");
    }
    SC_ASSIGN_OR_RETURN(const int64_t rp, args.Integer("--reorder-point"));
    SC_ASSIGN_OR_RETURN(const int64_t q, args.Integer("--order-quantity"));
    SC_ASSIGN_OR_RETURN(r, Lib(args, policy::EvaluateRQ(demand, rp, q, o)));
  } else {
    SC_ASSIGN_OR_RETURN(r, Lib(args, policy::OptimizeRQ(demand, o)));
  }
  Json j = {{"policy", "rq"},
            {"demand", demand.ToString()},
            {"r", r.reorder_point},
            {"Q", r.order_quantity},
            {"reorder_point", r.reorder_point},
            {"order_quantity", r.order_quantity},
            {"cost", Num(r.expected_cost)},
            {"expected_cost", Num(r.expected_cost)},
            {"ordering_cost", Num(r.ordering_cost)},
            {"inventory_cost", Num(r.inventory_cost)},
            {"expected_on_hand", Num(r.expected_on_hand)},
            {"expected_backorders", Num(r.expected_backorders)},
            {"in_stock_probability", Num(r.in_stock_probability)},
            {"eoq", Num(r.eoq)}};
  if (evaluate) j["evaluated"] = true;
  j["explanation"] = r.explanation;
  return j;
}

Result<Json> RunSS(Args& args) {
  SC_ASSIGN_OR_RETURN(const DemandDistribution demand, args.Demand("--demand"));
  SC_ASSIGN_OR_RETURN(const policy::PeriodicReviewOptions o, ReviewOptions(args));
  const bool evaluate = args.Given("--reorder-point") || args.Given("--order-up-to");
  policy::SSResult r;
  if (evaluate) {
    if (!(args.Given("--reorder-point") && args.Given("--order-up-to"))) {
      return Error::InvalidArgument(
          "evaluating a given (s, S) needs both --reorder-point s and --order-up-to S");
    }
    SC_ASSIGN_OR_RETURN(const int64_t s, args.Integer("--reorder-point"));
    SC_ASSIGN_OR_RETURN(const int64_t big_s, args.Integer("--order-up-to"));
    SC_ASSIGN_OR_RETURN(r, Lib(args, policy::EvaluateSS(demand, s, big_s, o)));
  } else {
    SC_ASSIGN_OR_RETURN(r, Lib(args, policy::OptimizeSS(demand, o)));
  }
  Json j = {{"policy", "ss"},
            {"demand", demand.ToString()},
            {"s", r.reorder_point},
            {"S", r.order_up_to},
            {"reorder_point", r.reorder_point},
            {"order_up_to", r.order_up_to},
            {"cost", Num(r.expected_cost)},
            {"expected_cost", Num(r.expected_cost)},
            {"ordering_cost", Num(r.ordering_cost)},
            {"inventory_cost", Num(r.inventory_cost)},
            {"order_frequency", Num(r.order_frequency)},
            {"lead_time", o.lead_time},
            {"review_period", o.review_period},
            {"evaluations", r.evaluations}};
  if (evaluate) j["evaluated"] = true;
  j["explanation"] = r.explanation;
  return j;
}

// ---- lot-sizing ----

Result<Json> RunLotSizing(Args& args) {
  SC_ASSIGN_OR_RETURN(const std::vector<double> demand, args.List("--demands"));
  policy::LotSizingOptions o;
  // One value applies to every period; a list gives one per period.
  SC_ASSIGN_OR_RETURN(std::vector<double> setup, args.List("--fixed-cost"));
  SC_ASSIGN_OR_RETURN(std::vector<double> holding, args.List("--holding-cost"));
  if (setup.size() == 1) {
    o.setup_cost = setup[0];
  } else {
    o.setup_costs = std::move(setup);
  }
  if (holding.size() == 1) {
    o.holding_cost = holding[0];
  } else {
    o.holding_costs = std::move(holding);
  }
  SC_ASSIGN_OR_RETURN(o.initial_inventory, args.Number("--initial-inventory"));
  SC_ASSIGN_OR_RETURN(const std::string method,
                      Choice(args, "--method",
                             {{"wagner-whitin", {"wagner_whitin", "ww", "optimal"}},
                              {"silver-meal", {"silver_meal", "sm"}}}));
  policy::LotSizingResult r;
  const bool evaluate = args.Given("--orders");
  if (evaluate) {
    args.Unused("--method", "with --orders (the given plan is evaluated)");
    SC_ASSIGN_OR_RETURN(const std::vector<double> orders, args.List("--orders"));
    SC_ASSIGN_OR_RETURN(r, Lib(args, policy::EvaluateLotPlan(demand, orders, o)));
  } else if (method == "silver-meal") {
    SC_ASSIGN_OR_RETURN(r, Lib(args, policy::SilverMeal(demand, o)));
  } else {
    SC_ASSIGN_OR_RETURN(r, Lib(args, policy::WagnerWhitin(demand, o)));
  }
  Json j = {{"policy", "lot-sizing"},
            {"method", r.method},
            {"orders", NumArray(r.orders)},
            {"cost", Num(r.cost)},
            {"setup_cost", Num(r.setup_cost)},
            {"holding_cost", Num(r.holding_cost)},
            {"setups", r.setups},
            {"end_inventory", NumArray(r.end_inventory)},
            {"demands", NumArray(demand)}};
  if (evaluate) j["evaluated"] = true;
  j["explanation"] = r.explanation;
  return j;
}

// ---- lost-sales ----

Result<Json> RunLostSales(Args& args) {
  SC_ASSIGN_OR_RETURN(const DemandDistribution demand, args.Demand("--demand"));
  policy::LostSalesOptions o;
  SC_ASSIGN_OR_RETURN(o.holding_cost, args.Number("--holding-cost"));
  SC_ASSIGN_OR_RETURN(o.lost_sale_cost, args.Number("--stockout-cost"));
  SC_ASSIGN_OR_RETURN(o.lead_time, args.SmallInteger("--lead-time"));
  SC_ASSIGN_OR_RETURN(o.order_bound, args.Integer("--order-bound"));
  SC_ASSIGN_OR_RETURN(o.max_states, args.Integer("--max-states"));
  auto solved = Lib(args, policy::SolveLostSales(demand, o));
  if (!solved.ok() && solved.error().message.find("too large") != std::string::npos) {
    // The library names its API's alternatives; on the command line the knobs are flags.
    Error e = solved.error();
    e.message += fmt::format(
        "; on the command line: raise --max-states (now {}), lower "
        "--order-bound or the --lead-time",
        o.max_states);
    return e;
  }
  SC_ASSIGN_OR_RETURN(const policy::LostSalesResult r, std::move(solved));
  return Json{{"policy", "lost-sales"},
              {"demand", demand.ToString()},
              {"cost", Num(r.optimal_cost)},
              {"optimal_cost", Num(r.optimal_cost)},
              {"recommended", r.recommended},
              {"recommended_cost", Num(r.recommended_cost)},
              {"recommended_gap", Num(r.recommended_gap)},
              {"base_stock_level", r.base_stock_level},
              {"base_stock_cost", Num(r.base_stock_cost)},
              {"myopic_cost", Num(r.myopic_cost)},
              {"projected_target", Num(r.projected_target)},
              {"projected_cost", Num(r.projected_cost)},
              {"lead_time", o.lead_time},
              {"order_bound", r.order_bound},
              {"states", r.states},
              {"iterations", r.iterations},
              {"optimal_order_empty_pipeline", r.optimal_order_empty_pipeline},
              {"explanation", r.explanation}};
}

// ---- safety-stock ----

Result<Json> RunSafetyStock(Args& args) {
  SC_ASSIGN_OR_RETURN(const DemandDistribution demand, args.Demand("--demand"));
  SC_ASSIGN_OR_RETURN(const std::string service,
                      Choice(args, "--service",
                             {{"cycle", {"cycle-service", "cycle_service", "alpha"}},
                              {"fill-rate", {"fill_rate", "beta"}},
                              {"cost", {"shortage-cost", "shortage_cost"}}}));
  policy::SafetyStockOptions o;
  o.measure = service == "cycle"       ? policy::ServiceMeasure::kCycleService
              : service == "fill-rate" ? policy::ServiceMeasure::kFillRate
                                       : policy::ServiceMeasure::kShortageCost;
  if (o.measure == policy::ServiceMeasure::kShortageCost) {
    args.Unused("--target", "with --service cost (the target follows from the costs)");
    SC_ASSIGN_OR_RETURN(o.holding_cost, args.Number("--holding-cost"));
    SC_ASSIGN_OR_RETURN(o.shortage_cost, args.Number("--stockout-cost"));
    if (!args.Given("--holding-cost") || !args.Given("--stockout-cost")) {
      return Error::InvalidArgument(
          "--service cost needs --holding-cost (per unit per period) and --stockout-cost (per "
          "unit short)");
    }
  } else {
    args.Unused("--holding-cost", "without --service cost");
    args.Unused("--stockout-cost", "without --service cost");
    SC_ASSIGN_OR_RETURN(o.target, args.Number("--target"));
  }
  if (o.measure == policy::ServiceMeasure::kCycleService) {
    args.Unused("--order-quantity", "with --service cycle");
  }
  SC_ASSIGN_OR_RETURN(o.lead_time_mean, args.Number("--lead-time"));
  SC_ASSIGN_OR_RETURN(o.lead_time_sd, args.Number("--lead-time-sd"));
  SC_ASSIGN_OR_RETURN(o.review_period, args.SmallInteger("--review-period"));
  SC_ASSIGN_OR_RETURN(o.order_quantity, args.Number("--order-quantity"));
  SC_ASSIGN_OR_RETURN(const policy::SafetyStockResult r,
                      Lib(args, policy::ComputeSafetyStock(demand, o)));
  Json j = {{"policy", "safety-stock"},
            {"service", service},
            {"demand", demand.ToString()},
            {"reorder_point", Num(r.reorder_point)},
            {"safety_stock", Num(r.safety_stock)},
            {"safety_factor", Num(r.safety_factor)},
            {"cycle_service", Num(r.cycle_service)},
            {"fill_rate", Num(r.fill_rate)},
            {"expected_shortage", Num(r.expected_shortage)},
            {"order_quantity", Num(r.order_quantity)},
            {"protection_mean", Num(r.protection_mean)},
            {"protection_sd", Num(r.protection_sd)},
            {"protection_demand", r.protection_demand}};
  if (o.review_period > 0) j["order_up_to"] = Num(r.reorder_point);
  j["explanation"] = r.explanation;
  return j;
}

// ---- classify ----

// FILE: a header line, then id,value[,demand per period...] per item.
Result<std::vector<policy::ItemDemand>> ReadItems(const std::string& path) {
  SC_ASSIGN_OR_RETURN(auto reader, io::CsvReader::Open(path));
  if (reader->header().size() < 2) {
    return Error::InvalidArgument(
        fmt::format("{}: header has {} column(s); need id,value[,demand per period...], e.g. "
                    "sku,value,d1,d2,d3",
                    path, reader->header().size()));
  }
  std::vector<policy::ItemDemand> items;
  while (true) {
    SC_ASSIGN_OR_RETURN(const bool more, reader->Next());
    if (!more) break;
    policy::ItemDemand item;
    item.id = std::string(reader->field(0));
    for (size_t i = 1; i < reader->size(); ++i) {
      const std::string text = Args::Trim(reader->field(i));
      if (i > 1 && text.empty()) continue;  // a shorter history
      const auto v = Args::ToDouble(text);
      if (!v) {
        return Error::InvalidArgument(
            fmt::format("{}: \"{}\" is not a number", reader->Where(i), reader->field(i)));
      }
      if (i == 1) {
        item.value = *v;
      } else {
        item.history.push_back(*v);
      }
    }
    items.push_back(std::move(item));
  }
  if (items.empty()) return Error::InvalidArgument(fmt::format("{}: no items", path));
  return items;
}

Result<Json> RunClassify(Args& args) {
  SC_ASSIGN_OR_RETURN(const std::string path, args.Text("--file"));
  policy::ClassifyOptions o;
  SC_ASSIGN_OR_RETURN(o.abc.a_share, args.Number("--a-share"));
  SC_ASSIGN_OR_RETURN(o.abc.b_share, args.Number("--b-share"));
  SC_ASSIGN_OR_RETURN(o.xyz.x_cv, args.Number("--x-cv"));
  SC_ASSIGN_OR_RETURN(o.xyz.y_cv, args.Number("--y-cv"));
  if (args.Given("--matrix")) {
    SC_ASSIGN_OR_RETURN(const std::string text, args.Text("--matrix"));
    SC_ASSIGN_OR_RETURN(o.matrix, Lib(args, policy::ClassMatrix::Parse(text)));
  }
  SC_ASSIGN_OR_RETURN(const std::vector<policy::ItemDemand> items, ReadItems(path));
  SC_ASSIGN_OR_RETURN(const std::vector<policy::ItemClass> classes,
                      Lib(args, policy::Classify(items, o)));
  Json out = Json::array();
  std::map<std::string, int> counts;
  for (const auto& c : classes) {
    ++counts[c.cell];
    out.push_back({{"id", c.id},
                   {"class", c.cell},
                   {"abc", std::string(1, c.abc)},
                   {"xyz", std::string(1, c.xyz)},
                   {"policy", c.policy},
                   {"service_target", Num(c.service_target)},
                   {"rank", c.rank},
                   {"value", Num(c.value)},
                   {"share", Num(c.share)},
                   {"cumulative_share", Num(c.cumulative_share)},
                   {"mean", Num(c.mean)},
                   {"cv", Num(c.cv)},
                   {"explanation", c.explanation}});
  }
  Json count_json = Json::object();
  for (const auto& [cell, n] : counts) count_json[cell] = n;
  return Json{
      {"policy", "classify"},
      {"items", out},
      {"counts", count_json},
      {"matrix", o.matrix.ToString()},
      {"explanation",
       fmt::format("{} items: ABC by value (A below {:g}% cumulative share, B below {:g}%), "
                   "XYZ by cv (X <= {:g}, Y <= {:g}); each class gets the matrix's policy",
                   classes.size(), 100 * o.abc.a_share, 100 * o.abc.b_share, o.xyz.x_cv,
                   o.xyz.y_cv)}};
}

// ---- the declarations ----

// Parameters shared by several NAMEs, spelled once.
constexpr ParamSpec kDemandParam{"--demand", ParamType::kDistribution,
                                 "demand per period, e.g. poisson:6 or normal:50,8", "", true};
constexpr ParamSpec kHoldingParam{
    "--holding-cost", ParamType::kNumber, "h: holding cost per unit on hand per period", "", true,
    "holding_cost"};
constexpr ParamSpec kBackorderParam{"--stockout-cost,--backorder-cost",
                                    ParamType::kNumber,
                                    "p: backorder cost per unit short per period",
                                    "",
                                    true,
                                    "backorder_cost"};

const std::vector<PolicySpec>& Policies() {
  static const std::vector<PolicySpec> kPolicies = [] {
    const ParamSpec eoq_params[] = {
        {"--fixed-cost,--setup-cost", ParamType::kNumber, "K: fixed cost per order", "", true,
         "fixed_cost"},
        {"--holding-cost", ParamType::kNumber,
         "h: holding cost per unit per unit time (with --prices: give it or --holding-rate)", "",
         true, "holding_cost"},
        {"--demand-rate,--demand", ParamType::kNumber, "lambda: demand in units per unit time", "",
         true, "demand_rate"},
        {"--stockout-cost,--backorder-cost", ParamType::kNumber,
         "p: backorder cost per unit per unit time; 0 = no backorders", "0", false,
         "backorder_cost"},
        {"--production-rate", ParamType::kNumber,
         "P: production rate in units per unit time (> lambda; EPQ); 0 = instant replenishment",
         "0", false, "production_rate"},
        {"--order-quantity", ParamType::kNumber,
         "evaluate this Q instead of optimising (units per order)", "", false, "order_quantity"},
        {"--prices", ParamType::kList,
         "quantity discounts: unit prices c_0 > c_1 > ..., one per break", "", false, "prices"},
        {"--breaks,--breakpoints", ParamType::kList,
         "quantity discounts: order sizes from which each price applies, 0,b_1,... (units)", "",
         false, "breakpoints"},
        {"--discount", ParamType::kText, "quantity discounts: all-units or incremental",
         "all-units", false},
        {"--holding-rate", ParamType::kNumber,
         "quantity discounts: i, holding cost per unit time as a fraction of the unit price "
         "(instead of --holding-cost)",
         "", false, "holding_rate"},
    };
    std::vector<ParamSpec> eoq(std::begin(eoq_params), std::end(eoq_params));
    std::vector<ParamSpec> epq = eoq;
    for (ParamSpec& p : epq) {
      if (p.name() == "--production-rate") {
        p.default_text = "";
        p.required = true;
        p.help = "P: production rate in units per unit time (> lambda)";
      }
    }
    std::vector<ParamSpec> review = {
        kDemandParam,
        kHoldingParam,
        kBackorderParam,
        {"--fixed-cost", ParamType::kNumber, "K: fixed cost per order", "0", false, "fixed_cost"},
        {"--lead-time", ParamType::kInteger, "L: lead time in whole periods", "0", false,
         "lead_time"},
        {"--review-period", ParamType::kInteger, "R: periods between reviews (R > 1: (R,S))", "1",
         false, "review_period"},
        {"--base-stock-level", ParamType::kNumber, "evaluate this S instead of optimising (units)",
         "", false, "order_up_to"},
    };
    std::vector<ParamSpec> ss = review;
    ss[3] = {"--fixed-cost", ParamType::kNumber, "K: fixed cost per order (> 0)", "",
             true,           "fixed_cost"};
    ss[5].help = "R: periods between reviews (R > 1: (R,s,S))";
    ss.pop_back();
    ss.push_back({"--reorder-point", ParamType::kInteger,
                  "evaluate this s (with --order-up-to) instead of optimising", "", false,
                  "reorder_point"});
    ss.push_back({"--order-up-to", ParamType::kInteger,
                  "evaluate this S (with --reorder-point) instead of optimising", "", false,
                  "order_up_to"});
    std::vector<ParamSpec> rq = {
        {"--demand", ParamType::kDistribution,
         "integer demand per unit time, e.g. poisson:1.5 (the demand rate)", "", true},
        {"--holding-cost", ParamType::kNumber, "h: holding cost per unit per unit time", "", true,
         "holding_cost"},
        {"--stockout-cost,--backorder-cost", ParamType::kNumber,
         "p: backorder cost per unit backordered per unit time", "", true, "backorder_cost"},
        {"--fixed-cost", ParamType::kNumber, "K: fixed cost per order", "0", false, "fixed_cost"},
        {"--lead-time", ParamType::kNumber, "L: lead time in units of time", "0", false,
         "lead_time"},
        {"--reorder-point", ParamType::kInteger,
         "evaluate this r (with --order-quantity) instead of optimising", "", false,
         "reorder_point"},
        {"--order-quantity", ParamType::kInteger,
         "evaluate this Q (with --reorder-point) instead of optimising", "", false,
         "order_quantity"},
    };
    std::vector<PolicySpec> all;
    all.push_back(
        {"eoq",
         "economic order quantity: deterministic demand, optional backorders, production rate or "
         "quantity discounts",
         "Q* = sqrt(2 K lambda / h); with --stockout-cost p a fraction h/(h+p) of each cycle is "
         "backordered; with --production-rate P every h becomes h (1 - lambda/P) (EPQ); with "
         "--prices/--breaks the all-units or incremental quantity-discount optimum. Costs per "
         "unit time, without purchase cost (purchase included with --prices).\n"
         "JSON: order_quantity, cost, ordering_cost, holding_cost, backorder_cost, "
         "fraction_backordered (= backorder_fraction), max_inventory, max_backorder, cycle_time, "
         "orders_per_time, utilisation, explanation; with --prices: order_quantity, cost, region, "
         "purchase_cost, ordering_cost, holding_cost, average_unit_price, regions[].",
         eoq, RunEoq});
    all.push_back({"epq", "economic production quantity: eoq with a finite --production-rate",
                   "The eoq model with replenishment at rate P > lambda; same fields as eoq.", epq,
                   RunEoq});
    all.push_back(
        {"newsvendor",
         "single-period order quantity for uncertain demand",
         "S* = F^-1(p / (p + h)), h the overage and p the underage cost per unit; or from prices: "
         "h = unit cost - salvage, p = price - unit cost + shortage penalty (then expected_profit "
         "too).\n"
         "JSON: order_quantity (= S), cost (= expected_cost), critical_ratio, overage_cost, "
         "underage_cost, expected_sales, expected_leftover, expected_shortage, fill_rate, "
         "in_stock_probability, [expected_profit], explanation.",
         {{"--demand", ParamType::kDistribution, "demand in the period, e.g. normal:50,8", "",
           true},
          {"--holding-cost,--overage-cost", ParamType::kNumber,
           "h: cost per unit left over (overage); required unless --unit-cost and --price", "",
           false, "overage_cost"},
          {"--stockout-cost,--underage-cost", ParamType::kNumber,
           "p: cost per unit short (underage); required unless --unit-cost and --price", "", false,
           "underage_cost"},
          {"--unit-cost", ParamType::kNumber, "c: purchase cost per unit (price formulation)", "0",
           false, "unit_cost"},
          {"--price", ParamType::kNumber, "r: selling price per unit (> c)", "0", false, "price"},
          {"--salvage,--salvage-value", ParamType::kNumber, "v: value of a unit left over (< c)",
           "0", false, "salvage_value"},
          {"--shortage-penalty,--goodwill", ParamType::kNumber,
           "g: penalty per unit short beyond the lost margin", "0", false, "shortage_penalty"},
          {"--order-quantity", ParamType::kNumber, "evaluate this S instead of optimising (units)",
           "", false, "order_quantity"}},
         RunNewsvendor});
    all.push_back(
        {"base-stock", "base-stock (order-up-to S) level with backorders, or (R,S)",
         "Order up to S every period (every R periods); S* = F^-1(p/(p+h)) of demand over L+1 "
         "periods (R = 1). Costs per period.\n"
         "JSON: base_stock_level (= S = order_up_to), cost (= expected_cost), critical_ratio, "
         "holding_cost, backorder_cost, expected_on_hand, expected_backorders, "
         "in_stock_probability, protection_demand, explanation.",
         review, RunBaseStock});
    all.push_back(
        {"rq", "continuous-review (r, Q) with backorders, exact for integer demand",
         "Order Q when the inventory position falls to r; exact optimum (Federgruen & Zheng "
         "1992). Costs per unit time.\n"
         "JSON: r, Q (= reorder_point, order_quantity), cost (= expected_cost), ordering_cost, "
         "inventory_cost, expected_on_hand, expected_backorders, in_stock_probability, eoq, "
         "explanation.",
         rq, RunRQ});
    all.push_back(
        {"ss", "periodic-review (s, S) or (R, s, S) with backorders, exact for integer demand",
         "Order up to S when the inventory position at a review is <= s; exact optimum (Zheng & "
         "Federgruen 1991). Costs per period.\n"
         "JSON: s, S (= reorder_point, order_up_to), cost (= expected_cost), ordering_cost, "
         "inventory_cost, order_frequency, evaluations, explanation.",
         ss, RunSS});
    all.push_back(
        {"lot-sizing",
         "deterministic dynamic lot sizing: Wagner-Whitin or Silver-Meal",
         "Order quantities for known demands per period with a setup cost and holding cost, no "
         "backorders, zero lead time.\n"
         "JSON: orders, cost, setup_cost, holding_cost, setups, end_inventory, method, "
         "explanation.",
         {{"--demands,--demand", ParamType::kList, "demand per period, e.g. 90,120,80,70", "",
           true},
          {"--holding-cost", ParamType::kList,
           "h: holding cost per unit per period (one value, or one per period)", "", true,
           "holding_cost holding_costs"},
          {"--fixed-cost,--setup-cost", ParamType::kList,
           "K: setup cost per order (one value, or one per period)", "", true,
           "setup_cost setup_costs"},
          {"--initial-inventory", ParamType::kNumber, "units on hand before period 1", "0", false,
           "initial_inventory"},
          {"--method", ParamType::kText, "wagner-whitin (optimal) or silver-meal (heuristic)",
           "wagner-whitin", false},
          {"--orders", ParamType::kList,
           "evaluate this plan (one order quantity per period) instead of optimising", "", false,
           "orders"}},
         RunLotSizing});
    all.push_back(
        {"lost-sales",
         "periodic review with lost sales and a lead time: optimum and policies",
         "Long-run average cost per period of the optimal policy (value iteration, Zipkin 2008) "
         "and of base stock, myopic and projected-inventory-level policies; the cheapest is "
         "recommended.\n"
         "JSON: cost (= optimal_cost), recommended, recommended_cost, recommended_gap, "
         "base_stock_level, base_stock_cost, myopic_cost, projected_target, projected_cost, "
         "order_bound, states, iterations, optimal_order_empty_pipeline, explanation.",
         {{"--demand", ParamType::kDistribution, "integer demand per period, e.g. poisson:5", "",
           true},
          kHoldingParam,
          {"--stockout-cost,--lost-sale-cost", ParamType::kNumber,
           "p: cost per unit of demand lost", "", true, "lost_sale_cost"},
          {"--lead-time", ParamType::kInteger, "L: lead time in whole periods (>= 1)", "1", false,
           "lead_time"},
          {"--order-bound", ParamType::kInteger,
           "cap on the inventory position after ordering; 0 = Morton's bound", "0", false,
           "order_bound"},
          {"--max-states", ParamType::kInteger, "refuse state spaces larger than this", "2000000",
           false, "max_states"}},
         RunLostSales});
    all.push_back(
        {"safety-stock",
         "reorder point and safety stock for a service target",
         "Reorder point over the protection interval L (+ R) for a cycle service level, a fill "
         "rate, or a shortage cost, with variable demand and lead time.\n"
         "JSON: reorder_point, safety_stock, safety_factor, cycle_service, fill_rate, "
         "expected_shortage, order_quantity, protection_mean, protection_sd, protection_demand, "
         "[order_up_to when --review-period > 0], explanation.",
         {{"--demand", ParamType::kDistribution, "demand per period, e.g. normal:100,20", "", true},
          {"--service", ParamType::kText,
           "cycle (P(no stockout in a cycle)), fill-rate (fraction of demand met from stock) or "
           "cost (--holding-cost and --stockout-cost)",
           "cycle", false},
          {"--target", ParamType::kNumber, "service target in (0, 1)", "0.95", false, "target"},
          {"--lead-time", ParamType::kNumber, "L: mean lead time in periods", "1", false,
           "lead_time_mean"},
          {"--lead-time-sd", ParamType::kNumber, "standard deviation of the lead time in periods",
           "0", false, "lead_time_sd"},
          {"--review-period", ParamType::kInteger,
           "R: periods between reviews; 0 = continuous review", "0", false, "review_period"},
          {"--order-quantity", ParamType::kNumber,
           "Q: units per replenishment cycle (fill rate, cost); 0 = mean demand per cycle", "0",
           false, "order_quantity"},
          {"--holding-cost", ParamType::kNumber,
           "h: holding cost per unit per period (--service cost)", "0", false, "holding_cost"},
          {"--stockout-cost,--shortage-cost", ParamType::kNumber,
           "b: cost per unit short (--service cost)", "0", false, "shortage_cost"}},
         RunSafetyStock});
    all.push_back(
        {"classify",
         "ABC/XYZ classification of items from a CSV, with a policy per class",
         "ABC by value share (Pareto), XYZ by the coefficient of variation of demand per period; "
         "each class cell maps to a policy and a service target.\n"
         "JSON: items[] (id, class, abc, xyz, policy, service_target, rank, value, share, "
         "cumulative_share, mean, cv, explanation), counts, matrix, explanation.",
         {{"--file,--items", ParamType::kFile,
           "CSV with a header: id,value[,demand per period...], e.g. sku,value,d1,d2,d3", "", true},
          {"--a-share", ParamType::kNumber, "cumulative value share of class A, in (0, 1]", "0.8",
           false, "abc.a_share"},
          {"--b-share", ParamType::kNumber, "cumulative value share of A and B, in [a, 1]", "0.95",
           false, "abc.b_share"},
          {"--x-cv", ParamType::kNumber, "largest cv of class X", "0.5", false, "xyz.x_cv"},
          {"--y-cv", ParamType::kNumber, "largest cv of class Y", "1.0", false, "xyz.y_cv"},
          {"--matrix", ParamType::kText, "class cells to change, e.g. AX=rQ:0.99,CZ=manual:0.7", "",
           false}},
         RunClassify});
    return all;
  }();
  return kPolicies;
}

std::string PolicyNames() {
  std::string names;
  for (const auto& p : Policies()) names += (names.empty() ? "" : ", ") + std::string(p.name);
  return names;
}

// `with_aliases`: CLI11's own option list shows them already.
std::string ParamHelp(const ParamSpec& p, bool with_aliases) {
  std::string text(p.help);
  if (!p.default_text.empty()) {
    text += fmt::format(" (default {})", p.default_text);
  } else if (p.required) {
    text += " (required)";
  }
  if (with_aliases && !p.aliases().empty()) text += fmt::format(" [alias {}]", p.aliases());
  return text;
}

// The reference of every NAME and parameter, for `stockcast policy --help`.
std::string Reference() {
  std::string out = "Policies and their parameters (DIST: " + std::string(kDistHelp) + "):\n";
  for (const auto& spec : Policies()) {
    out += fmt::format("\n  {}: {}\n", spec.name, spec.summary);
    for (const auto& p : spec.params) {
      out += fmt::format("      {} {}  {}\n", p.name(), TypeName(p.type), ParamHelp(p, true));
    }
  }
  out += "\nEvery NAME takes --json (one JSON object; errors as {\"error\": {...}}).\n" +
         std::string(kExitCodes) +
         "\nRun 'stockcast policy NAME --help' for a NAME's model and JSON fields.";
  return out;
}

// ---- output ----

std::string TextNumber(const Json& v) {
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) {
    const double d = v.get<double>();
    return std::abs(d) >= 1e6 ? fmt::format("{:.2f}", d) : fmt::format("{:.6g}", d);
  }
  if (v.is_null()) return "n/a";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

void PrintText(const Json& j) {
  for (const auto& [key, value] : j.items()) {
    if (key == "explanation") continue;
    if (value.is_array() && !value.empty() && value[0].is_object()) {
      std::cout << key << ":\n";
      for (const auto& item : value) {
        std::string line;
        for (const auto& [k, v] : item.items()) {
          if (k == "explanation") continue;
          line += fmt::format("{}{}={}", line.empty() ? "" : " ", k, TextNumber(v));
        }
        std::cout << "  " << line << "\n";
      }
    } else if (value.is_array()) {
      std::string line;
      for (const auto& v : value) line += (line.empty() ? "" : ", ") + TextNumber(v);
      std::cout << key << ": " << line << "\n";
    } else if (value.is_object()) {
      std::string line;
      for (const auto& [k, v] : value.items()) {
        line += fmt::format("{}{}={}", line.empty() ? "" : " ", k, TextNumber(v));
      }
      std::cout << key << ": " << line << "\n";
    } else {
      std::cout << key << ": " << TextNumber(value) << "\n";
    }
  }
  if (j.contains("explanation")) std::cout << "\n" << j["explanation"].get<std::string>() << "\n";
}

// One NAME's CLI11 options, filled by the parse.
struct Invocation {
  const PolicySpec* spec = nullptr;
  std::vector<std::string> values;  // parallel to spec->params
  std::vector<CLI::Option*> options;
  bool json = false;
};

Status Run(const Invocation& inv) {
  std::vector<bool> given;
  for (const auto* opt : inv.options) given.push_back(opt->count() > 0);
  Args args(*inv.spec, inv.values, given);
  SC_ASSIGN_OR_RETURN(const Json result, inv.spec->run(args));
  for (const auto& w : args.warnings()) std::cerr << "stockcast: warning: " << w << "\n";
  if (inv.json) {
    std::cout << result.dump(2) << std::endl;
  } else {
    PrintText(result);
  }
  return Status::Ok();
}

void AddPolicy(CLI::App* parent, const PolicySpec& spec, Runner* runner) {
  auto inv = std::make_shared<Invocation>();
  inv->spec = &spec;
  inv->values.resize(spec.params.size());
  CLI::App* cmd = parent->add_subcommand(std::string(spec.name), std::string(spec.summary));
  // Unknown parameters are collected here and reported with the valid ones.
  cmd->allow_extras();
  cmd->fallthrough(false);
  const bool has_dist = std::any_of(spec.params.begin(), spec.params.end(), [](const ParamSpec& p) {
    return p.type == ParamType::kDistribution;
  });
  cmd->footer(std::string(spec.about) +
              (has_dist ? "\nDIST: " + std::string(kDistHelp) : std::string()) + "\n" +
              std::string(kExitCodes));
  for (size_t i = 0; i < spec.params.size(); ++i) {
    const ParamSpec& p = spec.params[i];
    CLI::Option* opt = cmd->add_option(std::string(p.flags), inv->values[i], ParamHelp(p, false));
    opt->type_name(std::string(TypeName(p.type)));
    inv->options.push_back(opt);
  }
  CLI::Option* json_flag =
      cmd->add_flag("--json", inv->json, "print the result as one JSON object");
  cmd->callback([cmd, inv, runner, json_flag]() {
    // Global flags may follow the command (`stockcast policy eoq ... -q`); -q changes nothing
    // here. Anything else left over is an unknown flag (with its value) or a stray word.
    std::string flags;
    std::string words;
    for (const auto& extra : cmd->remaining()) {
      if (extra == "-q" || extra == "--quiet") continue;
      const bool flag = extra.size() > 1 && extra[0] == '-' && !Args::ToDouble(extra);
      std::string& list = flag ? flags : words;
      list += (list.empty() ? "" : " ") + extra;
    }
    if (!flags.empty() || !words.empty()) {
      std::string valid;
      for (const auto& p : inv->spec->params) {
        valid += (valid.empty() ? "" : ", ") + std::string(p.name());
      }
      const std::string message =
          !flags.empty() ? fmt::format("unknown parameter {} for policy {}; available: {}, --json",
                                       flags, inv->spec->name, valid)
                         : fmt::format(
                               "unexpected argument {} for policy {}; give parameters as --name "
                               "value, e.g. {} VALUE",
                               words, inv->spec->name, inv->spec->params.front().name());
      // A bad command line, as CLI11's own errors for the other commands: exit 2 (README).
      (void)JsonAware(json_flag->count() > 0, Error::InvalidArgument(message));
      throw CLI::ExtrasError(message, CLI::ExitCodes::ExtrasError);
    }
    *runner = [inv]() { return JsonAware(inv->json, Run(*inv)); };
  });
}

}  // namespace

void AddPolicyCommand(CLI::App& app, const GlobalOptions&, Runner* runner) {
  CLI::App* cmd = app.add_subcommand(
      "policy",
      "Inventory policy calculators: eoq, newsvendor, base-stock, rq, ss, lot-sizing, ...");
  for (const auto& spec : Policies()) AddPolicy(cmd, spec, runner);
  // A NAME that is none of the above lands here, with whatever follows it, so that the error can
  // list the real ones (CLI11 would only say the arguments were not expected).
  auto name = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("NAME", *name, "the policy: " + PolicyNames());
  cmd->add_flag("--json", *json, "print errors as JSON (each NAME has its own --json)")->group("");
  cmd->allow_extras();
  cmd->fallthrough(false);
  cmd->require_subcommand(0, 1);
  cmd->footer(Reference());
  cmd->callback([cmd, name, json, runner]() {
    if (!cmd->get_subcommands().empty()) return;  // the NAME's own callback set the runner
    const Status error =
        name->empty()
            ? Error::InvalidArgument(fmt::format(
                  "policy needs a NAME; available: {}. Run 'stockcast policy --help' for their "
                  "parameters",
                  PolicyNames()))
            : Error::InvalidArgument(
                  fmt::format("unknown policy \"{}\"; available: {}", *name, PolicyNames()));
    *runner = [error, json]() { return JsonAware(*json, error); };
  });
}

}  // namespace stockcast::cli
