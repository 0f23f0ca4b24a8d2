#include "stockcast/core/entities.h"

#include <cmath>

#include <fmt/format.h>

namespace stockcast {
namespace {

Status NonNegative(std::string_view where, std::string_view field, double v) {
  if (!std::isfinite(v) || v < 0) {
    return Error::InvalidArgument(fmt::format("{}.{} = {}; must be a finite number >= 0", where,
                                              field, v));
  }
  return Status::Ok();
}

Status NonEmpty(std::string_view where, std::string_view field, const std::string& v) {
  if (v.empty()) return Error::InvalidArgument(fmt::format("{}.{} is empty; must be set", where, field));
  return Status::Ok();
}

}  // namespace

Status Supplier::Validate(std::string_view where) const {
  SC_RETURN_IF_ERROR(NonEmpty(where, "id", id));
  SC_RETURN_IF_ERROR(NonNegative(where, "lead_time_mean_days", lead_time_mean_days));
  SC_RETURN_IF_ERROR(NonNegative(where, "lead_time_sd_days", lead_time_sd_days));
  SC_RETURN_IF_ERROR(NonNegative(where, "moq", moq));
  SC_RETURN_IF_ERROR(NonNegative(where, "unit_cost", unit_cost));
  SC_RETURN_IF_ERROR(NonNegative(where, "order_cost", order_cost));
  if (!std::isfinite(case_pack) || case_pack <= 0) {
    return Error::InvalidArgument(
        fmt::format("{}.case_pack = {}; must be > 0", where, case_pack));
  }
  return Status::Ok();
}

Status Product::Validate(std::string_view where) const {
  SC_RETURN_IF_ERROR(NonEmpty(where, "sku", sku));
  SC_RETURN_IF_ERROR(NonNegative(where, "unit_cost", unit_cost));
  SC_RETURN_IF_ERROR(NonNegative(where, "price", price));
  if (shelf_life_days < 0) {
    return Error::InvalidArgument(
        fmt::format("{}.shelf_life_days = {}; must be >= 0", where, shelf_life_days));
  }
  return Status::Ok();
}

Status Location::Validate(std::string_view where) const {
  SC_RETURN_IF_ERROR(NonEmpty(where, "id", id));
  return NonNegative(where, "capacity_units", capacity_units);
}

std::string_view ToString(MovementType type) {
  switch (type) {
    case MovementType::kReceipt: return "receipt";
    case MovementType::kSale: return "sale";
    case MovementType::kReturn: return "return";
    case MovementType::kAdjustment: return "adjustment";
    case MovementType::kTransferOut: return "transfer_out";
    case MovementType::kTransferIn: return "transfer_in";
  }
  return "sale";
}

std::optional<MovementType> ParseMovementType(std::string_view text) {
  for (MovementType t : {MovementType::kReceipt, MovementType::kSale, MovementType::kReturn,
                         MovementType::kAdjustment, MovementType::kTransferOut,
                         MovementType::kTransferIn}) {
    if (ToString(t) == text) return t;
  }
  return std::nullopt;
}

std::string_view ToString(ReceiptStatus status) {
  return status == ReceiptStatus::kOpen ? "open" : "received";
}

std::optional<ReceiptStatus> ParseReceiptStatus(std::string_view text) {
  if (text == "received" || text.empty()) return ReceiptStatus::kReceived;
  if (text == "open") return ReceiptStatus::kOpen;
  return std::nullopt;
}

double StockDelta(const Movement& m) {
  switch (m.type) {
    case MovementType::kReceipt:
    case MovementType::kReturn:
    case MovementType::kTransferIn:
      return m.quantity;
    case MovementType::kSale:
    case MovementType::kTransferOut:
      return -m.quantity;
    case MovementType::kAdjustment:
      return m.quantity;
  }
  return 0.0;
}

}  // namespace stockcast
