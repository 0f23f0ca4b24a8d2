#include "stockcast/server/server.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <condition_variable>
#include <deque>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "server/assets.h"
#include "server/openapi_schemas.h"
#include "stockcast/io/csv_writer.h"
#include "stockcast/pipeline/config.h"
#include "stockcast/pipeline/forecast_run.h"
#include "stockcast/pipeline/plan_loop.h"
#include "stockcast/server/auth.h"
#include "stockcast/store/store.h"

namespace stockcast::server {
namespace {

using Json = nlohmann::json;

// An error for the client: HTTP status, code and message.
struct ApiError {
  int status = 400;
  std::string code = "invalid_argument";
  std::string message;
};

ApiError Bad(std::string message) { return {400, "invalid_argument", std::move(message)}; }

ApiError FromError(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInvalidArgument: return {400, "invalid_argument", e.message};
    case ErrorCode::kNotFound: return {404, "not_found", e.message};
    case ErrorCode::kConflict: return {409, "conflict", e.message};
    case ErrorCode::kUnavailable: return {503, "unavailable", e.message};
    case ErrorCode::kInternal: break;
  }
  return {500, "internal", e.message};
}

void SendError(httplib::Response& res, const ApiError& e) {
  res.status = e.status;
  res.set_content(Json{{"error", {{"code", e.code}, {"message", e.message}}}}.dump(),
                  "application/json");
}

void SendJson(httplib::Response& res, const Json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

std::string TodayUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// Typed field access with messages naming the JSON path and the rule.
std::optional<std::string> Text(const Json& obj, const std::string& where, const char* field,
                                bool required, ApiError* err) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) {
    if (required) *err = Bad(fmt::format("{}.{} is missing; must be a string", where, field));
    return std::nullopt;
  }
  if (!it->is_string()) {
    *err = Bad(fmt::format("{} = {} at {}.{}; must be a string", field, it->dump(), where, field));
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<double> Number(const Json& obj, const std::string& where, const char* field,
                             bool required, ApiError* err) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) {
    if (required) *err = Bad(fmt::format("{}.{} is missing; must be a number", where, field));
    return std::nullopt;
  }
  if (!it->is_number()) {
    *err = Bad(fmt::format("{} = {} at {}.{}; must be a number", field, it->dump(), where, field));
    return std::nullopt;
  }
  return it->get<double>();
}

// One movement object (see server.h); a transfer becomes transfer_out + transfer_in.
// The first key of `obj` not in `allowed`, as the error for it ("$.qty is not allowed; fields:
// quantity, note", or "$.products[2].qty ..." with `where`); nullopt when every key is allowed.
// Unknown fields are refused, not ignored: a misspelt "unit_cots" must not silently keep the
// old cost.
std::optional<ApiError> UnknownField(const Json& obj, std::initializer_list<std::string_view> allowed,
                                     std::string_view where = "$") {
  for (const auto& [k, v] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    return Bad(fmt::format("{}.{} is not allowed; {}: {}", where, k,
                           allowed.size() == 1 ? "field" : "fields", fmt::join(allowed, ", ")));
  }
  return std::nullopt;
}

bool ParseMovement(const Json& m, const std::string& where, const std::string& actor,
                   std::vector<Movement>* out, ApiError* err) {
  if (!m.is_object()) {
    *err = Bad(fmt::format("{} must be an object {{\"sku\", \"location\", \"type\", \"quantity\", "
                           "\"idempotency_key\"}}",
                           where));
    return false;
  }
  if (auto e = UnknownField(m,
                            {"sku", "location", "type", "quantity", "idempotency_key", "date",
                             "unit_price", "reference", "to_location"},
                            where)) {
    *err = *e;
    return false;
  }
  auto sku = Text(m, where, "sku", true, err);
  if (!sku) return false;
  auto location = Text(m, where, "location", true, err);
  if (!location) return false;
  auto type = Text(m, where, "type", true, err);
  if (!type) return false;
  auto key = Text(m, where, "idempotency_key", true, err);
  if (!key) return false;
  auto quantity = Number(m, where, "quantity", true, err);
  if (!quantity) return false;
  ApiError optional_err;
  auto date_text = Text(m, where, "date", false, &optional_err);
  if (!optional_err.message.empty()) {
    *err = optional_err;
    return false;
  }
  auto price = Number(m, where, "unit_price", false, &optional_err);
  auto reference = Text(m, where, "reference", false, &optional_err);
  if (!optional_err.message.empty()) {
    *err = optional_err;
    return false;
  }
  if (sku->empty() || location->empty() || key->empty()) {
    *err = Bad(fmt::format("{}: sku, location and idempotency_key must not be empty", where));
    return false;
  }
  const std::string day = date_text.value_or(TodayUtc());
  auto date = Date::Parse(day);
  if (!date) {
    *err = Bad(fmt::format("date = \"{}\" at {}.date; must be YYYY-MM-DD", day, where));
    return false;
  }
  const bool adjustment = *type == "adjustment";
  if (!std::isfinite(*quantity) || (adjustment ? *quantity == 0 : *quantity <= 0)) {
    *err = Bad(fmt::format("quantity = {} at {}.quantity; must be {}", *quantity, where,
                           adjustment ? "!= 0 (signed) for an adjustment" : "> 0"));
    return false;
  }
  Movement base;
  base.sku = *sku;
  base.location = *location;
  base.date = *date;
  base.quantity = *quantity;
  base.unit_price = price.value_or(0.0);
  base.reference = reference.value_or("");
  base.actor = actor;
  base.source = "api";
  if (*type == "transfer") {
    auto to = Text(m, where, "to_location", true, err);
    if (!to) return false;
    if (to->empty() || *to == *location) {
      *err = Bad(fmt::format("to_location = \"{}\" at {}.to_location; must name another location",
                             *to, where));
      return false;
    }
    Movement out_move = base;
    out_move.type = MovementType::kTransferOut;
    out_move.idempotency_key = *key + ":out";
    Movement in_move = base;
    in_move.type = MovementType::kTransferIn;
    in_move.location = *to;
    in_move.idempotency_key = *key + ":in";
    out->push_back(std::move(out_move));
    out->push_back(std::move(in_move));
    return true;
  }
  auto parsed = ParseMovementType(*type);
  if (!parsed || *parsed == MovementType::kTransferIn || *parsed == MovementType::kTransferOut) {
    *err = Bad(fmt::format("type = \"{}\" at {}.type; must be receipt, sale, return, adjustment or "
                           "transfer (with to_location)",
                           *type, where));
    return false;
  }
  base.type = *parsed;
  base.idempotency_key = *key;
  out->push_back(std::move(base));
  return true;
}

Json ProductJson(const Product& p) {
  return {{"sku", p.sku},           {"name", p.name},
          {"category", p.category}, {"supplier_id", p.supplier_id},
          {"unit_cost", p.unit_cost}, {"price", p.price},
          {"shelf_life_days", p.shelf_life_days}, {"allow_backorder", p.allow_backorder}};
}

bool ParseProduct(const Json& j, const std::string& where, Product* p, ApiError* err) {
  if (!j.is_object()) {
    *err = Bad(where + " must be an object with at least \"sku\"");
    return false;
  }
  if (auto e = UnknownField(j,
                            {"sku", "name", "category", "supplier_id", "unit_cost", "price",
                             "shelf_life_days", "allow_backorder"},
                            where)) {
    *err = *e;
    return false;
  }
  auto sku = Text(j, where, "sku", true, err);
  if (!sku) return false;
  p->sku = *sku;
  ApiError e;
  p->name = Text(j, where, "name", false, &e).value_or("");
  p->category = Text(j, where, "category", false, &e).value_or("");
  p->supplier_id = Text(j, where, "supplier_id", false, &e).value_or("");
  p->unit_cost = Number(j, where, "unit_cost", false, &e).value_or(0.0);
  p->price = Number(j, where, "price", false, &e).value_or(0.0);
  const double shelf = Number(j, where, "shelf_life_days", false, &e).value_or(0);
  if (e.message.empty() && (shelf != std::floor(shelf) || shelf < 0 || shelf > 100000)) {
    e = Bad(fmt::format("shelf_life_days = {} at {}.shelf_life_days; must be a whole number of days "
                        ">= 0 (0 = does not expire)",
                        shelf, where));
  }
  p->shelf_life_days = static_cast<int>(shelf);
  if (auto it = j.find("allow_backorder"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) {
      e = Bad(fmt::format("allow_backorder = {} at {}.allow_backorder; must be true or false",
                          it->dump(), where));
    } else {
      p->allow_backorder = it->get<bool>();
    }
  }
  if (!e.message.empty()) {
    *err = e;
    return false;
  }
  if (Status st = p->Validate(where); !st.ok()) {
    *err = Bad(st.error().message);
    return false;
  }
  return true;
}

bool ParseLocation(const Json& j, const std::string& where, Location* l, ApiError* err) {
  if (!j.is_object()) {
    *err = Bad(where + " must be an object with \"id\"");
    return false;
  }
  if (auto e = UnknownField(j, {"id", "name", "capacity_units"}, where)) {
    *err = *e;
    return false;
  }
  auto id = Text(j, where, "id", true, err);
  if (!id) return false;
  l->id = *id;
  ApiError e;
  l->name = Text(j, where, "name", false, &e).value_or("");
  l->capacity_units = Number(j, where, "capacity_units", false, &e).value_or(0.0);
  if (e.message.empty()) {
    if (Status st = l->Validate(where); !st.ok()) e = Bad(st.error().message);
  }
  if (!e.message.empty()) *err = e;
  return e.message.empty();
}

bool ParseSupplier(const Json& j, const std::string& where, Supplier* s, ApiError* err) {
  if (!j.is_object()) {
    *err = Bad(where + " must be an object with \"id\"");
    return false;
  }
  if (auto e = UnknownField(j,
                            {"id", "name", "lead_time_mean_days", "lead_time_sd_days", "moq",
                             "case_pack", "unit_cost", "order_cost"},
                            where)) {
    *err = *e;
    return false;
  }
  auto id = Text(j, where, "id", true, err);
  if (!id) return false;
  s->id = *id;
  ApiError e;
  s->name = Text(j, where, "name", false, &e).value_or("");
  for (const auto& [field, value] :
       std::initializer_list<std::pair<const char*, double*>>{
           {"lead_time_mean_days", &s->lead_time_mean_days},
           {"lead_time_sd_days", &s->lead_time_sd_days},
           {"moq", &s->moq},
           {"case_pack", &s->case_pack},
           {"unit_cost", &s->unit_cost},
           {"order_cost", &s->order_cost}}) {
    *value = Number(j, where, field, false, &e).value_or(*value);
  }
  if (e.message.empty()) {
    if (Status st = s->Validate(where); !st.ok()) e = Bad(st.error().message);
  }
  if (!e.message.empty()) *err = e;
  return e.message.empty();
}

// One object or {"<plural>": [objects]} as a list, each parsed by `parse` with its JSON path.
template <typename T, typename Parse>
bool ParseOneOrList(const Json& body, const std::string& plural, Parse parse, std::vector<T>* out,
                    ApiError* err) {
  if (body.is_object() && body.contains(plural)) {
    if (auto e = UnknownField(body, {plural})) {
      *err = *e;
      return false;
    }
    const Json& list = body[plural];
    if (!list.is_array() || list.empty()) {
      *err = Bad(fmt::format("$.{} must be a non-empty array", plural));
      return false;
    }
    for (size_t i = 0; i < list.size(); ++i) {
      T item;
      if (!parse(list[i], fmt::format("$.{}[{}]", plural, i), &item, err)) return false;
      out->push_back(std::move(item));
    }
    return true;
  }
  T item;
  if (!parse(body, "$", &item, err)) return false;
  out->push_back(std::move(item));
  return true;
}

// ?limit= in [1, max]; false when it is not a whole number in range.
bool ParseLimit(const httplib::Request& req, long* limit, long max) {
  if (!req.has_param("limit")) return true;
  try {
    size_t used = 0;
    const std::string text = req.get_param_value("limit");
    const long v = std::stol(text, &used);
    if (used != text.size() || v < 1 || v > max) return false;
    *limit = v;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

Json Finite(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json DecisionJson(const PlanDecision& d) {
  return {{"status", d.status},  {"quantity", d.quantity}, {"po_id", d.po_id},
          {"note", d.note},      {"actor", d.actor},       {"decided_at", d.decided_at}};
}

Json PlanLineJson(int64_t number, const PlanLine& l, const PlanDecision* d) {
  return {{"line", number},
          {"sku", l.sku},
          {"location", l.location},
          {"supplier_id", l.supplier_id},
          {"quantity", Finite(l.quantity)},
          {"unit_cost", Finite(l.unit_cost)},
          {"order_date", l.order_date.ToString()},
          {"arrival_date", l.arrival_date.ToString()},
          {"on_hand", Finite(l.on_hand)},
          {"on_order", Finite(l.on_order)},
          {"lead_time_demand", Finite(l.lead_time_demand)},
          {"safety_stock", Finite(l.safety_stock)},
          {"reorder_point", Finite(l.reorder_point)},
          {"order_up_to", Finite(l.order_up_to)},
          {"service_level", Finite(l.service_level)},
          {"stockout_probability", Finite(l.stockout_probability)},
          {"days_of_supply", Finite(l.days_of_supply)},
          {"binding", l.binding},
          {"explanation", l.explanation},
          {"decision", d == nullptr ? Json(nullptr) : DecisionJson(*d)}};
}

Json WarningLineJson(const WarningLineRecord& l) {
  return {{"sku", l.sku},
          {"location", l.location},
          {"lower_units", l.lower_units},
          {"upper_units", l.upper_units},
          {"source", l.source},
          {"run_id", l.run_id},
          {"updated_at", l.updated_at}};
}

Json JobJson(const JobRecord& j) {
  return {{"id", j.id},
          {"kind", j.kind},
          {"status", j.status},
          {"progress", j.progress},
          {"stage", j.stage},
          {"run_id", j.run_id == 0 ? Json(nullptr) : Json(j.run_id)},
          {"error", j.error},
          {"params", Json::parse(j.params_json.empty() ? "{}" : j.params_json, nullptr, false)},
          {"actor", j.actor},
          {"created_at", j.created_at},
          {"started_at", j.started_at},
          {"finished_at", j.finished_at}};
}

Json AlertJson(const AlertRecord& a) {
  return {{"id", a.id},           {"type", a.type},
          {"sku", a.sku},         {"location", a.location},
          {"level", a.level},     {"status", a.status},
          {"action", a.action},   {"message", a.message},
          {"impact", Finite(a.impact)},   {"probability", Finite(a.probability)},
          {"first_seen", a.first_seen.ToString()},
          {"last_seen", a.last_seen.ToString()},
          {"occurrences", a.occurrences}};
}

std::string NowIso() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The checked options of a job (POST /api/v1/jobs params). Unknown keys are errors.
struct JobOptions {
  pipeline::ForecastRunOptions forecast;
  pipeline::PlanLoopOptions plan;
};

Result<JobOptions> ParseJobParams(const std::string& kind, const Json& params) {
  JobOptions o;
  const std::vector<std::string> allowed =
      kind == "forecast" ? std::vector<std::string>{"model", "horizon", "threads"}
                         : std::vector<std::string>{"model", "reforecast", "budget", "out_dir",
                                                    "as_of", "threads"};
  for (const auto& [k, v] : params.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return Error::InvalidArgument(fmt::format("$.params.{} is not a {} job parameter; allowed: {}",
                                                k, kind, fmt::join(allowed, ", ")));
    }
  }
  auto text = [&](const char* k, std::string* out) -> Status {
    if (!params.contains(k)) return Status::Ok();
    if (!params[k].is_string()) {
      return Error::InvalidArgument(fmt::format("$.params.{} = {}; must be a string", k, params[k].dump()));
    }
    *out = params[k].get<std::string>();
    return Status::Ok();
  };
  auto integer = [&](const char* k, int* out, int lo, int hi) -> Status {
    if (!params.contains(k)) return Status::Ok();
    if (!params[k].is_number_integer() || params[k].get<long>() < lo || params[k].get<long>() > hi) {
      return Error::InvalidArgument(fmt::format("$.params.{} = {}; must be a whole number in [{}, {}]",
                                                k, params[k].dump(), lo, hi));
    }
    *out = params[k].get<int>();
    return Status::Ok();
  };
  if (kind == "forecast") {
    o.forecast.model = "auto";
    SC_RETURN_IF_ERROR(text("model", &o.forecast.model));
    SC_RETURN_IF_ERROR(integer("horizon", &o.forecast.horizon, 1, 3650));
    SC_RETURN_IF_ERROR(integer("threads", &o.forecast.threads, 0, 1024));
    SC_RETURN_IF_ERROR(o.forecast.Validate());
    return o;
  }
  SC_RETURN_IF_ERROR(text("model", &o.plan.model));
  SC_RETURN_IF_ERROR(text("out_dir", &o.plan.out_dir));
  std::string as_of;
  SC_RETURN_IF_ERROR(text("as_of", &as_of));
  if (!as_of.empty()) {
    o.plan.as_of = Date::Parse(as_of);
    if (!o.plan.as_of) {
      return Error::InvalidArgument(fmt::format("$.params.as_of = \"{}\"; must be YYYY-MM-DD", as_of));
    }
  }
  if (params.contains("reforecast")) {
    if (!params["reforecast"].is_boolean()) {
      return Error::InvalidArgument("$.params.reforecast must be true or false");
    }
    o.plan.reforecast = params["reforecast"].get<bool>();
  }
  if (params.contains("budget")) {
    if (!params["budget"].is_number() || !(params["budget"].get<double>() > 0)) {
      return Error::InvalidArgument(
          fmt::format("$.params.budget = {}; must be a number > 0", params["budget"].dump()));
    }
    o.plan.budget = params["budget"].get<double>();
  }
  SC_RETURN_IF_ERROR(integer("threads", &o.plan.threads, 0, 1024));
  SC_RETURN_IF_ERROR(o.plan.Validate());
  return o;
}

// cpp-httplib 0.11 listens with a backlog of 5 (a compile-time constant of the library): when
// many clients connect at once, handshakes past the fifth are dropped and their first request
// fails with a reset. The library does not expose its socket, so find our listening socket and
// listen() on it again with the system's maximum, which Linux applies to a listening socket.
void WidenListenBacklog(int port) {
  for (int fd = 3; fd < 4096; ++fd) {
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening == 0) continue;
    sockaddr_storage addr{};
    socklen_t alen = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
    int bound = -1;
    if (addr.ss_family == AF_INET) bound = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6) bound = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    if (bound == port) (void)listen(fd, SOMAXCONN);
  }
}

struct Route {
  std::string method;
  std::string path;  // OpenAPI form, e.g. /api/v1/alerts/{id}/ack
  std::string pattern;  // httplib regex
  std::optional<Role> role;  // nullopt = no token needed
  std::string summary;
};

const std::vector<Route>& Routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/healthz", "/healthz", std::nullopt, "Liveness: {\"status\":\"ok\"}"},
      {"GET", "/openapi.json", "/openapi.json", Role::kViewer, "This API description"},
      {"GET", "/metrics", "/metrics", Role::kViewer, "Prometheus text metrics"},
      {"GET", "/api/v1/products", "/api/v1/products", Role::kViewer,
       "Products, paged: ?limit=100&offset=0&category=&sku="},
      {"POST", "/api/v1/products", "/api/v1/products", Role::kPlanner,
       "Create or update products (one object or {\"products\":[...]})"},
      {"GET", "/api/v1/locations", "/api/v1/locations", Role::kViewer, "Warehouses"},
      {"GET", "/api/v1/suppliers", "/api/v1/suppliers", Role::kViewer, "Suppliers"},
      {"POST", "/api/v1/movements", "/api/v1/movements", Role::kPlanner,
       "Record stock movements (one object or {\"moves\":[...]}), one transaction, idempotent by key"},
      {"GET", "/api/v1/stock", "/api/v1/stock", Role::kViewer,
       "Balances per SKU and location: ?sku=&location="},
      {"GET", "/api/v1/alerts", "/api/v1/alerts", Role::kViewer,
       "Open and acknowledged alerts (?all=1: resolved too)"},
      {"POST", "/api/v1/alerts/{id}/ack", R"(/api/v1/alerts/(\d+)/ack)", Role::kPlanner,
       "Acknowledge an alert"},
      {"GET", "/api/v1/kpis", "/api/v1/kpis", Role::kViewer, "KPIs of the latest plan run"},
      {"GET", "/", "/", std::nullopt, "The dashboard (static page; it asks for a token)"},
      {"GET", "/assets/{file}", R"(/assets/([A-Za-z0-9._-]+))", std::nullopt,
       "The dashboard's scripts, styles and chart library"},
      {"GET", "/api/v1/me", "/api/v1/me", Role::kViewer, "The calling token: name and role"},
      {"GET", "/api/v1/overview", "/api/v1/overview", Role::kViewer,
       "Dashboard overview: portfolio KPIs, alert counts, money at risk, order summary"},
      {"GET", "/api/v1/products/{sku}", R"(/api/v1/products/([^/]+))", Role::kViewer, "One product"},
      {"PATCH", "/api/v1/products/{sku}", R"(/api/v1/products/([^/]+))", Role::kPlanner,
       "Update some fields of a product"},
      {"POST", "/api/v1/locations", "/api/v1/locations", Role::kPlanner,
       "Create or update locations (one object or {\"locations\":[...]})"},
      {"POST", "/api/v1/suppliers", "/api/v1/suppliers", Role::kPlanner,
       "Create or update suppliers (one object or {\"suppliers\":[...]})"},
      {"GET", "/api/v1/forecasts", "/api/v1/forecasts", Role::kViewer,
       "Forecast runs, newest first: ?limit=20"},
      {"GET", "/api/v1/forecasts/{run}", R"(/api/v1/forecasts/(latest|\d+))", Role::kViewer,
       "One forecast run's rows: ?sku=&location= (both required)"},
      {"GET", "/api/v1/plans", "/api/v1/plans", Role::kViewer, "Plan runs, newest first: ?limit=20"},
      {"GET", "/api/v1/plans/{run}", R"(/api/v1/plans/(latest|\d+))", Role::kViewer,
       "A plan's lines with their explanation and decision (run id or latest)"},
      {"POST", "/api/v1/plans/{run}/lines/{line}/approve",
       R"(/api/v1/plans/(\d+)/lines/(\d+)/approve)", Role::kPlanner,
       "Approve a plan line ({\"quantity\"?, \"note\"?}): creates an open purchase order"},
      {"POST", "/api/v1/plans/{run}/lines/{line}/reject", R"(/api/v1/plans/(\d+)/lines/(\d+)/reject)",
       Role::kPlanner, "Reject a plan line ({\"reason\"})"},
      {"GET", "/api/v1/plans/{run}/purchase-orders.csv",
       R"(/api/v1/plans/(latest|\d+)/purchase-orders\.csv)", Role::kViewer,
       "The approved lines of a plan as a purchase-order CSV"},
      {"GET", "/api/v1/series/{sku}/{location}", R"(/api/v1/series/([^/]+)/([^/]+))", Role::kViewer,
       "One series: history, latest forecast with intervals, projection, warning lines, stock, plan lines"},
      {"GET", "/api/v1/warning-lines", "/api/v1/warning-lines", Role::kViewer,
       "Warning lines in units per series: ?sku=&location="},
      {"PUT", "/api/v1/warning-lines/{sku}/{location}", R"(/api/v1/warning-lines/([^/]+)/([^/]+))",
       Role::kPlanner,
       "Set a series' warning lines ({\"lower_units\", \"upper_units\"}); a plan never overrides them"},
      {"POST", "/api/v1/sales", "/api/v1/sales", Role::kPlanner,
       "Sales lines in a batch ({\"lines\":[{\"order_id\",\"sku\",\"location\",\"quantity\",...}]}) as sale movements"},
      {"POST", "/api/v1/cart-events", "/api/v1/cart-events", Role::kPlanner,
       "Add-to-cart counts in a batch ({\"events\":[{\"sku\",\"location\"?,\"date\",\"count\"}]})"},
      {"POST", "/api/v1/jobs", "/api/v1/jobs", Role::kPlanner,
       "Start a forecast or plan run in the background ({\"kind\":\"forecast\"|\"plan\",\"params\":{...}}): 202"},
      {"GET", "/api/v1/jobs", "/api/v1/jobs", Role::kViewer, "Jobs, newest first"},
      {"GET", "/api/v1/jobs/{id}", R"(/api/v1/jobs/(\d+))", Role::kViewer,
       "One job: status, progress, stage, run id, error"},
      {"GET", "/api/v1/audit", "/api/v1/audit", Role::kAdmin, "The audit log, newest first: ?limit=100"},
  };
  return kRoutes;
}

}  // namespace

std::string OpenApiJson() {
  const Json components = ComponentSchemas();
  Json paths = Json::object();
  for (const Route& r : Routes()) {
    std::string method = r.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    Json op = {{"summary", r.summary},
               {"responses",
                {{"200", {{"description", "OK"}}},
                 {"400", {{"description", "invalid_argument: the message names the field and the rule"}}},
                 {"401", {{"description", "unauthenticated: no or unknown token"}}},
                 {"403", {{"description", "permission_denied: the token's role is too low"}}}}}};
    if (r.role) {
      op["security"] = Json::array({{{"bearer", Json::array()}}});
      op["x-role"] = std::string(ToString(*r.role));
    } else {
      op["security"] = Json::array();
    }
    Json params = Json::array();
    for (size_t open = r.path.find('{'); open != std::string::npos;
         open = r.path.find('{', open + 1)) {
      const std::string name = r.path.substr(open + 1, r.path.find('}', open) - open - 1);
      const bool integer = name == "id" || name == "line";
      params.push_back({{"name", name},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", integer ? "integer" : "string"}}}});
    }
    if (!params.empty()) op["parameters"] = params;
    const RouteSchemas schemas = SchemasFor(r.method, r.path);
    if (schemas.success_status != 200) {
      op["responses"].erase("200");
      op["responses"][std::to_string(schemas.success_status)] = {{"description", "OK"}};
    }
    if (!schemas.request.is_null()) {
      // Approving may send no body (the line's quantity, no note).
      const bool optional_body = r.path.find("/approve") != std::string::npos;
      op["requestBody"] = {{"required", !optional_body},
                           {"content", {{"application/json", {{"schema", schemas.request}}}}}};
    }
    if (!r.role) {
      op["responses"].erase("401");
      op["responses"].erase("403");
    }
    if (components.contains("Error")) {
      for (auto& [code, response] : op["responses"].items()) {
        if (code[0] == '4' || code[0] == '5') {
          response["content"] = {
              {"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}};
        }
      }
    }
    if (r.path == "/metrics") {
      op["responses"]["200"]["content"] = {{"text/plain", {{"schema", {{"type", "string"}}}}}};
    }
    if (!schemas.response.is_null()) {
      op["responses"][std::to_string(schemas.success_status)]["content"] = {
          {"application/json", {{"schema", schemas.response}}}};
    }
    if (r.path.find("purchase-orders.csv") != std::string::npos) {
      op["responses"]["200"] = {{"description", "OK"},
                                {"content", {{"text/csv", {{"schema", {{"type", "string"}}}}}}}};
    }
    if (r.role) {
      op["responses"]["429"] = {{"description", "rate_limited: over the token's requests per second"}};
    }
    paths[r.path][method] = op;
  }
  Json doc = {{"openapi", "3.0.3"},
              {"info", {{"title", "stockcast API"}, {"version", "1"}}},
              {"paths", paths},
              {"components",
               {{"schemas", components},
                {"securitySchemes",
                 {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}}};
  return doc.dump(2);
}

Status ServerOptions::Validate() const {
  if (port < 0 || port > 65535) {
    return Error::InvalidArgument(fmt::format("port = {}; must be in [0, 65535]", port));
  }
  if (threads < 1) return Error::InvalidArgument(fmt::format("threads = {}; must be >= 1", threads));
  if (db_pool < 1 || db_pool > 256) {
    return Error::InvalidArgument(fmt::format("db_pool = {}; must be in [1, 256]", db_pool));
  }
  if (max_batch < 1) return Error::InvalidArgument("max_batch = 0; must be >= 1");
  if (!(rate_limit >= 0)) {
    return Error::InvalidArgument(fmt::format("rate_limit = {}; must be >= 0 (0 = none)", rate_limit));
  }
  if (max_body_bytes < 1024) {
    return Error::InvalidArgument(
        fmt::format("max_body_bytes = {}; must be >= 1024", max_body_bytes));
  }
  return Status::Ok();
}

// The server's store connections. SQLite: one connection (its writes serialise anyway, and a
// second writer would wait in SQLite's sleeping busy handler). PostgreSQL: a pool, so requests
// run in parallel and the database's row locks order the writes to one series.
class StorePool {
 public:
  void Add(std::unique_ptr<Store> store) {
    all_.push_back(std::move(store));
    free_.push_back(all_.back().get());
  }
  Store* Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !free_.empty(); });
    Store* s = free_.back();
    free_.pop_back();
    return s;
  }
  void Release(Store* s) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_.push_back(s);
    }
    cv_.notify_one();
  }
  size_t size() const { return all_.size(); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Store>> all_;
  std::vector<Store*> free_;
};

// One connection of the pool for the lease's scope.
class StoreLease {
 public:
  explicit StoreLease(StorePool& pool) : pool_(&pool), store_(pool.Acquire()) {}
  ~StoreLease() { pool_->Release(store_); }
  StoreLease(const StoreLease&) = delete;
  StoreLease& operator=(const StoreLease&) = delete;
  Store* operator->() const { return store_; }
  Store& operator*() const { return *store_; }
  operator Store*() const { return store_; }  // NOLINT: passes as the store it leases

 private:
  StorePool* pool_;
  Store* store_;
};

struct Server::Impl {
  ServerOptions options;
  std::string db;
  pipeline::Config config;
  StorePool pool;
  StoreOptions store_options;
  StoreLease Lease() { return StoreLease(pool); }
  std::unique_ptr<httplib::Server> http;  // an httplib::SSLServer with TLS
  bool tls = false;
  int port = 0;
  // Jobs: one worker thread with its own store runs them in order.
  std::mutex jobs_mu;
  std::condition_variable jobs_cv;
  std::deque<int64_t> job_queue;
  bool stopping = false;
  std::thread job_thread;
  std::map<std::string, uint64_t> jobs_done;                   // "kind status" -> count
  std::map<std::string, std::pair<double, uint64_t>> job_secs;  // kind -> (seconds, count)
  std::atomic<uint64_t> alerts_raised{0};
  void JobLoop();
  Status RunJob(Store& job_store, JobRecord& job);
  std::atomic<uint64_t> next_request{1};
  // Metrics.
  std::mutex metrics_mu;
  std::map<std::string, uint64_t> requests;  // "method path status" -> count
  std::map<std::string, std::pair<double, uint64_t>> latency;  // route -> (seconds sum, count)
  std::atomic<uint64_t> movements_inserted{0}, movements_repeated{0};
  // Rate limit: token hash -> (tokens left, last refill).
  std::mutex limit_mu;
  std::map<std::string, std::pair<double, std::chrono::steady_clock::time_point>> buckets;

  // Takes one request from the token's bucket; false (and the seconds to wait) when empty.
  bool Admit(const std::string& key, double* wait) {
    if (options.rate_limit <= 0) return true;
    const auto now = std::chrono::steady_clock::now();
    const double capacity = 2.0 * options.rate_limit;
    std::lock_guard<std::mutex> lock(limit_mu);
    auto [it, inserted] = buckets.try_emplace(key, capacity, now);
    auto& [tokens, last] = it->second;
    if (!inserted) {
      tokens = std::min(capacity, tokens + options.rate_limit *
                                               std::chrono::duration<double>(now - last).count());
      last = now;
    }
    if (tokens >= 1.0) {
      tokens -= 1.0;
      return true;
    }
    *wait = (1.0 - tokens) / options.rate_limit;
    return false;
  }

  struct Caller {
    std::string name = "anonymous";
    std::string role = "";
    std::string request_id;
  };

  void Audit(Store* store, const Caller& c, const std::string& action, int status, const std::string& detail) {
    AuditRecord a;
    a.actor = c.name;
    a.role = c.role;
    a.request_id = c.request_id;
    a.action = action;
    a.status = status;
    a.detail = detail;
    (void)store->AppendAudit(a);  // the store lock is held by the caller
  }

  // Known tokens by hash, for kTokenCacheSeconds: most requests then skip the store (and its
  // lock). A revoked token stops working within that time. Unknown hashes are not cached, so a
  // flood of bogus tokens cannot grow the map; a new token works at once.
  static constexpr int kTokenCacheSeconds = 10;
  std::mutex token_mu;
  std::map<std::string, std::pair<TokenRecord, std::chrono::steady_clock::time_point>> token_cache;

  std::optional<TokenRecord> LookUpToken(const std::string& hash) {
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard<std::mutex> lock(token_mu);
      if (auto it = token_cache.find(hash); it != token_cache.end() && now < it->second.second) {
        return it->second.first;
      }
    }
    std::optional<TokenRecord> token;
    {
      StoreLease store = Lease();
      auto found = store->FindToken(hash);
      if (found.ok() && *found) token = **found;
    }
    if (token) {
      std::lock_guard<std::mutex> lock(token_mu);
      if (token_cache.size() > 100000) token_cache.clear();
      token_cache[hash] = {*token, now + std::chrono::seconds(kTokenCacheSeconds)};
    }
    return token;
  }

  // An audit entry inside the caller's transaction: it commits with the change or not at all.
  Status AuditIn(Store* store, const Caller& c, const std::string& action, int status, const std::string& detail) {
    AuditRecord a;
    a.actor = c.name;
    a.role = c.role;
    a.request_id = c.request_id;
    a.action = action;
    a.status = status;
    a.detail = detail.size() > 2000 ? detail.substr(0, 2000) + "..." : detail;
    return store->AppendAudit(a).status();
  }

  // "latest" or a run id of `kind`; NotFound names what is missing. Store lock held.
  Result<int64_t> ResolveRun(Store* store, const std::string& text, const std::string& kind) {
    if (text == "latest") {
      SC_ASSIGN_OR_RETURN(auto run, store->LatestRun(kind));
      if (!run) {
        return Error::NotFound(fmt::format("no {} run yet: run `stockcast {}` or POST /api/v1/jobs "
                                           "{{\"kind\":\"{}\"}}",
                                           kind, kind, kind));
      }
      return run->id;
    }
    const int64_t id = std::stoll(text);
    SC_ASSIGN_OR_RETURN(auto run, store->GetRun(id));
    if (!run || run->kind != kind) {
      return Error::NotFound(fmt::format("{} run {} does not exist", kind, id));
    }
    return id;
  }

  // The plan's lines (optionally one series') with their decisions. Store lock held.
  Result<Json> PlanItems(Store* store, int64_t run, const std::string& sku, const std::string& location) {
    SC_ASSIGN_OR_RETURN(auto lines, store->ListPlanNumbered(run));
    SC_ASSIGN_OR_RETURN(auto decisions, store->ListPlanDecisions(run));
    std::map<int64_t, const PlanDecision*> by_line;
    for (const PlanDecision& d : decisions) by_line[d.line] = &d;
    Json items = Json::array();
    for (const auto& [n, l] : lines) {
      if (!sku.empty() && (l.sku != sku || l.location != location)) continue;
      auto it = by_line.find(n);
      items.push_back(PlanLineJson(n, l, it == by_line.end() ? nullptr : it->second));
    }
    return items;
  }

  // The SKU page's bundle. Store lock held.
  Result<Json> SeriesJson(Store* store, const std::string& sku, const std::string& location) {
    Json out = {{"sku", sku}, {"location", location}};
    SC_ASSIGN_OR_RETURN(std::optional<Product> product, store->FindProduct(sku));
    out["product"] = product ? ProductJson(*product) : Json(nullptr);
    SC_ASSIGN_OR_RETURN(auto history, store->SeriesDemand(sku, location, 365));
    SC_ASSIGN_OR_RETURN(std::optional<StockLevel> level, store->FindStockLevel(sku, location));
    out["stock"] = nullptr;
    if (level) {
      out["stock"] = {{"on_hand", level->on_hand}, {"on_order", level->on_order},
                      {"available", std::max(level->on_hand, 0.0)}};
    }
    if (out["product"].is_null() && history.empty() && out["stock"].is_null()) {
      return Error::NotFound(fmt::format("series {}/{} is unknown: no product, history or stock", sku,
                                         location));
    }
    Json h = Json::array();
    for (const auto& [date, demand] : history) h.push_back({{"date", date.ToString()}, {"demand", Finite(demand)}});
    out["history"] = h;
    out["forecast"] = nullptr;
    SC_ASSIGN_OR_RETURN(auto frun, store->LatestRun("forecast"));
    if (frun) {
      SC_ASSIGN_OR_RETURN(auto rows, store->ListSeriesForecasts(frun->id, sku, location));
      if (!rows.empty()) {
        Json points = Json::array();
        for (const ForecastRow& r : rows) {
          Json pt = {{"date", r.date.ToString()}, {"mean", r.mean}, {"p10", nullptr}, {"p90", nullptr}};
          if (!r.quantiles.empty()) {
            pt["p10"] = r.quantiles.front().second;
            pt["p90"] = r.quantiles.back().second;
          }
          points.push_back(pt);
        }
        out["forecast"] = {{"run_id", frun->id}, {"model", rows.front().model}, {"points", points}};
      }
    }
    out["projection"] = nullptr;
    out["reorder_point"] = nullptr;
    out["order_up_to"] = nullptr;
    out["plan_lines"] = Json::array();
    SC_ASSIGN_OR_RETURN(auto prun, store->LatestRun("plan"));
    if (prun) {
      SC_ASSIGN_OR_RETURN(auto rows, store->ListProjection(prun->id, sku, location));
      if (!rows.empty()) {
        Json points = Json::array();
        for (const ProjectionRecord& r : rows) {
          points.push_back({{"date", r.date.ToString()}, {"p10", r.p10}, {"p50", r.p50},
                            {"p90", r.p90}, {"arrivals", r.arrivals}});
        }
        out["projection"] = {{"run_id", prun->id}, {"points", points}};
      }
      SC_ASSIGN_OR_RETURN(Json items, PlanItems(store, prun->id, sku, location));
      if (!items.empty()) {
        out["reorder_point"] = items.front()["reorder_point"];
        out["order_up_to"] = items.front()["order_up_to"];
      }
      out["plan_lines"] = items;
    }
    SC_ASSIGN_OR_RETURN(auto lines, store->ListWarningLines(sku, location));
    out["warning_lines"] = nullptr;
    if (!lines.empty()) {
      out["warning_lines"] = {{"lower", lines.front().lower_units},
                              {"upper", lines.front().upper_units},
                              {"source", lines.front().source}};
    }
    SC_ASSIGN_OR_RETURN(auto alerts, store->ListAlerts(false));
    Json live = Json::array();
    for (const AlertRecord& a : alerts) {
      if (a.sku == sku && a.location == location) live.push_back(AlertJson(a));
    }
    out["alerts"] = live;
    return out;
  }

  // Live alerts for the balances a movement batch changed (inside its transaction): crossing
  // the lower warning line downwards raises "below_warning_line", reaching zero from above
  // raises "out_of_stock"; crossing back up resolves the one this path raised (a plan's alert
  // waits for the next plan). Store lock held.
  Result<std::vector<AlertRecord>> RaiseLineAlerts(Store* store, std::span<const BalanceChange> changes) {
    std::vector<AlertRecord> touched;
    const Date today = *Date::Parse(TodayUtc());
    for (const BalanceChange& b : changes) {
      SC_ASSIGN_OR_RETURN(auto lines, store->ListWarningLines(b.sku, b.location));
      const double lower = lines.empty() ? 0.0 : lines.front().lower_units;
      struct Check {
        const char* type;
        bool down, up;
        const char* level;
        std::string message;
      };
      const Check checks[] = {
          {"below_warning_line", lower > 0 && b.before >= lower && b.after < lower,
           lower > 0 && b.before < lower && b.after >= lower, "medium",
           fmt::format("on hand {:g} is below the warning line {:g} (was {:g} before the last movement)",
                       b.after, lower, b.before)},
          // Not "stockout": a plan's stockout alert is a forecast risk, this one is a fact.
          {"out_of_stock", b.before > 0 && b.after <= 0, b.before <= 0 && b.after > 0, "high",
           fmt::format("on hand reached {:g} (was {:g}): out of stock now", b.after, b.before)},
      };
      for (const Check& c : checks) {
        if (!c.down && !c.up) continue;
        const std::string key = fmt::format("{}|{}|{}", c.type, b.sku, b.location);
        SC_ASSIGN_OR_RETURN(auto live, store->FindLiveAlert(key));
        AlertRecord a;
        if (c.up) {
          // Only an alert this path raised is resolved here; a plan's alert waits for the plan.
          if (!live || live->run_id != 0) continue;
          a = *live;
          a.status = "resolved";
          a.last_seen = today;
          a.message = fmt::format("on hand back at {:g}", b.after);
        } else if (live) {
          a = *live;
          a.last_seen = today;
          a.message = c.message;
        } else {
          a.key = key;
          a.type = c.type;
          a.sku = b.sku;
          a.location = b.location;
          a.level = a.first_level = c.level;
          a.status = "open";
          a.action = "reorder_now";
          a.message = c.message;
          a.first_seen = a.last_seen = today;
          a.probability = 1.0;
        }
        SC_ASSIGN_OR_RETURN(auto ids, store->SaveAlerts(std::vector<AlertRecord>{a}));
        if (a.id == 0 && !ids.empty()) a.id = ids.front();
        touched.push_back(std::move(a));
      }
    }
    return touched;
  }

  // Keys of batches refused with a conflict (negative stock): the first definite answer for a
  // key is final. Without this, a client that timed out and resent could be told 409 while
  // its first attempt, still queued here, commits afterwards (found by
  // bench/server/correctness.sh). Kept in memory for kRefusedKeepSeconds: a restart ends every
  // attempt in flight, so no older attempt can commit after it. Attempts that share a key also
  // never run at the same time (in_flight): the later one waits for the earlier one's answer.
  // Guarded by keys_mu.
  std::mutex keys_mu;
  std::condition_variable keys_cv;
  std::unordered_set<std::string> in_flight;
  static constexpr int kRefusedKeepSeconds = 3600;
  static constexpr size_t kRefusedMax = 1000000;
  std::unordered_map<std::string, std::string> refused;  // key -> the refusal's message
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> refused_order;

  void RememberRefusal(const std::vector<Movement>& moves, const std::string& message) {
    const auto now = std::chrono::steady_clock::now();
    while (!refused_order.empty() &&
           (refused_order.size() >= kRefusedMax ||
            now - refused_order.front().first > std::chrono::seconds(kRefusedKeepSeconds))) {
      refused.erase(refused_order.front().second);
      refused_order.pop_front();
    }
    const std::string when = NowIso();
    for (const Movement& m : moves) {
      if (refused.emplace(m.idempotency_key, when + ": " + message).second) {
        refused_order.emplace_back(now, m.idempotency_key);
      }
    }
  }

  // POST of master data: one object or {"<plural>":[...]}, upserted with its audit entry in
  // one transaction.
  template <typename T, typename Parse, typename Upsert>
  void UpsertMaster(const httplib::Request& req, httplib::Response& res, const Caller& caller,
                    const std::string& plural, Parse parse, Upsert upsert) {
    const Json body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded()) return SendError(res, Bad("body is not valid JSON"));
    std::vector<T> items;
    ApiError err;
    if (!ParseOneOrList<T>(body, plural, parse, &items, &err)) return SendError(res, err);
    const std::string action = "POST /api/v1/" + plural;
    StoreLease store = Lease();
    const Status st = store->WithTransaction([&]() -> Status {
      SC_RETURN_IF_ERROR(upsert(*store, std::span<const T>(items)));
      return AuditIn(store, caller, action, 200, fmt::format("{} {}", items.size(), plural));
    });
    if (!st.ok()) {
      const ApiError e = FromError(st.error());
      Audit(store, caller, action, e.status, e.message);
      return SendError(res, e);
    }
    SendJson(res, {{"upserted", items.size()}});
  }

  // Posts movements with their audit entry and live alerts in one transaction and replies.
  void PostAndReply(httplib::Response& res, const Caller& caller, const std::string& action,
                    const std::vector<Movement>& moves) {
    std::optional<ApiError> refusal;
    {
      std::unique_lock<std::mutex> lock(keys_mu);
      keys_cv.wait(lock, [&] {
        return std::none_of(moves.begin(), moves.end(),
                            [&](const Movement& m) { return in_flight.count(m.idempotency_key) > 0; });
      });
      for (size_t i = 0; i < moves.size() && !refusal; ++i) {
        auto it = refused.find(moves[i].idempotency_key);
        if (it == refused.end()) continue;
        refusal = ApiError{409, "conflict",
                           fmt::format("movements[{}]: idempotency_key \"{}\" was refused at {}; a "
                                       "refusal is final for its key: send the movement again with "
                                       "a new key",
                                       i, moves[i].idempotency_key, it->second)};
      }
      if (!refusal) {
        for (const Movement& m : moves) in_flight.insert(m.idempotency_key);
      }
    }
    if (refusal) {
      StoreLease store = Lease();
      Audit(store, caller, action, refusal->status, refusal->message);
      return SendError(res, *refusal);
    }
    // The keys leave in_flight when this request has its answer, whatever it is.
    struct Release {
      Impl* impl;
      const std::vector<Movement>& moves;
      ~Release() {
        {
          std::lock_guard<std::mutex> lock(impl->keys_mu);
          for (const Movement& m : moves) impl->in_flight.erase(m.idempotency_key);
        }
        impl->keys_cv.notify_all();
      }
    } release{this, moves};
    StoreLease store = Lease();
    AppendStats appended;
    std::vector<AlertRecord> raised;
    const Status tx = store->WithTransaction([&]() -> Status {
      auto posted = store->PostMovements(moves);
      if (!posted.ok()) return posted.error();
      appended = std::move(*posted);
      auto alerts = RaiseLineAlerts(store, appended.balances);
      if (!alerts.ok()) return alerts.error();
      raised = std::move(*alerts);
      return AuditIn(store, caller, action, 200,
                     fmt::format("{} movements: {} inserted, {} already present", moves.size(),
                                 appended.inserted, appended.already_present));
    });
    if (!tx.ok()) {
      const ApiError e = FromError(tx.error());
      if (tx.error().code == ErrorCode::kConflict) {
        std::lock_guard<std::mutex> lock(keys_mu);
        RememberRefusal(moves, e.message);
      }
      Audit(store, caller, action, e.status, e.message);
      return SendError(res, e);
    }
    movements_inserted += static_cast<uint64_t>(appended.inserted);
    movements_repeated += static_cast<uint64_t>(appended.already_present);
    for (const AlertRecord& a : raised) {
      if (a.status != "resolved") ++alerts_raised;
    }
    Json balances = Json::array();
    for (const BalanceChange& b : appended.balances) {
      balances.push_back({{"sku", b.sku}, {"location", b.location}, {"before", b.before}, {"on_hand", b.after}});
    }
    Json alerts = Json::array();
    for (const AlertRecord& a : raised) alerts.push_back(AlertJson(a));
    SendJson(res, {{"inserted", appended.inserted},
                   {"already_present", appended.already_present},
                   {"balances", balances},
                   {"alerts", alerts}});
  }

  using Handler = std::function<void(const httplib::Request&, httplib::Response&, const Caller&)>;

  void Add(const Route& route, Handler handler) {
    auto wrapped = [this, route, handler](const httplib::Request& req, httplib::Response& res) {
      const auto start = std::chrono::steady_clock::now();
      Caller caller;
      caller.request_id = req.has_header("X-Request-Id")
                              ? req.get_header_value("X-Request-Id")
                              : fmt::format("req-{}", next_request.fetch_add(1));
      res.set_header("X-Request-Id", caller.request_id);
      bool allowed = true;
      if (route.role) {
        const std::string auth = req.get_header_value("Authorization");
        if (auth.rfind("Bearer ", 0) != 0 || auth.size() <= 7) {
          SendError(res, {401, "unauthenticated",
                          "missing token: send the header \"Authorization: Bearer TOKEN\" (make one "
                          "with `stockcast token create --db DB --role viewer`)"});
          allowed = false;
        } else {
          const std::optional<TokenRecord> token = LookUpToken(HashToken(auth.substr(7)));
          if (!token) {
            SendError(res, {401, "unauthenticated", "unknown or revoked token"});
            allowed = false;
          } else {
            caller.name = token->name;
            caller.role = token->role;
            double wait = 0;
            if (!Admit(token->hash, &wait)) {
              res.set_header("Retry-After", std::to_string(static_cast<int>(std::ceil(wait))));
              SendError(res, {429, "rate_limited",
                              fmt::format("token \"{}\" is over {:g} requests per second; retry "
                                          "after {:.3f} s",
                                          token->name, options.rate_limit, wait)});
              allowed = false;
            }
            const auto have = ParseRole(token->role).value_or(Role::kViewer);
            if (allowed && static_cast<int>(have) < static_cast<int>(*route.role)) {
              SendError(res, {403, "permission_denied",
                              fmt::format("{} {} needs role {}; token \"{}\" has {}", route.method,
                                          route.path, ToString(*route.role), token->name,
                                          token->role)});
              allowed = false;
            }
          }
        }
      }
      if (allowed) {
        try {
          handler(req, res, caller);
        } catch (const std::exception& e) {
          SendError(res, {500, "internal", std::string("unexpected error: ") + e.what()});
        }
      }
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::lock_guard<std::mutex> lock(metrics_mu);
      ++requests[fmt::format("{} {} {}", route.method, route.path, res.status)];
      auto& l = latency[route.method + " " + route.path];
      l.first += secs;
      ++l.second;
    };
    if (route.method == "GET") {
      http->Get(route.pattern, wrapped);
    } else if (route.method == "POST") {
      http->Post(route.pattern, wrapped);
    } else if (route.method == "PUT") {
      http->Put(route.pattern, wrapped);
    } else if (route.method == "PATCH") {
      http->Patch(route.pattern, wrapped);
    } else {
      throw std::logic_error("route method " + route.method + " is not served");
    }
  }

  void Install();
};

void Server::Impl::Install() {
  const auto& all_routes = Routes();
  auto route = [&](const std::string& method, const std::string& path) -> const Route& {
    for (const Route& x : all_routes) {
      if (x.method == method && x.path == path) return x;
    }
    throw std::logic_error("route " + method + " " + path + " is not in Routes()");
  };
  http->set_payload_max_length(options.max_body_bytes);
  http->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 413) {
      SendError(res, {413, "too_large", "request body too large"});
    } else if (res.status == 404 && res.body.empty()) {
      SendError(res, {404, "not_found", "no such route; GET /openapi.json lists them"});
    }
  });

  Add(route("GET", "/healthz"), [](const httplib::Request&, httplib::Response& res, const Caller&) {
    SendJson(res, {{"status", "ok"}});
  });
  Add(route("GET", "/openapi.json"),
      [](const httplib::Request&, httplib::Response& res, const Caller&) {
        res.set_content(OpenApiJson(), "application/json");
      });
  Add(route("GET", "/metrics"), [this](const httplib::Request&, httplib::Response& res, const Caller&) {
    std::string text =
        "# HELP stockcast_requests_total HTTP requests by route and status\n"
        "# TYPE stockcast_requests_total counter\n";
    std::lock_guard<std::mutex> lock(metrics_mu);
    for (const auto& [key, n] : requests) {
      const auto a = key.find(' '), b = key.rfind(' ');
      text += fmt::format("stockcast_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                          key.substr(0, a), key.substr(a + 1, b - a - 1), key.substr(b + 1), n);
    }
    text += "# HELP stockcast_request_seconds Request latency by route\n"
            "# TYPE stockcast_request_seconds summary\n";
    for (const auto& [key, l] : latency) {
      const auto a = key.find(' ');
      const std::string labels =
          fmt::format("method=\"{}\",route=\"{}\"", key.substr(0, a), key.substr(a + 1));
      text += fmt::format("stockcast_request_seconds_sum{{{}}} {:.6f}\n", labels, l.first);
      text += fmt::format("stockcast_request_seconds_count{{{}}} {}\n", labels, l.second);
    }
    text += fmt::format(
        "# HELP stockcast_movements_total Movements posted to the ledger\n"
        "# TYPE stockcast_movements_total counter\n"
        "stockcast_movements_total{{result=\"inserted\"}} {}\n"
        "stockcast_movements_total{{result=\"already_present\"}} {}\n",
        movements_inserted.load(), movements_repeated.load());
    text += fmt::format(
        "# HELP stockcast_alerts_raised_total Alerts raised by movements crossing a warning line\n"
        "# TYPE stockcast_alerts_raised_total counter\n"
        "stockcast_alerts_raised_total {}\n"
        "# HELP stockcast_jobs_total Finished jobs by kind and status\n"
        "# TYPE stockcast_jobs_total counter\n",
        alerts_raised.load());
    for (const auto& [key, n] : jobs_done) {
      const auto a = key.find(' ');
      text += fmt::format("stockcast_jobs_total{{kind=\"{}\",status=\"{}\"}} {}\n", key.substr(0, a),
                          key.substr(a + 1), n);
    }
    text += "# HELP stockcast_job_seconds Job durations by kind\n# TYPE stockcast_job_seconds summary\n";
    for (const auto& [kind, t] : job_secs) {
      text += fmt::format("stockcast_job_seconds_sum{{kind=\"{}\"}} {:.3f}\n", kind, t.first);
      text += fmt::format("stockcast_job_seconds_count{{kind=\"{}\"}} {}\n", kind, t.second);
    }
    res.set_content(text, "text/plain; version=0.0.4");
  });

  Add(route("GET", "/api/v1/products"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
        long limit = 100, offset = 0;
        if (!ParseLimit(req, &limit, 10000)) {
          return SendError(res, Bad(fmt::format("limit = \"{}\"; must be a whole number in [1, 10000]",
                                                req.get_param_value("limit"))));
        }
        if (req.has_param("offset")) {
          const std::string text = req.get_param_value("offset");
          const bool digits = !text.empty() && text.size() < 10 &&
                              std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
          if (!digits) {
            return SendError(res, Bad(fmt::format("offset = \"{}\"; must be a whole number >= 0", text)));
          }
          offset = std::stol(text);
        }
        Result<std::vector<Product>> products = [&] {
          StoreLease store = Lease();
          return store->ListProducts();
        }();
        if (!products.ok()) return SendError(res, FromError(products.error()));
        const std::string category = req.get_param_value("category");
        const std::string sku = req.get_param_value("sku");
        Json items = Json::array();
        long matched = 0;
        for (const Product& p : *products) {
          if (!category.empty() && p.category != category) continue;
          if (!sku.empty() && p.sku != sku) continue;
          if (matched >= offset && matched < offset + limit) items.push_back(ProductJson(p));
          ++matched;
        }
        SendJson(res, {{"items", items}, {"total", matched}, {"limit", limit}, {"offset", offset}});
      });

  Add(route("POST", "/api/v1/products"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
        UpsertMaster<Product>(req, res, caller, "products", ParseProduct,
                              [](Store& st, std::span<const Product> items) {
                                return st.UpsertProducts(items);
                              });
      });

  Add(route("GET", "/api/v1/locations"),
      [this](const httplib::Request&, httplib::Response& res, const Caller&) {
        Result<std::vector<Location>> all = [&] {
          StoreLease store = Lease();
          return store->ListLocations();
        }();
        if (!all.ok()) return SendError(res, FromError(all.error()));
        Json items = Json::array();
        for (const Location& l : *all) {
          items.push_back({{"id", l.id}, {"name", l.name}, {"capacity_units", l.capacity_units}});
        }
        SendJson(res, {{"items", items}});
      });
  Add(route("GET", "/api/v1/suppliers"),
      [this](const httplib::Request&, httplib::Response& res, const Caller&) {
        Result<std::vector<Supplier>> all = [&] {
          StoreLease store = Lease();
          return store->ListSuppliers();
        }();
        if (!all.ok()) return SendError(res, FromError(all.error()));
        Json items = Json::array();
        for (const Supplier& s : *all) {
          items.push_back({{"id", s.id},
                           {"name", s.name},
                           {"lead_time_mean_days", s.lead_time_mean_days},
                           {"lead_time_sd_days", s.lead_time_sd_days},
                           {"moq", s.moq},
                           {"case_pack", s.case_pack},
                           {"unit_cost", s.unit_cost},
                           {"order_cost", s.order_cost}});
        }
        SendJson(res, {{"items", items}});
      });

  Add(route("POST", "/api/v1/movements"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
        const Json body = Json::parse(req.body, nullptr, false);
        if (body.is_discarded()) return SendError(res, Bad("body is not valid JSON"));
        std::vector<Movement> moves;
        ApiError err;
        const std::string actor = "api:" + caller.name;
        if (body.is_object() && body.contains("moves")) {
          if (auto e = UnknownField(body, {"moves"})) return SendError(res, *e);
          const Json& list = body["moves"];
          if (!list.is_array() || list.empty()) {
            return SendError(res, Bad("$.moves must be a non-empty array of movements"));
          }
          if (list.size() > options.max_batch) {
            return SendError(res, {413, "too_large",
                                   fmt::format("$.moves has {} movements; at most {} per request",
                                               list.size(), options.max_batch)});
          }
          for (size_t i = 0; i < list.size(); ++i) {
            if (!ParseMovement(list[i], fmt::format("$.moves[{}]", i), actor, &moves, &err)) {
              return SendError(res, err);
            }
          }
        } else if (!ParseMovement(body, "$", actor, &moves, &err)) {
          return SendError(res, err);
        }
        PostAndReply(res, caller, "POST /api/v1/movements", moves);
      });

  Add(route("GET", "/api/v1/stock"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
        const std::string sku = req.get_param_value("sku");
        const std::string location = req.get_param_value("location");
        // Rebuilt once at start (Create); PostMovements keeps them current since.
        Result<std::vector<StockLevel>> levels = [&] {
          StoreLease store = Lease();
          return store->ListStockLevels();
        }();
        if (!levels.ok()) return SendError(res, FromError(levels.error()));
        Json items = Json::array();
        for (const StockLevel& l : *levels) {
          if (!sku.empty() && l.sku != sku) continue;
          if (!location.empty() && l.location != location) continue;
          items.push_back({{"sku", l.sku},
                           {"location", l.location},
                           {"on_hand", l.on_hand},
                           {"on_order", l.on_order},
                           {"available", std::max(l.on_hand, 0.0)}});
        }
        SendJson(res, {{"items", items}});
      });

  Add(route("GET", "/api/v1/alerts"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
        const bool all = req.get_param_value("all") == "1";
        Result<std::vector<AlertRecord>> alerts = [&] {
          StoreLease store = Lease();
          return store->ListAlerts(all);
        }();
        if (!alerts.ok()) return SendError(res, FromError(alerts.error()));
        Json items = Json::array();
        for (const AlertRecord& a : *alerts) items.push_back(AlertJson(a));
        SendJson(res, {{"items", items}});
      });

  Add(route("POST", "/api/v1/alerts/{id}/ack"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
        const int64_t id = std::stoll(std::string(req.matches[1]));
        StoreLease store = Lease();
        auto alerts = store->ListAlerts(false);
        if (!alerts.ok()) return SendError(res, FromError(alerts.error()));
        for (AlertRecord a : *alerts) {
          if (a.id != id) continue;
          a.status = "acknowledged";
          auto saved = store->SaveAlerts(std::vector<AlertRecord>{a});
          if (!saved.ok()) return SendError(res, FromError(saved.error()));
          Audit(store, caller, fmt::format("POST /api/v1/alerts/{}/ack", id), 200, a.key);
          return SendJson(res, {{"id", id}, {"status", "acknowledged"}});
        }
        SendError(res, {404, "not_found", fmt::format("alert {} is not open", id)});
      });

  Add(route("GET", "/api/v1/kpis"),
      [this](const httplib::Request&, httplib::Response& res, const Caller&) {
        StoreLease store = Lease();
        auto run = store->LatestRun("plan");
        if (!run.ok()) return SendError(res, FromError(run.error()));
        if (!*run) return SendError(res, {404, "not_found", "no plan yet: run `stockcast plan`"});
        auto kpis = store->ListKpis((*run)->id);
        if (!kpis.ok()) return SendError(res, FromError(kpis.error()));
        Json items = Json::array();
        for (const KpiRecord& k : *kpis) {
          items.push_back({{"scope", k.scope},
                           {"key", k.key},
                           {"period", k.period},
                           {"metric", k.metric},
                           {"value", std::isfinite(k.value) ? Json(k.value) : Json(nullptr)}});
        }
        SendJson(res, {{"plan_run_id", (*run)->id}, {"items", items}});
      });

  // ---- dashboard (public static files) ----
  auto send_asset = [](const httplib::Request& req, httplib::Response& res, const Asset* a) {
    if (a == nullptr) return SendError(res, {404, "not_found", "no such dashboard file"});
    res.set_header("ETag", std::string(a->etag));
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Content-Type-Options", "nosniff");
    if (a->content_type.rfind("text/html", 0) == 0) {
      res.set_header("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                     "frame-ancestors 'none'");
    }
    if (req.get_header_value("If-None-Match") == a->etag) {
      res.status = 304;
      return;
    }
    // A sized provider: cpp-httplib does not compress these (brotli at quality 11 costs seconds
    // on the chart library).
    const std::string_view data = a->data;
    res.set_content_provider(
        data.size(), std::string(a->content_type),
        [data](size_t offset, size_t length, httplib::DataSink& sink) {
          sink.write(data.data() + offset, std::min(length, data.size() - offset));
          return true;
        });
  };
  Add(route("GET", "/"), [send_asset](const httplib::Request& req, httplib::Response& res,
                                      const Caller&) { send_asset(req, res, FindAsset("/")); });
  Add(route("GET", "/assets/{file}"),
      [send_asset](const httplib::Request& req, httplib::Response& res, const Caller&) {
        send_asset(req, res, FindAsset("/assets/" + std::string(req.matches[1])));
      });

  Add(route("GET", "/api/v1/me"),
      [](const httplib::Request&, httplib::Response& res, const Caller& caller) {
        SendJson(res, {{"name", caller.name}, {"role", caller.role}});
      });

  Add(route("GET", "/api/v1/overview"),
      [this](const httplib::Request&, httplib::Response& res, const Caller&) {
        StoreLease store = Lease();
        auto run = store->LatestRun("plan");
        if (!run.ok()) return SendError(res, FromError(run.error()));
        if (!*run) return SendError(res, {404, "not_found", "no plan yet: run `stockcast plan` or POST /api/v1/jobs {\"kind\":\"plan\"}"});
        const int64_t id = (*run)->id;
        auto kpis = store->ListKpis(id);
        if (!kpis.ok()) return SendError(res, FromError(kpis.error()));
        Json totals = Json::object();
        for (const KpiRecord& k : *kpis) {
          if (k.scope == "total" && k.period.empty()) {
            totals[k.metric] = std::isfinite(k.value) ? Json(k.value) : Json(nullptr);
          }
        }
        auto alerts = store->ListAlerts(false);
        if (!alerts.ok()) return SendError(res, FromError(alerts.error()));
        Json counts = {{"open", 0}, {"acknowledged", 0}, {"high", 0}, {"medium", 0}, {"low", 0}};
        double at_risk = 0;
        for (const AlertRecord& a : *alerts) {
          counts[a.status] = counts.value(a.status, 0) + 1;
          counts[a.level] = counts.value(a.level, 0) + 1;
          if (std::isfinite(a.impact)) at_risk += a.impact;
        }
        auto lines = store->ListPlan(id);
        if (!lines.ok()) return SendError(res, FromError(lines.error()));
        auto decisions = store->ListPlanDecisions(id);
        if (!decisions.ok()) return SendError(res, FromError(decisions.error()));
        int to_order = 0, approved = 0, rejected = 0;
        double value = 0;
        for (const PlanLine& l : *lines) {
          if (l.quantity > 0) {
            ++to_order;
            value += l.quantity * l.unit_cost;
          }
        }
        for (const PlanDecision& d : *decisions) (d.status == "approved" ? approved : rejected)++;
        SendJson(res, {{"plan_run_id", id},
                       {"plan_started_at", (*run)->started_at},
                       {"kpis", totals},
                       {"alerts", counts},
                       {"money_at_risk", at_risk},
                       {"orders",
                        {{"lines", lines->size()},
                         {"to_order", to_order},
                         {"value", value},
                         {"approved", approved},
                         {"rejected", rejected}}}});
      });

  Add(route("GET", "/api/v1/products/{sku}"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
        const std::string sku = req.matches[1];
        Result<std::optional<Product>> found = [&] {
          StoreLease store = Lease();
          return store->FindProduct(sku);
        }();
        if (!found.ok()) return SendError(res, FromError(found.error()));
        if (*found) return SendJson(res, ProductJson(**found));
        SendError(res, {404, "not_found", fmt::format("product \"{}\" does not exist", sku)});
      });
  Add(route("PATCH", "/api/v1/products/{sku}"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
        const std::string sku = req.matches[1];
        const Json body = Json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
          return SendError(res, Bad("body must be a JSON object of the fields to change"));
        }
        if (body.contains("sku") && body["sku"] != sku) {
          return SendError(res, Bad(fmt::format("$.sku = {}; a product's sku cannot change (it is \"{}\")",
                                                body["sku"].dump(), sku)));
        }
        StoreLease store = Lease();
        auto found = store->FindProduct(sku);
        if (!found.ok()) return SendError(res, FromError(found.error()));
        if (!*found) {
          return SendError(res, {404, "not_found", fmt::format("product \"{}\" does not exist", sku)});
        }
        Json merged = ProductJson(**found);
        for (const auto& [k, v] : body.items()) {
          if (!merged.contains(k)) {
            return SendError(res, Bad(fmt::format(
                                      "$.{} is not a product field; fields: sku, name, category, "
                                      "supplier_id, unit_cost, price, shelf_life_days, allow_backorder",
                                      k)));
          }
          merged[k] = v;
        }
        Product p;
        ApiError err;
        if (!ParseProduct(merged, "$", &p, &err)) return SendError(res, err);
        Status st = store->WithTransaction([&]() -> Status {
          SC_RETURN_IF_ERROR(store->UpsertProducts(std::vector<Product>{p}));
          return AuditIn(store, caller, "PATCH /api/v1/products/" + sku, 200, body.dump());
        });
        if (!st.ok()) return SendError(res, FromError(st.error()));
        SendJson(res, ProductJson(p));
      });

  Add(route("POST", "/api/v1/locations"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
        UpsertMaster<Location>(req, res, caller, "locations", ParseLocation,
                               [](Store& st, std::span<const Location> items) {
                                 return st.UpsertLocations(items);
                               });
      });

  Add(route("POST", "/api/v1/suppliers"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
        UpsertMaster<Supplier>(req, res, caller, "suppliers", ParseSupplier,
                               [](Store& st, std::span<const Supplier> items) {
                                 return st.UpsertSuppliers(items);
                               });
      });

  auto list_runs = [this](const std::string& kind) {
    return [this, kind](const httplib::Request& req, httplib::Response& res, const Caller&) {
      long limit = 20;
      if (!ParseLimit(req, &limit, 1000)) {
        return SendError(res, Bad(fmt::format("limit = \"{}\"; must be a whole number in [1, 1000]",
                                              req.get_param_value("limit"))));
      }
      Result<std::vector<RunInfo>> runs = [&] {
        StoreLease store = Lease();
        return store->ListRuns(kind, static_cast<int>(limit));
      }();
      if (!runs.ok()) return SendError(res, FromError(runs.error()));
      Json items = Json::array();
      for (const RunInfo& r : *runs) {
        items.push_back({{"run_id", r.id},
                         {"status", r.status},
                         {"started_at", r.started_at},
                         {"finished_at", r.finished_at},
                         {"params", Json::parse(r.params_json.empty() ? "{}" : r.params_json, nullptr, false)}});
      }
      SendJson(res, {{"items", items}});
    };
  };
  Add(route("GET", "/api/v1/forecasts"), list_runs("forecast"));
  Add(route("GET", "/api/v1/plans"), list_runs("plan"));

  Add(route("GET", "/api/v1/forecasts/{run}"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
        const std::string sku = req.get_param_value("sku");
        const std::string location = req.get_param_value("location");
        if (sku.empty() || location.empty()) {
          return SendError(res, Bad("?sku= and ?location= are required (one series per request)"));
        }
        StoreLease store = Lease();
        auto run = ResolveRun(store, req.matches[1], "forecast");
        if (!run.ok()) return SendError(res, FromError(run.error()));
        auto rows = store->ListSeriesForecasts(*run, sku, location);
        if (!rows.ok()) return SendError(res, FromError(rows.error()));
        Json items = Json::array();
        for (const ForecastRow& r : *rows) {
          Json q = Json::array();
          for (const auto& [level, value] : r.quantiles) q.push_back({{"level", level}, {"value", value}});
          items.push_back({{"step", r.step}, {"date", r.date.ToString()}, {"mean", r.mean},
                           {"quantiles", q}, {"model", r.model}});
        }
        SendJson(res, {{"run_id", *run}, {"sku", sku}, {"location", location}, {"items", items}});
      });

  Add(route("GET", "/api/v1/plans/{run}"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
        StoreLease store = Lease();
        auto run = ResolveRun(store, req.matches[1], "plan");
        if (!run.ok()) return SendError(res, FromError(run.error()));
        auto items = PlanItems(store, *run, "", "");
        if (!items.ok()) return SendError(res, FromError(items.error()));
        SendJson(res, {{"plan_run_id", *run}, {"items", *items}});
      });

  auto decide = [this](bool approve) {
    return [this, approve](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      const int64_t run = std::stoll(std::string(req.matches[1]));
      const int64_t line = std::stoll(std::string(req.matches[2]));
      const Json body = req.body.empty() ? Json::object() : Json::parse(req.body, nullptr, false);
      if (body.is_discarded() || !body.is_object()) {
        return SendError(res, Bad(approve ? "body must be a JSON object {\"quantity\"?, \"note\"?}"
                                          : "body must be a JSON object {\"reason\"}"));
      }
      if (auto e = approve ? UnknownField(body, {"quantity", "note"}) : UnknownField(body, {"reason"})) {
        return SendError(res, *e);
      }
      ApiError err;
      PlanDecision d;
      d.run_id = run;
      d.line = line;
      d.status = approve ? "approved" : "rejected";
      d.actor = caller.name;
      d.request_id = caller.request_id;
      std::optional<double> quantity;
      if (approve) {
        quantity = Number(body, "$", "quantity", false, &err);
        d.note = Text(body, "$", "note", false, &err).value_or("");
      } else {
        auto reason = Text(body, "$", "reason", true, &err);
        if (reason && reason->empty()) err = Bad("$.reason is empty; say why the line is rejected");
        d.note = reason.value_or("");
      }
      if (!err.message.empty()) return SendError(res, err);
      if (quantity && (!std::isfinite(*quantity) || *quantity <= 0)) {
        return SendError(res, Bad(fmt::format(
                                  "quantity = {} at $.quantity; must be > 0 (reject the line to order "
                                  "nothing)",
                                  *quantity)));
      }
      StoreLease store = Lease();
      auto lines = store->ListPlanNumbered(run);
      if (!lines.ok()) return SendError(res, FromError(lines.error()));
      const auto it = std::find_if(lines->begin(), lines->end(),
                                   [&](const auto& l) { return l.first == line; });
      if (it == lines->end()) {
        return SendError(res, {404, "not_found", fmt::format("plan run {} has no line {}", run, line)});
      }
      d.quantity = approve ? quantity.value_or(it->second.quantity) : 0.0;
      if (approve && d.quantity <= 0) {
        return SendError(res, {409, "conflict",
                               fmt::format("line {} of plan run {} orders nothing ({} {} at {}); give "
                                           "\"quantity\" to order anyway",
                                           line, run, it->second.quantity, it->second.sku,
                                           it->second.location)});
      }
      Result<PlanDecision> stored = Error::Internal("not decided");
      const Status st = store->WithTransaction([&]() -> Status {
        stored = store->DecidePlanLine(d);
        if (!stored.ok()) return stored.error();
        return AuditIn(store, caller, fmt::format("POST /api/v1/plans/{}/lines/{}/{}", run, line,
                                           approve ? "approve" : "reject"),
                       200,
                       fmt::format("{} {} {} at {}{}", d.status, d.quantity, it->second.sku,
                                   it->second.location, d.note.empty() ? "" : ": " + d.note));
      });
      if (!st.ok()) {
        const ApiError e = FromError(st.error());
        Audit(store, caller, fmt::format("POST /api/v1/plans/{}/lines/{}", run, line), e.status, e.message);
        return SendError(res, e);
      }
      Json out = DecisionJson(*stored);
      out["run_id"] = run;
      out["line"] = line;
      SendJson(res, out);
    };
  };
  Add(route("POST", "/api/v1/plans/{run}/lines/{line}/approve"), decide(true));
  Add(route("POST", "/api/v1/plans/{run}/lines/{line}/reject"), decide(false));

  Add(route("GET", "/api/v1/plans/{run}/purchase-orders.csv"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
        StoreLease store = Lease();
        auto run = ResolveRun(store, req.matches[1], "plan");
        if (!run.ok()) return SendError(res, FromError(run.error()));
        auto lines = store->ListPlanNumbered(*run);
        if (!lines.ok()) return SendError(res, FromError(lines.error()));
        auto decisions = store->ListPlanDecisions(*run);
        if (!decisions.ok()) return SendError(res, FromError(decisions.error()));
        std::map<int64_t, const PlanDecision*> by_line;
        for (const PlanDecision& d : *decisions) by_line[d.line] = &d;
        std::string csv =
            "po_id,supplier_id,location,sku,quantity,unit_cost,line_cost,order_date,"
            "expected_arrival,approved_by,approved_at,note\n";
        for (const auto& [n, l] : *lines) {
          auto it = by_line.find(n);
          if (it == by_line.end() || it->second->status != "approved") continue;
          const PlanDecision& d = *it->second;
          for (const std::string& f :
               {d.po_id, l.supplier_id, l.location, l.sku, fmt::format("{:g}", d.quantity),
                fmt::format("{:.4f}", l.unit_cost), fmt::format("{:.2f}", d.quantity * l.unit_cost),
                l.order_date.ToString(), l.arrival_date.ToString(), d.actor, d.decided_at}) {
            io::AppendCsvField(csv, f);
            csv += ',';
          }
          io::AppendCsvField(csv, d.note);
          csv += '\n';
        }
        res.set_header("Content-Disposition",
                       fmt::format("attachment; filename=\"purchase-orders-plan-{}.csv\"", *run));
        res.set_content(csv, "text/csv; charset=utf-8");
      });

  Add(route("GET", "/api/v1/series/{sku}/{location}"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
        const std::string sku = req.matches[1];
        const std::string location = req.matches[2];
        StoreLease store = Lease();
        auto out = SeriesJson(store, sku, location);
        if (!out.ok()) return SendError(res, FromError(out.error()));
        SendJson(res, *out);
      });

  Add(route("GET", "/api/v1/warning-lines"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
        Result<std::vector<WarningLineRecord>> lines = [&] {
          StoreLease store = Lease();
          return store->ListWarningLines(req.get_param_value("sku"), req.get_param_value("location"));
        }();
        if (!lines.ok()) return SendError(res, FromError(lines.error()));
        Json items = Json::array();
        for (const WarningLineRecord& l : *lines) items.push_back(WarningLineJson(l));
        SendJson(res, {{"items", items}});
      });
  Add(route("PUT", "/api/v1/warning-lines/{sku}/{location}"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
        const Json body = Json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
          return SendError(res, Bad("body must be a JSON object {\"lower_units\", \"upper_units\"}"));
        }
        if (auto e = UnknownField(body, {"lower_units", "upper_units"})) return SendError(res, *e);
        ApiError err;
        WarningLineRecord l;
        l.sku = req.matches[1];
        l.location = req.matches[2];
        l.source = "manual";
        l.updated_at = NowIso();
        l.lower_units = Number(body, "$", "lower_units", true, &err).value_or(0);
        if (err.message.empty()) l.upper_units = Number(body, "$", "upper_units", false, &err).value_or(0);
        if (!err.message.empty()) return SendError(res, err);
        StoreLease store = Lease();
        auto product = store->FindProduct(l.sku);
        if (!product.ok()) return SendError(res, FromError(product.error()));
        if (!*product) {
          return SendError(res, {404, "not_found", fmt::format("product \"{}\" does not exist", l.sku)});
        }
        auto locations = store->ListLocations();
        if (!locations.ok()) return SendError(res, FromError(locations.error()));
        if (std::none_of(locations->begin(), locations->end(),
                         [&](const Location& x) { return x.id == l.location; })) {
          return SendError(res, {404, "not_found", fmt::format("location \"{}\" does not exist", l.location)});
        }
        Status st = store->WithTransaction([&]() -> Status {
          SC_RETURN_IF_ERROR(store->SaveWarningLines(std::vector<WarningLineRecord>{l}));
          return AuditIn(store, caller, fmt::format("PUT /api/v1/warning-lines/{}/{}", l.sku, l.location),
                         200, body.dump());
        });
        if (!st.ok()) return SendError(res, FromError(st.error()));
        SendJson(res, WarningLineJson(l));
      });

  Add(route("POST", "/api/v1/sales"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
        const Json body = Json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object() || !body.contains("lines") ||
            !body["lines"].is_array() || body["lines"].empty()) {
          return SendError(res, Bad("body must be {\"lines\":[{\"order_id\",\"sku\",\"location\","
                                    "\"quantity\",\"unit_price\"?,\"date\"?}, ...]} (non-empty)"));
        }
        if (auto e = UnknownField(body, {"lines"})) return SendError(res, *e);
        const Json& list = body["lines"];
        if (list.size() > options.max_batch) {
          return SendError(res, {413, "too_large", fmt::format("$.lines has {} lines; at most {} per request",
                                                               list.size(), options.max_batch)});
        }
        std::vector<Movement> moves;
        for (size_t i = 0; i < list.size(); ++i) {
          const std::string where = fmt::format("$.lines[{}]", i);
          if (!list[i].is_object()) return SendError(res, Bad(where + " must be an object"));
          if (auto e = UnknownField(list[i],
                                    {"order_id", "sku", "location", "quantity", "unit_price", "date"},
                                    where)) {
            return SendError(res, *e);
          }
          ApiError err;
          auto order = Text(list[i], where, "order_id", true, &err);
          if (!order) return SendError(res, err);
          Json m = list[i];
          m.erase("order_id");
          // A negative quantity is a return of that order line.
          auto quantity = Number(m, where, "quantity", true, &err);
          auto sku = quantity ? Text(m, where, "sku", true, &err) : std::nullopt;
          auto location = sku ? Text(m, where, "location", true, &err) : std::nullopt;
          if (!location) return SendError(res, err);
          const double q = *quantity;
          m["type"] = q < 0 ? "return" : "sale";
          if (q < 0) m["quantity"] = -q;
          m["idempotency_key"] = fmt::format("order-line:{}:{}:{}:{}", *order, *sku, *location,
                                             q < 0 ? "return" : "sale");
          m["reference"] = *order;
          if (!ParseMovement(m, where, "api:" + caller.name, &moves, &err)) return SendError(res, err);
        }
        PostAndReply(res, caller, "POST /api/v1/sales", moves);
      });

  Add(route("POST", "/api/v1/cart-events"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
        const Json body = Json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object() || !body.contains("events") ||
            !body["events"].is_array() || body["events"].empty()) {
          return SendError(res, Bad("body must be {\"events\":[{\"sku\",\"location\"?,\"date\","
                                    "\"count\"}, ...]} (non-empty)"));
        }
        if (auto e = UnknownField(body, {"events"})) return SendError(res, *e);
        if (body["events"].size() > options.max_batch) {
          return SendError(res, {413, "too_large", fmt::format("$.events has {} events; at most {} per request",
                                                               body["events"].size(), options.max_batch)});
        }
        std::vector<CartAdds> adds;
        for (size_t i = 0; i < body["events"].size(); ++i) {
          const Json& e = body["events"][i];
          const std::string where = fmt::format("$.events[{}]", i);
          if (!e.is_object()) return SendError(res, Bad(where + " must be an object"));
          if (auto unknown = UnknownField(e, {"sku", "location", "date", "count"}, where)) {
            return SendError(res, *unknown);
          }
          ApiError err;
          CartAdds c;
          auto sku = Text(e, where, "sku", true, &err);
          auto date = sku ? Text(e, where, "date", true, &err) : std::nullopt;
          auto count = date ? Number(e, where, "count", true, &err) : std::nullopt;
          if (!count) return SendError(res, err);
          if (sku->empty()) return SendError(res, Bad(where + ".sku is empty; must name a product"));
          c.sku = *sku;
          c.location = Text(e, where, "location", false, &err).value_or("");
          auto d = Date::Parse(*date);
          if (!d) return SendError(res, Bad(fmt::format("date = \"{}\" at {}.date; must be YYYY-MM-DD", *date, where)));
          if (!std::isfinite(*count) || *count < 0) {
            return SendError(res, Bad(fmt::format("count = {} at {}.count; must be >= 0", *count, where)));
          }
          c.date = *d;
          c.cart_adds = *count;
          adds.push_back(std::move(c));
        }
        StoreLease store = Lease();
        Status st = store->WithTransaction([&]() -> Status {
          SC_RETURN_IF_ERROR(store->UpsertCartAdds(adds));
          return AuditIn(store, caller, "POST /api/v1/cart-events", 200, fmt::format("{} events", adds.size()));
        });
        if (!st.ok()) return SendError(res, FromError(st.error()));
        SendJson(res, {{"stored", adds.size()}});
      });

  Add(route("POST", "/api/v1/jobs"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
        const Json body = Json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
          return SendError(res, Bad("body must be {\"kind\":\"forecast\"|\"plan\",\"params\":{...}}"));
        }
        if (auto e = UnknownField(body, {"kind", "params"})) return SendError(res, *e);
        ApiError err;
        auto kind = Text(body, "$", "kind", true, &err);
        if (!kind) return SendError(res, err);
        if (*kind != "forecast" && *kind != "plan") {
          return SendError(res, Bad(fmt::format("kind = \"{}\" at $.kind; must be forecast or plan", *kind)));
        }
        const Json params = body.value("params", Json::object());
        if (!params.is_object()) return SendError(res, Bad("$.params must be an object"));
        if (auto checked = ParseJobParams(*kind, params); !checked.ok()) {
          return SendError(res, FromError(checked.error()));
        }
        JobRecord job;
        job.kind = *kind;
        job.status = "queued";
        job.params_json = params.dump();
        job.actor = caller.name;
        job.request_id = caller.request_id;
        job.created_at = NowIso();
        Result<int64_t> id = Error::Internal("no job");
        {
          StoreLease store = Lease();
          Status st = store->WithTransaction([&]() -> Status {
            id = store->CreateJob(job);
            if (!id.ok()) return id.error();
            return AuditIn(store, caller, "POST /api/v1/jobs", 202, fmt::format("job {} {}", *id, job.params_json));
          });
          if (!st.ok()) return SendError(res, FromError(st.error()));
        }
        job.id = *id;
        {
          std::lock_guard<std::mutex> lock(jobs_mu);
          job_queue.push_back(job.id);
        }
        jobs_cv.notify_one();
        res.set_header("Location", fmt::format("/api/v1/jobs/{}", job.id));
        SendJson(res, JobJson(job), 202);
      });
  Add(route("GET", "/api/v1/jobs"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
        long limit = 50;
        if (!ParseLimit(req, &limit, 1000)) return SendError(res, Bad("limit must be a whole number in [1, 1000]"));
        Result<std::vector<JobRecord>> jobs = [&] {
          StoreLease store = Lease();
          return store->ListJobs(static_cast<int>(limit));
        }();
        if (!jobs.ok()) return SendError(res, FromError(jobs.error()));
        Json items = Json::array();
        for (const JobRecord& j : *jobs) items.push_back(JobJson(j));
        SendJson(res, {{"items", items}});
      });
  Add(route("GET", "/api/v1/jobs/{id}"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
        const int64_t id = std::stoll(std::string(req.matches[1]));
        Result<std::optional<JobRecord>> job = [&] {
          StoreLease store = Lease();
          return store->GetJob(id);
        }();
        if (!job.ok()) return SendError(res, FromError(job.error()));
        if (!*job) return SendError(res, {404, "not_found", fmt::format("job {} does not exist", id)});
        SendJson(res, JobJson(**job));
      });

  Add(route("GET", "/api/v1/audit"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
        long limit = 100;
        if (!ParseLimit(req, &limit, 10000)) return SendError(res, Bad("limit must be a whole number in [1, 10000]"));
        Result<std::vector<AuditRecord>> entries = [&] {
          StoreLease store = Lease();
          return store->ListAudit(limit);
        }();
        if (!entries.ok()) return SendError(res, FromError(entries.error()));
        Json items = Json::array();
        for (const AuditRecord& a : *entries) {
          items.push_back({{"id", a.id}, {"at", a.at}, {"actor", a.actor}, {"role", a.role},
                           {"request_id", a.request_id}, {"action", a.action}, {"status", a.status},
                           {"detail", a.detail}});
        }
        SendJson(res, {{"items", items}});
      });
}

Status Server::Impl::RunJob(Store& job_store, JobRecord& job) {
  const Json params = Json::parse(job.params_json.empty() ? "{}" : job.params_json, nullptr, false);
  if (params.is_discarded()) {
    return Error::InvalidArgument(fmt::format("job {}: params are not valid JSON", job.id));
  }
  SC_ASSIGN_OR_RETURN(JobOptions o, ParseJobParams(job.kind, params));
  std::mutex progress_mu;
  auto last = std::chrono::steady_clock::now();
  // Stages report from worker threads; the job row is written at most once a second (and at
  // every new stage).
  const ProgressFn progress = [&](std::string_view stage, double fraction) {
    std::lock_guard<std::mutex> lock(progress_mu);
    const auto now = std::chrono::steady_clock::now();
    if (stage == job.stage && now - last < std::chrono::seconds(1)) return;
    last = now;
    job.stage = std::string(stage);
    job.progress = std::clamp(fraction, 0.0, 1.0);
    (void)job_store.UpdateJob(job);
  };
  if (job.kind == "forecast") {
    SC_ASSIGN_OR_RETURN(pipeline::ForecastRunSummary summary,
                        pipeline::RunForecast(job_store, o.forecast, progress));
    job.run_id = summary.run_id;
  } else {
    SC_ASSIGN_OR_RETURN(pipeline::PlanLoopSummary summary,
                        pipeline::RunPlanLoop(job_store, config, o.plan, progress));
    job.run_id = summary.plan.run_id;
  }
  return Status::Ok();
}

void Server::Impl::JobLoop() {
  auto opened = OpenStore(db, store_options);
  for (;;) {
    int64_t id = 0;
    {
      std::unique_lock<std::mutex> lock(jobs_mu);
      jobs_cv.wait(lock, [&] { return stopping || !job_queue.empty(); });
      if (stopping) return;
      id = job_queue.front();
      job_queue.pop_front();
    }
    Store* js = opened.ok() ? opened->get() : nullptr;
    Result<std::optional<JobRecord>> found = Error::Internal("no store");
    if (js != nullptr) {
      found = js->GetJob(id);
    } else {
      StoreLease store = Lease();
      found = store->GetJob(id);
    }
    if (!found.ok() || !*found) continue;
    JobRecord job = **found;
    const auto start = std::chrono::steady_clock::now();
    job.status = "running";
    job.started_at = NowIso();
    Status st = Status::Ok();
    if (js == nullptr) {
      st = Error::Unavailable(fmt::format("the job runner could not open the store: {}",
                                          opened.error().message));
    } else {
      (void)js->UpdateJob(job);
      try {
        st = RunJob(*js, job);
      } catch (const std::exception& e) {
        st = Error::Internal(std::string("unexpected error: ") + e.what());
      }
    }
    job.status = st.ok() ? "succeeded" : "failed";
    job.error = st.ok() ? "" : st.error().message;
    if (st.ok()) {
      job.progress = 1.0;
      job.stage = "done";
    }
    job.finished_at = NowIso();
    if (js != nullptr) {
      (void)js->UpdateJob(job);
    } else {
      StoreLease store = Lease();
      (void)store->UpdateJob(job);
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::lock_guard<std::mutex> lock(metrics_mu);
    ++jobs_done[job.kind + " " + job.status];
    auto& t = job_secs[job.kind];
    t.first += secs;
    ++t.second;
  }
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() {
  Stop();
  if (impl_->job_thread.joinable()) impl_->job_thread.join();
}

Result<std::unique_ptr<Server>> Server::Create(const std::string& db_path,
                                               const ServerOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  SC_RETURN_IF_ERROR(InitCrypto());
  if (!IsPostgresUrl(db_path) && (db_path.empty() || !std::filesystem::exists(db_path))) {
    return Error::NotFound(fmt::format(
        "{}: no such store; create it with `stockcast import --db {}`", db_path, db_path));
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->db = db_path;
  if (!options.config_path.empty()) {
    SC_ASSIGN_OR_RETURN(impl->config, pipeline::LoadConfig(options.config_path));
  }
  StoreOptions store_options;
  store_options.durable_commits = options.durable_commits;
  impl->store_options = store_options;
  SC_ASSIGN_OR_RETURN(std::unique_ptr<Store> first, OpenStore(db_path, store_options));
  Store& store = *first;
  // Stock levels current from the start: PostMovements then keeps them so in each transaction.
  SC_RETURN_IF_ERROR(store.RebuildStockLevels());
  // Jobs a previous server left behind cannot resume: say so in their rows.
  SC_ASSIGN_OR_RETURN(auto old_jobs, store.ListJobs(1000));
  for (JobRecord& j : old_jobs) {
    if (j.status != "queued" && j.status != "running") continue;
    j.status = "failed";
    j.error = "the server stopped before the job finished; start it again";
    j.finished_at = NowIso();
    SC_RETURN_IF_ERROR(store.UpdateJob(j));
  }
  impl->pool.Add(std::move(first));
  if (IsPostgresUrl(db_path)) {
    for (int i = 1; i < options.db_pool; ++i) {
      SC_ASSIGN_OR_RETURN(std::unique_ptr<Store> more, OpenStore(db_path, store_options));
      impl->pool.Add(std::move(more));
    }
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Error::InvalidArgument("TLS needs both --tls-cert and --tls-key");
  }
  if (!options.tls_cert.empty()) {
    for (const std::string& f : {options.tls_cert, options.tls_key}) {
      if (!std::filesystem::exists(f)) {
        return Error::NotFound(fmt::format("{}: no such file (TLS certificate or key)", f));
      }
    }
    auto tls = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    if (!tls->is_valid()) {
      return Error::InvalidArgument(fmt::format(
          "TLS: cannot load certificate {} with key {} (both PEM; the key must match the "
          "certificate)",
          options.tls_cert, options.tls_key));
    }
    impl->http = std::move(tls);
    impl->tls = true;
  } else {
    impl->http = std::make_unique<httplib::Server>();
  }
  const int threads = options.threads;
  impl->http->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // cpp-httplib closes a keep-alive connection after 5 requests by default: clients then pay a
  // new TCP connection every fifth request.
  impl->http->set_keep_alive_max_count(1000000);
  impl->http->set_keep_alive_timeout(5);
  // Without TCP_NODELAY a response written in pieces waits for the client's delayed ACK (40 ms
  // per request on Linux loopback).
  impl->http->set_tcp_nodelay(true);
  impl->Install();
  if (options.port == 0) {
    impl->port = impl->http->bind_to_any_port(options.host);
  } else {
    impl->port = impl->http->bind_to_port(options.host, options.port) ? options.port : -1;
  }
  if (impl->port <= 0) {
    return Error::Unavailable(fmt::format("cannot listen on {}:{} (in use, or not allowed)",
                                          options.host, options.port));
  }
  WidenListenBacklog(impl->port);
  Impl* raw = impl.get();
  impl->job_thread = std::thread([raw] { raw->JobLoop(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

int Server::port() const { return impl_->port; }
bool Server::tls() const { return impl_->tls; }

Status Server::Run() {
  if (!impl_->http->listen_after_bind()) {
    return Error::Unavailable(fmt::format("the server on port {} stopped with an error", impl_->port));
  }
  return Status::Ok();
}

void Server::Stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->jobs_mu);
    impl_->stopping = true;
  }
  impl_->jobs_cv.notify_all();
  impl_->http->stop();
}

}  // namespace stockcast::server
