#pragma once
// Master data: products, locations (warehouses), suppliers, and stock movements.
#include <cstdint>
#include <string>
#include <string_view>
#include <optional>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"

namespace stockcast {

struct Supplier {
  std::string id;
  std::string name;
  double lead_time_mean_days = 7.0;  // mean days from order to receipt
  double lead_time_sd_days = 2.0;    // spread of the lead time
  double moq = 0.0;                  // minimum order quantity in units (0 = none)
  double case_pack = 1.0;            // orders are whole multiples of this
  double unit_cost = 0.0;            // default unit cost when a product has none
  double order_cost = 0.0;           // fixed cost per purchase order
  // Checks each field; the error names the field and the rule, prefixed by `where`.
  Status Validate(std::string_view where = "supplier") const;
};

struct Product {
  std::string sku;
  std::string name;
  std::string category;
  std::string supplier_id;
  double unit_cost = 0.0;   // purchase cost per unit
  double price = 0.0;       // list selling price per unit
  int shelf_life_days = 0;  // 0 = does not expire
  bool allow_backorder = false;
  Status Validate(std::string_view where = "product") const;
};

struct Location {
  std::string id;
  std::string name;
  double capacity_units = 0.0;  // 0 = unlimited
  Status Validate(std::string_view where = "location") const;
};

enum class MovementType { kReceipt, kSale, kReturn, kAdjustment, kTransferOut, kTransferIn };
std::string_view ToString(MovementType type);
std::optional<MovementType> ParseMovementType(std::string_view text);

// One append-only stock-ledger entry. `quantity` is > 0 and the type gives the direction, except
// for adjustments, whose quantity is the signed change (a write-off of 3 units is -3).
struct Movement {
  std::string idempotency_key;  // unique: the same key never applies twice
  MovementType type = MovementType::kSale;
  std::string sku;
  std::string location;
  Date date;
  int32_t seconds = 0;       // time of day
  double quantity = 0.0;     // > 0; signed and != 0 for adjustments
  double unit_price = 0.0;   // selling price for sales/returns, cost for receipts
  std::string reference;     // order id, PO id, ...
  std::string actor;         // who/what recorded it ("import:orders.csv", API user, ...)
  std::string source;        // "orders.csv:1042" for imported lines
};

// End-of-day on-hand count of one SKU in one location (a stock take or a system snapshot).
struct StockSnapshot {
  Date date;
  std::string sku;
  std::string location;
  double on_hand = 0.0;
};

enum class ReceiptStatus { kReceived, kOpen };
std::string_view ToString(ReceiptStatus status);
std::optional<ReceiptStatus> ParseReceiptStatus(std::string_view text);

// A purchase-order line: received (date = receipt date) or still open (date = expected date).
// Received lines with an order date give the supplier's lead-time history.
struct Receipt {
  std::string po_id;
  std::string sku;
  std::string location;
  std::string supplier_id;
  double quantity = 0.0;
  std::optional<Date> order_date;
  Date date;
  ReceiptStatus status = ReceiptStatus::kReceived;
};

// Daily add-to-cart events for one SKU (in one location, or "" for all).
struct CartAdds {
  Date date;
  std::string sku;
  std::string location;
  double cart_adds = 0.0;
};

// A planned or past price promotion. Empty location = every location.
struct Promotion {
  std::string sku;
  std::string location;
  Date start;
  Date end;                // inclusive
  double discount = 0.0;   // fraction off the list price, in [0, 1)
};

// The movement's effect on on-hand stock (+ in, - out).
double StockDelta(const Movement& movement);

}  // namespace stockcast
