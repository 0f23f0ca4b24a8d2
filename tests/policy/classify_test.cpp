#include "stockcast/policy/classify.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace stockcast::policy {
namespace {

TEST(Abc, ParetoShares) {
  // Shares 50, 30, 10, 5, 5 %: items above hold 0, 50, 80, 90, 95 % -> A A B B C.
  auto r = AbcClasses({10, 50, 5, 30, 5}, AbcOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<char>{'B', 'A', 'B', 'A', 'C'}));
  // One dominant item is A even though it alone passes 80 %.
  auto dom = AbcClasses({90, 6, 4}, AbcOptions{});
  ASSERT_TRUE(dom.ok());
  EXPECT_EQ(*dom, (std::vector<char>{'A', 'B', 'C'}));
  // Zero-value items are C; an all-zero list is all C.
  auto zero = AbcClasses({0, 0}, AbcOptions{});
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(*zero, (std::vector<char>{'C', 'C'}));
}

TEST(Abc, ConfigurableThresholdsAndErrors) {
  AbcOptions o;
  o.a_share = 0.5;
  o.b_share = 0.9;
  auto r = AbcClasses({10, 50, 5, 30, 5}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<char>{'B', 'A', 'C', 'B', 'C'}));
  o.b_share = 0.4;
  EXPECT_EQ(AbcClasses({1}, o).error().message, "abc.b_share = 0.4; must be in [a_share = 0.5, 1]");
  EXPECT_EQ(AbcClasses({1, -2}, AbcOptions{}).error().message,
            "value[1] = -2; must be finite and >= 0");
}

TEST(Xyz, CoefficientOfVariation) {
  double cv = 0.0;
  EXPECT_EQ(XyzClass({10, 10, 10, 10}, XyzOptions{}, &cv), 'X');
  EXPECT_EQ(cv, 0.0);
  // mean 10, sample sd of {5, 15} = 7.07 -> cv 0.707: Y.
  EXPECT_EQ(XyzClass({5, 15}, XyzOptions{}, &cv), 'Y');
  EXPECT_NEAR(cv, std::sqrt(50.0) / 10.0, 1e-12);
  EXPECT_EQ(XyzClass({0, 0, 0, 40}, XyzOptions{}, &cv), 'Z');  // cv 2
  EXPECT_EQ(XyzClass({0, 0, 0}, XyzOptions{}, &cv), 'Z');
  EXPECT_TRUE(std::isnan(cv));
  EXPECT_EQ(XyzClass({7}, XyzOptions{}, &cv), 'Z');
  XyzOptions loose;
  loose.x_cv = 0.8;
  loose.y_cv = 2.5;
  EXPECT_EQ(XyzClass({5, 15}, loose), 'X');
  EXPECT_EQ(XyzClass({0, 0, 0, 40}, loose), 'Y');
  loose.y_cv = 0.1;
  EXPECT_EQ(loose.Validate().error().message, "xyz.y_cv = 0.1; must be >= x_cv = 0.8");
}

TEST(ClassMatrix, DefaultsSetAndParse) {
  ClassMatrix m;
  auto ax = m.Get("AX");
  ASSERT_TRUE(ax.ok());
  EXPECT_EQ(ax->policy, "rQ");
  EXPECT_DOUBLE_EQ(ax->service_target, 0.98);
  EXPECT_EQ(m.Get("cz")->policy, "manual");
  EXPECT_EQ(m.Get("DX").error().message,
            "cell \"DX\" is unknown; available: AX, AY, AZ, BX, BY, BZ, CX, CY, CZ");
  auto parsed = ClassMatrix::Parse("AX=base_stock:0.99, cz=newsvendor:0.7");
  ASSERT_TRUE(parsed.ok()) << Describe(parsed.error());
  EXPECT_EQ(parsed->Get("AX")->policy, "base_stock");
  EXPECT_DOUBLE_EQ(parsed->Get("CZ")->service_target, 0.7);
  EXPECT_EQ(parsed->Get("BY")->policy, "sS");  // untouched default
  // Round trip of the whole matrix.
  auto again = ClassMatrix::Parse(parsed->ToString());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ToString(), parsed->ToString());
  EXPECT_EQ(ClassMatrix::Parse("AX=rQ:1.5").error().message,
            "cell AX: service_target = 1.5; must be in (0, 1)");
  EXPECT_EQ(ClassMatrix::Parse("AX=rQ").error().message,
            "class matrix item \"AX=rQ\"; must be CELL=POLICY:TARGET, e.g. AX=rQ:0.98");
}

TEST(Classify, CombinesAbcXyzAndMatrix) {
  std::vector<ItemDemand> items = {
      {"steady-star", 500, {50, 52, 48, 51, 49}},
      {"lumpy-star", 300, {0, 0, 120, 0, 30}},
      {"mid", 150, {10, 20, 5, 15, 10}},
      {"tail", 50, {1, 0, 2, 1, 1}},
  };
  auto r = Classify(items, ClassifyOptions{});
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].cell, "AX");
  EXPECT_EQ((*r)[0].policy, "rQ");
  EXPECT_EQ((*r)[1].cell, "AZ");
  EXPECT_EQ((*r)[2].cell, "BX");  // items above hold 80 %: B; cv sqrt(32.5) / 12 = 0.475
  EXPECT_EQ((*r)[3].cell, "CY");  // cv 0.71
  EXPECT_EQ((*r)[3].rank, 4);
  EXPECT_NEAR((*r)[1].cumulative_share, 0.8, 1e-12);
  EXPECT_NE((*r)[0].explanation.find("steady-star: rank 1 by value 500 (50.0% of total"),
            std::string::npos)
      << (*r)[0].explanation;
  items[2].value = -1;
  EXPECT_EQ(Classify(items, ClassifyOptions{}).error().message,
            "item \"mid\": value = -1; must be finite and >= 0");
}

}  // namespace
}  // namespace stockcast::policy
