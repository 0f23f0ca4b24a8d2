#include "stockcast/optimize/purchase_plan.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "optimize/detail/loss_curve.h"

namespace stockcast::optimize {
namespace {

constexpr std::array<std::pair<BindingReason, std::string_view>, 7> kReasons = {{
    {BindingReason::kNone, "none"},
    {BindingReason::kBudget, "budget"},
    {BindingReason::kCapacity, "capacity"},
    {BindingReason::kMoq, "moq"},
    {BindingReason::kCasePack, "case_pack"},
    {BindingReason::kContainer, "container"},
    {BindingReason::kService, "service"},
}};

constexpr std::array<std::string_view, 7> kWeekdays = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

// Constraint groups of the plan model (the names PlanOptions::relaxable may use).
constexpr std::array<std::string_view, 7> kGroups = {"budget",  "capacity", "moq", "container",
                                                     "service", "link",     "cut"};

bool Finite(double v) { return std::isfinite(v); }

// "120", "2.5", "0.333333": whole numbers without decimals, others with up to 6.
std::string Num(double v) {
  if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e15) {
    return fmt::format("{}", static_cast<int64_t>(std::llround(v)));
  }
  std::string s = fmt::format("{:.6f}", v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}
std::string Pct(double v) { return fmt::format("{:.1f}%", 100.0 * v); }
// Expected values in explanations: at most 2 decimals.
std::string Est(double v) { return Num(std::round(v * 100) / 100); }

std::string ItemName(const PlanItem& it) { return it.sku + "@" + it.warehouse; }

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ", ";
    if (i == 8) {
      out += "...";
      break;
    }
    out += ids[i];
  }
  return out;
}

template <typename T>
std::vector<std::string> Ids(const std::vector<T>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(x.id);
  return out;
}

void AppendCsv(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char ch : field) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
}

struct ItemData {
  policy::DemandDistribution dist;
  detail::LossCurve curve;
  double mean = 0;
  double sd = 0;
  double ip = 0;
  size_t warehouse = 0;
  std::vector<size_t> decisions;  // indices into Impl::decisions
  double q_high = 0;              // F^-1(1 - tail) - IP (>= 0)
  double cycle_need = 0;          // q >= this for the cycle-service target (0 = none)
};

// One (supplier, warehouse) pair with at least one decision.
struct OrderGroup {
  size_t warehouse = 0;
  size_t supplier = 0;
  std::vector<size_t> decisions;
};

struct Violation {
  std::string name;
  std::string group;
  Sense sense = Sense::kLessEqual;
  double activity = 0;
  double limit = 0;
  double relative = 0;
};

// Everything Evaluate derives from a decision vector.
struct PlanState {
  std::vector<double> item_q;
  std::vector<double> group_units, group_value, group_volume;
  std::vector<int64_t> group_containers;
  std::vector<double> wh_units, wh_volume;  // position after ordering
  double spend = 0;
  PlanCost cost;
  std::vector<Violation> violations;
};

}  // namespace

std::string_view ToString(BindingReason reason) {
  for (const auto& [r, s] : kReasons) {
    if (r == reason) return s;
  }
  return "?";
}
std::optional<BindingReason> ParseBindingReason(std::string_view text) {
  for (const auto& [r, s] : kReasons) {
    if (s == text) return r;
  }
  return std::nullopt;
}

// ---- validation -----------------------------------------------------------------------------

Status PurchasePlanInstance::Validate() const {
  auto bad = [](std::string what) { return Error::InvalidArgument(std::move(what)); };
  std::set<std::string> wh_ids, sup_ids;
  for (const PlanWarehouse& w : warehouses) {
    const std::string where = fmt::format("warehouse \"{}\"", w.id);
    if (w.id.empty()) return bad("warehouse with an empty id; ids must be non-empty");
    if (!wh_ids.insert(w.id).second) return bad(where + ": duplicate id; ids must be unique");
    if (!(w.capacity_volume > 0)) {
      return bad(fmt::format("{}: capacity_volume = {}; must be > 0 (inf = unlimited)", where,
                             w.capacity_volume));
    }
    if (!(w.capacity_units > 0)) {
      return bad(fmt::format("{}: capacity_units = {}; must be > 0 (inf = unlimited)", where,
                             w.capacity_units));
    }
  }
  for (const PlanSupplier& s : suppliers) {
    const std::string where = fmt::format("supplier \"{}\"", s.id);
    if (s.id.empty()) return bad("supplier with an empty id; ids must be non-empty");
    if (!sup_ids.insert(s.id).second) return bad(where + ": duplicate id; ids must be unique");
    const std::pair<const char*, double> fields[] = {{"moq_units", s.moq_units},
                                                     {"moq_value", s.moq_value},
                                                     {"order_cost", s.order_cost},
                                                     {"container_volume", s.container_volume},
                                                     {"container_cost", s.container_cost}};
    for (const auto& [name, v] : fields) {
      if (!(v >= 0) || !Finite(v)) {
        return bad(fmt::format("{}: {} = {}; must be >= 0 and finite", where, name, v));
      }
    }
    if (std::none_of(s.order_weekdays.begin(), s.order_weekdays.end(), [](bool b) { return b; })) {
      return bad(where + ": order_weekdays has no day; must allow at least one weekday");
    }
  }
  std::set<std::pair<std::string, std::string>> item_keys;
  std::set<std::string> skus;
  for (size_t i = 0; i < items.size(); ++i) {
    const PlanItem& it = items[i];
    const std::string where =
        fmt::format("item {} (sku \"{}\", warehouse \"{}\")", i, it.sku, it.warehouse);
    if (it.sku.empty()) return bad(where + ": sku is empty; must be non-empty");
    if (!wh_ids.count(it.warehouse)) {
      return bad(fmt::format("{}: warehouse not in warehouses; available: {}", where,
                             JoinIds(Ids(warehouses))));
    }
    if (!item_keys.insert({it.sku, it.warehouse}).second) {
      return bad(where + ": duplicate (sku, warehouse); each pair must appear once");
    }
    skus.insert(it.sku);
    if (!Finite(it.on_hand)) {
      return bad(fmt::format("{}: on_hand = {}; must be finite", where, it.on_hand));
    }
    const std::pair<const char*, double> fields[] = {{"on_order", it.on_order},
                                                     {"unit_volume", it.unit_volume},
                                                     {"holding_cost", it.holding_cost},
                                                     {"shortage_cost", it.shortage_cost}};
    for (const auto& [name, v] : fields) {
      if (!(v >= 0) || !Finite(v)) {
        return bad(fmt::format("{}: {} = {}; must be >= 0 and finite", where, name, v));
      }
    }
    if (!it.demand.has_value()) {
      if (!(it.demand_mean >= 0) || !Finite(it.demand_mean)) {
        return bad(
            fmt::format("{}: demand_mean = {}; must be >= 0 and finite", where, it.demand_mean));
      }
      if (!(it.demand_sd >= 0) || !Finite(it.demand_sd)) {
        return bad(fmt::format("{}: demand_sd = {}; must be >= 0 and finite", where, it.demand_sd));
      }
    }
    if (!(it.min_fill_rate >= 0 && it.min_fill_rate < 1)) {
      return bad(fmt::format("{}: min_fill_rate = {}; must be in [0, 1)", where, it.min_fill_rate));
    }
    if (!(it.min_cycle_service >= 0 && it.min_cycle_service < 1)) {
      return bad(fmt::format("{}: min_cycle_service = {}; must be in [0, 1)", where,
                             it.min_cycle_service));
    }
  }
  std::set<std::pair<std::string, std::string>> offer_keys;
  for (size_t k = 0; k < offers.size(); ++k) {
    const PlanOffer& o = offers[k];
    const std::string where =
        fmt::format("offer {} (sku \"{}\", supplier \"{}\")", k, o.sku, o.supplier);
    if (!sup_ids.count(o.supplier)) {
      return bad(fmt::format("{}: supplier not in suppliers; available: {}", where,
                             JoinIds(Ids(suppliers))));
    }
    if (!offer_keys.insert({o.sku, o.supplier}).second) {
      return bad(where + ": duplicate (sku, supplier); each pair must appear once");
    }
    if (!(o.unit_price >= 0) || !Finite(o.unit_price)) {
      return bad(fmt::format("{}: unit_price = {}; must be >= 0 and finite", where, o.unit_price));
    }
    if (!(o.case_pack > 0) || !Finite(o.case_pack)) {
      return bad(fmt::format("{}: case_pack = {}; must be > 0 and finite", where, o.case_pack));
    }
    if (o.lead_time_days < 0) {
      return bad(fmt::format("{}: lead_time_days = {}; must be >= 0", where, o.lead_time_days));
    }
  }
  if (!(budget > 0)) {
    return bad(fmt::format("budget = {}; must be > 0 (inf = none)", budget));
  }
  return Status::Ok();
}

Status PlanOptions::Validate() const {
  if (max_cuts_per_item < 2) {
    return Error::InvalidArgument(
        fmt::format("PlanOptions::max_cuts_per_item = {}; must be >= 2", max_cuts_per_item));
  }
  if (!(tail_probability > 0 && tail_probability <= 0.01)) {
    return Error::InvalidArgument(
        fmt::format("PlanOptions::tail_probability = {}; must be in (0, 0.01]", tail_probability));
  }
  for (const std::string& g : relaxable) {
    if (std::find(kGroups.begin(), kGroups.end(), g) == kGroups.end()) {
      return Error::InvalidArgument(fmt::format(
          "PlanOptions::relaxable: unknown group \"{}\"; available: budget, capacity, moq, "
          "container, service, link, cut",
          g));
    }
  }
  return solve.Validate();
}

// ---- the problem ----------------------------------------------------------------------------

struct PurchasePlanProblem::Impl {
  PurchasePlanInstance inst;
  PlanOptions opt;
  std::vector<ItemData> items;
  std::vector<PlanDecision> decisions;
  std::vector<size_t> decision_group;  // order group of each decision
  std::vector<OrderGroup> groups;
  std::vector<std::vector<size_t>> wh_items;
  std::vector<std::string> notes;

  const PlanOffer& offer(size_t d) const { return inst.offers[decisions[d].offer]; }
  const PlanSupplier& supplier(size_t g) const { return inst.suppliers[groups[g].supplier]; }
  const PlanWarehouse& warehouse(size_t w) const { return inst.warehouses[w]; }
  bool GroupNeedsIndicator(size_t g) const {
    const PlanSupplier& s = supplier(g);
    return s.order_cost > 0 || s.moq_units > 0 || s.moq_value > 0;
  }
  // Purchase price per unit in the objective.
  double ObjectivePrice(size_t d) const {
    return opt.include_purchase_cost ? offer(d).unit_price : 0.0;
  }

  // The item's own optimum position: F^-1((p - c) / (p + h)) (newsvendor with a purchase cost c
  // per unit; Snyder & Shen ch. 4), as a quantity >= 0 to order.
  double NewsvendorQuantity(size_t i, double price) const {
    const PlanItem& it = inst.items[i];
    const ItemData& d = items[i];
    const double c = opt.include_purchase_cost ? price : 0.0;
    const double denom = it.shortage_cost + it.holding_cost;
    if (denom <= 0) return 0;
    const double ratio = (it.shortage_cost - c) / denom;
    if (ratio <= 0) return 0;
    const double y = d.dist.Quantile(std::min(ratio, 1.0 - opt.tail_probability));
    return std::max(0.0, y - d.ip);
  }

  // h E[(y - D)+] + p E[(D - y)+] at y = IP + q.
  double ItemCost(size_t i, double q) const {
    const ItemData& d = items[i];
    const PlanItem& it = inst.items[i];
    const double y = d.ip + q;
    const double n = d.curve.Loss(y);
    return it.holding_cost * std::max(0.0, n + y - d.mean) + it.shortage_cost * n;
  }

  // The MIP with the indices of its auxiliary variables.
  struct Built {
    Model model;
    std::vector<int> e;                  // per item
    std::vector<int> y, c;               // per order group, -1 = none
    std::vector<std::vector<int>> cuts;  // cut rows per item
    int budget_row = -1;
    std::vector<int> units_row, volume_row;  // per warehouse, -1 = none
  };
  // Prices of the shared resources (LP duals): what one unit of budget, warehouse space or
  // volume is worth; ranks local-search moves by cost change per unit of priced resource.
  struct Prices {
    double budget = 0;
    std::vector<double> units, volume;  // per warehouse
  };

  Status Build();
  void BuildCuts(size_t i, Model& m, int e, std::vector<int>& rows) const;
  Built BuildMip() const;
  // Every MIP variable for a case vector: y and c as the cases need them, e_i the largest cut.
  std::vector<double> MipVector(const Built& b, const std::vector<int64_t>& cases) const;
  PlanState State(const std::vector<int64_t>& cases) const;
  PlanResult Result(const std::vector<int64_t>& cases, SolveStatus status) const;
  // LP relaxation rounding and local search (see Solve).
  std::vector<int64_t> RoundAndImprove(const std::vector<double>& lp_cases,
                                       const Prices& prices) const;
};

Status PurchasePlanProblem::Impl::Build() {
  std::map<std::string, size_t> wh_index, sup_index;
  for (size_t w = 0; w < inst.warehouses.size(); ++w) wh_index[inst.warehouses[w].id] = w;
  for (size_t s = 0; s < inst.suppliers.size(); ++s) sup_index[inst.suppliers[s].id] = s;
  wh_items.assign(inst.warehouses.size(), {});

  const int weekday = inst.order_date.weekday();
  std::vector<bool> available(inst.suppliers.size());
  for (size_t s = 0; s < inst.suppliers.size(); ++s) {
    available[s] = inst.suppliers[s].order_weekdays[static_cast<size_t>(weekday)];
    if (!available[s]) {
      notes.push_back(fmt::format(
          "supplier \"{}\" takes no orders on {} (order date {}); its offers are not used",
          inst.suppliers[s].id, kWeekdays[static_cast<size_t>(weekday)],
          inst.order_date.ToString()));
    }
  }
  std::map<std::string, std::vector<size_t>> offers_by_sku;
  for (size_t k = 0; k < inst.offers.size(); ++k) offers_by_sku[inst.offers[k].sku].push_back(k);
  std::set<std::string> item_skus;
  for (const PlanItem& it : inst.items) item_skus.insert(it.sku);
  for (const PlanOffer& o : inst.offers) {
    if (!item_skus.count(o.sku)) {
      notes.push_back(fmt::format("offer (sku \"{}\", supplier \"{}\") matches no item; unused",
                                  o.sku, o.supplier));
    }
  }

  std::map<std::pair<size_t, size_t>, size_t> group_index;
  items.resize(inst.items.size());
  for (size_t i = 0; i < inst.items.size(); ++i) {
    const PlanItem& it = inst.items[i];
    ItemData& d = items[i];
    if (it.demand.has_value()) {
      d.dist = *it.demand;
    } else {
      SC_ASSIGN_OR_RETURN(d.dist, policy::DemandDistribution::Normal(it.demand_mean, it.demand_sd));
    }
    SC_RETURN_IF_ERROR(d.curve.Init(d.dist));
    d.mean = d.curve.mean();
    d.sd = d.dist.Sd();
    d.ip = it.on_hand + it.on_order;
    d.warehouse = wh_index.at(it.warehouse);
    wh_items[d.warehouse].push_back(i);
    const double top = d.dist.Quantile(std::max(1.0 - opt.tail_probability, it.min_cycle_service));
    d.q_high = std::max(0.0, top - d.ip);
    if (it.min_cycle_service > 0) {
      d.cycle_need = std::max(0.0, d.dist.Quantile(it.min_cycle_service) - d.ip);
    }

    const auto found = offers_by_sku.find(it.sku);
    bool any = false;
    if (found != offers_by_sku.end()) {
      for (size_t k : found->second) {
        const PlanOffer& o = inst.offers[k];
        const size_t s = sup_index.at(o.supplier);
        if (!available[s]) continue;
        const PlanSupplier& sup = inst.suppliers[s];
        // No item needs more than its (1 - tail) quantile, or one supplier's minimum on its own.
        double need = d.q_high;
        need = std::max(need, sup.moq_units);
        if (o.unit_price > 0) need = std::max(need, sup.moq_value / o.unit_price);
        PlanDecision dec;
        dec.item = i;
        dec.offer = k;
        dec.case_pack = o.case_pack;
        dec.max_cases = static_cast<int64_t>(std::ceil(need / o.case_pack - 1e-9));
        if (std::isfinite(inst.items[i].max_quantity)) {
          dec.max_cases = std::min<int64_t>(
              dec.max_cases, static_cast<int64_t>(std::floor(
                                 std::max(inst.items[i].max_quantity, 0.0) / o.case_pack + 1e-9)));
        }
        const auto key = std::make_pair(d.warehouse, s);
        auto [git, inserted] = group_index.try_emplace(key, groups.size());
        if (inserted) groups.push_back(OrderGroup{d.warehouse, s, {}});
        groups[git->second].decisions.push_back(decisions.size());
        decision_group.push_back(git->second);
        d.decisions.push_back(decisions.size());
        decisions.push_back(dec);
        any = true;
      }
    }
    if (!any) {
      notes.push_back(
          fmt::format("item {} has no offer from an available supplier; nothing is "
                      "ordered for it",
                      ItemName(it)));
    }
  }
  return Status::Ok();
}

// Tangent cuts e >= n(y_k) + (F(y_k) - 1)(IP + q - y_k) for one item (see the header).
void PurchasePlanProblem::Impl::BuildCuts(size_t i, Model& m, int e, std::vector<int>& rows) const {
  const ItemData& d = items[i];
  const PlanItem& it = inst.items[i];
  if (d.decisions.empty()) return;
  double q_top = 0;
  bool whole = true;
  int64_t step = 0;
  for (size_t j : d.decisions) {
    const PlanDecision& dec = decisions[j];
    q_top = std::max(q_top, dec.case_pack * static_cast<double>(dec.max_cases));
    const double r = std::round(dec.case_pack);
    if (std::fabs(dec.case_pack - r) > 1e-9 || r < 1) whole = false;
    step = std::gcd(step, static_cast<int64_t>(r));
  }
  std::vector<double> qs;
  const double cover = std::min(q_top, d.q_high);
  if (whole && step > 0) {
    const double last = std::ceil(cover / static_cast<double>(step)) * static_cast<double>(step);
    const double count = last / static_cast<double>(step) + 1;
    if (count <= opt.max_cuts_per_item) {
      for (double q = 0; q <= last + 0.5; q += static_cast<double>(step)) qs.push_back(q);
    }
  }
  if (qs.empty()) {
    // Breakpoints spaced evenly in  integral sqrt(n''(y)) dy = integral sqrt(f(y)) dy: between
    // tangents at distance D the gap is about f D^2 / 8, so this spacing equalises the worst
    // gaps. For a normal f, sqrt(f) is proportional to the N(mu, 2 sd^2) density; the grid is
    // that distribution's quantiles at equally spaced probabilities (for every kind, with the
    // demand's mean and sd).
    const int k = opt.max_cuts_per_item - 1;
    auto spread = policy::DemandDistribution::Normal(d.mean, std::sqrt(2.0) * std::max(d.sd, 1e-9));
    const double u0 = spread->Cdf(d.ip);
    const double u1 = spread->Cdf(d.ip + cover);
    for (int j = 0; j < k; ++j) {
      const double u = u0 + (u1 - u0) * j / (k - 1.0);
      double y = u <= u0 ? d.ip : (u >= u1 ? d.ip + cover : spread->Quantile(u));
      if (d.dist.integer()) y = std::round(y);
      qs.push_back(std::clamp(y - d.ip, 0.0, cover));
    }
  }
  qs.push_back(q_top);
  std::sort(qs.begin(), qs.end());
  qs.erase(
      std::unique(qs.begin(), qs.end(), [](double a, double b) { return std::fabs(a - b) < 1e-9; }),
      qs.end());
  double prev_slope = -2, prev_value = -1;
  int index = 0;
  for (double q : qs) {
    const double y = d.ip + q;
    const double value = d.curve.Loss(y);
    const double slope = 1.0 - d.curve.Cdf(y);     // -n'(y)
    if (slope < 1e-12 && value < 1e-12) continue;  // e >= 0 already
    if (std::fabs(slope - prev_slope) < 1e-15 &&
        std::fabs((value + slope * q) - prev_value) < 1e-12) {
      continue;  // same line as the previous cut (a linear piece of a discrete loss)
    }
    prev_slope = slope;
    prev_value = value + slope * q;
    std::vector<Term> terms = {{e, 1.0}};
    for (size_t j : d.decisions) {
      terms.push_back({static_cast<int>(j), slope * decisions[j].case_pack});
    }
    rows.push_back(m.AddConstraint(fmt::format("cut[{},{}]", ItemName(it), index++),
                                   std::move(terms), Sense::kGreaterEqual, value + slope * q,
                                   "cut"));
  }
}

Model PurchasePlanProblem::BuildModel() const { return impl_->BuildMip().model; }

PurchasePlanProblem::Impl::Built PurchasePlanProblem::Impl::BuildMip() const {
  const Impl& p = *this;
  Built b;
  Model& m = b.model;
  // n[i,s]: cases; variable j is decision j.
  for (size_t j = 0; j < p.decisions.size(); ++j) {
    const PlanDecision& dec = p.decisions[j];
    const PlanItem& it = p.inst.items[dec.item];
    const double obj = (p.ObjectivePrice(j) + it.holding_cost) * dec.case_pack;
    m.AddInteger(fmt::format("n[{},{}]", ItemName(it), p.offer(j).supplier), 0,
                 static_cast<double>(dec.max_cases), obj);
  }
  // e_i >= n(IP_i + q_i); cost (h + p) e + h (IP + q - mu): the h IP - h mu part is constant.
  double offset = 0;
  std::vector<int>& e = b.e;
  e.assign(p.items.size(), -1);
  b.cuts.assign(p.items.size(), {});
  for (size_t i = 0; i < p.items.size(); ++i) {
    const PlanItem& it = p.inst.items[i];
    const ItemData& d = p.items[i];
    e[i] = m.AddContinuous(fmt::format("e[{}]", ItemName(it)), 0, kInfinity,
                           it.holding_cost + it.shortage_cost);
    offset += it.holding_cost * (d.ip - d.mean);
    if (d.decisions.empty()) {
      // Nothing can be ordered: e is the exact loss at the current position.
      b.cuts[i].push_back(m.AddConstraint(fmt::format("cut[{},0]", ItemName(it)), {{e[i], 1.0}},
                                          Sense::kGreaterEqual, d.curve.Loss(d.ip), "cut"));
    } else {
      p.BuildCuts(i, m, e[i], b.cuts[i]);
    }
  }
  m.SetObjectiveOffset(offset);

  // Orders: y, links, minimums, containers.
  std::vector<int>& y = b.y;
  std::vector<int>& c = b.c;
  y.assign(p.groups.size(), -1);
  c.assign(p.groups.size(), -1);
  for (size_t g = 0; g < p.groups.size(); ++g) {
    const OrderGroup& grp = p.groups[g];
    const PlanSupplier& s = p.supplier(g);
    const std::string key = fmt::format("{},{}", p.warehouse(grp.warehouse).id, s.id);
    if (p.GroupNeedsIndicator(g)) {
      y[g] = m.AddBinary(fmt::format("y[{}]", key), s.order_cost);
      for (size_t j : grp.decisions) {
        m.AddConstraint(
            fmt::format("link[{},{}]", ItemName(p.inst.items[p.decisions[j].item]), s.id),
            {{static_cast<int>(j), 1.0}, {y[g], -static_cast<double>(p.decisions[j].max_cases)}},
            Sense::kLessEqual, 0, "link");
      }
      if (s.moq_units > 0) {
        std::vector<Term> t;
        for (size_t j : grp.decisions) t.push_back({static_cast<int>(j), p.decisions[j].case_pack});
        t.push_back({y[g], -s.moq_units});
        m.AddConstraint(fmt::format("moq_units[{}]", key), std::move(t), Sense::kGreaterEqual, 0,
                        "moq");
      }
      if (s.moq_value > 0) {
        std::vector<Term> t;
        for (size_t j : grp.decisions) {
          t.push_back({static_cast<int>(j), p.decisions[j].case_pack * p.offer(j).unit_price});
        }
        t.push_back({y[g], -s.moq_value});
        m.AddConstraint(fmt::format("moq_value[{}]", key), std::move(t), Sense::kGreaterEqual, 0,
                        "moq");
      }
    }
    if (s.container_volume > 0) {
      double volume = 0;
      std::vector<Term> t;
      for (size_t j : grp.decisions) {
        const double v = p.inst.items[p.decisions[j].item].unit_volume * p.decisions[j].case_pack;
        if (v <= 0) continue;
        t.push_back({static_cast<int>(j), v});
        volume += v * static_cast<double>(p.decisions[j].max_cases);
      }
      if (!t.empty()) {
        c[g] = m.AddInteger(fmt::format("c[{}]", key), 0,
                            std::ceil(volume / s.container_volume - 1e-9), s.container_cost);
        t.push_back({c[g], -s.container_volume});
        m.AddConstraint(fmt::format("container[{}]", key), std::move(t), Sense::kLessEqual, 0,
                        "container");
      }
    }
  }

  // Budget.
  if (std::isfinite(p.inst.budget)) {
    std::vector<Term> t;
    for (size_t j = 0; j < p.decisions.size(); ++j) {
      t.push_back({static_cast<int>(j), p.decisions[j].case_pack * p.offer(j).unit_price});
    }
    if (p.opt.budget_includes_fixed_costs) {
      for (size_t g = 0; g < p.groups.size(); ++g) {
        if (y[g] >= 0) t.push_back({y[g], p.supplier(g).order_cost});
        if (c[g] >= 0) t.push_back({c[g], p.supplier(g).container_cost});
      }
    }
    const int r =
        m.AddConstraint("budget", std::move(t), Sense::kLessEqual, p.inst.budget, "budget");
    m.SetSlackWeight(r, 1.0 / std::max(1.0, p.inst.budget));
    b.budget_row = r;
  }

  // Warehouse capacities: the position after ordering must fit.
  b.units_row.assign(p.inst.warehouses.size(), -1);
  b.volume_row.assign(p.inst.warehouses.size(), -1);
  for (size_t w = 0; w < p.inst.warehouses.size(); ++w) {
    const PlanWarehouse& wh = p.inst.warehouses[w];
    for (int kind = 0; kind < 2; ++kind) {
      const double cap = kind == 0 ? wh.capacity_units : wh.capacity_volume;
      if (!std::isfinite(cap) || p.wh_items[w].empty()) continue;
      std::vector<Term> t;
      double base = 0;
      for (size_t i : p.wh_items[w]) {
        const double per_unit = kind == 0 ? 1.0 : p.inst.items[i].unit_volume;
        base += per_unit * p.items[i].ip;
        for (size_t j : p.items[i].decisions) {
          t.push_back({static_cast<int>(j), per_unit * p.decisions[j].case_pack});
        }
      }
      const int r = m.AddConstraint(
          fmt::format("{}[{}]", kind == 0 ? "capacity_units" : "capacity_volume", wh.id),
          std::move(t), Sense::kLessEqual, cap - base, "capacity");
      m.SetSlackWeight(r, 1.0 / std::max(1.0, cap));
      (kind == 0 ? b.units_row : b.volume_row)[w] = r;
    }
  }

  // Service targets.
  for (size_t i = 0; i < p.items.size(); ++i) {
    const PlanItem& it = p.inst.items[i];
    const ItemData& d = p.items[i];
    if (it.min_fill_rate > 0) {
      const double allowed = (1.0 - it.min_fill_rate) * d.mean;
      const int r = m.AddConstraint(fmt::format("fill_rate[{}]", ItemName(it)), {{e[i], 1.0}},
                                    Sense::kLessEqual, allowed, "service");
      m.SetSlackWeight(r, 1.0 / std::max(1.0, d.mean));
    }
    if (d.cycle_need > 0) {
      std::vector<Term> t;
      for (size_t j : d.decisions) t.push_back({static_cast<int>(j), p.decisions[j].case_pack});
      const int r = m.AddConstraint(fmt::format("cycle_service[{}]", ItemName(it)), std::move(t),
                                    Sense::kGreaterEqual, d.cycle_need, "service");
      m.SetSlackWeight(r, 1.0 / std::max(1.0, d.mean));
    }
  }
  for (const std::string& g : p.opt.relaxable) m.SetRelaxable(g, 1.0);
  return b;
}

std::vector<double> PurchasePlanProblem::Impl::MipVector(const Built& b,
                                                         const std::vector<int64_t>& cases) const {
  std::vector<double> x(static_cast<size_t>(b.model.num_variables()), 0.0);
  for (size_t j = 0; j < decisions.size(); ++j) x[j] = static_cast<double>(cases[j]);
  const PlanState st = State(cases);
  for (size_t g = 0; g < groups.size(); ++g) {
    if (b.y[g] >= 0) x[static_cast<size_t>(b.y[g])] = st.group_units[g] > 0 ? 1.0 : 0.0;
    if (b.c[g] >= 0) {
      x[static_cast<size_t>(b.c[g])] = static_cast<double>(st.group_containers[g]);
    }
  }
  for (size_t i = 0; i < items.size(); ++i) {
    double e = 0;
    for (int r : b.cuts[i]) {
      const Constraint& row = b.model.constraints()[static_cast<size_t>(r)];
      double rest = 0;
      for (const Term& t : row.terms) {
        if (t.variable != b.e[i]) rest += t.coefficient * x[static_cast<size_t>(t.variable)];
      }
      e = std::max(e, row.rhs - rest);
    }
    x[static_cast<size_t>(b.e[i])] = e;
  }
  return x;
}

PlanState PurchasePlanProblem::Impl::State(const std::vector<int64_t>& cases) const {
  SC_ASSERT(cases.size() == decisions.size());
  PlanState st;
  st.item_q.assign(items.size(), 0.0);
  st.group_units.assign(groups.size(), 0.0);
  st.group_value.assign(groups.size(), 0.0);
  st.group_volume.assign(groups.size(), 0.0);
  st.group_containers.assign(groups.size(), 0);
  st.wh_units.assign(inst.warehouses.size(), 0.0);
  st.wh_volume.assign(inst.warehouses.size(), 0.0);
  // `name` is a callable: names are formatted only for the (rare) violated rules, which keeps
  // evaluation cheap inside the metaheuristics.
  auto violate = [&](auto&& name, const char* group, Sense sense, double activity, double limit,
                     double scale) {
    const double excess = sense == Sense::kLessEqual ? activity - limit : limit - activity;
    if (excess <= 1e-9 * std::max(1.0, std::fabs(limit))) return;
    st.violations.push_back(
        Violation{name(), group, sense, activity, limit, excess / std::max(scale, 1e-9)});
  };
  for (size_t j = 0; j < decisions.size(); ++j) {
    const PlanDecision& dec = decisions[j];
    if (cases[j] < 0 || cases[j] > dec.max_cases) {
      const PlanItem& it = inst.items[dec.item];
      violate([&] { return fmt::format("n[{},{}]", ItemName(it), offer(j).supplier); }, "bounds",
              cases[j] < 0 ? Sense::kGreaterEqual : Sense::kLessEqual,
              static_cast<double>(cases[j]),
              cases[j] < 0 ? 0.0 : static_cast<double>(dec.max_cases),
              std::max(1.0, static_cast<double>(dec.max_cases)));
    }
    const double units = dec.case_pack * static_cast<double>(cases[j]);
    st.item_q[dec.item] += units;
    const size_t g = decision_group[j];
    st.group_units[g] += units;
    st.group_value[g] += units * offer(j).unit_price;
    st.group_volume[g] += units * inst.items[dec.item].unit_volume;
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    const PlanSupplier& s = supplier(g);
    auto key = [&] { return fmt::format("{},{}", warehouse(groups[g].warehouse).id, s.id); };
    st.cost.purchase += st.group_value[g];
    if (st.group_units[g] <= 0) continue;
    st.cost.ordering += s.order_cost;
    if (s.container_volume > 0 && st.group_volume[g] > 0) {
      st.group_containers[g] =
          static_cast<int64_t>(std::ceil(st.group_volume[g] / s.container_volume - 1e-9));
      st.cost.container += s.container_cost * static_cast<double>(st.group_containers[g]);
    }
    if (s.moq_units > 0) {
      violate([&] { return fmt::format("moq_units[{}]", key()); }, "moq", Sense::kGreaterEqual,
              st.group_units[g], s.moq_units, s.moq_units);
    }
    if (s.moq_value > 0) {
      violate([&] { return fmt::format("moq_value[{}]", key()); }, "moq", Sense::kGreaterEqual,
              st.group_value[g], s.moq_value, s.moq_value);
    }
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const PlanItem& it = inst.items[i];
    const ItemData& d = items[i];
    const double y = d.ip + st.item_q[i];
    const double shortage = d.curve.Loss(y);
    const double leftover = std::max(0.0, shortage + y - d.mean);
    st.cost.holding += it.holding_cost * leftover;
    st.cost.shortage += it.shortage_cost * shortage;
    st.wh_units[d.warehouse] += y;
    st.wh_volume[d.warehouse] += y * it.unit_volume;
    if (it.min_fill_rate > 0) {
      violate([&] { return fmt::format("fill_rate[{}]", ItemName(it)); }, "service",
              Sense::kLessEqual, shortage, (1.0 - it.min_fill_rate) * d.mean,
              std::max(d.mean, 1.0));
    }
    if (d.cycle_need > 0) {
      violate([&] { return fmt::format("cycle_service[{}]", ItemName(it)); }, "service",
              Sense::kGreaterEqual, st.item_q[i], d.cycle_need, std::max(d.mean, 1.0));
    }
  }
  st.spend = st.cost.purchase;
  if (opt.budget_includes_fixed_costs) st.spend += st.cost.ordering + st.cost.container;
  if (std::isfinite(inst.budget)) {
    violate([] { return std::string("budget"); }, "budget", Sense::kLessEqual, st.spend,
            inst.budget, inst.budget);
  }
  for (size_t w = 0; w < inst.warehouses.size(); ++w) {
    const PlanWarehouse& wh = inst.warehouses[w];
    if (wh_items[w].empty()) continue;
    if (std::isfinite(wh.capacity_units)) {
      violate([&] { return fmt::format("capacity_units[{}]", wh.id); }, "capacity",
              Sense::kLessEqual, st.wh_units[w], wh.capacity_units, wh.capacity_units);
    }
    if (std::isfinite(wh.capacity_volume)) {
      violate([&] { return fmt::format("capacity_volume[{}]", wh.id); }, "capacity",
              Sense::kLessEqual, st.wh_volume[w], wh.capacity_volume, wh.capacity_volume);
    }
  }
  st.cost.total = st.cost.ordering + st.cost.container + st.cost.holding + st.cost.shortage +
                  (opt.include_purchase_cost ? st.cost.purchase : 0.0);
  return st;
}

PlanResult PurchasePlanProblem::Impl::Result(const std::vector<int64_t>& cases,
                                             SolveStatus status) const {
  const PlanState st = State(cases);
  PlanResult r;
  r.status = status;
  r.cost = st.cost;
  r.notes = notes;
  const double budget_left = inst.budget - st.spend;

  // Orders and binding minimums / containers.
  for (size_t g = 0; g < groups.size(); ++g) {
    if (st.group_units[g] <= 0) continue;
    const PlanSupplier& s = supplier(g);
    const PlanWarehouse& wh = warehouse(groups[g].warehouse);
    PlanOrder o;
    o.supplier = s.id;
    o.warehouse = wh.id;
    o.units = st.group_units[g];
    o.value = st.group_value[g];
    o.volume = st.group_volume[g];
    o.containers = st.group_containers[g];
    o.fixed_cost = s.order_cost;
    o.container_cost = s.container_cost * static_cast<double>(o.containers);
    r.orders.push_back(o);
  }

  // Lines.
  for (size_t j = 0; j < decisions.size(); ++j) {
    if (cases[j] <= 0) continue;
    const PlanDecision& dec = decisions[j];
    const PlanItem& it = inst.items[dec.item];
    const ItemData& d = items[dec.item];
    const PlanOffer& o = offer(j);
    const size_t g = decision_group[j];
    const PlanSupplier& s = supplier(g);
    const PlanWarehouse& wh = warehouse(d.warehouse);
    PlanLine line;
    line.sku = it.sku;
    line.warehouse = it.warehouse;
    line.supplier = o.supplier;
    line.cases = cases[j];
    line.case_pack = dec.case_pack;
    line.quantity = dec.case_pack * static_cast<double>(cases[j]);
    line.unit_price = o.unit_price;
    line.cost = line.quantity * o.unit_price;
    line.order_date = inst.order_date;
    line.expected_arrival = inst.order_date + o.lead_time_days;
    line.expected_demand = d.mean;
    line.demand_sd = d.sd;
    line.inventory_position = d.ip;
    const double q = st.item_q[dec.item];
    line.position_after = d.ip + q;
    line.expected_shortage = d.curve.Loss(line.position_after);
    line.fill_rate = d.mean > 0 ? 1.0 - line.expected_shortage / d.mean : 1.0;
    line.cycle_service = d.curve.Cdf(line.position_after);
    line.newsvendor_quantity = NewsvendorQuantity(dec.item, o.unit_price);

    // Which rule keeps this line away from the item's own optimum.
    const double cp = dec.case_pack;
    const double step_cost = cp * o.unit_price;
    std::string why;
    auto cap_blocks = [&]() {
      const double units_left = wh.capacity_units - st.wh_units[d.warehouse];
      const double vol_left = wh.capacity_volume - st.wh_volume[d.warehouse];
      return cp > units_left + 1e-9 || cp * it.unit_volume > vol_left + 1e-9;
    };
    auto next_container = [&]() {
      return s.container_volume > 0 && s.container_cost > 0 && it.unit_volume > 0 &&
             st.group_volume[g] + cp * it.unit_volume >
                 s.container_volume * static_cast<double>(st.group_containers[g]) + 1e-9;
    };
    auto moq_blocks = [&]() {
      return (s.moq_units > 0 && st.group_units[g] - cp < s.moq_units - 1e-9) ||
             (s.moq_value > 0 && st.group_value[g] - step_cost < s.moq_value - 1e-9);
    };
    auto service_blocks = [&]() {
      if (d.cycle_need > 0 && q - cp < d.cycle_need - 1e-9) return true;
      return it.min_fill_rate > 0 &&
             d.curve.Loss(d.ip + q - cp) > (1.0 - it.min_fill_rate) * d.mean + 1e-9;
    };
    const double target = line.newsvendor_quantity;
    if (q < target - 1e-9) {
      if (std::isfinite(inst.budget) && step_cost > budget_left + 1e-9) {
        line.bound_by = BindingReason::kBudget;
        why = fmt::format("one more case ({}) would exceed the budget ({} left)", Num(step_cost),
                          Num(budget_left));
      } else if (cap_blocks()) {
        line.bound_by = BindingReason::kCapacity;
        why = fmt::format("one more case would not fit in warehouse {}", wh.id);
      } else if (next_container()) {
        line.bound_by = BindingReason::kContainer;
        why = fmt::format("one more case would need another container ({})", Num(s.container_cost));
      } else if (target - q < cp) {
        line.bound_by = BindingReason::kCasePack;
        why = fmt::format("rounded to whole cases of {}", Num(cp));
      }
    } else if (q > target + 1e-9) {
      if (moq_blocks()) {
        line.bound_by = BindingReason::kMoq;
        why = fmt::format("raised to meet {}'s minimum order", s.id);
      } else if (service_blocks()) {
        line.bound_by = BindingReason::kService;
        why = "raised to meet the service target";
      } else if (q - target < cp) {
        line.bound_by = BindingReason::kCasePack;
        why = fmt::format("rounded to whole cases of {}", Num(cp));
      }
    }
    line.explanation = fmt::format(
        "order {} units ({} case{} of {}) from {} at {} = {}; expected demand over the protection "
        "period {} (sd {}), inventory position {} -> {}; expected shortage {} units (fill rate "
        "{}, cycle service {}); newsvendor quantity {}; bound by {}{}",
        Num(line.quantity), line.cases, line.cases == 1 ? "" : "s", Num(cp), o.supplier,
        Num(o.unit_price), Num(line.cost), Est(d.mean), Est(d.sd), Num(d.ip),
        Num(line.position_after), Est(line.expected_shortage), Pct(line.fill_rate),
        Pct(line.cycle_service), Est(target), ToString(line.bound_by),
        why.empty() ? "" : ": " + why);
    r.lines.push_back(std::move(line));
  }

  // Binding resource constraints: one more case of some line would break them.
  auto add_binding = [&](std::string name, std::string group, double activity, double limit,
                         std::string msg) {
    r.binding.push_back(
        PlanBinding{std::move(name), std::move(group), activity, limit, std::move(msg)});
  };
  if (std::isfinite(inst.budget)) {
    double cheapest = kInfinity;
    for (size_t j = 0; j < decisions.size(); ++j) {
      if (cases[j] < decisions[j].max_cases) {
        cheapest = std::min(cheapest, decisions[j].case_pack * offer(j).unit_price);
      }
    }
    if (cheapest > budget_left + 1e-9) {
      add_binding(
          "budget", "budget", st.spend, inst.budget,
          fmt::format("spend {} of {}; no further case fits", Num(st.spend), Num(inst.budget)));
    }
  }
  for (size_t w = 0; w < inst.warehouses.size(); ++w) {
    const PlanWarehouse& wh = inst.warehouses[w];
    double min_units = kInfinity, min_volume = kInfinity;
    for (size_t i : wh_items[w]) {
      for (size_t j : items[i].decisions) {
        if (cases[j] >= decisions[j].max_cases) continue;
        min_units = std::min(min_units, decisions[j].case_pack);
        min_volume = std::min(min_volume, decisions[j].case_pack * inst.items[i].unit_volume);
      }
    }
    if (std::isfinite(wh.capacity_units) && std::isfinite(min_units) &&
        st.wh_units[w] + min_units > wh.capacity_units + 1e-9) {
      add_binding(fmt::format("capacity_units[{}]", wh.id), "capacity", st.wh_units[w],
                  wh.capacity_units,
                  fmt::format("position after ordering {} units of {}", Num(st.wh_units[w]),
                              Num(wh.capacity_units)));
    }
    if (std::isfinite(wh.capacity_volume) && std::isfinite(min_volume) &&
        st.wh_volume[w] + min_volume > wh.capacity_volume + 1e-9) {
      add_binding(fmt::format("capacity_volume[{}]", wh.id), "capacity", st.wh_volume[w],
                  wh.capacity_volume,
                  fmt::format("volume after ordering {} of {}", Num(st.wh_volume[w]),
                              Num(wh.capacity_volume)));
    }
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    if (st.group_units[g] <= 0) continue;
    const PlanSupplier& s = supplier(g);
    const std::string key = fmt::format("{},{}", warehouse(groups[g].warehouse).id, s.id);
    double min_cp = kInfinity, min_value = kInfinity;
    for (size_t j : groups[g].decisions) {
      if (cases[j] <= 0) continue;
      min_cp = std::min(min_cp, decisions[j].case_pack);
      min_value = std::min(min_value, decisions[j].case_pack * offer(j).unit_price);
    }
    if (s.moq_units > 0 && st.group_units[g] - min_cp < s.moq_units - 1e-9) {
      add_binding(fmt::format("moq_units[{}]", key), "moq", st.group_units[g], s.moq_units,
                  fmt::format("order of {} units at the minimum {}", Num(st.group_units[g]),
                              Num(s.moq_units)));
    }
    if (s.moq_value > 0 && st.group_value[g] - min_value < s.moq_value - 1e-9) {
      add_binding(fmt::format("moq_value[{}]", key), "moq", st.group_value[g], s.moq_value,
                  fmt::format("order value {} at the minimum {}", Num(st.group_value[g]),
                              Num(s.moq_value)));
    }
    if (s.container_volume > 0 && st.group_containers[g] > 0) {
      const double cap = s.container_volume * static_cast<double>(st.group_containers[g]);
      add_binding(
          fmt::format("container[{}]", key), "container", st.group_volume[g], cap,
          fmt::format("{} container{} filled to {}", st.group_containers[g],
                      st.group_containers[g] == 1 ? "" : "s", Pct(st.group_volume[g] / cap)));
    }
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const PlanItem& it = inst.items[i];
    const ItemData& d = items[i];
    double min_cp = kInfinity;
    for (size_t j : d.decisions) {
      if (cases[j] > 0) min_cp = std::min(min_cp, decisions[j].case_pack);
    }
    if (!std::isfinite(min_cp)) continue;
    const double q = st.item_q[i];
    if (d.cycle_need > 0 && q - min_cp < d.cycle_need - 1e-9) {
      add_binding(fmt::format("cycle_service[{}]", ItemName(it)), "service", q, d.cycle_need,
                  fmt::format("cycle service target {}", Pct(it.min_cycle_service)));
    }
    if (it.min_fill_rate > 0 &&
        d.curve.Loss(d.ip + q - min_cp) > (1.0 - it.min_fill_rate) * d.mean + 1e-9) {
      add_binding(fmt::format("fill_rate[{}]", ItemName(it)), "service", d.curve.Loss(d.ip + q),
                  (1.0 - it.min_fill_rate) * d.mean,
                  fmt::format("fill rate target {}", Pct(it.min_fill_rate)));
    }
  }

  // A plan that breaks rules (from a heuristic) lists them as conflicts.
  for (const Violation& v : st.violations) {
    Conflict k;
    k.constraint = v.name;
    k.group = v.group;
    k.sense = v.sense;
    k.rhs = v.limit;
    k.rhs_change = v.activity - v.limit;
    k.relaxed_rhs = v.activity;
    k.message =
        fmt::format("{} {} {} is at {}", v.name, ToString(v.sense), Num(v.limit), Num(v.activity));
    r.conflicts.push_back(std::move(k));
  }
  return r;
}

// ---- LP rounding and local search -----------------------------------------------------------
//
// A large plan's LP relaxation is close to its integer optimum (case packs, minimums and fixed
// costs are small against the total), so rounding the LP plan and repairing it usually gives a
// plan provably within a fraction of a percent of optimal: the LP value is a lower bound.
//   1. n = floor(n_LP): budget and capacity rows have non-negative coefficients, so they hold.
//   2. Each order below its minimum is either raised to it (cheapest extra cases first) or
//      dropped, whichever costs less.
//   3. Items below a service target get cases from their cheapest feasible offer.
//   4. Local search on the exact cost: single-case moves (+1 / -1) that improve and keep every
//      rule, then exchanges (+1 case on one line, -1 on another) that trade budget or space
//      from the line where it is worth least to the one where it is worth most, ranked by cost
//      change per unit of resource (the greedy rule for a knapsack with convex item costs).

namespace {

// Incremental plan totals: O(1) cost change and feasibility of moving one decision.
class Tracker {
 public:
  using Impl = PurchasePlanProblem::Impl;
  struct Move {
    double cost = 0;   // change of the exact total cost
    double money = 0;  // change of the budget spend
    bool feasible = false;
  };

  Tracker(const Impl& p, std::vector<int64_t> cases, const Impl::Prices* prices = nullptr)
      : pp_(&p), prices_(prices), cases_(std::move(cases)) {
    const PlanState st = pp_->State(cases_);
    q_ = st.item_q;
    units_ = st.group_units;
    value_ = st.group_value;
    volume_ = st.group_volume;
    containers_ = st.group_containers;
    wh_units_ = st.wh_units;
    wh_volume_ = st.wh_volume;
    spend_ = st.spend;
  }

  const std::vector<int64_t>& cases() const { return cases_; }
  int64_t cases(size_t j) const { return cases_[j]; }
  double units(size_t g) const { return units_[g]; }

  bool MoqShort(size_t g) const {
    const PlanSupplier& s = pp_->supplier(g);
    return units_[g] > 0 && (units_[g] < s.moq_units - 1e-9 || value_[g] < s.moq_value - 1e-9);
  }
  bool ServiceShort(size_t i) const {
    const ItemData& d = pp_->items[i];
    const PlanItem& it = pp_->inst.items[i];
    if (d.cycle_need > 0 && q_[i] < d.cycle_need - 1e-9) return true;
    return it.min_fill_rate > 0 &&
           d.curve.Loss(d.ip + q_[i]) > (1.0 - it.min_fill_rate) * d.mean + 1e-9;
  }

  // Resource used by one case of j: at the LP prices when known, else each resource relative
  // to its limit.
  double Resource(size_t j) const {
    const PlanDecision& dec = pp_->decisions[j];
    const PlanItem& it = pp_->inst.items[dec.item];
    const size_t w = pp_->items[dec.item].warehouse;
    const PlanWarehouse& wh = pp_->warehouse(w);
    double r = 0;
    if (prices_ != nullptr) {
      r = prices_->budget * dec.case_pack * pp_->offer(j).unit_price +
          prices_->units[w] * dec.case_pack + prices_->volume[w] * dec.case_pack * it.unit_volume;
      if (r > 1e-12) return r;
      r = 0;
    }
    if (std::isfinite(pp_->inst.budget))
      r += dec.case_pack * pp_->offer(j).unit_price / pp_->inst.budget;
    if (std::isfinite(wh.capacity_units)) r += dec.case_pack / wh.capacity_units;
    if (std::isfinite(wh.capacity_volume)) r += dec.case_pack * it.unit_volume / wh.capacity_volume;
    return r > 0 ? r : 1.0;
  }

  // Budget and every warehouse capacity hold.
  bool LimitsOk() const {
    const double tol = 1e-9;
    if (spend_ > pp_->inst.budget * (1 + tol) + tol) return false;
    for (size_t w = 0; w < wh_units_.size(); ++w) {
      const PlanWarehouse& wh = pp_->warehouse(w);
      if (wh_units_[w] > wh.capacity_units * (1 + tol) + tol) return false;
      if (wh_volume_[w] > wh.capacity_volume * (1 + tol) + tol) return false;
    }
    return true;
  }

  // check_limits: budget and capacity; check_moq: the order's minimum after the move.
  Move Delta(size_t j, int64_t dc, bool check_limits = true, bool check_moq = true) const {
    Move m;
    const PlanDecision& dec = pp_->decisions[j];
    const int64_t nc = cases_[j] + dc;
    if (nc < 0 || nc > dec.max_cases || dc == 0) return m;
    const size_t i = dec.item;
    const size_t g = pp_->decision_group[j];
    const size_t w = pp_->items[i].warehouse;
    const PlanItem& it = pp_->inst.items[i];
    const PlanSupplier& s = pp_->supplier(g);
    const double du = dec.case_pack * static_cast<double>(dc);
    const double dvalue = du * pp_->offer(j).unit_price;
    m.cost = pp_->ItemCost(i, q_[i] + du) - pp_->ItemCost(i, q_[i]);
    if (pp_->opt.include_purchase_cost) m.cost += dvalue;
    const double u0 = units_[g];
    const double u1 = nc == 0 && GroupEmptiesWith(g, j) ? 0.0 : u0 + du;
    double fixed = 0;
    if (u0 <= 0 && u1 > 0) fixed += s.order_cost;
    if (u0 > 0 && u1 <= 0) fixed -= s.order_cost;
    if (s.container_volume > 0) {
      const double vol = u1 <= 0 ? 0.0 : volume_[g] + du * it.unit_volume;
      const double c1 = vol > 1e-12 ? std::ceil(vol / s.container_volume - 1e-9) : 0.0;
      fixed += (c1 - static_cast<double>(containers_[g])) * s.container_cost;
    }
    m.cost += fixed;
    m.money = dvalue + (pp_->opt.budget_includes_fixed_costs ? fixed : 0.0);
    m.feasible = true;
    if (check_limits) {
      const double tol = 1e-9;
      if (m.money > 0 && spend_ + m.money > pp_->inst.budget * (1 + tol) + tol) m.feasible = false;
      const PlanWarehouse& wh = pp_->warehouse(w);
      if (du > 0 && wh_units_[w] + du > wh.capacity_units * (1 + tol) + tol) m.feasible = false;
      if (du > 0 && wh_volume_[w] + du * it.unit_volume > wh.capacity_volume * (1 + tol) + tol) {
        m.feasible = false;
      }
    }
    if (check_moq && u1 > 0 &&
        (u1 < s.moq_units - 1e-9 || value_[g] + dvalue < s.moq_value - 1e-9)) {
      m.feasible = false;
    }
    if (du < 0) {
      const ItemData& d = pp_->items[i];
      const double q1 = q_[i] + du;
      if (d.cycle_need > 0 && q1 < d.cycle_need - 1e-9) m.feasible = false;
      if (it.min_fill_rate > 0 &&
          d.curve.Loss(d.ip + q1) > (1.0 - it.min_fill_rate) * d.mean + 1e-9) {
        m.feasible = false;
      }
    }
    return m;
  }

  void Apply(size_t j, int64_t dc) {
    const PlanDecision& dec = pp_->decisions[j];
    const Move m = Delta(j, dc, false, false);
    const size_t i = dec.item;
    const size_t g = pp_->decision_group[j];
    const size_t w = pp_->items[i].warehouse;
    const PlanItem& it = pp_->inst.items[i];
    const PlanSupplier& s = pp_->supplier(g);
    const double du = dec.case_pack * static_cast<double>(dc);
    const bool empties = cases_[j] + dc == 0 && GroupEmptiesWith(g, j);
    cases_[j] += dc;
    q_[i] += du;
    units_[g] = empties ? 0.0 : units_[g] + du;
    value_[g] = empties ? 0.0 : value_[g] + du * pp_->offer(j).unit_price;
    volume_[g] = empties ? 0.0 : volume_[g] + du * it.unit_volume;
    if (s.container_volume > 0) {
      containers_[g] = volume_[g] > 1e-12
                           ? static_cast<int64_t>(std::ceil(volume_[g] / s.container_volume - 1e-9))
                           : 0;
    }
    wh_units_[w] += du;
    wh_volume_[w] += du * it.unit_volume;
    spend_ += m.money;
  }

 private:
  // True when j holds every case of its group (so setting it to zero closes the order).
  bool GroupEmptiesWith(size_t g, size_t j) const {
    for (size_t k : pp_->groups[g].decisions) {
      if (k != j && cases_[k] > 0) return false;
    }
    return true;
  }

  const Impl* pp_;
  const Impl::Prices* prices_;
  std::vector<int64_t> cases_;
  std::vector<double> q_, units_, value_, volume_, wh_units_, wh_volume_;
  std::vector<int64_t> containers_;
  double spend_ = 0;
};

constexpr double kImprove = 1e-9;

// Single-case moves that improve, until none does.
bool Descend(Tracker& t, size_t n) {
  bool any = false;
  for (int pass = 0; pass < 50; ++pass) {
    bool changed = false;
    for (size_t j = 0; j < n; ++j) {
      for (int64_t dc : {-1, 1}) {
        while (true) {
          const Tracker::Move m = t.Delta(j, dc);
          if (!m.feasible || m.cost >= -kImprove) break;
          t.Apply(j, dc);
          changed = true;
        }
      }
    }
    any |= changed;
    if (!changed) break;
  }
  return any;
}

// Exchanges between lines, ranked by cost change per unit of resource: +1 case where it gains
// most, -1 where it loses least. "Eject and refill" removes one case and spends what it frees
// on the best additions; "add and trim" adds one case and frees room for it by the cheapest
// removals. Both keep every rule and are undone unless the total improves. Several single
// cases can buy one large case and the reverse, which one-for-one swaps cannot.
bool Exchange(Tracker& t, size_t n) {
  constexpr size_t kTop = 48;
  bool any = false;
  std::vector<std::pair<size_t, int64_t>> journal;
  auto undo = [&] {
    for (auto it = journal.rbegin(); it != journal.rend(); ++it) t.Apply(it->first, -it->second);
    journal.clear();
  };
  for (int round = 0; round < 200; ++round) {
    std::vector<std::pair<double, size_t>> ups, downs;
    for (size_t j = 0; j < n; ++j) {
      const double r = t.Resource(j);
      const Tracker::Move up = t.Delta(j, 1, false, true);
      if (up.feasible && up.cost < -kImprove) ups.emplace_back(up.cost / r, j);
      const Tracker::Move down = t.Delta(j, -1);
      if (down.feasible) downs.emplace_back(down.cost / r, j);
    }
    if (ups.empty() || downs.empty()) break;
    const size_t nu = std::min(kTop, ups.size()), nd = std::min(kTop, downs.size());
    std::partial_sort(ups.begin(), ups.begin() + static_cast<std::ptrdiff_t>(nu), ups.end());
    std::partial_sort(downs.begin(), downs.begin() + static_cast<std::ptrdiff_t>(nd), downs.end());
    bool changed = false;
    for (size_t b = 0; b < nd; ++b) {  // eject and refill
      const size_t jb = downs[b].second;
      const Tracker::Move down = t.Delta(jb, -1);
      if (!down.feasible) continue;
      t.Apply(jb, -1);
      journal.assign(1, {jb, -1});
      double total = down.cost;
      for (size_t a = 0; a < nu; ++a) {
        const size_t ja = ups[a].second;
        if (ja == jb) continue;
        while (true) {
          const Tracker::Move up = t.Delta(ja, 1);
          if (!up.feasible || up.cost >= -kImprove) break;
          t.Apply(ja, 1);
          journal.emplace_back(ja, 1);
          total += up.cost;
        }
      }
      if (total < -kImprove) {
        changed = true;
        journal.clear();
      } else {
        undo();
      }
    }
    for (size_t a = 0; a < nu; ++a) {  // add and trim
      const size_t ja = ups[a].second;
      const Tracker::Move up = t.Delta(ja, 1, false, true);
      if (!up.feasible || up.cost >= -kImprove) continue;
      t.Apply(ja, 1);
      journal.assign(1, {ja, 1});
      double total = up.cost;
      for (size_t b = 0; b < nd && !t.LimitsOk() && total < -kImprove; ++b) {
        const size_t jb = downs[b].second;
        if (jb == ja) continue;
        while (!t.LimitsOk() && total < -kImprove) {
          const Tracker::Move down = t.Delta(jb, -1);
          if (!down.feasible) break;
          t.Apply(jb, -1);
          journal.emplace_back(jb, -1);
          total += down.cost;
        }
      }
      if (t.LimitsOk() && total < -kImprove) {
        changed = true;
        journal.clear();
      } else {
        undo();
      }
    }
    any |= changed;
    if (!changed) break;
  }
  return any;
}

// Supplier switches: move an item's whole quantity onto one of its offers (the nearest whole
// cases below and above), undone unless the total improves and every rule holds. The LP often
// splits an item across suppliers, and single-case moves cannot merge the split.
bool Consolidate(Tracker& t, const PurchasePlanProblem::Impl& p) {
  bool any = false;
  std::vector<std::pair<size_t, int64_t>> journal;
  for (size_t i = 0; i < p.items.size(); ++i) {
    const auto& decs = p.items[i].decisions;
    if (decs.size() < 2) continue;
    double q = 0;
    for (size_t j : decs) q += p.decisions[j].case_pack * static_cast<double>(t.cases(j));
    if (q <= 0) continue;
    for (size_t target : decs) {
      const double cp = p.decisions[target].case_pack;
      for (double n : {std::floor(q / cp), std::ceil(q / cp)}) {
        journal.clear();
        double total = 0;
        auto move = [&](size_t j, int64_t dc) {
          if (dc == 0) return;
          total += t.Delta(j, dc, false, false).cost;
          t.Apply(j, dc);
          journal.emplace_back(j, dc);
        };
        const auto want = std::min<int64_t>(static_cast<int64_t>(n), p.decisions[target].max_cases);
        move(target, want - t.cases(target));
        for (size_t j : decs) {
          if (j != target) move(j, -t.cases(j));
        }
        bool ok = total < -kImprove && t.LimitsOk() && !t.ServiceShort(i);
        for (size_t j : decs) ok = ok && !t.MoqShort(p.decision_group[j]);
        if (ok) {
          any = true;
          q = 0;
          for (size_t j : decs) q += p.decisions[j].case_pack * static_cast<double>(t.cases(j));
        } else {
          for (auto it = journal.rbegin(); it != journal.rend(); ++it) {
            t.Apply(it->first, -it->second);
          }
        }
      }
    }
  }
  return any;
}

}  // namespace

std::vector<int64_t> PurchasePlanProblem::Impl::RoundAndImprove(const std::vector<double>& lp_cases,
                                                                const Prices& prices) const {
  const size_t n = decisions.size();
  std::vector<int64_t> start(n);
  for (size_t j = 0; j < n; ++j) {
    start[j] = std::clamp<int64_t>(static_cast<int64_t>(std::floor(lp_cases[j] + 1e-6)), 0,
                                   decisions[j].max_cases);
  }
  Tracker t(*this, std::move(start), &prices);
  // Minimums: raise (cheapest extra case first) or drop, whichever is cheaper and feasible.
  for (size_t g = 0; g < groups.size(); ++g) {
    if (!t.MoqShort(g)) continue;
    Tracker raised = t;
    bool ok = true;
    double raise_cost = 0;
    while (raised.MoqShort(g)) {
      size_t best = n;
      double best_cost = kInfinity;
      for (size_t j : groups[g].decisions) {
        const Tracker::Move m = raised.Delta(j, 1, true, false);
        if (m.feasible && m.cost < best_cost) {
          best_cost = m.cost;
          best = j;
        }
      }
      if (best == n) {
        ok = false;
        break;
      }
      raise_cost += best_cost;
      raised.Apply(best, 1);
    }
    Tracker dropped = t;
    double drop_cost = 0;
    bool drop_ok = true;
    for (size_t j : groups[g].decisions) {
      if (dropped.cases(j) == 0) continue;
      drop_cost += dropped.Delta(j, -dropped.cases(j), false, false).cost;
      dropped.Apply(j, -dropped.cases(j));
      drop_ok &= !dropped.ServiceShort(decisions[j].item);
    }
    if (ok && (!drop_ok || raise_cost <= drop_cost)) {
      t = std::move(raised);
    } else {
      t = std::move(dropped);
    }
  }
  // Service targets.
  for (size_t i = 0; i < items.size(); ++i) {
    while (t.ServiceShort(i)) {
      size_t best = n;
      double best_cost = kInfinity;
      for (size_t j : items[i].decisions) {
        const Tracker::Move m = t.Delta(j, 1);
        if (m.feasible && m.cost < best_cost) {
          best_cost = m.cost;
          best = j;
        }
      }
      if (best == n) break;
      t.Apply(best, 1);
    }
  }
  for (int outer = 0; outer < 20; ++outer) {
    const bool a = Descend(t, n);
    const bool b = Exchange(t, n);
    const bool c = Consolidate(t, *this);
    if (!a && !b && !c) break;
  }
  return t.cases();
}

PurchasePlanProblem::PurchasePlanProblem(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PurchasePlanProblem::PurchasePlanProblem(PurchasePlanProblem&&) noexcept = default;
PurchasePlanProblem& PurchasePlanProblem::operator=(PurchasePlanProblem&&) noexcept = default;
PurchasePlanProblem::~PurchasePlanProblem() = default;

Result<PurchasePlanProblem> PurchasePlanProblem::Create(const PurchasePlanInstance& instance,
                                                        const PlanOptions& options) {
  SC_RETURN_IF_ERROR(instance.Validate());
  SC_RETURN_IF_ERROR(options.Validate());
  auto impl = std::make_unique<Impl>();
  impl->inst = instance;
  impl->opt = options;
  SC_RETURN_IF_ERROR(impl->Build());
  return PurchasePlanProblem(std::move(impl));
}

const PurchasePlanInstance& PurchasePlanProblem::instance() const { return impl_->inst; }
const PlanOptions& PurchasePlanProblem::options() const { return impl_->opt; }
const std::vector<PlanDecision>& PurchasePlanProblem::decisions() const { return impl_->decisions; }
const std::vector<std::string>& PurchasePlanProblem::notes() const { return impl_->notes; }

PlanEvaluation PurchasePlanProblem::Evaluate(const std::vector<int64_t>& cases,
                                             bool describe) const {
  PlanState st = impl_->State(cases);
  PlanEvaluation out;
  out.cost = st.cost;
  for (const Violation& v : st.violations) {
    out.violation += v.relative;
    if (describe)
      out.violations.push_back(fmt::format("{}: {} {} {}", v.name, Num(v.activity),
                                           v.sense == Sense::kLessEqual ? ">" : "<", Num(v.limit)));
  }
  return out;
}

PlanResult PurchasePlanProblem::MakeResult(const std::vector<int64_t>& cases,
                                           SolveStatus status) const {
  PlanResult r = impl_->Result(cases, status);
  if (status == SolveStatus::kFeasible && !r.conflicts.empty()) r.status = SolveStatus::kInfeasible;
  return r;
}

std::vector<int64_t> PurchasePlanProblem::NewsvendorStart() const { return NewsvendorStart(""); }

std::vector<int64_t> PurchasePlanProblem::NewsvendorStart(const std::string& supplier) const {
  const Impl& p = *impl_;
  std::vector<int64_t> cases(p.decisions.size(), 0);
  for (size_t i = 0; i < p.items.size(); ++i) {
    const ItemData& d = p.items[i];
    if (d.decisions.empty()) continue;
    size_t best = d.decisions.front();
    for (size_t j : d.decisions) {
      if (p.offer(j).unit_price < p.offer(best).unit_price) best = j;
    }
    for (size_t j : d.decisions) {
      if (p.offer(j).supplier == supplier) best = j;
    }
    double q = p.NewsvendorQuantity(i, p.offer(best).unit_price);
    q = std::max(q, d.cycle_need);
    const auto n = static_cast<int64_t>(std::ceil(q / p.decisions[best].case_pack - 1e-9));
    cases[best] = std::clamp<int64_t>(n, 0, p.decisions[best].max_cases);
  }
  return cases;
}

Result<PlanResult> PurchasePlanProblem::Solve() const {
  const Impl& p = *impl_;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const Impl::Built b = p.BuildMip();
  SolveOptions options = p.opt.solve;
  double lp_bound = -kInfinity;
  std::vector<int64_t> heuristic;
  double heuristic_value = kInfinity;
  int64_t nodes = 0;
  if (p.opt.lp_rounding && !p.decisions.empty()) {
    SolveOptions lp_options = options;
    lp_options.diagnose_infeasibility = false;
    SC_ASSIGN_OR_RETURN(SolveResult lp, optimize::Solve(b.model.LinearRelaxation(), lp_options));
    if (lp.status == SolveStatus::kOptimal) {
      lp_bound = lp.objective;
      Impl::Prices prices;
      auto dual = [&](int row) {
        return row >= 0 ? std::fabs(lp.duals[static_cast<size_t>(row)]) : 0.0;
      };
      prices.budget = dual(b.budget_row);
      for (size_t w = 0; w < p.inst.warehouses.size(); ++w) {
        prices.units.push_back(dual(b.units_row[w]));
        prices.volume.push_back(dual(b.volume_row[w]));
      }
      heuristic = p.RoundAndImprove(lp.values, prices);
      const std::vector<double> x = p.MipVector(b, heuristic);
      if (b.model.MaxViolation(x) <= 1e-6) {
        heuristic_value = b.model.ObjectiveValue(x);
        const double gap =
            std::max(0.0, heuristic_value - lp_bound) / std::max(std::fabs(heuristic_value), 1e-9);
        if (gap <= options.relative_gap) {
          PlanResult r = p.Result(heuristic, SolveStatus::kOptimal);
          r.model_objective = heuristic_value;
          r.best_bound = lp_bound;
          r.gap = gap;
          r.seconds = elapsed();
          r.message =
              "LP relaxation rounded and improved by local search; within relative_gap "
              "of the LP bound, no branch and bound needed";
          return r;
        }
        options.initial_solution = x;
      } else {
        heuristic.clear();
      }
    }
    options.time_limit_s = std::max(options.time_limit_s - elapsed(), 0.1);
  }
  SC_ASSIGN_OR_RETURN(SolveResult sr, optimize::Solve(b.model, options));
  nodes += sr.nodes;
  PlanResult r;
  if (sr.has_solution()) {
    std::vector<int64_t> cases(p.decisions.size());
    for (size_t j = 0; j < cases.size(); ++j) cases[j] = std::llround(sr.values[j]);
    r = p.Result(cases, sr.status);
    r.model_objective = sr.objective;
  } else if (!heuristic.empty()) {
    // CBC found nothing better in the time left: the heuristic plan stands.
    r = p.Result(heuristic, SolveStatus::kFeasible);
    r.model_objective = heuristic_value;
  } else {
    r.status = sr.status;
    r.notes = p.notes;
    r.conflicts = std::move(sr.conflicts);
  }
  r.best_bound = sr.best_bound;
  if (std::isfinite(lp_bound) && !(r.best_bound >= lp_bound)) r.best_bound = lp_bound;
  if (std::isfinite(r.model_objective) && std::isfinite(r.best_bound)) {
    r.gap = std::max(0.0, r.model_objective - r.best_bound) /
            std::max(std::fabs(r.model_objective), 1e-9);
  }
  r.seconds = elapsed();
  r.nodes = nodes;
  r.message = sr.message;
  return r;
}

Result<PlanResult> SolvePurchasePlan(const PurchasePlanInstance& instance,
                                     const PlanOptions& options) {
  SC_ASSIGN_OR_RETURN(PurchasePlanProblem problem, PurchasePlanProblem::Create(instance, options));
  return problem.Solve();
}

// ---- synthetic instances ---------------------------------------------------------------------

PurchasePlanInstance GeneratePlanInstance(const PlanGeneratorOptions& g) {
  std::mt19937_64 rng(g.seed);
  // Uniform on [a, b) from the top 53 bits: the same numbers on every platform (the standard
  // library's distributions are implementation-defined).
  auto u = [&](double a, double b) {
    return a + (b - a) * static_cast<double>(rng() >> 11) * 0x1.0p-53;
  };
  PurchasePlanInstance inst;
  inst.order_date = *Date::FromYmd(2026, 3, 2);  // a Monday
  for (int w = 0; w < g.warehouses; ++w) {
    PlanWarehouse wh;
    wh.id = fmt::format("W{}", w + 1);
    inst.warehouses.push_back(wh);
  }
  constexpr double kCasePacks[] = {1, 6, 12, 4, 24};
  for (int s = 0; s < g.suppliers; ++s) {
    PlanSupplier sup;
    sup.id = fmt::format("S{}", s + 1);
    sup.order_cost = std::round(u(50, 200));
    if (s % 2 == 0) sup.moq_units = std::round(u(100, 400) * g.moq_scale);
    if (s % 2 == 1) sup.moq_value = std::round(u(1000, 4000) * g.moq_scale);
    inst.suppliers.push_back(sup);
  }
  double spend = 0;
  std::vector<double> volume(static_cast<size_t>(g.warehouses), 0.0);
  for (int k = 0; k < g.skus; ++k) {
    const std::string sku = fmt::format("SKU{:04d}", k);
    const double base = std::exp(u(std::log(2.0), std::log(80.0)));
    const double unit_volume = u(0.001, 0.05);
    for (int s = 0; s < g.suppliers; ++s) {
      PlanOffer o;
      o.sku = sku;
      o.supplier = inst.suppliers[static_cast<size_t>(s)].id;
      o.unit_price = std::round(base * u(0.88, 1.12) * 100) / 100;
      o.case_pack = kCasePacks[s % 5];
      o.lead_time_days = 3 + 2 * s;
      inst.offers.push_back(o);
    }
    const double kind = u(0, 1);
    for (int w = 0; w < g.warehouses; ++w) {
      PlanItem it;
      it.sku = sku;
      it.warehouse = inst.warehouses[static_cast<size_t>(w)].id;
      if (kind < 0.4) {
        it.demand = *policy::DemandDistribution::Poisson(
            std::max(0.1, std::round(u(1, 20) * g.demand_scale * 10) / 10));
      } else if (kind < 0.8) {
        it.demand = *policy::DemandDistribution::NegativeBinomial(
            std::max(1.0, std::round(u(10, 150) * g.demand_scale)), std::round(u(2, 10)));
      } else {
        const double mean = std::max(1.0, std::round(u(100, 600) * g.demand_scale));
        it.demand = *policy::DemandDistribution::Normal(mean, std::round(mean * u(0.2, 0.4)));
      }
      it.on_hand = std::floor(it.demand->Mean() * u(0, 0.6));
      it.unit_volume = unit_volume;
      it.holding_cost = base * u(0.10, 0.25);
      it.shortage_cost = base * u(1, 3);
      const double ratio = (it.shortage_cost - base) / (it.shortage_cost + it.holding_cost);
      const double y = ratio > 0 ? it.demand->Quantile(ratio) : 0.0;
      const double q = std::max(0.0, y - it.on_hand);
      spend += q * base;
      volume[static_cast<size_t>(w)] += (it.on_hand + q) * unit_volume;
      inst.items.push_back(std::move(it));
    }
  }
  if (g.budget_fraction > 0) inst.budget = std::max(1.0, std::round(g.budget_fraction * spend));
  if (g.capacity_fraction > 0 && g.warehouses > 1) {
    inst.warehouses[1].capacity_volume = std::max(1e-3, g.capacity_fraction * volume[1]);
  }
  return inst;
}

// ---- purchase-order CSV ---------------------------------------------------------------------

std::string PurchaseOrderCsv(const PlanResult& plan) {
  std::vector<const PlanLine*> lines;
  for (const PlanLine& l : plan.lines) lines.push_back(&l);
  std::stable_sort(lines.begin(), lines.end(), [](const PlanLine* a, const PlanLine* b) {
    return std::tie(a->supplier, a->warehouse, a->sku) <
           std::tie(b->supplier, b->warehouse, b->sku);
  });
  std::string out =
      "supplier,warehouse,sku,quantity,unit_price,line_cost,order_date,expected_arrival\n";
  for (const PlanLine* l : lines) {
    AppendCsv(out, l->supplier);
    out += ',';
    AppendCsv(out, l->warehouse);
    out += ',';
    AppendCsv(out, l->sku);
    out += fmt::format(",{},{},{},{},{}\n", Num(l->quantity), Num(l->unit_price), Num(l->cost),
                       l->order_date.ToString(), l->expected_arrival.ToString());
  }
  return out;
}

Status WritePurchaseOrderCsv(const PlanResult& plan, const std::string& path) {
  const std::string text = PurchaseOrderCsv(plan);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return Error::Unavailable(fmt::format("cannot open \"{}\" for writing purchase orders", path));
  }
  const size_t written = std::fwrite(text.data(), 1, text.size(), f);
  const bool closed = std::fclose(f) == 0;
  if (written != text.size() || !closed) {
    return Error::Unavailable(fmt::format("writing purchase orders to \"{}\" failed", path));
  }
  return Status::Ok();
}

}  // namespace stockcast::optimize
