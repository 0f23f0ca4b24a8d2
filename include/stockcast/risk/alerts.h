#pragma once
// Alerts: the risks of successive runs, deduplicated by key (type|sku|location), escalated
// when they persist, and resolved when they are gone. The store keeps them; this file holds
// only the merge rule, on plain values.
//
// Merge of the previous open/acknowledged alerts with the risks of a run on `as_of`:
//   detected again   occurrences + 1 (not when as_of == last_seen: re-running the same day is
//                    idempotent), last_seen = as_of, message/action/impact from the new risk;
//   new              id 0, occurrences 1, first_seen = last_seen = as_of, status open;
//   not detected     status resolved (last_seen stays the last day it was detected).
// Escalation: level = the risk's level raised by
//   bumps = max(floor(occurrences / escalate_after_runs), floor((as_of - first_seen) /
//           escalate_after_days))
// levels (Low -> Medium -> High, capped at High): the N-th consecutive detection, or the D-th
// day of persistence, raises it by one, 2N / 2D by two. An alert counts as escalated when its
// level rises above the level it had before this merge.
// An acknowledged alert stays acknowledged unless its level rises; then it is open again.
// Several risks with one key in a run (not produced by AssessRisks) collapse to the first of the
// highest level, largest impact.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"
#include "stockcast/risk/risk.h"

namespace stockcast::risk {

enum class AlertStatus { kOpen, kAcknowledged, kResolved };
// "open", "acknowledged", "resolved".
std::string_view ToString(AlertStatus status);
std::optional<AlertStatus> ParseAlertStatus(std::string_view text);

struct Alert {
  int64_t id = 0;   // store id; 0 = new (not stored yet)
  std::string key;  // AlertKey(type, sku, location)
  RiskType type = RiskType::kStockout;
  std::string sku;
  std::string location;
  RiskLevel level = RiskLevel::kLow;        // current, escalation included
  RiskLevel first_level = RiskLevel::kLow;  // when first raised
  Date first_seen;
  Date last_seen;
  int occurrences = 0;  // consecutive runs (days) it was detected
  AlertStatus status = AlertStatus::kOpen;
  std::string message;
  RiskAction action = RiskAction::kNone;
  double impact = 0;
};

// "stockout|SKU-1|WH-1".
std::string AlertKey(RiskType type, std::string_view sku, std::string_view location);

struct AlertPolicy {
  int escalate_after_runs = 3;  // >= 2 (1 would escalate every new alert at once)
  int escalate_after_days = 7;  // >= 1
  // "alert.escalate_after_runs = 1; must be >= 2".
  Status Validate() const;
};

struct AlertMerge {
  std::vector<Alert> alerts;  // every alert touched: new, updated, resolved
  int created = 0;
  int updated = 0;    // previous alerts detected again (escalated ones included)
  int escalated = 0;  // level rose in this merge (updated ones only)
  int resolved = 0;
};

// `previous` holds the open and acknowledged alerts (resolved ones are passed through
// untouched and left out of the result). Output order: open/acknowledged before resolved, then
// level (high first), impact (largest first), key.
// Errors: an invalid policy; two unresolved previous alerts with one key; a previous alert whose
// key does not match its type|sku|location; as_of before a previous alert's last_seen.
Result<AlertMerge> MergeAlerts(std::span<const Alert> previous, std::span<const Risk> now,
                               Date as_of, const AlertPolicy& policy);

}  // namespace stockcast::risk
