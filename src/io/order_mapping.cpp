#include "stockcast/io/order_mapping.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace stockcast::io {
namespace {

constexpr OrderField kAllFields[] = {OrderField::kOrderId,    OrderField::kSku,
                                     OrderField::kQuantity,   OrderField::kUnitPrice,
                                     OrderField::kTimestamp,  OrderField::kLocation,
                                     OrderField::kCustomerId, OrderField::kDescription,
                                     OrderField::kCancelled};

void Set(OrderMapping& m, OrderField f, std::string column) {
  m.columns[static_cast<int>(f)] = std::move(column);
}

OrderMapping Generic() {
  OrderMapping m;
  m.name = "generic";
  Set(m, OrderField::kOrderId, "order_id");
  Set(m, OrderField::kSku, "sku");
  Set(m, OrderField::kQuantity, "quantity");
  Set(m, OrderField::kUnitPrice, "unit_price");
  Set(m, OrderField::kTimestamp, "timestamp");
  Set(m, OrderField::kLocation, "location");
  Set(m, OrderField::kCustomerId, "customer_id");
  m.required = {OrderField::kOrderId, OrderField::kSku, OrderField::kQuantity,
                OrderField::kUnitPrice, OrderField::kTimestamp};
  return m;
}

// UCI Online Retail (Chen, Sain & Guo 2012): cancellations are invoices starting with "C".
// The original spreadsheet export writes dates as M/D/YYYY H:MM; ISO dates work as well.
OrderMapping OnlineRetail() {
  OrderMapping m;
  m.name = "online-retail";
  Set(m, OrderField::kOrderId, "InvoiceNo");
  Set(m, OrderField::kSku, "StockCode");
  Set(m, OrderField::kDescription, "Description");
  Set(m, OrderField::kQuantity, "Quantity");
  Set(m, OrderField::kTimestamp, "InvoiceDate");
  Set(m, OrderField::kUnitPrice, "UnitPrice");
  Set(m, OrderField::kCustomerId, "CustomerID");
  m.required = {OrderField::kOrderId, OrderField::kSku, OrderField::kQuantity,
                OrderField::kTimestamp, OrderField::kUnitPrice};
  m.cancel_prefix = "C";
  m.negative_is_adjustment = true;
  // UCI's non-product codes: postage (POST, DOT, C2 carriage), discount (D), manual (M),
  // samples (S), bad debt (B), charity commission (CRUK), display pads (PADS).
  m.non_product_skus = {"POST", "DOT", "C2", "M", "D", "S", "B", "CRUK", "PADS"};
  m.date_order = DateOrder::kMdy;
  return m;
}

// Shopify's order export: one row per line item; order-level columns may be blank on the
// second and later rows of an order (the reader carries them forward).
OrderMapping Shopify() {
  OrderMapping m;
  m.name = "shopify";
  Set(m, OrderField::kOrderId, "Name");
  Set(m, OrderField::kTimestamp, "Created at");
  Set(m, OrderField::kSku, "Lineitem sku");
  Set(m, OrderField::kQuantity, "Lineitem quantity");
  Set(m, OrderField::kUnitPrice, "Lineitem price");
  Set(m, OrderField::kDescription, "Lineitem name");
  Set(m, OrderField::kCustomerId, "Email");
  Set(m, OrderField::kCancelled, "Cancelled at");
  m.required = {OrderField::kOrderId, OrderField::kSku, OrderField::kQuantity,
                OrderField::kTimestamp};
  m.carry_order_fields = true;
  return m;
}

}  // namespace

std::string_view ToString(OrderField field) {
  switch (field) {
    case OrderField::kOrderId: return "order_id";
    case OrderField::kSku: return "sku";
    case OrderField::kQuantity: return "quantity";
    case OrderField::kUnitPrice: return "unit_price";
    case OrderField::kTimestamp: return "timestamp";
    case OrderField::kLocation: return "location";
    case OrderField::kCustomerId: return "customer_id";
    case OrderField::kDescription: return "description";
    case OrderField::kCancelled: return "cancelled";
  }
  return "order_id";
}

std::vector<std::string> PresetNames() { return {"generic", "online-retail", "shopify"}; }

Result<OrderMapping> PresetMapping(std::string_view name) {
  if (name == "generic") return Generic();
  if (name == "online-retail") return OnlineRetail();
  if (name == "shopify") return Shopify();
  return Error::InvalidArgument(fmt::format(
      "unknown preset \"{}\"; available: {}; or describe the columns in a mapping file "
      "(--mapping FILE)",
      name, fmt::join(PresetNames(), ", ")));
}

Result<OrderMapping> ParseMapping(std::string_view toml_text, const std::string& name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, name);
  } catch (const toml::parse_error& e) {
    return Error::InvalidArgument(fmt::format("{}:{}:{}: {}", name, e.source().begin.line,
                                              e.source().begin.column, e.description()));
  }
  OrderMapping m;
  m.name = name;
  m.required.clear();
  auto where = [&](const toml::node& node) {
    return fmt::format("{}:{}", name, node.source().begin.line);
  };
  for (auto&& [key, node] : root) {
    if (key != "columns" && key != "options") {
      return Error::InvalidArgument(fmt::format(
          "{}: unknown section [{}]; a mapping file has [columns] and [options]", where(node),
          key.str()));
    }
  }
  const toml::table* cols = root["columns"].as_table();
  if (!cols) {
    return Error::InvalidArgument(
        fmt::format("{}: missing [columns] section naming the header of each field", name));
  }
  for (auto&& [key, node] : *cols) {
    bool known = false;
    for (OrderField f : kAllFields) {
      if (ToString(f) != key.str()) continue;
      known = true;
      const auto* s = node.as_string();
      if (!s || s->get().empty()) {
        return Error::InvalidArgument(fmt::format(
            "{}: columns.{} must be a non-empty string (the column's header)", where(node),
            key.str()));
      }
      Set(m, f, s->get());
    }
    if (!known) {
      std::vector<std::string> names;
      for (OrderField f : kAllFields) names.emplace_back(ToString(f));
      return Error::InvalidArgument(fmt::format("{}: unknown field columns.{}; available: {}",
                                                where(node), key.str(), fmt::join(names, ", ")));
    }
  }
  for (OrderField f : {OrderField::kOrderId, OrderField::kSku, OrderField::kQuantity,
                       OrderField::kTimestamp}) {
    if (m.column(f).empty()) {
      return Error::InvalidArgument(fmt::format(
          "{}: [columns] must map {} (required fields: order_id, sku, quantity, timestamp)",
          name, ToString(f)));
    }
    m.required.push_back(f);
  }
  for (OrderField f : {OrderField::kUnitPrice, OrderField::kLocation, OrderField::kCustomerId,
                       OrderField::kDescription, OrderField::kCancelled}) {
    if (!m.column(f).empty()) m.required.push_back(f);  // named in the file = must exist
  }
  if (const toml::table* opts = root["options"].as_table()) {
    for (auto&& [key, node] : *opts) {
      const std::string k(key.str());
      if (k == "date_order") {
        auto v = node.value<std::string>();
        auto order = v ? ParseDateOrder(*v) : std::nullopt;
        if (!order) {
          return Error::InvalidArgument(fmt::format(
              "{}: options.date_order must be \"ymd\", \"mdy\" or \"dmy\"", where(node)));
        }
        m.date_order = *order;
      } else if (k == "cancel_prefix" || k == "default_location") {
        auto v = node.value<std::string>();
        if (!v) {
          return Error::InvalidArgument(fmt::format("{}: options.{} must be a string",
                                                    where(node), k));
        }
        (k == "cancel_prefix" ? m.cancel_prefix : m.default_location) = *v;
      } else if (k == "negative_quantity") {
        auto v = node.value<std::string>();
        if (!v || (*v != "return" && *v != "adjustment")) {
          return Error::InvalidArgument(fmt::format(
              "{}: options.negative_quantity must be \"return\" or \"adjustment\"", where(node)));
        }
        m.negative_is_adjustment = *v == "adjustment";
      } else if (k == "non_product_skus") {
        const auto* arr = node.as_array();
        bool ok = arr != nullptr;
        if (ok) {
          for (const auto& el : *arr) {
            auto v = el.value<std::string>();
            if (!v) { ok = false; break; }
            m.non_product_skus.push_back(*v);
          }
        }
        if (!ok) {
          return Error::InvalidArgument(fmt::format(
              "{}: options.non_product_skus must be an array of strings", where(node)));
        }
      } else if (k == "delimiter") {
        auto v = node.value<std::string>();
        if (!v || v->size() != 1 || (*v)[0] == '"' || (*v)[0] == '\n' || (*v)[0] == '\r') {
          return Error::InvalidArgument(fmt::format(
              "{}: options.delimiter must be one character other than a quote or line end",
              where(node)));
        }
        m.delimiter = (*v)[0];
      } else if (k == "decimal_comma" || k == "carry_order_fields") {
        auto v = node.value<bool>();
        if (!v) {
          return Error::InvalidArgument(
              fmt::format("{}: options.{} must be true or false", where(node), k));
        }
        (k == "decimal_comma" ? m.decimal_comma : m.carry_order_fields) = *v;
      } else {
        return Error::InvalidArgument(fmt::format(
            "{}: unknown option options.{}; available: date_order, cancel_prefix, "
            "default_location, delimiter, decimal_comma, carry_order_fields, negative_quantity, "
            "non_product_skus",
            where(node), k));
      }
    }
  }
  if (m.decimal_comma && m.delimiter == ',') {
    return Error::InvalidArgument(fmt::format(
        "{}: options.decimal_comma needs a delimiter other than ',' (e.g. delimiter = \";\")",
        name));
  }
  return m;
}

Result<OrderMapping> LoadMappingFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound(fmt::format("{}: cannot open mapping file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseMapping(ss.str(), path);
}

}  // namespace stockcast::io
