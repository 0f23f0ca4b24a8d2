#include "stockcast/sim/inventory_policy.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <utility>
#include <vector>

namespace stockcast::sim {
namespace {

struct KindName {
  PolicyKind kind;
  std::string_view name;
};
constexpr std::array<KindName, 6> kKinds = {{{PolicyKind::kNone, "none"},
                                             {PolicyKind::kBaseStock, "base-stock"},
                                             {PolicyKind::kSS, "ss"},
                                             {PolicyKind::kRQ, "rq"},
                                             {PolicyKind::kRS, "rs"},
                                             {PolicyKind::kRSS, "rss"}}};

std::string KindList() {
  std::string out;
  for (const KindName& k : kKinds) {
    if (!out.empty()) out += ", ";
    out += k.name;
  }
  return out;
}

// The text keys of each kind, in ToString order. "offset" is optional for rs and rss.
std::vector<std::string_view> KeysOf(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kNone:
      return {};
    case PolicyKind::kBaseStock:
      return {"S"};
    case PolicyKind::kSS:
      return {"s", "S"};
    case PolicyKind::kRQ:
      return {"r", "Q"};
    case PolicyKind::kRS:
      return {"R", "S", "offset"};
    case PolicyKind::kRSS:
      return {"R", "s", "S", "offset"};
  }
  return {};
}

std::string JoinKeys(const std::vector<std::string_view>& keys) {
  std::string out;
  for (std::string_view k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view ToString(PolicyKind kind) {
  for (const KindName& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

std::optional<PolicyKind> ParsePolicyKind(std::string_view text) {
  for (const KindName& k : kKinds) {
    if (k.name == text) return k.kind;
  }
  return std::nullopt;
}

InventoryPolicy InventoryPolicy::None() { return InventoryPolicy{}; }

InventoryPolicy InventoryPolicy::BaseStock(int64_t order_up_to) {
  InventoryPolicy p;
  p.kind = PolicyKind::kBaseStock;
  p.order_up_to = order_up_to;
  return p;
}

InventoryPolicy InventoryPolicy::SS(int64_t reorder_point, int64_t order_up_to) {
  InventoryPolicy p;
  p.kind = PolicyKind::kSS;
  p.reorder_point = reorder_point;
  p.order_up_to = order_up_to;
  return p;
}

InventoryPolicy InventoryPolicy::RQ(int64_t reorder_point, int64_t order_quantity) {
  InventoryPolicy p;
  p.kind = PolicyKind::kRQ;
  p.reorder_point = reorder_point;
  p.order_quantity = order_quantity;
  return p;
}

InventoryPolicy InventoryPolicy::RS(int review_period, int64_t order_up_to, int review_offset) {
  InventoryPolicy p;
  p.kind = PolicyKind::kRS;
  p.review_period = review_period;
  p.order_up_to = order_up_to;
  p.review_offset = review_offset;
  return p;
}

InventoryPolicy InventoryPolicy::RSS(int review_period, int64_t reorder_point,
                                     int64_t order_up_to, int review_offset) {
  InventoryPolicy p;
  p.kind = PolicyKind::kRSS;
  p.review_period = review_period;
  p.reorder_point = reorder_point;
  p.order_up_to = order_up_to;
  p.review_offset = review_offset;
  return p;
}

Status InventoryPolicy::Validate() const {
  const std::string_view name = sim::ToString(kind);
  if (ParsePolicyKind(name) == std::nullopt) {
    return Error::InvalidArgument(fmt::format("policy kind = {}; must be one of: {}",
                                              static_cast<int>(kind), KindList()));
  }
  const bool periodic = kind == PolicyKind::kRS || kind == PolicyKind::kRSS;
  if (periodic) {
    if (review_period < 1) {
      return Error::InvalidArgument(
          fmt::format("{}: review_period R = {}; must be >= 1", name, review_period));
    }
    if (review_offset < 0 || review_offset >= review_period) {
      return Error::InvalidArgument(
          fmt::format("{}: review_offset = {}; must be in [0, R) = [0, {})", name, review_offset,
                      review_period));
    }
  } else if (review_period != 1 || review_offset != 0) {
    return Error::InvalidArgument(fmt::format(
        "{}: review_period = {}, review_offset = {}; only rs and rss review periodically (use "
        "R = 1, offset = 0)",
        name, review_period, review_offset));
  }
  if ((kind == PolicyKind::kSS || kind == PolicyKind::kRSS) && reorder_point >= order_up_to) {
    return Error::InvalidArgument(
        fmt::format("{}: reorder_point s = {}; must be < order_up_to S = {}", name,
                    reorder_point, order_up_to));
  }
  if (kind == PolicyKind::kRQ && order_quantity < 1) {
    return Error::InvalidArgument(
        fmt::format("rq: order_quantity Q = {}; must be >= 1", order_quantity));
  }
  return Status::Ok();
}

Result<InventoryPolicy> InventoryPolicy::Parse(std::string_view text) {
  const std::string_view spec = Trim(text);
  const size_t colon = spec.find(':');
  const std::string_view kind_text = Trim(spec.substr(0, colon));
  const auto kind = ParsePolicyKind(kind_text);
  if (!kind) {
    return Error::InvalidArgument(
        fmt::format("unknown policy \"{}\"; available: {}", kind_text, KindList()));
  }
  const std::vector<std::string_view> keys = KeysOf(*kind);
  std::vector<std::optional<int64_t>> values(keys.size());
  std::string_view rest =
      colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1);
  if (colon != std::string_view::npos && *kind == PolicyKind::kNone && !Trim(rest).empty()) {
    return Error::InvalidArgument(
        fmt::format("policy \"{}\": none takes no parameters", spec));
  }
  while (!Trim(rest).empty()) {
    const size_t comma = rest.find(',');
    const std::string_view item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return Error::InvalidArgument(
          fmt::format("policy \"{}\": \"{}\" is not key=value", spec, item));
    }
    const std::string_view key = Trim(item.substr(0, eq));
    const std::string_view value = Trim(item.substr(eq + 1));
    size_t k = 0;
    while (k < keys.size() && keys[k] != key) ++k;
    if (k == keys.size()) {
      return Error::InvalidArgument(
          fmt::format("policy \"{}\": unknown parameter \"{}\" for {}; expected: {}", spec, key,
                      kind_text, JoinKeys(keys)));
    }
    if (values[k]) {
      return Error::InvalidArgument(
          fmt::format("policy \"{}\": parameter \"{}\" given twice", spec, key));
    }
    int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || ptr != value.data() + value.size() || value.empty()) {
      return Error::InvalidArgument(fmt::format(
          "policy \"{}\": {} = \"{}\" is not a whole number of units or days", spec, key, value));
    }
    values[k] = v;
  }
  auto get = [&](std::string_view key) -> std::optional<int64_t> {
    for (size_t k = 0; k < keys.size(); ++k) {
      if (keys[k] == key) return values[k];
    }
    return std::nullopt;
  };
  for (size_t k = 0; k < keys.size(); ++k) {
    if (!values[k] && keys[k] != "offset") {
      return Error::InvalidArgument(
          fmt::format("policy \"{}\": missing parameter {} (expected: {})", spec, keys[k],
                      JoinKeys(keys)));
    }
  }
  InventoryPolicy p;
  p.kind = *kind;
  auto narrow = [&](std::string_view key, int* out) -> Status {
    const int64_t v = get(key).value_or(0);
    if (v < -1'000'000'000 || v > 1'000'000'000) {
      return Error::InvalidArgument(
          fmt::format("policy \"{}\": {} = {}; must be within +-1e9 days", spec, key, v));
    }
    *out = static_cast<int>(v);
    return Status::Ok();
  };
  switch (*kind) {
    case PolicyKind::kNone:
      break;
    case PolicyKind::kBaseStock:
      p.order_up_to = *get("S");
      break;
    case PolicyKind::kSS:
      p.reorder_point = *get("s");
      p.order_up_to = *get("S");
      break;
    case PolicyKind::kRQ:
      p.reorder_point = *get("r");
      p.order_quantity = *get("Q");
      break;
    case PolicyKind::kRSS:
      p.reorder_point = *get("s");
      [[fallthrough]];
    case PolicyKind::kRS:
      p.order_up_to = *get("S");
      SC_RETURN_IF_ERROR(narrow("R", &p.review_period));
      SC_RETURN_IF_ERROR(narrow("offset", &p.review_offset));
      break;
  }
  const Status valid = p.Validate();
  if (!valid.ok()) {
    return Error::InvalidArgument(fmt::format("policy \"{}\": {}", spec, valid.error().message));
  }
  return p;
}

std::string InventoryPolicy::ToString() const {
  const std::string_view name = sim::ToString(kind);
  std::string offset = review_offset != 0 ? fmt::format(",offset={}", review_offset) : "";
  switch (kind) {
    case PolicyKind::kNone:
      return "none";
    case PolicyKind::kBaseStock:
      return fmt::format("{}:S={}", name, order_up_to);
    case PolicyKind::kSS:
      return fmt::format("{}:s={},S={}", name, reorder_point, order_up_to);
    case PolicyKind::kRQ:
      return fmt::format("{}:r={},Q={}", name, reorder_point, order_quantity);
    case PolicyKind::kRS:
      return fmt::format("{}:R={},S={}{}", name, review_period, order_up_to, offset);
    case PolicyKind::kRSS:
      return fmt::format("{}:R={},s={},S={}{}", name, review_period, reorder_point, order_up_to,
                         offset);
  }
  return std::string(name);
}

OrderRule InventoryPolicy::Rule() const {
  switch (kind) {
    case PolicyKind::kNone:
      // Never reviews; a rule that never orders keeps OrderQuantity honest as well.
      return OrderRule{.reorder_point = INT64_MIN, .order_up_to = 0, .quantity = 0};
    case PolicyKind::kBaseStock:
    case PolicyKind::kRS:
      // "Order when IP < S" is "order when IP <= S - 1" for whole units.
      return OrderRule{.reorder_point = order_up_to - 1, .order_up_to = order_up_to, .quantity = 0};
    case PolicyKind::kSS:
    case PolicyKind::kRSS:
      return OrderRule{.reorder_point = reorder_point, .order_up_to = order_up_to, .quantity = 0};
    case PolicyKind::kRQ:
      return OrderRule{.reorder_point = reorder_point,
                       .order_up_to = reorder_point + order_quantity,
                       .quantity = order_quantity};
  }
  return OrderRule{};
}

bool InventoryPolicy::ReviewsOn(int64_t day) const {
  if (kind == PolicyKind::kNone) return false;
  if (review_period <= 1) return true;
  const int64_t r = (day - review_offset) % review_period;
  return r == 0;
}

int64_t InventoryPolicy::TargetLevel() const {
  switch (kind) {
    case PolicyKind::kNone:
      return 0;
    case PolicyKind::kRQ:
      return reorder_point + order_quantity;
    default:
      return order_up_to;
  }
}

}  // namespace stockcast::sim
