#include "stockcast/optimize/allocation.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

namespace stockcast::optimize {
namespace {

AllocationSource Source(std::string id, double supply, double day = 0) {
  AllocationSource s;
  s.id = std::move(id);
  s.supply = supply;
  s.available_day = day;
  return s;
}

AllocationDestination Dest(std::string id, double need, double p, double h = 0, double day = 10) {
  AllocationDestination d;
  d.id = std::move(id);
  d.need = need;
  d.shortage_cost = p;
  d.holding_cost = h;
  d.need_day = day;
  return d;
}

AllocationLane Lane(std::string s, std::string d, double cost, double lead = 0) {
  AllocationLane l;
  l.source = std::move(s);
  l.destination = std::move(d);
  l.cost_per_unit = cost;
  l.lead_time_days = lead;
  return l;
}

AllocationResult SolveOk(const AllocationProblem& p) {
  auto r = SolveAllocation(p);
  EXPECT_TRUE(r.ok()) << Describe(r.error());
  if (!r.ok()) return {};
  return std::move(r).value();
}

double Flow(const AllocationResult& r, const std::string& s, const std::string& d) {
  for (const AllocationFlow& f : r.flows) {
    if (f.source == s && f.destination == d) return f.quantity;
  }
  return 0;
}

// One receipt of 100 units; A and B need 60 each; lanes cost 1 and 2, shortage 10 at both.
// By hand: fill A (60 x 1), the remaining 40 to B (40 x 2), B short 20 (200): total 340.
AllocationProblem Scarce() {
  AllocationProblem p;
  p.sources = {Source("DC", 100)};
  p.destinations = {Dest("A", 60, 10), Dest("B", 60, 10)};
  p.lanes = {Lane("DC", "A", 1), Lane("DC", "B", 2)};
  return p;
}

TEST(Allocation, ScarceSupplyGoesWhereItIsCheapestToServe) {
  const AllocationResult r = SolveOk(Scarce());
  ASSERT_EQ(r.status, SolveStatus::kOptimal);
  EXPECT_NEAR(Flow(r, "DC", "A"), 60, 1e-9);
  EXPECT_NEAR(Flow(r, "DC", "B"), 40, 1e-9);
  EXPECT_NEAR(r.destinations[1].shortage, 20, 1e-9);
  EXPECT_NEAR(r.transport_cost, 140, 1e-9);
  EXPECT_NEAR(r.shortage_cost, 200, 1e-9);
  EXPECT_NEAR(r.total_cost, 340, 1e-9);
  // One more unit at B saves a shortage (10); one more at A frees a unit for B: 10 - 2 + 1.
  EXPECT_NEAR(r.destinations[1].value_of_unit, 10, 1e-9);
  EXPECT_NEAR(r.destinations[0].value_of_unit, 9, 1e-9);
  // One more unit at the DC goes to B: 10 - 2.
  EXPECT_NEAR(r.sources[0].value_of_unit, 8, 1e-9);
  EXPECT_NE(r.flows[1].explanation.find("ship 40 units DC -> B"), std::string::npos)
      << r.flows[1].explanation;
}

TEST(Allocation, DualValuesMatchAResolveWithOneMoreUnit) {
  const AllocationResult base = SolveOk(Scarce());
  for (size_t d = 0; d < 2; ++d) {
    AllocationProblem p = Scarce();
    const std::string id = p.destinations[d].id;
    p.sources.push_back(Source("GIFT", 1));
    p.lanes.push_back(Lane("GIFT", id, 0));
    const AllocationResult more = SolveOk(p);
    EXPECT_NEAR(base.total_cost - more.total_cost, base.destinations[d].value_of_unit, 1e-9) << id;
  }
}

TEST(Allocation, LateLanesDoNotServeTheNeed) {
  // The cheap lane takes 5 days but B needs the stock by day 3: the dear on-time lane is used.
  AllocationProblem p;
  p.sources = {Source("SEA", 50), Source("AIR", 50)};
  p.destinations = {Dest("B", 30, 20, 0.5, 3)};
  p.lanes = {Lane("SEA", "B", 1, 5), Lane("AIR", "B", 4, 1)};
  const AllocationResult r = SolveOk(p);
  ASSERT_EQ(r.status, SolveStatus::kOptimal);
  EXPECT_NEAR(Flow(r, "AIR", "B"), 30, 1e-9);
  EXPECT_NEAR(Flow(r, "SEA", "B"), 0, 1e-9);
  EXPECT_NEAR(r.total_cost, 120, 1e-9);
  // If only the late lane exists, nothing is shipped and the need goes short.
  p.lanes = {Lane("SEA", "B", 1, 5)};
  const AllocationResult late = SolveOk(p);
  EXPECT_TRUE(late.flows.empty());
  EXPECT_NEAR(late.destinations[0].shortage, 30, 1e-9);
  EXPECT_NEAR(late.total_cost, 600, 1e-9);
}

TEST(Allocation, TransfersFromAWarehouseWithExcess) {
  // W1 holds 40 spare units; W2 needs 25. Transfer (cost 3) beats the 8 shortage.
  AllocationProblem p;
  p.sources = {Source("W1", 40)};
  p.destinations = {Dest("W2", 25, 8, 0.2)};
  p.lanes = {Lane("W1", "W2", 3, 2)};
  const AllocationResult r = SolveOk(p);
  EXPECT_NEAR(Flow(r, "W1", "W2"), 25, 1e-9);
  EXPECT_NEAR(r.sources[0].leftover, 15, 1e-9);
  EXPECT_NEAR(r.total_cost, 75, 1e-9);
  // A transfer dearer than the shortage does not happen.
  p.lanes[0].cost_per_unit = 9;
  const AllocationResult none = SolveOk(p);
  EXPECT_TRUE(none.flows.empty());
}

TEST(Allocation, CapacitiesAndMustShipAll) {
  // A cross-dock receipt of 100 must all go; A can take 30, B 50: infeasible by 20, and the
  // conflicts say which capacities (or the ship-all rule) must give.
  AllocationProblem p;
  p.sources = {Source("XD", 100)};
  p.sources[0].must_ship_all = true;
  p.destinations = {Dest("A", 30, 5, 1), Dest("B", 30, 5, 1)};
  p.destinations[0].capacity = 30;
  p.destinations[1].capacity = 50;
  p.lanes = {Lane("XD", "A", 1), Lane("XD", "B", 1)};
  const AllocationResult r = SolveOk(p);
  EXPECT_EQ(r.status, SolveStatus::kInfeasible);
  ASSERT_FALSE(r.conflicts.empty());
  double total = 0;
  for (const Conflict& c : r.conflicts) {
    total += std::fabs(c.rhs_change);
    EXPECT_TRUE(c.group == "capacity" || c.group == "ship_all") << c.group;
  }
  EXPECT_NEAR(total, 20, 1e-6);
  // Room for 80 with 80 to ship: feasible; B holds its 20 extra units.
  p.sources[0].supply = 80;
  const AllocationResult ok = SolveOk(p);
  ASSERT_EQ(ok.status, SolveStatus::kOptimal);
  EXPECT_NEAR(Flow(ok, "XD", "A") + Flow(ok, "XD", "B"), 80, 1e-9);
  EXPECT_NEAR(ok.holding_cost, 20, 1e-9);
  EXPECT_NEAR(ok.total_cost, 80 + 20, 1e-9);
}

TEST(Allocation, LaneCapacityLimitsTheCheapLane) {
  // 20 units fit on the lane to A; the rest of the 100 fills B (60) and 20 stay at the DC.
  AllocationProblem p = Scarce();
  p.lanes[0].capacity = 20;
  const AllocationResult r = SolveOk(p);
  EXPECT_NEAR(Flow(r, "DC", "A"), 20, 1e-9);
  EXPECT_NEAR(Flow(r, "DC", "B"), 60, 1e-9);
  EXPECT_NEAR(r.sources[0].leftover, 20, 1e-9);
  EXPECT_NEAR(r.destinations[0].shortage, 40, 1e-9);
  // A duplicate lane is an input error.
  p.lanes.push_back(Lane("DC", "A", 0.5));
  EXPECT_EQ(SolveAllocation(p).error().message,
            "lane 2 (\"DC\" -> \"A\"): duplicate lane; each (source, destination) pair must "
            "appear once");
}

TEST(Allocation, ValidationNamesTheFieldAndRule) {
  AllocationProblem p = Scarce();
  p.lanes.push_back(Lane("DC", "W9", 1));
  EXPECT_EQ(SolveAllocation(p).error().message,
            "lane 2 (\"DC\" -> \"W9\"): destination not in destinations; available: A, B");
  p = Scarce();
  p.destinations[0].shortage_cost = -1;
  EXPECT_EQ(SolveAllocation(p).error().message,
            "destination \"A\": shortage_cost = -1; must be >= 0 and finite");
}

}  // namespace
}  // namespace stockcast::optimize
