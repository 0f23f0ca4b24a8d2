#include "stockcast/optimize/mip.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

namespace stockcast::optimize {
namespace {

TEST(MipEnums, RoundTripThroughStrings) {
  for (SolveStatus s :
       {SolveStatus::kOptimal, SolveStatus::kFeasible, SolveStatus::kInfeasible,
        SolveStatus::kUnbounded, SolveStatus::kTimeLimitNoSolution, SolveStatus::kError}) {
    EXPECT_EQ(ParseSolveStatus(ToString(s)), s);
  }
  for (Sense s : {Sense::kLessEqual, Sense::kGreaterEqual, Sense::kEqual}) {
    EXPECT_EQ(ParseSense(ToString(s)), s);
  }
  for (VarType t : {VarType::kContinuous, VarType::kInteger, VarType::kBinary}) {
    EXPECT_EQ(ParseVarType(ToString(t)), t);
  }
  EXPECT_EQ(ToString(SolveStatus::kTimeLimitNoSolution), "time_limit_no_solution");
  EXPECT_FALSE(ParseSolveStatus("done").has_value());
}

// max 5x + 4y  s.t. 6x + 4y <= 24, x + 2y <= 6, x, y >= 0 integer. LP optimum (3, 1.5) = 21;
// integer optimum (4, 0) = 20 (checked by enumerating the 5 x 4 grid by hand).
Model Textbook(bool integer, double wood = 24) {
  Model m;
  const VarType t = integer ? VarType::kInteger : VarType::kContinuous;
  const int x = m.AddVariable("x", t, 0, 10, -5);
  const int y = m.AddVariable("y", t, 0, 10, -4);
  m.AddConstraint("wood", {{x, 6}, {y, 4}}, Sense::kLessEqual, wood, "resources");
  m.AddConstraint("labour", {{x, 1}, {y, 2}}, Sense::kLessEqual, 6, "resources");
  return m;
}

TEST(Mip, IntegerOptimumByCbc) {
  auto r = Solve(Textbook(true));
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_EQ(r->status, SolveStatus::kOptimal);
  EXPECT_TRUE(r->used_mip_solver);
  EXPECT_NEAR(r->objective, -20, 1e-9);
  EXPECT_DOUBLE_EQ(r->Value(0), 4);
  EXPECT_DOUBLE_EQ(r->Value(1), 0);
  EXPECT_LE(r->gap, 1e-4);
}

TEST(Mip, LpOptimumAndDualsByClp) {
  auto r = Solve(Textbook(false));
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_EQ(r->status, SolveStatus::kOptimal);
  EXPECT_FALSE(r->used_mip_solver);
  EXPECT_NEAR(r->objective, -21, 1e-9);
  EXPECT_NEAR(r->Value(0), 3, 1e-9);
  EXPECT_NEAR(r->Value(1), 1.5, 1e-9);
  // Duals solve 6 u + v = -5, 4 u + 2 v = -4: u = -3/4, v = -1/2 (d objective / d rhs).
  ASSERT_EQ(r->duals.size(), 2u);
  EXPECT_NEAR(r->duals[0], -0.75, 1e-9);
  EXPECT_NEAR(r->duals[1], -0.5, 1e-9);
  // And they predict the objective after a unit change of the wood limit.
  auto r2 = Solve(Textbook(false, 25));
  ASSERT_TRUE(r2.ok());
  EXPECT_NEAR(r2->objective - r->objective, r->duals[0], 1e-9);
}

TEST(Mip, ObjectiveOffsetIsReported) {
  Model m = Textbook(true);
  m.SetObjectiveOffset(100);
  auto r = Solve(m);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->objective, 80, 1e-9);
  EXPECT_NEAR(r->best_bound, 80, 1e-3);
}

TEST(Mip, InfeasibleListsTheConflictingRelaxableConstraints) {
  // x + y >= 10 (demand), x <= 3 and y <= 4 (capacities, relaxable): 3 more units needed.
  Model m;
  const int x = m.AddInteger("x", 0, 100);
  const int y = m.AddInteger("y", 0, 100);
  m.AddToObjective(x, 1);
  m.AddToObjective(y, 2);
  m.AddConstraint("demand", {{x, 1}, {y, 1}}, Sense::kGreaterEqual, 10, "demand");
  m.AddConstraint("cap_x", {{x, 1}}, Sense::kLessEqual, 3, "capacity");
  m.AddConstraint("cap_y", {{y, 1}}, Sense::kLessEqual, 4, "capacity");
  m.SetRelaxable("capacity");
  auto r = Solve(m);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_EQ(r->status, SolveStatus::kInfeasible);
  EXPECT_TRUE(r->conflicts_within_relaxable);
  double total = 0;
  for (const Conflict& c : r->conflicts) {
    EXPECT_EQ(c.group, "capacity");
    EXPECT_GT(c.rhs_change, 0);
    total += c.rhs_change;
  }
  EXPECT_NEAR(total, 3, 1e-6);
  ASSERT_FALSE(r->conflicts.empty());
  EXPECT_NE(r->conflicts[0].message.find("needs"), std::string::npos);
}

TEST(Mip, WithoutMarkedGroupsEveryConstraintIsRelaxable) {
  Model m;
  const int x = m.AddContinuous("x", 0, kInfinity, 1);
  m.AddConstraint("at_least", {{x, 1}}, Sense::kGreaterEqual, 5);
  m.AddConstraint("at_most", {{x, 1}}, Sense::kLessEqual, 2);
  auto r = Solve(m);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, SolveStatus::kInfeasible);
  ASSERT_FALSE(r->conflicts.empty());
  double total = 0;
  for (const Conflict& c : r->conflicts) total += std::fabs(c.rhs_change);
  EXPECT_NEAR(total, 3, 1e-6);
}

TEST(Mip, MarkedGroupsNotEnoughFallsBackToAll) {
  Model m;
  const int x = m.AddInteger("x", 0, 10);
  m.AddConstraint("need", {{x, 1}}, Sense::kGreaterEqual, 8, "service");
  m.AddConstraint("limit", {{x, 1}}, Sense::kLessEqual, 5, "hard");
  m.AddConstraint("other", {{x, 1}}, Sense::kLessEqual, 9, "budget");
  m.SetRelaxable("budget");
  auto r = Solve(m);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, SolveStatus::kInfeasible);
  EXPECT_FALSE(r->conflicts_within_relaxable);
  EXPECT_FALSE(r->conflicts.empty());
  EXPECT_NE(r->message.find("relaxing the relaxable groups: infeasible"), std::string::npos)
      << r->message;
}

TEST(Mip, UnboundedLpAndMip) {
  Model m;
  const int x = m.AddContinuous("x", 0, kInfinity, -1);
  m.AddConstraint("c", {{x, 1}}, Sense::kGreaterEqual, 1);
  auto r = Solve(m);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, SolveStatus::kUnbounded);
  Model mi;
  const int y = mi.AddInteger("y", 0, kInfinity, -1);
  mi.AddConstraint("c", {{y, 1}}, Sense::kGreaterEqual, 1);
  auto ri = Solve(mi);
  ASSERT_TRUE(ri.ok());
  EXPECT_EQ(ri->status, SolveStatus::kUnbounded);
}

TEST(Mip, EqualityAndBinary) {
  // Choose exactly 2 of 4 items with smallest cost; binaries.
  Model m;
  const double cost[4] = {4, 1, 3, 2};
  std::vector<Term> pick;
  for (int i = 0; i < 4; ++i) pick.push_back({m.AddBinary("b" + std::to_string(i), cost[i]), 1});
  m.AddConstraint("two", pick, Sense::kEqual, 2);
  auto r = Solve(m);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, SolveStatus::kOptimal);
  EXPECT_NEAR(r->objective, 3, 1e-9);
  EXPECT_DOUBLE_EQ(r->Value(1), 1);
  EXPECT_DOUBLE_EQ(r->Value(3), 1);
}

TEST(Mip, ValidationNamesTheFieldAndRule) {
  Model m;
  m.AddContinuous("x", 5, 1);
  auto r = Solve(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "variable \"x\": lower = 5 > upper = 1; must be lower <= upper");
  Model m2;
  const int x = m2.AddContinuous("x");
  m2.AddConstraint("budget", {{x, std::nan("")}}, Sense::kLessEqual, 1);
  auto r2 = Solve(m2);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().message,
            "constraint \"budget\": coefficient of \"x\" = nan; must be finite");
  SolveOptions o;
  o.relative_gap = -1;
  EXPECT_EQ(o.Validate().error().message,
            "SolveOptions::relative_gap = -1; must be >= 0 and finite");
  EXPECT_FALSE(Solve(Textbook(true), o).ok());
}

TEST(Mip, MergesRepeatedTermsAndEvaluates) {
  Model m;
  const int x = m.AddContinuous("x", 0, 10, 1);
  m.AddConstraint("c", {{x, 1}, {x, 2}, {x, 0}}, Sense::kGreaterEqual, 6);
  ASSERT_EQ(m.constraints()[0].terms.size(), 1u);
  EXPECT_DOUBLE_EQ(m.constraints()[0].terms[0].coefficient, 3);
  EXPECT_DOUBLE_EQ(m.Activity(0, {2}), 6);
  EXPECT_DOUBLE_EQ(m.MaxViolation({1}), 3);
  auto r = Solve(m);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->Value(x), 2, 1e-9);
}

}  // namespace
}  // namespace stockcast::optimize
