#pragma once
// The ordering rules the inventory simulator runs, as one small value type (no virtual call per
// SKU-day: the simulator reduces every rule to the three numbers of an OrderRule once per item).
//
// All rules look at the inventory position at a review,
//   IP = on hand + on order - backorders
// (on order = units ordered and not yet received; under lost sales backorders are always 0),
// and order whole units:
//
//   none                     never orders
//   base-stock:S=10          every day: order S - IP when IP < S (order up to S)
//   ss:s=4,S=10              every day: order S - IP when IP <= s            ((s, S), Scarf 1960)
//   rq:r=3,Q=5               every day: when IP <= r order the smallest multiple n Q of Q with
//                            IP + n Q > r                         ((r, Q) / (s, Q), Hadley-Whitin)
//   rs:R=7,S=40              every R-th day: order S - IP when IP < S        ((R, S), periodic)
//   rss:R=7,s=10,S=40        every R-th day: order S - IP when IP <= s       ((R, s, S))
//
// The periodic rules review on the days t with (t - offset) mod R = 0, day 0 being the first
// simulated day (warm-up included); the offset is written as ",offset=2" ("rs:R=7,S=40,offset=2")
// and omitted from the text form when 0. "Every day" means at the end of every day, after the
// day's demand (see simulator.h for the order of events).
//
// Rules follow the conventions of the policy library (policy/stochastic_review.h): "order when
// IP <= s" for (s, S) as in Zheng & Federgruen (1991), and the (r, Q) position cycling through
// r + 1, ..., r + Q.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stockcast/core/error.h"

namespace stockcast::sim {

enum class PolicyKind { kNone, kBaseStock, kSS, kRQ, kRS, kRSS };

// "none", "base-stock", "ss", "rq", "rs", "rss".
std::string_view ToString(PolicyKind kind);
std::optional<PolicyKind> ParsePolicyKind(std::string_view text);

// The three numbers every rule reduces to: at a review, order when IP <= reorder_point; the
// quantity is order_up_to - IP when quantity == 0, else the smallest multiple of `quantity`
// that lifts IP above reorder_point. (base-stock and rs use reorder_point = S - 1.)
struct OrderRule {
  int64_t reorder_point = -1;
  int64_t order_up_to = 0;
  int64_t quantity = 0;  // Q for rq, 0 otherwise
};

// The order a rule places at a review with inventory position `position` (0 = none).
inline int64_t OrderAt(const OrderRule& rule, int64_t position) {
  if (position > rule.reorder_point) return 0;
  if (rule.quantity > 0) {
    return rule.quantity * ((rule.reorder_point - position) / rule.quantity + 1);
  }
  return rule.order_up_to - position;
}

struct InventoryPolicy {
  PolicyKind kind = PolicyKind::kNone;
  int64_t reorder_point = 0;   // s (ss, rss) or r (rq); unused otherwise
  int64_t order_up_to = 0;     // S (base-stock, ss, rs, rss)
  int64_t order_quantity = 0;  // Q >= 1 (rq)
  int review_period = 1;       // R >= 1 (rs, rss); 1 for the others
  int review_offset = 0;       // 0 <= offset < R (rs, rss)

  static InventoryPolicy None();
  static InventoryPolicy BaseStock(int64_t order_up_to);
  static InventoryPolicy SS(int64_t reorder_point, int64_t order_up_to);
  static InventoryPolicy RQ(int64_t reorder_point, int64_t order_quantity);
  static InventoryPolicy RS(int review_period, int64_t order_up_to, int review_offset = 0);
  static InventoryPolicy RSS(int review_period, int64_t reorder_point, int64_t order_up_to,
                             int review_offset = 0);

  // Rules: s < S (ss, rss), Q >= 1 (rq), R >= 1 and 0 <= offset < R. Messages name the field:
  // "ss: reorder_point s = 10; must be < order_up_to S = 4".
  Status Validate() const;

  // "base-stock:S=10", "ss:s=4,S=10", "rq:r=3,Q=5", "rs:R=7,S=40[,offset=2]",
  // "rss:R=7,s=10,S=40[,offset=2]", "none". Whole numbers only; the result is validated.
  // Errors list the alternatives: unknown policy "bs"; available: none, base-stock, ss, rq,
  // rs, rss.
  static Result<InventoryPolicy> Parse(std::string_view text);
  // The text form Parse reads back to an equal policy.
  std::string ToString() const;

  OrderRule Rule() const;
  // Whether the rule reviews at the end of day `day` (never for none).
  bool ReviewsOn(int64_t day) const;
  // The order at a review with inventory position `position` (0 when none is due).
  int64_t OrderQuantity(int64_t position) const { return OrderAt(Rule(), position); }
  // The stock level the rule aims at: S, or r + Q for rq, 0 for none. The simulator's default
  // initial on-hand stock.
  int64_t TargetLevel() const;

  bool operator==(const InventoryPolicy&) const = default;
};

}  // namespace stockcast::sim
