#include "stockcast/optimize/allocation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace stockcast::optimize {
namespace {

std::string Num(double v) {
  if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e15) {
    return fmt::format("{}", static_cast<long long>(std::llround(v)));
  }
  return fmt::format("{:.2f}", v);
}

template <typename T>
std::string Ids(const std::vector<T>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i].id;
  return out;
}

bool NonNegative(double v) { return v >= 0 && std::isfinite(v); }

// Below this, an LP value is solver noise.
constexpr double kTiny = 1e-7;

}  // namespace

Status AllocationProblem::Validate() const {
  auto bad = [](std::string m) { return Error::InvalidArgument(std::move(m)); };
  std::set<std::string> src, dst;
  for (const AllocationSource& s : sources) {
    const std::string where = fmt::format("source \"{}\"", s.id);
    if (s.id.empty()) return bad("source with an empty id; ids must be non-empty");
    if (!src.insert(s.id).second) return bad(where + ": duplicate id; ids must be unique");
    if (!NonNegative(s.supply)) {
      return bad(fmt::format("{}: supply = {}; must be >= 0 and finite", where, s.supply));
    }
    if (!std::isfinite(s.available_day)) {
      return bad(fmt::format("{}: available_day = {}; must be finite", where, s.available_day));
    }
    if (!NonNegative(s.leftover_cost)) {
      return bad(
          fmt::format("{}: leftover_cost = {}; must be >= 0 and finite", where, s.leftover_cost));
    }
  }
  for (const AllocationDestination& d : destinations) {
    const std::string where = fmt::format("destination \"{}\"", d.id);
    if (d.id.empty()) return bad("destination with an empty id; ids must be non-empty");
    if (!dst.insert(d.id).second) return bad(where + ": duplicate id; ids must be unique");
    const std::pair<const char*, double> fields[] = {
        {"need", d.need}, {"holding_cost", d.holding_cost}, {"shortage_cost", d.shortage_cost}};
    for (const auto& [name, v] : fields) {
      if (!NonNegative(v)) {
        return bad(fmt::format("{}: {} = {}; must be >= 0 and finite", where, name, v));
      }
    }
    if (!std::isfinite(d.need_day)) {
      return bad(fmt::format("{}: need_day = {}; must be finite", where, d.need_day));
    }
    if (!(d.capacity > 0)) {
      return bad(
          fmt::format("{}: capacity = {}; must be > 0 (inf = unlimited)", where, d.capacity));
    }
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t l = 0; l < lanes.size(); ++l) {
    const AllocationLane& ln = lanes[l];
    const std::string where =
        fmt::format("lane {} (\"{}\" -> \"{}\")", l, ln.source, ln.destination);
    if (!src.count(ln.source)) {
      return bad(fmt::format("{}: source not in sources; available: {}", where, Ids(sources)));
    }
    if (!dst.count(ln.destination)) {
      return bad(fmt::format("{}: destination not in destinations; available: {}", where,
                             Ids(destinations)));
    }
    if (!seen.insert({ln.source, ln.destination}).second) {
      return bad(where + ": duplicate lane; each (source, destination) pair must appear once");
    }
    if (!NonNegative(ln.cost_per_unit)) {
      return bad(
          fmt::format("{}: cost_per_unit = {}; must be >= 0 and finite", where, ln.cost_per_unit));
    }
    if (!(ln.capacity > 0)) {
      return bad(
          fmt::format("{}: capacity = {}; must be > 0 (inf = unlimited)", where, ln.capacity));
    }
    if (!NonNegative(ln.lead_time_days)) {
      return bad(fmt::format("{}: lead_time_days = {}; must be >= 0 and finite", where,
                             ln.lead_time_days));
    }
  }
  return Status::Ok();
}

Result<AllocationResult> SolveAllocation(const AllocationProblem& problem,
                                         const AllocationOptions& options) {
  SC_RETURN_IF_ERROR(problem.Validate());
  SC_RETURN_IF_ERROR(options.Validate());
  std::map<std::string, size_t> src_index, dst_index;
  for (size_t s = 0; s < problem.sources.size(); ++s) src_index[problem.sources[s].id] = s;
  for (size_t d = 0; d < problem.destinations.size(); ++d) {
    dst_index[problem.destinations[d].id] = d;
  }
  const size_t nl = problem.lanes.size();
  std::vector<size_t> lane_src(nl), lane_dst(nl);
  std::vector<double> arrival(nl);
  std::vector<bool> on_time(nl);
  for (size_t l = 0; l < nl; ++l) {
    const AllocationLane& ln = problem.lanes[l];
    lane_src[l] = src_index.at(ln.source);
    lane_dst[l] = dst_index.at(ln.destination);
    arrival[l] = problem.sources[lane_src[l]].available_day + ln.lead_time_days;
    on_time[l] = arrival[l] <= problem.destinations[lane_dst[l]].need_day + 1e-9;
  }

  Model m;
  double offset = 0;
  // x_l: transport, plus the destination's holding per unit received, minus the source's
  // leftover cost per unit shipped (the constant k_s supply_s goes to the offset).
  std::vector<int> x(nl);
  for (size_t l = 0; l < nl; ++l) {
    const AllocationLane& ln = problem.lanes[l];
    const double obj = ln.cost_per_unit + problem.destinations[lane_dst[l]].holding_cost -
                       problem.sources[lane_src[l]].leftover_cost;
    x[l] = m.AddContinuous(fmt::format("x[{}->{}]", ln.source, ln.destination), 0, kInfinity, obj);
  }
  // s_d: served; cost -(h + p) per unit, constant p need.
  std::vector<int> served(problem.destinations.size());
  std::vector<int> serve_row(problem.destinations.size());
  for (size_t d = 0; d < problem.destinations.size(); ++d) {
    const AllocationDestination& dst = problem.destinations[d];
    served[d] = m.AddContinuous(fmt::format("served[{}]", dst.id), 0, dst.need,
                                -(dst.holding_cost + dst.shortage_cost));
    offset += dst.shortage_cost * dst.need;
    std::vector<Term> t = {{served[d], 1.0}};
    std::vector<Term> in;
    for (size_t l = 0; l < nl; ++l) {
      if (lane_dst[l] != d) continue;
      if (on_time[l]) t.push_back({x[l], -1.0});
      in.push_back({x[l], 1.0});
    }
    serve_row[d] = m.AddConstraint(fmt::format("serve[{}]", dst.id), std::move(t),
                                   Sense::kLessEqual, 0, "serve");
    if (std::isfinite(dst.capacity) && !in.empty()) {
      const int r = m.AddConstraint(fmt::format("capacity[{}]", dst.id), std::move(in),
                                    Sense::kLessEqual, dst.capacity, "capacity");
      m.SetSlackWeight(r, 1.0 / std::max(1.0, dst.capacity));
    }
  }
  std::vector<int> supply_row(problem.sources.size(), -1), ship_row(problem.sources.size(), -1);
  for (size_t s = 0; s < problem.sources.size(); ++s) {
    const AllocationSource& src = problem.sources[s];
    offset += src.leftover_cost * src.supply;
    std::vector<Term> out;
    for (size_t l = 0; l < nl; ++l) {
      if (lane_src[l] == s) out.push_back({x[l], 1.0});
    }
    supply_row[s] = m.AddConstraint(fmt::format("supply[{}]", src.id), out, Sense::kLessEqual,
                                    src.supply, "supply");
    if (src.must_ship_all && src.supply > 0) {
      ship_row[s] = m.AddConstraint(fmt::format("ship_all[{}]", src.id), std::move(out),
                                    Sense::kGreaterEqual, src.supply, "ship_all");
      m.SetSlackWeight(ship_row[s], 1.0 / std::max(1.0, src.supply));
    }
  }
  for (size_t l = 0; l < nl; ++l) {
    const AllocationLane& ln = problem.lanes[l];
    if (!std::isfinite(ln.capacity)) continue;
    const int r = m.AddConstraint(fmt::format("lane[{}->{}]", ln.source, ln.destination),
                                  {{x[l], 1.0}}, Sense::kLessEqual, ln.capacity, "lane");
    m.SetSlackWeight(r, 1.0 / std::max(1.0, ln.capacity));
  }
  m.SetObjectiveOffset(offset);
  // What can give when the rules contradict: warehouse and lane capacities, shipping it all.
  m.SetRelaxable("capacity");
  m.SetRelaxable("lane");
  m.SetRelaxable("ship_all");

  SC_ASSIGN_OR_RETURN(SolveResult sr, Solve(m, options.solve));
  AllocationResult r;
  r.status = sr.status;
  r.seconds = sr.seconds;
  r.message = sr.message;
  r.conflicts = std::move(sr.conflicts);
  if (!sr.has_solution()) return r;

  auto dual = [&](int row) {
    return row >= 0 && !sr.duals.empty() ? sr.duals[static_cast<size_t>(row)] : 0.0;
  };
  r.destinations.resize(problem.destinations.size());
  for (size_t d = 0; d < problem.destinations.size(); ++d) {
    const AllocationDestination& dst = problem.destinations[d];
    DestinationOutcome& o = r.destinations[d];
    o.id = dst.id;
    o.need = dst.need;
    o.served = std::clamp(sr.Value(served[d]), 0.0, dst.need);
    if (o.served < kTiny) o.served = 0;
    if (dst.need - o.served < kTiny) o.served = dst.need;
    o.shortage = dst.need - o.served;
    o.value_of_unit = -dual(serve_row[d]) - dst.holding_cost;
    if (std::fabs(o.value_of_unit) < 1e-9) o.value_of_unit = 0;
  }
  r.sources.resize(problem.sources.size());
  for (size_t s = 0; s < problem.sources.size(); ++s) {
    r.sources[s].id = problem.sources[s].id;
    r.sources[s].supply = problem.sources[s].supply;
    r.sources[s].value_of_unit = -(dual(supply_row[s]) + dual(ship_row[s]));
    if (std::fabs(r.sources[s].value_of_unit) < 1e-9) r.sources[s].value_of_unit = 0;
  }
  for (size_t l = 0; l < nl; ++l) {
    double q = sr.Value(x[l]);
    if (q < kTiny) continue;
    if (std::fabs(q - std::round(q)) < kTiny) q = std::round(q);
    const AllocationLane& ln = problem.lanes[l];
    const AllocationDestination& dst = problem.destinations[lane_dst[l]];
    AllocationFlow f;
    f.source = ln.source;
    f.destination = ln.destination;
    f.quantity = q;
    f.cost = q * ln.cost_per_unit;
    f.arrival_day = arrival[l];
    f.on_time = on_time[l];
    f.explanation = fmt::format(
        "ship {} units {} -> {} at {} per unit = {}; arrives day {} ({} need day {}); {} needs "
        "{}, served {}",
        Num(q), ln.source, ln.destination, Num(ln.cost_per_unit), Num(f.cost), Num(arrival[l]),
        on_time[l] ? "by its" : "after its", Num(dst.need_day), dst.id, Num(dst.need),
        Num(r.destinations[lane_dst[l]].served));
    r.transport_cost += f.cost;
    r.destinations[lane_dst[l]].received += q;
    r.sources[lane_src[l]].shipped += q;
    r.flows.push_back(std::move(f));
  }
  for (size_t d = 0; d < problem.destinations.size(); ++d) {
    const AllocationDestination& dst = problem.destinations[d];
    DestinationOutcome& o = r.destinations[d];
    o.excess = std::max(0.0, o.received - o.served);
    o.holding_cost = dst.holding_cost * o.excess;
    o.shortage_cost = dst.shortage_cost * o.shortage;
    r.holding_cost += o.holding_cost;
    r.shortage_cost += o.shortage_cost;
    o.explanation = fmt::format(
        "{}: need {} by day {}, receives {} ({} on time), short {}; one more unit there before "
        "day {} is worth {}",
        dst.id, Num(dst.need), Num(dst.need_day), Num(o.received), Num(o.served), Num(o.shortage),
        Num(dst.need_day), Num(o.value_of_unit));
  }
  for (size_t s = 0; s < problem.sources.size(); ++s) {
    SourceOutcome& o = r.sources[s];
    o.leftover = std::max(0.0, o.supply - o.shipped);
    if (o.leftover < kTiny) o.leftover = 0;
    r.leftover_cost += problem.sources[s].leftover_cost * o.leftover;
  }
  r.total_cost = r.transport_cost + r.holding_cost + r.shortage_cost + r.leftover_cost;
  return r;
}

}  // namespace stockcast::optimize
