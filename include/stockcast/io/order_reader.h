#pragma once
// Streams order lines out of a CSV export through an OrderMapping into typed OrderLines.
// Strings that repeat (SKU, order id, location) are interned: lines carry small indices.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"
#include "stockcast/io/csv_reader.h"
#include "stockcast/io/order_mapping.h"

namespace stockcast::io {

// Assigns dense ids to strings in first-seen order (open addressing over the ids).
class Interner {
 public:
  uint32_t Intern(std::string_view text);
  const std::string& operator[](uint32_t id) const { return strings_[id]; }
  size_t size() const { return strings_.size(); }
  const std::vector<std::string>& strings() const { return strings_; }

 private:
  void Grow();
  std::vector<uint32_t> slots_ = std::vector<uint32_t>(64, 0);  // id + 1; 0 = empty
  std::vector<uint64_t> hashes_;                                // per id
  std::vector<std::string> strings_;
};

struct OrderLine {
  int64_t line = 0;       // physical line of the record in its file
  uint64_t hash = 0;      // hash of every raw field: equal hashes = exact duplicate lines
  uint32_t order = 0;     // OrderReader::orders() id
  uint32_t sku = 0;       // OrderReader::skus() id
  uint32_t location = 0;  // OrderReader::locations() id
  double quantity = 0.0;  // as written: negative for returns in most exports
  double unit_price = 0.0;
  Date date;
  int32_t seconds = 0;
  bool cancelled = false;     // cancelled order (prefix or cancel column)
  bool has_customer = false;  // customer id present
  bool has_price = false;
};

class OrderReader {
 public:
  // Opens the file and checks that every required column is in the header.
  static Result<std::unique_ptr<OrderReader>> Open(const std::string& path,
                                                   const OrderMapping& mapping);
  static Result<std::unique_ptr<OrderReader>> Open(std::unique_ptr<ByteSource> source,
                                                   const OrderMapping& mapping);

  // Reads the next line into `out`; false at end. Errors name file:line:column and the rule:
  // non-numeric quantity or price, bad date, plus every CSV-level error.
  Result<bool> Next(OrderLine* out);

  const CsvReader& csv() const { return *csv_; }
  const OrderMapping& mapping() const { return mapping_; }
  const Interner& orders() const { return orders_; }
  const Interner& skus() const { return skus_; }
  const Interner& locations() const { return locations_; }
  // First non-empty description seen per SKU id ("" when none).
  const std::vector<std::string>& descriptions() const { return descriptions_; }

 private:
  OrderReader(std::unique_ptr<CsvReader> csv, OrderMapping mapping);
  Status ResolveColumns();

  std::unique_ptr<CsvReader> csv_;
  OrderMapping mapping_;
  std::array<int, kNumOrderFields> col_{};  // field -> column index, -1 absent
  Interner orders_, skus_, locations_;
  std::vector<std::string> descriptions_;
  uint32_t default_location_ = 0;
  uint32_t last_order_ = UINT32_MAX;  // previous line's order, for carry_order_fields
  OrderLine last_;
};

// Largest order-line quantity accepted: anything bigger is a corrupt value, not an order.
inline constexpr double kMaxQuantity = 1e9;

// Parses a decimal number (optionally with decimal comma); false on anything else.
bool ParseNumber(std::string_view text, bool decimal_comma, double* out);

}  // namespace stockcast::io
