#include "stockcast/sim/inventory_policy.h"

#include <gtest/gtest.h>

#include <string>

namespace stockcast::sim {
namespace {

TEST(InventoryPolicy, ParseAndToStringRoundTrip) {
  for (const char* text : {"none", "base-stock:S=10", "ss:s=4,S=10", "rq:r=3,Q=5", "rs:R=7,S=40",
                           "rss:R=7,s=10,S=40", "rs:R=7,S=40,offset=2",
                           "rss:R=7,s=10,S=40,offset=6", "ss:s=-2,S=3", "rq:r=-1,Q=1"}) {
    auto p = InventoryPolicy::Parse(text);
    ASSERT_TRUE(p.ok()) << text << ": " << Describe(p.error());
    EXPECT_EQ(p->ToString(), text);
    auto again = InventoryPolicy::Parse(p->ToString());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *p);
  }
  // Spaces and key order are free; offset 0 is not written.
  auto p = InventoryPolicy::Parse(" rss : S=40, s=10 ,R=7,offset=0");
  ASSERT_TRUE(p.ok()) << Describe(p.error());
  EXPECT_EQ(p->ToString(), "rss:R=7,s=10,S=40");
  EXPECT_EQ(*p, InventoryPolicy::RSS(7, 10, 40));
  EXPECT_EQ(*InventoryPolicy::Parse("base-stock:S=10"), InventoryPolicy::BaseStock(10));
  EXPECT_EQ(*InventoryPolicy::Parse("rq:r=3,Q=5"), InventoryPolicy::RQ(3, 5));
}

TEST(InventoryPolicy, KindNames) {
  for (PolicyKind k : {PolicyKind::kNone, PolicyKind::kBaseStock, PolicyKind::kSS,
                       PolicyKind::kRQ, PolicyKind::kRS, PolicyKind::kRSS}) {
    EXPECT_EQ(ParsePolicyKind(ToString(k)), k);
  }
  EXPECT_EQ(ParsePolicyKind("sS"), std::nullopt);
}

TEST(InventoryPolicy, OrderQuantities) {
  // Base stock: order up to S when IP < S.
  const auto bs = InventoryPolicy::BaseStock(10);
  EXPECT_EQ(bs.OrderQuantity(10), 0);
  EXPECT_EQ(bs.OrderQuantity(9), 1);
  EXPECT_EQ(bs.OrderQuantity(-3), 13);
  // (s, S): order up to S when IP <= s.
  const auto ss = InventoryPolicy::SS(4, 10);
  EXPECT_EQ(ss.OrderQuantity(5), 0);
  EXPECT_EQ(ss.OrderQuantity(4), 6);
  EXPECT_EQ(ss.OrderQuantity(-2), 12);
  // (r, Q): the smallest multiple of Q lifting IP above r.
  const auto rq = InventoryPolicy::RQ(3, 5);
  EXPECT_EQ(rq.OrderQuantity(4), 0);
  EXPECT_EQ(rq.OrderQuantity(3), 5);     // 3 + 5 = 8 > 3
  EXPECT_EQ(rq.OrderQuantity(-1), 5);    // 4 > 3
  EXPECT_EQ(rq.OrderQuantity(-2), 10);   // -2 + 5 = 3 is not above r
  EXPECT_EQ(rq.OrderQuantity(-12), 20);  // 8 > 3
  EXPECT_EQ(InventoryPolicy::None().OrderQuantity(-100), 0);
  // (R, s, S) orders like (s, S) at its reviews.
  EXPECT_EQ(InventoryPolicy::RSS(7, 10, 40).OrderQuantity(10), 30);
  EXPECT_EQ(InventoryPolicy::RSS(7, 10, 40).OrderQuantity(11), 0);
  EXPECT_EQ(InventoryPolicy::RS(7, 40).OrderQuantity(39), 1);
}

TEST(InventoryPolicy, ReviewDaysAndTargets) {
  const auto rs = InventoryPolicy::RS(7, 40, 2);
  std::string days;
  for (int t = 0; t < 20; ++t) {
    if (rs.ReviewsOn(t)) days += std::to_string(t) + " ";
  }
  EXPECT_EQ(days, "2 9 16 ");
  EXPECT_TRUE(InventoryPolicy::SS(1, 2).ReviewsOn(5));
  EXPECT_FALSE(InventoryPolicy::None().ReviewsOn(0));
  EXPECT_EQ(InventoryPolicy::RQ(3, 5).TargetLevel(), 8);
  EXPECT_EQ(InventoryPolicy::SS(3, 9).TargetLevel(), 9);
  EXPECT_EQ(InventoryPolicy::None().TargetLevel(), 0);
}

TEST(InventoryPolicy, Errors) {
  auto msg = [](const char* text) {
    auto p = InventoryPolicy::Parse(text);
    return p.ok() ? std::string("ok") : p.error().message;
  };
  EXPECT_EQ(msg("bs:S=3"),
            "unknown policy \"bs\"; available: none, base-stock, ss, rq, rs, rss");
  EXPECT_EQ(msg("ss:s=4,S=10,Q=3"),
            "policy \"ss:s=4,S=10,Q=3\": unknown parameter \"Q\" for ss; expected: s, S");
  EXPECT_EQ(msg("ss:s=4"), "policy \"ss:s=4\": missing parameter S (expected: s, S)");
  EXPECT_EQ(msg("ss:s=4,s=5,S=9"), "policy \"ss:s=4,s=5,S=9\": parameter \"s\" given twice");
  EXPECT_EQ(msg("base-stock:S=10.5"),
            "policy \"base-stock:S=10.5\": S = \"10.5\" is not a whole number of units or days");
  EXPECT_EQ(msg("ss:s=10,S=4"),
            "policy \"ss:s=10,S=4\": ss: reorder_point s = 10; must be < order_up_to S = 4");
  EXPECT_EQ(msg("rq:r=3,Q=0"), "policy \"rq:r=3,Q=0\": rq: order_quantity Q = 0; must be >= 1");
  EXPECT_EQ(msg("rs:R=0,S=4"), "policy \"rs:R=0,S=4\": rs: review_period R = 0; must be >= 1");
  EXPECT_EQ(msg("rs:R=7,S=4,offset=7"),
            "policy \"rs:R=7,S=4,offset=7\": rs: review_offset = 7; must be in [0, R) = [0, 7)");
  EXPECT_EQ(msg("none:S=3"), "policy \"none:S=3\": none takes no parameters");
  EXPECT_EQ(msg("ss:s4,S=3"), "policy \"ss:s4,S=3\": \"s4\" is not key=value");
  InventoryPolicy p = InventoryPolicy::SS(1, 5);
  p.review_period = 3;
  EXPECT_EQ(p.Validate().error().message,
            "ss: review_period = 3, review_offset = 0; only rs and rss review periodically (use "
            "R = 1, offset = 0)");
}

}  // namespace
}  // namespace stockcast::sim
