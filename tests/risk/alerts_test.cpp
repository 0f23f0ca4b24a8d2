#include "stockcast/risk/alerts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stockcast::risk {
namespace {

const Date kDay = *Date::FromYmd(2024, 3, 1);

Risk MakeRisk(RiskType type, std::string sku, std::string location, RiskLevel level,
              double impact = 50) {
  Risk r;
  r.type = type;
  r.sku = std::move(sku);
  r.location = std::move(location);
  r.level = level;
  r.impact = impact;
  r.probability = 0.3;
  r.action = RiskAction::kReorderNow;
  r.message = "msg";
  return r;
}

AlertMerge Merge(const std::vector<Alert>& previous, const std::vector<Risk>& now, Date as_of,
                 const AlertPolicy& policy = {}) {
  auto m = MergeAlerts(previous, now, as_of, policy);
  EXPECT_TRUE(m.ok()) << Describe(m.error());
  return m.ok() ? *m : AlertMerge{};
}

// What the store would hand back next time: the unresolved alerts.
std::vector<Alert> Unresolved(const AlertMerge& m) {
  std::vector<Alert> out;
  for (const Alert& a : m.alerts) {
    if (a.status != AlertStatus::kResolved) out.push_back(a);
  }
  return out;
}

TEST(Alerts, StatusNamesAndKey) {
  EXPECT_EQ(ToString(AlertStatus::kAcknowledged), "acknowledged");
  EXPECT_EQ(ParseAlertStatus("resolved"), AlertStatus::kResolved);
  EXPECT_FALSE(ParseAlertStatus("closed").has_value());
  EXPECT_EQ(AlertKey(RiskType::kStockout, "SKU-1", "WH-1"), "stockout|SKU-1|WH-1");
}

TEST(Alerts, SameRiskTwiceIsOneAlertWithTwoOccurrences) {
  const Risk r = MakeRisk(RiskType::kStockout, "SKU-1", "WH-1", RiskLevel::kLow);
  AlertMerge m1 = Merge({}, {r}, kDay);
  ASSERT_EQ(m1.alerts.size(), 1u);
  EXPECT_EQ(m1.created, 1);
  EXPECT_EQ(m1.alerts[0].occurrences, 1);
  EXPECT_EQ(m1.alerts[0].status, AlertStatus::kOpen);
  EXPECT_EQ(m1.alerts[0].key, "stockout|SKU-1|WH-1");
  // The store assigns an id.
  std::vector<Alert> stored = Unresolved(m1);
  stored[0].id = 42;

  AlertMerge m2 = Merge(stored, {r}, kDay + 1);
  ASSERT_EQ(m2.alerts.size(), 1u);
  EXPECT_EQ(m2.created, 0);
  EXPECT_EQ(m2.updated, 1);
  EXPECT_EQ(m2.alerts[0].id, 42);
  EXPECT_EQ(m2.alerts[0].occurrences, 2);
  EXPECT_EQ(m2.alerts[0].first_seen, kDay);
  EXPECT_EQ(m2.alerts[0].last_seen, kDay + 1);
  EXPECT_EQ(m2.alerts[0].level, RiskLevel::kLow);

  // Re-running the same day is idempotent: still 2 occurrences, same level.
  AlertMerge m3 = Merge(Unresolved(m2), {r}, kDay + 1);
  ASSERT_EQ(m3.alerts.size(), 1u);
  EXPECT_EQ(m3.alerts[0].occurrences, 2);
  EXPECT_EQ(m3.escalated, 0);
  // Two risks with one key in a run collapse into one alert.
  AlertMerge dup = Merge({}, {r, r}, kDay);
  EXPECT_EQ(dup.alerts.size(), 1u);
  EXPECT_EQ(dup.created, 1);
}

TEST(Alerts, EscalatesAfterNRuns) {
  AlertPolicy policy;
  policy.escalate_after_runs = 3;
  policy.escalate_after_days = 100;
  const Risk r = MakeRisk(RiskType::kOverstock, "SKU-1", "WH-1", RiskLevel::kLow);
  AlertMerge m = Merge({}, {r}, kDay, policy);
  EXPECT_EQ(m.alerts[0].level, RiskLevel::kLow);
  m = Merge(Unresolved(m), {r}, kDay + 1, policy);
  EXPECT_EQ(m.alerts[0].level, RiskLevel::kLow);
  EXPECT_EQ(m.escalated, 0);
  m = Merge(Unresolved(m), {r}, kDay + 2, policy);  // third run in a row
  EXPECT_EQ(m.alerts[0].occurrences, 3);
  EXPECT_EQ(m.alerts[0].level, RiskLevel::kMedium);
  EXPECT_EQ(m.alerts[0].first_level, RiskLevel::kLow);
  EXPECT_EQ(m.escalated, 1);
  // Same-day re-run does not escalate again.
  m = Merge(Unresolved(m), {r}, kDay + 2, policy);
  EXPECT_EQ(m.alerts[0].level, RiskLevel::kMedium);
  EXPECT_EQ(m.escalated, 0);
  for (int d = 3; d < 6; ++d) m = Merge(Unresolved(m), {r}, kDay + d, policy);
  EXPECT_EQ(m.alerts[0].occurrences, 6);
  EXPECT_EQ(m.alerts[0].level, RiskLevel::kHigh);  // 2N runs: two levels up
  m = Merge(Unresolved(m), {r}, kDay + 6, policy);
  EXPECT_EQ(m.alerts[0].level, RiskLevel::kHigh);  // capped
}

TEST(Alerts, EscalatesWhenPersistingDDays) {
  AlertPolicy policy;
  policy.escalate_after_runs = 10;
  policy.escalate_after_days = 7;
  const Risk r = MakeRisk(RiskType::kStockout, "SKU-1", "WH-1", RiskLevel::kMedium);
  AlertMerge m = Merge({}, {r}, kDay, policy);
  m = Merge(Unresolved(m), {r}, kDay + 6, policy);
  EXPECT_EQ(m.alerts[0].level, RiskLevel::kMedium);
  m = Merge(Unresolved(m), {r}, kDay + 7, policy);
  EXPECT_EQ(m.alerts[0].occurrences, 3);
  EXPECT_EQ(m.alerts[0].level, RiskLevel::kHigh);
  EXPECT_EQ(m.escalated, 1);
}

TEST(Alerts, ResolvedWhenGone) {
  const Risk a = MakeRisk(RiskType::kStockout, "SKU-1", "WH-1", RiskLevel::kHigh, 500);
  const Risk b = MakeRisk(RiskType::kDeadStock, "SKU-2", "WH-1", RiskLevel::kLow);
  AlertMerge m = Merge({}, {a, b}, kDay);
  EXPECT_EQ(m.created, 2);
  m = Merge(Unresolved(m), {b}, kDay + 1);
  ASSERT_EQ(m.alerts.size(), 2u);
  EXPECT_EQ(m.resolved, 1);
  EXPECT_EQ(m.updated, 1);
  // Open before resolved.
  EXPECT_EQ(m.alerts[0].key, "dead_stock|SKU-2|WH-1");
  EXPECT_EQ(m.alerts[1].key, "stockout|SKU-1|WH-1");
  EXPECT_EQ(m.alerts[1].status, AlertStatus::kResolved);
  EXPECT_EQ(m.alerts[1].last_seen, kDay);
  // A resolved alert is not carried: when the risk returns it is a new alert.
  m = Merge(m.alerts, {a, b}, kDay + 2);
  EXPECT_EQ(m.created, 1);
  EXPECT_EQ(m.updated, 1);
}

TEST(Alerts, AcknowledgedStaysAcknowledgedUnlessLevelRises) {
  AlertPolicy policy;
  policy.escalate_after_runs = 3;
  const Risk low = MakeRisk(RiskType::kStockout, "SKU-1", "WH-1", RiskLevel::kLow);
  AlertMerge m = Merge({}, {low}, kDay, policy);
  std::vector<Alert> prev = Unresolved(m);
  prev[0].status = AlertStatus::kAcknowledged;
  m = Merge(prev, {low}, kDay + 1, policy);
  EXPECT_EQ(m.alerts[0].status, AlertStatus::kAcknowledged);
  EXPECT_EQ(m.alerts[0].occurrences, 2);
  // The risk itself becomes medium: the level rises, the alert re-opens.
  const Risk medium = MakeRisk(RiskType::kStockout, "SKU-1", "WH-1", RiskLevel::kMedium);
  prev = Unresolved(m);
  AlertMerge up = Merge(prev, {medium}, kDay + 1, policy);
  EXPECT_EQ(up.alerts[0].status, AlertStatus::kOpen);
  EXPECT_EQ(up.alerts[0].level, RiskLevel::kMedium);
  EXPECT_EQ(up.escalated, 1);
  // Escalation by runs also re-opens it.
  m = Merge(prev, {low}, kDay + 2, policy);
  EXPECT_EQ(m.alerts[0].level, RiskLevel::kMedium);
  EXPECT_EQ(m.alerts[0].status, AlertStatus::kOpen);
}

TEST(Alerts, RejectsInconsistentInput) {
  const Risk r = MakeRisk(RiskType::kStockout, "SKU-1", "WH-1", RiskLevel::kLow);
  AlertMerge m = Merge({}, {r}, kDay + 5);
  std::vector<Alert> prev = Unresolved(m);
  auto back = MergeAlerts(prev, {}, kDay, {});
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.error().message.find("before previous[0]"), std::string::npos);
  prev.push_back(prev[0]);
  auto dup = MergeAlerts(prev, {}, kDay + 6, {});
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("both unresolved"), std::string::npos);
  prev.pop_back();
  prev[0].key = "stockout|SKU-9|WH-1";
  auto key = MergeAlerts(prev, {}, kDay + 6, {});
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find("must be \"stockout|SKU-1|WH-1\""), std::string::npos);
  AlertPolicy bad;
  bad.escalate_after_runs = 1;
  auto pol = MergeAlerts({}, {}, kDay, bad);
  ASSERT_FALSE(pol.ok());
  EXPECT_EQ(pol.error().message, "alert.escalate_after_runs = 1; must be >= 2");
}

}  // namespace
}  // namespace stockcast::risk
