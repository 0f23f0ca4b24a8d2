// The request and response bodies of every JSON route of server.cpp, as OpenAPI 3.0 schemas.
// Each schema mirrors what the route's handler reads (Text/Number helpers, ParseMovement,
// ParseProduct, ParseJobParams, ...) and writes (ProductJson, PlanLineJson, JobJson, ...):
// when a handler changes, change its schema here; tests/server/openapi_schema_test.cpp checks
// real replies against these schemas.
//
// Conventions:
// - Optional request fields read with server.cpp's Text()/Number() treat null as absent, so
//   they are `nullable` here; required ones refuse null ("... is missing").
// - `additionalProperties: false` where the handler refuses unknown fields: every request body
//   (master data, movements, sales, cart events, plan decisions, warning lines, jobs).
// - A nullable reference is {"nullable": true, "allOf": [{"$ref": ...}]}: OpenAPI 3.0 ignores
//   the siblings of a bare $ref.
// - Response schemas list every field the handler always writes as required.
#include "server/openapi_schemas.h"

#include <map>
#include <utility>
#include <vector>

namespace stockcast::server {
namespace {

using Json = nlohmann::json;

Json Ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }

Json NullableRef(const std::string& name, const std::string& description) {
  return {{"nullable", true}, {"allOf", Json::array({Ref(name)})}, {"description", description}};
}

Json Typed(const char* type, const std::string& description = "") {
  Json s = {{"type", type}};
  if (!description.empty()) s["description"] = description;
  return s;
}
Json Str(const std::string& description = "") { return Typed("string", description); }
Json Num(const std::string& description = "") { return Typed("number", description); }
Json Int(const std::string& description = "") { return Typed("integer", description); }
Json Bool(const std::string& description = "") { return Typed("boolean", description); }

Json NonEmptyStr(const std::string& description) {
  Json s = Str(description);
  s["minLength"] = 1;
  return s;
}
Json DateStr(const std::string& description = "YYYY-MM-DD") {
  Json s = Str(description);
  s["format"] = "date";
  return s;
}
Json Min(Json s, int minimum) {
  s["minimum"] = minimum;
  return s;
}
Json Max(Json s, int maximum) {
  s["maximum"] = maximum;
  return s;
}
// > minimum (OpenAPI 3.0 spells it with a boolean exclusiveMinimum).
Json Above(Json s, int minimum) {
  s["minimum"] = minimum;
  s["exclusiveMinimum"] = true;
  return s;
}
Json Nullable(Json s) {
  s["nullable"] = true;
  return s;
}
// An optional request field read with Text()/Number(): null means absent.
Json Opt(Json s) {
  s["nullable"] = true;
  const std::string said = s.value("description", std::string());
  s["description"] = said.empty() ? std::string("null = absent") : said + "; null = absent";
  return s;
}
Json Enum(std::vector<std::string> values, const std::string& description = "") {
  Json s = Str(description);
  s["enum"] = values;
  return s;
}
Json ArrayOf(Json items, const std::string& description = "") {
  Json s = {{"type", "array"}, {"items", std::move(items)}};
  if (!description.empty()) s["description"] = description;
  return s;
}

Json NonEmptyArrayOf(Json items, const std::string& description) {
  Json s = ArrayOf(std::move(items), description);
  s["minItems"] = 1;
  return s;
}

// An object schema; `closed` = additionalProperties false (the handler refuses other fields).
Json Obj(Json properties, std::vector<std::string> required, const std::string& description = "",
         bool closed = false) {
  Json s = {{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) s["required"] = required;
  if (closed) s["additionalProperties"] = false;
  if (!description.empty()) s["description"] = description;
  return s;
}

Json Items(Json item_schema) {
  return Obj({{"items", ArrayOf(std::move(item_schema))}}, {"items"});
}

const std::vector<std::string> kAlertTypes = {
    "stockout",           "overstock",          "ageing",      "dead_stock",
    "supplier_delay",     "demand_spike",       "demand_drop", "forecast_miss",
    "below_warning_line", "above_warning_line", "out_of_stock"};
const std::vector<std::string> kAlertActions = {"none",           "expedite", "transfer",
                                                "reorder_now",    "markdown", "cancel_or_delay_po",
                                                "review_forecast"};
const std::vector<std::string> kErrorCodes = {
    "invalid_argument", "not_found",         "conflict",     "unavailable", "internal",
    "unauthenticated",  "permission_denied", "rate_limited", "too_large"};

Json BuildComponents() {
  Json c = Json::object();
  c["Error"] = Obj(
      {{"error", Obj({{"code", Enum(kErrorCodes)},
                      {"message", Str("says what, where (a JSON path such as $.moves[3].quantity) "
                                      "and which rule was broken")}},
                     {"code", "message"})}},
      {"error"}, "Every 4xx/5xx reply");

  // ---- master data ----
  const Json product_props = {{"sku", NonEmptyStr("stock-keeping unit, the product's id")},
                              {"name", Str()},
                              {"category", Str()},
                              {"supplier_id", Str()},
                              {"unit_cost", Min(Num("purchase cost per unit; >= 0"), 0)},
                              {"price", Min(Num("list selling price per unit; >= 0"), 0)},
                              {"shelf_life_days", Min(Int("0 = does not expire; >= 0"), 0)},
                              {"allow_backorder", Bool()}};
  c["Product"] = Obj(product_props, {"sku", "name", "category", "supplier_id", "unit_cost", "price",
                                     "shelf_life_days", "allow_backorder"});
  {
    Json in = Json::object();
    for (const auto& [k, v] : product_props.items()) in[k] = k == "sku" ? v : Opt(v);
    in["shelf_life_days"] = Opt(Min(Num("days; 0 = does not expire; >= 0 (a fraction is cut to "
                                        "a whole number)"),
                                    0));
    c["ProductInput"] =
        Obj(in, {"sku"},
            "A product to create or replace (upsert by sku): absent fields get their "
            "defaults (\"\", 0, false). Any other field is refused (400).",
            true);
    Json patch = in;
    patch["sku"] = Str("if given, must equal the sku in the path (a product's sku cannot change)");
    c["ProductPatch"] = Obj(patch, {},
                            "The fields to change; the others keep their values. A null field gets "
                            "its default. Any other field is refused (400).",
                            true);
  }
  c["ProductBatch"] = Obj({{"products", NonEmptyArrayOf(Ref("ProductInput"), "non-empty")}},
                          {"products"}, "Several products in one transaction", true);
  c["Upserted"] =
      Obj({{"upserted", Min(Int("how many objects were created or replaced"), 0)}}, {"upserted"});

  c["Location"] = Obj({{"id", Str()}, {"name", Str()}, {"capacity_units", Num("0 = unlimited")}},
                      {"id", "name", "capacity_units"}, "A warehouse");
  c["LocationInput"] =
      Obj({{"id", NonEmptyStr("the location's id")},
           {"name", Opt(Str())},
           {"capacity_units", Opt(Min(Num("0 = unlimited; >= 0"), 0))}},
          {"id"},
          "A location to create or replace (upsert by id). Any other field is refused (400).",
          true);
  c["LocationBatch"] = Obj({{"locations", NonEmptyArrayOf(Ref("LocationInput"), "non-empty")}},
                           {"locations"}, "", true);

  const Json supplier_props = {
      {"id", NonEmptyStr("the supplier's id")},
      {"name", Str()},
      {"lead_time_mean_days", Min(Num("mean days from order to receipt; >= 0 (default 7)"), 0)},
      {"lead_time_sd_days", Min(Num("spread of the lead time; >= 0 (default 2)"), 0)},
      {"moq", Min(Num("minimum order quantity in units; 0 = none"), 0)},
      {"case_pack", Above(Num("orders are whole multiples of this; > 0 (default 1)"), 0)},
      {"unit_cost", Min(Num("default unit cost when a product has none; >= 0"), 0)},
      {"order_cost", Min(Num("fixed cost per purchase order; >= 0"), 0)}};
  c["Supplier"] = Obj(supplier_props, {"id", "name", "lead_time_mean_days", "lead_time_sd_days",
                                       "moq", "case_pack", "unit_cost", "order_cost"});
  {
    Json in = Json::object();
    for (const auto& [k, v] : supplier_props.items()) in[k] = k == "id" ? v : Opt(v);
    c["SupplierInput"] = Obj(in, {"id"},
                             "A supplier to create or replace (upsert by id): absent fields get "
                             "their defaults. Any other field is refused (400).",
                             true);
  }
  c["SupplierBatch"] = Obj({{"suppliers", NonEmptyArrayOf(Ref("SupplierInput"), "non-empty")}},
                           {"suppliers"}, "", true);

  // ---- the stock ledger ----
  c["Movement"] = Obj(
      {{"sku", NonEmptyStr("")},
       {"location", NonEmptyStr("for a transfer: the location the stock leaves")},
       {"type", Enum({"receipt", "sale", "return", "adjustment", "transfer"},
                     "transfer = transfer_out here + transfer_in at to_location")},
       {"quantity", Num("units; > 0, except for an adjustment: the signed change, != 0 (a "
                        "write-off of 3 units is -3)")},
       {"idempotency_key", NonEmptyStr("a movement whose key was already posted is not applied "
                                       "again (counted in already_present); a key refused with "
                                       "409 stays refused")},
       {"date", Opt(DateStr("YYYY-MM-DD; default today (UTC)"))},
       {"unit_price", Opt(Num("selling price for sales/returns, cost for receipts; default 0"))},
       {"reference", Opt(Str("order id, PO id, ..."))},
       {"to_location", Str("required for a transfer: another location; ignored otherwise")}},
      {"sku", "location", "type", "quantity", "idempotency_key"},
      "One stock movement. A sale or transfer that would take on hand below 0 (for a product that "
      "does not allow backorder) refuses the whole batch with 409. Any other field is refused "
      "(400).",
      true);
  c["MovementBatch"] = Obj({{"moves", NonEmptyArrayOf(Ref("Movement"),
                                                      "non-empty; at most the server's --max-batch "
                                                      "(default 10000) movements, else 413")}},
                           {"moves"}, "Movements posted in one transaction: all or none", true);
  c["Balance"] =
      Obj({{"sku", Str()},
           {"location", Str()},
           {"before", Num("on hand before this request")},
           {"on_hand", Num("on hand after it")}},
          {"sku", "location", "before", "on_hand"}, "A series whose on hand the request changed");
  c["MovementResult"] =
      Obj({{"inserted", Min(Int("ledger rows added (a transfer adds two)"), 0)},
           {"already_present", Min(Int("movements whose idempotency key was already posted"), 0)},
           {"balances", ArrayOf(Ref("Balance"))},
           {"alerts", ArrayOf(Ref("Alert"),
                              "alerts raised, refreshed or resolved by crossing a "
                              "warning line or reaching zero")}},
          {"inserted", "already_present", "balances", "alerts"});
  c["StockLevel"] = Obj({{"sku", Str()},
                         {"location", Str()},
                         {"on_hand", Num("latest snapshot + ledger movements after it")},
                         {"on_order", Num("open purchase-order lines")},
                         {"available", Min(Num("max(on_hand, 0)"), 0)}},
                        {"sku", "location", "on_hand", "on_order", "available"});
  c["SalesLine"] = Obj(
      {{"order_id", Str("the order; with sku it makes the idempotency key "
                        "order-line:{order_id}:{sku}:{sale|return}")},
       {"sku", NonEmptyStr("")},
       {"location", NonEmptyStr("")},
       {"quantity", Num("units sold; != 0; a negative quantity is a return of that order line")},
       {"unit_price", Opt(Num("default 0"))},
       {"date", Opt(DateStr("YYYY-MM-DD; default today (UTC)"))}},
      {"order_id", "sku", "location", "quantity"},
      "One order line, posted as a sale (or a return) movement. type, idempotency_key and "
      "reference are set by the server; any other field is refused (400).",
      true);
  c["SalesBatch"] = Obj({{"lines", NonEmptyArrayOf(Ref("SalesLine"),
                                                   "non-empty; at most the server's --max-batch "
                                                   "(default 10000) lines, else 413")}},
                        {"lines"}, "Sales lines posted in one transaction: all or none", true);
  c["CartEvent"] =
      Obj({{"sku", Str()},
           {"location", Opt(Str("default \"\" = all locations"))},
           {"date", DateStr()},
           {"count", Min(Num("add-to-cart events that day; >= 0"), 0)}},
          {"sku", "date", "count"},
          "Add-to-cart events of one day. Any other field is refused (400).", true);
  c["CartEventBatch"] =
      Obj({{"events", NonEmptyArrayOf(Ref("CartEvent"), "non-empty")}}, {"events"}, "", true);
  c["Stored"] = Obj({{"stored", Min(Int("how many events were stored"), 0)}}, {"stored"});

  // ---- alerts and KPIs ----
  c["Alert"] = Obj({{"id", Int()},
                    {"type", Enum(kAlertTypes,
                                  "out_of_stock and below_warning_line are also raised at once "
                                  "by movements; the others by plan runs")},
                    {"sku", Str()},
                    {"location", Str()},
                    {"level", Enum({"low", "medium", "high"})},
                    {"status", Enum({"open", "acknowledged", "resolved"})},
                    {"action", Enum(kAlertActions, "the suggested action")},
                    {"message", Str()},
                    {"impact", Num("money at risk")},
                    {"probability", Num("in [0, 1]")},
                    {"first_seen", DateStr()},
                    {"last_seen", DateStr()},
                    {"occurrences", Int("consecutive runs it was detected in")}},
                   {"id", "type", "sku", "location", "level", "status", "action", "message",
                    "impact", "probability", "first_seen", "last_seen", "occurrences"});
  c["Kpi"] = Obj({{"scope", Str("e.g. total, location, sku")},
                  {"key", Str("\"\" for scope total")},
                  {"period", Str("e.g. 2024-03; \"\" = the whole window")},
                  {"metric", Str()},
                  {"value", Nullable(Num("null when not finite"))}},
                 {"scope", "key", "period", "metric", "value"});

  // ---- runs, plans and decisions ----
  c["Run"] = Obj({{"run_id", Int()},
                  {"status", Enum({"running", "ok", "failed"})},
                  {"started_at", Str("UTC, ISO 8601")},
                  {"finished_at", Str("UTC, ISO 8601; \"\" while running")},
                  {"params", Typed("object", "the run's parameters as stored")}},
                 {"run_id", "status", "started_at", "finished_at", "params"});
  c["ForecastPoint"] =
      Obj({{"step", Min(Int("1..horizon"), 1)},
           {"date", DateStr()},
           {"mean", Num()},
           {"quantiles", ArrayOf(Obj({{"level", Num("in (0, 1), ascending")}, {"value", Num()}},
                                     {"level", "value"}))},
           {"model", Str()}},
          {"step", "date", "mean", "quantiles", "model"});
  c["PlanDecision"] =
      Obj({{"status", Enum({"approved", "rejected"})},
           {"quantity", Min(Num("approved quantity; 0 for a rejection"), 0)},
           {"po_id", Str("approved: the open purchase order it created, PLAN-{run}-{line}; "
                         "rejected: \"\"")},
           {"note", Str("the approver's note or the rejection's reason")},
           {"actor", Str("the token's name")},
           {"decided_at", Str("UTC, ISO 8601")}},
          {"status", "quantity", "po_id", "note", "actor", "decided_at"},
          "A planner's decision on a plan line; final (a second one is refused with 409)");
  {
    Json reply = c["PlanDecision"];
    reply["properties"]["run_id"] = Int();
    reply["properties"]["line"] = Min(Int("1-based"), 1);
    reply["required"].push_back("run_id");
    reply["required"].push_back("line");
    reply["description"] = "The stored decision with its plan run and line";
    c["PlanDecisionReply"] = reply;
  }
  c["PlanLine"] = Obj(
      {{"line", Min(Int("1-based number within the plan run"), 1)},
       {"sku", Str()},
       {"location", Str()},
       {"supplier_id", Str()},
       {"quantity", Num("units to order; 0 = no order needed now (kept for its explanation)")},
       {"unit_cost", Num()},
       {"order_date", DateStr()},
       {"arrival_date", DateStr("expected arrival, YYYY-MM-DD")},
       {"on_hand", Num()},
       {"on_order", Num()},
       {"lead_time_demand", Num("expected demand over lead time + review period")},
       {"safety_stock", Num()},
       {"reorder_point", Num()},
       {"order_up_to", Num()},
       {"service_level", Num()},
       {"stockout_probability", Num("before the next receipt if nothing is ordered")},
       {"days_of_supply", Nullable(Num("null when not finite (no demand)"))},
       {"binding", Str("the constraint that set the quantity: moq, case_pack, ...")},
       {"explanation", Str("the reasoning a planner can check")},
       {"decision", NullableRef("PlanDecision", "null until the line is approved or rejected")}},
      {"line",           "sku",         "location",         "supplier_id",
       "quantity",       "unit_cost",   "order_date",       "arrival_date",
       "on_hand",        "on_order",    "lead_time_demand", "safety_stock",
       "reorder_point",  "order_up_to", "service_level",    "stockout_probability",
       "days_of_supply", "binding",     "explanation",      "decision"});
  c["ApproveRequest"] = Obj(
      {{"quantity", Opt(Min(Num("units to order instead of the line's; >= 0 (an approved "
                                "quantity of 0 is refused with 409)"),
                            0))},
       {"note", Opt(Str())}},
      {},
      "Approving creates an open purchase order PLAN-{run}-{line}. An empty body is the same as "
      "{}. A line that orders nothing needs quantity (409 otherwise). Other fields are refused.",
      true);
  c["RejectRequest"] = Obj({{"reason", NonEmptyStr("why the line is rejected")}}, {"reason"},
                           "Other fields are refused.", true);

  // ---- warning lines ----
  c["WarningLine"] =
      Obj({{"sku", Str()},
           {"location", Str()},
           {"lower_units", Min(Num("units on hand; 0 = none"), 0)},
           {"upper_units", Min(Num("units on hand; 0 = none"), 0)},
           {"source", Enum({"plan", "manual"}, "a plan never overrides a manual line")},
           {"run_id", Int("the plan run that set it; 0 for a manual line")},
           {"updated_at", Str("UTC, ISO 8601")}},
          {"sku", "location", "lower_units", "upper_units", "source", "run_id", "updated_at"});
  c["WarningLineInput"] =
      Obj({{"lower_units", Min(Num("units on hand; >= 0; 0 = none"), 0)},
           {"upper_units", Opt(Min(Num("units on hand; >= 0; 0 = none (default); else >= "
                                       "lower_units"),
                                   0))}},
          {"lower_units"},
          "A manual warning line for an existing product; other fields are refused.", true);

  // ---- jobs ----
  c["ForecastJobParams"] =
      Obj({{"model", Str("forecast model spec (default auto); an unknown model fails the job")},
           {"horizon", Max(Min(Int("days to forecast, whole number in [1, 3650]"), 1), 3650)},
           {"threads", Max(Min(Int("whole number in [0, 1024]; 0 = all cores"), 0), 1024)}},
          {}, "Other parameters are refused.", true);
  c["PlanJobParams"] =
      Obj({{"model", Str("forecast model spec for the re-forecast")},
           {"reforecast", Bool("forecast again before planning")},
           {"budget", Above(Num("purchase budget; > 0"), 0)},
           {"out_dir", Str("directory for the plan's files")},
           {"as_of", DateStr("plan date, YYYY-MM-DD")},
           {"threads", Max(Min(Int("whole number in [0, 1024]; 0 = all cores"), 0), 1024)}},
          {}, "Other parameters are refused.", true);
  c["ForecastJobRequest"] =
      Obj({{"kind", Enum({"forecast"})}, {"params", Ref("ForecastJobParams")}}, {"kind"},
          "params default {}");
  c["PlanJobRequest"] = Obj({{"kind", Enum({"plan"})}, {"params", Ref("PlanJobParams")}}, {"kind"},
                            "params default {}");
  c["JobRequest"] = {{"oneOf", Json::array({Ref("ForecastJobRequest"), Ref("PlanJobRequest")})},
                     {"discriminator",
                      {{"propertyName", "kind"},
                       {"mapping",
                        {{"forecast", "#/components/schemas/ForecastJobRequest"},
                         {"plan", "#/components/schemas/PlanJobRequest"}}}}},
                     {"description",
                      "A background run; the reply is 202 with a Location header "
                      "/api/v1/jobs/{id} to poll"}};
  c["Job"] = Obj({{"id", Int()},
                  {"kind", Enum({"forecast", "plan"})},
                  {"status", Enum({"queued", "running", "succeeded", "failed"})},
                  {"progress", Num("0..1")},
                  {"stage", Str("e.g. forecast, policy, projection, done")},
                  {"run_id", Nullable(Int("the run it produced; null until known"))},
                  {"error", Str("why it failed; \"\" otherwise")},
                  {"params", Typed("object", "the params as given")},
                  {"actor", Str("the token's name")},
                  {"created_at", Str("UTC, ISO 8601")},
                  {"started_at", Str("UTC, ISO 8601; \"\" = not yet")},
                  {"finished_at", Str("UTC, ISO 8601; \"\" = not yet")}},
                 {"id", "kind", "status", "progress", "stage", "run_id", "error", "params", "actor",
                  "created_at", "started_at", "finished_at"});

  c["AuditEntry"] = Obj({{"id", Int()},
                         {"at", Str("UTC, ISO 8601")},
                         {"actor", Str("token name (cli for the command line)")},
                         {"role", Str()},
                         {"request_id", Str()},
                         {"action", Str("e.g. POST /api/v1/movements")},
                         {"status", Int("HTTP status of the reply")},
                         {"detail", Str()}},
                        {"id", "at", "actor", "role", "request_id", "action", "status", "detail"});

  // ---- the SKU page bundle ----
  c["Series"] = Obj(
      {{"sku", Str()},
       {"location", Str()},
       {"product", NullableRef("Product", "null when the sku is not a product")},
       {"stock", Nullable(Obj({{"on_hand", Num()}, {"on_order", Num()}, {"available", Num()}},
                              {"on_hand", "on_order", "available"}, "null when no stock level"))},
       {"history",
        ArrayOf(Obj({{"date", DateStr()}, {"demand", Nullable(Num())}}, {"date", "demand"}),
                "daily demand, the last 365 days")},
       {"forecast",
        Nullable(Obj({{"run_id", Int()},
                      {"model", Str()},
                      {"points", ArrayOf(Obj({{"date", DateStr()},
                                              {"mean", Num()},
                                              {"p10", Nullable(Num("lowest quantile"))},
                                              {"p90", Nullable(Num("highest quantile"))}},
                                             {"date", "mean", "p10", "p90"}))}},
                     {"run_id", "model", "points"},
                     "the latest forecast run's rows for this series; null when none"))},
       {"projection",
        Nullable(Obj({{"run_id", Int()},
                      {"points", ArrayOf(Obj({{"date", DateStr()},
                                              {"p10", Num()},
                                              {"p50", Num()},
                                              {"p90", Num()},
                                              {"arrivals", Num()}},
                                             {"date", "p10", "p50", "p90", "arrivals"}))}},
                     {"run_id", "points"},
                     "the latest plan run's projection of on hand; null when none"))},
       {"reorder_point", Nullable(Num("of the first plan line; null without one"))},
       {"order_up_to", Nullable(Num("of the first plan line; null without one"))},
       {"plan_lines", ArrayOf(Ref("PlanLine"), "the latest plan run's lines of this series")},
       {"warning_lines",
        Nullable(Obj({{"lower", Num("units")},
                      {"upper", Num("units")},
                      {"source", Enum({"plan", "manual"})}},
                     {"lower", "upper", "source"}, "null when the series has none"))},
       {"alerts", ArrayOf(Ref("Alert"), "open and acknowledged alerts of this series")}},
      {"sku", "location", "product", "stock", "history", "forecast", "projection", "reorder_point",
       "order_up_to", "plan_lines", "warning_lines", "alerts"},
      "One series for the SKU page; 404 when there is no product, history or stock");

  c["Overview"] =
      Obj({{"plan_run_id", Int()},
           {"plan_started_at", Str("UTC, ISO 8601")},
           {"kpis",
            {{"type", "object"},
             {"description", "the latest plan's total KPIs by metric; null when not finite"},
             {"additionalProperties", Nullable(Num())}}},
           {"alerts",
            [] {
              Json s = Obj({{"open", Int()},
                            {"acknowledged", Int()},
                            {"high", Int()},
                            {"medium", Int()},
                            {"low", Int()}},
                           {"open", "acknowledged", "high", "medium", "low"},
                           "counts of live alerts by status and by level");
              s["additionalProperties"] = Int();
              return s;
            }()},
           {"money_at_risk", Num("sum of the live alerts' impact")},
           {"orders", Obj({{"lines", Min(Int(), 0)},
                           {"to_order", Min(Int("lines with quantity > 0"), 0)},
                           {"value", Num("sum of quantity x unit_cost")},
                           {"approved", Min(Int(), 0)},
                           {"rejected", Min(Int(), 0)}},
                          {"lines", "to_order", "value", "approved", "rejected"})}},
          {"plan_run_id", "plan_started_at", "kpis", "alerts", "money_at_risk", "orders"});
  return c;
}

std::map<std::pair<std::string, std::string>, RouteSchemas> BuildRoutes() {
  std::map<std::pair<std::string, std::string>, RouteSchemas> r;
  auto add = [&](const std::string& method, const std::string& path, Json request, Json response,
                 int status = 200) {
    r[{method, path}] = RouteSchemas{std::move(request), std::move(response), status};
  };
  auto one_or_batch = [](const char* one, const char* batch) {
    return Json{{"oneOf", Json::array({Ref(one), Ref(batch)})}};
  };
  add("GET", "/healthz", nullptr, Obj({{"status", Enum({"ok"})}}, {"status"}));
  add("GET", "/openapi.json", nullptr,
      Obj({{"openapi", Str("3.0.3")},
           {"info", Typed("object")},
           {"paths", Typed("object")},
           {"components", Typed("object")}},
          {"openapi", "info", "paths", "components"}, "This document"));
  add("GET", "/api/v1/me", nullptr,
      Obj({{"name", Str("the token's name")}, {"role", Enum({"viewer", "planner", "admin"})}},
          {"name", "role"}));
  add("GET", "/api/v1/overview", nullptr, Ref("Overview"));

  add("GET", "/api/v1/products", nullptr,
      Obj({{"items", ArrayOf(Ref("Product"))},
           {"total", Min(Int("products matching the filters"), 0)},
           {"limit", Min(Int(), 1)},
           {"offset", Min(Int(), 0)}},
          {"items", "total", "limit", "offset"}));
  add("POST", "/api/v1/products", one_or_batch("ProductInput", "ProductBatch"), Ref("Upserted"));
  add("GET", "/api/v1/products/{sku}", nullptr, Ref("Product"));
  add("PATCH", "/api/v1/products/{sku}", Ref("ProductPatch"), Ref("Product"));

  add("GET", "/api/v1/locations", nullptr, Items(Ref("Location")));
  add("POST", "/api/v1/locations", one_or_batch("LocationInput", "LocationBatch"), Ref("Upserted"));
  add("GET", "/api/v1/suppliers", nullptr, Items(Ref("Supplier")));
  add("POST", "/api/v1/suppliers", one_or_batch("SupplierInput", "SupplierBatch"), Ref("Upserted"));

  add("POST", "/api/v1/movements", one_or_batch("Movement", "MovementBatch"),
      Ref("MovementResult"));
  add("GET", "/api/v1/stock", nullptr, Items(Ref("StockLevel")));
  add("POST", "/api/v1/sales", Ref("SalesBatch"), Ref("MovementResult"));
  add("POST", "/api/v1/cart-events", Ref("CartEventBatch"), Ref("Stored"));

  add("GET", "/api/v1/alerts", nullptr, Items(Ref("Alert")));
  add("POST", "/api/v1/alerts/{id}/ack", nullptr,
      Obj({{"id", Int()}, {"status", Enum({"acknowledged"})}}, {"id", "status"}));
  add("GET", "/api/v1/kpis", nullptr,
      Obj({{"plan_run_id", Int()}, {"items", ArrayOf(Ref("Kpi"))}}, {"plan_run_id", "items"}));

  add("GET", "/api/v1/forecasts", nullptr, Items(Ref("Run")));
  add("GET", "/api/v1/forecasts/{run}", nullptr,
      Obj({{"run_id", Int()},
           {"sku", Str()},
           {"location", Str()},
           {"items", ArrayOf(Ref("ForecastPoint"))}},
          {"run_id", "sku", "location", "items"}));
  add("GET", "/api/v1/plans", nullptr, Items(Ref("Run")));
  add("GET", "/api/v1/plans/{run}", nullptr,
      Obj({{"plan_run_id", Int()}, {"items", ArrayOf(Ref("PlanLine"))}}, {"plan_run_id", "items"}));
  add("POST", "/api/v1/plans/{run}/lines/{line}/approve", Ref("ApproveRequest"),
      Ref("PlanDecisionReply"));
  add("POST", "/api/v1/plans/{run}/lines/{line}/reject", Ref("RejectRequest"),
      Ref("PlanDecisionReply"));
  add("GET", "/api/v1/series/{sku}/{location}", nullptr, Ref("Series"));

  add("GET", "/api/v1/warning-lines", nullptr, Items(Ref("WarningLine")));
  add("PUT", "/api/v1/warning-lines/{sku}/{location}", Ref("WarningLineInput"), Ref("WarningLine"));

  add("POST", "/api/v1/jobs", Ref("JobRequest"), Ref("Job"), 202);
  add("GET", "/api/v1/jobs", nullptr, Items(Ref("Job")));
  add("GET", "/api/v1/jobs/{id}", nullptr, Ref("Job"));
  add("GET", "/api/v1/audit", nullptr, Items(Ref("AuditEntry")));
  // Not JSON, so no schema here: GET /metrics (Prometheus text), GET / and /assets/{file}
  // (the dashboard), GET /api/v1/plans/{run}/purchase-orders.csv (OpenApiJson() adds text/csv).
  return r;
}

}  // namespace

RouteSchemas SchemasFor(const std::string& method, const std::string& path) {
  static const auto* const kRoutes =
      new std::map<std::pair<std::string, std::string>, RouteSchemas>(BuildRoutes());
  auto it = kRoutes->find({method, path});
  return it == kRoutes->end() ? RouteSchemas{} : it->second;
}

nlohmann::json ComponentSchemas() {
  static const auto* const kComponents = new Json(BuildComponents());
  return *kComponents;
}

}  // namespace stockcast::server
