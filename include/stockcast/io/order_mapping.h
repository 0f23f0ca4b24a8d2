#pragma once
// How the columns of an order-line export map onto stockcast's fields: built-in presets
// (generic, online-retail, shopify) or a TOML mapping file for anything else.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"

namespace stockcast::io {

enum class OrderField {
  kOrderId,
  kSku,
  kQuantity,
  kUnitPrice,
  kTimestamp,
  kLocation,
  kCustomerId,
  kDescription,
  kCancelled,  // a column that is non-empty when the order was cancelled (e.g. Shopify "Cancelled at")
};
inline constexpr int kNumOrderFields = 9;
std::string_view ToString(OrderField field);  // "order_id", "sku", ...

struct OrderMapping {
  std::string name;  // preset name or mapping file path
  // Header name of the column for each field; empty = the file has no such column.
  std::array<std::string, kNumOrderFields> columns;
  // Fields that must be present in the header.
  std::vector<OrderField> required = {OrderField::kOrderId, OrderField::kSku,
                                      OrderField::kQuantity, OrderField::kTimestamp};
  DateOrder date_order = DateOrder::kYmd;
  // An order id starting with this prefix is a cancellation (UCI: "C536379"). Empty = none.
  std::string cancel_prefix;
  // Location used when the file has no location column.
  std::string default_location = "MAIN";
  char delimiter = ',';
  // Decimal comma ("2,55") in numeric fields, as in many European exports.
  bool decimal_comma = false;
  // Order-level columns (timestamp, location, customer, cancelled) left blank on later rows of
  // the same order are taken from the order's first row (Shopify exports do this).
  bool carry_order_fields = false;
  // What a negative quantity on an order that is not cancelled means: a customer return (the
  // default), or a manual stock write-off (UCI Online Retail records damage and losses so;
  // its returns are the cancelled "C" invoices).
  bool negative_is_adjustment = false;
  // SKU codes of this export that are not products (added to the config's list).
  std::vector<std::string> non_product_skus;

  const std::string& column(OrderField f) const { return columns[static_cast<int>(f)]; }
};

// Built-in presets. Unknown names are rejected with the list of presets.
Result<OrderMapping> PresetMapping(std::string_view name);
std::vector<std::string> PresetNames();

// A mapping file (TOML):
//   [columns]
//   order_id = "Order No"      # required
//   sku = "Item"               # required
//   quantity = "Qty"           # required
//   timestamp = "Date"         # required
//   unit_price = "Price"       # optional, likewise location, customer_id, description, cancelled
//   [options]
//   date_order = "dmy"         # ymd (default) | mdy | dmy, for slash-separated dates
//   cancel_prefix = "C"        # order ids starting with it are cancellations
//   default_location = "MAIN"
//   delimiter = ";"
//   decimal_comma = true
//   carry_order_fields = true  # blank order-level cells repeat the order's first row
//   negative_quantity = "return"  # or "adjustment": what negative quantity on an order that
//                                 # is not cancelled means
//   non_product_skus = ["FEE1"]   # codes of this export that are not products
Result<OrderMapping> LoadMappingFile(const std::string& path);
Result<OrderMapping> ParseMapping(std::string_view toml_text, const std::string& name);

}  // namespace stockcast::io
