// The service routes of issue 6 beyond the ledger: live warning-line alerts, plan decisions and
// the purchase-order CSV, the SKU page bundle, warning lines, jobs, sales lines and TLS.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "stockcast/server/auth.h"
#include "stockcast/server/server.h"
#include "stockcast/store/store.h"
#include "test_util.h"

namespace stockcast::server {
namespace {

using Json = nlohmann::json;

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = stockcast::testing::TempDir("service");
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
    // A plan with two lines and its warning line for SKU-1@WH-1 at 10 units.
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
    a.explanation = "on hand below the reorder point";
    PlanLine b = a;
    b.order_date = D(2024, 5, 3);
    b.quantity = 0;
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
  }
  void TearDown() override {
    Stop();
    std::filesystem::remove_all(dir_);
  }
  void Start(ServerOptions o = {}) {
    o.port = 0;
    auto s = Server::Create(db_, o);
    ASSERT_TRUE(s.ok()) << s.error().message;
    server_ = std::move(s).value();
    thread_ = std::thread([this] { (void)server_->Run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    for (int i = 0; i < 100; ++i) {
      if (auto r = client_->Get("/healthz"); r && r->status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  void Stop() {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }
  httplib::Headers Bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }
  httplib::Result Post(const std::string& path, const Json& body, const std::string& token) {
    return client_->Post(path.c_str(), Bearer(token), body.dump(), "application/json");
  }
  Json Get(const std::string& path, const std::string& token, int want = 200) {
    auto r = client_->Get(path.c_str(), Bearer(token));
    EXPECT_TRUE(r) << path;
    if (!r) return Json();
    EXPECT_EQ(r->status, want) << path << ": " << r->body;
    return Json::parse(r->body, nullptr, false);
  }
  static Json Move(const std::string& key, const std::string& type, double q) {
    return {{"sku", "SKU-1"}, {"location", "WH-1"},    {"type", type},
            {"quantity", q},  {"idempotency_key", key}, {"date", "2024-05-02"}};
  }

  std::filesystem::path dir_;
  std::string db_, viewer_, planner_, admin_;
  int64_t plan_run_ = 0;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ServiceTest, CrossingTheLowerWarningLineRaisesTheAlertAtOnce) {
  Start();
  ASSERT_EQ(Post("/api/v1/movements", Move("r1", "receipt", 15), planner_)->status, 200);
  EXPECT_TRUE(Get("/api/v1/alerts", viewer_)["items"].empty());
  // 15 -> 8: below the line at 10.
  auto sale = Post("/api/v1/movements", Move("s1", "sale", 7), planner_);
  ASSERT_TRUE(sale);
  ASSERT_EQ(sale->status, 200) << sale->body;
  const Json reply = Json::parse(sale->body);
  ASSERT_EQ(reply["alerts"].size(), 1u) << sale->body;
  EXPECT_EQ(reply["alerts"][0]["type"], "below_warning_line");
  EXPECT_EQ(reply["balances"][0]["before"], 15.0);
  EXPECT_EQ(reply["balances"][0]["on_hand"], 8.0);
  Json alerts = Get("/api/v1/alerts", viewer_)["items"];
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["status"], "open");
  EXPECT_NE(alerts[0]["message"].get<std::string>().find("warning line 10"), std::string::npos);
  // Another sale below the line refreshes the same alert; selling out adds out_of_stock.
  ASSERT_EQ(Post("/api/v1/movements", Move("s2", "sale", 8), planner_)->status, 200);
  alerts = Get("/api/v1/alerts", viewer_)["items"];
  ASSERT_EQ(alerts.size(), 2u) << alerts.dump();
  // A receipt back above the line resolves both.
  auto back = Post("/api/v1/movements", Move("r2", "receipt", 30), planner_);
  ASSERT_EQ(back->status, 200);
  EXPECT_TRUE(Get("/api/v1/alerts", viewer_)["items"].empty());
  EXPECT_EQ(Get("/api/v1/alerts?all=1", viewer_)["items"].size(), 2u);
  // The metric counts the raised ones.
  auto m = client_->Get("/metrics", Bearer(viewer_));
  EXPECT_NE(m->body.find("stockcast_alerts_raised_total 2"), std::string::npos) << m->body;
}

// The first definite answer for a key is final: a resent refused movement stays refused even
// when stock has arrived since, so a timed-out first attempt can never commit after a 409.
// Every request body refuses fields it does not know, naming the field, where it is and the
// fields it takes: a misspelt "unit_cots" must not silently leave the old cost in place.
TEST_F(ServiceTest, UnknownFieldsAreRefusedAndNamed) {
  Start();
  struct Case {
    std::string path;
    Json body;
    std::string expect;
  };
  Json move = Move("u1", "receipt", 1);
  move["qty"] = 1;
  const std::vector<Case> cases = {
      {"/api/v1/products", {{"sku", "SKU-9"}, {"unit_cots", 3}}, "$.unit_cots is not allowed"},
      {"/api/v1/products",
       {{"products", {{{"sku", "SKU-8"}}, {{"sku", "SKU-9"}, {"colour", "red"}}}}},
       "$.products[1].colour is not allowed"},
      {"/api/v1/products", {{"products", {{{"sku", "SKU-8"}}}}, {"dry_run", true}},
       "$.dry_run is not allowed; field: products"},
      {"/api/v1/locations", {{"id", "WH-9"}, {"capacity", 10}}, "$.capacity is not allowed"},
      {"/api/v1/suppliers", {{"id", "SUP-9"}, {"lead_time", 3}}, "$.lead_time is not allowed"},
      {"/api/v1/movements", move, "$.qty is not allowed"},
      {"/api/v1/movements", {{"moves", {move}}}, "$.moves[0].qty is not allowed"},
      {"/api/v1/sales",
       {{"lines",
         {{{"order_id", "o1"},
           {"sku", "SKU-1"},
           {"location", "WH-1"},
           {"quantity", 1},
           {"reference", "x"}}}}},
       "$.lines[0].reference is not allowed"},
      {"/api/v1/cart-events",
       {{"events", {{{"sku", "SKU-1"}, {"date", "2024-05-02"}, {"count", 2}, {"views", 9}}}}},
       "$.events[0].views is not allowed"},
  };
  for (const Case& c : cases) {
    auto r = Post(c.path, c.body, planner_);
    ASSERT_TRUE(r) << c.path;
    EXPECT_EQ(r->status, 400) << c.path << " " << c.body.dump() << ": " << r->body;
    EXPECT_NE(r->body.find(c.expect), std::string::npos) << c.path << ": " << r->body;
  }
  // Nothing was written.
  auto products = Get("/api/v1/products?limit=100", viewer_);
  for (const Json& p : products["items"]) {
    EXPECT_NE(p["sku"], "SKU-9");
    EXPECT_NE(p["sku"], "SKU-8");
  }
  // The same bodies without the stray field are accepted.
  EXPECT_EQ(Post("/api/v1/products", {{"sku", "SKU-9"}, {"unit_cost", 3}}, planner_)->status, 200);
  EXPECT_EQ(Post("/api/v1/movements", Move("u1", "receipt", 1), planner_)->status, 200);
}

TEST_F(ServiceTest, ARefusalIsFinalForItsKey) {
  Start();
  ASSERT_EQ(Post("/api/v1/movements", Move("r1", "receipt", 2), planner_)->status, 200);
  auto refused = Post("/api/v1/movements", Move("sale-1", "sale", 5), planner_);
  ASSERT_EQ(refused->status, 409) << refused->body;
  ASSERT_EQ(Post("/api/v1/movements", Move("r2", "receipt", 10), planner_)->status, 200);
  auto again = Post("/api/v1/movements", Move("sale-1", "sale", 5), planner_);
  ASSERT_EQ(again->status, 409) << again->body;
  EXPECT_NE(again->body.find("refusal is final for its key"), std::string::npos) << again->body;
  EXPECT_EQ(Post("/api/v1/movements", Move("sale-2", "sale", 5), planner_)->status, 200);
  EXPECT_EQ(Get("/api/v1/stock?sku=SKU-1", viewer_)["items"][0]["on_hand"], 7.0);
}

TEST_F(ServiceTest, AManualWarningLineWinsOverThePlanAndIsChecked) {
  Start();
  auto bad = client_->Put("/api/v1/warning-lines/SKU-1/WH-1", Bearer(planner_),
                          R"({"lower_units": 30, "upper_units": 20})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("upper_units = 20 < lower_units = 30"), std::string::npos) << bad->body;
  auto viewer = client_->Put("/api/v1/warning-lines/SKU-1/WH-1", Bearer(viewer_),
                             R"({"lower_units": 3})", "application/json");
  EXPECT_EQ(viewer->status, 403);
  auto ok = client_->Put("/api/v1/warning-lines/SKU-1/WH-1", Bearer(planner_),
                         R"({"lower_units": 3, "upper_units": 90})", "application/json");
  ASSERT_EQ(ok->status, 200) << ok->body;
  const Json lines = Get("/api/v1/warning-lines?sku=SKU-1", viewer_)["items"];
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["lower_units"], 3.0);
  EXPECT_EQ(lines[0]["source"], "manual");
  Stop();
  // A later plan does not overwrite it.
  auto store = OpenSqliteStore(db_);
  ASSERT_TRUE(store.ok());
  WarningLineRecord w;
  w.sku = "SKU-1";
  w.location = "WH-1";
  w.lower_units = 11;
  w.source = "plan";
  ASSERT_TRUE((*store)->SaveWarningLines(std::vector<WarningLineRecord>{w}).ok());
  auto kept = (*store)->ListWarningLines("SKU-1", "WH-1");
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ((*kept)[0].lower_units, 3.0);
}

TEST_F(ServiceTest, ApprovingALineCreatesAPurchaseOrderOnceAndTheCsvListsIt) {
  Start();
  const std::string base = "/api/v1/plans/" + std::to_string(plan_run_);
  Json plan = Get("/api/v1/plans/latest", viewer_);
  ASSERT_EQ(plan["items"].size(), 2u);
  EXPECT_EQ(plan["items"][0]["line"], 1);
  EXPECT_TRUE(plan["items"][0]["decision"].is_null());
  // Viewers cannot decide; unknown fields and lines are named.
  EXPECT_EQ(Post(base + "/lines/1/approve", Json::object(), viewer_)->status, 403);
  auto unknown = Post(base + "/lines/1/approve", {{"qty", 3}}, planner_);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(unknown->body.find("$.qty is not allowed"), std::string::npos) << unknown->body;
  EXPECT_EQ(Post(base + "/lines/9/approve", Json::object(), planner_)->status, 404);
  // A line that orders nothing needs an explicit quantity.
  EXPECT_EQ(Post(base + "/lines/2/approve", Json::object(), planner_)->status, 409);
  auto approved = Post(base + "/lines/1/approve", {{"note", "ok for May"}}, planner_);
  ASSERT_EQ(approved->status, 200) << approved->body;
  const Json d = Json::parse(approved->body);
  EXPECT_EQ(d["status"], "approved");
  EXPECT_EQ(d["quantity"], 40.0);
  EXPECT_EQ(d["po_id"], "PLAN-" + std::to_string(plan_run_) + "-1");
  // Decisions are final.
  auto twice = Post(base + "/lines/1/reject", {{"reason", "changed my mind"}}, planner_);
  EXPECT_EQ(twice->status, 409);
  EXPECT_NE(twice->body.find("already approved by planner ann"), std::string::npos) << twice->body;
  EXPECT_EQ(Post(base + "/lines/2/reject", Json::object(), planner_)->status, 400);  // reason
  ASSERT_EQ(Post(base + "/lines/2/reject", {{"reason", "enough stock"}}, planner_)->status, 200);
  plan = Get("/api/v1/plans/latest", viewer_);
  EXPECT_EQ(plan["items"][0]["decision"]["status"], "approved");
  EXPECT_EQ(plan["items"][1]["decision"]["status"], "rejected");
  // on_order counts the approved order at once.
  const Json stock = Get("/api/v1/stock?sku=SKU-1&location=WH-1", viewer_);
  ASSERT_EQ(stock["items"].size(), 1u) << stock.dump();
  EXPECT_EQ(stock["items"][0]["on_order"], 40.0);
  // The CSV holds the approved line only.
  auto csv = client_->Get((base + "/purchase-orders.csv").c_str(), Bearer(viewer_));
  ASSERT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type").rfind("text/csv", 0), 0u);
  EXPECT_NE(csv->body.find("PLAN-" + std::to_string(plan_run_) + "-1,SUP,WH-1,SKU-1,40,2.0000,80.00,"
                                                                  "2024-05-02,2024-05-09,planner ann"),
            std::string::npos)
      << csv->body;
  EXPECT_EQ(std::count(csv->body.begin(), csv->body.end(), '\n'), 2);
  // The overview counts the decisions; the audit log (admin only) has them.
  const Json overview = Get("/api/v1/overview", viewer_);
  EXPECT_EQ(overview["orders"]["approved"], 1);
  EXPECT_EQ(overview["orders"]["rejected"], 1);
  EXPECT_EQ(overview["orders"]["to_order"], 1);
  Get("/api/v1/audit", planner_, 403);
  const Json audit = Get("/api/v1/audit", admin_)["items"];
  bool found = false;
  for (const Json& a : audit) {
    found = found || a["action"].get<std::string>().find("/lines/1/approve") != std::string::npos;
  }
  EXPECT_TRUE(found) << audit.dump();
}

TEST_F(ServiceTest, TheSeriesBundleHasHistoryProjectionLinesAndStock) {
  Start();
  ASSERT_EQ(Post("/api/v1/movements", Move("r1", "receipt", 15), planner_)->status, 200);
  const Json s = Get("/api/v1/series/SKU-1/WH-1", viewer_);
  EXPECT_EQ(s["product"]["name"], "Mug");
  EXPECT_EQ(s["stock"]["on_hand"], 15.0);
  ASSERT_EQ(s["projection"]["points"].size(), 5u);
  EXPECT_EQ(s["projection"]["points"][0]["p50"], 12.0);
  EXPECT_EQ(s["warning_lines"]["lower"], 10.0);
  EXPECT_EQ(s["reorder_point"], 12.0);
  EXPECT_EQ(s["plan_lines"].size(), 2u);
  EXPECT_TRUE(s["forecast"].is_null());
  Get("/api/v1/series/NOPE/WH-1", viewer_, 404);
}

TEST_F(ServiceTest, SalesLinesBecomeIdempotentSaleAndReturnMovements) {
  Start();
  ASSERT_EQ(Post("/api/v1/movements", Move("r1", "receipt", 20), planner_)->status, 200);
  const Json lines = {{"lines",
                       {{{"order_id", "O-1"}, {"sku", "SKU-1"}, {"location", "WH-1"}, {"quantity", 3},
                         {"date", "2024-05-02"}},
                        {{"order_id", "O-2"}, {"sku", "SKU-1"}, {"location", "WH-1"}, {"quantity", -1},
                         {"date", "2024-05-02"}}}}};
  auto first = Post("/api/v1/sales", lines, planner_);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(Json::parse(first->body)["inserted"], 2);
  auto again = Post("/api/v1/sales", lines, planner_);
  EXPECT_EQ(Json::parse(again->body)["already_present"], 2);
  EXPECT_EQ(Get("/api/v1/stock?sku=SKU-1", viewer_)["items"][0]["on_hand"], 18.0);
  auto bad = Post("/api/v1/sales", {{"lines", {{{"sku", "SKU-1"}}}}}, planner_);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("$.lines[0].order_id is missing"), std::string::npos) << bad->body;
  auto text_quantity = Post("/api/v1/sales",
                            {{"lines", {{{"order_id", "O-3"}, {"sku", "SKU-1"}, {"location", "WH-1"},
                                         {"quantity", "two"}}}}},
                            planner_);
  EXPECT_EQ(text_quantity->status, 400) << text_quantity->body;
  EXPECT_NE(text_quantity->body.find("$.lines[0].quantity; must be a number"), std::string::npos)
      << text_quantity->body;
  auto cart = Post("/api/v1/cart-events",
                   {{"events", {{{"sku", "SKU-1"}, {"date", "2024-05-02"}, {"count", 7}}}}}, planner_);
  EXPECT_EQ(cart->status, 200) << cart->body;
}

TEST_F(ServiceTest, AJobWithBadParamsIsRefusedAndAQueuedJobRunsToAnEnd) {
  Start();
  auto bad = Post("/api/v1/jobs", {{"kind", "plan"}, {"params", {{"budgit", 5}}}}, planner_);
  ASSERT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("$.params.budgit is not a plan job parameter"), std::string::npos)
      << bad->body;
  EXPECT_EQ(Post("/api/v1/jobs", {{"kind", "train"}}, planner_)->status, 400);
  auto typo = Post("/api/v1/jobs", {{"kind", "plan"}, {"parms", {{"budget", 5}}}}, planner_);
  EXPECT_EQ(typo->status, 400);
  EXPECT_NE(typo->body.find("$.parms is not allowed"), std::string::npos) << typo->body;
  EXPECT_EQ(Post("/api/v1/jobs", {{"kind", "forecast"}}, viewer_)->status, 403);
  // This store has no demand history: the forecast job fails and says why.
  auto started = Post("/api/v1/jobs", {{"kind", "forecast"}, {"params", {{"horizon", 7}}}}, planner_);
  ASSERT_EQ(started->status, 202) << started->body;
  const std::string where = started->get_header_value("Location");
  ASSERT_FALSE(where.empty());
  Json job;
  for (int i = 0; i < 200; ++i) {
    job = Get(where, viewer_);
    if (job["status"] == "succeeded" || job["status"] == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(job["status"], "failed") << job.dump();
  EXPECT_FALSE(job["error"].get<std::string>().empty());
  EXPECT_EQ(Get("/api/v1/jobs", viewer_)["items"].size(), 1u);
}

// With a store that has history, a plan job succeeds and produces the run the API then serves.
TEST(ServiceJobs, APlanJobProducesAPlanRun) {
  const auto dir = stockcast::testing::TempDir("service-job");
  const std::string bin = STOCKCAST_BINARY;
  const std::string db = (dir / "s.db").string();
  ASSERT_EQ(std::system((bin + " -q generate --out " + (dir / "data").string() +
                         " --skus 3 --days 120 --seed 3 > /dev/null")
                            .c_str()),
            0);
  ASSERT_EQ(std::system((bin + " -q import --dir " + (dir / "data").string() + " --db " + db +
                         " > /dev/null")
                            .c_str()),
            0);
  std::string token;
  {
    auto store = OpenSqliteStore(db);
    ASSERT_TRUE(store.ok());
    auto t = CreateToken(**store, "jobs", Role::kPlanner);
    ASSERT_TRUE(t.ok());
    token = t->token;
  }
  ServerOptions o;
  o.port = 0;
  auto s = Server::Create(db, o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::thread run([&] { (void)(*s)->Run(); });
  httplib::Client c("127.0.0.1", (*s)->port());
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  auto started = c.Post("/api/v1/jobs", auth, R"({"kind":"plan","params":{"threads":1}})",
                        "application/json");
  ASSERT_TRUE(started);
  ASSERT_EQ(started->status, 202) << started->body;
  Json job;
  for (int i = 0; i < 1200; ++i) {
    auto r = c.Get(started->get_header_value("Location").c_str(), auth);
    ASSERT_TRUE(r);
    job = Json::parse(r->body);
    if (job["status"] == "succeeded" || job["status"] == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(job["progress"], 1.0);
  ASSERT_TRUE(job["run_id"].is_number());
  auto plan = c.Get("/api/v1/plans/latest", auth);
  ASSERT_EQ(plan->status, 200);
  EXPECT_EQ(Json::parse(plan->body)["plan_run_id"], job["run_id"]);
  // The plan stored projections and warning lines for the SKU page and live alerts.
  auto lines = c.Get("/api/v1/warning-lines", auth);
  EXPECT_FALSE(Json::parse(lines->body)["items"].empty()) << lines->body;
  const Json first = Json::parse(plan->body)["items"][0];
  auto series = c.Get(("/api/v1/series/" + first["sku"].get<std::string>() + "/" +
                       first["location"].get<std::string>())
                          .c_str(),
                      auth);
  ASSERT_EQ(series->status, 200);
  const Json bundle = Json::parse(series->body);
  EXPECT_FALSE(bundle["history"].empty());
  EXPECT_FALSE(bundle["forecast"].is_null());
  EXPECT_FALSE(bundle["projection"].is_null());
  auto metrics = c.Get("/metrics", auth);
  EXPECT_NE(metrics->body.find(R"(stockcast_jobs_total{kind="plan",status="succeeded"} 1)"),
            std::string::npos)
      << metrics->body;
  (*s)->Stop();
  run.join();
  std::filesystem::remove_all(dir);
}

// --tls-cert/--tls-key: HTTPS only; a bad certificate is refused with the file named.
TEST(ServiceTls, ServesHttpsWithAValidCertificate) {
  if (std::system("command -v openssl > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "openssl is not installed (scripts/install-deps.sh installs it)";
  }
  const auto dir = stockcast::testing::TempDir("service-tls");
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  ASSERT_EQ(std::system(("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                         "-days 1 -subj /CN=127.0.0.1 -keyout " +
                         key + " -out " + cert + " > /dev/null 2>&1")
                            .c_str()),
            0);
  const std::string db = (dir / "s.db").string();
  {
    auto store = OpenSqliteStore(db);
    ASSERT_TRUE(store.ok());
  }
  ServerOptions o;
  o.port = 0;
  o.tls_cert = cert;
  o.tls_key = cert;  // not a key
  auto refused = Server::Create(db, o);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find(cert), std::string::npos) << refused.error().message;
  o.tls_key = key;
  auto s = Server::Create(db, o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE((*s)->tls());
  std::thread run([&] { (void)(*s)->Run(); });
  httplib::SSLClient c("127.0.0.1", (*s)->port());
  c.enable_server_certificate_verification(false);
  int status = 0;
  for (int i = 0; i < 50 && status == 0; ++i) {
    if (auto r = c.Get("/healthz")) {
      status = r->status;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  EXPECT_EQ(status, 200);
  // Plain HTTP on the TLS port gets no answer.
  httplib::Client plain("127.0.0.1", (*s)->port());
  plain.set_read_timeout(2, 0);
  auto p = plain.Get("/healthz");
  EXPECT_TRUE(!p || p->status != 200);
  (*s)->Stop();
  run.join();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace stockcast::server

namespace stockcast::server {
namespace {

// The URL of the ctest `pg` fixture's PostgreSQL server (tests/store/pg_harness.sh), or "".
std::string FixturePostgresUrl(std::string* why) {
  if (const char* url = std::getenv("STOCKCAST_TEST_PG_URL"); url != nullptr && *url != '\0') {
    return url;
  }
  std::ifstream in(std::string(STOCKCAST_PG_STATE_DIR) + "/url");
  std::string url;
  if (in && std::getline(in, url) && !url.empty()) return url;
  *why = "no PostgreSQL test server (run through ctest, whose `pg` fixture starts one)";
  return "";
}

// The service on PostgreSQL with a pool of connections: 8 clients post movements on the same
// few series at once, some resending; every balance equals its accepted movements after.
TEST(ServicePostgres, ConcurrentClientsOnAPoolKeepBalancesExact) {
  std::string why;
  const std::string base = FixturePostgresUrl(&why);
  if (base.empty()) {
    if (stockcast::testing::RequireAllTests()) FAIL() << why;
    GTEST_SKIP() << why;
  }
  const std::string schema = "srv_" + std::to_string(::getpid());
  ASSERT_EQ(std::system(("psql -q \"" + base + "\" -c 'CREATE SCHEMA " + schema + "' > /dev/null")
                            .c_str()),
            0);
  const std::string url = base + (base.find('?') == std::string::npos ? "?" : "&") +
                          "options=-csearch_path%3D" + schema;
  std::string token;
  {
    auto store = OpenStore(url);
    ASSERT_TRUE(store.ok()) << store.error().message;
    std::vector<Product> products;
    for (int i = 0; i < 4; ++i) {
      Product p;
      p.sku = "P-" + std::to_string(i);
      products.push_back(p);
    }
    ASSERT_TRUE((*store)->UpsertProducts(products).ok());
    Location l;
    l.id = "WH";
    ASSERT_TRUE((*store)->UpsertLocations(std::vector<Location>{l}).ok());
    auto t = CreateToken(**store, "pg", Role::kPlanner);
    ASSERT_TRUE(t.ok());
    token = t->token;
  }
  ServerOptions o;
  o.port = 0;
  o.threads = 16;
  o.db_pool = 4;
  auto s = Server::Create(url, o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::thread run([&] { (void)(*s)->Run(); });
  const int port = (*s)->port();
  std::atomic<int> accepted_units[4] = {0, 0, 0, 0};
  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
      for (int k = 0; k < 40; ++k) {
        const int sku = (c + k) % 4;
        const Json move = {{"sku", "P-" + std::to_string(sku)}, {"location", "WH"},
                           {"type", "receipt"}, {"quantity", 1 + k % 3},
                           {"idempotency_key", "c" + std::to_string(c) + "-" + std::to_string(k)}};
        for (int attempt = 0; attempt < (k % 5 == 0 ? 2 : 1); ++attempt) {
          auto r = client.Post("/api/v1/movements", auth, move.dump(), "application/json");
          if (!r || r->status != 200) {
            ++failures;
            continue;
          }
          if (Json::parse(r->body)["inserted"] == 1) accepted_units[sku] += 1 + k % 3;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(failures.load(), 0);
  httplib::Client client("127.0.0.1", port);
  auto r = client.Get("/api/v1/stock?location=WH", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const Json items = Json::parse(r->body)["items"];
  ASSERT_EQ(items.size(), 4u) << r->body;
  int total = 0;
  for (const Json& it : items) {
    const int sku = std::stoi(it["sku"].get<std::string>().substr(2));
    EXPECT_EQ(it["on_hand"].get<double>(), accepted_units[sku].load()) << it.dump();
    total += accepted_units[sku].load();
  }
  EXPECT_GT(total, 0);
  (*s)->Stop();
  run.join();
  (void)std::system(("psql -q \"" + base + "\" -c 'DROP SCHEMA " + schema + " CASCADE' > /dev/null 2>&1").c_str());
}

}  // namespace
}  // namespace stockcast::server
