// Alerts (one live alert per key, history kept) and KPI values of a run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "store_fixture.h"

namespace stockcast::testing {
namespace {

using ::testing::HasSubstr;
class AlertsKpisTest : public StoreTest {};
STOCKCAST_STORE_BACKENDS(AlertsKpisTest);

AlertRecord MakeAlert(const std::string& type, const std::string& sku) {
  AlertRecord a;
  a.type = type;
  a.sku = sku;
  a.location = "WH-1";
  a.key = type + "|" + sku + "|WH-1";
  a.level = "medium";
  a.first_level = "medium";
  a.status = "open";
  a.action = "reorder_now";
  a.message = "P(stockout) 40%";
  a.first_seen = *Date::FromYmd(2024, 3, 1);
  a.last_seen = *Date::FromYmd(2024, 3, 1);
  a.probability = 0.4;
  a.impact = 120.5;
  return a;
}

TEST_P(AlertsKpisTest, AlertsRoundTripAndUpdateById) {
  std::vector<AlertRecord> in = {MakeAlert("stockout", "A"), MakeAlert("overstock", "B")};
  auto ids = store_->SaveAlerts(in);
  ASSERT_TRUE(ids.ok()) << ids.error().message;
  ASSERT_EQ(ids->size(), 2u);
  EXPECT_NE((*ids)[0], (*ids)[1]);

  auto listed = store_->ListAlerts(false);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].key, "overstock|B|WH-1");  // newest first
  EXPECT_EQ((*listed)[1].impact, 120.5);
  EXPECT_EQ((*listed)[1].first_seen, *Date::FromYmd(2024, 3, 1));

  // Escalate the first, resolve the second.
  AlertRecord up = (*listed)[1];
  up.level = "high";
  up.occurrences = 3;
  up.last_seen = *Date::FromYmd(2024, 3, 8);
  AlertRecord gone = (*listed)[0];
  gone.status = "resolved";
  ASSERT_TRUE(store_->SaveAlerts(std::vector<AlertRecord>{up, gone}).ok());
  auto live = store_->ListAlerts(false);
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].level, "high");
  EXPECT_EQ((*live)[0].first_level, "medium");
  EXPECT_EQ((*live)[0].occurrences, 3);
  auto all = store_->ListAlerts(true);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);

  // The resolved key may be raised again as a new alert.
  auto again = store_->SaveAlerts(std::vector<AlertRecord>{MakeAlert("overstock", "B")});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(store_->ListAlerts(true)->size(), 3u);
}

TEST_P(AlertsKpisTest, SecondLiveAlertForAKeyIsRefusedAndNothingIsWritten) {
  ASSERT_TRUE(store_->SaveAlerts(std::vector<AlertRecord>{MakeAlert("stockout", "A")}).ok());
  auto dup = store_->SaveAlerts(
      std::vector<AlertRecord>{MakeAlert("stockout", "C"), MakeAlert("stockout", "A")});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(store_->ListAlerts(true)->size(), 1u);  // the batch is one transaction
}

TEST_P(AlertsKpisTest, BadAlertFieldsAreNamed) {
  AlertRecord a = MakeAlert("stockout", "A");
  a.level = "urgent";
  auto r = store_->SaveAlerts(std::vector<AlertRecord>{a});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("alerts[0] (stockout|A|WH-1).level = \"urgent\""));
  AlertRecord b = MakeAlert("stockout", "A");
  b.id = 99;
  auto missing = store_->SaveAlerts(std::vector<AlertRecord>{b});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("id 99, which does not exist"));
}

TEST_P(AlertsKpisTest, KpisRoundTripWithUnknownValuesAndReplace) {
  auto run = store_->StartRun("plan", "");
  ASSERT_TRUE(run.ok());
  std::vector<KpiRecord> k = {{"total", "", "", "fill_rate", 0.97},
                              {"location", "WH-1", "2024-03", "turnover",
                               std::numeric_limits<double>::quiet_NaN()}};
  ASSERT_TRUE(store_->SaveKpis(*run, k).ok());
  k[0].value = 0.95;
  ASSERT_TRUE(store_->SaveKpis(*run, std::vector<KpiRecord>{k[0]}).ok());
  auto got = store_->ListKpis(*run);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].scope, "location");
  EXPECT_TRUE(std::isnan((*got)[0].value));
  EXPECT_EQ((*got)[1].metric, "fill_rate");
  EXPECT_DOUBLE_EQ((*got)[1].value, 0.95);
  EXPECT_EQ(store_->SaveKpis(*run + 100, k).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace stockcast::testing

namespace stockcast::testing {
namespace {

class TokensAuditTest : public StoreTest {};
STOCKCAST_STORE_BACKENDS(TokensAuditTest);

TEST_P(TokensAuditTest, TokensAreFoundByHashUntilRevoked) {
  TokenRecord t;
  t.name = "planner laptop";
  t.role = "planner";
  t.hash = std::string(64, 'a');
  auto id = store_->SaveToken(t);
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto found = store_->FindToken(t.hash);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->role, "planner");
  EXPECT_FALSE((*found)->created_at.empty());
  EXPECT_FALSE(store_->FindToken(std::string(64, 'b'))->has_value());
  EXPECT_FALSE(store_->SaveToken(t).ok()) << "a hash is unique";
  t.role = "root";
  t.hash = std::string(64, 'c');
  auto bad = store_->SaveToken(t);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("role = \"root\""), std::string::npos);
  ASSERT_TRUE(store_->RevokeToken(*id).ok());
  EXPECT_FALSE(store_->FindToken(std::string(64, 'a'))->has_value());
  EXPECT_EQ(store_->RevokeToken(*id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListTokens()->size(), 1u);
}

TEST_P(TokensAuditTest, AuditLogIsAppendOnlyNewestFirst) {
  AuditRecord a;
  a.actor = "cli";
  a.role = "admin";
  a.action = "token create";
  a.status = 200;
  ASSERT_TRUE(store_->AppendAudit(a).ok());
  a.action = "POST /api/v1/movements";
  a.request_id = "r-2";
  ASSERT_TRUE(store_->AppendAudit(a).ok());
  auto log = store_->ListAudit(10);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].request_id, "r-2");
  EXPECT_FALSE((*log)[0].at.empty());
  EXPECT_EQ(store_->ListAudit(1)->size(), 1u);
  a.actor = "";
  EXPECT_FALSE(store_->AppendAudit(a).ok());
}

}  // namespace
}  // namespace stockcast::testing
