#include "stockcast/server/server.h"

#include <fmt/format.h>
#include <httplib.h>

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
#include <optional>
#include <string>
#include <vector>

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
bool ParseMovement(const Json& m, const std::string& where, const std::string& actor,
                   std::vector<Movement>* out, ApiError* err) {
  if (!m.is_object()) {
    *err = Bad(fmt::format("{} must be an object {{\"sku\", \"location\", \"type\", \"quantity\", "
                           "\"idempotency_key\"}}",
                           where));
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
  auto sku = Text(j, where, "sku", true, err);
  if (!sku) return false;
  p->sku = *sku;
  ApiError e;
  p->name = Text(j, where, "name", false, &e).value_or("");
  p->category = Text(j, where, "category", false, &e).value_or("");
  p->supplier_id = Text(j, where, "supplier_id", false, &e).value_or("");
  p->unit_cost = Number(j, where, "unit_cost", false, &e).value_or(0.0);
  p->price = Number(j, where, "price", false, &e).value_or(0.0);
  p->shelf_life_days = static_cast<int>(Number(j, where, "shelf_life_days", false, &e).value_or(0));
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
      {"GET", "/api/v1/plans/latest", "/api/v1/plans/latest", Role::kViewer,
       "The latest plan's lines with their explanation"},
  };
  return kRoutes;
}

}  // namespace

std::string OpenApiJson() {
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
    if (r.path.find("{id}") != std::string::npos) {
      op["parameters"] = Json::array(
          {{{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "integer"}}}}});
    }
    paths[r.path][method] = op;
  }
  Json doc = {{"openapi", "3.0.3"},
              {"info", {{"title", "stockcast API"}, {"version", "1"}}},
              {"paths", paths},
              {"components",
               {{"securitySchemes",
                 {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}}};
  return doc.dump(2);
}

Status ServerOptions::Validate() const {
  if (port < 0 || port > 65535) {
    return Error::InvalidArgument(fmt::format("port = {}; must be in [0, 65535]", port));
  }
  if (threads < 1) return Error::InvalidArgument(fmt::format("threads = {}; must be >= 1", threads));
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

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<Store> store;
  std::mutex store_mu;  // the SQLite store is one connection
  httplib::Server http;
  int port = 0;
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

  void Audit(const Caller& c, const std::string& action, int status, const std::string& detail) {
    AuditRecord a;
    a.actor = c.name;
    a.role = c.role;
    a.request_id = c.request_id;
    a.action = action;
    a.status = status;
    a.detail = detail;
    (void)store->AppendAudit(a);  // the store lock is held by the caller
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
          std::optional<TokenRecord> token;
          {
            std::lock_guard<std::mutex> lock(store_mu);
            auto found = store->FindToken(HashToken(auth.substr(7)));
            if (found.ok()) token = *found;
          }
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
      http.Get(route.pattern, wrapped);
    } else {
      http.Post(route.pattern, wrapped);
    }
  }

  void Install();
};

void Server::Impl::Install() {
  const auto& r = Routes();
  auto route = [&](const std::string& method, const std::string& path) -> const Route& {
    for (const Route& x : r) {
      if (x.method == method && x.path == path) return x;
    }
    throw std::logic_error("route " + method + " " + path + " is not in Routes()");
  };
  http.set_payload_max_length(options.max_body_bytes);
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
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
    res.set_content(text, "text/plain; version=0.0.4");
  });

  Add(route("GET", "/api/v1/products"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
        long limit = 100, offset = 0;
        try {
          if (req.has_param("limit")) limit = std::stol(req.get_param_value("limit"));
          if (req.has_param("offset")) offset = std::stol(req.get_param_value("offset"));
        } catch (const std::exception&) {
          return SendError(res, Bad("limit and offset must be whole numbers"));
        }
        if (limit < 1 || limit > 10000 || offset < 0) {
          return SendError(res, Bad(fmt::format(
                                    "limit = {}, offset = {}; limit must be in [1, 10000], offset >= 0",
                                    limit, offset)));
        }
        Result<std::vector<Product>> products = [&] {
          std::lock_guard<std::mutex> lock(store_mu);
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
        const Json body = Json::parse(req.body, nullptr, false);
        if (body.is_discarded()) return SendError(res, Bad("body is not valid JSON"));
        std::vector<Product> products;
        ApiError err;
        if (body.is_object() && body.contains("products")) {
          if (!body["products"].is_array()) {
            return SendError(res, Bad("$.products must be an array of products"));
          }
          for (size_t i = 0; i < body["products"].size(); ++i) {
            Product p;
            if (!ParseProduct(body["products"][i], fmt::format("$.products[{}]", i), &p, &err)) {
              return SendError(res, err);
            }
            products.push_back(std::move(p));
          }
        } else {
          Product p;
          if (!ParseProduct(body, "$", &p, &err)) return SendError(res, err);
          products.push_back(std::move(p));
        }
        std::lock_guard<std::mutex> lock(store_mu);
        Status st = store->UpsertProducts(products);
        if (!st.ok()) {
          Audit(caller, "POST /api/v1/products", FromError(st.error()).status, st.error().message);
          return SendError(res, FromError(st.error()));
        }
        Audit(caller, "POST /api/v1/products", 200, fmt::format("{} products", products.size()));
        SendJson(res, {{"upserted", products.size()}});
      });

  Add(route("GET", "/api/v1/locations"),
      [this](const httplib::Request&, httplib::Response& res, const Caller&) {
        Result<std::vector<Location>> all = [&] {
          std::lock_guard<std::mutex> lock(store_mu);
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
          std::lock_guard<std::mutex> lock(store_mu);
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
        std::lock_guard<std::mutex> lock(store_mu);
        // The movements and their audit entry commit together (one transaction, one commit).
        AppendStats appended;
        const Status tx = store->WithTransaction([&]() -> Status {
          auto posted = store->PostMovements(moves);
          if (!posted.ok()) return posted.error();
          appended = *posted;
          AuditRecord a;
          a.actor = caller.name;
          a.role = caller.role;
          a.request_id = caller.request_id;
          a.action = "POST /api/v1/movements";
          a.status = 200;
          a.detail = fmt::format("{} movements: {} inserted, {} already present", moves.size(),
                                 appended.inserted, appended.already_present);
          return store->AppendAudit(a).status();
        });
        if (!tx.ok()) {
          const ApiError e = FromError(tx.error());
          Audit(caller, "POST /api/v1/movements", e.status, e.message);
          return SendError(res, e);
        }
        movements_inserted += static_cast<uint64_t>(appended.inserted);
        movements_repeated += static_cast<uint64_t>(appended.already_present);
        SendJson(res, {{"inserted", appended.inserted},
                       {"already_present", appended.already_present}});
      });

  Add(route("GET", "/api/v1/stock"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
        const std::string sku = req.get_param_value("sku");
        const std::string location = req.get_param_value("location");
        // Rebuilt once at start (Create); PostMovements keeps them current since.
        Result<std::vector<StockLevel>> levels = [&] {
          std::lock_guard<std::mutex> lock(store_mu);
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
          std::lock_guard<std::mutex> lock(store_mu);
          return store->ListAlerts(all);
        }();
        if (!alerts.ok()) return SendError(res, FromError(alerts.error()));
        Json items = Json::array();
        for (const AlertRecord& a : *alerts) {
          items.push_back({{"id", a.id},           {"type", a.type},
                           {"sku", a.sku},         {"location", a.location},
                           {"level", a.level},     {"status", a.status},
                           {"action", a.action},   {"message", a.message},
                           {"impact", a.impact},   {"probability", a.probability},
                           {"first_seen", a.first_seen.ToString()},
                           {"last_seen", a.last_seen.ToString()},
                           {"occurrences", a.occurrences}});
        }
        SendJson(res, {{"items", items}});
      });

  Add(route("POST", "/api/v1/alerts/{id}/ack"),
      [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
        const int64_t id = std::stoll(std::string(req.matches[1]));
        std::lock_guard<std::mutex> lock(store_mu);
        auto alerts = store->ListAlerts(false);
        if (!alerts.ok()) return SendError(res, FromError(alerts.error()));
        for (AlertRecord a : *alerts) {
          if (a.id != id) continue;
          a.status = "acknowledged";
          auto saved = store->SaveAlerts(std::vector<AlertRecord>{a});
          if (!saved.ok()) return SendError(res, FromError(saved.error()));
          Audit(caller, fmt::format("POST /api/v1/alerts/{}/ack", id), 200, a.key);
          return SendJson(res, {{"id", id}, {"status", "acknowledged"}});
        }
        SendError(res, {404, "not_found", fmt::format("alert {} is not open", id)});
      });

  Add(route("GET", "/api/v1/kpis"),
      [this](const httplib::Request&, httplib::Response& res, const Caller&) {
        std::lock_guard<std::mutex> lock(store_mu);
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

  Add(route("GET", "/api/v1/plans/latest"),
      [this](const httplib::Request&, httplib::Response& res, const Caller&) {
        std::lock_guard<std::mutex> lock(store_mu);
        auto run = store->LatestRun("plan");
        if (!run.ok()) return SendError(res, FromError(run.error()));
        if (!*run) return SendError(res, {404, "not_found", "no plan yet: run `stockcast plan`"});
        auto lines = store->ListPlan((*run)->id);
        if (!lines.ok()) return SendError(res, FromError(lines.error()));
        Json items = Json::array();
        for (const PlanLine& l : *lines) {
          items.push_back({{"sku", l.sku},
                           {"location", l.location},
                           {"supplier_id", l.supplier_id},
                           {"quantity", l.quantity},
                           {"order_date", l.order_date.ToString()},
                           {"arrival_date", l.arrival_date.ToString()},
                           {"reorder_point", l.reorder_point},
                           {"order_up_to", l.order_up_to},
                           {"binding", l.binding},
                           {"explanation", l.explanation}});
        }
        SendJson(res, {{"plan_run_id", (*run)->id}, {"items", items}});
      });
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

Result<std::unique_ptr<Server>> Server::Create(const std::string& db_path,
                                               const ServerOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  SC_RETURN_IF_ERROR(InitCrypto());
  if (db_path.empty() || !std::filesystem::exists(db_path)) {
    return Error::NotFound(fmt::format(
        "{}: no such store; create it with `stockcast import --db {}`", db_path, db_path));
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  SC_ASSIGN_OR_RETURN(impl->store, OpenSqliteStore(db_path));
  // Stock levels current from the start: PostMovements then keeps them so in each transaction.
  SC_RETURN_IF_ERROR(impl->store->RebuildStockLevels());
  const int threads = options.threads;
  impl->http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // cpp-httplib closes a keep-alive connection after 5 requests by default: clients then pay a
  // new TCP connection every fifth request.
  impl->http.set_keep_alive_max_count(1000000);
  impl->http.set_keep_alive_timeout(5);
  // Without TCP_NODELAY a response written in pieces waits for the client's delayed ACK (40 ms
  // per request on Linux loopback).
  impl->http.set_tcp_nodelay(true);
  impl->Install();
  if (options.port == 0) {
    impl->port = impl->http.bind_to_any_port(options.host);
  } else {
    impl->port = impl->http.bind_to_port(options.host, options.port) ? options.port : -1;
  }
  if (impl->port <= 0) {
    return Error::Unavailable(fmt::format("cannot listen on {}:{} (in use, or not allowed)",
                                          options.host, options.port));
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

int Server::port() const { return impl_->port; }

Status Server::Run() {
  if (!impl_->http.listen_after_bind()) {
    return Error::Unavailable(fmt::format("the server on port {} stopped with an error", impl_->port));
  }
  return Status::Ok();
}

void Server::Stop() { impl_->http.stop(); }

}  // namespace stockcast::server
