// The REST API on 127.0.0.1 (an ephemeral port), driven with cpp-httplib's client.
#include "stockcast/server/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "stockcast/server/auth.h"
#include "stockcast/store/store.h"
#include "test_util.h"

namespace stockcast::server {
namespace {

using Json = nlohmann::json;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = (stockcast::testing::TempDir("server") / "s.db").string();
    {
      auto store = OpenSqliteStore(db_);
      ASSERT_TRUE(store.ok()) << store.error().message;
      Product p;
      p.sku = "SKU-1";
      p.name = "Mug";
      p.category = "home";
      p.unit_cost = 2;
      p.price = 5;
      ASSERT_TRUE((*store)->UpsertProducts(std::vector<Product>{p}).ok());
      Location l;
      l.id = "WH-1";
      ASSERT_TRUE((*store)->UpsertLocations(std::vector<Location>{l}).ok());
      AlertRecord a;
      a.key = "stockout|SKU-1|WH-1";
      a.type = "stockout";
      a.sku = "SKU-1";
      a.location = "WH-1";
      a.level = a.first_level = "high";
      a.status = "open";
      a.first_seen = a.last_seen = *Date::FromYmd(2024, 5, 1);
      ASSERT_TRUE((*store)->SaveAlerts(std::vector<AlertRecord>{a}).ok());
      auto viewer = CreateToken(**store, "dash", Role::kViewer);
      auto planner = CreateToken(**store, "planner bob", Role::kPlanner);
      ASSERT_TRUE(viewer.ok() && planner.ok());
      viewer_ = viewer->token;
      planner_ = planner->token;
    }
    ServerOptions o;
    o.port = 0;
    o.max_batch = 5;
    auto s = Server::Create(db_, o);
    ASSERT_TRUE(s.ok()) << s.error().message;
    server_ = std::move(s).value();
    thread_ = std::thread([this] { (void)server_->Run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    // Wait until it answers.
    for (int i = 0; i < 100; ++i) {
      if (auto r = client_->Get("/healthz"); r && r->status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  httplib::Headers Bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}, {"X-Request-Id", "test-req"}};
  }
  httplib::Result Post(const std::string& path, const Json& body, const std::string& token) {
    return client_->Post(path.c_str(), Bearer(token), body.dump(), "application/json");
  }
  double OnHand(const std::string& sku, const std::string& location) {
    auto r = client_->Get(("/api/v1/stock?sku=" + sku + "&location=" + location).c_str(),
                          Bearer(viewer_));
    EXPECT_TRUE(r && r->status == 200);
    const Json j = Json::parse(r->body);
    return j["items"].empty() ? 0.0 : j["items"][0]["on_hand"].get<double>();
  }
  static Json Move(const std::string& key, const std::string& type, double q) {
    return {{"sku", "SKU-1"},   {"location", "WH-1"},    {"type", type},
            {"quantity", q},    {"idempotency_key", key}, {"date", "2024-05-02"}};
  }

  std::string db_, viewer_, planner_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ServerTest, OnlyHealthzAnswersWithoutAToken) {
  auto h = client_->Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(Json::parse(h->body)["status"], "ok");
  auto none = client_->Get("/api/v1/products");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(Json::parse(none->body)["error"]["code"], "unauthenticated");
  auto bad = client_->Get("/api/v1/products", Bearer("sct_not-a-real-token"));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  auto ok = client_->Get("/api/v1/products", Bearer(viewer_));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(Json::parse(ok->body)["items"][0]["sku"], "SKU-1");
  EXPECT_EQ(ok->get_header_value("X-Request-Id"), "test-req");
}

// Every route the OpenAPI document lists is served (401 without a token, 200 for /healthz), and
// a route it does not list is not.
TEST_F(ServerTest, OpenApiListsExactlyTheServedRoutes) {
  auto r = client_->Get("/openapi.json", Bearer(viewer_));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const Json doc = Json::parse(r->body);
  EXPECT_EQ(doc["openapi"], "3.0.3");
  int routes = 0;
  const std::set<std::string> is_public = {"/healthz", "/", "/assets/{file}"};
  for (const auto& [path, ops] : doc["paths"].items()) {
    std::string concrete = path;
    for (const auto& [param, value] :
         std::vector<std::pair<std::string, std::string>>{{"{id}", "1"},
                                                          {"{run}", "1"},
                                                          {"{line}", "1"},
                                                          {"{sku}", "SKU-1"},
                                                          {"{location}", "WH-1"},
                                                          {"{file}", "app.js"}}) {
      if (auto at = concrete.find(param); at != std::string::npos) {
        concrete.replace(at, param.size(), value);
      }
    }
    for (const auto& [method, op] : ops.items()) {
      ++routes;
      httplib::Result res = method == "get"   ? client_->Get(concrete.c_str())
                            : method == "put" ? client_->Put(concrete.c_str(), "{}", "application/json")
                            : method == "patch"
                                ? client_->Patch(concrete.c_str(), "{}", "application/json")
                                : client_->Post(concrete.c_str(), "{}", "application/json");
      ASSERT_TRUE(res) << method << " " << path;
      if (is_public.count(path)) {
        EXPECT_NE(res->status, 401) << method << " " << path;
        EXPECT_NE(res->status, 404) << method << " " << path << " is not served";
      } else {
        EXPECT_EQ(res->status, 401) << method << " " << path;
      }
      EXPECT_EQ(op.contains("x-role"), !is_public.count(path)) << path;
    }
  }
  EXPECT_GE(routes, 36);
  auto missing = client_->Get("/api/v1/nope", Bearer(viewer_));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(ServerTest, RolesAreCheckedOnEveryMutation) {
  auto r = Post("/api/v1/movements", Move("k1", "receipt", 5), viewer_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("needs role planner"), std::string::npos) << r->body;
  EXPECT_EQ(OnHand("SKU-1", "WH-1"), 0.0);
}

TEST_F(ServerTest, ARetriedMovementAppliesOnce) {
  auto first = Post("/api/v1/movements", Move("k1", "receipt", 10), planner_);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(Json::parse(first->body)["inserted"], 1);
  auto retry = Post("/api/v1/movements", Move("k1", "receipt", 10), planner_);
  ASSERT_TRUE(retry);
  EXPECT_EQ(Json::parse(retry->body)["already_present"], 1);
  EXPECT_EQ(OnHand("SKU-1", "WH-1"), 10.0);
  auto sale = Post("/api/v1/movements", Move("k2", "sale", 3), planner_);
  ASSERT_TRUE(sale);
  EXPECT_EQ(OnHand("SKU-1", "WH-1"), 7.0);
}

TEST_F(ServerTest, ABadBatchIsRefusedWholeAndNamesTheField) {
  const Json batch = {{"moves", {Move("b1", "receipt", 4), Move("b2", "receipt", 4),
                                 Move("b3", "sale", -3)}}};
  auto r = Post("/api/v1/movements", batch, planner_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Json::parse(r->body)["error"]["message"],
            "quantity = -3 at $.moves[2].quantity; must be > 0");
  EXPECT_EQ(OnHand("SKU-1", "WH-1"), 0.0) << "nothing half-applied";
  // Too many in one request (max_batch = 5 here).
  Json big = {{"moves", Json::array()}};
  for (int i = 0; i < 6; ++i) big["moves"].push_back(Move("m" + std::to_string(i), "receipt", 1));
  auto too_big = Post("/api/v1/movements", big, planner_);
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 413);
  auto not_json = client_->Post("/api/v1/movements", Bearer(planner_), "{oops", "application/json");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  auto bad_type = Post("/api/v1/movements", Move("t1", "gift", 1), planner_);
  ASSERT_TRUE(bad_type);
  EXPECT_NE(bad_type->body.find("type = \\\"gift\\\" at $.type"), std::string::npos) << bad_type->body;
}

TEST_F(ServerTest, SellingMoreThanOnHandIsAConflict) {
  ASSERT_EQ(Post("/api/v1/movements", Move("r1", "receipt", 3), planner_)->status, 200);
  auto r = Post("/api/v1/movements", Move("s1", "sale", 5), planner_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409);
  EXPECT_EQ(Json::parse(r->body)["error"]["code"], "conflict");
  EXPECT_NE(r->body.find("would take on hand to -2"), std::string::npos) << r->body;
  EXPECT_EQ(OnHand("SKU-1", "WH-1"), 3.0);
}

TEST_F(ServerTest, TransfersMoveStockBetweenLocations) {
  ASSERT_EQ(Post("/api/v1/movements", Move("r1", "receipt", 10), planner_)->status, 200);
  Json t = Move("t1", "transfer", 4);
  t["to_location"] = "WH-2";
  auto r = Post("/api/v1/movements", t, planner_);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Json::parse(r->body)["inserted"], 2);
  EXPECT_EQ(OnHand("SKU-1", "WH-1"), 6.0);
  EXPECT_EQ(OnHand("SKU-1", "WH-2"), 4.0);
}

TEST_F(ServerTest, MutationsAreAuditedAndAlertsAcknowledged) {
  ASSERT_EQ(Post("/api/v1/movements", Move("a1", "receipt", 2), planner_)->status, 200);
  auto alerts = client_->Get("/api/v1/alerts", Bearer(viewer_));
  ASSERT_TRUE(alerts);
  const Json list = Json::parse(alerts->body)["items"];
  ASSERT_EQ(list.size(), 1u);
  const int64_t id = list[0]["id"];
  auto ack = Post("/api/v1/alerts/" + std::to_string(id) + "/ack", Json::object(), planner_);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->status, 200) << ack->body;
  auto again = client_->Get("/api/v1/alerts", Bearer(viewer_));
  EXPECT_EQ(Json::parse(again->body)["items"][0]["status"], "acknowledged");
  auto unknown = Post("/api/v1/alerts/999/ack", Json::object(), planner_);
  EXPECT_EQ(unknown->status, 404);

  server_->Stop();
  thread_.join();
  auto store = OpenSqliteStore(db_);
  ASSERT_TRUE(store.ok());
  auto log = (*store)->ListAudit(50);
  ASSERT_TRUE(log.ok());
  bool movement = false, acked = false;
  for (const AuditRecord& a : *log) {
    if (a.action == "POST /api/v1/movements") {
      movement = true;
      EXPECT_EQ(a.actor, "planner bob");
      EXPECT_EQ(a.role, "planner");
      EXPECT_EQ(a.request_id, "test-req");
      EXPECT_EQ(a.status, 200);
    }
    acked = acked || a.action.find("/ack") != std::string::npos;
  }
  EXPECT_TRUE(movement);
  EXPECT_TRUE(acked);
}

TEST_F(ServerTest, MetricsCountRequestsAndMovements) {
  ASSERT_EQ(Post("/api/v1/movements", Move("x1", "receipt", 2), planner_)->status, 200);
  (void)Post("/api/v1/movements", Move("x1", "receipt", 2), planner_);
  auto m = client_->Get("/metrics", Bearer(viewer_));
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find(R"(stockcast_movements_total{result="inserted"} 1)"), std::string::npos)
      << m->body;
  EXPECT_NE(m->body.find(R"(stockcast_movements_total{result="already_present"} 1)"),
            std::string::npos);
  EXPECT_NE(m->body.find(R"(stockcast_requests_total{method="POST",route="/api/v1/movements",status="200"} 2)"),
            std::string::npos)
      << m->body;
}

// A token over its rate gets 429 with Retry-After; another token is not affected.
TEST_F(ServerTest, RateLimitIsPerToken) {
  server_->Stop();
  thread_.join();
  ServerOptions o;
  o.port = 0;
  o.rate_limit = 1;  // bucket of 2
  auto s = Server::Create(db_, o);
  ASSERT_TRUE(s.ok());
  server_ = std::move(s).value();
  thread_ = std::thread([this] { (void)server_->Run(); });
  client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  int ok = 0, limited = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 8; ++i) {
    auto r = client_->Get("/api/v1/locations", Bearer(viewer_));
    if (!r) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    if (r->status == 200) ++ok;
    if (r->status == 429) {
      ++limited;
      EXPECT_FALSE(r->get_header_value("Retry-After").empty());
      EXPECT_EQ(Json::parse(r->body)["error"]["code"], "rate_limited");
    }
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // 2 in the bucket plus at most one per second refilled while the requests ran.
  EXPECT_GE(ok, 2);
  EXPECT_LE(ok, 2 + static_cast<int>(elapsed) + 1);
  EXPECT_GE(limited, 8 - (2 + static_cast<int>(elapsed) + 1));
  auto other = client_->Get("/api/v1/locations", Bearer(planner_));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
}

TEST(ServerAuth, TokensAreRandomAndOnlyTheirHashIsStored) {
  ASSERT_TRUE(InitCrypto().ok());
  const std::string a = NewToken(), b = NewToken();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("sct_", 0), 0u);
  EXPECT_EQ(a.size(), 4u + 43u);
  EXPECT_EQ(HashToken(a).size(), 64u);
  EXPECT_EQ(HashToken(a), HashToken(a));
  EXPECT_NE(HashToken(a), HashToken(b));
  EXPECT_EQ(ParseRole("admin"), Role::kAdmin);
  EXPECT_FALSE(ParseRole("root").has_value());
}

TEST(ServerCreate, AMissingStoreIsNamed) {
  auto s = Server::Create("/nonexistent/x.db", ServerOptions{});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("no such store"), std::string::npos);
  ServerOptions bad;
  bad.port = 70000;
  EXPECT_FALSE(bad.Validate().ok());
}

}  // namespace
}  // namespace stockcast::server
