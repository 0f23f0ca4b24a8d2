#include "stockcast/risk/alerts.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace stockcast::risk {
namespace {

constexpr std::string_view kStatusNames[] = {"open", "acknowledged", "resolved"};

RiskLevel Raise(RiskLevel base, int64_t bumps) {
  const int64_t v = std::min<int64_t>(static_cast<int64_t>(base) + std::max<int64_t>(bumps, 0),
                                      static_cast<int64_t>(RiskLevel::kHigh));
  return static_cast<RiskLevel>(v);
}

// The level of an alert detected `occurrences` runs in a row since `first_seen`.
RiskLevel Escalated(RiskLevel base, int occurrences, Date first_seen, Date as_of,
                    const AlertPolicy& policy) {
  const int64_t by_runs = occurrences / policy.escalate_after_runs;
  const int64_t by_days = (as_of - first_seen) / policy.escalate_after_days;
  return Raise(base, std::max(by_runs, by_days));
}

// Risk a is more severe than b: higher level, then larger impact.
bool MoreSevere(const Risk& a, const Risk& b) {
  if (a.level != b.level) return a.level > b.level;
  return a.impact > b.impact;
}

}  // namespace

std::string_view ToString(AlertStatus status) { return kStatusNames[static_cast<size_t>(status)]; }

std::optional<AlertStatus> ParseAlertStatus(std::string_view text) {
  for (size_t i = 0; i < std::size(kStatusNames); ++i) {
    if (kStatusNames[i] == text) return static_cast<AlertStatus>(i);
  }
  return std::nullopt;
}

std::string AlertKey(RiskType type, std::string_view sku, std::string_view location) {
  return fmt::format("{}|{}|{}", ToString(type), sku, location);
}

Status AlertPolicy::Validate() const {
  if (escalate_after_runs < 2) {
    return Error::InvalidArgument(
        fmt::format("alert.escalate_after_runs = {}; must be >= 2", escalate_after_runs));
  }
  if (escalate_after_days < 1) {
    return Error::InvalidArgument(
        fmt::format("alert.escalate_after_days = {}; must be >= 1", escalate_after_days));
  }
  return Status::Ok();
}

Result<AlertMerge> MergeAlerts(std::span<const Alert> previous, std::span<const Risk> now,
                               Date as_of, const AlertPolicy& policy) {
  SC_RETURN_IF_ERROR(policy.Validate());

  // Previous unresolved alerts by key.
  std::map<std::string, size_t> prev_by_key;
  for (size_t i = 0; i < previous.size(); ++i) {
    const Alert& a = previous[i];
    if (a.status == AlertStatus::kResolved) continue;
    const std::string expected = AlertKey(a.type, a.sku, a.location);
    if (a.key != expected) {
      return Error::InvalidArgument(
          fmt::format("previous[{}] (id {}) has key \"{}\"; must be \"{}\" (type|sku|location)", i,
                      a.id, a.key, expected));
    }
    if (as_of < a.last_seen) {
      return Error::InvalidArgument(fmt::format(
          "as_of = {} is before previous[{}] ({}) last_seen = {}; runs must not go back in time",
          as_of.ToString(), i, a.key, a.last_seen.ToString()));
    }
    const auto [it, inserted] = prev_by_key.emplace(a.key, i);
    if (!inserted) {
      return Error::InvalidArgument(
          fmt::format("previous[{}] and previous[{}] are both unresolved with key \"{}\"; keys "
                      "must be unique among open and acknowledged alerts",
                      it->second, i, a.key));
    }
  }

  // The most severe risk per key, in first-appearance order.
  std::map<std::string, size_t> risk_by_key;
  std::vector<std::string> risk_keys;
  for (size_t k = 0; k < now.size(); ++k) {
    std::string key = AlertKey(now[k].type, now[k].sku, now[k].location);
    const auto it = risk_by_key.find(key);
    if (it == risk_by_key.end()) {
      risk_by_key.emplace(key, k);
      risk_keys.push_back(std::move(key));
    } else if (MoreSevere(now[k], now[it->second])) {
      it->second = k;
    }
  }

  AlertMerge merge;
  std::vector<bool> used(previous.size(), false);
  for (const std::string& key : risk_keys) {
    const Risk& r = now[risk_by_key.at(key)];
    const auto p = prev_by_key.find(key);
    if (p == prev_by_key.end()) {
      Alert a;
      a.key = key;
      a.type = r.type;
      a.sku = r.sku;
      a.location = r.location;
      a.first_seen = as_of;
      a.last_seen = as_of;
      a.occurrences = 1;
      a.level = Escalated(r.level, a.occurrences, a.first_seen, as_of, policy);
      a.first_level = a.level;
      a.status = AlertStatus::kOpen;
      a.message = r.message;
      a.action = r.action;
      a.impact = r.impact;
      merge.alerts.push_back(std::move(a));
      ++merge.created;
      continue;
    }
    used[p->second] = true;
    Alert a = previous[p->second];
    // Same-day re-runs do not count as another detection (idempotent merge).
    if (as_of > a.last_seen) {
      ++a.occurrences;
      a.last_seen = as_of;
    }
    const RiskLevel before = a.level;
    a.level = Escalated(r.level, a.occurrences, a.first_seen, as_of, policy);
    if (a.level > before) {
      ++merge.escalated;
      // A rise re-opens an acknowledged alert.
      a.status = AlertStatus::kOpen;
    }
    a.message = r.message;
    a.action = r.action;
    a.impact = r.impact;
    merge.alerts.push_back(std::move(a));
    ++merge.updated;
  }
  for (const auto& [key, i] : prev_by_key) {
    if (used[i]) continue;
    Alert a = previous[i];
    a.status = AlertStatus::kResolved;
    merge.alerts.push_back(std::move(a));
    ++merge.resolved;
  }

  std::stable_sort(merge.alerts.begin(), merge.alerts.end(), [](const Alert& a, const Alert& b) {
    const bool ra = a.status == AlertStatus::kResolved;
    const bool rb = b.status == AlertStatus::kResolved;
    if (ra != rb) return rb;
    if (a.level != b.level) return a.level > b.level;
    if (a.impact != b.impact) return a.impact > b.impact;
    return a.key < b.key;
  });
  return merge;
}

}  // namespace stockcast::risk
