#include "stockcast/pipeline/config.h"

#include "stockcast/pipeline/forecast_run.h"

#include "stockcast/forecast/model.h"
#include "stockcast/policy/classify.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace stockcast::pipeline {
namespace {

std::string Where(const std::string& name, const toml::node& node) {
  return fmt::format("{}:{}", name, node.source().begin.line);
}

// Reads the keys of one TOML table into fields; any other key is an error naming the
// alternatives.
class TableReader {
 public:
  TableReader(const std::string& file, const toml::table& table, std::string prefix)
      : file_(file), table_(table), prefix_(std::move(prefix)) {}

  template <typename T>
  TableReader& Field(const char* key, T* out) {
    known_.push_back(key);
    const toml::node* node = table_.get(key);
    if (!node || !status_.ok()) return *this;
    if constexpr (std::is_same_v<T, double>) {
      if (auto v = node->value<double>()) { *out = *v; return *this; }
    } else if constexpr (std::is_same_v<T, int>) {
      if (auto v = node->value<int64_t>()) { *out = static_cast<int>(*v); return *this; }
    } else if constexpr (std::is_same_v<T, bool>) {
      if (auto v = node->value<bool>()) { *out = *v; return *this; }
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = node->value<std::string>()) { *out = *v; return *this; }
    } else if constexpr (std::is_same_v<T, std::vector<std::string>> ||
                         std::is_same_v<T, std::vector<double>>) {
      if (const auto* arr = node->as_array()) {
        T values;
        bool ok = true;
        for (const auto& el : *arr) {
          auto v = el.value<typename T::value_type>();
          if (!v) { ok = false; break; }
          values.push_back(*v);
        }
        if (ok) { *out = std::move(values); return *this; }
      }
    }
    status_ = Error::InvalidArgument(fmt::format("{}: {}{} has the wrong type; expected {}",
                                                 Where(file_, *node), prefix_, key, TypeName<T>()));
    return *this;
  }
  template <typename T>
  TableReader& Optional(const char* key, std::optional<T>* out) {
    if (!table_.get(key)) { known_.push_back(key); return *this; }
    T v{};
    Field(key, &v);
    *out = v;
    return *this;
  }
  TableReader& Subtable(const char* key) { known_.push_back(key); return *this; }

  Status Finish() {
    if (!status_.ok()) return status_;
    for (auto&& [k, node] : table_) {
      bool ok = false;
      for (const auto& name : known_) ok = ok || name == k.str();
      if (!ok) {
        return Error::InvalidArgument(fmt::format("{}: unknown key {}{}; available: {}",
                                                  Where(file_, node), prefix_, k.str(),
                                                  fmt::join(known_, ", ")));
      }
    }
    return Status::Ok();
  }

 private:
  template <typename T>
  static const char* TypeName() {
    if constexpr (std::is_same_v<T, double>) return "a number";
    else if constexpr (std::is_same_v<T, int>) return "an integer";
    else if constexpr (std::is_same_v<T, bool>) return "true or false";
    else if constexpr (std::is_same_v<T, std::string>) return "a string";
    else if constexpr (std::is_same_v<T, std::vector<double>>) return "an array of numbers";
    else return "an array of strings";
  }
  const std::string& file_;
  const toml::table& table_;
  std::string prefix_;
  std::vector<std::string> known_;
  Status status_;
};

const toml::table kEmpty;
const toml::table& Sub(const toml::table& t, const char* key) {
  const auto* s = t.get_as<toml::table>(key);
  return s ? *s : kEmpty;
}

template <typename T>
Status CheckRange(const std::string& name, std::optional<T> v, double lo, double hi,
                  bool open_lo, bool open_hi) {
  if (!v) return Status::Ok();
  const double x = static_cast<double>(*v);
  const bool bad = (open_lo ? x <= lo : x < lo) || (open_hi ? x >= hi : x > hi);
  if (!bad) return Status::Ok();
  return Error::InvalidArgument(fmt::format("{} = {}; must be in {}{}, {}{}", name, x,
                                            open_lo ? "(" : "[", lo, hi, open_hi ? ")" : "]"));
}

Status ValidatePlanning(const std::string& where, const PlanningSettings& p) {
  SC_RETURN_IF_ERROR(CheckRange<double>(where + ".service_level", p.service_level, 0, 1, true, true));
  SC_RETURN_IF_ERROR(CheckRange<double>(where + ".holding_rate", p.holding_rate, 0, 10, false, false));
  SC_RETURN_IF_ERROR(CheckRange<double>(where + ".order_cost", p.order_cost, 0, 1e12, false, false));
  SC_RETURN_IF_ERROR(CheckRange<double>(where + ".lead_time_mean_days", p.lead_time_mean_days, 0, 3650, false, false));
  SC_RETURN_IF_ERROR(CheckRange<double>(where + ".lead_time_sd_days", p.lead_time_sd_days, 0, 3650, false, false));
  return CheckRange<int>(where + ".review_period_days", p.review_period_days, 1, 365, false, false);
}

}  // namespace

Result<std::map<char, std::pair<double, double>>> ParseClassWarningLines(std::string_view text) {
  std::map<char, std::pair<double, double>> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string item(text.substr(pos, end - pos));
    pos = end + 1;
    if (item.empty()) continue;
    char cls = 0;
    double lo = 0, hi = 0;
    char extra = 0;
    if (std::sscanf(item.c_str(), " %c = %lf : %lf %c", &cls, &lo, &hi, &extra) != 3 ||
        (std::toupper(cls) != 'A' && std::toupper(cls) != 'B' && std::toupper(cls) != 'C') ||
        lo < 0 || hi < 0 || (hi > 0 && hi < lo)) {
      return Error::InvalidArgument(fmt::format(
          "plan.warning_lines_by_class entry \"{}\"; must be CLASS=LOWER:UPPER with CLASS A, B "
          "or C and 0 <= LOWER <= UPPER days of supply (0 = no line), e.g. \"A=7:45\"",
          item));
    }
    out[static_cast<char>(std::toupper(cls))] = {lo, hi};
  }
  return out;
}

PlanningSettings Config::PlanningFor(const std::string& category) const {
  PlanningSettings p = planning;
  p.warning_lower_days = loop.warning_lower_days;
  p.warning_upper_days = loop.warning_upper_days;
  auto it = categories.find(category);
  if (it == categories.end()) return p;
  const CategoryOverride& o = it->second;
  if (o.service_level) p.service_level = *o.service_level;
  if (o.holding_rate) p.holding_rate = *o.holding_rate;
  if (o.order_cost) p.order_cost = *o.order_cost;
  if (o.lead_time_mean_days) p.lead_time_mean_days = *o.lead_time_mean_days;
  if (o.lead_time_sd_days) p.lead_time_sd_days = *o.lead_time_sd_days;
  if (o.review_period_days) p.review_period_days = *o.review_period_days;
  if (o.warning_lower_days) p.warning_lower_days = *o.warning_lower_days;
  if (o.warning_upper_days) p.warning_upper_days = *o.warning_upper_days;
  p.service_level_from_category = o.service_level.has_value();
  return p;
}

Status Config::Validate() const {
  SC_RETURN_IF_ERROR(clean.Validate());
  SC_RETURN_IF_ERROR(ValidatePlanning("planning", planning));
  SC_RETURN_IF_ERROR(CheckRange<int>("plan.projection_days", loop.projection_days, 7, 366, false, false));
  SC_RETURN_IF_ERROR(CheckRange<double>("plan.a_share", loop.a_share, 0, 1, true, false));
  SC_RETURN_IF_ERROR(CheckRange<double>("plan.b_share", loop.b_share, loop.a_share, 1, false, false));
  SC_RETURN_IF_ERROR(CheckRange<double>("plan.x_cv", loop.x_cv, 0, 1e6, true, false));
  SC_RETURN_IF_ERROR(CheckRange<double>("plan.y_cv", loop.y_cv, loop.x_cv, 1e6, false, false));
  SC_RETURN_IF_ERROR(CheckRange<int>("plan.dead_stock_days", loop.dead_stock_days, 1, 3650, false, false));
  SC_RETURN_IF_ERROR(CheckRange<int>("plan.overstock_days", loop.overstock_days, 1, 3650, false, false));
  SC_RETURN_IF_ERROR(CheckRange<double>("plan.warning_lower_days", loop.warning_lower_days, 0, 3650, false, false));
  SC_RETURN_IF_ERROR(CheckRange<double>("plan.warning_upper_days", loop.warning_upper_days, 0, 3650, false, false));
  SC_RETURN_IF_ERROR(CheckRange<int>("plan.escalate_after_runs", loop.escalate_after_runs, 1, 1000, false, false));
  if (loop.service_measure != "fill_rate" && loop.service_measure != "cycle_service") {
    return Error::InvalidArgument(fmt::format(
        "plan.service_measure = \"{}\"; must be fill_rate or cycle_service", loop.service_measure));
  }
  if (auto m = policy::ClassMatrix::Parse(loop.class_matrix); !m.ok()) {
    return Error::InvalidArgument("plan.class_matrix: " + m.error().message);
  }
  if (auto w = ParseClassWarningLines(loop.warning_lines_by_class); !w.ok()) return w.error();
  if (loop.forecast_model.empty()) {
    return Error::InvalidArgument("plan.forecast_model is empty; must be a model spec such as \"auto\"");
  }
  for (const auto& [name, o] : categories) {
    SC_RETURN_IF_ERROR(ValidatePlanning("categories." + name, PlanningFor(name)));
    (void)o;
  }
  if (forecast.horizon < 1 || forecast.horizon > 3650) {
    return Error::InvalidArgument(
        fmt::format("forecast.horizon = {}; must be in [1, 3650]", forecast.horizon));
  }
  for (size_t i = 0; i < forecast.quantiles.size(); ++i) {
    const double q = forecast.quantiles[i];
    if (!(q > 0 && q < 1)) {
      return Error::InvalidArgument(
          fmt::format("forecast.quantiles[{}] = {}; must be in (0, 1)", i, q));
    }
    if (i > 0 && !(q > forecast.quantiles[i - 1])) {
      return Error::InvalidArgument(fmt::format(
          "forecast.quantiles[{}] = {}; must be greater than the one before ({})", i, q,
          forecast.quantiles[i - 1]));
    }
  }
  // A per-series model or a global one (gbm): `forecast --db` and `plan` take both.
  if (Status st = CheckForecastModelSpec(forecast.model); !st.ok()) {
    return Error::InvalidArgument("forecast.model: " + st.error().message);
  }
  if (clean.calendar.shutdown_days_before < 0 || clean.calendar.shutdown_days_after < 0) {
    return Error::InvalidArgument("calendar.shutdown_days_before/after must be >= 0");
  }
  return Status::Ok();
}

Result<Config> ParseConfig(const std::string& text, const std::string& name) {
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    return Error::InvalidArgument(fmt::format("{}:{}:{}: {}", name, e.source().begin.line,
                                              e.source().begin.column, e.description()));
  }
  Config c;
  c.source = name;
  {
    TableReader r(name, root, "");
    r.Subtable("planning").Subtable("forecast").Subtable("clean").Subtable("calendar")
        .Subtable("categories").Subtable("plan");
    SC_RETURN_IF_ERROR(r.Finish());
  }
  {
    auto& p = c.planning;
    TableReader r(name, Sub(root, "planning"), "planning.");
    r.Field("service_level", &p.service_level).Field("holding_rate", &p.holding_rate)
        .Field("order_cost", &p.order_cost).Field("lead_time_mean_days", &p.lead_time_mean_days)
        .Field("lead_time_sd_days", &p.lead_time_sd_days)
        .Field("review_period_days", &p.review_period_days);
    SC_RETURN_IF_ERROR(r.Finish());
  }
  {
    auto& f = c.forecast;
    TableReader r(name, Sub(root, "forecast"), "forecast.");
    r.Field("horizon", &f.horizon).Field("model", &f.model).Field("quantiles", &f.quantiles);
    SC_RETURN_IF_ERROR(r.Finish());
  }
  {
    auto& l = c.loop;
    TableReader r(name, Sub(root, "plan"), "plan.");
    r.Field("forecast_model", &l.forecast_model)
        .Field("forecast_model_file", &l.forecast_model_file)
        .Field("projection_days", &l.projection_days)
        .Field("class_targets", &l.class_targets).Field("class_matrix", &l.class_matrix)
        .Field("a_share", &l.a_share).Field("b_share", &l.b_share).Field("x_cv", &l.x_cv)
        .Field("y_cv", &l.y_cv).Field("service_measure", &l.service_measure)
        .Field("dead_stock_days", &l.dead_stock_days).Field("overstock_days", &l.overstock_days)
        .Field("warning_lower_days", &l.warning_lower_days)
        .Field("warning_upper_days", &l.warning_upper_days)
        .Field("warning_lines_by_class", &l.warning_lines_by_class)
        .Field("escalate_after_runs", &l.escalate_after_runs).Subtable("warning_lines");
    SC_RETURN_IF_ERROR(r.Finish());
    for (auto&& [sku, node] : Sub(Sub(root, "plan"), "warning_lines")) {
      const auto* value = node.as_string();
      double lo = 0, hi = 0;
      char extra = 0;
      if (value == nullptr ||
          std::sscanf(value->get().c_str(), " %lf : %lf %c", &lo, &hi, &extra) != 2 || lo < 0 ||
          hi < 0 || (hi > 0 && hi < lo)) {
        return Error::InvalidArgument(fmt::format(
            "{}: plan.warning_lines.\"{}\" must be a string \"LOWER:UPPER\" in days of supply "
            "with 0 <= LOWER <= UPPER (0 = no line), e.g. \"7:45\"",
            Where(name, node), sku.str()));
      }
      l.sku_warning_lines[std::string(sku.str())] = {lo, hi};
    }
  }
  {
    auto& cl = c.clean;
    const toml::table& t = Sub(root, "clean");
    TableReader r(name, t, "clean.");
    r.Field("non_product_skus", &cl.non_product_skus)
        .Field("non_product_sku_patterns", &cl.non_product_sku_patterns)
        .Field("min_lines_per_open_day", &cl.min_lines_per_open_day).Subtable("outliers");
    SC_RETURN_IF_ERROR(r.Finish());
    auto& o = cl.outliers;
    TableReader ro(name, Sub(t, "outliers"), "clean.outliers.");
    ro.Field("enabled", &o.enabled).Field("window_days", &o.window_days)
        .Field("threshold", &o.threshold).Field("min_points", &o.min_points)
        .Field("protect_events", &o.protect_events);
    SC_RETURN_IF_ERROR(ro.Finish());
  }
  {
    auto& cal = c.clean.calendar;
    std::string region(ToString(cal.region));
    TableReader r(name, Sub(root, "calendar"), "calendar.");
    r.Field("region", &region).Field("shutdown_days_before", &cal.shutdown_days_before)
        .Field("shutdown_days_after", &cal.shutdown_days_after);
    SC_RETURN_IF_ERROR(r.Finish());
    auto parsed = ParseRegion(region);
    if (!parsed) {
      return Error::InvalidArgument(fmt::format(
          "{}: calendar.region = \"{}\"; must be one of none, cn, uk, us", name, region));
    }
    cal.region = *parsed;
  }
  for (auto&& [cat, node] : Sub(root, "categories")) {
    const auto* t = node.as_table();
    if (!t) {
      return Error::InvalidArgument(fmt::format(
          "{}: categories.{} must be a table such as [categories.{}]", Where(name, node),
          cat.str(), cat.str()));
    }
    CategoryOverride o;
    TableReader r(name, *t, fmt::format("categories.{}.", cat.str()));
    r.Optional("service_level", &o.service_level).Optional("holding_rate", &o.holding_rate)
        .Optional("order_cost", &o.order_cost)
        .Optional("lead_time_mean_days", &o.lead_time_mean_days)
        .Optional("lead_time_sd_days", &o.lead_time_sd_days)
        .Optional("review_period_days", &o.review_period_days)
        .Optional("warning_lower_days", &o.warning_lower_days)
        .Optional("warning_upper_days", &o.warning_upper_days);
    SC_RETURN_IF_ERROR(r.Finish());
    c.categories[std::string(cat.str())] = o;
  }
  SC_RETURN_IF_ERROR(c.Validate());
  return c;
}

Result<Config> LoadConfig(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Error::InvalidArgument(fmt::format("{}: is a folder, not a config file", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound(fmt::format("{}: cannot open config file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path);
}

std::string DefaultConfigToml() {
  const Config c;
  const auto& p = c.planning;
  const auto& o = c.clean.outliers;
  auto quoted = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + fmt::format("\"{}\"", x);
    return s;
  };
  std::string patterns;
  for (const auto& x : c.clean.non_product_sku_patterns) {
    patterns += (patterns.empty() ? "" : ", ") + fmt::format("'{}'", x);
  }
  return fmt::format(R"(# stockcast configuration. Every key is optional; these are the defaults.

[planning]
service_level = {}        # cycle service level target, in (0, 1)
holding_rate = {}         # yearly holding cost as a fraction of unit cost
order_cost = {}           # fixed cost per purchase order when the supplier has none
lead_time_mean_days = {}  # when the product's supplier is unknown
lead_time_sd_days = {}
review_period_days = {}   # days between order decisions

[forecast]
horizon = {}
model = "{}"
quantiles = [{}]

[clean]
# Non-product lines (postage, fees, vouchers): exact SKUs (case-insensitive) and patterns.
non_product_skus = [{}]
non_product_sku_patterns = [{}]
# A day with fewer order lines than this at a location counts as missing, not zero demand.
min_lines_per_open_day = {}

[clean.outliers]
enabled = {}
window_days = {}          # Hampel window: +- this many days
threshold = {}            # log(1+demand) limit: median + threshold * 1.4826 * MAD
min_points = {}
protect_events = {}       # never cap festival, holiday or promotion days

[calendar]
region = "{}"             # public holidays: none, cn, uk, us
shutdown_days_before = {} # supplier shutdown around Spring Festival
shutdown_days_after = {}

[plan]
# The closed loop of `stockcast plan --out DIR`.
forecast_model = "{}"    # when plan forecasts (no forecast newer than the last import)
forecast_model_file = "{}"  # a saved global model (stockcast train) used instead, no retraining
projection_days = {}      # stock projected P10/P50/P90 this many days ahead
class_targets = {}      # service target per ABC/XYZ class (see `stockcast policy classify`)
class_matrix = "{}"           # overrides, e.g. "AX=rQ:0.99,CZ=manual:0.8"
a_share = {}
b_share = {}
x_cv = {}
y_cv = {}
service_measure = "{}"  # fill_rate or cycle_service
dead_stock_days = {}      # alert: on hand and no sale for this many days
overstock_days = {}       # alert: stock beyond this many days of demand
warning_lower_days = {}    # warning lines in days of supply (0 = none)
warning_upper_days = {}
warning_lines_by_class = "{}" # e.g. "A=7:45,C=3:120" (lower:upper days of supply)
escalate_after_runs = {}   # an alert rises one level after this many runs in a row

# Warning lines of single SKUs (days of supply, LOWER:UPPER; 0 = no line), over their class's:
# [plan.warning_lines]
# "SKU-0001" = "7:45"

# Per-category overrides of any [planning] key (and warning_lower_days / warning_upper_days), e.g.
# [categories.food]
# service_level = 0.98
)",
                     p.service_level, p.holding_rate, p.order_cost, p.lead_time_mean_days,
                     p.lead_time_sd_days, p.review_period_days, c.forecast.horizon,
                     c.forecast.model, fmt::join(c.forecast.quantiles, ", "),
                     quoted(c.clean.non_product_skus), patterns,
                     c.clean.min_lines_per_open_day,
                     o.enabled, o.window_days, o.threshold, o.min_points, o.protect_events,
                     ToString(c.clean.calendar.region), c.clean.calendar.shutdown_days_before,
                     c.clean.calendar.shutdown_days_after, c.loop.forecast_model,
                     c.loop.forecast_model_file, c.loop.projection_days, c.loop.class_targets, c.loop.class_matrix,
                     c.loop.a_share, c.loop.b_share, c.loop.x_cv, c.loop.y_cv,
                     c.loop.service_measure, c.loop.dead_stock_days, c.loop.overstock_days,
                     c.loop.warning_lower_days, c.loop.warning_upper_days,
                     c.loop.warning_lines_by_class, c.loop.escalate_after_runs);
}

}  // namespace stockcast::pipeline
