// Back-end independent parts of the store: the checks applied to every batch before it is
// written (declared in store/checks.h).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>
#include <string_view>

#include "store/checks.h"

namespace stockcast::store_checks {
namespace {

std::string Where(std::string_view array, size_t index) {
  return fmt::format("{}[{}]", array, index);
}

Status NonEmpty(std::string_view array, size_t index, std::string_view field,
                const std::string& value) {
  if (!value.empty()) return Status::Ok();
  return Error::InvalidArgument(
      fmt::format("{}.{} is empty; must be set", Where(array, index), field));
}

Status Finite(std::string_view array, size_t index, std::string_view field, double value) {
  if (std::isfinite(value)) return Status::Ok();
  return Error::InvalidArgument(
      fmt::format("{}.{} = {}; must be a finite number", Where(array, index), field, value));
}

Status FiniteNonNegative(std::string_view array, size_t index, std::string_view field,
                         double value) {
  if (std::isfinite(value) && value >= 0) return Status::Ok();
  return Error::InvalidArgument(
      fmt::format("{}.{} = {}; must be a finite number >= 0", Where(array, index), field, value));
}

}  // namespace

Status CheckProducts(std::span<const Product> products) {
  for (size_t i = 0; i < products.size(); ++i) {
    SC_RETURN_IF_ERROR(products[i].Validate(Where("products", i)));
  }
  return Status::Ok();
}

Status CheckLocations(std::span<const Location> locations) {
  for (size_t i = 0; i < locations.size(); ++i) {
    SC_RETURN_IF_ERROR(locations[i].Validate(Where("locations", i)));
  }
  return Status::Ok();
}

Status CheckSuppliers(std::span<const Supplier> suppliers) {
  for (size_t i = 0; i < suppliers.size(); ++i) {
    SC_RETURN_IF_ERROR(suppliers[i].Validate(Where("suppliers", i)));
  }
  return Status::Ok();
}

Status CheckMovements(std::span<const Movement> movements) {
  constexpr std::string_view kArray = "movements";
  for (size_t i = 0; i < movements.size(); ++i) {
    const Movement& m = movements[i];
    SC_RETURN_IF_ERROR(NonEmpty(kArray, i, "idempotency_key", m.idempotency_key));
    SC_RETURN_IF_ERROR(NonEmpty(kArray, i, "sku", m.sku));
    SC_RETURN_IF_ERROR(NonEmpty(kArray, i, "location", m.location));
    if (m.seconds < 0 || m.seconds > 86399) {
      return Error::InvalidArgument(
          fmt::format("{}.seconds = {}; must be in [0, 86399]", Where(kArray, i), m.seconds));
    }
    SC_RETURN_IF_ERROR(Finite(kArray, i, "quantity", m.quantity));
    // Adjustments carry the signed change; every other type is a positive quantity whose
    // direction the type gives (see StockDelta).
    if (m.type == MovementType::kAdjustment) {
      if (m.quantity == 0) {
        return Error::InvalidArgument(
            fmt::format("{}.quantity = 0; must be != 0 for type adjustment", Where(kArray, i)));
      }
    } else if (!(m.quantity > 0)) {
      return Error::InvalidArgument(fmt::format("{}.quantity = {}; must be > 0 for type {}",
                                                Where(kArray, i), m.quantity, ToString(m.type)));
    }
    SC_RETURN_IF_ERROR(FiniteNonNegative(kArray, i, "unit_price", m.unit_price));
  }
  return Status::Ok();
}

Status CheckSnapshots(std::span<const StockSnapshot> snapshots) {
  constexpr std::string_view kArray = "snapshots";
  for (size_t i = 0; i < snapshots.size(); ++i) {
    SC_RETURN_IF_ERROR(NonEmpty(kArray, i, "sku", snapshots[i].sku));
    SC_RETURN_IF_ERROR(NonEmpty(kArray, i, "location", snapshots[i].location));
    SC_RETURN_IF_ERROR(Finite(kArray, i, "on_hand", snapshots[i].on_hand));
  }
  return Status::Ok();
}

Status CheckReceipts(std::span<const Receipt> receipts) {
  constexpr std::string_view kArray = "receipts";
  for (size_t i = 0; i < receipts.size(); ++i) {
    const Receipt& r = receipts[i];
    SC_RETURN_IF_ERROR(NonEmpty(kArray, i, "po_id", r.po_id));
    SC_RETURN_IF_ERROR(NonEmpty(kArray, i, "sku", r.sku));
    SC_RETURN_IF_ERROR(NonEmpty(kArray, i, "location", r.location));
    SC_RETURN_IF_ERROR(FiniteNonNegative(kArray, i, "quantity", r.quantity));
    // The order date starts the lead time, so it cannot come after the receipt / expected date.
    if (r.order_date && *r.order_date > r.date) {
      return Error::InvalidArgument(
          fmt::format("{}.order_date = {} is after date = {}; must be <= date", Where(kArray, i),
                      r.order_date->ToString(), r.date.ToString()));
    }
  }
  return Status::Ok();
}

Status CheckCartAdds(std::span<const CartAdds> cart_adds) {
  constexpr std::string_view kArray = "cart_adds";
  for (size_t i = 0; i < cart_adds.size(); ++i) {
    SC_RETURN_IF_ERROR(NonEmpty(kArray, i, "sku", cart_adds[i].sku));
    SC_RETURN_IF_ERROR(FiniteNonNegative(kArray, i, "cart_adds", cart_adds[i].cart_adds));
  }
  return Status::Ok();
}

Status CheckPromotions(std::span<const Promotion> promotions) {
  constexpr std::string_view kArray = "promotions";
  for (size_t i = 0; i < promotions.size(); ++i) {
    const Promotion& p = promotions[i];
    SC_RETURN_IF_ERROR(NonEmpty(kArray, i, "sku", p.sku));
    if (p.end < p.start) {
      return Error::InvalidArgument(
          fmt::format("{}.end = {} is before start = {}; must be >= start", Where(kArray, i),
                      p.end.ToString(), p.start.ToString()));
    }
    if (!(p.discount >= 0 && p.discount < 1)) {
      return Error::InvalidArgument(
          fmt::format("{}.discount = {}; must be in [0, 1)", Where(kArray, i), p.discount));
    }
  }
  return Status::Ok();
}

Status CheckForecastRows(std::span<const ForecastRow> rows) {
  constexpr std::string_view kArray = "rows";
  for (size_t i = 0; i < rows.size(); ++i) {
    const ForecastRow& r = rows[i];
    SC_RETURN_IF_ERROR(NonEmpty(kArray, i, "sku", r.sku));
    if (r.step < 1) {
      return Error::InvalidArgument(
          fmt::format("{}.step = {}; must be >= 1", Where(kArray, i), r.step));
    }
    SC_RETURN_IF_ERROR(Finite(kArray, i, "mean", r.mean));
    for (size_t q = 0; q < r.quantiles.size(); ++q) {
      const auto [level, value] = r.quantiles[q];
      if (!(level > 0 && level < 1)) {
        return Error::InvalidArgument(fmt::format("{}.quantiles[{}].level = {}; must be in (0, 1)",
                                                  Where(kArray, i), q, level));
      }
      if (q > 0 && !(level > r.quantiles[q - 1].first)) {
        return Error::InvalidArgument(fmt::format(
            "{}.quantiles[{}].level = {}; levels must be strictly ascending (previous {})",
            Where(kArray, i), q, level, r.quantiles[q - 1].first));
      }
      if (!std::isfinite(value)) {
        return Error::InvalidArgument(fmt::format(
            "{}.quantiles[{}].value = {}; must be a finite number", Where(kArray, i), q, value));
      }
    }
  }
  return Status::Ok();
}

Status CheckPlanLines(std::span<const PlanLine> lines) {
  constexpr std::string_view kArray = "lines";
  for (size_t i = 0; i < lines.size(); ++i) {
    const PlanLine& l = lines[i];
    SC_RETURN_IF_ERROR(NonEmpty(kArray, i, "sku", l.sku));
    SC_RETURN_IF_ERROR(NonEmpty(kArray, i, "location", l.location));
    if (l.arrival_date < l.order_date) {
      return Error::InvalidArgument(
          fmt::format("{}.arrival_date = {} is before order_date = {}; must be >= order_date",
                      Where(kArray, i), l.arrival_date.ToString(), l.order_date.ToString()));
    }
    SC_RETURN_IF_ERROR(FiniteNonNegative(kArray, i, "quantity", l.quantity));
    SC_RETURN_IF_ERROR(FiniteNonNegative(kArray, i, "unit_cost", l.unit_cost));
    const std::pair<std::string_view, double> numbers[] = {
        {"on_hand", l.on_hand},
        {"on_order", l.on_order},
        {"lead_time_demand", l.lead_time_demand},
        {"safety_stock", l.safety_stock},
        {"reorder_point", l.reorder_point},
        {"order_up_to", l.order_up_to},
        {"service_level", l.service_level},
        {"stockout_probability", l.stockout_probability},
    };
    for (const auto& [field, value] : numbers) {
      SC_RETURN_IF_ERROR(Finite(kArray, i, field, value));
    }
    // Infinite days of supply is meaningful (no expected demand); NaN is not.
    if (std::isnan(l.days_of_supply)) {
      return Error::InvalidArgument(
          fmt::format("{}.days_of_supply = nan; must be a number", Where(kArray, i)));
    }
  }
  return Status::Ok();
}

Status CheckFinishStatus(const std::string& status) {
  if (status == "ok" || status == "failed") return Status::Ok();
  return Error::InvalidArgument(
      fmt::format("run status \"{}\"; must be one of: ok, failed", status));
}

std::string PanelColumnList() {
  std::string list;
  for (PanelColumn c : kPanelColumns) {
    if (!list.empty()) list += ", ";
    list += ToString(c);
  }
  return list;
}

Status CheckJson(std::string_view field, const std::string& text) {
  if (text.empty() || nlohmann::json::accept(text)) return Status::Ok();
  return Error::InvalidArgument(
      fmt::format("{} is not valid JSON; must be empty or a JSON document", field),
      text.substr(0, 200));
}

std::string QuantilesToJson(const std::vector<std::pair<double, double>>& quantiles) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& [level, value] : quantiles) {
    array.push_back(nlohmann::json::array({level, value}));
  }
  return array.dump();
}

bool QuantilesFromJson(std::string_view text, std::vector<std::pair<double, double>>* out) {
  const nlohmann::json array = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!array.is_array()) return false;
  out->clear();
  out->reserve(array.size());
  for (const nlohmann::json& pair : array) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_number()) {
      return false;
    }
    out->emplace_back(pair[0].get<double>(), pair[1].get<double>());
  }
  return true;
}

Status CheckAlert(const AlertRecord& a, size_t i) {
  const auto where = [&](std::string_view field) {
    return fmt::format("alerts[{}] ({}).{}", i, a.key.empty() ? "?" : a.key, field);
  };
  for (const auto& [field, value] :
       {std::pair<std::string_view, const std::string*>{"key", &a.key}, {"type", &a.type},
        {"sku", &a.sku}, {"location", &a.location}}) {
    if (value->empty()) return Error::InvalidArgument(where(field) + " is empty; must be set");
  }
  for (const auto& [field, value] : {std::pair<std::string_view, const std::string*>{
                                         "level", &a.level},
                                     {"first_level", &a.first_level}}) {
    if (*value != "high" && *value != "medium" && *value != "low") {
      return Error::InvalidArgument(
          fmt::format("{} = \"{}\"; must be high, medium or low", where(field), *value));
    }
  }
  if (a.status != "open" && a.status != "acknowledged" && a.status != "resolved") {
    return Error::InvalidArgument(fmt::format(
        "{} = \"{}\"; must be open, acknowledged or resolved", where("status"), a.status));
  }
  if (a.occurrences < 1) {
    return Error::InvalidArgument(
        fmt::format("{} = {}; must be >= 1", where("occurrences"), a.occurrences));
  }
  if (a.last_seen < a.first_seen) {
    return Error::InvalidArgument(fmt::format("{} = {} is before first_seen = {}",
                                              where("last_seen"), a.last_seen.ToString(),
                                              a.first_seen.ToString()));
  }
  if (!std::isfinite(a.probability) || !std::isfinite(a.impact)) {
    return Error::InvalidArgument(where("probability/impact") + " is not finite; must be a number");
  }
  return Status::Ok();
}

Status CheckJob(const JobRecord& j) {
  if (j.kind != "forecast" && j.kind != "plan") {
    return Error::InvalidArgument(
        fmt::format("job.kind = \"{}\"; must be forecast or plan", j.kind));
  }
  if (j.status != "queued" && j.status != "running" && j.status != "succeeded" &&
      j.status != "failed") {
    return Error::InvalidArgument(fmt::format(
        "job.status = \"{}\"; must be queued, running, succeeded or failed", j.status));
  }
  if (!(j.progress >= 0 && j.progress <= 1)) {
    return Error::InvalidArgument(fmt::format("job.progress = {}; must be in [0, 1]", j.progress));
  }
  return Status::Ok();
}

Status CheckNewRun(const std::string& kind, const std::string& params_json) {
  if (kind.empty()) {
    return Error::InvalidArgument("run kind is empty; must be set (import, forecast, plan, ...)");
  }
  return CheckJson("params_json", params_json);
}

Status CheckAlerts(std::span<const AlertRecord> alerts) {
  for (size_t i = 0; i < alerts.size(); ++i) SC_RETURN_IF_ERROR(CheckAlert(alerts[i], i));
  return Status::Ok();
}

Status CheckKpis(std::span<const KpiRecord> kpis) {
  for (size_t i = 0; i < kpis.size(); ++i) {
    if (kpis[i].scope.empty() || kpis[i].metric.empty()) {
      return Error::InvalidArgument(
          fmt::format("kpis[{}]: scope and metric must be set (scope \"{}\", metric \"{}\")", i,
                      kpis[i].scope, kpis[i].metric));
    }
  }
  return Status::Ok();
}

Status CheckToken(const TokenRecord& token) {
  if (token.role != "viewer" && token.role != "planner" && token.role != "admin") {
    return Error::InvalidArgument(
        fmt::format("token role = \"{}\"; must be viewer, planner or admin", token.role));
  }
  if (token.hash.size() < 32) {
    return Error::InvalidArgument("token hash is missing or too short; store only a token's hash");
  }
  return Status::Ok();
}

Status CheckAudit(const AuditRecord& entry) {
  if (entry.action.empty() || entry.actor.empty()) {
    return Error::InvalidArgument("audit entry: actor and action must be set");
  }
  return Status::Ok();
}

Status CheckNewJob(const JobRecord& job) {
  SC_RETURN_IF_ERROR(CheckJob(job));
  if (job.actor.empty()) return Error::InvalidArgument("job.actor must be set");
  return Status::Ok();
}

Status CheckDecision(const PlanDecision& decision) {
  if (decision.status != "approved" && decision.status != "rejected") {
    return Error::InvalidArgument(fmt::format(
        "decision.status = \"{}\"; must be approved or rejected", decision.status));
  }
  if (!(decision.quantity >= 0) || !std::isfinite(decision.quantity)) {
    return Error::InvalidArgument(
        fmt::format("decision.quantity = {}; must be a number >= 0", decision.quantity));
  }
  if (decision.actor.empty()) return Error::InvalidArgument("decision.actor must be set");
  return Status::Ok();
}

Status CheckWarningLines(std::span<const WarningLineRecord> lines) {
  for (size_t i = 0; i < lines.size(); ++i) {
    const WarningLineRecord& l = lines[i];
    if (l.sku.empty() || l.location.empty()) {
      return Error::InvalidArgument(fmt::format("warning_lines[{}]: sku and location must be set", i));
    }
    if (l.source != "plan" && l.source != "manual") {
      return Error::InvalidArgument(fmt::format(
          "warning_lines[{}].source = \"{}\"; must be plan or manual", i, l.source));
    }
    if (!(l.lower_units >= 0) || !(l.upper_units >= 0) || !std::isfinite(l.lower_units) ||
        !std::isfinite(l.upper_units)) {
      return Error::InvalidArgument(fmt::format(
          "warning_lines[{}] ({}/{}): lower_units = {}, upper_units = {}; must be finite and >= 0",
          i, l.sku, l.location, l.lower_units, l.upper_units));
    }
    if (l.upper_units > 0 && l.upper_units < l.lower_units) {
      return Error::InvalidArgument(fmt::format(
          "warning_lines[{}] ({}/{}): upper_units = {} < lower_units = {}; the upper line must be "
          "above the lower one (or 0 for none)",
          i, l.sku, l.location, l.upper_units, l.lower_units));
    }
  }
  return Status::Ok();
}

Status CheckProjection(std::span<const ProjectionRecord> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const ProjectionRecord& r = rows[i];
    for (double v : {r.p10, r.p50, r.p90, r.arrivals}) {
      if (!std::isfinite(v)) {
        return Error::InvalidArgument(fmt::format("projections[{}] ({}/{} {}): values must be finite",
                                                  i, r.sku, r.location, r.date.ToString()));
      }
    }
  }
  return Status::Ok();
}

}  // namespace stockcast::store_checks
