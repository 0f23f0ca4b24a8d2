#pragma once
// Line-level cleaning of order exports: every line gets exactly one disposition (rule), in
// this order of precedence: exact duplicate, zero quantity, non-product line (or no SKU),
// cancelled order line, return, manual adjustment, demand. Counts per rule and the first examples (file:line and
// the line itself) go into the cleaning report.
#include <array>
#include <cstdint>
#include <regex>
#include <string>
#include <unordered_set>
#include <vector>

#include "stockcast/clean/clean_options.h"
#include "stockcast/core/flat_hash.h"
#include "stockcast/io/order_reader.h"

namespace stockcast::clean {

enum class LineRule : uint8_t {
  kDemand,        // a sale: counts as demand
  kReturn,        // cancelled order or negative quantity: stock comes back, never demand
  kDuplicate,     // byte-identical to an earlier line of the same import: dropped
  kNonProduct,    // postage, fees, vouchers, manual entries (rules in config): not stock
  kAdjustment,    // negative quantity on an order that is not cancelled: stock write-off
  kZeroQuantity,  // quantity 0: nothing happened
  kCancelled,     // a sale line of an order cancelled before fulfilment (Shopify "Cancelled
                  // at"): never shipped, so neither demand nor a stock movement
};
inline constexpr int kNumLineRules = 7;
std::string_view ToString(LineRule rule);

// Data-quality findings that do not stop an import, unless --strict.
enum class Warning : uint8_t {
  kZeroQuantity,     // a line with quantity 0
  kMissingPrice,     // a demand line without a usable unit price (empty, 0 or negative)
  kUnknownSku,       // order/stock line for a SKU missing from products.csv (when given)
  kEmptySku,         // a line without a SKU (gift card, custom item): counted as non-product
  kNoDataLines,      // an orders file with a header but no lines (an empty export?)
};
inline constexpr int kNumWarnings = 5;
std::string_view ToString(Warning warning);

struct Example {
  std::string where;  // "orders.csv:1042" or "SKU-1@WH 2024-03-01"
  std::string text;
};

inline constexpr size_t kMaxExamples = 5;

// Counted over every line read, whatever its disposition (these are facts about the file).
struct OrderFacts {
  int64_t lines_read = 0;
  int64_t cancellation_lines = 0;      // cancelled orders (e.g. UCI invoices starting with "C")
  int64_t negative_quantity_lines = 0;
  int64_t exact_duplicates = 0;        // lines identical to an earlier line
  int64_t lines_without_customer = 0;
  int64_t distinct_orders = 0;
  int64_t distinct_skus = 0;
  double sum_quantity = 0.0;
  double sum_value = 0.0;  // sum(quantity x unit price)
  std::optional<Date> first_date, last_date;
};

class OrderCleaner {
 public:
  // `options` must be valid (CleanOptions::Validate).
  explicit OrderCleaner(const CleanOptions& options);

  // Call before the lines of each file; SKU ids are per reader.
  void BeginFile(const io::OrderReader& reader);
  // Classifies one line (lines in file order) and records counts and examples.
  LineRule Classify(const io::OrderLine& line, const io::OrderReader& reader);
  // Call after the last line of a file: folds its distinct orders and SKUs into the facts.
  void EndFile(const io::OrderReader& reader);
  void Warn(Warning warning, std::string where, std::string text);

  const OrderFacts& facts() const { return facts_; }
  int64_t count(LineRule rule) const { return counts_[static_cast<int>(rule)]; }
  const std::vector<Example>& examples(LineRule rule) const {
    return examples_[static_cast<int>(rule)];
  }
  int64_t warnings(Warning w) const { return warning_counts_[static_cast<int>(w)]; }
  const std::vector<Example>& warning_examples(Warning w) const {
    return warning_examples_[static_cast<int>(w)];
  }

 private:
  bool IsNonProduct(uint32_t sku, const io::OrderReader& reader);
  void Record(LineRule rule, const io::OrderLine& line, const io::OrderReader& reader);

  const CleanOptions& options_;
  std::vector<std::string> non_product_exact_;  // upper-cased
  std::vector<std::regex> non_product_patterns_;
  std::vector<int8_t> sku_is_non_product_;  // per reader SKU id: -1 unknown, 0, 1
  FlatSet64 seen_{1 << 16};                 // hashes of lines seen in this import
  std::unordered_set<std::string> orders_, skus_;
  OrderFacts facts_;
  std::array<int64_t, kNumLineRules> counts_{};
  std::array<std::vector<Example>, kNumLineRules> examples_;
  std::array<int64_t, kNumWarnings> warning_counts_{};
  std::array<std::vector<Example>, kNumWarnings> warning_examples_;
};

}  // namespace stockcast::clean
