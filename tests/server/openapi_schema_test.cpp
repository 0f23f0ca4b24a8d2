// /openapi.json against the real server: every JSON route documents its request and 2xx reply
// bodies, every valid request body sent here validates against its request schema, and every
// 2xx reply validates against its response schema with no undocumented field. The validator
// below implements the subset of OpenAPI 3.0 schemas the API uses and refuses any other keyword,
// so a schema cannot pass by using something the validator ignores.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "stockcast/core/demand_panel.h"
#include "stockcast/server/auth.h"
#include "stockcast/server/server.h"
#include "stockcast/store/store.h"
#include "test_util.h"

namespace stockcast::server {
namespace {

using Json = nlohmann::json;

// ---- A validator for the OpenAPI 3.0 schema subset of /openapi.json ----

const std::set<std::string> kKeywords = {"type",        "nullable",
                                         "$ref",        "allOf",
                                         "oneOf",       "discriminator",
                                         "enum",        "minimum",
                                         "maximum",     "exclusiveMinimum",
                                         "minLength",   "minItems",
                                         "items",       "properties",
                                         "required",    "additionalProperties",
                                         "description", "format"};
const std::set<std::string> kTypes = {"object", "array", "string", "number", "integer", "boolean"};

std::string Join(const std::vector<std::string>& parts, const std::string& sep = "; ") {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

// JSON's kind of a value, telling integers (no fraction or exponent in the text) from numbers.
std::string Kind(const Json& v) {
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  return v.type_name();
}

class SchemaValidator {
 public:
  explicit SchemaValidator(Json components) : components_(std::move(components)) {}

  // What is wrong with `value` under `schema` (empty = valid). `closed`: an object schema that
  // lists properties and says nothing of additionalProperties refuses other fields (used for
  // replies, so that every field the server writes is documented).
  std::vector<std::string> Validate(const Json& schema, const Json& value, bool closed) const {
    std::vector<std::string> errors;
    Check(schema, value, "$", closed, 0, &errors);
    return errors;
  }

  // Keywords outside the subset, unknown types, $refs that do not resolve and required fields
  // that are not among the properties, anywhere in `schema`.
  std::vector<std::string> Lint(const Json& schema, const std::string& where) const {
    std::vector<std::string> errors;
    LintInto(schema, where, 0, &errors);
    return errors;
  }

 private:
  const Json* Resolve(const std::string& ref) const {
    const std::string prefix = "#/components/schemas/";
    if (ref.rfind(prefix, 0) != 0) return nullptr;
    auto it = components_.find(ref.substr(prefix.size()));
    return it == components_.end() ? nullptr : &*it;
  }

  void LintInto(const Json& s, const std::string& where, int depth,
                std::vector<std::string>* errors) const {
    if (depth > 64) return errors->push_back(where + ": schema nested too deep");
    if (!s.is_object()) return errors->push_back(where + ": a schema must be an object");
    for (const auto& [k, v] : s.items()) {
      if (!kKeywords.count(k))
        errors->push_back(where + ": keyword \"" + k + "\" is not supported");
    }
    if (s.contains("$ref")) {
      if (s.size() != 1)
        errors->push_back(where + ": $ref with siblings (OpenAPI 3.0 ignores them)");
      if (!s["$ref"].is_string() || Resolve(s["$ref"]) == nullptr) {
        errors->push_back(where + ": $ref " + s["$ref"].dump() + " does not resolve");
      }
      return;
    }
    if (s.contains("type") &&
        (!s["type"].is_string() || !kTypes.count(s["type"].get<std::string>()))) {
      errors->push_back(where + ": type " + s["type"].dump() + " is not an OpenAPI 3.0 type");
    }
    for (const char* list : {"allOf", "oneOf"}) {
      if (!s.contains(list)) continue;
      for (size_t i = 0; i < s[list].size(); ++i) {
        LintInto(s[list][i], where + "." + list + "[" + std::to_string(i) + "]", depth + 1, errors);
      }
    }
    if (s.contains("discriminator")) {
      const Json mapping = s["discriminator"].value("mapping", Json::object());
      for (const auto& [value, ref] : mapping.items()) {
        if (Resolve(ref.get<std::string>()) == nullptr) {
          errors->push_back(where + ": discriminator mapping " + value + " does not resolve");
        }
      }
    }
    if (s.contains("items")) LintInto(s["items"], where + ".items", depth + 1, errors);
    if (s.contains("additionalProperties") && s["additionalProperties"].is_object()) {
      LintInto(s["additionalProperties"], where + ".additionalProperties", depth + 1, errors);
    }
    const Json props = s.value("properties", Json::object());
    for (const auto& [name, sub] : props.items()) {
      LintInto(sub, where + "." + name, depth + 1, errors);
    }
    for (const Json& name : s.value("required", Json::array())) {
      if (!props.contains(name.get<std::string>())) {
        errors->push_back(where + ": required field " + name.dump() +
                          " is not among the properties");
      }
    }
  }

  void Check(const Json& s, const Json& v, const std::string& path, bool closed, int depth,
             std::vector<std::string>* errors) const {
    if (depth > 64) return errors->push_back(path + ": schema nested too deep");
    if (s.contains("$ref")) {
      const Json* target = Resolve(s["$ref"].get<std::string>());
      if (target == nullptr)
        return errors->push_back(path + ": unresolved $ref " + s["$ref"].dump());
      return Check(*target, v, path, closed, depth + 1, errors);
    }
    if (v.is_null() && s.value("nullable", false)) return;
    for (const Json& sub : s.value("allOf", Json::array()))
      Check(sub, v, path, closed, depth + 1, errors);
    if (s.contains("oneOf")) {
      int matched = 0;
      std::vector<std::string> why;
      for (const Json& sub : s["oneOf"]) {
        std::vector<std::string> e;
        Check(sub, v, path, closed, depth + 1, &e);
        if (e.empty()) {
          ++matched;
        } else {
          why.push_back("[" + Join(e) + "]");
        }
      }
      if (matched != 1) {
        errors->push_back(path + ": matches " + std::to_string(matched) +
                          " of the oneOf schemas; must match exactly one " + Join(why, " "));
      }
    }
    if (s.contains("type")) {
      const std::string type = s["type"].get<std::string>();
      const bool ok = type == "integer"   ? v.is_number_integer()
                      : type == "number"  ? v.is_number()
                      : type == "string"  ? v.is_string()
                      : type == "boolean" ? v.is_boolean()
                      : type == "object"  ? v.is_object()
                      : type == "array"   ? v.is_array()
                                          : false;
      if (!ok) {
        return errors->push_back(path + " = " + v.dump() + " is " + Kind(v) + "; must be " + type +
                                 (s.value("nullable", false) ? " or null" : ""));
      }
    }
    if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end()) {
      errors->push_back(path + " = " + v.dump() + " is not one of " + s["enum"].dump());
    }
    if (v.is_number()) {
      const double x = v.get<double>();
      if (s.contains("minimum")) {
        const double lo = s["minimum"].get<double>();
        const bool exclusive = s.value("exclusiveMinimum", false);
        if (exclusive ? !(x > lo) : !(x >= lo)) {
          errors->push_back(path + " = " + v.dump() + "; must be " + (exclusive ? "> " : ">= ") +
                            s["minimum"].dump());
        }
      }
      if (s.contains("maximum") && !(x <= s["maximum"].get<double>())) {
        errors->push_back(path + " = " + v.dump() + "; must be <= " + s["maximum"].dump());
      }
    }
    if (v.is_string() && s.contains("minLength") &&
        v.get<std::string>().size() < s["minLength"].get<size_t>()) {
      errors->push_back(path + " = " + v.dump() + " is shorter than " + s["minLength"].dump());
    }
    if (v.is_array()) {
      if (s.contains("minItems") && v.size() < s["minItems"].get<size_t>()) {
        errors->push_back(path + " has " + std::to_string(v.size()) + " items; at least " +
                          s["minItems"].dump());
      }
      if (s.contains("items")) {
        for (size_t i = 0; i < v.size(); ++i) {
          Check(s["items"], v[i], path + "[" + std::to_string(i) + "]", closed, depth + 1, errors);
        }
      }
    }
    if (v.is_object()) {
      for (const Json& name : s.value("required", Json::array())) {
        if (!v.contains(name.get<std::string>())) {
          errors->push_back(path + "." + name.get<std::string>() + " is missing (required)");
        }
      }
      const Json props = s.value("properties", Json::object());
      for (const auto& [name, sub] : props.items()) {
        if (v.contains(name)) Check(sub, v[name], path + "." + name, closed, depth + 1, errors);
      }
      const bool has_extra_rule = s.contains("additionalProperties");
      for (const auto& [name, value] : v.items()) {
        if (props.contains(name)) continue;
        if (has_extra_rule && s["additionalProperties"].is_object()) {
          Check(s["additionalProperties"], value, path + "." + name, closed, depth + 1, errors);
        } else if (has_extra_rule && s["additionalProperties"] == false) {
          errors->push_back(path + "." + name + " is not allowed (additionalProperties: false)");
        } else if (!has_extra_rule && closed && s.contains("properties")) {
          errors->push_back(path + "." + name + " is not documented in the schema");
        }
      }
    }
  }

  Json components_;
};

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The routes whose handlers in server.cpp parse a JSON request body.
const std::vector<std::pair<std::string, std::string>> kRoutesWithJsonBodies = {
    {"POST", "/api/v1/products"},
    {"PATCH", "/api/v1/products/{sku}"},
    {"POST", "/api/v1/locations"},
    {"POST", "/api/v1/suppliers"},
    {"POST", "/api/v1/movements"},
    {"POST", "/api/v1/plans/{run}/lines/{line}/approve"},
    {"POST", "/api/v1/plans/{run}/lines/{line}/reject"},
    {"PUT", "/api/v1/warning-lines/{sku}/{location}"},
    {"POST", "/api/v1/sales"},
    {"POST", "/api/v1/cart-events"},
    {"POST", "/api/v1/jobs"},
};
// The routes whose 2xx reply is not JSON.
const std::set<std::pair<std::string, std::string>> kRoutesWithoutJsonReplies = {
    {"GET", "/metrics"},
    {"GET", "/"},
    {"GET", "/assets/{file}"},
    {"GET", "/api/v1/plans/{run}/purchase-orders.csv"},
};

// The store of tests/server/service_routes_test.cpp's ServiceTest, plus a forecast run, KPIs
// and 60 days of history for SKU-1@WH-1, so that nullable and nested fields carry values.
class OpenApiSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = stockcast::testing::TempDir("openapi-schema");
    db_ = (dir_ / "s.db").string();
    auto store = OpenSqliteStore(db_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    Store& s = **store;
    Product p;
    p.sku = "SKU-1";
    p.name = "Mug";
    p.category = "home";
    p.supplier_id = "SUP";
    p.unit_cost = 2;
    p.price = 5;
    ASSERT_TRUE(s.UpsertProducts(std::vector<Product>{p}).ok());
    Location l;
    l.id = "WH-1";
    ASSERT_TRUE(s.UpsertLocations(std::vector<Location>{l}).ok());
    Supplier sup;
    sup.id = "SUP";
    sup.name = "Supplier";
    ASSERT_TRUE(s.UpsertSuppliers(std::vector<Supplier>{sup}).ok());
    // 60 days of demand, one of them unknown (a NaN day is stored as NULL).
    DemandPanel panel(D(2024, 3, 3), 60, {{"SKU-1", "WH-1"}});
    for (int t = 0; t < 60; ++t) {
      const float q =
          t == 30 ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(3 + t % 4);
      panel.column(PanelColumn::kDemand, 0)[static_cast<size_t>(t)] = q;
      panel.column(PanelColumn::kRawDemand, 0)[static_cast<size_t>(t)] = q;
      if (t == 30) panel.flags(0)[30] = kFlagMissing;
    }
    ASSERT_TRUE(s.SavePanel(panel).ok());
    // A forecast run with quantiles.
    auto frun = s.StartRun("forecast", R"({"model":"auto","horizon":3})");
    ASSERT_TRUE(frun.ok());
    forecast_run_ = *frun;
    std::vector<ForecastRow> rows;
    for (int step = 1; step <= 3; ++step) {
      ForecastRow r;
      r.sku = "SKU-1";
      r.location = "WH-1";
      r.step = step;
      r.date = D(2024, 5, 1) + step;
      r.mean = 4.5;
      r.quantiles = {{0.1, 2.0}, {0.5, 4.0}, {0.9, 7.5}};
      r.model = "ets";
      rows.push_back(r);
    }
    ASSERT_TRUE(s.SaveForecasts(forecast_run_, rows).ok());
    ASSERT_TRUE(s.FinishRun(forecast_run_, "ok", "{}").ok());
    // A plan with two lines, its projection, KPIs and a warning line at 10 units.
    auto run = s.StartRun("plan", "{}");
    ASSERT_TRUE(run.ok());
    plan_run_ = *run;
    PlanLine a;
    a.sku = "SKU-1";
    a.location = "WH-1";
    a.supplier_id = "SUP";
    a.order_date = D(2024, 5, 2);
    a.arrival_date = D(2024, 5, 9);
    a.quantity = 40;
    a.unit_cost = 2;
    a.reorder_point = 12;
    a.order_up_to = 50;
    a.days_of_supply = 6.5;
    a.explanation = "on hand below the reorder point";
    PlanLine b = a;
    b.order_date = D(2024, 5, 3);
    b.quantity = 0;
    b.days_of_supply = std::numeric_limits<double>::infinity();  // no demand: written as null
    ASSERT_TRUE(s.SavePlan(plan_run_, std::vector<PlanLine>{a, b}).ok());
    std::vector<ProjectionRecord> proj;
    for (int t = 0; t < 5; ++t) {
      ProjectionRecord r;
      r.sku = "SKU-1";
      r.location = "WH-1";
      r.date = D(2024, 5, 2) + t;
      r.p10 = 10 - t;
      r.p50 = 12 - t;
      r.p90 = 14 - t;
      proj.push_back(r);
    }
    ASSERT_TRUE(s.SaveProjection(plan_run_, proj).ok());
    KpiRecord turnover{"total", "", "", "turnover", 7.2};
    KpiRecord fill{"total", "", "", "fill_rate", std::numeric_limits<double>::quiet_NaN()};
    KpiRecord by_location{"location", "WH-1", "2024-04", "turnover", 3.5};
    ASSERT_TRUE(s.SaveKpis(plan_run_, std::vector<KpiRecord>{turnover, fill, by_location}).ok());
    WarningLineRecord w;
    w.sku = "SKU-1";
    w.location = "WH-1";
    w.lower_units = 10;
    w.upper_units = 60;
    w.run_id = plan_run_;
    ASSERT_TRUE(s.SaveWarningLines(std::vector<WarningLineRecord>{w}).ok());
    ASSERT_TRUE(s.FinishRun(plan_run_, "ok", "{}").ok());
    auto viewer = CreateToken(s, "dash", Role::kViewer);
    auto planner = CreateToken(s, "planner ann", Role::kPlanner);
    auto admin = CreateToken(s, "root", Role::kAdmin);
    ASSERT_TRUE(viewer.ok() && planner.ok() && admin.ok());
    viewer_ = viewer->token;
    planner_ = planner->token;
    admin_ = admin->token;
    store->reset();  // the server opens its own connections

    ServerOptions o;
    o.port = 0;
    auto server = Server::Create(db_, o);
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(server).value();
    thread_ = std::thread([this] { (void)server_->Run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(30, 0);
    for (int i = 0; i < 100; ++i) {
      if (auto r = client_->Get("/healthz"); r && r->status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto doc = client_->Get("/openapi.json", Bearer(viewer_));
    ASSERT_TRUE(doc);
    ASSERT_EQ(doc->status, 200) << doc->body;
    doc_ = Json::parse(doc->body, nullptr, false);
    ASSERT_TRUE(doc_.is_object()) << "GET /openapi.json is not JSON";
    ASSERT_TRUE(doc_["components"]["schemas"].is_object());
    validator_ = std::make_unique<SchemaValidator>(doc_["components"]["schemas"]);
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  static httplib::Headers Bearer(const std::string& token) {
    if (token.empty()) return {};
    return {{"Authorization", "Bearer " + token}};
  }

  // The operation `method route` of /openapi.json, or null.
  Json Operation(const std::string& method, const std::string& route) const {
    if (!doc_["paths"].contains(route) || !doc_["paths"][route].contains(Lower(method)))
      return nullptr;
    return doc_["paths"][route][Lower(method)];
  }
  // The documented 2xx status and its JSON schema (null when the reply is not JSON).
  static std::pair<int, Json> Success(const Json& op) {
    for (const auto& [code, response] : op["responses"].items()) {
      if (code.size() == 3 && code[0] == '2') {
        Json schema = nullptr;
        if (response.contains("content") && response["content"].contains("application/json")) {
          schema = response["content"]["application/json"]["schema"];
        }
        return {std::stoi(code), schema};
      }
    }
    return {0, nullptr};
  }

  std::vector<std::string> Check(const Json& schema, const Json& value, bool closed) const {
    return validator_->Validate(schema, value, closed);
  }

  // Calls `method url` (an instance of `route`), checks `body` against the route's request
  // schema and the reply against its documented status and response schema (or, for an error
  // that `want` asks for, against the Error component). Returns the parsed reply.
  // `body_valid` false: the body breaks a rule of the request schema (and the server refuses it).
  Json Call(const std::string& method, const std::string& route, const std::string& url,
            const std::string& token, const Json& body = nullptr, int want = 0,
            bool body_valid = true) {
    const std::string what = method + " " + url;
    const Json op = Operation(method, route);
    if (op.is_null()) {
      ADD_FAILURE() << method << " " << route << " is not in /openapi.json";
      return nullptr;
    }
    const auto [documented, schema] = Success(op);
    if (!body.is_null()) {
      const Json request = op.contains("requestBody")
                               ? op["requestBody"]["content"]["application/json"]["schema"]
                               : Json();
      if (request.is_null()) {
        ADD_FAILURE() << what << " sends a JSON body but documents no request schema";
      } else {
        const auto errors = Check(request, body, false);
        if (body_valid) {
          EXPECT_TRUE(errors.empty()) << what << ": the request body " << body.dump()
                                      << " does not match its schema: " << Join(errors);
          requests_checked_.insert(method + " " + route);
        } else {
          EXPECT_FALSE(errors.empty()) << what << ": the request schema accepts " << body.dump()
                                       << ", which the server refuses";
        }
      }
    }
    const httplib::Headers headers = Bearer(token);
    const std::string payload = body.is_null() ? std::string() : body.dump();
    httplib::Result r =
        method == "GET"     ? client_->Get(url.c_str(), headers)
        : method == "PUT"   ? client_->Put(url.c_str(), headers, payload, "application/json")
        : method == "PATCH" ? client_->Patch(url.c_str(), headers, payload, "application/json")
                            : client_->Post(url.c_str(), headers, payload, "application/json");
    if (!r) {
      ADD_FAILURE() << what << ": no reply";
      return nullptr;
    }
    const int expected = want == 0 ? documented : want;
    EXPECT_EQ(r->status, expected) << what << ": " << r->body;
    const Json reply = Json::parse(r->body, nullptr, false);
    if (reply.is_discarded()) {
      ADD_FAILURE() << what << ": the reply is not JSON: " << r->body.substr(0, 200);
      return nullptr;
    }
    if (r->status / 100 == 2) {
      EXPECT_EQ(r->status, documented) << what << ": /openapi.json documents " << documented;
      if (schema.is_null()) {
        ADD_FAILURE() << what << ": a JSON reply without a documented schema";
      } else {
        const auto errors = Check(schema, reply, true);
        EXPECT_TRUE(errors.empty())
            << what << ": the reply does not match its schema: " << Join(errors)
            << "\nreply: " << reply.dump();
        replies_checked_.insert(method + " " + route);
      }
    } else {
      const auto errors = Check(Json{{"$ref", "#/components/schemas/Error"}}, reply, true);
      EXPECT_TRUE(errors.empty()) << what
                                  << ": the error reply does not match Error: " << Join(errors)
                                  << "\nreply: " << reply.dump();
    }
    return reply;
  }
  // A body the server refuses with 400 that the request schema refuses too.
  void Refused(const std::string& method, const std::string& route, const std::string& url,
               const Json& body) {
    Call(method, route, url, planner_, body, 400, false);
  }

  std::filesystem::path dir_;
  std::string db_, viewer_, planner_, admin_;
  int64_t plan_run_ = 0, forecast_run_ = 0;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
  Json doc_;
  std::unique_ptr<SchemaValidator> validator_;
  std::set<std::string> requests_checked_, replies_checked_;
};

TEST_F(OpenApiSchemaTest, EverySchemaUsesOnlyTheCheckedSubsetAndResolves) {
  std::vector<std::string> errors;
  for (const auto& [name, schema] : doc_["components"]["schemas"].items()) {
    for (const std::string& e : validator_->Lint(schema, "components.schemas." + name))
      errors.push_back(e);
  }
  for (const auto& [path, ops] : doc_["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      const std::string where = method + " " + path;
      if (op.contains("requestBody")) {
        for (const std::string& e : validator_->Lint(
                 op["requestBody"]["content"]["application/json"]["schema"], where + " request")) {
          errors.push_back(e);
        }
      }
      for (const auto& [code, response] : op["responses"].items()) {
        if (!response.contains("content") || !response["content"].contains("application/json"))
          continue;
        for (const std::string& e : validator_->Lint(
                 response["content"]["application/json"]["schema"], where + " " + code)) {
          errors.push_back(e);
        }
      }
    }
  }
  EXPECT_TRUE(errors.empty()) << Join(errors, "\n");
  for (const char* shared : {"Error", "Product", "Movement", "MovementBatch", "Alert", "PlanLine",
                             "PlanDecision", "Job", "WarningLine", "Balance"}) {
    EXPECT_TRUE(doc_["components"]["schemas"].contains(shared)) << shared;
  }
}

TEST_F(OpenApiSchemaTest, EveryJsonRouteDocumentsItsBodies) {
  std::set<std::pair<std::string, std::string>> with_bodies(kRoutesWithJsonBodies.begin(),
                                                            kRoutesWithJsonBodies.end());
  int operations = 0;
  for (const auto& [path, ops] : doc_["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      ++operations;
      std::string upper = method;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      const auto key = std::make_pair(upper, path);
      const bool has_request =
          op.contains("requestBody") && op["requestBody"]["content"].contains("application/json");
      EXPECT_EQ(has_request, with_bodies.count(key) == 1)
          << upper << " " << path
          << (has_request ? " documents a request body it does not read"
                          : " reads a JSON body it does not document");
      const auto [status, schema] = Success(op);
      EXPECT_TRUE(status == 200 || status == 201 || status == 202) << upper << " " << path;
      EXPECT_EQ(schema.is_null(), kRoutesWithoutJsonReplies.count(key) == 1)
          << upper << " " << path << (schema.is_null() ? ": no response schema" : "");
    }
  }
  EXPECT_GE(operations, 36);
  for (const auto& [method, path] : kRoutesWithJsonBodies) {
    EXPECT_FALSE(Operation(method, path).is_null()) << method << " " << path << " is not served";
  }
  // A job is accepted, not done: 202 and no 200.
  const Json jobs = Operation("POST", "/api/v1/jobs");
  EXPECT_TRUE(jobs["responses"].contains("202"));
  EXPECT_FALSE(jobs["responses"].contains("200"));
}

TEST_F(OpenApiSchemaTest, TheValidatorRejectsWrongDocuments) {
  auto ref = [](const std::string& name) { return Json{{"$ref", "#/components/schemas/" + name}}; };
  const Json product = {{"sku", "SKU-1"},       {"name", "Mug"},           {"category", "home"},
                        {"supplier_id", "SUP"}, {"unit_cost", 2.0},        {"price", 5.0},
                        {"shelf_life_days", 0}, {"allow_backorder", false}};
  EXPECT_TRUE(Check(ref("Product"), product, true).empty())
      << Join(Check(ref("Product"), product, true));
  struct Case {
    std::string schema;
    Json value;
    std::string expect;  // a part of the first error
    bool closed = true;
  };
  Json fractional_days = product;
  fractional_days["shelf_life_days"] = 1.5;
  Json missing_sku = product;
  missing_sku.erase("sku");
  Json null_price = product;
  null_price["price"] = nullptr;
  Json extra_field = product;
  extra_field["colour"] = "red";
  Json negative_cost = product;
  negative_cost["unit_cost"] = -1.0;
  const Json batch_with_bad_move = {{"moves",
                                     {{{"sku", "A"},
                                       {"location", "W"},
                                       {"type", "receipt"},
                                       {"quantity", "3"},
                                       {"idempotency_key", "k"}}}}};
  const std::vector<Case> cases = {
      {"Product", fractional_days, "is number; must be integer", true},
      {"Product", missing_sku, "$.sku is missing", true},
      {"Product", null_price, "must be number", true},
      {"Product", extra_field, "$.colour is not documented", true},
      {"Product", negative_cost, "must be >= 0", true},
      {"Product", Json::array(), "must be object", true},
      {"ApproveRequest", {{"qty", 3}}, "$.qty is not allowed", false},
      {"RejectRequest", {{"reason", ""}}, "shorter than 1", false},
      {"RejectRequest", Json::object(), "$.reason is missing", false},
      {"MovementBatch", {{"moves", Json::array()}}, "at least 1", false},
      {"MovementBatch", batch_with_bad_move, "$.moves[0].quantity", false},
      {"Movement",
       {{"sku", "A"},
        {"location", "W"},
        {"type", "sell"},
        {"quantity", 1},
        {"idempotency_key", "k"}},
       "is not one of",
       false},
      {"WarningLineInput", {{"lower_units", 3}, {"note", "x"}}, "$.note is not allowed", false},
      {"ForecastJobParams", {{"horizon", 0}}, "must be >= 1", false},
      {"ForecastJobParams", {{"horizon", 4000}}, "must be <= 3650", false},
      {"PlanJobParams", {{"budget", 0}}, "must be > 0", false},
      {"JobRequest", {{"kind", "train"}}, "matches 0 of the oneOf", false},
      {"JobRequest",
       {{"kind", "forecast"}, {"params", {{"budget", 5}}}},
       "matches 0 of the oneOf",
       false},
      {"PlanLine", {{"line", 1}}, "is missing (required)", true},
      {"Job", {{"id", 1}}, "is missing (required)", true},
      {"Alert", {{"level", "urgent"}}, "is not one of", true},
      {"Nope", Json::object(), "unresolved $ref", true},
  };
  for (const Case& c : cases) {
    const auto errors = Check(ref(c.schema), c.value, c.closed);
    ASSERT_FALSE(errors.empty()) << c.schema << " accepted " << c.value.dump();
    EXPECT_NE(Join(errors).find(c.expect), std::string::npos)
        << c.schema << " " << c.value.dump() << ": " << Join(errors);
  }
  // Nullable fields take null; the rest do not.
  Json line = Call("GET", "/api/v1/plans/{run}", "/api/v1/plans/latest", viewer_)["items"][0];
  ASSERT_TRUE(line.is_object());
  line["decision"] = nullptr;
  line["days_of_supply"] = nullptr;
  EXPECT_TRUE(Check(ref("PlanLine"), line, true).empty())
      << Join(Check(ref("PlanLine"), line, true));
  line["explanation"] = nullptr;
  EXPECT_FALSE(Check(ref("PlanLine"), line, true).empty());
  // An integer where the schema says number is fine; the reverse is not.
  EXPECT_TRUE(Check(Json{{"type", "number"}}, Json(3), false).empty());
  EXPECT_FALSE(Check(Json{{"type", "integer"}}, Json(3.0), false).empty());
  // Keywords outside the subset are refused by the lint.
  EXPECT_FALSE(validator_->Lint(Json{{"type", "string"}, {"pattern", "^a"}}, "x").empty());
  EXPECT_FALSE(
      validator_->Lint(Json{{"type", "object"}, {"required", Json::array({"a"})}}, "x").empty());
  EXPECT_FALSE(validator_->Lint(Json{{"$ref", "#/components/schemas/Nope"}}, "x").empty());
}

TEST_F(OpenApiSchemaTest, EveryReplyMatchesItsSchema) {
  const std::string plan = "/api/v1/plans/" + std::to_string(plan_run_);
  Call("GET", "/healthz", "/healthz", "");
  Call("GET", "/openapi.json", "/openapi.json", viewer_);
  Call("GET", "/api/v1/me", "/api/v1/me", planner_);

  // Master data.
  Call("POST", "/api/v1/products", "/api/v1/products", planner_,
       {{"sku", "SKU-2"},
        {"name", "Plate"},
        {"category", "home"},
        {"supplier_id", "SUP"},
        {"unit_cost", 1.5},
        {"price", 4},
        {"shelf_life_days", 30},
        {"allow_backorder", false}});
  Call("POST", "/api/v1/products", "/api/v1/products", planner_,
       {{"products", {{{"sku", "SKU-3"}}, {{"sku", "SKU-4"}, {"name", nullptr}, {"price", 9.5}}}}});
  const Json page = Call("GET", "/api/v1/products", "/api/v1/products?limit=2&offset=1", viewer_);
  EXPECT_EQ(page["total"], 4);
  EXPECT_EQ(page["items"].size(), 2u);
  Call("GET", "/api/v1/products/{sku}", "/api/v1/products/SKU-1", viewer_);
  const Json patched = Call("PATCH", "/api/v1/products/{sku}", "/api/v1/products/SKU-2", planner_,
                            {{"price", 4.5}, {"allow_backorder", true}, {"sku", "SKU-2"}});
  EXPECT_EQ(patched["price"], 4.5);
  Call("POST", "/api/v1/locations", "/api/v1/locations", planner_,
       {{"id", "WH-2"}, {"name", "North"}, {"capacity_units", 500}});
  Call("POST", "/api/v1/locations", "/api/v1/locations", planner_,
       {{"locations", {{{"id", "WH-3"}}, {{"id", "WH-4"}, {"capacity_units", nullptr}}}}});
  EXPECT_EQ(Call("GET", "/api/v1/locations", "/api/v1/locations", viewer_)["items"].size(), 4u);
  Call("POST", "/api/v1/suppliers", "/api/v1/suppliers", planner_,
       {{"id", "SUP-2"},
        {"name", "Other"},
        {"lead_time_mean_days", 5},
        {"lead_time_sd_days", 1.5},
        {"moq", 10},
        {"case_pack", 6},
        {"unit_cost", 1},
        {"order_cost", 25}});
  Call("POST", "/api/v1/suppliers", "/api/v1/suppliers", planner_,
       {{"suppliers", {{{"id", "SUP-3"}}}}});
  EXPECT_EQ(Call("GET", "/api/v1/suppliers", "/api/v1/suppliers", viewer_)["items"].size(), 3u);

  // The ledger: one movement, then a batch whose sale crosses the warning line at 10.
  Call("POST", "/api/v1/movements", "/api/v1/movements", planner_,
       {{"sku", "SKU-1"},
        {"location", "WH-1"},
        {"type", "receipt"},
        {"quantity", 15},
        {"idempotency_key", "r1"},
        {"date", "2024-05-02"},
        {"unit_price", 2},
        {"reference", "PO-1"}});
  const Json batch = Call("POST", "/api/v1/movements", "/api/v1/movements", planner_,
                          {{"moves",
                            {{{"sku", "SKU-1"},
                              {"location", "WH-1"},
                              {"type", "sale"},
                              {"quantity", 4},
                              {"idempotency_key", "s1"}},
                             {{"sku", "SKU-1"},
                              {"location", "WH-1"},
                              {"type", "transfer"},
                              {"quantity", 2},
                              {"to_location", "WH-2"},
                              {"idempotency_key", "t1"},
                              {"date", nullptr}},
                             {{"sku", "SKU-1"},
                              {"location", "WH-1"},
                              {"type", "adjustment"},
                              {"quantity", -1.5},
                              {"idempotency_key", "a1"}}}}});
  EXPECT_EQ(batch["inserted"], 4);
  EXPECT_FALSE(batch["alerts"].empty()) << batch.dump();
  Call("GET", "/api/v1/stock", "/api/v1/stock", viewer_);
  Call("GET", "/api/v1/stock", "/api/v1/stock?sku=SKU-1&location=WH-1", viewer_);
  const Json alerts = Call("GET", "/api/v1/alerts", "/api/v1/alerts", viewer_);
  ASSERT_FALSE(alerts["items"].empty());
  const std::string alert_id = std::to_string(alerts["items"][0]["id"].get<int64_t>());
  Call("POST", "/api/v1/alerts/{id}/ack", "/api/v1/alerts/" + alert_id + "/ack", planner_);
  Call("GET", "/api/v1/alerts", "/api/v1/alerts?all=1", viewer_);
  Call("POST", "/api/v1/sales", "/api/v1/sales", planner_,
       {{"lines",
         {{{"order_id", "O-1"},
           {"sku", "SKU-1"},
           {"location", "WH-1"},
           {"quantity", 2},
           {"unit_price", 5},
           {"date", "2024-05-02"}},
          {{"order_id", "O-2"}, {"sku", "SKU-1"}, {"location", "WH-1"}, {"quantity", -1}}}}});
  Call("POST", "/api/v1/cart-events", "/api/v1/cart-events", planner_,
       {{"events",
         {{{"sku", "SKU-1"}, {"date", "2024-05-02"}, {"count", 7}},
          {{"sku", "SKU-1"}, {"location", "WH-1"}, {"date", "2024-05-03"}, {"count", 2.5}}}}});

  // Runs, plans and decisions.
  Call("GET", "/api/v1/kpis", "/api/v1/kpis", viewer_);
  EXPECT_EQ(Call("GET", "/api/v1/forecasts", "/api/v1/forecasts?limit=5", viewer_)["items"].size(),
            1u);
  const Json rows = Call("GET", "/api/v1/forecasts/{run}",
                         "/api/v1/forecasts/latest?sku=SKU-1&location=WH-1", viewer_);
  EXPECT_EQ(rows["items"].size(), 3u);
  Call("GET", "/api/v1/forecasts/{run}",
       "/api/v1/forecasts/" + std::to_string(forecast_run_) + "?sku=SKU-1&location=WH-1", viewer_);
  Call("GET", "/api/v1/plans", "/api/v1/plans", viewer_);
  Call("GET", "/api/v1/plans/{run}", plan, viewer_);
  const Json approved =
      Call("POST", "/api/v1/plans/{run}/lines/{line}/approve", plan + "/lines/1/approve", planner_,
           {{"quantity", 36}, {"note", "ok for May"}});
  EXPECT_EQ(approved["status"], "approved");
  Call("POST", "/api/v1/plans/{run}/lines/{line}/reject", plan + "/lines/2/reject", planner_,
       {{"reason", "enough stock"}});
  const Json decided = Call("GET", "/api/v1/plans/{run}", "/api/v1/plans/latest", viewer_);
  ASSERT_EQ(decided["items"].size(), 2u);
  EXPECT_TRUE(decided["items"][0]["decision"].is_object());
  EXPECT_TRUE(decided["items"][1]["days_of_supply"].is_null());
  const Json overview = Call("GET", "/api/v1/overview", "/api/v1/overview", viewer_);
  EXPECT_TRUE(overview["kpis"]["fill_rate"].is_null()) << overview.dump();

  // Warning lines and the SKU page.
  Call("GET", "/api/v1/warning-lines", "/api/v1/warning-lines", viewer_);
  Call("PUT", "/api/v1/warning-lines/{sku}/{location}", "/api/v1/warning-lines/SKU-1/WH-1",
       planner_, {{"lower_units", 3}, {"upper_units", 90}});
  Call("PUT", "/api/v1/warning-lines/{sku}/{location}", "/api/v1/warning-lines/SKU-2/WH-2",
       planner_, {{"lower_units", 1.5}});
  Call("GET", "/api/v1/warning-lines", "/api/v1/warning-lines?sku=SKU-1", viewer_);
  const Json series =
      Call("GET", "/api/v1/series/{sku}/{location}", "/api/v1/series/SKU-1/WH-1", viewer_);
  EXPECT_FALSE(series["forecast"].is_null());
  EXPECT_FALSE(series["projection"].is_null());
  EXPECT_FALSE(series["history"].empty());
  // A series with stock but no history, forecast, projection or warning line.
  const Json bare =
      Call("GET", "/api/v1/series/{sku}/{location}", "/api/v1/series/SKU-1/WH-2", viewer_);
  EXPECT_TRUE(bare["forecast"].is_null());

  // Errors are Error objects.
  Call("GET", "/api/v1/products/{sku}", "/api/v1/products/NOPE", viewer_, nullptr, 404);
  Call("POST", "/api/v1/plans/{run}/lines/{line}/approve", plan + "/lines/1/approve", planner_,
       Json::object(), 409);
  Call("GET", "/api/v1/audit", "/api/v1/audit", planner_, nullptr, 403);
  Call("GET", "/api/v1/me", "/api/v1/me", "", nullptr, 401);
  // Bodies the handlers refuse break a rule of their schema too.
  Refused("POST", "/api/v1/products", "/api/v1/products", {{"sku", ""}});
  Refused("POST", "/api/v1/products", "/api/v1/products", {{"products", Json::array()}});
  Refused("POST", "/api/v1/products", "/api/v1/products", {{"sku", "SKU-9"}, {"price", -1}});
  Refused("PATCH", "/api/v1/products/{sku}", "/api/v1/products/SKU-1", {{"colour", "red"}});
  Refused("PATCH", "/api/v1/products/{sku}", "/api/v1/products/SKU-1",
          {{"allow_backorder", "yes"}});
  Refused("POST", "/api/v1/locations", "/api/v1/locations", {{"locations", Json::array()}});
  Refused("POST", "/api/v1/locations", "/api/v1/locations",
          {{"id", "WH-9"}, {"capacity_units", -5}});
  Refused("POST", "/api/v1/suppliers", "/api/v1/suppliers", {{"id", "SUP-9"}, {"case_pack", 0}});
  Refused("POST", "/api/v1/movements", "/api/v1/movements", {{"moves", Json::array()}});
  Refused("POST", "/api/v1/movements", "/api/v1/movements",
          {{"sku", "SKU-1"},
           {"location", "WH-1"},
           {"type", "sell"},
           {"quantity", 1},
           {"idempotency_key", "x1"}});
  Refused("POST", "/api/v1/movements", "/api/v1/movements",
          {{"sku", "SKU-1"},
           {"location", "WH-1"},
           {"type", "receipt"},
           {"quantity", "1"},
           {"idempotency_key", "x2"}});
  Refused("POST", "/api/v1/plans/{run}/lines/{line}/approve", plan + "/lines/1/approve",
          {{"qty", 3}});
  Refused("POST", "/api/v1/plans/{run}/lines/{line}/approve", plan + "/lines/1/approve",
          {{"quantity", -2}});
  Refused("POST", "/api/v1/plans/{run}/lines/{line}/reject", plan + "/lines/2/reject",
          {{"reason", ""}});
  Refused("PUT", "/api/v1/warning-lines/{sku}/{location}", "/api/v1/warning-lines/SKU-1/WH-1",
          {{"lower_units", 3}, {"note", "x"}});
  Refused("PUT", "/api/v1/warning-lines/{sku}/{location}", "/api/v1/warning-lines/SKU-1/WH-1",
          {{"upper_units", 3}});
  Refused("POST", "/api/v1/sales", "/api/v1/sales", {{"lines", Json::array()}});
  Refused("POST", "/api/v1/sales", "/api/v1/sales",
          {{"lines", {{{"sku", "SKU-1"}, {"location", "WH-1"}, {"quantity", 1}}}}});
  Refused("POST", "/api/v1/cart-events", "/api/v1/cart-events",
          {{"events", {{{"sku", "SKU-1"}, {"date", "2024-05-02"}, {"count", -1}}}}});
  Refused("POST", "/api/v1/jobs", "/api/v1/jobs", {{"kind", "train"}});
  Refused("POST", "/api/v1/jobs", "/api/v1/jobs",
          {{"kind", "forecast"}, {"params", {{"horizon", 0}}}});
  Refused("POST", "/api/v1/jobs", "/api/v1/jobs", {{"kind", "plan"}, {"params", {{"budgit", 5}}}});
  Refused("POST", "/api/v1/jobs", "/api/v1/jobs",
          {{"kind", "plan"}, {"params", {{"threads", 1.5}}}});

  // Jobs: a forecast (60 days of history: it succeeds) and a plan; both run to an end.
  const Json forecast_job =
      Call("POST", "/api/v1/jobs", "/api/v1/jobs", planner_,
           {{"kind", "forecast"}, {"params", {{"horizon", 7}, {"threads", 1}}}});
  const Json plan_job = Call(
      "POST", "/api/v1/jobs", "/api/v1/jobs", planner_,
      {{"kind", "plan"}, {"params", {{"threads", 1}, {"reforecast", false}, {"budget", 1000}}}});
  ASSERT_TRUE(forecast_job.contains("id") && plan_job.contains("id"));
  for (const Json& job : {forecast_job, plan_job}) {
    const std::string url = "/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>());
    Json state;
    for (int i = 0; i < 1200; ++i) {
      state = Call("GET", "/api/v1/jobs/{id}", url, viewer_);
      if (state["status"] == "succeeded" || state["status"] == "failed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(state["status"] == "succeeded" || state["status"] == "failed") << state.dump();
  }
  const Json jobs = Call("GET", "/api/v1/jobs", "/api/v1/jobs?limit=10", viewer_);
  ASSERT_EQ(jobs["items"].size(), 2u);
  // The newest first: the plan job, then the forecast job, which had history enough.
  EXPECT_EQ(jobs["items"][1]["status"], "succeeded") << jobs.dump();
  EXPECT_TRUE(jobs["items"][1]["run_id"].is_number_integer()) << jobs.dump();
  // Whatever the jobs produced is served within the schemas too.
  Call("GET", "/api/v1/forecasts", "/api/v1/forecasts", viewer_);
  Call("GET", "/api/v1/plans/{run}", "/api/v1/plans/latest", viewer_);
  Call("GET", "/api/v1/series/{sku}/{location}", "/api/v1/series/SKU-1/WH-1", viewer_);
  Call("GET", "/api/v1/audit", "/api/v1/audit?limit=500", admin_);

  // Every documented JSON reply and request body was checked against a real exchange.
  for (const auto& [path, ops] : doc_["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      std::string upper = method;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      if (!Success(op).second.is_null()) {
        EXPECT_TRUE(replies_checked_.count(upper + " " + path))
            << upper << " " << path << ": no reply was checked";
      }
      if (op.contains("requestBody")) {
        EXPECT_TRUE(requests_checked_.count(upper + " " + path))
            << upper << " " << path << ": no request body was checked";
      }
    }
  }
}

}  // namespace
}  // namespace stockcast::server
